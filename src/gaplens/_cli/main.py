"""The gaplens command line: parse, call one library function, render."""

from __future__ import annotations

import sys
from contextlib import contextmanager
from enum import Enum
from typing import List, Optional

import pandas as pd
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


class On(str, Enum):
    BENCHMARKS = "benchmarks"
    INDEX = "index"


class Regularisation(str, Enum):
    LOG_ALPHA = "log-alpha"
    EPOCH = "epoch"
    SMALL = "small"


class BenchmarkSet(str, Enum):
    ALL = "all"
    EPOCH = "epoch"


class Mode(str, Enum):
    PROJECT = "project"
    REFIT = "refit"


DbOption = typer.Option(None, "--db", help="Warehouse file (default: $GAPLENS_DB or "
                        "~/.local/share/gaplens/warehouse.duckdb).")
FormatOption = typer.Option(OutputFormat.TABLE, "--format", "-f", help="Output format.")
AliasOption = typer.Option(None, "--aliases", help="Your reviewed alias CSV (source, name, "
                           "model_id, note), layered on the bundled one.")


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


def print_ingest(report, fmt: OutputFormat = OutputFormat.TABLE) -> None:
    if fmt is not OutputFormat.TABLE:
        summary = report.summary_frame()
        if fmt is OutputFormat.CSV:
            sys.stdout.write(formatting.frame_csv(summary))
            return
        sys.stdout.write(formatting.payload_json(
            "gaplens.ingest/1", {"kind": report.kind, "path": report.path,
                                 "source_id": report.source_id},
            {"counts": summary, "matches": report.matches, "rejected": report.rejected,
             "conflicts": report.conflicts}) + "\n")
        return
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
    if len(report.matches):
        counts = report.matches["how"].value_counts()
        out.print("Model names: " + ", ".join(f"{counts.get(h, 0)} {h}" for h in
                                             ("exact", "alias", "new", "ambiguous", "unmatched")))
        for how in ("ambiguous", "unmatched"):
            rows = report.matches.loc[report.matches["how"] == how]
            if len(rows):
                shown = ", ".join(rows["name"].astype(str).head(10))
                more = f" and {len(rows) - 10} more" if len(rows) > 10 else ""
                out.print(f"  {how}: {shown}{more} (their rows are listed as rejected; map "
                          "them with --aliases FILE: source, name, model_id, note)")
    if len(report.conflicts):
        out.print(f"{len(report.conflicts)} values disagreed with an existing source and "
                  "were not overwritten")


@ingest_app.command("epoch")
def ingest_epoch(
    path: str = typer.Argument(..., help="benchmark_data.zip or its unzipped folder"),
    benchmarks: Optional[str] = typer.Option(None, "--benchmarks", help="Extra benchmark "
                                             "definitions (CSV) layered on the bundled taxonomy."),
    fmt: OutputFormat = FormatOption,
    db: Optional[str] = DbOption,
) -> None:
    """Read an Epoch AI Benchmarking Hub export."""
    with progress_bar("reading export") as progress:
        report = api.ingest_epoch(path, db=db, benchmarks=benchmarks, progress=progress)
    print_ingest(report, fmt)


@ingest_app.command("csv")
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


@ingest_app.command("inspect")
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


@ingest_app.command("aa")
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
    """Read Artificial Analysis leaderboard snapshots (credit: Artificial Analysis,
    https://artificialanalysis.ai)."""
    print_ingest(api.ingest_aa(path, db=db, retrieved_on=retrieved_on, as_of=as_of,
                               aliases=aliases), fmt)


@ingest_app.command("lmarena")
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


@ingest_app.command("openrouter")
def ingest_openrouter(
    path: str = typer.Argument(..., help="OpenRouter weekly top-models CSV, or a folder of "
                               "weekly JSON files."),
    aliases: Optional[str] = AliasOption,
    fmt: OutputFormat = FormatOption,
    db: Optional[str] = DbOption,
) -> None:
    """Read OpenRouter weekly token usage of the top models (a top-N share, not the market)."""
    print_ingest(api.ingest_openrouter(path, db=db, aliases=aliases), fmt)


