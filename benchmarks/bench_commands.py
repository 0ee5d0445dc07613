"""Wall-clock time of each gaplens command on the bundled data, as a user runs them.

Run with `.venv/bin/python benchmarks/bench_commands.py` (`make bench` runs it). Each
command runs in a fresh process (`gaplens ...`, so import time counts) against one
warehouse built first from the bundled data; the first row times that build. Medians of
three runs; results go to benchmarks/results/bench_commands.json.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
GAPLENS = os.path.join(os.path.dirname(sys.executable), "gaplens")

COMMANDS = [
    ["gap"],
    ["gap", "--on", "index"],
    ["fit"],
    ["index", "--top", "20"],
    ["compare", "GLM-5", "Claude Opus 4.5"],
    ["predict", "Kimi K2.5"],
    ["factors", "--dims", "3"],
    ["fit", "--sensitivity"],
    ["composite"],
    ["overfit"],
    ["lifecycle"],
    ["forecast"],
    ["realworld"],
    ["realworld", "--target", "openrouter.share"],
    ["report", "--out", "{tmp}/report"],
    ["report", "--format", "md", "--out", "{tmp}/report-md"],
]


def run(args: list[str], env: dict, repeat: int = 3) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        subprocess.run([GAPLENS, *args], env=env, check=True, capture_output=True)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    results = []
    with tempfile.TemporaryDirectory() as tmp:
        env = dict(os.environ, GAPLENS_DB=os.path.join(tmp, "w.duckdb"), COLUMNS="100")
        start = time.perf_counter()
        subprocess.run([GAPLENS, "sources"], env=env, check=True, capture_output=True)
        results.append({"command": "first run: load the bundled data (sources)",
                        "seconds": time.perf_counter() - start})
        for args in COMMANDS:
            args = [a.format(tmp=tmp) for a in args]
            results.append({"command": "gaplens " + " ".join(args), "seconds": run(args, env)})
    width = max(len(r["command"]) for r in results)
    for r in results:
        print(f"{r['command']:<{width}}  {r['seconds']:6.2f} s")
    out_dir = os.path.join(ROOT, "benchmarks", "results")
    os.makedirs(out_dir, exist_ok=True)
    with open(os.path.join(out_dir, "bench_commands.json"), "w") as fh:
        json.dump({"date": time.strftime("%Y-%m-%d %H:%M"), "cpus": os.cpu_count(),
                   "load": os.getloadavg()[0], "results": results}, fh, indent=2)


if __name__ == "__main__":
    main()
