"""From paths to exit code: find Dockerfiles, read them, refactor, print, write.

One file's failure never stops the others; the exit code is the worst one.
Before anything is written, the output is parsed again and the final image's
configuration compared with the input's (the safety net): a rule that broke
either is a bug, reported as an internal error, and the file is left as it was.
"""

from __future__ import annotations

import fnmatch
import os
import sys
import tempfile
import traceback
from dataclasses import dataclass, field
from pathlib import Path

from .config import Config, ConfigError, load_config

EXIT_OK, EXIT_CHANGES, EXIT_INPUT, EXIT_INTERNAL = 0, 1, 2, 3

DISCOVERY = ("Dockerfile", "Dockerfile.*", "*.Dockerfile", "*.dockerfile", "Containerfile", "Containerfile.*")
SKIP_DIRS = {".git", ".hg", ".svn", "node_modules", ".venv", "venv", "__pycache__", ".tox"}


@dataclass
class Request:
    mode: str = "diff"  # diff, check, write
    stdin_filename: str | None = None
    context: str | None = None
    select: list[str] | None = None
    ignore: list[str] | None = None
    level: str | None = None  # None: from the configuration, else "review"
    output_format: str = "text"
    target: str | None = None
    pin_digests: bool = False
    quiet: bool = False


@dataclass
class FileOutcome:
    path: str
    status: str  # changed, unchanged, skipped, failed
    exit_code: int
    result: object | None = None
    diff: str | None = None
    error: str | None = None
    reasons: list[str] = field(default_factory=list)


def is_dockerfile_name(name: str) -> bool:
    return any(fnmatch.fnmatchcase(name, g) for g in DISCOVERY)


def discover(path: Path, excludes: tuple[str, ...] = ()) -> list[Path]:
    """Dockerfiles below a directory, sorted; symlinked directories are not followed."""
    found = []
    for dirpath, dirnames, filenames in os.walk(path, followlinks=False):
        dirnames[:] = sorted(d for d in dirnames if d not in SKIP_DIRS)
        for name in sorted(filenames):
            if is_dockerfile_name(name):
                p = Path(dirpath) / name
                if not _excluded(p, path, excludes):
                    found.append(p)
        dirnames[:] = [d for d in dirnames if not _excluded(Path(dirpath) / d, path, excludes)]
    return found


def _excluded(p: Path, root: Path, excludes: tuple[str, ...]) -> bool:
    if not excludes:
        return False
    rel = p.relative_to(root).as_posix()
    for g in excludes:
        g = g.rstrip("/")
        if fnmatch.fnmatchcase(rel, g) or fnmatch.fnmatchcase(rel, g + "/*") or rel.startswith(g + "/") or rel == g:
            return True
    return False


def read_dockerfile(path: str) -> tuple[str, str | None]:
    """The file's text, or an error message naming path:line:col."""
    p = Path(path)
    try:
        if p.is_dir():
            return "", f"{path}: is a directory"
        data = p.read_bytes()
    except OSError as e:
        return "", f"{path}: cannot read: {e.strerror or e}"
    return decode(data, path)


def decode(data: bytes, path: str) -> tuple[str, str | None]:
    try:
        return data.decode("utf-8"), None
    except UnicodeDecodeError as e:
        line = data.count(b"\n", 0, e.start) + 1
        col = e.start - (data.rfind(b"\n", 0, e.start) + 1) + 1
        return "", f"{path}:{line}:{col}: not UTF-8 text: invalid byte 0x{data[e.start]:02x} at offset {e.start}"


def run_paths(paths: list[str], req: Request) -> int:
    outcomes: list[FileOutcome] = []
    for raw in paths:
        if raw == "-":
            outcomes.append(_stdin(req))
            continue
        p = Path(raw)
        if p.is_dir():
            try:
                config = load_config(p)
            except ConfigError as e:
                outcomes.append(FileOutcome(raw, "failed", EXIT_INPUT, error=str(e)))
                continue
            excludes = _relative_excludes(config, p)
            found = discover(p, excludes)
            if not found and not req.quiet:
                print(f"refactor: no Dockerfile found under {raw}", file=sys.stderr)
            for f in found:
                outcomes.append(process_file(str(f), req))
        else:
            outcomes.append(process_file(raw, req))
    return _report(outcomes, req, stdin_mode="-" in paths)


def _relative_excludes(config: Config, root: Path) -> tuple[str, ...]:
    if not config.exclude or config.root is None:
        return ()
    out = []
    base = root.resolve()
    for g in config.exclude:
        full = (config.root / g.rstrip("/")).resolve()
        try:
            out.append(full.relative_to(base).as_posix())
        except ValueError:
            if not g.startswith("/"):
                out.append(g)
    return tuple(out)


def _stdin(req: Request) -> FileOutcome:
    name = req.stdin_filename or "-"
    data = sys.stdin.buffer.read()
    text, error = decode(data, name)
    if error:
        print(error, file=sys.stderr)
        return FileOutcome(name, "failed", EXIT_INPUT, error=error)
    base = Path(req.stdin_filename).parent if req.stdin_filename else None
    outcome = refactor_text(text, name, req, context_dir=req.context or (str(base) if base else None),
                            config_dir=base)
    if outcome.status == "failed":
        return outcome
    # the whole new file goes to stdout, changed or not; diagnostics to stderr
    sys.stdout.write(outcome.result.code if outcome.result is not None else text)
    sys.stdout.flush()
    outcome.diff = None
    return outcome