@ingest_app.command("livebench")
def ingest_livebench(
    path: str = typer.Argument(..., help="Folder of LiveBench table_*.csv and "
                               "categories_*.json (optional livebench_model_metadata.csv)."),
    aliases: Optional[str] = AliasOption,
    fmt: OutputFormat = FormatOption,
    db: Optional[str] = DbOption,
) -> None:
    """Read LiveBench releases as per-category signals (cite White et al., ICLR 2025)."""
    print_ingest(api.ingest_livebench(path, db=db, aliases=aliases), fmt)


@ingest_app.command("overrides")
def ingest_overrides(path: str = typer.Argument(..., help="CSV: model, accessibility, reason"),
                     fmt: OutputFormat = FormatOption,
                     db: Optional[str] = DbOption) -> None:
    """Correct models' accessibility with a reviewed overrides file."""
    print_ingest(api.ingest_overrides(path, db=db), fmt)


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
    window: Optional[List[int]] = typer.Option(None, "--window", help="Months over which the "
                                               "lag's change is read (default 12); with --on "
                                               "index, windows to average the lag over "
                                               "(repeatable; default 12 and 24)."),
    on: On = typer.Option(On.BENCHMARKS, "--on", help="Read the gap on benchmark frontiers, or "
                          "on the capability index (general and per domain)."),
    domain: Optional[List[str]] = typer.Option(None, "--domain", help="With --on index: only "
                                               "these domains (repeatable)."),
    tolerance: float = typer.Option(0.0, "--tolerance", help="Normalised difference under which "
                                    "the frontiers count as level (0: plain step distance)."),
    fmt: OutputFormat = FormatOption,
    db: Optional[str] = DbOption,
) -> None:
    """How far behind the best open model is, per domain or benchmark (or on the index)."""
    if on is On.INDEX:
        with progress_bar("fitting the capability index") as progress:
            result = api.index_gap(db=db, as_of=at, open_definition=open_definition,
                                   domains=domain or None, windows=tuple(window or (12, 24)),
                                   progress=progress)
        print_index_gap(result, fmt)
        return
    with progress_bar("bootstrap") as progress:
        result = api.gap(db=db, by=by.value, as_of=at, open_definition=open_definition,
                         n_draws=draws, seed=seed, min_models=min_models,
                         window_months=(window or [12])[0], tolerance=tolerance,
                         progress=progress)
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


def print_index_gap(result, fmt: OutputFormat) -> None:
    if fmt is OutputFormat.JSON:
        settings = {"as_of": result.settings.as_of,
                    "open_definition": result.settings.open_definition,
                    "windows": list(result.settings.windows), "ci": result.settings.ci}
        sys.stdout.write(formatting.payload_json(
            "gaplens.index-gap/1", settings, {"rows": result.table,
                                              "timeline": result.timeline},
            result.warnings) + "\n")
    elif fmt is OutputFormat.CSV:
        sys.stdout.write(formatting.frame_csv(result.table))
    else:
        out.print(terminal.index_gap_table(result))
        out.print(terminal.INDEX_GAP_FOOTER, style="dim")
        for w in result.warnings:
            out.print(f"warning: {w}", style="yellow")


def print_warnings(warnings) -> None:
    for w in warnings:
        err.print(f"warning: {w}", style="yellow", markup=False)


