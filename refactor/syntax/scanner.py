"""The lexer in front of the Lark grammar: BuildKit's line loop, kept lossless.

Dockerfile lexing depends on state Lark's lexers cannot follow: the escape
character chosen by a directive, continuation lines that may be separated by
comment and blank lines, heredoc bodies that end at a word chosen on the
instruction line. This module walks the physical lines exactly as BuildKit's
`Parse` does, builds each instruction's logical line, and emits the grammar's
terminals with their exact source text. Each token knows the physical span it
covers, so the tokens concatenate to the input.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from . import buildkit as bk
from .instructions import validate
from .tree import Token

_ASCII_WS = re.compile(r"[\t\v\f\r ]+")

# Grammar terminal for each instruction keyword.
KEYWORD_TERMINALS = {
    "from": "FROM", "run": "RUN", "cmd": "CMD", "label": "LABEL", "maintainer": "MAINTAINER",
    "expose": "EXPOSE", "env": "ENV", "add": "ADD", "copy": "COPY", "entrypoint": "ENTRYPOINT",
    "volume": "VOLUME", "user": "USER", "workdir": "WORKDIR", "arg": "ARG", "onbuild": "ONBUILD",
    "stopsignal": "STOPSIGNAL", "healthcheck": "HEALTHCHECK", "shell": "SHELL",
}
_WORD_LISTS = frozenset({"from", "expose", "copy", "add", "volume"})


class ScanError(Exception):
    def __init__(self, message: str, line: int, column: int = 1) -> None:
        super().__init__(message)
        self.message = message
        self.line = line
        self.column = column


@dataclass(slots=True)
class ScannedInstruction:
    node: bk.LineNode
    start_line: int
    end_line: int
    heredocs: list[tuple[bk.HeredocSpec, str]]  # spec and content


@dataclass(slots=True)
class Scan:
    tokens: list[Token]
    instructions: list[ScannedInstruction]
    directives: list[bk.Directive]
    escape: str


def scan(text: str, *, strict: bool = True) -> Scan:
    """Terminals and meaning of `text`; `strict` adds the instruction layer's checks."""
    return _Scanner(text, strict).run()


# BuildKit reads lines with Go's bufio.Scanner, whose buffer holds 64 KiB: a longer line
# (its line ending included) fails the whole file.
MAX_LINE_BYTES = 64 * 1024


def _split_lines(text: str) -> list[str]:
    lines = text.split("\n")
    last = lines.pop()
    out = [line + "\n" for line in lines]
    if last:
        out.append(last)
    if len(text) > MAX_LINE_BYTES // 4:  # only then can a line be too long
        for number, line in enumerate(out, 1):
            if len(line) > MAX_LINE_BYTES // 4 and len(line.encode("utf-8")) > MAX_LINE_BYTES:
                raise ScanError(f"dockerfile line greater than max allowed size of {MAX_LINE_BYTES - 1}", number)
    return out


