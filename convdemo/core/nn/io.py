"""Save and load a trained mini-CNN as one ``.npz`` file.

The archive holds (``allow_pickle`` is never needed):

- ``format``: the string ``'convdemo-model'``;
- ``version``: 1;
- ``architecture``: the :class:`~.model.Architecture` as a JSON string;
- ``class_names``: a JSON list of strings;
- one array per parameter, named like ``conv1.weight`` or ``dense.bias``.

Saving is atomic (a temporary file, then a rename), so a failed save never
damages an earlier model file.
"""

from __future__ import annotations

import io
import json
import os
import zipfile
from pathlib import Path
from typing import Any

import numpy as np

from convdemo.core.errors import ConvdemoError, ModelFileError
from convdemo.core.fileio import atomic_write
from convdemo.core.nn.model import Architecture, Model

FORMAT = "convdemo-model"
VERSION = 1


def save_model(path: str | os.PathLike, model: Model) -> Path:
    """Write ``model`` (architecture, class names, weights) to ``path`` atomically.

    Returns
    -------
    Path
        The file written.

    Raises
    ------
    ModelFileError
        The folder does not exist or cannot be written.
    """
    arrays: dict[str, Any] = {
        "format": np.array(FORMAT),
        "version": np.array(VERSION),
        "architecture": np.array(json.dumps(model.architecture.to_dict())),
        "class_names": np.array(json.dumps(list(model.class_names))),
        **model.get_weights(),
    }
    try:
        return atomic_write(path, lambda f: np.savez_compressed(f, **arrays))
    except OSError as err:
        raise ModelFileError(f"Cannot save the model to {path}: {err.strerror or err}.") from None


def load_model(path: str | os.PathLike) -> Model:
    """Read a model written by :func:`save_model`.

    Returns
    -------
    Model
        float32, ready to predict or to train further.

    Raises
    ------
    ModelFileError
        Missing, unreadable, not a convdemo model, from a newer version, or
        with weights that do not match its architecture; one sentence naming
        the file.
    """
    path = Path(path)
    try:
        raw = path.read_bytes()
    except OSError as err:
        raise ModelFileError(f"Cannot read the model file {path}: {err.strerror or err}.") from None
    try:
        with np.load(io.BytesIO(raw), allow_pickle=False) as archive:
            contents = {name: archive[name] for name in archive.files}
    except (ValueError, OSError, zipfile.BadZipFile, EOFError):
        raise ModelFileError(f"{path} is not a convdemo model file (it is not a readable .npz archive).") from None
    if str(contents.get("format", "")) != FORMAT:
        raise ModelFileError(f"{path} is a .npz archive but not a convdemo model file.")
    if int(contents.get("version", 0)) > VERSION:
        raise ModelFileError(f"{path} was saved by a newer convdemo (model format version "
                             f"{int(contents['version'])}); this one reads version {VERSION}.")
    try:
        architecture = Architecture.from_dict(json.loads(str(contents["architecture"])))
        class_names = json.loads(str(contents["class_names"]))
        model = Model(architecture, class_names)
    except (KeyError, TypeError, ValueError, ConvdemoError) as err:
        raise ModelFileError(f"{path} has a missing or invalid architecture or class list ({err}).") from None
    try:
        model.set_weights(contents)
    except KeyError as err:
        raise ModelFileError(f"{path} lacks the weights {err.args[0]} that its architecture needs.") from None
    except ValueError as err:
        raise ModelFileError(f"{path} does not match its own architecture: {err}.") from None
    if not all(np.isfinite(value).all() for value, _ in model.parameters()):
        raise ModelFileError(f"{path} holds weights that are not finite numbers (NaN or infinity).")
    return model
