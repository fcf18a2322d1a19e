"""Model files: round trip, and a clear sentence for every kind of bad file."""

import json
import os
import struct
import zipfile

import numpy as np
import pytest

from convdemo.core.errors import ModelFileError
from convdemo.core.nn import Architecture, Model, load_model, save_model
from convdemo.core.nn.io import MAX_MEMBERS, check_save_path


@pytest.fixture
def model():
    return Model(Architecture(input_shape=(16, 16, 3), n_classes=3, filters=4, conv_layers=2, kernel_size=5),
                 class_names=["cat", "dog", "fish"], seed=9)


def test_round_trip_keeps_architecture_classes_and_predictions(tmp_path, model):
    path = save_model(tmp_path / "pets.npz", model)
    loaded = load_model(path)
    assert loaded.architecture == model.architecture
    assert loaded.class_names == ("cat", "dog", "fish")
    x = np.random.default_rng(0).random((5, 16, 16, 3), dtype=np.float32)
    np.testing.assert_array_equal(loaded.predict_proba(x), model.predict_proba(x))
    assert list(tmp_path.iterdir()) == [path]  # no temporary file left behind


def test_saving_into_a_missing_folder_names_the_file(tmp_path, model):
    with pytest.raises(ModelFileError, match="Cannot save the model to .*nowhere"):
        save_model(tmp_path / "nowhere" / "m.npz", model)


def _rewrite(path, **changes):
    with np.load(path) as archive:
        contents = {k: archive[k] for k in archive.files}
    for key, value in changes.items():
        if value is None:
            del contents[key]
        else:
            contents[key] = value
    np.savez(path, **contents)


@pytest.mark.parametrize("change, words", [
    ({"format": np.array("something-else")}, "not a convdemo model file"),
    ({"version": np.array(99)}, "newer convdemo"),
    ({"dense.weight": None}, "lacks the weights dense.weight"),
    ({"conv1.weight": np.zeros((4, 3, 3, 3))}, "does not match its own architecture"),
    ({"architecture": np.array(json.dumps({"filters": 99}))}, "invalid architecture"),
    ({"conv1.bias": np.full(4, np.nan)}, "not finite"),
])
def test_mismatched_files_get_a_sentence_naming_them(tmp_path, model, change, words):
    path = save_model(tmp_path / "m.npz", model)
    _rewrite(path, **change)
    with pytest.raises(ModelFileError, match=words) as caught:
        load_model(path)
    assert "m.npz" in str(caught.value)


def test_corrupt_and_missing_files(tmp_path, model):
    path = save_model(tmp_path / "m.npz", model)
    path.write_bytes(path.read_bytes()[:200])
    with pytest.raises(ModelFileError, match="m.npz is not a convdemo model file"):
        load_model(path)
    with pytest.raises(ModelFileError, match="Cannot read the model file .*absent.npz"):
        load_model(tmp_path / "absent.npz")


# --- hostile files: every field checked, nothing read before its size is --------------------------


def _text(value) -> np.ndarray:
    return np.array(json.dumps(value))


