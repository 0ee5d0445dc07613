"""Who is behind whom: frontiers of any grouping of models (country, lab, their cross with
accessibility), each group's gap and lag against the closed frontier and against the others.

Groups. Every model that is open or closed under the definition of open gets a label
from its attributes (ingest/attributes.py: country text -> bloc US / China / rest, a
collaboration across blocs -> ``mixed``; organisation -> lab):

    by = country               g(m) = bloc(m)                      e.g. "China"
    by = organization          g(m) = lab(m)                       e.g. "DeepSeek"
    by = country-access        g(m) = bloc(m) · access(m)          e.g. "China · open"
    by = organization-access   g(m) = lab(m) · access(m)

A model whose attribute is unknown has no label (counted, never guessed). The reference
group ``closed`` is every closed model: the overall closed frontier. A model can sit in
two compared groups ("US" and "closed"): both frontiers then read the same draw of its
score, so a shared leader gives a gap of exactly 0 in every draw.

Frontiers, gap and lag are those of the open-vs-closed map, read for any two groups A
(the group) and B (the one it is compared with); on a unit u (a benchmark, or one index
scope) at its reading date t_u:

    frontier_A(t) = max { y_m : m in A, t_m <= t }
    gap_u(A, B)   = frontier_B(t_u) - frontier_A(t_u)        (points; > 0: A behind)
    lag_u(A, B)   = t_u - first_reach_B(frontier_A(t_u))      (months; < 0: A ahead)

with analysis/lag.py's horizontal distance (benchmarks, models/frontier.py frontiers) or
analysis/index_gap.py's reading (index scopes). Swapping A and B flips both signs:
gap(A, B) = -gap(B, A), lag(A, B) = -lag(B, A), in every bootstrap draw.

On benchmarks (``on="benchmarks"``) t_u = min(T, newest release evaluated on u); a domain
averages its *current* benchmarks (a result of a model released in the ``recent_months``
before T) on which both groups have ``min_models`` models: the gap is their mean, the lag
their median (each benchmark once); without a current one, the qualifying benchmarks give
the row and its status says ``no_current_evidence``. On the index (``on="index"``) the
units are the general index and each domain's projected index, read at T.

Intervals. Benchmarks: draw j redraws every score as s + sigma z (analysis/noise.py), one
draw shared by every group on the benchmark, and a domain resamples its benchmarks; score
gaps get gap.py's spread interval with the leaders' errors as floor, lags the percentile
interval (analysis/intervals.py). Index: the capability fit's bootstrap draws with
index_gap.py's percentile interval. An interval that misses its estimate is widened to it
(``ci_widened``).

Thin groups: a unit where either group has fewer than ``min_models`` models released by T
(with a result there) gives no number; the row keeps the counts (status too_few_models).

Also: the leading lab of each scope at each quarter end (the lab whose model tops most of
the scope's units; its newest model on a tie), and monthly frontier levels per group on the
index (the report's chart).
"""

from __future__ import annotations

import datetime as dt
import zlib
from collections import Counter
from dataclasses import dataclass, field
from typing import Literal

import numpy as np
import pandas as pd

from ..errors import ConfigError
from ..models.frontier import GroupFrontier
from ..types import OpenDefinition
from .gap import DAYS_PER_MONTH, floor_spread, from_day, to_day
from .index_gap import Scope, Steps
from .intervals import bootstrap_intervals
from .lag import horizontal_lag
from .noise import standard_errors

GroupBy = Literal["country", "organization", "country-access", "organization-access"]
GROUP_BYS = ("country", "organization", "country-access", "organization-access")
CLOSED = "closed"  # the reference group: every closed model
SEP = " · "

TABLE_COLUMNS = ["scope", "group", "versus", "status", "n_group", "n_versus", "n_units",
                 "group_leader", "group_lab", "versus_leader", "versus_lab",
                 "group_level", "versus_level",
                 "gap", "gap_ci_low", "gap_ci_high", "lag_months", "lag_months_ci_low",
                 "lag_months_ci_high", "failed_draws", "ci_widened", "data_through", "note"]


