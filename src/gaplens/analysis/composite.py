"""The Artificial Analysis Intelligence Index, recomputed, and how much its weights decide.

A composite version (``data/composites.csv``) gives each sub-evaluation e a weight within
its category c and each category a weight W_c:

    index_m = 100 * sum_c W_c * sum_{e in c} (w_e / sum_{e' in c} w_e') * x_me

with x_me the sub-evaluation score on 0-1 (AA-Omniscience, published on -100..100, mapped
to (x + 100) / 200). Only models with every sub-evaluation of the version on that
snapshot enter (no imputation); the rest are counted.

Published vs recomputed. ``published`` is always AA's own number: on a snapshot, the best
closed minus the best open value of the published index (values AA marks as estimated
left out), with the two leaders. The recomputation is separate: it exists only for a
version whose every evaluation is in the data (a version whose evaluations are not says
which are missing and gives no numbers), and it is AA's index only while it matches the
published one (see agreement: before the version's change point, mean difference within
``MATCH_TOLERANCE`` points). The default snapshot is the newest at which it matches; a
snapshot where it does not is read only with a warning naming the mismatch.

Agreement: per snapshot, the recomputed index against AA's published one (correlation,
mean and largest absolute difference), and the weights that a least-squares fit of the
published index on the sub-evaluations implies: when they jump between snapshots, AA
changed the composition.

Weight sensitivity (of the recomputation, not of AA's published values): draws of
weights, each giving a recomputed composite, its open-vs-closed gap
(best closed minus best open), its leader and its top 10.

- ``dirichlet``: category weights ~ Dirichlet(kappa * W) around the published ones and,
  within each category, eval weights ~ Dirichlet(kappa * w); kappa (default 20) sets how
  far the draws stray (the larger, the closer).
- ``alternatives``: named category-level choices: the version's own weights, the
  category weights of the other versions (on this version's evaluations), equal
  categories, and each category dropped in turn.

Reported: the gap's distribution (median and the central ``ci`` mass), how often the
leader differs from the published-weight leader and who leads instead, the mean overlap
of the top 10 with the published-weight top 10, and the gap's sensitivity to each
category: the least-squares slope of the gap on that category's weight across draws
(points of gap per unit of weight). AA publishes no per-model intervals (only a
global +-1 % claim), so the spread here is that of the weighting choice alone.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from ..errors import ConfigError, InputError
from ..types import OpenDefinition

PUBLISHED_SIGNAL = "aa.intelligence_index"
ESTIMATED_FLAG = "aa.intelligence_index_is_estimated"
# A recomputation "matches" AA's index on a snapshot when it is before the version's change
# point and its mean difference from the published values is at most this many points (on
# the bundled data: 0.70-0.79 while v4.0 was AA's index, 6.9-7.8 after v4.1).
MATCH_TOLERANCE = 2.0


def read_composites(path: str) -> pd.DataFrame:
    from ..ingest._fields import read_csv_text

    frame = read_csv_text(path)
    need = ["version", "category", "evaluation", "signal", "weight_in_category",
            "category_weight"]
    lacking = [c for c in need if c not in frame.columns]
    if lacking:
        raise InputError(path, f"missing column(s) {', '.join(lacking)}")
    for column in ("weight_in_category", "category_weight"):
        frame[column] = frame[column].astype(float)
    frame["transform"] = frame["transform"].fillna("linear")
    return frame


def bundled_composites() -> pd.DataFrame:
    from importlib import resources

    return read_composites(str(resources.files("gaplens").joinpath("data", "composites.csv")))


@dataclass(frozen=True)
class Composite:
    """One version's weights as arrays over its sub-evaluations."""

    version: str
    signals: tuple[str, ...]
    categories: tuple[str, ...]  # category of each signal
    within: np.ndarray  # weight within the category, normalised to sum 1 per category
    category_weight: dict[str, float]
    transforms: tuple[str, ...]
    evaluations: tuple[str, ...] = ()  # AA's name of each signal's evaluation

    @classmethod
    def from_table(cls, table: pd.DataFrame, version: str) -> "Composite":
        rows = table.loc[table["version"] == version]
        if rows.empty:
            raise ConfigError(f"unknown composite version '{version}' (known: "
                              + ", ".join(sorted(table["version"].unique())) + ")")
        within = rows["weight_in_category"].to_numpy(float)
        cats = rows["category"].to_numpy()
        sums = pd.Series(within).groupby(cats).transform("sum").to_numpy()
        weights = rows.groupby("category")["category_weight"].first().to_dict()
        return cls(version, tuple(rows["signal"]), tuple(cats), within / sums, weights,
                   tuple(rows["transform"]), tuple(rows["evaluation"]))

    def missing(self, snap: "_Snapshot") -> tuple[str, ...]:
        """The evaluations of this version with no value at all on ``snap`` (one snapshot):
        if any, the version cannot be recomputed there."""
        return tuple(e for e, s in zip(self.evaluations, self.signals)
                     if np.isnan(snap.column(s)).all())

    def eval_weights(self, category_weight: dict[str, float] | None = None) -> np.ndarray:
        cw = category_weight or self.category_weight
        total = sum(cw.get(c, 0.0) for c in set(self.categories))
        return np.array([cw.get(c, 0.0) / total for c in self.categories]) * self.within

    def scores(self, snap: "_Snapshot", rows: np.ndarray) -> np.ndarray:
        """(models, evals) matrix on 0-1 of the models ``rows`` of ``snap``, in this
        composite's signal order."""
        x = np.column_stack([snap.column(s)[rows] for s in self.signals])
        for j, t in enumerate(self.transforms):
            if t == "omniscience":
                x[:, j] = (x[:, j] + 100.0) / 200.0
        return x


