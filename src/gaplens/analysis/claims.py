"""The claims of the public debate about the open-closed gap, each tested on the data.

A :class:`Claim` is one claim with its computed verdict: one or two sentences generated
from the estimates (never written by hand), the estimate with its interval, the date of
the data, and the tidy rows behind its chart. A claim the data cannot decide says so in
the same form (verdict ``not_enough_data``), with the reason.

The claims (keys in page order):

1. ``domains_differ``: the gap differs by domain and is widest on agentic work,
   professional knowledge work, long context and out-of-distribution tests.
2. ``ood``: out-of-distribution tests (ARC-AGI-2, WeirdML) show open models far behind.
3. ``focus_shift``: the focus of benchmarking shifts every 12-18 months.
4. ``use_vs_benchmarks``: benchmark standing and real-world use part ways.
5. ``lab_focus``: some labs (countries) focus more on benchmarks than others.
6. ``copyable``: what a single evaluation in the composite can be copied (fast followers
   keep up on AA index components and their mirrors).
7. ``one_number``: the one number (AA's index gap) hides the map.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import pandas as pd

CLAIM_KEYS = ("domains_differ", "ood", "focus_shift", "use_vs_benchmarks", "lab_focus",
              "copyable", "one_number")

# The verdict vocabulary. ``supported``/``not_supported`` read as "the data are consistent
# with the claim" / "the data do not show it"; ``mixed`` holds for part of the claim only.
VERDICTS = ("supported", "mixed", "not_supported", "not_enough_data")


@dataclass(frozen=True)
class Claim:
    """One claim of the debate and what the data say about it."""

    key: str  # one of CLAIM_KEYS
    title: str  # short, e.g. "The gap differs by domain"
    statement: str  # the claim as made in the debate, one sentence
    verdict: str  # one of VERDICTS
    sentence: str  # one or two sentences generated from the data, with estimate,
    # interval and data date; for not_enough_data, what is missing
    as_of: dt.date | None  # the date of the data the verdict reads
    estimate: float | None = None  # the headline number of the verdict, if any
    ci_low: float | None = None
    ci_high: float | None = None
    unit: str = ""  # "months", "points", "ratio", "rho", ...
    evidence: pd.DataFrame = field(default_factory=pd.DataFrame)  # rows behind the chart
    notes: tuple[str, ...] = field(default=())

    def __post_init__(self) -> None:
        if self.key not in CLAIM_KEYS:
            raise ValueError(f"unknown claim key {self.key!r}")
        if self.verdict not in VERDICTS:
            raise ValueError(f"unknown verdict {self.verdict!r}")
        if self.estimate is not None and self.ci_low is not None and self.ci_high is not None:
            if not (self.ci_low <= self.estimate <= self.ci_high):
                raise ValueError(f"claim {self.key}: estimate {self.estimate} outside its "
                                 f"interval [{self.ci_low}, {self.ci_high}]")


def not_enough(key: str, title: str, statement: str, as_of: dt.date | None,
               reason: str) -> Claim:
    """The claim in its "not enough data" form: the sentence says what is missing."""
    return Claim(key=key, title=title, statement=statement, verdict="not_enough_data",
                 sentence=f"Not enough data to test this: {reason}.", as_of=as_of)
