"""From paths to exit code: find Dockerfiles, read them, refactor, print, write.

One file's failure never stops the others; the exit code is the worst one.
Before anything is written, the output is parsed again and the final image's
configuration compared with the input's (the safety net): a rule that broke
either is a bug, reported as an internal error, and the file is left as it was.
Many files are processed in parallel worker processes (`-j`), each of which
reads, refactors and writes its files; the parent prints in a stable order.
"""

from __future__ import annotations

import os
import sys
import tempfile
import traceback
from dataclasses import dataclass, field
from pathlib import Path

from .config import ConfigError, load_config
from .discovery import Target, collect

EXIT_OK, EXIT_CHANGES, EXIT_INPUT, EXIT_INTERNAL = 0, 1, 2, 3
MAX_BYTES = 4 * 1024 * 1024  # no Dockerfile is this large: a file over it is skipped, not parsed


@dataclass
class Request:
    mode: str = "diff"  # diff, check, write
    show_diff: bool = False  # --diff given: the diff under --check, and instead of the new file for stdin
    color: str = "auto"  # auto, always, never
    stdin_filename: str | None = None
    context: str | None = None
    select: list[str] | None = None
    ignore: list[str] | None = None
    level: str | None = None  # None: from the configuration, else "review"
    output_format: str = "text"
    target: str | None = None
    pin_digests: bool = False
    quiet: bool = False
    jobs: int | None = None  # worker processes; None: all cores
    exclude: list[str] = field(default_factory=list)
    shard: tuple[int, int] | None = None  # (K, N): the K-th of N shares, 1-based
    report: str | None = None  # JSON report path
    report_md: str | None = None  # Markdown summary path


@dataclass
class FileOutcome:
    """What happened to one file; small enough to travel back from a worker process."""

    path: str
    status: str  # changed, unchanged, skipped, failed
    exit_code: int
    diff: str | None = None
    error: str | None = None
    reasons: list[str] = field(default_factory=list)  # why it was skipped
    changes: list = field(default_factory=list)
    suggestions: list = field(default_factory=list)
    skipped: list[tuple[str, str]] = field(default_factory=list)  # rules that looked and declined
    new_text: str | None = None  # the refactored text (kept only for standard input)
    line_text: dict[int, str] = field(default_factory=dict)  # the input's lines where findings start (--format gitlab)
    # second files the changes write (a proposed .dockerignore): path -> (text now or None when new, new text);
    # written by the parent once per path, since Dockerfiles that share a context propose the same file
    files: dict[str, tuple[str | None, str]] = field(default_factory=dict)
    stdin: bool = False  # read from standard input: second files are suggestions, never written


# --- reading -------------------------------------------------------------------------------------


def read_dockerfile(path: str) -> tuple[str, str | None]:
    """The file's text, or an error message naming the path (and line:col for bad bytes)."""
    text, error, _ = _read(path)
    return text, error


def _read(path: str, *, named: bool = False) -> tuple[str, str | None, str | None]:
    """(text, error, skip reason). A binary file found below a directory is skipped; one `named`
    on the command line is an input error, as a missing one is."""
    p = Path(path)
    try:
        if p.is_dir():
            return "", f"{path}: is a directory, not a Dockerfile", None
        if not p.is_file() and p.exists():
            return "", None, "not a regular file"
        size = p.stat().st_size
        if size > MAX_BYTES:
            return "", None, f"larger than {MAX_BYTES // (1024 * 1024)} MiB"
        data = p.read_bytes()
    except OSError as e:
        return "", f"{path}: cannot read: {e.strerror or e}", None
    if b"\x00" in data[:8192]:
        if not named:
            return "", None, "binary file (NUL bytes)"
        text, error = decode(data, path)
        if error:
            return "", error, None
        offset = data.index(b"\x00")
        line = data.count(b"\n", 0, offset) + 1
        col = offset - (data.rfind(b"\n", 0, offset) + 1) + 1
        return "", f"{path}:{line}:{col}: not a Dockerfile: binary content (a NUL byte at offset {offset})", None
    text, error = decode(data, path)
    return text, error, None


def decode(data: bytes, path: str) -> tuple[str, str | None]:
    try:
        return data.decode("utf-8"), None
    except UnicodeDecodeError as e:
        line = data.count(b"\n", 0, e.start) + 1
        col = e.start - (data.rfind(b"\n", 0, e.start) + 1) + 1
        return "", f"{path}:{line}:{col}: not UTF-8 text: invalid byte 0x{data[e.start]:02x} at offset {e.start}"


