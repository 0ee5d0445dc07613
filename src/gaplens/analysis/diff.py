"""What changed between two data states, and what it did to the map.

A state is the warehouse's data at one time: a dated snapshot (store/snapshots.py) or
the current tables. Between a state A (before) and B (after) the diff lists

* models and benchmarks in B and not in A (added) or in A and not in B (removed);
* results whose normalised score or standard error changed, keyed by (model version,
  benchmark, setting): ``delta = score_B - score_A`` in points (0-100 normalised scale);
  results added and removed are listed with the same key;
* benchmarks superseded in B (``superseded_by`` set in B and not in A, when the
  benchmark table has that column);
* models whose effective accessibility (licence class, an override applied) changed, with
  the group each falls in under the chosen definition of open; models whose release date
  changed; models whose display name changed (other sources match names against it);
* names a source gave that matched no warehouse model, or several, in B and not in A;
* per source, the newest date its data speak for, A -> B.

And what it did to the map: the gap map (``compute_gap``, same settings and seed) on A
and on B, each as of its own data date (the newest release date with a result) unless a
date is given; per domain gap and horizontal lag A -> B with their intervals, and the
change ``gap_B - gap_A`` (a point difference of two estimates: no interval is claimed for
it). A *new frontier model* holds the best open (or closed) score on at least one of the
benchmarks of a domain's map in B and held none of that domain's in A (ties: the earlier
release, then the model id, as the frontier estimator breaks them).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from ..types import OpenDefinition
from .gap import GapResult, GapSettings, compute_gap
from .observations import data_date, prepare

SCHEMA = "gaplens.diff/1"

MAP_STATS = ("gap", "lag_months")
GAP_MOVE = 0.5  # points: a smaller change of a domain's gap is not told in sentences
LAG_MOVE = 0.25  # months


@dataclass(frozen=True)
class DataState:
    """The data of one state, as frames read from a warehouse (live or a snapshot)."""

    name: str  # snapshot id, or "current"
    label: str
    taken_at: dt.datetime | None
    long: pd.DataFrame  # Warehouse.observations()
    models: pd.DataFrame  # Warehouse.models() (effective accessibility)
    benchmarks: pd.DataFrame  # Warehouse.benchmarks()
    domains: pd.DataFrame
    unmatched: pd.DataFrame  # kind, file, name, reason
    sources: pd.DataFrame  # source_id, kind, path, origin, retrieved_on, published_on, ...

    @classmethod
    def from_warehouse(cls, warehouse, name: str, label: str, taken_at, unmatched: pd.DataFrame,
                       sources: pd.DataFrame) -> "DataState":
        return cls(name=name, label=label, taken_at=taken_at, long=warehouse.observations(),
                   models=warehouse.models(), benchmarks=warehouse.benchmarks(),
                   domains=warehouse.domains(), unmatched=unmatched, sources=sources)

    @property
    def data_through(self) -> dt.date:
        return data_date(self.long)

    def describe(self) -> dict:
        return {"name": self.name, "label": self.label, "taken_at": self.taken_at,
                "data_through": self.data_through}


@dataclass(frozen=True)
class DiffSettings:
    """Every choice behind a diff's map section (the gap settings, shared by both states)."""

    open_definition: OpenDefinition = OpenDefinition.OPEN_WEIGHTS
    as_of_before: dt.date | None = None  # None: the state's own data date
    as_of_after: dt.date | None = None
    n_draws: int = 300
    seed: int = 0
    min_models: int = 3
    ci: float = 0.90
    window_months: int = 12
    recent_months: int = 12
    default_se: float = 0.02

    def gap_settings(self, as_of: dt.date) -> GapSettings:
        return GapSettings(as_of=as_of, open_definition=self.open_definition, by="domain",
                           n_draws=self.n_draws, seed=self.seed, min_models=self.min_models,
                           ci=self.ci, window_months=self.window_months,
                           recent_months=self.recent_months, default_se=self.default_se)

    def to_dict(self) -> dict:
        out = dict(self.__dict__)
        out["open_definition"] = self.open_definition.value
        return out


