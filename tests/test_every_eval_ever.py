"""Every Eval Ever records (schema 0.2): import with known answers, standard errors from
instance-level JSONL computed by hand, one-line errors that leave the warehouse as it
was, and the export -> import round trip on a slice of the bundled data.

The records here are written by hand after the schema
(github.com/evaleval/every_eval_ever, every_eval_ever/schemas/eval.schema.json 0.2.3 and
instance_level_eval.schema.json); none is copied from that repository."""

from __future__ import annotations

import datetime as dt
import functools
import json
import math
import os
import tempfile

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gaplens import api
from gaplens.errors import InputError
from gaplens.ingest import IngestBatch, SourceInfo, bundled_taxonomy
from gaplens.ingest.aliases import bundled_aliases, read_aliases
from gaplens.ingest.eee_export import EXPORT_COLUMNS, build_records, write_records
from gaplens.ingest.eee_format import check_aggregate
from gaplens.ingest.every_eval_ever import mean_and_se, read_every_eval_ever
from gaplens.store import Warehouse

API = "API access"
OPEN = "Open weights (unrestricted)"
MODELS = pd.DataFrame({
    "model_id": ["Model A", "Model B"],
    "display_name": ["Model A", "Model B"],
    "release_date": pd.to_datetime(["2024-05-13", "2025-02-01"]),
    "accessibility": [API, OPEN],
    "source_accessibility": [API, OPEN],
})
EVAL_ID = "my-evals/openai/model-a/1750000000"


def result(name="GPQA diamond", score=0.85, se=None, result_id=None, **metric) -> dict:
    item = {
        "evaluation_name": name,
        "source_data": {"dataset_name": name, "source_type": "hf_dataset",
                        "hf_repo": "example/dataset"},
        "metric_config": {"lower_is_better": False, "score_type": "continuous",
                          "min_score": 0.0, "max_score": 1.0, **metric},
        "score_details": {"score": score},
    }
    if result_id:
        item["evaluation_result_id"] = result_id
    if se is not None:
        item["score_details"]["uncertainty"] = {"standard_error": {"value": se}}
    return item


def record(model="openai/Model A", results=None, eval_id=EVAL_ID,
           retrieved="1750000000", **extra) -> dict:
    return {
        "schema_version": "0.2.3",
        "evaluation_id": eval_id,
        "retrieved_timestamp": retrieved,
        "source_metadata": {"source_name": "My evals", "source_type": "evaluation_run",
                            "source_organization_name": "Example Lab",
                            "evaluator_relationship": "third_party"},
        "eval_library": {"name": "inspect_ai", "version": "0.3.100"},
        "model_info": {"name": model.rsplit("/", 1)[-1], "id": model,
                       "additional_details": {"deployment_type": "externally_managed",
                                              "model_availability": "closed_weights"}},
        "evaluation_results": results if results is not None else [result()],
        **extra,
    }


def instance(score, name="GPQA diamond", sample="s1", eval_id=EVAL_ID, **extra) -> dict:
    return {"schema_version": "0.2.3", "evaluation_id": eval_id, "model_id": "openai/Model A",
            "evaluation_name": name, "sample_id": sample, "interaction_type": "single_turn",
            "input": {"raw": "Q?", "reference": ["A"]}, "output": {"raw": ["A"]},
            "answer_attribution": [{"turn_idx": 0, "source": "output.raw",
                                    "extracted_value": "A", "extraction_method": "exact_match",
                                    "is_terminal": True}],
            "evaluation": {"score": score, "is_correct": score == 1}, **extra}


def write(path, doc) -> str:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(doc), encoding="utf-8")
    return str(path)


def write_samples(folder, lines, name="0a1b2c3d-0000-4000-8000-000000000001") -> dict:
    """A ``<uuid>_samples.jsonl`` in ``folder`` and the aggregate's reference to it."""
    text = "\n".join(line if isinstance(line, str) else json.dumps(line) for line in lines)
    folder.mkdir(parents=True, exist_ok=True)
    (folder / f"{name}_samples.jsonl").write_text(text + "\n", encoding="utf-8")
    return {"format": "jsonl", "file_path": f"data/my-evals/openai/model-a/{name}_samples.jsonl",
            "hash_algorithm": "sha256", "total_rows": len(lines)}


@functools.cache
def _taxonomy():
    return bundled_taxonomy()


