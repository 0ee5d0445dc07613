"""What the gap costs: price-capability frontiers of open and closed models.

Each model m of a scope (the general capability index or one domain's projected index)
has a level I_m^(r) on the display scale, r = 0 the central fit and r = 1..R the
bootstrap draws of the index fit, and a price p_m in USD per million tokens, blended 3:1
(three input tokens to one output token, Artificial Analysis' convention):

    p_m = (3 p_in + p_out) / 4

Frontier of group g (open or closed): the lowest price for each capability level, read as
the most capability each budget buys,

    F_g(P) = max { I_m : m in g, p_m <= P }                 (a step function of P)

Its models are the lower-left Pareto set of (price, level): m is on it when no model of g
costs no more and reaches at least as high (with one of the two strictly); equal points
keep the first by name.

With c* the best closed model (highest central level among priced closed models) and
P* = p_c* its price, two readings of the gap:

gap at equal price, at P = P* and at P = P* / 10:

    gap(P) = F_closed(P) - F_open(P)          (index points; F_open(P) is what open buys)

undefined (a note, no number) when no open model costs P or less;

price ratio at equal capability, within X points of the closed frontier:

    m_g(X)     = argmin { p_m : m in g, I_m >= I_c* - X }   (ties: the higher level)
    ratio_g(X) = p_{m_g(X)} / P*

(below 1: that capability is cheaper than the closed frontier model; computed for the
open group, the headline, and for the closed group, whose own cheaper tiers compare).

Intervals (the ``ci`` mass, percentile, as the index gap reads them) hold the central
choice of models fixed and let their levels move with the fit's bootstrap, as
:mod:`gaplens.analysis.index_gap` does: in draw r, gap(P) = I_c^(r) - I_o^(r) for the
central frontier models c and o at P; the ratio takes, among the group's central frontier
models, the cheapest with I_m^(r) >= I_c*^(r) - X. A maximum over all models per draw would
be biased upwards by the noise of many models near the top. A draw in which no frontier
model of the group is within X counts as an infinite ratio (that capability is not for
sale in the group), so the interval's top is infinite when more than its tail of the draws
have none. Where the percentile interval misses
the estimate (a discrete price whose draws all move one way) it is widened to reach it and
the note says so. The interval is the measurement uncertainty of the levels; prices are
taken as exact.

Prices are data: each model's price is the last snapshot at or before the analysis date of
Artificial Analysis (``aa.price_blended``; where a snapshot lacks it, 3:1 from
``aa.price_input`` and ``aa.price_output`` of the same snapshot), else of the OpenRouter
catalogue (``openrouter_models.price_input`` / ``.price_output``, 3:1); source and date are
kept with it. The price of an open-weights model is a hosted provider's rate (what an API
charges to run it), flagged ``hosted``: running the weights oneself costs something else. A
model without a price, or listed at 0 (a free tier or no public price: not a price), is
left out of the frontiers and counted, never priced at zero. Prices change between
snapshots; :func:`cost_timeline` reads the equal-price gap at each snapshot date.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from ..errors import ConfigError
from .gap import to_day
from .index_gap import Scope, interval
from .intervals import nanquantile_columns

BLEND_INPUT = 3.0  # input tokens per output token in the blended price
TENTH = 0.1  # the cheaper budget the equal-price gap is also read at
DEFAULT_WITHIN = 10.0  # index points (the general index: GPT-5 - Claude 3.5 Sonnet = 20)
AA, OPENROUTER = "Artificial Analysis", "OpenRouter catalogue"
AA_SIGNALS = ("aa.price_blended", "aa.price_input", "aa.price_output")
OR_SIGNALS = ("openrouter_models.price_input", "openrouter_models.price_output")
PRICE_COLUMNS = ["model_id", "price", "price_input", "price_output", "price_source",
                 "price_basis", "price_as_of"]


@dataclass(frozen=True)
class CostSettings:
    """Every choice behind a cost result (stored with it)."""

    as_of: dt.date
    open_definition: str = "open-weights"
    within: float = DEFAULT_WITHIN
    ci: float = 0.90

    def __post_init__(self) -> None:
        if not np.isfinite(self.within) or self.within < 0:
            raise ConfigError(f"--within must be a number of index points >= 0, not "
                              f"{self.within:g}")
        if not 0 < self.ci < 1:
            raise ConfigError("the interval level must lie strictly between 0 and 1")

    def to_dict(self) -> dict:
        return {"as_of": self.as_of.isoformat(), "open_definition": self.open_definition,
                "within": self.within, "ci": self.ci, "tenth": TENTH,
                "price": "USD per million tokens, blended 3:1 input:output"}


@dataclass(frozen=True)
class CostResult:
    """Frontiers, equal-price gap and price ratio per scope.

    ``points``: one row per priced open or closed model released by the date (scope,
    model_id, name, group, level, level_ci_low/high, price, price_input, price_output,
    price_source, price_basis, price_as_of, hosted, on_frontier). ``equal_price``: scope,
    at, price, closed_model, closed_level, open_model, open_level(_ci_low/_high), estimate
    (the gap), ci_low, ci_high, note. ``price_ratio``: scope, group, within, level_needed,
    frontier_model, frontier_price, model, level, price, estimate (the ratio), ci_low,
    ci_high (inf: in more than the interval's tail of the draws no model of the group is
    within X), share_none (that share of the draws), note. ``timeline``: equal_price's
    columns per price_as_of. ``missing``: scope, group, n_models, n_priced, n_unpriced,
    n_zero.
    """

    settings: CostSettings
    points: pd.DataFrame
    equal_price: pd.DataFrame
    price_ratio: pd.DataFrame
    missing: pd.DataFrame
    timeline: pd.DataFrame = field(default_factory=pd.DataFrame)
    warnings: tuple[str, ...] = field(default=())

    @property
    def frontiers(self) -> pd.DataFrame:
        """The models on each group's frontier, by scope, group and price."""
        rows = self.points.loc[self.points["on_frontier"]]
        return rows.sort_values(["scope", "group", "price"], kind="mergesort").reset_index(
            drop=True)


