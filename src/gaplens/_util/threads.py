"""The number of BLAS threads the command line runs numerical code with.

gaplens's numerical code is many small and medium matrix operations (batched 2B x 2B
solves, bincounts over observations): on a 2-core machine OpenBLAS's threads cost more in
start-up and contention than they gain (the bundled report took 32.8 s with one thread
against 36.7 s with the default; a batched 290 x 290 solve 10 ms against 91 ms on a
loaded machine). So the command line uses one BLAS thread unless the environment
chooses (``GAPLENS_BLAS_THREADS=N``, or ``OPENBLAS_NUM_THREADS`` / ``OMP_NUM_THREADS``
set before the run). The library itself changes nothing: a caller of the Python API
keeps its own setting.

The OpenBLAS that numpy loaded is found among the process's shared libraries and told
through its own ``openblas_set_num_threads`` (what threadpoolctl does); the environment
variable is also set, so that worker processes started later load it with one thread.
"""

from __future__ import annotations

import ctypes
import os

ENV = "GAPLENS_BLAS_THREADS"
_OWN = ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS")


def _openblas_libraries() -> list[str]:
    try:
        with open("/proc/self/maps") as fh:
            paths = {line.split()[-1] for line in fh if "openblas" in line.lower()}
    except OSError:
        return []
    return sorted(p for p in paths if p.startswith("/") and ".so" in p)


def set_blas_threads(n: int) -> int:
    """Set the loaded OpenBLAS libraries to ``n`` threads; returns how many were set."""
    done = 0
    for path in _openblas_libraries():
        try:
            lib = ctypes.CDLL(path)
        except OSError:
            continue
        for name in ("scipy_openblas_set_num_threads64_", "scipy_openblas_set_num_threads",
                     "openblas_set_num_threads64_", "openblas_set_num_threads"):
            setter = getattr(lib, name, None)
            if setter is not None:
                setter(ctypes.c_int(n))
                done += 1
                break
    return done


def cli_blas_threads() -> int | None:
    """The command line's choice: ``GAPLENS_BLAS_THREADS``, else 1 unless the user set
    a BLAS thread count in the environment (then that one is left alone: None)."""
    chosen = os.environ.get(ENV, "").strip()
    if not chosen:
        if any(os.environ.get(k) for k in _OWN):
            return None
        chosen = "1"
    try:
        n = max(1, int(chosen))
    except ValueError:
        n = 1
    for key in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS"):
        os.environ[key] = str(n)
    set_blas_threads(n)
    return n
