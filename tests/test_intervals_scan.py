"""Every printed estimate lies inside its printed interval, in every command's JSON (and
every command's JSON carries the freshness block).

The scan walks each document, finds every interval (a ``*ci_low``/``*ci_high`` pair) and
the estimate it belongs to, and checks ``ci_low <= estimate <= ci_high``. An interval
whose estimate the scan cannot name fails too, so a new output cannot slip past it.
"""

from __future__ import annotations

import json
import math

import pytest

from gaplens._cli.main import main

# Estimates of plain ``ci_low``/``ci_high`` pairs, by the name the row gives them.
PLAIN_ESTIMATES = ("estimate", "difference", "difference_vs_rest", "mean_delta", "delta",
                   "spearman", "predicted", "gap_per_unit_weight", "estimate_months")
# ``<prefix>_ci_low`` pairs whose estimate is not named ``<prefix>`` itself.
PREFIX_ESTIMATES = {"lag": ("lag_months",), "rank": ("published_rank",),
                    "gap": ("gap", "gap_recomputed"),
                    "expected_open": ("expected_open_score",)}
SUFFIXES = ("", "_months", "_per_year", "_points")

COMMANDS = [
    ["gap", "--draws", "200"],
    ["gap", "--by", "benchmark", "--draws", "200"],
    ["gap", "--at", "2025-06-30", "--draws", "200"],
    ["gap", "--on", "index"],
    ["gap", "--on", "published", "--draws", "100"],
    ["coverage"],
    ["index", "--top", "30"],
    ["benchmarks", "--fit"],
    ["compare", "GLM-5", "GPT-5"],
    ["factors", "--no-heldout"],
    ["composite", "--draws", "100"],
    ["realworld"],
    ["overfit", "--perms", "50"],
    ["lifecycle"],
    ["forecast"],
]


def estimate_key(row: dict, low_key: str) -> str | None:
    prefix = low_key[: -len("ci_low")].rstrip("_")
    if not prefix:
        candidates = PLAIN_ESTIMATES
    else:
        candidates = tuple(prefix + s for s in SUFFIXES) + PREFIX_ESTIMATES.get(prefix, ())
    return next((c for c in candidates if c in row), None)


def _number(x) -> bool:
    return isinstance(x, (int, float)) and not isinstance(x, bool) and math.isfinite(x)


def scan(doc) -> tuple[list[str], list[str]]:
    """(estimates outside their interval, intervals without an estimate) of one document."""
    outside: list[str] = []
    unpaired: list[str] = []

    def walk(node, path: str) -> None:
        if isinstance(node, dict):
            for key in node:
                if not key.endswith("ci_low"):
                    continue
                est = estimate_key(node, key)
                if est is None:
                    unpaired.append(f"{path}.{key}")
                    continue
                low, high, value = node[key], node.get(key[:-3] + "high"), node[est]
                if all(_number(x) for x in (low, high, value)):
                    tol = 1e-6 * max(1.0, abs(value))
                    if not low - tol <= value <= high + tol:
                        outside.append(f"{path}: {est}={value} outside [{low}, {high}]")
            for key, value in node.items():
                walk(value, f"{path}.{key}")
        elif isinstance(node, list):
            for i, value in enumerate(node):
                walk(value, f"{path}[{i}]")

    walk(doc, "")
    return outside, unpaired


def test_scan_finds_an_estimate_outside_and_an_unnamed_interval():
    doc = {"rows": [{"gap": 5.0, "gap_ci_low": 1.0, "gap_ci_high": 9.0},
                    {"lag_months": 3.0, "lag_ci_low": 3.5, "lag_ci_high": 4.0},
                    {"spearman": 0.5, "ci_low": 0.1, "ci_high": 0.4},
                    {"mystery_ci_low": 0.0, "mystery_ci_high": 1.0},
                    {"gap": None, "gap_ci_low": 1.0, "gap_ci_high": 2.0}]}
    outside, unpaired = scan(doc)
    assert len(outside) == 2 and "lag_months=3.0" in outside[0] and "spearman" in outside[1]
    assert unpaired == [".rows[3].mystery_ci_low"]


@pytest.mark.parametrize("argv", COMMANDS, ids=lambda a: " ".join(a))
def test_every_estimate_lies_inside_its_interval(capsys, fitted_db, argv):
    code = main([*argv, "--db", fitted_db, "--format", "json"])
    out = capsys.readouterr().out
    assert code == 0
    doc = json.loads(out)
    outside, unpaired = scan(doc)
    assert not unpaired, unpaired[:5]
    assert not outside, outside[:5]
    # Every document states how current its data are (docs/json.md, "freshness").
    assert doc["freshness"]["newest_data_through"] == "2026-07-10"
    assert {s["kind"] for s in doc["freshness"]["sources"]} >= {"epoch", "aa"}
