"""What the multi-stage rules (MS…) share: reading a single-stage build, and writing its runtime stage.

`read_build(model)` decides whether the one stage of a Dockerfile can be split
and says what each of its instructions does: system packages installed,
dependency installs and build steps (the builder keeps them), users created,
configuration (which moves to the runtime stage), and where the source lands.
An ecosystem rule then names the runtime image and the paths to copy;
`split_fix` writes the edits: the original stage becomes the builder
(`FROM … AS build`, its steps byte for byte), and a runtime stage is appended
that re-declares the ARGs and ENVs, installs the runtime libraries, copies the
artifacts to the same absolute paths, and ends with the original
configuration, moved verbatim.
"""

from __future__ import annotations

import posixpath
import re
import shlex
import tomllib
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from ..engine.edits import InsertAfter, Remove, Replace
from ..model.ecosystems import tool_setup
from ..model.images import image_facts
from ..syntax.image import ImageRef
from .base import Fix, Rule, Safety, Skip

__all__ = ["Build", "Copy", "SplitRule", "read_build", "runtime_data", "split_fix", "BUILDER"]

DATA = Path(__file__).resolve().parents[1] / "data" / "runtime.toml"
BUILDER = "build"

# instructions that only configure the image: they move to the runtime stage
_CONFIG = {"EXPOSE", "CMD", "ENTRYPOINT", "VOLUME", "STOPSIGNAL", "HEALTHCHECK", "LABEL", "MAINTAINER"}
# commands that change nothing outside the paths they name
_FILE_COMMANDS = {"mkdir", "chmod", "chown", "cp", "mv", "ln", "touch", "rm", "sed"}
_HARMLESS = {"echo", "true", "ls", "cat", "pwd", "printenv", "env", "which", "id", "whoami", "test", "[",
             "export", "set", "node", "python", "python3", "java", "go", "ruby", "php", "dotnet", "cargo",
             "rustc", "gcc", "g++", "cmake", "make", "npm", "npx"}
_USER_COMMANDS = {"useradd", "groupadd", "adduser", "addgroup", "usermod"}


@lru_cache(maxsize=1)
def runtime_data() -> dict:
    return tomllib.loads(DATA.read_text(encoding="utf-8"))


@dataclass
class Copy:
    """`COPY --from=build <path> <path>`: an artifact, at the same absolute path in the runtime."""

    path: str
    dest: str | None = None  # defaults to `path`
    chown: str | None = None


@dataclass
class Build:
    """The single stage, read for a split."""

    stage: object
    base: ImageRef
    family: str | None
    workdir_at: dict[int, str]  # id(instruction) -> the absolute WORKDIR it runs in
    workdir: str  # the effective WORKDIR at the end
    source_dirs: list[str]  # absolute destinations of COPY/ADD from the context
    sources: list  # (context folder, absolute destination) of copies of whole folders
    packages: list[str]  # system packages the stage installs (apt/apk), in order
    package_tool: str | None  # "apt" or "apk"
    runs: list  # (instruction, script) of every RUN
    commands: list  # (instruction, command) of every command of every RUN
    moves: list  # configuration instructions that move to the runtime stage
    carried: list  # ARG and ENV instructions re-declared in the runtime stage
    users: list  # RUNs that create users, repeated in the runtime stage (moved when after every build step)
    user: object | None  # the last USER instruction
    user_moves: bool  # that USER comes after every build step (it moves; otherwise it is repeated)
    chown: str | None  # owner given to the source folder by `chown -R`
    file_paths: list[str] = field(default_factory=list)  # absolute paths file commands touch
    entry: tuple[str, ...] = ()  # the final ENTRYPOINT + CMD words (exec form), () when shell form
    entry_shell: bool = False  # the command or entrypoint is in shell form
    moved_users: list = field(default_factory=list)  # user-creating RUNs after every build step
    no_recommends: bool = False  # the build's apt installs leave out recommended packages
    repin: str | None = None  # a floating tag the split pins alike in both stages: what the message says

    def last_step(self):
        """The last instruction that stays in the builder."""
        gone = {id(i) for i in self.moves} | ({id(self.user)} if self.user_moves else set()) | {id(u) for u in self.moved_users}
        return [i for i in self.stage.instructions if id(i) not in gone][-1]

    def last_build_step(self):
        """The last RUN, COPY or ADD: builder steps the split adds go after it."""
        steps = [i for i in self.stage.instructions if i.keyword in ("RUN", "COPY", "ADD") and id(i) not in {id(u) for u in self.users}]
        return steps[-1] if steps else None


