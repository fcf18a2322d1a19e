"""Tests for convdemo.core.kernels: the Kernel type, text syntax, preset files and library."""

import copy
import json
import os
import pickle
import re
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from convdemo.core import fileio
from convdemo.core import presets as presets_module
from convdemo.core.errors import ParameterError, PresetError
from convdemo.core.kernels import Kernel, parse_weights
from convdemo.core.preset_files import preset_file_name, read_preset, write_preset
from convdemo.core.presets import TEACHING_ORDER, PresetLibrary, default_library
from convdemo.core.resources import shipped_kernels_dir

KNOWN_KEYS = ("format", "version", "name", "description", "weights", "divisor", "bias")

# An asymmetric 2×3 kernel: every orientation mistake changes the numbers.
ASYM = np.array([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]])


def preset_doc(**changes):
    """A valid preset document (dict) with some keys changed or removed (value None)."""
    doc = {
        "format": "convdemo-kernel",
        "version": 1,
        "name": "test",
        "description": "A test kernel.",
        "weights": [[1, 0, -1], [2, 0, -2], [1, 0, -1]],
        "divisor": 1,
        "bias": 0,
    }
    doc.update(changes)
    return {key: value for key, value in doc.items() if value is not None}


def write_doc(path: Path, doc) -> Path:
    path.write_text(json.dumps(doc), encoding="utf-8")
    return path


@pytest.fixture
def library(tmp_path):
    shipped = tmp_path / "shipped"
    shipped.mkdir()
    identity = [[0, 0, 0], [0, 1, 0], [0, 0, 0]]
    write_doc(shipped / "identity.json", preset_doc(name="identity", weights=identity))
    write_doc(shipped / "sobel-x.json", preset_doc(name="sobel-x"))
    return PresetLibrary(shipped_dir=shipped, user_dir=tmp_path / "user")


# --------------------------------------------------------------------------
# Kernel
# --------------------------------------------------------------------------


def test_kernel_stores_read_only_float64_copy():
    source = [[1, 2], [3, 4]]
    kernel = Kernel(source)
    assert kernel.weights.dtype == np.float64
    assert kernel.shape == (2, 2)
    assert not kernel.is_per_channel
    with pytest.raises(ValueError, match="read-only"):
        kernel.weights[0, 0] = 9
    array = np.array(source, dtype=float)
    kernel = Kernel.from_array(array, name="x")
    array[0, 0] = 99
    assert kernel.weights[0, 0] == 1


def test_kernel_defaults():
    kernel = Kernel(np.eye(3))
    assert (kernel.name, kernel.description) == ("custom", "")
    assert (kernel.divisor, kernel.bias) == (1.0, 0.0)
    assert dict(kernel.extra) == {}
    assert kernel.source is None


def test_per_channel_kernel():
    kernel = Kernel(np.zeros((3, 2, 5)))
    assert kernel.is_per_channel
    assert kernel.shape == (2, 5)


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"weights": np.zeros((10, 3))}, "the kernel is 10×3, but each side must be 1 to 9"),
        ({"weights": np.zeros((3, 0))}, "the kernel is 3×0, but each side must be 1 to 9"),
        ({"weights": np.zeros(3)}, "must be a grid of rows of numbers"),
        ({"weights": np.zeros((2, 3, 3))}, "has 2 planes, but a per-channel kernel has exactly 3"),
        ({"weights": [[1, np.nan]]}, "every weight must be a finite number"),
        ({"weights": [[1, np.inf]]}, "every weight must be a finite number"),
        ({"weights": [[1, 2], [3]]}, "rows of equal length"),
        ({"divisor": 0}, "the divisor is 0, but it must be a finite number other than 0"),
        ({"divisor": float("inf")}, "the divisor is inf"),
        ({"bias": float("nan")}, "the bias is nan, but it must be a finite number"),
        ({"name": "  "}, "a kernel needs a name"),
        ({"extra": {"x": object()}}, "extra fields must be JSON data"),
    ],
)
def test_kernel_validation_messages(fields, message):
    fields = {"weights": np.eye(3), **fields}
    with pytest.raises(ParameterError) as info:
        Kernel(**fields)
    assert message in str(info.value)


def test_equality_and_hash_ignore_source_but_not_extra():
    a = Kernel([[1, -0.0]], name="a", source=Path("one.json"))
    b = Kernel([[1, 0.0]], name="a", source=Path("two.json"))
    assert a == b and hash(a) == hash(b)
    assert a != Kernel([[1, 0]], name="a", extra={"author": "me"})
    assert a != Kernel([[1], [0]], name="a")
    assert a != Kernel([[1, 0]], name="a", bias=1)


