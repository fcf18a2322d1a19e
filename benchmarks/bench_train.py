"""Mini-CNN training throughput (images/s), ours against PyTorch CPU, measured in one run.

Targets (issue 4): ≥ 1.0× PyTorch on the default net (conv 8×3×3 -> ReLU ->
max-pool -> dense 10, batch 128) and ≥ 0.8× with the second conv block.
Both sides run the same architecture, Adam and batches; PyTorch on 2 threads,
ours with numpy's BLAS on one thread as in training (see ``convdemo/core/nn/threads.py``);
rounds alternate ours / PyTorch so both see the same machine load, and the
best round of each counts.

PyTorch is an optional, benchmark-only install (``pip install torch``); without
it the script says so and prints our figures alone.

Run: ``python benchmarks/bench_train.py`` (about half a minute).
"""

from __future__ import annotations

import argparse
import time

import numpy as np

from convdemo.core.nn import Architecture, Model
from convdemo.core.nn.optim import Adam
from convdemo.core.nn.threads import one_blas_thread

THREADS = 2
"""PyTorch's thread count: the machine's cores."""
TARGETS = {1: 1.0, 2: 0.8}
PAUSE = 0.3
"""Seconds of rest before each timed round: idle OpenMP/OpenBLAS worker threads of the side that
ran last keep spinning for a while and would steal the cores from the other side."""


def ours_trainer(conv_layers: int, x: np.ndarray, y: np.ndarray):
    """A function that trains our model on every batch of (x, y) once."""
    model = Model(Architecture(conv_layers=conv_layers), seed=0)
    optimizer = Adam(model.parameters(), lr=1e-3)

    def run() -> None:
        with one_blas_thread():  # as in convdemo.core.nn.training.train
            for xb, yb in zip(x, y):
                model.train_step(xb, yb)
                optimizer.step()
    return run


def torch_trainer(conv_layers: int, x: np.ndarray, y: np.ndarray):
    """The same with PyTorch, or None when it is not installed."""
    try:
        import torch
    except ImportError:
        return None
    torch.set_num_threads(THREADS)
    torch.manual_seed(0)
    a = Architecture(conv_layers=conv_layers)
    layers, channels = [], 1
    for _ in range(a.conv_layers):
        layers += [torch.nn.Conv2d(channels, a.filters, a.kernel_size), torch.nn.ReLU(), torch.nn.MaxPool2d(2)]
        channels = a.filters
    features = Model(a).layer_shapes()[-2][1][0]
    net = torch.nn.Sequential(*layers, torch.nn.Flatten(), torch.nn.Linear(features, a.n_classes))
    optimizer = torch.optim.Adam(net.parameters(), lr=1e-3)
    loss_fn = torch.nn.CrossEntropyLoss()
    tx = [torch.from_numpy(np.ascontiguousarray(b.transpose(0, 3, 1, 2))) for b in x]
    ty = [torch.from_numpy(b) for b in y]

    def run() -> None:
        for xb, yb in zip(tx, ty):
            optimizer.zero_grad()
            loss_fn(net(xb), yb).backward()
            optimizer.step()
    return run


def timed(run) -> float:
    """Seconds taken by ``run()``, after a pause that lets the other side's worker threads fall asleep."""
    time.sleep(PAUSE)
    start = time.perf_counter()
    run()
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--batches", type=int, default=40, help="batches per round (default 40)")
    parser.add_argument("--rounds", type=int, default=7, help="alternating rounds; the best counts (default 7)")
    parser.add_argument("--batch-size", type=int, default=128)
    args = parser.parse_args()
    rng = np.random.default_rng(0)
    x = rng.random((args.batches, args.batch_size, 28, 28, 1), dtype=np.float32)
    y = rng.integers(0, 10, (args.batches, args.batch_size))
    images = args.batches * args.batch_size
    missing = False
    summary = []
    for conv_layers, target in TARGETS.items():
        ours, theirs = ours_trainer(conv_layers, x, y), torch_trainer(conv_layers, x, y)
        best_ours = best_torch = float("inf")
        for _ in range(args.rounds + 1):  # the first round warms up and is not counted
            t_ours, t_torch = timed(ours), (timed(theirs) if theirs else float("inf"))
            if _:
                best_ours, best_torch = min(best_ours, t_ours), min(best_torch, t_torch)
        name = "default net" if conv_layers == 1 else "2 conv blocks"
        line = f"{name:14s} ours {images / best_ours:8,.0f} images/s"
        if theirs is None:
            missing = True
        else:
            ratio = best_torch / best_ours
            verdict = "ok" if ratio >= target else "BELOW TARGET"
            line += (f"   PyTorch {images / best_torch:8,.0f} images/s   "
                     f"ratio {ratio:.2f}× (target ≥ {target}×, {verdict})")
        print(line, flush=True)
        versus = "" if theirs is None else f" {best_torch / best_ours:.2f}x PyTorch (>= {target})"
        summary.append(f"{conv_layers}-block {images / best_ours:.0f} img/s{versus}")
    if missing:
        print("PyTorch is not installed, so there is nothing to compare with; `pip install torch` to measure the "
              "ratios (it is a benchmark-only dependency).")
    print("train: " + ", ".join(summary))


if __name__ == "__main__":
    main()
