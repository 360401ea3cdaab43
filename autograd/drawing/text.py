"""Stage words: every word, number and colour a learner reads, defined once.

The static drawing (``layout``), the stepper's captions (``steps``) and the explorer page
(``page``, which sends these to its script) all take their text and colours from here.

>>> number_text(715.0000000000001), value_text(np.arange(7.0))
('715', 'min 0  mean 3  max 6')
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from typing import Any

import numpy as np

from autograd.graph import Node

PATH_COLOR = "#d62728"  # the influence chain
CURRENT_COLOR = "#1f77b4"  # the node the backward stepper is processing
PARTIAL_COLOR = "#e6820e"  # a gradient still being summed
FAINT_COLOR = "#9a9a9a"
KIND_FILL = {"parameter": "#ffd966", "input": "#cfe2f3", "constant": "#eeeeee", "result": "#ffffff"}
KIND_TAG = {"parameter": "param", "input": "input", "constant": "const", "result": ""}

# --- numbers as text --------------------------------------------------------------------------


def is_node(x: Any) -> bool:
    return isinstance(x, Node)


def is_array(x: Any) -> bool:
    return isinstance(x, np.ndarray)


def number_text(x: Any) -> str:
    """A number to 4 significant digits: 715.0000000000001 -> '715', 2.2 -> '2.2'."""
    try:
        v = float(x)
    except (TypeError, ValueError):
        return str(x)
    if math.isnan(v):
        return "nan"
    if math.isinf(v):
        return "inf" if v > 0 else "-inf"
    text = f"{v:.4g}"
    return "0" if text == "-0" else text


def array_text(a: Any, numbers_up_to: int = 6) -> str:
    """The numbers themselves when there are at most ``numbers_up_to``, else min/mean/max."""
    a = np.asarray(a)
    if a.size <= numbers_up_to:
        if a.ndim == 0:
            return number_text(a.item())
        text = np.array2string(a, separator=", ", max_line_width=10**6, formatter={"all": number_text})
        return " ".join(text.split())  # rows on one line
    if a.dtype.kind in "biuf":
        return f"min {number_text(a.min())}  mean {number_text(a.mean())}  max {number_text(a.max())}"
    return f"{a.size} values"


def _shape(a: np.ndarray) -> str:
    return "(" + ", ".join(str(n) for n in a.shape) + ("," if a.ndim == 1 else "") + ")"


def shape_text(a: np.ndarray) -> str:
    return f"{_shape(a)} {a.dtype}"


def value_text(x: Any, numbers_up_to: int = 6) -> str:
    """A gradient, local derivative or data value as a drawing writes it, whatever kind it is.

    >>> value_text(715.0000000000001), value_text(np.arange(7.0)), value_text(None)
    ('715', 'min 0  mean 3  max 6', 'None')
    """
    if x is None:
        return "None"
    if is_node(x):  # a gradient from create_graph=True is a node itself
        x = x.data
    if is_array(x):
        return array_text(x, numbers_up_to)
    return number_text(x)


def short_text(x: Any) -> str:
    """A local derivative for an edge label: a number, or a very short Tensor summary."""
    if is_node(x):
        x = x.data
    if is_array(x) and x.size > 3:
        return f"{_shape(x)} in [{number_text(x.min())}, {number_text(x.max())}]"
    return value_text(x, numbers_up_to=3)


def magnitude(g: Any) -> float:
    if g is None:
        return 0.0
    if is_node(g):
        g = g.data
    if is_array(g):
        if g.size == 0:
            return 0.0
        with np.errstate(all="ignore"):
            m = np.nanmax(np.abs(g)) if not np.all(np.isnan(g)) else 0.0
        return float(m)
    try:
        v = abs(float(g))
    except (TypeError, ValueError):
        return 0.0
    return 0.0 if math.isnan(v) else v


def markup_text(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")


def dot_quote(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


def grad_fill(fraction: float) -> str:
    """White for 0 up to a strong orange for the largest gradient magnitude in the drawing."""
    t = max(0.0, min(1.0, fraction)) ** 0.5
    low, high = (255, 255, 255), (240, 120, 30)
    r, g, b = (round(lo + (hi - lo) * t) for lo, hi in zip(low, high))
    return f"#{r:02x}{g:02x}{b:02x}"


def node_name(node: Any, names: Mapping[Any, str]) -> str:
    """What a drawing calls a node: its name in ``names`` ({node: name}, such as
    :attr:`DrawOptions.node_names`), else its label, else its op in parentheses, else its value in
    brackets.

    >>> from autograd import Value
    >>> x = Value(2.0)
    >>> node_name(x, {x: "x"}), node_name(x * 3, {}), node_name(x, {})
    ('x', '(*)', '[2]')
    """
    return names.get(node) or node.label or (f"({node.op})" if node.op else f"[{value_text(node.data, 3)}]")


def node_kind(node: Any, names: Mapping[Any, str], params: Iterable[Any] = ()) -> str:
    """The kind of node a drawing styles: "result" (made by an op), "parameter" (in ``params``,
    or a Tensor with ``requires_grad``), "input" (a leaf with a label or a name in ``names``) or
    "constant" (an unnamed leaf: a number lifted into the graph, or data).

    >>> from autograd import Value
    >>> w, x = Value(0.5), Value(2.0, label="x")
    >>> [node_kind(n, {}, params=[w]) for n in (w * x, w, x, Value(1.0))]
    ['result', 'parameter', 'input', 'constant']
    """
    if node.inputs:
        return "result"
    if node in params or getattr(node, "requires_grad", None) is True:
        return "parameter"
    return "input" if names.get(node) or node.label else "constant"


def names_of(names: Mapping[Any, Any] | None, renamed: Iterable[Any] = ()) -> dict[Any, str]:
    """Node -> variable name, from ``locals()`` (name -> object) or a {node: name} mapping.

    A node's own label wins over its variable name, so labelled nodes are left out, except those
    in ``renamed`` (a model's parameters, whose names replace their labels).
    """
    found: dict[Any, str] = {}
    if not names:
        return found
    keep = set(renamed)
    for key, value in names.items():
        if isinstance(key, str) and is_node(value):
            if key.startswith("_") or value in found:
                continue
            found[value] = key
        elif is_node(key) and isinstance(value, str):
            found[key] = value
    return {node: name for node, name in found.items() if not node.label or node in keep}