def test_extra_is_a_read_only_deep_copy():
    tags = ["blur"]
    kernel = Kernel(np.eye(3), extra={"tags": tags})
    tags.append("changed")
    assert kernel.extra["tags"] == ["blur"]
    with pytest.raises(TypeError):
        kernel.extra["new"] = 1


def test_kernel_pickles_and_deep_copies():
    kernel = Kernel(ASYM, name="asym", extra={"author": "me"}, source=Path("a.json"))
    for clone in (pickle.loads(pickle.dumps(kernel)), copy.deepcopy(kernel)):
        assert clone == kernel
        assert clone.source == Path("a.json")


def test_sum_normalised_and_with_weights():
    kernel = Kernel(ASYM, name="asym", divisor=7, bias=3)
    assert kernel.sum() == 21
    normal = kernel.normalised()
    np.testing.assert_array_equal(normal.weights, ASYM / 21)
    assert (normal.name, normal.divisor, normal.bias) == ("asym", 1.0, 3.0)
    assert normal.sum() == pytest.approx(1.0)
    swapped = kernel.with_weights([[9]])
    assert swapped.shape == (1, 1) and swapped.name == "asym" and swapped.divisor == 7


@pytest.mark.parametrize(
    "weights", [[[-1, 0, 1], [-2, 0, 2], [-1, 0, 1]], [[0, 0]], [[0.1, 0.2, -0.3]]]
)
def test_normalised_refuses_weights_summing_to_zero(weights):
    message = r"^the weights sum to 0, so they cannot be normalised\.$"
    with pytest.raises(ParameterError, match=message):
        Kernel(weights).normalised()


def test_orientation_helpers_on_an_asymmetric_kernel():
    kernel = Kernel(ASYM)
    np.testing.assert_array_equal(kernel.transposed().weights, [[1, 4], [2, 5], [3, 6]])
    np.testing.assert_array_equal(kernel.rotated().weights, [[4, 1], [5, 2], [6, 3]])
    np.testing.assert_array_equal(kernel.flipped().weights, [[6, 5, 4], [3, 2, 1]])
    assert kernel.rotated().rotated() == kernel.flipped()
    assert kernel.rotated().rotated().rotated().rotated() == kernel


def test_orientation_helpers_act_on_each_plane():
    planes = np.stack([ASYM, 10 * ASYM, 100 * ASYM])
    kernel = Kernel(planes)
    assert kernel.rotated().weights.shape == (3, 3, 2)
    for i in range(3):
        np.testing.assert_array_equal(kernel.rotated().weights[i], np.rot90(planes[i], k=-1))
        np.testing.assert_array_equal(kernel.transposed().weights[i], planes[i].T)
        np.testing.assert_array_equal(kernel.flipped().weights[i], planes[i][::-1, ::-1])


# --------------------------------------------------------------------------
# Text syntax
# --------------------------------------------------------------------------


def test_to_text():
    assert Kernel([[1, 0, -1], [2, 0, -2], [1, 0, -1]]).to_text() == "1,0,-1;2,0,-2;1,0,-1"
    assert Kernel([[0.1, -0.5]]).to_text() == "0.1,-0.5"
    assert Kernel(np.stack([np.eye(2), -np.eye(2), np.zeros((2, 2))])).to_text() == (
        "1,0;0,1 | -1,0;0,-1 | 0,0;0,0"
    )


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1,0,-1;2,0,-2;1,0,-1", [[1, 0, -1], [2, 0, -2], [1, 0, -1]]),
        ("1 0 -1\n2 0 -2\n", [[1, 0, -1], [2, 0, -2]]),
        ("  -1, -2 ;\n\n 3  4 ;", [[-1, -2], [3, 4]]),
        ("1/9 -1/4 2/-8", [[1 / 9, -0.25, -0.25]]),
        ("\u22121 +2 1e-1", [[-1, 2, 0.1]]),
        ("1,0;0,1 | 2,0;0,2 | 0,0;0,0", [[[1, 0], [0, 1]], [[2, 0], [0, 2]], [[0, 0], [0, 0]]]),
    ],
)
def test_parse_weights(text, expected):
    result = parse_weights(text)
    assert result.dtype == np.float64
    np.testing.assert_array_equal(result, np.array(expected, dtype=float))


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "no weights were given"),
        (" ; \n", "no weights were given"),
        ("1,2,3;4,5", "row 2 has 2 values, expected 3"),
        ("1;4,5", "row 2 has 2 values, expected 1"),
        ("1,2;3,x", "row 2, value 2 is not a number ('x')"),
        ("1,--2", "row 1, value 2 is not a number ('--2')"),
        ("1/0", "row 1, value 1 divides by zero ('1/0')"),
        ("1/2/3", "is not a number ('1/2/3')"),
        ("1 inf", "row 1, value 2 is not a finite number ('inf')"),
        ("1 2 | 3", "plane 2 is 1×1, expected 1×2 like plane 1"),
        ("1 2 | ", "plane 2 has no rows"),
        ("1 2 | 3 4; 5", "plane 2, row 2 has 1 value, expected 2"),
    ],
)
def test_parse_weights_errors(text, message):
    with pytest.raises(ParameterError) as info:
        parse_weights(text)
    assert message in str(info.value)


