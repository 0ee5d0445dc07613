"""Fuzz test of every ingest path: hostile edits of real-format files.

Each format starts from a file in its real layout (tests/fixtures/sources/, the bundled data
trimmed); hypothesis applies a few hostile edits (control characters, look-alike letters,
huge, negative and non-finite numbers, odd dates, duplicated and renamed columns, cut-off
files, deep JSON, BOMs, wrong types) and ingests the result into a private warehouse copy
through the API. Every outcome must be one of:

- a refusal: a :class:`~gaplens.errors.GaplensError` whose text is one line, and the
  warehouse checksum (``conftest.snapshot``) unchanged;
- an acceptance of valid data: everything in the warehouse still satisfies the invariants
  of docs/validation.md (normalised names of at most 200 characters, dates from 2015 to
  today, finite values in their ranges, no two models whose names differ only by
  look-alike characters unless they did before).

Anything else (a traceback, or bad data accepted) fails. The example count is bounded for
CI (``GAPLENS_FUZZ_EXAMPLES``, default 2 per format: about half a minute)
and the runs are derandomised.
``GAPLENS_FUZZ_STATS=FILE`` writes the outcome counts per format and edit class (the
figures of docs/validation.md); ``GAPLENS_FUZZ_KEEP_GOING=1`` counts failures instead of
stopping at the first.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import os
import shutil
import subprocess
import sys
from collections import Counter

import duckdb
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from conftest import snapshot
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import gaplens
from gaplens import api
from gaplens.errors import GaplensError
from gaplens.ingest.aliases import bundled_aliases
from gaplens.ingest.registry import ReadContext, source
from gaplens.ingest.taxonomy import bundled_taxonomy
from gaplens.ingest.validate import EARLIEST, MAX_NAME, _signal_range, clean_text, fold_key

HERE = os.path.dirname(__file__)
FIXTURES = os.path.join(HERE, "fixtures", "sources")
DATA = os.path.join(os.path.dirname(HERE), "src", "gaplens", "data")
EXAMPLES = int(os.environ.get("GAPLENS_FUZZ_EXAMPLES", "2"))
KEEP_GOING = os.environ.get("GAPLENS_FUZZ_KEEP_GOING") == "1"
STATS: Counter = Counter()

HOSTILE_TEXT = [
    "\x00", "a\rb", "x\ny", "\x1b[2J", "\x07", "\u202eevil", "GPT\u20114o", "GPT-4\u043e",
    "\u200bGPT-4o", "\uff27\uff30\uff34\uff0d\uff14\uff4f", "\ufeffname", "Caf\u0065\u0301",
    "N" * 201, "", " ", "[/]", "=1+1", "<script>x</script>", "true", "null", "{}", "1,5",
    "\u2060", "\u00ad", "\t",
]
HOSTILE_NUMBERS = ["-1", "-5000", "0", "1e308", "-1e308", "NaN", "inf", "-inf", "99999",
                   "1e400", "0.5", "7", "-0.0001", "12x", "1_000"]
HOSTILE_DATES = ["0001-01-01", "1000-06-01", "9999-12-31", "2014-12-31", "2026-02-30",
                 "2026-03-17T23:30:00-05:00", "2025-06-01T00:30:00+14:00", "03/04/2024",
                 "2025-13-01", "2099-01-01", "2025-06-01"]
HOSTILE = HOSTILE_TEXT + HOSTILE_NUMBERS + HOSTILE_DATES
JSON_VALUES = [float("nan"), float("inf"), -5000, -1, 0, 1e308, 10 ** 30, True, None, {}, [],
               [1, 2], "x", ""] + HOSTILE_TEXT + HOSTILE_DATES


# -- the formats ---------------------------------------------------------------------------------

def _trim_csv(src: str, dst: str, rows: int, pick=None) -> None:
    with open(src, newline="", encoding="utf-8-sig") as handle:
        records = list(csv.reader(handle))
    body = records[1:]
    if pick is not None:
        body = [r for r in body if pick(records[0], r)]
    with open(dst, "w", newline="", encoding="utf-8") as handle:
        csv.writer(handle).writerows([records[0]] + body[:rows])


def _registered(name: str):
    def ingest(path: str, db: str):
        with gaplens.open_warehouse(db, write=True) as warehouse:
            ctx = ReadContext(models=warehouse.models(), aliases=bundled_aliases(),
                              taxonomy=bundled_taxonomy(), retrieved_on=dt.date(2026, 11, 28))
            return warehouse.ingest(source(name).read(path, ctx))
    return ingest


def _tidy(tmp):
    path = os.path.join(tmp, "tidy.csv")
    with open(path, "w", newline="", encoding="utf-8") as handle:
        w = csv.writer(handle)
        w.writerow(["model", "benchmark", "score", "release_date", "accessibility",
                    "organization", "country", "model_version", "setting", "stderr"])
        w.writerow(["FuzzBot-1", "GPQA diamond", "0.5", "2025-01-01", "API access", "Lab",
                    "USA", "fuzzbot-1-a", "", "0.01"])
        w.writerow(["FuzzBot-2", "GPQA diamond", "0.6", "2025-02-01",
                    "Open weights (unrestricted)", "Lab", "USA", "", "", ""])
        w.writerow(["GPT-4o", "MATH level 5", "0.7", "2024-05-13", "API access", "OpenAI",
                    "", "fuzz-gpt-4o", "fuzz", ""])
    return path, path, lambda p, db: gaplens.ingest_csv(p, db=db)


def _epoch(tmp):
    folder = os.path.join(tmp, "epoch")
    os.makedirs(folder)
    src = os.path.join(DATA, "epoch_benchmarking_hub")
    _trim_csv(os.path.join(src, "epoch_capabilities_index.csv"),
              os.path.join(folder, "epoch_capabilities_index.csv"), 400)
    _trim_csv(os.path.join(src, "gpqa_diamond.csv"), os.path.join(folder, "gpqa_diamond.csv"), 8)
    target = os.path.join(folder, "gpqa_diamond.csv")
    return folder, target, lambda p, db: gaplens.ingest_epoch(p, db=db)


def _epoch_eci(tmp):
    folder, _, ingest = _epoch(tmp)
    target = os.path.join(folder, "epoch_capabilities_index.csv")
    _trim_csv(target, target, 12)
    os.remove(os.path.join(folder, "gpqa_diamond.csv"))
    return folder, target, ingest


def _aa_json(tmp):
    folder = os.path.join(tmp, "2026-11-28")
    os.makedirs(folder)
    path = shutil.copy(os.path.join(FIXTURES, "aa", "language_models_free.json"), folder)
    return path, path, lambda p, db: api.ingest_aa(p, db=db)


def _aa_legacy_json(tmp):
    folder = os.path.join(tmp, "2026-11-28")
    os.makedirs(folder)
    path = shutil.copy(os.path.join(FIXTURES, "aa", "llms_models.json"), folder)
    return path, path, lambda p, db: api.ingest_aa(p, db=db)


def _aa_csv(tmp):
    path = os.path.join(tmp, "aa.csv")
    _trim_csv(os.path.join(DATA, "artificial_analysis", "aa_llms_weekly_flat.csv"), path, 6)
    return path, path, lambda p, db: api.ingest_aa(p, db=db)


def _lmarena_csv(tmp):
    path = os.path.join(tmp, "history.csv")
    _trim_csv(os.path.join(DATA, "lmarena", "lmarena_text_leaderboard_history.csv"), path, 8)
    return path, path, lambda p, db: api.ingest_lmarena(p, db=db)


def _lmarena_parquet(tmp):
    folder = os.path.join(tmp, "lmarena")
    os.makedirs(folder)
    target = shutil.copy(os.path.join(FIXTURES, "lmarena", "text-latest.csv"),
                         os.path.join(tmp, "text-latest.csv"))
    return folder, target, _ingest_parquet


def _ingest_parquet(folder: str, db: str):
    """Write the (edited) CSV as the dataset's parquet, typed when the values allow it."""
    text = os.path.join(os.path.dirname(folder), "text-latest.csv")
    try:
        frame = pd.read_csv(text, dtype=str, keep_default_na=False)
    except Exception:
        return None  # not a CSV pandas reads: nothing to write as parquet
    out = os.path.join(folder, "text-latest.parquet")
    try:
        typed = frame.copy()
        for c in ("rating", "rating_lower", "rating_upper", "variance"):
            typed[c] = typed[c].astype(float)
        for c in ("vote_count", "rank"):
            typed[c] = typed[c].astype("Int64")
        table = pa.Table.from_pandas(typed, preserve_index=False)
    except Exception:
        table = pa.Table.from_pandas(frame, preserve_index=False)
    pq.write_table(table, out)
    return _registered("lmarena")(folder, db)


