"""The HTML report: its data block, its self-containment and escaping, and that its numbers
are the analyses' numbers (golden values on the bundled data)."""

from __future__ import annotations

import datetime as dt
import json
import math
import os
import re

import duckdb
import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import (HOSTILE_BENCHMARK, HOSTILE_CLOSED, HOSTILE_DOMAIN_LABEL, HOSTILE_MODEL,
                      HOSTILE_UNKNOWN)
from gaplens import api
from gaplens.analysis.composite import newest_match as _composite_choice
from gaplens._cli.main import main
from gaplens.report import html as report_html
from gaplens.report.payload import build, by_definition, script_json, table


def page_data(text: str) -> dict:
    match = re.search(r'<script id="gaplens-data" type="application/json">(.*?)</script>',
                      text, re.S)
    assert match, "no data block"
    return json.loads(match.group(1))


# --- the data block -------------------------------------------------------------------------

@settings(max_examples=200, deadline=None)
@given(st.text())
def test_script_json_round_trips_and_cannot_open_or_close_a_tag(text):
    out = script_json({"name": text, "list": [text, 1.5, None]})
    assert json.loads(out) == {"name": text, "list": [text, 1.5, None]}
    for char in "<>&\u2028\u2029":
        assert char not in out


def test_table_keeps_values_and_turns_missing_into_null():
    frame = pd.DataFrame({
        "name": ["a", "<b>"], "n": np.array([1, 2], dtype=np.int64),
        "x": [1.23456789, np.nan], "inf": [np.inf, -1.0],
        "day": [dt.date(2026, 4, 16), None], "ts": pd.to_datetime(["2025-01-02", None]),
        "flag": np.array([True, False])})
    out = table(frame, ["name", "n", "x", "inf", "day", "ts", "flag", "absent"])
    assert out["columns"] == ["name", "n", "x", "inf", "day", "ts", "flag"]
    assert out["rows"] == [["a", 1, 1.235, None, "2026-04-16", "2025-01-02", True],
                           ["<b>", 2, None, -1.0, None, None, False]]
    assert json.dumps(out, allow_nan=False)  # strict JSON


# --- the page ---------------------------------------------------------------------------------

def test_page_is_one_self_contained_file_under_10_mb(report_page):
    from gaplens.report.html import plotly_js

    text = open(report_page, encoding="utf-8").read()
    assert os.path.getsize(report_page) < 10_000_000
    assert text.count(plotly_js()[:400]) == 1  # the library once, not per chart
    assert "plotly.js (cartesian - minified)" in text  # the small bundle (report/html.py)
    assert not re.search(r"<script[^>]*\bsrc\s*=", text, re.I)  # nothing fetched
    assert not re.search(r"<link\b", text, re.I)
    assert not re.search(r"<img\b", text, re.I)
    assert text.count("<script") == 3  # data, library, page script


def test_names_with_markup_reach_the_page_only_as_escaped_data(report_page):
    text = open(report_page, encoding="utf-8").read()
    for raw in (HOSTILE_MODEL, HOSTILE_CLOSED, HOSTILE_UNKNOWN, HOSTILE_BENCHMARK,
                HOSTILE_DOMAIN_LABEL, "<b>Org</b>"):
        assert raw not in text
    data = page_data(text)
    dump = json.dumps(data, ensure_ascii=False)
    gap = {r[0]: r for r in data["by_definition"]["open-weights"]["gap"]["rows"]}
    columns = data["by_definition"]["open-weights"]["gap"]["columns"]
    hostile = dict(zip(columns, gap["hostile"]))
    assert hostile["label"] == HOSTILE_DOMAIN_LABEL
    assert hostile["open_model"] == HOSTILE_MODEL and hostile["closed_model"] == HOSTILE_CLOSED
    assert math.isclose(hostile["gap"], 81 - 62, abs_tol=1e-6)  # 0.81 - 0.62 on a 0-1 scale
    assert HOSTILE_UNKNOWN in dump and HOSTILE_BENCHMARK in dump


def test_a_failed_write_keeps_the_previous_report(report_inputs, tmp_path, monkeypatch):
    path = str(tmp_path / "report.html")
    with open(path, "w") as handle:
        handle.write("previous")

    def broken(src, dst):
        raise OSError("disk full")

    from gaplens._util import atomic

    monkeypatch.setattr(atomic.os, "replace", broken)
    with pytest.raises(OSError):
        report_html.write_html(report_inputs, path)
    assert open(path).read() == "previous"
    assert os.listdir(tmp_path) == ["report.html"]


