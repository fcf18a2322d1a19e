"""Data sources: the generators, IDX folders and photo folders written by the tests, and their errors."""

import gzip
import os

import numpy as np
import pytest
from PIL import Image

from convdemo.core.errors import DataError, ParameterError
from convdemo.core.nn import (
    load_test_data,
    load_training_data,
    make_digits,
    make_shapes,
    normalise_drawing,
)
from convdemo.core.nn.data import preview_grid, split
from convdemo.core.nn.idx import read_idx


def test_digits_look_like_mnist():
    data = make_digits(500, seed=1)
    assert data.x.shape == (500, 28, 28, 1) and data.x.dtype == np.float32
    assert data.class_names == tuple("0123456789")
    assert np.array_equal(data.class_counts(), [50] * 10)
    assert data.x.min() == 0.0 and data.x.max() == 1.0
    rows, cols = np.mgrid[0:28, 0:28]
    mass = data.x[..., 0].sum(axis=(1, 2))
    centre_r = (data.x[..., 0] * rows).sum(axis=(1, 2)) / mass
    centre_c = (data.x[..., 0] * cols).sum(axis=(1, 2)) / mass
    assert np.abs(centre_r - 13.5).max() < 2.5 and np.abs(centre_c - 13.5).max() < 2.5  # centred by mass
    ink = data.x[..., 0] > 0.5
    assert not (ink[:, :2].any() or ink[:, -2:].any() or ink[:, :, :2].any() or ink[:, :, -2:].any())  # black frame
    assert 0.08 < ink.mean() < 0.3


def test_generators_are_seeded():
    assert np.array_equal(make_digits(40, seed=2).x, make_digits(40, seed=2).x)
    assert not np.array_equal(make_digits(40, seed=2).x, make_digits(40, seed=3).x)
    shapes = make_shapes(90, seed=2)
    assert shapes.x.shape == (90, 28, 28, 1) and len(shapes.class_names) == 9
    assert np.array_equal(shapes.x, make_shapes(90, seed=2).x)


def test_builtin_test_data_never_repeats_training_images():
    train_set, val_set = load_training_data("builtin-digits", size=200, val_split=0.25, seed=0)
    test = load_test_data("builtin-digits", size=200, seed=0)
    assert (len(train_set), len(val_set)) == (150, 50)
    flat = {image.tobytes() for image in train_set.x}
    assert not any(image.tobytes() in flat for image in test.x)


def test_split_and_preview():
    data = make_shapes(90, seed=0)
    train_set, val_set = split(data, 0.2, seed=1)
    assert len(train_set) == 72 and len(val_set) == 18
    assert split(data, 0.0)[1] is None
    with pytest.raises(ParameterError, match="validation split"):
        split(data, 1.0)
    grid = preview_grid(data, per_class=4, gap=1)
    assert grid.shape == (9 * 29 - 1, 4 * 29 - 1, 1)
    assert grid[28, 0, 0] == 0.5  # the grey gap between rows


def test_a_drawing_is_framed_like_mnist():
    canvas = np.zeros((200, 300), np.float32)
    canvas[20:180, 140:160] = 1.0  # a tall bar drawn off-centre
    framed = normalise_drawing(canvas)
    assert framed.shape == (28, 28, 1)
    rows, cols = np.nonzero(framed[..., 0] > 0.5)
    assert rows.max() - rows.min() + 1 == 20
    assert abs(rows.mean() - 13.5) <= 1 and abs(cols.mean() - 13.5) <= 1
    assert not normalise_drawing(np.zeros((50, 50))).any()


# --- IDX ---------------------------------------------------------------------------------


def idx_bytes(array: np.ndarray, type_code: int = 0x08) -> bytes:
    header = bytes([0, 0, type_code, array.ndim]) + np.array(array.shape, ">u4").tobytes()
    return header + array.astype(array.dtype.newbyteorder(">")).tobytes()


def write_split(folder, prefix, images, labels, compress=False):
    suffix = ".gz" if compress else ""
    write = gzip.compress if compress else (lambda b: b)
    (folder / f"{prefix}-images-idx3-ubyte{suffix}").write_bytes(write(idx_bytes(images)))
    (folder / f"{prefix}-labels-idx1-ubyte{suffix}").write_bytes(write(idx_bytes(labels)))


