"""The benchmark taxonomy: domains and benchmark definitions, as reviewed data files.

The bundled files are ``data/domains.csv`` and ``data/benchmarks.csv``. A user's
benchmark file has at least ``benchmark, domain, random_baseline, ceiling, test_set``
and may introduce new domains; see docs/formats.md.
"""

from __future__ import annotations

from dataclasses import dataclass
from importlib import resources

import pandas as pd

from ..errors import InputError
from ._fields import Field, check_rows, parse_fields, read_csv_text
from .validate import EARLIEST_BENCHMARK

UNITS = ("fraction", "percent", "elo", "minutes", "points")
TRANSFORMS = ("linear", "log")
TEST_SETS = ("public", "private")

BENCHMARK_FIELDS = [
    Field("benchmark", "str", required=True, nullable=False, aliases=("name", "benchmark_id")),
    Field("domain", "str", required=True, nullable=False),
    Field("random_baseline", "float", required=True, nullable=False),
    Field("ceiling", "float", required=True, nullable=False),
    Field("test_set", "str", required=True, nullable=False),
    Field("unit", "str"),
    Field("transform", "str"),
    Field("optimized_for", "bool"),
    Field("release_date", "date"),
    Field("file", "str"),
    Field("score_column", "str"),
    Field("setting_columns", "str"),
    Field("source_url", "str"),
    Field("notes", "str"),
    Field("superseded_by", "str"),
    Field("label", "str", aliases=("domain_label",)),
]

BENCHMARK_COLUMNS = [
    "benchmark",
    "domain",
    "unit",
    "transform",
    "random_baseline",
    "ceiling",
    "test_set",
    "optimized_for",
    "release_date",
    "file",
    "score_column",
    "setting_columns",
    "source_url",
    "notes",
    "superseded_by",
]

DOMAIN_COLUMNS = ["domain", "label", "ord", "description"]


@dataclass(frozen=True)
class Taxonomy:
    """Validated benchmark and domain tables."""

    benchmarks: pd.DataFrame  # BENCHMARK_COLUMNS
    domains: pd.DataFrame  # DOMAIN_COLUMNS


def _check_choice(frame: pd.DataFrame, column: str, allowed: tuple[str, ...], file: str) -> None:
    values = frame[column].str.lower()
    check_rows(~values.isin(allowed), frame[column], file, column,
               lambda v: f"'{v}' is not one of {', '.join(allowed)}")
    frame[column] = values


def parse_benchmarks(raw: pd.DataFrame, file: str) -> pd.DataFrame:
    """Validate a benchmark table (text columns) into BENCHMARK_COLUMNS (+ optional label)."""
    typed = parse_fields(raw, BENCHMARK_FIELDS, file, earliest=EARLIEST_BENCHMARK)
    if "unit" not in typed:
        typed["unit"] = "fraction"
    typed["unit"] = typed["unit"].fillna("fraction")
    if "transform" not in typed:
        typed["transform"] = "linear"
    typed["transform"] = typed["transform"].fillna("linear")
    _check_choice(typed, "unit", UNITS, file)
    _check_choice(typed, "transform", TRANSFORMS, file)
    _check_choice(typed, "test_set", TEST_SETS, file)
    typed["domain"] = typed["domain"].str.strip()
    check_rows(~(typed["ceiling"] > typed["random_baseline"]), typed["ceiling"], file, "ceiling",
               "ceiling must be above random_baseline")
    check_rows((typed["transform"] == "log") & ~(typed["random_baseline"] > 0),
               typed["random_baseline"], file, "random_baseline",
               "a log transform needs a positive random_baseline")
    check_rows(typed["benchmark"].str.lower().duplicated(), typed["benchmark"], file,
               "benchmark", lambda v: f"benchmark '{v}' is defined twice")
    for column in BENCHMARK_COLUMNS + ["label"]:
        if column not in typed:
            typed[column] = pd.NA
    typed["optimized_for"] = typed["optimized_for"].astype("boolean")
    return typed[BENCHMARK_COLUMNS + ["label"]].reset_index(drop=True)


def read_benchmarks(path: str) -> pd.DataFrame:
    return parse_benchmarks(read_csv_text(path), path)


def read_domains(path: str, data: bytes | None = None) -> pd.DataFrame:
    raw = read_csv_text(path, data)
    fields = [
        Field("domain", "str", required=True, nullable=False),
        Field("label", "str", required=True, nullable=False),
        Field("order", "float", required=True, nullable=False),
        Field("description", "str"),
    ]
    typed = parse_fields(raw, fields, path)
    typed = typed.rename(columns={"order": "ord"})
    typed["ord"] = typed["ord"].astype(int)
    if "description" not in typed:
        typed["description"] = pd.NA
    return typed[DOMAIN_COLUMNS].reset_index(drop=True)


def domains_for(benchmarks: pd.DataFrame, known: pd.DataFrame) -> pd.DataFrame:
    """Domains of ``known`` plus any new domain the benchmarks introduce (label from the file)."""
    new = benchmarks.loc[~benchmarks["domain"].isin(known["domain"])]
    if new.empty:
        return known.iloc[0:0]
    rows = (
        new.groupby("domain", sort=True)["label"]
        .agg(lambda s: s.dropna().iloc[0] if s.notna().any() else None)
        .reset_index()
    )
    rows["label"] = rows["label"].fillna(rows["domain"])
    start = int(known["ord"].max()) + 1 if len(known) else 1
    rows["ord"] = range(start, start + len(rows))
    rows["description"] = "added by a user benchmark file"
    return rows[DOMAIN_COLUMNS]


def bundled_path(name: str) -> str:
    """Filesystem path of a bundled data file (the package is installed unzipped)."""
    return str(resources.files("gaplens").joinpath("data", name))


def bundled_taxonomy() -> Taxonomy:
    benchmarks = read_benchmarks(bundled_path("benchmarks.csv"))
    domains = read_domains(bundled_path("domains.csv"))
    unknown = set(benchmarks["domain"]) - set(domains["domain"])
    if unknown:
        raise InputError(
            bundled_path("benchmarks.csv"), f"domains not in domains.csv: {sorted(unknown)}"
        )
    return Taxonomy(benchmarks=benchmarks, domains=domains)


def layer_benchmarks(base: pd.DataFrame, extra: pd.DataFrame | None) -> pd.DataFrame:
    """Benchmark definitions with a user's file layered on top: a name the file defines
    (case-insensitively) replaces the base row; the file's ``label`` column names domains
    and is not part of a benchmark's definition."""
    if extra is None:
        return base.copy()
    kept = base.loc[~base["benchmark"].str.lower().isin(extra["benchmark"].str.lower())]
    return pd.concat([kept, extra.drop(columns=["label"], errors="ignore")], ignore_index=True)