def _openrouter_csv(tmp):
    path = os.path.join(tmp, "openrouter.csv")
    _trim_csv(os.path.join(DATA, "openrouter", "openrouter_weekly_top_models.csv"), path, 8)
    return path, path, lambda p, db: api.ingest_openrouter(p, db=db)


def _openrouter_weekly(tmp):
    folder = os.path.join(tmp, "weekly")
    os.makedirs(folder)
    target = os.path.join(folder, "2025-02-16.json")
    with open(target, "w") as handle:
        json.dump({"date": "2025-02-16", "models": [
            {"rank": 1, "slug": "openai/gpt-4o", "name": "OpenAI: GPT-4o",
             "total_tokens": 100, "is_free": False},
            {"rank": 2, "slug": "qwen/qwen3-32b", "name": "Qwen: Qwen3 32B",
             "total_tokens": 50, "is_free": False}]}, handle)
    return folder, target, lambda p, db: api.ingest_openrouter(p, db=db)


def _openrouter_daily(tmp):
    path = shutil.copy(os.path.join(FIXTURES, "openrouter", "rankings_daily.json"), tmp)
    return path, path, _registered("openrouter")


def _openrouter_catalogue(tmp):
    from gaplens.ingest.openrouter_api import CATALOGUE_SOURCE

    path = shutil.copy(os.path.join(FIXTURES, "openrouter", "models.json"), tmp)
    return path, path, _registered(CATALOGUE_SOURCE)


