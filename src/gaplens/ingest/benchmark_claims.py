"""The benchmark classes the claims are tested on, as reviewed data.

``data/benchmark_claims.csv`` says of every benchmark of the taxonomy whether it is an
out-of-distribution test (``ood``) and whether it is an evaluation of the Artificial
Analysis Intelligence Index v4.0/v4.1 (``aa_relation`` "component") or a close copy of one
("mirror"), naming that evaluation (``aa_evaluation``); ``source`` and ``note`` say why.
Provenance: ``data/benchmark_claims.PROVENANCE.md``. A user's file with the same columns
is layered on top, row by row (theirs win), as a benchmark file is on benchmarks.csv.
"""

from __future__ import annotations

import pandas as pd

from ._fields import Field, check_rows, parse_fields, read_csv_text
from .taxonomy import bundled_path

FILE = "benchmark_claims.csv"
AA_RELATIONS = ("component", "mirror")
COLUMNS = ["benchmark", "ood", "aa_evaluation", "aa_relation", "source", "note"]

FIELDS = [
    Field("benchmark", "str", required=True, nullable=False),
    Field("ood", "bool", required=True, nullable=False),
    Field("aa_evaluation", "str", required=True),
    Field("aa_relation", "str", required=True),
    Field("source", "str"),
    Field("note", "str"),
]


def parse_benchmark_claims(raw: pd.DataFrame, file: str,
                           known: pd.Series | None = None) -> pd.DataFrame:
    """Validate a benchmark-classes table (text columns) into COLUMNS; with ``known`` (the
    taxonomy's benchmark names) a name it does not define is an error naming its row."""
    typed = parse_fields(raw, FIELDS, file)
    for column in COLUMNS:
        if column not in typed:
            typed[column] = pd.NA
    typed["benchmark"] = typed["benchmark"].str.strip()
    relation = typed["aa_relation"].fillna("").str.strip().str.lower()
    check_rows(~relation.isin(("",) + AA_RELATIONS), typed["aa_relation"], file, "aa_relation",
               lambda v: f"'{v}' is not one of {', '.join(AA_RELATIONS)} (or empty)")
    evaluation = typed["aa_evaluation"].fillna("").str.strip()
    check_rows((relation != "") & (evaluation == ""), typed["aa_evaluation"], file,
               "aa_evaluation", "a component or mirror names the AA evaluation")
    check_rows((relation == "") & (evaluation != ""), typed["aa_relation"], file,
               "aa_relation", "an AA evaluation is named: say 'component' or 'mirror'")
    check_rows(typed["benchmark"].str.lower().duplicated(), typed["benchmark"], file,
               "benchmark", lambda v: f"benchmark '{v}' is listed twice")
    if known is not None:
        names = set(known.str.lower())
        check_rows(~typed["benchmark"].str.lower().isin(names), typed["benchmark"], file,
                   "benchmark", lambda v: f"benchmark '{v}' is not defined in the taxonomy")
    typed["aa_relation"] = relation.replace("", None)
    typed["aa_evaluation"] = evaluation.replace("", None)
    typed["ood"] = typed["ood"].astype(bool)
    return typed[COLUMNS].reset_index(drop=True)


def read_benchmark_claims(path: str, known: pd.Series | None = None) -> pd.DataFrame:
    return parse_benchmark_claims(read_csv_text(path), path, known)


def benchmark_claims(known: pd.Series | None = None, path: str | None = None) -> pd.DataFrame:
    """The bundled classes, with a user's file (``path``) layered on top (its names checked
    against ``known``, the taxonomy's benchmark names). A benchmark neither file classifies
    is left out of the contrasts that need its class, and the claims name it."""
    base = read_benchmark_claims(bundled_path(FILE))
    if path:
        extra = read_benchmark_claims(path, known)
        base = pd.concat([base.loc[~base["benchmark"].str.lower().isin(
            extra["benchmark"].str.lower())], extra], ignore_index=True)
    return base


__all__ = ["AA_RELATIONS", "COLUMNS", "benchmark_claims", "parse_benchmark_claims",
           "read_benchmark_claims"]
