from __future__ import annotations

from ...syntax.edits import Replace
from ..base import Fix, Rule, Safety


class KeywordCasing(Rule):
    """
    ## What it does
    Writes every instruction keyword in the file's majority casing: upper
    case (`RUN`) unless more of the file's keywords are written in lower case
    (`run`), as BuildKit counts them. Mixed-case keywords (`Run`, `EntryPoint`)
    are always rewritten.

    ## Why
    Keywords are case-insensitive, but a file that mixes `RUN` and `run` or
    writes `Copy` is harder to read and to search. BuildKit warns
    (ConsistentInstructionCasing).

    ## Example
    ```dockerfile
    FROM alpine:3.20
    Run apk add --no-cache curl
    copy . /app
    ```

    ## Use instead
    ```dockerfile
    FROM alpine:3.20
    RUN apk add --no-cache curl
    COPY . /app
    ```

    ## Fix safety
    Safe: Docker reads keywords without regard to case, so the build is the
    same. Only the keyword changes; its arguments, and the keyword of an
    `ONBUILD` trigger, stay as written.
    """

    code = "HY020"
    name = "keyword-casing"
    title = "Write instruction keywords in the file's majority casing"
    rationale = "Keywords are case-insensitive, but mixed casing makes a Dockerfile harder to read and to search."
    resolves = ("ConsistentInstructionCasing",)
    safety = Safety.SAFE

    def check(self, model):
        lower = upper = 0
        for stage in model.stages:  # BuildKit counts the keywords of the stages (not the ARGs before them)
            for ins in stage.instructions:
                word = ins.keyword_text
                if word == word.lower():
                    lower += 1
                elif word == word.upper():
                    upper += 1
        majority_lower = lower > upper
        for ins in model.df.instructions:
            word = ins.keyword_text
            wanted = word.lower() if majority_lower else word.upper()
            if word == wanted:
                continue
            code = _with_keyword(ins, wanted)
            if code is None:
                continue
            case = "lower" if majority_lower else "upper"
            message = f"{word} is written {wanted}, as most of the file's keywords are ({case} case)"
            yield Fix(ins, message, Safety.SAFE, (Replace(ins, code, verbatim=True),))


def _with_keyword(ins, wanted: str) -> str | None:
    """The instruction's own code with its (first) keyword token respelled."""
    tokens = list(ins.tokens)
    for n, t in enumerate(tokens):
        if t.kind == ins.keyword and t.text == ins.keyword_text:
            parts = [x.text for x in tokens]
            parts[n] = wanted
            return "".join(parts) + "".join(h.code for h in ins.heredocs)
        if t.kind not in ("WHITESPACE",):
            return None
    return None
