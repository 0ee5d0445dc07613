"""The openness ladder's reviewed list of open-source models (``data/open_source.csv``).

A model is **open source** when its weights are under a permissive licence (Epoch's
``Open weights (unrestricted)``) *and* its developers released the training code and the
training data (or enough information to rebuild them): the OSI's Open Source AI
Definition in short. No source in the warehouse records code or data releases, so this
is a small reviewed list, one row per warehouse model id, each with the release that
shows it (``source``) and a sentence (``reason``). A listed model whose effective
accessibility is not permissive (an override, a newer licence) is not open source: the
list adds evidence, it never overrides a licence.

The list is read on first use (never at import) and validated: a blank field or a model
listed twice is an :class:`~gaplens.errors.InputError` naming the row and field.
"""

from __future__ import annotations

import csv
from functools import lru_cache

from .errors import InputError

FIELDS = ("model_id", "source", "reason")


def open_source_path() -> str:
    from importlib import resources

    return str(resources.files("gaplens").joinpath("data", "open_source.csv"))


def read_open_source(path: str) -> list[dict[str, str]]:
    """The rows of an open-source list (model_id, source, reason), validated."""
    with open(path, newline="", encoding="utf-8") as handle:
        reader = csv.DictReader(handle)
        missing = [f for f in FIELDS if f not in (reader.fieldnames or [])]
        if missing:
            raise InputError(path, f"missing column '{missing[0]}' (expected "
                                   + ", ".join(FIELDS) + ")")
        rows, seen = [], set()
        for number, row in enumerate(reader, start=2):
            for field in FIELDS:
                if not (row.get(field) or "").strip():
                    raise InputError(path, "blank value", number, field)
            model = row["model_id"].strip()
            if model in seen:
                raise InputError(path, f"model '{model}' is listed twice", number, "model_id")
            seen.add(model)
            rows.append({f: row[f].strip() for f in FIELDS})
    return rows


@lru_cache(maxsize=1)
def open_source_ids() -> frozenset[str]:
    """The model ids of the bundled open-source list."""
    return frozenset(row["model_id"] for row in read_open_source(open_source_path()))
