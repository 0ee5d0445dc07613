"""Writing gaplens results as Every Eval Ever aggregate records (schema 0.2.3).

One record per model and source (the warehouse source kind that published the results:
``epoch``, ``csv``, ...), written as ``data/gaplens-<kind>/<developer>/<model>/<uuid>.json``
under the output folder, EEE's layout. The uuid is derived from the record's
``evaluation_id`` (a version-4 shaped uuid from its SHA-256), so exporting the same data
twice writes the same files.

Mapping (schema: :data:`gaplens.ingest.eee_format.SCHEMA_SOURCE`):

* ``model_info``: ``id`` = model id, ``name`` = display name, ``developer`` =
  organization; ``additional_details``: ``deployment_type`` "unknown",
  ``model_availability`` from the effective accessibility (open weights, closed weights
  or unknown), and gaplens' own ``gaplens_accessibility``, ``gaplens_release_date``,
  ``gaplens_country``;
* ``source_metadata``: the source's title, its publisher, ``source_type``
  "documentation" ("evaluation_run" for Inspect logs), ``evaluator_relationship`` "third_party" (a publisher's table) or
  "other" (a user's file), attribution and retrieval date in ``additional_details``;
* one ``evaluation_results`` item per stored result: ``evaluation_name`` = benchmark,
  ``score_details.score`` = raw score in the benchmark's unit, ``metric_config`` with
  ``metric_unit``, ``min_score``/``max_score`` (the benchmark's valid range), baseline,
  ceiling and transform, ``uncertainty.standard_error.value`` = stderr when stored;
  ``score_details.details`` keeps the version, setting and normalised score so a
  re-import returns each result to its version.

Every record is checked with :func:`gaplens.ingest.eee_format.check_aggregate`
(``strict``) before any file is written. Not carried: the analysis (gaps, lags, the
index): an EEE record describes one model's evaluations, and a gap between groups of
models has no ``model_info``.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import math
import os
import re
import uuid

import pandas as pd

from ..errors import InputError
from ..types import Accessibility
from .eee_format import SCHEMA_VERSION, check_aggregate

#: Columns the export needs (one row per stored result).
EXPORT_COLUMNS = [
    "kind", "source_title", "source_org", "source_url", "attribution", "user_file",
    "retrieved_on", "model_id", "display_name", "organization", "country", "release_date",
    "accessibility", "version_id", "version_setting", "version_name", "version_release",
    "benchmark", "setting", "raw_score", "score", "stderr", "domain", "unit", "transform",
    "random_baseline", "ceiling", "test_set", "benchmark_url",
]
#: gaplens units under the names EEE uses (its schema's examples: proportion, percent, points).
_UNITS = {"fraction": "proportion"}
_SLUG = re.compile(r"[^A-Za-z0-9._-]+")


def slug(text: object) -> str:
    """A folder name for a developer or model: letters, digits, ``._-``; others become
    ``_`` (at most 100 characters, never empty or a dot name)."""
    value = _SLUG.sub("_", str(text) if isinstance(text, str) else "").strip("_.")[:100]
    return value or "unknown"


def record_uuid(evaluation_id: str) -> str:
    """A version-4 shaped uuid fixed by ``evaluation_id`` (same data, same file name)."""
    return str(uuid.UUID(bytes=hashlib.sha256(evaluation_id.encode("utf-8")).digest()[:16],
                         version=4))


def _text(value) -> str | None:
    if value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NaT:
        return None
    if isinstance(value, (pd.Timestamp, dt.datetime)):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    text = str(value)
    return text if text.strip() else None


def _details(**items) -> dict[str, str]:
    """A string map without blanks (``additional_details`` values must be strings)."""
    return {k: t for k, v in items.items() if (t := _text(v)) is not None}


def _availability(accessibility: str) -> str:
    try:
        access = Accessibility.parse(accessibility)
    except ValueError:
        return "unknown"
    if access.is_open_weights:
        return "open_weights"
    return "closed_weights" if access.is_closed else "unknown"


def _bounds(baseline: float, ceiling: float, transform: str) -> tuple[float, float]:
    low = 0.0 if transform == "log" else min(0.0, float(baseline))
    return low, float(ceiling)


def _unix(day) -> str:
    when = dt.datetime.combine(pd.Timestamp(day).date(), dt.time(), dt.timezone.utc)
    return str(int(when.timestamp()))


def _result(row) -> dict:
    low, high = _bounds(row.random_baseline, row.ceiling, row.transform)
    setting = row.setting or ""
    result_id = f"gaplens/{row.benchmark}/{row.version_id}" + (f"/{setting}" if setting else "")
    url = _text(row.benchmark_url)
    source_data = {"dataset_name": row.benchmark, "source_type": "url" if url else "other"}
    if url:
        source_data["url"] = [url]
    source_data["additional_details"] = _details(gaplens_domain=row.domain,
                                                 gaplens_test_set=row.test_set)
    score = {"score": float(row.raw_score),
             "details": _details(gaplens_version_id=row.version_id,
                                 gaplens_setting=setting,
                                 gaplens_version_setting=row.version_setting,
                                 gaplens_version_name=row.version_name,
                                 gaplens_version_release_date=row.version_release,
                                 gaplens_normalised_score=repr(float(row.score)))}
    if not setting:
        score["details"]["gaplens_setting"] = ""
    if not (isinstance(row.stderr, float) and math.isnan(row.stderr)) and row.stderr is not None:
        score["uncertainty"] = {"standard_error": {"value": float(row.stderr),
                                                   "method": "as published by the source"}}
    return {
        "evaluation_result_id": result_id,
        "evaluation_name": row.benchmark,
        "source_data": source_data,
        "metric_config": {
            "evaluation_description": f"{row.benchmark} score in {row.unit}",
            "metric_id": f"gaplens.{row.benchmark}",
            "metric_name": row.benchmark,
            "metric_unit": _UNITS.get(row.unit, row.unit),
            "lower_is_better": False,
            "score_type": "continuous",
            "min_score": low,
            "max_score": high,
            "additional_details": _details(
                gaplens_random_baseline=repr(float(row.random_baseline)),
                gaplens_ceiling=repr(float(row.ceiling)), gaplens_transform=row.transform),
        },
        "score_details": score,
    }


def build_records(frame: pd.DataFrame, exporter: str) -> list[tuple[str, dict]]:
    """(relative path, record) per model and source kind of ``frame`` (EXPORT_COLUMNS),
    each checked against the schema's required fields; ``exporter`` names the writer."""
    records = []
    ordered = frame.sort_values(["kind", "model_id", "benchmark", "version_id", "setting"],
                                kind="mergesort")
    for (kind, model_id), part in ordered.groupby(["kind", "model_id"], sort=False):
        head = part.iloc[0]
        retrieved = part["retrieved_on"].max()
        evaluation_id = f"gaplens/{kind}/{model_id}/{_unix(retrieved)}"
        doc = {
            "schema_version": SCHEMA_VERSION,
            "evaluation_id": evaluation_id,
            "retrieved_timestamp": _unix(retrieved),
            "source_metadata": {
                "source_name": head.source_title,
                # A user's Inspect logs are runs; everything else was read from tables.
                "source_type": "evaluation_run" if kind == "inspect" else "documentation",
                "source_organization_name": head.source_org,
                **({"source_organization_url": head.source_url}
                   if _text(head.source_url) else {}),
                "evaluator_relationship": "other" if head.user_file else "third_party",
                "additional_details": _details(gaplens_source_kind=kind,
                                               attribution=head.attribution,
                                               retrieved_on=retrieved),
            },
            "eval_library": {"name": head.source_title, "version": "unknown",
                             "additional_details": {"exported_by": exporter}},
            "model_info": {
                "name": _text(head.display_name) or model_id,
                "id": model_id,
                **({"developer": head.organization} if _text(head.organization) else {}),
                "additional_details": {
                    "deployment_type": "unknown",
                    "model_availability": _availability(head.accessibility),
                    **_details(gaplens_accessibility=head.accessibility,
                               gaplens_release_date=head.release_date,
                               gaplens_country=head.country),
                },
            },
            "evaluation_results": [_result(row) for row in part.itertuples(index=False)],
        }
        name = f"{record_uuid(evaluation_id)}.json"
        relpath = os.path.join("data", slug(f"gaplens-{kind}"), slug(head.organization),
                               slug(model_id), name)
        check_aggregate(json.loads(json.dumps(doc)), f"{relpath}, record 1", strict=True)
        records.append((relpath, doc))
    return records


def write_records(records: list[tuple[str, dict]], out: str) -> list[str]:
    """Write checked records under ``out`` (each file whole: written aside, then renamed)."""
    if os.path.exists(out) and not os.path.isdir(out):
        raise InputError(out, "exists and is not a folder")
    written = []
    for relpath, doc in records:
        path = os.path.join(out, relpath)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        tmp = path + ".part"
        with open(tmp, "w", encoding="utf-8") as handle:
            json.dump(doc, handle, ensure_ascii=False, indent=1, allow_nan=False)
            handle.write("\n")
        os.replace(tmp, path)
        written.append(path)
    return written
