"""Loading every kind of image file into float32 0–255 arrays, and the helpers around it."""

import io
import math
import os
import struct
import zlib
from pathlib import Path

import numpy as np
import pytest
from PIL import Image, ImageOps

from convdemo.core import decoding, images
from convdemo.core.errors import ConvdemoError, ImageLoadError, ParameterError
from convdemo.core.images import (
    LoadedImage,
    load_image,
    parse_max_size,
    read_image,
    save_png,
    to_gray,
)
from convdemo.core.safe_open import size_text


def _save(tmp_path: Path, picture: Image.Image, name: str, **params) -> Path:
    path = tmp_path / name
    picture.save(path, **params)
    return path


def _file_mode(path: Path) -> str:
    with Image.open(path) as picture:
        return picture.mode


def _palette_image() -> Image.Image:
    """3×2 palette image: index 0 red, 1 blue, 2 mid grey."""
    picture = Image.new("P", (3, 2))
    picture.putpalette([255, 0, 0, 0, 0, 255, 128, 128, 128])
    picture.putdata([0, 1, 2, 2, 1, 0])
    return picture


# ---------------------------------------------------------------- modes


def test_one_bit_becomes_0_and_255(tmp_path):
    picture = Image.new("1", (3, 2))
    picture.putpixel((2, 0), 1)
    pixels = load_image(_save(tmp_path, picture, "bits.png"))
    assert pixels.dtype == np.float32
    np.testing.assert_array_equal(pixels, [[0, 0, 255], [0, 0, 0]])


def test_grey_l_keeps_values_and_is_2d(tmp_path):
    values = np.array([[0, 1, 128], [200, 254, 255]], dtype=np.uint8)
    pixels = load_image(_save(tmp_path, Image.fromarray(values), "grey.png"))
    assert pixels.shape == (2, 3) and pixels.dtype == np.float32
    np.testing.assert_array_equal(pixels, values)


def test_rgb_keeps_values(tmp_path):
    values = np.array([[[255, 0, 0], [0, 255, 0]], [[0, 0, 255], [10, 20, 30]]], dtype=np.uint8)
    pixels = load_image(_save(tmp_path, Image.fromarray(values), "rgb.png"))
    assert pixels.shape == (2, 2, 3) and pixels.dtype == np.float32
    np.testing.assert_array_equal(pixels, values)


def test_palette_becomes_rgb(tmp_path):
    pixels = load_image(_save(tmp_path, _palette_image(), "palette.png"))
    assert pixels.shape == (2, 3, 3)
    np.testing.assert_array_equal(pixels[0], [[255, 0, 0], [0, 0, 255], [128, 128, 128]])


def test_palette_transparency_is_composited_on_white(tmp_path):
    path = _save(tmp_path, _palette_image(), "palette_t.png", transparency=1)  # blue is transparent
    pixels = load_image(path)
    np.testing.assert_array_equal(pixels[0], [[255, 0, 0], [255, 255, 255], [128, 128, 128]])


def test_palette_with_alpha_pa_is_composited_on_white(tmp_path):
    picture = _palette_image().convert("PA")
    picture.putpixel((0, 0), (0, 51))  # red, alpha 51 = 20 %
    path = _save(tmp_path, picture, "pa.tif")
    assert _file_mode(path) == "PA"
    pixels = load_image(path)
    np.testing.assert_allclose(pixels[0, 0], [255, 204, 204])
    np.testing.assert_array_equal(pixels[0, 1], [0, 0, 255])


def test_la_alpha_is_composited_on_white(tmp_path):
    picture = Image.new("LA", (3, 1))
    picture.putdata([(0, 51), (100, 0), (100, 255)])
    pixels = load_image(_save(tmp_path, picture, "la.png"))
    assert pixels.shape == (1, 3)
    # c·a + 255·(1 − a): 0·0.2 + 255·0.8 = 204; fully transparent → white; opaque → unchanged.
    np.testing.assert_allclose(pixels, [[204, 255, 100]], rtol=0, atol=1e-4)


