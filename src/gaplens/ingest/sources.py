"""The declarations of gaplens' outside sources (see :mod:`gaplens.ingest.registry`).

Order matters: sources that create models come first, so that the sources that only
match names (OpenRouter) find every model the others made.
"""

from __future__ import annotations

import datetime as dt

from .artificial_analysis import read_aa
from .epoch import read_epoch
from .livebench import read_livebench
from .lmarena import read_lmarena
from .openrouter import read_openrouter
from .registry import Endpoint, ReadContext, Source, register

EPOCH = register(Source(
    name="epoch",
    title="Epoch AI Benchmarking Hub",
    homepage="https://epoch.ai/benchmarks",
    licence="CC BY 4.0",
    attribution=("Epoch AI, 'AI Benchmarking Hub'. Published online at epoch.ai. "
                 "Retrieved from https://epoch.ai/benchmarks (CC BY 4.0)"),
    read=lambda path, ctx: read_epoch(path, ctx.taxonomy, retrieved_on=ctx.retrieved_on,
                                      progress=ctx.progress),
    endpoints=(Endpoint("benchmark_data.zip", "https://epoch.ai/data/benchmark_data.zip", "zip"),),
    cache_hours=24.0,
    bundled=("epoch_benchmarking_hub",),
    bundled_published=dt.date(2026, 4, 16),
))

AA = register(Source(
    name="aa",
    title="Artificial Analysis",
    homepage="https://artificialanalysis.ai",
    licence="attribution required (Artificial Analysis terms)",
    attribution="Data: Artificial Analysis, https://artificialanalysis.ai",
    read=lambda path, ctx: read_aa(path, ctx.models, ctx.aliases, retrieved_on=ctx.retrieved_on),
    endpoints=(Endpoint("models.json", "https://artificialanalysis.ai/api/v2/data/llms/models",
                        "json"),),
    key_env="ARTIFICIAL_ANALYSIS_API_KEY",
    key_header="x-api-key",
    key_required=True,
    cache_hours=24.0,
    bundled=("artificial_analysis/aa_llms_weekly_flat.csv",),
    bundled_published=dt.date(2026, 7, 10),
))

LMARENA = register(Source(
    name="lmarena",
    title="LMArena leaderboards",
    homepage="https://lmarena.ai",
    licence="no data terms stated; credited as facts",
    attribution="LMArena, https://lmarena.ai (leaderboard-dataset on Hugging Face)",
    read=lambda path, ctx: read_lmarena(path, ctx.models, ctx.aliases),
    cache_hours=24.0,
    bundled=("lmarena/lmarena_text_leaderboard_history.csv",
             "lmarena/arena_ai_leaderboards_daily_2026.csv"),
    bundled_published=dt.date(2026, 4, 19),  # newest daily snapshot of the bundled copies
))

LIVEBENCH = register(Source(
    name="livebench",
    title="LiveBench",
    homepage="https://livebench.ai",
    licence="no licence file; cite the paper",
    attribution=("White et al., 'LiveBench: A Challenging, Contamination-Free LLM Benchmark', "
                 "ICLR 2025, livebench.ai"),
    read=lambda path, ctx: read_livebench(path, ctx.models, ctx.aliases),
    cache_hours=24.0 * 7,
    bundled=("livebench",),
    bundled_published=dt.date(2026, 1, 8),
))

OPENROUTER = register(Source(
    name="openrouter",
    title="OpenRouter usage",
    homepage="https://openrouter.ai/rankings",
    licence="no licence stated; credited as facts",
    attribution="Source: OpenRouter (openrouter.ai/rankings)",
    read=lambda path, ctx: read_openrouter(path, ctx.models, ctx.aliases),
    key_env="OPENROUTER_API_KEY",
    key_header="Authorization",
    cache_hours=24.0,
    bundled=("openrouter/openrouter_weekly_top_models.csv",),
    bundled_published=dt.date(2026, 5, 11),  # newest weekly snapshot of the bundled copy
    creates_models=False,
))

__all__ = ["AA", "EPOCH", "LIVEBENCH", "LMARENA", "OPENROUTER", "ReadContext"]
