"""Batch job: print average delivery time per customer and exit."""
import os
import sys

from tabulate import tabulate

from report import load, summarize

HERE = os.path.dirname(os.path.abspath(__file__))
DEFAULT_INPUT = os.path.join(HERE, "data", "shipments.csv")


def main(argv):
    path = argv[1] if len(argv) > 1 else os.environ.get("SHIPMENTS_CSV", DEFAULT_INPUT)
    rows = load(path)
    if not rows:
        print(f"no shipments in {path}", file=sys.stderr)
        return 1
    table = summarize(rows)
    print(tabulate(table, headers=["customer", "shipments", "avg hours", "max hours"]))
    print(f"\n{len(rows)} shipments processed")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
