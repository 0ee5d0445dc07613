"""How open is "open": the openness ladder, the audit of sources, openness against the lag.

**Ladder.** Each model sits on one rung (:class:`~gaplens.types.Rung`), from its effective
accessibility (an override applied) and the reviewed open-source list:

    open-source  = permissive weights and on data/open_source.csv
    permissive   = Open weights (unrestricted)          (MIT, Apache-2.0, ...)
    use-bounded  = Open weights (restricted use)        (user or revenue caps, use policies)
    non-commercial = Open weights (non-commercial)
    closed       = API or hosted access, closed weights, unreleased
    unknown      = open weights whose licence no source names, or unknown accessibility

A rung used as a definition of open means "this rung or a more open one" (nested sets).

**Frontier per rung.** On the capability index, for the set O_r of models on rung r or
above and the closed set C, at the date T: gap_r = c(T) - o_r(T) and the plain lag
(T minus the day the closed frontier first reached o_r(T)), read with the estimators of
``gaplens gap --on index`` (:func:`gaplens.analysis.index_gap.read_at`) on the central fit
and each bootstrap draw of the fit (percentile intervals).

**Audit.** Every source that says something about a model's weights gives a claim: the
class of the source that created the model (Epoch's ``Model accessibility``, or the class
AA, LMArena or LiveBench gave a model it created), AA's open-weights and commercial flags
and licence name (read as :func:`gaplens.ingest.artificial_analysis.accessibility_of`),
LMArena's licence (read through data/licences.csv), LiveBench's open-weights flag
(open weights with no licence, or closed) and, when fetched, OpenRouter's
Hugging Face repository (evidence of open weights only). Each claim maps to a rung
(open source is not a claim a source makes: it reads as permissive). A model is listed
when its claims disagree:

* ``open vs closed``: one claim is open weights (any open rung, or open with no known
  licence), another is closed;
* ``licence rung``: every claim is open, and two known open rungs differ (permissive,
  use-bounded, non-commercial).

Claims of unknown weights, or of open weights with no known licence, never disagree with
an open claim. A listed model that has an accessibility override is marked ``settled``.

**Openness index.** For each open-weights model with AA's openness index (0-100; its
newest value) and a capability index value: the gap g_m = c(t_m) - I_m to the closed
frontier at its release t_m and the lag l_m = t_m - first_closed(I_m) in months (0 when the
model was at or above the closed frontier). Spearman's rho between the openness index
and g_m (and l_m), with a percentile interval from resampling the models (seeded). The
same on AA's own index (``aa_gap``): on AA's newest snapshot, the best closed model's
measured Intelligence Index minus each open model's (estimated values left out); far
more models carry both numbers there than on the capability index.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from ..types import Accessibility, OpenDefinition, Rung
from .gap import DAYS_PER_MONTH, to_day
from .ranks import average_ranks_rows

#: The rung definitions, most open first.
RUNG_DEFINITIONS = (OpenDefinition.OPEN_SOURCE, OpenDefinition.PERMISSIVE,
                    OpenDefinition.USE_BOUNDED, OpenDefinition.NON_COMMERCIAL)
LADDER_COLUMNS = ["model_id", "display_name", "organization", "release_date", "accessibility",
                  "rung", "open_source_source", "aa_openness_index"]
COUNT_COLUMNS = ["rung", "n_models", "n_evaluated", "n_at_or_above", "definition"]
AUDIT_COLUMNS = ["model_id", "display_name", "kind", "status", "accessibility", "rung",
                 "claims", "record_source", "record", "aa", "lmarena", "livebench",
                 "hugging_face",
                 "aa_openness_index", "override_reason"]
FRONTIER_COLUMNS = ["definition", "n_open", "n_closed", "open_leader", "closed_leader",
                    "open_index", "closed_index", "gap", "gap_ci_low", "gap_ci_high",
                    "lag_months", "lag_months_ci_low", "lag_months_ci_high"]
VIEW_COLUMNS = ["model_id", "display_name", "rung", "release_date", "openness_index", "index",
                "gap", "lag_months"]
CORRELATION_COLUMNS = ["measure", "n_models", "rho", "rho_ci_low", "rho_ci_high"]


@dataclass(frozen=True)
class OpennessResult:
    as_of: dt.date | None
    ladder: pd.DataFrame  # one row per model (LADDER_COLUMNS)
    counts: pd.DataFrame  # one row per rung (COUNT_COLUMNS)
    audit: pd.DataFrame  # one row per model whose sources disagree (AUDIT_COLUMNS)
    frontier: pd.DataFrame  # one row per rung definition on the capability index
    view: pd.DataFrame  # open models: openness index, gap and lag at release
    aa: pd.DataFrame  # open models on AA's newest snapshot: openness index, gap in AA points
    correlation: pd.DataFrame  # Spearman's rho of openness with gap, lag and AA's gap
    ci: float = 0.90
    warnings: tuple[str, ...] = field(default=())


# --------------------------------------------------------------------------------------
# Ladder
# --------------------------------------------------------------------------------------
def model_rungs(models: pd.DataFrame, open_source: frozenset[str] | set[str]) -> pd.Series:
    """The rung of each model (values of :class:`Rung`), aligned with ``models``, from its
    effective ``accessibility`` and the open-source list."""
    return pd.Series([Rung.of(Accessibility.parse(a), m in open_source).value
                      for a, m in zip(models["accessibility"], models["model_id"])],
                     index=models.index, dtype=object)


def ladder_table(models: pd.DataFrame, open_source: dict[str, str],
                 openness: pd.Series | None = None) -> pd.DataFrame:
    """Every model with its rung; ``open_source``: model id -> source of the list row;
    ``openness``: AA's newest openness index by model id."""
    out = models[["model_id", "display_name", "organization", "release_date",
                  "accessibility"]].copy()
    out["rung"] = model_rungs(out, set(open_source))
    listed = out["model_id"].map(open_source)
    out["open_source_source"] = listed.where(out["rung"] == Rung.OPEN_SOURCE.value)
    out["aa_openness_index"] = (out["model_id"].map(openness) if openness is not None
                                else np.nan)
    order = out["rung"].map(lambda r: Rung(r).order)
    return out.assign(_o=order).sort_values(["_o", "model_id"], kind="stable") \
        .drop(columns="_o").reset_index(drop=True)[LADDER_COLUMNS]


