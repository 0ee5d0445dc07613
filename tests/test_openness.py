"""The openness ladder: licence strings to rungs (by hand), nested rung definitions
(property), the audit on planted disagreeing sources, the rank correlation on a worked
example, the CLI's definitions, and golden counts on the bundled data."""

from __future__ import annotations

import datetime as dt
import json

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gaplens.analysis.openness import (
    audit_table,
    ladder_counts,
    ladder_table,
    rank_correlation,
    spearman,
)
from gaplens.errors import InputError
from gaplens.ingest.licences import licence_rung, read_licences
from gaplens.ladder import open_source_ids, read_open_source
from gaplens.types import Accessibility, OpenDefinition, Rung

# Real licence strings from the bundled AA and LMArena files, each read by hand from the
# licence's terms: permissive (no use restriction), use-bounded (user or revenue caps, use
# policies), non-commercial, closed; "open"/"Other" name no licence (unknown); a licence
# the table does not list has no rung (None), never a guessed one.
BY_HAND = [
    ("Apache 2.0", Rung.PERMISSIVE),
    ("apache-2.0", Rung.PERMISSIVE),
    ("Mit", Rung.PERMISSIVE),
    ("OpenMDW", Rung.PERMISSIVE),
    ("Llama 2 Community", Rung.USE_BOUNDED),  # 700M monthly users cap, use policy
    ("LLAMA 3.1 COMMUNITY LICENSE AGREEMENT", Rung.USE_BOUNDED),
    ("Gemma license", Rung.USE_BOUNDED),  # prohibited use policy
    ("Qianwen LICENSE", Rung.USE_BOUNDED),  # 100M monthly users cap
    ("Modified MIT License", Rung.USE_BOUNDED),  # attribution above a scale threshold
    ("NVIDIA Open Model License Agreement", Rung.USE_BOUNDED),
    ("Jamba Open Model License Agreement", Rung.USE_BOUNDED),  # revenue cap
    ("lfm 1.0", Rung.USE_BOUNDED),  # revenue threshold
    ("DEEPSEEK LICENSE AGREEMENT", Rung.USE_BOUNDED),  # use-based restrictions
    ("CC-BY-NC-4.0", Rung.NON_COMMERCIAL),
    ("CC-BY-NC-SA-4.0", Rung.NON_COMMERCIAL),
    ("Mistral Research License", Rung.NON_COMMERCIAL),
    ("EXAONE AI Model License Agreement 1.2 - NC", Rung.NON_COMMERCIAL),
    ("LLaMA LICENSE AGREEMENT", Rung.NON_COMMERCIAL),  # LLaMA 1: research only
    ("Proprietary", Rung.CLOSED),
    ("Propretary", Rung.CLOSED),
    ("open", Rung.UNKNOWN),
    ("Other", Rung.UNKNOWN),
    ("Upstage Solar License", None),
    ("", None),
]


@pytest.mark.parametrize("text,rung", BY_HAND)
def test_licence_strings_map_to_the_rungs_read_by_hand(text, rung):
    assert licence_rung(text) is rung


def test_a_licence_row_whose_rung_does_not_fit_its_class_is_refused(tmp_path):
    path = tmp_path / "licences.csv"
    path.write_text("key,match,accessibility,rung,example,note\n"
                    "mit,exact,Open weights (unrestricted),permissive,mit,\n"
                    "gemma,exact,Open weights (restricted use),permissive,gemma,\n",
                    encoding="utf-8")
    with pytest.raises(InputError) as err:
        read_licences(str(path))
    assert err.value.row == 3 and err.value.field == "rung"
    assert "expected 'use-bounded'" in str(err.value) and "\n" not in str(err.value)


def test_an_open_source_row_without_its_evidence_is_refused(tmp_path):
    path = tmp_path / "open_source.csv"
    path.write_text("model_id,source,reason\nA,https://x,fine\nB,,no source\n",
                    encoding="utf-8")
    with pytest.raises(InputError) as err:
        read_open_source(str(path))
    assert (err.value.row, err.value.field) == (3, "source")


# --- the rung definitions are nested ----------------------------------------------------

LADDER = [OpenDefinition.OPEN_SOURCE, OpenDefinition.PERMISSIVE, OpenDefinition.USE_BOUNDED,
          OpenDefinition.NON_COMMERCIAL, OpenDefinition.ANY_OPEN]
LISTED = sorted(open_source_ids())[:3]


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(list(Accessibility)),
                          st.sampled_from(LISTED + ["not listed", "also not"])),
                min_size=1, max_size=30))
