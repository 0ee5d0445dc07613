"""Adapter for gaplens' documented tidy CSV (one row per model, benchmark and setting).

Columns (docs/formats.md): ``model, benchmark, score, release_date`` and either
``accessibility`` (an Epoch class name) or ``open`` (true/false); optional
``organization, country, model_version, setting, stderr, display_name``. Scores are in
the benchmark's raw units as defined in the warehouse or in an accompanying benchmark
file. Every problem raises an :class:`~gaplens.errors.InputError` naming file, row and
field; the adapter never stores half a file.

Model names match existing models case-insensitively on id or display name, so a user's
``gpt-5`` row joins Epoch's ``GPT-5`` rather than creating a twin; a name that only looks
like one model's (``validate.fold_key``: a Cyrillic letter, a Unicode hyphen, fullwidth
forms) joins that model too, and the match table reports it as ``folded``. A look-alike
of several models is refused.
"""

from __future__ import annotations

import datetime as dt
import os

import numpy as np
import pandas as pd

from ..errors import InputError
from ..types import Accessibility
from ._fields import (Field, check_rows, fold_index, name_index, parse_fields, read_csv_text,
                      row_number)
from .validate import fold_key
from .batch import (
    MATCH_COLUMNS,
    MODEL_COLUMNS,
    RESULT_COLUMNS,
    VERSION_COLUMNS,
    IngestBatch,
    SourceInfo,
    sha256_of,
)
from .normalise import check_range, normalise
from .taxonomy import domains_for, layer_benchmarks, read_benchmarks

CSV_FIELDS = [
    Field("model", "str", required=True, nullable=False, aliases=("model_name",)),
    Field("benchmark", "str", required=True, nullable=False),
    Field("score", "float", required=True, nullable=False),
    Field("release_date", "date", required=True, nullable=False, aliases=("release date",)),
    Field("accessibility", "accessibility", aliases=("model_accessibility",)),
    Field("open", "bool", aliases=("is_open", "open_weights", "is_open_weights")),
    Field("organization", "str"),
    Field("country", "str"),
    Field("model_version", "str", aliases=("version",)),
    Field("setting", "str"),
    Field("stderr", "float"),
    Field("display_name", "str"),
]


def _accessibility(typed: pd.DataFrame, file: str) -> pd.Series:
    if "accessibility" in typed:
        access = typed["accessibility"].astype(object)
        if "open" in typed:
            # Both given: the class must agree with the flag.
            flag = typed["open"]
            known = access != Accessibility.UNKNOWN.value
            for idx in typed.index[known & flag.notna()]:
                cls = Accessibility(access[idx])
                if cls.is_open_weights != bool(flag[idx]):
                    raise InputError(
                        file,
                        f"accessibility '{cls.value}' contradicts open={flag[idx]}",
                        row=row_number(idx),
                        field="open",
                    )
            fill = flag.map(
                {True: Accessibility.OPEN_UNSPECIFIED.value,
                 False: Accessibility.CLOSED_UNSPECIFIED.value}
            )
            access = access.where(known | flag.isna(), fill)
        return access
    if "open" in typed:
        return typed["open"].map(
            {True: Accessibility.OPEN_UNSPECIFIED.value,
             False: Accessibility.CLOSED_UNSPECIFIED.value}
        ).fillna(Accessibility.UNKNOWN.value).astype(object)
    raise InputError(file, "missing required column 'accessibility' (or 'open')",
                     field="accessibility")


