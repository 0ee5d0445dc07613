"""The API for the report: collect every analysis, then write HTML (interactive, one file)
or Markdown (static charts for papers)."""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass, field, replace

import pandas as pd

from ._api_core import (
    Progress,
    _model_meta,
    one_state,
    open_warehouse,
    parse_as_of,
    parse_date,
    parse_open_definition,
)
from ._api_beyond import OverfitReport, overfit_splits
from ._api_coverage import with_coverage
from ._api_data import gap
from ._api_index import current_fit, data_groups, fit_and_data_from, fit_index
from ._api_openness import warehouse_inputs as openness_warehouse_inputs
from ._api_openness import openness_from
from ._util.workers import Workers, can_fork, jobs
from .analysis import prepare
from .analysis.observations import data_date
from .analysis.openness import RUNG_DEFINITIONS
from .analysis.series import frontier_series
from .errors import ConfigError, GaplensError
from .report.inputs import ByDefinition, ReportInputs
from .types import REPORT_DEFINITIONS, OpenDefinition, ReportFormat

REPORT_FORMATS = tuple(f.value for f in ReportFormat)
HTML_NAME = "report.html"
TIMELINE_MONTHS = 36  # how far back the lag-over-time charts go
HISTORY_QUARTERS = 8  # quarter ends before the report date at which the map is also drawn
HISTORY_DRAWS = 300  # bootstrap draws for those earlier maps


def quarter_ends(as_of: dt.date, n: int) -> list[dt.date]:
    """The ``n`` quarter ends strictly before ``as_of``, oldest first."""
    last = pd.Timestamp(as_of).to_period("Q") - 1
    return [(last - k).end_time.date() for k in range(n - 1, -1, -1)]


def _try(notes: list[str], what: str, compute):
    """Run one optional part of the report; a part the data cannot support becomes a note."""
    try:
        return compute()
    except GaplensError as exc:
        notes.append(f"{what}: {exc}")
        return None


def _domain_levels(fitted, project) -> tuple[pd.DataFrame, list[str]]:
    columns = ["domain", "model_id", "index", "index_ci_low", "index_ci_high"]
    frames, notes = [], []
    for domain in dict.fromkeys(fitted.benchmarks["domain"].dropna()):
        try:
            frames.append(project(domain).table.assign(domain=domain)[columns])
        except ConfigError as exc:
            notes.append(f"domain index {domain}: {exc}")
    return (pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=columns),
            notes)


@dataclass(frozen=True)
class _Base:
    """What the first wave reads (:func:`_early_task`): the results and tables, and the fit
    (for the coverage beside the map and the over-fitting tests)."""

    as_of: dt.date
    n_draws: int
    seed: int
    long: pd.DataFrame
    bench: pd.DataFrame
    domains: pd.DataFrame
    fitted: object  # IndexFit
    models: pd.DataFrame  # the warehouse's models (each definition's grouping)


@dataclass(frozen=True)
class _Mapped:
    """A definition's map: the gap (its window's timeline, coverage joined), the long lag
    timeline and the frontier series."""

    gap: object  # GapResult
    timeline: pd.DataFrame
    frontiers: pd.DataFrame


@dataclass(frozen=True)
class _Shared:
    """What the rest of every definition's analyses read: the data once, the parts computed
    once, and each definition's map."""

    as_of: dt.date
    n_draws: int
    seed: int
    fitted: object  # IndexFit
    data: object  # IndexData of the fit's settings
    long: pd.DataFrame
    bench: pd.DataFrame
    domains: pd.DataFrame
    signals: pd.DataFrame
    aa: pd.DataFrame
    composites: pd.DataFrame
    version: str | None
    composite_as_of: dt.date | None
    agreement: object  # analysis.composite.Agreement (None: no AA data)
    project: object  # domain_index.projector: a domain's index, computed once
    metas: dict
    classes: pd.DataFrame | None = None  # ingest.benchmark_claims: benchmark classes
    page: bool = False  # convert each definition's page data where it is computed
    maps: dict = field(default_factory=dict)  # definition value -> _Mapped
    overfit_splits: dict = field(default_factory=dict)  # definition value -> its splits
    memo: dict = field(default_factory=dict)  # definition-free parts, computed once


