"""The built-in sample images, each chosen to make one idea visible.

The PNGs live in :func:`~convdemo.core.resources.sample_images_dir` and are
drawn by ``tools/make_samples.py``.
"""

from __future__ import annotations

from pathlib import Path
from typing import NamedTuple

from convdemo.core.errors import ParameterError
from convdemo.core.images import DEFAULT_MAX_SIZE, LoadedImage, read_image
from convdemo.core.resources import sample_images_dir


class Sample(NamedTuple):
    """One built-in image: its file, a short title and what it teaches."""

    file_name: str
    title: str
    teaches: str


SAMPLES: tuple[Sample, ...] = (
    Sample(
        "digit3.png",
        "Handwritten 3",
        "A 28×28 digit like the ones a CNN learns from, small enough to follow every pixel of a 3×3 kernel.",
    ),
    Sample(
        "edges.png",
        "Building front",
        "Long horizontal and vertical edges, so a vertical-edge and a horizontal-edge kernel give clearly "
        "different answers.",
    ),
    Sample(
        "colour_blocks.png",
        "Colour blocks",
        "Strong colours whose red, green and blue planes differ, including a red-on-green circle that "
        "disappears in grey.",
    ),
    Sample(
        "zone_plate.png",
        "Zone plate",
        "Rings that get finer towards the edge, where a stride of 2 turns them into false patterns (aliasing).",
    ),
    Sample(
        "noisy.png",
        "Noisy shapes",
        "Simple shapes under strong noise, to see how box and Gaussian blurs trade noise for sharpness.",
    ),
    Sample(
        "texture_scene.png",
        "Landscape",
        "A photo-like colour scene with sky, textured hills and trees, to try any kernel on rich detail.",
    ),
    Sample(
        "letter_f.png",
        "Letter F",
        "A 16×12 letter with no symmetry, so flipping the kernel or the image is obvious at a glance.",
    ),
)

DEFAULT_SAMPLE = "digit3"


def sample_names() -> list[str]:
    """Names of the built-in samples (file names without ``.png``), in menu order."""
    return [Path(sample.file_name).stem for sample in SAMPLES]


def sample_path(name: str) -> Path:
    """Path of a built-in sample.

    Parameters
    ----------
    name : str
        A name from :func:`sample_names`, with or without ``.png``.

    Returns
    -------
    Path

    Raises
    ------
    ParameterError
        For an unknown name; the message lists the known ones.
    """
    stem = name[: -len(".png")] if name.lower().endswith(".png") else name
    if stem not in sample_names():
        known = ", ".join(sample_names())
        raise ParameterError(f"There is no sample image called '{name}'; the samples are: {known}.")
    return sample_images_dir() / f"{stem}.png"


def load_sample(name: str, max_size: int | str | None = DEFAULT_MAX_SIZE) -> LoadedImage:
    """Load a built-in sample like any other image file.

    Parameters
    ----------
    name : str
        A name from :func:`sample_names`, with or without ``.png``.
    max_size : int, "full" or None, optional
        Working-resolution limit, as for :func:`~convdemo.core.images.read_image`.

    Returns
    -------
    LoadedImage
        ``pixels`` of shape (H, W) or (H, W, 3), float32 0–255, with its name.
    """
    return read_image(sample_path(name), max_size=max_size)