# --- the run -------------------------------------------------------------------------------------


def run_paths(paths: list[str], req: Request) -> int:
    problem = _check_request(req)
    if problem:
        print(f"refactor: {problem}", file=sys.stderr)
        return EXIT_INPUT
    stdin_mode = "-" in paths
    targets, early = collect([p for p in paths if p != "-"], req.exclude, req.shard)
    outcomes: list[FileOutcome] = [FileOutcome(u.path, "failed", EXIT_INPUT, error=u.error) if u.error
                                   else FileOutcome(u.path, "skipped", EXIT_OK, reasons=[u.reason]) for u in early]
    if stdin_mode:
        outcomes.append(_stdin(req))
    outcomes.extend(_process_all(targets, req))
    _second_files(outcomes, req)
    return _report(outcomes, req, stdin_mode=stdin_mode, bulk=len(targets) + len(early) > 1)


def _check_request(req: Request) -> str | None:
    """Usage errors the parser of options cannot see: unknown rule codes, a missing context."""
    from .rules import unknown_codes

    for option, codes in (("--select", req.select), ("--ignore", req.ignore)):
        bad = unknown_codes(codes or [])
        if bad:
            return f"{option}: no rule matches {', '.join(bad)} (see `refactor rules`)"
    if req.context is not None and not Path(req.context).is_dir():
        return f"--context {req.context}: not a directory"
    return None