def small_mnist(n=60, seed=0):
    data = make_digits(n, seed=seed)
    return (data.x[..., 0] * 255).round().astype(np.uint8), data.y.astype(np.uint8)


@pytest.mark.parametrize("compress", [False, True])
def test_idx_folder_with_train_and_test_splits(tmp_path, compress):
    images, labels = small_mnist()
    write_split(tmp_path, "train", images, labels, compress)
    write_split(tmp_path, "t10k", images[:20], labels[:20], compress)
    train_set, val_set = load_training_data(tmp_path, val_split=0.5)
    assert train_set.x.shape == (60, 28, 28, 1) and len(val_set) == 20  # the test split validates
    np.testing.assert_allclose(train_set.x[..., 0], images / 255.0, atol=1e-7)
    assert train_set.class_names == tuple("0123456789")
    assert np.array_equal(val_set.y, labels[:20])
    assert len(load_test_data(tmp_path)) == 20


def test_idx_folder_with_one_split_holds_out_val_split(tmp_path):
    images, labels = small_mnist(50)
    write_split(tmp_path, "train", images, labels)
    train_set, val_set = load_training_data(tmp_path, val_split=0.2, seed=0)
    assert (len(train_set), len(val_set)) == (40, 10)


def test_idx_reader_keeps_other_types(tmp_path):
    values = np.arange(6, dtype=">i4").reshape(2, 3) - 2
    path = tmp_path / "values-idx2-int"
    path.write_bytes(idx_bytes(values, 0x0C))
    result = read_idx(path)
    np.testing.assert_array_equal(result, values)
    assert result.dtype == np.int32


def test_wrong_magic_number_names_the_file(tmp_path):
    images, labels = small_mnist(20)
    write_split(tmp_path, "train", images, labels)
    (tmp_path / "train-images-idx3-ubyte").write_bytes(b"\x12\x34\x56\x78" + bytes(100))
    with pytest.raises(DataError, match="train-images-idx3-ubyte is not an IDX file .*wrong magic number 12345678"):
        load_training_data(tmp_path)


def test_label_count_must_equal_image_count(tmp_path):
    images, labels = small_mnist(20)
    write_split(tmp_path, "train", images, labels[:15])
    with pytest.raises(DataError, match="train-labels-idx1-ubyte has 15 labels but .*train-images-idx3-ubyte has 20"):
        load_training_data(tmp_path)


def test_truncated_idx_file(tmp_path):
    images, labels = small_mnist(20)
    write_split(tmp_path, "train", images, labels)
    path = tmp_path / "train-images-idx3-ubyte"
    path.write_bytes(path.read_bytes()[:-10])
    with pytest.raises(DataError, match="train-images-idx3-ubyte holds .* bytes but its header"):
        load_training_data(tmp_path)


def test_one_class_is_refused(tmp_path):
    images, _ = small_mnist(20)
    write_split(tmp_path, "train", images, np.full(20, 7, np.uint8))
    with pytest.raises(DataError, match="only one class"):
        load_training_data(tmp_path)


def test_a_lonely_idx_file_is_reported(tmp_path):
    images, _ = small_mnist(20)
    (tmp_path / "train-images-idx3-ubyte").write_bytes(idx_bytes(images))
    with pytest.raises(DataError, match="no pair of IDX files.*train-images-idx3-ubyte has no partner"):
        load_training_data(tmp_path)


# --- photo folders -----------------------------------------------------------------------------


def write_photos(folder, name, colour, count=3, size=(40, 30)):
    (folder / name).mkdir(parents=True)
    for i in range(count):
        Image.new("RGB", size, colour).save(folder / name / f"{i}.png")


def test_photo_folder_grey_and_colour(tmp_path):
    write_photos(tmp_path, "shoes", (255, 0, 0))
    write_photos(tmp_path, "bags", (0, 0, 255), count=2)
    (tmp_path / "bags" / "notes.txt").write_text("not an image")
    grey_train, grey_val = load_training_data(tmp_path, val_split=0.0)
    assert grey_val is None
    assert grey_train.class_names == ("bags", "shoes") and grey_train.x.shape == (5, 28, 28, 1)
    np.testing.assert_allclose(grey_train.x[grey_train.y == 1], 0.299 * 255 / 255, atol=0.01)
    colour = load_test_data(tmp_path, color=True)
    assert colour.x.shape == (5, 28, 28, 3)
    np.testing.assert_allclose(colour.x[colour.y == 0][0, 5, 5], [0, 0, 1], atol=0.01)


