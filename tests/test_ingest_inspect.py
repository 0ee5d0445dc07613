"""Inspect AI eval logs (.json and .eval zip) read without inspect_ai, on constructed logs."""

from __future__ import annotations

import csv
import json
import struct
import zipfile

import pandas as pd
import pytest

from gaplens import api
from gaplens.errors import InputError
from gaplens.ingest import bundled_taxonomy, inspect_logs
from gaplens.ingest.aliases import bundled_aliases, read_aliases
from gaplens.ingest.inspect_logs import read_inspect
from gaplens.store import Warehouse

API = "API access"
OPEN = "Open weights (unrestricted)"
TASK = "secret_qa"  # baseline 0.25, ceiling 1 -> normalised = (raw - 0.25) / 0.75

MODELS = pd.DataFrame({
    "model_id": ["Model A", "Model B", "Twin 1", "Twin 2"],
    "display_name": ["Model A", "Model B", "Twin", "Twin"],
    "release_date": pd.to_datetime(["2024-05-13", "2025-02-01", "2025-03-01", "2025-04-01"]),
    "accessibility": [API, OPEN, API, API],
    "source_accessibility": [API, OPEN, API, API],
})


def header(model="openai/Model A", task=TASK, metrics=None, status="success",
           created="2025-06-01T10:00:00+00:00", **extra) -> dict:
    if metrics is None:
        metrics = {"accuracy": 0.8, "stderr": 0.02}
    return {
        "version": 2,
        "status": status,
        "eval": {"run_id": "r1", "created": created, "task": task, "task_id": "t1",
                 "task_version": 0, "dataset": {"name": task, "samples": 100},
                 "model": model, "config": {}},
        "plan": {"name": "plan", "steps": [{"solver": "generate", "params": {}}]},
        "results": {"total_samples": 100, "completed_samples": 100, "scores": [
            {"name": "choice", "scorer": "choice", "params": {},
             "metrics": {k: {"name": k, "value": v, "options": {}}
                         for k, v in metrics.items()}},
            {"name": "other", "scorer": "other",
             "metrics": {"accuracy": {"name": "accuracy", "value": 0.1}}}]},
        "stats": {"started_at": created, "completed_at": created, "model_usage": {}},
        **extra,
    }


def write_json(path, doc) -> str:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps({**doc, "samples": []}), encoding="utf-8")
    return str(path)


def write_eval(path, doc) -> str:
    path.parent.mkdir(parents=True, exist_ok=True)
    start = {k: doc[k] for k in ("version", "eval", "plan")}
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as z:
        z.writestr("_journal/start.json", json.dumps(start))
        z.writestr("samples/1_epoch_1.json", json.dumps({"id": 1, "epoch": 1}))
        z.writestr("summaries.json", "[]")
        z.writestr("header.json", json.dumps(doc))
    return str(path)


WRITERS = {"json": write_json, "eval": write_eval}


@pytest.fixture(scope="module")
def taxonomy():
    return bundled_taxonomy()


@pytest.fixture
def bench_file(tmp_path) -> str:
    path = tmp_path / "benchmarks.csv"
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["benchmark", "domain", "random_baseline", "ceiling", "test_set",
                         "label"])
        writer.writerow([TASK, "private_evals", "0.25", "1", "private", "Private evals"])
    return str(path)


@pytest.fixture
def aliases(tmp_path):
    path = tmp_path / "aliases.csv"
    path.write_text("source,name,model_id,note\ninspect,model-b-2025-02-01,Model B,dated id\n"
                    "lmarena,model-a-latest,Model A,other source\n", encoding="utf-8")
    return read_aliases(str(path))


@pytest.fixture
def read(taxonomy, aliases, bench_file):
    def _read(path, **kwargs):
        kwargs.setdefault("benchmarks_path", bench_file)
        return read_inspect(str(path), taxonomy.benchmarks, taxonomy.domains, MODELS, aliases,
                            **kwargs)
    return _read