# --- prices -----------------------------------------------------------------------------------

def _blend(p_in, p_out):
    return (BLEND_INPUT * np.asarray(p_in, dtype=float) + np.asarray(p_out, dtype=float)) / (
        BLEND_INPUT + 1)


def price_history(signals: pd.DataFrame) -> pd.DataFrame:
    """The price signals wide: one row per (source, model, snapshot) with the blended price
    (NaN where a snapshot has neither the blend nor both input and output prices)."""
    frame = signals.loc[signals["signal"].isin(AA_SIGNALS + OR_SIGNALS),
                        ["model_id", "signal", "value", "as_of"]]
    if frame.empty:
        return pd.DataFrame(columns=["source", "model_id", "as_of", "price", "price_input",
                                     "price_output", "price_basis"])
    frame = frame.assign(as_of=pd.to_datetime(frame["as_of"])).drop_duplicates(
        ["model_id", "as_of", "signal"])  # the warehouse's key: one value each
    wide = frame.set_index(["model_id", "as_of", "signal"])["value"].unstack("signal")
    wide = wide.reindex(columns=list(AA_SIGNALS + OR_SIGNALS)).reset_index()
    parts = []
    blended = wide["aa.price_blended"].to_numpy(dtype=float)
    have = np.isfinite(blended)
    parts.append(pd.DataFrame({
        "source": AA, "model_id": wide["model_id"], "as_of": wide["as_of"],
        "price": np.where(have, blended, _blend(wide["aa.price_input"],
                                                wide["aa.price_output"])),
        "price_input": wide["aa.price_input"].to_numpy(dtype=float),
        "price_output": wide["aa.price_output"].to_numpy(dtype=float),
        "price_basis": np.where(have, "blended 3:1", "blended 3:1 from input and output"),
        "any": wide[list(AA_SIGNALS)].notna().any(axis=1).to_numpy()}))
    p_in, p_out = (wide[f"openrouter_models.price_{k}"] for k in ("input", "output"))
    parts.append(pd.DataFrame({
        "source": OPENROUTER, "model_id": wide["model_id"], "as_of": wide["as_of"],
        "price": _blend(p_in, p_out), "price_input": p_in.to_numpy(dtype=float),
        "price_output": p_out.to_numpy(dtype=float),
        "price_basis": "blended 3:1 from input and output",
        "any": (p_in.notna() | p_out.notna()).to_numpy()}))
    out = pd.concat(parts, ignore_index=True)
    out = out.loc[out["any"]].drop(columns="any")
    return out.sort_values(["source", "model_id", "as_of"], kind="mergesort").reset_index(
        drop=True)