def _past_map(base: _Base, definition: OpenDefinition, date: dt.date):
    """The map's table as of an earlier date (no timeline): (table, None), or (None, the
    note saying why the data cannot support it)."""
    from .analysis.gap import GapSettings, compute_gap

    try:
        past = compute_gap(prepare(base.long, definition, date), GapSettings(
            as_of=date, open_definition=definition,
            n_draws=min(base.n_draws, HISTORY_DRAWS), seed=base.seed),
            base.domains, base.bench, timeline_months=0)
    except GaplensError as exc:
        return None, f"the map as of {date}: {exc}"
    return past.table.assign(as_of=date), None


def _history(past: list[tuple]) -> tuple[pd.DataFrame, list[str]]:
    """The earlier maps (:func:`_past_map` at each quarter end) as one table, and the notes
    of the dates the data cannot support."""
    tables = [table for table, _ in past if table is not None]
    return (pd.concat(tables, ignore_index=True) if tables else pd.DataFrame(),
            [note for _, note in past if note is not None])


def _definition_map(base: _Base, definition: OpenDefinition) -> _Mapped:
    """The map with the long timeline (each month's values depend only on its date, so the
    map's own window-long timeline is the long one's tail), the coverage beside it (which
    domains' frontiers lack stronger or newer open models) and the frontier series."""
    from .analysis.gap import GapSettings, compute_gap

    obs = prepare(base.long, definition, base.as_of)
    settings = GapSettings(as_of=base.as_of, open_definition=definition,
                           n_draws=base.n_draws, seed=base.seed)
    g = compute_gap(obs, settings, base.domains, base.bench, timeline_months=TIMELINE_MONTHS)
    timeline = g.timeline
    g = replace(g, timeline=timeline.loc[pd.to_datetime(timeline["date"]) >= pd.Timestamp(
        base.as_of) - pd.DateOffset(months=settings.window_months)].reset_index(drop=True))
    g = with_coverage(g, obs, base.domains, base.bench, fit=base.fitted)
    return _Mapped(gap=g, timeline=timeline, frontiers=frontier_series(obs))


def _lifecycle(base: _Base):
    """(the lifecycle, its notes): the benchmarks' ages, saturation and the focus shift."""
    from .analysis.lifecycle import LifecycleSettings, compute_lifecycle

    notes: list[str] = []
    found = _try(notes, "lifecycle", lambda: compute_lifecycle(
        base.long, base.bench, LifecycleSettings(as_of=base.as_of, seed=base.seed,
                                                 n_draws=base.n_draws)))
    return found, notes


def _early_task(base: _Base, task: tuple):
    """One task that needs the results and the fit only: a definition's map, the
    over-fitting tests of every definition, the lifecycle, or one earlier map."""
    kind, *args = task
    if kind == "map":
        return _definition_map(base, *args)
    if kind == "overfit":
        metas = {d.value: _model_meta(base.models, d) for d in args[0]}
        return overfit_splits(base.fitted, base.bench, metas, min(base.n_draws, 200), 2000,
                              base.seed)  # label permutations: cheap
    if kind == "lifecycle":
        return _lifecycle(base)
    return _past_map(base, *args)


def _early_tasks(chosen: list[OpenDefinition], as_of: dt.date) -> list[tuple]:
    """The tasks of :func:`_early_task`: first what the second wave reads (the maps with
    their 36-month timelines and 1,000 draws, the over-fitting tests), then the lifecycle
    and the 300-draw maps at the quarter ends, read only at the end."""
    return ([("map", d) for d in chosen] + [("overfit", tuple(chosen)), ("lifecycle",)]
            + [("past", d, date) for d in chosen for date in quarter_ends(as_of,
                                                                          HISTORY_QUARTERS)])


def _ladder(ctx: "_Shared", inputs: dict) -> tuple:
    """(the openness ladder and its rung definitions on the fit already made, its notes);
    the report's own three definitions are not recomputed (docs/openness.md)."""
    notes: list[str] = []
    return _try(notes, "openness", lambda: openness_from(
        **inputs, fitted=ctx.fitted, as_of=ctx.as_of, definitions=RUNG_DEFINITIONS,
        n_draws=min(ctx.n_draws, 1000), seed=ctx.seed)), notes


