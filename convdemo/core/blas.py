"""A BLAS ``saxpy`` (``y += a * x`` on float32) that runs outside the GIL on one BLAS thread.

The engine's stride-1 path adds one shifted run of the image per kernel tap;
``saxpy`` does that multiply-and-add in a single fused pass where numpy needs
two. Two details make it fast *and* safe:

* It is called through ctypes (which releases the GIL) using the C function
  pointer scipy publishes in ``scipy.linalg.cython_blas``, so our own threads
  can each work on their strip at the same time. scipy's Python wrapper
  (``scipy.linalg.blas.saxpy``) holds the GIL.
* scipy's own BLAS library is pinned to one thread (threadpoolctl). A
  multi-threaded BLAS spin-waits when the cores are busy: with two other busy
  processes one 12 MP convolution took 10 s instead of 50 ms. numpy's
  separate BLAS (the mini-CNN's matrix products) is left alone.

:func:`saxpy_function` returns None when any of this is unavailable; the
engine then uses its plain numpy path.
"""

from __future__ import annotations

import ctypes
from collections.abc import Callable
from functools import lru_cache
from pathlib import Path

import numpy as np

Saxpy = Callable[[np.ndarray, np.ndarray, float], None]


def _pin_scipy_blas_to_one_thread() -> bool:
    import scipy
    from threadpoolctl import ThreadpoolController

    scipy_dir = Path(scipy.__file__).resolve().parent
    ours = [lib for lib in ThreadpoolController().lib_controllers
            if Path(lib.filepath).resolve().is_relative_to(scipy_dir)
            or Path(lib.filepath).resolve().parent.name == "scipy.libs"]
    for lib in ours:
        lib.set_num_threads(1)
    return bool(ours)


def _capsule_address(capsule) -> int:
    get_name = ctypes.pythonapi.PyCapsule_GetName
    get_name.restype, get_name.argtypes = ctypes.c_char_p, [ctypes.py_object]
    get_pointer = ctypes.pythonapi.PyCapsule_GetPointer
    get_pointer.restype, get_pointer.argtypes = ctypes.c_void_p, [ctypes.py_object, ctypes.c_char_p]
    return get_pointer(capsule, get_name(capsule))


@lru_cache(maxsize=1)
def saxpy_function() -> Saxpy | None:
    """``saxpy(x, y, a)``: ``y += a * x`` in place for contiguous float32 1-D arrays of equal length.

    Returns
    -------
    callable or None
        None when scipy's BLAS cannot be found, pinned to one thread and called directly.
    """
    try:
        from scipy.linalg import cython_blas

        if not _pin_scipy_blas_to_one_thread():
            return None
        int_p, float_p = ctypes.POINTER(ctypes.c_int), ctypes.POINTER(ctypes.c_float)
        prototype = ctypes.CFUNCTYPE(None, int_p, float_p, ctypes.c_void_p, int_p, ctypes.c_void_p, int_p)
        blas_saxpy = prototype(_capsule_address(cython_blas.__pyx_capi__["saxpy"]))
    except (ImportError, AttributeError, KeyError, OSError, ValueError):
        return None
    one = ctypes.c_int(1)

    def saxpy(x: np.ndarray, y: np.ndarray, a: float) -> None:
        n = ctypes.c_int(y.size)
        blas_saxpy(ctypes.byref(n), ctypes.byref(ctypes.c_float(a)), x.ctypes.data, ctypes.byref(one),
                   y.ctypes.data, ctypes.byref(one))

    check_x, check_y = np.arange(3, dtype=np.float32), np.ones(3, dtype=np.float32)
    saxpy(check_x, check_y, 2.0)
    return saxpy if check_y.tolist() == [1.0, 3.0, 5.0] else None
