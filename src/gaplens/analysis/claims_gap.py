"""Four claims of the debate tested on the gap map: results in, :class:`Claim` out.

Each function reads results already computed (a gap table per domain or per benchmark,
the lag on the published index) and never raises: input that is missing or too thin
gives the claim's ``not_enough_data`` form, saying what is missing.

1. ``domains_claim`` (the gap differs by domain, widest on agentic work, professional
   knowledge work, long context and out-of-distribution tests). The domains with current
   evidence are ranked by gap (rank 1 = widest; ``lag_rank`` by lag). Tiers: walk down the
   ranking; a domain opens a new tier when its difference to the current tier's first
   domain, d_j = gap_first,j - gap_dom,j over the bootstrap draws j of the same gap
   computation (``GapResult.draws``), has a 90 % interval entirely above 0; otherwise it
   joins that tier. The claimed areas map to domain keys in :data:`CLAIMED_DOMAINS`. A
   claimed domain ranks *above the rest* when gap_c,j - mean_o gap_o,j (o: the current
   domains not claimed) has an interval above 0. Verdict: ``supported`` when every claimed
   domain with current evidence ranks above the rest, ``mixed`` when some do,
   ``not_supported`` when none does. Headline: mean claimed gap - mean other gap.
2. ``ood_claim`` (out-of-distribution tests show open models far behind). Over the
   per-benchmark gap table (current benchmarks only), :func:`group_contrast` compares the
   median lag (and gap) of the out-of-distribution benchmarks with that of the others:
   difference of medians, interval from resampling benchmarks with replacement within each
   group. ``supported`` when both the lag and the gap difference have intervals above 0,
   ``mixed`` when one has, ``not_supported`` otherwise. A benchmark is *close or ahead* when
   its gap interval reaches 0 or below, or its lag is at most :data:`CLOSE_MONTHS`.
3. ``copyable_claim`` (what a single evaluation of the composite measures can be copied).
   The same contrast between benchmarks that are AA Intelligence Index v4.0/v4.1
   evaluations or close mirrors of one and benchmarks that are not; the claim expects the
   first group's lag (and gap) to be smaller: ``supported`` when both differences have
   intervals below 0, ``mixed`` when one has, ``not_supported`` otherwise.
4. ``one_number_claim`` (the one number hides the map). The lag on the published index at
   the newest snapshot on or before the map's date (analysis/published_lag.py) against
   each current domain's lag, both in months with their intervals: a domain lies *above*
   (*below*) when its whole interval lies above (below) the index's. ``supported`` when at
   least one domain lies outside, ``not_supported`` when none does.

The benchmark classes (out of distribution, AA component or mirror) are reviewed data:
``data/benchmark_claims.csv`` (ingest/benchmark_claims.py).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
import pandas as pd

from .claims import Claim, not_enough
from .intervals import bootstrap_interval

# The areas the claim names, as domain keys of the bundled taxonomy (data/domains.csv).
CLAIMED_DOMAINS = {"agentic": "agentic work", "knowledge_work": "professional knowledge work",
                   "long_context": "long context", "novel_reasoning": "out-of-distribution tests"}
CLOSE_MONTHS = 3.0  # a lag at most this long counts as "close" (one model generation)
MIN_PER_GROUP = 3  # benchmarks per group for a contrast
MIN_DOMAINS = 3  # current domains for a ranking
MIN_DRAWS = 20  # bootstrap draws for the domains' pairwise differences
CI = 0.90

OOD, IN_DIST = "out-of-distribution", "in-distribution"
COMPONENT, MIRROR, NOT_IN = "AA index component", "mirror of a component", "not in the index"

TITLES = {
    "domains_differ": ("The gap differs by domain",
                       "The gap differs by domain and is widest on agentic work, professional "
                       "knowledge work, long context and out-of-distribution tests."),
    "ood": ("Far behind out of distribution",
            "Out-of-distribution tests (ARC-AGI-2, WeirdML) show open models far behind, while "
            "many other benchmarks show them strong."),
    "copyable": ("What the composite measures can be copied",
                 "If an environment can be built as a single evaluation in the AA index, or "
                 "mirror one, the fast followers keep up."),
    "one_number": ("The one number hides the map",
                   "The gap on the AA Intelligence Index hides how different the gap is "
                   "across domains."),
}


def _none(key: str, as_of, reason: str) -> Claim:
    title, statement = TITLES[key]
    return not_enough(key, title, statement, as_of, reason)


def _fmt(x: float, lo: float, hi: float, unit: str = "", signed: bool = False) -> str:
    f = "{:+.1f}" if signed else "{:.1f}"
    return f"{f.format(x)}{unit} [{f.format(lo)}, {f.format(hi)}]"


def _list(names) -> str:
    names = [str(n) for n in names]
    return ", ".join(names) if names else "none"


def _table(result) -> pd.DataFrame | None:
    if result is None:
        return None
    table = result if isinstance(result, pd.DataFrame) else getattr(result, "table", None)
    return None if table is None or table.empty else table


def _date(result, as_of):
    if as_of is not None:
        return as_of
    settings = getattr(result, "settings", None)
    return getattr(settings, "as_of", None)


def _current(table: pd.DataFrame, column: str) -> pd.DataFrame:
    cur = table["current_evidence"].fillna(False).astype(bool)
    return table.loc[cur & table[column].notna()]


# ---- 1 the gap differs by domain ---------------------------------------------------------

def domains_claim(gap, as_of: dt.date | None = None, ci: float = CI) -> Claim:
    """Rank the current domains by gap, tier them, and test the claimed ranking (module
    docstring). ``gap``: a per-domain GapResult with its ``draws``."""
    key = "domains_differ"
    try:
        as_of = _date(gap, as_of)
        table = _table(gap)
        if table is None:
            return _none(key, as_of, "no gap map")
        cur = _current(table, "gap").sort_values("gap", ascending=False)
        if len(cur) < MIN_DOMAINS:
            return _none(key, as_of, f"{len(cur)} domains have current evidence; ranking them "
                         f"needs {MIN_DOMAINS}")
        draws = getattr(gap, "draws", pd.DataFrame())
        if draws is None or draws.empty or draws["draw"].max() < MIN_DRAWS:
            return _none(key, as_of, f"the gap was computed with fewer than {MIN_DRAWS} "
                         "bootstrap draws, too few to compare domains")
        wide = draws.pivot_table(index="draw", columns="key", values="gap",
                                 dropna=False).sort_index()
        keys = [k for k in cur["key"] if k in wide.columns]
        cur = cur.set_index("key").loc[keys].reset_index()
        return _domains(key, table, cur, wide[keys], as_of, ci)
    except Exception as exc:  # a claim never stops the analyses around it
        return _none(key, as_of, f"the domain ranking failed ({exc})")


def _interval(values: np.ndarray, ci: float):
    return bootstrap_interval(np.asarray(values, dtype=float), ci, "spread")


def _domains(key, table, cur, wide: pd.DataFrame, as_of, ci) -> Claim:
    keys = list(cur["key"])
    draws = {k: wide[k].to_numpy() for k in keys}  # each domain's draws, read once
    tier_of, tier, first = {keys[0]: 1}, 1, keys[0]
    for k in keys[1:]:
        if _interval(draws[first] - draws[k], ci).low > 0:
            tier, first = tier + 1, k
        tier_of[k] = tier
    claimed = [k for k in keys if k in CLAIMED_DOMAINS]
    others = [k for k in keys if k not in CLAIMED_DOMAINS]
    if not claimed or len(others) < 2:
        return _none(key, as_of, f"{len(claimed)} claimed and {len(others)} other domains "
                     "have current evidence; the test needs one and two")
    rest = wide[others].mean(axis=1, skipna=True).to_numpy()
    above = {}
    for k in claimed:
        above[k] = _interval(draws[k] - rest, ci).low > 0
    diff = wide[claimed].mean(axis=1).to_numpy() - rest
    iv = _interval(diff, ci)
    n_above = sum(above.values())
    verdict = ("supported" if n_above == len(claimed) else "mixed" if n_above
               else "not_supported")
    cur = cur.assign(rank=range(1, len(cur) + 1),
                     lag_rank=cur["lag_months"].rank(ascending=False, method="min"),
                     tier=[tier_of[k] for k in keys],
                     current=True, claimed=[k in CLAIMED_DOMAINS for k in keys],
                     above_rest=[above.get(k) for k in keys])
    stale = table.loc[~table["key"].isin(keys)].assign(current=False,
                                                       claimed=lambda f: f["key"].isin(
                                                           list(CLAIMED_DOMAINS)))
    columns = ["key", "label", "gap", "gap_ci_low", "gap_ci_high", "lag_months",
               "lag_months_ci_low", "lag_months_ci_high", "rank", "lag_rank", "tier",
               "current", "claimed", "above_rest", "data_through", "status"]
    evidence = pd.concat([cur, stale], ignore_index=True).reindex(columns=columns)
    for c in ("rank", "lag_rank", "tier"):
        evidence[c] = evidence[c].astype("Int64")
    label = dict(zip(cur["key"], cur["label"]))
    top, low = cur.iloc[0], cur.iloc[-1]
    n_tiers = max(tier_of.values())
    tiers_text = ("no domain differs significantly from the widest" if n_tiers == 1 else
                  f"they fall into {n_tiers} tiers that differ significantly (first tier: "
                  + _list(label[k] for k in keys if tier_of[k] == 1) + ")")
    sentence = (
        f"On {as_of} the gap is widest on {top['label']} "
        f"({_fmt(top['gap'], top['gap_ci_low'], top['gap_ci_high'])} points) and narrowest on "
        f"{low['label']} ({_fmt(low['gap'], low['gap_ci_low'], low['gap_ci_high'])}) among "
        f"{len(keys)} domains with current evidence; {tiers_text}. The claimed domains' gap is "
        f"{_fmt(diff[0], iv.low, iv.high, signed=True)} points against the mean of the rest; "
        f"significantly above the rest: {_list(label[k] for k in claimed if above[k])}; not: "
        f"{_list(label[k] for k in claimed if not above[k])}.")
    notes = ["claimed areas as domains: " + "; ".join(f"{v} = {k}" for k, v in
                                                      CLAIMED_DOMAINS.items()),
             f"tiers and 'above the rest' read {int(wide.index.max())} bootstrap draws of the "
             f"map ({ci:.0%} intervals of the differences)"]
    missing = [v for k, v in CLAIMED_DOMAINS.items() if k not in keys]
    if missing:
        notes.append("claimed areas without current evidence: " + ", ".join(missing))
    title, statement = TITLES[key]
    return Claim(key=key, title=title, statement=statement, verdict=verdict,
                 sentence=sentence, as_of=as_of, estimate=float(diff[0]), ci_low=iv.low,
                 ci_high=iv.high, unit="points", evidence=evidence, notes=tuple(notes))


# ---- contrasts over benchmarks ------------------------------------------------------------

@dataclass(frozen=True)
class Contrast:
    """Medians of ``column`` in two groups of benchmarks and their difference
    (first - second), each with a bootstrap interval over benchmarks."""

    column: str
    first: str
    second: str
    n_first: int
    n_second: int
    first_median: float
    first_ci_low: float
    first_ci_high: float
    second_median: float
    second_ci_low: float
    second_ci_high: float
    difference: float
    ci_low: float
    ci_high: float

    @property
    def above(self) -> bool:
        return self.ci_low > 0

    @property
    def below(self) -> bool:
        return self.ci_high < 0


def group_contrast(per_benchmark: pd.DataFrame, group_column: str, first: str, second: str,
                   column: str = "lag_months", n_boot: int = 2000, seed: int = 0,
                   ci: float = CI, min_per_group: int = MIN_PER_GROUP) -> Contrast | None:
    """Difference of the medians of ``column`` between the rows whose ``group_column`` is
    ``first`` and those where it is ``second``. Intervals: percentile intervals of
    ``n_boot`` resamples of the rows with replacement within each group (benchmarks are
    the unit), widened to reach the estimate. None when a group has fewer than
    ``min_per_group`` rows with a value (the generalisation of overfit.lag_by_test_set)."""
    rows = per_benchmark.loc[per_benchmark[column].notna()]
    a = rows.loc[rows[group_column] == first, column].to_numpy(float)
    b = rows.loc[rows[group_column] == second, column].to_numpy(float)
    if len(a) < min_per_group or len(b) < min_per_group:
        return None
    rng = np.random.default_rng(seed)
    ma = np.median(rng.choice(a, (n_boot, len(a))), axis=1)
    mb = np.median(rng.choice(b, (n_boot, len(b))), axis=1)
    ea, eb = float(np.median(a)), float(np.median(b))
    ia = bootstrap_interval(np.r_[ea, ma], ci, "percentile")
    ib = bootstrap_interval(np.r_[eb, mb], ci, "percentile")
    idiff = bootstrap_interval(np.r_[ea - eb, ma - mb], ci, "percentile")
    return Contrast(column=column, first=first, second=second, n_first=len(a),
                    n_second=len(b), first_median=ea, first_ci_low=ia.low,
                    first_ci_high=ia.high, second_median=eb, second_ci_low=ib.low,
                    second_ci_high=ib.high, difference=ea - eb, ci_low=idiff.low,
                    ci_high=idiff.high)


BENCH_COLUMNS = ["benchmark", "domain", "group", "gap", "gap_ci_low", "gap_ci_high",
                 "lag_months", "lag_months_ci_low", "lag_months_ci_high", "close_or_ahead"]


def _bench_table(result) -> pd.DataFrame | None:
    """The per-benchmark table: a frame, a GapResult by benchmark, or a GapResult by
    domain's ``per_benchmark`` rows."""
    if result is not None and getattr(getattr(result, "settings", None), "by", "") == "domain":
        return _table(getattr(result, "per_benchmark", None))
    return _table(result)


