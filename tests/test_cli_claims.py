"""`gaplens claims`: the table at 80 columns (sentences wrapped whole-word), JSON and CSV."""

from __future__ import annotations

import datetime as dt
import io
import json

import pandas as pd
import pytest

from gaplens._cli.main import main
from gaplens.analysis.claims import CLAIM_KEYS, Claim
from gaplens.report.claims_text import claims_frame, claims_lines


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def _claim(key: str, sentence: str, title: str = "A title") -> Claim:
    return Claim(key=key, title=title, statement="s", verdict="mixed", sentence=sentence,
                 as_of=dt.date(2026, 4, 16), estimate=1.0, ci_low=0.5, ci_high=2.0,
                 unit="months")


def test_lines_fit_the_width_and_never_break_a_word():
    sentence = ("On 2026-04-16 the open lag on out-of-distribution benchmarks (ARC-AGI-2, "
                "WeirdML, SWE-bench Verified (bash only)) is 10.6 [8.1, 12.0] months " * 3)
    long_title = "A title long enough to need a second line of its own at eighty columns wide"
    found = [_claim("ood", sentence), _claim("copyable", "Short [/a] text.", long_title)]
    lines = claims_lines(found, 80)
    assert max(len(line) for line in lines) <= 80
    words = " ".join(line.strip() for line in lines).split()
    for word in sentence.split() + ["[/a]"]:
        assert word in words  # whole: no word cut across lines
    assert lines[2].startswith("1   A title") and lines[2].endswith("mixed")
    assert any(line.startswith("2   A title long enough") for line in lines)
    frame = claims_frame(found)
    assert list(frame["number"]) == [1, 2] and "evidence" not in frame


@pytest.fixture(scope="module")
def computed(fitted_db):
    """The seven claims on the bundled data, computed once for the module (the command's
    analyses take about a minute); claims 3, 4 and 5 come from analysis/claims_signals.py,
    without which the command cannot run whole."""
    pytest.importorskip("gaplens.analysis.claims_signals")
    from gaplens import api

    return api.claims(db=fitted_db, n_draws=40)


@pytest.fixture
def cached(computed, monkeypatch):
    """The command renders the claims computed once (its own arguments are still parsed
    and checked)."""
    from gaplens import api

    seen = []

    def claims(**kwargs):
        seen.append(kwargs)
        return computed

    monkeypatch.setattr(api, "claims", claims)
    return seen


def test_claims_table_at_80_columns(capsys, bundled_db, monkeypatch, cached, computed):
    monkeypatch.setenv("COLUMNS", "80")
    from gaplens._cli import main as cli_main

    monkeypatch.setattr(cli_main.out, "_width", 80, raising=False)
    code, out, _ = run(capsys, "claims", "--db", bundled_db, "--draws", "40")
    assert code == 0
    assert cached[-1]["n_draws"] == 40 and cached[-1]["db"] == bundled_db
    assert max(len(line) for line in out.splitlines()) <= 80
    assert "The gap differs by domain" in out and "The one number hides the map" in out
    sentence_words = " ".join(line.strip() for line in out.splitlines()).split()
    for word in computed[0].sentence.split():
        assert word in sentence_words


def test_claims_json_and_csv(capsys, bundled_db, cached):
    code, out, _ = run(capsys, "claims", "--db", bundled_db, "--draws", "40", "-f", "json",
                       "--at", "2026-04-16")
    assert code == 0
    assert cached[-1]["as_of"] == "2026-04-16"
    doc = json.loads(out)
    assert doc["schema"] == "gaplens.claims/1" and "freshness" in doc
    assert doc["settings"]["as_of"] == "2026-04-16"
    assert [c["key"] for c in doc["claims"]] == list(CLAIM_KEYS)
    for c in doc["claims"]:
        assert set(c["evidence"]) == {"columns", "rows"}
        if c["estimate"] is not None and c["ci_low"] is not None:
            assert c["ci_low"] <= c["estimate"] <= c["ci_high"]
    domains = doc["claims"][0]
    assert domains["verdict"] == "mixed" and "tier" in domains["evidence"]["columns"]
    code, out, _ = run(capsys, "claims", "--db", bundled_db, "--draws", "40", "-f", "csv")
    table = pd.read_csv(io.StringIO(out))
    assert list(table["key"]) == list(CLAIM_KEYS)
    assert table.loc[table["key"] == "one_number", "verdict"].item() == "supported"


def test_claims_draws_below_twenty_is_one_line_error(capsys, bundled_db):
    code, _, err = run(capsys, "claims", "--db", bundled_db, "--draws", "5")
    assert code == 2
    assert err.strip().startswith("error:") and "--draws" in err and len(err.splitlines()) == 1
