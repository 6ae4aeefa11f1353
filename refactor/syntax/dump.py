"""BuildKit's `Node.Dump()` format, to compare with its parser's test files."""

from __future__ import annotations

from .buildkit import LineNode

__all__ = ["dump_instruction", "go_quote"]

_ESCAPES = {"\a": r"\a", "\b": r"\b", "\f": r"\f", "\n": r"\n", "\r": r"\r", "\t": r"\t", "\v": r"\v",
            "\\": r"\\", '"': r"\""}


def go_quote(s: str) -> str:
    """Go's strconv.Quote for valid UTF-8."""
    out = ['"']
    for ch in s:
        if ch in _ESCAPES:
            out.append(_ESCAPES[ch])
        elif ch.isprintable() or ch == " ":
            out.append(ch)
        elif ord(ch) < 0x80:
            out.append(f"\\x{ord(ch):02x}")
        elif ord(ch) <= 0xFFFF:
            out.append(f"\\u{ord(ch):04x}")
        else:
            out.append(f"\\U{ord(ch):08x}")
    out.append('"')
    return "".join(out)


def dump_instruction(instruction) -> str:
    return "(" + _dump(instruction.meaning) + ")"


def _dump(node: LineNode) -> str:
    s = node.keyword.lower()
    if node.flags:
        s += " [" + " ".join(go_quote(f) for f in node.flags) + "]"
    if node.sub is not None:
        s += " (" + _dump(node.sub) + ")"
    for v in node.values:
        s += " " + go_quote(v)
    return s.strip()
