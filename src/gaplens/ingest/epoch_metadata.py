"""Epoch's benchmark metadata (``benchmark_metadata.csv``) against gaplens' taxonomy.

Since mid-2026 the Epoch export describes its benchmarks in ``benchmark_metadata.csv``:
``benchmark, in_eci, source_file, score_column, scale, random_baseline, score_ceiling,
release_date, superseded_by``. Epoch's own loader (eci-public ``dataloader.py``) reads a
score as ``(raw * scale - random_baseline) / (score_ceiling - random_baseline)``, clipped
to [0, 1]; in gaplens' raw units that is the linear normalisation with

    baseline = random_baseline / scale,   ceiling = score_ceiling / scale.

A row is matched to a taxonomy benchmark by its file (``source_file`` without ``.csv`` =
the taxonomy's ``file``). Which side wins, per field:

* ``release_date``: Epoch (the publisher dates its own benchmarks and versions).
* ``random_baseline`` and ``ceiling``: Epoch, when its numbers describe the column gaplens
  reads: the score columns agree (or gaplens reads ``mean_score`` and Epoch ``Best score
  (across scorers)``, two summaries of one run in one unit), the taxonomy's transform is
  linear, and ``scale`` fits the unit (1 for a fraction, 0.01 for a percent). Otherwise the
  taxonomy (a time horizon read on a log scale has no Epoch counterpart).
* ``score_column``: the taxonomy (it keeps gaplens' history comparable); listed when it
  differs.
* ``superseded_by``: Epoch, mapped to the taxonomy's name of the successor where its file
  is known.

Scores stay *valid* within the taxonomy's range, so an Epoch ceiling below 1 (FrontierMath
2025-02-28 at 0.57, where problems were later found wrong) clips higher scores to 1, as
Epoch does, instead of refusing the file. Every difference is listed by
:func:`apply_metadata`.

Format sources: the columns and their meaning follow Epoch's public loader
(github.com/epoch-research/eci-public, ``src/eci/dataloader.py`` at d27f9b20, which reads
``benchmark_metadata.csv`` and ``model_metadata.csv``); the file inventory and example
rows (FrontierMath 2025-02-28 with ceiling 0.57 and ``superseded_by``
FrontierMath-Tiers-1-3-v2-Private) follow public descriptions of the September and
October 2026 zips. No byte copy of a current zip was available to test against.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..errors import InputError
from ._fields import Field, parse_fields, read_csv_text

METADATA_FILE = "benchmark_metadata.csv"

METADATA_FIELDS = [
    Field("benchmark", "str", required=True, nullable=False),
    Field("source_file", "str", required=True),
    Field("score_column", "str", required=True),
    Field("scale", "float", required=True),
    Field("random_baseline", "float", required=True),
    Field("score_ceiling", "float", required=True),
    Field("release_date", "date", required=True),
    Field("superseded_by", "str"),
    Field("in_eci", "bool"),
]

DIFFERENCE_COLUMNS = ["benchmark", "epoch_benchmark", "field", "gaplens", "epoch", "used", "note"]
_SAME_RUN = {("mean_score", "best score (across scorers)")}
_UNIT_SCALE = {"fraction": 1.0, "percent": 0.01}


def parse_fields_at_header(raw: pd.DataFrame, fields: list[Field], label: str,
                           today=None) -> pd.DataFrame:
    """:func:`parse_fields`, with a missing column reported at the header row (row 1)."""
    try:
        return parse_fields(raw, fields, label, today=today)
    except InputError as exc:
        if exc.row is None and exc.field is not None:
            raise InputError(exc.file, exc.message, row=1, field=exc.field) from None
        raise


def read_metadata(label: str, data: bytes) -> pd.DataFrame:
    """Epoch's benchmark table, typed; ``file`` is ``source_file`` without ``.csv``."""
    raw = read_csv_text(label, data)
    meta = parse_fields_at_header(raw, METADATA_FIELDS, label)
    for column in ("superseded_by", "in_eci"):
        if column not in meta:
            meta[column] = pd.NA
    meta["file"] = meta["source_file"].str.replace(r"\.csv$", "", regex=True).str.split("/").str[-1]
    meta["row"] = meta.index + 2
    return meta


def _num(value) -> str:
    return "" if value is None or pd.isna(value) else f"{float(value):g}"


def _date(value) -> str:
    return "" if value is None or pd.isna(value) else str(pd.Timestamp(value).date())


def _text(value) -> str:
    return "" if value is None or pd.isna(value) else str(value)


