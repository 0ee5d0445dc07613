"""Known-answer and property tests for the open-vs-closed gap on the capability index
(gaplens.analysis.index_gap), on hand-built scopes.

The layout used throughout (days since 1970-01-01, central levels):

    closed  C1  day   0  level 100        open  O1  day 200  level 110
    closed  C2  day 300  level 120        open  O2  day 400  level 118

read as of day 400 (1971-02-05). Every expected number below is worked out by hand in
the comments, with one month = 365.2425 / 12 days.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings as hsettings, strategies as st

from gaplens.analysis.index_gap import (
    IndexGapSettings,
    Scope,
    Steps,
    days_of,
    index_gap,
    interval,
    read_at,
    scope_gap,
    threshold_window,
)

MONTH = 365.2425 / 12  # days
AS_OF = dt.date(1971, 2, 5)  # day 400
NAMES = np.array(["C1", "O1", "C2", "O2"])
DAYS = np.array([0, 200, 300, 400])
CENTRAL = np.array([100.0, 110.0, 120.0, 118.0])
GROUPS = np.array(["closed", "open", "closed", "open"], dtype=object)
SWAPPED = np.array(["open", "closed", "open", "closed"], dtype=object)


def make_scope(c2_shift: np.ndarray, groups=GROUPS, name: str = "general") -> Scope:
    """Central row, then one draw per entry of ``c2_shift`` in which only C2 moves."""
    draws = np.tile(CENTRAL, (len(c2_shift), 1))
    draws[:, 2] += c2_shift
    levels = np.vstack([CENTRAL[None, :], draws])
    return Scope(name, "general", NAMES.copy(), NAMES.copy(), DAYS.copy(), groups, levels)


def custom_scope(models: list[tuple[str, str, int, float]], shifts: dict[str, np.ndarray],
                 n_draws: int = 21) -> Scope:
    """A scope from (name, group, day, central level); ``shifts[name]`` moves one model's
    level in the draws (the others keep their central level in every draw)."""
    names = np.array([m[0] for m in models])
    central = np.array([m[3] for m in models])
    draws = np.tile(central, (n_draws, 1))
    for name, shift in shifts.items():
        draws[:, list(names).index(name)] += shift
    return Scope("general", "general", names, names, np.array([m[2] for m in models]),
                 np.array([m[1] for m in models], dtype=object),
                 np.vstack([central[None, :], draws]))


def settings(windows=(6,), ci=0.90, timeline=6, min_models=1, as_of=AS_OF) -> IndexGapSettings:
    return IndexGapSettings(as_of=as_of, open_definition="open-weights", windows=windows,
                            ci=ci, timeline_months=timeline, min_models=min_models)


# Narrow draws: C2 in [119, 121], so C2 - O2 lies in [1, 3] in every draw (significant).
NARROW = np.linspace(-1.0, 1.0, 21)
# Wide draws: C2 in [110, 130], C2 - O2 in [-8, 12] (not significant at 90%).
WIDE = np.linspace(-10.0, 10.0, 21)


def test_days_of_counts_days_since_1970():
    assert days_of(["1970-01-01", "1970-08-05", "1971-02-05"]).tolist() == [0, 216, 400]


def test_plain_gap_lag_and_leaders_by_hand():
    row, _ = scope_gap(make_scope(NARROW), settings())
    assert row["scope"] == "general" and row["n_open"] == 2 and row["n_closed"] == 2
    assert row["status"] == "ok"
    # As of day 400: open frontier max(110, 118) = 118 (O2), closed max(100, 120) = 120 (C2).
    assert row["open_leader"] == "O2" and row["closed_leader"] == "C2"
    assert row["open_level"] == pytest.approx(118.0)
    assert row["closed_level"] == pytest.approx(120.0)
    assert row["gap"] == pytest.approx(2.0)
    # The closed frontier first reached 118 on day 300 (C2): 100 days behind.
    assert row["lag_months"] == pytest.approx(100 / MONTH)
    assert row["lag_months"] == pytest.approx(3.28549, abs=1e-5)


def test_gap_interval_from_paired_draws_of_the_leaders_by_hand():
    row, _ = scope_gap(make_scope(NARROW), settings())
    # Per draw the gap is (120 + e) - 118 = 2 + e with e = -1, -0.9, ..., 1 (21 values):
    # the 5 % quantile sits at position 1 (1.1), the 95 % one at position 19 (2.9).
    assert row["gap_ci_low"] == pytest.approx(1.1)
    assert row["gap_ci_high"] == pytest.approx(2.9)
    assert row["gap_failed_draws"] == 0
    assert row["closed_level_ci_low"] == pytest.approx(119.1)
    assert row["open_level_ci_low"] == row["open_level_ci_high"] == pytest.approx(118.0)
    # C2 stays above 118 in every draw, so the closed frontier first reached the open
    # level on day 300 in every draw: the lag has no spread.
    assert row["lag_months_ci_low"] == pytest.approx(100 / MONTH)
    assert row["lag_months_ci_high"] == pytest.approx(100 / MONTH)


def test_gap_interval_is_not_one_sided_when_many_models_sit_near_the_top():
    # Ten closed models released on day 300 all at 120 (C* the first, a tie), each with its
    # own noise of sd 1 in the draws; one open model at 110. A maximum over the ten per
    # draw would sit near 120 + 1.5 in every draw and exclude the estimate 10; the draws of
    # the central leader are centred on it.
    rng = np.random.default_rng(0)
    models = [("O", "open", 100, 110.0)] + [(f"C{j}", "closed", 300, 120.0) for j in range(10)]
    noise = {f"C{j}": rng.normal(0, 1, 400) for j in range(10)}
    row, _ = scope_gap(custom_scope(models, noise, n_draws=400),
                       settings(as_of=dt.date(1971, 1, 1)))
    assert row["gap"] == pytest.approx(10.0)
    assert row["gap_ci_low"] < 9.0 < 11.0 < row["gap_ci_high"]
    per_draw_max = np.quantile(np.max(np.vstack(list(noise.values())), axis=0), 0.05)
    assert per_draw_max > 0.5  # the biased construction: estimate below the interval


def test_window_mean_of_the_monthly_lag_by_hand():
    row, timeline = scope_gap(make_scope(NARROW), settings(windows=(6,)))
    # Months T-6 .. T are the 5th of Aug 1970 .. Feb 1971 = days 216, 247, 277, 308, 338,
    # 369, 400. Before day 300 open (110) leads closed (100) and has held that level since
    # day 200: lags -16, -47, -77. From day 300 closed (120) leads and first reached the
    # open level (110, then 118) on day 300: lags 8, 38, 69, 100. Mean 75 / 7 days.
    assert row["mean_lag_6m"] == pytest.approx(75 / 7 / MONTH)
    assert row["mean_lag_6m_ci_low"] == pytest.approx(75 / 7 / MONTH)
    assert row["mean_lag_6m_ci_high"] == pytest.approx(75 / 7 / MONTH)
    # Narrow draws: every step above the open level is significant, so the significance
    # variant equals the plain lag month by month.
    assert row["mean_lag_sig_6m"] == pytest.approx(75 / 7 / MONTH)
    assert len(timeline) == 7
    assert [m.isoformat() for m in timeline["month"]][:2] == ["1970-08-05", "1970-09-05"]
    assert timeline["lag_months"].to_numpy() * MONTH == pytest.approx(
        [-16, -47, -77, 8, 38, 69, 100])
    assert timeline["n_open"].tolist() == [1, 1, 1, 1, 1, 1, 2]
    first = timeline.iloc[0]
    assert first["gap"] == pytest.approx(100 - 110)
    assert first["open_leader"] == "O1" and first["closed_leader"] == "C1"


def test_significance_window_mean_by_hand_with_wide_draws():
    row, timeline = scope_gap(make_scope(WIDE), settings(windows=(6,)))
    # Days 216-277: open leads; its only step O1 is 10 above C1 in every draw: significant,
    # so the open frontier was not above C1 before O1 (day 200): -16, -47, -77 as plain.
    # Days 308-369: C2 - O1 = 10 + e, e in [-10, 10]; 5 % quantile 1 > 0, margin 9,
    # central 10 > 9: significant, so 8, 38, 69 as plain. Day 400: C2 - O2 = 2 + e, 5 %
    # quantile -7: not significant, the closed leader is where open is now: 0.
    assert timeline["lag_sig_months"].to_numpy() * MONTH == pytest.approx(
        [-16, -47, -77, 8, 38, 69, 0])
    assert row["mean_lag_sig_6m"] == pytest.approx(-25 / 7 / MONTH)
    assert row["mean_lag_6m"] == pytest.approx(75 / 7 / MONTH)
    assert row["mean_lag_sig_6m_ci_low"] <= row["mean_lag_sig_6m"] <= \
        row["mean_lag_sig_6m_ci_high"]


def test_significance_variant_equals_plain_when_the_step_is_significant():
    # Narrow draws: C2 - O2 in [1, 3]: 5 % quantile 1.1 > 0, C2 significantly above O2.
    # Every earlier step (C1 at 100) is below 118 and not significantly above: the closed
    # frontier "was where open is now" until C2 (day 300): 100 days, as the plain lag.
    row, _ = scope_gap(make_scope(NARROW), settings())
    assert row["lag_sig_months"] == pytest.approx(100 / MONTH)
    assert row["lag_sig_months"] <= row["lag_months"]


def test_significance_variant_is_zero_when_the_closed_leader_is_not_significantly_above():
    # Wide draws: C2 - O2 = 2 + e, e in [-10, 10]; its 5 % quantile is -7 <= 0, so the
    # closed frontier today is not significantly above the open one: lag_sig = 0.
    row, _ = scope_gap(make_scope(WIDE), settings())
    assert row["lag_sig_months"] == 0.0
    assert row["lag_months"] == pytest.approx(100 / MONTH)


def test_a_closed_jump_far_past_the_open_level_does_not_lengthen_the_variant():
    # C1 (day 0) at 117 is 1 below the open leader O (day 400, 118); C2 (day 300) jumps to
    # 150. Plain: closed first reached 118 on day 300: 100 days. The variant goes back no
    # further than the step that is significantly above (C2): also 100 days. (Dating the
    # matched level at the start of C1's plateau would give 400 days.)
    models = [("C1", "closed", 0, 117.0), ("O0", "open", 50, 90.0),
              ("C2", "closed", 300, 150.0), ("O", "open", 400, 118.0)]
    row, _ = scope_gap(custom_scope(models, {"C1": NARROW, "C2": NARROW}), settings())
    assert row["lag_months"] == pytest.approx(100 / MONTH)
    assert row["lag_sig_months"] == pytest.approx(100 / MONTH)


def test_a_step_not_significantly_above_shortens_the_variant():
    # C2 (day 100) at 119 passes the open leader (118) by 1 with wide draws (not
    # significant); C3 (day 300) at 130 is significantly above. Plain: first >= 118 is C2,
    # 300 days. Variant: the closed frontier was "where open is now" until C3: 100 days.
    models = [("C1", "closed", 0, 100.0), ("O0", "open", 50, 90.0),
              ("C2", "closed", 100, 119.0), ("C3", "closed", 300, 130.0),
              ("O", "open", 400, 118.0)]
    row, _ = scope_gap(custom_scope(models, {"C2": WIDE, "C3": NARROW}), settings())
    assert row["lag_months"] == pytest.approx(300 / MONTH)
    assert row["lag_sig_months"] == pytest.approx(100 / MONTH)
    # threshold crossing at 118: open on day 400, closed on day 100: 300 days as well
    assert row["lag_threshold_months"] == pytest.approx(300 / MONTH)


def test_threshold_point_does_not_grow_while_open_stalls():
    # As of day 500 (1971-05-16): plain = 500 - 300 = 200 days; the threshold lag at the
    # open level 118 is (open reached it on day 400) - (closed on day 300) = 100 days.
    row, _ = scope_gap(make_scope(NARROW), settings(as_of=dt.date(1971, 5, 16)))
    assert row["lag_months"] == pytest.approx(200 / MONTH)
    assert row["lag_threshold_months"] == pytest.approx(100 / MONTH)


def test_threshold_window_by_hand():
    # Window (250, 430]: at day 250 the frontiers are open 110 and closed 100; at 430 open
    # 118 and closed 120. Levels not reached by both at the start and reached by one by the
    # end: (100, 120], minus those at or below a group's first model (open starts at 110):
    # 110.5, 111, ..., 120 = 20 levels. 110.5-118 (16 levels): open on day 400, closed on
    # day 300: 100 days each. 118.5-120 (4 levels): open not yet, censored at
    # 430 - 300 = 130. Mean (16 * 100 + 4 * 130) / 20 = 106 days, 20 % censored.
    scope = make_scope(NARROW)
    mean, share = threshold_window(Steps.of(scope, "open"), Steps.of(scope, "closed"), 250, 430)
    assert mean[0] == pytest.approx(106.0)
    assert share == pytest.approx(0.2)


def test_sign_flips_when_open_leads():
    plain, _ = scope_gap(make_scope(NARROW), settings())
    swapped, _ = scope_gap(make_scope(NARROW, groups=SWAPPED), settings())
    assert swapped["open_leader"] == "C2" and swapped["closed_leader"] == "O2"
    assert swapped["gap"] == pytest.approx(-2.0)
    assert swapped["lag_months"] == pytest.approx(-100 / MONTH)
    assert swapped["mean_lag_6m"] == pytest.approx(-plain["mean_lag_6m"])
    assert swapped["lag_sig_months"] == pytest.approx(-plain["lag_sig_months"])
    assert swapped["gap_ci_low"] == pytest.approx(-plain["gap_ci_high"])


def test_significance_needs_draws():
    scope = make_scope(np.array([]))
    row, _ = scope_gap(scope, settings())
    assert row["gap"] == pytest.approx(2.0)
    assert np.isnan(row["lag_sig_months"])
    assert np.isnan(row["gap_ci_low"]) and np.isnan(row["gap_ci_high"])


def test_window_reaching_before_the_data_gets_a_note():
    # 12 months back is day 35, before any open model (day 200 = 1970-07-20): every
    # 12-month mean is missing and the note says why and from when.
    row, _ = scope_gap(make_scope(NARROW), settings(windows=(6, 12)))
    assert np.isfinite(row["mean_lag_6m"])
    for key in ("mean_lag_12m", "mean_lag_sig_12m", "mean_lag_threshold_12m"):
        assert np.isnan(row[key]), key
    assert row["data_from"] == dt.date(1970, 7, 20)
    assert "12-month window starts 1970-02-05" in row["note"]
    assert "from 1970-07-20" in row["note"]


def test_counts_respect_the_reading_date():
    # As of day 250 (1970-09-08) only C1 and O1 exist: counts 1 and 1, not 2 and 2.
    row, _ = scope_gap(make_scope(NARROW), settings(as_of=dt.date(1970, 9, 8)))
    assert (row["n_open"], row["n_closed"]) == (1, 1)
    assert row["gap"] == pytest.approx(-10.0)


def test_fewer_than_min_models_shows_counts_only():
    scope = make_scope(NARROW)
    row, timeline = scope_gap(scope, settings(min_models=3))
    assert row["status"] == "too_few_models"
    assert (row["n_open"], row["n_closed"]) == (2, 2)
    for key in ("gap", "lag_months", "lag_sig_months", "lag_threshold_months",
                "mean_lag_6m", "open_level"):
        assert np.isnan(row[key]), key
    assert row["open_leader"] is None
    assert "fewer than 3" in row["note"] and "counts only" in row["note"]
    assert timeline["lag_months"].isna().all() and timeline["n_open"].iloc[-1] == 2
    ok, tl = scope_gap(scope, settings(min_models=2))
    assert ok["status"] == "ok" and np.isfinite(ok["gap"])
    # months with one model per group are counts only at min_models 2
    assert tl["lag_months"].isna().tolist() == [True] * 6 + [False]


def test_scope_without_open_models_shows_counts_with_a_warning():
    good = make_scope(NARROW)
    closed_only = make_scope(NARROW, groups=np.array(["closed"] * 4, dtype=object),
                             name="maths")
    result = index_gap([good, closed_only], settings(), warnings=("earlier note",))
    assert result.table["scope"].tolist() == ["general", "maths"]
    maths = result.table.set_index("scope").loc["maths"]
    assert maths["status"] == "too_few_models" and maths["n_open"] == 0
    assert maths["n_closed"] == 4 and np.isnan(maths["gap"])
    assert result.warnings[0] == "earlier note"
    assert any(w.startswith("maths:") and "0 open" in w for w in result.warnings)


def test_models_outside_both_groups_are_ignored():
    groups = np.array(["closed", "open", "closed", "open", None], dtype=object)
    names = np.append(NAMES, "U")
    levels = np.hstack([np.vstack([CENTRAL, CENTRAL]), np.array([[500.0], [500.0]])])
    scope = Scope("general", "general", names, names, np.append(DAYS, 100), groups, levels)
    row, _ = scope_gap(scope, settings())
    assert row["gap"] == pytest.approx(2.0)
    assert row["n_open"] == 2 and row["n_closed"] == 2


def with_weak_closed_model(scope: Scope, day: int = 350, level: float = 90.0) -> Scope:
    """The same scope plus a closed model 'C3' that never reaches the closed frontier."""
    extra = np.full((scope.levels.shape[0], 1), level)
    names = np.append(scope.names, "C3")
    return Scope(scope.name, scope.mode, names, names, np.append(scope.days, day),
                 np.append(scope.groups, "closed").astype(object),
                 np.hstack([scope.levels, extra]))


def test_a_model_below_the_frontier_changes_no_statistic_but_the_count():
    for draws in (NARROW, WIDE):
        base, base_tl = scope_gap(make_scope(draws), settings())
        more, more_tl = scope_gap(with_weak_closed_model(make_scope(draws)), settings())
        assert more["n_closed"] == base["n_closed"] + 1
        for key in base:
            if key != "n_closed":
                assert more[key] == base[key] or (pd.isna(more[key]) and pd.isna(base[key])), key
        assert (more_tl["n_closed"] - base_tl["n_closed"]).tolist() == [0, 0, 0, 0, 0, 1, 1]
        pd.testing.assert_frame_equal(base_tl.drop(columns="n_closed"),
                                      more_tl.drop(columns="n_closed"))


# --- properties on random data --------------------------------------------------------------

@st.composite
def random_scopes(draw):
    n = draw(st.integers(4, 14))
    seed = draw(st.integers(0, 2**31 - 1))
    rng = np.random.default_rng(seed)
    days = np.sort(rng.integers(0, 900, n))
    groups = np.array(["open", "closed"] * n, dtype=object)[:n]
    rng.shuffle(groups)
    groups[0], groups[1] = "open", "closed"  # both groups exist
    central = 100 + days / 20 + rng.normal(0, 6, n)
    sd = rng.uniform(0.2, 6, n)
    draws = central + rng.normal(0, 1, (draw(st.integers(5, 60)), n)) * sd
    names = np.array([f"m{j}" for j in range(n)])
    return Scope("general", "general", names, names, days.astype(np.int64), groups,
                 np.vstack([central[None, :], draws]))


@given(random_scopes(), st.integers(0, 1000))
@hsettings(max_examples=150, deadline=None)
def test_significance_lag_never_exceeds_the_plain_lag(scope, day):
    reading = read_at(Steps.of(scope, "open"), Steps.of(scope, "closed"), day, 0.9)
    if reading is None:
        return
    lag, sig, thr = reading.lag, reading.lag_sig, reading.lag_threshold
    ok = np.isfinite(lag) & np.isfinite(sig)
    # it shrinks the lag towards zero, in every draw as well as centrally
    assert np.all(np.abs(sig[ok]) <= np.abs(lag[ok]) + 1e-9)
    assert np.all(sig[ok] * lag[ok] >= 0)
    behind = ok & (reading.open_level < reading.closed_level)
    ahead = ok & (reading.open_level > reading.closed_level)
    assert np.all(lag[behind] >= 0) and np.all(lag[ahead] <= 0)
    assert np.all(sig[behind] <= lag[behind] + 1e-9)
    # threshold crossing at the level both reached is never further from zero than the
    # plain lag on the side of the group that leads
    assert np.all(thr[behind] <= lag[behind] + 1e-9)
    assert np.all(thr[ahead] >= lag[ahead] - 1e-9)


@given(random_scopes(), st.integers(300, 1000), st.sampled_from([(3,), (6, 12)]))
@hsettings(max_examples=60, deadline=None)
def test_every_estimate_lies_inside_its_interval(scope, day, windows):
    as_of = dt.date(1970, 1, 1) + dt.timedelta(days=day)
    row, timeline = scope_gap(scope, settings(windows=windows, min_models=1, as_of=as_of,
                                              timeline=3))
    for key, value in row.items():
        if f"{key}_ci_low" in row and pd.notna(value) and pd.notna(row[f"{key}_ci_low"]):
            assert row[f"{key}_ci_low"] <= value <= row[f"{key}_ci_high"], key
    for point in timeline.to_dict(orient="records"):
        for key, name in (("gap", "gap"), ("lag_months", "lag"), ("lag_sig_months", "lag_sig"),
                          ("lag_threshold_months", "lag_threshold")):
            if pd.notna(point[key]) and pd.notna(point[f"{name}_ci_low"]):
                assert point[f"{name}_ci_low"] <= point[key] <= point[f"{name}_ci_high"]


def test_planted_gap_interval_covers_the_truth_on_both_sides():
    # Planted truth: 6 open and 6 closed models with known levels; the fit's estimate is
    # the truth plus noise (sd 1.5), and its bootstrap draws scatter around the estimate
    # with the same sd. Over 300 replications the 90 % interval of the gap should cover
    # the true gap about 90 % of the time, missing on both sides.
    rng = np.random.default_rng(7)
    true = np.array([100, 108, 115, 121, 126, 130, 104, 112, 119, 125, 131, 136.0])
    groups = np.array(["open"] * 6 + ["closed"] * 6, dtype=object)
    days = np.array([0, 100, 200, 300, 400, 500, 10, 110, 210, 310, 410, 510])
    true_gap = true[6:].max() - true[:6].max()
    below = above = 0
    reps = 300
    for _ in range(reps):
        central = true + rng.normal(0, 1.5, 12)
        draws = central + rng.normal(0, 1.5, (200, 12))
        names = np.array([f"m{j}" for j in range(12)])
        scope = Scope("general", "general", names, names, days, groups,
                      np.vstack([central[None, :], draws]))
        reading = read_at(Steps.of(scope, "open"), Steps.of(scope, "closed"), 600, 0.9)
        low, high, _, _ = interval(reading.gap, 0.9)
        below += true_gap < low
        above += true_gap > high
    coverage = 1 - (below + above) / reps
    assert 0.82 <= coverage <= 0.97
    assert below > 0 and above > 0


# --- on the bundled data (default fit, 100 draws) ---------------------------------------------

def test_counts_respect_at_on_the_bundled_data(fitted_db):
    from gaplens import api

    # Before: 86 open / 73 closed at any date. As of 2024-06-30 only the models released by
    # then count (the fit holds 177 models; 80 existed then).
    table = api.index(db=fitted_db).table
    released = pd.to_datetime(table["release_date"]) <= pd.Timestamp("2024-06-30")
    past = api.index_gap(db=fitted_db, as_of="2024-06-30", domains=[]).table.iloc[0]
    now = api.index_gap(db=fitted_db, domains=[]).table.iloc[0]
    for group in ("open", "closed"):
        assert past[f"n_{group}"] == int(((table["group"] == group) & released).sum())
        assert now[f"n_{group}"] == int((table["group"] == group).sum())
    assert past["n_open"] + past["n_closed"] < now["n_open"] + now["n_closed"]


def test_general_index_three_lags_on_the_bundled_data(fitted_db):
    from gaplens import api

    result = api.index_gap(db=fitted_db, domains=[])
    general = result.table.iloc[0]
    # golden central values (draw-independent): Kimi K2.5 148.4 against GPT-5.4 Pro
    # 157.8; GPT-5 (Aug 2025, 150 by definition) first reached Kimi's level: 8.28 months.
    assert general["lag_months"] == pytest.approx(8.28, abs=0.01)
    assert general["lag_threshold_months"] == pytest.approx(5.68, abs=0.01)
    assert general["lag_sig_months"] <= general["lag_months"]
    for w in (12, 24):
        assert general[f"mean_lag_sig_{w}m"] <= general[f"mean_lag_{w}m"]
    for key in general.index:
        low = f"{key}_ci_low"
        if low in general.index and pd.notna(general[key]):
            assert general[low] <= general[key] <= general[f"{key}_ci_high"], key
    # the gap's interval is no longer one-sided: the estimate is strictly inside
    assert general["gap_ci_low"] < general["gap"] < general["gap_ci_high"]


def test_min_models_on_the_bundled_data(fitted_db):
    from gaplens import api

    table = api.index_gap(db=fitted_db, min_models=3).table.set_index("scope")
    science = table.loc["science"]  # 2 open models with a science index
    assert science["status"] == "too_few_models" and science["n_open"] == 2
    assert pd.isna(science["gap"]) and pd.isna(science["lag_months"])
    loose = api.index_gap(db=fitted_db, domains=["science"], min_models=2).table
    assert loose.set_index("scope").loc["science", "status"] == "ok"