def price_table(signals: pd.DataFrame, as_of: dt.date | None,
                history: pd.DataFrame | None = None) -> pd.DataFrame:
    """Each model's price as of ``as_of`` (None: the newest), with source and date: the last
    Artificial Analysis snapshot at or before the date with a price, else the OpenRouter
    catalogue's (``history``: :func:`price_history` of ``signals``, when already made).

    Columns ``PRICE_COLUMNS``; ``price`` is NaN for a model listed at 0 (its
    ``price_basis`` says so); a model without a price signal has no row.
    """
    hist = price_history(signals) if history is None else history
    if as_of is not None:
        hist = hist.loc[hist["as_of"] <= pd.Timestamp(as_of)]
    hist = hist.loc[np.isfinite(hist["price"].to_numpy(dtype=float))]
    if hist.empty:
        return pd.DataFrame(columns=PRICE_COLUMNS)
    last = hist.groupby(["source", "model_id"], sort=False).tail(1)
    # A positive price first, then Artificial Analysis ("A" < "O"): one row per model.
    out = last.assign(zero=last["price"] <= 0).sort_values(
        ["model_id", "zero", "source"], kind="mergesort").drop_duplicates("model_id")
    out = out.rename(columns={"source": "price_source", "as_of": "price_as_of"})
    zero = out["price"] <= 0
    out.loc[zero, "price_basis"] = "listed at 0 (no public price): left out"
    out.loc[zero, "price"] = np.nan
    out["price_as_of"] = pd.to_datetime(out["price_as_of"]).dt.date
    return out.reset_index(drop=True)[PRICE_COLUMNS]


def price_dates(history: pd.DataFrame, until: dt.date | None = None) -> list[dt.date]:
    """The snapshot dates of a :func:`price_history` that carry a price (at or before
    ``until``), oldest first."""
    priced = history.loc[np.isfinite(history["price"].to_numpy(dtype=float)), "as_of"]
    dates = pd.to_datetime(priced).dt.date
    return sorted(d for d in set(dates) if until is None or d <= until)


# --- the frontier --------------------------------------------------------------------------

def pareto(price: np.ndarray, level: np.ndarray, names: np.ndarray) -> np.ndarray:
    """Mask of the lower-left Pareto set: the models each setting a new highest level when
    read by price ascending (equal prices: the higher level first; equal points: the first
    name)."""
    order = np.lexsort((names, -level, price))
    keep = np.zeros(len(price), dtype=bool)
    read = level[order]
    # the best level read before each model (NaN levels never count: fmax skips them)
    before = np.fmax.accumulate(np.r_[-np.inf, read[:-1]]) if len(read) else read
    keep[order] = read > before
    return keep


def frontier_at(price: np.ndarray, level: np.ndarray, on: np.ndarray, budget: float) -> int:
    """Index of the frontier model giving F(budget) (the best at price <= budget), -1: none."""
    cand = np.flatnonzero(on & (price <= budget * (1 + 1e-12)))
    if not len(cand):
        return -1
    return int(cand[np.argmax(level[cand])])


@dataclass(frozen=True)
class _Priced:
    """One scope's priced models released by the date (arrays aligned)."""

    scope: str
    ids: np.ndarray
    names: np.ndarray
    groups: np.ndarray
    price: np.ndarray
    levels: np.ndarray  # (1 + R, M)
    on: np.ndarray  # on its group's frontier (central)

    def group(self, g: str) -> np.ndarray:
        return self.groups == g


