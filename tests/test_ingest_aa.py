"""Artificial Analysis adapter: known answers on small constructed files, the licence
mapping, error reporting, and a golden check of the bundled weekly file."""

from __future__ import annotations

import csv
import datetime as dt
import json
import os

import pandas as pd
import pytest

from gaplens.errors import InputError
from gaplens.ingest.aliases import ALIAS_COLUMNS, bundled_aliases, read_aliases
from gaplens.ingest.artificial_analysis import (
    SIGNALS,
    accessibility_of,
    bundled_aa_path,
    read_aa,
)
from gaplens.store import Warehouse
from gaplens.types import Accessibility

TODAY = dt.date(2026, 8, 1)

MODELS = pd.DataFrame({
    "model_id": ["GPT-5", "Claude Sonnet 4.5", "Kimi K2"],
    "display_name": ["GPT-5", "Claude Sonnet 4.5", "Kimi K2"],
})

HEADER = ["snapshot_date", "aa_model_id", "name", "short_name", "release_date", "reasoning_model",
          "creator_name", "creator_country", "is_open_weights", "commercial_allowed",
          "license_name", "total_parameters", "artificial_analysis_intelligence_index",
          "artificial_analysis_intelligence_index_is_estimated",
          "artificial_analysis_coding_index", "gpqa", "hle", "gdpval_aa_elo", "aa_omniscience",
          "price_1m_blended_3_to_1"]


def entry(name, date="2026-05-01", **values) -> dict:
    row = dict(snapshot_date=date, aa_model_id="", name=name, short_name=name,
               release_date="2025-08-07", reasoning_model="True", creator_name="OpenAI",
               creator_country="us", is_open_weights="False", commercial_allowed="",
               license_name="", total_parameters="",
               artificial_analysis_intelligence_index="50.0",
               artificial_analysis_intelligence_index_is_estimated="False",
               artificial_analysis_coding_index="", gpqa="0.8", hle="", gdpval_aa_elo="",
               aa_omniscience="", price_1m_blended_3_to_1="")
    row.update(values)
    return row


def write_csv(path, rows, header=HEADER) -> str:
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=header, extrasaction="ignore")
        writer.writeheader()
        writer.writerows(rows)
    return str(path)


def aliases_from(tmp_path, rows) -> pd.DataFrame:
    if not rows:
        return pd.DataFrame(columns=ALIAS_COLUMNS + ["key"])
    path = tmp_path / "aliases.csv"
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(ALIAS_COLUMNS)
        writer.writerows(rows)
    return read_aliases(str(path))


def value_of(batch, model_id, signal, as_of):
    s = batch.signals
    hit = s.loc[(s["model_id"] == model_id) & (s["signal"] == signal)
                & (pd.to_datetime(s["as_of"]) == pd.Timestamp(as_of))]
    assert len(hit) <= 1
    return None if hit.empty else hit.iloc[0]