def test_empty_class_folder_names_it(tmp_path):
    write_photos(tmp_path, "shoes", (255, 0, 0))
    (tmp_path / "bags").mkdir()
    with pytest.raises(DataError, match="class folder .*bags contains no images"):
        load_training_data(tmp_path)


def test_folder_without_class_folders_and_missing_source(tmp_path):
    with pytest.raises(DataError, match="has no class sub-folders"):
        load_training_data(tmp_path)
    with pytest.raises(DataError, match="does not exist"):
        load_training_data(tmp_path / "nothing-here")


def test_single_class_photo_folder(tmp_path):
    write_photos(tmp_path, "shoes", (255, 0, 0))
    with pytest.raises(DataError, match="only one class"):
        load_training_data(tmp_path)


def test_unreadable_photo_names_the_file(tmp_path):
    write_photos(tmp_path, "shoes", (255, 0, 0))
    write_photos(tmp_path, "bags", (0, 0, 255))
    (tmp_path / "bags" / "broken.jpg").write_bytes(b"this is not a jpeg")
    with pytest.raises(DataError, match="broken.jpg"):
        load_training_data(tmp_path)


# --- hostile IDX files and photo folders: a sentence, never a hang or a huge allocation ----------


def idx_header(shape, type_code: int = 0x08) -> bytes:
    return bytes([0, 0, type_code, len(shape)]) + np.array(shape, ">u4").tobytes()


def test_sizes_are_worked_out_without_wrapping_around(tmp_path):
    path = tmp_path / "wrap-idx4-ubyte"
    path.write_bytes(idx_header((65536,) * 4))  # 2**64 values: 0 in 64-bit integer arithmetic
    with pytest.raises(DataError, match="header \\(65536×65536×65536×65536\\) that describes "
                                        "18,446,744,073,709,551,616 values, more than an IDX file can hold"):
        read_idx(path)
    path.write_bytes(idx_header((65536, 65536)) + bytes(10))  # 2**32 values: 0 in 32-bit arithmetic
    with pytest.raises(DataError, match="describes 4,294,967,296 values"):
        read_idx(path)


@pytest.mark.parametrize("header, words", [
    (idx_header((3, 0, 28)), "has a size of 0 in its header \\(3×0×28\\)"),
    (bytes([0, 0, 8, 0]), "says it has 0 dimensions; an IDX file of images or labels has 1 to 4"),
    (idx_header((1,) * 5), "says it has 5 dimensions"),
    (bytes([0, 0, 8, 3, 0, 0]), "is truncated: its header is incomplete"),
    (bytes([0, 0, 0x07, 1]) + bytes(8), "is not an IDX file \\(wrong magic number 00000701\\)"),
])
def test_impossible_headers_are_refused(tmp_path, header, words):
    path = tmp_path / "x-idx3-ubyte"
    path.write_bytes(header)
    with pytest.raises(DataError, match=words):
        read_idx(path)


def test_idx_files_must_be_regular_files(tmp_path):
    images, labels = small_mnist(20)
    write_split(tmp_path, "train", images, labels)
    (tmp_path / "train-images-idx3-ubyte").unlink()
    os.mkfifo(tmp_path / "train-images-idx3-ubyte")
    with pytest.raises(DataError, match="cannot read '.*train-images-idx3-ubyte': it is a named pipe \\(FIFO\\)"):
        load_training_data(tmp_path)
    (tmp_path / "train-images-idx3-ubyte").unlink()
    (tmp_path / "train-images-idx3-ubyte").symlink_to("/dev/zero")
    with pytest.raises(DataError, match="it is a character device, not a regular file"):
        load_training_data(tmp_path)


def test_idx_files_larger_than_the_cap_are_refused_unread(tmp_path, monkeypatch):
    images, labels = small_mnist(20)
    write_split(tmp_path, "train", images, labels)
    monkeypatch.setattr("convdemo.core.nn.idx.MAX_IDX_BYTES", 1000)
    with pytest.raises(DataError, match="train-images-idx3-ubyte': it is 15.3 kB, more than a file of IDX data can be "
                                        "\\(1000 bytes at most\\)"):
        load_training_data(tmp_path)