def ladder_counts(ladder: pd.DataFrame, evaluated: set[str] | None = None) -> pd.DataFrame:
    """Models per rung (``n_evaluated``: those with a benchmark result), and how many are on
    the rung or a more open one (the open set of the rung's definition)."""
    rows, above = [], 0
    for rung in Rung:
        ids = ladder.loc[ladder["rung"] == rung.value, "model_id"]
        n = len(ids)
        if rung.is_open:
            above += n
        rows.append(dict(rung=rung.value, n_models=n,
                         n_evaluated=int(ids.isin(evaluated).sum()) if evaluated is not None
                         else np.nan,
                         n_at_or_above=above if rung.is_open else np.nan,
                         definition=rung.value if rung.is_open else ""))
    return pd.DataFrame(rows, columns=COUNT_COLUMNS)


# --------------------------------------------------------------------------------------
# Audit
# --------------------------------------------------------------------------------------
def _aa_text(row) -> str:
    if row is None:
        return ""
    if row["open_weights"] is False or row["open_weights"] == 0:
        return "closed"
    if pd.isna(row["open_weights"]):
        return "unknown"
    parts = ["open"]
    if row["commercial"] is not None and not pd.isna(row["commercial"]):
        parts.append("commercial" if bool(row["commercial"]) else "non-commercial")
    if isinstance(row["licence"], str) and row["licence"]:
        parts.append(row["licence"])
    return ", ".join(parts)


def _claim_rung_aa(row) -> Rung | None:
    from ..ingest.artificial_analysis import accessibility_of

    flag = None if pd.isna(row["open_weights"]) else bool(row["open_weights"])
    commercial = None if row["commercial"] is None or pd.isna(row["commercial"]) \
        else bool(row["commercial"])
    licence = row["licence"] if isinstance(row["licence"], str) else None
    cls = accessibility_of(flag, commercial, licence)
    return None if cls is Accessibility.UNKNOWN else Rung.of(cls)


