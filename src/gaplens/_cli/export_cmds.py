"""Every Eval Ever: ``gaplens ingest every-eval-ever`` and ``gaplens export``."""

from __future__ import annotations

import os
from typing import List, Optional

import typer

from .. import api
from ..types import ExportFormat, OutputFormat
from .common import (AliasOption, DbOption, FormatOption, app, emit_frame, ingest_app,
                     print_ingest)


@ingest_app.command("every-eval-ever",
                    epilog="Example: gaplens ingest every-eval-ever eee/data/ --benchmarks "
                           "extra.csv")
def ingest_every_eval_ever(
    path: str = typer.Argument(..., help="An Every Eval Ever record (.json, schema 0.2) or a "
                               "folder of them (searched recursively); linked "
                               "<uuid>_samples.jsonl files are read beside each record."),
    benchmarks: Optional[str] = typer.Option(None, "--benchmarks", help="Benchmark file "
                                             "defining evaluations not in the warehouse: "
                                             "benchmark, domain, random_baseline, ceiling, "
                                             "test_set."),
    aliases: Optional[str] = AliasOption,
    fmt: OutputFormat = FormatOption,
    db: Optional[str] = DbOption,
) -> None:
    """Read Every Eval Ever evaluation records (the community's format) as results.

    Models must be in the warehouse or named in the alias table (source every-eval-ever);
    records written by gaplens export bring their models along (docs/formats.md).
    """
    print_ingest(api.ingest_every_eval_ever(path, db=db, benchmarks=benchmarks,
                                            aliases=aliases), fmt)


@app.command(epilog="Example: gaplens export --format every-eval-ever --out eee/")
def export(
    out_dir: str = typer.Option(..., "--out", help="Folder to write the records under "
                                "(data/gaplens-<source>/<developer>/<model>/<uuid>.json)."),
    record_format: ExportFormat = typer.Option(ExportFormat.EVERY_EVAL_EVER, "--format",
                                               help="Record format."),
    source: Optional[str] = typer.Option(None, "--source", help="Only results of this "
                                         "source kind (epoch, csv, inspect, ...)."),
    model: Optional[List[str]] = typer.Option(None, "--model", help="Only this model id "
                                              "(repeat for several)."),
    db: Optional[str] = DbOption,
) -> None:
    """Write the warehouse's results as Every Eval Ever records, one per model and source.

    Each record follows the schema 0.2.3 of github.com/evaleval/every_eval_ever and is
    checked against its required fields before any file is written; gaplens ingest
    every-eval-ever reads them back unchanged (docs/formats.md).
    """
    result = api.export_every_eval_ever(out_dir, db=db, source=source, model=model)
    files = result.files.assign(path=[os.path.relpath(p, out_dir) for p in result.files["path"]])
    emit_frame(files, OutputFormat.TABLE, ["kind", "model_id", "n_results", "n_stderr", "path"],
               title=f"{len(files)} {record_format.value} records, {result.n_results} "
                     f"results, in {out_dir}",
               headers={"n_results": "results", "n_stderr": "with SE"},
               optional=("path",), name_width=30)
