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

from .command import final_program
from .listening import Evidence, image_listener, listener
from .packages import apt_verb, subcommand

__all__ = ["ServicePort", "service_port", "available_tools"]

HTTP_PORTS = {80, 3000, 4000, 4567, 5000, 8000, 8080, 8081, 8082, 8888, 9292}
DEBUG_PORTS = {9229, 9230, 5858, 5005}  # node inspector, JDWP


@dataclass(frozen=True)
class ServicePort:
    port: int | None  # None: not a TCP service we can tell (a batch job, a unix socket)
    why: str  # where it came from, for messages
    http: bool  # known to speak HTTP
    problem: str | None = None  # why the port cannot be told although it is a service
    var: str | None = None  # the environment variable the program reads its port from at run time
    proxied: str | None = None  # why an HTTP status would be the upstream's (a reverse proxy on /)


def service_port(instructions, env: dict[str, str], model=None) -> ServicePort:
    """The port the final image's program listens on, from the evidence in the file and its context.

    In order: the command's flags, the framework's configuration (or the program's source), the
    framework's default (with `ENV PORT` where the program reads it), and `EXPOSE`; where they
    disagree, or the program is not known to listen, `problem` says why.
    """
    if model is None:
        model = _NoContext()  # only the command is read
    exposed = _exposed(instructions, env)
    program = final_program(model, instructions)
    if program is not None:
        found = listener(model, instructions, program, env)
    else:
        found = image_listener(model, instructions, _base_key(instructions))
    if found is None:
        if program is not None and program.script is not None and exposed:
            return ServicePort(None, "", False, f"EXPOSE {_ports(exposed)}, but {program.script} "
                               "could not be followed to the program it starts")
        if exposed and (program is not None or not _image_listens(model, instructions)):
            what = f"`{' '.join(program.argv)}`" if program is not None else "the base image's command"
            return ServicePort(None, "", False, f"EXPOSE {_ports(exposed)}, but {what} is not known to listen "
                               "in its default invocation")
        return ServicePort(None, "", False)
    if not found.listens:
        if exposed:
            return ServicePort(None, "", False, f"EXPOSE {_ports(exposed)}, but `{' '.join(program.argv)}` "
                               "is not known to listen in its default invocation")
        return ServicePort(None, "", False)
    if found.problem:
        return ServicePort(None, found.name, found.http, found.problem)
    if found.unix and not found.flags and not found.config:
        return ServicePort(None, f"{found.name} on a unix socket", found.http)
    evidence = found.flags + found.config
    if not evidence and found.default is not None:
        default = found.default
        if default.var and env.get(default.var, "").isdigit():
            default = Evidence(int(env[default.var]), default.var, f"ENV {default.var}={env[default.var]}")
        elif env.get("PORT", "").isdigit() and int(env["PORT"]) != default.port:
            return ServicePort(None, found.name, found.http,
                               f"ENV PORT={env['PORT']} is set, but {found.name} is not known to read it "
                               f"(its default is {default.port})")
        evidence = [default]
    if not evidence:
        return ServicePort(None, found.name, found.http, f"{found.name} listens, but no port is found")
    first = evidence[0]
    for other in evidence[1:]:
        if other.port != first.port:
            return ServicePort(None, found.name, found.http,
                               f"{_said(first)} but {_said(other)}")
    plain = [p for p in exposed if p not in DEBUG_PORTS] or exposed
    if plain and first.port not in plain:
        return ServicePort(None, found.name, found.http, f"{_said(first)} but EXPOSE {_ports(plain)}")
    why = f"{found.name}, port from {first.where}"
    return ServicePort(first.port, why, found.http or first.port in HTTP_PORTS, None, first.var, found.proxied)


def _said(evidence) -> str:
    verb = "reads" if evidence.var else "binds"
    if evidence.var:
        return f"{evidence.where} reads ${evidence.var} (so {evidence.port})"
    return f"{evidence.where} {verb} {evidence.port}"


def _ports(ports) -> str:
    return " ".join(str(p) for p in ports)


def _exposed(instructions, env) -> list[int]:
    out = []
    for ins in instructions:
        if ins.keyword == "EXPOSE":
            for p in ins.arguments:
                m = re.match(r"(\d+)(?:/tcp)?$", _expand(p, env))
                if m and int(m.group(1)) not in out:
                    out.append(int(m.group(1)))
    return out


def _image_listens(model, instructions) -> bool:
    return False


def _base_key(instructions) -> str | None:
    from ..syntax.image import ImageRef
    from .pins import image_key

    first = next((i for i in instructions if i.keyword == "FROM" and i.arguments), None)
    if first is None:
        return None
    words = [a for a in first.arguments if not a.startswith("--")]
    return image_key(ImageRef.parse(words[0])) if words else None


class _NoContext:
    def __init__(self) -> None:
        from .context import BuildContext

        self.context = BuildContext(None)


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
