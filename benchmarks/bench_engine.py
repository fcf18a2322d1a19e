"""Engine speed as ratios to a plain memory copy of the same array, measured in one run.

Targets (issue 2): a 3×3 'same' per-channel convolution of a 4032×3024×3
float32 image in ≤ 4× the time of ``np.copyto`` of that array; 2×2 max
pooling of it in ≤ 3×. Also prints 1 MP and 5×5 / 7×7 figures (a 1 MP array
fits in the CPU cache, so its copy is unusually fast and the ratios are higher).

Run: ``python benchmarks/bench_engine.py`` (takes about a minute).
"""

from __future__ import annotations

import argparse
import time

import numpy as np

import convdemo
from convdemo.core import ops

# Not separable and no repeated weights: the engine's general (slowest) path.
GENERAL_3x3 = np.array([[0.1, 0.2, -0.3], [0.4, 0.5, 0.6], [-0.7, 0.8, 0.9]])


def best_time(fn, repeats: int) -> float:
    """Best wall time of ``repeats`` calls, in seconds."""
    best = float("inf")
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - start)
    return best


def measure(image: np.ndarray, repeats: int) -> list[tuple[str, float, float | None]]:
    """Rows of (label, ratio to np.copyto, target) for one image size."""
    scratch = np.empty_like(image)
    rng = np.random.default_rng(0)
    cases = [
        ("3×3 general, same, per-channel", lambda: convdemo.run(image, GENERAL_3x3, padding="same",
                                                                channels="per-channel"), 4.0),
        ("3×3 sharpen, same, per-channel", lambda: convdemo.run(image, "sharpen", padding="same",
                                                                channels="per-channel"), None),
        ("3×3 general, valid, gray", lambda: convdemo.run(image, GENERAL_3x3, channels="gray"), None),
        ("5×5 general, same, per-channel", lambda: ops.correlate(image, rng.normal(size=(5, 5)),
                                                                 padding="same"), None),
        ("7×7 general, same, per-channel", lambda: ops.correlate(image, rng.normal(size=(7, 7)),
                                                                 padding="same"), None),
        ("2×2 max pooling", lambda: ops.pool(image, "max"), 3.0),
        ("2×2 avg pooling", lambda: ops.pool(image, "avg"), None),
    ]
    rows = []
    for label, fn, target in cases:
        fn()  # warm up (threads, page faults)
        # Interleave: copy and operation measured back to back, so both see the same machine state.
        copy = best_time(lambda: np.copyto(scratch, image), repeats)
        took = best_time(fn, repeats)
        rows.append((label, took / copy, target, took))
    return rows


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=7)
    args = parser.parse_args()
    rng = np.random.default_rng(1)
    failed = False
    targeted = []
    for name, shape in (("12 MP (4032×3024×3)", (3024, 4032, 3)), ("1 MP (1024×1024×3)", (1024, 1024, 3))):
        image = rng.uniform(0, 255, shape).astype(np.float32)
        print(f"\n{name}: time ÷ np.copyto of the same array (lower is better)")
        for label, ratio, target, took in measure(image, args.repeats):
            target = target if shape[0] == 3024 else None  # the targets are for the 12 MP photo
            verdict = "" if target is None else f"  target ≤ {target:.0f}×  {'OK' if ratio <= target else 'MISSED'}"
            failed |= target is not None and ratio > target
            if target is not None:
                targeted.append(f"{label.split(',')[0].replace(' ', '-')} {ratio:.2f}x (<= {target:.0f})")
            print(f"  {label:<34} {ratio:6.2f}×  ({took * 1000:7.1f} ms){verdict}")
    print("engine: 12MP " + " ".join(targeted) + " (time / np.copyto)")
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
