"""Rich terminal tables that fit an 80-column terminal."""

from __future__ import annotations

import pandas as pd
from rich import box
from rich.table import Table
from rich.text import Text

from .formatting import fmt, fmt_ci, month_of

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


def gap_table(result) -> Table:
    """Two lines per row: estimates above, 90 % intervals (or dates) below."""
    s = result.settings
    by_domain = s.by == "domain"
    title = (f"Open vs closed as of {s.as_of} · open = {s.open_definition.value} · "
             f"{int(s.ci * 100)}% intervals, {s.n_draws} draws")
    table = Table(title=title, box=box.SIMPLE_HEAD, title_justify="left", pad_edge=False,
                  padding=(0, 1), collapse_padding=True, expand=False)
    table.add_column("Domain" if by_domain else "Benchmark", overflow="fold", max_width=13)
    table.add_column("Best closed", overflow="fold", max_width=13)
    table.add_column("Best open", overflow="fold", max_width=13)
    for name in ("Gap", "Lag mo", "Thr mo", "12mo Δ"):
        table.add_column(name, justify="right", no_wrap=True, min_width=7)
    for row in result.table.to_dict(orient="records"):
        name = row["label"] if by_domain and isinstance(row.get("label"), str) else row["key"]
        if row["status"] == "too_few_models":
            table.add_row(Text(name, style="bold"), Text(row["note"], style="dim"), "", "", "",
                          "", "", end_section=True)
            continue
        closed = (f"{row['closed_model']}\n{month_of(row['closed_release_date'])} "
                  f"{fmt(row['closed_level'])}")
        open_ = (f"{row['open_model']}\n{month_of(row['open_release_date'])} "
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
        table.add_row(label, closed, open_, gap, lag, thr, change, end_section=True)
    return table


def gap_footer(result) -> list[str]:
    s = result.settings
    lines = [
        "Gap: best closed minus best open score in normalised points (0-100). Lag mo: months "
        "since closed models first reached the open frontier's level (horizontal distance). "
        "Thr. mo: median threshold-crossing lag (≥: half or more censored, open not there "
        f"yet). 12mo Δ: change of the lag over {s.window_months} months. "
        "Xb Yo/Zc: benchmarks, open and closed models. Domain leaders hold the most "
        "benchmark frontiers; their scores are the domain's mean frontier levels. "
        "Intervals: scores redrawn by their standard errors (basic for the gap, percentile "
        "for lags); *: widened to reach its estimate. "
        f"Stale since: no result of a model released in the {s.recent_months} months to "
        f"{s.as_of}; the row is its last map, as of that month, and stays out of the "
        "current picture.",
        s.open_definition.description + ".",
    ]
    return lines + [f"warning: {w}" for w in result.warnings]


def frame_table(frame: pd.DataFrame, columns: list[str], title: str | None = None,
                max_rows: int | None = None) -> Table:
    table = Table(title=title, box=box.SIMPLE_HEAD, title_justify="left", pad_edge=False)
    for c in columns:
        table.add_column(c, overflow="fold")
    shown = frame if max_rows is None else frame.head(max_rows)
    for row in shown[columns].itertuples(index=False):
        cells = []
        for v in row:
            if isinstance(v, float):
                cells.append("" if pd.isna(v) else f"{v:.4g}")
            elif isinstance(v, pd.Timestamp):
                cells.append(v.strftime("%Y-%m-%d"))
            elif v is None or v is pd.NA or (not isinstance(v, str) and pd.isna(v)):
                cells.append("")
            else:
                cells.append(str(v))
        table.add_row(*cells)
    return table


def index_table(frame: pd.DataFrame, title: str, top: int | None = None) -> Table:
    """Models with their index and interval (general or domain)."""
    table = Table(title=title, box=box.SIMPLE_HEAD, title_justify="left", pad_edge=False,
                  padding=(0, 1))
    table.add_column("Model", overflow="fold", max_width=24)
    table.add_column("Organization", overflow="fold", max_width=14)
    table.add_column("Released", no_wrap=True)
    table.add_column("Group", no_wrap=True)
    table.add_column("Index", justify="right", no_wrap=True)
    table.add_column("90% interval", justify="right", no_wrap=True)
    table.add_column("n", justify="right")
    shown = frame if top is None else frame.head(top)
    for row in shown.to_dict(orient="records"):
        group = row.get("group") or "–"
        name = Text(str(row["model_id"]))
        if row.get("at_bound"):
            name.append(" (bound)", style="yellow")
        if row.get("is_anchor"):
            name.append(" (anchor)", style="dim")
        table.add_row(name, str(row.get("organization") or ""), month_of(row["release_date"]),
                      group, fmt(row["index"]), fmt_ci(row["index_ci_low"], row["index_ci_high"]),
                      str(row["n_benchmarks"]))
    return table


def index_gap_table(result) -> Table:
    s = result.settings
    title = (f"Gap on the capability index as of {s.as_of} · open = {s.open_definition} · "
             f"{int(s.ci * 100)}% intervals from the fit's bootstrap")
    table = Table(title=title, box=box.SIMPLE_HEAD, title_justify="left", pad_edge=False,
                  padding=(0, 1), collapse_padding=True)
    table.add_column("Index", overflow="fold", max_width=12)
    table.add_column("Best closed", overflow="fold", max_width=14)
    table.add_column("Best open", overflow="fold", max_width=14)
    table.add_column("Gap pts", justify="right", no_wrap=True)
    table.add_column("Lag mo", justify="right", no_wrap=True)
    table.add_column("Sig. mo", justify="right", no_wrap=True)
    windows = list(s.windows)
    for w in windows:
        table.add_column(f"{w}mo mean", justify="right", no_wrap=True)
    for row in result.table.to_dict(orient="records"):
        label = Text(row["scope"], style="bold")
        label.append(f"\n{row['n_open']}o/{row['n_closed']}c", style="dim")
        cells = [label,
                 f"{row['closed_leader']}\n{fmt(row['closed_level'])}",
                 f"{row['open_leader']}\n{fmt(row['open_level'])}",
                 f"{fmt(row['gap'])}\n{fmt_ci(row['gap_ci_low'], row['gap_ci_high'], 0, ',')}",
                 f"{fmt(row['lag_months'])}\n"
                 f"{fmt_ci(row['lag_months_ci_low'], row['lag_months_ci_high'], 0, ',')}",
                 fmt(row["lag_sig_months"])]
        for w in windows:
            cells.append(f"{fmt(row[f'mean_lag_{w}m'])}\n"
                         f"{fmt_ci(row[f'mean_lag_{w}m_ci_low'], row[f'mean_lag_{w}m_ci_high'], 0, ',')}")
        table.add_row(*cells, end_section=True)
    return table


INDEX_GAP_FOOTER = (
    "Gap pts: best closed minus best open on the index (general: Claude 3.5 Sonnet = 130, "
    "GPT-5 = 150; domains: projected on the same scale). Lag mo: months since closed models "
    "first reached the open frontier's level. Sig. mo: the same, counting a closed level as "
    "reached once the open leader is not significantly below it (Epoch's variant). "
    "Nmo mean: the lag averaged over the last N months. Intervals: the fit's bootstrap; the "
    "set of models is held fixed.")


def prediction_table(frame: pd.DataFrame, title: str) -> Table:
    """Expected scores with intervals, observed scores and residuals (normalised points)."""
    table = Table(title=title, box=box.SIMPLE_HEAD, title_justify="left", pad_edge=False,
                  padding=(0, 1))
    table.add_column("Benchmark", overflow="fold", max_width=28)
    table.add_column("Domain", overflow="fold", max_width=12)
    table.add_column("Expected", justify="right", no_wrap=True)
    table.add_column("90% interval", justify="right", no_wrap=True)
    table.add_column("Observed", justify="right", no_wrap=True)
    table.add_column("Resid.", justify="right", no_wrap=True)
    table.add_column("RMSE", justify="right", no_wrap=True)
    for row in frame.to_dict(orient="records"):
        table.add_row(str(row["benchmark"]), str(row["domain"]), fmt(row["expected"]),
                      fmt_ci(row["expected_ci_low"], row["expected_ci_high"]),
                      fmt(row["observed"]), fmt(row["residual"], signed=True),
                      fmt(row["benchmark_rmse"]))
    return table


def benchmark_fit_table(frame: pd.DataFrame, title: str) -> Table:
    """Difficulty on the index scale (EDI) with its interval, and slope, per benchmark."""
    table = Table(title=title, box=box.SIMPLE_HEAD, title_justify="left", pad_edge=False,
                  padding=(0, 1))
    table.add_column("Benchmark", overflow="fold", max_width=30)
    table.add_column("Domain", overflow="fold", max_width=15)
    table.add_column("Models", justify="right")
    table.add_column("EDI", justify="right", no_wrap=True)
    table.add_column("90% interval", justify="right", no_wrap=True)
    table.add_column("Slope", justify="right", no_wrap=True)
    for row in frame.to_dict(orient="records"):
        name = Text(str(row["benchmark"]))
        if row.get("is_anchor"):
            name.append(" (anchor)", style="dim")
        table.add_row(name, str(row["domain"]), str(row["n_models"]), fmt(row["edi"]),
                      fmt_ci(row["edi_ci_low"], row["edi_ci_high"]),
                      fmt(row["slope_scaled"], digits=3))
    return table
