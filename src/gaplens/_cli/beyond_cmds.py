"""Commands beyond one number: composite, realworld, overfit, lifecycle, forecast."""

from __future__ import annotations

import sys
from typing import List, Optional

import pandas as pd
import typer
from rich.text import Text

from .. import api
from ..report import formatting
from ..types import OpenDefinition, OutputFormat
from .common import (
    AtOption,
    OpenDefinitionOption,
    SeedOption,
    DbOption,
    FormatOption,
    app,
    emit_frame,
    out,
    print_warnings,
    progress_bar,
)


@app.command(epilog="Example: gaplens composite --version v4.1")
def composite(
    version: str = typer.Option("v4.0", "--version", help="Composite version (data/"
                                "composites.csv): v4.0 or v4.1."),
    at: Optional[str] = typer.Option(None, "--at", help="Snapshot date (default: the newest "
                                     "at which the recomputation matches AA's index)."),
    open_definition: OpenDefinition = OpenDefinitionOption,
    draws: int = typer.Option(2000, "--draws", help="Weight draws."),
    kappa: float = typer.Option(20.0, "--kappa", help="Dirichlet concentration: larger keeps "
                                "weights closer to the published ones."),
    seed: int = SeedOption,
    fmt: OutputFormat = FormatOption,
    db: Optional[str] = DbOption,
) -> None:
    """AA's published Intelligence Index beside its recomputation, and its weights' effect.

    How much the choice of weights decides the recomputed gap (sampled and named
    weightings)."""
    r = api.composite(db=db, version=version, as_of=at, open_definition=open_definition,
                      n_draws=draws, kappa=kappa, seed=seed)
    w = r.sensitivity
    if fmt is OutputFormat.JSON:
        settings = {"version": version, "as_of": r.as_of, "open_definition": r.open_definition,
                    "draws": draws, "kappa": kappa, "seed": seed}
        tables = {"agreement": r.agreement.table, "implied_weights": r.agreement.implied}
        if w is not None:
            tables.update({"gap": w.gap_summary, "leaders": w.leaders,
                           "alternatives": w.alternatives,
                           "category_effects": w.category_effects, "ranking": w.ranking})
        sys.stdout.write(formatting.payload_json(
            "gaplens.composite/2", settings, tables, r.warnings,
            published=_clean(r.published),
            recomputed=(_clean({**w.recomputed, **w.counts}) if w is not None else None),
            not_recomputable=list(r.missing), notes=list(r.notes)) + "\n")
        return
    if fmt is OutputFormat.CSV:
        sys.stdout.write(formatting.frame_csv(w.alternatives if w is not None
                                              else r.agreement.table))
        return
    p = r.published
    say = out.print
    say(f"AA's published Intelligence Index on the snapshot of {r.as_of}: "
        f"{p['closed_leader']} {p['closed_level']:.2f} (best closed) − {p['open_leader']} "
        f"{p['open_level']:.2f} (best open) = {p['gap']:.2f} points (open = "
        f"{r.open_definition}).", markup=False)
    say(f"{p['n_models']} models with AA values = {p['n_open']} open + {p['n_closed']} closed "
        f"+ {p['n_other']} neither under this definition + {p['n_estimated']} with an "
        f"estimated index (left out) + {p['n_no_index']} without an index.", markup=False)
    for note in r.notes:
        say(note, style="dim", markup=False)
    if w is None:  # the warning says which evaluations are missing
        print_warnings(r.warnings)
        return
    c, q = w.counts, w.recomputed
    say(f"Recomputed {version} from the sub-evaluations: {q['closed_leader']} "
        f"{q['closed_level']:.2f} − {q['open_leader']} {q['open_level']:.2f} = "
        f"{q['gap']:.2f} points ({q['gap_minus_published']:+.2f} against the published gap).",
        markup=False)
    say(f"{c['n_models']} models = {c['n_recomputed']} with every evaluation ({c['n_open']} "
        f"open + {c['n_closed']} closed + {c['n_other']} neither) + "
        f"{c['n_missing_evaluations']} missing an evaluation.", markup=False)
    if q["n_compared"]:
        say(f"Recomputed vs published index on this snapshot, {int(q['n_compared'])} models "
            f"with a measured index: correlation {q['corr']:.4f}, mean difference "
            f"{q['mean_diff']:+.2f}, largest {q['max_abs_diff']:.2f} points.", markup=False)
    g = w.gap_summary.iloc[0]
    inside = "inside" if q["published_gap_in_weight_range"] else "outside"
    say(f"Recomputed gap under sampled weights ({g['scheme']}, {int(g['draws'])} draws): "
        f"median {g['gap_median']:.2f}, 90% of draws in [{g['gap_ci_low']:.2f}, "
        f"{g['gap_ci_high']:.2f}], range [{g['gap_min']:.2f}, {g['gap_max']:.2f}] (AA's "
        f"published gap {p['gap']:.2f} is {inside}: this range is the weighting choice on the "
        f"recomputation, not an interval for AA's number); the leader changes in "
        f"{100 * g['leader_changed']:.1f}% of draws; top-10 overlap "
        f"{100 * g['top10_overlap_mean']:.0f}% on average.", markup=False)
    emit_frame(_digits(w.alternatives, 2, "gap", "top10_overlap"), fmt,
               ["name", "gap", "leader", "leader_group", "top10_overlap"],
               title="Recomputed gap under named weightings",
               headers={"name": "weighting", "leader_group": "group",
                        "top10_overlap": "top-10"},
               legend="top-10: share of the published weighting's top 10 kept.")
    effects = _digits(w.category_effects, 2, "published_weight", "gap_per_unit_weight",
                      "ci_low", "ci_high")
    emit_frame(effects.assign(interval=_intervals(effects, "ci_low", "ci_high")), fmt,
               ["category", "published_weight", "gap_per_unit_weight", "interval"],
               title="What moves the recomputed gap",
               headers={"published_weight": "weight", "gap_per_unit_weight": "gap/unit",
                        "interval": "90% int."},
               legend="gap/unit: change of the recomputed gap per unit of the category's "
                      "weight (weight: the published one).")
    recent = r.agreement.table.loc[r.agreement.table["version"] == version].tail(6)
    emit_frame(recent, fmt, ["snapshot", "n", "corr", "mean_diff", "max_abs_diff"],
               headers={"mean_diff": "mean diff", "max_abs_diff": "max |diff|"},
               title=f"Recomputed {version} against AA's published index (recent snapshots)")
    change = r.agreement.change_point(version)
    if change is not None:
        say(f"From {change} on, the recomputed {version} no longer matches AA's published "
            "index (see the implied weights in --format json): AA changed the composition "
            "on or before that snapshot, so the published number means something different "
            "from then on.", style="yellow")
    say("AA publishes no per-model intervals; the spread above is that of the weighting "
        "choice alone.", style="dim")
    print_warnings(r.warnings)


