"""Signal adapters: LMArena, OpenRouter and LiveBench.

Known answers on small constructed files, then one golden test per real file (skipped
when /work/shared/data is absent) that reads its numbers independently of the adapter.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import os
from collections import defaultdict

import pandas as pd
import pytest

from gaplens.errors import InputError
from gaplens.ingest.aliases import ALIAS_COLUMNS, bundled_aliases, read_aliases
from gaplens.ingest.livebench import read_livebench
from gaplens.ingest.lmarena import licence_access, read_lmarena
from gaplens.ingest.openrouter import read_openrouter
from gaplens.store.warehouse import Warehouse
from gaplens.types import Accessibility

DATA = "/work/shared/data"

MODELS = pd.DataFrame({
    "model_id": ["GPT-4o", "Claude Sonnet 4", "Qwen3-32B", "gpt-oss-120b"],
    "display_name": ["GPT-4o", "Claude Sonnet 4", "Qwen3-32B", "gpt-oss-120b"],
})


def write(path, text: str) -> str:
    with open(path, "w", encoding="utf-8") as handle:
        handle.write(text)
    return str(path)


def aliases(tmp_path, rows: list[tuple[str, str, str]]) -> pd.DataFrame:
    frame = pd.DataFrame([(s, n, m, "") for s, n, m in rows], columns=ALIAS_COLUMNS)
    if frame.empty:
        return pd.DataFrame(columns=ALIAS_COLUMNS + ["key"])
    path = tmp_path / "aliases.csv"
    frame.to_csv(path, index=False)
    return read_aliases(str(path))


def signal(batch, model: str, name: str, as_of: str) -> float:
    s = batch.signals
    hit = s.loc[(s["model_id"] == model) & (s["signal"] == name)
                & (pd.to_datetime(s["as_of"]) == pd.Timestamp(as_of)), "value"]
    assert len(hit) == 1, (model, name, as_of, len(hit))
    return float(hit.iloc[0])


# -- LMArena ---------------------------------------------------------------------------------

HISTORY = """leaderboard_version,rank,model,arena_score,95_pct_ci,votes,organization,license
2024-06-19,1,gpt-4o-2024-05-13,1287,+3/-3,42046,OpenAI,Proprietary
2024-06-19,2,ChatGPT-4o-latest (2024-08-08),1280,+5/-3,100,OpenAI,Proprietary
2024-06-19,3,Open-A,1200,+4/-6,900,Lab,Apache 2.0
2024-06-19,4,Open-B,1190,+4/-6,800,Lab,Apache-2.0
2024-06-19,5,Open-C,1180,+2/-2,700,Meta,Llama 3.1 Community
2024-06-19,6,Open-D,1170,+2/-2,600,Lab,CC-BY-NC-4.0
2024-06-19,7,Closed-E,1160,+2/-2,500,Lab,Propretary
2024-06-19,8,Mystery,1150,+2/-2,400,Lab,
2024-07-01,2,gpt-4o-2024-05-13,1290,+2/-4,50000,OpenAI,Proprietary
2024-07-01,1,Claude Sonnet 4,1300,10,20,Anthropic,Proprietary
"""


def test_lmarena_history_values_dates_ci_and_licences(tmp_path):
    path = write(tmp_path / "history.csv", HISTORY)
    table = aliases(tmp_path, [("lmarena", "GPT-4o-2024-05-13", "GPT-4o"),
                               ("lmarena", "ChatGPT-4o-latest (2024-08-08)", "GPT-4o")])
    batch = read_lmarena(path, MODELS, table, today=dt.date(2026, 1, 1))
    assert batch.source.kind == "lmarena"
    assert signal(batch, "GPT-4o", "lmarena.text", "2024-06-19") == 1287
    assert signal(batch, "GPT-4o", "lmarena.text_ci", "2024-06-19") == 3
    assert signal(batch, "GPT-4o", "lmarena.text_votes", "2024-06-19") == 42046
    assert signal(batch, "GPT-4o", "lmarena.text_rank", "2024-06-19") == 1
    assert signal(batch, "GPT-4o", "lmarena.text", "2024-07-01") == 1290
    assert signal(batch, "GPT-4o", "lmarena.text_ci", "2024-07-01") == 3  # mean of 2 and 4
    assert signal(batch, "Open-A", "lmarena.text_ci", "2024-06-19") == 5
    assert signal(batch, "Claude Sonnet 4", "lmarena.text_ci", "2024-07-01") == 10  # bare
    # Two names of GPT-4o in one snapshot: the better-ranked row is kept, the other listed.
    dup = batch.rejected.loc[batch.rejected["row"] == 3, "reason"].iloc[0]
    assert "ChatGPT-4o-latest (2024-08-08)" in dup and "GPT-4o" in dup
    how = dict(zip(batch.matches["name"], batch.matches["how"]))
    assert how["gpt-4o-2024-05-13"] == "alias" and how["Claude Sonnet 4"] == "exact"
    assert how["Open-A"] == "new" and how["Mystery"] == "unmatched"
    access = dict(zip(batch.models["model_id"], batch.models["accessibility"]))
    assert access == {
        "Open-A": "Open weights (unrestricted)",
        "Open-B": "Open weights (unrestricted)",
        "Open-C": "Open weights (restricted use)",
        "Open-D": "Open weights (non-commercial)",
        "Closed-E": "API access",
    }
    assert batch.models["release_date"].isna().all()
    assert batch.models.set_index("model_id").at["Open-C", "organization"] == "Meta"
    # The unlicensed, unknown name is rejected with its name in the reason, not created.
    mystery = batch.rejected.loc[batch.rejected["row"] == 9, "reason"].iloc[0]
    assert "'Mystery'" in mystery


def test_lmarena_licence_spellings():
    assert licence_access("Apache 2.0") == licence_access("Apache-2.0") \
        == Accessibility.OPEN_UNRESTRICTED
    assert licence_access("MIT") == Accessibility.OPEN_UNRESTRICTED
    assert licence_access("Gemma license") == licence_access("Gemma") \
        == Accessibility.OPEN_RESTRICTED
    assert licence_access("Qianwen LICENSE") == Accessibility.OPEN_RESTRICTED
    assert licence_access("Llama-3.3") == Accessibility.OPEN_RESTRICTED
    assert licence_access("DeepSeek License") == Accessibility.OPEN_RESTRICTED
    assert licence_access("CC-BY-NC-SA-4.0") == Accessibility.OPEN_NONCOMMERCIAL
    assert licence_access("Non-commercial") == Accessibility.OPEN_NONCOMMERCIAL
    assert licence_access("MRL") == Accessibility.OPEN_NONCOMMERCIAL
    assert licence_access("proprietary") == Accessibility.API
    assert licence_access("open") == Accessibility.OPEN_UNSPECIFIED
    assert licence_access("") is None and licence_access(None) is None


def test_lmarena_single_table_needs_a_date(tmp_path):
    text = ("rank,model,arena_score,95_pct_ci,votes,license\n"
            "1,Claude Sonnet 4,1400,+5/-5,10,Proprietary\n")
    path = write(tmp_path / "table.csv", text)
    with pytest.raises(InputError) as err:
        read_lmarena(path, MODELS, aliases(tmp_path, []))
    assert err.value.field == "leaderboard_version" and err.value.file == path
    batch = read_lmarena(path, MODELS, aliases(tmp_path, []), as_of="2025-08-04")
    assert signal(batch, "Claude Sonnet 4", "lmarena.text", "2025-08-04") == 1400


DAILY = """snapshot_date,leaderboard,fetched_at,rank,model,vendor,license,score,ci,votes
2026-03-19,text,x,1,claude-sonnet-4-thinking,Anthropic,proprietary,1500,6,11671
2026-03-19,code,x,1,claude-sonnet-4-thinking,Anthropic,proprietary,1450,8,900
2026-03-19,text,x,2,open-model,Lab,open,1400,7,500
2026-03-19,vision,x,3,nobody,Lab,,1300,7,500
"""


def test_lmarena_daily_leaderboards(tmp_path):
    path = write(tmp_path / "daily.csv", DAILY)
    table = aliases(tmp_path, [("lmarena", "claude-sonnet-4-thinking", "Claude Sonnet 4")])
    batch = read_lmarena(path, MODELS, table)
    assert signal(batch, "Claude Sonnet 4", "lmarena.text", "2026-03-19") == 1500
    assert signal(batch, "Claude Sonnet 4", "lmarena.code", "2026-03-19") == 1450
    assert signal(batch, "Claude Sonnet 4", "lmarena.code_ci", "2026-03-19") == 8
    assert signal(batch, "open-model", "lmarena.text_votes", "2026-03-19") == 500
    assert batch.models.set_index("model_id").at["open-model", "accessibility"] == \
        "Open weights (licence unspecified)"
    assert "'nobody'" in batch.rejected["reason"].iloc[0]
    assert int(batch.rejected["row"].iloc[0]) == 5


@pytest.mark.parametrize("cell,field,row", [
    ("12x", "arena_score", 3), ("2024-13-40", "leaderboard_version", 3),
    ("5%", "95_pct_ci", 3)])
def test_lmarena_bad_values_name_file_row_field(tmp_path, cell, field, row):
    lines = HISTORY.splitlines()
    parts = lines[2].split(",")
    column = {"arena_score": 3, "leaderboard_version": 0, "95_pct_ci": 4}[field]
    parts[column] = cell
    lines[2] = ",".join(parts)
    path = write(tmp_path / "bad.csv", "\n".join(lines) + "\n")
    with pytest.raises(InputError) as err:
        read_lmarena(path, MODELS, aliases(tmp_path, []), today=dt.date(2026, 1, 1))
    assert (err.value.file, err.value.row, err.value.field) == (path, row, field)


def test_lmarena_missing_column(tmp_path):
    path = write(tmp_path / "nomodel.csv", "leaderboard_version,arena_score\n2024-06-19,1\n")
    with pytest.raises(InputError) as err:
        read_lmarena(path, MODELS, aliases(tmp_path, []))
    assert err.value.field == "model" and err.value.file == path


def test_lmarena_into_the_warehouse(tmp_path, db):
    path = write(tmp_path / "history.csv", HISTORY)
    with Warehouse(db) as warehouse:
        batch = read_lmarena(path, warehouse.models(), aliases(tmp_path, []),
                             today=dt.date(2026, 1, 1))
        report = warehouse.ingest(batch)
        stored = warehouse.signals("lmarena.")
        models = warehouse.models().set_index("model_id")
    # the bundled warehouse already holds LMArena data: count this ingest's rows only
    assert report.counts["signals"].added == len(batch.signals)
    assert pd.isna(models.at["Open-A", "release_date"])
    assert models.at["Closed-E", "accessibility"] == "API access"
    assert (stored["source_id"] == report.source_id).sum() == len(batch.signals)


# -- OpenRouter ------------------------------------------------------------------------------

OPENROUTER = """week_date,rank,slug,name,total_tokens,is_free
2025-02-16,1,openai/gpt-4o,OpenAI: GPT-4o,100,False
2025-02-16,3,openai/gpt-4o:free,OpenAI: GPT-4o (free),50,True
2025-02-16,2,qwen/qwen3-32b,Qwen: Qwen3 32B,120,False
2025-02-16,4,mystery/model,Mystery,30,False
2025-02-23,1,someone/claude-sonnet-4-copy,Claude Sonnet 4,10,False
"""


def test_openrouter_sums_free_and_paid_and_shares(tmp_path):
    path = write(tmp_path / "weekly.csv", OPENROUTER)
    table = aliases(tmp_path, [("openrouter", "openai/gpt-4o", "GPT-4o"),
                               ("openrouter", "qwen/qwen3-32b", "Qwen3-32B")])
    batch = read_openrouter(path, MODELS, table)
    assert batch.source.kind == "openrouter" and batch.models.empty
    assert signal(batch, "GPT-4o", "openrouter.tokens", "2025-02-16") == 150
    assert signal(batch, "GPT-4o", "openrouter.share", "2025-02-16") == pytest.approx(150 / 300)
    assert signal(batch, "GPT-4o", "openrouter.rank", "2025-02-16") == 1
    assert signal(batch, "Qwen3-32B", "openrouter.share", "2025-02-16") == pytest.approx(0.4)
    # Resolved through the display name when the slug is unknown.
    assert signal(batch, "Claude Sonnet 4", "openrouter.share", "2025-02-23") == 1
    # Unmatched: listed and rejected with the slug in the reason, never created.
    how = dict(zip(batch.matches["name"], batch.matches["how"]))
    assert how["mystery/model"] == "unmatched" and how["openai/gpt-4o"] == "alias"
    assert len(batch.rejected) == 1
    assert "mystery/model" in batch.rejected["reason"].iloc[0]
    assert int(batch.rejected["row"].iloc[0]) == 5


def test_openrouter_json_folder_matches_csv(tmp_path):
    folder = tmp_path / "weeks"
    folder.mkdir()
    frame = pd.read_csv(write(tmp_path / "weekly.csv", OPENROUTER))
    for week, part in frame.groupby("week_date"):
        models = [dict(rank=int(r.rank), slug=r.slug, name=r.name, total_tokens=int(r.total_tokens),
                       is_free=bool(r.is_free)) for r in part.itertuples()]
        write(folder / f"{week}.json", json.dumps({"date": week, "models": models}))
    table = aliases(tmp_path, [("openrouter", "openai/gpt-4o", "GPT-4o")])
    batch = read_openrouter(str(folder), MODELS, table)
    assert signal(batch, "GPT-4o", "openrouter.tokens", "2025-02-16") == 150
    assert set(batch.signals["source_file"]) == {"2025-02-16.json", "2025-02-23.json"}


@pytest.mark.parametrize("cell,column,field", [
    ("lots", 4, "total_tokens"), ("16/02/2025", 0, "week_date")])
def test_openrouter_bad_values(tmp_path, cell, column, field):
    lines = OPENROUTER.splitlines()
    parts = lines[3].split(",")
    parts[column] = cell
    lines[3] = ",".join(parts)
    path = write(tmp_path / "bad.csv", "\n".join(lines) + "\n")
    with pytest.raises(InputError) as err:
        read_openrouter(path, MODELS, aliases(tmp_path, []))
    assert (err.value.file, err.value.row, err.value.field) == (path, 4, field)


def test_openrouter_missing_slug_column(tmp_path):
    path = write(tmp_path / "noslug.csv", "week_date,rank,total_tokens\n2025-02-16,1,5\n")
    with pytest.raises(InputError) as err:
        read_openrouter(path, MODELS, aliases(tmp_path, []))
    assert err.value.field == "slug"


# -- LiveBench -------------------------------------------------------------------------------

def livebench_folder(tmp_path, table_2: str | None = None) -> str:
    folder = tmp_path / "livebench"
    folder.mkdir()
    write(folder / "categories_2025_01_01.json",
          json.dumps({"Reasoning": ["r1", "r2"], "Data Analysis": ["d1"]}))
    write(folder / "table_2025_01_01.csv",
          "model,r1,r2,d1,extra\n"
          "gpt-oss-120b,50,70,90,1\n"
          "new-open,10,,40,1\n"        # a blank task score is skipped, as on the site
          "new-closed,20,30,,1\n"      # no Data Analysis score: no average
          "unknown-x,1,1,1,1\n")
    write(folder / "categories_2025_06_01.json",
          json.dumps({"Reasoning": ["r1"], "IF": ["i1", "i2"]}))
    write(folder / "table_2025_06_01.csv", table_2 or
          "model,r1,i1,i2\n"
          "qwen3-32b-thinking,80,60,70\n"
          "qwen3-32b-nothink,60,60,70\n"
          "gpt-oss-120b,55,65,75\n")
    write(folder / "livebench_model_metadata.csv",
          "model,base_model,display_name,organization,version,openweight,reasoner,url\n"
          "new-open,new-open,New Open,LabA,,true,false,\n"
          "new-closed,new-closed,New Closed,LabB,,false,false,\n"
          "qwen3-32b-thinking,qwen3-32b,Qwen 3 32B,Alibaba,,true,true,\n"
          "qwen3-32b-nothink,qwen3-32b,Qwen 3 32B,Alibaba,,true,false,\n")
    return str(folder)


def test_livebench_category_means_and_average(tmp_path):
    folder = livebench_folder(tmp_path)
    table = aliases(tmp_path, [("livebench", "qwen3-32b", "Qwen3-32B")])
    batch = read_livebench(folder, MODELS, table)
    assert batch.source.kind == "livebench"
    assert signal(batch, "gpt-oss-120b", "livebench.reasoning", "2025-01-01") == 60
    assert signal(batch, "gpt-oss-120b", "livebench.data_analysis", "2025-01-01") == 90
    assert signal(batch, "gpt-oss-120b", "livebench.average", "2025-01-01") == 75
    assert signal(batch, "gpt-oss-120b", "livebench.if", "2025-06-01") == 70
    assert signal(batch, "gpt-oss-120b", "livebench.average", "2025-06-01") == pytest.approx(62.5)
    assert signal(batch, "new-open", "livebench.reasoning", "2025-01-01") == 10
    s = batch.signals
    assert s.loc[(s["model_id"] == "new-closed") & (s["signal"] == "livebench.average")].empty
    # Variants resolved through base_model: the best average of the release is kept.
    assert signal(batch, "Qwen3-32B", "livebench.reasoning", "2025-06-01") == 80
    reasons = " ".join(batch.rejected["reason"])
    assert "qwen3-32b-nothink" in reasons and "'unknown-x'" in reasons
    access = dict(zip(batch.models["model_id"], batch.models["accessibility"]))
    assert access == {"new-open": "Open weights (licence unspecified)",
                      "new-closed": "API access"}
    assert batch.models.set_index("model_id").at["new-open", "display_name"] == "New Open"
    how = dict(zip(batch.matches["name"], batch.matches["how"]))
    assert how["gpt-oss-120b"] == "exact" and how["qwen3-32b-thinking"] == "alias"
    assert how["unknown-x"] == "unmatched"


@pytest.mark.parametrize("table,field,row", [
    ("model,r1,i1\nqwen3-32b-thinking,80,60\n", "i2", None),
    ("model,r1,i1,i2\nqwen3-32b-thinking,80,60,170\n", "i2", 2),
    ("model,r1,i1,i2\nqwen3-32b-thinking,80,n/a,70\n", "i1", 2)])
def test_livebench_bad_tables(tmp_path, table, field, row):
    folder = livebench_folder(tmp_path, table)
    with pytest.raises(InputError) as err:
        read_livebench(folder, MODELS, aliases(tmp_path, []))
    assert err.value.file.endswith("table_2025_06_01.csv")
    assert (err.value.row, err.value.field) == (row, field)


def test_livebench_missing_categories(tmp_path):
    folder = livebench_folder(tmp_path)
    os.remove(os.path.join(folder, "categories_2025_06_01.json"))
    with pytest.raises(InputError) as err:
        read_livebench(folder, MODELS, aliases(tmp_path, []))
    assert err.value.file.endswith("categories_2025_06_01.json")


# -- golden tests on the real files ----------------------------------------------------------

needs_data = pytest.mark.skipif(not os.path.isdir(DATA), reason="shared data not available")


@pytest.fixture(scope="module")
def real_models(bundled_db):
    with Warehouse(bundled_db, read_only=True) as warehouse:
        return warehouse.models()


def rows_of(path):
    with open(path, newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


@needs_data
def test_golden_lmarena_history(real_models):
    path = f"{DATA}/lmarena/lmarena_text_leaderboard_history.csv"
    batch = read_lmarena(path, real_models, bundled_aliases())
    # Claude 3 Opus has one LMArena name, so every row of it is a signal.
    rows = [r for r in rows_of(path) if r["model"] == "Claude 3 Opus"]
    got = batch.signals.loc[(batch.signals["model_id"] == "Claude 3 Opus")
                            & (batch.signals["signal"] == "lmarena.text")]
    assert len(got) == len(rows) > 80
    expected = {r["leaderboard_version"]: float(r["arena_score"]) for r in rows}
    assert {str(d)[:10]: v for d, v in zip(got["as_of"], got["value"])} == expected
    first = rows[0]
    plus, minus = first["95_pct_ci"].split("/")
    assert signal(batch, "Claude 3 Opus", "lmarena.text_ci", first["leaderboard_version"]) \
        == (float(plus[1:]) + float(minus[1:])) / 2
    assert signal(batch, "GPT-4o", "lmarena.text", "2024-06-19") == 1287


@needs_data
def test_golden_lmarena_table(real_models):
    path = f"{DATA}/lmarena/lmarena_text.csv"
    batch = read_lmarena(path, real_models, bundled_aliases(), as_of="2025-08-04")
    top = rows_of(path)[0]
    assert top["model"] == "Gemini-2.5-Pro"
    model = "Gemini 2.5 Pro (Jun 2025)"
    assert signal(batch, model, "lmarena.text", "2025-08-04") == float(top["arena_score"])
    assert signal(batch, model, "lmarena.text_votes", "2025-08-04") == float(top["votes"])
    assert signal(batch, model, "lmarena.text_rank", "2025-08-04") == float(top["rank"])


@needs_data
def test_golden_lmarena_daily(real_models):
    path = f"{DATA}/lmarena_arena_ai_daily_2026/arena_ai_leaderboards_daily_2026.csv"
    batch = read_lmarena(path, real_models, bundled_aliases())
    rows = [r for r in rows_of(path) if r["snapshot_date"] == "2026-03-19"
            and r["leaderboard"] == "text"
            and r["model"] in ("claude-opus-4-6", "claude-opus-4-6-thinking")]
    best = min(rows, key=lambda r: int(r["rank"]))
    assert signal(batch, "Claude Opus 4.6", "lmarena.text", "2026-03-19") == float(best["score"])
    boards = {r["leaderboard"] for r in rows_of(path)}
    assert {s.split(".")[1] for s in batch.signals["signal"] if "_" not in s} == boards


@needs_data
def test_golden_openrouter(real_models):
    path = f"{DATA}/openrouter_weekly_top_models/openrouter_weekly_top_models.csv"
    batch = read_openrouter(path, real_models, bundled_aliases())
    week = [r for r in rows_of(path) if r["week_date"] == "2025-02-16"]
    total = sum(int(r["total_tokens"]) for r in week)
    sonnet = sum(int(r["total_tokens"]) for r in week
                 if r["slug"].split(":")[0] == "anthropic/claude-3.5-sonnet")
    model = "Claude 3.5 Sonnet (October 2024)"
    assert signal(batch, model, "openrouter.tokens", "2025-02-16") == sonnet
    assert signal(batch, model, "openrouter.share", "2025-02-16") == pytest.approx(sonnet / total)
    weeks = defaultdict(int)
    for r in rows_of(path):
        weeks[r["week_date"]] += 1
    assert batch.signals["as_of"].nunique() == len(weeks)


@needs_data
def test_golden_livebench(real_models):
    folder = f"{DATA}/livebench"
    batch = read_livebench(folder, real_models, bundled_aliases())
    with open(f"{folder}/categories_2024_06_24.json", encoding="utf-8") as handle:
        categories = json.load(handle)
    row = next(r for r in rows_of(f"{folder}/table_2024_06_24.csv")
               if r["model"] == "claude-3-opus-20240229")
    means = {c: sum(float(row[t]) for t in tasks) / len(tasks) for c, tasks in categories.items()}
    for category, mean in means.items():
        name = "livebench." + category.lower().replace(" ", "_")
        assert signal(batch, "Claude 3 Opus", name, "2024-06-24") == pytest.approx(mean)
    assert signal(batch, "Claude 3 Opus", "livebench.average", "2024-06-24") == \
        pytest.approx(sum(means.values()) / len(means))
    releases = {f[6:16].replace("_", "-") for f in os.listdir(folder) if f.startswith("table_")}
    assert {str(d)[:10] for d in batch.signals["as_of"]} == releases
    assert set(batch.signals["source_file"]) == {f"table_{r.replace('-', '_')}.csv"
                                                 for r in releases}
