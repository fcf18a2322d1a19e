"""Writes: a kill at any moment leaves the old file or the new one, never half; leftovers are cleaned;
read-only files are not replaced; errors name the target, never the temporary file."""

import errno
import os
import random
import signal
import subprocess
import sys
import time

import numpy as np
import pytest
from PIL import Image

from convdemo.core import fileio
from convdemo.core.errors import ConvdemoError
from convdemo.core.fileio import STALE_SECONDS, TEMP_SUFFIX, TEMP_TAG, WriteError, atomic_write, atomic_write_bytes

VALUES = 50 * (1 << 20) // 4  # a 50 MB float32 payload
WRITER = f"""
import sys
import numpy as np
from convdemo.core.fileio import atomic_write

print("ready", flush=True)
for version in range(1, 1000):
    payload = np.full({VALUES}, version, dtype=np.float32)
    atomic_write(sys.argv[1], lambda f: np.save(f, payload))
"""


def temporaries(folder, name: str) -> list:
    return sorted(p.name for p in folder.iterdir() if p.name.startswith(f".{name}{TEMP_TAG}"))


def age(path, seconds: float) -> None:
    then = time.time() - seconds
    os.utime(path, (then, then))


def assert_whole_version(path) -> None:
    array = np.load(path)
    assert array.shape == (VALUES,) and array.dtype == np.float32
    assert array[0] >= 1 and (array == array[0]).all()  # one complete version, not a mix


@pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="SIGKILL")
def test_a_kill_during_writes_leaves_a_whole_file_and_the_next_write_cleans_up(tmp_path):
    target = tmp_path / "big.npy"
    rng = random.Random(20240601)
    for _ in range(5):
        child = subprocess.Popen([sys.executable, "-c", WRITER, str(target)], stdout=subprocess.PIPE, text=True)
        assert child.stdout.readline() == "ready\n"
        time.sleep(rng.uniform(0, 0.3))
        child.send_signal(signal.SIGKILL)
        child.wait(timeout=30)
        child.stdout.close()
        if target.exists():
            assert_whole_version(target)
    (tmp_path / f".big.npy{TEMP_TAG}leftover{TEMP_SUFFIX}").write_bytes(b"half a file")  # as a kill leaves it
    young = tmp_path / f".big.npy{TEMP_TAG}young{TEMP_SUFFIX}"
    other = tmp_path / f".other.npy{TEMP_TAG}stale{TEMP_SUFFIX}"
    for path in (young, other):
        path.write_bytes(b"")
    for name in temporaries(tmp_path, "big.npy"):
        age(tmp_path / name, 0 if name == young.name else STALE_SECONDS + 60)
    age(other, STALE_SECONDS + 60)

    atomic_write(target, lambda f: np.save(f, np.full(VALUES, 7, dtype=np.float32)))
    assert_whole_version(target)
    assert temporaries(tmp_path, "big.npy") == [young.name]  # a write still going on elsewhere is left alone
    assert other.exists()  # another file's temporary is not ours to judge


def test_the_temporary_file_has_a_recognisable_name(tmp_path):
    seen = []
    atomic_write(tmp_path / "out.npy", lambda f: seen.extend(temporaries(tmp_path, "out.npy")))
    assert len(seen) == 1 and seen[0].startswith(".out.npy.convdemo-") and seen[0].endswith(".tmp")
    assert temporaries(tmp_path, "out.npy") == []


def test_a_read_only_file_is_not_replaced(tmp_path):
    path = tmp_path / "out.npy"
    path.write_bytes(b"old")
    path.chmod(0o444)
    with pytest.raises(WriteError) as caught:
        atomic_write_bytes(path, b"new")
    assert str(caught.value) == f"cannot write {str(path)!r}: the file is read-only."
    assert path.read_bytes() == b"old" and temporaries(tmp_path, "out.npy") == []


def test_the_command_line_refuses_a_read_only_output(run_convdemo, tmp_path):
    Image.fromarray(np.zeros((5, 5), np.uint8)).save(tmp_path / "x.png")
    out = tmp_path / "out.npy"
    out.write_bytes(b"old")
    out.chmod(0o444)
    outcome = run_convdemo("apply", "x.png", "-o", "out.npy", "--kernel", "identity")
    assert outcome.assert_one_error() == "cannot write 'out.npy': the file is read-only."
    assert out.read_bytes() == b"old"


@pytest.mark.parametrize("where", ["mkstemp", "write", "replace"])
def test_os_errors_become_one_sentence_naming_the_target_and_its_folder(tmp_path, monkeypatch, where):
    full = OSError(errno.ENOSPC, "No space left on device", str(tmp_path / ".out.npy.convdemo-x.tmp"))

    def fail(*args, **kwargs):
        raise full

    if where != "write":
        monkeypatch.setattr(fileio.tempfile if where == "mkstemp" else fileio.os, where, fail)
    with pytest.raises(WriteError) as caught:
        atomic_write(tmp_path / "out.npy", fail if where == "write" else lambda f: f.write(b"x"))
    error = caught.value
    assert str(error) == f"cannot write 'out.npy' in the folder {str(tmp_path)!r}: No space left on device."
    assert isinstance(error, ConvdemoError) and isinstance(error, OSError) and error.errno == errno.ENOSPC
    assert error.filename == str(tmp_path / "out.npy")
    assert not (tmp_path / "out.npy").exists() and temporaries(tmp_path, "out.npy") == []


def test_a_missing_folder_is_named(tmp_path):
    expected = r"^cannot write 'out.npy' in the folder '.*nope': the folder does not exist\.$"
    with pytest.raises(WriteError, match=expected):
        atomic_write_bytes(tmp_path / "nope" / "out.npy", b"x")


def test_errors_that_are_not_about_the_disk_pass_through_and_leave_nothing(tmp_path):
    def broken(f):
        f.write(b"half")
        raise ValueError("not an OSError")

    with pytest.raises(ValueError, match="not an OSError"):
        atomic_write(tmp_path / "out.npy", broken)
    assert list(tmp_path.iterdir()) == []
