"""Hand-computed cases for horizontal_lag and threshold_lags (src/gaplens/analysis/lag.py).

Days are integer days; every expected number is a literal with its arithmetic alongside.
"""

from __future__ import annotations

import numpy as np
import pytest

from gaplens.analysis.lag import ThresholdLags, horizontal_lag, threshold_lags
from gaplens.models.frontier import GroupFrontier


def gf(days, scores, include=None) -> GroupFrontier:
    return GroupFrontier.build(np.array(days), np.array(scores, dtype=float),
                               None if include is None else np.array(include))


# ---------------------------------------------------------------- horizontal lag

# closed: 0.5 on day 0, 0.7 on day 30, 0.9 on day 100
# open:   0.6 on day 60
CLOSED = ([0, 30, 100], [0.5, 0.7, 0.9])
OPEN = ([60], [0.6])


def test_open_behind_lag_is_days_since_closed_reached_open_level():
    # day 120: o = 0.6, c = 0.9 -> behind. Closed first reached 0.6 on day 30 (0.7 model),
    # not on day 100 (current leader). lag = 120 - 30 = 90
    assert horizontal_lag(gf(*OPEN), gf(*CLOSED), 120).tolist() == [90.0]


def test_open_behind_at_earlier_day():
    # day 80: o = 0.6, c = 0.7 -> behind; first_reach_closed(0.6) = 30; lag = 80 - 30 = 50
    assert horizontal_lag(gf(*OPEN), gf(*CLOSED), 80).tolist() == [50.0]


def test_open_ahead_is_negative():
    # open: 0.5 on day 0, 0.9 on day 30; closed: 0.7 on day 10.
    # day 50: o = 0.9 > c = 0.7 -> ahead; open first reached 0.7 on day 30.
    # lag = -(50 - 30) = -20
    assert horizontal_lag(gf([0, 30], [0.5, 0.9]), gf([10], [0.7]), 50).tolist() == [-20.0]


def test_open_ahead_before_closed_improves():
    # closed 0.5 (day 0), open 0.6 (day 50). day 70: o = 0.6 > c = 0.5 -> ahead; open reached 0.5 on day 50; lag = -(70 - 50) = -20
    assert horizontal_lag(gf([50], [0.6]), gf([0], [0.5]), 70).tolist() == [-20.0]


def test_exactly_level_is_zero():
    # open 0.9 on day 150 equals closed 0.9 (day 100): lag = 0 at day 200
    assert horizontal_lag(gf([150], [0.9]), gf(*CLOSED), 200).tolist() == [0.0]


def test_swapping_groups_flips_sign():
    # Same as test_open_behind_...: swapped, open is ahead by the same 90 days.
    assert horizontal_lag(gf(*CLOSED), gf(*OPEN), 120).tolist() == [-90.0]


# closed: 0.5 on day 0, 0.75 on day 100; open: 0.5625 on day 50. At day 120:
# o = 0.5625, c = 0.75, c - o = 0.1875 (all exact binary fractions).
T_CLOSED = ([0, 100], [0.5, 0.75])
T_OPEN = ([50], [0.5625])


@pytest.mark.parametrize(
    "tol, expected",
    [
        (0.0, 20.0),  # behind: first_reach_closed(0.5625) = 100; 120 - 100 = 20
        (0.125, 20.0),  # 0.5625 < 0.75 - 0.125 = 0.625: still behind -> 20
        (0.1875, 0.0),  # |o - c| = 0.1875 <= tol: level (boundary inclusive)
        (0.25, 0.0),  # well within tolerance: level
    ],
)
def test_tolerance(tol, expected):
    assert horizontal_lag(gf(*T_OPEN), gf(*T_CLOSED), 120, tolerance=tol).tolist() == [expected]


def test_tolerance_applies_to_open_ahead_too():
    # swapped: o = 0.75, c = 0.5625 -> ahead by 0.1875; open (the old closed) reached
    # 0.5625 on day 100 -> -(120 - 100) = -20 with tol 0.125; level (0) with tol 0.1875
    assert horizontal_lag(gf(*T_CLOSED), gf(*T_OPEN), 120, tolerance=0.125).tolist() == [-20.0]
    assert horizontal_lag(gf(*T_CLOSED), gf(*T_OPEN), 120, tolerance=0.1875).tolist() == [0.0]


def test_group_with_no_model_yet_is_nan():
    # day 40: open's only model is on day 60 -> NaN
    assert np.isnan(horizontal_lag(gf(*OPEN), gf(*CLOSED), 40)).all()
    # day -5: neither group has a model -> NaN
    assert np.isnan(horizontal_lag(gf(*OPEN), gf(*CLOSED), -5)).all()
    # closed has no model before day 10: open ahead alone is not a lag
    assert np.isnan(horizontal_lag(gf([0], [0.9]), gf([10], [0.5]), 5)).all()


def test_vectorised_over_draws():
    # closed draws: [all, without the day-100 model]
    closed = gf(*T_CLOSED, include=[[True, True], [True, False]])
    open_ = gf(*T_OPEN, include=[[True], [True]])
    # draw 0: behind, 120 - 100 = 20
    # draw 1: c = 0.5 < o = 0.5625 -> ahead; open reached 0.5 on day 50: -(120 - 50) = -70
    assert horizontal_lag(open_, closed, 120).tolist() == [20.0, -70.0]


