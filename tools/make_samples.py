"""Draw the built-in sample images into ``sample_images/`` (or another folder).

Run ``python tools/make_samples.py`` after changing a drawing; the PNGs are
committed in ``sample_images/``. This is a developer script: it is not installed.  Only numpy and Pillow are used, every
random number comes from a fixed seed, and nothing is downloaded, so running it
again gives the same pictures (``tests/core/test_samples.py`` checks that).

Each image is chosen to make one idea visible; ``convdemo/core/samples.py``
lists them with a sentence on what each teaches.
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw

SUPERSAMPLE = 4  # shapes are drawn this many times larger, then averaged down: antialiasing


# ---------------------------------------------------------------- helpers


def _grid(height: int, width: int) -> tuple[np.ndarray, np.ndarray]:
    """Pixel-centre coordinates ``(rows, cols)``, each of shape (height, width), float64."""
    return np.mgrid[0:height, 0:width].astype(np.float64) + 0.5


def _coverage(signed_distance: np.ndarray) -> np.ndarray:
    """Antialiased inside-ness from a signed distance in pixels (positive inside), 0–1."""
    return np.clip(signed_distance + 0.5, 0.0, 1.0)


def _smoothstep(t: np.ndarray) -> np.ndarray:
    t = np.clip(t, 0.0, 1.0)
    return t * t * (3.0 - 2.0 * t)


def _value_noise(rng: np.random.Generator, shape: tuple[int, int], cells: tuple[int, int]) -> np.ndarray:
    """Smooth random field in 0–1: random values on a ``cells`` grid, smoothstep-interpolated.

    Parameters
    ----------
    rng : numpy.random.Generator
    shape : (int, int)
        ``(H, W)`` of the result.
    cells : (int, int)
        Number of grid cells along rows and columns (more cells = finer detail).

    Returns
    -------
    ndarray of shape (H, W), float64
    """
    lattice = rng.random((cells[0] + 1, cells[1] + 1))
    rows = (np.arange(shape[0]) + 0.5) * cells[0] / shape[0]
    cols = (np.arange(shape[1]) + 0.5) * cells[1] / shape[1]
    r0, c0 = np.floor(rows).astype(int), np.floor(cols).astype(int)
    fr, fc = _smoothstep(rows - r0)[:, None], _smoothstep(cols - c0)[None, :]
    top = lattice[r0][:, c0] * (1 - fc) + lattice[r0][:, c0 + 1] * fc
    bottom = lattice[r0 + 1][:, c0] * (1 - fc) + lattice[r0 + 1][:, c0 + 1] * fc
    return top * (1 - fr) + bottom * fr


def _fractal_noise(
    rng: np.random.Generator, shape: tuple[int, int], cells: tuple[int, int], octaves: int = 5
) -> np.ndarray:
    """Sum of value-noise octaves (each twice as fine, half as strong), rescaled to 0–1.

    Returns
    -------
    ndarray of shape (H, W), float64
    """
    total = np.zeros(shape)
    for octave in range(octaves):
        scale = 2**octave
        total += _value_noise(rng, shape, (cells[0] * scale, cells[1] * scale)) / scale
    return (total - total.min()) / (total.max() - total.min())


def _ridge(rng: np.random.Generator, width: int, base: float, amplitude: float, cells: int) -> np.ndarray:
    """A fractal skyline: for each column, the row where land starts. Shape (width,)."""
    return base + amplitude * (_fractal_noise(rng, (1, width), (1, cells), octaves=6)[0] - 0.5)


def _polygons_mask(height: int, width: int, polygons: list[list[tuple[float, float]]]) -> np.ndarray:
    """Antialiased coverage (0–1) of polygons given as ``(x, y)`` pixel points. Shape (H, W)."""
    big = Image.new("L", (width * SUPERSAMPLE, height * SUPERSAMPLE), 0)
    draw = ImageDraw.Draw(big)
    for points in polygons:
        draw.polygon([(x * SUPERSAMPLE, y * SUPERSAMPLE) for x, y in points], fill=255)
    return np.asarray(big.reduce(SUPERSAMPLE), dtype=np.float64) / 255


def _blend(base: np.ndarray, colour, alpha: np.ndarray) -> np.ndarray:
    """Paint ``colour`` (RGB 0–1, or an (H, W, 3) array) over ``base`` with per-pixel ``alpha``."""
    alpha = alpha[..., None]
    return base * (1 - alpha) + np.asarray(colour, dtype=np.float64) * alpha


def _to_uint8(values: np.ndarray, scale: float = 255.0) -> np.ndarray:
    return np.clip(np.round(values * scale), 0, 255).astype(np.uint8)


def _catmull_rom(points: list[tuple[float, float]], samples_per_segment: int = 40) -> np.ndarray:
    """A smooth curve through ``points`` (Catmull–Rom spline). Shape (n, 2)."""
    p = np.array([points[0], *points, points[-1]], dtype=np.float64)
    t = np.linspace(0, 1, samples_per_segment, endpoint=False)[:, None]
    pieces = []
    for i in range(1, len(p) - 2):
        p0, p1, p2, p3 = p[i - 1], p[i], p[i + 1], p[i + 2]
        pieces.append(
            0.5
            * (
                2 * p1
                + (p2 - p0) * t
                + (2 * p0 - 5 * p1 + 4 * p2 - p3) * t**2
                + (3 * p1 - p0 - 3 * p2 + p3) * t**3
            )
        )
    pieces.append(p[-2][None, :])
    return np.concatenate(pieces)


# ---------------------------------------------------------------- the samples


def digit3() -> np.ndarray:
    """A handwritten-looking "3", white on black, 28×28 like an MNIST digit.

    Two pen strokes (top bowl, bottom bowl) meet in a cusp at the middle.  The
    pen is a disc whose radius swells and thins along the stroke; coverage is
    computed at 4× resolution and averaged down, then softened slightly, as
    MNIST's own anti-aliasing does.

    Returns
    -------
    ndarray of shape (28, 28), uint8
    """
    size = 28 * SUPERSAMPLE
    rows, cols = _grid(size, size)
    strokes = [  # (x, y) in 28-pixel units, slanted a little to the right like quick handwriting
        [(8.2, 7.6), (10.8, 5.4), (14.6, 4.6), (18.0, 5.7), (19.1, 8.2), (17.6, 11.0), (14.2, 12.9), (11.6, 13.6)],
        [(11.6, 13.6), (15.4, 13.7), (18.6, 15.3), (19.6, 18.4), (17.9, 21.4), (14.2, 23.2), (10.1, 23.0), (7.0, 20.9)],
    ]
    ink = np.zeros((size, size))
    for stroke in strokes:
        path = _catmull_rom(stroke) * SUPERSAMPLE
        along = np.linspace(0, 1, len(path))
        radius = SUPERSAMPLE * (1.05 + 0.45 * np.sin(np.pi * along) ** 0.7)  # thin ends, fuller middle
        for (x, y), r in zip(path, radius):
            ink = np.maximum(ink, _coverage(r - np.hypot(cols - x, rows - y)))
    small = ink.reshape(28, SUPERSAMPLE, 28, SUPERSAMPLE).mean(axis=(1, 3))
    return np.asarray(Image.fromarray(_to_uint8(small)).resize((56, 56), Image.Resampling.BICUBIC).reduce(2))


def edges() -> np.ndarray:
    """A grey building front: long horizontal and vertical edges, 192×256.

    Window rows and columns, a door, a roof line and a pavement give a
    vertical-edge kernel (Sobel x) and a horizontal-edge kernel (Sobel y)
    clearly different answers.

    Returns
    -------
    ndarray of shape (192, 256), uint8
    """
    height, width = 192, 256
    rows, _ = _grid(height, width)
    image = 215 - 40 * rows / height  # sky, lighter towards the top
    image[150:, :] = 70  # road
    image[146:150, :] = 150  # kerb
    image[28:150, 40:216] = 160  # facade
    image[20:28, 32:224] = 95  # roof ledge
    for floor in range(3):
        top = 40 + floor * 34
        for column in range(5):
            left = 54 + column * 32
            if floor == 2 and column == 2:
                continue  # the door goes here
            image[top : top + 22, left : left + 18] = 235  # window frame
            image[top + 2 : top + 20, left + 2 : left + 16] = 45  # glass
            image[top + 10 : top + 12, left + 2 : left + 16] = 235  # transom bar
    image[108:146, 116:140] = 60  # door
    image[108:110, 112:144] = 235  # lintel
    image[60:146, 224:236] = 120  # lamp-post
    image[54:62, 218:242] = 230  # lamp
    return np.clip(image, 0, 255).astype(np.uint8)


def colour_blocks() -> np.ndarray:
    """Strongly coloured tiles where the R, G and B planes each tell a different story, 192×256.

    The top row is pure red, green and blue plus white; the middle row holds
    shapes in one primary on another; the bottom row has a red circle on a
    green square of the *same luma*, which vanishes in grey and stands out in
    every single channel.

    Returns
    -------
    ndarray of shape (192, 256, 3), uint8
    """
    height, width, tile = 192, 256, 64
    rows, cols = _grid(height, width)
    image = np.zeros((height, width, 3))
    backgrounds = [
        [(1, 0, 0), (0, 1, 0), (0, 0, 1), (1, 1, 1)],
        [(1, 1, 0), (0, 1, 1), (1, 0, 1), (0.2, 0.2, 0.2)],
        [(0, 0.51, 0), (0.15, 0.15, 0.6), (1, 0.55, 0), (0.5, 0.5, 0.5)],
    ]
    shapes = [  # colour of the inner shape and its kind
        [((0, 0, 1), "disc"), ((1, 0, 0), "square"), ((0, 1, 0), "diamond"), ((0, 0, 0), "disc")],
        [((0, 0, 1), "square"), ((1, 0, 0), "diamond"), ((0, 1, 0), "disc"), ((1, 1, 1), "diamond")],
        [((1, 0, 0), "disc"), ((1, 1, 0), "square"), ((0, 0.4, 1), "diamond"), ((1, 0, 0), "square")],
    ]
    # The bottom-left tile: red (luma 0.299) on green 0.51 (luma 0.587·0.51 = 0.299) is invisible in grey.
    for i, (background_row, shape_row) in enumerate(zip(backgrounds, shapes)):
        for j, (background, (colour, kind)) in enumerate(zip(background_row, shape_row)):
            cy, cx = i * tile + tile / 2, j * tile + tile / 2
            in_tile = (rows // tile == i) & (cols // tile == j)
            image[in_tile] = background
            dy, dx = np.abs(rows - cy), np.abs(cols - cx)
            distance = {
                "disc": 20 - np.hypot(dy, dx),
                "square": 18 - np.maximum(dy, dx),
                "diamond": (24 - (dy + dx)) / np.sqrt(2),
            }[kind]
            image = _blend(image, colour, _coverage(distance) * in_tile)
    return _to_uint8(image)


def zone_plate() -> np.ndarray:
    """Rings that get finer towards the edge, 256×256: stride 2 turns the outer rings into false patterns.

    ``cos(π r² / 256)`` has a local frequency of r/256 cycles per pixel: 0.25
    at r = 64 (the limit after stride 2) and 0.5 at r = 128 (the limit of the
    image itself).  Beyond r = 120 the rings fade to grey so the file has no
    aliasing of its own.

    Returns
    -------
    ndarray of shape (256, 256), uint8
    """
    rows, cols = _grid(256, 256)
    r = np.hypot(rows - 128, cols - 128)
    fade = 1 - _smoothstep((r - 112) / 16)
    return _to_uint8(0.5 + 0.5 * np.cos(np.pi * r**2 / 256) * fade)


def noisy() -> np.ndarray:
    """Simple shapes under strong Gaussian noise (σ = 40 grey levels), 200×200: try the blurs.

    Returns
    -------
    ndarray of shape (200, 200), uint8
    """
    rng = np.random.default_rng(20240603)
    rows, cols = _grid(200, 200)
    image = np.full((200, 200), 110.0)
    disc = _coverage(38 - np.hypot(rows - 70, cols - 68))
    image = image * (1 - disc) + 220 * disc
    square = _coverage(34 - np.maximum(np.abs(rows - 132), np.abs(cols - 136)))
    image = image * (1 - square) + 30 * square
    triangle = _polygons_mask(200, 200, [[(30, 180), (95, 180), (62, 118)]])
    image = image * (1 - triangle) + 200 * triangle
    image += rng.normal(0.0, 40.0, size=image.shape)
    return np.clip(np.round(image), 0, 255).astype(np.uint8)


def texture_scene() -> np.ndarray:
    """A procedural landscape photo: sky, sun, clouds, mountains, textured hills, trees, 320×480.

    Returns
    -------
    ndarray of shape (320, 480, 3), uint8
    """
    height, width = 320, 480
    rng = np.random.default_rng(7)
    rows, cols = _grid(height, width)
    shape = (height, width)

    # Sky: deep blue overhead to pale haze at the horizon, a sun with a glow, soft clouds.
    t = (rows / 190)[..., None]
    image = np.array([0.16, 0.36, 0.70]) * (1 - t) + np.array([0.80, 0.87, 0.92]) * t
    sun_distance = np.hypot(rows - 62, cols - 372)
    image = _blend(image, (1.0, 0.93, 0.75), 0.55 * np.exp(-sun_distance / 55))
    image = _blend(image, (1.0, 0.98, 0.90), _coverage(21 - sun_distance))
    clouds = _smoothstep((_fractal_noise(rng, shape, (3, 5)) - 0.55) / 0.3) * (1 - _smoothstep((rows - 60) / 90))
    image = _blend(image, (0.97, 0.97, 0.99), 0.85 * clouds)

    # Far mountains, bluish with haze, snow on the peaks, rock lit from the sun's side (right).
    mountains = _ridge(rng, width, 148, 120, 4)
    rock = _fractal_noise(rng, shape, (5, 8), octaves=6)
    relief = np.clip(0.8 + 18 * np.gradient(rock, axis=1), 0.45, 1.25)[..., None]
    mountain_colour = np.array([0.44, 0.50, 0.62]) * relief
    snow = _smoothstep((128 - rows + 25 * rock) / 8)[..., None]
    mountain_colour = mountain_colour * (1 - snow) + np.array([0.92, 0.94, 0.98]) * relief * snow
    haze = 0.55 * _smoothstep((rows - mountains) / 55)[..., None]
    mountain_colour = mountain_colour * (1 - haze) + np.array([0.74, 0.80, 0.88]) * haze
    image = _blend(image, mountain_colour, _coverage(rows - mountains))

    # Middle hills: green fields with a fractal texture, darker in the folds and further down.
    hills = _ridge(rng, width, 208, 44, 3)
    grass = _fractal_noise(rng, shape, (12, 18), octaves=5)
    relief = np.clip(0.95 + 6 * np.gradient(grass, axis=1) - 4 * np.gradient(grass, axis=0), 0.7, 1.15)
    light = relief * (1 - 0.3 * _smoothstep((rows - hills) / 70))
    hill_colour = np.stack([0.30 + 0.20 * grass, 0.50 + 0.20 * grass, 0.18 + 0.10 * grass], axis=-1) * light[..., None]
    image = _blend(image, hill_colour, _coverage(rows - hills))

    # Conifers standing on the hills, lit from the right.
    image = _draw_trees(image, rng, hills, rows, cols)

    # Foreground meadow: fine vertical grass streaks and a few flowers.
    meadow = _ridge(rng, width, 272, 18, 2)
    streaks = _fractal_noise(rng, shape, (8, 120), octaves=3)
    detail = _fractal_noise(rng, shape, (40, 60), octaves=2)
    depth = _smoothstep((rows - meadow) / 50)[..., None]
    near = np.stack([0.22 + 0.25 * streaks, 0.40 + 0.30 * streaks, 0.10 + 0.10 * detail], axis=-1)
    image = _blend(image, near * (0.85 + 0.3 * depth), _coverage(rows - meadow))
    flowers = (rng.random(shape) < 0.004) & (rows > meadow + 4)
    image[flowers] = (0.98, 0.85, 0.25)
    return _to_uint8(image)


def _draw_trees(image, rng, ground, rows, cols):
    """Paint a few dozen conifers whose trunks stand on the ``ground`` line."""
    height, width = rows.shape
    polygons_dark, polygons_light, trunks = [], [], []
    for x in np.sort(rng.uniform(10, width - 10, size=34)):
        base = ground[int(x)] + rng.uniform(2, 14)
        tall = rng.uniform(26, 46) * (0.7 + 0.5 * (base - 180) / 60)
        half = tall * 0.26
        trunks.append([(x - 1.2, base), (x + 1.2, base), (x + 1.2, base - tall * 0.2), (x - 1.2, base - tall * 0.2)])
        for tier in range(3):
            bottom = base - tall * (0.12 + 0.28 * tier)
            top = bottom - tall * 0.5
            spread = half * (1 - 0.25 * tier)
            polygons_dark.append([(x - spread, bottom), (x, bottom), (x, top)])
            polygons_light.append([(x, bottom), (x + spread, bottom), (x, top)])
    image = _blend(image, (0.30, 0.20, 0.12), _polygons_mask(height, width, trunks))
    needles = _fractal_noise(rng, (height, width), (30, 45), octaves=2)[..., None]
    dark = np.array([0.07, 0.22, 0.12]) * (0.8 + 0.4 * needles)
    lit = np.array([0.16, 0.36, 0.18]) * (0.8 + 0.4 * needles)
    image = _blend(image, dark, _polygons_mask(height, width, polygons_dark))
    return _blend(image, lit, _polygons_mask(height, width, polygons_light))


def letter_f() -> np.ndarray:
    """A white "F" on black, 16×12: no symmetry at all, so any flip or rotation shows.

    Small enough to read every pixel value in the inspector.

    Returns
    -------
    ndarray of shape (16, 12), uint8
    """
    image = np.zeros((16, 12), dtype=np.uint8)
    image[2:14, 3:5] = 255  # stem
    image[2:4, 3:10] = 255  # top bar
    image[7:9, 3:8] = 255  # middle bar
    return image


SAMPLE_MAKERS = {
    "digit3.png": digit3,
    "edges.png": edges,
    "colour_blocks.png": colour_blocks,
    "zone_plate.png": zone_plate,
    "noisy.png": noisy,
    "texture_scene.png": texture_scene,
    "letter_f.png": letter_f,
}


def main(out_dir: str | Path | None = None) -> list[Path]:
    """Write every sample PNG into ``out_dir`` (default: the repository's ``sample_images/``).

    Parameters
    ----------
    out_dir : path-like, optional

    Returns
    -------
    list of Path
        The files written, in :data:`SAMPLE_MAKERS` order.
    """
    folder = Path(out_dir) if out_dir is not None else Path(__file__).resolve().parents[1] / "sample_images"
    written = []
    for file_name, make in SAMPLE_MAKERS.items():
        path = folder / file_name
        Image.fromarray(make()).save(path, format="PNG", optimize=True)
        written.append(path)
    return written


if __name__ == "__main__":
    for written_path in main(sys.argv[1] if len(sys.argv) > 1 else None):
        print(written_path)
