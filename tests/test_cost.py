"""What the gap costs (analysis/cost.py): planted price frontiers whose frontier, equal-price
gap and price ratio are worked out by hand, prices read from the right snapshot, models
without a price left out and counted, every estimate inside its interval, the commands'
bad input."""

from __future__ import annotations

import datetime as dt
import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings, strategies as st

from gaplens.analysis.cost import (AA, OPENROUTER, CostSettings, cheapest, compute_cost,
                                   cost_timeline, pareto, price_history, price_table,
                                   _prices_at)
from gaplens.analysis.gap import to_day
from gaplens.analysis.index_gap import Scope

AS_OF = dt.date(2026, 4, 16)

# The planted scope. Closed: C1 is the best (150 at $20, so P* = 20); C3 is dominated by C2
# (C2 is cheaper and better). Open: O3 is dominated by O2; O5 has no price, O6 is listed at
# 0, O7 is released after the date.
#   closed frontier: C4 (0.5, 130), C2 (2, 145), C1 (20, 150)
#   open frontier:   O4 (0.1, 120), O2 (0.4, 138), O1 (1.5, 142)
PLANTED = [  # name, group, level, price (None: no price signal), release
    ("C1", "closed", 150.0, 20.0, "2026-01-01"),
    ("C2", "closed", 145.0, 2.0, "2025-10-01"),
    ("C3", "closed", 140.0, 5.0, "2025-06-01"),
    ("C4", "closed", 130.0, 0.5, "2025-03-01"),
    ("O1", "open", 142.0, 1.5, "2026-02-01"),
    ("O2", "open", 138.0, 0.4, "2025-12-01"),
    ("O3", "open", 135.0, 0.8, "2025-11-01"),
    ("O4", "open", 120.0, 0.1, "2025-01-01"),
    ("O5", "open", 149.0, None, "2026-03-01"),
    ("O6", "open", 146.0, 0.0, "2026-03-01"),
    ("O7", "open", 155.0, 0.2, "2026-05-01"),
]


def planted_scope(draws: np.ndarray | None = None) -> Scope:
    names = np.array([p[0] for p in PLANTED], dtype=object)
    central = np.array([p[2] for p in PLANTED])
    levels = central[None, :] if draws is None else np.vstack([central[None, :], draws])
    return Scope("planted", "general", names, names,
                 np.array([to_day(p[4]) for p in PLANTED]),
                 np.array([p[1] for p in PLANTED], dtype=object), levels)


def planted_signals() -> pd.DataFrame:
    rows = [{"model_id": p[0], "signal": "aa.price_blended", "value": p[3],
             "as_of": pd.Timestamp("2026-04-10")} for p in PLANTED if p[3] is not None]
    return pd.DataFrame(rows)


def planted(within: float = 10.0, draws=None):
    signals = planted_signals()
    return compute_cost([planted_scope(draws)], price_table(signals, AS_OF),
                        CostSettings(as_of=AS_OF, within=within))


def test_planted_frontiers_by_hand():
    r = planted()
    front = r.frontiers
    assert front.loc[front["group"] == "closed", "name"].tolist() == ["C4", "C2", "C1"]
    assert front.loc[front["group"] == "open", "name"].tolist() == ["O4", "O2", "O1"]
    # Unpriced, zero-priced and not-yet-released models are no points at all.
    assert not set(r.points["name"]) & {"O5", "O6", "O7"}
    assert r.points["hosted"].tolist() == (r.points["group"] == "open").tolist()


def test_planted_equal_price_gap_by_hand():
    eq = planted().equal_price.set_index("at")
    full, tenth = eq.loc["closed frontier price"], eq.loc["a tenth of it"]
    # At $20: closed C1 (150), open O1 (142, the best open at $20 or less): 8 points.
    assert (full["price"], full["closed_model"], full["open_model"]) == (20.0, "C1", "O1")
    assert full["estimate"] == pytest.approx(8.0)
    # At $2: closed C2 (145), open O1 (142): 3 points.
    assert (tenth["price"], tenth["closed_model"], tenth["open_model"]) == (2.0, "C2", "O1")
    assert tenth["estimate"] == pytest.approx(3.0)
    assert tenth["open_level"] == pytest.approx(142.0)


