"""Known answers of the normalisation and of the valid-range check."""

from __future__ import annotations

import math

import numpy as np
import pytest

from gaplens.ingest.normalise import normalise, out_of_range, valid_range_text


@pytest.mark.parametrize(
    "raw, expected",
    [(0.25, 0.0), (1.0, 1.0), (0.625, 0.5), (0.85, 0.8), (0.4, 0.2)],
)
def test_linear_with_chance_baseline(raw, expected):
    assert normalise(raw, 0.25, 1.0, "linear") == pytest.approx(expected, abs=1e-12)


def test_percent_units_use_the_benchmark_scale():
    # LiveBench-style: stored as percent 0-100, baseline 0.
    got = normalise([0.0, 37.5, 100.0], 0.0, 100.0, "linear")
    np.testing.assert_allclose(got, [0.0, 0.375, 1.0], atol=1e-12)
    # A percent scale with a non-zero chance level (e.g. 4-option MC in percent).
    assert normalise(62.5, 25.0, 100.0, "linear") == pytest.approx(0.5)


def test_log_transform_for_minutes():
    got = normalise(48.99, 1.0, 2400.0, "log")
    assert got == pytest.approx(math.log(48.99) / math.log(2400.0), rel=1e-12)
    assert normalise(2400.0, 1.0, 2400.0, "log") == pytest.approx(1.0)
    assert normalise(1.0, 1.0, 2400.0, "log") == pytest.approx(0.0)
    # One doubling is the same step wherever it happens.
    a = normalise(2.0, 1.0, 2400.0, "log") - normalise(1.0, 1.0, 2400.0, "log")
    b = normalise(200.0, 1.0, 2400.0, "log") - normalise(100.0, 1.0, 2400.0, "log")
    assert a == pytest.approx(b)
    assert a == pytest.approx(math.log(2) / math.log(2400))


def test_log_with_nonunit_baseline():
    got = normalise(30.0, 2.0, 480.0, "log")
    assert got == pytest.approx((math.log(30) - math.log(2)) / (math.log(480) - math.log(2)))


def test_below_baseline_clips_to_zero():
    np.testing.assert_array_equal(normalise([0.0, 0.1, 0.2499], 0.25, 1.0, "linear"), [0, 0, 0])
    # Time horizons below the 1-minute baseline clip to 0 as well.
    assert normalise(0.3, 1.0, 2400.0, "log") == 0.0


def test_vectorised_mixed_transforms_and_nan():
    raw = np.array([0.625, 48.99, np.nan, 50.0])
    base = np.array([0.25, 1.0, 0.0, 0.0])
    ceil = np.array([1.0, 2400.0, 1.0, 100.0])
    tr = np.array(["linear", "log", "linear", "linear"])
    got = normalise(raw, base, ceil, tr)
    assert got[0] == pytest.approx(0.5)
    assert got[1] == pytest.approx(math.log(48.99) / math.log(2400))
    assert np.isnan(got[2])
    assert got[3] == pytest.approx(0.5)


def test_out_of_range_linear():
    raw = np.array([-0.01, 0.0, 0.1, 0.25, 1.0, 1.0 + 1e-12, 1.01, 150.0, np.nan])
    flags = out_of_range(raw, 0.25, 1.0, "linear")
    np.testing.assert_array_equal(
        flags, [True, False, False, False, False, False, True, True, False])


def test_out_of_range_percent_and_elo():
    assert out_of_range(101.0, 0.0, 100.0, "linear")
    assert not out_of_range(100.0, 0.0, 100.0, "linear")
    # An Elo below the mapping's lower end is a legitimate (low) score, not an error.
    assert not out_of_range(700.0, 800.0, 1700.0, "linear")
    assert out_of_range(1800.0, 800.0, 1700.0, "linear")


def test_out_of_range_log():
    flags = out_of_range([0.0, -1.0, 0.5, 1.0, 2400.0, 2401.0], 1.0, 2400.0, "log")
    np.testing.assert_array_equal(flags, [True, True, False, False, False, True])


def test_valid_range_text():
    assert valid_range_text(0.25, 1.0, "linear") == "[0, 1]"
    assert valid_range_text(1.0, 2400.0, "log") == "(0, 2400]"
    assert valid_range_text(800.0, 1700.0, "linear") == "[0, 1700]"
