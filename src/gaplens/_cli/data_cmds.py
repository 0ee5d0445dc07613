"""Commands on the data: ingest, gap, models, benchmarks, sources, report."""

from __future__ import annotations

import sys
from typing import List, Optional

import typer

from .. import api
from ..report import formatting, terminal
from ..types import OpenDefinition, OutputFormat
from .common import (
    AtOption,
    OpenDefinitionOption,
    ReportFormat,
    SeedOption,
    AliasOption,
    By,
    DbOption,
    FormatOption,
    On,
    app,
    emit_frame,
    ingest_app,
    out,
    print_gap_table,
    print_index_gap,
    print_published_lag,
    print_ingest,
    progress_bar,
)
from . import common
from .group_view import GroupBy, print_group_gap
from ..errors import ConfigError


@ingest_app.command("epoch", epilog="Example: gaplens ingest epoch benchmark_data.zip")
def ingest_epoch(
    path: str = typer.Argument(..., help="benchmark_data.zip or its unzipped folder"),
    benchmarks: Optional[str] = typer.Option(None, "--benchmarks", help="Extra benchmark "
                                             "definitions (CSV) layered on the bundled taxonomy."),
    differences: bool = typer.Option(False, "--differences", help="Only list where the "
                                     "export's benchmark_metadata.csv differs from the "
                                     "taxonomy, and which side is used; ingest nothing."),
    fmt: OutputFormat = FormatOption,
    db: Optional[str] = DbOption,
) -> None:
    """Read an Epoch AI Benchmarking Hub export (flat or current layout)."""
    if differences:
        frame = api.epoch_metadata_differences(path, db=db, benchmarks=benchmarks)
        emit_frame(frame, fmt, ["benchmark", "field", "gaplens", "epoch", "used"],
                   title=f"{len(frame)} differences from Epoch's benchmark_metadata.csv")
        return
    with progress_bar("reading export") as progress:
        report = api.ingest_epoch(path, db=db, benchmarks=benchmarks, progress=progress)
    print_ingest(report, fmt)


@ingest_app.command("csv", 
    epilog="Example: gaplens ingest csv results.csv --benchmarks benchmarks.csv")
def ingest_csv(
    path: str = typer.Argument(..., help="Tidy CSV: model, benchmark, score, release_date, "
                               "accessibility or open, ..."),
    benchmarks: Optional[str] = typer.Option(None, "--benchmarks", help="Benchmark file: "
                                             "benchmark, domain, random_baseline, ceiling, "
                                             "test_set."),
    fmt: OutputFormat = FormatOption,
    db: Optional[str] = DbOption,
) -> None:
    """Read a tidy CSV of results (docs/formats.md)."""
    print_ingest(api.ingest_csv(path, db=db, benchmarks=benchmarks), fmt)


@ingest_app.command("inspect", 
    epilog="Example: gaplens ingest inspect logs/ --benchmarks tasks.csv")
def ingest_inspect(
    path: str = typer.Argument(..., help="An Inspect AI log (.json or .eval) or a folder of "
                               "them (searched recursively)."),
    benchmarks: Optional[str] = typer.Option(None, "--benchmarks", help="Benchmark file "
                                             "defining tasks not in the warehouse: benchmark, "
                                             "domain, random_baseline, ceiling, test_set."),
    metric: Optional[str] = typer.Option(None, "--metric", help="Metric of the first scorer "
                                         "to use as the score (default: accuracy, else mean, "
                                         "else the first that is not stderr/std)."),
    aliases: Optional[str] = AliasOption,
    fmt: OutputFormat = FormatOption,
    db: Optional[str] = DbOption,
) -> None:
    """Read Inspect AI eval logs (your private evals) as benchmark results."""
    print_ingest(api.ingest_inspect(path, db=db, benchmarks=benchmarks, metric=metric,
                                    aliases=aliases), fmt)


