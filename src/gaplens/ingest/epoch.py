"""Adapter for the Epoch AI Benchmarking Hub export (``benchmark_data.zip`` or its folder).

Layout (METHODS.md section 1): one CSV per benchmark with ``Model version``, a headline
score column that differs per file, and ``epoch_capabilities_index.csv``, the only file
with ``Model accessibility`` (joined on ``Model version``). Which file is which benchmark,
its score column, unit, baseline and ceiling come from the taxonomy (``benchmarks.csv``),
so a new Epoch file is a row of data, not code.

Model identity: a *version* (``gpt-5-2025-08-07_high``) belongs to the model named in the
ECI file's ``Model name`` column; where that is blank, the version id with its setting
suffix (``_high``, ``_16K``, ...) removed. Results stay per version and setting; the
collapse to one score per (model, benchmark) happens in the analysis layer.

Rows without a model version or without a score are *rejected* (counted and listed, as
a public export has such gaps). A malformed value — a score that is not a number or is
outside the benchmark's valid range, an unparseable or future date — is an error that
names file, row and field, and nothing is stored.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import zipfile
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..errors import InputError
from ._fields import Field, check_rows, parse_fields, read_csv_text, row_number
from .batch import (
    MODEL_COLUMNS,
    REJECTED_COLUMNS,
    RESULT_COLUMNS,
    VERSION_COLUMNS,
    IngestBatch,
    SourceInfo,
    sha256_of,
)
from .normalise import check_range, normalise
from .taxonomy import Taxonomy

ECI_FILE = "epoch_capabilities_index.csv"

SETTING_SUFFIX = re.compile(
    r"_(xhigh|high|medium|low|minimal|none|unknown|thinking|max|\d+[kK])$"
)

ECI_FIELDS = [
    Field("Model version", "str", required=True, nullable=False),
    Field("ECI Score", "float"),
    Field("Release date", "date"),
    Field("Organization", "str"),
    Field("Country", "str"),
    Field("Model accessibility", "accessibility"),
    Field("Training compute (FLOP)", "float"),
    Field("Model name", "str"),
    Field("Display name", "str"),
]


@dataclass(frozen=True)
class _Export:
    """Files of an export by base name, read from a folder or a zip."""

    path: str
    members: dict[str, str]  # base name -> member path (zip) or file path
    is_zip: bool

    def read(self, name: str) -> bytes:
        if self.is_zip:
            with zipfile.ZipFile(self.path) as archive:
                return archive.read(self.members[name])
        with open(self.members[name], "rb") as handle:
            return handle.read()

    def label(self, name: str) -> str:
        """Where a member is, for error messages."""
        return f"{self.path}:{self.members[name]}" if self.is_zip else self.members[name]

    def member(self, name: str) -> str:
        """A member's path inside the export, as stored beside each result."""
        if self.is_zip:
            return self.members[name]
        return os.path.relpath(self.members[name], self.path)


def _open_export(path: str) -> _Export:
    if os.path.isdir(path):
        # The export's CSVs sit beside epoch_capabilities_index.csv (at the top or one level
        # down); sub-folders such as additional_eci_data/ are not benchmark files.
        top = path
        if not os.path.exists(os.path.join(path, ECI_FILE)):
            for entry in sorted(os.listdir(path)):
                if os.path.exists(os.path.join(path, entry, ECI_FILE)):
                    top = os.path.join(path, entry)
                    break
        members = {
            name: os.path.join(top, name)
            for name in sorted(os.listdir(top))
            if name.endswith(".csv") and os.path.isfile(os.path.join(top, name))
        }
        export = _Export(path, members, is_zip=False)
    elif os.path.isfile(path):
        if not zipfile.is_zipfile(path):
            raise InputError(path, "not a zip file or folder of an Epoch Benchmarking Hub export")
        try:
            with zipfile.ZipFile(path) as archive:
                names = [n for n in archive.namelist() if n.endswith(".csv")]
        except zipfile.BadZipFile as exc:
            raise InputError(path, f"corrupt zip file ({exc})") from None
        eci = next((n for n in names if os.path.basename(n) == ECI_FILE), None)
        folder = os.path.dirname(eci) if eci else ""
        members = {os.path.basename(n): n for n in names if os.path.dirname(n) == folder}
        export = _Export(path, members, is_zip=True)
    else:
        raise InputError(path, "no such file or folder")
    if ECI_FILE not in export.members:
        raise InputError(
            path,
            f"not an Epoch Benchmarking Hub export: it has no {ECI_FILE}",
        )
    return export


def model_id_from_version(version: str) -> str:
    """The model a version belongs to when the ECI file gives no model name."""
    return SETTING_SUFFIX.sub("", version)


def setting_from_version(version: str) -> str:
    match = SETTING_SUFFIX.search(version)
    return match.group(1) if match else ""