def test_draw_without_open_model_is_nan():
    closed = gf(*T_CLOSED, include=[[True, True], [True, True]])
    open_ = gf(*T_OPEN, include=[[True], [False]])
    out = horizontal_lag(open_, closed, 120)
    assert out[0] == 20.0  # 120 - 100
    assert np.isnan(out[1])


def test_empty_group_gives_nan_not_an_error():
    empty = gf(np.array([], dtype=np.int64), [])
    # docstring: "NaN where a group has no model"
    assert np.isnan(horizontal_lag(empty, gf(*CLOSED), 120)).all()
    assert np.isnan(horizontal_lag(gf(*CLOSED), empty, 120)).all()


def test_threshold_lags_empty_group_gives_nan_not_an_error():
    empty = gf(np.array([], dtype=np.int64), [])
    res = threshold_lags(empty, gf(*TH_CLOSED), THRESHOLDS, 300)
    assert np.isnan(res.lag).all() and not res.censored.any()


# ---------------------------------------------------------------- threshold lags

# open:   0.2 (day 0), 0.5 (day 100), 0.6 (day 200)
# closed: 0.3 (day 50), 0.45 (day 80), 0.9 (day 150)
# as-of day 300
TH_OPEN = ([0, 100, 200], [0.2, 0.5, 0.6])
TH_CLOSED = ([50, 80, 150], [0.3, 0.45, 0.9])
THRESHOLDS = np.array([0.1, 0.25, 0.4, 0.55, 0.8, 0.95])


def test_threshold_lags_hand_computed():
    res = threshold_lags(gf(*TH_OPEN), gf(*TH_CLOSED), THRESHOLDS, 300)
    expected = [
        np.nan,  # 0.10: met by open's first model (0.2, day 0) -> dropped
        np.nan,  # 0.25: met by closed's first model (0.3, day 50) -> dropped
        20.0,  # 0.40: open day 100 - closed day 80 = 20
        50.0,  # 0.55: open day 200 - closed day 150 = 50
        150.0,  # 0.80: open never; censored at as_of - closed = 300 - 150 = 150
        np.nan,  # 0.95: neither group reached it
    ]
    np.testing.assert_array_equal(res.lag, [expected])
    assert res.censored.tolist() == [[0, 0, 0, 0, 1, 0]]
    median, share = res.summary()
    # usable lags 20, 50, 150 -> median 50; 1 of 3 censored
    assert median.tolist() == [50.0]
    assert share.tolist() == [pytest.approx(1 / 3)]


def test_threshold_closed_never_reached_is_negative_censored():
    # open: 0.3 (day 0), 0.9 (day 40); closed: 0.2 (day 10), 0.6 (day 60); as-of day 100
    res = threshold_lags(gf([0, 40], [0.3, 0.9]), gf([10, 60], [0.2, 0.6]),
                         np.array([0.25, 0.5, 0.8]), 100)
    expected = [
        np.nan,  # 0.25: open's first model (0.3) already met it -> dropped
        -20.0,  # 0.50: open day 40 - closed day 60 = -20
        -60.0,  # 0.80: closed never; -(as_of - open) = -(100 - 40) = -60
    ]
    np.testing.assert_array_equal(res.lag, [expected])
    assert res.censored.tolist() == [[0, 0, -1]]


def test_threshold_draw_without_open_models_is_not_censored():
    # A draw that keeps no open model: "open has not reached s" is not evidence of a lag.
    open_ = gf(*TH_OPEN, include=[[True] * 3, [False] * 3])
    closed = gf(*TH_CLOSED, include=[[True] * 3, [True] * 3])
    res = threshold_lags(open_, closed, np.array([0.4, 0.8]), 300)
    # draw 0: 0.4 -> 100 - 80 = 20; 0.8 -> censored 300 - 150 = 150
    np.testing.assert_array_equal(res.lag, [[20.0, 150.0], [np.nan, np.nan]])
    assert res.censored.tolist() == [[0, 1], [0, 0]]


def test_threshold_draw_dropping_first_model_unblocks_threshold():
    # Dropping open's day-0 model (0.2): open first appears on day 100 (0.5). Then 0.1 is
    # met by that first model (dropped), 0.4 also (dropped: 0.5 on the first date).
    open_ = gf(*TH_OPEN, include=[[False, True, True]])
    res = threshold_lags(open_, gf(*TH_CLOSED), np.array([0.1, 0.4, 0.55]), 300)
    # 0.55: open day 200 - closed day 150 = 50
    np.testing.assert_array_equal(res.lag, [[np.nan, np.nan, 50.0]])


def test_threshold_swap_flips_sign_including_censored():
    a = threshold_lags(gf(*TH_OPEN), gf(*TH_CLOSED), THRESHOLDS, 300)
    b = threshold_lags(gf(*TH_CLOSED), gf(*TH_OPEN), THRESHOLDS, 300)
    np.testing.assert_array_equal(b.lag, -a.lag)
    assert (b.censored == -a.censored).all()


def test_summary_all_unusable_is_nan():
    tl = ThresholdLags(lag=np.full((2, 3), np.nan), censored=np.zeros((2, 3), np.int8))
    median, share = tl.summary()
    assert np.isnan(median).all() and np.isnan(share).all()


def test_summary_even_count_median():
    # lags 10, 40 (one censored) and NaN -> median (10 + 40) / 2 = 25, share 1/2
    tl = ThresholdLags(lag=np.array([[10.0, np.nan, 40.0]]),
                       censored=np.array([[0, 0, 1]], dtype=np.int8))
    median, share = tl.summary()
    assert median.tolist() == [25.0]
    assert share.tolist() == [0.5]