@pytest.mark.parametrize("form", ["json", "eval"])
def test_a_known_score_and_stderr_arrive_exactly_and_normalised(tmp_path, read, form):
    path = WRITERS[form](tmp_path / f"log.{form}", header(task=f"inspect_evals/{TASK}"))
    batch = read(path)
    assert batch.source.kind == "inspect" and batch.rejected.empty and batch.models.empty
    res = batch.results
    assert len(res) == 1
    row = res.iloc[0]
    assert row["version_id"] == "Model A [inspect]" and row["benchmark"] == TASK
    assert row["raw_score"] == 0.8 and row["stderr"] == 0.02
    assert row["score"] == pytest.approx((0.8 - 0.25) / 0.75, abs=1e-12)
    assert row["source_file"] == path and row["source_row"] == 1
    ver = batch.versions.iloc[0]
    assert (ver["model_id"], ver["setting"], ver["accessibility"]) == ("Model A", "inspect", API)
    assert ver["release_date"] == pd.Timestamp("2024-05-13")
    assert list(batch.benchmarks["benchmark"]) == [TASK]
    assert list(batch.domains["domain"]) == ["private_evals"]
    assert batch.domains["label"].iloc[0] == "Private evals"
    match = batch.matches.iloc[0]
    assert (match["source"], match["name"], match["model_id"], match["how"]) == (
        "inspect", "openai/Model A", "Model A", "exact")


@pytest.mark.parametrize("metrics, wanted, chosen", [
    ({"stderr": 0.01, "mean": 0.5, "accuracy": 0.7}, None, "accuracy"),
    ({"stderr": 0.01, "f1": 0.6, "mean": 0.5}, None, "mean"),
    ({"stderr": 0.01, "std": 0.3, "f1": 0.6, "recall": 0.4}, None, "f1"),
    ({"accuracy": 0.7, "f1": 0.6}, "f1", "f1"),
])
def test_metric_selection_order(tmp_path, read, metrics, wanted, chosen):
    path = write_json(tmp_path / "log.json", header(metrics=metrics))
    batch = read(path, metric=wanted)
    assert batch.results["raw_score"].iloc[0] == metrics[chosen]
    expected_se = metrics.get("stderr")
    se = batch.results["stderr"].iloc[0]
    assert se == expected_se if expected_se is not None else pd.isna(se)


def test_a_missing_or_unusable_metric_is_rejected(tmp_path, read):
    one = write_json(tmp_path / "a" / "one.json", header(metrics={"accuracy": 0.7}))
    two = write_json(tmp_path / "a" / "two.json", header(model="Model B",
                                                         metrics={"stderr": 0.1}))
    batch = read(tmp_path / "a", metric=None)
    assert list(batch.rejected["file"]) == [two] and batch.results["source_file"].tolist() == [one]
    assert "no a score metric" in batch.rejected["reason"].iloc[0]
    batch = read(one, metric="f1")
    assert batch.results.empty and "no metric 'f1' (metrics: accuracy)" in \
        batch.rejected["reason"].iloc[0]
    assert batch.rejected["field"].iloc[0] == "results.scores[0].metrics.f1"


def test_models_resolve_through_a_provider_prefix_and_aliases(tmp_path, read):
    folder = tmp_path / "logs"
    write_json(folder / "a.json", header(model="openai/azure/model a"))
    write_eval(folder / "sub" / "b.eval", header(model="together/model-b-2025-02-01"))
    batch = read(folder)
    assert batch.rejected.empty
    assert sorted(batch.results["version_id"]) == ["Model A [inspect]", "Model B [inspect]"]
    matches = batch.matches.set_index("name")
    assert matches.loc["openai/azure/model a", "how"] == "exact"
    assert matches.loc["openai/azure/model a", "candidates"] == "via 'model a'"
    assert matches.loc["together/model-b-2025-02-01", "how"] == "alias"
    assert batch.versions.set_index("model_id").loc["Model B", "accessibility"] == OPEN


