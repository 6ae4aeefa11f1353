from __future__ import annotations

import re
import tomllib
from functools import lru_cache
from pathlib import Path

from ...syntax.edits import Replace
from ...model.images import image_facts
from ...model.packages import TAKES_VALUE
from ...model.packages import verb as _verb
from ..base import Fix, Rule, Safety, Skip

DATA = Path(__file__).resolve().parents[2] / "data" / "apt_recommends.toml"
_HTTPS = re.compile(r"https://")


class AptNoInstallRecommends(Rule):
    """
    ## What it does
    Adds `--no-install-recommends` right after `install` to `apt-get install`
    and `apt install` in shell-form `RUN`s that neither say
    `--no-install-recommends` nor set `APT::Install-Recommends` with `-o`.
    `aptitude` is left alone (its option is spelled differently).

    Where the image would then lose a recommended package that the build
    shows it needs, the package is named in the install instead
    (`refactor/data/apt_recommends.toml`, from Debian bookworm's metadata):
    `ca-certificates` when `git`, `curl` or `wget` is installed or a `RUN`
    fetches an `https://` address, unless the base image is known to ship it
    (the python images and the full node images do; node's `-slim`, `debian`
    and `ubuntu` do not); `make`, `gcc` and `libc6-dev` for `cmake` and `gcc`
    when the build calls them; `openssh-client` for `git` with ssh addresses;
    `patch` and `less` when called.

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
    RUN apt-get update && apt-get install --no-install-recommends -y curl ca-certificates
    ```

    ## Fix safety
    Unsafe: a recommended package that the application needs only at run time
    (a font for a PDF renderer, `gnupg` for `apt-key`, `less` for an
    interactive `git log`) is no longer installed, and the image fails only
    when that code path runs. Offered as a suggestion unless `--unsafe-fixes`
    is given; name such packages explicitly when applying it. An install of
    `python3-pip` followed by `pip install` is left alone: pip may compile a
    package with the `build-essential` and `python3-dev` it recommends, which
    the Dockerfile cannot show, and the skip names them.
    """

    code = "HY002"
    name = "apt-no-install-recommends"
    title = "Install Debian packages with --no-install-recommends"
    rationale = "apt installs recommended packages the image rarely needs unless told --no-install-recommends."
    resolves = ("DL3015",)
    safety = Safety.UNSAFE

    def check(self, model):
        runs = list(model.shell_runs())
        for n, (ins, script) in enumerate(runs):
            installs = [(c, w) for c, w in ((c, _verb("apt", "install", c)) for c in script.commands
                                            if not _decides_recommends(c)) if w]
            if not installs:
                continue
            if script.has_errors:
                yield Skip("apt-get install stays as written: the shell parser could not read this RUN", ins)
                continue
            later = _later_commands(model, runs, n)
            edits = [(w.end, w.end, " --no-install-recommends") for _, w in installs]
            named: list[str] = []
            reasons: list[str] = []
            declined = None
            for command, word in installs:
                packages = _packages(command, word)
                after = [c for c in script.commands if c.start > command.end] + later
                add, why, declined = _needed(model, ins, runs, n, script, packages, after, named)
                if declined:
                    break
                if add:
                    edits.append((command.words[-1].end, command.words[-1].end, "".join(f" {p}" for p in add)))
                    named += add
                    reasons += why
            if declined:
                yield Skip(f"apt-get install stays as written: {declined}", ins)
                continue
            code = model.edited_run(ins, edits)
            if code is None:
                yield Skip("apt-get install stays as written: the RUN is laid out in a way this rule cannot edit", ins)
                continue
            message = "apt-get install --no-install-recommends leaves out packages that are only recommended; "
            if named:
                message += (f"{', '.join(named)} {'is' if len(named) == 1 else 'are'} named in the install instead "
                            f"({'; '.join(reasons)}); name any other the application needs")
            else:
                message += "name any the application needs"
            yield Fix(ins, message, Safety.UNSAFE, (Replace(ins, code, verbatim=True),))


@lru_cache(maxsize=1)
def _table() -> dict:
    return tomllib.loads(DATA.read_text(encoding="utf-8"))


def _packages(command, word) -> list[str]:
    """The package names an `apt-get install` names (versions, architectures and releases cut off)."""
    words = command.words
    i = words.index(word) + 1
    names = []
    takes_value = TAKES_VALUE["apt"]
    while i < len(words):
        value = words[i].value
        if value is not None and value.startswith("-"):
            i += 2 if value in takes_value else 1
            continue
        if value is not None:
            names.append(re.split(r"[=:/]", value, maxsplit=1)[0])
        i += 1
    return names


