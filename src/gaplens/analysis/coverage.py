"""Coverage beside capability: who was evaluated on a benchmark, and which open models were not.

A benchmark's open frontier is the best score among the open models *evaluated there*. When
stronger or newer open models were never run on it, the frontier (and the gap read from it)
measures missing evaluations, not missing capability. This module makes that visible, as
of a date T with a recency window W (``recent_months``, default 12: results of models
released in [T - W, T], the window of the gap's recency rule).

Per benchmark b (results of models released by T, grouped by an open definition):

    counts      open and closed models evaluated on b, in the window and all time;
                the newest open and the newest closed model evaluated on b
    observed    the open frontier on b: the best open score and the model that first
                reached it (the gap's open leader)
    reference   R_b: the open model evaluated on b with the highest capability index I
    stronger    open models m released by T, in the index fit, with no result on b,
                I_m significantly above I_R (the central ``ci`` interval of the paired
                difference I_m - I_R over the fit's bootstrap draws lies above 0, as
                ``gaplens compare`` judges) and expected to score above the observed open
                frontier (the lower end of m's expected-score interval on b, below, is
                above it). With no open model evaluated on b every such m counts; with
                open models evaluated but none in the fit, the expected scores decide
    newer       the newest open result on b predates the window while closed models were
                evaluated on b inside it and open models released inside it exist (with
                results elsewhere): open coverage stopped, closed coverage did not
    coverage_limited = (some stronger model) or newer

The reason text names the models. Beside the observed open frontier, and never mixed into
it or into the gap, stand the index's *expected* scores of the ``top`` (3) open models with
the highest index among those released by T and not evaluated on b:

    E[y_mb] = sigmoid(alpha_b (C_m - D_b))

in normalised points and raw units, central fit with the central ``ci`` interval over the
fit's bootstrap draws (parameter uncertainty; a single run varies around it by about the
benchmark's residual RMSE, :func:`gaplens.analysis.index_queries.predict`). Without a
stored fit only the counts, the newest models and the ``newer`` rule are reported; a
benchmark outside the fit (Elo and minutes units, or dropped by the fit) gets the same.

Per domain: its benchmarks with results by T, how many are coverage-limited and which, and
the counts and newest models over its benchmarks (each model counted once).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Literal

import numpy as np
import pandas as pd

from ..errors import ConfigError
from ..types import OpenDefinition
from .gap_rows import positions_by_key
from .observations import Observations

if TYPE_CHECKING:
    from .capability import IndexFit

NO_FIT_NOTE = "no index fit stored: expected scores need 'gaplens fit'"


@dataclass(frozen=True)
class CoverageSettings:
    """Every choice behind a coverage table (stored with the result and in its JSON)."""

    as_of: dt.date
    open_definition: OpenDefinition = OpenDefinition.OPEN_WEIGHTS
    by: Literal["domain", "benchmark"] = "benchmark"
    recent_months: int = 12
    top: int = 3

    def __post_init__(self) -> None:
        if self.by not in ("domain", "benchmark"):
            raise ConfigError(f"--by must be 'domain' or 'benchmark', not '{self.by}'")
        if self.recent_months < 1:
            raise ConfigError("--recent must be at least one month")
        if self.top < 1:
            raise ConfigError("the number of expected models must be at least 1")

    @property
    def window_start(self) -> dt.date:
        return (pd.Timestamp(self.as_of) - pd.DateOffset(months=self.recent_months)).date()

    def to_dict(self) -> dict:
        out = asdict(self)
        out["as_of"] = self.as_of.isoformat()
        out["open_definition"] = self.open_definition.value
        out["window_start"] = self.window_start.isoformat()
        return out


@dataclass(frozen=True)
class CoverageResult:
    """Coverage per benchmark and per domain, and the expected scores of unevaluated models.

    ``benchmarks``: BENCHMARK_COLUMNS, one row per benchmark with results by T.
    ``domains``: DOMAIN_COLUMNS, one row per domain. ``expected``: EXPECTED_COLUMNS, up to
    ``top`` rows per benchmark of the fit (rank 1 = highest index). ``index_note`` says why
    expected scores are missing (no fit), empty otherwise.
    """

    settings: CoverageSettings
    benchmarks: pd.DataFrame
    domains: pd.DataFrame
    expected: pd.DataFrame
    index_ci: float | None = None
    index_note: str = ""
    warnings: tuple[str, ...] = field(default=())

    @property
    def table(self) -> pd.DataFrame:
        """The table at the settings' level (per benchmark or per domain)."""
        return self.benchmarks if self.settings.by == "benchmark" else self.domains


