"""The report's data: every table the page draws, as compact JSON-ready columns.

Each table is ``{"columns": [...], "rows": [[...], ...]}`` (the page turns rows back into
records): about half the size of records for the same content. Floats are rounded to
``DIGITS`` decimals, dates are ISO strings, missing values are ``null``. Nothing is
computed here beyond selecting, renaming and counting.

Text from imported files (model, benchmark, organization names) is carried as data, never
as markup: the page inserts it with ``textContent`` and escapes it before handing it to
the charting library; :func:`script_json` makes the JSON safe inside a ``<script>`` tag.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import os

import numpy as np
import pandas as pd

from .. import __version__
from ..ingest.bundled import SOURCE_CREDITS
from ..types import OpenDefinition
from .formatting import clean
from .inputs import ByDefinition, ReportInputs

SCHEMA = "gaplens.report/1"
DIGITS = 3


def _value(value):
    return clean(value, DIGITS)


def table(frame: pd.DataFrame | None, columns: list[str] | None = None) -> dict:
    """A frame as ``{"columns", "rows"}``; ``columns`` that the frame lacks are skipped."""
    if frame is None or len(frame.columns) == 0:
        return {"columns": list(columns or []), "rows": []}
    keep = [c for c in (columns or list(frame.columns)) if c in frame.columns]
    if not keep:
        return {"columns": keep, "rows": [[] for _ in range(len(frame))]}
    if frame.columns.is_unique:  # a column at a time, without copying the frame
        cells = [_cells(frame[c]) for c in keep]
    else:
        part = frame[keep]
        cells = [_cells(part.iloc[:, k]) for k in range(len(keep))]
    return {"columns": keep, "rows": [list(row) for row in zip(*cells)]}


def _cells(column: pd.Series) -> list:
    """One column's values as :func:`_value` gives them, a column at a time (numeric
    columns without a check of each value's type)."""
    dtype = column.dtype
    if isinstance(dtype, np.dtype) and dtype.kind == "f":
        return [round(v, DIGITS) if math.isfinite(v) else None for v in column.tolist()]
    if isinstance(dtype, np.dtype) and dtype.kind in "iub":
        return column.tolist()
    if isinstance(dtype, pd.StringDtype) and dtype.na_value is not pd.NA:
        return [v if isinstance(v, str) else None for v in column.tolist()]  # text or NaN
    return [_value(v) for v in column]


def _clean_dict(values: dict) -> dict:
    out = {}
    for key, value in values.items():
        if isinstance(value, dict):
            out[key] = _clean_dict(value)
        elif isinstance(value, (list, tuple)):
            out[key] = [_value(v) for v in value]
        else:
            out[key] = _value(value)
    return out


GAP_COLUMNS = ["key", "label", "status", "n_benchmarks", "n_open", "n_closed", "closed_model",
               "closed_release_date", "closed_level", "open_model", "open_release_date",
               "open_level", "gap", "gap_ci_low", "gap_ci_high", "lag_months",
               "lag_months_ci_low", "lag_months_ci_high", "lag_threshold_months",
               "lag_threshold_months_ci_low", "lag_threshold_months_ci_high", "censored_share",
               "data_through", "coverage_limited", "coverage_limited_benchmarks", "benchmarks",
               "note"]


def _composite(ws) -> dict | None:
    if ws is None:
        return None
    draws = ws.draws
    counts = {}
    for column in ("leader", "open_leader"):
        if column in draws:
            share = draws[column].value_counts(normalize=True)
            counts[column] = table(pd.DataFrame({"model": share.index, "share": share.values}))
    return {
        "as_of": _value(ws.as_of), "version": ws.version, "n_models": ws.n_models,
        "n_open": ws.n_open, "n_closed": ws.n_closed, "n_other": ws.n_other,
        "published": _clean_dict(ws.published), "recomputed": _clean_dict(ws.recomputed),
        "counts": _clean_dict(ws.counts), "notes": list(ws.notes),
        "summary": table(ws.gap_summary),
        "gap_draws": [_value(v) for v in draws.get("gap", pd.Series(dtype=float))],
        "leaders": counts.get("leader"), "open_leaders": counts.get("open_leader"),
        "alternatives": table(ws.alternatives), "category_effects": table(ws.category_effects),
        "ranking": table(ws.ranking), "warnings": list(ws.warnings)}


def _factors(fa) -> dict | None:
    if fa is None:
        return None
    return {"axes": table(fa.axes), "groups": table(fa.groups),
            "loadings": table(fa.loadings, ["benchmark", "domain", "n_models", "loading_1",
                                            "loading_2"]),
            "positions": table(fa.positions, ["model_id", "display_name", "organization",
                                              "accessibility", "release_date", "group",
                                              "position_1", "position_2"])}


