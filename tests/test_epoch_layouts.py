"""Epoch exports in both layouts: the current one (eci_scores.csv, benchmark_metadata.csv,
model_metadata.csv) built from the bundled flat export gives the same map; Epoch's
metadata, supersession and published ECI intervals on planted data with known answers."""

from __future__ import annotations

import datetime as dt
import io
import os
import zipfile

import numpy as np
import pandas as pd
import pytest

from gaplens.analysis.gap import GapSettings, compute_gap
from gaplens.analysis.observations import prepare
from gaplens.errors import InputError
from gaplens.ingest import bundled_taxonomy, read_epoch
from gaplens.ingest.epoch import metadata_differences, model_id_from_version
from gaplens.ingest.epoch_metadata import apply_metadata, read_metadata
from gaplens.ingest.taxonomy import Taxonomy, parse_benchmarks
from gaplens.store import Warehouse
from gaplens.types import OpenDefinition

AS_OF = dt.date(2026, 4, 16)
SCALE = {"fraction": 1.0, "percent": 0.01}


def _csv(frame: pd.DataFrame) -> str:
    buffer = io.StringIO()
    frame.to_csv(buffer, index=False)
    return buffer.getvalue()


def current_layout_zip(flat_dir: str, taxonomy: Taxonomy, path: str) -> str:
    """The flat export rewritten in the current layout, under a top folder."""
    eci = pd.read_csv(os.path.join(flat_dir, "epoch_capabilities_index.csv"), dtype=str,
                      keep_default_na=False, na_values=[""])
    group = eci["Model name"].fillna(eci["Model version"].map(model_id_from_version))
    versions = pd.DataFrame({
        "model_version": eci["Model version"], "model_group": group,
        "date": eci["Release date"],
        "display_name": eci["Display name"].fillna(eci["Model name"]),
        "organization": eci["Organization"], "country": eci["Country"],
        "accessibility": eci["Model accessibility"],
        "training_compute_flop": eci["Training compute (FLOP)"],
    })
    scored = eci.assign(group=group, score=pd.to_numeric(eci["ECI Score"])).dropna(
        subset=["score"])
    best = scored.sort_values("score", ascending=False).drop_duplicates("group")
    scores = pd.DataFrame({
        "Model": best["group"], "Display name": best["group"], "eci": best["score"],
        "eci_ci_low": best["score"] - 2.0, "eci_ci_high": best["score"] + 2.0,
        "date": best["Release date"], "Organization": best["Organization"],
        "Country (of organization)": best["Country"],
        "Model accessibility": best["Model accessibility"],
        "Accessibility group": "", "model_versions": "",
    })
    files = {n[:-4] for n in os.listdir(flat_dir) if n.endswith(".csv")}
    b = taxonomy.benchmarks
    b = b.loc[b["file"].isin(files) & (b["transform"] == "linear") & b["unit"].isin(SCALE)]
    scale = b["unit"].map(SCALE)
    metadata = pd.DataFrame({
        "benchmark": b["benchmark"], "in_eci": "True", "source_file": b["file"] + ".csv",
        "score_column": b["score_column"], "scale": scale,
        "random_baseline": b["random_baseline"] * scale, "score_ceiling": b["ceiling"] * scale,
        "release_date": pd.to_datetime(b["release_date"]).dt.strftime("%Y-%m-%d"),
        "superseded_by": b["superseded_by"],
    })
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name in sorted(os.listdir(flat_dir)):
            if name.endswith(".csv") and name != "epoch_capabilities_index.csv":
                archive.write(os.path.join(flat_dir, name), f"benchmark_data/{name}")
        archive.writestr("benchmark_data/epoch_capabilities_index/eci_scores.csv", _csv(scores))
        archive.writestr("benchmark_data/model_metadata.csv", _csv(versions))
        archive.writestr("benchmark_data/benchmark_metadata.csv", _csv(metadata))
    return path


