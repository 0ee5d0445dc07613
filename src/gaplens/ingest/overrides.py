"""Accessibility overrides: a small reviewed file that corrects a model's class.

Columns: ``model, accessibility, reason`` (``reason`` required: an override without a
stated reason is a guess). Overrides are stored beside the source data and applied when
the warehouse is read, so the original value is never lost (``gaplens models`` shows both).
"""

from __future__ import annotations

import datetime as dt
import os

import pandas as pd

from ..errors import InputError
from ._fields import Field, parse_fields, read_csv_text, row_number
from .batch import OVERRIDE_COLUMNS, IngestBatch, SourceInfo, sha256_of

OVERRIDE_FIELDS = [
    Field("model", "str", required=True, nullable=False, aliases=("model_id",)),
    Field("accessibility", "accessibility", required=True),
    Field("reason", "str", required=True, nullable=False),
]


def read_overrides(path: str, known_models: pd.DataFrame, today: dt.date | None = None) -> IngestBatch:
    raw = read_csv_text(path)
    typed = parse_fields(raw, OVERRIDE_FIELDS, path)
    lookup: dict[str, str] = {}
    for row in known_models.itertuples():
        lookup.setdefault(str(row.model_id).lower(), row.model_id)
        if isinstance(row.display_name, str):
            lookup.setdefault(row.display_name.lower(), row.model_id)
    ids = typed["model"].str.lower().map(lookup)
    if ids.isna().any():
        idx = typed.index[ids.isna().to_numpy()][0]
        raise InputError(path, f"unknown model '{typed.at[idx, 'model']}'",
                         row=row_number(idx), field="model")
    if (typed["accessibility"] == "Unknown").any():
        idx = typed.index[(typed["accessibility"] == "Unknown").to_numpy()][0]
        raise InputError(path, "an override must name a known accessibility class",
                         row=row_number(idx), field="accessibility")
    typed["model_id"] = ids
    dup = typed["model_id"].duplicated()
    if dup.any():
        idx = typed.index[dup.to_numpy()][0]
        raise InputError(path, f"model '{typed.at[idx, 'model']}' is overridden twice",
                         row=row_number(idx), field="model")
    with open(path, "rb") as handle:
        digest = sha256_of([handle.read()])
    return IngestBatch(
        source=SourceInfo(kind="overrides", path=os.path.abspath(path), sha256=digest,
                          retrieved_on=today or dt.date.today()),
        overrides=typed[OVERRIDE_COLUMNS].reset_index(drop=True),
    )
