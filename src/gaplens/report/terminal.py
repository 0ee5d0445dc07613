"""Rich terminal tables that fit an 80-column terminal."""

from __future__ import annotations

import math
import re

import pandas as pd
from rich import box
from rich.console import Console
from rich.measure import Measurement
from rich.table import Table
from rich.text import Text

from .._util.inert import plain
from .formatting import fmt, fmt_ci, month_of


class SafeConsole(Console):
    """A console on which text is text: no markup, no emoji codes, and every string drawn
    loses its escape sequences and control characters (line feeds kept), whether it comes
    from a name in the data or from a table cell. Styles are given as ``style=`` or
    ``Text`` spans, never as ``[markup]`` inside strings."""

    def __init__(self, **options) -> None:
        options.setdefault("markup", False)
        options.setdefault("emoji", False)
        super().__init__(**options)

    def render_str(self, text: str, **options) -> Text:
        return super().render_str(plain(text, lines=True), **options)

#: Accessibility classes as narrow tables show them (ACCESS_LEGEND spells them out).
ACCESS_SHORT = {
    "API access": "API",
    "Hosted access (no API)": "hosted",
    "Open weights (unrestricted)": "open",
    "Open weights (restricted use)": "open-ru",
    "Open weights (non-commercial)": "open-nc",
    "Open weights (licence unspecified)": "open-?",
    "Closed weights (unspecified)": "closed-?",
    "Unreleased": "unrel.",
    "Unknown": "?",
}
ACCESS_LEGEND = ("access: API = API access, hosted = hosted (no API), open = open weights "
                 "(unrestricted), open-ru = restricted use, open-nc = non-commercial, open-? "
                 "= licence unspecified, closed-? = closed (unspecified), unrel. = "
                 "unreleased, ? = unknown.")


def short_access(value) -> str:
    """An accessibility class in a few letters (unknown text is kept as it is)."""
    return ACCESS_SHORT.get(value, value) if isinstance(value, str) else value


STATUS_TEXT = {
    "open_behind": "",
    "open_ahead": "open ahead",
    "level": "level",
    "no_lag": "no lag",
    "too_few_models": "too few models",
    "no_current_evidence": "stale since",
}


def _ci(low, high) -> str:
    return fmt_ci(low, high, digits=0, sep=",")


def _name_widths(width: int | None, base: int, n: int, most: int) -> int:
    """Width of each of ``n`` name columns: ``base`` at 80 columns, and a share of every
    column beyond 80 (up to ``most``) on a wider console."""
    extra = max(0, (width or 80) - 80) // n
    return min(base + extra, most)