def _lookup(prices: pd.DataFrame) -> dict:
    """model_id -> price (NaN: listed at 0) of a :func:`price_table`."""
    return dict(zip(prices["model_id"].to_numpy(dtype=object),
                    prices["price"].to_numpy(dtype=float)))


def _prices_at(history: pd.DataFrame, dates: list[dt.date]) -> list[dict]:
    """:func:`_lookup` of :func:`price_table` at each date, read from ``history`` once."""
    if history.empty:
        return [{} for _ in dates]
    ids = history["model_id"].to_numpy(dtype=object)
    key = (history["source"].astype(str) + "\x00" + history["model_id"].astype(str)).to_numpy(
        dtype=object)
    when = history["as_of"].to_numpy(dtype="datetime64[D]")
    price = history["price"].to_numpy(dtype=float)
    aa = history["source"].to_numpy(dtype=object) == AA
    finite = np.isfinite(price)
    out = []
    for date in dates:
        idx = np.flatnonzero(finite & (when <= np.datetime64(date, "D")))
        if not len(idx):
            out.append({})
            continue
        k = key[idx]
        last = idx[np.r_[k[1:] != k[:-1], True]]  # rows sorted by source, model, date
        # Per model: a positive price first, then Artificial Analysis.
        rank = (price[last] <= 0) * 2 + (~aa[last])
        lookup: dict = {}
        best: dict = {}
        for i, r in zip(last, rank):
            m = ids[i]
            if m not in best or r < best[m]:
                best[m] = r
                lookup[m] = price[i] if price[i] > 0 else np.nan
        out.append(lookup)
    return out


def _priced(scope: Scope, lookup: dict, day: int, price: np.ndarray | None = None
            ) -> tuple[_Priced, list[dict]]:
    """The scope restricted to open and closed models released by ``day`` with a price
    (``lookup``: model_id -> price, NaN when listed at 0; ``price``: its values for the
    scope's models, when already read); the counts of each group's models left out."""
    model_ids = scope.model_ids.tolist()
    if price is None:
        price = np.array([lookup.get(m, np.nan) for m in model_ids], dtype=float)
    listed = np.array([m in lookup for m in model_ids], dtype=bool)
    is_group = {g: scope.groups == g for g in ("open", "closed")}
    keep_release = (scope.days <= day) & (is_group["open"] | is_group["closed"])
    counts = []
    for g in ("open", "closed"):
        ing = keep_release & is_group[g]
        counts.append({"scope": scope.name, "group": g, "n_models": int(ing.sum()),
                       "n_priced": int((ing & np.isfinite(price)).sum()),
                       "n_unpriced": int((ing & ~listed).sum()),
                       "n_zero": int((ing & listed & ~np.isfinite(price)).sum())})
    use = keep_release & np.isfinite(price)
    ids, names = scope.model_ids[use], scope.names[use]
    groups, p, levels = scope.groups[use], price[use], scope.levels[:, use]
    on = np.zeros(len(ids), dtype=bool)
    for g in ("open", "closed"):
        mask = groups == g
        on[mask] = pareto(p[mask], levels[0, mask], names[mask].astype(str))
    return _Priced(scope.name, ids, names, groups, p, levels, on), counts


def _best_closed(s: _Priced) -> int:
    closed = np.flatnonzero(s.group("closed"))
    if not len(closed):
        return -1
    return int(closed[np.argmax(s.levels[0, closed])])


