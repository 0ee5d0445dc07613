"""Terminal tables of a diff (analysis/diff.py) and of the snapshot list.

Every cell that carries a name from data is a :class:`rich.text.Text`, so it is printed as
text, never as markup. Intervals print beside their estimate, rounded outward-safe (the
same rounding on all three numbers keeps the estimate inside).
"""

from __future__ import annotations

import pandas as pd
from rich import box
from rich.table import Table
from rich.text import Text

MAX_CHANGES = 40


def _t(value) -> Text:
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return Text("")
    if isinstance(value, pd.Timestamp):
        return Text(value.strftime("%Y-%m-%d"))
    return Text(str(value))


def plain(value) -> str:
    """A value as plain text ('' for a missing one)."""
    return _t(value).plain


def _est(row: dict, stat: str, when: str, digits: int = 1) -> Text:
    value = row.get(f"{stat}_{when}")
    if value is None or pd.isna(value):
        return Text(str(row.get(f"status_{when}") or "").replace("_", " "), style="dim")
    low, high = row.get(f"{stat}_ci_low_{when}"), row.get(f"{stat}_ci_high_{when}")
    text = Text(f"{value:.{digits}f}")
    if low is not None and high is not None and not (pd.isna(low) or pd.isna(high)):
        text.append(f"\n[{low:.{digits}f}, {high:.{digits}f}]", style="dim")
    return text


def changes_table(changes: pd.DataFrame, max_rows: int = MAX_CHANGES) -> Table:
    """One row per data change (kind, name, detail, before -> after, delta)."""
    table = Table(title="What changed", box=box.SIMPLE_HEAD, title_justify="left",
                  pad_edge=False)
    table.add_column("Change", overflow="ellipsis", max_width=16)
    table.add_column("Name", overflow="ellipsis", max_width=22)
    table.add_column("Detail", overflow="ellipsis", max_width=20)
    table.add_column("Before -> after", overflow="ellipsis", max_width=22)
    table.add_column("Delta", justify="right", no_wrap=True)
    for r in changes.head(max_rows).to_dict(orient="records"):
        before, after = r.get("before"), r.get("after")
        moved = "" if _t(before).plain == "" and _t(after).plain == "" else \
            f"{_t(before).plain or '-'} -> {_t(after).plain or '-'}"
        delta = r.get("delta")
        table.add_row(_t(r["kind"]), _t(r["name"]), _t(r.get("detail")), Text(moved),
                      Text("" if delta is None or pd.isna(delta) else f"{delta:+.1f}"))
    return table


def map_table(frame: pd.DataFrame) -> Table:
    """Per domain: gap (points) and lag (months) before and after, with intervals."""
    table = Table(title="What it did to the map", box=box.SIMPLE_HEAD, title_justify="left",
                  pad_edge=False)
    table.add_column("Domain", overflow="ellipsis", max_width=20)
    for head in ("Gap before", "Gap after", "Lag before", "Lag after"):
        table.add_column(head, justify="right", no_wrap=True)
    for r in frame.to_dict(orient="records"):
        table.add_row(_t(r.get("label") or r["domain"]), _est(r, "gap", "before"),
                      _est(r, "gap", "after"), _est(r, "lag_months", "before"),
                      _est(r, "lag_months", "after"))
    return table


def frontier_table(frame: pd.DataFrame) -> Table:
    table = Table(title="New frontier models", box=box.SIMPLE_HEAD, title_justify="left",
                  pad_edge=False)
    table.add_column("Domain", overflow="ellipsis", max_width=14)
    table.add_column("Group", no_wrap=True)
    table.add_column("Model", overflow="ellipsis", max_width=20)
    table.add_column("Benchmarks", overflow="ellipsis", max_width=20)
    table.add_column("Replaced", overflow="ellipsis", max_width=14)
    for r in frame.to_dict(orient="records"):
        table.add_row(_t(r.get("label") or r["domain"]), _t(r["group"]), _t(r["display_name"]),
                      _t(r["benchmarks"]), _t(r["replaced"]))
    return table


def snapshots_table(frame: pd.DataFrame) -> Table:
    table = Table(title="Snapshots", box=box.SIMPLE_HEAD, title_justify="left", pad_edge=False)
    table.add_column("Id (UTC)", no_wrap=True)
    table.add_column("Label", overflow="ellipsis", max_width=14)
    table.add_column("Data through", no_wrap=True)
    table.add_column("Models", justify="right")
    table.add_column("Results", justify="right")
    table.add_column("Note", overflow="ellipsis", max_width=16)
    for r in frame.to_dict(orient="records"):
        table.add_row(_t(r["snapshot_id"]), _t(r["label"]), _t(r["data_through"])[:10],
                      Text(str(r["n_models"])), Text(str(r["n_results"])), _t(r["note"]))
    return table
