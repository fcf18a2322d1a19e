"""The strip thread pool: every row once, errors come back, and a forked child gets its own pool."""

import multiprocessing
import threading

import numpy as np
import pytest

from convdemo.core import ops, strips

BIG_IMAGE = np.random.default_rng(7).uniform(0, 255, (301, 1200, 3)).astype(np.float32)
KERNEL = np.random.default_rng(8).normal(size=(3, 3))


@pytest.fixture
def two_workers(monkeypatch):
    """Share big jobs between two threads even on a one-CPU machine."""
    monkeypatch.setattr(strips, "worker_count", lambda: 2)


def _covered_rows(n_rows: int, row_elements: int) -> tuple[list[int], set[int]]:
    rows, strip_sizes, lock = [], set(), threading.Lock()

    def work(r0: int, r1: int, rows_per_strip: int) -> None:
        with lock:
            rows.extend(range(r0, r1))
            strip_sizes.add(rows_per_strip)

    strips.run_in_strips(n_rows, row_elements, work)
    return sorted(rows), strip_sizes


@pytest.mark.parametrize("n_rows, row_elements", [(1, 1), (7, 3), (301, 3600), (4000, 100), (3, 1 << 20)])
def test_every_row_is_computed_once_in_cache_sized_strips(two_workers, n_rows, row_elements):
    rows, strip_sizes = _covered_rows(n_rows, row_elements)
    assert rows == list(range(n_rows))
    assert strip_sizes == {max(1, strips.STRIP_BYTES // (4 * row_elements))}


def test_a_failing_strip_raises_in_the_caller(two_workers):
    def work(r0: int, r1: int, rows_per_strip: int) -> None:
        if r0 > 0:
            raise ValueError("strip failed")

    with pytest.raises(ValueError, match="strip failed"):
        strips.run_in_strips(4000, 1000, work)


def _pool_state_and_big_convolution() -> tuple[int, np.ndarray]:
    """In the child: how many pools it inherited (0 expected), then a job big enough to need one."""
    inherited = strips.executor.cache_info().currsize
    return inherited, ops.correlate(BIG_IMAGE, KERNEL, padding="same")


@pytest.mark.filterwarnings("ignore:This process .* is multi-threaded:DeprecationWarning")
def test_a_forked_child_creates_its_own_pool_instead_of_hanging(two_workers):
    in_parent = ops.correlate(BIG_IMAGE, KERNEL, padding="same")
    assert any(t.name.startswith("convdemo-strips") for t in threading.enumerate()), "the pool was not used"
    with multiprocessing.get_context("fork").Pool(1) as pool:
        inherited, in_child = pool.apply_async(_pool_state_and_big_convolution).get(timeout=20)
    assert inherited == 0
    np.testing.assert_array_equal(in_child, in_parent)
