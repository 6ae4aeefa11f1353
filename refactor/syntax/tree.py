"""The concrete syntax tree: every byte of the file belongs to exactly one node.

Nodes are frozen; `code` gives their exact source text back. Trivia is owned
by the node next to it: comment and blank lines belong to the instruction
they precede (those after the last instruction to the file), whitespace,
line continuations and comment lines inside an instruction are tokens of
that instruction. Each instruction also carries its meaning (keyword, flags,
arguments, exec form, heredocs) as BuildKit reads its logical line: the
scanner computes it with ports of BuildKit's own line parsers, so that it is
Docker's reading rather than a second interpretation of the tokens.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING, Iterator, NamedTuple, Union

if TYPE_CHECKING:
    from .buildkit import LineNode
    from .image import ImageRef

__all__ = [
    "Token",
    "Directive",
    "Comment",
    "BlankLine",
    "Heredoc",
    "Flag",
    "Instruction",
    "Stage",
    "Dockerfile",
]


class Token(NamedTuple):
    """A terminal of the grammar with its exact source text.

    `kind` is the terminal's name in `grammar/dockerfile.lark`: KEYWORD,
    FLAG, ARGUMENT, TEXT, JSON_ARRAY, WHITESPACE, LINE_CONTINUATION,
    COMMENT_LINE, EMPTY_LINE, NEWLINE, HEREDOC_BODY, HEREDOC_END, BOM,
    DIRECTIVE_LINE.
    """

    kind: str
    text: str

    @property
    def code(self) -> str:
        return self.text


@dataclass(frozen=True, slots=True)
class Directive:
    """A parser directive line at the top of the file (`# escape=``)."""

    name: str
    value: str
    token: Token

    @property
    def code(self) -> str:
        return self.token.text


@dataclass(frozen=True, slots=True)
class Comment:
    token: Token

    @property
    def code(self) -> str:
        return self.token.text

    @property
    def text(self) -> str:
        """The comment without its indentation, `#`, and line ending."""
        return self.token.text.strip(" \t\r\n").removeprefix("#").strip()


@dataclass(frozen=True, slots=True)
class BlankLine:
    token: Token

    @property
    def code(self) -> str:
        return self.token.text


Trivia = Union[Comment, BlankLine]


@dataclass(frozen=True, slots=True)
class Heredoc:
    """A here-document body attached to RUN, COPY or ADD, with its terminator line."""

    name: str
    content: str
    chomp: bool
    expand: bool
    file_descriptor: int
    body: Token | None
    terminator: Token

    @property
    def code(self) -> str:
        return (self.body.text if self.body else "") + self.terminator.text


@dataclass(frozen=True, slots=True)
class Flag:
    """A `--name=value` flag as BuildKit reads it (quotes and escapes resolved)."""

    name: str
    value: str | None
    text: str  # BuildKit's string, e.g. "--mount=type=cache,target=/root/.cache"


@dataclass(frozen=True, eq=False)
class Instruction:
    """One instruction: its leading trivia lines, its tokens, and its heredoc bodies.

    `tokens` holds the instruction's own line(s): keyword, whitespace,
    continuations, flags, arguments, the final line ending; for ONBUILD the
    trigger's tokens follow in place. `meaning` is BuildKit's reading of the
    logical line.
    """

    leading: tuple[Trivia, ...]
    tokens: tuple[Token, ...]
    heredocs: tuple[Heredoc, ...]
    meaning: "LineNode"
    start_line: int  # 1-based line of the keyword
    end_line: int  # last line, heredoc terminators included

    @property
    def code(self) -> str:
        return "".join(t.code for t in self.leading) + self.own_code

    @property
    def own_code(self) -> str:
        """The instruction's text without its leading comment and blank lines."""
        return "".join(t.text for t in self.tokens) + "".join(h.code for h in self.heredocs)

    # --- meaning, as BuildKit reads it ---------------------------------------------

    @property
    def keyword(self) -> str:
        """The instruction in upper case: `RUN`, `COPY`, `ONBUILD`…"""
        return self.meaning.keyword.upper()

    @property
    def keyword_text(self) -> str:
        """The keyword as written (`run`, `Run`)."""
        return self.meaning.keyword

    @property
    def original(self) -> str:
        """The logical line: continuations joined, comment lines inside removed."""
        return self.meaning.original

    @cached_property
    def flags(self) -> tuple[Flag, ...]:
        return tuple(_flag(f) for f in self.meaning.flags)

    def flag(self, name: str) -> str | None:
        """The value of the last `--name` flag, or None when absent."""
        value = None
        for f in self.flags:
            if f.name == name:
                value = f.value if f.value is not None else ""
        return value

    @property
    def is_exec_form(self) -> bool:
        """JSON (exec) form as BuildKit decides it: a valid JSON array of strings."""
        return self.meaning.effective.json

    @property
    def json(self) -> bool:
        return self.is_exec_form

    @cached_property
    def arguments(self) -> tuple[str, ...]:
        """BuildKit's argument list (for ENV/LABEL: key, value, key, value…)."""
        node = self.meaning.effective
        if node.keyword.lower() in ("env", "label"):
            return tuple(v for i, v in enumerate(node.values) if i % 3 != 2)
        return tuple(node.values)

    @property
    def trigger_keyword(self) -> str | None:
        """For ONBUILD, the trigger's keyword in upper case."""
        sub = self.meaning.sub
        return sub.keyword.upper() if sub is not None else None

    @cached_property
    def trigger_flags(self) -> tuple[Flag, ...]:
        sub = self.meaning.sub
        return tuple(_flag(f) for f in sub.flags) if sub is not None else ()

    @cached_property
    def pairs(self) -> tuple[tuple[str, str], ...]:
        """ENV, LABEL: the (key, value) pairs, values as written (quotes kept)."""
        node = self.meaning.effective
        if node.keyword.lower() in ("env", "label"):
            v = node.values
            return tuple((v[i], v[i + 1]) for i in range(0, len(v), 3))
        if node.keyword.lower() == "arg":
            return tuple((a.partition("=")[0], a.partition("=")[2]) for a in node.values)
        return ()

    @property
    def is_legacy_key_value(self) -> bool:
        """`ENV KEY value` rather than `ENV KEY=value`."""
        v = self.meaning.effective.values
        return self.keyword in ("ENV", "LABEL") and len(v) == 3 and v[2] == ""

    def dump(self) -> str:
        """BuildKit's `Node.Dump()` s-expression, for comparing with its test files."""
        from .dump import dump_instruction

        return dump_instruction(self)

    def __repr__(self) -> str:
        return f"<Instruction {self.keyword} line {self.start_line}: {self.original[:40]!r}>"


def _flag(text: str) -> Flag:
    if text.startswith("--"):
        name, eq, value = text[2:].partition("=")
        return Flag(name, value if eq else None, text)
    return Flag(text, None, text)


@dataclass(frozen=True, eq=False)
class Stage:
    """A build stage: a FROM and the instructions up to the next FROM."""

    index: int
    from_instruction: Instruction
    instructions: tuple[Instruction, ...]

    @property
    def name(self) -> str | None:
        """The stage name (`AS build`), lower-cased as BuildKit does; None if unnamed."""
        args = self.from_instruction.arguments
        if len(args) == 3 and args[1].lower() == "as":
            return args[2].lower()
        return None

    @property
    def base_name(self) -> str:
        """The base image as written, before ARG substitution."""
        return self.from_instruction.arguments[0]

    @property
    def platform(self) -> str | None:
        return self.from_instruction.flag("platform")

    @cached_property
    def base(self) -> "ImageRef":
        from .image import ImageRef

        return ImageRef.parse(self.base_name)


@dataclass(frozen=True, eq=False)
class Dockerfile:
    """A parsed Dockerfile. `code` is the exact text it was parsed from."""

    header: tuple[Token | Directive, ...]  # BOM and parser directive lines
    instructions: tuple[Instruction, ...]
    trailing: tuple[Trivia, ...]  # comment and blank lines after the last instruction
    escape: str = "\\"
    path: str | None = field(default=None, compare=False)

    @property
    def code(self) -> str:
        parts = [n.code for n in self.header]
        parts += [i.code for i in self.instructions]
        parts += [t.code for t in self.trailing]
        return "".join(parts)

    @property
    def directives(self) -> tuple[Directive, ...]:
        return tuple(n for n in self.header if isinstance(n, Directive))

    def directive(self, name: str) -> str | None:
        for d in self.directives:
            if d.name == name:
                return d.value
        return None

    @property
    def has_bom(self) -> bool:
        return bool(self.header) and isinstance(self.header[0], Token) and self.header[0].kind == "BOM"

    @cached_property
    def stages(self) -> tuple[Stage, ...]:
        stages: list[Stage] = []
        current: list[Instruction] = []
        start: Instruction | None = None
        for ins in self.instructions:
            if ins.keyword == "FROM":
                if start is not None:
                    stages.append(Stage(len(stages), start, tuple(current)))
                start, current = ins, [ins]
            elif start is not None:
                current.append(ins)
        if start is not None:
            stages.append(Stage(len(stages), start, tuple(current)))
        return tuple(stages)

    @property
    def global_args(self) -> tuple[Instruction, ...]:
        """ARG instructions before the first FROM (usable in FROM lines)."""
        out = []
        for ins in self.instructions:
            if ins.keyword == "FROM":
                break
            if ins.keyword == "ARG":
                out.append(ins)
        return tuple(out)

    def walk(self) -> Iterator[Token]:
        """Every token of the file in order; their texts concatenate to `code`."""
        for n in self.header:
            yield n.token if isinstance(n, Directive) else n
        for ins in self.instructions:
            for t in ins.leading:
                yield t.token
            yield from ins.tokens
            for h in ins.heredocs:
                if h.body is not None:
                    yield h.body
                yield h.terminator
        for t in self.trailing:
            yield t.token

    def dump(self) -> str:
        """BuildKit's AST dump of the whole file."""
        return "\n".join(i.dump() for i in self.instructions) + ("\n" if self.instructions else "")