@dataclass(frozen=True)
class _IndexView:
    """What coverage needs from a capability fit: open models with their index and draws."""

    fit: "IndexFit"
    models: pd.DataFrame  # model_id, display_name, release_date, index, group, pos
    draws: np.ndarray  # (usable draws, fit models) index per draw
    ci: float

    @classmethod
    def of(cls, fit: "IndexFit", definition: OpenDefinition) -> "_IndexView":
        models = fit.models[["model_id", "display_name", "release_date", "index",
                             "index_ci_low", "index_ci_high", "at_bound"]].copy()
        models["group"] = definition.groups(fit.models["accessibility"],
                                            fit.models["model_id"])
        models["release_date"] = pd.to_datetime(models["release_date"])
        models["pos"] = np.arange(len(models))
        return cls(fit=fit, models=models, draws=fit.index_draws(), ci=fit.settings.ci)

    @property
    def open_models(self) -> pd.DataFrame:
        """Open models, highest index first (ties: model id)."""
        opens = self.models.loc[self.models["group"] == "open"]
        return opens.sort_values(["index", "model_id"], ascending=[False, True])

    def stronger(self, candidates: np.ndarray, reference: int) -> np.ndarray:
        """Whether each candidate's index is significantly above the reference's."""
        central = self.models["index"].to_numpy(dtype=float)
        if len(self.draws) < 2:  # no bootstrap: the point estimates decide
            return central[candidates] > central[reference]
        diff = self.draws[:, candidates] - self.draws[:, [reference]]
        low = np.quantile(diff, (1 - self.ci) / 2, axis=0)
        return (low > 0) & (central[candidates] > central[reference])


def _name(row) -> str:
    name = row.get("display_name")
    return str(name) if isinstance(name, str) and name else str(row["model_id"])


def _columns(frame: pd.DataFrame) -> dict[str, np.ndarray]:
    """The columns of ``frame`` as arrays: rows are then sliced without a DataFrame."""
    return {column: frame[column].to_numpy() for column in frame.columns}


def _take(rows: dict[str, np.ndarray], where: np.ndarray) -> dict[str, np.ndarray]:
    return {column: values[where] for column, values in rows.items()}


def _first(rows: dict[str, np.ndarray], keys: list[tuple[str, bool]]) -> dict:
    """The first row of ``rows`` (columns as arrays) ordered by ``keys`` ((column,
    descending)), model id last."""
    order = [np.unique(rows["model_id"].astype(str), return_inverse=True)[1]]
    for column, descending in reversed(keys):  # np.lexsort: the last key sorts first
        values = rows[column]
        if np.issubdtype(values.dtype, np.datetime64):
            values = values.astype("datetime64[D]").astype(np.int64)
        order.append(-values if descending else values)
    first = int(np.lexsort(order)[0])
    return {column: values[first] for column, values in rows.items()}


def _newest(rows: dict[str, np.ndarray]) -> tuple[str | None, dt.date | None]:
    if len(rows["model_id"]) == 0:
        return None, None
    top = _first(rows, [("release_date", True)])
    return _name(top), pd.Timestamp(top["release_date"]).date()


def _frontier_holder(rows: dict[str, np.ndarray]):
    """The best score and the model that first reached it (ties: earliest release)."""
    if len(rows["model_id"]) == 0:
        return None, None, np.nan
    top = _first(rows, [("score", True), ("release_date", False)])
    return _name(top), pd.Timestamp(top["release_date"]).date(), 100 * float(top["score"])


def _listing(names: list[str], total: int, values: list[str] | None = None) -> str:
    shown = [f"{n} ({v})" for n, v in zip(names, values)] if values else list(names)
    more = f" and {total - len(names)} more" if total > len(names) else ""
    return ", ".join(shown) + more


