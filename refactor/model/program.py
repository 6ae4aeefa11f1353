"""What the final image runs, read from the file and its context: the command chain, the
entrypoint scripts it starts, the service configuration it reads, and the paths it writes.

`read_program(model)` follows `ENTRYPOINT`/`CMD` (exec and shell form, `sh -c` strings),
the scripts they name (found in the build context by the path a `COPY` put them at, following
`COPY --from` back through the stages), the commands those scripts `exec`, the configuration
files the build copies (nginx, apache, php-fpm, supervisord, uwsgi, gunicorn, redis), and the
source files the build copies (bounded: at most `SOURCE_LIMIT` files of `SOURCE_SIZE` bytes).
Every finding carries where it was seen (`entrypoint.sh:12`, `line 9`), so a rule that
declines can name the line and the file.
"""

from __future__ import annotations

import posixpath
import re
from dataclasses import dataclass, field

from .shell import parse_script

__all__ = ["Mount", "Program", "Step", "Write", "read_program"]

SOURCE_LIMIT = 400  # source files read per build
SOURCE_SIZE = 256 * 1024  # bytes read per file
_SOURCE_EXT = (".py", ".js", ".mjs", ".cjs", ".ts", ".rb", ".go", ".php")
_CONFIG_NAMES = re.compile(r"(?:\.conf|\.ini|\.cnf|gunicorn[\w.-]*\.py|gunicorn_conf\.py|\.cfg)$")


@dataclass(frozen=True)
class Step:
    """One command of the chain: its words (None where a word depends on expansions)."""

    argv: tuple[str | None, ...]
    redirects: tuple[str, ...]
    where: str  # "line 9" (the Dockerfile) or "entrypoint.sh:12"

    @property
    def name(self) -> str | None:
        return self.argv[0].rsplit("/", 1)[-1] if self.argv and self.argv[0] else None


@dataclass(frozen=True)
class Write:
    """A path the program writes: absolute in the image, or None where it is computed."""

    path: str | None
    kind: str  # "file" or "dir"
    where: str
    what: str  # as written: `--pid gunicorn.pid`, `open(path, 'w')`


@dataclass
class Program:
    workdir: str  # the final WORKDIR ("/" when none is set)
    steps: list[Step] = field(default_factory=list)
    scripts: list[str] = field(default_factory=list)  # context paths of the scripts read
    configs: list[tuple[str, str]] = field(default_factory=list)  # (context path, text) of config files
    sources: list[tuple[str, str]] = field(default_factory=list)  # (context path, text) of source files
    writes: list[Write] = field(default_factory=list)
    unreadable: list[str] = field(default_factory=list)  # why a part of the chain could not be read
    mounts: list[Mount] = field(default_factory=list)  # host folders a compose file beside the Dockerfile mounts


@dataclass(frozen=True)
class Mount:
    """A host folder a compose file mounts into the container (short volume syntax)."""

    host: str
    path: str  # in the container
    read_only: bool
    where: str  # "docker-compose.yml:11"


def read_program(model, stages) -> Program:
    """The program the final image runs, `stages` being its stage chain (root first)."""
    copies = _Copies(model)
    instructions = [i for s in stages for i in s.instructions]
    workdir = _final_workdir(model, stages)
    program = Program(workdir)
    entry = next((i for i in reversed(instructions) if i.keyword == "ENTRYPOINT"), None)
    cmd = next((i for i in reversed(instructions) if i.keyword == "CMD"), None)
    if entry is not None and cmd is not None and instructions.index(cmd) < instructions.index(entry) \
            and model.stage_of(cmd) is not model.stage_of(entry):
        cmd = None  # an ENTRYPOINT set in a later stage resets the CMD it inherited
    for ins in (entry, cmd):
        if ins is None or not ins.arguments:
            continue
        where = f"line {ins.start_line}"
        if ins.is_exec_form:
            argv = list(ins.arguments)
            if len(argv) >= 3 and argv[0].rsplit("/", 1)[-1] in ("sh", "bash", "ash", "dash") and argv[1] in ("-c", "-ec", "-ex"):
                _read_shell(program, argv[2], where, None, copies, stages, 0)
            else:
                _add(program, tuple(argv), (), where, copies, stages, 0)
        else:
            _read_shell(program, ins.arguments[0], where, None, copies, stages, 0)
    for rel in copies.copied_files(_CONFIG_NAMES):
        text = model.context.read_text(rel, SOURCE_SIZE)
        if text is not None:
            program.configs.append((rel, text))
    for rel, dest in copies.copied_sources():
        text = model.context.read_text(rel, SOURCE_SIZE)
        if text is not None:
            program.sources.append((rel, text))
    _find_writes(program)
    program.mounts = _compose_mounts(model)
    return program