@dataclass(frozen=True)
class _Snapshot:
    """One snapshot of the AA signals as arrays: its models in the order of their first
    row, the display name and accessibility of that row, and per signal the first
    non-missing value of each model (NaN where it has none)."""

    models: np.ndarray  # object: model ids
    names: np.ndarray  # object: display names (NaN where missing)
    access: np.ndarray  # object: accessibility texts (NaN where missing)
    values: np.ndarray  # (models, signals) float
    signal_column: dict  # signal -> its column in values
    access_dtype: object  # the dtype of the accessibility column read

    def column(self, signal: str) -> np.ndarray:
        """The signal's value per model (all NaN if the snapshot lacks it)."""
        j = self.signal_column.get(signal)
        return self.values[:, j] if j is not None else np.full(len(self.models), np.nan)

    def __len__(self) -> int:
        return len(self.models)


def _snapshots(signals: pd.DataFrame, only=None):
    """(snapshot, :class:`_Snapshot`) for every snapshot in date order (``only``: that one
    snapshot), the columns read once for all of them."""
    when = pd.to_datetime(signals["as_of"]).to_numpy()
    model, model_ids = pd.factorize(signals["model_id"])
    signal, signal_names = pd.factorize(signals["signal"])
    value = signals["value"].to_numpy(float)
    ids = np.append(np.asarray(model_ids, dtype=object), np.nan)  # code -1: a missing id
    model = np.where(model < 0, len(model_ids), model)
    n_signals = len(signal_names)
    columns = {name: j for j, name in enumerate(signal_names)}
    snaps = [pd.Timestamp(only)] if only is not None else snapshots(signals)
    found = []
    for snap in snaps:
        rows = np.flatnonzero(when == np.datetime64(snap)) if pd.notna(snap) else \
            np.empty(0, dtype=np.intp)
        codes, first = np.unique(model[rows], return_index=True)
        order = np.argsort(first, kind="stable")  # models in the order of their first row
        codes, first_rows = codes[order], rows[first[order]]
        slot = np.full(len(ids), -1)
        slot[codes] = np.arange(len(codes))
        # each (model, signal)'s first non-missing value, as a pivot's "first" takes it
        kept = rows[~np.isnan(value[rows]) & (model[rows] < len(model_ids))
                    & (signal[rows] >= 0)]
        key = slot[model[kept]] * n_signals + signal[kept]
        key, at = np.unique(key, return_index=True)
        values = np.full((len(codes), n_signals), np.nan)
        values.flat[key] = value[kept[at]]
        found.append((snap, ids[codes], first_rows, values))
    every = np.concatenate([f[2] for f in found]) if found else np.empty(0, dtype=np.intp)
    names = signals["display_name"].take(every).to_numpy(dtype=object)
    access = signals["accessibility"].take(every).to_numpy(dtype=object)
    start = 0
    for snap, models, first_rows, values in found:
        end = start + len(first_rows)
        yield snap, _Snapshot(models, names[start:end], access[start:end], values, columns,
                              signals["accessibility"].dtype)
        start = end


