"""The ``convdemo`` command line: the window by default, plus ``apply``, ``presets``, ``train``, ``evaluate``.

Every user error ends with exit code 2 and one line on stderr starting
``convdemo: error:``; no traceback.
"""

from __future__ import annotations

import argparse
import os
import sys

from convdemo import __version__
from convdemo.cli.apply import add_apply_command
from convdemo.cli.parsing import Parser, UsageError
from convdemo.cli.presets import add_presets_command
from convdemo.cli.train import add_train_commands
from convdemo.cli.window import build_gui_parser
from convdemo.core.errors import ConvdemoError

COMMANDS = ("apply", "presets", "train", "evaluate")
# Options whose value may start with '-' (a negative number or weights like "-1,0,1;...").
_SIGNED_VALUE_OPTIONS = ("--weights", "--bias", "--divisor")


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


def build_parser() -> argparse.ArgumentParser:
    """The parser of the subcommands (``apply``, ``presets``, ``train``, ``evaluate``)."""
    parser = Parser(prog="convdemo", description="See how convolution and pooling work.")
    parser.add_argument("--version", action="version", version=f"convdemo {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="{" + ",".join(COMMANDS) + "}")
    add_apply_command(sub)
    add_presets_command(sub)
    add_train_commands(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Entry point of the ``convdemo`` command; returns the exit code."""
    argv = _join_signed_values(list(sys.argv[1:] if argv is None else argv))
    is_command = bool(argv) and argv[0] in COMMANDS
    try:
        parser = build_parser() if is_command else build_gui_parser()
        args = parser.parse_args(argv)
        return args.handler(args)
    except (ConvdemoError, UsageError) as error:
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

