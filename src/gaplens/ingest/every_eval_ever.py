"""Adapter for Every Eval Ever records (schema v0.2): the community's evaluation format.

The format and its source are described in :mod:`gaplens.ingest.eee_format` (schema
``every_eval_ever/schemas/eval.schema.json`` 0.2.3 of github.com/evaleval/every_eval_ever;
0.2.0 to 0.3.0 are read). ``path`` is one record (a ``.json`` file holding one record or
a list of them) or a folder searched recursively for ``*.json`` (files there that are not
records are skipped and listed).

Mapping, per item of ``evaluation_results``:

* benchmark = ``evaluation_name``, else ``source_data.dataset_name``, matched to a
  warehouse benchmark case-insensitively; an unknown one is an error, as in a tidy CSV
  (define it with a benchmark file, ``--benchmarks``);
* raw score = ``score_details.score``; a record in percent (``metric_unit`` "percent" or
  ``max_score`` 100) of a fraction benchmark is divided by 100, a proportion of a percent
  benchmark multiplied by 100; then the benchmark's valid range is checked;
* standard error = ``score_details.uncertainty.standard_error.value``. When it is absent
  and the record links instance-level JSONL (``detailed_evaluation_results``, the
  ``<uuid>_samples.jsonl`` beside the record), it is recomputed from the lines of that
  result (``evaluation_result_id``, else ``evaluation_name``)::

      mean = sum(s_i) / n,   se = sqrt(sum((s_i - mean)^2) / (n - 1)) / sqrt(n)

  (the schema's SE_mean = standard_deviation / sqrt(num_samples)), used only when the
  mean equals the aggregate score (in its units, or times 100) to the aggregate's
  printed precision: otherwise the metric is not a mean of the instance scores and the
  result is stored without a standard error, listed;
* model = ``model_info.id``, else ``model_info.name``, else the part of the id after its
  last ``/``, resolved through the alias table (source ``every-eval-ever``) or exactly.
  A record carrying gaplens' model metadata (``model_info.additional_details``
  ``gaplens_accessibility``, with ``gaplens_release_date`` and ``gaplens_country``, as
  gaplens' own export writes) creates the model when it is not in the warehouse; any
  other unmatched model is listed (``model_availability`` alone is too coarse a class);
* version: a record written by gaplens carries its version and setting
  (``score_details.details.gaplens_version_id``/``gaplens_setting``) and returns to
  them; any other result goes to the version ``"<model_id> [every-eval-ever]"``.

Several results for one version, benchmark and setting: the latest record
(``evaluation_timestamp``, else ``retrieved_timestamp``) wins, the rest are listed as
superseded. Results with ``lower_is_better`` true are listed (gaplens' benchmarks are
higher-is-better). Any malformed record or line is a one-line error naming the file, the
record (or JSONL line) and the field, and nothing is stored.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import os

import numpy as np
import pandas as pd

from ..errors import InputError
from ..types import Accessibility
from .aliases import resolve_spellings
from .batch import (
    MATCH_COLUMNS,
    MODEL_COLUMNS,
    REJECTED_COLUMNS,
    RESULT_COLUMNS,
    VERSION_COLUMNS,
    IngestBatch,
    SourceInfo,
    file_digest,
    files_below,
)
from .eee_format import check_aggregate, check_instance
from .normalise import normalise, out_of_range, valid_range_text
from .taxonomy import domains_for, layer_benchmarks, read_benchmarks
from .validate import check_size, load_json

SOURCE = "every-eval-ever"
SETTING = "every-eval-ever"


def version_id_of(model_id: str) -> str:
    return f"{model_id} [{SETTING}]"


def record_files(path: str) -> list[str]:
    """``path`` itself, or every ``*.json`` below a folder (sorted; hidden ones skipped)."""
    return files_below(path, (".json",), "Every Eval Ever records (*.json)")


def parse_timestamp(value: str, where: str, field: str) -> dt.datetime:
    """A record's timestamp: Unix seconds (the schema's form) or an ISO date-time, UTC."""
    text = value.strip()
    try:
        seconds = float(text)
    except ValueError:
        seconds = None
    try:
        if seconds is not None and math.isfinite(seconds):
            return dt.datetime.fromtimestamp(seconds, dt.timezone.utc)
        when = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
    except (ValueError, OverflowError, OSError):
        raise InputError(where, f"'{value}' is neither Unix seconds nor an ISO date-time",
                         field=field) from None
    return when if when.tzinfo else when.replace(tzinfo=dt.timezone.utc)


def mean_and_se(scores) -> tuple[float, float, int]:
    """(mean, standard error of the mean, n) of instance scores; se is NaN below n = 2."""
    values = np.asarray(list(scores), dtype=float)
    n = len(values)
    if n == 0:
        return math.nan, math.nan, 0
    mean = float(values.mean())
    se = float(values.std(ddof=1) / math.sqrt(n)) if n >= 2 else math.nan
    return mean, se, n


def _precision(score: float) -> float:
    """Half a unit of the last printed decimal of ``score`` (the aggregate's rounding)."""
    text = repr(float(score))
    if "e" in text or "." not in text:
        return 1e-9
    decimals = len(text.split(".")[1])
    return 0.5 * 10.0 ** -decimals + 1e-12


def _reject(file: str, row: int, field: str, reason: str) -> dict:
    return dict(file=file, row=row, field=field, reason=reason)


# -- instance-level JSONL -------------------------------------------------------------------


def _instance_file(record_file: str, file_path: str) -> str | None:
    """The local file a record's ``detailed_evaluation_results.file_path`` names: beside
    the record (EEE keeps both in one folder), or below a folder that holds ``data/``."""
    here = os.path.dirname(os.path.abspath(record_file))
    beside = os.path.join(here, os.path.basename(file_path))
    if os.path.isfile(beside):
        return beside
    folder = here
    while True:
        candidate = os.path.join(folder, file_path)
        if os.path.isfile(candidate):
            return candidate
        parent = os.path.dirname(folder)
        if parent == folder:
            return None
        folder = parent


def read_instances(file: str, evaluation_id: str) -> dict[str, list[float]]:
    """Instance scores of one sample file, keyed ``id:<evaluation_result_id>`` and
    ``name:<evaluation_name>``; every line is checked and must belong to ``evaluation_id``."""
    check_size(file, kind="json")
    scores: dict[str, list[float]] = {}
    with open(file, "rb") as handle:
        for number, raw in enumerate(handle, start=1):
            where = f"{file}, line {number}"
            try:
                text = raw.decode("utf-8-sig" if number == 1 else "utf-8").strip()
            except UnicodeDecodeError:
                raise InputError(where, "not UTF-8 text") from None
            if not text:
                continue
            try:
                doc = json.loads(text)
            except (json.JSONDecodeError, RecursionError) as exc:
                raise InputError(where, f"not valid JSON ({str(exc)[:120]})") from None
            check_instance(doc, where)
            if doc["evaluation_id"] != evaluation_id:
                raise InputError(where, f"evaluation_id '{doc['evaluation_id']}' is not the "
                                 f"record's '{evaluation_id}'", field="evaluation_id")
            score = float(doc["evaluation"]["score"])
            keys = [f"name:{doc['evaluation_name']}"]
            if doc.get("evaluation_result_id"):
                keys.append(f"id:{doc['evaluation_result_id']}")
            for key in keys:
                scores.setdefault(key, []).append(score)
    return scores


# -- one record -> candidate rows -------------------------------------------------------------


def _stderr_of(result: dict) -> float:
    se = ((result["score_details"].get("uncertainty") or {}).get("standard_error") or {})
    value = se.get("value")
    return float(value) if value is not None else math.nan


def parse_record(file: str, number: int, doc: dict) -> tuple[list[dict], list[dict], list[str]]:
    """(candidate rows, rejected rows, files read) of one checked aggregate record."""
    where = f"{file}, record {number}"
    check_aggregate(doc, where)
    info, meta = doc["model_info"], doc["source_metadata"]
    details = info.get("additional_details") or {}
    stamp = parse_timestamp(doc.get("evaluation_timestamp") or doc["retrieved_timestamp"],
                            where, "evaluation_timestamp" if doc.get("evaluation_timestamp")
                            else "retrieved_timestamp")
    retrieved = parse_timestamp(doc["retrieved_timestamp"], where, "retrieved_timestamp")
    base = dict(file=file, record=number, where=where, model_key=info["id"].strip(),
                model_name=info["name"].strip(), developer=info.get("developer"),
                release_date=details.get("gaplens_release_date"),
                accessibility=details.get("gaplens_accessibility"),
                country=details.get("gaplens_country"),
                organization=meta["source_organization_name"], stamp=stamp.timestamp(),
                retrieved=retrieved.date())
    rows, rejected, read = [], [], []
    for i, result in enumerate(doc["evaluation_results"]):
        path = f"evaluation_results[{i}]"
        extra = result["score_details"].get("details") or {}
        metric = result["metric_config"]
        row = dict(base, path=path, name=result["evaluation_name"].strip(),
                   dataset=result["source_data"]["dataset_name"].strip(),
                   result_id=result.get("evaluation_result_id"),
                   score=float(result["score_details"]["score"]), stderr=_stderr_of(result),
                   unit=metric.get("metric_unit"), max_score=metric.get("max_score"),
                   version_id=extra.get("gaplens_version_id"),
                   setting=extra.get("gaplens_setting", ""),
                   version_setting=extra.get("gaplens_version_setting"),
                   version_name=extra.get("gaplens_version_name"),
                   version_release=extra.get("gaplens_version_release_date"))
        if metric["lower_is_better"]:
            rejected.append(_reject(file, number, f"{path}.metric_config.lower_is_better",
                                    f"'{row['name']}' is lower-is-better; gaplens benchmarks "
                                    "are higher-is-better"))
            continue
        rows.append(row)
    detailed = doc.get("detailed_evaluation_results")
    if detailed and detailed.get("file_path") and detailed.get("format", "jsonl") == "jsonl" \
            and any(math.isnan(r["stderr"]) for r in rows):
        local = _instance_file(file, detailed["file_path"])
        field = "detailed_evaluation_results.file_path"
        if local is None:
            rejected.append(_reject(file, number, field, f"instance file "
                                    f"'{detailed['file_path']}' not found beside the record; "
                                    "standard errors not recomputed"))
        else:
            read.append(local)
            scores = read_instances(local, doc["evaluation_id"])
            for row in rows:
                if math.isnan(row["stderr"]):
                    _fill_stderr(row, scores, local, rejected)
    return rows, rejected, read


def _fill_stderr(row: dict, scores: dict[str, list[float]], local: str,
                 rejected: list[dict]) -> None:
    values = (scores.get(f"id:{row['result_id']}") if row["result_id"] else None) \
        or scores.get(f"name:{row['name']}")
    if not values:
        return
    mean, se, n = mean_and_se(values)
    if n < 2:
        return
    tolerance = _precision(row["score"])
    for factor in (1.0, 100.0):  # the aggregate in the instances' unit, or in percent
        if abs(mean * factor - row["score"]) <= tolerance:
            row["stderr"] = se * factor
            row["instances"] = n
            return
    rejected.append(_reject(row["file"], row["record"], f"{row['path']}.score_details.score",
                            f"the mean of {n} instance scores in '{os.path.basename(local)}' "
                            f"({mean:.6g}) is not the score {row['score']:g}: stored without "
                            "a standard error"))


# -- the batch -----------------------------------------------------------------------------


def _benchmarks(rows: list[dict], defs: pd.DataFrame) -> None:
    by_name = {b.lower(): b for b in defs["benchmark"]}
    for row in rows:
        name = by_name.get(row["name"].lower()) or by_name.get(row["dataset"].lower())
        if name is None:
            raise InputError(row["where"], f"unknown benchmark '{row['name']}' (define it "
                             "with --benchmarks FILE: benchmark, domain, random_baseline, "
                             "ceiling, test_set)", field=f"{row['path']}.evaluation_name")
        row["benchmark"] = name


def _units(rows: list[dict], spec_of: pd.DataFrame) -> None:
    """Raw scores in the benchmark's unit, then its valid range checked."""
    for row in rows:
        spec = spec_of.loc[row["benchmark"]]
        unit = str(row["unit"] or "").lower()
        factor = 1.0
        if spec["unit"] == "fraction" and (unit in ("percent", "%") or row["max_score"] == 100):
            factor = 0.01
        elif spec["unit"] == "percent" and (unit in ("proportion", "fraction")
                                            or row["max_score"] == 1):
            factor = 100.0
        row["raw"] = row["score"] * factor
        row["stderr"] = row["stderr"] * factor
        if out_of_range([row["raw"]], [spec["random_baseline"]], [spec["ceiling"]],
                        [spec["transform"]])[0]:
            valid = valid_range_text(spec["random_baseline"], spec["ceiling"],
                                     spec["transform"])
            raise InputError(row["where"], f"score {row['raw']:g} is outside the valid range "
                             f"{valid} of {row['benchmark']} ({spec['unit']})",
                             field=f"{row['path']}.score_details.score")


def _given(value) -> bool:
    return isinstance(value, str) and bool(value.strip())


def _can_create(row: dict) -> bool:
    return _given(row["accessibility"])


def _new_model_accessibility(row: dict) -> str:
    try:
        return Accessibility.parse(row["accessibility"]).value
    except ValueError as exc:
        raise InputError(row["where"], str(exc),
                         field="model_info.additional_details.gaplens_accessibility") from None


def _parse_day(value, where: str, field: str):
    if not _given(value):
        return pd.NaT
    try:
        return pd.Timestamp(dt.date.fromisoformat(str(value)[:10]))
    except ValueError:
        raise InputError(where, f"'{value}' is not a date (YYYY-MM-DD)", field=field) from None


def _resolve(frame: pd.DataFrame, known_models: pd.DataFrame, aliases: pd.DataFrame,
             rejected: list[dict]) -> tuple[pd.DataFrame, pd.DataFrame, list[dict]]:
    """model_id per row; new models from records that state a release date; match rows."""
    keys = list(pd.unique(frame["model_key"]))
    first = frame.drop_duplicates("model_key").set_index("model_key")
    spellings = [(k, first.loc[k, "model_name"], k.rsplit("/", 1)[-1].strip()) for k in keys]
    found = resolve_spellings(spellings, SOURCE, known_models, aliases)
    # An id that is a warehouse model id, letter for letter, is that model (gaplens'
    # export writes model ids; another model's display name may spell the same).
    ids = set(known_models["model_id"]) if "model_id" in known_models else set()
    found = [(k, "exact", "") if k in ids else f for k, f in zip(keys, found)]
    matches, model_of, new_rows = [], {}, []
    for key, (model_id, how, candidates) in zip(keys, found):
        row = first.loc[key].to_dict() | {"model_key": key}
        if model_id is None and how == "unmatched" and _can_create(row):
            model_id, how = key, "new"
            new_rows.append(dict(
                model_id=key, display_name=row["model_name"],
                organization=row["developer"] if _given(row["developer"]) else None,
                country=row["country"] if _given(row["country"]) else None,
                release_date=_parse_day(row["release_date"], row["where"],
                                        "model_info.additional_details.gaplens_release_date"),
                accessibility=_new_model_accessibility(row), parameters=np.nan,
                training_compute=np.nan))
        matches.append(dict(source=SOURCE, name=key, model_id=model_id, how=how,
                            candidates=candidates))
        model_of[key] = model_id
    frame = frame.assign(model_id=frame["model_key"].map(model_of))
    by_key = {m["name"]: m for m in matches}
    for _, row in frame.loc[frame["model_id"].isna()].iterrows():
        match = by_key[row["model_key"]]
        # The wording the warehouse's snapshots and the report count as unmatched names.
        what = (f"is ambiguous (matches {match['candidates']})" if match["how"] == "ambiguous"
                else "not matched to a warehouse model")
        rejected.append(_reject(row["file"], row["record"], "model_info.id",
                                f"model '{row['model_key']}' {what}: add an alias row (source "
                                f"'{SOURCE}', name '{row['model_key']}', model_id = the "
                                "warehouse model); only a record with gaplens' model "
                                "metadata creates one"))
    models = pd.DataFrame(new_rows, columns=MODEL_COLUMNS)
    return frame.loc[frame["model_id"].notna()].copy(), models, matches


def _latest_wins(frame: pd.DataFrame, rejected: list[dict]) -> pd.DataFrame:
    frame = frame.sort_values(["stamp", "file", "record"], ascending=[False, True, True],
                              kind="mergesort")
    key = ["version_id", "benchmark", "setting"]
    dup = frame.duplicated(key, keep="first")
    kept = frame.loc[~dup].set_index(key)
    for _, row in frame.loc[dup].iterrows():
        winner = kept.loc[tuple(row[k] for k in key)]
        rejected.append(_reject(row["file"], row["record"], f"{row['path']}.evaluation_name",
                                f"superseded: '{winner['file']}' record {winner['record']} is a "
                                f"later result of '{row['benchmark']}' for version "
                                f"'{row['version_id']}'"))
    return frame.loc[~dup].sort_values(["model_id", "version_id", "benchmark"],
                                       kind="mergesort")


def read_every_eval_ever(
    path: str,
    known_benchmarks: pd.DataFrame,
    known_domains: pd.DataFrame,
    known_models: pd.DataFrame,
    aliases: pd.DataFrame,
    benchmarks_path: str | None = None,
    today: dt.date | None = None,
    known_versions: pd.DataFrame | None = None,
) -> IngestBatch:
    """Read Every Eval Ever records (a file or a folder) into an :class:`IngestBatch`.

    ``known_versions`` (version_id, model_id) are the warehouse's versions: a result that
    returns to one of them must be of its model, and the version is not written again."""
    today = today or dt.date.today()
    new_benchmarks = read_benchmarks(benchmarks_path) if benchmarks_path else None
    files = record_files(path)
    folder = os.path.isdir(path)
    candidates: list[dict] = []
    rejected: list[dict] = []
    read: list[str] = []
    for file in files:
        doc = load_json(file)
        records = doc if isinstance(doc, list) else [doc]
        if folder and not (isinstance(doc, (dict, list)) and all(
                isinstance(r, dict) and "evaluation_results" in r for r in records)):
            rejected.append(_reject(file, 1, "evaluation_results", "not an Every Eval Ever "
                                    "record (no 'evaluation_results'); skipped"))
            continue
        read.append(file)
        for number, record in enumerate(records, start=1):
            rows, bad, instance_files = parse_record(file, number, record)
            candidates += rows
            rejected += bad
            read += instance_files

    defs = layer_benchmarks(known_benchmarks, new_benchmarks)
    spec_of = defs.drop_duplicates("benchmark").set_index("benchmark")
    _benchmarks(candidates, defs)
    _units(candidates, spec_of)

    frame = pd.DataFrame(candidates)
    models = pd.DataFrame(columns=MODEL_COLUMNS)
    matches: list[dict] = []
    if len(frame):
        frame, models, matches = _resolve(frame, known_models, aliases, rejected)
    if len(frame):
        own = frame["version_id"].isna()
        frame.loc[own, "version_id"] = frame.loc[own, "model_id"].map(version_id_of)
        frame.loc[own, "version_setting"] = SETTING
        frame["setting"] = frame["setting"].fillna("")
        frame = _latest_wins(frame, rejected)
    else:
        frame = pd.DataFrame(columns=["file", "record", "model_id", "version_id", "benchmark",
                                      "setting", "raw", "stderr", "version_setting",
                                      "version_name", "version_release", "where"])

    table = pd.concat([known_models.drop_duplicates("model_id"), models.assign(
        source_accessibility=models["accessibility"])], ignore_index=True).set_index("model_id")
    access = "source_accessibility" if "source_accessibility" in table else "accessibility"
    first = frame.drop_duplicates("version_id")
    if known_versions is not None and len(known_versions) and len(first):
        owner = known_versions.drop_duplicates("version_id").set_index("version_id")["model_id"]
        stored = first["version_id"].map(owner)
        clash = stored.notna() & (stored != first["model_id"])
        if clash.any():
            row = first.loc[clash].iloc[0]
            raise InputError(row["where"], f"version '{row['version_id']}' belongs to model "
                             f"'{stored[clash].iloc[0]}', not '{row['model_id']}'",
                             field=f"{row['path']}.score_details.details.gaplens_version_id")
        first = first.loc[stored.isna()]
    release = [
        _parse_day(r["version_release"], r["where"],
                   "score_details.details.gaplens_version_release_date")
        if isinstance(r["version_release"], str) and r["version_release"] else pd.NaT
        for _, r in first.iterrows()]
    versions = pd.DataFrame({
        "version_id": first["version_id"],
        "model_id": first["model_id"],
        "setting": first["version_setting"].fillna(""),
        "display_name": first["version_name"].fillna(first["model_id"].map(
            table["display_name"])).fillna(first["model_id"]),
        "release_date": pd.Series(release, index=first.index, dtype="datetime64[ns]").fillna(
            pd.to_datetime(first["model_id"].map(table["release_date"]))),
        "accessibility": first["model_id"].map(table[access]),
        "epoch_eci": np.nan,
        "source_file": first["file"],
        "source_row": first["record"],
    }, columns=VERSION_COLUMNS)
    spec = spec_of.loc[frame["benchmark"]] if len(frame) else spec_of.iloc[0:0]
    results = pd.DataFrame({
        "version_id": frame["version_id"],
        "benchmark": frame["benchmark"],
        "setting": frame["setting"],
        "raw_score": frame["raw"].astype(float),
        "score": normalise(frame["raw"].astype(float), spec["random_baseline"].to_numpy(),
                           spec["ceiling"].to_numpy(), spec["transform"].to_numpy()),
        "stderr": frame["stderr"].astype(float),
        "source_file": frame["file"],
        "source_row": frame["record"],
    }, columns=RESULT_COLUMNS)
    retrieved = [d for d in (c["retrieved"] for c in candidates) if d <= today]

    return IngestBatch(
        source=SourceInfo(kind=SOURCE, path=os.path.abspath(path), sha256=file_digest(read),
                          retrieved_on=max(retrieved, default=today)),
        models=models.reset_index(drop=True),
        versions=versions.reset_index(drop=True),
        benchmarks=new_benchmarks,
        domains=(domains_for(new_benchmarks, known_domains)
                 if new_benchmarks is not None else None),
        results=results.reset_index(drop=True),
        matches=pd.DataFrame(matches, columns=MATCH_COLUMNS),
        rejected=pd.DataFrame(rejected, columns=REJECTED_COLUMNS),
    )
