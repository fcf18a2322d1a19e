"""Peak memory of ``convdemo apply`` on a huge picture that compresses to almost nothing.

Target (issue "bad input never hangs, crashes or eats the machine", point 2):
with the default working size (longest side 1024) no image Pillow accepts makes
``convdemo apply IMAGE -o o.npy --kernel identity`` use more than 1 GiB of
resident memory at its peak.  The pictures are 9400×9400 (88 megapixels, just
under Pillow's decompression-bomb limit of 89.5), a flat colour with an alpha
gradient, so they are a few hundred kB on disk:

* 8-bit RGBA, made with Pillow and saved optimised (about 350 kB);
* 16-bit RGBA, which Pillow cannot write, so it is written here row by row;
* 16-bit grey (Pillow's ``I;16``).

Each ``apply`` runs in a child process; its peak resident set size comes from
``os.wait4``.  The pictures are made in another child, so that this process
stays small (Linux counts the parent's pages in a child's peak until it execs).
Before the tiled loader (convdemo 0.1.0 as released) the RGBA picture took 4.3 GiB.

Run: ``python benchmarks/bench_memory.py`` (takes about half a minute).
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import struct
import subprocess
import sys
import tempfile
import zlib
from collections.abc import Callable
from pathlib import Path

import numpy as np
from PIL import Image

SIDE = 9400
TARGET_MB = 1024
COLOUR = (200, 40, 90)


def rgba_png(path: Path, side: int) -> None:
    """8-bit RGBA with Pillow: a flat colour, alpha rising from 0 to 255 left to right."""
    pixels = np.empty((side, side, 4), dtype=np.uint8)
    pixels[..., :3] = COLOUR
    pixels[..., 3] = np.linspace(0, 255, side).round().astype(np.uint8)
    Image.fromarray(pixels, "RGBA").save(path, optimize=True)


def grey16_png(path: Path, side: int) -> None:
    """16-bit grey (``I;16``) with Pillow: a gradient from 0 to 65535 left to right."""
    row = np.linspace(0, 65535, side).round().astype(np.uint16)
    Image.fromarray(np.ascontiguousarray(np.broadcast_to(row, (side, side)))).save(path, optimize=True)


def rgba16_png(path: Path, side: int) -> None:
    """16-bit RGBA, written by hand: the first row in full, then rows that PNG's "Up" filter makes all zeros."""
    top = 65535
    row = np.empty((side, 4))
    row[:, :3] = [c * 257 for c in COLOUR]
    row[:, 3] = np.linspace(0, top, side).round()
    data = row.astype(">u2").tobytes()
    pack = zlib.compressobj(9)
    body = [pack.compress(b"\0" + data)]
    same_as_above = b"\2" + bytes(len(data))
    body += [pack.compress(same_as_above) for _ in range(side - 1)]
    body.append(pack.flush())
    header = struct.pack(">IIBBBBB", side, side, 16, 6, 0, 0, 0)  # 16 bits, colour type 6 = RGBA
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", header) + _chunk(b"IDAT", b"".join(body))
                     + _chunk(b"IEND", b""))


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


CASES: dict[str, tuple[str, Callable[[Path, int], None]]] = {
    "RGBA": ("rgba.png", rgba_png),
    "16-bit RGBA": ("rgba16.png", rgba16_png),
    "16-bit grey": ("grey16.png", grey16_png),
}


def peak_mb(command: list[str]) -> float:
    """Run ``command`` to its end and return its peak resident set size in MB (a failed run stops the benchmark)."""
    child = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(child.pid, 0)
    child.returncode = os.waitstatus_to_exitcode(status)
    error = child.stderr.read().decode() if child.stderr else ""
    if child.returncode != 0:
        raise SystemExit(f"{' '.join(command)} failed with exit code {child.returncode}: {error.strip()}")
    return usage.ru_maxrss / 1024  # kB on Linux


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--side", type=int, default=SIDE, help=f"picture side in pixels (default {SIDE})")
    args = parser.parse_args()
    peaks = {}
    with tempfile.TemporaryDirectory(prefix="convdemo-bench-") as folder:
        for label, (name, make) in CASES.items():
            picture = Path(folder) / name
            maker = multiprocessing.get_context("spawn").Process(target=make, args=(picture, args.side))
            maker.start()
            maker.join()
            if maker.exitcode:
                raise SystemExit(f"making the {label} picture failed (exit code {maker.exitcode})")
            out = Path(folder) / "out.npy"
            peaks[label] = peak_mb([sys.executable, "-m", "convdemo", "apply", str(picture), "-o", str(out),
                                    "--kernel", "identity"])
            print(f"{label:<12} {picture.stat().st_size / 1024:6.0f} kB on disk, apply peak {peaks[label]:5.0f} MB",
                  flush=True)
    worst = max(peaks, key=peaks.__getitem__)
    print(f"memory: apply {args.side}x{args.side} {worst} png peak {peaks[worst]:.0f} MB (target <= {TARGET_MB} MB)")
    return 0 if peaks[worst] <= TARGET_MB else 1


if __name__ == "__main__":
    raise SystemExit(main())
