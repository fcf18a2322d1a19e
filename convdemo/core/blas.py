"""The engine's fast path: a BLAS ``saxpy`` (``y += a * x`` on float32) outside the GIL, on one BLAS thread.

Why it exists: the engine's stride-1 path adds one shifted run of the image
per kernel tap; ``saxpy`` does that multiply-and-add in a single fused pass
where numpy needs two (see ``docs/decisions/0001-blas-fast-path.md``).

How it is called: through ctypes (which releases the GIL) using the C
function pointer scipy publishes in ``scipy.linalg.cython_blas``, so the strip
threads of :mod:`convdemo.core.strips` can each work on their strip at the
same time. scipy's Python wrapper (``scipy.linalg.blas.saxpy``) holds the GIL.

The safety rules:

* **One BLAS thread, only during our calls.** A multi-threaded OpenBLAS
  spin-waits when the cores are busy: with two other busy processes one 12 MP
  convolution took 10 s instead of 50 ms. :func:`single_threaded` pins
  scipy's BLAS library to one thread while any engine call is inside it and
  restores the previous count when the last one leaves, so the user's own
  process-wide setting is never changed. numpy's separate BLAS (the
  mini-CNN's matrix products) is left alone.
* **The right integer width.** The ctypes prototype passes 32-bit integers;
  a probe that is harmless at either width (:func:`_integer_bits`) checks
  that scipy's BLAS reads 32-bit ones (scipy can be built ILP64) before the
  function is used.
* **A way out.** ``CONVDEMO_ENGINE=numpy`` in the environment turns the fast
  path off (read at every call).
* **A fallback.** When any of this is unavailable, :func:`saxpy_function`
  returns None and the engine uses its plain numpy path, which gives the same
  results. :func:`engine_path` says which path is taken, and why.
"""

from __future__ import annotations

import ctypes
import os
import sys
from collections.abc import Callable
from contextlib import AbstractContextManager, nullcontext
from functools import lru_cache

import numpy as np

from convdemo.core.strips import worker_count
from convdemo.core.threadpools import OneThreadWhileInside, blas_libraries

Saxpy = Callable[[np.ndarray, np.ndarray, float], None]

#: Environment variable choosing the engine; the value ``numpy`` turns the fast path off.
ENGINE_VARIABLE = "CONVDEMO_ENGINE"

# Fortran BLAS passes every argument by reference: n, alpha, x, incx, y, incy.
_SAXPY_PROTOTYPE = ctypes.CFUNCTYPE(None, *[ctypes.c_void_p] * 6)


@lru_cache(maxsize=1)
def _scipy_blas() -> tuple:
    """threadpoolctl controllers of the BLAS library scipy loaded (found once; empty when none)."""
    try:
        import scipy
        from scipy.linalg import cython_blas  # noqa: F401 - loads scipy's BLAS so threadpoolctl sees it
    except ImportError:
        return ()
    return blas_libraries(scipy)


_ONE_THREAD = OneThreadWhileInside(lambda: _scipy_blas())


def single_threaded() -> AbstractContextManager[None]:
    """Context manager: scipy's BLAS runs on one thread inside, and as before after.

    Wrap every engine call that may use :func:`saxpy_function`. Entries may
    nest and come from several threads at once: the count is pinned on the
    first entry and restored on the last exit. When the fast path is off or
    unavailable nothing is changed (the engine then never calls scipy's BLAS).
    """
    return _ONE_THREAD if saxpy_function() is not None else nullcontext()


def _capsule_address(capsule) -> int:
    get_name = ctypes.pythonapi.PyCapsule_GetName
    get_name.restype, get_name.argtypes = ctypes.c_char_p, [ctypes.py_object]
    get_pointer = ctypes.pythonapi.PyCapsule_GetPointer
    get_pointer.restype, get_pointer.argtypes = ctypes.c_void_p, [ctypes.py_object, ctypes.c_char_p]
    return get_pointer(capsule, get_name(capsule))