def read_build(model) -> "Build | str | None":
    """The build as the split reads it; a reason (str) when it cannot be split; None: not one stage."""
    stages = model.stages
    if len(stages) != 1:
        return None
    stage = stages[0]
    base = model.base_image(stage)
    if "$" in stage.base_name:
        return "the base image is set by a build argument: a runtime stage would not follow it; split by hand"
    if "$" in base.text:
        return "the base image is named by a variable the split cannot resolve"
    if base.tag is None and base.digest is None or (base.tag or "").lower() == "latest":
        return f"the base image {base.text} has no version tag: pin it first (PN001), then the split keeps that version"
    facts = image_facts(base)
    workdir = facts.workdir
    workdir_at: dict[int, str] = {}
    source_dirs: list[str] = []
    sources: list = []
    packages: list[str] = []
    package_tool = None
    runs, commands, moves, carried, users = [], [], [], [], []
    user = None
    user_index = -1
    chown = None
    file_paths: list[str] = []
    env: dict[str, str] = {}
    last_build = -1
    for n, ins in enumerate(stage.instructions[1:], start=1):
        kw = ins.keyword
        workdir_at[id(ins)] = workdir
        if kw == "ONBUILD":
            return f"line {ins.start_line}: ONBUILD runs in images built FROM this one; a split would move it"
        if kw == "SHELL":
            return f"line {ins.start_line}: SHELL changes how every later step runs; split by hand"
        if kw == "ENV":
            for k, v in ins.pairs:
                env[k] = _expand(v.strip("\"'"), env)
        if kw == "WORKDIR":
            path = _expand(ins.arguments[0], env) if ins.arguments else ""
            if "$" in path or (workdir is None and not path.startswith("/")):
                return f"line {ins.start_line}: the WORKDIR cannot be resolved to an absolute path"
            workdir = posixpath.normpath(posixpath.join(workdir or "/", path))
        elif kw in ("COPY", "ADD"):
            if ins.flag("from") is not None:
                return f"line {ins.start_line}: it copies from another image already; split by hand"
            if ins.heredocs:
                return f"line {ins.start_line}: a COPY with a here-document; split by hand"
            args = list(ins.arguments)
            if kw == "ADD" and any(re.match(r"[a-z]+://|git@", a) for a in args[:-1]):
                return f"line {ins.start_line}: ADD fetches from the network; split by hand"
            dest = _expand(args[-1], env) if args else ""
            if "$" in dest or (workdir is None and not dest.startswith("/")):
                return f"line {ins.start_line}: the destination of the copy cannot be resolved"
            absolute = posixpath.normpath(posixpath.join(workdir or "/", dest))
            if absolute == "/":
                return f"line {ins.start_line}: the source is copied to /; split by hand"
            source_dirs.append(absolute)
            for src in args[:-1]:
                clean = posixpath.normpath(src.lstrip("/")) if src not in ("/", "./") else "."
                if clean == "." or model.context.known and (model.context.root / clean).is_dir():
                    sources.append((clean, absolute))
            last_build = n
        elif kw == "RUN":
            if workdir is None:
                return f"line {ins.start_line}: the directory the RUN works in is unknown (the base image's WORKDIR is not known); add a WORKDIR"
            if ins.is_exec_form or ins.heredocs:
                return f"line {ins.start_line}: a RUN in exec form or with a here-document; split by hand"
            script = model.script(ins)
            if script is None or not script.is_simple_chain or script.background:
                return f"line {ins.start_line}: shell constructs the split does not follow (control flow or a syntax it cannot read)"
            runs.append((ins, script))
            creates_user = False
            for cmd in script.commands:
                if cmd.name is None or any(a is None for a in cmd.argv[:1]):
                    return f"line {ins.start_line}: a command named by a variable; split by hand"
                commands.append((ins, cmd))
                kind = _system_packages(cmd, packages)
                if kind:
                    package_tool = package_tool or kind
                    continue
                if cmd.name in _USER_COMMANDS:
                    creates_user = True
                    continue
                if cmd.name == "chown" and len(cmd.argv) >= 3 and cmd.argv[1] in ("-R", "--recursive"):
                    target = posixpath.normpath(posixpath.join(workdir or "/", cmd.argv[-1] or ""))
                    if target in source_dirs or target == workdir:
                        chown = cmd.argv[2]
                        continue
                if cmd.name in _FILE_COMMANDS:
                    for arg in cmd.argv[1:]:
                        if arg and not arg.startswith("-") and ("/" in arg or arg in (".", "..")) and cmd.name != "sed":
                            file_paths.append(posixpath.normpath(posixpath.join(workdir or "/", arg)))
                        elif cmd.name == "sed" and arg and not arg.startswith("-") and "/" in arg and not arg.startswith("s"):
                            file_paths.append(posixpath.normpath(posixpath.join(workdir or "/", arg)))
            if creates_user:
                if any(c.name not in _USER_COMMANDS for c in script.commands):
                    return f"line {ins.start_line}: a RUN that creates a user and does more; split by hand"
                users.append(ins)
            else:
                last_build = n
        elif kw in _CONFIG:
            moves.append(ins)
        elif kw in ("ARG", "ENV"):
            carried.append(ins)
        elif kw == "USER":
            user, user_index = ins, n
    user_moves = user is not None and user_index > last_build
    index = {id(i): n for n, i in enumerate(stage.instructions)}
    moved_users = [u for u in users if index[id(u)] > last_build]
    entry: tuple[str, ...] = ()
    entry_shell = False
    for ins in moves:
        if ins.keyword in ("CMD", "ENTRYPOINT"):
            if ins.is_exec_form:
                entry = tuple(ins.arguments) if ins.keyword == "ENTRYPOINT" else entry + tuple(ins.arguments)
            else:
                entry_shell = True
                entry = tuple(shlex.split(ins.arguments[0])) if ins.arguments and _plain(ins.arguments[0]) else ()
    no_recommends = any(c.name in ("apt-get", "apt") and "--no-install-recommends" in c.argv for _, c in commands)
    return Build(stage, base, facts.family, workdir_at, workdir or "/", source_dirs, sources, _unique(packages), package_tool,
                 runs, commands, moves, carried, users, user, user_moves, chown, file_paths, entry, entry_shell,
                 moved_users=moved_users, no_recommends=no_recommends)


def _expand(value: str, env: dict[str, str]) -> str:
    from ..model.imageconfig import _expand as expand

    return expand(value, env)


def _plain(text: str) -> bool:
    try:
        shlex.split(text)
    except ValueError:
        return False
    return not re.search(r"[$`|&;<>()]", text)


