"""Hostile images given to ``convdemo apply``: never a hang, never a traceback, never more memory than a bound.

Each case runs ``python -m convdemo`` in a child (``run_convdemo``, see conftest.py)
and checks the contract: exit 0 with the right result and nothing else on
stderr, or exit 2 with one ``convdemo: error:`` line naming the file.
"""

from __future__ import annotations

import os
import struct
import subprocess
import sys
import textwrap
import zlib
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

GIB, MIB = 1 << 30, 1 << 20
HUGE_SIDE = 9400
"""88 megapixels: just under Pillow's decompression-bomb limit (89.5 megapixels)."""
COLOUR = (200, 40, 90)
IMAGE_HEADROOM = 640 * MIB
"""Address space the huge picture may add to a trivial run's: the loader needs about 0.45 GB for it
(the 354 MB decoded picture and a reduced float32 copy); before it was tiled it needed 4.3 GB."""


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def png_header(width: int, height: int, *, bit_depth: int = 8, colour_type: int = 6) -> bytes:
    """A PNG signature and IHDR chunk: all Pillow reads before it checks the pixel count."""
    return b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, bit_depth, colour_type,
                                                                0, 0, 0))


def write_flat_png(path: Path, side: int, *, bit_depth: int, colour_type: int) -> Path:
    """A side×side PNG in a few hundred kB: every row is the same, so PNG's "Up" filter makes it all zeros.

    Colour type 6 is RGBA (:data:`COLOUR`, alpha rising from 0 to full left to right), 0 is grey
    (rising from 0 to full).  Written as a stream, so no full-size array is ever made here.
    """
    top = 2 ** bit_depth - 1
    ramp = np.linspace(0, top, side).round()
    if colour_type == 6:
        row = np.empty((side, 4))
        row[:, :3] = [c * top / 255 for c in COLOUR]
        row[:, 3] = ramp
    else:
        row = ramp
    data = row.astype(">u2" if bit_depth == 16 else "u1").tobytes()
    pack = zlib.compressobj(6)
    body = [pack.compress(b"\0" + data)] + [pack.compress(b"\2" + bytes(len(data))) for _ in range(side - 1)]
    body.append(pack.flush())
    path.write_bytes(png_header(side, side, bit_depth=bit_depth, colour_type=colour_type)
                     + _chunk(b"IDAT", b"".join(body)) + _chunk(b"IEND", b""))
    return path


def apply_args(image, out="out.npy", *options) -> list[str]:
    return ["apply", str(image), "-o", str(out), "--kernel", "identity", *options]


# ---------------------------------------------------------------- not a picture file at all


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="named pipes are POSIX")
def test_named_pipe_is_refused_at_once(run_convdemo, tmp_path):
    os.mkfifo(tmp_path / "x.png")
    outcome = run_convdemo(*apply_args("x.png"), timeout=30)
    outcome.assert_one_error("'x.png'", "named pipe")
    assert not (tmp_path / "out.npy").exists()


@pytest.mark.skipif(not os.path.exists("/dev/zero"), reason="needs /dev/zero")
def test_link_to_dev_zero_is_refused(run_convdemo, tmp_path):
    (tmp_path / "x.png").symlink_to("/dev/zero")
    run_convdemo(*apply_args("x.png"), timeout=30).assert_one_error("'x.png'", "character device")


def test_folder_named_like_a_picture(run_convdemo, tmp_path):
    (tmp_path / "x.png").mkdir()
    run_convdemo(*apply_args("x.png")).assert_one_error("'x.png'", "folder")


def test_empty_file(run_convdemo, tmp_path):
    (tmp_path / "x.png").write_bytes(b"")
    run_convdemo(*apply_args("x.png")).assert_one_error("'x.png'", "empty")