class _Scanner:
    def __init__(self, text: str, strict: bool) -> None:
        self.text = text
        self.strict = strict
        self.lines = _split_lines(text)
        self.out: list[Token] = []
        self.instructions: list[ScannedInstruction] = []
        self.directives: list[bk.Directive] = []
        self.escape = "\\"
        self.cont_re = bk.continuation_regex(self.escape)
        self.dparser = bk.DirectiveParser()
        self.seen_from = False

    def emit(self, kind: str, text: str) -> None:
        if text or kind == "NEWLINE":
            self.out.append(Token(kind, text))

    def run(self) -> Scan:
        lines = self.lines
        n = len(lines)
        i = 0
        while i < n:
            raw = lines[i]
            lineno = i + 1
            if i == 0 and raw.startswith("\ufeff"):
                self.emit("BOM", "\ufeff")
                raw = raw[1:]
            content = bk.trim_newline(raw)
            stripped = bk.trim_leading_whitespace(content)
            directive = None
            if not self.dparser.done:
                try:
                    directive = self.dparser.parse_line(stripped)
                    if directive is not None and directive.name == "escape":
                        self.escape = bk.check_escape_token(directive.value)
                        self.cont_re = bk.continuation_regex(self.escape)
                except bk.BuildKitError as e:
                    raise ScanError(str(e), lineno, len(content) - len(stripped) + 1) from None
            if directive is not None:
                self.directives.append(directive)
                self.emit("DIRECTIVE_LINE", raw)
                i += 1
                continue
            if stripped[:1] == "#":
                self.emit("COMMENT_LINE", raw)
                i += 1
                continue
            if stripped == "":
                self.emit("EMPTY_LINE", raw)
                i += 1
                continue
            i = self.instruction(i, raw, content, stripped)
        return Scan(self.out, self.instructions, self.directives, self.escape)

    # --- one instruction --------------------------------------------------------------

    def instruction(self, i: int, first: str, content: str, body: str) -> int:
        """Scan the instruction whose first line (index `i`) is `first`; return the next line index.

        `content` is that line without its line ending, `body` without its indentation.
        """
        lines = self.lines
        start_line = i + 1
        # Physical pieces in order: ("L", text) logical fragment, or (KIND, text) dropped.
        pieces: list[tuple[str, str]] = []
        indent = content[: len(content) - len(body)]
        if indent:
            pieces.append(("WHITESPACE", indent))
        end = self._fragment(pieces, body, first[len(content):])
        i += 1
        while not end and i < len(lines):
            raw = lines[i]
            i += 1
            if bk.is_comment(raw):
                pieces.append(("COMMENT_LINE", raw))
                continue
            content = bk.trim_newline(raw)
            if bk.trim_leading_whitespace(content) == "":
                pieces.append(("EMPTY_LINE", raw))
                continue
            end = self._fragment(pieces, content, raw[len(content):])
        if not end:
            pieces.append(("NEWLINE", ""))  # a continuation at the end of the file
        if len(pieces) <= 3 and pieces[-2][0] == "L":
            logical = pieces[-2][1]
        else:
            logical = "".join(t for k, t in pieces if k == "L")
        try:
            node = bk.parse_logical_line(logical, self.escape)
            if self.strict:
                validate(node)
            specs = bk.heredocs_from_line(logical) if bk.can_contain_heredoc(node) else []
        except bk.BuildKitError as e:
            line, column = self._locate(i, start_line, len(indent) + 1, e.needle, len(node_keyword(logical)))
            raise ScanError(str(e), line, column) from None
        if self.strict and not self.seen_from:
            kw = node.keyword.lower()
            if kw == "from":
                self.seen_from = True
            elif kw != "arg":
                raise ScanError("no build stage in current context", start_line, len(indent) + 1)

        self._emit_instruction(pieces, logical, node)

        heredocs = []
        for spec in specs:
            body_lines = []
            terminated = False
            while i < len(lines):
                raw = lines[i]
                i += 1
                candidate = bk.trim_newline(raw)
                if spec.chomp:
                    candidate = candidate.lstrip("\t")
                if candidate == spec.name:
                    terminated = True
                    self.emit("HEREDOC_BODY", "".join(body_lines))
                    self.emit("HEREDOC_END", raw)
                    break
                body_lines.append(raw)
            if not terminated:
                raise ScanError("unterminated heredoc", start_line, len(indent) + 1)
            heredocs.append((spec, "".join(body_lines)))
        self.instructions.append(ScannedInstruction(node, start_line, i, heredocs))
        return i

    def _locate(self, end: int, start_line: int, column: int, needle: str | None, skip: int) -> tuple[int, int]:
        """Where `needle` first stands in the instruction's lines (after its keyword), 1-based."""
        if not needle:
            return start_line, column
        for number in range(start_line, end + 1):
            line = self.lines[number - 1]
            at = line.find(needle, skip if number == start_line else 0)
            if at >= 0:
                return number, at + 1
        return start_line, column

    def _fragment(self, pieces: list[tuple[str, str]], content: str, newline: str) -> bool:
        """Add one line's logical text; return True when the instruction ends on it."""
        m = self.cont_re.search(content)
        if m is None:
            pieces.append(("L", content))
            pieces.append(("NEWLINE", newline))
            return True
        pieces.append(("L", content[: m.start()]))
        pieces.append(("LINE_CONTINUATION", content[m.start():] + newline))
        return False

    # --- tokens ----------------------------------------------------------------------

    def _emit_instruction(self, pieces, logical: str, node: bk.LineNode) -> None:
        segments = _segments(logical, node, self.escape)
        if len(pieces) <= 3 and pieces[-1][0] == "NEWLINE" and pieces[-2][0] == "L":
            self._emit_one_line(pieces, logical, segments)
            return
        # Map logical offsets to positions in the physical pieces.
        pos = 0  # logical offset reached
        k = 0  # index in pieces
        off = 0  # offset inside pieces[k] (only for "L")
        out = self.out

        def take_dropped_until_logical() -> None:
            nonlocal k, off
            while k < len(pieces) and pieces[k][0] != "L":
                kind, t = pieces[k]
                if t or kind == "NEWLINE":
                    out.append(Token(kind, t))
                k += 1
                off = 0
            # skip empty logical fragments
            while k < len(pieces) and pieces[k][0] == "L" and off >= len(pieces[k][1]):
                k += 1
                off = 0
                take_dropped_until_logical()

        def take(kind: str, length: int, atomic: bool) -> None:
            """Emit `length` logical characters as `kind` tokens."""
            nonlocal k, off, pos
            buf: list[str] = []
            remaining = length
            while remaining > 0:
                if k >= len(pieces):
                    break
                pk, pt = pieces[k]
                if pk != "L":
                    if atomic:
                        buf.append(pt)
                    else:
                        if buf:
                            out.append(Token(kind, "".join(buf)))
                            buf = []
                        if pt:
                            out.append(Token(pk, pt))
                    k += 1
                    off = 0
                    continue
                avail = len(pt) - off
                if avail <= 0:
                    k += 1
                    off = 0
                    continue
                step = min(avail, remaining)
                buf.append(pt[off:off + step])
                off += step
                remaining -= step
                pos += step
            if buf:
                out.append(Token(kind, "".join(buf)))

        for start, stop, kind in segments:
            if start > pos:
                take_dropped_until_logical()
                take("WHITESPACE", start - pos, False)
            take_dropped_until_logical()
            take(kind, stop - start, kind in ("KEYWORD", "FLAG", "ARGUMENT") or kind in KEYWORD_TERMINALS.values())
        if pos < len(logical):
            take_dropped_until_logical()
            take("WHITESPACE", len(logical) - pos, False)
        # whatever is left: continuations, comment lines, the final line ending
        while k < len(pieces):
            pk, pt = pieces[k]
            if pk == "L":
                pt = pt[off:]
                pk = "WHITESPACE"
            if pt or pk == "NEWLINE":
                out.append(Token(pk, pt))
            k += 1
            off = 0


    def _emit_one_line(self, pieces, logical: str, segments) -> None:
        """The common case: one physical line, so logical offsets are physical ones."""
        out = self.out
        if pieces[0][0] == "WHITESPACE":
            out.append(Token("WHITESPACE", pieces[0][1]))
        pos = 0
        for start, stop, kind in segments:
            if start > pos:
                out.append(Token("WHITESPACE", logical[pos:start]))
            if stop > start:
                out.append(Token(kind, logical[start:stop]))
            pos = stop
        if pos < len(logical):
            out.append(Token("WHITESPACE", logical[pos:]))
        out.append(Token("NEWLINE", pieces[-1][1]))


