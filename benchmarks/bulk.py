"""Bulk-mode throughput and memory: `refactor --check -q -j 1` and `-j 2` over a big tree.

    python benchmarks/bulk.py [--tree DIR] [--files N] [--seed S] [--jobs 1,2] [--repeat R]

Builds a tree of at least 5,000 Dockerfiles (in a temporary directory, or in
DIR: created if missing, reused if this script built it before) from copies
and variations of the corpus: directory layouts one to five levels deep, the
names Dockerfile, Dockerfile.dev, api.Dockerfile and Containerfile, LF or CRLF
line endings, added comments, other base-image tags (none, `latest`, another
version), each with the build-context files of its corpus case beside it
(package.json, lockfiles, requirements*.txt, go.mod, .dockerignore, ...), as
the rules read them.

Then runs `python -m refactor --check -q -j N TREE` for each N as a
subprocess, measuring the wall time and the peak memory of the whole process
tree: every 20 ms the parent reads VmRSS from /proc/<pid>/status of the
command and of all its descendants, sums them, and keeps the highest sum
(DESIGN.md: "Peak memory in the bulk benchmark is the sum over all
processes"). The summed RSS counts pages that forked workers share with their
parent once per process, so it is an upper bound; the proportional set size
(PSS, from /proc/<pid>/smaps_rollup, shared pages divided among their users)
can be printed beside it (`--pss`; reading it costs more). `resource.getrusage(RUSAGE_CHILDREN)`
is not used: its ru_maxrss is the largest RSS of any single descendant, not a
sum over processes alive at the same time.

Prints files/s for each run, the speed-up of -j 2 over -j 1, and the peak
memory, against the targets: at least 500 files/s with -j 2, a speed-up of at
least 1.7, peak memory under 300 MB. Exit status: 0 when the runs completed (targets
met or not, see the table), 2 when the command failed (exit 3, a traceback,
or `-j` missing from `refactor --help`).
"""

from __future__ import annotations

import argparse
import os
import random
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT / "corpus"
MARKER = ".refactor-bulk-tree"  # a tree this script built; safe to reuse

TARGET_FILES_PER_S = 500.0  # with -j 2
TARGET_SPEEDUP = 1.7  # -j 2 over -j 1
TARGET_PEAK_MB = 300.0

NAMES = ["Dockerfile", "Dockerfile.dev", "api.Dockerfile", "Containerfile"]
NOT_CONTEXT = {"expected", "case.toml", "error"}  # fixture bookkeeping, not build-context files
WORDS = ["acme", "platform", "services", "apps", "tools", "infra", "web", "api", "worker", "jobs", "billing",
         "search", "auth", "frontend", "backend", "docker", "deploy", "images", "legacy", "team-a", "team-b"]
FROM_TAG = re.compile(r"^(FROM[ \t]+(?:--platform=\S+[ \t]+)?)([a-z0-9][a-z0-9./_-]*)(?::([A-Za-z0-9._-]+))?(?=[ \t\r\n]|$)",
                      re.M | re.I)


def _is_dockerfile(name: str) -> bool:
    return (
        name in ("Dockerfile", "Containerfile")
        or name.startswith(("Dockerfile.", "Containerfile."))
        or name.endswith((".Dockerfile", ".dockerfile"))
    )


@dataclass
class Source:
    dockerfile: Path
    text: str
    context: list[Path]  # files beside it (relative to its folder), subfolders included


def corpus_sources() -> list[Source]:
    out = []
    for p in sorted(CORPUS.rglob("*")):
        rel = p.relative_to(CORPUS)
        if not p.is_file() or rel.parts[0] == "errors" or not _is_dockerfile(p.name):
            continue
        try:
            text = p.read_bytes().decode("utf-8")
        except UnicodeDecodeError:
            continue
        folder = p.parent
        context = sorted(
            f.relative_to(folder) for f in folder.rglob("*")
            if f.is_file() and not _is_dockerfile(f.name) and f.name not in NOT_CONTEXT
        )
        out.append(Source(p, text, context))
    return out


