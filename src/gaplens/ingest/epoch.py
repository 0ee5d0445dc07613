"""Adapter for the Epoch AI Benchmarking Hub export (``benchmark_data.zip`` or its folder).

Two layouts, told apart by their files (docs/formats.md):

* *flat* (until mid-2026; the bundled April 2026 copy): one CSV per benchmark with
  ``Model version`` and a headline score column that differs per file, and
  ``epoch_capabilities_index.csv``, one row per version, the only file with ``Model
  accessibility`` (joined on ``Model version``);
* *current*: the same benchmark CSVs, ``epoch_capabilities_index/eci_scores.csv`` (one row
  per model: ``eci`` and its published 90% interval ``eci_ci_low``/``eci_ci_high``),
  ``model_metadata.csv`` (version -> ``model_group``, date, accessibility; also read as
  ``eci_model_versions.csv``) and ``benchmark_metadata.csv`` (Epoch's scale, baseline,
  ceiling, release date and ``superseded_by`` per benchmark; see epoch_metadata.py).

Which file is which benchmark and its score column come from the taxonomy
(``benchmarks.csv``), so a new Epoch file is a row of data, not code; where Epoch's
metadata describe a benchmark, its baseline, ceiling and release date are used.

Model identity: a *version* (``gpt-5-2025-08-07_high``) belongs to Epoch's model group
(current layout) or to the model named in the ECI file's ``Model name`` column (flat);
where neither is given, the version id with its setting suffix (``_high``, ``_16K``, ...)
removed. Results stay per version and setting; the collapse to one score per (model,
benchmark) happens in the analysis layer.

Rows without a model version or without a score are *rejected* (counted and listed, as
a public export has such gaps). A malformed value — a score that is not a number or is
outside the benchmark's valid range, an unparseable or future date, a missing required
column — is an error that names file, row and field, and nothing is stored. Zips are read
through :mod:`gaplens.ingest.archive` (size limits, one-line errors).
"""

from __future__ import annotations

import datetime as dt
import os
import re
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..errors import InputError
from ._fields import Field, check_rows, parse_fields, read_csv_text, row_number
from .archive import Archive, is_zip
from .batch import (
    MODEL_COLUMNS,
    REJECTED_COLUMNS,
    RESULT_COLUMNS,
    VERSION_COLUMNS,
    IngestBatch,
    SourceInfo,
    sha256_of,
)
from .epoch_metadata import (
    DIFFERENCE_COLUMNS,
    METADATA_FILE,
    apply_metadata,
    parse_fields_at_header,
    read_metadata,
)
from .normalise import check_range, normalise
from .taxonomy import Taxonomy

ECI_FILE = "epoch_capabilities_index.csv"  # flat layout (exports until mid-2026)
ECI_SCORES = "epoch_capabilities_index/eci_scores.csv"  # current layout
# Epoch's version -> model group table. eci-public's loader reads model_metadata.csv;
# eci_model_versions.csv is accepted as another name of the same table.
VERSION_FILES = ("model_metadata.csv", "eci_model_versions.csv")

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
    """Files of an export, read from a folder or a zip (through :class:`Archive`).

    ``members`` maps a name relative to the export's top folder (``gpqa_diamond.csv``,
    ``epoch_capabilities_index/eci_scores.csv``) to the member path (zip) or file path.
    """

    path: str
    members: dict[str, str]
    is_zip: bool
    layout: str  # "flat" (epoch_capabilities_index.csv) or "current" (eci_scores.csv)

    def read(self, name: str) -> bytes:
        if self.is_zip:
            with Archive(self.path) as archive:
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

    @property
    def index(self) -> str:
        return ECI_SCORES if self.layout == "current" else ECI_FILE

    @property
    def versions_file(self) -> str | None:
        return next((n for n in VERSION_FILES if n in self.members), None)

    @property
    def benchmark_files(self) -> set[str]:
        """Base names (without .csv) of the CSVs beside the index and metadata files."""
        special = {ECI_FILE, METADATA_FILE, *VERSION_FILES}
        return {n[:-4] for n in self.members if "/" not in n and n not in special}


