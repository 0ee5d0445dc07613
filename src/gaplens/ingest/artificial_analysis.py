"""Adapter for Artificial Analysis (AA) leaderboard data (source kind ``aa``).

Credit: *Artificial Analysis, https://artificialanalysis.ai* (their terms require
attribution; see ``data/artificial_analysis/PROVENANCE.md``).

Two input shapes, told apart by the file's content:

* an ``llms.json`` page payload: ``{"meta": {...}, "models": [{id, name, short_name,
  release_date, reasoning_model, creator{name, country}, evaluations{...}, pricing{...},
  open_weights{...}, breakdowns{gdpval{elo}}, ...}, ...]}``: one snapshot. Its date is
  the ``as_of`` argument if given, else the enclosing folder's name when it is a
  ``YYYY-MM-DD`` date (``snapshots/2026-07-10/llms.json``), else the payload's
  ``meta`` (``snapshot_date``, ``as_of``, ``date`` or the date part of ``fetched_at``);
  without any of these the adapter asks for the date. **Row numbers** of a payload are
  the 1-based position of the entry in ``models`` (the first entry is row 1), and a
  field is named by its path in the entry (``evaluations.gpqa``).
* the flat CSV (``aa_llms_weekly_flat.csv``): one row per (snapshot, entry) with a
  ``snapshot_date`` column (one or many snapshots) and the columns of :data:`COLUMNS`;
  rows are numbered as a spreadsheet shows them (header = row 1).

Every problem (a value that is not a number, a number outside its valid range, a bad
or future date, a missing required column, an entry listed twice in one snapshot)
raises an :class:`~gaplens.errors.InputError` naming file, row and field, and nothing
is stored.

Identity. Each AA entry is a model *variant* ("GPT-5 (high)", "Claude 4.5 Sonnet
(Non-reasoning)"). A variant resolves to a warehouse model with
:func:`gaplens.ingest.aliases.resolve` (source ``aa``): first its full ``name``
(reviewed alias, then exact id/display name), then its ``short_name``. An entry that
AA lists under several names over time (same AA ``id``) follows the model its other
names resolve to when they all agree (``candidates`` says so). The rest become **new**
models (``model_id`` = AA's name; for one AA id, its name in the newest snapshot)
described by AA's own metadata: organisation = creator, country = AA's ISO code in
upper case, release date, parameters (AA's total parameters, billions -> count) and
the accessibility of :func:`accessibility_of`. Ambiguous and unmatched names are
listed in the match table and their rows are rejected.

Signals (``SIGNAL_COLUMNS``): one row per entry, snapshot and non-null metric of
:data:`COLUMNS`, value as AA publishes it (sub-evaluations are 0-1 fractions, the
indices 0-100, ``aa.omniscience`` -100..100, prices in USD per million tokens,
flags 1/0), ``as_of`` = the snapshot date.

Variants of one model. When several variants resolve to the same model (the reasoning
and non-reasoning variants of one Epoch model, effort levels), one entry per (model,
snapshot) is kept whole: the one whose published index stands for the model, i.e. a
measured ``aa.intelligence_index`` before an estimated one, then the higher index, then
any index before none (ties by name). Every signal of the model on that snapshot comes
from that one entry: values of two entries are never mixed (a model whose kept entry
lacks a sub-evaluation lacks it, rather than borrowing another variant's). Each other
variant is listed as a rejected row saying which variant was kept and what was not
stored.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
from dataclasses import dataclass, replace

import numpy as np
import pandas as pd

from ..errors import InputError
from ..types import Accessibility
from ._fields import Field, parse_fields, read_csv_text, row_number
from .aliases import MATCHED, _key, resolve, resolve_spellings
from .licences import licence_class
from .batch import (
    LICENCE_COLUMNS,
    MATCH_COLUMNS,
    MODEL_COLUMNS,
    REJECTED_COLUMNS,
    SIGNAL_COLUMNS,
    IngestBatch,
    SourceInfo,
    sha256_of,
)
from .validate import load_json

SOURCE = "aa"
AA_CREDIT = "Artificial Analysis, https://artificialanalysis.ai"

def accessibility_of(is_open_weights, commercial_allowed, license_name) -> Accessibility:
    """The accessibility class of an AA entry, from AA's own fields; never guessed further.

    * not open weights -> ``API access`` (AA benchmarks models through their APIs);
    * open weights, ``commercial_allowed`` False -> ``Open weights (non-commercial)``;
    * open weights and a licence of the reviewed table (data/licences.csv) -> its class
      (a non-commercial licence that AA marks commercial-allowed, or a proprietary one on
      open weights, is a contradiction: ``licence unspecified``);
    * open weights, any other or no licence -> ``Open weights (licence unspecified)``;
    * open-weights flag missing -> ``Unknown`` (such an entry cannot create a model).
    """
    if _missing(is_open_weights):
        return Accessibility.UNKNOWN
    if not bool(is_open_weights):
        return Accessibility.API
    if not _missing(commercial_allowed) and not bool(commercial_allowed):
        return Accessibility.OPEN_NONCOMMERCIAL
    if _missing(license_name):
        return Accessibility.OPEN_UNSPECIFIED
    cls = licence_class(license_name)
    if cls is None or not cls.is_open_weights:
        return Accessibility.OPEN_UNSPECIFIED
    if cls is Accessibility.OPEN_NONCOMMERCIAL and not _missing(commercial_allowed):
        return Accessibility.OPEN_UNSPECIFIED  # licence says NC, AA says commercial
    return cls


def _missing(value) -> bool:
    return value is None or value is pd.NA or (isinstance(value, float) and np.isnan(value))


# --------------------------------------------------------------------------------------
# Fields: the flat CSV column, where the JSON payload keeps it, the signal it feeds and
# its valid range.
# --------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Column:
    field: Field
    json_path: tuple[str, ...]
    signal: str | None = None
    valid: tuple[float, float] | None = None  # inclusive range of a number


def _c(name, kind="str", path=None, signal=None, valid=None, **kw) -> Column:
    return Column(Field(name, kind, **kw), tuple(path or (name,)), signal, valid)


_FRACTION = (0.0, 1.0)
_INDEX = (0.0, 100.0)
_EVAL = ("evaluations",)

COLUMNS: list[Column] = [
    _c("snapshot_date", "date", path=("<snapshot>",), required=True, nullable=False),
    _c("aa_model_id", path=("id",)),
    _c("name", required=True, nullable=False),
    _c("short_name"),
    _c("release_date", "date"),
    _c("reasoning_model", "bool", signal="aa.reasoning"),
    _c("creator_name", path=("creator", "name"), required=True),
    _c("creator_country", path=("creator", "country")),
    _c("is_open_weights", "bool", path=("open_weights", "is_open_weights"), required=True),
    _c("commercial_allowed", "bool", path=("open_weights", "commercial_allowed")),
    _c("license_name", path=("open_weights", "license_name")),
    _c("total_parameters", "float", path=("capabilities", "total_parameters"),
       valid=(0.0, np.inf)),
    _c("artificial_analysis_intelligence_index", "float",
       path=_EVAL + ("artificial_analysis_intelligence_index",),
       signal="aa.intelligence_index", valid=_INDEX, required=True),
    _c("artificial_analysis_intelligence_index_is_estimated", "bool",
       path=_EVAL + ("artificial_analysis_intelligence_index_is_estimated",),
       signal="aa.intelligence_index_is_estimated"),
    _c("artificial_analysis_coding_index", "float",
       path=_EVAL + ("artificial_analysis_coding_index",), signal="aa.coding_index",
       valid=_INDEX),
    _c("artificial_analysis_agentic_index", "float",
       path=_EVAL + ("artificial_analysis_agentic_index",), signal="aa.agentic_index",
       valid=_INDEX),
    _c("gdpval_aa_normalized", "float", path=_EVAL + ("gdpval_aa_normalized",),
       signal="aa.gdpval", valid=_FRACTION),
    _c("gdpval_aa_elo", "float", path=("breakdowns", "gdpval", "elo"), signal="aa.gdpval_elo"),
    # (an Elo rating has no fixed range: AA's runs from about -150 to 1,950)
    _c("tau2_bench", "float", path=_EVAL + ("tau2_bench",), signal="aa.tau2", valid=_FRACTION),
    _c("terminal_bench_hard", "float", path=_EVAL + ("terminal_bench_hard",),
       signal="aa.terminal_bench_hard", valid=_FRACTION),
    _c("scicode", "float", path=_EVAL + ("scicode",), signal="aa.scicode", valid=_FRACTION),
    _c("aa_omniscience", "float", path=_EVAL + ("aa_omniscience",), signal="aa.omniscience",
       valid=(-100.0, 100.0)),
    _c("aa_omniscience_accuracy", "float", path=_EVAL + ("aa_omniscience_accuracy",),
       signal="aa.omniscience_accuracy", valid=_FRACTION),
    _c("aa_lcr", "float", path=_EVAL + ("aa_lcr",), signal="aa.lcr", valid=_FRACTION),
    _c("ifbench", "float", path=_EVAL + ("ifbench",), signal="aa.ifbench", valid=_FRACTION),
    _c("hle", "float", path=_EVAL + ("hle",), signal="aa.hle", valid=_FRACTION),
    _c("gpqa", "float", path=_EVAL + ("gpqa",), signal="aa.gpqa", valid=_FRACTION),
    _c("critpt", "float", path=_EVAL + ("critpt",), signal="aa.critpt", valid=_FRACTION),
    _c("apex_agents", "float", path=_EVAL + ("apex_agents",), signal="aa.apex_agents",
       valid=_FRACTION),
    _c("mmmu_pro", "float", path=_EVAL + ("mmmu_pro",), signal="aa.mmmu_pro", valid=_FRACTION),
    _c("openness_index", "float", path=("breakdowns", "openness", "opennessIndex"),
       signal="aa.openness_index", valid=_INDEX),
    _c("price_1m_blended_3_to_1", "float", path=("pricing", "price_1m_blended_3_to_1"),
       signal="aa.price_blended", valid=(0.0, np.inf)),
    _c("price_1m_input_tokens", "float", path=("pricing", "price_1m_input_tokens"),
       signal="aa.price_input", valid=(0.0, np.inf)),
    _c("price_1m_output_tokens", "float", path=("pricing", "price_1m_output_tokens"),
       signal="aa.price_output", valid=(0.0, np.inf)),
    # One value per payload (the API's top-level field), copied to every entry.
    _c("intelligence_index_version", "float", path=("<version>",),
       signal="aa.intelligence_index_version", valid=(0.0, np.inf)),
]

#: signal name -> flat column
SIGNALS: dict[str, str] = {c.signal: c.field.name for c in COLUMNS if c.signal}
INDEX_COLUMN = "artificial_analysis_intelligence_index"
_META_DATE_KEYS = ("snapshot_date", "as_of", "date", "fetched_at")
_DATE_FOLDER = re.compile(r"\d{4}-\d{2}-\d{2}")


#: The files of a data-API capture (see the ``aa`` declaration), the preferred first.
CAPTURE_FILES = ("language_models_free.json", "llms_models.json")


def capture_file(path: str) -> str:
    """The file to read in ``path``: itself, or in a capture folder the free endpoint's
    response, else the former endpoint's."""
    if not os.path.isdir(path):
        return path
    for name in CAPTURE_FILES:
        if os.path.isfile(os.path.join(path, name)):
            return os.path.join(path, name)
    raise InputError(path, "no Artificial Analysis response in this folder (expected "
                           + " or ".join(CAPTURE_FILES) + ")")