_COMPOSE_FILES = ("compose.yaml", "compose.yml", "docker-compose.yml", "docker-compose.yaml")
_BIND = re.compile(r"""^\s*-\s*['"]?((?:\.{1,2}|~)?/[^:'"\s]*|\.{1,2}):(/[^:'"\s]*)(?::([\w,]+))?['"]?\s*(?:#.*)?$""",
                   re.MULTILINE)


def _compose_mounts(model) -> list[Mount]:
    """Host folders bound into containers by the compose files next to the Dockerfile (bounded, no YAML parser)."""
    ctx = model.context
    out: list[Mount] = []
    if not ctx.known:
        return out
    for name in _COMPOSE_FILES:
        path = ctx.root / name
        try:
            text = path.read_text(encoding="utf-8", errors="replace")[:SOURCE_SIZE] if path.is_file() else None
        except OSError:
            text = None
        if text is None:
            continue
        for m in _BIND.finditer(text):
            line = text.count("\n", 0, m.start(1)) + 1
            modes = (m.group(3) or "").split(",")
            out.append(Mount(m.group(1), posixpath.normpath(m.group(2)), "ro" in modes, f"{name}:{line}"))
    return out


# --- the command chain -----------------------------------------------------------------------

_EXEC_WRAPPERS = {"exec", "nohup", "env", "tini", "dumb-init", "time", "nice", "stdbuf"}
_SHELLS = {"sh", "bash", "ash", "dash", "zsh"}


def _read_shell(program: Program, text: str, where: str, script: str | None, copies, stages, depth: int) -> None:
    parsed = parse_script(text)
    for c in parsed.commands:
        place = where if script is None else f"{script}:{text.count(chr(10), 0, c.start) + 1}"
        _add(program, c.argv, c.redirects, place, copies, stages, depth)


def _add(program: Program, argv: tuple, redirects: tuple, where: str, copies, stages, depth: int) -> None:
    program.steps.append(Step(tuple(argv), tuple(redirects), where))
    words = list(argv)
    while words and words[0] is not None and (words[0].rsplit("/", 1)[-1] in _EXEC_WRAPPERS or "=" in words[0]):
        words = words[1:]
        while words and words[0] is not None and words[0].startswith("-"):
            words = words[1:]
    if not words or words[0] is None or depth > 3:
        return
    first = words[0]
    by_shell = False
    if first.rsplit("/", 1)[-1] in _SHELLS and len(words) >= 2 and words[1] is not None:
        if words[1] in ("-c", "-ec") and len(words) >= 3 and words[2] is not None:
            _read_shell(program, words[2], where, None, copies, stages, depth + 1)
            return
        first, by_shell = words[1], True
    if tuple(words) != tuple(argv):
        program.steps.append(Step(tuple(words), (), where))
    if first.startswith("-"):
        return
    if "/" in first or by_shell:  # a path (a shell reads its script argument as a path too)
        candidates = [posixpath.normpath(posixpath.join(program.workdir, first))]
    else:  # a bare name: a script the build copied onto the PATH
        candidates = [f"{d}/{first}" for d in ("/usr/local/bin", "/usr/local/sbin", "/usr/bin", "/bin")]
    rel = next((r for r in map(copies.context_path, candidates) if r is not None), None)
    if rel is None:
        missing = next((r for r in map(copies.missing_source, candidates) if r is not None), None)
        if missing is not None:
            program.unreadable.append(f"{where}: {first} is copied from {missing}, which the build context "
                                      "does not have: cannot tell what it runs")
        return
    text = copies.model.context.read_text(rel, SOURCE_SIZE)
    if text is None or not _is_shell(text, rel):
        return
    name = rel.rsplit("/", 1)[-1]
    if rel in program.scripts:
        return
    program.scripts.append(rel)
    _read_shell(program, text, where, name, copies, stages, depth + 1)


