"""What every subcommand shares: a parser whose errors are one line, and the pair/padding syntax."""

from __future__ import annotations

import argparse

from convdemo.core.errors import ParameterError


class Parser(argparse.ArgumentParser):
    """An ArgumentParser whose errors are one line: ``convdemo: error: ...``."""

    def error(self, message: str):
        hint = f" (see '{self.prog} --help')"
        raise UsageError(message + hint)


class UsageError(Exception):
    """The command line itself is wrong (an unknown option, a missing value)."""


def pair_text(text: str, name: str) -> int | tuple[int, int]:
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


def padding_text(text: str):
    word = text.strip().lower()
    return word if word in ("valid", "same", "full") else pair_text(text, "padding")
