"""Publisher downloads: LMArena's parquet dataset, LiveBench release captures, ARC Prize
and WeirdML, read from files in their real formats (tests/fixtures/sources/<source>/).

Known answers are worked out by hand from the fixture rows (quoted in the comments); bad
input must raise one InputError naming file, row and field and leave a warehouse as it was.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import shutil

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gaplens.errors import InputError
from gaplens.ingest.aliases import ALIAS_COLUMNS, read_aliases
from gaplens.ingest.arcprize import read_arcprize
from gaplens.ingest.batch import IngestBatch, SourceInfo
from gaplens.ingest.livebench import TABLE_FILE, read_livebench
from gaplens.ingest.lmarena import parquet_config, read_lmarena
from gaplens.ingest.registry import ReadContext, source
from gaplens.ingest.taxonomy import bundled_path, bundled_taxonomy
from gaplens.ingest.tidy_csv import read_tidy_csv
from gaplens.ingest.weirdml import read_weirdml
from gaplens.store.warehouse import Warehouse
from gaplens.types import Accessibility

FIXTURES = os.path.join(os.path.dirname(__file__), "fixtures", "sources")
TODAY = dt.date(2026, 11, 30)

MODELS = pd.DataFrame({
    "model_id": ["GPT-5.2", "Claude Opus 4.6 (thinking)", "Claude Opus 4.5", "gpt-oss-120b"],
    "display_name": ["GPT-5.2", "Claude Opus 4.6 (thinking)", "Claude Opus 4.5",
                     "gpt-oss-120b"],
    "release_date": pd.to_datetime(["2025-12-11", "2026-02-05", "2025-11-24", "2025-08-05"]),
    "accessibility": ["API access", "API access", "API access",
                      "Open weights (unrestricted)"],
})


def no_aliases() -> pd.DataFrame:
    return pd.DataFrame(columns=ALIAS_COLUMNS + ["key"])


def aliases(tmp_path, rows: list[tuple[str, str, str]]) -> pd.DataFrame:
    path = tmp_path / "aliases.csv"
    pd.DataFrame([(s, n, m, "") for s, n, m in rows], columns=ALIAS_COLUMNS).to_csv(
        path, index=False)
    return read_aliases(str(path))


def signal(batch, model: str, name: str) -> float:
    s = batch.signals
    hit = s.loc[(s["model_id"] == model) & (s["signal"] == name), "value"]
    assert len(hit) == 1, (model, name, len(hit))
    return float(hit.iloc[0])


# The dataset's column types (as the datasets-server reports them).
ARENA_SCHEMA = pa.schema([
    ("model_name", pa.string()), ("organization", pa.string()), ("license", pa.string()),
    ("rating", pa.float64()), ("rating_lower", pa.float64()), ("rating_upper", pa.float64()),
    ("variance", pa.float64()), ("vote_count", pa.int64()), ("rank", pa.int64()),
    ("category", pa.string()), ("leaderboard_publish_date", pa.string()),
])


def arena_parquet(csv_name: str, out, schema: pa.Schema = ARENA_SCHEMA,
                  edit=None) -> str:
    """Write the fixture CSV ``csv_name`` as a parquet file in the dataset's layout."""
    frame = pd.read_csv(os.path.join(FIXTURES, "lmarena", csv_name), dtype=str)
    if edit is not None:
        frame = edit(frame)
    columns = {}
    for f in schema:
        values = frame[f.name]
        if pa.types.is_integer(f.type):
            values = values.astype("Int64")
        elif pa.types.is_floating(f.type):
            values = values.astype(float)
        columns[f.name] = pa.array(values.tolist(), type=f.type, from_pandas=True)
    os.makedirs(os.path.dirname(str(out)), exist_ok=True)
    pq.write_table(pa.table(columns, schema=schema), str(out))
    return str(out)


def arena_capture(tmp_path) -> str:
    folder = tmp_path / "lmarena"
    arena_parquet("text-latest.csv", folder / "text-latest.parquet")
    arena_parquet("webdev-latest.csv", folder / "webdev-latest.parquet")
    return str(folder)


