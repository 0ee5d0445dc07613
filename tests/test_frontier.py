"""Hand-computed known answers for GroupFrontier (src/gaplens/models/frontier.py)."""

from __future__ import annotations

import numpy as np
import pytest

from gaplens.models.frontier import NO_LEVEL, GroupFrontier

# Four models, given in caller order (indices 0..3):
#   idx  day  score
#    0    10   0.4    (worse than the frontier when it appears)
#    1     0   0.5    (first model)
#    2    20   0.7    \ same date, same score: a tie
#    3    20   0.7    /
# Sorted by (day, -score, id): idx 1, 0, 2, 3; running max .5, .5, .7, .7.
DAYS = np.array([10, 0, 20, 20])
SCORES = np.array([0.4, 0.5, 0.7, 0.7])


@pytest.fixture
def frontier() -> GroupFrontier:
    return GroupFrontier.build(DAYS, SCORES)


def test_build_sorts_by_date_then_score_then_id(frontier):
    assert frontier.order.tolist() == [1, 0, 2, 3]
    assert frontier.days.tolist() == [0, 10, 20, 20]
    assert frontier.running.tolist() == [[0.5, 0.5, 0.7, 0.7]]


@pytest.mark.parametrize(
    "day, expected",
    [
        (-1, NO_LEVEL),  # before the first model (day 0)
        (0, 0.5),  # on the first model's date: it counts
        (5, 0.5),  # between models: flat
        (10, 0.5),  # idx 0 (0.4) released but worse: frontier stays 0.5
        (19, 0.5),
        (20, 0.7),  # the two 0.7 models
        (1000, 0.7),  # after the last model: flat
    ],
)
def test_level_at(frontier, day, expected):
    assert frontier.level_at(day).tolist() == [expected]


@pytest.mark.parametrize("day, expected", [(-1, 0), (0, 1), (10, 2), (19, 2), (20, 4)])
def test_count_at(frontier, day, expected):
    assert frontier.count_at(day).tolist() == [expected]


@pytest.mark.parametrize(
    "level, expected",
    [
        (0.3, 0.0),  # first model (day 0, 0.5) already >= 0.3
        (0.5, 0.0),  # reached exactly by the first model (>=)
        (0.6, 20.0),  # needs the 0.7 models of day 20
        (0.7, 20.0),
        (0.8, np.nan),  # never reached
        (np.nan, np.nan),  # no level asked
        (NO_LEVEL, np.nan),  # -inf is not a level
    ],
)
def test_first_reach(frontier, level, expected):
    np.testing.assert_array_equal(frontier.first_reach(np.array([level])), [expected])


@pytest.mark.parametrize("day, expected", [(-1, -1), (0, 1), (10, 1), (20, 2), (500, 2)])
def test_leader_at(frontier, day, expected):
    # At day 10 idx 0 (0.4) is released but idx 1 (0.5) still holds the frontier; at day 20
    # idx 2 and idx 3 tie (same day, same score): the lower id, idx 2, leads.
    assert frontier.leader_at(day).tolist() == [expected]


def test_tie_goes_to_lower_id_not_to_caller_position():
    # Same tie, but the caller gives ids 9 (idx 2) and 3 (idx 3): id 3 sorts first.
    f = GroupFrontier.build(DAYS, SCORES, ids=np.array([0, 1, 9, 3]))
    assert f.order.tolist() == [1, 0, 3, 2]
    assert f.leader_at(20).tolist() == [3]
    # Reversed caller order of the tied pair gives the same leader (deterministic).
    f2 = GroupFrontier.build(DAYS[[0, 1, 3, 2]], SCORES[[0, 1, 3, 2]], ids=np.array([0, 1, 3, 9]))
    assert f2.leader_at(20).tolist() == [2]  # position 2 in this caller order is id 3


def test_same_day_higher_score_leads_even_if_listed_second():
    # Two models on day 5: 0.3 (idx 0) and 0.6 (idx 1). Frontier at day 5 is 0.6 held by idx 1.
    f = GroupFrontier.build(np.array([5, 5]), np.array([0.3, 0.6]))
    assert f.level_at(5).tolist() == [0.6]
    assert f.leader_at(5).tolist() == [1]
    assert f.first_reach(np.array([0.5])).tolist() == [5.0]