@functools.cache
def _specs():
    """benchmark -> (domain, unit, transform, random_baseline, ceiling) of three benchmarks."""
    spec = _taxonomy().benchmarks.set_index("benchmark")
    cols = ["domain", "unit", "transform", "random_baseline", "ceiling"]
    return {b: spec.loc[b, cols].to_dict() for b in ("GPQA diamond", "MMLU", "HLE")}


@functools.cache
def _bundled_aliases():
    return bundled_aliases()


@functools.cache
def _no_aliases():
    return _bundled_aliases().iloc[0:0]


@pytest.fixture(scope="module")
def taxonomy():
    return _taxonomy()


def read(path, taxonomy, aliases=None, models=MODELS, **kw):
    return read_every_eval_ever(str(path), taxonomy.benchmarks, taxonomy.domains, models,
                                _bundled_aliases() if aliases is None else aliases, **kw)


# --- known answers ---------------------------------------------------------------------


def test_hand_written_records_map_to_known_results(tmp_path, taxonomy):
    # GPQA diamond: baseline 0.25, ceiling 1 -> normalised (0.85 - 0.25) / 0.75 = 0.8.
    # Aider polyglot is in percent: a proportion 0.4 is 40 points, SE 0.02 -> 2 points.
    # MMLU given in percent (max_score 100) to a fraction benchmark: 70 -> 0.70,
    # normalised (0.70 - 0.25) / 0.75 = 0.6.
    write(tmp_path / "a.json", record(results=[
        result(se=0.03),
        result("Aider polyglot", 0.4, se=0.02, metric_unit="proportion"),
        result("mmlu", 70.0, max_score=100.0),
        result("GPQA diamond", 0.1, lower_is_better=True)]))
    write(tmp_path / "b.json", record(model="someone/Unknown model",
                                      eval_id="my-evals/unknown/1"))
    batch = read(tmp_path, taxonomy)
    res = batch.results.set_index("benchmark")
    assert list(res.index) == ["Aider polyglot", "GPQA diamond", "MMLU"]
    assert set(res["version_id"]) == {"Model A [every-eval-ever]"}
    assert res.loc["GPQA diamond", "raw_score"] == 0.85
    assert res.loc["GPQA diamond", "score"] == pytest.approx(0.8)
    assert res.loc["GPQA diamond", "stderr"] == 0.03
    assert res.loc["Aider polyglot", "raw_score"] == pytest.approx(40.0)
    assert res.loc["Aider polyglot", "stderr"] == pytest.approx(2.0)
    assert res.loc["MMLU", "raw_score"] == pytest.approx(0.70)
    assert res.loc["MMLU", "score"] == pytest.approx(0.6)
    assert math.isnan(res.loc["MMLU", "stderr"])
    assert batch.source.retrieved_on == dt.date(2025, 6, 15)  # 1750000000 s, UTC
    versions = batch.versions.set_index("version_id")
    assert versions.loc["Model A [every-eval-ever]", "model_id"] == "Model A"
    assert versions.loc["Model A [every-eval-ever]", "accessibility"] == API
    assert batch.models.empty  # a record without gaplens' metadata creates no model
    reasons = " | ".join(batch.rejected["reason"])
    assert "lower-is-better" in reasons
    assert "model 'someone/Unknown model' not matched to a warehouse model" in reasons
    fields = set(batch.rejected["field"])
    assert "evaluation_results[3].metric_config.lower_is_better" in fields
    matches = batch.matches.set_index("name")["how"]
    assert matches["openai/Model A"] == "exact" and matches["someone/Unknown model"] == \
        "unmatched"


def test_alias_and_latest_record_win(tmp_path, taxonomy):
    aliases_csv = tmp_path / "aliases.csv"
    aliases_csv.write_text("source,name,model_id,note\nevery-eval-ever,acme/b-2025-02,"
                           "Model B,reviewed\n", encoding="utf-8")
    old = record(model="acme/b-2025-02", eval_id="e/1", retrieved="1740000000",
                 results=[result(score=0.5)])
    new = record(model="acme/b-2025-02", eval_id="e/2", retrieved="1750000000",
                 results=[result(score=0.6)])
    write(tmp_path / "runs" / "old.json", old)
    write(tmp_path / "runs" / "new.json", new)
    write(tmp_path / "runs" / "notes.json", {"hello": "not a record"})
    batch = read(tmp_path / "runs", taxonomy, aliases=read_aliases(str(aliases_csv)))
    assert batch.results["raw_score"].tolist() == [0.6]
    assert batch.results["version_id"].tolist() == ["Model B [every-eval-ever]"]
    assert batch.matches["how"].tolist() == ["alias"]
    reasons = batch.rejected.set_index("file")["reason"]
    assert reasons[str(tmp_path / "runs" / "old.json")].startswith("superseded:")
    assert "not an Every Eval Ever record" in reasons[str(tmp_path / "runs" / "notes.json")]