# --- variations ----------------------------------------------------------------------------------


def vary_tags(rng: random.Random, text: str) -> str:
    def swap(m: re.Match) -> str:
        head, image, tag = m.group(1), m.group(2), m.group(3)
        if image.lower() == "scratch" or "$" in image or rng.random() < 0.4:
            return m.group(0)
        choice = rng.random()
        if choice < 0.3:
            return f"{head}{image}"  # no tag
        if choice < 0.5:
            return f"{head}{image}:latest"
        if tag and re.search(r"\d", tag):
            bumped = re.sub(r"\d+", lambda d: str(max(0, int(d.group(0)) + rng.choice((-1, 1)))), tag, count=1)
            return f"{head}{image}:{bumped}"
        return f"{head}{image}:{rng.choice(['stable', 'slim', '1', '2024'])}"

    return FROM_TAG.sub(swap, text)


def add_comments(rng: random.Random, text: str, origin: str) -> str:
    lines = text.split("\n")
    out = []
    escape_end = ("\\", "`")
    for i, line in enumerate(lines):
        prev = lines[i - 1].rstrip("\r") if i else ""
        if (line[:5].upper() == "FROM " and i > 0 and not prev.endswith(escape_end) and rng.random() < 0.5):
            out.append(f"# stage below copied from {origin}" + ("\r" if line.endswith("\r") else ""))
        out.append(line)
    text = "\n".join(out)
    if text and rng.random() < 0.5:
        text += ("" if text.endswith("\n") else "\n") + "# maintained by the platform team\n"
    return text


def vary_line_endings(rng: random.Random, text: str) -> str:
    if rng.random() < 0.3:
        return text.replace("\r\n", "\n").replace("\n", "\r\n")
    return text


def build_tree(tree: Path, files: int, seed: int) -> int:
    """Write at least `files` Dockerfiles below `tree`; returns how many."""
    rng = random.Random(seed)
    sources = corpus_sources()
    if not sources:
        raise SystemExit("no Dockerfiles under corpus/")
    written = 0
    n = 0
    while written < files:
        src = sources[n % len(sources)]
        n += 1
        depth = rng.randint(1, 5)
        parts = [rng.choice(WORDS) + (str(rng.randrange(40)) if rng.random() < 0.6 else "") for _ in range(depth - 1)]
        folder = tree.joinpath(*parts, f"{src.dockerfile.parent.name}-{n}")
        folder.mkdir(parents=True, exist_ok=True)
        for rel in src.context:
            target = folder / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(src.dockerfile.parent / rel, target)
        # most folders have one Dockerfile; some a second variant beside it (Dockerfile + Dockerfile.dev)
        names = rng.sample(NAMES, 2 if rng.random() < 0.15 else 1)
        for name in names:
            text = src.text
            origin = src.dockerfile.relative_to(ROOT).as_posix()
            if rng.random() < 0.6:
                text = vary_tags(rng, text)
            if rng.random() < 0.5:
                text = add_comments(rng, text, origin)
            text = vary_line_endings(rng, text)
            (folder / name).write_bytes(text.encode("utf-8"))
            written += 1
    (tree / MARKER).write_text(f"{written} {seed}\n")
    return written


def count_dockerfiles(tree: Path) -> int:
    return sum(1 for _, _, names in os.walk(tree) for name in names if _is_dockerfile(name))


# --- measuring -----------------------------------------------------------------------------------


def _children(pid: int) -> list[int]:
    kids: list[int] = []
    try:
        for tid in os.listdir(f"/proc/{pid}/task"):
            try:
                with open(f"/proc/{pid}/task/{tid}/children") as f:
                    kids += [int(x) for x in f.read().split()]
            except OSError:
                pass
    except OSError:
        pass
    return kids