def test_unresolved_and_ambiguous_models_are_rejected_not_created(tmp_path, read):
    folder = tmp_path / "logs"
    write_json(folder / "new.json", header(model="acme/brand-new-model"))
    write_json(folder / "twin.json", header(model="x/twin"))
    batch = read(folder)
    assert batch.results.empty and batch.models.empty and batch.versions.empty
    reasons = batch.rejected.set_index("field")["reason"]
    assert set(batch.rejected["field"]) == {"eval.model"}
    text = " | ".join(reasons)
    assert "'acme/brand-new-model' not matched" in text and "source 'inspect'" in text
    assert "ambiguous (matches Twin 1, Twin 2)" in text
    assert set(batch.matches["how"]) == {"unmatched", "ambiguous"}


@pytest.mark.parametrize("form", ["json", "eval"])
def test_a_failed_or_unfinished_log_is_rejected(tmp_path, read, form):
    failed = header(status="error", error={"message": "RateLimitError: too many requests\n..."})
    failed["results"] = None
    path = WRITERS[form](tmp_path / f"failed.{form}", failed)
    batch = read(path)
    assert batch.results.empty and len(batch.rejected) == 1
    row = batch.rejected.iloc[0]
    assert row["file"] == path and row["field"] == "status"
    assert "status 'error'" in row["reason"] and "RateLimitError" in row["reason"]
    # An .eval whose run never finished holds only the journal's start record.
    started = tmp_path / "started.eval"
    with zipfile.ZipFile(started, "w") as z:
        doc = header()
        z.writestr("_journal/start.json", json.dumps({k: doc[k] for k in ("version", "eval",
                                                                          "plan")}))
    assert "status 'started'" in read(started).rejected["reason"].iloc[0]


def test_the_latest_of_two_logs_wins(tmp_path, read):
    folder = tmp_path / "logs"
    old = write_eval(folder / "old.eval", header(metrics={"accuracy": 0.5},
                                                 created="2025-06-01T10:00:00+00:00"))
    new = write_json(folder / "new.json", header(metrics={"accuracy": 0.9},
                                                 created="2025-06-01T12:00:00+01:00"))
    batch = read(folder)
    assert batch.results["raw_score"].tolist() == [0.9]
    assert batch.results["source_file"].tolist() == [new]
    assert batch.rejected["file"].tolist() == [old]
    assert "superseded" in batch.rejected["reason"].iloc[0] and new in \
        batch.rejected["reason"].iloc[0]
    assert len(batch.versions) == 1


def test_an_undefined_task_raises_naming_it(tmp_path, read):
    path = write_json(tmp_path / "log.json", header(task="my_pkg/mystery_task"))
    with pytest.raises(InputError) as err:
        read(path)
    assert "'mystery_task'" in str(err.value) and "--benchmarks" in str(err.value)
    assert err.value.file == path and err.value.field == "eval.task"
    # A bundled benchmark needs no file (matched case-insensitively).
    known = write_json(tmp_path / "gpqa.json", header(task="GPQA diamond",
                                                      metrics={"accuracy": 0.5}))
    batch = read(known, benchmarks_path=None)
    assert batch.results["benchmark"].tolist() == ["GPQA diamond"]
    assert batch.benchmarks is None


def test_bad_files_raise_input_errors_naming_the_file(tmp_path, read):
    broken = tmp_path / "broken.json"
    broken.write_text('{"status": "success", "eval": {', encoding="utf-8")
    notzip = tmp_path / "notzip.eval"
    notzip.write_bytes(b"this is not a zip archive")
    nomodel = write_json(tmp_path / "nomodel.json", header(model=""))
    empty_zip = tmp_path / "empty.eval"
    with zipfile.ZipFile(empty_zip, "w") as z:
        z.writestr("other.txt", "x")
    for path, what in [(broken, "not a readable JSON"), (notzip, "not a zip"),
                       (nomodel, "missing the model"), (empty_zip, "no header.json")]:
        with pytest.raises(InputError) as err:
            read(path)
        assert err.value.file == str(path) and what in str(err.value)
    with pytest.raises(InputError) as err:
        read(nomodel)
    assert err.value.field == "eval.model"
    (tmp_path / "none").mkdir()
    with pytest.raises(InputError, match="no Inspect logs"):
        read(tmp_path / "none")
    high = write_json(tmp_path / "high.json", header(metrics={"accuracy": 80.0}))
    with pytest.raises(InputError, match="outside the valid range") as err:
        read(high)
    assert err.value.file == high and err.value.field == "results.scores[0].metrics.accuracy"


