"""What the publisher-direct result readers (ARC Prize, WeirdML) share.

A publisher's leaderboard names each entry its own way (``GPT-5.2 (xHigh)``,
``gpt-5.2:medium``). Each entry becomes a **model version of its own**,
``<source>/<entry id>``, attached to the warehouse model its name resolves to, with the
publisher's display name and release date (else the model's). Its results are keyed
``(version, benchmark, setting)`` like every result, so they sit beside the results
other sources gave for the same model (Epoch's ``*_external.csv`` copies of the same
leaderboards) and never replace them: the analysis keeps the best score per model and
benchmark, as it does across effort settings, and the row it used says which version
(and so which source) gave it.

Names resolve through the reviewed alias table (the source's scope), then exactly,
trying the spellings of an entry from the most specific: the display name, the display
name without its trailing parenthesis (``GPT-5.2 (xHigh)`` -> ``GPT-5.2``), the entry's
ids, and last that bare name with hyphens read as spaces (``claude-opus-4.6 (high)`` ->
``claude opus 4.6``). Nothing is guessed beyond these rules; an entry that finds no
model is listed as unmatched and its rows rejected (a publisher's leaderboard does not
say whether a model's weights are released, so these readers never create models).
"""

from __future__ import annotations

import json
import math
import re

import numpy as np
import pandas as pd

from ..errors import InputError
from .aliases import resolve_spellings
from .validate import load_json as _validated_json
from .batch import MATCH_COLUMNS, RESULT_COLUMNS, VERSION_COLUMNS
from .normalise import check_range, normalise
from .taxonomy import bundled_taxonomy

_TRAILING_PAREN = re.compile(r"\s*\([^()]*\)\s*$")
SPELLING_LABELS = (None, "name", "id", "id", "id")


def load_json(path: str):
    """A JSON document; a missing, malformed, too large or too deeply nested file is a
    one-line InputError (``validate.load_json``)."""
    return _validated_json(path)


def json_records(doc, path: str, key: str | None = None) -> list[dict]:
    """The array of objects of a document (or of ``doc[key]`` when ``doc`` is an object)."""
    if isinstance(doc, dict) and key is not None and key in doc:
        doc = doc[key]
    if not isinstance(doc, list):
        raise InputError(path, "expected a JSON array of objects"
                         + (f" (or an object with an '{key}' array)" if key else ""))
    for i, item in enumerate(doc):
        if not isinstance(item, dict):
            raise InputError(path, "expected an object", row=i + 1)
    return doc


def json_number(record: dict, key: str, path: str, row: int, low: float | None = None,
                high: float | None = None, required: bool = False) -> float:
    """A number field of a JSON record (NaN when absent or null, unless ``required``)."""
    value = record.get(key)
    if value is None:
        if required:
            raise InputError(path, "the value is missing", row=row, field=key)
        return math.nan
    if isinstance(value, bool) or not isinstance(value, (int, float)) \
            or not math.isfinite(float(value)):
        raise InputError(path, f"{json.dumps(value)} is not a number", row=row, field=key)
    value = float(value)
    if (low is not None and value < low) or (high is not None and value > high):
        raise InputError(path, f"{value:g} is outside [{low:g}, {high:g}]" if high is not None
                         else f"{value:g} is below {low:g}", row=row, field=key)
    return value


def json_text(record: dict, key: str, path: str, row: int, required: bool = False):
    value = record.get(key)
    if value is None or (isinstance(value, str) and not value.strip()):
        if required:
            raise InputError(path, "the value is missing", row=row, field=key)
        return None
    if not isinstance(value, str):
        raise InputError(path, f"{json.dumps(value)} is not a string", row=row, field=key)
    return value.strip()


def spellings(display: str | None, *ids: str | None) -> tuple:
    """An entry's spellings, most specific first (see the module docstring)."""
    bare = _TRAILING_PAREN.sub("", display) if display else None
    stem = bare or next((i for i in ids if i), None)
    spaced = stem.replace("-", " ") if stem else None
    out = [display, bare if bare != display else None, *ids, spaced]
    seen: set[str] = set()
    unique = []
    for value in out:
        key = value.lower() if isinstance(value, str) else None
        unique.append(value if key and key not in seen else None)
        if key:
            seen.add(key)
    return tuple(unique)


def resolve_entries(entries: pd.DataFrame, source: str, models: pd.DataFrame,
                    aliases: pd.DataFrame) -> tuple[pd.Series, pd.DataFrame]:
    """Model id per entry (None when unresolved) and the match table (one row per entry).

    ``entries``: ``entry`` (the publisher's id) and ``spellings`` (tuples).
    """
    found = resolve_spellings(list(entries["spellings"]), source, models, aliases,
                              labels=SPELLING_LABELS)
    matches = pd.DataFrame([(source, entry, *hit) for entry, hit in
                            zip(entries["entry"], found)], columns=MATCH_COLUMNS)
    return pd.Series([hit[0] for hit in found], index=entries.index, dtype=object), matches


def benchmark_spec(taxonomy, benchmark: str) -> pd.Series:
    table = (taxonomy or bundled_taxonomy()).benchmarks
    hit = table.loc[table["benchmark"] == benchmark]
    if hit.empty:
        raise InputError("benchmarks.csv", f"benchmark '{benchmark}' is not defined")
    return hit.iloc[0]


def versions_and_results(rows: pd.DataFrame, source: str, models: pd.DataFrame, taxonomy,
                         file: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Model versions and results from resolved rows.

    ``rows``: ``entry, model_id, display, release_date, benchmark, raw_score, stderr,
    source_file, source_row``; one version per entry, one result per entry and benchmark.
    """
    if rows.empty:
        return (pd.DataFrame(columns=VERSION_COLUMNS), pd.DataFrame(columns=RESULT_COLUMNS))
    info = models.set_index("model_id")
    rows = rows.assign(version_id=source + "/" + rows["entry"])
    model_date = rows["model_id"].map(info["release_date"]) if "release_date" in info \
        else pd.Series(pd.NaT, index=rows.index)
    first = rows.drop_duplicates("version_id")
    date = first["release_date"].fillna(model_date.loc[first.index])
    access = first["model_id"].map(info["accessibility"]) if "accessibility" in info \
        else pd.Series(None, index=first.index)
    versions = pd.DataFrame({
        "version_id": first["version_id"],
        "model_id": first["model_id"],
        "setting": "",
        "display_name": first["display"].fillna(first["entry"]),
        "release_date": pd.to_datetime(date).astype("datetime64[s]"),
        "accessibility": access,
        "epoch_eci": np.nan,
        "source_file": first["source_file"],
        "source_row": first["source_row"].astype(int),
    })[VERSION_COLUMNS].reset_index(drop=True)
    parts = []
    for benchmark, group in rows.groupby("benchmark", sort=True):
        spec = benchmark_spec(taxonomy, benchmark)
        specs = pd.DataFrame([spec] * len(group), index=group.index)
        check_range(group["raw_score"], specs, file, "score")
        parts.append(pd.DataFrame({
            "version_id": group["version_id"],
            "benchmark": benchmark,
            "setting": "Name=" + group["display"].fillna(group["entry"]),
            "raw_score": group["raw_score"].astype(float),
            "score": normalise(group["raw_score"], spec["random_baseline"], spec["ceiling"],
                               spec["transform"]),
            "stderr": group["stderr"].astype(float),
            "source_file": group["source_file"],
            "source_row": group["source_row"].astype(int),
        }))
    results = pd.concat(parts, ignore_index=True)[RESULT_COLUMNS]
    return versions, results
