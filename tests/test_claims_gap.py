"""Claims 1, 2, 6 and 7 on planted data (both verdicts reachable) and on the bundled data.

Planted benchmarks: every model's score follows one line in time, s(t) = 0.15 + 0.6 t / 720
(t in days), with the closed models ``lead`` months ahead on it: s_closed(t) =
s(t + lead). On such a benchmark the horizontal lag at the last date is ``lead`` months
(up to the 15-day spacing of releases) and the gap is 0.6 * lead * 30.44 / 720 * 100
points (about 2.5 points per month of lead).
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings as hsettings, strategies as st

from gaplens.analysis.claims import CLAIM_KEYS, VERDICTS
from gaplens.analysis.claims_gap import (CLAIMED_DOMAINS, CLOSE_MONTHS, copyable_claim,
                                         domains_claim, gap_claims, group_contrast,
                                         one_number_claim, ood_claim)
from gaplens.analysis.gap import GapSettings, compute_gap
from gaplens.analysis.observations import Observations
from gaplens.ingest.benchmark_claims import (benchmark_claims, parse_benchmark_claims,
                                             read_benchmark_claims)
from gaplens.ingest.taxonomy import bundled_path, bundled_taxonomy
from gaplens.errors import InputError
from gaplens.types import OpenDefinition

BASE = dt.date(2024, 1, 1)
SPAN = 720
AS_OF = BASE + dt.timedelta(days=SPAN)
PER_MONTH = 0.6 * 30.44 / 720 * 100


def _line(day, lead_months=0.0):
    return 0.15 + 0.6 * (np.asarray(day) + lead_months * 30.44) / SPAN


def planted(spec: dict[str, tuple[str, float]], sigma: float = 0.005):
    """Observations and tables for benchmarks ``name -> (domain, lead in months)``."""
    days = np.arange(0, SPAN + 1, 15)
    rows = []
    for name, (domain, lead) in spec.items():
        for group, shift in (("open", 0.0), ("closed", lead)):
            for d in days:
                rows.append(dict(model_id=f"{group}{d}", display_name=f"{group}{d}",
                                 group=group, benchmark=name, domain=domain,
                                 score=float(_line(d, shift)), stderr=sigma,
                                 release_date=pd.Timestamp(BASE + dt.timedelta(days=int(d)))))
    frame = pd.DataFrame(rows)
    frame["raw_score"] = frame["score"]
    frame["release_date"] = frame["release_date"].astype("datetime64[s]")
    obs = Observations(frame=frame, open_definition=OpenDefinition.OPEN_WEIGHTS, as_of=AS_OF)
    doms = sorted({d for d, _ in spec.values()})
    domains = pd.DataFrame({"domain": doms, "label": [d.title() for d in doms],
                            "ord": range(1, len(doms) + 1)})
    bench = pd.DataFrame({"benchmark": list(spec), "domain": [d for d, _ in spec.values()],
                          "test_set": "public", "unit": "fraction", "transform": "linear",
                          "random_baseline": 0.0, "ceiling": 1.0})
    return obs, domains, bench


def gap_of(spec, by="domain", n_draws=60, **options):
    obs, domains, bench = planted(spec)
    settings = GapSettings(as_of=AS_OF, by=by, n_draws=n_draws, seed=3, **options)
    return compute_gap(obs, settings, domains, bench)


def domain_spec(leads: dict[str, float]) -> dict:
    """Two benchmarks per domain, the domain's lead on both."""
    return {f"{d}-{i}": (d, lead) for d, lead in leads.items() for i in (1, 2)}


OTHERS = ("maths", "coding", "science")


def test_planted_benchmark_has_the_planted_lag_and_gap():
    row = gap_of({"b": ("maths", 6.0)}, by="benchmark", n_draws=0).table.iloc[0]
    assert row["lag_months"] == pytest.approx(6.0, abs=0.6)
    assert row["gap"] == pytest.approx(6.0 * PER_MONTH, abs=1.0)


