"""What a rule is: a code, a title, one sentence of why, and fixes with a safety level.

A rule module defines one subclass of `Rule`. Its docstring has the sections
*What it does*, *Why*, *Example*, *Use instead* and *Fix safety*, which
`refactor explain CODE` prints; `refactor rules` lists the class attributes.
`check(model)` yields a `Fix` per change it proposes, or a `Skip` saying why
it looked and declined.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import IntEnum
from typing import TYPE_CHECKING, ClassVar, Iterator

if TYPE_CHECKING:
    from ..syntax.edits import Edit
    from ..model import Model
    from ..syntax.tree import Instruction

__all__ = ["Safety", "Fix", "FileFix", "Skip", "Rule", "explain_text"]


class Safety(IntEnum):
    """How much a change may alter the image: applied up to the level the user chose."""

    SAFE = 0  # the built image behaves identically
    REVIEW = 1  # contents change; entrypoint, command, ports, workdir and environment are kept
    UNSAFE = 2  # the application's behaviour may change: only with --unsafe-fixes

    def __str__(self) -> str:
        return self.name.lower()

    @classmethod
    def parse(cls, value: "str | Safety") -> "Safety":
        if isinstance(value, Safety):
            return value
        try:
            return cls[value.strip().upper()]
        except KeyError:
            raise ValueError(f"unknown fix level {value!r}: use safe, review or unsafe") from None


@dataclass(frozen=True)
class Fix:
    target: "Instruction"  # the instruction the change is reported at
    message: str  # one sentence: what changes and why, for this file
    safety: Safety
    edits: tuple["Edit", ...]


@dataclass(frozen=True)
class FileFix:
    """A change to a file of the build context beside the Dockerfile (a `.dockerignore`)."""

    target: "Instruction | None"  # the instruction the change is reported at (None: the first)
    message: str
    safety: Safety
    path: str  # relative to the context's root
    text: str  # the file's whole new text
    original: str | None = None  # its text now; None: the file is new


@dataclass(frozen=True)
class Skip:
    reason: str
    target: "Instruction | None" = None
    # the file already is what the rule wants (a split file is multi-stage): not reported
    # when the rule itself made it so in this run
    settled: bool = False


class Rule:
    code: ClassVar[str]
    name: ClassVar[str]
    title: ClassVar[str]
    rationale: ClassVar[str]
    resolves: ClassVar[tuple[str, ...]] = ()  # hadolint (DLxxxx) and BuildKit check names
    safety: ClassVar[Safety] = Safety.SAFE  # the usual level; each Fix carries its own
    network: ClassVar[bool] = False  # asks a registry (only when the user asks): tested against a real one
    reports_only: ClassVar[bool] = False  # never edits: it says why a file is left as it is (MS011)

    def check(self, model: "Model") -> Iterator["Fix | Skip"]:  # pragma: no cover - interface
        raise NotImplementedError

    @property
    def area(self) -> str:
        return re.match(r"[A-Z]+", self.code).group(0)

    @classmethod
    def doc(cls) -> dict[str, str]:
        """The docstring's sections by heading."""
        return _sections(cls.__doc__ or "")


def explain_text(rule: Rule) -> str:
    """The rule's documentation as `refactor explain`, the language server's hover and its linked page show it."""
    out = [f"{rule.code} {rule.name}: {rule.title}", "", rule.rationale]
    if rule.resolves:
        out += ["", "Resolves: " + ", ".join(rule.resolves)]
    for heading, body in rule.doc().items():
        out += ["", heading, "-" * len(heading), body]
    extra = getattr(rule, "explain_extra", None)
    if callable(extra):
        out += ["", extra()]
    return "\n".join(out)


_HEADINGS = ("What it does", "Why", "Example", "Use instead", "Fix safety")


def _sections(doc: str) -> dict[str, str]:
    import inspect

    text = inspect.cleandoc(doc)
    out: dict[str, str] = {}
    current = None
    buf: list[str] = []
    for line in text.splitlines():
        heading = line.strip().rstrip(":")
        if line.startswith("## ") and line[3:].strip() in _HEADINGS:
            heading = line[3:].strip()
        if heading in _HEADINGS and (line.startswith("## ") or line.strip().endswith(":")):
            if current:
                out[current] = "\n".join(buf).strip("\n")
            current, buf = heading, []
            continue
        if current:
            buf.append(line)
    if current:
        out[current] = "\n".join(buf).strip("\n")
    return out
