"""refactor: turn legacy Dockerfiles into production-grade ones, as a reviewable diff.

`refactor.parse(text)` reads a Dockerfile into a lossless tree
(`parse(text).code == text`); `refactor.ParseError` is raised for input Docker
rejects. `refactor.refactor(text, path=, context=, select=, ignore=,
level=, unsafe_fixes=)` returns a `Result`: the new text and its changes.
"""

from __future__ import annotations

__version__ = "0.1.0.dev0"

from .syntax.errors import ParseError
from .syntax.parser import parse
from .syntax.tree import Dockerfile, Instruction, Stage

__all__ = ["parse", "ParseError", "Dockerfile", "Instruction", "Stage", "refactor", "Result", "Change", "__version__"]


def __getattr__(name: str):
    # the engine (rules, shell parser) loads on first use: parsing alone stays light
    if name in ("refactor", "Result", "Change"):
        from .engine import engine

        return getattr(engine, name)
    raise AttributeError(f"module 'refactor' has no attribute {name!r}")
