"""What Docker's instruction layer rejects before a build starts.

BuildKit's parser accepts `FORM ubuntu` or `COPY onlyone`; its instruction
layer (`frontend/dockerfile/instructions/parse.go`) does not. We reject the
same lines with the same words, so that `refactor` never rewrites a file that
`docker build` would refuse anyway.
"""

from __future__ import annotations

import re

from .buildkit import BuildKitError, LineNode

_STAGE_NAME = re.compile(r"^[a-z][a-z0-9\-_.]*$")

# Flags each instruction accepts, with whether the flag takes a value.
_FLAGS: dict[str, dict[str, bool]] = {
    "add": {"chown": True, "chmod": True, "link": False, "keep-git-dir": False,
            "checksum": True, "unpack": False, "exclude": True},
    "copy": {"chown": True, "from": True, "chmod": True, "link": False,
             "exclude": True, "parents": False},
    "from": {"platform": True},
    "run": {"mount": True, "network": True, "security": True, "device": True},
    "healthcheck": {"interval": True, "timeout": True, "start-period": True,
                    "start-interval": True, "retries": True},
}

_ALL = ("add", "arg", "cmd", "copy", "entrypoint", "env", "expose", "from", "healthcheck",
        "label", "maintainer", "onbuild", "run", "shell", "stopsignal", "user", "volume", "workdir")


def validate(node: LineNode) -> None:
    """Raise BuildKitError with Docker's message if the instruction layer rejects `node`."""
    keyword = node.keyword.lower()
    if keyword == "":
        raise BuildKitError("unknown instruction: (a line continuation at the end of the file continues nothing)")
    if keyword not in _ALL:
        raise BuildKitError(f"unknown instruction: {node.keyword}")
    _check_flags(keyword, node.flags)
    args = _arguments(node)
    check = _CHECKS.get(keyword)
    if check is not None:
        check(node, args)


def _arguments(node: LineNode) -> list[str]:
    if node.keyword.lower() in ("env", "label"):
        return [v for i, v in enumerate(node.values) if i % 3 != 2]
    return node.values


def _check_flags(keyword: str, flags: list[str]) -> None:
    allowed = _FLAGS.get(keyword, {})
    used: set[str] = set()
    for flag in flags:
        if flag == "--":
            return
        if not flag.startswith("--"):
            raise BuildKitError(f"arg should start with -- : {flag}", flag)
        flag_name, has_value, value = flag.partition("=")
        name = flag_name[2:]
        if name not in allowed:
            raise BuildKitError(f"unknown flag: {flag_name}", flag_name)
        takes_value = allowed[name]
        if name in used and not _repeatable(keyword, name):
            raise BuildKitError(f"duplicate flag specified: {flag_name}", flag_name)
        used.add(name)
        if takes_value and not has_value:
            raise BuildKitError(f"missing a value on flag: {flag_name}", flag_name)
        if not takes_value:
            if has_value and value == "":
                raise BuildKitError(f"missing a value on flag: {flag_name}", flag_name)
            if value.lower() not in ("true", "false", ""):
                raise BuildKitError(f"expecting boolean value for flag {flag_name}, not: {value}", flag_name)
        check = _FLAG_VALUES.get((keyword, name))
        if check is not None and "$" not in value:
            check(flag_name, value)


def _repeatable(keyword: str, name: str) -> bool:
    return (keyword, name) in {("add", "exclude"), ("copy", "exclude"), ("run", "mount"), ("run", "device")}


_MOUNT_TYPES = {"bind", "cache", "tmpfs", "secret", "ssh"}
_SHARING = {"shared", "private", "locked"}
_MOUNT_BARE = {"ro", "readonly", "rw", "readwrite", "required"}
_DURATION = re.compile(r"[-+]?(?:(?:\d+\.?\d*|\.\d+)(?:ns|us|µs|μs|ms|s|m|h))+\Z")
_DURATION_PART = re.compile(r"(\d+\.?\d*|\.\d+)(ns|us|µs|μs|ms|s|m|h)")
_UNIT_SECONDS = {"ns": 1e-9, "us": 1e-6, "µs": 1e-6, "μs": 1e-6, "ms": 1e-3, "s": 1.0, "m": 60.0, "h": 3600.0}


def _check_mount(flag_name: str, value: str) -> None:
    """RUN --mount: the checks BuildKit makes before it builds (commands_runmount.go)."""
    for field in value.split(","):
        key, eq, val = field.partition("=")
        key = key.strip().lower()
        if not eq:
            if key not in _MOUNT_BARE:
                raise BuildKitError(f"invalid field '{field}' must be a key=value pair", field)
            continue
        if key == "type" and val.lower() not in _MOUNT_TYPES:
            raise BuildKitError(f'unsupported mount type "{val}"', val)
        if key == "sharing" and val.lower() not in _SHARING:
            raise BuildKitError(f'unsupported sharing value "{val}"', val)


