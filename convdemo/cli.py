"""The ``convdemo`` command line: the window by default, plus ``apply``, ``presets``, ``train``, ``evaluate``.

Every user error ends with exit code 2 and one line on stderr starting
``convdemo: error:``; no traceback.
"""

from __future__ import annotations

import argparse
import io
import os
import sys
from pathlib import Path

import numpy as np

from convdemo import __version__
from convdemo.core.errors import ConvdemoError, ParameterError

COMMANDS = ("apply", "presets", "train", "evaluate")
# Options whose value may start with '-' (a negative number or weights like "-1,0,1;...").
_SIGNED_VALUE_OPTIONS = ("--weights", "--bias", "--divisor")


class _Parser(argparse.ArgumentParser):
    """An ArgumentParser whose errors are one line: ``convdemo: error: ...``."""

    def error(self, message: str):
        hint = f" (see '{self.prog} --help')"
        raise _UsageError(message + hint)


class _UsageError(Exception):
    pass


def _join_signed_values(argv: list[str]) -> list[str]:
    """Turn ``--weights -1,0,1`` into ``--weights=-1,0,1`` so argparse accepts a leading minus."""
    out: list[str] = []
    i = 0
    while i < len(argv):
        token = argv[i]
        if token in _SIGNED_VALUE_OPTIONS and i + 1 < len(argv):
            out.append(f"{token}={argv[i + 1]}")
            i += 2
            continue
        out.append(token)
        i += 1
    return out


def _pair_text(text: str, name: str) -> int | tuple[int, int]:
    parts = [p.strip() for p in text.replace("x", ",").split(",")]
    try:
        values = [int(p) for p in parts]
    except ValueError:
        raise ParameterError(f"{name} must be a whole number or two separated by a comma, not {text!r}.") from None
    if len(values) == 1:
        return values[0]
    if len(values) == 2:
        return values[0], values[1]
    raise ParameterError(f"{name} takes one or two numbers, not {text!r}.")


def _padding_text(text: str):
    word = text.strip().lower()
    return word if word in ("valid", "same", "full") else _pair_text(text, "padding")


def _add_apply(sub) -> None:
    from convdemo.core.display import DISPLAY_MODES
    from convdemo.core.ops import ACTIVATIONS, BORDERS, POOLS
    from convdemo.core.params import CHANNEL_MODES, STAGES

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
    p.add_argument("--border", default="zero", choices=BORDERS, help="fill of padded cells (default zero)")
    p.add_argument("--dilation", default="1", help="gap between kernel taps: D or DY,DX (default 1 = none)")
    p.add_argument("--flip", action="store_true", help="true convolution: rotate the kernel 180° first")
    p.add_argument("--divisor", type=float, help="divide the sum by this (default: the preset's, else 1)")
    p.add_argument("--bias", type=float, help="add this after dividing (default: the preset's, else 0)")
    p.add_argument("--channels", default="gray", choices=CHANNEL_MODES, help="how colour is treated (default gray)")
    p.add_argument("--activation", default="none", choices=ACTIVATIONS, help="after the convolution (default none)")
    p.add_argument("--pool", default="none", choices=POOLS, help="pooling after the activation (default none)")
    p.add_argument("--pool-size", type=int, default=2, help="pooling window P (default 2)")
    p.add_argument("--pool-stride", type=int, help="pooling step (default: the window size)")
    p.add_argument("--stage", choices=STAGES, help="which stage to save (default: the last enabled one)")
    p.add_argument("--display", default="auto", choices=DISPLAY_MODES,
                   help="PNG mapping (default auto: diverging when there are negative values, else clip)")
    p.add_argument("--max-size", default="1024", help="reduce images whose longest side is larger (default 1024; 'full' = never)")
    p.set_defaults(handler=_cmd_apply)


def _cmd_apply(args) -> int:
    from convdemo.core.display import to_display
    from convdemo.core.fileio import atomic_write
    from convdemo.core.images import parse_max_size, read_image, save_png
    from convdemo.core.kernels import Kernel, parse_weights
    from convdemo.core.pipeline import as_kernel, run

    out = Path(args.output)
    if out.suffix.lower() not in (".png", ".npy"):
        raise ParameterError(f"the output must end in .png or .npy, not {out.name!r}.")
    if not out.parent.is_dir():
        raise ParameterError(f"cannot write {str(out)!r}: the folder {str(out.parent)!r} does not exist.")
    kernel = as_kernel(args.kernel) if args.kernel else Kernel.from_array(parse_weights(args.weights))
    loaded = read_image(args.image, max_size=parse_max_size(args.max_size))
    if loaded.pixels.shape[:2] != tuple(loaded.original_size):
        print(f"convdemo: note: {loaded.describe()} (use --max-size full to keep every pixel)", file=sys.stderr)
    stages = run(
        loaded.pixels, kernel, stride=_pair_text(args.stride, "stride"), padding=_padding_text(args.padding),
        border=args.border, dilation=_pair_text(args.dilation, "dilation"), flip=args.flip,
        divisor=args.divisor, bias=args.bias, channels=args.channels, activation=args.activation,
        pool=args.pool, pool_size=args.pool_size, pool_stride=args.pool_stride,
    )
    array = stages.stage(args.stage) if args.stage else stages.output
    if out.suffix.lower() == ".npy":
        buffer = io.BytesIO()
        np.save(buffer, np.ascontiguousarray(array, dtype=np.float32))
        atomic_write(out, lambda f: f.write(buffer.getvalue()))
    else:
        save_png(out, to_display(array, args.display).rgb)
    return 0


