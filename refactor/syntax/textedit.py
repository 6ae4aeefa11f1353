"""Edits inside one instruction's arguments, keeping its layout.

A shell-form RUN spread over continuation lines is one logical text (what
`Instruction.arguments[0]` holds) printed as several TEXT tokens with
continuations and comment lines between them. Rules edit the logical text by
offsets; these functions carry the edits into the tokens, so continuations,
indentation, comments and heredoc bodies stay exactly where they were.
"""

from __future__ import annotations

from .tree import Instruction

__all__ = ["edit_arguments", "replace_arguments", "arguments_text", "split_arguments"]

_ARGUMENT_KINDS = ("TEXT", "JSON_ARRAY")


def arguments_text(ins: Instruction) -> str:
    """The logical text the argument tokens spell (for a shell-form RUN: `arguments[0]`)."""
    return "".join(t.text for t in ins.tokens if t.kind in _ARGUMENT_KINDS)


def edit_arguments(ins: Instruction, edits: list[tuple[int, int, str]]) -> str:
    """The instruction's own code with `(start, end, new_text)` edits applied to its argument text.

    Offsets are in `arguments_text(ins)`. An insertion where two lines meet goes
    at the end of the earlier line, before its continuation character.
    """
    tokens = list(ins.tokens)
    spans = []  # (token index, logical start, logical end)
    pos = 0
    for i, t in enumerate(tokens):
        if t.kind in _ARGUMENT_KINDS:
            spans.append((i, pos, pos + len(t.text)))
            pos += len(t.text)
    if not spans:
        raise ValueError(f"{ins.keyword} at line {ins.start_line} has no argument text to edit")
    texts = {i: t.text for i, t in enumerate(tokens)}
    for start, end, new in sorted(edits, key=lambda e: (e[0], e[1]), reverse=True):
        if not (0 <= start <= end <= pos):
            raise ValueError(f"edit {start}:{end} outside the arguments (length {pos})")
        first = True
        for i, a, b in spans:
            if b < start or a > end:
                continue
            if b == start and start != end and a != b:
                continue  # the span only touches the edit's start
            if a == end and start != end:
                continue
            if start == end and not (a <= start <= b):
                continue
            lo = max(start, a) - a
            hi = min(end, b) - a
            t = texts[i]
            if first:
                texts[i] = t[:lo] + new + t[hi:]
                first = False
                if start == end:
                    break
            else:
                texts[i] = t[:lo] + t[hi:]
    _drop_dangling_continuations(tokens, texts)
    own = "".join(texts[i] for i in range(len(tokens)))
    return own + "".join(h.code for h in ins.heredocs)


def _drop_dangling_continuations(tokens, texts: dict[int, str]) -> None:
    """A continuation followed by nothing but emptied text would join the next instruction: drop it.

    When an edit empties the last line(s) of an instruction, the escape
    character before them must go too, with the now empty lines.
    """
    end = next((i for i in range(len(tokens) - 1, -1, -1) if tokens[i].kind == "NEWLINE"), len(tokens))
    i = end - 1
    trailing = []
    while i >= 0:
        kind = tokens[i].kind
        if kind in _ARGUMENT_KINDS or kind == "WHITESPACE":
            if texts[i].strip(" \t"):
                break
            trailing.append(i)
        elif kind in ("COMMENT_LINE", "EMPTY_LINE"):
            trailing.append(i)
        elif kind == "LINE_CONTINUATION":
            for j in trailing:
                texts[j] = ""
            texts[i] = ""
            trailing = []
        else:
            break
        i -= 1


def replace_arguments(ins: Instruction, new_arguments: str) -> str:
    """The instruction with everything after its keyword and flags replaced by `new_arguments`.

    Keeps the keyword as written, the flags, and the line ending; the new
    arguments are written on the keyword's line (use `\\` + newline in them to
    continue lines).
    """
    out = []
    seen_keyword = False
    last_flag = -1
    tokens = list(ins.tokens)
    for i, t in enumerate(tokens):
        if t.kind == "FLAG":
            last_flag = i
    keep_until = last_flag
    if keep_until < 0:
        keep_until = next(i for i, t in enumerate(tokens) if t.kind not in ("WHITESPACE", "LINE_CONTINUATION", "COMMENT_LINE", "EMPTY_LINE"))
    for i, t in enumerate(tokens[: keep_until + 1]):
        out.append(t.text)
        seen_keyword = True
    assert seen_keyword
    newline = tokens[-1].text if tokens[-1].kind == "NEWLINE" else ""
    return "".join(out) + " " + new_arguments + newline


def split_arguments(ins: Instruction, cut: int, resume: int) -> tuple[str, str]:
    """Cut a shell-form RUN in two at logical offsets: what comes before `cut`, what from `resume`.

    Returns the first part as the instruction's own code (keyword, flags and the
    text up to `cut`, layout kept, then the line ending) and the second part's
    argument text as written (continuations kept), to follow a new keyword.
    The continuation lines between the two parts are dropped.
    """
    tokens = list(ins.tokens)
    newline = tokens[-1].text if tokens and tokens[-1].kind == "NEWLINE" else ""
    first: list[str] = []
    second: list[str] = []
    pos = 0
    state = "first"
    for t in tokens:
        if t.kind == "NEWLINE":
            break
        if t.kind not in _ARGUMENT_KINDS:
            if state == "first":
                first.append(t.text)
            elif state == "second":
                second.append(t.text)
            continue
        a, b = pos, pos + len(t.text)
        pos = b
        if state == "first":
            if b <= cut:
                first.append(t.text)
                continue
            first.append(t.text[: cut - a])
            state = "between"
        if state == "between":
            if b <= resume:
                continue
            second.append(t.text[max(resume - a, 0):])
            state = "second"
            continue
        second.append(t.text)
    # continuations left dangling at the end of either part go
    return _strip_trailing_break("".join(first)) + newline, _strip_trailing_break("".join(second))


def _strip_trailing_break(text: str) -> str:
    """Remove a trailing escape character, comment lines and spaces left after a cut."""
    lines = text.split("\n")
    changed = True
    while changed and lines:
        changed = False
        last = lines[-1].rstrip("\r")
        if last.strip() == "" or last.lstrip().startswith("#"):
            if len(lines) > 1:
                lines.pop()
                changed = True
                continue
        stripped = last.rstrip(" \t")
        if stripped.endswith(("\\", "`")):
            lines[-1] = stripped[:-1].rstrip(" \t")
            changed = True
    return "\n".join(lines).rstrip(" \t")
