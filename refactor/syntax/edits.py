"""The edit API: what a rule may do to a Dockerfile, and how edits are applied.

Rules never touch text at large. They name instructions of the tree they were
given and say what those become: replaced by new instruction text, new
instructions inserted before or after them, or removed. Applying edits
splices node texts: untouched instructions (with their comments and blank
lines) are carried over byte for byte; new text is rendered in the file's own
style first (see `Style`).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from .tree import Dockerfile, Instruction

__all__ = ["Replace", "InsertBefore", "InsertAfter", "Remove", "Edit", "Style", "apply_edits", "edited_pieces", "EditConflict"]


@dataclass(frozen=True)
class Replace:
    """`target`'s own text (its leading comments kept) becomes `code`.

    `code` is canonical text rendered in the file's style, unless `verbatim`:
    then it is the exact new text (as `textedit.edit_arguments` gives it, with the
    instruction's own bytes kept around the edit).
    """

    target: Instruction
    code: str
    verbatim: bool = False


@dataclass(frozen=True)
class InsertBefore:
    """New instruction(s) before `target`; above its leading comments when `above_comments`."""

    target: Instruction
    code: str
    above_comments: bool = True
    verbatim: bool = False


@dataclass(frozen=True)
class InsertAfter:
    """New instruction(s) after `target`; several InsertAfter on one target keep their order."""

    target: Instruction
    code: str
    verbatim: bool = False


@dataclass(frozen=True)
class Remove:
    """`target` and its leading comment lines go."""

    target: Instruction


Edit = Replace | InsertBefore | InsertAfter | Remove


class EditConflict(ValueError):
    """Two edits replace or remove the same instruction."""


@dataclass(frozen=True)
class Style:
    """How this file writes things, so that new lines look like their neighbours."""

    newline: str = "\n"
    uppercase: bool = True
    indent: str = "    "  # of continuation lines
    escape: str = "\\"

    @classmethod
    def of(cls, df: Dockerfile) -> "Style":
        endings = Counter()
        upper = lower = 0
        indents = Counter()
        for ins in df.instructions:
            for tok in ins.tokens:
                if tok.kind == "NEWLINE" and tok.text:
                    endings[tok.text] += 1
                elif tok.kind == "LINE_CONTINUATION":
                    endings["\r\n" if tok.text.endswith("\r\n") else "\n"] += 1
            kw = ins.keyword_text
            if kw.isupper():
                upper += 1
            elif kw.islower():
                lower += 1
            after_break = False
            for tok in ins.tokens:
                if tok.kind == "LINE_CONTINUATION":
                    after_break = True
                    continue
                if after_break and tok.kind in ("TEXT", "WHITESPACE", "JSON_ARRAY", "FLAG", "ARGUMENT"):
                    lead = tok.text[: len(tok.text) - len(tok.text.lstrip(" \t"))]
                    if lead:
                        indents[lead] += 1
                after_break = tok.kind in ("COMMENT_LINE", "EMPTY_LINE") and after_break
        newline = endings.most_common(1)[0][0] if endings else "\n"
        indent = indents.most_common(1)[0][0] if indents else "    "
        return cls(newline=newline, uppercase=upper >= lower, indent=indent, escape=df.escape)

    def render(self, code: str) -> str:
        """Canonical text (upper-case keywords, `\\` continuations, LF, 4-space indents) in this style.

        Every line of `code` that starts an instruction has its keyword re-cased; the
        continuation character and indentation follow the file's.
        """
        lines = code.split("\n")
        out = []
        continued = False
        for line in lines:
            if continued:
                stripped = line.lstrip(" ")
                if stripped and len(line) != len(stripped):
                    line = self.indent + stripped
            elif line and not line.startswith(("#", " ", "\t")) and not self.uppercase:
                word, sep, rest = line.partition(" ")
                line = word.lower() + sep + rest
            if line.endswith(" \\") or line == "\\":
                line = line[:-1] + self.escape
                continued = True
            else:
                continued = False
            out.append(line)
        return self.newline.join(out)

    def keyword(self, word: str) -> str:
        return word.upper() if self.uppercase else word.lower()

    @property
    def line_break(self) -> str:
        """A line continuation as this file writes one: ` \\`, the line ending, the indent."""
        return f" {self.escape}{self.newline}{self.indent}"


def apply_edits(df: Dockerfile, edits: list[Edit], style: Style | None = None) -> str:
    """The text of `df` with `edits` applied; untouched nodes keep their exact bytes."""
    header, pieces, trailing = edited_pieces(df, edits, style)
    return header + "".join(pieces) + trailing


def edited_pieces(df: Dockerfile, edits: list[Edit], style: Style | None = None) -> tuple[str, list[str], str]:
    """`apply_edits` in parts: the header's text, what each instruction of `df` became (its
    leading lines and own text, with what was inserted around it; "" when removed), the trailing
    lines' text. An instruction whose piece equals its `code` was left alone."""
    style = style or Style.of(df)
    by_target: dict[int, list[Edit]] = {}
    for e in edits:
        by_target.setdefault(id(e.target), []).append(e)
    parts = [n.code for n in df.header]
    starts = []  # where each instruction's piece begins in `parts`
    newline = style.newline
    for ins in df.instructions:
        starts.append(len(parts))
        mine = by_target.get(id(ins), [])
        before_above = [e for e in mine if isinstance(e, InsertBefore) and e.above_comments]
        before_below = [e for e in mine if isinstance(e, InsertBefore) and not e.above_comments]
        after = [e for e in mine if isinstance(e, InsertAfter)]
        replaced = [e for e in mine if isinstance(e, (Replace, Remove))]
        if len(replaced) > 1:
            raise EditConflict(f"two edits replace the instruction at line {ins.start_line}")
        for e in before_above:
            parts.append(_line(_text(e, style), newline))
        if replaced and isinstance(replaced[0], Remove):
            pass
        else:
            parts.extend(t.code for t in ins.leading)
            for e in before_below:
                parts.append(_line(_text(e, style), newline))
            if replaced:
                r = replaced[0]
                code = r.code if r.verbatim else style.render(r.code)
                parts.append(ending_like(code, ins.own_code, newline))
            else:
                parts.append(ins.own_code)
        for e in after:
            if parts and not parts[-1].endswith("\n"):
                parts[-1] += newline
            parts.append(_line(_text(e, style), newline))
    ends = starts[1:] + [len(parts)]
    pieces = ["".join(parts[a:b]) for a, b in zip(starts, ends)]
    header = "".join(parts[: starts[0]] if starts else parts)
    return header, pieces, "".join(t.code for t in df.trailing)


def _text(edit, style: Style) -> str:
    return edit.code if edit.verbatim else style.render(edit.code)


def _line(code: str, newline: str) -> str:
    return code if code.endswith("\n") else code + newline


def ending_like(code: str, original: str, newline: str) -> str:
    """Keep whether the original ended the file without a line ending."""
    if original.endswith("\n") or code.endswith("\n"):
        return _line(code, newline)
    return code
