from __future__ import annotations

import re

from ...syntax.edits import Replace
from ..base import Fix, Rule, Safety, Skip


class StageNameCasing(Rule):
    """
    ## What it does
    Writes stage names in lower case, where the stage is defined
    (`FROM … AS Builder`) and wherever the file names it: `FROM Builder`,
    `COPY --from=Builder`, `RUN --mount=…,from=Builder`.

    ## Why
    BuildKit lower-cases stage names when it reads them, so `Builder` and
    `builder` are the same stage; writing them in lower case keeps names
    apart from keywords and says what Docker reads. BuildKit warns
    (StageNameCasing).

    ## Example
    ```dockerfile
    FROM golang:1.22 AS Builder
    RUN go build -o /app .
    FROM scratch
    COPY --from=Builder /app /app
    ```

    ## Use instead
    ```dockerfile
    FROM golang:1.22 AS builder
    RUN go build -o /app .
    FROM scratch
    COPY --from=builder /app /app
    ```

    ## Fix safety
    Safe: BuildKit reads stage names in lower case (`--target Builder` finds
    `builder` too), so the build is the same. References the file spells
    through a variable (`--from=$STAGE`) cannot be renamed with it; the
    stage is then left as it is and reported as skipped.
    """

    code = "HY022"
    name = "stage-name-casing"
    title = "Write stage names in lower case"
    rationale = "Docker reads stage names in lower case, and names in upper case read like keywords."
    resolves = ("StageNameCasing",)
    safety = Safety.SAFE

    def check(self, model):
        for stage in model.stages:
            ins = stage.from_instruction
            args = ins.arguments
            if len(args) != 3 or args[1].lower() != "as" or args[2] == args[2].lower():
                continue
            written, name = args[2], args[2].lower()
            users = [i for s in model.stages[stage.index + 1:] for i in s.instructions]
            if any(_through_variable(i) for i in users):
                where = next(i for i in users if _through_variable(i))
                yield Skip(f"stage {written} stays: line {where.start_line} names a stage through a variable, "
                           "which may spell it this way", ins)
                continue
            edits = [Replace(ins, _respelled(ins, {2: name}), verbatim=True)]
            for other in users:
                code = _renamed_references(other, name)
                if code is not None:
                    edits.append(Replace(other, code, verbatim=True))
            refs = len(edits) - 1
            where = (", with the line that names it" if refs == 1 else f", with the {refs} lines that name it") if refs else ""
            yield Fix(ins, f"stage {written} is renamed {name}{where}: Docker reads stage names in lower case",
                      Safety.SAFE, tuple(edits))


def _respelled(ins, arguments: dict[int, str]) -> str:
    """The FROM's own code with its n-th ARGUMENT tokens replaced."""
    parts = [t.text for t in ins.tokens]
    seen = -1
    for n, t in enumerate(ins.tokens):
        if t.kind == "ARGUMENT":
            seen += 1
            if seen in arguments:
                parts[n] = arguments[seen]
    return "".join(parts) + "".join(h.code for h in ins.heredocs)


def _through_variable(ins) -> bool:
    if ins.keyword == "FROM":
        return "$" in ins.arguments[0] if ins.arguments else False
    return any((f.name == "from" and "$" in (f.value or ""))
               or (f.name == "mount" and re.search(r"(^|,)from=[^,]*\$", f.value or "")) for f in ins.flags)


def _renamed_references(ins, name: str) -> str | None:
    """`ins` with the references to the stage `name` (in any casing) written `name`; None when it has none."""
    if ins.keyword == "FROM":
        if ins.arguments and ins.arguments[0].lower() == name and ins.arguments[0] != name:
            return _respelled(ins, {0: name})
        return None
    parts = [t.text for t in ins.tokens]
    changed = False
    for n, t in enumerate(ins.tokens):
        if t.kind != "FLAG":
            continue
        m = re.fullmatch(r"(--from=)(.*)", t.text, re.S)
        if m and m.group(2).lower() == name and m.group(2) != name:
            parts[n] = m.group(1) + name
            changed = True
            continue
        if t.text.startswith("--mount="):
            new = re.sub(r"(?<=[=,])(from=)([^,]*)",
                         lambda mm: mm.group(1) + (name if mm.group(2).lower() == name else mm.group(2)), t.text)
            if new != t.text:
                parts[n] = new
                changed = True
    return "".join(parts) + "".join(h.code for h in ins.heredocs) if changed else None