def arena_aliases(tmp_path):
    return aliases(tmp_path, [("lmarena", "claude-opus-4-6-thinking",
                               "Claude Opus 4.6 (thinking)")])


# -- LMArena ---------------------------------------------------------------------------------

def test_lmarena_parquet_capture_known_answers(tmp_path):
    batch = read_lmarena(arena_capture(tmp_path), MODELS, arena_aliases(tmp_path), today=TODAY)
    # text-latest: gpt-5.2,OpenAI,Proprietary,1439,1435,1443,...,29417,43,overall,2026-04-19
    assert signal(batch, "GPT-5.2", "lmarena.text") == 1439
    assert signal(batch, "GPT-5.2", "lmarena.text_ci") == (1443 - 1435) / 2
    assert signal(batch, "GPT-5.2", "lmarena.text_votes") == 29417
    assert signal(batch, "GPT-5.2", "lmarena.text_rank") == 43
    # webdev-latest continues the daily file's "code" series: gpt-5.2 1404, 1387..1421
    assert signal(batch, "GPT-5.2", "lmarena.code") == 1404
    assert signal(batch, "GPT-5.2", "lmarena.code_ci") == 17
    assert signal(batch, "Claude Opus 4.6 (thinking)", "lmarena.text") == 1503
    assert set(pd.to_datetime(batch.signals["as_of"])) == {pd.Timestamp("2026-04-19")}
    # Only "overall" by default: the two coding rows are not stored.
    assert not batch.signals["signal"].str.contains("coding").any()
    assert set(batch.signals["source_file"]) == {"text-latest.parquet", "webdev-latest.parquet"}
    # 7 + 4 rows, two matched models; the five other names are created from their licence.
    assert len(batch.signals) == 4 * 11
    new = batch.models.set_index("model_id")
    assert set(new.index) == {"claude-opus-4-7-thinking", "claude-opus-4-7", "glm-5.1",
                              "gemma-4-26b-a4b", "kimi-k2.5-instant"}
    assert Accessibility(new.at["glm-5.1", "accessibility"]).is_open_weights
    assert new.at["claude-opus-4-7", "accessibility"] == Accessibility.API.value
    assert batch.rejected.empty


def test_lmarena_subcategories_on_request(tmp_path):
    batch = read_lmarena(arena_capture(tmp_path), MODELS, arena_aliases(tmp_path), today=TODAY,
                         categories=("overall", "coding"))
    # claude-opus-4-6-thinking,...,1512,1502,1522,...,6120,1,coding
    assert signal(batch, "Claude Opus 4.6 (thinking)", "lmarena.text.coding") == 1512
    assert signal(batch, "Claude Opus 4.6 (thinking)", "lmarena.text.coding_ci") == 10
    assert signal(batch, "Claude Opus 4.6 (thinking)", "lmarena.text") == 1503


def test_lmarena_hub_layout_names_the_config_by_folder(tmp_path):
    path = arena_parquet("webdev-latest.csv", tmp_path / "webdev" / "latest-00000-of-00001.parquet")
    assert parquet_config(path) == "webdev"
    batch = read_lmarena(path, MODELS, arena_aliases(tmp_path), today=TODAY)
    assert signal(batch, "GPT-5.2", "lmarena.code") == 1404
    for endpoint in source("lmarena").endpoints:  # the declared capture names read
        assert parquet_config(os.path.join(str(tmp_path), endpoint.name)) in (
            "text", "webdev", "vision")


@pytest.mark.parametrize("edit, retype, row, field, text", [
    (lambda f: f.rename(columns={"rating": "elo"}), ("rating", pa.field("elo", pa.float64())),
     None, "rating", "missing required column 'rating'"),
    (lambda f: f.assign(rating=f["rating"].where(f.index != 2, "high")),
     ("rating", pa.field("rating", pa.string())), 3, "rating", "'high' is not a number"),
    (lambda f: f.assign(rating_upper=f["rating_upper"].where(f.index != 4, "1400")), None, 5,
     "rating_upper", "below rating_lower"),
    (lambda f: f.assign(leaderboard_publish_date="2027-01-01"), None, 1,
     "leaderboard_publish_date", "in the future"),
    (lambda f: f.assign(category="Overall-renamed"), None, None, "category", "no rows of"),
])
def test_lmarena_bad_parquet(tmp_path, edit, retype, row, field, text):
    arrow = ARENA_SCHEMA
    if retype is not None:
        arrow = ARENA_SCHEMA.set(ARENA_SCHEMA.get_field_index(retype[0]), retype[1])
    path = arena_parquet("text-latest.csv", tmp_path / "text-latest.parquet", arrow, edit)
    with pytest.raises(InputError) as info:
        read_lmarena(path, MODELS, arena_aliases(tmp_path), today=TODAY)
    error = info.value
    assert error.file == path and error.field == field and error.row == row
    assert text in str(error) and "\n" not in str(error)