def _claim_rung_licence(text) -> Rung | None:
    from ..ingest.lmarena import licence_access

    cls = licence_access(text)
    return None if cls is None else Rung.of(cls)


def _open_state(rung: Rung | None, accessibility: Accessibility | None = None) -> bool | None:
    """True: open weights; False: closed; None: says nothing about the weights."""
    if rung is None:
        return None
    if rung is Rung.CLOSED:
        return False
    if rung is Rung.UNKNOWN:
        return True if accessibility is None or accessibility.is_open_weights else None
    return True


def _claim_text(rung: Rung | None, state: bool | None) -> str:
    if rung is Rung.UNKNOWN and state:
        return "open, licence unknown"
    return rung.value if rung is not None else "unknown"


def audit_table(models: pd.DataFrame, record_kinds: pd.Series, licences: pd.DataFrame,
                hf_weights: pd.Series | None = None,
                openness: pd.Series | None = None) -> pd.DataFrame:
    """Models whose sources disagree about their weights (see the module docstring).

    ``models``: Warehouse.models() (accessibility, source_accessibility, override_reason);
    ``record_kinds``: the kind of the source that created each model, by model id;
    ``licences``: Warehouse.licences() (newest claim per model and source is used);
    ``hf_weights``: OpenRouter's Hugging Face flag (1/0) by model id; ``openness``: AA's
    openness index by model id."""
    newest = (licences.sort_values("as_of", ascending=False, kind="stable")
              .drop_duplicates(["model_id", "source"]) if len(licences) else licences)
    by_source = {s: part.set_index("model_id") for s, part in newest.groupby("source")} \
        if len(newest) else {}
    # Each source's claims and each series as dicts by model id, read once: a lookup per
    # model instead of a label lookup in a frame (each source has one row per model).
    aa = _rows_by_id(by_source.get("aa"), ("open_weights", "commercial", "licence"))
    lm = _column_by_id(by_source.get("lmarena"), "licence")
    lb = _column_by_id(by_source.get("livebench"), "open_weights")
    kinds, hf_by_id = _series_by_id(record_kinds), _series_by_id(hf_weights)
    openness_by_id = _series_by_id(openness)
    parse = _memo_of(Accessibility.parse)
    rows = []
    for m in models.itertuples(index=False):
        record_cls = parse(m.source_accessibility)
        kind = kinds.get(m.model_id, "")
        claims: dict[str, tuple[Rung | None, bool | None]] = {}
        if record_cls is not Accessibility.UNKNOWN:
            rung = Rung.of(record_cls)
            claims[kind or "record"] = (rung, _open_state(rung, record_cls))
        aa_row = aa.get(m.model_id)
        if aa_row is not None and kind != "aa":
            rung = _claim_rung_aa(aa_row)
            claims["aa"] = (rung, _open_state(rung))
        lm_text = lm.get(m.model_id)
        if lm_text is not None and kind != "lmarena":
            rung = _claim_rung_licence(lm_text)
            claims["lmarena"] = (rung, _open_state(rung))
        if m.model_id in lb and kind != "livebench":
            flag = lb[m.model_id]
            if flag is not None and not pd.isna(flag):
                claims["livebench"] = ((Rung.UNKNOWN, True) if bool(flag)
                                       else (Rung.CLOSED, False))
        hf = hf_by_id.get(m.model_id) if hf_weights is not None else None
        if hf is not None and not pd.isna(hf) and hf > 0:
            claims["hugging_face"] = (Rung.UNKNOWN, True)
        if len(claims) < 2:
            continue
        states = {s for _, s in claims.values() if s is not None}
        known = {r for r, s in claims.values()
                 if r is not None and r.is_open}
        if states == {True, False}:
            what = "open vs closed"
        elif states == {True} and len(known) > 1:
            what = "licence rung"
        else:
            continue
        has_override = isinstance(m.override_reason, str) and bool(m.override_reason)
        rows.append(dict(
            model_id=m.model_id, display_name=m.display_name if isinstance(
                m.display_name, str) else m.model_id,
            kind=what, status="settled" if has_override else "open",
            accessibility=m.accessibility,
            rung=Rung.of(parse(m.accessibility)).value,
            claims="; ".join(f"{s}: {_claim_text(r, state)}"
                             for s, (r, state) in claims.items()),
            record_source=kind, record=m.source_accessibility,
            aa=_aa_text(aa_row), lmarena=lm_text or "",
            livebench=("open weights" if claims.get("livebench", (None, None))[1] else
                       "closed" if "livebench" in claims else ""),
            hugging_face="repository" if "hugging_face" in claims else "",
            aa_openness_index=(openness_by_id.get(m.model_id, np.nan)
                               if openness is not None else np.nan),
            override_reason=m.override_reason if has_override else ""))
    out = pd.DataFrame(rows, columns=AUDIT_COLUMNS)
    kind_order = {"open vs closed": 0, "licence rung": 1}
    return out.assign(_k=out["kind"].map(kind_order), _s=out["status"] == "settled") \
        .sort_values(["_s", "_k", "model_id"], kind="stable") \
        .drop(columns=["_k", "_s"]).reset_index(drop=True)