finite_weights = st.floats(min_value=-1e6, max_value=1e6, allow_nan=False).map(lambda v: v + 0.0)


@st.composite
def kernels(draw):
    kh = draw(st.integers(1, 9))
    kw = draw(st.integers(1, 9))
    planes = draw(st.sampled_from([None, 3]))
    shape = (kh, kw) if planes is None else (planes, kh, kw)
    size = int(np.prod(shape))
    values = draw(st.lists(finite_weights, min_size=size, max_size=size))
    return Kernel(
        np.array(values).reshape(shape),
        name=draw(st.text(min_size=1).filter(str.strip)),
        description=draw(st.text()),
        divisor=draw(finite_weights.filter(lambda v: abs(v) >= 1e-38)),  # 1/divisor must be a float32 too
        bias=draw(finite_weights),
        extra=draw(st.dictionaries(st.text().filter(lambda k: k not in KNOWN_KEYS),
                                   st.one_of(st.integers(), st.text(), st.lists(st.booleans())),
                                   max_size=3)),
    )


@given(kernels())
def test_text_round_trip(kernel):
    np.testing.assert_array_equal(parse_weights(kernel.to_text()), kernel.weights)


# --------------------------------------------------------------------------
# Preset files
# --------------------------------------------------------------------------


def test_write_preset_layout(tmp_path):
    kernel = Kernel([[1, 0, -1], [2, 0, -2]], name="Flou é", description="d", divisor=4, bias=0.5)
    path = write_preset(tmp_path / "k.json", kernel)
    text = path.read_text(encoding="utf-8")
    assert json.loads(text) == {
        "format": "convdemo-kernel",
        "version": 1,
        "name": "Flou é",
        "description": "d",
        "weights": [[1, 0, -1], [2, 0, -2]],
        "divisor": 4,
        "bias": 0.5,
    }
    assert '    [1, 0, -1],\n    [2, 0, -2]\n' in text  # one row per line, for people
    assert "Flou é" in text  # UTF-8, not \u escapes


@settings(max_examples=50, deadline=None)  # each example writes and fsyncs a file: slow disks vary
@given(kernel=kernels())
def test_write_read_round_trip(tmp_path_factory, kernel):
    path = tmp_path_factory.mktemp("rt") / "kernel.json"
    write_preset(path, kernel)
    again = read_preset(path)
    assert again == kernel
    assert again.source == path


def test_unknown_keys_survive_read_write_read(tmp_path):
    src = write_doc(tmp_path / "in.json", preset_doc(author="Ada", tags=["edge", {"lesson": 3}]))
    kernel = read_preset(src)
    assert dict(kernel.extra) == {"author": "Ada", "tags": ["edge", {"lesson": 3}]}
    out = write_preset(tmp_path / "out.json", kernel)
    doc = json.loads(out.read_text(encoding="utf-8"))
    assert doc["author"] == "Ada" and doc["tags"] == ["edge", {"lesson": 3}]
    assert list(doc) == [*KNOWN_KEYS, "author", "tags"]


def test_read_defaults_for_optional_fields(tmp_path):
    doc = preset_doc(name=None, description=None, divisor=None, bias=None)
    path = write_doc(tmp_path / "bare.json", doc)
    kernel = read_preset(path)
    assert (kernel.name, kernel.description, kernel.divisor, kernel.bias) == ("bare", "", 1.0, 0.0)


def test_read_accepts_byte_order_mark(tmp_path):
    path = tmp_path / "bom.json"
    path.write_bytes(b"\xef\xbb\xbf" + json.dumps(preset_doc()).encode("utf-8"))
    assert read_preset(path).name == "test"


