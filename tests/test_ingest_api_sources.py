"""The keyed and keyless APIs' readers on files in their real formats
(tests/fixtures/sources/{aa,openrouter}, see its README): Artificial Analysis data API v2
(both endpoints), OpenRouter's rankings-daily and model catalogue. Known answers by hand,
bad input as one-line errors naming file, row and key, the warehouse left as it was."""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil

import pandas as pd
import pytest

from gaplens import api
from gaplens.errors import InputError
from gaplens.ingest.aliases import ALIAS_COLUMNS, _key, bundled_aliases
from gaplens.ingest.artificial_analysis import index_version, read_aa, version_label
from gaplens.ingest.openrouter import read_openrouter
from gaplens.ingest.openrouter_api import citation, read_openrouter_models, undated
from gaplens.ingest.registry import ReadContext, source
from gaplens.types import Accessibility

HERE = os.path.join(os.path.dirname(__file__), "fixtures", "sources")
AA_FREE = os.path.join(HERE, "aa", "language_models_free.json")
AA_LEGACY = os.path.join(HERE, "aa", "llms_models.json")
RANKINGS = os.path.join(HERE, "openrouter", "rankings_daily.json")
CATALOGUE = os.path.join(HERE, "openrouter", "models.json")
TODAY = dt.date(2026, 11, 30)
FETCHED = dt.date(2026, 11, 29)

MODELS = pd.DataFrame({
    "model_id": ["Gemini 3.5 Flash", "GPT-6 Sol", "o3-mini", "Planted Legacy Keys", "GPT-4o",
                 "Claude 3.5 Sonnet (October 2024)", "DeepSeek V4 Pro", "DeepSeek V4 Flash",
                 "Claude Opus 4.8"],
    "accessibility": [Accessibility.API.value] * 7 + [Accessibility.OPEN_UNRESTRICTED.value,
                                                       Accessibility.API.value],
})
MODELS["display_name"] = MODELS["model_id"]


def aa_aliases() -> pd.DataFrame:
    rows = [("aa", "Gemini 3.5 Flash (High)", "Gemini 3.5 Flash", ""),
            ("aa", "Gemini 3.5 Flash (Minimal)", "Gemini 3.5 Flash", ""),
            ("aa", "GPT-6 Sol (Low)", "GPT-6 Sol", "")]
    table = pd.DataFrame(rows, columns=ALIAS_COLUMNS)
    return table.assign(key=table["name"].map(_key))


def value(batch, model, signal, as_of=None) -> float:
    rows = batch.signals.loc[(batch.signals["model_id"] == model)
                             & (batch.signals["signal"] == signal)]
    if as_of is not None:
        rows = rows.loc[pd.to_datetime(rows["as_of"]) == pd.Timestamp(as_of)]
    assert len(rows) == 1, (model, signal, rows)
    return float(rows["value"].iloc[0])


def check_error(exc, path, row=None, field=None, words=()) -> str:
    text = str(exc)
    assert "\n" not in text and str(path) in text, text
    assert exc.row == row and exc.field == field, (exc.row, exc.field, text)
    for word in words:
        assert word.lower() in text.lower(), text
    return text


def edited(tmp_path, original, change, name=None) -> str:
    with open(original, encoding="utf-8") as handle:
        doc = json.load(handle)
    change(doc)
    path = tmp_path / (name or os.path.basename(original))
    path.write_text(json.dumps(doc), encoding="utf-8")
    return str(path)


