"""Every command-line option and argument checked before a command runs.

One table (``RULES``) says what each option accepts; :func:`install` attaches the checks to
the Click commands that Typer builds, so a bad value stops the command with a one-line
``error:`` and exit code 2 (``main.py``) before any work. Numbers are checked against their
range, dates against the form YYYY-MM-DD and the years the data can cover (2015 to today),
paths and names against being empty or holding control characters. A test walks every
command and fails if a number or text option has no rule.
"""

from __future__ import annotations

import datetime as dt
import inspect
import math
import re
import typing
from dataclasses import dataclass
from typing import Callable

import typer

from .._util.inert import plain
from ..errors import ConfigError

EARLIEST = dt.date(2015, 1, 1)  # before any model of the bundled data
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")


def _shown(value) -> str:
    text = plain(value)
    return f"'{text[:60]}…'" if len(text) > 60 else f"'{text}'"


@dataclass(frozen=True)
class Number:
    """A whole or real number in [low, high] (either end open when None), finite."""

    low: float | None = None
    high: float | None = None
    below: float | None = None  # strict upper bound

    def __call__(self, flag: str, value) -> None:
        if isinstance(value, float) and not math.isfinite(value):
            raise ConfigError(f"{flag} must be a finite number, not {value}")
        if self.low is not None and value < self.low:
            raise ConfigError(f"{flag} must be at least {_num(self.low)}, not {_num(value)}")
        if self.high is not None and value > self.high:
            raise ConfigError(f"{flag} must be at most {_num(self.high)}, not {_num(value)}")
        if self.below is not None and value >= self.below:
            raise ConfigError(f"{flag} must be below {_num(self.below)}, not {_num(value)}")


def _num(value) -> str:
    return f"{value:g}" if isinstance(value, float) else str(value)


def date(flag: str, value: str) -> None:
    """A calendar date YYYY-MM-DD from 2015-01-01 to today."""
    if not _DATE.fullmatch(value):
        raise ConfigError(f"{flag} {_shown(value)} is not a date (expected YYYY-MM-DD)")
    try:
        day = dt.date.fromisoformat(value)
    except ValueError:
        raise ConfigError(f"{flag} {_shown(value)} is not a date (expected YYYY-MM-DD)") \
            from None
    if day < EARLIEST:
        raise ConfigError(f"{flag} {day} is before {EARLIEST}: no model data are that old")
    if day > dt.date.today():
        raise ConfigError(f"{flag} {day} is in the future")


def path(flag: str, value: str) -> None:
    """A file or folder name: not empty, no control characters (NUL included)."""
    if not value.strip():
        raise ConfigError(f"{flag} is empty: give a file or folder name")
    if _CONTROL.search(value):
        raise ConfigError(f"{flag} {_shown(value)} holds a control character")


def text(flag: str, value: str) -> None:
    """A name (model, domain, benchmark, ...): not empty, one line, no control characters."""
    if not value.strip():
        raise ConfigError(f"{flag} is empty")
    if _CONTROL.search(value):
        raise ConfigError(f"{flag} {_shown(value)} holds a control character")


def note(flag: str, value: str) -> None:
    """Free text that may be empty: one line, no control characters."""
    if _CONTROL.search(value):
        raise ConfigError(f"{flag} {_shown(value)} holds a control character")


def url(flag: str, value: str) -> None:
    """An http(s) address."""
    text(flag, value)
    if not re.match(r"https?://[^\s/]+", value):
        raise ConfigError(f"{flag} {_shown(value)} is not an http(s) address")


def db(flag: str, value: str) -> None:
    """The warehouse: a file name; an empty one is refused rather than read as 'default'."""
    if not value.strip():
        raise ConfigError(f"{flag} is empty: give a warehouse file, or leave {flag} out for "
                          "$GAPLENS_DB or the default warehouse")
    path(flag, value)


def _dims(flag: str, value) -> None:
    if value not in (2, 3):
        raise ConfigError(f"{flag} must be 2 or 3, not {value}")


def _kappa_positive(flag: str, value) -> None:
    Number(low=0.0)(flag, value)
    if value == 0:
        raise ConfigError(f"{flag} must be positive, not 0")


SEED = Number(low=0)
COUNT = Number(low=1)
MONTHS = Number(low=1)