# --- the numbers are the analyses' numbers ----------------------------------------------------

def test_payload_carries_each_definitions_results(report_inputs):
    data = build(report_inputs)
    assert set(data["by_definition"]) == {"unrestricted", "open-weights", "any-open"}
    for item in report_inputs.definitions:
        part = data["by_definition"][item.definition]
        rows = [dict(zip(part["gap"]["columns"], r)) for r in part["gap"]["rows"]]
        expect = item.gap.table.set_index("key")
        assert [r["key"] for r in rows] == list(expect.index)
        for r in rows:
            for column in ("gap", "lag_months", "n_open", "n_closed"):
                want, got = expect.loc[r["key"], column], r[column]
                assert (got is None and pd.isna(want)) or math.isclose(got, want, abs_tol=1e-3)
        general = dict(zip(part["index_gap"]["columns"], part["index_gap"]["rows"][0]))
        assert general["scope"] == "general"
        assert math.isclose(general["lag_months"],
                            item.index_gap.table["lag_months"].iloc[0], abs_tol=1e-3)
        assert len(part["composite"]["gap_draws"]) == len(item.composite.draws)
    counts = {d.definition: int(d.gap.table["n_open"].sum()) for d in report_inputs.definitions}
    assert counts["unrestricted"] < counts["open-weights"] < counts["any-open"]


def test_payload_carries_the_claims_and_the_credits_for_exported_images(report_inputs):
    from report_claims import OOD_ROWS, with_claims

    from gaplens.analysis.claims import CLAIM_KEYS
    from gaplens.ingest.bundled import SOURCE_CREDITS

    data = json.loads(script_json(build(with_claims(report_inputs))))  # strict JSON
    for part in data["by_definition"].values():
        claims = part["claims"]
        assert [c["key"] for c in claims] == list(CLAIM_KEYS)
        ood = claims[1]
        assert ood["verdict"] == "supported" and ood["as_of"] == "2026-04-16"
        assert (ood["estimate"], ood["ci_low"], ood["ci_high"], ood["unit"]) == \
            (8.0, 3.0, 13.0, "months")
        rows = [dict(zip(ood["evidence"]["columns"], r)) for r in ood["evidence"]["rows"]]
        assert [(r["benchmark"], r["group"], r["lag_months"]) for r in rows] == \
            [(b, g, lag) for b, _, g, lag, *_ in OOD_ROWS]
        assert claims[6]["verdict"] == "not_enough_data" and claims[6]["evidence"]["rows"] == []
    # credits: one line per kind of source in the warehouse, each once, in source order
    kinds = list(dict.fromkeys(report_inputs.sources["kind"]))
    assert data["meta"]["credits"] == [SOURCE_CREDITS[k] for k in kinds if SOURCE_CREDITS.get(k)]
    assert data["meta"]["credits"][0].startswith("Epoch AI, 'AI Benchmarking Hub'")


def test_worker_processes_give_the_numbers_of_one_process(report_inputs, report_db,
                                                           monkeypatch):
    # The session's inputs ran the per-definition analyses on forked workers wherever two
    # CPUs are usable; GAPLENS_JOBS=1 runs them all here, one after another.
    from gaplens._util import workers as _workers

    monkeypatch.setenv("GAPLENS_JOBS", "1")
    assert _workers.jobs() == 1 and not _workers.can_fork()
    # One of the three definitions keeps the test short; each definition's analyses are
    # seeded alike whatever else is computed beside them (the session's inputs computed all
    # three on workers, and the definition-free parts in this process).
    chosen = ["unrestricted"]
    one = api.collect(db=report_db, n_draws=40, definitions=chosen)
    for key in chosen:
        assert json.dumps(by_definition(one.by(key)), default=str, sort_keys=True) == \
            json.dumps(by_definition(report_inputs.by(key)), default=str, sort_keys=True)
        assert one.by(key).notes == report_inputs.by(key).notes
    assert one.notes == report_inputs.notes


