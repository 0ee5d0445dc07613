"""Bad input: one-line errors naming file, row and field, and an untouched warehouse."""

from __future__ import annotations

import csv
import os
import shutil
import subprocess
import sys
import zipfile

import pytest

import gaplens

HEADER = ["model", "benchmark", "score", "release_date", "accessibility", "organization",
          "country", "stderr"]
API = "API access"
OPEN = "Open weights (unrestricted)"


def good_rows():
    return [
        ["BadBot-1", "GPQA diamond", "0.50", "2025-01-01", API, "Lab", "USA", ""],
        ["BadBot-2", "GPQA diamond", "0.60", "2025-02-01", OPEN, "Lab", "USA", ""],
        ["BadBot-3", "GPQA diamond", "0.70", "2025-03-01", API, "Lab", "USA", ""],
        ["BadBot-4", "GPQA diamond", "0.80", "2025-04-01", OPEN, "Lab", "USA", ""],
    ]


def write_csv(path, header, rows) -> str:
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        if header is not None:
            writer.writerow(header)
        writer.writerows(rows)
    return str(path)


def check_error(exc: Exception, path: str, row: int | None = None, field: str | None = None,
                words: tuple[str, ...] = ()) -> str:
    text = str(exc)
    assert "\n" not in text and "\r" not in text, f"not one line: {text!r}"
    assert str(path) in text, text
    if row is not None:
        assert f"row {row}" in text, text
        assert exc.row == row
    if field is not None:
        assert f"'{field}'" in text, text
        assert exc.field == field
    for word in words:
        assert word.lower() in text.lower(), text
    return text


@pytest.fixture
def unchanged(db, snap):
    """Yield the warehouse path; afterwards assert that nothing in it changed."""
    before = snap(db)
    yield db
    assert snap(db) == before


def csv_error(tmp_path, db, rows, header=HEADER, name="bad.csv", benchmarks=None):
    path = write_csv(tmp_path / name, header, rows)
    with pytest.raises(gaplens.InputError) as info:
        gaplens.ingest_csv(path, db=db, benchmarks=benchmarks)
    return path, info.value


# -- tidy CSV ---------------------------------------------------------------------------------

def test_valid_file_is_accepted(db, tmp_path, snap):
    """Control: the rows the bad-input tests corrupt are themselves valid."""
    before = snap(db)
    report = gaplens.ingest_csv(write_csv(tmp_path / "ok.csv", HEADER, good_rows()), db=db)
    assert report.added == 4
    assert snap(db)["results"] == before["results"] + 4


def test_missing_column(tmp_path, unchanged):
    header = [h for h in HEADER if h != "score"]
    rows = [[v for h, v in zip(HEADER, r) if h != "score"] for r in good_rows()]
    path, err = csv_error(tmp_path, unchanged, rows, header=header)
    check_error(err, path, field="score", words=("missing",))
    assert err.row is None


def test_missing_accessibility_and_open(tmp_path, unchanged):
    header = [h for h in HEADER if h != "accessibility"]
    rows = [[v for h, v in zip(HEADER, r) if h != "accessibility"] for r in good_rows()]
    path, err = csv_error(tmp_path, unchanged, rows, header=header)
    check_error(err, path, field="accessibility", words=("missing",))


# One corrupted cell each: (data row index, column, value, spreadsheet row, field, words).
BAD_CELLS = {
    "non-numeric score names the right row": (2, "score", "n/a-ish", 4, "score",
                                              ("n/a-ish", "not a number")),
    "missing score": (1, "score", "", 3, "score", ("missing",)),
    "out-of-range score": (3, "score", "150", 5, "score", ("150", "outside", "GPQA diamond")),
    "negative score": (0, "score", "-0.1", 2, "score", ("outside",)),
    "unparseable date yesterday": (1, "release_date", "yesterday", 3, "release_date",
                                   ("yesterday", "not a date")),
    "impossible day": (1, "release_date", "2024-02-30", 3, "release_date",
                       ("2024-02-30", "not a date")),
    "impossible month": (1, "release_date", "2024-13-01", 3, "release_date",
                         ("2024-13-01", "not a date")),
    "ambiguous date 03/04": (1, "release_date", "03/04/2024", 3, "release_date", ("03/04/2024",)),
    "non-ISO date 13/04": (1, "release_date", "13/04/2024", 3, "release_date", ("13/04/2024",)),
    "future date": (2, "release_date", "2099-01-01", 4, "release_date", ("future", "2099-01-01")),
    "unknown benchmark": (2, "benchmark", "NoSuchBench", 4, "benchmark",
                          ("unknown benchmark", "NoSuchBench")),
    "invalid accessibility": (1, "accessibility", "sort of open", 3, "accessibility",
                              ("sort of open",)),
}