@dataclass(frozen=True)
class GroupSettings:
    """Every choice behind a group comparison (stored with the result)."""

    as_of: dt.date
    by: GroupBy = "country"
    on: Literal["benchmarks", "index"] = "benchmarks"
    open_definition: OpenDefinition = OpenDefinition.OPEN_WEIGHTS
    n_draws: int = 1000
    seed: int = 0
    min_models: int = 3
    ci: float = 0.90
    recent_months: int = 12
    default_se: float = 0.02
    timeline_months: int = 36
    quarters: int = 8  # quarter ends (before T, plus T) at which the leading lab is read

    def __post_init__(self) -> None:
        if self.by not in GROUP_BYS:
            raise ConfigError(f"--group must be one of {', '.join(GROUP_BYS)}, not '{self.by}'")
        if self.on not in ("benchmarks", "index"):
            raise ConfigError(f"groups are read on benchmarks or on the index, not '{self.on}'")
        if self.min_models < 1:
            raise ConfigError("--min-models must be at least 1")
        if self.n_draws < 0:
            raise ConfigError("the number of bootstrap draws cannot be negative")
        if not 0 < self.ci < 1:
            raise ConfigError("the interval level must lie strictly between 0 and 1")


@dataclass(frozen=True)
class GroupGapResult:
    """Group frontiers and their comparisons, as tidy tables.

    ``table``: one row per (scope, group, versus): the group against the closed frontier
    (versus = "closed") and against every other group (both orders). ``best_open``: the
    best open model of each country bloc against the closed frontier. ``members``: each
    model's labels. ``frontiers``: monthly frontier level and leader per group and scope
    (index only). ``leaders``: the leading lab per scope and quarter end.
    """

    settings: GroupSettings
    table: pd.DataFrame
    best_open: pd.DataFrame
    members: pd.DataFrame
    frontiers: pd.DataFrame
    leaders: pd.DataFrame
    warnings: tuple[str, ...] = field(default=())


# --- labels -------------------------------------------------------------------------------

def _bloc_of(text, blocs: dict[str, str]) -> str | None:
    """The bloc of a country text ("US", "United States of America,China"): one bloc when
    every listed country shares it, ``mixed`` across blocs, None when any is not listed."""
    if text is None or (isinstance(text, float) and text != text) or not str(text).strip():
        return None
    found = set()
    for part in str(text).split(","):
        bloc = blocs.get(part.strip())
        if bloc is None:
            return None
        found.add(bloc)
    return found.pop() if len(found) == 1 else "mixed"


def model_attributes(models: pd.DataFrame, countries: pd.DataFrame,
                     organizations: pd.DataFrame, definition: OpenDefinition) -> pd.DataFrame:
    """Per model: lab, bloc and access (open / closed / None), with where the bloc came
    from (``country``: the model's own country field; ``lab``: its lab's seat)."""
    blocs = dict(zip(countries["value"], countries["bloc"]))
    blocs.update({c: b for c, b in zip(countries["code"], countries["bloc"]) if c not in blocs})
    lab_of = dict(zip(organizations["organization"], organizations["lab"]))
    seat_of = dict(zip(organizations["organization"], organizations["country"]))
    names = [str(o).strip() if isinstance(o, str) and o.strip() else None
             for o in models["organization"].to_numpy(dtype=object)]
    lab = [lab_of.get(o, o) if o is not None else None for o in names]
    lab_country = [seat_of.get(o) if o is not None else None for o in names]
    own = [_bloc_of(c, blocs) for c in models["country"].to_numpy(dtype=object)]
    seat = [_bloc_of(c, blocs) for c in lab_country]
    bloc = [a if a is not None else b for a, b in zip(own, seat)]
    source = ["country" if a is not None else "lab" if b is not None else None
              for a, b in zip(own, seat)]
    return pd.DataFrame({
        "model_id": models["model_id"].to_numpy(),
        "display_name": models.get("display_name", models["model_id"]).to_numpy(),
        "organization": names, "lab": lab, "bloc": bloc, "bloc_from": source,
        "access": definition.groups(models["accessibility"])})