def test_lmarena_malformed_parquet(tmp_path):
    path = tmp_path / "text-latest.parquet"
    path.write_bytes(b"PAR1 this is not a parquet file PAR1")
    with pytest.raises(InputError, match="not a readable parquet file") as info:
        read_lmarena(str(path), MODELS, no_aliases(), today=TODAY)
    assert info.value.file == str(path)
    html = tmp_path / "vision-latest.parquet"
    html.write_text("<!doctype html><title>Not found</title>")
    with pytest.raises(InputError, match="not a readable parquet file"):
        read_lmarena(str(html), MODELS, no_aliases(), today=TODAY)


# -- LiveBench -------------------------------------------------------------------------------

def livebench_capture(tmp_path) -> str:
    """A capture of the publisher's release files: no model metadata file."""
    folder = tmp_path / "livebench"
    shutil.copytree(os.path.join(FIXTURES, "livebench"), folder,
                    ignore=shutil.ignore_patterns("*.md"))
    return str(folder)


def test_livebench_capture_reads_with_the_bundled_metadata(tmp_path):
    folder = livebench_capture(tmp_path)
    batch = source("livebench").read(folder, ReadContext(models=MODELS, aliases=no_aliases()))
    # glm-4.7: theory_of_mind 76.923, zebra_puzzle 18.0, spatial 82.0, logic_with_navigation 62.0
    assert signal(batch, "glm-4.7", "livebench.reasoning") == pytest.approx(
        (76.923 + 18.0 + 82.0 + 62.0) / 4)
    # gpt-5.2-2025-12-11-high and -low share the base model of the bundled metadata; high is
    # kept (higher average). IF for -high: paraphrase 64.1, simplify 54.083,
    # story_generation 65.7, summarize 63.2.
    assert signal(batch, "gpt-5.2-2025-12-11", "livebench.if") == pytest.approx(
        (64.1 + 54.083 + 65.7 + 63.2) / 4)
    assert len(batch.rejected) == 1 and "gpt-5.2-2025-12-11-low" in batch.rejected.at[0, "reason"]
    created = batch.models.set_index("model_id")
    assert created.at["glm-4.7", "accessibility"] == Accessibility.OPEN_UNSPECIFIED.value
    assert created.at["gpt-5.2-2025-12-11", "accessibility"] == Accessibility.API.value
    assert set(pd.to_datetime(batch.signals["as_of"])) == {pd.Timestamp("2026-01-08")}
    names = [e.name for e in source("livebench").endpoints]
    assert sorted(names) == sorted(os.listdir(folder))
    assert any(TABLE_FILE.match(n) for n in names)


def test_livebench_capture_without_metadata_rejects_unknown_names(tmp_path):
    batch = read_livebench(livebench_capture(tmp_path), MODELS, no_aliases(), today=TODAY)
    assert batch.models.empty and batch.signals.empty
    assert len(batch.rejected) == 4
    with pytest.raises(InputError, match="no such file"):
        read_livebench(livebench_capture(tmp_path / "b"), MODELS, no_aliases(), today=TODAY,
                       metadata=str(tmp_path / "missing.csv"))


def test_livebench_capture_bad_category_file(tmp_path):
    folder = livebench_capture(tmp_path)
    with open(os.path.join(folder, "categories_2026_01_08.json"), "w") as handle:
        handle.write('{"Reasoning": ["theory_of_mind",')
    with pytest.raises(InputError, match="not a readable JSON file"):
        read_livebench(folder, MODELS, no_aliases(), today=TODAY,
                       metadata=bundled_path("livebench/livebench_model_metadata.csv"))