@pytest.mark.parametrize("case", list(BAD_CELLS), ids=list(BAD_CELLS))
def test_bad_cell(tmp_path, unchanged, case):
    index, column, value, row, field, words = BAD_CELLS[case]
    rows = good_rows()
    rows[index][HEADER.index(column)] = value
    path, err = csv_error(tmp_path, unchanged, rows)
    check_error(err, path, row=row, field=field, words=words)


def test_duplicate_rows(tmp_path, unchanged):
    rows = good_rows()
    rows.append(["BadBot-2", "gpqa diamond", "0.65", "2025-02-01", OPEN, "Lab", "USA", ""])
    path, err = csv_error(tmp_path, unchanged, rows)
    check_error(err, path, row=6, field="benchmark", words=("duplicate", "row 3"))


def test_duplicate_rows_new_model_in_two_cases(tmp_path, db):
    rows = good_rows()
    rows.append(["BADBOT-2", "GPQA diamond", "0.65", "2025-02-01", OPEN, "Lab", "USA", ""])
    path, err = csv_error(tmp_path, db, rows)
    check_error(err, path, row=6, field="benchmark", words=("duplicate", "row 3"))


def test_duplicate_of_existing_model_in_two_cases(tmp_path, unchanged):
    rows = good_rows()
    rows.append(["gpt-4o", "GPQA diamond", "0.65", "2024-05-13", API, "", "", ""])
    rows.append(["GPT-4o", "GPQA diamond", "0.66", "2024-05-13", API, "", "", ""])
    path, err = csv_error(tmp_path, unchanged, rows)
    check_error(err, path, row=7, field="benchmark", words=("duplicate", "row 6"))


def test_empty_file(tmp_path, unchanged):
    path = tmp_path / "empty.csv"
    path.write_bytes(b"")
    with pytest.raises(gaplens.InputError) as info:
        gaplens.ingest_csv(str(path), db=unchanged)
    check_error(info.value, str(path), words=("empty",))


def test_header_only_file(tmp_path, unchanged):
    path, err = csv_error(tmp_path, unchanged, [], name="header_only.csv")
    check_error(err, path, words=("no data rows",))


def test_missing_file(tmp_path, unchanged):
    path = str(tmp_path / "absent.csv")
    with pytest.raises(gaplens.InputError) as info:
        gaplens.ingest_csv(path, db=unchanged)
    check_error(info.value, path)


def test_bad_benchmarks_file(tmp_path, unchanged):
    bench = write_csv(tmp_path / "bench.csv",
                      ["benchmark", "domain", "random_baseline", "ceiling", "test_set"],
                      [["NewBench", "robotics", "0.25", "1", "public"],
                       ["OtherBench", "robotics", "0.9", "0.5", "public"]])
    rows = good_rows()
    rows[0][1] = "NewBench"
    path = write_csv(tmp_path / "ok.csv", HEADER, rows)
    with pytest.raises(gaplens.InputError) as info:
        gaplens.ingest_csv(path, db=unchanged, benchmarks=bench)
    check_error(info.value, bench, row=3, field="ceiling")


def test_bad_row_after_valid_new_domain_stores_nothing(tmp_path, unchanged):
    """A benchmark file with a new domain plus a CSV failing on its last row: nothing kept."""
    bench = write_csv(tmp_path / "bench.csv",
                      ["benchmark", "domain", "random_baseline", "ceiling", "test_set"],
                      [["NewBench", "robotics", "0.25", "1", "public"]])
    rows = good_rows()
    for r in rows:
        r[1] = "NewBench"
    rows[-1][2] = "1.5"
    path = write_csv(tmp_path / "bad.csv", HEADER, rows)
    with pytest.raises(gaplens.InputError) as info:
        gaplens.ingest_csv(path, db=unchanged, benchmarks=bench)
    check_error(info.value, path, row=5, field="score")
    assert "robotics" not in set(gaplens.benchmarks(db=unchanged)["domain"])