def test_draws_hold_the_domain_estimates_as_draw_zero():
    g = gap_of(domain_spec({"maths": 2.0, "agentic": 10.0}), n_draws=20)
    first = g.draws.loc[g.draws["draw"] == 0].set_index("key")
    table = g.table.set_index("key")
    assert set(g.draws["draw"]) == set(range(21))
    assert first["gap"].to_dict() == pytest.approx(table.loc[first.index, "gap"].to_dict())
    assert len(g.per_benchmark) == 4


# ---- 1 domains ---------------------------------------------------------------------------

def test_domains_supported_when_claimed_domains_are_planted_wider():
    leads = {**{d: 12.0 for d in CLAIMED_DOMAINS}, **{d: 2.0 for d in OTHERS}}
    claim = domains_claim(gap_of(domain_spec(leads)))
    assert claim.verdict == "supported"
    ev = claim.evidence.set_index("key")
    assert set(ev.loc[ev["rank"] <= 4].index) == set(CLAIMED_DOMAINS)
    assert (ev.loc[list(CLAIMED_DOMAINS), "tier"] == 1).all()
    assert (ev.loc[list(OTHERS), "tier"] == 2).all()
    # the headline: mean claimed gap - mean other gap, about 10 months' worth of points
    assert claim.estimate == pytest.approx(10 * PER_MONTH, abs=3.0)
    assert claim.ci_low > 0
    assert claim.as_of == AS_OF and str(AS_OF) in claim.sentence


def test_domains_not_supported_when_all_gaps_are_equal():
    leads = {d: 6.0 for d in (*CLAIMED_DOMAINS, *OTHERS)}
    claim = domains_claim(gap_of(domain_spec(leads)))
    assert claim.verdict == "not_supported"
    assert set(claim.evidence["tier"].dropna()) == {1}  # no domain differs


def test_domains_mixed_when_only_some_claimed_domains_are_wider():
    leads = {"agentic": 12.0, "novel_reasoning": 12.0, "knowledge_work": 2.0,
             "long_context": 2.0, **{d: 2.0 for d in OTHERS}}
    claim = domains_claim(gap_of(domain_spec(leads)))
    assert claim.verdict == "mixed"
    above = claim.evidence.set_index("key")["above_rest"]
    assert above["agentic"] and above["novel_reasoning"]
    assert not above["knowledge_work"] and not above["long_context"]


def test_domains_not_enough_data():
    assert domains_claim(None).verdict == "not_enough_data"
    two = gap_of(domain_spec({"maths": 2.0, "agentic": 9.0}))
    assert domains_claim(two).verdict == "not_enough_data"
    no_draws = gap_of(domain_spec({"maths": 2.0, "agentic": 9.0, "coding": 1.0}), n_draws=0)
    claim = domains_claim(no_draws)
    assert claim.verdict == "not_enough_data" and "draws" in claim.sentence


# ---- contrasts -----------------------------------------------------------------------------

def test_group_contrast_known_answer():
    frame = pd.DataFrame({"g": ["a"] * 3 + ["b"] * 4, "v": [10, 12, 11, 1, 3, 2, 2]})
    c = group_contrast(frame, "g", "a", "b", "v", n_boot=500, seed=1)
    assert (c.first_median, c.second_median, c.difference) == (11, 2, 9)
    assert c.above and c.ci_low <= 9 <= c.ci_high
    # the medians' resamples stay within each group's range
    assert 10 <= c.first_ci_low and c.first_ci_high <= 12
    assert group_contrast(frame.iloc[1:], "g", "a", "b", "v") is None  # two in group a


def classes_for(names_ood=(), components=(), mirrors=(), others=()):
    rows = []
    for n in (*names_ood, *components, *mirrors, *others):
        relation = "component" if n in components else "mirror" if n in mirrors else None
        rows.append(dict(benchmark=n, ood=n in names_ood,
                         aa_evaluation=(f"AA {n}" if relation else None),
                         aa_relation=relation, source="", note=""))
    return pd.DataFrame(rows)


def contrast_spec(first_lead: float, second_lead: float, n_first=3, n_second=5):
    spec = {f"first{i}": ("novel_reasoning", first_lead + 0.5 * i) for i in range(n_first)}
    spec.update({f"second{i}": ("maths", second_lead + 0.5 * i) for i in range(n_second)})
    return spec