def _series_by_id(series: pd.Series | None) -> dict:
    """A series as a dict (its values as ``Series.get`` gives them); empty for None."""
    if series is None:
        return {}
    if not series.index.is_unique:
        raise ValueError("one value per model id expected")
    return dict(zip(series.index, series.array))


def _column_by_id(frame: pd.DataFrame | None, column: str) -> dict:
    """One column of a frame indexed by model id, as a dict (empty for None)."""
    return {} if frame is None else _series_by_id(frame[column])


def _rows_by_id(frame: pd.DataFrame | None, columns: tuple[str, ...]) -> dict[str, dict]:
    """Rows of a frame indexed by model id as dicts of ``columns`` (empty for None)."""
    if frame is None:
        return {}
    if not frame.index.is_unique:
        raise ValueError("one row per model id expected")
    values = [frame[c].array for c in columns]
    return {m: dict(zip(columns, row)) for m, row in zip(frame.index, zip(*values))}


def _memo_of(function):
    """``function`` of one hashable argument, each distinct argument computed once."""
    memo = {}

    def call(value):
        key = (type(value), "missing") if value is None or pd.isna(value) \
            else (type(value), value)
        if key not in memo:
            memo[key] = function(value)
        return memo[key]

    return call


# --------------------------------------------------------------------------------------
# Frontier per rung and the openness-index view (capability index)
# --------------------------------------------------------------------------------------
def rung_frontiers(scope, groups_by_definition: dict[str, np.ndarray], as_of: dt.date,
                   ci: float) -> pd.DataFrame:
    """Gap and plain lag on the index at ``as_of`` for each definition's open/closed
    groups over the general ``scope`` (:class:`~gaplens.analysis.index_gap.Scope`)."""
    from dataclasses import replace

    from .index_gap import Steps, interval, read_at

    day, rows = to_day(as_of), []
    for name, groups in groups_by_definition.items():
        sc = replace(scope, groups=groups)
        open_, closed = Steps.of(sc, "open"), Steps.of(sc, "closed")
        row = dict(definition=name, n_open=open_.count(day), n_closed=closed.count(day))
        reading = read_at(open_, closed, day, ci)
        if reading is not None:
            lo, hi, _, _ = interval(reading.gap, ci)
            llo, lhi, _, _ = interval(reading.lag / DAYS_PER_MONTH, ci)
            row.update(open_leader=reading.open_leader, closed_leader=reading.closed_leader,
                       open_index=float(reading.open_level[0]),
                       closed_index=float(reading.closed_level[0]),
                       gap=float(reading.gap[0]), gap_ci_low=lo, gap_ci_high=hi,
                       lag_months=float(reading.lag[0] / DAYS_PER_MONTH),
                       lag_months_ci_low=llo, lag_months_ci_high=lhi)
        rows.append(row)
    return pd.DataFrame(rows, columns=FRONTIER_COLUMNS)


