"""The openness command: the ladder of rungs, the audit of sources, openness against the lag."""

from __future__ import annotations

import sys
from typing import Optional

import pandas as pd
import typer

from .. import api
from ..analysis.openness import openness_sentence
from ..report import formatting
from ..types import OutputFormat
from .common import (AtOption, DbOption, FormatOption, SeedOption, app, emit_frame, out,
                     print_warnings, progress_bar)


def _with_ci(value, low, high, digits: int = 1) -> str:
    if value is None or pd.isna(value):
        return ""
    return " ".join(filter(None, (formatting.fmt(value, digits),
                                  formatting.fmt_ci(low, high, digits, sep=","))))


def ladder_frame(result) -> pd.DataFrame:
    """The counts per rung beside each rung definition's frontier on the index."""
    frame = result.counts.copy()
    front = result.frontier.set_index("definition") if len(result.frontier) else None
    best, gap, lag = [], [], []
    for rung in frame["rung"]:
        row = front.loc[rung] if front is not None and rung in front.index else None
        ok = row is not None and isinstance(row.get("open_leader"), str)
        best.append(row["open_leader"] if ok else "")
        gap.append(_with_ci(row["gap"], row["gap_ci_low"], row["gap_ci_high"]) if ok else "")
        lag.append(_with_ci(row["lag_months"], row["lag_months_ci_low"],
                            row["lag_months_ci_high"]) if ok else "")
    return frame.assign(best_open=best, gap_text=gap, lag_text=lag)


@app.command(epilog="Example: gaplens openness --audit --format csv > audit.csv")
def openness(
    audit: bool = typer.Option(False, "--audit", help="List the models whose sources "
                               "disagree about their weights or licence, with each "
                               "source's value (settle one with 'gaplens ingest overrides')."),
    index: bool = typer.Option(True, "--index/--no-index", help="Read each rung's gap and lag "
                               "on the capability index, and openness against the lag "
                               "(fits the index on first use)."),
    at: Optional[str] = AtOption,
    draws: int = typer.Option(1000, "--draws", help="Resamples of the rank correlation."),
    seed: int = SeedOption,
    fmt: OutputFormat = FormatOption,
    db: Optional[str] = DbOption,
) -> None:
    """How open is open: models per rung of the openness ladder, and the sources' audit.

    Rungs, most open first: open-source, permissive, use-bounded, non-commercial, closed,
    unknown; each open rung is also a definition of open (--open-definition) meaning "this
    rung or a more open one". docs/openness.md gives the rules and sources.
    """
    with progress_bar("openness") as progress:
        result = api.openness(db=db, as_of=at, with_index=index, n_draws=draws, seed=seed,
                              progress=progress)
    if fmt is OutputFormat.JSON:
        settings = {"as_of": result.as_of, "ci": result.ci, "n_draws": draws, "seed": seed,
                    "index": index}
        sys.stdout.write(formatting.payload_json(
            "gaplens.openness/1", settings,
            {"counts": result.counts, "frontier": result.frontier, "audit": result.audit,
             "openness_view": result.view, "aa_view": result.aa,
             "correlation": result.correlation,
             "ladder": result.ladder}, result.warnings,
            sentence=openness_sentence(result)) + "\n")
        return
    if fmt is OutputFormat.CSV:
        table = result.audit if audit else result.counts
        if not audit and len(result.frontier):  # each rung with its definition's frontier
            table = table.merge(result.frontier, how="left", on="definition")
        sys.stdout.write(formatting.frame_csv(table))
        return
    if audit:
        emit_frame(result.audit, fmt, ["display_name", "kind", "status", "claims", "aa",
                                       "lmarena"],
                   title=f"Models whose sources disagree about their weights "
                         f"({len(result.audit)})",
                   headers={"display_name": "Model", "kind": "Kind", "status": "Status",
                            "claims": "Rung per source", "aa": "AA", "lmarena": "LMArena"},
                   optional=("lmarena", "aa", "status"), name_width=22,
                   legend="Settle a model with an override: gaplens ingest overrides FILE "
                          "(model, accessibility, reason).")
    else:
        frame = ladder_frame(result)
        emit_frame(frame, fmt, ["rung", "n_models", "n_evaluated", "best_open", "gap_text",
                                "lag_text"],
                   title=f"The openness ladder as of {result.as_of}",
                   headers={"rung": "Rung", "n_models": "Models", "n_evaluated": "Eval",
                            "best_open": "Best open", "gap_text": "Gap [90%]",
                            "lag_text": "Lag mo [90%]"},
                   name_width=18,
                   legend="Eval: models with a benchmark result. Gap and lag on the "
                          "capability index, open = this rung or a more open one.")
        out.print(openness_sentence(result), markup=False, highlight=False)
    print_warnings(result.warnings)


__all__ = ["ladder_frame", "openness"]