def read_tidy_csv(
    path: str,
    known_benchmarks: pd.DataFrame,
    known_domains: pd.DataFrame,
    known_models: pd.DataFrame,
    benchmarks_path: str | None = None,
    today: dt.date | None = None,
) -> IngestBatch:
    """Read a tidy CSV (and optional benchmark file) into an :class:`IngestBatch`."""
    today = today or dt.date.today()
    new_benchmarks = read_benchmarks(benchmarks_path) if benchmarks_path else None
    raw = read_csv_text(path)
    typed = parse_fields(raw, CSV_FIELDS, path, today=today)
    typed["accessibility"] = _accessibility(typed, path)
    for column in ("organization", "country", "model_version", "setting", "stderr",
                   "display_name"):
        if column not in typed:
            typed[column] = pd.NA
    typed["setting"] = typed["setting"].fillna("")

    # Benchmarks: the user's file wins over the warehouse for the benchmarks it defines.
    defs = layer_benchmarks(known_benchmarks, new_benchmarks)
    by_name = {b.lower(): b for b in defs["benchmark"]}
    canonical = typed["benchmark"].str.lower().map(by_name)
    check_rows(canonical.isna(), typed["benchmark"], path, "benchmark",
               lambda v: f"unknown benchmark '{v}' (define it with --benchmarks FILE)")
    typed["benchmark"] = canonical
    spec = defs.set_index("benchmark").loc[typed["benchmark"]].set_index(typed.index)
    check_range(typed["score"], spec.assign(benchmark=typed["benchmark"]), path, "score")

    # Models: match existing ones by id or display name, case-insensitively.
    typed["model_id"], matches = _match_models(typed["model"], known_models, path)
    typed["version_id"] = typed["model_version"].fillna(typed["model_id"])

    owners = typed.groupby("version_id")["model_id"].nunique()
    if (owners > 1).any():
        version = owners[owners > 1].index[0]
        rows = typed.index[(typed["version_id"] == version).to_numpy()]
        first, second = typed.loc[rows[0], "model_id"], None
        for idx in rows:
            if typed.loc[idx, "model_id"] != first:
                second = typed.loc[idx, "model_id"]
                break
        raise InputError(path, f"model version '{version}' belongs to model '{first}', not "
                               f"'{second}'; give each model its own version id",
                         row=row_number(idx), field="model_version")
    key = ["version_id", "benchmark", "setting"]
    first_of = typed.reset_index().groupby(key)["index"].transform("min").to_numpy()
    check_rows(typed.duplicated(key, keep="first"), pd.Series(first_of, index=typed.index), path,
               "benchmark",
               lambda first: f"duplicate of row {row_number(first)} (same model, benchmark and "
                             "setting)")
    for column, label in (("release_date", "release_date"), ("accessibility", "accessibility")):
        per_version = typed.groupby("version_id")[column].nunique()
        if (per_version > 1).any():
            version = per_version[per_version > 1].index[0]
            idx = typed.index[(typed["version_id"] == version).to_numpy()][-1]
            raise InputError(path, f"rows of model '{version}' disagree on {label}",
                             row=row_number(idx), field=label)

    typed["source_row"] = [row_number(i) for i in typed.index]
    first_rows = typed.drop_duplicates("version_id")
    versions = pd.DataFrame(
        {
            "version_id": first_rows["version_id"],
            "model_id": first_rows["model_id"],
            "setting": first_rows["setting"],
            "display_name": first_rows["display_name"].fillna(first_rows["model"]),
            "release_date": first_rows["release_date"],
            "accessibility": first_rows["accessibility"],
            "epoch_eci": np.nan,
            "source_file": path,
            "source_row": first_rows["source_row"],
        }
    )[VERSION_COLUMNS]
    ordered = typed.sort_values("release_date")
    grouped = ordered.groupby("model_id", sort=True)
    models = pd.DataFrame(
        {
            "display_name": grouped["display_name"].first().fillna(grouped["model"].first()),
            "organization": grouped["organization"].first(),
            "country": grouped["country"].first(),
            "release_date": grouped["release_date"].min(),
            "accessibility": grouped["accessibility"].first(),
            "parameters": np.nan,
            "training_compute": np.nan,
        }
    ).reset_index()[MODEL_COLUMNS]
    models["display_name"] = models["display_name"].fillna(models["model_id"])
    results = pd.DataFrame(
        {
            "version_id": typed["version_id"],
            "benchmark": typed["benchmark"],
            "setting": typed["setting"],
            "raw_score": typed["score"],
            "score": normalise(typed["score"], spec["random_baseline"].to_numpy(),
                               spec["ceiling"].to_numpy(), spec["transform"].to_numpy()),
            "stderr": pd.to_numeric(typed["stderr"], errors="coerce").to_numpy(dtype=float, na_value=np.nan),
            "source_file": path,
            "source_row": typed["source_row"],
        }
    )[RESULT_COLUMNS]
    with open(path, "rb") as handle:
        digest = sha256_of([handle.read()])
    domains = None
    if new_benchmarks is not None:
        domains = domains_for(new_benchmarks, known_domains)
    return IngestBatch(
        source=SourceInfo(kind="csv", path=os.path.abspath(path), sha256=digest,
                          retrieved_on=today),
        models=models,
        versions=versions.reset_index(drop=True),
        benchmarks=new_benchmarks,
        domains=domains,
        results=results.reset_index(drop=True),
        matches=matches,
    )


def _match_models(names: pd.Series, known: pd.DataFrame, path: str):
    """Model id of every row's name, and the match table of the names that only look like
    an existing model (``folded``). Unknown names: the first spelling in the file stands
    for every spelling of it that differs in case or look-alike characters."""
    exact = name_index(known)
    folded = fold_index(known)
    first_spelling: dict[str, str] = {}
    of: dict[str, str] = {}
    matches = []
    for idx, name in names.items():
        if name in of:
            continue
        key = name.lower()
        if key in exact:
            of[name] = exact[key]
            continue
        looks = folded.get(fold_key(name), set())
        if len(looks) > 1:
            raise InputError(path, f"model '{name}' looks like several models ("
                             + ", ".join(sorted(looks)) + "); spell it as one of them",
                             row=row_number(idx), field="model")
        if looks:
            of[name] = next(iter(looks))
            matches.append(("csv", name, of[name], "folded", f"looks like '{of[name]}'"))
            continue
        first = of[name] = first_spelling.setdefault(fold_key(name), name)
        if first.lower() != key:
            matches.append(("csv", name, first, "folded", f"looks like '{first}'"))
    return names.map(of), pd.DataFrame(matches, columns=MATCH_COLUMNS)
