"""The Every Eval Ever record format (schema v0.2): checks shared by import and export.

Every Eval Ever (EEE) is the evaluation community's common format for evaluation results
(https://github.com/evaleval/every_eval_ever). This module follows its JSON schemas as
published in that repository:

* the aggregate record: ``every_eval_ever/schemas/eval.schema.json``, version ``0.2.3``
  (commit a91fcaece of 2026-08-02; identical in structure to 0.3.0, which changed only
  the version string);
* the instance-level record (one JSON object per line of ``<uuid>_samples.jsonl``):
  ``every_eval_ever/schemas/instance_level_eval.schema.json``, version
  ``instance_level_eval_0.2.3``.

An aggregate record is one JSON object per file (``data/<collection>/<developer>/<model>/
<uuid>.json`` in EEE's layout): ``schema_version``, ``evaluation_id``,
``retrieved_timestamp``, ``source_metadata`` (``source_type``, ``source_organization_name``,
``evaluator_relationship``), ``model_info`` (``name``, ``id``), ``eval_library`` (``name``,
``version``; required from 0.2.1 on) and ``evaluation_results``, each with
``evaluation_name``, ``source_data`` (``dataset_name``, ``source_type``), ``metric_config``
(``lower_is_better``) and ``score_details`` (``score``, optional
``uncertainty.standard_error.value``).

:func:`check_aggregate` checks the fields gaplens reads, with their types and enums, and
raises a one-line :class:`~gaplens.errors.InputError` naming the file, the record and the
field (``evaluation_results[2].score_details.score``). ``strict=True`` is the check of
the writer: every field 0.2.3 requires, string-only ``additional_details`` maps and the
bounds a ``continuous`` metric must state. The reader is lenient where real 0.2.x files
differ (0.2.0 records have no ``eval_library``; some carry numbers in
``additional_details``). No network, no copy of the schema: the rules are written here.
"""

from __future__ import annotations

import math

from ..errors import InputError

#: The version gaplens writes, and where its rules come from.
SCHEMA_VERSION = "0.2.3"
SCHEMA_SOURCE = ("evaleval/every_eval_ever, every_eval_ever/schemas/eval.schema.json "
                 "(version 0.2.3, commit a91fcaece, 2026-08-02)")
INSTANCE_SCHEMA_SOURCE = ("evaleval/every_eval_ever, every_eval_ever/schemas/"
                          "instance_level_eval.schema.json (instance_level_eval_0.2.3)")
#: Schema versions the reader accepts (0.3.0 has the structure of 0.2.3).
READABLE_VERSIONS = ("0.2.", "0.3.")

SOURCE_TYPES = ("documentation", "evaluation_run")
RELATIONSHIPS = ("first_party", "third_party", "collaborative", "other")
DATA_SOURCE_TYPES = ("url", "hf_dataset", "other")
SCORE_TYPES = ("binary", "continuous", "levels")
DEPLOYMENT_TYPES = ("self_deployed", "externally_managed", "unknown")
AVAILABILITY = ("open_weights", "closed_weights", "unknown")
INTERACTION_TYPES = ("single_turn", "multi_turn", "agentic")
UNBOUNDED = ("Infinity", "-Infinity")

_KINDS = {
    "str": (str,),
    "number": (int, float),
    "integer": (int,),
    "bool": (bool,),
    "object": (dict,),
    "array": (list,),
}
_NAMES = {"str": "a string", "number": "a number", "integer": "an integer",
          "bool": "true or false", "object": "an object", "array": "an array"}


