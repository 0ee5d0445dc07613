"""Outputs are inert: names from data never run as Markdown/HTML, spreadsheet formulas,
terminal escape sequences or rich markup; every file is written atomically and never
through a planted link; every command-line option is checked with a one-line error."""

from __future__ import annotations

import csv
import datetime as dt
import html
import io
import os
import re
import shutil
import unicodedata
from html.parser import HTMLParser

import pandas as pd
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from gaplens._util import atomic
from gaplens._util.inert import FORMULA_LEAD, csv_cell, is_formula, md_text, plain

# --- names that try every output's active syntax -----------------------------------------

DOMAIN_LABEL = "<img src=x onerror=alert(1)>"
BENCHMARK = "<svg onload=alert(2)> | `col`"
ORGANISATION = "<b>Org</b> | [x](https://example.com)"
OPEN_MODELS = ["[/]", "[link](https://example.com/a)", "=HYPERLINK(\"https://example.com\")"]
CLOSED_MODELS = ["![img](https://example.com/x.png)", "+cmd|' /C calc'!A0",
                 "@SUM(1+1) **bold** <script>alert(3)</script>"]
MARKUP_PAYLOADS = [DOMAIN_LABEL, BENCHMARK, ORGANISATION, *OPEN_MODELS, *CLOSED_MODELS]
# Control characters cannot come from every reader; they are planted in frames directly.
TERMINAL_PAYLOADS = ["clear\x1b[2J\x1b[H", "title\x1b]0;pwned\x07", "bell\x07\x07",
                     "csi8\x9b2J", "osc8\x9d0;t\x9c", "rlo\u202eevil", "two\nlines\rback"]


def _markdown():
    from markdown_it import MarkdownIt

    return MarkdownIt("commonmark").enable("table").enable("strikethrough")


class _Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[str] = []
        self.text: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)

    def handle_data(self, data):
        self.text.append(data)


def _parse(rendered: str) -> _Tags:
    parser = _Tags()
    parser.feed(rendered)
    return parser


# --- the escaping functions (properties) -------------------------------------------------

CONTEXTS = {  # how the report places a name, and the tags that wrap it there
    "paragraph": ("As of {}.", {"p"}),
    "heading": ("### {}", {"h3"}),
    "list": ("- {}", {"ul", "li"}),
    "table": ("| a | b |\n|---|---|\n| {} | x |", {"table", "thead", "tbody", "tr", "th",
                                                     "td"}),
    "image": ("![{}](chart.png)", {"p", "img"}),
}


@settings(max_examples=300, deadline=None)
@given(st.text())
@example(DOMAIN_LABEL)
@example("a|b`c`*d*_e_[f](g)![h](i)<j>&amp;~~k~~ \\")
@example("1. item")
@example("0)")
@example("    indented")
@example("- list")
@example("===")
@example("# not a heading #")
def test_markdown_text_renders_as_its_text_in_every_context(value):
    md = _markdown()
    expected = plain(value)
    for name, (template, wrappers) in CONTEXTS.items():
        parsed = _parse(md.render(template.format(md_text(value))))
        assert set(parsed.tags) <= wrappers, (name, parsed.tags)
        if name == "table":
            assert parsed.tags.count("td") == 2  # no '|' in a name adds a cell
        if name != "image":  # (the alt text is an attribute)
            assert expected in "".join(parsed.text), name


@given(st.text(alphabet=st.characters(categories=["L", "N", "Zs"])
               | st.sampled_from(" ,.-/()'\"?%+=<>&|*_[]`#!"), min_size=1))
def test_ordinary_names_round_trip_through_markdown(value):
    shown = "".join(_parse(_markdown().render(f"x {md_text(value)} x")).text)
    assert shown == f"x {value} x\n"


def test_markdown_names_neither_link_mention_nor_emoji_on_github():
    # GitHub adds bare URLs, mentions and emoji codes to CommonMark
    text = md_text("see www.example.com or https://example.com, @user :smile:")
    assert "www." not in text and "https://" not in text and " @user" not in text
    assert ":smile:" not in text and "\\@user" in text