@app.command()
def fit(
    regularisation: Regularisation = typer.Option(Regularisation.LOG_ALPHA, "--regularisation",
                                                  help="log-alpha: lambda 0.1 on log(slope) "
                                                  "(default); epoch: lambda 0.1 on slope "
                                                  "(Epoch's production fit); small: lambda "
                                                  "0.001 on slope."),
    benchmark_set: BenchmarkSet = typer.Option(BenchmarkSet.ALL, "--benchmarks",
                                               help="all: every bounded-score benchmark; epoch: "
                                               "the 42 of Epoch's published index."),
    anchor_benchmark: str = typer.Option("Winogrande", "--anchor-benchmark",
                                         help="Benchmark fixed at difficulty 0, slope 1."),
    anchor_low: str = typer.Option("Claude 3.5 Sonnet", "--anchor-low"),
    anchor_low_value: float = typer.Option(130.0, "--anchor-low-value"),
    anchor_high: str = typer.Option("GPT-5", "--anchor-high"),
    anchor_high_value: float = typer.Option(150.0, "--anchor-high-value"),
    min_benchmarks: int = typer.Option(4, "--min-benchmarks", help="Benchmarks a model needs."),
    since: str = typer.Option("2023-01-01", "--since", help="Results released on or after."),
    at: Optional[str] = typer.Option(None, "--at", help="Only results released by this date."),
    draws: int = typer.Option(500, "--draws", help="Bootstrap draws."),
    seed: int = typer.Option(0, "--seed"),
    sensitivity: bool = typer.Option(False, "--sensitivity", help="Compare the "
                                     "regularisations (held-out error, trends, slopes); "
                                     "stores nothing."),
    check_epoch: bool = typer.Option(False, "--check-epoch", help="Compare with Epoch's "
                                     "published index and difficulties; stores nothing."),
    fmt: OutputFormat = FormatOption,
    db: Optional[str] = DbOption,
) -> None:
    """Fit the capability index (y = sigmoid(slope (C - D))) and store it."""
    options = dict(regularisation=regularisation.value, benchmarks=benchmark_set.value,
                   anchor_benchmark=anchor_benchmark, anchor_low=anchor_low,
                   anchor_low_value=anchor_low_value, anchor_high=anchor_high,
                   anchor_high_value=anchor_high_value, min_benchmarks=min_benchmarks,
                   since=since, as_of=at, n_draws=draws, seed=seed)
    if sensitivity:
        result = api.fit_sensitivity(db=db, **options)
        columns = ["regularisation", "heldout_rmse", "heldout_rmse_sd", "trend_raw_per_year",
                   "trend_change_vs_default", "mean_slope_scaled", "slopes_at_bound",
                   "spearman_vs_default", "max_index_shift"]
        if fmt is OutputFormat.TABLE:
            short = ["choice", "held-out", "±", "trend/yr", "vs dflt", "slope", "at bound",
                     "Spearman", "max shift"]
            shown = result.table[columns].set_axis(short, axis=1)
            emit_frame(shown, fmt, short,
                       title=f"Regularisation sensitivity (held-out RMSE: {result.k_folds}-fold,"
                             " points on 0-100; trend: raw capability units per year; slope: "
                             "mean on the index scale; shifts against the default)")
            out.print("Default: log-alpha. Held-out errors differ by less than their spread "
                      "between splits; lambda 0.1 on the slope inflates the raw capability "
                      "trend and shrinks steep slopes (docs/index.md).", style="dim")
        else:
            emit_frame(result.table, fmt, columns)
        return
    with progress_bar("bootstrap") as progress:
        fitted = api.fit_index(db=db, progress=progress, store=not check_epoch, **options)
    if check_epoch:
        check = api.epoch_agreement(fitted, db=db)
        if fmt is OutputFormat.TABLE:
            for line in check.summary_lines():
                out.print(line)
            emit_frame(check.largest, fmt, ["model_id", "n_benchmarks", "index", "epoch_eci",
                                            "difference"],
                       title="Largest differences from Epoch's ECI")
            emit_frame(check.benchmarks.head(10), fmt, ["benchmark", "n_models", "edi",
                                                         "epoch_edi", "difference"],
                       title="Largest differences from Epoch's EDI")
        else:
            emit_frame(check.models, fmt, list(check.models.columns))
        return
    if fmt is not OutputFormat.TABLE:
        emit_frame(fitted.models, fmt, list(fitted.models.columns))
        return
    s = fitted.settings
    out.print(f"Fitted {len(fitted.models)} models × {len(fitted.benchmarks)} benchmarks "
              f"({len(fitted.obs)} results) · {s.reg.label} · anchor {s.anchor_benchmark} · "
              f"{fitted.n_draws} draws, {fitted.failed_draws} failed · stored in the warehouse")
    top = api.index(db=db).table
    out.print(terminal.index_table(top, "Top 10 (group: open = open weights usable "
                                        "commercially)", top=10))
    print_warnings(fitted.warnings)