def bundled_aa_path() -> str:
    from .bundled import data_path

    return data_path("artificial_analysis", "aa_llms_weekly_flat.csv")


# --------------------------------------------------------------------------------------
# Reading
# --------------------------------------------------------------------------------------
def _is_json(path: str) -> bool:
    if path.lower().endswith(".json"):
        return True
    try:
        with open(path, "rb") as handle:
            head = handle.read(64).lstrip()
    except OSError:
        return False
    return head[:1] == b"{"


def _dig(entry: dict, path: tuple[str, ...]):
    """(present, value) of a nested key."""
    node = entry
    for part in path:
        if not isinstance(node, dict) or part not in node:
            return False, None
        node = node[part]
    return True, node


def _as_text(value) -> object:
    if value is None:
        return np.nan
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return repr(value)
    if isinstance(value, (dict, list)):
        return json.dumps(value)  # not a scalar: the field's parser refuses it
    return str(value)


def _meta_date(path: str, meta) -> dt.date | None:
    if not isinstance(meta, dict):
        return None
    for key in _META_DATE_KEYS:
        value = meta.get(key)
        if value in (None, ""):
            continue
        text = str(value).strip()
        try:
            return dt.date.fromisoformat(text[:10])
        except ValueError:
            raise InputError(path, f"'{text}' is not a date (expected YYYY-MM-DD...)",
                             field=f"meta.{key}") from None
    return None


