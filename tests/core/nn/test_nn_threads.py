"""Training pins numpy's BLAS to one thread only while it runs, whichever thread ends it."""

import threading

import numpy as np
import pytest
from threadpoolctl import ThreadpoolController

from convdemo.core.nn.threads import one_blas_thread
from convdemo.core.threadpools import blas_libraries


def _counts() -> list[int]:
    return [lib.get_num_threads() for lib in blas_libraries(np)]


@pytest.fixture
def two_threads():
    if not blas_libraries(np):
        pytest.skip("threadpoolctl finds no BLAS library of numpy's here")
    controller = ThreadpoolController()
    before = _counts()
    with controller.limit(limits=2, user_api="blas"):
        yield
    assert _counts() == before


def test_one_thread_inside_and_the_users_count_after(two_threads):
    with one_blas_thread():
        assert set(_counts()) == {1}
        with one_blas_thread():  # nested: still one thread, and the outer block restores
            assert set(_counts()) == {1}
        assert set(_counts()) == {1}
    assert set(_counts()) == {2}


def test_restored_when_the_last_block_ends_on_another_thread(two_threads):
    entered, release = threading.Event(), threading.Event()

    def worker():
        with one_blas_thread():
            entered.set()
            release.wait(10)

    thread = threading.Thread(target=worker)
    thread.start()
    entered.wait(10)
    with one_blas_thread():
        release.set()
        thread.join(10)
        assert set(_counts()) == {1}
    assert set(_counts()) == {2}