def test_standard_error_from_instances_by_hand(tmp_path, taxonomy):
    # Scores 1, 0, 1, 1: mean 0.75; deviations 0.25, -0.75, 0.25, 0.25, squares sum 0.75,
    # sample variance 0.75 / 3 = 0.25, sd 0.5, se = 0.5 / sqrt(4) = 0.25.
    assert mean_and_se([1, 0, 1, 1]) == (0.75, 0.25, 4)
    folder = tmp_path / "data" / "my-evals" / "openai" / "model-a"
    lines = [instance(s, sample=f"s{i}") for i, s in enumerate([1, 0, 1, 1])]
    # The same samples for MMLU, given in percent by the aggregate (75.0): SE 25 points,
    # 0.25 as a fraction. HLE's aggregate (0.6) is not the instance mean: no SE.
    lines += [instance(s, name="MMLU", sample=f"m{i}", evaluation_result_id="mmlu/all")
              for i, s in enumerate([1, 0, 1, 1])]
    lines += [instance(s, name="HLE", sample=f"h{i}") for i, s in enumerate([1, 0, 1, 1])]
    detailed = write_samples(folder, lines)
    write(folder / "0a1b2c3d-0000-4000-8000-000000000001.json", record(
        results=[result(score=0.75), result("MMLU", 75.0, result_id="mmlu/all",
                                             metric_unit="percent", max_score=100.0),
                 result("HLE", 0.6), result("ARC AI2", 0.9, se=0.01)],
        detailed_evaluation_results=detailed))
    batch = read(tmp_path / "data", taxonomy)
    res = batch.results.set_index("benchmark")
    assert res.loc["GPQA diamond", "stderr"] == pytest.approx(0.25)
    assert res.loc["MMLU", "raw_score"] == pytest.approx(0.75)
    assert res.loc["MMLU", "stderr"] == pytest.approx(0.25)
    assert math.isnan(res.loc["HLE", "stderr"])
    assert res.loc["ARC AI2", "stderr"] == 0.01  # the aggregate's own SE is kept
    (row,) = batch.rejected.itertuples()
    assert row.field == "evaluation_results[2].score_details.score"
    assert "mean of 4 instance scores" in row.reason and "0.75" in row.reason


# --- bad input: one line naming file, record or line and field; nothing stored ------------


def _without_score(doc):
    del doc["evaluation_results"][0]["score_details"]["score"]
    return doc


def _string_score(doc):
    doc["evaluation_results"][0]["score_details"]["score"] = "0.8"
    return doc


def _bad_relationship(doc):
    doc["source_metadata"]["evaluator_relationship"] = "friend"
    return doc


@pytest.mark.parametrize("spoil, field, message", [
    (_without_score, "evaluation_results[0].score_details.score", "missing required field"),
    (_string_score, "evaluation_results[0].score_details.score",
     "expected a number, found a string"),
    (_bad_relationship, "source_metadata.evaluator_relationship", "'friend' is not one of"),
    (lambda d: {**d, "schema_version": "0.1.0"}, "schema_version", "not supported"),
    (lambda d: {**d, "evaluation_results": [result("Secret bench")]},
     "evaluation_results[0].evaluation_name", "unknown benchmark 'Secret bench'"),
    (lambda d: {**d, "evaluation_results": [result(score=1.5)]},
     "evaluation_results[0].score_details.score", "outside the valid range"),
])
def test_malformed_record_is_one_line_naming_file_record_and_field(tmp_path, taxonomy, spoil,
                                                                   field, message):
    write(tmp_path / "runs" / "good.json", record(model="Model A"))
    bad = write(tmp_path / "runs" / "z_bad.json", [record(model="Model A"),
                                                   spoil(record(model="Model A"))])
    with pytest.raises(InputError) as info:
        read(tmp_path / "runs", taxonomy)
    text = str(info.value)
    assert text.startswith(f"{bad}, record 2, field '{field}': ") and message in text
    assert "\n" not in text


