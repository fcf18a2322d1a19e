"""A model trained only on builtin-digits recognises digits drawn the way a person drags a mouse."""

import numpy as np
import pytest
from PIL import Image, ImageDraw

from convdemo.core.nn import (
    Architecture,
    Model,
    TrainingConfig,
    make_digits,
    normalise_drawing,
    train,
)

# Polylines (x, y) on a 280×280 canvas, y down, as straight mouse drags; one list of strokes per drawing.
# Drawn independently of the generator's pen paths.
DRAWINGS = [
    (0, [[(140, 40), (100, 60), (85, 140), (100, 220), (140, 240), (180, 220), (195, 140), (180, 60), (140, 40)]]),
    (1, [[(150, 40), (145, 240)]]),
    (1, [[(110, 80), (150, 40), (150, 240)]]),
    (2, [[(90, 90), (110, 50), (160, 45), (190, 80), (180, 130), (90, 230), (200, 230)]]),
    (3, [[(90, 60), (140, 40), (185, 70), (175, 120), (130, 135), (185, 160), (190, 210), (140, 240), (90, 220)]]),
    (4, [[(160, 40), (80, 170), (210, 170)], [(170, 100), (170, 245)]]),
    (5, [[(190, 45), (110, 45), (100, 130), (150, 115), (190, 150), (185, 210), (140, 235), (95, 215)]]),
    (6, [[(180, 45), (120, 90), (95, 170), (110, 225), (150, 240), (185, 210), (180, 165), (140, 150), (100, 180)]]),
    (7, [[(80, 50), (200, 50), (120, 240)]]),
    (8, [[(185, 70), (140, 40), (95, 70), (110, 115), (175, 165), (185, 215), (140, 245), (95, 215), (110, 165),
          (175, 115), (185, 70)]]),
    (9, [[(185, 90), (150, 50), (105, 65), (100, 115), (140, 135), (185, 100), (185, 90), (175, 245)]]),
]


def draw(strokes, width: int, scale: float) -> np.ndarray:
    """Render a drawing on a black canvas with a round pen, then frame it like the GUI's canvas does."""
    canvas = Image.new("L", (280, 280))
    pen = ImageDraw.Draw(canvas)
    for stroke in strokes:
        points = [((x - 140) * scale + 140, (y - 140) * scale + 140) for x, y in stroke]
        pen.line(points, fill=255, width=width, joint="curve")
        for x, y in (points[0], points[-1]):
            pen.ellipse((x - width / 2, y - width / 2, x + width / 2, y + width / 2), fill=255)
    return normalise_drawing(np.asarray(canvas, np.float32) / 255)


@pytest.fixture(scope="module")
def model():
    data = make_digits(12_000, seed=21)
    model = Model(Architecture(), data.class_names, seed=0)
    for _ in train(model, data, None, TrainingConfig(epochs=2)):
        pass
    return model


def test_mouse_drawings_of_every_digit_are_recognised(model):
    cases = [(digit, draw(strokes, width, scale))
             for digit, strokes in DRAWINGS for width in (10, 18, 30) for scale in (0.6, 1.0)]
    expected = np.array([digit for digit, _ in cases])
    predicted = model.predict(np.stack([image for _, image in cases]))
    assert np.mean(predicted == expected) >= 0.9
    assert set(predicted[predicted == expected]) == set(range(10))