def _definition_rest(ctx: _Shared, definition: OpenDefinition, step=lambda: None
                     ) -> ByDefinition:
    """Every definition-dependent analysis beyond its map (``ctx.maps``); parts the data
    cannot support become notes. The earlier maps are added by the caller."""
    from .analysis.composite import published_gap, weight_sensitivity
    from .analysis.forecast import ForecastSettings, forecast
    from .analysis.gap import GapSettings
    from .analysis.index_gap import IndexGapSettings, index_gap, index_scopes
    from .analysis.overfit import lag_by_test_set
    from .analysis.published_lag import published_lag

    notes: list[str] = []
    fitted, ci = ctx.fitted, ctx.fitted.settings.ci
    mapped = ctx.maps[definition.value]
    g = mapped.gap
    scopes, scope_notes = index_scopes(fitted, definition, project=ctx.project)
    warnings = tuple(fitted.warnings) + scope_notes
    ig = index_gap(scopes, IndexGapSettings(
        as_of=ctx.as_of, open_definition=definition.value, windows=(12, 24), ci=ci,
        timeline_months=TIMELINE_MONTHS), warnings)
    price = _try(notes, "what the gap costs", lambda: _cost(ctx, scopes, definition))
    # Who is behind whom (analysis/groups.py): countries and labs on the same index scopes.
    from ._api_groups import report_groups

    countries = _try(notes, "countries", lambda: report_groups(
        scopes, ctx.metas[definition.value].reset_index(), definition, ctx.as_of, ci))
    fc = _try(notes, "forecast", lambda: forecast(scopes, ForecastSettings(
        as_of=ctx.as_of, window_months=24, ci=ci, seed=ctx.seed,
        open_definition=definition.value), warnings))
    step()
    pub = published_gap(ctx.aa, definition) if not ctx.aa.empty else pd.DataFrame()
    # The one number read like the map: the same estimators, every snapshot up to the date.
    lagged = _try(notes, "lag on the published index", lambda: published_lag(
        ctx.aa, GapSettings(as_of=ctx.as_of, open_definition=definition,
                            n_draws=min(ctx.n_draws, HISTORY_DRAWS), seed=ctx.seed))
                  ) if not ctx.aa.empty else None
    comp = None
    if ctx.version is not None:
        comp = _try(notes, "composite", lambda: weight_sensitivity(
            ctx.aa, ctx.composites, version=ctx.version, as_of=ctx.composite_as_of,
            open_definition=definition, n_draws=max(ctx.n_draws, 200), seed=ctx.seed, ci=ci,
            agree=ctx.agreement))
    step()
    fa = _try(notes, "factors", lambda: _factors(ctx, definition))
    step()
    rw = _try(notes, "real-world alignment", lambda: _realworld(ctx, definition))
    step()
    splits = ctx.overfit_splits[definition.value]
    # g.per_benchmark: the per-benchmark rows of the map's own computation (same draws).
    of = (OverfitReport(splits=splits, open_definition=definition.value,
                        lag_by_test_set=lag_by_test_set(g.per_benchmark, seed=ctx.seed))
          if splits else None)
    # The claims of the debate (analysis/claims_gap.py): 1, 2, 6, 7 from the map, its
    # per-benchmark rows and the published lag read at the map's date.
    from .analysis.claims import CLAIM_KEYS
    from .analysis.claims_gap import gap_claims

    found = gap_claims(g, lagged.table if lagged is not None else None, ctx.classes,
                       ctx.as_of, seed=ctx.seed)
    # Claims 4 and 5 (analysis/claims_signals.py) from the real-world and over-fitting
    # results above; claim 3 reads the lifecycle, computed beside these analyses, and is
    # added by collect (_with_focus_claim).
    from .analysis.claims_signals import lab_claim, use_claim

    found["use_vs_benchmarks"] = use_claim(rw, ctx.as_of)
    found["lab_focus"] = lab_claim(splits or None, ctx.as_of)
    claims = tuple(found[key] for key in CLAIM_KEYS if key in found)
    step()
    item = ByDefinition(definition=definition.value, description=definition.description,
                        gap=g, gap_timeline=mapped.timeline, gap_history=pd.DataFrame(),
                        frontiers=mapped.frontiers, index_gap=ig,
                        published_gap=pub,
                        published_lag=lagged.table if lagged is not None else pd.DataFrame(),
                        composite=comp, factors=fa, realworld=rw,
                        overfit=of, forecast=fc, notes=tuple(notes), claims=claims,
                        cost=price, countries=countries)
    if not ctx.page:
        return item
    from .report.payload import definition_tables

    return replace(item, tables=definition_tables(item))


