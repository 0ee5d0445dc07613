"""Adapter for evaluation logs of UK AISI's Inspect (``inspect_ai``): a user's private evals.

Inspect is not needed: the logs are read as files. Two forms, both written by Inspect:

* ``.json``: one JSON object, the whole :class:`EvalLog` (``version, status, eval, plan,
  results, stats, samples, ...``);
* ``.eval``: a zip archive. Its ``header.json`` holds the log without samples. Older
  archives (inspect_ai < 0.3.50 or so) hold ``start.json`` and ``results.json`` instead,
  and an unfinished run holds only ``_journal/start.json`` (status "started"). Recent
  Inspect versions may store members with Zstandard (zip method 93), which Python reads
  from 3.14 on, or earlier with the ``zstandard`` package when it is installed.

``path`` is one log or a folder searched recursively for ``*.json`` and ``*.eval`` (in a
folder, JSON files that are not eval logs, such as Inspect's ``logs.json`` listing, are
skipped and listed as rejected).

One result per successful log: benchmark = the task (``eval.task`` without a
``package/`` prefix), score = a metric of the first scorer (``metric`` if given, else
``accuracy``, else ``mean``, else the first that is not ``stderr``/``std``), stderr from
the ``stderr`` metric. The model (``eval.model``, e.g. ``openai/gpt-4o``) must resolve to
a warehouse model through the alias table (source ``inspect``) or exactly, by the full
name and then by the part after the last ``/``; a log says nothing about release date
or licence, so models are never created. Results go to the version
``"<model_id> [inspect]"`` (setting ``inspect``). Several logs for one model and task:
the latest ``eval.created`` wins. Tasks that are not warehouse benchmarks must be defined
in a benchmark file (the format of ``gaplens ingest csv --benchmarks``).

Rejected (listed, not stored): logs that did not succeed, have no usable metric, name a
model that does not resolve, or are superseded by a later log. Errors (nothing stored):
unreadable JSON or zip, missing ``eval.model``/``eval.task``, an undefined task, a score
outside the benchmark's valid range.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import os

import numpy as np
import pandas as pd

from ..errors import InputError
from .aliases import resolve_spellings
from .archive import Archive
from .batch import (
    MATCH_COLUMNS,
    REJECTED_COLUMNS,
    RESULT_COLUMNS,
    VERSION_COLUMNS,
    IngestBatch,
    SourceInfo,
    file_digest,
    files_below,
)
from .normalise import check_range, normalise
from .taxonomy import domains_for, layer_benchmarks, read_benchmarks
from .validate import load_json

SOURCE = "inspect"
SETTING = "inspect"
LOG_EXTENSIONS = (".json", ".eval")
HEADER_JSON = "header.json"
JOURNAL_START_JSON = "_journal/start.json"
LEGACY_START_JSON, LEGACY_RESULTS_JSON = "start.json", "results.json"
_NOT_SCORES = ("stderr", "std")
_ZSTD_METHOD = 93


def version_id_of(model_id: str) -> str:
    return f"{model_id} [{SETTING}]"


# -- reading files ---------------------------------------------------------------------------


def log_files(path: str) -> list[str]:
    """The log files of ``path``: itself, or every *.json / *.eval below a folder (sorted)."""
    return files_below(path, LOG_EXTENSIONS, "Inspect logs (*.json or *.eval)")


def _zstd_decompress(data: bytes) -> bytes | None:
    """Zstandard-decompressed ``data``, or None when no decoder is available."""
    try:
        from compression import zstd  # type: ignore[import-not-found]  # Python >= 3.14

        return zstd.decompress(data)
    except ImportError:
        pass
    try:
        import zstandard  # type: ignore[import-not-found]
    except ImportError:
        return None
    return zstandard.ZstdDecompressor().decompressobj().decompress(data)


def _member_json(file: str, archive: Archive, name: str):
    data = archive.read(name)
    try:
        return json.loads(data.decode("utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError, RecursionError) as exc:
        raise InputError(file, f"'{name}' is not readable JSON ({str(exc)[:200]})",
                         field=name) from None


def _zstd_member(raw: bytes) -> bytes | None:
    data = _zstd_decompress(raw)
    if data is None:
        raise NotImplementedError(
            "Zstandard, which this Python cannot read: install the 'zstandard' package, use "
            "Python 3.14+, or convert the log with 'inspect log convert --to json'")
    return data


def read_log_header(file: str) -> dict:
    """The log header (everything but samples is used) of one ``.json`` or ``.eval`` file."""
    with open(file, "rb") as handle:
        magic = handle.read(4)
    if file.lower().endswith(".eval") or magic == b"PK\x03\x04":
        try:
            archive = Archive(file, decoders={_ZSTD_METHOD: _zstd_member})
        except InputError as exc:
            if "not a readable zip archive" not in exc.message:
                raise
            raise InputError(file, "not a zip archive, as an Inspect .eval log is "
                             f"({exc.message})") from None
        with archive:
            names = set(archive.names)
            if HEADER_JSON in names:
                doc = _member_json(file, archive, HEADER_JSON)
            elif LEGACY_START_JSON in names and LEGACY_RESULTS_JSON in names:
                start = _member_json(file, archive, LEGACY_START_JSON)
                results = _member_json(file, archive, LEGACY_RESULTS_JSON)
                doc = ({**start, **results} if isinstance(start, dict)
                       and isinstance(results, dict) else None)
            elif JOURNAL_START_JSON in names:
                start = _member_json(file, archive, JOURNAL_START_JSON)
                doc = {**start, "status": "started"} if isinstance(start, dict) else None
            else:
                raise InputError(file, "the archive has no header.json (is it an Inspect "
                                 ".eval log?)", field=HEADER_JSON)
    else:
        doc = load_json(file)
    if not isinstance(doc, dict):
        raise InputError(file, "expected a JSON object (an Inspect eval log)")
    return doc


# -- one log -> one candidate row --------------------------------------------------------------


def _metrics(score: dict) -> dict[str, float | None]:
    """name -> value of a scorer's metrics (dict of EvalMetric, or a list of them)."""
    raw = score.get("metrics") or {}
    items = raw.items() if isinstance(raw, dict) else (
        (m.get("name"), m) for m in raw if isinstance(m, dict))
    out: dict[str, float | None] = {}
    for name, metric in items:
        value = metric.get("value") if isinstance(metric, dict) else metric
        if isinstance(value, bool) or not isinstance(value, (int, float)) \
                or not math.isfinite(value):
            value = None
        out[str(name)] = None if value is None else float(value)
    return out


