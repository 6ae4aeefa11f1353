from __future__ import annotations

import posixpath

from ...syntax.edits import InsertAfter, InsertBefore, Replace
from ...syntax.textedit import replace_arguments, split_arguments
from ...model.commands import is_windows, top_level
from ...model.images import image_facts
from ..base import Fix, Rule, Safety, Skip


class WorkdirNotCd(Rule):
    """
    ## What it does
    Turns a shell-form `RUN` that starts with `cd DIR && …` into
    `WORKDIR DIR` followed by the rest of the `RUN`, and puts the working
    directory back with a `WORKDIR` after it, so the instructions that
    follow work where they did. The folder is written as an absolute path,
    resolved against the stage's `WORKDIR` (or the base image's).

    ## Why
    A `cd` lasts only for its `RUN`; a reader has to track which commands
    run where, and the next `RUN` quietly starts elsewhere again. `WORKDIR`
    says where the step works, in the place Docker shows it. hadolint reports
    `cd` in a `RUN` as DL3003.

    ## Example
    ```dockerfile
    FROM golang:1.23
    COPY . /src
    RUN cd /src && go build -o /usr/local/bin/app .
    ```

    ## Use instead
    ```dockerfile
    FROM golang:1.23
    COPY . /src
    WORKDIR /src
    RUN go build -o /usr/local/bin/app .
    WORKDIR /go
    ```

    ## Fix safety
    Safe: the commands run in the same folder, and the instructions after
    them in the one they ran in before. `WORKDIR` creates a folder that is
    missing, where `cd` failed: only a build that failed could change. Left
    alone: a `cd` that is not the first command or is not followed by `&&`,
    a second `cd` in the `RUN`, `cd -`, `cd ~`, folders with variables,
    stages whose working directory cannot be told (a `WORKDIR` with a
    variable, a base image not in the image table), and Windows stages.
    """

    code = "HY050"
    name = "workdir-not-cd"
    title = "Use WORKDIR rather than cd at the start of a RUN"
    rationale = "A cd lasts for one RUN only, so where each command works is hidden in the shell script."
    resolves = ("DL3003",)
    safety = Safety.SAFE

    def check(self, model):
        for stage in model.stages:
            if is_windows(model, stage):
                continue
            workdir, why_unknown = _start(model, stage)
            for k, ins in enumerate(stage.instructions):
                if ins.keyword == "WORKDIR" and ins.arguments:
                    path = ins.arguments[0]
                    if "$" in path:
                        workdir, why_unknown = None, f"the WORKDIR at line {ins.start_line} depends on a variable"
                    elif workdir is not None or path.startswith("/"):
                        workdir = _normal(posixpath.join(workdir or "/", path))
                    continue
                script = model.script(ins)
                if script is None or ins.heredocs or not any(c.name == "cd" for c in script.commands):
                    continue
                following = stage.instructions[k + 1] if k + 1 < len(stage.instructions) else None
                found = _leading_cd(script)
                if isinstance(found, str):
                    yield Skip(f"cd stays: {found}", ins)
                    continue
                cd, rest, target = found
                if workdir is None and not target.startswith("/"):
                    yield Skip(f"cd stays: {why_unknown}, so `cd {target}` cannot be resolved", ins)
                    continue
                if workdir is None and not _restored_by(following):
                    yield Skip(f"cd stays: {why_unknown}, so the working directory after it cannot be put back", ins)
                    continue
                folder = _normal(posixpath.join(workdir or "/", target))
                code = _without_cd(model, ins, script, rest)
                if code is None:
                    yield Skip("cd stays: the RUN is laid out in a way this rule cannot edit", ins)
                    continue
                edits = [InsertBefore(ins, f"WORKDIR {folder}", above_comments=False), Replace(ins, code, verbatim=True)]
                if not _restored_by(following) and folder != workdir:
                    edits.append(InsertAfter(ins, f"WORKDIR {workdir}"))
                after = (f"the next instructions work in {workdir} as before" if not _restored_by(following) else
                         "the WORKDIR after it still sets the folder for what follows")
                yield Fix(ins, f"WORKDIR {folder} says where this step works; {after}", Safety.SAFE, tuple(edits))


def _start(model, stage) -> tuple[str | None, str]:
    """The working directory a stage starts in (its parent stage's is read as this rule reads the parent)."""
    chain = model.stage_chain(stage)
    workdir: str | None = None
    why = ""
    root = chain[0]
    ref = model.base_image(root)
    if model.base_is_stage(root):
        return None, f"{ref.text or root.base_name} is a stage this file does not define"
    workdir = "/" if ref.is_scratch else image_facts(ref).workdir
    why = f"the WORKDIR of {ref.text or root.base_name} is not known"
    for s in chain[:-1]:
        for ins in s.instructions:
            if ins.keyword == "WORKDIR" and ins.arguments:
                path = ins.arguments[0]
                if "$" in path:
                    workdir, why = None, f"the WORKDIR at line {ins.start_line} depends on a variable"
                elif workdir is not None or path.startswith("/"):
                    workdir = _normal(posixpath.join(workdir or "/", path))
    return workdir, why


def _leading_cd(script):
    """(the cd command, the command after it, its folder), or why the cd cannot become a WORKDIR."""
    if not script.is_simple_chain:
        return "the RUN has if/for/while, a subshell or a function, or could not be read"
    commands = top_level(script)
    cds = [c for c in script.commands if c.name == "cd"]
    first = commands[0] if commands else None
    if first is None or first.name != "cd" or first.nested:
        return "it is not the RUN's first command"
    if len(cds) > 1:
        return "the RUN changes directory more than once"
    if len(commands) < 2 or commands[1].connector != "&&":
        return "it is not followed by `&&` and another command"
    if first.redirects or first.assignments:
        return "it has redirections or assignments"
    args = [w.value for w in first.words[1:]]
    if len(args) != 1 or args[0] is None or args[0] in ("-", "") or args[0].startswith(("~", "-")):
        return "its folder is not a plain path"
    return first, commands[1], args[0]


def _without_cd(model, ins, script, rest) -> str | None:
    """The RUN's own code from the command after the cd on, continuation lines as written."""
    from ...model.shell import parse_script

    _, text = split_arguments(ins, rest.start, rest.start)
    code = replace_arguments(ins, text)
    new = model.reparsed(ins, code)
    if new is None or new.keyword != "RUN" or new.is_exec_form:
        return None
    expected = [c.argv for c in script.commands[1:]]
    return code if [c.argv for c in parse_script(new.arguments[0]).commands] == expected else None


def _restored_by(following) -> bool:
    """The next instruction sets an absolute working directory itself."""
    return (following is not None and following.keyword == "WORKDIR" and bool(following.arguments)
            and following.arguments[0].startswith("/") and "$" not in following.arguments[0])


def _normal(path: str) -> str:
    return "/" + posixpath.normpath(path).lstrip("/")
