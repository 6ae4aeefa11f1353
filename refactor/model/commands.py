"""Commands of a RUN as hadolint's mechanical rules read them: flags, package managers, the stage's shell.

`has_flag` reads flags the way hadolint's `Shell.hasAnyFlag` does (`-yq` holds
`-y` and `-q`; `--yes=…` is `--yes`), so that a fix adds a flag exactly where
the linter misses one. `rpm_verb` finds the subcommand of yum, dnf, microdnf
and zypper past their global options. `is_windows` tells the stages whose
`RUN`s a Windows shell reads, which these rules leave alone.
"""

from __future__ import annotations

import re

from .shell import Command, Word

__all__ = ["has_flag", "rpm_verb", "is_windows", "appended_command", "top_level", "RPM_MANAGERS"]

RPM_MANAGERS = ("yum", "dnf", "microdnf", "zypper")

# global options of these programs that read the next word as their value
_TAKES_VALUE = {
    "yum": frozenset({"-c", "--config", "-d", "--debuglevel", "-e", "--errorlevel", "--installroot",
                      "--enablerepo", "--disablerepo", "-x", "--exclude", "--releasever", "--setopt",
                      "--rpmverbosity", "-R", "--randomwait", "--color", "--downloaddir", "--disableplugin",
                      "--enableplugin"}),
    "dnf": frozenset({"-c", "--config", "-d", "--debuglevel", "-e", "--errorlevel", "--installroot",
                      "--enablerepo", "--disablerepo", "--repo", "--repoid", "-x", "--exclude", "--releasever",
                      "--setopt", "--rpmverbosity", "-R", "--randomwait", "--color", "--downloaddir",
                      "--disableplugin", "--enableplugin", "--destdir", "--forcearch", "--comment"}),
    "microdnf": frozenset({"--config", "--enablerepo", "--disablerepo", "--installroot", "--releasever",
                           "--setopt", "--setopt"}),
    "zypper": frozenset({"-c", "--config", "-R", "--root", "-D", "--reposd-dir", "-C", "--cache-dir",
                         "--raw-cache-dir", "--solv-cache-dir", "--pkg-cache-dir", "-p", "--plus-repo",
                         "--installroot"}),
}


def has_flag(command: Command, short: str = "", long: tuple[str, ...] = ()) -> bool:
    """The command carries one of the short flags (letters of `short`) or long ones (names without `--`)."""
    for value in command.argv[1:]:
        if value is None or not value.startswith("-") or value == "-":
            continue
        if value.startswith("--"):
            if value[2:].partition("=")[0] in long:
                return True
        elif any(ch in short for ch in value[1:].partition("=")[0]):
            return True
    return False


def rpm_verb(command: Command) -> tuple[str, Word] | None:
    """(program, subcommand word) of a yum/dnf/microdnf/zypper command; None for others or when unknown."""
    name = command.name
    if name not in RPM_MANAGERS:
        return None
    takes_value = _TAKES_VALUE[name]
    words = command.words
    i = 1
    while i < len(words):
        value = words[i].value
        if value is None:
            return None
        if not value.startswith("-"):
            return name, words[i]
        i += 2 if value in takes_value else 1
    return None


_WINDOWS_IMAGE = re.compile(r"(^|[/:-])(windows|nanoserver|servercore)([/:@-]|$)|windowsservercore|powershell", re.I)


def is_windows(model, stage) -> bool:
    """The stage (or one it is built FROM) runs on Windows, or sets a PowerShell or cmd SHELL."""
    for s in model.stage_chain(stage):
        if "windows" in (s.platform or "").lower() or _WINDOWS_IMAGE.search(s.base_name):
            return True
        for ins in s.instructions:
            if ins.keyword == "SHELL" and ins.arguments and re.search(r"(pwsh|powershell|cmd)(\.exe)?$",
                                                                        ins.arguments[0], re.I):
                return True
    return False


def top_level(script) -> list[Command]:
    """The commands of the script outside if/for/subshells and command substitutions."""
    return [c for c in script.commands if not c.nested]


def appended_command(script) -> int | None:
    """Where ` && more` can follow the script so that it runs after everything and only if all went well.

    The offset of the end of the last top-level command when the script has
    no control flow, nothing but blanks follows that command and nothing runs
    in the background: `a; b && more` and `a || b && more` run `more` when the
    script as a whole succeeded, as `&&` groups from the left. None otherwise
    (a trailing `;`, `&` or comment, if/for/while, a parse error).
    """
    if not script.is_simple_chain or script.background:
        return None
    commands = top_level(script)
    if not commands or any(c.connector == "&" for c in commands):
        return None
    last = commands[-1]
    if script.text[last.end:].strip(" \t\r\n"):
        return None
    return last.end


def distro_family(model, stage) -> tuple[str | None, str]:
    """(family, how we know) of the stage's base: from the image table, else from the package manager the
    stage's RUNs call (apt-get: debian, apk: alpine, yum/dnf: rhel, zypper: suse); None when neither tells."""
    from .images import image_facts

    root = model.stage_chain(stage)[0]
    ref = model.base_image(root)
    facts = image_facts(ref)
    if facts.family is not None:
        return facts.family, ref.text or root.base_name
    for s in model.stage_chain(stage):
        for ins in s.instructions:
            script = model.script(ins)
            if script is None or ins.heredocs:
                continue
            for command in script.commands:
                family = _MANAGER_FAMILY.get(command.name or "")
                if family:
                    return family, f"`{command.name}` at line {ins.start_line}"
    return None, ref.text or root.base_name


_MANAGER_FAMILY = {"apt-get": "debian", "apt": "debian", "dpkg": "debian", "apk": "alpine", "yum": "rhel",
                   "dnf": "rhel", "microdnf": "rhel", "zypper": "suse"}


def installed_packages(model, stage, until) -> set[str]:
    """Package names the RUNs of the stage (and the stages it is built FROM) install before `until` (included)."""
    from .packages import subcommand

    names: set[str] = set()
    for s in model.stage_chain(stage):
        for ins in s.instructions:
            script = model.script(ins)
            if script is not None and not ins.heredocs:
                for command in script.commands:
                    word = None
                    if command.name in ("apt-get", "apt"):
                        word = subcommand(command, "apt")
                        word = word if word is not None and word.value == "install" else None
                    elif command.name == "apk":
                        word = subcommand(command, "apk")
                        word = word if word is not None and word.value == "add" else None
                    else:
                        found = rpm_verb(command)
                        if found and found[1].value in ("install", "in"):
                            word = found[1]
                    if word is None:
                        continue
                    after = [w.value for w in command.words if w.start > word.start]
                    names |= {re.split(r"[=<>:]", v, maxsplit=1)[0] for v in after if v and not v.startswith("-")}
            if ins is until:
                return names
    return names
