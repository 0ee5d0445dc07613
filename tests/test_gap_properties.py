"""Property tests for compute_gap (src/gaplens/analysis/gap.py) and the frontier it uses.

Data are small random Observations frames built directly (not through prepare): every
release date is on or before the as-of date, one row per (model, benchmark).
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from gaplens.analysis.gap import DAYS_PER_MONTH, GapSettings, _draw_models, compute_gap
from gaplens.analysis.observations import Observations
from gaplens.models.frontier import GroupFrontier
from gaplens.types import OpenDefinition

BASE = dt.date(2022, 1, 1)
DOMAINS = pd.DataFrame({"domain": ["d1"], "label": ["Domain one"], "ord": [1]})
BENCHMARKS = pd.DataFrame(
    {"benchmark": ["A", "B"], "domain": ["d1", "d1"], "test_set": ["t", "t"], "unit": ["%", "%"]}
)
POINT = ["gap", "lag_months", "lag_threshold_months"]
FAST = settings(max_examples=50, deadline=None)


def make_obs(rows: list[dict], as_of: dt.date) -> Observations:
    """rows: model_id, group, benchmark, score, day (days after BASE)."""
    frame = pd.DataFrame(
        {
            "model_id": [r["model_id"] for r in rows],
            "display_name": [r["model_id"].upper() for r in rows],
            "group": [r["group"] for r in rows],
            "benchmark": [r["benchmark"] for r in rows],
            "score": [float(r["score"]) for r in rows],
            "release_date": pd.to_datetime(
                [BASE + dt.timedelta(days=int(r["day"])) for r in rows]
            ).astype("datetime64[s]"),
        }
    )
    return Observations(frame=frame, open_definition=OpenDefinition.OPEN_WEIGHTS, as_of=as_of)


def run(rows, as_of, **kw) -> pd.DataFrame:
    kw = {"by": "benchmark", "n_draws": 0, "min_models": 1, **kw}
    return compute_gap(make_obs(rows, as_of), GapSettings(as_of=as_of, **kw),
                       DOMAINS, BENCHMARKS).table.set_index("key")


@st.composite
def datasets(draw):
    """A pool of open and closed models with one release day each; each benchmark gets a
    non-empty subset of each group with scores on a 1/20 grid (so ties and exact hits of
    the default thresholds occur)."""
    n_open = draw(st.integers(1, 4))
    n_closed = draw(st.integers(1, 4))
    models = [(f"o{i}", "open") for i in range(n_open)] + [
        (f"c{i}", "closed") for i in range(n_closed)
    ]
    days = {m: draw(st.integers(0, 900)) for m, _ in models}
    rows = []
    for bench in draw(st.sampled_from([["A"], ["A", "B"]])):
        for group in ("open", "closed"):
            members = [m for m, g in models if g == group]
            chosen = draw(st.lists(st.sampled_from(members), min_size=1, unique=True))
            for m in chosen:
                rows.append(dict(model_id=m, group=group, benchmark=bench,
                                 score=draw(st.integers(0, 20)) / 20, day=days[m]))
    as_of = BASE + dt.timedelta(days=max(days.values()) + draw(st.integers(0, 400)))
    return rows, as_of


def assert_same(a: pd.Series, b: pd.Series) -> None:
    np.testing.assert_array_equal(a.to_numpy(dtype=float), b.to_numpy(dtype=float))


# ------------------------------------------------------------ (1) shift invariance


@FAST
@given(datasets(), st.integers(-2000, 2000).filter(lambda s: s != 0))
def test_shifting_all_dates_leaves_gap_and_lags_unchanged(data, shift):
    rows, as_of = data
    shifted = [{**r, "day": r["day"] + shift} for r in rows]
    # The recency window is 12 calendar months, whose length in days depends on the dates
    # (leap days): a benchmark whose last result sits within a few days of the window's
    # start may be current before the shift and not after. Such cases are set aside.
    start = (pd.Timestamp(as_of) - pd.DateOffset(months=12)).date()
    moved = (pd.Timestamp(as_of + dt.timedelta(days=shift)) - pd.DateOffset(months=12)).date()
    last = {}
    for r in rows:
        last[r["benchmark"]] = max(last.get(r["benchmark"], -10**6), r["day"])
    for day in last.values():
        before = BASE + dt.timedelta(days=day) >= start
        after = BASE + dt.timedelta(days=day + shift) >= moved
        assume(before == after)
    a = run(rows, as_of, n_draws=20)
    b = run(shifted, as_of + dt.timedelta(days=shift), n_draws=20)
    # Lags are day differences divided by the constant DAYS_PER_MONTH, so a whole-day shift
    # changes nothing; the timeline (calendar months) is deliberately not compared.
    for col in POINT + [f"{c}_ci_low" for c in POINT] + [f"{c}_ci_high" for c in POINT]:
        assert_same(a[col], b[col])
    assert (a["status"] == b["status"]).all()


# ------------------------------------------------------------ (2) a dominated open model


@st.composite
def frontier_and_dominated(draw):
    n = draw(st.integers(1, 6))
    days = np.array(draw(st.lists(st.integers(0, 500), min_size=n, max_size=n)))
    scores = np.array(draw(st.lists(st.integers(0, 20), min_size=n, max_size=n))) / 20
    # release on or after the group's first model, so a frontier exists to be worse than
    new_day = draw(st.integers(int(days.min()), 600))
    return days, scores, new_day, draw(st.integers(0, 20)) / 20


@FAST
@given(frontier_and_dominated())
def test_dominated_open_model_never_moves_frontier(case):
    days, scores, new_day, raw = case
    before = GroupFrontier.build(days, scores)
    level = before.level_at(new_day)[0]
    new_score = min(raw, level)  # worse than (or equal to) the frontier at its release date
    after = GroupFrontier.build(np.append(days, new_day), np.append(scores, new_score))
    probe = sorted(set(days.tolist()) | {new_day, new_day - 1, new_day + 1, -1, 10_000})
    for d in probe:
        level_d = before.level_at(d)
        np.testing.assert_array_equal(after.level_at(d), level_d, err_msg=str(d))
        np.testing.assert_array_equal(after.first_reach(level_d), before.first_reach(level_d),
                                      err_msg=str(d))


@FAST
@given(datasets(), st.integers(0, 1000), st.integers(1, 20))
def test_dominated_open_model_never_changes_gap(data, offset, drop):
    rows, as_of = data
    a_rows = [r for r in rows if r["benchmark"] == "A"]
    open_a = [r for r in a_rows if r["group"] == "open"]
    first = min(r["day"] for r in open_a)
    last = (as_of - BASE).days
    new_day = first + offset % (last - first + 1)  # between open's first model and as-of
    level = max(r["score"] for r in open_a if r["day"] <= new_day)
    new_score = max(level - drop / 20, 0.0)
    assume(new_score < level)
    extra = dict(model_id="o_new", group="open", benchmark="A", score=new_score, day=new_day)
    a = run(rows, as_of)
    b = run(rows + [extra], as_of)
    assert_same(a["gap"], b["gap"])
    assert_same(a["open_level"], b["open_level"])
    if new_day <= max(r["day"] for r in a_rows):
        # the benchmark's data_through (t_b) is unchanged, so the lags are too
        assert_same(a["lag_months"], b["lag_months"])
        assert_same(a["lag_threshold_months"], b["lag_threshold_months"])


# ------------------------------------------------------------ (3) swapping the labels


@FAST
@given(datasets())
def test_swapping_groups_flips_signs(data):
    rows, as_of = data
    swap = {"open": "closed", "closed": "open"}
    a = run(rows, as_of)
    b = run([{**r, "group": swap[r["group"]]} for r in rows], as_of)
    for col in ("gap", "lag_months"):
        assert_same(b[col], -a[col])
    # threshold lag: exact flip whenever nothing is censored ...
    uncensored = a["censored_share"] == 0
    assert_same(b.loc[uncensored, "lag_threshold_months"], -a.loc[uncensored, "lag_threshold_months"])
    # ... and the censoring rule is symmetric too (bound T - t_closed vs -(T - t_open))
    assert_same(b["lag_threshold_months"], -a["lag_threshold_months"])
    assert_same(b["censored_share"], a["censored_share"])
    flip = {"open_behind": "open_ahead", "open_ahead": "open_behind", "level": "level",
            "no_lag": "no_lag", "no_current_evidence": "no_current_evidence"}
    assert b["status"].tolist() == [flip[s] for s in a["status"]]


# ------------------------------------------------------------ (4) gap = closed - open level


@FAST
@given(datasets())
def test_gap_is_closed_level_minus_open_level(data):
    rows, as_of = data
    t = run(rows, as_of)
    for bench in t.index:
        sub = [r for r in rows if r["benchmark"] == bench]
        # all releases are <= as-of, so each frontier is the group's best score (x100)
        closed = 100 * max(r["score"] for r in sub if r["group"] == "closed")
        open_ = 100 * max(r["score"] for r in sub if r["group"] == "open")
        assert t.loc[bench, "closed_level"] == pytest.approx(closed)
        assert t.loc[bench, "open_level"] == pytest.approx(open_)
        assert t.loc[bench, "gap"] == pytest.approx(closed - open_)
        assert t.loc[bench, "gap"] == pytest.approx(
            t.loc[bench, "closed_level"] - t.loc[bench, "open_level"])


# ------------------------------------------------------------ fixed examples

AS_OF = BASE + dt.timedelta(days=800)


def spread_rows() -> list[dict]:
    """Benchmark A: 6 open and 6 closed models with spread-out scores and dates."""
    rows = []
    for i in range(6):
        rows.append(dict(model_id=f"o{i}", group="open", benchmark="A",
                         score=0.2 + 0.1 * i, day=100 + 120 * i))
        rows.append(dict(model_id=f"c{i}", group="closed", benchmark="A",
                         score=0.35 + 0.1 * i, day=50 + 110 * i))
    return rows


def test_lag_months_converts_days_linearly():
    # open 0.5 on day 100; closed 0.4 on day 0, 0.6 on day 40, 0.8 on day 300; as-of day 800.
    # t_b = newest release = day 300; o = 0.5 < c = 0.8, closed reached 0.5 on day 40:
    # lag = 300 - 40 = 260 days = 260 / DAYS_PER_MONTH months; gap = (0.8 - 0.5) * 100 = 30
    rows = [dict(model_id="o0", group="open", benchmark="A", score=0.5, day=100),
            dict(model_id="c0", group="closed", benchmark="A", score=0.4, day=0),
            dict(model_id="c1", group="closed", benchmark="A", score=0.6, day=40),
            dict(model_id="c2", group="closed", benchmark="A", score=0.8, day=300)]
    t = run(rows, AS_OF, recent_months=24)  # day 300 lies in the 24 months before day 800
    assert t.loc["A", "lag_months"] == pytest.approx(260 / DAYS_PER_MONTH)
    assert t.loc["A", "gap"] == pytest.approx(30.0)
    assert t.loc["A", "data_through"] == BASE + dt.timedelta(days=300)
    assert t.loc["A", "status"] == "open_behind"
    assert t.loc["A", "closed_model"] == "C2" and t.loc["A", "open_model"] == "O0"


def test_same_seed_is_deterministic_and_seed_moves_only_the_interval():
    obs = make_obs(spread_rows(), AS_OF)

    def go(seed):
        s = GapSettings(as_of=AS_OF, by="benchmark", n_draws=200, seed=seed, min_models=3)
        return compute_gap(obs, s, DOMAINS, BENCHMARKS)

    r1, r2, r3 = go(7), go(7), go(8)
    pd.testing.assert_frame_equal(r1.table, r2.table)
    pd.testing.assert_frame_equal(r1.timeline, r2.timeline)
    a, c = r1.table.set_index("key"), r3.table.set_index("key")
    for col in POINT:
        assert a.loc["A", col] == c.loc["A", col]
    assert np.isfinite(a.loc["A", "gap_ci_low"]) and a.loc["A", "gap_ci_low"] < a.loc["A", "gap_ci_high"]
    bounds = [f"{c_}_ci_{e}" for c_ in ("gap", "lag_months") for e in ("low", "high")]
    assert (a.loc["A", bounds] != c.loc["A", bounds]).any()


def test_too_few_models_status_and_note():
    rows = spread_rows()
    # Benchmark B: 2 open, 4 closed models
    for i in range(2):
        rows.append(dict(model_id=f"o{i}", group="open", benchmark="B", score=0.5, day=100 + 120 * i))
    for i in range(4):
        rows.append(dict(model_id=f"c{i}", group="closed", benchmark="B", score=0.6, day=50 + 110 * i))
    t = run(rows, AS_OF, min_models=3)
    assert t.loc["B", "status"] == "too_few_models"
    assert t.loc["B", "note"] == f"2 open and 4 closed models by {AS_OF}; needs 3 of each"
    assert (t.loc["B", "n_open"], t.loc["B", "n_closed"]) == (2, 4)
    assert np.isnan(t.loc["B", "gap"])
    assert t.loc["A", "status"] != "too_few_models"
    # by domain: A qualifies, B is named with its counts
    d = run(rows, AS_OF, min_models=3, by="domain")
    assert d.loc["d1", "note"] == "too few models on: B (2 open/4 closed)"
    assert d.loc["d1", "n_benchmarks"] == 1 and d.loc["d1", "n_benchmarks_total"] == 2
    # raise the bar so nothing qualifies
    d = run(rows, AS_OF, min_models=7, by="domain")
    assert d.loc["d1", "status"] == "too_few_models"
    assert d.loc["d1", "note"] == ("no benchmark has 7 open and 7 closed models: "
                                   "A (6 open/6 closed), B (2 open/4 closed)")


def test_failed_draws_are_counted():
    # Ten open models; benchmark A has only o0 (min_models=1) and all three closed models.
    # A draw resamples the 10 open models with replacement: o0 is missing from a draw with
    # probability 0.9**10 ~ 0.35, and then A's gap and lag cannot be computed (failed).
    # Closed can never vanish from A (every closed model is on A).
    rows = [dict(model_id="o0", group="open", benchmark="A", score=0.5, day=100)]
    rows += [dict(model_id=f"c{i}", group="closed", benchmark="A", score=0.4 + 0.2 * i,
                  day=50 * i) for i in range(3)]
    rows += [dict(model_id=f"o{i}", group="open", benchmark="B", score=0.05 * i, day=10 * i)
             for i in range(1, 10)]
    rows += [dict(model_id="c0", group="closed", benchmark="B", score=0.9, day=0)]
    n_draws, seed = 300, 11
    obs = make_obs(rows, AS_OF)
    res = compute_gap(obs, GapSettings(as_of=AS_OF, by="benchmark", n_draws=n_draws, seed=seed,
                                       min_models=1, resample_models=True), DOMAINS, BENCHMARKS)
    t = res.table.set_index("key")
    # Recompute the inclusion masks: models are indexed in order of first appearance.
    groups = obs.frame.drop_duplicates("model_id")["group"].to_numpy()
    assert obs.frame.drop_duplicates("model_id")["model_id"].iloc[0] == "o0"
    include = _draw_models(groups, n_draws, seed)
    expected = int((~include[1:, 0]).sum())
    assert 60 < expected < 150  # ~ 300 * 0.35: the check is meaningful
    assert t.loc["A", "gap_failed_draws"] == expected
    assert t.loc["A", "lag_months_failed_draws"] == expected
    # the threshold lag fails at least then (and also when every threshold is dropped)
    assert t.loc["A", "lag_threshold_months_failed_draws"] >= expected
    for col in [c for c in t.columns if c.endswith("failed_draws")]:
        v = t[col].dropna()
        assert ((v >= 0) & (v <= n_draws) & (v == v.round())).all(), col
    # B has 9 open models and its only closed model is c0: it fails when c0 is not drawn
    # (closed pool c0..c2) or when no open model of B is drawn.
    c0 = list(obs.frame.drop_duplicates("model_id")["model_id"]).index("c0")
    b_open = [i for i, m in enumerate(obs.frame.drop_duplicates("model_id")["model_id"])
              if m.startswith("o") and m != "o0"]
    fails_b = ~include[1:, c0] | ~include[1:, b_open].any(axis=1)
    assert t.loc["B", "gap_failed_draws"] == int(fails_b.sum())
    total = int(t[[c for c in t.columns if c.endswith("failed_draws")]].fillna(0).to_numpy().sum())
    assert any(w.startswith(f"{total} bootstrap statistics could not be computed") for w in res.warnings)
