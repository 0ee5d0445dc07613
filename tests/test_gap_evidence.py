"""Current evidence, signs and counts in the gap table, on planted data with hand-computed
answers (the recency rule, the last map of a stale domain, sign notes) and on the bundled
data (counts as of a past date, scopes under --min-models)."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings

from gaplens.analysis.gap import DAYS_PER_MONTH, GapSettings, compute_gap
from test_gap_properties import BASE, datasets, make_obs

AS_OF = BASE + dt.timedelta(days=1000)  # 2024-09-27
DOMAINS = pd.DataFrame({"domain": ["d1", "d2"], "label": ["One", "Two"], "ord": [1, 2]})
BENCHMARKS = pd.DataFrame({"benchmark": ["A", "B", "C", "D"],
                           "domain": ["d1", "d1", "d2", "d2"], "test_set": "t", "unit": "%"})


def bench(name: str, start: int, open_scores, closed_scores, step: int = 20) -> list[dict]:
    """Models alternate closed, open from day ``start`` every ``step`` days."""
    rows = []
    for i, (o, c) in enumerate(zip(open_scores, closed_scores)):
        rows.append(dict(model_id=f"{name}c{i}", group="closed", benchmark=name, score=c,
                         day=start + 2 * i * step))
        rows.append(dict(model_id=f"{name}o{i}", group="open", benchmark=name, score=o,
                         day=start + (2 * i + 1) * step))
    return rows


def planted() -> list[dict]:
    # d1: A current (last release day 945, inside the 12 months to day 1000, which start
    # on day 634), B stale (last day 260). d2: C last day 460, D last day 50: both stale;
    # the 12 months before C's last date start on day 95, so the last map is C alone.
    return (bench("A", 760, [0.3, 0.4, 0.5], [0.5, 0.6, 0.7], step=37)
            + bench("B", 60, [0.2, 0.3, 0.4], [0.6, 0.7, 0.8], step=40)
            + bench("C", 260, [0.5, 0.55, 0.6], [0.6, 0.7, 0.65], step=40)
            + bench("D", 0, [0.1, 0.1, 0.1], [0.9, 0.9, 0.9], step=10))


def run(by: str, **kw) -> pd.DataFrame:
    s = GapSettings(as_of=AS_OF, by=by, n_draws=0, min_models=3, **kw)
    return compute_gap(make_obs(planted(), AS_OF), s, DOMAINS, BENCHMARKS).table.set_index("key")


def day(n: int) -> dt.date:
    return BASE + dt.timedelta(days=n)


def test_a_stale_benchmark_drops_out_of_its_domain():
    b = run("benchmark")
    assert b.loc["A", "data_through"] == day(945) and b.loc["A", "current_evidence"]
    assert b.loc["B", "data_through"] == day(260)
    assert b.loc["B", "status"] == "no_current_evidence" and not b.loc["B", "current_evidence"]
    assert b.loc["B", "note"].startswith(f"no current evidence since {day(260)}")
    # B keeps its last map: closed 0.8 - open 0.4
    assert b.loc["B", "gap"] == pytest.approx(40.0)
    d = run("domain")
    assert d.loc["d1", "status"] == "open_behind" and d.loc["d1", "current_evidence"]
    assert d.loc["d1", "benchmarks"] == "A" and d.loc["d1", "n_benchmarks"] == 1
    assert d.loc["d1", "gap"] == pytest.approx(b.loc["A", "gap"]) == pytest.approx(20.0)
    assert d.loc["d1", "data_through"] == day(945)
    assert f"B (last {day(260)})" in d.loc["d1", "note"]


def test_a_domain_without_current_benchmarks_keeps_its_last_map_labelled():
    d = run("domain")
    row = d.loc["d2"]
    assert row["status"] == "no_current_evidence" and not row["current_evidence"]
    assert row["data_through"] == day(460)  # C's last release (260 + 5 * 40)
    assert row["note"].startswith(f"no current evidence since {day(460)}")
    # the last map is C alone (D was already stale at C's last date): 0.7 - 0.6
    assert row["benchmarks"] == "C"
    assert row["gap"] == pytest.approx(10.0)
    assert f"D (last {day(50)})" in row["note"]
    assert row["closed_level"] == pytest.approx(70.0) and row["open_level"] == pytest.approx(60.0)
    # a longer window makes both current again: the domain is a mean of C and D
    wide = run("domain", recent_months=36).loc["d2"]
    assert wide["status"] == "open_behind" and wide["benchmarks"] == "C; D"
    assert wide["gap"] == pytest.approx((10.0 + 80.0) / 2)


def test_stale_rows_are_named_in_the_warnings():
    s = GapSettings(as_of=AS_OF, by="domain", n_draws=0, min_models=3)
    res = compute_gap(make_obs(planted(), AS_OF), s, DOMAINS, BENCHMARKS)
    assert any(w.startswith("no current evidence") and "d2" in w for w in res.warnings)


# ------------------------------------------------------------ signs


def test_history_of_crossings_against_todays_frontiers():
    # The shape of ARC AI2 on the bundled data. Closed: 0.4 (day 0), 0.8 (day 30), then
    # weaker models only. Open: 0.5 (day 400), 0.7 (day 460), 0.85 (day 480): open is ahead
    # today, but closed crossed most levels first. Usable thresholds (above both groups'
    # first models): 0.55-0.80, closed on day 30, open on day 460/480 (lags 430-450 days),
    # and 0.85, reached by open only (-(540 - 480) = -60 days, censored): median +430 days.
    rows = [dict(model_id="c0", group="closed", benchmark="A", score=0.4, day=0),
            dict(model_id="c1", group="closed", benchmark="A", score=0.8, day=30),
            dict(model_id="c2", group="closed", benchmark="A", score=0.6, day=100),
            dict(model_id="c3", group="closed", benchmark="A", score=0.5, day=540)]
    for i, (s, d) in enumerate([(0.5, 400), (0.7, 460), (0.85, 480)]):
        rows.append(dict(model_id=f"o{i}", group="open", benchmark="A", score=s, day=d))
    as_of = BASE + dt.timedelta(days=540)
    s = GapSettings(as_of=as_of, by="benchmark", n_draws=0, min_models=1)
    row = compute_gap(make_obs(rows, as_of), s, DOMAINS, BENCHMARKS).table.iloc[0]
    assert row["gap"] == pytest.approx(-5.0)
    assert row["lag_months"] == pytest.approx(-60 / DAYS_PER_MONTH)  # the gap's sign
    assert row["lag_threshold_months"] == pytest.approx(430 / DAYS_PER_MONTH)
    note = row["note"]
    assert "disagree in sign" in note
    assert "closed models reached 6 of 7 usable thresholds first (55-80 %)" in note
    assert "open ones 1 (85 %)" in note
    assert f"newest closed result: a model released {BASE + dt.timedelta(days=540)}" in note


def test_domain_gap_and_lag_of_opposite_sign_name_the_benchmarks():
    # C: closed far ahead but only lately (gap +30, lag 30 days); D: open slightly ahead for
    # long (gap -2, lag -300 days): mean gap +14 > 0, median lag -135 days < 0.
    rows = [dict(model_id="Cc0", group="closed", benchmark="C", score=0.5, day=0),
            dict(model_id="Co0", group="open", benchmark="C", score=0.6, day=10),
            dict(model_id="Cc1", group="closed", benchmark="C", score=0.9, day=570),
            dict(model_id="Cc2", group="closed", benchmark="C", score=0.3, day=600),
            dict(model_id="Dc0", group="closed", benchmark="D", score=0.5, day=0),
            dict(model_id="Do0", group="open", benchmark="D", score=0.52, day=300),
            dict(model_id="Dc1", group="closed", benchmark="D", score=0.4, day=600)]
    as_of = BASE + dt.timedelta(days=620)
    s = GapSettings(as_of=as_of, by="domain", n_draws=0, min_models=1, recent_months=36)
    row = compute_gap(make_obs(rows, as_of), s, DOMAINS, BENCHMARKS).table.set_index(
        "key").loc["d2"]
    assert row["gap"] == pytest.approx((30.0 - 2.0) / 2)
    assert row["lag_months"] == pytest.approx((30 - 300) / 2 / DAYS_PER_MONTH)
    assert "the gap (mean over benchmarks, +14.0) and the horizontal lag" in row["note"]
    assert "C +30.0 /" in row["note"] and "D -2.0 /" in row["note"]


@settings(max_examples=50, deadline=None)
@given(datasets())
def test_every_sign_disagreement_is_explained(data):
    rows, as_of = data
    for by in ("benchmark", "domain"):
        t = compute_gap(make_obs(rows, as_of), GapSettings(as_of=as_of, by=by, n_draws=0,
                                                           min_models=1),
                        pd.DataFrame({"domain": ["d1"], "label": ["D"], "ord": [1]}),
                        pd.DataFrame({"benchmark": ["A", "B"], "domain": "d1", "test_set": "t",
                                      "unit": "%"})).table
        for r in t.to_dict(orient="records"):
            for key in ("lag_months", "lag_threshold_months"):
                g, v = r["gap"], r[key]
                if np.isfinite(g) and np.isfinite(v) and g * v < 0:
                    assert "disagree in sign" in r["note"], (by, key, r)
            if by == "benchmark" and np.isfinite(r["gap"]) and np.isfinite(r["lag_months"]):
                assert r["gap"] * r["lag_months"] >= 0  # the horizontal lag never disagrees


# ------------------------------------------------------------ the bundled data


def test_bundled_multimodal_and_language_have_no_current_evidence(bundled_db):
    import gaplens

    t = gaplens.gap(db=bundled_db, n_draws=0).table.set_index("key")
    assert t.loc["multimodal", "status"] == t.loc["language", "status"] == "no_current_evidence"
    assert str(t.loc["multimodal", "data_through"]) == "2024-12-06"
    assert t.loc["knowledge", "status"] == "open_behind"
    assert "ARC AI2 (last 2024-12-26)" in t.loc["knowledge", "note"]
    assert t["data_through"].notna().all()


def test_bundled_counts_respect_the_date_and_min_models(bundled_db):
    import gaplens

    now = gaplens.gap(db=bundled_db, n_draws=0).table.set_index("key")
    past = gaplens.gap(db=bundled_db, n_draws=0, as_of="2024-06-30").table.set_index("key")
    # models released by 2024-06-30 only: maths had 48 open / 18 closed then, 88 / 75 now
    assert (past.loc["maths", "n_open"], past.loc["maths", "n_closed"]) == (48, 18)
    assert (now.loc["maths", "n_open"], now.loc["maths", "n_closed"]) == (88, 75)
    assert (past["data_through"].dropna().astype(str) <= "2024-06-30").all()
    numbers = [c for c in now.columns if c.startswith(("gap", "lag_", "closed_level",
                                                       "open_level"))]
    for by in ("domain", "benchmark"):
        t = gaplens.gap(db=bundled_db, n_draws=0, by=by, min_models=10).table
        few = t.loc[t["status"] == "too_few_models"]
        assert len(few) > 0
        assert few[numbers].isna().all().all()
        assert (few["n_open"].notna() & few["n_closed"].notna()).all()
        assert few["note"].str.len().gt(0).all()


def test_a_zero_lag_beside_a_gap_takes_the_gap_s_status():
    # open 0.5 on day 100; closed 0.4 on day 0 and 0.8 on day 300 (the last date): closed
    # reached the open level on day 300 itself, so the lag is 0 while the gap is +30.
    rows = [dict(model_id="o0", group="open", benchmark="A", score=0.5, day=100),
            dict(model_id="c0", group="closed", benchmark="A", score=0.4, day=0),
            dict(model_id="c1", group="closed", benchmark="A", score=0.8, day=300)]
    as_of = BASE + dt.timedelta(days=300)
    row = compute_gap(make_obs(rows, as_of), GapSettings(as_of=as_of, by="benchmark",
                                                         n_draws=0, min_models=1),
                      DOMAINS, BENCHMARKS).table.iloc[0]
    assert row["lag_months"] == 0 and row["gap"] == pytest.approx(30.0)
    assert row["status"] == "open_behind"
    assert row["note"].startswith("lag 0 with gap +30.0: the closed frontier passed")
    # within the tolerance the frontiers count as level and nothing needs explaining
    row = compute_gap(make_obs(rows, as_of), GapSettings(
        as_of=as_of, by="benchmark", n_draws=0, min_models=1, tolerance=0.35),
        DOMAINS, BENCHMARKS).table.iloc[0]
    assert row["status"] == "level" and "lag 0" not in row["note"]
