"""``convdemo --about``: what a bug report needs, one ``name: value`` per line, without opening a window."""

import subprocess
import sys

from convdemo.cli import main
from convdemo.core.blas import ENGINE_VARIABLE


def _about(capsys) -> dict[str, str]:
    assert main(["--about"]) == 0
    lines = capsys.readouterr().out.splitlines()
    return dict(line.split(": ", 1) for line in lines)


def test_about_lists_versions_engine_and_folders(capsys):
    about = _about(capsys)
    for name in ("convdemo", "Python", "numpy", "scipy", "Pillow", "PyQt6", "Qt", "pyqtgraph", "threadpoolctl",
                 "engine", "shipped kernels", "sample images", "user presets"):
        assert about[name], name
    assert about["numpy"].startswith("2.")
    assert about["engine"].startswith(("BLAS saxpy (", "numpy strips ("))
    assert about["user presets"].endswith("kernels")


def test_about_says_when_the_environment_turned_the_fast_path_off(capsys, monkeypatch):
    monkeypatch.setenv(ENGINE_VARIABLE, "numpy")
    assert _about(capsys)["engine"].startswith("numpy strips (fast path off: CONVDEMO_ENGINE=numpy)")


def test_about_creates_no_qt_application():
    code = ("import sys; from convdemo.cli import main; main(['--about']); "
            "from PyQt6.QtCore import QCoreApplication; "
            "print('app', QCoreApplication.instance(), sorted(m for m in sys.modules if m.startswith('PyQt6.')))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.splitlines()[-1] == "app None ['PyQt6.QtCore', 'PyQt6.sip']"