@app.command()
def index(
    domain: Optional[str] = typer.Option(None, "--domain", help="A domain's index instead of "
                                         "the general one."),
    mode: Mode = typer.Option(Mode.PROJECT, "--mode", help="project: same scale as the general "
                              "index (benchmark parameters frozen); refit: the domain's own fit "
                              "and scale."),
    accessibility: Optional[str] = typer.Option(None, "--accessibility"),
    organization: Optional[str] = typer.Option(None, "--organization", help="Substring match."),
    country: Optional[str] = typer.Option(None, "--country", help="Substring match."),
    since: Optional[str] = typer.Option(None, "--since", help="Released on or after."),
    until: Optional[str] = typer.Option(None, "--until", help="Released on or before."),
    open_definition: OpenDefinition = typer.Option(OpenDefinition.OPEN_WEIGHTS,
                                                   "--open-definition"),
    top: Optional[int] = typer.Option(None, "--top", help="Show only the first N rows."),
    fmt: OutputFormat = FormatOption,
    db: Optional[str] = DbOption,
) -> None:
    """Models with their capability index and 90% interval."""
    with progress_bar("fitting the capability index") as progress:
        result = api.index(db=db, domain=domain, mode=mode.value, accessibility=accessibility,
                           organization=organization, country=country, since=since,
                           until=until, open_definition=open_definition, progress=progress)
    frame = result.table if top is None else result.table.head(top)
    if fmt is OutputFormat.JSON:
        sys.stdout.write(formatting.payload_json("gaplens.index/1", result.settings,
                                                 {"rows": frame}, result.warnings,
                                                 scale=result.scale,
                                                 fitted_at=result.created_at) + "\n")
    elif fmt is OutputFormat.CSV:
        sys.stdout.write(formatting.frame_csv(frame))
    else:
        out.print(terminal.index_table(frame, f"{len(result.table)} models · {result.scale}"))
        print_warnings(result.warnings)


@app.command()
def compare(
    model_a: str = typer.Argument(..., help="Model id or display name"),
    model_b: str = typer.Argument(..., help="Model id or display name"),
    domain: Optional[str] = typer.Option(None, "--domain", help="Compare on a domain's "
                                         "projected index."),
    fmt: OutputFormat = FormatOption,
    db: Optional[str] = DbOption,
) -> None:
    """The index difference between two models, with its interval."""
    c = api.compare(model_a, model_b, db=db, domain=domain)
    if fmt is not OutputFormat.TABLE:
        emit_frame(c.to_frame(), fmt, [])
        return
    verdict = ("distinguishable from zero" if c.distinguishable else
               "not distinguishable from zero")
    out.print(f"{c.model_a} ({formatting.fmt(c.index_a)}) − {c.model_b} "
              f"({formatting.fmt(c.index_b)}) on the {c.scope} index:")
    out.print(f"  {formatting.fmt(c.difference, signed=True)} points, "
              f"{int(c.ci * 100)}% interval {formatting.fmt_ci(c.ci_low, c.ci_high)}: {verdict} "
              f"(order reversed in {100 * c.share_reversed:.1f}% of {c.n_draws} draws)")


@app.command()
def predict(
    model: str = typer.Argument(..., help="Model id or display name"),
    benchmark: Optional[List[str]] = typer.Option(None, "--benchmark", help="Only these "
                                                  "benchmarks (repeatable)."),
    fmt: OutputFormat = FormatOption,
    db: Optional[str] = DbOption,
) -> None:
    """Expected scores of a model from its capability, with residuals where it has a score."""
    frame = api.predict(model, db=db, benchmarks=benchmark or None)
    if fmt is not OutputFormat.TABLE:
        emit_frame(frame, fmt, list(frame.columns))
        return
    out.print(terminal.prediction_table(
        frame, f"{frame['model_id'].iloc[0]}: expected normalised scores (0-100) · "
               f"{frame['basis'].iloc[0]}"))
    out.print("Raw units: --format csv/json (expected_raw). RMSE: the benchmark's typical "
              "residual in the fit, the spread of a single run around the expectation.",
              style="dim")