def gap_table(result, width: int | None = None) -> Table:
    """Two lines per row: estimates above, 90 % intervals (or dates) below. Names wrap at
    spaces (a word too long for its column ends in "…"); a console wider than 80 columns
    gives the names its extra width."""
    s = result.settings
    by_domain = s.by == "domain"
    title = (f"Open vs closed as of {s.as_of} · open = {s.open_definition.value} · "
             f"{int(s.ci * 100)}% intervals, {s.n_draws} draws")
    table = Table(title=title, box=box.SIMPLE_HEAD, title_justify="left", pad_edge=False,
                  padding=(0, 1), collapse_padding=True, expand=False)
    names = _name_widths(width, 13, 3, 30)
    table.add_column("Domain" if by_domain else "Benchmark", overflow="ellipsis",
                     max_width=names)
    table.add_column("Best closed", overflow="ellipsis", max_width=names)
    table.add_column("Best open", overflow="ellipsis", max_width=names)
    for name in ("Gap", "Lag mo", "Thr mo", "12mo Δ"):
        table.add_column(name, justify="right", no_wrap=True, min_width=7)
    for row in result.table.to_dict(orient="records"):
        name = plain(row["label"] if by_domain and isinstance(row.get("label"), str)
                     else row["key"])
        if row["status"] == "too_few_models":
            table.add_row(Text(name, style="bold"), Text(plain(row["note"]), style="dim"), "", "", "",
                          "", "", end_section=True)
            continue
        closed = (f"{plain(row['closed_model'])}\n{month_of(row['closed_release_date'])} "
                  f"{fmt(row['closed_level'])}")
        open_ = (f"{plain(row['open_model'])}\n{month_of(row['open_release_date'])} "
                 f"{fmt(row['open_level'])}")
        widened = str(row.get("ci_widened") or "").split("; ")

        def ci(key: str, low: str, high: str) -> str:
            return _ci(row[low], row[high]) + ("*" if key in widened else "")

        gap = f"{fmt(row['gap'])}\n{ci('gap', 'gap_ci_low', 'gap_ci_high')}"
        lag = (f"{fmt(row['lag_months'])}\n"
               f"{ci('lag_months', 'lag_months_ci_low', 'lag_months_ci_high')}")
        censored = row.get("censored_share")
        mark = "≥" if censored is not None and not pd.isna(censored) and censored >= 0.5 else ""
        thr = (f"{mark}{fmt(row['lag_threshold_months'])}\n"
               + ci("lag_threshold_months", "lag_threshold_months_ci_low",
                    "lag_threshold_months_ci_high"))
        change = (f"{fmt(row['lag_change_months'], signed=True)}\n"
                  f"{ci('lag_change', 'lag_change_ci_low', 'lag_change_ci_high')}")
        label = Text(name, style="bold")
        extra = STATUS_TEXT.get(row["status"], row["status"])
        if row["status"] == "no_current_evidence":
            extra = f"{extra} {month_of(row.get('data_through'))}"
        n = f"{row['n_benchmarks']}b " if by_domain else ""
        label.append(f"\n{n}{row['n_open']}o/{row['n_closed']}c", style="dim")
        if extra:
            label.append(f"\n{extra}", style="yellow")
        if row.get("coverage_limited") is True:
            label.append(f"\n{COVERAGE_MARK} coverage" + (
                f" {row.get('n_coverage_limited')}b" if by_domain else ""), style="yellow")
        table.add_row(label, closed, open_, gap, lag, thr, change, end_section=True)
    return table


COVERAGE_MARK = "†"
COVERAGE_FOOTNOTE = (
    f"{COVERAGE_MARK} coverage (Nb: benchmarks): coverage-limited, open models stronger on "
    "the index or newer than those evaluated have no result there, so the open frontier may "
    "reflect missing evaluations rather than missing capability ('gaplens coverage' names "
    "them, with the index's expected scores).")


def gap_footer(result) -> list[str]:
    s = result.settings
    lines = [
        "Gap: best closed minus best open score in normalised points (0-100). Lag mo: months "
        "since closed models first reached the open frontier's level (horizontal distance). "
        "Thr. mo: median threshold-crossing lag (≥: half or more censored, open not there "
        f"yet). 12mo Δ: change of the lag over {s.window_months} months. "
        "Xb Yo/Zc: benchmarks, open and closed models. Domain leaders hold the most "
        "benchmark frontiers; their scores are the domain's mean frontier levels. "
        "Intervals: scores redrawn by their standard errors (spread for the gap, percentile "
        "for lags); *: widened to reach its estimate. "
        f"Stale since: no result of a model released in the {s.recent_months} months to "
        f"{s.as_of}; the row is its last map, as of that month, and stays out of the "
        "current picture.",
        s.open_definition.description + ".",
    ]
    if "coverage_limited" in result.table and result.table["coverage_limited"].any():
        lines.append(COVERAGE_FOOTNOTE)
    return lines  # the warnings go to stderr (result.warnings)


def _cell(v) -> str:
    if isinstance(v, float):
        return "" if pd.isna(v) else f"{v:.4g}"
    if isinstance(v, pd.Timestamp):
        return v.strftime("%Y-%m-%d")
    if v is None or v is pd.NA or (not isinstance(v, str) and pd.isna(v)):
        return ""
    return plain(v)


_NUMBER = re.compile(r"[-+–<>≥\d.,%\[\] ]*")


def _longest_word(text: str) -> int:
    return max((len(w) for w in text.split()), default=0)


def fits(table: Table, width: int | None) -> bool:
    """Whether ``table`` is drawn within ``width`` columns without shrinking a column."""
    if width is None:
        return True
    console = Console(width=10_000, markup=False, emoji=False)
    return Measurement.get(console, console.options, table).maximum <= width


