"""What gets in: the rules every source's data pass before they reach the warehouse.

Readers call the text and size helpers on the way in (so a refusal names the file, row
and field); :func:`validate_batch` checks every :class:`~gaplens.ingest.batch.IngestBatch`
once more, whatever reader made it, before the warehouse writes a row.

Names. A name is normalised once: Unicode NFC; the invisible characters of
``INVISIBLE`` (zero-width space/joiners, WORD JOINER, BOM, soft hyphen) removed; runs of
whitespace (tabs and no-break spaces too) folded to one space; then it must hold no other
control character (NUL, CR, LF, ESC, bidirectional overrides...) and at most
``MAX_NAME`` characters. Two names are *look-alikes* when their :func:`fold_key`\\ s are
equal: NFKC (fullwidth forms), the hyphens and minus signs of ``_HYPHENS`` as ``-``, the
Cyrillic and Greek letters of ``_LOOKALIKES`` as the Latin letters they look like, case
folded. The table is small and explicit (no new dependency); docs/validation.md lists it.

Values. Release and snapshot dates lie in ``[EARLIEST, today]``; standard errors, votes,
prices and token counts are >= 0; ranks >= 1; LMArena ratings in ``[0, 5000]``; every
number is finite.

Sizes. A CSV or JSON file is at most ``MAX_FILE_BYTES``; a CSV field (or a JSON run
between quotes and commas) at most ``MAX_FIELD_BYTES``: both are checked on the bytes, in
fixed-size chunks, before pandas or json parse anything, so a 200 MB cell costs a few MB.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import os
import re
import unicodedata

import numpy as np
import pandas as pd

from ..errors import InputError

MAX_NAME = 200  # characters of a name (model, version, benchmark, organization, ...)
MAX_TEXT = 2000  # characters of any other text field (notes, URLs, licences)
MAX_FIELD_BYTES = 1 << 20  # 1 MiB: one CSV cell, one JSON string
MAX_FILE_BYTES = 512 << 20  # 512 MiB: one CSV or JSON file
MAX_JSON_DEPTH = 64  # levels of arrays and objects (real files use fewer than 10)
EARLIEST = dt.date(2015, 1, 1)  # no model release or snapshot before this date
EARLIEST_BENCHMARK = dt.date(1990, 1, 1)  # benchmarks are older than the models here
MAX_RATING = 5000.0  # LMArena ratings (Elo-like; the bundled ones lie in 796..1583)
_CHUNK = 1 << 20

#: Removed from every name: they are invisible and only make twins.
INVISIBLE = "\u200b\u200c\u200d\u2060\ufeff\u00ad\u180e\u200e\u200f"
_REMOVE = dict.fromkeys(map(ord, INVISIBLE))
#: Refused in every name besides the C0/C1 controls: they reorder or break the text.
_FORBIDDEN = set("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u2028\u2029")
_HYPHENS = "\u2010\u2011\u2012\u2013\u2014\u2015\u2212\ufe58\ufe63\uff0d"
#: Cyrillic and Greek letters drawn like Latin ones, and the Latin letter they fold to.
_LOOKALIKES = {
    # Cyrillic
    "а": "a", "в": "b", "е": "e", "к": "k", "м": "m", "н": "h", "о": "o", "р": "p",
    "с": "c", "т": "t", "у": "y", "х": "x", "і": "i", "ј": "j", "ѕ": "s", "ԁ": "d",
    "һ": "h", "ԛ": "q", "ԝ": "w", "ѵ": "v", "ӏ": "l",
    "А": "A", "В": "B", "Е": "E", "К": "K", "М": "M", "Н": "H", "О": "O", "Р": "P",
    "С": "C", "Т": "T", "У": "Y", "Х": "X", "І": "I", "Ј": "J", "Ѕ": "S", "Ԛ": "Q",
    "Ԝ": "W",
    # Greek
    "Α": "A", "Β": "B", "Ε": "E", "Ζ": "Z", "Η": "H", "Ι": "I", "Κ": "K", "Μ": "M",
    "Ν": "N", "Ο": "O", "Ρ": "P", "Τ": "T", "Υ": "Y", "Χ": "X",
    "ο": "o", "ν": "v", "ρ": "p", "ι": "i", "κ": "k", "υ": "u", "α": "a",
    # Latin
    "ı": "i",
}
_FOLD = str.maketrans({**{h: "-" for h in _HYPHENS}, **_LOOKALIKES})
_SPACES = re.compile(r"\s+")


# -- names ---------------------------------------------------------------------------------

def _bad_char(text: str, allowed: str = "\t") -> str | None:
    for ch in text:
        if (unicodedata.category(ch) == "Cc" and ch not in allowed) or ch in _FORBIDDEN:
            return ch
    return None


def clean_text(value, file: str, field: str | None = None, row: int | None = None,
               limit: int = MAX_NAME):
    """The normalised form of one name (see the module docstring); non-strings pass.

    Whitespace at either end (a trailing line break too) is dropped; inside a name a control
    character (a line break too) or an over-long name is a one-line InputError. Text longer
    than a name (``limit`` > ``MAX_NAME``: notes, descriptions) may hold line breaks, which
    fold to spaces."""
    if not isinstance(value, str):
        return value
    text = unicodedata.normalize("NFC", value).translate(_REMOVE).strip()
    bad = _bad_char(text, "\t" if limit <= MAX_NAME else "\t\n\r")
    if bad is not None:
        raise InputError(file, f"control character U+{ord(bad):04X} in a name or text field",
                         row=row, field=field)
    text = _SPACES.sub(" ", text).strip()
    if len(text) > limit:
        raise InputError(file, f"{len(text)} characters long (at most {limit})",
                         row=row, field=field)
    return text


def clean_series(values: pd.Series, file: str, field: str, rows=None,
                 limit: int = MAX_NAME) -> pd.Series:
    """:func:`clean_text` over a column (each distinct value once); ``rows`` gives the
    file's row number of each entry (default: the spreadsheet row of the index)."""
    if values.empty:
        return values
    done: dict = {}
    out = []
    for i, value in enumerate(values.tolist()):
        if not isinstance(value, str):
            out.append(value)
            continue
        if value not in done:
            row = None
            if rows is not None:
                row = rows[i] if not isinstance(rows, pd.Series) else rows.iloc[i]
                row = None if row is None or pd.isna(row) else int(row)
            else:
                try:
                    row = int(values.index[i]) + 2
                except (TypeError, ValueError):
                    row = None
            done[value] = clean_text(value, file, field, row, limit)
        out.append(done[value])
    return pd.Series(out, index=values.index, dtype=values.dtype if values.dtype != object
                     else object)


