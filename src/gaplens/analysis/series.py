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
    # One sort for every (benchmark, group) block: blocks in groupby's sorted order, rows
    # inside a block in the frontier's order (the keys are unique: one row per model).
    frame = frame.sort_values(["benchmark", "group", "release_date", "score", "model_id"],
                              ascending=[True, True, True, False, True])
    blocks = list(zip(frame["benchmark"].to_numpy(dtype=object),
                      frame["group"].to_numpy(dtype=object)))
    scores = frame["score"].to_numpy(dtype=float)
    steps, block, best = [], None, -1.0
    for i, (key, score) in enumerate(zip(blocks, scores)):
        if key != block:
            block, best = key, -1.0
        if score > best:
            best = score
            steps.append(i)
    rows = [dict(benchmark=r.benchmark, domain=r.domain, group=r.group,
                 release_date=r.release_date, level=r.score * 100.0, model_id=r.model_id,
                 display_name=r.display_name) for r in frame.iloc[steps].itertuples()]
    return pd.DataFrame(rows, columns=SERIES_COLUMNS)
