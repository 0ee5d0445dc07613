"""Snapshots and diffs on a small warehouse with hand-computed answers.

One benchmark B1 (domain d1, baseline 0, ceiling 1), three open and three closed models:

    open:   O1 0.50 (2025-01-01)  O2 0.60 (2025-06-01)  O3 0.40 (2024-12-01)
    closed: C1 0.80 (2025-02-01)  C2 0.70 (2025-05-01)  C3 0.65 (2024-11-01)

Before: gap on d1 = 80 - 60 = 20 points. The update (same file re-read, so its owner's
changes apply; a second file; an override) changes C2 to 0.72 (delta +2.0), renames O3 and
moves its release date, adds O4 (open, 0.75, 2025-07-01) and benchmark B2 (domain d2,
too few models for a map), makes O1 non-commercial (open -> neither under open-weights)
and supersedes B1 by B2. After: gap = 80 - 75 = 5, and O4 is d1's new open frontier model,
replacing O2.
"""

from __future__ import annotations

import datetime as dt

import pytest

from gaplens._api_diff import diff_warehouse, pick_states
from gaplens.analysis.diff import DiffSettings, summary_sentences
from gaplens.errors import ConfigError, StoreError
from gaplens.ingest import read_overrides, read_tidy_csv
from gaplens.store import Warehouse
from gaplens.store.snapshots import (
    fingerprint,
    list_snapshots,
    materialise,
    snapshot_if_changed,
    take_snapshot,
)

HEAD = "model,display_name,benchmark,score,release_date,accessibility,organization\n"
BEFORE = [("O1", "Open One", "B1", 0.50, "2025-01-01", "Open weights (unrestricted)"),
          ("O2", "Open Two", "B1", 0.60, "2025-06-01", "Open weights (unrestricted)"),
          ("O3", "Open Three", "B1", 0.40, "2024-12-01", "Open weights (unrestricted)"),
          ("C1", "Closed One", "B1", 0.80, "2025-02-01", "API access"),
          ("C2", "Closed Two", "B1", 0.70, "2025-05-01", "API access"),
          ("C3", "Closed Three", "B1", 0.65, "2024-11-01", "API access")]
SETTINGS = DiffSettings(n_draws=20, seed=0)


def _csv(path, rows):
    path.write_text(HEAD + "".join(f"{m},{n},{b},{s},{d},{a},Lab\n"
                                   for m, n, b, s, d, a in rows), encoding="utf-8")
    return str(path)


def _ingest_csv(w, path, bench=None):
    return w.ingest(read_tidy_csv(path, w.benchmarks(), w.domains(), w.models(),
                                  benchmarks_path=bench, today=dt.date(2026, 1, 1)))


@pytest.fixture(scope="module")
def planted(tmp_path_factory):
    root = tmp_path_factory.mktemp("diff")
    head = "benchmark,domain,random_baseline,ceiling,test_set,release_date\n"
    bench1, bench = root / "bench1.csv", root / "bench.csv"
    bench1.write_text(head + "B1,d1,0,1,public,2024-06-01\n", encoding="utf-8")
    bench.write_text(head + "B1,d1,0,1,public,2024-06-01\nB2,d2,0,1,public,2025-06-01\n",
                     encoding="utf-8")
    path = str(root / "w.duckdb")
    first = root / "a.csv"
    with Warehouse(path) as w:
        _ingest_csv(w, _csv(first, BEFORE), str(bench1))
        before = take_snapshot(w, "A", "hand-made")
        after_rows = [r for r in BEFORE if r[0] not in ("C2", "O3")]
        after_rows += [("C2", "Closed Two", "B1", 0.72, "2025-05-01", "API access"),
                       ("O3", "Open Three v2", "B1", 0.40, "2024-12-15",
                        "Open weights (unrestricted)")]
        _ingest_csv(w, _csv(first, after_rows), str(bench))
        _ingest_csv(w, _csv(root / "b.csv", [
            ("O4", "Open Four", "B1", 0.75, "2025-07-01", "Open weights (unrestricted)"),
            ("O4", "Open Four", "B2", 0.30, "2025-07-01", "Open weights (unrestricted)"),
            ("C1", "Closed One", "B2", 0.50, "2025-02-01", "API access")]), str(bench))
        over = root / "over.csv"
        over.write_text("model,accessibility,reason\nO1,Open weights (non-commercial),"
                        "licence changed to non-commercial\n", encoding="utf-8")
        w.ingest(read_overrides(str(over), w.models()))
        # A publisher's newer export marks B1 superseded (the column as the Epoch metadata
        # reader stores it) and reports a name that matches no model.
        w.con.execute("ALTER TABLE benchmarks ADD COLUMN IF NOT EXISTS superseded_by VARCHAR")
        w.con.execute("UPDATE benchmarks SET superseded_by = 'B2' WHERE benchmark = 'B1'")
        w.con.execute("INSERT INTO rejected VALUES (2, 'a.csv', 9, 'model', "
                      "'model ''open-three'' not matched to a warehouse model; add an alias')")
        result = diff_warehouse(w, settings=SETTINGS)
        states = pick_states(w, None, None)
    return dict(path=path, before=before, result=result, states=states)


