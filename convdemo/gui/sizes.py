"""How the window writes sizes: rows × columns everywhere, like numpy shapes and the formulas.

Only the input line (:meth:`convdemo.core.images.LoadedImage.describe`), which
describes a photo, also gives its size the way a photo viewer does (width × height
in pixels), once, so a 4000 px wide photo is not mistaken for a tall one.
"""

from __future__ import annotations

from convdemo.core.geometry import shape_text

_AXES = ("rows", "cols", "channels")


def shape_tip(shape: tuple[int, ...]) -> str:
    """The tooltip of a title showing ``shape``, naming its axes.

    >>> shape_tip((26, 26, 3))
    '26×26×3 (rows × cols × channels), like numpy shapes'
    """
    return f"{shape_text(shape)} ({' × '.join(_AXES[:len(shape)])}), like numpy shapes"