def exact_key(name: object) -> str:
    """The key of an exact match: normalised, case-insensitive."""
    text = unicodedata.normalize("NFC", str(name)).translate(_REMOVE)
    return _SPACES.sub(" ", text).strip().lower()


def fold_key(name: object) -> str:
    """The key of a look-alike match: NFKC, hyphens, Cyrillic/Greek look-alikes, case."""
    text = unicodedata.normalize("NFKC", str(name)).translate(_REMOVE).translate(_FOLD)
    return _SPACES.sub(" ", text).strip().casefold()


# -- sizes and JSON --------------------------------------------------------------------------

def _file_size(path: str) -> int:
    try:
        return os.path.getsize(path)
    except FileNotFoundError:
        raise InputError(path, "no such file") from None
    except OSError as exc:
        raise InputError(path, f"cannot read the file ({exc.strerror or exc})") from None


def _longest_run(chunks, separators: bytes) -> int:
    """The longest run of bytes without any of ``separators``, streaming over chunks."""
    longest = run = 0
    seps = np.frombuffer(separators, dtype=np.uint8)
    for chunk in chunks:
        arr = np.frombuffer(chunk, dtype=np.uint8)
        hits = np.flatnonzero(np.isin(arr, seps))
        if len(hits) == 0:
            run += len(arr)
            longest = max(longest, run)
            continue
        longest = max(longest, run + int(hits[0]))
        if len(hits) > 1:
            longest = max(longest, int(np.diff(hits).max()) - 1)
        run = len(arr) - int(hits[-1]) - 1
        longest = max(longest, run)
    return longest


def _chunks(path: str, data: bytes | None):
    if data is not None:
        view = memoryview(data)
        for start in range(0, len(data), _CHUNK):
            yield view[start:start + _CHUNK]
        return
    with open(path, "rb") as handle:
        while chunk := handle.read(_CHUNK):
            yield chunk


