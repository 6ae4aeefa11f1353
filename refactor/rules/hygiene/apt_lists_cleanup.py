from __future__ import annotations

import fnmatch
import posixpath

from ...syntax.edits import Replace
from ...syntax.textedit import arguments_text, edit_arguments
from ...model.shell import parse_script
from ...model.packages import APT as _APT, apt_verb, cache_mounts, covers
from ..base import Fix, Rule, Safety, Skip

_CLEANUP = "rm -rf /var/lib/apt/lists/*"


class AptListsCleanup(Rule):
    """
    ## What it does
    Appends `&& rm -rf /var/lib/apt/lists/*` to a shell-form `RUN` that
    installs with `apt-get install` (or `apt install`) and does not remove
    the package lists after its last apt command. A `RUN` written over
    several lines gets the removal on a line of its own, in the `RUN`'s own
    continuation style.

    ## Why
    `apt-get update` downloads the package lists of every configured
    repository into `/var/lib/apt/lists`, tens of megabytes that stay in the
    layer unless the same `RUN` removes them; a later `RUN` cannot take them
    out of the image again. hadolint reports this as DL3009.

    ## Example
    ```dockerfile
    FROM debian:bookworm-slim
    RUN apt-get update && apt-get install -y curl
    ```

    ## Use instead
    ```dockerfile
    FROM debian:bookworm-slim
    RUN apt-get update && apt-get install -y curl && rm -rf /var/lib/apt/lists/*
    ```

    ## Fix safety
    Safe: the installed packages are the same; `apt-cache` and `apt-get
    install` without a new `apt-get update` no longer find the lists in the
    image. Left alone: `RUN`s followed in the stage (or a stage built on it)
    by an apt install that relies on these lists without its own
    `apt-get update`, `RUN`s with a cache mount for apt, here-documents, and
    scripts where an appended `&&` would not simply run last (`if`/`for`,
    `||`, a trailing pipe or `&`).
    """

    code = "HY003"
    name = "apt-lists-cleanup"
    title = "Remove the apt package lists in the RUN that installs"
    rationale = "Package lists left by apt-get update stay in the layer unless the same RUN removes them."
    resolves = ("DL3009",)
    safety = Safety.SAFE

    def check(self, model):
        for stage in model.stages:
            for ins in stage.instructions:
                if ins.keyword != "RUN":
                    continue
                if ins.heredocs:
                    if any(_leaves_lists(parse_script(h.content)) for h in ins.heredocs):
                        yield Skip("the package lists stay: this rule does not edit here-documents", ins)
                    continue
                script = model.script(ins)
                if script is None or not _leaves_lists(script):
                    continue
                if any(covers(t, _APT_STATE) for t in cache_mounts(ins)):
                    continue  # the lists live in a build cache, not in the layer
                why = _why_not_appendable(script)
                if why:
                    yield Skip(f"the package lists stay: {why}", ins)
                    continue
                later = _later_use(model, stage, ins)
                if later:
                    yield Skip(f"the package lists stay: a later step (`{later}`) installs without apt-get update "
                               "and needs them", ins)
                    continue
                code = _with_cleanup(model, ins, script)
                if code is None:
                    yield Skip("the package lists stay: the RUN is laid out in a way this rule cannot edit", ins)
                    continue
                yield Fix(ins, "the RUN that installs with apt removes the package lists, so they stay out of its layer",
                          Safety.SAFE, (Replace(ins, code, verbatim=True),))


# --- what the script does with the lists ----------------------------------------------------------

_APT_STATE = ("/var/lib/apt", "/var/cache/apt")
# apt subcommands that work without the package lists
_OFFLINE = {"remove", "purge", "autoremove", "clean", "autoclean", "mark"}



def _leaves_lists(script) -> bool:
    """The script installs with apt and no removal of the lists follows its last apt command."""
    last_apt = None
    for i, command in enumerate(script.commands):
        if command.name in _APT and apt_verb(command) in ("install", "update"):
            last_apt = i
    if last_apt is None or not any(apt_verb(c) == "install" and c.name in _APT for c in script.commands):
        return False
    return not any(_removes_lists(c) for c in script.commands[last_apt + 1:])


_ABOVE_LISTS = ("/var/lib/apt/lists", "/var/lib/apt", "/var/lib", "/var")


def _removes_lists(command) -> bool:
    """`rm` or `find … -delete` of the lists folder, of everything in it, or of a folder above it;
    or `apt-get dist-clean` (apt 2.7+), which removes the lists itself."""
    if command.name in ("apt-get", "apt") and apt_verb(command) == "dist-clean":
        return True
    if command.name == "rm":
        paths = [v for v in command.argv[1:] if v is not None and not v.startswith("-")]
    elif command.name == "find" and ("-delete" in command.argv or "-exec" in command.argv):
        paths = [v for v in command.argv[1:] if v is not None and v.startswith("/")]
    else:
        return False
    for path in paths:
        path = posixpath.normpath(path.rstrip("/") or "/")
        folder, name = posixpath.split(path)
        if path in _ABOVE_LISTS:
            return True
        if folder == _ABOVE_LISTS[0] and any(ch in name for ch in "*?["):
            return True  # the files in the lists folder
        if folder in _ABOVE_LISTS[1:] and fnmatch.fnmatchcase(_ABOVE_LISTS[_ABOVE_LISTS.index(folder) - 1], path):
            return True  # `/var/lib/apt/*` and the like: a glob that takes in a folder above the lists
    return False