@app.command()
def factors(
    dims: int = typer.Option(2, "--dims", help="Number of latent axes (2 or 3)."),
    open_definition: OpenDefinition = typer.Option(OpenDefinition.OPEN_WEIGHTS,
                                                   "--open-definition"),
    heldout: bool = typer.Option(True, "--heldout/--no-heldout", help="Cross-validate against "
                                 "the one-dimensional index (a few seconds)."),
    fmt: OutputFormat = FormatOption,
    db: Optional[str] = DbOption,
) -> None:
    """The shape behind one number: a 2-3 factor fit with loadings and positions."""
    r = api.factors(db=db, dims=dims, open_definition=open_definition, heldout=heldout)
    if fmt is OutputFormat.JSON:
        sys.stdout.write(formatting.payload_json(
            "gaplens.factors/1", {"dims": dims, "open_definition": open_definition.value},
            {"axes": r.axes, "groups": r.groups, "heldout": r.heldout,
             "loadings": r.loadings, "positions": r.positions}, r.warnings) + "\n")
        return
    if fmt is OutputFormat.CSV:
        sys.stdout.write(formatting.frame_csv(r.positions))
        return
    emit_frame(r.axes, fmt, ["axis", "label", "share_of_spread"],
               title=f"{dims} latent axes (axis 1 aligned with the capability index)")
    if len(r.heldout):
        emit_frame(r.heldout, fmt, ["model", "rmse", "rmse_sd", "mae"],
                   title="Held-out prediction error (points on 0-100, 5-fold, 2 splits)")
    emit_frame(r.groups, fmt, ["axis", "open_mean", "closed_mean", "difference", "ci_low",
                               "ci_high"], title="Open minus closed mean position (90% "
                                                 "bootstrap interval over models)")
    for j in range(2, dims + 1):
        col = f"loading_{j}"
        ordered = r.loadings.sort_values(col)
        ends = ordered.iloc[list(range(4)) + list(range(-4, 0))]
        emit_frame(ends, fmt, ["benchmark", "domain", col], title=f"Axis {j}: benchmarks at "
                                                                  "either end")
    print_warnings(r.warnings)


@app.command()
def composite(
    version: str = typer.Option("v4.0", "--version", help="Composite version (data/"
                                "composites.csv): v4.0 or v4.1."),
    at: Optional[str] = typer.Option(None, "--at", help="Snapshot date (default: the newest)."),
    open_definition: OpenDefinition = typer.Option(OpenDefinition.OPEN_WEIGHTS,
                                                   "--open-definition"),
    draws: int = typer.Option(2000, "--draws", help="Weight draws."),
    kappa: float = typer.Option(20.0, "--kappa", help="Dirichlet concentration: larger keeps "
                                "weights closer to the published ones."),
    seed: int = typer.Option(0, "--seed"),
    fmt: OutputFormat = FormatOption,
    db: Optional[str] = DbOption,
) -> None:
    """The AA Intelligence Index recomputed, and how much the weights decide the gap."""
    r = api.composite(db=db, version=version, as_of=at, open_definition=open_definition,
                      n_draws=draws, kappa=kappa, seed=seed)
    w = r.sensitivity
    if fmt is OutputFormat.JSON:
        settings = {"version": version, "as_of": w.as_of, "open_definition": w.open_definition,
                    "draws": draws, "kappa": kappa, "seed": seed}
        sys.stdout.write(formatting.payload_json(
            "gaplens.composite/1", settings,
            {"agreement": r.agreement.table, "implied_weights": r.agreement.implied,
             "gap": w.gap_summary, "leaders": w.leaders, "alternatives": w.alternatives,
             "category_effects": w.category_effects, "ranking": w.ranking},
            w.warnings, published=w.published) + "\n")
        return
    if fmt is OutputFormat.CSV:
        sys.stdout.write(formatting.frame_csv(w.alternatives))
        return
    p = w.published
    out.print(f"AA Intelligence Index {w.version} recomputed on the snapshot of {w.as_of}: "
              f"{w.n_models} models with every sub-evaluation ({w.n_open} open, "
              f"{w.n_closed} closed; open = {w.open_definition}).")
    out.print(f"Gap: {p['closed_leader']} {p['closed_level']:.1f} − {p['open_leader']} "
              f"{p['open_level']:.1f} = {p['gap']:.1f} points.")
    g = w.gap_summary.iloc[0]
    out.print(f"Under sampled weights ({g['scheme']}, {int(g['draws'])} draws): gap median "
              f"{g['gap_median']:.1f}, 90% of draws in [{g['gap_ci_low']:.1f}, "
              f"{g['gap_ci_high']:.1f}], range [{g['gap_min']:.1f}, {g['gap_max']:.1f}]; the "
              f"leader changes in {100 * g['leader_changed']:.1f}% of draws; top-10 overlap "
              f"{100 * g['top10_overlap_mean']:.0f}% on average.")
    emit_frame(w.alternatives, fmt, ["name", "gap", "leader", "leader_group", "top10_overlap"],
               title="Named weightings")
    emit_frame(w.category_effects, fmt, ["category", "published_weight", "gap_per_unit_weight",
                                         "ci_low", "ci_high"],
               title="What moves the gap: change in gap per unit of a category's weight")
    recent = r.agreement.table.loc[r.agreement.table["version"] == version].tail(6)
    emit_frame(recent, fmt, ["snapshot", "n", "corr", "mean_diff", "max_abs_diff"],
               title=f"Recomputed {version} against AA's published index (recent snapshots)")
    change = r.agreement.change_point(version)
    if change is not None:
        out.print(f"From {change} on, the recomputed {version} no longer matches AA's published "
                  "index (see the implied weights in --format json): AA changed the "
                  "composition on or before that snapshot, so the published number means "
                  "something different from then on.", style="yellow")
    out.print("AA publishes no per-model intervals; the spread above is that of the weighting "
              "choice alone.", style="dim")
    print_warnings(w.warnings)


