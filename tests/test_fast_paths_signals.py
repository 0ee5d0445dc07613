"""The fast paths of the real-world alignment, the over-fitting tests, the domain index and
the claims give what the plain pandas computations they replace give.

Each is compared with the plain computation, written out here as it was, on random data
with ties and missing values: equal values, dtypes, index and order.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from gaplens.analysis import claims_signals, domain_index, overfit, realworld
from gaplens.analysis.intervals import nanquantile_columns
from gaplens.analysis.ranks import average_ranks, average_ranks_rows

FAST = settings(max_examples=30, deadline=None)
FEW = settings(max_examples=10, deadline=None)  # pandas on both sides: slower examples


def _frame_equal(a: pd.DataFrame | pd.Series, b: pd.DataFrame | pd.Series) -> bool:
    if isinstance(a, pd.Series):
        return (a.equals(b) and a.dtype == b.dtype and a.name == b.name
                and a.index.equals(b.index) and a.index.dtype == b.index.dtype
                and a.index.name == b.index.name)
    return (a.equals(b) and list(a.columns) == list(b.columns) and a.dtypes.equals(b.dtypes)
            and a.index.equals(b.index))


@FAST
@given(st.lists(st.integers(0, 6), min_size=1, max_size=40), st.booleans())
def test_one_dimensional_ranks_are_average_ranks(values, spread):
    x = np.array(values, dtype=float) / (7.0 if spread else 1.0)
    found, expected = average_ranks(x), average_ranks_rows(x[None, :])[0]
    assert found.dtype == expected.dtype and np.array_equal(found, expected)


def _signal_rows(rng: np.random.Generator, n: int) -> pd.DataFrame:
    """Signal rows with many ties in the date (snapshots) and repeated models."""
    frame = pd.DataFrame({
        "model_id": pd.Series([f"m{i}" for i in rng.integers(0, 12, n)], dtype="str"),
        "signal": pd.Series([f"s{i}" for i in rng.integers(0, 4, n)], dtype="str"),
        "value": rng.random(n),
        "as_of": pd.Timestamp("2025-01-01") + pd.to_timedelta(rng.integers(0, 4, n), "D")})
    frame.index = rng.permutation(n) + 5
    return frame


@FEW
@given(st.integers(1, 80), st.integers(0, 2**32 - 1))
def test_newest_value_is_the_sorted_group_tail(n, seed):
    rows = _signal_rows(np.random.default_rng(seed), n)
    expected = rows.sort_values("as_of").groupby("model_id").tail(1) \
        .set_index("model_id")["value"]
    assert _frame_equal(realworld._latest(rows), expected)


@FEW
@given(st.integers(1, 80), st.integers(0, 2**32 - 1))
def test_signal_rows_are_the_selected_rows(n, seed):
    signals = _signal_rows(np.random.default_rng(seed), n)
    by_signal = realworld._SignalRows(signals)
    for name in ("s0", "s3", "missing"):
        expected = signals.loc[signals["signal"] == name]
        found = by_signal.of(name)
        assert _frame_equal(found, expected) or (found.empty and expected.empty)
    both = signals.loc[signals["signal"].isin(["s1", "s2"])]
    assert _frame_equal(by_signal.of("s1", "s2"), both)


@FEW
@given(st.integers(5, 40), st.integers(0, 2**32 - 1))
def test_meta_looked_up_is_the_join(n, seed):
    rng = np.random.default_rng(seed)
    ids = pd.Index([f"m{i}" for i in rng.choice(60, n, replace=False)], dtype="str",
                   name="model_id")
    ranked = pd.DataFrame({"predictor": rng.random(n), "residual": rng.random(n)}, index=ids)
    known = [f"m{i}" for i in range(0, 60, 2)]  # half the models have no meta row
    meta = pd.DataFrame({"display_name": pd.Series([f"M {m}" for m in known], dtype="str"),
                         "group": pd.Series(rng.choice(["open", "closed", None], len(known)),
                                            dtype="str")},
                        index=pd.Index(known, dtype="str", name="model_id"))
    expected = ranked.join(meta, how="left").reset_index().rename(
        columns={"index": "model_id"})
    assert _frame_equal(realworld._with_meta(ranked, meta), expected)


@FAST
@given(st.integers(3, 40), st.integers(1, 8), st.integers(0, 2**32 - 1))
def test_column_quantile_is_nanquantile(rows, cols, seed):
    rng = np.random.default_rng(seed)
    values = rng.normal(size=(rows, cols))
    values[:, rng.random(cols) < 0.3] = np.nan  # whole columns missing
    values[rng.random((rows, cols)) < 0.1] = np.nan  # and some single draws
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # the all-NaN columns
        expected = np.nanquantile(values, 0.05, axis=0)
    assert np.array_equal(nanquantile_columns(values, 0.05), expected, equal_nan=True)


@FEW
@given(st.integers(1, 40), st.integers(0, 2**32 - 1))
def test_distinct_benchmarks_are_nunique(n, seed):
    rng = np.random.default_rng(seed)
    obs = pd.DataFrame({"model_id": pd.Series([f"m{i}" for i in rng.integers(0, 8, n)],
                                              dtype="str"),
                        "benchmark": pd.Series([f"b{i}" for i in rng.integers(0, 5, n)],
                                               dtype="str")})
    codes, models, counts = domain_index._distinct_benchmarks(obs)
    expected = obs.groupby("model_id")["benchmark"].nunique()
    assert dict(zip(models, counts)) == expected.to_dict()
    assert list(models[codes]) == list(obs["model_id"])


@FEW
@given(st.integers(1, 30), st.integers(0, 2**32 - 1))
def test_signal_summary_is_the_grouped_first(n, seed):
    rng = np.random.default_rng(seed)
    signal = rng.choice(["a", "b", "c"], n)
    low = np.where(rng.random(n) < 0.3, np.nan, rng.random(n))  # "first" skips NaN
    dates = [None if rng.random() < 0.2 else pd.Timestamp("2025-01-01").date()
             + pd.Timedelta(days=int(d)) for d in rng.integers(0, 9, n)]
    usage = pd.DataFrame({"signal": pd.Series(signal, dtype="str"),
                          "signal_label": pd.Series([f"label {s}" for s in signal],
                                                    dtype="str"),
                          "n": rng.integers(5, 9, n), "rho": rng.random(n),
                          "rho_ci_low": low, "rho_ci_high": rng.random(n),
                          "predicts": rng.random(n) < 0.5,
                          "data_through": pd.Series(dates, dtype=object)})
    expected = (usage.groupby("signal", sort=False)
                .agg(label=("signal_label", "first"), n=("n", "first"), rho=("rho", "first"),
                     low=("rho_ci_low", "first"), high=("rho_ci_high", "first"),
                     predicts=("predicts", "first"),
                     through=("data_through", "max")).reset_index())
    codes, names = pd.factorize(usage["signal"])
    found = claims_signals._per_signal(
        usage, names, [np.flatnonzero(codes == c) for c in range(len(names))])
    assert _frame_equal(found.drop(columns="through"), expected.drop(columns="through"))
    for a, b in zip(found["through"], expected["through"]):
        assert (pd.isna(a) and pd.isna(b)) or a == b


def test_records_are_to_dict():
    frame = pd.DataFrame({"group": pd.Series(["x", None, "z"], dtype="str"),
                          "n": [3, 4, 5], "p": [0.1, np.nan, 0.3]})
    found, expected = claims_signals._records(frame), frame.to_dict(orient="records")
    assert len(found) == len(expected)
    for a, b in zip(found, expected):
        assert a.keys() == b.keys()
        for key in a:
            assert type(a[key]) is type(b[key])
            assert (pd.isna(a[key]) and pd.isna(b[key])) or a[key] == b[key]
