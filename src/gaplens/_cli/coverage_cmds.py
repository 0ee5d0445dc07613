"""The coverage command: who was evaluated where, beside the gap."""

from __future__ import annotations

import sys
from typing import Optional

import typer

from .. import api
from ..report import formatting, terminal
from ..types import OpenDefinition, OutputFormat
from .common import (AtOption, By, DbOption, FormatOption, OpenDefinitionOption, app, out,
                     print_warnings)


@app.command(epilog="Example: gaplens coverage --by domain")
def coverage(
    by: By = typer.Option(By.BENCHMARK, "--by", help="One row per benchmark or per domain."),
    at: Optional[str] = AtOption,
    recent: int = typer.Option(12, "--recent", help="Months before --at whose evaluations "
                               "count as recent."),
    open_definition: OpenDefinition = OpenDefinitionOption,
    fmt: OutputFormat = FormatOption,
    db: Optional[str] = DbOption,
) -> None:
    """Which open and closed models were evaluated where, and which stronger ones were not.

    Per benchmark (or domain): open and closed models evaluated in the window and in all,
    the newest of each, and the stronger or newer open models that were not evaluated, with
    the index's expected scores."""
    result = api.coverage(db=db, by=by.value, as_of=at, open_definition=open_definition,
                          recent_months=recent)
    if fmt is OutputFormat.JSON:
        sys.stdout.write(formatting.payload_json(
            "gaplens.coverage/1", result.settings.to_dict(),
            {"rows": result.table, "benchmarks": result.benchmarks,
             "expected": result.expected}, result.warnings,
            index_ci=result.index_ci, index_note=result.index_note) + "\n")
    elif fmt is OutputFormat.CSV:
        sys.stdout.write(formatting.frame_csv(result.table))
    else:
        out.print(terminal.coverage_table(result, width=out.width))
        for line in terminal.coverage_footer(result):
            out.print(line, style="dim", markup=False)
        print_warnings(result.warnings)
