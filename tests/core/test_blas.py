"""The BLAS fast path: scoped one-thread pinning, the integer-width probe, the way out and the fallback."""

import ctypes
import multiprocessing
import re
import threading

import numpy as np
import pytest
from threadpoolctl import threadpool_info, threadpool_limits

import convdemo
from convdemo.core import blas, ops

needs_fast_path = pytest.mark.skipif(blas.saxpy_function() is None,
                                     reason=f"the BLAS fast path is absent: {blas.engine_path()}")


def _scipy_blas_paths() -> set[str]:
    return {lib.filepath for lib in blas._scipy_blas()}


def _blas_thread_counts() -> dict[str, int]:
    """Every BLAS library's thread count, as threadpoolctl reports it, by file."""
    return {info["filepath"]: info["num_threads"] for info in threadpool_info() if info["user_api"] == "blas"}


def _scipy_thread_counts() -> list[int]:
    return [lib.get_num_threads() for lib in blas._scipy_blas()]


@pytest.fixture
def fresh_fast_path(monkeypatch):
    """Find and check the fast path again in the test (the environment not turning it off), and after it."""
    monkeypatch.delenv(blas.ENGINE_VARIABLE, raising=False)
    blas._blas_saxpy.cache_clear()
    yield
    blas._blas_saxpy.cache_clear()


@needs_fast_path
def test_run_pins_scipy_blas_only_during_the_call(monkeypatch):
    image = np.random.default_rng(0).uniform(0, 255, (300, 400, 3)).astype(np.float32)
    during = []
    correlate_into = ops._correlate_into

    def spy(*args, **kwargs):
        during.append(_blas_thread_counts())
        correlate_into(*args, **kwargs)

    monkeypatch.setattr(ops, "_correlate_into", spy)
    with threadpool_limits(limits=2, user_api="blas"):
        before = _blas_thread_counts()
        convdemo.run(image, "sharpen", padding="same", channels="per-channel")
        after = _blas_thread_counts()
    assert after == before and set(before.values()) == {2}
    assert during, "the engine did not run"
    for counts in during:
        assert counts == {path: 1 if path in _scipy_blas_paths() else 2 for path in before}


@needs_fast_path
def test_nested_entries_pin_once_and_restore_at_the_last_exit():
    with threadpool_limits(limits=2, user_api="blas"):
        with blas.single_threaded():
            with blas.single_threaded():
                assert set(_scipy_thread_counts()) == {1}
            assert set(_scipy_thread_counts()) == {1}
        assert set(_scipy_thread_counts()) == {2}


@needs_fast_path
def test_concurrent_callers_restore_when_the_last_one_leaves_from_another_thread():
    inside, leave = threading.Barrier(2, timeout=10), threading.Event()

    def engine_call() -> None:
        with blas.single_threaded():
            inside.wait()
            leave.wait(10)

    with threadpool_limits(limits=2, user_api="blas"):
        worker = threading.Thread(target=engine_call)
        with blas.single_threaded():  # this thread pins; the worker, leaving last, restores
            worker.start()
            inside.wait()
        assert set(_scipy_thread_counts()) == {1}
        leave.set()
        worker.join(10)
        assert set(_scipy_thread_counts()) == {2}


@needs_fast_path
def test_many_threads_running_the_engine_at_once_restore_the_count():
    images = [np.random.default_rng(seed).uniform(0, 255, (200, 300, 3)).astype(np.float32) for seed in range(4)]
    with threadpool_limits(limits=2, user_api="blas"):
        threads = [threading.Thread(target=lambda x=x: [ops.correlate(x, np.ones((3, 3))) for _ in range(5)])
                   for x in images]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(30)
        assert set(_scipy_thread_counts()) == {2}


def _scipy_thread_counts_in_child() -> list[int]:
    return _scipy_thread_counts()