def _unique(items):
    return list(dict.fromkeys(items))


def _system_packages(cmd, packages: list[str]) -> str | None:
    """'apt'/'apk' when the command is part of installing system packages (noting them), else None."""
    argv = [a or "" for a in cmd.argv]
    name = cmd.name
    if name in ("apt-get", "apt"):
        words = [a for a in argv[1:] if not a.startswith("-")]
        if words[:1] == ["install"]:
            packages.extend(re.split(r"[=:]", w)[0] for w in words[1:])
        elif words[:1] in (["purge"], ["remove"], ["autoremove"]):
            for w in words[1:]:
                if w in packages:
                    packages.remove(w)
        return "apt"
    if name == "apk":
        words = [a for a in argv[1:] if not a.startswith("-")]
        if words[:1] == ["add"]:
            virtual = "--virtual" in argv or "-t" in argv
            named = words[1:]
            if virtual and named:
                named = named[1:]  # the virtual package's name; its members are build-only by intent
                return "apk"
            packages.extend(re.split(r"[=<>~]", w)[0] for w in named)
        elif words[:1] == ["del"]:
            for w in words[1:]:
                if w in packages:
                    packages.remove(w)
        return "apk"
    if name == "rm" and all(a.startswith("-") or a.startswith(("/var/lib/apt/lists", "/var/cache/apt", "/var/cache/apk", "/tmp")) for a in argv[1:]):
        return "apt"
    return None


def runtime_packages(build: Build, suite: str | None, model=None) -> "tuple[list[str], str | None]":
    """The packages the runtime stage installs, by the one rule every MS rule follows.

    A package the build installs stays unless it is known to be build-only (runtime.toml
    `build-only`, `-dev`/`-devel` headers, which become their runtime library), or it is a
    tool (`run-time-tools`: git, curl, nodejs, …) that nothing at run time runs or that the
    runtime image already is. The second value is a reason to decline: a `-dev` package with
    no known runtime library.
    """
    keep, _, why = sort_packages(build, suite, model)
    return keep, why


def sort_packages(build: Build, suite: str | None, model=None) -> "tuple[list[str], list[tuple[str, str]], str | None]":
    """(kept, [(left behind, why)], reason to decline) for the build's system packages."""
    table = runtime_data()["packages"]
    build_only = set(table["build-only"])
    tools = set(table.get("run-time-tools", ()))
    mapping = table["runtime"]
    out: list[str] = []
    left: list[tuple[str, str]] = []
    own = _OWN_RUNTIME.get(build.base.path.rsplit("/", 1)[-1], ())
    for pkg in build.packages:
        if pkg in build_only:
            left.append((pkg, "build-only"))
            continue
        if pkg in tools:
            if pkg in own:
                left.append((pkg, f"the {build.base.path.rsplit('/', 1)[-1]} runtime image has its own"))
                continue
            caller = runs_at_run_time(model, build, pkg)
            if caller is None:
                left.append((pkg, "nothing at run time runs it"))
                continue
            out.append(pkg)
            continue
        if pkg.endswith("-dev") or pkg.endswith("-devel"):
            if pkg not in mapping:
                return [], left, f"no runtime library is known for {pkg} (refactor/data/runtime.toml): split by hand or add it"
            value = mapping[pkg]
            if isinstance(value, dict):
                if suite not in value:
                    return [], left, f"the runtime library of {pkg} depends on the Debian release, which the image tag does not name"
                value = value[suite]
            left.append((pkg, "build-only"))
            out.extend([value] if isinstance(value, str) else value)
            continue
        out.append(pkg)
    return _unique(out), left, None


def left_behind_note(build: Build, suite: str | None, model=None) -> str:
    """`left in the build stage: gcc, libpq-dev (build-only); curl (nothing at run time runs it)`, or ''."""
    _, left, _ = sort_packages(build, suite, model)
    if not left:
        return ""
    groups: dict[str, list[str]] = {}
    for pkg, why in left:
        groups.setdefault(why, []).append(pkg)
    return "left in the build stage: " + "; ".join(f"{', '.join(p)} ({why})" for why, p in groups.items())


# the packages a runtime image is itself (its own node, its own python)
_OWN_RUNTIME = {"node": ("nodejs", "npm"), "python": ("python3",)}
# the programs a tool package provides, as the command or the source would name them
_PROGRAMS = {"nodejs": ("node", "nodejs"), "npm": ("npm", "npx"), "python3": ("python3", "python"),
             "git": ("git",), "curl": ("curl",), "wget": ("wget",)}
_SOURCE_TEXTS = (".py", ".rb", ".js", ".mjs", ".cjs", ".ts", ".go", ".rs", ".php", ".java", ".kt", ".cs", ".c", ".cc", ".cpp", ".sh")