def _realworld(rw) -> dict | None:
    if rw is None:
        return None
    return {"focus": list(rw.focus), "notes": list(rw.notes),
            "residuals": table(rw.residuals, ["signal", "model_id", "display_name",
                                              "organization",
                                              "country", "accessibility", "group",
                                              "predictor_pct", "target_pct", "residual"]),
            "groups": table(rw.groups), "standing": table(rw.standing)}


def _overfit(of) -> dict | None:
    if of is None:
        return None
    splits = []
    for result in of.splits:
        splits.append({"split": result.split, "description": result.description,
                       "reference": list(result.reference),
                       "comparison": list(result.comparison), "notes": list(result.notes),
                       "models": table(result.models, ["model_id", "display_name",
                                                       "organization", "country",
                                                       "accessibility", "group", "delta",
                                                       "ci_low", "ci_high"]),
                       "groups": table(result.groups)})
    return {"splits": splits,
            "lag_by_test_set": {k: _clean_dict(v) for k, v in of.lag_by_test_set.items()}}


def _warnings(item: ByDefinition) -> list[str]:
    seen, out = set(), []
    parts = [item.gap.warnings, item.index_gap.warnings, item.notes]
    if item.composite is not None:
        parts.append(item.composite.warnings)
    if item.forecast is not None:
        parts.append(item.forecast.warnings)
    for part in parts:
        for text in part:
            if text not in seen:
                seen.add(text)
                out.append(text)
    return out


def claim(c) -> dict:
    """One :class:`~gaplens.analysis.claims.Claim` as the page reads it."""
    return {"key": c.key, "title": c.title, "statement": c.statement, "verdict": c.verdict,
            "sentence": c.sentence, "as_of": _value(c.as_of), "estimate": _value(c.estimate),
            "ci_low": _value(c.ci_low), "ci_high": _value(c.ci_high), "unit": c.unit,
            "evidence": table(c.evidence), "notes": list(c.notes)}


def _cost(result) -> dict | None:
    """What the gap costs (analysis/cost.py): the scatter's points, both readings of the
    gap, the equal-price gap per price snapshot and a sentence per scope."""
    if result is None:
        return None
    from ..analysis.cost import cost_sentence

    scopes = list(dict.fromkeys(result.missing["scope"])) if len(result.missing) else []
    return {
        "settings": _clean_dict(result.settings.to_dict()),
        "points": table(result.points, ["scope", "name", "group", "level", "level_ci_low",
                                        "level_ci_high", "price", "on_frontier", "hosted",
                                        "price_source", "price_as_of"]),
        "equal_price": table(result.equal_price),
        # ratios as percentages, so that 3 decimals keep two significant digits
        "price_ratio": table(result.price_ratio.assign(
            ratio_pct=100 * result.price_ratio["estimate"],
            ratio_pct_ci_low=100 * result.price_ratio["ci_low"],
            ratio_pct_ci_high=100 * result.price_ratio["ci_high"])),
        "timeline": table(result.timeline, ["price_as_of", "scope", "at", "price",
                                            "closed_model", "open_model", "estimate",
                                            "ci_low", "ci_high"]),
        "missing": table(result.missing),
        "sentences": {scope: cost_sentence(result, scope) for scope in scopes},
    }


#: The parts of a definition's page data that are read from its item as
#: :func:`gaplens.api.collect` finishes it (the earlier maps, the notes and claim 3 are
#: added after its analyses): :func:`definition_tables` leaves them out.
LATE_PARTS = ("gap_history", "warnings", "claims")


def definition_tables(item: ByDefinition) -> dict:
    """The page data of a definition's analyses, without :data:`LATE_PARTS`: what
    :func:`by_definition` converts, done where the analyses were computed."""
    return {
        "description": item.description,
        "gap": table(item.gap.table, GAP_COLUMNS),
        "gap_timeline": table(item.gap_timeline),
        "frontiers": table(item.frontiers, ["benchmark", "domain", "group", "release_date",
                                            "level", "display_name"]),
        "index_gap": table(item.index_gap.table),
        "index_timeline": table(item.index_gap.timeline),
        "published_gap": table(item.published_gap),
        "published_lag": table(item.published_lag),
        "composite": _composite(item.composite),
        "factors": _factors(item.factors),
        "realworld": _realworld(item.realworld),
        "overfit": _overfit(item.overfit),
        "forecast": (table(item.forecast.catch_up, [
            "scope", "mode", "closed_frontier", "open_frontier", "gap", "catch_up_months",
            "catch_up_ci_low", "catch_up_ci_high", "catch_up_date", "verdict", "summary"])
            if item.forecast is not None else None),
        "forecast_trends": (table(item.forecast.trends, [
            "scope", "group", "slope_per_year", "slope_per_year_ci_low", "slope_per_year_ci_high",
            "trend_at_cutoff", "frontier_at_cutoff"]) if item.forecast is not None else None),
        "unknown_models": table(item.gap.unknown_models),
        "cost": _cost(getattr(item, "cost", None)),
        "countries": _countries(item.countries),
    }


