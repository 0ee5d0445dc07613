"""Shared fixtures: one bundled warehouse per session, copied for tests that write.

Nothing here touches the default warehouse location: ``GAPLENS_DB`` points into a
temporary folder for the whole session and every call passes ``db=...``.
"""

from __future__ import annotations

import os
import shutil
from importlib import resources

import duckdb
import pytest

import gaplens

TABLES = (
    "sources",
    "domains",
    "benchmarks",
    "models",
    "model_versions",
    "results",
    "accessibility_overrides",
    "rejected",
    "signals",
)


@pytest.fixture(scope="session", autouse=True)
def _isolated_default_db(tmp_path_factory):
    """Point GAPLENS_DB at a throwaway path so nothing can touch the home directory."""
    path = tmp_path_factory.mktemp("default-db") / "never-used.duckdb"
    old = os.environ.get("GAPLENS_DB")
    os.environ["GAPLENS_DB"] = str(path)
    yield str(path)
    if old is None:
        os.environ.pop("GAPLENS_DB", None)
    else:
        os.environ["GAPLENS_DB"] = old


@pytest.fixture(scope="session")
def bundled_db(tmp_path_factory) -> str:
    """A warehouse file holding the bundled Epoch snapshot and overrides (read-only use)."""
    path = str(tmp_path_factory.mktemp("bundled") / "bundled.duckdb")
    with gaplens.open_warehouse(db=path, write=True):
        pass
    return path


@pytest.fixture
def db(bundled_db, tmp_path) -> str:
    """A private copy of the bundled warehouse for a test that writes."""
    path = str(tmp_path / "warehouse.duckdb")
    shutil.copyfile(bundled_db, path)
    return path


@pytest.fixture(scope="session")
def data_dir() -> str:
    return str(resources.files("gaplens").joinpath("data"))


@pytest.fixture(scope="session")
def epoch_dir(data_dir) -> str:
    return os.path.join(data_dir, "epoch_benchmarking_hub")


def snapshot(path: str) -> dict:
    """Row counts of every table and a checksum of the results table (a sum of row hashes:
    exact whatever the order DuckDB adds the rows in, where a sum of doubles is not)."""
    con = duckdb.connect(path, read_only=True)
    try:
        out = {t: con.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in TABLES}
        out["results_checksum"] = con.execute(
            "SELECT count(*), sum(hash(version_id, benchmark, setting, raw_score, score)) FROM results"
        ).fetchone()
        out["overrides_checksum"] = con.execute(
            "SELECT string_agg(model_id || '=' || accessibility, ',' ORDER BY model_id) "
            "FROM accessibility_overrides").fetchone()
        return out
    finally:
        con.close()


@pytest.fixture
def snap():
    return snapshot


# --- the capability index: one stored fit per session -------------------------------------


@pytest.fixture(scope="session")
def fitted_db(bundled_db, tmp_path_factory) -> str:
    """A copy of the bundled warehouse holding one stored capability fit (default settings,
    100 bootstrap draws, seed 0). Read-only use: tests that write take ``fitted_copy``."""
    from gaplens import api

    path = str(tmp_path_factory.mktemp("fitted") / "fitted.duckdb")
    shutil.copyfile(bundled_db, path)
    api.fit_index(db=path, n_draws=100)
    return path


@pytest.fixture
def fitted_copy(fitted_db, tmp_path) -> str:
    """A private copy of ``fitted_db`` for a test that writes (refits, ingests)."""
    path = str(tmp_path / "fitted-copy.duckdb")
    shutil.copyfile(fitted_db, path)
    return path


@pytest.fixture(scope="session")
def sim1():
    """A simulated index data set with known parameters (index_sims.simulate, seed 1)."""
    from index_sims import simulate

    return simulate(1, extra_sparse=True)


@pytest.fixture(scope="session")
def sim1_fit(sim1):
    """The capability fit of ``sim1`` (100 bootstrap draws). Read-only."""
    from index_sims import fit_sim

    return fit_sim(sim1)


# --- the report: one page per session, on the bundled data plus names carrying markup ------

#: Names from imported files that a careless page would run as markup.
HOSTILE_MODEL = '<img src=x onerror="window.__xss=1">'
HOSTILE_CLOSED = "Closed <script>window.__xss=2</script>"
HOSTILE_UNKNOWN = "<iframe src=javascript:window.__xss=4>"
HOSTILE_BENCHMARK = "<svg onload=window.__xss=3>"
HOSTILE_DOMAIN_LABEL = "<i>Hostile</i> & co"


@pytest.fixture(scope="session")
def report_db(fitted_db, tmp_path_factory) -> str:
    """``fitted_db`` plus a tidy CSV whose model, organization, benchmark and domain names
    carry markup: three open and three closed models on a new benchmark of a new domain (so
    the gap, frontiers and lifecycle charts show them) and one of unknown accessibility."""
    from gaplens import api

    root = tmp_path_factory.mktemp("report")
    path = str(root / "report.duckdb")
    shutil.copyfile(fitted_db, path)
    bench = root / "bench.csv"
    bench.write_text("benchmark,domain,label,random_baseline,ceiling,test_set,release_date\n"
                     f'"{HOSTILE_BENCHMARK}",hostile,"{HOSTILE_DOMAIN_LABEL}",0,1,public,'
                     "2025-06-01\n", encoding="utf-8")
    rows = [(HOSTILE_MODEL, 0.62, "2026-03-01", "Open weights (unrestricted)"),
            ('Open "two" & <b>bold</b>', 0.55, "2025-11-01", "Open weights (unrestricted)"),
            ("Open three", 0.40, "2025-08-01", "Open weights (restricted use)"),
            (HOSTILE_CLOSED, 0.81, "2025-12-01", "API access"),
            ("Closed two", 0.70, "2025-09-01", "API access"),
            ("Closed three", 0.50, "2025-07-01", "API access"),
            (HOSTILE_UNKNOWN, 0.30, "2025-10-01", "")]
    lines = ["model,benchmark,score,release_date,accessibility,organization"]
    for name, score, date, access in rows:
        quoted = name.replace('"', '""')
        lines.append(f'"{quoted}","{HOSTILE_BENCHMARK}",{score},{date},{access},'
                     '"<b>Org</b> & sons"')
    results = root / "results.csv"
    results.write_text("\n".join(lines) + "\n", encoding="utf-8")
    api.ingest_csv(str(results), db=path, benchmarks=str(bench))
    return path


@pytest.fixture(scope="session")
def report_inputs(report_db):
    from gaplens import api

    return api.collect(db=report_db, n_draws=40)


@pytest.fixture(scope="session")
def report_page(report_inputs, tmp_path_factory) -> str:
    """The HTML report of ``report_db`` (every open definition; 40 draws)."""
    from gaplens.report.html import write_html

    return write_html(report_inputs, str(tmp_path_factory.mktemp("page") / "report.html"))


@pytest.fixture
def local_server():
    """A scripted HTTP server on 127.0.0.1 (see tests/httpserver.py); no network."""
    from httpserver import LocalServer

    with LocalServer() as server:
        yield server
