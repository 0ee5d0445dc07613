"""The Artificial Analysis Intelligence Index, recomputed, and how much its weights decide.

A composite version (``data/composites.csv``) gives each sub-evaluation e a weight within
its category c and each category a weight W_c:

    index_m = 100 * sum_c W_c * sum_{e in c} (w_e / sum_{e' in c} w_e') * x_me

with x_me the sub-evaluation score on 0-1 (AA-Omniscience, published on -100..100, mapped
to (x + 100) / 200). Only models with every sub-evaluation of the version on that
snapshot enter (no imputation); the rest are counted.

Agreement: per snapshot, the recomputed index against AA's published one (correlation,
mean and largest absolute difference), and the weights that a least-squares fit of the
published index on the sub-evaluations implies: when they jump between snapshots, AA
changed the composition.

Weight sensitivity: draws of weights, each giving a composite, its open-vs-closed gap
(best closed minus best open), its leader and its top 10.

- ``dirichlet``: category weights ~ Dirichlet(kappa * W) around the published ones and,
  within each category, eval weights ~ Dirichlet(kappa * w); kappa (default 20) sets how
  far the draws stray (the larger, the closer).
- ``alternatives``: named category-level choices: each version's own weights, equal
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

from ..errors import ConfigError
from ..types import OpenDefinition

PUBLISHED_SIGNAL = "aa.intelligence_index"


def read_composites(path: str) -> pd.DataFrame:
    from ..ingest._fields import read_csv_text

    frame = read_csv_text(path)
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
                   tuple(rows["transform"]))

    def eval_weights(self, category_weight: dict[str, float] | None = None) -> np.ndarray:
        cw = category_weight or self.category_weight
        total = sum(cw.get(c, 0.0) for c in set(self.categories))
        return np.array([cw.get(c, 0.0) / total for c in self.categories]) * self.within

    def scores(self, wide: pd.DataFrame) -> np.ndarray:
        """(models, evals) matrix on 0-1, in this composite's signal order."""
        x = wide[list(self.signals)].to_numpy(float).copy()
        for j, t in enumerate(self.transforms):
            if t == "omniscience":
                x[:, j] = (x[:, j] + 100.0) / 200.0
        return x


def _wide(signals: pd.DataFrame, as_of) -> pd.DataFrame:
    snap = signals.loc[pd.to_datetime(signals["as_of"]) == pd.Timestamp(as_of)]
    meta = snap.drop_duplicates("model_id").set_index("model_id")[
        ["display_name", "organization", "accessibility", "release_date"]]
    wide = snap.pivot_table(index="model_id", columns="signal", values="value", aggfunc="first")
    return meta.join(wide)


def _not_estimated(wide: pd.DataFrame) -> pd.DataFrame:
    """Rows whose published index AA measured (not estimated)."""
    flag = "aa.intelligence_index_is_estimated"
    return wide.loc[wide[flag].fillna(0) == 0] if flag in wide else wide


def snapshots(signals: pd.DataFrame) -> list[pd.Timestamp]:
    return sorted(pd.to_datetime(signals["as_of"]).unique())


@dataclass(frozen=True)
class Agreement:
    table: pd.DataFrame  # snapshot, version, n, corr, mean_diff, max_abs_diff
    implied: pd.DataFrame  # snapshot, signal, implied weight (points per unit score)

    def change_point(self, version: str, factor: float = 3.0):
        """The first snapshot from which the recomputed version stops matching AA's published
        index (mean difference more than ``factor`` times its earlier median, in points):
        AA changed the composition on or before it. None if it keeps matching."""
        rows = self.table.loc[self.table["version"] == version].reset_index(drop=True)
        for i in range(2, len(rows)):
            before = rows["mean_diff"].abs().iloc[:i].median()
            if abs(rows["mean_diff"].iloc[i]) > factor * max(before, 0.5):
                if (rows["mean_diff"].abs().iloc[i:] > factor * max(before, 0.5)).all():
                    return rows["snapshot"].iloc[i]
        return None


