"""refactor: turn legacy Dockerfiles into production-grade ones, as a reviewable diff.

`refactor.parse(text)` reads a Dockerfile into a lossless tree
(`parse(text).code == text`); `refactor.ParseError` is raised for input Docker
rejects.
"""

from __future__ import annotations

__version__ = "0.1.0.dev0"

from .syntax.errors import ParseError
from .syntax.parser import parse
from .syntax.tree import Dockerfile, Instruction, Stage

__all__ = ["parse", "ParseError", "Dockerfile", "Instruction", "Stage", "__version__"]
