"""How gaplens scales: synthetic data growing in models *and* benchmarks.

Run with `.venv/bin/python benchmarks/bench_scale.py [--sizes 1 10 100] [--draws 500]`
(`make bench` runs it). For each size s (1 = the bundled data, 3.3 k results) the
script writes a tidy CSV of s times as many results (docs/formats.md) and a benchmark
file, both under /tmp:

* models grow by sqrt(s): new checkpoints of the bundled models (same organization,
  country and accessibility, released up to 60 days after their base model), each
  with its base model's fitted capability plus N(0, 0.3);
* benchmarks grow by sqrt(s): new benchmarks copying the domain, test set, difficulty
  (plus N(0, 0.5)) and slope of a random bundled one;
* each new (model, benchmark) pair is observed with the bundled data's density, its
  score drawn from the index's own model, sigmoid(alpha (C - D)) + N(0, 0.05), clipped
  to [0, 1] and written in the benchmark's raw unit.

Each command then runs in a fresh process, as a user runs it, against a fresh
warehouse under /tmp: `ingest csv`, `gap`, `fit` (500 draws), `report`. For each the
wall time, the CPU time (user + system of the process and its children) and the peak
resident memory (the largest process of the command) are recorded with the 1-minute
load average at its start and end (the machine may be shared: CPU time is the
figure that load does not inflate). Results: benchmarks/results/bench_scale.json and
bench_scale.md.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time

import numpy as np
import pandas as pd

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "src"))
PY = sys.executable
SEED = 20260101


def _bundled(db: str):
    """The bundled data's observations, benchmark table and fitted index (no draws)."""
    from gaplens import api

    fitted = api.fit_index(db=db, store=False, n_draws=0)
    from gaplens._api_core import open_warehouse

    with open_warehouse(db) as warehouse:
        long, bench = warehouse.observations(), warehouse.benchmarks()
    return long, bench, fitted


