from __future__ import annotations

from ...syntax.edits import Replace
from ...model.pins import image_key, load_pin_table
from ...model.versions import declared_version
from ..base import Fix, Rule, Safety, Skip


class PinBaseImage(Rule):
    """
    ## What it does
    Gives every `FROM` without a tag, or with `latest`, a concrete version tag:
    the version the project's own files declare (`.python-version`,
    `requires-python`, `.nvmrc`, `engines.node`, `go.mod`, `rust-toolchain`,
    the Java version in `pom.xml` or `build.gradle`, `global.json`,
    `.ruby-version`, `composer.json`'s `php`), else the current release from a
    dated table kept as data (`refactor explain PN001` shows its date).

    ## Why
    An untagged base image changes under you: the next build may get a new
    major version of the runtime and break, and two builds of one commit may
    differ. hadolint reports DL3006 and DL3007.

    ## Example
    ```dockerfile
    FROM python
    ```

    ## Use instead
    ```dockerfile
    FROM python:3.12
    ```

    ## Fix safety
    Review: the image's contents may change (the pinned version can differ
    from what `latest` pointed to when the image was last built). Stage names,
    `scratch`, references built from `ARG`s and tags already pinned are never
    touched. Set `pin-date` in `[tool.refactor]` to keep the choice stable
    across upgrades of refactor, or `pin-table` to use your own table.
    """

    code = "PN001"
    name = "pin-base-image"
    title = "Pin base images to a concrete version tag"
    rationale = "An untagged or latest base image changes under you, so builds of the same commit differ and break without warning."
    resolves = ("DL3006", "DL3007")
    safety = Safety.REVIEW

    def check(self, model):
        table = load_pin_table(model.options.pin_table)
        on = model.options.pin_date
        for stage in model.stages:
            ins = stage.from_instruction
            raw = stage.base_name
            if model.base_is_stage(stage):
                continue
            ref = model.base_image(stage)
            if ref.is_scratch:
                continue
            if "$" in raw:
                if not ref.is_pinned and not ref.is_symbolic:
                    yield Skip(f"FROM {raw} is built from ARGs: pin the ARG's default instead", ins)
                continue
            if ref.is_pinned:
                continue
            key = image_key(ref)
            tag, source = None, None
            found = declared_version(key, model.context, table.candidates(key, on))
            if found:
                tag, source = found[0], found[1]
            else:
                tag = table.current(key, on)
                source = f"the table of current releases ({table.date})" if tag else None
            if tag is None:
                yield Skip(f"no known current tag for {key}: pin it by hand", ins)
                continue
            new_ref = ref.with_tag(tag)
            code = _replace_image(ins, raw, str(new_ref))
            if code is None:
                yield Skip(f"FROM at line {ins.start_line} is split over lines: pin it by hand", ins)
                continue
            was = "latest" if ref.tag == "latest" else "no tag"
            yield Fix(
                ins,
                f"{raw} ({was}) floats with every release: pinned to {new_ref} from {source}",
                Safety.REVIEW,
                (Replace(ins, code, verbatim=True),),
            )

    @staticmethod
    def explain_extra() -> str:
        table = load_pin_table(None)
        lines = [f"Table of current releases, dated {table.date} ({len(table.images)} images):"]
        for key in sorted(table.images):
            lines.append(f"  {key:<34} {table.current(key) or '-'}")
        return "\n".join(lines)


def _replace_image(ins, raw: str, new: str) -> str | None:
    tokens = list(ins.tokens)
    for i, t in enumerate(tokens):
        if t.kind == "ARGUMENT":
            if t.text != raw:
                return None
            tokens[i] = t._replace(text=new)
            return "".join(tok.text for tok in tokens) + "".join(h.code for h in ins.heredocs)
    return None