def _equal_price(s: _Priced, ci: float, memo: dict | None = None) -> list[dict]:
    """The equal-price rows of a priced scope. ``memo`` (kept across the price dates of
    one scope): the intervals of a model's level and of a pair's gap, which do not depend
    on the date, are computed once."""
    memo = {} if memo is None else memo
    rows = []
    top = _best_closed(s)
    if top < 0:
        return rows
    full = s.price[top]
    for at, budget in (("closed frontier price", full), ("a tenth of it", full * TENTH)):
        c = frontier_at(s.price, s.levels[0], s.on & s.group("closed"), budget)
        o = frontier_at(s.price, s.levels[0], s.on & s.group("open"), budget)
        row = {"scope": s.scope, "at": at, "price": budget,
               "closed_model": s.names[c] if c >= 0 else None,
               "closed_level": s.levels[0, c] if c >= 0 else np.nan,
               "open_model": s.names[o] if o >= 0 else None,
               "open_level": np.nan, "open_level_ci_low": np.nan,
               "open_level_ci_high": np.nan, "estimate": np.nan, "ci_low": np.nan,
               "ci_high": np.nan, "note": ""}
        notes = []
        if o >= 0:
            key = (s.ids[o],)
            if key not in memo:
                memo[key] = interval(s.levels[:, o], ci)
            lo, hi, _, _ = memo[key]
            row.update(open_level=s.levels[0, o], open_level_ci_low=lo, open_level_ci_high=hi)
        else:
            notes.append(f"no open model costs ${budget:.3g} or less")
        if c < 0:
            notes.append(f"no closed model costs ${budget:.3g} or less")
        if o >= 0 and c >= 0:
            gap = s.levels[:, c] - s.levels[:, o]
            key = (s.ids[c], s.ids[o])
            if key not in memo:
                memo[key] = interval(gap, ci)
            lo, hi, failed, widened = memo[key]
            row.update(estimate=gap[0], ci_low=lo, ci_high=hi)
            if widened:
                notes.append("interval widened to reach the estimate")
        row["note"] = "; ".join(notes)
        rows.append(row)
    return rows


def cheapest_within(price: np.ndarray, levels: np.ndarray, candidates: np.ndarray,
                    reference: np.ndarray, within: float) -> np.ndarray:
    """Per row r, the index of the cheapest candidate with levels[r] >= reference[r] -
    within (ties: the higher level), -1 when none is."""
    idx = np.flatnonzero(candidates)
    out = np.full(levels.shape[0], -1, dtype=np.int64)
    if not len(idx):
        return out
    order = idx[np.lexsort((-levels[0, idx], price[idx]))]  # by price, then level
    ok = levels[:, order] >= (reference - within)[:, None] - 1e-12
    anyok = ok.any(axis=1)
    first = np.argmax(ok, axis=1)
    out[anyok] = order[first[anyok]]
    return out


def ratio_interval(values: np.ndarray, ci: float) -> tuple[float, float, int, bool]:
    """(ci_low, ci_high, draws with none within, widened) of a price ratio: row 0 the
    estimate, rows 1.. the draws, +inf in a draw where no model of the group is within X
    (that capability is not for sale in the group: the interval's top is then inf).
    Percentiles of observed values (no interpolation), widened to reach the estimate."""
    estimate, draws = float(values[0]), values[1:]
    none = int(np.isinf(draws).sum())
    if len(draws) < 2 or not np.isfinite(estimate):
        return np.nan, np.nan, none, False
    tail = (1 - ci) / 2
    lo, hi = (float(x) for x in np.quantile(draws, [tail, 1 - tail], method="inverted_cdf"))
    widened = not lo <= estimate <= hi
    return min(lo, estimate), max(hi, estimate), none, widened


def _price_ratio(s: _Priced, within: float, ci: float) -> list[dict]:
    rows = []
    top = _best_closed(s)
    if top < 0:
        return rows
    full = s.price[top]
    for g in ("open", "closed"):
        pick = cheapest_within(s.price, s.levels, s.on & s.group(g), s.levels[:, top], within)
        ratio = np.where(pick >= 0, s.price[np.maximum(pick, 0)] / full, np.inf)
        m = int(pick[0])
        row = {"scope": s.scope, "group": g, "within": within,
               "level_needed": s.levels[0, top] - within, "frontier_model": s.names[top],
               "frontier_price": full, "model": s.names[m] if m >= 0 else None,
               "level": s.levels[0, m] if m >= 0 else np.nan,
               "price": s.price[m] if m >= 0 else np.nan,
               "estimate": ratio[0] if m >= 0 else np.nan, "ci_low": np.nan,
               "ci_high": np.nan, "share_none": np.nan, "note": ""}
        notes = []
        if len(ratio) > 1:
            row["share_none"] = float(np.isinf(ratio[1:]).mean())
        if m < 0:
            notes.append(f"no priced {g} model is within {within:g} points of "
                         f"{s.names[top]}")
        else:
            lo, hi, none, widened = ratio_interval(ratio, ci)
            row.update(ci_low=lo, ci_high=hi)
            if none:
                notes.append(f"in {none} of {len(ratio) - 1} draws no {g} frontier model was "
                             f"within {within:g} points")
            if widened:
                notes.append("interval widened to reach the estimate")
        row["note"] = "; ".join(notes)
        rows.append(row)
    return rows