def test_row_number_after_blank_line(tmp_path, unchanged):
    rows = good_rows()
    rows[2][2] = "oops"
    path = tmp_path / "blank_line.csv"
    lines = [",".join(HEADER)] + [",".join(r) for r in rows]
    lines.insert(2, "")  # a blank spreadsheet row 3 between data rows 2 and 4
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(gaplens.InputError) as info:
        gaplens.ingest_csv(str(path), db=unchanged)
    # 'oops' is on the 5th line of the file: spreadsheet row 5.
    check_error(info.value, str(path), row=5, field="score")


# -- overrides --------------------------------------------------------------------------------

OVERRIDE_HEADER = ["model", "accessibility", "reason"]


def test_override_unknown_model(tmp_path, unchanged):
    path = write_csv(tmp_path / "ov.csv", OVERRIDE_HEADER,
                     [["GPT-4o", API, "fine"], ["No Such Model 9000", API, "typo"]])
    with pytest.raises(gaplens.InputError) as info:
        gaplens.ingest_overrides(path, db=unchanged)
    check_error(info.value, path, row=3, field="model", words=("unknown model",
                                                               "No Such Model 9000"))


def test_override_invalid_accessibility(tmp_path, unchanged):
    path = write_csv(tmp_path / "ov.csv", OVERRIDE_HEADER,
                     [["GPT-4o", API, "fine"], ["Claude 3.5 Sonnet", "kinda closed", "why"]])
    with pytest.raises(gaplens.InputError) as info:
        gaplens.ingest_overrides(path, db=unchanged)
    check_error(info.value, path, row=3, field="accessibility", words=("kinda closed",))


def test_override_without_reason(tmp_path, unchanged):
    path = write_csv(tmp_path / "ov.csv", OVERRIDE_HEADER, [["GPT-4o", API, ""]])
    with pytest.raises(gaplens.InputError) as info:
        gaplens.ingest_overrides(path, db=unchanged)
    check_error(info.value, path, row=2, field="reason")


def test_valid_override_is_applied(db, tmp_path):
    """Control for the override tests: a good file changes the effective class."""
    path = write_csv(tmp_path / "ov.csv", OVERRIDE_HEADER,
                     [["gpt-4o", "Hosted access (no API)", "test"]])
    report = gaplens.ingest_overrides(path, db=db)
    assert report.counts["overrides"].added == 1
    row = gaplens.models(db=db).set_index("model_id").loc["GPT-4o"]
    assert row["accessibility"] == "Hosted access (no API)"
    assert row["source_accessibility"] == API


# -- Epoch exports ----------------------------------------------------------------------------

def test_zip_without_epoch_files(tmp_path, unchanged):
    path = str(tmp_path / "other.zip")
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("exports/sales.csv", "region,amount\nnorth,10\n")
    with pytest.raises(gaplens.InputError) as info:
        gaplens.ingest_epoch(path, db=unchanged)
    check_error(info.value, path, words=("epoch_capabilities_index.csv",))


def test_non_zip_file(tmp_path, unchanged):
    path = tmp_path / "benchmark_data.zip"
    path.write_text("model,score\nx,1\n", encoding="utf-8")
    with pytest.raises(gaplens.InputError) as info:
        gaplens.ingest_epoch(str(path), db=unchanged)
    check_error(info.value, str(path), words=("not a zip",))


def test_missing_export(tmp_path, unchanged):
    path = str(tmp_path / "nowhere.zip")
    with pytest.raises(gaplens.InputError) as info:
        gaplens.ingest_epoch(path, db=unchanged)
    check_error(info.value, path)