@dataclass(frozen=True)
class DiffResult:
    """What changed between two states (tidy frames) and the map before and after."""

    settings: DiffSettings
    before: dict  # DataState.describe() plus as_of
    after: dict
    models: pd.DataFrame  # change (added/removed), model_id, display_name, ...
    benchmarks: pd.DataFrame  # change (added/removed/superseded), benchmark, domain, ...
    scores: pd.DataFrame  # change (changed/added/removed), model_id, benchmark, ... delta
    accessibility: pd.DataFrame  # model_id, display_name, before, after, group_*
    release_dates: pd.DataFrame  # model_id, display_name, before, after
    renamed: pd.DataFrame  # model_id, before, after
    unmatched: pd.DataFrame  # kind, name, reason: names that no longer match
    sources: pd.DataFrame  # kind, path, data_through_before, data_through_after
    map: pd.DataFrame  # one row per domain, *_before / *_after with intervals, *_change
    frontier: pd.DataFrame  # new frontier models: domain, group, model_id, ...
    warnings: tuple[str, ...] = field(default=())
    schema: str = SCHEMA

    @property
    def empty(self) -> bool:
        """True when the data did not change (the map is then the same too)."""
        return all(len(f) == 0 for f in (self.models, self.benchmarks, self.scores,
                                          self.accessibility, self.release_dates,
                                          self.renamed, self.unmatched))

    def tables(self) -> dict[str, pd.DataFrame]:
        return {"models": self.models, "benchmarks": self.benchmarks, "scores": self.scores,
                "accessibility": self.accessibility, "release_dates": self.release_dates,
                "renamed": self.renamed, "unmatched": self.unmatched,
                "sources": self.sources, "map": self.map, "frontier": self.frontier}

    def changes(self) -> pd.DataFrame:
        """Every data change as one long frame: kind, name, detail, before, after, delta."""
        return change_list(self)


# -- data changes ---------------------------------------------------------------------------

def _same(a: pd.Series, b: pd.Series) -> pd.Series:
    """Null-safe equality; numbers equal within 1e-9."""
    both = a.isna() & b.isna()
    try:
        fa, fb = pd.to_numeric(a), pd.to_numeric(b)
        eq = pd.Series(np.isclose(fa.astype(float), fb.astype(float), rtol=0, atol=1e-9),
                       index=a.index)
    except (ValueError, TypeError):
        eq = (a.astype(str) == b.astype(str))
    return both | (eq & a.notna() & b.notna())


def _dates(s: pd.Series) -> pd.Series:
    return pd.to_datetime(s, errors="coerce").dt.date


def _added_removed(before: pd.DataFrame, after: pd.DataFrame, key: list[str],
                   columns: list[str]) -> pd.DataFrame:
    kb = before.set_index(key).index
    ka = after.set_index(key).index
    added = after.loc[~ka.isin(kb), key + columns].assign(change="added")
    removed = before.loc[~kb.isin(ka), key + columns].assign(change="removed")
    frame = pd.concat([added, removed], ignore_index=True) if len(added) or len(removed) \
        else pd.DataFrame(columns=["change"] + key + columns)
    return frame[["change"] + key + columns].reset_index(drop=True)


def _changed(before: pd.DataFrame, after: pd.DataFrame, key: list[str], column: str,
             keep: list[str]) -> pd.DataFrame:
    """Rows present in both whose ``column`` differs: key, keep (from after), before, after."""
    both = before[key + [column]].merge(after[key + [column] + keep], on=key,
                                        suffixes=("_before", "_after"))
    moved = both.loc[~_same(both[f"{column}_before"], both[f"{column}_after"])]
    out = moved[key + keep + [f"{column}_before", f"{column}_after"]]
    return out.rename(columns={f"{column}_before": "before", f"{column}_after": "after"}) \
        .reset_index(drop=True)


def _model_names(state: DataState) -> pd.Series:
    names = state.models.set_index("model_id")["display_name"]
    return names.where(names.notna(), names.index.to_series())