def test_write_refuses_to_overwrite(tmp_path):
    path = tmp_path / "k.json"
    write_preset(path, Kernel([[1]], name="first"))
    with pytest.raises(PresetError, match="a preset named 'k.json' already exists"):
        write_preset(path, Kernel([[2]], name="second"))
    assert read_preset(path).name == "first"
    write_preset(path, Kernel([[2]], name="second"), overwrite=True)
    assert read_preset(path).name == "second"


def test_write_is_atomic(tmp_path, monkeypatch):
    path = tmp_path / "k.json"
    write_preset(path, Kernel([[1]], name="old"))
    before = path.read_bytes()

    def disk_full(fd):
        raise OSError(28, "No space left on device")

    # The new content is written to a temporary file, then the disk "fills up".
    monkeypatch.setattr(fileio.os, "fsync", disk_full)
    with pytest.raises(PresetError, match=r"^cannot write .*k\.json: No space left on device\.$"):
        write_preset(path, Kernel([[2]], name="new"), overwrite=True)
    assert path.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["k.json"]


def test_write_failure_is_a_preset_error(tmp_path):
    with pytest.raises(PresetError, match="cannot write .*missing"):
        write_preset(tmp_path / "missing" / "k.json", Kernel([[1]]))


def test_written_files_leave_no_temporary_files(tmp_path):
    for i in range(3):
        write_preset(tmp_path / "k.json", Kernel([[i]]), overwrite=True)
    assert [p.name for p in tmp_path.iterdir()] == ["k.json"]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ('{"format": "convdemo-kernel", "version": 1,', "not valid JSON (line 1"),
        ("[1, 2]", "not a kernel preset (expected a JSON object"),
        (preset_doc(format=None), "'format' is missing"),
        (preset_doc(format="png"), "'format' is \"png\", expected \"convdemo-kernel\""),
        (preset_doc(version=2), "'version' is 2, but this convdemo reads only version 1"),
        (preset_doc(version=None), "'version' is missing"),
        (preset_doc(version=True), "'version' is true"),
        (preset_doc(weights=None), "'weights' is missing"),
        (preset_doc(weights="1,0;0,1"), "'weights' must be a list of rows of numbers"),
        (preset_doc(weights=[]), "'weights' has no rows"),
        (preset_doc(weights=[[1, 2, 3], [1, 2]]), "'weights' row 2 has 2 values, expected 3"),
        (preset_doc(weights=[[1, 2], 3]), "'weights' row 2 is not a list of numbers"),
        (preset_doc(weights=[[1, "2"]]), "'weights' row 1, value 2 is not a number (\"2\")"),
        (preset_doc(weights=[[1, True]]), "'weights' row 1, value 2 is not a number (true)"),
        (preset_doc(weights=[[1, None]]), "'weights' row 1, value 2 is not a number (null)"),
        (preset_doc(weights=[[1, 10**400]]), "'weights' row 1, value 2 is not a finite number"),
        (preset_doc(weights=[[0] * 10]), "'weights' is 1×10, but each side must be 1 to 9"),
        (preset_doc(weights=[[[1]], [[2]]]), "'weights' has 2 planes, but a per-channel kernel"),
        (preset_doc(weights=[[[1]], [[2, 3]], [[4]]]), "'weights' plane 2 is 1×2, expected 1×1"),
        (preset_doc(weights=[[[1]], 5, [[4]]]), "'weights' plane 2 is not a list of rows"),
        (preset_doc(divisor=0), "'divisor' is 0, but it must be a finite number other than 0"),
        (preset_doc(divisor="9"), "'divisor' is not a number (\"9\")"),
        (preset_doc(bias=[1]), "'bias' is not a number ([1])"),
        (preset_doc(name=3), "'name' must be text, not 3"),
        (preset_doc(name=" "), "'name' is blank"),
        (preset_doc(description=["a"]), "'description' must be text"),
    ],
)
def test_malformed_files_name_path_and_field(tmp_path, content, message):
    path = tmp_path / "sobel.json"
    path.write_text(content if isinstance(content, str) else json.dumps(content), encoding="utf-8")
    with pytest.raises(PresetError) as info:
        read_preset(path)
    text = str(info.value)
    assert text.startswith(f"{path}: ") and text.endswith(".")
    assert message in text