def labels(attrs: pd.DataFrame, by: GroupBy) -> pd.Series:
    """The group label of every model (None: outside the groups), indexed by model_id."""
    base = attrs["bloc"] if by.startswith("country") else attrs["lab"]
    out = []
    for b, a in zip(base.to_numpy(dtype=object), attrs["access"].to_numpy(dtype=object)):
        if b is None or (isinstance(b, float) and b != b) or a is None:
            out.append(None)
        else:
            out.append(f"{b}{SEP}{a}" if by.endswith("-access") else str(b))
    return pd.Series(out, index=attrs["model_id"].to_numpy(), dtype=object)


# --- units: benchmarks or index scopes -----------------------------------------------------

@dataclass(frozen=True)
class Unit:
    """One place to read frontiers: a benchmark, or one index scope.

    ``levels`` has one row per draw (row 0: the observed or central values) and one column
    per model; ``se`` (benchmarks) is each model's standard error (for the gap's floor);
    ``scale`` turns a level difference into the gap's unit (100: normalised points)."""

    name: str
    scope: str
    kind: Literal["benchmark", "index"]
    day: int
    model_ids: np.ndarray
    days: np.ndarray
    levels: np.ndarray
    se: np.ndarray | None = None
    scale: float = 1.0
    current: bool = True
    successor: str | None = None


def benchmark_units(frame: pd.DataFrame, bench: pd.DataFrame, settings: GroupSettings
                    ) -> list[Unit]:
    """One unit per benchmark of the collapsed observations (models in a group only), its
    scores redrawn ``n_draws`` times with their standard errors (one stream per benchmark,
    fixed by the seed and its name; models in model_id order)."""
    as_of_day = to_day(settings.as_of)
    recent = to_day(pd.Timestamp(settings.as_of) - pd.DateOffset(months=settings.recent_months))
    meta = bench.drop_duplicates("benchmark").set_index("benchmark")
    units = []
    for name, rows in frame.groupby("benchmark", sort=True):
        if name not in meta.index or pd.isna(meta.loc[name, "domain"]):
            continue
        rows = rows.sort_values("model_id")
        days = np.array([to_day(d) for d in rows["release_date"]], dtype=np.int64)
        scores = rows["score"].to_numpy(dtype=float)
        se, _ = standard_errors(rows, meta.loc[name], settings.default_se)
        rng = np.random.default_rng([settings.seed, zlib.crc32(str(name).encode("utf-8"))])
        noise = rng.standard_normal((settings.n_draws + 1, len(scores)))
        noise[0] = 0.0
        last = int(min(as_of_day, days.max()))
        succ = meta.loc[name].get("superseded_by") if "superseded_by" in meta else None
        units.append(Unit(str(name), str(meta.loc[name, "domain"]), "benchmark", last,
                          rows["model_id"].to_numpy(), days, scores[None, :] + se * noise,
                          se=se, scale=100.0, current=last >= recent,
                          successor=succ if isinstance(succ, str) and succ else None))
    return units


def index_units(scopes: list[Scope], settings: GroupSettings) -> list[Unit]:
    """The index scopes (analysis/index_gap.index_scopes) as units read at T."""
    day = to_day(settings.as_of)
    return [Unit(s.name, s.name, "index", day, np.asarray(s.model_ids), np.asarray(s.days),
                 np.asarray(s.levels, dtype=float)) for s in scopes]


# --- one unit, one pair --------------------------------------------------------------------

@dataclass
class _Read:
    gap: np.ndarray  # per draw, the unit's gap unit
    lag: np.ndarray  # per draw, months
    leader_a: str | None
    leader_b: str | None
    level_a: float
    level_b: float


def _index_reading(a: Steps, b: Steps, day: int) -> tuple[np.ndarray, np.ndarray]:
    """(gap, plain lag in days) per draw of A against B at ``day``: index_gap.read_at's
    gap and plain lag (its significance and threshold variants are not needed here)."""
    o, c = a.levels[:, a.upto(day) - 1], b.levels[:, b.upto(day) - 1]
    with np.errstate(invalid="ignore"):
        level = np.minimum(o, c)
        t_a, t_b = a.first_reach(level, a.upto(day)), b.first_reach(level, b.upto(day))
        lag = np.where(o < c, day - t_b, np.where(o > c, -(day - t_a), 0.0)) + 0.0
    lag[~(np.isfinite(o) & np.isfinite(c))] = np.nan
    return c - o, lag