def frame_table(frame: pd.DataFrame, columns: list[str], title: str | None = None,
                max_rows: int | None = None, *, headers: dict[str, str] | None = None,
                optional: tuple[str, ...] = (), width: int | None = None,
                name_width: int = 26) -> Table:
    """A terminal table of ``columns`` that never breaks a word across lines: headers
    (``headers``: short labels, the caller prints their legend) keep their longest word
    whole, text wraps at spaces only and a word longer than its column ends in "…",
    numbers and dates stay on one line; the first column (the row's name) is at most
    ``name_width`` wide. The ``optional`` columns are dropped, the last first, until the
    table fits ``width`` (None: keep all)."""
    headers = headers or {}
    shown = frame if max_rows is None else frame.head(max_rows)
    cells = {c: [_cell(v) for v in shown[c].tolist()] for c in columns}

    def build(keep: list[str], cap: int | None) -> Table:
        table = Table(title=title, box=box.SIMPLE_HEAD, title_justify="left", pad_edge=False,
                      padding=(0, 1), collapse_padding=True)
        for c in keep:
            label = headers.get(c, c)
            one_word = all(_longest_word(v) == len(v) for v in cells[c])
            number = pd.api.types.is_numeric_dtype(shown[c]) or all(
                _NUMBER.fullmatch(v) for v in cells[c])
            first = c == keep[0]
            table.add_column(label, overflow="ellipsis", no_wrap=one_word and not first,
                             justify="right" if number else "left",
                             min_width=_longest_word(label),
                             max_width=cap if first else None if number else name_width)
        for i in range(len(shown)):
            table.add_row(*[cells[c][i] for c in keep])
        return table

    # Whole names with every column, then whole names with fewer columns, then names
    # capped at name_width with every column, then with fewer.
    for cap in (None, name_width):
        keep = list(columns)
        drop = [c for c in reversed(columns) if c in optional]
        while True:
            table = build(keep, cap)
            if fits(table, width):
                return table
            if not drop:
                break
            keep.remove(drop.pop(0))
    return table


def index_table(frame: pd.DataFrame, title: str, top: int | None = None,
                width: int | None = None) -> Table:
    """Models with their index and interval (general or domain); a console wider than 80
    columns gives the names its extra width."""
    table = Table(title=title, box=box.SIMPLE_HEAD, title_justify="left", pad_edge=False,
                  padding=(0, 1), collapse_padding=True)
    table.add_column("Model", overflow="ellipsis", max_width=_name_widths(width, 23, 2, 45))
    table.add_column("Organization", overflow="ellipsis",
                     max_width=_name_widths(width, 12, 2, 30))
    table.add_column("Released", no_wrap=True)
    table.add_column("Group", no_wrap=True)
    table.add_column("Index", justify="right", no_wrap=True)
    table.add_column("90% int.", justify="right", no_wrap=True)
    table.add_column("n", justify="right")
    shown = frame if top is None else frame.head(top)
    for row in shown.to_dict(orient="records"):
        group = _name(row.get("group"))  # missing: NaN in a frame, never truthy text
        name = Text(plain(row["model_id"]))
        if row.get("at_bound"):
            name.append(" (bound)", style="yellow")
        if row.get("is_anchor"):
            name.append(" (anchor)", style="dim")
        table.add_row(name, plain(_name(row.get("organization"))), month_of(row["release_date"]),
                      group, fmt(row["index"]), fmt_ci(row["index_ci_low"], row["index_ci_high"]),
                      str(row["n_benchmarks"]))
    return table


def _outward(low, high) -> str:
    """``[low,high]`` rounded outwards to whole numbers (so it still contains the estimate)."""
    if low is None or high is None or pd.isna(low) or pd.isna(high):
        return ""
    return f"[{math.floor(low + 1e-9):.0f},{math.ceil(high - 1e-9):.0f}]"


_INDEX_LAGS = (("plain", "lag_months", "mean_lag_{w}m"),
               ("sig.", "lag_sig_months", "mean_lag_sig_{w}m"),
               ("thr.", "lag_threshold_months", "mean_lag_threshold_{w}m"))


