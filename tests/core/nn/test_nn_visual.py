"""Pictures of the mini-CNN's numbers: image bytes, layer mosaics, confusion colours, smoothing, top-k."""

import numpy as np
import pytest

from convdemo.core.display import HEAT_LUT, diverging_colours
from convdemo.core.nn.visual import (
    GAP_GREY,
    batch_accuracies,
    confusion_colours,
    image_rgb,
    layer_mosaic,
    smooth,
    top_k,
)


def test_image_rgb_repeats_grey_and_keeps_colour():
    grey = np.array([[[0.0], [1.0]], [[0.5], [2.0]]], np.float32)
    np.testing.assert_array_equal(image_rgb(grey)[..., 0], [[0, 255], [128, 255]])
    assert image_rgb(grey).shape == (2, 2, 3) and (image_rgb(grey) == image_rgb(grey)[..., :1]).all()
    colour = np.zeros((1, 2, 3), np.float32)
    colour[0, 1] = (1.0, 0.0, 0.2)
    np.testing.assert_array_equal(image_rgb(colour)[0, 1], [255, 0, 51])


def test_layer_mosaic_places_channels_in_reading_order_with_grey_gaps():
    h, w, c = 2, 3, 5
    a = np.zeros((h, w, c), np.float32)
    for ch in range(c):
        a[0, 0, ch] = ch + 1  # a distinct brightness in each tile's top-left pixel
    mosaic = layer_mosaic(a, columns=3, gap=1)
    assert (mosaic.columns, mosaic.rows) == (3, 2)
    assert mosaic.rgb.shape == (2 * 3 - 1, 3 * 4 - 1, 3)
    assert (mosaic.colours, mosaic.low, mosaic.high) == ("heat", 0.0, 5.0)
    for ch in range(c):
        r0, c0 = (ch // 3) * 3, (ch % 3) * 4
        level = int((ch + 1) / 5 * 255 + 0.5)
        np.testing.assert_array_equal(mosaic.rgb[r0, c0], HEAT_LUT[level])
        np.testing.assert_array_equal(mosaic.rgb[r0 + 1, c0 + 2], HEAT_LUT[0])
    assert (mosaic.rgb[2, :] == GAP_GREY).all() and (mosaic.rgb[:, 3] == GAP_GREY).all()
    assert (mosaic.rgb[3:, 8:] == GAP_GREY).all()  # the unused sixth cell


def test_layer_mosaic_of_signed_values_is_diverging_on_one_shared_scale():
    a = np.zeros((1, 1, 2), np.float32)
    a[0, 0] = (-2.0, 1.0)
    mosaic = layer_mosaic(a, columns=2, gap=0)
    assert (mosaic.colours, mosaic.low, mosaic.high) == ("diverging", -2.0, 2.0)
    np.testing.assert_array_equal(mosaic.rgb[0], diverging_colours(np.array([0.0, 0.75])))


def test_layer_mosaic_grey_columns_clipped_and_all_zero_input():
    mosaic = layer_mosaic(np.zeros((4, 4, 2)), columns=9, colours="grey")
    assert (mosaic.columns, mosaic.rows, mosaic.high) == (2, 1, 1.0)
    assert (mosaic.rgb[:, :4] == 0).all()
    with pytest.raises(ValueError, match="colours"):
        layer_mosaic(np.zeros((2, 2, 1)), 1, colours="rainbow")
    with pytest.raises(ValueError, match="shape"):
        layer_mosaic(np.zeros((2, 2)), 1)


def test_confusion_colours_green_diagonal_red_mistakes_white_when_empty():
    confusion = np.array([[96, 4, 0], [0, 0, 0], [0, 50, 50]])
    rgb = confusion_colours(confusion).astype(int)
    assert rgb.shape == (3, 3, 3)
    np.testing.assert_array_equal(rgb[1], np.full((3, 3), 255))  # a class with no images
    np.testing.assert_array_equal(rgb[0, 2], [255, 255, 255])
    assert rgb[0, 0, 1] > rgb[0, 0, 0] and rgb[0, 1, 0] > rgb[0, 1, 1]  # green right, red wrong
    # strength sqrt(share): 4 % of a row gives 20 % of the way from white to red
    np.testing.assert_array_equal(rgb[0, 1], np.round(255 + (np.array([215, 48, 39]) - 255) * 0.2))
    half = np.sqrt(0.5)
    np.testing.assert_array_equal(rgb[2, 1], np.round(255 + (np.array([215, 48, 39]) - 255) * half))
    np.testing.assert_array_equal(rgb[2, 2], np.round(255 + (np.array([26, 152, 80]) - 255) * half))


def test_smooth_matches_the_debiased_recurrence():
    values = np.array([4.0, 2.0, 3.0, 1.0])
    expected, running = [], 0.0
    for i, v in enumerate(values):
        running = 0.5 * running + 0.5 * v
        expected.append(running / (1 - 0.5 ** (i + 1)))
    np.testing.assert_allclose(smooth(values, 0.5), expected)
    assert smooth(values, 0.9)[0] == 4.0
    np.testing.assert_array_equal(smooth(values, 0.0), values)
    assert smooth([], 0.9).shape == (0,)
    with pytest.raises(ValueError, match=r"weight must be in \[0, 1\), not 1.0"):
        smooth(values, 1.0)


def test_top_k_orders_by_probability_and_clips():
    p = np.array([0.1, 0.4, 0.1, 0.4])
    np.testing.assert_array_equal(top_k(p, 3), [1, 3, 0])
    np.testing.assert_array_equal(top_k(p, 10), [1, 3, 0, 2])
    assert top_k(p, 0).size == 0


def test_batch_accuracies_undo_the_running_epoch_average():
    # epoch 1: batches of 4, 4 and 2 images with 1, 3 and 2 right; epoch 2: 4 then 4 right of 4 and 6.
    seen = [4, 8, 10, 4, 10]
    running = [1 / 4, 4 / 8, 6 / 10, 4 / 4, 8 / 10]
    np.testing.assert_allclose(batch_accuracies(running, seen), [0.25, 0.75, 1.0, 1.0, 4 / 6])
    np.testing.assert_allclose(batch_accuracies([0.5, 1.0], [2, 2]), [0.5, 1.0])  # one batch per epoch