def check_size(path: str, data: bytes | None = None, kind: str = "csv") -> None:
    """Refuse a file over ``MAX_FILE_BYTES`` or with a field over ``MAX_FIELD_BYTES``,
    reading at most one chunk at a time (``data``: the bytes, e.g. of a zip member).
    ``kind``: ``csv``, ``json`` or ``binary`` (parquet: the file size only)."""
    size = len(data) if data is not None else _file_size(path)
    if os.path.isdir(path) and data is None:
        return
    if size > MAX_FILE_BYTES:
        raise InputError(path, f"the file is {size / 2**20:.0f} MiB (at most "
                               f"{MAX_FILE_BYTES >> 20} MiB)")
    if size <= MAX_FIELD_BYTES or kind == "binary":
        return
    separators = b",\n\r" if kind == "csv" else b'",\n\r'
    longest = _longest_run(_chunks(path, data), separators)
    if longest > MAX_FIELD_BYTES:
        raise InputError(path, f"a field of {longest / 2**20:.1f} MiB (at most "
                               f"{MAX_FIELD_BYTES >> 20} MiB per field)")


def load_json(path: str, data: bytes | None = None, label: str | None = None):
    """A JSON document from a file (or ``data``): size-checked, a UTF-8 BOM accepted as
    in a CSV, nesting too deep for the parser a one-line InputError."""
    where = label or path
    if data is None:
        check_size(path, kind="json")
        try:
            with open(path, "rb") as handle:
                data = handle.read()
        except FileNotFoundError:
            raise InputError(where, "no such file") from None
        except IsADirectoryError:
            raise InputError(where, "is a folder, expected a JSON file") from None
    else:
        check_size(where, data, kind="json")
    try:
        doc = json.loads(bytes(data).decode("utf-8-sig"), object_pairs_hook=_unique_keys)
    except _DuplicateKey as exc:
        raise InputError(where, f"key '{exc.args[0]}' appears twice in one JSON object",
                         field=str(exc.args[0])[:MAX_NAME]) from None
    except UnicodeDecodeError:
        raise InputError(where, "not a UTF-8 JSON file") from None
    except json.JSONDecodeError as exc:
        raise InputError(where, f"not a readable JSON file ({exc})") from None
    except RecursionError:
        raise InputError(where, "not a readable JSON file (nested too deeply)") from None
    if _depth(doc) > MAX_JSON_DEPTH:
        raise InputError(where, f"JSON nested more than {MAX_JSON_DEPTH} levels deep")
    return doc


class _DuplicateKey(Exception):
    pass


def _unique_keys(pairs: list) -> dict:
    """A JSON object; a key given twice is refused (the parser would keep the last)."""
    out = dict(pairs)
    if len(out) != len(pairs):
        seen = set()
        for key, _ in pairs:
            if key in seen:
                raise _DuplicateKey(key)
            seen.add(key)
    return out


def _depth(doc) -> int:
    """How deeply arrays and objects nest in ``doc`` (without recursion)."""
    deepest = 0
    stack = [(doc, 1)]
    while stack:
        node, level = stack.pop()
        if isinstance(node, dict):
            node = node.values()
        elif not isinstance(node, list):
            continue
        deepest = max(deepest, level)
        if level > MAX_JSON_DEPTH:
            return level
        stack.extend((child, level + 1) for child in node
                     if isinstance(child, (dict, list)))
    return deepest


# -- dates and values ----------------------------------------------------------------------

def date_bounds(earliest: dt.date = EARLIEST, today: dt.date | None = None):
    return pd.Timestamp(earliest), pd.Timestamp(today or dt.date.today())


def _as_timestamps(values: pd.Series) -> pd.Series:
    if pd.api.types.is_datetime64_any_dtype(values):
        return values
    return pd.to_datetime(pd.Series(values, dtype=object), errors="coerce")


#: (signal pattern, low, high) of the values a signal may take (None: unbounded).
SIGNAL_RANGES = [
    (re.compile(r"lmarena\.[a-z0-9_-]+_rank"), 1.0, None),
    (re.compile(r"lmarena\.[a-z0-9_-]+_(votes|ci)"), 0.0, None),
    (re.compile(r"lmarena\.[a-z0-9_-]+"), 0.0, MAX_RATING),
    (re.compile(r"openrouter\.rank"), 1.0, None),
    (re.compile(r"openrouter\.(tokens|share)"), 0.0, None),
    (re.compile(r"aa\.price_[a-z_]+"), 0.0, None),
    (re.compile(r"livebench\.[a-z0-9_]+"), 0.0, 100.0),
]


def _signal_range(signal: str):
    for pattern, low, high in SIGNAL_RANGES:
        if pattern.fullmatch(signal):
            return low, high
    return None, None


