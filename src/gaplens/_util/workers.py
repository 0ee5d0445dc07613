"""Forked worker processes for work that reads large inputs already in memory.

A pool forked from this process inherits its memory (copy on write): the tasks name what
to compute, the inputs are never pickled. Results come back pickled. Where fork is not
available, or one CPU is usable (or GAPLENS_JOBS=1), nothing is forked and the caller runs
the tasks itself, in the same order, so the results are the same numbers either way (each
task is seeded by itself).
"""

from __future__ import annotations

import multiprocessing
import os
from collections import deque
from typing import Callable, Iterable, Iterator

from ..errors import ConfigError

_INHERITED: list = []  # (run, state, tasks) while a pool forks; empty otherwise


def jobs() -> int:
    """Worker processes to use: GAPLENS_JOBS, else the CPUs this process may use."""
    value = os.environ.get("GAPLENS_JOBS", "")
    if value.strip():
        try:
            return max(1, int(value))
        except ValueError:
            raise ConfigError(f"GAPLENS_JOBS must be a whole number, not '{value}'") from None
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (
        os.cpu_count() or 1)


def can_fork(n: int | None = None) -> bool:
    """Two or more workers wanted (``n``, default :func:`jobs`), the fork start method
    available, and this process not itself a pool's worker (which may not fork)."""
    return ((jobs() if n is None else n) >= 2
            and "fork" in multiprocessing.get_all_start_methods()
            and not multiprocessing.current_process().daemon)


def _run_one(i: int):
    run, state, tasks = _INHERITED
    return run(state, tasks[i])


class Workers:
    """``run(state, task)`` for each task on ``n`` forked workers, started at once, the
    tasks taken in the order given (put the longest first). ``results()`` waits for all;
    ``result(i)`` for one. Close it (or use ``with``) to stop the workers."""

    def __init__(self, run: Callable, state, tasks: list, n: int) -> None:
        _INHERITED[:] = [run, state, tasks]
        try:  # the workers fork here, each with its copy of this process's memory
            self.pool = multiprocessing.get_context("fork").Pool(max(1, min(n, len(tasks))))
        finally:
            _INHERITED.clear()
        self.pending = [self.pool.apply_async(_run_one, (i,)) for i in range(len(tasks))]

    def result(self, i: int):
        return self.pending[i].get()

    def results(self) -> list:
        return [p.get() for p in self.pending]

    def close(self) -> None:
        self.pool.terminate()
        self.pool.join()

    def __enter__(self) -> "Workers":
        return self

    def __exit__(self, *exc) -> None:
        self.close()


_MAPPED: list = []  # the function of imap_forked while its pool forks; empty otherwise


def _call(item):
    return _MAPPED[0](item)


def imap_forked(func: Callable, items: Iterable, n: int, ahead: int | None = None
                ) -> Iterator:
    """``func(item)`` for each item, in order, on ``n`` forked workers (``func`` and what
    it reads are inherited; each item is pickled to its worker). At most ``ahead`` items
    (default ``2 n``) are out at once, so a generator of large items is consumed only as
    fast as the workers take them. Where :func:`can_fork` says no, runs here."""
    if not can_fork(n):
        for item in items:
            yield func(item)
        return
    _MAPPED[:] = [func]
    try:
        pool = multiprocessing.get_context("fork").Pool(n)
    finally:
        _MAPPED.clear()
    try:
        pending: deque = deque()
        for item in items:
            pending.append(pool.apply_async(_call, (item,)))
            if len(pending) >= (ahead or 2 * n):
                yield pending.popleft().get()
        while pending:
            yield pending.popleft().get()
    finally:
        pool.terminate()
        pool.join()
