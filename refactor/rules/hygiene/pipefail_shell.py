from __future__ import annotations

import json

from ...syntax.edits import InsertAfter, InsertBefore, Replace
from ...syntax.textedit import replace_arguments
from ...model.commands import distro_family, is_windows
from ..base import Fix, Rule, Safety, Skip


class PipefailShell(Rule):
    """
    ## What it does
    Makes the shell of a stage fail a pipe when any of its commands fails:
    before the first `RUN` with a pipe (`curl … | tar -x`) it adds
    `SHELL ["/bin/bash", "-o", "pipefail", "-c"]` on Debian, Ubuntu and Red
    Hat family bases, where bash is always there, and
    `SHELL ["/bin/ash", "-o", "pipefail", "-c"]` on Alpine, whose BusyBox
    shell has the option too. Where the stage already sets a bash, ash or
    zsh `SHELL` ending in `-c`, `-o pipefail` is added to it instead. In the
    final stage, when a shell-form `CMD`, `ENTRYPOINT` or `HEALTHCHECK`
    follows, `SHELL ["/bin/sh", "-c"]` is restored after the last piped `RUN`
    so that the container starts as before.

    ## Why
    A `RUN`'s exit status is that of the last command of a pipe:
    `RUN curl -fsSL https://example.com/tool.tgz | tar -xz` succeeds when
    the download fails, and the image is built without the tool. With
    `pipefail` the build stops at the failed download. hadolint reports a
    pipe without it as DL4006.

    ## Example
    ```dockerfile
    FROM debian:bookworm-slim
    RUN curl -fsSL https://example.com/tool.tgz | tar -xz -C /usr/local/bin
    ```

    ## Use instead
    ```dockerfile
    FROM debian:bookworm-slim
    SHELL ["/bin/bash", "-o", "pipefail", "-c"]
    RUN curl -fsSL https://example.com/tool.tgz | tar -xz -C /usr/local/bin
    ```

    ## Fix safety
    Unsafe: a pipe that failed quietly before now fails the build (that is
    the point, but a build that passed may stop), and the `RUN`s after the
    new `SHELL` run in bash instead of the image's `/bin/sh` (dash on
    Debian), which reads a few things differently (`echo` with backslashes).
    Bases whose shell is not known, Windows stages and stages that set a
    shell of their own that is not bash, ash or zsh are left alone, with the
    reason.
    """

    code = "HY048"
    name = "pipefail-shell"
    title = "Fail a RUN's pipe when any command in it fails"
    rationale = "A pipe's exit status is its last command's, so a failed download piped into tar passes the build."
    resolves = ("DL4006",)
    safety = Safety.UNSAFE

    def check(self, model):
        final = model.final_stage
        for stage in model.stages:
            if is_windows(model, stage):
                continue
            shell = None  # the SHELL instruction in effect in this stage
            piped = []
            first_unsafe = None
            for ins in stage.instructions[1:]:
                if ins.keyword == "SHELL":
                    shell = ins
                    continue
                if ins.keyword == "RUN" and _has_pipe(model, ins) and not _pipefail(shell):
                    piped.append(ins)
                    if first_unsafe is None:
                        first_unsafe = (ins, shell)
            if first_unsafe is None:
                continue
            ins, shell = first_unsafe
            if shell is not None:
                yield from _extend_shell(model, shell, ins)
                continue
            family, known = distro_family(model, stage)
            program = _SHELLS.get(family or "")
            if program is None:
                yield Skip(f"the pipe keeps the shell's default: {known} is not known to have a shell with pipefail", ins)
                continue
            edits = [InsertBefore(ins, f'SHELL ["{program}", "-o", "pipefail", "-c"]')]
            runs = f"the RUNs after it run in {program.rsplit('/', 1)[-1]}"
            if stage is final and _shell_form_config_after(stage, piped[-1]):
                edits.append(InsertAfter(piped[-1], 'SHELL ["/bin/sh", "-c"]'))
                runs = (f"the RUNs up to line {piped[-1].start_line} run in {program.rsplit('/', 1)[-1]}, then /bin/sh "
                        "comes back for the container's shell-form command")
            yield Fix(ins, f"{program} -o pipefail fails the build when any command of a pipe fails, not only the "
                           f"last; {runs}",
                      Safety.UNSAFE, tuple(edits))


_SHELLS = {"debian": "/bin/bash", "ubuntu": "/bin/bash", "rhel": "/bin/bash", "amazonlinux": "/bin/bash",
           "oracle": "/bin/bash", "centos": "/bin/bash", "fedora": "/bin/bash", "alpine": "/bin/ash"}
_PIPEFAIL_SHELLS = ("bash", "zsh", "ash")


def _has_pipe(model, ins) -> bool:
    if ins.heredocs:
        return False
    script = model.script(ins)
    return script is not None and any(c.connector in ("|", "|&") for c in script.commands)


def _pipefail(shell) -> bool:
    """The SHELL makes pipes fail (or is not a POSIX shell, as hadolint reads it)."""
    if shell is None or not shell.is_exec_form or not shell.arguments:
        return False
    args = list(shell.arguments)
    name = args[0].rsplit("/", 1)[-1]
    if name.lower().startswith(("pwsh", "powershell", "cmd")):
        return True
    return name in _PIPEFAIL_SHELLS and "pipefail" in args and any(a.startswith("-") and "o" in a for a in args)


def _extend_shell(model, shell, ins):
    args = list(shell.arguments) if shell.is_exec_form else []
    name = args[0].rsplit("/", 1)[-1] if args else ""
    if name not in _PIPEFAIL_SHELLS or args[-1] != "-c":
        yield Skip(f"the pipe keeps its shell: the SHELL at line {shell.start_line} is not bash, ash or zsh "
                   "ending in -c", ins)
        return
    new = args[:-1] + ["-o", "pipefail", "-c"]
    code = replace_arguments(shell, json.dumps(new))
    yield Fix(shell, f"-o pipefail fails the build when any command of a pipe fails (the pipe at line "
                     f"{ins.start_line}), not only the last", Safety.UNSAFE, (Replace(shell, code, verbatim=True),))


def _shell_form_config_after(stage, ins) -> bool:
    after = False
    for other in stage.instructions:
        if other is ins:
            after = True
            continue
        if after and other.keyword in ("CMD", "ENTRYPOINT", "HEALTHCHECK") and not other.is_exec_form:
            if other.keyword == "HEALTHCHECK" and (not other.arguments or other.arguments[0].upper() == "NONE"):
                continue
            return True
    return False
