"""Random mixes of valid and hostile ``convdemo apply`` options, run in this process for speed.

The contract for every mix: exit 0 with a finite float32 ``.npy`` of exactly the
shape the geometry predicts (``convdemo.core.geometry``), and at most notes on
stderr; or exit 2 with one ``convdemo: error:`` line and no output file.  Never an
exception, and never the command line's last-resort "not enough memory" line:
a run too big for memory must be refused from its sizes before anything is allocated.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from PIL import Image

from convdemo.cli import main
from convdemo.cli.parsing import padding_text, pair_text
from convdemo.core.errors import ConvdemoError
from convdemo.core.geometry import output_shape, pool_output_shape
from convdemo.core.images import parse_max_size, read_image
from convdemo.core.kernels import parse_weights
from convdemo.core.modes import ACTIVATIONS, BORDERS, CHANNEL_MODES, POOLS
from convdemo.core.pipeline import as_kernel

HUGE = "10000000"
# (option, values): None leaves the option out; the rest mixes good values, bad ones and huge ones.
OPTIONS = {
    "--stride": [None, "1", "2", "1,3", "2x1", "0", "-1", HUGE, "1e3", "", "a", "1,2,3"],
    "--padding": [None, "valid", "same", "full", "0", "1", "2,0", "40", HUGE, f"{HUGE},1", "-1", "1.5", "middle"],
    "--dilation": [None, "1", "2", "1,2", "0", HUGE, "x"],
    "--border": [None, *BORDERS, "symmetric"],
    "--flip": [None, True],
    "--divisor": [None, "1", "-4", "2.5", "0", "1e-300", "1e-30", "1e300", "nan", "inf", "x"],
    "--bias": [None, "0", "-7", "3.5", "1e39", "3e38", "-inf", "nan"],
    "--channels": [None, *CHANNEL_MODES, "purple"],
    "--activation": [None, *ACTIVATIONS],
    "--pool": [None, *POOLS],
    "--pool-size": [None, "1", "2", "3", "0", "-2", HUGE, "1.5"],
    "--pool-stride": [None, "1", "2", "0", HUGE],
    "--stage": [None, "conv", "activation", "pool"],
    "--max-size": [None, "8", "10", "1024", "full", "7", "0", "-5", "abc", "1e3", "9" * 30],
}
KERNELS = [("--kernel", "sobel-x"), ("--kernel", "gaussian-5x5"), ("--kernel", "red-minus-blue"),
           ("--kernel", "no-such-kernel"),
           ("--weights", "1,0,-1;2,0,-2;1,0,-1"), ("--weights", "1"), ("--weights", "1/9,1/9;1/9,1/9"),
           ("--weights", "1e39"), ("--weights", "3e38,3e38;3e38,3e38"), ("--weights", "nan"), ("--weights", "inf"),
           ("--weights", ""), ("--weights", "1,2;3"), ("--weights", "1e-45"), ("--weights", ",".join(["1"] * 10))]
OUTPUTS = ["out.npy"] * 6 + ["out.png", "out.txt", "missing/out.npy"]


@st.composite
def apply_commands(draw) -> tuple[list[str], dict]:
    """Arguments after ``apply IMAGE``, and the options chosen (option → value, kernel, output)."""
    chosen = {option: draw(st.sampled_from(values)) for option, values in OPTIONS.items()}
    kernel = draw(st.sampled_from(KERNELS))
    output = draw(st.sampled_from(OUTPUTS))
    args = ["-o", output, *kernel]
    for option, value in chosen.items():
        if value is True:
            args.append(option)
        elif value is not None:
            args += [option, value]
    return args, {**chosen, "kernel": kernel, "output": output}


def expected_shape(photo, chosen: dict) -> tuple[int, ...]:
    """The shape of the saved stage, worked out from the sizes alone (the options are known to be valid)."""
    kind, text = chosen["kernel"]
    weights = as_kernel(text).weights if kind == "--kernel" else parse_weights(text)
    image = read_image(photo, max_size=parse_max_size(chosen["--max-size"] or "1024"))
    conv = output_shape(image.size, weights.shape[-2:], stride=pair_text(chosen["--stride"] or "1", "stride"),
                        padding=padding_text(chosen["--padding"] or "valid"),
                        dilation=pair_text(chosen["--dilation"] or "1", "dilation")).shape
    shape = conv
    if chosen["--pool"] not in (None, "none") and chosen["--stage"] != "conv" and chosen["--stage"] != "activation":
        pool_size = int(chosen["--pool-size"] or 2)
        pool_stride = int(chosen["--pool-stride"]) if chosen["--pool-stride"] else None
        shape = pool_output_shape(conv, pool_size, pool_stride).shape
    planes = (3,) if chosen["--channels"] == "per-channel" else ()
    return (*shape, *planes)


@pytest.fixture
def photo(tmp_path):
    """A small colour photo, 12×17 (so --max-size 8 and 10 reduce it)."""
    pixels = np.random.default_rng(3).integers(0, 256, (12, 17, 3), dtype=np.uint8)
    path = tmp_path / "photo.png"
    Image.fromarray(pixels).save(path)
    return path


@settings(max_examples=400, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(command=apply_commands())
def test_apply_keeps_the_contract_for_any_mix_of_options(tmp_path, monkeypatch, capsys, photo, command):
    args, chosen = command
    monkeypatch.chdir(tmp_path)
    out = tmp_path / chosen["output"]
    out.unlink(missing_ok=True)
    capsys.readouterr()
    code = main(["apply", str(photo), *args])
    lines = capsys.readouterr().err.splitlines()
    if code == 2:
        assert len(lines) == 1 and lines[0].startswith("convdemo: error: "), lines
        assert "not enough memory" not in lines[0], f"allocated before refusing: {args}"
        assert not out.exists()
        return
    assert code == 0, (code, lines)
    assert all(line.startswith("convdemo: note: ") for line in lines), lines
    if out.suffix == ".png":
        with Image.open(out) as saved:
            assert saved.mode == "RGB"
        return
    result = np.load(out)
    assert result.dtype == np.float32
    assert np.isfinite(result).all(), f"non-finite result for {args}"
    try:
        shape = expected_shape(photo, chosen)
    except ConvdemoError as error:  # pragma: no cover - the command succeeded where the geometry says it cannot
        pytest.fail(f"exit 0 for {args}, but {error}")
    assert result.shape == shape, args
