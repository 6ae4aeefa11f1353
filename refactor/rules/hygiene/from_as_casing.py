from __future__ import annotations

from ...syntax.edits import Replace
from ..base import Fix, Rule, Safety


class FromAsCasing(Rule):
    """
    ## What it does
    Writes the `AS` of a `FROM … AS name` in the same case as its `FROM`:
    `FROM … AS name`, `from … as name`.

    ## Why
    `FROM debian:12 as build` mixes the two casings in one line. BuildKit warns
    (FromAsCasing).

    ## Example
    ```dockerfile
    FROM golang:1.22 as build
    ```

    ## Use instead
    ```dockerfile
    FROM golang:1.22 AS build
    ```

    ## Fix safety
    Safe: Docker reads `AS` without regard to case. A `FROM` written in mixed
    case (`From`) is left to HY020, which gives it the file's casing first.
    """

    code = "HY021"
    name = "from-as-casing"
    title = "Write AS in the casing of its FROM"
    rationale = "A FROM line that mixes upper and lower case keywords is harder to read."
    resolves = ("FromAsCasing",)
    safety = Safety.SAFE

    def check(self, model):
        for stage in model.stages:
            ins = stage.from_instruction
            args = ins.arguments
            if len(args) != 3 or args[1].lower() != "as":
                continue
            word = ins.keyword_text
            if word == word.lower():
                wanted = "as"
            elif word == word.upper():
                wanted = "AS"
            else:
                continue  # BuildKit reports the keyword itself (ConsistentInstructionCasing) instead
            if args[1] == wanted:
                continue
            code = _with_as(ins, wanted)
            if code is None:
                continue
            yield Fix(ins, f"{args[1]} is written {wanted}, in the casing of its {word}", Safety.SAFE,
                      (Replace(ins, code, verbatim=True),))


def _with_as(ins, wanted: str) -> str | None:
    """The FROM's own code with its `AS` argument token respelled."""
    parts = [t.text for t in ins.tokens]
    arguments = [n for n, t in enumerate(ins.tokens) if t.kind == "ARGUMENT"]
    if len(arguments) != 3 or ins.tokens[arguments[1]].text.lower() != "as":
        return None
    parts[arguments[1]] = wanted
    return "".join(parts)
