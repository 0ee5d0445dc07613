"""The capability index: an Epoch-style fit of the warehouse, with bootstrap intervals.

Data (Epoch's production rules, METHODS.md section 3): results released from
``since`` (2023-01-01) up to the as-of date, best normalised score per (model,
benchmark), models with at least ``min_benchmarks`` (4) benchmarks. Benchmarks measured
in Elo or minutes are left out by default (they are not accuracies on a bounded test);
``benchmarks="epoch"`` restricts to the 42 benchmarks of Epoch's published index.

Fit: :mod:`gaplens.models.irt` (y = sigmoid(alpha_b (C_m - D_b)), ridge, anchor
benchmark Winogrande with D = 0, alpha = 1). Display: :mod:`gaplens.models.scale`
(Claude 3.5 Sonnet = 130, GPT-5 = 150).

Intervals: ``n_draws`` model-stratified bootstrap draws (each model's own results
resampled with replacement, so it keeps its count), warm-started from the central fit,
each mapped to the display scale by its own anchors; the interval is the central ``ci``
mass of the draws. A draw that does not converge or whose anchors do not define a scale
is *failed*: counted, reported, and left out of the quantiles.

Before fitting, data that cannot identify the model are removed with a warning, never
silently: models with too few benchmarks, benchmarks without variation (every score 0 or
every score 1), benchmarks with fewer than two models, and any part of the
model-benchmark graph not connected to the anchor benchmark.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import asdict, dataclass, field
from typing import Callable

import numpy as np
import pandas as pd

from ..errors import ConfigError, UnknownNameError
from ..models import irt
from ..models.scale import AnchorModels, DisplayMap
from .observations import collapse

Progress = Callable[[int, int], None]

REGULARISATIONS = {
    "epoch": irt.Regularisation(0.1, "l2"),
    "small": irt.Regularisation(1e-3, "l2"),
    "log-alpha": irt.Regularisation(0.1, "log"),
}
DEFAULT_REGULARISATION = "log-alpha"
EXCLUDED_UNITS = ("elo", "minutes")
EPOCH_BENCHMARKS = "epoch"


@dataclass(frozen=True)
class IndexSettings:
    """Every choice behind a capability fit (stored with it)."""

    regularisation: str = DEFAULT_REGULARISATION
    anchor_benchmark: str = "Winogrande"
    anchor_low: str = "Claude 3.5 Sonnet"
    anchor_low_value: float = 130.0
    anchor_high: str = "GPT-5"
    anchor_high_value: float = 150.0
    benchmarks: str = "all"  # "all" (bounded scores) or "epoch" (Epoch's 42)
    min_benchmarks: int = 4
    since: dt.date = dt.date(2023, 1, 1)
    as_of: dt.date | None = None
    n_draws: int = 500
    seed: int = 0
    ci: float = 0.90
    clip_eps: float = 1e-3

    def __post_init__(self) -> None:
        if self.regularisation not in REGULARISATIONS:
            raise ConfigError(f"unknown regularisation '{self.regularisation}' (choose "
                              + ", ".join(REGULARISATIONS) + ")")
        if self.benchmarks not in ("all", EPOCH_BENCHMARKS):
            raise ConfigError(f"--benchmarks must be 'all' or 'epoch', not '{self.benchmarks}'")
        if self.min_benchmarks < 1:
            raise ConfigError("--min-benchmarks must be at least 1")
        if self.n_draws < 0:
            raise ConfigError("the number of bootstrap draws cannot be negative")
        if not 0 < self.ci < 1:
            raise ConfigError("the interval level must lie strictly between 0 and 1")
        AnchorModels(self.anchor_low, self.anchor_low_value, self.anchor_high,
                     self.anchor_high_value)

    @property
    def reg(self) -> irt.Regularisation:
        return REGULARISATIONS[self.regularisation]

    @property
    def anchors(self) -> AnchorModels:
        return AnchorModels(self.anchor_low, self.anchor_low_value, self.anchor_high,
                            self.anchor_high_value)

    def to_dict(self) -> dict:
        out = asdict(self)
        out["since"] = self.since.isoformat()
        out["as_of"] = self.as_of.isoformat() if self.as_of else None
        out["regularisation_detail"] = self.reg.label
        return out

    @classmethod
    def from_dict(cls, values: dict) -> "IndexSettings":
        values = {k: v for k, v in values.items() if k in cls.__dataclass_fields__}
        values["since"] = dt.date.fromisoformat(values["since"])
        if values.get("as_of"):
            values["as_of"] = dt.date.fromisoformat(values["as_of"])
        return cls(**values)


@dataclass(frozen=True)
class IndexData:
    """The fit's input: one row per (model, benchmark), with the integer indices."""

    obs: pd.DataFrame  # model_id, benchmark, score, raw_score, release_date, ...
    models: pd.DataFrame  # one row per model, in index order
    benchmarks: pd.DataFrame  # one row per benchmark, in index order
    data: irt.IRTData
    warnings: tuple[str, ...]
    data_hash: str