def _is_shell(text: str, rel: str) -> bool:
    first = text.split("\n", 1)[0]
    if first.startswith("#!"):
        return bool(re.search(r"\b(sh|bash|ash|dash)\b", first))
    return rel.endswith(".sh")


def _final_workdir(model, stages) -> str:
    from .images import image_facts

    workdir = image_facts(model.base_image(stages[0])).workdir or "/"
    env: dict[str, str] = {}
    for s in stages:
        for ins in s.instructions:
            if ins.keyword == "ENV":
                env.update({k: v.strip("\"'") for k, v in ins.pairs})
            if ins.keyword == "WORKDIR" and ins.arguments:
                workdir = posixpath.normpath(posixpath.join(workdir, _expand(ins.arguments[0], env)))
    return workdir


def _expand(value: str, env: dict[str, str]) -> str:
    from .imageconfig import _expand as expand

    return expand(value, env)


class _Copies:
    """Where the files of the final image came from: image path -> context path, through COPY --from."""

    def __init__(self, model) -> None:
        self.model = model
        self.by_stage: dict[int, list] = {}
        for stage in model.stages:
            entries = []
            workdir = "/"
            env: dict[str, str] = {}
            for ins in stage.instructions:
                if ins.keyword == "ENV":
                    env.update({k: v.strip("\"'") for k, v in ins.pairs})
                elif ins.keyword == "WORKDIR" and ins.arguments:
                    workdir = posixpath.normpath(posixpath.join(workdir, _expand(ins.arguments[0], env)))
                elif ins.keyword in ("COPY", "ADD") and len(ins.arguments) >= 2 and not ins.heredocs:
                    dest_raw = _expand(ins.arguments[-1], env)
                    dest = posixpath.normpath(posixpath.join(workdir, dest_raw))
                    many = len(ins.arguments) > 2 or dest_raw.endswith("/")
                    for src in ins.arguments[:-1]:
                        if re.match(r"[a-z]+://|git@", src) or "$" in src:
                            continue
                        entries.append((ins.flag("from"), src, dest, many))
            self.by_stage[stage.index] = entries
        self.final = model.final_stage
        self.chain = model.stage_chain(self.final) if self.final is not None else []

    def context_path(self, image_path: str, stages=None, depth: int = 0) -> str | None:
        """The context file a path of the final image was copied from, if one."""
        if depth > 4:
            return None
        for stage in reversed(stages if stages is not None else self.chain):
            for origin, src, dest, many in reversed(self.by_stage.get(stage.index, [])):
                rel = _under(image_path, src, dest, many, self.model, origin is None)
                if rel is None:
                    continue
                if origin is None:
                    return rel if self.model.context.exists(rel) else None
                source = next((s for s in self.model.stages if s.name == origin.lower()), None)
                if source is None:
                    return None
                return self.context_path("/" + rel.lstrip("/"), self.model.stage_chain(source), depth + 1)
        return None

    def missing_source(self, image_path: str) -> str | None:
        """The context path a local COPY names for `image_path` when the context lacks it."""
        for stage in reversed(self.chain):
            for origin, src, dest, many in reversed(self.by_stage.get(stage.index, [])):
                rel = _under(image_path, src, dest, many, self.model, origin is None)
                if rel is None:
                    continue
                if origin is None and self.model.context.known and not self.model.context.exists(rel):
                    clean = posixpath.normpath(src.lstrip("/")) if src not in ("/", "./") else "."
                    if clean == "." or (self.model.context.root / clean).is_dir():
                        continue  # a folder copy places only what the folder has: the file may be the base image's
                    return rel
                return None
        return None

    def roots(self, stages=None, depth: int = 0):
        """(context folder or file, image path) of everything copied into the final image from the context."""
        if depth > 4:
            return
        for stage in stages if stages is not None else self.chain:
            for origin, src, dest, many in self.by_stage.get(stage.index, []):
                if origin is None:
                    clean = posixpath.normpath(src.lstrip("/")) if src not in ("/", "./") else "."
                    yield clean, dest if not many or clean == "." or self.model.context.known and \
                        (self.model.context.root / clean).is_dir() else posixpath.join(dest, posixpath.basename(clean))
                else:
                    source = next((s for s in self.model.stages if s.name == origin.lower()), None)
                    if source is not None:
                        yield from self.roots(self.model.stage_chain(source), depth + 1)

    def copied_files(self, pattern: re.Pattern[str]) -> list[str]:
        return [rel for rel, _ in self._files() if pattern.search(rel.rsplit("/", 1)[-1])]

    def copied_sources(self) -> list[tuple[str, str]]:
        return [(rel, dest) for rel, dest in self._files() if rel.endswith(_SOURCE_EXT) and not _is_test(rel)]

    def _files(self) -> list[tuple[str, str]]:
        cached = getattr(self, "_listed", None)
        if cached is not None:
            return cached
        from .context import context_files  # the one bounded walker of the context

        ctx = self.model.context
        out: list[tuple[str, str]] = []
        seen: set[str] = set()
        if ctx.known:
            for clean, dest in self.roots():
                path = ctx.root if clean == "." else ctx.root / clean
                if any(ch in clean for ch in "*?[") and not path.exists():  # `ADD *.py /home/`: each match
                    folder = posixpath.dirname(dest) if dest.endswith("/" + posixpath.basename(clean)) else dest
                    for match in sorted(ctx.root.glob(clean))[:SOURCE_LIMIT]:
                        rel = match.relative_to(ctx.root).as_posix()
                        if match.is_file() and rel not in seen and not ctx.ignored(rel):
                            seen.add(rel)
                            out.append((rel, posixpath.join(folder, match.name)))
                    continue
                if path.is_file():
                    if clean not in seen and not ctx.ignored(clean):
                        seen.add(clean)
                        out.append((clean, dest))
                    continue
                exts = _SOURCE_EXT + (".conf", ".ini", ".cnf", ".cfg")
                for f in context_files(ctx, path, exts, SOURCE_LIMIT):
                    rel = f.relative_to(ctx.root).as_posix()
                    if rel not in seen:
                        seen.add(rel)
                        out.append((rel, dest))
                    if len(out) >= SOURCE_LIMIT:
                        break
        self._listed = out
        return out