def _snapshot(signals: pd.DataFrame, as_of) -> "_Snapshot":
    """The one snapshot dated ``as_of``."""
    return next(_snapshots(signals, only=as_of))[1]


def _not_estimated(snap: _Snapshot, rows: np.ndarray) -> np.ndarray:
    """Of ``rows`` (positions), those whose published index AA measured (not estimated)."""
    flag = snap.column(ESTIMATED_FLAG)[rows]
    return rows[np.where(np.isnan(flag), 0, flag) == 0]


def snapshots(signals: pd.DataFrame) -> list[pd.Timestamp]:
    return sorted(pd.to_datetime(signals["as_of"]).unique())


@dataclass(frozen=True)
class Agreement:
    table: pd.DataFrame  # snapshot, version, n, corr, mean_diff, max_abs_diff
    implied: pd.DataFrame  # snapshot, signal, implied weight (points per unit score)
    missing: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(
        columns=["snapshot", "version", "missing"]))  # versions not recomputable there

    def change_point(self, version: str, factor: float = 3.0):
        """The first snapshot from which the recomputed version stops matching AA's published
        index (mean difference more than ``factor`` times its earlier median, in points):
        AA changed the composition on or before it. None if it keeps matching."""
        rows = self.table.loc[self.table["version"] == version].reset_index(drop=True)
        diff = np.abs(rows["mean_diff"].to_numpy(dtype=float))
        for i in range(2, len(rows)):
            seen = diff[:i][~np.isnan(diff[:i])]
            before = np.median(seen) if len(seen) else np.nan  # as Series.median skips NaN
            if diff[i] > factor * max(before, 0.5):
                if (diff[i:] > factor * max(before, 0.5)).all():
                    return rows["snapshot"].iloc[i]
        return None

    def row(self, version: str, snapshot) -> dict | None:
        """The comparison of the recomputed version with AA's index on one snapshot."""
        if not len(self.table):
            return None
        day = np.datetime64(pd.Timestamp(snapshot).date(), "D")
        at = np.flatnonzero((self.table["version"].to_numpy(dtype=object) == version)
                            & (pd.to_datetime(self.table["snapshot"]).to_numpy()
                               .astype("datetime64[D]") == day))
        return self.table.iloc[int(at[0])].to_dict() if len(at) else None

    def matches(self, version: str, snapshot) -> bool:
        """Whether the recomputed version stands for AA's published index on the snapshot:
        it could be recomputed there, the snapshot precedes its change point and the mean
        difference is within ``MATCH_TOLERANCE``."""
        row = self.row(version, snapshot)
        if row is None or abs(row["mean_diff"]) > MATCH_TOLERANCE:
            return False
        change = self.change_point(version)
        return change is None or pd.Timestamp(snapshot) < pd.Timestamp(change)


def newest_match(agreement: Agreement, until=None) -> tuple[str | None, object]:
    """The version and snapshot to read the weights at: the newest snapshot (on or before
    ``until``, when given) at which a version's recomputation still matches AA's published
    index (before its change point, mean difference within ``MATCH_TOLERANCE``; ties: the
    version with the higher correlation there). (None, None) if none matches."""
    table = agreement.table
    if until is not None and len(table):
        table = table.loc[pd.to_datetime(table["snapshot"]) <= pd.Timestamp(until)]
    best = None
    for version in sorted(table["version"].unique()) if len(table) else []:
        rows = table.loc[table["version"] == version]
        change = agreement.change_point(version)
        usable = rows if change is None else rows.loc[rows["snapshot"] < change]
        usable = usable.loc[usable["mean_diff"].abs() <= MATCH_TOLERANCE]
        if usable.empty:
            continue
        last = usable.iloc[-1]
        key = (last["snapshot"], last["corr"])
        if best is None or key > best[0]:
            best = (key, version, last["snapshot"])
    return (best[1], best[2]) if best else (None, None)