@dataclass(frozen=True)
class IndexFit:
    """A fitted capability index.

    ``models``: model_id, display_name, organization, country, accessibility,
    release_date, n_benchmarks, capability (raw), index, index_ci_low, index_ci_high,
    index_se, at_bound. ``benchmarks``: benchmark, domain, n_models, is_anchor,
    difficulty, slope (raw), edi, edi_ci_low, edi_ci_high, slope_scaled.
    ``draws``: raw parameters per draw (row 0 is the central fit) and ``display`` the
    per-draw maps; ``ok`` marks the draws that count (row 0 always does).
    """

    settings: IndexSettings
    models: pd.DataFrame
    benchmarks: pd.DataFrame
    draws: irt.IRTParams  # (1 + n_draws, ...)
    display: DisplayMap  # (1 + n_draws,)
    ok: np.ndarray  # (1 + n_draws,) bool
    obs: pd.DataFrame
    data_hash: str
    warnings: tuple[str, ...] = field(default=())
    created_at: str = ""

    @property
    def failed_draws(self) -> int:
        return int((~self.ok[1:]).sum())

    @property
    def n_draws(self) -> int:
        return len(self.ok) - 1

    def index_draws(self) -> np.ndarray:
        """Display-scale capability per usable draw (ok draws, excluding the central row)."""
        levels = self.display.level(self.draws.capability)
        return levels[1:][self.ok[1:]]

    def central_index(self) -> np.ndarray:
        return self.display.level(self.draws.capability[:1])[0]

    def model_position(self, name: str) -> int:
        return find_model(self.models, name)


def find_model(models: pd.DataFrame, name: str) -> int:
    """Row of a model by id or display name (case-insensitive)."""
    key = name.strip().lower()
    for column in ("model_id", "display_name"):
        hits = np.flatnonzero(models[column].fillna("").str.lower().to_numpy() == key)
        if len(hits):
            return int(hits[0])
    close = [m for m in models["model_id"] if key in m.lower()][:5]
    hint = f" (did you mean: {', '.join(close)}?)" if close else ""
    raise UnknownNameError(f"model '{name}' is not in the capability fit{hint}")


def _epoch_benchmark_names() -> set[str]:
    from ..ingest.bundled import epoch_difficulties_path

    return set(pd.read_csv(epoch_difficulties_path())["benchmark_name"])


def _connected(model_idx: np.ndarray, bench_idx: np.ndarray, n_models: int,
               start_bench: int) -> tuple[np.ndarray, np.ndarray]:
    """Models and benchmarks reachable from ``start_bench`` in the bipartite graph."""
    from scipy.sparse import coo_matrix
    from scipy.sparse.csgraph import connected_components

    n_bench = int(bench_idx.max()) + 1
    size = n_models + n_bench
    graph = coo_matrix((np.ones(len(model_idx)), (model_idx, n_models + bench_idx)),
                       shape=(size, size))
    _, labels = connected_components(graph, directed=False)
    keep = labels == labels[n_models + start_bench]
    return keep[:n_models], keep[n_models:]