@pytest.mark.parametrize("within, open_model, open_ratio, closed_model, closed_ratio", [
    (10.0, "O1", 1.5 / 20, "C2", 2 / 20),  # level >= 140: O1 ($1.5), C2 ($2; C3 costs $5)
    (12.0, "O2", 0.4 / 20, "C2", 2 / 20),  # level >= 138: O2 ($0.4)
    (5.0, None, math.nan, "C2", 2 / 20),  # level >= 145: no open model
    (0.0, None, math.nan, "C1", 1.0),  # only the frontier model itself
])
def test_planted_price_ratio_by_hand(within, open_model, open_ratio, closed_model,
                                     closed_ratio):
    pr = planted(within).price_ratio.set_index("group")
    if open_model is None:
        assert pd.isna(pr.loc["open", "model"]) and math.isnan(pr.loc["open", "estimate"])
        assert "no priced open model is within" in pr.loc["open", "note"]
    else:
        assert pr.loc["open", "model"] == open_model
        assert pr.loc["open", "estimate"] == pytest.approx(open_ratio)
    assert pr.loc["closed", "model"] == closed_model
    assert pr.loc["closed", "estimate"] == pytest.approx(closed_ratio)
    assert pr.loc["open", "level_needed"] == pytest.approx(150.0 - within)


def test_a_model_without_a_price_is_left_out_and_counted():
    m = planted().missing.set_index("group")
    # Open released by the date: O1..O6 (O7 comes later); O5 has no price, O6 is at 0.
    assert m.loc["open"][["n_models", "n_priced", "n_unpriced", "n_zero"]].tolist() == [
        6, 4, 1, 1]
    assert m.loc["closed"][["n_models", "n_priced", "n_unpriced", "n_zero"]].tolist() == [
        4, 4, 0, 0]
    # Had O6 been priced at zero, it would lead the open frontier at every budget.
    eq = planted().equal_price
    assert "O6" not in set(eq["open_model"])


def test_ratio_interval_counts_draws_with_no_model_in_reach():
    # 20 draws: all at the central levels, except O1 at 139 in 10 of them (below the 140
    # needed with X = 10, and O2 at 138 is too): no open model in reach in half the draws.
    central = np.array([p[2] for p in PLANTED])
    draws = np.repeat(central[None, :], 20, axis=0)
    draws[:10, 4] = 139.0
    pr = planted(10.0, draws).price_ratio.set_index("group")
    assert pr.loc["open", "estimate"] == pytest.approx(0.075)
    assert pr.loc["open", "share_none"] == pytest.approx(0.5)
    assert pr.loc["open", "ci_low"] == pytest.approx(0.075)
    assert math.isinf(pr.loc["open", "ci_high"])
    assert "in 10 of 20 draws" in pr.loc["open", "note"]
    # The equal-price gap's draws: C1 - O1 is 8 or 11.
    eq = planted(10.0, draws).equal_price.set_index("at").loc["closed frontier price"]
    assert (eq["ci_low"], eq["estimate"]) == (pytest.approx(8.0), pytest.approx(8.0))
    assert eq["ci_high"] == pytest.approx(11.0)


def test_pareto_ties_keep_one_point():
    price = np.array([1.0, 1.0, 2.0, 0.5])
    level = np.array([10.0, 10.0, 10.0, 5.0])
    assert pareto(price, level, np.array(["b", "a", "c", "d"])).tolist() == [
        False, True, False, True]


# --- prices as data ------------------------------------------------------------------------

def _signal(model, signal, value, as_of):
    return {"model_id": model, "signal": signal, "value": value, "as_of": pd.Timestamp(as_of)}


PRICE_SIGNALS = pd.DataFrame([
    _signal("A", "aa.price_blended", 10.0, "2026-04-10"),
    _signal("A", "aa.price_blended", 5.0, "2026-05-01"),
    # A later snapshot without the blend: 3:1 from input and output, (3*4 + 8) / 4 = 5.
    _signal("A", "aa.price_input", 4.0, "2026-05-08"),
    _signal("A", "aa.price_output", 12.0, "2026-05-08"),
    _signal("B", "openrouter_models.price_input", 1.0, "2026-04-01"),
    _signal("B", "openrouter_models.price_output", 5.0, "2026-04-01"),
    _signal("C", "aa.price_blended", 0.0, "2026-04-10"),  # listed at 0
    _signal("D", "aa.price_blended", 0.0, "2026-04-10"),  # at 0 on AA, priced on OpenRouter
    _signal("D", "openrouter_models.price_input", 2.0, "2026-04-01"),
    _signal("D", "openrouter_models.price_output", 2.0, "2026-04-01"),
    _signal("A", "aa.intelligence_index", 50.0, "2026-04-10"),  # not a price
])


