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

SECTIONS = ("headline", "frontiers", "index", "composite", "lifecycle", "realworld", "cost",
            "methods")
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


def _watch(pg):
    """Collect the page's errors, dialogs and every request for anything but the file
    itself (aborted: the page must need no network)."""
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


def _ready(pg):
    pg.wait_for_function("document.body.dataset.ready === 'true'", timeout=30000)


def _open(browser, path: str, width: int = 1300, fragment: str = "", height: int = 900,
          draw_all: bool = True):
    """A new page of ``path``, its first screen drawn and, with ``draw_all``, every chart
    (charts further down are drawn lazily, when they come near the viewport)."""
    context = browser.new_context(viewport={"width": width, "height": height},
                                  accept_downloads=True)
    pg = context.new_page()
    _watch(pg)
    pg.goto("file://" + path + fragment)
    _ready(pg)
    if draw_all:
        pg.evaluate("gaplensDrawAll()")
    return pg


def _reset(pg):
    """Back to the page as opened: the default view (the address carries no view then),
    the screen's media and size, the top of the page."""
    pg.emulate_media(media="screen")
    pg.set_viewport_size({"width": 1300, "height": 900})
    if pg.evaluate("location.hash"):
        pg.click("#ctl-reset")
    assert pg.evaluate("location.hash") == ""
    pg.evaluate("window.scrollTo(0, 0)")


@pytest.fixture(scope="module")
def shared_page(browser, report_page):
    """One loaded page of ``report_page`` for the tests of this module; errors and requests
    are collected over all of them."""
    pg = _open(browser, report_page, draw_all=False)
    yield pg
    pg.context.close()


@pytest.fixture
def page(shared_page):
    _reset(shared_page)
    yield shared_page


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


def draw(pg, chart: str) -> None:
    """Draw a chart now if it is not up to date (the page draws a chart when it comes near
    the viewport; a control's change redraws at once only the charts near it)."""
    pg.evaluate(f"gaplensDraw('{chart}')")


def plotted(pg, chart: str, expr: str):
    draw(pg, chart)
    return pg.evaluate(f"(() => {{ const gd = document.getElementById('plot-{chart}'); "
                       f"return {expr}; }})()")


def test_every_section_renders_with_data_offline_and_without_running_names(page, tmp_path):
    for section in SECTIONS:
        assert page.locator(f"section#{section}").count() == 1, section
    # (a claim's chart may be empty: its "not enough data" sentence says why)
    charts = page.eval_on_selector_all("figure.chart:not(.claim-chart)",
                                       "els => els.map(e => e.id)")
    page.evaluate("gaplensDrawAll()")
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
    # what the gap costs: a log price axis, both frontiers as steps, the sentence
    assert plotted(page, "cost-frontier", "gd.layout.xaxis.type") == "log"
    steps = plotted(page, "cost-frontier", "gd.data.filter(t => t.line && t.line.shape === "
                    "'hv').map(t => t.name)")
    assert sorted(steps) == ["closed frontier", "open frontier"]
    assert "points behind" in page.inner_text("#cost-sentence")
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
    draw(page, "frontiers")
    titles = page.eval_on_selector_all("#chart-frontiers .annotation-text",
                                       "els => els.map(e => e.textContent)")
    assert "MATH level 5" in titles and "ARC-AGI" not in titles
    assert plotted(page, "lag", "gd.data.length") >= 3  # index lag, its interval, benchmarks
    maths = rows_of(page, "saturation")
    page.select_option("#ctl-domain", "general")
    assert rows_of(page, "saturation") > maths

    # a name with markup is shown as text in a chart title, never run
    page.select_option("#ctl-domain", "hostile")
    draw(page, "frontiers")
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


def test_countries_section_draws_country_frontiers_and_lab_lags(page):
    assert page.locator("section#countries").count() == 1
    assert rows_of(page, "countries-frontiers") > 0
    names = plotted(page, "countries-frontiers", "gd.data.map(t => t.name)")
    assert "closed (all)" in names and "China · open" in names
    assert "trails the closed frontier" in page.inner_text("#countries-text")
    tables = page.locator("section#countries table.data")
    assert tables.count() == 3  # best open per country, lab x domain, leading lab by quarter
    assert "China · open" in tables.nth(0).inner_text()
    page.select_option("#ctl-domain", "maths")  # the chart follows the domain control
    draw(page, "countries-frontiers")
    assert page.locator("#chart-countries-frontiers .main-svg").count() >= 1
    assert page.errors == [] and page.evaluate("window.__xss") is None