def test_nan_and_infinity_in_json_are_rejected(tmp_path):
    path = tmp_path / "nan.json"
    path.write_text(json.dumps(preset_doc()).replace('"bias": 0', '"bias": NaN'), encoding="utf-8")
    with pytest.raises(PresetError, match=r"'bias' is not a finite number \(NaN\)"):
        read_preset(path)
    text = json.dumps(preset_doc()).replace("[1, 0, -1]", "[1, 0, -Infinity]", 1)
    path.write_text(text, encoding="utf-8")
    with pytest.raises(PresetError, match=r"'weights' row 1, value 3 is not a finite number"):
        read_preset(path)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"\xff\xfe{}", "the file is not UTF-8 text"),
        (b"[" * 100_000 + b"]" * 100_000, "nested too deeply"),
        (b" " * (2 << 20), "more than a kernel preset can be"),
    ],
)
def test_unreadable_files(tmp_path, data, message):
    path = tmp_path / "bad.json"
    path.write_bytes(data)
    with pytest.raises(PresetError, match=message):
        read_preset(path)


def test_missing_file(tmp_path):
    with pytest.raises(PresetError, match="cannot read .*nope.json"):
        read_preset(tmp_path / "nope.json")


# --------------------------------------------------------------------------
# File names
# --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("sobel-x", "sobel-x.json"),
        ("Box blur 0.1", "box-blur-0-1.json"),
        ("../../etc/passwd", "etc-passwd.json"),
        ("a/b", "a-b.json"),
        ("a\\b", "a-b.json"),
        ("CON", "con-preset.json"),
        ("lpt1", "lpt1-preset.json"),
        ("", "preset.json"),
        ("...", "preset.json"),
        ("模糊", "preset.json"),
        ("Flou gaussien é", "flou-gaussien-e.json"),
        ("x" * 200, "x" * 64 + ".json"),
    ],
)
def test_preset_file_name(name, expected):
    assert preset_file_name(name) == expected


@given(st.text())
def test_preset_file_name_is_always_safe(name):
    file_name = preset_file_name(name)
    stem = file_name.removesuffix(".json")
    assert stem and set(stem) <= set("abcdefghijklmnopqrstuvwxyz0123456789_-")
    assert Path(file_name).name == file_name


# --------------------------------------------------------------------------
# Shipped library
# --------------------------------------------------------------------------


def test_every_shipped_preset_loads_with_a_description():
    shipped = PresetLibrary(user_dir=Path("/nonexistent/convdemo-test"))
    assert shipped.errors == []
    assert len(shipped) >= 18
    for name, kernel in shipped.items():
        assert kernel.description.strip(), name
        assert kernel.source.parent == shipped_kernels_dir()
        assert kernel.source.name == preset_file_name(name)
        assert not shipped.is_user(name)


def test_shipped_presets_come_in_teaching_order():
    names = PresetLibrary(user_dir=Path("/nonexistent/convdemo-test")).names()
    assert names[0] == "identity"
    unlisted = sorted(set(names) - set(TEACHING_ORDER))
    assert names == [n for n in TEACHING_ORDER if n in names] + unlisted
    assert set(TEACHING_ORDER) <= set(names)


def test_shipped_files_are_in_canonical_form(tmp_path):
    # The shipped files are as write_preset writes them, so re-saving changes nothing.
    for path in sorted(shipped_kernels_dir().glob("*.json")):
        copy_path = write_preset(tmp_path / path.name, read_preset(path))
        assert copy_path.read_bytes() == path.read_bytes(), path.name


@pytest.mark.parametrize(
    ("name", "weights", "divisor", "bias"),
    [
        ("identity", [[0, 0, 0], [0, 1, 0], [0, 0, 0]], 1, 0),
        ("box-blur-0.1", np.full((3, 3), 0.1), 1, 0),
        ("box-blur", np.ones((3, 3)), 9, 0),
        ("gaussian-3x3", [[1, 2, 1], [2, 4, 2], [1, 2, 1]], 16, 0),
        ("gaussian-5x5", np.outer([1, 4, 6, 4, 1], [1, 4, 6, 4, 1]), 256, 0),
        ("brighten", [[0, 0, 0], [0, 2, 0], [0, 0, 0]], 1, 0),
        ("edge-above", [[0, -1, 0], [0, 1, 0], [0, 0, 0]], 1, 0),
        ("centre-minus-neighbours-0.1", [[-0.1] * 3, [-0.1, 1, -0.1], [-0.1] * 3], 1, 0),
        ("horizontal-line", [[1, 1, 1], [0, 0, 0], [-1, -1, -1]], 1, 0),
        ("vertical-line", [[1, 0, -1], [1, 0, -1], [1, 0, -1]], 1, 0),
        ("sobel-x", [[-1, 0, 1], [-2, 0, 2], [-1, 0, 1]], 1, 0),
        ("laplacian-4", [[0, 1, 0], [1, -4, 1], [0, 1, 0]], 1, 0),
        ("outline-8", [[-1, -1, -1], [-1, 8, -1], [-1, -1, -1]], 1, 0),
        ("motion-blur-5x5", np.eye(5), 5, 0),
        ("difference-1x3", [[-1, 0, 1]], 1, 0),
        ("emboss-grey", [[-1, -1, 0], [-1, 0, 1], [0, 1, 1]], 1, 128),
    ],
)
def test_lecture_presets_have_the_lecture_numbers(name, weights, divisor, bias):
    kernel = PresetLibrary(user_dir=Path("/nonexistent/convdemo-test"))[name]
    np.testing.assert_array_equal(kernel.weights, np.asarray(weights, dtype=float))
    assert (kernel.divisor, kernel.bias) == (divisor, bias)


