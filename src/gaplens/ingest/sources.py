"""The declarations of gaplens' outside sources (see :mod:`gaplens.ingest.registry`).

Order matters: sources that create models come first, so that the sources that only
match names (OpenRouter) find every model the others made.
"""

from __future__ import annotations

import datetime as dt

from .arcprize import read_arcprize
from .artificial_analysis import capture_file as aa_capture, read_aa
from .epoch import read_epoch
from .livebench import METADATA_FILE, read_livebench
from .lmarena import read_lmarena
from .openrouter import read_openrouter
from .openrouter_api import CATALOGUE_SOURCE, CITATION, read_openrouter_models
from .registry import Endpoint, ReadContext, Source, register
from .taxonomy import bundled_path
from .weirdml import read_weirdml

_ARENA = "https://huggingface.co/datasets/lmarena-ai/leaderboard-dataset/resolve/main"
# The release files are served from the root of the site (the gh-pages branch of
# github.com/LiveBench/livebench.github.io). The newest release is named only in the
# site's code (src/App.js), so a newer release needs its date added here.
_LIVEBENCH_RELEASE = "2026_01_08"

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
    bundled_retrieved=(dt.date(2026, 4, 19),),  # mirror commit "epoch benchmark data"
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
    bundled_retrieved=(dt.date(2026, 7, 10),),
    bundled_published=dt.date(2026, 7, 10),
    notes=("Rate limits per key and day (headers X-RateLimit-Limit, -Remaining, -Reset). "
           "The API does not say whether weights are open, so its entries match existing "
           "models and create none."),
))

LMARENA = register(Source(
    name="lmarena",
    title="LMArena leaderboards",
    homepage="https://lmarena.ai",
    licence="CC BY 4.0 (leaderboard-dataset); bundled scrapes: no data terms stated",
    attribution="LMArena, https://lmarena.ai (leaderboard-dataset on Hugging Face)",
    read=lambda path, ctx: read_lmarena(path, ctx.models, ctx.aliases),
    endpoints=(
        Endpoint("text-latest.parquet", f"{_ARENA}/text/latest-00000-of-00001.parquet",
                 "parquet"),
        Endpoint("webdev-latest.parquet", f"{_ARENA}/webdev/latest-00000-of-00001.parquet",
                 "parquet"),
        Endpoint("vision-latest.parquet", f"{_ARENA}/vision/latest-00000-of-00001.parquet",
                 "parquet", optional=True),
    ),
    cache_hours=24.0,
    bundled=("lmarena/lmarena_text_leaderboard_history.csv",
             "lmarena/arena_ai_leaderboards_daily_2026.csv"),
    bundled_retrieved=(dt.date(2025, 8, 6), dt.date(2026, 4, 19)),  # collector HEADs
    bundled_published=dt.date(2026, 4, 19),  # newest daily snapshot of the bundled copies
))

LIVEBENCH = register(Source(
    name="livebench",
    title="LiveBench",
    homepage="https://livebench.ai",
    licence="no licence file; cite the paper",
    attribution=("White et al., 'LiveBench: A Challenging, Contamination-Free LLM Benchmark', "
                 "ICLR 2025, livebench.ai"),
    read=lambda path, ctx: read_livebench(path, ctx.models, ctx.aliases,
                                          metadata=bundled_path(f"livebench/{METADATA_FILE}")),
    endpoints=(
        Endpoint(f"table_{_LIVEBENCH_RELEASE}.csv",
                 f"https://livebench.ai/table_{_LIVEBENCH_RELEASE}.csv", "csv"),
        Endpoint(f"categories_{_LIVEBENCH_RELEASE}.json",
                 f"https://livebench.ai/categories_{_LIVEBENCH_RELEASE}.json", "json"),
    ),
    cache_hours=24.0 * 7,
    bundled=("livebench",),
    bundled_retrieved=(dt.date(2026, 7, 1),),  # livebench.github.io HEAD
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
    bundled_retrieved=(dt.date(2026, 5, 11),),
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


ARCPRIZE = register(Source(
    name="arcprize",
    title="ARC Prize leaderboard",
    homepage="https://arcprize.org/leaderboard",
    licence="ARC Prize terms of use (arcprize.org/terms); no copy is shipped",
    attribution="ARC Prize Foundation, ARC-AGI leaderboard, https://arcprize.org/leaderboard",
    read=lambda path, ctx: read_arcprize(path, ctx.models, ctx.aliases, ctx.taxonomy,
                                         as_of=ctx.retrieved_on),
    endpoints=(
        Endpoint("evaluations.json", "https://arcprize.org/media/data/evaluations.json", "json"),
        Endpoint("models.json", "https://arcprize.org/media/data/models.json", "json"),
    ),
    cache_hours=24.0,
    bundle_allowed=False,
    creates_models=False,
    notes="ARC-AGI-1 and ARC-AGI-2 semi-private results as model versions arcprize/<modelId>; "
          "cost per task as signals",
))

WEIRDML = register(Source(
    name="weirdml",
    title="WeirdML",
    homepage="https://htihle.github.io/weirdml.html",
    licence="no licence stated; credited as facts",
    attribution="Håvard Tveit Ihle, 'WeirdML', https://htihle.github.io/weirdml.html",
    read=lambda path, ctx: read_weirdml(path, ctx.models, ctx.aliases, ctx.taxonomy,
                                        as_of=ctx.retrieved_on),
    endpoints=(Endpoint("weirdml_data.csv", "https://htihle.github.io/data/weirdml_data.csv",
                        "csv"),),
    cache_hours=24.0,
    bundle_allowed=False,
    creates_models=False,
    notes="WeirdML accuracy as model versions weirdml/<internal_model_name>; cost per run "
          "as a signal",
))

__all__ = ["AA", "ARCPRIZE", "EPOCH", "LIVEBENCH", "LMARENA", "OPENROUTER", "OPENROUTER_MODELS",
           "ReadContext", "WEIRDML"]
