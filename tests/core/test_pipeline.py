"""convdemo.run equals the plain-loop reference pipeline for every option combination."""

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import convdemo
from convdemo.core.errors import ParameterError
from convdemo.core.modes import ACTIVATIONS, BORDERS, CHANNEL_MODES, POOLS
from convdemo.core.reference import run_reference

paddings = st.one_of(st.sampled_from(["valid", "same", "full"]), st.integers(0, 3))


@st.composite
def pipeline_cases(draw):
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    h, w = draw(st.integers(3, 11)), draw(st.integers(3, 11))
    colour = draw(st.booleans())
    image = rng.uniform(0, 255, (h, w, 3) if colour else (h, w)).astype(np.float32)
    channels = draw(st.sampled_from(list(CHANNEL_MODES)))
    kh, kw = draw(st.integers(1, 4)), draw(st.integers(1, 4))
    three = channels != "gray" and draw(st.booleans())
    weights = rng.normal(size=(3, kh, kw) if three else (kh, kw))
    opts = dict(
        stride=draw(st.integers(1, 3)), padding=draw(paddings), dilation=draw(st.integers(1, 2)),
        border=draw(st.sampled_from(list(BORDERS))), flip=draw(st.booleans()),
        divisor=draw(st.sampled_from([1.0, 9.0, -2.0])), bias=draw(st.sampled_from([0.0, 10.0])),
        channels=channels, activation=draw(st.sampled_from(list(ACTIVATIONS))),
        pool=draw(st.sampled_from(list(POOLS))), pool_size=draw(st.integers(1, 3)),
        pool_stride=draw(st.one_of(st.none(), st.integers(1, 2))),
    )
    return image, weights, opts


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(pipeline_cases())
def test_run_matches_reference(case):
    image, weights, opts = case
    try:
        stages = convdemo.run(image, weights, **opts)
    except ParameterError:
        return  # impossible combinations are refused (checked in test_geometry)
    ref = run_reference(image, weights, **opts)
    for name, fast in (("conv", stages.conv), ("activated", stages.activated), ("pooled", stages.pooled)):
        if ref[name] is None:
            assert fast is None
            continue
        assert fast.shape == ref[name].shape, name
        scale = 1 + 3 * 255 * np.abs(weights).sum() / abs(opts["divisor"])
        np.testing.assert_allclose(fast, ref[name], rtol=1e-5, atol=1e-6 * scale, err_msg=name)
    last = next(a for a in (stages.pooled, stages.activated, stages.conv) if a is not None)
    assert stages.output is last


def test_shapes_and_stage_lookup():
    image = np.random.default_rng(0).uniform(0, 255, (28, 28, 3)).astype(np.float32)
    stages = convdemo.run(image, np.ones((3, 3)), channels="per-channel", activation="relu", pool="max")
    assert stages.shapes == {"source": (28, 28, 3), "conv": (26, 26, 3), "activation": (26, 26, 3),
                             "pool": (13, 13, 3)}
    assert stages.conv_geometry.formula == "out = floor((28 + 2·0 − 3)/1) + 1 = 26"
    assert stages.pool_geometry.shape == (13, 13)
    off = convdemo.run(image, np.ones((3, 3)))
    assert off.activated is None and off.pooled is None and off.output is off.conv
    with pytest.raises(ParameterError, match="the pool stage is off"):
        off.stage("pool")


def test_lecture_kernels_on_a_grey_image():
    image = np.random.default_rng(1).uniform(0, 255, (10, 12)).astype(np.float32)
    identity = convdemo.run(image, "identity", padding="same").conv
    np.testing.assert_allclose(identity, image, atol=1e-4)
    brighten = convdemo.run(image, "brighten", padding="same").conv
    np.testing.assert_allclose(brighten, 2 * image, atol=1e-3)
    blur = convdemo.run(image, "box-blur-0.1").conv
    np.testing.assert_allclose(blur[0, 0], 0.1 * image[:3, :3].sum(), rtol=1e-5)


def test_colour_is_convolved_per_channel_and_summed():
    rng = np.random.default_rng(2)
    image = rng.uniform(0, 255, (6, 7, 3)).astype(np.float32)
    k = rng.normal(size=(3, 3))
    summed = convdemo.run(image, k, channels="rgb-sum").conv
    per = convdemo.run(image, k, channels="per-channel").conv
    assert summed.shape == (4, 5) and per.shape == (4, 5, 3)
    np.testing.assert_allclose(summed, per.sum(axis=2), rtol=1e-5, atol=1e-3)
    red = convdemo.run(image, k, channels="red").conv
    np.testing.assert_allclose(red, per[..., 0], rtol=1e-6, atol=1e-4)


def test_divisor_and_bias_default_to_the_kernels_own():
    image = np.full((5, 5), 9.0, np.float32)
    stages = convdemo.run(image, convdemo.Kernel.from_array(np.ones((3, 3)), divisor=9, bias=1))
    np.testing.assert_allclose(stages.conv, 10.0)
    np.testing.assert_allclose(convdemo.run(image, np.ones((3, 3)), divisor=3).conv, 27.0)


@pytest.mark.parametrize("image, message", [
    (np.zeros((4, 4, 2)), r"shape \(H, W\) or \(H, W, 3\)"),
    (np.full((4, 4), np.nan), "NaN or infinite"),
])
def test_bad_images_are_refused(image, message):
    with pytest.raises(ParameterError, match=message):
        convdemo.run(image, np.ones((1, 1)))


def test_three_kernels_need_a_colour_mode():
    with pytest.raises(ParameterError, match="need a colour channel mode"):
        convdemo.run(np.zeros((5, 5)), np.ones((3, 3, 3)))


def test_nan_weights_are_refused():
    with pytest.raises(ParameterError):
        convdemo.run(np.zeros((5, 5)), [[0, np.nan, 0]])


def test_input_is_never_modified():
    image = np.random.default_rng(4).uniform(0, 255, (8, 8, 3)).astype(np.float32)
    before = image.copy()
    convdemo.run(image, "sharpen", channels="per-channel", padding="same", border="reflect", pool="avg")
    np.testing.assert_array_equal(image, before)


def test_huge_finite_values_are_accepted():
    image = np.full((4, 4), 3e38, np.float32)  # the sum overflows, the values do not
    assert convdemo.run(image, [[1.0]]).conv.shape == (4, 4)