# -- ARC Prize -------------------------------------------------------------------------------

def arc_capture(tmp_path) -> str:
    folder = tmp_path / "arcprize"
    shutil.copytree(os.path.join(FIXTURES, "arcprize"), folder,
                    ignore=shutil.ignore_patterns("*.md"))
    return str(folder)


def test_arcprize_known_answers(tmp_path):
    batch = read_arcprize(arc_capture(tmp_path), MODELS, no_aliases(), today=TODAY,
                          as_of=dt.date(2026, 11, 29))
    results = batch.results.set_index(["version_id", "benchmark"])
    # record 1: v2_Semi_Private, openai-gpt-5-2-xhigh, score 0.5 -> ARC-AGI-2 (baseline 0,
    # ceiling 1: the normalised score is the raw score)
    row = results.loc[("arcprize/openai-gpt-5-2-xhigh", "ARC-AGI-2")]
    assert row["raw_score"] == 0.5 and row["score"] == 0.5
    assert row["setting"] == "Name=GPT-5.2 (xHigh)" and row["source_row"] == 1
    assert results.loc[("arcprize/openai-gpt-5-2-xhigh", "ARC-AGI"), "raw_score"] == 0.8
    assert results.loc[("arcprize/anthropic-claude-opus-4-5-thinking-64k", "ARC-AGI-2"),
                       "raw_score"] == 0.375
    assert len(batch.results) == 4  # public eval and ARC-AGI-3 rows are not read
    versions = batch.versions.set_index("version_id")
    assert versions.at["arcprize/openai-gpt-5-2-medium", "model_id"] == "GPT-5.2"
    assert versions.at["arcprize/anthropic-claude-opus-4-5-thinking-64k",
                       "model_id"] == "Claude Opus 4.5"  # via the name without "(Thinking 64K)"
    assert versions.at["arcprize/openai-gpt-5-2-xhigh", "release_date"] == pd.Timestamp(
        "2025-12-11")
    assert batch.models.empty
    # The cost of each model's best-scoring entry: xHigh (0.5) beats Medium (0.25).
    assert signal(batch, "GPT-5.2", "arcprize.arc_agi_2_cost_per_task") == 1.5
    assert signal(batch, "GPT-5.2", "arcprize.arc_agi_1_cost_per_task") == 0.9
    assert signal(batch, "Claude Opus 4.5", "arcprize.arc_agi_2_cost_per_task") == 2.4
    assert set(pd.to_datetime(batch.signals["as_of"])) == {pd.Timestamp("2026-11-29")}
    rejected = batch.rejected.set_index("row")
    assert set(rejected.index) == {5, 6}
    assert "Human Panel" in rejected.at[5, "reason"]
    assert "not shown" in rejected.at[6, "reason"]


def arc_error(tmp_path, edit, name="evaluations.json") -> InputError:
    folder = arc_capture(tmp_path)
    path = os.path.join(folder, name)
    with open(path) as handle:
        doc = json.load(handle)
    with open(path, "w") as handle:
        handle.write(edit(doc) if callable(edit) else edit)
    with pytest.raises(InputError) as info:
        read_arcprize(folder, MODELS, no_aliases(), today=TODAY)
    assert info.value.file == path and "\n" not in str(info.value)
    return info.value


def with_record(doc, i, **change):
    doc[i].update(change)
    for key, value in change.items():
        if value is KeyError:
            del doc[i][key]
    return json.dumps(doc)


