"""What the final image runs: its service port, whether that speaks HTTP, which tools it has.

Shared by the health-check and user rules. The port comes from the command
when it names one (`--bind 0.0.0.0:$PORT` with `ENV PORT=5000` is 5000), else
from `EXPOSE` (debugger ports last). Tools are the base image's (data) plus
packages the stages install, minus those they remove again (`apk del`,
`apt-get purge`, `--auto-remove` after `apt-mark auto`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .packages import apt_verb, subcommand

__all__ = ["ServicePort", "service_port", "available_tools"]

# known server commands: how they name their port, their default port, whether they speak HTTP
SERVERS = [
    ("gunicorn", re.compile(r"(?:-b|--bind)[ =](\S+)"), 8000),
    ("uvicorn", re.compile(r"--port[ =](\S+)"), 8000),
    ("hypercorn", re.compile(r"(?:-b|--bind)[ =](\S+)"), 8000),
    ("flask", re.compile(r"(?:-p|--port)[ =](\S+)"), 5000),
    ("http.server", re.compile(r"http\.server\s+(\S+)"), 8000),
    ("rails", re.compile(r"(?:-p|--port)[ =](\S+)"), 3000),
    ("puma", re.compile(r"(?:-p|--port)[ =](\S+)"), 9292),
]
HTTP_PORTS = {80, 3000, 4000, 5000, 8000, 8080, 8081, 8082, 8888}
DEBUG_PORTS = {9229, 9230, 5858, 5005}  # node inspector, JDWP


@dataclass(frozen=True)
class ServicePort:
    port: int | None  # None: not a TCP service we can tell (a batch job, a unix socket)
    why: str  # where it came from, for messages
    http: bool  # known to speak HTTP
    problem: str | None = None  # why the port cannot be told although it is a service


def service_port(instructions, env: dict[str, str]) -> ServicePort:
    commands = [i for i in instructions if i.keyword in ("CMD", "ENTRYPOINT")]
    text = _expand(" ".join(" ".join(i.arguments) for i in commands), env)
    exposed = []
    for ins in instructions:
        if ins.keyword == "EXPOSE":
            for p in ins.arguments:
                m = re.match(r"(\d+)(?:/tcp)?$", _expand(p, env))
                if m:
                    exposed.append(int(m.group(1)))
    for name, port_re, default in SERVERS:
        if re.search(rf"(^|[\s/]){re.escape(name)}(\s|$)", text):
            m = port_re.search(text)
            if m is None:
                return ServicePort(default, name, True)
            value = m.group(1)
            if value.startswith("unix:"):
                return ServicePort(None, f"{name} on a unix socket", True)
            pm = re.search(r"(\d+)$", value)
            if pm is None or "$" in value:
                return ServicePort(None, name, True, f"{name} listens on {value}, a port this file does not fix")
            return ServicePort(int(pm.group(1)), name, True)
    ordered = sorted(exposed, key=lambda p: p in DEBUG_PORTS)
    if ordered:
        port = ordered[0]
        return ServicePort(port, f"EXPOSE {port}", port in HTTP_PORTS)
    return ServicePort(None, "", False)


_VAR = re.compile(r"\$(?:\{([A-Za-z_][A-Za-z0-9_]*)\}|([A-Za-z_][A-Za-z0-9_]*))")


def _expand(text: str, env: dict[str, str]) -> str:
    return _VAR.sub(lambda m: env.get(m.group(1) or m.group(2), m.group(0)), text)


# package names that give a command
_PROVIDES = {"curl": "curl", "wget": "wget", "python3": "python3", "python": "python", "nodejs": "node",
             "bash": "bash", "netcat-openbsd": "nc", "busybox": "wget"}


def available_tools(model, instructions, base: set[str]) -> set[str]:
    """Commands the final image has: the base's, plus installed, minus removed again."""
    have = set(base)
    for ins in instructions:
        script = model.script(ins)
        if script is None:
            continue
        installed_here: set[str] = set()
        marks_all_auto = False
        for cmd in script.commands:
            words = [w for w in cmd.argv[1:] if w]
            if cmd.name in ("apt-get", "apt"):
                verb = apt_verb(cmd)
            elif cmd.name == "apk":
                word = subcommand(cmd, "apk")
                verb = word.value if word is not None else None
            else:
                verb = None
            if cmd.name == "apt-mark" and "auto" in words:
                marks_all_auto = True
            packages = {_PROVIDES[w] for w in words if w in _PROVIDES}
            if verb in ("install", "add"):
                have |= packages
                installed_here |= packages
            elif verb in ("purge", "remove", "del"):
                have -= packages
                if "--auto-remove" in words or "autoremove" in words:
                    if marks_all_auto:
                        have -= installed_here
            elif verb == "autoremove" and marks_all_auto:
                have -= installed_here
    return have
