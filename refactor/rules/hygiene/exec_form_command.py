from __future__ import annotations

import json
import re

from ...syntax.edits import Replace
from ...syntax.textedit import arguments_text, edit_arguments, replace_arguments
from ...model.imageconfig import SHELL_SYNTAX
from ..base import Fix, Rule, Safety, Skip


class ExecFormCommand(Rule):
    """
    ## What it does
    Rewrites a shell-form `CMD` or `ENTRYPOINT` as its exec form (a JSON
    array), in every stage: the program and its words when the command uses
    no shell syntax, else the exec form Docker stores for the shell form
    anyway, `["/bin/sh", "-c", "…"]` (or the shell a `SHELL` instruction set).

    ## Why
    The shell form runs the command as `/bin/sh -c "…"`: the shell becomes
    PID 1 or sits between Docker and the program, so `docker stop`'s SIGTERM
    may never reach the application and the container is killed after the
    timeout. hadolint reports DL3025 and BuildKit warns (JSONArgsRecommended).

    ## Example
    ```dockerfile
    CMD gunicorn --bind 0.0.0.0:8000 app:app
    ```

    ## Use instead
    ```dockerfile
    CMD ["gunicorn", "--bind", "0.0.0.0:8000", "app:app"]
    ```
    and for a command that needs the shell, `CMD npm run migrate && npm start`:
    ```dockerfile
    CMD ["/bin/sh", "-c", "npm run migrate && npm start"]
    ```

    ## Fix safety
    Safe: without shell syntax the shell only splits the words, so the
    program and its arguments are the same, and `docker stop`'s SIGTERM goes
    to the program instead of to `/bin/sh`. Whether it then reaches the
    application depends on the program: a launcher such as `npm start`,
    `yarn`, `make` or `sh script.sh` stays in between and starts the real
    program as its child, and the message says so.
    Commands that need the shell (variables, quotes, operators, globs,
    redirections, builtins such as `exec` or `cd`), a login shell or
    `BASH_ENV` set by `SHELL`/`ENV`, and a shell-form `ENTRYPOINT` that
    would start receiving a `CMD` as arguments are written as the shell's
    exec form instead: safe, since that array is exactly what Docker stores
    for the shell form (the stage's `SHELL`, else `/bin/sh -c`; a base
    image is taken to keep Docker's default shell, as Linux images do), so
    the shell still starts the command and signals reach it as before.
    With `--unsafe-fixes`, a single command whose only shell feature is
    variable expansion becomes `["/bin/sh", "-c", "exec …"]` instead, so
    that the program replaces the shell (unsafe: nothing can run after it
    in that shell). Windows images, which keep their own shell and syntax,
    and commands with comment lines inside are left alone and reported as
    skipped. Two things the Dockerfile cannot show still change for the
    word-split form: an `ENTRYPOINT` of the base image receives the
    command's words instead of `/bin/sh -c "…"`, and a shell-form
    `ENTRYPOINT` made exec-form receives the arguments given to
    `docker run` where it ignored them before.
    """

    code = "HY007"
    name = "exec-form-command"
    title = "Write CMD and ENTRYPOINT in exec form"
    rationale = "A shell-form command runs under /bin/sh, which does not pass SIGTERM on to the application."
    resolves = ("DL3025", "JSONArgsRecommended")
    safety = Safety.SAFE

    def check(self, model):
        for stage in model.stages:
            for ins in stage.instructions:
                if ins.keyword not in ("CMD", "ENTRYPOINT") or ins.is_exec_form or not ins.arguments:
                    continue
                why = _needs_shell(model, stage, ins)
                if why:
                    # the unsafe `exec` wrapping first: where the user allows it, it wins over the explicit form
                    wrapped = _exec_through_shell(model, stage, ins, why)
                    if wrapped is not None:
                        yield wrapped
                    explicit = _explicit_shell(model, stage, ins)
                    if isinstance(explicit, Fix):
                        yield explicit
                    elif wrapped is None and explicit.startswith("the image is a Windows"):
                        yield Skip(f"{ins.keyword} stays in shell form: {explicit}", ins)
                    elif wrapped is None:
                        yield Skip(f"{ins.keyword} {why}, and {explicit}: keep the shell form or wrap it in a script",
                                   ins)
                    continue
                words = ins.arguments[0].split()
                code = _exec_form(model, ins, words)
                if code is None:
                    yield Skip(f"{ins.keyword} continues a word across a comment line, "
                               "which this rule cannot quote without losing the comment", ins)
                    continue
                entry = _entrypoint(model, stage) if ins.keyword == "CMD" else None
                if entry:
                    message = (f"CMD in exec form: the ENTRYPOINT {entry} receives {words[0]}'s words instead of "
                               f"/bin/sh -c '…'; whether SIGTERM reaches {words[0]} depends on how {entry} starts it")
                else:
                    message = f"{ins.keyword} in exec form: {words[0]} runs without /bin/sh in between; {_signals(words)}"
                yield Fix(ins, message, Safety.SAFE, (Replace(ins, code, verbatim=True),))