@settings(max_examples=400)
@given(st.text())
@example("=1+2")
@example("\t=1")
@example("\r@x")
@example("-2+3")
def test_csv_cells_never_start_a_formula_and_keep_ordinary_text(value):
    cell = csv_cell(value)
    assert not is_formula(cell)
    assert not re.search(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\x1b]", cell)
    if value[:1] not in FORMULA_LEAD and not re.search(r"[\x00-\x1f\x7f-\x9f\u202a-\u202e"
                                                        r"\u2066-\u2069]", value):
        assert cell == value
    if cell != value and not re.search(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]", value):
        assert cell == "'" + value  # the page's rule: an apostrophe first


@given(st.one_of(st.integers(), st.floats(allow_nan=False),
                 st.from_regex(r"[+-]?\d{1,6}(\.\d{1,4})?([eE][+-]?\d{1,2})?", fullmatch=True)))
def test_numbers_stay_numbers(value):
    assert csv_cell(value) == value  # a negative number is not a formula


def test_the_csv_rule_is_the_pages_rule():
    from importlib import resources

    js = resources.files("gaplens.report").joinpath("assets", "report.js").read_text("utf-8")
    lead = re.search(r"/\^\[([^\]]+)\]/\.test\(s\)", js).group(1)
    chars = lead.replace("\\-", "-").replace("\\t", "\t").replace("\\r", "\r")
    assert chars == FORMULA_LEAD
    assert "isNumber(s)" in js  # numbers written as text are numbers there too


@settings(max_examples=400)
@given(st.text())
@example("\x1b]0;title\x07 \x1b[2J \x9b31m \u202e")
def test_terminal_text_has_no_control_character(value):
    text = plain(value)
    assert not any(unicodedata.category(c) == "Cc" for c in text)
    assert not re.search(r"[\u202a-\u202e\u2066-\u2069]", text)


@given(st.text(alphabet=st.characters(categories=["L", "N", "P", "S", "Zs"])))
def test_printable_text_is_unchanged_on_the_terminal(value):
    assert plain(value) == value


# --- a warehouse with hostile names ------------------------------------------------------

@pytest.fixture(scope="module")
def hostile_db(bundled_db, tmp_path_factory) -> str:
    """The bundled warehouse plus a domain, benchmark, organisation and six models whose
    names carry Markdown, HTML, rich markup and spreadsheet formulas."""
    from gaplens import api

    root = tmp_path_factory.mktemp("hostile")
    path = str(root / "hostile.duckdb")
    shutil.copyfile(bundled_db, path)
    bench = root / "bench.csv"
    rows = [["benchmark", "domain", "label", "random_baseline", "ceiling", "test_set",
             "release_date"], [BENCHMARK, "hostile", DOMAIN_LABEL, 0, 1, "public",
                               "2025-06-01"]]
    with open(bench, "w", newline="", encoding="utf-8") as handle:
        csv.writer(handle).writerows(rows)
    results = [["model", "benchmark", "score", "release_date", "accessibility",
                "organization"]]
    for k, name in enumerate(OPEN_MODELS):  # each a new frontier step; the last leads
        results.append([name, BENCHMARK, 0.4 + 0.1 * k, f"2026-0{k + 1}-01",
                        "Open weights (unrestricted)", ORGANISATION])
    for k, name in enumerate(CLOSED_MODELS):
        results.append([name, BENCHMARK, 0.7 + 0.1 * k, f"2025-1{k}-01", "API access",
                        ORGANISATION])
    with open(root / "results.csv", "w", newline="", encoding="utf-8") as handle:
        csv.writer(handle).writerows(results)
    api.ingest_csv(str(root / "results.csv"), db=path, benchmarks=str(bench))
    return path


@pytest.fixture(scope="module")
def hostile_gap(hostile_db):
    from gaplens import api

    return api.gap(db=hostile_db, n_draws=20)


def _md_report(hostile_db, out: str) -> str:
    from gaplens import api

    api.report(out, db=hostile_db, fmt="md", n_draws=20)
    return open(os.path.join(out, "README.md"), encoding="utf-8").read()


