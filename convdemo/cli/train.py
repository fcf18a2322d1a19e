"""The ``train`` and ``evaluate`` subcommands (argparse wiring only; no Qt).

``convdemo/cli/main.py`` calls :func:`add_train_commands` on its subparsers; each subcommand
sets ``handler``, a function ``handler(args) -> int`` returning the exit code.
Problems the user can fix raise :class:`~convdemo.core.errors.ConvdemoError`,
which the main CLI prints as ``convdemo: error: <message>`` (exit 2).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from typing import TYPE_CHECKING, TextIO

if TYPE_CHECKING:
    from convdemo.core.nn.training import Progress, TrainingConfig

DATA_HELP = ("builtin-digits (default), builtin-shapes, a folder of IDX files, "
             "or a folder of class sub-folders of images")
BAR_WIDTH = 20
REDRAW_SECONDS = 0.1


def add_train_commands(subparsers: argparse._SubParsersAction) -> None:
    """Add ``train`` and ``evaluate`` to a CLI's subparsers.

    The mini-CNN is imported here and in the handlers, not with this module:
    the window form of the command never needs it.
    """
    from convdemo.core.nn import Architecture, TrainingConfig
    from convdemo.core.nn.model import CONV_LAYERS, KERNEL_SIZES
    from convdemo.core.nn.optim import OPTIMIZERS

    defaults = TrainingConfig()
    arch = Architecture()
    p = subparsers.add_parser(
        "train", help="train the mini-CNN on built-in or your own data",
        description="Train the small numpy CNN (conv -> ReLU -> max-pool [x2] -> dense -> softmax). "
                    "Progress goes to stderr; --json prints a report on stdout at the end.")
    p.add_argument("--data", default="builtin-digits", metavar="SOURCE", help=DATA_HELP)
    p.add_argument("--epochs", type=int, default=defaults.epochs,
                   help=f"passes over the data (default {defaults.epochs})")
    p.add_argument("--filters", type=int, default=arch.filters,
                   help=f"filters per conv layer, 1-32 (default {arch.filters})")
    p.add_argument("--conv-layers", type=int, choices=CONV_LAYERS, default=arch.conv_layers,
                   help="conv -> ReLU -> max-pool blocks (default 1)")
    p.add_argument("--kernel-size", type=int, choices=KERNEL_SIZES, default=arch.kernel_size,
                   help="filter size (default 3)")
    p.add_argument("--batch-size", type=int, default=defaults.batch_size,
                   help=f"images per update (default {defaults.batch_size})")
    p.add_argument("--lr", type=float, default=defaults.lr, help=f"learning rate (default {defaults.lr:g})")
    p.add_argument("--optimizer", choices=OPTIMIZERS, default=defaults.optimizer, help="default adam")
    p.add_argument("--seed", type=int, default=0, help="random seed: the same seed gives the same run (default 0)")
    p.add_argument("--val-split", type=float, default=0.1,
                   help="fraction held out for validation when the data has no test split (default 0.1)")
    p.add_argument("--color", action="store_true", help="image folders: train on colour instead of grey")
    p.add_argument("--save", metavar="MODEL.npz", help="save the trained model to this file")
    p.add_argument("--json", action="store_true", help="print a JSON report on stdout at the end")
    p.set_defaults(handler=run_train)

    e = subparsers.add_parser(
        "evaluate", help="score a saved model on a data set",
        description="Accuracy, per-class accuracy and confusion matrix of a saved model. Built-in data "
                    "sets are drawn fresh (never the training images); IDX folders use their test split.")
    e.add_argument("model", metavar="MODEL.npz", help="a model saved by 'convdemo train --save'")
    e.add_argument("--data", default="builtin-digits", metavar="SOURCE", help=DATA_HELP)
    e.add_argument("--seed", type=int, default=0, help="seed for built-in data (default 0)")
    e.add_argument("--json", action="store_true", help="print a JSON report on stdout")
    e.set_defaults(handler=run_evaluate)


class ProgressPrinter:
    """Progress on a stream: a bar redrawn in place on a terminal, one line per epoch otherwise."""

    def __init__(self, stream: TextIO) -> None:
        self.stream = stream
        self.live = stream.isatty()
        self._last_draw = 0.0

    def show(self, p: Progress) -> None:
        """Report one batch."""
        if p.end_of_epoch:
            val = "" if p.val_accuracy is None else f", validation {p.val_accuracy:.2%}"
            end = "\n"
            text = (f"epoch {p.epoch}/{p.epochs}: loss {p.epoch_loss:.4f}, accuracy {p.accuracy:.2%}{val}, "
                    f"{p.images_per_second:,.0f} images/s")
        elif self.live and time.monotonic() - self._last_draw >= REDRAW_SECONDS:
            filled = round(BAR_WIDTH * p.fraction_done)
            end = ""
            text = (f"epoch {p.epoch}/{p.epochs} [{'#' * filled}{'-' * (BAR_WIDTH - filled)}] "
                    f"{p.fraction_done:4.0%}  loss {p.epoch_loss:.4f}  accuracy {p.accuracy:.2%}  "
                    f"{p.images_per_second:,.0f} images/s")
        else:
            return
        prefix = "\r\x1b[K" if self.live else ""
        self.stream.write(prefix + text + end)
        self.stream.flush()
        self._last_draw = time.monotonic()

    def note(self, text: str) -> None:
        """A line of its own (data loading, saving)."""
        self.stream.write(text + "\n")
        self.stream.flush()


def _checked_train_options(args: argparse.Namespace) -> TrainingConfig:
    """Check every option of ``convdemo train`` that can be checked before the data are loaded.

    Returns
    -------
    TrainingConfig
        From ``--epochs``, ``--batch-size``, ``--lr``, ``--optimizer`` and ``--seed``.

    Raises
    ------
    ConvdemoError
        The first option out of range (the layer options are tried on the default
        28×28 input), or a ``--save`` path that cannot be written.
    """
    from convdemo.core.nn import Architecture, TrainingConfig
    from convdemo.core.nn.io import check_save_path

    config = TrainingConfig(epochs=args.epochs, batch_size=args.batch_size, lr=args.lr,
                            optimizer=args.optimizer, seed=args.seed)
    Architecture(filters=args.filters, kernel_size=args.kernel_size, conv_layers=args.conv_layers)
    if args.save:
        check_save_path(args.save)
    return config


def run_train(args: argparse.Namespace) -> int:
    """Handler of ``convdemo train``: check the options, load data, train, optionally save, report.

    Every option is checked before anything is loaded or printed; ``--val-split``
    and the data source are checked by ``load_training_data`` before it loads.
    """
    from convdemo.core.nn import Architecture, Model, load_training_data, save_model, train

    started = time.perf_counter()
    out = ProgressPrinter(sys.stderr)
    config = _checked_train_options(args)
    train_set, val_set = load_training_data(args.data, val_split=args.val_split, seed=args.seed, color=args.color)
    architecture = Architecture(input_shape=train_set.input_shape, n_classes=len(train_set.class_names),
                                filters=args.filters, kernel_size=args.kernel_size, conv_layers=args.conv_layers)
    model = Model(architecture, train_set.class_names, seed=args.seed)
    val_text = f", {len(val_set):,} for validation" if val_set is not None else ""
    out.note(f"training on {len(train_set):,} images{val_text}; {model.param_count():,} parameters")
    epochs_seen = []
    for progress in train(model, train_set, val_set, config):
        out.show(progress)
        if progress.end_of_epoch:
            epochs_seen.append(progress)
    if args.save:
        out.note(f"saved {save_model(args.save, model)}")
    last = epochs_seen[-1]
    train_seconds = sum(len(train_set) / p.images_per_second for p in epochs_seen)
    report = {
        "data": args.data,
        "classes": list(model.class_names),
        "train_images": len(train_set),
        "val_images": len(val_set) if val_set is not None else 0,
        "architecture": architecture.to_dict(),
        "parameters": model.param_count(),
        "optimizer": config.optimizer,
        "lr": config.lr,
        "batch_size": config.batch_size,
        "seed": args.seed,
        "epochs": len(epochs_seen),
        "train_loss": last.epoch_loss,
        "train_accuracy": last.accuracy,
        "val_loss": last.val_loss,
        "val_accuracy": last.val_accuracy,
        "images_per_second": len(train_set) * len(epochs_seen) / train_seconds,
        "seconds": time.perf_counter() - started,
        "saved": args.save,
    }
    if args.json:
        print(json.dumps(report))
    else:
        val = "no validation set" if last.val_accuracy is None else f"validation accuracy {last.val_accuracy:.2%}"
        print(f"{val}, training accuracy {last.accuracy:.2%} after {report['epochs']} epochs in "
              f"{report['seconds']:.1f} s ({report['images_per_second']:,.0f} images/s)")
    return 0


def run_evaluate(args: argparse.Namespace) -> int:
    """Handler of ``convdemo evaluate``: score a saved model on a data set."""
    from convdemo.core.nn import evaluate, load_model, load_test_data

    model = load_model(args.model)
    color = model.architecture.input_shape[2] == 3
    data = load_test_data(args.data, seed=args.seed, color=color)
    scores = evaluate(model, data)
    if args.json:
        print(json.dumps({"model": args.model, "data": args.data, "images": len(data), **scores.to_dict()}))
        return 0
    print(f"accuracy {scores.accuracy:.2%} on {len(data):,} images of {args.data}")
    width = max(len(name) for name in scores.class_names)
    print(f"{'class':>{width}}  accuracy  confusion (rows: true class, columns: predicted)")
    for name, accuracy, row in zip(scores.class_names, scores.per_class_accuracy, scores.confusion):
        print(f"{name:>{width}}  {accuracy:8.2%}  " + " ".join(f"{v:5d}" for v in row))
    return 0
