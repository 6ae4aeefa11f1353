"""The command the final image runs, read through its wrappers.

ENTRYPOINT and CMD together (`ENTRYPOINT ["docker-entrypoint.sh"]` with `CMD
["gunicorn", …]`), `sh -c` strings, an entrypoint script of the build context
(found by following the COPY that put it where the command runs it) and what
it `exec`s, `exec "$@"` handing over to CMD, and launchers that run another
program (`tini --`, `gosu app`, `bundle exec`, `python -m gunicorn`, `npm
start` through package.json). The result is the argv of the program, with
`shell` set where a shell expands it at run time (`$PORT` is read then).
"""

from __future__ import annotations

import posixpath
import re
import shlex
from dataclasses import dataclass

__all__ = ["Program", "final_program", "copied_source"]

_LAUNCHERS = {"tini": 0, "dumb-init": 0, "exec": 0, "gosu": 1, "su-exec": 1, "chpst": 0, "nohup": 0,
              "setsid": 0, "catatonit": 0}
_RUNNERS = {("bundle", "exec"), ("poetry", "run"), ("pipenv", "run"), ("uv", "run"), ("pdm", "run"),
            ("rye", "run"), ("hatch", "run")}
_SHELLS = {"sh", "bash", "dash", "ash", "zsh"}
_MAX_HOPS = 6


@dataclass(frozen=True)
class Program:
    argv: tuple[str, ...]  # the program and its arguments, words as written ($PORT kept)
    shell: bool  # a shell expands the words at run time
    where: str  # what the argv came from, for messages ("CMD", "entrypoint.sh:4", "package.json start")
    script: str | None = None  # the context path of a script that could not be followed


def final_program(model, instructions) -> Program | None:
    """The program the image starts, or None when the stage sets no command."""
    entry = next((i for i in reversed(instructions) if i.keyword == "ENTRYPOINT"), None)
    cmd = next((i for i in reversed(instructions) if i.keyword == "CMD"), None)
    if entry is None and cmd is None:
        return None
    argv: list[str] = []
    shell = False
    where = "ENTRYPOINT" if entry is not None else "CMD"
    if entry is not None:
        words, shell = _words(entry)
        argv += words
    if cmd is not None and (entry is None or entry.is_exec_form):
        words, cmd_shell = _words(cmd)
        shell = shell or cmd_shell
        argv += words
    return _follow(model, instructions, tuple(argv), shell, where, 0)


def _words(ins) -> tuple[list[str], bool]:
    if ins.is_exec_form:
        return list(ins.arguments), False
    text = " ".join(ins.arguments)
    return _last_command(text), True


def _last_command(text: str) -> list[str]:
    """The words of the command a shell string ends by running (`cd /app && exec gunicorn …`)."""
    try:
        lexer = shlex.shlex(text, posix=True, punctuation_chars=True)
        lexer.whitespace_split = True
        tokens = list(lexer)
    except ValueError:
        return text.split()
    commands: list[list[str]] = [[]]
    for tok in tokens:
        if tok and set(tok) <= set("();<>|&"):
            if tok in ("&&", ";", "||", "&", "|", ";;"):
                commands.append([])
            continue
        commands[-1].append(tok)
    commands = [c for c in commands if c and not all(re.match(r"\w+=", w) for w in c)]
    if not commands:
        return []
    last = commands[-1]
    while last and re.match(r"[A-Za-z_]\w*=", last[0]):
        last = last[1:]
    return last


def _follow(model, instructions, argv, shell, where, hops) -> Program | None:
    argv = list(argv)
    while argv:
        name = argv[0].rsplit("/", 1)[-1]
        if name in _LAUNCHERS:
            argv = argv[1 + _LAUNCHERS[name]:]
            while argv and argv[0].startswith("-"):
                if argv[0] == "--":
                    argv = argv[1:]
                    break
                argv = argv[1:]
            continue
        if name == "env":
            argv = argv[1:]
            while argv and (re.match(r"[A-Za-z_]\w*=", argv[0]) or argv[0].startswith("-")):
                argv = argv[1:]
            continue
        if len(argv) > 1 and (name, argv[1]) in _RUNNERS:
            argv = argv[2:]
            continue
        if name in ("npx", "pnpx") and len(argv) > 1:
            argv = argv[1:]
            continue
        if re.match(r"python[\d.]*$", name) and len(argv) > 2 and argv[1] == "-m" and argv[2] != "http.server" \
                and not _local_module(model, instructions, argv[2]):
            argv = [argv[2]] + argv[3:]  # an installed tool run as a module: `python -m gunicorn …`
            continue
        break
    if not argv:
        return None
    name = argv[0].rsplit("/", 1)[-1]
    if hops >= _MAX_HOPS:
        return Program(tuple(argv), shell, where)
    if name in _SHELLS and len(argv) > 2 and argv[1] in ("-c", "-ec", "-xc", "-exc", "-lc"):
        return _follow(model, instructions, tuple(_last_command(argv[2])), True, where, hops + 1)
    if name in _SHELLS and len(argv) > 1 and not argv[1].startswith("-"):
        argv = argv[1:]
        name = argv[0].rsplit("/", 1)[-1]
    if name.endswith(".sh") or _is_copied_script(model, instructions, argv[0]):
        return _through_script(model, instructions, argv, where, hops)
    if name in ("npm", "yarn", "pnpm"):
        script = _package_script(model, argv)
        if script is not None:
            return _follow(model, instructions, tuple(_last_command(script)), True, "package.json", hops + 1)
    return Program(tuple(argv), shell, where)