@pytest.fixture(scope="module")
def md_dir(hostile_db, tmp_path_factory) -> str:
    """The Markdown report of ``hostile_db`` (20 draws), written once; copy it to change it."""
    out = str(tmp_path_factory.mktemp("md") / "md")
    _md_report(hostile_db, out)
    return out


def _rewrite(hostile_db, hostile_gap, out: str, **options) -> None:
    """A second, quick report into ``out`` (no frontier charts)."""
    from gaplens import api
    from gaplens.report.static import write_report

    series = pd.DataFrame(columns=["benchmark", "group", "release_date", "level"])
    write_report(hostile_gap, series, api.sources(db=hostile_db), out, **options)


def test_markdown_report_renders_no_name_as_markup(md_dir):
    text = open(os.path.join(md_dir, "README.md"), encoding="utf-8").read()
    rendered = _markdown().render(text)
    parsed = _parse(rendered)
    # only the report's own structure: no img but its charts, no link, script or markup
    assert set(parsed.tags) <= {"h1", "h2", "h3", "p", "strong", "em", "img", "table", "code",
                                "thead", "tbody", "tr", "th", "td", "ul", "li"}
    images = re.findall(r'<img src="([^"]*)"', rendered)
    assert images and all(re.fullmatch(r"(gap_by_domain|frontiers_[a-z0-9_]+)\.png", src)
                          for src in images)
    table = [line for line in text.splitlines() if line.startswith("|")]
    row = next(line for line in table if "onerror" in line)
    assert _markdown().render("\n".join(table[:2] + [row])).count("<td>") == 7
    shown = html.unescape("".join(parsed.text))
    assert DOMAIN_LABEL in shown and OPEN_MODELS[-1] in shown and CLOSED_MODELS[-1] in shown


def test_markdown_and_csv_files_of_the_report_neutralise_formulas(md_dir):
    out = md_dir
    for name in ("gap.csv", "frontiers.csv"):
        with open(os.path.join(out, name), encoding="utf-8", newline="") as handle:
            cells = [c for row in list(csv.reader(handle))[1:] for c in row]
        assert not [c for c in cells if is_formula(c)], name
    with open(os.path.join(out, "frontiers.csv"), encoding="utf-8", newline="") as handle:
        shown = {c for row in csv.reader(handle) for c in row}
    assert "'" + OPEN_MODELS[2] in shown  # =HYPERLINK(...) now text


@pytest.mark.parametrize("argv", [
    ["models"], ["models", "--versions"], ["benchmarks"], ["gap"], ["gap", "--by", "benchmark"],
    ["coverage"], ["coverage", "--by", "domain"], ["lifecycle"],
])
def test_every_csv_export_neutralises_formulas_and_keeps_numbers(capsys, hostile_db, argv):
    from gaplens._cli.main import main

    extra = ["--draws", "20"] if argv[0] == "gap" else []
    assert main([*argv, *extra, "--db", hostile_db, "--format", "csv"]) == 0
    rows = list(csv.reader(io.StringIO(capsys.readouterr().out)))
    cells = [c for row in rows[1:] for c in row]
    assert not [c for c in cells if is_formula(c)]
    assert any(c.startswith("'") and c[1:] in OPEN_MODELS + CLOSED_MODELS for c in cells) \
        or argv[0] in ("benchmarks", "coverage", "lifecycle")
    negative = [c for c in cells if re.fullmatch(r"-\d+(\.\d+)?(e[+-]?\d+)?", c)]
    if argv[:2] == ["gap", "--by"]:
        assert negative  # lags below zero are written as numbers


def test_models_prints_names_as_text_at_80_columns(capsys, hostile_db):
    from gaplens._cli import main as cli

    cli.out.width = 80
    assert cli.main(["models", "--organization", "Org", "--db", hostile_db]) == 0
    shown = capsys.readouterr().out
    assert "[/]" in shown and "**bold**" in shown and "<script>alert(3" in shown
    assert "[link](https://" in shown  # markup shown as typed (folded at 80 columns)
    assert max(len(line) for line in shown.splitlines()) <= 80