def test_legend_toggles_and_every_chart_exports(page, tmp_path):
    draw(page, "index")
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


STALE_WARNING = ("the warehouse changed since this fit (2026-11-01 10:00); run 'gaplens fit' "
                 "to refit")
LINK_LABEL = "<a href='https://example.com/'>Maths</a>"
#: opened with a hash naming nothing known: ignored, not an error
UNKNOWN_VIEW = "#def=nope&domain=%3Cb%3E&from=x&heat=1"


@pytest.fixture(scope="module")
def variant_page(browser, report_inputs, report_db, tmp_path_factory):
    """One page for the cases that need their own report (independent of each other): a
    stale index fit, old data (counted on 2026-11-30), a domain label that is a link, and
    no claims; opened with UNKNOWN_VIEW in its address. Yields the page and the controls'
    values as it opened."""
    from dataclasses import replace

    from report_claims import with_claims

    from gaplens import api
    from gaplens.report.html import write_html

    domains = report_inputs.domains.copy()
    domains.loc[domains["domain"] == "maths", "label"] = LINK_LABEL
    inputs = replace(report_inputs, fit=replace(report_inputs.fit, warnings=(STALE_WARNING,)),
                     freshness=api.freshness(db=report_db, today="2026-11-30"), domains=domains)
    path = write_html(with_claims(inputs, []),
                      str(tmp_path_factory.mktemp("variant") / "variant.html"))
    pg = _open(browser, path, fragment=UNKNOWN_VIEW)
    opened = {k: pg.input_value(f"#ctl-{k}") for k in ("definition", "domain", "heat")}
    yield pg, opened
    pg.context.close()


def test_a_stale_index_fit_is_announced_on_top(variant_page):
    pg, _ = variant_page
    banner = pg.inner_text("#stale-fit")
    assert banner.startswith("The capability index is out of date.") and STALE_WARNING in banner
    assert STALE_WARNING in pg.inner_text("#warnings")


def test_data_through_and_old_data_are_stated_on_top(variant_page):
    pg, _ = variant_page
    through = pg.inner_text("#data-through")
    assert through.startswith("Data through. aa 2026-07-10 (143 days old), ")
    assert "epoch 2026-04-16 (228 days old)" in through and "counted on 2026-11-30" in through
    assert pg.inner_text("#stale-data") == ("Old data. The newest data are 143 days old "
                                            "(2026-07-10): run 'gaplens update' for current "
                                            "data, then write the report again.")
    assert "Data through" in pg.inner_text("#methods")  # the sources table's column


def test_a_domain_label_never_becomes_a_link_in_any_chart(variant_page):
    """plotly turns <a href> in chart text into a live link: every label from the data is
    escaped before it reaches a chart (the domain index axis title once was not)."""
    pg, _ = variant_page
    for domain in ("general", "maths"):
        pg.select_option("#ctl-domain", domain)
        pg.evaluate("gaplensDrawAll()")
        assert pg.locator(".main-svg a").count() == 0, domain
    title = pg.evaluate("document.getElementById('plot-index').layout.yaxis.title.text")
    assert title.startswith("&lt;a href=") and "Maths" in title
    assert LINK_LABEL in pg.text_content("#ctl-domain")
    pg.select_option("#ctl-domain", "general")
    assert pg.errors == []


# --- reading, sharing and printing (claims on the page, search, permalinks, exports) ---------

# Colour-vision deficiency, simulated as Machado, Oliveira & Fernandes (2009), severity 1.0,
# applied to linear RGB; the difference of two colours is CIE76 Delta E in CIELAB (D65).
MACHADO = {
    "protanopia": ((0.152286, 1.052583, -0.204868), (0.114503, 0.786281, 0.099216),
                   (-0.003882, -0.048116, 1.051998)),
    "deuteranopia": ((0.367322, 0.860646, -0.227968), (0.280085, 0.672501, 0.047413),
                     (-0.011820, 0.042940, 0.968881)),
}
# 15 units of Delta E 76: about six just-noticeable differences (JND ~ 2.3, Sharma 2003),
# enough for small marks that are not side by side. The least distinct pair of Okabe-Ito
# colours under either simulation is 17.0 (orange vs yellow); the old palette's green and
# red (#2ca02c, #d62728) come out at 7.3 under deuteranopia and its orange and green at 4.6.
MIN_DELTA_E = 15.0