# -- known answers ---------------------------------------------------------------------------
def test_flat_csv_values_dates_and_rows_are_those_of_the_file(tmp_path):
    path = write_csv(tmp_path / "aa.csv", [
        entry("GPT-5 (high)", "2026-05-01", artificial_analysis_intelligence_index="44.625581",
              gpqa="0.8414141414141414", hle="0.25", gdpval_aa_elo="-114.77",
              aa_omniscience="-12.5", price_1m_blended_3_to_1="3.4375"),
        entry("GPT-5 (high)", "2026-05-08", artificial_analysis_intelligence_index="36.11",
              gpqa="0.85", reasoning_model="",
              artificial_analysis_intelligence_index_is_estimated="True"),
    ])
    aliases = aliases_from(tmp_path, [("aa", "GPT-5 (high)", "GPT-5", "effort variant")])
    batch = read_aa(path, MODELS, aliases, today=TODAY)

    assert batch.source.kind == "aa"
    assert batch.source.retrieved_on == dt.date(2026, 5, 8)  # newest snapshot
    first = value_of(batch, "GPT-5", "aa.intelligence_index", "2026-05-01")
    assert first["value"] == float("44.625581") and first["source_row"] == 2
    assert first["source_file"] == path
    assert value_of(batch, "GPT-5", "aa.gpqa", "2026-05-01")["value"] == float("0.8414141414141414")
    assert value_of(batch, "GPT-5", "aa.hle", "2026-05-01")["value"] == 0.25
    assert value_of(batch, "GPT-5", "aa.gdpval_elo", "2026-05-01")["value"] == -114.77
    assert value_of(batch, "GPT-5", "aa.omniscience", "2026-05-01")["value"] == -12.5
    assert value_of(batch, "GPT-5", "aa.price_blended", "2026-05-01")["value"] == 3.4375
    assert value_of(batch, "GPT-5", "aa.reasoning", "2026-05-01")["value"] == 1.0
    estimated = "aa.intelligence_index_is_estimated"
    assert value_of(batch, "GPT-5", estimated, "2026-05-01")["value"] == 0.0
    second = value_of(batch, "GPT-5", "aa.intelligence_index", "2026-05-08")
    assert second["value"] == 36.11 and second["source_row"] == 3
    assert value_of(batch, "GPT-5", estimated, "2026-05-08")["value"] == 1.0
    # Null metrics give no row (no reasoning flag on 05-08, no hle, no coding index).
    assert value_of(batch, "GPT-5", "aa.reasoning", "2026-05-08") is None
    assert value_of(batch, "GPT-5", "aa.hle", "2026-05-08") is None
    assert "aa.coding_index" not in set(batch.signals["signal"])
    assert len(batch.signals) == 8 + 3
    assert batch.models.empty  # GPT-5 exists: nothing to create
    assert batch.rejected.empty


def test_variants_of_one_model_keep_one_whole_entry(tmp_path):
    rows = [
        entry("GPT-5 (low)", artificial_analysis_intelligence_index="40", gpqa="0.70",
              hle="0.11"),
        entry("GPT-5 (high)", artificial_analysis_intelligence_index="45", gpqa="0.80", hle=""),
        entry("GPT-5 (medium)", artificial_analysis_intelligence_index="", gpqa="0.90",
              hle="0.99"),
    ]
    aliases = aliases_from(tmp_path, [("aa", n, "GPT-5", "") for n in
                                      ("GPT-5 (low)", "GPT-5 (high)", "GPT-5 (medium)")])
    results = []
    for order in (rows, rows[::-1]):
        path = write_csv(tmp_path / "v.csv", order)
        batch = read_aa(path, MODELS, aliases, today=TODAY)
        s = batch.signals.set_index("signal")["value"]
        results.append(s.sort_index())
        assert s["aa.intelligence_index"] == 45.0
        assert s["aa.gpqa"] == 0.80  # from (high), not the higher 0.90 of (medium)
        assert "aa.hle" not in s.index  # (high) has none: never borrowed from (low)
        high_row = 2 + [r["name"] for r in order].index("GPT-5 (high)")
        assert set(batch.signals["source_row"]) == {high_row}  # one entry is one row
        rejected = batch.rejected.set_index("row")
        low_row = 2 + [r["name"] for r in order].index("GPT-5 (low)")
        medium_row = 2 + [r["name"] for r in order].index("GPT-5 (medium)")
        assert set(rejected.index) == {low_row, medium_row}
        assert "ranks below 'GPT-5 (high)'" in rejected.loc[low_row, "reason"]
        assert "aa.gpqa" in rejected.loc[low_row, "reason"]
        assert "aa.hle" in rejected.loc[low_row, "reason"]  # not stored either
        assert rejected.loc[medium_row, "field"] == "name"
    pd.testing.assert_series_equal(results[0], results[1])  # the input order does not matter


