"""Accessibility overrides: a small reviewed file that corrects a model's class.

Columns: ``model, accessibility, reason`` (``reason`` required: an override without a
stated reason is a guess). Overrides are stored beside the source data and applied when
the warehouse is read, so the original value is never lost (``gaplens models`` shows both).
"""

from __future__ import annotations

import datetime as dt
import os

import pandas as pd

from ._fields import Field, check_rows, name_index, parse_fields, read_csv_text
from .batch import OVERRIDE_COLUMNS, IngestBatch, SourceInfo, sha256_of

OVERRIDE_FIELDS = [
    Field("model", "str", required=True, nullable=False, aliases=("model_id",)),
    Field("accessibility", "accessibility", required=True),
    Field("reason", "str", required=True, nullable=False),
]


def read_overrides(path: str, known_models: pd.DataFrame, today: dt.date | None = None) -> IngestBatch:
    raw = read_csv_text(path)
    typed = parse_fields(raw, OVERRIDE_FIELDS, path)
    ids = typed["model"].str.lower().map(name_index(known_models))
    check_rows(ids.isna(), typed["model"], path, "model", lambda v: f"unknown model '{v}'")
    check_rows(typed["accessibility"] == "Unknown", typed["accessibility"], path, "accessibility",
               "an override must name a known accessibility class")
    typed["model_id"] = ids
    check_rows(ids.duplicated(), typed["model"], path, "model",
               lambda v: f"model '{v}' is overridden twice")
    with open(path, "rb") as handle:
        digest = sha256_of([handle.read()])
    return IngestBatch(
        source=SourceInfo(kind="overrides", path=os.path.abspath(path), sha256=digest,
                          retrieved_on=today or dt.date.today()),
        overrides=typed[OVERRIDE_COLUMNS].reset_index(drop=True),
    )