def test_rgba_alpha_is_composited_on_white(tmp_path):
    picture = Image.new("RGBA", (3, 1))
    picture.putdata([(0, 0, 0, 51), (100, 200, 50, 0), (10, 20, 30, 255)])
    pixels = load_image(_save(tmp_path, picture, "rgba.png"))
    assert pixels.shape == (1, 3, 3)
    expected = [[[204, 204, 204], [255, 255, 255], [10, 20, 30]]]
    np.testing.assert_allclose(pixels, expected, rtol=0, atol=1e-4)


def test_cmyk_becomes_rgb(tmp_path):
    picture = Image.new("CMYK", (3, 1))
    picture.putdata([(255, 0, 0, 0), (0, 0, 0, 0), (0, 255, 255, 0)])
    pixels = load_image(_save(tmp_path, picture, "cmyk.tif"))
    np.testing.assert_array_equal(pixels, [[[0, 255, 255], [255, 255, 255], [255, 0, 0]]])


@pytest.mark.parametrize(
    ("dtype", "name", "mode"),
    [(np.uint16, "grey16.png", "I;16"), (">u2", "grey16b.tif", "I;16B"), (np.int32, "grey32.tif", "I")],
)
def test_sixteen_bit_is_scaled_by_255_over_65535(tmp_path, dtype, name, mode):
    values = np.array([[0, 257, 32896, 65535]]).astype(dtype)  # 257 = 65535 / 255
    path = _save(tmp_path, Image.fromarray(values), name)
    assert _file_mode(path) == mode
    pixels = load_image(path)
    assert pixels.dtype == np.float32 and pixels.shape == (1, 4)
    np.testing.assert_array_equal(pixels, [[0, 1, 128, 255]])


def test_thirty_two_bit_outside_sixteen_bit_range_is_clipped(tmp_path):
    values = np.array([[-5, 100_000]], dtype=np.int32)
    pixels = load_image(_save(tmp_path, Image.fromarray(values), "wide.tif"))
    np.testing.assert_array_equal(pixels, [[0, 255]])


def test_float_within_0_255_is_kept(tmp_path):
    values = np.array([[0.0, 0.5, 254.25, 255.0]], dtype=np.float32)
    pixels = load_image(_save(tmp_path, Image.fromarray(values), "float.tif"))
    np.testing.assert_array_equal(pixels, values)


def test_float_outside_0_255_is_stretched_min_to_max(tmp_path):
    values = np.array([[-1.0, 0.0, 3.0]], dtype=np.float32)
    pixels = load_image(_save(tmp_path, Image.fromarray(values), "float_wide.tif"))
    np.testing.assert_array_equal(pixels, [[0, 63.75, 255]])


# ---------------------------------------------------------------- orientation, frames


def test_exif_orientation_6_is_rotated_clockwise(tmp_path):
    stored = np.zeros((32, 48), dtype=np.uint8)  # 32 rows, 48 columns as stored in the file
    stored[:8, :8] = 255  # bright block in the stored top-left corner
    exif = Image.Exif()
    exif[0x0112] = 6  # "rotate 90° clockwise to display"
    path = _save(tmp_path, Image.fromarray(stored), "rotated.jpg", exif=exif, quality=100)

    loaded = read_image(path)
    assert loaded.pixels.shape == (48, 32)
    assert loaded.original_size == (48, 32)
    np.testing.assert_allclose(loaded.pixels, np.rot90(stored, k=-1), atol=12)
    assert loaded.pixels[:8, -8:].mean() > 240  # the block is now top-right
    assert loaded.pixels[:8, :8].mean() < 15


def test_large_rotated_jpeg_is_reduced_upright(tmp_path):
    stored = np.full((640, 960), 20, dtype=np.uint8)
    stored[:160, :160] = 235  # stored top-left → displayed top-right
    exif = Image.Exif()
    exif[0x0112] = 6
    path = _save(tmp_path, Image.fromarray(stored), "big.jpg", exif=exif, quality=95)

    loaded = read_image(path, max_size=100)  # the JPEG decoder already shrinks 8× here
    assert loaded.original_size == (960, 640)
    assert loaded.pixels.shape == (100, 67)
    assert loaded.describe() == "big.jpg — 640×960 px (960×640 rows×cols), convolving 100×67"
    np.testing.assert_allclose(loaded.pixels[2:14, -14:-2], 235, atol=4)
    np.testing.assert_allclose(loaded.pixels[2:14, 2:14], 20, atol=4)
    np.testing.assert_allclose(loaded.pixels[40:, :], 20, atol=4)


