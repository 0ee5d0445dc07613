"""Model attributes as reviewed data: countries to blocs, organisation names to labs.

Sources spell countries as names or ISO codes ("United States of America", "US") and
organisations in several ways ("Mistral", "Mistral AI"; "Z AI", "Z.ai (Zhipu AI)"). Two
reviewed tables settle them:

- ``data/countries.csv``: value (as a source spells it), code (ISO 3166-1 alpha-2), bloc
  (``US``, ``China`` or ``rest``), note.
- ``data/organizations.csv``: organization (as a source spells it), lab (one name per
  lab), country (ISO code of the lab's seat), note.

A user's own file with the same columns is layered on top (its rows win). Values outside
the tables are never guessed: a country text that is not listed is ``unknown``.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import pandas as pd

from ..errors import InputError
from ._fields import read_csv_text

BLOCS = ("US", "China", "rest")


@dataclass(frozen=True)
class AttributeTables:
    """The two reviewed tables, validated."""

    countries: pd.DataFrame  # value, code, bloc, note
    organizations: pd.DataFrame  # organization, lab, country, note


def _check(frame: pd.DataFrame, path: str, required: tuple[str, ...], key: str) -> pd.DataFrame:
    missing = [c for c in required if c not in frame.columns]
    if missing:
        raise InputError(path, "missing column(s): " + ", ".join(missing))
    frame = frame.dropna(how="all").copy()
    for column in required:
        blank = frame[column].isna() | (frame[column].astype(str).str.strip() == "")
        if blank.any():
            raise InputError(path, "is blank", row=int(blank.idxmax()) + 2, field=column)
        frame[column] = frame[column].astype(str).str.strip()
    dup = frame[key].duplicated()
    if dup.any():
        raise InputError(path, f"'{frame.loc[dup.idxmax(), key]}' is listed twice",
                         row=int(dup.idxmax()) + 2, field=key)
    if "note" not in frame:
        frame["note"] = None
    return frame


def read_countries(path: str) -> pd.DataFrame:
    frame = _check(read_csv_text(path), path, ("value", "code", "bloc"), "value")
    bad = ~frame["bloc"].isin(BLOCS)
    if bad.any():
        raise InputError(path, f"bloc '{frame.loc[bad.idxmax(), 'bloc']}' is not one of "
                         + ", ".join(BLOCS), row=int(bad.idxmax()) + 2, field="bloc")
    return frame[["value", "code", "bloc", "note"]].reset_index(drop=True)


def read_organizations(path: str) -> pd.DataFrame:
    frame = _check(read_csv_text(path), path, ("organization", "lab"), "organization")
    if "country" not in frame:
        frame["country"] = None
    return frame[["organization", "lab", "country", "note"]].reset_index(drop=True)


def _bundled(name: str) -> str:
    from importlib import resources

    return str(resources.files("gaplens").joinpath("data", name))


@lru_cache(maxsize=1)
def _bundled_tables() -> AttributeTables:
    return AttributeTables(countries=read_countries(_bundled("countries.csv")),
                           organizations=read_organizations(_bundled("organizations.csv")))


def attribute_tables(countries: str | None = None,
                     organizations: str | None = None) -> AttributeTables:
    """The bundled tables, with a user's files (same columns) layered on top."""
    c, o = _bundled_tables().countries, _bundled_tables().organizations
    if countries:
        extra = read_countries(countries)
        c = pd.concat([c.loc[~c["value"].isin(extra["value"])], extra], ignore_index=True)
    if organizations:
        extra = read_organizations(organizations)
        o = pd.concat([o.loc[~o["organization"].isin(extra["organization"])], extra],
                      ignore_index=True)
    return AttributeTables(countries=c, organizations=o)
