"""Tests for the display scale (gaplens.models.scale): the affine map fixed by two anchors."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gaplens.errors import ConfigError
from gaplens.models.scale import AnchorModels, DisplayMap

finite = st.floats(-8.0, 8.0, allow_nan=False)
values = st.floats(-200.0, 200.0, allow_nan=False)


def sigmoid(x):
    return 1.0 / (1.0 + np.exp(-np.asarray(x, dtype=float)))


@settings(max_examples=200, deadline=None)
@given(c_low=finite, gap=st.floats(0.05, 10.0), v_low=values, v_gap=st.floats(0.5, 100.0))
def test_anchors_land_on_their_values(c_low, gap, v_low, v_gap):
    c_high, v_high = c_low + gap, v_low + v_gap
    dm = DisplayMap.from_anchors(c_low, c_high, v_low, v_high)
    assert dm.ok.tolist() == [True]
    # The two equations a + b C_low = v_low, a + b C_high = v_high, solved by hand.
    b = (v_high - v_low) / (c_high - c_low)
    a = v_low - b * c_low
    assert dm.b[0] == pytest.approx(b, rel=1e-12)
    assert dm.a[0] == pytest.approx(a, rel=1e-9, abs=1e-9 * (abs(v_low) + abs(b * c_low)))
    lv = dm.level(np.array([c_low, c_high]))
    assert lv.shape == (1, 2)
    scale = 1e-9 * (abs(v_low) + abs(v_high) + abs(b) * (abs(c_low) + abs(c_high)))
    assert lv[0, 0] == pytest.approx(v_low, abs=scale)
    assert lv[0, 1] == pytest.approx(v_high, abs=scale)


def test_default_anchor_values_known_answer():
    # C_low = 0.5 -> 130, C_high = 2.5 -> 150: b = 10, a = 125.
    anchors = AnchorModels()
    dm = DisplayMap.from_anchors(0.5, 2.5, anchors.low_value, anchors.high_value)
    assert dm.b[0] == 10.0 and dm.a[0] == 125.0
    np.testing.assert_allclose(dm.level([[0.0, 1.0, -2.0]]), [[125.0, 135.0, 105.0]])
    np.testing.assert_allclose(dm.slope([[1.0, 2.0]]), [[0.1, 0.2]])
    np.testing.assert_allclose(dm.raw([[125.0, 150.0]]), [[0.0, 2.5]])


@settings(max_examples=100, deadline=None)
@given(c_low=finite, gap=st.floats(0.05, 10.0), x=st.lists(values, min_size=1, max_size=6))
def test_raw_inverts_level(c_low, gap, x):
    dm = DisplayMap.from_anchors(c_low, c_low + gap, 130.0, 150.0)
    x = np.array([x])
    back = dm.level(dm.raw(x))
    np.testing.assert_allclose(back, x, rtol=1e-9, atol=1e-9 * (1 + np.abs(dm.a[0])))
    raw = dm.raw(x)
    np.testing.assert_allclose(dm.raw(dm.level(raw)), raw, rtol=1e-9,
                               atol=1e-9 * (1 + np.abs(raw).max()))


def test_predictions_are_unchanged_on_the_display_scale():
    rng = np.random.default_rng(0)
    draws, m, b = 4, 7, 5
    cap = rng.normal(0, 1.5, (draws, m))
    dif = rng.normal(0, 1.5, (draws, b))
    slope = np.exp(rng.normal(0.3, 0.3, (draws, b)))
    dm = DisplayMap.from_anchors(cap[:, 0], cap[:, 0] + rng.uniform(0.5, 3, draws), 130.0, 150.0)
    assert dm.ok.all()
    raw_pred = sigmoid(slope[:, None, :] * (cap[:, :, None] - dif[:, None, :]))
    c2, d2, s2 = dm.level(cap), dm.level(dif), dm.slope(slope)
    shown_pred = sigmoid(s2[:, None, :] * (c2[:, :, None] - d2[:, None, :]))
    np.testing.assert_allclose(shown_pred, raw_pred, rtol=1e-10, atol=1e-13)
    # The display values really are different numbers (the test can fail).
    assert np.abs(c2 - cap).min() > 1.0


@pytest.mark.parametrize("c_low, c_high", [(1.0, 1.0), (2.0, 1.0), (1.0, 1.0 + 1e-12),
                                           (np.nan, 1.0), (0.0, np.inf)])
def test_coinciding_or_inverted_anchors_are_not_ok(c_low, c_high):
    dm = DisplayMap.from_anchors(c_low, c_high, 130.0, 150.0)
    assert dm.ok.tolist() == [False]
    assert np.isnan(dm.a).all() and np.isnan(dm.b).all()
    assert np.isnan(dm.level([[0.0, 1.0]])).all()


def test_per_draw_arrays():
    c_low = np.array([0.0, 1.0, 2.0, -1.0])
    c_high = np.array([1.0, 1.0, 4.0, -3.0])  # draws 1 (equal) and 3 (inverted) are unusable
    dm = DisplayMap.from_anchors(c_low, c_high, 100.0, 120.0)
    assert dm.ok.tolist() == [True, False, True, False]
    np.testing.assert_allclose(dm.b[[0, 2]], [20.0, 10.0])
    np.testing.assert_allclose(dm.a[[0, 2]], [100.0, 80.0])
    assert np.isnan(dm.a[[1, 3]]).all() and np.isnan(dm.b[[1, 3]]).all()
    raw = np.array([[0.0, 1.0], [1.0, 1.0], [2.0, 4.0], [0.0, 0.0]])
    lv = dm.level(raw)
    assert lv.shape == (4, 2)
    np.testing.assert_allclose(lv[[0, 2]], [[100.0, 120.0], [100.0, 120.0]])
    # A shared raw row (n,) is mapped by every draw's own map.
    shared = dm.level(np.array([0.0, 2.0]))
    np.testing.assert_allclose(shared[[0, 2]], [[100.0, 140.0], [80.0, 100.0]])
    np.testing.assert_allclose(dm.slope(np.array([[2.0]] * 4))[[0, 2], 0], [0.1, 0.2])


def test_identity_map():
    dm = DisplayMap.identity(3)
    x = np.arange(6.0).reshape(3, 2)
    np.testing.assert_array_equal(dm.level(x), x)
    np.testing.assert_array_equal(dm.slope(x), x)
    np.testing.assert_array_equal(dm.raw(x), x)
    assert dm.ok.all() and dm.a.shape == (3,)


@pytest.mark.parametrize("kwargs", [
    dict(low="GPT-5", high="GPT-5"),
    dict(low_value=150.0, high_value=130.0),
    dict(low_value=140.0, high_value=140.0),
])
def test_bad_anchor_models_are_refused(kwargs):
    with pytest.raises(ConfigError):
        AnchorModels(**kwargs)


def test_default_anchor_models():
    a = AnchorModels()
    assert (a.low, a.low_value, a.high, a.high_value) == (
        "Claude 3.5 Sonnet", 130.0, "GPT-5", 150.0)