def _is_test(rel: str) -> bool:
    parts = rel.split("/")
    name = parts[-1]
    return any(p in ("test", "tests", "spec", "__tests__") for p in parts[:-1]) or name.startswith("test_") \
        or re.search(r"(_test\.go|\.test\.[jt]s|\.spec\.[jt]s|_spec\.rb)$", name) is not None


def _under(image_path: str, src: str, dest: str, many: bool, model, local: bool) -> str | None:
    """The source-side path of `image_path` (context-relative, or absolute in the source stage) if this copy put it there."""
    clean = posixpath.normpath(src.lstrip("/")) if src not in ("/", "./", ".") else "."
    if local and clean != "." and not (model.context.known and (model.context.root / clean).is_dir()):
        target = posixpath.join(dest, posixpath.basename(clean)) if many else dest
        return clean if image_path == target else None  # a file
    # a folder's contents (or, from a stage, a path of either kind) go into dest
    if image_path == dest:
        return clean
    if image_path.startswith(dest.rstrip("/") + "/"):
        rest = image_path[len(dest.rstrip("/")) + 1:]
        if not local and many and posixpath.basename(clean) == rest.split("/", 1)[0]:
            return posixpath.join(posixpath.dirname(clean), rest)  # COPY --from=s /a/file /dest/
        return rest if clean == "." else posixpath.join(clean, rest)
    return None


# --- writes ----------------------------------------------------------------------------------

# flags whose value is a file the program writes (gunicorn -p is its pid file)
_FILE_FLAGS = {"--pid", "--pidfile", "--pid-file", "--log-file", "--logfile", "--access-logfile", "--error-logfile",
               "--access-log", "--error-log", "--log", "--output-file", "--database", "--db"}