@pytest.mark.parametrize("date, price, as_of, basis", [
    ("2026-04-09", None, None, None),  # before the first snapshot: no price
    ("2026-04-20", 10.0, "2026-04-10", "blended 3:1"),
    ("2026-05-01", 5.0, "2026-05-01", "blended 3:1"),
    ("2026-05-07", 5.0, "2026-05-01", "blended 3:1"),
    ("2026-06-01", 6.0, "2026-05-08", "blended 3:1 from input and output"),
])
def test_price_as_of_a_date_is_the_last_snapshot_at_or_before_it(date, price, as_of, basis):
    table = price_table(PRICE_SIGNALS, dt.date.fromisoformat(date)).set_index("model_id")
    if price is None:
        assert "A" not in table.index
        return
    row = table.loc["A"]
    assert row["price"] == pytest.approx(price)
    assert row["price_as_of"] == dt.date.fromisoformat(as_of)
    assert (row["price_basis"], row["price_source"]) == (basis, AA)


def test_price_sources_and_zero_listings():
    table = price_table(PRICE_SIGNALS, dt.date(2026, 6, 1)).set_index("model_id")
    assert table.loc["B", "price_source"] == OPENROUTER
    assert table.loc["B", "price"] == pytest.approx((3 * 1 + 5) / 4)
    assert math.isnan(table.loc["C", "price"]) and "listed at 0" in table.loc["C",
                                                                             "price_basis"]
    assert table.loc["D", "price_source"] == OPENROUTER  # a positive price first
    assert table.loc["D", "price"] == pytest.approx(2.0)
    # The timeline's fast path reads the same prices.
    dates = [dt.date(2026, 4, 9), dt.date(2026, 4, 20), dt.date(2026, 6, 1)]
    for date, lookup in zip(dates, _prices_at(price_history(PRICE_SIGNALS), dates)):
        expect = price_table(PRICE_SIGNALS, date)
        assert sorted(lookup) == sorted(expect["model_id"])
        for m, p in zip(expect["model_id"], expect["price"]):
            assert (math.isnan(p) and math.isnan(lookup[m])) or lookup[m] == pytest.approx(p)


def test_timeline_moves_with_the_price():
    # C1 halves its price on 2026-04-20: P* follows, and at P*/10 = $1 the open side loses
    # O1 ($1.5). O7 ($0.2, level 155) is released on 2026-05-01 and joins from then on.
    signals = pd.concat([planted_signals(), pd.DataFrame([
        _signal("C1", "aa.price_blended", 10.0, "2026-04-20")])], ignore_index=True)
    dates = [dt.date(2026, 4, 10), dt.date(2026, 4, 20), dt.date(2026, 5, 1)]
    tl = cost_timeline([planted_scope()], signals, dates, ci=0.9)
    tenth = tl.loc[tl["at"] == "a tenth of it"].set_index("price_as_of")
    full = tl.loc[tl["at"] == "closed frontier price"].set_index("price_as_of")
    assert tenth["price"].tolist() == pytest.approx([2.0, 1.0, 1.0])
    # At $1 on 04-20: closed C4 (130), open O2 (138): open leads by 8.
    assert tenth.loc[dates[1], ["closed_model", "open_model"]].tolist() == ["C4", "O2"]
    assert tenth.loc[dates[1], "estimate"] == pytest.approx(130 - 138)
    assert full.loc[dates[1], "estimate"] == pytest.approx(150 - 142)
    # From 05-01 O7 is the best open model at either budget.
    assert full.loc[dates[2], "open_model"] == "O7"
    assert full.loc[dates[2], "estimate"] == pytest.approx(150 - 155)


# --- every estimate inside its interval ------------------------------------------------------

@settings(max_examples=15, deadline=None)
@given(st.integers(0, 10_000), st.integers(3, 12), st.floats(0.0, 30.0))
def test_every_estimate_lies_inside_its_interval(seed, n, within):
    rng = np.random.default_rng(seed)
    central = rng.normal(140, 10, n)
    draws = central[None, :] + rng.normal(0, rng.uniform(0.1, 8), (20, n))
    names = np.array([f"m{i}" for i in range(n)], dtype=object)
    groups = np.array(["open", "closed"] * n, dtype=object)[:n]
    scope = Scope("s", "general", names, names, np.zeros(n, dtype=int), groups,
                  np.vstack([central[None, :], draws]))
    prices = pd.DataFrame({"model_id": names, "price": np.exp(rng.normal(0, 2, n)),
                           "price_input": np.nan, "price_output": np.nan,
                           "price_source": AA, "price_basis": "blended 3:1",
                           "price_as_of": AS_OF})
    r = compute_cost([scope], prices, CostSettings(as_of=AS_OF, within=within))
    for frame in (r.equal_price, r.price_ratio):
        shown = frame.dropna(subset=["estimate"])
        assert (shown["ci_low"] <= shown["estimate"] + 1e-9).all()
        assert (shown["estimate"] <= shown["ci_high"] + 1e-9).all()
    assert (r.points["level_ci_low"] <= r.points["level"] + 1e-9).all()
    assert (r.points["level"] <= r.points["level_ci_high"] + 1e-9).all()
    # Each frontier climbs: dearer models are better.
    for _, f in r.frontiers.groupby("group"):
        assert np.all(np.diff(f["level"].to_numpy()) > 0)
    table, _, _ = cheapest(scope, prices, AS_OF, within)
    if len(table):
        assert (table["behind"] <= within + 1e-9).all()
        assert (table["behind_ci_low"] <= table["behind"] + 1e-9).all()
        assert (table["behind"] <= table["behind_ci_high"] + 1e-9).all()
        assert np.all(np.diff(table["price"].to_numpy()) >= 0)


