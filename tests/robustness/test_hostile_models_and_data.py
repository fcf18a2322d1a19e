"""Hostile model files, data sets and ``train`` options: one error line, never a hang, bounded memory.

Each case writes a small file that claims something huge (a 30000×30000 input, an 80 GB
member, 6 GiB of zeros in 6 MB) and runs ``convdemo evaluate`` or ``convdemo train`` on it
in a child process (``run_convdemo``, see conftest.py) whose address space is limited to
:data:`MEMORY`.
"""

from __future__ import annotations

import io
import json
import os
import struct
import time
import zlib
from dataclasses import dataclass

import numpy as np
import pytest

from convdemo.core.nn import Architecture, Model, make_digits, save_model

MIB = 1 << 20
MEMORY = 512 * MIB
"""Calibrated: with one BLAS thread, ``convdemo evaluate`` of a small model passes from about
300 MiB of address space on builtin data and 400 MiB on an IDX folder (reading an IDX file
reserves its 256 MiB cap for a moment); below that, imports or OpenBLAS fail. 512 MiB keeps
a margin and is still far below the 6-7 GiB the bombs below would take."""
ONE_BLAS_THREAD = {"OPENBLAS_NUM_THREADS": "1"}
"""OpenBLAS reserves address space for every thread it starts, one per core: with one thread
the limit above holds on any machine."""
HANG = 20
"""Seconds after which a case counts as hanging (a normal run takes about one)."""


# --- files written by hand -------------------------------------------------------------------


@dataclass(frozen=True)
class Member:
    """One zip member as written: ``data`` as stored, with the sizes and CRC its headers claim."""

    name: str
    data: bytes
    file_size: int
    method: int = 0  # 0 stored, 8 deflated
    crc: int = 0


def stored(name: str, payload: bytes) -> Member:
    return Member(name, payload, len(payload), crc=zlib.crc32(payload))


def write_zip(path, members: list[Member]) -> None:
    """A zip file whose every size is in a zip64 field, so a member may claim any size."""
    body, directory = bytearray(), bytearray()
    for m in members:
        name = m.name.encode()
        extra = struct.pack("<HHQQ", 1, 16, m.file_size, len(m.data))
        directory += struct.pack("<4s6H3L5H2L", b"PK\x01\x02", 45, 45, 0, m.method, 0, 0x21, m.crc,
                                 0xFFFFFFFF, 0xFFFFFFFF, len(name), len(extra), 0, 0, 0, 0, len(body)) + name + extra
        body += struct.pack("<4s5H3L2H", b"PK\x03\x04", 45, 0, m.method, 0, 0x21, m.crc, 0xFFFFFFFF, 0xFFFFFFFF,
                            len(name), len(extra)) + name + extra + m.data
    end = struct.pack("<4s4H2LH", b"PK\x05\x06", 0, 0, len(members), len(members), len(directory), len(body), 0)
    path.write_bytes(bytes(body + directory) + end)