def _linear(hex_colour: str) -> tuple[float, float, float]:
    text = hex_colour.lstrip("#")
    channels = [int(text[i:i + 2], 16) / 255 for i in (0, 2, 4)]
    return tuple(c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels)


def _lab(rgb) -> tuple[float, float, float]:
    m = ((0.4124564, 0.3575761, 0.1804375), (0.2126729, 0.7151522, 0.0721750),
         (0.0193339, 0.1191920, 0.9503041))
    xyz = [sum(m[i][j] * rgb[j] for j in range(3)) for i in range(3)]
    white = (0.95047, 1.0, 1.08883)
    f = [t ** (1 / 3) if t > (6 / 29) ** 3 else t / (3 * (6 / 29) ** 2) + 4 / 29
         for t in (xyz[i] / white[i] for i in range(3))]
    return 116 * f[1] - 16, 500 * (f[0] - f[1]), 200 * (f[1] - f[2])


def simulated(hex_colour: str, deficiency: str) -> tuple[float, float, float]:
    rgb = _linear(hex_colour)
    m = MACHADO[deficiency]
    return tuple(min(1.0, max(0.0, sum(m[i][j] * rgb[j] for j in range(3)))) for i in range(3))


def delta_e(a: str, b: str, deficiency: str) -> float:
    la, lb = _lab(simulated(a, deficiency)), _lab(simulated(b, deficiency))
    return sum((x - y) ** 2 for x, y in zip(la, lb)) ** 0.5


def too_close(colours: list[str]) -> list[tuple[str, str, str, float]]:
    """Adjacent pairs whose simulated difference is below MIN_DELTA_E."""
    out = []
    for a, b in zip(colours, colours[1:]):
        for deficiency in MACHADO:
            d = delta_e(a, b, deficiency)
            if a.lower() != b.lower() and d < MIN_DELTA_E:
                out.append((a, b, deficiency, round(d, 1)))
    return out


def test_the_contrast_check_fails_for_a_red_green_pair():
    # known answers: identical under no deficiency is 0; black/white is 100 in any case
    assert delta_e("#000000", "#ffffff", "deuteranopia") == pytest.approx(100.0, abs=0.01)
    assert too_close(["#2ca02c", "#d62728"]) == [("#2ca02c", "#d62728", "deuteranopia", 7.3)]
    old = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b"]  # before
    assert too_close(old)
    okabe_ito = ["#0072B2", "#D55E00", "#56B4E9", "#000000", "#E69F00", "#CC79A7", "#F0E442",
                 "#009E73"]
    assert too_close(okabe_ito) == []


@pytest.fixture(scope="module")
def claims_page(report_inputs, tmp_path_factory) -> str:
    """The report with the seven hand-written claims of report_claims under every
    definition."""
    from report_claims import with_claims

    from gaplens.report.html import write_html

    return write_html(with_claims(report_inputs),
                      str(tmp_path_factory.mktemp("claims") / "report.html"))


@pytest.fixture(scope="module")
def claims_loaded(browser, claims_page):
    """One loaded page of ``claims_page`` shared by the tests below (each puts back what it
    changes)."""
    pg = _open(browser, claims_page, draw_all=False)
    yield pg
    pg.context.close()


@pytest.fixture
def cpage(claims_loaded):
    _reset(claims_loaded)
    yield claims_loaded


