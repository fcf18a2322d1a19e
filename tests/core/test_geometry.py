"""Output sizes, padding amounts and the readable formulas (docs/semantics.md)."""

import pytest

from convdemo.core.errors import ParameterError
from convdemo.core.geometry import output_shape, pool_output_shape


@pytest.mark.parametrize(
    "n, k, stride, padding, expected",
    [
        (28, 3, 1, "valid", 26),
        (28, 3, 2, "same", 14),
        (224, 3, 2, "same", 112),
        (5, 3, 2, 1, 3),
        (28, 3, 1, "same", 28),
        (28, 3, 1, "full", 30),
        (7, 5, 3, "same", 3),
    ],
)
def test_reference_output_sizes(n, k, stride, padding, expected):
    geo = output_shape((n, n), (k, k), stride=stride, padding=padding)
    assert geo.shape == (expected, expected)


def test_tiny_vgg_chain():
    sizes = [64]
    for step in ("conv", "conv", "pool", "conv", "conv", "pool"):
        n = sizes[-1]
        geo = output_shape((n, n), (3, 3)) if step == "conv" else pool_output_shape((n, n), 2)
        sizes.append(geo.shape[0])
    assert sizes == [64, 62, 60, 30, 28, 26, 13]


def test_same_padding_follows_tensorflow_rule():
    # n=28, k=3, s=2: out=14, pad_total=max(13*2+3-28,0)=1 -> 0 before, 1 after.
    rows = output_shape((28, 28), (3, 3), stride=2, padding="same").rows
    assert (rows.before, rows.after, rows.out) == (0, 1, 14)
    rows = output_shape((10, 10), (4, 4), padding="same").rows
    assert (rows.before, rows.after) == (1, 2)


def test_formula_shows_the_actual_numbers():
    assert output_shape((28, 28), (3, 3)).formula == "out = floor((28 + 2·0 − 3)/1) + 1 = 26"
    assert output_shape((5, 5), (3, 3), stride=2, padding=1).formula == "out = floor((5 + 2·1 − 3)/2) + 1 = 3"
    same = output_shape((28, 28), (3, 3), stride=2, padding="same").formula
    assert same.startswith("out = ceil(28/2) = 14")
    dilated = output_shape((28, 28), (3, 3), dilation=2).formula
    assert dilated.startswith("k_eff = 2·(3 − 1) + 1 = 5; ") and dilated.endswith("= 24")
    assert pool_output_shape((26, 26), 2).formula == "out = floor((26 + 2·0 − 2)/2) + 1 = 13"


def test_formula_per_axis_when_axes_differ():
    text = output_shape((28, 20), (3, 3)).formula
    assert text.splitlines() == [
        "rows: out = floor((28 + 2·0 − 3)/1) + 1 = 26",
        "cols: out = floor((20 + 2·0 − 3)/1) + 1 = 18",
    ]


def test_too_large_kernel_names_the_sizes():
    with pytest.raises(ParameterError, match="a 5×5 kernel does not fit a 3×4 image with valid padding"):
        output_shape((3, 4), (5, 5))
    with pytest.raises(ParameterError, match=r"dilation 3 \(7×7 effective\)"):
        output_shape((6, 6), (3, 3), dilation=3)
    with pytest.raises(ParameterError, match="a 2×2 pooling window does not fit a 1×5 feature map"):
        pool_output_shape((1, 5), 2)


@pytest.mark.parametrize("bad, message", [
    (dict(stride=0), "stride must be at least 1"),
    (dict(dilation=0), "dilation must be at least 1"),
    (dict(padding="middle"), "padding must be valid, same, full"),
    (dict(padding=-1), "padding must be at least 0"),
    (dict(stride=(1, 2, 3)), "stride takes one number or two"),
    (dict(stride=1.5), "stride must be a whole number"),
])
def test_invalid_parameters_have_clear_messages(bad, message):
    with pytest.raises(ParameterError, match=message):
        output_shape((10, 10), (3, 3), **bad)