def test_a_measured_index_wins_over_a_higher_estimated_one(tmp_path):
    # o3-mini on 2026-04-10: AA lists 'o3-mini' (estimated 25.86, some sub-evaluations)
    # and 'o3-mini (high)' (measured 25.21, all of them); the measured entry is kept whole.
    rows = [
        entry("o3-mini", artificial_analysis_intelligence_index="25.86",
              artificial_analysis_intelligence_index_is_estimated="True", gpqa="0.748",
              hle="0.087", critpt=""),
        entry("o3-mini (high)", artificial_analysis_intelligence_index="25.21",
              artificial_analysis_intelligence_index_is_estimated="False", gpqa="0.773",
              hle="0.123", critpt="0.003"),
    ]
    aliases = aliases_from(tmp_path, [("aa", n, "GPT-5", "") for n in
                                      ("o3-mini", "o3-mini (high)")])
    batch = read_aa(write_csv(tmp_path / "o.csv", rows, HEADER + ["critpt"]), MODELS, aliases,
                    today=TODAY)
    s = batch.signals.set_index("signal")["value"]
    assert s["aa.intelligence_index"] == 25.21 and s["aa.intelligence_index_is_estimated"] == 0
    assert (s["aa.gpqa"], s["aa.hle"], s["aa.critpt"]) == (0.773, 0.123, 0.003)
    assert set(batch.signals["source_row"]) == {3}
    reason = batch.rejected.set_index("row").loc[2, "reason"]
    assert "'25.86' estimated vs '25.21')" in reason


def test_alias_short_name_and_new_model_resolution(tmp_path):
    path = write_csv(tmp_path / "r.csv", [
        entry("Fancy Name", short_name="Fancy"),
        entry("Claude 4.5 Sonnet (Reasoning)", short_name="Claude Sonnet 4.5",
              creator_name="Anthropic"),
        entry("kimi k2"),  # exact, case-insensitive
        entry("Brand New 7B", is_open_weights="True", license_name="Apache 2.0",
              commercial_allowed="True", creator_name="Lab", creator_country="cn",
              release_date="2026-01-02", total_parameters="7.5"),
    ])
    aliases = aliases_from(tmp_path, [("aa", "fancy  name", "GPT-5", "reviewed"),
                                      ("lmarena", "Brand New 7B", "GPT-5", "other source")])
    batch = read_aa(path, MODELS, aliases, today=TODAY)
    m = batch.matches.set_index("name")
    assert (m.loc["Fancy Name", "model_id"], m.loc["Fancy Name", "how"]) == ("GPT-5", "alias")
    assert m.loc["Claude 4.5 Sonnet (Reasoning)", "model_id"] == "Claude Sonnet 4.5"
    assert m.loc["Claude 4.5 Sonnet (Reasoning)", "how"] == "exact"
    assert "short_name" in m.loc["Claude 4.5 Sonnet (Reasoning)", "candidates"]
    assert (m.loc["kimi k2", "model_id"], m.loc["kimi k2", "how"]) == ("Kimi K2", "exact")
    assert (m.loc["Brand New 7B", "model_id"], m.loc["Brand New 7B", "how"]) == (
        "Brand New 7B", "new")
    new = batch.models.set_index("model_id").loc["Brand New 7B"]
    assert new["display_name"] == "Brand New 7B"
    assert new["organization"] == "Lab" and new["country"] == "CN"
    assert pd.Timestamp(new["release_date"]) == pd.Timestamp("2026-01-02")
    assert new["accessibility"] == Accessibility.OPEN_UNRESTRICTED.value
    assert new["parameters"] == pytest.approx(7.5e9)
    assert len(batch.models) == 1
    assert set(batch.signals["model_id"]) == {"GPT-5", "Claude Sonnet 4.5", "Kimi K2",
                                              "Brand New 7B"}


