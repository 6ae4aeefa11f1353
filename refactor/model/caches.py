"""Package managers' download caches (refactor/data/caches.toml): which tool a command is, where its
cache lives for the user a step runs as, and which stages ship.

`tool_of(command)` names the tool of `pip install -r r.txt` (pip) or `go mod download` (go);
`step_user(model, stage, ins)` is the user a RUN runs as, with its home and numeric ids where the
file or the base image tells them; `cache_dirs(tool, env, user)` resolves the tool's folders for
that user; `shipping_stages(model)` are the stages whose files end up in the image.
"""

from __future__ import annotations

import posixpath
import re
import tomllib
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from .commands import rpm_verb
from .images import image_facts
from .packages import subcommand
from .pins import image_key
from .shell import Command

__all__ = ["Tool", "StepUser", "tools", "tool_of", "step_user", "environment", "cache_dirs", "shipping_stages"]

DATA = Path(__file__).resolve().parents[1] / "data" / "caches.toml"


@dataclass(frozen=True)
class Tool:
    name: str
    commands: tuple[tuple[str, ...], ...]
    dirs: tuple[tuple[str, ...], ...]  # per folder, its candidates (first known wins)
    holds: frozenset[int]  # folders that also hold installed dependencies
    locked: frozenset[int]  # folders mounted with sharing=locked
    flags: tuple[str, ...]  # flags the mount makes pointless
    cleanups: tuple[tuple[str, ...], ...]  # commands the mount makes pointless
    own_cache: tuple[str, ...]  # variables that mean the step chose its own cache
    removed: tuple[str, ...]  # folders whose `rm -rf` the mount makes pointless


@dataclass(frozen=True)
class StepUser:
    name: str  # "root" or the USER's name or number
    home: str | None  # None: not known
    uid: int | None = None  # None for root, or not known
    gid: int | None = None

    @property
    def is_root(self) -> bool:
        return self.name in ("root", "0")


@lru_cache(maxsize=1)
def _data() -> dict:
    return tomllib.loads(DATA.read_text(encoding="utf-8"))


@lru_cache(maxsize=1)
def tools() -> tuple[Tool, ...]:
    out = []
    for name, entry in _data()["tools"].items():
        out.append(Tool(
            name,
            tuple(tuple(c) for c in entry["commands"]),
            tuple(tuple(d) for d in entry["dirs"]),
            frozenset(entry.get("holds", ())),
            frozenset(entry.get("locked", ())),
            tuple(entry.get("flags", ())),
            tuple(tuple(c) for c in entry.get("cleanups", ())),
            tuple(entry.get("own_cache", ())),
            tuple(entry.get("removed", ())),
        ))
    return tuple(out)


_PIP = re.compile(r"pip(3(\.\d+)?)?")
_PYTHON = re.compile(r"python(3(\.\d+)?)?")


def tool_of(command: Command) -> Tool | None:
    """The tool whose cache the command fills, or None."""
    name = command.name
    if name is None:
        return None
    for tool in tools():
        for pattern in tool.commands:
            if _matches(command, name, pattern):
                return tool
    return None


def is_cleanup(command: Command, tool: Tool) -> bool:
    name = command.name
    return name is not None and any(_matches(command, name, p) for p in tool.cleanups)


def _matches(command: Command, name: str, pattern: tuple[str, ...]) -> bool:
    program = pattern[0]
    if program == "pip":
        word = subcommand(command, "pip")
        return word is not None and len(pattern) > 1 and word.value == pattern[1]
    if program in ("apt-get", "apt"):
        if name not in ("apt-get", "apt") or name != program:
            return False
        word = subcommand(command, "apt")
        return word is not None and word.value == pattern[1]
    if program == "apk":
        word = subcommand(command, "apk") if name == "apk" else None
        return word is not None and word.value == pattern[1]
    if program in ("dnf", "yum", "microdnf", "zypper"):
        found = rpm_verb(command) if name == program else None
        return found is not None and found[1].value == pattern[1]
    if name != program:
        return False
    words = [w.value for w in command.words[1:]]
    if any(w is None for w in words[: len(pattern)]):
        return False
    plain = [w for w in words if w is None or not w.startswith("-")]
    if len(pattern) == 1:
        # `yarn` alone installs; `yarn build` runs a script
        return program != "yarn" or not plain
    return plain[: len(pattern) - 1] == list(pattern[1:])


# --- whose home ---------------------------------------------------------------------------------

_CREATE = {"useradd": ("-d", "--home-dir", "-u", "--uid", "-g", "--gid"),
           "adduser": ("-h", "--home", "-u", "--uid", "-G", "--ingroup")}


def step_user(model, stage, ins) -> StepUser:
    """The user `ins` runs as: the last USER before it in the stage (or those it is built FROM)."""
    user = None
    for s in model.stage_chain(stage):
        for other in s.instructions:
            if other is ins:
                break
            if other.keyword == "USER" and other.arguments:
                user = other.arguments[0].strip()
    env = environment(model, stage, ins)
    if user is None:  # images that ship a user (node) still build as root until a USER says otherwise
        return StepUser("root", env.get("HOME") or "/root")
    name, _, group = user.partition(":")
    if name in ("root", "0") and group in ("", "root", "0"):
        return StepUser("root", env.get("HOME") or "/root")
    if "$" in user:
        return StepUser(user, None)
    home, uid, gid = _created(model, stage, ins, name)
    if uid is None:
        facts = image_facts(model.base_image(model.stage_chain(stage)[0]))
        if facts.user and facts.uid and name in (facts.user, facts.uid.partition(":")[0]):
            uid, _, g = facts.uid.partition(":")
            uid, gid = int(uid), int(g or uid)
            home = home or f"/home/{facts.user}"
    if name.isdigit():
        uid = int(name)
    if group.isdigit():
        gid = int(group)
    elif group and gid is not None and group != name:
        gid = None  # a named group whose number the file does not say
    if uid is not None and gid is None and not group:
        gid = uid if home else None
    return StepUser(name, env.get("HOME") or home, uid, gid)