def test_animated_gif_gives_first_frame(tmp_path):
    frames = [Image.new("RGB", (4, 3), colour) for colour in [(255, 0, 0), (0, 255, 0), (0, 0, 255)]]
    path = tmp_path / "anim.gif"
    frames[0].save(path, save_all=True, append_images=frames[1:], duration=100, loop=0)
    with Image.open(path) as picture:
        assert picture.n_frames == 3
    pixels = load_image(path)
    assert pixels.shape == (3, 4, 3)
    np.testing.assert_array_equal(pixels[1, 2], [255, 0, 0])


# ---------------------------------------------------------------- working resolution


def test_large_image_is_reduced_keeping_aspect(tmp_path):
    path = _save(tmp_path, Image.new("RGB", (300, 200), (10, 100, 250)), "wide.png")
    loaded = read_image(path, max_size=100)
    assert loaded.pixels.shape == (67, 100, 3)
    assert loaded.original_size == (200, 300)
    assert loaded.reduced
    np.testing.assert_allclose(loaded.pixels[33, 50], [10, 100, 250], atol=1e-3)
    assert loaded.describe() == "wide.png — 300×200 px (200×300 rows×cols), convolving 67×100"


def test_reduction_keeps_grey_2d_and_values_in_range(tmp_path):
    stripes = np.zeros((200, 120), dtype=np.uint8)
    stripes[:, ::2] = 255  # sharp edges make Lanczos overshoot before clipping
    pixels = load_image(_save(tmp_path, Image.fromarray(stripes), "stripes.png"), max_size=50)
    assert pixels.shape == (50, 30) and pixels.dtype == np.float32
    assert pixels.min() >= 0 and pixels.max() <= 255


def test_default_limit_is_1024(tmp_path):
    path = _save(tmp_path, Image.new("L", (2048, 16)), "long.png")
    assert load_image(path).shape == (8, 1024)


@pytest.mark.parametrize("no_limit", ["full", "FULL", None])
def test_full_keeps_size(tmp_path, no_limit):
    path = _save(tmp_path, Image.new("L", (2000, 10)), "long.png")
    loaded = read_image(path, max_size=no_limit)
    assert loaded.pixels.shape == (10, 2000)
    assert not loaded.reduced
    assert loaded.describe() == "long.png — 2000×10 px (10×2000 rows×cols), full size"


def test_small_image_is_not_enlarged(tmp_path):
    path = _save(tmp_path, Image.new("L", (28, 28)), "small.png")
    assert load_image(path, max_size=64).shape == (28, 28)


def test_max_size_as_text(tmp_path):
    path = _save(tmp_path, Image.new("L", (100, 50)), "text.png")
    assert load_image(path, max_size="20").shape == (10, 20)


@pytest.mark.parametrize("bad", [7, 0, -1, True, 12.5, "small"])
def test_bad_max_size_is_a_parameter_error(tmp_path, bad):
    path = _save(tmp_path, Image.new("L", (10, 10)), "ok.png")
    with pytest.raises(ParameterError, match="maximum size"):
        load_image(path, max_size=bad)


# ---------------------------------------------------------------- sources


def test_bytes_source(tmp_path):
    buffer = io.BytesIO()
    Image.new("RGB", (5, 4), (1, 2, 3)).save(buffer, format="PNG")
    loaded = read_image(buffer.getvalue())
    assert loaded.name == "<clipboard>"
    assert loaded.pixels.shape == (4, 5, 3)
    np.testing.assert_array_equal(loaded.pixels[0, 0], [1, 2, 3])
    assert read_image(bytearray(buffer.getvalue())).pixels.shape == (4, 5, 3)


def test_file_object_sources(tmp_path):
    path = _save(tmp_path, Image.new("L", (5, 4), 9), "named.png")
    with open(path, "rb") as f:
        loaded = read_image(f)
    assert loaded.name == "named.png"
    assert loaded.pixels[0, 0] == 9
    assert read_image(io.BytesIO(path.read_bytes())).name == "<clipboard>"