def _gap(batch, path: str, by: str = "domain", n_draws: int = 200):
    with Warehouse(path) as warehouse:
        warehouse.ingest(batch)
        long, domains, bench = (warehouse.observations(), warehouse.domains(),
                                warehouse.benchmarks())
    settings = GapSettings(as_of=AS_OF, open_definition=OpenDefinition.OPEN_WEIGHTS, by=by,
                           n_draws=n_draws, seed=0)
    obs = prepare(long, settings.open_definition, settings.as_of)
    return compute_gap(obs, settings, domains, bench).table


NUMBERS = ["gap", "gap_ci_low", "gap_ci_high", "lag_months", "lag_months_ci_low",
           "lag_months_ci_high", "lag_threshold_months", "lag_threshold_months_ci_low",
           "lag_threshold_months_ci_high", "closed_level", "open_level", "n_open", "n_closed"]


@pytest.fixture(scope="module")
def both_layouts(epoch_dir, tmp_path_factory):
    taxonomy = bundled_taxonomy()
    folder = tmp_path_factory.mktemp("layouts")
    current = current_layout_zip(epoch_dir, taxonomy, str(folder / "benchmark_data.zip"))
    flat = read_epoch(epoch_dir, taxonomy, today=AS_OF)
    new = read_epoch(current, taxonomy, today=AS_OF)
    return taxonomy, current, flat, new, folder


def test_current_layout_gives_the_same_map_as_the_flat_one(both_layouts):
    _, _, flat, new, folder = both_layouts
    assert len(new.results) == len(flat.results) == 3271
    key = ["version_id", "benchmark", "setting"]
    pd.testing.assert_frame_equal(
        flat.results.sort_values(key)[key + ["raw_score", "score", "stderr"]].reset_index(drop=True),
        new.results.sort_values(key)[key + ["raw_score", "score", "stderr"]].reset_index(drop=True))
    cols = ["model_id", "release_date", "accessibility", "organization"]
    pd.testing.assert_frame_equal(flat.models[cols].reset_index(drop=True),
                                  new.models[cols].reset_index(drop=True))
    for by in ("domain", "benchmark"):
        a = _gap(flat, str(folder / f"flat_{by}.duckdb"), by)
        b = _gap(new, str(folder / f"current_{by}.duckdb"), by)
        assert list(a["key"]) == list(b["key"])
        assert a["gap"].notna().sum() >= 5
        pd.testing.assert_frame_equal(a[["key", "status", "benchmarks"] + NUMBERS],
                                      b[["key", "status", "benchmarks"] + NUMBERS])


def test_consistent_metadata_lists_no_value_difference(both_layouts):
    taxonomy, current, _, new, _ = both_layouts
    diff = metadata_differences(current, taxonomy)
    assert not diff["field"].isin(["random_baseline", "ceiling", "release_date",
                                   "superseded_by", "score_column"]).any()
    # only the benchmarks the written metadata leave out (a log scale, Elo, points)
    assert set(diff["used"]) == {"gaplens"} and set(diff["field"]) == {"benchmark"}
    assert set(diff["benchmark"]) == {"METR Time Horizons", "WebDev Arena", "GeoBench",
                                      "Lech Mazur Writing"}
    # Epoch's version grouping and published interval reach the versions
    v = new.versions.dropna(subset=["epoch_eci"])
    assert len(v) > 0
    assert np.allclose(v["epoch_eci_ci_high"] - v["epoch_eci_ci_low"], 4.0)


# -- planted data ----------------------------------------------------------------------------

PLANTED_TAXONOMY = """benchmark,file,score_column,domain,unit,transform,random_baseline,ceiling,test_set,release_date,superseded_by
Quiz,quiz,mean_score,maths,fraction,linear,0.25,1,public,2024-01-01,
Old proof,old_proof,mean_score,maths,fraction,linear,0,1,private,2025-02-28,
New proof,new_proof,mean_score,maths,fraction,linear,0,1,private,2026-01-10,
Polyglot,polyglot,Percent correct,coding,percent,linear,0,100,public,2024-12-01,
Horizon,horizon,Time horizon,agents,minutes,log,0.1,10000,public,2025-03-01,
"""

