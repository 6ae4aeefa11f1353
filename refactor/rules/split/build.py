"""Reading the single stage for a split: what each instruction does, where the source lands, the commands it runs."""

from __future__ import annotations

import posixpath
import re
import shlex
from dataclasses import dataclass, field
from pathlib import Path

from ...model.context import context_files
from ...model.ecosystems import tool_setup
from ...model.images import image_facts
from ...syntax.image import ImageRef


BUILDER = "build"


# instructions that only configure the image: they move to the runtime stage
_CONFIG = {"EXPOSE", "CMD", "ENTRYPOINT", "VOLUME", "STOPSIGNAL", "HEALTHCHECK", "LABEL", "MAINTAINER"}


# commands that change nothing outside the paths they name
_FILE_COMMANDS = {"mkdir", "chmod", "chown", "cp", "mv", "ln", "touch", "rm", "sed"}


_HARMLESS = {"echo", "true", "ls", "cat", "pwd", "printenv", "env", "which", "id", "whoami", "test", "[",
             "export", "set", "node", "python", "python3", "java", "go", "ruby", "php", "dotnet", "cargo",
             "rustc", "gcc", "g++", "cmake", "make", "npm", "npx"}


_USER_COMMANDS = {"useradd", "groupadd", "adduser", "addgroup", "usermod"}


@dataclass
class Copy:
    """`COPY --from=build <path> <path>`: an artifact, at the same absolute path in the runtime."""

    path: str
    dest: str | None = None  # defaults to `path`
    chown: str | None = None
    stage: str | None = None  # the stage it comes from; defaults to the builder
    line: str | None = None  # a copy of the build context, written as this line (COPY without --from)


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
    tools: list = field(default_factory=list)  # programs `COPY --from=<image>` puts in a bin folder (build tools)
    root_sources: bool = False  # the source is copied to /: source_dirs holds each entry the copies placed
    image_copies: list = field(default_factory=list)  # `COPY --from=<image>` of files the runtime needs too

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
        return (f"the base image {base.text} has no version tag: pin it (PN001 does where it knows a current "
                f"release; else by hand), then the split keeps that version")
    facts = image_facts(base)
    workdir = facts.workdir
    workdir_at: dict[int, str] = {}
    source_dirs: list[str] = []
    sources: list = []
    packages: list[str] = []
    package_tool = None
    runs, commands, moves, carried, users = [], [], [], [], []
    tools: list = []
    image_copies: list = []
    root_sources = False
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
            if not _pipefail_shell(ins, facts.family):
                return f"line {ins.start_line}: SHELL changes how every later step runs; split by hand"
            carried.append(ins)  # `SHELL ["/bin/bash", "-o", "pipefail", "-c"]`: both stages run under it
            continue
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
                tool = _tool_copy(ins)
                if tool is not None:
                    tools.append((ins, tool))
                    last_build = n
                    continue
                why = _image_copy(ins, env)
                if why:
                    return f"line {ins.start_line}: {why}; split by hand"
                image_copies.append(ins)  # files of another image: the runtime stage repeats the copy
                last_build = n
                continue
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
                entries = _root_entries(model.context, ins, args[:-1])
                if isinstance(entries, str):
                    return f"line {ins.start_line}: {entries}"
                source_dirs.extend(entries)
                root_sources = True
                for src in args[:-1]:
                    clean = posixpath.normpath(src.lstrip("/")) if src not in ("/", "./") else "."
                    if clean == "." or (model.context.root / clean).is_dir():
                        sources.append((clean, "/"))
                last_build = n
                continue
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
    words = entry or tuple(w for m in moves if m.keyword in ("CMD", "ENTRYPOINT") for w in " ".join(m.arguments).split())
    for ins, name in ((i, posixpath.basename(p)) for i, paths in tools for p in paths):
        if any(posixpath.basename(w) == name for w in words[:2]):
            return (f"line {ins.start_line}: the command runs {name}, which the build copies from the image "
                    f"{ins.flag('from')}: the runtime would not have it; split by hand")
    return Build(stage, base, facts.family, workdir_at, workdir or "/", source_dirs, sources, _unique(packages), package_tool,
                 runs, commands, moves, carried, users, user, user_moves, chown, file_paths, entry, entry_shell,
                 moved_users=moved_users, no_recommends=no_recommends, tools=[p for _, paths in tools for p in paths],
                 root_sources=root_sources, image_copies=image_copies)


_BIN_DIRS = ("/usr/local/bin", "/usr/bin", "/bin", "/usr/local/sbin", "/usr/sbin", "/sbin")