def _local_module(model, instructions, module: str) -> bool:
    """`python -m module` runs the application's own source, copied from the context."""
    path = module.replace(".", "/")
    return any(copied_source(model, instructions, c) for c in (f"{path}.py", f"{path}/__main__.py"))


def _is_copied_script(model, instructions, path: str) -> bool:
    if "/" not in path or not path.startswith(("/", "./")):
        return False
    source = copied_source(model, instructions, path)
    if source is None:
        return False
    text = model.context.read_text(source, limit=4096) or ""
    return text.startswith("#!") and any(s in text.split("\n", 1)[0] for s in _SHELLS)


def _through_script(model, instructions, argv, where, hops) -> Program:
    source = copied_source(model, instructions, argv[0])
    text = model.context.read_text(source) if source else None
    if text is None:
        return Program(tuple(argv), False, where, script=argv[0])
    lines = text.splitlines()
    for number in range(len(lines), 0, -1):
        line = lines[number - 1].strip()
        if not line.startswith("exec ") and line not in ('"$@"', "$@"):
            continue
        words = _last_command(line)
        if words and words[0] == "exec":
            words = words[1:]
        if words[:1] in (["$@"], ['"$@"']):
            words = list(argv[1:]) + words[1:]
            if not words:
                break
        return _follow(model, instructions, tuple(words), True, f"{source}:{number}", hops + 1)
    return Program(tuple(argv), False, where, script=source)


def _package_script(model, argv) -> str | None:
    data = model.context.read_json("package.json")
    if not isinstance(data, dict):
        return None
    scripts = data.get("scripts") if isinstance(data.get("scripts"), dict) else {}
    rest = [a for a in argv[1:] if not a.startswith("-")]
    if rest[:1] == ["run"] or rest[:1] == ["run-script"]:
        rest = rest[1:]
    key = rest[0] if rest else None
    if key is None or key == "start":
        value = scripts.get("start")
        if value is None and argv[0] == "npm" and model.context.exists("server.js"):
            return "node server.js"
        return value if isinstance(value, str) else None
    value = scripts.get(key)
    return value if isinstance(value, str) else None


def copied_source(model, instructions, image_path: str, hops: int = 0) -> str | None:
    """The context path that a local COPY/ADD put at `image_path` (relative to the WORKDIR of the
    command), or None; a `COPY --from=<stage>` is followed into that stage."""
    workdir = "/"
    final_workdir = "/"
    for ins in instructions:
        if ins.keyword == "WORKDIR" and ins.arguments:
            final_workdir = posixpath.normpath(posixpath.join(final_workdir, ins.arguments[0]))
    target = posixpath.normpath(posixpath.join(final_workdir, image_path))
    found = None
    for ins in instructions:
        if ins.keyword == "FROM":
            workdir = "/"
        elif ins.keyword == "WORKDIR" and ins.arguments:
            workdir = posixpath.normpath(posixpath.join(workdir, ins.arguments[0]))
        elif ins.keyword == "COPY" and ins.flag("from") and len(ins.arguments) >= 2:
            got = _from_stage(model, ins, workdir, target, hops)
            if got is not None:
                found = got
        elif ins.keyword in ("COPY", "ADD") and not ins.flag("from") and len(ins.arguments) >= 2:
            *sources, dest = ins.arguments
            dest_abs = posixpath.normpath(posixpath.join(workdir, dest))
            into_dir = dest.endswith("/") or len(sources) > 1
            for src in sources:
                src_clean = posixpath.normpath(src)
                if "*" in src or "$" in src:
                    continue
                if src_clean in (".", "") or model.context.root is not None and (model.context.root / src_clean).is_dir():
                    if target.startswith(dest_abs.rstrip("/") + "/") or dest_abs == "/":
                        rel = posixpath.relpath(target, dest_abs)
                        found = rel if src_clean in (".", "") else posixpath.join(src_clean, rel)
                    continue
                placed = posixpath.join(dest_abs, posixpath.basename(src_clean)) if into_dir else dest_abs
                if placed == target or (not into_dir and posixpath.join(dest_abs, posixpath.basename(src_clean)) == target):
                    found = src_clean
    return found if found is not None and model.context.exists(found) else None


def _from_stage(model, ins, workdir: str, target: str, hops: int) -> str | None:
    """The context path behind `target` when `COPY --from=<stage> src… dest` put it there."""
    name = (ins.flag("from") or "").lower()
    stages = getattr(model, "stages", ())
    stage = next((s for s in stages if s.name == name or str(s.index) == name), None)
    if stage is None or hops >= 3 or "$" in "".join(ins.arguments):
        return None
    *sources, dest = ins.arguments
    dest_abs = posixpath.normpath(posixpath.join(workdir, dest))
    into_dir = dest.endswith("/") or len(sources) > 1
    chain = [i for s in model.stage_chain(stage) for i in s.instructions]
    for src in sources:
        src_abs = posixpath.normpath(posixpath.join("/", src))  # relative to the stage's root
        if target == dest_abs or target.startswith(dest_abs.rstrip("/") + "/"):
            inner = posixpath.normpath(posixpath.join(src_abs, posixpath.relpath(target, dest_abs)))
        elif into_dir and target == posixpath.join(dest_abs, posixpath.basename(src_abs)):
            inner = src_abs
        else:
            continue
        got = copied_source(model, chain, inner, hops + 1)
        if got is not None:
            return got
    return None