def test_corrupt_gzip_data_is_one_sentence(tmp_path):
    images, labels = small_mnist(20)
    write_split(tmp_path, "train", images, labels, compress=True)
    path = tmp_path / "train-images-idx3-ubyte.gz"
    data = bytearray(path.read_bytes())
    data[-200:-100] = bytes(100)
    path.write_bytes(bytes(data))
    with pytest.raises(DataError, match="train-images-idx3-ubyte.gz': its gzip data is corrupt"):
        load_training_data(tmp_path)
    path.write_bytes(idx_bytes(images))  # not gzip at all
    with pytest.raises(DataError, match="its gzip data is corrupt .*incorrect header check"):
        load_training_data(tmp_path)


def test_gzip_bombs_stop_at_the_size_their_header_gives(tmp_path):
    path = tmp_path / "train-images-idx3-ubyte.gz"
    path.write_bytes(gzip.compress(idx_header((10, 28, 28)) + bytes(8 << 20), compresslevel=1))
    with pytest.raises(DataError, match="it decompresses to more than 7.67 kB, more than a file of 10×28×28 values "
                                        "can be"):
        read_idx(path)
    path.write_bytes(gzip.compress(bytes(8 << 20), compresslevel=1))
    with pytest.raises(DataError, match="is not an IDX file \\(wrong magic number 00000000\\)"):
        read_idx(path)


@pytest.mark.parametrize("label", [100, -1])
def test_labels_must_lie_in_the_class_range(tmp_path, label):
    images, labels = small_mnist(20)
    labels = labels.astype(np.int16)
    labels[3] = label
    (tmp_path / "train-images-idx3-ubyte").write_bytes(idx_bytes(images))
    (tmp_path / "train-labels-idx1-ubyte").write_bytes(idx_bytes(labels, 0x0B))
    with pytest.raises(DataError, match=f"train-labels-idx1-ubyte has the label {label}; labels must be whole "
                                        "numbers from 0 to 99"):
        load_training_data(tmp_path)


def test_seed_and_validation_split_are_checked_before_loading(tmp_path):
    with pytest.raises(ParameterError, match="seed must be a whole number from 0 to 4294967295, not -1"):
        load_training_data(tmp_path / "not-even-looked-at", seed=-1)
    with pytest.raises(ParameterError, match="seed must be a whole number"):
        load_test_data("builtin-digits", seed=2**32)
    with pytest.raises(ParameterError, match="validation split must be at least 0 and below 1, not nan"):
        load_training_data(tmp_path / "not-even-looked-at", val_split=float("nan"))


@pytest.mark.parametrize("make, words", [
    (os.mkfifo, "it is a named pipe \\(FIFO\\), not a regular file"),
    (lambda path: path.symlink_to("/dev/zero"), "it is a character device, not a regular file"),
    (lambda path: path.mkdir(), "it is a folder, not a regular file"),
])
def test_photo_entries_that_are_not_regular_files_stop_loading_with_their_name(tmp_path, make, words):
    write_photos(tmp_path, "shoes", (255, 0, 0))
    write_photos(tmp_path, "bags", (0, 0, 255))
    make(tmp_path / "bags" / "odd.png")
    with pytest.raises(DataError, match=f"'odd.png': {words} \\(in .*bags\\)"):
        load_training_data(tmp_path)


def test_photo_folders_have_a_cap_on_files_and_memory(tmp_path, monkeypatch):
    write_photos(tmp_path, "shoes", (255, 0, 0))
    write_photos(tmp_path, "bags", (0, 0, 255))
    monkeypatch.setattr("convdemo.core.nn.folder.MAX_PHOTOS", 5)
    with pytest.raises(DataError, match="holds more than 5 photos, more than a data set may have"):
        load_training_data(tmp_path)
    monkeypatch.setattr("convdemo.core.nn.folder.MAX_PHOTOS", 6)
    monkeypatch.setattr("convdemo.core.nn.folder.MAX_DATASET_BYTES", 10_000)
    with pytest.raises(DataError, match="holds 6 photos, which take 18.4 kB as 28×28×1 float32 images, more than "
                                        "the 9.77 kB a data set may take"):
        load_training_data(tmp_path)
