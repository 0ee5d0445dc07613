"""The HTML report on the bundled data: how long it takes to make, how large it is, and how
fast it opens in a browser.

Run with `.venv/bin/python benchmarks/bench_report.py [--screenshot PATH]` (`make bench`
runs it). Steps:

1. `gaplens report` in a fresh process: cold (a new warehouse: the bundled data loaded and
   the index fitted by the report itself), then warm (warehouse loaded and fit stored;
   median of ``--repeat`` runs). Each run's wall time and CPU time (user + sys of the
   process and its worker processes, from rusage: the fair figure on a shared machine);
   peak memory is the largest resident set of one process;
2. the parts of one warm run: cumulative CPU seconds of the main analyses under cProfile
   (GAPLENS_JOBS=1, everything in one process; the profiler adds its own overhead);
3. the page's size;
4. opening the page in headless Chromium (Debian's, through Playwright), fresh browser
   context each time, no network, 1300 x 900 window: the time from navigation start until
   the headline chart is drawn (`window.gaplensFirstChartAt`), until the first screen is
   drawn (`window.gaplensReadyAt`: every chart near the viewport; the page draws the
   others when they are scrolled near, printed or exported), until every chart is drawn
   when all are asked for as soon as the first screen is ready (`gaplensDrawAll()`, then
   `window.gaplensAllDrawnAt`), and the `load` event; medians of five;
5. with `--screenshot`, the top of the page (the README shows the headline chart, an
   element screenshot of `#chart-profile`). ``--skip-page`` keeps the
   page figures of the previous results file (when the page did not change).

Results go to benchmarks/results/bench_report.json.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
GAPLENS = os.path.join(os.path.dirname(sys.executable), "gaplens")
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]


PARTS = {  # label: (file suffix, function name) whose cumulative time is reported
    "gap maps (compute_gap)": ("analysis/gap.py", "compute_gap"),
    "observations (prepare)": ("analysis/observations.py", "prepare"),
    "coverage": ("analysis/coverage.py", "compute_coverage"),
    "real-world alignment": ("analysis/realworld.py", "analyse"),
    "factors": ("analysis/factors.py", "factor_analysis"),
    "over-fitting": ("analysis/overfit.py", "overfit_many"),
    "domain projections (irt.project)": ("models/irt.py", "project"),
    "index gap": ("analysis/index_gap.py", "index_gap"),
    "forecast": ("analysis/forecast.py", "forecast"),
    "published gap and lag": ("analysis/published_lag.py", "published_lag"),
    "composite weights": ("analysis/composite.py", "weight_sensitivity"),
    "lifecycle": ("analysis/lifecycle.py", "compute_lifecycle"),
    "frontier series": ("analysis/series.py", "frontier_series"),
    "collect (all analyses)": ("_api_report.py", "collect"),
    "write the page": ("report/html.py", "write_html"),
}
PROFILE = """
import cProfile, pstats, sys, time
from gaplens._cli.main import run
profile = cProfile.Profile(time.process_time)
sys.argv = ["gaplens", "report", "--out", sys.argv[1]]
profile.enable()
try:
    run()
except SystemExit:
    pass