def _scores(a: DataState, b: DataState) -> pd.DataFrame:
    key = ["version_id", "benchmark", "setting"]
    cols = ["model_id", "display_name", "raw_score", "score", "stderr"]
    la, lb = a.long[key + cols], b.long[key + cols]
    both = la.merge(lb, on=key, how="outer", suffixes=("_before", "_after"), indicator=True)
    changed = both["_merge"].eq("both") & ~(_same(both["score_before"], both["score_after"])
                                            & _same(both["stderr_before"], both["stderr_after"]))
    change = np.select([both["_merge"].eq("right_only"), both["_merge"].eq("left_only"),
                        changed], ["added", "removed", "changed"], "")
    both = both.assign(change=change).loc[lambda f: f["change"] != ""]
    out = pd.DataFrame({
        "change": both["change"],
        "model_id": both["model_id_after"].fillna(both["model_id_before"]),
        "display_name": both["display_name_after"].fillna(both["display_name_before"]),
        "benchmark": both["benchmark"], "version_id": both["version_id"],
        "setting": both["setting"],
        "raw_score_before": both["raw_score_before"], "raw_score_after": both["raw_score_after"],
        "score_before": both["score_before"] * 100, "score_after": both["score_after"] * 100,
        "delta": (both["score_after"] - both["score_before"]) * 100,
        "stderr_before": both["stderr_before"] * 100, "stderr_after": both["stderr_after"] * 100,
    })
    order = {"changed": 0, "added": 1, "removed": 2}
    out = out.assign(_o=out["change"].map(order), _d=-out["delta"].abs().fillna(0))
    return out.sort_values(["_o", "_d", "model_id", "benchmark"]).drop(columns=["_o", "_d"]) \
        .reset_index(drop=True)


def _benchmarks(a: DataState, b: DataState) -> pd.DataFrame:
    cols = ["domain", "superseded_by"]
    ba = a.benchmarks.reindex(columns=list(dict.fromkeys(["benchmark", *cols,
                                                          *a.benchmarks.columns])))
    bb = b.benchmarks.reindex(columns=list(dict.fromkeys(["benchmark", *cols,
                                                          *b.benchmarks.columns])))
    frame = _added_removed(ba, bb, ["benchmark"], cols)
    both = ba[["benchmark", "superseded_by"]].merge(bb[["benchmark", "domain",
                                                        "superseded_by"]],
                                                    on="benchmark", suffixes=("_a", ""))
    sup = both.loc[both["superseded_by"].notna() & both["superseded_by_a"].isna()]
    sup = sup[["benchmark", "domain", "superseded_by"]].assign(change="superseded")
    if len(sup):
        frame = pd.concat([frame, sup[frame.columns]], ignore_index=True)
    return frame


def _unmatched(a: DataState, b: DataState) -> pd.DataFrame:
    cols = ["kind", "name", "reason"]
    ua = a.unmatched.reindex(columns=cols).drop_duplicates(["kind", "name"])
    ub = b.unmatched.reindex(columns=cols).drop_duplicates(["kind", "name"])
    new = ub.loc[~ub.set_index(["kind", "name"]).index.isin(ua.set_index(["kind", "name"])
                                                             .index)]
    return new.sort_values(["kind", "name"]).reset_index(drop=True)


def _sources(a: DataState, b: DataState) -> pd.DataFrame:
    cols = ["kind", "path", "data_through"]

    def per(state):
        frame = state.sources.reindex(columns=cols).copy()
        frame["path"] = frame["path"].astype(str).str.rstrip("/").str.split("/").str[-1]
        frame["data_through"] = _dates(frame["data_through"])
        return frame.groupby(["kind", "path"], dropna=False)["data_through"].max().reset_index()

    both = per(a).merge(per(b), on=["kind", "path"], how="outer",
                        suffixes=("_before", "_after"))
    both["changed"] = ~_same(both["data_through_before"].astype(str),
                             both["data_through_after"].astype(str))
    return both.sort_values(["kind", "path"]).reset_index(drop=True)


# -- the map --------------------------------------------------------------------------------

MAP_KEEP = ["status", "n_benchmarks", "open_model", "closed_model", "open_level",
            "closed_level", "benchmarks", "data_through"]


