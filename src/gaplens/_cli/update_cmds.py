"""``gaplens update``: fetch the sources from their publishers (see docs/update.md)."""

from __future__ import annotations

import sys
from contextlib import contextmanager
from typing import List, Optional

import typer
from rich import box
from rich.progress import (BarColumn, DownloadColumn, Progress, TextColumn,
                           TransferSpeedColumn)
from rich.table import Table
from rich.text import Text

from .. import api
from ..report import formatting
from .common import DbOption, FormatOption, OutputFormat, app, err, out

_STYLE = {"updated": "green", "unchanged": "", "skipped": "dim", "failed": "red"}


@contextmanager
def download_bars(enabled: bool):
    """A ``progress(label, done, total)`` drawing one bar per download on stderr (none
    when disabled or stderr is not a terminal)."""
    if not enabled or not err.is_terminal:
        yield None
        return
    with Progress(TextColumn("{task.description}"), BarColumn(), DownloadColumn(),
                  TransferSpeedColumn(), console=err, transient=True) as bars:
        tasks: dict[str, int] = {}

        def progress(label: str, done: int, total: int) -> None:
            if label not in tasks:
                tasks[label] = bars.add_task(label, total=total or None)
            bars.update(tasks[label], completed=done, total=total or None)

        yield progress


def update_table(result) -> Table:
    """One row per source: status, why, and what it added (names are text, not markup)."""
    table = Table(title=f"Update of {result.db}" + (" (offline)" if result.offline else ""),
                  box=box.SIMPLE_HEAD, title_justify="left", pad_edge=False)
    table.add_column("source", no_wrap=True)
    table.add_column("status", no_wrap=True)
    table.add_column("added/upd", justify="right", no_wrap=True)
    table.add_column("why", overflow="ellipsis")
    for s in result.sources:
        rows = f"{s.added}/{s.changed}" if s.status.value == "updated" else ""
        table.add_row(Text(s.source), Text(s.status.value, style=_STYLE[s.status.value]),
                      rows, Text(s.reason))
    return table


@app.command(epilog="Example: gaplens update --offline")
def update(
    names: Optional[List[str]] = typer.Argument(None, metavar="[SOURCE]...",
                                                help="Sources to update (default: all)."),
    offline: bool = typer.Option(False, "--offline", help="Re-ingest the last good "
                                 "captures without the network."),
    force: bool = typer.Option(False, "--force", help="Fetch even when the last capture is "
                               "younger than the source's cache lifetime."),
    mirror: Optional[str] = typer.Option(None, "--mirror", help="Fetch every URL from "
                                         "MIRROR/<host>/<path> instead (keys are sent there "
                                         "too)."),
    fmt: OutputFormat = FormatOption,
    db: Optional[str] = DbOption,
) -> None:
    """Fetch the sources from their publishers and ingest what changed.

    Exit code 2 when a source failed (it keeps its last good capture)."""
    with download_bars(fmt is OutputFormat.TABLE) as progress:
        result = api.update(names or None, db=db, offline=offline, force=force,
                            progress=progress, mirror=mirror)
    if fmt is OutputFormat.TABLE:
        out.print(update_table(result))
        if result.failed:
            out.print("A failed source kept its last good capture and the warehouse as they "
                      "were.", style="dim")
    elif fmt is OutputFormat.JSON:
        sys.stdout.write(formatting.payload_json(
            "gaplens.update/1", {"db": result.db, "offline": offline, "force": force},
            {"sources": result.table}) + "\n")
    else:
        sys.stdout.write(formatting.frame_csv(result.table))
    if result.failed:
        raise typer.Exit(2)