def _factors(ctx: _Shared, definition: OpenDefinition):
    """The factor analysis under a definition's grouping; the factor fit (the same for
    every definition) is computed once per process (``ctx.memo``)."""
    from .analysis.factors import factor_analysis

    groups = data_groups(ctx.fitted, ctx.data, definition)
    return factor_analysis(ctx.data, ctx.fitted.settings, groups, k=2, with_heldout=False,
                           seed=ctx.seed, fits=ctx.memo.setdefault("factors", {}))


def _realworld(ctx: _Shared, definition: OpenDefinition):
    """The real-world alignment under a definition's grouping; its predictors, targets and
    correlations (the same for every definition) are computed once per process."""
    from .analysis.realworld import analyse

    return analyse(ctx.fitted, ctx.signals, ctx.long, ctx.metas[definition.value],
                   n_boot=ctx.n_draws, seed=ctx.seed, project=ctx.project, every_target=True,
                   cache=ctx.memo.setdefault("realworld", {}))


def _warm(ctx: _Shared, definition: OpenDefinition) -> None:
    """Fill ``ctx.memo`` with the definition-free parts (the factor fit, the real-world
    predictors and correlations) before workers fork, so that each inherits them instead
    of computing them again; a part the data cannot support is left to the workers, whose
    notes say why."""
    for part in (_factors, _realworld):
        try:
            part(ctx, definition)
        except GaplensError:
            pass


def _preload() -> None:
    """Import what the second wave's analyses import on first use, before its workers
    fork: each inherits the modules instead of importing its own copy (about 0.3 s of CPU
    per worker)."""
    import importlib

    for name in ("analysis.claims_gap", "analysis.claims_signals", "analysis.cost",
                 "analysis.forecast", "analysis.published_lag", "report.countries_text",
                 "report.payload"):
        importlib.import_module(f"{__package__}.{name}")
    import pandas.core.reshape.reshape  # noqa: F401  (pandas imports it on first pivot)


def _cost(ctx: _Shared, scopes, definition: OpenDefinition):
    """What the gap costs on the report's index scopes (analysis/cost.py); the price history
    is read once per process (it does not depend on the definition)."""
    from .analysis.cost import (CostSettings, compute_cost, cost_timeline, price_dates,
                                price_history, price_table)

    history = ctx.memo.get("price_history")
    if history is None:
        history = ctx.memo["price_history"] = price_history(ctx.signals)
    fitted = ctx.fitted
    settings = CostSettings(as_of=ctx.as_of, open_definition=definition.value,
                            ci=fitted.settings.ci)
    access = fitted.models.set_index("model_id")["accessibility"]
    result = compute_cost(scopes, price_table(ctx.signals, ctx.as_of, history), settings,
                          accessibility=access)
    timeline = cost_timeline(scopes, ctx.signals, price_dates(history),
                             settings.ci, history)
    return replace(result, timeline=timeline)


def _with_focus_claim(item: ByDefinition, lifecycle, as_of: dt.date,
                      domains: pd.DataFrame) -> ByDefinition:
    """``item`` with claim 3 (the focus shift, read from the lifecycle) in its place."""
    from .analysis.claims import CLAIM_KEYS
    from .analysis.claims_signals import domain_labels, focus_claim

    found = {c.key: c for c in item.claims}
    found["focus_shift"] = focus_claim(lifecycle, as_of, labels=domain_labels(domains))
    return replace(item, claims=tuple(found[k] for k in CLAIM_KEYS if k in found))