def test_ambiguous_and_unmatched_names_are_rejected_rows(tmp_path):
    models = pd.concat([MODELS, pd.DataFrame({"model_id": ["sonar"], "display_name": ["Sonar"]}),
                        pd.DataFrame({"model_id": ["Sonar"], "display_name": ["Sonar"]})])
    path = write_csv(tmp_path / "a.csv", [entry("Sonar"), entry("Mystery", is_open_weights="")])
    batch = read_aa(path, models, aliases_from(tmp_path, []), today=TODAY)
    m = batch.matches.set_index("name")
    assert m.loc["Sonar", "how"] == "ambiguous" and m.loc["Mystery", "how"] == "unmatched"
    assert batch.signals.empty and batch.models.empty
    assert list(batch.rejected["row"]) == [2, 3]
    assert "ambiguous" in batch.rejected["reason"].iloc[0]


def test_renamed_entry_becomes_one_new_model_named_as_now(tmp_path):
    path = write_csv(tmp_path / "n.csv", [
        entry("Grok 9", "2026-05-01", aa_model_id="id-1", creator_name="xAI"),
        entry("Grok 9 (high)", "2026-05-08", aa_model_id="id-1", creator_name="xAI"),
    ])
    batch = read_aa(path, MODELS, aliases_from(tmp_path, []), today=TODAY)
    assert list(batch.models["model_id"]) == ["Grok 9 (high)"]
    assert set(batch.matches["model_id"]) == {"Grok 9 (high)"}
    assert len(batch.signals.query("signal == 'aa.intelligence_index'")) == 2


# -- accessibility ---------------------------------------------------------------------------
LICENCE_CASES = [
    ("False", "", "", Accessibility.API),
    ("True", "True", "Apache 2.0", Accessibility.OPEN_UNRESTRICTED),
    ("True", "", "apache-2.0", Accessibility.OPEN_UNRESTRICTED),
    ("True", "True", "Mit", Accessibility.OPEN_UNRESTRICTED),
    ("True", "True", "LLAMA 3.1 COMMUNITY LICENSE AGREEMENT", Accessibility.OPEN_RESTRICTED),
    ("True", "True", "Gemma license", Accessibility.OPEN_RESTRICTED),
    ("True", "True", "Tongyi Qianwen LICENSE AGREEMENT", Accessibility.OPEN_RESTRICTED),
    ("True", "True", "Modified MIT License", Accessibility.OPEN_RESTRICTED),
    ("True", "False", "Modified MIT License", Accessibility.OPEN_NONCOMMERCIAL),
    ("True", "False", "Apache 2.0", Accessibility.OPEN_NONCOMMERCIAL),
    ("True", "", "Mistral Research License", Accessibility.OPEN_NONCOMMERCIAL),
    ("True", "True", "Mistral Research License", Accessibility.OPEN_UNSPECIFIED),  # contradiction
    ("True", "True", "Other", Accessibility.OPEN_UNSPECIFIED),
    ("True", "True", "", Accessibility.OPEN_UNSPECIFIED),
    ("True", "", "Some Custom Licence", Accessibility.OPEN_UNSPECIFIED),
]


def test_new_models_get_the_documented_accessibility_for_each_licence(tmp_path):
    rows = [entry(f"New {i}", is_open_weights=o, commercial_allowed=c, license_name=lic)
            for i, (o, c, lic, _) in enumerate(LICENCE_CASES)]
    batch = read_aa(write_csv(tmp_path / "l.csv", rows), MODELS, aliases_from(tmp_path, []),
                    today=TODAY)
    got = batch.models.set_index("model_id")["accessibility"]
    for i, (_, _, lic, expected) in enumerate(LICENCE_CASES):
        assert got[f"New {i}"] == expected.value, lic
    assert accessibility_of(None, True, "MIT") is Accessibility.UNKNOWN
    # a proprietary licence on open weights contradicts itself: not guessed
    assert accessibility_of(True, True, "Proprietary") is Accessibility.OPEN_UNSPECIFIED


