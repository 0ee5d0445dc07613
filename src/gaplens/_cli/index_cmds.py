"""Commands on the capability index: fit, index, compare, predict, factors."""

from __future__ import annotations

import sys
from typing import List, Optional

import typer

from .. import api
from ..report import formatting, terminal
from ..types import OpenDefinition, OutputFormat
from .common import (
    OpenDefinitionOption,
    SeedOption,
    BenchmarkSet,
    DbOption,
    FormatOption,
    Mode,
    Regularisation,
    app,
    emit_frame,
    out,
    print_warnings,
    progress_bar,
)


@app.command(epilog="Example: gaplens fit --draws 500 --seed 1")
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
    seed: int = SeedOption,
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
                                        "commercially)", top=10, width=out.width))
    print_warnings(fitted.warnings)


@app.command(epilog="Example: gaplens index --top 20")
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
    open_definition: OpenDefinition = OpenDefinitionOption,
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
        out.print(terminal.index_table(frame, f"{len(result.table)} models · {result.scale}",
                                       width=out.width))
        print_warnings(result.warnings)


@app.command(epilog='Example: gaplens compare "Kimi K2.5" GPT-5')
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
    if c.note:
        out.print(f"note: {c.note}", style="dim")


@app.command(epilog='Example: gaplens predict "Kimi K2.5" --benchmark "GPQA diamond"')
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
    out.print("Exp.: expected score with its 90% interval; Obs.: observed; Resid.: observed "
              "- expected. RMSE: the benchmark's typical residual in the fit, the spread of a "
              "single run around the expectation. Raw units: --format csv/json "
              "(expected_raw).", style="dim")


@app.command(epilog="Example: gaplens factors --dims 3")
def factors(
    dims: int = typer.Option(2, "--dims", help="Number of latent axes (2 or 3)."),
    open_definition: OpenDefinition = OpenDefinitionOption,
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
               headers={"share_of_spread": "share"},
               title=f"{dims} latent axes (axis 1 aligned with the capability index)")
    if len(r.heldout):
        emit_frame(r.heldout, fmt, ["model", "rmse", "rmse_sd", "mae"],
                   title="Held-out prediction error (points on 0-100, 5-fold, 2 splits)")
    groups = r.groups.assign(**{c: [formatting.fmt(v, 3) for v in r.groups[c]] for c in
                                ("open_mean", "closed_mean", "difference")})
    groups["interval"] = [formatting.fmt_ci(lo, hi, digits=3, sep=",")
                          for lo, hi in zip(r.groups["ci_low"], r.groups["ci_high"])]
    emit_frame(groups, fmt, ["axis", "open_mean", "closed_mean", "difference", "interval"],
               title="Open minus closed mean position",
               headers={"open_mean": "open", "closed_mean": "closed", "interval": "90% int."},
               legend="Mean positions on each axis; 90% bootstrap interval over models.")
    for j in range(2, dims + 1):
        col = f"loading_{j}"
        ordered = r.loadings.sort_values(col)
        ends = ordered.iloc[list(range(4)) + list(range(-4, 0))]
        emit_frame(ends, fmt, ["benchmark", "domain", col], title=f"Axis {j}: benchmarks at "
                                                                  "either end")
    print_warnings(r.warnings)
