"""The Python API: everything the CLI can do, returning DataFrames or frozen dataclasses.

    import gaplens
    result = gaplens.gap(by="domain", open_definition="open-weights")
    result.table           # one row per domain, with intervals
    gaplens.models(accessibility="Unknown")

    gaplens.api.fit_index()       # the capability index, stored for later calls
    gaplens.api.realworld()       # benchmarks against real-world use
    gaplens.api.coverage()        # who was evaluated where; expected scores of the rest
    gaplens.api.claims()          # the seven claims of the debate, each with its verdict
    gaplens.api.update()          # fetch the sources from their publishers (docs/update.md)
    gaplens.api.diff()            # what changed since the last snapshot, and on the map
    gaplens.api.export_every_eval_ever('out/')  # results as Every Eval Ever records
    gaplens.api.cost()            # what the gap costs: price-capability frontiers
    gaplens.api.group_gap(by="country")  # who is behind whom: countries and labs
    gaplens.api.openness()        # the openness ladder, the audit of sources, openness vs lag

Every function takes ``db`` (a path; default :func:`gaplens.store.default_path`). The
first call on an empty warehouse loads the bundled data (the Epoch AI snapshot, the
reviewed accessibility overrides, Artificial Analysis, LMArena, OpenRouter and LiveBench),
so a fresh install answers without any set-up; a warehouse made by an earlier version
gets the bundled sources it lacks. The functions live in private modules by theme
(``_api_data``, ``_api_index``, ``_api_coverage``, ``_api_beyond``, ``_api_report``,
``_api_diff``, ``_api_claims``, ``_api_eee``, ``_api_cost``, ``_api_groups``,
``_api_openness``) and
are all re-exported here.
"""

from ._api_beyond import (  # noqa: F401
    CompositeResult,
    OverfitReport,
    RealWorldResult,
    composite,
    forecast,
    lifecycle,
    overfit,
    published_lag,
    realworld,
)
from ._api_claims import claims  # noqa: F401
from ._api_coverage import coverage  # noqa: F401
from ._api_cost import CheapestResult, cheapest, cost  # noqa: F401
from ._api_core import (  # noqa: F401
    Progress,
    _aliases,
    _bundled_sources,
    load_bundled,
    open_warehouse,
    parse_date,
    parse_open_definition,
)
from ._api_data import (  # noqa: F401
    benchmarks,
    epoch_metadata_differences,
    freshness,
    gap,
    ingest_aa,
    ingest_csv,
    ingest_epoch,
    ingest_inspect,
    ingest_livebench,
    ingest_lmarena,
    ingest_openrouter,
    ingest_overrides,
    models,
    sources,
)
from ._api_eee import ExportResult, export_every_eval_ever, ingest_every_eval_ever  # noqa: F401
from ._api_groups import group_gap  # noqa: F401
from ._api_diff import diff, since_last_update, snapshot, snapshots  # noqa: F401
from ._api_openness import OpennessResult, openness  # noqa: F401
from ._api_report import REPORT_FORMATS, collect, report  # noqa: F401
from ._api_update import SourceUpdate, UpdateResult, UpdateStatus, update  # noqa: F401
from ._api_index import (  # noqa: F401
    IndexTable,
    benchmark_fit,
    compare,
    current_fit,
    epoch_agreement,
    factors,
    fit_index,
    fit_sensitivity,
    index,
    index_gap,
    predict,
    stored_fit,
)