def _benchmarks(per_benchmark, classes: pd.DataFrame | None):
    """Current benchmarks with a lag, joined to their classes; and the unclassified."""
    table = _bench_table(per_benchmark)
    if table is None or classes is None or classes.empty:
        return None, []
    cur = _current(table, "lag_months").rename(columns={"key": "benchmark"})
    lower = classes.assign(_k=classes["benchmark"].str.lower()).drop(columns="benchmark")
    cur = cur.assign(_k=cur["benchmark"].str.lower()).merge(lower, on="_k", how="left")
    unclassified = cur.loc[cur["ood"].isna(), "benchmark"].tolist()
    cur = cur.loc[cur["ood"].notna()].drop(columns="_k")
    close = (cur["gap_ci_low"] <= 0) | (cur["lag_months"] <= CLOSE_MONTHS)
    return cur.assign(close_or_ahead=close.fillna(False).astype(bool)), unclassified


def _contrast_sentence(as_of, what_first: str, names: list[str], what_second: str,
                       lag: Contrast, gap: Contrast | None) -> str:
    text = (f"On {as_of} the open lag on {what_first} ({_list(names)}) is "
            f"{_fmt(lag.first_median, lag.first_ci_low, lag.first_ci_high)} months against "
            f"{_fmt(lag.second_median, lag.second_ci_low, lag.second_ci_high)} on the "
            f"{lag.n_second} {what_second} (medians): a difference of "
            f"{_fmt(lag.difference, lag.ci_low, lag.ci_high, signed=True)} months")
    if gap is not None:
        text += (f"; the gap is {_fmt(gap.first_median, gap.first_ci_low, gap.first_ci_high)} "
                 f"points against {_fmt(gap.second_median, gap.second_ci_low, gap.second_ci_high)}"
                 f" ({_fmt(gap.difference, gap.ci_low, gap.ci_high, signed=True)})")
    return text + "."


