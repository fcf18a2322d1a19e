"""The pixel inspector's numbers equal hand computations and the engine's own output."""

import numpy as np
import pytest

import convdemo
from convdemo.core.errors import ParameterError
from convdemo.core.explain import (
    explain_conv,
    explain_pool,
    placement,
    pooled_mask,
    receptive_field,
    shown_decimals,
)

IMAGE = np.arange(30, dtype=np.float32).reshape(5, 6)  # asymmetric: value = 6*row + col
KERNEL = np.array([[0, -1, 0], [0, 1, 0], [0, 0, 2]], dtype=float)


def test_conv_pixel_by_hand():
    stages = convdemo.run(IMAGE, KERNEL, divisor=2, bias=1)
    e = explain_conv(stages, 1, 2)
    np.testing.assert_array_equal(e.input_rows, [1, 2, 3])
    np.testing.assert_array_equal(e.input_cols, [2, 3, 4])
    np.testing.assert_array_equal(e.window[:, :, 0], IMAGE[1:4, 2:5])
    np.testing.assert_array_equal(e.products[:, :, 0], IMAGE[1:4, 2:5] * KERNEL)
    hand = -IMAGE[1, 3] + IMAGE[2, 3] + 2 * IMAGE[3, 4]  # -9 + 15 + 2*22 = 50
    assert e.sums[0] == hand == 50
    assert e.values[0] == hand / 2 + 1 == stages.conv[1, 2]
    assert not e.padded.any() and e.activated is None


def test_padding_cells_are_marked_and_filled_by_the_border_mode():
    stages = convdemo.run(IMAGE, KERNEL, padding="same", border="replicate", activation="relu")
    e = explain_conv(stages, 0, 0)
    np.testing.assert_array_equal(e.input_rows, [-1, 0, 1])
    assert e.padded[0].all() and e.padded[:, 0].all() and not e.padded[1:, 1:].any()
    np.testing.assert_array_equal(e.window[:, :, 0], [[0, 0, 1], [0, 0, 1], [6, 6, 7]])
    assert e.values[0] == pytest.approx(stages.conv[0, 0])
    assert e.activated[0] == max(e.values[0], 0)


def test_rgb_sum_adds_the_three_planes_and_per_channel_keeps_them():
    rgb = np.random.default_rng(0).uniform(0, 255, (6, 7, 3)).astype(np.float32)
    k = np.random.default_rng(1).normal(size=(3, 3))
    summed = convdemo.run(rgb, k, channels="rgb-sum", stride=2)
    e = explain_conv(summed, 1, 2)
    assert e.window.shape == (3, 3, 3) and e.sums.shape == (1,)
    assert e.values[0] == pytest.approx(summed.conv[1, 2], rel=1e-5)
    per = convdemo.run(rgb, k, channels="per-channel", dilation=2)
    e = explain_conv(per, 0, 1)
    np.testing.assert_array_equal(e.input_cols, [1, 3, 5])
    np.testing.assert_allclose(e.values, per.conv[0, 1], rtol=1e-5)


def test_pooled_pixel_names_the_winner():
    stages = convdemo.run(IMAGE, [[1, 0], [0, -1]], activation="abs", pool="max")
    # conv = x[i,j] - x[i+1,j+1] = -7 everywhere; abs -> 7; all equal -> first wins
    e = explain_pool(stages, 1, 0)
    np.testing.assert_array_equal(e.rows, [2, 3])
    assert e.values.shape == (2, 2, 1) and e.result[0] == 7
    np.testing.assert_array_equal(e.winner[0], [0, 0])
    ramp = convdemo.run(IMAGE, [[1.0]], pool="max", pool_size=2)
    np.testing.assert_array_equal(explain_pool(ramp, 0, 1).winner[0], [1, 1])  # bottom-right is largest
    with pytest.raises(ParameterError, match="pooling is off"):
        explain_pool(convdemo.run(IMAGE, KERNEL), 0, 0)


def test_placement_and_receptive_field_align_stages():
    stages = convdemo.run(np.zeros((28, 28)), np.ones((3, 3)), padding="same", stride=2, pool="max")
    conv = placement(stages, "conv")
    assert (conv.scale_y, conv.offset_y) == (2, 0.5)  # k_eff 3, stride 2, pad 0 before
    pool = placement(stages, "pool")
    assert (pool.scale_y, pool.offset_y) == (4, 0.5)
    assert receptive_field(stages, "conv", 0, 0) == (0, 0, 3, 3)
    assert receptive_field(stages, "pool", 1, 0) == (4, 0, 9, 5)  # conv rows 2-3 read input rows 4..8
    with pytest.raises(ParameterError, match="outside"):
        explain_conv(stages, 14, 0)


def test_shown_decimals_are_the_fewest_that_write_every_value_exactly():
    assert shown_decimals(np.float32([231, -2, 0])) == 0
    assert shown_decimals(np.float32([23.1, 0.5])) == 1  # float32 23.1 is 23.100000381...: still one decimal
    rgb = np.array([[200, 120, 31], [17, 254, 3]], dtype=np.float32)
    luma = convdemo.run(rgb.reshape(1, 2, 3), [[1.0]]).source.ravel()  # 0.299 R + 0.587 G + 0.114 B
    assert shown_decimals(luma, most=4) == 3
    assert shown_decimals(luma) == 2  # more than ``most`` allows: the most
    assert shown_decimals(np.array([2082.575 / 16]), most=4, precision=np.float64) == 4  # 130.1609375
    assert shown_decimals(np.array([2082.576 / 2]), most=4, precision=np.float64) == 3  # 1041.288
    assert shown_decimals(np.array([np.nan, 1.0])) == 0


@pytest.mark.parametrize(("size", "stride"), [(2, None), (3, 2), (2, 3)])
def test_pooled_mask_marks_the_pooled_pixels_whose_window_holds_a_masked_cell(size, stride):
    stages = convdemo.run(np.zeros((12, 11), np.float32), np.ones((3, 3)), pool="max", pool_size=size,
                          pool_stride=stride)
    mask = np.random.default_rng(0).random(stages.conv.shape) < 0.1
    expected = np.zeros(stages.pooled.shape, dtype=bool)
    for r, c in np.ndindex(*expected.shape):
        e = explain_pool(stages, r, c)
        expected[r, c] = mask[np.ix_(e.rows, e.cols)].any()
    np.testing.assert_array_equal(pooled_mask(stages, mask), expected)
    assert not pooled_mask(stages, np.zeros_like(mask)).any()
