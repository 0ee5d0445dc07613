"""Reading query results through Arrow (store/frames.py) gives DuckDB's own ``.df()`` frame."""

from __future__ import annotations

import duckdb
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gaplens.store import Warehouse
from gaplens.store.frames import frame

KINDS = {"INTEGER": st.integers(-2**31, 2**31 - 1), "BIGINT": st.integers(-2**40, 2**40),
         "DOUBLE": st.floats(allow_nan=False, allow_infinity=False, width=64),
         "VARCHAR": st.text(max_size=8), "DATE": st.dates(),
         "TIMESTAMP": st.datetimes(), "BOOLEAN": st.booleans()}


@st.composite
def tables(draw):
    kinds = draw(st.lists(st.sampled_from(sorted(KINDS)), min_size=1, max_size=5))
    rows = draw(st.integers(0, 6))
    nullable = [draw(st.floats(0, 1)) for _ in kinds]
    values = [[None if draw(st.floats(0, 1)) < p else draw(KINDS[k]) for k, p in
               zip(kinds, nullable)] for _ in range(rows)]
    return kinds, values


@settings(max_examples=30, deadline=None)
@given(tables())
def test_a_result_read_through_arrow_is_the_frame_of_df(spec):
    kinds, values = spec
    con = duckdb.connect()
    columns = ", ".join(f"c{i} {k}" for i, k in enumerate(kinds))
    con.execute(f"CREATE TABLE t ({columns})")
    if values:
        con.executemany(f"INSERT INTO t VALUES ({', '.join('?' for _ in kinds)})", values)
    for sql, params in (("SELECT * FROM t", []), ("SELECT * FROM t WHERE c0 IS NULL OR ?",
                                                  [True])):
        pd.testing.assert_frame_equal(frame(con, sql, params), con.execute(sql, params).df())


@pytest.mark.parametrize("prefix", [None, "no such signal"])
def test_signals_read_through_arrow_equal_those_read_by_df(bundled_db, prefix):
    with Warehouse(bundled_db, read_only=True) as warehouse:
        fast = warehouse.signals(prefix)
        where = "WHERE s.signal LIKE ?" if prefix else ""
        from gaplens.store.schema import MODELS_VIEW

        plain = warehouse.con.execute(
            f"SELECT s.model_id, m.display_name, m.organization, m.country, m.release_date, "
            f"m.accessibility, s.signal, s.value, s.as_of, s.source_id, s.source_file, "
            f"s.source_row FROM signals s LEFT JOIN ({MODELS_VIEW}) m USING (model_id) {where} "
            f"ORDER BY s.signal, s.as_of, s.model_id", [prefix + "%"] if prefix else []).df()
    assert len(fast) == len(plain) and (prefix is not None or len(fast) > 100_000)
    pd.testing.assert_frame_equal(fast, plain)