def newest_match(agreement: Agreement) -> tuple[str | None, object]:
    """The version and snapshot to read the weights at: the newest snapshot at which a
    version's recomputation still matches AA's published index (before its change point;
    ties: the version with the higher correlation there). (None, None) if none matches."""
    table = agreement.table
    best = None
    for version in sorted(table["version"].unique()) if len(table) else []:
        rows = table.loc[table["version"] == version]
        change = agreement.change_point(version)
        usable = rows if change is None else rows.loc[rows["snapshot"] < change]
        if usable.empty:
            continue
        last = usable.iloc[-1]
        key = (last["snapshot"], last["corr"])
        if best is None or key > best[0]:
            best = (key, version, last["snapshot"])
    return (best[1], best[2]) if best else (None, None)


def agreement(signals: pd.DataFrame, table: pd.DataFrame) -> Agreement:
    rows, implied = [], []
    versions = sorted(table["version"].unique())
    for snap in snapshots(signals):
        wide = _wide(signals, snap)
        for version in versions:
            comp = Composite.from_table(table, version)
            have = wide.dropna(subset=list(comp.signals) + [PUBLISHED_SIGNAL]) \
                if set(comp.signals) <= set(wide.columns) else wide.iloc[0:0]
            have = _not_estimated(have)
            if len(have) < 3:
                continue
            mine = 100 * comp.scores(have) @ comp.eval_weights()
            published = have[PUBLISHED_SIGNAL].to_numpy(float)
            diff = mine - published
            rows.append({"snapshot": snap.date(), "version": version, "n": len(have),
                         "corr": float(np.corrcoef(mine, published)[0, 1]),
                         "mean_diff": float(diff.mean()),
                         "max_abs_diff": float(np.abs(diff).max())})
            if version == versions[0] and len(have) > len(comp.signals) + 5:
                x = np.column_stack([comp.scores(have), np.ones(len(have))])
                coef = np.linalg.lstsq(x, published, rcond=None)[0]
                for s, c in zip(list(comp.signals) + ["constant"], coef):
                    implied.append({"snapshot": snap.date(), "signal": s, "implied": float(c)})
    return Agreement(pd.DataFrame(rows), pd.DataFrame(implied))


@dataclass(frozen=True)
class WeightSensitivity:
    as_of: object
    version: str
    open_definition: str
    n_models: int
    n_open: int
    n_closed: int
    published: dict  # gap, leader, open_leader, closed_leader on the version's weights
    gap_summary: pd.DataFrame  # scheme, draws, gap median/ci, leader_changed share...
    leaders: pd.DataFrame  # scheme, leader, share
    alternatives: pd.DataFrame  # name, gap, leader, top10_overlap
    category_effects: pd.DataFrame  # category, gap_per_weight (slope), ci
    ranking: pd.DataFrame  # model, group, published rank, median rank, rank ci, P(top 10)
    warnings: tuple[str, ...] = field(default=())
    draws: pd.DataFrame = field(default_factory=pd.DataFrame)  # draw, gap, leader, open_leader