def index_gap_table(result) -> Table:
    """One block of three lines per index: plain, significance and threshold lags."""
    s = result.settings
    title = (f"Gap on the capability index as of {s.as_of} · open = {s.open_definition} · "
             f"{int(s.ci * 100)}% intervals from the fit's bootstrap")
    table = Table(title=title, box=box.SIMPLE_HEAD, title_justify="left", pad_edge=False,
                  padding=(0, 1), collapse_padding=True)
    table.add_column("Index", overflow="ellipsis", max_width=14)
    table.add_column("Closed / open / gap pts", overflow="ellipsis", max_width=24)
    table.add_column("Lag", no_wrap=True)
    table.add_column("Now mo", justify="right", no_wrap=True)
    windows = list(s.windows)
    for w in windows:
        table.add_column(f"{w}mo mean", justify="right", no_wrap=True)
    for row in result.table.to_dict(orient="records"):
        label = Text(plain(_spaced(row["scope"])), style="bold")
        counts = Text(f"{row['n_open']}o/{row['n_closed']}c", style="dim")
        if row.get("status") == "too_few_models":
            table.add_row(label, Text("too few models for a number", style="dim"),
                          *[""] * (2 + len(windows)))
            table.add_row(counts, "", *[""] * (2 + len(windows)), end_section=True)
            continue
        first = [[label, f"{plain(row['closed_leader'])} {fmt(row['closed_level'])}"],
                 [counts, f"{plain(row['open_leader'])} {fmt(row['open_level'])}"],
                 ["", f"gap {fmt(row['gap'])} {_outward(row['gap_ci_low'], row['gap_ci_high'])}"]]
        for j, (name, now, mean) in enumerate(_INDEX_LAGS):
            cells = first[j] + [name, f"{fmt(row[now])} "
                                      f"{_outward(row[f'{now}_ci_low'], row[f'{now}_ci_high'])}"]
            for w in windows:
                key = mean.format(w=w)
                cells.append(f"{fmt(row[key])} "
                             f"{_outward(row[f'{key}_ci_low'], row[f'{key}_ci_high'])}")
            table.add_row(*cells, end_section=j == 2)
    return table


INDEX_GAP_FOOTER = (
    "Gap pts: best closed minus best open on the index (general: Claude 3.5 Sonnet = 130, "
    "GPT-5 = 150; domains: projected on the same scale). Lag, in months (negative: open "
    "ahead): plain = since closed models first reached the open frontier's level; sig. = "
    "the same, counting a closed level as reached while the open leader is not "
    "significantly below it (Epoch's rule, never longer than plain); thr. = how much later "
    "open than closed reached a level (Ihle's threshold crossing; now: the open frontier's "
    "level; window: every level first reached in the window, not-yet-reached ones at their "
    "bound). Nmo mean: over the last N months. Intervals: the fit's bootstrap on the "
    "central frontier-setting models; the set of models is held fixed. docs/index.md "
    "relates these to Epoch's and Ihle's published months.")


def prediction_table(frame: pd.DataFrame, title: str) -> Table:
    """Expected scores with intervals, observed scores and residuals (normalised points)."""
    table = Table(title=title, box=box.SIMPLE_HEAD, title_justify="left", pad_edge=False,
                  padding=(0, 1), collapse_padding=True)
    table.add_column("Benchmark", overflow="ellipsis", max_width=28)
    table.add_column("Domain", overflow="ellipsis", max_width=15)
    table.add_column("Exp.", justify="right", no_wrap=True)
    table.add_column("90% int.", justify="right", no_wrap=True)
    table.add_column("Obs.", justify="right", no_wrap=True)
    table.add_column("Resid.", justify="right", no_wrap=True)
    table.add_column("RMSE", justify="right", no_wrap=True)
    for row in frame.to_dict(orient="records"):
        table.add_row(plain(row["benchmark"]), plain(_spaced(row["domain"])), fmt(row["expected"]),
                      fmt_ci(row["expected_ci_low"], row["expected_ci_high"]),
                      fmt(row["observed"]), fmt(row["residual"], signed=True),
                      fmt(row["benchmark_rmse"]))
    return table


