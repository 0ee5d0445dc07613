"""How ``gaplens gap --group`` prints: groups against the closed frontier, the groups
against each other, the leading lab per domain (names from data as text)."""

from __future__ import annotations

import sys
from enum import Enum

import pandas as pd

from ..report import formatting, terminal
from ..types import OutputFormat
from .common import out, print_warnings

PAIRWISE_MAX_GROUPS = 6  # more groups: the pairwise table is in --format json / csv only


class GroupBy(str, Enum):
    COUNTRY = "country"
    ORGANIZATION = "organization"
    COUNTRY_ACCESS = "country-access"
    ORGANIZATION_ACCESS = "organization-access"


def _cells(frame: pd.DataFrame) -> pd.DataFrame:
    """Lag and gap as 'estimate [low, high]'; a thin row shows its model counts instead."""
    thin = frame["status"] == "too_few_models"

    def cell(row, key: str) -> str:
        if row["status"] == "too_few_models":
            return "–"
        return f"{formatting.fmt(row[key])} " + formatting.fmt_ci(row[f"{key}_ci_low"],
                                                                   row[f"{key}_ci_high"],
                                                                   sep=",")

    shown = frame.assign(
        lag=[cell(r, "lag_months") for _, r in frame.iterrows()],
        gap_text=[cell(r, "gap") for _, r in frame.iterrows()],
        models=[f"{int(a)}/{int(b)}" for a, b in zip(frame["n_group"], frame["n_versus"])],
        leader=frame["group_leader"].where(~thin, "too few models").fillna(""))
    return shown


def print_group_gap(result, fmt: OutputFormat) -> None:
    from ..analysis.groups import CLOSED, settings_dict

    if fmt is OutputFormat.JSON:
        sys.stdout.write(formatting.payload_json(
            "gaplens.group-gap/1", settings_dict(result.settings),
            {"rows": result.table, "best_open": result.best_open, "leaders": result.leaders,
             "frontiers": result.frontiers, "members": result.members},
            result.warnings) + "\n")
        return
    if fmt is OutputFormat.CSV:
        sys.stdout.write(formatting.frame_csv(result.table))
        return
    s = result.settings
    table = result.table
    where = "benchmarks" if s.on == "benchmarks" else "the capability index"
    headers = {"scope": "domain", "gap_text": "gap", "lag": "lag (mo)"}
    legend = (f"lag: months the group's frontier trails the other's (< 0: ahead); gap: "
              f"{'normalised points' if s.on == 'benchmarks' else 'index points'}; "
              f"[90 % interval]; models: group/other with results (fewer than "
              f"{s.min_models}: counts only).")
    vs_closed = table.loc[table["versus"] == CLOSED]
    thin = vs_closed.groupby("group")["status"].agg(lambda x: (x == "too_few_models").all())
    everywhere = sorted(g for g, t in thin.items() if t)
    out.print(terminal.frame_table(
        _cells(vs_closed.loc[~vs_closed["group"].isin(everywhere)]),
        ["scope", "group", "models", "lag", "gap_text", "leader"],
        title=f"Each group against the closed frontier, on {where} "
              f"(open: {s.open_definition.value}; {s.as_of})",
        headers=headers, optional=("leader",), width=out.width, name_width=16))
    out.print(legend, style="dim", markup=False)
    if everywhere:
        most = vs_closed.groupby("group")["n_group"].max()
        out.print("Too few models in every domain (most in one domain): " + ", ".join(
            f"{g} ({int(most[g])})" for g in everywhere) + ".", style="dim", markup=False)
    pairs = table.loc[(table["versus"] != CLOSED) & (table["status"] != "too_few_models")
                      & (table["group"] < table["versus"])]
    groups = set(pairs["group"]) | set(pairs["versus"])
    if len(pairs) and len(groups) <= PAIRWISE_MAX_GROUPS:
        out.print(terminal.frame_table(
            _cells(pairs), ["scope", "group", "versus", "lag", "gap_text"],
            title="The groups against each other (the reverse order flips the signs)",
            headers=headers, width=out.width, name_width=16))
    elif len(pairs):
        out.print(f"{len(pairs)} pairs of {len(groups)} groups: --format json or csv lists "
                  "them.", style="dim", markup=False)
    now = result.leaders.loc[result.leaders["date"] == s.as_of]
    if len(now):
        out.print(terminal.frame_table(
            now, ["scope", "lab", "model"], title=f"Leading lab per domain on {s.as_of} "
            "(tops most of its benchmarks; by quarter: --format json)",
            headers={"scope": "domain"}, width=out.width, name_width=24))
    print_warnings(result.warnings)