def build_data(long: pd.DataFrame, bench_table: pd.DataFrame,
               settings: IndexSettings) -> IndexData:
    """Collapse, filter and index the warehouse's long table for the fit."""
    warnings: list[str] = []
    frame = long.loc[long["release_date"].notna()].copy()
    frame["release_date"] = pd.to_datetime(frame["release_date"])
    frame = frame.loc[frame["release_date"] >= pd.Timestamp(settings.since)]
    if settings.as_of:
        frame = frame.loc[frame["release_date"] <= pd.Timestamp(settings.as_of)]
    units = bench_table.set_index("benchmark")["unit"]
    if settings.benchmarks == EPOCH_BENCHMARKS:
        allowed = _epoch_benchmark_names()
    else:
        allowed = set(units.index[~units.isin(EXCLUDED_UNITS)])
    frame = frame.loc[frame["benchmark"].isin(allowed)]
    if frame.empty:
        raise ConfigError("no results to fit the capability index on (check --since/--at)")
    best = collapse(frame)

    anchor = settings.anchor_benchmark
    known = set(best["benchmark"])
    if anchor not in known:
        raise ConfigError(
            f"anchor benchmark '{anchor}' has no results in the data to fit (choose "
            f"--anchor-benchmark among: {', '.join(sorted(known))})")

    # Drop what cannot identify the model, repeating until stable (dropping one thing
    # can leave another short).
    while True:
        before = len(best)
        counts = best.groupby("model_id")["benchmark"].nunique()
        few = counts[counts < settings.min_benchmarks]
        if len(few):
            warnings.append(f"{len(few)} models with fewer than {settings.min_benchmarks} "
                            "benchmarks are left out of the index")
            best = best.loc[~best["model_id"].isin(few.index)]
        span = best.groupby("benchmark")["score"].agg(["min", "max", "size"])
        flat = span.index[(span["max"] <= settings.clip_eps)
                          | (span["min"] >= 1 - settings.clip_eps)]
        if len(flat):
            warnings.append("benchmarks without variation (every score at 0 or at 1) are left "
                            "out: " + ", ".join(flat))
            best = best.loc[~best["benchmark"].isin(flat)]
        thin = span.index[span["size"] < 2].difference(flat)
        if len(thin):
            warnings.append("benchmarks with fewer than 2 models are left out: "
                            + ", ".join(thin))
            best = best.loc[~best["benchmark"].isin(thin)]
        if anchor not in set(best["benchmark"]):
            raise ConfigError(f"anchor benchmark '{anchor}' has too little data left to "
                              "anchor the fit (choose another with --anchor-benchmark)")
        model_ids = np.array(sorted(best["model_id"].unique()))
        bench_ids = np.array(sorted(best["benchmark"].unique()))
        mi = np.searchsorted(model_ids, best["model_id"].to_numpy())
        bi = np.searchsorted(bench_ids, best["benchmark"].to_numpy())
        keep_m, keep_b = _connected(mi, bi, len(model_ids),
                                    int(np.searchsorted(bench_ids, anchor)))
        if not keep_b.all() or not keep_m.all():
            warnings.append(
                f"{(~keep_b).sum()} benchmarks and {(~keep_m).sum()} models share no model "
                f"with the rest of the data and are left out: " + ", ".join(bench_ids[~keep_b]))
            best = best.loc[keep_m[mi] & keep_b[bi]]
        if len(best) == before:
            break
    if best.empty:
        raise ConfigError("no model has enough benchmarks for the capability index")
    named = " ".join(warnings)
    vanished = sorted(b for b in known - set(best["benchmark"]) if b not in named)
    if vanished:
        warnings.append("benchmarks left without models once those models were left out: "
                        + ", ".join(vanished))

    best = best.sort_values(["model_id", "benchmark"]).reset_index(drop=True)
    model_ids = np.array(sorted(best["model_id"].unique()))
    bench_ids = np.array(sorted(best["benchmark"].unique()))
    mi = np.searchsorted(model_ids, best["model_id"].to_numpy())
    bi = np.searchsorted(bench_ids, best["benchmark"].to_numpy())
    data = irt.IRTData.from_arrays(mi, bi, best["score"].to_numpy(dtype=float),
                                   len(model_ids), len(bench_ids),
                                   int(np.searchsorted(bench_ids, anchor)), settings.clip_eps)
    first = best.groupby("model_id").agg(
        display_name=("display_name", "first"), organization=("organization", "first"),
        country=("country", "first"), accessibility=("accessibility", "first"),
        n_benchmarks=("benchmark", "size"))
    release = long.loc[long["model_id"].isin(model_ids)].groupby("model_id")[
        "model_release_date"].min()
    models = first.loc[model_ids].reset_index()
    models.insert(5, "release_date", pd.to_datetime(models["model_id"].map(release)))
    benches = pd.DataFrame({"benchmark": bench_ids})
    benches = benches.merge(bench_table[["benchmark", "domain"]], on="benchmark", how="left")
    benches["n_models"] = np.bincount(bi, minlength=len(bench_ids))
    benches["is_anchor"] = benches["benchmark"] == anchor
    digest = hashlib.sha256(pd.util.hash_pandas_object(
        best[["model_id", "benchmark", "score"]], index=False).to_numpy().tobytes()).hexdigest()
    return IndexData(best, models, benches, data, tuple(warnings), digest[:16])