def _contrast_claim(key: str, per_benchmark, classes, as_of, group_of, first: str,
                    second: str, expect: str, what_first: str, what_second: str,
                    n_boot: int, seed: int, ci: float, benchmarks=None) -> Claim:
    """The claim of a contrast between two groups of benchmarks (``expect``: "above" when
    the claim expects the first group's lag to be longer, "below" shorter). ``benchmarks``:
    :func:`_benchmarks` of ``per_benchmark`` and ``classes`` when already computed."""
    as_of = _date(per_benchmark, as_of)
    rows, unclassified = benchmarks or _benchmarks(per_benchmark, classes)
    if rows is None:
        return _none(key, as_of, "no per-benchmark gap table or no benchmark classes")
    rows = rows.assign(group=group_of(rows))
    side = rows["group"].map(lambda g: "first" if g in first.split("|") else "second")
    rows = rows.assign(side=side)
    lag = group_contrast(rows, "side", "first", "second", "lag_months", n_boot, seed, ci)
    if lag is None:
        counts = rows["side"].value_counts()
        return _none(key, as_of, f"{counts.get('first', 0)} {what_first} and "
                     f"{counts.get('second', 0)} {what_second} have current evidence; "
                     f"the contrast needs {MIN_PER_GROUP} of each")
    gap = group_contrast(rows.loc[rows["gap"].notna()], "side", "first", "second", "gap",
                         n_boot, seed + 1, ci)
    hits = [getattr(c, expect) for c in (lag, gap) if c is not None]
    verdict = ("supported" if all(hits) and len(hits) == 2 else
               "mixed" if any(hits) else "not_supported")
    names = rows.loc[rows["side"] == "first", "benchmark"].tolist()
    sentence = _contrast_sentence(as_of, what_first, names, what_second, lag, gap)
    close = rows.loc[(rows["side"] == "second") & rows["close_or_ahead"], "benchmark"]
    if key == "ood":
        sentence += (f" Open models are close or ahead on {_list(close)} (gap interval "
                     f"reaching 0, or lag at most {CLOSE_MONTHS:g} months).")
    notes = [f"medians over benchmarks with current evidence; {ci:.0%} intervals from "
             f"{n_boot} resamples of the benchmarks within each group"]
    if gap is None:
        notes.append("too few benchmarks with a gap for the gap contrast")
    if unclassified:
        notes.append("left out, not classified in benchmark_claims.csv: "
                     + ", ".join(unclassified))
    evidence = rows.reindex(columns=BENCH_COLUMNS + ["aa_evaluation", "aa_relation", "ood",
                                                     "test_set", "data_through"])
    evidence = evidence.sort_values(["group", "lag_months"], ascending=[True, False])
    title, statement = TITLES[key]
    return Claim(key=key, title=title, statement=statement, verdict=verdict,
                 sentence=sentence, as_of=as_of, estimate=lag.difference, ci_low=lag.ci_low,
                 ci_high=lag.ci_high, unit="months", evidence=evidence.reset_index(drop=True),
                 notes=tuple(notes))


