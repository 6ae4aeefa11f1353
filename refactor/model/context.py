"""The build context on disk: which files exist, as `docker build` will see them.

Files the context's `.dockerignore` excludes count as absent: a rule must
never `COPY` a file the build cannot see. Without a directory (stdin and no
`--context`), nothing is known to exist and rules act more cautiously.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

__all__ = ["BuildContext", "IgnoreRules", "context_files"]

_MAX_LISTED = 20000


@dataclass
class BuildContext:
    root: Path | None
    _cache: dict = field(default_factory=dict, repr=False)

    @classmethod
    def at(cls, root: str | Path | None) -> "BuildContext":
        return cls(Path(root).resolve() if root is not None else None)

    @property
    def known(self) -> bool:
        """False when there is no context directory (stdin without --context)."""
        return self.root is not None and self.root.is_dir()

    def exists(self, relpath: str) -> bool:
        """A file or directory the build can see."""
        if not self.known:
            return False
        rel = _clean(relpath)
        if rel in ("", "."):
            return True
        p = self.root / rel
        try:
            if not (p.is_file() or p.is_dir()):
                return False
        except OSError:
            return False
        return not self.ignored(rel)

    def read_text(self, relpath: str, limit: int = 1 << 20) -> str | None:
        if not self.exists(relpath):
            return None
        try:
            with open(self.root / _clean(relpath), "rb") as f:
                data = f.read(limit)
            return data.decode("utf-8", "replace")
        except OSError:
            return None

    def read_json(self, relpath: str):
        text = self.read_text(relpath)
        if text is None:
            return None
        try:
            return json.loads(text)
        except ValueError:
            return None

    def read_toml(self, relpath: str) -> dict | None:
        text = self.read_text(relpath)
        if text is None:
            return None
        import tomllib

        try:
            return tomllib.loads(text)
        except (tomllib.TOMLDecodeError, ValueError):
            return None

    def glob(self, pattern: str) -> list[str]:
        """Visible files in the context's top directory matching a glob (`requirements*.txt`)."""
        if not self.known:
            return []
        out = []
        try:
            found = sorted(self.root.glob(pattern))
        except (ValueError, NotImplementedError):  # a pattern pathlib refuses (`**conf`): match by hand
            import fnmatch

            folder = (self.root / pattern).parent if "/" in pattern else self.root
            found = sorted(p for p in folder.iterdir() if fnmatch.fnmatch(p.name, pattern.rsplit("/", 1)[-1])) \
                if folder.is_dir() else []
        for p in found:
            rel = p.relative_to(self.root).as_posix()
            if p.is_file() and not self.ignored(rel):
                out.append(rel)
        return out

    # --- .dockerignore ---------------------------------------------------------------------

    @cached_property
    def _ignore_rules(self) -> "IgnoreRules":
        if not self.known:
            return IgnoreRules(())
        try:
            text = (self.root / ".dockerignore").read_text(encoding="utf-8", errors="replace")
        except OSError:
            return IgnoreRules(())
        return IgnoreRules.parse(text)

    def ignored(self, relpath: str) -> bool:
        """Whether `.dockerignore` excludes this path (or a directory above it)."""
        return self._ignore_rules.excludes(relpath)


@dataclass(frozen=True)
class IgnoreRules:
    """The lines of a `.dockerignore`, matched as BuildKit does: from the context's root, last match wins."""

    rules: tuple[tuple[bool, re.Pattern[str]], ...]

    @classmethod
    def parse(cls, text: str) -> "IgnoreRules":
        rules = []
        for line in text.splitlines():
            line = line.strip()
            if not line or line.startswith("#"):
                continue
            negate = line.startswith("!")
            if negate:
                line = line[1:].strip()
            pattern = _clean(line)
            if not pattern:
                continue
            rules.append((negate, _compile(pattern)))
        return cls(tuple(rules))

    def excludes(self, relpath: str) -> bool:
        rel = _clean(relpath)
        excluded = False
        for negate, rx in self.rules:
            if _matches(rx, rel):
                excluded = not negate
        return excluded


def _clean(path: str) -> str:
    parts: list[str] = []
    for part in path.replace("\\", "/").split("/"):
        if part in ("", "."):
            continue
        if part == "..":
            if parts:
                parts.pop()
            continue
        parts.append(part)
    return "/".join(parts)


def _compile(pattern: str) -> re.Pattern[str]:
    out = []
    i = 0
    while i < len(pattern):
        ch = pattern[i]
        if ch == "*":
            if pattern.startswith("**", i):
                out.append(".*")
                i += 2
                if i < len(pattern) and pattern[i] == "/":
                    out[-1] = "(?:.*/)?"
                    i += 1
                continue
            out.append("[^/]*")
        elif ch == "?":
            out.append("[^/]")
        elif ch == "[":
            j = pattern.find("]", i)
            if j == -1:
                out.append(re.escape(ch))
            else:
                out.append(pattern[i:j + 1].replace("[!", "[^"))
                i = j + 1
                continue
        elif ch == "\\" and i + 1 < len(pattern):
            out.append(re.escape(pattern[i + 1]))
            i += 2
            continue
        else:
            out.append(re.escape(ch))
        i += 1
    return re.compile("".join(out) + r"\Z")


def _matches(rx: re.Pattern[str], rel: str) -> bool:
    # a pattern naming a directory excludes everything below it
    parts = rel.split("/")
    for n in range(len(parts), 0, -1):
        if rx.match("/".join(parts[:n])):
            return True
    return False


_SKIPPED_DIRS = {".git", "node_modules", "vendor", "target", "build", "dist", ".venv", "venv", "__pycache__", "bin", "obj",
                 ".mvn", ".gradle", ".m2"}  # build output, dependency folders and the caches of Maven and Gradle


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
