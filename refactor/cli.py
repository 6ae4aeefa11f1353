"""The `refactor` command.

    refactor [--diff | --check [--diff] | --write] PATH…  review, gate, or apply
    refactor - --stdin-filename path/Dockerfile         stdin in, the new file (--diff: the diff) out
    refactor rules | explain CODE | parse PATH…
    refactor verify PATH [--http PORT/PATH]             build both, run both, compare
    refactor lsp                                        the language server, over stdio

--check prints a line per file that would change and its changes (`path:line:col: CODE
message`), --check --diff the diff too, -q only the errors (and the diff --diff asks for).

Exit codes: 0 success (nothing to do, or done), 1 changes needed under
--check, 2 usage error or a file that cannot be read or parsed
(`path:line:col: message`, nothing written), 3 internal error (file untouched).
"""

from __future__ import annotations

import argparse
import sys

from . import __version__

EXIT_OK, EXIT_CHANGES, EXIT_INPUT, EXIT_INTERNAL = 0, 1, 2, 3
SUBCOMMANDS = ("rules", "explain", "parse", "verify", "lsp")


class _Parser(argparse.ArgumentParser):
    def error(self, message: str):  # usage errors exit 2, as every other input error
        self.print_usage(sys.stderr)
        print(f"refactor: {message}", file=sys.stderr)
        raise SystemExit(EXIT_INPUT)


