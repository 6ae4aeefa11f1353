from __future__ import annotations

from ...syntax.edits import Replace
from ..base import Fix, Rule, Safety, Skip
from .base_image import _replace_image


class PinDigest(Rule):
    """
    ## What it does
    With `--pin-digests` only: adds the digest the registry serves for each
    base image's tag, `python:3.12` becoming `python:3.12@sha256:…`. The tag
    stays for the reader; the digest is what Docker pulls.

    ## Why
    A tag can be moved to a new image at any time (every patch release moves
    `python:3.12`). A digest names exactly one image, so the build is
    reproducible and a compromised tag cannot change what you run.

    ## Example
    ```dockerfile
    FROM python:3.12-slim
    ```

    ## Use instead
    ```dockerfile
    FROM python:3.12-slim@sha256:<digest of the image the tag points to today>
    ```

    ## Fix safety
    Review: the image pinned is the one the tag points to now, which may be
    newer than the one your last build used. This is the only rule that uses
    the network, and only when asked; a registry that cannot be reached is
    reported and the line left as it was. Untagged references are pinned
    to a tag first by PN001.
    """

    code = "PN002"
    name = "pin-digest"
    title = "Pin base images to a digest (with --pin-digests)"
    rationale = "A tag can be moved to another image at any time, while a digest names exactly one image."
    resolves = ()
    safety = Safety.REVIEW
    network = True  # firing cases: tests/test_pin_digest.py, against a registry on 127.0.0.1

    def check(self, model):
        if not model.options.pin_digests:
            return
        from ...model.registry import RegistryError, resolve_digest  # the network, only when asked
        for stage in model.stages:
            ins = stage.from_instruction
            raw = stage.base_name
            if model.base_is_stage(stage) or "$" in raw:
                continue
            ref = model.base_image(stage)
            if ref.is_scratch or ref.digest is not None or ref.tag in (None, "latest"):
                continue
            try:
                digest = resolve_digest(ref)
            except RegistryError as e:
                yield Skip(f"cannot resolve {ref} to a digest: {e}", ins)
                continue
            new = ref.with_digest(digest)
            code = _replace_image(ins, raw, str(new))
            if code is None:
                yield Skip(f"FROM at line {ins.start_line} is split over lines: pin it by hand", ins)
                continue
            yield Fix(ins, f"{ref} pinned to the image its tag points to now ({digest[:19]}…)", Safety.REVIEW,
                      (Replace(ins, code, verbatim=True),))
