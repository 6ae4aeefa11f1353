"""Run refactor over real Dockerfiles listed by repository and commit, and write a review sheet.

    python benchmarks/realworld.py [LIST] [--trees DIR] [--repos DIR] [--out SHEET.md] [--json RAW.json]
                                   [--lint] [--select CODES] [--ignore CODES] [--only OWNER/REPO] [-q]

LIST (default benchmarks/realworld.txt) holds `owner/repo@commit:path/to/Dockerfile` lines; `#` starts a
comment. Each repository's tree is looked for in the trees directory as `<owner>+<repo>/` (default
$REFACTOR_REALWORLD/trees, else /var/tmp/realworld/trees); if it is absent and --repos names a folder
holding a git directory `<owner>+<repo>` (bare or not), the commit is materialised from it with
`git archive` into a cache beside the trees. Nothing is fetched from the network. A missing tree or file
is reported, not fatal.

Each file is refactored in-process at the default level (the repository's own configuration honoured, as
the command line does) and at `unsafe`, with the context the bulk mode would give it (the compose
`build.context` where a compose file names the Dockerfile, else its folder). A crash is caught per file.
"""

from __future__ import annotations

import argparse
import collections
import difflib
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# benchmarks/refactor.py would shadow the package: the repository root goes first
sys.path[:] = [str(ROOT)] + [p for p in sys.path if Path(p or ".").resolve() != ROOT / "benchmarks"]

from refactor.discovery import discover  # noqa: E402
from refactor.runner import Request, refactor_text  # noqa: E402

PIN_RULES = {"DL3008", "DL3013", "DL3016", "DL3018", "DL3028", "DL3033", "DL3037", "DL3041"}
HUNK_RULES = ("US001", "HC001", "MS")
LEVELS = ("default", "unsafe")
# base images whose own default command runs a program (a final stage on them "runs something")
RUNNING_BASES = ("nginx", "httpd", "node", "python", "ruby", "php", "redis", "mongo", "postgres", "mysql",
                 "mariadb", "tomcat", "jetty", "rabbitmq", "memcached", "elasticsearch", "haproxy",
                 "traefik", "caddy", "wordpress", "ghost", "nextcloud", "jenkins", "grafana", "registry")


@dataclass
class Entry:
    repo: str
    commit: str
    path: str
    line: int

    @property
    def key(self) -> str:
        return f"{self.repo}@{self.commit[:12]}:{self.path}"

    @property
    def folder(self) -> str:
        return self.repo.replace("/", "+")


@dataclass
class FileResult:
    entry: Entry
    status: str = "ok"  # ok, missing, crash, parse-error
    error: str | None = None
    ecosystem: str = "other"
    runs_program: bool = False
    stages: int = 1
    levels: dict = field(default_factory=dict)  # level -> {changes, skipped, diff, new_text, status}
    lint: dict = field(default_factory=dict)  # original/default/unsafe -> {tool: {rule: count}}


def read_list(path: Path) -> list[Entry]:
    out = []
    for n, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        line = raw.split("#", 1)[0].strip()
        if not line:
            continue
        m = re.fullmatch(r"([\w.-]+/[\w.-]+)@([0-9a-fA-F]{7,40}):(.+)", line)
        if not m:
            raise SystemExit(f"{path}:{n}: not an owner/repo@commit:path line: {raw!r}")
        out.append(Entry(m.group(1), m.group(2), m.group(3), n))
    return out


def _git_dir(repos: Path, folder: str) -> Path | None:
    base = repos / folder
    for cand in (base / ".git", base / "repo" / ".git", base / "repo", base):
        if (cand / "HEAD").is_file() and (cand / "objects").is_dir():
            return cand
    return None