def collect(db: str | None = None, as_of: str | dt.date | None = None,
            open_definition: str | OpenDefinition = OpenDefinition.OPEN_WEIGHTS,
            definitions: list[str] | None = None, n_draws: int = 1000, seed: int = 0,
            progress: Progress | None = None, today: dt.date | None = None,
            page: bool = False) -> ReportInputs:
    """Run every analysis the report shows, once per open definition where it matters;
    ``today`` (default: the local date) is the day the data's ages are counted to;
    ``page``: also convert each definition's page data where its analyses run
    (``ByDefinition.tables``).

    With two or more CPUs the work is spread over forked workers (:mod:`._util.workers`) in two
    waves: as soon as the data are read, each definition's map, the over-fitting tests,
    the lifecycle and the earlier maps (they need the results and the fit only); then,
    once this process has computed the parts every definition shares (domain projections,
    factor fit, real-world correlations), the rest of each definition's analyses, each on
    a worker of its own, while this process makes the openness ladder. Every task is
    seeded by itself: the same numbers as in one process."""
    from .analysis.freshness import read_freshness

    if n_draws < 10:
        raise ConfigError("--draws must be at least 10 for the report")
    default = parse_open_definition(open_definition)
    chosen = [parse_open_definition(d) for d in (definitions or [d.value for d in REPORT_DEFINITIONS])]
    if default not in chosen:
        chosen.insert(0, default)
    as_of = parse_as_of(as_of)
    explicit = as_of is not None
    done, total = [0], 3 + 6 * len(chosen)

    def step() -> None:
        done[0] += 1
        if progress:
            progress(done[0], total)

    # Every read below sees one state of the warehouse, fitted and stored on first use.
    with one_state(db, fit=lambda: fit_index(db=db)):
        with open_warehouse(db) as warehouse:
            frames = warehouse.load_fit()
            long, bench = warehouse.observations(), warehouse.benchmarks()
            domains, models_ = warehouse.domains(), warehouse.models()
        # A read-only warehouse stores no fit: it is fitted here again (current_fit).
        fitted, data = fit_and_data_from(frames, long, bench, models_)
        fitted = fitted or current_fit(db)
        as_of = as_of if as_of is not None else data_date(long)
        base = _Base(as_of=as_of, n_draws=n_draws, seed=seed, long=long, bench=bench,
                     domains=domains, fitted=fitted, models=models_)
        tasks = _early_tasks(chosen, as_of)
        # The first wave needs only the above: it starts while the rest is read.
        early = Workers(_early_task, base, tasks, jobs()) if can_fork() else None
        try:
            with open_warehouse(db) as warehouse:
                signals = warehouse.signals()
                sources, rejected = warehouse.sources(), warehouse.rejected()
                span = warehouse.query("SELECT source_id, min(as_of) AS data_from, "
                                       "max(as_of) AS data_to, count(*) AS n_signals FROM "
                                       "signals GROUP BY source_id")
                freshness = read_freshness(warehouse, today or dt.date.today())
                openness_inputs = openness_warehouse_inputs(warehouse)
        except BaseException:
            if early is not None:
                early.close()
            raise
    # Per source: provenance, data-through date and age; data_from/data_to: its signals.
    sources = freshness.sources.drop(columns="data_from").merge(span, on="source_id",
                                                                how="left")
    try:
        return _collect_rest(db, as_of, explicit, default, chosen, n_draws, seed, step,
                             base, tasks, early, signals, sources, rejected, models_,
                             freshness, openness_inputs, page, data)
    finally:
        if early is not None:
            early.close()