def _integer_bits(blas_saxpy: Callable[..., None]) -> int | None:
    """The width of the BLAS's integers, 32 or 64, from one call that is safe at either; None if unclear.

    ``n`` points to 8 bytes whose low 4 hold 3 and whose high 4 hold
    0xFFFFFFFF (little-endian). A BLAS with 32-bit integers reads ``n = 3``
    and computes ``y = 2 x + y`` = [1, 3, 5]; one with 64-bit integers reads
    a negative ``n`` and, as every BLAS does for ``n <= 0``, returns without
    touching ``x`` or ``y``. ``incx`` and ``incy`` point to the 8-byte integer
    1, which reads as 1 at either width, so no read goes past its buffer.
    Only meaningful on a little-endian machine.

    Parameters
    ----------
    blas_saxpy : callable
        The Fortran-style ``saxpy(n, alpha, x, incx, y, incy)``, every argument an address.
    """
    n = np.array([3, 0xFFFFFFFF], dtype="<u4")
    one = np.ones(1, dtype="<i8")
    alpha = np.full(1, 2.0, dtype=np.float32)
    x, y = np.arange(3, dtype=np.float32), np.ones(3, dtype=np.float32)
    blas_saxpy(n.ctypes.data, alpha.ctypes.data, x.ctypes.data, one.ctypes.data, y.ctypes.data, one.ctypes.data)
    return {(1.0, 3.0, 5.0): 32, (1.0, 1.0, 1.0): 64}.get(tuple(y.tolist()))


def _saxpy_with_32_bit_integers(blas_saxpy: Callable[..., None]) -> Saxpy:
    one = ctypes.c_int(1)

    def saxpy(x: np.ndarray, y: np.ndarray, a: float) -> None:
        n = ctypes.c_int(y.size)
        blas_saxpy(ctypes.byref(n), ctypes.byref(ctypes.c_float(a)), x.ctypes.data, ctypes.byref(one),
                   y.ctypes.data, ctypes.byref(one))

    return saxpy


@lru_cache(maxsize=1)
def _blas_saxpy() -> tuple[Saxpy | None, str]:
    """The fast path's ``saxpy``, or None and the reason it is unavailable (found and checked once)."""
    if sys.byteorder != "little":
        return None, "a big-endian machine, where the integer-width probe does not work"
    if not _scipy_blas():
        return None, "threadpoolctl cannot find scipy's BLAS library to keep it on one thread"
    try:
        from scipy.linalg import cython_blas

        blas_saxpy = _SAXPY_PROTOTYPE(_capsule_address(cython_blas.__pyx_capi__["saxpy"]))
    except (ImportError, AttributeError, KeyError, OSError, ValueError) as error:
        return None, f"scipy.linalg.cython_blas has no usable saxpy ({error!r})"
    bits = _integer_bits(blas_saxpy)
    if bits == 64:
        return None, "scipy's BLAS uses 64-bit integers (ILP64)"
    if bits != 32:
        return None, "scipy's BLAS saxpy failed its self-check"
    return _saxpy_with_32_bit_integers(blas_saxpy), ""


def _fast_path_turned_off() -> bool:
    return os.environ.get(ENGINE_VARIABLE, "").strip().lower() == "numpy"


def saxpy_function() -> Saxpy | None:
    """``saxpy(x, y, a)``: ``y += a * x`` in place for contiguous float32 1-D arrays of equal length.

    Call it only inside :func:`single_threaded`.

    Returns
    -------
    callable or None
        None when ``CONVDEMO_ENGINE=numpy`` is set (read at every call), or
        when scipy's BLAS cannot be found, kept to one thread, called directly
        or does not use 32-bit integers (checked once); :func:`engine_path` says which.
    """
    if _fast_path_turned_off():
        return None
    return _blas_saxpy()[0]


def engine_path() -> str:
    """One line saying how the engine computes stride-1 correlations, and why, for bug reports.

    Returns
    -------
    str
        For example ``"BLAS saxpy (scipy_openblas 0.3.30, 32-bit ints, pinned to 1 thread
        during calls), 2 strip threads"`` or ``"numpy strips (fast path off:
        CONVDEMO_ENGINE=numpy), 2 strip threads"``.
    """
    workers = worker_count()
    threads = f"{workers} strip thread{'' if workers == 1 else 's'}"
    if _fast_path_turned_off():
        return f"numpy strips (fast path off: {ENGINE_VARIABLE}=numpy), {threads}"
    saxpy, reason = _blas_saxpy()
    if saxpy is None:
        return f"numpy strips (fast path unavailable: {reason}), {threads}"
    libraries = ", ".join(f"{lib.prefix.removeprefix('lib')} {lib.version}" for lib in _scipy_blas())
    return f"BLAS saxpy ({libraries}, 32-bit ints, pinned to 1 thread during calls), {threads}"