def _anchor_positions(models: pd.DataFrame, anchors: AnchorModels) -> tuple[int, int]:
    out = []
    for name in (anchors.low, anchors.high):
        try:
            out.append(find_model(models, name))
        except UnknownNameError:
            raise ConfigError(
                f"anchor model '{name}' is not in the fitted data (it needs "
                f"results on enough benchmarks); choose another with --anchor-low/--anchor-high"
            ) from None
    return out[0], out[1]


def fit_index(data: IndexData, settings: IndexSettings,
              progress: Progress | None = None, jobs: int | None = None) -> IndexFit:
    """Central fit, bootstrap and display scale. ``jobs``: worker processes for the
    bootstrap's chunks of draws (default: GAPLENS_JOBS, else the usable CPUs); the draws
    are the same whatever the number."""
    from .._util.workers import jobs as usable_jobs

    reg = settings.reg
    central = irt.fit(data.data, reg)
    if not central.converged[0]:
        raise ConfigError("the capability fit did not converge on these data")
    low, high = _anchor_positions(data.models, settings.anchors)
    warnings = list(data.warnings)
    if settings.n_draws:
        rng = np.random.default_rng(settings.seed)
        boot = irt.bootstrap(data.data, reg, settings.n_draws, rng, central.params,
                             progress=progress,
                             jobs=usable_jobs() if jobs is None else jobs)
        draws = irt.IRTParams(*(np.concatenate([getattr(central.params, k),
                                                getattr(boot.params, k)])
                                for k in ("capability", "difficulty", "slope")))
        converged = np.concatenate([[True], boot.converged])
    else:
        draws, converged = central.params, np.array([True])
    display = DisplayMap.from_anchors(draws.capability[:, low], draws.capability[:, high],
                                      settings.anchor_low_value, settings.anchor_high_value)
    if not display.ok[0]:
        raise ConfigError(
            f"the anchor models do not define a scale: '{settings.anchor_high}' is not above "
            f"'{settings.anchor_low}' in the fit; choose other anchors")
    ok = converged & display.ok
    failed = int((~ok[1:]).sum())
    if failed:
        warnings.append(f"{failed} of {settings.n_draws} bootstrap draws failed "
                        f"({int((~converged[1:]).sum())} did not converge, "
                        f"{int((~display.ok[1:] & converged[1:]).sum())} had inverted anchors)"
                        " and are left out of the intervals")
    models, benches = _tables(data, draws, display, ok, settings, (low, high), central)
    bound = models["at_bound"].sum()
    if bound:
        warnings.append(f"{bound} models sit at the capability bound (their scores are all at "
                        "0 or 1 on easy/hard benchmarks): their index is a limit, not a value")
    return IndexFit(settings=settings, models=models, benchmarks=benches, draws=draws,
                    display=display, ok=ok, obs=data.obs, data_hash=data.data_hash,
                    warnings=tuple(warnings),
                    created_at=dt.datetime.now().isoformat(timespec="seconds"))


