"""What every command module shares: the Typer apps, consoles, options and renderers."""

from __future__ import annotations

import datetime as dt
import sys
from contextlib import contextmanager
from contextvars import ContextVar
from enum import Enum

import typer
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

from ..report import formatting, terminal
from ..types import OpenDefinition, OutputFormat, ReportFormat  # noqa: F401

app = typer.Typer(add_completion=False, no_args_is_help=True, pretty_exceptions_enable=False,
                  help="The open-vs-closed language-model gap, per domain, with intervals.",
                  epilog="Example: gaplens --quiet gap --by benchmark --format json")
ingest_app = typer.Typer(no_args_is_help=True, help="Load data into the warehouse.")
app.add_typer(ingest_app, name="ingest")

# Text is text on both consoles: names from data never run as markup or escape sequences.
out = terminal.SafeConsole(highlight=False, soft_wrap=False)
err = terminal.SafeConsole(stderr=True, highlight=False)


class By(str, Enum):
    DOMAIN = "domain"
    BENCHMARK = "benchmark"


class On(str, Enum):
    BENCHMARKS = "benchmarks"
    INDEX = "index"
    PUBLISHED = "published"


class Regularisation(str, Enum):
    LOG_ALPHA = "log-alpha"
    EPOCH = "epoch"
    SMALL = "small"


class BenchmarkSet(str, Enum):
    ALL = "all"
    EPOCH = "epoch"


class Mode(str, Enum):
    PROJECT = "project"
    REFIT = "refit"


# What the running command was given that its output's freshness needs: the warehouse
# (``db``) and the output format (``fmt``), recorded by the options' callbacks.
_RUN: ContextVar[dict | None] = ContextVar("gaplens_run", default=None)


def _remember(key: str):
    def remember(ctx: typer.Context, value):
        state = _RUN.get()
        if state is not None:
            state[key] = value
            state["command"] = ctx.info_name
        return value
    return remember


DbOption = typer.Option(None, "--db", help="Warehouse file (default: $GAPLENS_DB or "
                        "~/.local/share/gaplens/warehouse.duckdb).", callback=_remember("db"))
FormatOption = typer.Option(OutputFormat.TABLE, "--format", "-f", help="Output format.",
                            callback=_remember("fmt"))
OpenDefinitionOption = typer.Option(OpenDefinition.OPEN_WEIGHTS, "--open-definition",
                                    help="What counts as open: unrestricted, open-weights "
                                    "(usable commercially; default) or any-open; or a rung of "
                                    "the openness ladder and every more open one: open-source, "
                                    "permissive, use-bounded, non-commercial (gaplens "
                                    "openness).")
AtOption = typer.Option(None, "--at", help="As of this date (YYYY-MM-DD); default: the "
                        "newest release in the data.")
SeedOption = typer.Option(0, "--seed", help="Seed of the random draws (same seed, same "
                          "output).")
AliasOption = typer.Option(None, "--aliases", help="Your reviewed alias CSV (source, name, "
                           "model_id, note), layered on the bundled one.")


def _version(value: bool) -> None:
    if value:
        from importlib import metadata

        from .. import __version__

        try:  # the installed distribution's version; a source tree falls back to its own
            version = metadata.version("gaplens")
        except metadata.PackageNotFoundError:
            version = __version__
        out.print(f"gaplens {version}", markup=False, highlight=False)
        raise typer.Exit()


@app.callback()
def _root(
    quiet_: bool = typer.Option(False, "--quiet", "-q", help="No warnings on stderr (errors "
                                "still print). Put it before the command: gaplens --quiet "
                                "gap."),
    version: bool = typer.Option(False, "--version", is_eager=True, callback=_version,
                                 help="Print gaplens's version and exit."),
) -> None:
    """The open-vs-closed language-model gap, per domain, with intervals."""
    state = _RUN.get()
    if state is not None:
        state["quiet"] = quiet_


