from __future__ import annotations

from ...syntax.edits import InsertBefore
from ...model.commands import is_windows
from ..base import Fix, Rule, Safety


class SyntaxDirective(Rule):
    """
    ## What it does
    Adds `# syntax=docker/dockerfile:1` as the first line of a file that
    uses syntax only BuildKit reads: `RUN --mount`, `--network` or
    `--security`, here-documents, `COPY`/`ADD` with `--link`, `--chmod`,
    `--exclude` or `--parents`, `ADD --checksum` or `--keep-git-dir`.

    ## Why
    The directive asks BuildKit for the current stable Dockerfile frontend,
    so these features work whatever version of the frontend the builder
    ships; the legacy builder fails on them anyway, and the line says at
    the top that the file needs BuildKit. BuildKit's own check warns about
    files that use newer syntax without it.

    ## Example
    ```dockerfile
    FROM golang:1.23
    RUN --mount=type=cache,target=/root/.cache/go-build go build ./...
    ```

    ## Use instead
    ```dockerfile
    # syntax=docker/dockerfile:1
    FROM golang:1.23
    RUN --mount=type=cache,target=/root/.cache/go-build go build ./...
    ```

    ## Fix safety
    Review: the image is the same, but the build fetches the
    `docker/dockerfile:1` frontend image, which builders without network
    access (or without a registry mirror of it) cannot.
    `[tool.refactor] syntax-directive = false` leaves the line out, and
    `buildkit = false` (the legacy builder) too. A file that has a
    `# syntax=` line keeps it, and files with a Windows stage are left
    alone.
    """

    code = "BK002"
    name = "syntax-directive"
    title = "Name the Dockerfile frontend in files that use BuildKit-only syntax"
    rationale = "`# syntax=docker/dockerfile:1` gives BuildKit-only features the frontend that reads them."
    safety = Safety.REVIEW

    def check(self, model):
        edits = directive_edits(model)
        if not edits:
            return
        if any(is_windows(model, s) for s in model.stages):
            return
        used = buildkit_only(model.df)
        if used is None:
            return
        ins, what = used
        yield Fix(ins, f"the file uses {what}, which BuildKit reads: # syntax=docker/dockerfile:1 names the frontend",
                  Safety.REVIEW, tuple(edits))


_FLAGS = {"RUN": ("mount", "network", "security"), "COPY": ("link", "chmod", "exclude", "parents"),
          "ADD": ("link", "chmod", "exclude", "parents", "checksum", "keep-git-dir")}


def buildkit_only(df):
    """(instruction, what) of the first use of BuildKit-only syntax, or None."""
    for ins in df.instructions:
        if ins.heredocs:
            return ins, "a here-document"
        for flag in ins.flags:
            if flag.name in _FLAGS.get(ins.keyword, ()):
                return ins, f"{ins.keyword} --{flag.name}"
    return None


def directive_edits(model) -> list:
    """The edit that makes `# syntax=docker/dockerfile:1` the first line, where the file has none and
    the configuration allows it."""
    options = model.options
    if not options.buildkit or not options.syntax_directive:
        return []
    if model.df.directive("syntax") is not None or not model.df.instructions:
        return []
    return [InsertBefore(model.df.instructions[0], "# syntax=docker/dockerfile:1", above_comments=True, verbatim=True)]
