"""Where the data bundled with gaplens live (each folder has its PROVENANCE.md)."""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import replace

from .batch import IngestBatch
from .registry import Source
from .taxonomy import bundled_path

#: The date each bundled copy was taken from its publisher or collector (its
#: PROVENANCE.md: the snapshot or mirror commit it was read at), by path under
#: ``gaplens/data``. This, not the date it was loaded, is its ``retrieved_on``.
BUNDLED_RETRIEVED_ON = {
    "epoch_benchmarking_hub": dt.date(2026, 4, 19),  # mirror commit "epoch benchmark data"
    "artificial_analysis/aa_llms_weekly_flat.csv": dt.date(2026, 7, 10),
    "lmarena/lmarena_text_leaderboard_history.csv": dt.date(2025, 8, 6),  # collector HEAD
    "lmarena/arena_ai_leaderboards_daily_2026.csv": dt.date(2026, 4, 19),
    "livebench": dt.date(2026, 7, 1),  # livebench.github.io HEAD
    "openrouter/openrouter_weekly_top_models.csv": dt.date(2026, 5, 11),
}
EPOCH_RETRIEVED_ON = BUNDLED_RETRIEVED_ON["epoch_benchmarking_hub"]

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
    line, with the collector of the bundled copy where there is one) and ``EPOCH_CREDIT``,
    read from the registry when first asked for."""
    if name == "SOURCE_CREDITS":
        return _credits()
    if name == "EPOCH_CREDIT":
        return _credits()["epoch"]
    raise AttributeError(name)


def as_bundled(batch: IngestBatch, source: Source, relpath: str) -> IngestBatch:
    """``batch`` read from a bundled copy: origin ``bundled``, published on the source's
    ``bundled_published`` date, retrieved on the date the copy was taken."""
    info = replace(batch.source, kind=source.name, origin="bundled",
                   published_on=source.bundled_published,
                   retrieved_on=BUNDLED_RETRIEVED_ON.get(relpath, batch.source.retrieved_on))
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