def tree_for(entry: Entry, trees: Path, repos: Path | None, cache: Path) -> Path | None:
    here = trees / entry.folder
    if here.is_dir():
        return here
    if repos is None:
        return None
    git = _git_dir(repos, entry.folder)
    if git is None:
        return None
    dest = cache / f"{entry.folder}@{entry.commit[:12]}"
    if not dest.is_dir():
        tmp = Path(tempfile.mkdtemp(dir=cache))
        if not _materialise(git, entry.commit, tmp):
            shutil.rmtree(tmp, ignore_errors=True)
            return None
        tmp.rename(dest)
    return dest


def _materialise(git: Path, commit: str, into: Path) -> bool:
    """Write the commit's files into `into`. A blob the git dir lacks is left out rather than failing the
    whole tree: snapshots of large repositories often omit their largest files, which `git archive` refuses."""
    listing = subprocess.run(["git", "--git-dir", str(git), "ls-tree", "-r", "-z", commit],
                             capture_output=True, check=False)
    if listing.returncode != 0:
        return False
    blobs = []
    for record in listing.stdout.split(b"\0"):
        if not record:
            continue
        meta, name = record.split(b"\t", 1)
        mode, kind, sha = meta.split()
        if kind == b"blob":
            blobs.append((mode, sha, os.fsdecode(name)))
    cat = subprocess.Popen(["git", "--git-dir", str(git), "cat-file", "--batch"],
                           stdin=subprocess.PIPE, stdout=subprocess.PIPE)
    assert cat.stdin is not None and cat.stdout is not None
    for mode, sha, name in blobs:
        cat.stdin.write(sha + b"\n")
        cat.stdin.flush()
        head = cat.stdout.readline().split()
        if len(head) < 3 or head[1] == b"missing":
            continue
        data = cat.stdout.read(int(head[2]))
        cat.stdout.read(1)
        out = into / name
        if not out.resolve().is_relative_to(into.resolve()):
            continue
        out.parent.mkdir(parents=True, exist_ok=True)
        if mode == b"120000":
            out.symlink_to(os.fsdecode(data))
        else:
            out.write_bytes(data)
            if mode == b"100755":
                out.chmod(0o755)
    cat.stdin.close()
    cat.wait()
    return True


def contexts_of(tree: Path) -> dict[str, str | None]:
    """Dockerfile (resolved path) -> the context bulk mode would give it (compose build.context)."""
    out = {}
    for t in discover(tree, configured=False):
        if not isinstance(t, str):
            out[str(Path(t.path).resolve())] = t.context
    return out


def ecosystem(text: str) -> str:
    froms = re.findall(r"(?im)^\s*FROM\s+(?:--\S+\s+)*(\S+)", text)
    base = (froms[-1] if froms else "").lower().rsplit("/", 1)[-1]
    low = text.lower()
    for eco, names in (("python", ("python", "pypy", "conda", "miniconda")),
                       ("node", ("node", "bun", "deno")), ("go", ("golang",)),
                       ("ruby", ("ruby", "jruby")), ("php", ("php", "composer", "wordpress")),
                       ("java", ("openjdk", "maven", "gradle", "eclipse-temurin", "amazoncorretto", "tomcat",
                                 "jetty", "java")),
                       ("rust", ("rust",)), ("dotnet", ("dotnet", "aspnet", "sdk")),
                       ("static", ("nginx", "httpd", "caddy"))):
        if any(base.startswith(n) for n in names):
            return eco
    for eco, pats in (("python", (r"\bpip3?\b", r"\bpython3?\b")), ("node", (r"\bnpm\b", r"\byarn\b", r"\bnodejs\b")),
                      ("go", (r"\bgo (build|install|get)\b", r"\bgolang\b")), ("ruby", (r"\bgem install\b", r"\bbundle\b")),
                      ("php", (r"\bphp\b", r"\bcomposer\b")), ("java", (r"\bmvn\b", r"\bgradle\b", r"\bjava -jar\b", r"openjdk")),
                      ("rust", (r"\bcargo\b",))):
        if any(re.search(p, low) for p in pats):
            return eco + "-distro"
    return "other"