def test_terminal_strips_escape_sequences_from_every_table(capsys, monkeypatch, bundled_db):
    from gaplens import api
    from gaplens._cli import main as cli

    frame = api.models(db=bundled_db).head(len(TERMINAL_PAYLOADS)).copy()
    frame["model_id"] = TERMINAL_PAYLOADS
    frame["organization"] = ["[/]", "[bold]x[/bold]", ":smile:", "\x1b[31mred", "a", "b", "c"]
    monkeypatch.setattr(api, "models", lambda **kw: frame)
    cli.out.width = 80
    assert cli.main(["models", "--db", bundled_db]) == 0
    shown = capsys.readouterr().out
    assert not re.search(r"[\x00-\x09\x0b-\x1f\x7f-\x9f\u202a-\u202e]", shown)
    assert "[/]" in shown and "[bold]x[/bold]" in shown and ":smile:" in shown
    assert "title0;pwned" not in shown and "pwned" not in shown  # the OSC went whole
    assert max(len(line) for line in shown.splitlines()) <= 80
    assert cli.main(["models", "--db", bundled_db, "--format", "json"]) == 0
    text = capsys.readouterr().out
    assert "\x1b" not in text and "\x9b" not in text and "\u202e" not in text


def test_terminal_gap_table_with_hostile_leaders(hostile_gap):
    from rich.console import Console

    from gaplens.report import terminal

    table = hostile_gap.table.copy()
    row = table.index[table["key"] == "hostile"][0]
    table.loc[row, "closed_model"] = "x\x1b]0;pwned\x07[/]"
    result = type("R", (), {"settings": hostile_gap.settings, "table": table,
                            "warnings": ()})()
    console = terminal.SafeConsole(file=io.StringIO(), width=80, color_system=None)
    console.print(terminal.gap_table(result))
    shown = console.file.getvalue()
    assert "\x1b" not in shown and "pwned" not in shown and "[/]" in shown


# --- atomic writes -----------------------------------------------------------------------

def test_interrupted_markdown_report_leaves_the_previous_folder(hostile_db, hostile_gap,
                                                                md_dir, tmp_path):
    out = str(tmp_path / "md")
    shutil.copytree(md_dir, out)
    before = {n: open(os.path.join(out, n), "rb").read() for n in os.listdir(out)}
    for stop in ("gap.json", "gap.csv", "frontiers.csv", "gap_by_domain.png", "README.md"):
        def after(name, stop=stop):
            if name == stop:
                raise KeyboardInterrupt  # as a Ctrl-C or kill between two files
        with pytest.raises(KeyboardInterrupt):
            _rewrite(hostile_db, hostile_gap, out, _after_file=after)
        now = {n: open(os.path.join(out, n), "rb").read() for n in os.listdir(out)}
        assert now == before, stop
        assert os.listdir(tmp_path) == ["md"]  # no temporary folder left beside it
    # an uninterrupted write replaces the whole set (no chart of the old one survives)
    _rewrite(hostile_db, hostile_gap, out)
    assert [n for n in before if n.startswith("frontiers_")]
    assert not [n for n in os.listdir(out) if n.startswith("frontiers_")]


@pytest.mark.parametrize("swap", ["exchange", "two renames"])
def test_folder_swap_replaces_content_and_a_planted_link(tmp_path, swap):
    victim = tmp_path / "victim"
    victim.mkdir()
    (victim / "README.md").write_text("precious")
    out = tmp_path / "out"
    out.symlink_to(victim, target_is_directory=True)
    kwargs = {} if swap == "exchange" else {"exchange": lambda a, b: False}
    with atomic.replace_dir(str(out), **kwargs) as tmp:
        (open(os.path.join(tmp, "README.md"), "w")).write("new")
    assert not out.is_symlink() and (out / "README.md").read_text() == "new"
    assert (victim / "README.md").read_text() == "precious"
    with atomic.replace_dir(str(out), **kwargs) as tmp:
        open(os.path.join(tmp, "gap.json"), "w").write("{}")
    assert sorted(os.listdir(out)) == ["gap.json"]
    assert sorted(os.listdir(tmp_path)) == ["out", "victim"]