def test_default_states_are_the_snapshot_and_the_current_data(planted):
    assert planted["states"] == (planted["before"].snapshot_id, "current")


def test_every_planted_change_is_named_with_hand_computed_values(planted):
    r = planted["result"]
    assert r.models[["change", "model_id"]].values.tolist() == [["added", "O4"]]
    assert sorted(r.benchmarks[["change", "benchmark"]].values.tolist()) == [
        ["added", "B2"], ["superseded", "B1"]]
    assert r.benchmarks.set_index("change").loc["superseded", "superseded_by"] == "B2"
    changed = r.scores.loc[r.scores["change"] == "changed"]
    assert changed[["model_id", "benchmark"]].values.tolist() == [["C2", "B1"]]
    row = changed.iloc[0]
    assert (row.score_before, row.score_after) == pytest.approx((70.0, 72.0))
    assert row.delta == pytest.approx(2.0)
    added = r.scores.loc[r.scores["change"] == "added", ["model_id", "benchmark"]]
    assert sorted(map(tuple, added.values)) == [("C1", "B2"), ("O4", "B1"), ("O4", "B2")]
    acc = r.accessibility.iloc[0]
    assert (acc.model_id, acc.before, acc.after) == ("O1", "Open weights (unrestricted)",
                                                     "Open weights (non-commercial)")
    assert acc.group_before == "open" and acc.group_after is None
    assert r.release_dates[["model_id", "before", "after"]].values.tolist() == [
        ["O3", dt.date(2024, 12, 1), dt.date(2024, 12, 15)]]
    assert r.renamed[["model_id", "before", "after"]].values.tolist() == [
        ["O3", "Open Three", "Open Three v2"]]
    assert r.unmatched["name"].tolist() == ["open-three"]
    assert not r.empty


def test_the_map_moves_as_planted(planted):
    m = planted["result"].map.set_index("domain").loc["d1"]
    assert m.gap_before == pytest.approx(20.0)
    assert m.gap_after == pytest.approx(5.0)
    assert m.gap_change == pytest.approx(-15.0)
    assert m.lag_months_after < m.lag_months_before
    for when in ("before", "after"):
        for stat in ("gap", "lag_months"):
            assert m[f"{stat}_ci_low_{when}"] <= m[f"{stat}_{when}"] <= m[
                f"{stat}_ci_high_{when}"]
    frontier = planted["result"].frontier
    assert frontier[["domain", "group", "model_id", "replaced"]].values.tolist() == [
        ["d1", "open", "O4", "Open Two"]]


