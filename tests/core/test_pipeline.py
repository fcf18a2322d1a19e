"""convdemo.run equals the plain-loop reference pipeline for every option combination."""

import re
import tracemalloc
import warnings

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import convdemo
from convdemo.core.budget import memory_limit, parse_size, peak_bytes, run_parts
from convdemo.core.errors import ParameterError
from convdemo.core.geometry import output_shape, pool_output_shape
from convdemo.core.modes import ACTIVATIONS, BORDERS, CHANNEL_MODES, POOLS
from convdemo.core.params import Settings
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


# --------------------------------------------------------------------------
# Memory budget (convdemo.core.budget)
# --------------------------------------------------------------------------

SMALL = np.random.default_rng(5).uniform(0, 255, (45, 60, 3)).astype(np.float32)


def test_huge_padding_is_refused_before_anything_is_allocated():
    with pytest.raises(ParameterError) as caught:
        convdemo.run(SMALL, "identity", padding=10_000_000)
    assert str(caught.value) == (
        "padding 10000000 on a 45×60 image makes a 20000043×20000058 convolution output: the run needs 2.84 PB "
        "as float32, more than the 2 GB memory budget; use less padding (or raise CONVDEMO_MEMORY_LIMIT).")


def test_huge_dilation_is_blamed_on_the_dilation():
    with pytest.raises(ParameterError, match=r"^dilation 10000000,1 with same padding on a 45×60 image makes a "
                                             r"20000045×62 padded image: .*; use less dilation \(or raise"):
        convdemo.run(SMALL, "identity", padding="same", dilation=(10_000_000, 1))


def test_the_budget_is_a_keyword_or_the_environment_variable(monkeypatch):
    assert convdemo.run(SMALL, "identity", padding=1000).conv.shape == (2043, 2058)
    with pytest.raises(ParameterError, match="more than the 1 MB memory budget"):
        convdemo.run(SMALL, "identity", padding=1000, memory_limit="1M")
    with pytest.raises(ParameterError, match="more than the 1 kB memory budget"):
        convdemo.run(SMALL, "identity", memory_limit=1024)
    monkeypatch.setenv("CONVDEMO_MEMORY_LIMIT", "1M")
    with pytest.raises(ParameterError, match=r"padding 1000 on a 45×60 image .* more than the 1 MB memory budget"):
        convdemo.run(SMALL, "identity", padding=1000)
    assert convdemo.run(SMALL, "identity", padding=1000, memory_limit="64M").conv.shape == (2043, 2058)


@pytest.mark.parametrize(("text", "size"), [
    ("4G", 4 << 30), ("512M", 512 << 20), ("512 MiB", 512 << 20), ("1.5g", 3 << 29), ("2GB", 2 << 30),
    ("64k", 64 << 10), ("1T", 1 << 40), ("1000", 1000), (" 8M ", 8 << 20),
])
def test_memory_sizes_are_read_as_people_write_them(text, size):
    assert parse_size(text) == size


@pytest.mark.parametrize("text", ["lots", "", "-1G", "0", "4X", "1e9", "G"])
def test_a_bad_memory_size_is_one_sentence(monkeypatch, text):
    monkeypatch.setenv("CONVDEMO_MEMORY_LIMIT", text)
    expected = 2 << 30 if not text else None
    if expected is not None:
        assert memory_limit() == expected  # empty means unset
        return
    with pytest.raises(ParameterError, match=rf"^CONVDEMO_MEMORY_LIMIT must be a memory size such as 4G or 512M, "
                                             rf"not '{re.escape(text)}'\.$"):
        memory_limit()


@pytest.mark.parametrize("limit", [0, -5, 1.5, True, "many"])
def test_a_bad_memory_limit_keyword_is_refused(limit):
    with pytest.raises(ParameterError, match="memory_limit must be"):
        convdemo.run(SMALL, "identity", memory_limit=limit)


ESTIMATE_CASES = [
    (SMALL, np.ones((3, 3)), dict(padding=800)),
    (SMALL, np.ones((3, 3)), dict(padding=800, channels="per-channel", activation="relu")),
    (SMALL, np.ones((3, 3, 3)), dict(padding=800, channels="per-channel", activation="sigmoid", pool="avg")),
    (SMALL, np.ones((3, 3, 3)), dict(padding=800, channels="rgb-sum", pool="max")),
    (SMALL, np.ones((3, 3)), dict(padding=800, stride=3, channels="per-channel")),
    (SMALL, np.ones((3, 3)), dict(padding="full", dilation=(400, 1), channels="green")),
]


@pytest.mark.parametrize(("image", "weights", "opts"), ESTIMATE_CASES)
def test_the_estimate_matches_the_memory_a_run_really_uses(image, weights, opts):
    s = Settings(**opts)
    conv = output_shape(image.shape[:2], weights.shape[-2:], stride=s.stride, padding=s.padding, dilation=s.dilation)
    pool = pool_output_shape(conv.shape, s.pool_size, s.pool_stride) if s.pool != "none" else None
    estimate = peak_bytes(run_parts(image.shape[:2], weights.ndim == 3, s, conv, pool))
    convdemo.run(image, weights, **opts)  # warm up: thread pool, caches
    tracemalloc.start()
    try:
        convdemo.run(image, weights, **opts)
        used = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    # Strip buffers of a few MB are left out; one temporary is counted for every activation (relu needs none).
    assert used - (4 << 20) <= estimate <= 1.6 * used, (estimate, used)


