"""Reading Dockerfiles and writing them back: the lossless tree, BuildKit's meaning of it, and the edit API."""

from .errors import ParseError
from .parser import parse
from .tree import BlankLine, Comment, Directive, Dockerfile, Flag, Heredoc, Instruction, Stage, Token

__all__ = [
    "parse",
    "ParseError",
    "Dockerfile",
    "Instruction",
    "Stage",
    "Flag",
    "Heredoc",
    "Directive",
    "Comment",
    "BlankLine",
    "Token",
]