def test_claims_are_listed_with_verdicts_in_words_and_open_their_sections(cpage, tmp_path):
    items = cpage.locator("#claims-list li")
    assert items.count() == 7
    texts = [items.nth(i).inner_text() for i in range(7)]
    assert texts[0].startswith("The gap differs by domain supported Agentic trails by 33.4")
    assert "mixed" in texts[2] and "not supported" in texts[4]
    assert "not enough data Not enough data to test this: no Artificial Analysis" in texts[6]
    verdicts = cpage.eval_on_selector_all("#claims-list li .verdict",
                                          "els => els.map(e => e.textContent)")
    assert verdicts == ["supported", "supported", "mixed", "mixed", "not supported",
                        "supported", "not enough data"]
    # each section opens with its claims
    lead = {k: cpage.inner_text(f'.claim-lead p[data-claim="{k}"]')
            for k in ("domains_differ", "one_number", "ood", "copyable", "focus_shift",
                      "use_vs_benchmarks", "lab_focus")}
    assert lead["domains_differ"].startswith("CLAIM 1") or "Claim 1" in lead["domains_differ"]
    assert cpage.locator('#headline .claim-lead p[data-claim="one_number"]').count() == 1
    assert cpage.locator('#resist .claim-lead p[data-claim="ood"]').count() == 1
    assert cpage.locator('#lifecycle .claim-lead p[data-claim="focus_shift"]').count() == 1
    assert cpage.locator('#realworld .claim-lead p[data-claim="lab_focus"]').count() == 1
    assert "Gemini 3 Pro is used far less" in lead["use_vs_benchmarks"]
    # the new section's charts: lag per benchmark by group, with the group medians
    assert rows_of(cpage, "claim-ood") == 5 and rows_of(cpage, "claim-copyable") == 4
    medians = plotted(cpage, "claim-ood", "gd.layout.shapes.map(s => s.x0)")
    assert sorted(medians) == [4.0, 12.0]  # median of 2, 4, 6 and of 10, 14
    names = plotted(cpage, "claim-copyable", "gd.data.map(t => t.name)")
    assert names == ["AA index component", "mirror of a component", "not in the index"]
    # the furthest-off models are labelled on the chart itself, not only in the hover
    labels = plotted(cpage, "claim-use_vs_benchmarks",
                     "gd.data.map(t => t.mode + ':' + t.text.join('|'))")
    assert "markers+text:o3|Gemini 3 Pro" in labels  # LMArena first, then OpenRouter
    draw(cpage, "claim-use_vs_benchmarks")
    assert "Gemini 3 Pro" in cpage.text_content("#chart-claim-use_vs_benchmarks .main-svg >> nth=0")
    lab = cpage.inner_text("#claim-lab_focus-table")
    assert "consistent with" in lab and "not detected" in lab
    assert "partial" in " ".join(plotted(cpage, "focus", "gd.layout.annotations.map(a => a.text)"))
    assert cpage.errors == []
    shot(cpage, tmp_path, "report-claims.png")


def test_no_claims_show_nothing_extra(variant_page):
    pg, opened = variant_page
    assert opened == {"definition": "open-weights", "domain": "general", "heat": "gap"}
    assert pg.locator("#claims").is_hidden()
    assert pg.locator("section#resist").count() == 0
    assert pg.locator('header.top nav a[href="#resist"]').count() == 0
    assert pg.locator(".claim-lead p").count() == 0
    assert pg.locator("#chart-claim-use_vs_benchmarks").count() == 0
    assert pg.errors == []


def _search(pg, name: str) -> None:
    pg.fill("#ctl-search", name)
    pg.dispatch_event("#ctl-search", "change")


def test_a_model_search_highlights_it_in_every_chart_that_draws_it(cpage):
    # a model drawn on the index, the factor map, the real-world residuals and the
    # over-fitting chart (found from the page's own data)
    name = cpage.evaluate("""(() => {
      const rec = t => t.rows.map(r => Object.fromEntries(t.columns.map((c, i) => [c, r[i]])));
      const D = JSON.parse(document.getElementById('gaplens-data').textContent);
      const d = D.by_definition[D.meta.default_definition];
      const target = document.getElementById('ctl-target').value;
      const split = document.getElementById('ctl-split').value;
      const ids = rows => new Set(rows.map(r => r.model_id));
      const rw = ids(rec(d.realworld.residuals).filter(r => r.signal === target));
      const of = ids(rec(d.overfit.splits.find(s => s.split === split).models));
      const fa = ids(rec(d.factors.positions));
      const counts = {};
      rec(D.index).forEach(m => counts[m.display_name] = (counts[m.display_name] || 0) + 1);
      const m = rec(D.index).filter(m => rw.has(m.model_id) && of.has(m.model_id)
        && fa.has(m.model_id) && counts[m.display_name] === 1
        && !/[<>&]/.test(m.display_name)).sort((a, b) => b.index - a.index)[0];
      return m.display_name;
    })()""")
    _search(cpage, name)
    expected = ("index", "factors", "residuals", "overfit")
    for chart in expected:
        hits = int(cpage.get_attribute(f"#chart-{chart}", "data-hits"))
        assert hits >= 1, chart
        marked = plotted(cpage, chart, "gd.data.filter(t => t.meta === 'search')"
                                       ".map(t => t.text[0])")
        assert marked and all(name in t for t in marked), chart
        dimmed = plotted(cpage, chart, "gd.data.filter(t => t.customdata && t.meta !== "
                                       "'search').map(t => t.opacity)")
        assert dimmed and all(o == 0.3 for o in dimmed), chart
    where = cpage.inner_text("#search-where")
    assert where.startswith(name + " appears in: ")
    assert cpage.locator("#search-where button[data-chart]").count() >= len(expected)
    assert "q=" in cpage.evaluate("location.hash")
    _search(cpage, "")
    assert plotted(cpage, "index", "gd.data.filter(t => t.meta === 'search').length") == 0
    assert cpage.inner_text("#search-where") == ""
    # the most extreme points are labelled directly
    assert len(plotted(cpage, "residuals", "gd.layout.annotations.filter(a => a.name === "
                                           "'extreme')")) == 6
    assert cpage.errors == []


