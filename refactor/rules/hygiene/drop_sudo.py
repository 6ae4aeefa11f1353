from __future__ import annotations

from ...syntax.edits import Replace
from ...model.commands import is_windows
from ...model.images import image_facts
from ..base import Fix, Rule, Safety, Skip


class DropSudo(Rule):
    """
    ## What it does
    Removes `sudo` (with `-E`, `-H`, `-n` or `-u root`) in front of a command
    in a shell-form `RUN` where the build runs as root: no `USER` before it
    in the stage or the stages it is built from (or a `USER root`/`USER 0`),
    on a base image the image table knows to start as root.

    ## Why
    A `RUN` runs as the image's user; as root, `sudo` adds nothing but its
    own rules: it resets the environment and the `PATH` to its
    `secure_path`, may ask for a terminal, and must be installed at all.
    Steps that need root belong after a `USER root` (or before the `USER`
    that drops it). hadolint reports `sudo` as DL3004.

    ## Example
    ```dockerfile
    FROM ubuntu:24.04
    RUN sudo apt-get update && sudo apt-get install -y --no-install-recommends make
    ```

    ## Use instead
    ```dockerfile
    FROM ubuntu:24.04
    RUN apt-get update && apt-get install -y --no-install-recommends make
    ```

    ## Fix safety
    Review: the command runs as the same user, root, but with the image's
    environment instead of the one `sudo` keeps, so a variable that `ENV`
    sets (a proxy, a package index) now reaches it. Left alone: stages that
    set `PATH` themselves (sudo's `secure_path` would have run other
    programs), a `USER` other than root before the `RUN`, bases that are not
    in the image table or that start as another user, `sudo -u someone`,
    `sudo -i`, `sudo -s`, `sudo su`, and options this rule does not know.
    """

    code = "HY049"
    name = "drop-sudo"
    title = "Drop sudo from RUNs that already run as root"
    rationale = "A RUN as root gains nothing from sudo but its reset environment and the need to install it."
    resolves = ("DL3004",)
    safety = Safety.REVIEW

    def check(self, model):
        for ins, script in model.shell_runs():
            stage = model.stage_of(ins)
            if stage is None or is_windows(model, stage):
                continue
            commands = [c for c in script.commands if c.name == "sudo"]
            if not commands:
                continue
            why = _not_root(model, stage, ins) or _path_set(model, stage, ins)
            if why is None and script.has_errors:
                why = "the shell parser could not read this RUN"
            edits = []
            for command in commands:
                cut = _cut(command)
                if isinstance(cut, str):
                    why = why or cut
                    continue
                edits.append((command.words[0].start, cut, ""))
            if why:
                yield Skip(f"sudo stays: {why}", ins)
                continue
            code = model.edited_run(ins, edits)
            if code is None:
                yield Skip("sudo stays: the RUN is laid out in a way this rule cannot edit", ins)
                continue
            yield Fix(ins, "sudo goes: this RUN already runs as root, and the commands now see the image's "
                           "environment rather than the one sudo keeps", Safety.REVIEW, (Replace(ins, code, verbatim=True),))


_PLAIN = {"-E", "-H", "-n", "--preserve-env", "--set-home", "--non-interactive", "-k", "--reset-timestamp"}


def _cut(command) -> int | str:
    """Where the command after `sudo` and its options starts, or why sudo must stay."""
    words = command.words
    i = 1
    while i < len(words):
        value = words[i].value
        if value is None:
            return "its options come from a variable"
        if value in _PLAIN:
            i += 1
            continue
        if value in ("-u", "--user") and i + 1 < len(words) and words[i + 1].value in ("root", "0", "#0"):
            i += 2
            continue
        if value in ("--user=root", "-uroot"):
            i += 1
            continue
        if value == "--":
            i += 1
            break
        if value.startswith("-"):
            return f"`sudo {value}` does more than run a command as root"
        break
    if i >= len(words):
        return "sudo runs no command"
    if words[i].value in ("su", "-i", "-s"):
        return f"`sudo {words[i].value}` starts a login shell"
    return words[i].start


def _not_root(model, stage, ins) -> str | None:
    user = None
    for s in model.stage_chain(stage):
        for other in s.instructions:
            if other is ins:
                break
            if other.keyword == "USER" and other.arguments:
                user = other
    if user is not None:
        name = user.arguments[0].split(":")[0]
        return None if name in ("root", "0") else f"the USER at line {user.start_line} is {name}, not root"
    root = model.stage_chain(stage)[0]
    ref = model.base_image(root)
    facts = image_facts(ref)
    if facts.family is None or "nonroot" in (ref.tag or "") or "rootless" in (ref.tag or ""):
        return f"{ref.text or root.base_name} is not known to build as root"
    return None


def _path_set(model, stage, ins) -> str | None:
    for s in model.stage_chain(stage):
        for other in s.instructions:
            if other is ins:
                return None
            if other.keyword == "ENV" and any(k == "PATH" for k, _ in other.pairs):
                return (f"the ENV at line {other.start_line} sets PATH, and sudo's own secure_path may have run "
                        "other programs")
    return None
