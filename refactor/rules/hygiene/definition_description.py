from __future__ import annotations

import re

from ...syntax.edits import InsertBefore
from ..base import Fix, Rule, Safety, Skip

_PRAGMA = re.compile(r"(hadolint|refactor:|tally|shellcheck|checkov|trivy|noqa)\b", re.I)


class DefinitionDescription(Rule):
    """
    ## What it does
    In a file that turns on BuildKit's experimental check for descriptions
    (`# check=experimental=InvalidDefinitionDescription`, or
    `experimental=all`), puts an empty comment line (`#`) between a named
    `FROM` or an `ARG` and the comment above it when that comment does not
    start with the stage's or argument's name, so that it is no longer read
    as a description.

    ## Why
    `docker build --call=outline` and `--call=targets` describe stages and
    build arguments by the comment right above them that starts with their
    name (`# VERSION picks the release`). A comment there that says
    something else (`# build stage`) reads as a malformed description;
    BuildKit warns (InvalidDefinitionDescription) where the file asks for
    the check. BuildKit reads the last comment line above the instruction,
    across blank lines; only an empty comment line ends the description.

    ## Example
    ```dockerfile
    # check=experimental=InvalidDefinitionDescription
    # compile everything
    FROM golang:1.22 AS build
    ```

    ## Use instead
    ```dockerfile
    # check=experimental=InvalidDefinitionDescription
    # compile everything
    #
    FROM golang:1.22 AS build
    ```

    ## Fix safety
    Safe: only an empty comment line is added, and the build is the same. The
    comment's words are not rewritten into a description: what a stage or
    argument is for is the author's to say. A comment holding a linter's
    pragma (`# hadolint ignore=…`) stays attached, and is reported as
    skipped. Files that do not turn the
    check on are left as they are, as BuildKit does not report it for them.
    """

    code = "HY028"
    name = "definition-description"
    title = "Separate comments that are no description from FROM and ARG"
    rationale = "BuildKit reads the comment right above a stage or argument as its description."
    resolves = ("InvalidDefinitionDescription",)
    safety = Safety.SAFE

    def check(self, model):
        if not _enabled(model.df.directive("check")):
            return
        for ins in model.df.instructions:
            if ins.keyword == "FROM":
                args = ins.arguments
                if len(args) != 3 or args[1].lower() != "as":
                    continue
                name, what = args[2], "stage"
            elif ins.keyword == "ARG" and len(ins.arguments) == 1:
                name, what = ins.arguments[0].partition("=")[0], "argument"
            else:
                continue
            comments = []  # as BuildKit collects them: blank lines keep them, an empty `#` line drops them
            for t in ins.leading:
                if type(t).__name__ == "Comment":
                    comments = comments + [t] if t.text else []
            if not comments:
                continue
            last = comments[-1].text
            if last == name or last.startswith(name + " "):
                continue
            block = []
            for t in reversed(ins.leading):
                if type(t).__name__ != "Comment":
                    break
                block.insert(0, t)
            if any(_PRAGMA.match(t.text) for t in block):
                yield Skip(f"{ins.keyword} {name} keeps its comment: a linter pragma in it applies to the next line",
                           ins)
                continue
            message = (f"an empty comment line above {ins.keyword} {name}: the comment above it does not start "
                       f"with the {what}'s name, so it is no description")
            yield Fix(ins, message, Safety.SAFE, (InsertBefore(ins, "#", above_comments=False, verbatim=True),))


def _enabled(check: str | None) -> bool:
    """Whether `# check=` turns on InvalidDefinitionDescription (`experimental=all` or by name)."""
    if not check:
        return False
    for part in check.split(";"):
        key, _, value = part.strip().partition("=")
        if key.strip() == "experimental":
            names = {v.strip() for v in value.split(",")}
            if "all" in names or "InvalidDefinitionDescription" in names:
                return True
    return False
