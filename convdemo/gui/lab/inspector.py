"""The pixel inspector: why an output pixel has its value, written out as the lesson does.

    output = Σ ÷ divisor + bias = value → activation
    input window  ×  kernel  =  products  → Σ

The result comes first, so it is visible without scrolling whatever the kernel
size or channel mode; the tables that prove it follow. Every table is written
with the decimals its numbers need (none for whole numbers, three for a photo's
luma ``0.299 R + 0.587 G + 0.114 B``), so the shown products add up to the shown Σ
by hand. Numbers that would need more than :data:`EXACT_DECIMALS` are rounded to
:data:`ROUNDED_DECIMALS`, and when that makes the sum differ in the last digit a
note says so.

The numbers come from :mod:`convdemo.core.explain`; this module only lays
them out as HTML tables in a read-only text browser.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from html import escape
from typing import NamedTuple

import numpy as np
from PyQt6.QtCore import QTimer
from PyQt6.QtGui import QFont
from PyQt6.QtWidgets import QTextBrowser, QWidget

from convdemo.core.explain import ConvExplanation, PoolExplanation, by_hand, shown_decimals
from convdemo.core.modes import ACTIVATIONS, CHANNEL_MODES, POOLS
from convdemo.core.numbers import format_number
from convdemo.core.pipeline import Stages
from convdemo.gui.widgets import format_value

PLANE_NAMES = ("R", "G", "B")
EXACT_DECIMALS = 3
"""Numbers with at most this many decimals are written exactly (a photo's luma has three)."""
ROUNDED_DECIMALS = 2
"""Numbers that need more decimals (a resized photo, a kernel of ninths) are rounded to this many."""

WinnerConv = tuple[ConvExplanation, Sequence[int] | None]
"""A convolved pixel to explain and the planes to show (None: all of them)."""

_POINTS = re.compile(r"font-size:\s*([0-9.]+)pt")
"""A font size the explanations' HTML sets, in points (scaled with the inspector's text)."""
_RESULT = "<p style='font-size:11pt; margin:2px 0;'>{}</p>"
_NOTE = "<p style='color:gray; margin:2px 0;'>{}</p>"


def fixed_text(value: float, decimals: int) -> str:
    """``value`` rounded to ``decimals`` decimals, written as every number is (trailing zeros dropped).

    Parameters
    ----------
    value : float
    decimals : int
        0 writes a whole number.

    Returns
    -------
    str
        ``fixed_text(124.203, 2) == '124.2'``, ``fixed_text(-0.004, 2) == '0'``.
    """
    rounded = round(float(value), decimals) + 0.0
    if rounded == 0 or not math.isfinite(rounded):
        return format_value(rounded)
    whole_digits = math.floor(math.log10(abs(rounded))) + 1
    return format_number(rounded, max(whole_digits + decimals, 1))


class Digits(NamedTuple):
    """How a table is written: with ``decimals`` decimals, ``exact`` when that writes every number exactly."""

    decimals: int
    exact: bool


def table_digits(values: np.ndarray) -> Digits:
    """As many decimals as ``values`` need up to :data:`EXACT_DECIMALS`, else :data:`ROUNDED_DECIMALS`."""
    decimals = shown_decimals(values, EXACT_DECIMALS + 1)
    return Digits(decimals, True) if decimals <= EXACT_DECIMALS else Digits(ROUNDED_DECIMALS, False)


def worked_out(e: ConvExplanation, stages: Stages, planes: Sequence[int]) -> tuple[ConvExplanation, Digits, Digits]:
    """The explanation to write and the digits of its window and of its products (and sums).

    A window of exact numbers and a kernel of exact weights are worked out by hand
    (:func:`~convdemo.core.explain.by_hand`): the products then have the decimals of both
    factors together and are exact, if that is few enough. Anything else is rounded.
    """
    window, kernel = table_digits(e.window[:, :, planes]), table_digits(e.kernel[:, :, planes])
    most = window.decimals + kernel.decimals
    if not (window.exact and kernel.exact and most <= EXACT_DECIMALS):
        return e, window, Digits(ROUNDED_DECIMALS, False)
    e = by_hand(stages, e, window.decimals)
    return e, window, Digits(shown_decimals(e.products[:, :, planes], most, np.float64), True)


def result_text(value: float, digits: Digits) -> str:
    """A number computed from a table written with ``digits``: with its decimals, or as any value after whole ones.

    So ``Σ = 124.25`` gives ``output = 124.25`` and ``relu → 124.25``, ``3905.517 ÷ 16``
    gives ``244.095``, while ``121 ÷ 16`` or a sigmoid of whole numbers is written like
    any value (``7.563``).
    """
    return fixed_text(value, digits.decimals) if digits.decimals else format_value(value)


def adds_up(parts: np.ndarray, total: float, decimals: int) -> bool:
    """True when the ``parts`` rounded to ``decimals`` add up to ``total`` rounded the same way."""
    shown = sum(round(float(part), decimals) for part in np.ravel(parts))  # each rounded as its cell is
    return fixed_text(shown, decimals) == fixed_text(total, decimals)


def _rounding_note(decimals: int) -> str:
    return _NOTE.format(f"Numbers are rounded to {decimals} decimals and Σ adds the exact values, "
                        "so adding the rounded ones by hand can differ in the last digit.")


def _cell_style(value: float, scale: float, padded: bool = False, winner: bool = False,
                grey: bool = False) -> str:
    t = 0.0 if scale == 0 else min(abs(value) / scale, 1.0)
    if grey:  # input pixels: shown as the grey level they are (0–255)
        level = int(np.clip(value, 0, 255))
        text = "#000" if level > 110 else "#fff"
        return (f"background:rgb({level},{level},{level}); color:{text}; padding:1px 4px; text-align:right;"
                " border:1px solid #999;"
                + (" font-style:italic; color:#999;" if padded else ""))
    if value > 0:
        colour = (255, int(255 - 110 * t), int(255 - 110 * t))
    elif value < 0:
        colour = (int(255 - 110 * t), int(255 - 70 * t), 255)
    else:
        colour = (255, 255, 255)
    style = f"background:rgb{colour}; color:#000; padding:1px 4px; text-align:right;"
    if padded:
        style += " color:#888; font-style:italic;"
    if winner:
        style += " font-weight:bold; border:2px solid #e0a000;"
    return style


def grid_html(values: np.ndarray, padded: np.ndarray | None = None, winner: tuple[int, int] | None = None,
              grey: bool = False, decimals: int | None = None) -> str:
    """One 2-D array as a small tinted HTML table.

    Parameters
    ----------
    values : ndarray of shape (rows, cols)
    padded : ndarray of shape (rows, cols), bool, optional
        Cells that come from padding (shown grey and italic).
    winner : (int, int), optional
        Cell shown bold (the maximum of a max-pooling window).
    grey : bool
        Tint cells by their grey level (input pixels) instead of by sign.
    decimals : int, optional
        Write every cell with this many decimals (see :func:`fixed_text`); by default as any value.
    """
    scale = float(np.abs(values).max()) if values.size else 0.0
    rows = []
    for (r, c), value in np.ndenumerate(values):
        if c == 0:
            rows.append([])
        is_pad = bool(padded is not None and padded[r, c])
        title = ' title="padding cell"' if is_pad else ""
        text = format_value(float(value)) if decimals is None else fixed_text(float(value), decimals)
        rows[-1].append(f'<td style="{_cell_style(value, scale, is_pad, winner == (r, c), grey)}"{title}>'
                        f"{escape(text)}</td>")
    body = "".join(f"<tr>{''.join(row)}</tr>" for row in rows)
    return f'<table cellspacing="1" style="border-collapse:collapse;">{body}</table>'


def _equation_row(label: str, window: str, kernel: str, products: str, total: str) -> str:
    op = '<td style="font-size:14pt; padding:0 6px;">{}</td>'
    return (f"<tr><td><b>{label}</b></td><td>{window}</td>{op.format('×')}<td>{kernel}</td>"
            f"{op.format('=')}<td>{products}</td>{op.format('→')}<td>Σ = <b>{escape(total)}</b></td></tr>")


def _span(first: int, last: int, word: str) -> str:
    return f"{word}s {first}…{last}" if last != first else f"{word} {first}"


def _output_lines(e: ConvExplanation, stages: Stages, planes: Sequence[int], digits: Digits) -> list[str]:
    """``output = Σ ÷ divisor + bias = value → activation``, one line per output plane shown."""
    s = stages.settings
    summed = CHANNEL_MODES[s.channels].sums_planes
    outputs = [0] if len(e.values) == 1 else list(planes)
    lines = []
    for o in outputs:
        text = f"{PLANE_NAMES[o]}: output = " if len(e.values) == 3 else "output = "
        if summed:
            text += " + ".join(f"{PLANE_NAMES[p]} {fixed_text(e.products[:, :, p].sum(), digits.decimals)}"
                               for p in range(3)) + " = "
        if e.divisor != 1 or e.bias != 0:
            text += fixed_text(e.sums[o], digits.decimals)
            text += f" ÷ {format_value(e.divisor)}" if e.divisor != 1 else ""
            text += f" + {format_value(e.bias)}" if e.bias != 0 else ""
            text += " = "
        text += f"<b>{result_text(e.values[o], digits)}</b>"
        if e.activated is not None:
            text += (f" &nbsp;→ {escape(s.activation)}: {escape(ACTIVATIONS[s.activation].formula)} → "
                     f"<b>{result_text(e.activated[o], digits)}</b>")
        lines.append(_RESULT.format(text))
    return lines


def _conv_adds_up(e: ConvExplanation, planes: Sequence[int], decimals: int, summed: bool) -> bool:
    plane_sums = [float(e.products[:, :, p].sum()) for p in planes]
    if not all(adds_up(e.products[:, :, p], total, decimals) for p, total in zip(planes, plane_sums)):
        return False
    return not summed or adds_up(np.array(plane_sums), float(e.sums[0]), decimals)


def conv_html(e: ConvExplanation, stages: Stages, planes: Sequence[int] | None = None, caption: str = "") -> str:
    """The whole story of one convolution output pixel as HTML, the result first.

    Parameters
    ----------
    e : ConvExplanation
    stages : Stages
        The result ``e`` explains.
    planes : sequence of int, optional
        Source planes to show (e.g. only the one that won a per-channel max pooling); all by default.
    caption : str
        Words after the pixel's name, e.g. ``'(where R won)'``.
    """
    s = stages.settings
    planes = list(range(e.window.shape[2])) if planes is None else list(planes)
    e, window, digits = worked_out(e, stages, planes)
    where = f"{_span(e.input_rows[0], e.input_rows[-1], 'row')}, {_span(e.input_cols[0], e.input_cols[-1], 'col')}"
    parts = [f"<p style='margin:2px 0;'><b>Convolved pixel (row {e.row}, col {e.col})</b>"
             + (f" {escape(caption)}" if caption else "") + f" reads input {where}"
             + (", with padding cells in grey" if e.padded.any() else "") + ".</p>",
             *_output_lines(e, stages, planes, digits),
             '<table cellspacing="4"><tr><td></td><td><i>input window</i></td><td></td><td><i>kernel'
             + (" (flipped)" if s.flip else "") + "</i></td><td></td><td><i>products</i></td></tr>"]
    for p in planes:
        label = PLANE_NAMES[p] if e.window.shape[2] == 3 else ""
        parts.append(_equation_row(label, grid_html(e.window[:, :, p], e.padded, grey=True, decimals=window.decimals),
                                   grid_html(e.kernel[:, :, p]),
                                   grid_html(e.products[:, :, p], decimals=digits.decimals),
                                   fixed_text(e.products[:, :, p].sum(), digits.decimals)))
    parts.append("</table>")
    summed = CHANNEL_MODES[s.channels].sums_planes and len(planes) == 3
    if not _conv_adds_up(e, planes, digits.decimals, summed):
        parts.append(_rounding_note(digits.decimals))
    return "".join(parts)


def _pool_values(e: PoolExplanation, p: int, digits: Digits) -> np.ndarray:
    """Plane ``p`` of the window as written: exact numbers without their float32 noise."""
    return np.round(e.values[:, :, p], digits.decimals) if digits.exact else e.values[:, :, p]


def _pool_result(e: PoolExplanation, p: int, digits: Digits) -> str:
    """What plane ``p`` of the window became, as the result line and the table write it."""
    if e.winner is not None:
        return fixed_text(e.result[p], digits.decimals)
    return result_text(_pool_values(e, p, digits).mean(), digits)


def _pool_plane_html(e: PoolExplanation, p: int, digits: Digits, label: str) -> str:
    """One plane's window and what it became: the winner and its place, or ``Σ ÷ n = mean``."""
    values = _pool_values(e, p, digits)
    result = _pool_result(e, p, digits)
    if e.winner is not None:
        wr, wc = (int(v) for v in e.winner[p])
        grid = grid_html(values, winner=(wr, wc), decimals=digits.decimals)
        outcome = f"→ max = <b>{result}</b><br><span style='color:gray'>at row {e.rows[wr]}, col {e.cols[wc]}</span>"
    else:
        grid = grid_html(values, decimals=digits.decimals)
        outcome = f"→ Σ = {fixed_text(values.sum(), digits.decimals)} ÷ {values.size} = <b>{result}</b>"
    return f"<td>{label}{grid}</td><td valign='middle' style='padding:0 10px 0 4px;'>{outcome}</td>"


def pool_html(e: PoolExplanation, stages: Stages) -> str:
    """Which values a pooled pixel was pooled from and what they became, per plane, the result first."""
    s = stages.settings
    source = "activated" if stages.activated is not None else "convolved"
    planes = e.values.shape[2]
    digits = table_digits(e.values)
    results = [_pool_result(e, p, digits) for p in range(planes)]
    if planes == 3:
        result = ", ".join(f"{name} <b>{text}</b>" for name, text in zip(PLANE_NAMES, results))
    else:
        result = f"<b>{results[0]}</b>"
    parts = [f"<p style='margin:2px 0;'><b>Pooled pixel (row {e.row}, col {e.col})</b>: "
             f"{escape(POOLS[s.pool].label)} of the {len(e.rows)}×{len(e.cols)} window at {source} "
             f"{_span(e.rows[0], e.rows[-1], 'row')}, {_span(e.cols[0], e.cols[-1], 'col')}.</p>",
             _RESULT.format(f"pooled = {result}"), "<table cellspacing='4'><tr>"]
    for p in range(planes):
        label = f"<b>{PLANE_NAMES[p]}</b><br>" if planes == 3 else ""
        parts.append(_pool_plane_html(e, p, digits, label))
    parts.append("</tr></table>")
    if POOLS[s.pool].mean and not all(adds_up(e.values[:, :, p], e.values[:, :, p].sum(), digits.decimals)
                                      for p in range(planes)):
        parts.append(_rounding_note(digits.decimals))
    return "".join(parts)


class Inspector(QTextBrowser):
    """Shows the explanation of the hovered or pinned pixel."""

    HINT = ("<p style='color:gray'>Hover over any output pixel to see why it has its value; "
            "click to pin it, then move it with the arrow keys.</p>")

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setOpenLinks(False)
        self.setToolTip("The numbers behind the pixel under the mouse (or the pinned one).")
        self.setHtml(self.HINT)
        self.current_html = ""
        self.text_scale = 1.0
        self._points = self.font().pointSizeF()
        # Laying out big tables takes ~10 ms: do it after the pictures are painted, once per burst.
        self._render_timer = QTimer(self)
        self._render_timer.setSingleShot(True)
        self._render_timer.timeout.connect(self._render)

    def set_text_scale(self, scale: float) -> None:
        """Write the explanation ``scale`` times larger: the base font and the sizes its HTML sets.

        Parameters
        ----------
        scale : float
            1 for the normal size; e.g. 1.5 for presenter mode.
        """
        self.text_scale = scale
        font = QFont(self.font())
        font.setPointSizeF(self._points * scale)
        self.setFont(font)
        self._render()

    def _render(self) -> None:
        """Lay out the current explanation (or the hint) at :attr:`text_scale`."""
        html = self.current_html or self.HINT
        self.setHtml(_POINTS.sub(lambda m: f"font-size:{float(m.group(1)) * self.text_scale:g}pt", html))

    def show_pixel(self, stages: Stages, pool: PoolExplanation | None, convs: Sequence[WinnerConv],
                   pinned: bool) -> None:
        """Explain a pixel: the pooling step (if any) first, then the convolutions that fed it.

        Parameters
        ----------
        stages : Stages
        pool : PoolExplanation or None
            The pooled pixel, when a pooled pixel is explained.
        convs : sequence of (ConvExplanation, planes or None)
            The convolved pixel, or for max pooling the winner of each plane with the planes it won.
        pinned : bool
        """
        header = ("<p style='color:#0090c0; margin:2px 0;'><b>● pinned</b> — arrow keys move it, Esc unpins</p>"
                  if pinned else "")
        body = pool_html(pool, stages) if pool is not None else ""
        for conv, planes in convs:
            body += conv_html(conv, stages, planes, _winner_caption(pool, planes))
        self.current_html = header + body
        self._render_timer.start(0)

    def show_hint(self) -> None:
        """Back to the 'hover a pixel' hint."""
        self.current_html = ""
        self._render_timer.start(0)


def _winner_caption(pool: PoolExplanation | None, planes: Sequence[int] | None) -> str:
    if pool is None:
        return ""
    if planes is None or pool.values.shape[2] == 1:
        return "(the one that won)"
    return f"(where {' and '.join(PLANE_NAMES[p] for p in planes)} won)"
