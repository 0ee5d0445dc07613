"""Domain indices: one model's capability on the benchmarks of one domain.

Two modes, and every output says which one produced it:

``project`` (default; same scale as the general index). Keep each benchmark's
difficulty D_b and slope alpha_b from the general fit and refit only the model's
capability on the domain's benchmarks X:

    C_m^X = argmin_C  sum_{b in X} (sigmoid(alpha_b (C - D_b)) - y_mb)^2 + (lam / P) C^2

then map with the general display map. C_m^X - C_m says where a model is relatively
stronger or weaker than its general index; it is not an independent trend, since the
benchmark parameters come from all domains. Intervals: in each bootstrap draw of the
general fit, the model's domain results are resampled with replacement and projected
with that draw's D, alpha and display map.

``refit`` (own scale). Fit the full model on the domain's benchmarks alone, anchored on
its own benchmark (by default the one with most models) and mapped by the general
anchor models when both are in the domain's data (else the raw scale). It can show a
domain's own trend, but its numbers are not comparable with the general index.

A model needs ``min_benchmarks`` results in the domain (default 2): one benchmark
alone pins the capability to a single score, and a saturated one to nothing.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Callable, Literal

import numpy as np
import pandas as pd

from ..errors import ConfigError, UnknownNameError
from ..models import irt
from ..models.scale import DisplayMap
from .capability import IndexData, IndexFit, IndexSettings, fit_index

Mode = Literal["project", "refit"]


@dataclass(frozen=True)
class DomainIndex:
    domain: str
    mode: Mode
    scale: str  # how to read the numbers
    table: pd.DataFrame  # model rows: index, index_ci_low/high, general_index, relative...
    benchmarks: tuple[str, ...]
    anchor_benchmark: str
    warnings: tuple[str, ...] = field(default=())
    draws: np.ndarray | None = None  # (ok draws, models in sorted id order) display scale

    def levels(self) -> tuple[np.ndarray, np.ndarray]:
        """(model ids in sorted order, (1 + usable draws, models) with the central row
        first): the domain index as the gap, the forecast and paired comparisons read it."""
        order = np.argsort(self.table["model_id"].to_numpy(), kind="stable")
        ids = self.table["model_id"].to_numpy()[order]  # one row per model: np.sort's order
        central = self.table["index"].to_numpy()[order]
        return ids, np.vstack([central[None, :], self.draws])


def _domain_obs(fit: IndexFit, domain: str, min_benchmarks: int) -> tuple[pd.DataFrame, list]:
    benches = fit.benchmarks.loc[fit.benchmarks["domain"] == domain, "benchmark"].tolist()
    if not benches:
        known = sorted(set(fit.benchmarks["domain"].dropna()))
        raise UnknownNameError(f"no benchmark of domain '{domain}' is in the capability fit "
                               f"(domains in the fit: {', '.join(known)})")
    obs = fit.obs.loc[fit.obs["benchmark"].isin(benches)]
    codes, _, counts = _distinct_benchmarks(obs)
    return obs.loc[counts[codes] >= min_benchmarks], benches


def _distinct_benchmarks(obs: pd.DataFrame) -> tuple[np.ndarray, pd.Index, np.ndarray]:
    """(each row's model code, the model ids of the codes, each model's number of distinct
    benchmarks): ``obs.groupby("model_id")["benchmark"].nunique()`` from codes."""
    model, models = pd.factorize(obs["model_id"])
    bench, benches = pd.factorize(obs["benchmark"])
    if (model < 0).any() or (bench < 0).any():  # missing names: as groupby reads them
        counts = obs.groupby("model_id")["benchmark"].nunique()
        models = pd.Index(counts.index)
        return models.get_indexer(obs["model_id"]), models, counts.to_numpy()
    pairs = np.unique(model.astype(np.int64) * max(len(benches), 1) + bench)
    counts = np.bincount(pairs // max(len(benches), 1), minlength=len(models))
    return model, models, counts


def project_domain(fit: IndexFit, domain: str, min_benchmarks: int = 2,
                   seed: int | None = None) -> DomainIndex:
    """Domain index with the benchmark parameters frozen from the general fit."""
    obs, benches = _domain_obs(fit, domain, min_benchmarks)
    warnings = []
    if obs.empty:
        raise ConfigError(f"no model has results on {min_benchmarks} or more benchmarks of "
                          f"'{domain}' in the fit")
    model_pos = {m: i for i, m in enumerate(fit.models["model_id"])}
    ids = np.array(sorted(obs["model_id"].unique()))
    # each result's model (among ids) and benchmark (in the fit) by position: every one is
    # there, so the lookups give what mapping the names through dicts gives
    mi = pd.Index(ids).get_indexer(obs["model_id"])
    bi = pd.Index(fit.benchmarks["benchmark"]).get_indexer(obs["benchmark"])
    eps = fit.settings.clip_eps
    y = np.clip(obs["score"].to_numpy(dtype=float), eps, 1 - eps)
    n_free = len(fit.models) + 2 * len(fit.benchmarks) - 1
    rho = fit.settings.reg.lam / n_free

    ok = fit.ok.copy()
    rows = np.flatnonzero(ok)  # row 0 (central) first
    rng = np.random.default_rng(fit.settings.seed if seed is None else seed)
    weights = np.ones((len(rows), len(y)))
    if len(rows) > 1:
        weights[1:] = irt.stratified_weights(mi, len(rows) - 1, rng)
    cap, converged = irt.project(mi, bi, y, len(ids), fit.draws.difficulty[rows],
                                 fit.draws.slope[rows], rho, weights)
    display = DisplayMap(fit.display.a[rows], fit.display.b[rows], fit.display.ok[rows])
    level = display.level(cap)
    general = display.level(fit.draws.capability[np.ix_(rows, [model_pos[m] for m in ids])])
    failed = int((~converged[1:]).any(axis=1).sum())
    if failed:
        warnings.append(f"{failed} draws did not converge for some model and are left out")
    good = np.concatenate([[False], ~(~converged[1:]).any(axis=1)])
    table = _summarise(fit, ids, level, general, good, obs)
    table.insert(0, "domain", domain)
    table.insert(1, "mode", "project")
    bound_lo, bound_hi = irt.CAPABILITY_BOUNDS
    at_bound = (cap[0] <= bound_lo + 1e-6) | (cap[0] >= bound_hi - 1e-6)
    table["at_bound"] = at_bound
    if at_bound.any():
        warnings.append(f"{int(at_bound.sum())} models sit at the capability bound on this "
                        "domain (all their scores at 0 or 1): their domain index is a limit")
    return DomainIndex(domain=domain, mode="project",
                       scale="general index scale (benchmark parameters frozen from the general "
                             "fit)",
                       table=table, benchmarks=tuple(benches),
                       anchor_benchmark=fit.settings.anchor_benchmark,
                       warnings=tuple(warnings), draws=level[good])


def projector(fit: IndexFit) -> Callable[[str], DomainIndex]:
    """:func:`project_domain` for ``fit`` with each domain computed once, for callers that
    read a domain's index several times (the report: index scopes, real-world predictors,
    per definition). A domain without an index raises its ConfigError every time."""
    memo: dict[str, DomainIndex | ConfigError] = {}

    def project(domain: str) -> DomainIndex:
        if domain not in memo:
            try:
                memo[domain] = project_domain(fit, domain)
            except ConfigError as exc:
                memo[domain] = exc
        if isinstance(memo[domain], ConfigError):
            raise memo[domain]
        return memo[domain]

    return project


def _summarise(fit: IndexFit, ids: np.ndarray, level: np.ndarray, general: np.ndarray | None,
               good: np.ndarray, obs: pd.DataFrame) -> pd.DataFrame:
    tail = (1 - fit.settings.ci) / 2
    columns = ["model_id", "display_name", "organization", "country", "accessibility",
               "release_date"]
    at = pd.Index(fit.models["model_id"]).get_indexer(ids)
    if (at < 0).any():
        raise KeyError("a model of the domain's results is not in the fit")
    table = fit.models[columns].take(at).reset_index(drop=True)
    _, models, counts = _distinct_benchmarks(obs)
    of = models.get_indexer(ids)
    if (of < 0).any():
        raise KeyError("a model has no results in the domain")
    table["n_benchmarks"] = counts[of]
    def interval(values: np.ndarray):
        if good.any():
            return np.quantile(values[good], [tail, 1 - tail], axis=0)
        return np.full(len(ids), np.nan), np.full(len(ids), np.nan)

    table["index"] = level[0]
    table["index_ci_low"], table["index_ci_high"] = interval(level)
    if general is not None:
        diff = level - general
        table["general_index"] = general[0]
        table["relative"] = diff[0]
        table["relative_ci_low"], table["relative_ci_high"] = interval(diff)
    return table.sort_values("index", ascending=False).reset_index(drop=True)


def refit_domain(fit: IndexFit, domain: str,
                 min_benchmarks: int = 2, anchor_benchmark: str | None = None,
                 n_draws: int | None = None) -> DomainIndex:
    """Domain index from a separate fit on the domain's benchmarks (its own scale)."""
    obs, benches = _domain_obs(fit, domain, min_benchmarks)
    if obs["benchmark"].nunique() < 2:
        raise ConfigError(f"refitting '{domain}' needs at least two benchmarks with shared "
                          "models; use the projection mode")
    counts = obs.groupby("benchmark")["model_id"].nunique().sort_values(ascending=False)
    anchor = anchor_benchmark or str(counts.index[0])
    if anchor not in counts.index:
        raise ConfigError(f"anchor benchmark '{anchor}' has no results in '{domain}' "
                          f"(choose among: {', '.join(counts.index)})")
    from .capability import build_data

    settings = replace(fit.settings, anchor_benchmark=anchor, min_benchmarks=min_benchmarks,
                       n_draws=fit.n_draws if n_draws is None else n_draws)
    bench_table = fit.benchmarks[["benchmark", "domain"]].assign(unit="fraction")
    data = build_data(obs.drop(columns=["n_rows"], errors="ignore").assign(version_setting=""),
                      bench_table, settings)
    low_high = [m for m in (settings.anchor_low, settings.anchor_high)
                if m in set(data.models["model_id"])]
    sub, why_raw = None, "the anchor models are not both in this domain"
    if len(low_high) == 2:
        try:
            sub = fit_index(data, settings)
        except ConfigError:  # the anchors invert on this domain: fall back to raw
            why_raw = (f"{settings.anchor_high} is not above {settings.anchor_low} on this "
                       "domain, so they cannot set its scale")
    if sub is not None:
        scale = (f"own fit on {domain} (anchor benchmark {anchor}; mapped by "
                 f"{settings.anchor_low} = {settings.anchor_low_value:g} and "
                 f"{settings.anchor_high} = {settings.anchor_high_value:g}); "
                 "not comparable with the general index")
    else:
        sub = _fit_raw(data, settings)
        scale = (f"own fit on {domain} (anchor benchmark {anchor}), raw scale: {why_raw}; "
                 "not comparable with the general index")
    level = sub.display.level(sub.draws.capability)
    good = sub.ok.copy()
    good[0] = False
    ids = sub.models["model_id"].to_numpy()
    table = _summarise(sub, ids, level, None, good, data.obs)
    table.insert(0, "domain", domain)
    table.insert(1, "mode", "refit")
    return DomainIndex(domain=domain, mode="refit", scale=scale, table=table,
                       benchmarks=tuple(sorted(data.benchmarks["benchmark"])),
                       anchor_benchmark=anchor, warnings=sub.warnings, draws=level[good])


def _fit_raw(data: IndexData, settings: IndexSettings) -> IndexFit:
    """A fit shown on its raw scale (identity display map)."""
    reg = settings.reg
    central = irt.fit(data.data, reg)
    rng = np.random.default_rng(settings.seed)
    draws, converged = central.params, np.array([True])
    if settings.n_draws:
        boot = irt.bootstrap(data.data, reg, settings.n_draws, rng, central.params)
        draws = irt.IRTParams(*(np.concatenate([getattr(central.params, k),
                                                getattr(boot.params, k)])
                                for k in ("capability", "difficulty", "slope")))
        converged = np.concatenate([[True], boot.converged])
    display = DisplayMap.identity(len(converged))
    models = data.models.copy()
    return IndexFit(settings=settings, models=models, benchmarks=data.benchmarks, draws=draws,
                    display=display, ok=converged, obs=data.obs, data_hash=data.data_hash,
                    warnings=data.warnings)