def benchmark_fit_table(frame: pd.DataFrame, title: str) -> Table:
    """Difficulty on the index scale (EDI) with its interval, and slope, per benchmark."""
    table = Table(title=title, box=box.SIMPLE_HEAD, title_justify="left", pad_edge=False,
                  padding=(0, 1), collapse_padding=True)
    table.add_column("Benchmark", overflow="ellipsis", max_width=30)
    table.add_column("Domain", overflow="ellipsis", max_width=15)
    table.add_column("Models", justify="right")
    table.add_column("EDI", justify="right", no_wrap=True)
    table.add_column("90% int.", justify="right", no_wrap=True)
    table.add_column("Slope", justify="right", no_wrap=True)
    for row in frame.to_dict(orient="records"):
        name = Text(plain(row["benchmark"]))
        if row.get("is_anchor"):
            name.append(" (anchor)", style="dim")
        table.add_row(name, plain(_spaced(row["domain"])), str(row["n_models"]), fmt(row["edi"]),
                      fmt_ci(row["edi_ci_low"], row["edi_ci_high"]),
                      fmt(row["slope_scaled"], digits=3))
    return table


def _text(*parts) -> Text:
    """Cells built from data as plain text (names from imported files are never markup)."""
    out = Text()
    for part, style in parts:
        if isinstance(part, str):  # a name, or a second line of ours opened by "\n"
            text = "\n" + plain(part[1:]) if part.startswith("\n") else plain(part)
        else:
            text = "" if part is None or pd.isna(part) else plain(part)
        out.append(text, style=style)
    return out


def _spaced(value):
    """A key such as ``novel_reasoning`` with spaces, so a narrow column wraps it between
    words instead of cutting it."""
    return value.replace("_", " ") if isinstance(value, str) else value


def _name(value) -> str:
    return value if isinstance(value, str) and value else "–"


def coverage_table(result, width: int | None = None) -> Table:
    """Coverage per benchmark or per domain: counts, newest models, the observed open
    frontier and, apart, the index's expected score of the strongest unevaluated open model."""
    s = result.settings
    title = (f"Coverage as of {s.as_of} · open = {s.open_definition.value} · window: "
             f"{s.recent_months} months (since {s.window_start})")
    table = Table(title=title, box=box.SIMPLE_HEAD, title_justify="left", pad_edge=False,
                  padding=(0, 1), collapse_padding=True)
    if s.by == "domain":
        names = _name_widths(width, 14, 4, 30)
        table.add_column("Domain", overflow="ellipsis", max_width=names)
        table.add_column("In window\nall time", no_wrap=True)
        table.add_column("Newest open", overflow="ellipsis", max_width=names)
        table.add_column("Newest closed", overflow="ellipsis", max_width=names)
        table.add_column(f"{COVERAGE_MARK} Coverage-limited", overflow="ellipsis",
                         max_width=names + 8)
        for row in result.domains.to_dict(orient="records"):
            table.add_row(
                _text((row["label"] if isinstance(row["label"], str) else row["key"], "bold"),
                      (f"\n{row['n_benchmarks']} benchmark"
                       + ("s" if row["n_benchmarks"] != 1 else ""), "dim")),
                f"{row['n_open_recent']}o/{row['n_closed_recent']}c\n"
                f"{row['n_open']}o/{row['n_closed']}c",
                _text((_name(row["newest_open_model"]), ""),
                      (f"\n{month_of(row['newest_open_release_date'])}", "dim")),
                _text((_name(row["newest_closed_model"]), ""),
                      (f"\n{month_of(row['newest_closed_release_date'])}", "dim")),
                _text((f"{row['n_coverage_limited']} of {row['n_benchmarks']}"
                       + (": " if row["coverage_limited"] else ""), "yellow"),
                      (row["coverage_limited_benchmarks"], "")),
                end_section=True)
        return table
    names = _name_widths(width, 13, 4, 30)
    table.add_column("Benchmark", overflow="ellipsis", max_width=names + 1)
    table.add_column("Window\nall", no_wrap=True)
    table.add_column("Newest open", overflow="ellipsis", max_width=names)
    table.add_column("Open frontier\n(observed)", overflow="ellipsis", max_width=names)
    table.add_column("Expected, not\nevaluated", overflow="ellipsis", max_width=names)
    table.add_column("90% interval", justify="right", no_wrap=True)
    for row in result.benchmarks.to_dict(orient="records"):
        label = _text((row["benchmark"], "bold"))
        if row["coverage_limited"]:
            label.append(f"\n{COVERAGE_MARK} coverage", style="yellow")
        expected = (_text((row["expected_open_model"], ""),
                          (f"\n{fmt(row['expected_open_score'])}", ""))
                    if isinstance(row["expected_open_model"], str)
                    else _text(("–", "dim")))
        observed = (_text((row["observed_open_model"], ""),
                          (f"\n{month_of(row['observed_open_release_date'])} "
                           f"{fmt(row['observed_open_score'])}", ""))
                    if isinstance(row["observed_open_model"], str) else _text(("none", "dim")))
        table.add_row(
            label,
            f"{row['n_open_recent']}o/{row['n_closed_recent']}c\n"
            f"{row['n_open']}o/{row['n_closed']}c",
            _text((_name(row["newest_open_model"]), ""),
                  (f"\n{month_of(row['newest_open_release_date'])}", "dim")),
            observed, expected,
            fmt_ci(row["expected_open_ci_low"], row["expected_open_ci_high"]),
            end_section=True)
    return table