# -- errors ----------------------------------------------------------------------------------
@pytest.mark.parametrize("change, row, field, words", [
    ({"gpqa": "0.8x"}, 3, "gpqa", "not a number"),
    ({"gpqa": "84.1"}, 3, "gpqa", "outside the valid range"),
    ({"artificial_analysis_intelligence_index": "101"}, 3,
     "artificial_analysis_intelligence_index", "outside"),
    ({"snapshot_date": "05/01/2026"}, 3, "snapshot_date", "not a date"),
    ({"release_date": "2025-13-01"}, 3, "release_date", "not a date"),
    ({"snapshot_date": "2027-01-01"}, 3, "snapshot_date", "future"),
    ({"is_open_weights": "maybe"}, 3, "is_open_weights", "true/false"),
    ({"name": "gpt-5  (HIGH)"}, 3, "name", "listed twice"),
])
def test_bad_values_name_file_row_and_field(tmp_path, change, row, field, words):
    path = write_csv(tmp_path / "bad.csv", [entry("GPT-5 (high)"), {**entry("Other"), **change}])
    with pytest.raises(InputError) as info:
        read_aa(path, MODELS, aliases_from(tmp_path, []), today=TODAY)
    err = info.value
    assert (err.file, err.row, err.field) == (path, row, field)
    assert words in err.message


@pytest.mark.parametrize("column", ["name", "snapshot_date", "is_open_weights",
                                    "artificial_analysis_intelligence_index"])
def test_missing_required_column(tmp_path, column):
    header = [h for h in HEADER if h != column]
    path = write_csv(tmp_path / "m.csv", [entry("GPT-5 (high)")], header=header)
    with pytest.raises(InputError) as info:
        read_aa(path, MODELS, aliases_from(tmp_path, []), today=TODAY)
    assert (info.value.file, info.value.row, info.value.field) == (path, None, column)
    assert "missing required column" in info.value.message


# -- the llms.json payload -------------------------------------------------------------------
def payload_entry(name, index=50.0, gpqa=0.8, open_weights=False, licence=None, **extra):
    item = {
        "id": f"id-{name}", "name": name, "short_name": name, "release_date": "2025-08-07",
        "reasoning_model": True, "deprecated": False,
        "creator": {"name": "OpenAI", "slug": "openai", "country": "us"},
        "evaluations": {"artificial_analysis_intelligence_index": index,
                        "artificial_analysis_intelligence_index_is_estimated": False,
                        "gpqa": gpqa, "hle": None},
        "pricing": {"price_1m_blended_3_to_1": 3.4375},
        "open_weights": {"is_open_weights": open_weights, "commercial_allowed": True,
                         "license_name": licence},
        "breakdowns": {"gdpval": {"elo": 1348.84}},
    }
    item.update(extra)
    return item


def write_payload(folder, entries, meta=None) -> str:
    os.makedirs(folder, exist_ok=True)
    path = os.path.join(folder, "llms.json")
    with open(path, "w", encoding="utf-8") as handle:
        json.dump({"meta": meta or {}, "models": entries}, handle)
    return path