#: Lifecycle statuses as the terminal table shows them (the legend line spells them out).
LIFECYCLE_STATUS = {"saturated": "sat", "discriminating": "discr", "near_ceiling": "ceil",
                    "low_resolution": "low-res", "dormant": "dormant",
                    "too_few_models": "few", "not_released": "unrel", "retired": "retired"}


def _short_domain(value) -> str:
    """A domain key short enough for a narrow column, whole words only (``novel_reasoning``
    -> ``novel reasoning``: wraps at the space, never inside a word)."""
    return value.replace("_", " ") if isinstance(value, str) else value


def _g(value) -> str:
    """A number in at most four significant digits ('–' when missing)."""
    return "–" if value is None or pd.isna(value) else f"{value:.4g}"


def _name(value) -> str:
    return value if isinstance(value, str) and value else "–"


def _digits(frame: pd.DataFrame, digits: int, *columns: str) -> pd.DataFrame:
    """``columns`` as text with ``digits`` decimals, for a terminal table."""
    return frame.assign(**{c: [formatting.fmt(v, digits) if not pd.isna(v) else "–"
                               for v in frame[c]] for c in columns})


def _intervals(frame: pd.DataFrame, low: str, high: str, digits: int | None = -1) -> list:
    """``[low,high]`` per row, from columns already formatted (digits -1), formatted with
    ``digits`` decimals, or in four significant digits (None)."""
    def one(lo, hi):
        if lo is None or hi is None or (not isinstance(lo, str) and pd.isna(lo)) or (
                not isinstance(hi, str) and pd.isna(hi)) or lo == "–" or hi == "–":
            return ""
        if digits == -1:
            return f"[{lo},{hi}]"
        if digits is None:
            return f"[{_g(lo)},{_g(hi)}]"
        return formatting.fmt_ci(lo, hi, digits=digits, sep=",")
    return [one(lo, hi) for lo, hi in zip(frame[low], frame[high])]


