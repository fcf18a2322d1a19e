"""The window form of the command: --size, --screenshot and their errors."""

import os
import subprocess
import sys

from PIL import Image

from convdemo.cli import main
from convdemo.cli.window import window_size


def test_window_size_reads_width_by_height():
    assert window_size("1366x768") == (1366, 768)
    assert window_size("1280×800") == (1280, 800)


def test_a_bad_size_is_one_error_line_before_qt_starts(capsys, tmp_path):
    assert main(["--size", "12x3", "--screenshot", str(tmp_path / "s.png")]) == 2
    err = capsys.readouterr().err
    assert err == "convdemo: error: --size must be between 640x480 and 16384x16384 pixels, not '12x3'.\n"
    assert not (tmp_path / "s.png").exists()


def test_a_projector_sized_screenshot_has_that_size(tmp_path):
    shot = tmp_path / "shot.png"
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "XDG_CONFIG_HOME": str(tmp_path / "config")}
    run = subprocess.run([sys.executable, "-m", "convdemo", "--screenshot", str(shot), "--size", "1366x768"],
                         capture_output=True, text=True, env=env, timeout=60)
    assert run.returncode == 0, run.stderr
    assert Image.open(shot).size == (1366, 768)
