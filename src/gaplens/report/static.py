"""The static report: a Markdown summary, CSV/JSON data and PNG/SVG charts in a folder.

Charts (matplotlib, drawn off-screen):
- ``gap_by_domain.png``: score gap and lag in months per domain, with intervals;
- ``frontiers_<domain>.png`` (and ``.svg``): open and closed running-best frontiers over
  release date for each benchmark of a domain.
"""

from __future__ import annotations

import math
import os
import re
import shutil

import pandas as pd

from .. import __version__
from .._util.atomic import open_atomic, replace_dir
from .._util.inert import md_text, plain
from ..errors import ConfigError
from ..ingest.bundled import EPOCH_CREDIT
from .formatting import document_meta, fmt, fmt_ci, frame_csv, gap_json, month_of

CLOSED_COLOUR = "#1f4e79"
OPEN_COLOUR = "#d95f02"


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "_", text.lower()).strip("_")


def _pyplot():
    import matplotlib

    matplotlib.use("Agg", force=True)
    import matplotlib.pyplot as plt

    return plt


def gap_chart(table: pd.DataFrame, path: str, title: str) -> None:
    """Dot-and-whisker: gap (points) and lag (months) per domain."""
    plt = _pyplot()
    rows = table.loc[table["status"] != "too_few_models"].iloc[::-1]
    # names from data: one line, no control characters, never read as mathtext ($...$)
    labels = [plain(r if isinstance(r, str) else k) for r, k in zip(rows["label"], rows["key"])]
    fig, axes = plt.subplots(1, 2, figsize=(10, 0.45 * len(rows) + 1.6), sharey=True)
    y = range(len(rows))
    for ax, (column, low, high, xlabel) in zip(axes, [
        ("gap", "gap_ci_low", "gap_ci_high", "Gap: best closed − best open (points, 0-100)"),
        ("lag_months", "lag_months_ci_low", "lag_months_ci_high", "Lag (months)"),
    ]):
        est = rows[column].to_numpy(dtype=float)
        lo = rows[low].to_numpy(dtype=float)
        hi = rows[high].to_numpy(dtype=float)
        ax.hlines(list(y), lo, hi, color="#999999", linewidth=2)
        ax.plot(est, list(y), "o", color=CLOSED_COLOUR)
        ax.axvline(0, color="#444444", linewidth=0.8)
        ax.set_xlabel(xlabel)
        ax.grid(axis="x", alpha=0.3)
    axes[0].set_yticks(list(y))
    axes[0].set_yticklabels(labels, parse_math=False)
    fig.suptitle(title, fontsize=10)
    fig.tight_layout()
    _save(fig, path, dpi=130)
    plt.close(fig)


def _save(fig, path: str, dpi: int) -> None:
    """The chart as PNG at ``path`` and SVG beside it, each written atomically."""
    with open_atomic(path, "wb") as handle:
        fig.savefig(handle, format="png", dpi=dpi)
    with open_atomic(os.path.splitext(path)[0] + ".svg", "wb") as handle:
        fig.savefig(handle, format="svg")


def frontier_chart(series: pd.DataFrame, domain_label: str, path: str, as_of) -> None:
    """One panel per benchmark: closed (solid) and open (dashed) step frontiers."""
    plt = _pyplot()
    benchmarks = sorted(series["benchmark"].unique())
    n = len(benchmarks)
    cols = min(3, n)
    rows_n = math.ceil(n / cols)
    fig, axes = plt.subplots(rows_n, cols, figsize=(4.2 * cols, 3.0 * rows_n), squeeze=False)
    end = pd.Timestamp(as_of)
    for ax, name in zip(axes.ravel(), benchmarks):
        part = series.loc[series["benchmark"] == name]
        for group, colour, style in (("closed", CLOSED_COLOUR, "-"), ("open", OPEN_COLOUR, "--")):
            g = part.loc[part["group"] == group].sort_values("release_date")
            if g.empty:
                continue
            x = list(pd.to_datetime(g["release_date"])) + [end]
            yv = list(g["level"]) + [g["level"].iloc[-1]]
            ax.step(x, yv, where="post", color=colour, linestyle=style, label=group)
            ax.plot(pd.to_datetime(g["release_date"]), g["level"], "o", color=colour,
                    markersize=3)
        import matplotlib.dates as mdates

        locator = mdates.AutoDateLocator(minticks=3, maxticks=7)
        ax.xaxis.set_major_locator(locator)
        ax.xaxis.set_major_formatter(mdates.ConciseDateFormatter(locator))
        ax.set_title(plain(name), fontsize=9, parse_math=False)
        ax.set_ylim(0, 102)
        ax.tick_params(labelsize=7)
        ax.grid(alpha=0.3)
    for ax in axes.ravel()[n:]:
        ax.axis("off")
    axes[0][0].legend(fontsize=7, loc="lower right")
    fig.suptitle(f"{plain(domain_label)}: running best score (normalised, 0-100) by release "
                 "date", fontsize=10, parse_math=False)
    fig.tight_layout()
    _save(fig, path, dpi=110)
    plt.close(fig)


