"""The train and evaluate handlers, driven through an argparse parser as the main CLI builds it."""

import argparse
import json

import numpy as np
import pytest

from convdemo.cli.train import add_train_commands
from convdemo.core.errors import ConvdemoError, DataError
from convdemo.core.nn import make_digits


def run(argv):
    parser = argparse.ArgumentParser(prog="convdemo")
    add_train_commands(parser.add_subparsers())
    args = parser.parse_args(argv)
    return args.handler(args)


@pytest.fixture(scope="module")
def idx_folder(tmp_path_factory):
    folder = tmp_path_factory.mktemp("idx")
    data = make_digits(1200, seed=5)
    for prefix, part in (("train", slice(0, 1000)), ("t10k", slice(1000, 1200))):
        images = (data.x[part, :, :, 0] * 255).round().astype(np.uint8)
        labels = data.y[part].astype(np.uint8)
        for kind, array in (("images-idx3", images), ("labels-idx1", labels)):
            header = bytes([0, 0, 8, array.ndim]) + np.array(array.shape, ">u4").tobytes()
            (folder / f"{prefix}-{kind}-ubyte").write_bytes(header + array.tobytes())
    return folder


def test_train_json_report_and_saved_model(tmp_path, idx_folder, capsys):
    model_path = tmp_path / "digits.npz"
    code = run(["train", "--data", str(idx_folder), "--epochs", "2", "--filters", "4", "--lr", "0.01",
                "--save", str(model_path), "--json"])
    assert code == 0
    out, err = capsys.readouterr()
    report = json.loads(out)
    assert {"train_accuracy", "val_accuracy", "epochs", "seconds", "images_per_second", "classes"} <= set(report)
    assert report["epochs"] == 2 and report["classes"] == list("0123456789")
    assert report["train_images"] == 1000 and report["val_images"] == 200
    assert report["val_accuracy"] > 0.5 and report["images_per_second"] > 0
    assert model_path.exists() and report["saved"] == str(model_path)
    # Not a terminal: one line per epoch on stderr, no carriage returns.
    assert err.count("epoch ") == 2 and "\r" not in err

    code = run(["evaluate", str(model_path), "--data", str(idx_folder), "--json"])
    scores = json.loads(capsys.readouterr().out)
    assert code == 0
    assert scores["accuracy"] == pytest.approx(report["val_accuracy"])
    assert set(scores["per_class_accuracy"]) == set("0123456789")
    matrix = np.array(scores["confusion_matrix"])
    assert matrix.shape == (10, 10) and matrix.sum() == 200


def test_evaluate_prints_a_table_without_json(tmp_path, idx_folder, capsys):
    model_path = tmp_path / "m.npz"
    run(["train", "--data", str(idx_folder), "--epochs", "1", "--conv-layers", "2", "--kernel-size", "5",
         "--optimizer", "sgd", "--batch-size", "64", "--lr", "0.05", "--save", str(model_path)])
    assert "validation accuracy" in capsys.readouterr().out
    run(["evaluate", str(model_path), "--data", str(idx_folder)])
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].startswith("accuracy ") and "200 images" in lines[0]
    assert len(lines) == 12


def test_errors_are_convdemo_errors_with_sentences(tmp_path, idx_folder):
    with pytest.raises(DataError, match="does not exist"):
        run(["train", "--data", str(tmp_path / "missing")])
    with pytest.raises(ConvdemoError, match="filters must be between 1 and 32"):
        run(["train", "--data", str(idx_folder), "--filters", "40"])
    with pytest.raises(ConvdemoError, match="Cannot read the model file"):
        run(["evaluate", str(tmp_path / "none.npz")])


@pytest.mark.parametrize("options, words", [
    (["--save", "/missing/dir/m.npz"], "Cannot save the model to /missing/dir/m.npz: the folder /missing/dir does "
                                       "not exist"),
    (["--save", "m.json"], "the file name must end in .npz"),
    (["--seed", "-1"], "seed must be a whole number from 0 to 4294967295, not -1"),
    (["--filters", "0"], "filters must be between 1 and 32, not 0"),
    (["--epochs", "0"], "epochs must be at least 1"),
    (["--lr", "inf"], "learning rate must be a positive number, not inf"),
])
def test_options_are_checked_before_the_data_are_loaded(monkeypatch, capsys, options, words):
    def never(*args, **kwargs):
        raise AssertionError("the data were loaded before the options were checked")

    monkeypatch.setattr("convdemo.core.nn.load_training_data", never)
    with pytest.raises(ConvdemoError, match=words):
        run(["train", *options])
    assert capsys.readouterr().err == ""  # no progress line before the error


def test_evaluate_checks_its_seed(tmp_path, idx_folder):
    model_path = tmp_path / "m.npz"
    run(["train", "--data", str(idx_folder), "--epochs", "1", "--filters", "1", "--save", str(model_path)])
    with pytest.raises(ConvdemoError, match="seed must be a whole number from 0 to 4294967295, not -3"):
        run(["evaluate", str(model_path), "--seed", "-3"])