def _check_duration(flag_name: str, value: str) -> None:
    """HEALTHCHECK --interval and friends: a Go duration, 0 or at least 1ms."""
    if value == "":
        return
    if value != "0" and not _DURATION.match(value):
        raise BuildKitError(f'time: invalid duration "{value}"', value)
    seconds = sum(float(n) * _UNIT_SECONDS[u] for n, u in _DURATION_PART.findall(value))
    if value.startswith("-"):
        seconds = -seconds
    if seconds != 0 and seconds < 1e-3:
        raise BuildKitError(f'Interval "{flag_name[2:]}" cannot be less than 1ms', value)


def _check_retries(flag_name: str, value: str) -> None:
    if value == "":
        return
    if not re.fullmatch(r"[-+]?\d+", value):
        raise BuildKitError(f'strconv.ParseInt: parsing "{value}": invalid syntax', value)
    if int(value) < 0:
        raise BuildKitError(f"--retries cannot be negative ({int(value)})", value)


_FLAG_VALUES = {
    ("run", "mount"): _check_mount,
    ("healthcheck", "interval"): _check_duration,
    ("healthcheck", "timeout"): _check_duration,
    ("healthcheck", "start-period"): _check_duration,
    ("healthcheck", "start-interval"): _check_duration,
    ("healthcheck", "retries"): _check_retries,
}


def _at_least_one(name: str):
    def check(node: LineNode, args: list[str]) -> None:
        if not args:
            raise BuildKitError(f"{name} requires at least one argument")
    return check


def _exactly_one(name: str):
    def check(node: LineNode, args: list[str]) -> None:
        if len(args) != 1:
            raise BuildKitError(f"{name} requires exactly one argument")
    return check


def _check_from(node: LineNode, args: list[str]) -> None:
    if not args:
        raise BuildKitError("FROM requires either one or three arguments")
    if len(args) == 3 and args[1].lower() == "as":
        if not _STAGE_NAME.match(args[2].lower()):
            raise BuildKitError(
                f'invalid name for build stage: "{args[2]}", name can\'t start with a number or contain symbols', args[2]
            )
    elif len(args) != 1:
        raise BuildKitError("FROM requires either one or three arguments")


def _check_sources_and_dest(name: str):
    def check(node: LineNode, args: list[str]) -> None:
        if len(args) < 2:
            raise BuildKitError(
                f"{name} requires at least two arguments, but only one was provided. "
                "Destination could not be determined"
            )
    return check


def _check_key_values(name: str):
    def check(node: LineNode, args: list[str]) -> None:
        if not args:
            raise BuildKitError(f"{name} requires at least one argument")
        if len(args) % 2 != 0:
            raise BuildKitError(f"Bad input to {name}, too many arguments")
        for key in args[0::2]:
            if key == "":
                raise BuildKitError(f"{name} names can not be blank")
    return check


def _check_arg(node: LineNode, args: list[str]) -> None:
    if not args:
        raise BuildKitError("ARG requires at least one argument")
    for arg in args:
        if arg.partition("=")[0] == "":
            raise BuildKitError("ARG names can not be blank")


def _check_onbuild(node: LineNode, args: list[str]) -> None:
    if node.sub is None:
        raise BuildKitError("ONBUILD requires at least one argument")
    trigger = node.sub.keyword.upper()
    if trigger == "ONBUILD":
        raise BuildKitError("Chaining ONBUILD via `ONBUILD ONBUILD` isn't allowed")
    if trigger in ("MAINTAINER", "FROM"):
        raise BuildKitError(f"{trigger} isn't allowed as an ONBUILD trigger")
    validate(node.sub)


def _check_healthcheck(node: LineNode, args: list[str]) -> None:
    if not args:
        raise BuildKitError("HEALTHCHECK requires at least one argument")
    typ = args[0].upper()
    if typ == "NONE":
        if len(args) > 1:
            raise BuildKitError("HEALTHCHECK NONE takes no arguments")
        return
    if typ != "CMD":
        raise BuildKitError(f'Unknown type "{args[0]}" in HEALTHCHECK (try CMD)')
    if len(args) < 2 or (not node.json and args[1] == ""):
        raise BuildKitError("Missing command after HEALTHCHECK CMD")


def _check_volume(node: LineNode, args: list[str]) -> None:
    if not args:
        raise BuildKitError("VOLUME requires at least one argument")
    for v in args:
        if v.strip() == "":
            raise BuildKitError("VOLUME specified can not be an empty string")


def _check_shell(node: LineNode, args: list[str]) -> None:
    if not args:
        raise BuildKitError("SHELL requires at least one argument")
    if not node.json:
        raise BuildKitError("SHELL requires the arguments to be in JSON form")


_CHECKS = {
    "from": _check_from,
    "env": _check_key_values("ENV"),
    "label": _check_key_values("LABEL"),
    "maintainer": _exactly_one("MAINTAINER"),
    "add": _check_sources_and_dest("ADD"),
    "copy": _check_sources_and_dest("COPY"),
    "onbuild": _check_onbuild,
    "workdir": _exactly_one("WORKDIR"),
    "healthcheck": _check_healthcheck,
    "expose": _at_least_one("EXPOSE"),
    "user": _exactly_one("USER"),
    "volume": _check_volume,
    "stopsignal": _exactly_one("STOPSIGNAL"),
    "arg": _check_arg,
    "shell": _check_shell,
}