def today() -> dt.date:
    """The day ages are counted to (the local date; tests replace it)."""
    return dt.date.today()


def _freshness(state: dict):
    if "freshness" not in state:
        from .. import api

        state["freshness"] = api.freshness(state.get("db"), today())
    return state["freshness"]


@contextmanager
def stating_freshness():
    """Run one command so that its output states how current the data are: every JSON
    document gets a ``freshness`` block; :func:`print_freshness` prints the terminal lines."""
    state: dict = {}
    token = _RUN.set(state)
    try:
        # Only for a command given the warehouse through DbOption (else it would be a guess).
        with formatting.document_meta(lambda: {"freshness": _freshness(state).to_dict()}
                                      if "db" in state else {}):
            yield state
    finally:
        _RUN.reset(token)


def print_freshness(state: dict) -> None:
    """After a command's terminal output (not CSV or JSON, not --help): one dim line of
    data-through dates per source on stdout (part of the output, like a table's caption:
    JSON carries the same as ``freshness``) and, when the newest are over 90 days old, one
    warning naming ``gaplens update`` on stderr."""
    if "db" not in state or state.get("fmt", OutputFormat.TABLE) is not OutputFormat.TABLE:
        return
    f = _freshness(state)
    out.print(f.line(), style="dim", markup=False)
    if f.stale:
        warn(f.message)


def quiet() -> bool:
    """Whether the running command was given ``gaplens --quiet``."""
    return bool((_RUN.get() or {}).get("quiet"))


def warn(message: str) -> None:
    """One warning on stderr, as text (names from data are never markup); silent under
    ``gaplens --quiet``. Errors are never silenced (``main._error``)."""
    if not quiet():
        err.print(f"warning: {message}", style="yellow", markup=False, highlight=False)


@contextmanager
def progress_bar(label: str):
    """A progress callback for library functions; silent when stderr is not a terminal."""
    if not err.is_terminal:
        yield None
        return
    with Progress(TextColumn(label), BarColumn(), TextColumn("{task.completed}/{task.total}"),
                  TimeElapsedColumn(), console=err, transient=True) as bar:
        task = bar.add_task(label, total=None)

        def update(done: int, total: int) -> None:
            bar.update(task, completed=done, total=total)

        yield update


def emit_frame(frame, fmt: OutputFormat, columns: list[str], title: str | None = None, *,
               headers: dict[str, str] | None = None, optional: tuple[str, ...] = (),
               legend: str | None = None, name_width: int = 26) -> None:
    """A table as JSON (a document named after the command: its rows as ``rows``), CSV (the
    rows, nothing else) or a terminal table of ``columns`` that fits the console: short
    ``headers`` explained by one dim ``legend`` line, ``optional`` columns only when the
    console is wide enough; text columns at most ``name_width`` wide (``terminal.frame_table``)."""
    if fmt is OutputFormat.JSON:
        name = (_RUN.get() or {}).get("command", "table")
        sys.stdout.write(formatting.payload_json(f"gaplens.{name}/1", {}, {"rows": frame})
                         + "\n")
    elif fmt is OutputFormat.CSV:
        sys.stdout.write(formatting.frame_csv(frame))
    else:
        out.print(terminal.frame_table(frame, columns, title=title, headers=headers,
                                       optional=optional, width=out.width,
                                       name_width=name_width))
        if legend:
            out.print(legend, style="dim", markup=False)


def print_gap_table(result) -> None:
    out.print(terminal.gap_table(result, width=out.width))
    for line in terminal.gap_footer(result):
        out.print(line, style="dim", markup=False)
    print_warnings(result.warnings)