def runs_at_run_time(model, build: Build, package: str) -> str | None:
    """Where something at run time runs the program of `package` (`the command`, `entrypoint.sh:3`,
    `Gemfile.lock (execjs)`, `app/jobs.py:12`), or None when nothing is seen to."""
    names = _PROGRAMS.get(package, (package,))
    word = re.compile(r"(?<![\w./-])(?:" + "|".join(map(re.escape, names)) + r")(?![\w.-])")
    for ins in build.moves:
        if ins.keyword in ("CMD", "ENTRYPOINT", "HEALTHCHECK") and word.search(" ".join(ins.arguments)):
            return f"line {ins.start_line}"
    if model is None or not model.context.known:
        return "the build context, which is not known"  # in doubt, it stays
    ctx = model.context
    for rel in _entry_scripts(model, build):
        for n, line in enumerate((ctx.read_text(rel) or "").splitlines(), start=1):
            if word.search(line) and not line.lstrip().startswith("#"):
                return f"{rel}:{n}"
    if package == "nodejs":
        for rel in ("Gemfile.lock", "Gemfile"):
            text = ctx.read_text(rel) or ""
            if re.search(r"(?m)^\s*(?:gem\s+['\"])?(execjs|uglifier|coffee-script|autoprefixer-rails)\b", text):
                return f"{rel} (execjs runs node)"
    literal = re.compile(r"""["'](?:/usr/bin/|/usr/local/bin/)?(?:""" + "|".join(map(re.escape, names)) + r""")(?:["'\s])""")
    for src, dest in build.sources:
        root = ctx.root if src == "." else ctx.root / src
        for path in context_files(ctx, root, _SOURCE_TEXTS, 400):
            try:
                text = path.read_text(encoding="utf-8", errors="replace")
            except OSError:
                continue
            m = literal.search(text)
            if m:
                return f"{path.relative_to(ctx.root).as_posix()}:{text.count(chr(10), 0, m.start()) + 1}"
    return None


def _entry_scripts(model, build: Build) -> list[str]:
    """Context paths of the scripts the command runs (`./entrypoint.sh`, `bin/start`)."""
    out: list[str] = []
    words = list(build.entry)
    if not words:
        for ins in build.moves:
            if ins.keyword in ("CMD", "ENTRYPOINT") and ins.arguments and not ins.is_exec_form:
                words += re.findall(r"[\w./-]+", ins.arguments[0])
    for w in words:
        if not w or w.startswith("-") or "$" in w:
            continue
        absolute = posixpath.normpath(posixpath.join(build.workdir, w))
        for src, dest in build.sources:
            if not absolute.startswith(dest.rstrip("/") + "/"):
                continue
            rel = absolute[len(dest.rstrip("/")) + 1:]
            rel = rel if src == "." else f"{src}/{rel}"
            if model.context.exists(rel) and not (model.context.root / rel).is_dir() and rel not in out:
                out.append(rel)
    return out


def debian_suite(ref: ImageRef) -> str | None:
    """The Debian release a tag names (`3.11-bookworm`, `bookworm-slim`), if any."""
    tag = (ref.tag or "").lower()
    for suite in ("bullseye", "bookworm", "trixie", "forky"):
        if suite in tag:
            return suite
    if image_facts(ref).family == "debian" and ref.path in ("debian", "library/debian"):
        m = re.match(r"(\d+)", tag)
        if m:
            return {"11": "bullseye", "12": "bookworm", "13": "trixie"}.get(m.group(1))
    return None


def slim_variant(ref: ImageRef) -> str | None:
    """`python:3.11` -> `python:3.11-slim`, `node:20-bookworm` -> `node:20-bookworm-slim`; alpine stays."""
    tag = ref.tag or ""
    if "alpine" in tag or tag.endswith("slim") or "-slim-" in tag:
        return f"{ref.with_tag(tag).text}"
    for suffix in ("-bookworm", "-bullseye", "-trixie"):
        if tag.endswith(suffix):
            return ref.with_tag(f"{tag}-slim").text
    if re.fullmatch(r"[0-9][0-9.]*", tag):
        return ref.with_tag(f"{tag}-slim").text
    return None


_WHAT_BREAKS = {"python": "the virtual environment copied between them (its path names the minor version) would break",
                "ruby": "the gems copied between them (installed under ruby/<minor>.0) would not be found",
                "node": "native modules copied between them are built for one Node major version"}


def floating_tag(base: ImageRef, ecosystem: str) -> str | None:
    """Why a split on `base` declines: its tag may resolve to another language version than the runtime's.

    Python and Ruby need the same minor version in both stages (`python:3` does not say
    which); Node the same major (`node:lts`, `node:current`, a codename, do not). A split
    writes two FROM lines that are pulled apart and float apart.
    """
    tag = (base.tag or "").lower()
    version = tag.split("-", 1)[0]
    if base.digest:
        return None
    if ecosystem in ("python", "ruby"):
        if re.fullmatch(r"\d+\.\d+(\.\d+)?(rc\d*|b\d*|a\d*)?", version):
            return None
        what = "minor version"
    elif ecosystem == "node":
        if re.fullmatch(r"\d+(\.\d+){0,2}", version):
            return None
        what = "major version"
    else:
        return None
    name = {"python": "Python", "ruby": "Ruby", "node": "Node"}[ecosystem]
    return (f"the tag {base.text} floats: it and its slim variant may resolve to different {name} {what}s, and "
            f"{_WHAT_BREAKS[ecosystem]}")


def concrete_version(model, base: ImageRef, ecosystem: str) -> "tuple[ImageRef, str] | str":
    """The concrete tag for a floating one, as PN001 finds it (the project's version files, else the
    dated table), kept only where it is a version the floating tag names today; else why not."""
    from ..model.pins import image_key, load_pin_table
    from ..model.versions import declared_version

    tag = (base.tag or "").lower()
    version, _, variant = tag.partition("-")
    if not re.fullmatch(r"\d+", version):
        return f"which {ecosystem} version `{version}` names is not known"
    table = load_pin_table(model.options.pin_table)
    key = image_key(base)
    candidates = table.candidates(key, model.options.pin_date)
    found = declared_version(key, model.context, candidates)
    if found:
        chosen, source = found[0], found[1]
    else:
        chosen = table.current(key, model.options.pin_date)
        source = f"the table of current releases ({table.date})"
    if not chosen:
        return f"no current {key} release is known"
    number = chosen.split("-", 1)[0]
    if not re.fullmatch(r"\d+\.\d+(\.\d+)?", number) or number.split(".")[0] != version:
        return f"{source} names {key}:{chosen}, not a {version}.x release"
    return base.with_tag(number + (f"-{variant}" if variant else "")), source


