"""The declarations of gaplens' outside sources (see :mod:`gaplens.ingest.registry`).

Order matters: sources that create models come first, so that the sources that only
match names (OpenRouter) find every model the others made.
"""

from __future__ import annotations

import datetime as dt

from .artificial_analysis import capture_file as aa_capture, read_aa
from .epoch import read_epoch
from .livebench import read_livebench
from .lmarena import read_lmarena
from .openrouter import read_openrouter
from .openrouter_api import CATALOGUE_SOURCE, CITATION, read_openrouter_models
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
    read=lambda path, ctx: read_aa(aa_capture(path), ctx.models, ctx.aliases,
                                   retrieved_on=ctx.retrieved_on),
    endpoints=(
        # The free tier of the v2 data API, 200 entries a page.
        Endpoint("language_models_free.json",
                 "https://artificialanalysis.ai/api/v2/language/models/free", "json",
                 paged=True),
        # The former endpoint (more evaluations); AA announced its retirement for
        # 2026-11-04, so a failure here does not fail the source.
        Endpoint("llms_models.json", "https://artificialanalysis.ai/api/v2/data/llms/models",
                 "json", optional=True),
    ),
    key_env="ARTIFICIAL_ANALYSIS_API_KEY",
    key_header="x-api-key",
    key_required=True,
    cache_hours=24.0,
    bundled=("artificial_analysis/aa_llms_weekly_flat.csv",),
    bundled_published=dt.date(2026, 7, 10),
    notes=("Rate limits per key and day (headers X-RateLimit-Limit, -Remaining, -Reset). "
           "The API does not say whether weights are open, so its entries match existing "
           "models and create none."),
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

_RANKINGS = "https://openrouter.ai/api/v1/datasets/rankings-daily"

OPENROUTER = register(Source(
    name="openrouter",
    title="OpenRouter usage",
    homepage="https://openrouter.ai/rankings",
    licence="CC BY 4.0 (Data API); the bundled weekly file: no licence stated, credited as facts",
    attribution="Source: OpenRouter (openrouter.ai/rankings)",
    read=lambda path, ctx: read_openrouter(path, ctx.models, ctx.aliases),
    endpoints=(
        # The last 30 complete UTC days (the API's default window), then the history
        # from the dataset's start (2025-01-01) in windows of at most a year.
        Endpoint("rankings_daily.json", _RANKINGS, "json"),
        Endpoint("rankings_daily_2025.json",
                 _RANKINGS + "?start_date=2025-01-01&end_date=2025-12-31", "json",
                 optional=True),
        Endpoint("rankings_daily_2026.json", _RANKINGS + "?start_date=2026-01-01", "json",
                 optional=True),
    ),
    key_env="OPENROUTER_API_KEY",
    key_header="Authorization",
    key_required=True,
    cache_hours=24.0,
    bundled=("openrouter/openrouter_weekly_top_models.csv",),
    bundled_published=dt.date(2026, 5, 11),  # newest weekly snapshot of the bundled copy
    creates_models=False,
    notes="Data API: 30 requests a minute, 500 a day; cite with the response's meta.as_of.",
    extra={"citation": CITATION},
))

OPENROUTER_MODELS = register(Source(
    name=CATALOGUE_SOURCE,
    title="OpenRouter model catalogue",
    homepage="https://openrouter.ai/models",
    licence="no licence stated; credited as facts",
    attribution="OpenRouter model catalogue, https://openrouter.ai/api/v1/models",
    read=lambda path, ctx: read_openrouter_models(path, ctx.models, ctx.aliases,
                                                  retrieved_on=ctx.retrieved_on),
    endpoints=(Endpoint("models.json", "https://openrouter.ai/api/v1/models", "json"),),
    cache_hours=24.0,
    creates_models=False,
    notes=("Prices and context lengths as of the capture date; hugging_face_id is listed "
           "as evidence of open weights, never applied."),
))

__all__ = ["AA", "EPOCH", "LIVEBENCH", "LMARENA", "OPENROUTER", "OPENROUTER_MODELS",
           "ReadContext"]
