from __future__ import annotations

from ...syntax.edits import Replace
from ...model.commands import has_flag, is_windows, rpm_verb
from ...model.packages import subcommand
from ..base import Fix, Rule, Safety, Skip


class InstallAssumeYes(Rule):
    """
    ## What it does
    Adds the switch that answers a package manager's prompt where a `RUN`
    installs without it: `-y` right after `install` for `apt-get` and `apt`,
    after `install`, `groupinstall` or `localinstall` for `yum`, `dnf` and
    `microdnf`, and zypper's global `-n` right after `zypper` for `install`,
    `remove`, `source-install` and `patch` (and their short names).

    ## Why
    A build has no one to answer "Do you want to continue? [Y/n]": apt-get,
    yum and dnf read the end of their input as "no" and stop, so the build
    fails as soon as an install pulls in a dependency the line does not name,
    which is only a matter of time with unpinned packages. hadolint reports the
    missing switch as DL3014 (apt-get), DL3030 (yum), DL3034 (zypper) and
    DL3038 (dnf).

    ## Example
    ```dockerfile
    FROM fedora:40
    RUN dnf install httpd && dnf clean all
    ```

    ## Use instead
    ```dockerfile
    FROM fedora:40
    RUN dnf install -y httpd && dnf clean all
    ```

    ## Fix safety
    Safe: where the build passed before, the package manager never asked, so
    answering yes changes nothing; where it asked, the build failed. The flag
    only answers the confirmation prompt: it allows no downgrades, removals of
    essential packages or unsigned packages. apt's `-qq` and `-q -q` already
    imply `-y` and are left alone, as are Windows stages and commands whose
    words before the subcommand come from variables.
    """

    code = "HY040"
    name = "install-assume-yes"
    title = "Answer the package manager's prompt with -y"
    rationale = "A build cannot answer an install's confirmation prompt, so an install without -y stops the build."
    resolves = ("DL3014", "DL3030", "DL3034", "DL3038")
    safety = Safety.SAFE

    def check(self, model):
        for ins, script in model.shell_runs():
            stage = model.stage_of(ins)
            if stage is None or is_windows(model, stage):
                continue
            edits = []
            for command in script.commands:
                edit = _missing_yes(command)
                if edit is not None:
                    edits.append(edit)
            if not edits:
                continue
            if script.has_errors:
                yield Skip("the install stays as written: the shell parser could not read this RUN", ins)
                continue
            code = model.edited_run(ins, [(at, at, text) for at, text, _ in edits])
            if code is None:
                yield Skip("the install stays as written: the RUN is laid out in a way this rule cannot edit", ins)
                continue
            shown = " and ".join(dict.fromkeys(name for _, _, name in edits))
            yield Fix(ins, f"{shown} answers its confirmation prompt itself: a build has no one to answer it",
                      Safety.SAFE, (Replace(ins, code, verbatim=True),))


_APT_INSTALL = ("install",)
_RPM_INSTALL = ("install", "groupinstall", "localinstall")
_ZYPPER = ("install", "in", "remove", "rm", "source-install", "si", "patch")


def _missing_yes(command) -> tuple[int, str, str] | None:
    """(offset, text to insert, what it reads) where the command installs without answering yes."""
    word = subcommand(command, "apt")
    if word is not None and command.name in ("apt-get", "apt") and word.value in _APT_INSTALL:
        if has_flag(command, "y", ("yes", "assume-yes")) or _quiet_twice(command):
            return None
        return word.end, " -y", f"{command.name} install -y"
    found = rpm_verb(command)
    if found is None:
        return None
    program, word = found
    if program == "zypper":
        if word.value not in _ZYPPER or has_flag(command, "ny", ("non-interactive", "no-confirm")):
            return None
        name = command.words[0]
        return name.end, " -n", "zypper -n"
    if word.value not in _RPM_INSTALL or has_flag(command, "y", ("assumeyes", "assume-yes")):
        return None
    return word.end, " -y", f"{program} {word.value} -y"


def _quiet_twice(command) -> bool:
    """`-qq`, `-q -q`, `-q=2` or `--quiet=2`: apt-get then assumes yes."""
    argv = [v for v in command.argv[1:] if v]
    if any(v in ("-qq", "-q=2", "--quiet=2") for v in argv):
        return True
    return sum(1 for v in argv if v in ("-q", "--quiet")) >= 2
