from __future__ import annotations

from ...engine.edits import Replace
from ...model.packages import verb as _verb
from ..base import Fix, Rule, Safety, Skip


class AptNoInstallRecommends(Rule):
    """
    ## What it does
    Adds `--no-install-recommends` right after `install` to `apt-get install`
    and `apt install` in shell-form `RUN`s that neither say
    `--no-install-recommends` nor set `APT::Install-Recommends` with `-o`.
    `aptitude` is left alone (its option is spelled differently).

    ## Why
    By default apt installs every package that the requested ones merely
    recommend: documentation, extra tools, whole toolchains. They make the
    image larger and give scanners more to report, and the application rarely
    uses them. hadolint reports the missing flag as DL3015.

    ## Example
    ```dockerfile
    FROM debian:bookworm-slim
    RUN apt-get update && apt-get install -y curl
    ```

    ## Use instead
    ```dockerfile
    FROM debian:bookworm-slim
    RUN apt-get update && apt-get install --no-install-recommends -y curl
    ```

    ## Fix safety
    Unsafe: a recommended package that the application does need at run time
    (`ca-certificates` for `curl` to reach HTTPS sites, a font for a PDF
    renderer, `gnupg` for `apt-key`) is no longer installed, and the image
    fails only when that code path runs. Offered as a suggestion unless
    `--unsafe-fixes` is given; name such packages explicitly when applying it.
    """

    code = "HY002"
    name = "apt-no-install-recommends"
    title = "Install Debian packages with --no-install-recommends"
    rationale = "apt installs recommended packages the image rarely needs unless told --no-install-recommends."
    resolves = ("DL3015",)
    safety = Safety.UNSAFE

    def check(self, model):
        for ins, script in model.shell_runs():
            words = [w for w in (_verb("apt", "install", c) for c in script.commands if not _decides_recommends(c)) if w]
            if not words:
                continue
            if script.has_errors:
                yield Skip("apt-get install stays as written: the shell parser could not read this RUN", ins)
                continue
            code = model.edited_run(ins, [(w.end, w.end, " --no-install-recommends") for w in words])
            if code is None:
                yield Skip("apt-get install stays as written: the RUN is laid out in a way this rule cannot edit", ins)
                continue
            yield Fix(ins, "apt-get install --no-install-recommends leaves out packages that are only recommended; "
                           "name any the application needs", Safety.UNSAFE, (Replace(ins, code, verbatim=True),))


# apt-get options that read the next word as their value



def _decides_recommends(command) -> bool:
    """The command says itself whether recommended packages come: a flag or an `-o APT::Install-Recommends`."""
    argv = command.argv
    for i, value in enumerate(argv):
        if value is None:
            continue
        if value.partition("=")[0] in ("--no-install-recommends", "--install-recommends"):
            return True
        option = None
        if value in ("-o", "--option") and i + 1 < len(argv):
            option = argv[i + 1]
        elif value.startswith("-o") and not value.startswith("--"):
            option = value[2:]
        elif value.startswith("--option="):
            option = value[len("--option="):]
        if option and option.partition("=")[0].strip().lower() == "apt::install-recommends":
            return True
    return False