def test_markdown_report_never_writes_through_planted_links(hostile_db, hostile_gap, md_dir,
                                                           tmp_path):
    out = tmp_path / "md"
    shutil.copytree(md_dir, out)
    victims = {}
    for name in ("README.md", "gap.csv"):
        victim = tmp_path / f"victim-{name}"
        victim.write_text("precious")
        (out / name).unlink()
        (out / name).symlink_to(victim)
        victims[name] = victim
    (out / "report.html").write_text("the interactive page")
    _rewrite(hostile_db, hostile_gap, str(out))
    for name, victim in victims.items():
        assert victim.read_text() == "precious"
        assert not (out / name).is_symlink()
    assert (out / "report.html").read_text() == "the interactive page"  # kept beside it


def test_markdown_report_refuses_a_folder_with_other_files(hostile_db, tmp_path):
    from gaplens.errors import ConfigError

    (tmp_path / "paper.tex").write_text("mine")
    with pytest.raises(ConfigError, match="not a gaplens report"):
        _md_report(hostile_db, str(tmp_path))
    assert (tmp_path / "paper.tex").read_text() == "mine"


def test_html_page_never_writes_through_planted_links(tmp_path, monkeypatch):
    from gaplens.report import html as page

    monkeypatch.setattr(page, "build", lambda inputs: {})
    monkeypatch.setattr(page, "render", lambda payload: "<!DOCTYPE html>new")
    target = tmp_path / "report.html"
    for planted in ("report.html", "report.html.tmp"):
        victim = tmp_path / f"victim-{planted}"
        victim.write_text("precious")
        if os.path.lexists(tmp_path / planted):
            os.unlink(tmp_path / planted)
        (tmp_path / planted).symlink_to(victim)
        page.write_html(None, str(target))
        assert victim.read_text() == "precious"
        assert target.read_text() == "<!DOCTYPE html>new" and not target.is_symlink()


def test_atomic_write_uses_fresh_names_and_leaves_nothing_on_failure(tmp_path):
    path = str(tmp_path / "out.txt")
    names = set()
    real = atomic.tempfile.mkstemp

    def spy(*args, **kwargs):
        fd, name = real(*args, **kwargs)
        names.add(name)
        return fd, name

    atomic.tempfile.mkstemp = spy
    try:
        atomic.write_text(path, "one")
        atomic.write_text(path, "two")
        with pytest.raises(RuntimeError):
            with atomic.open_atomic(path) as handle:
                handle.write("half")
                raise RuntimeError("interrupted")
    finally:
        atomic.tempfile.mkstemp = real
    assert len(names) == 3 and f"{path}.tmp" not in names
    assert open(path).read() == "two" and os.listdir(tmp_path) == ["out.txt"]


# --- arguments ---------------------------------------------------------------------------

