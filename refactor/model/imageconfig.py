"""The final image's configuration, as DESIGN.md defines what safe and review fixes keep.

Of the final stage (or the `--target` stage): ENTRYPOINT and CMD (a shell form
without shell syntax equals its exec form; otherwise it is
`["/bin/sh", "-c", …]`), the set of exposed ports (`80` = `80/tcp`), the
effective WORKDIR, every ENV key and value, VOLUMEs, STOPSIGNAL, SHELL and the
LABELs. Instructions inherited through `FROM <stage>` count too.
"""

from __future__ import annotations

import posixpath
import re
from dataclasses import dataclass, field

from ..syntax.tree import Dockerfile, Instruction, Stage

__all__ = ["ImageConfig", "image_config"]

# what makes `sh -c` do more than split words: expansions, quotes, operators, globs, braces,
# a comment, a leading assignment, or a first word that is a shell builtin or keyword
SHELL_SYNTAX = re.compile(
    r"""[$`'"\\|&;<>()*?\[\]~{}]|(?:^|\s)#|^\s*[A-Za-z_][A-Za-z0-9_]*=|^\s*$"""
    r"""|^\s*(?:exec|cd|export|set|unset|source|\.|eval|trap|ulimit|umask|alias|shift|wait|if|for|while|until|case|function|!)(?:\s|$)"""
)


@dataclass
class ImageConfig:
    entrypoint: tuple[str, ...] | None = None
    cmd: tuple[str, ...] | None = None
    ports: frozenset[str] = frozenset()
    workdir: str = "/"
    env: dict[str, str] = field(default_factory=dict)
    volumes: frozenset[str] = frozenset()
    stopsignal: str | None = None
    shell: tuple[str, ...] | None = None
    labels: dict[str, str] = field(default_factory=dict)
    user: str | None = None
    healthcheck: tuple[str, ...] | None = None

    def kept_by(self, other: "ImageConfig", *, allow_new_labels: bool = True, allow_path: bool = True) -> list[str]:
        """What `other` (the refactored image) changed of this one; empty when all is kept.

        Review fixes may add labels, a user, a health check and PATH entries: those
        are allowed here; everything else must be equal.
        """
        problems = []
        for name in ("entrypoint", "cmd", "ports", "workdir", "volumes", "stopsignal", "shell"):
            if getattr(self, name) != getattr(other, name):
                problems.append(f"{name}: {getattr(self, name)!r} -> {getattr(other, name)!r}")
        for k, v in self.env.items():
            ov = other.env.get(k)
            if k == "PATH" and allow_path and ov is not None and _path_extends(v, ov):
                continue
            if ov != v:
                problems.append(f"ENV {k}: {v!r} -> {ov!r}")
        for k, v in self.labels.items():
            if other.labels.get(k) != v:
                problems.append(f"LABEL {k}: {v!r} -> {other.labels.get(k)!r}")
        return problems


def _path_extends(old: str, new: str) -> bool:
    old_parts = old.split(":")
    new_parts = new.split(":")
    return all(p in new_parts for p in old_parts)


def image_config(df: Dockerfile, target: str | None = None) -> ImageConfig:
    stages = df.stages
    if not stages:
        return ImageConfig()
    stage = stages[-1]
    if target:
        stage = next((s for s in stages if s.name == target.lower()), stage)
    from . import Model

    args = Model(df).global_arg_values
    return _config_of(df, stage, set(), args)


def _config_of(df: Dockerfile, stage: Stage, seen: set[int], args: dict) -> ImageConfig:
    base = stage.base_name.lower()
    parent = next((s for s in df.stages[: stage.index] if s.name == base), None)
    if parent is not None and parent.index not in seen:
        seen.add(parent.index)
        cfg = _config_of(df, parent, seen, args)
        cfg = ImageConfig(**{k: (dict(v) if isinstance(v, dict) else v) for k, v in cfg.__dict__.items()})
    else:
        cfg = ImageConfig(workdir=_base_workdir(stage.base_name, args))
    shell = cfg.shell or ("/bin/sh", "-c")
    for ins in stage.instructions[1:]:
        kw = ins.keyword
        if kw == "CMD":
            cfg.cmd = _command(ins, shell)
        elif kw == "ENTRYPOINT":
            cfg.entrypoint = _command(ins, shell)
            cfg.cmd = None  # Docker resets CMD when ENTRYPOINT is set in the same image
        elif kw == "EXPOSE":
            cfg.ports = cfg.ports | frozenset(_port(p) for p in ins.arguments)
        elif kw == "WORKDIR":
            path = _expand(_unquote(ins.arguments[0]), cfg.env) if ins.arguments else "/"  # Docker removes quotes
            cfg.workdir = posixpath.normpath(posixpath.join(cfg.workdir, path))
        elif kw == "ENV":
            for k, v in ins.pairs:
                cfg.env[k] = _expand(_unquote(v), cfg.env)
        elif kw == "VOLUME":
            cfg.volumes = cfg.volumes | frozenset(ins.arguments)
        elif kw == "STOPSIGNAL":
            cfg.stopsignal = ins.arguments[0] if ins.arguments else None
        elif kw == "SHELL":
            cfg.shell = tuple(ins.arguments)
            shell = cfg.shell
        elif kw == "LABEL":
            for k, v in ins.pairs:
                cfg.labels[_unquote(k)] = _unquote(v)
        elif kw == "USER":
            cfg.user = ins.arguments[0] if ins.arguments else None
        elif kw == "HEALTHCHECK":
            cfg.healthcheck = tuple(ins.arguments)
    return cfg


def _base_workdir(base: str, args: dict) -> str:
    """The WORKDIR a base image sets, where refactor knows it; `/` otherwise."""
    from ..syntax.image import ImageRef, substitute
    from .images import image_facts

    if "$" in base:
        base = substitute(base, args)
    if "$" in base:
        return "/"
    return image_facts(ImageRef.parse(base)).workdir or "/"


def _command(ins: Instruction, shell: tuple[str, ...]) -> tuple[str, ...]:
    if ins.is_exec_form:
        argv = tuple(ins.arguments)
        # the shell form written out (`["/bin/sh", "-c", "prog a"]`) is the shell form `prog a`
        if len(argv) == len(shell) + 1 and argv[:-1] == shell and not SHELL_SYNTAX.search(argv[-1]):
            return tuple(argv[-1].split())
        return argv
    text = ins.arguments[0] if ins.arguments else ""
    if not SHELL_SYNTAX.search(text):
        return tuple(text.split())
    return (*shell, text)


def _port(p: str) -> str:
    if "/" not in p:
        return f"{p}/tcp"
    port, _, proto = p.rpartition("/")
    return f"{port}/{proto.lower()}"  # Docker records the protocol in lower case


def _unquote(v: str) -> str:
    if len(v) >= 2 and v[0] == v[-1] and v[0] in "\"'":
        inner = v[1:-1]
        return inner.replace('\\"', '"') if v[0] == '"' else inner
    return v.replace("\\ ", " ")


_VAR = re.compile(r"\$(?:\{([A-Za-z_][A-Za-z0-9_]*)\}|([A-Za-z_][A-Za-z0-9_]*))")


def _expand(value: str, env: dict[str, str]) -> str:
    return _VAR.sub(lambda m: env.get(m.group(1) or m.group(2), m.group(0)), value)
