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
    as_of_or_data_date,
    one_state,
    open_warehouse,
    parse_as_of,
    parse_date,
    parse_open_definition,
)
from ._api_beyond import OverfitReport
from ._api_coverage import with_coverage
from ._api_data import gap
from ._api_index import current_fit, data_groups
from ._api_openness import warehouse_inputs as openness_warehouse_inputs
from ._api_openness import openness_from
from .analysis import prepare
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


def _domain_labels(domains: pd.DataFrame) -> dict[str, str]:
    """Domain key -> its label, for sentences."""
    if domains is None or "label" not in domains.columns:
        return {}
    return {k: str(v) for k, v in zip(domains["domain"], domains["label"]) if pd.notna(v)}


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


def _overfit_all(fitted, bench: pd.DataFrame, metas: dict[str, pd.DataFrame], n_draws: int,
                 n_perm: int, seed: int) -> tuple[dict[str, tuple], list[str]]:
    """Every over-fitting split under every definition's grouping (projections shared)."""
    from .analysis.overfit import SPLITS, overfit_many

    per: dict[str, list] = {key: [] for key in metas}
    notes = []
    for split in SPLITS:
        try:
            results = overfit_many(fitted, bench, metas, split, n_draws=n_draws, n_perm=n_perm,
                                   seed=seed)
        except ConfigError as exc:
            notes.append(f"over-fitting split {split}: {exc}")
            continue
        for key, result in results.items():
            per[key].append(result)
    return {key: tuple(v) for key, v in per.items()}, notes


@dataclass(frozen=True)
class _Shared:
    """What every definition's analyses read: the data once, and the parts computed once."""

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
    overfit_splits: dict
    classes: pd.DataFrame | None = None  # ingest.benchmark_claims: benchmark classes
    memo: dict = field(default_factory=dict)  # definition-free parts, computed once


@dataclass(frozen=True)
class _Base:
    """What the earlier maps read (:func:`_history`): the results and tables, no fit."""

    as_of: dt.date
    n_draws: int
    seed: int
    long: pd.DataFrame
    bench: pd.DataFrame
    domains: pd.DataFrame


def _history(ctx: _Shared | _Base, definition: OpenDefinition) -> tuple[list, list[str]]:
    """The map's table at each of the quarter ends before the report date (no timeline),
    and a note per date the data cannot support."""
    from .analysis.gap import GapSettings, compute_gap

    history, notes = [], []
    for date in quarter_ends(ctx.as_of, HISTORY_QUARTERS):
        try:
            past = compute_gap(prepare(ctx.long, definition, date), GapSettings(
                as_of=date, open_definition=definition,
                n_draws=min(ctx.n_draws, HISTORY_DRAWS), seed=ctx.seed),
                ctx.domains, ctx.bench, timeline_months=0)
        except GaplensError as exc:
            notes.append(f"the map as of {date}: {exc}")
            continue
        history.append(past.table.assign(as_of=date))
    return history, notes


def _for_definition(ctx: _Shared, definition: OpenDefinition, step,
                    with_history: bool = True) -> ByDefinition:
    """Every definition-dependent analysis; parts the data cannot support become notes.
    ``with_history=False`` leaves the earlier maps out (:func:`_history`, run apart)."""
    from .analysis.composite import published_gap, weight_sensitivity
    from .analysis.factors import factor_analysis
    from .analysis.forecast import ForecastSettings, forecast
    from .analysis.gap import GapSettings, compute_gap
    from .analysis.index_gap import IndexGapSettings, index_gap, index_scopes
    from .analysis.overfit import lag_by_test_set
    from .analysis.published_lag import published_lag
    from .analysis.realworld import analyse

    notes: list[str] = []
    fitted, ci = ctx.fitted, ctx.fitted.settings.ci
    obs = prepare(ctx.long, definition, ctx.as_of)

    def gap_of(**options):
        settings = GapSettings(as_of=ctx.as_of, open_definition=definition,
                               n_draws=options.pop("n_draws", ctx.n_draws), seed=ctx.seed,
                               **options)
        return compute_gap(obs, settings, ctx.domains, ctx.bench)

    # One map with the long timeline: each month's values depend only on its date, so the
    # map's own (window-long) timeline is the long one's tail.
    settings = GapSettings(as_of=ctx.as_of, open_definition=definition, n_draws=ctx.n_draws,
                           seed=ctx.seed)
    g = compute_gap(obs, settings, ctx.domains, ctx.bench, timeline_months=TIMELINE_MONTHS)
    timeline = g.timeline
    g = replace(g, timeline=timeline.loc[pd.to_datetime(timeline["date"]) >= pd.Timestamp(
        ctx.as_of) - pd.DateOffset(months=settings.window_months)].reset_index(drop=True))
    # Coverage beside capability: which domains' frontiers lack stronger or newer open models.
    g = with_coverage(g, obs, ctx.domains, ctx.bench, fit=ctx.fitted)
    history = []
    if with_history:
        history, notes = _history(ctx, definition)
    frontiers = frontier_series(obs)
    step()
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
    groups = data_groups(fitted, ctx.data, definition)
    fa = _try(notes, "factors", lambda: factor_analysis(
        ctx.data, fitted.settings, groups, k=2, with_heldout=False, seed=ctx.seed,
        fits=ctx.memo.setdefault("factors", {})))
    step()
    rw = _try(notes, "real-world alignment", lambda: analyse(
        fitted, ctx.signals, ctx.long, ctx.metas[definition.value], n_boot=ctx.n_draws,
        seed=ctx.seed, project=ctx.project, every_target=True,
        cache=ctx.memo.setdefault("realworld", {})))
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
    return ByDefinition(definition=definition.value, description=definition.description,
                        gap=g, gap_timeline=timeline,
                        gap_history=(pd.concat(history, ignore_index=True) if history
                                     else pd.DataFrame()),
                        frontiers=frontiers, index_gap=ig,
                        published_gap=pub,
                        published_lag=lagged.table if lagged is not None else pd.DataFrame(),
                        composite=comp, factors=fa, realworld=rw,
                        overfit=of, forecast=fc, notes=tuple(notes), claims=claims,
                        cost=price, countries=countries)


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
    from .analysis.claims_signals import focus_claim

    found = {c.key: c for c in item.claims}
    found["focus_shift"] = focus_claim(lifecycle, as_of, labels=_domain_labels(domains))
    return replace(item, claims=tuple(found[k] for k in CLAIM_KEYS if k in found))


