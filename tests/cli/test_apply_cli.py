"""The command line (docs/cli.md): apply, presets, errors."""

import json
import os
import subprocess
import sys

import numpy as np
import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from PIL import Image

import convdemo
from convdemo.cli import main
from convdemo.core.modes import ACTIVATIONS, BORDERS, CHANNEL_MODES, POOLS
from convdemo.core.reference import run_reference


@pytest.fixture
def photo(tmp_path):
    rng = np.random.default_rng(5)
    pixels = rng.integers(0, 256, (9, 11, 3), dtype=np.uint8)
    path = tmp_path / "photo.png"
    Image.fromarray(pixels).save(path)
    return path, pixels.astype(np.float64)


def _apply(tmp_path, photo_path, *options):
    out = tmp_path / "out.npy"
    assert main(["apply", str(photo_path), "-o", str(out), *options]) == 0
    return np.load(out)


OPTION_SETS = [
    (["--kernel", "sobel-x"], dict(weights="sobel-x")),
    (["--weights", "-1,0,1;-2,0,2;-1,0,1", "--padding", "same", "--border", "reflect"],
     dict(padding="same", border="reflect")),
    (["--weights", "-1 2;3 -4", "--stride", "2,1", "--padding", "1", "--flip", "--channels", "per-channel"],
     dict(stride=(2, 1), padding=1, flip=True, channels="per-channel")),
    (["--weights", "1,2,3;4,5,6;7,8,9", "--dilation", "2", "--padding", "full", "--border", "wrap",
      "--divisor", "45", "--bias", "-3", "--channels", "rgb-sum", "--activation", "relu",
      "--pool", "max", "--pool-size", "3", "--pool-stride", "2"],
     dict(dilation=2, padding="full", border="wrap", divisor=45, bias=-3, channels="rgb-sum",
          activation="relu", pool="max", pool_size=3, pool_stride=2)),
    (["--weights", "0,-1,0;0,1,0;0,0,0", "--channels", "green", "--activation", "abs", "--pool", "avg",
      "--stage", "activation", "--border", "replicate", "--padding", "same"],
     dict(channels="green", activation="abs", pool="avg", border="replicate", padding="same",
          stage="activated")),
]


@pytest.mark.parametrize("options, expected", OPTION_SETS)
def test_apply_npy_equals_the_reference(tmp_path, photo, options, expected):
    path, pixels = photo
    got = _apply(tmp_path, path, *options)
    expected = dict(expected)
    stage = expected.pop("stage", None)
    weights = expected.pop("weights", None)
    k = convdemo.kernels[weights].weights if weights else _weights_from(options)
    ref = run_reference(pixels, k, **expected)
    want = ref[stage] if stage else next(ref[s] for s in ("pooled", "activated", "conv") if ref[s] is not None)
    assert got.dtype == np.float32
    np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-3)


def _weights_from(options):
    from convdemo.core.kernels import parse_weights

    return parse_weights(options[options.index("--weights") + 1])


def test_apply_png_uses_the_display_mapping(tmp_path, photo):
    path, _ = photo
    out = tmp_path / "edges.png"
    assert main(["apply", str(path), "-o", str(out), "--kernel", "sobel-x"]) == 0
    picture = np.asarray(Image.open(out))
    assert picture.shape == (7, 9, 3) and picture.dtype == np.uint8
    # signed output: the auto mapping is diverging, so negative values are not clipped to black
    assert len(np.unique(picture.reshape(-1, 3), axis=0)) > 10


def run_cli(*args):
    return subprocess.run([sys.executable, "-m", "convdemo", *args], capture_output=True, text=True)


@pytest.mark.parametrize("args, message", [
    (["apply", "missing.png", "-o", "x.npy", "--kernel", "identity"], "missing.png"),
    (["apply", "{img}", "-o", "x.npy", "--kernel", "no-such-kernel"], "no preset named 'no-such-kernel'"),
    (["apply", "{img}", "-o", "x.npy", "--weights", "1,2;3"], "row"),
    (["apply", "{img}", "-o", "x.npy", "--weights", ",".join(["1"] * 10)], "1×10"),
    (["apply", "{img}", "-o", "x.npy", "--kernel", "gaussian-5x5", "--stride", "0"], "stride must be at least 1"),
    (["apply", "{img}", "-o", "x.txt", "--kernel", "identity"], "must end in .png or .npy"),
    (["apply", "{img}", "-o", "x.npy", "--weights", "1,1,1,1,1,1,1,1,1;" * 1 + "1,1,1,1,1,1,1,1,1",
      "--dilation", "3"], "does not fit a 9×11 image"),
    (["apply", "{img}", "-o", "x.npy", "--kernel", "identity", "--stage", "pool"], "the pool stage is off"),
    (["apply", "{img}", "-o", "x.npy", "--kernel", "identity", "--padding", "middle"], "padding must be"),
    (["apply", "{img}", "-o", "x.npy"], "one of the arguments --kernel --weights is required"),
    (["apply", "{img}", "-o", "x.npy", "--weights", "1,nan,1"], "nan"),
    (["presets", "show", "nope"], "no preset named 'nope'"),
    (["presets", "import", "{bad}"], "bad.json"),
])
def test_errors_are_one_line_with_exit_2(tmp_path, photo, args, message):
    bad = tmp_path / "bad.json"
    bad.write_text('{"format": "convdemo-kernel", "version": 1, "name": "b", "weights": [[1, 2], [3]]}')
    args = [a.format(img=photo[0], bad=bad) for a in args]
    result = subprocess.run([sys.executable, "-m", "convdemo", *args], capture_output=True, text=True,
                            cwd=tmp_path)
    assert result.returncode == 2, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("convdemo: error:"), result.stderr
    assert "Traceback" not in result.stderr
    assert message.lower() in lines[0].lower()


