from __future__ import annotations

from ...syntax.edits import Replace
from ..base import Fix, Rule, Safety


class EmptyContinuation(Rule):
    """
    ## What it does
    Removes the empty lines inside an instruction continued over several
    lines (after a `\\` at the end of a line).

    ## Why
    Docker skips such lines today, but the support is deprecated and a future
    release of the Dockerfile syntax will reject them; an empty line inside
    an instruction also reads as if the instruction ended there. BuildKit
    warns (NoEmptyContinuation).

    ## Example
    ```dockerfile
    RUN apk add --no-cache \\

        curl
    ```

    ## Use instead
    ```dockerfile
    RUN apk add --no-cache \\
        curl
    ```

    ## Fix safety
    Safe: Docker drops those lines when it reads the instruction, so the
    instruction is the same. Comment lines inside it are kept (they are not
    empty).
    """

    code = "HY023"
    name = "empty-continuation"
    title = "Remove empty lines inside continued instructions"
    rationale = "Empty lines inside a continued instruction are deprecated and will become an error."
    resolves = ("NoEmptyContinuation",)
    safety = Safety.SAFE

    def check(self, model):
        for ins in model.df.instructions:
            empty = [t for t in ins.tokens if t.kind == "EMPTY_LINE"]
            if not empty:
                continue
            code = "".join(t.text for t in ins.tokens if t.kind != "EMPTY_LINE") + "".join(h.code for h in ins.heredocs)
            new = model.reparsed(ins, code)
            if new is None or new.original != ins.original:
                continue
            n = len(empty)
            message = (f"{n} empty line{'s' if n > 1 else ''} inside the {ins.keyword} removed: Docker skips "
                       "them, and a future Dockerfile syntax rejects them")
            yield Fix(ins, message, Safety.SAFE, (Replace(ins, code, verbatim=True),))
