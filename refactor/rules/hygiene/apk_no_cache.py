from __future__ import annotations


from ...syntax.edits import Replace
from ...model.packages import cache_mounts, covers, verb as _verb
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
        for ins, script in model.shell_runs():
            words = []
            for command in script.commands:
                add = _verb("apk", "add", command)
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
            mount = next((t for t in cache_mounts(ins) if covers(t, _APK_CACHE)), None)
            if mount:
                yield Skip(f"apk add keeps its cache: the RUN mounts a build cache at {mount}", ins)
                continue
            code = model.edited_run(ins, [(w.end, w.end, " --no-cache") for w in words])
            if code is None:
                yield Skip("apk add stays as written: the RUN is laid out in a way this rule cannot edit", ins)
                continue
            yield Fix(ins, "apk add --no-cache fetches the package index without keeping it in the layer", Safety.SAFE,
                      (Replace(ins, code, verbatim=True),))


# apk options that read the next word as their value



def _has_no_cache(command) -> bool:
    """Already --no-cache, or --no-network (nothing is fetched, so nothing is cached)."""
    return "--no-cache" in command.argv or "--no-network" in command.argv


def _names_cache_dir(command) -> bool:
    return any(v is not None and (v == "--cache-dir" or v.startswith("--cache-dir=")) for v in command.argv)


_APK_CACHE = ("/var/cache/apk", "/etc/apk/cache")