class Checker:
    """Field checks of one record: each failure is an InputError at ``where``."""

    def __init__(self, where: str) -> None:
        self.where = where

    def fail(self, field: str, message: str) -> None:
        raise InputError(self.where, message, field=field)

    def get(self, obj: dict, key: str, kind: str, path: str = "", required: bool = True):
        """``obj[key]`` checked to be of ``kind``; None when absent and not required."""
        field = f"{path}.{key}" if path else key
        if key not in obj or obj[key] is None:
            if required:
                self.fail(field, "missing required field" if key not in obj
                          else "is null, expected " + _NAMES[kind])
            return None
        value = obj[key]
        ok = isinstance(value, _KINDS[kind])
        if kind in ("number", "integer") and isinstance(value, bool):
            ok = False
        if ok and kind == "number" and not math.isfinite(value):
            ok = False
        if not ok:
            self.fail(field, f"expected {_NAMES[kind]}, found {_type_name(value)}")
        if kind == "str" and not value.strip() and required:
            self.fail(field, "is blank")
        return value

    def enum(self, obj: dict, key: str, allowed: tuple[str, ...], path: str,
             required: bool = True):
        value = self.get(obj, key, "str", path, required)
        if value is not None and value not in allowed:
            self.fail(f"{path}.{key}" if path else key,
                      f"'{value}' is not one of: " + ", ".join(allowed))
        return value

    def string_map(self, obj: dict, key: str, path: str) -> None:
        """An ``additional_details``-style object whose values must all be strings."""
        value = self.get(obj, key, "object", path, required=False)
        for name, item in (value or {}).items():
            if not isinstance(item, str):
                self.fail(f"{path}.{key}.{name}",
                          f"expected a string (all values of {key} are strings), found "
                          f"{_type_name(item)}")


def _type_name(value) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, (int, float)):
        return "a number" if math.isfinite(value) else f"{value}"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "an array"
    if isinstance(value, dict):
        return "an object"
    return type(value).__name__


def _bound(check: Checker, metric: dict, key: str, path: str) -> None:
    if key not in metric or metric[key] is None:
        return
    value = metric[key]
    if isinstance(value, str) and value in UNBOUNDED:
        return
    if isinstance(value, bool) or not isinstance(value, (int, float)) \
            or not math.isfinite(value):
        check.fail(f"{path}.{key}", "expected a number, 'Infinity' or '-Infinity', found "
                   + _type_name(value))


def check_aggregate(doc, where: str, strict: bool = False) -> None:
    """Raise a one-line InputError at the first field of ``doc`` (one aggregate record)
    that breaks the schema's rules gaplens relies on (all of 0.2.3's with ``strict``)."""
    check = Checker(where)
    if not isinstance(doc, dict):
        raise InputError(where, f"expected a JSON object (an Every Eval Ever record), found "
                         f"{_type_name(doc)}")
    version = check.get(doc, "schema_version", "str")
    if not version.startswith(READABLE_VERSIONS):
        check.fail("schema_version", f"version '{version}' is not supported (this reader "
                   "follows schema 0.2.x; 0.3.0 is read as 0.2.3)")
    check.get(doc, "evaluation_id", "str")
    check.get(doc, "retrieved_timestamp", "str")
    check.get(doc, "evaluation_timestamp", "str", required=False)
    meta = check.get(doc, "source_metadata", "object")
    check.get(meta, "source_name", "str", "source_metadata", required=False)
    check.enum(meta, "source_type", SOURCE_TYPES, "source_metadata")
    check.get(meta, "source_organization_name", "str", "source_metadata")
    check.enum(meta, "evaluator_relationship", RELATIONSHIPS, "source_metadata")
    library = check.get(doc, "eval_library", "object", required=strict)
    if library is not None:
        check.get(library, "name", "str", "eval_library")
        check.get(library, "version", "str", "eval_library")
    info = check.get(doc, "model_info", "object")
    check.get(info, "name", "str", "model_info")
    check.get(info, "id", "str", "model_info")
    check.get(info, "developer", "str", "model_info", required=False)
    details = check.get(info, "additional_details", "object", "model_info", required=strict)
    if strict:
        for path, obj in (("source_metadata", meta), ("eval_library", library),
                          ("model_info", info)):
            check.string_map(obj, "additional_details", path)
        check.enum(details, "deployment_type", DEPLOYMENT_TYPES, "model_info.additional_details")
        check.enum(details, "model_availability", AVAILABILITY, "model_info.additional_details")
    results = check.get(doc, "evaluation_results", "array")
    for i, result in enumerate(results):
        _check_result(check, result, f"evaluation_results[{i}]", strict)
    detailed = check.get(doc, "detailed_evaluation_results", "object", required=False)
    if detailed is not None:
        check.enum(detailed, "format", ("jsonl", "json") if not strict else ("jsonl",),
                   "detailed_evaluation_results", required=strict)
        check.get(detailed, "file_path", "str", "detailed_evaluation_results",
                  required=strict)


