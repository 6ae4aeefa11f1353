from __future__ import annotations

import re

from ...syntax.edits import Replace
from ..base import Fix, Rule, Safety


class ExposeProtoCasing(Rule):
    """
    ## What it does
    Writes the protocol of an `EXPOSE`d port in lower case: `80/tcp`,
    `53/udp`.

    ## Why
    Docker lower-cases the protocol when it reads the port, so `80/TCP` is
    `80/tcp`; writing it that way says what the image records. BuildKit warns
    (ExposeProtoCasing).

    ## Example
    ```dockerfile
    EXPOSE 8080/TCP 53/UDP
    ```

    ## Use instead
    ```dockerfile
    EXPOSE 8080/tcp 53/udp
    ```

    ## Fix safety
    Safe: the image exposes the same ports.
    """

    code = "HY025"
    name = "expose-proto-casing"
    title = "Write EXPOSE protocols in lower case"
    rationale = "Docker reads port protocols in lower case, so an upper-case one only hides what the image records."
    resolves = ("ExposeProtoCasing",)
    safety = Safety.SAFE

    def check(self, model):
        for ins in model.df.instructions:
            if ins.keyword != "EXPOSE":
                continue
            parts = [t.text for t in ins.tokens]
            changed = []
            for n, t in enumerate(ins.tokens):
                if t.kind != "ARGUMENT":
                    continue
                m = re.fullmatch(r"(.*/)([A-Za-z]+)", t.text)
                if m and m.group(2) != m.group(2).lower():
                    parts[n] = m.group(1) + m.group(2).lower()
                    changed.append(t.text)
            if not changed:
                continue
            code = "".join(parts)
            new = model.reparsed(ins, code)
            if new is None or [a.lower() for a in new.arguments] != [a.lower() for a in ins.arguments]:
                continue
            ports = ", ".join(changed)
            yield Fix(ins, f"EXPOSE {ports}: the protocol in lower case, as Docker records it", Safety.SAFE,
                      (Replace(ins, code, verbatim=True),))
