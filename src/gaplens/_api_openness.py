"""The openness ladder, the audit of sources and openness against the lag (docs/openness.md).
Not public: use :mod:`gaplens.api`."""

from __future__ import annotations

import datetime as dt

import pandas as pd

from ._api_core import Progress, as_of_or_data_date, open_warehouse, parse_as_of
from .analysis.openness import (
    RUNG_DEFINITIONS,
    OpennessResult,
    aa_view,
    audit_table,
    ladder_counts,
    ladder_table,
    openness_view,
    rank_correlation,
    rung_frontiers,
)
from .errors import ConfigError
from .ladder import open_source_path, read_open_source
from .types import REPORT_DEFINITIONS, OpenDefinition

OPENNESS_SIGNAL = "aa.openness_index"
HF_SIGNAL = "openrouter_models.hf_weights"


def _newest(signals: pd.DataFrame, name: str) -> pd.Series:
    """The newest value of one signal per model id."""
    part = signals.loc[signals["signal"] == name]
    if part.empty:
        return pd.Series(dtype=float)
    part = part.sort_values(["as_of", "model_id"], kind="stable")
    return part.drop_duplicates("model_id", keep="last").set_index("model_id")["value"]


def warehouse_inputs(warehouse) -> dict:
    """What the openness analysis reads from an open warehouse (models, the kind of source
    that created each, the licence claims, the openness, Hugging Face and AA index signals,
    the models with results): the keyword arguments of ``openness_from`` but the fit, the
    date and the draws."""
    models = warehouse.models()
    sources = warehouse.sources()
    kinds = models["source_id"].map(sources.set_index("source_id")["kind"]) \
        .set_axis(models["model_id"].to_numpy())
    signals = pd.concat([warehouse.signals(name) for name in
                         (OPENNESS_SIGNAL, HF_SIGNAL, "aa.intelligence_index")],
                        ignore_index=True)
    evaluated = set(warehouse.query(
        "SELECT DISTINCT v.model_id FROM results r JOIN model_versions v USING (version_id)"
    )["model_id"])
    return dict(models=models, kinds=kinds, licences=warehouse.licences(), signals=signals,
                evaluated=evaluated)


def openness_from(models: pd.DataFrame, kinds: pd.Series, licences: pd.DataFrame,
                  signals: pd.DataFrame, evaluated: set[str], fitted=None,
                  as_of: dt.date | None = None, definitions=RUNG_DEFINITIONS,
                  n_draws: int = 1000, seed: int = 0) -> OpennessResult:
    """The openness result from warehouse frames and (optionally) the capability fit:
    ladder and counts always; frontier per definition, openness view and correlation when
    ``fitted`` is given (the report passes its own fit and the three definitions it shows
    are not recomputed here)."""
    listed = {row["model_id"]: row["source"] for row in read_open_source(open_source_path())}
    openness = _newest(signals, OPENNESS_SIGNAL)
    ladder = ladder_table(models, listed, openness)
    counts = ladder_counts(ladder, evaluated)
    audit = audit_table(models, kinds, licences, _newest(signals, HF_SIGNAL), openness)
    warnings = []
    missing = sorted(set(listed) - set(models["model_id"]))
    if missing:
        warnings.append(f"{len(missing)} models of the open-source list are not in the "
                        "warehouse: " + ", ".join(missing))
    frontier = pd.DataFrame()
    view = pd.DataFrame()
    rungs = ladder.set_index("model_id")["rung"]
    on_aa = aa_view(signals, models, rungs)
    correlation = rank_correlation(on_aa, n_draws=n_draws, seed=seed, measures=("aa_gap",))
    ci = 0.90
    if fitted is not None:
        from .analysis.index_gap import index_scopes

        ci = fitted.settings.ci
        as_of = as_of or max(pd.to_datetime(fitted.models["release_date"]).dropna()).date()
        scope = index_scopes(fitted, OpenDefinition.ANY_OPEN, domains=[])[0][0]
        m = fitted.models
        groups = {d.value: d.groups(m["accessibility"], m["model_id"]) for d in definitions}
        frontier = rung_frontiers(scope, groups, as_of, ci)
        names = m.set_index("model_id")["display_name"]
        view = openness_view(scope, rungs, openness, names)
        correlation = pd.concat([rank_correlation(view, n_draws=n_draws, ci=ci, seed=seed),
                                 rank_correlation(on_aa, n_draws=n_draws, ci=ci, seed=seed,
                                                  measures=("aa_gap",))],
                                ignore_index=True)
    return OpennessResult(as_of=as_of, ladder=ladder, counts=counts, audit=audit,
                          frontier=frontier, view=view, aa=on_aa, correlation=correlation,
                          ci=ci,
                          warnings=tuple(warnings))


def openness(db: str | None = None, as_of: str | dt.date | None = None,
             with_index: bool = True, n_draws: int = 1000, seed: int = 0,
             progress: Progress | None = None) -> OpennessResult:
    """The openness ladder (models per rung), the audit (models whose sources disagree
    about their weights or licence, with each source's value) and, with ``with_index``,
    the gap and lag on the capability index under each rung (and under the three other
    definitions) and the rank correlation of AA's openness index with the lag."""
    if n_draws < 10:
        raise ConfigError("--draws must be at least 10")
    as_of = as_of_or_data_date(as_of, db) if with_index else parse_as_of(as_of)
    with open_warehouse(db) as warehouse:
        inputs = warehouse_inputs(warehouse)
    fitted = None
    if with_index:
        from ._api_index import current_fit

        fitted = current_fit(db, progress)
    definitions = (*REPORT_DEFINITIONS, *RUNG_DEFINITIONS)
    return openness_from(**inputs, fitted=fitted, as_of=as_of, definitions=definitions,
                         n_draws=n_draws, seed=seed)


__all__ = ["OpennessResult", "openness", "openness_from"]