def by_definition(item: ByDefinition) -> dict:
    """A definition's page data: ``item.tables`` (:func:`definition_tables`, if converted
    beforehand) with :data:`LATE_PARTS` read from the item as it is now."""
    tables = item.tables if item.tables is not None else definition_tables(item)
    late = {"gap_history": table(item.gap_history, ["as_of"] + GAP_COLUMNS[:-2]),
            "warnings": _warnings(item), "claims": [claim(c) for c in item.claims]}
    return {key: late[key] if key in late else tables[key] for key in PAGE_ORDER}


#: The order of a definition's page data (the JSON's key order).
PAGE_ORDER = ("description", "gap", "gap_timeline", "gap_history", "frontiers", "index_gap",
              "index_timeline", "published_gap", "published_lag", "composite", "factors",
              "realworld", "overfit", "forecast", "forecast_trends", "unknown_models",
              "warnings", "claims", "cost", "countries")


def _countries(report) -> dict | None:
    """The countries section: country and lab frontiers on the index (analysis/groups.py)."""
    if report is None:
        return None
    from .countries_text import countries_sentence

    c = report.countries
    rows = ["scope", "group", "versus", "status", "n_group", "n_versus", "group_leader",
            "group_lab", "versus_leader", "gap", "gap_ci_low", "gap_ci_high", "lag_months",
            "lag_months_ci_low", "lag_months_ci_high"]
    return {"table": table(c.table, rows), "labs": table(report.labs, rows),
            "frontiers": table(c.frontiers), "leaders": table(c.leaders),
            "sentence": countries_sentence(c)}


#: What a rejected input row was, from its reason (first rule that matches).
REJECTION_KINDS = (
    ("not matched", "name not matched to a model"),
    ("is ambiguous", "ambiguous name"),
    ("is the same model", "duplicate of a better-ranked entry (best kept)"),
    ("variant", "duplicate of a better-ranked entry (best kept)"),
    ("repeats", "duplicate of a better-ranked entry (best kept)"),
)


def rejection_kind(reason: str) -> str:
    for needle, kind in REJECTION_KINDS:
        if needle in reason:
            return kind
    return "other: " + reason.split(":")[0][:60]


def _rejected_summary(rejected: pd.DataFrame) -> dict:
    """Rejected input rows counted per source and kind; names not matched or ambiguous
    listed in full (each is one alias away from being used)."""
    columns = ["kind", "what", "rows"]
    if rejected.empty:
        return {"counts": table(pd.DataFrame(columns=columns)),
                "names": table(pd.DataFrame(columns=["kind", "file", "row", "reason"]))}
    frame = rejected.assign(kind=rejected["kind"].fillna("?"),
                            reason=rejected["reason"].fillna("").astype(str))
    frame = frame.assign(what=frame["reason"].map(rejection_kind),
                         file=frame["file"].map(lambda p: os.path.basename(str(p))))
    counts = (frame.groupby(["kind", "what"]).size().rename("rows").reset_index()
              .sort_values("rows", ascending=False))
    names = frame.loc[frame["what"].isin(["name not matched to a model", "ambiguous name"])]
    return {"counts": table(counts, columns),
            "names": table(names, ["kind", "file", "row", "reason"])}


def _sources(sources: pd.DataFrame) -> dict:
    frame = sources.assign(
        file=sources["path"].map(lambda p: os.path.basename(str(p).rstrip("/"))),
        credit=sources["kind"].map(lambda k: SOURCE_CREDITS.get(k, "")))
    return table(frame, ["source_id", "kind", "file", "retrieved_on", "provenance",
                         "data_through", "age_days", "data_from", "data_to", "added", "updated",
                         "rejected", "n_signals", "credit"])


def credits(sources: pd.DataFrame) -> list[str]:
    """The credit line of each source kind in the warehouse, once each, in source order
    (printed on every exported chart image)."""
    out = []
    for kind in sources["kind"] if "kind" in sources else []:
        credit = SOURCE_CREDITS.get(kind, "")
        if credit and credit not in out:
            out.append(credit)
    return out


def _history_from(inputs: ReportInputs) -> str | None:
    dates = [d for item in inputs.definitions if not item.gap_history.empty
             for d in item.gap_history["as_of"]]
    return _value(min(dates)) if dates else None


