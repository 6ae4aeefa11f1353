from __future__ import annotations

import re

from ...syntax.edits import Replace
from ..base import Fix, Rule, Safety, Skip


class LabelKeyLowercase(Rule):
    """
    ## What it does
    Lower-cases `LABEL` keys that are invalid only because of their capital
    letters (`LABEL Maintainer=…`, `LABEL Version=1.2`), where the lower-case
    key is valid and no other label of the stage already has it. Keys that
    are invalid for other reasons (characters outside `a-z 0-9 . - _ /`,
    repeated separators, Docker's reserved `com.docker.` namespaces) are left
    alone, with the reason.

    ## Why
    Docker's label guidelines ask for keys in lower case, starting with a
    letter and ending with a letter or digit, so that tools reading labels
    (`docker inspect -f`, orchestrators, scanners that look for
    `maintainer` or `org.opencontainers.image.*`) find them; hadolint reports
    other keys as DL3048.

    ## Example
    ```dockerfile
    FROM alpine:3.20
    LABEL Maintainer="Jane Doe <jane@example.com>" Version="1.2"
    ```

    ## Use instead
    ```dockerfile
    FROM alpine:3.20
    LABEL maintainer="Jane Doe <jane@example.com>" version="1.2"
    ```

    ## Fix safety
    Unsafe: renaming a key changes the image's labels, and whatever reads
    the old key (`docker inspect -f '{{ index .Config.Labels "Version" }}'`,
    a deploy script, a registry policy) no longer finds it. Offered as a
    suggestion unless `--unsafe-fixes` is given.
    """

    code = "HY052"
    name = "label-key-lowercase"
    title = "Write LABEL keys in lower case"
    rationale = "Label keys with capitals break Docker's key conventions that tools reading labels rely on."
    resolves = ("DL3048",)
    safety = Safety.UNSAFE

    def check(self, model):
        for stage in model.stages:
            keys = {_bare(k) for s in model.stage_chain(stage) for i in s.instructions if i.keyword == "LABEL"
                    for k, _ in i.pairs}
            for ins in stage.instructions:
                if ins.keyword != "LABEL":
                    continue
                renames = {}
                for key, _ in ins.pairs:
                    bare = _bare(key)
                    if _valid(bare):
                        continue
                    lower = bare.lower()
                    if not _valid(lower):
                        yield Skip(f"the label key {bare} stays: {_why(lower)}, and the right key is the author's", ins)
                        continue
                    if lower in keys:
                        yield Skip(f"the label key {bare} stays: the stage already has a label {lower}", ins)
                        continue
                    renames[key] = key.replace(bare, lower)
                if not renames:
                    continue
                code = _renamed(model, ins, renames)
                if code is None:
                    yield Skip("the label keys stay: the LABEL is written in a way this rule cannot edit", ins)
                    continue
                shown = ", ".join(f"{_bare(k)} → {_bare(v)}" for k, v in renames.items())
                yield Fix(ins, f"label keys in lower case ({shown}); whatever reads the old key must read the new one",
                          Safety.UNSAFE, (Replace(ins, code, verbatim=True),))


_RESERVED = ("com.docker.", "io.docker.", "org.dockerproject.")


def _bare(key: str) -> str:
    return key.strip("\"'")


def _valid(key: str) -> bool:
    return _why(key) is None


def _why(key: str) -> str | None:
    if not key or not ("a" <= key[0] <= "z"):
        return "it does not start with a lower-case letter"
    if not re.fullmatch(r"[a-z0-9._/-]*", key):
        return "it has characters outside a-z, 0-9, `.`, `-`, `_` and `/`"
    if not re.match(r"[a-z0-9]", key[-1]):
        return "it does not end with a letter or digit"
    if key.startswith(_RESERVED):
        return "it is in a namespace Docker reserves"
    if ".." in key or "--" in key:
        return "it repeats a separator"
    return None


def _renamed(model, ins, renames: dict[str, str]) -> str | None:
    tokens = list(ins.tokens)
    texts = []
    for t in tokens:
        text = t.text
        if t.kind == "TEXT":
            for old, new in renames.items():
                text = re.sub(rf"(^|(?<=\s)){re.escape(old)}(?=[=\s]|$)", new, text)
        texts.append(text)
    code = "".join(texts) + "".join(h.code for h in ins.heredocs)
    new = model.reparsed(ins, code)
    if new is None or new.keyword != "LABEL":
        return None
    expected = tuple((renames.get(k, k), v) for k, v in ins.pairs)
    return code if new.pairs == expected else None