def compute_coverage(obs: Observations, settings: CoverageSettings, benchmarks: pd.DataFrame,
                     domains: pd.DataFrame, fit: "IndexFit | None" = None,
                     warnings: tuple[str, ...] = ()) -> CoverageResult:
    """Coverage per benchmark and domain as of ``settings.as_of`` (module docstring).

    ``benchmarks`` and ``domains`` are the warehouse tables (domain, unit and labels);
    ``fit`` the stored capability fit, or None (counts only).
    """
    if obs.as_of != settings.as_of or obs.open_definition != settings.open_definition:
        raise ConfigError("observations were prepared for another date or open definition")
    frame = obs.frame[["model_id", "display_name", "group", "benchmark", "domain", "score",
                       "release_date"]].copy()
    for column in ("model_id", "display_name", "group", "benchmark", "domain"):
        frame[column] = frame[column].astype(object)  # fast row slicing below
    frame["release_date"] = pd.to_datetime(frame["release_date"])
    start = pd.Timestamp(settings.window_start)
    as_of = pd.Timestamp(settings.as_of)
    grouped = frame.loc[frame["group"].notna()]
    view = _IndexView.of(fit, settings.open_definition) if fit is not None else None
    opens = view.open_models if view is not None else None
    # Expected scores of every open model (``opens`` order) on every benchmark of the fit,
    # one block of rows per benchmark; the rows shown are taken once at the end.
    expected_all, block_of = (_expected_all(view, opens, benchmarks) if view is not None
                              else (None, {}))
    in_fit = set(fit.benchmarks["benchmark"]) if fit is not None else set()
    if opens is not None:
        open_ids, open_pos = opens["model_id"].to_numpy(dtype=object), opens["pos"].to_numpy()
        open_released = (opens["release_date"] <= as_of).to_numpy()
        open_names = np.array([_name(r) for r in opens[["model_id", "display_name"]].to_dict(
            orient="records")], dtype=object)
        open_index = opens["index"].to_numpy()
        expected_central = expected_all["expected"].to_numpy()
        expected_low = expected_all["expected_ci_low"].to_numpy()
    open_recent = (grouped.loc[(grouped["group"] == "open") & (grouped["release_date"] >= start)]
                   .drop_duplicates("model_id"))
    meta = benchmarks.set_index("benchmark")
    labels = domains.set_index("domain")["label"] if "label" in domains else pd.Series(dtype=str)

    rows_out: list[dict] = []
    shown_rows: list[np.ndarray] = []  # rows of expected_all shown, ranked per benchmark
    # Each benchmark's rows (in the frame's order, benchmarks sorted as groupby sorts
    # them) sliced from arrays read once.
    columns = _columns(frame)
    start64 = start.to_datetime64()
    for name, positions in positions_by_key(columns["benchmark"], sort=True):
        bench_rows = _take(columns, positions)
        rows = _take(bench_rows, pd.notna(bench_rows["group"]))
        is_open = rows["group"] == "open"
        recent = rows["release_date"] >= start64
        domain = meta["domain"].get(name) if name in meta.index else bench_rows["domain"][0]
        unit = meta["unit"].get(name) if name in meta.index else None
        row = dict(key=name, benchmark=name, domain=domain, label=labels.get(domain, domain),
                   unit=unit, in_index=name in in_fit,
                   n_open_recent=int((is_open & recent).sum()),
                   n_closed_recent=int((~is_open & recent).sum()),
                   n_open=int(is_open.sum()), n_closed=int((~is_open).sum()))
        row["newest_open_model"], row["newest_open_release_date"] = _newest(
            _take(rows, is_open))
        row["newest_closed_model"], row["newest_closed_release_date"] = _newest(
            _take(rows, ~is_open))
        (row["observed_open_model"], row["observed_open_release_date"],
         row["observed_open_score"]) = _frontier_holder(_take(rows, is_open))
        reasons: list[str] = []
        notes: list[str] = []

        # newer: open coverage stopped before the window, closed coverage did not
        newest_open = row["newest_open_release_date"]
        stale = ((newest_open is None or pd.Timestamp(newest_open) < start)
                 and row["n_closed_recent"] > 0 and len(open_recent) > 0)
        if stale:
            last = (f"newest open result {pd.Timestamp(newest_open):%Y-%m} "
                    f"({row['newest_open_model']})" if newest_open is not None
                    else "no open model evaluated")
            n_closed = row["n_closed_recent"]
            reasons.append(f"{last}; {n_closed} closed model{'s' if n_closed > 1 else ''} "
                           f"evaluated since {start:%Y-%m-%d}, none of the {len(open_recent)} "
                           "open models released since then")

        # stronger: unevaluated open models above the evaluated ones on the index, expected
        # to score above the observed open frontier
        row.update(open_reference_model=None, open_reference_index=np.nan,
                   n_stronger_unevaluated=0, n_stronger_expected_above=0)
        if view is None:
            notes.append(NO_FIT_NOTE)
        elif name not in in_fit:
            notes.append(f"not in the index fit (unit {unit}): counts only" if unit in
                         ("elo", "minutes") else "not in the index fit: counts only")
        else:
            # Positions in ``opens`` (highest index first) of the open models evaluated
            # here and of the candidates (released by the date, not evaluated here).
            evaluated, open_here = set(bench_rows["model_id"]), set(rows["model_id"][is_open])
            judged = np.flatnonzero(np.fromiter((m in open_here for m in open_ids), bool,
                                                len(open_ids)))
            candidates = np.flatnonzero(np.fromiter(
                (m not in evaluated for m in open_ids), bool, len(open_ids)) & open_released)
            rows_here = block_of[name] * len(open_ids) + candidates
            shown_rows.append(rows_here[:settings.top])
            observed = row["observed_open_score"]
            if len(candidates) == 0:
                notes.append("every open model of the index released by the date is "
                             "evaluated here")
                stronger = above = candidates
            else:
                above_mask = (expected_low[rows_here] > observed) if row[
                    "n_open"] else np.ones(len(candidates), dtype=bool)
                if len(judged):
                    ref = judged[0]  # opens are ordered by index
                    row["open_reference_model"] = open_names[ref]
                    row["open_reference_index"] = float(open_index[ref])
                    mask = view.stronger(open_pos[candidates], int(open_pos[ref]))
                    basis = (f"open models stronger on the index than any evaluated here (best:"
                             f" {row['open_reference_model']}, {open_index[ref]:.1f}) have no "
                             f"result and are expected above the observed open frontier of "
                             f"{observed:.1f}: ")
                elif row["n_open"]:  # the evaluated open models are outside the fit
                    mask = np.ones(len(candidates), dtype=bool)
                    basis = ("the evaluated open models are outside the index fit; open models"
                             " expected above the observed open frontier of "
                             f"{observed:.1f} have no result: ")
                else:
                    mask = np.ones(len(candidates), dtype=bool)
                    basis = "the strongest open models on the index have no result here: "
                stronger = candidates[mask]
                above = candidates[mask & above_mask]
                exp_of = dict(zip(candidates, expected_central[rows_here]))
            row["n_stronger_unevaluated"] = int(len(stronger))
            row["n_stronger_expected_above"] = int(len(above))
            if len(above):
                top = above[:3]
                reasons.append(basis + _listing(
                    list(open_names[top]), len(above),
                    [f"index {open_index[i]:.1f}, expected {exp_of[i]:.1f}" for i in top]))
        row["coverage_newer"] = bool(stale)
        row["coverage_stronger"] = bool(row["n_stronger_expected_above"])
        row["coverage_limited"] = bool(reasons)
        row["coverage_reason"] = "; ".join(reasons)
        row["note"] = "; ".join(notes)
        rows_out.append(row)

    bench_table = pd.DataFrame(rows_out, columns=[c for c in BENCHMARK_COLUMNS
                                                  if not c.startswith("expected_")])
    taken = np.concatenate(shown_rows) if shown_rows else np.arange(0)
    if len(taken):
        expected = expected_all.take(taken).reset_index(drop=True)
        expected.insert(0, "rank", np.concatenate([np.arange(1, len(r) + 1)
                                                   for r in shown_rows]))
    else:
        expected = pd.DataFrame(columns=EXPECTED_COLUMNS)
    best = expected.loc[expected["rank"] == 1].set_index("benchmark")
    for column in [c for c in BENCHMARK_COLUMNS if c.startswith("expected_open_")]:
        source = EXPECTED_WIDE[column]
        bench_table[column] = bench_table["benchmark"].map(best[source]) if len(best) else None
    bench_table = bench_table[BENCHMARK_COLUMNS]
    return CoverageResult(settings=settings, benchmarks=bench_table,
                          domains=_domain_table(bench_table, grouped, domains, start),
                          expected=expected[EXPECTED_COLUMNS],
                          index_ci=view.ci if view is not None else None,
                          index_note="" if view is not None else NO_FIT_NOTE,
                          warnings=tuple(obs.warnings) + tuple(warnings))