def level_bounds(levels: np.ndarray, ci: float) -> tuple[np.ndarray, np.ndarray]:
    """Percentile ``ci`` interval of each column's draws (rows 1..), widened to reach the
    estimate (row 0); NaN without two draws."""
    if levels.shape[0] < 3 or levels.shape[1] == 0:
        nan = np.full(levels.shape[1], np.nan)
        return nan, nan.copy()
    tail = (1 - ci) / 2
    lo, hi = (nanquantile_columns(levels[1:], q) for q in (tail, 1 - tail))
    return np.minimum(lo, levels[0]), np.maximum(hi, levels[0])


def _points(parts: list[_Priced], prices: pd.DataFrame, ci: float) -> pd.DataFrame:
    """One row per priced model of each scope, with its price's columns."""
    cols: dict[str, list] = {k: [] for k in ("scope", "model_id", "name", "group", "level",
                                             "level_ci_low", "level_ci_high", "on_frontier")}
    for s in parts:
        lo, hi = level_bounds(s.levels, ci)
        for k, v in (("scope", [s.scope] * len(s.ids)), ("model_id", s.ids),
                     ("name", s.names), ("group", s.groups), ("level", s.levels[0]),
                     ("level_ci_low", lo), ("level_ci_high", hi), ("on_frontier", s.on)):
            cols[k].append(np.asarray(v, dtype=object if k in ("scope", "model_id", "name",
                                                               "group") else None))
    frame = pd.DataFrame({k: (np.concatenate(v) if v else []) for k, v in cols.items()})
    frame["on_frontier"] = frame["on_frontier"].astype(bool)
    frame = frame.merge(prices[["model_id", "price", "price_input", "price_output",
                                "price_source", "price_basis", "price_as_of"]],
                        on="model_id", how="left")
    frame["hosted"] = (frame["group"] == "open").to_numpy(dtype=bool)
    return frame


def _hosted(points: pd.DataFrame, accessibility: pd.Series | None) -> pd.DataFrame:
    """Flag every open-weights model (by its accessibility, whatever the definition) as
    priced at a hosted provider's rate."""
    if accessibility is None or points.empty:
        return points
    from ..types import OpenDefinition

    access = points["model_id"].map(accessibility)
    groups = OpenDefinition.ANY_OPEN.groups(access.to_numpy(dtype=object))
    return points.assign(hosted=(groups == "open") | points["hosted"].to_numpy(dtype=bool))


def compute_cost(scopes: list[Scope], prices: pd.DataFrame, settings: CostSettings,
                 warnings: tuple[str, ...] = (),
                 accessibility: pd.Series | None = None) -> CostResult:
    """Frontiers, equal-price gap and price ratio of each scope as of ``settings.as_of``
    with ``prices`` (:func:`price_table` at that date). ``accessibility``: model_id ->
    accessibility, to flag hosted prices of open weights outside the definition."""
    day = to_day(settings.as_of)
    lookup = _lookup(prices)
    points, equal, ratio, missing = [], [], [], []
    notes = list(warnings)
    for scope in scopes:
        s, counts = _priced(scope, lookup, day)
        missing += counts
        points.append(s)
        if _best_closed(s) < 0:
            notes.append(f"{scope.name}: no priced closed model, so no frontier price to "
                         "read the gap at")
            continue
        equal += _equal_price(s, settings.ci)
        ratio += _price_ratio(s, settings.within, settings.ci)
        top_all = scope.groups == "closed"
        released = scope.days <= day
        if (top_all & released).any():
            best = np.flatnonzero(top_all & released)
            best = best[np.argmax(scope.levels[0, best])]
            if not (s.ids == scope.model_ids[best]).any():
                notes.append(f"{scope.name}: the best closed model, {scope.names[best]}, has "
                             "no price; the frontier starts at the best priced one")
    points_f = _hosted(_points(points, prices, settings.ci), accessibility)
    return CostResult(settings=settings, points=points_f,
                      equal_price=pd.DataFrame(equal, columns=_EQUAL_COLUMNS),
                      price_ratio=pd.DataFrame(ratio, columns=_RATIO_COLUMNS),
                      missing=pd.DataFrame(missing, columns=_MISSING_COLUMNS),
                      warnings=tuple(notes))