def test_page_data_converted_where_computed_equal_those_of_the_finished_inputs(
        report_inputs, report_db):
    # The page's report() converts each definition's tables where its analyses ran, before
    # the earlier maps, their notes and the focus claim were added; the page must read as
    # if converted from the finished inputs (report_inputs: nothing converted beforehand).
    one = api.collect(db=report_db, n_draws=40, definitions=["unrestricted"], page=True)
    assert [item.definition for item in one.definitions] == ["open-weights", "unrestricted"]
    for item in one.definitions:
        finished = report_inputs.by(item.definition)
        assert item.tables is not None and finished.tables is None
        assert not item.gap_history.empty and item.claims
        assert json.dumps(by_definition(item), default=str) == \
            json.dumps(by_definition(finished), default=str)


def test_golden_headline_on_the_bundled_data(report_inputs):
    """Central estimates (draw-independent) on the bundled data, open = open weights."""
    item = report_inputs.by("open-weights")
    table_ = item.gap.table.set_index("key")
    assert report_inputs.as_of == dt.date(2026, 4, 16)
    assert table_.loc["agentic", "gap"] == pytest.approx(33.44, abs=0.01)
    assert table_.loc["agentic", "lag_months"] == pytest.approx(8.77, abs=0.01)
    assert table_.loc["novel_reasoning", "gap"] == pytest.approx(37.22, abs=0.01)
    # 18.79 (was 5.63): since the recency rule, ARC AI2, MMLU and TriviaQA (no result in the
    # 12 months to 2026-04-16) stay out of the knowledge map; LiveBench and SimpleQA
    # Verified remain.
    assert table_.loc["knowledge", "gap"] == pytest.approx(18.79, abs=0.01)
    assert table_.loc["language", "status"] == "no_current_evidence"
    general = item.index_gap.table.iloc[0]
    assert (general["closed_leader"], general["open_leader"]) == ("GPT-5.4 Pro", "Kimi K2.5")
    assert general["lag_months"] == pytest.approx(8.28, abs=0.01)
    pub = item.published_gap.set_index("snapshot")
    assert pub.loc[dt.date(2026, 4, 17), "gap"] == pytest.approx(5.77, abs=0.01)
    assert pub.loc[dt.date(2026, 7, 10), "gap"] == pytest.approx(8.77, abs=0.01)
    # the composite is read on the snapshot the headline compares with the map: the newest
    # on or before the map's date where its recomputation matches AA's published index
    assert report_inputs.composite_version == "v4.0"
    assert report_inputs.composite_as_of == dt.date(2026, 4, 10)
    # the one number read like the map, on that snapshot: AA's own gap, and its lag in months
    lagged = item.published_lag.set_index("snapshot").loc[dt.date(2026, 4, 10)]
    assert lagged["gap"] == pytest.approx(5.77, abs=0.01)
    assert (lagged["closed_model"], lagged["open_model"]) == ("Gemini 3.1 Pro",
                                                              "GLM-5.1 (Reasoning)")
    assert lagged["lag_months"] == pytest.approx(2.04, abs=0.01)
    assert lagged["lag_months_ci_low"] <= lagged["lag_months"] <= lagged["lag_months_ci_high"]
    assert report_inputs.agreement.change_point("v4.0") == dt.date(2026, 6, 19)


def test_page_states_data_through_per_source_and_the_stale_line(report_inputs, report_db):
    from dataclasses import replace

    fresh = api.freshness(db=report_db, today=dt.date(2026, 11, 30))
    data = build(replace(report_inputs, freshness=fresh))
    f = data["meta"]["freshness"]
    assert f["today"] == "2026-11-30" and f["stale"] is True and f["age_days"] == 143
    kinds = {s["kind"]: s for s in f["sources"]}
    assert kinds["aa"]["data_through"] == "2026-07-10"
    assert kinds["epoch"]["data_through"] == "2026-04-16" and kinds["epoch"]["age_days"] == 228
    assert kinds["csv"]["data_through"] == "2026-03-01"  # the planted CSV's newest release
    rows = [dict(zip(data["sources"]["columns"], r)) for r in data["sources"]["rows"]]
    epoch = next(r for r in rows if r["kind"] == "epoch")
    assert (epoch["data_through"], epoch["age_days"]) == ("2026-04-16", 228)
    assert re.fullmatch(r"(bundled, published|imported|fetched) \d{4}-\d\d-\d\d",
                        epoch["provenance"])
    script = report_html._asset("report.js")  # the headline draws both lines from meta
    assert 'id: "data-through"' in script and 'id: "stale-data"' in script
    assert "run 'gaplens update'" in script