def _md_table(table: pd.DataFrame) -> list[str]:
    """The gap table in Markdown; every name from data through ``md_text``."""
    def num(v):
        return fmt(v) if v is not None and not pd.isna(v) else "–"

    def ci(lo, hi):
        text = fmt_ci(lo, hi)
        return f" {text}" if text else ""

    lines = ["| Domain | Best closed (release, level) | Best open (release, level) | Gap, pts "
             "| Lag, months | Threshold lag, months | Lag change, 12 months |",
             "|---|---|---|---|---|---|---|"]
    for r in table.to_dict(orient="records"):
        name = md_text(r["label"] if isinstance(r.get("label"), str) else r["key"])
        if r["status"] == "too_few_models":
            lines.append(f"| {name} | {md_text(r['note'])} | | | | | |")
            continue
        cens = " (≥, mostly censored)" if (r.get("censored_share") or 0) >= 0.5 else ""
        lines.append(
            f"| {name} | {md_text(r['closed_model'])} ({month_of(r['closed_release_date'])}, "
            f"{num(r['closed_level'])}) | {md_text(r['open_model'])} "
            f"({month_of(r['open_release_date'])}, "
            f"{num(r['open_level'])}) | {num(r['gap'])}{ci(r['gap_ci_low'], r['gap_ci_high'])} | "
            f"{num(r['lag_months'])}{ci(r['lag_months_ci_low'], r['lag_months_ci_high'])} | "
            f"{num(r['lag_threshold_months'])}{ci(r['lag_threshold_months_ci_low'], r['lag_threshold_months_ci_high'])}{cens} | "
            f"{num(r['lag_change_months'])}{ci(r['lag_change_ci_low'], r['lag_change_ci_high'])} |"
        )
    return lines


def freshness_lines(freshness) -> list[str]:
    """Each source's data-through date and age, and the stale line (Markdown)."""
    if freshness is None:
        return []
    dated = freshness.table.dropna(subset=["data_through"])
    through = ", ".join(f"{md_text(r.kind)} {r.data_through} ({r.age_days} days old)"
                        for r in dated.itertuples()) or "no dated data"
    lines = [f"**Data through** {through}, counted on {freshness.today}.", ""]
    if freshness.stale:
        lines += [f"**Old data.** The newest data are {freshness.age_days} days old "
                  f"({freshness.newest}): run `gaplens update` for current data, then write "
                  "the report again.", ""]
    return lines


# What a Markdown report folder holds (and the HTML page, which a new set keeps): anything
# else there is someone's file, and the folder is not swapped over it.
_OWN = re.compile(r"README\.md|gap\.json|gap\.csv|frontiers\.csv|gap_by_domain\.(png|svg)"
                  r"|frontiers_[a-z0-9_]*\.(png|svg)|report\.html")
KEPT = ("report.html",)


def check_report_dir(out_dir: str) -> None:
    """Refuse a folder holding files that are not part of a gaplens report (the report
    replaces the folder whole)."""
    if os.path.isdir(out_dir) and not os.path.islink(out_dir):
        foreign = sorted(n for n in os.listdir(out_dir) if not _OWN.fullmatch(n))
        if foreign:
            raise ConfigError(f"--out '{out_dir}' holds files that are not a gaplens report "
                              f"(e.g. '{plain(foreign[0])}'); the Markdown report replaces "
                              "its folder whole: choose a new or empty folder")


def write_report(result, series: pd.DataFrame, sources: pd.DataFrame, out_dir: str,
                 freshness=None, since: tuple[str, ...] = (), _after_file=None) -> str:
    """Write the static report; returns the Markdown path.

    ``result`` is a domain-level gap result, ``series`` the frontier steps under the same
    settings (``analysis.series.frontier_series``), ``sources`` the warehouse's sources,
    ``freshness`` (``analysis.freshness.Freshness``) how current they are, ``since`` the
    "since the last update" sentences (``api._api_diff``). The folder is built beside
    ``out_dir`` and swapped in whole: an interrupted write leaves the previous report as it
    was. ``_after_file`` (tests) is called with each file name
    written.
    """
    check_report_dir(out_dir)
    with replace_dir(out_dir) as tmp:
        _write_files(result, series, sources, tmp, _after_file or (lambda name: None),
                     freshness, since)
        for name in KEPT:  # an HTML page beside the Markdown report stays
            old = os.path.join(out_dir, name)
            if os.path.isfile(old) and not os.path.islink(old):
                try:
                    os.link(old, os.path.join(tmp, name))
                except OSError:  # a file system without hard links
                    shutil.copy2(old, os.path.join(tmp, name))
    return os.path.join(out_dir, "README.md")


