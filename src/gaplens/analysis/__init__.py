"""Analysis: observations, frontiers, gap and lag (depends on ingest, store, models)."""

from .gap import GapResult, GapSettings, compute_gap
from .observations import Observations, collapse, prepare

__all__ = ["GapResult", "GapSettings", "Observations", "collapse", "compute_gap", "prepare"]