@ingest_app.command("aa", epilog="Example: gaplens ingest aa 2026-07-10/llms.json")
def ingest_aa(
    path: str = typer.Argument(..., help="Artificial Analysis llms.json (dated by its YYYY-MM-DD "
                               "folder, its meta or --as-of) or the flat CSV with snapshot_date."),
    as_of: Optional[str] = typer.Option(None, "--as-of", help="Snapshot date of a payload."),
    retrieved_on: Optional[str] = typer.Option(None, "--retrieved-on", help="Default: newest "
                                               "snapshot date."),
    aliases: Optional[str] = AliasOption,
    fmt: OutputFormat = FormatOption,
    db: Optional[str] = DbOption,
) -> None:
    """Read Artificial Analysis leaderboard snapshots (credit: Artificial Analysis).

    https://artificialanalysis.ai"""
    print_ingest(api.ingest_aa(path, db=db, retrieved_on=retrieved_on, as_of=as_of,
                               aliases=aliases), fmt)


@ingest_app.command("lmarena", 
    epilog="Example: gaplens ingest lmarena leaderboard.csv --as-of 2026-04-19")
def ingest_lmarena(
    path: str = typer.Argument(..., help="LMArena CSV: one leaderboard table (dated by "
                               "leaderboard_version or --as-of), the stacked history, or the "
                               "daily top-N file."),
    as_of: Optional[str] = typer.Option(None, "--as-of", help="Snapshot date of a table "
                                        "without leaderboard_version (YYYY-MM-DD)."),
    aliases: Optional[str] = AliasOption,
    fmt: OutputFormat = FormatOption,
    db: Optional[str] = DbOption,
) -> None:
    """Read LMArena (Chatbot Arena) leaderboards as dated signals (credit: LMArena)."""
    print_ingest(api.ingest_lmarena(path, db=db, as_of=as_of, aliases=aliases), fmt)


@ingest_app.command("openrouter", 
    epilog="Example: gaplens ingest openrouter openrouter-weekly/")
def ingest_openrouter(
    path: str = typer.Argument(..., help="OpenRouter weekly top-models CSV, or a folder of "
                               "weekly JSON files."),
    aliases: Optional[str] = AliasOption,
    fmt: OutputFormat = FormatOption,
    db: Optional[str] = DbOption,
) -> None:
    """Read OpenRouter weekly token usage of the top models (a top-N share, not the market)."""
    print_ingest(api.ingest_openrouter(path, db=db, aliases=aliases), fmt)


@ingest_app.command("livebench", epilog="Example: gaplens ingest livebench livebench-release/")
def ingest_livebench(
    path: str = typer.Argument(..., help="Folder of LiveBench table_*.csv and "
                               "categories_*.json (optional livebench_model_metadata.csv)."),
    aliases: Optional[str] = AliasOption,
    fmt: OutputFormat = FormatOption,
    db: Optional[str] = DbOption,
) -> None:
    """Read LiveBench releases as per-category signals (cite White et al., ICLR 2025)."""
    print_ingest(api.ingest_livebench(path, db=db, aliases=aliases), fmt)


@ingest_app.command("overrides", epilog="Example: gaplens ingest overrides overrides.csv")
def ingest_overrides(path: str = typer.Argument(..., help="CSV: model, accessibility, reason"),
                     fmt: OutputFormat = FormatOption,
                     db: Optional[str] = DbOption) -> None:
    """Correct models' accessibility with a reviewed overrides file."""
    print_ingest(api.ingest_overrides(path, db=db), fmt)


@app.command(epilog="Example: gaplens gap --by benchmark --open-definition unrestricted\n\n"
             "Example: gaplens gap --group country")
