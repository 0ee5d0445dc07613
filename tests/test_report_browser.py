"""End to end: the HTML report in headless Chromium (Debian's ``chromium`` driven by
Playwright). ``make test`` installs both and sets GAPLENS_REQUIRE_BROWSER=1, so there the
test fails rather than skips when the browser is missing.

Screenshots go to the test's temporary folder, and to $GAPLENS_SCREENSHOTS if set.
"""

from __future__ import annotations

import csv
import io
import json
import os
import shutil

import pytest

from conftest import HOSTILE_BENCHMARK, HOSTILE_DOMAIN_LABEL, HOSTILE_MODEL, HOSTILE_UNKNOWN

SECTIONS = ("headline", "frontiers", "index", "composite", "lifecycle", "realworld", "methods")
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]


def _chromium() -> str | None:
    for name in ("chromium", "chromium-browser"):
        found = shutil.which(name)
        if found:
            return found
    return None


def _missing(what: str):
    if os.environ.get("GAPLENS_REQUIRE_BROWSER"):
        pytest.fail(f"{what} is required for the browser test (run 'make setup')")
    pytest.skip(f"{what} is not installed")


@pytest.fixture(scope="module")
def browser():
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _missing("the playwright package")
    executable = _chromium()
    if executable is None:
        _missing("Debian's chromium")
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=executable, args=ARGS)
        yield b
        b.close()


@pytest.fixture
def page(browser, report_page):
    context = browser.new_context(viewport={"width": 1300, "height": 900}, accept_downloads=True)
    pg = context.new_page()
    pg.errors = []
    pg.requests = []
    pg.on("pageerror", lambda e: pg.errors.append(str(e)))
    pg.on("dialog", lambda d: (pg.errors.append("dialog: " + d.message), d.dismiss()))

    def route(r):
        if r.request.url.startswith("file:") or r.request.url.startswith("blob:") or \
                r.request.url.startswith("data:"):
            r.continue_()
        else:
            pg.requests.append(r.request.url)
            r.abort()

    pg.route("**/*", route)
    pg.goto("file://" + report_page)
    pg.wait_for_function("document.body.dataset.ready === 'true'", timeout=30000)
    yield pg
    context.close()


def shot(pg, tmp_path, name: str) -> str:
    path = str(tmp_path / name)
    pg.screenshot(path=path, full_page=True)
    folder = os.environ.get("GAPLENS_SCREENSHOTS")
    if folder:
        os.makedirs(folder, exist_ok=True)
        shutil.copyfile(path, os.path.join(folder, name))
    assert os.path.getsize(path) > 50_000
    return path


def rows_of(pg, chart: str) -> int:
    return int(pg.get_attribute(f"#chart-{chart}", "data-rows"))


def plotted(pg, chart: str, expr: str):
    return pg.evaluate(f"(() => {{ const gd = document.getElementById('plot-{chart}'); "
                       f"return {expr}; }})()")


def test_every_section_renders_with_data_offline_and_without_running_names(page, tmp_path):
    for section in SECTIONS:
        assert page.locator(f"section#{section}").count() == 1, section
    charts = page.eval_on_selector_all("figure.chart", "els => els.map(e => e.id)")
    assert len(charts) >= 14
    for chart in charts:
        name = chart[len("chart-"):]
        assert rows_of(page, name) > 0, chart
        assert page.locator(f"#{chart} .main-svg").count() >= 1, chart
    for section in SECTIONS[:-1]:
        assert page.locator(f"section#{section} figure.chart .main-svg").count() >= 1, section
    assert page.locator("#stale-fit").count() == 0  # the stored fit matches the data
    text = page.inner_text("#headline-text")
    assert "The one number, read like the map." in text and "The map." in text
    assert "On one scale." in text and "Looking back, looking forward." in text
    # like with like: the one number as a lag in months, on the map's date
    assert "snapshot 2026-04-10, the last on or before 2026-04-16" in text
    assert "that is a lag of" in text
    # domains without current evidence are named and kept out of the map's range
    assert "Left out for want of current evidence" in text and "Multimodal" in text
    assert "Narrowest: Multimodal" not in text and "Narrowest: Language" not in text
    cats = plotted(page, "profile", "gd.layout.yaxis.categoryarray")
    assert "Multimodal" not in cats and "AA Intelligence Index (one number)" in cats
    # the one number sits on the lag axis (months), not on the axis of normalised points
    axes = plotted(page, "profile", "gd.data.filter(t => t.y && t.y[0] === "
                   "'AA Intelligence Index (one number)').map(t => t.xaxis)")
    assert axes == ["x2"]
    assert page.locator("#methods table.data").count() >= 2
    assert "Epoch AI" in page.inner_text("#methods")
    # nothing fetched, nothing executed from a name, names shown as text
    assert page.requests == [] and page.errors == []
    assert page.evaluate("window.__xss") is None
    assert page.locator("img, iframe, svg[onload]").count() == 0
    warnings = page.text_content("#warnings")
    assert HOSTILE_UNKNOWN in warnings
    shot(page, tmp_path, "report-full.png")


