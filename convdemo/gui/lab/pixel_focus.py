"""Hover and pin: which output pixel is being explained, and its outlines in every view.

Both follow every new result: the pinned and the hovered pixel are explained
again with the new numbers, or dropped (outline, status text, explanation) when
the new result no longer has them. A new image drops the hovered pixel too, as
the views are fitted to it and the mouse is over another pixel.
"""

from __future__ import annotations

import numpy as np
from PyQt6.QtCore import QObject, QRectF, pyqtSignal

from convdemo.core.explain import PoolExplanation, explain_conv, explain_pool, receptive_field
from convdemo.gui.lab.inspector import Inspector, WinnerConv
from convdemo.gui.lab.stage_views import STAGE_TITLES, StageView
from convdemo.gui.lab.workers import Result
from convdemo.gui.widgets import format_value

Target = tuple[str, int, int]
"""A stage name and one of its pixels: ``('conv', row, col)``."""


class PixelFocus(QObject):
    """Follows the mouse over the stage views; a click pins a pixel, arrows move it.

    Signals
    -------
    status(str)
        The pixel under the mouse and its value, for the status bar ('' to clear).
    result_changed(Result)
        The focus has followed a new result (emitted at the end of :meth:`set_result`).
    pin_moved(str, int, int)
        Another pixel was pinned (clicked, moved by the arrow keys or the animation): its stage and pixel.
    """

    status = pyqtSignal(str)
    result_changed = pyqtSignal(object)
    pin_moved = pyqtSignal(str, int, int)

    def __init__(self, views: dict[str, StageView], inspector: Inspector, parent: QObject | None = None):
        super().__init__(parent)
        self.views = views
        self.inspector = inspector
        self.result: Result | None = None
        self.pinned: Target | None = None
        self.hovered: Target | None = None

    def _array(self, stage: str) -> np.ndarray | None:
        stages = self.result.stages
        return {"source": stages.source, "conv": stages.conv, "activation": stages.activated,
                "pool": stages.pooled}[stage]

    def _exists(self, target: Target) -> bool:
        """True when the result on screen has this pixel."""
        stage, row, col = target
        array = self._array(stage)
        return array is not None and 0 <= row < array.shape[0] and 0 <= col < array.shape[1]

    def set_result(self, result: Result) -> None:
        """A new result is on screen: explain the pinned and hovered pixels again, or drop those that are gone."""
        new_image = self.result is not None and result.request.image is not self.result.request.image
        self.result = result
        if self.pinned is not None:
            if self._exists(self.pinned):
                self.pin(*self.pinned)
            else:
                self.unpin()
        if self.hovered is not None:
            if new_image or not self._exists(self.hovered):
                self._leave()
            else:
                self.on_hover(*self.hovered)
        self.result_changed.emit(result)

    def on_hover(self, stage: str, row: int, col: int) -> None:
        """Status text, outlines and (unless a pixel is pinned) the inspector for the pixel under the mouse.

        ``row < 0`` means the mouse left the picture: all three are cleared.
        """
        if self.result is None:
            return
        if row < 0:
            self._leave()
            return
        self.hovered = (stage, row, col)
        values = np.atleast_1d(self._array(stage)[row, col])
        shown = ", ".join(format_value(float(v)) for v in values)
        self.status.emit(f"{STAGE_TITLES[stage]} (row {row}, col {col}) = {shown}")
        self._outline(None if stage == "source" else self.hovered, pinned=False)
        if stage != "source" and self.pinned is None:
            self._explain(stage, row, col, pinned=False)

    def _leave(self) -> None:
        """No pixel is hovered any more: clear its outline and status text (and its explanation unless pinned)."""
        self.hovered = None
        self._outline(None, pinned=False)
        self.status.emit("")
        if self.pinned is None:
            self.inspector.show_hint()

    def pin(self, stage: str, row: int, col: int) -> None:
        """Pin an output pixel: the inspector keeps showing it."""
        if stage == "source" or self.result is None:
            return
        moved = self.pinned != (stage, row, col)
        self.pinned = (stage, row, col)
        self._outline(self.pinned, pinned=True)
        self._explain(stage, row, col, pinned=True)
        if moved:
            self.pin_moved.emit(stage, row, col)

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
        pool = None
        if stage == "pool":
            pool = explain_pool(stages, row, col)
            convs = self._winner_convs(pool)
        else:
            convs = [(explain_conv(stages, row, col), None)]
        self.inspector.show_pixel(stages, pool, convs, pinned)

    def _winner_convs(self, pool: PoolExplanation) -> list[WinnerConv]:
        """For max pooling, the convolved pixel each plane's winner came from; planes that won at one pixel share it."""
        if pool.winner is None:
            return []
        planes_at: dict[tuple[int, int], list[int]] = {}
        for plane, (wr, wc) in enumerate(pool.winner):
            planes_at.setdefault((int(pool.rows[wr]), int(pool.cols[wc])), []).append(plane)
        stages = self.result.stages
        if len(planes_at) == 1:
            return [(explain_conv(stages, *next(iter(planes_at))), None)]
        return [(explain_conv(stages, row, col), planes) for (row, col), planes in planes_at.items()]

    def _outline(self, target: Target | None, pinned: bool) -> None:
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