_DIR_FLAGS = {"--worker-tmp-dir", "--data-dir", "--datadir", "--upload-dir", "--uploads", "--cache-dir"}
_NOT_FILES = ("-", "/dev/stdout", "/dev/stderr", "/dev/null", "/proc/self/fd/1", "/proc/self/fd/2")
_CONFIG_WRITES = re.compile(
    r"""^\s*(pidfile|pid_file|pid|accesslog|errorlog|access_log|error_log|logfile|logto|daemonize|worker_tmp_dir|
    upload_dir|upload_folder|dbfilename|dir|PidFile|ErrorLog|CustomLog)\s*(?:=|\s)\s*['"]?([^'"\s;#]+)""",
    re.VERBOSE | re.MULTILINE)
_DIR_SETTINGS = {"worker_tmp_dir", "upload_dir", "upload_folder", "dir"}
# calls that write: (the call up to its opening parenthesis, kind, which argument is the path,
# a pattern the rest of the call must match, e.g. a write mode)
_MODE = r"""['"][rbt]*[wxa+][rwxab+t]*['"]"""
_SOURCE_WRITES = [
    (re.compile(r"(?<![\w.])open\("), "file", 0, _MODE),  # Python open(path, 'w')
    (re.compile(r"\.to_(?:csv|parquet|pickle|excel)\("), "file", 0, None),
    # Pillow's Image.save, matplotlib's savefig, Flask's upload FileStorage.save, Keras' model.save
    (re.compile(r"(?<!torch)(?<!np)(?<!numpy)\.(?:save|savefig)\("), "file", 0, None),
    (re.compile(r"\btorch\.save\("), "file", 1, None),
    (re.compile(r"\b(?:np|numpy)\.(?:save|savez|savez_compressed|savetxt)\("), "file", 0, None),
    (re.compile(r"\bsqlite3\.connect\("), "file", 0, None),
    (re.compile(r"\bFileHandler\("), "file", 0, None),
    (re.compile(r"\bos\.(?:makedirs|mkdir)\("), "dir", 0, None),
    (re.compile(r"\bshutil\.(?:copy|copy2|copyfile|move|copytree)\("), "file", 1, None),
    (re.compile(r"\bfs(?:\.promises)?\.(?:writeFile|writeFileSync|appendFile|appendFileSync|createWriteStream)\("), "file", 0, None),
    (re.compile(r"\bfs(?:\.promises)?\.(?:mkdir|mkdirSync)\("), "dir", 0, None),
    (re.compile(r"\bmulter\(\s*\{[^}]*\bdest\s*:\s*(?=['\"`])"), "dir", -1, None),
    (re.compile(r"\bFile\.write\("), "file", 0, None),
    (re.compile(r"\bFile\.open\("), "file", 0, r"""['"][wa]"""),
    (re.compile(r"\bos\.(?:Create|WriteFile)\("), "file", 0, None),
    (re.compile(r"\bos\.(?:MkdirAll|Mkdir)\("), "dir", 0, None),
    (re.compile(r"\bos\.OpenFile\("), "file", 0, r"O_(?:WRONLY|RDWR|CREATE|APPEND)"),
    (re.compile(r"\bfile_put_contents\("), "file", 0, None),
    (re.compile(r"\bfopen\("), "file", 0, r"""['"][wax]"""),
]
_LITERAL = re.compile(r"""\s*(?:(['"`])((?:(?!\1)[^\\\n])*)\1|r(['"])((?:(?!\3).)*)\3)\s*$""")


def _call_arguments(text: str, start: int) -> list[str]:
    """The top-level arguments of a call whose opening parenthesis ends at `start` (bounded)."""
    args, depth, current, quote, i = [], 0, [], None, start
    while i < len(text) and i < start + 2000:
        ch = text[i]
        if quote:
            current.append(ch)
            if ch == "\\" and i + 1 < len(text):
                current.append(text[i + 1])
                i += 1
            elif ch == quote:
                quote = None
        elif ch in "'\"`":
            quote = ch
            current.append(ch)
        elif ch in "([{":
            depth += 1
            current.append(ch)
        elif ch in ")]}":
            if depth == 0:
                args.append("".join(current))
                return args
            depth -= 1
            current.append(ch)
        elif ch == "," and depth == 0:
            args.append("".join(current))
            current = []
        else:
            current.append(ch)
        i += 1
    args.append("".join(current))
    return args