class _Where:
    """Where to point at a bad value of one frame of a batch."""

    def __init__(self, frame: pd.DataFrame, default_file: str):
        self.frame = frame
        self.default = default_file

    def at(self, i: int) -> tuple[str, int | None]:
        file, row = self.default, None
        if "source_file" in self.frame and isinstance(self.frame["source_file"].iloc[i], str):
            file = self.frame["source_file"].iloc[i]
        if "source_row" in self.frame:
            value = self.frame["source_row"].iloc[i]
            row = None if value is None or pd.isna(value) else int(value)
        return file, row


def _first_bad(mask) -> int | None:
    mask = np.asarray(mask, dtype=bool)
    return int(np.flatnonzero(mask)[0]) if mask.any() else None


def _check_dates(frame: pd.DataFrame, column: str, where: _Where, what: str,
                 earliest: dt.date, today: dt.date) -> None:
    if column not in frame or frame.empty:
        return
    stamps = _as_timestamps(frame[column])
    low, high = date_bounds(earliest, today)
    i = _first_bad(((stamps < low) | (stamps > high + pd.Timedelta(days=1))).fillna(False))
    if i is not None:
        file, row = where.at(i)
        raise InputError(file, f"{what} {stamps.iloc[i].date()} is outside {earliest} .. "
                               f"{today}", row=row, field=column)


def _check_numbers(frame: pd.DataFrame, column: str, where: _Where, low=None, high=None,
                   low_text: str = "") -> None:
    if column not in frame or frame.empty:
        return
    values = pd.to_numeric(frame[column], errors="coerce").to_numpy(dtype=float)
    bad = np.isinf(values)
    if low is not None:
        bad |= values < low
    if high is not None:
        bad |= values > high
    i = _first_bad(bad)
    if i is not None:
        file, row = where.at(i)
        span = f"[{'' if low is None else f'{low:g}'}, {'' if high is None else f'{high:g}'}]"
        raise InputError(file, f"{values[i]:g} is outside the valid range {span}"
                         + (f" ({low_text})" if low_text else ""), row=row, field=column)


_NAME_COLUMNS = {
    "models": ("model_id", "display_name", "organization", "country"),
    "versions": ("version_id", "model_id", "setting", "display_name"),
    "results": ("version_id", "benchmark", "setting"),
    "signals": ("model_id",),
    "overrides": ("model_id",),
    "licences": ("model_id",),
}


def validate_batch(batch, today: dt.date | None = None):
    """The batch with every name normalised, or a one-line InputError at the first value
    outside its valid range (dates, standard errors, signals); see the module docstring."""
    today = today or dt.date.today()
    path = batch.source.path
    changes = {}
    for name, columns in _NAME_COLUMNS.items():
        frame = getattr(batch, name)
        if frame is None or frame.empty:
            continue
        where = _Where(frame, path)
        frame = frame.copy()
        for column in columns:
            if column not in frame:
                continue
            values = frame[column]
            try:
                frame[column] = clean_series(values, path, column,
                                             rows=frame.get("source_row"))
            except InputError as exc:
                i = next(k for k, v in enumerate(values.tolist())
                         if isinstance(v, str) and _fails(v))
                file, row = where.at(i)
                raise InputError(file, exc.message, row=row, field=column) from None
        changes[name] = frame
    batch = dataclasses.replace(batch, **changes)
    for name in ("models", "versions"):
        frame = getattr(batch, name)
        _check_dates(frame, "release_date", _Where(frame, path), "release date", EARLIEST,
                     today)
    results = batch.results
    where = _Where(results, path)
    _check_numbers(results, "raw_score", where)
    _check_numbers(results, "stderr", where, low=0.0, low_text="a standard error")
    signals = batch.signals
    if signals is not None and not signals.empty:
        where = _Where(signals, path)
        _check_dates(signals, "as_of", where, "snapshot date", EARLIEST, today)
        _check_numbers(signals, "value", where)
        for signal, idx in signals.groupby("signal").indices.items():
            low, high = _signal_range(str(signal))
            if low is None and high is None:
                continue
            part = signals.iloc[idx]
            _check_numbers(part, "value", _Where(part, path), low, high, str(signal))
    if batch.benchmarks is not None and "release_date" in batch.benchmarks:
        frame = batch.benchmarks
        _check_dates(frame, "release_date", _Where(frame, path), "benchmark release date",
                     EARLIEST_BENCHMARK, today)
    return batch


def _fails(value: str) -> bool:
    try:
        clean_text(value, "", None)
    except InputError:
        return True
    return False

