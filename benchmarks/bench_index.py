"""Benchmark the capability-index fit (gaplens.models.irt) against a scipy baseline.

Run with `.venv/bin/python benchmarks/bench_index.py [--quick]`. Prints a results table
and writes the same figures to benchmarks/results/bench_index.json.

What is measured:

1. Real data: the bundled Epoch snapshot, the 42 ECI benchmarks, results released since
   2023-01-01, best score per (model, benchmark), models with >= 4 benchmarks, anchor
   Winogrande (~170 models, ~1540 observations), lambda = 0.1, l2 penalty on alpha.
2. Baseline: scipy.optimize.least_squares(method="trf") on eci-public's residual vector
   (sqrt(w) (s - y) per row, plus sqrt(lam |theta|^2 / P)) with an analytic sparse
   Jacobian; bootstrap draws are one least_squares call each, warm-started from the
   central solution. Both methods see the same model-stratified resamples.
3. (a) central fit time and max |dC| (both shifted so D_anchor = 0), also against a
   baseline with tolerances 1e-12; (b) a 500-draw bootstrap: total times, speed-up,
   per-draw agreement (|dC| < 1e-3, else which reached the lower objective f) and the
   5 %/95 % interval ends of C; (c) synthetic data at 1x/10x/100x observations (B = 40,
   30 % of pairs observed), each size in a subprocess: fit and bootstrap time, time per
   observation, peak memory, and recovery of the true capabilities.

Timings are wall-clock medians; the load average is recorded because on a busy machine
multi-threaded OpenBLAS can slow the small batched solves many times over (set
OPENBLAS_NUM_THREADS=1 for steadier figures). --quick skips the 100x size and
runs at most 50 baseline draws (extrapolated to 500).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import platform
import resource
import statistics
import subprocess
import sys
import tempfile
import time
import tracemalloc

import numpy as np
import pandas as pd
import scipy
from scipy import sparse
from scipy.optimize import least_squares

from gaplens.models import irt

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
ECI_CSV = os.path.join(ROOT, "src/gaplens/data/epoch_benchmarking_hub/additional_eci_data/"
                       "eci_benchmark_difficulties_and_slopes.csv")
REG = irt.Regularisation(lam=0.1, alpha_penalty="l2")
BASELINE_BUDGET_S = 180.0


def timed(fn, repeat: int = 3):
    """(median seconds, result of the last call)."""
    times, out = [], None
    for _ in range(repeat):
        start = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times), out


# --- data ------------------------------------------------------------------------------

def real_data() -> irt.IRTData:
    from gaplens.analysis.observations import collapse
    from gaplens.api import open_warehouse
    with tempfile.TemporaryDirectory(prefix="gaplens-bench-") as tmp:
        with open_warehouse(os.path.join(tmp, "bench_index.duckdb")) as w:
            long = w.observations()
    names = set(pd.read_csv(ECI_CSV)["benchmark_name"])
    long = long[long["benchmark"].isin(names)
                & (pd.to_datetime(long["release_date"]) >= "2023-01-01")]
    best = collapse(long)
    best = best[best.groupby("model_id")["benchmark"].transform("size") >= 4]
    models = {m: i for i, m in enumerate(sorted(best["model_id"].unique()))}
    benches = {b: i for i, b in enumerate(sorted(best["benchmark"].unique()))}
    return irt.IRTData.from_arrays(best["model_id"].map(models), best["benchmark"].map(benches),
                                   best["score"], len(models), len(benches),
                                   benches["Winogrande"])


def synthetic(m: int, b: int = 40, seed: int = 0):
    """Data simulated from known parameters; benchmark 0 is the anchor (D = 0, alpha = 1)."""
    rng = np.random.default_rng(seed)
    cap, dif = rng.normal(0, 1.5, m), rng.normal(0, 1.5, b)
    slope = 1.5 * np.exp(rng.normal(0, 0.3, b))
    dif[0], slope[0] = 0.0, 1.0
    mi, bi = np.nonzero(rng.random((m, b)) < 0.3)
    y = irt.sigmoid(slope[bi] * (cap[mi] - dif[bi])) + rng.normal(0, 0.03, len(mi))
    data = irt.IRTData.from_arrays(mi, bi, np.clip(y, 0, 1), m, b, anchor=0)
    return data, irt.IRTParams(cap, dif, slope)


# --- baseline: scipy least_squares with an analytic sparse Jacobian ---------------------

class Baseline:
    """x = [C (M), D (B), alpha without the anchor (B - 1)], as in eci-public."""

    def __init__(self, data: irt.IRTData, lam: float):
        self.data, self.lam = data, lam
        m, b, a = data.n_models, data.n_benchmarks, data.anchor
        self.p = m + 2 * b - 1
        alpha_col = m + b + np.arange(b) - (np.arange(b) > a)
        self.alpha_col = np.where(np.arange(b) == a, -1, alpha_col)
        self.lo = np.r_[np.full(m + b, -10.0), np.full(b - 1, 0.1)]
        self.hi = np.r_[np.full(m + b, 10.0), np.full(b - 1, 10.0)]

    def alpha(self, x):
        return np.insert(x[self.data.n_models + self.data.n_benchmarks:], self.data.anchor, 1.0)

    def theta(self, x):
        """gaplens layout [C, D, alpha (B)], unshifted: for irt.objective."""
        return np.r_[x[:self.data.n_models + self.data.n_benchmarks], self.alpha(x)]

    def fit(self, x0, w=None, tol=1e-8):
        d, m = self.data, self.data.n_models
        keep = np.ones(d.n_obs, bool) if w is None else w > 0
        mi, bi, y = d.model_idx[keep], d.bench_idx[keep], d.y[keep]
        sw = np.ones(len(y)) if w is None else np.sqrt(w[keep])
        free_a = bi != d.anchor
        n = len(y)
        # CSR structure: per row C, D and (unless anchor) alpha; then one dense ridge row.
        nnz = 2 + free_a
        indptr = np.r_[0, np.cumsum(nnz), nnz.sum() + self.p]
        cols = np.stack([mi, m + bi, self.alpha_col[bi]], axis=1)
        mask = np.stack([np.ones(n, bool), np.ones(n, bool), free_a], axis=1)
        indices = np.r_[cols[mask], np.arange(self.p)]

        def parts(x):
            alpha = self.alpha(x)[bi]
            z = x[mi] - x[m + bi]
            s = irt.sigmoid(alpha * z)
            return s, alpha, z, np.sqrt(self.lam * (x @ x) / self.p)

        def residuals(x):
            s, _, _, pen = parts(x)
            return np.r_[sw * (s - y), pen]

        def jacobian(x):
            s, alpha, z, pen = parts(x)
            g = sw * s * (1 - s)
            vals = np.stack([g * alpha, -g * alpha, g * z], axis=1)[mask]
            data = np.r_[vals, (self.lam / self.p) * x / pen]
            return sparse.csr_matrix((data, indices, indptr), shape=(n + 1, self.p))

        return least_squares(residuals, x0, jac=jacobian, bounds=(self.lo, self.hi),
                             method="trf", ftol=tol, xtol=tol, gtol=tol)

    def shifted_c(self, x):
        m = self.data.n_models
        return x[:m] - x[m + self.data.anchor]

    def f(self, x, w=None):
        return float(irt.objective(self.theta(x), self.data, REG, w)[0])


# --- measurements -------------------------------------------------------------------------

def draws_at_bound(out: irt.FitOutcome) -> np.ndarray:
    """Per draw: any parameter at a bound (at_bound is per draw or per parameter)."""
    return np.asarray(out.at_bound).reshape(len(out.converged), -1).any(axis=1)


def bench_real(quick: bool, n_draws: int = 500) -> dict:
    data = real_data()
    m, b = data.n_models, data.n_benchmarks
    t_fast, central = timed(lambda: irt.fit(data, REG))
    base = Baseline(data, REG.lam)
    x0 = np.r_[np.zeros(m + b), np.ones(b - 1)]
    t_base, res = timed(lambda: base.fit(x0), repeat=3)
    t_tight, res_tight = timed(lambda: base.fit(x0, tol=1e-12), repeat=1)
    c_fast = central.params.capability[0]
    out = {"data": {"models": m, "benchmarks": b, "observations": data.n_obs},
           "central": {
               "gaplens_s": t_fast, "baseline_s": t_base, "baseline_tight_s": t_tight,
               "gaplens_iterations": int(central.iterations[0]),
               "gaplens_converged": bool(central.converged[0]),
               "baseline_nfev": int(res.nfev), "baseline_tight_nfev": int(res_tight.nfev),
               "max_abs_dC": float(np.abs(c_fast - base.shifted_c(res.x)).max()),
               "max_abs_dC_tight": float(np.abs(c_fast - base.shifted_c(res_tight.x)).max()),
               "f_gaplens": float(central.objective[0]), "f_baseline": base.f(res.x),
               "f_baseline_tight": base.f(res_tight.x)}}

    w = irt.stratified_weights(data.model_idx, n_draws, np.random.default_rng(2024))
    t_boot, boot = timed(lambda: irt.fit(data, REG, weights=w, start=central.params))
    limit = 50 if quick else n_draws
    base_c, base_f, base_bound, start = [], [], 0, time.perf_counter()
    for k in range(limit):
        r = base.fit(res.x.copy(), w[k])
        base_c.append(base.shifted_c(r.x))
        base_f.append(base.f(r.x, w[k]))
        base_bound += bool(np.any(r.active_mask != 0))
        elapsed = time.perf_counter() - start
        if k + 1 == 100 and elapsed * n_draws / 100 > BASELINE_BUDGET_S:
            break
    ran = len(base_c)
    t_base_boot = elapsed * n_draws / ran
    base_c, base_f = np.array(base_c), np.array(base_f)
    fast_c, fast_f = boot.params.capability[:ran], boot.objective[:ran]
    dc = np.abs(fast_c - base_c).max(axis=1)
    agree = dc < 1e-3
    rel = (fast_f - base_f) / base_f
    lo_f, hi_f = np.percentile(fast_c, [5, 95], axis=0)
    lo_b, hi_b = np.percentile(base_c, [5, 95], axis=0)
    out["bootstrap"] = {
        "draws": n_draws, "baseline_draws_run": ran, "baseline_extrapolated": ran < n_draws,
        "gaplens_s": t_boot, "baseline_s": t_base_boot, "speedup": t_base_boot / t_boot,
        "gaplens_not_converged": int((~boot.converged).sum()),
        "gaplens_at_bound": int(draws_at_bound(boot).sum()),
        "gaplens_at_bound_compared": int(draws_at_bound(boot)[:ran].sum()),
        "baseline_at_bound": base_bound,
        "gaplens_iterations_median": float(np.median(boot.iterations)),
        "gaplens_iterations_max": int(boot.iterations.max()),
        "share_dC_below_1e-3": float(agree.mean()),
        "max_abs_dC": float(dc.max()),
        "disagreeing": int((~agree).sum()),
        "disagreeing_gaplens_lower_f": int((~agree & (rel < -1e-12)).sum()),
        "disagreeing_baseline_lower_f": int((~agree & (rel > 1e-12)).sum()),
        "rel_f_diff_min": float(rel.min()), "rel_f_diff_max": float(rel.max()),
        "ci_max_abs_diff_low": float(np.abs(lo_f - lo_b).max()),
        "ci_max_abs_diff_high": float(np.abs(hi_f - hi_b).max()),
        "ci_median_width": float(np.median(hi_f - lo_f))}
    return out


def bench_default() -> dict:
    """The library's default index (log-alpha penalty, every bounded-score benchmark): data
    preparation, central fit and the 500-draw bootstrap, as `gaplens fit` runs them."""
    from gaplens.analysis.capability import IndexSettings, build_data, fit_index
    from gaplens.api import open_warehouse

    with tempfile.TemporaryDirectory() as tmp:
        with open_warehouse(os.path.join(tmp, "w.duckdb")) as warehouse:
            long, bench = warehouse.observations(), warehouse.benchmarks()
    settings = IndexSettings()
    t_data, data = timed(lambda: build_data(long, bench, settings))
    t_fit, fitted = timed(lambda: fit_index(data, settings))
    return {"models": data.data.n_models, "benchmarks": data.data.n_benchmarks,
            "observations": data.data.n_obs, "regularisation": settings.reg.label,
            "draws": settings.n_draws, "build_s": t_data, "fit_and_bootstrap_s": t_fit,
            "failed_draws": fitted.failed_draws}


def peak_rss_mb() -> float:
    """This process's peak RSS. ru_maxrss survives exec on Linux (a child started by a
    big parent reports the parent's peak), so VmHWM is read where available."""
    try:
        with open("/proc/self/status") as fh:
            return next(int(x.split()[1]) for x in fh if x.startswith("VmHWM")) / 1024
    except (OSError, StopIteration):
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def traced_peak_mb(fn) -> float:
    tracemalloc.start()
    fn()
    peak = tracemalloc.get_traced_memory()[1] / 2**20
    tracemalloc.stop()
    return peak