def test_each_rung_definition_contains_the_next_stricter_one(models):
    access = [a.value for a, _ in models]
    ids = [m for _, m in models]
    groups = {d: d.groups(access, ids) for d in LADDER + [OpenDefinition.UNRESTRICTED,
                                                         OpenDefinition.OPEN_WEIGHTS]}
    for stricter, looser in zip(LADDER, LADDER[1:]):
        inner = set(np.flatnonzero(groups[stricter] == "open"))
        assert inner <= set(np.flatnonzero(groups[looser] == "open")), (stricter, looser)
    # the named definitions keep their meaning: permissive = unrestricted, use-bounded is
    # open-weights without the licence-unspecified weights
    assert list(groups[OpenDefinition.PERMISSIVE]) == list(groups[OpenDefinition.UNRESTRICTED])
    assert set(np.flatnonzero(groups[OpenDefinition.USE_BOUNDED] == "open")) <= set(
        np.flatnonzero(groups[OpenDefinition.OPEN_WEIGHTS] == "open"))
    # closed is the same set under every definition
    closed = [list(g == "closed") for g in groups.values()]
    assert all(c == closed[0] for c in closed)


def test_open_source_needs_the_list_and_permissive_weights():
    listed = LISTED[0]
    d = OpenDefinition.OPEN_SOURCE
    assert list(d.groups(["Open weights (unrestricted)"] * 2, [listed, "other"])) == [
        "open", None]
    assert list(d.groups(["Open weights (restricted use)"], [listed])) == [None]
    with pytest.raises(ValueError):
        d.groups(["Open weights (unrestricted)"])


# --- ladder and audit on planted data ---------------------------------------------------


def _models(rows):
    return pd.DataFrame(rows, columns=["model_id", "display_name", "organization",
                                       "release_date", "accessibility", "source_accessibility",
                                       "override_reason"])


def test_ladder_counts_by_hand():
    models = _models([
        ("olmo", "Olmo", "Ai2", None, "Open weights (unrestricted)", None, None),
        ("mit", "M", "x", None, "Open weights (unrestricted)", None, None),
        ("llama", "L", "x", None, "Open weights (restricted use)", None, None),
        ("nc", "N", "x", None, "Open weights (non-commercial)", None, None),
        ("api", "A", "x", None, "API access", None, None),
        ("unrel", "U", "x", None, "Unreleased", None, None),
        ("open?", "O", "x", None, "Open weights (licence unspecified)", None, None),
        ("unk", "K", "x", None, "Unknown", None, None)])
    ladder = ladder_table(models, {"olmo": "https://allenai.org", "api": "listed, not open"})
    rung = dict(zip(ladder["model_id"], ladder["rung"]))
    assert rung == {"olmo": "open-source", "mit": "permissive", "llama": "use-bounded",
                    "nc": "non-commercial", "api": "closed", "unrel": "closed",
                    "open?": "unknown", "unk": "unknown"}
    counts = ladder_counts(ladder, evaluated={"olmo", "llama", "api"}).set_index("rung")
    assert list(counts["n_models"]) == [1, 1, 1, 1, 2, 2]
    assert list(counts["n_evaluated"]) == [1, 0, 1, 0, 1, 0]
    assert list(counts["n_at_or_above"].iloc[:4]) == [1, 2, 3, 4]


def test_audit_lists_planted_disagreements_with_each_source_value():
    models = _models([
        # Epoch: closed; AA: open under a use-bounded licence -> open vs closed
        ("grok", "Grok", "xAI", None, "API access", "API access", None),
        # Epoch: permissive; AA and LMArena: use-bounded -> licence rung
        ("qwen", "Qwen", "Alibaba", None, "Open weights (unrestricted)",
         "Open weights (unrestricted)", None),
        # agree (MIT everywhere) -> not listed
        ("glm", "GLM", "Z", None, "Open weights (unrestricted)", "Open weights (unrestricted)",
         None),
        # LMArena says only "open" (no licence): never a disagreement with an open claim
        ("gemma", "Gemma", "G", None, "Open weights (restricted use)",
         "Open weights (restricted use)", None),
        # settled by an override: listed as settled
        ("cmd", "Command", "Cohere", None, "Open weights (non-commercial)", "Unknown",
         "CC BY-NC 4.0 per Cohere"),
        # LiveBench says closed for open weights
        ("mistral", "Mistral", "M", None, "Open weights (unrestricted)",
         "Open weights (unrestricted)", None)])
    kinds = pd.Series({m: "epoch" for m in models["model_id"]})
    day = dt.date(2026, 1, 1)
    licences = pd.DataFrame([
        ("grok", "aa", "Grok 2 Community License Agreement", True, True, day),
        ("qwen", "aa", "Qwen License Agreement", True, True, day),
        ("qwen", "lmarena", "Qwen", True, None, day),
        ("glm", "aa", "MIT", True, True, day),
        ("glm", "lmarena", "MIT", True, None, day),
        ("gemma", "lmarena", "open", True, None, day),
        ("cmd", "lmarena", "CC-BY-NC-4.0", True, None, day),
        ("cmd", "livebench", None, False, None, day),
        ("mistral", "livebench", None, False, None, day),
        # an older AA claim is superseded by the newer one
        ("glm", "aa", "Proprietary", False, None, dt.date(2025, 1, 1)),
    ], columns=["model_id", "source", "licence", "open_weights", "commercial", "as_of"])
    audit = audit_table(models, kinds, licences).set_index("model_id")
    assert set(audit.index) == {"grok", "qwen", "cmd", "mistral"}
    assert audit.loc["grok", "kind"] == "open vs closed"
    assert audit.loc["grok", "claims"] == "epoch: closed; aa: use-bounded"
    assert audit.loc["grok", "aa"] == "open, commercial, Grok 2 Community License Agreement"
    assert audit.loc["qwen", "kind"] == "licence rung"
    assert audit.loc["qwen", "claims"] == ("epoch: permissive; aa: use-bounded; "
                                           "lmarena: use-bounded")
    assert audit.loc["qwen", "lmarena"] == "Qwen"
    assert audit.loc["mistral", "kind"] == "open vs closed"
    assert audit.loc["mistral", "livebench"] == "closed"
    assert audit.loc["cmd", "status"] == "settled"
    assert list(audit["status"]) == ["open", "open", "open", "settled"]