TOMORROW = (dt.date.today() + dt.timedelta(days=1)).isoformat()
BAD_ARGUMENTS = [
    (["gap", "--seed", "-1"], "--seed must be at least 0"),
    (["index", "--top", "-5"], "--top must be at least 1"),
    (["report", "--out", ""], "--out is empty"),
    (["gap", "--at", "0001-01-01"], "before 2015-01-01"),
    (["gap", "--at", "1000-06-01"], "before 2015-01-01"),
    (["gap", "--at", TOMORROW], "in the future"),
    (["gap", "--at", "2025-02-30"], "'2025-02-30' is not a date"),
    (["gap", "--at", "20250101"], "not a date"),
    (["coverage", "--at", "2014-12-31"], "before 2015-01-01"),
    (["models", "--since", "0001-01-01"], "before 2015-01-01"),
    (["fit", "--since", "1999-01-01"], "before 2015-01-01"),
    (["ingest", "aa", "x.json", "--as-of", "2999-01-01"], "in the future"),
    (["gap", "--db", ""], "--db is empty"),
    (["models", "--db", "   "], "--db is empty"),
    (["gap", "--db", "a\x00b"], "control character"),
    (["gap", "--draws", "-1"], "--draws must be at least 0"),
    (["report", "--draws", "0"], "--draws must be at least 10"),
    (["composite", "--draws", "0"], "--draws must be at least 10"),
    (["fit", "--draws", "-5"], "--draws must be at least 0"),
    (["gap", "--window", "0"], "--window must be at least 1"),
    (["gap", "--on", "index", "--window", "-12"], "--window must be at least 1"),
    (["forecast", "--window", "0"], "--window must be at least 2"),
    (["gap", "--recent", "0"], "--recent must be at least 1"),
    (["coverage", "--recent", "-3"], "--recent must be at least 1"),
    (["gap", "--min-models", "0"], "--min-models must be at least 1"),
    (["realworld", "--min-models", "2"], "--min-models must be at least 3"),
    (["gap", "--tolerance", "nan"], "finite"),
    (["gap", "--tolerance", "1"], "below 1"),
    (["gap", "--tolerance", "-0.1"], "at least 0"),
    (["lifecycle", "--top-k", "1"], "--top-k must be at least 2"),
    (["fit", "--min-benchmarks", "0"], "--min-benchmarks must be at least 1"),
    (["fit", "--anchor-low-value", "inf"], "finite"),
    (["overfit", "--perms", "0"], "--perms must be at least 1"),
    (["overfit", "--min-results", "0"], "--min-results must be at least 1"),
    (["factors", "--dims", "4"], "--dims must be 2 or 3"),
    (["composite", "--kappa", "0"], "--kappa must be positive"),
    (["composite", "--kappa", "-1"], "--kappa must be at least 0"),
    (["models", "--domain", ""], "--domain is empty"),
    (["compare", "GPT-5", ""], "MODEL_B is empty"),
    (["predict", "GPT\x1b[2J"], "control character"),
    (["ingest", "csv", ""], "PATH is empty"),
    (["ingest", "inspect", "x", "--aliases", ""], "--aliases is empty"),
    (["gap", "--seed", "abc"], "Invalid value for '--seed'"),  # the parser's own errors
    (["gap", "--by", "cooking"], "Invalid value for '--by'"),
    (["gap", "--nope"], "No such option: --nope"),
    (["compare", "GPT-5"], "Missing argument"),
]


@pytest.mark.parametrize("argv,message", BAD_ARGUMENTS,
                         ids=[" ".join(a).replace("\x00", "NUL").replace("\x1b", "ESC")
                              for a, _ in BAD_ARGUMENTS])
def test_bad_arguments_give_one_line_and_exit_2(capsys, tmp_path, argv, message):
    from gaplens._cli.main import main

    before = set(os.listdir(tmp_path))
    default_db = os.environ["GAPLENS_DB"]
    code = main(argv)
    err = capsys.readouterr().err
    assert code == 2
    assert err.startswith("error: ") and err.count("\n") == 1 and message in err, err
    assert "\x1b" not in err and "\x00" not in err
    assert not os.path.exists(default_db)  # nothing fell back to the default warehouse
    assert set(os.listdir(tmp_path)) == before


def test_every_number_and_text_option_has_a_rule():
    from gaplens._cli import arguments
    from gaplens._cli.common import app
    from gaplens._cli.main import command

    command()  # every command registered and checked
    checked = list(arguments.parameters(app))
    assert len(checked) > 100
    missing = [(c, f) for c, f, _, _ in checked if arguments.rule_for(c, f) is None]
    assert missing == []


@pytest.mark.parametrize("day,ok", [("2015-01-01", True), ("2014-12-31", False),
                                    (dt.date.today().isoformat(), True), (TOMORROW, False)])
def test_date_range_edges(day, ok):
    from gaplens._cli import arguments
    from gaplens.errors import ConfigError

    if ok:
        arguments.date("--at", day)
    else:
        with pytest.raises(ConfigError):
            arguments.date("--at", day)