def _map(ga: GapResult, gb: GapResult) -> pd.DataFrame:
    stats = [c for s in MAP_STATS for c in (s, f"{s}_ci_low", f"{s}_ci_high")]
    ta = ga.table[["key", "label"] + MAP_KEEP + stats]
    tb = gb.table[["key", "label"] + MAP_KEEP + stats]
    both = ta.merge(tb, on="key", how="outer", suffixes=("_before", "_after"))
    both["label"] = both["label_after"].fillna(both["label_before"])
    for s in MAP_STATS:
        both[f"{s}_change"] = both[f"{s}_after"] - both[f"{s}_before"]
    columns = ["key", "label"]
    for c in ["status", "n_benchmarks", "open_model", "closed_model", *stats, "data_through"]:
        columns += [f"{c}_before", f"{c}_after"]
    columns += [f"{s}_change" for s in MAP_STATS]
    columns += ["benchmarks_before", "benchmarks_after"]
    order = {k: i for i, k in enumerate(tb["key"])}
    both = both.assign(_o=both["key"].map(order).fillna(len(order)))
    return both.sort_values("_o")[columns].rename(columns={"key": "domain"}) \
        .reset_index(drop=True)


def frontier_holders(obs_frame: pd.DataFrame, benchmarks: set[str] | None = None
                     ) -> pd.DataFrame:
    """The holder of each (benchmark, group) frontier: the best score; ties go to the
    earlier release, then the model id."""
    frame = obs_frame.loc[obs_frame["group"].isin(["open", "closed"])]
    if benchmarks is not None:
        frame = frame.loc[frame["benchmark"].isin(benchmarks)]
    frame = frame.sort_values(["benchmark", "group", "score", "release_date", "model_id"],
                              ascending=[True, True, False, True, True])
    return frame.drop_duplicates(["benchmark", "group"])[
        ["domain", "benchmark", "group", "model_id", "display_name", "score",
         "release_date"]].reset_index(drop=True)


def _used(table: pd.DataFrame) -> dict[str, set[str]]:
    out = {}
    for key, names in zip(table["key"], table["benchmarks"]):
        out[key] = {n for n in str(names or "").split("; ") if n and n != "nan"}
    return out


def _frontier(obs_a, obs_b, ga: GapResult, gb: GapResult) -> pd.DataFrame:
    columns = ["domain", "label", "group", "model_id", "display_name", "benchmarks", "score",
               "replaced"]
    used = _used(gb.table)
    labels = dict(zip(gb.table["key"], gb.table["label"]))
    ha = frontier_holders(obs_a.frame)
    hb = frontier_holders(obs_b.frame, set().union(*used.values()) if used else set())
    rows = []
    for (domain, group, model_id), part in hb.groupby(["domain", "group", "model_id"]):
        before = ha.loc[(ha["domain"] == domain) & (ha["group"] == group)]
        if model_id in set(before["model_id"]):
            continue
        old = before.loc[before["benchmark"].isin(part["benchmark"]), "display_name"]
        rows.append(dict(domain=domain, label=labels.get(domain, domain), group=group,
                         model_id=model_id,
                         display_name=part["display_name"].iloc[0],
                         benchmarks="; ".join(sorted(part["benchmark"])),
                         score=float(part["score"].max() * 100),
                         replaced="; ".join(sorted(set(old.astype(str))))))
    return pd.DataFrame(rows, columns=columns)


# -- the whole diff -------------------------------------------------------------------------