def _expected_all(view: _IndexView, opens: pd.DataFrame, bench_table: pd.DataFrame
                  ) -> tuple[pd.DataFrame, dict[str, int]]:
    """Expected scores of every open model of the fit on every benchmark of the fit
    (EXPECTED_COLUMNS but ``rank``): benchmark k's rows are k * len(opens) + the models'
    positions in ``opens`` (highest index first); and k of each benchmark."""
    from .index_queries import expected_scores

    names = view.fit.benchmarks["benchmark"].tolist()
    models = opens["model_id"].tolist()
    out = expected_scores(view.fit, models * len(names), np.repeat(names, len(models)).tolist(),
                          bench_table)
    # Every printed estimate lies inside its printed interval: where the central fit falls
    # outside the central interval of its bootstrap draws (models near the capability
    # bound), the interval is extended to it and the row says so.
    extended = np.zeros(len(out), dtype=bool)
    for unit in ("", "_raw"):
        est, low, high = (out[f"expected{unit}"], out[f"expected{unit}_ci_low"],
                          out[f"expected{unit}_ci_high"])
        extended |= ((est < low) | (est > high)).to_numpy()  # False where NaN
        out[f"expected{unit}_ci_low"] = low.where(~(est < low), est)
        out[f"expected{unit}_ci_high"] = high.where(~(est > high), est)
    out["interval_extended"] = extended
    out["model"] = [_name(r) for r in opens.to_dict(orient="records")] * len(names)
    out["release_date"] = [d.date() for d in opens["release_date"]] * len(names)
    for column in ("index", "index_ci_low", "index_ci_high", "at_bound"):
        out[column] = np.tile(opens[column].to_numpy(), len(names))
    return out[[c for c in EXPECTED_COLUMNS if c != "rank"]], {
        name: k for k, name in enumerate(names)}