# ---- 2 out of distribution -----------------------------------------------------------------

def ood_claim(per_benchmark, classes: pd.DataFrame | None, as_of: dt.date | None = None,
              n_boot: int = 2000, seed: int = 0, ci: float = CI, benchmarks=None) -> Claim:
    """Open lag and gap on out-of-distribution benchmarks against the others (module
    docstring). ``per_benchmark``: a GapResult by benchmark (or its table), or a GapResult
    by domain (its ``per_benchmark`` rows); ``classes``: ingest.benchmark_claims."""
    try:
        return _contrast_claim(
            "ood", per_benchmark, classes, as_of,
            lambda r: np.where(r["ood"].astype(bool), OOD, IN_DIST), OOD, IN_DIST, "above",
            "out-of-distribution benchmarks", "others", n_boot, seed, ci, benchmarks)
    except Exception as exc:  # a claim never stops the analyses around it
        return _none("ood", _date(per_benchmark, as_of), f"the contrast failed ({exc})")


# ---- 6 copyable ---------------------------------------------------------------------------

def copyable_claim(per_benchmark, classes: pd.DataFrame | None,
                   as_of: dt.date | None = None, n_boot: int = 2000, seed: int = 0,
                   ci: float = CI, benchmarks=None) -> Claim:
    """Open lag and gap on AA index components and their mirrors against the benchmarks
    not in the index (module docstring). ``benchmarks``: as in :func:`ood_claim`."""
    def group_of(rows):
        relation = rows["aa_relation"].astype(object)
        return np.where(relation == "component", COMPONENT,
                        np.where(relation == "mirror", MIRROR, NOT_IN))

    try:
        return _contrast_claim(
            "copyable", per_benchmark, classes, as_of, group_of, f"{COMPONENT}|{MIRROR}",
            NOT_IN, "below", "AA index components and their mirrors",
            "benchmarks not in the index", n_boot, seed, ci, benchmarks)
    except Exception as exc:  # a claim never stops the analyses around it
        return _none("copyable", _date(per_benchmark, as_of), f"the contrast failed ({exc})")