_MISSING_COLUMNS = ["scope", "group", "n_models", "n_priced", "n_unpriced", "n_zero"]
_EQUAL_COLUMNS = ["scope", "at", "price", "closed_model", "closed_level", "open_model",
                  "open_level", "open_level_ci_low", "open_level_ci_high", "estimate",
                  "ci_low", "ci_high", "note"]
_RATIO_COLUMNS = ["scope", "group", "within", "level_needed", "frontier_model",
                  "frontier_price", "model", "level", "price", "estimate", "ci_low", "ci_high",
                  "share_none", "note"]


def cost_timeline(scopes: list[Scope], signals: pd.DataFrame, dates: list[dt.date],
                  ci: float, history: pd.DataFrame | None = None) -> pd.DataFrame:
    """The equal-price gap of each scope with the prices of each snapshot date (models
    released by that date). A scope whose priced models and prices are those of the
    previous date repeats its rows (the same numbers, not recomputed). ``history``:
    :func:`price_history` of ``signals``, when already made."""
    history = price_history(signals) if history is None else history
    rows, last = [], {}
    ids = {scope.name: scope.model_ids.tolist() for scope in scopes}
    memos: dict[str, dict] = {scope.name: {} for scope in scopes}
    for date, lookup in zip(dates, _prices_at(history, dates)):
        day = to_day(date)
        for scope in scopes:
            price = np.array([lookup.get(m, np.nan) for m in ids[scope.name]], dtype=float)
            key = (price.tobytes(), (scope.days <= day).tobytes())
            if last.get(scope.name, (None,))[0] != key:
                s, _ = _priced(scope, lookup, day, price)
                last[scope.name] = (key, _equal_price(s, ci, memos[scope.name]))
            rows += [{"price_as_of": date, **row} for row in last[scope.name][1]]
    return pd.DataFrame(rows, columns=["price_as_of", *_EQUAL_COLUMNS])


def cheapest(scope: Scope, prices: pd.DataFrame, as_of: dt.date, within: float,
             open_only: bool = False, ci: float = 0.90
             ) -> tuple[pd.DataFrame, str, pd.DataFrame]:
    """Every priced open or closed model within ``within`` points of the frontier (the best
    priced model of either group), cheapest first, the frontier model's name and the counts
    of models left out for want of a price.

    Columns: model_id, name, group, level, level_ci_low/high, behind (frontier minus level,
    paired per draw: estimate, behind_ci_low/high), share_within (draws in which it is
    within), price, ratio (price / frontier price), price_source, price_basis, price_as_of,
    hosted.
    """
    CostSettings(as_of=as_of, within=within, ci=ci)  # checks ``within``
    s, counts = _priced(scope, _lookup(prices), to_day(as_of))
    missing = pd.DataFrame(counts, columns=_MISSING_COLUMNS)
    if not len(s.ids):
        return pd.DataFrame(), "", missing
    top = int(np.argmax(s.levels[0]))
    behind = s.levels[:, [top]] - s.levels
    mask = behind[0] <= within + 1e-12
    if open_only:
        mask &= s.group("open")
    rows = []
    for j in np.flatnonzero(mask):
        lo, hi, _, _ = interval(s.levels[:, j], ci)
        blo, bhi, _, _ = interval(behind[:, j], ci) if j != top else (0.0, 0.0, 0, False)
        share = float((behind[1:, j] <= within).mean()) if behind.shape[0] > 1 else np.nan
        rows.append({"model_id": s.ids[j], "name": s.names[j], "group": s.groups[j],
                     "level": s.levels[0, j], "level_ci_low": lo, "level_ci_high": hi,
                     "behind": behind[0, j], "behind_ci_low": blo, "behind_ci_high": bhi,
                     "share_within": share, "price": s.price[j],
                     "ratio": s.price[j] / s.price[top]})
    frame = pd.DataFrame(rows)
    if frame.empty:
        return frame, str(s.names[top]), missing
    extra = prices.set_index("model_id").reindex(frame["model_id"])[
        ["price_source", "price_basis", "price_as_of"]]
    frame = pd.concat([frame, extra.reset_index(drop=True)], axis=1)
    frame["hosted"] = frame["group"] == "open"
    frame = frame.sort_values(["price", "level"], ascending=[True, False], kind="mergesort")
    return frame.reset_index(drop=True), str(s.names[top]), missing