# (command, flag) first, then flag alone. A command is named as typed ("ingest csv").
RULES: dict[tuple[str, str] | str, Callable[[str, object], None]] = {
    "--db": db,
    "--seed": SEED,
    "--at": date, "--since": date, "--until": date, "--as-of": date, "--retrieved-on": date,
    "--draws": Number(low=0),  # 0: estimates without intervals
    ("report", "--draws"): Number(low=10),
    ("composite", "--draws"): Number(low=10),
    ("claims", "--draws"): Number(low=20),  # the domains' pairwise differences
    "--min-models": COUNT,
    ("realworld", "--min-models"): Number(low=3),  # a rank correlation needs three
    "--window": MONTHS,
    ("forecast", "--window"): Number(low=2),  # a trend needs two months
    "--recent": MONTHS,
    "--tolerance": Number(low=0.0, below=1.0),  # normalised units
    "--top": COUNT,
    "--top-k": Number(low=2),  # a spread needs two models
    "--within": Number(low=0.0),  # index points below the frontier
    "--min-benchmarks": COUNT,
    "--min-results": COUNT,
    "--perms": COUNT,
    "--dims": _dims,
    "--kappa": _kappa_positive,
    "--anchor-low-value": Number(), "--anchor-high-value": Number(),
    "--out": path, "--aliases": path, "--benchmarks": path, "PATH": path,
    "--benchmark-claims": path,
    "--domain": text, "--organization": text, "--country": text, "--accessibility": text,
    "--version": text, "--metric": text, "--predictor": text, "--target": text,
    "--split": text, "--benchmark": text, "--anchor-benchmark": text, "--anchor-low": text,
    "--anchor-high": text, "MODEL": text, "MODEL_A": text, "MODEL_B": text,
    ("update", "NAMES"): text, "--mirror": url,
    "--label": text, "--note": note,
    "--from": text, "--to": text, "--at-from": date, "--at-to": date,
    ("export", "--source"): text, ("export", "--model"): text,
}


def _base(annotation):
    """int, float or str behind Optional[...] / List[...]; None for anything else."""
    for arg in (*typing.get_args(annotation), annotation):
        if arg in (int, float, str):
            return arg
        inner = typing.get_args(arg)
        if inner and any(a in (int, float, str) for a in inner):
            return next(a for a in inner if a in (int, float, str))
    return None


def _flag(pname: str, info) -> str:
    long = [d for d in (info.param_decls or ()) if d.startswith("--")]
    return long[0] if long else (f"--{pname.replace('_', '-')}"
                                 if isinstance(info, typer.models.OptionInfo)
                                 else pname.upper())


def parameters(app: typer.Typer, prefix: str = ""):
    """(command as typed, flag, base type, parameter info) for every option and argument of
    every command of ``app`` whose value is a number or text (closed sets and switches are
    checked by their type)."""
    for info in app.registered_commands:
        func = info.callback
        name = prefix + (info.name or func.__name__.replace("_", "-"))
        hints = typing.get_type_hints(func)
        for pname, p in inspect.signature(func).parameters.items():
            if not isinstance(p.default, typer.models.ParameterInfo):
                continue
            base = _base(hints.get(pname))
            if base is not None:
                yield name, _flag(pname, p.default), base, p.default
    for group in app.registered_groups:
        yield from parameters(group.typer_instance, f"{prefix}{group.name} ")


def rule_for(command: str, flag: str):
    return RULES.get((command, flag), RULES.get(flag))


def _callback(checks: dict[str, Callable], flag: str, previous):
    """One option's check; ``checks`` maps the command being run to its rule (an option
    object may be shared by several commands)."""

    takes_ctx = previous is not None and len(inspect.signature(previous).parameters) > 1

    def callback(ctx: typer.Context, value):
        if previous is not None:
            value = previous(ctx, value) if takes_ctx else previous(value)
        command = " ".join(ctx.command_path.split()[1:])
        check = checks.get(command)
        if check is not None and value is not None:
            for v in (value if isinstance(value, (list, tuple)) else [value]):
                if v is not None:
                    check(flag, v)
        return value

    return callback


def install(app: typer.Typer) -> typer.Typer:
    """Attach each option's rule to every command of ``app`` (once); returns ``app``."""
    if getattr(app, "_gaplens_checked", False):
        return app
    shared: dict[int, tuple[typer.models.ParameterInfo, str, dict]] = {}
    for command, flag, _, info in parameters(app):
        check = rule_for(command, flag)
        if check is None:
            continue
        entry = shared.setdefault(id(info), (info, flag, {}))
        entry[2][command] = check
    for info, flag, checks in shared.values():
        info.callback = _callback(checks, flag, info.callback)
    app._gaplens_checked = True
    return app