def _stats(values: np.ndarray, groups: np.ndarray, names: np.ndarray):
    """Per weight draw: gap (closed best - open best), leader index, top-10 indices."""
    is_open, is_closed = groups == "open", groups == "closed"
    best_o = np.where(is_open[None, :], values, -np.inf).max(axis=1)
    best_c = np.where(is_closed[None, :], values, -np.inf).max(axis=1)
    order = np.argsort(-values, axis=1, kind="stable")
    return best_c - best_o, order[:, 0], order[:, :10]


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
                       ci: float = 0.90) -> WeightSensitivity:
    comp = Composite.from_table(table, version)
    snaps = snapshots(signals)
    if not snaps:
        raise ConfigError("no Artificial Analysis data in the warehouse (gaplens ingest aa)")
    as_of = pd.Timestamp(as_of) if as_of is not None else snaps[-1]
    if as_of not in snaps:
        as_of = max([s for s in snaps if s <= as_of], default=None)
        if as_of is None:
            raise ConfigError("no Artificial Analysis snapshot on or before that date")
    wide = _wide(signals, as_of)
    missing = [s for s in comp.signals if s not in wide.columns]
    if missing:
        raise ConfigError(f"the snapshot of {as_of.date()} lacks {', '.join(missing)}")
    full = wide.dropna(subset=list(comp.signals))
    warnings = [f"{len(wide) - len(full)} of {len(wide)} models lack a sub-evaluation of "
                f"{version} on {as_of.date()} and are left out"] if len(full) < len(wide) else []
    groups = open_definition.groups(full["accessibility"])
    if (groups == "open").sum() == 0 or (groups == "closed").sum() == 0:
        raise ConfigError("the composite needs open and closed models with every sub-evaluation")
    names = full.index.to_numpy()
    x = comp.scores(full)
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
    overlap = np.array([len(set(t) & set(top0[0])) / 10 for t in tops])
    summary = pd.DataFrame([{
        "scheme": f"dirichlet (kappa={kappa:g})", "draws": n_draws, "gap_published": gap0[0],
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
        boot = []
        for _ in range(200):
            k = rng.integers(0, n_draws, n_draws)
            boot.append(np.polyfit(xw[k], gaps[k], 1)[0])
        effects.append({"category": name, "published_weight": float(cw0[c]),
                        "gap_per_unit_weight": float(slope),
                        "ci_low": float(np.quantile(boot, tail)),
                        "ci_high": float(np.quantile(boot, 1 - tail)),
                        "corr": float(np.corrcoef(xw, gaps)[0, 1])})
    del design
    # named alternatives
    alternatives = []
    schemes = {f"{v} weights": Composite.from_table(table, v).category_weight
               for v in sorted(table["version"].unique())}
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
    ranks = np.argsort(np.argsort(-values, axis=1), axis=1) + 1
    base_rank = np.argsort(np.argsort(-base)) + 1
    show = np.argsort(base_rank)[:20]
    ranking = pd.DataFrame({
        "model_id": names[show], "group": groups[show], "published_rank": base_rank[show],
        "composite": base[show], "median_rank": np.median(ranks[:, show], axis=0),
        "rank_ci_low": np.quantile(ranks[:, show], tail, axis=0),
        "rank_ci_high": np.quantile(ranks[:, show], 1 - tail, axis=0),
        "p_top10": (ranks[:, show] <= 10).mean(axis=0)})
    is_open, is_closed = groups == "open", groups == "closed"
    best = _group_best(base, groups, names)
    published = {"gap": float(gap0[0]), "leader": names[lead0[0]],
                 "open_leader": best["open"][0], "closed_leader": best["closed"][0],
                 "open_level": best["open"][1], "closed_level": best["closed"][1]}
    return WeightSensitivity(as_of=as_of.date(), version=version,
                             open_definition=open_definition.value, n_models=len(full),
                             n_open=int(is_open.sum()), n_closed=int(is_closed.sum()),
                             published=published, gap_summary=summary, leaders=leader_table,
                             alternatives=pd.DataFrame(alternatives),
                             category_effects=pd.DataFrame(effects), ranking=ranking,
                             warnings=tuple(warnings), draws=draws)


def published_gap(signals: pd.DataFrame,
                  open_definition: OpenDefinition = OpenDefinition.OPEN_WEIGHTS) -> pd.DataFrame:
    """The single-number gap as AA publishes it: per snapshot, the best closed minus the best
    open value of the published index (estimated values left out), with the leaders."""
    rows = []
    for snap in snapshots(signals):
        wide = _wide(signals, snap)
        if PUBLISHED_SIGNAL not in wide:
            continue
        have = wide.dropna(subset=[PUBLISHED_SIGNAL])
        have = _not_estimated(have)
        groups = open_definition.groups(have["accessibility"])
        names = have["display_name"].fillna(pd.Series(have.index, index=have.index))
        best = _group_best(have[PUBLISHED_SIGNAL].to_numpy(float), groups, names.to_numpy())
        if len(best) < 2:
            continue
        rows.append({"snapshot": snap.date(), "n_open": int((groups == "open").sum()),
                     "n_closed": int((groups == "closed").sum()),
                     "closed_model": best["closed"][0], "closed_level": best["closed"][1],
                     "open_model": best["open"][0], "open_level": best["open"][1],
                     "gap": best["closed"][1] - best["open"][1]})
    return pd.DataFrame(rows, columns=["snapshot", "n_open", "n_closed", "closed_model",
                                       "closed_level", "open_model", "open_level", "gap"])