def test_sentences_name_the_changes_and_keep_estimates_inside_intervals(planted):
    text = "\n".join(summary_sentences(planted["result"]))
    for needle in ("1 model added: Open Four", "B1 is superseded by B2",
                   "Closed Two on B1 70.0 -> 72.0", "Open One: accessibility",
                   "O3 renamed: Open Three -> Open Three v2", "open-three",
                   "the gap narrowed from 20.0", "to 5.0",
                   "New open frontier in d1: Open Four (B1), replacing Open Two."):
        assert needle in text, needle


def test_snapshot_round_trip_and_fingerprint(planted, tmp_path):
    import shutil

    path = str(tmp_path / "copy.duckdb")
    shutil.copyfile(planted["path"], path)
    with Warehouse(path) as w:
        info = take_snapshot(w, "B")
        assert snapshot_if_changed(w, "again") is None  # nothing changed since
        with materialise(w, info.snapshot_id) as memory:
            assert fingerprint(memory) == fingerprint(w)
            assert len(memory.observations()) == len(w.observations())
            with pytest.raises(StoreError):
                memory.ingest(None)
        table = list_snapshots(w)
        assert table["label"].tolist() == ["A", "B"]
        assert info.snapshot_id.endswith("Z") and info.n_results == 9
        # The current data equal the newest snapshot: the default diff is A -> B, and it
        # names the same changes as A -> current did.
        assert pick_states(w, None, None) == (planted["before"].snapshot_id, info.snapshot_id)
        again = diff_warehouse(w, settings=SETTINGS)
        assert again.scores.equals(planted["result"].scores)
        assert again.map["gap_after"].tolist() == pytest.approx(
            planted["result"].map["gap_after"].tolist(), nan_ok=True)
        # A state against itself is refused; a date before every snapshot matches none.
        with pytest.raises(ConfigError, match="same state"):
            pick_states(w, "B", info.snapshot_id)
        with pytest.raises(ConfigError, match="no snapshot was taken on or before"):
            pick_states(w, "2000-01-01", None)
        with pytest.raises(ConfigError, match="no snapshot id, date"):
            pick_states(w, "nonsense", None)
        # A date picks the newest snapshot taken on or before it.
        today = info.taken_at.date().isoformat()
        assert pick_states(w, "A", today)[1] == info.snapshot_id


def test_one_state_only_is_a_clear_error(tmp_path):
    with Warehouse(str(tmp_path / "one.duckdb")) as w:
        with pytest.raises(ConfigError, match="only one data state"):
            pick_states(w, None, None)
        take_snapshot(w, "empty")
        with pytest.raises(ConfigError, match="only one data state"):
            pick_states(w, None, None)


def test_snapshot_ids_stay_unique_within_one_second(tmp_path):
    with Warehouse(str(tmp_path / "ids.duckdb")) as w:
        ids = [take_snapshot(w, "x").snapshot_id for _ in range(3)]
    assert len(set(ids)) == 3


def test_an_older_warehouse_gains_the_snapshot_tables_on_a_writable_open(tmp_path):
    import duckdb

    path = str(tmp_path / "old.duckdb")
    with Warehouse(path):
        pass
    con = duckdb.connect(path)
    for t in ("snapshots", "snap_results", "snap_models", "snap_benchmarks", "snap_domains",
              "snap_model_versions", "snap_accessibility_overrides", "snap_unmatched",
              "snap_sources"):
        con.execute(f"DROP TABLE {t}")
    con.close()
    with Warehouse(path, read_only=True) as w:  # read as it is
        assert list_snapshots(w).empty
    with Warehouse(path) as w:
        assert take_snapshot(w, "after upgrade").n_results == 0


def test_a_state_against_itself_changes_nothing(planted):
    from gaplens._api_diff import _state
    from gaplens.analysis.diff import compare_states

    with Warehouse(planted["path"], read_only=True) as w:
        table = list_snapshots(w)
        a = _state(w, planted["before"].snapshot_id, table)
    result = compare_states(a, a, SETTINGS)
    assert result.empty and result.frontier.empty and len(result.changes()) == 0
    assert (result.map["gap_change"].fillna(0) == 0).all()
    assert "The data did not change." in summary_sentences(result)