class _UnitReader:
    """Frontiers of every group on one unit, built once; pairs read from them."""

    def __init__(self, unit: Unit, masks: dict[str, np.ndarray], ci: float):
        self.unit, self.ci = unit, ci
        self.frontiers: dict[str, object] = {}
        for g, mask in masks.items():
            if not mask.any():
                continue
            if unit.kind == "benchmark":
                idx = np.flatnonzero(mask)
                self.frontiers[g] = (GroupFrontier.build(unit.days[idx], unit.levels[:, idx],
                                                         ids=idx), idx)
            else:
                scope = Scope(unit.name, "group", unit.model_ids, unit.model_ids, unit.days,
                              np.where(mask, "g", None).astype(object), unit.levels)
                self.frontiers[g] = Steps.of(scope, "g")

    def _leader(self, g: str) -> tuple[int | None, float]:
        """(model index into the unit, central level) of g's frontier holder at the day."""
        f, day = self.frontiers[g], self.unit.day
        if self.unit.kind == "benchmark":
            f, idx = f
            k = int(np.searchsorted(f.days, day, side="right"))
            if k == 0:
                return None, np.nan
            level = f.running[0, k - 1]
            hit = np.flatnonzero(f.scores[0, :k] >= level)
            return int(idx[f.order[hit[0]]]), float(level)
        k = f.upto(day)
        if k == 0:
            return None, np.nan
        name = f.names[k - 1]
        return int(np.flatnonzero(self.unit.model_ids == name)[0]), float(f.levels[0, k - 1])

    def read(self, a: str, b: str) -> _Read | None:
        if a not in self.frontiers or b not in self.frontiers:
            return None
        u = self.unit
        la, level_a = self._leader(a)
        lb, level_b = self._leader(b)
        if la is None or lb is None:
            return None
        if u.kind == "benchmark":
            fa, fb = self.frontiers[a][0], self.frontiers[b][0]
            lag = horizontal_lag(fa, fb, u.day) / DAYS_PER_MONTH
            gap = (fb.level_at(u.day) - fa.level_at(u.day)) * u.scale
            gap = floor_spread(gap, u.scale * float(np.hypot(u.se[la], u.se[lb])))
        else:
            gap, lag = _index_reading(self.frontiers[a], self.frontiers[b], u.day)
            gap, lag = gap * u.scale, lag / DAYS_PER_MONTH
        return _Read(gap, lag, str(u.model_ids[la]), str(u.model_ids[lb]),
                     level_a * u.scale, level_b * u.scale)


# --- the comparison ------------------------------------------------------------------------

def _value_of(series: pd.Series) -> dict:
    """``series`` as a dict label -> value (objects), for :func:`_aligned`."""
    index = series.index
    if not index.is_unique:
        raise ValueError("cannot reindex on an axis with duplicate labels")
    return dict(zip(index.to_numpy(dtype=object), series.to_numpy(dtype=object)))


def _aligned(series: pd.Series, ids: np.ndarray, missing=np.nan,
             value_of: dict | None = None) -> np.ndarray:
    """``series.reindex(ids)``'s values as objects (``missing`` for an id not in its
    index), by one lookup of the ids; ``value_of``: ``_value_of(series)`` made once for
    many calls."""
    value_of = _value_of(series) if value_of is None else value_of
    out = np.empty(len(ids), dtype=object)
    out[:] = [value_of.get(m, missing) for m in ids]
    return out


def _pairs(groups: list[str], extra: list[str], pairwise: bool = True
           ) -> list[tuple[str, str]]:
    """(group, versus): every group and extra group against closed, every ordered pair of
    groups (``pairwise``)."""
    out = [(g, CLOSED) for g in groups + extra if g != CLOSED]
    if pairwise:
        out += [(a, b) for a in groups for b in groups if a != b]
    return out