def test_presets_list_show_export_import(tmp_path, capsys):
    assert main(["presets", "list"]) == 0
    listing = capsys.readouterr().out
    assert listing.splitlines()[0].startswith("identity") and "sobel-x" in listing
    assert main(["presets", "show", "sobel-x"]) == 0
    shown = capsys.readouterr().out
    assert "-1" in shown and "3×3" in shown
    target = tmp_path / "mine.json"
    assert main(["presets", "export", "sobel-x", str(target)]) == 0
    doc = json.loads(target.read_text())
    assert doc["format"] == "convdemo-kernel" and doc["weights"][0] == [-1, 0, 1]
    assert main(["presets", "export", "sobel-x", str(target)]) == 2  # never overwrites silently
    doc["name"] = "my edge"
    target.write_text(json.dumps(doc))
    assert main(["presets", "import", str(target)]) == 0
    capsys.readouterr()
    assert main(["presets", "list"]) == 0
    assert "my edge" in capsys.readouterr().out


def test_version_and_module_entry_point():
    result = run_cli("--version")
    assert result.returncode == 0 and result.stdout.strip() == f"convdemo {convdemo.__version__}"


@st.composite
def apply_options(draw):
    """Random `convdemo apply` options and the matching run_reference keywords."""
    kh, kw = draw(st.integers(1, 4)), draw(st.integers(1, 4))
    weights = draw(st.lists(st.lists(st.integers(-3, 3), min_size=kw, max_size=kw), min_size=kh, max_size=kh))
    text = ";".join(",".join(str(v) for v in row) for row in weights)
    ref = dict(weights=np.array(weights, float))
    args = ["--weights", text]
    for option, key, values in (
        ("--stride", "stride", ["1", "2", "2,1", "1,3"]),
        ("--padding", "padding", ["valid", "same", "full", "1", "0,2"]),
        ("--border", "border", list(BORDERS)),
        ("--dilation", "dilation", ["1", "2", "1,2"]),
        ("--channels", "channels", list(CHANNEL_MODES)),
        ("--activation", "activation", list(ACTIVATIONS)),
        ("--pool", "pool", list(POOLS)),
        ("--divisor", "divisor", ["1", "-4", "2.5"]),
        ("--bias", "bias", ["0", "-7", "3.5"]),
    ):
        value = draw(st.sampled_from(values))
        args += [option, value]
        parsed = value if key in ("border", "channels", "activation", "pool") else (
            float(value) if key in ("divisor", "bias") else _cli_pair(value))
        ref[key] = parsed
    if draw(st.booleans()):
        args.append("--flip")
        ref["flip"] = True
    return args, ref


def _cli_pair(text):
    if text in ("valid", "same", "full"):
        return text
    parts = [int(p) for p in text.split(",")]
    return parts[0] if len(parts) == 1 else tuple(parts)


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(apply_options())
def test_apply_matches_the_reference_for_random_option_combinations(tmp_path, photo, case):
    args, ref = case
    path, pixels = photo
    out = tmp_path / "random.npy"
    code = main(["apply", str(path), "-o", str(out), *args])
    weights = ref.pop("weights")
    try:
        expected = run_reference(pixels, weights, **ref)
    except ValueError:  # the pooling window is larger than the convolved map
        assert code == 2
        return
    want = next(expected[s] for s in ("pooled", "activated", "conv") if expected[s] is not None)
    if 0 in want.shape:  # the kernel is larger than the padded image
        assert code == 2
        return
    assert code == 0
    event("compared with the reference")
    np.testing.assert_allclose(np.load(out), want, rtol=1e-5, atol=1e-3)


# ---------------------------------------------------------------- stderr: notes, warnings, --verbose


