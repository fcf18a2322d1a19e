"""Start-up time of ``convdemo --screenshot`` as a ratio to a bare Qt + numpy process, measured in one run.

Target (issue "the house", point 6): the whole ``python -m convdemo
--screenshot OUT.png`` process, from launch to exit (window built, first
result computed and drawn, PNG written), in ≤ 1.3× the time of a baseline
process that only imports numpy, scipy.linalg, Pillow, PyQt6.QtWidgets and
pyqtgraph and creates a QApplication. Both run offscreen
(``QT_QPA_PLATFORM=offscreen``), alternately, so they see the same machine
state; the medians are compared.

Run: ``python benchmarks/bench_startup.py`` (takes about half a minute).
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

TARGET = 1.3
BASELINE = ("import numpy, scipy.linalg, PIL.Image, pyqtgraph; from PyQt6.QtWidgets import QApplication; "
            "QApplication([])")


def wall_time(command: list[str], env: dict[str, str]) -> float:
    """Wall time of one process run to its end, in seconds (a failed run stops the benchmark)."""
    start = time.perf_counter()
    subprocess.run(command, env=env, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - start


def measure(runs: int) -> tuple[list[float], list[float]]:
    """Wall times of the screenshot process and of the baseline, run alternately ``runs`` times each."""
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    screenshot, baseline = [], []
    with tempfile.TemporaryDirectory(prefix="convdemo-bench-") as folder:
        shot = Path(folder) / "shot.png"
        # Throwaway settings and presets folders: the user's last session (another image) must not change the run.
        env.update(XDG_CONFIG_HOME=str(Path(folder) / "config"), XDG_DATA_HOME=str(Path(folder) / "data"))
        for _ in range(runs):
            baseline.append(wall_time([sys.executable, "-c", BASELINE], env))
            screenshot.append(wall_time([sys.executable, "-m", "convdemo", "--screenshot", str(shot)], env))
            shot.unlink()
    return screenshot, baseline


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5, help="runs of each process (default 5)")
    args = parser.parse_args()
    screenshot, baseline = measure(args.runs)
    shot, base = statistics.median(screenshot), statistics.median(baseline)
    ratio = shot / base
    print(f"screenshot runs (s): {' '.join(f'{t:.2f}' for t in screenshot)}")
    print(f"baseline runs (s):   {' '.join(f'{t:.2f}' for t in baseline)}")
    print(f"startup: screenshot {shot:.2f} s baseline {base:.2f} s ratio {ratio:.2f} (target <= {TARGET:.2f})")
    return 0 if ratio <= TARGET else 1


if __name__ == "__main__":
    raise SystemExit(main())
