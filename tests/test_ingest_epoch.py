"""Epoch Benchmarking Hub export: zip vs folder, rejected rows, collapse, golden values.

Golden values are computed independently with pandas straight from the bundled CSVs.
"""

from __future__ import annotations

import os
import re
import zipfile

import duckdb
import pandas as pd
import pytest

import gaplens
from gaplens.ingest import bundled_taxonomy, read_epoch
from gaplens.store import Warehouse

OPEN_CLASSES = {"Open weights (unrestricted)", "Open weights (restricted use)"}
CLOSED_CLASSES = {"API access", "Hosted access (no API)"}
AS_OF = "2026-04-16"
# Setting suffixes Epoch appends to version ids (used only where 'Model name' is blank).
SUFFIX = re.compile(r"_(xhigh|high|medium|low|minimal|none|unknown|thinking|max|\d+[kK])$")


@pytest.fixture(scope="module")
def epoch_zip(epoch_dir, tmp_path_factory) -> str:
    """The bundled folder zipped with a top-level folder, like Epoch's benchmark_data/."""
    path = str(tmp_path_factory.mktemp("zip") / "benchmark_data.zip")
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("benchmark_data/", "")
        for root, _dirs, files in os.walk(epoch_dir):
            for name in sorted(files):
                full = os.path.join(root, name)
                rel = os.path.relpath(full, epoch_dir).replace(os.sep, "/")
                archive.write(full, f"benchmark_data/{rel}")
    return path


@pytest.fixture(scope="module")
def zip_batch(epoch_zip):
    return read_epoch(epoch_zip, bundled_taxonomy())


@pytest.fixture(scope="module")
def folder_report(epoch_dir, bundled_db, tmp_path_factory):
    """Report of re-ingesting the bundled folder into a copy of the bundled warehouse."""
    import shutil

    path = str(tmp_path_factory.mktemp("folder") / "copy.duckdb")
    shutil.copyfile(bundled_db, path)
    return gaplens.ingest_epoch(epoch_dir, db=path)


def results_of(path: str) -> pd.DataFrame:
    con = duckdb.connect(path, read_only=True)
    try:
        return con.execute("SELECT version_id, benchmark, setting, raw_score, score FROM results "
                           "ORDER BY version_id, benchmark, setting").df()
    finally:
        con.close()


# -- zip vs folder ----------------------------------------------------------------------------

def test_zip_alone_gives_the_same_results_as_the_folder(zip_batch, bundled_db, tmp_path):
    path = str(tmp_path / "zip_only.duckdb")
    with Warehouse(path) as warehouse:
        report = warehouse.ingest(zip_batch)
    folder = results_of(bundled_db)
    zipped = results_of(path)
    assert report.counts["results"].added == len(folder)
    assert len(zipped) == len(folder)
    pd.testing.assert_frame_equal(zipped, folder)


def test_zip_over_folder_is_all_unchanged(epoch_zip, db, snap):
    before = snap(db)
    report = gaplens.ingest_epoch(epoch_zip, db=db)
    assert report.kind == "epoch"
    c = report.counts["results"]
    assert (c.added, c.updated) == (0, 0)
    assert c.unchanged == before["results"]
    after = snap(db)
    assert after["results_checksum"] == before["results_checksum"]
    assert after["sources"] == before["sources"] + 1


def test_zip_member_paths_are_recorded(zip_batch):
    batch = zip_batch
    assert batch.results["source_file"].str.startswith("benchmark_data/").all()
    # The sub-folder additional_eci_data/ is not read as benchmark files.
    assert not batch.results["source_file"].str.contains("additional_eci_data").any()


# -- rejected rows ----------------------------------------------------------------------------

def test_folder_reingest_is_all_unchanged(folder_report, bundled_db):
    c = folder_report.counts["results"]
    assert (c.added, c.updated, c.unchanged) == (0, 0, len(results_of(bundled_db)))