@app.command()
def realworld(
    target: Optional[List[str]] = typer.Option(None, "--target", help="A signal (e.g. "
                                               "lmarena.text, openrouter.share) or "
                                               "benchmark:NAME (your own evaluation); "
                                               "repeatable. The first is the residuals' target."),
    predictor: str = typer.Option("index: general", "--predictor", help="Predictor for the "
                                  "residuals: 'index: general', 'index: DOMAIN', 'benchmark: "
                                  "NAME' or 'composite: AA index'."),
    open_definition: OpenDefinition = typer.Option(OpenDefinition.OPEN_WEIGHTS,
                                                   "--open-definition"),
    min_models: int = typer.Option(8, "--min-models", help="Models needed for a correlation."),
    seed: int = typer.Option(0, "--seed"),
    fmt: OutputFormat = FormatOption,
    db: Optional[str] = DbOption,
) -> None:
    """Which benchmarks agree with real-world use, and which models sit above or below it."""
    r = api.realworld(db=db, targets=target or None, predictor=predictor,
                      open_definition=open_definition, min_models=min_models, seed=seed)
    if fmt is OutputFormat.JSON:
        sys.stdout.write(formatting.payload_json(
            "gaplens.realworld/1", {"predictor": r.focus[0], "target": r.focus[1],
                                    "open_definition": open_definition.value, "seed": seed},
            {"correlations": r.correlations, "standing": r.standing,
             "residuals": r.residuals, "groups": r.groups},
            r.notes) + "\n")
        return
    if fmt is OutputFormat.CSV:
        sys.stdout.write(formatting.frame_csv(r.correlations))
        return
    emit_frame(r.best, fmt, ["target", "predictor", "n", "spearman", "ci_low", "ci_high"],
               title="Best-agreeing predictors per target (Spearman, 90% bootstrap interval; "
                     "all dates)")
    cols = ["target", "best_closed", "best_closed_value", "best_open", "best_open_value",
            "gap", "gap_ci_low", "gap_ci_high", "open_mean_percentile"]
    short = ["target", "best closed", "value", "best open", "value ", "gap", "low", "high",
             "open pct"]
    stand = r.standing.reindex(columns=cols).set_axis(short, axis=1)
    emit_frame(stand, fmt, short,
               title="Where open models stand on each target (gap: best closed − best open, "
                     "90% bootstrap interval over models; open models' mean percentile rank)")
    shown = r.residuals.iloc[list(range(min(6, len(r.residuals))))
                             + list(range(-min(6, len(r.residuals)), 0))]
    if len(shown):
        emit_frame(shown, fmt, ["model_id", "group", "predictor_pct", "target_pct", "residual"],
                   title=f"Largest residuals of {r.focus[1]} on {r.focus[0]} (percentile "
                         "ranks; positive = used or liked more than its benchmarks predict)")
    if len(r.groups):
        emit_frame(r.groups.sort_values("p_value").head(12), fmt,
                   ["grouping", "group", "n", "difference_vs_rest", "ci_low", "ci_high",
                    "p_value"],
                   title=f"Groups: mean residual against the rest (permutation p-value; "
                         f"{len(r.groups)} groups tested, p-values not corrected for that)")
    for note in r.notes:
        out.print(f"note: {note}", style="dim")


