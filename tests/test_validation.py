"""What gets in (ingest/validate.py): the reproductions of the hardening issue, one test each.

Every refusal is one line naming the file (and row and field where there is one), and
leaves the warehouse as it was (``unchanged``).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import unicodedata

import duckdb
import pandas as pd
import pytest

import gaplens
from gaplens import api
from gaplens.ingest.aliases import bundled_aliases, read_aliases, resolve
from gaplens.ingest.validate import (
    MAX_FIELD_BYTES,
    MAX_NAME,
    clean_text,
    fold_key,
    load_json,
)

FIXTURES = os.path.join(os.path.dirname(__file__), "fixtures", "sources")
HEADER = "model,benchmark,score,release_date,accessibility,organization,setting,stderr"
API = "API access"


@pytest.fixture
def unchanged(db, snap):
    before = snap(db)
    yield db
    assert snap(db) == before


def one_line(exc: BaseException, *words: str) -> str:
    text = str(exc)
    assert "\n" not in text and "\r" not in text, repr(text)
    for word in words:
        assert word.lower() in text.lower(), text
    return text


def tidy(tmp_path, rows: list[str], header: str = HEADER, name: str = "in.csv") -> str:
    path = tmp_path / name
    path.write_bytes((header + "\n" + "\n".join(rows) + "\n").encode("utf-8"))
    return str(path)


def refused(path: str, db: str, *words: str, ingest=gaplens.ingest_csv) -> str:
    with pytest.raises(gaplens.InputError) as info:
        ingest(path, db=db)
    return one_line(info.value, path, *words)


def models_of(db: str) -> pd.DataFrame:
    con = duckdb.connect(db, read_only=True)
    try:
        return con.execute("SELECT model_id, display_name, release_date FROM models").fetchdf()
    finally:
        con.close()


# -- names -----------------------------------------------------------------------------------

#: Spellings of GPT-4o that looked new: zero-width space, U+2010, U+2011, Cyrillic o,
#: fullwidth forms, WORD JOINER, BOM, Greek omicron, soft hyphen, and a non-breaking space.
LOOKALIKES = ["GPT-\u200b4o", "GPT\u20104o", "GPT\u20114o", "GPT-4\u043e",
              "\uff27\uff30\uff34\uff0d\uff14\uff4f", "GPT-\u20604o", "\ufeffGPT-4o",
              "GPT-4\u03bf", "GPT-\u00ad4o", "GPT-4o\u00a0"]


def test_lookalike_names_join_the_existing_model(tmp_path, db):
    before = models_of(db)
    rows = [f'"{name}",GPQA diamond,0.5,2024-05-13,{API},OpenAI,s{i},'
            for i, name in enumerate(LOOKALIKES)]
    report = gaplens.ingest_csv(tidy(tmp_path, rows), db=db)
    after = models_of(db)
    assert len(after) == len(before)  # no twin
    assert report.counts["results"].added == len(LOOKALIKES)
    folded = report.matches.loc[report.matches["how"] == "folded"]
    # the invisible characters are removed (an exact match); the look-alikes are reported
    assert sorted(folded["name"]) == sorted(
        clean_text(n, "") for n in LOOKALIKES if clean_text(n, "").lower() != "gpt-4o")
    assert set(folded["model_id"]) == {"GPT-4o"}
    assert len(folded) == 5


def test_nfc_and_nfd_spellings_are_one_model(tmp_path, db):
    nfc = unicodedata.normalize("NFC", "Caf\u00e9 Model")
    nfd = unicodedata.normalize("NFD", nfc)
    assert nfc != nfd
    rows = [f"{nfc},GPQA diamond,0.5,2025-01-01,{API},Lab,a,",
            f"{nfd},GPQA diamond,0.6,2025-01-01,{API},Lab,b,"]
    gaplens.ingest_csv(tidy(tmp_path, rows), db=db)
    names = models_of(db)["model_id"]
    assert (names == nfc).sum() == 1 and (names == nfd).sum() == 0


def test_new_lookalikes_in_one_file_are_one_model(tmp_path, db):
    rows = [f"Zeta-1,GPQA diamond,0.5,2025-01-01,{API},Lab,a,",
            f"Z\u0435ta\u20111,GPQA diamond,0.6,2025-01-01,{API},Lab,b,"]
    report = gaplens.ingest_csv(tidy(tmp_path, rows), db=db)
    assert (models_of(db)["model_id"].map(fold_key) == "zeta-1").sum() == 1
    assert list(report.matches["how"]) == ["folded"]


def test_a_publisher_lookalike_is_folded_not_new():
    models = pd.DataFrame({"model_id": ["GPT-4o", "Twin A", "Twin B"],
                           "display_name": ["GPT-4o", "Twin", "Tw\u0456n"]})
    table = resolve(["GPT\u20114\u043e", "TW\u0399N", "Brand-new"], "lmarena", models,
                    bundled_aliases().iloc[:0], can_create={"Brand-new"}).table.set_index("name")
    assert table.loc["GPT\u20114\u043e", "how"] == "folded"
    assert table.loc["GPT\u20114\u043e", "model_id"] == "GPT-4o"
    assert "GPT-4o" in table.loc["GPT\u20114\u043e", "candidates"]
    assert table.loc["TW\u0399N", "how"] == "ambiguous"  # looks like two models: not stored
    assert table.loc["TW\u0399N", "candidates"] == "Twin A, Twin B"
    assert table.loc["Brand-new", "how"] == "new"


@pytest.mark.parametrize("char", ["\x00", "\r", "\n", "\x1b", "\u202e"])
def test_control_characters_inside_names_are_refused(tmp_path, unchanged, char):
    path = tidy(tmp_path, [f'"Bad{char}Bot",GPQA diamond,0.5,2025-01-01,{API},Lab,,'])
    text = refused(path, unchanged, "row 2", "'model'", "control character")
    assert f"U+{ord(char):04X}" in text


def test_a_trailing_line_break_is_whitespace():
    assert clean_text("GPT-5.3 Codex\n", "f") == "GPT-5.3 Codex"  # as Epoch's file has it
    assert clean_text("  a \t b  ", "f") == "a b"


def test_name_length_limit(tmp_path, db, snap):
    ok = "N" * MAX_NAME
    gaplens.ingest_csv(tidy(tmp_path, [f"{ok},GPQA diamond,0.5,2025-01-01,{API},Lab,,"]), db=db)
    assert ok in set(models_of(db)["model_id"])
    before = snap(db)
    path = tidy(tmp_path, [f"{ok}N,GPQA diamond,0.5,2025-01-01,{API},Lab,,"], name="long.csv")
    refused(path, db, "row 2", "'model'", f"at most {MAX_NAME}")
    assert snap(db) == before


# -- dates and values --------------------------------------------------------------------------

@pytest.mark.parametrize("date", ["0001-01-01", "1000-06-01", "2014-12-31"])
def test_implausible_release_dates_are_refused(tmp_path, unchanged, date):
    path = tidy(tmp_path, [f"OldBot,GPQA diamond,0.5,{date},{API},Lab,,"])
    refused(path, unchanged, "row 2", "'release_date'")


def test_a_timestamp_is_the_date_in_its_own_zone(tmp_path, db):
    rows = [f"ZoneBot,GPQA diamond,0.5,2026-03-17T23:30:00-05:00,{API},Lab,,",
            f"ZoneBot2,GPQA diamond,0.5,2026-03-17T00:30:00+09:00,{API},Lab,,"]
    gaplens.ingest_csv(tidy(tmp_path, rows), db=db)
    dates = models_of(db).set_index("model_id")["release_date"]
    assert str(dates["ZoneBot"])[:10] == "2026-03-17"
    assert str(dates["ZoneBot2"])[:10] == "2026-03-17"


def test_a_negative_standard_error_is_refused(tmp_path, unchanged):
    path = tidy(tmp_path, [f"SeBot,GPQA diamond,0.5,2025-01-01,{API},Lab,,-0.01"])
    refused(path, unchanged, "'stderr'", "-0.01")


LMARENA_HEADER = "leaderboard_version,rank,model,arena_score,95_pct_ci,votes,organization,license"


@pytest.mark.parametrize("row, field", [
    ("2026-04-19,1,m,-5000,+3/-3,100,Org,Proprietary", "value"),
    ("2026-04-19,1,m,1200,+3/-3,-100,Org,Proprietary", "value"),
    ("2026-04-19,0,m,1200,+3/-3,100,Org,Proprietary", "value"),
    ("2026-04-19,-3,m,1200,+3/-3,100,Org,Proprietary", "value"),
    ("2026-04-19,1,m,99999,+3/-3,100,Org,Proprietary", "value"),
    ("1000-06-01,1,m,1200,+3/-3,100,Org,Proprietary", "leaderboard_version"),
])
def test_lmarena_values_out_of_range_are_refused(tmp_path, unchanged, row, field):
    path = tmp_path / "history.csv"
    path.write_text(LMARENA_HEADER + "\n" + row + "\n")
    text = refused(str(path), unchanged, "row 2", ingest=api.ingest_lmarena)
    assert f"'{field}'" in text


@pytest.mark.parametrize("header", [
    "model,benchmark,score,release_date,accessibility,score",
    "model,benchmark,score,release_date,accessibility,Score",
    "model,benchmark,SCORE,release_date,accessibility, score ",
])
def test_duplicated_header_columns_are_refused(tmp_path, unchanged, header):
    path = tidy(tmp_path, [f"DupBot,GPQA diamond,0.5,2025-01-01,{API},0.9"], header=header)
    refused(path, unchanged, "appears twice", "score")


def test_an_alias_with_an_unknown_source_is_refused(tmp_path):
    path = tmp_path / "aliases.csv"
    path.write_text("source,name,model_id,note\nlmarena,a,GPT-4o,\nlmareena,b,GPT-4o,\n")
    with pytest.raises(gaplens.InputError) as info:
        read_aliases(str(path))
    text = one_line(info.value, "row 3", "'source'", "lmareena", "known:")
    for name in ("epoch", "aa", "lmarena", "openrouter", "livebench", "arcprize", "weirdml",
                 "csv", "inspect", "*"):
        assert name in text


def test_an_alias_file_on_the_command_line_with_an_unknown_source(tmp_path, unchanged):
    aliases = tmp_path / "aliases.csv"
    aliases.write_text("source,name,model_id,note\nopenrouterr,x,GPT-4o,\n")
    with pytest.raises(gaplens.InputError) as info:
        api.ingest_livebench(os.path.join(FIXTURES, "livebench"), db=unchanged,
                                 aliases=str(aliases))
    one_line(info.value, "openrouterr")


# -- JSON ----------------------------------------------------------------------------------------

DEEP = "[" * 100_000 + "]" * 100_000


def _ingest_registered(name: str, path: str, db: str):
    from gaplens.ingest.registry import ReadContext, source
    from gaplens.ingest.taxonomy import bundled_taxonomy

    with gaplens.open_warehouse(db, write=True) as warehouse:
        ctx = ReadContext(models=warehouse.models(), aliases=bundled_aliases(),
                          taxonomy=bundled_taxonomy(), retrieved_on=None)
        return warehouse.ingest(source(name).read(path, ctx))


def _copy_folder(tmp_path, name: str) -> str:
    target = tmp_path / name
    shutil.copytree(os.path.join(FIXTURES, name), target)
    return str(target)


def _deep_cases(tmp_path):
    """(label, path of the deep file, ingest(db)) for every JSON path."""
    cases = []
    aa = tmp_path / "aa.json"
    aa.write_text(DEEP)
    cases.append(("aa", str(aa), lambda db: api.ingest_aa(str(aa), db=db)))
    weekly = tmp_path / "weekly"
    weekly.mkdir()
    (weekly / "2025-02-16.json").write_text(DEEP)
    cases.append(("openrouter weekly", str(weekly / "2025-02-16.json"),
                  lambda db: api.ingest_openrouter(str(weekly), db=db)))
    rankings = tmp_path / "rankings_daily.json"
    rankings.write_text(DEEP)
    cases.append(("openrouter daily", str(rankings),
                  lambda db: _ingest_registered("openrouter", str(rankings), db)))
    catalogue = tmp_path / "models.json"
    catalogue.write_text(DEEP)
    from gaplens.ingest.openrouter_api import CATALOGUE_SOURCE

    cases.append(("openrouter catalogue", str(catalogue),
                  lambda db: _ingest_registered(CATALOGUE_SOURCE, str(catalogue), db)))
    arc = _copy_folder(tmp_path, "arcprize")
    with open(os.path.join(arc, "evaluations.json"), "w") as handle:
        handle.write(DEEP)
    cases.append(("arcprize", os.path.join(arc, "evaluations.json"),
                  lambda db: _ingest_registered("arcprize", arc, db)))
    live = _copy_folder(tmp_path, "livebench")
    with open(os.path.join(live, "categories_2026_01_08.json"), "w") as handle:
        handle.write(DEEP)
    cases.append(("livebench", os.path.join(live, "categories_2026_01_08.json"),
                  lambda db: api.ingest_livebench(live, db=db)))
    log = tmp_path / "log.json"
    log.write_text(DEEP)
    cases.append(("inspect", str(log), lambda db: api.ingest_inspect(str(log), db=db)))
    return cases


def test_deep_json_is_one_line_on_every_json_path(tmp_path, db, snap):
    before = snap(db)
    seen = []
    for label, path, ingest in _deep_cases(tmp_path):
        with pytest.raises(gaplens.InputError) as info:
            ingest(db)
        one_line(info.value, os.path.basename(path))
        assert "nest" in str(info.value), (label, str(info.value))
        seen.append(label)
    assert len(seen) == 7
    assert snap(db) == before


def test_json_nested_past_the_limit_but_parseable_is_refused(tmp_path):
    path = tmp_path / "d.json"
    path.write_text("[" * 70 + "]" * 70)
    with pytest.raises(gaplens.InputError) as info:
        load_json(str(path))
    one_line(info.value, "nested more than 64")


def test_a_bom_is_accepted_in_json_as_in_csv(tmp_path, bundled_db):
    plain = os.path.join(FIXTURES, "aa", "language_models_free.json")
    bom = tmp_path / "language_models_free.json"
    bom.write_bytes(b"\xef\xbb\xbf" + open(plain, "rb").read())
    assert load_json(str(bom)) == load_json(plain)
    counts = []
    for path in (plain, str(bom)):
        db = str(tmp_path / f"w{len(counts)}.duckdb")
        shutil.copyfile(bundled_db, db)
        counts.append(api.ingest_aa(path, db=db, as_of="2026-11-28").counts["signals"].added)
    assert counts[0] == counts[1] > 0


# -- size ------------------------------------------------------------------------------------

def test_a_huge_field_is_refused_before_parsing(tmp_path, unchanged):
    path = tmp_path / "huge.csv"
    with open(path, "w") as handle:
        handle.write(HEADER + "\n")
        handle.write("A" * (MAX_FIELD_BYTES * 3) + f",GPQA diamond,0.5,2025-01-01,{API},Lab,,\n")
    refused(str(path), unchanged, "field of 3.0 MiB", "at most 1 MiB")


def test_a_huge_quoted_field_with_commas_is_refused_after_parsing(tmp_path, unchanged):
    path = tmp_path / "commas.csv"
    name = ("A" * 1000 + ",") * 300
    path.write_text(HEADER + "\n" + f'"{name}",GPQA diamond,0.5,2025-01-01,{API},Lab,,\n')
    refused(str(path), unchanged, "row 2", "'model'", "characters long")


PEAK = """
import resource, sys
import gaplens
for path in sys.argv[1:3]:
    try:
        gaplens.ingest_csv(path, db=sys.argv[3])
    except gaplens.InputError as exc:
        print(str(exc))
    print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)