def openness_view(scope, rungs: pd.Series, openness: pd.Series,
                  names: pd.Series) -> pd.DataFrame:
    """Each open-weights model of the scope with an AA openness index: its gap and lag to
    the closed frontier at its release (central fit). ``scope``: the general index with
    the groups of ``any-open`` (open = any open weights); ``rungs``, ``openness``,
    ``names`` by model id."""
    from .gap import from_day

    levels, days, ids = scope.levels[0], scope.days, scope.model_ids
    closed = (scope.groups == "closed") & np.isfinite(levels)
    order = np.argsort(days[closed], kind="stable")
    c_days, c_levels = days[closed][order], levels[closed][order]
    running = np.maximum.accumulate(c_levels) if len(c_levels) else c_levels
    rows = []
    for i, m in enumerate(ids):
        value = openness.get(m, np.nan)
        if scope.groups[i] != "open" or pd.isna(value) or not np.isfinite(levels[i]):
            continue
        k = int(np.searchsorted(c_days, days[i], side="right"))
        if k == 0:
            continue
        gap = float(running[k - 1] - levels[i])
        reach = np.flatnonzero(running[:k] >= levels[i])
        lag = (days[i] - c_days[reach[0]]) / DAYS_PER_MONTH if gap > 0 else 0.0
        rows.append(dict(model_id=m, display_name=names.get(m, m), rung=rungs.get(m),
                         release_date=from_day(int(days[i])), openness_index=float(value),
                         index=float(levels[i]), gap=gap, lag_months=float(lag)))
    out = pd.DataFrame(rows, columns=VIEW_COLUMNS)
    return out.sort_values(["openness_index", "model_id"], ascending=[False, True],
                           kind="stable").reset_index(drop=True)