def compare_groups(units: list[Unit], members: pd.Series, settings: GroupSettings,
                   closed: pd.Series, extra: pd.Series | None = None,
                   labs: dict[str, str] | None = None, pairwise: bool = True
                   ) -> tuple[pd.DataFrame, list[str]]:
    """The comparison table over ``units``. ``members``: group label per model id (None:
    none); ``closed``: True for closed models; ``extra``: labels compared with closed only
    (the best open model per country); ``labs``: model id -> lab, for the leaders;
    ``pairwise=False``: against closed only."""
    extra = extra if extra is not None else pd.Series(dtype=object)
    groups = sorted({g for g in members.dropna().unique()})
    extra_groups = sorted({g for g in extra.dropna().unique()} - set(groups))
    labs = labs or {}
    as_of_day = to_day(settings.as_of)
    # Pairs between groups only where both have min_models models on some unit: a group
    # that is thin everywhere keeps its counts against closed, not a row per other group.
    masks_of = {}
    member_of, extra_of, closed_of = _value_of(members), _value_of(extra), _value_of(closed)
    for u in units:
        released = u.days <= as_of_day
        lab = _aligned(members, u.model_ids, value_of=member_of)
        masks = {g: (lab == g) & released for g in set(lab[released]) if isinstance(g, str)}
        if len(extra):
            lab = _aligned(extra, u.model_ids, value_of=extra_of)
            masks.update({g: (lab == g) & released for g in set(lab[released])
                          if isinstance(g, str) and g in extra_groups})
        masks[CLOSED] = _aligned(closed, u.model_ids, False, closed_of).astype(bool) \
            & released
        masks_of[u.name] = masks
    able = {g for masks in masks_of.values() for g, m in masks.items()
            if m.sum() >= settings.min_models}
    pairs = [(a, b) for a, b in _pairs(groups, extra_groups, pairwise)
             if b == CLOSED or (pairwise and a in able and b in able)]
    reads: dict[tuple[str, str, str], _Read] = {}
    counts: dict[tuple[str, str], int] = {}
    by_scope: dict[str, list[Unit]] = {}
    for u in units:
        by_scope.setdefault(u.scope, []).append(u)
        masks = masks_of[u.name]
        n = {g: int(m.sum()) for g, m in masks.items()}  # groups absent here: 0
        for g, k in n.items():
            counts[(u.name, g)] = k
        enough = {g: m for g, m in masks.items() if n[g] >= settings.min_models}
        reader = _UnitReader(u, enough, settings.ci)
        for a, b in pairs:
            if a in enough and b in enough:
                r = reader.read(a, b)
                if r is not None:
                    reads[(u.name, a, b)] = r

    rows, warnings, pending = [], [], []
    for scope, scope_units in by_scope.items():
        for a, b in pairs:
            row = _scope_row(scope, scope_units, a, b, reads, counts, settings, labs, pending)
            rows.append(row)
    _fill_intervals(pending, settings.ci)
    table = pd.DataFrame(rows, columns=TABLE_COLUMNS)
    widened = table.loc[table["ci_widened"].fillna("") != ""]
    if len(widened):
        warnings.append(f"{len(widened)} rows have an interval widened to reach its estimate "
                        "(column ci_widened)")
    return table, warnings


def _model_count(scope_units: list[Unit], g: str, counts: dict) -> int:
    return max((counts.get((u.name, g), 0) for u in scope_units), default=0)


def _fill_intervals(pending: list[tuple], ci: float) -> None:
    """The gap and lag intervals of the rows of :func:`_scope_row` (``pending``: row, gap
    draws, lag draws, benchmark or not), the columns of one kind and length at once."""
    kinds: dict[tuple, list[int]] = {}
    for i, (_, gap, lag, bench) in enumerate(pending):
        kinds.setdefault((bench, len(gap), len(lag)), []).append(i)
    for (bench, _, _), at in kinds.items():
        gap_ivs = bootstrap_intervals(np.column_stack([pending[i][1] for i in at]), ci,
                                      *(("spread", (-100.0, 100.0)) if bench
                                        else ("percentile", None)))
        lag_ivs = bootstrap_intervals(np.column_stack([pending[i][2] for i in at]), ci,
                                      "percentile")
        for i, gap_iv, lag_iv in zip(at, gap_ivs, lag_ivs):
            row, widened = pending[i][0], []
            for key, iv in (("gap", gap_iv), ("lag_months", lag_iv)):
                row[f"{key}_ci_low"], row[f"{key}_ci_high"] = iv.low, iv.high
                row["failed_draws"] += iv.failed
                if iv.widened:
                    widened.append(key)
            row["ci_widened"] = ", ".join(widened)