def print_ingest(report, fmt: OutputFormat = OutputFormat.TABLE) -> None:
    if fmt is not OutputFormat.TABLE:
        summary = report.summary_frame()
        if fmt is OutputFormat.CSV:
            sys.stdout.write(formatting.frame_csv(summary))
            return
        sys.stdout.write(formatting.payload_json(
            "gaplens.ingest/1", {"kind": report.kind, "path": report.path,
                                 "source_id": report.source_id},
            {"counts": summary, "matches": report.matches, "rejected": report.rejected,
             "conflicts": report.conflicts}) + "\n")
        return
    out.print(terminal.frame_table(report.summary_frame(),
                                   ["table", "added", "updated", "unchanged", "conflicts"],
                                   title=f"Ingested {report.path}"))
    if len(report.rejected):
        reasons = report.rejected["reason"].str.replace(r"'[^']*'", "'…'", regex=True)
        counts = reasons.value_counts()
        out.print(f"{len(report.rejected)} rows rejected:")
        for reason, n in counts.head(8).items():
            out.print(f"  {n:5d}  {reason}")
        if len(counts) > 8:
            out.print(f"  ... {len(counts) - 8} more reasons ('gaplens sources' and the "
                      "warehouse's rejected table list every row)")
    if len(report.matches):
        counts = report.matches["how"].value_counts()
        kinds = ["exact", "alias", "folded", "new", "ambiguous", "unmatched"]
        kinds += sorted(set(counts.index) - set(kinds))  # every way a name was matched
        out.print("Model names: " + ", ".join(f"{counts.get(h, 0)} {h}" for h in kinds
                                             if h != "folded" or counts.get(h, 0)))
        folded = report.matches.loc[report.matches["how"] == "folded"]
        if len(folded):
            shown = ", ".join(f"{n} -> {m}" for n, m in zip(folded["name"].astype(str).head(5),
                                                            folded["model_id"].astype(str)))
            out.print(f"  folded (look-alike spelling of a stored model): {shown}")
        for how in ("ambiguous", "unmatched"):
            rows = report.matches.loc[report.matches["how"] == how]
            if len(rows):
                shown = ", ".join(rows["name"].astype(str).head(10))
                more = f" and {len(rows) - 10} more" if len(rows) > 10 else ""
                out.print(f"  {how}: {shown}{more} (their rows are listed as rejected; map "
                          "them with --aliases FILE: source, name, model_id, note)")
    if len(report.conflicts):
        out.print(f"{len(report.conflicts)} values disagreed with an existing source and "
                  "were not overwritten")


def _print_result(result, fmt: OutputFormat, schema: str, settings: dict, tables: dict,
                  table, footer: str) -> None:
    """One result as JSON (every table), CSV (its rows) or a terminal table with its footer
    and warnings (warnings quote names from data: printed as text, never markup)."""
    if fmt is OutputFormat.JSON:
        sys.stdout.write(formatting.payload_json(schema, settings, tables, result.warnings)
                         + "\n")
    elif fmt is OutputFormat.CSV:
        sys.stdout.write(formatting.frame_csv(result.table))
    else:
        out.print(table(result))
        out.print(footer, style="dim", markup=False)
        print_warnings(result.warnings)


def print_index_gap(result, fmt: OutputFormat) -> None:
    s = result.settings
    settings = {"as_of": s.as_of, "open_definition": s.open_definition,
                "windows": list(s.windows), "ci": s.ci, "min_models": s.min_models}
    _print_result(result, fmt, "gaplens.index-gap/1", settings,
                  {"rows": result.table, "timeline": result.timeline},
                  terminal.index_gap_table, terminal.INDEX_GAP_FOOTER)


def print_published_lag(result, fmt: OutputFormat) -> None:
    from ..analysis.gap import settings_dict

    _print_result(result, fmt, "gaplens.published-lag/1", settings_dict(result.settings),
                  {"rows": result.table}, terminal.published_lag_table,
                  terminal.PUBLISHED_LAG_FOOTER)


def print_warnings(warnings) -> None:
    """Each warning on stderr (see :func:`warn`)."""
    for w in warnings:
        warn(w)
