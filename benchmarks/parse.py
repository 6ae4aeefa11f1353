"""Parse throughput: our parser against BuildKit's own, on the same files, in one run.

    python benchmarks/parse.py [DIRECTORY] [--seconds N]

Reads every Dockerfile below DIRECTORY (default: corpus/), keeps those both
parsers accept, then times repeated passes over them with `refactor.parse`
and with BuildKit's parser through its Python binding (the `dockerfile`
package), alternating rounds so both see the same machine state. Prints
files/s and MB/s for each and our share of BuildKit's throughput
(target: at least 0.5), then the cold start of
`python -c "import refactor; refactor.parse(...)"` (target: under 150 ms).
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from refactor import ParseError, parse  # noqa: E402

NAMES = ("Dockerfile", "Containerfile")


def dockerfiles(folder: Path) -> list[Path]:
    found = []
    for p in sorted(folder.rglob("*")):
        if not p.is_file():
            continue
        n = p.name
        if n in NAMES or n.startswith(("Dockerfile.", "Containerfile.")) or n.endswith((".Dockerfile", ".dockerfile")):
            found.append(p)
    return found


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("directory", nargs="?", default=str(ROOT / "corpus"))
    ap.add_argument("--seconds", type=float, default=3.0, help="time per parser (default 3)")
    args = ap.parse_args()

    import dockerfile  # BuildKit's parser (test dependency)

    texts = []
    for path in dockerfiles(Path(args.directory)):
        try:
            text = path.read_bytes().decode("utf-8")
            parse(text)
            dockerfile.parse_string(text)
        except (UnicodeDecodeError, ParseError, dockerfile.GoParseError):
            continue
        texts.append(text)
    if not texts:
        print(f"no Dockerfile both parsers accept under {args.directory}")
        return 1
    size = sum(len(t.encode()) for t in texts)
    print(f"{len(texts)} files, {size / 1024:.1f} KiB, under {args.directory}")

    def one_pass(fn) -> float:
        start = time.perf_counter()
        for t in texts:
            fn(t)
        return time.perf_counter() - start

    ours: list[float] = []
    theirs: list[float] = []
    deadline = time.perf_counter() + 2 * args.seconds
    while time.perf_counter() < deadline or len(ours) < 5:
        ours.append(one_pass(parse))
        theirs.append(one_pass(dockerfile.parse_string))
    t_ours, t_theirs = statistics.median(ours), statistics.median(theirs)
    rows = [("refactor.parse", t_ours), ("BuildKit (dockerfile)", t_theirs)]
    print(f"{'parser':<24}{'files/s':>12}{'MB/s':>10}")
    for name, t in rows:
        print(f"{name:<24}{len(texts) / t:>12.0f}{size / t / 1e6:>10.2f}")
    print(f"ratio (ours / BuildKit): {t_theirs / t_ours:.2f}   (target >= 0.50; median of {len(ours)} passes)")

    sample = min(texts, key=lambda t: abs(t.count("\n") - 30))
    path = Path("/tmp") / "refactor-bench-sample.Dockerfile"
    path.write_text(sample, encoding="utf-8")
    code = f"import refactor; refactor.parse(open({str(path)!r}).read())"
    env_cmd = [sys.executable, "-c", code]
    subprocess.run(env_cmd, check=True, cwd=ROOT)  # warm the grammar table cache
    walls = []
    for _ in range(10):
        start = time.perf_counter()
        subprocess.run(env_cmd, check=True, cwd=ROOT)
        walls.append(time.perf_counter() - start)
    print(
        f"cold start, import + parse of a {sample.count(chr(10))}-line file: "
        f"median {statistics.median(walls) * 1000:.0f} ms, min {min(walls) * 1000:.0f} ms (target < 150 ms)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
