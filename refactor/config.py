"""Configuration: `[tool.refactor]` in pyproject.toml, or `.refactor.toml`, found upward.

The nearest of the two, searching from the Dockerfile's directory upward,
wins; command-line options override it. Keys use the command line's names:

    [tool.refactor]
    select = ["HY", "PN001"]
    ignore = ["HC"]
    level = "review"            # or "safe" (like --safe-only), "unsafe" (like --unsafe-fixes)
    exclude = ["corpus/", "vendor/**"]
    pin-table = "ci/pins.toml"  # replaces the bundled table of current releases
    pin-date = "2026-11-01"     # use that table as it stood on that day
    target = "runtime"          # the stage treated as final
    user-id = 10001             # uid and gid of the user US001 adds
    buildkit = false            # for the legacy builder: no BuildKit-only syntax (cache and secret
                                # mounts, the syntax directive)
    syntax-directive = false    # BuildKit features, but no `# syntax=` line: offline builders cannot
                                # fetch the frontend image it names
"""

from __future__ import annotations

import tomllib
from functools import lru_cache
from dataclasses import dataclass, field
from pathlib import Path

__all__ = ["Config", "ConfigError", "load_config"]

KEYS = {"select", "ignore", "level", "unsafe-fixes", "safe-only", "exclude", "pin-table", "pin-date", "target", "extend-select", "user-id", "buildkit",
        "syntax-directive"}


class ConfigError(ValueError):
    pass


@dataclass(frozen=True)
class Config:
    path: Path | None = None  # the file it came from
    select: tuple[str, ...] | None = None
    ignore: tuple[str, ...] = ()
    level: str | None = None
    exclude: tuple[str, ...] = ()
    pin_table: str | None = None
    pin_date: str | None = None
    target: str | None = None
    user_id: int | None = None
    buildkit: bool = True
    syntax_directive: bool = True
    root: Path | None = field(default=None)  # the directory the file is in

    @property
    def pin_table_path(self) -> str | None:
        if self.pin_table is None:
            return None
        p = Path(self.pin_table)
        if not p.is_absolute() and self.root is not None:
            p = self.root / p
        return str(p)


def load_config(start: str | Path | None) -> Config:
    """The configuration that applies to files in `start` (a directory or a file)."""
    if start is None:
        start = Path.cwd()
    here = Path(start).resolve()
    if not here.is_dir():
        here = here.parent
    return _load_from(here)


@lru_cache(maxsize=1024)
def _load_from(here: Path) -> Config:
    # cached per directory for the life of the process: a bulk run reads each file once
    for folder in (here, *here.parents):
        pyproject = folder / "pyproject.toml"
        if pyproject.is_file():
            data = _read(pyproject)
            table = data.get("tool", {}).get("refactor")
            if table is not None:
                return _config(table, pyproject)
        dotfile = folder / ".refactor.toml"
        if dotfile.is_file():
            return _config(_read(dotfile), dotfile)
    return Config()


def _read(path: Path) -> dict:
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as e:
        raise ConfigError(f"{path}: {e}") from None


def _config(table: dict, path: Path) -> Config:
    unknown = set(table) - KEYS
    if unknown:
        raise ConfigError(f"{path}: unknown key(s) in the refactor configuration: {', '.join(sorted(unknown))}")

    def codes(key: str) -> tuple[str, ...] | None:
        value = table.get(key)
        if value is None:
            return None
        if isinstance(value, str):
            value = [value]
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise ConfigError(f"{path}: {key} must be a list of rule codes")
        return tuple(value)

    level = table.get("level")
    if table.get("unsafe-fixes"):
        level = "unsafe"
    if table.get("safe-only"):
        level = "safe"
    if level is not None and level not in ("safe", "review", "unsafe"):
        raise ConfigError(f"{path}: level must be safe, review or unsafe")
    user_id = table.get("user-id")
    if user_id is not None and (not isinstance(user_id, int) or isinstance(user_id, bool) or not 0 < user_id < 2**31):
        raise ConfigError(f"{path}: user-id must be a positive whole number (a uid)")
    for key in ("buildkit", "syntax-directive"):
        if key in table and not isinstance(table[key], bool):
            raise ConfigError(f"{path}: {key} must be true or false")
    select = codes("select")
    extend = codes("extend-select")
    if extend:
        select = (select or ("ALL",)) + extend
    return Config(
        path=path,
        select=select,
        ignore=codes("ignore") or (),
        level=level,
        exclude=codes("exclude") or (),
        pin_table=table.get("pin-table"),
        pin_date=str(table["pin-date"]) if "pin-date" in table else None,
        target=table.get("target"),
        user_id=user_id,
        buildkit=table.get("buildkit", True),
        syntax_directive=table.get("syntax-directive", True),
        root=path.parent,
    )
