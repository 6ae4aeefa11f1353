"""The `refactor` command.

For now it reads Dockerfiles and shows how they parse: `refactor parse PATH…`
prints each file's stages and instructions as BuildKit reads them, or the
`path:line:col: message` of the first error (exit 2). The refactoring rules
and `--diff`/`--check`/`--write` build on this.
"""

from __future__ import annotations

import sys

USAGE = """usage: refactor parse PATH [PATH ...]

Read each Dockerfile and print its stages and instructions as BuildKit reads them.
Exit codes: 0 parsed, 2 a file could not be read or does not parse (path:line:col: message).
"""


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if not args or args[0] in ("-h", "--help"):
        print(USAGE, end="")
        return 0 if args else 2
    if args[0] == "--version":
        from . import __version__

        print(f"refactor {__version__}")
        return 0
    if args[0] != "parse" or len(args) < 2:
        print(USAGE, end="", file=sys.stderr)
        return 2
    status = 0
    for path in args[1:]:
        status = max(status, _show(path))
    return status


def _show(path: str) -> int:
    from .syntax import ParseError, parse

    try:
        data = open(path, "rb").read()
    except OSError as e:
        print(f"{path}: {e.strerror or e}", file=sys.stderr)
        return 2
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as e:
        line = data.count(b"\n", 0, e.start) + 1
        col = e.start - (data.rfind(b"\n", 0, e.start) + 1) + 1
        print(f"{path}:{line}:{col}: not UTF-8 text (invalid byte at offset {e.start})", file=sys.stderr)
        return 2
    try:
        df = parse(text, path=path)
    except ParseError as e:
        print(str(e), file=sys.stderr)
        return 2
    print(f"{path}: {len(df.instructions)} instructions, {len(df.stages)} stages, escape {df.escape!r}")
    for d in df.directives:
        print(f"  directive {d.name}={d.value}")
    for ins in df.instructions:
        if ins.keyword == "FROM":
            stage = next(s for s in df.stages if s.from_instruction is ins)
            label = f"stage {stage.index}" + (f" {stage.name!r}" if stage.name else "")
            print(f"  {label}: base {stage.base_name}" + (f" platform {stage.platform}" if stage.platform else ""))
        form = " exec" if ins.is_exec_form else ""
        flags = "".join(f" {f.text}" for f in ins.flags)
        lines = f"{ins.start_line}" if ins.start_line == ins.end_line else f"{ins.start_line}-{ins.end_line}"
        keyword = f"ONBUILD {ins.trigger_keyword}" if ins.trigger_keyword else ins.keyword
        print(f"    {lines:>7} {keyword}{flags}{form} {list(ins.arguments)}")
        for h in ins.heredocs:
            print(f"            heredoc <<{h.name}: {len(h.content.splitlines())} lines")
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