@pytest.mark.parametrize("change, words", [
    ({"version": np.array("1")}, """'version': it should be the whole number 1, not the text "1\""""),
    ({"version": np.array([1, 1])}, "'version': it should be the whole number 1, not an array of shape 2"),
    ({"version": np.array(np.nan)}, "'version': it should be the whole number 1, not nan (float64)"),
    ({"version": np.array(True)}, "'version': it should be the whole number 1"),
    ({"version": np.array(0)}, "'version': it is 0; convdemo model files have version 1"),
    ({"version": None}, "'version': it is missing"),
    ({"format": None}, "not a convdemo model file (its 'format' is not 'convdemo-model')"),
    ({"architecture": np.array(7)}, "'architecture': it should be a text, not 7 (int64)"),
    ({"architecture": np.array("{not json")}, "'architecture': it is not valid JSON"),
    ({"architecture": _text([1, 2])}, "invalid architecture: it should be a JSON object"),
    ({"architecture": None}, "'architecture': it is missing"),
    ({"class_names": _text("cat")}, "'class_names': it should be a JSON list of names"),
    ({"class_names": _text(["cat", "", "fish"])}, "'class_names': it should be a JSON list of names, none of "
                                                  "them empty"),
    ({"class_names": _text(["cat", 2, "fish"])}, "'class_names': it should be a JSON list of names"),
    ({"class_names": _text(["cat", "dog"])}, "'class_names': it names 2 classes but the architecture has 3"),
    ({"class_names": _text(["cat", "dog", "cat"])}, "'class_names': a name appears twice"),
    ({"dense.bias": np.zeros(3, np.complex64)}, "'dense.bias': its values are complex64; weights must be real"),
    ({"dense.bias": np.zeros(3, np.int32)}, "'dense.bias': its values are int32"),
    ({"dense.bias": np.zeros(3, np.float16)}, "'dense.bias': its values are float16"),
    ({"dense.bias": np.array([0.0, np.inf, 0.0], np.float32)}, "weights that are not finite numbers (NaN or "
                                                               "infinity) in its 'dense.bias'"),
    ({"conv2.bias": np.zeros((2, 2), np.float32)}, "its 'conv2.bias' has shape 2×2, expected 4"),
])
def test_every_field_is_checked_with_a_sentence_naming_it(tmp_path, model, change, words):
    path = save_model(tmp_path / "m.npz", model)
    _rewrite(path, **change)
    with pytest.raises(ModelFileError) as caught:
        load_model(path)
    assert words in str(caught.value) and str(path) in str(caught.value)


def _architecture(model, **changes):
    return _text({**model.architecture.to_dict(), **changes})


@pytest.mark.parametrize("changes, words", [
    ({"input_shape": [30000, 30000, 1]}, "the input is 30000×30000 pixels, larger than the 256×256 a model can take"),
    ({"n_classes": 1000}, "a model tells at most 100 classes apart, not 1000"),
    ({"filters": "8"}, """'filters' should be a whole number, not "8\""""),
    ({"filters": True}, "'filters' should be a whole number, not true"),
    ({"kernel_size": 3.0}, "'kernel_size' should be a whole number, not 3.0"),
    ({"input_shape": [16, 16]}, "'input_shape' should be [height, width, channels], not [16, 16]"),
    ({"input_shape": [16, 16, 1e400]}, "'input_shape' should be [height, width, channels], not [16, 16, Infinity]"),
    ({"padding": 0}, "'padding' should be a text, not 0"),
    ({"colour": True}, "'colour' is not a setting convdemo knows"),
])
def test_architecture_fields_are_type_and_range_checked(tmp_path, model, changes, words):
    path = save_model(tmp_path / "m.npz", model)
    _rewrite(path, architecture=_architecture(model, **changes))
    with pytest.raises(ModelFileError, match="m.npz has an invalid architecture: ") as caught:
        load_model(path)
    assert words in str(caught.value)


def test_a_missing_architecture_field_is_named(tmp_path, model):
    path = save_model(tmp_path / "m.npz", model)
    fields = model.architecture.to_dict()
    del fields["kernel_size"]
    _rewrite(path, architecture=_text(fields))
    with pytest.raises(ModelFileError, match="invalid architecture: 'kernel_size' is missing"):
        load_model(path)


def test_float64_and_big_endian_weights_load(tmp_path, model):
    path = save_model(tmp_path / "m.npz", model)
    weights = model.get_weights()
    _rewrite(path, **{"dense.weight": weights["dense.weight"].astype(np.float64),
                      "conv1.weight": weights["conv1.weight"].astype(">f4")})
    loaded = load_model(path)
    np.testing.assert_array_equal(loaded.get_weights()["conv1.weight"], weights["conv1.weight"])
    assert loaded.dtype == np.float32


def test_object_arrays_are_never_unpickled(tmp_path, model):
    path = save_model(tmp_path / "m.npz", model)
    with np.load(path) as archive:
        contents = {k: archive[k] for k in archive.files}
    contents["dense.bias"] = np.array([object(), 1, 2], dtype=object)
    np.savez(path, **contents)  # numpy pickles the object array
    with pytest.raises(ModelFileError, match="'dense.bias': it is damaged or not a numpy array \\(it holds Python "
                                             "objects\\)"):
        load_model(path)


def test_a_plain_npy_file_is_not_a_model(tmp_path):
    path = tmp_path / "m.npy"
    np.save(path, np.zeros(3))
    with pytest.raises(ModelFileError, match="m.npy is not a convdemo model file \\(it holds a single numpy array, "
                                             "as .npy files do, not a .npz archive\\)"):
        load_model(path)