_GROUPINGS = {"organization": "org", "group_country": "group·country",
              "group_organization": "group·org"}


def _grouping(value) -> str:
    return _GROUPINGS.get(value, value) if isinstance(value, str) else value


def _clean(values: dict) -> dict:
    return {k: formatting.clean(v) for k, v in values.items()}


def _p_columns(groups: pd.DataFrame) -> pd.DataFrame:
    """Raw and Holm-adjusted p-values as text with three decimals, for the terminal."""
    def text(v):
        return "–" if pd.isna(v) else "<0.001" if v < 0.001 else f"{v:.3f}"

    return groups.assign(**{"p": [text(v) for v in groups["p_value"]],
                            "p Holm": [text(v) for v in groups["p_adjusted"]]})


@app.command(epilog="Example: gaplens realworld --target lmarena.text")
def realworld(
    target: Optional[List[str]] = typer.Option(None, "--target", help="A signal (e.g. "
                                               "lmarena.text, openrouter.share) or "
                                               "benchmark:NAME (your own evaluation); "
                                               "repeatable. The first is the residuals' target."),
    predictor: str = typer.Option("index: general", "--predictor", help="Predictor for the "
                                  "residuals: 'index: general', 'index: DOMAIN', 'benchmark: "
                                  "NAME' or 'composite: AA index'."),
    open_definition: OpenDefinition = OpenDefinitionOption,
    min_models: int = typer.Option(8, "--min-models", help="Models needed for a correlation."),
    seed: int = SeedOption,
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
             "residuals": r.residuals, "groups": r.groups, "usage": r.usage},
            r.notes) + "\n")
        return
    if fmt is OutputFormat.CSV:
        sys.stdout.write(formatting.frame_csv(r.correlations))
        return
    best = _digits(r.best, 3, "spearman", "ci_low", "ci_high")
    emit_frame(best.assign(interval=_intervals(best, "ci_low", "ci_high")), fmt,
               ["target", "predictor", "n", "spearman", "interval"],
               title="Best-agreeing predictors per target (all dates)",
               headers={"spearman": "rho", "interval": "90% int."},
               legend="rho: Spearman rank correlation over the n models with both, with its "
                      "90% bootstrap interval.")
    st = r.standing
    stand = pd.DataFrame({
        "target": st["target"],
        "closed": [f"{_name(m)} ({_g(v)})" for m, v in zip(st["best_closed"],
                                                            st["best_closed_value"])],
        "open": [f"{_name(m)} ({_g(v)})" for m, v in zip(st["best_open"],
                                                          st["best_open_value"])],
        "gap": [_g(v) for v in st["gap"]],
        "interval": _intervals(st, "gap_ci_low", "gap_ci_high", digits=None),
        "pct": [formatting.fmt(v, 2) for v in st["open_mean_percentile"]]})
    emit_frame(stand, fmt, list(stand.columns),
               title="Where open models stand on each target",
               headers={"closed": "best closed", "open": "best open", "interval": "90% int.",
                        "pct": "open pct"}, optional=("pct",),
               legend="gap: best closed − best open (90% bootstrap interval over models); "
                      "open pct: open models' mean percentile rank.")
    shown = r.residuals.iloc[list(range(min(6, len(r.residuals))))
                             + list(range(-min(6, len(r.residuals)), 0))]
    if len(shown):
        emit_frame(_digits(shown, 3, "predictor_pct", "target_pct", "residual"), fmt,
                   ["model_id", "group", "predictor_pct", "target_pct", "residual"],
                   title=f"Largest residuals of {r.focus[1]} on {r.focus[0]}",
                   headers={"model_id": "model", "predictor_pct": "predictor",
                            "target_pct": "target"},
                   legend="Percentile ranks on the predictor and the target; residual > 0: "
                          "used or liked more than its benchmarks predict.")
    if len(r.groups):
        groups = _digits(_p_columns(r.groups.sort_values("p_value").head(12)), 3,
                         "difference_vs_rest", "ci_low", "ci_high")
        emit_frame(groups.assign(grouping=groups["grouping"].map(_grouping),
                                 interval=_intervals(groups, "ci_low", "ci_high")), fmt,
                   ["grouping", "group", "n", "difference_vs_rest", "interval", "p", "p Holm"],
                   title="Groups: mean residual against the rest",
                   headers={"grouping": "by", "difference_vs_rest": "vs rest",
                            "interval": "90% int."},
                   legend="p: permutation p-value over models; p Holm: adjusted over the "
                          f"{len(r.groups)} groups tested. by: org = organization, "
                          "group = open or closed.")
    for note in r.notes:
        out.print(f"note: {note}", style="dim")