@app.command()
def overfit(
    split: Optional[List[str]] = typer.Option(None, "--split", help="private, optimised or ood "
                                              "(repeatable; default all three)."),
    open_definition: OpenDefinition = typer.Option(OpenDefinition.OPEN_WEIGHTS,
                                                   "--open-definition"),
    min_results: int = typer.Option(2, "--min-results", help="Results a model needs on each "
                                    "side of a split."),
    perms: int = typer.Option(300, "--perms", help="Random benchmark splits for the p-values."),
    seed: int = typer.Option(0, "--seed"),
    fmt: OutputFormat = FormatOption,
    db: Optional[str] = DbOption,
) -> None:
    """Over-fitting signals: do models score lower where they could not have been tuned?"""
    r = api.overfit(db=db, splits=split or None, open_definition=open_definition,
                    min_results=min_results, n_perm=perms, seed=seed)
    if fmt is OutputFormat.JSON:
        tables = {}
        for s in r.splits:
            tables[f"{s.split}_groups"] = s.groups
            tables[f"{s.split}_models"] = s.models
        lag = pd.DataFrame([{"lag": k, **v} for k, v in r.lag_by_test_set.items()])
        tables["lag_by_test_set"] = lag
        sys.stdout.write(formatting.payload_json(
            "gaplens.overfit/1", {"open_definition": r.open_definition, "perms": perms,
                                  "seed": seed, "min_results": min_results}, tables,
            [n for s in r.splits for n in s.notes]) + "\n")
        return
    if fmt is OutputFormat.CSV:
        sys.stdout.write(formatting.frame_csv(pd.concat(
            [s.groups.assign(split=s.split) for s in r.splits], ignore_index=True)))
        return
    for s in r.splits:
        out.print(f"[bold]{s.split}[/bold]: {s.description} ({len(s.reference)} vs "
                  f"{len(s.comparison)} benchmarks). Negative = lower where it could not "
                  "have been tuned.")
        emit_frame(s.groups.sort_values("p_value"), fmt,
                   ["grouping", "group", "n", "mean_delta", "ci_low", "ci_high", "vs_rest",
                    "p_value"], title="Mean difference per group, index points (90% interval;"
                                      " p-value against random benchmark splits)")
        emit_frame(s.models.head(5), fmt, ["model_id", "group", "delta", "ci_low", "ci_high"],
                   title="Most negative models")
        for note in s.notes:
            out.print(f"note: {note}", style="dim")
    for lag, v in r.lag_by_test_set.items():
        out.print(f"Open lag on private vs public benchmarks ({lag}): median "
                  f"{v['private_median']:.1f} vs {v['public_median']:.1f} months over "
                  f"{v['n_private']} and {v['n_public']} benchmarks, ratio {v['ratio']:.2f} "
                  f"[{v['ratio_ci_low']:.2f}, {v['ratio_ci_high']:.2f}] (Ihle: 1.7-1.9).")


@app.command()
def lifecycle(
    at: Optional[str] = typer.Option(None, "--at", help="As of this date (YYYY-MM-DD); "
                                     "default: the newest release in the data."),
    top_k: int = typer.Option(5, "--top-k", help="Top models tested for saturation."),
    seed: int = typer.Option(0, "--seed", help="Seed of the bootstraps."),
    fmt: OutputFormat = FormatOption,
    db: Optional[str] = DbOption,
) -> None:
    """Which benchmarks are saturated, and which domain's benchmarks carry the frontier."""
    from ..analysis.lifecycle import settings_dict

    r = api.lifecycle(db=db, as_of=at, top_k=top_k, seed=seed)
    if fmt is OutputFormat.JSON:
        sys.stdout.write(formatting.payload_json(
            "gaplens.lifecycle/1", settings_dict(r.settings), r.tables(), r.warnings,
            notes=list(r.notes)) + "\n")
        return
    if fmt is OutputFormat.CSV:
        sys.stdout.write(formatting.frame_csv(r.benchmarks))
        return
    b = r.benchmarks
    shown = b[["benchmark", "domain", "status"]].assign(
        since=[formatting.month_of(v) if v else "" for v in b["saturated_since"]],
        frontier=[formatting.fmt(v) for v in b["frontier"]],
        **{f"{x}%": [formatting.month_of(v) if v else "not yet" for v in b[f"reached_{x}"]]
           for x in (50, 80, 90)},
        spread=[f"{formatting.fmt(v)} {formatting.fmt_ci(lo, hi)}" for v, lo, hi in
                zip(b["spread"], b["spread_ci_low"], b["spread_ci_high"])],
        p=[formatting.fmt(v, 3) for v in b["p_value"]])
    emit_frame(shown, fmt, list(shown.columns),
               title=f"Benchmark lifecycle as of {r.settings.as_of}: frontier and top-{top_k} "
                     "spread in normalised points (90% interval), month each level was "
                     "first reached, p of the top models' equality")
    emit_frame(r.focus, fmt, ["quarter", "raw_focus", "raw_share", "focus", "shift",
                              "n_discriminating", "runner_up"],
               title="Domain carrying the frontier per quarter (largest summed top-k spread "
                     "of discriminating benchmarks; a shift holds 2 quarters)")
    iv = r.interval
    out.print(f"Focus shifts: {iv.n_shifts}; mean interval {formatting.fmt(iv.estimate_months)} "
              f"months (bootstrap median {formatting.fmt(iv.median_months)}, 90% interval "
              f"{formatting.fmt_ci(iv.ci_low, iv.ci_high) or '–'}).")
    for note in r.notes:
        out.print(f"note: {note}", style="dim")
    print_warnings(r.warnings)