def test_note_about_a_reduced_image_comes_only_after_success(tmp_path, photo, capsys):
    path, _ = photo
    assert main(["apply", str(path), "-o", str(tmp_path / "o.npy"), "--kernel", "identity", "--max-size", "8"]) == 0
    assert capsys.readouterr().err.splitlines() == [
        "convdemo: note: photo.png — 11×9 px (9×11 rows×cols), convolving 7×8 "
        "(use --max-size full to keep every pixel)"]
    assert main(["apply", str(path), "-o", str(tmp_path / "o.npy"), "--kernel", "identity", "--max-size", "8",
                 "--stage", "pool"]) == 2
    assert capsys.readouterr().err.splitlines() == [
        "convdemo: error: the pool stage is off; turn it on with --pool max or avg."]


def _jpeg_with_broken_exif(path):
    """Pillow warns (UserWarning) when it reads this EXIF block; the pixels are fine."""
    exif = Image.Exif()
    exif[0x010E] = "x" * 100
    Image.new("RGB", (32, 16), (10, 20, 30)).save(path, exif=exif.tobytes()[:-60])
    return path


@pytest.mark.parametrize("where", ["first", "last"])
def test_library_warnings_are_dropped_unless_verbose(tmp_path, capsys, where):
    picture = _jpeg_with_broken_exif(tmp_path / "odd.jpg")
    args = ["apply", str(picture), "-o", str(tmp_path / "o.npy"), "--kernel", "identity"]
    assert main(args) == 0
    assert capsys.readouterr().err == ""
    assert main(["--verbose", *args] if where == "first" else [*args, "-v"]) == 0
    assert capsys.readouterr().err.splitlines() == [
        "convdemo: warning: UserWarning: Tag data larger than file. Skipping tag 270"]


@pytest.mark.parametrize("args", [["presets", "list", "-v"], ["-v", "presets", "show", "sobel-x"],
                                  ["presets", "--verbose", "list"], ["-v", "--about"]])
def test_verbose_is_accepted_by_every_command_form(capsys, args):
    assert main(args) == 0
    assert "convdemo: error" not in capsys.readouterr().err


def test_verbose_is_listed_in_every_help():
    for args in (["--help"], ["apply", "--help"], ["presets", "list", "--help"], ["train", "--help"]):
        assert "--verbose" in run_cli(*args).stdout, args


def test_running_out_of_memory_is_one_line(tmp_path, photo, capsys, monkeypatch):
    import convdemo.core.pipeline

    def exhausted(*_args, **_kwargs):
        raise MemoryError

    monkeypatch.setattr(convdemo.core.pipeline, "run_settings", exhausted)
    assert main(["apply", str(photo[0]), "-o", str(tmp_path / "o.npy"), "--kernel", "identity"]) == 2
    assert capsys.readouterr().err.splitlines() == [
        "convdemo: error: there is not enough memory for this; try a smaller image or working size (--max-size)."]


# ---------------------------------------------------------------- cheap checks before the image is read


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="named pipes are POSIX")
@pytest.mark.parametrize(("options", "message"), [
    (["--stride", "0"], "stride must be at least 1"),
    (["--max-size", "7"], "Invalid maximum size '7'"),
    (["--kernel", "no-such-kernel"], "no preset named 'no-such-kernel'"),
    (["--divisor", "0"], "divisor"),
    (["--pool-size", "0"], "pool size must be at least 1"),
])
def test_options_are_checked_before_the_image_is_opened(tmp_path, capsys, options, message):
    os.mkfifo(tmp_path / "pipe.png")  # opening it for reading without O_NONBLOCK would wait forever
    kernel = [] if "--kernel" in options else ["--kernel", "identity"]
    assert main(["apply", str(tmp_path / "pipe.png"), "-o", str(tmp_path / "o.npy"), *kernel, *options]) == 2
    assert message in capsys.readouterr().err


@pytest.mark.parametrize(("output", "message"), [
    ("{tmp}/missing/o.npy", "the folder '{tmp}/missing' does not exist"),
    ("{tmp}/folder.npy", "it is a folder; give a file name ending in .npy"),
    ("{tmp}/o.jpg", "the output must end in .png or .npy, not 'o.jpg'"),
])
def test_output_is_checked_before_the_image(tmp_path, capsys, output, message):
    (tmp_path / "folder.npy").mkdir()
    output, message = output.format(tmp=tmp_path), message.format(tmp=tmp_path)
    assert main(["apply", str(tmp_path / "not-there.png"), "-o", output, "--kernel", "identity"]) == 2
    assert message in capsys.readouterr().err


@pytest.mark.skipif(sys.platform == "win32" or os.geteuid() == 0,
                    reason="needs POSIX permissions that bind (not root)")
def test_output_folder_must_be_writable(tmp_path, photo, capsys):
    locked = tmp_path / "locked"
    locked.mkdir(mode=0o500)
    assert main(["apply", str(photo[0]), "-o", str(locked / "o.npy"), "--kernel", "identity"]) == 2
    assert "you may not write to the folder" in capsys.readouterr().err