def test_absurd_but_cheap_geometry_is_computed():
    assert convdemo.run(SMALL, "identity", stride=10**9).conv.shape == (1, 1)
    assert convdemo.run(SMALL, "identity", padding="same", stride=(10**9, 1)).conv.shape == (1, 60)
    with pytest.raises(ParameterError, match="^padding must be at most 1000000000, not a 401-digit number.$"):
        convdemo.run(SMALL, "identity", padding=10**400)
    with pytest.raises(ParameterError, match="^stride must be at most 1000000000, not 10000000000.$"):
        convdemo.run(SMALL, "identity", stride=10**10)


# --------------------------------------------------------------------------
# float32 range: refused before computing, no RuntimeWarning ever
# --------------------------------------------------------------------------


@pytest.mark.parametrize(("opts", "message"), [
    (dict(bias=1e39), "^the bias is 1e39, beyond ±3.4e38, the range of the float32 numbers the engine computes with.$"),
    (dict(divisor=-1e39), "^the divisor is -1e39, beyond ±3.4e38"),
    (dict(divisor=1e-300), "^the divisor is 1e-300, so close to 0 that dividing by it goes beyond ±3.4e38"),
    (dict(divisor=0), "^the divisor is 0, but it must be a finite number other than 0.$"),
])
def test_settings_keep_divisor_and_bias_within_float32(opts, message):
    with pytest.raises(ParameterError, match=message):
        Settings(**opts)
    assert Settings(divisor=3e-39, bias=-3.4e38).divisor == 3e-39  # the limits themselves are fine


def test_weights_divided_by_the_divisor_must_stay_within_float32():
    with pytest.raises(ParameterError, match=r"^the weights divided by the divisor reach 1e40, beyond ±3.4e38.*"
                                             r"; use a larger divisor\.$"):
        convdemo.run(np.zeros((4, 4)), [[1e30]], divisor=1e-10)


@pytest.mark.parametrize(("image", "weights", "opts", "message"), [
    (SMALL, np.full((3, 3), 1e37), {}, r"^the convolved values would overflow float32 \(they can reach 2.29e40, "
                                       r"beyond ±3.4e38\); divide them, e.g. with divisor 100\.$"),
    (SMALL, np.full((3, 3), 1e37), dict(divisor=-2.0), "divide them, e.g. with divisor -200\\.$"),
    (SMALL, [[1e36]], dict(channels="rgb-sum"), "can reach 7.6[0-9]e38"),  # R + G + B
    (SMALL, np.full((3, 1, 1), 1e36), dict(channels="rgb-sum"), "can reach 7.6[0-9]e38"),
    (SMALL, [[1.0]], dict(bias=3.4028e38), "the convolved values would overflow.*; use a smaller bias"),
    (SMALL, [[1e36]], dict(pool="avg", pool_size=2), r"^the sums of average pooling would overflow float32 "
                                                     r"\(they can reach 1.0[0-9]e39"),
])
def test_values_that_could_overflow_are_refused_with_a_divisor_to_use(image, weights, opts, message):
    with pytest.raises(ParameterError, match=message):
        convdemo.run(image, weights, **opts)


def test_the_suggested_divisor_is_enough():
    with pytest.raises(ParameterError, match="with divisor 100") as caught:
        convdemo.run(SMALL, np.full((3, 3), 1e37), channels="per-channel", padding="same")
    assert "divisor 100." in str(caught.value)
    conv = convdemo.run(SMALL, np.full((3, 3), 1e37), channels="per-channel", padding="same", divisor=100).conv
    assert np.isfinite(conv).all()


def test_values_near_the_limit_are_computed_without_any_warning():
    image = np.random.default_rng(6).uniform(0, 255, (400, 500, 3)).astype(np.float32)  # threads and BLAS
    image[0, :3] = 255  # the bound is reached: three taps of 255
    weights = np.full((1, 3), 0.99 * 3.4e38 / (3 * 255))
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # filters are process-wide, so this covers the worker threads too
        stages = convdemo.run(image, weights, channels="per-channel", activation="tanh", pool="max")
    assert np.isfinite(stages.conv).all() and stages.conv.max() > 3e38


def test_max_pooling_never_adds_so_it_takes_what_average_pooling_refuses():
    weights = [[1e36]]
    assert np.isfinite(convdemo.run(SMALL, weights, pool="max").pooled).all()
    with pytest.raises(ParameterError, match="sums of average pooling"):
        convdemo.run(SMALL, weights, pool="avg")


@pytest.mark.parametrize("kind", [name for name in ACTIVATIONS if name != "none"])
def test_no_activation_makes_a_value_larger(kind):
    """:func:`check_numbers` bounds the activated values by the convolved ones."""
    x = np.array([-3.4e38, -1e30, -255, -1, 0, 1, 255, 1e30, 3.4e38], np.float32)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        y = ACTIVATIONS[kind].function(x)
    assert np.isfinite(y).all() and (np.abs(y) <= np.maximum(np.abs(x), 255)).all()


def test_an_image_beyond_float32_is_refused():
    with pytest.raises(ParameterError, match="^the image contains NaN or infinite values, or values beyond ±3.4e38"):
        convdemo.run(np.full((4, 4), 1e39), [[1.0]])