def agreement(signals: pd.DataFrame, table: pd.DataFrame) -> Agreement:
    rows, implied, missing = [], [], []
    versions = sorted(table["version"].unique())
    comps = {v: Composite.from_table(table, v) for v in versions}
    for snap, wide in _snapshots(signals):
        for version in versions:
            comp = comps[version]
            lacking = comp.missing(wide)
            if lacking:
                missing.append({"snapshot": snap.date(), "version": version,
                                "missing": ", ".join(lacking)})
                continue
            complete = ~np.isnan(wide.column(PUBLISHED_SIGNAL))
            for s in comp.signals:
                complete &= ~np.isnan(wide.column(s))
            have = _not_estimated(wide, np.flatnonzero(complete))
            if len(have) < 3:
                continue
            mine = 100 * comp.scores(wide, have) @ comp.eval_weights()
            published = wide.column(PUBLISHED_SIGNAL)[have]
            diff = mine - published
            rows.append({"snapshot": snap.date(), "version": version, "n": len(have),
                         "corr": float(np.corrcoef(mine, published)[0, 1]),
                         "mean_diff": float(diff.mean()),
                         "max_abs_diff": float(np.abs(diff).max())})
            if version == versions[0] and len(have) > len(comp.signals) + 5:
                x = np.column_stack([comp.scores(wide, have), np.ones(len(have))])
                coef = np.linalg.lstsq(x, published, rcond=None)[0]
                for s, c in zip(list(comp.signals) + ["constant"], coef):
                    implied.append({"snapshot": snap.date(), "signal": s, "implied": float(c)})
    return Agreement(pd.DataFrame(rows, columns=["snapshot", "version", "n", "corr",
                                                 "mean_diff", "max_abs_diff"]),
                     pd.DataFrame(implied, columns=["snapshot", "signal", "implied"]),
                     pd.DataFrame(missing, columns=["snapshot", "version", "missing"]))


def choose_snapshot(signals: pd.DataFrame, agree: Agreement, version: str, as_of=None
                    ) -> tuple[pd.Timestamp, tuple[str, ...], tuple[str, ...]]:
    """(snapshot, notes, warnings). ``as_of`` given: the newest snapshot on or before it.
    Otherwise the newest at which the recomputed ``version`` matches AA's published index,
    or, if there is none, the newest snapshot. Either way a snapshot where the
    recomputation does not match gets a warning naming the mismatch."""
    snaps = snapshots(signals)
    if not snaps:
        raise ConfigError("no Artificial Analysis data in the warehouse (gaplens ingest aa)")
    notes: list[str] = []
    if as_of is not None:
        chosen = max([s for s in snaps if s <= pd.Timestamp(as_of)], default=None)
        if chosen is None:
            raise ConfigError("no Artificial Analysis snapshot on or before that date")
    else:
        ok = [s for s in snaps if agree.matches(version, s)]
        chosen = ok[-1] if ok else snaps[-1]
        if ok and chosen != snaps[-1]:
            notes.append(f"snapshot {chosen.date()}: the newest at which the recomputed "
                         f"{version} matches AA's published index (it does not from "
                         f"{agree.change_point(version)} on; newest snapshot "
                         f"{snaps[-1].date()})")
    row = agree.row(version, chosen)
    warnings = []
    if row is not None and not agree.matches(version, chosen):
        change = agree.change_point(version)
        since = f"; no match from {change} on" if change is not None else ""
        warnings.append(
            f"the recomputed {version} does not match AA's published index on "
            f"{chosen.date()} (mean difference {row['mean_diff']:+.2f} points, largest "
            f"{row['max_abs_diff']:.2f}, over {int(row['n'])} models{since}): the "
            "recomputation there is not AA's index (AA's composition differs from "
            f"{version}'s)")
    return chosen, tuple(notes), tuple(warnings)