def _tool_copy(ins) -> list[str] | None:
    """The program a `COPY --from=<image>` puts in a bin folder (a build tool such as composer or uv), else None."""
    args = list(ins.arguments)
    if len(args) < 2 or any(ins.flag(f) is not None for f in ("parents", "exclude")):
        return None
    srcs, dest = args[:-1], args[-1]
    from_ = ins.flag("from") or ""
    if "$" in from_ or "$" in " ".join(args) or not re.match(r"[\w.-]+([:/@][\w./:@-]*)?$", from_):
        return None
    if not all(re.fullmatch(r"/(?:(?:usr/(?:local/)?)?s?bin/)?[\w.+-]+", s) for s in srcs):
        return None
    if dest.rstrip("/") in _BIN_DIRS:
        return [posixpath.join(dest.rstrip("/"), posixpath.basename(s)) for s in srcs]
    if len(srcs) == 1 and posixpath.dirname(dest) in _BIN_DIRS and not dest.endswith("/"):
        return [dest]
    return None


def _image_copy(ins, env) -> str | None:
    """Why a `COPY --from=<image>` of files (not a build tool) cannot be repeated in the runtime stage, or None."""
    from_ = ins.flag("from") or ""
    args = list(ins.arguments)
    if "$" in from_ or "$" in " ".join(args) or not re.match(r"[\w.-]+([:/@][\w./:@-]*)?$", from_):
        return f"it copies from the image {from_}, named by a variable"
    if not args or not _expand(args[-1], env).startswith("/"):
        return f"it copies from the image {from_} to a relative path"
    if ins.flag("chown") is not None or ins.flag("chmod") is not None or ins.flag("link") is not None:
        return f"it copies from the image {from_} with options the split does not repeat"
    return None


# top-level folders of a Linux image: a context folder of the same name copied to / merges into
# it, so the runtime stage copies such a folder's files one by one, never the builder's whole folder
_SYSTEM_DIRS = {"bin", "boot", "etc", "home", "lib", "lib32", "lib64", "libx32", "media", "mnt", "opt", "root",
                "run", "sbin", "srv", "tmp", "usr", "var"}


def _root_entries(ctx, ins, srcs) -> "list[str] | str":
    """The absolute paths a COPY/ADD to / places (read from the context, as .dockerignore leaves it):
    each top-level entry, and the files of an entry named like a system folder; a reason when they
    cannot be told."""
    if not ctx.known:
        return "the source is copied to /, and without the build context the split cannot tell which entries it places there"
    if ins.keyword == "ADD":
        return "ADD to / may unpack an archive over the image's folders; split by hand"
    out: list[str] = []
    for src in srcs:
        if any(c in src for c in "*?[$"):
            matched = ctx.glob(src.lstrip("/"))
            if not matched or any((ctx.root / m).is_dir() for m in matched):
                return f"the source {src} is copied to / by a pattern the split does not expand; split by hand"
            out.extend("/" + posixpath.basename(m) for m in matched if not ctx.ignored(m))
            continue
        clean = posixpath.normpath(src.lstrip("/")) if src not in ("/", "./") else "."
        path = ctx.root / clean
        if not path.exists():
            return f"{src} is not in the build context; split by hand"
        if not path.is_dir():
            out.append("/" + posixpath.basename(clean))
            continue
        for child in sorted(path.iterdir()):
            rel = child.relative_to(ctx.root).as_posix()
            if ctx.ignored(rel):
                continue
            if child.name in ("proc", "sys", "dev"):
                return f"the context folder {rel} is copied to /{child.name}, the kernel's; split by hand"
            if child.name in _SYSTEM_DIRS and child.is_dir():
                files = [f for f in sorted(child.rglob("*")) if not f.is_dir()
                         and not ctx.ignored(f.relative_to(ctx.root).as_posix())]
                if len(files) > 20:
                    return (f"the context folder {rel} ({len(files)} files) is copied into the image's /{child.name}: "
                            f"copying it file by file would be unreadable; split by hand")
                out.extend("/" + f.relative_to(path).as_posix() for f in files)
                continue
            out.append("/" + child.name)
    return list(dict.fromkeys(out))


