"""What the program reads at run time from its build context: the files its source and command name."""

from __future__ import annotations

import posixpath
import re
from pathlib import Path

from .build import Build, context_files


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
