"""The claims command: the seven claims of the debate, each with its computed verdict."""

from __future__ import annotations

import sys
from typing import Optional

import typer

from .. import api
from ..report import formatting
from ..report.claims_text import claims_frame, claims_lines
from ..types import OpenDefinition, OutputFormat
from .common import (DbOption, FormatOption, OpenDefinitionOption, SeedOption, app, out,
                     progress_bar)


@app.command(epilog="Example: gaplens claims --at 2026-04-16 --format json")
def claims(
    at: Optional[str] = typer.Option(None, "--at", help="Test the claims as of this date "
                                     "(YYYY-MM-DD); default: the newest release in the data."),
    draws: int = typer.Option(1000, "--draws", help="Bootstrap draws of the map."),
    benchmark_claims: Optional[str] = typer.Option(
        None, "--benchmark-claims", help="Your reviewed benchmark classes (benchmark, ood, "
        "aa_evaluation, aa_relation, source, note), layered on the bundled ones."),
    open_definition: OpenDefinition = OpenDefinitionOption,
    seed: int = SeedOption,
    fmt: OutputFormat = FormatOption,
    db: Optional[str] = DbOption,
) -> None:
    """The claims of the debate about the gap, each tested: verdict, estimate, sentence.

    Each claim comes with its estimate and 90% interval and one or two sentences generated
    from the data (docs/claims.md).
    """
    with progress_bar("claims") as progress:
        found = api.claims(db=db, as_of=at, open_definition=open_definition, n_draws=draws,
                           seed=seed, benchmark_claims=benchmark_claims, progress=progress)
    if fmt is OutputFormat.JSON:
        from ..report.payload import claim

        as_of = next((c.as_of for c in found if c.as_of is not None), None)
        settings = {"as_of": as_of, "open_definition": OpenDefinition(open_definition).value,
                    "n_draws": draws, "seed": seed, "benchmark_claims": benchmark_claims}
        sys.stdout.write(formatting.payload_json("gaplens.claims/1", settings, {},
                                                 claims=[claim(c) for c in found]) + "\n")
    elif fmt is OutputFormat.CSV:
        sys.stdout.write(formatting.frame_csv(claims_frame(found)))
    else:
        for line in claims_lines(found, out.width):
            out.print(line, markup=False, highlight=False)
        out.print("Intervals are 90 %; verdict rules and evidence: docs/claims.md, "
                  "--format json.", style="dim", markup=False)