def compare_states(a: DataState, b: DataState, settings: DiffSettings,
                   progress=None) -> DiffResult:
    """The diff from state ``a`` (before) to ``b`` (after)."""
    names_a, names_b = _model_names(a), _model_names(b)
    mcols = ["display_name", "organization", "accessibility", "release_date"]
    models = _added_removed(a.models, b.models, ["model_id"], mcols)
    models["release_date"] = _dates(models["release_date"])
    models = models.sort_values(["change", "release_date", "model_id"],
                                ascending=[True, False, True], na_position="last") \
        .reset_index(drop=True)  # added first, the newest first
    access = _changed(a.models, b.models, ["model_id"], "accessibility", ["display_name"])
    groups = settings.open_definition.groups
    access = access.assign(group_before=groups(access["before"], access["model_id"]),
                           group_after=groups(access["after"], access["model_id"]))
    am, bm = a.models.assign(release_date=_dates(a.models["release_date"])), \
        b.models.assign(release_date=_dates(b.models["release_date"]))
    dates = _changed(am, bm, ["model_id"], "release_date", ["display_name"])
    renamed = _changed(a.models.assign(name=a.models["model_id"].map(names_a)),
                       b.models.assign(name=b.models["model_id"].map(names_b)),
                       ["model_id"], "name", [])

    as_a = settings.as_of_before or a.data_through
    as_b = settings.as_of_after or b.data_through
    obs_a = prepare(a.long, settings.open_definition, as_a)
    obs_b = prepare(b.long, settings.open_definition, as_b)
    ga = compute_gap(obs_a, settings.gap_settings(as_a), a.domains, a.benchmarks,
                     progress=progress)
    gb = compute_gap(obs_b, settings.gap_settings(as_b), b.domains, b.benchmarks,
                     progress=progress)
    warnings = tuple(f"before: {w}" for w in ga.warnings if w not in gb.warnings) + \
        tuple(w for w in gb.warnings)
    return DiffResult(
        settings=settings,
        before={**a.describe(), "as_of": as_a}, after={**b.describe(), "as_of": as_b},
        models=models, benchmarks=_benchmarks(a, b), scores=_scores(a, b),
        accessibility=access, release_dates=dates, renamed=renamed,
        unmatched=_unmatched(a, b), sources=_sources(a, b), map=_map(ga, gb),
        frontier=_frontier(obs_a, obs_b, ga, gb), warnings=warnings)


def change_list(result: DiffResult) -> pd.DataFrame:
    """Every data change, one row each: kind, name, detail, before, after, delta."""
    rows = []
    for r in result.models.itertuples():
        rows.append(("model " + r.change, r.display_name if pd.notna(r.display_name)
                     else r.model_id, r.accessibility, None, None, np.nan))
    for r in result.benchmarks.itertuples():
        detail = f"by {r.superseded_by}" if r.change == "superseded" else r.domain
        rows.append(("benchmark " + r.change, r.benchmark, detail, None, None, np.nan))
    for r in result.scores.itertuples():
        rows.append(("score " + r.change, r.display_name, r.benchmark,
                     _num(r.score_before), _num(r.score_after), r.delta))
    for r in result.accessibility.itertuples():
        rows.append(("accessibility", r.display_name,
                     f"{r.group_before or 'neither'} -> {r.group_after or 'neither'}",
                     r.before, r.after, np.nan))
    for r in result.release_dates.itertuples():
        rows.append(("release date", r.display_name, "", _iso(r.before), _iso(r.after),
                     np.nan))
    for r in result.renamed.itertuples():
        rows.append(("renamed", r.model_id, "", r.before, r.after, np.nan))
    for r in result.unmatched.itertuples():
        rows.append(("name no longer matches", r.name, r.kind, None, None, np.nan))
    return pd.DataFrame(rows, columns=["kind", "name", "detail", "before", "after", "delta"])


def _num(value) -> str | None:
    return None if pd.isna(value) else f"{value:.1f}"


def _iso(value) -> str | None:
    return None if value is None or pd.isna(value) else str(value)


def _ci(row, stat: str, when: str) -> str:
    low, high = row[f"{stat}_ci_low_{when}"], row[f"{stat}_ci_high_{when}"]
    if pd.isna(low) or pd.isna(high):
        return f"{row[f'{stat}_{when}']:.1f}"
    return f"{row[f'{stat}_{when}']:.1f} [{low:.1f}, {high:.1f}]"


