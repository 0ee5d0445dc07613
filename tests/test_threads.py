"""The command line's BLAS thread count (gaplens._util.threads)."""

from __future__ import annotations

import numpy as np

from gaplens._util import threads


def _run(monkeypatch, env: dict) -> tuple[int | None, list]:
    for key in ("GAPLENS_BLAS_THREADS", "OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS",
                "MKL_NUM_THREADS"):
        monkeypatch.delenv(key, raising=False)
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    calls = []
    monkeypatch.setattr(threads, "set_blas_threads", lambda n: calls.append(n) or 1)
    return threads.cli_blas_threads(), calls


def test_one_thread_by_default_and_for_worker_processes(monkeypatch):
    import os

    chosen, calls = _run(monkeypatch, {})
    assert chosen == 1 and calls == [1]
    assert os.environ["OPENBLAS_NUM_THREADS"] == "1" == os.environ["OMP_NUM_THREADS"]


def test_the_users_choice_wins(monkeypatch):
    chosen, calls = _run(monkeypatch, {"GAPLENS_BLAS_THREADS": "3"})
    assert chosen == 3 and calls == [3]
    chosen, calls = _run(monkeypatch, {"OPENBLAS_NUM_THREADS": "2"})
    assert chosen is None and calls == []  # set before the run: left alone


def test_the_loaded_openblas_is_found_and_set():
    # numpy's OpenBLAS is loaded in this process; setting one thread leaves results intact
    a = np.random.default_rng(0).random((50, 50)) + 50 * np.eye(50)
    before = np.linalg.solve(a, np.ones(50))
    assert threads.set_blas_threads(1) >= 1
    np.testing.assert_allclose(np.linalg.solve(a, np.ones(50)), before, rtol=1e-12)