def _scope_row(scope: str, scope_units: list[Unit], a: str, b: str, reads: dict,
               counts: dict, settings: GroupSettings, labs: dict[str, str],
               pending: list[tuple]) -> dict:
    """One row of the table; its intervals are left to :func:`_fill_intervals` (the row
    and its draws are put on ``pending``)."""
    row = {"scope": scope, "group": a, "versus": b,
           "n_group": _model_count(scope_units, a, counts),
           "n_versus": _model_count(scope_units, b, counts), "n_units": 0, "ci_widened": "",
           "failed_draws": 0, "note": None}
    qualifying = [u for u in scope_units if (u.name, a, b) in reads]
    names = {u.name for u in qualifying}
    qualifying = [u for u in qualifying if u.successor not in names]  # one version each
    used = [u for u in qualifying if u.current]
    status = None
    if qualifying and not used:
        used, status = qualifying, "no_current_evidence"
    if not used:
        row["status"] = "too_few_models"
        row["note"] = (f"{row['n_group']} {a} and {row['n_versus']} {b} models at most on one "
                       f"{'benchmark' if scope_units[0].kind == 'benchmark' else 'scope'};"
                       f" needs {settings.min_models} of each")
        return row
    parts = [reads[(u.name, a, b)] for u in used]
    k = len(parts)
    if k == 1:
        gap, lag = parts[0].gap, parts[0].lag
    else:
        rng = np.random.default_rng([settings.seed, zlib.crc32(scope.encode("utf-8"))])
        draws = parts[0].gap.shape[0]
        picks = np.vstack([np.arange(k)[None, :], rng.integers(0, k, size=(draws - 1, k))])
        rows_ = np.arange(draws)[:, None]
        gaps = np.stack([p.gap for p in parts], axis=1)[rows_, picks]
        lags = np.stack([p.lag for p in parts], axis=1)[rows_, picks]
        gap, lag = _nan_reduce(gaps, np.nanmean), _nan_reduce(lags, np.nanmedian)
    for key, values in (("gap", gap), ("lag_months", lag)):
        row[key] = float(values[0]) if np.isfinite(values[0]) else np.nan
    pending.append((row, gap, lag, scope_units[0].kind == "benchmark"))
    row["n_units"] = k
    lead_a = _most_common([p.leader_a for p in parts])
    lead_b = _most_common([p.leader_b for p in parts])
    row.update(group_leader=lead_a, versus_leader=lead_b,
               group_lab=labs.get(lead_a), versus_lab=labs.get(lead_b),
               group_level=float(np.mean([p.level_a for p in parts])),
               versus_level=float(np.mean([p.level_b for p in parts])),
               data_through=from_day(max(u.day for u in used)))
    lag0 = row["lag_months"]
    if status is None:
        status = ("no_lag" if not np.isfinite(lag0) else "ahead" if lag0 < 0 or (
            lag0 == 0 and row["gap"] < 0) else "behind" if lag0 > 0 or row["gap"] > 0
            else "level")
    row["status"] = status
    if k < len(scope_units) and scope_units[0].kind == "benchmark":
        row["note"] = f"{k} of {len(scope_units)} benchmarks (the rest thin or not current)"
    return row


def _nan_reduce(stack: np.ndarray, how) -> np.ndarray:
    out = np.full(stack.shape[0], np.nan)
    ok = np.isfinite(stack).any(axis=1)
    if ok.any():
        out[ok] = how(stack[ok], axis=1)
    return out


def _most_common(names: list[str | None]) -> str | None:
    valid = [n for n in names if n is not None]
    if not valid:
        return None
    counts = Counter(valid)
    top = max(counts.values())
    return sorted(n for n, c in counts.items() if c == top)[0]


# --- over time: leading labs, frontier levels ------------------------------------------------

def quarter_dates(as_of: dt.date, n: int) -> list[dt.date]:
    """The ``n`` quarter ends strictly before ``as_of`` and ``as_of`` itself, oldest first."""
    last = pd.Timestamp(as_of).to_period("Q") - 1
    return [(last - k).end_time.date() for k in range(n - 1, -1, -1)] + [as_of]


