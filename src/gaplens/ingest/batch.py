"""The tidy contract between ingest adapters and the warehouse.

Every adapter returns an :class:`IngestBatch`: typed DataFrames with fixed columns,
already validated, each result row carrying the file and row it came from.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
from dataclasses import dataclass, field

import pandas as pd

from ..errors import InputError

MODEL_COLUMNS = [
    "model_id",
    "display_name",
    "organization",
    "country",
    "release_date",
    "accessibility",
    "parameters",
    "training_compute",
]
VERSION_COLUMNS = [
    "version_id",
    "model_id",
    "setting",
    "display_name",
    "release_date",
    "accessibility",
    "epoch_eci",
    "source_file",
    "source_row",
]
RESULT_COLUMNS = [
    "version_id",
    "benchmark",
    "setting",
    "raw_score",
    "score",
    "stderr",
    "source_file",
    "source_row",
]
# A dated observation of a model that is not a benchmark result: a snapshot of a
# leaderboard (Artificial Analysis, LMArena), usage (OpenRouter tokens), a category score.
# ``signal`` is "<source>.<metric>"; ``as_of`` the snapshot date it was true on.
SIGNAL_COLUMNS = ["model_id", "signal", "value", "as_of", "source_file", "source_row"]
# How each name in a source was matched to a warehouse model (see ingest/aliases.py).
MATCH_COLUMNS = ["source", "name", "model_id", "how", "candidates"]
REJECTED_COLUMNS = ["file", "row", "field", "reason"]
OVERRIDE_COLUMNS = ["model_id", "accessibility", "reason"]
# What a source says about a model's weights and licence, as it says it (the openness
# audit compares sources): ``source`` is the source kind (aa, lmarena), ``licence`` its
# licence text, ``open_weights`` / ``commercial`` its flags (None when it gives none),
# ``as_of`` the snapshot the claim is from (the newest one of the file).
LICENCE_COLUMNS = ["model_id", "source", "licence", "open_weights", "commercial", "as_of",
                   "source_file", "source_row"]


def empty(columns: list[str]) -> pd.DataFrame:
    return pd.DataFrame({c: pd.Series(dtype="object") for c in columns})


@dataclass(frozen=True)
class SourceInfo:
    """Where a batch came from.

    ``origin`` is ``bundled`` (shipped with gaplens; ``published_on`` is the date of the
    copy), ``file`` (a user's import) or ``update`` (fetched by ``gaplens update`` from
    ``url`` at ``fetched_at``, UTC). ``retrieved_on`` is the date the data were taken
    from the publisher (for bundled data: when the copy was taken, not when it was loaded).
    """

    kind: str  # the source name of the registry (epoch, aa, ...) or csv | inspect | overrides
    path: str
    sha256: str
    retrieved_on: dt.date
    origin: str = "file"
    url: str | None = None
    published_on: dt.date | None = None
    fetched_at: dt.datetime | None = None


@dataclass(frozen=True)
class IngestBatch:
    source: SourceInfo
    models: pd.DataFrame = field(default_factory=lambda: empty(MODEL_COLUMNS))
    versions: pd.DataFrame = field(default_factory=lambda: empty(VERSION_COLUMNS))
    benchmarks: pd.DataFrame | None = None
    domains: pd.DataFrame | None = None
    results: pd.DataFrame = field(default_factory=lambda: empty(RESULT_COLUMNS))
    rejected: pd.DataFrame = field(default_factory=lambda: empty(REJECTED_COLUMNS))
    overrides: pd.DataFrame = field(default_factory=lambda: empty(OVERRIDE_COLUMNS))
    signals: pd.DataFrame = field(default_factory=lambda: empty(SIGNAL_COLUMNS))
    matches: pd.DataFrame = field(default_factory=lambda: empty(MATCH_COLUMNS))
    licences: pd.DataFrame = field(default_factory=lambda: empty(LICENCE_COLUMNS))


def sha256_of(chunks) -> str:
    digest = hashlib.sha256()
    for chunk in chunks:
        digest.update(chunk)
    return digest.hexdigest()


def file_digest(paths: list[str]) -> str:
    """One SHA-256 over the bytes of ``paths``, in order (a source made of several files)."""
    def chunks():
        for p in paths:
            with open(p, "rb") as handle:
                yield handle.read()
    return sha256_of(chunks())


def files_below(path: str, extensions: tuple[str, ...], what: str) -> list[str]:
    """``path`` itself, or every file below a folder whose name ends with one of
    ``extensions`` (case-insensitive; sorted; hidden files and folders skipped). ``what``
    names the files in the error for a folder holding none."""
    if os.path.isdir(path):
        found = []
        for root, dirs, files in os.walk(path):
            dirs[:] = sorted(d for d in dirs if not d.startswith("."))
            found += [os.path.join(root, f) for f in files
                      if f.lower().endswith(extensions) and not f.startswith(".")]
        if not found:
            raise InputError(path, f"no {what} in this folder")
        return sorted(found)
    if not os.path.exists(path):
        raise InputError(path, "no such file or folder")
    return [path]
