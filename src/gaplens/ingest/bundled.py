"""Where the data bundled with gaplens live (each folder has its PROVENANCE.md)."""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import replace

from .batch import IngestBatch
from .registry import Source
from .taxonomy import bundled_path


#: Who collected a bundled copy, when gaplens ships a collector's copy rather than the
#: publisher's own export (credited after the publisher's attribution line).
BUNDLED_COLLECTORS = {
    "aa": "weekly snapshots collected by oolong-tea-2026/artificial-analysis-leaderboards",
    "lmarena": "collected by fboulnois/llm-leaderboard-csv and "
               "oolong-tea-2026/arena-ai-leaderboards",
    "openrouter": "collected by johnbean393/openrouter-inference-stats",
}

_OTHER_CREDITS = {
    "overrides": "gaplens reviewed accessibility overrides (data/accessibility_overrides.csv, "
                 "one stated reason per row)",
    "csv": "your own results (tidy CSV)",
    "inspect": "your own evaluations (Inspect AI logs)",
    "every-eval-ever": "evaluation records in the Every Eval Ever format "
                       "(github.com/evaleval/every_eval_ever)",
}


def _credits() -> dict[str, str]:
    from .registry import sources

    credits = {}
    for src in sources():
        line = src.attribution
        if src.name in BUNDLED_COLLECTORS:
            line += f"; {BUNDLED_COLLECTORS[src.name]}"
        credits[src.name] = line
    return {**credits, **_OTHER_CREDITS}


def __getattr__(name: str):
    """``SOURCE_CREDITS`` (credit line per source kind: each declared source's attribution
    line, with the collector of the bundled copy where there is one), ``EPOCH_CREDIT`` and
    ``EPOCH_RETRIEVED_ON`` (the date the bundled Epoch copy was taken),
    read from the registry when first asked for."""
    if name == "SOURCE_CREDITS":
        return _credits()
    if name == "EPOCH_RETRIEVED_ON":
        from .registry import source

        return source("epoch").retrieved_on("epoch_benchmarking_hub")
    if name == "EPOCH_CREDIT":
        return _credits()["epoch"]
    raise AttributeError(name)


def as_bundled(batch: IngestBatch, source: Source, relpath: str) -> IngestBatch:
    """``batch`` read from a bundled copy: origin ``bundled``, published on the source's
    ``bundled_published`` date, retrieved on the date the copy was taken."""
    info = replace(batch.source, kind=source.name, origin="bundled",
                   published_on=source.bundled_published,
                   retrieved_on=source.retrieved_on(relpath) or batch.source.retrieved_on)
    return replace(batch, source=info)


def epoch_export_path() -> str:
    return bundled_path("epoch_benchmarking_hub")


def overrides_path() -> str:
    return bundled_path("accessibility_overrides.csv")


def epoch_difficulties_path() -> str:
    """Epoch's published benchmark difficulties (EDI) and slopes of its index."""
    return os.path.join(epoch_export_path(), "additional_eci_data",
                        "eci_benchmark_difficulties_and_slopes.csv")


def data_path(*parts: str) -> str:
    """A bundled file or folder under ``gaplens/data``."""
    return bundled_path(os.path.join(*parts))