def pick_metric(metrics: dict[str, float | None], wanted: str | None) -> str | None:
    """The metric used as the score: ``wanted``, else accuracy, else mean, else the first
    that is not a spread (stderr, std)."""
    if wanted:
        return wanted if wanted in metrics else None
    for name in ("accuracy", "mean"):
        if name in metrics:
            return name
    return next((n for n in metrics if n.lower() not in _NOT_SCORES), None)


def _created(value, file: str) -> dt.datetime | None:
    if value in (None, ""):
        return None
    try:
        when = dt.datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError:
        raise InputError(file, f"'{value}' is not an ISO date-time",
                         field="eval.created") from None
    return when if when.tzinfo else when.replace(tzinfo=dt.timezone.utc)


def task_name(task: str) -> str:
    """The task without its package prefix ("inspect_evals/gpqa_diamond" -> "gpqa_diamond")."""
    return task.rsplit("/", 1)[-1].strip()


def _reject(file: str, field: str, reason: str) -> dict:
    return dict(file=file, row=1, field=field, reason=reason)


def parse_log(file: str, doc: dict, metric: str | None) -> tuple[dict | None, dict | None]:
    """(candidate, None) for a usable log, (None, rejected row) for one that is not."""
    spec = doc.get("eval")
    if not isinstance(spec, dict):
        raise InputError(file, "missing the 'eval' object (is it an Inspect eval log?)",
                         field="eval")
    model = spec.get("model")
    if not isinstance(model, str) or not model.strip():
        raise InputError(file, "missing the model name", field="eval.model")
    task = spec.get("task")
    if not isinstance(task, str) or not task_name(task):
        raise InputError(file, "missing the task name", field="eval.task")
    created = _created(spec.get("created"), file)
    row = dict(file=file, model=model.strip(), task=task.strip(), benchmark=task_name(task),
               stamp=created.timestamp() if created is not None else -math.inf)
    status = doc.get("status")
    if status != "success":
        error = doc.get("error")
        detail = error.get("message") if isinstance(error, dict) else None
        detail = f": {str(detail).strip().splitlines()[0][:120]}" if detail else ""
        return None, _reject(file, "status", f"log of task '{row['task']}' with model "
                             f"'{row['model']}' has status '{status}', not 'success'{detail}")
    results = doc.get("results")
    if isinstance(results, dict) and "scores" not in results and isinstance(
            results.get("scorer"), dict):  # log format version 1: one scorer, metrics beside it
        results = {**results, "scores": [{**results["scorer"],
                                          "metrics": results.get("metrics") or {}}]}
    scores = results.get("scores") if isinstance(results, dict) else None
    if not isinstance(scores, list) or not scores or not isinstance(scores[0], dict):
        return None, _reject(file, "results.scores", "the log has no scores")
    first = scores[0]
    metrics = _metrics(first)
    chosen = pick_metric(metrics, metric)
    scorer = first.get("name") or first.get("scorer") or "?"
    field = f"results.scores[0].metrics.{chosen or metric or ''}".rstrip(".")
    if chosen is None:
        have = ", ".join(metrics) or "none"
        what = f"metric '{metric}'" if metric else "a score metric"
        return None, _reject(file, field, f"scorer '{scorer}' has no {what} (metrics: {have})")
    if metrics[chosen] is None:
        return None, _reject(file, field,
                             f"metric '{chosen}' of scorer '{scorer}' is not a number")
    row.update(metric=chosen, field=field, score=metrics[chosen],
               stderr=metrics.get("stderr") if metrics.get("stderr") is not None else np.nan)
    return row, None


