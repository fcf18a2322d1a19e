"""The ``convdemo`` command line, one module per subcommand group.

* :mod:`~convdemo.cli.main`: the entry point, the error contract (exit 2, one ``convdemo: error:`` line).
* :mod:`~convdemo.cli.window`: ``convdemo [IMAGE] [--screenshot OUT.png]``, the window.
* :mod:`~convdemo.cli.apply`: ``convdemo apply``.
* :mod:`~convdemo.cli.presets`: ``convdemo presets list|show|export|import``.
* :mod:`~convdemo.cli.train`: ``convdemo train`` and ``convdemo evaluate``.
"""

from convdemo.cli.main import main

__all__ = ["main"]