def test_composite_choice_is_the_newest_snapshot_that_still_matches():
    class Agreement:
        def __init__(self, table, changes):
            self.table, self.changes = table, changes

        def change_point(self, version):
            return self.changes[version]

    d = [dt.date(2026, 1, day) for day in (1, 8, 15)]
    table_ = pd.DataFrame({"snapshot": d * 2, "version": ["a"] * 3 + ["b"] * 3,
                           "corr": [0.99] * 3 + [0.98] * 3, "mean_diff": [0.5] * 6})
    assert _composite_choice(Agreement(table_, {"a": d[2], "b": None})) == ("b", d[2])
    assert _composite_choice(Agreement(table_, {"a": None, "b": None})) == ("a", d[2])
    assert _composite_choice(Agreement(table_, {"a": d[0], "b": d[0]})) == (None, None)
    # on or before a date
    assert _composite_choice(Agreement(table_, {"a": None, "b": None}), until=d[1]) == ("a", d[1])
    assert _composite_choice(Agreement(table_, {"a": None, "b": None}),
                             until=dt.date(2025, 12, 31)) == (None, None)


def test_report_without_real_world_signals_still_renders(fitted_copy, tmp_path):
    con = duckdb.connect(fitted_copy)
    con.execute("DELETE FROM signals")
    con.close()
    result, path = api.report(str(tmp_path), db=fitted_copy, n_draws=20,
                              definitions=["open-weights"])
    data = page_data(open(path, encoding="utf-8").read())
    part = data["by_definition"]["open-weights"]
    assert part["composite"] is None and part["published_gap"]["rows"] == []
    # no usage or preference signal left: only the GDPval benchmark serves as a target
    assert part["realworld"]["focus"] == ["index: general", "benchmark:GDPval"]
    assert part["gap"]["rows"]  # the map is still there
    assert result.settings.open_definition.value == "open-weights"


# --- the command ---------------------------------------------------------------------------

def test_report_command_writes_the_page_and_rejects_bad_options(capsys, fitted_copy, tmp_path):
    out_dir = tmp_path / "rep"
    code = main(["report", "--db", fitted_copy, "--out", str(out_dir), "--draws", "20",
                 "--definition", "open-weights"])
    captured = capsys.readouterr()
    assert code == 0, captured.err
    assert os.listdir(out_dir) == ["report.html"]
    assert f"Report written to {out_dir / 'report.html'}" in captured.out.replace("\n", "")
    data = page_data((out_dir / "report.html").read_text(encoding="utf-8"))
    assert list(data["by_definition"]) == ["open-weights"]
    for argv, message in ((["--draws", "5"], "--draws must be at least 10"),
                          (["--format", "pdf"], "pdf"),
                          (["--at", "2026-13-01"], "2026-13-01")):
        code = main(["report", "--db", fitted_copy, "--out", str(tmp_path / "bad"), *argv])
        err = capsys.readouterr().err
        assert code == 2 and message in err
        assert not (tmp_path / "bad").exists()
    a_file = tmp_path / "a-file"
    a_file.write_text("kept")
    for fmt in ("html", "md"):
        code = main(["report", "--db", fitted_copy, "--out", str(a_file), "--format", fmt])
        err = capsys.readouterr().err
        assert code == 2 and f"--out '{a_file}' is a file, not a folder" in err
        assert len(err.strip().splitlines()) == 1 and a_file.read_text() == "kept"


def test_rejected_rows_are_counted_by_kind_and_unmatched_names_listed(report_inputs):
    from gaplens.report.payload import rejection_kind

    assert rejection_kind("model 'x' not matched to a warehouse model; add an alias") == \
        "name not matched to a model"
    assert rejection_kind("model 'x' is ambiguous (matches a, b); add an alias") == \
        "ambiguous name"
    assert rejection_kind("no model version") == "other: no model version"
    data = build(report_inputs)["rejected"]
    counts = [dict(zip(data["counts"]["columns"], r)) for r in data["counts"]["rows"]]
    total = sum(r["rows"] for r in counts)
    assert total == len(report_inputs.rejected)
    unmatched = {(r["kind"], r["what"]): r["rows"] for r in counts}
    # the bundled OpenRouter and LiveBench names that no alias or exact match resolves
    assert unmatched[("openrouter", "name not matched to a model")] == 47
    assert unmatched[("livebench", "name not matched to a model")] == 22
    assert len(data["names"]["rows"]) == 47 + 22


