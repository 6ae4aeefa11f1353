"""Package managers as RUN commands call them: which subcommand, which cache mounts.

`apt-get -o X=y install -y curl` has the subcommand `install` after options,
some of which take a value; `subcommand` finds that word for apt, apk and pip
alike. `cache_mounts` reads the targets of a RUN's `--mount=type=cache` flags.
"""

from __future__ import annotations

import posixpath
import re

from ..syntax.tree import Instruction
from .shell import Command, Word

__all__ = ["APT", "subcommand", "verb", "apt_verb", "cache_mounts", "covers"]

APT = ("apt-get", "apt")

# options that take the next word as their value, per program
TAKES_VALUE = {
    "apt": frozenset({"-o", "--option", "-c", "--config-file", "-t", "--target-release", "--default-release",
                      "-a", "--host-architecture"}),
    "apk": frozenset({"-X", "--repository", "-p", "--root", "--arch", "--cache-dir", "--keys-dir",
                      "--repositories-file", "--wait", "--timeout", "--cache-max-age", "--progress-fd", "-t",
                      "--virtual"}),
    # pip's general options (before the subcommand) that read the next word
    "pip": frozenset({"--python", "--log", "--log-file", "--local-log", "--proxy", "--retries", "--timeout",
                      "--exists-action", "--trusted-host", "--cert", "--client-cert", "--cache-dir", "--use-feature",
                      "--use-deprecated", "--keyring-provider"}),
}
_PIP = re.compile(r"pip(3(\.\d+)?)?")
_PYTHON = re.compile(r"python(3(\.\d+)?)?")


def subcommand(command: Command, program: str) -> Word | None:
    """The subcommand word of an apt/apk/pip command (`install`, `add`, `update`…), else None.

    `program` is "apt" (apt-get and apt), "apk" or "pip" (pip, pip3, python -m pip).
    None also when a word before it comes from a variable: then nobody can tell.
    """
    name = command.name
    words = command.words
    if name is None:
        return None
    if program == "apt" and name in (*APT, "apt-cache"):
        i = 1
    elif program == "apk" and name == "apk":
        i = 1
    elif program == "pip" and _PIP.fullmatch(name):
        i = 1
    elif program == "pip" and _PYTHON.fullmatch(name) and [w.value for w in words[1:3]] == ["-m", "pip"]:
        i = 3
    else:
        return None
    takes_value = TAKES_VALUE[program]
    while i < len(words):
        value = words[i].value
        if value is None:
            return None
        if not value.startswith("-"):
            return words[i]
        i += 2 if value in takes_value else 1
    return None


def verb(program: str, name: str, command: Command) -> Word | None:
    """The subcommand word when it is `name` (`verb("apt", "install", c)`), else None."""
    word = subcommand(command, program)
    return word if word is not None and word.value == name else None


def apt_verb(command: Command) -> str | None:
    """`install` for `apt-get -y install curl`; None for other commands or when unknown."""
    word = subcommand(command, "apt")
    return word.value if word is not None else None


def cache_mounts(ins: Instruction) -> list[str]:
    """The (normalised) targets of the RUN's `--mount=type=cache,…` flags."""
    targets = []
    for flag in ins.flags:
        if flag.name != "mount" or not flag.value:
            continue
        fields = {k.strip().lower(): v for k, _, v in (part.partition("=") for part in flag.value.split(","))}
        target = fields.get("target") or fields.get("dst") or fields.get("destination")
        if fields.get("type") == "cache" and target:
            targets.append(posixpath.normpath(target))
    return targets


def covers(target: str, paths) -> bool:
    """A mount at `target` holds, or sits inside, one of `paths`."""
    return any(target == p or target.startswith(p + "/") or p.startswith(target + "/") for p in paths)
