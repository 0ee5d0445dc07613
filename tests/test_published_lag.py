"""The one number read with the map's estimators: planted snapshots with known answers,
and AA's own published gap on the bundled data."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

import gaplens
from gaplens.analysis.gap import GapSettings
from gaplens.analysis.published_lag import (
    map_date_row,
    published_lag,
    snapshot_on_or_before,
)
from gaplens.errors import ConfigError
from gaplens.types import OpenDefinition

OPEN = "Open weights (unrestricted)"
CLOSED = "API access"


def signals(rows, snapshot="2026-04-10", estimated=()):
    """Signals as the warehouse returns them: (model, accessibility, release, value)."""
    out = []
    for model, access, released, value in rows:
        base = dict(model_id=model, display_name=model.upper(), organization="Org",
                    country="US", release_date=pd.Timestamp(released), accessibility=access,
                    as_of=pd.Timestamp(snapshot), source_id="aa", source_file="f.json",
                    source_row=1)
        out.append({**base, "signal": "aa.intelligence_index", "value": value})
        out.append({**base, "signal": "aa.intelligence_index_is_estimated",
                    "value": float(model in estimated)})
    return pd.DataFrame(out)


PLANTED = [
    # closed frontier: 40 (2025-01-01), 50 (2025-07-01), 60 (2026-01-01)
    ("c1", CLOSED, "2025-01-01", 40.0),
    ("c2", CLOSED, "2025-07-01", 50.0),
    ("c3", CLOSED, "2026-01-01", 60.0),
    # open frontier: 45 (2025-10-01), 52 (2026-03-01)
    ("o1", OPEN, "2025-10-01", 45.0),
    ("o2", OPEN, "2026-03-01", 52.0),
    ("o3", OPEN, "2026-02-01", 30.0),
]


def test_planted_gap_and_lag_by_hand():
    result = published_lag(signals(PLANTED), GapSettings(as_of=dt.date(2026, 4, 10),
                                                         n_draws=0))
    row = result.table.iloc[0]
    assert row["snapshot"] == dt.date(2026, 4, 10)
    assert row["closed_model"] == "C3" and row["open_model"] == "O2"
    assert row["gap"] == pytest.approx(8.0)  # 60 - 52, in index points
    # read, like every benchmark, at its newest release (2026-03-01): the open level 52 was
    # first matched by closed on 2026-01-01, 59 days earlier
    assert row["lag_months"] == pytest.approx(59 / (365.2425 / 12))
    assert (row["n_open"], row["n_closed"]) == (3, 3)


def test_estimated_values_and_later_releases_are_left_out():
    rows = PLANTED + [("o4", OPEN, "2026-04-01", 70.0), ("o5", OPEN, "2026-05-01", 80.0)]
    result = published_lag(signals(rows, estimated={"o4"}),
                           GapSettings(as_of=dt.date(2026, 4, 10), n_draws=0))
    row = result.table.iloc[0]
    # o4 is estimated, o5 released after the snapshot: open frontier stays at 52
    assert row["gap"] == pytest.approx(8.0) and row["n_open"] == 3


def test_snapshot_on_or_before_and_the_map_date_row():
    sig = pd.concat([signals(PLANTED, "2026-04-10"), signals(PLANTED, "2026-04-17")])
    assert snapshot_on_or_before(sig, dt.date(2026, 4, 16)) == dt.date(2026, 4, 10)
    assert snapshot_on_or_before(sig, dt.date(2026, 4, 1)) is None
    result = published_lag(sig, GapSettings(as_of=dt.date(2026, 4, 30), n_draws=50))
    assert list(result.table["snapshot"]) == [dt.date(2026, 4, 10), dt.date(2026, 4, 17)]
    assert map_date_row(result, dt.date(2026, 4, 16))["snapshot"] == dt.date(2026, 4, 10)
    assert map_date_row(result, dt.date(2026, 4, 1)) is None
    for row in result.table.itertuples():
        assert row.gap_ci_low <= row.gap <= row.gap_ci_high
        assert row.lag_months_ci_low <= row.lag_months <= row.lag_months_ci_high


def test_no_published_signal_is_a_config_error():
    with pytest.raises(ConfigError, match="no 'aa.intelligence_index'"):
        published_lag(pd.DataFrame(columns=["signal"]), GapSettings(as_of=dt.date(2026, 1, 1)))
    with pytest.raises(ConfigError, match="no published index snapshot on or before"):
        published_lag(signals(PLANTED), GapSettings(as_of=dt.date(2026, 1, 1)))


def test_bundled_gap_equals_aas_published_gap(bundled_db):
    """AA's own numbers on 2026-04-10: Gemini 3.1 Pro 57.2 against GLM-5.1 51.4 (the
    published gap the composite reports, 5.77), read as of the map's date 2026-04-16."""
    with gaplens.open_warehouse(db=bundled_db) as w:
        sig = w.signals("aa.")
    settings = GapSettings(as_of=dt.date(2026, 4, 16), n_draws=200,
                           open_definition=OpenDefinition.OPEN_WEIGHTS)
    result = published_lag(sig, settings)
    row = map_date_row(result, dt.date(2026, 4, 16))
    assert row["snapshot"] == dt.date(2026, 4, 10)
    assert row["closed_model"] == "Gemini 3.1 Pro"
    assert row["gap"] == pytest.approx(5.77, abs=0.01)
    assert 1.5 < row["lag_months"] < 3.0
    assert row["lag_months_ci_low"] <= row["lag_months"] <= row["lag_months_ci_high"]


def test_command_json_and_the_80_column_table(capsys, bundled_db):
    from gaplens._cli import main as cli

    assert cli.main(["gap", "--on", "published", "--at", "2026-04-24", "--draws", "50",
                     "--db", bundled_db, "--format", "json"]) == 0
    import json

    doc = json.loads(capsys.readouterr().out)
    assert doc["schema"] == "gaplens.published-lag/1"
    assert [r["snapshot"] for r in doc["rows"]] == ["2026-04-10", "2026-04-17", "2026-04-24"]
    assert doc["rows"][0]["gap"] == pytest.approx(5.77, abs=0.01)
    cli.out.width = 80
    assert cli.main(["gap", "--on", "published", "--at", "2026-04-24", "--draws", "50",
                     "--db", bundled_db]) == 0
    text = capsys.readouterr().out
    assert all(len(line) <= 80 for line in text.splitlines())
    assert "Gemini 3.1 Pro" in text and "2026-04-24" in text


def test_names_with_markup_are_printed_as_text(capsys):
    from rich.console import Console

    from gaplens.report.terminal import published_lag_table

    rows = [(m, a, d, v) for m, a, d, v in PLANTED]
    rows[2] = ("[bold]c3[/bold]", CLOSED, "2026-01-01", 60.0)
    sig = signals(rows)
    sig["display_name"] = sig["model_id"]
    result = published_lag(sig, GapSettings(as_of=dt.date(2026, 4, 10), n_draws=20))
    console = Console(width=80, record=True)
    console.print(published_lag_table(result))
    assert "[bold]c3[/bold]" in console.export_text()
