"""Every layer's backward against finite differences of its forward (float64), and Conv2D against the oracle."""

import numpy as np
import pytest

from convdemo.core.nn.conv import Conv2D, ConvReLUPool
from convdemo.core.nn.layers import (
    Dense,
    Flatten,
    MaxPool2D,
    ReLU,
    SoftmaxCrossEntropy,
)
from convdemo.core.reference import correlate2d_reference


def check_layer(layer, x: np.ndarray, rng, numeric_gradient) -> None:
    """Compare backward with finite differences of L = sum(forward(x) * R) for x and every parameter."""
    weights = rng.standard_normal(layer.forward(x).shape)

    def loss():
        return float(np.sum(layer.forward(x) * weights))

    loss()
    dx = layer.backward(weights.copy())
    analytic = {name: g.copy() for name, g in layer.grads.items()}
    if dx is not None:
        np.testing.assert_allclose(dx, numeric_gradient(loss, x), rtol=1e-5, atol=1e-7)
    for name, value in layer.params.items():
        np.testing.assert_allclose(analytic[name], numeric_gradient(loss, value), rtol=1e-5, atol=1e-7)


@pytest.mark.parametrize("padding", ["valid", "same"])
@pytest.mark.parametrize("kernel_size", [3, 5])
def test_conv_gradients(padding, kernel_size, numeric_gradient):
    rng = np.random.default_rng(1)
    conv = Conv2D(2, 3, kernel_size, padding=padding, rng=rng, dtype=np.float64)
    conv.params["bias"][:] = rng.standard_normal(3)
    check_layer(conv, rng.standard_normal((2, 7, 6, 2)), rng, numeric_gradient)


def test_first_conv_layer_skips_the_input_gradient_but_not_its_own(numeric_gradient):
    rng = np.random.default_rng(2)
    conv = Conv2D(1, 2, 3, rng=rng, dtype=np.float64, input_grad=False)
    x = rng.standard_normal((1, 5, 5, 3))
    out = conv.forward(x)
    assert conv.backward(np.ones_like(out)) is None
    assert np.abs(conv.grads["weight"]).sum() > 0
    check_layer(conv, x, rng, numeric_gradient)


def test_relu_gradient(numeric_gradient):
    rng = np.random.default_rng(3)
    x = rng.standard_normal((2, 4, 4, 3))
    x[np.abs(x) < 0.01] = 0.5  # keep finite differences away from the kink
    check_layer(ReLU(), x, rng, numeric_gradient)


@pytest.mark.parametrize("shape", [(2, 6, 6, 3), (2, 7, 5, 2)])
def test_maxpool_gradient_even_and_odd_sizes(shape, numeric_gradient):
    rng = np.random.default_rng(4)
    check_layer(MaxPool2D(2), rng.standard_normal(shape), rng, numeric_gradient)


def test_maxpool_values_and_ties_go_to_the_first_position():
    x = np.array([[1.0, 5.0, 2.0], [3.0, 4.0, 9.0], [7.0, 7.0, 7.0]])[None, :, :, None]
    pool = MaxPool2D(2)
    out = pool.forward(x)
    assert out.shape == (1, 1, 1, 1) and out[0, 0, 0, 0] == 5.0
    ties = np.full((1, 2, 2, 1), 3.0)
    pool.forward(ties)
    dx = pool.backward(np.ones((1, 1, 1, 1)))
    np.testing.assert_array_equal(dx[0, :, :, 0], [[1.0, 0.0], [0.0, 0.0]])


def test_conv_outputs_grouped_by_pool_window_place_are_the_plain_outputs():
    rng = np.random.default_rng(9)
    conv = Conv2D(2, 3, 3, rng=rng, dtype=np.float64)
    x = rng.standard_normal((2, 9, 8, 2))  # outputs 7×6: the last row is left out of 2×2 windows
    plain = conv.forward(x).copy()
    places = [place.reshape(3, 3, 3, 2) for place in conv.forward_windows(x, 2)]
    assert len(places) == 4
    for place, (i, j) in zip(places, [(0, 0), (0, 1), (1, 0), (1, 1)]):
        np.testing.assert_allclose(place, plain[:, i:6:2, j:6:2], atol=1e-12)


