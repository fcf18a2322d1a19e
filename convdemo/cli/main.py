"""The ``convdemo`` command line: the window by default, plus ``apply``, ``presets``, ``train``, ``evaluate``.

Every user error ends with exit code 2 and one line on stderr starting
``convdemo: error:``, always the last line there; no traceback.  So that nothing
else slips in, every command form runs inside :func:`_captured`:

* Python warnings (Pillow's, numpy's) are recorded instead of printed;
* what C libraries write straight to file descriptor 2 (libtiff, libjpeg, Qt)
  goes to a temporary file, while Python's own ``sys.stderr`` (the progress of
  ``convdemo train``) still reaches the terminal;
* notes a command leaves in ``args.notes`` wait until it has succeeded.

On success the recorded messages are dropped, unless ``-v``/``--verbose`` prints
them as ``convdemo: warning: ...`` lines; then come the notes.  On error only the
error line is printed; when the problem is with a file, the decoder's last word
(a C library's last line, else Pillow's last warning) is folded into it:
``... the file is truncated or damaged (ZIPDecode: Decoding error at scanline 85,
incorrect header check).``
"""

from __future__ import annotations

import argparse
import io
import os
import sys
import tempfile
import warnings
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from convdemo import __version__
from convdemo.cli.apply import add_apply_command
from convdemo.cli.parsing import Parser, UsageError
from convdemo.cli.presets import add_presets_command
from convdemo.cli.train import add_train_commands
from convdemo.cli.window import build_gui_parser
from convdemo.core.errors import ConvdemoError, ParameterError

COMMANDS = ("apply", "presets", "train", "evaluate")
# Options whose value may start with '-' (a negative number or weights like "-1,0,1;...").
_SIGNED_VALUE_OPTIONS = ("--weights", "--bias", "--divisor")
_VERBOSE_FLAGS = ("-v", "--verbose")
CAPTURE_TAIL_BYTES = 64 << 10
"""Of what C libraries wrote to stderr during a command, only this much (the end) is kept."""
FOLDED_CHARS = 160
"""A library message folded into an error sentence is cut to about this many characters."""


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


def _add_verbose(parser: argparse.ArgumentParser) -> None:
    """Give ``parser`` and every parser of its subcommands ``-v``/``--verbose``, so it may go anywhere.

    The default is left unset (SUPPRESS), so a subcommand's parser does not undo
    a ``-v`` given before the subcommand.
    """
    parser.add_argument(*_VERBOSE_FLAGS, action="store_true", default=argparse.SUPPRESS,
                        help="also print the warnings of the libraries that read your files")
    # argparse has no public way to walk subcommands; ids, because aliases share a parser.
    children = {id(p): p for action in parser._actions if isinstance(action, argparse._SubParsersAction)
                for p in action.choices.values()}
    for child in children.values():
        _add_verbose(child)


@dataclass
class Captured:
    """What a command's libraries said on stderr while it ran.

    Attributes
    ----------
    python_warnings : list of warnings.WarningMessage
        Python warnings, in order.
    library_lines : list of str
        Lines C libraries wrote to file descriptor 2 (the last
        :data:`CAPTURE_TAIL_BYTES` of them), in order.
    """

    python_warnings: list[warnings.WarningMessage] = field(default_factory=list)
    library_lines: list[str] = field(default_factory=list)

    def messages(self) -> list[str]:
        """Every message once, in order, ``(N times)`` after one that came N > 1 times."""
        texts = [f"{w.category.__name__}: {w.message}" for w in self.python_warnings] + self.library_lines
        counts = Counter(texts)
        return [text if counts[text] == 1 else f"{text} ({counts[text]} times)" for text in dict.fromkeys(texts)]

    def explanation(self) -> str | None:
        """What most likely says why reading a file failed: a C library's last line, else Pillow's last warning."""
        if self.library_lines:
            return self.library_lines[-1]
        from_pillow = [str(w.message) for w in self.python_warnings if "PIL" in Path(w.filename).parts]
        return from_pillow[-1] if from_pillow else None