def _domain_table(bench_table: pd.DataFrame, grouped: pd.DataFrame, domains: pd.DataFrame,
                  start: pd.Timestamp) -> pd.DataFrame:
    order = (domains.sort_values(["ord", "domain"])["domain"].tolist()
             if "ord" in domains else sorted(domains["domain"]))
    order += sorted(set(bench_table["domain"].dropna()) - set(order))
    labels = domains.set_index("domain")["label"] if "label" in domains else pd.Series(dtype=str)
    arrays = _columns(grouped[["model_id", "display_name", "group", "benchmark",
                               "release_date"]])
    start64 = start.to_datetime64()
    # The benchmark table's columns read once; each domain's rows are positions into them.
    bench_domain = bench_table["domain"].to_numpy(dtype=object)
    bench_names = bench_table["benchmark"].to_numpy(dtype=object)
    bench_limited = bench_table["coverage_limited"].to_numpy(dtype=bool)
    domain_of = dict(zip(bench_names, bench_domain))  # one row per benchmark
    row_domain = np.array([domain_of.get(b) for b in arrays["benchmark"]], dtype=object)
    out = []
    for domain in order:
        members = np.flatnonzero(bench_domain == domain)
        if not len(members):
            continue
        rows = _take(arrays, row_domain == domain)  # the rows of the domain's benchmarks
        is_open, recent = rows["group"] == "open", rows["release_date"] >= start64
        ids = rows["model_id"]
        limited = bench_names[members[bench_limited[members]]].tolist()
        row = dict(key=domain, domain=domain, label=labels.get(domain, domain),
                   n_benchmarks=len(members), n_coverage_limited=len(limited),
                   coverage_limited=bool(limited),
                   coverage_limited_benchmarks="; ".join(limited),
                   n_open_recent=len(set(ids[is_open & recent])),
                   n_closed_recent=len(set(ids[~is_open & recent])),
                   n_open=len(set(ids[is_open])), n_closed=len(set(ids[~is_open])))
        row["newest_open_model"], row["newest_open_release_date"] = _newest(
            _take(rows, is_open))
        row["newest_closed_model"], row["newest_closed_release_date"] = _newest(
            _take(rows, ~is_open))
        row["coverage_reason"] = (
            f"{len(limited)} of {len(members)} benchmarks coverage-limited: " + ", ".join(limited)
            if limited else "")
        out.append(row)
    return pd.DataFrame(out, columns=DOMAIN_COLUMNS)