def summary_sentences(result: DiffResult, top: int = 5) -> list[str]:
    """What changed and what it did to the map, in sentences (names are plain text)."""
    b, a = result.before, result.after
    out = [f"From {b['label']} ({b['name']}, data through {b['data_through']}) to "
           f"{a['label']} ({a['name']}, data through {a['data_through']})."]
    if result.empty:
        out.append("The data did not change.")
        return out

    def names(frame, column="display_name", k=top):
        values = [str(v) for v in frame[column].tolist()]
        more = f" and {len(values) - k} more" if len(values) > k else ""
        return ", ".join(values[:k]) + more

    for change in ("added", "removed"):
        part = result.models.loc[result.models["change"] == change]
        if len(part):
            out.append(f"{len(part)} model{'s' * (len(part) != 1)} {change}: {names(part)}.")
        part = result.benchmarks.loc[result.benchmarks["change"] == change]
        if len(part):
            out.append(f"{len(part)} benchmark{'s' * (len(part) != 1)} {change}: "
                       f"{names(part, 'benchmark')}.")
    sup = result.benchmarks.loc[result.benchmarks["change"] == "superseded"]
    for r in sup.head(top).itertuples():
        out.append(f"{r.benchmark} is superseded by {r.superseded_by}.")
    sc = result.scores
    changed = sc.loc[sc["change"] == "changed"]
    if len(changed):
        shown = "; ".join(f"{r.display_name} on {r.benchmark} {r.score_before:.1f} -> "
                          f"{r.score_after:.1f}" for r in changed.head(top).itertuples())
        out.append(f"{len(changed)} score{'s' * (len(changed) != 1)} changed "
                   f"(points, normalised): {shown}.")
    n_add, n_rm = int((sc["change"] == "added").sum()), int((sc["change"] == "removed").sum())
    if n_add or n_rm:
        out.append(f"{n_add} results added, {n_rm} removed.")
    for r in result.accessibility.head(top).itertuples():
        out.append(f"{r.display_name}: accessibility {r.before} -> {r.after} "
                   f"({r.group_before or 'neither'} -> {r.group_after or 'neither'}).")
    for r in result.release_dates.head(top).itertuples():
        out.append(f"{r.display_name}: release date {r.before} -> {r.after}.")
    for r in result.renamed.head(top).itertuples():
        out.append(f"{r.model_id} renamed: {r.before} -> {r.after}.")
    n = len(result.unmatched)
    if n:
        out.append(f"{n} source name{'s' * (n != 1)} no longer match{'es' * (n == 1)} a "
                   f"model: {names(result.unmatched, 'name')}.")
    moved = 0
    for row in result.map.to_dict(orient="records"):
        status = (row["status_before"], row["status_after"])
        if status[0] != status[1]:
            moved += 1
            out.append(f"{row['label']}: {_status(status[0])} -> {_status(status[1])}.")
        if pd.isna(row["gap_before"]) or pd.isna(row["gap_after"]):
            continue
        lag_moved = abs(_or0(row["lag_months_change"])) >= LAG_MOVE
        if abs(row["gap_change"]) < GAP_MOVE and not lag_moved:
            continue
        moved += 1
        verb = ("narrowed" if row["gap_change"] < 0 else "widened") \
            if abs(row["gap_change"]) >= GAP_MOVE else "stayed at"
        gap = (f"the gap {verb} from {_ci(row, 'gap', 'before')} to {_ci(row, 'gap', 'after')}"
               if verb != "stayed at" else f"the gap stayed at {_ci(row, 'gap', 'after')}")
        lag = ""
        if pd.notna(row["lag_months_before"]) and pd.notna(row["lag_months_after"]):
            lag = (f"; lag {_ci(row, 'lag_months', 'before')} -> "
                   f"{_ci(row, 'lag_months', 'after')} months")
        out.append(f"{row['label']}: {gap} points{lag}.")
    if not moved:
        out.append(f"The gap map did not move (no domain's gap changed by {GAP_MOVE} points "
                   f"or its lag by {LAG_MOVE} months).")
    elif moved < len(result.map):
        out.append(f"The other domains moved by less than {GAP_MOVE} points and "
                   f"{LAG_MOVE} months.")
    for r in result.frontier.head(top).itertuples():
        out.append(f"New {r.group} frontier in {r.label}: {r.display_name} "
                   f"({r.benchmarks})" + (f", replacing {r.replaced}." if r.replaced else "."))
    return out


def _status(value) -> str:
    return "no map" if value is None or pd.isna(value) else str(value).replace("_", " ")


def _or0(value) -> float:
    return 0.0 if value is None or pd.isna(value) else float(value)