@contextmanager
def _captured(captured: Captured) -> Iterator[None]:
    """Record Python warnings and C-level stderr into ``captured`` while the block runs (see the module docstring)."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        captured.python_warnings = caught
        with _library_stderr(captured):
            yield


@contextmanager
def _library_stderr(captured: Captured) -> Iterator[None]:
    """Point file descriptor 2 at a temporary file; keep ``sys.stderr`` on the terminal if it wrote there.

    Without a file descriptor 2 (``2>&-``) there is nothing to capture.  Under
    pytest's ``capsys`` ``sys.stderr`` is not descriptor 2 and is left alone.
    """
    try:
        terminal = os.dup(2)
    except OSError:
        yield
        return
    python_stderr = sys.stderr
    to_terminal = None
    with tempfile.TemporaryFile() as sink:
        try:
            python_stderr.flush()
            os.dup2(sink.fileno(), 2)
            if _writes_to_fd2(python_stderr):
                to_terminal = io.TextIOWrapper(open(os.dup(terminal), "wb", buffering=0),  # noqa: SIM115 - closed below
                                               encoding=python_stderr.encoding, errors="backslashreplace",
                                               line_buffering=True, write_through=True)
                sys.stderr = to_terminal
            yield
        finally:
            if to_terminal is not None:
                sys.stderr = python_stderr
                to_terminal.close()
            os.dup2(terminal, 2)
            os.close(terminal)
            captured.library_lines = _tail_lines(sink)


def _writes_to_fd2(stream) -> bool:
    try:
        return stream.fileno() == 2
    except (AttributeError, OSError, ValueError):  # io.UnsupportedOperation is both an OSError and a ValueError
        return False


def _tail_lines(sink) -> list[str]:
    """The non-blank lines of the last :data:`CAPTURE_TAIL_BYTES` written to ``sink``."""
    size = sink.seek(0, os.SEEK_END)
    sink.seek(max(0, size - CAPTURE_TAIL_BYTES))
    text = sink.read().decode("utf-8", errors="replace")
    return [line.strip() for line in text.splitlines() if line.strip()]


def main(argv: list[str] | None = None) -> int:
    """Entry point of the ``convdemo`` command; returns the exit code."""
    argv = _join_signed_values(list(sys.argv[1:] if argv is None else argv))
    captured = Captured()
    try:
        with _captured(captured):
            args = _parse(argv)
            args.notes = []
            code = args.handler(args)
    except (ConvdemoError, UsageError) as error:
        return _fail(_sentence(error, captured))
    except BrokenPipeError:  # e.g. `convdemo presets list | head`: the reader has gone, nothing to say
        sys.stdout = open(os.devnull, "w")  # noqa: SIM115 - keeps Python's exit-time flush quiet
        return 0
    except MemoryError:
        return _fail("there is not enough memory for this; try a smaller image or working size (--max-size).")
    except OSError as error:
        where = f" {error.filename!r}" if error.filename else ""
        return _fail(f"cannot access{where}: {error.strerror or error}.")
    except KeyboardInterrupt:
        return _fail("interrupted.", code=130)
    if code == 0:
        _report(captured, args)
    return code


def _parse(argv: list[str]) -> argparse.Namespace:
    """Parse with the subcommands' parser when a command comes first (after any ``-v``), else the window's."""
    first = next((token for token in argv if token not in _VERBOSE_FLAGS), None)
    parser = build_parser() if first in COMMANDS else build_gui_parser()
    _add_verbose(parser)
    return parser.parse_args(argv)


def _sentence(error: Exception, captured: Captured) -> str:
    """The error's sentence; for a problem with a file, what the decoder said is folded in, briefly."""
    message = " ".join(str(error).split())
    detail = None if isinstance(error, (ParameterError, UsageError)) else captured.explanation()
    if not detail:
        return message
    detail = " ".join(detail.split())
    if len(detail) > FOLDED_CHARS:
        detail = detail[:FOLDED_CHARS].rsplit(" ", 1)[0] + " …"
    return f"{message.removesuffix('.')} ({detail.removesuffix('.')})."


def _report(captured: Captured, args: argparse.Namespace) -> None:
    """After a success: the recorded warnings when ``--verbose``, then the command's notes."""
    lines = [f"convdemo: warning: {text}" for text in captured.messages()] if getattr(args, "verbose", False) else []
    lines += [f"convdemo: note: {note}" for note in args.notes]
    for line in lines:
        print(" ".join(line.split()), file=sys.stderr)


def _fail(message: str, code: int = 2) -> int:
    print(f"convdemo: error: {' '.join(message.split())}", file=sys.stderr)
    return code