def _check_result(check: Checker, result, path: str, strict: bool) -> None:
    if not isinstance(result, dict):
        check.fail(path, f"expected an object, found {_type_name(result)}")
    check.get(result, "evaluation_result_id", "str", path, required=False)
    check.get(result, "evaluation_name", "str", path)
    data = check.get(result, "source_data", "object", path)
    check.get(data, "dataset_name", "str", f"{path}.source_data")
    kind = check.enum(data, "source_type", DATA_SOURCE_TYPES, f"{path}.source_data")
    if kind == "url":
        urls = check.get(data, "url", "array", f"{path}.source_data")
        if not urls or not all(isinstance(u, str) for u in urls):
            check.fail(f"{path}.source_data.url", "expected a non-empty array of strings")
    metric = check.get(result, "metric_config", "object", path)
    mpath = f"{path}.metric_config"
    check.get(metric, "lower_is_better", "bool", mpath)
    score_type = check.enum(metric, "score_type", SCORE_TYPES, mpath, required=False)
    for key in ("min_score", "max_score"):
        _bound(check, metric, key, mpath)
    check.get(metric, "metric_unit", "str", mpath, required=False)
    if strict and score_type == "continuous":
        for key in ("min_score", "max_score"):
            if metric.get(key) is None:
                check.fail(f"{mpath}.{key}", "missing (required for a continuous metric)")
    score = check.get(result, "score_details", "object", path)
    spath = f"{path}.score_details"
    check.get(score, "score", "number", spath)
    uncertainty = check.get(score, "uncertainty", "object", spath, required=False)
    if uncertainty is not None:
        se = check.get(uncertainty, "standard_error", "object", f"{spath}.uncertainty",
                       required=False)
        if se is not None:
            value = check.get(se, "value", "number", f"{spath}.uncertainty.standard_error")
            if value < 0:
                check.fail(f"{spath}.uncertainty.standard_error.value",
                           f"a standard error cannot be negative ({value:g})")
        check.get(uncertainty, "num_samples", "integer", f"{spath}.uncertainty",
                  required=False)
    if strict:
        check.string_map(score, "details", spath)
        for key, obj in (("source_data", data), ("metric_config", metric)):
            check.string_map(obj, "additional_details", f"{path}.{key}")


def check_instance(doc, where: str) -> dict:
    """The fields gaplens reads from one instance-level line, checked (0.2.3's required
    fields: identity, ``interaction_type``, ``input``, ``answer_attribution`` and
    ``evaluation.score``/``is_correct``)."""
    check = Checker(where)
    if not isinstance(doc, dict):
        raise InputError(where, f"expected a JSON object (an instance record), found "
                         f"{_type_name(doc)}")
    check.get(doc, "schema_version", "str")
    for key in ("evaluation_id", "model_id", "evaluation_name", "sample_id"):
        check.get(doc, key, "str")
    check.get(doc, "evaluation_result_id", "str", required=False)
    check.enum(doc, "interaction_type", INTERACTION_TYPES, "")
    check.get(doc, "input", "object")
    check.get(doc, "answer_attribution", "array")
    evaluation = check.get(doc, "evaluation", "object")
    check.get(evaluation, "score", "number", "evaluation")
    check.get(evaluation, "is_correct", "bool", "evaluation")
    return doc