@app.command()
def forecast(
    at: Optional[str] = typer.Option(None, "--at", help="Cut-off (YYYY-MM-DD); default: the "
                                     "newest release in the data."),
    domain: Optional[List[str]] = typer.Option(None, "--domain", help="Only these domains "
                                               "(repeatable; default: every domain)."),
    window: int = typer.Option(24, "--window", help="Months of frontier history the trend "
                               "is fitted on."),
    seed: int = typer.Option(0, "--seed", help="Seed of the resampling."),
    open_definition: OpenDefinition = typer.Option(OpenDefinition.OPEN_WEIGHTS,
                                                   "--open-definition",
                                                   help="What counts as open."),
    fmt: OutputFormat = FormatOption,
    db: Optional[str] = DbOption,
) -> None:
    """When open reaches today's closed frontier on current trends, and how well that
    worked before."""
    with progress_bar("fitting the capability index") as progress:
        r = api.forecast(db=db, as_of=at, domains=domain or None, window_months=window,
                         seed=seed, open_definition=open_definition, progress=progress)
    if fmt is OutputFormat.JSON:
        sys.stdout.write(formatting.payload_json(
            "gaplens.forecast/1", r.settings.to_dict(),
            {"trends": r.trends, "catch_up": r.catch_up, "projections": r.projections,
             "backtest": r.backtest, "backtest_summary": r.backtest_summary},
            r.warnings) + "\n")
        return
    if fmt is OutputFormat.CSV:  # one frame: the trends (JSON has them all)
        sys.stdout.write(formatting.frame_csv(r.trends))
        return
    trends = r.trends.reindex(columns=["scope", "group", "n_points", "slope_per_year",
                                       "slope_per_year_ci_low", "slope_per_year_ci_high",
                                       "frontier_at_cutoff", "level_12m", "level_12m_ci_low",
                                       "level_12m_ci_high"])
    trends.columns = ["scope", "group", "pts", "slope/yr", "low", "high", "now", "+12 mo",
                      "low ", "high "]
    emit_frame(trends, fmt, list(trends.columns),
               title=f"Frontier trends as of {r.settings.as_of} (index points a year; "
                     f"{r.settings.window_months}-month window; {r.settings.ci:.0%} intervals)")
    catch = r.catch_up.reindex(columns=["scope", "verdict", "gap", "catch_up_months",
                                        "catch_up_ci_low", "catch_up_ci_high", "meet_months",
                                        "meet_share_within"])
    catch.columns = ["scope", "verdict", "gap", "catch-up mo", "low", "high", "meet mo",
                     "P(meet<5y)"]
    emit_frame(catch, fmt, list(catch.columns),
               title="Catch-up: months until the open trend reaches today's closed frontier, "
                     "and until the trends meet (inf: not on current trends)")
    for line in r.catch_up["summary"]:
        out.print(line, style="dim", markup=False)
    back = r.backtest_summary.reindex(columns=["scope", "quantity", "horizon_months",
                                               "n_scored", "mae", "bias", "coverage",
                                               "naive_mae", "n_censored"])
    back.columns = ["scope", "quantity", "h mo", "n", "MAE", "bias", "cover", "naive", "cens."]
    emit_frame(back, fmt, list(back.columns),
               title="Back-test on earlier cut-offs (error = predicted - realised; index "
                     "points, catch-up in months; naive: frontier unchanged / today's lag)")
    out.print("The index was fitted on all data, including after each cut-off: the back-test "
              "measures the trend method, not the index's own drift.", style="dim")
    print_warnings(r.warnings)


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