_FULL_ONLY = ("curl", "wget", "git")  # in the full python, node and ruby images, not in -slim


def slim_runtime(model, build: Build, ecosystem: str, manifests: tuple[str, ...]) -> "tuple[str, list[str]] | str":
    """The slim variant of the build image and the packages it must install, or why not.

    Besides the runtime libraries of the build's own packages: those that packages named in
    the manifests built against (the full image carries their headers), and the tools the
    command or health check runs that only the full image has.
    """
    why = floating_tag(build.base, ecosystem)
    if why:
        pinned = concrete_version(model, build.base, ecosystem)
        if isinstance(pinned, str):
            return f"{why}; {pinned}: pin it by hand, then the split keeps it in both stages"
        new, source = pinned
        build.repin = f"{build.base.text} floats: pinned to {new.text} in both stages, from {source}"
        build.base = new
    runtime = slim_variant(build.base)
    if runtime is None:
        return f"no slim variant of {build.base.text} is known"
    packages, why = runtime_packages(build, debian_suite(build.base), model)
    if why:
        return why
    if not any(v in (build.base.tag or "") for v in ("slim", "alpine")):
        packages += [p for p in library_packages(model, ecosystem, manifests) if p not in packages]
        packages += [t for t in sorted(command_tools(build)) if t in _FULL_ONLY and t not in packages]
    return runtime, packages


def install_line(tool: str | None, packages: list[str], no_recommends: bool) -> str | None:
    """The runtime's package install; recommended packages are left out only where the build did so."""
    if not packages:
        return None
    names = " ".join(packages)
    if tool == "apk":
        return f"RUN apk add --no-cache {names}"
    option = "--no-install-recommends " if no_recommends else ""
    return (f"RUN apt-get update && apt-get install -y {option}{names} \\\n"
            f"    && rm -rf /var/lib/apt/lists/*")


class SplitRule(Rule):
    """Shared by the MS rules: which build each one owns, and the reasons it declines in common."""

    ecosystem: str
    images: tuple[str, ...] = ()  # the build images it splits, by the last part of their name
    safety = Safety.REVIEW
    reports_multistage = True  # one rule per base image says the file is already split

    def owns(self, model) -> bool:
        return model.base_image(model.stages[0]).path.rsplit("/", 1)[-1] in self.images

    def check(self, model):
        if not model.stages or not self.owns(model):
            return
        build = read_build(model)
        if build is None:
            if self.reports_multistage:
                yield Skip("already multi-stage: the stages are left as they are", model.stages[-1].from_instruction,
                           settled=True)
            return
        if isinstance(build, str):
            yield _skip(build, model.stages[0])
            return
        outcome = self.plan(model, build)
        if isinstance(outcome, str):
            yield _skip(outcome, build.stage)
        elif outcome is not None:
            yield outcome

    def plan(self, model, build: Build):  # pragma: no cover - interface
        raise NotImplementedError


def _skip(reason: str, stage) -> Skip:
    """A Skip reported at the instruction a reason names (`line 4: …`), else at the FROM."""
    m = re.match(r"line (\d+): ", reason)
    if m:
        line = int(m.group(1))
        for ins in stage.instructions:
            if ins.start_line == line:
                return Skip(reason[m.end():], ins)
    return Skip(reason, stage.from_instruction)


def split_fix(model, build: Build, *, runtime: str, copies: list[Copy], message: str, safety=Safety.REVIEW,
              builder_steps: list[str] = (), runtime_env: list[str] = (), runtime_packages: list[str] = (),
              runtime_steps: list[str] = (), dropped: tuple = (), runtime_workdir: str | None = None) -> Fix:
    """The edits of a split, as one fix: the stage becomes `build`, a runtime stage follows it."""
    style = model.style
    nl = style.newline
    frm = build.stage.from_instruction
    own = frm.own_code
    body = own.rstrip("\r\n")
    ending = own[len(body):] or nl
    if build.repin:
        raw = build.stage.base_name
        body = body.replace(raw, build.base.text, 1)
        message += f"; {build.repin}"
    edits = [Replace(frm, f"{body} {style.keyword('AS')} {BUILDER}{ending}", verbatim=True)]
    last = build.last_step()
    steps_end = build.last_build_step() or last
    moved = [m for m in build.moves] + ([build.user] if build.user_moves else []) + list(build.moved_users)
    for ins in moved:
        edits.append(Remove(ins))
    if builder_steps:
        edits.append(InsertAfter(steps_end, style.render("\n".join(builder_steps)) + nl, verbatim=True))
    platform = build.stage.platform
    lines = [f"FROM {'--platform=' + platform + ' ' if platform else ''}{runtime}"]
    new = [style.render("\n".join(lines)) + nl]
    install = install_line("apk" if build.family == "alpine" else build.package_tool, list(runtime_packages),
                           build.no_recommends)
    late = needs_install(build.carried) if install else []
    for ins in build.carried:
        if (ins.keyword == "ARG" or ins.keyword == "ENV") and all(ins is not x for x, _ in late):
            new.append(_verbatim(ins, nl))
    tail = []
    if runtime_packages and "installs" not in message:
        message += f", installing {', '.join(runtime_packages)}"
    note = left_behind_note(build, debian_suite(build.base), model)
    if note:
        message += f"; {note}"
    if install:
        tail.append(install)
    if late:
        message += (f"; {'the ENVs of lines' if len(late) > 1 else 'the ENV of line'} {', '.join(str(i.start_line) for i, _ in late)} "
                    f"{'follow' if len(late) > 1 else 'follows'} the runtime's package install ({'; '.join(w for _, w in late)})")
        new.append(style.render("\n".join(tail)) + nl)
        tail = []
        new.extend(_verbatim(ins, nl) for ins, _ in late)
    for ins in build.users:
        new_text = style.render("\n".join(tail)) + nl if tail else ""
        if new_text:
            new.append(new_text)
            tail = []
        new.append(_verbatim(ins, nl))
    tail.extend(runtime_steps)
    tail.append(f"WORKDIR {runtime_workdir or build.workdir}")
    tail.extend(runtime_env)
    for c in copies:
        chown = f"--chown={c.chown} " if c.chown else ""
        tail.append(f"COPY --from={BUILDER} {chown}{c.path} {c.dest or c.path}")
    new.append(style.render("\n".join(tail)) + nl)
    if build.user is not None:
        new.append(_verbatim(build.user, nl) if build.user_moves else _own(build.user, nl))
    gone = {id(i) for i in dropped}
    for ins in build.moves:
        if id(ins) not in gone:
            new.append(_verbatim(ins, nl))
    edits.append(InsertAfter(last, nl + "".join(new), verbatim=True))
    return Fix(frm, message, safety, tuple(edits))