# ---- 7 the one number -----------------------------------------------------------------------

def one_number_claim(gap, published: pd.DataFrame | None, as_of: dt.date | None = None) -> Claim:
    """The lag on the published index (``published``: analysis.published_lag's table, one
    row per snapshot) against every current domain's lag (module docstring)."""
    key = "one_number"
    try:
        as_of = _date(gap, as_of)
        table = _table(gap)
        published = _table(published)
        if table is None:
            return _none(key, as_of, "no gap map")
        if published is None:
            return _none(key, as_of, "no lag on the published index (AA data)")
        snaps = published.loc[pd.to_datetime(published["snapshot"]).dt.date <= as_of]
        snaps = snaps.loc[snaps[["lag_months", "lag_months_ci_low",
                                 "lag_months_ci_high"]].notna().all(axis=1)]
        if snaps.empty:
            return _none(key, as_of, f"no published-index snapshot with a lag on or before "
                         f"{as_of}")
        aa = snaps.sort_values("snapshot").iloc[-1]
        cur = _current(table, "lag_months")
        cur = cur.loc[cur[["lag_months_ci_low", "lag_months_ci_high"]].notna().all(axis=1)]
        if cur.empty:
            return _none(key, as_of, "no domain has a current lag with an interval")
        return _one_number(key, cur, aa, as_of)
    except Exception as exc:  # a claim never stops the analyses around it
        return _none(key, as_of, f"the comparison failed ({exc})")


