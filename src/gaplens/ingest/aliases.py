"""Resolving model names from other sources to warehouse models, by rule and by data.

Sources name the same model differently (Epoch "GPT-4o", LMArena "gpt-4o-2024-05-13",
OpenRouter "openai/gpt-4o", Artificial Analysis "GPT-4o (Nov '24)"). A name resolves, in
this order and never by a fuzzy guess:

1. ``alias``: a row of the reviewed alias table (``data/aliases.csv``: source, name,
   model_id, note) for this source (or source ``*``), compared case-insensitively;
2. ``exact``: the name equals a model id or display name, compared case-insensitively
   after normalising it (``validate.exact_key``: NFC, invisible characters removed, runs
   of spaces folded);
3. ``folded``: the name equals exactly one model's id or display name once look-alike
   characters are folded (``validate.fold_key``: fullwidth forms, Unicode hyphens,
   Cyrillic/Greek letters drawn like Latin ones): it is that model, never a twin, and the
   match table says so (``candidates`` names the spelling it looked like);
4. ``ambiguous``: step 1, 2 or 3 gives more than one model: listed, not stored;
5. ``new``: the source says enough about the model (accessibility at least) and the
   caller allows it: a new model is created from the source's own metadata;
6. ``unmatched``: listed, not stored.

Every outcome is returned in a match table (``MATCH_COLUMNS``) that the ingest report
prints, so a user sees what matched, what was ambiguous and what did not, and can add
aliases.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

import pandas as pd

from ._fields import read_csv_text
from .batch import MATCH_COLUMNS
from .validate import clean_series, exact_key, fold_key

ALIAS_COLUMNS = ["source", "name", "model_id", "note"]
#: How a name found its model (the rest are "ambiguous" and "unmatched").
MATCHED = ("alias", "exact", "folded")
#: Alias scopes besides the registry's source names.
EXTRA_SCOPES = ("*", "csv", "inspect", "every-eval-ever")


def _key(name: object) -> str:
    return exact_key(name)


def known_scopes() -> list[str]:
    """The sources an alias row may name: the registry's, csv, inspect, every-eval-ever
    and ``*``."""
    from .registry import sources

    return [s.name for s in sources()] + [s for s in EXTRA_SCOPES if s != "*"] + ["*"]


def read_aliases(path: str) -> pd.DataFrame:
    """The alias table: checked for required columns and for one target per (source, name)."""
    from ..errors import InputError

    try:
        frame = read_csv_text(path)
    except InputError as exc:
        if "no data rows" not in str(exc):
            raise
        return pd.DataFrame(columns=ALIAS_COLUMNS + ["key"])
    missing = [c for c in ALIAS_COLUMNS[:3] if c not in frame.columns]
    if missing:
        raise InputError(path, f"missing column(s): {', '.join(missing)}")
    if "note" not in frame.columns:
        frame["note"] = ""
    frame = frame.loc[frame["name"].fillna("").str.strip() != ""].copy()
    for column in ("source", "name", "model_id"):
        blank = frame[column].fillna("").str.strip() == ""
        if blank.any():
            row = int(frame.index[blank][0]) + 2  # the file's row (header is row 1)
            raise InputError(path, "is blank", row=row, field=column)
        frame[column] = clean_series(frame[column], path, column)
    frame["note"] = clean_series(frame["note"].fillna(""), path, "note", limit=2000)
    scopes = known_scopes()
    unknown = ~frame["source"].isin(scopes)
    if unknown.any():
        row = int(frame.index[unknown][0]) + 2
        raise InputError(path, f"unknown source '{frame.loc[unknown, 'source'].iloc[0]}' "
                               f"(known: {', '.join(scopes)})", row=row, field="source")
    frame["key"] = frame["name"].map(_key)
    clash = frame.groupby(["source", "key"])["model_id"].nunique()
    clash = clash[clash > 1]
    if len(clash):
        source, key = clash.index[0]
        raise InputError(path, f"name '{key}' of source '{source}' points to more than one model",
                         field="model_id")
    return frame[ALIAS_COLUMNS + ["key"]].reset_index(drop=True)


def bundled_aliases_path() -> str:
    from importlib import resources

    return str(resources.files("gaplens").joinpath("data", "aliases.csv"))


def bundled_aliases() -> pd.DataFrame:
    path = bundled_aliases_path()
    if not os.path.exists(path):
        return pd.DataFrame(columns=ALIAS_COLUMNS + ["key"])
    return read_aliases(path)


@dataclass(frozen=True)
class Resolution:
    """One row per distinct source name: its model id (or none) and how it was found."""

    table: pd.DataFrame  # MATCH_COLUMNS

    def model_of(self) -> dict[str, str]:
        ok = self.table.loc[self.table["how"].isin([*MATCHED, "new"])]
        return dict(zip(ok["name"], ok["model_id"]))

    def summary(self) -> pd.Series:
        return self.table["how"].value_counts()


def resolve(names, source: str, models: pd.DataFrame, aliases: pd.DataFrame,
            can_create: set[str] | None = None) -> Resolution:
    """Resolve distinct ``names`` of ``source`` against warehouse ``models``.

    ``can_create``: names the source describes well enough to become new models
    (``how = 'new'``, ``model_id`` = the name); the rest that find no model are unmatched.
    """
    can_create = can_create or set()
    by_key: dict[str, set[str]] = {}
    for column in ("model_id", "display_name"):
        if column in models:
            for model_id, value in zip(models["model_id"], models[column]):
                if isinstance(value, str) and value.strip():
                    by_key.setdefault(_key(value), set()).add(model_id)
    by_fold: dict[str, dict[str, str]] = {}  # look-alike key -> model id -> its spelling
    for column in ("model_id", "display_name"):
        if column in models:
            for model_id, value in zip(models["model_id"], models[column]):
                if isinstance(value, str) and value.strip():
                    by_fold.setdefault(fold_key(value), {}).setdefault(model_id, value)
    known = set(models["model_id"]) if "model_id" in models else set()
    alias_rows = aliases.loc[aliases["source"].isin([source, "*"])] if len(aliases) else aliases
    alias_map: dict[str, set[str]] = {}
    for key, model_id, src in zip(alias_rows.get("key", []), alias_rows.get("model_id", []),
                                  alias_rows.get("source", [])):
        alias_map.setdefault(key, set()).add(model_id)
    rows = []
    for name in pd.unique(pd.Series(list(names), dtype=object).dropna()):
        key = _key(name)
        targets, how = alias_map.get(key, set()), "alias"
        if targets and not targets <= known:
            missing = sorted(targets - known)
            rows.append((source, name, None, "unmatched",
                         f"alias target not in the warehouse: {', '.join(missing)}"))
            continue
        if not targets:
            targets, how = by_key.get(key, set()), "exact"
        note = ""
        if not targets:
            looks = by_fold.get(fold_key(name), {})
            targets, how = set(looks), "folded"
            if len(looks) == 1:
                note = f"looks like '{next(iter(looks.values()))}'"
        if len(targets) == 1:
            rows.append((source, name, next(iter(targets)), how, note))
        elif len(targets) > 1:
            rows.append((source, name, None, "ambiguous", ", ".join(sorted(targets))))
        elif name in can_create:
            rows.append((source, name, name, "new", ""))
        else:
            rows.append((source, name, None, "unmatched", ""))
    return Resolution(pd.DataFrame(rows, columns=MATCH_COLUMNS))


def first_match(spellings, table: pd.DataFrame,
                labels: tuple[str | None, ...] = ()) -> tuple[str | None, str, str]:
    """(model_id, how, note) for one entity known under several spellings, most specific
    first (``None`` entries are skipped), looked up in a resolved ``table`` (index: name).

    The first spelling that resolves by alias or exact name wins; the note says which
    spelling when it is not the first (``labels[i]``: ``None`` says nothing, ``""`` gives
    "via 'x'", "name" gives "via name 'x'"). Otherwise the entity is ambiguous if any
    spelling is, else unmatched, with the candidates of that miss.
    """
    misses = []
    # Alias and exact matches of any spelling come before a look-alike of any.
    for wanted in (("alias", "exact"), ("folded",)):
        for i, value in enumerate(spellings):
            if not isinstance(value, str):
                continue
            hit = table.loc[value]
            if hit["how"] in wanted:
                label = labels[i] if i < len(labels) else ""
                note = "" if i == 0 or label is None else (
                    f"via {label} '{value}'" if label else f"via '{value}'")
                if hit["how"] == "folded":
                    note = "; ".join(n for n in (note, hit["candidates"]) if n)
                return hit["model_id"], hit["how"], note
    for value in spellings:
        if isinstance(value, str):
            hit = table.loc[value]
            misses.append((hit["how"], hit["candidates"] or ""))
    if not misses:
        return None, "unmatched", ""
    ambiguous = [m for m in misses if m[0] == "ambiguous"]
    how, candidates = (ambiguous or misses)[0]
    return None, how, candidates


def resolve_spellings(entries, source: str, models: pd.DataFrame, aliases: pd.DataFrame,
                      labels: tuple[str | None, ...] = ()) -> list[tuple[str | None, str, str]]:
    """:func:`first_match` for many entities (each a tuple of spellings), one lookup."""
    entries = [tuple(e) for e in entries]
    names = pd.unique(pd.Series([v for e in entries for v in e if isinstance(v, str)],
                                dtype=object))
    table = resolve(names, source, models, aliases).table.set_index("name")
    decided: dict[tuple, tuple] = {}
    for e in entries:
        if e not in decided:
            decided[e] = first_match(e, table, labels)
    return [decided[e] for e in entries]