def _why_not_appendable(script) -> str | None:
    """Why `&& rm …` after the last command would not simply run last; None when it would."""
    if script.has_errors:
        return "the shell parser could not read this RUN"
    if script.has_control_flow:
        return "the script has if/for/while/case, a subshell or a function: where the removal goes is not obvious"
    if any(c.connector == "||" for c in script.commands):
        return "the script uses `||`, and an appended `&&` would bind to its fallback"
    last = script.commands[-1]
    if last.connector == "|":
        return "the script ends in a pipe, and an appended `&&` would depend on the pipe's last command"
    if last.name == "exit":
        return "the script ends with exit"
    rest = script.text[last.end:].strip()
    if rest.startswith(";"):
        rest = rest[1:].strip()
    if rest and not rest.startswith("#"):
        return f"the script ends with `{rest}` after its last command"
    return None


def _later_use(model, stage, ins) -> str | None:
    """A later apt command (in the stage or a stage built FROM it) that reads the lists without updating them."""
    after = False
    for s in _stage_and_children(model, stage):
        for other in s.instructions:
            if other is ins:
                after = True
                continue
            if not after or other.keyword != "RUN":
                continue
            for command in _commands(model, other):
                verb = apt_verb(command)
                if command.name not in (*_APT, "apt-cache"):
                    continue
                if verb == "update" and command.name in _APT:
                    return None  # from here on the lists are fresh again
                if verb not in _OFFLINE:
                    return " ".join(w.text for w in command.words)
    return None


def _commands(model, ins):
    if ins.is_exec_form:
        args = ins.arguments
        if args and args[0].rsplit("/", 1)[-1] in (*_APT, "apt-cache"):
            return parse_script(" ".join(_quoted(a) for a in args)).commands
        return ()
    if ins.heredocs:
        return tuple(c for h in ins.heredocs for c in parse_script(h.content).commands)
    script = model.script(ins)
    return script.commands if script else ()


def _quoted(word: str) -> str:
    return "'" + word.replace("'", "'\\''") + "'"


def _stage_and_children(model, stage):
    """The stage, then every later stage built FROM it (directly or through another)."""
    return [s for s in model.stages[stage.index:] if any(a is stage for a in model.stage_chain(s))]


# --- the edit --------------------------------------------------------------------------------


def _with_cleanup(model, ins, script) -> str | None:
    """The RUN's own code with the removal after its last command, on a new line when the RUN has several."""
    text = ins.arguments[0]
    if arguments_text(ins) != text:
        return None
    at = script.commands[-1].end
    shape = _layout(model, ins, script)
    if shape is None:
        new, logical = f" && {_CLEANUP}", f" && {_CLEANUP}"
    else:
        indent, leading, newline = shape
        escape = model.df.escape
        if leading:
            new = f" {escape}{newline}{indent}&& {_CLEANUP}"
            logical = f" {indent}&& {_CLEANUP}"
        else:
            new = f" && {escape}{newline}{indent}{_CLEANUP}"
            logical = f" && {indent}{_CLEANUP}"
    code = edit_arguments(ins, [(at, at, new)])
    expected = text[:at] + logical + text[at:]
    again = model.reparsed(ins, code)
    if again is None or again.keyword != "RUN" or again.arguments[:1] != (expected,):
        return None
    return code


_OPERATORS = ("&&", "||", ";", "|")


def _layout(model, ins, script) -> tuple[str, bool, str] | None:
    """How the RUN continues its lines: (indent, operators lead the line, line ending); None on one line.

    The indent is that of the last continuation line that starts a command; operators lead the line
    unless the RUN ends its lines with them.
    """
    continuations = [t for t in ins.tokens if t.kind == "LINE_CONTINUATION"]
    if not continuations:
        return None
    newline = "\r\n" if continuations[-1].text.endswith("\r\n") else "\n"
    starts = {c.start for c in script.commands}
    leading = trailing = 0
    indent = None
    pos = 0  # offset in the logical text
    broken = False  # a line continuation came since the last argument text
    spaces = ""  # whitespace tokens since then, which start the new line
    tokens = ins.tokens
    for k, t in enumerate(tokens):
        if t.kind == "LINE_CONTINUATION":
            broken, spaces = True, ""
            continue
        if t.kind == "WHITESPACE":
            spaces += t.text
            continue
        if t.kind != "TEXT":
            spaces = ""
            continue
        body = t.text.lstrip(" \t")
        own = t.text[: len(t.text) - len(body)]
        if broken and body:
            if body.startswith(_OPERATORS):
                leading += 1
                indent = spaces + own
            elif pos + len(own) in starts:
                indent = spaces + own
        following = next((u for u in tokens[k + 1:] if u.kind != "WHITESPACE"), None)
        if following is not None and following.kind == "LINE_CONTINUATION" and t.text.rstrip().endswith(_OPERATORS):
            trailing += 1
        pos += len(t.text)
        broken, spaces = False, ""
    if indent is None:
        indent = model.style.indent
    return indent, leading >= trailing, newline