def _one_number(key, cur: pd.DataFrame, aa, as_of) -> Claim:
    lo, hi, x = (float(aa["lag_months_ci_low"]), float(aa["lag_months_ci_high"]),
                 float(aa["lag_months"]))
    position = np.where(cur["lag_months_ci_low"] > hi, "above",
                        np.where(cur["lag_months_ci_high"] < lo, "below", "inside"))
    cur = cur.assign(position=position).sort_values("lag_months", ascending=False)
    snapshot = pd.Timestamp(aa["snapshot"]).date()
    head = pd.DataFrame([{"key": "aa_index", "label": f"AA Intelligence Index ({snapshot})",
                          "lag_months": x, "lag_months_ci_low": lo, "lag_months_ci_high": hi,
                          "position": "inside", "gap": aa.get("gap"),
                          "gap_ci_low": aa.get("gap_ci_low"),
                          "gap_ci_high": aa.get("gap_ci_high"), "data_through": snapshot}])
    columns = ["key", "label", "lag_months", "lag_months_ci_low", "lag_months_ci_high",
               "position", "gap", "gap_ci_low", "gap_ci_high", "data_through"]
    evidence = pd.concat([head, cur.reindex(columns=columns)], ignore_index=True)[columns]

    # the columns the sentence names, read once (as Python values, as itertuples gives)
    listed = list(zip(cur["position"].tolist(), cur["label"].tolist(),
                      cur["lag_months"].tolist(), cur["lag_months_ci_low"].tolist(),
                      cur["lag_months_ci_high"].tolist()))

    def named(where: str) -> str:
        return _list(f"{label} {_fmt(lag, low, high)}"
                     for position, label, lag, low, high in listed if position == where)

    n_out = int((cur["position"] != "inside").sum())
    verdict = "supported" if n_out else "not_supported"
    sentence = (f"On {as_of} the AA Intelligence Index (snapshot {snapshot}) puts open models "
                f"{_fmt(x, lo, hi)} months behind; {n_out} of {len(cur)} domains with current "
                f"evidence lie outside that interval: above {named('above')}; below "
                f"{named('below')}.")
    title, statement = TITLES[key]
    return Claim(key=key, title=title, statement=statement, verdict=verdict, sentence=sentence,
                 as_of=as_of, estimate=x, ci_low=lo, ci_high=hi, unit="months",
                 evidence=evidence,
                 notes=("both lags read the same way (horizontal frontier distance, months; "
                        "analysis/published_lag.py); a domain lies outside when its whole "
                        "interval does",))


def gap_claims(gap, published: pd.DataFrame | None, classes: pd.DataFrame | None,
               as_of: dt.date | None = None, seed: int = 0) -> dict[str, Claim]:
    """Claims 1, 2, 6 and 7 from one per-domain gap result (with its draws and
    per-benchmark rows), the published index's lag table and the benchmark classes.
    Claims 2 and 6 read the same benchmarks joined to their classes: joined once."""
    try:
        benchmarks = _benchmarks(gap, classes)
    except Exception:  # each claim meets the failure again and says so
        benchmarks = None
    return {"domains_differ": domains_claim(gap, as_of),
            "ood": ood_claim(gap, classes, as_of, seed=seed, benchmarks=benchmarks),
            "copyable": copyable_claim(gap, classes, as_of, seed=seed, benchmarks=benchmarks),
            "one_number": one_number_claim(gap, published, as_of)}


__all__ = ["CLAIMED_DOMAINS", "CLOSE_MONTHS", "Contrast", "copyable_claim", "domains_claim",
           "gap_claims", "group_contrast", "one_number_claim", "ood_claim"]
