"""Commands on data states: snapshot, snapshots, diff."""

from __future__ import annotations

import datetime as dt
import sys
from enum import Enum
from typing import Optional

import typer

from .. import api
from ..analysis.diff import summary_sentences
from ..report import diff_text, formatting
from ..types import OpenDefinition, OutputFormat
from .common import (DbOption, FormatOption, OpenDefinitionOption, SeedOption, app, emit_frame,
                     out, print_warnings)


class Part(str, Enum):
    CHANGES = "changes"
    MAP = "map"
    FRONTIER = "frontier"
    SCORES = "scores"
    SOURCES = "sources"


def _state_json(state: dict) -> dict:
    """A state's description for JSON (the time a snapshot was taken in full, UTC)."""
    return {k: (f"{v:%Y-%m-%dT%H:%M:%S}Z" if isinstance(v, dt.datetime)
                else formatting.clean(v)) for k, v in state.items()}


@app.command(epilog="Example: gaplens snapshot --label before-update")
def snapshot(
    label: str = typer.Option("manual", "--label", help="A short name for this state."),
    note: str = typer.Option("", "--note", help="Why it was taken."),
    db: Optional[str] = DbOption,
) -> None:
    """Record the warehouse's current data as a dated snapshot (id = UTC time)."""
    info = api.snapshot(label=label, note=note, db=db)
    out.print(f"snapshot {info.snapshot_id} ({info.label}): {info.n_models} models, "
              f"{info.n_results} results, data through {info.data_through}",
              markup=False, highlight=False)


@app.command(epilog="Example: gaplens snapshots")
def snapshots(fmt: OutputFormat = FormatOption, db: Optional[str] = DbOption) -> None:
    """The dated snapshots of the data, oldest first."""
    frame = api.snapshots(db=db)
    if fmt is OutputFormat.TABLE:
        out.print(diff_text.snapshots_table(frame))
    else:
        emit_frame(frame, fmt, list(frame.columns))


@app.command(epilog="Example: gaplens diff --from before-update")
def diff(
    from_: Optional[str] = typer.Option(None, "--from", help="A snapshot id, a date (the "
                                        "newest snapshot on or before it), a label or "
                                        "'current'. Default: the state before --to."),
    to: Optional[str] = typer.Option(None, "--to", help="As --from. Default: the current data"
                                     " if they differ from the newest snapshot, else it."),
    at: Optional[str] = typer.Option(None, "--at", help="Both maps as of this date "
                                     "(default: each state's own data date)."),
    at_before: Optional[str] = typer.Option(None, "--at-from", help="The map of the first "
                                            "state as of this date (default: its data date)."),
    at_after: Optional[str] = typer.Option(None, "--at-to", help="The map of the second "
                                           "state as of this date (default: its data date)."),
    draws: int = typer.Option(300, "--draws", help="Bootstrap draws of each map."),
    part: Part = typer.Option(Part.CHANGES, "--part", help="With --format csv: which table."),
    open_definition: OpenDefinition = OpenDefinitionOption,
    seed: int = SeedOption,
    fmt: OutputFormat = FormatOption,
    db: Optional[str] = DbOption,
) -> None:
    """What changed between two data states, and what it did to the gap map."""
    result = api.diff(db=db, from_=from_, to=to, open_definition=open_definition,
                      at_before=at_before or at, at_after=at_after or at, n_draws=draws,
                      seed=seed)
    if fmt is OutputFormat.JSON:
        tables = {"changes": result.changes(), **result.tables()}
        sys.stdout.write(formatting.payload_json(
            result.schema, result.settings.to_dict(), tables, result.warnings,
            before=_state_json(result.before), after=_state_json(result.after),
            summary=summary_sentences(result)) + "\n")
        return
    if fmt is OutputFormat.CSV:
        frame = result.changes() if part is Part.CHANGES else result.tables()[part.value]
        sys.stdout.write(formatting.frame_csv(frame))
        return
    sentences = summary_sentences(result)
    out.print(sentences[0], markup=False, highlight=False)
    changes = result.changes()
    shown = changes.loc[changes["kind"] != "score added"]
    if len(shown):
        out.print(diff_text.changes_table(shown))
        hidden = len(shown) - min(len(shown), diff_text.MAX_CHANGES)
        if hidden:
            out.print(f"... {hidden} more changes (all: --format csv)", style="dim")
    n_added = int((changes["kind"] == "score added").sum())
    if n_added:
        out.print(f"{n_added} results added (list: --format csv --part scores)", style="dim",
                  markup=False)
    if result.empty:
        out.print("The data did not change.", markup=False)
    out.print(diff_text.map_table(result.map))
    if len(result.frontier):
        out.print(diff_text.frontier_table(result.frontier))
    moved = result.sources.loc[result.sources["changed"]]
    for r in moved.to_dict(orient="records"):
        before, after = (diff_text.plain(r[f"data_through_{w}"]) or "-"
                         for w in ("before", "after"))
        out.print(f"data through, {r['kind']} {r['path']}: {before} -> {after}", style="dim",
                  markup=False, highlight=False)
    out.print("Gap in points (normalised 0-100), lag in months, 90 % intervals below "
              "each estimate; each map as of its state's own data date.", style="dim")
    print_warnings(result.warnings)