def process_file(path: str, req: Request) -> FileOutcome:
    text, error = read_dockerfile(path)
    if error:
        return FileOutcome(path, "failed", EXIT_INPUT, error=error)
    ctx = req.context or str(Path(path).parent)
    outcome = refactor_text(text, path, req, context_dir=ctx, config_dir=Path(path).parent)
    if outcome.status == "changed" and req.mode == "write":
        try:
            write_atomic(Path(path), outcome.result.code, expected=text)
        except _ChangedOnDisk:
            outcome.status, outcome.exit_code = "failed", EXIT_INPUT
            outcome.error = f"{path}: changed on disk while it was being refactored; not written"
        except OSError as e:
            outcome.status, outcome.exit_code = "failed", EXIT_INPUT
            outcome.error = f"{path}: cannot write: {e.strerror or e}"
    return outcome


def refactor_text(text: str, path: str, req: Request, *, context_dir: str | None, config_dir: Path | None) -> FileOutcome:
    from .engine.engine import refactor
    from .model import Options
    from .syntax import ParseError

    try:
        config = load_config(config_dir) if config_dir is not None else load_config(Path.cwd())
    except ConfigError as e:
        return FileOutcome(path, "failed", EXIT_INPUT, error=str(e))
    level = req.level or config.level or "review"
    options = Options(
        pin_table=config.pin_table_path,
        pin_date=config.pin_date,
        pin_digests=req.pin_digests,
        target=req.target or config.target,
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
    problem = safety_net(result, options.target)
    if problem:
        return FileOutcome(path, "failed", EXIT_INTERNAL, result=result,
                           error=f"{path}: internal error: the refactored file {problem}; nothing written")
    if result.skipped and result.skipped[0][1] == "no instructions":
        return FileOutcome(path, "skipped", EXIT_OK, result=result, reasons=["no instructions"])
    if not result.changed:
        return FileOutcome(path, "unchanged", EXIT_OK, result=result)
    from .output import unified_diff

    code = EXIT_CHANGES if req.mode == "check" else EXIT_OK
    return FileOutcome(path, "changed", code, result=result, diff=unified_diff(result.original, result.code, path))


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
    old = result.original_tree if result.original_tree is not None else parse(result.original)
    problems = image_config(old, target).kept_by(image_config(new, target))
    if problems:
        return "changes the final image's configuration: " + "; ".join(problems)
    return None


class _ChangedOnDisk(Exception):
    pass


def write_atomic(path: Path, text: str, *, expected: str | None = None) -> None:
    """Replace `path` with `text`: temporary file in the same folder, fsync, rename; mode kept."""
    data = text.encode("utf-8")
    st = path.stat()
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
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise


# --- output ---------------------------------------------------------------------------------


def _report(outcomes: list[FileOutcome], req: Request, *, stdin_mode: bool = False) -> int:
    """Diffs and reports to stdout; with stdin, stdout carries the new file and all else goes to stderr."""
    from .output import colorize, file_dict, text_lines, to_github, to_json, to_sarif, use_color

    fmt = req.output_format
    out = sys.stderr if stdin_mode else sys.stdout
    if fmt == "text":
        color = use_color(out)
        for o in outcomes:
            if o.status == "failed":
                print(o.error, file=sys.stderr)
                continue
            if o.diff and req.mode in ("diff", "check") and not stdin_mode:
                out.write(colorize(o.diff) if color else o.diff)
            if o.result is not None and not req.quiet:
                for line in text_lines(o.result, o.path, color=color):
                    print(line, file=out)
        out.flush()
        if not req.quiet:
            _summary(outcomes, req)
    else:
        files = [file_dict(o.path, o.result, status=o.status, error=o.error, diff=o.diff) for o in outcomes]
        if fmt == "json":
            payload = to_json(files)
        elif fmt == "sarif":
            from .rules import all_rules

            payload = to_sarif(files, all_rules())
        else:
            payload = to_github(files)
        out.write(payload)
        for o in outcomes:
            if o.status == "failed" and fmt == "github":
                print(o.error, file=sys.stderr)
    return max((o.exit_code for o in outcomes), default=EXIT_OK)


def _summary(outcomes: list[FileOutcome], req: Request) -> None:
    changed = [o for o in outcomes if o.status == "changed"]
    n_changes = sum(len(o.result.changes) for o in changed)
    held = sum(len(o.result.suggestions) for o in outcomes if o.result is not None)
    failed = [o for o in outcomes if o.status == "failed"]
    verb = {"diff": "would change", "check": "would change", "write": "changed"}[req.mode]
    parts = []
    if len(outcomes) > 1 or changed:
        parts.append(f"{len(changed)} of {len(outcomes)} file{'s' if len(outcomes) != 1 else ''} {verb} ({n_changes} change{'s' if n_changes != 1 else ''})")
    if held:
        parts.append(f"{held} unsafe suggestion{'s' if held != 1 else ''} held back (use --unsafe-fixes)")
    skipped = [o for o in outcomes if o.status == "skipped"]
    if skipped:
        parts.append(f"{len(skipped)} skipped ({', '.join(sorted({r for o in skipped for r in o.reasons}))})")
    if failed and len(outcomes) > 1:
        parts.append(f"{len(failed)} failed")
    if parts:
        print("; ".join(parts), file=sys.stderr)
