"""Stage words: every word, number and colour a learner reads, defined once.

The static drawing (``layout``), the stepper's captions (``steps``) and the explorer page
(``page``, which sends these to its script) all take their text and colours from here.

>>> number_text(715.0000000000001), value_text(np.arange(7.0))
('715', 'min 0  mean 3  max 6')
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import numpy as np

from autograd.graph import Node, topological_order

PALETTE = {
    "chain": "#d62728",  # the influence chain
    "current": "#1f77b4",  # the node the backward stepper is processing, the shares it sends
    "partial": "#e6820e",  # a gradient still being summed
    "faint": "#9a9a9a",  # unknown gradients, notes about the picture
    "ink": "#222222",  # text
    "line": "#333333",  # box borders
    "edge": "#555555",  # edges
    "no-grad": "#aaaaaa",  # an edge that carries no gradient
    "collapsed": "#888888",  # the summary node of the collapsed part
    "op": "#f3f3f3",  # op ellipses
    "hit": "#9467bd",  # search hits
    "parameter": "#ffd966",
    "input": "#cfe2f3",
    "constant": "#eeeeee",
    "result": "#ffffff",
}
"""Every colour a drawing or the page uses, by role: the DOT source takes them from here and the
page gets them as CSS variables (``--gg-chain`` ...)."""

KIND_TAG = {"parameter": "param", "input": "input", "constant": "const", "result": ""}
FONTS = "Arial, Helvetica, Arimo, 'Liberation Sans', sans-serif"
"""The fonts text is drawn in: Arial and the fonts made to its metrics (what Graphviz measures)."""

WORDS = {
    # the backward pass, step by step: step k (1..steps) is the k-th node of the pass completing
    "start": "step 0 of {steps}: the backward pass starts from the seed {seed} at {root}; "
    "step on to send it down the graph, one node at a time",
    "no-grad": "step {step} of {steps}: {node} receives no gradient "
    "(it reaches the root only through constant inputs)",
    "leaf": "step {step} of {steps}: {node} is a leaf: its gradient {grad} is final",
    "passes": "step {step} of {steps}: {node} has its complete gradient {grad}{seed}; it passes {shares}",
    "the-seed": " (the seed)",
    "grad": "grad {grad}",  # a node's gradient cell: complete,
    "grad-partial": "grad {grad} so far",  # still being summed,
    "grad-unknown": "grad ?",  # not reached yet at this step,
    "grad-not-kept": "grad not kept",  # or not kept (a Tensor keeps leaves' gradients only)
    "share": "{grad} * {local} = {share} to {input}",  # a number's share: gradient times local derivative
    "share-tensor": "{share} to {input}",
    "nothing": "nothing",
    "collapsed-step": " ({node} is inside the collapsed part of the picture)",
    # the influence chain: d root / d node as the sum over the paths of the products along each
    "head": "d{root}/d{node}",
    "head-seeded": "{seed} * d{root}/d{node}",
    "chain-root": "{head} = 1 (the root itself)",
    "chain-none": "{node} does not reach {root} along any differentiable path: its gradient is 0",
    "chain-tensor": "{head} = sum over {paths} of the vector-Jacobian products along each (seed: ones)"
    " = {total}",
    "chain-counted": "{head} = sum over {paths} of the product of local derivatives = {total}",
    "chain-listed": "{head} = sum over paths of the product of local derivatives; {listed} = {total}",
    "one-path": "1 path: {term}",
    "paths": "{count} paths: {terms}",
    "chain-collapsed": "\n(some of the chain is in the collapsed part)",
    # the page's bar and tooltip
    "count": "step {step} of {steps}",
    "found": "{count} found",
    "found-collapsed": " (+{count} collapsed)",
    "tip-kind": " ({kind})",
    "tip-made": " ({kind}, made by {op})",
    "tip-data": "data {data}",
    "tip-array": "{shape}: {summary}",
    "tip-first": "first values: {values}",
    "tip-grad": "grad {grad}",
    "tip-grad-partial": "grad {grad} (so far)",
    "tip-grad-none": "grad: none yet",
    "tip-local": "local derivative for {input}: {local}",
}
"""Every sentence a learner reads about the pass, with ``{slots}``: the static drawing fills them
here (:func:`say`), the page's script fills the same templates, sent in its data."""