def _process_all(targets: list[Target], req: Request) -> list[FileOutcome]:
    if not targets:
        return []
    jobs = req.jobs or os.cpu_count() or 1
    progress = _Progress(len(targets), enabled=not req.quiet and len(targets) > 1 and sys.stderr.isatty())
    try:
        if jobs <= 1 or len(targets) < 2 * jobs:
            results = []
            for t in targets:
                results.append(process_file(t.path, req, context=t.context, named=t.named))
                progress.advance()
            return results
        import concurrent.futures
        import multiprocessing

        context = multiprocessing.get_context("fork" if sys.platform.startswith("linux") else "spawn")
        if context.get_start_method() == "fork":
            _warm_up()  # load the engine once here: forked workers share it instead of each importing it
        chunk = max(1, min(64, len(targets) // (jobs * 8)))
        with concurrent.futures.ProcessPoolExecutor(max_workers=jobs, mp_context=context) as pool:
            results = []
            for outcome in pool.map(_work, [(t, req) for t in targets], chunksize=chunk):
                results.append(outcome)
                progress.advance()
            return results
    finally:
        progress.close()


def _warm_up() -> None:
    from .engine import engine  # noqa: F401 - imported for its side effect: the modules load
    from .model.shell import parse_script
    from .rules import all_rules
    from .syntax.parser import _table

    all_rules()
    _table()
    parse_script("true")


def _work(item: tuple[Target, Request]) -> FileOutcome:
    target, req = item
    try:
        return process_file(target.path, req, context=target.context, named=target.named)
    except Exception:  # never lose the other files to one bug
        return FileOutcome(target.path, "failed", EXIT_INTERNAL, error=f"{target.path}: internal error\n{traceback.format_exc()}")


def _stdin(req: Request) -> FileOutcome:
    name = req.stdin_filename or "-"
    data = sys.stdin.buffer.read()
    text, error = decode(data, name)
    if error:
        return FileOutcome(name, "failed", EXIT_INPUT, error=error)
    base = Path(req.stdin_filename).parent if req.stdin_filename else None
    outcome = refactor_text(text, name, req, context_dir=req.context or (str(base) if base else None), config_dir=base,
                            stdin=True)
    if outcome.status != "failed":
        # the whole new file goes to stdout, changed or not (with --diff, the diff instead); diagnostics go to stderr
        if req.show_diff:
            from .output import colorize, use_color

            diff = outcome.diff or ""
            sys.stdout.write(colorize(diff) if use_color(sys.stdout, req.color) else diff)
        else:
            sys.stdout.write(outcome.new_text if outcome.new_text is not None else text)
        sys.stdout.flush()
    outcome.diff = None
    return outcome


def process_file(path: str, req: Request, *, context: str | None = None, named: bool = False) -> FileOutcome:
    text, error, skip = _read(path, named=named)
    if error:
        return FileOutcome(path, "failed", EXIT_INPUT, error=error)
    if skip:
        return FileOutcome(path, "skipped", EXIT_OK, reasons=[skip])
    ctx = req.context or context or str(Path(path).parent)
    outcome = refactor_text(text, path, req, context_dir=ctx, config_dir=Path(path).parent)
    if outcome.status == "changed" and req.mode == "write" and outcome.new_text != text:
        try:
            # a link named on the command line stays a link: its target is what changes
            write_atomic(Path(os.path.realpath(path)), outcome.new_text, expected=text)
        except _ChangedOnDisk:
            outcome.status, outcome.exit_code, outcome.changes = "failed", EXIT_INPUT, []
            outcome.error = f"{path}: changed on disk while it was being refactored; not written"
        except ReadOnlyFile as e:
            outcome.status, outcome.exit_code, outcome.changes = "failed", EXIT_INPUT, []
            outcome.error = (f"{path}: read-only (mode {e.mode:04o}): not written; "
                             f"make it writable (chmod u+w) for refactor to change it")
        except OSError as e:
            outcome.status, outcome.exit_code, outcome.changes = "failed", EXIT_INPUT, []
            outcome.error = f"{path}: cannot write: {e.strerror or e}"
    if path != (req.stdin_filename or "-"):
        outcome.new_text = None  # nothing to carry back from a worker
    return outcome


def refactor_text(text: str, path: str, req: Request, *, context_dir: str | None, config_dir: Path | None,
                  stdin: bool = False) -> FileOutcome:
    from .engine.engine import refactor
    from .model import Options
    from .syntax import ParseError

    try:
        config = load_config(config_dir) if config_dir is not None else load_config(Path.cwd())
    except ConfigError as e:
        return FileOutcome(path, "failed", EXIT_INPUT, error=str(e))
    from .rules import unknown_codes

    bad = unknown_codes(list(config.select or []) + list(config.ignore))
    if bad:
        return FileOutcome(path, "failed", EXIT_INPUT,
                           error=f"{config.path}: no rule matches {', '.join(bad)} (see `refactor rules`)")
    level = req.level or config.level or "review"
    options = Options(
        pin_table=config.pin_table_path,
        pin_date=config.pin_date,
        pin_digests=req.pin_digests,
        target=req.target or config.target,
        user_id=config.user_id,
        buildkit=config.buildkit,
        syntax_directive=config.syntax_directive,
    )
    try:
        result = refactor(
            text,
            path=path,
            context=context_dir,
            select=req.select if req.select is not None else config.select,
            ignore=(req.ignore or []) + list(config.ignore),
            level=level,
            options=options,
        )
    except ParseError as e:
        return FileOutcome(path, "failed", EXIT_INPUT, error=str(e))
    except Exception:  # a bug of ours: report, never write
        return FileOutcome(path, "failed", EXIT_INTERNAL, error=f"{path}: internal error\n{traceback.format_exc()}")
    files = {p: (result.originals.get(p), t) for p, t in result.other_files.items()}
    changes, suggestions = result.changes, result.suggestions
    if stdin and files:  # standard output carries the Dockerfile alone: a second file is a suggestion
        import dataclasses

        held = [dataclasses.replace(c, applied=False) for c in changes if c.path in files]
        changes = [c for c in changes if c.path not in files]
        suggestions = [*suggestions, *held]
        files = {}
    found = dict(changes=changes, suggestions=suggestions, skipped=result.skipped, files=files, stdin=stdin)
    if req.output_format == "gitlab":  # its fingerprints name the line's text, not only its number
        found["line_text"] = _line_text(text, result.changes + result.suggestions)
    problem = safety_net(result, options.target)
    if problem:
        return FileOutcome(path, "failed", EXIT_INTERNAL, **found,
                           error=f"{path}: internal error: the refactored file {problem}; nothing written")
    if result.skipped and result.skipped[0][1] == "no instructions":
        return FileOutcome(path, "skipped", EXIT_OK, reasons=["no instructions"], new_text=text)
    if result.code == result.original and not files:
        return FileOutcome(path, "unchanged", EXIT_OK, **found, new_text=text)
    from .output import unified_diff

    code = EXIT_CHANGES if req.mode == "check" else EXIT_OK
    return FileOutcome(path, "changed", code, diff=unified_diff(result.original, result.code, path), **found,
                       new_text=result.code)


def _second_files(outcomes: list[FileOutcome], req: Request) -> None:
    """One proposal per second file: Dockerfiles that share a context propose it alike, and it is
    shown and written once; where they disagree, none is written and each says so. `--write` writes
    it here, atomically, and a new file only where there still is none."""
    by_path: dict[str, list[FileOutcome]] = {}
    for o in outcomes:
        if o.status != "changed":  # a file the safety net refused, or that could not be written: nothing more
            o.files = {}
            continue
        for p in o.files:
            by_path.setdefault(os.path.realpath(p), []).append(o)
    for real, owners in by_path.items():
        texts = {f for o in owners for p, f in o.files.items() if os.path.realpath(p) == real}
        if len(texts) > 1:
            for o in owners:
                name = next(p for p in o.files if os.path.realpath(p) == real)
                del o.files[name]
                dropped = [c for c in o.changes if c.path == name]
                o.changes = [c for c in o.changes if c.path != name]
                o.skipped = [*o.skipped, *{(c.code, f"{name}: the Dockerfiles that share this context would need "
                                                    f"different contents; not proposed") for c in dropped}]
                if o.status == "changed" and not o.diff and not o.files:
                    o.status, o.exit_code = "unchanged", EXIT_OK
            continue
        first = owners[0]
        for o in owners[1:]:  # listed under the first Dockerfile that proposed it: once
            name = next(p for p in o.files if os.path.realpath(p) == real)
            o.files = {p: v for p, v in o.files.items() if p != name}
        if req.mode != "write":
            continue
        name = next(p for p in first.files if os.path.realpath(p) == real)
        original, new = first.files[name]
        try:
            if original is None:
                create_atomic(Path(name), new)
            else:
                write_atomic(Path(os.path.realpath(name)), new, expected=original)
        except (_ChangedOnDisk, FileExistsError):
            first.status, first.exit_code = "failed", EXIT_INPUT
            first.error = f"{name}: changed on disk while it was being refactored; not written"
        except OSError as e:
            first.status, first.exit_code = "failed", EXIT_INPUT
            first.error = f"{name}: cannot write: {e.strerror or e}"


def create_atomic(path: Path, text: str) -> None:
    """Create `path` with `text` whole or not at all, and never over a file that appeared meanwhile."""
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".refactor", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(text.encode("utf-8"))
            f.flush()
            os.fsync(f.fileno())
        os.chmod(tmp, 0o666 & ~_umask())
        os.link(tmp, path)  # fails when the file exists: unlike a rename, never replaces one
    finally:
        try:
            os.unlink(tmp)
        except OSError:
            pass


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def _line_text(text: str, changes: list) -> dict[int, str]:
    lines = text.splitlines()
    return {c.range.start_line: lines[c.range.start_line - 1] for c in changes if 1 <= c.range.start_line <= len(lines)}


def safety_net(result, target: str | None) -> str | None:
    """Why the output must not be written, or None: it parses and keeps the image's configuration."""
    if not result.changed:
        return None
    from .model.imageconfig import image_config
    from .syntax import ParseError, parse

    try:
        new = result.tree if result.tree is not None else parse(result.code)
    except ParseError as e:
        return f"does not parse ({e.message} at line {e.line})"
    if any(c.safety == "unsafe" for c in result.changes):
        return None  # asked for with --unsafe-fixes: behaviour may change, the output must only parse
    old = result.original_tree if result.original_tree is not None else parse(result.original)
    problems = image_config(old, target).kept_by(image_config(new, target))
    if problems:
        return "changes the final image's configuration: " + "; ".join(problems)
    return None


class _ChangedOnDisk(Exception):
    pass


class ReadOnlyFile(Exception):
    """The file has no write bit for anyone: the rename would replace it all the same (and root may
    write anything), so its mode bits are what says whether it may change."""

    def __init__(self, mode: int) -> None:
        super().__init__(f"read-only (mode {mode:04o})")
        self.mode = mode


def write_atomic(path: Path, text: str, *, expected: str | None = None) -> None:
    """Replace `path` with `text`: a temporary file in the same folder, fsync, rename.

    Keeps the file's mode (and owner where allowed). Refuses (raises ReadOnlyFile) a file
    that no one may write. With `expected`, refuses (raises) when the file no longer holds
    those bytes: someone changed it meanwhile.
    """
    data = text.encode("utf-8")
    st = path.stat()
    if not st.st_mode & 0o222:
        raise ReadOnlyFile(st.st_mode & 0o7777)
    if expected is not None and path.read_bytes() != expected.encode("utf-8"):
        raise _ChangedOnDisk()
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".refactor", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.chmod(tmp, st.st_mode & 0o7777)
        try:
            os.chown(tmp, st.st_uid, st.st_gid)
        except (PermissionError, AttributeError):
            pass
        if expected is not None and path.read_bytes() != expected.encode("utf-8"):
            raise _ChangedOnDisk()
        os.replace(tmp, path)
        try:
            dir_fd = os.open(path.parent, os.O_RDONLY)
            try:
                os.fsync(dir_fd)
            finally:
                os.close(dir_fd)
        except OSError:
            pass
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise


# --- output --------------------------------------------------------------------------------------


class _Progress:
    """A rich progress bar on stderr, only on a terminal."""

    def __init__(self, total: int, *, enabled: bool) -> None:
        self.bar = None
        if enabled:
            from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

            from rich.console import Console

            self.bar = Progress(TextColumn("refactor"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn(),
                                console=Console(stderr=True), transient=True)
            self.task = self.bar.add_task("files", total=total)
            self.bar.start()

    def advance(self) -> None:
        if self.bar is not None:
            self.bar.advance(self.task)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.stop()


def _report(outcomes: list[FileOutcome], req: Request, *, stdin_mode: bool = False, bulk: bool = False) -> int:
    """Diffs and reports to stdout; with stdin, stdout carries the new file and all else goes to stderr.

    A reader that goes away (`refactor --diff | head`) ends the printing, not the run:
    files were already written, and the exit code still tells.
    """
    try:
        _print_report(outcomes, req, stdin_mode=stdin_mode, bulk=bulk)
    except BrokenPipeError:
        try:  # let the interpreter's final flush go nowhere instead of failing again
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, sys.stdout.fileno())
        except OSError:
            pass
    if req.report or req.report_md:
        from .summary import write_reports

        write_reports(outcomes, req)
    return max((o.exit_code for o in outcomes), default=EXIT_OK)


def _print_report(outcomes: list[FileOutcome], req: Request, *, stdin_mode: bool, bulk: bool) -> None:
    from .output import colorize, file_dict, text_lines, to_github, to_gitlab, to_json, to_sarif, unified_diff, use_color

    fmt = req.output_format
    out = sys.stderr if stdin_mode else sys.stdout
    if fmt == "text":
        # as black: --diff shows the diff (-q keeps it: it is what was asked for); --check names each file
        # that would change, with its changes, and the diff only with --diff; -q leaves only the errors
        color = use_color(out, req.color)
        show_diff = req.mode == "diff" or (req.mode == "check" and req.show_diff)
        for o in outcomes:
            if o.status == "failed":
                print(o.error, file=sys.stderr)
                continue
            if o.status == "skipped":
                if not req.quiet:
                    print(f"{o.path}: skipped: {'; '.join(o.reasons)}", file=sys.stderr)
                continue
            if o.diff and show_diff and not stdin_mode:
                out.write(colorize(o.diff) if color else o.diff)
            if show_diff and not stdin_mode:
                for name, (before, after) in o.files.items():
                    d = unified_diff(before, after, name)
                    out.write(colorize(d) if color else d)
            if req.quiet:
                continue
            if req.mode == "check" and o.status == "changed":
                n = len(o.changes)
                print(f"{o.path}: would change ({n} change{'s' if n != 1 else ''})", file=out)
            for line in text_lines(o, o.path, color=color):
                print(line, file=out)
        out.flush()
        if not req.quiet:
            from .summary import print_summary

            print_summary(outcomes, req, bulk=bulk)
    else:
        files = [file_dict(o.path, o, status=o.status, error=o.error, diff=o.diff) for o in outcomes]
        if fmt == "json":
            payload = to_json(files)
        elif fmt == "sarif":
            from .rules import all_rules

            payload = to_sarif(files, all_rules())
        elif fmt == "gitlab":
            payload = to_gitlab(files, {o.path: o.line_text for o in outcomes})
        else:
            payload = to_github(files)
        out.write(payload)
        # the report goes to a file (or, for github, into the log as annotations): say on stderr what failed;
        # with stdin the report itself is on stderr, where for sarif and gitlab it must stay one JSON document
        if fmt == "github" or (fmt in ("sarif", "gitlab") and not stdin_mode):
            for o in outcomes:
                if o.status == "failed":
                    print(o.error, file=sys.stderr)

