"""Display mapping: numbers → colours, never hiding negative values by default."""

import numpy as np
import pytest

from convdemo.core.display import HEAT_LUT, diverging_colours, to_display
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
