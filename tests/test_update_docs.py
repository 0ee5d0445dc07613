"""docs/update.md lists every declared source as the registry declares it."""

from __future__ import annotations

import os

import pandas as pd

from gaplens._api_update import declarations, declarations_markdown
from gaplens.ingest.registry import sources

DOC = os.path.join(os.path.dirname(__file__), "..", "docs", "update.md")


def test_the_sources_table_of_the_docs_is_the_registry():
    text = open(DOC, encoding="utf-8").read()
    block = text.split("<!-- sources:begin -->\n")[1].split("<!-- sources:end -->")[0]
    assert block == declarations_markdown(), (
        "docs/update.md is out of date: regenerate its sources table with "
        "gaplens._api_update.declarations_markdown()")
    for s in sources():
        assert f"| {s.name} (" in block
        for e in s.endpoints:
            assert e.url in block
        if s.key_env:
            assert s.key_env in block


def test_declarations_frame_has_one_row_per_source():
    frame = declarations()
    assert list(frame["source"]) == [s.name for s in sources()]
    epoch = frame.set_index("source").loc["epoch"]
    assert epoch["urls"] == ["https://epoch.ai/data/benchmark_data.zip"]
    assert pd.isna(epoch["key_env"]) and epoch["cache_hours"] == 24.0
    assert frame.set_index("source").loc["aa", "key_env"] == "ARTIFICIAL_ANALYSIS_API_KEY"