"""


def test_peak_memory_of_a_huge_field_is_bounded(tmp_path, db):
    """A 64 MiB cell is refused with a few MiB more than a small bad file (pandas took
    34 times the field's size before the limit)."""
    small = tidy(tmp_path, [f"x,GPQA diamond,0.5,0001-01-01,{API},Lab,,"], name="small.csv")
    path = tmp_path / "big.csv"
    with open(path, "w") as handle:
        handle.write(HEADER + "\n")
        for _ in range(64):
            handle.write("B" * (1 << 20))
        handle.write(f",GPQA diamond,0.5,2025-01-01,{API},Lab,,\n")
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    out = subprocess.run([sys.executable, "-c", PEAK, small, str(path), db],
                         capture_output=True, text=True, env=env, timeout=120)
    lines = out.stdout.strip().splitlines()
    assert len(lines) == 4, out
    assert "a field of 64.0 MiB" in lines[2], out
    baseline, peak = int(lines[1]), int(lines[3])  # KiB
    assert peak - baseline < 32 * 1024, (baseline, peak)


def test_json_bodies_are_size_checked(tmp_path):
    path = tmp_path / "big.json"
    path.write_text(json.dumps({"data": ["x" * (MAX_FIELD_BYTES + 10)]}))
    with pytest.raises(gaplens.InputError) as info:
        load_json(str(path))
    one_line(info.value, "per field")


def test_publisher_timestamps_keep_their_own_date():
    from gaplens.ingest._fields import parse_date
    from gaplens.ingest.arcprize import _release_date

    today = pd.Timestamp("2026-11-30").date()
    assert _release_date("2026-03-17T23:30:00-05:00", "f", 1, "d", today).date().isoformat() \
        == "2026-03-17"
    parsed = parse_date(pd.Series(["2026-03-17T23:30:00-05:00", "2026-03-17T00:10:00+09:00",
                                   "2026-03-17T12:00:00Z", "2026-03-17"]), "f", "d")
    assert {str(d)[:10] for d in parsed} == {"2026-03-17"}
    with pytest.raises(gaplens.InputError):
        parse_date(pd.Series(["2026-03-17T25:00:00-05:00"]), "f", "d")


def test_a_parquet_column_named_twice_is_refused(tmp_path):
    import pyarrow as pa
    import pyarrow.parquet as pq

    from gaplens.ingest.lmarena import read_parquet_text

    path = str(tmp_path / "text-latest.parquet")
    pq.write_table(pa.table([pa.array(["a"]), pa.array(["b"])], names=["rank", "Rank"]), path)
    with pytest.raises(gaplens.InputError) as info:
        read_parquet_text(path)
    one_line(info.value, "appears twice")


def test_a_json_key_given_twice_is_refused(tmp_path):
    path = tmp_path / "dup.json"
    path.write_text('{"data": [{"score": 1, "score": 2}]}')
    with pytest.raises(gaplens.InputError) as info:
        load_json(str(path))
    one_line(info.value, "'score' appears twice")


def test_a_row_with_more_fields_than_the_header_is_refused(tmp_path, unchanged):
    """pandas silently took the first column as an index and shifted every value left."""
    path = tidy(tmp_path, [f"ShiftBot,GPQA diamond,0.5,2025-01-01,{API},Lab,,,extra",
                           f"ShiftBot2,GPQA diamond,0.6,2025-01-01,{API},Lab,,"])
    refused(path, unchanged, "more fields than the header")