_POOL_CTX: list = []  # the shared inputs a forked worker inherits (set only around the pool)
_POOL_BASE: list = []  # the same for the earlier maps' workers (set only while they fork)


def _history_task(i: int):
    base, chosen = _POOL_BASE
    return _history(base, chosen[i])


class _EarlyMaps:
    """The earlier maps of every definition on forked workers, started as soon as the
    results are read: they need no fit, so they run while this process projects the
    domains and tests over-fitting. Seeded as in one process (the same numbers)."""

    def __init__(self, base: _Base, chosen: list[OpenDefinition], jobs: int) -> None:
        import multiprocessing

        _POOL_BASE[:] = [base, chosen]
        try:  # the workers are forked here, each with its copy of the inputs
            self.pool = multiprocessing.get_context("fork").Pool(min(jobs, len(chosen)))
        finally:
            _POOL_BASE.clear()
        self.pending = [self.pool.apply_async(_history_task, (i,)) for i in range(len(chosen))]

    @classmethod
    def start(cls, base: _Base, chosen: list[OpenDefinition]) -> "_EarlyMaps | None":
        """Started workers, or None where one process does everything (:func:`_jobs`)."""
        import multiprocessing

        jobs = _jobs()
        if jobs < 2 or len(chosen) < 2 or "fork" not in multiprocessing.get_all_start_methods():
            return None
        return cls(base, chosen, jobs)

    def results(self) -> list[tuple[list, list[str]]]:
        try:
            return [p.get() for p in self.pending]
        finally:
            self.close()

    def close(self) -> None:
        self.pool.terminate()
        self.pool.join()


def _jobs() -> int:
    """Worker processes for the per-definition analyses: GAPLENS_JOBS, else the CPUs this
    process may use."""
    value = os.environ.get("GAPLENS_JOBS", "")
    if value.strip():
        try:
            return max(1, int(value))
        except ValueError:
            raise ConfigError(f"GAPLENS_JOBS must be a whole number, not '{value}'") from None
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (
        os.cpu_count() or 1)


def _task(task: tuple[str, int]):
    kind, i = task
    ctx, chosen = _POOL_CTX
    if kind == "history":
        return _history(ctx, chosen[i])
    return _for_definition(ctx, chosen[i], lambda: None, with_history=False)


def _per_definition(ctx: _Shared, chosen: list[OpenDefinition], step,
                    during=None, early: _EarlyMaps | None = None) -> list[ByDefinition]:
    """:func:`_for_definition` for each definition: in this process, or with two or more
    CPUs on a pool of forked workers (each definition's analyses and its earlier maps as
    separate tasks, larger first). Every task is seeded as in one process, so the results
    are the same numbers; a worker computes the definition-free parts (correlations, factor
    fit) once for the tasks it runs. ``during``: work of this process's own, run first
    (while the workers run). ``early``: the earlier maps, already running on workers of
    their own (then only the rest is run here)."""
    import multiprocessing

    jobs = min(_jobs(), 2 * len(chosen))
    if jobs < 2 or len(chosen) < 2 or "fork" not in multiprocessing.get_all_start_methods():
        if during is not None:
            during()
        return [_for_definition(ctx, definition, step) for definition in chosen]
    tasks = [("rest", i) for i in range(len(chosen))]
    if early is None:
        tasks += [("history", i) for i in range(len(chosen))]
    else:
        jobs = min(jobs, len(chosen))
    _POOL_CTX[:] = [ctx, chosen]
    try:
        with multiprocessing.get_context("fork").Pool(jobs) as pool:
            pending = [pool.apply_async(_task, (task,)) for task in tasks]
            if during is not None:
                during()
            done = {}
            for task, result in zip(tasks, pending):
                done[task] = result.get()
                if task[0] == "rest":
                    for _ in range(6):
                        step()
    finally:
        _POOL_CTX.clear()
    if early is not None:
        for i, found in enumerate(early.results()):
            done[("history", i)] = found
    per = []
    for i in range(len(chosen)):
        history, notes = done[("history", i)]
        item = done[("rest", i)]
        per.append(replace(item, gap_history=(pd.concat(history, ignore_index=True)
                                              if history else pd.DataFrame()),
                           notes=tuple(notes) + item.notes))
    return per


