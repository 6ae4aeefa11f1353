from __future__ import annotations

from ...syntax.edits import Replace
from ...model.commands import is_windows
from ...model.packages import subcommand
from ..base import Fix, Rule, Safety, Skip


class AptGetNotApt(Rule):
    """
    ## What it does
    Rewrites `apt` in a shell-form `RUN` to the tool scripts are meant to
    call: `apt-get` for `install`, `remove`, `purge`, `autoremove`, `update`,
    `clean`, `autoclean`, `download`, `source`, `build-dep`, `satisfy`,
    `changelog`, `full-upgrade` (apt-get's `dist-upgrade`) and `upgrade`
    (apt-get's `upgrade --with-new-pkgs`, which is what `apt upgrade` does);
    `apt-cache` for `search`, `show`, `showsrc`, `policy`, `depends`,
    `rdepends` and `pkgnames`. Options are kept as written.

    ## Why
    `apt` is the command line for people at a terminal: its output and even
    its behaviour may change between releases, and it warns "apt does not
    have a stable CLI interface. Use with caution in scripts." `apt-get` and
    `apt-cache` keep their interface stable for scripts. hadolint reports
    `apt` in a `RUN` as DL3027.

    ## Example
    ```dockerfile
    FROM ubuntu:24.04
    RUN apt update && apt install -y --no-install-recommends curl
    ```

    ## Use instead
    ```dockerfile
    FROM ubuntu:24.04
    RUN apt-get update && apt-get install -y --no-install-recommends curl
    ```

    ## Fix safety
    Review: the same packages are installed, but apt and apt-get differ in
    settings apt applies for people: apt deletes the `.deb` files it
    downloaded, while apt-get keeps them under `/var/cache/apt/archives`
    unless the image's apt configuration removes them (the official Debian
    and Ubuntu images do), so a layer may keep more files. `apt list`,
    `apt edit-sources` and a subcommand read from a variable have no
    stable equivalent and are left alone, with the reason, and so is an
    `apt install` that does not say whether recommended packages come: as
    `apt-get install` it would draw hadolint's DL3015, so it waits for
    HY002 (`--unsafe-fixes`) to add `--no-install-recommends` first.
    """

    code = "HY041"
    name = "apt-get-not-apt"
    title = "Call apt-get or apt-cache rather than apt in scripts"
    rationale = "apt's interface is for people at a terminal and is not kept stable for scripts, as apt-get's is."
    resolves = ("DL3027",)
    safety = Safety.REVIEW

    def check(self, model):
        for ins, script in model.shell_runs():
            stage = model.stage_of(ins)
            if stage is None or is_windows(model, stage):
                continue
            edits = []
            shown = []
            declined = None
            for command in script.commands:
                if command.name != "apt":
                    continue
                word = subcommand(command, "apt")
                verb = word.value if word is not None else None
                target = _GET.get(verb) or (f"apt-cache {verb}" if verb in _CACHE else None)
                if target is None:
                    declined = (f"`apt {verb}` has no apt-get or apt-cache equivalent" if verb else
                                "the apt subcommand is not written out")
                    continue
                if verb == "install" and not _says_recommends(command):
                    declined = ("`apt install` waits until it says whether recommended packages come "
                                "(HY002, --unsafe-fixes): as `apt-get install` hadolint would report that as DL3015")
                    edits = []
                    break
                name = command.words[0]
                edits.append((name.start, name.end, name.text[: len(name.text) - 3] + target.split()[0]))
                if verb in _RENAMED:
                    edits.append((word.start, word.end, _RENAMED[verb]))
                if verb == "upgrade":
                    edits.append((word.end, word.end, " --with-new-pkgs"))
                shown.append(f"apt {verb} → {target}")
            if declined:
                yield Skip(f"apt stays: {declined}", ins)
            if not edits:
                continue
            if script.has_errors:
                yield Skip("apt stays: the shell parser could not read this RUN", ins)
                continue
            code = model.edited_run(ins, edits)
            if code is None:
                yield Skip("apt stays: the RUN is laid out in a way this rule cannot edit", ins)
                continue
            yield Fix(ins, f"{', '.join(dict.fromkeys(shown))}: apt's interface is not kept stable for scripts",
                      Safety.REVIEW, (Replace(ins, code, verbatim=True),))


_GET = {verb: f"apt-get {verb}" for verb in (
    "install", "remove", "purge", "autoremove", "update", "clean", "autoclean", "download", "source",
    "build-dep", "satisfy", "changelog")}
_GET["full-upgrade"] = "apt-get dist-upgrade"
_GET["dist-upgrade"] = "apt-get dist-upgrade"
_GET["upgrade"] = "apt-get upgrade --with-new-pkgs"
_GET["reinstall"] = "apt-get install --reinstall"
_RENAMED = {"full-upgrade": "dist-upgrade", "reinstall": "install --reinstall"}
_CACHE = ("search", "show", "showsrc", "policy", "depends", "rdepends", "pkgnames")


def _says_recommends(command) -> bool:
    """`--no-install-recommends`, `--install-recommends` or `-o APT::Install-Recommends=…`."""
    argv = [v or "" for v in command.argv]
    return any(v.partition("=")[0] in ("--no-install-recommends", "--install-recommends")
               or "apt::install-recommends" in v.lower() for v in argv)
