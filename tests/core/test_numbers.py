"""The one number format of the product: plain decimals, a real minus, scientific only at the extremes."""

import math

import numpy as np
import pytest

from convdemo.core.numbers import MINUS, format_compact, format_number


@pytest.mark.parametrize("value, text", [
    (0, "0"),
    (-0.0, "0"),
    (255, "255"),
    (1000, "1000"),
    (1260, "1260"),
    (2550.0, "2550"),
    (-1500, "−1500"),
    (-1020, "−1020"),
    (690.4, "690.4"),
    (688.5, "688.5"),
    (137.666, "137.7"),
    (45.6133, "45.61"),
    (0.111, "0.111"),
    (1 / 9, "0.1111"),
    (-0.002, "−0.002"),
    (0.00390625, "0.003906"),
    (0.0001, "0.0001"),
    (0.00005, "5e−5"),
    (-3.25e-7, "−3.25e−7"),
    (999_999.4, "999999"),
    (1e6, "1e6"),
    (-1_234_567, "−1.235e6"),
    (np.float32(2550), "2550"),
    (math.inf, "∞"),
    (-math.inf, "−∞"),
])
def test_format_number_table(value, text):
    assert format_number(value) == text


@pytest.mark.parametrize("value, digits, text", [
    (137.666, 3, "138"),
    (137.666, 1, "138"),  # the whole part is always written in full
    (1260.4, 2, "1260"),
    (0.1234, 2, "0.12"),
    (-0.0039, 1, "−0.004"),
    (1 / 3, 10, "0.3333333333"),
    (1_234_567, 2, "1.2e6"),
])
def test_digits_are_significant_digits(value, digits, text):
    assert format_number(value, digits) == text


@pytest.mark.parametrize("value", [-0.002, -1e-9, -1e9, -0.5, -1260, -0.0])
def test_never_an_ascii_minus_a_minus_zero_or_a_leading_point(value):
    for digits in (1, 2, 3, 4):
        text = format_number(value, digits)
        assert "-" not in text and text not in ("−0", "0.") and not text.lstrip(MINUS).startswith(".")


def test_no_value_below_a_million_is_scientific():
    values = np.concatenate([np.linspace(-999_999, 999_999, 2001), np.geomspace(1e-4, 1e5, 200)])
    assert not any("e" in format_number(v) for v in values)


def test_compact_text_drops_digits_to_fit_but_never_the_number():
    assert [format_compact(v, 5) for v in (-0.644, 0.004, 1 / 9, -12.34, 2550.4, -0.0041)] == [
        "−0.64", "0.004", "0.111", "−12.3", "2550", "−0.004"]
    assert format_compact(1 / 9, 6) == "0.1111"