def apply_metadata(specs: pd.DataFrame, meta: pd.DataFrame | None,
                   files: set[str]) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Taxonomy rows with Epoch's values applied, and the differences (DIFFERENCE_COLUMNS).

    ``specs`` are the taxonomy's benchmarks; ``files`` the benchmark files in the export.
    """
    effective = specs.copy()
    rows: list[dict] = []
    if meta is None:
        return effective, pd.DataFrame(rows, columns=DIFFERENCE_COLUMNS)
    described = meta.dropna(subset=["file"])
    by_file = {f: r for f, r in described.drop_duplicates("file").set_index("file").iterrows()}
    gaplens_name = {}  # Epoch's benchmark name -> taxonomy name
    for idx, spec in specs.iterrows():
        if pd.notna(spec["file"]) and spec["file"] in by_file:
            gaplens_name[by_file[spec["file"]]["benchmark"]] = spec["benchmark"]

    def add(spec_name, epoch_name, field, ours, theirs, used, note=""):
        rows.append(dict(benchmark=spec_name, epoch_benchmark=epoch_name, field=field,
                         gaplens=ours, epoch=theirs, used=used, note=note))

    for idx, spec in specs.iterrows():
        file = spec["file"]
        if pd.isna(file) or file not in files:
            continue
        name = spec["benchmark"]
        if file not in by_file:
            add(name, None, "benchmark", name, "", "gaplens",
                f"{file}.csv is not described in {METADATA_FILE}")
            continue
        m = by_file[file]
        epoch_name = m["benchmark"]
        # release date: Epoch wins
        if pd.notna(m["release_date"]):
            if _date(spec["release_date"]) != _date(m["release_date"]):
                add(name, epoch_name, "release_date", _date(spec["release_date"]),
                    _date(m["release_date"]), "epoch")
            effective.at[idx, "release_date"] = m["release_date"]
        # score column: the taxonomy wins
        ours_col, their_col = _text(spec["score_column"]), _text(m["score_column"])
        same_col = ours_col.lower() == their_col.lower() or (
            (ours_col.lower(), their_col.lower()) in _SAME_RUN)
        if their_col and ours_col.lower() != their_col.lower():
            add(name, epoch_name, "score_column", ours_col, their_col, "gaplens",
                "same run, same unit" if same_col else "another column: Epoch's baseline "
                "and ceiling are not used")
        # baseline and ceiling: Epoch wins where they describe gaplens' column
        scale = m["scale"]
        unit_scale = _UNIT_SCALE.get(str(spec["unit"]))
        fits = (same_col and spec["transform"] == "linear" and pd.notna(scale) and scale > 0
                and (unit_scale is None or np.isclose(scale, unit_scale))
                and pd.notna(m["random_baseline"]) and pd.notna(m["score_ceiling"]))
        why = "" if fits else ("log transform" if spec["transform"] == "log" else
                               "scale does not fit the unit" if same_col and pd.notna(scale)
                               else "Epoch's numbers describe another column")
        for field, column, value in (
            ("random_baseline", "random_baseline", m["random_baseline"]),
            ("ceiling", "score_ceiling", m["score_ceiling"]),
        ):
            theirs = value / scale if fits else value
            if fits and not np.isclose(float(spec[field]), float(theirs)):
                add(name, epoch_name, field, _num(spec[field]), _num(theirs), "epoch",
                    f"{column} {_num(value)} / scale {_num(scale)}")
                effective.at[idx, field] = float(theirs)
            elif not fits and pd.notna(value):
                raw_equiv = value / scale if pd.notna(scale) and scale > 0 else value
                if not np.isclose(float(spec[field]), float(raw_equiv)):
                    add(name, epoch_name, field, _num(spec[field]), _num(raw_equiv),
                        "gaplens", why)
        # superseded_by: Epoch wins, named as the taxonomy names the successor
        succ = m["superseded_by"]
        if pd.notna(succ):
            mapped = gaplens_name.get(succ, succ)
            if _text(spec.get("superseded_by")) != mapped:
                add(name, epoch_name, "superseded_by", _text(spec.get("superseded_by")),
                    mapped, "epoch")
            effective.at[idx, "superseded_by"] = mapped
    known_files = set(specs["file"].dropna())
    for file, m in by_file.items():
        if file not in known_files and file in files:
            add(None, m["benchmark"], "benchmark", "", m["benchmark"], "neither",
                f"{file}.csv is not in the taxonomy (define it in a benchmarks file to load it)")
    return effective, pd.DataFrame(rows, columns=DIFFERENCE_COLUMNS)