def say(key: str, **slots: Any) -> str:
    """The sentence ``WORDS[key]`` with its slots filled.

    >>> say("leaf", step=9, steps=9, node="tax", grad="650")
    'step 9 of 9: tax is a leaf: its gradient 650 is final'
    """
    return WORDS[key].format(**slots)


def count_text(count: int, thing: str) -> str:
    """``1 path``, ``1,234 paths``: a count and its noun, as every caption writes them.

    >>> count_text(1, "path"), count_text(1234, "path")
    ('1 path', '1,234 paths')
    """
    return f"{count:,} {thing}{'' if count == 1 else 's'}"


# --- numbers as text --------------------------------------------------------------------------


def is_node(x: Any) -> bool:
    """True for a graph node (a Value or a Tensor)."""
    return isinstance(x, Node)


def is_array(x: Any) -> bool:
    """True for a numpy array (a Tensor's data or gradient)."""
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
    """``text`` for Graphviz's HTML-like labels: markup characters escaped, control characters too."""
    text = printable(text)
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")


def dot_quote(text: str) -> str:
    """``text`` as a quoted DOT string (control characters escaped)."""
    return '"' + printable(text).replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


def grad_fill(fraction: float) -> str:
    """White for 0 up to a strong orange for the largest gradient magnitude in the drawing."""
    t = max(0.0, min(1.0, fraction)) ** 0.5
    low, high = (255, 255, 255), (240, 120, 30)
    r, g, b = (round(lo + (hi - lo) * t) for lo, hi in zip(low, high))
    return f"#{r:02x}{g:02x}{b:02x}"


def printable(text: str) -> str:
    r"""``text`` with control characters and non-characters written as escapes (``\x01``): a label
    is shown as the characters it holds, and no renderer chokes on it.

    >>> printable("a\x01b\ufffe"), printable("x_1 ∂")
    ('a\\x01b\\ufffe', 'x_1 ∂')
    """
    if text.isprintable():
        return text
    return "".join(ch if ch.isprintable() else ch.encode("unicode_escape").decode("ascii") for ch in text)


class Names:
    """What every picture, caption and note calls each node of one graph.

    A node's name is the one given (``names=``, a model's parameter names), else its label, else
    ``root`` for the root, else its op and a number (``tanh#3``; an unnamed leaf: ``param#1`` or
    ``const#2``), numbered in the order the graph was computed: the same name in the picture, the
    stepper's captions, the influence chain's note and the page. ``order`` is the graph's
    topological order (root first).

    >>> from autograd import Value
    >>> x = Value(2.0, label="x")
    >>> y = (x * 3).tanh() * 2
    >>> from autograd.graph import topological_order
    >>> names = Names(topological_order(y), {})
    >>> [names(n) for n in reversed(topological_order(y))]
    ['const#1', 'const#2', 'x', '*#1', 'tanh#1', 'root']
    """

    def __init__(self, order: Sequence[Any], given: Mapping[Any, str], params: Iterable[Any] = ()) -> None:
        self.given = given
        self._auto: dict[Any, str] = {}
        counts: Counter[str] = Counter()
        params = set(params)
        for node in reversed(order):
            if node in given or node.label:
                continue
            kind = node_kind(node, given, params)
            tag = node.op or KIND_TAG[kind]
            counts[tag] += 1
            self._auto[node] = f"{tag}#{counts[tag]}"
        if order and order[0] in self._auto:
            self._auto[order[0]] = "root"

    def __call__(self, node: Any) -> str:
        return printable(self.given.get(node) or node.label or self._auto.get(node) or "?")

    def chosen(self, node: Any) -> str:
        """The name a user gave the node (``names=``, a parameter's name, a label), or ""."""
        return printable(self.given.get(node) or node.label or "")


def node_name(node: Any, names: Mapping[Any, str] | None = None) -> str:
    """What a drawing calls ``node`` within its own graph (see :class:`Names`); ``names`` is
    ``locals()`` or a {node: name} mapping.

    >>> from autograd import Value
    >>> x = Value(2.0)
    >>> node_name(x, {"x": x}), node_name(x * 3), node_name((x * 3).tanh() + 1, {}) != ""
    ('x', 'root', True)
    """
    return Names(topological_order(node), names_of(names))(node)


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