def node_keyword(logical: str) -> str:
    """The logical line up to the end of its first word (what to skip when locating errors)."""
    stripped = logical.lstrip(" \t")
    end = len(logical) - len(stripped)
    while end < len(logical) and logical[end] not in " \t":
        end += 1
    return logical[:end]


def _segments(logical: str, node: bk.LineNode, escape: str, offset: int = 0) -> list[tuple[int, int, str]]:
    """Significant spans of the logical line, in order: (start, stop, terminal)."""
    cmd_start, cmd_end, flag_spans, rest_start, stop = node.spans
    segs = [(offset + cmd_start, offset + cmd_end, KEYWORD_TERMINALS.get(node.keyword.lower(), "KEYWORD"))]
    for a, b in flag_spans:
        segs.append((offset + a, offset + b, "FLAG"))
    if rest_start >= stop:
        return segs
    kw = node.keyword.lower()
    rest_start += offset
    stop += offset
    if kw == "onbuild" and node.sub is not None:
        segs += _segments(logical, node.sub, escape, rest_start)
    elif kw == "healthcheck":
        sep = rest_start
        while sep < stop and not bk.go_isspace(logical[sep]):
            sep += 1
        segs.append((rest_start, sep, "ARGUMENT"))
        nxt = sep
        while nxt < stop and bk.go_isspace(logical[nxt]):
            nxt += 1
        if nxt < stop:
            segs.append((nxt, stop, "JSON_ARRAY" if node.json else "TEXT"))
    elif node.json:
        segs.append((rest_start, stop, "JSON_ARRAY"))
    elif kw in _WORD_LISTS:
        pos = rest_start
        for m in _ASCII_WS.finditer(logical, rest_start, stop):
            segs.append((pos, m.start(), "ARGUMENT"))
            pos = m.end()
        segs.append((pos, stop, "ARGUMENT"))
    else:
        segs.append((rest_start, stop, "TEXT"))
    return segs
