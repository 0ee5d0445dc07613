"""Turning results into JSON, CSV and terminal tables (no computation here)."""

from __future__ import annotations

import datetime as dt
import io
import json
import math
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Callable

import numpy as np
import pandas as pd

from .. import __version__
from .._util.inert import csv_cell

GAP_SCHEMA = "gaplens.gap/1"

# Fields every JSON document of a run carries beside its settings (the command line sets
# the warehouse's freshness here), computed when a document is written.
_DOCUMENT_META: ContextVar[Callable[[], dict] | None] = ContextVar("gaplens_document_meta",
                                                                   default=None)


@contextmanager
def document_meta(provider: Callable[[], dict]):
    """Within the block, every document of :func:`payload_json` and :func:`gap_json` gets
    the fields ``provider()`` returns, after ``settings``."""
    token = _DOCUMENT_META.set(provider)
    try:
        yield
    finally:
        _DOCUMENT_META.reset(token)


def _meta() -> dict:
    provider = _DOCUMENT_META.get()
    return provider() if provider is not None else {}


def clean(value, digits: int = 6):
    """A value as JSON can hold it: floats rounded to ``digits`` (non-finite -> None), numpy
    scalars as Python ones, dates as ISO strings, missing values as None."""
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    if isinstance(value, (float, np.floating)):
        return None if not math.isfinite(float(value)) else round(float(value), digits)
    if isinstance(value, (np.integer,)):
        return int(value)
    if isinstance(value, (pd.Timestamp, dt.datetime)):
        return value.date().isoformat() if not pd.isna(value) else None
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, np.str_):
        return str(value)
    return value


def records(frame: pd.DataFrame) -> list[dict]:
    return [{k: clean(v) for k, v in row.items()} for row in frame.to_dict(orient="records")]


def frame_csv(frame: pd.DataFrame) -> str:
    """The frame as CSV; text cells a spreadsheet would run as a formula are neutralised
    (``_util.inert.csv_cell``, the rule of the HTML page's CSV buttons); numbers stay."""
    buffer = io.StringIO()
    out = frame.copy()
    for column in out.columns:
        if pd.api.types.is_datetime64_any_dtype(out[column]):
            out[column] = out[column].dt.strftime("%Y-%m-%d")
        elif not pd.api.types.is_numeric_dtype(out[column]):
            out[column] = out[column].map(csv_cell, na_action="ignore")
    out = out.rename(columns={c: csv_cell(c) for c in out.columns if isinstance(c, str)})
    out.to_csv(buffer, index=False, lineterminator="\n")
    return buffer.getvalue()


def gap_json(result) -> str:
    from ..analysis.gap import settings_dict

    payload = {
        "schema": GAP_SCHEMA,
        "gaplens_version": __version__,
        "settings": settings_dict(result.settings),
        **_meta(),
        "open_definition_text": result.settings.open_definition.description,
        "rows": records(result.table),
        "timeline": records(result.timeline),
        "warnings": list(result.warnings),
        "unknown_accessibility_models": records(result.unknown_models),
        "coverage": records(getattr(result, "coverage", pd.DataFrame())),
    }
    return dumps(payload)


def fmt(value, digits: int = 1, signed: bool = False) -> str:
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return "–"
    text = f"{value:+.{digits}f}" if signed else f"{value:.{digits}f}"
    return text


def fmt_ci(low, high, digits: int = 1, sep: str = ", ") -> str:
    """``[low, high]``, or '' where the interval is missing."""
    if low is None or high is None or pd.isna(low) or pd.isna(high):
        return ""
    return f"[{low:.{digits}f}{sep}{high:.{digits}f}]"


def month_of(value) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    if isinstance(value, str):
        return value[:7]
    return pd.Timestamp(value).strftime("%Y-%m")


def payload_json(schema: str, settings: dict, tables: dict[str, pd.DataFrame],
                 warnings=(), **extra) -> str:
    """A JSON document: schema, version, settings, named tables as records, warnings."""
    payload = {"schema": schema, "gaplens_version": __version__,
               "settings": {k: clean(v) for k, v in settings.items()}, **_meta()}
    payload.update({k: clean(v) if not isinstance(v, (dict, list)) else v
                    for k, v in extra.items()})
    payload.update({name: records(frame) for name, frame in tables.items()})
    payload["warnings"] = list(warnings)
    return dumps(payload)


# JSON escapes C0 controls itself; C1 controls (8-bit CSI and OSC on some terminals) and
# the bidirectional overrides are written as \u escapes too, which JSON reads back the same.
_JSON_ESCAPE = {c: f"\\u{c:04x}" for c in [*range(0x7f, 0xa0), *range(0x202a, 0x202f),
                                             *range(0x2066, 0x206a)]}


def dumps(payload) -> str:
    """JSON text (UTF-8, indented) that prints no terminal control character."""
    return json.dumps(payload, indent=2, ensure_ascii=False).translate(_JSON_ESCAPE)
