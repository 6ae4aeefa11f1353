from __future__ import annotations

import json

from ...syntax.edits import Replace
from ..base import Fix, Rule, Safety


class MaintainerToLabel(Rule):
    """
    ## What it does
    Replaces the deprecated `MAINTAINER` instruction with the OCI label
    `org.opencontainers.image.authors`.

    ## Why
    `MAINTAINER` has been deprecated since Docker 1.13; BuildKit warns about it
    (MaintainerDeprecated) and hadolint reports DL4000. A label is what
    registries and scanners read.

    ## Example
    ```dockerfile
    MAINTAINER Jane Doe <jane@example.com>
    ```

    ## Use instead
    ```dockerfile
    LABEL org.opencontainers.image.authors="Jane Doe <jane@example.com>"
    ```

    ## Fix safety
    Safe: the container runs exactly as before. The image's legacy `Author`
    field is no longer set; the same text is in the label instead.
    """

    code = "HY009"
    name = "maintainer-to-label"
    title = "Replace MAINTAINER with an OCI authors label"
    rationale = "MAINTAINER is deprecated; registries and scanners read the org.opencontainers.image.authors label."
    resolves = ("DL4000", "MaintainerDeprecated")
    safety = Safety.SAFE

    def check(self, model):
        for ins in model.df.instructions:
            if ins.keyword != "MAINTAINER" or not ins.arguments:
                continue
            author = ins.arguments[0]
            code = f"LABEL org.opencontainers.image.authors={json.dumps(author, ensure_ascii=False)}"
            yield Fix(ins, "MAINTAINER is deprecated: the author goes into the label org.opencontainers.image.authors", Safety.SAFE, (Replace(ins, code),))