def _exec_through_shell(model, stage, ins, why: str):
    """CMD `prog $VAR` becomes `["/bin/sh", "-c", "exec prog $VAR"]`: unsafe, offered as such.

    The variables are still expanded by the shell, which then replaces itself
    with the program, so the program is PID 1 and receives signals. Only for a
    single simple command whose only shell feature is variable expansion, in a
    stage with the default shell.
    """
    if ins.keyword != "CMD" or "variable expansion" not in why:
        return None
    chain = model.stage_chain(stage)
    if _is_windows(chain[0]) or any(i.keyword == "SHELL" for s in chain for i in s.instructions):
        return None
    from ...model.shell import parse_script

    text = ins.arguments[0].strip()
    script = parse_script(text)
    if (len(script.commands) != 1 or not script.is_simple_chain or script.background
            or script.commands[0].redirects or script.commands[0].assignments or script.commands[0].name in _BUILTINS):
        return None
    if any(ch in text for ch in "`'\"\\;&|<>()*?[]~{}#") or "$(" in text:
        return None
    new_code = replace_arguments(ins, json.dumps(["/bin/sh", "-c", f"exec {text}"], ensure_ascii=False))
    if model.reparsed(ins, new_code) is None:
        return None
    entry = _entrypoint(model, stage)
    program = text.split()[0]
    signals = (f"the ENTRYPOINT {entry} starts that shell, and whether SIGTERM reaches {program} depends on how "
               f"{entry} starts it" if entry else _signals(text.split()))
    message = (f"{ins.keyword} in exec form through /bin/sh -c 'exec …': the shell still expands the variables, then "
               f"gives way to {program}; {signals} (unsafe: nothing runs after it in that shell)")
    return Fix(ins, message, Safety.UNSAFE, (Replace(ins, new_code, verbatim=True),))


def _explicit_shell(model, stage, ins) -> "Fix | str":
    """The shell form written as the exec form Docker stores for it: the stage's shell, then the text.

    `CMD npm start && x` is stored as `["/bin/sh", "-c", "npm start && x"]` (or the `SHELL` set
    before it, in this stage or one it is built from), so writing that array changes nothing.
    Returns why not, where it cannot be written so.
    """
    chain = model.stage_chain(stage)
    if _is_windows(chain[0]):
        return "the image is a Windows image, which keeps its own shell and syntax"
    if any(t.kind == "COMMENT_LINE" for t in ins.tokens):
        return "its comment lines would be lost in the exec form"
    text = ins.arguments[0]
    if not text.strip():
        return "it has no command"
    shell, where = ["/bin/sh", "-c"], None
    for s in chain:
        for other in s.instructions:
            if other is ins:
                break
            if other.keyword == "SHELL" and other.is_exec_form and other.arguments:
                shell, where = list(other.arguments), other
    argv = [*shell, text]
    code = replace_arguments(ins, json.dumps(argv, ensure_ascii=False))
    new = model.reparsed(ins, code)
    if new is None or not new.is_exec_form or list(new.arguments) != argv:
        return "its exec form would not read the same"
    shown = " ".join(shell)
    set_by = " (set by SHELL)" if where is not None else ""
    message = (f"{ins.keyword} written in the exec form Docker stores for it, {json.dumps(shell)[:-1]}, \"…\"]{set_by}: "
               f"it runs exactly as before, started by {shown}")
    return Fix(ins, message, Safety.SAFE, (Replace(ins, code, verbatim=True),))


_SHELL_SCRIPT = ("the shell running the script receives SIGTERM; a program the script starts gets it only if "
                 "the script execs it or passes the signal on")