def _read_eci(export: _Export, today: dt.date) -> pd.DataFrame:
    label = export.label(ECI_FILE)
    raw = read_csv_text(label, export.read(ECI_FILE))
    eci = parse_fields(raw, ECI_FIELDS, label, today=today)
    check_rows(eci["Model version"].duplicated(), eci["Model version"], label, "Model version",
               "model version listed twice")
    for column in ("Model name", "Display name", "Organization", "Country", "Release date"):
        if column not in eci:
            eci[column] = pd.NA
    if "Model accessibility" not in eci:
        raise InputError(label, "missing required column 'Model accessibility'")
    versions = pd.DataFrame(
        {
            "version_id": eci["Model version"],
            "model_id": eci["Model name"].fillna(eci["Model version"].map(model_id_from_version)),
            "setting": eci["Model version"].map(setting_from_version),
            "display_name": eci["Display name"].fillna(eci["Model name"]),
            "release_date": eci["Release date"],
            "accessibility": eci["Model accessibility"],
            "epoch_eci": eci.get("ECI Score", pd.Series(np.nan, index=eci.index)),
            "source_file": export.member(ECI_FILE),
            "source_row": [row_number(i) for i in eci.index],
            "organization": eci["Organization"],
            "country": eci["Country"],
            "training_compute": eci.get("Training compute (FLOP)", pd.Series(np.nan, index=eci.index)),
        }
    )
    return versions


def _models_from_versions(versions: pd.DataFrame) -> pd.DataFrame:
    """One row per model: earliest release date, first non-blank metadata.

    Accessibility must agree across a model's versions; a conflict is an error, since
    picking one would be a silent guess.
    """
    known = versions.loc[versions["accessibility"] != "Unknown"]
    conflicts = known.groupby("model_id")["accessibility"].nunique()
    if (conflicts > 1).any():
        model = conflicts[conflicts > 1].index[0]
        rows = versions.loc[versions["model_id"] == model]
        raise InputError(
            str(rows["source_file"].iloc[0]),
            f"versions of model '{model}' disagree on accessibility "
            f"({', '.join(sorted(set(rows['accessibility'])))})",
            row=int(rows["source_row"].iloc[-1]),
            field="Model accessibility",
        )

    def first(series: pd.Series):
        series = series.dropna()
        return series.iloc[0] if len(series) else None

    ordered = versions.sort_values(["model_id", "release_date"], na_position="last")
    grouped = ordered.groupby("model_id", sort=True)
    models = pd.DataFrame(
        {
            "display_name": grouped["model_id"].first(),
            "organization": grouped["organization"].agg(first),
            "country": grouped["country"].agg(first),
            "release_date": grouped["release_date"].min(),
            "accessibility": grouped["accessibility"].agg(
                lambda s: first(s[s != "Unknown"]) or "Unknown"
            ),
            "parameters": np.nan,
            "training_compute": grouped["training_compute"].max(),
        }
    ).reset_index()
    return models[MODEL_COLUMNS]


def _read_benchmark_file(
    export: _Export,
    spec: pd.Series,
    known_versions: set[str],
    today: dt.date,
) -> tuple[pd.DataFrame, list[dict], pd.DataFrame]:
    """Results, rejected rows and per-version metadata (organization, country) of one file."""
    name = f"{spec['file']}.csv"
    label = export.label(name)
    raw = read_csv_text(label, export.read(name))
    score_column = str(spec["score_column"])
    setting_columns = [
        c.strip() for c in str(spec["setting_columns"] or "").split(";") if c and c.strip()
    ] if pd.notna(spec["setting_columns"]) else []
    fields = [
        Field("Model version", "str", required=True),
        Field(score_column, "float", required=True),
        Field("Organization", "str"),
        Field("Country", "str"),
        Field("Release date", "date"),
    ]
    stderr_column = next(
        (c for c in ("stderr", "Accuracy SE", "Accuracy Standard Error") if c in raw.columns), None
    )
    if stderr_column:
        fields.append(Field(stderr_column, "float"))
    for column in setting_columns:
        if column not in raw.columns:
            raise InputError(label, f"missing setting column '{column}' named in the taxonomy")
    typed = parse_fields(raw, fields, label, today=today)
    scores = typed[score_column]
    specs = pd.DataFrame([spec] * len(typed), index=typed.index)
    check_range(scores, specs, label, score_column)
    rejected: list[dict] = []
    keep = np.ones(len(typed), dtype=bool)
    for pos, idx in enumerate(typed.index):
        version = typed.at[idx, "Model version"]
        if pd.isna(version):
            rejected.append(dict(file=label, row=row_number(idx), field="Model version",
                                 reason="no model version"))
            keep[pos] = False
        elif pd.isna(scores[idx]):
            rejected.append(dict(file=label, row=row_number(idx), field=score_column,
                                 reason="no score"))
            keep[pos] = False
        elif version not in known_versions:
            rejected.append(dict(file=label, row=row_number(idx), field="Model version",
                                 reason=f"model version '{version}' is not in {ECI_FILE}"))
            keep[pos] = False
    kept = typed.loc[keep]
    if setting_columns:
        parts = [
            raw.loc[kept.index, c].fillna("").astype(str).str.strip().map(
                lambda v, c=c: f"{c}={v}" if v else ""
            )
            for c in setting_columns
        ]
        setting = parts[0]
        for part in parts[1:]:
            setting = setting.str.cat(part, sep="; ")
        setting = setting.str.strip("; ")
    else:
        setting = pd.Series("", index=kept.index)
    results = pd.DataFrame(
        {
            "version_id": kept["Model version"],
            "benchmark": spec["benchmark"],
            "setting": setting,
            "raw_score": kept[score_column],
            "score": normalise(
                kept[score_column], spec["random_baseline"], spec["ceiling"], spec["transform"]
            ),
            "stderr": kept[stderr_column] if stderr_column else np.nan,
            "source_file": export.member(name),
            "source_row": [row_number(i) for i in kept.index],
        }
    )
    meta = typed.loc[keep, [c for c in ("Model version", "Organization", "Country", "Release date")
                            if c in typed]]
    return results[RESULT_COLUMNS], rejected, meta