def test_json_payload_dates_rows_and_values(tmp_path):
    entries = [payload_entry("Kimi K2", index=41.5, open_weights=True, licence="Modified MIT"),
               payload_entry("Brand New", index=33.25, gpqa=0.123456789, open_weights=True,
                             licence="MIT")]
    path = write_payload(tmp_path / "2026-05-01", entries,
                         meta={"fetched_at": "2026-06-30T08:00:00+00:00"})
    batch = read_aa(path, MODELS, aliases_from(tmp_path, []), today=TODAY)
    kimi = value_of(batch, "Kimi K2", "aa.intelligence_index", "2026-05-01")  # folder date wins
    assert kimi["value"] == 41.5 and kimi["source_row"] == 1  # entry 1 of "models"
    new = value_of(batch, "Brand New", "aa.gpqa", "2026-05-01")
    assert new["value"] == 0.123456789 and new["source_row"] == 2
    assert value_of(batch, "Brand New", "aa.gdpval_elo", "2026-05-01")["value"] == 1348.84
    assert value_of(batch, "Brand New", "aa.price_blended", "2026-05-01")["value"] == 3.4375
    assert value_of(batch, "Brand New", "aa.hle", "2026-05-01") is None
    assert batch.models.set_index("model_id").loc["Brand New", "accessibility"] == \
        Accessibility.OPEN_UNRESTRICTED.value

    # Not in a dated folder: the meta's date; an explicit as_of wins over both.
    other = write_payload(tmp_path / "latest", entries,
                          meta={"fetched_at": "2026-06-30T08:00:00+00:00"})
    dates = set(read_aa(other, MODELS, aliases_from(tmp_path, []), today=TODAY).signals["as_of"])
    assert {pd.Timestamp(d) for d in dates} == {pd.Timestamp("2026-06-30")}
    forced = read_aa(other, MODELS, aliases_from(tmp_path, []), as_of=dt.date(2026, 4, 1),
                     today=TODAY)
    assert {pd.Timestamp(d) for d in forced.signals["as_of"]} == {pd.Timestamp("2026-04-01")}


def test_json_and_flat_csv_give_the_same_signals(tmp_path):
    entries = [payload_entry("GPT-5 (high)", index=44.625581, gpqa=0.8414141414141414),
               payload_entry("Brand New", index=12.0, gpqa=0.5)]
    path = write_payload(tmp_path / "2026-05-01", entries)
    flat = write_csv(tmp_path / "flat.csv", [
        entry("GPT-5 (high)", aa_model_id="id-GPT-5 (high)",
              artificial_analysis_intelligence_index="44.625581", gpqa="0.8414141414141414",
              gdpval_aa_elo="1348.84", price_1m_blended_3_to_1="3.4375"),
        entry("Brand New", aa_model_id="id-Brand New",
              artificial_analysis_intelligence_index="12.0", gpqa="0.5",
              gdpval_aa_elo="1348.84", price_1m_blended_3_to_1="3.4375"),
    ])
    aliases = aliases_from(tmp_path, [("aa", "GPT-5 (high)", "GPT-5", "")])
    a = read_aa(path, MODELS, aliases, today=TODAY)
    b = read_aa(flat, MODELS, aliases, today=TODAY)
    cols = ["model_id", "signal", "value", "as_of"]
    pd.testing.assert_frame_equal(a.signals[cols], b.signals[cols])
    pd.testing.assert_frame_equal(a.models, b.models)


@pytest.mark.parametrize("mutate, row, field, words", [
    (lambda e: e[1]["evaluations"].update(gpqa="high"), 2, "evaluations.gpqa", "not a number"),
    (lambda e: e[0]["evaluations"].update(gpqa=1.5), 1, "evaluations.gpqa", "outside"),
    (lambda e: e[1].update(release_date="yesterday"), 2, "release_date", "not a date"),
    (lambda e: e[0].update(name=None), 1, "name", "missing"),
])
def test_json_errors_name_entry_and_field_path(tmp_path, mutate, row, field, words):
    entries = [payload_entry("A"), payload_entry("B")]
    mutate(entries)
    path = write_payload(tmp_path / "2026-05-01", entries)
    with pytest.raises(InputError) as info:
        read_aa(path, MODELS, aliases_from(tmp_path, []), today=TODAY)
    assert (info.value.file, info.value.row, info.value.field) == (path, row, field)
    assert words in info.value.message


def test_json_without_a_date_asks_for_one(tmp_path):
    path = write_payload(tmp_path / "latest", [payload_entry("A")])
    with pytest.raises(InputError, match="snapshot date is unknown"):
        read_aa(path, MODELS, aliases_from(tmp_path, []), today=TODAY)