# Programs that stay running and start the real program as a child (often through `sh -c`), so
# that the signal reaches the launcher, not the application.
_LAUNCHERS = {
    "npm": "npm stays the process that receives SIGTERM and runs the script through sh, so the application "
           "gets the signal only as far as npm passes it on",
    "yarn": "yarn stays the process that receives SIGTERM and runs the script through sh, so the application "
            "gets the signal only as far as yarn passes it on",
    "pnpm": "pnpm stays the process that receives SIGTERM and runs the script through sh, so the application "
            "gets the signal only as far as pnpm passes it on",
    "npx": "npx stays the process that receives SIGTERM and starts the package's program as its child",
    "make": "make stays the process that receives SIGTERM and runs each recipe line through sh",
    "sh": _SHELL_SCRIPT,
    "bash": _SHELL_SCRIPT,
    "dash": _SHELL_SCRIPT,
    "poetry": "poetry stays the process that receives SIGTERM and starts the command as its child",
    "pipenv": "pipenv stays the process that receives SIGTERM and starts the command as its child",
}


def _entrypoint(model, stage) -> str | None:
    """The program of an ENTRYPOINT the stage (or a stage it is built FROM) sets, else None."""
    for s in reversed(model.stage_chain(stage)):
        for i in reversed(s.instructions):
            if i.keyword == "ENTRYPOINT" and i.arguments:
                if i.is_exec_form:
                    try:
                        argv = json.loads(arguments_text(i))
                    except ValueError:
                        return "of the file"
                    return argv[0] if argv and isinstance(argv[0], str) else "of the file"
                return i.arguments[0].split()[0] if i.arguments[0].split() else "of the file"
    return None


def _signals(words: list[str]) -> str:
    """What is true about signals once the command runs without /bin/sh in front of it."""
    name = words[0].rsplit("/", 1)[-1]
    if name in _LAUNCHERS:
        return _LAUNCHERS[name]
    return f"docker stop's SIGTERM goes to {words[0]} instead of to the shell"


# --- when the shell does more than split words -------------------------------------------------

_WHAT = [
    (re.compile(r"\$"), "variable expansion"),
    (re.compile(r"`"), "command substitution"),
    (re.compile(r"['\"]"), "quoting"),
    (re.compile(r"\\"), "backslash escapes"),
    (re.compile(r"&&|\|\||[|&;]"), "shell operators"),
    (re.compile(r"[<>]"), "redirection"),
    (re.compile(r"[()]"), "a subshell or parentheses"),
    (re.compile(r"[*?\[\]]"), "globbing"),
    (re.compile(r"~"), "tilde expansion"),
    (re.compile(r"^\s*[A-Za-z_][A-Za-z0-9_]*="), "a variable assignment"),
    (re.compile(r"^\s*#"), "a comment"),
]
_BRACES = re.compile(r"\{[^{}]*(,|\.\.)[^{}]*\}")
_RESERVED = {"!", "{", "}", "[[", "]]", "case", "coproc", "do", "done", "elif", "else", "esac", "fi", "for", "function",
             "if", "in", "select", "then", "time", "until", "while"}
# builtins with no program of the same name in common base images
_BUILTINS = {".", ":", "alias", "bg", "builtin", "cd", "command", "declare", "eval", "exec", "exit", "export", "fg",
             "getopts", "hash", "jobs", "let", "local", "read", "readonly", "return", "set", "shift", "source", "trap",
             "type", "typeset", "ulimit", "umask", "unalias", "unset", "wait"}
_PROFILE_OPTIONS = {"--login", "--rcfile", "--init-file"}
_POSIX_SHELLS = {"sh", "bash", "dash", "ash", "zsh", "ksh", "mksh", "busybox"}
_WINDOWS = re.compile(r"(^|/)(windows|nanoserver|servercore)([/:@-]|$)|windowsservercore", re.I)


