"""Start-up stays light: heavy modules load when the work that needs them starts, checked in fresh interpreters."""

import json
import os
import subprocess
import sys

import convdemo

HEAVY = ("scipy.ndimage", "convdemo.core.nn")
"""Modules only the mini-CNN and its data sets need (scipy.ndimage alone takes 0.4 s to import)."""


def loaded_after(code: str, modules: tuple[str, ...]) -> list[str]:
    """Which of ``modules`` (or their sub-modules) a fresh interpreter has imported after running ``code``."""
    report = ("import json, sys\n"
              f"print(json.dumps(sorted({{m for m in sys.modules for p in {modules!r} "
              "if m == p or m.startswith(p + '.')})))")
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    run = subprocess.run([sys.executable, "-c", f"{code}\n{report}"], capture_output=True, text=True, check=True,
                         env=env)
    return json.loads(run.stdout.splitlines()[-1])


def test_importing_convdemo_loads_neither_the_mini_cnn_nor_scipy_ndimage_nor_qt():
    assert loaded_after("import convdemo", (*HEAVY, "PyQt6")) == []


def test_the_preset_library_is_found_on_first_use_and_is_the_same_object_every_time():
    code = "import convdemo\nassert convdemo.kernels is convdemo.kernels\nassert 'gaussian-3x3' in convdemo.kernels"
    assert loaded_after(code, HEAVY) == []
    assert "kernels" in convdemo.__all__


def test_the_window_starts_without_the_mini_cnn(tmp_path):
    code = ("import convdemo.cli\n"
            "from PyQt6.QtCore import QSettings\n"
            "from convdemo.gui.app import make_app\n"
            "from convdemo.gui.main_window import MainWindow\n"
            "app = make_app()\n"
            f"window = MainWindow(settings=QSettings({str(tmp_path / 'settings.ini')!r}, QSettings.Format.IniFormat))\n"
            "window.show()\n"
            "app.processEvents()")
    assert loaded_after(code, (*HEAVY, "convdemo.gui.cnn.panel")) == []


def test_a_small_image_is_convolved_without_loading_scipys_blas():
    code = ("import numpy as np, convdemo\n"
            "stages = convdemo.run(np.zeros((28, 28), np.float32), 'sobel-x', padding='same')\n"
            "assert stages.conv.shape == (28, 28)")
    assert loaded_after(code, ("scipy.linalg", "threadpoolctl")) == []