def test_shipped_relations_between_presets():
    lib = PresetLibrary(user_dir=Path("/nonexistent/convdemo-test"))
    np.testing.assert_array_equal(lib["vertical-line"].weights, lib["horizontal-line"].weights.T)
    np.testing.assert_array_equal(lib["sobel-y"].weights, lib["sobel-x"].weights.T)
    assert lib["box-blur-0.1"].sum() == pytest.approx(0.9)
    for name in ("box-blur", "gaussian-3x3", "gaussian-5x5", "motion-blur-5x5", "unsharp-mask-5x5"):
        assert lib[name].sum() / lib[name].divisor == pytest.approx(1.0), name
    for name in ("sobel-x", "prewitt-y", "laplacian-4", "outline-8", "emboss-grey"):
        assert lib[name].sum() == 0, name
    assert lib["red-minus-blue"].is_per_channel and lib["luma-1x1"].is_per_channel
    np.testing.assert_allclose(lib["luma-1x1"].weights.ravel(), [0.299, 0.587, 0.114])


# --------------------------------------------------------------------------
# PresetLibrary with overridden folders
# --------------------------------------------------------------------------


def test_library_is_lazy(tmp_path):
    lib = PresetLibrary(shipped_dir=tmp_path / "s", user_dir=tmp_path / "u")
    (tmp_path / "s").mkdir()
    write_doc(tmp_path / "s" / "late.json", preset_doc(name="late"))  # written after construction
    assert lib.names() == ["late"]


def test_default_user_dir_follows_platformdirs_when_used(monkeypatch, tmp_path):
    lib = PresetLibrary(shipped_dir=tmp_path / "none")  # made before the data folder moves
    data = tmp_path / "data"
    monkeypatch.setattr(presets_module.platformdirs, "user_data_path", lambda app: data / app)
    assert lib.user_dir == tmp_path / "data" / "convdemo" / "kernels"
    lib.save_user(Kernel([[1]], name="mine"))
    assert (tmp_path / "data" / "convdemo" / "kernels" / "mine.json").is_file()
    data = tmp_path / "elsewhere"
    assert "mine" not in lib  # the cached contents follow the folder


def test_order_shipped_then_user_alphabetically(library, tmp_path):
    write_doc(tmp_path / "shipped" / "zeta.json", preset_doc(name="zeta"))
    write_doc(tmp_path / "shipped" / "alpha.json", preset_doc(name="alpha"))
    for name in ("b-mine", "A-mine", "c-mine"):
        library.save_user(Kernel([[1]], name=name))
    assert library.names() == ["identity", "sobel-x", "alpha", "zeta", "A-mine", "b-mine", "c-mine"]
    assert list(library) == library.names()
    assert library.is_user("b-mine") and not library.is_user("sobel-x")


def test_bad_files_are_reported_and_the_others_still_load(library, tmp_path):
    shipped = tmp_path / "shipped"
    write_doc(shipped / "ragged.json", preset_doc(name="ragged", weights=[[1, 2, 3], [1, 2]]))
    (shipped / "broken.json").write_text("{", encoding="utf-8")
    write_doc(shipped / "twin.json", preset_doc(name="sobel-x"))
    (shipped / ".hidden.json").write_text("{", encoding="utf-8")
    (shipped / "notes.txt").write_text("not a preset", encoding="utf-8")
    assert library.names() == ["identity", "sobel-x"]
    errors = dict(library.errors)
    assert set(errors) == {shipped / "ragged.json", shipped / "broken.json", shipped / "twin.json"}
    assert "'weights' row 2 has 2 values, expected 3" in errors[shipped / "ragged.json"]
    assert "not valid JSON" in errors[shipped / "broken.json"]
    assert "'name' 'sobel-x' is already used by" in errors[shipped / "twin.json"]
    assert all(str(path) in message for path, message in library.errors)