def test_str_path_and_name(tmp_path):
    path = _save(tmp_path, Image.new("L", (5, 4)), "plain.png")
    loaded = read_image(str(path))
    assert isinstance(loaded, LoadedImage)
    assert loaded.name == "plain.png"


# ---------------------------------------------------------------- bad files


def _assert_load_error(source, file_name: str, reason: str):
    with pytest.raises(ImageLoadError) as info:
        load_image(source)
    message = str(info.value)
    assert message.startswith(f"Cannot open '{file_name}': ")
    assert reason in message
    assert message.endswith(".") and "\n" not in message


def test_missing_file(tmp_path):
    _assert_load_error(tmp_path / "cat.jpg", "cat.jpg", "does not exist")


def test_directory(tmp_path):
    folder = tmp_path / "photos"
    folder.mkdir()
    _assert_load_error(folder, "photos", "folder")


def test_empty_file(tmp_path):
    path = tmp_path / "empty.png"
    path.write_bytes(b"")
    _assert_load_error(path, "empty.png", "empty")


def test_empty_bytes():
    _assert_load_error(b"", "<clipboard>", "empty")


def test_not_an_image(tmp_path):
    path = tmp_path / "notes.png"
    path.write_text("this is not a picture\n")
    _assert_load_error(path, "notes.png", "not an image")