def _usd(value: float) -> str:
    return f"${value:.3g}"


def _pct(value: float) -> str:
    if not np.isfinite(value):
        return "none within reach"
    pct = 100 * value
    return f"{pct:.0f}%" if pct >= 10 else f"{pct:.2g}%"


def cost_sentence(result: CostResult, scope: str = "general") -> str:
    """The scope's equal-price gap and open price ratio in words, from the numbers."""
    where = "the general index" if scope == "general" else f"the {scope} index"
    eq = result.equal_price.loc[result.equal_price["scope"] == scope]
    pr = result.price_ratio.loc[(result.price_ratio["scope"] == scope)
                                & (result.price_ratio["group"] == "open")]
    miss = result.missing.loc[result.missing["scope"] == scope]
    if eq.empty:
        return f"On {where} no priced closed model sets a price to compare at."
    full, tenth = eq.iloc[0], eq.iloc[1]
    out = [f"On {where} as of {result.settings.as_of}, at the price of the best closed model "
           f"({full['closed_model']}, {_usd(full['price'])} per million tokens) "]
    if pd.isna(full["estimate"]):
        out.append("no open model is for sale.")
    else:
        out.append(f"the best open model ({full['open_model']}) is {full['estimate']:.1f} "
                   f"points behind [{full['ci_low']:.1f}, {full['ci_high']:.1f}]")
        if pd.isna(tenth["estimate"]):
            out.append(f"; at a tenth of that price ({_usd(tenth['price'])}) "
                       f"{tenth['note'] or 'there is no pair to compare'}.")
        else:
            out.append(f"; at a tenth of it ({_usd(tenth['price'])}) the gap is "
                       f"{tenth['estimate']:.1f} [{tenth['ci_low']:.1f}, "
                       f"{tenth['ci_high']:.1f}].")
    if len(pr):
        r = pr.iloc[0]
        if pd.isna(r["estimate"]):
            out.append(f" No priced open model is within {r['within']:g} points of "
                       f"{r['frontier_model']}.")
        else:
            out.append(f" The cheapest open model within {r['within']:g} points of "
                       f"{r['frontier_model']}, {r['model']}, costs {_pct(r['estimate'])} of "
                       f"its price [{_pct(r['ci_low'])}, {_pct(r['ci_high'])}].")
    if len(miss):
        n, priced = int(miss["n_models"].sum()), int(miss["n_priced"].sum())
        out.append(f" Open models are priced at a hosted provider's rate; {n - priced} of the "
                   f"{n} open and closed models have no price and are left out.")
    return "".join(out)


__all__ = ["CostResult", "CostSettings", "DEFAULT_WITHIN", "TENTH", "cheapest", "cost_sentence",
           "cheapest_within", "compute_cost", "cost_timeline", "frontier_at", "pareto",
           "level_bounds", "price_dates", "price_history", "price_table",
           "ratio_interval"]