PLANTED_METADATA = """benchmark,in_eci,source_file,score_column,scale,random_baseline,score_ceiling,release_date,superseded_by
Quiz,True,quiz.csv,Best score (across scorers),1.0,0.2,1.0,2024-02-01,
Proof v1,True,old_proof.csv,mean_score,1.0,0.0,0.6,2025-02-28,Proof v2
Proof v2,True,new_proof.csv,mean_score,1.0,0.0,1.0,2026-01-10,
Polyglot,True,polyglot.csv,Percent correct,0.01,0.0,1.0,2024-12-21,
Horizon,True,horizon.csv,average_score,1.0,0.0,1.0,2025-03-01,
Extra,True,extra.csv,Score,1.0,0.0,1.0,2025-05-01,
"""


def _taxonomy() -> Taxonomy:
    benchmarks = parse_benchmarks(pd.read_csv(io.StringIO(PLANTED_TAXONOMY), dtype=str,
                                              keep_default_na=False, na_values=[""]), "planted")
    domains = pd.DataFrame({"domain": ["maths", "coding", "agents"],
                            "label": ["Maths", "Coding", "Agents"], "ord": [1, 2, 3],
                            "description": None})
    return Taxonomy(benchmarks=benchmarks, domains=domains)


def test_metadata_differences_are_listed_with_the_side_used():
    taxonomy = _taxonomy()
    meta = read_metadata("benchmark_metadata.csv", PLANTED_METADATA.encode())
    files = {"quiz", "old_proof", "new_proof", "polyglot", "horizon", "extra"}
    effective, diff = apply_metadata(taxonomy.benchmarks, meta, files)
    got = {(r.benchmark if isinstance(r.benchmark, str) else None, r.field):
           (r.gaplens, r.epoch, r.used) for r in diff.itertuples()}
    assert got[("Quiz", "random_baseline")] == ("0.25", "0.2", "epoch")
    assert got[("Quiz", "release_date")] == ("2024-01-01", "2024-02-01", "epoch")
    assert got[("Quiz", "score_column")][2] == "gaplens"
    assert got[("Old proof", "ceiling")] == ("1", "0.6", "epoch")
    assert got[("Old proof", "superseded_by")] == ("", "New proof", "epoch")  # mapped name
    assert got[("Polyglot", "release_date")] == ("2024-12-01", "2024-12-21", "epoch")
    assert ("Polyglot", "ceiling") not in got  # 1.0 / 0.01 = 100, the same as ours
    assert got[("Horizon", "ceiling")][2] == "gaplens"  # log scale: ours kept
    assert got[(None, "benchmark")] == ("", "Extra", "neither")
    e = effective.set_index("benchmark")
    assert e.loc["Quiz", "random_baseline"] == pytest.approx(0.2)
    assert e.loc["Old proof", "ceiling"] == pytest.approx(0.6)
    assert e.loc["Old proof", "superseded_by"] == "New proof"
    assert e.loc["Horizon", "ceiling"] == 10000
    # Quiz 3, Old proof 2, Polyglot 1, Horizon 3 (column, baseline, ceiling), Extra 1
    assert got[("Horizon", "random_baseline")] == ("0.1", "0", "gaplens")
    assert len(diff) == 10


