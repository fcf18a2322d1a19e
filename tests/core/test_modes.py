"""The registries: every entry's fast function equals its loop twin and its stated library names."""

import re
import warnings
from pathlib import Path

import numpy as np
import pytest
import scipy.ndimage
from hypothesis import given, settings
from hypothesis import strategies as st

import convdemo
from convdemo.core import ops
from convdemo.core.explain import explain_conv
from convdemo.core.modes import ACTIVATIONS, BORDERS, CHANNEL_MODES, DISPLAY_MODES, POOLS, choices_text, choose
from convdemo.core.reference import activate_reference

DOCS = Path(__file__).resolve().parents[2] / "docs" / "semantics.md"


@settings(max_examples=200, deadline=None)
@given(st.sampled_from(list(BORDERS)), st.integers(1, 7), st.integers(0, 20), st.integers(0, 20))
def test_border_index_equals_numpy_pad_under_its_numpy_name(border, n, before, after):
    entry = BORDERS[border]
    row = np.arange(1, n + 1)
    index = entry.index(np.arange(-before, n + after), n)
    ours = np.where(index >= 0, row[np.maximum(index, 0)], 0)
    np.testing.assert_array_equal(ours, np.pad(row, (before, after), mode=entry.numpy))


@pytest.mark.parametrize("border", BORDERS)
def test_border_diagram_is_what_numpy_pad_gives(border):
    entry = BORDERS[border]
    letters = np.array(list("abcd"), dtype=object)
    padded = np.pad(np.arange(4), 2, mode=entry.numpy) if border != "zero" else None
    shown = " ".join(letters[padded[:2]]) + " | a b c d | " + " ".join(letters[padded[-2:]]) if padded is not None \
        else "0 0 | a b c d | 0 0"
    assert entry.diagram == shown


@pytest.mark.parametrize("border", [b for b in BORDERS if BORDERS[b].ndimage])
def test_border_equals_scipy_ndimage_under_its_ndimage_name(border):
    rng = np.random.default_rng(7)
    image = rng.uniform(0, 255, (6, 9)).astype(np.float32)
    kernel = rng.normal(size=(5, 3))
    ours = ops.correlate(image, kernel, padding="same", border=border)
    theirs = scipy.ndimage.correlate(image.astype(np.float64), kernel, mode=BORDERS[border].ndimage, cval=0.0)
    np.testing.assert_allclose(ours, theirs, rtol=1e-5, atol=1e-3)


@settings(max_examples=100, deadline=None)
@given(st.sampled_from(list(ACTIVATIONS)),
       st.lists(st.floats(-1e7, 1e7, allow_nan=False, width=32), min_size=1, max_size=30))
def test_activation_equals_its_loop_twin_without_warnings(kind, values):
    x = np.array(values, np.float32)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        fast = ACTIVATIONS[kind].function(x)
    assert fast.dtype == np.float32 and fast.shape == x.shape
    np.testing.assert_allclose(fast, activate_reference(x, kind), rtol=2e-6, atol=1e-4)


def test_sigmoid_and_tanh_work_on_the_0_to_255_scale():
    x = np.array([-1e6, -255.0, 0.0, 255.0, 1e6], np.float32)
    np.testing.assert_allclose(ops.activate(x, "sigmoid"), [0, 255 / (1 + np.e), 127.5, 255 / (1 + 1 / np.e), 255],
                               rtol=1e-6)
    np.testing.assert_allclose(ops.activate(x, "tanh"), [-255, -255 * np.tanh(1), 0, 255 * np.tanh(1), 255], rtol=1e-6)


@pytest.mark.parametrize("kind", ACTIVATIONS)
def test_every_activation_is_explained_as_the_pipeline_computed_it(kind):
    image = np.arange(30, dtype=np.float32).reshape(5, 6) * 7
    stages = convdemo.run(image, [[1, -2, 0], [0, 3, 1]], padding=1, activation=kind, bias=-40)
    explained = explain_conv(stages, 2, 3)
    pipeline = stages.conv if stages.activated is None else stages.activated
    shown = explained.values if explained.activated is None else explained.activated
    np.testing.assert_allclose(shown, [pipeline[2, 3]], rtol=1e-6)


@pytest.mark.parametrize("pool", [p for p in POOLS if POOLS[p].combine is not None])
def test_pooling_names_match_scipy_ndimage(pool):
    x = np.random.default_rng(3).uniform(-9, 9, (6, 8)).astype(np.float32)
    filtered = getattr(scipy.ndimage, POOLS[pool].ndimage)(x, size=2, origin=-1, mode="nearest")
    np.testing.assert_allclose(ops.pool(x, pool), filtered[::2, ::2], rtol=1e-6)


def test_choose_names_the_allowed_words():
    assert choose(CHANNEL_MODES, "Grey", "channels") == "gray"
    with pytest.raises(convdemo.core.errors.ParameterError, match="border must be one of zero, reflect, mirror"):
        choose(BORDERS, "symmetric", "border")
    assert choices_text(POOLS, skip="none") == "max or avg"


def test_every_entry_has_a_label_and_one_sentence():
    for registry in (BORDERS, ACTIVATIONS, POOLS, CHANNEL_MODES, DISPLAY_MODES):
        for name, entry in registry.items():
            assert entry.name == name and entry.label
            assert entry.tooltip.endswith(".") and entry.tooltip[0].isupper()


def _table(header_start: str) -> dict[str, list[str]]:
    """Rows of the Markdown table in docs/semantics.md whose header starts with ``header_start``."""
    lines = DOCS.read_text(encoding="utf-8").splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith(header_start))
    rows = {}
    for line in lines[start + 2:]:
        if not line.startswith("|"):
            break
        cells = [c.strip().strip("`").replace("\\|", "|") for c in re.split(r"(?<!\\)\|", line)[1:-1]]
        rows[cells[0]] = [None if c == "—" else c for c in cells[1:]]
    return rows


def test_docs_border_table_is_the_registry():
    table = _table("| convdemo | cells before `a b c d` |")
    assert list(table) == list(BORDERS)
    for name, (before, numpy_name, ndimage_name, torch_name, tf_name) in table.items():
        b = BORDERS[name]
        assert before == b.diagram.split(" | ")[0]
        assert (numpy_name, ndimage_name, torch_name, tf_name) == (b.numpy, b.ndimage, b.torch, b.tensorflow)


def test_docs_activation_table_is_the_registry():
    table = _table("| convdemo | formula | PyTorch | TensorFlow |")
    assert list(table) == list(ACTIVATIONS)
    for name, (_, torch_code, tf_code) in table.items():
        a = ACTIVATIONS[name]
        assert (torch_code, tf_code) == (_without_call(a.torch), _without_call(a.tensorflow))


def _without_call(code: str | None) -> str | None:
    """``'torch.relu(x)'`` → ``'torch.relu'``, as the docs' table names a plain function."""
    return code.removesuffix("(x)") if code else code