# --------------------------------------------------------------------------------------
# Artificial Analysis
# --------------------------------------------------------------------------------------
def test_aa_free_endpoint_known_answers():
    batch = read_aa(AA_FREE, MODELS, aa_aliases(), retrieved_on=FETCHED, today=TODAY)
    # Gemini 3.5 Flash: (High) 32.6 is kept over (Minimal) 23.8; every value from (High).
    assert value(batch, "Gemini 3.5 Flash", "aa.intelligence_index", FETCHED) == 32.6
    assert value(batch, "Gemini 3.5 Flash", "aa.coding_index", FETCHED) == 70.1
    assert value(batch, "Gemini 3.5 Flash", "aa.agentic_index", FETCHED) == 26
    assert value(batch, "Gemini 3.5 Flash", "aa.price_input", FETCHED) == 1.5
    assert value(batch, "Gemini 3.5 Flash", "aa.price_output", FETCHED) == 9
    assert value(batch, "GPT-6 Sol", "aa.intelligence_index", FETCHED) == 34.2
    for model in ("Gemini 3.5 Flash", "GPT-6 Sol"):
        assert value(batch, model, "aa.intelligence_index_version", FETCHED) == 4.3
    # The free tier gives no blended price and no sub-evaluations: nothing invented.
    assert not batch.signals["signal"].isin(["aa.price_blended", "aa.gpqa"]).any()
    assert len(batch.signals) == 6 + 4  # counted in the next test
    reasons = dict(zip(batch.rejected["row"], batch.rejected["reason"]))
    assert "ranks below 'Gemini 3.5 Flash (High)'" in reasons[5]
    # No open-weights flag in the API: unknown names are listed, never created.
    assert batch.models.empty
    assert "does not say whether its weights are open" in reasons[1]
    assert set(reasons) == {1, 3, 5}
    assert batch.source.retrieved_on == FETCHED


def test_aa_free_signal_count_by_hand():
    batch = read_aa(AA_FREE, MODELS, aa_aliases(), retrieved_on=FETCHED, today=TODAY)
    counts = batch.signals.groupby("model_id").size().to_dict()
    # Gemini (High): index, coding, agentic, 2 prices, version = 6;
    # GPT-6 Sol (Low): index, 2 prices, version (coding and agentic are null) = 4.
    assert counts == {"Gemini 3.5 Flash": 6, "GPT-6 Sol": 4}


def test_aa_former_endpoint_known_answers():
    batch = read_aa(AA_LEGACY, MODELS, bundled_aliases(), retrieved_on=dt.date(2026, 10, 1),
                    today=TODAY)
    assert value(batch, "o3-mini", "aa.intelligence_index") == 62.9
    assert value(batch, "o3-mini", "aa.gpqa") == 0.748
    assert value(batch, "o3-mini", "aa.price_blended") == 1.925
    # The API's spellings lcr, tau2, terminalbench_hard feed the page payload's signals.
    assert value(batch, "Planted Legacy Keys", "aa.lcr") == 0.5
    assert value(batch, "Planted Legacy Keys", "aa.tau2") == 0.25
    assert value(batch, "Planted Legacy Keys", "aa.terminal_bench_hard") == 0.125
    assert not (batch.signals["signal"] == "aa.intelligence_index_version").any()
    assert set(pd.to_datetime(batch.signals["as_of"]).dt.date) == {dt.date(2026, 10, 1)}


def test_aa_capture_folder_prefers_the_free_endpoint(tmp_path):
    folder = tmp_path / "2026-11-28"
    folder.mkdir()
    shutil.copy(AA_FREE, folder)
    shutil.copy(AA_LEGACY, folder)
    ctx = ReadContext(models=MODELS, aliases=aa_aliases(), retrieved_on=FETCHED)
    batch = source("aa").read(str(folder), ctx)
    assert set(batch.signals["model_id"]) == {"Gemini 3.5 Flash", "GPT-6 Sol"}
    # the folder's date wins over the capture date
    assert set(pd.to_datetime(batch.signals["as_of"]).dt.date) == {dt.date(2026, 11, 28)}
    os.remove(folder / "language_models_free.json")
    assert "o3-mini" in set(source("aa").read(str(folder), ctx).signals["model_id"])
    os.remove(folder / "llms_models.json")
    with pytest.raises(InputError) as err:
        source("aa").read(str(folder), ctx)
    check_error(err.value, folder, words=("language_models_free.json",))


def test_aa_response_without_a_date(tmp_path):
    path = str(shutil.copy(AA_FREE, tmp_path / "x.json"))
    with pytest.raises(InputError) as err:
        read_aa(path, MODELS, aa_aliases(), today=TODAY)
    check_error(err.value, path, field="snapshot_date", words=("date is unknown",))


@pytest.mark.parametrize("raw, expected", [(4.3, 4.3), ("4.1", 4.1), ("v4", 4.0), (4, 4.0),
                                           (None, None), ("", None)])
def test_index_version_parsing(raw, expected):
    assert index_version(raw, "f.json") == expected