def _index_kind(rel: str) -> str | None:
    if rel == ECI_FILE:
        return "flat"
    if rel == ECI_SCORES:
        return "current"
    return None


def _pick_top(path: str, candidates: list[str]) -> tuple[str, str]:
    """The export's top folder and layout from the index files found (relative paths)."""
    found = []
    for name in candidates:
        parts = name.split("/")
        for cut in range(len(parts)):
            kind = _index_kind("/".join(parts[cut:]))
            if kind:
                found.append(("/".join(parts[:cut]), kind, name))
                break
    if not found:
        raise InputError(path, f"not an Epoch Benchmarking Hub export: it has neither "
                         f"{ECI_SCORES} nor {ECI_FILE}")
    current = [f for f in found if f[1] == "current"]
    chosen = current or found
    tops = sorted({f[0] for f in chosen})
    if len(tops) > 1:
        raise InputError(path, f"two index files ({', '.join(f[2] for f in chosen)}): "
                         "which export to read is ambiguous")
    return tops[0], chosen[0][1]


def _open_export(path: str) -> _Export:
    if os.path.isdir(path):
        candidates = []
        for root, dirs, files in os.walk(path):
            rel = os.path.relpath(root, path)
            depth = 0 if rel == "." else rel.count(os.sep) + 1
            if depth > 2:
                dirs[:] = []
                continue
            for name in files:
                if name in (ECI_FILE, "eci_scores.csv"):
                    candidates.append(name if rel == "." else f"{rel.replace(os.sep, '/')}/{name}")
        top, layout = _pick_top(path, sorted(candidates))
        base = os.path.join(path, top) if top else path
        members = {
            name: os.path.join(base, name)
            for name in sorted(os.listdir(base))
            if name.endswith(".csv") and os.path.isfile(os.path.join(base, name))
        }
        if os.path.isfile(os.path.join(base, ECI_SCORES)):
            members[ECI_SCORES] = os.path.join(base, ECI_SCORES)
        return _Export(path, members, is_zip=False, layout=layout)
    if os.path.isfile(path):
        if not is_zip(path):
            raise InputError(path, "not a zip file or folder of an Epoch Benchmarking Hub export")
        with Archive(path) as archive:
            names = [n for n in archive.names if n.endswith(".csv")]
        top, layout = _pick_top(path, names)
        prefix = f"{top}/" if top else ""
        members = {}
        for name in names:
            if not name.startswith(prefix):
                continue
            rel = name[len(prefix):]
            if "/" not in rel or rel == ECI_SCORES:
                members[rel] = name
        return _Export(path, members, is_zip=True, layout=layout)
    raise InputError(path, "no such file or folder")


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
            "epoch_eci_ci_low": np.nan,
            "epoch_eci_ci_high": np.nan,
        }
    )
    return versions


VERSION_FIELDS = [
    Field("model_version", "str", required=True),
    Field("model_group", "str", required=True),
    Field("date", "date", required=True),
    Field("display_name", "str"),
    Field("organization", "str"),
    Field("country", "str"),
    Field("accessibility", "accessibility"),
    Field("training_compute_flop", "float"),
]

SCORES_FIELDS = [
    Field("Model", "str", required=True, nullable=False),
    Field("eci", "float", required=True),
    Field("eci_ci_low", "float", required=True),
    Field("eci_ci_high", "float", required=True),
    Field("date", "date"),
    Field("Display name", "str"),
    Field("Organization", "str"),
    Field("Model accessibility", "accessibility"),
    Field("model_versions", "str"),
]


def _read_scores(export: _Export, today: dt.date) -> pd.DataFrame:
    """Epoch's published index per model group (current layout): eci and its interval."""
    label = export.label(ECI_SCORES)
    raw = read_csv_text(label, export.read(ECI_SCORES))
    scores = parse_fields_at_header(raw, SCORES_FIELDS, label, today=today)
    check_rows(scores["Model"].duplicated(), scores["Model"], label, "Model",
               "model listed twice")
    return scores