def test_a_report_in_the_past_leaves_out_later_signals(fitted_db):
    calls = []
    inputs = api.collect(db=fitted_db, as_of="2025-06-30", definitions=["open-weights"],
                         n_draws=20, progress=lambda done, total: calls.append((done, total)))
    assert calls == [(i, 9) for i in range(1, 10)]  # 3 shared steps, 6 for the definition
    item = inputs.by("open-weights")
    assert inputs.as_of == dt.date(2025, 6, 30)
    assert item.published_gap.empty and item.composite is None  # AA snapshots start 2026-04
    assert any("dated after 2025-06-30 are left out" in n for n in inputs.notes)
    correlations = item.realworld.correlations
    assert set(correlations["window"]) <= {"all", "2024", "2025"}
    assert (pd.to_datetime(item.gap.table["closed_release_date"]).dropna()
            <= pd.Timestamp("2025-06-30")).all()


def test_earlier_maps_are_the_gap_as_of_each_quarter_end(report_inputs, report_db):
    item = report_inputs.by("open-weights")
    history = item.gap_history
    dates = sorted(set(history["as_of"]))
    assert dates == [dt.date(2024, 6, 30), dt.date(2024, 9, 30), dt.date(2024, 12, 31),
                     dt.date(2025, 3, 31), dt.date(2025, 6, 30), dt.date(2025, 9, 30),
                     dt.date(2025, 12, 31), dt.date(2026, 3, 31)]
    then = history.loc[history["as_of"] == dt.date(2025, 6, 30)].set_index("key")
    direct = api.gap(db=report_db, as_of="2025-06-30", n_draws=0).table.set_index("key")
    for key in direct.index:
        for column in ("gap", "lag_months", "n_open", "n_closed"):
            a, b = then.loc[key, column], direct.loc[key, column]
            assert (pd.isna(a) and pd.isna(b)) or a == pytest.approx(b), (key, column)
    # a year earlier the coding gap was twice today's; the agentic one was narrower
    assert then.loc["coding", "gap"] > 2 * item.gap.table.set_index("key").loc["coding", "gap"]


def test_since_the_last_update_says_what_changed_since_the_bundled_data(report_inputs):
    # report_db is the bundled warehouse plus one tidy CSV ingested after the bundled
    # snapshot: the section compares that snapshot with the current data.
    lines = build(report_inputs)["since_update"]
    text = "\n".join(lines)
    assert lines[0].startswith("From bundled (")
    assert "7 models added" in text and HOSTILE_MODEL in text
    assert "1 benchmark added: " + HOSTILE_BENCHMARK in text


def test_payload_carries_the_country_frontiers_and_their_sentence(report_inputs):
    """The countries section's tables are analysis/groups.py's, and its sentence quotes
    the best Chinese and US open models' lags on the general index."""
    data = build(report_inputs)
    for item in report_inputs.definitions:
        part = data["by_definition"][item.definition]["countries"]
        table_ = item.countries.countries.table
        assert len(part["table"]["rows"]) == len(table_)
        rows = [dict(zip(part["table"]["columns"], r)) for r in part["table"]["rows"]]
        for r in rows:
            if r["lag_months"] is not None:
                assert r["lag_months_ci_low"] <= r["lag_months"] <= r["lag_months_ci_high"]
                assert r["gap_ci_low"] <= r["gap"] <= r["gap_ci_high"]
        china = next(r for r in rows if (r["scope"], r["group"], r["versus"]) ==
                     ("general", "China · open", "closed"))
        assert f"({china['group_leader']}) trails" in part["sentence"]
        assert f"by {china['lag_months']:.1f} months" in part["sentence"]
        assert {r["group"] for r in rows} >= {"US", "China", "US · open", "China · open"}
        labs = [dict(zip(part["labs"]["columns"], r)) for r in part["labs"]["rows"]]
        assert {r["versus"] for r in labs} == {"closed"}
        assert part["frontiers"]["rows"] and part["leaders"]["rows"]
    # Golden (open-weights, general index as of 2026-04-16; central, draw-independent).
    c = report_inputs.by("open-weights").countries.countries.table.set_index(
        ["scope", "group", "versus"])
    assert c.loc[("general", "China · open", "closed"), "group_leader"] == "Kimi K2.5"
    assert c.loc[("general", "China · open", "closed"), "lag_months"] == \
        pytest.approx(8.279, abs=0.01)
    assert c.loc[("general", "US · open", "closed"), "lag_months"] == \
        pytest.approx(15.935, abs=0.01)
