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
from typing import Callable

from .errors import ConfigError

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


def can_fork() -> bool:
    """Two or more CPUs usable and the fork start method available."""
    return jobs() >= 2 and "fork" in multiprocessing.get_all_start_methods()


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