def _dedupe_results(results: pd.DataFrame) -> tuple[pd.DataFrame, list[dict]]:
    """Keep the best row where one file repeats (version, benchmark, setting); list the rest."""
    ordered = results.sort_values(
        ["version_id", "benchmark", "setting", "raw_score", "source_row"],
        ascending=[True, True, True, False, True],
    )
    dup = ordered.duplicated(["version_id", "benchmark", "setting"], keep="first")
    rejected = [
        dict(
            file=row.source_file,
            row=int(row.source_row),
            field="Model version",
            reason=f"repeats {row.version_id} / {row.benchmark} with a lower or equal score; best kept",
        )
        for row in ordered.loc[dup].itertuples()
    ]
    return ordered.loc[~dup].sort_values(["benchmark", "source_row"]), rejected


def read_epoch(
    path: str,
    taxonomy: Taxonomy,
    today: dt.date | None = None,
    retrieved_on: dt.date | None = None,
    progress=None,
) -> IngestBatch:
    """Read an Epoch Benchmarking Hub export into an :class:`IngestBatch`.

    ``progress(done, total)`` is called after each file when given.
    """
    today = today or dt.date.today()
    export = _open_export(path)
    versions = _read_eci(export, today)
    known_versions = set(versions["version_id"])
    specs = taxonomy.benchmarks.loc[taxonomy.benchmarks["file"].notna()]
    in_export = specs.loc[specs["file"].map(lambda f: f"{f}.csv" in export.members)]
    all_results, rejected, metas = [], [], []
    total = len(in_export)
    for done, (_, spec) in enumerate(in_export.iterrows(), start=1):
        results, rows, meta = _read_benchmark_file(export, spec, known_versions, today)
        all_results.append(results)
        rejected.extend(rows)
        metas.append(meta)
        if progress:
            progress(done, total)
    described = {f"{f}.csv" for f in specs["file"]} | {ECI_FILE}
    for name in sorted(set(export.members) - described):
        rejected.append(dict(file=export.label(name), row=None, field=None,
                             reason="benchmark file not in the taxonomy (define it in a "
                                    "benchmarks file to load it)"))
    results = pd.concat(all_results, ignore_index=True) if all_results else pd.DataFrame(
        columns=RESULT_COLUMNS)
    results, dup_rows = _dedupe_results(results)
    rejected.extend(dup_rows)

    # Fill blank version metadata from the benchmark files (first non-blank value).
    if metas:
        meta = pd.concat(metas, ignore_index=True).rename(columns={"Model version": "version_id"})
        for target, column in (("organization", "Organization"), ("country", "Country"),
                               ("release_date", "Release date")):
            if column in meta:
                fill = meta.dropna(subset=[column]).drop_duplicates("version_id").set_index(
                    "version_id")[column]
                versions[target] = versions[target].fillna(versions["version_id"].map(fill))
    models = _models_from_versions(versions)

    if export.is_zip:
        with open(path, "rb") as handle:
            digest = sha256_of(iter(lambda: handle.read(1 << 20), b""))
    else:
        digest = sha256_of(export.read(n) for n in sorted(export.members))
    if retrieved_on is None:
        newest = max(os.path.getmtime(p) for p in ([path] if export.is_zip else export.members.values()))
        retrieved_on = dt.date.fromtimestamp(newest)
    return IngestBatch(
        source=SourceInfo(kind="epoch", path=os.path.abspath(path), sha256=digest,
                          retrieved_on=retrieved_on),
        models=models,
        versions=versions[VERSION_COLUMNS].reset_index(drop=True),
        benchmarks=taxonomy.benchmarks,
        domains=taxonomy.domains,
        results=results.reset_index(drop=True),
        rejected=pd.DataFrame(rejected, columns=REJECTED_COLUMNS),
    )