#: Keys of the data API's ``evaluations`` that the page payload spells otherwise.
API_EVALUATIONS = {"lcr": "aa_lcr", "tau2": "tau2_bench",
                   "terminalbench_hard": "terminal_bench_hard"}
#: Where a data-API entry keeps a flat column, when not where the page payload does.
_API_PATHS: dict[str, tuple[str, ...]] = {
    "creator_name": ("model_creator", "name"),
    "creator_country": ("model_creator", "country"),
    **{page: ("evaluations", api) for api, page in API_EVALUATIONS.items()},
}
_VERSION = re.compile(r"[vV]?(\d+(?:\.\d+)?)")


def index_version(value, path: str, field: str = "intelligence_index_version") -> float | None:
    """AA's ``intelligence_index_version`` (``4.1``, ``"4.1"``, ``"v4"``) as a number; None
    when absent. Anything else (``"4.1.1"``, ``true``) is an InputError."""
    if value is None or value == "":
        return None
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return float(value)
    match = _VERSION.fullmatch(str(value).strip()) if isinstance(value, str) else None
    if match is None:
        raise InputError(path, f"'{value}' is not an index version (expected a number "
                               "such as 4.1)", field=field)
    return float(match.group(1))


def version_label(value: float) -> str:
    """The composite version name of an index version number (4.0 -> "v4.0")."""
    return f"v{value:.1f}" if float(value).is_integer() else f"v{value:g}"