def test_user_file_with_a_shipped_name_is_reported(library, tmp_path):
    user = tmp_path / "user"
    user.mkdir()
    write_doc(user / "mine.json", preset_doc(name="identity", weights=[[5]]))
    assert library["identity"].weights.tolist() == [[0, 0, 0], [0, 1, 0], [0, 0, 0]]
    assert not library.is_user("identity")
    assert [path for path, _ in library.errors] == [user / "mine.json"]


def test_save_user_and_overwrite(library, tmp_path):
    path = library.save_user(Kernel([[1, 2]], name="My Blur", extra={"note": "hi"}))
    assert path == tmp_path / "user" / "my-blur.json"
    assert library["My Blur"].weights.tolist() == [[1, 2]]
    assert library["My Blur"].source == path
    with pytest.raises(PresetError, match=r"^a preset named \'My Blur\' already exists\.$"):
        library.save_user(Kernel([[3]], name="My Blur"))
    assert library.save_user(Kernel([[3]], name="My Blur"), overwrite=True) == path
    assert library["My Blur"].weights.tolist() == [[3]]
    assert [p.name for p in (tmp_path / "user").iterdir()] == ["my-blur.json"]


def test_save_user_never_shadows_a_shipped_preset(library):
    for overwrite in (False, True):
        with pytest.raises(PresetError, match="'sobel-x' is the name of a shipped preset"):
            library.save_user(Kernel([[1]], name="sobel-x"), overwrite=overwrite)
    assert not library.user_dir.exists()


def test_save_user_keeps_names_with_the_same_file_name_apart(library, tmp_path):
    first = library.save_user(Kernel([[1]], name="Edge A"))
    second = library.save_user(Kernel([[2]], name="edge a"))
    (tmp_path / "user" / "broken.json").write_text("{", encoding="utf-8")
    third = library.save_user(Kernel([[3]], name="broken"))
    names = [first.name, second.name, third.name]
    assert names == ["edge-a.json", "edge-a-2.json", "broken-2.json"]
    # A file that failed to load is never overwritten.
    assert (tmp_path / "user" / "broken.json").read_text(encoding="utf-8") == "{"
    assert library["Edge A"].weights.tolist() == [[1]]
    assert library["edge a"].weights.tolist() == [[2]]


@pytest.mark.parametrize(
    "name", ["../../etc/passwd", "CON", "a/b", "/abs/path", "..", "模糊 ✓", "\x00nul", "C:\\x"]
)
def test_save_user_stays_in_the_user_folder(library, tmp_path, name):
    path = library.save_user(Kernel([[1]], name=name))
    assert path.parent == tmp_path / "user"
    assert library[name].source == path
    assert sorted(p.relative_to(tmp_path).as_posix() for p in tmp_path.rglob("*")) == [
        "shipped", "shipped/identity.json", "shipped/sobel-x.json", "user", f"user/{path.name}",
    ]


def test_delete_user(library):
    path = library.save_user(Kernel([[1]], name="mine"))
    library.delete_user("mine")
    assert "mine" not in library and not path.exists()
    with pytest.raises(PresetError, match="'identity' is a shipped preset and cannot be deleted"):
        library.delete_user("identity")
    with pytest.raises(PresetError, match="no preset named 'mine'"):
        library.delete_user("mine")


def test_import_file(library, tmp_path):
    src = write_doc(tmp_path / "download.json", preset_doc(name="found online", author="Ada"))
    kernel = library.import_file(src)
    assert kernel.name == "found online" and library.is_user("found online")
    assert kernel.source == tmp_path / "user" / "found-online.json"
    assert kernel.extra["author"] == "Ada"
    with pytest.raises(PresetError, match="already exists"):
        library.import_file(src)
    assert library.import_file(src, overwrite=True).source == kernel.source
    bad = write_doc(tmp_path / "bad.json", preset_doc(weights=[[1], [1, 2]]))
    with pytest.raises(PresetError, match="bad.json: 'weights' row 2"):
        library.import_file(bad)
    assert library.names() == ["identity", "sobel-x", "found online"]