@pytest.mark.parametrize("raw", ["4.1.1", "four", True, [4]])
def test_index_version_refuses_other_forms(raw):
    with pytest.raises(InputError) as err:
        index_version(raw, "f.json")
    check_error(err.value, "f.json", field="intelligence_index_version")


def test_version_label_names_composite_versions():
    assert version_label(4.0) == "v4.0" and version_label(4.1) == "v4.1"
    assert version_label(4.3) == "v4.3"


def _entry(doc, i=1):
    return doc["data"][i]


AA_BAD = {
    "renamed key": (lambda d: [e.update(model_name=e.pop("name")) for e in d["data"]],
                    None, "name", ("missing required key",)),
    "key missing in one entry": (lambda d: _entry(d).pop("name"), 2, "name",
                                 ("value is missing",)),
    "index not a number": (lambda d: _entry(d)["evaluations"].update(
        artificial_analysis_intelligence_index="high"), 2,
        "evaluations.artificial_analysis_intelligence_index", ("'high' is not a number",)),
    "index out of range": (lambda d: _entry(d)["evaluations"].update(
        artificial_analysis_intelligence_index=120), 2,
        "evaluations.artificial_analysis_intelligence_index", ("outside the valid range",)),
    "negative price": (lambda d: _entry(d)["pricing"].update(price_1m_input_tokens=-1), 2,
                       "pricing.price_1m_input_tokens", ("at least 0",)),
    "date of another form": (lambda d: _entry(d).update(release_date="19/05/2026"), 2,
                             "release_date", ("not a date",)),
    "creator not text": (lambda d: _entry(d)["model_creator"].update(name={"x": 1}), 2,
                         "model_creator.name", ()),
    "entry not an object": (lambda d: d["data"].append("GPT-6"), 6, None, ("not an object",)),
    "bad version": (lambda d: d.update(intelligence_index_version="4.x"), None,
                    "intelligence_index_version", ("not an index version",)),
    "data not a list": (lambda d: d.update(data={"a": 1}), None, "data", ("expected a list",)),
    "error status": (lambda d: d.update(status=401), None, "status", ("status 401",)),
    "one page of many": (lambda d: d.update(pagination={"page": 1, "page_size": 200,
                                                        "total_pages": 4, "has_more": True}),
                         None, "pagination.has_more", ("later pages",)),
    "no entries": (lambda d: d.update(data=[]), None, "data", ("no model entries",)),
}


@pytest.mark.parametrize("case", sorted(AA_BAD))
def test_aa_bad_response_leaves_the_warehouse_unchanged(case, tmp_path, db, snap):
    change, row, field, words = AA_BAD[case]
    path = edited(tmp_path, AA_FREE, change)
    before = snap(db)
    with pytest.raises(InputError) as err:
        api.ingest_aa(path, db=db, retrieved_on=FETCHED)
    check_error(err.value, path, row, field, words)
    assert snap(db) == before


@pytest.mark.parametrize("body, words", [
    (b'{"data": [', ("not a readable json",)),
    (b'{"error": "API key is required"}', ("no 'models' or 'data'", "error")),
    (b"<html>rate limited</html>", ()),
])
def test_aa_unreadable_body(tmp_path, db, snap, body, words):
    path = tmp_path / "language_models_free.json"
    path.write_bytes(body)
    before = snap(db)
    with pytest.raises(InputError) as err:
        api.ingest_aa(str(path), db=db, retrieved_on=FETCHED)
    check_error(err.value, path, words=words)
    assert snap(db) == before


