"""Declarative field parsing at the ingest boundary.

A source declares its columns as :class:`Field` objects; :func:`parse_fields` turns
raw text columns into typed columns and raises :class:`~gaplens.errors.InputError`
naming the file, row and field of the first bad value. Rows are numbered as a
spreadsheet shows them: the header is row 1, the first data row is row 2.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Literal

import numpy as np
import pandas as pd

from ..errors import InputError
from ..types import Accessibility
from .validate import EARLIEST, MAX_NAME, MAX_TEXT, check_size, clean_series, exact_key, fold_key

Kind = Literal["str", "float", "date", "bool", "accessibility"]

#: Text fields that may be longer than a name (MAX_TEXT rather than MAX_NAME characters).
LONG_TEXT = {"notes", "description", "reason", "source_url", "license", "licence", "note",
             "setting_columns", "ci", "file"}

_TRUE = {"true", "t", "yes", "y", "1", "open"}
_FALSE = {"false", "f", "no", "n", "0", "closed"}


@dataclass(frozen=True)
class Field:
    """One input column: its name in the file, its kind and whether it must be present."""

    name: str
    kind: Kind = "str"
    required: bool = False
    nullable: bool = True
    aliases: tuple[str, ...] = ()


def read_csv_text(path: str, data: bytes | None = None) -> pd.DataFrame:
    """Read a CSV as text columns. ``data`` may hold the bytes (e.g. from a zip member)."""
    import io

    check_size(path, data, kind="csv")
    _check_header(path, data)
    source = io.BytesIO(data) if data is not None else path
    try:
        # Blank lines are kept (as empty rows, dropped below) so that row numbers stay
        # those of the file.
        frame = pd.read_csv(source, dtype=str, keep_default_na=False, na_values=[""],
                            skip_blank_lines=False)
    except pd.errors.EmptyDataError:
        raise InputError(path, "the file is empty (no header row)") from None
    except pd.errors.ParserError as exc:
        raise InputError(path, f"not a readable CSV file ({str(exc).splitlines()[0]})") from None
    except UnicodeDecodeError:
        raise InputError(path, "not a UTF-8 text CSV file") from None
    except FileNotFoundError:
        raise InputError(path, "no such file") from None
    except IsADirectoryError:
        raise InputError(path, "is a folder, expected a CSV file") from None
    if not isinstance(frame.index, pd.RangeIndex):
        # pandas takes the first column(s) as an index when a row has more fields than
        # the header: every value would shift one column to the left.
        raise InputError(path, "a row has more fields than the header has columns")
    frame.columns = [str(c).strip() for c in frame.columns]
    frame = frame.dropna(how="all")
    if frame.empty:
        raise InputError(path, "the file has a header but no data rows")
    return frame


def _check_header(path: str, data: bytes | None) -> None:
    """Refuse a header that names one column twice (exactly or in another case): which of
    the two a reader would use is an accident of the parser."""
    import csv
    import io

    if data is None:
        try:
            with open(path, "rb") as handle:
                head = handle.read(1 << 16)
        except OSError:
            return  # pandas says what is wrong with the file
    else:
        head = bytes(data[:1 << 16])
    text = head.decode("utf-8-sig", errors="replace")
    try:
        header = next(csv.reader(io.StringIO(text)), [])
    except csv.Error:
        return
    seen: dict[str, str] = {}
    for name in header:
        key = name.strip().lower()
        if not key:
            continue
        if key in seen:
            raise InputError(path, f"column '{name.strip()}' appears twice in the header "
                                   f"(as '{seen[key]}' too)", field=name.strip())
        seen[key] = name.strip()


def resolve_columns(frame: pd.DataFrame, fields: list[Field], file: str) -> dict[str, str]:
    """Map each declared field to the column that holds it; error on a missing required one."""
    lower = {c.lower(): c for c in frame.columns}
    found: dict[str, str] = {}
    for f in fields:
        for candidate in (f.name, *f.aliases):
            if candidate.lower() in lower:
                found[f.name] = lower[candidate.lower()]
                break
        else:
            if f.required:
                raise InputError(file, f"missing required column '{f.name}'", field=f.name)
    return found


def row_number(index: int) -> int:
    """Spreadsheet row number of the 0-based data record ``index``."""
    return int(index) + 2


def check_rows(bad, values: pd.Series, file: str, field: str, message) -> None:
    """Raise an InputError at the first row where ``bad`` holds.

    ``message`` is a string or a function of that row's raw value.
    """
    mask = np.asarray(bad, dtype=bool)
    if mask.any():
        i = int(np.flatnonzero(mask)[0])
        text = message(values.iloc[i]) if callable(message) else message
        raise InputError(file, text, row=row_number(values.index[i]), field=field)


def _blank(text: pd.Series) -> np.ndarray:
    return (text.isna() | (text == "")).to_numpy(dtype=bool)


def parse_float(values: pd.Series, file: str, field: str, nullable: bool = True) -> pd.Series:
    text = values.astype("string").str.strip()
    out = pd.to_numeric(text, errors="coerce").astype(float)
    missing = out.isna().to_numpy()
    check_rows(missing & ~_blank(text), values, file, field, lambda v: f"'{v}' is not a number")
    check_rows(np.isinf(out.to_numpy()), values, file, field, "the value is infinite")
    if not nullable:
        check_rows(missing, values, file, field, "the value is missing")
    return out


def parse_date(
    values: pd.Series,
    file: str,
    field: str,
    nullable: bool = True,
    not_after: dt.date | None = None,
    not_before: dt.date | None = EARLIEST,
) -> pd.Series:
    """Parse ISO dates (YYYY-MM-DD, YYYY/MM/DD, or an ISO timestamp); error on anything else.

    Ambiguous forms such as 03/04/2024 are refused rather than guessed. A timestamp is the
    date in its own time zone (``2026-03-17T23:30:00-05:00`` is 2026-03-17), as its
    publisher wrote it. Dates before ``not_before`` are refused.
    """
    text = values.astype("string").str.strip()
    iso = text.str.fullmatch(r"\d{4}[-/]\d{1,2}[-/]\d{1,2}([ T].*)?").fillna(False).astype(bool)
    cleaned = text.where(iso).str.replace("/", "-", regex=False)
    # The whole timestamp must be valid; the date is its first part, in its own zone.
    whole = pd.to_datetime(cleaned, errors="coerce", format="ISO8601", utc=True)
    day = cleaned.str.extract(r"^(\d{4}-\d{1,2}-\d{1,2})", expand=False)
    out = pd.to_datetime(day, errors="coerce", format="%Y-%m-%d")
    out = out.where(whole.notna().to_numpy())
    missing = out.isna().to_numpy()
    check_rows(missing & ~_blank(text), values, file, field,
               lambda v: f"'{v}' is not a date (expected YYYY-MM-DD)")
    if not nullable:
        check_rows(missing, values, file, field, "the date is missing")
    out = out.dt.normalize().astype("datetime64[s]")
    if not_before is not None:
        early = (out < pd.Timestamp(not_before)).to_numpy()
        check_rows(early, out, file, field,
                   lambda v: f"date {v.date()} is before {not_before} (not a plausible date)")
    if not_after is not None:
        future = (out > pd.Timestamp(not_after)).to_numpy()
        check_rows(future, out, file, field,
                   lambda v: f"date {v.date()} is in the future (after {not_after})")
    return out


def parse_bool(values: pd.Series, file: str, field: str) -> pd.Series:
    text = values.astype("string").str.strip().str.lower()
    out = pd.Series(pd.NA, index=values.index, dtype="boolean")
    out[text.isin(_TRUE).fillna(False).to_numpy(dtype=bool)] = True
    out[text.isin(_FALSE).fillna(False).to_numpy(dtype=bool)] = False
    check_rows(out.isna().to_numpy() & ~_blank(text), values, file, field,
               lambda v: f"'{v}' is not true/false")
    return out


def parse_accessibility(values: pd.Series, file: str, field: str) -> pd.Series:
    parsed = []
    for idx, raw in values.items():
        try:
            parsed.append(Accessibility.parse(raw).value)
        except ValueError as exc:
            raise InputError(file, str(exc), row=row_number(idx), field=field) from None
    return pd.Series(parsed, index=values.index, dtype="string")


def parse_str(values: pd.Series, file: str, field: str, nullable: bool = True) -> pd.Series:
    """Text normalised as every name is (``validate.clean_text``): NFC, invisible
    characters removed, whitespace folded; control characters and over-long text refused."""
    limit = MAX_TEXT if field.lower() in LONG_TEXT else MAX_NAME
    out = clean_series(values.astype("string"), file, field, limit=limit).astype("string")
    out = out.mask(out == "")
    if not nullable:
        check_rows(out.isna().to_numpy(), values, file, field, "the value is missing")
    return out


def name_index(models: pd.DataFrame) -> dict[str, str]:
    """Lower-cased model id and display name -> model id, for case-insensitive matching
    (keys as ``validate.exact_key`` makes them)."""
    lookup: dict[str, str] = {}
    for row in models.itertuples():
        lookup.setdefault(exact_key(row.model_id), row.model_id)
        if isinstance(row.display_name, str):
            lookup.setdefault(exact_key(row.display_name), row.model_id)
    return lookup


def fold_index(models: pd.DataFrame) -> dict[str, set[str]]:
    """Look-alike key (``validate.fold_key``) of model ids and display names -> model ids."""
    lookup: dict[str, set[str]] = {}
    for row in models.itertuples():
        for value in (row.model_id, row.display_name):
            if isinstance(value, str) and value.strip():
                lookup.setdefault(fold_key(value), set()).add(row.model_id)
    return lookup


def parse_fields(
    frame: pd.DataFrame,
    fields: list[Field],
    file: str,
    today: dt.date | None = None,
    earliest: dt.date | None = EARLIEST,
) -> pd.DataFrame:
    """Typed frame with one column per declared field present in ``frame``; dates before
    ``earliest`` or after ``today`` are refused."""
    columns = resolve_columns(frame, fields, file)
    out = pd.DataFrame(index=frame.index)
    for f in fields:
        if f.name not in columns:
            continue
        raw = frame[columns[f.name]]
        nullable = f.nullable
        if f.kind == "float":
            out[f.name] = parse_float(raw, file, f.name, nullable)
        elif f.kind == "date":
            out[f.name] = parse_date(raw, file, f.name, nullable, not_after=today,
                                       not_before=earliest)
        elif f.kind == "bool":
            out[f.name] = parse_bool(raw, file, f.name)
        elif f.kind == "accessibility":
            out[f.name] = parse_accessibility(raw, file, f.name)
        else:
            out[f.name] = parse_str(raw, file, f.name, nullable)
    return out
