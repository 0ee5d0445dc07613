"""The data bundled with gaplens (see data/epoch_benchmarking_hub/PROVENANCE.md)."""

from __future__ import annotations

import datetime as dt

from .taxonomy import bundled_path

#: The date the bundled Epoch AI Benchmarking Hub snapshot was taken (mirror commit date).
EPOCH_RETRIEVED_ON = dt.date(2026, 4, 19)
EPOCH_CREDIT = (
    "Epoch AI, 'AI Benchmarking Hub'. Published online at epoch.ai. "
    "Retrieved from https://epoch.ai/benchmarks (CC BY 4.0)"
)


def epoch_export_path() -> str:
    return bundled_path("epoch_benchmarking_hub")


def overrides_path() -> str:
    return bundled_path("accessibility_overrides.csv")
