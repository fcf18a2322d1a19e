"""``python -m convdemo`` runs the ``convdemo`` command."""

from convdemo.cli import main

raise SystemExit(main())