def _livebench(name):
    def build(tmp):
        folder = shutil.copytree(os.path.join(FIXTURES, "livebench"), os.path.join(tmp, "lb"))
        return folder, os.path.join(folder, name), lambda p, db: api.ingest_livebench(p, db=db)
    return build


def _arcprize(name):
    def build(tmp):
        folder = shutil.copytree(os.path.join(FIXTURES, "arcprize"), os.path.join(tmp, "arc"))
        return folder, os.path.join(folder, name), _registered("arcprize")
    return build


def _weirdml(tmp):
    path = shutil.copy(os.path.join(FIXTURES, "weirdml", "weirdml_data.csv"), tmp)
    return path, path, _registered("weirdml")


def _inspect(tmp):
    bench = os.path.join(tmp, "benchmarks.csv")
    with open(bench, "w") as handle:
        handle.write("benchmark,domain,random_baseline,ceiling,test_set,label\n"
                     "fuzz_qa,private_evals,0.25,1,private,Private evals\n")
    created = "2025-06-01T10:00:00+00:00"
    doc = {"version": 2, "status": "success",
           "eval": {"run_id": "r1", "created": created, "task": "fuzz_qa", "task_id": "t1",
                    "task_version": 0, "dataset": {"name": "fuzz_qa", "samples": 100},
                    "model": "openai/GPT-4o", "config": {}},
           "plan": {"name": "plan", "steps": [{"solver": "generate", "params": {}}]},
           "results": {"total_samples": 100, "completed_samples": 100, "scores": [
               {"name": "choice", "scorer": "choice", "params": {}, "metrics": {
                   "accuracy": {"name": "accuracy", "value": 0.8, "options": {}},
                   "stderr": {"name": "stderr", "value": 0.02, "options": {}}}}]},
           "stats": {"started_at": created, "completed_at": created, "model_usage": {}},
           "samples": []}
    path = os.path.join(tmp, "log.json")
    with open(path, "w") as handle:
        json.dump(doc, handle)
    return path, path, lambda p, db: api.ingest_inspect(p, db=db, benchmarks=bench)


def _overrides(tmp):
    path = os.path.join(tmp, "overrides.csv")
    _trim_csv(os.path.join(DATA, "accessibility_overrides.csv"), path, 4)
    return path, path, lambda p, db: api.ingest_overrides(p, db=db)


def _aliases(tmp):
    folder = shutil.copytree(os.path.join(FIXTURES, "livebench"), os.path.join(tmp, "lb"))
    path = os.path.join(tmp, "aliases.csv")
    with open(path, "w") as handle:
        handle.write("source,name,model_id,note\nlivebench,gpt-4o-2024-11-20,GPT-4o,fuzz\n"
                     "*,fuzz-name,GPT-4o,\n")
    return folder, path, lambda p, db: api.ingest_livebench(p, db=db, aliases=path)


