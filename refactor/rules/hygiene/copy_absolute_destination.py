from __future__ import annotations

import posixpath
import re

from ...syntax.edits import Replace
from ...model.commands import is_windows
from ...model.images import image_facts
from ..base import Fix, Rule, Safety, Skip


class CopyAbsoluteDestination(Rule):
    """
    ## What it does
    Makes the destination of a `COPY` absolute where no `WORKDIR` is set
    before it in its stage (nor in a stage it is built `FROM`): the destination is read
    against the base image's own working directory, as Docker reads it
    (`COPY app.py .` on `python:3.12` becomes `COPY app.py /`), a trailing
    `/` kept where the destination names a folder.

    ## Why
    A relative destination is relative to the working directory the base
    image happens to set. Where the Dockerfile never says `WORKDIR`, a reader
    has to know the base image's Dockerfile to tell where files land, and a
    new base with another `WORKDIR` moves them without a word. hadolint
    reports it as DL3045.

    ## Example
    ```dockerfile
    FROM golang:1.23
    COPY . src/app
    ```

    ## Use instead
    ```dockerfile
    FROM golang:1.23
    COPY . /go/src/app
    ```

    ## Fix safety
    Safe: the files land where they landed before. The base image's
    working directory comes from `refactor/data/images.toml` (`/` for
    `scratch`); where the image is not listed there, the destination is left
    alone with the reason. Destinations with variables, quotes or
    here-documents, JSON-form `COPY`s and Windows stages are left alone too.
    """

    code = "HY045"
    name = "copy-absolute-destination"
    title = "Give COPY an absolute destination where no WORKDIR is set"
    rationale = "A relative COPY destination depends on the base image's WORKDIR, which the Dockerfile does not show."
    resolves = ("DL3045",)
    safety = Safety.SAFE

    def check(self, model):
        for stage in model.stages:
            if is_windows(model, stage) or any(i.keyword == "WORKDIR" for s in model.stage_chain(stage)[:-1]
                                               for i in s.instructions):
                continue
            root = model.stage_chain(stage)[0]
            for ins in stage.instructions:
                if ins.keyword == "WORKDIR":
                    break  # from here on the Dockerfile says where it works
                if ins.keyword != "COPY" or len(ins.arguments) < 2 or ins.heredocs:
                    continue
                dest = ins.arguments[-1]
                bare = dest.strip("\"'")
                if bare.startswith(("/", "$")) or re.match(r"[A-Za-z]:", bare):
                    continue
                if model.base_is_stage(root):
                    continue  # built from a stage that is not in the file's chain: cannot tell
                ref = model.base_image(root)
                shown = ref.text or root.base_name
                workdir = "/" if ref.is_scratch else image_facts(ref).workdir
                if workdir is None:
                    yield Skip(f"COPY keeps its relative destination: the WORKDIR of {shown} is not known, "
                               "so where it lands cannot be told", ins)
                    continue
                resolved = posixpath.normpath(posixpath.join(workdir, bare))
                resolved = "/" + resolved.lstrip("/")
                if resolved != "/" and (bare.endswith("/") or posixpath.basename(bare) in (".", "..")):
                    resolved += "/"
                code = _with_destination(model, ins, dest, resolved)
                if code is None:
                    yield Skip("COPY keeps its relative destination: it is written in a form this rule does not "
                               "rewrite (JSON, quotes, a variable)", ins)
                    continue
                yield Fix(ins, f"COPY to {dest} lands in {resolved} ({shown} works in {workdir}): the "
                               "destination says so itself", Safety.SAFE, (Replace(ins, code, verbatim=True),))


def _with_destination(model, ins, dest: str, resolved: str) -> str | None:
    tokens = list(ins.tokens)
    last = max((i for i, t in enumerate(tokens) if t.kind == "ARGUMENT"), default=None)
    if last is None or tokens[last].text != dest or any(ch in dest for ch in "\"'$\\"):
        return None
    code = "".join(resolved if i == last else t.text for i, t in enumerate(tokens))
    new = model.reparsed(ins, code)
    if new is None or new.arguments != (*ins.arguments[:-1], resolved):
        return None
    return code
