from __future__ import annotations

from ...syntax.edits import Remove, Replace
from ...model.commands import appended_command, is_windows, top_level
from ...model.shell import parse_script
from ...syntax.tree import Comment
from ..base import Fix, Rule, Safety, Skip


class MergeConsecutiveRuns(Rule):
    """
    ## What it does
    Joins short shell-form `RUN`s that follow each other in a stage into one
    with `&&`, where hadolint counts them as one step split up: a row of
    `RUN`s of one or two commands each, with the same flags and no
    instruction and no comment between them. Each joined `RUN`'s text goes on
    a continuation line of the first, as written.

    ## Why
    Every `RUN` adds a layer and a cache step. Short steps that belong
    together (`RUN mkdir /data`, `RUN chown app /data`) make the image and
    its build history longer without making a rebuild faster. hadolint
    reports them as DL3059.

    ## Example
    ```dockerfile
    FROM debian:bookworm-slim
    RUN mkdir -p /srv/data
    RUN chmod 0775 /srv/data
    ```

    ## Use instead
    ```dockerfile
    FROM debian:bookworm-slim
    RUN mkdir -p /srv/data && \\
        chmod 0775 /srv/data
    ```

    ## Fix safety
    Review: the same commands run in the same order and the merged `RUN`
    fails exactly when one of the two did, but the image has one layer fewer
    and a change to either line reruns both. Left alone: a comment between the
    two (it documents a step of its own), here-documents, exec form, different
    flags (a cache or secret mount, `--network`: a caching decision), a first
    `RUN` that changes the shell's state for what follows (`cd`, `export`,
    `set`, `source`, `umask`, `exit`…) or ends in a comment, a `;` or a
    command in the background, and a second one that joins commands with `;`
    or `||`, which a failure of the first would then no longer stop, or that
    changes directory (HY050 turns that `cd` into a `WORKDIR`).
    """

    code = "HY047"
    name = "merge-consecutive-runs"
    title = "Merge short consecutive RUNs"
    rationale = "Short steps split over several RUNs each add a layer and a cache step without making rebuilds faster."
    resolves = ("DL3059",)
    safety = Safety.REVIEW

    def check(self, model):
        for stage in model.stages:
            if is_windows(model, stage):
                continue
            group: list = []
            for ins in stage.instructions[1:]:
                if ins.keyword != "RUN":
                    yield from self._merge(model, group)
                    group = []
                    continue
                count = _count(model, ins)
                if group and _count(model, group[-1]) <= 2 and count <= 2 and _flags(group[-1]) == _flags(ins):
                    why = _why_not(model, group[-1], ins)
                    if why is None:
                        group.append(ins)
                        continue
                    yield Skip(f"the RUNs at lines {group[-1].start_line} and {ins.start_line} stay apart: {why}", ins)
                yield from self._merge(model, group)
                group = [ins]

            yield from self._merge(model, group)

    def _merge(self, model, group):
        if len(group) < 2:
            return
        style = model.style
        first = group[0]
        code = _without_newline(first.own_code)
        for other in group[1:]:
            code += " &&" + style.line_break + _argument_code(other)
        code += style.newline
        new = model.reparsed(first, code)
        expected = [c.argv for ins in group for c in model.script(ins).commands]
        if new is None or new.keyword != "RUN" or new.flags != first.flags or \
                [c.argv for c in parse_script(new.arguments[0]).commands] != expected:
            yield Skip(f"the RUNs at lines {', '.join(str(i.start_line) for i in group)} stay apart: they are laid "
                       "out in a way this rule cannot join", first)
            return
        numbers = [str(i.start_line) for i in group[1:]]
        lines = numbers[0] if len(numbers) == 1 else ", ".join(numbers[:-1]) + " and " + numbers[-1]
        yield Fix(first, f"the RUN{'s' if len(numbers) > 1 else ''} at line{'s' if len(numbers) > 1 else ''} {lines} "
                         f"join{'' if len(numbers) > 1 else 's'} this one: short steps in one layer", Safety.REVIEW,
                  (Replace(first, code, verbatim=True), *(Remove(i) for i in group[1:])))


# commands whose effect outlives them in the shell: what follows would run differently after them
_STATEFUL = {"cd", "pushd", "popd", "export", "set", "shopt", "source", ".", "umask", "alias", "unalias",
             "unset", "trap", "exec", "exit", "return", "ulimit", "declare", "typeset", "local", "readonly",
             "eval", "hash", "enable", "builtin", "shift"}


def _count(model, ins) -> int:
    script = model.script(ins)
    if script is None or ins.heredocs:
        return 99
    return len([c for c in script.commands if c.words])


def _flags(ins) -> tuple[str, ...]:
    return tuple(f.text for f in ins.flags)


def _why_not(model, first, second) -> str | None:
    if any(isinstance(t, Comment) for t in second.leading):
        return f"a comment above line {second.start_line} documents it as a step of its own"
    for ins in (first, second):
        if ins.heredocs:
            return f"line {ins.start_line} has a here-document"
        if ins.is_exec_form:
            return f"line {ins.start_line} is in exec form"
        script = model.script(ins)
        if script is None or script.has_errors:
            return f"the shell parser could not read line {ins.start_line}"
    script = model.script(first)
    stateful = next((c for c in script.commands if not c.words and c.assignments or
                     c.words and (c.words[0].value or "") in _STATEFUL), None)
    if stateful is not None:
        shown = stateful.words[0].text if stateful.words else stateful.assignments[0]
        return f"`{shown}` at line {first.start_line} changes the shell for the commands after it"
    if appended_command(script) is None:
        return (f"line {first.start_line} ends in something `&&` cannot follow (a comment, a `;`, a command in the "
                "background) or has if/for/while")
    later = model.script(second)
    if any(c.name == "cd" for c in later.commands):
        return f"line {second.start_line} changes directory, which a WORKDIR says better (HY050)"
    if script.background or later.background or any(c.connector in (";", "||", "&", "\n") for c in top_level(later)):
        return f"line {second.start_line} joins commands with `;` or `||`, which a failure before it would not stop"
    return None


def _without_newline(code: str) -> str:
    return code.rstrip("\r\n").rstrip(" \t")


def _argument_code(ins) -> str:
    """The RUN's script as written (continuation lines kept), without keyword, flags and line ending."""
    tokens = list(ins.tokens)
    start = next(i for i, t in enumerate(tokens) if t.kind == "TEXT")
    end = len(tokens)
    while end > start and tokens[end - 1].kind == "NEWLINE":
        end -= 1
    return _without_newline("".join(t.text for t in tokens[start:end]))