def _spearman_rows(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Spearman's rho of each row pair of (draws, n) arrays (average ranks for ties); NaN
    where a row has no spread."""
    rx, ry = average_ranks_rows(x), average_ranks_rows(y)
    rx, ry = rx - rx.mean(axis=1, keepdims=True), ry - ry.mean(axis=1, keepdims=True)
    den = np.sqrt((rx ** 2).sum(axis=1) * (ry ** 2).sum(axis=1))
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(den > 0, (rx * ry).sum(axis=1) / np.where(den > 0, den, 1), np.nan)


def spearman(x, y) -> float:
    """Spearman's rank correlation (average ranks for ties); NaN under 3 pairs or no
    spread."""
    x, y = np.asarray(x, float), np.asarray(y, float)
    if len(x) < 3:
        return np.nan
    return float(_spearman_rows(x[None, :], y[None, :])[0])


def aa_view(signals: pd.DataFrame, models: pd.DataFrame, rungs: pd.Series) -> pd.DataFrame:
    """On AA's newest snapshot with openness values: each open-weights model with a
    measured (not estimated) Intelligence Index and an openness index, and its gap to the
    best closed model's index on that snapshot (``aa_gap``, AA points)."""
    columns = ["model_id", "display_name", "rung", "as_of", "openness_index",
               "aa_index", "aa_gap"]
    have = signals.loc[signals["signal"] == "aa.openness_index"]
    if have.empty:
        return pd.DataFrame(columns=columns)
    as_of = pd.to_datetime(have["as_of"]).max()
    snap = signals.loc[pd.to_datetime(signals["as_of"]) == as_of]
    wide = snap.pivot_table(index="model_id", columns="signal", values="value",
                            aggfunc="first")
    if "aa.intelligence_index" not in wide or "aa.openness_index" not in wide:
        return pd.DataFrame(columns=columns)
    estimated = wide.get("aa.intelligence_index_is_estimated",
                         pd.Series(0.0, index=wide.index)).fillna(0) != 0
    wide = wide.loc[~estimated & wide["aa.intelligence_index"].notna()]
    access = models.set_index("model_id")["accessibility"].reindex(wide.index)
    cls = [Accessibility.parse(a) if isinstance(a, str) else Accessibility.UNKNOWN
           for a in access]
    closed = np.array([c.is_closed for c in cls], dtype=bool)
    is_open = np.array([c.is_open_weights for c in cls], dtype=bool)
    if not closed.any():
        return pd.DataFrame(columns=columns)
    frontier = float(wide["aa.intelligence_index"].to_numpy()[closed].max())
    part = wide.loc[is_open & wide["aa.openness_index"].notna().to_numpy()]
    names = models.set_index("model_id")["display_name"]
    out = pd.DataFrame({
        "model_id": part.index, "display_name": [names.get(m, m) for m in part.index],
        "rung": [rungs.get(m) for m in part.index], "as_of": as_of.date(),
        "openness_index": part["aa.openness_index"].to_numpy(float),
        "aa_index": part["aa.intelligence_index"].to_numpy(float),
        "aa_gap": frontier - part["aa.intelligence_index"].to_numpy(float)}, columns=columns)
    return out.sort_values(["openness_index", "model_id"], ascending=[False, True],
                           kind="stable").reset_index(drop=True)


def rank_correlation(view: pd.DataFrame, n_draws: int = 1000, ci: float = 0.90,
                     seed: int | np.random.Generator = 0,
                     measures: tuple[str, ...] = ("gap", "lag_months")) -> pd.DataFrame:
    """Spearman's rho of the openness index with the gap and with the lag, each with a
    percentile interval from resampling the models (widened to hold the estimate; draws
    without spread are counted out)."""
    rng = seed if isinstance(seed, np.random.Generator) else np.random.default_rng(seed)
    n = len(view)
    picks = rng.integers(0, n, size=(n_draws, n)) if n >= 3 else None
    rows = []
    for measure in measures:
        x, y = view["openness_index"].to_numpy(float), view[measure].to_numpy(float)
        rho = spearman(x, y)
        lo = hi = np.nan
        if np.isfinite(rho) and picks is not None:
            draws = _spearman_rows(x[picks], y[picks])
            draws = draws[np.isfinite(draws)]
            if len(draws) >= 2:
                tail = (1 - ci) / 2
                lo, hi = (float(v) for v in np.quantile(draws, [tail, 1 - tail]))
                lo, hi = min(lo, rho), max(hi, rho)
        rows.append(dict(measure=measure, n_models=n, rho=rho, rho_ci_low=lo, rho_ci_high=hi))
    return pd.DataFrame(rows, columns=CORRELATION_COLUMNS)


def openness_sentence(result: OpennessResult) -> str:
    """One generated sentence: the ladder, the audit and the openness-index reading."""
    counts = result.counts.set_index("rung")["n_models"]
    parts = [f"Of {int(counts.sum())} models, {int(counts.get('open-source', 0))} are open "
             f"source, {int(counts.get('permissive', 0))} permissive, "
             f"{int(counts.get('use-bounded', 0))} use-bounded and "
             f"{int(counts.get('non-commercial', 0))} non-commercial open weights"]
    open_audit = result.audit.loc[result.audit["status"] == "open"]
    kinds = open_audit["kind"].value_counts()
    parts.append(f"the sources disagree on {len(result.audit)} models: "
                 f"{int(kinds.get('open vs closed', 0))} open vs closed and "
                 f"{int(kinds.get('licence rung', 0))} on the licence rung still to settle, "
                 f"{int((result.audit['status'] == 'settled').sum())} settled by an override")
    text = "; ".join(parts) + "."
    corr = result.correlation.set_index("measure") if len(result.correlation) else None
    for measure, what in (("lag_months", "the lag at release on the capability index"),
                          ("aa_gap", "the gap on AA's Intelligence Index")):
        if corr is None or measure not in corr.index or not np.isfinite(
                corr.loc[measure, "rho"]):
            continue
        r = corr.loc[measure]
        text += (f" Across {int(r['n_models'])} open models with AA's openness index, the "
                 f"rank correlation of openness with {what} is "
                 f"{r['rho']:.2f} [{r['rho_ci_low']:.2f}, {r['rho_ci_high']:.2f}]"
                 + (" (more open, further behind)." if r["rho_ci_low"] > 0 else
                    " (more open, closer)." if r["rho_ci_high"] < 0 else
                    ": no clear relation."))
    return text


__all__ = ["OpennessResult", "RUNG_DEFINITIONS", "aa_view", "audit_table", "ladder_counts",
           "ladder_table", "model_rungs", "openness_sentence", "openness_view",
           "rank_correlation", "rung_frontiers", "spearman"]
