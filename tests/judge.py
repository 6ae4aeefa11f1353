"""The reference: BuildKit's own parser, through the `dockerfile` package.

`dockerfile` 3.4.0 wraps BuildKit v0.12.5's parser; `refactor` follows current
BuildKit. `version_difference(text)` names the constructs whose reading
changed between the two, so the differential tests can leave those inputs out
and say why.
"""

from __future__ import annotations

import json
import re

import dockerfile

from refactor import ParseError, parse

_HEREDOC_WITH_SPACE = re.compile(r"<<-?[ \t]")
_CHECK_DIRECTIVE = re.compile(r"^\ufeff?[ \t]*#[ \t]*check[ \t]*=", re.I | re.M)


def version_difference(text: str) -> str | None:
    """Why BuildKit v0.12.5 and current BuildKit read `text` differently, or None."""
    if _HEREDOC_WITH_SPACE.search(text):
        return "whitespace between << and a heredoc word (a heredoc since BuildKit v0.22, Dockerfile frontend 1.16)"
    if _CHECK_DIRECTIVE.search(text):
        return "the `# check=` directive (BuildKit v0.14)"
    if "\x00" in text:
        return "a NUL character (the binding passes text to Go as a C string)"
    if _json_with_trailing_text(text):
        return "a JSON array followed by more text (v0.12.5 decoded only the first value)"
    if _flag_escape_under_backtick(text):
        return "a \\ or ` inside a flag under the backtick escape (v0.12.5 read flags with \\ always)"
    return None


def _flag_escape_under_backtick(text: str) -> bool:
    if "`" not in text:
        return False
    try:
        df = parse(text, strict=False)
    except ParseError:
        return False
    return df.escape == "`" and any(
        t.kind == "FLAG" and ("\\" in t.text or "`" in t.text) for ins in df.instructions for t in ins.tokens
    )


def _json_with_trailing_text(text: str) -> bool:
    if "[" not in text:
        return False
    try:
        df = parse(text, strict=False)
    except ParseError:
        return False
    decoder = json.JSONDecoder()
    for ins in df.instructions:
        for node in (ins.meaning, ins.meaning.sub):
            if node is None or node.json or not node.values:
                continue
            for candidate in (node.values[-1], node.original.split(None, 1)[-1]):
                candidate = candidate.lstrip()
                if not candidate.startswith("["):
                    continue
                try:
                    value, end = decoder.raw_decode(candidate)
                except ValueError:
                    continue
                if isinstance(value, list) and candidate[end:].strip():
                    return True
    return False


def reference(text: str):
    """The reference's commands as comparable tuples, or the string 'error: …'."""
    try:
        commands = dockerfile.parse_string(text)
    except dockerfile.GoParseError as e:
        return f"error: {e}"
    return [
        (c.cmd, c.sub_cmd, c.json, c.original, c.start_line, c.end_line, c.flags, c.value,
         tuple((h.name, h.file_descriptor, h.content) for h in c.heredocs))
        for c in commands
    ]


def ours(text: str, *, strict: bool = False):
    """Our reading in the reference's shape, or 'error: …' when we raise ParseError."""
    try:
        df = parse(text, strict=strict)
    except ParseError as e:
        return f"error: {e.message}"
    out = []
    for ins in df.instructions:
        node = ins.meaning
        sub = node.sub
        heredocs = tuple((h.name, h.file_descriptor, h.content) for h in ins.heredocs)
        original = ins.original
        if sub is not None:
            # v0.12.5 consumed ONBUILD heredoc bodies but reported them nowhere
            heredocs = ()
        elif ins.heredocs:
            original += "".join("\n" + h.content + h.name for h in ins.heredocs) + "\n"
        out.append(
            # the binding reports an empty string as None
            (node.keyword or None, sub.keyword if sub is not None else None, ins.is_exec_form, original or None,
             ins.start_line, ins.end_line, tuple(f.text for f in ins.flags), _c_strings(_values(ins)),
             heredocs)
        )
    return out


def _c_strings(values: tuple[str, ...]) -> tuple[str, ...]:
    # the binding hands Go's strings to Python as C strings: a NUL ends them
    return tuple(v.split("\x00", 1)[0] for v in values)


def _values(ins) -> tuple[str, ...]:
    node = ins.meaning.effective
    if node.keyword.lower() not in _KNOWN:
        return ("",)  # BuildKit's parseIgnore leaves one empty node
    if node.keyword.lower() == "onbuild" and node.sub is not None:
        return ("",)  # ONBUILD ONBUILD …: the binding flattens one level and sees the children node's empty value
    return ins.arguments


_KNOWN = {"add", "arg", "cmd", "copy", "entrypoint", "env", "expose", "from", "healthcheck", "label",
          "maintainer", "onbuild", "run", "shell", "stopsignal", "user", "volume", "workdir"}