def main(argv: list[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    try:
        if args and args[0] in SUBCOMMANDS:
            return _subcommand(args)
        return _run(args)
    except SystemExit as e:
        return e.code if isinstance(e.code, int) else EXIT_INPUT
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:  # `refactor explain X | head`: the reader is gone, that is all
        import os

        try:
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        except OSError:
            pass
        return EXIT_OK


def _main_parser() -> argparse.ArgumentParser:
    p = _Parser(
        prog="refactor",
        description="Turn legacy Dockerfiles into production-grade ones, shown as a reviewable diff.",
        epilog="Also: refactor rules | refactor explain CODE | refactor parse PATH... | refactor verify PATH | refactor lsp. "
               "Exit codes: 0 done, 1 changes needed (--check), 2 input or usage error, 3 internal error.",
    )
    p.add_argument("paths", nargs="*", metavar="PATH", help="Dockerfiles or directories; - reads standard input")
    p.add_argument("--diff", action="store_true",
                   help="show the changes as a unified diff (the default; with --check, as well as the gate)")
    p.add_argument("--check", action="store_true",
                   help="exit 1 when a file would change; print a line per such file and per change (add --diff "
                        "for the diff)")
    p.add_argument("--write", action="store_true", help="apply the changes in place")
    p.add_argument("--stdin-filename", metavar="PATH", help="the path standard input stands for")
    p.add_argument("--context", metavar="DIR", help="build context directory (default: the Dockerfile's)")
    p.add_argument("--select", action="append", metavar="CODES", help="rule codes or prefixes to run (HY, PN001)")
    p.add_argument("--ignore", action="append", metavar="CODES", help="rule codes or prefixes not to run")
    level = p.add_mutually_exclusive_group()
    level.add_argument("--unsafe-fixes", action="store_true", help="also apply fixes that may change behaviour")
    level.add_argument("--safe-only", action="store_true", help="apply only fixes that keep the image identical")
    p.add_argument("--format", dest="output_format", default="text", choices=("text", "json", "sarif", "github", "gitlab"),
                   help="report format (default: text)")
    p.add_argument("--target", metavar="STAGE", help="the stage to treat as final")
    p.add_argument("--pin-digests", action="store_true", help="also pin base images to digests (asks the registry)")
    p.add_argument("-q", "--quiet", action="store_true", help="print only errors (and the diff --diff asks for)")
    p.add_argument("--color", choices=("auto", "always", "never"), default="auto",
                   help="colour the output: auto (on a terminal, unless NO_COLOR is set; FORCE_COLOR forces it), "
                        "always or never (both win over NO_COLOR and FORCE_COLOR)")
    bulk = p.add_argument_group("many files")
    bulk.add_argument("-j", "--jobs", type=_positive, metavar="N", help="worker processes (default: all cores)")
    bulk.add_argument("--exclude", action="append", default=[], metavar="GLOB",
                      help="leave out files and folders matching GLOB (gitignore syntax; repeatable)")
    bulk.add_argument("--shard", type=_shard, metavar="K/N", help="process only the K-th of N stable shares of the files")
    bulk.add_argument("--report", metavar="PATH", help="also write a JSON report of every file")
    bulk.add_argument("--report-md", metavar="PATH", help="also write a Markdown summary (for a pull request)")
    p.add_argument("--version", action="version", version=f"refactor {__version__}")
    return p


def _positive(value: str) -> int:
    n = int(value)
    if n < 1:
        raise argparse.ArgumentTypeError("must be 1 or more")
    return n


def _shard(value: str) -> tuple[int, int]:
    k, sep, n = value.partition("/")
    if not sep or not k.isdigit() or not n.isdigit() or not 1 <= int(k) <= int(n):
        raise argparse.ArgumentTypeError("must be K/N with 1 <= K <= N, e.g. 2/8")
    return int(k), int(n)


def _split(values: list[str] | None) -> list[str] | None:
    if not values:
        return None
    return [v.strip() for item in values for v in item.split(",") if v.strip()]


def _run(argv: list[str]) -> int:
    """Review, gate or apply: the main command."""
    parser = _main_parser()
    ns = parser.parse_args(argv)
    if ns.write and (ns.diff or ns.check):
        parser.error(f"argument --write: not allowed with argument {'--diff' if ns.diff else '--check'}")
    if not ns.paths:
        print("refactor: no path given (use - for standard input; refactor -h for help)", file=sys.stderr)
        return EXIT_INPUT
    from .runner import Request, run_paths

    request = Request(
        mode="check" if ns.check else "write" if ns.write else "diff",
        show_diff=ns.diff,
        color=ns.color,
        stdin_filename=ns.stdin_filename,
        context=ns.context,
        select=_split(ns.select),
        ignore=_split(ns.ignore),
        level="unsafe" if ns.unsafe_fixes else "safe" if ns.safe_only else None,
        output_format=ns.output_format,
        target=ns.target,
        pin_digests=ns.pin_digests,
        quiet=ns.quiet,
        jobs=ns.jobs,
        exclude=ns.exclude,
        shard=ns.shard,
        report=ns.report,
        report_md=ns.report_md,
    )
    return run_paths(ns.paths, request)


def _subcommand(argv: list[str]) -> int:
    name, rest = argv[0], argv[1:]
    if name == "verify":
        from .verify import main as verify_main

        return verify_main(rest)
    if name == "lsp":
        from .lsp import main as lsp_main

        return lsp_main(rest)
    if name == "rules":
        p = _Parser(prog="refactor rules", description="List every rule: code, name, usual safety, title.")
        p.add_argument("--format", dest="output_format", default="text", choices=("text", "json"))
        ns = p.parse_args(rest)
        return rules_command(ns.output_format)
    if name == "explain":
        p = _Parser(prog="refactor explain", description="Explain one rule, with an example.")
        p.add_argument("code", help="a rule code (HY009) or name")
        ns = p.parse_args(rest)
        return explain_command(ns.code)
    p = _Parser(prog="refactor parse", description="Print each file's stages and instructions as BuildKit reads them.")
    p.add_argument("paths", nargs="+", metavar="PATH")
    ns = p.parse_args(rest)
    return max(_show(path) for path in ns.paths)


def rules_command(output_format: str = "text") -> int:
    """List every rule: code, name, usual safety, what it resolves, title."""
    from .rules import AREAS, all_rules

    rules = all_rules()
    if output_format == "json":
        import json

        print(json.dumps([{"code": r.code, "name": r.name, "title": r.title, "rationale": r.rationale,
                           "safety": str(r.safety), "resolves": list(r.resolves)} for r in rules], indent=2))
        return EXIT_OK
    current = None
    for r in rules:
        if r.area != current:
            current = r.area
            print(f"{r.area}  {AREAS[r.area][1]}")
        resolves = f"  [{', '.join(r.resolves)}]" if r.resolves else ""
        print(f"  {r.code}  {r.name:<28} {str(r.safety):<7} {r.title}{resolves}")
    return EXIT_OK


def explain_command(code: str) -> int:
    """Explain one rule: what it does, why, an example, what to use instead, how safe its fix is."""
    from .rules import explain_text, rule_by_code

    rule = rule_by_code(code)
    if rule is None:
        print(f"refactor: no rule {code!r} (see `refactor rules`)", file=sys.stderr)
        return EXIT_INPUT
    print(explain_text(rule))
    return EXIT_OK


def _show(path: str) -> int:
    from .runner import read_dockerfile
    from .syntax import ParseError, parse

    text, error = read_dockerfile(path)
    if error:
        print(error, file=sys.stderr)
        return EXIT_INPUT
    try:
        df = parse(text, path=path)
    except ParseError as e:
        print(str(e), file=sys.stderr)
        return EXIT_INPUT
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
    return EXIT_OK


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