def deflated_zeros(prefix: bytes, n_zeros: int, *, wbits: int) -> bytes:
    """``prefix`` then ``n_zeros`` zero bytes (a multiple of 64 MiB) as one deflate stream, made fast.

    One 64 MiB piece is compressed and repeated: it ends with a full flush, which makes
    pieces independent. The stream's gzip trailer (``wbits=31``) is that of one piece;
    nothing should read that far.
    """
    piece_size = 64 * MIB
    compressor = zlib.compressobj(9, zlib.DEFLATED, wbits)
    start = compressor.compress(prefix) + compressor.flush(zlib.Z_FULL_FLUSH)
    piece = compressor.compress(bytes(piece_size)) + compressor.flush(zlib.Z_FULL_FLUSH)
    return start + piece * (n_zeros // piece_size) + compressor.flush()


def sparse_file(path, size: int) -> None:
    """A file of ``size`` zero bytes that takes no room on disk."""
    path.touch()
    os.truncate(path, size)


def npy_bytes(array: np.ndarray) -> bytes:
    stream = io.BytesIO()
    np.lib.format.write_array(stream, array, allow_pickle=False)
    return stream.getvalue()


def npy_header(shape: tuple[int, ...], descr: str = "<f4") -> bytes:
    stream = io.BytesIO()
    np.lib.format.write_array_header_1_0(stream, {"descr": descr, "fortran_order": False, "shape": shape})
    return stream.getvalue()


def idx_bytes(array: np.ndarray) -> bytes:
    return idx_header(array.shape) + array.astype(">u1").tobytes()


def idx_header(shape: tuple[int, ...]) -> bytes:
    return bytes([0, 0, 0x08, len(shape)]) + np.array(shape, ">u4").tobytes()


# --- shared inputs -----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def model_arrays() -> dict[str, np.ndarray]:
    """The members of the default model's file (28×28 grey, 8 filters, 10 classes)."""
    model = Model(Architecture(), seed=0)
    return {"format": np.array("convdemo-model"), "version": np.array(1),
            "architecture": np.array(json.dumps(model.architecture.to_dict())),
            "class_names": np.array(json.dumps(list(model.class_names))), **model.get_weights()}


@pytest.fixture(scope="module")
def idx_folder(tmp_path_factory):
    """100 digits as one IDX split."""
    folder = tmp_path_factory.mktemp("idx")
    write_idx_pair(folder, *digits(100))
    return folder


def digits(n: int) -> tuple[np.ndarray, np.ndarray]:
    data = make_digits(n, seed=0)
    return (data.x[..., 0] * 255).round().astype(np.uint8), data.y.astype(np.uint8)


def write_idx_pair(folder, images: np.ndarray, labels: np.ndarray) -> None:
    (folder / "train-images-idx3-ubyte").write_bytes(idx_bytes(images))
    (folder / "train-labels-idx1-ubyte").write_bytes(idx_bytes(labels))


def model_file(path, arrays: dict[str, np.ndarray], **changes) -> object:
    """Write ``arrays`` with ``changes`` (None removes a member) as a stored zip; returns ``path``."""
    members = {**arrays, **changes}
    write_zip(path, [stored(f"{name}.npy", npy_bytes(value)) for name, value in members.items() if value is not None])
    return path


def model_file_with(path, arrays: dict[str, np.ndarray], member: Member) -> object:
    """Write ``arrays`` as a stored zip in which ``member`` replaces the member of its name; returns ``path``."""
    write_zip(path, [member if f"{name}.npy" == member.name else stored(f"{name}.npy", npy_bytes(value))
                     for name, value in arrays.items()])
    return path


@pytest.fixture
def evaluate(run_convdemo, idx_folder):
    """``evaluate(model_path)`` → Outcome of ``convdemo evaluate MODEL --data <idx folder>`` under MEMORY."""
    def run(model_path, timeout: float = HANG):
        return run_convdemo("evaluate", model_path, "--data", idx_folder, "--json", memory=MEMORY, timeout=timeout,
                            extra_env=ONE_BLAS_THREAD)
    return run


@pytest.fixture
def train(run_convdemo):
    """``train(*options)`` → Outcome of ``convdemo train --epochs 1 OPTIONS`` under MEMORY."""
    def run(*options):
        return run_convdemo("train", "--epochs", "1", *options, memory=MEMORY, timeout=HANG,
                            extra_env=ONE_BLAS_THREAD)
    return run


# --- the calibration ---------------------------------------------------------------------------------------


def test_a_good_model_written_by_hand_evaluates_within_the_memory_limit(tmp_path, evaluate, model_arrays):
    outcome = evaluate(model_file(tmp_path / "good.npz", model_arrays))
    assert outcome.code == 0, outcome.stderr
    assert json.loads(outcome.stdout)["images"] == 100


# --- model files ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("make, words", [
    (os.mkfifo, "it is a named pipe (FIFO), not a regular file"),
    (lambda path: path.symlink_to("/dev/zero"), "it is a character device, not a regular file"),
    (lambda path: path.mkdir(), "it is a folder, not a regular file"),
    (lambda path: sparse_file(path, 300 * MIB), "it is 300 MB, more than a model file can be (256 MB at most)"),
])
def test_a_model_that_is_not_a_small_regular_file_is_refused_at_once(tmp_path, evaluate, make, words):
    path = tmp_path / "m.npz"
    make(path)
    evaluate(path).assert_one_error(f"Cannot read the model file {path}: {words}.")


@pytest.mark.parametrize("version, words", [
    ("1", 'it should be the whole number 1, not the text "1"'),
    ([1, 1], "it should be the whole number 1, not an array of shape 2"),
    (np.nan, "it should be the whole number 1, not nan (float64)"),
    (2, "was saved by a newer convdemo (its 'version' is 2); this one reads version 1"),
])
def test_a_version_that_is_not_the_whole_number_1(tmp_path, evaluate, model_arrays, version, words):
    path = model_file(tmp_path / "m.npz", model_arrays, version=np.array(version))
    evaluate(path).assert_one_error("m.npz", words)


def test_a_plain_npy_file_as_the_model(tmp_path, evaluate):
    path = tmp_path / "m.npy"
    np.save(path, np.zeros((3, 3)))
    evaluate(path).assert_one_error("m.npy is not a convdemo model file (it holds a single numpy array, as .npy "
                                    "files do, not a .npz archive).")


def test_a_file_that_is_no_archive_at_all(tmp_path, evaluate):
    path = tmp_path / "m.npz"
    path.write_bytes(os.urandom(5000))
    evaluate(path).assert_one_error("m.npz is not a convdemo model file (it is not a readable .npz archive).")


