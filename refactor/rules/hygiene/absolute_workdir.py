from __future__ import annotations

import posixpath
import re

from ...syntax.edits import Replace
from ...syntax.textedit import arguments_text, edit_arguments
from ...model.images import image_facts
from ..base import Fix, Rule, Safety, Skip


class AbsoluteWorkdir(Rule):
    """
    ## What it does
    Rewrites a relative `WORKDIR` as the absolute path it stands for: resolved
    against the stage's previous `WORKDIR`, or the last `WORKDIR` of the stage
    it is built `FROM`.

    ## Why
    A relative `WORKDIR` depends on every `WORKDIR` before it, in this stage
    and in the base image, so a reader cannot tell where commands run without
    following them all; moving or inserting a line silently changes it.
    hadolint reports DL3000 and BuildKit warns (WorkdirRelativePath).

    ## Example
    ```dockerfile
    WORKDIR /srv
    WORKDIR app
    ```

    ## Use instead
    ```dockerfile
    WORKDIR /srv
    WORKDIR /srv/app
    ```

    ## Fix safety
    Safe where the previous `WORKDIR` is known from the Dockerfile (an
    absolute one earlier in the stage or its parent stages, or `FROM
    scratch`): the effective directory is the same. When the stage starts
    from another image, whose own `WORKDIR` is not known here, the path is
    resolved against `/` and offered as an unsafe suggestion only: right
    for images that set no `WORKDIR`, wrong for those that do (`golang`,
    `php`). A quoted path (`WORKDIR "/srv/app/"`) loses its quotes, which
    Docker removes anyway (BuildKit's check reads it as written, as a
    relative path); quotes around spaces or variables stay. Paths with
    variables are left alone and reported as skipped, as are Windows paths.
    """

    code = "HY010"
    name = "absolute-workdir"
    title = "Make WORKDIR paths absolute"
    rationale = ("A relative WORKDIR depends on every WORKDIR before it, "
                 "so where commands run is hard to tell and easy to break.")
    resolves = ("DL3000", "WorkdirRelativePath")
    safety = Safety.SAFE

    def check(self, model):
        finals: dict[int, tuple[str | None, bool]] = {}  # stage index -> (its last WORKDIR, known from the file)
        for stage in model.stages:
            workdir, known = _start(model, stage, finals)
            for ins in stage.instructions[1:]:
                if ins.keyword != "WORKDIR" or not ins.arguments:
                    continue
                path = ins.arguments[0]
                if workdir == _WINDOWS or _is_windows(path):
                    workdir = _WINDOWS  # C:\app: Windows paths are not this rule's business
                    continue
                quoted = _QUOTED.fullmatch(path)
                if quoted and quoted.group(2).startswith("/"):
                    # Docker removes the quotes, BuildKit's check for relative paths reads them as written
                    bare = quoted.group(2)
                    workdir, known = _normal(bare), True
                    code = _with_path(model, ins, bare, written=path)
                    if code is not None:
                        yield Fix(ins, f"WORKDIR {path} written without its quotes: Docker removes them, and "
                                  "linters read a quoted path as a relative one", Safety.SAFE,
                                  (Replace(ins, code, verbatim=True),))
                    continue
                if quoted:
                    path = quoted.group(2)
                elif path[:1] in "\"'":
                    yield Skip("WORKDIR stays: its path has quotes around spaces, escapes or variables, "
                               "which this rule does not rewrite", ins)
                    inner = re.fullmatch(r"""(["'])(/[^"'\\$`]*)\1""", path)
                    workdir, known = (_normal(inner.group(2)), True) if inner else (None, known)
                    continue
                if path.startswith("/"):
                    workdir, known = (None if "$" in path else _normal(path)), True
                    continue
                if "$" in path:
                    if not path.startswith("$"):  # `$HOME`, `${APP_DIR}`: most likely absolute already
                        yield Skip("WORKDIR stays: its path depends on a variable", ins)
                    workdir = None
                    continue
                if workdir is None:
                    yield Skip("WORKDIR stays: an earlier WORKDIR depends on a variable or could not be read, "
                               "so this one cannot be resolved", ins)
                    continue
                resolved = _normal(posixpath.join(workdir, path))
                code = _with_path(model, ins, resolved, written=ins.arguments[0])
                workdir = resolved
                if code is None:
                    yield Skip("WORKDIR stays: its path (or the absolute path it stands for) has quotes or spaces, "
                               "or it is split over lines, which this rule does not rewrite", ins)
                    continue
                edit = (Replace(ins, code, verbatim=True),)
                if known:
                    message = f"WORKDIR {path} is {resolved}: an absolute path does not depend on the WORKDIRs before it"
                    yield Fix(ins, message, Safety.SAFE, edit)
                else:
                    message = f"WORKDIR {path} is {resolved} if the base image sets no WORKDIR of its own"
                    yield Fix(ins, message, Safety.UNSAFE, edit)
            finals[stage.index] = (workdir, known)


def _start(model, stage, finals) -> tuple[str | None, bool]:
    """Where the stage starts: its parent stage's last WORKDIR, `/` for scratch, else the base image's (unknown)."""
    base = stage.base_name.lower()
    parent = next((s for s in model.stages[: stage.index] if s.name == base), None)
    if parent is not None:
        return finals.get(parent.index, (None, True))
    if "windows" in (stage.platform or "").lower() or _WINDOWS_IMAGE.search(base):
        return _WINDOWS, True
    if base == "scratch":
        return "/", True
    facts = image_facts(model.base_image(stage))
    if facts.workdir is not None:
        return facts.workdir, True
    return "/", False


_DRIVE = re.compile(r"^[A-Za-z]:")
_WINDOWS = "windows"  # marks a stage whose WORKDIRs are Windows paths
_WINDOWS_IMAGE = re.compile(r"(^|/)(windows|nanoserver|servercore)([/:@-]|$)|windowsservercore", re.I)


def _is_windows(path: str) -> bool:
    return bool(_DRIVE.match(path)) or "\\" in path


def _normal(path: str) -> str:
    """Go's filepath.Clean, which BuildKit applies: no `.`/`..`, no repeated or trailing slashes."""
    cleaned = posixpath.normpath(path)
    return "/" + cleaned.lstrip("/")


# a path in quotes with nothing inside that the quotes would change: no quotes, escapes, variables or spaces
_QUOTED = re.compile(r"""(["'])([^"'\\$\s`]+)\1""")


def _with_path(model, ins, resolved: str, written: str) -> str | None:
    """The WORKDIR's own code with its path replaced; None for paths this rule does not rewrite."""
    text = arguments_text(ins)
    if text != written or (not _QUOTED.fullmatch(written) and any(ch in written for ch in "\"' \t")):
        return None
    if any(ch in resolved for ch in "\"'\\$` \t"):
        return None
    code = edit_arguments(ins, [(0, len(text), resolved)])
    new = model.reparsed(ins, code)
    if new is None or new.arguments != (resolved,):
        return None
    return code