def _collect_rest(db, as_of, explicit, default, chosen, n_draws, seed, step, base, tasks,
                  early, signals, sources, rejected, models_, freshness,
                  openness_inputs, page, data) -> ReportInputs:
    """:func:`collect` after the data are read (the first wave already running)."""
    from .analysis.capability import build_data
    from .analysis.composite import agreement, bundled_composites, newest_match
    from .analysis.domain_index import projector
    from .analysis.gap import settings_dict
    from .ingest.benchmark_claims import benchmark_claims

    fitted, long, bench, domains = base.fitted, base.long, base.bench, base.domains

    position = {task: i for i, task in enumerate(tasks)}

    def early_result(task: tuple):
        i = position[task]
        return early.result(i) if early is not None else _early_task(base, tasks[i])

    notes: list[str] = []
    # With --at, values dated later than the report are left out; by default the report is
    # as of the newest release date, and snapshots taken after it are the current view.
    later = pd.to_datetime(signals["as_of"]) > pd.Timestamp(as_of)
    if explicit and later.any():
        notes.append(f"{int(later.sum())} real-world and Artificial Analysis values dated after "
                     f"{as_of} are left out (the report is as of {as_of})")
        signals = signals.loc[~later]
    project = projector(fitted)
    levels, level_notes = _domain_levels(fitted, project)
    notes += level_notes
    at = len(notes)
    aa = signals.loc[signals["signal"].str.startswith("aa.")]
    composites = bundled_composites()
    agree = agreement(aa, composites) if not aa.empty else None
    # The weights are read on the snapshot the headline compares with the map (the newest
    # matching one on or before the map's date), else on the newest matching one.
    version, comp_as_of = (None, None)
    if agree is not None:
        version, comp_as_of = newest_match(agree, until=as_of)
        if version is None:
            version, comp_as_of = newest_match(agree)
    step()
    metas = {d.value: _model_meta(models_, d) for d in chosen}
    at_overfit = len(notes)
    ctx = _Shared(as_of=as_of, n_draws=n_draws, seed=seed, fitted=fitted,
                  data=data if data is not None else build_data(long, bench, fitted.settings),
                  long=long, bench=bench,
                  domains=domains, signals=signals, aa=aa, composites=composites,
                  version=version, composite_as_of=comp_as_of, agreement=agree,
                  project=project, metas=metas, page=page,
                  classes=_try(notes, "benchmark classes", lambda: benchmark_claims(
                      bench["benchmark"])))
    if early is not None:  # the second wave's workers inherit the shared parts
        _warm(ctx, chosen[0])
        _preload()
    splits, overfit_notes = early_result(("overfit", tuple(chosen)))
    ctx.overfit_splits.update(splits)
    notes[at_overfit:at_overfit] = overfit_notes
    step()
    for definition in chosen:
        ctx.maps[definition.value] = early_result(("map", definition))
        step()
    from ._api_diff import since_last_update_text

    def since_part() -> tuple:
        found: list[str] = []
        return _try(found, "since the last update", lambda: since_last_update_text(
            db, default, n_draws=min(n_draws, HISTORY_DRAWS), seed=seed)) or (), found

    if early is not None and len(chosen) > 1:
        # Every definition on its own worker, side by side (they end together), while this
        # process makes the ladder and reads what changed since the last update.
        with Workers(_definition_rest, ctx, chosen, jobs() + 1) as late:
            openness, ladder_notes = _ladder(ctx, openness_inputs)
            since, since_notes = since_part()
            per = late.results()
        for _ in range(5 * len(chosen)):
            step()
    else:
        per = [_definition_rest(ctx, definition, step) for definition in chosen]
        openness, ladder_notes = _ladder(ctx, openness_inputs)
        since, since_notes = since_part()
    extra = ladder_notes + since_notes
    lifecycle, lifecycle_notes = early_result(("lifecycle",))
    step()
    past = [(task, early_result(task)) for task in tasks if task[0] == "past"]
    per = [_with_history(item, [p for task, p in past if task[1].value == item.definition])
           for item in per]
    notes[at:at] = lifecycle_notes
    notes += extra
    per = [_with_focus_claim(item, lifecycle, as_of, domains) for item in per]
    gap_settings = per[0].gap.settings
    settings = {
        "gap": {**settings_dict(gap_settings), "open_definition": "each, as chosen",
                "lag_timeline_months": TIMELINE_MONTHS,
                "history_quarters": HISTORY_QUARTERS,
                "history_draws": min(n_draws, HISTORY_DRAWS)},
        "capability index": {**fitted.settings.to_dict(), "created_at": fitted.created_at},
        "lifecycle": (lifecycle.settings.__dict__ if lifecycle is not None else {}),
        "composite": {"version": version, "snapshot": comp_as_of, "kappa": 20.0,
                      "n_draws": max(n_draws, 200)},
        "real-world alignment": {"predictor": "index: general", "min_models": 8,
                                 "n_boot": n_draws, "seed": seed},
        "over-fitting": {"n_draws": min(n_draws, 200), "n_perm": 2000,
                         "min_results": 2},
        "forecast": {"window_months": 24, "seed": seed},
    }
    return ReportInputs(as_of=as_of, default_definition=default.value,
                        definitions=tuple(per), fit=fitted, domain_levels=levels,
                        domains=domains, benchmarks=bench, lifecycle=lifecycle,
                        agreement=agree, composite_version=version or "",
                        composite_as_of=comp_as_of, sources=sources,
                        rejected=_rejected_with_kind(rejected, sources), models=models_,
                        settings=settings, n_draws=n_draws, seed=seed, notes=tuple(notes),
                        since_update=since, freshness=freshness, openness=openness)


