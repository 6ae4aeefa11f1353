"""The builds that share one context, and what each reads from it: the ground CX001 and CX002 stand on.

A `.dockerignore` at the context's root serves every Dockerfile built with that context: the one
being refactored (as it now stands), the other Dockerfiles in the root folder, and those a compose
file in the root builds with it. Each local `COPY`/`ADD` source and `RUN --mount=type=bind` is a
`Source`: the paths it names (globs expanded against the context), the stage and the folder of the
image it lands in. A line may only exclude what no source names; a dependency or build-output folder
a source sends whole (`COPY . .`) only where the stage that receives it recreates it.
"""

from __future__ import annotations

import posixpath
import re
import tomllib
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from pathlib import Path

from ...model import Model
from ...model.context import IgnoreRules

__all__ = ["Build", "Entry", "Source", "builds_of", "entries", "data", "own_ignore_files", "walk"]

WALK_LIMIT = 4000  # files looked at per context, for `**/` lines and folder sources


@dataclass(frozen=True)
class Entry:
    line: str
    kind: str
    paths: tuple[str, ...]
    recreated: re.Pattern[str] | None = None
    requires: str | None = None
    unless: str | None = None
    present_counts: bool = True

    @property
    def anywhere(self) -> bool:
        return self.line.startswith("**/")

    @property
    def rules(self) -> IgnoreRules:
        return IgnoreRules.parse(self.line)


@lru_cache(maxsize=1)
def data() -> dict:
    return tomllib.loads(resources.files("refactor.data").joinpath("dockerignore.toml").read_text(encoding="utf-8"))


@lru_cache(maxsize=1)
def entries() -> tuple[Entry, ...]:
    return tuple(Entry(e["line"], e["kind"], tuple(e["paths"]), re.compile(e["recreated"]) if "recreated" in e else None,
                       e.get("requires"), e.get("unless"), e.get("present-counts", True)) for e in data()["entry"])


@dataclass
class Source:
    instruction: object
    stage: object
    clean: str  # "." for the whole context
    matches: tuple[str, ...]  # the context paths it names (a glob's matches; itself when nothing matched)
    dest: str | None  # the image folder the source's contents land in (None: unknown)
    folder: bool  # a folder (or the context): what lies below it is sent too


@dataclass
class Build:
    name: str  # the Dockerfile, as messages name it
    model: Model
    sources: list[Source] = field(default_factory=list)
    unknown: str | None = None  # why a source cannot be resolved: nothing may be excluded then
    current: bool = False  # the Dockerfile being refactored: its lines are named by their text, as the
    # numbers of the file as it now stands are not those of the input

    def where(self, ins) -> str:
        """An instruction as a message names it: `COPY . .` in this file, `Dockerfile.dev line 4` in another."""
        if not self.current:
            return f"{self.name} line {ins.start_line}"
        first = ins.own_code.strip().splitlines()[0].rstrip("\\ ").strip()
        return f"`{first if len(first) <= 48 else first[:47] + '…'}`"


def own_ignore_files(model) -> list[str]:
    """`.dockerignore` files that already decide for this context: the root one, `<Dockerfile>.dockerignore`."""
    ctx = model.context
    found = []
    if (ctx.root / ".dockerignore").is_file():
        found.append(".dockerignore")
    from ...model.files import is_dockerfile_name

    names = [p.name for p in ctx.root.iterdir() if p.name.endswith(".dockerignore") and p.name != ".dockerignore"
             and is_dockerfile_name(p.name.removesuffix(".dockerignore"))] if ctx.root.is_dir() else []
    found += sorted(names)
    path = model.df.path
    if path and Path(path + ".dockerignore").is_file() and Path(path).name + ".dockerignore" not in names:
        found.append(Path(path).name + ".dockerignore")
    return found


def builds_of(model) -> tuple[list[Build], str | None]:
    """This build and the others that use its context; or a reason why one of them cannot be read."""
    from ...model.files import compose_contexts as _compose_contexts, is_dockerfile_name
    from ...syntax.errors import ParseError
    from ...syntax.parser import parse

    ctx = model.context
    this = Path(model.df.path).resolve() if model.df.path and model.df.path != "-" else None
    builds = [_build(_name(model.df.path, ctx.root), model)]
    builds[0].current = True
    others: dict[str, None] = {}
    for p in sorted(ctx.root.iterdir()):
        if p.is_file() and is_dockerfile_name(p.name):
            others[str(p.resolve())] = None
        elif p.is_file() and p.name in ("compose.yaml", "compose.yml", "docker-compose.yaml", "docker-compose.yml"):
            for dockerfile, root in _compose_contexts(p).items():
                if Path(root) == ctx.root:
                    others[dockerfile] = None
    for other in others:
        if this is not None and Path(other) == this:
            continue
        name = _name(other, ctx.root)
        try:
            text = Path(other).read_bytes().decode("utf-8")
            df = parse(text, path=other)
        except FileNotFoundError:
            continue
        except (OSError, UnicodeDecodeError, ParseError):
            return builds, f"{name}, which is built with the same context, cannot be read"
        builds.append(_build(name, Model(df, ctx, model.options)))
    return builds, None


