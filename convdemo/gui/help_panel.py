"""The "What am I looking at?" panel: the lesson in a few paragraphs, in a dock of a readable width."""

from PyQt6.QtCore import Qt
from PyQt6.QtWidgets import QDockWidget, QMainWindow, QTextBrowser, QWidget

MIN_HELP_WIDTH = 360
"""The help dock is never opened narrower than this (pixels)."""

HELP_HTML = """
<h3>What am I looking at?</h3>
<p><b>Convolution.</b> A small grid of numbers, the <i>kernel</i>, slides over the image. At each
position every pixel under the kernel is multiplied by the kernel number on top of it, and the
products are added up: that sum is one output pixel. Hover any output pixel to see its window,
the products and the sum.</p>
<p><b>What kernels do.</b> A 3×3 kernel of 0.1s averages the neighbourhood: it <i>blurs</i>.
A 1 in the centre and 0 elsewhere copies the image (<i>identity</i>); a 2 in the centre
<i>brightens</i>. A 1 in the centre and −1 just above it subtracts each pixel's upper neighbour,
so only places where the brightness changes survive: it <i>finds edges</i>.</p>
<p><b>Reading the colours.</b> The input is grey: 0 is black, 255 white. An output of one plane
uses the <i>heat map</i> by default: black for 0, then purple, orange and yellow for 255 (untick
<i>heat map</i> for grey). As soon as an output has negative values, it switches to a
blue–white–red map: white is 0, blue negative, red positive, and the deeper the colour the
larger the value. A three-plane output ('per channel') stays in colour. The colour bar under
each picture spans the real smallest and largest value. Values beyond 0…255 cannot get
brighter than the end colour: the bar shows them as a hatched end, and a note under the title
says so, with a link to <i>stretch</i> (smallest value black, largest white).</p>
<p><b>Stride.</b> How far the kernel jumps between positions. Stride 2 skips every other pixel,
so the output is about half as wide and high (and fine patterns can turn into false ones).</p>
<p><b>Padding.</b> Without padding ('valid') the kernel must stay inside the image, so a 3×3 kernel
turns 28×28 into 26×26. 'same' adds a border of (usually zero) cells so the size is kept
(divided by the stride). The input view draws the added cells around the image, dimmed and
outside a dashed line, filled as the <i>border fill</i> says: zeros, or copies of pixels near the
edge. The titles show the formula with the actual numbers.</p>
<p><b>Sizes.</b> Sizes are written rows × columns, like numpy shapes: a photo 4000 px wide and
3000 px tall is 3000×4000. Only the input's line also gives the photo's width × height in pixels.</p>
<p><b>Dilation</b> spreads the kernel's taps apart: a 3×3 kernel with dilation 2 looks at 5×5 pixels.</p>
<p><b>Pooling.</b> 2×2 max pooling keeps the largest value of each 2×2 block and halves the size:
the strongest response survives, its exact position matters less.</p>
<p><b>Colour.</b> A colour image has three planes, red, green and blue. A CNN's first layer
convolves each plane with its own kernel and <i>adds</i> the three results ('RGB summed'); a
photo filter keeps them apart ('per channel').</p>
<p><b>CNNs.</b> In a convolutional network nobody writes the kernels: they are weights
learned from examples. The CNN lab tab trains one and shows its filters as they learn.</p>
"""


class HelpPanel(QTextBrowser):
    """Read-only lesson text."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setHtml(HELP_HTML)
        self.setOpenExternalLinks(False)


def help_width(window_width: int) -> int:
    """The help dock's opening width in a window ``window_width`` wide: a third, at least :data:`MIN_HELP_WIDTH`."""
    return max(MIN_HELP_WIDTH, window_width // 3)


def open_readable(dock: QDockWidget, window: QMainWindow) -> None:
    """Widen the docked ``dock`` to :func:`help_width` whenever it is shown narrower than :data:`MIN_HELP_WIDTH`.

    Parameters
    ----------
    dock : QDockWidget
        The help dock, docked left or right of ``window``.
    window : QMainWindow
        Its window, whose width sets the dock's.
    """
    def widen(visible: bool) -> None:
        if visible and not dock.isFloating() and dock.width() < MIN_HELP_WIDTH:
            window.resizeDocks([dock], [help_width(window.width())], Qt.Orientation.Horizontal)

    dock.visibilityChanged.connect(widen)
