"""Coverage of the gap's 90 % intervals on planted data (the table in docs/intervals.md).

Run with `.venv/bin/python benchmarks/bench_gap_coverage.py [--reps 300] [--draws 200]`
(about two minutes). Each replication draws a new planted benchmark (tests/gap_sims.py:
open and closed models on a logistic trend, closed ahead, model-level scatter), computes
the truth on the noise-free scores, adds measurement noise with the stated standard error
and runs `compute_gap` with its bootstrap. Results go to
benchmarks/results/bench_gap_coverage.json and are printed as a Markdown table.
"""

from __future__ import annotations

import argparse
import json
import os
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "tests"))

from gap_sims import Design, coverage  # noqa: E402

DESIGNS = [
    ("15 open / 25 closed, se 2 points", Design(), {}),
    ("15 open / 25 closed, se 4 points", Design(sigma=0.04), {}),
    ("5 open / 8 closed, se 2 points", Design(n_open=5, n_closed=8), {}),
    ("15 open / 25 closed, se 2 points, models resampled too", Design(),
     {"resample_models": True}),
]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reps", type=int, default=300)
    parser.add_argument("--draws", type=int, default=200)
    args = parser.parse_args()
    out = []
    lines = ["| design | statistic | coverage | truth below | truth above | mean width |",
             "|---|---|---:|---:|---:|---:|"]
    for name, design, options in DESIGNS:
        table = coverage(design, args.reps, args.draws, seed=1, **options)
        for stat, r in table.iterrows():
            out.append(dict(design=name, statistic=stat, **{k: float(v) for k, v in r.items()}))
            unit = "points" if stat == "gap" else "months"
            lines.append(f"| {name} | {stat} | {r['coverage']:.1%} | {r['miss_below']:.1%} | "
                         f"{r['miss_above']:.1%} | {r['mean_width']:.1f} {unit} |")
    path = os.path.join(ROOT, "benchmarks", "results", "bench_gap_coverage.json")
    with open(path, "w") as fh:
        json.dump({"reps": args.reps, "draws": args.draws, "rows": out}, fh, indent=1)
    print("\n".join(lines))


if __name__ == "__main__":
    main()