# --- openness against the lag -----------------------------------------------------------


def test_spearman_on_a_worked_example():
    # ranks 1 2 3 4 against 1 3 2 4: d^2 = 0 + 1 + 1 + 0, rho = 1 - 6*2/(4*15) = 0.8
    assert spearman([10, 20, 30, 40], [1, 3, 2, 4]) == pytest.approx(0.8)
    assert np.isnan(spearman([1, 2], [2, 1]))


def test_rank_correlation_interval_holds_the_estimate_and_is_seeded():
    rng = np.random.default_rng(3)
    x = rng.uniform(0, 100, 40)
    view = pd.DataFrame({"openness_index": x, "gap": -0.1 * x + rng.normal(0, 1, 40),
                         "lag_months": np.full(40, 2.0)})
    a = rank_correlation(view, n_draws=300, seed=1).set_index("measure")
    b = rank_correlation(view, n_draws=300, seed=1).set_index("measure")
    pd.testing.assert_frame_equal(a, b)
    gap = a.loc["gap"]
    assert gap["rho"] < -0.8 and gap["rho_ci_low"] <= gap["rho"] <= gap["rho_ci_high"] < 0
    assert np.isnan(a.loc["lag_months", "rho"])  # no spread in the lag: no number


# --- the CLI ------------------------------------------------------------------------------


def test_gap_accepts_the_rung_definitions_and_refuses_a_misspelt_one(capsys, bundled_db):
    from gaplens._cli.main import main

    code = main(["gap", "--open-definition", "open-source", "--by", "benchmark", "--draws",
                 "0", "--format", "json", "--db", bundled_db])
    out = capsys.readouterr().out
    assert code == 0 and '"open_definition": "open-source"' in out
    # the open side is the listed models only (INTELLECT-1, OpenLLaMA, ...), never Llama
    leaders = {row["open_model"] for row in json.loads(out)["rows"]
               if row.get("open_model")}
    assert leaders and leaders <= open_source_ids(), leaders
    code = main(["gap", "--open-definition", "permisive", "--db", bundled_db])
    err = capsys.readouterr().err
    assert code == 2 and err.count("\n") == 1 and "permisive" in err and "permissive" in err


# --- golden on the bundled data -----------------------------------------------------------


def test_bundled_ladder_and_audit(fitted_db):
    from gaplens import api

    result = api.openness(db=fitted_db, n_draws=200)
    counts = result.counts.set_index("rung")["n_models"]
    assert dict(counts) == {"open-source": 25, "permissive": 246, "use-bounded": 149,
                            "non-commercial": 51, "closed": 328, "unknown": 109}
    listed = result.ladder.loc[result.ladder["rung"] == "open-source", "model_id"]
    assert set(listed) == set(open_source_ids())  # every listed model is permissive here
    kinds = result.audit["kind"].value_counts()
    assert len(result.audit) == 19
    assert dict(kinds) == {"licence rung": 9, "open vs closed": 10}
    assert "Grok-2" in set(result.audit["display_name"])
    front = result.frontier.set_index("definition")
    # the rung definitions read like `gaplens gap --on index` under the same groups
    assert front.loc["permissive", "gap"] == pytest.approx(front.loc["unrestricted", "gap"])
    for row in front.itertuples():
        assert row.gap_ci_low <= row.gap <= row.gap_ci_high
        assert row.lag_months_ci_low <= row.lag_months <= row.lag_months_ci_high
    corr = result.correlation.set_index("measure")
    assert corr.loc["lag_months", "n_models"] == len(result.view) > 10
    # on AA's newest snapshot (2026-07-10): open models with a measured index and openness
    assert len(result.aa) == corr.loc["aa_gap", "n_models"] == 55
    assert (result.aa["aa_gap"] > 0).all()  # no open model above the best closed one
    for r in corr.itertuples():
        assert r.rho_ci_low <= r.rho <= r.rho_ci_high


@settings(max_examples=60, deadline=None)
@given(st.integers(1, 6), st.integers(0, 12), st.integers(1, 1000), st.integers(0, 2 ** 16))
def test_average_ranks_are_scipys(rows, columns, distinct, seed):
    from scipy.stats import rankdata

    from gaplens.analysis.ranks import average_ranks_rows

    # few distinct values: many ties; many: almost none
    x = np.random.default_rng(seed).integers(0, distinct, (rows, columns)) * 0.25
    assert np.array_equal(average_ranks_rows(x), rankdata(x, axis=1))