def corrupt_copy(epoch_dir, tmp_path, file, column, data_index, value) -> tuple[str, str, int]:
    """Copy the bundled export and set one cell; returns (folder, file path, spreadsheet row)."""
    import pandas as pd

    folder = str(tmp_path / "export")
    shutil.copytree(epoch_dir, folder)
    target = os.path.join(folder, file)
    frame = pd.read_csv(target, dtype=str, keep_default_na=False)
    frame[column] = frame[column].astype(object)
    frame.loc[data_index, column] = value
    frame.to_csv(target, index=False)
    return folder, target, data_index + 2


def test_epoch_folder_non_numeric_score(epoch_dir, tmp_path, unchanged):
    folder, target, row = corrupt_copy(epoch_dir, tmp_path, "gpqa_diamond.csv", "mean_score", 4,
                                       "abc")
    with pytest.raises(gaplens.InputError) as info:
        gaplens.ingest_epoch(folder, db=unchanged)
    check_error(info.value, target, row=row, field="mean_score", words=("abc", "not a number"))
    assert row == 6


def test_epoch_folder_out_of_range_score(epoch_dir, tmp_path, unchanged):
    folder, target, row = corrupt_copy(epoch_dir, tmp_path, "gpqa_diamond.csv", "mean_score", 10,
                                       "93.5")
    with pytest.raises(gaplens.InputError) as info:
        gaplens.ingest_epoch(folder, db=unchanged)
    check_error(info.value, target, row=row, field="mean_score", words=("outside",))


def test_epoch_folder_future_date(epoch_dir, tmp_path, unchanged):
    folder, target, row = corrupt_copy(epoch_dir, tmp_path, "epoch_capabilities_index.csv",
                                       "Release date", 7, "2099-05-05")
    with pytest.raises(gaplens.InputError) as info:
        gaplens.ingest_epoch(folder, db=unchanged)
    check_error(info.value, target, row=row, field="Release date", words=("future",))


def test_epoch_zip_bad_member_names_zip_and_member(epoch_dir, tmp_path, unchanged):
    folder, target, row = corrupt_copy(epoch_dir, tmp_path, "gpqa_diamond.csv", "mean_score", 2,
                                       "??")
    path = str(tmp_path / "benchmark_data.zip")
    with zipfile.ZipFile(path, "w") as archive:
        for name in sorted(os.listdir(folder)):
            if name.endswith(".csv"):
                archive.write(os.path.join(folder, name), f"benchmark_data/{name}")
    with pytest.raises(gaplens.InputError) as info:
        gaplens.ingest_epoch(path, db=unchanged)
    check_error(info.value, path, row=row, field="mean_score",
                words=("benchmark_data/gpqa_diamond.csv",))


# -- the database itself ----------------------------------------------------------------------

def test_corrupt_database(tmp_path):
    path = tmp_path / "corrupt.duckdb"
    junk = os.urandom(8192)
    path.write_bytes(junk)
    with pytest.raises(gaplens.StoreError) as info:
        gaplens.models(db=str(path))
    text = str(info.value)
    assert "\n" not in text
    assert str(path) in text
    assert path.read_bytes() == junk


def test_corrupt_database_on_ingest(tmp_path):
    path = tmp_path / "corrupt.duckdb"
    junk = os.urandom(8192)
    path.write_bytes(junk)
    csv_path = write_csv(tmp_path / "ok.csv", HEADER, good_rows())
    with pytest.raises(gaplens.StoreError) as info:
        gaplens.ingest_csv(csv_path, db=str(path))
    assert "\n" not in str(info.value) and str(path) in str(info.value)
    assert path.read_bytes() == junk


def test_locked_database(db, tmp_path, snap):
    csv_path = write_csv(tmp_path / "ok.csv", HEADER, good_rows())
    before = snap(db)
    holder = subprocess.Popen(
        [sys.executable, "-c",
         "import duckdb, sys, time; c = duckdb.connect(sys.argv[1]); "
         "print('ready', flush=True); time.sleep(30)", db],
        stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "ready"
        with pytest.raises(gaplens.StoreError) as info:
            gaplens.ingest_csv(csv_path, db=db)
        text = str(info.value)
        assert "\n" not in text
        assert "locked" in text
        assert db in text
    finally:
        holder.kill()
        holder.wait()
        holder.stdout.close()
    assert snap(db) == before