def runs_program(text: str) -> bool:
    stages = re.split(r"(?im)^\s*FROM\s", text)
    last = stages[-1] if stages else ""
    if re.search(r"(?im)^\s*(CMD|ENTRYPOINT)\s", last):
        return True
    m = re.match(r"\s*(?:--\S+\s+)*(\S+)", last)
    base = (m.group(1) if m else "").lower().rsplit("/", 1)[-1].split(":")[0]
    return base in RUNNING_BASES


def run_level(text: str, path: str, ctx: str, level: str, args) -> dict:
    req = Request(mode="diff", level=None if level == "default" else level,
                  select=args.select, ignore=args.ignore or [])
    try:
        out = refactor_text(text, path, req, context_dir=ctx, config_dir=Path(path).parent)
    except Exception as e:  # refactor_text catches the engine's crashes; this is a last net
        return {"status": "crash", "error": f"{type(e).__name__}: {e}", "changes": [], "skipped": []}
    changes = [{"code": c.code, "line": c.line, "message": c.message, "safety": str(c.safety),
                "applied": getattr(c, "applied", True)} for c in out.changes]
    status = out.status
    if status == "failed":
        status = "crash" if "internal error" in (out.error or "") else "parse-error"
    return {"status": status, "error": out.error, "changes": changes,
            "skipped": [list(s) for s in out.skipped], "diff": out.diff or "",
            "new_text": out.new_text if out.new_text is not None else text}


# --- linters ---------------------------------------------------------------------------------------

def _tool(name: str) -> str | None:
    local = Path(sys.executable).parent / name
    return str(local) if local.exists() else shutil.which(name)


def lint_text(text: str, ctx: str, work: Path) -> dict:
    work.mkdir(parents=True, exist_ok=True)
    df = work / "Dockerfile"
    df.write_text(text, encoding="utf-8")
    counts: dict[str, dict[str, int]] = {"hadolint": {}, "tally": {}}
    hadolint, tally = _tool("hadolint"), _tool("tally")
    if hadolint:
        p = subprocess.run([hadolint, "--no-fail", "-f", "json", str(df)], capture_output=True, text=True, check=False)
        try:
            for f in json.loads(p.stdout or "[]"):
                counts["hadolint"][f["code"]] = counts["hadolint"].get(f["code"], 0) + 1
        except (ValueError, KeyError):
            counts["hadolint"]["(unreadable output)"] = 1
    if tally:
        p = subprocess.run([tally, "lint", "--format", "json", "--no-config", "--slow-checks", "off",
                            "--fail-level", "none", "--context", ctx, str(df)],
                           capture_output=True, text=True, check=False)
        try:
            data = json.loads(p.stdout or "{}")
            for f in data.get("files", []):
                for v in f.get("violations", []):
                    code = v.get("rule", "?")
                    counts["tally"][code] = counts["tally"].get(code, 0) + 1
        except ValueError:
            counts["tally"]["(unreadable output)"] = 1
    return counts


# --- the sheet ---------------------------------------------------------------------------------------

def normalise(reason: str) -> str:
    """Group decline reasons: file names, paths, quoted words, numbers and images become placeholders."""
    r = re.sub(r"`[^`]*`|'[^']*'|\"[^\"]*\"", "…", reason)
    r = re.sub(r"\b[\w.-]+\.(sh|py|js|ts|rb|go|conf|cfg|ini|toml|ya?ml|json|txt|lock|properties|gradle|xml|php)(:\d+)?\b",
               "FILE", r)
    r = re.sub(r"(?<![\w])/[\w./@+-]+", "PATH", r)
    r = re.sub(r"\b[\w.-]+/[\w.-]+(:[\w.-]+)?\b", "IMAGE", r)
    r = re.sub(r"\b[\w.-]+:[\w.-]+\b", "IMAGE", r)
    r = re.sub(r"\b\d+(\.\d+)*\b", "N", r)
    r = re.sub(r"\bline N\b", "line N", r)
    return r.strip()


