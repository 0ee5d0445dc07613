"""The countries section's sentence, generated from its numbers (analysis/groups.py)."""

from __future__ import annotations

import math

from ..analysis.groups import CLOSED, SEP

BLOC_NAMES = {"China": "Chinese", "US": "US", "rest": "rest-of-world"}


def _months(value: float) -> str:
    return f"{value:.1f}"


def countries_sentence(result, scope: str = "general") -> str:
    """'On the general index as of D, the best Chinese open model (M) trails the closed
    frontier (C) by x months (90 % interval a to b); ...; the leading lab is L.'"""
    t = result.table
    parts = []
    for bloc in ("China", "US"):
        row = t.loc[(t["scope"] == scope) & (t["group"] == f"{bloc}{SEP}open")
                    & (t["versus"] == CLOSED)]
        name = BLOC_NAMES[bloc]
        if row.empty:
            continue
        r = row.iloc[0]
        lag = r["lag_months"]
        if r["status"] == "too_few_models" or lag is None or not math.isfinite(lag):
            parts.append(f"the {name} open models are too few to read "
                         f"({int(r['n_group'])} with an index)")
            continue
        verb = "trails" if lag > 0 else "leads" if lag < 0 else "is level with"
        amount = "" if lag == 0 else f" by {_months(abs(lag))} months"
        low, high = r["lag_months_ci_low"], r["lag_months_ci_high"]
        if lag < 0:  # a lead in months: the interval of the lead, so it holds the estimate
            low, high = -high, -low
        parts.append(f"the best {name} open model ({r['group_leader']}) {verb} the closed "
                     f"frontier ({r['versus_leader']}){amount} (90 % interval "
                     f"{_months(low)} to {_months(high)})")
    if not parts:
        return "Too few models to compare countries on the index."
    text = (f"On the {scope} index as of {result.settings.as_of}, " + "; ".join(parts) + ".")
    now = result.leaders.loc[(result.leaders["scope"] == scope)
                             & (result.leaders["date"] == result.settings.as_of)]
    if len(now):
        text += f" The leading lab is {now.iloc[0]['lab']} ({now.iloc[0]['model']})."
    return text
