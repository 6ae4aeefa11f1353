from __future__ import annotations

from ...syntax.edits import InsertBefore, Remove, Replace
from ...syntax.tree import BlankLine, Comment
from ...model.packages import apt_verb
from ..base import Fix, Rule, Safety, Skip


class AptUpdateWithInstall(Rule):
    """
    ## What it does
    Finds a `RUN` whose only command is `apt-get update` (or `apt update`)
    followed in its stage by a `RUN` that installs with `apt-get install`,
    removes the lone update and starts the install `RUN` with
    `apt-get update && …`. Comments above the removed `RUN` move down with
    it. Where the install `RUN` refreshes the lists itself, the lone update
    is only removed.

    ## Why
    The layer of a lone `RUN apt-get update` is cached on its own: once
    built, it is reused for months while the install line changes, so apt
    installs from stale lists and fails when the mirror has moved on (or
    quietly installs old versions). Updating in the same `RUN` as the install
    refreshes the lists whenever the package list changes.

    ## Example
    ```dockerfile
    FROM debian:bookworm-slim
    # tools for the health check
    RUN apt-get update
    RUN apt-get install -y curl
    ```

    ## Use instead
    ```dockerfile
    FROM debian:bookworm-slim
    # tools for the health check
    RUN apt-get update && apt-get install -y curl
    ```

    ## Fix safety
    Review: the same commands run in the same order, but in one layer
    instead of two, so the image's layers change and a rebuild fetches fresh
    lists where it used to reuse a cached update. Left alone: an update `RUN`
    with other commands, one followed first by any step other than the
    install `RUN` (besides `ENV`, `ARG`, `LABEL`, `EXPOSE` and `WORKDIR`),
    `RUN`s with different flags, exec-form and here-document `RUN`s, and
    install scripts joined with `;` or `||`, where a failed update would no
    longer stop the build.
    """

    code = "HY001"
    name = "apt-update-with-install"
    title = "Run apt-get update in the same RUN as apt-get install"
    rationale = "A lone apt-get update layer is cached apart from the install, so builds install from stale lists."
    resolves = ()
    safety = Safety.REVIEW

    def check(self, model):
        for stage in model.stages:
            instructions = stage.instructions
            for i, ins in enumerate(instructions):
                update = _lone_update(model, ins)
                if update is None:
                    continue
                following = instructions[i + 1] if i + 1 < len(instructions) else None
                install = next((other for other in instructions[i + 1:] if other.keyword not in _UNRELATED), None)
                if install is not None and _lone_update(model, install) is not None:
                    continue  # the later update joins the install first; this one follows in the next round
                why = _why_not_merge(model, ins, install)
                if why:
                    yield Skip(f"apt-get update stays on its own: {why}", ins)
                    continue
                script = model.script(install)
                first_install = next(k for k, c in enumerate(script.commands) if apt_verb(c) == "install")
                edits = [Remove(ins), *_keep_trivia(ins, following, install)]
                if any(apt_verb(c) == "update" for c in script.commands[:first_install]):
                    yield Fix(ins, "the install RUN refreshes the package lists itself: the lone apt-get update goes",
                              Safety.REVIEW, tuple(edits))
                    continue
                start = len(script.text) - len(script.text.lstrip())
                code = model.edited_run(install, [(start, start, f"{update} && ")])
                if code is None:
                    yield Skip("apt-get update stays on its own: the install RUN is laid out in a way this rule "
                               "cannot edit", ins)
                    continue
                edits.append(Replace(install, code, verbatim=True))
                yield Fix(ins, "apt-get update moves into the RUN that installs, so the package lists are fresh "
                               "whenever the install changes", Safety.REVIEW, tuple(edits))


# instructions that neither read nor change the file system, so an update may move past them
_UNRELATED = {"ENV", "ARG", "LABEL", "EXPOSE", "WORKDIR", "MAINTAINER", "STOPSIGNAL"}



def _lone_update(model, ins) -> str | None:
    """The update command, as one line, of a shell-form RUN that runs `apt-get update` and nothing else."""
    if ins.keyword != "RUN" or ins.heredocs:
        return None
    script = model.script(ins)
    if script is None or not script.is_simple_chain or len(script.commands) != 1:
        return None
    (command,) = script.commands
    if apt_verb(command) != "update" or script.text.strip() != script.text[command.start:command.end]:
        return None
    return " ".join([*command.assignments, *(w.text for w in command.words), *command.redirects])


def _why_not_merge(model, update, install) -> str | None:
    """Why the update may not join `install`, the first step after it that may depend on it; None when it may."""
    if install is None:
        return "nothing after it in this stage installs with apt-get"
    shown = install.original.split("\n")[0][:60]
    if install.keyword != "RUN":
        return f"the next step (`{shown}`) may depend on it"
    if install.is_exec_form or install.heredocs:
        return "the next RUN is in exec form or has a here-document"
    script = model.script(install)
    if script is None or not script.is_simple_chain or not script.commands:
        return "the next RUN's script has if/for/while/case, a subshell or a function, or could not be read"
    if not any(apt_verb(c) == "install" for c in script.commands):
        return f"the next RUN (`{shown}`) does not install with apt-get"
    if any(c.connector not in (None, "&&", "|") for c in script.commands):
        return "the next RUN joins commands with `;`, `||` or `&`, so a failed update would no longer stop the build"
    rest = script.text[script.commands[-1].end:].strip().removeprefix(";").strip()
    if rest and not rest.startswith("#"):
        return f"the next RUN ends with `{rest}`"
    if tuple(f.text for f in update.flags) != tuple(f.text for f in install.flags):
        return "the update and install RUNs have different flags"
    return None


def _keep_trivia(update, following, install) -> list[InsertBefore]:
    """Edits that keep the removed update's leading lines: its comments above the install RUN, and the blank
    lines before them where they were (in front of the next instruction)."""
    lines = update.leading
    first_comment = next((k for k, t in enumerate(lines) if isinstance(t, Comment)), len(lines))
    blanks = "".join(t.code for t in lines[:first_comment])
    comments = "".join(t.code for t in lines[first_comment:])
    if following is install:
        blanks, comments = "", blanks + comments
    edits = []
    if blanks and not _starts_with_blank(following):
        edits.append(InsertBefore(following, blanks, above_comments=True, verbatim=True))
    if comments.strip() or comments and not _starts_with_blank(install):
        edits.append(InsertBefore(install, comments, above_comments=True, verbatim=True))
    return edits


def _starts_with_blank(ins) -> bool:
    return bool(ins.leading) and isinstance(ins.leading[0], BlankLine)