# variables whose value is a file an installed package provides: set before the install, they
# point at nothing while it runs (LD_PRELOAD of a missing library warns in every command)
_FILE_VARIABLES = {"LD_PRELOAD", "LD_LIBRARY_PATH", "JAVA_HOME", "MAGICK_HOME", "GDAL_DATA", "PROJ_LIB",
                   "SSL_CERT_FILE", "REQUESTS_CA_BUNDLE", "CURL_CA_BUNDLE", "FONTCONFIG_PATH"}
_INSTALLED_PATH = re.compile(r"(?:^|[\s:=\"'])(?:/usr/(?:lib|share|libexec)/|/etc/(?:ssl|alternatives)/)|\blib[\w+-]*\.so\b")


def needs_install(carried: list) -> list:
    """The carried ENV (and ARG defaults) that name a file or library an install provides
    (`LD_PRELOAD=libjemalloc.so.2`, `JAVA_HOME=/usr/lib/jvm/…`), with those that use them:
    the runtime stage sets them after its package install, not before."""
    late: list = []  # (instruction, why)
    names: set[str] = set()
    for ins in carried:
        pairs = list(ins.pairs) if ins.keyword == "ENV" else []
        if ins.keyword == "ARG":
            pairs = [tuple(a.split("=", 1)) for a in ins.arguments if "=" in a]
        for k, v in pairs:
            value = v.strip("\"'")
            uses = any(re.search(rf"\$\{{?{re.escape(n)}\b", value) for n in names)
            if k in _FILE_VARIABLES and value or _INSTALLED_PATH.search(value) or uses:
                late.append((ins, f"{k} uses a variable set there" if uses else f"{k} names a file or library, which a package may provide"))
                names.update(k2 for k2, _ in pairs)
                break
    return late


def _verbatim(ins, nl: str) -> str:
    """The instruction with its comment lines, without the blank lines before them."""
    code = "".join(t.code for t in ins.leading if type(t).__name__ != "BlankLine") + ins.own_code
    return code if code.endswith("\n") else code + nl


def _own(ins, nl: str) -> str:
    code = ins.own_code
    return code if code.endswith("\n") else code + nl


def command_tools(build: Build) -> set[str]:
    """Programs the moved configuration runs (CMD, ENTRYPOINT, HEALTHCHECK): they must exist at run time."""
    out: set[str] = set()
    for ins in build.moves:
        if ins.keyword not in ("CMD", "ENTRYPOINT", "HEALTHCHECK"):
            continue
        args = list(ins.arguments)
        if ins.keyword == "HEALTHCHECK":
            if not args or args[0].upper() == "NONE":
                continue
            args = args[1:]
        text = " ".join(args)
        for word in re.findall(r"(?:^|[;&|]\s*|\s)(curl|wget|nc|bash|git)(?=\s|$)", text):
            out.add(word)
    return out


def unknown_command(build: Build, known: set[str]) -> str | None:
    """Why the split declines: a command whose effects it cannot follow into the runtime stage."""
    for ins, cmd in build.commands:
        name = cmd.name
        if name in known or name in _HARMLESS or name in _USER_COMMANDS or name in _FILE_COMMANDS or name == "cd":
            continue
        if name in ("apt-get", "apt", "apk", "rm") or tool_setup(cmd):
            continue
        return f"line {ins.start_line}: `{name}` may install something outside what the split copies; split by hand"
    return None


def uncovered_paths(build: Build, copies: list[Copy]) -> str | None:
    """Why the split declines: a file command changed a path the runtime stage would not get."""
    copied = [c.path for c in copies]
    for path in build.file_paths:
        if path.startswith(("/tmp", "/var/lib/apt", "/var/cache", "/root/.cache")):
            continue
        if any(path == p or path.startswith(p.rstrip("/") + "/") for p in copied):
            continue
        return f"{path} is changed by a RUN but would not be in the runtime stage; split by hand"
    return None


def app_dirs(build: Build) -> list[str]:
    """The folders the source is copied to, outermost only (what an interpreted app runs from)."""
    out: list[str] = []
    for dest in sorted(set(build.source_dirs), key=len):
        if dest.startswith("/tmp"):
            continue
        if not any(dest == d or dest.startswith(d.rstrip("/") + "/") for d in out):
            out.append(dest)
    return out


