"""The API for the claims: the seven claims of the debate, each with its computed verdict
(analysis/claims.py), from the analyses computed once."""

from __future__ import annotations

import datetime as dt

import pandas as pd

from ._api_core import (
    Progress,
    _model_meta,
    as_of_or_data_date,
    one_state,
    open_warehouse,
    parse_as_of,
    parse_open_definition,
)
from ._api_index import current_fit, fit_index
from .analysis import prepare
from .errors import ConfigError, GaplensError
from .types import OpenDefinition

PUBLISHED_DRAWS = 300  # draws of the lag on the published index (as in the report)


def gap_claim_inputs(long: pd.DataFrame, domains: pd.DataFrame, bench: pd.DataFrame,
                     signals: pd.DataFrame, definition: OpenDefinition, as_of: dt.date,
                     n_draws: int, seed: int, notes: list[str]):
    """The per-domain gap (with its draws and per-benchmark rows) and the published index's
    lag at the newest snapshot on or before ``as_of`` (None without AA data)."""
    from .analysis.gap import GapSettings, compute_gap
    from .analysis.published_lag import published_lag, snapshot_on_or_before

    obs = prepare(long, definition, as_of)
    gap = compute_gap(obs, GapSettings(as_of=as_of, open_definition=definition,
                                       n_draws=n_draws, seed=seed), domains, bench)
    aa = signals.loc[signals["signal"].str.startswith("aa.")]
    snapshot = snapshot_on_or_before(aa, as_of) if not aa.empty else None
    published = None
    if snapshot is not None:
        try:
            published = published_lag(aa, GapSettings(
                as_of=as_of, open_definition=definition,
                n_draws=min(n_draws, PUBLISHED_DRAWS), seed=seed), snapshots=[snapshot]).table
        except GaplensError as exc:
            notes.append(f"lag on the published index: {exc}")
    return gap, published


def claims(db: str | None = None, as_of: str | dt.date | None = None,
           open_definition: str | OpenDefinition = OpenDefinition.OPEN_WEIGHTS,
           n_draws: int = 1000, seed: int = 0, benchmark_claims: str | None = None,
           progress: Progress | None = None) -> tuple:
    """The seven claims (:data:`gaplens.analysis.claims.CLAIM_KEYS` order), each a
    :class:`~gaplens.analysis.claims.Claim` with its verdict, generated sentence, estimate
    and interval, data date and evidence rows (docs/claims.md). ``benchmark_claims``: your
    reviewed classes of benchmarks (benchmark, ood, aa_evaluation, aa_relation, source,
    note), layered on the bundled data/benchmark_claims.csv."""
    from .analysis.claims import CLAIM_KEYS
    from .analysis.claims_gap import gap_claims
    from .analysis.claims_signals import focus_claim, lab_claim, use_claim
    from .analysis.domain_index import projector
    from .analysis.lifecycle import LifecycleSettings, compute_lifecycle
    from .analysis.realworld import analyse
    from .ingest.benchmark_claims import benchmark_claims as read_classes
    from ._api_beyond import overfit_splits
    from .analysis.claims_signals import domain_labels

    if n_draws < 20:
        raise ConfigError("--draws must be at least 20 to compare domains")
    definition = parse_open_definition(open_definition)
    as_of = parse_as_of(as_of)
    explicit = as_of is not None
    total, done = 5, [0]

    def step() -> None:
        done[0] += 1
        if progress:
            progress(done[0], total)

    with one_state(db, fit=lambda: fit_index(db=db)):  # fitted and stored on first use
        fitted = current_fit(db)
        as_of = as_of_or_data_date(as_of, db)
        with open_warehouse(db) as warehouse:
            long, bench = warehouse.observations(), warehouse.benchmarks()
            domains, signals = warehouse.domains(), warehouse.signals()
            models_ = warehouse.models()
    if explicit:  # values dated after the claims' date are left out, as in the report
        signals = signals.loc[pd.to_datetime(signals["as_of"]) <= pd.Timestamp(as_of)]
    classes = read_classes(bench["benchmark"], benchmark_claims)
    notes: list[str] = []
    gap, published = gap_claim_inputs(long, domains, bench, signals, definition, as_of,
                                      n_draws, seed, notes)
    found = gap_claims(gap, published, classes, as_of, seed=seed)
    step()

    def attempt(compute):
        try:
            return compute()
        except GaplensError:
            return None  # the claim says what it lacks (its not_enough_data form)

    lifecycle = attempt(lambda: compute_lifecycle(long, bench, LifecycleSettings(
        as_of=as_of, seed=seed, n_draws=n_draws)))
    step()
    meta = _model_meta(models_, definition)
    realworld = attempt(lambda: analyse(fitted, signals, long, meta, n_boot=n_draws, seed=seed,
                                        project=projector(fitted), every_target=True))
    step()
    splits, _ = overfit_splits(fitted, bench, {definition.value: meta}, min(n_draws, 200),
                               2000, seed)
    step()
    found["focus_shift"] = focus_claim(lifecycle, as_of, labels=domain_labels(domains))
    found["use_vs_benchmarks"] = use_claim(realworld, as_of)
    found["lab_focus"] = lab_claim(splits.get(definition.value) or None, as_of)
    step()
    return tuple(found[key] for key in CLAIM_KEYS)


__all__ = ["claims", "gap_claim_inputs"]
