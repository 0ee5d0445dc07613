"""Known-answer tests for the open-vs-closed gap on the capability index
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

from gaplens.analysis.index_gap import IndexGapSettings, Scope, days_of, index_gap, scope_gap

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


def settings(windows=(6,), ci=0.90, timeline=6) -> IndexGapSettings:
    return IndexGapSettings(as_of=AS_OF, open_definition="open-weights", windows=windows,
                            ci=ci, timeline_months=timeline)


# Narrow draws: C2 in [119, 121], so C2 - O2 lies in [1, 3] in every draw (significant).
NARROW = np.linspace(-1.0, 1.0, 21)
# Wide draws: C2 in [110, 130], C2 - O2 in [-8, 12] (not significant at 90%).
WIDE = np.linspace(-10.0, 10.0, 21)


def test_days_of_counts_days_since_1970():
    assert days_of(["1970-01-01", "1970-08-05", "1971-02-05"]).tolist() == [0, 216, 400]


def test_plain_gap_lag_and_leaders_by_hand():
    row, _ = scope_gap(make_scope(NARROW), settings())
    assert row["scope"] == "general" and row["n_open"] == 2 and row["n_closed"] == 2
    # As of day 400: open frontier max(110, 118) = 118 (O2), closed max(100, 120) = 120 (C2).
    assert row["open_leader"] == "O2" and row["closed_leader"] == "C2"
    assert row["open_level"] == pytest.approx(118.0)
    assert row["closed_level"] == pytest.approx(120.0)
    assert row["gap"] == pytest.approx(2.0)
    # The closed frontier first reached 118 on day 300 (C2): 100 days behind.
    assert row["lag_months"] == pytest.approx(100 / MONTH)
    assert row["lag_months"] == pytest.approx(3.28549, abs=1e-5)


def test_gap_interval_from_paired_draws_by_hand():
    row, _ = scope_gap(make_scope(NARROW), settings())
    # Per draw the gap is (120 + e) - 118 = 2 + e with e = -1, -0.9, ..., 1 (21 values):
    # the 5 % quantile sits at position 1 (1.1), the 95 % one at position 19 (2.9).
    assert row["gap_ci_low"] == pytest.approx(1.1)
    assert row["gap_ci_high"] == pytest.approx(2.9)
    assert row["gap_failed_draws"] == 0
    # C2 stays above 118 in every draw, so the closed frontier first reached the open
    # level on day 300 in every draw: the lag has no spread.
    assert row["lag_months_ci_low"] == pytest.approx(100 / MONTH)
    assert row["lag_months_ci_high"] == pytest.approx(100 / MONTH)


def test_window_mean_of_the_monthly_lag_by_hand():
    row, timeline = scope_gap(make_scope(NARROW), settings(windows=(6,)))
    # Months T-6 .. T are the 5th of Aug 1970 .. Feb 1971 = days 216, 247, 277, 308, 338,
    # 369, 400. Before day 300 open (110) leads closed (100) and has held that level since
    # day 200: lags -16, -47, -77. From day 300 closed (120) leads and first reached the
    # open level (110, then 118) on day 300: lags 8, 38, 69, 100. Mean 75 / 7 days.
    assert row["mean_lag_6m"] == pytest.approx(75 / 7 / MONTH)
    assert row["mean_lag_6m_ci_low"] == pytest.approx(75 / 7 / MONTH)
    assert row["mean_lag_6m_ci_high"] == pytest.approx(75 / 7 / MONTH)
    assert len(timeline) == 7
    assert [m.isoformat() for m in timeline["month"]][:2] == ["1970-08-05", "1970-09-05"]
    assert timeline["lag_months"].to_numpy() * MONTH == pytest.approx(
        [-16, -47, -77, 8, 38, 69, 100])
    first = timeline.iloc[0]
    assert first["gap"] == pytest.approx(100 - 110)
    assert first["open_leader"] == "O1" and first["closed_leader"] == "C1"


def test_window_reaching_before_the_first_open_model_is_missing_not_partial():
    # 12 months back is day 35, before any open model: the lag there is undefined, so
    # the 12-month mean is NaN rather than a mean over the months that exist.
    row, _ = scope_gap(make_scope(NARROW), settings(windows=(6, 12)))
    assert np.isfinite(row["mean_lag_6m"])
    assert np.isnan(row["mean_lag_12m"])


def test_sign_flips_when_open_leads():
    plain, _ = scope_gap(make_scope(NARROW), settings())
    swapped, _ = scope_gap(make_scope(NARROW, groups=SWAPPED), settings())
    assert swapped["open_leader"] == "C2" and swapped["closed_leader"] == "O2"
    assert swapped["gap"] == pytest.approx(-2.0)
    assert swapped["lag_months"] == pytest.approx(-100 / MONTH)
    assert swapped["mean_lag_6m"] == pytest.approx(-plain["mean_lag_6m"])
    assert swapped["lag_sig_months"] == pytest.approx(-plain["lag_sig_months"])
    assert swapped["gap_ci_low"] == pytest.approx(-plain["gap_ci_high"])


def test_significance_variant_goes_back_when_the_closed_lead_is_significant():
    # Narrow draws: C2 - O2 >= 1 in every draw, so O2 is significantly below C2 and has
    # only caught up with C1 (100, day 0): lag_sig = 400 days, longer than the plain 100.
    row, _ = scope_gap(make_scope(NARROW), settings())
    assert row["lag_sig_months"] == pytest.approx(400 / MONTH)


def test_significance_variant_stops_at_a_level_not_significantly_above():
    # Wide draws: C2 - O2 = 2 + e, e in [-10, 10]; its 5 % quantile is 2 - 9 = -7 <= 0, so
    # O2 has caught up with C2 (day 300): lag_sig = 100 days, equal to the plain lag.
    row, _ = scope_gap(make_scope(WIDE), settings())
    assert row["lag_sig_months"] == pytest.approx(100 / MONTH)
    assert row["lag_months"] == pytest.approx(100 / MONTH)


def test_significance_needs_draws():
    scope = make_scope(np.array([]))
    row, _ = scope_gap(scope, settings())
    assert row["gap"] == pytest.approx(2.0)
    assert np.isnan(row["lag_sig_months"])
    assert np.isnan(row["gap_ci_low"]) and np.isnan(row["gap_ci_high"])


def test_scope_without_open_models_is_skipped_with_a_warning():
    good = make_scope(NARROW)
    closed_only = make_scope(NARROW, groups=np.array(["closed"] * 4, dtype=object),
                             name="maths")
    result = index_gap([good, closed_only], settings(), warnings=("earlier note",))
    assert result.table["scope"].tolist() == ["general"]
    assert set(result.timeline["scope"]) == {"general"}
    assert result.warnings[0] == "earlier note"
    assert any(w.startswith("maths:") and "no open" in w for w in result.warnings)


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


def test_a_model_below_the_frontier_changes_no_plain_statistic():
    for draws in (NARROW, WIDE):
        base, base_tl = scope_gap(make_scope(draws), settings())
        more, more_tl = scope_gap(with_weak_closed_model(make_scope(draws)), settings())
        assert more["n_closed"] == base["n_closed"] + 1
        for key in ("gap", "gap_ci_low", "gap_ci_high", "lag_months", "lag_months_ci_low",
                    "lag_months_ci_high", "mean_lag_6m", "closed_leader", "open_leader"):
            assert more[key] == base[key], key
        pd.testing.assert_frame_equal(base_tl, more_tl)
    # with narrow draws the significance variant is unaffected as well (it goes back to C1)
    narrow = scope_gap(with_weak_closed_model(make_scope(NARROW)), settings())[0]
    assert narrow["lag_sig_months"] == pytest.approx(400 / MONTH)


def test_significance_variant_ignores_a_model_below_the_frontier():
    base = scope_gap(make_scope(WIDE), settings())[0]
    more = scope_gap(with_weak_closed_model(make_scope(WIDE)), settings())[0]
    assert base["lag_sig_months"] == pytest.approx(100 / MONTH)
    assert more["lag_sig_months"] == pytest.approx(base["lag_sig_months"])
