"""convdemo: see how convolution, pooling and small CNNs work.

The notebook API (no Qt is imported)::

    import convdemo
    image = convdemo.load_image("photo.jpg", max_size=1024)    # float32, 0–255
    stages = convdemo.run(image, "sobel-x", padding="same", pool="max")
    stages.conv, stages.activated, stages.pooled, stages.output, stages.shapes
    convdemo.kernels["gaussian-3x3"]                            # the preset library
"""

__version__ = "0.1.0"

from convdemo.core.display import to_display
from convdemo.core.geometry import output_shape, pool_output_shape
from convdemo.core.images import load_image, read_image, to_gray
from convdemo.core.kernels import Kernel
from convdemo.core.params import Settings
from convdemo.core.pipeline import Stages, run

__all__ = [
    "Kernel", "Settings", "Stages", "kernels", "load_image", "output_shape", "pool_output_shape",
    "read_image", "run", "to_display", "to_gray", "__version__",
]


def __getattr__(name: str):
    """``convdemo.kernels``: the preset library, found on first use (not at import).

    The library is a read-only mapping name → Kernel of the shipped presets and
    the user's own; every access returns the same (cached) object.
    """
    if name == "kernels":
        from convdemo.core.presets import default_library

        return default_library()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