def _load_json(path: str):
    return load_json(path)


def _entries(path: str, payload) -> tuple[list, str, object]:
    """(entries, shape, raw index version) of a page payload (``models``) or a data-API
    response (``data``, from /api/v2/data/llms/models or /api/v2/language/models/free,
    the pages of the latter concatenated)."""
    if isinstance(payload, dict) and isinstance(payload.get("models"), list):
        meta = payload.get("meta")
        version = meta.get("intelligence_index_version") if isinstance(meta, dict) else None
        return payload["models"], "page", version
    if not isinstance(payload, dict) or "data" not in payload:
        found = ", ".join(sorted(payload)[:6]) if isinstance(payload, dict) else \
            type(payload).__name__
        raise InputError(path, "not an Artificial Analysis payload (no 'models' or 'data' "
                               f"list; found {found})")
    status = payload.get("status")
    if isinstance(status, int) and not isinstance(status, bool) and status >= 400:
        raise InputError(path, f"the response reports status {status}", field="status")
    if not isinstance(payload["data"], list):
        raise InputError(path, f"expected a list, found {type(payload['data']).__name__}",
                         field="data")
    pages = payload.get("pagination")
    if pages is not None:
        if not isinstance(pages, dict):
            raise InputError(path, "expected an object", field="pagination")
        size = pages.get("page_size")
        if (pages.get("has_more") is True and isinstance(size, int)
                and len(payload["data"]) <= size):
            raise InputError(path, f"one page of at most {size} entries while 'has_more' is "
                                   "true: the capture lacks the later pages",
                             field="pagination.has_more")
    return payload["data"], "api", payload.get("intelligence_index_version")


def _read_json(path: str, as_of: dt.date | None, fallback: dt.date | None = None
               ) -> tuple[pd.DataFrame, dt.date, dict[str, str], str]:
    """The payload as a text frame of flat columns, indexed so that row_number() gives
    the entry's 1-based position; its date; the JSON path of each column (for errors);
    its shape (``page`` or ``api``)."""
    payload = _load_json(path)
    entries, shape, raw_version = _entries(path, payload)
    if not entries:
        raise InputError(path, "the payload has no model entries",
                         field="models" if shape == "page" else "data")
    version = index_version(raw_version, path,
                            "meta.intelligence_index_version" if shape == "page"
                            else "intelligence_index_version")
    if as_of is None:
        folder = os.path.basename(os.path.dirname(os.path.abspath(path)))
        if _DATE_FOLDER.fullmatch(folder):
            try:
                as_of = dt.date.fromisoformat(folder)
            except ValueError:
                as_of = None
    if as_of is None:
        as_of = _meta_date(path, payload.get("meta"))
    if as_of is None:
        as_of = fallback
    if as_of is None:
        raise InputError(path, "the snapshot date is unknown: put the file in a folder named "
                               "YYYY-MM-DD or pass the date (as_of)", field="snapshot_date")
    columns: dict[str, list] = {}
    paths: dict[str, str] = {}
    for i, entry in enumerate(entries):
        if not isinstance(entry, dict):
            raise InputError(path, "the entry is not an object", row=i + 1)
    for col in COLUMNS:
        if col.json_path in (("<snapshot>",), ("<version>",)):
            continue
        tried = [col.json_path]
        if shape == "api" and col.field.name in _API_PATHS:
            tried.insert(0, _API_PATHS[col.field.name])
        for json_path in tried:
            found = [_dig(entry, json_path) for entry in entries]
            if any(present for present, _ in found):
                for i, (_, value) in enumerate(found):
                    if isinstance(value, (dict, list)):
                        raise InputError(path, f"expected a single value, found "
                                               f"{json.dumps(value)[:40]}", row=i + 1,
                                         field=".".join(json_path))
                columns[col.field.name] = [_as_text(value) for _, value in found]
                paths[col.field.name] = ".".join(json_path)
                break
        else:
            paths[col.field.name] = ".".join(tried[0])
    frame = pd.DataFrame(columns, index=pd.RangeIndex(-1, len(entries) - 1))
    frame["snapshot_date"] = as_of.isoformat()
    if version is not None:
        frame["intelligence_index_version"] = repr(version)
    return frame, as_of, paths, shape


