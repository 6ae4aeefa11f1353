"""Final image sizes and cached rebuild times, original against refactored, per corpus/apps case.

    python benchmarks/images.py [--cases NAME,...] [--recorded]

For every `corpus/apps` case whose ecosystem has a stand-in (tests/standins.py; built once
under $REFACTOR_LAB and reused), runs `refactor verify` with Buildah building and Podman
running: both Dockerfiles are built (with the layer cache, as a user's builder would), run and
probed, then rebuilt with the layer cache after a one-line change to one source file the build copies. Prints, per case, both final image sizes and
their ratio, both cached rebuild times and the speed-up, then the medians against the targets:
median size ratio at most 0.5, median rebuild speed-up at least 3.

`--recorded` prints the table from what the last real-build test run recorded
($REFACTOR_LAB/builds.json) instead of building. Needs root, buildah, podman and debootstrap.
The sizes are those of the stand-ins' images, which are not the official images (a Debian
minbase with the machine's own Python or Node.js), so the ratios are indicative.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

import standins  # noqa: E402
from test_apps import CASES, spec  # noqa: E402


def measure(names: list[str] | None) -> dict:
    from refactor.verify import Probe, verify

    why = standins.available()
    if why:
        sys.exit(f"images: {why}")
    lab = standins.Lab()
    os.environ.update(lab.env())
    lab.ensure(log=lambda m: print(f"stand-in {m}", file=sys.stderr))
    rows = {}
    for case in CASES:
        s = spec(case)
        if not s.get("built", True) or (names and case.name not in names):
            continue
        probe = Probe.http(f"{s['port']}{s.get('path', '/')}") if s.get("probe") == "http" else Probe()
        started = time.monotonic()
        report = verify(str(case / "Dockerfile"), probe=probe, builder="buildah", level=s.get("level"))
        print(f"{case.name}: {report.verdict.splitlines()[0]} ({time.monotonic() - started:.0f} s)", file=sys.stderr)
        rows[case.name] = {"original": report.original.as_dict(), "refactored": report.refactored.as_dict(),
                           "same": report.exit_code == 0}
    return rows


def table(rows: dict) -> str:
    out = [f"{'case':<22} {'original':>10} {'refactored':>10} {'ratio':>6}   {'rebuild orig':>12} "
           f"{'rebuild new':>11} {'speed-up':>8}  same"]
    ratios, speedups = [], []
    for name, row in sorted(rows.items()):
        o, r = row["original"], row["refactored"]
        ratio = r["size"] / o["size"] if o.get("size") and r.get("size") else None
        speed = (o["rebuild_seconds"] / r["rebuild_seconds"]
                 if o.get("rebuild_seconds") and r.get("rebuild_seconds") else None)
        ratios += [ratio] if ratio is not None else []
        speedups += [speed] if speed is not None else []
        out.append(f"{name:<22} {_mb(o.get('size')):>10} {_mb(r.get('size')):>10} {_f(ratio, '.2f'):>6}   "
                   f"{_f(o.get('rebuild_seconds'), '.1f', ' s'):>12} {_f(r.get('rebuild_seconds'), '.1f', ' s'):>11} "
                   f"{_f(speed, '.1f', 'x'):>8}  {'yes' if row.get('same', True) else 'NO'}")
    if ratios:
        out.append(f"median size ratio {statistics.median(ratios):.2f} (target <= 0.50); "
                   f"median rebuild speed-up {statistics.median(speedups):.1f}x (target >= 3x) "
                   f"over {len(ratios)} cases")
    return "\n".join(out)


def _mb(n) -> str:
    return "-" if not n else f"{n / 1e6:.0f} MB"


def _f(x, fmt: str, unit: str = "") -> str:
    return "-" if x is None else f"{x:{fmt}}{unit}"


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--cases", help="comma-separated case names (default: every built case)")
    ap.add_argument("--recorded", action="store_true", help=f"print {standins.LAB}/builds.json, build nothing")
    ns = ap.parse_args()
    names = ns.cases.split(",") if ns.cases else None
    if ns.recorded:
        path = standins.LAB / "builds.json"
        if not path.is_file():
            sys.exit(f"images: nothing recorded at {path} (run pytest -m builds first)")
        rows = {k: v for k, v in json.loads(path.read_text()).items() if not names or k in names}
    else:
        rows = measure(names)
    print(table(rows))
    return 0


if __name__ == "__main__":
    sys.exit(main())