def _published_at(snap: _Snapshot, open_definition: OpenDefinition,
                  classes: bool = True) -> dict | None:
    """AA's own number on one snapshot: best closed minus best open published index
    (estimated values left out), the leaders, and counts that add up:
    n_models = n_no_index + n_estimated + n_open + n_closed + n_other; ``classes``: with
    the accessibility classes of the others (``other_accessibility``)."""
    if PUBLISHED_SIGNAL not in snap.signal_column:
        return None
    index = snap.column(PUBLISHED_SIGNAL)
    have = np.flatnonzero(~np.isnan(index))
    measured = _not_estimated(snap, have)
    access = snap.access[measured]
    groups = open_definition.groups(access, snap.models[measured])
    names = snap.names[measured]
    names = np.where(pd.isna(names), snap.models[measured], names)
    best = _group_best(index[measured], groups, names)
    if len(best) < 2:
        return None
    n_open, n_closed = int((groups == "open").sum()), int((groups == "closed").sum())
    top = "closed" if best["closed"][1] >= best["open"][1] else "open"
    return {"gap": best["closed"][1] - best["open"][1], "leader": best[top][0],
            "leader_group": top, "closed_leader": best["closed"][0],
            "closed_level": best["closed"][1], "open_leader": best["open"][0],
            "open_level": best["open"][1], "n_models": len(snap),
            "n_no_index": len(snap) - len(have), "n_estimated": len(have) - len(measured),
            "n_open": n_open, "n_closed": n_closed,
            "n_other": len(measured) - n_open - n_closed,
            "other_accessibility": (_classes(access, groups, snap.access_dtype) if classes
                                    else None)}


def _classes(accessibility: np.ndarray, groups: np.ndarray, dtype) -> str:
    """The accessibility classes of the models that are neither open nor closed under the
    definition, with counts ("Unknown 3, ...")."""
    other = pd.Series(accessibility[pd.isna(groups)], dtype=dtype)
    counts = other.fillna("no accessibility").value_counts()
    return ", ".join(f"{k} {v}" for k, v in counts.items())


@dataclass(frozen=True)
class WeightSensitivity:
    """The recomputation on one snapshot and its sensitivity to the weights, beside AA's
    own published values on that snapshot (never mixed: ``published`` is AA's number,
    ``recomputed`` the recomputation, and every range here is about the recomputation)."""

    as_of: object
    version: str
    open_definition: str
    n_models: int  # recomputed: models with every evaluation = n_open + n_closed + n_other
    n_open: int
    n_closed: int
    published: dict  # AA's own: gap, leaders, levels and counts on the snapshot
    gap_summary: pd.DataFrame  # scheme, draws, gap_recomputed, gap median/ci, leader_changed
    leaders: pd.DataFrame  # scheme, leader, share
    alternatives: pd.DataFrame  # name, gap, leader, top10_overlap
    category_effects: pd.DataFrame  # category, gap_per_weight (slope), ci
    ranking: pd.DataFrame  # model, group, rank on the version's weights, median rank, ci
    warnings: tuple[str, ...] = field(default=())
    draws: pd.DataFrame = field(default_factory=pd.DataFrame)  # draw, gap, leader, open_leader
    recomputed: dict = field(default_factory=dict)  # gap, leaders, comparison with published
    counts: dict = field(default_factory=dict)  # on the snapshot; see weight_sensitivity
    notes: tuple[str, ...] = field(default=())
    n_other: int = 0

def _stats(values: np.ndarray, groups: np.ndarray, names: np.ndarray):
    """Per weight draw: gap (closed best - open best), leader index, top-10 indices."""
    is_open, is_closed = groups == "open", groups == "closed"
    best_o = np.where(is_open[None, :], values, -np.inf).max(axis=1)
    best_c = np.where(is_closed[None, :], values, -np.inf).max(axis=1)
    order = np.argsort(-values, axis=1, kind="stable")
    return best_c - best_o, order[:, 0], order[:, :10]