def _check_ranges(typed: pd.DataFrame, raw: pd.DataFrame, file: str,
                  paths: dict[str, str] | None) -> None:
    for col in COLUMNS:
        name = col.field.name
        if col.valid is None or name not in typed:
            continue
        lo, hi = col.valid
        values = typed[name]
        bad = (values.notna() & ((values < lo) | (values > hi))).to_numpy()
        if bad.any():
            i = int(np.flatnonzero(bad)[0])
            idx = typed.index[i]
            shown = raw.loc[idx, name] if name in raw else values.iloc[i]
            where = "0 to 1 (a fraction)" if col.valid == _FRACTION else (
                f"at least {lo:g}" if hi == np.inf else f"{lo:g} to {hi:g}")
            raise InputError(file, f"{shown} is outside the valid range {where}",
                             row=row_number(idx),
                             field=paths.get(name, name) if paths is not None else name)


def _parse(path: str, as_of: dt.date | None, today: dt.date,
           fallback: dt.date | None = None) -> tuple[pd.DataFrame, bool]:
    """Typed frame (one row per entry and snapshot), whether the input was JSON.
    ``fallback`` dates a JSON payload that has no date of its own (a data-API response:
    its capture date)."""
    is_json = _is_json(path)
    fields = [c.field for c in COLUMNS]
    paths = None
    if is_json:
        raw, as_of, paths, shape = _read_json(path, as_of, fallback)
        if as_of > today:
            raise InputError(path, f"snapshot date {as_of} is in the future (after {today})",
                             field="snapshot_date")
        if shape == "api":
            # The data API does not say whether weights are open: such entries only match
            # models other sources made (see accessibility_of).
            fields = [replace(f, required=False) if f.name == "is_open_weights" else f
                      for f in fields]
    else:
        raw = read_csv_text(path)
        has_date = any(c.lower() == "snapshot_date" for c in raw.columns)
        if as_of is not None:
            if has_date:
                raise InputError(path, "the file has snapshot dates; do not also pass as_of",
                                 field="snapshot_date")
            raw["snapshot_date"] = as_of.isoformat()
    try:
        typed = parse_fields(raw, fields, path, today=today)
    except InputError as exc:
        if paths is None:
            raise
        message = exc.message.replace("missing required column", "missing required key")
        raise replace(exc, message=message, field=paths.get(exc.field, exc.field)) from None
    _check_ranges(typed, raw, path, paths)
    for col in COLUMNS:
        if col.field.name not in typed:
            typed[col.field.name] = pd.NA if col.field.kind != "float" else np.nan
    # One entry per name and snapshot.
    keys = typed["name"].map(_key)
    dup = pd.DataFrame({"d": typed["snapshot_date"], "k": keys}).duplicated(keep="first")
    if dup.any():
        idx = typed.index[dup.to_numpy()][0]
        first = typed.index[((typed["snapshot_date"] == typed.loc[idx, "snapshot_date"])
                             & (keys == keys[idx])).to_numpy()][0]
        raise InputError(path, f"'{typed.loc[idx, 'name']}' is listed twice in snapshot "
                               f"{typed.loc[idx, 'snapshot_date'].date()} (first at row "
                               f"{row_number(first)})", row=row_number(idx), field="name")
    typed["source_row"] = [row_number(i) for i in typed.index]
    typed["key"] = keys
    return typed.reset_index(drop=True), is_json