def _planted_export(path, scores: dict[str, dict[str, float]], access: dict[str, str],
                    metadata: str = PLANTED_METADATA, versions_header: str | None = None) -> str:
    """A current-layout zip: one benchmark file per entry of ``scores`` (version -> score)."""
    models = sorted(access)
    header = versions_header or "model_version,model_group,date,organization,accessibility"
    rows = [f"{m}_high,{m.upper()},2026-0{1 + i % 3}-15,Org{i},{access[m]}"
            for i, m in enumerate(models)]
    eci = ["Model,Display name,eci,eci_ci_low,eci_ci_high,date"] + [
        f"{m.upper()},{m.upper()},{100 + i},{98 + i},{103 + i},2026-01-15"
        for i, m in enumerate(models)]
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("benchmark_metadata.csv", metadata)
        archive.writestr("model_metadata.csv", "\n".join([header] + rows) + "\n")
        archive.writestr("epoch_capabilities_index/eci_scores.csv", "\n".join(eci) + "\n")
        for file, by_model in scores.items():
            lines = ["Model version,mean_score,Release date"] + [
                f"{m}_high,{s},2026-02-01" for m, s in by_model.items()]
            archive.writestr(f"{file}.csv", "\n".join(lines) + "\n")
    return str(path)


OPEN = {f"o{i}": "Open weights (unrestricted)" for i in range(3)}
CLOSED = {f"c{i}": "API access" for i in range(3)}


def test_superseded_benchmark_stays_out_of_the_domain_map(tmp_path):
    # v1 (ceiling 0.6 from Epoch): closed best 0.45/0.6 = 0.75, open best 0.30/0.6 = 0.5 ->
    # gap 25 points; v2: closed 0.9 vs open 0.6 -> 30 points. Mixed, the domain would say 27.5.
    old = {"o0": 0.30, "o1": 0.20, "o2": 0.10, "c0": 0.45, "c1": 0.40, "c2": 0.35}
    new = {"o0": 0.60, "o1": 0.50, "o2": 0.40, "c0": 0.90, "c1": 0.80, "c2": 0.70}
    path = _planted_export(tmp_path / "x.zip", {"old_proof": old, "new_proof": new},
                           {**OPEN, **CLOSED})
    batch = read_epoch(path, _taxonomy(), today=AS_OF)
    assert batch.versions["model_id"].nunique() == 6  # Epoch's grouping: O0, C1, ...
    assert set(batch.versions["model_id"]) == {"O0", "O1", "O2", "C0", "C1", "C2"}
    by_bench = _gap(batch, str(tmp_path / "b.duckdb"), by="benchmark", n_draws=50)
    g = by_bench.set_index("key")["gap"]
    assert g["Old proof"] == pytest.approx(25.0)  # both stay queryable
    assert g["New proof"] == pytest.approx(30.0)
    by_domain = _gap(batch, str(tmp_path / "d.duckdb"), n_draws=50).set_index("key")
    assert by_domain.loc["maths", "gap"] == pytest.approx(30.0)
    assert by_domain.loc["maths", "benchmarks"] == "New proof"
    assert "superseded: Old proof (by New proof)" in by_domain.loc["maths", "note"]
    with Warehouse(str(tmp_path / "d.duckdb"), read_only=True) as warehouse:
        bench = warehouse.benchmarks().set_index("benchmark")
        v = warehouse.versions()
    assert bench.loc["Old proof", "superseded_by"] == "New proof"
    assert v["epoch_eci_ci_low"].notna().all()


def test_superseded_benchmark_stays_while_its_successor_has_too_few_models(tmp_path):
    old = {"o0": 0.30, "o1": 0.20, "o2": 0.10, "c0": 0.45, "c1": 0.40, "c2": 0.35}
    new = {"o0": 0.60, "c0": 0.90}
    path = _planted_export(tmp_path / "x.zip", {"old_proof": old, "new_proof": new},
                           {**OPEN, **CLOSED})
    batch = read_epoch(path, _taxonomy(), today=AS_OF)
    by_domain = _gap(batch, str(tmp_path / "d.duckdb"), n_draws=50).set_index("key")
    assert by_domain.loc["maths", "gap"] == pytest.approx(25.0)
    assert by_domain.loc["maths", "benchmarks"] == "Old proof"