def _versions_from_table(export: _Export, today: dt.date,
                         rejected: list[dict]) -> pd.DataFrame:
    """Versions from Epoch's version table (model_metadata.csv): Epoch's grouping."""
    name = export.versions_file
    label = export.label(name)
    raw = read_csv_text(label, export.read(name))
    table = parse_fields_at_header(raw, VERSION_FIELDS, label, today=today)
    for column in ("display_name", "organization", "country", "training_compute_flop"):
        if column not in table:
            table[column] = pd.NA
    if "accessibility" not in table:
        table["accessibility"] = "Unknown"
    table = table.loc[table["model_version"].notna()]
    dup = table["model_version"].duplicated()
    for idx in table.index[dup.to_numpy()]:
        rejected.append(dict(file=label, row=row_number(idx), field="model_version",
                             reason=f"model version '{table.at[idx, 'model_version']}' listed "
                                    "again; the first row kept"))
    table = table.loc[~dup.to_numpy()]
    return pd.DataFrame({
        "version_id": table["model_version"],
        "model_id": table["model_group"].fillna(table["model_version"].map(model_id_from_version)),
        "setting": table["model_version"].map(setting_from_version),
        "display_name": table["display_name"].fillna(table["model_group"]),
        "release_date": table["date"],
        "accessibility": table["accessibility"].fillna("Unknown"),
        "source_file": export.member(name),
        "source_row": [row_number(i) for i in table.index],
        "organization": table["organization"],
        "country": table["country"],
        "training_compute": table["training_compute_flop"],
    })


def _versions_from_files(export: _Export, specs: pd.DataFrame, scores: pd.DataFrame
                         ) -> pd.DataFrame:
    """Without a version table: every version a benchmark file names, grouped by the
    index's ``model_versions`` lists where given, else by the version id."""
    listed: dict[str, str] = {}
    if "model_versions" in scores:
        for model, versions in zip(scores["Model"], scores["model_versions"]):
            if isinstance(versions, str):
                for v in re.split(r"[;,]", versions):
                    if v.strip():
                        listed.setdefault(v.strip(), model)
    seen: dict[str, tuple[str, int]] = {}
    for file in specs["file"]:
        name = f"{file}.csv"
        raw = read_csv_text(export.label(name), export.read(name))
        column = next((c for c in raw.columns if c.lower() == "model version"), None)
        if column is None:
            continue
        for idx, v in raw[column].dropna().str.strip().items():
            if v and v not in seen:
                seen[v] = (export.member(name), row_number(idx))
    ids = sorted(seen)
    access = {}
    if "Model accessibility" in scores:
        access = dict(zip(scores["Model"], scores["Model accessibility"]))
    model_ids = [listed.get(v, model_id_from_version(v)) for v in ids]
    return pd.DataFrame({
        "version_id": ids,
        "model_id": model_ids,
        "setting": [setting_from_version(v) for v in ids],
        "display_name": model_ids,
        "release_date": pd.Series([pd.NaT] * len(ids), dtype="datetime64[s]"),
        "accessibility": [access.get(m, "Unknown") for m in model_ids],
        "source_file": [seen[v][0] for v in ids],
        "source_row": [seen[v][1] for v in ids],
        "organization": pd.NA,
        "country": pd.NA,
        "training_compute": np.nan,
    })


