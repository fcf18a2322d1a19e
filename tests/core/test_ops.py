"""The fast engine equals the plain-loop reference, and orientation is right."""

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from convdemo.core import blas, ops
from convdemo.core.errors import ParameterError
from convdemo.core.modes import BORDERS
from convdemo.core.reference import correlate2d_reference, pool2d_reference

paddings = st.one_of(st.sampled_from(["valid", "same", "full"]), st.integers(0, 4),
                     st.tuples(st.integers(0, 3), st.integers(0, 3)))
pairs = st.one_of(st.integers(1, 3), st.tuples(st.integers(1, 3), st.integers(1, 3)))


@st.composite
def conv_cases(draw):
    h, w = draw(st.integers(1, 13)), draw(st.integers(1, 13))
    kh, kw = draw(st.integers(1, 6)), draw(st.integers(1, 6))
    seed = draw(st.integers(0, 2**32 - 1))
    rng = np.random.default_rng(seed)
    x = rng.uniform(0, 255, (h, w)).astype(np.float32)
    k = rng.normal(size=(kh, kw))
    if draw(st.booleans()):  # repeated and ±1 weights exercise the grouped fast path
        k = np.round(k)
    return x, k, dict(stride=draw(pairs), padding=draw(paddings), dilation=draw(pairs),
                      border=draw(st.sampled_from(list(BORDERS))))


@pytest.fixture(params=["saxpy", "numpy-strips"])
def engine_path(request, monkeypatch):
    """Run a test with each of the engine's two stride-1 implementations (the BLAS one when present)."""
    if request.param == "saxpy" and ops.saxpy_function() is None:
        pytest.skip(f"the BLAS fast path is absent: {blas.engine_path()}")
    if request.param == "saxpy":
        monkeypatch.setattr(ops, "BLAS_MIN_OUTPUT", 0)  # the small test arrays take the fast path too
    if request.param == "numpy-strips":
        monkeypatch.setenv(blas.ENGINE_VARIABLE, "numpy")
    return request.param