def _write_files(result, series, sources, out_dir: str, after, freshness=None,
                 since: tuple[str, ...] = ()) -> None:
    """Every file of the report into ``out_dir`` (a fresh private folder)."""
    s = result.settings

    def text(name: str, content: str) -> None:
        with open(os.path.join(out_dir, name), "x", encoding="utf-8", newline="") as handle:
            handle.write(content)
        after(name)

    meta = ({"freshness": freshness.to_dict()} if freshness is not None else {})
    with document_meta(lambda: meta):
        text("gap.json", gap_json(result) + "\n")
    text("gap.csv", frame_csv(result.table))
    text("frontiers.csv", frame_csv(series))
    gap_chart(result.table, os.path.join(out_dir, "gap_by_domain.png"),
              f"Open vs closed as of {s.as_of} (open = {s.open_definition.value}; "
              f"{int(s.ci * 100)}% intervals)")
    after("gap_by_domain.png")
    charts = []
    used = result.table.loc[result.table["status"] != "too_few_models"]
    for row in used.itertuples():
        members = [b for b in str(row.benchmarks).split("; ") if b]
        part = series.loc[series["benchmark"].isin(members)]
        if part.empty:
            continue
        label = row.label if isinstance(row.label, str) else row.key
        name = f"frontiers_{_slug(row.key)}.png"
        frontier_chart(part, label, os.path.join(out_dir, name), s.as_of)
        after(name)
        charts.append((label, name))

    lines = [
        "# How far behind are open models? A map by domain",
        "",
        f"As of **{s.as_of}** (newest release in the data unless chosen), "
        f"{s.open_definition.description}. Closed = API or hosted access. "
        f"{int(s.ci * 100)} % intervals from {s.n_draws} bootstrap draws (seed {s.seed}) "
        "that redraw every score by its standard error and resample a domain's benchmarks "
        "(docs/intervals.md).",
        "",
        *freshness_lines(freshness),
        "![Gap and lag per domain](gap_by_domain.png)",
        "",
        *_md_table(result.table),
        "",
        "**Reading the table.** *Gap* is the best closed minus the best open normalised score "
        "(0-100) at each benchmark's last data, averaged over a domain's benchmarks. *Lag* is "
        "the horizontal frontier distance: how many months before, closed models had already "
        "reached the level the best open model holds (median over benchmarks). *Threshold lag* "
        "is the median delay between closed and open models first reaching each score "
        "threshold; where open models have not reached a threshold yet the delay is a lower "
        "bound (censored). The domain leaders are the models holding the most benchmark "
        "frontiers in the domain, shown with the domain's mean frontier levels.",
        "",
    ]
    if since:
        lines += ["## Since the last update", ""]
        lines += [f"- {md_text(line)}" for line in since] + [""]
    lines += [
        "## Frontiers over time",
        "",
    ]
    for label, name in charts:
        lines += [f"### {md_text(label)}", "", f"![{md_text(label)}]({name})", ""]
    lines += ["## Warnings", ""]
    lines += [f"- {md_text(w)}" for w in result.warnings] or ["- none"]
    lines += [
        "",
        "## Data and credits",
        "",
        f"- {EPOCH_CREDIT}.",
    ]
    for src in sources.itertuples():
        where = (getattr(src, "provenance", None)
                 or f"retrieved {pd.Timestamp(src.retrieved_on):%Y-%m-%d}")
        through = getattr(src, "data_through", None)
        through = f", data through {through}" if through is not None and not pd.isna(through) \
            else ""
        lines.append(f"- Source {src.source_id}: {md_text(src.kind)} "
                     f"{md_text(os.path.basename(src.path))}, "
                     f"{md_text(where)}{through}, {src.added} rows added, "
                     f"{src.rejected} rejected.")
    lines += ["", f"Made with gaplens {__version__}. Data: gap.json (schema "
              "gaplens.gap/1), gap.csv, frontiers.csv.", ""]
    text("README.md", "\n".join(lines))