def test_truncated_png(run_convdemo, tmp_path):
    noise = np.random.default_rng(0).integers(0, 256, (64, 64, 3), dtype=np.uint8)
    Image.fromarray(noise).save(tmp_path / "full.png")
    data = (tmp_path / "full.png").read_bytes()
    (tmp_path / "x.png").write_bytes(data[: len(data) // 2])
    run_convdemo(*apply_args("x.png")).assert_one_error("'x.png'", "truncated or damaged")


@pytest.mark.parametrize("side", [9500, 20000], ids=["just over the limit", "over twice the limit"])
def test_decompression_bomb_is_refused_from_its_header(run_convdemo, tmp_path, side):
    assert side * side > Image.MAX_IMAGE_PIXELS
    (tmp_path / "bomb.png").write_bytes(png_header(side, side) + _chunk(b"IEND", b""))
    run_convdemo(*apply_args("bomb.png")).assert_one_error("'bomb.png'", f"{Image.MAX_IMAGE_PIXELS:,} pixels")


# ---------------------------------------------------------------- huge pictures, bounded memory


@pytest.fixture(scope="module")
def huge(tmp_path_factory):
    """The 9400×9400 pictures, made once: 8-bit RGBA, 16-bit RGBA, 16-bit grey."""
    folder = tmp_path_factory.mktemp("huge")
    return {
        "rgba": write_flat_png(folder / "rgba.png", HUGE_SIDE, bit_depth=8, colour_type=6),
        "rgba16": write_flat_png(folder / "rgba16.png", HUGE_SIDE, bit_depth=16, colour_type=6),
        "grey16": write_flat_png(folder / "grey16.png", HUGE_SIDE, bit_depth=16, colour_type=0),
    }


# The threads numpy, OpenBLAS and the engine start reserve address space by the CPU: fewer threads
# make the child's address space the same on every machine.
FEW_THREADS = {"OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1", "MALLOC_ARENA_MAX": "2"}
_ADDRESS_SPACE_OF_APPLY = textwrap.dedent("""
    import sys
    from convdemo.cli import main
    assert main(sys.argv[1:]) == 0
    print(next(line.split()[1] for line in open("/proc/self/status") if line.startswith("VmPeak:")))
""")


@pytest.fixture(scope="module")
def memory_limit(tmp_path_factory):
    """RLIMIT_AS for the huge pictures: a trivial apply's peak address space (VmPeak) plus :data:`IMAGE_HEADROOM`.

    The trivial run (a 1024×1024 photo, the default working size) loads everything a run
    loads: numpy, scipy's BLAS, the strip threads. On this machine it is about 0.5 GiB,
    so the limit is about 1.1 GiB.
    """
    if not Path("/proc/self/status").exists():
        pytest.skip("needs /proc to measure the address space")
    folder = tmp_path_factory.mktemp("calibrate")
    photo = folder / "photo.png"
    Image.fromarray(np.random.default_rng(1).integers(0, 256, (1024, 1024, 3), dtype=np.uint8)).save(photo)
    done = subprocess.run([sys.executable, "-c", _ADDRESS_SPACE_OF_APPLY, *apply_args(photo, folder / "o.npy")],
                          capture_output=True, text=True, check=True, env={**os.environ, **FEW_THREADS})
    return int(done.stdout.split()[-1]) * 1024 + IMAGE_HEADROOM


@pytest.mark.parametrize("kind", ["rgba", "rgba16"])
def test_huge_rgba_png_is_reduced_within_bounded_memory(run_convdemo, tmp_path, huge, memory_limit, kind):
    outcome = run_convdemo(*apply_args(huge[kind], "out.npy", "--padding", "same"), memory=memory_limit,
                           extra_env=FEW_THREADS)
    assert outcome.code == 0, outcome.stderr
    assert outcome.error_lines == [f"convdemo: note: {kind}.png — 9400×9400 px, convolving 1024×1024 "
                                   "(use --max-size full to keep every pixel)"]
    result = np.load(tmp_path / "out.npy")
    assert result.shape == (1024, 1024) and np.isfinite(result).all()
    luma = 0.299 * COLOUR[0] + 0.587 * COLOUR[1] + 0.114 * COLOUR[2]
    np.testing.assert_allclose(result[:, 2], 255, atol=1.5)  # transparent on the left: white
    np.testing.assert_allclose(result[:, -3], luma, atol=1.5)  # opaque on the right: the colour's luma
    assert (np.diff(result[512, 2:-2]) < 0.25).all()  # darker and darker from left to right (Lanczos ripples)
    np.testing.assert_allclose(result, np.broadcast_to(result[512], result.shape), atol=1e-3)  # every row alike


def test_huge_sixteen_bit_grey_png_is_reduced_within_bounded_memory(run_convdemo, tmp_path, huge, memory_limit):
    outcome = run_convdemo(*apply_args(huge["grey16"], "out.npy", "--padding", "same"), memory=memory_limit,
                           extra_env=FEW_THREADS)
    assert outcome.code == 0, outcome.stderr
    result = np.load(tmp_path / "out.npy")
    assert result.shape == (1024, 1024)
    np.testing.assert_allclose(result[:, 2], 255 * 2 / 1023, atol=1)
    np.testing.assert_allclose(result[:, -3], 255 * 1021 / 1023, atol=1)


def test_huge_png_at_full_size_is_refused_with_the_sizes_and_what_to_change(run_convdemo, tmp_path, huge):
    message = run_convdemo(*apply_args(huge["rgba"], "out.npy", "--max-size", "full")).assert_one_error(
        "'rgba.png'", "9400×9400 RGBA", "at full size", "GB", "--max-size")
    suggested = message.rsplit("--max-size ", 1)[1].rstrip(").")
    assert 1024 <= int(suggested) < HUGE_SIDE
    assert not (tmp_path / "out.npy").exists()


# ---------------------------------------------------------------- what the libraries say on stderr


def jpeg_tiff_with_a_stray_marker(path: Path) -> Path:
    """A JPEG-compressed TIFF whose scan holds the bytes FF B8: libjpeg complains on stderr, then decodes it."""
    ramp = np.tile((np.arange(64) * 4).astype(np.uint8), (64, 1))
    Image.fromarray(ramp).convert("RGB").save(path, compression="jpeg")
    with Image.open(path) as picture:
        start, length = picture.tag_v2[273][0], picture.tag_v2[279][0]  # StripOffsets, StripByteCounts
    data = bytearray(path.read_bytes())
    scan = data.index(b"\xff\xda", start) + 14
    middle = scan + (start + length - scan) // 2
    data[middle : middle + 2] = b"\xff\xb8"
    path.write_bytes(bytes(data))
    return path


def deflate_tiff_with_a_broken_strip(path: Path) -> Path:
    """A deflate TIFF whose second strip is noise: libtiff says so on stderr and decoding fails."""
    noise = np.random.default_rng(0).integers(0, 256, (256, 256, 3), dtype=np.uint8)
    Image.fromarray(noise).save(path, compression="tiff_adobe_deflate")
    with Image.open(path) as picture:
        start, length = picture.tag_v2[273][1], picture.tag_v2[279][1]
    data = bytearray(path.read_bytes())
    data[start : start + length] = np.random.default_rng(1).integers(0, 256, length, dtype=np.uint8).tobytes()
    path.write_bytes(bytes(data))
    return path


def jpeg_with_broken_exif(path: Path) -> Path:
    """A JPEG whose EXIF block is cut short: Pillow warns (UserWarning) when it reads it, the pixels are fine."""
    exif = Image.Exif()
    exif[0x010E] = "x" * 100  # ImageDescription, stored past the end once the block is cut
    Image.new("RGB", (32, 16), (10, 20, 30)).save(path, exif=exif.tobytes()[:-60])
    return path


def test_a_failing_decoder_gives_one_line_with_its_reason(run_convdemo, tmp_path):
    deflate_tiff_with_a_broken_strip(tmp_path / "broken.tif")
    run_convdemo(*apply_args("broken.tif")).assert_one_error("'broken.tif'", "truncated or damaged", "ZIPDecode")


@pytest.mark.parametrize(("make", "said"), [(jpeg_tiff_with_a_stray_marker, "JPEGLib"),
                                            (jpeg_with_broken_exif, "Tag data larger than file")],
                         ids=["libjpeg on file descriptor 2", "Pillow's Python warning"])
def test_library_messages_on_success_only_with_verbose(run_convdemo, tmp_path, make, said):
    picture = make(tmp_path / ("odd.tif" if said == "JPEGLib" else "odd.jpg"))
    quiet = run_convdemo(*apply_args(picture.name))
    assert quiet.code == 0 and quiet.stderr == ""
    verbose = run_convdemo("--verbose", *apply_args(picture.name))
    assert verbose.code == 0
    assert verbose.error_lines and all(line.startswith("convdemo: warning: ") for line in verbose.error_lines)
    assert said in verbose.stderr


def test_library_messages_and_notes_never_come_before_an_error(run_convdemo, tmp_path):
    """A reduced picture with a libjpeg complaint, then an error: the error line alone."""
    picture = jpeg_tiff_with_a_stray_marker(tmp_path / "odd.tif")
    run_convdemo(*apply_args(picture.name, "out.npy", "--max-size", "16", "--stage", "pool", "-v")
                 ).assert_one_error("pool stage is off")