def child(m: int, draws: int) -> dict:
    """One synthetic size, run in its own process so that the peak RSS is its own."""
    data, truth = synthetic(m)
    rss0 = peak_rss_mb()
    repeat = 3 if data.n_obs < 100_000 else 1
    t_fit, central = timed(lambda: irt.fit(data, REG), repeat)
    def boot_fn():  # weights generated chunk by chunk, as the library does
        return irt.bootstrap(data, REG, draws, np.random.default_rng(1), central.params)

    t_boot, boot = timed(boot_fn, repeat)
    rss_mb = peak_rss_mb()
    traced_fit_mb = traced_peak_mb(lambda: irt.fit(data, REG))
    traced_mb = traced_peak_mb(boot_fn)
    c = central.params.capability[0]
    return {"models": m, "n_obs": data.n_obs, "fit_s": t_fit, "fit_us_per_obs":
            1e6 * t_fit / data.n_obs, "boot_draws": draws, "boot_s_per_draw": t_boot / draws,
            "boot_us_per_obs_draw": 1e6 * t_boot / draws / data.n_obs,
            "peak_rss_mb": rss_mb, "rss_growth_mb": rss_mb - rss0,
            "fit_traced_peak_mb": traced_fit_mb, "boot_traced_peak_mb": traced_mb,
            "fit_iterations": int(central.iterations[0]),
            "fit_converged": bool(central.converged[0]),
            "boot_not_converged": int((~boot.converged).sum()),
            "boot_iterations_median": float(np.median(boot.iterations)),
            "boot_iterations_max": int(boot.iterations.max()),
            "corr_C": float(np.corrcoef(c, truth.capability)[0, 1]),
            "rmse_C": float(np.sqrt(np.mean((c - truth.capability) ** 2))),
            "corr_D": float(np.corrcoef(central.params.difficulty[0], truth.difficulty)[0, 1])}


