from __future__ import annotations

from ...syntax.edits import Replace
from ...model.commands import distro_family, has_flag, installed_packages, is_windows
from ..base import Fix, Rule, Safety, Skip


class WgetProgress(Rule):
    """
    ## What it does
    Adds `--progress=dot:giga` right after `wget` in shell-form `RUN`s where
    GNU wget runs without a progress setting and without `-q`, `-nv`, `-o` or
    `-a`. On Alpine and BusyBox bases, whose `wget` is BusyBox's (it has no
    `--progress`), it adds `-q` instead, unless the stage installs GNU wget
    with `apk add wget`.

    ## Why
    wget draws its progress bar for a terminal; in a build log, which is no
    terminal, it falls back to a line of dots every few kilobytes, and a large
    download fills thousands of lines that hide the output that matters.
    `--progress=dot:giga` prints a line per 32 megabytes. hadolint reports
    wget without a progress setting as DL3047.

    ## Example
    ```dockerfile
    FROM debian:bookworm-slim
    RUN wget https://example.com/tool.tar.gz && tar -xzf tool.tar.gz
    ```

    ## Use instead
    ```dockerfile
    FROM debian:bookworm-slim
    RUN wget --progress=dot:giga https://example.com/tool.tar.gz && tar -xzf tool.tar.gz
    ```

    ## Fix safety
    Safe: only what wget prints while it downloads changes, never what it
    fetches or where it writes. Where the base image is not known and no
    package manager in the stage tells which wget it has, the command is
    left alone: BusyBox's wget would stop at an option it does not know.
    """

    code = "HY042"
    name = "wget-progress"
    title = "Give wget a progress setting for build logs"
    rationale = "wget's default progress output for a non-terminal fills build logs with dots on large downloads."
    resolves = ("DL3047",)
    safety = Safety.SAFE

    def check(self, model):
        for ins, script in model.shell_runs():
            stage = model.stage_of(ins)
            if stage is None or is_windows(model, stage):
                continue
            commands = [c for c in script.commands if c.name == "wget" and c.words[0].value == "wget"
                        and not _has_progress(c)]
            if not commands:
                continue
            if script.has_errors:
                yield Skip("wget stays as written: the shell parser could not read this RUN", ins)
                continue
            family, known = distro_family(model, stage)
            if family in ("alpine", "busybox"):
                gnu = "wget" in installed_packages(model, stage, ins) and family == "alpine"
            elif family in (None, "distroless", "scratch"):
                yield Skip(f"wget stays as written: {known} is not known to ship GNU wget, and BusyBox's wget "
                           "has no --progress", ins)
                continue
            else:
                gnu = True
            flag = " --progress=dot:giga" if gnu else " -q"
            code = model.edited_run(ins, [(c.words[0].end, c.words[0].end, flag) for c in commands])
            if code is None:
                yield Skip("wget stays as written: the RUN is laid out in a way this rule cannot edit", ins)
                continue
            if gnu:
                message = "wget --progress=dot:giga prints a line per 32 MB instead of filling the build log with dots"
            else:
                message = (f"BusyBox's wget on {known} has no --progress: wget -q keeps its progress meter out of "
                           "the build log")
            yield Fix(ins, message, Safety.SAFE, (Replace(ins, code, verbatim=True),))


def _has_progress(command) -> bool:
    """A progress setting, quiet or no-verbose output, or a log file: hadolint's DL3047 accepts these."""
    if has_flag(command, "qoa", ("progress", "quiet", "output-file", "append-output", "no-verbose", "show-progress")):
        return True
    return "-nv" in command.argv