def _created(model, stage, ins, name: str):
    """(home, uid, gid) of a useradd/adduser of `name` in an earlier RUN, where the file says them."""
    from .shell import parse_script

    found = (None, None, None)
    for s in model.stage_chain(stage):
        for other in s.instructions:
            if other is ins:
                return found
            if other.keyword != "RUN" or other.is_exec_form or not other.arguments:
                continue
            for command in parse_script(other.arguments[0]).commands:
                if command.name not in _CREATE or not command.argv or command.argv[-1] != name:
                    continue
                home = f"/home/{name}"
                uid = gid = None
                argv = list(command.argv)
                for i, value in enumerate(argv[1:-1], start=1):
                    nxt = argv[i + 1] if i + 1 < len(argv) else None
                    if value in _CREATE[command.name][0:2] and nxt:
                        home = nxt
                    elif value in _CREATE[command.name][2:4] and nxt and nxt.isdigit():
                        uid = int(nxt)
                    elif value in _CREATE[command.name][4:6] and nxt and nxt.isdigit():
                        gid = int(nxt)
                if gid is None and uid is not None:
                    gid = _group_id(model, stage, ins, name)
                found = (home, uid, gid)
    return found


def _group_id(model, stage, ins, name: str) -> int | None:
    from .shell import parse_script

    for s in model.stage_chain(stage):
        for other in s.instructions:
            if other is ins:
                return None
            if other.keyword != "RUN" or other.is_exec_form or not other.arguments:
                continue
            for command in parse_script(other.arguments[0]).commands:
                argv = list(command.argv)
                if command.name in ("groupadd", "addgroup") and argv and argv[-1] == name:
                    for i, value in enumerate(argv[:-1]):
                        if value in ("-g", "--gid") and argv[i + 1] and argv[i + 1].isdigit():
                            return int(argv[i + 1])
    return None


# --- where the cache is -------------------------------------------------------------------------


def environment(model, stage, ins) -> dict[str, str]:
    """Variables in effect at `ins`: those the official base image sets, then ENV and ARG (with values)."""
    root = model.stage_chain(stage)[0]
    env: dict[str, str] = dict(_data().get("image_env", {}).get(image_key(model.base_image(root)), {}))
    for s in model.stage_chain(stage):
        for other in s.instructions:
            if other is ins:
                return env
            if other.keyword in ("ENV", "ARG"):
                for key, value in other.pairs:
                    if other.keyword == "ARG" and "=" not in next((a for a in other.arguments if a.startswith(key)), ""):
                        continue
                    env[key] = value.strip("\"'")
    return env


def cache_dirs(tool: Tool, env: dict[str, str], user: StepUser) -> list[str] | str:
    """The tool's cache folders for this user, or why they are not known."""
    out = []
    for candidates in tool.dirs:
        chosen = None
        for candidate in candidates:
            if candidate.startswith("^"):
                if not user.is_root:
                    continue
                candidate = candidate[1:]
            if candidate.startswith("$"):
                var, _, rest = candidate[1:].partition("/")
                value = env.get(var)
                if value is None:
                    continue
                if "$" in value or not value.startswith("/"):
                    return f"${var} is {value}, a folder this rule does not resolve"
                chosen = posixpath.join(value, rest) if rest else value
                break
            if candidate.startswith("~"):
                if user.home is None:
                    return f"the home of USER {user.name} is not known"
                if "$" in user.home:
                    return f"the home of USER {user.name} ({user.home}) is not known"
                chosen = user.home.rstrip("/") + candidate[1:]
                break
            chosen = candidate
            break
        if chosen is None:
            return f"where {tool.name} keeps its cache depends on a variable the file does not set"
        out.append(posixpath.normpath(chosen))
    return out


def shipping_stages(model) -> set[int]:
    """Indexes of the stages whose files the image keeps: the final stage, those it is built FROM,
    and stages it (or they) copy the root or /etc from."""
    final = model.final_stage
    if final is None:
        return set()
    keep = {s.index for s in model.stage_chain(final)}
    changed = True
    while changed:
        changed = False
        for s in model.stages:
            if s.index not in keep:
                continue
            for ins in s.instructions:
                source = ins.flag("from") if ins.keyword == "COPY" else None
                if not source:
                    continue
                other = next((o for o in model.stages if o.name == source.lower() or str(o.index) == source), None)
                if other is None or other.index in keep:
                    continue
                paths = ins.arguments[:-1]
                if any(posixpath.normpath(p) in ("/", "/etc", "/etc/apt") or p.startswith("/etc/apt") for p in paths):
                    for c in model.stage_chain(other):
                        keep.add(c.index)
                    changed = True
    return keep