def test_failing_file_leaves_the_warehouse_unchanged(tmp_path, db, snap, capsys):
    from gaplens._cli.main import main

    write(tmp_path / "runs" / "good.json", record(model="GPT-4o"))
    bad = write(tmp_path / "runs" / "z_bad.json", _string_score(record(model="GPT-4o")))
    before = snap(db)
    with pytest.raises(InputError) as info:
        api.ingest_every_eval_ever(str(tmp_path / "runs"), db=db)
    text = str(info.value)
    assert text == (f"{bad}, record 1, field 'evaluation_results[0].score_details.score': "
                    "expected a number, found a string")
    code = main(["ingest", "every-eval-ever", str(tmp_path / "runs"), "--db", db])
    err = capsys.readouterr().err.strip().splitlines()
    assert code == 2 and [line for line in err if line.startswith("error: ")] == [
        f"error: {text}"]
    assert snap(db) == before
    # The good file alone goes in: the same warehouse then holds its result.
    report = api.ingest_every_eval_ever(str(tmp_path / "runs" / "good.json"), db=db)
    assert report.counts["results"].added == 1 and snap(db) != before


def test_bad_jsonl_line_names_file_and_line(tmp_path, db, snap, taxonomy):
    folder = tmp_path / "data" / "my-evals" / "openai" / "model-a"
    detailed = write_samples(folder, [instance(1), "{not json", instance(0)])
    write(folder / "0a1b2c3d-0000-4000-8000-000000000001.json",
          record(model="Model A", detailed_evaluation_results=detailed))
    samples = folder / "0a1b2c3d-0000-4000-8000-000000000001_samples.jsonl"
    before = snap(db)
    with pytest.raises(InputError, match=r"^.*_samples\.jsonl, line 2: not valid JSON"):
        api.ingest_every_eval_ever(str(tmp_path / "data"), db=db)
    # A line of another evaluation, and a line missing its score, name their field.
    assert snap(db) == before
    # A line of another evaluation, and a line missing its score, name their field.
    write_samples(folder, [instance(1), instance(0, eval_id="other/run")])
    with pytest.raises(InputError) as info:
        read(tmp_path / "data", taxonomy)
    assert str(info.value).startswith(f"{samples}, line 2, field 'evaluation_id': ")
    broken = instance(1)
    del broken["evaluation"]["score"]
    write_samples(folder, [instance(1), instance(0), broken])
    with pytest.raises(InputError) as info:
        read(tmp_path / "data", taxonomy)
    assert str(info.value) == (f"{samples}, line 3, field 'evaluation.score': missing "
                               "required field")


def test_names_with_markup_are_stored_as_text(tmp_path, db):
    name, org = "<b>Bold</b> [red]model[/red]", "Lab <script>x</script>"
    doc = record(model=name)
    doc["model_info"].update(name=name, developer=org)
    doc["model_info"]["additional_details"].update(gaplens_accessibility=OPEN,
                                                   gaplens_release_date="2025-03-01")
    write(tmp_path / "m.json", doc)
    report = api.ingest_every_eval_ever(str(tmp_path / "m.json"), db=db)
    assert report.matches["how"].tolist() == ["new"]
    with Warehouse(db, read_only=True) as warehouse:
        model = warehouse.query("SELECT * FROM models WHERE model_id = ?", [name])
        stored = warehouse.query("SELECT * FROM results WHERE version_id = ?",
                                 [f"{name} [every-eval-ever]"])
    assert model[["display_name", "organization", "accessibility"]].iloc[0].tolist() == [
        name, org, OPEN]
    assert model["release_date"].iloc[0] == pd.Timestamp("2025-03-01")
    assert stored[["benchmark", "raw_score"]].values.tolist() == [["GPQA diamond", 0.85]]


# --- export and the round trip ------------------------------------------------------------


def _fresh_warehouse(path: str, taxonomy) -> Warehouse:
    """An empty warehouse holding only the benchmark taxonomy (no bundled results)."""
    warehouse = Warehouse(path)
    warehouse.ingest(IngestBatch(
        source=SourceInfo(kind="csv", path="taxonomy", sha256="0",
                          retrieved_on=dt.date(2026, 1, 1)),
        benchmarks=taxonomy.benchmarks, domains=taxonomy.domains))
    return warehouse


_RESULTS_SQL = ("SELECT v.model_id, r.version_id, r.benchmark, r.setting, r.raw_score, "
                "r.score, r.stderr, r.retrieved_on FROM results r JOIN model_versions v "
                "USING (version_id) ORDER BY 2, 3, 4")


