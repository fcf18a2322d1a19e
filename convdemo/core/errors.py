"""Error types for problems a user can fix.

Every error raised on purpose by the core is a :class:`ConvdemoError`; its
``str()`` is one human sentence (naming the file or the option at fault) that
the CLI prints after ``convdemo: error:`` and the GUI shows as-is.
"""


class ConvdemoError(Exception):
    """A problem with the user's input; the message is meant to be shown."""


class ParameterError(ConvdemoError, ValueError):
    """Impossible or invalid parameters (kernel larger than the padded image, ...)."""


class ImageLoadError(ConvdemoError):
    """An image file that cannot be read: missing, broken, empty or too large."""


class PresetError(ConvdemoError):
    """A kernel preset file that is malformed, or a preset that cannot be saved."""


class DataError(ConvdemoError):
    """A training data set that cannot be used (bad IDX file, one class, ...)."""


class ModelFileError(ConvdemoError):
    """A saved mini-CNN model file that is corrupt or does not match."""