def _read_current(export: _Export, specs: pd.DataFrame, today: dt.date,
                  rejected: list[dict]) -> pd.DataFrame:
    """Versions of a current-layout export, with Epoch's published ECI and interval of
    their model group."""
    scores = _read_scores(export, today)
    if export.versions_file:
        versions = _versions_from_table(export, today, rejected)
    else:
        versions = _versions_from_files(export, specs, scores)
    by_model = scores.set_index("Model")
    for target, column in (("epoch_eci", "eci"), ("epoch_eci_ci_low", "eci_ci_low"),
                           ("epoch_eci_ci_high", "eci_ci_high")):
        versions[target] = versions["model_id"].map(by_model[column]).astype(float)
    return versions.reset_index(drop=True)


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
    known_versions: set[str] | None,
    today: dt.date,
    valid: pd.Series | None = None,
) -> tuple[pd.DataFrame, list[dict], pd.DataFrame]:
    """Results, rejected rows and per-version metadata (organization, country) of one file.

    ``spec`` normalises the scores; ``valid`` (the taxonomy's row, default ``spec``) sets
    their valid range. ``known_versions`` None accepts every version."""
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
    specs = pd.DataFrame([spec if valid is None else valid] * len(typed), index=typed.index)
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
        elif known_versions is not None and version not in known_versions:
            rejected.append(dict(file=label, row=row_number(idx), field="Model version",
                                 reason=f"model version '{version}' is not in "
                                        f"{export.versions_file or ECI_FILE}"))
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


def _specs(export: _Export, taxonomy: Taxonomy) -> tuple[pd.DataFrame, pd.DataFrame,
                                                          pd.DataFrame]:
    """Taxonomy rows of the export's files, the same rows with Epoch's metadata applied,
    and the differences."""
    specs = taxonomy.benchmarks.loc[taxonomy.benchmarks["file"].notna()]
    meta = None
    if METADATA_FILE in export.members:
        meta = read_metadata(export.label(METADATA_FILE), export.read(METADATA_FILE))
    effective, differences = apply_metadata(taxonomy.benchmarks, meta, export.benchmark_files)
    return specs, effective, differences


def metadata_differences(path: str, taxonomy: Taxonomy) -> pd.DataFrame:
    """Where the export's ``benchmark_metadata.csv`` differs from the taxonomy, and which
    side is used (DIFFERENCE_COLUMNS; empty for a flat export, which has no such file)."""
    export = _open_export(path)
    if METADATA_FILE not in export.members:
        return pd.DataFrame(columns=DIFFERENCE_COLUMNS)
    return _specs(export, taxonomy)[2]


def read_epoch(
    path: str,
    taxonomy: Taxonomy,
    today: dt.date | None = None,
    retrieved_on: dt.date | None = None,
    progress=None,
) -> IngestBatch:
    """Read an Epoch Benchmarking Hub export (either layout) into an :class:`IngestBatch`.

    ``progress(done, total)`` is called after each file when given.
    """
    today = today or dt.date.today()
    export = _open_export(path)
    rejected: list[dict] = []
    taxonomy_specs, effective, _ = _specs(export, taxonomy)
    in_export = taxonomy_specs.loc[taxonomy_specs["file"].map(
        lambda f: f in export.benchmark_files)]
    if export.layout == "current":
        versions = _read_current(export, in_export, today, rejected)
        known_versions = set(versions["version_id"]) if export.versions_file else None
    else:
        versions = _read_eci(export, today)
        known_versions = set(versions["version_id"])
    by_name = effective.set_index("benchmark")
    all_results, metas = [], []
    total = len(in_export)
    for done, (_, spec) in enumerate(in_export.iterrows(), start=1):
        used = by_name.loc[spec["benchmark"]].copy()
        used["benchmark"] = spec["benchmark"]
        results, rows, meta = _read_benchmark_file(export, used, known_versions, today,
                                                   valid=spec)
        all_results.append(results)
        rejected.extend(rows)
        metas.append(meta)
        if progress:
            progress(done, total)
    for file in sorted(export.benchmark_files - set(taxonomy_specs["file"])):
        rejected.append(dict(file=export.label(f"{file}.csv"), row=None, field=None,
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
        versions=versions[VERSION_COLUMNS + ["epoch_eci_ci_low", "epoch_eci_ci_high"]
                          ].reset_index(drop=True),
        benchmarks=effective,
        domains=taxonomy.domains,
        results=results.reset_index(drop=True),
        rejected=pd.DataFrame(rejected, columns=REJECTED_COLUMNS),
    )