def _tree(pid: int) -> list[int]:
    out, todo = [], [pid]
    while todo:
        p = todo.pop()
        out.append(p)
        todo += _children(p)
    return out


def _status_kb(pid: int, field: str) -> int:
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith(field + ":"):
                    return int(line.split()[1])
    except (OSError, ValueError, IndexError):
        pass
    return 0


def _pss_kb(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/smaps_rollup") as f:
            for line in f:
                if line.startswith("Pss:"):
                    return int(line.split()[1])
    except (OSError, ValueError, IndexError):
        pass
    return 0


class TreeSampler(threading.Thread):
    """Every `interval` seconds: the summed VmRSS (and PSS) of a process and all its descendants."""

    def __init__(self, pid: int, interval: float = 0.02, pss: bool = False) -> None:
        super().__init__(daemon=True)
        self.pid, self.interval, self.pss = pid, interval, pss
        self.peak_rss_kb = self.peak_pss_kb = 0
        self.peak_processes = 0
        self.samples = 0
        self._halt = threading.Event()

    def run(self) -> None:
        while not self._halt.is_set():
            pids = _tree(self.pid)
            rss = sum(_status_kb(p, "VmRSS") for p in pids)
            self.peak_rss_kb = max(self.peak_rss_kb, rss)
            if self.pss:
                self.peak_pss_kb = max(self.peak_pss_kb, sum(_pss_kb(p) for p in pids))
            self.peak_processes = max(self.peak_processes, sum(1 for p in pids if _status_kb(p, "VmRSS")))
            self.samples += 1
            self._halt.wait(self.interval)

    def stop(self) -> None:
        self._halt.set()
        self.join()


@dataclass
class Run:
    jobs: int
    seconds: float
    exit_code: int
    peak_rss_mb: float
    peak_pss_mb: float
    processes: int
    samples: int
    stderr: str


def measure(tree: Path, jobs: int, extra: list[str], *, pss: bool = False) -> Run:
    cmd = [sys.executable, "-m", "refactor", "--check", "-q", *(["-j", str(jobs)] if jobs else []), *extra, str(tree)]
    env = {**os.environ, "PYTHONPATH": str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", "")}
    with tempfile.TemporaryFile() as err:
        start = time.perf_counter()
        proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=err, cwd=ROOT, env=env)
        sampler = TreeSampler(proc.pid, pss=pss)
        sampler.start()
        code = proc.wait()
        seconds = time.perf_counter() - start
        sampler.stop()
        err.seek(0)
        stderr = err.read().decode("utf-8", "replace")
    return Run(jobs, seconds, code, sampler.peak_rss_kb / 1024, sampler.peak_pss_kb / 1024,
               sampler.peak_processes, sampler.samples, stderr)


def supports_jobs() -> bool:
    out = subprocess.run([sys.executable, "-m", "refactor", "--help"], capture_output=True, text=True, cwd=ROOT)
    return re.search(r"(^|\s)-j\b", out.stdout) is not None


def _busy() -> str | None:
    """Whether other processes keep the CPUs busy (other test runs, builds): timings would lie."""
    def ticks():
        with open("/proc/stat") as f:
            v = [int(x) for x in f.readline().split()[1:]]
        return sum(v), v[3] + v[4]  # total, idle + iowait

    try:
        t0, i0 = ticks()
        time.sleep(0.5)
        t1, i1 = ticks()
    except (OSError, ValueError, IndexError):
        return None
    busy = 1 - (i1 - i0) / max(1, t1 - t0)
    return f"the CPUs were {busy:.0%} busy before the run" if busy > 0.15 else None


# --- main ----------------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--tree", type=Path, help="build (or reuse) the tree here instead of a temporary directory")
    ap.add_argument("--files", type=int, default=5000, help="Dockerfiles to generate (default 5000)")
    ap.add_argument("--seed", type=int, default=1, help="seed of the variations (default 1)")
    ap.add_argument("--jobs", default="1,2", help="comma-separated -j values to run (default 1,2)")
    ap.add_argument("--repeat", type=int, default=1, help="runs per -j value; the fastest counts (default 1)")
    ap.add_argument("--pss", action="store_true",
                    help="also sample PSS from smaps_rollup (costlier to read: it can slow the run measured)")
    ap.add_argument("--no-jobs-flag", action="store_true",
                    help="run without -j (to test the tree and the measuring before bulk mode exists)")
    args = ap.parse_args(argv)

    jobs = [int(j) for j in args.jobs.split(",") if j.strip()]
    if not args.no_jobs_flag and not supports_jobs():
        print("refactor --help does not list -j yet; rerun with --no-jobs-flag to test the tree and the "
              "measuring alone", file=sys.stderr)
        return 2
    if args.no_jobs_flag:
        jobs = [0]

    tmp = None
    if args.tree is None:
        tmp = tempfile.TemporaryDirectory(prefix="refactor-bulk-")
        tree = Path(tmp.name)
    else:
        tree = args.tree.resolve()
        if tree.exists() and any(tree.iterdir()) and not (tree / MARKER).exists():
            print(f"{tree} is not empty and was not built by this script; give an empty or new directory",
                  file=sys.stderr)
            return 2
        tree.mkdir(parents=True, exist_ok=True)
    try:
        if (tree / MARKER).exists():
            count = count_dockerfiles(tree)
            print(f"reusing {tree}: {count} Dockerfiles")
        else:
            t0 = time.perf_counter()
            count = build_tree(tree, args.files, args.seed)
            size = sum(f.stat().st_size for f in tree.rglob("*") if f.is_file())
            print(f"built {tree}: {count} Dockerfiles, {size / 1e6:.1f} MB with their context files, "
                  f"in {time.perf_counter() - t0:.1f} s")

        runs: dict[int, Run] = {}
        failed = False
        for j in jobs:
            best = None
            for _ in range(max(1, args.repeat)):
                busy = _busy()
                if busy:
                    print(f"warning: {busy}; the timings below are unreliable", file=sys.stderr)
                r = measure(tree, j, [], pss=args.pss)
                if "Traceback" in r.stderr or r.exit_code not in (0, 1, 2):
                    failed = True
                    print(f"-j {j}: exit {r.exit_code}\n{r.stderr[-3000:]}", file=sys.stderr)
                if best is None or r.seconds < best.seconds:
                    best = r
            runs[j] = best
            label = f"-j {j}" if j else "(no -j)"
            pss = f" ({best.peak_pss_mb:.1f} MB PSS)" if args.pss else ""
            print(f"{label:>8}: {count} files in {best.seconds:6.2f} s = {count / best.seconds:7.1f} files/s; "
                  f"peak memory {best.peak_rss_mb:6.1f} MB RSS summed{pss} over up to "
                  f"{best.processes} processes, {best.samples} samples; exit {best.exit_code}")

        print()
        results = []
        if 2 in runs:
            rate = count / runs[2].seconds
            results.append((f"files/s with -j 2 >= {TARGET_FILES_PER_S:.0f}", f"{rate:.1f}", rate >= TARGET_FILES_PER_S))
        if 1 in runs and 2 in runs:
            speedup = runs[1].seconds / runs[2].seconds
            results.append((f"speed-up -j 2 over -j 1 >= {TARGET_SPEEDUP}", f"{speedup:.2f}", speedup >= TARGET_SPEEDUP))
        peak = max(r.peak_rss_mb for r in runs.values())
        results.append((f"peak memory < {TARGET_PEAK_MB:.0f} MB (RSS summed over processes)", f"{peak:.1f} MB",
                        peak < TARGET_PEAK_MB))
        for name, value, ok in results:
            print(f"  {'PASS' if ok else 'MISS'}  {name}: {value}")
        return 2 if failed else 0
    finally:
        if tmp is not None:
            tmp.cleanup()


if __name__ == "__main__":
    sys.exit(main())
