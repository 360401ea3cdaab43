"""Drawing the graph: one pipeline, a module per stage, walked once.

    replay  ->  scene  ->  layout  ->  render  ->  page
    (the backward pass share by share and the influence chains) -> (what is drawn: nodes, names,
    words, the collapsed part) -> (DOT, Graphviz within bounds) -> (SVG, PNG, DOT files; the
    Drawing) -> (the explorer: one self-contained HTML page, its data and script)

``text`` holds every word, number format and colour that the stages write; ``steps`` is the
backward stepper built on them. Later stages import earlier stages' public names only.

>>> from autograd import Value
>>> x = Value(2.0, label="x")
>>> draw(x * x).source.startswith("digraph")
True
"""

from autograd.drawing.layout import RendererNotFoundError, find_renderer, to_dot
from autograd.drawing.page import EXACT_NUMBERS, LIVE_HINT, Explorer, explore, playback
from autograd.drawing.render import PICTURE_SIZE, Drawing, draw, picture_png, text_width
from autograd.drawing.replay import Replay, local_derivative
from autograd.drawing.scene import DEFAULT_MAX_NODES, DrawOptions
from autograd.drawing.steps import BackwardSteps, Frame, backward_steps
from autograd.drawing.text import node_kind, node_name, value_text

__all__ = [
    "DEFAULT_MAX_NODES",
    "EXACT_NUMBERS",
    "LIVE_HINT",
    "PICTURE_SIZE",
    "BackwardSteps",
    "DrawOptions",
    "Drawing",
    "Explorer",
    "Frame",
    "RendererNotFoundError",
    "Replay",
    "backward_steps",
    "draw",
    "explore",
    "find_renderer",
    "local_derivative",
    "node_kind",
    "node_name",
    "picture_png",
    "playback",
    "text_width",
    "to_dot",
    "value_text",
]
