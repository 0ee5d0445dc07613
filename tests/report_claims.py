"""Seven claims written by hand, with known evidence rows, for the report's tests: the page
draws each from its evidence columns (the schema of docs/report.md), so its rendering can
be checked without the analyses that compute them."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

import pandas as pd

from gaplens.analysis.claims import Claim, not_enough

AS_OF = dt.date(2026, 4, 16)

#: benchmark, domain, group, lag_months, its interval, close_or_ahead
OOD_ROWS = [
    ("ARC-AGI-2", "novel_reasoning", "out-of-distribution", 14.0, 9.0, 20.0, False),
    ("WeirdML", "novel_reasoning", "out-of-distribution", 10.0, 6.0, 15.0, False),
    ("GPQA diamond", "science", "in-distribution", 4.0, 2.0, 7.0, False),
    ("MATH level 5", "maths", "in-distribution", 2.0, 0.0, 4.0, True),
    ("SWE-bench Verified", "coding", "in-distribution", 6.0, 3.0, 9.0, False),
]
COPY_ROWS = [
    ("GPQA diamond", "science", "AA index component", 3.0, 1.0, 5.0, True, "GPQA Diamond"),
    ("MATH level 5", "maths", "mirror of a component", 5.0, 2.0, 8.0, False, "AIME 2025"),
    ("ARC-AGI-2", "novel_reasoning", "not in the index", 15.0, 10.0, 21.0, False, None),
    ("WeirdML", "novel_reasoning", "not in the index", 11.0, 7.0, 16.0, False, None),
]


def _benchmark_rows(rows, copy=False) -> pd.DataFrame:
    out = []
    for row in rows:
        benchmark, domain, group, lag, lo, hi, close = row[:7]
        item = {"benchmark": benchmark, "domain": domain, "group": group, "gap": lag / 2,
                "gap_ci_low": lo / 2, "gap_ci_high": hi / 2, "lag_months": lag,
                "lag_months_ci_low": lo, "lag_months_ci_high": hi, "close_or_ahead": close}
        if copy:
            item["aa_evaluation"] = row[7]
        out.append(item)
    return pd.DataFrame(out)


def claims(as_of: dt.date = AS_OF) -> tuple[Claim, ...]:
    """The seven claims in page order; verdicts of every kind appear."""
    domains = pd.DataFrame({
        "key": ["agentic", "maths"], "label": ["Agentic", "Maths"], "gap": [33.4, 5.0],
        "gap_ci_low": [25.0, 2.0], "gap_ci_high": [40.0, 8.0], "lag_months": [12.0, 3.0],
        "lag_months_ci_low": [8.0, 1.0], "lag_months_ci_high": [16.0, 5.0], "rank": [1, 2],
        "tier": [1, 2], "current": [True, True]})
    focus = pd.DataFrame({"quarter": ["2025Q4", "2026Q1", "2026Q2"],
                          "focus_domain": ["Maths", "Agentic", "Agentic"],
                          "shift": [False, True, False], "partial": [False, False, True]})
    use = pd.DataFrame({
        "signal": ["openrouter_tokens", "openrouter_tokens", "lmarena_text", "lmarena_text"],
        "signal_label": ["OpenRouter tokens", "OpenRouter tokens", "LMArena text",
                         "LMArena text"],
        "model_id": ["gemini-3-pro", "deepseek-v3", "o3", "qwen3-235b"],
        "display_name": ["Gemini 3 Pro", "DeepSeek-V3", "o3", "Qwen3 235B"],
        "expected": [0.9, 0.5, 0.8, 0.4], "observed": [0.3, 0.9, 0.6, 0.7],
        "residual": [-0.6, 0.4, -0.2, 0.3], "direction": ["below", "above", "below", "above"],
        "rho": [0.2, 0.2, 0.7, 0.7], "rho_ci_low": [-0.1, -0.1, 0.5, 0.5],
        "rho_ci_high": [0.5, 0.5, 0.85, 0.85], "predicts": [False, False, True, True]})
    labs = pd.DataFrame({
        "split": ["public_private", "public_private"], "grouping": ["country", "organization"],
        "group": ["China", "Example Lab"], "n_models": [12, 4], "estimate": [1.5, -0.4],
        "ci_low": [0.4, -1.9], "ci_high": [2.6, 1.1], "p_value": [0.01, 0.6],
        "p_adjusted": [0.03, 0.9], "reading": ["consistent with", "not detected"]})
    return (
        Claim("domains_differ", "The gap differs by domain", "The gap is widest on agentic "
              "work.", "supported", f"Agentic trails by 33.4 points [25.0, 40.0] as of "
              f"{as_of}; Maths by 5.0.", as_of, 33.4, 25.0, 40.0, "points", domains),
        Claim("ood", "Out-of-distribution tests show open models far behind", "OOD tests show "
              "open far behind.", "supported", "Open models lag 12.0 months on OOD tests "
              "against 4.0 elsewhere.", as_of, 8.0, 3.0, 13.0, "months",
              _benchmark_rows(OOD_ROWS)),
        Claim("focus_shift", "The focus of benchmarking shifts", "Every 12-18 months.",
              "mixed", "Shifts every 9.0 months [6.0, 14.0]; the current phase is Agentic.",
              as_of, 9.0, 6.0, 14.0, "months", focus),
        Claim("use_vs_benchmarks", "Benchmarks and real-world use part ways", "Top "
              "benchmarks, little use.", "mixed", "Gemini 3 Pro is used far less than its "
              "benchmarks predict.", as_of, 0.2, -0.1, 0.5, "rho", use),
        Claim("lab_focus", "Some labs focus more on benchmarks", "Chinese open labs.",
              "not_supported", "Not detected after adjustment.", as_of, evidence=labs),
        Claim("copyable", "What a single evaluation can be copied", "Fast followers keep up.",
              "supported", "Open models lag 4.0 months on AA components against 13.0 "
              "elsewhere.", as_of, 9.0, 5.0, 13.0, "months",
              _benchmark_rows(COPY_ROWS, copy=True)),
        not_enough("one_number", "The one number hides the map", "AA misses the map.", as_of,
                   "no Artificial Analysis snapshot on or before the map's date"),
    )


def with_claims(inputs, claim_list=None):
    """``inputs`` (ReportInputs) with the hand-written claims under every definition."""
    given = claims(inputs.as_of) if claim_list is None else tuple(claim_list)
    return replace(inputs, definitions=tuple(replace(d, claims=given)
                                             for d in inputs.definitions))
