"""`parse(text) -> Dockerfile`: the scanner's terminals, Lark's LALR parser, our nodes.

The grammar is analysed once and cached on disk by Lark (`cache=`), so a new
process pays only for loading the tables. Lark's tree is never built: the
LALR parser calls the callbacks below as it reduces, and they return our own
frozen nodes directly.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from lark import Lark, Token as LarkToken, Transformer
from lark.exceptions import LarkError
from lark.lexer import Lexer

from .errors import ParseError
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
    builder = _Builder(scanned, path)
    try:
        return builder.finish(_lark().parse(scanned.lexemes))
    except LarkError as e:  # the scanner and the grammar disagree: a bug of ours, reported as such
        line = getattr(getattr(e, "token", None), "line", None) or 1
        raise ParseError(
            f"internal parser error: {type(e).__name__}",
            line=line,
            column=1,
            source=_line_of(text, line),
            path=path,
        ) from None


def _line_of(text: str, line: int) -> str:
    lines = text.split("\n")
    if 1 <= line <= len(lines):
        return lines[line - 1].rstrip("\r")
    return ""


# --- Lark ---------------------------------------------------------------------------------


def grammar_path() -> Path:
    """Where `dockerfile.lark` is: inside the installed package, or grammar/ in a checkout."""
    try:
        from importlib.resources import files

        p = files("refactor.grammar") / "dockerfile.lark"
        if p.is_file():
            return Path(str(p))
    except (ModuleNotFoundError, TypeError):
        pass
    return Path(__file__).resolve().parents[2] / "grammar" / "dockerfile.lark"


class _Terminals(Lexer):
    """Hands the scanner's terminals to Lark unchanged."""

    def __init__(self, lexer_conf) -> None:  # noqa: D107 - Lark's interface
        pass

    def lex(self, lexemes, parser_state=None):  # type: ignore[override]
        for lx in lexemes:
            yield LarkToken(lx.kind, lx.text, line=lx.line)


class _Callbacks(Transformer):
    """Reductions return flat token lists; `instruction` and friends return nodes."""

    def exec_form(self, children):
        return _flatten(children)

    shell_form = value = exec_form

    def heredoc(self, children):
        return ("heredoc", [_tok(c) for c in children])

    def directive(self, children):
        return ("directive", _tok(children[0]))

    def comment(self, children):
        return Comment(_tok(children[0]))

    def blank_line(self, children):
        return BlankLine(_tok(children[0]))

    def instruction(self, children):
        tokens: list[Token] = []
        heredocs = []
        for c in children:
            if isinstance(c, tuple):
                heredocs.append(c[1])
            elif isinstance(c, list):
                tokens.extend(c)
            else:
                tokens.append(_tok(c))
        return ("instruction", tokens, heredocs)

    def start(self, children):
        return children


for _name in (
    "from", "run", "cmd", "label", "maintainer", "expose", "env", "add", "copy", "entrypoint",
    "volume", "user", "workdir", "arg", "onbuild", "stopsignal", "healthcheck", "shell", "unknown",
):
    setattr(_Callbacks, f"{_name}_instruction", lambda self, children: _flatten(children))


def _tok(t) -> Token:
    if isinstance(t, Token):
        return t
    return Token(t.type, str(t))


def _flatten(children) -> list[Token]:
    out: list[Token] = []
    for c in children:
        if isinstance(c, list):
            out.extend(c)
        else:
            out.append(_tok(c))
    return out


_PARSER: Lark | None = None


def _lark() -> Lark:
    global _PARSER
    if _PARSER is None:
        grammar = grammar_path().read_text(encoding="utf-8")
        _PARSER = Lark(
            grammar,
            parser="lalr",
            lexer=_Terminals,
            transformer=_Callbacks(),
            cache=_cache_file(grammar),
            maybe_placeholders=False,
        )
    return _PARSER


def _cache_file(grammar: str) -> str | bool:
    import hashlib

    import lark

    key = hashlib.sha256((grammar + lark.__version__).encode()).hexdigest()[:16]
    folder = os.environ.get("REFACTOR_CACHE_DIR") or os.path.join(tempfile.gettempdir(), "refactor-cache")
    try:
        os.makedirs(folder, exist_ok=True)
    except OSError:
        return False
    return os.path.join(folder, f"grammar-{key}.lark-cache")


# --- nodes --------------------------------------------------------------------------------


class _Builder:
    def __init__(self, scanned, path: str | None) -> None:
        self.scanned = scanned
        self.path = path

    def finish(self, items) -> Dockerfile:
        header: list = []
        instructions: list[Instruction] = []
        pending: list = []
        meanings = iter(self.scanned.instructions)
        directives = iter(self.scanned.directives)
        for item in items:
            if isinstance(item, Token):  # BOM
                header.append(item)
            elif isinstance(item, (Comment, BlankLine)):
                pending.append(item)
            elif item[0] == "directive":
                d = next(directives)
                header.append(Directive(d.name, d.value, item[1]))
            else:
                _, tokens, heredoc_tokens = item
                scanned = next(meanings)
                heredocs = []
                for (spec, content), toks in zip(scanned.heredocs, heredoc_tokens):
                    body = toks[0] if len(toks) == 2 else None
                    heredocs.append(
                        Heredoc(spec.name, content, spec.chomp, spec.expand, spec.fd, body, toks[-1])
                    )
                instructions.append(
                    Instruction(
                        leading=tuple(pending),
                        tokens=tuple(tokens),
                        heredocs=tuple(heredocs),
                        meaning=scanned.node,
                        start_line=scanned.start_line,
                        end_line=scanned.end_line,
                    )
                )
                pending = []
        return Dockerfile(
            header=tuple(header),
            instructions=tuple(instructions),
            trailing=tuple(pending),
            escape=self.scanned.escape,
            path=self.path,
        )