_LITERAL = re.compile(r'"((?:\./)?[A-Za-z0-9_.-]+(?:/[A-Za-z0-9_.*-]+)*/?)"')
_SOURCE_EXT = {".go", ".rs", ".c", ".h", ".cc", ".cpp", ".hpp", ".cxx", ".mod", ".sum", ".toml", ".lock"}


# calls that open a file of the source tree by the name they are given, per source extension:
# (pattern up to the argument, which argument names the file)
_READ_CALLS = {
    ".go": (r"\btemplate\.(?:Must\()?\s*(?:template\.)?Parse(?:Files|Glob)\(", r"\bhttp\.Dir\(", r"\bos\.(?:Open|ReadFile|ReadDir)\(",
            r"\bioutil\.(?:ReadFile|ReadDir)\(", r"\.(?:LoadHTMLGlob|LoadHTMLFiles|Static|StaticFile)\("),
    ".rs": (r"\bTera::new\(", r"\bFile::open\(", r"\bfs::read(?:_to_string|_dir)?\(", r"\bServeDir::new\(",
            r"\bFiles::new\([^,()]*,"),
    ".java": (r"\bnew\s+(?:File|FileInputStream|FileReader)\(", r"\bPaths\.get\(", r"\bPath\.of\("),
    ".kt": (r"\bFile\(", r"\bPaths\.get\(", r"\bPath\.of\("),
    ".c": (r"\bfopen\(",), ".cc": (r"\bfopen\(", r"\bifstream\s+\w+\("), ".cpp": (r"\bfopen\(", r"\bifstream\s+\w+\("),
}
_TEST_PARTS = ("testdata", "tests", "test", "examples", "benches", "example")


def files_read(model, build: Build, extensions: tuple[str, ...], limit: int = 400) -> "list[str] | str":
    """Context files or folders that string literals of the program's source name (templates/, config.yml).

    Paths are absolute in the image: a relative literal is read from the final WORKDIR, so
    it counts only when the source was copied there. A string is the reason to decline: a call
    that opens a file (`os.Open`, `template.ParseGlob`, `Tera::new`, `fopen`, …) by a computed
    name, or by a relative name the build context does not have (`main.go:12 …`).
    """
    ctx = model.context
    if not ctx.known:
        return []
    found: list[str] = []
    for src, dest in build.sources:
        if dest != build.workdir:
            continue
        root = ctx.root if src == "." else ctx.root / src
        for path in context_files(ctx, root, extensions, limit):
            try:
                text = path.read_text(encoding="utf-8", errors="replace")
            except OSError:
                continue
            embedded = {w.lstrip("./").split("/", 1)[0] for line in re.findall(r"(?m)^//go:embed\s+(.+)$", text)
                        for w in line.replace('"', " ").split()}  # compiled into the binary
            why = _unread(ctx, path, text, src, embedded, extensions)
            if why:
                return why
            for literal in _LITERAL.findall(text):
                first = literal[2:] if literal.startswith("./") else literal
                top = first.split("/", 1)[0]
                if not top or top in (".", "..") or "*" in top or top in embedded:
                    continue
                here = top if src == "." else f"{src}/{top}"
                if not ctx.exists(here) or Path(top).suffix in _SOURCE_EXT:
                    continue
                if (ctx.root / here).is_dir() and next(context_files(ctx, ctx.root / here, extensions, 1), None):
                    continue  # a folder of source code (`"src"`, `"cmd"`) is compiled in, not read
                absolute = posixpath.join(build.workdir, top)
                if absolute not in found:
                    found.append(absolute)
    return found


_JOIN = r'(?:filepath|path)\.Join\(\s*((?:"[^"\\]*"\s*,?\s*)+)\)'


def _literal_name(text: str, rest: str) -> str | None:
    """The file name a read call's first argument spells: a string literal, a `filepath.Join` of
    literals, or a variable the same file sets once to one of those; None when computed."""
    arg = re.match(r'\s*&?\s*"((?:[^"\\]|\\.)*)"\s*[,)]', rest)
    if arg:
        return arg.group(1)
    join = re.match(r"\s*" + _JOIN + r"\s*[,)]", rest)
    if join:
        return "/".join(re.findall(r'"([^"\\]*)"', join.group(1)))
    var = re.match(r"\s*&?([A-Za-z_]\w*)\s*[,)]", rest)
    if var:
        sets = re.findall(rf"(?m)^\s*(?:let\s+|const\s+|var\s+)?{re.escape(var.group(1))}\s*(?::=|=)\s*(.+?)\s*;?\s*$", text)
        if len(sets) == 1:
            value = sets[0]
            lit = re.fullmatch(r'"((?:[^"\\]|\\.)*)"', value)
            if lit:
                return lit.group(1)
            join = re.fullmatch(_JOIN, value)
            if join:
                return "/".join(re.findall(r'"([^"\\]*)"', join.group(1)))
    return None


