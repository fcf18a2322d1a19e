"""The window form of the command: ``convdemo [IMAGE] [--screenshot OUT.png] [--max-size N] [--about]``."""

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
    parser.add_argument("--max-size", default=None, help="working resolution: longest side in pixels, or 'full'")
    parser.set_defaults(handler=_cmd_gui)
    return parser


def _cmd_gui(args) -> int:
    if args.about:
        from convdemo.cli.about import about_text

        print(about_text())
        return 0
    from convdemo.core.images import parse_max_size

    max_size = None if args.max_size is None else parse_max_size(args.max_size)
    if args.screenshot and not Path(args.screenshot).resolve().parent.is_dir():
        raise ParameterError(f"cannot write {args.screenshot!r}: its folder does not exist.")
    from convdemo.gui.app import launch

    return launch(image=args.image, screenshot=args.screenshot, max_size=max_size)