def test_export(library, tmp_path):
    out = library.export("sobel-x", tmp_path / "out.json")
    assert read_preset(out) == library["sobel-x"]
    with pytest.raises(PresetError, match="already exists"):
        library.export("identity", out)
    library.export("identity", out, overwrite=True)
    assert read_preset(out).name == "identity"
    with pytest.raises(PresetError, match="no preset named 'sobel'; did you mean 'sobel-x'"):
        library.export("sobel", tmp_path / "x.json")


def test_resolve_name_or_path(library, tmp_path):
    assert library.resolve("sobel-x") is library["sobel-x"]
    path = write_doc(tmp_path / "elsewhere.json", preset_doc(name="elsewhere"))
    assert library.resolve(path).name == "elsewhere"
    assert library.resolve(str(path)).name == "elsewhere"
    with pytest.raises(PresetError, match="cannot read .*missing.json"):
        library.resolve(tmp_path / "missing.json")
    with pytest.raises(PresetError, match=r"^no preset named \'nothing-like-it\'\.$"):
        library.resolve("nothing-like-it")


def test_default_library_is_one_shared_library():
    assert default_library() is default_library()
    assert isinstance(default_library(), PresetLibrary)
    assert default_library().shipped_dir == shipped_kernels_dir()


def test_reload_sees_new_files(library, tmp_path):
    assert "new" not in library
    write_doc(tmp_path / "shipped" / "new.json", preset_doc(name="new"))
    assert "new" not in library  # cached
    library.reload()
    assert "new" in library


# --------------------------------------------------------------------------
# float32 range: every number a kernel holds, and the reciprocal of its divisor
# --------------------------------------------------------------------------

RANGE = "beyond ±3.4e38, the range of the float32 numbers the engine computes with"


@pytest.mark.parametrize(("fields", "message"), [
    ({"weights": [[1, 1e39]]}, f"the kernel holds 1e39, {RANGE}."),
    ({"weights": [[[0]], [[-5e38]], [[1]]]}, f"the kernel holds -5e38, {RANGE}."),
    ({"divisor": 1e39}, f"the divisor is 1e39, {RANGE}."),
    ({"divisor": -1e-300}, f"the divisor is -1e-300, so close to 0 that dividing by it goes {RANGE}; "
                           "use a divisor of at least 2.94e-39 in size."),
    ({"bias": -1e39}, f"the bias is -1e39, {RANGE}."),
])
def test_numbers_beyond_float32_are_refused_naming_them(fields, message):
    weights = fields.pop("weights", [[1]])
    with pytest.raises(ParameterError) as caught:
        Kernel(np.array(weights, dtype=float), **fields)
    assert str(caught.value) == message


def test_the_float32_limits_themselves_are_kernels():
    biggest = float(np.finfo(np.float32).max)
    kernel = Kernel([[biggest, -biggest]], divisor=1 / biggest, bias=-biggest)
    assert kernel.weights.max() == biggest and kernel.divisor == 1 / biggest


def test_typed_weights_beyond_float32_are_refused_by_the_kernel_naming_the_value():
    weights = parse_weights("1 2; 3 1e39")  # the text is read; the kernel decides
    with pytest.raises(ParameterError, match=r"^the kernel holds 1e39, beyond ±3\.4e38"):
        Kernel.from_array(weights)


def test_a_preset_file_beyond_float32_names_its_field(tmp_path):
    path = write_doc(tmp_path / "huge.json", preset_doc(weights=[[1, 2e38], [-4e38, 0]]))
    with pytest.raises(PresetError, match=rf"^{re.escape(str(path))}: 'weights' holds -4e38, beyond ±3\.4e38"):
        read_preset(path)
    path = write_doc(tmp_path / "tiny.json", preset_doc(divisor=1e-40))
    with pytest.raises(PresetError, match=r"'divisor' is 1e-40, so close to 0"):
        read_preset(path)


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="named pipes")
def test_a_named_pipe_or_device_in_the_library_is_one_error_and_the_others_load(library, tmp_path):
    user = tmp_path / "user"
    user.mkdir()
    write_doc(user / "mine.json", preset_doc(name="mine"))
    os.mkfifo(user / "pipe.json")
    (user / "zero.json").symlink_to("/dev/zero")
    assert library.is_user("mine") and "identity" in library
    errors = dict(library.errors)
    assert errors == {
        user / "pipe.json": f"cannot read {str(user / 'pipe.json')!r}: it is a named pipe (FIFO), not a regular file.",
        user / "zero.json": f"cannot read {str(user / 'zero.json')!r}: it is a character device, not a regular file.",
    }