def leading_labs(units: list[Unit], members: pd.Series, labs: dict[str, str],
                 dates: list[dt.date], recent_months: int = 12) -> pd.DataFrame:
    """The leading lab per scope and date: on each unit the model with the best observed
    (central) level among the grouped models released by then; the scope's leader is the
    lab topping most of its units (its newest release on a tie). A benchmark counts at a
    date only while current (a result of a model released in the ``recent_months``
    before it)."""
    rows = []
    scopes: dict[str, list[Unit]] = {}
    for u in units:
        scopes.setdefault(u.scope, []).append(u)
    days = [to_day(d) for d in dates]
    since = [to_day(pd.Timestamp(d) - pd.DateOffset(months=recent_months)) for d in dates]
    member_of = _value_of(members)
    for scope, scope_units in scopes.items():
        grouped = {u.name: ~pd.isna(_aligned(members, u.model_ids, value_of=member_of))
                   & np.isfinite(u.levels[0]) for u in scope_units}
        for date, day, start in zip(dates, days, since):
            tops = []
            for u in scope_units:
                keep = (u.days <= min(day, u.day)) & grouped[u.name]
                if not keep.any() or (u.kind == "benchmark" and u.days[keep].max() < start):
                    continue
                i = np.flatnonzero(keep)[np.argmax(u.levels[0, keep])]
                tops.append((str(u.model_ids[i]), int(u.days[i]), float(u.levels[0, i])
                             * u.scale))
            if not tops:
                continue
            by_lab = Counter(labs.get(m) for m, _, _ in tops if labs.get(m))
            if not by_lab:
                continue
            top = max(by_lab.values())
            best = [lab for lab, c in by_lab.items() if c == top]
            newest = {lab: max(d for m, d, _ in tops if labs.get(m) == lab) for lab in best}
            lab = max(best, key=lambda x: (newest[x], x))
            model, _, level = max((t for t in tops if labs.get(t[0]) == lab),
                                  key=lambda t: (t[1], t[2]))
            rows.append({"scope": scope, "date": date, "lab": lab, "model": model,
                         "units_led": top, "n_units": len(tops),
                         "level": level if len(scope_units) == 1 else np.nan})
    return pd.DataFrame(rows, columns=["scope", "date", "lab", "model", "units_led",
                                       "n_units", "level"])


def frontier_timeline(units: list[Unit], members: pd.Series, closed: pd.Series,
                      as_of: dt.date, months: int, min_models: int,
                      extra: pd.Series | None = None) -> pd.DataFrame:
    """Monthly central frontier level and leader of every group (and ``closed``) on the
    index units; a month where the group has fewer than ``min_models`` models is empty."""
    dates = [(pd.Timestamp(as_of) - pd.DateOffset(months=k)).date()
             for k in range(months, -1, -1)]
    day_array = np.array([to_day(d) for d in dates], dtype=np.int64)
    rows = []
    closed_of = _value_of(closed)
    lookups = [(series, _value_of(series)) for series in
               (members, extra if extra is not None else pd.Series(dtype=object))]
    for u in units:
        if u.kind != "index":
            continue
        labelled = {"closed": _aligned(closed, u.model_ids, False, closed_of).astype(bool)}
        for series, value_of in lookups:
            lab = _aligned(series, u.model_ids, value_of=value_of)
            for g in sorted({x for x in lab if isinstance(x, str)}):
                labelled[g] = lab == g
        for g, mask in labelled.items():
            scope = Scope(u.name, "group", u.model_ids, u.model_ids, u.days,
                          np.where(mask, "g", None).astype(object), u.levels[:1])
            steps = Steps.of(scope, "g")
            # Steps.upto and Steps.count of every month at once
            ks = np.searchsorted(steps.days, day_array, side="right").tolist()
            ns = np.searchsorted(steps.all_days, day_array, side="right").tolist()
            for date, k, n in zip(dates, ks, ns):
                ok = k > 0 and n >= min_models
                rows.append({"scope": u.name, "group": g, "date": date, "n_models": n,
                             "level": float(steps.levels[0, k - 1]) if ok else np.nan,
                             "leader": str(steps.names[k - 1]) if ok else None})
    return pd.DataFrame(rows, columns=["scope", "group", "date", "n_models", "level",
                                       "leader"])


