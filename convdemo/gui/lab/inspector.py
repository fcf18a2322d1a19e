"""The pixel inspector: why an output pixel has its value, written out as the lesson does.

    input window  ×  kernel  =  products      sum ÷ divisor + bias = value → activation

The numbers come from :mod:`convdemo.core.explain`; this module only lays
them out as HTML tables in a read-only text browser.
"""

from __future__ import annotations

from html import escape

import numpy as np
from PyQt6.QtCore import QTimer
from PyQt6.QtWidgets import QTextBrowser, QWidget

from convdemo.core.explain import ConvExplanation, PoolExplanation
from convdemo.core.modes import ACTIVATIONS, CHANNEL_MODES
from convdemo.core.pipeline import Stages
from convdemo.gui.widgets import format_value

PLANE_NAMES = ("R", "G", "B")


def _cell_style(value: float, scale: float, padded: bool = False, winner: bool = False,
                grey: bool = False) -> str:
    t = 0.0 if scale == 0 else min(abs(value) / scale, 1.0)
    if grey:  # input pixels: shown as the grey level they are (0–255)
        level = int(np.clip(value, 0, 255))
        text = "#000" if level > 110 else "#fff"
        return (f"background:rgb({level},{level},{level}); color:{text}; padding:2px 5px; text-align:right;"
                " border:1px solid #999;"
                + (" font-style:italic; color:#999;" if padded else ""))
    if value > 0:
        colour = (255, int(255 - 110 * t), int(255 - 110 * t))
    elif value < 0:
        colour = (int(255 - 110 * t), int(255 - 70 * t), 255)
    else:
        colour = (255, 255, 255)
    style = f"background:rgb{colour}; color:#000; padding:2px 5px; text-align:right;"
    if padded:
        style += " color:#888; font-style:italic;"
    if winner:
        style += " font-weight:bold; border:2px solid #e0a000;"
    return style


def grid_html(values: np.ndarray, padded: np.ndarray | None = None, winner: tuple[int, int] | None = None,
              grey: bool = False) -> str:
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
    """
    scale = float(np.abs(values).max()) if values.size else 0.0
    rows = []
    for (r, c), value in np.ndenumerate(values):
        if c == 0:
            rows.append([])
        is_pad = bool(padded is not None and padded[r, c])
        title = ' title="padding cell"' if is_pad else ""
        rows[-1].append(f'<td style="{_cell_style(value, scale, is_pad, winner == (r, c), grey)}"{title}>'
                        f"{escape(format_value(float(value)))}</td>")
    body = "".join(f"<tr>{''.join(row)}</tr>" for row in rows)
    return f'<table cellspacing="1" style="border-collapse:collapse;">{body}</table>'


def _equation_row(label: str, window: str, kernel: str, products: str, total: str) -> str:
    op = '<td style="font-size:14pt; padding:0 6px;">{}</td>'
    return (f"<tr><td><b>{label}</b></td><td>{window}</td>{op.format('×')}<td>{kernel}</td>"
            f"{op.format('=')}<td>{products}</td>{op.format('→')}<td>Σ = <b>{escape(total)}</b></td></tr>")


def conv_html(e: ConvExplanation, stages: Stages) -> str:
    """The whole story of one convolution output pixel as HTML."""
    s = stages.settings
    rows = f"rows {e.input_rows[0]}…{e.input_rows[-1]}" if len(e.input_rows) > 1 else f"row {e.input_rows[0]}"
    cols = f"cols {e.input_cols[0]}…{e.input_cols[-1]}" if len(e.input_cols) > 1 else f"col {e.input_cols[0]}"
    parts = [f"<p><b>Convolved pixel (row {e.row}, col {e.col})</b> reads input {rows}, {cols}"
             + (", with padding cells in grey" if e.padded.any() else "") + ".</p>",
             '<table cellspacing="4"><tr><td></td><td><i>input window</i></td><td></td><td><i>kernel'
             + (" (flipped)" if s.flip else "") + "</i></td><td></td><td><i>products</i></td></tr>"]
    planes = e.window.shape[2]
    for p in range(planes):
        label = PLANE_NAMES[p] if planes == 3 else ""
        parts.append(_equation_row(label, grid_html(e.window[:, :, p], e.padded, grey=True),
                                   grid_html(e.kernel[:, :, p]), grid_html(e.products[:, :, p]),
                                   format_value(float(e.products[:, :, p].sum()))))
    parts.append("</table>")
    for o in range(len(e.values)):
        prefix = f"{PLANE_NAMES[o]}: " if len(e.values) == 3 else ""
        text = f"{prefix}output = "
        if CHANNEL_MODES[s.channels].sums_planes:
            text += " + ".join(format_value(float(e.products[:, :, p].sum())) for p in range(3)) + " = "
        if e.divisor != 1 or e.bias != 0:
            text += format_value(float(e.sums[o]))
            text += f" ÷ {format_value(e.divisor)}" if e.divisor != 1 else ""
            text += f" + {format_value(e.bias)}" if e.bias != 0 else ""
            text += " = "
        text += f"<b>{format_value(float(e.values[o]))}</b>"
        if e.activated is not None:
            formula = escape(ACTIVATIONS[s.activation].formula)
            text += f" &nbsp;→ {escape(s.activation)}: {formula} → <b>{format_value(float(e.activated[o]))}</b>"
        parts.append(f"<p style='font-size:11pt'>{text}</p>")
    return "".join(parts)


def pool_html(e: PoolExplanation, stages: Stages) -> str:
    """Which values a pooled pixel was pooled from, and which won."""
    s = stages.settings
    source = "activated" if stages.activated is not None else "convolved"
    parts = [f"<p><b>Pooled pixel (row {e.row}, col {e.col})</b>: {s.pool} of the "
             f"{len(e.rows)}×{len(e.cols)} window at {source} rows {e.rows[0]}…{e.rows[-1]}, "
             f"cols {e.cols[0]}…{e.cols[-1]}.</p><table cellspacing='4'><tr>"]
    for p in range(e.values.shape[2]):
        winner = None if e.winner is None else tuple(int(v) for v in e.winner[p])
        label = f"<b>{PLANE_NAMES[p]}</b><br>" if e.values.shape[2] == 3 else ""
        parts.append(f"<td>{label}{grid_html(e.values[:, :, p], winner=winner)}</td>"
                     f"<td style='padding:0 8px;'>→ <b>{format_value(float(e.result[p]))}</b></td>")
    parts.append("</tr></table>")
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
        # Laying out big tables takes ~10 ms: do it after the pictures are painted, once per burst.
        self._render_timer = QTimer(self)
        self._render_timer.setSingleShot(True)
        self._render_timer.timeout.connect(lambda: self.setHtml(self.current_html or self.HINT))

    def show_pixel(self, stages: Stages, conv: ConvExplanation | None, pool: PoolExplanation | None,
                   pinned: bool) -> None:
        """Explain a pixel: the pooling step (if any) first, then the convolution that fed it."""
        header = "<p style='color:#0090c0'><b>● pinned</b> — arrow keys move it, Esc unpins</p>" if pinned else ""
        body = (pool_html(pool, stages) if pool is not None else "") + (conv_html(conv, stages) if conv else "")
        self.current_html = header + body
        self._render_timer.start(0)

    def show_hint(self) -> None:
        """Back to the 'hover a pixel' hint."""
        self.current_html = ""
        self._render_timer.start(0)