def _expand(value: str, env: dict[str, str]) -> str:
    from ...model.imageconfig import _expand as expand

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
    if name in ("dnf", "yum", "microdnf"):
        words = [a for a in argv[1:] if not a.startswith("-")]
        if words[:1] == ["install"]:
            packages.extend(w for w in words[1:] if not w.startswith(("http://", "https://", "/")))
        elif words[:1] in (["remove"], ["erase"], ["autoremove"]):
            for w in words[1:]:
                if w in packages:
                    packages.remove(w)
        return "yum" if name == "yum" else "dnf"
    if name == "rm" and all(a.startswith("-") or a.startswith(("/var/lib/apt/lists", "/var/cache/apt", "/var/cache/apk",
                                                                    "/var/cache/yum", "/var/cache/dnf", "/tmp")) for a in argv[1:]):
        return "apt"
    return None


# distribution images the language splits also take, when the stage installs the language with the
# OS package manager (the last part of the image's name)
DISTROS = ("ubuntu", "debian", "alpine", "centos", "rockylinux", "almalinux", "fedora", "amazonlinux", "buildpack-deps")


# OS packages that install a language: which split rule's ecosystem the stage then is
_LANGUAGE_PACKAGES = (
    ("python", re.compile(r"python[23]?(\.\d+)?(-pip|-dev|-devel|-venv|-setuptools|-wheel)?$|py[23]?-pip$|python3\d+(-pip|-devel)?$")),
    ("node", re.compile(r"nodejs(-npm|-current)?$|npm$")),
    ("ruby", re.compile(r"ruby(\d[\d.]*)?(-dev|-devel|-full|-bundler)?$|bundler$")),
    ("php", re.compile(r"php(\d[\d.]*)?(-cli)?$|composer$")),
    ("java", re.compile(r"(default-jdk|openjdk-\d+-jdk(-headless)?|java-[\d.]+-openjdk-devel|openjdk\d+(-jdk)?|maven|gradle)$")),
    ("go", re.compile(r"(golang(-go)?|go)$")),
)


_COMMAND_LANGUAGE = {"python": "python", "python3": "python", "python2": "python", "gunicorn": "python", "uwsgi": "python",
                     "node": "node", "npm": "node", "yarn": "node", "ruby": "ruby", "bundle": "ruby", "rails": "ruby",
                     "php": "php", "java": "java"}


def distro_language(model) -> tuple[str | None, str]:
    """For a single stage FROM a distribution image: the language it installs with the OS package
    manager (the ecosystem of the split rule that takes it), else None and why none can be told."""
    stage = model.stages[0]
    base = model.base_image(stage)
    if base.path.rsplit("/", 1)[-1] not in DISTROS:
        return None, ""
    packages: list[str] = []
    for ins in stage.instructions:
        script = model.script(ins)
        for cmd in (script.commands if script is not None else ()):
            if cmd.name is not None:
                _system_packages(cmd, packages)
    found: dict[str, list[str]] = {}
    for pkg in packages:
        for lang, rx in _LANGUAGE_PACKAGES:
            if rx.match(pkg):
                found.setdefault(lang, []).append(pkg)
                break
    if len(found) == 1:
        return next(iter(found)), ""
    if not found:
        return None, (f"{base.text} is a distribution image and the file installs no language runtime with its package "
                      f"manager that a split rule follows (Python, Node.js, Ruby, PHP, Java, Go)")
    words = [w for ins in stage.instructions if ins.keyword in ("CMD", "ENTRYPOINT") for w in ins.arguments[:1]]
    program = posixpath.basename(words[-1].split()[0]) if words and words[-1].split() else ""
    lang = _COMMAND_LANGUAGE.get(re.sub(r"[\d.]+$", "", program)) or _COMMAND_LANGUAGE.get(program)
    if lang in found:
        return lang, ""
    return None, (f"the file installs several language runtimes ({'; '.join(', '.join(v) for v in found.values())}) "
                  f"and the command does not tell which one the application runs on")


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
        if name in ("apt-get", "apt", "apk", "dnf", "yum", "microdnf", "rm") or tool_setup(cmd):
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


def _whole_folder(ctx, src: str) -> bool:
    clean = posixpath.normpath(src.lstrip("/")) if src not in ("/", "./") else "."
    return clean == "." or ctx.known and (ctx.root / clean).is_dir()