# --------------------------------------------------------------------------------------
# OpenRouter rankings-daily
# --------------------------------------------------------------------------------------
def test_rankings_daily_known_answers():
    batch = read_openrouter(RANKINGS, MODELS, bundled_aliases(), today=TODAY)
    assert batch.source.kind == "openrouter" and batch.models.empty
    # 2026-05-11: 12,345,678 + 9,876,543 + other 4,321,098 = 26,543,319 tokens.
    assert value(batch, "GPT-4o", "openrouter.tokens_daily", "2026-05-11") == 12345678
    assert value(batch, "GPT-4o", "openrouter.share_daily", "2026-05-11") == \
        pytest.approx(12345678 / 26543319)
    assert value(batch, "Claude 3.5 Sonnet (October 2024)", "openrouter.share_daily",
                 "2026-05-11") == pytest.approx(0.3720915, abs=1e-7)
    assert value(batch, "GPT-4o", "openrouter.rank_daily", "2026-05-11") == 1
    # 2026-05-10: 8M + 6M + 1M (unmatched, still counted) + other 5M = 20M.
    assert value(batch, "Claude 3.5 Sonnet (October 2024)", "openrouter.share_daily",
                 "2026-05-10") == 0.4
    assert value(batch, "GPT-4o", "openrouter.share_daily", "2026-05-10") == 0.3
    assert value(batch, "GPT-4o", "openrouter.rank_daily", "2026-05-10") == 2
    # the weekly signals are a different thing and are not written
    assert not batch.signals["signal"].isin(["openrouter.share", "openrouter.tokens"]).any()
    rejected = batch.rejected
    assert list(rejected["row"]) == [3] and rejected["field"].iloc[0] == "model_permaslug"
    assert batch.source.retrieved_on == dt.date(2026, 5, 12)
    assert citation(batch) == "Source: OpenRouter (openrouter.ai/rankings), as of 2026-05-12."
    how = dict(zip(batch.matches["name"], batch.matches["candidates"]))
    assert "undated" in how["anthropic/claude-3.5-sonnet-20241022"]


def test_undated_slugs():
    assert undated("deepseek/deepseek-v4-flash-20260423") == "deepseek/deepseek-v4-flash"
    assert undated("openai/gpt-4o-2024-05-13:free") == "openai/gpt-4o"
    assert undated("deepseek/deepseek-r1-0528") == "deepseek/deepseek-r1-0528"


def test_rankings_daily_sums_slugs_of_one_model(tmp_path):
    rows = [{"date": "2026-05-11", "model_permaslug": "openai/gpt-4o-2024-05-13",
             "total_tokens": "300"},
            {"date": "2026-05-11", "model_permaslug": "openai/gpt-4o-2024-11-20",
             "total_tokens": "100"},
            {"date": "2026-05-11", "model_permaslug": "other", "total_tokens": "600"}]
    path = tmp_path / "r.json"
    path.write_text(json.dumps({"data": rows, "meta": {"as_of": "2026-05-12T02:00:00Z"}}))
    batch = read_openrouter(str(path), MODELS, bundled_aliases(), today=TODAY)
    assert value(batch, "GPT-4o", "openrouter.tokens_daily") == 400
    assert value(batch, "GPT-4o", "openrouter.share_daily") == 0.4
    assert value(batch, "GPT-4o", "openrouter.rank_daily") == 1


def test_rankings_daily_folder_takes_each_day_from_the_newest_response(tmp_path):
    shutil.copy(RANKINGS, tmp_path / "rankings_daily_2026.json")
    restated = {"data": [
        {"date": "2026-05-11", "model_permaslug": "openai/gpt-4o-2024-05-13",
         "total_tokens": "100"},
        {"date": "2026-05-11", "model_permaslug": "other", "total_tokens": "300"}],
        "meta": {"as_of": "2026-05-13T02:00:00Z", "version": "v1"}}
    (tmp_path / "rankings_daily.json").write_text(json.dumps(restated))
    batch = read_openrouter(str(tmp_path), MODELS, bundled_aliases(), today=TODAY)
    assert value(batch, "GPT-4o", "openrouter.share_daily", "2026-05-11") == 0.25
    assert value(batch, "GPT-4o", "openrouter.share_daily", "2026-05-10") == 0.3
    assert not ((batch.signals["model_id"] == "Claude 3.5 Sonnet (October 2024)")
                & (pd.to_datetime(batch.signals["as_of"]) == "2026-05-11")).any()
    assert batch.source.retrieved_on == dt.date(2026, 5, 13)


def _row(doc, i=0):
    return doc["data"][i]