# -- the batch -----------------------------------------------------------------------------


def _resolve_models(rows: pd.DataFrame, known_models: pd.DataFrame,
                    aliases: pd.DataFrame) -> tuple[pd.DataFrame, list[dict]]:
    """model_id per row (full name, then the part after the last '/'); match table rows."""
    names = list(pd.unique(rows["model"]))
    found = resolve_spellings([(n, n.rsplit("/", 1)[-1].strip()) for n in names], SOURCE,
                              known_models, aliases)
    matches = [dict(source=SOURCE, name=n, model_id=f[0], how=f[1], candidates=f[2])
               for n, f in zip(names, found)]
    by_name = {m["name"]: m for m in matches}
    rows["model_id"] = rows["model"].map(lambda n: by_name[n]["model_id"])
    return rows, matches


def _unresolved_reason(match: dict) -> str:
    name = match["name"]
    hint = (f"add an alias row (source 'inspect', name '{name}', model_id = the warehouse "
            "model) to the alias table; an Inspect log gives no release date or licence to "
            "create the model")
    if match["how"] == "ambiguous":
        return f"model '{name}' is ambiguous (matches {match['candidates']}): {hint}"
    extra = f" ({match['candidates']})" if match["candidates"] else ""
    return f"model '{name}' not matched to a warehouse model{extra}: {hint}"


