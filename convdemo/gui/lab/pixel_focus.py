"""Hover and pin: which output pixel is being explained, and its outlines in every view."""

from __future__ import annotations

import numpy as np
from PyQt6.QtCore import QObject, QRectF, pyqtSignal

from convdemo.core.explain import explain_conv, explain_pool, receptive_field
from convdemo.gui.lab.inspector import Inspector
from convdemo.gui.lab.stage_views import STAGE_TITLES, StageView
from convdemo.gui.lab.workers import Result


class PixelFocus(QObject):
    """Follows the mouse over the stage views; a click pins a pixel, arrows move it.

    Signals
    -------
    status(str)
        The pixel under the mouse and its value, for the status bar ('' to clear).
    """

    status = pyqtSignal(str)

    def __init__(self, views: dict[str, StageView], inspector: Inspector, parent: QObject | None = None):
        super().__init__(parent)
        self.views = views
        self.inspector = inspector
        self.result: Result | None = None
        self.pinned: tuple[str, int, int] | None = None

    def _array(self, stage: str) -> np.ndarray | None:
        stages = self.result.stages
        return {"source": stages.source, "conv": stages.conv, "activation": stages.activated,
                "pool": stages.pooled}[stage]

    def set_result(self, result: Result) -> None:
        """A new result is on screen: re-explain the pinned pixel (or unpin it if it is gone)."""
        self.result = result
        if self.pinned is None:
            return
        stage, row, col = self.pinned
        array = self._array(stage)
        if array is None or row >= array.shape[0] or col >= array.shape[1]:
            self.unpin()
        else:
            self.pin(stage, row, col)

    def on_hover(self, stage: str, row: int, col: int) -> None:
        """Status text, outlines and (unless a pixel is pinned) the inspector for the pixel under the mouse."""
        if self.result is None:
            return
        if row < 0 or stage == "source":
            self._outline(None, pinned=False)
        if row < 0:
            self.status.emit("")
            if self.pinned is None:
                self.inspector.show_hint()
            return
        values = np.atleast_1d(self._array(stage)[row, col])
        self.status.emit(f"{STAGE_TITLES[stage]} (row {row}, col {col}) = " + ", ".join(f"{v:.4g}" for v in values))
        if stage != "source":
            self._outline((stage, row, col), pinned=False)
            if self.pinned is None:
                self._explain(stage, row, col, pinned=False)

    def pin(self, stage: str, row: int, col: int) -> None:
        """Pin an output pixel: the inspector keeps showing it."""
        if stage == "source" or self.result is None:
            return
        self.pinned = (stage, row, col)
        self._outline(self.pinned, pinned=True)
        self._explain(stage, row, col, pinned=True)

    def pin_strongest(self) -> None:
        """Pin the strongest convolved pixel away from the padding: a first example for the inspector."""
        stages = self.result.stages
        magnitude = np.abs(stages.conv) if stages.conv.ndim == 2 else np.abs(stages.conv).sum(axis=2)
        (r0, r1), (c0, c1) = stages.conv_geometry.rows.interior(), stages.conv_geometry.cols.interior()
        if r1 > r0 and c1 > c0:
            inside = np.zeros_like(magnitude)
            inside[r0:r1, c0:c1] = magnitude[r0:r1, c0:c1]
            magnitude = inside
        self.pin("conv", *(int(v) for v in np.unravel_index(np.argmax(magnitude), magnitude.shape)))

    def move_pin(self, d_row: int, d_col: int) -> None:
        """Arrow keys: move the pinned pixel, staying inside its stage."""
        if self.pinned is None:
            return
        stage, row, col = self.pinned
        h, w = self._array(stage).shape[:2]
        self.pin(stage, min(max(row + d_row, 0), h - 1), min(max(col + d_col, 0), w - 1))

    def unpin(self) -> None:
        """Forget the pinned pixel."""
        self.pinned = None
        self._outline(None, pinned=True)
        self.inspector.show_hint()

    def _explain(self, stage: str, row: int, col: int, pinned: bool) -> None:
        stages = self.result.stages
        pool = conv = None
        if stage == "pool":
            pool = explain_pool(stages, row, col)
            if pool.winner is not None:  # then explain the convolution of the value that won
                wr, wc = pool.winner[0]
                conv = explain_conv(stages, int(pool.rows[wr]), int(pool.cols[wc]))
        else:
            conv = explain_conv(stages, row, col)
        self.inspector.show_pixel(stages, conv, pool, pinned)

    def _outline(self, target: tuple[str, int, int] | None, pinned: bool) -> None:
        """Outline the pixel, its pooling window and its receptive field (each tap when dilated)."""
        rects: dict[str, list[QRectF]] = {name: [] for name in self.views}
        if target is not None:
            stage, row, col = target
            stages = self.result.stages
            rects[stage].append(self.views[stage].pixel_rect(row, col))
            if stage == "pool":
                e = explain_pool(stages, row, col)
                for name in ("conv", "activation"):
                    first = self.views[name].pixel_rect(int(e.rows[0]), int(e.cols[0]))
                    rects[name].append(first.united(self.views[name].pixel_rect(int(e.rows[-1]), int(e.cols[-1]))))
            if stage == "pool" or stages.settings.dilation == (1, 1):
                top, left, bottom, right = receptive_field(stages, stage, row, col)
                rects["source"].append(QRectF(left, top, right - left, bottom - top))
            else:
                e = explain_conv(stages, row, col)
                rects["source"] += [QRectF(c, r, 1, 1) for r in e.input_rows for c in e.input_cols]
        for name, view in self.views.items():
            view.set_highlight(rects[name], pinned=pinned)