RANKINGS_BAD = {
    "renamed key": (lambda d: _row(d).update(model_slug=_row(d).pop("model_permaslug")), 1,
                    "model_permaslug", ("missing",)),
    "tokens not a number": (lambda d: _row(d).update(total_tokens="8e6x"), 1, "total_tokens",
                            ("not a whole number",)),
    "tokens of wrong type": (lambda d: _row(d).update(total_tokens=[8]), 1, "total_tokens",
                             ("expected a number",)),
    "negative tokens": (lambda d: _row(d).update(total_tokens=-5), 1, "total_tokens",
                        ("negative",)),
    "date of another form": (lambda d: _row(d).update(date="05/10/2026"), 1, "date",
                             ("not a date",)),
    "future date": (lambda d: _row(d).update(date="2027-01-01"), 1, "date", ("future",)),
    "listed twice": (lambda d: d["data"].append(dict(_row(d))), 8, "model_permaslug",
                     ("twice",)),
    "data renamed": (lambda d: d.update(rows=d.pop("data")), None, "data", ("'data' list",)),
    "bad as_of": (lambda d: d["meta"].update(as_of="yesterday"), None, "meta.as_of",
                  ("not a timestamp",)),
}


@pytest.mark.parametrize("case", sorted(RANKINGS_BAD))
def test_rankings_daily_bad_input_leaves_the_warehouse_unchanged(case, tmp_path, db, snap):
    change, row, field, words = RANKINGS_BAD[case]
    path = edited(tmp_path, RANKINGS, change)
    before = snap(db)
    with pytest.raises(InputError) as err:
        api.ingest_openrouter(path, db=db)
    check_error(err.value, path, row, field, words)
    assert snap(db) == before


def test_rankings_daily_malformed_json(tmp_path, db, snap):
    path = tmp_path / "rankings_daily.json"
    path.write_text('{"data": [{"date": "2026-05-11",')
    before = snap(db)
    with pytest.raises(InputError) as err:
        api.ingest_openrouter(str(path), db=db)
    check_error(err.value, path, words=("not a readable json",))
    assert snap(db) == before


def test_rankings_daily_into_a_warehouse(db):
    report = api.ingest_openrouter(RANKINGS, db=db)
    assert report.counts["signals"].added > 0
    with api.open_warehouse(db) as warehouse:
        daily = warehouse.signals("openrouter.share_daily")
    assert len(daily) and (daily["value"] <= 1).all()


# --------------------------------------------------------------------------------------
# OpenRouter model catalogue
# --------------------------------------------------------------------------------------
def test_catalogue_known_answers():
    batch = read_openrouter_models(CATALOGUE, MODELS, bundled_aliases(), retrieved_on=FETCHED,
                                   today=TODAY)
    assert batch.source.kind == "openrouter_models" and batch.models.empty
    # USD per token x 10^6: 0.000000435 -> 0.435, 0.00000087 -> 0.87, 0.000005 -> 5.
    assert value(batch, "DeepSeek V4 Pro", "openrouter_models.price_input") == \
        pytest.approx(0.435)
    assert value(batch, "DeepSeek V4 Pro", "openrouter_models.price_output") == \
        pytest.approx(0.87)
    assert value(batch, "Claude Opus 4.8", "openrouter_models.price_input") == \
        pytest.approx(5.0)
    assert value(batch, "Claude Opus 4.8", "openrouter_models.price_output") == \
        pytest.approx(25.0)
    # The paid entry wins over the planted :free one (price 0, context 163,840).
    assert value(batch, "DeepSeek V4 Flash", "openrouter_models.price_input") == \
        pytest.approx(0.09)
    assert value(batch, "DeepSeek V4 Flash", "openrouter_models.context_length") == 1048576
    assert value(batch, "DeepSeek V4 Pro", "openrouter_models.hf_weights") == 1
    assert value(batch, "Claude Opus 4.8", "openrouter_models.hf_weights") == 0
    assert set(pd.to_datetime(batch.signals["as_of"]).dt.date) == {FETCHED}
    listed = {(r.row, r.field): r.reason for r in batch.rejected.itertuples()}
    assert "is kept" in listed[(3, "id")]
    assert "-1" in listed[(5, "pricing.prompt")] and "-1" in listed[(5, "pricing.completion")]
    # Weights on Hugging Face for a model held as API access: listed, not applied.
    assert "held as 'API access'" in listed[(1, "hugging_face_id")]
    assert (2, "hugging_face_id") not in listed  # V4 Flash is already open weights
    assert not any(k[1] == "hugging_face_id" for k in listed if k[0] == 4)