def test_ood_supported_with_a_planted_12_month_lag_against_2():
    spec = contrast_spec(12.0, 2.0)
    classes = classes_for(names_ood=[b for b in spec if b.startswith("first")],
                          others=[b for b in spec if b.startswith("second")])
    claim = ood_claim(gap_of(spec), classes)
    assert claim.verdict == "supported"
    assert claim.estimate == pytest.approx(10.0, abs=1.5)  # 12.5 - 3.0 (medians)
    assert claim.ci_low > 0 and claim.unit == "months"
    ev = claim.evidence
    assert set(ev["group"]) == {"out-of-distribution", "in-distribution"}
    # lags of 2.0 and 2.5 months are "close" (at most CLOSE_MONTHS), 3.0 and more are not
    close = set(ev.loc[ev["close_or_ahead"], "benchmark"])
    assert close == {b for b in ev["benchmark"] if ev.set_index("benchmark").loc[
        b, "lag_months"] <= CLOSE_MONTHS}
    assert "second0" in close and "first0" not in close
    assert "first0" in claim.sentence and str(AS_OF) in claim.sentence


def test_ood_not_supported_when_lags_are_equal():
    spec = contrast_spec(6.0, 6.0)
    classes = classes_for(names_ood=[b for b in spec if b.startswith("first")],
                          others=[b for b in spec if b.startswith("second")])
    claim = ood_claim(gap_of(spec, by="benchmark"), classes)
    assert claim.verdict == "not_supported"
    assert claim.ci_low <= 0 <= claim.ci_high


def test_ood_not_enough_benchmarks_and_unclassified_named():
    spec = contrast_spec(12.0, 2.0, n_first=2)
    classes = classes_for(names_ood=["first0", "first1"], others=["second0", "second1",
                                                                  "second2", "second3"])
    claim = ood_claim(gap_of(spec), classes)
    assert claim.verdict == "not_enough_data"
    assert ood_claim(None, classes).verdict == "not_enough_data"
    assert ood_claim(gap_of(spec), None).verdict == "not_enough_data"
    spec = contrast_spec(12.0, 2.0)
    partial = classes_for(names_ood=["first0", "first1", "first2"],
                          others=["second0", "second1", "second2"])
    claim = ood_claim(gap_of(spec), partial)
    assert any("second3" in n and "second4" in n for n in claim.notes)


def test_copyable_supported_when_aa_benchmarks_lag_less():
    spec = contrast_spec(2.0, 12.0)
    first = [b for b in spec if b.startswith("first")]
    classes = classes_for(components=first[:2], mirrors=first[2:],
                          others=[b for b in spec if b.startswith("second")])
    claim = copyable_claim(gap_of(spec), classes)
    assert claim.verdict == "supported"
    assert claim.ci_high < 0
    assert set(claim.evidence["group"]) == {"AA index component", "mirror of a component",
                                            "not in the index"}
    assert claim.evidence.set_index("benchmark").loc["first0", "aa_evaluation"] == "AA first0"


def test_copyable_not_supported_when_aa_benchmarks_lag_more():
    spec = contrast_spec(12.0, 2.0)
    first = [b for b in spec if b.startswith("first")]
    classes = classes_for(components=first, others=[b for b in spec if b.startswith("second")])
    assert copyable_claim(gap_of(spec), classes).verdict == "not_supported"


# ---- 7 the one number ----------------------------------------------------------------------

def published(lag, low, high, snapshot=AS_OF - dt.timedelta(days=5)):
    later = dict(snapshot=AS_OF + dt.timedelta(days=30), lag_months=50.0,
                 lag_months_ci_low=49.0, lag_months_ci_high=51.0, gap=1.0, gap_ci_low=0.0,
                 gap_ci_high=2.0)
    return pd.DataFrame([dict(snapshot=snapshot, lag_months=lag, lag_months_ci_low=low,
                              lag_months_ci_high=high, gap=5.0, gap_ci_low=3.0,
                              gap_ci_high=7.0), later])


