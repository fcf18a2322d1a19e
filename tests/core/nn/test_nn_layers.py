"""Every layer's backward against finite differences of its forward (float64), and Conv2D against the oracle."""

import numpy as np
import pytest

from convdemo.core.nn.layers import Conv2D, Dense, Flatten, MaxPool2D, ReLU, SoftmaxCrossEntropy
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
    assert first is second
    assert conv.forward(rng.random((1, 8, 8, 3), dtype=np.float32)).shape == (2, 6, 6, 3)
