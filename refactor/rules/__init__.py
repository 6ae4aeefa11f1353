"""The rules: one module each, under refactor/rules/<area>/, found by listing the folders.

The engine runs them in a fixed order: by area as below (structure first, then
the lines it moves, then BuildKit's cache mounts, before the hygiene of single
lines that would otherwise add `--no-cache-dir` and cleanups the mounts make
pointless), then by code.
"""

from __future__ import annotations

import importlib
import pkgutil
from functools import lru_cache
from pathlib import Path

from .base import FileFix, Fix, Rule, Safety, Skip, explain_text

__all__ = ["Rule", "Fix", "FileFix", "Skip", "Safety", "all_rules", "rule_by_code", "unknown_codes", "explain_text", "AREAS"]

# area prefix -> (folder, title), in the order the engine runs them
AREAS = {
    "MS": ("multistage", "multi-stage split"),
    "CO": ("cacheorder", "cache-friendly order"),
    "PN": ("pin", "pinned base images"),
    "US": ("user", "non-root user"),
    "HC": ("healthcheck", "health checks"),
    "BK": ("buildkit", "BuildKit features"),
    "HY": ("hygiene", "hygiene"),
    "CX": ("context", "build context"),
}


@lru_cache(maxsize=1)
def all_rules() -> tuple[Rule, ...]:
    rules: list[Rule] = []
    here = Path(__file__).parent
    for prefix, (folder, _) in AREAS.items():
        if not (here / folder).is_dir():
            continue
        found = []
        for info in pkgutil.iter_modules([str(here / folder)]):
            module = importlib.import_module(f"{__name__}.{folder}.{info.name}")
            for value in vars(module).values():
                if isinstance(value, type) and issubclass(value, Rule) and value is not Rule and value.__module__ == module.__name__:
                    found.append(value())
        rules.extend(sorted(found, key=lambda r: r.code))
    codes = [r.code for r in rules]
    if len(codes) != len(set(codes)):  # pragma: no cover - caught by tests
        raise RuntimeError(f"duplicate rule codes: {codes}")
    return tuple(rules)


def unknown_codes(keys) -> list[str]:
    """The selection keys (codes, prefixes, names, ALL) that match no rule: typos, to report."""
    rules = all_rules()
    bad = []
    for key in keys:
        k = key.strip()
        if not k or k.upper() == "ALL":
            continue
        if not any(r.code.startswith(k.upper()) or r.name == k.lower() for r in rules):
            bad.append(k)
    return bad


def rule_by_code(code: str) -> Rule | None:
    code = code.strip().upper()
    for r in all_rules():
        if r.code == code or r.name.upper() == code:
            return r
    return None