@app.command(epilog="Example: gaplens overfit --split private")
def overfit(
    split: Optional[List[str]] = typer.Option(None, "--split", help="private, optimised or ood "
                                              "(repeatable; default all three)."),
    open_definition: OpenDefinition = OpenDefinitionOption,
    min_results: int = typer.Option(2, "--min-results", help="Results a model needs on each "
                                    "side of a split."),
    perms: int = typer.Option(2000, "--perms", help="Permutations of the group labels across "
                              "models for the p-values."),
    seed: int = SeedOption,
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
        out.print(Text(s.split, style="bold") + Text(
            f": {s.description} ({len(s.reference)} vs {len(s.comparison)} benchmarks). "
            "Negative = lower where it could not have been tuned."))
        groups = _digits(_p_columns(s.groups.sort_values("p_value")), 2, "mean_delta",
                         "ci_low", "ci_high", "vs_rest")
        emit_frame(groups.assign(grouping=groups["grouping"].map(_grouping),
                                 interval=_intervals(groups, "ci_low", "ci_high")), fmt,
                   ["grouping", "group", "n", "mean_delta", "interval", "vs_rest", "p",
                    "p Holm"],
                   title="Mean difference per group, index points",
                   headers={"grouping": "by", "mean_delta": "mean", "interval": "90% int.",
                            "vs_rest": "vs rest"},
                   legend="p: of vs rest, from permuted group labels; p Holm: adjusted over "
                          f"the {len(s.groups)} groups. by: org = organization, group = open "
                          "or closed.")
        models = _digits(s.models.head(5), 2, "delta", "ci_low", "ci_high")
        emit_frame(models.assign(interval=_intervals(models, "ci_low", "ci_high")), fmt,
                   ["model_id", "group", "delta", "interval"], title="Most negative models",
                   headers={"model_id": "model", "interval": "90% int."})
        for note in s.notes:
            out.print(f"note: {note}", style="dim")
    for lag, v in r.lag_by_test_set.items():
        out.print(f"Open lag on private vs public benchmarks ({lag}): median "
                  f"{v['private_median']:.1f} vs {v['public_median']:.1f} months over "
                  f"{v['n_private']} and {v['n_public']} benchmarks, ratio {v['ratio']:.2f} "
                  f"[{v['ratio_ci_low']:.2f}, {v['ratio_ci_high']:.2f}] (Ihle: 1.7-1.9).")


@app.command(epilog="Example: gaplens lifecycle --at 2025-12-31")
def lifecycle(
    at: Optional[str] = AtOption,
    top_k: int = typer.Option(5, "--top-k", help="Top models tested for saturation."),
    seed: int = SeedOption,
    fmt: OutputFormat = FormatOption,
    db: Optional[str] = DbOption,
) -> None:
    """Which benchmarks are saturated or retired, and the focus domain per quarter.

    The focus domain is the one whose benchmarks still separate the frontier models most.
    """
    from ..analysis.lifecycle import FOCUS_DEFINITION, settings_dict

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
    status = b["status"].map(lambda v: LIFECYCLE_STATUS.get(v, v))
    shown = b[["benchmark", "domain"]].assign(
        status=status,
        since=[formatting.month_of(v) if v else "" for v in b["saturated_since"]],
        frontier=[formatting.fmt(v) for v in b["frontier"]],
        **{f"{x}%": [formatting.month_of(v) if v else "–" for v in b[f"reached_{x}"]]
           for x in (50, 80, 90)},
        spread=[formatting.fmt(v) for v in b["spread"]],
        interval=[formatting.fmt_ci(lo, hi, sep=",") for lo, hi in
                  zip(b["spread_ci_low"], b["spread_ci_high"])],
        p=[formatting.fmt(v, 3) for v in b["p_value"]])
    emit_frame(shown, fmt, list(shown.columns),
               title=f"Benchmark lifecycle as of {r.settings.as_of}",
               headers={"frontier": "front.", "interval": "90% int."},
               optional=("domain", "50%", "since", "interval"),
               legend=f"front.: frontier, normalised points; spread: of the top {top_k}, with "
                      "its 90% interval under re-measured scores (centred on the observed "
                      "one); 50/80/90%: month each level was first reached (–: not yet); p: "
                      "the top models' equality; retired: no result from a model released in the "
                       f"{r.settings.retire_months} months to the date. Status: "
                      + ", ".join(f"{v} = {k.replace('_', ' ')}"
                                  for k, v in LIFECYCLE_STATUS.items() if k != v) + ".")
    focus = r.focus.assign(**{c: [_short_domain(v) for v in r.focus[c]]
                              for c in ("raw_focus", "focus", "runner_up")},
                           shift=["shift" if v else "" for v in r.focus["shift"]])
    emit_frame(focus, fmt, ["quarter", "raw_focus", "raw_share", "focus", "shift",
                            "n_discriminating", "runner_up"],
               title="Domain carrying the frontier per quarter",
               headers={"raw_focus": "raw", "raw_share": "share", "n_discriminating": "n",
                        "runner_up": "runner-up"},
               legend="The domain whose discriminating benchmarks have the largest summed "
                      "top-k spread (raw: that quarter alone, share: its part of the sum; "
                      "focus: after a shift has held 2 quarters); n: discriminating "
                      "benchmarks.")
    iv = r.interval
    out.print(f"Focus shifts: {iv.n_shifts}; mean interval {formatting.fmt(iv.estimate_months)} "
              f"months (bootstrap median {formatting.fmt(iv.median_months)}, 90% interval "
              f"{formatting.fmt_ci(iv.ci_low, iv.ci_high) or '–'}).")
    for note in r.notes:
        out.print(f"note: {note}", style="dim")
    print_warnings(r.warnings)


@app.command(epilog="Example: gaplens forecast --domain coding")
def forecast(
    at: Optional[str] = typer.Option(None, "--at", help="Cut-off (YYYY-MM-DD); default: the "
                                     "newest release in the data."),
    domain: Optional[List[str]] = typer.Option(None, "--domain", help="Only these domains "
                                               "(repeatable; default: every domain)."),
    window: int = typer.Option(24, "--window", help="Months of frontier history the trend "
                               "is fitted on."),
    seed: int = SeedOption,
    open_definition: OpenDefinition = OpenDefinitionOption,
    fmt: OutputFormat = FormatOption,
    db: Optional[str] = DbOption,
) -> None:
    """When open reaches today's closed frontier on current trends, and the back-test."""
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
    t = r.trends
    trends = pd.DataFrame({
        "scope": [_short_domain(v) for v in t["scope"]], "group": t["group"],
        "pts": t["n_points"],
        "slope": [formatting.fmt(v) for v in t["slope_per_year"]],
        "slope_int": _intervals(t, "slope_per_year_ci_low", "slope_per_year_ci_high", 1),
        "now": [formatting.fmt(v) for v in t["frontier_at_cutoff"]],
        "level": [formatting.fmt(v) for v in t["level_12m"]],
        "level_int": _intervals(t, "level_12m_ci_low", "level_12m_ci_high", 1)})
    emit_frame(trends, fmt, list(trends.columns),
               title=f"Frontier trends as of {r.settings.as_of} "
                     f"({r.settings.window_months}-month window)",
               headers={"slope": "slope/yr", "slope_int": f"{r.settings.ci:.0%} int.",
                        "level": "+12 mo", "level_int": f"{r.settings.ci:.0%} int."},
               legend="Index points a year (slope) and expected frontier 12 months on; "
                      "pts: frontier points the trend is fitted on.")
    c = r.catch_up
    catch = pd.DataFrame({
        "scope": [_short_domain(v) for v in c["scope"]], "verdict": c["verdict"],
        "gap": [formatting.fmt(v) for v in c["gap"]],
        "catch": [formatting.fmt(v) for v in c["catch_up_months"]],
        "catch_int": _intervals(c, "catch_up_ci_low", "catch_up_ci_high", 1),
        "meet": [formatting.fmt(v) for v in c["meet_months"]],
        "p": [formatting.fmt(v, 2) for v in c["meet_share_within"]]})
    emit_frame(catch, fmt, list(catch.columns), title="Catch-up on current trends",
               headers={"catch": "catch-up mo", "catch_int": f"{r.settings.ci:.0%} int.",
                        "meet": "meet mo", "p": "P(meet<5y)"},
               legend="catch-up mo: months until the open trend reaches today's closed "
                      "frontier; meet mo: until the trends meet (inf: not on current "
                      "trends).")
    for scope, line in zip(c["scope"], c["summary"]):
        out.print(f"{_short_domain(scope)}: {line}", style="dim", markup=False)
    b = r.backtest_summary
    back = _digits(b.assign(scope=[_short_domain(v) for v in b["scope"]],
                            quantity=[str(v).replace("_", " ") for v in b["quantity"]]),
                   2, "mae", "bias", "coverage", "naive_mae")
    emit_frame(back, fmt, ["scope", "quantity", "horizon_months", "n_scored", "mae", "bias",
                           "coverage", "naive_mae", "n_censored"],
               title="Back-test on earlier cut-offs",
               headers={"horizon_months": "h mo", "n_scored": "n", "mae": "MAE",
                        "coverage": "cover", "naive_mae": "naive", "n_censored": "cens."},
               legend="error = predicted - realised (index points; catch-up in months); "
                      "naive: frontier unchanged / today's lag; cover: share of realised "
                      "values inside the interval; cens.: not yet realised.")
    out.print("The index was fitted on all data, including after each cut-off: the back-test "
              "measures the trend method, not the index's own drift.", style="dim")
    print_warnings(r.warnings)