profile.disable()
profile.dump_stats(OUT)
"""


def run_once(env: dict, out: str) -> dict:
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    subprocess.run([GAPLENS, "report", "--out", out], env=env, check=True, capture_output=True)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return {"wall_seconds": wall, "cpu_seconds": cpu}


def make_report(env: dict, out: str, repeat: int = 3) -> dict:
    cold = run_once(env, out)  # loads the bundled data and fits the index first
    warm = [run_once(env, out) for _ in range(repeat)]
    peak_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    return {"cold_seconds": cold["wall_seconds"], "cold_cpu_seconds": cold["cpu_seconds"],
            "warm_seconds_median": statistics.median(w["wall_seconds"] for w in warm),
            "warm_cpu_seconds_median": statistics.median(w["cpu_seconds"] for w in warm),
            "warm_seconds": [w["wall_seconds"] for w in warm],
            "warm_cpu_seconds": [w["cpu_seconds"] for w in warm],
            "make_seconds_median": statistics.median(w["wall_seconds"] for w in warm),
            "make_peak_rss_mb": peak_mb}


def parts(env: dict, out: str, tmp: str) -> dict:
    """Cumulative CPU seconds per part of one warm run, all in one process."""
    import pstats

    stats_path = os.path.join(tmp, "report.prof")
    code = PROFILE.replace("OUT", repr(stats_path))
    subprocess.run([sys.executable, "-c", code, out], env=dict(env, GAPLENS_JOBS="1"),
                   check=True, capture_output=True)
    stats = pstats.Stats(stats_path).stats
    found = {}
    for (path, _line, name), (_cc, _nc, _tt, cumulative, callers) in stats.items():
        for label, (suffix, function) in PARTS.items():
            if name == function and path.replace(os.sep, "/").endswith(suffix):
                found[label] = round(found.get(label, 0.0) + cumulative, 2)
    return found


def open_page(path: str, repeat: int = 5, screenshot: str | None = None) -> dict:
    from playwright.sync_api import sync_playwright

    ready, first, every, load = [], [], [], []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=shutil.which("chromium"), args=ARGS)
        for i in range(repeat):
            context = browser.new_context(viewport={"width": 1300, "height": 900})
            page = context.new_page()
            page.route("**/*", lambda r: r.continue_() if r.request.url.startswith(
                ("file:", "data:", "blob:")) else r.abort())
            page.goto("file://" + path)
            page.wait_for_function("document.body.dataset.ready === 'true'", timeout=60000)
            ready.append(page.evaluate("window.gaplensReadyAt") / 1000)
            first.append(page.evaluate("window.gaplensFirstChartAt") / 1000)
            page.evaluate("window.gaplensDrawAll && gaplensDrawAll()")
            every.append(page.evaluate("window.gaplensAllDrawnAt || window.gaplensReadyAt")
                         / 1000)
            load.append(page.evaluate("performance.getEntriesByType('navigation')[0]"
                                      ".loadEventEnd") / 1000)
            if screenshot and i == 0:
                page.set_viewport_size({"width": 1300, "height": 1480})
                page.wait_for_timeout(500)
                page.screenshot(path=screenshot, clip={"x": 0, "y": 0, "width": 1300,
                                                       "height": 1480})
            context.close()
        browser.close()
    return {"first_chart_seconds_median": statistics.median(first),
            "ready_seconds_median": statistics.median(ready), "ready_seconds": ready,
            "all_charts_seconds_median": statistics.median(every), "all_charts_seconds": every,
            "load_event_seconds_median": statistics.median(load)}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--screenshot", help="Save the top of the page here (PNG).")
    parser.add_argument("--repeat", type=int, default=3, help="Warm runs (median).")
    parser.add_argument("--skip-page", action="store_true",
                        help="Keep the page-opening figures of the previous results file.")
    args = parser.parse_args()
    target = os.path.join(ROOT, "benchmarks", "results", "bench_report.json")
    with tempfile.TemporaryDirectory() as tmp:
        env = dict(os.environ, GAPLENS_DB=os.path.join(tmp, "w.duckdb"), COLUMNS="100")
        made = make_report(env, os.path.join(tmp, "out"), args.repeat)
        page = os.path.join(tmp, "out", "report.html")
        size = os.path.getsize(page)
        by_part = parts(env, os.path.join(tmp, "out2"), tmp)
        if args.skip_page and os.path.exists(target):
            with open(target) as handle:
                previous = json.load(handle)
            opened = {k: previous[k] for k in ("first_chart_seconds_median",
                                               "ready_seconds_median", "ready_seconds",
                                               "all_charts_seconds_median",
                                               "all_charts_seconds",
                                               "load_event_seconds_median") if k in previous}
            opened["page_figures"] = "carried over from the previous run (page unchanged)"
        else:
            opened = open_page(page, screenshot=args.screenshot)
    result = {"date": time.strftime("%Y-%m-%d %H:%M"), "cpus": os.cpu_count(),
              "load": os.getloadavg()[0], **made, "size_mb": size / 1e6, **opened,
              "parts_cpu_seconds": by_part}
    for key, value in result.items():
        shown = round(value, 3) if isinstance(value, float) else value
        print(f"{key:28s} {shown}")
    os.makedirs(os.path.join(ROOT, "benchmarks", "results"), exist_ok=True)
    with open(target, "w") as handle:
        json.dump(result, handle, indent=2)
        handle.write("\n")


if __name__ == "__main__":
    main()