# --- the bundled data and the commands --------------------------------------------------------

def test_cheapest_on_the_bundled_index(fitted_db):
    from gaplens import api

    r = api.cheapest(within=10, open_only=True, db=fitted_db)
    # The general index as of the data's date (2026-04-16), prices of AA's 2026-04-10
    # snapshot: GPT-5.4 Pro ($67.5) leads; MiniMax-M2.5 ($0.525) is the cheapest open
    # model within 10 points.
    assert r.frontier_model == "GPT-5.4 Pro"
    first = r.table.iloc[0]
    assert first["name"] == "MiniMax-M2.5" and first["price"] == pytest.approx(0.525)
    assert first["ratio"] == pytest.approx(0.525 / 67.5)
    assert first["price_as_of"] == dt.date(2026, 4, 10) and bool(first["hosted"])
    assert int(r.missing["n_unpriced"].sum()) > 0


def test_cheapest_says_when_no_model_is_within_reach(capsys, fitted_db):
    from gaplens._cli.main import main

    # On coding the best open models are 5.6 (GLM-5) and 5.9 (Kimi K2.5) points below
    # Claude Opus 4.6: none is within 5, both are within 8.
    assert main(["cheapest", "--domain", "coding", "--within", "5", "--open", "--db",
                 fitted_db]) == 0
    out = capsys.readouterr().out
    assert "No priced open model is within 5 points of Claude Opus 4.6 on coding" in out
    assert main(["cheapest", "--domain", "coding", "--within", "8", "--open", "--db",
                 fitted_db]) == 0
    out = capsys.readouterr().out
    assert "GLM-5" in out and "No priced" not in out


@pytest.mark.parametrize("argv, message", [
    (["cost", "--domain", "nosuch"], "unknown domain 'nosuch'"),
    (["cheapest", "--within", "-1"], "--within must be at least 0"),
    (["cheapest", "--domain", "nosuch"], "unknown domain 'nosuch'"),
])
def test_bad_input_is_one_line(capsys, fitted_db, argv, message):
    from gaplens._cli.main import main

    code = main([*argv, "--db", fitted_db])
    err = capsys.readouterr().err
    assert code == 2 and err.startswith("error: ") and message in err
    assert len(err.strip().splitlines()) == 1


def test_the_report_carries_the_cost_of_each_definition(report_inputs, report_page):
    from gaplens.report.payload import _cost

    for item in report_inputs.definitions:
        block = _cost(item.cost)
        eq = pd.DataFrame(block["equal_price"]["rows"], columns=block["equal_price"]["columns"])
        general = eq.loc[eq["scope"] == "general"].iloc[0]
        assert general["closed_model"] == "GPT-5.4 Pro" and general["price"] == 67.5
        assert "points behind" in block["sentences"]["general"]
        assert len(block["timeline"]["rows"]) > 0
    with open(report_page, encoding="utf-8") as handle:
        page = handle.read()
    assert 'id: "cost"' in page and '<a href="#cost">' in page


def test_csv_of_cost_holds_both_readings_and_the_sentence_their_numbers():
    from gaplens._cli.cost_cmds import cost_summary, percent
    from gaplens.analysis.cost import cost_sentence

    r = planted()
    table = cost_summary(r)
    assert table["measure"].value_counts().tolist() == [2, 2]
    ratio = table.loc[(table["measure"] == "price ratio at equal capability")
                      & (table["group"] == "open")].iloc[0]
    assert (ratio["model"], ratio["reference_price"]) == ("O1", 20.0)
    assert ratio["estimate"] == pytest.approx(0.075)
    assert (percent(0.075), percent(1.0), percent(math.inf)) == ("7.5%", "100%", "none")
    text = cost_sentence(r, "planted")
    assert "(C1, $20 per million tokens) the best open model (O1) is 8.0 points behind" in text
    assert "at a tenth of it ($2) the gap is 3.0" in text and "O1, costs 7.5% of its" in text
    assert "2 of the 10 open and closed models have no price" in text