@needs_fast_path
@pytest.mark.filterwarnings("ignore:This process .* is multi-threaded:DeprecationWarning")
def test_a_child_forked_during_an_engine_call_gets_the_thread_count_back():
    inside, leave = threading.Event(), threading.Event()

    def engine_call() -> None:
        with blas.single_threaded():
            inside.set()
            leave.wait(30)

    with threadpool_limits(limits=2, user_api="blas"):
        worker = threading.Thread(target=engine_call)
        worker.start()
        try:
            assert inside.wait(10)
            with multiprocessing.get_context("fork").Pool(1) as pool:
                in_child = pool.apply_async(_scipy_thread_counts_in_child).get(timeout=20)
        finally:
            leave.set()
            worker.join(10)
        assert set(in_child) == {2}
        assert set(_scipy_thread_counts()) == {2}


@needs_fast_path
def test_saxpy_adds_a_multiple_in_place():
    rng = np.random.default_rng(1)
    x, y = rng.normal(size=1001).astype(np.float32), rng.normal(size=1001).astype(np.float32)
    expected = y + np.float32(2.5) * x
    with blas.single_threaded():
        blas.saxpy_function()(x, y, 2.5)
    np.testing.assert_allclose(y, expected, rtol=1e-6, atol=1e-6)  # a fused multiply-add rounds once


def _fake_blas_saxpy(integer: type[ctypes._SimpleCData]):
    """A Fortran-style saxpy reading its integers at the width of ``integer``, like a real BLAS."""

    def saxpy(n, alpha, x, incx, y, incy) -> None:
        count = integer.from_address(n).value
        assert integer.from_address(incx).value == integer.from_address(incy).value == 1
        if count <= 0:
            return
        xs, ys = (ctypes.c_float * count).from_address(x), (ctypes.c_float * count).from_address(y)
        for i in range(count):
            ys[i] += ctypes.c_float.from_address(alpha).value * xs[i]

    return saxpy


@pytest.mark.parametrize("integer, bits", [(ctypes.c_int32, 32), (ctypes.c_int64, 64)])
def test_the_probe_tells_32_from_64_bit_integers(integer, bits):
    assert blas._integer_bits(_fake_blas_saxpy(integer)) == bits


def test_the_probe_rejects_a_saxpy_that_computes_something_else():
    def wrong_saxpy(n, alpha, x, incx, y, incy) -> None:
        ctypes.c_float.from_address(y).value = 7.0

    assert blas._integer_bits(wrong_saxpy) is None


@pytest.mark.parametrize("bits, reason", [(64, "64-bit integers (ILP64)"), (None, "self-check")])
def test_without_32_bit_integers_the_numpy_path_is_used(monkeypatch, fresh_fast_path, bits, reason):
    monkeypatch.setattr(blas, "_integer_bits", lambda blas_saxpy: bits)
    assert blas.saxpy_function() is None
    assert blas.engine_path().startswith("numpy strips (fast path unavailable: ")
    assert reason in blas.engine_path()
    x = np.arange(30, dtype=np.float32).reshape(5, 6)
    np.testing.assert_array_equal(ops.correlate(x, [[1.0, 2.0]]), x[:, :-1] + 2 * x[:, 1:])


def test_without_scipy_blas_found_the_numpy_path_is_used(monkeypatch, fresh_fast_path):
    monkeypatch.setattr(blas, "_scipy_blas", lambda: ())
    assert blas.saxpy_function() is None
    assert "threadpoolctl cannot find scipy's BLAS" in blas.engine_path()


def test_the_environment_turns_the_fast_path_off(monkeypatch):
    monkeypatch.setenv(blas.ENGINE_VARIABLE, "numpy")
    assert blas.saxpy_function() is None
    assert blas.engine_path().startswith("numpy strips (fast path off: CONVDEMO_ENGINE=numpy), ")
    monkeypatch.delenv(blas.ENGINE_VARIABLE)
    available = blas.saxpy_function() is not None
    assert blas.engine_path().startswith("BLAS saxpy (" if available else "numpy strips (fast path unavailable: ")


@needs_fast_path
def test_engine_path_names_the_library_and_the_threads():
    path = blas.engine_path()
    assert "32-bit ints, pinned to 1 thread during calls" in path
    assert re.search(r"\), \d+ strip threads?$", path)
