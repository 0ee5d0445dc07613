"""Frontier step series for charts and exports: who set each new best, and when."""

from __future__ import annotations

import pandas as pd

from .observations import Observations

SERIES_COLUMNS = ["benchmark", "domain", "group", "release_date", "level", "model_id",
                  "display_name"]


def frontier_series(obs: Observations) -> pd.DataFrame:
    """One row per frontier improvement: (benchmark, group, date, new level, model).

    Same ordering and tie rule as :class:`gaplens.models.frontier.GroupFrontier`: by date,
    then descending score, then model id; only a strictly better score is a new step.
    """
    frame = obs.frame.loc[obs.frame["group"].notna()]
    rows = []
    for (benchmark, group), part in frame.groupby(["benchmark", "group"], sort=True):
        part = part.sort_values(["release_date", "score", "model_id"],
                                ascending=[True, False, True])
        best = -1.0
        for r in part.itertuples():
            if r.score > best:
                best = r.score
                rows.append(dict(benchmark=benchmark, domain=r.domain, group=group,
                                 release_date=r.release_date, level=r.score * 100.0,
                                 model_id=r.model_id, display_name=r.display_name))
    return pd.DataFrame(rows, columns=SERIES_COLUMNS)