@settings(max_examples=300, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(conv_cases())
def test_correlate_matches_reference(engine_path, case):
    x, k, opts = case
    try:
        fast = ops.correlate(x, k, **opts)
    except ParameterError:
        ref = correlate2d_reference(x, k, **opts)
        assert 0 in ref.shape  # the engine refuses exactly when the output would be empty
        return
    ref = correlate2d_reference(x, k, **opts)
    assert fast.dtype == np.float32
    assert fast.shape == ref.shape
    np.testing.assert_allclose(fast, ref, rtol=1e-5, atol=1e-3 * (1 + np.abs(k).sum()))


@settings(max_examples=60, deadline=None)
@given(st.integers(1, 9), st.integers(1, 9), st.integers(0, 2**32 - 1), paddings, st.sampled_from(list(BORDERS)))
def test_channels_are_independent(h, w, seed, padding, border):
    rng = np.random.default_rng(seed)
    x = rng.uniform(0, 255, (h, w, 3)).astype(np.float32)
    k = rng.normal(size=(3, 2))
    try:
        both = ops.correlate(x, k, padding=padding, border=border)
    except ParameterError:
        return
    for c in range(3):
        np.testing.assert_allclose(both[..., c], ops.correlate(x[..., c], k, padding=padding, border=border),
                                   rtol=1e-6, atol=1e-4)


def test_large_image_uses_strips_and_threads_correctly(engine_path):
    rng = np.random.default_rng(7)
    x = rng.uniform(0, 255, (301, 1200, 3)).astype(np.float32)
    k = rng.normal(size=(3, 3))
    fast = ops.correlate(x, k, padding="same", border="reflect", stride=(2, 1))
    for c in range(3):
        ref = correlate2d_reference(x[:9, :40, c], k, padding="same", border="reflect", stride=(2, 1))
        np.testing.assert_allclose(fast[:4, :19, c], ref[:4, :19], rtol=1e-5, atol=1e-2)
    # The bottom-right corner: compare against the reference on the whole last rows.
    tail = correlate2d_reference(x[-5:, :, 0], k, padding="same", border="reflect", stride=(2, 1))
    np.testing.assert_allclose(fast[-1, :, 0], tail[-1], rtol=1e-5, atol=1e-2)
    stride_one = ops.correlate(x, k, padding="same", border="wrap")
    for rows in (slice(0, 3), slice(150, 153), slice(-3, None)):
        ref = np.stack([correlate2d_reference(x[:, :, c], k, padding="same", border="wrap")[rows]
                        for c in range(3)], axis=-1) if rows.start == -3 else None
        if ref is not None:
            np.testing.assert_allclose(stride_one[rows], ref, rtol=1e-5, atol=1e-2)


def test_orientation_centre_one_above_minus_one():
    # "centre 1 and the one above -1": out = x[i, j] - x[i-1, j] (correlation, not flipped).
    x = np.zeros((5, 4), np.float32)
    x[1, 2] = 10.0  # asymmetric: one bright pixel off-centre
    k = np.array([[0, -1, 0], [0, 1, 0], [0, 0, 0]])
    out = ops.correlate(x, k, padding="same")
    expected = np.zeros((5, 4), np.float32)
    expected[1, 2] = 10.0   # the pixel itself
    expected[2, 2] = -10.0  # the pixel below sees it as "the one above"
    np.testing.assert_array_equal(out, expected)


def test_correlation_is_not_convolution():
    x = np.arange(12, dtype=np.float32).reshape(3, 4)
    k = np.array([[1.0, 2.0]])  # out[i, j] = x[i, j] + 2 x[i, j+1]
    np.testing.assert_array_equal(ops.correlate(x, k), x[:, :-1] + 2 * x[:, 1:])


@pytest.mark.parametrize("border, padded", [
    ("zero", [0, 0, 1, 2, 3, 0, 0]),        # 0 0 | a b c | 0 0
    ("reflect", [2, 1, 1, 2, 3, 3, 2]),     # b a | a b c | c b
    ("mirror", [3, 2, 1, 2, 3, 2, 1]),      # c b | a b c | b a
    ("replicate", [1, 1, 1, 2, 3, 3, 3]),   # a a | a b c | c c
    ("wrap", [2, 3, 1, 2, 3, 1, 2]),        # b c | a b c | a b
])
def test_border_modes_match_the_documented_diagrams(border, padded):
    x = np.array([[1, 2, 3]], np.float32)
    # A 1x5 kernel whose only 1 is its left tap reads padded cells 0, 1, 2 in turn;
    # one whose only 1 is its right tap reads cells 4, 5, 6.
    left = ops.correlate(x, [[1, 0, 0, 0, 0]], padding=(0, 2), border=border)[0]
    right = ops.correlate(x, [[0, 0, 0, 0, 1]], padding=(0, 2), border=border)[0]
    np.testing.assert_array_equal(np.r_[left, right], np.array(padded)[[0, 1, 2, 4, 5, 6]])


def test_bias_and_all_zero_kernel():
    x = np.ones((4, 4), np.float32)
    np.testing.assert_array_equal(ops.correlate(x, np.zeros((3, 3)), bias=2.5), np.full((2, 2), 2.5))


@settings(max_examples=200, deadline=None)
@given(st.integers(1, 12), st.integers(1, 12), st.integers(1, 4), st.one_of(st.none(), st.integers(1, 3)),
       st.sampled_from(["max", "avg"]), st.integers(0, 2**32 - 1))
def test_pool_matches_reference(h, w, size, stride, kind, seed):
    x = np.random.default_rng(seed).normal(size=(h, w)).astype(np.float32) * 100
    try:
        fast = ops.pool(x, kind, size, stride)
    except ParameterError:
        assert size > min(h, w)
        return
    np.testing.assert_allclose(fast, pool2d_reference(x, kind, size, stride), rtol=1e-5, atol=1e-4)


def test_pool_2x2_halves_and_keeps_channels():
    x = np.random.default_rng(3).normal(size=(1001, 700, 3)).astype(np.float32)
    out = ops.pool(x, "max")
    assert out.shape == (500, 350, 3)
    np.testing.assert_array_equal(out[..., 2], x[:1000, :, 2].reshape(500, 2, 350, 2).max(axis=(1, 3)))


def test_activations():
    x = np.array([[-2.0, 0.0, 3.0]], np.float32)
    np.testing.assert_array_equal(ops.activate(x, "relu"), [[0, 0, 3]])
    np.testing.assert_array_equal(ops.activate(x, "abs"), [[2, 0, 3]])
    np.testing.assert_allclose(ops.activate(x, "sigmoid"), 255 / (1 + np.exp(-x / 255)), rtol=1e-6)
    np.testing.assert_allclose(ops.activate(x, "tanh"), 255 * np.tanh(x / 255), rtol=1e-6)
    with pytest.raises(ParameterError, match="activation must be one of none, relu, abs, sigmoid, tanh, not 'swish'"):
        ops.activate(x, "swish")
