from __future__ import annotations

from ...syntax.edits import Replace
from ..base import Fix, Rule, Safety, Skip


class RedundantTargetPlatform(Rule):
    """
    ## What it does
    Removes `--platform=$TARGETPLATFORM` (or `${TARGETPLATFORM}`) from
    `FROM` lines.

    ## Why
    A stage is built for the target platform unless `FROM` says otherwise, so
    the flag repeats the default, and a reader looking for the stages that
    run on the build machine (`--platform=$BUILDPLATFORM`) has one more
    flag to read past. BuildKit reports it as RedundantTargetPlatform,
    hadolint as DL3065.

    ## Example
    ```dockerfile
    FROM --platform=$TARGETPLATFORM alpine:3.20
    ```

    ## Use instead
    ```dockerfile
    FROM alpine:3.20
    ```

    ## Fix safety
    Safe: BuildKit pulls the same image for the same platform, and the legacy
    builder, which does not set `TARGETPLATFORM`, read the flag as empty.
    Left alone where the file declares `ARG TARGETPLATFORM` with a default
    of its own before the first `FROM`, which makes the value the file's.
    """

    code = "HY054"
    name = "redundant-target-platform"
    title = "Drop --platform=$TARGETPLATFORM from FROM"
    rationale = "FROM builds for the target platform by default, so --platform=$TARGETPLATFORM only repeats it."
    resolves = ("DL3065", "RedundantTargetPlatform")
    safety = Safety.SAFE

    def check(self, model):
        for stage in model.stages:
            ins = stage.from_instruction
            platform = ins.flag("platform")
            if platform not in ("$TARGETPLATFORM", "${TARGETPLATFORM}"):
                continue
            if model.global_arg_values.get("TARGETPLATFORM"):
                yield Skip("--platform stays: the file gives ARG TARGETPLATFORM a default of its own", ins)
                continue
            tokens = list(ins.tokens)
            k = next(i for i, t in enumerate(tokens) if t.kind == "FLAG" and t.text.startswith("--platform="))
            drop = {k}
            if k + 1 < len(tokens) and tokens[k + 1].kind == "WHITESPACE":
                drop.add(k + 1)
            code = "".join(t.text for i, t in enumerate(tokens) if i not in drop)
            new = model.reparsed(ins, code)
            if new is None or new.keyword != "FROM" or new.arguments != ins.arguments or new.flag("platform"):
                yield Skip("--platform stays: the FROM is laid out in a way this rule cannot edit", ins)
                continue
            yield Fix(ins, f"--platform={platform} is what FROM does by default", Safety.SAFE,
                      (Replace(ins, code, verbatim=True),))
