"""convdemo/core never imports Qt: checked in the source and in a fresh interpreter."""

import ast
import subprocess
import sys
from pathlib import Path

import convdemo

CORE = Path(convdemo.__file__).parent / "core"
QT_MODULES = ("PyQt6", "PyQt5", "PySide6", "PySide2", "pyqtgraph", "qtpy")


def test_no_qt_import_statement_in_core():
    offenders = []
    for path in CORE.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else (
                [node.module or ""] if isinstance(node, ast.ImportFrom) else [])
            offenders += [f"{path.name}: {n}" for n in names if n.split(".")[0] in QT_MODULES]
    assert offenders == []


def test_importing_the_api_loads_no_qt():
    code = ("import sys, convdemo, convdemo.cli, convdemo.core.pipeline, convdemo.core.nn; "
            f"print([m for m in sys.modules if m.split('.')[0] in {QT_MODULES!r}])")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"