def gap(
    by: By = typer.Option(By.DOMAIN, "--by", help="One row per domain or per benchmark."),
    at: Optional[str] = AtOption,
    open_definition: OpenDefinition = OpenDefinitionOption,
    draws: int = typer.Option(1000, "--draws", help="Bootstrap draws (0: no intervals)."),
    seed: int = SeedOption,
    min_models: int = typer.Option(3, "--min-models", help="Models needed in each group."),
    window: Optional[List[int]] = typer.Option(None, "--window", help="Months over which the "
                                               "lag's change is read (default 12); with --on "
                                               "index, windows to average the lag over "
                                               "(repeatable; default 12 and 24)."),
    on: On = typer.Option(On.BENCHMARKS, "--on", help="Read the gap on benchmark frontiers, "
                          "on the capability index (general and per domain), or on AA's "
                          "published index per snapshot (the one number, read like the map)."),
    domain: Optional[List[str]] = typer.Option(None, "--domain", help="With --on index: only "
                                               "these domains (repeatable)."),
    tolerance: float = typer.Option(0.0, "--tolerance", help="Normalised difference under which "
                                    "the frontiers count as level (0: plain step distance)."),
    recent: int = typer.Option(12, "--recent", help="Months before the date within which a "
                               "benchmark needs results to count as current evidence."),
    resample_models: bool = typer.Option(False, "--resample-models", help="Also resample "
                                         "models within each group in every bootstrap draw "
                                         "(wider intervals: docs/intervals.md)."),
    group: Optional[GroupBy] = typer.Option(None, "--group", help="Compare groups of "
                                            "models instead: country (US, China, rest), "
                                            "organization, or either crossed with "
                                            "open/closed; each against the closed frontier "
                                            "and against each other (docs/countries.md)."),
    fmt: OutputFormat = FormatOption,
    db: Optional[str] = DbOption,
) -> None:
    """How far behind the best open model is, per domain or benchmark (or on the index)."""
    if group is not None:
        if on is On.PUBLISHED:
            raise ConfigError("--group reads benchmarks or the index, not --on published")
        with progress_bar("groups") as progress:
            result = api.group_gap(db=db, by=group.value, on=on.value, as_of=at,
                                   open_definition=open_definition, n_draws=draws, seed=seed,
                                   min_models=min_models, recent_months=recent,
                                   progress=progress)
        print_group_gap(result, fmt)
        return
    if on is On.INDEX:
        with progress_bar("fitting the capability index") as progress:
            result = api.index_gap(db=db, as_of=at, open_definition=open_definition,
                                   domains=domain or None, windows=tuple(window or (12, 24)),
                                   min_models=min_models, progress=progress)
        print_index_gap(result, fmt)
        return
    if on is On.PUBLISHED:
        print_published_lag(api.published_lag(db=db, as_of=at, open_definition=open_definition,
                                               n_draws=draws, seed=seed,
                                               min_models=min_models), fmt)
        return
    with progress_bar("bootstrap") as progress:
        result = api.gap(db=db, by=by.value, as_of=at, open_definition=open_definition,
                         n_draws=draws, seed=seed, min_models=min_models,
                         window_months=(window or [12])[0], tolerance=tolerance,
                         recent_months=recent, resample_models=resample_models,
                         progress=progress)
    if fmt is OutputFormat.JSON:
        sys.stdout.write(formatting.gap_json(result) + "\n")
    elif fmt is OutputFormat.CSV:
        sys.stdout.write(formatting.frame_csv(result.table))
    else:
        print_gap_table(result)


@app.command(epilog="Example: gaplens models --organization Meta --since 2025-01-01")
def models(
    domain: Optional[str] = typer.Option(None, "--domain", help="Only models with results in "
                                         "this domain."),
    organization: Optional[str] = typer.Option(None, "--organization", help="Substring match."),
    accessibility: Optional[str] = typer.Option(None, "--accessibility", help="An accessibility "
                                                "class, e.g. 'API access' or Unknown."),
    since: Optional[str] = typer.Option(None, "--since", help="Released on or after."),
    until: Optional[str] = typer.Option(None, "--until", help="Released on or before."),
    versions: bool = typer.Option(False, "--versions", help="One row per version and setting, "
                                  "marking the one the collapse uses."),
    fmt: OutputFormat = FormatOption,
    db: Optional[str] = DbOption,
) -> None:
    """List the models in the warehouse."""
    frame = api.models(db=db, domain=domain, organization=organization,
                       accessibility=accessibility, since=since, until=until, versions=versions)
    if fmt is not OutputFormat.TABLE:
        emit_frame(frame, fmt, [])
        return
    if versions:
        emit_frame(frame, fmt, ["model_id", "benchmark", "version_id", "score", "used"],
                   title=f"{len(frame)} rows", headers={"model_id": "model",
                                                        "version_id": "version"},
                   legend="used: the version and setting the collapse keeps for the model.")
        return
    shown = frame.assign(accessibility=frame["accessibility"].map(terminal.short_access))
    emit_frame(shown, fmt, ["model_id", "organization", "release_date", "accessibility",
                            "n_benchmarks"], title=f"{len(frame)} models",
               headers={"model_id": "model", "release_date": "released",
                        "accessibility": "access", "n_benchmarks": "n"},
               legend="n: benchmarks with a result; " + terminal.ACCESS_LEGEND)