def test_switching_open_definition_domain_and_window_redraws(page, tmp_path):
    before = plotted(page, "profile", "gd.data[0].x")
    hint = page.inner_text("#ctl-hint")
    page.select_option("#ctl-definition", "unrestricted")
    assert page.inner_text("#ctl-hint") != hint and "unrestricted" in page.inner_text("#ctl-hint")
    assert plotted(page, "profile", "gd.data[0].x") != before
    assert "unrestricted (shown)" in page.inner_text("#methods")

    page.select_option("#ctl-domain", "maths")
    titles = page.eval_on_selector_all("#chart-frontiers .annotation-text",
                                       "els => els.map(e => e.textContent)")
    assert "MATH level 5" in titles and "ARC-AGI" not in titles
    assert plotted(page, "lag", "gd.data.length") >= 3  # index lag, its interval, benchmarks
    maths = rows_of(page, "saturation")
    page.select_option("#ctl-domain", "general")
    assert rows_of(page, "saturation") > maths

    # a name with markup is shown as text in a chart title, never run
    page.select_option("#ctl-domain", "hostile")
    titles = page.eval_on_selector_all("#chart-frontiers .annotation-text",
                                       "els => els.map(e => e.textContent)")
    assert titles == [HOSTILE_BENCHMARK]
    hover = plotted(page, "frontiers", "gd.data.map(t => t.text.join(' ')).join(' ')")
    assert HOSTILE_MODEL.replace("<", "&lt;").replace(">", "&gt;") in hover
    assert HOSTILE_DOMAIN_LABEL in page.text_content("#ctl-domain")
    assert page.evaluate("window.__xss") is None and page.errors == []
    assert rows_of(page, "index") == 0  # the new domain is not in the stored index fit
    assert "No data" in page.inner_text("#chart-index")
    assert page.locator("#chart-index button[data-export]:disabled").count() == 3

    page.select_option("#ctl-domain", "general")
    all_models = rows_of(page, "index")
    page.fill("#ctl-from", "2025-01-01")
    page.dispatch_event("#ctl-from", "change")
    assert plotted(page, "index", "gd.layout.xaxis.range[0]").startswith("2025-01-01")
    assert 0 < rows_of(page, "index") < all_models
    shot(page, tmp_path, "report-switched.png")
    # a window ending earlier shows the map as of the last quarter end inside it
    today = plotted(page, "profile", "gd.data[0].x")
    page.fill("#ctl-to", "2025-07-15")
    page.dispatch_event("#ctl-to", "change")
    assert "as of 2025-06-30" in page.inner_text("#past-view")
    assert "As of 2025-06-30" in page.inner_text("#headline-text")
    assert plotted(page, "profile", "gd.data[0].x") != today
    page.click("#ctl-reset")
    assert page.locator("#past-view").count() == 0
    assert plotted(page, "profile", "gd.data[0].x") == before  # open-weights, today
    assert rows_of(page, "index") == all_models
    assert page.input_value("#ctl-definition") == "open-weights"


