"""The end of a run: one summary line, or for many files a table; JSON and Markdown reports.

The table counts files seen, changed, unchanged, skipped (reasons grouped)
and failed (each `path:line:col: message`), and changes per rule. It goes to
stderr, drawn by rich on a terminal and as plain aligned text otherwise, so
that stdout keeps only the diffs.
"""

from __future__ import annotations

import json
import sys
from collections import Counter

__all__ = ["print_summary", "write_reports", "summarise"]

VERBS = {"diff": "would change", "check": "would change", "write": "changed"}


def summarise(outcomes) -> dict:
    counts = Counter(o.status for o in outcomes)
    per_rule = Counter(c.code for o in outcomes for c in o.changes)
    held = Counter(c.code for o in outcomes for c in o.suggestions if c.safety == "unsafe")
    # a second file from standard input is held back for another reason than --safe-only
    held_review = sum(1 for o in outcomes for c in o.suggestions if c.safety != "unsafe"
                      and not (getattr(o, "stdin", False) and c.path not in (None, o.path)))
    skip_reasons = Counter(r for o in outcomes if o.status == "skipped" for r in o.reasons)
    declined = Counter(code for o in outcomes for code, _ in o.skipped if code)
    return {
        "files": len(outcomes),
        "changed": counts["changed"],
        "unchanged": counts["unchanged"],
        "skipped": counts["skipped"],
        "failed": counts["failed"],
        "changes": sum(per_rule.values()),
        "changes_per_rule": dict(sorted(per_rule.items())),
        "suggestions_per_rule": dict(sorted(held.items())),
        "review_changes_held": held_review,
        "skip_reasons": dict(skip_reasons.most_common()),
        "declined_per_rule": dict(sorted(declined.items())),
        "failures": [_first_line(o.error) for o in outcomes if o.status == "failed"],
    }


def _first_line(error: str | None) -> str:
    return (error or "").splitlines()[0] if error else ""


def print_summary(outcomes, req, *, bulk: bool) -> None:
    s = summarise(outcomes)
    verb = VERBS[req.mode]
    held = sum(s["suggestions_per_rule"].values())
    if not bulk:
        parts = []
        if s["changed"]:
            parts.append(f"1 file {verb} ({s['changes']} change{'s' if s['changes'] != 1 else ''})")
        if held:
            parts.append(f"{held} unsafe suggestion{'s' if held != 1 else ''} held back (use --unsafe-fixes)")
        if s["review_changes_held"]:
            n = s["review_changes_held"]
            parts.append(f"{n} review change{'s' if n != 1 else ''} left out by --safe-only")
        if parts:
            print("; ".join(parts), file=sys.stderr)
        return
    rows = [
        ("files seen", str(s["files"])),
        (verb, str(s["changed"])),
        ("unchanged", str(s["unchanged"])),
        ("skipped", str(s["skipped"])),
        ("failed", str(s["failed"])),
        ("changes", str(s["changes"])),
    ]
    if held:
        rows.append(("unsafe suggestions held back", f"{held} (use --unsafe-fixes)"))
    if s["review_changes_held"]:
        rows.append(("review changes left out", f"{s['review_changes_held']} (--safe-only)"))
    details = []
    if s["skip_reasons"]:
        details.append(("skipped because", [f"{n:>5}  {reason}" for reason, n in s["skip_reasons"].items()]))
    if s["changes_per_rule"]:
        details.append(("changes per rule", [f"{n:>5}  {code}" for code, n in s["changes_per_rule"].items()]))
    if s["failures"]:
        details.append(("failed", s["failures"]))
    if sys.stderr.isatty():
        _rich_table(rows, details, color=getattr(req, "color", "auto"))
    else:
        width = max(len(k) for k, _ in rows)
        print("refactor summary", file=sys.stderr)
        for k, v in rows:
            print(f"  {k:<{width}}  {v}", file=sys.stderr)
        for title, lines in details:
            print(f"  {title}:", file=sys.stderr)
            for line in lines:
                print(f"    {line}", file=sys.stderr)


def _rich_table(rows, details, *, color: str = "auto") -> None:
    from rich.console import Console
    from rich.table import Table

    # rich reads NO_COLOR and FORCE_COLOR itself; --color always/never wins over both
    console = Console(stderr=True, **({"no_color": True} if color == "never" else
                                       {"force_terminal": True} if color == "always" else {}))
    table = Table(title="refactor summary", show_header=False, title_justify="left")
    table.add_column(style="bold")
    table.add_column(justify="right")
    for k, v in rows:
        table.add_row(k, v)
    console.print(table)
    for title, lines in details:
        console.print(f"[bold]{title}[/bold]")
        for line in lines:
            console.print(f"  {line}", markup=False, highlight=False)


def write_reports(outcomes, req) -> None:
    from .output import file_dict

    s = summarise(outcomes)
    if req.report:
        files = [
            {**file_dict(o.path, o, status=o.status, error=_first_line(o.error) or None),
             **({"skip_reasons": o.reasons} if o.reasons else {})}
            for o in outcomes
        ]
        with open(req.report, "w", encoding="utf-8") as f:
            json.dump({"version": 1, "mode": req.mode, "summary": s, "files": files}, f, indent=2, ensure_ascii=False)
            f.write("\n")
    if req.report_md:
        with open(req.report_md, "w", encoding="utf-8") as f:
            f.write(markdown(outcomes, s, req))


def markdown(outcomes, s: dict, req) -> str:
    verb = VERBS[req.mode]
    out = ["## Dockerfile refactoring", ""]
    out.append(f"`refactor` looked at **{s['files']}** Dockerfiles: **{s['changed']}** {verb}, "
               f"{s['unchanged']} unchanged, {s['skipped']} skipped, {s['failed']} failed "
               f"({s['changes']} changes).")
    out.append("")
    if s["changes_per_rule"]:
        from .rules import rule_by_code

        out += ["| rule | changes | what |", "| --- | ---: | --- |"]
        for code, n in s["changes_per_rule"].items():
            rule = rule_by_code(code)
            out.append(f"| {code} | {n} | {rule.title if rule else ''} |")
        out.append("")
    changed = [o for o in outcomes if o.status == "changed"]
    if changed:
        out += ["<details><summary>Files changed</summary>", ""]
        for o in changed:
            codes = ", ".join(sorted({c.code for c in o.changes}))
            out.append(f"- `{o.path}`: {codes}")
        out += ["", "</details>", ""]
    if s["skip_reasons"]:
        out += ["**Skipped**", ""]
        out += [f"- {reason}: {n}" for reason, n in s["skip_reasons"].items()]
        out.append("")
    if s["failures"]:
        out += ["**Failed** (left as they were)", ""]
        out += [f"- `{line}`" for line in s["failures"]]
        out.append("")
    held = sum(s["suggestions_per_rule"].values())
    if held:
        out.append(f"{held} unsafe suggestions were not applied; run with `--unsafe-fixes` to see them applied.")
        out.append("")
    return "\n".join(out)
