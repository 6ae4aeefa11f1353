"""The `refactor` command.

    refactor [--diff | --check | --write] PATH…     review, gate, or apply
    refactor - --stdin-filename path/Dockerfile      stdin in, the new file out
    refactor rules | explain CODE | parse PATH…

Exit codes: 0 success (nothing to do, or done), 1 changes needed under
--check, 2 usage error or a file that cannot be read or parsed
(`path:line:col: message`, nothing written), 3 internal error (file untouched).
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import List, Optional

import typer

from . import __version__

EXIT_OK, EXIT_CHANGES, EXIT_INPUT, EXIT_INTERNAL = 0, 1, 2, 3
SUBCOMMANDS = ("rules", "explain", "parse")

main_app = typer.Typer(add_completion=False, rich_markup_mode=None, pretty_exceptions_enable=False)
sub_app = typer.Typer(add_completion=False, rich_markup_mode=None, pretty_exceptions_enable=False,
                      help="Rule documentation and parser output.")


def main(argv: list[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    app = sub_app if args and args[0] in SUBCOMMANDS else main_app
    try:
        rv = app(args=args, prog_name="refactor", standalone_mode=False)
        return rv if isinstance(rv, int) else EXIT_OK
    except typer.Exit as e:
        return e.exit_code
    except SystemExit as e:  # pragma: no cover - click's own exits
        return e.code if isinstance(e.code, int) else EXIT_INPUT
    except Exception as e:  # usage errors of the command-line parser (typer's click)
        if hasattr(e, "show") and hasattr(e, "exit_code"):
            e.show()
            return EXIT_INPUT
        if type(e).__name__ == "Abort":
            return EXIT_INPUT
        raise


def _split(values: Optional[List[str]]) -> Optional[list[str]]:
    if not values:
        return None
    return [v.strip() for item in values for v in item.split(",") if v.strip()]


@main_app.command(context_settings={"help_option_names": ["-h", "--help"]})
def run(
    paths: List[str] = typer.Argument(None, help="Dockerfiles or directories; - reads standard input."),
    diff: bool = typer.Option(False, "--diff", help="Show the changes as a unified diff (the default)."),
    check: bool = typer.Option(False, "--check", help="Exit 1 when a file would change; print the diff."),
    write: bool = typer.Option(False, "--write", help="Apply the changes in place."),
    stdin_filename: Optional[str] = typer.Option(None, "--stdin-filename", help="The path standard input stands for."),
    context: Optional[Path] = typer.Option(None, "--context", help="Build context directory (default: the Dockerfile's)."),
    select: Optional[List[str]] = typer.Option(None, "--select", help="Rule codes or prefixes to run (HY, PN001)."),
    ignore: Optional[List[str]] = typer.Option(None, "--ignore", help="Rule codes or prefixes not to run."),
    unsafe_fixes: bool = typer.Option(False, "--unsafe-fixes", help="Also apply fixes that may change behaviour."),
    safe_only: bool = typer.Option(False, "--safe-only", help="Apply only fixes that keep the image identical."),
    output_format: str = typer.Option("text", "--format", help="text, json, sarif or github."),
    target: Optional[str] = typer.Option(None, "--target", help="The stage to treat as final."),
    pin_digests: bool = typer.Option(False, "--pin-digests", help="Also pin base images to digests (asks the registry)."),
    quiet: bool = typer.Option(False, "-q", "--quiet", help="Print only errors and the diff."),
    version: bool = typer.Option(False, "--version", help="Print the version and exit."),
) -> None:
    """Turn legacy Dockerfiles into production-grade ones, shown as a reviewable diff."""
    if version:
        print(f"refactor {__version__}")
        raise typer.Exit(EXIT_OK)
    if sum([diff, check, write]) > 1:
        _usage("choose one of --diff, --check and --write")
    if unsafe_fixes and safe_only:
        _usage("--unsafe-fixes and --safe-only exclude each other")
    if output_format not in ("text", "json", "sarif", "github"):
        _usage(f"unknown --format {output_format!r}: use text, json, sarif or github")
    if not paths:
        _usage("no path given (use - for standard input)")
    from .runner import Request, run_paths

    request = Request(
        mode="check" if check else "write" if write else "diff",
        stdin_filename=stdin_filename,
        context=str(context) if context else None,
        select=_split(select),
        ignore=_split(ignore),
        level="unsafe" if unsafe_fixes else "safe" if safe_only else None,
        output_format=output_format,
        target=target,
        pin_digests=pin_digests,
        quiet=quiet,
    )
    raise typer.Exit(run_paths(paths, request))


def _usage(message: str) -> None:
    print(f"refactor: {message}", file=sys.stderr)
    raise typer.Exit(EXIT_INPUT)


@sub_app.command("rules")
def rules_command(
    output_format: str = typer.Option("text", "--format", help="text or json."),
) -> None:
    """List every rule: code, name, usual safety, what it resolves, title."""
    from .rules import AREAS, all_rules

    rules = all_rules()
    if output_format == "json":
        import json

        print(json.dumps([{"code": r.code, "name": r.name, "title": r.title, "rationale": r.rationale,
                           "safety": str(r.safety), "resolves": list(r.resolves)} for r in rules], indent=2))
        return
    current = None
    for r in rules:
        if r.area != current:
            current = r.area
            print(f"{r.area}  {AREAS[r.area][1]}")
        resolves = f"  [{', '.join(r.resolves)}]" if r.resolves else ""
        print(f"  {r.code}  {r.name:<28} {str(r.safety):<7} {r.title}{resolves}")


@sub_app.command("explain")
def explain_command(code: str = typer.Argument(..., help="A rule code (HY009) or name.")) -> None:
    """Explain one rule: what it does, why, an example, what to use instead, how safe its fix is."""
    from .rules import rule_by_code

    rule = rule_by_code(code)
    if rule is None:
        print(f"refactor: no rule {code!r} (see `refactor rules`)", file=sys.stderr)
        raise typer.Exit(EXIT_INPUT)
    print(explain_text(rule))


def explain_text(rule) -> str:
    out = [f"{rule.code} {rule.name}: {rule.title}", "", rule.rationale]
    if rule.resolves:
        out += ["", "Resolves: " + ", ".join(rule.resolves)]
    for heading, body in rule.doc().items():
        out += ["", heading, "-" * len(heading), body]
    extra = getattr(rule, "explain_extra", None)
    if callable(extra):
        out += ["", extra()]
    return "\n".join(out)


@sub_app.command("parse")
def parse_command(paths: List[str] = typer.Argument(..., help="Dockerfiles to read.")) -> None:
    """Print each file's stages and instructions as BuildKit reads them."""
    status = 0
    for path in paths:
        status = max(status, _show(path))
    raise typer.Exit(status)


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