FORMATS = {
    "tidy_csv": _tidy, "epoch_results": _epoch, "epoch_eci": _epoch_eci,
    "aa_json": _aa_json, "aa_legacy_json": _aa_legacy_json, "aa_csv": _aa_csv,
    "lmarena_csv": _lmarena_csv, "lmarena_parquet": _lmarena_parquet,
    "openrouter_csv": _openrouter_csv, "openrouter_weekly_json": _openrouter_weekly,
    "openrouter_daily_json": _openrouter_daily, "openrouter_catalogue": _openrouter_catalogue,
    "livebench_table": _livebench("table_2026_01_08.csv"),
    "livebench_categories": _livebench("categories_2026_01_08.json"),
    "arcprize_evaluations": _arcprize("evaluations.json"),
    "arcprize_models": _arcprize("models.json"),
    "weirdml_csv": _weirdml, "inspect_json": _inspect, "overrides": _overrides,
    "aliases": _aliases,
}


# -- the edits -----------------------------------------------------------------------------------

@st.composite
def csv_edit(draw):
    kind = draw(st.sampled_from(["cell", "cell", "cell", "splice", "dup_column",
                                 "rename_column", "drop_column", "truncate", "bom",
                                 "huge_cell", "extra_cells", "blank_header"]))
    return (kind, draw(st.integers(0, 10 ** 6)), draw(st.integers(0, 10 ** 6)),
            draw(st.sampled_from(HOSTILE)), draw(st.booleans()))


@st.composite
def json_edit(draw):
    kind = draw(st.sampled_from(["value", "value", "value", "splice", "delete", "deep",
                                 "truncate", "bom", "huge_string", "wrong_root"]))
    path = draw(st.lists(st.integers(0, 10 ** 6), min_size=1, max_size=6))
    return (kind, path, draw(st.sampled_from(JSON_VALUES)), draw(st.integers(0, 10 ** 6)))


def edit_csv(data: bytes, edits) -> tuple[bytes, list[str]]:
    text = data.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    classes, tail = [], b""
    for kind, a, b, value, flag in edits:
        classes.append(kind)
        header, body = rows[0], rows[1:]
        if kind == "cell" and body:
            row = body[a % len(body)]
            if row:
                row[b % len(row)] = value
        elif kind == "splice" and body:
            row = body[a % len(body)]
            if row:
                cell = row[b % len(row)]
                cut = a % (len(cell) + 1)
                row[b % len(row)] = cell[:cut] + value[:3] + cell[cut:]
        elif kind == "dup_column" and header:
            c = a % len(header)
            name = header[c].upper() if flag else header[c]
            rows = [r + [name if i == 0 else (r[c] if c < len(r) else "")]
                    for i, r in enumerate(rows)]
        elif kind == "rename_column" and header:
            header[a % len(header)] = value
        elif kind == "drop_column" and header:
            c = a % len(header)
            rows = [r[:c] + r[c + 1:] for r in rows]
        elif kind == "extra_cells" and body:
            body[a % len(body)].extend([value] * (1 + b % 3))
        elif kind == "blank_header" and header:
            header[a % len(header)] = ""
        elif kind == "huge_cell" and body:
            row = body[a % len(body)]
            if row:
                row[b % len(row)] = "Z" * ((1 << 20) + 17 if flag else 5000)
        elif kind in ("truncate", "bom"):
            pass
    out = io.StringIO()
    csv.writer(out).writerows(rows)
    raw = out.getvalue().encode("utf-8") + tail
    for kind, a, _, _, _ in edits:
        if kind == "truncate":
            raw = raw[: a % (len(raw) + 1)]
        elif kind == "bom":
            raw = b"\xef\xbb\xbf" + raw
    return raw, classes


def _walk(doc, path):
    """The container and key that ``path`` (indices taken modulo) leads to."""
    parent, key = None, None
    node = doc
    for step in path:
        if isinstance(node, dict) and node:
            keys = list(node)
            parent, key = node, keys[step % len(keys)]
        elif isinstance(node, list) and node:
            parent, key = node, step % len(node)
        else:
            break
        node = parent[key]
    return parent, key