def test_rejected_rows_are_reported(epoch_dir, folder_report):
    rejected = folder_report.rejected
    assert not rejected.empty
    assert "no model version" in set(rejected["reason"])
    # Independently: the rows of terminalbench_external.csv with a blank model version.
    raw = pd.read_csv(os.path.join(epoch_dir, "terminalbench_external.csv"), dtype=str)
    blank_rows = {i + 2 for i in raw.index[raw["Model version"].isna()]}
    assert blank_rows, "the fixture data should have blank model versions"
    mine = rejected.loc[rejected["file"].str.endswith("terminalbench_external.csv")
                        & (rejected["reason"] == "no model version")]
    assert set(mine["row"].astype(int)) == blank_rows
    assert (mine["field"] == "Model version").all()


def test_rejected_count_matches_blank_versions_everywhere(epoch_dir, folder_report):
    report = folder_report
    taxonomy = pd.read_csv(os.path.join(os.path.dirname(epoch_dir), "benchmarks.csv"))
    expected = 0
    for file in taxonomy["file"].dropna():
        path = os.path.join(epoch_dir, f"{file}.csv")
        if os.path.exists(path):
            raw = pd.read_csv(path, dtype=str, keep_default_na=False, na_values=[""])
            expected += int(raw["Model version"].isna().sum())
    got = int((report.rejected["reason"] == "no model version").sum())
    assert got == expected


def test_rejected_rows_are_stored(bundled_db):
    con = duckdb.connect(bundled_db, read_only=True)
    try:
        n = con.execute("SELECT count(*) FROM rejected WHERE reason = 'no model version'"
                        ).fetchone()[0]
    finally:
        con.close()
    assert n > 0


# -- models and the collapse rule -------------------------------------------------------------

def test_exactly_one_used_version_per_model_and_benchmark(bundled_db):
    versions = gaplens.models(db=bundled_db, versions=True)
    assert len(versions) == len(results_of(bundled_db))
    groups = versions.groupby(["model_id", "benchmark"])
    used = groups["used"].sum()
    assert (used == 1).all(), used[used != 1].head()
    best = versions.loc[versions["used"]].set_index(["model_id", "benchmark"])["score"]
    top = groups["score"].max()
    pd.testing.assert_series_equal(best.sort_index(), top.sort_index(), check_names=False)
    # Some models really have several versions on one benchmark (so the check has teeth).
    assert (groups.size() > 1).sum() > 10


def test_claude_35_sonnet_is_api_access(bundled_db):
    models = gaplens.models(db=bundled_db).set_index("model_id")
    assert models.loc["Claude 3.5 Sonnet", "accessibility"] == "API access"


def read_eci(epoch_dir: str) -> pd.DataFrame:
    """The ECI file with surrounding blanks stripped and each version's model name."""
    eci = pd.read_csv(os.path.join(epoch_dir, "epoch_capabilities_index.csv"), dtype=str)
    eci = eci.apply(lambda c: c.str.strip()).replace("", pd.NA)
    eci["model"] = eci["Model name"].fillna(eci["Model version"].map(lambda v: SUFFIX.sub("", v)))
    return eci


def expected_accessibility(epoch_dir: str, data_dir: str) -> pd.Series:
    eci = read_eci(epoch_dir)
    acc = eci.groupby("model")["Model accessibility"].agg(
        lambda s: s.dropna().iloc[0] if s.notna().any() else "Unknown")
    overrides = pd.read_csv(os.path.join(data_dir, "accessibility_overrides.csv"))
    by_name = dict(zip(overrides["model"].str.lower(), overrides["accessibility"]))
    return pd.Series({m: by_name.get(m.lower(), a) for m, a in acc.items()})


def epoch_models(db, **filters):
    """Models created by the Epoch snapshot (the bundle also creates models from AA)."""
    sources = gaplens.sources(db=db)
    epoch_ids = set(sources.loc[sources["kind"] == "epoch", "source_id"])
    table = gaplens.models(db=db, **filters)
    return table.loc[table["source_id"].isin(epoch_ids)].reset_index(drop=True)


def test_unknown_accessibility_count(bundled_db, epoch_dir, data_dir):
    expected = expected_accessibility(epoch_dir, data_dir)
    table = epoch_models(bundled_db)
    unknown = epoch_models(bundled_db, accessibility="Unknown")
    assert len(table) == len(expected)
    assert len(unknown) == int((table["accessibility"] == "Unknown").sum())
    assert len(unknown) == int((expected == "Unknown").sum())
    assert set(unknown["model_id"]) == set(expected.index[expected == "Unknown"])
    # Models the gap leaves out for unknown accessibility are among them.
    result = gaplens.gap(db=bundled_db, by="benchmark", n_draws=0, as_of=AS_OF)
    assert set(result.unknown_models["model_id"]) <= set(unknown["model_id"])