def build(inputs: ReportInputs) -> dict:
    """The whole page's data."""
    fit = inputs.fit
    models = fit.models
    domains = inputs.domains.sort_values("ord") if "ord" in inputs.domains else inputs.domains
    dates = pd.to_datetime(models["release_date"]).dropna()
    lifecycle = inputs.lifecycle
    first = inputs.definitions[0].realworld if inputs.definitions else None
    return {
        "schema": SCHEMA,
        "meta": {
            "gaplens_version": __version__, "created": dt.date.today().isoformat(),
            "as_of": inputs.as_of.isoformat(), "default_definition": inputs.default_definition,
            "definitions": [{"key": d.definition, "description": d.description,
                             "open_classes": sorted(a.value for a in
                                                    OpenDefinition(d.definition).open_classes)}
                            for d in inputs.definitions],
            "domains": table(domains, ["domain", "label", "description"]),
            "date_from": dates.min().date().isoformat() if len(dates) else None,
            "date_to": inputs.as_of.isoformat(), "n_draws": inputs.n_draws,
            "n_draws_history": inputs.settings.get("gap", {}).get("history_draws"),
            "recent_months": inputs.settings.get("gap", {}).get("recent_months"),
            "history_from": _history_from(inputs),
            "seed": inputs.seed, "ci": _value(fit.settings.ci),
            "composite_version": inputs.composite_version,
            "composite_as_of": _value(inputs.composite_as_of),
            "composite_change": (_value(inputs.agreement.change_point(inputs.composite_version))
                                 if inputs.agreement is not None and inputs.composite_version
                                 else None),
            "index_scale": (f"{fit.settings.anchor_low} = {fit.settings.anchor_low_value:g}, "
                            f"{fit.settings.anchor_high} = {fit.settings.anchor_high_value:g}"),
            "credits": credits(inputs.sources),
            "freshness": (inputs.freshness.to_dict() if inputs.freshness is not None
                          else None),
        },
        "settings": {name: _clean_dict(values) for name, values in inputs.settings.items()},
        "by_definition": {d.definition: by_definition(d) for d in inputs.definitions},
        "index": table(models, ["model_id", "display_name", "organization", "country",
                                "accessibility", "release_date", "n_benchmarks", "index",
                                "index_ci_low", "index_ci_high", "is_anchor", "at_bound"]),
        "domain_levels": table(inputs.domain_levels),
        "index_failed_draws": int((~np.asarray(fit.ok)).sum()) if hasattr(fit, "ok") else None,
        "index_warnings": list(fit.warnings),
        "lifecycle": None if lifecycle is None else {
            "benchmarks": table(lifecycle.benchmarks, [
                "benchmark", "domain", "test_set", "release_date", "status", "saturated",
                "saturated_since", "months_to_saturation", "reached_50", "reached_80",
                "reached_90", "frontier", "frontier_model", "n_models", "first_result",
                "last_result", "note"]),
            "domains": table(lifecycle.domains, ["quarter", "domain", "n_discriminating",
                                                 "weight", "share"]),
            "focus": table(lifecycle.focus),
            "shifts": table(lifecycle.shifts),
            "interval": table(lifecycle.interval.as_frame()),
            "notes": list(lifecycle.notes), "warnings": list(lifecycle.warnings)},
        "composite_agreement": (table(inputs.agreement.table)
                                if inputs.agreement is not None else None),
        "realworld_correlations": (table(first.correlations, [
            "predictor", "kind", "target", "window", "n", "spearman", "ci_low", "ci_high"])
            if first is not None else None),
        "sources": _sources(inputs.sources),
        "rejected": _rejected_summary(inputs.rejected),
        "notes": list(inputs.notes),
        "since_update": list(inputs.since_update),
        "openness": _openness(inputs.openness),
    }


def _openness(result) -> dict | None:
    """The ladder, each rung definition's frontier on the index, the audit and the
    openness-index view (analysis.openness)."""
    if result is None:
        return None
    from ..analysis.openness import openness_sentence

    return {"counts": table(result.counts), "frontier": table(result.frontier),
            "audit": table(result.audit), "view": table(result.view),
            "aa_view": table(result.aa),
            "correlation": table(result.correlation), "sentence": openness_sentence(result),
            "ci": _value(result.ci), "warnings": list(result.warnings)}


def script_json(payload: dict) -> str:
    """JSON that cannot end or open a tag inside ``<script>``: ``<``, ``>``, ``&`` and the
    JavaScript line separators are written as ``\\u`` escapes (still the same JSON)."""
    text = json.dumps(payload, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    for char, escape in (("<", "\\u003c"), (">", "\\u003e"), ("&", "\\u0026"),
                         ("\u2028", "\\u2028"), ("\u2029", "\\u2029")):
        text = text.replace(char, escape)
    return text
