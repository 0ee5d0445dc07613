"""Every command's terminal output at 80 columns: no line over 80 characters, no word
broken across lines, warnings on stderr only (``gaplens --quiet`` silences them), names
from data printed as text (never console markup); ``--version`` and an example in every
command's help.

One warehouse for the module: the stored fit of ``fitted_db`` plus a tidy CSV whose model,
organisation, country, benchmark and domain names carry rich markup, imported after a
snapshot (so ``diff`` has two states)."""

from __future__ import annotations

import json
import math
import re
import shutil

import pandas as pd
import pytest

from gaplens._cli.main import main

OPEN_LEADER = "X [/a]"  # a closing tag with nothing open: rich raises MarkupError on it
CLOSED_LEADER = "o3 [high]"  # rich markup would drop "[high]"
ORGANISATION = "[bold]Lab[/bold] [/b]"
BENCHMARK = "[red]Bench[/red] [/x]"
DOMAIN_LABEL = "[i]Dom[/i] [/z]"


@pytest.fixture(scope="module")
def planted_db(fitted_db, tmp_path_factory) -> str:
    from gaplens import api

    root = tmp_path_factory.mktemp("cli80")
    path = str(root / "planted.duckdb")
    shutil.copyfile(fitted_db, path)
    api.snapshot(label="before", note="", db=path)
    bench = root / "bench.csv"
    bench.write_text("benchmark,domain,label,random_baseline,ceiling,test_set,release_date\n"
                     f'"{BENCHMARK}",markup,"{DOMAIN_LABEL}",0,1,public,2025-06-01\n',
                     encoding="utf-8")
    rows = []
    for model, access, org, day, scores in [
            (OPEN_LEADER, "Open weights (unrestricted)", ORGANISATION, "2026-04-01",
             {"GPQA diamond": 0.97, "HLE": 0.70, "MMLU": 0.97, BENCHMARK: 0.90}),
            (CLOSED_LEADER, "API access", "OpenAI", "2026-04-02",
             {"GPQA diamond": 0.98, "HLE": 0.72, "MMLU": 0.98, BENCHMARK: 0.95}),
            ("Open [b]two[/b]", "Open weights (unrestricted)", ORGANISATION, "2026-03-01",
             {BENCHMARK: 0.6}),
            ("Open three", "Open weights (unrestricted)", ORGANISATION, "2026-02-01",
             {BENCHMARK: 0.5}),
            ("Closed [i]two[/i]", "API access", "OpenAI", "2026-03-01", {BENCHMARK: 0.8}),
            ("Closed three", "API access", "OpenAI", "2026-02-01", {BENCHMARK: 0.7})]:
        for benchmark, score in scores.items():
            rows.append({"model": model, "benchmark": benchmark, "score": score,
                         "release_date": day, "accessibility": access, "organization": org,
                         "country": "[red]Land[/red]"})
    results = root / "results.csv"
    pd.DataFrame(rows).to_csv(results, index=False)
    api.ingest_csv(str(results), db=path, benchmarks=str(bench))
    return path


@pytest.fixture
def at80(monkeypatch):
    """Both consoles 80 columns wide (as COLUMNS=80 in a terminal)."""
    from gaplens._cli import main as cli_main

    monkeypatch.setenv("COLUMNS", "80")
    monkeypatch.setattr(cli_main.out, "_width", 80, raising=False)
    monkeypatch.setattr(cli_main.err, "_width", 80, raising=False)


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


# --- the broken-word check ----------------------------------------------------------------


def vocabulary(document) -> set[str]:
    """Every whitespace-separated word of a JSON document's keys and text values
    (lower case): the whole words a terminal table of the same result may show."""
    words: set[str] = set()

    def walk(value) -> None:
        if isinstance(value, dict):
            for k, v in value.items():
                words.update(str(k).lower().split())
                walk(v)
        elif isinstance(value, list):
            for v in value:
                walk(v)
        elif isinstance(value, str):
            words.update(value.lower().split())

    walk(document)
    return words


def broken_words(text: str, words: set[str]) -> list[str]:
    """Words cut across two lines: a fragment on one line and, starting at the same column
    on the next line (a folded cell continues at its left edge), the rest, where the
    fragment is not a word of ``words`` but the two together are (``benchm`` / ``ark``)."""
    lines = text.splitlines()
    found = []
    for upper, lower in zip(lines, lines[1:]):
        below = {m.start(): m.group() for m in re.finditer(r"\S+", lower)}
        for m in re.finditer(r"\S+", upper):
            head, tail = m.group(), below.get(m.start())
            if (tail and re.search("[A-Za-z]", head + tail) and head.lower() not in words
                    and (head + tail).lower() in words):
                found.append(f"{head}/{tail}")
    return found