def hunks_of(diff: str, lines: set[int]) -> str:
    """The diff's hunks (all of them: a rule's change may move lines far from where it is reported)."""
    return diff


def rule_family(code: str) -> str:
    return "MS*" if code.startswith("MS") else code


def split_rate(results: list[FileResult]) -> dict[str, tuple[int, int]]:
    per: dict[str, list[int]] = collections.defaultdict(lambda: [0, 0])
    for r in results:
        if r.status != "ok" or not r.runs_program:
            continue
        split = any(c["code"].startswith("MS") for c in r.levels.get("unsafe", {}).get("changes", []))
        for k in (r.ecosystem.replace("-distro", ""), "all"):
            per[k][1] += 1
            per[k][0] += int(split)
    return {k: (v[0], v[1]) for k, v in sorted(per.items(), key=lambda kv: (kv[0] == "all", -kv[1][1]))}


def write_sheet(results: list[FileResult], out: Path, lint: bool) -> dict:
    ok = [r for r in results if r.status == "ok"]
    per_rule: dict[str, dict[str, int]] = collections.defaultdict(lambda: {"default": 0, "unsafe": 0, "files_default": 0,
                                                                            "files_unsafe": 0, "skips": 0})
    for r in ok:
        for lv in LEVELS:
            codes = [c["code"] for c in r.levels[lv]["changes"]]
            for c in codes:
                per_rule[c][lv] += 1
            for c in set(codes):
                per_rule[c]["files_" + lv] += 1
        for code, _ in r.levels["default"]["skipped"]:
            per_rule[code]["skips"] += 1
    changed = {lv: sum(1 for r in ok if r.levels[lv]["changes"]) for lv in LEVELS}
    summary = {
        "files": len(results),
        "repos": len({r.entry.repo for r in results}),
        "missing": sum(r.status == "missing" for r in results),
        "parse_errors": sum(r.status == "parse-error" for r in results),
        "crashes": sum(r.status == "crash" for r in results),
        "parsed": len(ok),
        "changed_default": changed["default"],
        "changed_unsafe": changed["unsafe"],
        "runs_program": sum(r.runs_program for r in ok),
        "per_rule": {k: dict(v) for k, v in sorted(per_rule.items())},
        "split_rate": {k: list(v) for k, v in split_rate(results).items()},
    }
    L = ["# Real-world review sheet", ""]
    L += ["## Summary", "",
          f"- files listed: {summary['files']} from {summary['repos']} repositories",
          f"- missing: {summary['missing']}, parse errors: {summary['parse_errors']}, crashes: {summary['crashes']}",
          f"- parsed: {summary['parsed']}; changed at default: {changed['default']}, at unsafe: {changed['unsafe']}",
          f"- final stage runs a program: {summary['runs_program']}", ""]
    eco = collections.Counter(r.ecosystem for r in ok)
    L += ["Ecosystems (`-distro`: the language is installed on a distribution base): "
          + ", ".join(f"{k} {v}" for k, v in eco.most_common()), ""]
    L += ["| rule | changes (default) | files (default) | changes (unsafe) | files (unsafe) | skips (default) |",
          "|---|---|---|---|---|---|"]
    for code, v in summary["per_rule"].items():
        L.append(f"| {code} | {v['default']} | {v['files_default']} | {v['unsafe']} | {v['files_unsafe']} | {v['skips']} |")
    L += ["", "## Split rate (unsafe level, files whose final stage runs a program)", "",
          "| ecosystem | split | files | rate |", "|---|---|---|---|"]
    for k, (s, n) in summary["split_rate"].items():
        L.append(f"| {k} | {s} | {n} | {100 * s / n:.0f}% |" if n else f"| {k} | 0 | 0 | - |")
    crashes = [r for r in results if r.status in ("crash", "parse-error", "missing")]
    if crashes:
        L += ["", "## Not processed", ""]
        for r in crashes:
            first = (r.error or "").strip().splitlines()
            L.append(f"- `{r.entry.key}` {r.status}: {first[0] if first else ''}")
    if lint:
        L += ["", "## Lint findings before and after", "",
              "Package-version pin rules are marked † (the tool does not pin packages).", ""]
        for tool in ("hadolint", "tally"):
            tot = {w: collections.Counter() for w in ("original", "default", "unsafe")}
            for r in ok:
                for w in tot:
                    tot[w].update(r.lint.get(w, {}).get(tool, {}))
            summary.setdefault("lint", {})[tool] = {w: dict(c) for w, c in tot.items()}
            L += [f"### {tool}", "", "| rule | before | after default | after unsafe |", "|---|---|---|---|"]
            codes = sorted(set().union(*tot.values()), key=lambda c: (-tot["original"][c], c))
            for c in codes:
                mark = " †" if c.rsplit("/", 1)[-1] in PIN_RULES else ""
                L.append(f"| {c}{mark} | {tot['original'][c]} | {tot['default'][c]} | {tot['unsafe'][c]} |")
            L.append(f"| **total** | {sum(tot['original'].values())} | {sum(tot['default'].values())} | "
                     f"{sum(tot['unsafe'].values())} |")
            L.append("")
    # decline reasons
    reasons: dict[str, collections.Counter] = collections.defaultdict(collections.Counter)
    for r in ok:
        for code, why in r.levels["unsafe"]["skipped"]:
            reasons[rule_family(code) if code.startswith("MS") else code][normalise(why)] += 1
    summary["decline_reasons"] = {k: v.most_common() for k, v in sorted(reasons.items())}
    L += ["", "## Most frequent decline reasons (unsafe level)", ""]
    for code, cnt in sorted(reasons.items()):
        L += [f"### {code}", ""]
        for why, n in cnt.most_common(12):
            L.append(f"- {n} × {why}")
        L.append("")
    # per rule
    L += ["## Changes per rule (default level)", ""]
    codes = sorted({c["code"] for r in ok for c in r.levels["default"]["changes"]})
    for code in codes:
        L += [f"### {code}", ""]
        for r in ok:
            mine = [c for c in r.levels["default"]["changes"] if c["code"] == code]
            if not mine:
                continue
            L.append(f"#### `{r.entry.key}` ({r.ecosystem})")
            L.append("")
            for c in mine:
                L.append(f"- {c['code']} line {c['line']}: {c['message']}")
            if code.startswith(HUNK_RULES):
                L += ["", "```diff", r.levels["default"]["diff"].rstrip("\n"), "```"]
            L.append("")
    ms_unsafe = [r for r in ok if any(c["code"].startswith("MS") for c in r.levels["unsafe"]["changes"])
                 and not any(c["code"].startswith("MS") for c in r.levels["default"]["changes"])]
    if ms_unsafe:
        L += ["## Splits made only at the unsafe level", ""]
        for r in ms_unsafe:
            L.append(f"#### `{r.entry.key}` ({r.ecosystem})")
            L.append("")
            for c in r.levels["unsafe"]["changes"]:
                if c["code"].startswith("MS"):
                    L.append(f"- {c['code']} line {c['line']}: {c['message']}")
            L += ["", "```diff", r.levels["unsafe"]["diff"].rstrip("\n"), "```", ""]
    L += ["## Skips per file (default level)", ""]
    for r in ok:
        sk = r.levels["default"]["skipped"]
        if sk:
            L.append(f"#### `{r.entry.key}`")
            L.append("")
            for code, why in sk:
                L.append(f"- {code}: {why}")
            L.append("")
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text("\n".join(L) + "\n", encoding="utf-8")
    return summary