def test_a_folder_skips_json_that_is_not_a_log(tmp_path, read):
    folder = tmp_path / "logs"
    write_json(folder / "run.json", header())
    (folder / "logs.json").write_text(json.dumps({"run.json": {"status": "success"}}))
    batch = read(folder)
    assert len(batch.results) == 1
    assert "not an Inspect eval log" in batch.rejected["reason"].iloc[0]


def _as_zstd(path):
    """Relabel every member of a stored (uncompressed) zip as Zstandard (method 93)."""
    data = bytearray(open(path, "rb").read())
    for sig, offset in ((b"PK\x03\x04", 8), (b"PK\x01\x02", 10)):
        start = 0
        while (i := data.find(sig, start)) >= 0:
            data[i + offset:i + offset + 2] = struct.pack("<H", 93)
            start = i + 4
    open(path, "wb").write(bytes(data))


def test_zstandard_members_are_read_when_a_decoder_exists(tmp_path, read, monkeypatch):
    path = tmp_path / "zstd.eval"
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_STORED) as z:
        z.writestr("header.json", json.dumps(header()))
    _as_zstd(path)
    monkeypatch.setattr(inspect_logs, "_zstd_decompress", lambda data: None)
    with pytest.raises(InputError, match="Zstandard") as err:
        read(path)
    assert err.value.file == str(path)
    monkeypatch.setattr(inspect_logs, "_zstd_decompress", lambda data: bytes(data))
    assert read(path).results["raw_score"].tolist() == [0.8]


def test_end_to_end_a_private_eval_becomes_a_realworld_target(tmp_path, db, bench_file):
    api.fit_index(db=db, n_draws=100)  # a quick stored fit (the default one takes longer)
    ids = api.index(db=db).table.sort_values("index")["model_id"].tolist()[-12:]
    folder = tmp_path / "logs"
    for i, model_id in enumerate(ids):
        writer = write_eval if i % 2 else write_json
        writer(folder / f"{i:02d}.{'eval' if i % 2 else 'json'}",
               header(model=f"provider/{model_id}",
                      metrics={"accuracy": 0.3 + 0.05 * i, "stderr": 0.01}))
    with Warehouse(db) as warehouse:
        batch = read_inspect(str(folder), warehouse.benchmarks(), warehouse.domains(),
                             warehouse.models(), bundled_aliases(),
                             benchmarks_path=bench_file)
        assert batch.rejected.empty, batch.rejected
        report = warehouse.ingest(batch)
        assert len(report.rejected) == 0
        stored = warehouse.observations()
    mine = stored.loc[stored["benchmark"] == TASK].set_index("model_id")
    assert sorted(mine.index) == sorted(ids)
    assert mine.loc[ids[3], "raw_score"] == pytest.approx(0.45)
    assert mine.loc[ids[3], "score"] == pytest.approx((0.45 - 0.25) / 0.75)
    result = api.realworld(db=db, targets=[f"benchmark:{TASK}"], n_boot=200)
    rows = result.correlations
    rows = rows.loc[rows["target"] == f"benchmark:{TASK}"]
    assert len(rows) > 0
    general = rows.loc[rows["predictor"] == "index: general"]
    assert len(general) >= 1 and (general["n"] == 12).any()
    assert general["spearman"].iloc[0] > 0.5  # scores rise with the index by construction
