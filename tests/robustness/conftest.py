"""Hostile inputs: helpers that run ``convdemo`` in a child process with bounded memory and time.

The contract every test here asserts (``docs/cli.md``): exit 0 with the expected
result, or exit 2 with exactly one stderr line starting ``convdemo: error:`` and
no traceback; never a hang, never more memory than the limit.
"""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import dataclass

import pytest

GIB = 1 << 30
DEFAULT_MEMORY = 2 * GIB
"""Address-space limit of the child (``resource.RLIMIT_AS``); numpy, scipy and Qt start well under it."""
DEFAULT_TIMEOUT = 60


@dataclass(frozen=True)
class Outcome:
    """What a ``convdemo`` child process did."""

    code: int
    stdout: str
    stderr: str

    @property
    def error_lines(self) -> list[str]:
        return self.stderr.splitlines()

    def assert_one_error(self, *fragments: str) -> str:
        """Exit 2, one stderr line ``convdemo: error: ...`` holding every fragment; returns the message."""
        assert self.code == 2, (self.code, self.stderr)
        assert len(self.error_lines) == 1, self.stderr
        line = self.error_lines[0]
        assert line.startswith("convdemo: error: "), line
        assert "Traceback" not in self.stderr
        for fragment in fragments:
            assert fragment in line, (fragment, line)
        return line.removeprefix("convdemo: error: ")


def _limit_memory(n_bytes: int):
    def apply() -> None:
        import resource

        resource.setrlimit(resource.RLIMIT_AS, (n_bytes, n_bytes))
    return apply


@pytest.fixture
def run_convdemo(tmp_path):
    """``run_convdemo(*args, memory=2 GiB, timeout=60, cwd=tmp_path)`` → :class:`Outcome`.

    The child gets its own config and data folders and Qt offscreen. A hang fails
    the test (``subprocess.TimeoutExpired``) instead of stopping the suite.
    """
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "XDG_CONFIG_HOME": str(tmp_path / "config"),
           "XDG_DATA_HOME": str(tmp_path / "data"), "PYTHONWARNINGS": ""}

    def run(*args: str, memory: int = DEFAULT_MEMORY, timeout: float = DEFAULT_TIMEOUT, cwd=None,
            extra_env: dict | None = None) -> Outcome:
        done = subprocess.run([sys.executable, "-m", "convdemo", *map(str, args)], capture_output=True, text=True,
                              timeout=timeout, cwd=cwd or tmp_path, env={**env, **(extra_env or {})},
                              preexec_fn=_limit_memory(memory) if sys.platform.startswith("linux") else None)
        return Outcome(done.returncode, done.stdout, done.stderr)

    return run