def test_an_archive_listing_too_many_members_is_refused_unread(tmp_path):
    path = tmp_path / "m.npz"
    with zipfile.ZipFile(path, "w") as archive:
        for i in range(MAX_MEMBERS + 1):
            archive.writestr(f"{i}.npy", b"")
    with pytest.raises(ModelFileError, match=f"its archive lists more than {MAX_MEMBERS} members"):
        load_model(path)


def _archive_like(path, source, compression):
    """Copy the archive ``source`` to ``path`` with every member compressed by ``compression``."""
    with zipfile.ZipFile(source) as old, zipfile.ZipFile(path, "w", compression) as new:
        for info in old.infolist():
            new.writestr(info.filename, old.read(info))


def test_members_numpy_does_not_write_are_refused(tmp_path, model):
    good = save_model(tmp_path / "good.npz", model)
    _archive_like(tmp_path / "m.npz", good, zipfile.ZIP_LZMA)
    with pytest.raises(ModelFileError, match="'format': it is encrypted or compressed in a way convdemo does not "
                                             "read"):
        load_model(tmp_path / "m.npz")
    _archive_like(tmp_path / "stored.npz", good, zipfile.ZIP_STORED)
    assert load_model(tmp_path / "stored.npz").architecture == model.architecture


def _declare_size(path, member: str, size: int) -> None:
    """Make the central directory of the zip at ``path`` claim ``size`` bytes (< 4 GiB) for ``member``."""
    raw = bytearray(path.read_bytes())
    name = member.encode()
    entry = raw.rindex(b"PK\x01\x02", 0, raw.rindex(name))
    raw[entry + 24:entry + 28] = struct.pack("<I", size)
    path.write_bytes(bytes(raw))


def test_a_member_declaring_more_than_its_shape_needs_is_refused_before_reading(tmp_path, model):
    path = save_model(tmp_path / "m.npz", model)
    _declare_size(path, "dense.weight.npy", 3 << 30)
    with pytest.raises(ModelFileError, match="m.npz has an unusable 'dense.weight': it declares 3 GB, more than the "
                                             ".* kB it can take"):
        load_model(path)


def test_a_member_that_lies_about_its_size_is_damaged(tmp_path, model):
    path = save_model(tmp_path / "m.npz", model)
    _declare_size(path, "dense.weight.npy", 100)  # the member holds 176 bytes
    with pytest.raises(ModelFileError, match="'dense.weight': it is damaged or not a numpy array"):
        load_model(path)


def test_model_files_must_be_regular_and_small(tmp_path, model, monkeypatch):
    fifo = tmp_path / "fifo.npz"
    os.mkfifo(fifo)
    with pytest.raises(ModelFileError, match="Cannot read the model file .*fifo.npz: it is a named pipe"):
        load_model(fifo)
    with pytest.raises(ModelFileError, match="Cannot read the model file .*: it is a folder"):
        load_model(tmp_path)
    monkeypatch.setattr("convdemo.core.nn.io.MAX_MODEL_BYTES", 1000)
    with pytest.raises(ModelFileError, match="m.npz: it is .* kB, more than a model file can be \\(1000 bytes at "
                                             "most\\)"):
        load_model(save_model(tmp_path / "m.npz", model))


@pytest.mark.parametrize("name, words", [
    ("m.txt", "the file name must end in .npz"),
    ("missing/m.npz", "the folder .*missing does not exist"),
    ("folder.npz", "it is a folder"),
])
def test_a_save_path_is_checked_before_any_work(tmp_path, name, words):
    (tmp_path / "folder.npz").mkdir()
    with pytest.raises(ModelFileError, match=f"Cannot save the model to .*{name}: {words}"):
        check_save_path(tmp_path / name)
    assert check_save_path(tmp_path / "M.NPZ") == tmp_path / "M.NPZ"


@pytest.mark.skipif(os.name != "posix" or os.geteuid() == 0, reason="needs a user that permissions apply to")
def test_a_read_only_folder_is_refused(tmp_path):
    tmp_path.chmod(0o500)
    try:
        with pytest.raises(ModelFileError, match="is not writable"):
            check_save_path(tmp_path / "m.npz")
    finally:
        tmp_path.chmod(0o700)