def test_legend_toggles_and_every_chart_exports(page, tmp_path):
    page.locator("#chart-index .legend .traces .legendtoggle").first.click()
    # plotly waits out its double-click delay before hiding the trace
    page.wait_for_function("document.getElementById('plot-index').data[0].visible === "
                           "'legendonly'", timeout=5000)

    with page.expect_download() as info:
        page.click("#chart-profile button[data-export=csv]")
    path = info.value.path()
    rows = list(csv.DictReader(io.StringIO(open(path, encoding="utf-8").read())))
    assert info.value.suggested_filename == "profile.csv"
    assert {"domain", "label", "gap", "gap_ci_low", "lag_months"} <= set(rows[0])
    assert any(r["domain"] == "agentic" and abs(float(r["gap"]) - 33.44) < 0.01 for r in rows)
    assert any(r["open_model"].startswith("'<img") or r["open_model"] == HOSTILE_MODEL
               for r in rows)

    for fmt, magic in (("png", b"\x89PNG"), ("svg", b"<svg")):
        with page.expect_download() as info:
            page.click(f"#chart-profile button[data-export={fmt}]")
        assert info.value.suggested_filename == f"profile.{fmt}"
        with open(info.value.path(), "rb") as handle:
            assert handle.read(4) == magic
    with page.expect_download() as info:
        page.click("#download-all")
    with open(info.value.path(), encoding="utf-8") as handle:
        data = json.load(handle)
    assert data["schema"] == "gaplens.report/1" and "open-weights" in data["by_definition"]
    assert page.errors == []


def test_a_stale_index_fit_is_announced_on_top(browser, report_inputs, tmp_path):
    from dataclasses import replace

    from gaplens.report.html import write_html

    warning = ("the warehouse changed since this fit (2026-11-01 10:00); run 'gaplens fit' "
               "to refit")
    inputs = replace(report_inputs, fit=replace(report_inputs.fit, warnings=(warning,)))
    path = write_html(inputs, str(tmp_path / "stale.html"))
    context = browser.new_context(viewport={"width": 1300, "height": 900})
    pg = context.new_page()
    pg.goto("file://" + path)
    pg.wait_for_function("document.body.dataset.ready === 'true'", timeout=30000)
    banner = pg.inner_text("#stale-fit")
    assert banner.startswith("The capability index is out of date.") and warning in banner
    assert warning in pg.inner_text("#warnings")
    context.close()


def test_data_through_and_old_data_are_stated_on_top(browser, report_inputs, report_db,
                                                    tmp_path):
    from dataclasses import replace

    from gaplens import api
    from gaplens.report.html import write_html

    fresh = api.freshness(db=report_db, today="2026-11-30")
    path = write_html(replace(report_inputs, freshness=fresh), str(tmp_path / "old.html"))
    context = browser.new_context(viewport={"width": 1300, "height": 900})
    pg = context.new_page()
    pg.goto("file://" + path)
    pg.wait_for_function("document.body.dataset.ready === 'true'", timeout=30000)
    through = pg.inner_text("#data-through")
    assert through.startswith("Data through. aa 2026-07-10 (143 days old), ")
    assert "epoch 2026-04-16 (228 days old)" in through and "counted on 2026-11-30" in through
    assert pg.inner_text("#stale-data") == ("Old data. The newest data are 143 days old "
                                            "(2026-07-10): run 'gaplens update' for current "
                                            "data, then write the report again.")
    assert "Data through" in pg.inner_text("#methods")  # the sources table's column
    context.close()


def test_a_domain_label_never_becomes_a_link_in_any_chart(browser, report_inputs, tmp_path):
    """plotly turns <a href> in chart text into a live link: every label from the data is
    escaped before it reaches a chart (the domain index axis title once was not)."""
    from dataclasses import replace

    from gaplens.report.html import write_html

    link = "<a href='https://example.com/'>Maths</a>"
    domains = report_inputs.domains.copy()
    domains.loc[domains["domain"] == "maths", "label"] = link
    path = write_html(replace(report_inputs, domains=domains), str(tmp_path / "link.html"))
    context = browser.new_context(viewport={"width": 1300, "height": 900})
    pg = context.new_page()
    pg.goto("file://" + path)
    pg.wait_for_function("document.body.dataset.ready === 'true'", timeout=30000)
    for domain in ("general", "maths"):
        pg.select_option("#ctl-domain", domain)
        assert pg.locator(".main-svg a").count() == 0, domain
    title = pg.evaluate("document.getElementById('plot-index').layout.yaxis.title.text")
    assert title.startswith("&lt;a href=") and "Maths" in title
    assert link in pg.text_content("#ctl-domain")
    context.close()
