"""Group frontiers (analysis/groups.py): planted country lags recovered with covering
intervals, thin groups as counts, pairwise antisymmetry, the reviewed attribute tables,
and the estimates on the bundled data inside their intervals."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings as hsettings, strategies as st

from gaplens.analysis.gap import DAYS_PER_MONTH, from_day, to_day
from gaplens.analysis.groups import (
    CLOSED,
    GroupSettings,
    Unit,
    benchmark_units,
    compare_groups,
    group_gap,
    labels,
    model_attributes,
)
from gaplens.errors import InputError
from gaplens.ingest.attributes import attribute_tables, read_countries
from gaplens.types import OpenDefinition

OPEN = "Open weights (unrestricted)"
API = "API access"
START = to_day(dt.date(2024, 1, 1))
LAG_DAYS = 91  # planted: the Chinese open frontier trails the US closed one by 13 weeks


def _models(rows) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["model_id", "display_name", "organization", "country",
                                       "accessibility"])


def _planted(n_draws: int = 200, rest_models: int = 2):
    """One benchmark on a linear trend, score = 0.2 + 0.004 * weeks: US closed models every
    week, Chinese open models every week with the score the closed trend had LAG_DAYS
    earlier, ``rest_models`` open models from France far below."""
    models, obs = [], []
    weeks = 40
    for w in range(weeks):
        day = START + 7 * w
        models.append((f"us-{w}", f"US {w}", "OpenAI", "US", API))
        obs.append((f"us-{w}", day, 0.2 + 0.004 * w))
        models.append((f"cn-{w}", f"CN {w}", "DeepSeek", "CN", OPEN))
        obs.append((f"cn-{w}", day, 0.2 + 0.004 * (w - LAG_DAYS / 7)))
    for i in range(rest_models):
        models.append((f"fr-{i}", f"FR {i}", "Mistral", "FR", OPEN))
        obs.append((f"fr-{i}", START + 7 * i, 0.05))
    frame = pd.DataFrame(obs, columns=["model_id", "day", "score"])
    frame["release_date"] = [pd.Timestamp(from_day(d)) for d in frame["day"]]
    frame["benchmark"] = "bench"
    bench = pd.DataFrame({"benchmark": ["bench"], "domain": ["maths"]})
    as_of = from_day(START + 7 * (weeks - 1))
    s = GroupSettings(as_of=as_of, by="country", n_draws=n_draws, seed=3,
                      default_se=0.004)
    units = benchmark_units(frame, bench, s)
    tables = attribute_tables()
    attrs = model_attributes(_models(models), tables.countries, tables.organizations,
                             OpenDefinition.OPEN_WEIGHTS)
    return units, attrs, s


def _row(result, group, versus, scope="maths"):
    t = result.table
    return t.loc[(t["scope"] == scope) & (t["group"] == group) & (t["versus"] == versus)
                 ].iloc[0]


def test_planted_country_lag_is_recovered_and_covered():
    units, attrs, s = _planted()
    result = group_gap(units, attrs, s)
    truth = LAG_DAYS / DAYS_PER_MONTH  # 2.99 months
    for group, versus in (("China · open", CLOSED), ("China", "US"), ("China", CLOSED)):
        row = _row(result, group, versus)
        assert row["lag_months"] == pytest.approx(truth, abs=1e-9), (group, versus)
        assert row["lag_months_ci_low"] <= truth <= row["lag_months_ci_high"]
        # the gap: 13 weeks of the trend, 0.004 * 13 = 5.2 points
        assert row["gap"] == pytest.approx(5.2, abs=1e-9)
        assert row["gap_ci_low"] <= 5.2 <= row["gap_ci_high"]
        assert row["status"] == "behind"
    # The US is the closed frontier: the same models, the same draws, so exactly level.
    us = _row(result, "US", CLOSED)
    assert us["lag_months"] == 0 and us["gap"] == 0
    assert us["lag_months_ci_low"] == us["lag_months_ci_high"] == 0
    best = result.best_open.set_index("group")
    assert best.loc["China · open", "lag_months"] == pytest.approx(truth)
    assert best.loc["China · open", "group_leader"] == "cn-39"
    # The leading lab now: OpenAI tops the benchmark.
    now = result.leaders.loc[result.leaders["date"] == s.as_of].iloc[0]
    assert (now["lab"], now["model"]) == ("OpenAI", "us-39")


def test_planted_lag_on_index_units():
    """The same planted lag on an index scope: levels per draw (row 0 central)."""
    rng = np.random.default_rng(0)
    ids, days, central = [], [], []
    models = []
    for w in range(30):
        for who, shift, access, country, org in (("us", 0, API, "US", "OpenAI"),
                                                 ("cn", LAG_DAYS / 7, OPEN, "CN", "Alibaba")):
            ids.append(f"{who}-{w}")
            days.append(START + 7 * w)
            central.append(100 + 0.5 * (w - shift))
            models.append((f"{who}-{w}", f"{who}-{w}", org, country, access))
    central = np.array(central)
    levels = np.vstack([central, central + 0.05 * rng.standard_normal((150, len(ids)))])
    unit = Unit("general", "general", "index", START + 7 * 29, np.array(ids),
                np.array(days, dtype=np.int64), levels)
    tables = attribute_tables()
    attrs = model_attributes(_models(models), tables.countries, tables.organizations,
                             OpenDefinition.OPEN_WEIGHTS)
    s = GroupSettings(as_of=from_day(START + 7 * 29), by="country-access", on="index")
    result = group_gap([unit], attrs, s)
    row = _row(result, "China · open", "US · closed", scope="general")
    truth = LAG_DAYS / DAYS_PER_MONTH
    assert row["lag_months"] == pytest.approx(truth)
    assert row["lag_months_ci_low"] <= truth <= row["lag_months_ci_high"]
    assert row["gap"] == pytest.approx(0.5 * 13)
    frontier = result.frontiers.query("group == 'China · open'").dropna(subset=["level"])
    assert frontier["level"].is_monotonic_increasing and len(frontier) > 3


def test_thin_group_gives_counts_not_numbers():
    units, attrs, s = _planted(n_draws=20, rest_models=2)
    result = group_gap(units, attrs, s)
    for versus in (CLOSED,):
        row = _row(result, "rest", versus)
        assert row["status"] == "too_few_models"
        assert row["n_group"] == 2 and row["n_versus"] == 40
        assert np.isnan(row["gap"]) and np.isnan(row["lag_months"])
        assert "needs 3" in row["note"]
    # A group thin everywhere gets no pairwise rows, only its counts against closed.
    assert not ((result.table["group"] == "rest") & (result.table["versus"] == "US")).any()
    # With three models it has numbers.
    units, attrs, s = _planted(n_draws=20, rest_models=3)
    row = _row(group_gap(units, attrs, s), "rest", CLOSED)
    assert row["status"] == "behind" and np.isfinite(row["lag_months"])


@st.composite
def _three_groups(draw):
    n = draw(st.integers(9, 16))
    days = draw(st.lists(st.integers(0, 400), min_size=n, max_size=n))
    scores = draw(st.lists(st.floats(0.0, 1.0, allow_nan=False), min_size=n, max_size=n))
    blocs = ["US", "CN", "FR"] * n
    return days, scores, blocs[:n]


@hsettings(max_examples=12, deadline=None)
@given(_three_groups())
def test_pairwise_antisymmetry(data):
    """gap(A, B) = -gap(B, A) and lag(A, B) = -lag(B, A), intervals mirrored."""
    days, scores, countries = data
    models = [(f"m{i}", f"m{i}", "Lab", c, OPEN if i % 2 else API)
              for i, c in enumerate(countries)]
    frame = pd.DataFrame({"model_id": [m[0] for m in models],
                          "release_date": [pd.Timestamp(from_day(START + d)) for d in days],
                          "score": scores, "benchmark": "b"})
    s = GroupSettings(as_of=from_day(START + 400), by="country", n_draws=20, seed=1,
                      min_models=1)
    units = benchmark_units(frame, pd.DataFrame({"benchmark": ["b"], "domain": ["d"]}), s)
    tables = attribute_tables()
    attrs = model_attributes(_models(models), tables.countries, tables.organizations,
                             OpenDefinition.OPEN_WEIGHTS)
    members = labels(attrs, "country")
    closed = pd.Series(attrs["access"].to_numpy() == "closed", index=attrs["model_id"])
    t = compare_groups(units, members, s, closed)[0].set_index(["group", "versus"])
    pairs = [(a, b) for a, b in t.index if b != CLOSED]
    assert pairs
    for a, b in pairs:
        x, y = t.loc[(a, b)], t.loc[(b, a)]
        for key in ("gap", "lag_months"):
            np.testing.assert_allclose(x[key], -y[key], atol=1e-9, equal_nan=True)
            np.testing.assert_allclose(x[f"{key}_ci_low"], -y[f"{key}_ci_high"], atol=1e-9,
                                       equal_nan=True)


def test_reviewed_tables_map_spellings_by_hand(tmp_path):
    tables = attribute_tables()
    models = _models([
        ("a", "a", "Alibaba", None, OPEN),  # no country: the lab's seat
        ("b", "b", "Z.ai (Zhipu AI)", "China", OPEN),
        ("c", "c", "NVIDIA,MIT", "United States of America,China", OPEN),
        ("d", "d", "Shanghai AI Lab", "Hong Kong,China", OPEN),
        ("e", "e", "[red]Lab[/red]", "[red]Land[/red]", API),  # not listed: unknown
        ("f", "f", "Mistral", "FR", "Unreleased")])
    attrs = model_attributes(models, tables.countries, tables.organizations,
                             OpenDefinition.OPEN_WEIGHTS).set_index("model_id")
    assert list(attrs["bloc"].fillna("?")) == ["China", "China", "mixed", "China", "?",
                                               "rest"]
    assert list(attrs["bloc_from"].fillna("?")) == ["lab", "country", "country", "country",
                                                    "?", "country"]
    assert list(attrs["lab"]) == ["Alibaba", "Zhipu AI", "NVIDIA,MIT", "Shanghai AI Lab",
                                  "[red]Lab[/red]", "Mistral AI"]
    assert pd.isna(attrs.loc["f", "access"])
    bad = tmp_path / "countries.csv"
    bad.write_text("value,code,bloc\nNarnia,NA,Europe\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"row 2, field 'bloc'"):
        read_countries(str(bad))


def test_bundled_estimates_inside_intervals_and_golden(bundled_db):
    from gaplens import api

    result = api.group_gap(db=bundled_db, by="country", n_draws=20)
    t = result.table.dropna(subset=["gap"])
    assert len(t) > 20
    for key in ("gap", "lag_months"):
        assert ((t[f"{key}_ci_low"] <= t[key]) & (t[key] <= t[f"{key}_ci_high"])).all()
    # Golden (as of 2026-04-16, open-weights; estimates do not depend on the draws):
    # science, read on GPQA diamond and HLE.
    row = _row(result, "China · open", CLOSED, scope="science")
    assert (row["group_leader"], row["versus_leader"]) == ("GLM-5", "GPT-5.4 Pro")
    assert row["lag_months"] == pytest.approx(5.306, abs=0.01)
    assert row["gap"] == pytest.approx(11.10, abs=0.01)


def test_sentence_states_a_lead_with_the_interval_of_the_lead():
    """A negative lag reads 'leads ... by x months' with the interval of x (estimate inside)."""
    from types import SimpleNamespace

    from gaplens.report.countries_text import countries_sentence

    row = dict(scope="general", versus=CLOSED, status="ahead", n_group=5,
               group_leader="[b]Open[/b]", versus_leader="Closed", lag_months=-2.0,
               lag_months_ci_low=-3.5, lag_months_ci_high=-0.5)
    table = pd.DataFrame([dict(row, group="China · open"),
                          dict(row, group="US · open", status="too_few_models",
                               lag_months=np.nan, n_group=1)])
    result = SimpleNamespace(table=table, settings=SimpleNamespace(as_of=dt.date(2026, 4, 16)),
                             leaders=pd.DataFrame(columns=["scope", "date", "lab", "model"]))
    text = countries_sentence(result)
    assert ("the best Chinese open model ([b]Open[/b]) leads the closed frontier (Closed) by "
            "2.0 months (90 % interval 0.5 to 3.5)") in text
    assert "the US open models are too few to read (1 with an index)" in text
