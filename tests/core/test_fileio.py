"""Atomic writes leave nothing behind and give files ordinary permissions."""

import os
import stat

import pytest

from convdemo.core.fileio import atomic_write, atomic_write_bytes


def _mode(path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.mark.skipif(os.name != "posix", reason="POSIX permissions")
def test_a_new_file_gets_0666_less_the_umask_not_0600(tmp_path):
    mask = os.umask(0o022)
    os.umask(mask)
    path = atomic_write_bytes(tmp_path / "out.json", b"{}")
    assert _mode(path) == 0o666 & ~mask
    assert path.read_bytes() == b"{}"


@pytest.mark.skipif(os.name != "posix", reason="POSIX permissions")
def test_a_replaced_file_keeps_its_permissions(tmp_path):
    path = tmp_path / "model.npz"
    path.write_bytes(b"old")
    path.chmod(0o640)
    atomic_write_bytes(path, b"new")
    assert _mode(path) == 0o640 and path.read_bytes() == b"new"


def test_a_failed_write_leaves_the_old_file_and_no_temporary(tmp_path):
    path = tmp_path / "k.json"
    path.write_text("old")

    def fail(f):
        f.write(b"half")
        raise OSError(28, "No space left on device")

    with pytest.raises(OSError, match="No space"):
        atomic_write(path, fail)
    assert path.read_text() == "old"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["k.json"]