def edit_json(data: bytes, edits) -> tuple[bytes, list[str]]:
    doc = json.loads(data.decode("utf-8-sig"))
    classes, raw_edits = [], []
    for kind, path, value, n in edits:
        classes.append(kind)
        parent, key = _walk(doc, path)
        if kind == "value" and parent is not None:
            parent[key] = value
        elif kind == "splice" and parent is not None and isinstance(parent[key], str):
            s = parent[key]
            cut = n % (len(s) + 1)
            parent[key] = s[:cut] + str(value)[:3] + s[cut:]
        elif kind == "delete" and parent is not None:
            del parent[key]
        elif kind == "huge_string" and parent is not None:
            parent[key] = "Z" * ((1 << 20) + 5 if n % 2 else 3000)
        elif kind == "wrong_root":
            doc = [doc] if n % 2 else "text"
        else:
            raw_edits.append((kind, path, n))
    raw = json.dumps(doc).encode("utf-8")
    for kind, path, n in raw_edits:
        if kind == "deep":
            depth = 100 + n % 100_000
            raw = json.dumps({"deep": "__DEEP__", "doc": doc}).encode().replace(
                b'"__DEEP__"', b"[" * depth + b"]" * depth)
        elif kind == "truncate":
            raw = raw[: n % (len(raw) + 1)]
        elif kind == "bom":
            raw = b"\xef\xbb\xbf" + raw
    return raw, classes


# -- the invariants ------------------------------------------------------------------------------

def _collisions(con) -> set[frozenset]:
    models = con.execute("SELECT model_id, display_name FROM models").fetchdf()
    groups: dict[str, set] = {}
    for model_id, name in zip(models["model_id"], models["display_name"]):
        for value in (model_id, name):
            if isinstance(value, str):
                groups.setdefault(fold_key(value), set()).add(model_id)
    return {frozenset(g) for g in groups.values() if len(g) > 1}


def violations(db: str, twins_before: set) -> list[str]:
    """What in the warehouse breaks the rules of docs/validation.md."""
    today = pd.Timestamp(dt.date.today())
    low = pd.Timestamp(EARLIEST)
    found = []
    con = duckdb.connect(db, read_only=True)
    try:
        for table, columns in (("models", ["model_id", "display_name", "organization",
                                           "country"]),
                               ("model_versions", ["version_id", "model_id", "display_name"]),
                               ("results", ["version_id", "benchmark"]),
                               ("signals", ["model_id"])):
            for column in columns:
                values = con.execute(f"SELECT DISTINCT {column} FROM {table}").fetchdf()[column]
                for v in values.dropna():
                    try:
                        ok = clean_text(v, "") == v and len(v) <= MAX_NAME
                    except GaplensError:
                        ok = False
                    if not ok:
                        found.append(f"{table}.{column} {v[:40]!r}")
        for table in ("models", "model_versions"):
            dates = pd.to_datetime(con.execute(
                f"SELECT release_date FROM {table}").fetchdf()["release_date"]).dropna()
            if ((dates < low) | (dates > today)).any():
                found.append(f"{table}.release_date {dates.min()}..{dates.max()}")
        bad = con.execute(
            "SELECT count(*) FROM results WHERE NOT isfinite(raw_score) OR score < 0 "
            "OR score > 1 OR stderr < 0 OR NOT isfinite(coalesce(stderr, 0))").fetchone()[0]
        if bad:
            found.append(f"{bad} results out of range")
        signals = con.execute("SELECT signal, value, as_of FROM signals").fetchdf()
        if not signals["value"].map(lambda x: pd.isna(x) or abs(x) < float("inf")).all():
            found.append("a signal is not finite")
        stamps = pd.to_datetime(signals["as_of"])
        if ((stamps < low) | (stamps > today)).any():
            found.append("a signal date out of range")
        for name, group in signals.groupby("signal"):
            lo, hi = _signal_range(name)
            if (lo is not None and (group["value"] < lo).any()) or (
                    hi is not None and (group["value"] > hi).any()):
                found.append(f"signal {name} out of range")
        new_twins = _collisions(con) - twins_before
        if new_twins:
            found.append(f"look-alike twins {sorted(map(sorted, new_twins))[:2]}")
    finally:
        con.close()
    return found


# -- the test ------------------------------------------------------------------------------------

@pytest.fixture(scope="module", autouse=True)
def _write_stats():
    yield
    out = os.environ.get("GAPLENS_FUZZ_STATS")
    if out:
        with open(out, "w") as handle:
            json.dump({"|".join(k): v for k, v in sorted(STATS.items())}, handle, indent=1)


