"""Model files: round trip, and a clear sentence for every kind of bad file."""

import json

import numpy as np
import pytest

from convdemo.core.errors import ModelFileError
from convdemo.core.nn import Architecture, Model, load_model, save_model


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