@pytest.mark.parametrize("file, text, field", [
    ("benchmark_metadata.csv",
     PLANTED_METADATA.replace("score_ceiling", "ceiling"), "score_ceiling"),
    ("model_metadata.csv", None, "model_group"),
    ("epoch_capabilities_index/eci_scores.csv", None, "eci_ci_high"),
])
def test_a_renamed_required_column_is_one_line_naming_file_row_field(tmp_path, file, text,
                                                                     field):
    path = tmp_path / "x.zip"
    if file == "benchmark_metadata.csv":
        _planted_export(path, {"quiz": {"o0": 0.5}}, OPEN, metadata=text)
    elif file == "model_metadata.csv":
        _planted_export(path, {"quiz": {"o0": 0.5}}, OPEN,
                        versions_header="model_version,group,date,organization,accessibility")
    else:
        _planted_export(path, {"quiz": {"o0": 0.5}}, OPEN)
        with zipfile.ZipFile(path) as z:
            members = {n: z.read(n) for n in z.namelist()}
        members[file] = members[file].replace(b"eci_ci_high", b"eci_upper")
        with zipfile.ZipFile(path, "w") as z:
            for n, data in members.items():
                z.writestr(n, data)
    with pytest.raises(InputError) as err:
        read_epoch(str(path), _taxonomy(), today=AS_OF)
    e = err.value
    assert e.file.endswith(file) and e.row == 1 and e.field == field
    assert "\n" not in str(e) and f"missing required column '{field}'" in str(e)


def test_a_wrong_value_in_the_metadata_names_its_row(tmp_path):
    bad = PLANTED_METADATA.replace("Polyglot,True,polyglot.csv,Percent correct,0.01",
                                   "Polyglot,True,polyglot.csv,Percent correct,one")
    path = _planted_export(tmp_path / "x.zip", {"quiz": {"o0": 0.5}}, OPEN, metadata=bad)
    with pytest.raises(InputError) as err:
        read_epoch(path, _taxonomy(), today=AS_OF)
    assert (err.value.row, err.value.field) == (5, "scale")


def test_two_index_files_are_refused(tmp_path):
    path = _planted_export(tmp_path / "x.zip", {"quiz": {"o0": 0.5}}, OPEN)
    with zipfile.ZipFile(path, "a") as z:
        z.writestr("copy/epoch_capabilities_index/eci_scores.csv", "Model,eci\nA,1\n")
    with pytest.raises(InputError, match="two index files"):
        read_epoch(path, _taxonomy(), today=AS_OF)


# -- published ECI intervals in the agreement check, CLI --------------------------------------

def test_agreement_counts_our_estimates_inside_epochs_interval():
    from types import SimpleNamespace

    from gaplens.analysis.index_evaluation import epoch_agreement

    fit = SimpleNamespace(
        models=pd.DataFrame({"model_id": ["A", "B", "C", "D"], "n_benchmarks": [5] * 4,
                             "index": [100.0, 105.0, 110.0, 120.0]}),
        benchmarks=pd.DataFrame({"benchmark": ["x", "y"], "n_models": [4, 4],
                                 "edi": [100.0, 110.0], "slope_scaled": [0.1, 0.2]}),
        settings=SimpleNamespace(reg=SimpleNamespace(label="test"), benchmarks="all",
                                 regularisation="log-alpha"))
    published = pd.DataFrame({
        "model_id": ["A", "A", "B", "C", "D"],
        "epoch_eci": [101.0, 90.0, 100.0, 110.0, 118.0],
        "epoch_eci_ci_low": [99.0, 80.0, 98.0, 108.0, np.nan],
        "epoch_eci_ci_high": [103.0, 95.0, 102.0, 112.0, np.nan]})
    edi = pd.DataFrame({"benchmark_name": ["x", "y"], "edi": [101.0, 111.0],
                        "estimated_slope_scaled": [0.1, 0.25]})
    check = epoch_agreement(fit, published, edi)
    # A inside [99, 103] (its highest ECI row), B outside [98, 102], C inside, D no interval
    assert check.n_with_interval == 3
    assert check.share_inside == pytest.approx(2 / 3)
    inside = check.models.set_index("model_id")["inside_epoch_interval"]
    assert inside["A"] and not inside["B"] and inside["C"] and pd.isna(inside["D"])
    assert "67% of 3 models" in " ".join(check.summary_lines())
    none = epoch_agreement(fit, published[["model_id", "epoch_eci"]], edi)
    assert none.n_with_interval == 0 and np.isnan(none.share_inside)


