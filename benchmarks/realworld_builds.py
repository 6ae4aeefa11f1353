"""Build real Python and Node Dockerfiles of the real-world list with `refactor verify` on the stand-ins.

    python benchmarks/realworld_builds.py [LIST] [--trees DIR] [--limit N] [--only OWNER/REPO]
                                          [--out RESULTS.md] [--json RESULTS.json] [--no-rebuild] [--dry-run]

For every file of LIST (default benchmarks/realworld.txt, the list `benchmarks/realworld.py` reads) whose
stages start from `python:*` or `node:*` images that `tests/standins.py` answers and that the default level
changes, this builds the original and the refactored image with `refactor verify` (buildah/podman, the
stand-ins' store of `REFACTOR_LAB`), runs both and compares: an HTTP GET where the file names one port (the
port of the HEALTHCHECK the refactoring wrote, else the one EXPOSE), else "stays up, or exits the same".
It prints one line per file and writes a table: exit code, verdict, the health check's result, the user
each image runs as, sizes. Files are taken one at a time, in list order, at most `--limit`; the stand-ins
they need are built first. Nothing is fetched except what the builds themselves download (pip, npm).

A file whose original does not build or does not answer is reported as such and counts as neither a pass
nor a failure of the refactoring; every other file must give "same behaviour" (exit 0).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:] = [str(ROOT), str(ROOT / "tests"), str(ROOT / "benchmarks")] + [
    p for p in sys.path if Path(p or ".").resolve() not in (ROOT, ROOT / "benchmarks")]

import realworld  # noqa: E402  (benchmarks/realworld.py: the list, the trees, the contexts)
import standins  # noqa: E402

from refactor.runner import Request, refactor_text  # noqa: E402
from refactor.verify import Probe, VerifyError, base_images, verify  # noqa: E402

ECOSYSTEMS = ("python", "node")


PORT_PATTERNS = (
    r"(?:localhost|127\.0\.0\.1)[:/](?:\$\{\w+:-)?(\d{2,5})",  # wget/curl URLs, bash /dev/tcp
    r"\$\{\w+:-(\d{2,5})\}",  # a shell fallback
    r"process\.env\.\w+\s*\|\|\s*(\d{2,5})",  # node: Number(process.env.PORT || 8080)
    r"connect\((\d{2,5}),",  # node: require('net').connect(3000, …)
    r"environ\.get\(\W*\w+\W*,\s*\W*(\d{2,5})",  # python: os.environ.get('PORT', '8000')
    r"'127\.0\.0\.1',\s*(\d{2,5})\)",  # python: socket.create_connection(('127.0.0.1', 8000))
)


def probe_port(original: str, refactored: str) -> int | None:
    """The port a GET can compare: the one the added HEALTHCHECK probes, else the one EXPOSE names."""
    joined = re.sub(r"\\\n", " ", refactored)  # continuation lines: one instruction a line
    for line in joined.splitlines():
        if re.match(r"\s*HEALTHCHECK\b", line, re.I) and not re.search(r"\bNONE\s*$", line, re.I):
            for pattern in PORT_PATTERNS:
                m = re.search(pattern, line)
                if m:
                    return int(m.group(1))
    ports = set()
    for m in re.finditer(r"(?im)^\s*EXPOSE\s+(.+)$", original):
        for word in m.group(1).split():
            num = word.split("/")[0]
            if num.isdigit():
                ports.add(int(num))
    return ports.pop() if len(ports) == 1 else None


def candidates(entries, trees: Path):
    contexts: dict[str, dict] = {}
    for e in entries:
        tree = realworld.tree_for(e, trees, None, trees.parent / "cache")
        df = tree / e.path if tree else None
        if df is None or not df.is_file():
            continue
        text = df.read_text(encoding="utf-8", errors="replace")
        if realworld.ecosystem(text) not in ECOSYSTEMS or not realworld.runs_program(text):
            continue
        bases = base_images(text)
        try:
            standins.needed(bases)
        except KeyError:
            continue
        if str(tree) not in contexts:
            contexts[str(tree)] = realworld.contexts_of(tree)
        ctx = contexts[str(tree)].get(str(df.resolve())) or str(df.parent)
        out = refactor_text(text, str(df), Request(), context_dir=ctx, config_dir=df.parent)
        if out.status != "changed":
            continue
        try:
            standins.needed(base_images(out.new_text))  # a pinned or slim tag the refactoring wrote
        except KeyError:
            continue
        yield e, df, ctx, text, out.new_text, bases


def main(argv: list[str] | None = None) -> int:
    base = Path(os.environ.get("REFACTOR_REALWORLD", "/var/tmp/realworld"))
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("list", nargs="?", default=str(ROOT / "benchmarks" / "realworld.txt"))
    ap.add_argument("--trees", default=str(base / "trees"))
    ap.add_argument("--limit", type=int, default=25)
    ap.add_argument("--only", action="append", default=[])
    ap.add_argument("--skip", action="append", default=[], help="leave out this owner/repo@…:path key prefix")
    ap.add_argument("--out", default=str(base / "builds.md"))
    ap.add_argument("--json", default=str(base / "builds.json"))
    ap.add_argument("--no-rebuild", action="store_true", help="skip verify's cached rebuild after a source change")
    ap.add_argument("--dry-run", action="store_true", help="list the files that would be built")
    args = ap.parse_args(argv)

    entries = realworld.read_list(Path(args.list))
    if args.only:
        entries = [e for e in entries if e.repo in args.only]
    entries = [e for e in entries if not any(e.key.startswith(s) or f"{e.repo}:{e.path}" == s for s in args.skip)]
    # the files a GET can compare (an added health check, one EXPOSE) first, then list order
    found = list(candidates(entries, Path(args.trees)))
    found.sort(key=lambda item: probe_port(item[3], item[4]) is None)
    picked = found[:args.limit]
    if args.dry_run:
        for e, df, ctx, text, new, bases in picked:
            print(f"{e.key}  bases={','.join(bases)}  port={probe_port(text, new)}")
        return 0
    lab = standins.Lab()
    lab.ensure_tags(sorted({b for *_, bases in picked for b in bases}), log=lambda m: print(m, file=sys.stderr))
    os.environ.update(lab.env())
    rows = []
    for i, (e, df, ctx, text, new, bases) in enumerate(picked, 1):
        port = probe_port(text, new)
        probe = Probe.http(str(port)) if port else Probe()
        started = time.monotonic()
        row = {"file": e.key, "probe": probe.describe(), "bases": bases}
        try:
            report = verify(str(df), context=ctx, probe=probe, builder="buildah", timeout=90.0,
                            rebuild=not args.no_rebuild)
            row.update(report.as_dict())
        except VerifyError as err:
            first = str(err).splitlines()[0]
            row.update({"exit_code": err.code, "verdict": str(err),
                        "original_ok": "does not build" not in first,
                        "note": "original does not build" if "does not build" in first else "error"})
        row["seconds"] = round(time.monotonic() - started, 1)
        rows.append(row)
        print(f"[{i}/{len(picked)}] {e.key}: exit {row['exit_code']} {row['verdict'].splitlines()[0]} "
              f"({row['seconds']} s)", flush=True)
        Path(args.json).write_text(json.dumps(rows, indent=1), encoding="utf-8")
    write_table(rows, Path(args.out))
    same = sum(1 for r in rows if r.get("exit_code") == 0)
    differs = [r for r in rows if r.get("exit_code") == 1]
    other = len(rows) - same - len(differs)
    print(f"built {len(rows)}: same behaviour {same}, differs {len(differs)}, original unusable/other {other}")
    print(f"table: {args.out}")
    return 1 if differs else 0


def write_table(rows: list[dict], out: Path) -> None:
    lines = ["# Real files built with refactor verify", "",
             "| file | probe | exit | verdict | health | user (orig → new) | size (orig → new) |",
             "|---|---|---|---|---|---|---|"]
    for r in rows:
        o, n = r.get("original") or {}, r.get("refactored") or {}
        size = f"{_mb(o.get('size'))} → {_mb(n.get('size'))}" if o else ""
        user = f"{o.get('run_uid')} → {n.get('run_uid')}" if o else ""
        verdict = r["verdict"].splitlines()[0].replace("|", "\\|")
        lines.append(f"| {r['file']} | {r['probe']} | {r['exit_code']} | {verdict} | {n.get('healthcheck', '')} "
                     f"| {user} | {size} |")
    out.write_text("\n".join(lines) + "\n", encoding="utf-8")


def _mb(n) -> str:
    return f"{n / 1e6:.0f} MB" if n else "?"


if __name__ == "__main__":
    sys.exit(main())
