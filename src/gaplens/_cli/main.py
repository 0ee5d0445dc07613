"""The gaplens command line: parse, call one library function, render."""

from __future__ import annotations

import sys
from contextlib import contextmanager
from enum import Enum
from typing import Optional

import typer
from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

from .. import api
from ..errors import GaplensError
from ..report import formatting, terminal
from ..types import OpenDefinition, OutputFormat

app = typer.Typer(add_completion=False, no_args_is_help=True, pretty_exceptions_enable=False,
                  help="The open-vs-closed language-model gap, per domain, with intervals.")
ingest_app = typer.Typer(no_args_is_help=True, help="Load data into the warehouse.")
app.add_typer(ingest_app, name="ingest")

out = Console(highlight=False, soft_wrap=False)
err = Console(stderr=True, highlight=False)


class By(str, Enum):
    DOMAIN = "domain"
    BENCHMARK = "benchmark"


DbOption = typer.Option(None, "--db", help="Warehouse file (default: $GAPLENS_DB or "
                        "~/.local/share/gaplens/warehouse.duckdb).")
FormatOption = typer.Option(OutputFormat.TABLE, "--format", "-f", help="Output format.")


@contextmanager
def progress_bar(label: str):
    """A progress callback for library functions; silent when stderr is not a terminal."""
    if not err.is_terminal:
        yield None
        return
    with Progress(TextColumn(label), BarColumn(), TextColumn("{task.completed}/{task.total}"),
                  TimeElapsedColumn(), console=err, transient=True) as bar:
        task = bar.add_task(label, total=None)

        def update(done: int, total: int) -> None:
            bar.update(task, completed=done, total=total)

        yield update


def emit_frame(frame, fmt: OutputFormat, columns: list[str], title: str | None = None) -> None:
    if fmt is OutputFormat.JSON:
        import json

        sys.stdout.write(json.dumps(formatting.records(frame), indent=2, ensure_ascii=False))
        sys.stdout.write("\n")
    elif fmt is OutputFormat.CSV:
        sys.stdout.write(formatting.frame_csv(frame))
    else:
        out.print(terminal.frame_table(frame, columns, title=title))


def print_gap_table(result) -> None:
    out.print(terminal.gap_table(result))
    for line in terminal.gap_footer(result):
        out.print(line, style="yellow" if line.startswith("warning") else "dim")


def print_ingest(report) -> None:
    out.print(terminal.frame_table(report.summary_frame(),
                                   ["table", "added", "updated", "unchanged", "conflicts"],
                                   title=f"Ingested {report.path}"))
    if len(report.rejected):
        reasons = report.rejected["reason"].str.replace(r"'[^']*'", "'…'", regex=True)
        counts = reasons.value_counts()
        out.print(f"{len(report.rejected)} rows rejected:")
        for reason, n in counts.head(8).items():
            out.print(f"  {n:5d}  {reason}")
        if len(counts) > 8:
            out.print(f"  ... {len(counts) - 8} more reasons ('gaplens sources' and the "
                      "warehouse's rejected table list every row)")
    if len(report.conflicts):
        out.print(f"{len(report.conflicts)} values disagreed with an existing source and "
                  "were not overwritten")


@ingest_app.command("epoch")
def ingest_epoch(
    path: str = typer.Argument(..., help="benchmark_data.zip or its unzipped folder"),
    benchmarks: Optional[str] = typer.Option(None, "--benchmarks", help="Extra benchmark "
                                             "definitions (CSV) layered on the bundled taxonomy."),
    db: Optional[str] = DbOption,
) -> None:
    """Read an Epoch AI Benchmarking Hub export."""
    with progress_bar("reading export") as progress:
        report = api.ingest_epoch(path, db=db, benchmarks=benchmarks, progress=progress)
    print_ingest(report)


@ingest_app.command("csv")
def ingest_csv(
    path: str = typer.Argument(..., help="Tidy CSV: model, benchmark, score, release_date, "
                               "accessibility or open, ..."),
    benchmarks: Optional[str] = typer.Option(None, "--benchmarks", help="Benchmark file: "
                                             "benchmark, domain, random_baseline, ceiling, "
                                             "test_set."),
    db: Optional[str] = DbOption,
) -> None:
    """Read a tidy CSV of results (docs/formats.md)."""
    print_ingest(api.ingest_csv(path, db=db, benchmarks=benchmarks))


