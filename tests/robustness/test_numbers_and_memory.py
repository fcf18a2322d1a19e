"""Absurd sizes and numbers: one sentence at once, never a MemoryError, a file of inf/NaN or a RuntimeWarning."""

import time

import numpy as np
import pytest
from PIL import Image

MIB = 1 << 20
MEMORY = 512 * MIB
"""Address-space limit of the child. Calibrated: numpy, scipy's BLAS and the strip threads reserve
address space, so a normal 400×500 per-channel ``apply`` needs about 400 MB (at 300 MB a thread
cannot start); anything that tried to allocate the huge arrays below would fail far beyond it."""
SECONDS = 5


@pytest.fixture
def photo(tmp_path):
    """A 45×60 colour image, values 0–255."""
    path = tmp_path / "x.png"
    Image.fromarray(np.random.default_rng(0).integers(0, 256, (45, 60, 3), dtype=np.uint8)).save(path)
    return path


def assert_refused_at_once(run_convdemo, tmp_path, photo, args, fragments):
    start = time.monotonic()
    outcome = run_convdemo("apply", photo, "-o", "o.npy", *args, memory=MEMORY)
    elapsed = time.monotonic() - start
    message = outcome.assert_one_error(*fragments)
    assert "RuntimeWarning" not in outcome.stderr
    assert elapsed < SECONDS, elapsed
    assert not (tmp_path / "o.npy").exists()
    return message


def test_a_normal_run_fits_the_memory_limit_of_these_tests(run_convdemo, tmp_path):
    Image.fromarray(np.random.default_rng(1).integers(0, 256, (400, 500, 3), dtype=np.uint8)).save(tmp_path / "y.png")
    outcome = run_convdemo("apply", "y.png", "-o", "o.npy", "--kernel", "sobel-x", "--padding", "same",
                           "--channels", "per-channel", "--activation", "relu", "--pool", "avg", memory=MEMORY)
    assert outcome.code == 0 and outcome.stderr == "", outcome.stderr
    assert np.load(tmp_path / "o.npy").shape == (200, 250, 3)


@pytest.mark.parametrize(("args", "fragments"), [
    (["--padding", "10000000"],
     ["padding 10000000 on a 45×60 image makes a 20000043×20000058 convolution output: the run needs 2.84 PB "
      "as float32, more than the 2 GB memory budget; use less padding (or raise CONVDEMO_MEMORY_LIMIT)."]),
    (["--padding", "10000"], ["padding 10000 on a 45×60 image makes a 20043×20058 convolution output",
                              "more than the 2 GB memory budget"]),
    (["--padding", "5000", "--channels", "per-channel"], ["10043×10058×3 convolution output"]),
    (["--dilation", "1000000", "--padding", "same"],
     ["dilation 1000000 with same padding on a 45×60 image makes a 2000045×2000060 padded image",
      "use less dilation"]),
    (["--padding", "10000000000"], ["padding must be at most 1000000000, not 10000000000."]),
])
def test_huge_geometry_is_one_line_at_once(run_convdemo, tmp_path, photo, args, fragments):
    assert_refused_at_once(run_convdemo, tmp_path, photo, ["--kernel", "identity", *args], fragments)


def test_the_budget_follows_the_environment_variable(run_convdemo, tmp_path, photo):
    small = run_convdemo("apply", photo, "-o", "o.npy", "--kernel", "identity", memory=MEMORY,
                         extra_env={"CONVDEMO_MEMORY_LIMIT": "16k"})
    small.assert_one_error("the run needs 20.3 kB as float32 for a 45×60 image, more than the 16 kB memory budget; "
                           "use a smaller image or working size (or raise CONVDEMO_MEMORY_LIMIT).")
    larger = run_convdemo("apply", photo, "-o", "o.npy", "--kernel", "identity", "--padding", "3000", memory=MEMORY,
                          extra_env={"CONVDEMO_MEMORY_LIMIT": "64M"})
    larger.assert_one_error("padding 3000 on a 45×60 image", "more than the 64 MB memory budget")
    junk = run_convdemo("apply", photo, "-o", "o.npy", "--kernel", "identity",
                        extra_env={"CONVDEMO_MEMORY_LIMIT": "lots"})
    junk.assert_one_error("CONVDEMO_MEMORY_LIMIT must be a memory size such as 4G or 512M, not 'lots'.")


@pytest.mark.parametrize(("args", "fragments"), [
    (["--weights", "1e39"],
     ["the kernel holds 1e39, beyond ±3.4e38, the range of the float32 numbers the engine computes with."]),
    (["--weights", "1,-1e39"], ["the kernel holds -1e39, beyond ±3.4e38"]),
    (["--kernel", "identity", "--bias", "1e39"], ["the bias is 1e39, beyond ±3.4e38"]),
    (["--kernel", "identity", "--divisor", "1e39"], ["the divisor is 1e39, beyond ±3.4e38"]),
    (["--kernel", "identity", "--divisor", "1e-300"],
     ["the divisor is 1e-300, so close to 0 that dividing by it goes beyond ±3.4e38",
      "use a divisor of at least 2.94e-39 in size."]),
    (["--weights", "1e30", "--divisor", "1e-10"], ["the weights divided by the divisor reach 1e40, beyond ±3.4e38",
                                                   "use a larger divisor."]),
    (["--weights", "1e37"],
     ["the convolved values would overflow float32 (they can reach 2.55e39, beyond ±3.4e38); "
      "divide them, e.g. with divisor 10."]),
    (["--weights", "1e36,1e36;1e36,1e36", "--channels", "rgb-sum"],  # R + G + B: 3 · 255 · 4e36
     ["the convolved values would overflow float32 (they can reach 3.06e39", "divisor 10."]),
    (["--weights", "1e36", "--pool", "avg"], ["the sums of average pooling would overflow float32"]),
])
def test_numbers_beyond_float32_are_one_line_naming_them(run_convdemo, tmp_path, photo, args, fragments):
    assert_refused_at_once(run_convdemo, tmp_path, photo, args, fragments)


def test_the_suggested_divisor_works_and_nothing_overflows(run_convdemo, tmp_path, photo):
    outcome = run_convdemo("apply", photo, "-o", "o.npy", "--weights", "1e37", "--divisor", "10", memory=MEMORY)
    assert outcome.code == 0 and outcome.stderr == "", outcome.stderr
    result = np.load(tmp_path / "o.npy")
    assert np.isfinite(result).all() and result.max() > 1e38


@pytest.mark.parametrize("args", [
    ["--stride", "1000000000"],                      # a 1×1 output
    ["--padding", "same", "--stride", "1000000000"],
    ["--pool", "max", "--pool-size", "1", "--pool-stride", "1000000000"],
])
def test_absurd_but_cheap_geometry_just_works(run_convdemo, tmp_path, photo, args):
    outcome = run_convdemo("apply", photo, "-o", "o.npy", "--kernel", "identity", *args, memory=MEMORY)
    assert outcome.code == 0 and outcome.stderr == "", outcome.stderr
    assert np.load(tmp_path / "o.npy").shape == (1, 1)


def test_a_pooling_window_larger_than_anything_is_one_line(run_convdemo, tmp_path, photo):
    outcome = run_convdemo("apply", photo, "-o", "o.npy", "--kernel", "identity", "--pool", "max",
                           "--pool-size", "1000000000", memory=MEMORY)
    outcome.assert_one_error("a 1000000000×1000000000 pooling window does not fit a 43×58 feature map.")
