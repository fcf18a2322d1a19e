"""``convdemo apply``: one image through the pipeline, one stage saved as PNG or .npy."""

from __future__ import annotations

import io
import os
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from convdemo.cli.parsing import padding_text, pair_text
from convdemo.core.errors import ParameterError

if TYPE_CHECKING:
    from convdemo.core.kernels import Kernel
    from convdemo.core.params import Settings


def _diagrams() -> str:
    """The border fills as ``zero (0 0 | a b c d | 0 0), reflect (...)`` for the help text."""
    from convdemo.core.modes import BORDERS

    return ", ".join(f"{b.name} ({b.diagram})" for b in BORDERS.values())


def add_apply_command(sub) -> None:
    """Add ``apply`` to the CLI's subparsers; its options have the names and defaults of :func:`convdemo.run`."""
    from convdemo.core.decoding import MEMORY_BUDGET
    from convdemo.core.modes import ACTIVATIONS, BORDERS, CHANNEL_MODES, DISPLAY_MODES, POOLS
    from convdemo.core.params import STAGES
    from convdemo.core.safe_open import size_text

    p = sub.add_parser(
        "apply", help="apply a kernel to an image and save a stage as PNG or .npy",
        description="Convolve (cross-correlate) IMAGE with a kernel, then activate and pool, and save one stage. "
                    ".npy files hold the raw float32 stage; PNG files go through the display mapping.",
    )
    p.add_argument("image", help="input image (any format Pillow reads)")
    p.add_argument("-o", "--output", required=True, help="output file: .png (display mapping) or .npy (raw float32)")
    which = p.add_mutually_exclusive_group(required=True)
    which.add_argument("--kernel", help="preset name (see 'convdemo presets list') or a preset .json file")
    which.add_argument("--weights", help='weights, rows separated by ";", e.g. "1,0,-1;2,0,-2;1,0,-1"')
    p.add_argument("--stride", default="1", help="step between outputs: S or SY,SX (default 1)")
    p.add_argument("--padding", default="valid", help="valid | same | full | P | PY,PX (default valid)")
    p.add_argument("--border", default="zero", choices=list(BORDERS),
                   help="fill of padded cells (default zero): " + _diagrams())
    p.add_argument("--dilation", default="1", help="gap between kernel taps: D or DY,DX (default 1 = none)")
    p.add_argument("--flip", action="store_true", help="true convolution: rotate the kernel 180° first")
    p.add_argument("--divisor", type=float, help="divide the sum by this (default: the preset's, else 1)")
    p.add_argument("--bias", type=float, help="add this after dividing (default: the preset's, else 0)")
    p.add_argument("--channels", default="gray", choices=list(CHANNEL_MODES),
                   help="how colour is treated (default gray)")
    p.add_argument("--activation", default="none", choices=list(ACTIVATIONS),
                   help="after the convolution (default none); sigmoid and tanh work on the 0–255 scale")
    p.add_argument("--pool", default="none", choices=list(POOLS), help="pooling after the activation (default none)")
    p.add_argument("--pool-size", type=int, default=2, help="pooling window P (default 2)")
    p.add_argument("--pool-stride", type=int, help="pooling step (default: the window size)")
    p.add_argument("--stage", choices=STAGES, help="which stage to save (default: the last enabled one)")
    p.add_argument("--display", default="auto", choices=list(DISPLAY_MODES),
                   help="PNG mapping (default auto: diverging when there are negative values, else clip)")
    p.add_argument("--max-size", default="1024",
                   help="reduce images whose longest side is larger (default 1024; 'full' = never); "
                        f"a size too large to load in {size_text(MEMORY_BUDGET)} of memory is refused, "
                        "naming the largest that fits")
    p.set_defaults(handler=_cmd_apply)


def _cmd_apply(args) -> int:
    """Handler of ``convdemo apply``: everything cheap is checked first, then the image is loaded, then computed."""
    from convdemo.core.display import to_display
    from convdemo.core.images import parse_max_size, read_image, save_png
    from convdemo.core.pipeline import run_settings

    out = _checked_output(args.output)
    max_size = parse_max_size(args.max_size)
    kernel = _kernel(args)
    settings = _settings(args, kernel)
    loaded = read_image(args.image, max_size=max_size)
    stages = run_settings(loaded.pixels, kernel, settings)
    array = stages.stage(args.stage) if args.stage else stages.output
    if out.suffix.lower() == ".npy":
        _save_npy(out, array)
    else:
        save_png(out, to_display(array, args.display).rgb)
    if loaded.reduced:
        args.notes.append(f"{loaded.describe()} (use --max-size full to keep every pixel)")
    return 0


def _checked_output(text: str) -> Path:
    """The output path, once its suffix is known and its folder exists and may be written to."""
    out = Path(text)
    if out.suffix.lower() not in (".png", ".npy"):
        raise ParameterError(f"the output must end in .png or .npy, not {out.name!r}.")
    folder = out.parent
    if not folder.is_dir():
        raise ParameterError(f"cannot write {text!r}: the folder {str(folder)!r} does not exist.")
    if out.is_dir():
        raise ParameterError(f"cannot write {text!r}: it is a folder; give a file name ending in {out.suffix}.")
    if not os.access(folder, os.W_OK | os.X_OK):
        raise ParameterError(f"cannot write {text!r}: you may not write to the folder {str(folder)!r}.")
    return out


def _kernel(args) -> Kernel:
    """The kernel of ``--kernel`` (a preset name or file) or ``--weights`` (text)."""
    from convdemo.core.kernels import Kernel, parse_weights
    from convdemo.core.pipeline import as_kernel

    return as_kernel(args.kernel) if args.kernel else Kernel.from_array(parse_weights(args.weights))


def _settings(args, kernel: Kernel) -> Settings:
    """Every pipeline option, validated before the image is loaded; divisor and bias default to the kernel's."""
    from convdemo.core.params import Settings

    return Settings(
        stride=pair_text(args.stride, "stride"), padding=padding_text(args.padding), border=args.border,
        dilation=pair_text(args.dilation, "dilation"), flip=args.flip,
        divisor=kernel.divisor if args.divisor is None else args.divisor,
        bias=kernel.bias if args.bias is None else args.bias,
        channels=args.channels, activation=args.activation, pool=args.pool,
        pool_size=args.pool_size, pool_stride=args.pool_stride,
    )


def _save_npy(out: Path, array: np.ndarray) -> None:
    """Write ``array`` as float32 ``.npy``, atomically."""
    from convdemo.core.fileio import atomic_write

    buffer = io.BytesIO()
    np.save(buffer, np.ascontiguousarray(array, dtype=np.float32))
    atomic_write(out, lambda f: f.write(buffer.getvalue()))