CATALOGUE_BAD = {
    "renamed id": (lambda d: d["data"][0].update(slug=d["data"][0].pop("id")), 1, "id",
                   ("missing",)),
    "price not a number": (lambda d: d["data"][0]["pricing"].update(prompt="cheap"), 1,
                           "pricing.prompt", ("not a number",)),
    "pricing of wrong type": (lambda d: d["data"][1].update(pricing="free"), 2, "pricing",
                              ("expected an object",)),
    "context of wrong type": (lambda d: d["data"][3].update(context_length=True), 4,
                              "context_length", ("expected a number",)),
    "hugging face id of wrong type": (lambda d: d["data"][0].update(hugging_face_id=7), 1,
                                      "hugging_face_id", ("expected text",)),
    "data renamed": (lambda d: d.update(models=d.pop("data")), None, "data",
                     ("'data' list",)),
}


def _ingest_catalogue(path, db):
    with api.open_warehouse(db, write=True) as warehouse:
        ctx = ReadContext(models=warehouse.models(), aliases=bundled_aliases(),
                          retrieved_on=FETCHED)
        return warehouse.ingest(source("openrouter_models").read(path, ctx))


@pytest.mark.parametrize("case", sorted(CATALOGUE_BAD))
def test_catalogue_bad_input_leaves_the_warehouse_unchanged(case, tmp_path, db, snap):
    change, row, field, words = CATALOGUE_BAD[case]
    path = edited(tmp_path, CATALOGUE, change)
    before = snap(db)
    with pytest.raises(InputError) as err:
        _ingest_catalogue(path, db)
    check_error(err.value, path, row, field, words)
    assert snap(db) == before


def test_catalogue_does_not_change_accessibility(tmp_path, db):
    with api.open_warehouse(db) as warehouse:
        models = warehouse.models()
    closed = models.loc[models["accessibility"] == Accessibility.API.value, "model_id"].iloc[0]
    doc = {"data": [{"id": "planted/closed", "name": closed,
                     "hugging_face_id": "planted/weights", "context_length": 8192,
                     "pricing": {"prompt": "0.000001", "completion": "0.000002"}}]}
    path = tmp_path / "models.json"
    path.write_text(json.dumps(doc))
    _ingest_catalogue(str(path), db)
    with api.open_warehouse(db) as warehouse:
        after = warehouse.models().set_index("model_id")
        rejected = warehouse.rejected()
        signals = warehouse.signals("openrouter_models.")
    assert after.loc[closed, "accessibility"] == Accessibility.API.value
    assert rejected["reason"].str.contains("planted/weights").any()
    got = signals.loc[signals["model_id"] == closed].set_index("signal")["value"]
    assert got["openrouter_models.hf_weights"] == 1
    assert got["openrouter_models.price_output"] == pytest.approx(2.0)


def test_declarations():
    aa, daily, catalogue = source("aa"), source("openrouter"), source("openrouter_models")
    assert aa.key_env == "ARTIFICIAL_ANALYSIS_API_KEY" and aa.key_header == "x-api-key"
    assert [e.paged for e in aa.endpoints] == [True, False]
    assert daily.key_env == "OPENROUTER_API_KEY" and daily.key_required
    assert all("rankings-daily" in e.url for e in daily.endpoints)
    assert catalogue.key_env is None and not catalogue.key_required
    assert catalogue.endpoints[0].url == "https://openrouter.ai/api/v1/models"


@pytest.mark.parametrize("argv", [["openrouter", RANKINGS],
                                  ["aa", AA_FREE, "--retrieved-on", "2026-11-29"]])
def test_ingest_command_at_80_columns(capsys, monkeypatch, db, argv):
    from gaplens._cli.main import main

    monkeypatch.setenv("COLUMNS", "80")
    code = main(["ingest", *argv, "--db", db])
    out = capsys.readouterr().out
    assert code == 0
    assert max(len(line) for line in out.splitlines()) <= 80, out
    assert "signals" in out and "unmatched" in out


def test_catalogue_malformed_json(tmp_path, db, snap):
    path = tmp_path / "models.json"
    path.write_text('{"data": [{"id": "x/y", "pricing": {"prompt": "0.1"')
    before = snap(db)
    with pytest.raises(InputError) as err:
        _ingest_catalogue(str(path), db)
    check_error(err.value, path, words=("not a readable json",))
    assert snap(db) == before