def test_an_architecture_asking_for_a_30000_by_30000_input(tmp_path, evaluate, model_arrays):
    fields = {**json.loads(str(model_arrays["architecture"])), "input_shape": [30000, 30000, 1]}
    path = model_file(tmp_path / "m.npz", model_arrays, architecture=np.array(json.dumps(fields)))
    evaluate(path).assert_one_error("m.npz has an invalid architecture: the input is 30000×30000 pixels, larger "
                                    "than the 256×256 a model can take.")


@pytest.mark.parametrize("change, words", [
    ({"class_names": np.array(json.dumps(["a", "b"]))}, "'class_names': it names 2 classes but the architecture "
                                                        "has 10"),
    ({"dense.weight": np.zeros((1352, 10), np.complex64)}, "'dense.weight': its values are complex64; weights must "
                                                           "be real numbers (float32 or float64)"),
    ({"dense.weight": np.zeros((1352, 10), np.int64)}, "'dense.weight': its values are int64"),
    ({"conv1.weight": np.zeros((8, 3, 3, 3), np.float32)}, "does not match its own architecture: its 'conv1.weight' "
                                                           "has shape 8×3×3×3, expected 8×3×3×1"),
    ({"conv1.bias": np.array([0] * 7 + [np.nan], np.float32)}, "not finite numbers (NaN or infinity) in its "
                                                               "'conv1.bias'"),
    ({"dense.bias": None}, "lacks the weights dense.bias that its architecture needs"),
])
def test_weights_and_class_names_are_checked(tmp_path, evaluate, model_arrays, change, words):
    evaluate(model_file(tmp_path / "m.npz", model_arrays, **change)).assert_one_error("m.npz", words)


def test_a_member_declaring_80_gb_is_refused_before_it_is_read(tmp_path, evaluate, model_arrays):
    weights = npy_bytes(model_arrays["dense.weight"])
    path = model_file_with(tmp_path / "m.npz", model_arrays, Member("dense.weight.npy", weights, 80 * 10**9))
    evaluate(path).assert_one_error("m.npz has an unusable 'dense.weight': it declares 74.5 GB, more "
                                                  "than the 110 kB it can take.")


