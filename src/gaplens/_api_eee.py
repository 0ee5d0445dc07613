"""The API of the Every Eval Ever format: import records, export the warehouse's results.

Every Eval Ever (github.com/evaleval/every_eval_ever) is the evaluation community's common
record format; gaplens reads and writes its aggregate schema 0.2 (see
:mod:`gaplens.ingest.eee_format` for the schema's location and version, and
docs/formats.md for the mapping).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

import pandas as pd

from ._api_core import _aliases, open_warehouse
from .errors import UnknownNameError
from .ingest.bundled import SOURCE_CREDITS  # type: ignore[attr-defined]
from .ingest.eee_export import EXPORT_COLUMNS, build_records, write_records
from .ingest.every_eval_ever import read_every_eval_ever
from .ingest.registry import sources as declared_sources
from .store import IngestReport
from .store.schema import MODELS_VIEW

#: Every result with what its record needs: source, model, version and benchmark.
_EXPORT_SQL = f"""
SELECT s.kind, s.retrieved_on, v.model_id, m.display_name, m.organization, m.country,
       m.release_date, m.accessibility, r.version_id, v.setting AS version_setting,
       v.display_name AS version_name, v.release_date AS version_release, r.benchmark,
       r.setting, r.raw_score, r.score, r.stderr, b.domain, b.unit, b.transform,
       b.random_baseline, b.ceiling, b.test_set, b.source_url AS benchmark_url
FROM results r
JOIN sources s USING (source_id)
JOIN model_versions v USING (version_id)
JOIN ({MODELS_VIEW}) m ON m.model_id = v.model_id
JOIN benchmarks b ON b.benchmark = r.benchmark
"""


@dataclass(frozen=True)
class ExportResult:
    """What an export wrote: ``files`` has one row per record (path, kind, model_id,
    n_results, n_stderr); ``out`` is the folder."""

    out: str
    files: pd.DataFrame

    @property
    def n_results(self) -> int:
        return int(self.files["n_results"].sum()) if len(self.files) else 0


def ingest_every_eval_ever(path: str, db: str | None = None, benchmarks: str | None = None,
                           aliases: str | None = None) -> IngestReport:
    """Ingest Every Eval Ever aggregate records (a .json file or a folder of them), with
    standard errors recomputed from linked instance-level JSONL where a record lacks them;
    models must be in the warehouse (or be created by a record stating a release date)."""
    with open_warehouse(db, write=True) as warehouse:
        batch = read_every_eval_ever(path, warehouse.benchmarks(), warehouse.domains(),
                                     warehouse.models(), _aliases(aliases),
                                     benchmarks_path=benchmarks,
                                     known_versions=warehouse.versions())
        return warehouse.ingest(batch)


def _source_columns(frame: pd.DataFrame) -> pd.DataFrame:
    declared = {s.name: s for s in declared_sources()}
    credits = SOURCE_CREDITS
    title, org, url, attribution, user = [], [], [], [], []
    for kind in frame["kind"]:
        src = declared.get(kind)
        credit = credits.get(kind, kind)
        title.append(src.title if src else credit)
        org.append(src.attribution.removeprefix("Data: ").split(",")[0].strip() if src
                   else "gaplens user")
        url.append(src.homepage if src else None)
        attribution.append(credit)
        user.append(src is None)
    return frame.assign(source_title=title, source_org=org, source_url=url,
                        attribution=attribution, user_file=user)


def export_every_eval_ever(out: str, db: str | None = None, source: str | None = None,
                           model: str | Sequence[str] | None = None) -> ExportResult:
    """Write the warehouse's results as Every Eval Ever 0.2.3 records under ``out``: one
    file per model and source (``data/gaplens-<source>/<developer>/<model>/<uuid>.json``),
    each checked against the schema's required fields before anything is written.
    ``source`` (a kind: epoch, csv, ...) and ``model`` (model ids) select a slice."""
    with open_warehouse(db) as warehouse:
        frame = warehouse.query(_EXPORT_SQL)
    models = [model] if isinstance(model, str) else model
    for name, column, wanted in (("source", "kind", [source] if source else None),
                                 ("model", "model_id", models)):
        if not wanted:
            continue
        have = set(frame[column])
        for value in wanted:
            if value not in have:
                known = ", ".join(sorted(map(str, have))[:12])
                raise UnknownNameError(f"no results of {name} '{value}' (known: {known}"
                                       + (", ..." if len(have) > 12 else "") + ")")
        frame = frame.loc[frame[column].isin(wanted)]
    frame = _source_columns(frame)[EXPORT_COLUMNS]
    from . import __version__

    records = build_records(frame, f"gaplens {__version__}")
    paths = write_records(records, out)
    files = pd.DataFrame({
        "path": paths,
        "kind": [doc["source_metadata"]["additional_details"]["gaplens_source_kind"]
                 for _, doc in records],
        "model_id": [doc["model_info"]["id"] for _, doc in records],
        "n_results": [len(doc["evaluation_results"]) for _, doc in records],
        "n_stderr": [sum("uncertainty" in r["score_details"]
                         for r in doc["evaluation_results"]) for _, doc in records],
    }, columns=["path", "kind", "model_id", "n_results", "n_stderr"])
    return ExportResult(out=out, files=files)