# --------------------------------------------------------------------------------------
# Resolving names to models
# --------------------------------------------------------------------------------------
def _resolve_names(typed: pd.DataFrame, models: pd.DataFrame,
                   aliases: pd.DataFrame) -> pd.DataFrame:
    """The match table: one row per distinct AA name (MATCH_COLUMNS)."""
    latest = typed.sort_values(["snapshot_date", "source_row"], kind="stable")
    last_row = latest.drop_duplicates("name", keep="last").set_index("name")
    names = list(last_row.index)
    # 1. the full name, then its short name.
    shorts = [last_row.loc[n, "short_name"] for n in names]
    found = resolve_spellings(
        [(n, sh if isinstance(sh, str) and _key(sh) != _key(n) else None)
         for n, sh in zip(names, shorts)], SOURCE, models, aliases, labels=(None, "short_name"))
    rows: dict[str, list] = {n: [SOURCE, n, f[0], f[1], f[2]] for n, f in zip(names, found)}

    # 2. names of one AA entry (same AA id) follow the model its other names resolve to.
    ids = last_row["aa_model_id"]
    if ids.notna().any():
        for aa_id, group in ids.dropna().groupby(ids.dropna()):
            members = list(group.index)
            targets = {rows[n][2] for n in members if rows[n][3] in MATCHED}
            if len(targets) != 1:
                continue
            target = next(iter(targets))
            source_name = next(n for n in members if rows[n][2] == target)
            for n in members:
                if rows[n][3] == "unmatched" and not rows[n][4]:
                    rows[n] = [SOURCE, n, target, rows[source_name][3],
                               f"same AA entry (id {aa_id}) as '{source_name}'"]

    # 3. new models from AA's metadata, when AA says whether the weights are open.
    remaining = [n for n in names if rows[n][3] == "unmatched" and not rows[n][4]]
    creatable = {n for n in remaining if not _missing(last_row.loc[n, "is_open_weights"])}
    if remaining:
        third = resolve(remaining, SOURCE, models, aliases, can_create=creatable).table
        for rec in third.itertuples(index=False):
            rows[rec.name] = [SOURCE, rec.name, rec.model_id, rec.how, rec.candidates]
    new = [n for n in names if rows[n][3] == "new"]
    # One new model per AA entry: its name in the newest snapshot (or the newest spelling
    # of the same name, case and spacing folded).
    group_of = {n: (("id", last_row.loc[n, "aa_model_id"])
                    if isinstance(last_row.loc[n, "aa_model_id"], str) else ("key", _key(n)))
                for n in new}
    order = {n: i for i, n in enumerate(names)}  # names are in newest-last order
    canonical: dict[tuple, str] = {}
    for n in sorted(new, key=order.get):
        canonical[group_of[n]] = n
    for n in new:
        rows[n][2] = canonical[group_of[n]]
    table = pd.DataFrame([rows[n] for n in sorted(names, key=_key)], columns=MATCH_COLUMNS)
    table["candidates"] = table["candidates"].fillna("")
    return table


def _new_models(typed: pd.DataFrame, matches: pd.DataFrame) -> pd.DataFrame:
    new = matches.loc[matches["how"] == "new"]
    if new.empty:
        return pd.DataFrame(columns=MODEL_COLUMNS)
    rows = typed.loc[typed["name"].isin(set(new["name"]))].copy()
    rows["model_id"] = rows["name"].map(dict(zip(new["name"], new["model_id"])))
    rows = rows.sort_values(["snapshot_date", "source_row"], kind="stable")
    # Prefer the row of the name that is the model id (the entry's current name).
    rows["is_own"] = rows["name"] == rows["model_id"]
    latest = rows.sort_values(["is_own", "snapshot_date", "source_row"], kind="stable") \
        .drop_duplicates("model_id", keep="last")
    access = [accessibility_of(o, c, lic).value for o, c, lic in
              zip(latest["is_open_weights"], latest["commercial_allowed"],
                  latest["license_name"])]
    models = pd.DataFrame({
        "model_id": latest["model_id"].astype(object),
        "display_name": latest["model_id"].astype(object),
        "organization": latest["creator_name"].astype(object),
        "country": latest["creator_country"].astype("string").str.upper().astype(object),
        "release_date": latest["release_date"],
        "accessibility": access,
        "parameters": pd.to_numeric(latest["total_parameters"], errors="coerce") * 1e9,
        "training_compute": np.nan,
    })
    models["organization"] = models["organization"].where(models["organization"].notna(), None)
    models["country"] = models["country"].where(models["country"].notna(), None)
    return models.sort_values("model_id").reset_index(drop=True)[MODEL_COLUMNS]


