"""The reference: BuildKit's own parser, through the `dockerfile` package.

`dockerfile` 3.4.0 wraps BuildKit v0.12.5's parser; `refactor` follows current
BuildKit. `version_difference(text)` names the constructs whose reading
changed between the two, so the differential tests can leave those inputs out
and say why.
"""

from __future__ import annotations

import re

import dockerfile

from refactor import ParseError, parse

_HEREDOC_WITH_SPACE = re.compile(r"<<-?[ \t]")
_CHECK_DIRECTIVE = re.compile(r"^\ufeff?[ \t]*#[ \t]*check[ \t]*=", re.I | re.M)


def version_difference(text: str) -> str | None:
    """Why BuildKit v0.12.5 and current BuildKit read `text` differently, or None."""
    if _HEREDOC_WITH_SPACE.search(text):
        return "whitespace between << and a heredoc word (a heredoc since BuildKit v0.13)"
    if _CHECK_DIRECTIVE.search(text):
        return "the `# check=` directive (BuildKit v0.14)"
    return None


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


def ours(text: str):
    """Our reading in the reference's shape, or 'error: …' when we raise ParseError."""
    try:
        df = parse(text)
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
            (node.keyword, sub.keyword if sub is not None else None, ins.is_exec_form, original,
             ins.start_line, ins.end_line, tuple(f.text for f in ins.flags), ins.arguments or ("",) if _empty_value(ins) else ins.arguments,
             heredocs)
        )
    return out


def _empty_value(ins) -> bool:
    return False
