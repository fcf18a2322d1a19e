"""Preset files that are not files: a named pipe or a link to /dev/zero never hangs or fills memory.

The user's presets folder is ``$XDG_DATA_HOME/convdemo/kernels`` (``run_convdemo`` gives each
test its own ``XDG_DATA_HOME``). A bad file there is named once on stderr and the others load;
one named on the command line is one error line.
"""

import json
import os

import numpy as np
import pytest
from PIL import Image

from convdemo.core.presets import PresetLibrary

MEMORY = 512 << 20  # see test_numbers_and_memory.MEMORY; reading /dev/zero to the end would pass it at once
TIMEOUT = 30

pytestmark = pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="named pipes")


def preset(name: str) -> str:
    return json.dumps({"format": "convdemo-kernel", "version": 1, "name": name, "weights": [[2]]})


@pytest.fixture
def user_folder(tmp_path):
    """The child's presets folder holding a good preset, a FIFO and a link to /dev/zero, all ``*.json``."""
    folder = tmp_path / "data" / "convdemo" / "kernels"
    folder.mkdir(parents=True)
    (folder / "mine.json").write_text(preset("mine"))
    os.mkfifo(folder / "fifo.json")
    (folder / "zero.json").symlink_to("/dev/zero")
    return folder


@pytest.fixture
def photo(tmp_path):
    path = tmp_path / "x.png"
    Image.fromarray(np.full((8, 9), 100, np.uint8)).save(path)
    return path


def test_presets_list_lists_the_rest_and_warns_once_per_bad_file(run_convdemo, user_folder):
    outcome = run_convdemo("presets", "list", memory=MEMORY, timeout=TIMEOUT)
    assert outcome.code == 0, outcome.stderr
    names = [line.split()[0] for line in outcome.stdout.splitlines()]
    assert "mine" in names and "identity" in names
    warnings = outcome.stderr.splitlines()
    assert len(warnings) == 2 and all(line.startswith("convdemo: warning: ") for line in warnings), warnings
    fifo, zero = (next(line for line in warnings if str(user_folder / name) in line)
                  for name in ("fifo.json", "zero.json"))
    assert "it is a named pipe (FIFO), not a regular file." in fifo
    assert "it is a character device, not a regular file." in zero


def test_apply_with_a_shipped_kernel_works_next_to_bad_files(run_convdemo, tmp_path, user_folder, photo):
    outcome = run_convdemo("apply", photo, "-o", "o.npy", "--kernel", "identity", memory=MEMORY, timeout=TIMEOUT)
    assert outcome.code == 0, outcome.stderr
    assert np.load(tmp_path / "o.npy").shape == (6, 7)
    mine = run_convdemo("apply", photo, "-o", "o.npy", "--kernel", "mine", memory=MEMORY, timeout=TIMEOUT)
    assert mine.code == 0, mine.stderr
    assert np.load(tmp_path / "o.npy").tolist() == [[200.0] * 9] * 8


def test_the_window_starts_next_to_bad_files(run_convdemo, tmp_path, user_folder):
    outcome = run_convdemo("--screenshot", "shot.png", memory=2 << 30, timeout=TIMEOUT)
    assert outcome.code == 0, outcome.stderr
    assert (tmp_path / "shot.png").stat().st_size > 0


@pytest.mark.parametrize("command", [
    ["presets", "import", "{fifo}"],
    ["presets", "show", "{fifo}"],
    ["apply", "x.png", "-o", "o.npy", "--kernel", "{fifo}"],
])
def test_a_fifo_on_the_command_line_is_one_line(run_convdemo, tmp_path, photo, command):
    fifo = tmp_path / "k.json"
    os.mkfifo(fifo)
    outcome = run_convdemo(*(part.format(fifo=fifo) for part in command), memory=MEMORY, timeout=TIMEOUT)
    outcome.assert_one_error(f"cannot read {str(fifo)!r}: it is a named pipe (FIFO), not a regular file.")


@pytest.mark.parametrize("command", [
    ["apply", "x.png", "-o", "o.npy", "--kernel", "/dev/zero"],
    ["presets", "show", "/dev/zero"],
    ["presets", "import", "/dev/zero"],
])
def test_dev_zero_as_a_kernel_is_one_line(run_convdemo, photo, command):
    outcome = run_convdemo(*command, memory=MEMORY, timeout=TIMEOUT)
    outcome.assert_one_error("cannot read '/dev/zero': it is a character device, not a regular file.")


def test_the_library_reports_each_bad_file_with_its_path_and_loads_the_others(user_folder, tmp_path):
    (user_folder / "huge.json").write_bytes(b" " * (2 << 20))
    (user_folder / "broken.json").write_text("{")
    library = PresetLibrary(user_dir=user_folder)
    assert library.is_user("mine") and "identity" in library
    problems = dict(library.errors)
    assert set(problems) == {user_folder / name for name in ("fifo.json", "zero.json", "huge.json", "broken.json")}
    assert all(str(path) in message for path, message in problems.items())
    assert "more than a kernel preset can be (1 MB at most)" in problems[user_folder / "huge.json"]