@pytest.fixture(scope="module")
def six_gib_member() -> bytes:
    """A deflated ``.npy`` of 6 GiB of float32 zeros, 6.3 MB compressed."""
    return deflated_zeros(npy_header(((6 << 30) // 4,)), 6 << 30, wbits=-15)


@pytest.mark.parametrize("declared, words", [
    (None, "'dense.weight': it declares 6 GB, more than the 110 kB it can take"),
    (1352 * 10 * 4 + 128, "'dense.weight': it is damaged or not a numpy array"),  # lies: says what a weight needs
])
def test_a_zip_bomb_member_is_never_expanded(tmp_path, evaluate, model_arrays, six_gib_member, declared, words):
    size = declared or len(npy_header(((6 << 30) // 4,))) + (6 << 30)
    path = model_file_with(tmp_path / "m.npz", model_arrays, Member("dense.weight.npy", six_gib_member, size, 8))
    evaluate(path).assert_one_error("m.npz has an unusable", words)


def test_an_archive_listing_60000_members_is_refused_unlisted(tmp_path, evaluate):
    write_zip(tmp_path / "m.npz", [stored(f"{i}.npy", b"") for i in range(60_000)])
    evaluate(tmp_path / "m.npz").assert_one_error("m.npz is not a convdemo model file (its archive lists more than "
                                                  "64 members).")


# --- IDX folders and photo folders -------------------------------------------------------------------------


def data_folder(tmp_path, images: str, make) -> object:
    """An IDX folder of 20 digits' labels and, as the images file named ``images``, what ``make(path)`` puts there."""
    folder = tmp_path / "idx"
    folder.mkdir()
    (folder / "train-labels-idx1-ubyte").write_bytes(idx_bytes(digits(20)[1]))
    make(folder / images)
    return folder


@pytest.mark.parametrize("make, words", [
    (os.mkfifo, "it is a named pipe (FIFO), not a regular file"),
    (lambda path: path.symlink_to("/dev/zero"), "it is a character device, not a regular file"),
])
def test_an_idx_entry_that_is_not_a_regular_file(tmp_path, train, make, words):
    folder = data_folder(tmp_path, "train-images-idx3-ubyte", make)
    train("--data", folder).assert_one_error(f"cannot read '{folder / 'train-images-idx3-ubyte'}': {words}.")


@pytest.mark.parametrize("shape, words", [
    ((65536,) * 4, "header (65536×65536×65536×65536) that describes 18,446,744,073,709,551,616 values"),
    ((65536, 65536, 1), "header (65536×65536×1) that describes 4,294,967,296 values"),
    ((20, 0, 28), "has a size of 0 in its header (20×0×28)"),
])
def test_idx_dimensions_whose_product_would_wrap_or_vanish(tmp_path, train, shape, words):
    folder = data_folder(tmp_path, "train-images-idx3-ubyte", lambda path: path.write_bytes(idx_header(shape)))
    train("--data", folder).assert_one_error("train-images-idx3-ubyte", words)


def test_a_corrupt_deflate_stream_in_an_idx_gz(tmp_path, train):
    images, _ = digits(20)
    compressed = bytearray(zlib.compress(idx_bytes(images), wbits=31))
    compressed[40:80] = bytes(b ^ 0x5A for b in compressed[40:80])
    folder = data_folder(tmp_path, "train-images-idx3-ubyte.gz", lambda path: path.write_bytes(compressed))
    train("--data", folder).assert_one_error("train-images-idx3-ubyte.gz': its gzip data is corrupt")


@pytest.mark.parametrize("prefix, words", [
    (idx_header((60000, 28, 28)), "it decompresses to more than 44.9 MB, more than a file of 60000×28×28 values can "
                                  "be"),
    (b"", "is not an IDX file (wrong magic number 00000000)"),
])
def test_a_gzip_bomb_of_7_gib_in_6_mb(tmp_path, train, prefix, words):
    bomb = deflated_zeros(prefix, 7 << 30, wbits=31)
    assert len(bomb) < 8 * MIB
    folder = data_folder(tmp_path, "train-images-idx3-ubyte.gz", lambda path: path.write_bytes(bomb))
    train("--data", folder).assert_one_error("train-images-idx3-ubyte.gz", words)


def test_labels_out_of_range(tmp_path, train):
    images, labels = digits(20)
    labels[5] = 200
    folder = tmp_path / "idx"
    folder.mkdir()
    write_idx_pair(folder, images, labels)
    train("--data", folder).assert_one_error("train-labels-idx1-ubyte has the label 200; labels must be whole "
                                             "numbers from 0 to 99.")


@pytest.mark.parametrize("make, words", [
    (os.mkfifo, "it is a named pipe (FIFO), not a regular file"),
    (lambda path: path.symlink_to("/dev/zero"), "it is a character device, not a regular file"),
])
def test_a_photo_folder_entry_that_is_not_a_regular_file(tmp_path, train, make, words):
    from PIL import Image

    photos = tmp_path / "photos"
    for name, colour in (("bags", (0, 0, 255)), ("shoes", (255, 0, 0))):
        (photos / name).mkdir(parents=True)
        for i in range(3):
            Image.new("RGB", (30, 20), colour).save(photos / name / f"{i}.png")
    make(photos / "shoes" / "odd.png")
    train("--data", photos).assert_one_error(f"'odd.png': {words} (in {photos / 'shoes'}).")


# --- train and evaluate options: all checked before any work or progress line -----------------------------


@pytest.mark.parametrize("options, words", [
    (("--seed", "-1"), "The seed must be a whole number from 0 to 4294967295, not -1."),
    (("--seed", str(2**32)), "The seed must be a whole number from 0 to 4294967295, not 4294967296."),
    (("--epochs", "0"), "The number of epochs must be at least 1, not 0."),
    (("--batch-size", "0"), "The batch size must be at least 1, not 0."),
    (("--lr", "nan"), "The learning rate must be a positive number, not nan."),
    (("--lr", "-1"), "The learning rate must be a positive number, not -1.0."),
    (("--val-split", "1"), "The validation split must be at least 0 and below 1, not 1.0."),
    (("--filters", "33"), "The number of filters must be between 1 and 32, not 33."),
    (("--save", "/missing/dir/m.npz"), "Cannot save the model to /missing/dir/m.npz: the folder /missing/dir does "
                                       "not exist."),
    (("--save", "m.txt"), "Cannot save the model to m.txt: the file name must end in .npz."),
])
def test_train_options_fail_fast_before_any_progress_line(train, options, words):
    started = time.monotonic()
    outcome = train(*options)
    assert time.monotonic() - started < 2
    assert outcome.assert_one_error() == words


def test_evaluate_with_a_negative_seed(tmp_path, run_convdemo, model_arrays):
    outcome = run_convdemo("evaluate", model_file(tmp_path / "m.npz", model_arrays), "--seed", "-1", memory=MEMORY,
                           timeout=HANG, extra_env=ONE_BLAS_THREAD)
    outcome.assert_one_error("The seed must be a whole number from 0 to 4294967295, not -1.")


def test_a_model_saved_by_convdemo_is_what_the_hand_written_files_imitate(tmp_path, model_arrays):
    model = Model(Architecture(), seed=0)
    with np.load(save_model(tmp_path / "m.npz", model)) as archive:
        assert sorted(archive.files) == sorted(model_arrays)