def context_copies(model, build: Build, apart: set[str], skip: set[str] = frozenset()) -> "list[Copy] | str":
    """The build's copies of the context, repeated in the runtime after a dependency folder (node_modules,
    vendor, .venv) it copies from another stage in a layer of its own: the application's files then
    come from the context as the original copied them, and follow the source tree. Copies of only
    the files in `skip` (the manifests, which the dependency stage gives) are left out. Why not: a
    copy the runtime cannot repeat, a context folder with a dependency folder of its own, or a step
    of the build that changes the copied files."""
    ctx = model.context
    if not ctx.known:
        return "without the build context, what the source copy brings cannot be told"
    out: list[Copy] = []
    dests: list[str] = []
    for ins in build.stage.instructions:
        if ins.keyword not in ("COPY", "ADD") or ins.flag("from") is not None or not ins.arguments:
            continue
        if ins.keyword == "ADD":
            return f"line {ins.start_line}: an ADD the runtime would repeat"
        args = list(ins.arguments)
        srcs, dest = args[:-1], args[-1]
        if all(posixpath.basename(s) in skip for s in srcs) and any(
                _whole_folder(ctx, s) for other in build.stage.instructions if other.keyword == "COPY"
                and other.flag("from") is None for s in list(other.arguments)[:-1]):
            continue  # the manifests alone, which a copy of the whole folder brings again
        if not dest.startswith("/") and build.workdir_at.get(id(ins)) != build.workdir:
            return f"line {ins.start_line}: the copy's destination is relative to another WORKDIR than the runtime's"
        absolute = posixpath.normpath(posixpath.join(build.workdir_at.get(id(ins), build.workdir), dest))
        for src in srcs:
            clean = posixpath.normpath(src.lstrip("/")) if src not in ("/", "./") else "."
            if "$" in src:
                return f"line {ins.start_line}: a source named by a variable"
            if clean == "." or (ctx.root / clean).is_dir():
                for name in apart:
                    inside = name if clean == "." else f"{clean}/{name}"
                    if ctx.exists(inside):
                        return f"the build context has a {name} of its own, which the source copy brings in"
        code = ins.own_code.strip()
        if build.chown and ins.flag("chown") is None:
            code = re.sub(r"^(\S+)\s+", lambda m: f"{m.group(1)} --chown={build.chown} ", code, count=1)
        out.append(Copy(absolute, line=code))
        dests.append(absolute)
    for path in build.file_paths:
        if path.startswith(("/tmp", "/var/lib/apt", "/var/cache", "/root/.cache")):
            continue
        if any(path == d or path.startswith(d.rstrip("/") + "/") for d in dests) and \
                not any(path == d.rstrip("/") + "/" + a or path.startswith(d.rstrip("/") + "/" + a + "/") for d in dests for a in apart):
            return f"{path} is changed by a RUN after the source copy; the runtime copies the source from the context"
    return out


STANDARD_PATH = ("/usr/local/sbin", "/usr/local/bin", "/usr/sbin", "/usr/bin", "/sbin", "/bin")


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


def _pipefail_shell(ins, family: str | None) -> bool:
    """A SHELL that only makes pipes fail (`["/bin/bash", "-o", "pipefail", "-c"]`, as hadolint's DL4006
    asks): the runtime stage repeats it, where sh is everywhere and bash in the Debian-based images."""
    args = list(ins.arguments) if ins.is_exec_form else []
    if len(args) < 2 or args[-1] != "-c" or args[0] not in ("/bin/sh", "/bin/bash", "bash", "sh"):
        return False
    if "bash" in args[0] and family not in ("debian", "ubuntu"):
        return False
    flags = args[1:-1]
    return flags in (["-o", "pipefail"], ["-eo", "pipefail"], ["-e", "-o", "pipefail"], ["-euo", "pipefail"],
                     ["-eux", "-o", "pipefail"], ["-ex", "-o", "pipefail"])


def folder_apart_reason(model, build: Build, appdir: str, folder: str, label: str, after_ok) -> str | None:
    """Why the dependency folder `folder` (vendor, .venv) that an install writes into `appdir` cannot be copied in a
    layer of its own before the source, or None: a `chown -R` of the app folder, a `folder` in the build context
    that the source copy brings in, or a step after the source copy (other than those `after_ok` accepts, by
    command name) that may write where the split does not list."""
    if build.chown:
        return "the build gives the application folder to a user (chown -R)"
    base = next((src for src, dest in build.sources if dest == appdir), None)
    if base is not None and model.context.exists(folder if base == "." else f"{base}/{folder}"):
        return f"the build context has {label} of its own, which the source copy brings in"
    index = {id(i): n for n, i in enumerate(build.stage.instructions)}
    copies_at = [index[id(i)] for i in build.stage.instructions if i.keyword in ("COPY", "ADD") and i.flag("from") is None]
    last_copy = max(copies_at) if copies_at else -1
    for ins, cmd in build.commands:
        if index[id(ins)] > last_copy and not after_ok(cmd.name):
            return f"line {ins.start_line}: `{cmd.name}` runs after the source is copied and may write where the split does not list"
    return None