def _name(path: str | None, root: Path) -> str:
    """A Dockerfile as messages name it: relative to the context's root where it is below it."""
    if not path or path == "-":
        return "Dockerfile"
    try:
        return Path(path).resolve().relative_to(root).as_posix()
    except ValueError:
        return path


def _build(name: str, model: Model) -> Build:
    build = Build(name, model)
    ctx = model.context
    for stage in model.stages:
        workdir = "/"
        env: dict[str, str] = {}
        for ins in stage.instructions:
            if ins.keyword == "ENV":
                env.update({k: v.strip("\"'") for k, v in ins.pairs})
            elif ins.keyword == "WORKDIR" and ins.arguments:
                workdir = posixpath.normpath(posixpath.join(workdir, ins.arguments[0]))
            elif ins.keyword in ("COPY", "ADD") and not ins.heredocs and ins.flag("from") is None and len(ins.arguments) >= 2:
                dest = ins.arguments[-1]
                dest_dir = None if "$" in dest else posixpath.normpath(posixpath.join(workdir, dest))
                for src in ins.arguments[:-1]:
                    if re.match(r"[a-z][a-z0-9+.-]*://|git@", src):
                        continue
                    _add(build, ins, stage, src, dest_dir)
            elif ins.keyword == "RUN":
                for f in ins.flags:
                    if f.name != "mount" or not f.value:
                        continue
                    opts = dict(o.partition("=")[::2] for o in f.value.split(","))
                    if opts.get("type", "bind") == "bind" and "from" not in opts:
                        _add(build, ins, stage, opts.get("source", opts.get("src", ".")), opts.get("target"))
    return build


def _add(build: Build, ins, stage, src: str, dest: str | None) -> None:
    ctx = build.model.context
    if "$" in src:
        build.unknown = build.unknown or f"{build.where(ins)}: the source {src} depends on a variable"
        return
    clean = posixpath.normpath(src.lstrip("/")) if src.strip("./") else "."
    if clean.startswith(".."):
        clean = "."
    if any(ch in clean for ch in "*?["):
        try:
            found = tuple(sorted(p.relative_to(ctx.root).as_posix() for p in ctx.root.glob(clean)))
        except (ValueError, NotImplementedError):
            build.unknown = build.unknown or f"{build.where(ins)}: the pattern {src} cannot be read"
            return
        for m in found or (clean,):
            build.sources.append(Source(ins, stage, m, (m,), dest, (ctx.root / m).is_dir()))
        return
    folder = clean == "." or (ctx.root / clean).is_dir()
    build.sources.append(Source(ins, stage, clean, (clean,), dest, folder))


def walk(root: Path, limit: int = WALK_LIMIT) -> list[str]:
    """Context paths (files and folders) below `root`, bounded, in a stable order, without descending
    into .git and dependency folders (their names are listed, not their contents)."""
    import os

    out: list[str] = []
    base = root
    for folder, dirs, files in os.walk(root):
        rel = Path(folder).relative_to(base).as_posix()
        prefix = "" if rel == "." else rel + "/"
        dirs.sort()
        files.sort()
        for d in dirs:
            out.append(prefix + d)
        out.extend(prefix + f for f in files)
        dirs[:] = [d for d in dirs if d not in (".git", "node_modules", ".venv", "venv", ".tox", "vendor", "target")]
        if len(out) >= limit:
            break
    return out[:limit]


def workdir_at(stage, ins) -> str:
    workdir = "/"
    for other in stage.instructions:
        if other is ins:
            break
        if other.keyword == "WORKDIR" and other.arguments:
            workdir = posixpath.normpath(posixpath.join(workdir, other.arguments[0]))
    return workdir


def recreating_run(model, source: Source, pattern: re.Pattern[str], *, before: bool = False):
    """The RUN of the source's stage chain that recreates a folder where the source lands, or None.

    With `before`, only a RUN earlier than the source counts (the copy then lands over what it made).
    """
    chain = model.stage_chain(source.stage)
    for stage in chain:
        for ins in stage.instructions:
            if stage is source.stage and ins is source.instruction:
                if before:
                    return None
                continue
            if ins.keyword != "RUN" or not ins.arguments:
                continue
            text = " ".join(ins.arguments)
            if not pattern.search(text):
                continue
            where = workdir_at(stage, ins)
            if source.dest is None or where == source.dest or re.search(rf"\bcd\s+{re.escape(source.dest)}/?(?:\s|$|;|&)", text):
                return ins
    return None


def stage_copy_before(source: Source, folders: tuple[str, ...]):
    """The `COPY --from=<stage>` before the source, in its stage, that places one of `folders` where the
    source lands (`COPY --from=build /app/.venv /app/.venv`, then `COPY . .`): the host's copy of that
    folder, sent by the source, would land over the build's own. None if there is none."""
    if source.dest is None:
        return None
    wanted = {posixpath.normpath(posixpath.join(source.dest, f)) for f in folders}
    for ins in source.stage.instructions:
        if ins is source.instruction:
            return None
        if ins.keyword == "COPY" and ins.flag("from") and len(ins.arguments) >= 2:
            if posixpath.normpath(ins.arguments[-1]) in wanted:
                return ins
    return None