def test_arcprize_bad_input(tmp_path):
    e = arc_error(tmp_path / "a", '[{"datasetId": "v2_Semi_Private", ')
    assert "not a readable JSON file" in e.message
    e = arc_error(tmp_path / "b", lambda d: with_record(d, 1, score="0.25"))
    assert (e.row, e.field) == (2, "score") and "is not a number" in e.message
    e = arc_error(tmp_path / "c", lambda d: with_record(d, 0, score=1.5))
    assert (e.row, e.field) == (1, "score") and "outside" in e.message
    e = arc_error(tmp_path / "d", lambda d: json.dumps(
        [{("accuracy" if k == "score" else k): v for k, v in r.items()} for r in d]))
    assert (e.row, e.field) == (1, "score") and "missing field" in e.message
    e = arc_error(tmp_path / "e", lambda d: with_record(d, 7, costPerTask=-1))
    assert (e.row, e.field) == (8, "costPerTask")
    e = arc_error(tmp_path / "f", lambda d: with_record(d, 1, modelId="openai-gpt-9"))
    assert (e.row, e.field) == (2, "modelId") and "models.json" in e.message
    e = arc_error(tmp_path / "g", lambda d: json.dumps(d[:1] * 2), name="models.json")
    assert (e.row, e.field) == (2, "id") and "twice" in e.message
    e = arc_error(tmp_path / "h", '{"models": 3}', name="models.json")
    assert "array" in e.message


def test_arcprize_denormalised_leaderboard_file(tmp_path):
    folder = tmp_path / "arc"
    folder.mkdir()
    rows = [{"datasetId": "v2_Semi_Private", "modelId": "openai-gpt-5-2-xhigh",
             "modelDisplayName": "GPT-5.2 (xHigh)", "modelReleaseDate": "2025-12-11T00:00:00.000Z",
             "score": 0.5, "costPerTask": 1.5, "display": True}]
    (folder / "evaluations.json").write_text(json.dumps({"version": 2, "evaluations": rows}))
    batch = read_arcprize(str(folder), MODELS, no_aliases(), today=TODAY)
    assert batch.results["raw_score"].tolist() == [0.5]
    assert batch.versions["model_id"].tolist() == ["GPT-5.2"]


def table_rows(w: Warehouse) -> str:
    parts = []
    for table in ("models", "model_versions", "results", "signals", "sources", "rejected"):
        frame = w.query(f"SELECT * FROM {table}")
        frame = frame.drop(columns=[c for c in ("ingested_at",) if c in frame])
        parts.append(frame.sort_values(list(frame.columns)[:3]).to_csv(index=False))
    return hashlib.sha256("".join(parts).encode()).hexdigest()


def test_publisher_results_never_overwrite_another_sources_result(tmp_path):
    """An earlier result for the same model and benchmark (Epoch's copy of the ARC Prize
    leaderboard, here a tidy CSV) stays as it was; the publisher's sits beside it."""
    taxonomy = bundled_taxonomy()
    csv = tmp_path / "epoch_like.csv"
    csv.write_text("model,benchmark,score,release_date,accessibility,model_version\n"
                   "GPT-5.2,ARC-AGI-2,0.4,2025-12-11,API access,gpt-5.2-2025-12-11_xhigh\n"
                   "Claude Opus 4.5,ARC-AGI-2,0.3,2025-11-24,API access,claude-opus-4-5\n"
                   "gpt-oss-120b,ARC-AGI-2,0.05,2025-08-05,Open weights (unrestricted),"
                   "gpt-oss-120b\n")
    with Warehouse(str(tmp_path / "w.duckdb")) as w:
        w.ingest(IngestBatch(source=SourceInfo(kind="csv", path="taxonomy", sha256="0",
                                               retrieved_on=TODAY),
                             benchmarks=taxonomy.benchmarks, domains=taxonomy.domains))
        w.ingest(read_tidy_csv(str(csv), taxonomy.benchmarks, taxonomy.domains, w.models(),
                               today=TODAY))
        w.ingest(read_arcprize(arc_capture(tmp_path), w.models(), no_aliases(), taxonomy,
                               today=TODAY))
        results = w.query("SELECT version_id, raw_score FROM results WHERE benchmark = "
                          "'ARC-AGI-2' ORDER BY version_id")
        assert dict(zip(results["version_id"], results["raw_score"])) == {
            "arcprize/anthropic-claude-opus-4-5-thinking-64k": 0.375,
            "arcprize/openai-gpt-5-2-medium": 0.25,
            "arcprize/openai-gpt-5-2-xhigh": 0.5,
            "claude-opus-4-5": 0.3,
            "gpt-5.2-2025-12-11_xhigh": 0.4,
            "gpt-oss-120b": 0.05,
        }
        # A bad download leaves the warehouse exactly as it was.
        before = table_rows(w)
        bad = tmp_path / "bad"
        shutil.copytree(arc_capture(tmp_path / "again"), bad)
        (bad / "evaluations.json").write_text("<!doctype html><p>Service unavailable</p>")
        with pytest.raises(InputError):
            w.ingest(read_arcprize(str(bad), w.models(), no_aliases(), taxonomy, today=TODAY))
        with pytest.raises(InputError):
            w.ingest(read_weirdml(str(csv), w.models(), no_aliases(), taxonomy, today=TODAY))
        assert table_rows(w) == before