def _slopes(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """The least-squares slope of y on x (with an intercept) in each row."""
    dx = x - x.mean(axis=1, keepdims=True)
    return (dx * (y - y.mean(axis=1, keepdims=True))).sum(axis=1) / (dx * dx).sum(axis=1)


def _group_best(values: np.ndarray, groups: np.ndarray, names) -> dict[str, tuple]:
    """(name, value) of the best open and the best closed model, for the groups present."""
    out = {}
    for group in ("open", "closed"):
        mask = groups == group
        if mask.any():
            i = np.flatnonzero(mask)[np.argmax(values[mask])]
            out[group] = (names[i], float(values[i]))
    return out


def weight_sensitivity(signals: pd.DataFrame, table: pd.DataFrame, version: str = "v4.0",
                       as_of=None, open_definition: OpenDefinition = OpenDefinition.OPEN_WEIGHTS,
                       n_draws: int = 2000, kappa: float = 20.0, seed: int = 0,
                       ci: float = 0.90, agree: Agreement | None = None) -> WeightSensitivity:
    """The recomputed ``version`` on a snapshot (see :func:`choose_snapshot`) and its
    sensitivity to the weights, beside AA's published values there. Counts add up:
    ``counts["n_models"]`` (models with any AA value on the snapshot) =
    ``n_missing_evaluations`` + ``n_recomputed``, and ``n_recomputed`` = ``n_open`` +
    ``n_closed`` + ``n_other`` (neither open nor closed under the definition). A version
    with an evaluation absent from the snapshot raises: it cannot be recomputed there."""
    comp = Composite.from_table(table, version)
    agree = agree if agree is not None else agreement(signals, table)
    as_of, notes, mismatch = choose_snapshot(signals, agree, version, as_of)
    wide = _snapshot(signals, as_of)
    missing = comp.missing(wide)
    if missing:
        raise ConfigError(f"{version} cannot be recomputed on {as_of.date()}: "
                          f"{', '.join(missing)} not in the data")
    published = _published_at(wide, open_definition)
    if published is None:
        raise ConfigError(f"no published index with open and closed models on {as_of.date()}")
    complete = np.ones(len(wide), dtype=bool)
    for s in comp.signals:
        complete &= ~np.isnan(wide.column(s))
    full = np.flatnonzero(complete)
    warnings = list(mismatch)
    if len(full) < len(wide):
        warnings.append(f"{len(wide) - len(full)} of {len(wide)} models lack an evaluation "
                        f"of {version} on {as_of.date()} and are left out of the "
                        f"recomputation ({len(full)} recomputed)")
    names = wide.models[full]
    groups = open_definition.groups(wide.access[full], names)
    if (groups == "open").sum() == 0 or (groups == "closed").sum() == 0:
        raise ConfigError("the composite needs open and closed models with every sub-evaluation")
    x = comp.scores(wide, full)
    base_w = comp.eval_weights()
    base = 100 * x @ base_w
    gap0, lead0, top0 = _stats(base[None, :], groups, names)
    rng = np.random.default_rng(seed)
    cats = sorted(set(comp.categories))
    cat_idx = np.array([cats.index(c) for c in comp.categories])
    cw0 = np.array([comp.category_weight[c] for c in cats])
    cw0 = cw0 / cw0.sum()
    cat_draws = rng.dirichlet(kappa * cw0 * len(cats), size=n_draws)
    within = np.empty((n_draws, len(comp.signals)))
    for c in range(len(cats)):
        members = np.flatnonzero(cat_idx == c)
        if len(members) == 1:
            within[:, members] = 1.0
        else:
            alpha = kappa * comp.within[members] * len(members)
            within[:, members] = rng.dirichlet(alpha, size=n_draws)
    weights = cat_draws[:, cat_idx] * within
    values = 100 * weights @ x.T
    gaps, leaders, tops = _stats(values, groups, names)
    open_leaders = np.where((groups == "open")[None, :], values, -np.inf).argmax(axis=1)
    draws = pd.DataFrame({"draw": np.arange(n_draws), "gap": gaps, "leader": names[leaders],
                          "open_leader": names[open_leaders]})
    tail = (1 - ci) / 2
    overlap = np.isin(tops, top0[0]).sum(axis=1) / 10  # a draw's top 10 are distinct
    summary = pd.DataFrame([{
        "scheme": f"dirichlet (kappa={kappa:g})", "draws": n_draws, "gap_recomputed": gap0[0],
        "gap_median": float(np.median(gaps)), "gap_ci_low": float(np.quantile(gaps, tail)),
        "gap_ci_high": float(np.quantile(gaps, 1 - tail)), "gap_min": float(gaps.min()),
        "gap_max": float(gaps.max()), "leader_changed": float(np.mean(leaders != lead0[0])),
        "open_leads": float(np.mean(groups[leaders] == "open")),
        "top10_overlap_mean": float(overlap.mean())}])
    lead_counts = pd.Series(names[leaders]).value_counts(normalize=True)
    leader_table = pd.DataFrame({"scheme": "dirichlet", "leader": lead_counts.index,
                                 "share": lead_counts.to_numpy()})
    # category effects: slope of the gap on each category's weight across draws
    effects = []
    design = np.column_stack([cat_draws[:, :-1], np.ones(n_draws)])  # weights sum to 1
    for c, name in enumerate(cats):
        xw = cat_draws[:, c]
        slope = np.polyfit(xw, gaps, 1)[0] if np.std(xw) > 0 else np.nan
        k = rng.integers(0, n_draws, (200, n_draws))  # the draws of 200 calls of n_draws
        boot = _slopes(xw[k], gaps[k])
        effects.append({"category": name, "published_weight": float(cw0[c]),
                        "gap_per_unit_weight": float(slope),
                        "ci_low": float(np.quantile(boot, tail)),
                        "ci_high": float(np.quantile(boot, 1 - tail)),
                        "corr": float(np.corrcoef(xw, gaps)[0, 1])})
    del design
    # named alternatives
    alternatives = []
    # other versions' category weights, on this version's evaluations
    others = {v: (comp if v == version else Composite.from_table(table, v))
              for v in sorted(table["version"].unique())}
    schemes = {(f"{v} weights" if v == version else f"{v} category weights"): c.category_weight
               for v, c in others.items() if set(c.categories) == set(cats)}
    schemes["equal categories"] = {c: 1.0 for c in cats}
    for c in cats:
        schemes[f"without {c}"] = {k: (0.0 if k == c else comp.category_weight[k]) for k in cats}
    for name, cw in schemes.items():
        v = 100 * x @ comp.eval_weights(cw)
        g, lead, top = _stats(v[None, :], groups, names)
        alternatives.append({"name": name, "gap": float(g[0]), "leader": names[lead[0]],
                             "leader_group": groups[lead[0]],
                             "top10_overlap": len(set(top[0]) & set(top0[0])) / 10})
    # ranking stability
    # each draw's ranks: the inverse of its order (what argsort of the order gives)
    order = np.argsort(-values, axis=1)
    ranks = np.empty_like(order)
    np.put_along_axis(ranks, order, np.arange(1, order.shape[1] + 1)[None, :], axis=1)
    base_rank = np.argsort(np.argsort(-base)) + 1
    show = np.argsort(base_rank)[:20]
    ranking = pd.DataFrame({
        "model_id": names[show], "group": groups[show], "rank": base_rank[show],
        "composite": base[show], "median_rank": np.median(ranks[:, show], axis=0),
        "rank_ci_low": np.quantile(ranks[:, show], tail, axis=0),
        "rank_ci_high": np.quantile(ranks[:, show], 1 - tail, axis=0),
        "p_top10": (ranks[:, show] <= 10).mean(axis=0)})
    is_open, is_closed = groups == "open", groups == "closed"
    best = _group_best(base, groups, names)
    row = agree.row(version, as_of) or {}
    g = summary.iloc[0]
    recomputed = {
        "gap": float(gap0[0]), "leader": names[lead0[0]], "leader_group": groups[lead0[0]],
        "open_leader": best["open"][0], "closed_leader": best["closed"][0],
        "open_level": best["open"][1], "closed_level": best["closed"][1],
        "gap_minus_published": float(gap0[0]) - published["gap"],
        "matches_published": agree.matches(version, as_of),
        "n_compared": row.get("n"), "corr": row.get("corr"),
        "mean_diff": row.get("mean_diff"), "max_abs_diff": row.get("max_abs_diff"),
        "published_gap_in_weight_range": bool(
            g["gap_ci_low"] <= published["gap"] <= g["gap_ci_high"])}
    n_other = len(full) - int(is_open.sum()) - int(is_closed.sum())
    counts = {"n_models": len(wide), "n_missing_evaluations": len(wide) - len(full),
              "n_recomputed": len(full), "n_open": int(is_open.sum()),
              "n_closed": int(is_closed.sum()), "n_other": n_other,
              "other_accessibility": _classes(wide.access[full], groups, wide.access_dtype)}
    return WeightSensitivity(as_of=as_of.date(), version=version,
                             open_definition=open_definition.value, n_models=len(full),
                             n_open=int(is_open.sum()), n_closed=int(is_closed.sum()),
                             published={"snapshot": as_of.date(), **published},
                             gap_summary=summary, leaders=leader_table,
                             alternatives=pd.DataFrame(alternatives),
                             category_effects=pd.DataFrame(effects), ranking=ranking,
                             warnings=tuple(warnings), draws=draws, recomputed=recomputed,
                             counts=counts, notes=notes, n_other=n_other)


@dataclass(frozen=True)
class CompositeView:
    """What ``gaplens composite`` shows: AA's published values on the snapshot, the
    agreement of each version with them over all snapshots, and the recomputation
    (``sensitivity``), None when the version cannot be recomputed on the snapshot
    (``missing`` names the evaluations absent from the data)."""

    version: str
    as_of: object
    open_definition: str
    published: dict
    agreement: Agreement
    sensitivity: WeightSensitivity | None
    missing: tuple[str, ...]
    notes: tuple[str, ...]
    warnings: tuple[str, ...]


def composite_view(signals: pd.DataFrame, table: pd.DataFrame, version: str = "v4.0",
                   as_of=None, open_definition: OpenDefinition = OpenDefinition.OPEN_WEIGHTS,
                   n_draws: int = 2000, kappa: float = 20.0, seed: int = 0,
                   ci: float = 0.90) -> CompositeView:
    comp = Composite.from_table(table, version)
    agree = agreement(signals, table)
    snap, notes, warnings = choose_snapshot(signals, agree, version, as_of)
    wide = _snapshot(signals, snap)
    published = _published_at(wide, open_definition)
    if published is None:
        raise ConfigError(f"no published index with open and closed models on {snap.date()}")
    missing = comp.missing(wide)
    sensitivity = None
    if missing:
        warnings += (f"{version} cannot be recomputed on {snap.date()}: "
                     f"{', '.join(missing)} not in the data",)
    else:
        sensitivity = weight_sensitivity(signals, table, version=version, as_of=snap,
                                         open_definition=open_definition, n_draws=n_draws,
                                         kappa=kappa, seed=seed, ci=ci, agree=agree)
        warnings = sensitivity.warnings
    return CompositeView(version=version, as_of=snap.date(),
                         open_definition=open_definition.value,
                         published={"snapshot": snap.date(), **published}, agreement=agree,
                         sensitivity=sensitivity, missing=missing, notes=notes,
                         warnings=tuple(warnings))


def published_gap(signals: pd.DataFrame,
                  open_definition: OpenDefinition = OpenDefinition.OPEN_WEIGHTS) -> pd.DataFrame:
    """The single-number gap as AA publishes it: per snapshot, the best closed minus the best
    open value of the published index (estimated values left out), with the leaders and
    counts (n_models = n_no_index + n_estimated + n_open + n_closed + n_other)."""
    columns = ["snapshot", "n_models", "n_no_index", "n_estimated", "n_open", "n_closed",
               "n_other", "closed_model", "closed_level", "open_model", "open_level", "gap"]
    rows = []
    for snap, wide in _snapshots(signals):
        p = _published_at(wide, open_definition, classes=False)  # not in the table
        if p is not None:
            rows.append({**p, "snapshot": snap.date(), "closed_model": p["closed_leader"],
                         "open_model": p["open_leader"]})
    return pd.DataFrame(rows, columns=columns)