# --------------------------------------------------------------------------------------
# Signals and the collapse of variants
# --------------------------------------------------------------------------------------
def _fmt(value: float) -> str:
    return "none" if pd.isna(value) else f"{value:.4g}"


def _q(text: object) -> str:
    """A name inside '...' of a reason: its apostrophes become typographic ones, so that
    a report can group reasons by their quoted parts ("GPT-4o (May ’24)")."""
    return str(text).replace("'", "\u2019")


def _signals(typed: pd.DataFrame, file: str) -> tuple[pd.DataFrame, list[dict]]:
    """All signal rows of resolved entries, one entry per (model, as_of): see the module
    docstring (variants of one model)."""
    entries = typed.loc[typed["model_id"].notna()]
    index = entries[INDEX_COLUMN]
    estimated = entries["artificial_analysis_intelligence_index_is_estimated"]
    rank = pd.DataFrame({"entry": entries.index, "model_id": entries["model_id"].to_numpy(),
                         "as_of": entries["snapshot_date"].to_numpy(),
                         "no_index": index.isna().to_numpy(),
                         "estimated": estimated.fillna(False).astype(bool).to_numpy(),
                         "neg_index": (-index).to_numpy(), "key": entries["key"].to_numpy(),
                         "source_row": entries["source_row"].to_numpy()})
    rank = rank.sort_values(["model_id", "as_of", "no_index", "estimated", "neg_index", "key",
                             "source_row"], kind="stable")
    chosen = rank.drop_duplicates(["model_id", "as_of"], keep="first")
    kept_entries = set(chosen["entry"])
    winners = chosen.set_index(["model_id", "as_of"])["entry"]
    parts = []
    for signal, column in SIGNALS.items():
        values = entries[column]
        if values.dtype == "boolean" or values.dtype == object:
            values = values.astype("Float64")
        keep = values.notna().to_numpy()
        if not keep.any():
            continue
        sub = entries.loc[keep]
        parts.append(pd.DataFrame({
            "entry": sub.index, "model_id": sub["model_id"].to_numpy(), "signal": signal,
            "value": values[keep].astype(float).to_numpy(),
            "as_of": sub["snapshot_date"].to_numpy(),
            "source_row": sub["source_row"].to_numpy(),
        }))
    if not parts:
        return pd.DataFrame(columns=SIGNAL_COLUMNS), []
    long = pd.concat(parts, ignore_index=True)
    won = long["entry"].isin(kept_entries).to_numpy()
    kept, lost = long.loc[won], long.loc[~won]
    rejected: list[dict] = []
    for entry, group in lost.groupby("entry", sort=True):
        row = entries.loc[entry]
        winner = entries.loc[winners.loc[(row["model_id"], row["snapshot_date"])]]
        rejected.append(dict(
            file=file, row=int(row["source_row"]), field="name",
            reason=(f"variant '{_q(row['name'])}' of model '{_q(row['model_id'])}' on "
                    f"'{row['snapshot_date'].date()}' ranks below '{_q(winner['name'])}' "
                    f"(aa.intelligence_index '{_fmt(row[INDEX_COLUMN])}'"
                    f"{_est(row)} vs '{_fmt(winner[INDEX_COLUMN])}'{_est(winner)}); "
                    f"one entry per model and snapshot, not stored: "
                    f"'{', '.join(sorted(group['signal']))}'"),
        ))
    out = kept.assign(source_file=file)
    out["source_row"] = out["source_row"].astype(int)
    out = out.sort_values(["signal", "as_of", "model_id"], kind="stable")
    return out[SIGNAL_COLUMNS].reset_index(drop=True), rejected


