"""Ingest: read the outside world into validated, tidy batches (no storage here)."""

from .batch import IngestBatch, SourceInfo
from .epoch import read_epoch
from .normalise import normalise
from .overrides import read_overrides
from .taxonomy import Taxonomy, bundled_taxonomy, read_benchmarks
from .tidy_csv import read_tidy_csv

__all__ = [
    "IngestBatch",
    "SourceInfo",
    "Taxonomy",
    "bundled_taxonomy",
    "normalise",
    "read_benchmarks",
    "read_epoch",
    "read_overrides",
    "read_tidy_csv",
]