def test_accessibility_matches_eci_and_overrides(bundled_db, epoch_dir, data_dir):
    expected = expected_accessibility(epoch_dir, data_dir)
    got = epoch_models(bundled_db).set_index("model_id")["accessibility"]
    pd.testing.assert_series_equal(got.sort_index(), expected.sort_index(), check_names=False)


# -- golden checks ----------------------------------------------------------------------------

def golden(epoch_dir, data_dir, file, column, baseline, ceiling):
    """Best closed and open model (by ECI 'Model name') and normalised scores as of AS_OF."""
    eci = read_eci(epoch_dir)
    access = expected_accessibility(epoch_dir, data_dir)
    bench = pd.read_csv(os.path.join(epoch_dir, file)).dropna(subset=["Model version", column])
    bench["Model version"] = bench["Model version"].str.strip()
    bench = bench.merge(eci[["Model version", "model", "Release date"]]
                        .rename(columns={"Release date": "eci_date"}), on="Model version")
    bench["date"] = pd.to_datetime(bench["eci_date"].fillna(bench["Release date"]))
    bench = bench.loc[bench["date"] <= pd.Timestamp(AS_OF)]
    bench["norm"] = ((bench[column] - baseline) / (ceiling - baseline)).clip(0, 1)
    bench["access"] = bench["model"].map(access)
    best = bench.sort_values("norm", ascending=False).drop_duplicates("model")
    open_ = best.loc[best["access"].isin(OPEN_CLASSES)]
    closed = best.loc[best["access"].isin(CLOSED_CLASSES)]
    return dict(closed_model=closed["model"].iloc[0], closed=closed["norm"].iloc[0],
                open_model=open_["model"].iloc[0], open=open_["norm"].iloc[0],
                n_open=len(open_), n_closed=len(closed))


@pytest.fixture(scope="module")
def by_benchmark(bundled_db):
    return gaplens.gap(db=bundled_db, by="benchmark", n_draws=0, as_of=AS_OF).table.set_index(
        "key")


@pytest.mark.parametrize("bench_name, file, column, baseline, ceiling", [
    ("GPQA diamond", "gpqa_diamond.csv", "mean_score", 0.25, 1.0),
    ("Terminal Bench", "terminalbench_external.csv", "Accuracy mean", 0.0, 1.0),
])
def test_golden_frontiers(by_benchmark, epoch_dir, data_dir, bench_name, file, column, baseline,
                          ceiling):
    want = golden(epoch_dir, data_dir, file, column, baseline, ceiling)
    row = by_benchmark.loc[bench_name]
    assert row["closed_model"] == want["closed_model"]
    assert row["open_model"] == want["open_model"]
    assert row["closed_level"] == pytest.approx(want["closed"] * 100, abs=1e-9)
    assert row["open_level"] == pytest.approx(want["open"] * 100, abs=1e-9)
    assert row["gap"] == pytest.approx((want["closed"] - want["open"]) * 100, abs=1e-9)
    assert row["n_open"] == want["n_open"]
    assert row["n_closed"] == want["n_closed"]
    assert row["status"] != "too_few_models"


def test_golden_values_are_the_known_ones(epoch_dir, data_dir):
    """Pin the independent computation itself, so a data change is noticed."""
    gpqa = golden(epoch_dir, data_dir, "gpqa_diamond.csv", "mean_score", 0.25, 1.0)
    assert gpqa["closed_model"] == "GPT-5.4 Pro" and gpqa["open_model"] == "GLM-5"
    assert gpqa["closed"] == pytest.approx(0.928)
    tb = golden(epoch_dir, data_dir, "terminalbench_external.csv", "Accuracy mean", 0.0, 1.0)
    assert tb["closed_model"] == "Gemini 3.1 Pro" and tb["open_model"] == "GLM-5"
    assert tb["closed"] == pytest.approx(0.784) and tb["open"] == pytest.approx(0.524)