def synthesise(size: float, db: str, out_dir: str) -> dict:
    """Write results.csv and benchmarks.csv for ``size`` times the bundled results."""
    long, bench, fitted = _bundled(db)
    rng = np.random.default_rng(SEED)
    models = fitted.models
    benches = fitted.benchmarks.merge(bench, on=["benchmark", "domain"], how="left")
    n0 = len(long)
    m0, b0 = len(models), len(benches)
    density = len(fitted.obs) / (m0 * b0)
    grow = np.sqrt(size)
    new_m = int(round(m0 * (grow - 1)))
    new_b = int(round(b0 * (grow - 1)))
    target_new = n0 * (size - 1)
    # pairs: new models x all benchmarks, plus bundled models x new benchmarks
    pairs = new_m * (b0 + new_b) + m0 * new_b
    p = min(1.0, target_new / max(pairs, 1))
    # new benchmarks, copied from random bundled ones
    base_b = rng.integers(0, b0, new_b)
    nb = pd.DataFrame({
        "benchmark": [f"Synthetic bench {i:04d}" for i in range(new_b)],
        "domain": benches["domain"].to_numpy()[base_b],
        "random_baseline": 0.0, "ceiling": 1.0,
        "test_set": benches["test_set"].fillna("public").to_numpy()[base_b],
        "unit": "fraction"})
    diff = np.concatenate([benches["difficulty"].to_numpy(),
                           benches["difficulty"].to_numpy()[base_b] + 0.5 * rng.standard_normal(new_b)])
    slope = np.concatenate([benches["slope"].to_numpy(), benches["slope"].to_numpy()[base_b]])
    baseline = np.concatenate([benches["random_baseline"].to_numpy(float), np.zeros(new_b)])
    ceiling = np.concatenate([benches["ceiling"].to_numpy(float), np.ones(new_b)])
    transform = np.concatenate([benches["transform"].fillna("linear").to_numpy(),
                                np.full(new_b, "linear")])
    names = np.concatenate([benches["benchmark"].to_numpy(), nb["benchmark"].to_numpy()])
    # new models: checkpoints of bundled ones
    base_m = rng.integers(0, m0, new_m)
    cap = models["capability"].to_numpy()[base_m] + 0.3 * rng.standard_normal(new_m)
    release = pd.to_datetime(models["release_date"]).to_numpy()[base_m]
    release = release + (rng.integers(0, 61, new_m) * np.timedelta64(1, "D")).astype(
        "timedelta64[ns]")
    today = np.datetime64(pd.Timestamp.today().normalize())
    release = np.minimum(release, today)
    all_cap = np.concatenate([models["capability"].to_numpy(), cap])
    all_m = m0 + new_m
    # observed pairs
    rows_m, rows_b = [], []
    for first, last, b_from in ((m0, all_m, 0), (0, m0, b0)):
        n_m, n_b = last - first, b0 + new_b - b_from
        hit = rng.random((n_m, n_b)) < p
        mm, bb = np.nonzero(hit)
        rows_m.append(mm + first)
        rows_b.append(bb + b_from)
    mi, bi = np.concatenate(rows_m), np.concatenate(rows_b)
    y = 1 / (1 + np.exp(-slope[bi] * (all_cap[mi] - diff[bi])))
    y = np.clip(y + 0.05 * rng.standard_normal(len(y)), 0, 1)
    log = transform[bi] == "log"
    raw = baseline[bi] + y * (ceiling[bi] - baseline[bi])
    with np.errstate(divide="ignore", invalid="ignore"):
        raw_log = np.exp(np.log(np.maximum(baseline[bi], 1e-9))
                         + y * (np.log(np.maximum(ceiling[bi], 1e-9))
                                - np.log(np.maximum(baseline[bi], 1e-9))))
    raw = np.where(log, raw_log, raw)
    model_name = np.array([f"{models['display_name'].iat[k]} ckpt {i:05d}"
                           for i, k in enumerate(base_m)] if new_m else [], dtype=object)
    bundled_id = models["model_id"].to_numpy()

    def meta(column, default=""):
        base = models[column].fillna(default).astype(str).to_numpy()
        return np.concatenate([base, base[base_m]])

    names_m = np.concatenate([bundled_id, model_name])
    rel = np.concatenate([pd.to_datetime(models["release_date"]).to_numpy(), release])
    open_flag = meta("accessibility")
    frame = pd.DataFrame({
        "model": names_m[mi], "benchmark": names[bi], "score": raw,
        "release_date": pd.to_datetime(rel[mi]).strftime("%Y-%m-%d"),
        "accessibility": open_flag[mi], "organization": meta("organization")[mi],
        "country": meta("country")[mi], "setting": "synthetic"})
    results = os.path.join(out_dir, "results.csv")
    bench_file = os.path.join(out_dir, "benchmarks.csv")
    frame.to_csv(results, index=False)
    nb.to_csv(bench_file, index=False)
    return {"results_csv": results, "benchmarks_csv": bench_file, "new_rows": len(frame),
            "models": int(all_m), "benchmarks": int(b0 + new_b), "bundled_rows": int(n0)}


