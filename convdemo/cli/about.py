"""``convdemo --about``: versions, the engine path and folders, for bug reports."""

from __future__ import annotations

import platform
from importlib import metadata

from convdemo import __version__
from convdemo.core.blas import engine_path
from convdemo.core.presets import default_library
from convdemo.core.resources import sample_images_dir, shipped_kernels_dir


def _distribution_version(name: str) -> str:
    """The installed version of a distribution (as pip spells it), read without importing it."""
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return "not installed"


def _qt_version() -> str:
    """The Qt library PyQt6 runs on; only ``PyQt6.QtCore`` is imported, no application is created."""
    try:
        from PyQt6.QtCore import qVersion
    except ImportError as error:
        return f"not importable ({error})"
    return qVersion()


def _about_fields() -> list[tuple[str, str]]:
    return [
        ("convdemo", __version__),
        ("Python", platform.python_version()),
        ("platform", platform.platform()),
        *[(name, _distribution_version(name)) for name in ("numpy", "scipy", "Pillow", "PyQt6")],
        ("Qt", _qt_version()),
        *[(name, _distribution_version(name)) for name in ("pyqtgraph", "threadpoolctl")],
        ("engine", engine_path()),
        ("shipped kernels", str(shipped_kernels_dir())),
        ("sample images", str(sample_images_dir())),
        ("user presets", str(default_library().user_dir)),
    ]


def about_text() -> str:
    """What a bug report needs to know about this installation, one ``name: value`` per line.

    Returns
    -------
    str
        Versions of convdemo, Python and the libraries it runs on (Qt too, when
        PyQt6 can be imported), the engine path
        (:func:`convdemo.core.blas.engine_path`) and the folders of the shipped
        kernels, the sample images and the user's presets.
    """
    return "\n".join(f"{name}: {value}" for name, value in _about_fields())
