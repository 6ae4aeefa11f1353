"""The distribution lists every package, so the wheel carries all of the code."""

from __future__ import annotations

import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_every_package_of_the_tree_is_listed_in_pyproject() -> None:
    listed = set(tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]["packages"])
    found = {
        ".".join(p.parent.relative_to(ROOT).parts)
        for p in (ROOT / "refactor").rglob("__init__.py")
        if "__pycache__" not in p.parts
    }
    found.add("refactor.grammar")  # mapped from grammar/
    assert found == listed
