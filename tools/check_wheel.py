"""Check that a built wheel holds the code, the kernels and the samples, and nothing else.

Usage: ``python tools/check_wheel.py dist/convdemo-*.whl`` (run from the repository root).
Exits 1, listing the differences, when a module of ``convdemo/`` is missing from the
wheel (a package that was not found) or the wheel carries a file that is not part of
the product (developer scripts, tests, caches).
"""

from __future__ import annotations

import sys
import zipfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def expected_files() -> set[str]:
    """Wheel paths of every module of the package and every shipped kernel and sample."""
    code = {p.relative_to(REPO).as_posix() for p in (REPO / "convdemo").rglob("*.py")
            if "__pycache__" not in p.parts}
    kernels = {f"convdemo/_kernels/{p.name}" for p in (REPO / "kernels").glob("*.json")}
    samples = {f"convdemo/_samples/{p.name}" for p in (REPO / "sample_images").glob("*.png")}
    return code | kernels | samples


def wheel_files(wheel: Path) -> set[str]:
    """Paths in the wheel outside its ``.dist-info`` folder."""
    with zipfile.ZipFile(wheel) as archive:
        return {name for name in archive.namelist() if ".dist-info/" not in name and not name.endswith("/")}


def main(argv: list[str]) -> int:
    """Compare; print what is missing or extra; return the exit code."""
    if len(argv) != 1:
        print(__doc__.strip().splitlines()[2], file=sys.stderr)
        return 2
    have, want = wheel_files(Path(argv[0])), expected_files()
    for name in sorted(want - have):
        print(f"missing from the wheel: {name}")
    for name in sorted(have - want):
        print(f"not part of the product: {name}")
    if have != want:
        return 1
    print(f"wheel contents: {len(have)} files, the code, {len(list((REPO / 'kernels').glob('*.json')))} kernels "
          f"and {len(list((REPO / 'sample_images').glob('*.png')))} samples, nothing else")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