def _lab_map(attrs: pd.DataFrame) -> dict[str, str]:
    """model id -> lab, for models with a known lab only."""
    return {str(m): lab for m, lab in zip(attrs["model_id"].to_numpy(dtype=object),
                                          attrs["lab"].to_numpy(dtype=object))
            if isinstance(lab, str)}


def group_gap(units: list[Unit], attrs: pd.DataFrame, settings: GroupSettings,
              warnings: tuple[str, ...] = ()) -> GroupGapResult:
    """Everything of :class:`GroupGapResult` from the units and the models' attributes."""
    members = labels(attrs, settings.by)
    closed = pd.Series(attrs["access"].to_numpy() == "closed", index=attrs["model_id"].to_numpy())
    open_by_bloc = labels(attrs, "country-access")
    open_by_bloc = open_by_bloc.where(open_by_bloc.fillna("").str.endswith(f"{SEP}open"))
    extra = open_by_bloc if settings.by in ("country", "country-access") else None
    lab_of = _lab_map(attrs)
    table, notes = compare_groups(units, members, settings, closed, extra, lab_of)
    best = (table.loc[table["group"].str.endswith(f"{SEP}open") & (table["versus"] == CLOSED)
                      & table["group"].str.split(SEP).str[0].isin(("US", "China", "rest"))]
            .reset_index(drop=True) if extra is not None else table.iloc[:0])
    grouped = pd.Series(attrs["access"].to_numpy(), index=attrs["model_id"].to_numpy())
    leaders = leading_labs(units, grouped, lab_of, quarter_dates(settings.as_of,
                                                                 settings.quarters),
                           settings.recent_months)
    frontiers = frontier_timeline(units, members, closed, settings.as_of,
                                  settings.timeline_months, settings.min_models, extra)
    unlabelled = attrs.loc[attrs["access"].notna() & members.reindex(attrs["model_id"])
                           .isna().to_numpy()]
    notes = list(warnings) + notes
    if len(unlabelled):
        what = "country" if settings.by.startswith("country") else "organisation"
        notes.append(f"{len(unlabelled)} open or closed models have no known {what} and are "
                     "in no group (data/countries.csv, data/organizations.csv map the "
                     "spellings)")
    shown = attrs.assign(group=members.reindex(attrs["model_id"]).to_numpy())
    return GroupGapResult(settings=settings, table=table, best_open=best, members=shown,
                          frontiers=frontiers, leaders=leaders, warnings=tuple(notes))


@dataclass(frozen=True)
class GroupReport:
    """The report's view: countries (and their open models) on the index, and every lab
    against the closed frontier per scope."""

    countries: GroupGapResult
    labs: pd.DataFrame  # TABLE_COLUMNS rows with versus = "closed", group = a lab


def report_groups(units: list[Unit], attrs: pd.DataFrame, settings: GroupSettings
                  ) -> GroupReport:
    """Countries by :func:`group_gap` (``settings.by`` = country) and labs against closed
    only (no lab pairs: the report's lab x domain table)."""
    countries = group_gap(units, attrs, settings)
    closed = pd.Series(attrs["access"].to_numpy() == "closed", index=attrs["model_id"].to_numpy())
    labs, _ = compare_groups(units, labels(attrs, "organization"), settings, closed,
                             labs=_lab_map(attrs), pairwise=False)
    return GroupReport(countries=countries, labs=labs)


def settings_dict(settings: GroupSettings) -> dict:
    out = {k: getattr(settings, k) for k in settings.__dataclass_fields__}
    out["as_of"] = settings.as_of.isoformat()
    out["open_definition"] = settings.open_definition.value
    out["interval_methods"] = {"gap": "spread" if settings.on == "benchmarks" else "percentile",
                               "lag_months": "percentile"}
    return out


__all__ = ["CLOSED", "GROUP_BYS", "GroupGapResult", "GroupReport", "GroupSettings", "SEP",
           "Unit", "report_groups",
           "benchmark_units", "compare_groups", "frontier_timeline", "group_gap",
           "index_units", "labels", "leading_labs", "model_attributes", "quarter_dates",
           "settings_dict"]
