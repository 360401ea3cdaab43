"""Stage live: what the explorer page needs to recompute a graph of Values itself when a learner edits a leaf.

For the nodes in the order of the backward pass (node 0 the root): each node's op and its inputs, the leaves'
recorded values, which leaves a learner may edit and which a descent step moves. The page's script does the
rest: ``js/ops.js`` holds each op's forward and local derivative (one table, keyed by the op's name,
checked against the engine by the tests), ``js/recompute.js`` the forward and backward passes. A graph that
holds an op the table lacks (a user's own ``record`` op), or a Tensor graph, is not editable, and the data
says why.

>>> from autograd import Value
>>> x = Value(3.0, label="x")
>>> data = live_data(Replay(x * x + 1))
>>> data["ops"], data["op"], data["inputs"]
(['+', '*', ''], [0, 1, 2, 2], [[1, 3], [2, 2], [], []])
>>> data["leaves"], data["values"], data["edit"], data["descend"]
([2, 3], [3.0, 1.0], [2], [2])
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable
from typing import Any

from autograd.drawing.replay import Replay
from autograd.drawing.text import Names

__all__ = ["LIVE_OPS", "LIVE_WORDS", "POWER_NAME", "live_data", "table_op"]

NEURON = -1
"""The arity of nn's fused neurons: 2m + 1 inputs (b, w_0 .. w_{m-1}, x_0 .. x_{m-1}), m >= 1."""

LIVE_OPS: dict[str, int] = {
    "": 0,
    "argument": 1,
    "+": 2,
    "-": 2,
    "*": 2,
    "/": 2,
    "neg": 1,
    "**": 2,
    "**n": 2,
    "exp": 1,
    "log": 1,
    "tanh": 1,
    "sigmoid": 1,
    "relu": 1,
    "abs": 1,
    "sin": 1,
    "cos": 1,
    "erf": 1,
    "leaky_relu": 2,
    "elu": 2,
    "gelu": 1,
    "softplus": 1,
    "w·x+b": NEURON,
    "relu(w·x+b)": NEURON,
    "tanh(w·x+b)": NEURON,
    "sigmoid(w·x+b)": NEURON,
}
"""The ops the page can recompute (the keys of ``js/ops.js``'s table) and how many inputs each takes. "**n"
stands for the powers with a constant exponent, named ``**2``, ``**0.5``, ... (``table_op``)."""

POWER_NAME = re.compile(r"\*\*-?(?:\d+(?:\.\d+)?(?:e[-+]\d+)?|inf|nan)")
"""A constant exponent's power as Value names it: ``f"**{n:g}"`` (js/ops.js's ``OP_POWER_NAME``)."""

LIVE_WORDS = {
    "tensor": "editing is off: the page recomputes graphs of Values, and this is a graph of Tensors",
    "unknown-op": "editing is off: the page cannot recompute the op {ops} (an op of your own, made with "
    "record?); the values shown are the recorded ones",
    "no-names": "editing is off: no leaf has a name to edit it by; give the leaves to change a label "
    "(Value(2.0, label='x')) or pass names=locals() or params=model",
    "refused": "{node}: a Value exponent needs a positive base; Python would refuse to make it",
}
"""The sentences about editing (``reason`` in the data; the page fills ``refused``)."""


def table_op(op: str) -> str:
    """The key of ``op`` in the page's op table: the op itself, or "**n" for a constant exponent's power.

    >>> table_op("**2"), table_op("**-0.5"), table_op("**"), table_op("tanh")
    ('**n', '**n', '**', 'tanh')
    """
    return "**n" if POWER_NAME.fullmatch(op) else op


def _fits(node: Any) -> bool:
    """True when the page's table has ``node``'s op and the node has as many inputs as the op takes."""
    arity = LIVE_OPS.get(table_op(node.op))
    n = len(node.inputs)
    if arity is None:
        return False
    return n >= 3 and n % 2 == 1 if arity == NEURON else n == arity


def _number(x: float) -> float | str:
    """A leaf's value for JSON: nan and the infinities as strings ("nan", "inf", "-inf")."""
    return x if math.isfinite(x) else str(x)


def live_data(replay: Replay, names: Names | None = None, params: Iterable[Any] = ()) -> dict[str, Any]:
    """The data the page recomputes ``replay``'s graph from (see the module's docstring).

    ``names`` names the nodes as the page does (default: labels only); ``params`` are the nodes a descent
    step moves (a model's parameters) when the graph holds any. The keys:

    - ``editable`` (bool) and ``reason`` (why not, a sentence; "" when editable); when not editable, no more;
    - ``ops``: the distinct op names, as the engine names them ("" for a leaf); ``op``: for each node in the
      order of the pass (0: the root), the position of its op in ``ops``;
    - ``inputs``: for each node, its inputs' positions in the order of the pass ([] for a leaf);
    - ``leaves`` and ``values``: the leaves and their recorded data (nan and infinities as strings);
    - ``edit``: the leaves a learner may change, those with a name (a label, a name from ``names=`` or
      ``params=``) and the parameters; never the constants the engine made from plain numbers;
    - ``descend``: the leaves a descent step moves: the parameters, else every leaf in ``edit``.
    """
    order = replay.order
    names = names if names is not None else Names(order, {})
    if not all(type(node.data) is float for node in order):
        return {"editable": False, "reason": LIVE_WORDS["tensor"]}
    unknown = sorted({node.op for node in order if node.inputs and not _fits(node)})
    if unknown:
        listed = ", ".join(repr(op) for op in unknown)
        return {"editable": False, "reason": LIVE_WORDS["unknown-op"].format(ops=listed)}
    index = {node: k for k, node in enumerate(order)}
    leaves = [k for k, node in enumerate(order) if not node.inputs]
    movable = set(params)
    chosen = [k for k in leaves if order[k] in movable]
    edit = [k for k in leaves if order[k] in movable or names.chosen(order[k])]
    if not edit:
        return {"editable": False, "reason": LIVE_WORDS["no-names"]}
    ops: dict[str, int] = {}
    op = [ops.setdefault(node.op if node.inputs else "", len(ops)) for node in order]
    return {
        "editable": True,
        "reason": "",
        "ops": list(ops),
        "op": op,
        "inputs": [[index[x] for x in node.inputs] for node in order],
        "leaves": leaves,
        "values": [_number(order[k].data) for k in leaves],
        "edit": edit,
        "descend": chosen or edit,
    }
