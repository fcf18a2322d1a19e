"""The window's model: image, kernel and settings, announcing changes with signals.

Widgets never talk to each other directly: they change the state, and the
main window listens to ``changed`` to recompute (docs/layout.md: models announce,
views subscribe).
"""

from __future__ import annotations

import dataclasses

from PyQt6.QtCore import QObject, pyqtSignal

from convdemo.core.images import LoadedImage
from convdemo.core.kernels import Kernel
from convdemo.core.params import Settings


class AppState(QObject):
    """Everything that decides what the pipeline computes and how it is shown.

    Attributes
    ----------
    image : LoadedImage or None
    kernel : Kernel
        Weights, divisor and bias as edited.
    settings : Settings
        Every other option (the divisor and bias fields are taken from ``kernel``).
    display_mode : str
        A key of :data:`convdemo.core.modes.DISPLAY_MODES`.
    heat_map : bool
        Single-plane outputs in heat-map colours instead of grey.
    """

    changed = pyqtSignal()  # anything the pipeline depends on
    image_changed = pyqtSignal()
    display_changed = pyqtSignal()

    def __init__(self, kernel: Kernel, settings: Settings | None = None, parent: QObject | None = None):
        super().__init__(parent)
        self.image: LoadedImage | None = None
        self.kernel = kernel
        self.settings = settings or Settings()
        self.display_mode = "auto"
        self.heat_map = True

    def set_image(self, image: LoadedImage) -> None:
        """Replace the image (already loaded and validated)."""
        self.image = image
        self.image_changed.emit()
        self.changed.emit()

    def set_kernel(self, kernel: Kernel) -> None:
        """Replace the kernel (weights, divisor, bias)."""
        if kernel != self.kernel:
            self.kernel = kernel
            self.changed.emit()

    def update_settings(self, **changes) -> None:
        """Change some settings; validation errors propagate as ParameterError."""
        settings = dataclasses.replace(self.settings, **changes)
        if settings != self.settings:
            self.settings = settings
            self.changed.emit()

    def set_display(self, mode: str | None = None, heat_map: bool | None = None) -> None:
        """Change how outputs are mapped to colours (None keeps the current choice)."""
        mode = self.display_mode if mode is None else mode
        heat_map = self.heat_map if heat_map is None else heat_map
        if (mode, heat_map) != (self.display_mode, self.heat_map):
            self.display_mode, self.heat_map = mode, heat_map
            self.display_changed.emit()

    def effective_settings(self) -> Settings:
        """The settings the pipeline runs with: the kernel's divisor and bias folded in."""
        return dataclasses.replace(self.settings, divisor=self.kernel.divisor, bias=self.kernel.bias)
