"""gaplens: the open-vs-closed language-model gap as a map, not one number.

The curated API (see :mod:`gaplens.api`)::

    import gaplens
    gaplens.gap(by="domain").table
"""

from .analysis import GapResult, GapSettings
from .api import (
    benchmarks,
    gap,
    ingest_csv,
    ingest_epoch,
    ingest_overrides,
    load_bundled,
    models,
    open_warehouse,
    report,
    sources,
    update,
)
from .errors import (
    ConfigError,
    FetchError,
    GaplensError,
    InputError,
    StoreError,
    UnknownNameError,
)
from .types import Accessibility, OpenDefinition, OutputFormat

__version__ = "0.1.0"

__all__ = [
    "Accessibility",
    "ConfigError",
    "FetchError",
    "GapResult",
    "GapSettings",
    "GaplensError",
    "InputError",
    "OpenDefinition",
    "OutputFormat",
    "StoreError",
    "UnknownNameError",
    "benchmarks",
    "gap",
    "ingest_csv",
    "ingest_epoch",
    "ingest_overrides",
    "load_bundled",
    "models",
    "open_warehouse",
    "report",
    "sources",
    "update",
]
