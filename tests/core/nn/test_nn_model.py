"""The sequential model: whole-network gradients, shapes, parameters, feature maps, copies."""

import numpy as np
import pytest

from convdemo.core.errors import ParameterError
from convdemo.core.nn import Architecture, Model
from convdemo.core.nn.optim import SGD, Adam


@pytest.mark.parametrize("architecture", [
    Architecture(input_shape=(9, 8, 1), n_classes=3, filters=2),
    Architecture(input_shape=(12, 11, 3), n_classes=4, filters=2, conv_layers=2, kernel_size=5, padding="same"),
])
def test_whole_model_gradients_match_finite_differences(architecture, numeric_gradient):
    model = Model(architecture, seed=1, dtype=np.float64)
    rng = np.random.default_rng(0)
    x = rng.random((3, *architecture.input_shape))
    y = rng.integers(0, architecture.n_classes, 3)
    model.train_step(x, y)
    analytic = [grad.copy() for _, grad in model.parameters()]

    def loss():
        return model.loss.forward(model.forward(x).T, y)

    for (value, _), grad in zip(model.parameters(), analytic):
        np.testing.assert_allclose(grad, numeric_gradient(loss, value), rtol=1e-4, atol=1e-8)


def test_a_batch_split_into_passes_gives_the_whole_batch_gradient(monkeypatch):
    architecture = Architecture(input_shape=(12, 11, 1), n_classes=3, filters=2, conv_layers=2)
    rng = np.random.default_rng(2)
    x = rng.random((5, *architecture.input_shape))
    y = rng.integers(0, 3, 5)
    model = Model(architecture, seed=1, dtype=np.float64)
    whole = model.train_step(x, y)
    expected = [grad.copy() for _, grad in model.parameters()]
    monkeypatch.setattr("convdemo.core.nn.model.PASS_SIZE", 2)  # passes of 2, 2 and 1 images
    assert model.train_step(x, y) == pytest.approx(whole, rel=1e-12)
    for (_, grad), grad_whole in zip(model.parameters(), expected):
        np.testing.assert_allclose(grad, grad_whole, rtol=1e-12, atol=1e-15)


def test_default_architecture_shapes_and_parameter_count():
    model = Model(Architecture())
    assert model.layer_shapes() == [
        ("input", (28, 28, 1)), ("conv1", (26, 26, 8)), ("relu1", (26, 26, 8)), ("pool1", (13, 13, 8)),
        ("flatten", (1352,)), ("dense", (10,))]
    assert model.param_count() == 8 * 9 + 8 + 1352 * 10 + 10
    assert model.first_layer_filters().shape == (8, 3, 3, 1)


def test_two_blocks_of_5x5_same_convolutions_on_colour_input():
    model = Model(Architecture(input_shape=(32, 32, 3), filters=4, kernel_size=5, conv_layers=2, padding="same"))
    shapes = dict(model.layer_shapes())
    assert shapes["conv1"] == (32, 32, 4) and shapes["pool2"] == (8, 8, 4) and shapes["flatten"] == (256,)
    assert model.first_layer_filters().shape == (4, 5, 5, 3)


@pytest.mark.parametrize("kwargs, words", [
    ({"filters": 0}, "filters must be between 1 and 32"),
    ({"filters": 33}, "filters must be between 1 and 32"),
    ({"kernel_size": 4}, "kernel size must be 3 or 5"),
    ({"conv_layers": 3}, "conv layers must be 1 or 2"),
    ({"n_classes": 1}, "at least 2 classes"),
    ({"input_shape": (28, 28, 2)}, "input shape"),
    ({"input_shape": (6, 6, 1), "conv_layers": 2}, "too small"),
])
def test_impossible_architectures_are_refused_with_a_sentence(kwargs, words):
    with pytest.raises(ParameterError, match=words):
        Architecture(**kwargs)


def test_predictions_and_feature_maps_of_one_image():
    model = Model(Architecture(conv_layers=2), class_names=list("abcdefghij"), seed=3)
    image = np.random.default_rng(1).random((28, 28, 1), dtype=np.float32)
    proba = model.predict_proba(image)
    assert proba.shape == (10,) and proba.sum() == pytest.approx(1.0)
    maps = model.feature_maps(image)
    assert [name for name, _ in maps] == ["input", "conv1", "relu1", "pool1", "conv2", "relu2", "pool2",
                                          "flatten", "dense"]
    assert [m.shape for _, m in maps] == [shape for _, shape in model.layer_shapes()]
    logits = maps[-1][1]
    np.testing.assert_allclose(np.exp(logits) / np.exp(logits).sum(), proba, rtol=1e-5)
    assert (maps[2][1] >= 0).all()


def test_batch_predictions_equal_one_by_one_predictions():
    model = Model(Architecture(), seed=4)
    x = np.random.default_rng(2).random((7, 28, 28, 1), dtype=np.float32)
    together = model.predict_proba(x, batch_size=3)
    alone = np.stack([model.predict_proba(image) for image in x])
    np.testing.assert_allclose(together, alone, rtol=1e-5)
    with pytest.raises(ParameterError, match="expects images of shape"):
        model.predict(np.zeros((2, 20, 20, 1)))


def test_copy_is_independent():
    model = Model(Architecture(), seed=5)
    twin = model.copy()
    twin.layers[0].params["weight"] += 1
    assert not np.array_equal(twin.first_layer_filters(), model.first_layer_filters())
    assert twin.class_names == model.class_names


@pytest.mark.parametrize("make", [lambda p: SGD(p, lr=0.1), lambda p: Adam(p, lr=0.1)])
def test_optimisers_walk_down_a_quadratic(make):
    value = np.array([3.0, -2.0])
    grad = np.zeros(2)
    optimizer = make([(value, grad)])
    for _ in range(300):
        grad[...] = 2 * value  # gradient of |value|^2
        optimizer.step()
    np.testing.assert_allclose(value, 0.0, atol=0.05)