@app.command(epilog="Example: gaplens benchmarks --domain coding")
def benchmarks(
    domain: Optional[str] = typer.Option(None, "--domain", help="Only this domain."),
    at: Optional[str] = typer.Option(None, "--at", help="Count models released by this date."),
    open_definition: OpenDefinition = OpenDefinitionOption,
    fit: bool = typer.Option(False, "--fit", help="Difficulty and slope from the capability "
                             "fit instead."),
    fmt: OutputFormat = FormatOption,
    db: Optional[str] = DbOption,
) -> None:
    """List the benchmarks, their domain, normalisation and coverage (or their fit)."""
    if fit:
        frame = api.benchmark_fit(db=db)
        if domain:
            frame = frame.loc[frame["domain"] == domain]
        if fmt is OutputFormat.TABLE:
            out.print(terminal.benchmark_fit_table(
                frame, "Difficulty on the index scale (EDI: the index at which a model "
                       "reaches half the normalised range) and slope per index point, "
                       "from the stored fit"))
        else:
            emit_frame(frame, fmt, list(frame.columns))
        return
    frame = api.benchmarks(db=db, domain=domain, as_of=at, open_definition=open_definition)
    columns = ["benchmark", "domain", "test_set", "unit", "n_open", "n_closed"]
    if "superseded_by" in frame and frame["superseded_by"].notna().any():
        columns.append("superseded_by")
    emit_frame(frame, fmt, columns, title=f"{len(frame)} benchmarks",
               headers={"test_set": "test set", "n_open": "open", "n_closed": "closed",
                        "superseded_by": "superseded by"},
               optional=("unit", "superseded_by"),
               legend="open, closed: models with a result (open: "
                      f"{open_definition.value})." if fmt is OutputFormat.TABLE else None)


@app.command(epilog="Example: gaplens sources --format json")
def sources(fmt: OutputFormat = FormatOption, db: Optional[str] = DbOption) -> None:
    """List what was ingested, where from, how current it is and what it changed."""
    frame = api.sources(db=db, today=common.today())
    if fmt is not OutputFormat.TABLE:
        emit_frame(frame, fmt, list(frame.columns))
        return
    shown = frame.rename(columns={"source_id": "id", "provenance": "retrieved",
                                  "data_through": "through", "age_days": "age"})
    emit_frame(shown, fmt, ["id", "kind", "retrieved", "through", "age", "added"],
               title=f"{len(frame)} sources · through: the newest date the data describe, "
                     "age in days (rejected rows, paths, URLs: --format json)",
               name_width=30)  # "bundled, published 2026-04-16" on one line


@app.command(epilog="Example: gaplens report --out gaplens-report --draws 500")
def report(
    out_dir: str = typer.Option("gaplens-report", "--out", help="Folder to write into."),
    report_format: ReportFormat = typer.Option(ReportFormat.HTML, "--format", help="html: one "
                                               "self-contained interactive page (report.html); "
                                               "md: Markdown with static PNG/SVG charts and "
                                               "the data as CSV/JSON."),
    at: Optional[str] = typer.Option(None, "--at", help="As of this date."),
    open_definition: OpenDefinition = OpenDefinitionOption,
    definitions: Optional[List[OpenDefinition]] = typer.Option(
        None, "--definition", help="Open definitions the HTML page can switch between "
        "(repeatable; default: unrestricted, open-weights, any-open)."),
    draws: int = typer.Option(1000, "--draws", help="Bootstrap draws."),
    seed: int = SeedOption,
    db: Optional[str] = DbOption,
) -> None:
    """Write the report (interactive HTML by default) and print the gap table."""
    with progress_bar("analyses" if report_format is ReportFormat.HTML else "bootstrap") \
            as progress:
        result, written = api.report(out_dir, db=db, as_of=at, open_definition=open_definition,
                                     n_draws=draws, seed=seed, fmt=report_format,
                                     definitions=[d.value for d in definitions or []] or None,
                                     progress=progress, today=common.today())
    print_gap_table(result)
    out.print(f"Report written to {written}")