def coverage_footer(result) -> list[str]:
    s = result.settings
    ci = int(round((result.index_ci or 0.9) * 100))
    lines = [
        f"Window / all: open (o) and closed (c) models evaluated, released in the last "
        f"{s.recent_months} months / by {s.as_of}. Open frontier: the best open score "
        "observed (normalised points, 0-100). Expected, not evaluated: the capability "
        "index's expected score of the strongest open model with no result there, with its "
        f"{ci}% interval (parameter uncertainty); it is not part of the observed frontier or "
        "of the gap.",
        f"{COVERAGE_MARK} coverage: coverage-limited, open models stronger on the index than "
        "any evaluated there are expected to score above the observed open frontier, or open "
        "coverage stopped before the window while closed coverage did not (coverage_reason "
        "in --format json names the models).",
    ]
    if result.index_note:
        lines.append(result.index_note)
    return lines  # the warnings go to stderr (result.warnings)


PUBLISHED_LAG_FOOTER = (
    "AA's published Intelligence Index per snapshot, read with gaplens gap's estimators: gap in "
    "AA index points, lags in months, 90 % intervals below (score noise of a default 2 points "
    "per model: AA publishes none). Values marked estimated by AA are left out.")


def published_lag_table(result) -> Table:
    """One row per snapshot: leaders, gap and the two lags, intervals on a second line."""
    table = Table(box=box.SIMPLE_HEAD, pad_edge=False, expand=False,
                  title=f"The one number, read like the map ({result.settings.open_definition.value})")
    table.add_column("Snapshot", no_wrap=True)
    table.add_column("Best closed", max_width=18, overflow="ellipsis")
    table.add_column("Best open", max_width=18, overflow="ellipsis")
    table.add_column("Gap", justify="right", no_wrap=True)
    table.add_column("Lag mo", justify="right", no_wrap=True)
    table.add_column("Thr mo", justify="right", no_wrap=True)
    for row in result.table.itertuples():
        counts = f"{row.n_open}o/{row.n_closed}c"
        if row.status == "too_few_models":
            table.add_row(_text((str(row.snapshot), None), ("\n" + counts, "dim")), "", "",
                          "", "", "")
            continue
        table.add_row(
            _text((str(row.snapshot), None), ("\n" + counts, "dim")),
            _text((_name(row.closed_model), None), (f" {fmt(row.closed_level)}", "dim")),
            _text((_name(row.open_model), None), (f" {fmt(row.open_level)}", "dim")),
            f"{fmt(row.gap)}\n{_ci(row.gap_ci_low, row.gap_ci_high)}",
            f"{fmt(row.lag_months)}\n{_ci(row.lag_months_ci_low, row.lag_months_ci_high)}",
            f"{fmt(row.lag_threshold_months)}\n"
            f"{_ci(row.lag_threshold_months_ci_low, row.lag_threshold_months_ci_high)}")
    return table