def collect(db: str | None = None, as_of: str | dt.date | None = None,
            open_definition: str | OpenDefinition = OpenDefinition.OPEN_WEIGHTS,
            definitions: list[str] | None = None, n_draws: int = 1000, seed: int = 0,
            progress: Progress | None = None, today: dt.date | None = None) -> ReportInputs:
    """Run every analysis the report shows, once per open definition where it matters;
    ``today`` (default: the local date) is the day the data's ages are counted to."""
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

    current_fit(db)  # fitted and stored on first use: a write, so before the state is held
    with one_state(db):  # every read below sees one state of the warehouse
        fitted = current_fit(db)
        as_of = as_of_or_data_date(as_of, db)
        with open_warehouse(db) as warehouse:
            long, bench = warehouse.observations(), warehouse.benchmarks()
            domains, signals = warehouse.domains(), warehouse.signals()
            sources, rejected = warehouse.sources(), warehouse.rejected()
            models_ = warehouse.models()
            span = warehouse.query("SELECT source_id, min(as_of) AS data_from, max(as_of) AS "
                                   "data_to, count(*) AS n_signals FROM signals "
                                   "GROUP BY source_id")
            freshness = read_freshness(warehouse, today or dt.date.today())
            openness_inputs = openness_warehouse_inputs(warehouse)
    # Per source: provenance, data-through date and age; data_from/data_to: its signals.
    sources = freshness.sources.drop(columns="data_from").merge(span, on="source_id",
                                                                how="left")
    early = _EarlyMaps.start(_Base(as_of=as_of, n_draws=n_draws, seed=seed, long=long,
                                   bench=bench, domains=domains), chosen)
    try:
        return _collect_rest(db, as_of, explicit, default, chosen, n_draws, seed, step, total,
                             fitted, long, bench, domains, signals, sources, rejected, models_,
                             freshness, early, openness_inputs)
    finally:
        if early is not None:
            early.close()


def _collect_rest(db, as_of, explicit, default, chosen, n_draws, seed, step, total, fitted,
                  long, bench, domains, signals, sources, rejected, models_, freshness,
                  early, openness_inputs) -> ReportInputs:
    """:func:`collect` after the data are read (the earlier maps already running)."""
    from .analysis.capability import build_data
    from .analysis.composite import agreement, bundled_composites, newest_match
    from .analysis.domain_index import projector
    from .analysis.gap import settings_dict
    from .analysis.lifecycle import LifecycleSettings, compute_lifecycle
    from .ingest.benchmark_claims import benchmark_claims

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
    at, lifecycle_notes, lifecycle = len(notes), [], None

    def lifecycle_part() -> None:  # run while the definitions' workers run, if any
        nonlocal lifecycle
        lifecycle = _try(lifecycle_notes, "lifecycle", lambda: compute_lifecycle(
            long, bench, LifecycleSettings(as_of=as_of, seed=seed, n_draws=n_draws)))
        step()

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
    overfit_splits, overfit_notes = _overfit_all(fitted, bench, metas, min(n_draws, 200),
                                                 2000, seed)  # label permutations: cheap
    notes += overfit_notes
    step()
    ctx = _Shared(as_of=as_of, n_draws=n_draws, seed=seed, fitted=fitted,
                  data=build_data(long, bench, fitted.settings), long=long, bench=bench,
                  domains=domains, signals=signals, aa=aa, composites=composites,
                  version=version, composite_as_of=comp_as_of, agreement=agree,
                  project=project,
                  metas=metas, overfit_splits=overfit_splits,
                  classes=_try(notes, "benchmark classes", lambda: benchmark_claims(
                      bench["benchmark"])))
    per = _per_definition(ctx, chosen, step, during=lifecycle_part, early=early)
    notes[at:at] = lifecycle_notes
    per = [_with_focus_claim(item, lifecycle, as_of, domains) for item in per]
    from ._api_diff import since_last_update_text

    # The ladder and its rung definitions on the fit already made (the report's own
    # three definitions are not recomputed; docs/openness.md).
    openness = _try(notes, "openness", lambda: openness_from(
        **openness_inputs, fitted=fitted, as_of=as_of, definitions=RUNG_DEFINITIONS,
        n_draws=min(n_draws, 1000), seed=seed))
    since = _try(notes, "since the last update", lambda: since_last_update_text(
        db, default, n_draws=min(n_draws, HISTORY_DRAWS), seed=seed)) or ()
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
                     today=today)
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