def test_one_number_supported_when_a_domain_lies_outside():
    g = gap_of(domain_spec({"maths": 2.0, "agentic": 12.0, "coding": 4.0}))
    claim = one_number_claim(g, published(4.0, 3.0, 5.0))
    assert claim.verdict == "supported"
    ev = claim.evidence.set_index("key")
    assert ev.loc["aa_index", "lag_months"] == 4.0  # the snapshot on or before the date
    assert ev.loc["agentic", "position"] == "above"
    assert ev.loc["maths", "position"] == "below"
    assert (claim.estimate, claim.ci_low, claim.ci_high) == (4.0, 3.0, 5.0)


def test_one_number_not_supported_when_every_domain_is_inside():
    g = gap_of(domain_spec({"maths": 2.0, "agentic": 12.0, "coding": 4.0}))
    claim = one_number_claim(g, published(6.0, 0.0, 20.0))
    assert claim.verdict == "not_supported"
    assert set(claim.evidence["position"]) == {"inside"}


def test_one_number_not_enough_data():
    g = gap_of(domain_spec({"maths": 2.0, "agentic": 12.0}))
    assert one_number_claim(g, None).verdict == "not_enough_data"
    late = published(4.0, 3.0, 5.0).iloc[1:]  # only a snapshot after the map's date
    assert one_number_claim(g, late).verdict == "not_enough_data"


def test_gap_claims_returns_four_valid_claims():
    g = gap_of(domain_spec({"maths": 2.0, "agentic": 12.0}))
    found = gap_claims(g, None, None, AS_OF)
    assert set(found) == {"domains_differ", "ood", "copyable", "one_number"}
    for key, c in found.items():
        assert c.key == key and c.verdict in VERDICTS and c.as_of == AS_OF
        assert c.sentence.startswith("Not enough data")


# ---- the reviewed benchmark classes ----------------------------------------------------------

def test_bundled_classes_cover_every_benchmark():
    names = bundled_taxonomy().benchmarks["benchmark"]
    classes = benchmark_claims(names)
    assert sorted(classes["benchmark"]) == sorted(names)
    # the bundled file passes the check a user's file gets (every name in the taxonomy)
    read_benchmark_claims(bundled_path("benchmark_claims.csv"), names)
    ood = set(classes.loc[classes["ood"], "benchmark"])
    assert {"ARC-AGI", "ARC-AGI-2", "WeirdML"} <= ood
    linked = classes.dropna(subset=["aa_relation"]).set_index("benchmark")["aa_relation"]
    assert linked.to_dict() == {"GDPval": "mirror", "GPQA diamond": "component",
                                "HLE": "component", "Terminal Bench": "mirror"}
    assert classes["note"].notna().all()


def test_user_classes_are_layered_and_checked(tmp_path):
    names = bundled_taxonomy().benchmarks["benchmark"]
    mine = tmp_path / "mine.csv"
    mine.write_text("benchmark,ood,aa_evaluation,aa_relation,source,note\n"
                    "GeoBench,TRUE,,,,my reading\n")
    classes = benchmark_claims(names, str(mine))
    assert classes.set_index("benchmark").loc["GeoBench", "ood"]
    assert len(classes) == len(names)
    bad = tmp_path / "bad.csv"
    bad.write_text("benchmark,ood,aa_evaluation,aa_relation,source,note\n"
                   "GeoBench,TRUE,,,,\nNoSuchBench,FALSE,,,,\n")
    with pytest.raises(InputError) as exc:
        benchmark_claims(names, str(bad))
    text = str(exc.value)
    assert "bad.csv" in text and "3" in text and "benchmark" in text and "\n" not in text
    raw = pd.DataFrame({"benchmark": ["HLE"], "ood": ["FALSE"], "aa_evaluation": ["HLE"],
                        "aa_relation": ["copy"]})
    with pytest.raises(InputError, match="aa_relation"):
        parse_benchmark_claims(raw, "x.csv")
    with pytest.raises(InputError, match="aa_evaluation"):
        parse_benchmark_claims(raw.assign(aa_relation="mirror", aa_evaluation=None), "x.csv")


# ---- golden: the bundled data ------------------------------------------------------------------

