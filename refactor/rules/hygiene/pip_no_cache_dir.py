from __future__ import annotations

import posixpath

from ...syntax.edits import Replace
from ...model.packages import verb as _verb
from ..base import Fix, Rule, Safety, Skip


class PipNoCacheDir(Rule):
    """
    ## What it does
    Adds `--no-cache-dir` right after `install` to `pip install`,
    `pip3 install`, `python -m pip install` and `python3 -m pip install` in
    shell-form `RUN`s that do not already say `--no-cache-dir`.

    ## Why
    pip keeps every wheel it downloads or builds in `~/.cache/pip`. In an
    image build nothing ever reads that cache again, yet it stays in the
    layer and often weighs as much as the installed packages themselves.
    hadolint reports the missing flag as DL3042.

    ## Example
    ```dockerfile
    FROM python:3.12-slim
    RUN pip install -r requirements.txt
    ```

    ## Use instead
    ```dockerfile
    FROM python:3.12-slim
    RUN pip install --no-cache-dir -r requirements.txt
    ```

    ## Fix safety
    Safe: pip installs the same packages; only its download and wheel cache
    stays out of the image. Left alone: a stage that sets `PIP_NO_CACHE_DIR`
    (with `ENV` or `ARG`, or in the `RUN` itself), which already turns the
    cache off; commands naming their own `--cache-dir`; and `RUN`s with a
    cache mount on pip's cache folder, which keeps the cache out of the image
    and between builds on purpose.
    """

    code = "HY005"
    name = "pip-no-cache-dir"
    title = "Install Python packages with pip install --no-cache-dir"
    rationale = "pip's download cache is never read again in an image, so --no-cache-dir keeps it out of the layer."
    resolves = ("DL3042",)
    safety = Safety.SAFE

    def check(self, model):
        for stage in model.stages:
            for ins in stage.instructions:
                if ins.heredocs:
                    continue
                script = model.script(ins)
                if script is None:
                    continue
                commands = [c for c in script.commands if _verb("pip", "install", c) is not None and not _says_no_cache_dir(c)]
                if not commands:
                    continue
                if _cache_turned_off(model, stage, ins, commands):
                    continue
                named = [c for c in commands if _names_cache_dir(c)]
                if named:
                    yield Skip(f"`{_shown(named[0])}` names its own --cache-dir, a cache the command chose", ins)
                    commands = [c for c in commands if c not in named]
                    if not commands:
                        continue
                if script.has_errors:
                    yield Skip("pip install stays as written: the shell parser could not read this RUN", ins)
                    continue
                mount = _cache_mount(model, stage, ins)
                if mount:
                    yield Skip(f"pip keeps its cache: the RUN mounts a build cache at {mount}", ins)
                    continue
                edits = [(w.end, w.end, " --no-cache-dir") for w in (_verb("pip", "install", c) for c in commands)]
                code = model.edited_run(ins, edits)
                if code is None:
                    yield Skip("pip install stays as written: the RUN is laid out in a way this rule cannot edit", ins)
                    continue
                yield Fix(ins, "pip install --no-cache-dir keeps pip's download cache out of the layer", Safety.SAFE,
                          (Replace(ins, code, verbatim=True),))


# --- the command -----------------------------------------------------------------------------




def _says_no_cache_dir(command) -> bool:
    return any(v is not None and v.partition("=")[0] == "--no-cache-dir" for v in command.argv)


def _names_cache_dir(command) -> bool:
    return any(v is not None and (v == "--cache-dir" or v.startswith("--cache-dir=")) for v in command.argv)


def _shown(command) -> str:
    return " ".join(w.text for w in command.words)


# --- what already keeps the cache out ------------------------------------------------------------

_SWITCH = "PIP_NO_CACHE_DIR"


def _cache_turned_off(model, stage, ins, commands) -> bool:
    """PIP_NO_CACHE_DIR is set for these commands: any value turns pip's cache off."""
    if any(a.partition("=")[0] == _SWITCH for c in commands for a in c.assignments):
        return True
    if _SWITCH in ins.arguments[0]:
        return True  # exported or assigned earlier in the script: the variable is the script's choice
    return _SWITCH in _environment(model, stage, ins)


def _environment(model, stage, ins) -> dict[str, str]:
    """ENV and ARG names (with values as written) in effect at `ins`, parent stages included."""
    env: dict[str, str] = {}
    for s in model.stage_chain(stage):
        for other in s.instructions:
            if other is ins:
                return env
            if other.keyword in ("ENV", "ARG"):
                for key, value in other.pairs:
                    env[key] = value
    return env


def _cache_mount(model, stage, ins) -> str | None:
    """The target of a `--mount=type=cache` that holds pip's cache, if the RUN has one."""
    folders = {"/root/.cache", "/root/.cache/pip"}
    own = _environment(model, stage, ins).get("PIP_CACHE_DIR")
    if own:
        folders.add(posixpath.normpath(own.strip("\"'")))
    for flag in ins.flags:
        if flag.name != "mount" or not flag.value:
            continue
        fields = {k.strip().lower(): v for k, _, v in (part.partition("=") for part in flag.value.split(","))}
        target = fields.get("target") or fields.get("dst") or fields.get("destination")
        if fields.get("type") != "cache" or not target:
            continue
        target = posixpath.normpath(target)
        if target in folders or target.endswith(("/.cache", "/.cache/pip")):
            return target
    return None


# --- the edit --------------------------------------------------------------------------------
