"""Where the shipped kernel presets and sample images are, installed or not.

In a source checkout (including an editable install) they are the repo's
top-level ``kernels/`` and ``sample_images/`` folders; a regular install
carries the same files inside the package as ``convdemo._kernels`` and
``convdemo._samples`` (see ``pyproject.toml``).
"""

from pathlib import Path

_REPO_ROOT = Path(__file__).resolve().parents[2]


_PACKAGE_ROOT = Path(__file__).resolve().parents[1]


def _data_dir(repo_folder: str, installed_folder: str) -> Path:
    if (_REPO_ROOT / "pyproject.toml").is_file() and (_REPO_ROOT / repo_folder).is_dir():
        return _REPO_ROOT / repo_folder
    return _PACKAGE_ROOT / installed_folder


def shipped_kernels_dir() -> Path:
    """Folder holding the shipped ``*.json`` kernel presets."""
    return _data_dir("kernels", "_kernels")


def sample_images_dir() -> Path:
    """Folder holding the built-in ``*.png`` sample images."""
    return _data_dir("sample_images", "_samples")