def _later_commands(model, runs, n) -> list:
    """The commands of the RUNs after run `n` in its stage and in the stages built FROM it."""
    ins = runs[n][0]
    stage = model.stage_of(ins)
    if stage is None:
        return []
    commands = []
    for other, script in runs[n + 1:]:
        s = model.stage_of(other)
        if s is not None and any(c.index == stage.index for c in model.stage_chain(s)):
            commands += script.commands
    return commands


def _installed_before(model, runs, n, name: str) -> bool:
    """An earlier RUN of the stage (or of a stage it is built FROM) installs `name`."""
    stage = model.stage_of(runs[n][0])
    chain = {s.index for s in model.stage_chain(stage)} if stage is not None else set()
    for other, script in runs[:n]:
        s = model.stage_of(other)
        if s is None or s.index not in chain:
            continue
        for command in script.commands:
            word = _verb("apt", "install", command)
            if word is not None and name in _packages(command, word):
                return True
    return False


def _base_ships_ca(model, ins) -> tuple[bool | None, str]:
    stage = model.stage_of(ins)
    if stage is None:
        return None, "the base image"
    root = model.stage_chain(stage)[0]
    ref = model.base_image(root)
    return image_facts(ref).ca_certificates, ref.text


def _called(commands, names, words=()) -> str | None:
    """The first command of `commands` that runs one of `names` (or carries one of `words`)."""
    for c in commands:
        name = (c.name or "").rsplit("/", 1)[-1]
        if name in names:
            return name
        if words and any(v and any(w in v for w in words) for v in c.argv):
            return " ".join(v for v in c.argv[:3] if v)
    return None


def _needed(model, ins, runs, n, script, packages, after, named):
    """(packages to name, why each, decline reason) for one install's lost recommends."""
    table = _table()
    recommends, needed, depends = table["recommends"], table["needed"], table["depends"]
    installed = list(packages)
    for p in installed:
        installed += [d for d in depends.get(p, ()) if d not in installed]
    have = set(installed) | set(named)
    add: list[str] = []
    why: list[str] = []
    lost = {r: p for p in installed for r in recommends.get(p, ())}
    # recommends of what the build needs pull in their own recommends (cmake -> gcc -> libc6-dev)
    queue = list(lost)
    for rec in queue:
        for r in recommends.get(rec, ()):
            if r not in lost:
                lost[r] = rec
                queue.append(r)
    fetches = any(_HTTPS.search(v or "") for c in [*script.commands, *after] for v in c.argv)
    if ("ca-certificates" in lost or fetches) and "ca-certificates" not in have:
        ships, base = _base_ships_ca(model, ins)
        if not ships and not _installed_before(model, runs, n, "ca-certificates"):
            source = lost.get("ca-certificates")
            add.append("ca-certificates")
            why.append(f"{source} needs it for https and {base} does not ship it" if source and ships is False else
                       f"{source} needs it for https and {base} is not known to ship it" if source else
                       f"a RUN fetches an https:// address and {base} does not ship it" if ships is False else
                       f"a RUN fetches an https:// address and {base} is not known to ship it")
    calls: dict[tuple[str, str], list[str]] = {}
    for rec, source in lost.items():
        if rec == "ca-certificates" or rec in have:
            continue
        spec = needed.get(rec, {})
        package = spec.get("package", rec)
        if package in have or package in add or _installed_before(model, runs, n, package):
            continue
        for call in spec.get("decline-on", ()):
            program, _, sub = call.partition(" ")
            for c in after:
                argv = [v for v in c.argv if v]
                name = (c.name or "").rsplit("/", 1)[-1]
                if name == program and sub in argv[1:] or argv[:4] == ["python3", "-m", "pip", sub]:
                    wants = [r for r in recommends.get(source, ()) if r not in have]
                    return [], [], (f"{source} recommends {' and '.join(wants)}, which `{' '.join(argv[:2])}` "
                                    "may need to build a package from source, and the Dockerfile cannot show whether it does")
        called = _called(after, spec.get("commands", ()), spec.get("words", ()))
        if called:
            add.append(package)
            calls.setdefault((source, called), []).append(package)
    why += [f"{source} recommends {' and '.join(names)} and the build runs {called}"
            for (source, called), names in calls.items()]
    return add, why, None


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
