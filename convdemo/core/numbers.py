"""How every number the product shows is written: one rule for the grid, the inspector and the pictures.

Plain decimals from 0.0001 up to a million, with ``digits`` significant digits
but never fewer than the whole part needs (1260, not 1.26e3); scientific
notation only beyond (``1.5e6``, ``3e−5``); the typographic minus ``−``
(U+2212); never ``-0`` and never a leading ``.``.

=============  ===================  ==========================
value          ``format_number``    ``format_number(v, 2)``
=============  ===================  ==========================
2550           ``2550``             ``2550``
-1500          ``−1500``            ``−1500``
690.4          ``690.4``            ``690``
1 / 9          ``0.1111``           ``0.11``
-0.002         ``−0.002``           ``−0.002``
-0.0           ``0``                ``0``
0.00003        ``3e−5``             ``3e−5``
1234567        ``1.235e6``          ``1.2e6``
=============  ===================  ==========================

>>> [format_number(v) for v in (2550, -1500, 690.4, 1 / 9, -0.002, -0.0, 0.00003, 1234567)]
['2550', '−1500', '690.4', '0.1111', '−0.002', '0', '3e−5', '1.235e6']
>>> [format_number(v, 2) for v in (2550, -1500, 690.4, 1 / 9, -0.002, -0.0, 0.00003, 1234567)]
['2550', '−1500', '690', '0.11', '−0.002', '0', '3e−5', '1.2e6']
"""

from __future__ import annotations

import math

MINUS = "\u2212"
"""The typographic minus sign every negative number is written with."""
SCIENTIFIC_FROM = 1e6
"""Magnitudes from here on are written in scientific notation."""
SCIENTIFIC_BELOW = 1e-4
"""Non-zero magnitudes below this are written in scientific notation."""
DIGITS = 4
"""Significant digits of :func:`format_number` unless told otherwise."""


def format_number(value: float, digits: int = DIGITS) -> str:
    """``value`` as the window writes it.

    Parameters
    ----------
    value : float
    digits : int
        Significant digits (at least 1); the whole part of a plain decimal is
        always written in full, so ``1260`` keeps four digits even when ``digits`` is 2.

    Returns
    -------
    str
        Trailing zeros dropped, a typographic minus, ``'0'`` for zero of either sign.

    Examples
    --------
    >>> format_number(137.666), format_number(137.666, 3), format_number(-2.5e-7), format_number(1e6)
    ('137.7', '138', '−2.5e−7', '1e6')
    >>> format_number(float("inf")), format_number(float("-inf")), format_number(float("nan"))
    ('∞', '−∞', 'nan')
    """
    value = float(value)
    if value == 0:
        return "0"
    if math.isnan(value):
        return "nan"
    if math.isinf(value):
        text = "-∞" if value < 0 else "∞"
    elif SCIENTIFIC_BELOW <= abs(value) < SCIENTIFIC_FROM:
        text = _plain(value, digits)
    else:
        text = _scientific(value, digits)
    return text.replace("-", MINUS)


def _plain(value: float, digits: int) -> str:
    """``value`` with ``digits`` significant digits (more if the whole part needs them), trailing zeros dropped."""
    decimals = max(digits - 1 - math.floor(math.log10(abs(value))), 0)
    text = f"{value:.{decimals}f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def _scientific(value: float, digits: int) -> str:
    """``value`` as ``mantissa e exponent`` with ``digits`` significant digits: ``1.5e6``, ``-3e-5``."""
    mantissa, exponent = f"{value:.{digits - 1}e}".split("e")
    if "." in mantissa:
        mantissa = mantissa.rstrip("0").rstrip(".")
    return f"{mantissa}e{int(exponent)}"


def format_compact(value: float, max_chars: int) -> str:
    """The most precise :func:`format_number` text of ``value`` at most ``max_chars`` long.

    Significant digits go from :data:`DIGITS` down to 1; when even one digit is
    too long (``−0.0041`` needs 6 characters), the one-digit text is returned:
    the number stays right and the caller shrinks its font instead.

    Examples
    --------
    >>> format_compact(1 / 9, 5), format_compact(-0.00417, 5), format_compact(2550.4, 3)
    ('0.111', '−0.004', '2550')
    """
    texts = [format_number(value, digits) for digits in range(DIGITS, 0, -1)]
    return next((text for text in texts if len(text) <= max_chars), texts[-1])
