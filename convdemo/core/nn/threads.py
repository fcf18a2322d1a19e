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

Only numpy's own BLAS is touched (the engine pins scipy's, see
:mod:`convdemo.core.blas`), only inside the ``with`` block (blocks may nest
and come from several threads), and nothing happens when the library cannot
be identified.
"""

from __future__ import annotations

from contextlib import AbstractContextManager

import numpy as np

from convdemo.core.threadpools import OneThreadWhileInside, blas_libraries

_ONE_THREAD = OneThreadWhileInside(lambda: blas_libraries(np))


def one_blas_thread() -> AbstractContextManager[None]:
    """Inside the block numpy's BLAS uses one thread; the previous count is restored after."""
    return _ONE_THREAD