def _with_history(item: ByDefinition, past: list[tuple]) -> ByDefinition:
    """``item`` with its earlier maps, their notes first."""
    history, notes = _history(past)
    return replace(item, gap_history=history, notes=tuple(notes) + item.notes)


def _rejected_with_kind(rejected: pd.DataFrame, sources: pd.DataFrame) -> pd.DataFrame:
    kinds = sources.set_index("source_id")["kind"]
    return rejected.assign(kind=rejected["source_id"].map(kinds))


def report(out_dir: str, db: str | None = None, as_of: str | dt.date | None = None,
           open_definition: str | OpenDefinition = OpenDefinition.OPEN_WEIGHTS,
           n_draws: int = 1000, seed: int = 0, fmt: str | ReportFormat = ReportFormat.HTML,
           definitions: list[str] | None = None, progress: Progress | None = None,
           today: str | dt.date | None = None):
    """Write the report into ``out_dir``; returns (the gap result under ``open_definition``,
    the path written). Both formats state each source's data-through date and its age as
    of ``today`` (default: the local date) near the top, and say when the data are stale.

    ``fmt="html"``: one self-contained interactive page (``report.html``), every open
    definition switchable in the page. ``fmt="md"``: a Markdown summary with static PNG/SVG
    charts and the data as CSV/JSON, for one open definition.
    """
    try:
        fmt = ReportFormat(fmt)
    except ValueError:
        raise ConfigError(f"--format must be one of {', '.join(REPORT_FORMATS)}, "
                          f"not '{fmt}'") from None
    _check_out_dir(out_dir)
    if fmt is ReportFormat.MD:
        return _markdown(out_dir, db, as_of, open_definition, n_draws, seed, progress,
                         today)
    from .report.html import write_html

    today = parse_date(today, "today")
    inputs = collect(db=db, as_of=as_of, open_definition=open_definition,
                     definitions=definitions, n_draws=n_draws, seed=seed, progress=progress,
                     today=today, page=True)
    os.makedirs(out_dir, exist_ok=True)
    path = write_html(inputs, os.path.join(out_dir, HTML_NAME))
    return inputs.by(inputs.default_definition).gap, path


def _check_out_dir(out_dir: str) -> None:
    """Fail before any work if the report cannot be written there."""
    if os.path.exists(out_dir) and not os.path.isdir(out_dir):
        raise ConfigError(f"--out '{out_dir}' is a file, not a folder")
    parent = out_dir if os.path.isdir(out_dir) else os.path.dirname(os.path.abspath(out_dir))
    while parent and not os.path.exists(parent):
        parent = os.path.dirname(parent)
    if not os.path.isdir(parent) or not os.access(parent, os.W_OK | os.X_OK):
        raise ConfigError(f"--out '{out_dir}': cannot write in '{parent}'")


def _markdown(out_dir, db, as_of, open_definition, n_draws, seed, progress, today):
    from .analysis.freshness import read_freshness
    from .report.static import check_report_dir, write_report

    check_report_dir(out_dir)  # before the work: the folder is replaced whole
    with one_state(db):
        result = gap(db=db, as_of=as_of, open_definition=open_definition, n_draws=n_draws,
                     seed=seed, progress=progress)
        with open_warehouse(db) as warehouse:
            long = warehouse.observations()
            freshness = read_freshness(warehouse, today or dt.date.today())
    s = result.settings
    series = frontier_series(prepare(long, s.open_definition, s.as_of))
    from ._api_diff import since_last_update_text

    since = since_last_update_text(db, s.open_definition, n_draws=min(n_draws, HISTORY_DRAWS),
                                   seed=seed)
    return result, write_report(result, series, freshness.sources, out_dir, freshness,
                                since=since)
