from __future__ import annotations

import re

from ...syntax.edits import Replace
from ...syntax.textedit import arguments_text, edit_arguments
from ..base import Fix, Rule, Safety, Skip


class LegacyKeyValue(Rule):
    """
    ## What it does
    Rewrites the legacy `ENV key value` and `LABEL key value` forms as
    `key=value`, quoting the value where it holds white space, so that it is
    exactly the value Docker read before.

    ## Why
    The form without `=` sets one variable to the whole rest of the line, the
    form with `=` can set several: the same line means different things
    depending on whether a `=` appears in its first word. The legacy form is
    deprecated; BuildKit warns (LegacyKeyValueFormat).

    ## Example
    ```dockerfile
    ENV PATH /opt/app/bin:$PATH
    ENV JAVA_OPTS -Xms256m -Xmx1g
    ```

    ## Use instead
    ```dockerfile
    ENV PATH=/opt/app/bin:$PATH
    ENV JAVA_OPTS="-Xms256m -Xmx1g"
    ```

    ## Fix safety
    Safe: Docker reads the legacy value as the raw rest of the line and then
    expands it as one word; the new value is that same text, so variables,
    quotes and escapes in it mean what they meant. White space in it is kept
    by double quotes, which change nothing else for a value without quotes or
    escape characters; a value with white space and quotes or escapes is
    left alone and reported as skipped. `ARG name value` is no legacy form:
    it declares two build arguments, and is not touched.
    """

    code = "HY024"
    name = "legacy-key-value"
    title = "Write ENV and LABEL as key=value"
    rationale = "The legacy ENV key value form is deprecated and reads differently from the key=value form."
    resolves = ("LegacyKeyValueFormat",)
    safety = Safety.SAFE

    def check(self, model):
        escape = model.df.escape
        for ins in model.df.instructions:
            if ins.keyword not in ("ENV", "LABEL") or not ins.is_legacy_key_value:
                continue
            key, value = ins.pairs[0]
            text = arguments_text(ins)
            m = re.match(r"([^\s]+)(\s+)", text)
            if m is None or m.group(1) != key or not re.fullmatch(r"[A-Za-z0-9_.\-/]+", key):
                yield Skip(f"{ins.keyword} {key} stays in the legacy form: its key is quoted or unusual", ins)
                continue
            start = m.end()
            if text[start:] != value:
                yield Skip(f"{ins.keyword} {key} stays in the legacy form: its line is split in a way "
                           "this rule does not rewrite", ins)
                continue
            if not _has_white_space(value, escape):
                new_value = None
            elif '"' in value or "'" in value or escape in value:
                yield Skip(f"{ins.keyword} {key} stays in the legacy form: its value has white space and quotes or "
                           "escapes, which this rule does not requote", ins)
                continue
            else:
                new_value = f'"{value}"'
            edits = [(m.start(2), start, "=" if new_value is None else '="')]
            if new_value is not None:
                edits.append((len(text), len(text), '"'))
            code = edit_arguments(ins, edits)
            new = model.reparsed(ins, code)
            wanted = (key, value if new_value is None else new_value)
            if new is None or new.is_legacy_key_value or tuple(new.pairs) != (wanted,):
                yield Skip(f"{ins.keyword} {key} stays in the legacy form: the key=value form would not read "
                           "the same", ins)
                continue
            quoted = ", its value quoted" if new_value is not None else ""
            message = f"{ins.keyword} {key} in the key=value form{quoted}: the legacy form is deprecated"
            yield Fix(ins, message, Safety.SAFE, (Replace(ins, code, verbatim=True),))


def _has_white_space(value: str, escape: str) -> bool:
    """White space the key=value form would split on (outside quotes, not escaped)."""
    quote = None
    i = 0
    while i < len(value):
        ch = value[i]
        if ch == escape and quote != "'":
            i += 2
            continue
        if quote:
            if ch == quote:
                quote = None
        elif ch in "'\"":
            quote = ch
        elif ch.isspace():
            return True
        i += 1
    return False