def test_cli_lists_the_differences_and_the_supersession(capsys, monkeypatch, tmp_path):
    from gaplens._cli import main as cli_main
    from gaplens._cli.main import main

    monkeypatch.setenv("COLUMNS", "80")
    monkeypatch.setattr(cli_main.out, "_width", 80, raising=False)
    bench = tmp_path / "planted.csv"
    bench.write_text(PLANTED_TAXONOMY)
    path = _planted_export(tmp_path / "x.zip", {"old_proof": {"o0": 0.5},
                                                "new_proof": {"o0": 0.5}}, OPEN)
    db = str(tmp_path / "w.duckdb")
    code = main(["ingest", "epoch", path, "--differences", "--benchmarks", str(bench),
                 "--db", db, "-f", "csv"])
    out = capsys.readouterr().out
    assert code == 0
    table = pd.read_csv(io.StringIO(out), dtype=str)
    row = table.loc[(table["benchmark"] == "Old proof") & (table["field"] == "ceiling")].iloc[0]
    assert (row["gaplens"], row["epoch"], row["used"]) == ("1", "0.6", "epoch")
    assert main(["ingest", "epoch", path, "--differences", "--benchmarks", str(bench),
                 "--db", db]) == 0
    out = capsys.readouterr().out
    assert "superseded_by" in out and max(len(line) for line in out.splitlines()) <= 80
    assert main(["benchmarks", "--domain", "maths", "--db", db]) == 0
    out = capsys.readouterr().out
    assert max(len(line) for line in out.splitlines()) <= 80
    # The superseded_by column is shown when the terminal is wide enough for it.
    monkeypatch.setattr(cli_main.out, "_width", 120, raising=False)
    assert main(["benchmarks", "--domain", "maths", "--db", db]) == 0
    out = capsys.readouterr().out
    assert "superseded by" in out and "-Tiers-1-3-v" in out  # the bundled FrontierMath link
    assert max(len(line) for line in out.splitlines()) <= 120


def test_without_a_version_table_versions_come_from_the_files(tmp_path):
    path = tmp_path / "x.zip"
    _planted_export(path, {"old_proof": {"o0": 0.3, "c0": 0.45}}, {"o0": OPEN["o0"],
                                                                    "c0": CLOSED["c0"]})
    with zipfile.ZipFile(path) as z:
        members = {n: z.read(n) for n in z.namelist() if n != "model_metadata.csv"}
    members["epoch_capabilities_index/eci_scores.csv"] = (
        b"Model,eci,eci_ci_low,eci_ci_high,Model accessibility,model_versions\n"
        b"Big C,120,118,122,API access,c0_high\n")
    with zipfile.ZipFile(path, "w") as z:
        for n, data in members.items():
            z.writestr(n, data)
    batch = read_epoch(str(path), _taxonomy(), today=AS_OF)
    v = batch.versions.set_index("version_id")
    # c0_high is listed under Epoch's model "Big C"; o0_high falls back to its id
    assert v.loc["c0_high", "model_id"] == "Big C" and v.loc["c0_high", "epoch_eci"] == 120
    assert v.loc["c0_high", "accessibility"] == "API access"
    assert v.loc["o0_high", "model_id"] == "o0" and v.loc["o0_high", "accessibility"] == "Unknown"
    assert len(batch.results) == 2