def test_include_mask_drops_the_leader():
    # Draw 0 keeps all; draw 1 drops the day-20 leaders (idx 2, 3); draw 2 drops the first
    # model (idx 1); draw 3 keeps nothing. Masks are in caller order.
    include = np.array(
        [
            [True, True, True, True],
            [True, True, False, False],
            [True, False, True, True],
            [False, False, False, False],
        ]
    )
    f = GroupFrontier.build(DAYS, SCORES, include)
    assert f.draws == 4
    # day 20: draw 1 falls back to 0.5 (idx 1); draw 2 still 0.7; draw 3 nothing.
    assert f.level_at(20).tolist() == [0.7, 0.5, 0.7, NO_LEVEL]
    assert f.leader_at(20).tolist() == [2, 1, 2, -1]
    # day 0: only idx 1 is out; draw 2 has nothing yet.
    assert f.level_at(0).tolist() == [0.5, 0.5, NO_LEVEL, NO_LEVEL]
    # day 10: draw 2's frontier is idx 0 (0.4).
    assert f.level_at(10).tolist() == [0.5, 0.5, 0.4, NO_LEVEL]
    assert f.leader_at(10).tolist() == [1, 1, 0, -1]
    assert f.count_at(20).tolist() == [4, 2, 3, 0]
    # first_reach(0.6): draws 0 and 2 at day 20; draw 1 never; draw 3 never.
    np.testing.assert_array_equal(f.first_reach(np.full(4, 0.6)), [20.0, np.nan, 20.0, np.nan])
    # first_reach(0.45): draw 2 lacks the day-0 model and idx 0 (0.4) is too low -> day 20.
    np.testing.assert_array_equal(f.first_reach(np.full(4, 0.45)), [0.0, 0.0, 20.0, np.nan])


def test_first_reach_takes_one_level_per_draw():
    include = np.array([[True] * 4, [True] * 4])
    f = GroupFrontier.build(DAYS, SCORES, include)
    # draw 0 asks 0.5 (day 0), draw 1 asks 0.65 (day 20)
    assert f.first_reach(np.array([0.5, 0.65])).tolist() == [0.0, 20.0]


def test_first_reach_grid_and_left_censoring():
    include = np.array(
        [
            [True, True, True, True],  # all
            [True, False, True, True],  # first model (idx 1, day 0) dropped
        ]
    )
    f = GroupFrontier.build(DAYS, SCORES, include)
    days, left = f.first_reach_grid(np.array([0.3, 0.5, 0.6, 0.8]))
    # draw 0: running .5 (d0) .5 (d10) .7 (d20): 0.3 -> 0, 0.5 -> 0, 0.6 -> 20, 0.8 never.
    #         first included model is on day 0, so 0.3 and 0.5 are left-censored.
    # draw 1: running -inf (d0) .4 (d10) .7 (d20): 0.3 -> 10, 0.5 -> 20, 0.6 -> 20, 0.8 never.
    #         first included model is on day 10, so only 0.3 is left-censored.
    np.testing.assert_array_equal(
        days, [[0.0, 0.0, 20.0, np.nan], [10.0, 20.0, 20.0, np.nan]]
    )
    assert left.tolist() == [[True, True, False, False], [True, False, False, False]]


def test_left_censoring_counts_models_on_the_first_date():
    # Two models on day 20 (0.3 and 0.7) then 0.9 on day 30. A threshold of 0.5 is met on
    # day 20, the date the group first appears, even though the first-listed model is 0.3.
    f = GroupFrontier.build(np.array([20, 20, 30]), np.array([0.3, 0.7, 0.9]))
    days, left = f.first_reach_grid(np.array([0.5, 0.8, 0.95]))
    np.testing.assert_array_equal(days, [[20.0, 30.0, np.nan]])
    assert left.tolist() == [[True, False, False]]


def test_first_reach_grid_draw_with_no_model():
    include = np.array([[False, False, False, False]])
    f = GroupFrontier.build(DAYS, SCORES, include)
    days, left = f.first_reach_grid(np.array([0.3, 0.6]))
    assert np.isnan(days).all()
    assert not left.any()