def _needs_shell(model, stage, ins) -> str | None:
    """Why the shell form of this command differs from its exec form, or None."""
    text = ins.arguments[0]
    if not text.strip():
        return "is empty"
    if SHELL_SYNTAX.search(text):
        what = next((w for rx, w in _WHAT if rx.search(text)), "shell syntax")
        return f"relies on the shell ({what})"
    if re.search(r"(^|[ \t])#", text):
        return "relies on the shell (a comment)"
    if _BRACES.search(text):
        return "relies on the shell (brace expansion in bash)"
    if any(ch.isspace() and ch not in " \t" or ord(ch) < 0x20 and ch != "\t" or ch == "\x7f" for ch in text):
        return "contains white space or control characters the shell does not split on"
    first = text.split()[0]
    if first in _RESERVED:
        return f"starts with the shell keyword `{first}`"
    if first in _BUILTINS:
        return f"starts with the shell builtin `{first}`, which is no program"
    chain = model.stage_chain(stage)
    if _is_windows(chain[0]):
        return "is in a Windows image, where the shell form runs under cmd /S /C"
    shell = None
    for s in chain:
        for other in s.instructions:
            if other is ins:
                break
            if other.keyword == "SHELL" and other.is_exec_form and other.arguments:
                shell = other.arguments
    if shell is not None:
        program = shell[0].replace("\\", "/").rsplit("/", 1)[-1].lower()
        if program not in _POSIX_SHELLS:
            return f"runs under the shell {shell[0]} set by SHELL"
        if any(a in _PROFILE_OPTIONS or re.fullmatch(r"-[A-Za-z]*[il][A-Za-z]*", a) for a in shell[1:]):
            return "runs under a login or interactive shell set by SHELL, which reads profile files first"
    for s in chain:
        for other in s.instructions:
            if other.keyword == "ENV" and any(k == "BASH_ENV" for k, _ in other.pairs):
                return "runs under a shell that reads BASH_ENV first"
    if ins.keyword == "ENTRYPOINT":
        if _cmd_given_to(model, stage):
            return "is in shell form, which ignores the image's CMD; in exec form it would receive CMD as arguments"
    return None



def _is_windows(stage) -> bool:
    platform = stage.platform or ""
    return "windows" in platform.lower() or bool(_WINDOWS.search(stage.base_name))


def _cmd_given_to(model, stage) -> bool:
    """A CMD in the stage or in a stage built FROM it, which a shell-form ENTRYPOINT ignores."""
    family = [stage]
    for s in model.stages[stage.index + 1:]:
        if s.base_name.lower() in {f.name for f in family if f.name}:
            family.append(s)
    for s in family:
        for other in s.instructions:
            if other.keyword == "CMD":
                return True
    return False


# --- writing the exec form ---------------------------------------------------------------------


def _exec_form(model, ins, words: list[str]) -> str | None:
    """The instruction's own code in exec form, keeping its line breaks and comment lines."""
    edits = _quoting_edits(ins, words)
    if edits is not None:
        code = edit_arguments(ins, edits)
    elif any(t.kind == "COMMENT_LINE" for t in ins.tokens):
        return None
    else:
        code = replace_arguments(ins, json.dumps(words, ensure_ascii=False))
    new = model.reparsed(ins, code)
    if new is None or not new.is_exec_form or list(new.arguments) != words:
        return None
    return code



def _quoting_edits(ins, words: list[str]) -> list[tuple[int, int, str]] | None:
    """Edits that quote each word where it stands; None when a word is split over two lines."""
    text = arguments_text(ins)
    if text != ins.arguments[0]:
        return None
    bounds = _token_bounds(ins)
    spans = [(m.start(), m.end()) for m in re.finditer(r"[^ \t]+", text)]
    if [text[a:b] for a, b in spans] != words:
        return None
    edits = []
    for n, (a, b) in enumerate(spans):
        if any(a < t < b for t in bounds):
            return None
        quoted = json.dumps(text[a:b], ensure_ascii=False)
        edits.append((a, b, ("[" if n == 0 else "") + quoted + ("]" if n == len(spans) - 1 else ",")))
        gap_end = spans[n + 1][0] if n + 1 < len(spans) else len(text)
        if gap_end > b and not any(b <= t <= gap_end for t in bounds):
            edits.append((b, gap_end, " " if n + 1 < len(spans) else ""))
    return edits


def _token_bounds(ins) -> list[int]:
    """Offsets in the argument text where one line's text ends and the next one's begins."""
    out = []
    pos = 0
    for t in ins.tokens:
        if t.kind in ("TEXT", "JSON_ARRAY"):
            if pos:
                out.append(pos)
            pos += len(t.text)
    return out