def measure(args: list[str], env: dict) -> dict:
    """Run one command in a fresh process: wall, CPU and peak RSS (largest process)."""
    load0 = os.getloadavg()[0]
    start = time.perf_counter()
    proc = subprocess.Popen([PY, "-m", "gaplens", *args], env=env, stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    err = proc.stderr.read().decode(errors="replace")[-400:]
    proc.stderr.close()
    out = {"command": "gaplens " + " ".join(args), "seconds": round(wall, 2),
           "cpu_seconds": round(usage.ru_utime + usage.ru_stime, 2),
           "peak_mib": round(usage.ru_maxrss / 1024, 1),
           "load_start": round(load0, 2), "load_end": round(os.getloadavg()[0], 2),
           "ok": os.waitstatus_to_exitcode(status) == 0}
    if not out["ok"]:
        out["error"] = err
    return out


def run_size(size: float, draws: int, keep: str | None,
             commands: tuple[str, ...] = ("gap", "fit", "report")) -> dict:
    tmp = keep or tempfile.mkdtemp(prefix=f"gaplens-scale-{size:g}x-", dir="/tmp")
    os.makedirs(tmp, exist_ok=True)
    db = os.path.join(tmp, "w.duckdb")
    env = dict(os.environ, GAPLENS_DB=db, COLUMNS="100", PYTHONPATH=os.path.join(ROOT, "src"))
    for path in (db, db + ".wal"):
        if os.path.exists(path):
            os.remove(path)
    steps = [measure(["sources"], env)]
    steps[0]["command"] = "first run: load the bundled data"
    info = {"models": None, "benchmarks": None, "new_rows": 0}
    if size > 1:
        info = synthesise(size, db, tmp)
        steps.append(measure(["ingest", "csv", info["results_csv"], "--benchmarks",
                              info["benchmarks_csv"]], env))
    if "gap" in commands:
        steps.append(measure(["gap"], env))
    if "fit" in commands:
        steps.append(measure(["fit", "--draws", str(draws)], env))
    if "report" in commands:
        steps.append(measure(["report", "--out", os.path.join(tmp, "report")], env))
    return {"size": size, "tmp": tmp, **info, "steps": steps}


def write(results: list[dict], out_dir: str) -> None:
    os.makedirs(out_dir, exist_ok=True)
    payload = {"date": time.strftime("%Y-%m-%d %H:%M"), "cpus": os.cpu_count(),
               "results": results}
    with open(os.path.join(out_dir, "bench_scale.json"), "w") as fh:
        json.dump(payload, fh, indent=2)
    lines = ["| size | results | models | benchmarks | command | wall s | CPU s | peak MiB | load |",
             "|---|---|---|---|---|---|---|---|---|"]
    for r in results:
        rows = r.get("bundled_rows", 3300) + r.get("new_rows", 0)
        for s in r["steps"]:
            name = s["command"].replace("gaplens ", "").split(" /")[0]
            flag = "" if s["ok"] else " (failed)"
            lines.append(f"| {r['size']:g}× | {rows:,} | {r.get('models') or '–'} | "
                         f"{r.get('benchmarks') or '–'} | {name}{flag} | {s['seconds']:.1f} | "
                         f"{s['cpu_seconds']:.1f} | {s['peak_mib']:.0f} | "
                         f"{s['load_start']:.1f}–{s['load_end']:.1f} |")
    with open(os.path.join(out_dir, "bench_scale.md"), "w") as fh:
        fh.write("\n".join(lines) + "\n")
    print("\n".join(lines))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=float, nargs="+", default=[1, 10, 100])
    parser.add_argument("--draws", type=int, default=500)
    parser.add_argument("--out", default=os.path.join(ROOT, "benchmarks", "results"))
    parser.add_argument("--commands", nargs="+", default=["gap", "fit", "report"],
                        help="which of gap, fit, report to time after the ingest")
    parser.add_argument("--generate-only", action="store_true",
                        help="write the synthetic CSVs (and the warehouse) and stop")
    parser.add_argument("--dir", default=None, help="work folder (default: a new one in /tmp)")
    opts = parser.parse_args()
    if opts.generate_only:
        for size in opts.sizes:
            tmp = opts.dir or tempfile.mkdtemp(prefix=f"gaplens-scale-{size:g}x-", dir="/tmp")
            db = os.path.join(tmp, "w.duckdb")
            env = dict(os.environ, GAPLENS_DB=db, PYTHONPATH=os.path.join(ROOT, "src"))
            subprocess.run([PY, "-m", "gaplens", "sources"], env=env, check=True,
                           capture_output=True)
            info = synthesise(size, db, tmp)
            subprocess.run([PY, "-m", "gaplens", "ingest", "csv", info["results_csv"],
                            "--benchmarks", info["benchmarks_csv"]], env=env, check=True,
                           capture_output=True)
            print(tmp, info)
        return
    results = []
    for size in opts.sizes:  # written after each size, so a long run keeps what it measured
        results.append(run_size(size, opts.draws, opts.dir, tuple(opts.commands)))
        write(results, opts.out)


if __name__ == "__main__":
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    main()