def main(argv: list[str] | None = None) -> int:
    base = Path(os.environ.get("REFACTOR_REALWORLD", "/var/tmp/realworld"))
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("list", nargs="?", default=str(ROOT / "benchmarks" / "realworld.txt"))
    ap.add_argument("--trees", default=str(base / "trees"))
    ap.add_argument("--repos", default=None, help="folder of <owner>+<repo> git dirs to materialise trees from")
    ap.add_argument("--out", default=str(base / "sheet.md"))
    ap.add_argument("--json", default=None)
    ap.add_argument("--lint", action="store_true")
    ap.add_argument("--select", default=None)
    ap.add_argument("--ignore", default=None)
    ap.add_argument("--only", action="append", default=[], help="only this owner/repo (repeatable)")
    ap.add_argument("-q", "--quiet", action="store_true")
    args = ap.parse_args(argv)
    args.select = [c.strip() for c in args.select.split(",") if c.strip()] if args.select else None
    args.ignore = [c.strip() for c in args.ignore.split(",") if c.strip()] if args.ignore else None

    entries = read_list(Path(args.list))
    if args.only:
        entries = [e for e in entries if e.repo in args.only]
    trees = Path(args.trees)
    repos = Path(args.repos) if args.repos else None
    cache = trees.parent / "cache"
    if repos is not None:
        cache.mkdir(parents=True, exist_ok=True)
    contexts: dict[str, dict] = {}
    results: list[FileResult] = []
    lint_work = Path(tempfile.mkdtemp(prefix="realworld-lint-"))
    for i, e in enumerate(entries):
        r = FileResult(e)
        results.append(r)
        tree = tree_for(e, trees, repos, cache)
        df = tree / e.path if tree else None
        if df is None or not df.is_file():
            r.status, r.error = "missing", f"no tree for {e.repo}" if tree is None else f"no file {e.path}"
            continue
        if str(tree) not in contexts:
            contexts[str(tree)] = contexts_of(tree)
        ctx = contexts[str(tree)].get(str(df.resolve())) or str(df.parent)
        text = df.read_text(encoding="utf-8", errors="replace")
        r.ecosystem, r.runs_program = ecosystem(text), runs_program(text)
        r.stages = len(re.findall(r"(?im)^\s*FROM\s", text))
        for lv in LEVELS:
            r.levels[lv] = run_level(text, str(df), ctx, lv, args)
        bad = [r.levels[lv] for lv in LEVELS if r.levels[lv]["status"] in ("crash", "parse-error")]
        if bad:
            r.status, r.error = bad[0]["status"], bad[0]["error"]
        elif args.lint:
            r.lint["original"] = lint_text(text, ctx, lint_work / "o")
            for lv in LEVELS:
                new = r.levels[lv]["new_text"]
                r.lint[lv] = r.lint["original"] if new == text else lint_text(new, ctx, lint_work / lv)
        if not args.quiet:
            print(f"[{i + 1}/{len(entries)}] {e.key}: {r.status}", file=sys.stderr)
    shutil.rmtree(lint_work, ignore_errors=True)
    summary = write_sheet(results, Path(args.out), args.lint)
    if args.json:
        raw = [{"repo": r.entry.repo, "commit": r.entry.commit, "path": r.entry.path, "status": r.status,
                "error": r.error, "ecosystem": r.ecosystem, "runs_program": r.runs_program, "stages": r.stages,
                "levels": {lv: {k: v for k, v in d.items() if k != "new_text"} for lv, d in r.levels.items()},
                "lint": r.lint} for r in results]
        Path(args.json).write_text(json.dumps({"summary": summary, "files": raw}, indent=1), encoding="utf-8")
    print(f"files {summary['files']} (repos {summary['repos']}), parsed {summary['parsed']}, missing "
          f"{summary['missing']}, parse errors {summary['parse_errors']}, crashes {summary['crashes']}")
    print(f"changed: default {summary['changed_default']}, unsafe {summary['changed_unsafe']}")
    for code, v in summary["per_rule"].items():
        print(f"  {code}: default {v['default']} ({v['files_default']} files), unsafe {v['unsafe']}, skips {v['skips']}")
    print("split rate (unsafe, runs a program): " + ", ".join(
        f"{k} {s}/{n}" for k, (s, n) in summary["split_rate"].items()))
    print(f"sheet: {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