# -- WeirdML ---------------------------------------------------------------------------------

def weirdml_file(tmp_path, edit=None) -> str:
    path = tmp_path / "weirdml_data.csv"
    text = open(os.path.join(FIXTURES, "weirdml", "weirdml_data.csv"), encoding="utf-8").read()
    path.write_text(edit(text) if edit else text, encoding="utf-8")
    return str(path)


def test_weirdml_known_answers(tmp_path):
    batch = read_weirdml(weirdml_file(tmp_path), MODELS, no_aliases(), today=TODAY,
                         as_of=dt.date(2026, 11, 29))
    results = batch.results.set_index("version_id")
    # gpt-5.2,gpt-5.2 (xhigh),...,avg_acc 0.7219309803921569, se 0.019191659635557603
    assert results.at["weirdml/gpt-5.2", "raw_score"] == 0.7219309803921569
    assert results.at["weirdml/gpt-5.2", "stderr"] == 0.019191659635557603
    assert results.at["weirdml/gpt-5.2", "score"] == 0.7219309803921569  # baseline 0, ceiling 1
    assert results.at["weirdml/gpt-5.2", "setting"] == "Name=gpt-5.2 (xhigh)"
    assert set(results["benchmark"]) == {"WeirdML"}
    versions = batch.versions.set_index("version_id")
    assert versions.at["weirdml/gpt-5.2:medium", "model_id"] == "GPT-5.2"
    # "claude-opus-4.5 (high, 16k)" -> "claude-opus-4.5" -> "claude opus 4.5"
    assert versions.at["weirdml/claude-opus-4.5", "model_id"] == "Claude Opus 4.5"
    assert versions.at["weirdml/gpt-oss-120b:ollama", "model_id"] == "gpt-oss-120b"
    assert versions.at["weirdml/gpt-5.2", "release_date"] == pd.Timestamp("2025-12-11")
    matches = batch.matches.set_index("name")
    assert matches.at["claude-opus-4.5", "candidates"] == "via 'claude opus 4.5'"
    # Cost per run of the best row: gpt-oss-120b:ollama (0.4817) beats :fireworks (0.4188).
    assert signal(batch, "GPT-5.2", "weirdml.cost_per_run") == 2.0473807117647063
    assert signal(batch, "gpt-oss-120b", "weirdml.cost_per_run") == pytest.approx(0.03348, abs=1e-5)
    assert batch.rejected["row"].tolist() == [3]  # glm-5.2:max matches no model
    assert batch.models.empty and np.isnan(batch.versions["epoch_eci"]).all()


@pytest.mark.parametrize("edit, row, field, text", [
    (lambda t: t.replace("avg_acc,", "mean_acc,", 1), None, "avg_acc",
     "missing required column 'avg_acc'"),
    (lambda t: t.replace("0.7219309803921569", "n/a"), 2, "avg_acc", "'n/a' is not a number"),
    (lambda t: t.replace("0.7219309803921569", "1.21"), 2, "avg_acc", "outside the valid range"),
    (lambda t: t.replace("gpt-5.2:medium,", "gpt-5.2,", 1), 5, "internal_model_name", "twice"),
    (lambda t: t.replace("2025-12-11", "11/12/2025", 1), 2, "release_date", "not a date"),
])
def test_weirdml_bad_input(tmp_path, edit, row, field, text):
    path = weirdml_file(tmp_path, edit)
    with pytest.raises(InputError) as info:
        read_weirdml(path, MODELS, no_aliases(), today=TODAY)
    error = info.value
    assert (error.file, error.row, error.field) == (path, row, field)
    assert text in str(error)


