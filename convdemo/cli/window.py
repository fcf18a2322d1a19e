"""The window form of the command: ``convdemo [IMAGE] [--screenshot OUT.png] [--size WxH] [--max-size N] [--about]``."""

from __future__ import annotations

import argparse
from pathlib import Path

from convdemo import __version__
from convdemo.cli.parsing import Parser
from convdemo.core.errors import ParameterError


def build_gui_parser() -> argparse.ArgumentParser:
    """The parser of the window form: ``convdemo [IMAGE] [--screenshot OUT.png]``."""
    parser = Parser(
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
    parser.add_argument("--about", action="store_true",
                        help="print versions, the engine path and folders, for bug reports, and exit")
    parser.add_argument("image", nargs="?", help="image to open (default: a built-in sample)")
    parser.add_argument("--screenshot", metavar="OUT.png",
                        help="render the window offscreen after the first result and save it, then exit")
    parser.add_argument("--max-size", default=None,
                        help="working resolution: longest side in pixels, or 'full' (default: as last time)")
    parser.add_argument("--size", metavar="WxH", default=None,
                        help="window size in pixels, e.g. 1366x768 for a projector (default: as last time; "
                             "a screenshot uses the first-start size, 1440x900)")
    parser.set_defaults(handler=_cmd_gui)
    return parser


def _cmd_gui(args) -> int:
    if args.about:
        from convdemo.cli.about import about_text

        print(about_text())
        return 0
    from convdemo.core.images import parse_max_size

    if args.max_size is not None:
        parse_max_size(args.max_size)  # a mistake is reported before Qt starts
    size = window_size(args.size) if args.size else None
    if args.screenshot and not Path(args.screenshot).resolve().parent.is_dir():
        raise ParameterError(f"cannot write {args.screenshot!r}: its folder does not exist.")
    from convdemo.gui.app import launch

    return launch(image=args.image, screenshot=args.screenshot, max_size=args.max_size, size=size)


def window_size(text: str) -> tuple[int, int]:
    """``'1366x768'`` → ``(1366, 768)``; a clear error for anything else.

    >>> window_size("1280x800")
    (1280, 800)
    """
    parts = text.lower().replace("×", "x").split("x")
    try:
        width, height = (int(p) for p in parts)
    except ValueError:
        raise ParameterError(f"--size takes WIDTHxHEIGHT in pixels such as 1366x768, not {text!r}.") from None
    if not (640 <= width <= 16384 and 480 <= height <= 16384):
        raise ParameterError(f"--size must be between 640x480 and 16384x16384 pixels, not {text!r}.")
    return width, height