def test_the_check_finds_the_broken_words_of_a_folded_table():
    # How `gaplens lifecycle` printed at 80 columns before its table was made narrow.
    folded = (" benchm   domai   statu\n"
              " ark      n       s\n"
              " ANLI     langu   low_r\n"
              "          age     esolu\n")
    words = {"benchmark", "domain", "status", "language", "low_resolution", "anli"}
    assert broken_words(folded, words) == ["benchm/ark", "domai/n", "statu/s", "langu/age"]
    # Two words of a cell on two lines are not a broken word; nor is a truncated one.
    assert broken_words(" Claude    2026-03\n Opus 4.6  70.4\n", {"claude", "opus"}) == []
    assert broken_words(" FrontierMa…\n Bench\n", {"frontiermath", "bench"}) == []


# --- every command's table ---------------------------------------------------------------

# name -> (arguments, names from the planted CSV its table must show as text; a single word
# longer than its column ends in "…", so only its start is required there)
COMMANDS = {
    "gap": (["gap", "--draws", "30"], [CLOSED_LEADER, OPEN_LEADER]),
    "gap-benchmark": (["gap", "--by", "benchmark", "--draws", "30"],
                      [CLOSED_LEADER, OPEN_LEADER, "[red]Bench"]),
    "gap-index": (["gap", "--on", "index", "--domain", "coding", "--domain",
                   "novel_reasoning"], []),
    "gap-published": (["gap", "--on", "published", "--draws", "30"], []),
    "gap-group": (["gap", "--group", "organization", "--draws", "30"], ["[bold]Lab[/bold]"]),
    "models": (["models", "--since", "2026-01-01"], [CLOSED_LEADER, OPEN_LEADER,
                                                      "[bold]Lab[/bold]"]),
    "models-versions": (["models", "--versions", "--since", "2026-03-15"],
                        [CLOSED_LEADER, OPEN_LEADER]),
    "benchmarks": (["benchmarks"], ["[red]Bench[/red]"]),
    "benchmarks-fit": (["benchmarks", "--fit"], []),
    "sources": (["sources"], []),
    "coverage": (["coverage"], [OPEN_LEADER, "[red]Bench"]),
    "coverage-domain": (["coverage", "--by", "domain"], [OPEN_LEADER, "[i]Dom[/i]"]),
    "index": (["index"], []),
    "index-domain": (["index", "--domain", "coding", "--top", "10"], []),
    "compare": (["compare", "GPT-5", "Claude 3.5 Sonnet"], []),
    "predict": (["predict", "GPT-5"], []),
    "factors": (["factors", "--no-heldout"], []),
    "composite": (["composite", "--draws", "100"], []),
    "realworld": (["realworld"], []),
    "overfit": (["overfit", "--perms", "50", "--split", "private"], []),
    "lifecycle": (["lifecycle"], ["[red]Bench[/red]"]),
    "forecast": (["forecast", "--domain", "coding"], []),
    "snapshots": (["snapshots"], []),
    "cost": (["cost", "--domain", "coding"], []),
    "cheapest": (["cheapest", "--within", "12"], []),
    "openness": (["openness", "--draws", "100"], []),
    "openness-audit": (["openness", "--audit", "--no-index"], []),
    "diff": (["diff", "--draws", "20"], [CLOSED_LEADER, OPEN_LEADER, "[red]Bench[/red]",
                                         "[i]Dom[/i]"]),
}
# Commands whose JSON form is not the table's (compare: one row, the same words).
NO_JSON = {"compare"}


@pytest.mark.parametrize("name", list(COMMANDS))
def test_table_fits_80_columns_without_broken_words(capsys, at80, planted_db, name):
    argv, shown = COMMANDS[name]
    code, out, err = run(capsys, *argv, "--db", planted_db)
    assert code == 0, err
    lines = out.splitlines()
    assert lines, "no output"
    too_long = [line for line in lines if len(line) > 80]
    assert not too_long, too_long[:3]
    # Warnings go to stderr; stdout holds the table, its legend and the data date.
    assert not [line for line in lines if line.startswith("warning")]
    # Names from data are text: markup-looking names print as they are, whole.
    for text in shown:
        assert text in out, text
    if name not in NO_JSON:
        code, doc, _ = run(capsys, *argv, "--db", planted_db, "--format", "json")
        assert code == 0
        words = vocabulary(json.loads(doc))
        assert not broken_words(out, words)


def test_quiet_silences_warnings_not_output_or_errors(capsys, at80, planted_db):
    code, out, err = run(capsys, "gap", "--draws", "0", "--db", planted_db)
    assert code == 0 and "warning: " in err and "warning" not in out
    code, quiet_out, quiet_err = run(capsys, "--quiet", "gap", "--draws", "0", "--db",
                                     planted_db)
    assert code == 0 and quiet_err == "" and quiet_out == out
    code, _, err = run(capsys, "--quiet", "compare", "GPT-5", "No such model", "--db",
                       planted_db)
    assert code == 2 and err.startswith("error: ")


