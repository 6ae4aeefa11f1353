from __future__ import annotations

from ...syntax.edits import Remove
from ..base import Fix, Rule, Safety


class LastConfigInstruction(Rule):
    """
    ## What it does
    Removes a `CMD`, `ENTRYPOINT` or `HEALTHCHECK` that a later one of the
    same kind in the same stage overrides, with the comment lines above it.

    ## Why
    An image has one command, one entrypoint and one health check: only the
    last of each in a stage counts, and the earlier ones mislead a reader
    into thinking they run. BuildKit warns (MultipleInstructionsDisallowed),
    hadolint reports DL4003 (`CMD`) and DL4004 (`ENTRYPOINT`).

    ## Example
    ```dockerfile
    FROM python:3.12-slim
    CMD ["python", "app.py"]
    COPY . /app
    CMD ["gunicorn", "app:app"]
    ```

    ## Use instead
    ```dockerfile
    FROM python:3.12-slim
    COPY . /app
    CMD ["gunicorn", "app:app"]
    ```

    ## Fix safety
    Safe: the image's configuration is the same. The last instruction of
    each kind stays where it is, so an `ENTRYPOINT` still keeps or resets
    the `CMD` as before (Docker keeps a `CMD` set earlier in the same stage).
    `ONBUILD` triggers and a health check's own `CMD` are not counted.
    """

    code = "HY026"
    name = "last-config-instruction"
    title = "Keep only the last CMD, ENTRYPOINT and HEALTHCHECK of a stage"
    rationale = "Only the last CMD, ENTRYPOINT or HEALTHCHECK of a stage takes effect, so earlier ones only mislead."
    resolves = ("MultipleInstructionsDisallowed", "DL4003", "DL4004")
    safety = Safety.SAFE

    def check(self, model):
        for stage in model.stages:
            for kind in ("CMD", "ENTRYPOINT", "HEALTHCHECK"):
                found = [i for i in stage.instructions if i.keyword == kind]
                for ins in found[:-1]:
                    message = (f"{kind} removed: a later {kind} of the same stage overrides it, "
                               "as only the last one counts")
                    yield Fix(ins, message, Safety.SAFE, (Remove(ins),))
