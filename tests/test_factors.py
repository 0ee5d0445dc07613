"""Latent factors on data simulated from a planted two-factor model (index_sims.py)."""

from __future__ import annotations


import numpy as np
import pytest

from gaplens.analysis.factors import factor_analysis, heldout
from gaplens.errors import ConfigError

from index_sims import simulate_two_factors


# --- F. latent factors -------------------------------------------------------------------------


def test_factor_analysis_finds_the_planted_second_axis():
    data, settings, groups, domains = simulate_two_factors(0)
    result = factor_analysis(data, settings, groups, k=2, n_boot=200, with_heldout=False)
    loadings = result.loadings.set_index("benchmark")["loading_2"]
    agentic = loadings[[b for b, d in domains.items() if d == "agentic"]]
    maths = loadings[[b for b, d in domains.items() if d == "maths"]]
    # sign-agnostic: the two clusters sit on opposite sides of axis 2, every benchmark
    assert (np.sign(agentic) == np.sign(agentic.iloc[0])).all()
    assert (np.sign(maths) == -np.sign(agentic.iloc[0])).all()
    assert min(agentic.abs().min(), maths.abs().min()) > 0.3
    axis2 = result.axes.set_index("axis").loc[2]
    assert {axis2["positive_domains"], axis2["negative_domains"]} == {"agentic", "maths"}
    assert result.axes.set_index("axis").loc[1, "label"] == "general capability"
    # open models were planted on the agentic side: their mean position on axis 2 has the
    # sign of the agentic loadings, and its interval excludes 0
    row = result.groups.set_index("axis").loc[2]
    assert np.sign(row["difference"]) == np.sign(agentic.mean())
    assert row["ci_low"] > 0 or row["ci_high"] < 0
    assert row["n_open"] + row["n_closed"] == len(data.models)


def test_heldout_error_prefers_two_factors_only_when_there_are_two():
    data, settings, _, _ = simulate_two_factors(0)
    table = heldout(data.data, settings.reg, ks=(1, 2)).set_index("dims")
    assert table.loc[2, "rmse"] < 0.6 * table.loc[1, "rmse"]
    # on one-dimensional data the second axis buys almost nothing
    data1, settings1, _, _ = simulate_two_factors(0, spread2=0.0)
    table1 = heldout(data1.data, settings1.reg, ks=(1, 2)).set_index("dims")
    assert table1.loc[2, "rmse"] > 0.9 * table1.loc[1, "rmse"]


def test_factor_dims_outside_2_and_3_are_config_errors():
    data, settings, groups, _ = simulate_two_factors(1, n_models=20)
    for k in (1, 4):
        with pytest.raises(ConfigError, match="2 or 3"):
            factor_analysis(data, settings, groups, k=k, with_heldout=False)