def _unread(ctx, path: Path, text: str, src: str, embedded: set[str] = frozenset(),
            extensions: tuple[str, ...] = ()) -> str | None:
    """Why the split cannot tell the runtime has what a read call of `path` opens, or None."""
    rel = path.relative_to(ctx.root).as_posix()
    if path.name.endswith(("_test.go", "_test.rs")) or any(p in _TEST_PARTS for p in rel.split("/")[:-1]):
        return None
    calls = _READ_CALLS.get(path.suffix, ())
    if not calls:
        return None
    for pattern in calls:
        for m in re.finditer(pattern, text):
            line = text.count("\n", 0, m.start()) + 1
            before = text[text.rfind("\n", 0, m.start()) + 1:m.start()].lstrip()
            if before.startswith(("//", "/*", "*")):
                continue
            rest = text[m.end():m.end() + 200]
            depth, end = m.group(0).count("(") - m.group(0).count(")"), 0
            for end, ch in enumerate(rest):
                depth += {"(": 1, ")": -1}.get(ch, 0)
                if depth <= 0:
                    break
            call = (m.group(0) + rest[:end + 1]).strip()
            call = re.sub(r"\s+", " ", call)[:60]
            name = _literal_name(text, rest)
            if name is None:
                return f"{rel}:{line} opens a file by a computed name (`{call}`): the split cannot tell it is in the runtime; split by hand"
            if name.startswith("/") or not name:
                continue
            first = name[2:] if name.startswith("./") else name
            top = re.split(r"[*?\[]", first, 1)[0].rstrip("/").split("/", 1)[0] if first else ""
            if top in ("", ".", "..") or top in embedded:
                continue
            here = top if src == "." else f"{src}/{top}"
            if not ctx.exists(here):
                return f"{rel}:{line} opens {name}, which is not in the build context: the runtime would not have it; split by hand"
            if (ctx.root / here).is_dir() and next(context_files(ctx, ctx.root / here, extensions, 1), None):
                return (f"{rel}:{line} opens {name}, in {top}/, a folder of source code the runtime does not get "
                        f"(the build compiles it); split by hand")
    return None


STANDARD_PATH = ("/usr/local/sbin", "/usr/local/bin", "/usr/sbin", "/usr/bin", "/sbin", "/bin")


def command_files(model, build: Build) -> list[str]:
    """Files of the build context that the command's arguments name (`--config /app/config.yaml`)."""
    out: list[str] = []
    for word in build.entry[1:]:
        value = word.split("=", 1)[1] if word.startswith("-") and "=" in word else word
        if not value or value.startswith("-") or "$" in value:
            continue
        absolute = posixpath.normpath(posixpath.join(build.workdir, value))
        for src, dest in build.sources:
            if absolute == dest or not absolute.startswith(dest.rstrip("/") + "/"):
                continue
            rel = absolute[len(dest.rstrip("/")) + 1:]
            if model.context.exists(rel if src == "." else f"{src}/{rel}") and absolute not in out:
                out.append(absolute)
    return out


def library_packages(model, ecosystem: str, manifests: tuple[str, ...]) -> list[str]:
    """Runtime libraries for packages the manifests name that build against the full image's headers."""
    table = runtime_data().get("libraries", {}).get(ecosystem, {})
    ctx = model.context
    if not table or not ctx.known:
        return []
    texts = []
    for pattern in manifests:
        for rel in ctx.glob(pattern):
            texts.append(ctx.read_text(rel) or "")
    text = "\n".join(texts)
    out: list[str] = []
    for name, packages in table.items():
        if re.search(rf'(?im)(?:^|["\s/]){re.escape(name)}(?:["\s=<>~!\[;,:]|$)', text):
            for p in [packages] if isinstance(packages, str) else packages:
                if p not in out:
                    out.append(p)
    return out


def program_path(build: Build, path_dirs: tuple[str, ...], artifact: str | None = None) -> str | None:
    """The absolute path of the program the final command runs, where it can be told.

    A bare name is looked up in `path_dirs` (the build image's PATH): it is `artifact`
    when that is where the artifact lies.
    """
    if not build.entry:
        return None
    program = build.entry[0]
    if "$" in program:
        return None
    if "/" in program:
        return posixpath.normpath(posixpath.join(build.workdir, program))
    if artifact and posixpath.basename(artifact) == program and posixpath.dirname(artifact) in path_dirs:
        return artifact
    return None


def native_runtime(build: Build, packages: list[str], *, static: bool) -> str:
    """The runtime image for a compiled program: distroless where nothing needs a shell or a package."""
    data = runtime_data()
    suite = debian_suite(build.base) or data["debian-suite"]
    needs_shell = build.entry_shell or bool(command_tools(build)) or bool(packages) or bool(build.users) \
        or any(i.keyword == "HEALTHCHECK" and not i.is_exec_form for i in build.moves)
    if needs_shell:
        return f"debian:{suite}-slim"
    number = {"bullseye": "11", "bookworm": "12", "trixie": "13"}.get(suite, data["distroless-debian"])
    return f"{data['images']['distroless']}/{'static' if static else 'cc'}-debian{number}:nonroot"


_SKIPPED_DIRS = {".git", "node_modules", "vendor", "target", "build", "dist", ".venv", "venv", "__pycache__", "bin", "obj"}


def context_files(ctx, root: Path, extensions: tuple[str, ...], limit: int = 400):
    """Files under `root` with one of `extensions`, in a stable order, skipping build output and
    dependency folders and what .dockerignore excludes; at most `limit` (a bound for huge trees)."""
    import os

    if not ctx.known or root is None or not root.is_dir():
        return  # no build context (the API without one, an editor's unsaved buffer)
    found = 0
    visited = 0
    for folder, dirs, files in os.walk(root):
        dirs[:] = sorted(d for d in dirs if d not in _SKIPPED_DIRS)
        visited += len(files)
        if visited > 20 * limit:
            return
        for name in sorted(files):
            if not name.endswith(extensions):
                continue
            path = Path(folder) / name
            if ctx.ignored(path.relative_to(ctx.root).as_posix()):
                continue
            yield path
            found += 1
            if found >= limit:
                return
