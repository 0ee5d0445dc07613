"""Time the main paths on the bundled data: ingest, `gaplens gap` cold and warm, report.

Run with `make bench` (or `python benchmarks/bench_gap.py [--repeat N]`). Prints the
median and range of wall-clock seconds over the repeats. Cold = a new warehouse file, so
the command also loads the bundled Epoch snapshot; warm = the warehouse already exists.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time


def timed(fn, repeat: int) -> list[float]:
    out = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        out.append(time.perf_counter() - start)
    return out


def cli(*args: str, db: str) -> None:
    env = dict(os.environ, GAPLENS_DB=db, COLUMNS="80")
    subprocess.run([sys.executable, "-m", "gaplens._cli.main", *args], check=True, env=env,
                   stdout=subprocess.DEVNULL)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    import gaplens
    from gaplens.store import Warehouse

    tmp = tempfile.mkdtemp(prefix="gaplens-bench-")
    try:
        db = os.path.join(tmp, "w.duckdb")

        def ingest_bundled():
            if os.path.exists(db):
                os.remove(db)
            with Warehouse(db) as w:
                gaplens.load_bundled(w)

        def gap_cold():
            if os.path.exists(db):
                os.remove(db)
            cli("gap", db=db)

        def gap_warm():
            cli("gap", db=db)

        def report():
            cli("report", "--out", os.path.join(tmp, "report"), db=db)

        def gap_api_warm():
            gaplens.gap(db=db)

        results = {
            "ingest bundled data (library)": timed(ingest_bundled, args.repeat),
            "gaplens gap, cold (CLI, new warehouse)": timed(gap_cold, args.repeat),
            "gaplens gap, warm (CLI)": timed(gap_warm, args.repeat),
            "gap(), warm (library, 1000 draws)": timed(gap_api_warm, args.repeat),
            "gaplens report, warm (CLI: table + Markdown + charts)": timed(report, args.repeat),
        }
        print(f"{'step':58s} {'median s':>9s} {'min':>7s} {'max':>7s}")
        for name, values in results.items():
            print(f"{name:58s} {statistics.median(values):9.2f} {min(values):7.2f} "
                  f"{max(values):7.2f}")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