@pytest.fixture(scope="module")
def twins_before(bundled_db):
    con = duckdb.connect(bundled_db, read_only=True)
    try:
        return _collisions(con)
    finally:
        con.close()


def _outcome(fmt: str, classes: list[str], outcome: str) -> None:
    for c in set(classes) or {"none"}:
        STATS[(fmt, c, outcome)] += 1
    STATS[(fmt, "*", outcome)] += 1


@pytest.mark.parametrize("fmt", sorted(FORMATS))
def test_fuzz_ingest(fmt, db, tmp_path, twins_before):
    build = FORMATS[fmt]
    counter = [0]

    @settings(max_examples=EXAMPLES, derandomize=True, database=None, deadline=None,
              suppress_health_check=[HealthCheck.function_scoped_fixture,
                                     HealthCheck.too_slow, HealthCheck.data_too_large])
    @given(edits=st.data())
    def run(edits):
        counter[0] += 1
        work = tmp_path / f"ex{counter[0]}"
        work.mkdir()
        path, target, ingest = build(str(work))
        with open(target, "rb") as handle:
            original = handle.read()
        is_json = target.endswith(".json")
        strategy = json_edit() if is_json else csv_edit()
        chosen = edits.draw(st.lists(strategy, min_size=1, max_size=3), label="edits")
        raw, classes = (edit_json if is_json else edit_csv)(original, chosen)
        with open(target, "wb") as handle:
            handle.write(raw)
        before = snapshot(db)
        try:
            result = ingest(path, db)
        except GaplensError as exc:
            text = str(exc)
            if "\n" in text or "\r" in text or snapshot(db) != before:
                _outcome(fmt, classes, "bad refusal")
                assert KEEP_GOING, f"not one line or warehouse changed: {text!r}"
            else:
                _outcome(fmt, classes, "refused")
            return
        except Exception as exc:
            _outcome(fmt, classes, "traceback")
            if not KEEP_GOING:
                raise
            print(f"traceback [{fmt}] {type(exc).__name__}: {str(exc)[:200]}")
            return
        if result is None:
            _outcome(fmt, classes, "not a file")
            return
        found = violations(db, twins_before)
        if found:
            _outcome(fmt, classes, "bad accepted")
            if not KEEP_GOING:
                raise AssertionError(f"accepted bad data: {found[:3]} after {chosen!r}"[:500])
            print(f"bad accepted [{fmt}] {found[:3]}")
            shutil.copyfile(before_db, db)
        else:
            _outcome(fmt, classes, "accepted")

    before_db = str(tmp_path / "start.duckdb")
    shutil.copyfile(db, before_db)
    run()


# -- the command line: a handful of cases --------------------------------------------------------

CLI_CASES = {
    "nul in a name": ("csv", "model,benchmark,score,release_date,accessibility\n"
                             "\"a\x00b\",GPQA diamond,0.5,2025-01-01,API access\n"),
    "ancient date": ("csv", "model,benchmark,score,release_date,accessibility\n"
                            "a,GPQA diamond,0.5,1000-06-01,API access\n"),
    "duplicated column": ("csv", "model,benchmark,score,release_date,accessibility,Score\n"
                                 "a,GPQA diamond,0.5,2025-01-01,API access,0.9\n"),
    "negative stderr": ("csv", "model,benchmark,score,release_date,accessibility,stderr\n"
                               "a,GPQA diamond,0.5,2025-01-01,API access,-1\n"),
    "deep json": ("aa", "[" * 100_000 + "]" * 100_000),
}


@pytest.mark.parametrize("case", sorted(CLI_CASES))
def test_cli_refusals_are_one_line_with_exit_code_2(case, db, tmp_path):
    command, body = CLI_CASES[case]
    path = tmp_path / ("in.json" if command == "aa" else "in.csv")
    path.write_bytes(body.encode("utf-8"))
    before = snapshot(db)
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path), "COLUMNS": "80"}
    out = subprocess.run([sys.executable, "-m", "gaplens", "ingest", command, str(path),
                          "--db", db], capture_output=True, text=True, env=env, timeout=120)
    assert out.returncode == 2, out
    lines = out.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), out.stderr
    assert "Traceback" not in out.stderr
    assert snapshot(db) == before
