"""Share row strips of an array job between threads: the engine's one thread pool.

:func:`run_in_strips` cuts a job over ``n_rows`` output rows into one range
per worker; each worker walks its range in strips small enough to stay in the
CPU cache. The work itself must release the GIL (numpy, or the BLAS call of
:mod:`convdemo.core.blas`) for the threads to run at the same time.

The pool is created on first use and is fork-safe: a child made by
``os.fork`` (``multiprocessing`` with the "fork" start method) inherits the
parent's pool object but none of its threads, so jobs submitted to it would
wait forever. The cached pool is therefore dropped in the child, which
creates its own on first use.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from functools import lru_cache

import numpy as np

STRIP_BYTES = 1 << 20  # one output strip; large enough that per-call overhead is small
MIN_PARALLEL_ELEMENTS = 1 << 18  # below this, threads cost more than they save

StripWork = Callable[[int, int, int], None]


def worker_count() -> int:
    """Number of strip threads: the CPUs this process may run on."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # pragma: no cover - not Linux
        return max(1, os.cpu_count() or 1)


@lru_cache(maxsize=1)
def executor() -> ThreadPoolExecutor:
    """The process's strip thread pool, created on first use (and again in a forked child)."""
    return ThreadPoolExecutor(max_workers=worker_count(), thread_name_prefix="convdemo-strips")


os.register_at_fork(after_in_child=executor.cache_clear)


def run_in_strips(n_rows: int, row_elements: int, work: StripWork) -> None:
    """Call ``work(r0, r1, rows_per_strip)`` on row ranges, one per thread for big jobs.

    Parameters
    ----------
    n_rows : int
        Output rows of the job; the ranges cover ``0 .. n_rows`` exactly once.
    row_elements : int
        float32 values per output row; sets ``rows_per_strip`` (one strip is
        about :data:`STRIP_BYTES`) and whether the job is big enough for threads.
    work : callable
        ``work(r0, r1, rows_per_strip)`` computes rows ``r0 .. r1`` in strips of
        ``rows_per_strip`` rows. Its exceptions are raised here.
    """
    rows_per_strip = max(1, STRIP_BYTES // (4 * max(1, row_elements)))
    workers = worker_count() if n_rows * row_elements >= MIN_PARALLEL_ELEMENTS else 1
    if workers == 1 or n_rows < 2 * rows_per_strip:
        work(0, n_rows, rows_per_strip)
        return
    bounds = np.linspace(0, n_rows, workers + 1).astype(int)
    jobs = [executor().submit(work, a, b, rows_per_strip) for a, b in zip(bounds[:-1], bounds[1:]) if b > a]
    for job in jobs:
        job.result()