def _licences(typed: pd.DataFrame, file: str) -> pd.DataFrame:
    """What AA says about each resolved model's weights on its newest snapshot in the file
    (the entry kept for the model's signals there): open-weights flag, commercial flag,
    licence name."""
    entries = typed.loc[typed["model_id"].notna()]
    if entries.empty:
        return pd.DataFrame(columns=LICENCE_COLUMNS)
    index = entries[INDEX_COLUMN]
    order = pd.DataFrame({
        "model_id": entries["model_id"].to_numpy(), "as_of": entries["snapshot_date"].to_numpy(),
        "no_index": index.isna().to_numpy(),
        "estimated": entries["artificial_analysis_intelligence_index_is_estimated"]
        .fillna(False).astype(bool).to_numpy(),
        "neg_index": (-index).to_numpy(), "key": entries["key"].to_numpy(),
        "source_row": entries["source_row"].to_numpy()}, index=entries.index)
    # the newest snapshot, then the entry the signals keep on it (_signals' order)
    order = order.sort_values(["model_id", "as_of", "no_index", "estimated", "neg_index",
                               "key", "source_row"], ascending=[True, False, True, True, True,
                                                                True, True], kind="stable")
    kept = entries.loc[order.drop_duplicates("model_id", keep="first").index]

    def flag(values):
        return [None if _missing(v) else bool(v) for v in values]

    return pd.DataFrame({
        "model_id": kept["model_id"].to_numpy(), "source": SOURCE,
        "licence": [None if _missing(v) else str(v) for v in kept["license_name"]],
        "open_weights": flag(kept["is_open_weights"]),
        "commercial": flag(kept["commercial_allowed"]),
        "as_of": kept["snapshot_date"].dt.date.to_numpy(), "source_file": file,
        "source_row": kept["source_row"].astype(int).to_numpy(),
    })[LICENCE_COLUMNS].reset_index(drop=True)


def _est(row) -> str:
    flag = row["artificial_analysis_intelligence_index_is_estimated"]
    return " estimated" if not _missing(flag) and bool(flag) else ""


def read_aa(
    path: str,
    models: pd.DataFrame,
    aliases: pd.DataFrame,
    retrieved_on: dt.date | None = None,
    as_of: dt.date | None = None,
    today: dt.date | None = None,
) -> IngestBatch:
    """Read an AA ``llms.json`` payload or flat CSV into an :class:`IngestBatch`.

    ``models``: the warehouse's models (``Warehouse.models()``); ``aliases``: the
    reviewed alias table (:func:`gaplens.ingest.aliases.bundled_aliases`).
    ``as_of``: the snapshot date of a payload (wins over the folder name and the meta);
    for a CSV without a ``snapshot_date`` column, the date of all its rows.
    ``retrieved_on`` defaults to the newest snapshot date in the file.
    """
    today = today or dt.date.today()
    typed, _ = _parse(path, as_of, today, fallback=retrieved_on)
    matches = _resolve_names(typed, models, aliases)
    how = dict(zip(matches["name"], matches["how"]))
    target = dict(zip(matches["name"], matches["model_id"]))
    typed["model_id"] = [target[n] if how[n] in (*MATCHED, "new") else None
                         for n in typed["name"]]

    rejected: list[dict] = []
    cand = dict(zip(matches["name"], matches["candidates"]))
    for rec in typed.loc[typed["model_id"].isna()].itertuples():
        if how[rec.name] == "ambiguous":
            reason = (f"model name '{_q(rec.name)}' is ambiguous (could be "
                      f"'{_q(cand[rec.name])}'); add a reviewed alias")
        elif cand[rec.name]:
            reason = f"model name '{_q(rec.name)}' is not stored: '{_q(cand[rec.name])}'"
        else:
            reason = (f"model name '{_q(rec.name)}' matches no warehouse model and AA does not "
                      "say whether its weights are open")
        rejected.append(dict(file=path, row=int(rec.source_row), field="name", reason=reason))

    signals, collapsed = _signals(typed, path)
    rejected.extend(collapsed)
    licences = _licences(typed, path)
    new_models = _new_models(typed, matches)

    with open(path, "rb") as handle:
        digest = sha256_of(iter(lambda: handle.read(1 << 20), b""))
    if retrieved_on is None:
        retrieved_on = typed["snapshot_date"].max().date()
    return IngestBatch(
        source=SourceInfo(kind=SOURCE, path=os.path.abspath(path), sha256=digest,
                          retrieved_on=retrieved_on),
        models=new_models,
        signals=signals,
        matches=matches,
        rejected=pd.DataFrame(rejected, columns=REJECTED_COLUMNS),
        licences=licences,
    )