@pytest.mark.parametrize("name", ["cut.png", "cut.jpg"])
def test_truncated_file(tmp_path, name):
    rng = np.random.default_rng(0)
    noise = rng.integers(0, 256, size=(64, 64, 3), dtype=np.uint8)  # noise does not compress
    full = _save(tmp_path, Image.fromarray(noise), "full_" + name)
    path = tmp_path / name
    path.write_bytes(full.read_bytes()[: full.stat().st_size // 2])
    _assert_load_error(path, name, "truncated or damaged")


def test_damaged_body(tmp_path):
    full = _save(tmp_path, Image.new("RGB", (32, 32), (5, 6, 7)), "full.png")
    data = bytearray(full.read_bytes())
    data[60:80] = b"\xff" * 20  # inside the compressed pixel data
    path = tmp_path / "broken.png"
    path.write_bytes(bytes(data))
    _assert_load_error(path, "broken.png", "truncated or damaged")


@pytest.mark.parametrize(("side", "what"), [(40, "warning"), (100, "error")])
def test_decompression_bomb(tmp_path, monkeypatch, side, what):
    # 1600 pixels is over the limit (Pillow warns); 10000 is over twice the limit (Pillow raises).
    path = _save(tmp_path, Image.new("L", (side, side)), f"bomb_{what}.png")
    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", 1000)
    _assert_load_error(path, path.name, "1,000 pixels")


# ---------------------------------------------------------------- to_gray


def test_to_gray_luma_numbers():
    image = np.array([[[100, 50, 200], [255, 255, 255]], [[255, 0, 0], [0, 0, 0]]], dtype=np.float32)
    grey = to_gray(image)
    assert grey.shape == (2, 2) and grey.dtype == np.float32
    # 0.299·100 + 0.587·50 + 0.114·200 = 29.9 + 29.35 + 22.8 = 82.05, not rounded to 82.
    assert grey[0, 0] == np.float32(82.05)
    assert grey[0, 1] == np.float32(255.0)
    assert grey[1, 0] == np.float32(0.299 * 255)
    assert grey[1, 1] == 0


def test_to_gray_leaves_grey_unchanged_and_input_untouched():
    grey = np.array([[1.5, 2.25]], dtype=np.float64)
    result = to_gray(grey)
    assert result.dtype == np.float32
    np.testing.assert_array_equal(result, grey)
    colour = np.full((2, 2, 3), 7.0, dtype=np.float32)
    to_gray(colour)
    assert (colour == 7).all()


def test_to_gray_rejects_other_shapes():
    with pytest.raises(ParameterError, match=r"\(H, W, 3\)"):
        to_gray(np.zeros((2, 2, 4)))


# ---------------------------------------------------------------- save_png


@pytest.mark.parametrize("shape", [(3, 5), (3, 5, 3)])
def test_save_png_round_trip(tmp_path, shape):
    values = np.arange(np.prod(shape), dtype=np.uint8).reshape(shape)
    path = save_png(tmp_path / "out.png", values)
    assert path == tmp_path / "out.png"
    np.testing.assert_array_equal(load_image(path), values)
    assert [p.name for p in tmp_path.iterdir()] == ["out.png"]  # no temporary file left


def test_save_png_overwrites(tmp_path):
    save_png(tmp_path / "out.png", np.zeros((2, 2), dtype=np.uint8))
    save_png(tmp_path / "out.png", np.full((2, 2), 9, dtype=np.uint8))
    assert load_image(tmp_path / "out.png")[0, 0] == 9


@pytest.mark.parametrize("bad", [np.zeros((2, 2), dtype=np.float32), np.zeros((2, 2, 4), dtype=np.uint8)])
def test_save_png_rejects_wrong_arrays(tmp_path, bad):
    with pytest.raises(ParameterError, match="uint8"):
        save_png(tmp_path / "out.png", bad)


def test_save_png_into_missing_folder(tmp_path):
    with pytest.raises(ConvdemoError, match="Cannot save 'out.png'"):
        save_png(tmp_path / "missing" / "out.png", np.zeros((2, 2), dtype=np.uint8))


# ---------------------------------------------------------------- parse_max_size


@pytest.mark.parametrize(("text", "expected"), [("1024", 1024), (" 8 ", 8), ("full", None), (" Full ", None)])
def test_parse_max_size(text, expected):
    assert parse_max_size(text) == expected


@pytest.mark.parametrize("text", ["7", "0", "-5", "1e3", "12.5", "", "big"])
def test_parse_max_size_rejects(text):
    with pytest.raises(ParameterError) as info:
        parse_max_size(text)
    assert str(info.value) == (
        f"Invalid maximum size '{text}': give a whole number of pixels (at least 8) or 'full'."
    )


# ---------------------------------------------------------------- files that are not regular files


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="named pipes are POSIX")
def test_named_pipe_is_refused_without_waiting(tmp_path):
    os.mkfifo(tmp_path / "pipe.png")
    _assert_load_error(tmp_path / "pipe.png", "pipe.png", "named pipe (FIFO), not a regular file")


@pytest.mark.skipif(not os.path.exists("/dev/zero"), reason="needs /dev/zero")
def test_link_to_a_device_is_refused(tmp_path):
    (tmp_path / "zero.png").symlink_to("/dev/zero")
    _assert_load_error(tmp_path / "zero.png", "zero.png", "character device, not a regular file")


def test_file_larger_than_the_cap_is_refused(tmp_path, monkeypatch):
    path = _save(tmp_path, Image.new("L", (64, 64)), "large.png")
    monkeypatch.setattr(images, "MAX_FILE_BYTES", 50)
    _assert_load_error(path, "large.png", "more than a picture can be (50 bytes at most)")


# ---------------------------------------------------------------- orientation without a full-size copy


def _oriented_png(tmp_path, orientation: int, size=(12, 8)) -> Path:
    """A PNG (exact pixels) of ``size`` (W, H) with every pixel different and an EXIF orientation."""
    values = np.arange(size[0] * size[1], dtype=np.uint8).reshape(size[1], size[0])
    exif = Image.Exif()
    exif[0x0112] = orientation
    return _save(tmp_path, Image.fromarray(values), f"o{orientation}.png", exif=exif)


@pytest.mark.parametrize("orientation", range(1, 9))
def test_every_exif_orientation_matches_pillow(tmp_path, orientation):
    path = _oriented_png(tmp_path, orientation)
    with Image.open(path) as picture:
        expected = np.asarray(ImageOps.exif_transpose(picture), dtype=np.float32)
    loaded = read_image(path)
    np.testing.assert_array_equal(loaded.pixels, expected)
    assert loaded.original_size == expected.shape


@pytest.mark.parametrize("orientation", [3, 6, 7])
def test_orientation_of_a_reduced_picture_matches_pillow(tmp_path, orientation):
    picture = Image.fromarray(np.add.outer(np.arange(300), 2 * np.arange(500)).astype(np.float32) / 5.5)
    exif = Image.Exif()
    exif[0x0112] = orientation
    path = _save(tmp_path, picture.convert("L"), "turned.png", exif=exif)
    with Image.open(path) as stored:
        upright = np.asarray(ImageOps.exif_transpose(stored), dtype=np.float32)
    loaded = read_image(path, max_size=60)
    assert loaded.original_size == upright.shape
    assert max(loaded.size) == 60
    expected = np.asarray(Image.fromarray(upright).resize(loaded.size[::-1], Image.Resampling.LANCZOS))
    np.testing.assert_allclose(loaded.pixels, expected, atol=1.5)


# ---------------------------------------------------------------- reduced while converting


def _reference(pixels: np.ndarray, max_side: int) -> np.ndarray:
    """Every pixel converted at full size, then Lanczos all the way (the loader before it worked in tiles)."""
    height, width = pixels.shape[:2]
    scale = max_side / max(height, width)
    size = (round(width * scale), round(height * scale))
    planes = pixels[..., np.newaxis] if pixels.ndim == 2 else pixels
    resized = [np.asarray(Image.fromarray(np.ascontiguousarray(planes[..., c], dtype=np.float32))
                          .resize(size, Image.Resampling.LANCZOS)) for c in range(planes.shape[2])]
    out = np.clip(np.stack(resized, axis=-1), 0, 255)
    return out[..., 0] if pixels.ndim == 2 else out


def _smooth_rgb(height: int, width: int) -> np.ndarray:
    y, x = np.mgrid[0:height, 0:width]
    return np.stack([100 + 80 * np.sin(x / 37), 128 + 100 * np.cos(y / 23), (x + y) * 255 / (height + width)],
                    axis=-1)


def test_block_averaged_rgb_matches_full_size_lanczos(tmp_path):
    rgb = _smooth_rgb(700, 1100).round()
    path = _save(tmp_path, Image.fromarray(rgb.astype(np.uint8)), "smooth.png")
    loaded = read_image(path, max_size=100)  # blocks of 5 × 5, then Lanczos from 220 to 100
    assert loaded.size == (64, 100)
    np.testing.assert_allclose(loaded.pixels, _reference(rgb, 100), atol=1.0)


def test_transparency_of_a_reduced_picture_is_composited_per_pixel(tmp_path):
    rgb = _smooth_rgb(600, 900).round()
    alpha = np.add.outer(np.zeros(600), np.linspace(0, 255, 900)).round()
    rgba = np.dstack([rgb, alpha]).astype(np.uint8)
    path = _save(tmp_path, Image.fromarray(rgba, "RGBA"), "fade.png")
    on_white = 255 + (rgb - 255) * (alpha[..., np.newaxis] / 255)
    np.testing.assert_allclose(load_image(path, max_size=90), _reference(on_white, 90), atol=1.0)


def test_sixteen_bit_reduced_keeps_its_precision(tmp_path):
    values = np.add.outer(np.arange(400) * 40, np.arange(600) * 60).astype(np.uint16)  # up to 51,900
    path = _save(tmp_path, Image.fromarray(values), "deep.png")
    assert _file_mode(path) == "I;16"
    np.testing.assert_allclose(load_image(path, max_size=60), _reference(values * (255 / 65535), 60), atol=0.05)


def test_float_reduced_is_stretched_with_the_extremes_of_every_pixel(tmp_path):
    values = np.add.outer(np.linspace(-1000, 1000, 300), np.zeros(300)).astype(np.float32)
    values[7, 7] = 3000  # one bright pixel: it sets the top of the stretch even though a block averages it away
    values[200, 5] = np.nan
    path = _save(tmp_path, Image.fromarray(values), "wide.tif")
    stretched = (np.nan_to_num(values.astype(np.float64), nan=0) + 1000) * (255 / 4000)
    pixels = load_image(path, max_size=30)
    assert np.isfinite(pixels).all()
    np.testing.assert_allclose(pixels, _reference(stretched, 30), atol=0.5)


def test_reduced_palette_with_transparency(tmp_path):
    picture = Image.new("P", (400, 200))
    picture.putpalette([255, 0, 0, 0, 0, 255])
    picture.paste(1, (200, 0, 400, 200))  # right half blue, and blue is transparent
    pixels = load_image(_save(tmp_path, picture, "halves.png", transparency=1), max_size=40)
    assert pixels.shape == (20, 40, 3)
    np.testing.assert_allclose(pixels[:, :15], np.broadcast_to([255, 0, 0], (20, 15, 3)), atol=1)
    np.testing.assert_allclose(pixels[:, -15:], 255, atol=1)


# ---------------------------------------------------------------- the memory budget


def test_full_size_above_the_budget_names_sizes_and_the_largest_working_size_that_fits(tmp_path, monkeypatch):
    path = _save(tmp_path, Image.new("RGBA", (600, 400), (1, 2, 3, 128)), "wide.png")
    monkeypatch.setattr(decoding, "MEMORY_BUDGET", 2 << 20)  # 2 MiB; full size needs 400·600·(4 + 12) = 3.7 MB
    with pytest.raises(ImageLoadError) as info:
        read_image(path, max_size="full")
    message = str(info.value)
    assert message.startswith("Cannot open 'wide.png': it is 400×600 RGBA and needs 3.66 MB of memory at full size, "
                              "more than the 2 MB one image may use; choose a working size of ")
    largest = int(message.rsplit("--max-size ", 1)[1].rstrip(")."))
    assert max(read_image(path, max_size=largest).size) == largest  # the size it names fits ...
    with pytest.raises(ImageLoadError, match=f"at a working size of {largest + 1} pixels"):
        read_image(path, max_size=largest + 1)  # ... and the next one does not


def test_a_picture_that_does_not_fit_even_reduced(tmp_path, monkeypatch):
    path = _save(tmp_path, Image.new("L", (300, 200)), "grey.png")
    monkeypatch.setattr(decoding, "MEMORY_BUDGET", 1000)
    _assert_load_error(path, "grey.png", "it is 200×300 grey and needs 293 kB of memory at full size, "
                                         "more than the 1000 bytes one image may use, even reduced")


def _png_without_pixels(width: int, height: int, bit_depth: int, colour_type: int) -> bytes:
    """A PNG's signature, header and an empty IDAT chunk: all Pillow reads before it is asked to decode."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", width, height, bit_depth, colour_type, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", b"")


@pytest.mark.parametrize(("mode", "bit_depth", "colour_type"),
                         [("L", 8, 0), ("I;16", 16, 0), ("RGB", 8, 2), ("RGBA", 8, 6), ("RGBA", 16, 6)])
def test_the_default_working_size_fits_any_picture_pillow_accepts(mode, bit_depth, colour_type):
    """Planned from a PNG header claiming Pillow's largest picture (nothing is decoded): at most 0.5 GiB."""
    side = math.isqrt(Image.MAX_IMAGE_PIXELS)
    with Image.open(io.BytesIO(_png_without_pixels(side, side, bit_depth, colour_type))) as picture:
        assert picture.mode == mode
        plan = decoding._plan(picture, (side, side), images.DEFAULT_MAX_SIZE, "huge.png")
        assert decoding._bytes_needed(picture, plan.factor, plan.working) <= images.GIB // 2


def test_header_claiming_more_than_the_budget_is_refused_before_decoding(monkeypatch):
    """With Pillow's pixel limit lifted, only the budget stands between a 40-byte header and 13 GB."""
    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", None)
    _assert_load_error(_png_without_pixels(60000, 60000, 8, 6), "<clipboard>",
                       "it is 60000×60000 RGBA and needs 13.4 GB of memory at a working size of 1024 pixels, "
                       f"more than the {size_text(decoding.MEMORY_BUDGET)} one image may use, even reduced")


def test_a_decoder_that_holds_the_pixels_several_times_is_counted(tmp_path, monkeypatch):
    path = _save(tmp_path, Image.new("RGBA", (200, 200), (9, 8, 7, 255)), "photo.webp", lossless=True)
    # Decoded, the picture takes 160 kB, so a PNG of it fits 600 kB reduced; libwebp holds 4 × 160 kB.
    monkeypatch.setattr(decoding, "MEMORY_BUDGET", 600_000)
    with pytest.raises(ImageLoadError, match="even reduced: Pillow's WEBP decoder holds the pixels 4 times over, "
                                             "so save it as PNG first"):
        load_image(path, max_size=64)
    png = _save(tmp_path, Image.open(path), "photo.png")
    assert load_image(png, max_size=64).shape == (64, 64, 3)