@pytest.fixture(scope="module")
def bundled_claims(bundled_db):
    from gaplens._api_claims import gap_claim_inputs
    from gaplens._api_core import as_of_or_data_date, open_warehouse

    with open_warehouse(bundled_db) as warehouse:
        long, bench = warehouse.observations(), warehouse.benchmarks()
        domains, signals = warehouse.domains(), warehouse.signals()
    as_of = as_of_or_data_date(None, bundled_db)
    gap, pub = gap_claim_inputs(long, domains, bench, signals, OpenDefinition.OPEN_WEIGHTS,
                                as_of, 200, 0, [])
    return gap_claims(gap, pub, benchmark_claims(bench["benchmark"]), as_of)


def test_golden_bundled_claims(bundled_claims):
    c = bundled_claims
    assert all(x.as_of == dt.date(2026, 4, 16) for x in c.values())
    # 1: claimed domains are wider on average; OOD and long context clearly, agentic and
    # professional knowledge work not significantly
    d = c["domains_differ"]
    assert d.verdict == "mixed"
    assert d.estimate == pytest.approx(12.6, abs=1.5) and d.ci_low > 0
    above = d.evidence.set_index("key")["above_rest"]
    assert above["novel_reasoning"] and above["long_context"] and not above["knowledge_work"]
    assert d.evidence.set_index("key").loc["novel_reasoning", "rank"] == 1
    # 2: OOD benchmarks are far behind in score but not in months
    o = c["ood"]
    assert o.verdict == "mixed"
    assert o.estimate == pytest.approx(0.8, abs=1.0) and o.ci_low < 0 < o.ci_high
    assert set(o.evidence.loc[o.evidence["group"] == "out-of-distribution", "benchmark"]) == {
        "ARC-AGI", "ARC-AGI-2", "SimpleBench", "WeirdML"}
    # 6: AA components and mirrors lag less in months, not clearly in score
    k = c["copyable"]
    assert k.verdict == "mixed"
    assert k.estimate == pytest.approx(-4.0, abs=1.0) and k.ci_high < 0
    # 7: the AA lag (about 2 months) sits below several domains' intervals
    n = c["one_number"]
    assert n.verdict == "supported"
    assert n.estimate == pytest.approx(2.0, abs=0.5)
    above = set(n.evidence.loc[n.evidence["position"] == "above", "key"])
    assert {"knowledge", "long_context", "novel_reasoning"} <= above


def test_every_claim_key_is_known(bundled_claims):
    assert set(bundled_claims) <= set(CLAIM_KEYS)
    for claim in bundled_claims.values():
        assert claim.ci_low <= claim.estimate <= claim.ci_high


# ---- properties ------------------------------------------------------------------------------


values = st.lists(st.floats(-30, 30, allow_nan=False), min_size=3, max_size=12)


@hsettings(max_examples=30, deadline=None)
@given(a=values, b=values, seed=st.integers(0, 100))
def test_group_contrast_interval_holds_its_estimate_and_swaps_sign(a, b, seed):
    frame = pd.DataFrame({"g": ["a"] * len(a) + ["b"] * len(b), "v": a + b})
    ab = group_contrast(frame, "g", "a", "b", "v", n_boot=200, seed=seed)
    ba = group_contrast(frame, "g", "b", "a", "v", n_boot=200, seed=seed)
    for c in (ab, ba):
        assert c.ci_low <= c.difference <= c.ci_high
        assert c.first_ci_low <= c.first_median <= c.first_ci_high
    assert ab.difference == pytest.approx(-ba.difference)
    assert ab.difference == pytest.approx(np.median(a) - np.median(b))


def test_malformed_input_gives_not_enough_data_never_an_error():
    broken = pd.DataFrame({"key": ["x"], "current_evidence": [True]})  # no gap, no lag
    classes = classes_for(names_ood=["x"])
    for claim in (ood_claim(broken, classes, AS_OF), copyable_claim(broken, classes, AS_OF),
                  one_number_claim(broken, published(1.0, 0.5, 2.0), AS_OF)):
        assert claim.verdict == "not_enough_data" and claim.as_of == AS_OF