def read_inspect(
    path: str,
    known_benchmarks: pd.DataFrame,
    known_domains: pd.DataFrame,
    known_models: pd.DataFrame,
    aliases: pd.DataFrame,
    benchmarks_path: str | None = None,
    metric: str | None = None,
    today: dt.date | None = None,
) -> IngestBatch:
    """Read one Inspect log or a folder of them into an :class:`IngestBatch` (kind "inspect")."""
    today = today or dt.date.today()
    new_benchmarks = read_benchmarks(benchmarks_path) if benchmarks_path else None
    files = log_files(path)
    folder = os.path.isdir(path)

    candidates: list[dict] = []
    rejected: list[dict] = []
    for file in files:
        doc = read_log_header(file)
        if folder and not isinstance(doc.get("eval"), dict):
            rejected.append(_reject(file, "eval", "not an Inspect eval log (no 'eval' "
                                    "object); skipped"))
            continue
        row, bad = parse_log(file, doc, metric)
        if bad is not None:
            rejected.append(bad)
        else:
            candidates.append(row)

    defs = layer_benchmarks(known_benchmarks, new_benchmarks)
    by_name = {b.lower(): b for b in defs["benchmark"]}
    for row in candidates:
        name = by_name.get(row["task"].lower()) or by_name.get(row["benchmark"].lower())
        if name is None:
            raise InputError(
                row["file"],
                f"task '{row['benchmark']}' is not a known benchmark: define it in a benchmark "
                "file (benchmark, domain, random_baseline, ceiling, test_set) and pass it with "
                "--benchmarks FILE",
                field="eval.task")
        row["benchmark"] = name
    spec_of = defs.drop_duplicates("benchmark").set_index("benchmark")
    for row in candidates:
        spec = spec_of.loc[[row["benchmark"]]].reset_index()
        try:
            check_range(pd.Series([row["score"]]), spec, row["file"], row["field"])
        except InputError as exc:  # a log has no rows: report file and field only
            raise InputError(row["file"], exc.message, field=row["field"]) from None

    matches: list[dict] = []
    rows = pd.DataFrame(candidates, columns=["file", "model", "task", "benchmark", "stamp",
                                             "metric", "field", "score", "stderr"])
    if len(rows):
        rows, matches = _resolve_models(rows, known_models, aliases)
        by_match = {m["name"]: m for m in matches}
        unresolved = rows["model_id"].isna()
        for _, row in rows.loc[unresolved].iterrows():
            rejected.append(_reject(row["file"], "eval.model",
                                    _unresolved_reason(by_match[row["model"]])))
        rows = rows.loc[~unresolved].copy()

        # One result per (model, task): the latest run; logs without a date rank last.
        rows = rows.sort_values(["stamp", "file"], ascending=[False, True], kind="mergesort")
        dup = rows.duplicated(["model_id", "benchmark"], keep="first")
        kept = rows.loc[~dup].set_index(["model_id", "benchmark"])
        for _, row in rows.loc[dup].iterrows():
            winner = kept.loc[(row["model_id"], row["benchmark"])]
            rejected.append(_reject(
                row["file"], "eval.created",
                f"superseded: '{winner['file']}' is a later log of task '{row['benchmark']}' "
                f"for model '{row['model_id']}' (the latest eval.created wins)"))
        rows = rows.loc[~dup].sort_values(["model_id", "benchmark"], kind="mergesort")
    else:
        rows["model_id"] = pd.Series(dtype=object)

    model_table = known_models.drop_duplicates("model_id").set_index("model_id")
    access_column = ("source_accessibility" if "source_accessibility" in model_table
                     else "accessibility")
    first = rows.drop_duplicates("model_id")
    versions = pd.DataFrame({
        "version_id": first["model_id"].map(version_id_of),
        "model_id": first["model_id"],
        "setting": SETTING,
        "display_name": first["model_id"].map(model_table["display_name"]).fillna(
            first["model_id"]),
        "release_date": first["model_id"].map(model_table["release_date"]),
        "accessibility": first["model_id"].map(model_table[access_column]),
        "epoch_eci": np.nan,
        "source_file": first["file"],
        "source_row": 1,
    }, columns=VERSION_COLUMNS)
    spec = spec_of.loc[rows["benchmark"]] if len(rows) else spec_of.iloc[0:0]
    results = pd.DataFrame({
        "version_id": rows["model_id"].map(version_id_of),
        "benchmark": rows["benchmark"],
        "setting": "",
        "raw_score": rows["score"].astype(float),
        "score": normalise(rows["score"].astype(float), spec["random_baseline"].to_numpy(),
                           spec["ceiling"].to_numpy(), spec["transform"].to_numpy()),
        "stderr": rows["stderr"].astype(float),
        "source_file": rows["file"],
        "source_row": 1,
    }, columns=RESULT_COLUMNS)

    return IngestBatch(
        source=SourceInfo(kind=SOURCE, path=os.path.abspath(path), sha256=file_digest(files),
                          retrieved_on=today),
        versions=versions.reset_index(drop=True),
        benchmarks=new_benchmarks,
        domains=(domains_for(new_benchmarks, known_domains)
                 if new_benchmarks is not None else None),
        results=results.reset_index(drop=True),
        matches=pd.DataFrame(matches, columns=MATCH_COLUMNS),
        rejected=pd.DataFrame(rejected, columns=REJECTED_COLUMNS),
    )