def test_stale_data_warning_goes_to_stderr(capsys, at80, planted_db):
    # The bundled data are older than 90 days on any day after mid-2026; the data-through
    # line is part of the output, the warning to update is not.
    from gaplens._cli import common

    code, out, err = run(capsys, "sources", "--db", planted_db)
    assert code == 0 and "data through:" in out and "run 'gaplens update'" not in out
    if common.today().isoformat() > "2026-10-10":
        assert "run 'gaplens update'" in err


def test_index_table_renders_missing_organisation_and_group(at80):
    # `gaplens index` without --top once died on a float (NaN) organisation.
    from rich.console import Console

    from gaplens.report import terminal

    frame = pd.DataFrame({
        "model_id": [CLOSED_LEADER, OPEN_LEADER], "organization": [math.nan, ORGANISATION],
        "release_date": pd.to_datetime(["2026-04-02", "2026-04-01"]),
        "group": ["closed", math.nan], "index": [150.0, 140.0],
        "index_ci_low": [149.0, 139.0], "index_ci_high": [151.0, 141.0],
        "n_benchmarks": [4, 4], "at_bound": [False, True], "is_anchor": [False, False]})
    console = Console(width=80, record=True, markup=False)
    console.print(terminal.index_table(frame, f"models of {ORGANISATION}", width=80))
    text = console.export_text()
    assert CLOSED_LEADER in text and OPEN_LEADER in text and ORGANISATION in text
    assert max(len(line) for line in text.splitlines()) <= 80


def test_version_prints_the_package_version(capsys):
    from importlib import metadata

    code, out, _ = run(capsys, "--version")
    assert code == 0
    assert out.strip() == f"gaplens {metadata.version('gaplens')}"


def _commands():
    from gaplens._cli.main import command

    root = command()
    for name, cmd in root.commands.items():
        if hasattr(cmd, "commands"):
            for sub in cmd.commands:
                yield [name, sub]
        else:
            yield [name]


def test_every_help_has_an_example_and_a_one_line_summary(capsys, at80):
    code, out, _ = run(capsys, "--help")
    assert code == 0 and "Example: gaplens" in out
    for path in _commands():
        code, text, _ = run(capsys, *path, "--help")
        assert code == 0, path
        example = [line for line in text.splitlines() if "Example: gaplens" in line]
        assert example, f"no example in gaplens {' '.join(path)} --help"
    from gaplens._cli.main import command

    for name, cmd in command().commands.items():
        summary = (cmd.help or "").split("\n\n")[0]
        assert "\n" not in summary.strip(), f"{name}: the summary spans lines"


def test_ingest_summary_fits_80_columns_and_errors_quote_names_as_text(capsys, at80, db,
                                                                     tmp_path):
    path = tmp_path / "bad.csv"
    path.write_text("model,benchmark,score,release_date,open\n"
                    f'"{CLOSED_LEADER}",No such benchmark [/x],0.5,2026-01-01,false\n',
                    encoding="utf-8")
    code, out, err = run(capsys, "ingest", "csv", str(path), "--db", db)
    assert code == 2 and out == ""
    assert "unknown benchmark 'No such benchmark [/x]'" in err and err.count("\n") == 1
    path.write_text("model,benchmark,score,release_date,open\n"
                    f'"{CLOSED_LEADER}",GPQA diamond,0.5,2026-01-01,false\n',
                    encoding="utf-8")
    code, out, err = run(capsys, "ingest", "csv", str(path), "--db", db)
    assert code == 0, err
    assert max(len(line) for line in out.splitlines()) <= 80
    assert "Ingested" in out and "results" in out
    assert not [line for line in out.splitlines() if line.startswith("warning")]


def test_export_and_its_import_fit_80_columns_with_names_as_text(capsys, at80, planted_db,
                                                                 tmp_path):
    out_dir = str(tmp_path / "eee")
    code, out, err = run(capsys, "export", "--format", "every-eval-ever", "--out", out_dir,
                         "--source", "csv", "--db", planted_db)
    assert code == 0, err
    lines = out.splitlines()
    assert lines[0].startswith("6 every-eval-ever records, 12 results, in ")
    assert not [line for line in lines if len(line) > 80]
    for name in (OPEN_LEADER, CLOSED_LEADER, "Open [b]two[/b]", "Closed [i]two[/i]"):
        assert name in out, name
    # The records read back into (a copy of) the warehouse they came from: every result
    # unchanged.
    copy = str(tmp_path / "copy.duckdb")
    shutil.copyfile(planted_db, copy)
    code, out, err = run(capsys, "ingest", "every-eval-ever", out_dir, "--db", copy,
                         "--benchmarks", str(tmp_path / "missing.csv"))
    assert code == 2 and "missing.csv" in err and err.count("\n") == 1
    code, out, err = run(capsys, "ingest", "every-eval-ever", out_dir, "--db", copy)
    assert code == 0, err
    assert max(len(line) for line in out.splitlines()) <= 80
    assert re.search(r"results\s+0\s+0\s+12\s+0", out), out
