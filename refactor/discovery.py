"""Which files a run works on: the paths given, and the Dockerfiles below directories.

Below a directory: the discovery names (`Dockerfile`, `Dockerfile.*`,
`*.Dockerfile`, `*.dockerfile`, `Containerfile`, `Containerfile.*`), minus
what `.gitignore` files, the configuration's `exclude` and `--exclude` leave
out. Symbolic links are never followed: a linked directory may lead out of the
tree or round in a loop, and a linked file would be replaced by a copy when
written. A compose file that builds a Dockerfile with another context names
that context. `--shard K/N` keeps a stable share of the files.
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass
from pathlib import Path

from .model.files import COMPOSE, DISCOVERY, compose_contexts as _compose_contexts, is_dockerfile_name

__all__ = ["DISCOVERY", "Target", "Unused", "collect", "discover", "is_dockerfile_name"]

SKIP_DIRS = {".git", ".hg", ".svn", "node_modules", ".venv", "venv", "__pycache__", ".tox"}


@dataclass(frozen=True)
class Target:
    path: str
    context: str | None = None  # a compose file's build context, when one names this file
    key: str = ""  # the path relative to the directory it was found under: what --shard hashes
    named: bool = False  # named on the command line, not found below a directory: it must be a Dockerfile


@dataclass(frozen=True)
class Unused:
    """A path that gives no target: skipped with a reason, or an error (no such file)."""

    path: str
    reason: str | None = None
    error: str | None = None


def collect(paths: list[str], exclude: list[str], shard: tuple[int, int] | None):
    """(targets, the paths that could not be used), in the order given, each file once."""
    targets: list[Target] = []
    early: list[Unused] = []
    seen: set[str] = set()
    for raw in paths:
        p = Path(raw)
        if p.is_symlink() and p.is_dir():
            early.append(Unused(raw, reason="symbolic link to a directory (not followed)"))
            continue
        if p.is_dir():
            found = discover(p, tuple(exclude))
            if not found:
                early.append(Unused(raw, reason="no Dockerfile found below it"))
            for t in found:
                if isinstance(t, str):  # a skipped file with its reason: it belongs to one shard too
                    path, reason = t.split("\0", 1)
                    if shard is not None and _bucket(os.path.relpath(path, p), shard[1]) != shard[0] - 1:
                        continue
                    early.append(Unused(path, reason=reason))
                elif t.path not in seen:
                    seen.add(t.path)
                    targets.append(t)
        elif not p.exists() and not p.is_symlink():
            early.append(Unused(raw, error=f"{raw}: no such file or directory"))
        elif raw not in seen:
            seen.add(raw)
            targets.append(Target(raw, key=raw, named=True))
    if shard is not None:
        k, n = shard
        targets = [t for t in targets if _bucket(t.key, n) == k - 1]
    return targets, early


def _bucket(key: str, n: int) -> int:
    return int.from_bytes(hashlib.sha1(key.encode("utf-8")).digest()[:8], "big") % n


def discover(root: Path, exclude: tuple[str, ...] = (), *, configured: bool = True) -> list:
    """Targets below `root`, sorted by path; skipped files come as "path\\0reason" strings."""
    from .config import ConfigError, load_config

    root = Path(root)
    ignores = _Ignores(root, exclude)
    try:
        config = load_config(root) if configured else None  # benchmarks leave corpus/'s exclusion aside
        if config is not None and config.exclude and config.root is not None:
            ignores.add_config(config.root, config.exclude)
    except ConfigError:
        pass  # reported per file when the files are processed
    contexts: dict[str, str] = {}
    out: list = []

    def unreadable(error: OSError) -> None:  # a folder os.walk cannot list: say so, do not drop it silently
        out.append(f"{error.filename}\0cannot read this folder ({error.strerror}); files below it were not looked at")

    for dirpath, dirnames, filenames in os.walk(root, followlinks=False, onerror=unreadable):
        here = Path(dirpath)
        ignores.enter(here, filenames)
        kept = []
        for d in sorted(dirnames):
            if d in SKIP_DIRS or os.path.islink(os.path.join(dirpath, d)):
                continue
            if ignores.specs and ignores.ignored(here / d, is_dir=True):
                continue
            kept.append(d)
        dirnames[:] = kept
        for name in filenames:
            if name in COMPOSE:
                contexts.update(_compose_contexts(here / name))
        for name in sorted(filenames):
            if not is_dockerfile_name(name):
                continue
            full = here / name
            if ignores.specs and ignores.ignored(full, is_dir=False):
                continue
            if os.path.islink(full):
                out.append(f"{full}\0symbolic link (not followed; its target, if it is a Dockerfile in the tree, is processed where it is)")
                continue
            key = full.relative_to(root).as_posix()
            out.append(Target(str(full), None, key))
    if not contexts:
        return out
    # compose files name Dockerfiles by resolved path; only then is resolving each worth it
    return [t if isinstance(t, str) else Target(t.path, contexts.get(str(Path(t.path).resolve())), t.key) for t in out]


class _Ignores:
    """.gitignore files (each relative to its folder), the configuration's exclude, and --exclude."""

    def __init__(self, root: Path, exclude: tuple[str, ...]) -> None:
        self.root = root
        self.specs: list[tuple[Path, object]] = []
        if exclude:
            self.specs.append((root, _spec(exclude)))

    def add_config(self, folder: Path, patterns) -> None:
        self.specs.append((folder, _spec(patterns)))

    def enter(self, folder: Path, filenames: list[str]) -> None:
        if ".gitignore" in filenames:
            try:
                lines = (folder / ".gitignore").read_text(encoding="utf-8", errors="replace").splitlines()
            except OSError:
                return
            self.specs.append((folder, _spec(lines)))

    def ignored(self, path: Path, *, is_dir: bool) -> bool:
        # absolute paths without resolving links: a link is judged by its own name, and a
        # link loop cannot send resolve() round in circles
        absolute = os.path.abspath(path)
        for base, spec in self.specs:
            rel = os.path.relpath(absolute, os.path.abspath(base))
            if rel == ".." or rel.startswith("../"):
                continue
            text = Path(rel).as_posix() + ("/" if is_dir else "")
            if spec.match_file(text):
                return True
        return False


def _spec(lines):
    import pathspec

    return pathspec.GitIgnoreSpec.from_lines(list(lines))


