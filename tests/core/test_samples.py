"""The built-in sample images: listed, shipped, loadable, and reproducible from their script."""

import importlib.util
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from convdemo.core.errors import ParameterError
from convdemo.core.resources import sample_images_dir
from convdemo.core.samples import (
    DEFAULT_SAMPLE,
    SAMPLES,
    load_sample,
    sample_names,
    sample_path,
)

EXPECTED_SHAPES = {
    "digit3": (28, 28),
    "edges": (192, 256),
    "colour_blocks": (192, 256, 3),
    "zone_plate": (256, 256),
    "noisy": (200, 200),
    "texture_scene": (320, 480, 3),
    "letter_f": (16, 12),
}


def _make_samples_module():
    path = Path(__file__).resolve().parents[2] / "tools" / "make_samples.py"
    spec = importlib.util.spec_from_file_location("make_samples", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _pixels(path) -> np.ndarray:
    with Image.open(path) as picture:
        return np.asarray(picture, dtype=np.int16)


def test_names_follow_samples_order():
    assert sample_names() == list(EXPECTED_SHAPES)
    assert [sample.file_name for sample in SAMPLES] == [f"{name}.png" for name in EXPECTED_SHAPES]
    assert DEFAULT_SAMPLE == "digit3" and DEFAULT_SAMPLE in sample_names()


@pytest.mark.parametrize("sample", SAMPLES, ids=lambda sample: sample.file_name)
def test_every_entry_has_a_title_and_one_sentence(sample):
    assert sample.title and sample.title[0].isupper()
    assert sample.teaches.endswith(".") and sample.teaches.count(". ") == 0


@pytest.mark.parametrize(("name", "shape"), EXPECTED_SHAPES.items())
def test_every_sample_loads_with_its_shape(name, shape):
    loaded = load_sample(name)
    assert loaded.pixels.shape == shape
    assert loaded.pixels.dtype == np.float32
    assert loaded.name == f"{name}.png"
    assert not loaded.reduced
    assert 0 <= loaded.pixels.min() < loaded.pixels.max() <= 255


def test_grey_samples_are_stored_grey():
    for name, shape in EXPECTED_SHAPES.items():
        with Image.open(sample_path(name)) as picture:
            assert picture.mode == ("L" if len(shape) == 2 else "RGB"), name


def test_digit_is_white_ink_on_black():
    pixels = load_sample("digit3").pixels
    assert (pixels[:2] == 0).all() and (pixels[-2:] == 0).all()  # MNIST-like empty border
    assert pixels.max() == 255
    assert 0.1 < (pixels > 128).mean() < 0.3  # a stroke, not a blob


def test_colour_blocks_channels_differ_and_one_shape_vanishes_in_grey():
    pixels = load_sample("colour_blocks").pixels
    red, green, blue = pixels[..., 0], pixels[..., 1], pixels[..., 2]
    assert np.abs(red - green).mean() > 60 and np.abs(green - blue).mean() > 60
    tile = pixels[128:192, 0:64]  # red circle on an equally bright green
    luma = tile @ np.array([0.299, 0.587, 0.114])
    assert np.ptp(tile[..., 0]) == 255
    assert np.ptp(luma) < 1


def test_sample_path_with_and_without_extension():
    assert sample_path("edges") == sample_path("edges.png") == sample_images_dir() / "edges.png"
    assert load_sample("letter_f.png", max_size="full").pixels.shape == (16, 12)


def test_max_size_applies_to_samples():
    loaded = load_sample("texture_scene", max_size=240)
    assert loaded.pixels.shape == (160, 240, 3)
    assert loaded.original_size == (320, 480)


def test_unknown_sample_lists_the_known_ones():
    with pytest.raises(ParameterError) as info:
        sample_path("cat")
    message = str(info.value)
    assert message.startswith("There is no sample image called 'cat'")
    assert all(name in message for name in sample_names())


def test_script_makes_every_listed_sample_and_nothing_else():
    makers = _make_samples_module().SAMPLE_MAKERS
    assert list(makers) == [sample.file_name for sample in SAMPLES]


def test_script_reproduces_the_committed_pngs(tmp_path):
    written = _make_samples_module().main(tmp_path)
    assert [path.name for path in written] == [sample.file_name for sample in SAMPLES]
    for path in written:
        fresh = _pixels(path)
        committed = _pixels(sample_images_dir() / path.name)
        assert fresh.shape == committed.shape, path.name
        # Seeds are fixed, so on one machine the pixels are identical; numpy's
        # vectorised sin/exp may round the last bit differently on another CPU,
        # which can move a pixel by one grey level.
        difference = np.abs(fresh - committed)
        assert difference.max() <= 1, path.name
        assert (difference > 0).mean() < 0.01, path.name


def test_committed_samples_are_small():
    total = sum((sample_images_dir() / sample.file_name).stat().st_size for sample in SAMPLES)
    assert total < 1_500_000
