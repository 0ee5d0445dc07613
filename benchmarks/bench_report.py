"""The HTML report on the bundled data: how long it takes to make, how large it is, and how
fast it opens in a browser.

Run with `.venv/bin/python benchmarks/bench_report.py [--screenshot PATH]` (`make bench`
runs it). Steps:

1. `gaplens report` in a fresh process on a warehouse built first from the bundled data
   (median of three runs; peak memory from the child's rusage);
2. the page's size;
3. opening the page in headless Chromium (Debian's, through Playwright), fresh browser
   context each time, no network: the time from navigation start until every chart is
   drawn (`window.gaplensReadyAt`, set by the page), until the headline chart is drawn
   (`window.gaplensFirstChartAt`) and the `load` event; median of five;
4. with `--screenshot`, the top of the page for the README.

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


def make_report(env: dict, out: str, repeat: int = 3) -> tuple[float, float]:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        subprocess.run([GAPLENS, "report", "--out", out], env=env, check=True,
                       capture_output=True)
        times.append(time.perf_counter() - start)
    peak_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    return statistics.median(times), peak_mb


def open_page(path: str, repeat: int = 5, screenshot: str | None = None) -> dict:
    from playwright.sync_api import sync_playwright

    ready, first, load = [], [], []
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
            "load_event_seconds_median": statistics.median(load)}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--screenshot", help="Save the top of the page here (PNG).")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        env = dict(os.environ, GAPLENS_DB=os.path.join(tmp, "w.duckdb"), COLUMNS="100")
        subprocess.run([GAPLENS, "sources"], env=env, check=True, capture_output=True)
        seconds, peak = make_report(env, os.path.join(tmp, "out"))
        page = os.path.join(tmp, "out", "report.html")
        size = os.path.getsize(page)
        opened = open_page(page, screenshot=args.screenshot)
    result = {"make_seconds_median": seconds, "make_peak_rss_mb": peak,
              "size_mb": size / 1e6, **opened}
    for key, value in result.items():
        print(f"{key:28s} {value if isinstance(value, list) else round(value, 3)}")
    os.makedirs(os.path.join(ROOT, "benchmarks", "results"), exist_ok=True)
    with open(os.path.join(ROOT, "benchmarks", "results", "bench_report.json"), "w") as handle:
        json.dump(result, handle, indent=2)
        handle.write("\n")


if __name__ == "__main__":
    main()