def test_publisher_declarations_are_keyless_and_read_their_capture(tmp_path):
    ctx = ReadContext(models=MODELS, aliases=no_aliases(), taxonomy=bundled_taxonomy(),
                      retrieved_on=dt.date(2026, 11, 29))
    for name, capture in (("arcprize", arc_capture(tmp_path)),
                          ("weirdml", os.path.dirname(weirdml_file(tmp_path)))):
        declared = source(name)
        assert declared.key_env is None and not declared.bundle_allowed
        assert not declared.creates_models
        assert {e.name for e in declared.endpoints} <= set(os.listdir(capture))
        batch = declared.read(capture, ctx)
        assert batch.source.kind == name and not batch.results.empty
        assert set(pd.to_datetime(batch.signals["as_of"])) == {pd.Timestamp("2026-11-29")}


@pytest.mark.parametrize("date_type", [pa.date32(), pa.timestamp("us"), pa.large_string()])
def test_lmarena_publish_date_in_any_arrow_date_type(tmp_path, date_type):
    def retype(frame):
        if pa.types.is_date(date_type) or pa.types.is_timestamp(date_type):
            return frame.assign(leaderboard_publish_date=pd.to_datetime(
                frame["leaderboard_publish_date"]))
        return frame
    schema = ARENA_SCHEMA.set(ARENA_SCHEMA.get_field_index("leaderboard_publish_date"),
                              pa.field("leaderboard_publish_date", date_type))
    frame = retype(pd.read_csv(os.path.join(FIXTURES, "lmarena", "webdev-latest.csv")))
    table = pa.Table.from_pandas(frame, schema=schema, preserve_index=False)
    path = tmp_path / "webdev-latest.parquet"
    pq.write_table(table, str(path))
    batch = read_lmarena(str(path), MODELS, arena_aliases(tmp_path), today=TODAY)
    assert set(pd.to_datetime(batch.signals["as_of"])) == {pd.Timestamp("2026-04-19")}
    assert signal(batch, "GPT-5.2", "lmarena.code_votes") == 1461


@settings(max_examples=15, deadline=None)
@given(order=st.permutations(range(8)))
def test_arcprize_reading_does_not_depend_on_record_order(tmp_path_factory, order):
    """The leaderboard's order carries no meaning: shuffled records give the same results,
    versions and cost signals (only the record numbers move)."""
    reference = read_arcprize(os.path.join(FIXTURES, "arcprize"), MODELS, no_aliases(),
                              today=TODAY, as_of=dt.date(2026, 11, 29))
    folder = tmp_path_factory.mktemp("arc")
    with open(os.path.join(FIXTURES, "arcprize", "evaluations.json")) as handle:
        records = json.load(handle)
    (folder / "evaluations.json").write_text(json.dumps([records[i] for i in order]))
    shutil.copy(os.path.join(FIXTURES, "arcprize", "models.json"), folder / "models.json")
    batch = read_arcprize(str(folder), MODELS, no_aliases(), today=TODAY,
                          as_of=dt.date(2026, 11, 29))

    def key(frame, columns):
        return sorted(map(tuple, frame[columns].astype(str).to_numpy()))

    assert key(batch.results, ["version_id", "benchmark", "raw_score"]) == key(
        reference.results, ["version_id", "benchmark", "raw_score"])
    assert key(batch.signals, ["model_id", "signal", "value"]) == key(
        reference.signals, ["model_id", "signal", "value"])
    assert key(batch.versions, ["version_id", "model_id", "release_date"]) == key(
        reference.versions, ["version_id", "model_id", "release_date"])
    assert len(batch.rejected) == len(reference.rejected)


def test_lmarena_parquet_file_name_must_name_the_arena(tmp_path):
    path = arena_parquet("text-latest.csv", tmp_path / "leaderboard.parquet")
    with pytest.raises(InputError, match="not an LMArena dataset file name"):
        read_lmarena(path, MODELS, no_aliases(), today=TODAY)