def gap_columns(result: CoverageResult, by: str) -> pd.DataFrame:
    """The coverage columns a gap table carries, keyed by ``key`` (benchmark or domain)."""
    if by == "benchmark":
        return result.benchmarks[GAP_BENCHMARK_COLUMNS]
    return result.domains[GAP_DOMAIN_COLUMNS]


def join_gap(table: pd.DataFrame, result: CoverageResult, by: str) -> pd.DataFrame:
    """A gap table with its rows' coverage columns appended (a new frame).

    A domain row is coverage-limited when one of the benchmarks its gap is computed from
    (its ``benchmarks`` column) is; the coverage table's own domain rows count every
    benchmark of the domain.
    """
    extra = gap_columns(result, by)
    extra = extra[[c for c in extra.columns if c == "key" or c not in table.columns]]
    joined = table.merge(extra, on="key", how="left")
    if by == "domain" and "benchmarks" in joined:
        flagged = result.benchmarks.set_index("benchmark")["coverage_limited"]
        used = [[b for b in (u.split("; ") if isinstance(u, str) and u else [])]
                for u in joined["benchmarks"]]
        limited = [[b for b in u if bool(flagged.get(b, False))] for u in used]
        joined["n_coverage_limited"] = [len(x) for x in limited]
        joined["coverage_limited_benchmarks"] = ["; ".join(x) for x in limited]
        joined["coverage_reason"] = [
            f"{len(x)} of the {len(u)} benchmarks of this gap coverage-limited: "
            + ", ".join(x) if x else "" for x, u in zip(limited, used)]
        joined["coverage_limited"] = [bool(x) for x in limited]
    joined["coverage_limited"] = joined["coverage_limited"].fillna(False).astype(bool)
    return joined


EXPECTED_WIDE = {
    "expected_open_model": "model", "expected_open_release_date": "release_date",
    "expected_open_index": "index", "expected_open_score": "expected",
    "expected_open_ci_low": "expected_ci_low", "expected_open_ci_high": "expected_ci_high",
    "expected_open_raw": "expected_raw", "expected_open_raw_ci_low": "expected_raw_ci_low",
    "expected_open_raw_ci_high": "expected_raw_ci_high",
}

BENCHMARK_COLUMNS = [
    "key", "benchmark", "domain", "label", "unit", "in_index",
    "n_open_recent", "n_closed_recent", "n_open", "n_closed",
    "newest_open_model", "newest_open_release_date",
    "newest_closed_model", "newest_closed_release_date",
    "observed_open_model", "observed_open_release_date", "observed_open_score",
    "open_reference_model", "open_reference_index", "n_stronger_unevaluated",
    "n_stronger_expected_above", "coverage_stronger", "coverage_newer", "coverage_limited",
    "coverage_reason",
    *EXPECTED_WIDE, "note",
]

EXPECTED_COLUMNS = [
    "benchmark", "rank", "model_id", "model", "release_date", "index", "index_ci_low",
    "index_ci_high", "at_bound", "expected", "expected_ci_low", "expected_ci_high", "unit",
    "expected_raw", "expected_raw_ci_low", "expected_raw_ci_high", "interval_extended",
]

DOMAIN_COLUMNS = [
    "key", "domain", "label", "n_benchmarks", "n_coverage_limited", "coverage_limited",
    "coverage_limited_benchmarks", "n_open_recent", "n_closed_recent", "n_open", "n_closed",
    "newest_open_model", "newest_open_release_date",
    "newest_closed_model", "newest_closed_release_date", "coverage_reason",
]

GAP_BENCHMARK_COLUMNS = [
    "key", "n_open_recent", "n_closed_recent", "newest_open_model", "newest_open_release_date",
    "coverage_limited", "coverage_reason", "expected_open_model", "expected_open_score",
    "expected_open_ci_low", "expected_open_ci_high",
]

GAP_DOMAIN_COLUMNS = [
    "key", "n_open_recent", "n_closed_recent", "coverage_limited", "n_coverage_limited",
    "coverage_limited_benchmarks", "coverage_reason",
]
