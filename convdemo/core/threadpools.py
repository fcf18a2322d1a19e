"""Keep a BLAS library on one thread while our code runs, and as it was afterwards.

OpenBLAS spin-waits for its worker threads, so as soon as anything else keeps
a core busy a multi-threaded BLAS fights the rest of the program for it (one
12 MP convolution took 10 s instead of 50 ms; training ran at 20 000 instead
of 34 000 images/s). The engine (:mod:`convdemo.core.blas`, scipy's BLAS) and
the mini-CNN (:mod:`convdemo.core.nn.threads`, numpy's BLAS) each pin their
library only while they run, so the user's own process-wide setting is never
changed.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Sequence
from functools import cache
from pathlib import Path
from types import ModuleType


@cache
def blas_libraries(package: ModuleType) -> tuple:
    """threadpoolctl controllers of the BLAS libraries that ``package`` (numpy or scipy) loaded.

    Found once per package; empty when threadpoolctl is missing or finds none.
    """
    try:
        from threadpoolctl import ThreadpoolController
    except ImportError:
        return ()
    if package.__file__ is None:
        return ()
    folder = Path(package.__file__).resolve().parent
    wheel_libs = f"{package.__name__}.libs"
    return tuple(lib for lib in ThreadpoolController().lib_controllers
                 if lib.user_api == "blas" and (Path(lib.filepath).resolve().is_relative_to(folder)
                                                or Path(lib.filepath).resolve().parent.name == wheel_libs))


def _set_num_threads(libs: Sequence, counts: Sequence[int]) -> None:
    """Set each library's thread count, whichever Python thread we are on.

    threadpoolctl (3.8 and later) lets only one "controlling" Python thread
    change a pthreads OpenBLAS and silently ignores the others; the first
    thread to set a count keeps that role while it lives. Our first caller and
    our last may be different threads, so each change takes the role and gives
    it back at once, as threadpoolctl's own helpers do.
    """
    for lib, count in zip(libs, counts):
        release_control = getattr(type(lib), "clear_controlling_thread", None)
        if release_control is not None:
            release_control(force=True)
        lib.set_num_threads(count)
        if release_control is not None:
            release_control()


class OneThreadWhileInside:
    """Context manager: pins some BLAS libraries to one thread on the first entry, restores them on the last exit.

    Reentrant and safe when several threads enter at once (a count of the
    callers inside, guarded by a lock), and reset in a forked child.

    Parameters
    ----------
    libraries : callable
        Returns the threadpoolctl controllers to pin (e.g. ``lambda: blas_libraries(numpy)``);
        called when they are first needed, so nothing is imported at start-up.
    """

    def __init__(self, libraries: Callable[[], Sequence]) -> None:
        self._libraries = libraries
        self._lock = threading.Lock()
        self._inside = 0
        self._saved_counts: list[int] = []
        os.register_at_fork(after_in_child=self._reset_in_forked_child)

    def __enter__(self) -> None:
        with self._lock:
            if self._inside == 0:
                libs = self._libraries()
                self._saved_counts = [lib.get_num_threads() for lib in libs]
                _set_num_threads(libs, [1] * len(libs))
            self._inside += 1

    def __exit__(self, *exc_info) -> None:
        with self._lock:
            self._inside -= 1
            if self._inside == 0:
                _set_num_threads(self._libraries(), self._saved_counts)

    def _reset_in_forked_child(self) -> None:
        """A forked child runs only the forking thread: callers inside in the parent never leave."""
        self._lock = threading.Lock()
        if self._inside:
            self._inside = 0
            _set_num_threads(self._libraries(), self._saved_counts)