def _tables(data: IndexData, draws: irt.IRTParams, display: DisplayMap, ok: np.ndarray,
            settings: IndexSettings, anchors: tuple[int, int], central: irt.FitOutcome):
    tail = (1 - settings.ci) / 2
    use = ok.copy()
    use[0] = False
    level = display.level(draws.capability)
    edi = display.level(draws.difficulty)
    models = data.models.copy()
    models["capability"] = draws.capability[0]
    models["index"] = level[0]
    if use.any():
        lo, hi = np.quantile(level[use], [tail, 1 - tail], axis=0)
        se = level[use].std(axis=0, ddof=1) if use.sum() > 1 else np.full(len(models), np.nan)
        e_lo, e_hi = np.quantile(edi[use], [tail, 1 - tail], axis=0)
    else:
        lo = hi = se = np.full(len(models), np.nan)
        e_lo = e_hi = np.full(len(data.benchmarks), np.nan)
    lo, hi, se = lo.copy(), hi.copy(), se.copy()
    for k in anchors:  # fixed by definition, not estimated
        lo[k] = hi[k] = se[k] = np.nan
    models["index_ci_low"], models["index_ci_high"], models["index_se"] = lo, hi, se
    models["at_bound"] = central.at_bound[0, :len(models)]
    models["is_anchor"] = False
    models.loc[list(anchors), "is_anchor"] = True
    benches = data.benchmarks.copy()
    benches["difficulty"] = draws.difficulty[0]
    benches["slope"] = draws.slope[0]
    benches["edi"] = edi[0]
    benches["edi_ci_low"], benches["edi_ci_high"] = e_lo, e_hi
    benches["slope_scaled"] = display.slope(draws.slope[:1])[0]
    return models, benches


# --- storage: a fit as plain frames (the store does not interpret them) ------------------

FIT_SCHEMA = "gaplens.index-fit/1"


def to_frames(fit: IndexFit) -> dict[str, pd.DataFrame]:
    meta = pd.DataFrame([{
        "schema": FIT_SCHEMA, "created_at": fit.created_at, "data_hash": fit.data_hash,
        "settings": json.dumps(fit.settings.to_dict()), "warnings": json.dumps(list(fit.warnings)),
        "n_models": len(fit.models), "n_benchmarks": len(fit.benchmarks),
        "n_obs": len(fit.obs), "n_draws": fit.n_draws, "failed_draws": fit.failed_draws}])
    parts = []
    for param in ("capability", "difficulty", "slope"):
        values = getattr(fit.draws, param)
        d, n = values.shape
        parts.append(pd.DataFrame({"param": param, "pos": np.tile(np.arange(n), d),
                                   "draw": np.repeat(np.arange(d), n),
                                   "value": values.ravel()}))
    maps = pd.DataFrame({"draw": np.arange(len(fit.ok)), "a": fit.display.a, "b": fit.display.b,
                         "ok": fit.ok, "map_ok": fit.display.ok})
    obs = fit.obs.copy()
    for column in obs.columns:  # plain types only
        if obs[column].dtype == object:
            obs[column] = obs[column].astype("string")
    return {"index_meta": meta, "index_models": fit.models, "index_benchmarks": fit.benchmarks,
            "index_draws": pd.concat(parts, ignore_index=True), "index_maps": maps,
            "index_obs": obs}


def from_frames(frames: dict[str, pd.DataFrame]) -> IndexFit | None:
    if "index_meta" not in frames:
        return None
    meta = frames["index_meta"].iloc[0]
    if meta["schema"] != FIT_SCHEMA:
        return None
    draws = frames["index_draws"].sort_values(["param", "draw", "pos"])
    arrays = {}
    for param, rows in draws.groupby("param"):
        d = int(rows["draw"].max()) + 1
        arrays[param] = rows["value"].to_numpy(dtype=float).reshape(d, -1)
    maps = frames["index_maps"].sort_values("draw")
    display = DisplayMap(maps["a"].to_numpy(float), maps["b"].to_numpy(float),
                         maps["map_ok"].to_numpy(bool))
    models = frames["index_models"].copy()
    models["release_date"] = pd.to_datetime(models["release_date"])
    obs = frames["index_obs"].copy()
    return IndexFit(
        settings=IndexSettings.from_dict(json.loads(meta["settings"])),
        models=models, benchmarks=frames["index_benchmarks"],
        draws=irt.IRTParams(arrays["capability"], arrays["difficulty"], arrays["slope"]),
        display=display, ok=maps["ok"].to_numpy(bool), obs=obs,
        data_hash=str(meta["data_hash"]), warnings=tuple(json.loads(meta["warnings"])),
        created_at=str(meta["created_at"]))