def _add_presets(sub) -> None:
    p = sub.add_parser("presets", help="list, show, export or import kernel presets",
                       description="The shipped kernel library and your own presets.")
    actions = p.add_subparsers(dest="action", required=True, metavar="{list,show,export,import}")
    actions.add_parser("list", help="every preset with its description").set_defaults(handler=_cmd_presets_list)
    show = actions.add_parser("show", help="one preset's weights and description")
    show.add_argument("name")
    show.set_defaults(handler=_cmd_presets_show)
    export = actions.add_parser("export", help="write a preset to a .json file")
    export.add_argument("name")
    export.add_argument("file")
    export.add_argument("--force", action="store_true", help="overwrite FILE if it exists")
    export.set_defaults(handler=_cmd_presets_export)
    imp = actions.add_parser("import", help="copy a preset .json file into your presets folder")
    imp.add_argument("file")
    imp.add_argument("--force", action="store_true", help="replace your preset of the same name")
    imp.set_defaults(handler=_cmd_presets_import)


def _library():
    from convdemo.core.presets import default_library

    return default_library()


def _warn_bad_presets(library) -> None:
    for path, message in library.errors:
        print(f"convdemo: warning: skipped {message}", file=sys.stderr)


def _cmd_presets_list(args) -> int:
    library = _library()
    names = library.names()
    width = max(map(len, names), default=0)
    for name in names:
        kernel = library[name]
        kh, kw = kernel.shape
        tag = " (yours)" if library.is_user(name) else ""
        print(f"{name:<{width}}  {kh}×{kw}  {kernel.description}{tag}")
    _warn_bad_presets(library)
    return 0


def _cmd_presets_show(args) -> int:
    kernel = _library().resolve(args.name)
    print(f"name:        {kernel.name}")
    print(f"description: {kernel.description}")
    print(f"size:        {kernel.shape[0]}×{kernel.shape[1]}" + (" ×3 channels" if kernel.is_per_channel else ""))
    print(f"divisor:     {kernel.divisor:g}")
    print(f"bias:        {kernel.bias:g}")
    if kernel.source:
        print(f"file:        {kernel.source}")
    planes = kernel.weights if kernel.is_per_channel else [kernel.weights]
    for label, plane in zip(("R", "G", "B") if kernel.is_per_channel else ("",), planes):
        print(f"weights{(' ' + label) if label else ''}:")
        for row in plane:
            print("  " + "  ".join(f"{v:>7g}" for v in row))
    return 0


def _cmd_presets_export(args) -> int:
    path = _library().export(args.name, args.file, overwrite=args.force)
    print(f"wrote {path}")
    return 0


def _cmd_presets_import(args) -> int:
    kernel = _library().import_file(args.file, overwrite=args.force)
    print(f"imported {kernel.name!r} into {_library().user_dir}")
    return 0


def _add_train(sub) -> None:
    from convdemo.train_cli import add_train_commands

    add_train_commands(sub)


def build_parser() -> argparse.ArgumentParser:
    """The parser of the subcommands (``apply``, ``presets``, ``train``, ``evaluate``)."""
    parser = _Parser(prog="convdemo", description="See how convolution and pooling work.")
    parser.add_argument("--version", action="version", version=f"convdemo {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="{" + ",".join(COMMANDS) + "}")
    _add_apply(sub)
    _add_presets(sub)
    _add_train(sub)
    return parser


def build_gui_parser() -> argparse.ArgumentParser:
    """The parser of the window form: ``convdemo [IMAGE] [--screenshot OUT.png]``."""
    parser = _Parser(
        prog="convdemo",
        description="A desktop lab for seeing how convolution and pooling work. "
                    "With no command it opens the window (on a built-in sample unless IMAGE is given).",
        epilog="commands (each has --help):\n"
               "  apply     apply a kernel to an image and save a stage as PNG or .npy\n"
               "  presets   list, show, export or import kernel presets\n"
               "  train     train the mini-CNN on built-in or your own data\n"
               "  evaluate  measure a saved mini-CNN on a data set",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"convdemo {__version__}")
    parser.add_argument("image", nargs="?", help="image to open (default: a built-in sample)")
    parser.add_argument("--screenshot", metavar="OUT.png",
                        help="render the window offscreen after the first result and save it, then exit")
    parser.add_argument("--max-size", default=None, help="working resolution: longest side in pixels, or 'full'")
    parser.set_defaults(handler=_cmd_gui)
    return parser


def _cmd_gui(args) -> int:
    from convdemo.core.images import parse_max_size

    max_size = None if args.max_size is None else parse_max_size(args.max_size)
    if args.screenshot and not Path(args.screenshot).resolve().parent.is_dir():
        raise ParameterError(f"cannot write {args.screenshot!r}: its folder does not exist.")
    from convdemo.gui.app import launch

    return launch(image=args.image, screenshot=args.screenshot, max_size=max_size)


def main(argv: list[str] | None = None) -> int:
    """Entry point of the ``convdemo`` command; returns the exit code."""
    argv = _join_signed_values(list(sys.argv[1:] if argv is None else argv))
    is_command = bool(argv) and argv[0] in COMMANDS
    try:
        parser = build_parser() if is_command else build_gui_parser()
        args = parser.parse_args(argv)
        return args.handler(args)
    except (ConvdemoError, _UsageError) as error:
        return _fail(str(error))
    except BrokenPipeError:  # e.g. `convdemo presets list | head`: the reader has gone, nothing to say
        sys.stdout = open(os.devnull, "w")  # noqa: SIM115 - keeps Python's exit-time flush quiet
        return 0
    except OSError as error:
        where = f" {error.filename!r}" if error.filename else ""
        return _fail(f"cannot access{where}: {error.strerror or error}.")
    except KeyboardInterrupt:
        return _fail("interrupted.", code=130)


def _fail(message: str, code: int = 2) -> int:
    print(f"convdemo: error: {' '.join(message.split())}", file=sys.stderr)
    return code