def bench_scaling(quick: bool) -> list[dict]:
    sizes = [(200, 50), (2000, 50)] + ([] if quick else [(20000, 50)])
    rows = []
    for m, draws in sizes:
        proc = subprocess.run([sys.executable, os.path.abspath(__file__), "--child", str(m),
                               "--draws", str(draws)], check=True, capture_output=True,
                              text=True)
        rows.append(json.loads(proc.stdout.strip().splitlines()[-1]))
    return rows


# --- output ------------------------------------------------------------------------------

def report(res: dict) -> None:
    d, c, b = res["real"]["data"], res["real"]["central"], res["real"]["bootstrap"]
    print(f"Real data: {d['models']} models, {d['benchmarks']} benchmarks, "
          f"{d['observations']} observations (anchor Winogrande, lambda = 0.1)\n")
    print(f"{'central fit':44s} {'gaplens':>10s} {'baseline':>10s} {'tight':>10s}")
    print(f"{'  time, s':44s} {c['gaplens_s']:10.4f} {c['baseline_s']:10.4f} "
          f"{c['baseline_tight_s']:10.4f}")
    print(f"{'  objective f':44s} {c['f_gaplens']:10.6f} {c['f_baseline']:10.6f} "
          f"{c['f_baseline_tight']:10.6f}")
    print(f"{'  iterations / nfev':44s} {c['gaplens_iterations']:10d} "
          f"{c['baseline_nfev']:10d} {c['baseline_tight_nfev']:10d}")
    print(f"{'  max |dC| vs gaplens':44s} {'':10s} {c['max_abs_dC']:10.2e} "
          f"{c['max_abs_dC_tight']:10.2e}")
    extra = (f" (first {b['baseline_draws_run']} draws timed, extrapolated)"
             if b["baseline_extrapolated"] else "")
    print(f"\nBootstrap, {b['draws']} model-stratified draws{extra}")
    rows = [("gaplens total, s", f"{b['gaplens_s']:.2f}"),
            ("baseline total, s", f"{b['baseline_s']:.1f}"),
            ("speed-up", f"{b['speedup']:.0f}x"),
            ("gaplens draws not converged / at a bound",
             f"{b['gaplens_not_converged']} / {b['gaplens_at_bound']}"),
            ("draws at a bound, compared: gaplens / baseline",
             f"{b['gaplens_at_bound_compared']} / {b['baseline_at_bound']}"),
            ("gaplens iterations median / max",
             f"{b['gaplens_iterations_median']:.0f} / {b['gaplens_iterations_max']}"),
            ("draws compared", f"{b['baseline_draws_run']}"),
            ("share with max |dC| < 1e-3", f"{b['share_dC_below_1e-3']:.3f}"),
            ("max |dC| over draws", f"{b['max_abs_dC']:.2e}"),
            ("others: gaplens lower f / baseline lower f",
             f"{b['disagreeing_gaplens_lower_f']} / {b['disagreeing_baseline_lower_f']}"),
            ("(f_gaplens - f_base) / f_base: min / max",
             f"{b['rel_f_diff_min']:.1e} / {b['rel_f_diff_max']:.1e}"),
            ("5%/95% interval ends: max |diff|",
             f"{b['ci_max_abs_diff_low']:.2e} / {b['ci_max_abs_diff_high']:.2e}"),
            ("median 5-95% interval width of C", f"{b['ci_median_width']:.3f}")]
    for name, value in rows:
        print(f"  {name:46s} {value:>18s}")
    print("\nScaling (synthetic, B = 40, 30% of pairs observed; per-size subprocess)")
    print(f"{'models':>7s} {'n_obs':>8s} {'fit s':>7s} {'us/obs':>6s} {'draws':>5s} "
          f"{'boot s/draw':>11s} {'us/obs/draw':>11s} {'RSS MB':>6s} {'+RSS':>5s} "
          f"{'traced':>9s} {'corr C':>7s} {'rmse C':>6s} {'corr D':>7s} {'iters':>7s} {'nc':>3s}")
    for r in res["scaling"]:
        iters = f"{r['fit_iterations']}/{r['boot_iterations_median']:.0f}"
        traced = f"{r['fit_traced_peak_mb']:.0f}/{r['boot_traced_peak_mb']:.0f}"
        print(f"{r['models']:7d} {r['n_obs']:8d} {r['fit_s']:7.3f} {r['fit_us_per_obs']:6.1f} "
              f"{r['boot_draws']:5d} {r['boot_s_per_draw']:11.4f} "
              f"{r['boot_us_per_obs_draw']:11.1f} {r['peak_rss_mb']:6.0f} "
              f"{r['rss_growth_mb']:5.0f} {traced:>9s} {r['corr_C']:7.4f} "
              f"{r['rmse_C']:6.3f} {r['corr_D']:7.4f} {iters:>7s} "
              f"{r['boot_not_converged'] + (not r['fit_converged']):3d}")
    print("RSS MB = peak RSS of the size's process, +RSS = its growth during the fits,\n"
          "traced = tracemalloc peak MB of the central fit / the bootstrap call,\n"
          "iters = central / median per draw, nc = fits not converged (central + draws).")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--child", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--draws", type=int, default=50, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(child(args.child, args.draws)))
        return
    res = {"meta": {"quick": args.quick, "python": platform.python_version(),
                    "numpy": np.__version__, "scipy": scipy.__version__,
                    "cpus": os.cpu_count(), "date": time.strftime("%Y-%m-%d %H:%M"),
                    "irt_sha1": hashlib.sha1(open(irt.__file__, "rb").read()).hexdigest(),
                    "openblas_threads": os.environ.get("OPENBLAS_NUM_THREADS", "default"),
                    "load_before": os.getloadavg()[0]},
           "real": bench_real(args.quick), "default": bench_default(),
           "scaling": bench_scaling(args.quick)}
    res["meta"]["load_after"] = os.getloadavg()[0]
    report(res)
    d = res["default"]
    print(f"\nDefault index ({d['regularisation']}; {d['models']} models, {d['benchmarks']} "
          f"benchmarks, {d['observations']} results): data {d['build_s']:.2f} s, central fit + "
          f"{d['draws']}-draw bootstrap {d['fit_and_bootstrap_s']:.2f} s, "
          f"{d['failed_draws']} failed draws")
    meta = res["meta"]
    print(f"1-min load average before / after: {meta['load_before']:.1f} / "
          f"{meta['load_after']:.1f} on {meta['cpus']} CPUs; OpenBLAS threads: "
          f"{meta['openblas_threads']}")
    out_dir = os.path.join(ROOT, "benchmarks", "results")
    os.makedirs(out_dir, exist_ok=True)
    with open(os.path.join(out_dir, "bench_index.json"), "w") as fh:
        json.dump(res, fh, indent=2)


if __name__ == "__main__":
    main()