def test_round_trip_on_bundled_slice_is_exact(bundled_db, tmp_path, taxonomy):
    out = str(tmp_path / "eee")
    slice_models = ["GPT-4o", "Llama 3.1-405B"]  # closed and open, several versions each
    files = api.export_every_eval_ever(out, db=bundled_db, model=slice_models).files
    assert len(files) == 2 and files["path"].str.contains("/data/gaplens-epoch/").all()
    for path in files["path"]:
        with open(path, encoding="utf-8") as handle:
            check_aggregate(json.load(handle), path, strict=True)

    with Warehouse(bundled_db, read_only=True) as source:
        original = source.query(_RESULTS_SQL)
        models = source.models()
    original = original.loc[original["model_id"].isin(slice_models)].reset_index(drop=True)
    assert len(original) == files["n_results"].sum() > 20
    assert original["stderr"].notna().sum() == files["n_stderr"].sum() > 0

    with _fresh_warehouse(str(tmp_path / "fresh.duckdb"), taxonomy) as fresh:
        batch = read_every_eval_ever(out, fresh.benchmarks(), fresh.domains(),
                                     fresh.models(), bundled_aliases(),
                                     known_versions=fresh.versions())
        report = fresh.ingest(batch)
        back = fresh.query(_RESULTS_SQL)
        back_models = fresh.models()
    assert batch.rejected.empty and sorted(batch.matches["how"]) == ["new", "new"]
    assert report.counts["results"].added == len(original)
    pd.testing.assert_frame_equal(back, original, check_exact=True)
    cols = ["model_id", "display_name", "organization", "country", "release_date",
            "accessibility"]
    pd.testing.assert_frame_equal(
        back_models[cols].sort_values("model_id").reset_index(drop=True),
        models.loc[models["model_id"].isin(slice_models), cols].sort_values(
            "model_id").reset_index(drop=True))


def test_export_refuses_a_record_that_breaks_the_schema(tmp_path):
    frame = pd.DataFrame([{c: None for c in EXPORT_COLUMNS}])
    frame = frame.assign(kind="csv", source_title="t", source_org="o", attribution="a",
                         user_file=True, retrieved_on=pd.Timestamp("2026-01-01"),
                         model_id="M", accessibility=OPEN, version_id="M", benchmark="B",
                         setting="", raw_score=float("nan"), score=0.5, unit="fraction",
                         transform="linear", random_baseline=0.0, ceiling=1.0)
    with pytest.raises(InputError, match=r"record 1, field 'evaluation_results\[0\]"
                                         r"\.score_details\.score': expected a number"):
        build_records(frame, "gaplens test")


_NAME = st.text(st.characters(blacklist_categories=("Cs", "Cc")), min_size=1,
                max_size=12).filter(lambda s: s.strip() == s and s.strip())


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(rows=st.lists(st.tuples(_NAME, st.sampled_from(["GPQA diamond", "MMLU", "HLE"]),
                               st.floats(0.0, 1.0), st.one_of(st.none(),
                                                              st.floats(0.0, 0.5))),
                     min_size=1, max_size=6, unique_by=lambda r: (r[0].casefold(), r[1])))
def test_round_trip_property(rows):
    """Any scores and standard errors of any model names come back bit for bit."""
    taxonomy, specs = _taxonomy(), _specs()
    frame = pd.DataFrame([dict(
        kind="csv", source_title="your own results", source_org="gaplens user",
        source_url=None, attribution="a", user_file=True,
        retrieved_on=pd.Timestamp("2026-01-01"), model_id=name, display_name=name,
        organization=None, country=None, release_date=pd.Timestamp("2025-01-01"),
        accessibility=OPEN, version_id=name, version_setting="", version_name=name,
        version_release=None, benchmark=bench, setting="", raw_score=raw,
        score=0.0, stderr=np.nan if se is None else se, **specs[bench],
        test_set="public", benchmark_url=None) for name, bench, raw, se in rows])
    with tempfile.TemporaryDirectory() as out:
        write_records(build_records(frame[EXPORT_COLUMNS], "gaplens test"), out)
        batch = read_every_eval_ever(os.path.join(out, "data"), taxonomy.benchmarks,
                                     taxonomy.domains, MODELS.iloc[0:0], _no_aliases())
    got = batch.results.set_index(["version_id", "benchmark"]).sort_index()
    want = frame.set_index(["version_id", "benchmark"]).sort_index()
    assert list(got.index) == list(want.index)
    assert got["raw_score"].tolist() == want["raw_score"].tolist()
    assert np.array_equal(got["stderr"].to_numpy(), want["stderr"].to_numpy(),
                          equal_nan=True)
