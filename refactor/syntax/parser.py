"""`parse(text) -> Dockerfile`: the scanner's terminals, the grammar's LALR table, our nodes.

The grammar (grammar/dockerfile.lark) is analysed by Lark once and its table
cached (see lalr.py); a parse runs that table over the scanner's terminals,
and the reductions build our frozen nodes directly.
"""

from __future__ import annotations

from .errors import ParseError
from .lalr import Table, UnexpectedTerminal, grammar_path, load_table
from .scanner import ScanError, scan
from .tree import BlankLine, Comment, Directive, Dockerfile, Heredoc, Instruction, Token

__all__ = ["parse", "grammar_path"]


def parse(text: str, *, path: str | None = None, strict: bool = True) -> Dockerfile:
    """Parse a Dockerfile. `parse(text).code == text` for every text that parses.

    Raises `ParseError` (with line, column, message and the source line) for
    input Docker rejects: what BuildKit's parser rejects, and what its
    instruction layer rejects before a build starts. `strict=False` leaves out
    the instruction layer (unknown instructions, missing arguments, bad flags)
    and accepts exactly what BuildKit's parser accepts.
    """
    if not isinstance(text, str):
        raise TypeError(f"parse() takes the text of a Dockerfile (str), not {type(text).__name__}")
    try:
        scanned = scan(text, strict=strict)
    except ScanError as e:
        raise ParseError(e.message, line=e.line, column=e.column, source=_line_of(text, e.line), path=path) from None
    try:
        items = _table().parse(scanned.tokens, _reduce, _BUILD)
    except UnexpectedTerminal as e:  # the scanner and the grammar disagree: a bug of ours
        line = _line_at(scanned.tokens, e.index)
        raise ParseError(
            f"internal error: the grammar does not expect {e.kind} here (please report this file)",
            line=line,
            column=1,
            source=_line_of(text, line),
            path=path,
        ) from None
    return _build(items, scanned, path)


def _line_of(text: str, line: int) -> str:
    lines = text.split("\n")
    if 1 <= line <= len(lines):
        return lines[line - 1].rstrip("\r")
    return ""


def _line_at(tokens, index: int) -> int:
    return 1 + sum(t.text.count("\n") for t in tokens[:index])


_TABLE: Table | None = None


def _table() -> Table:
    global _TABLE
    if _TABLE is None:
        _TABLE = load_table(grammar_path())
    return _TABLE


# --- reductions -------------------------------------------------------------------------


def _flatten(children: list) -> list:
    out: list = []
    for c in children:
        if type(c) is list:
            out.extend(c)
        else:
            out.append(c)
    return out


_BUILD = frozenset({"instruction", "comment", "blank_line", "heredoc", "directive"})


def _reduce(name: str, children: list):
    if name == "instruction":
        tokens: list[Token] = []
        heredocs = []
        for c in _flatten(children):
            if type(c) is tuple:
                heredocs.append(c[1])
            else:
                tokens.append(c)
        return ("instruction", tokens, heredocs)
    if name == "comment":
        return Comment(children[0])
    if name == "blank_line":
        return BlankLine(children[0])
    if name == "heredoc":
        return ("heredoc", children)
    if name == "directive":
        return ("directive", children[0])
    raise AssertionError(name)


def _build(items, scanned, path: str | None) -> Dockerfile:
    header: list = []
    instructions: list[Instruction] = []
    pending: list = []
    meanings = iter(scanned.instructions)
    directives = iter(scanned.directives)
    for item in items:
        if type(item) is tuple and item[0] == "instruction":
            _, tokens, heredoc_tokens = item
            info = next(meanings)
            heredocs = []
            for (spec, content), toks in zip(info.heredocs, heredoc_tokens):
                body = toks[0] if len(toks) == 2 else None
                heredocs.append(Heredoc(spec.name, content, spec.chomp, spec.expand, spec.fd, body, toks[-1]))
            instructions.append(
                Instruction(
                    leading=tuple(pending),
                    tokens=tuple(tokens),
                    heredocs=tuple(heredocs),
                    meaning=info.node,
                    start_line=info.start_line,
                    end_line=info.end_line,
                )
            )
            pending = []
        elif type(item) is tuple and item[0] == "directive":
            d = next(directives)
            header.append(Directive(d.name, d.value, item[1]))
        elif isinstance(item, (Comment, BlankLine)):
            pending.append(item)
        else:  # the BOM
            header.append(item)
    return Dockerfile(
        header=tuple(header),
        instructions=tuple(instructions),
        trailing=tuple(pending),
        escape=scanned.escape,
        path=path,
    )
