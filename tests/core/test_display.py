"""Display mapping: numbers → colours, never hiding negative values by default."""

import numpy as np
import pytest

from convdemo.core.display import HEAT_LUT, DisplayImage, diverging_colours, to_display
from convdemo.core.errors import ParameterError

SIGNED = np.array([[-100.0, 0.0], [50.0, 100.0]], np.float32)


def test_auto_is_diverging_for_signed_and_clip_otherwise():
    assert to_display(SIGNED).mode == "diverging"
    assert to_display(np.abs(SIGNED)).mode == "clip"


def test_diverging_puts_zero_in_the_middle_and_is_symmetric():
    picture = to_display(SIGNED, "diverging")
    assert (picture.low, picture.high, picture.colours) == (-100.0, 100.0, "diverging")
    np.testing.assert_array_equal(picture.rgb[0, 1], diverging_colours(np.array(0.5)))  # zero → white
    np.testing.assert_array_equal(picture.rgb[0, 0], diverging_colours(np.array(0.0)))  # −max → dark blue
    np.testing.assert_array_equal(picture.rgb[1, 1], diverging_colours(np.array(1.0)))  # +max → dark red
    assert picture.rgb[0, 0, 2] > picture.rgb[0, 0, 0] and picture.rgb[1, 1, 0] > picture.rgb[1, 1, 2]


def test_clip_abs_stretch_numbers():
    assert to_display(SIGNED, "clip").rgb[:, :, 0].tolist() == [[0, 0], [50, 100]]
    assert to_display(SIGNED, "abs").rgb[:, :, 0].tolist() == [[100, 0], [50, 100]]
    stretched = to_display(SIGNED, "stretch")
    assert stretched.rgb[:, :, 0].tolist() == [[0, 128], [191, 255]]
    assert (stretched.low, stretched.high) == (-100.0, 100.0)


def test_heat_map_and_colour_pictures():
    heat = to_display(np.array([[0.0, 255.0]]), "clip", heat=True)
    assert heat.colours == "heat"
    np.testing.assert_array_equal(heat.rgb[0], HEAT_LUT[[0, 255]])
    colour = to_display(np.stack([SIGNED] * 3, axis=-1), "diverging")
    assert colour.colours == "rgb" and colour.rgb[0, 1].tolist() == [128, 128, 128]


def test_unknown_mode_is_refused():
    with pytest.raises(ParameterError, match="display must be one of"):
        to_display(SIGNED, "rainbow")


# -- the real range and clipping: never silent ----------------------------------------------------


def test_a_picture_knows_the_real_range_and_what_was_clipped():
    blurred = np.array([[8.5, 255.0], [400.0, 690.4]], np.float32)  # an rgb-sum blur goes past 255
    picture = to_display(blurred)
    assert picture.mode == "clip" and (picture.low, picture.high) == (0.0, 255.0)
    assert (picture.data_min, picture.data_max) == pytest.approx((8.5, 690.4))
    assert picture.clipped_high and not picture.clipped_low
    assert picture.clipping == "values 8.5 … 690.4: clipped at 255"
    assert picture.legend == "clip: 8.5 … 690.4 (clipped at 255)"


def test_three_planes_are_checked_too():
    colour = to_display(np.dstack([SIGNED + 100, SIGNED + 200, SIGNED + 300]), "clip")
    assert colour.colours == "rgb" and (colour.data_min, colour.data_max) == (0.0, 400.0)
    assert colour.clipped_high and not colour.clipped_low


def test_clip_below_zero_and_abs_magnitudes():
    both = to_display(np.array([[-20.0, 300.0]]), "clip")
    assert both.clipped_low and both.clipped_high and both.clipping.endswith("clipped at 0 and 255")
    magnitudes = to_display(np.array([[-300.0, 100.0]]), "abs")
    assert (magnitudes.data_min, magnitudes.data_max) == (100.0, 300.0)
    assert magnitudes.clipping == "|v| 100 … 300: clipped at 255"
    assert to_display(np.array([[-3.0, 0.0, 5.0]]), "abs").data_min == 0.0


def test_float_noise_at_the_end_is_not_clipping():
    picture = to_display(np.array([[0.0, 255.00002, 255.4]], np.float32))
    assert not picture.clipped_high and picture.clipping == ""


def test_stretch_and_diverging_never_clip_and_say_the_real_range():
    for mode in ("stretch", "diverging"):
        picture = to_display(np.array([[-50.0, 30.0], [0.0, 2550.0]]), mode)
        assert not (picture.clipped_low or picture.clipped_high) and picture.clipping == ""
        assert (picture.data_min, picture.data_max) == (-50.0, 2550.0)
    assert to_display(SIGNED + [[0, 0], [0, -30]]).legend == "diverging: −100 … 70 (colours for −100 … 100)"


def test_a_picture_made_by_hand_spans_its_ends():
    picture = DisplayImage(np.zeros((0, 0, 3), np.uint8), "diverging", -2.0, 2.0, "diverging")
    assert (picture.data_min, picture.data_max) == (-2.0, 2.0) and picture.legend == "diverging: −2 … 2"
