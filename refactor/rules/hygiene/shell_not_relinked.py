from __future__ import annotations

import json

from ...syntax.edits import Replace
from ...model.commands import is_windows, top_level
from ..base import Fix, Rule, Safety, Skip


class ShellNotRelinked(Rule):
    """
    ## What it does
    Replaces a `RUN` that only points `/bin/sh` at another shell
    (`RUN ln -sf /bin/bash /bin/sh`, optionally after `rm /bin/sh`) with
    `SHELL ["/bin/bash", "-c"]`, which makes the later `RUN`s (and the
    stage's shell-form commands) use that shell without changing the image's
    `/bin/sh`.

    ## Why
    Relinking `/bin/sh` swaps the shell for every program in the image, at
    build and at run time: scripts written for the distribution's `/bin/sh`,
    package maintainer scripts and `system()` calls all get bash instead.
    `SHELL` says which shell the Dockerfile's own commands need, and only
    them. hadolint reports the relinking as DL4005.

    ## Example
    ```dockerfile
    FROM debian:bookworm-slim
    RUN ln -sf /bin/bash /bin/sh
    RUN source /etc/profile && env
    ```

    ## Use instead
    ```dockerfile
    FROM debian:bookworm-slim
    SHELL ["/bin/bash", "-c"]
    RUN source /etc/profile && env
    ```

    ## Fix safety
    Unsafe: the image's `/bin/sh` stays the distribution's, so a script of
    the application that starts with `#!/bin/sh` but relies on bash (or a
    program that runs commands through `/bin/sh`) behaves as it would on a
    plain base, which is what the relinking may have been for. The
    Dockerfile's own later `RUN`s and shell-form commands run in the same
    shell as before. `RUN`s that do more than the relinking are left alone,
    with the reason.
    """

    code = "HY051"
    name = "shell-not-relinked"
    title = "Use SHELL instead of relinking /bin/sh"
    rationale = "Relinking /bin/sh changes the shell of every program in the image, not only of the Dockerfile's commands."
    resolves = ("DL4005",)
    safety = Safety.UNSAFE

    def check(self, model):
        for ins, script in model.shell_runs():
            stage = model.stage_of(ins)
            if stage is None or is_windows(model, stage):
                continue
            links = [c for c in script.commands if c.name == "ln" and "/bin/sh" in c.argv]
            if not links:
                continue
            shell = _relinked_to(script)
            if isinstance(shell, str) and not shell.startswith("/"):
                yield Skip(f"/bin/sh stays relinked: {shell}", ins)
                continue
            code = f'SHELL {json.dumps([shell, "-c"])}'
            if ins.keyword_text.islower():
                code = "shell" + code[5:]
            yield Fix(ins, f"SHELL makes the Dockerfile's commands run in {shell} while the image's /bin/sh stays the "
                           "distribution's; a script of the application that relied on the relinking would no longer "
                           "get it", Safety.UNSAFE, (Replace(ins, code, verbatim=True),))


def _relinked_to(script) -> str:
    """The shell /bin/sh is pointed at (an absolute path), or why the RUN is more than that."""
    if not script.is_simple_chain:
        return "the RUN has if/for/while or could not be read"
    commands = top_level(script)
    if any(c.connector not in (None, "&&") for c in commands) or any(c.nested for c in script.commands):
        return "the RUN joins its commands with something other than `&&`"
    *before, link = commands
    if link.name != "ln" or any(not (c.name == "rm" and "/bin/sh" in c.argv) for c in before):
        return "the RUN does more than point /bin/sh at another shell"
    args = [v for v in link.argv[1:] if v is not None and not v.startswith("-")]
    flags = [v for v in link.argv[1:] if v is not None and v.startswith("-")]
    if len(args) != 2 or args[1] != "/bin/sh" or any(set(f[1:]) - set("sfn") for f in flags) or \
            not any("s" in f for f in flags):
        return "the ln is not `ln -s SHELL /bin/sh`"
    target = args[0]
    if not target.startswith("/") or target.rsplit("/", 1)[-1] not in ("bash", "zsh", "ash", "dash", "ksh", "mksh"):
        return f"{target} is not a shell this rule knows"
    return target
