"""Where the data bundled with gaplens live (each folder has its PROVENANCE.md)."""

from __future__ import annotations

import datetime as dt
import os

from .taxonomy import bundled_path

#: The date the bundled Epoch AI Benchmarking Hub snapshot was taken (mirror commit date).
EPOCH_RETRIEVED_ON = dt.date(2026, 4, 19)
EPOCH_CREDIT = (
    "Epoch AI, 'AI Benchmarking Hub'. Published online at epoch.ai. "
    "Retrieved from https://epoch.ai/benchmarks (CC BY 4.0)"
)

#: Credit lines per source kind, as the publishers ask to be credited (data/README.md).
SOURCE_CREDITS = {
    "epoch": EPOCH_CREDIT,
    "overrides": "gaplens reviewed accessibility overrides (data/accessibility_overrides.csv, "
                 "one stated reason per row)",
    "aa": "Artificial Analysis, https://artificialanalysis.ai (attribution required); weekly "
          "snapshots collected by oolong-tea-2026/artificial-analysis-leaderboards",
    "lmarena": "LMArena, lmarena.ai / arena.ai (no data terms stated; credited as facts); "
               "collected by fboulnois/llm-leaderboard-csv and "
               "oolong-tea-2026/arena-ai-leaderboards",
    "openrouter": "OpenRouter, openrouter.ai/rankings (no licence stated; credited as facts); "
                  "collected by johnbean393/openrouter-inference-stats",
    "openrouter_models": "OpenRouter model catalogue, openrouter.ai/api/v1/models (no licence "
                         "stated; credited as facts)",
    "livebench": "White et al., 'LiveBench: A Challenging, Contamination-Free LLM Benchmark', "
                 "ICLR 2025, livebench.ai",
    "csv": "your own results (tidy CSV)",
    "inspect": "your own evaluations (Inspect AI logs)",
}


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