# -- the bundled file ------------------------------------------------------------------------
def test_bundled_weekly_file_golden(bundled_db):
    with Warehouse(bundled_db, read_only=True) as warehouse:
        models, sources = warehouse.models(), warehouse.sources()
    epoch_ids = set(sources.loc[sources["kind"] == "epoch", "source_id"])
    models = models.loc[models["source_id"].isin(epoch_ids)]  # Epoch models only
    path = bundled_aa_path()
    batch = read_aa(path, models, bundled_aliases())
    raw = pd.read_csv(path, dtype=str)

    as_of = pd.to_datetime(batch.signals["as_of"])
    assert as_of.nunique() == 14 == raw["snapshot_date"].nunique()
    assert batch.source.retrieved_on == dt.date(2026, 7, 10)
    # An exact match, known answer read from the file itself.
    known = raw.loc[(raw["name"] == "Muse Spark") & (raw["snapshot_date"] == "2026-04-10")]
    got = value_of(batch, "Muse Spark", "aa.intelligence_index", "2026-04-10")
    assert got["value"] == float(known["artificial_analysis_intelligence_index"].iloc[0])
    assert got["source_row"] == known.index[0] + 2
    # GPT-5 through aliases: the best of its variants on each date.
    gpt5 = raw.loc[raw["name"].str.match(r"GPT-5 \((high|medium|low|minimal|ChatGPT)\)")]
    best = gpt5.assign(v=gpt5["artificial_analysis_intelligence_index"].astype(float)) \
        .groupby("snapshot_date")["v"].max()
    for date, value in best.items():
        assert value_of(batch, "GPT-5", "aa.intelligence_index", date)["value"] == value
    counts = batch.matches["how"].value_counts()
    assert (counts.get("exact", 0), counts.get("alias", 0), counts.get("new", 0)) == (74, 164, 338)
    assert counts.get("ambiguous", 0) == 0 and counts.get("unmatched", 0) == 0
    assert len(batch.models) == 337
    # The weekly file has no index version column (the data API gives one per response).
    assert set(batch.signals["signal"]) == set(SIGNALS) - {"aa.intelligence_index_version"}
    assert batch.signals.duplicated(["model_id", "signal", "as_of"]).sum() == 0


def test_ingest_into_a_warehouse(db, tmp_path):
    # A date that is not one of the bundled weekly snapshots the warehouse already holds.
    day = "2026-07-31"
    path = write_csv(tmp_path / "w.csv", [
        entry("GPT-5 (high)", day, artificial_analysis_intelligence_index="44.5"),
        entry("Brand New 7B", day, is_open_weights="True", license_name="MIT",
              commercial_allowed="True", creator_name="Lab"),
    ])
    aliases = aliases_from(tmp_path, [("aa", "GPT-5 (high)", "GPT-5", "")])
    with Warehouse(db) as warehouse:
        report = warehouse.ingest(read_aa(path, warehouse.models(), aliases, today=TODAY))
        assert report.counts["models"].added == 1
        stored = warehouse.signals("aa.")
        model = warehouse.models().set_index("model_id").loc["Brand New 7B"]
    mine = stored.loc[pd.to_datetime(stored["as_of"]) == pd.Timestamp(day)]
    # index, estimated, gpqa, reasoning for each entry
    assert report.counts["signals"].added == len(mine) == 2 * 4
    row = mine.loc[(mine["model_id"] == "GPT-5") & (mine["signal"] == "aa.intelligence_index")]
    assert row["value"].iloc[0] == 44.5
    assert model["accessibility"] == Accessibility.OPEN_UNRESTRICTED.value


def test_reingest_is_idempotent(db, tmp_path):
    path = write_csv(tmp_path / "w.csv", [entry("GPT-5 (high)", "2026-07-31")])
    aliases = aliases_from(tmp_path, [("aa", "GPT-5 (high)", "GPT-5", "")])
    with Warehouse(db) as warehouse:
        warehouse.ingest(read_aa(path, warehouse.models(), aliases, today=TODAY))
        again = warehouse.ingest(read_aa(path, warehouse.models(), aliases, today=TODAY))
    assert again.counts["signals"].unchanged == 4 and again.counts["signals"].added == 0
