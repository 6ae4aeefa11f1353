from __future__ import annotations

import posixpath

from ...engine.edits import Replace
from ...engine.textedit import arguments_text, edit_arguments
from ..base import Fix, Rule, Safety, Skip


class ApkNoCache(Rule):
    """
    ## What it does
    Adds `--no-cache` right after `add` to every `apk add` in a shell-form
    `RUN` that does not already say `--no-cache`. An `apk update` or an
    `rm -rf /var/cache/apk/*` in the same `RUN` is left where it is.

    ## Why
    Without `--no-cache`, `apk add` relies on a package index fetched
    earlier and keeps that index under `/var/cache/apk` in the layer: the
    image grows by a few megabytes of metadata that nothing reads at run
    time. With `--no-cache` apk fetches the index, uses it and throws it
    away in the same step. hadolint reports the missing flag as DL3019.

    ## Example
    ```dockerfile
    FROM alpine:3.20
    RUN apk update && apk add curl ca-certificates
    ```

    ## Use instead
    ```dockerfile
    FROM alpine:3.20
    RUN apk update && apk add --no-cache curl ca-certificates
    ```

    ## Fix safety
    Safe: the same packages are installed from the same repositories; only
    apk's index cache stays out of the layer. `apk add` reads a fresh index
    from the network even where an earlier `apk update` left one behind.
    Commands that name their own `--cache-dir`, and `RUN`s with a cache
    mount for apk's cache (which keeps it out of the image already), are
    left alone.
    """

    code = "HY004"
    name = "apk-no-cache"
    title = "Install Alpine packages with apk add --no-cache"
    rationale = "apk add --no-cache keeps the package index out of the layer, where nothing would read it again."
    resolves = ("DL3019",)
    safety = Safety.SAFE

    def check(self, model):
        for ins in model.df.instructions:
            if ins.heredocs:
                continue
            script = model.script(ins)
            if script is None:
                continue
            words = []
            for command in script.commands:
                add = _add_word(command)
                if add is None or _has_no_cache(command):
                    continue
                if _names_cache_dir(command):
                    yield Skip("`apk add` names its own --cache-dir: that cache is the command's choice", ins)
                    continue
                words.append(add)
            if not words:
                continue
            if script.has_errors:
                yield Skip("apk add stays as written: the shell parser could not read this RUN", ins)
                continue
            mount = _cache_mount(ins)
            if mount:
                yield Skip(f"apk add keeps its cache: the RUN mounts a build cache at {mount}", ins)
                continue
            code = _rewritten(model, ins, [(w.end, w.end, " --no-cache") for w in words])
            if code is None:
                yield Skip("apk add stays as written: the RUN is laid out in a way this rule cannot edit", ins)
                continue
            yield Fix(ins, "apk add --no-cache fetches the package index without keeping it in the layer", Safety.SAFE,
                      (Replace(ins, code, verbatim=True),))


# apk options that read the next word as their value
_TAKES_VALUE = {"-X", "--repository", "-p", "--root", "--arch", "--cache-dir", "--keys-dir", "--repositories-file",
                "--wait", "--timeout", "--cache-max-age", "--progress-fd", "-t", "--virtual"}


def _add_word(command):
    """The `add` word of `apk [options] add …`, or None for other commands."""
    if command.name != "apk":
        return None
    words = command.words
    i = 1
    while i < len(words):
        value = words[i].value
        if value is None:
            return None  # an option or subcommand from a variable: cannot tell which
        if not value.startswith("-"):
            return words[i] if value == "add" else None
        i += 2 if value in _TAKES_VALUE else 1
    return None


def _has_no_cache(command) -> bool:
    return "--no-cache" in command.argv


def _names_cache_dir(command) -> bool:
    return any(v is not None and (v == "--cache-dir" or v.startswith("--cache-dir=")) for v in command.argv)


_APK_CACHE = ("/var/cache/apk", "/etc/apk/cache")


def _cache_mount(ins) -> str | None:
    """The target of a `--mount=type=cache` that holds apk's cache, if the RUN has one."""
    for flag in ins.flags:
        if flag.name != "mount" or not flag.value:
            continue
        fields = {k.strip().lower(): v for k, _, v in (part.partition("=") for part in flag.value.split(","))}
        target = fields.get("target") or fields.get("dst") or fields.get("destination")
        if fields.get("type") != "cache" or not target:
            continue
        target = posixpath.normpath(target)
        if any(target == path or path.startswith(target + "/") or target.startswith(path + "/") for path in _APK_CACHE):
            return target
    return None


def _rewritten(model, ins, edits: list[tuple[int, int, str]]) -> str | None:
    """The RUN's own code with `edits` made to its logical text, layout kept; None unless it reads back as meant."""
    text = ins.arguments[0]
    if arguments_text(ins) != text:
        return None
    code = edit_arguments(ins, edits)
    expected = text
    for start, end, new in sorted(edits, reverse=True):
        expected = expected[:start] + new + expected[end:]
    again = model.reparsed(ins, code)
    if again is None or again.keyword != "RUN" or again.arguments[:1] != (expected,):
        return None
    return code