def test_a_link_with_the_view_in_its_hash_opens_the_same_view(cpage):
    pg = cpage
    pg.select_option("#ctl-definition", "unrestricted")
    pg.select_option("#ctl-domain", "maths")
    pg.fill("#ctl-from", "2025-01-01")
    pg.dispatch_event("#ctl-from", "change")
    pg.fill("#ctl-to", "2025-12-31")
    pg.dispatch_event("#ctl-to", "change")
    _search(pg, "o3")
    pg.select_option("#ctl-heat", "lag")
    url = pg.evaluate("location.href")
    assert url.split("#")[1] == ("def=unrestricted&domain=maths&from=2025-01-01&to=2025-12-31"
                                 "&q=o3&heat=lag")
    # (the charts compared are drawn first: further down the page they are drawn lazily)
    state = """(() => [gaplensDraw('profile'), gaplensDraw('heatmap'),
      ['ctl-definition', 'ctl-domain', 'ctl-from', 'ctl-to', 'ctl-search', 'ctl-heat']
        .map(id => document.getElementById(id).value),
      document.getElementById('plot-profile').data[0].x,
      document.getElementById('plot-heatmap').data[0].z,
      document.getElementById('chart-index').dataset.rows])()"""
    before = pg.evaluate(state)
    other = pg.context.new_page()
    other.goto(url)
    _ready(other)
    assert other.evaluate(state) == before
    assert "as of 2025-12-31" in other.inner_text("#past-view")
    assert other.evaluate("location.href") == url
    other.close()
    assert pg.errors == []


def test_a_phone_never_scrolls_sideways(browser, claims_page, tmp_path):
    """Also: a chart far down the page is drawn when scrolled near, printing draws every
    chart, and a chart's rows do not wait for its drawing."""
    pg = _open(browser, claims_page, width=390, height=844, draw_all=False)
    undrawn = "Array.from(document.querySelectorAll('figure.chart:not([data-drawn])'))" \
              ".filter(f => f.querySelector('.plot').style.display !== 'none').map(f => f.id)"
    assert pg.get_attribute("#chart-profile", "data-drawn") == "true"  # the first screen
    waiting = pg.evaluate(undrawn)
    assert "chart-overfit" in waiting and rows_of(pg, "overfit") > 0
    pg.locator("#chart-overfit").scroll_into_view_if_needed()
    pg.wait_for_function("document.getElementById('chart-overfit').dataset.drawn === 'true'",
                         timeout=10000)
    assert pg.locator("#chart-overfit .main-svg").count() >= 1
    pg.evaluate("window.scrollTo(0, 0)")
    pg.emulate_media(media="print")  # (the page hears of it at its next rendering)
    pg.wait_for_function(undrawn + ".length === 0", timeout=10000)
    pg.emulate_media(media="screen")
    # back on the screen, the charts are fitted to it again (plotly resizes asynchronously)
    pg.wait_for_function("document.scrollingElement.scrollWidth <= window.innerWidth && "
                         "Array.from(document.querySelectorAll('.main-svg')).every("
                         "e => e.getBoundingClientRect().right <= window.innerWidth)",
                         timeout=10000)
    width = "[document.scrollingElement.scrollWidth, window.innerWidth]"
    scroll, inner = pg.evaluate(width)
    assert scroll <= inner
    assert pg.evaluate("document.getElementById('controls').open") is False  # collapsed
    # the gap profile stacks its two panels and shortens long domain names
    assert plotted(pg, "profile", "gd.layout.yaxis2 && gd.layout.yaxis2.domain") == [0, 0.44]
    ticks = plotted(pg, "profile", "gd.layout.yaxis.ticktext")
    assert max(len(t) for t in ticks) <= 16
    # no chart is wider than the screen
    widths = pg.eval_on_selector_all(".main-svg", "els => els.map(e => "
                                     "e.getBoundingClientRect().right)")
    assert max(widths) <= 390
    shot(pg, tmp_path, "report-phone.png")
    pg.click("#controls > summary")
    scroll, inner = pg.evaluate(width)
    assert scroll <= inner
    assert pg.errors == []
    pg.context.close()


