"""Run the mini-CNN's matrix products on one BLAS thread.

OpenBLAS spin-waits for its worker threads. On an idle 2-core machine its
second thread makes training at most ~5 % faster (default net; nothing with
two conv blocks, whose products are split per pool-window place and too small
to share), but as soon as anything else keeps a core busy the spinning
threads fight over it: with one busy program beside it, training ran at
20 000 instead of 34 000 images/s, and with two competing trainings at 8 000
instead of 30 000 each (two conv blocks, measured again: 10 700 instead of
32 900). One thread is the robust choice for a desktop app whose window,
image pipeline and training share the machine.

Only numpy's own BLAS is touched (scipy's is pinned by ``ops.py``), only
inside the ``with`` block, and nothing happens when the library cannot be
identified.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path

import numpy as np


@lru_cache(maxsize=1)
def _numpy_blas() -> tuple:
    """threadpoolctl controllers of the BLAS libraries that numpy loaded (found once)."""
    from threadpoolctl import ThreadpoolController

    numpy_dir = Path(np.__file__).resolve().parent
    return tuple(lib for lib in ThreadpoolController().lib_controllers
                 if lib.user_api == "blas" and (Path(lib.filepath).resolve().is_relative_to(numpy_dir)
                                                or Path(lib.filepath).resolve().parent.name == "numpy.libs"))


@contextmanager
def one_blas_thread() -> Iterator[None]:
    """Inside the block numpy's BLAS uses one thread; the previous count is restored after."""
    libs = _numpy_blas()
    before = [lib.num_threads for lib in libs]
    for lib in libs:
        lib.set_num_threads(1)
    try:
        yield
    finally:
        for lib, count in zip(libs, before):
            lib.set_num_threads(count)
