"""The interactive report: one self-contained HTML file.

The page embeds, once each: the charting library (plotly.js, from the ``plotly`` package),
the page's own script and style (``report/assets``) and the data (``payload.build``) as a
JSON block. It needs no network: open the file in any browser. The page draws every chart
from the data in the browser, so the controls (definition of "open", date window, domain)
redraw without a server.
"""

from __future__ import annotations

import html
import re
from importlib import resources

from .. import __version__
from .._util.atomic import write_text
from .inputs import ReportInputs
from .payload import build, script_json

TITLE = "How far behind are open models? A map by domain"

SECTIONS = (
    ("headline", "One number, or a map?"),
    ("since", "Since the last update"),
    ("frontiers", "Frontiers and lag over time"),
    ("resist", "Benchmarks that resist copying"),
    ("index", "The capability index"),
    ("composite", "How much the composite's weights decide"),
    ("lifecycle", "Benchmarks age"),
    ("realworld", "Benchmarks and real-world use"),
    ("cost", "What the gap costs"),
    ("countries", "Who is behind whom"),
    ("openness", "How open is \"open\""),
    ("methods", "Data and methods"),
)
# Sections drawn by their own script, ``assets/sections/<key>.js`` (registered on
# ``window.gaplensSections`` and built by report.js before the methods); a section whose
# script is absent is left out of the page and its navigation.
PART_SECTIONS = ("cost", "countries", "openness")


def _asset(name: str) -> str:
    return resources.files("gaplens.report").joinpath("assets", name).read_text("utf-8")


def _no_end_tag(code: str) -> str:
    """Script text that cannot close its ``<script>`` element early (``</script`` inside a
    string or comment; the scripts embedded here contain no such regular expression)."""
    return re.sub(r"</(script)", r"<\\/\1", code, flags=re.IGNORECASE)


# plotly.js's "cartesian" bundle (npm package plotly.js-cartesian-dist-min, MIT licence, the
# version of the full bundle in the ``plotly`` package): the trace types the page draws
# (scatter, bar, heatmap, histogram) in 1.5 MB instead of 4.6 MB. The browser spends most of
# the time before the first chart evaluating the library, about three times less for it.
PLOTLY_BUNDLE = "vendor/plotly-cartesian.min.js"


def plotly_js() -> str:
    """The plotly.js bundle embedded in the page: the vendored cartesian bundle, or the full
    bundle shipped with the ``plotly`` Python package when it is absent."""
    path = resources.files("gaplens.report").joinpath("assets", *PLOTLY_BUNDLE.split("/"))
    if path.is_file():
        return path.read_text("utf-8")
    from plotly.offline import get_plotlyjs

    return get_plotlyjs()


def _part_script(key: str) -> str | None:
    path = resources.files("gaplens.report").joinpath("assets", "sections", f"{key}.js")
    return path.read_text("utf-8") if path.is_file() else None


def render(payload: dict) -> str:
    """The page as text, for a payload from :func:`gaplens.report.payload.build`."""
    parts = {key: _part_script(key) for key in PART_SECTIONS}
    shown = [(key, title) for key, title in SECTIONS if key not in parts or parts[key] is not None]
    nav = "".join(f'<a href="#{key}">{html.escape(title)}</a>' for key, title in shown)
    script = _no_end_tag("\n".join([*(parts[k] for k, _ in shown if parts.get(k)),
                                      _asset("report.js")]))
    library = _no_end_tag(plotly_js())
    return f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="gaplens {html.escape(__version__)}">
<title>{html.escape(TITLE)}</title>
<style>{_asset("report.css")}</style>
</head>
<body>
<header class="top">
  <div class="brand">gaplens</div>
  <nav>{nav}</nav>
</header>
<details class="controls" id="controls" aria-label="Report controls" open>
<summary>View <span class="hint" id="ctl-summary"></span></summary>
<div class="row">
  <label>Open means <select id="ctl-definition"></select></label>
  <label>From <input type="date" id="ctl-from"></label>
  <label>to <input type="date" id="ctl-to"></label>
  <label>Domain <select id="ctl-domain"></select></label>
  <label>Model <input type="search" id="ctl-search" list="model-names" placeholder="name a model"
    autocomplete="off" spellcheck="false"></label>
  <datalist id="model-names"></datalist>
  <button type="button" id="ctl-reset">Reset</button>
  <span class="hint" id="ctl-hint"></span>
</div>
<div class="where" id="search-where" aria-live="polite"></div>
</details>
<div id="print-stamp" class="print-only"></div>
<main id="report">
  <noscript><p class="warn">This report draws its charts with JavaScript; please enable
  it. The data are in the JSON block at the end of the file.</p></noscript>
</main>
<footer>Made with gaplens {html.escape(__version__)}. Charts drawn with plotly.js
(MIT licence). Data credits are listed under <a href="#methods">Data and methods</a>.</footer>
<script id="gaplens-data" type="application/json">{script_json(payload)}</script>
<script>{library}</script>
<script>{script}</script>
</body>
</html>
"""


def write_html(inputs: ReportInputs, path: str) -> str:
    """Write the page atomically (a fresh temporary file renamed into place, replacing a
    link planted at ``path`` rather than writing through it); returns the path."""
    return write_text(path, render(build(inputs)))