def test_exported_images_carry_title_definition_date_and_credits(cpage):
    import base64
    import struct
    from urllib.parse import unquote

    svg = unquote(cpage.evaluate("gaplensExport('profile', 'svg')").split(",", 1)[1])
    assert svg.startswith("<svg") and 'width="1600"' in svg and 'height="900"' in svg
    text = svg.replace("&amp;", "&")
    assert "The gap profile: score gap and lag in months per domain" in text
    assert "Open means open-weights" in text and "Data as of 2026-04-16" in text
    assert "Sources: Epoch AI, 'AI Benchmarking Hub'" in text.replace("&#39;", "'")
    assert "Artificial Analysis" in text and "Made with gaplens" in text
    png = cpage.evaluate("gaplensExport('claim-ood', 'png')")
    raw = base64.b64decode(png.split(",", 1)[1])
    assert raw[:4] == b"\x89PNG" and struct.unpack(">II", raw[16:24]) == (1600, 900)
    # the page's own chart keeps no export title
    assert plotted(cpage, "profile", "gd.layout.title && gd.layout.title.text") in (None, "")


def test_adjacent_categories_stay_apart_under_simulated_colour_blindness(cpage):
    """Reads the colours each chart actually drew for its categories (in legend order)."""
    drawn = {
        "focus": "gd.data.map(t => t.marker.color)",
        "saturation": "gd.data.filter(t => t.mode === 'lines').map(t => t.line.color)",
        "index": "gd.data.filter(t => t.mode === 'markers').map(t => t.marker.color)",
        "factors": "gd.data.map(t => t.marker.color)",
        "claim-ood": "gd.data.map(t => t.marker.color)",
        "claim-copyable": "gd.data.map(t => t.marker.color)",
        "claim-use_vs_benchmarks": "gd.data.map(t => t.marker.color)",
    }
    for chart, expr in drawn.items():
        colours = [c for c in plotted(cpage, chart, expr) if isinstance(c, str)]
        assert len(colours) >= 2, chart
        assert too_close(colours) == [], chart
    cpage.select_option("#ctl-domain", "maths")  # loadings: one colour per domain on general
    cpage.select_option("#ctl-domain", "general")
    colours = plotted(cpage, "loadings", "gd.data.map(t => t.marker.color)")
    assert len(colours) >= 8 and too_close(colours) == []


def test_print_shows_the_definition_and_date_and_fits_charts_to_the_page(cpage):
    cpage.set_viewport_size({"width": 760, "height": 1000})  # about an A4 page's width
    cpage.emulate_media(media="print")
    try:
        stamp = cpage.locator("#print-stamp")
        assert stamp.is_visible()
        assert stamp.inner_text().startswith("Open means open-weights (")
        assert "data as of 2026-04-16" in stamp.inner_text()
        rule = cpage.text_content("#print-page-style")
        assert "@top-left" in rule and "data as of 2026-04-16" in rule
        assert cpage.locator("#controls").is_hidden()
        # every chart fits its figure once redrawn to the page's width (plotly resizes
        # asynchronously)
        over = """Array.from(document.querySelectorAll('figure.chart')).filter(
          f => f.querySelector('.main-svg') && f.querySelector('.main-svg')
            .getBoundingClientRect().right > f.getBoundingClientRect().right + 1).map(f => f.id)"""
        try:
            cpage.wait_for_function(over + ".length === 0", timeout=10000)
        finally:
            assert cpage.evaluate(over) == []
    finally:
        cpage.emulate_media(media="screen")
        cpage.set_viewport_size({"width": 1300, "height": 900})