@ingest_app.command("overrides")
def ingest_overrides(path: str = typer.Argument(..., help="CSV: model, accessibility, reason"),
                     db: Optional[str] = DbOption) -> None:
    """Correct models' accessibility with a reviewed overrides file."""
    print_ingest(api.ingest_overrides(path, db=db))


@app.command()
def gap(
    by: By = typer.Option(By.DOMAIN, "--by", help="One row per domain or per benchmark."),
    at: Optional[str] = typer.Option(None, "--at", help="Answer as of this date (YYYY-MM-DD); "
                                     "default: the newest release in the data."),
    open_definition: OpenDefinition = typer.Option(OpenDefinition.OPEN_WEIGHTS,
                                                   "--open-definition", help="What counts as open."),
    draws: int = typer.Option(1000, "--draws", help="Bootstrap draws (0: no intervals)."),
    seed: int = typer.Option(0, "--seed", help="Seed of the bootstrap."),
    min_models: int = typer.Option(3, "--min-models", help="Models needed in each group."),
    window: int = typer.Option(12, "--window", help="Months over which the lag's change is read."),
    tolerance: float = typer.Option(0.0, "--tolerance", help="Normalised difference under which "
                                    "the frontiers count as level (0: plain step distance)."),
    fmt: OutputFormat = FormatOption,
    db: Optional[str] = DbOption,
) -> None:
    """How far behind the best open model is, per domain or benchmark."""
    with progress_bar("bootstrap") as progress:
        result = api.gap(db=db, by=by.value, as_of=at, open_definition=open_definition,
                         n_draws=draws, seed=seed, min_models=min_models, window_months=window,
                         tolerance=tolerance, progress=progress)
    if fmt is OutputFormat.JSON:
        sys.stdout.write(formatting.gap_json(result) + "\n")
    elif fmt is OutputFormat.CSV:
        sys.stdout.write(formatting.frame_csv(result.table))
    else:
        print_gap_table(result)


@app.command()
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
    if versions:
        columns = ["model_id", "benchmark", "version_id", "score", "used"]
    else:
        columns = ["model_id", "organization", "release_date", "accessibility", "n_benchmarks"]
    emit_frame(frame, fmt, columns, title=f"{len(frame)} rows")


@app.command()
def benchmarks(
    domain: Optional[str] = typer.Option(None, "--domain", help="Only this domain."),
    at: Optional[str] = typer.Option(None, "--at", help="Count models released by this date."),
    open_definition: OpenDefinition = typer.Option(OpenDefinition.OPEN_WEIGHTS,
                                                   "--open-definition"),
    fmt: OutputFormat = FormatOption,
    db: Optional[str] = DbOption,
) -> None:
    """List the benchmarks, their domain, normalisation and coverage."""
    frame = api.benchmarks(db=db, domain=domain, as_of=at, open_definition=open_definition)
    emit_frame(frame, fmt, ["benchmark", "domain", "test_set", "unit", "n_open", "n_closed"],
               title=f"{len(frame)} benchmarks")


@app.command()
def sources(fmt: OutputFormat = FormatOption, db: Optional[str] = DbOption) -> None:
    """List what was ingested, when, and what it changed."""
    frame = api.sources(db=db)
    emit_frame(frame, fmt, ["source_id", "kind", "retrieved_on", "added", "updated", "rejected",
                            "path"])


@app.command()
def report(
    out_dir: str = typer.Option("gaplens-report", "--out", help="Folder to write into."),
    at: Optional[str] = typer.Option(None, "--at", help="As of this date."),
    open_definition: OpenDefinition = typer.Option(OpenDefinition.OPEN_WEIGHTS,
                                                   "--open-definition"),
    draws: int = typer.Option(1000, "--draws", help="Bootstrap draws."),
    seed: int = typer.Option(0, "--seed"),
    db: Optional[str] = DbOption,
) -> None:
    """Write a Markdown summary and static charts, and print the gap table."""
    with progress_bar("bootstrap") as progress:
        result, written = api.report(out_dir, db=db, as_of=at, open_definition=open_definition,
                                     n_draws=draws, seed=seed, progress=progress)
    print_gap_table(result)
    out.print(f"Report written to {written}")


def main(argv: list[str] | None = None) -> int:
    try:
        app(args=argv, standalone_mode=True)
    except GaplensError as exc:
        err.print(f"error: {exc}", markup=False, highlight=False, soft_wrap=True)
        return 2
    except SystemExit as exc:  # typer/click exit codes
        return int(exc.code or 0)
    return 0


def run() -> None:
    sys.exit(main())


if __name__ == "__main__":
    run()