def conv_relu_pool(rng, channels=2, filters=3, kernel_size=3, padding="valid", input_grad=True):
    """A fused block and the three plain layers, sharing one Conv2D (float64)."""
    conv = Conv2D(channels, filters, kernel_size, padding=padding, rng=rng, dtype=np.float64, input_grad=input_grad)
    conv.params["bias"][:] = rng.standard_normal(filters)
    return ConvReLUPool(conv, 2), [conv, ReLU(), MaxPool2D(2)]


@pytest.mark.parametrize("padding, kernel_size, shape", [
    ("valid", 3, (2, 8, 8, 3)), ("valid", 3, (2, 9, 7, 2)), ("same", 5, (2, 7, 6, 2)), ("valid", 5, (2, 10, 9, 1))])
def test_fused_conv_relu_pool_gradients(padding, kernel_size, shape, numeric_gradient):
    rng = np.random.default_rng(10)
    block, _ = conv_relu_pool(rng, kernel_size=kernel_size, padding=padding)
    check_layer(block, rng.standard_normal(shape), rng, numeric_gradient)


@pytest.mark.parametrize("input_grad", [True, False])
def test_fused_conv_relu_pool_equals_the_three_layers_even_with_ties(input_grad):
    rng = np.random.default_rng(11)
    block, layers = conv_relu_pool(rng, input_grad=input_grad)
    x = rng.standard_normal((2, 11, 10, 4))
    x[:, :6, :6, :2] = 0.0  # flat patches: whole pool windows tie at the bias (kept, or clamped by ReLU)
    out = x
    for layer in layers:
        out = layer.forward(out)
    upstream = rng.standard_normal(out.shape)
    grad = upstream
    for layer in reversed(layers):
        grad = layer.backward(grad)
    expected_dx = None if grad is None else grad.copy()
    expected_grads = {name: g.copy() for name, g in block.grads.items()}

    np.testing.assert_array_equal(block.forward(x), out)
    dx = block.backward(upstream)
    for name, g in block.grads.items():
        np.testing.assert_allclose(g, expected_grads[name], rtol=1e-12, atol=1e-12)
    if input_grad:
        np.testing.assert_allclose(dx, expected_dx, rtol=1e-12, atol=1e-12)
    else:
        assert dx is None


def test_flatten_and_dense_gradients(numeric_gradient):
    rng = np.random.default_rng(5)
    check_layer(Flatten(), rng.standard_normal((2, 3, 3, 4)), rng, numeric_gradient)
    dense = Dense(6, 3, rng=rng, dtype=np.float64)
    dense.params["bias"][:] = rng.standard_normal(3)
    check_layer(dense, rng.standard_normal((6, 5)), rng, numeric_gradient)


def test_softmax_cross_entropy_value_and_gradient(numeric_gradient):
    rng = np.random.default_rng(6)
    logits = rng.standard_normal((4, 5))
    labels = np.array([0, 3, 3, 1, 2])
    loss = SoftmaxCrossEntropy()
    value = loss.forward(logits, labels)
    expected = np.mean([np.log(np.exp(logits[:, n]).sum()) - logits[labels[n], n] for n in range(5)])
    assert value == pytest.approx(expected)
    grad = loss.backward()
    np.testing.assert_allclose(grad, numeric_gradient(lambda: loss.forward(logits, labels), logits), atol=1e-8)


@pytest.mark.parametrize("padding", ["valid", "same"])
def test_conv_forward_matches_the_engine_reference_correlation(padding):
    rng = np.random.default_rng(7)
    conv = Conv2D(3, 2, 5, padding=padding, rng=rng, dtype=np.float64)
    conv.params["bias"][:] = [0.5, -1.0]
    x = rng.standard_normal((3, 9, 8, 2))  # (C, H, W, N)
    out = conv.forward(x)
    for n in range(2):
        for f in range(2):
            expected = conv.params["bias"][f] + sum(
                correlate2d_reference(x[c, :, :, n], conv.params["weight"][f, :, :, c], padding=padding)
                for c in range(3))
            np.testing.assert_allclose(out[f, :, :, n], expected, atol=1e-12)


def test_buffers_are_reused_between_batches_of_the_same_size():
    rng = np.random.default_rng(8)
    conv = Conv2D(1, 2, 3, rng=rng)
    first = conv.forward(rng.random((1, 8, 8, 4), dtype=np.float32))
    second = conv.forward(rng.random((1, 8, 8, 4), dtype=np.float32))
    assert np.shares_memory(first, second)
    assert conv.forward(rng.random((1, 8, 8, 3), dtype=np.float32)).shape == (2, 6, 6, 3)
