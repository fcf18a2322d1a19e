"""Edit-to-paint latency of the window at 0.25, 1 and 4 MP, and how long the GUI thread is busy.

For each size, a colour image is put in the window and the kernel is edited
repeatedly (as a user typing in the grid would); each edit is timed from the
state change until the new result has been painted. The GUI-thread figure is
the time spent putting a result on screen (the worker's time excluded): it
must stay under 50 ms so the window never freezes.

Run: ``QT_QPA_PLATFORM=offscreen python benchmarks/bench_gui.py``.
"""

from __future__ import annotations

import os
import statistics
import tempfile
import time

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import numpy as np
from PyQt6.QtCore import QEventLoop, QSettings, QTimer

from convdemo.core.images import LoadedImage
from convdemo.core.kernels import Kernel
from convdemo.gui.app import make_app

EDITS = 25
SIZES = {"0.25 MP": (512, 512), "1 MP": (1024, 1024), "4 MP": (2048, 2048)}


def wait_for(app, flag: dict, timeout_ms: int = 30000) -> None:
    """Run the event loop (blocking in Qt, not spinning in Python) until the result is painted."""
    if flag.get("done"):
        return
    loop = QEventLoop()
    flag["loop"] = loop
    QTimer.singleShot(timeout_ms, loop.quit)
    loop.exec()
    if not flag.get("done"):
        raise RuntimeError("no result within the timeout")


def measure(app, window, shape, channels: str) -> tuple[list[float], list[float]]:
    rng = np.random.default_rng(0)
    pixels = rng.uniform(0, 255, (*shape, 3)).astype(np.float32)
    flag: dict = {}
    gui_busy: list[float] = []

    def on_shown(_result) -> None:
        window.stage_row.repaint()
        flag["painted"] = time.perf_counter()
        gui_busy.append(flag["painted"] - flag["handler_start"])
        flag["done"] = True
        if "loop" in flag:
            flag["loop"].quit()

    original = window.show_result

    def timed_show(result) -> None:
        flag["handler_start"] = time.perf_counter()
        original(result)

    window.runner.finished.disconnect(original)
    window.runner.finished.connect(timed_show)
    window.result_shown.connect(on_shown)
    window.state.update_settings(channels=channels)
    flag.clear()
    window.state.set_image(LoadedImage(pixels, shape, "bench"))
    wait_for(app, flag)
    latencies = []
    gui_busy.clear()
    for _ in range(EDITS):
        kernel = Kernel.from_array(rng.normal(size=(3, 3)))
        flag.clear()
        start = time.perf_counter()
        window.state.set_kernel(kernel)
        wait_for(app, flag)
        latencies.append(flag["painted"] - start)
    window.result_shown.disconnect(on_shown)
    window.runner.finished.disconnect(timed_show)
    window.runner.finished.connect(original)
    return latencies, gui_busy


def p95(values: list[float]) -> float:
    return float(np.percentile(values, 95))


def main() -> int:
    app = make_app()
    from convdemo.gui.main_window import MainWindow

    with tempfile.TemporaryDirectory() as tmp:
        window = MainWindow(settings=QSettings(os.path.join(tmp, "s.ini"), QSettings.Format.IniFormat))
        window.resize(1440, 900)
        window.show()
        print(f"edit → painted latency over {EDITS} kernel edits (ms); GUI-thread time per result (ms)")
        for channels in ("gray", "per-channel"):
            for label, shape in SIZES.items():
                lat, busy = measure(app, window, shape, channels)
                print(f"  {label:<8} {channels:<12} latency median {statistics.median(lat) * 1000:6.1f}  "
                      f"p95 {p95(lat) * 1000:6.1f}   GUI thread median {statistics.median(busy) * 1000:5.1f}  "
                      f"max {max(busy) * 1000:5.1f}")
        window.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