def _find_writes(program: Program) -> None:
    wd = program.workdir
    for step in program.steps:
        words = list(step.argv)
        for n, w in enumerate(words):
            if w is None:
                continue
            flag, _, value = w.partition("=")
            if not value and n + 1 < len(words):
                value = words[n + 1] or ""
                if words[n + 1] is None and (flag in _FILE_FLAGS or flag in _DIR_FLAGS):
                    program.writes.append(Write(None, "file", step.where, f"{flag} {words[n + 1]}"))
                    continue
            is_gunicorn_pid = flag == "-p" and step.name == "gunicorn"
            if flag in _FILE_FLAGS or flag in _DIR_FLAGS or is_gunicorn_pid:
                if value and value not in _NOT_FILES:
                    kind = "dir" if flag in _DIR_FLAGS else "file"
                    program.writes.append(Write(_place(value, wd), kind, step.where, f"{flag} {value}"))
        if step.name == "tee":
            for w in step.argv[1:]:
                if w is None:
                    program.writes.append(Write(None, "file", step.where, "tee of a computed path"))
                elif not w.startswith("-") and w not in _NOT_FILES:
                    program.writes.append(Write(_place(w, wd), "file", step.where, f"tee {w}"))
        for r in step.redirects:
            m = re.match(r"\s*\d*(>>?|&>>?)\s*(\S+)", r)
            if m and not m.group(2).startswith("&"):
                target = m.group(2).strip("\"'")
                if target in _NOT_FILES:
                    continue
                placed = None if "$" in target or "`" in target else _place(target, wd)
                program.writes.append(Write(placed, "file", step.where, f"{m.group(1)} {target}"))
    for rel, text in program.configs:
        name = rel.rsplit("/", 1)[-1]
        for m in _CONFIG_WRITES.finditer(text):
            key, value = m.group(1), m.group(2)
            if key == "daemonize" or value.lower() in ("-", "off", "none", "no", "false", "stdout", "stderr") \
                    or value in _NOT_FILES or value.startswith(("/dev/", "syslog")) or value.startswith("|"):
                continue
            if key == "dir" and not name.endswith(".conf"):
                continue
            line = text.count("\n", 0, m.start(1)) + 1
            placed = None if "$" in value or "{" in value else _place(value, wd)
            kind = "dir" if key in _DIR_SETTINGS else "file"
            program.writes.append(Write(placed, kind, f"{name}:{line}", f"{key} {value}"))
    for rel, text in program.sources:
        name = rel.rsplit("/", 1)[-1]
        for pattern, kind, index, rest in _SOURCE_WRITES:
            for m in pattern.finditer(text):
                line_start = text.rfind("\n", 0, m.start()) + 1
                if text[line_start:m.start()].lstrip().startswith(("#", "//", "*")):
                    continue  # a comment
                line = text.count("\n", 0, m.start()) + 1
                call = m.group(0).rstrip("( ").split("(", 1)[0].split("{", 1)[0].strip()
                if index < 0:  # the path follows the match directly (multer's dest)
                    args = _call_arguments(text, m.end())
                    args = [args[0].split("}", 1)[0]] if args else []
                    index = 0
                else:
                    args = _call_arguments(text, m.end())
                if len(args) <= index or not args[index].strip():
                    continue
                if rest is not None and not re.search(rest, ",".join(args[index + 1:])):
                    continue
                arg = args[index].strip()
                if re.match(r"\w+\s*=(?!=)", arg) or arg.startswith(("function", "(", "async")) or "=>" in arg:
                    continue  # a keyword argument or a callback (`form.save(commit=False)`, `doc.save(function …)`)
                lit = _LITERAL.match(arg)
                value = (lit.group(2) if lit.group(2) is not None else lit.group(4)) if lit else None
                if value is None or (lit.group(1) == "`" and "${" in value):
                    program.writes.append(Write(None, kind, f"{name}:{line}", f"{call}({arg[:40]})"))
                    continue
                if value in _NOT_FILES or value == ":memory:" or not value:
                    continue
                program.writes.append(Write(_place(value, wd), kind, f"{name}:{line}", f"{call}({value!r})"))


def _place(value: str, workdir: str) -> str | None:
    if "$" in value or "`" in value:
        return None
    if value.startswith("~"):
        return None
    return posixpath.normpath(posixpath.join(workdir, value))
