"""Drawing the graph: DOT source, SVG and PNG pictures, the influence chain, the backward stepper.

``to_dot(root)`` writes Graphviz DOT source and needs no program at all. ``draw(root)`` returns a
:class:`Drawing` that shows itself in Jupyter, gives ``.svg()`` and writes ``.save("g.svg")``,
``.png`` or ``.dot``; it renders with the system Graphviz ``dot`` when that is on PATH and with
the ``graphviz-pure`` program (installed along with graphgrad) otherwise.

>>> from autograd import Value, to_dot
>>> x, w = Value(2.0, label="x"), Value(-3.0, label="w")
>>> y = x * w
>>> y.backward()
>>> print(to_dot(y).splitlines()[0])
digraph graphgrad {
>>> "grad -3" in to_dot(y)  # x's gradient is w
True

A node shows its label (or its variable name with ``names=locals()``), its data and gradient to
4 significant digits (a Tensor: shape, dtype and a short summary), and each result has an op node
(``*``, ``tanh``, ...) between it and its inputs. ``highlight=w`` draws the "influence chain":
every path from ``w`` to the root, each edge labelled with its local derivative, and a note
that the gradient of ``w`` is the sum over the paths of the products along them.
``backward_steps(root)`` replays the backward pass one node at a time without touching any
``.grad``; its ``player()`` is the interactive page of :mod:`autograd.explore`. Past
``max_nodes`` the far part of the graph collapses into one summary node.
All traversals are iterative, so graphs of any depth draw.

The pieces, for other views of the graph (such as an interactive page) to reuse:

- :class:`DrawOptions`: every drawing option, checked once;
- :class:`Replay`: one backward pass recorded share by share (``gradients(..., trace=)``), which
  both the stepper and the influence chain read;
- :func:`node_name`, :func:`node_kind`, :func:`value_text`, :func:`local_derivative`: what a
  drawing writes for a node and an edge.
"""

from __future__ import annotations

import html
import inspect
import math
import os
import re
import shutil
import subprocess
import sys
from collections import Counter, deque
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, fields
from functools import cached_property
from itertools import accumulate
from pathlib import Path
from typing import Any, TypeVar

import numpy as np

from autograd.graph import Share, gradients, topological_order

__all__ = [
    "DEFAULT_MAX_NODES",
    "BackwardSteps",
    "DrawOptions",
    "Drawing",
    "Frame",
    "RendererNotFoundError",
    "Replay",
    "backward_steps",
    "draw",
    "find_renderer",
    "local_derivative",
    "node_kind",
    "node_name",
    "text_width",
    "to_dot",
    "value_text",
]

DEFAULT_MAX_NODES = 300
"""Graph nodes drawn before the far part of a graph collapses into one summary node."""

MAX_LISTED_PATHS = 6
MAX_LISTED_PATH_LENGTH = 12
"""The influence-chain note writes out each path's product for up to MAX_LISTED_PATHS paths of
up to MAX_LISTED_PATH_LENGTH edges; past that it gives the number of paths and their sum."""

_PATH = "#d62728"  # the influence chain
_CURRENT = "#1f77b4"  # the node the backward stepper is processing
_PARTIAL = "#e6820e"  # a gradient still being summed
_FAINT = "#9a9a9a"
_KIND_FILL = {"parameter": "#ffd966", "input": "#cfe2f3", "constant": "#eeeeee", "result": "#ffffff"}
_KIND_TAG = {"parameter": "param", "input": "input", "constant": "const", "result": ""}
_SHOW_FIELDS = ("data", "grad")

FANOUT_LIMIT = 24
"""A drawn node feeding more ops than this makes Graphviz's crossing minimisation slow (100 users:
tens of seconds); such pictures are laid out with its search limits, and say so."""
_SEARCH_LIMITS = "  graph [mclimit=0.1, nslimit=1, nslimit1=1, searchsize=10];"


class RendererNotFoundError(RuntimeError):
    """Neither the Graphviz ``dot`` program nor ``graphviz-pure`` could be found."""


# --- numbers as text --------------------------------------------------------------------------


def _is_node(x: Any) -> bool:
    return hasattr(x, "_inputs") and hasattr(x, "_vjps") and hasattr(x, "data")


def _is_array(x: Any) -> bool:
    return isinstance(x, np.ndarray)


def _fmt(x: Any) -> str:
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


def _array_text(a: Any, numbers_up_to: int = 6) -> str:
    """The numbers themselves when there are at most ``numbers_up_to``, else min/mean/max."""
    a = np.asarray(a)
    if a.size <= numbers_up_to:
        if a.ndim == 0:
            return _fmt(a.item())
        text = np.array2string(a, separator=", ", max_line_width=10**6, formatter={"all": lambda v: _fmt(v)})
        return " ".join(text.split())  # rows on one line
    if a.dtype.kind in "biuf":
        return f"min {_fmt(a.min())}  mean {_fmt(a.mean())}  max {_fmt(a.max())}"
    return f"{a.size} values"


def _shape(a: np.ndarray) -> str:
    return "(" + ", ".join(str(n) for n in a.shape) + ("," if a.ndim == 1 else "") + ")"


def _shape_text(a: np.ndarray) -> str:
    return f"{_shape(a)} {a.dtype}"


def value_text(x: Any, numbers_up_to: int = 6) -> str:
    """A gradient, local derivative or data value as a drawing writes it, whatever kind it is.

    >>> value_text(715.0000000000001), value_text(np.arange(7.0)), value_text(None)
    ('715', 'min 0  mean 3  max 6', 'None')
    """
    if x is None:
        return "None"
    if _is_node(x):  # a gradient from create_graph=True is a node itself
        x = x.data
    if _is_array(x):
        return _array_text(x, numbers_up_to)
    return _fmt(x)


def _short(x: Any) -> str:
    """A local derivative for an edge label: a number, or a very short Tensor summary."""
    if _is_node(x):
        x = x.data
    if _is_array(x) and x.size > 3:
        return f"{_shape(x)} in [{_fmt(x.min())}, {_fmt(x.max())}]"
    return value_text(x, numbers_up_to=3)


def _magnitude(g: Any) -> float:
    if g is None:
        return 0.0
    if _is_node(g):
        g = g.data
    if _is_array(g):
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


def _html(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")


def _quote(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


def _grad_fill(fraction: float) -> str:
    """White for 0 up to a strong orange for the largest gradient magnitude in the drawing."""
    t = max(0.0, min(1.0, fraction)) ** 0.5
    low, high = (255, 255, 255), (240, 120, 30)
    r, g, b = (round(lo + (hi - lo) * t) for lo, hi in zip(low, high))
    return f"#{r:02x}{g:02x}{b:02x}"


# --- what a drawing says about a node and an edge ---------------------------------------------


def _seed_like(data: Any) -> Any:
    return np.ones_like(data) if _is_array(data) else 1.0


def local_derivative(node: Any, i: int) -> Any:
    """d node / d input i: the rule called with an incoming gradient of one (ones for arrays).

    None for an input that gets no gradient (or whose rule cannot take that seed).

    >>> from autograd import Value
    >>> a, b = Value(2.0), Value(5.0)
    >>> local_derivative(a * b, 0), local_derivative(a * b, 1)
    (5.0, 2.0)
    """
    rule = node._vjps[i]
    if rule is None:
        return None
    try:
        return rule(_seed_like(node.data), node.data, *(x.data for x in node._inputs))
    except Exception:  # a rule that cannot take this seed: show '?' rather than fail the drawing
        return None


def node_name(node: Any, names: Mapping[Any, str]) -> str:
    """What a drawing calls a node: its name in ``names`` ({node: name}, such as
    :attr:`DrawOptions.node_names`), else its label, else its op in parentheses, else its value in
    brackets.

    >>> from autograd import Value
    >>> x = Value(2.0)
    >>> node_name(x, {x: "x"}), node_name(x * 3, {}), node_name(x, {})
    ('x', '(*)', '[2]')
    """
    return names.get(node) or node.label or (f"({node._op})" if node._op else f"[{value_text(node.data, 3)}]")


def node_kind(node: Any, names: Mapping[Any, str], params: Iterable[Any] = ()) -> str:
    """The kind of node a drawing styles: "result" (made by an op), "parameter" (in ``params``,
    or a Tensor with ``requires_grad``), "input" (a leaf with a label or a name in ``names``) or
    "constant" (an unnamed leaf: a number lifted into the graph, or data).

    >>> from autograd import Value
    >>> w, x = Value(0.5), Value(2.0, label="x")
    >>> [node_kind(n, {}, params=[w]) for n in (w * x, w, x, Value(1.0))]
    ['result', 'parameter', 'input', 'constant']
    """
    if node._inputs:
        return "result"
    if node in params or getattr(node, "requires_grad", None) is True:
        return "parameter"
    return "input" if names.get(node) or node.label else "constant"


def _names_of(names: Mapping[Any, Any] | None, renamed: Iterable[Any] = ()) -> dict[Any, str]:
    """Node -> variable name, from ``locals()`` (name -> object) or a {node: name} mapping.

    A node's own label wins over its variable name, so labelled nodes are left out, except those
    in ``renamed`` (a model's parameters, whose names replace their labels).
    """
    found: dict[Any, str] = {}
    if not names:
        return found
    keep = set(renamed)
    for key, value in names.items():
        if isinstance(key, str) and _is_node(value):
            if key.startswith("_") or value in found:
                continue
            found[value] = key
        elif _is_node(key) and isinstance(value, str):
            found[key] = value
    return {node: name for node, name in found.items() if not node.label or node in keep}


def _as_nodes(x: Any, what: str) -> list[Any]:
    if x is None:
        return []
    if _is_node(x):
        return [x]
    nodes = list(x) if isinstance(x, Iterable) else [x]
    for n in nodes:
        if not _is_node(n):
            raise TypeError(
                f"{what}: expected a graph node (Value or Tensor) or a list of them, got {type(n).__name__}"
            )
    return nodes


def _check_root(root: Any, caller: str) -> None:
    if not _is_node(root):
        raise TypeError(f"{caller}: root must be a graph node (Value or Tensor), got {type(root).__name__}")


# --- the options ------------------------------------------------------------------------------


@dataclass
class DrawOptions:
    """How a picture of the graph looks: the keywords that every drawing entry point takes
    (``to_dot``, ``draw``, a stepper frame's ``to_dot``/``draw``, ``BackwardSteps.player``),
    checked once, here.

    ``rankdir``: "LR" (inputs left, root right) or "TB", "RL", "BT". ``names``: ``locals()`` (or
    any {variable name: node} or {node: name} mapping) to name nodes that have no ``label``.
    ``highlight``: a node or several; every path from them to the root is marked, its edges
    labelled with their local derivatives, with a note summing the products over the paths.
    ``max_nodes``: graph nodes drawn before the far part collapses into one summary node.
    ``show``: "data,grad", "data", "grad" or "" (labels only). ``params``: nodes to style as
    parameters (Tensors with ``requires_grad`` are styled so anyway), or a model: its
    parameters, each named by ``named_parameters()`` (``layers.0.w``; ``names`` overrides).
    ``color_grad``: fill the data and grad cells from white to orange by gradient magnitude.

    The fields keep what was given; ``node_names``, ``targets``, ``param_nodes`` and ``shown``
    hold it in the form the drawing reads: ``node_names`` gives each named node the name drawn
    in place of its label (a node's own label beats its variable name, but a parameter's name
    from the model beats its label, and ``names`` beats that).

    >>> DrawOptions(show="data").shown
    ('data',)
    >>> DrawOptions(rankdir="up")
    Traceback (most recent call last):
    ...
    ValueError: draw: rankdir must be 'LR', 'RL', 'TB' or 'BT', got 'up'
    """

    rankdir: str = "LR"
    names: Mapping[Any, Any] | None = None
    highlight: Any = None
    max_nodes: int = DEFAULT_MAX_NODES
    show: str | Iterable[str] = "data,grad"
    params: Any = None
    color_grad: bool = False
    node_names: dict[Any, str] = field(init=False, repr=False)
    targets: list[Any] = field(init=False, repr=False)
    param_nodes: set[Any] = field(init=False, repr=False)
    shown: tuple[str, ...] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        if self.rankdir not in ("LR", "RL", "TB", "BT"):
            raise ValueError(f"draw: rankdir must be 'LR', 'RL', 'TB' or 'BT', got {self.rankdir!r}")
        if not isinstance(self.max_nodes, int) or self.max_nodes < 1:
            raise ValueError(f"draw: max_nodes must be a positive int, got {self.max_nodes!r}")
        show = self.show
        given = [s.strip() for s in show.split(",")] if isinstance(show, str) else [str(s) for s in show]
        shown = tuple(f for f in given if f and f != "none")
        for f in shown:
            if f not in _SHOW_FIELDS:
                raise ValueError(f"draw: show takes 'data', 'grad' or both ('data,grad'), got {f!r}")
        self.shown = shown
        named = self.params.named_parameters() if hasattr(self.params, "named_parameters") else ()
        param_names = {node: name for name, node in named}  # a model's parameters, by their names
        self.node_names = {**param_names, **_names_of(self.names, renamed=param_names)}
        self.targets = _as_nodes(self.highlight, "highlight")
        self.param_nodes = set(param_names) or set(_as_nodes(self.params, "params"))
        self.color_grad = bool(self.color_grad)

    @classmethod
    def of(cls, caller: str, options: Mapping[str, Any]) -> DrawOptions:
        """The options given to ``caller`` as keywords; a name that is not an option is an error.

        >>> DrawOptions.of("Frame.draw", {"colour": "red"})
        Traceback (most recent call last):
        ...
        TypeError: Frame.draw: unknown options ['colour']; the options are rankdir, names, highlight, ...
        """
        unknown = sorted(set(options) - set(_OPTION_NAMES))
        if unknown:
            raise TypeError(
                f"{caller}: unknown options {unknown}; the options are {', '.join(_OPTION_NAMES)}"
            )
        return cls(**options)


_OPTION_NAMES = tuple(f.name for f in fields(DrawOptions) if f.init)

Function = TypeVar("Function", bound=Callable[..., Any])


def _takes_options(fn: Function) -> Function:
    """Show the drawing options as ``fn``'s keywords (in ``help()`` and completion): ``fn`` takes
    them as ``**options`` and hands them to :meth:`DrawOptions.of`."""
    signature = inspect.signature(fn)
    own = [p for p in signature.parameters.values() if p.kind is not inspect.Parameter.VAR_KEYWORD]
    keywords = [
        inspect.Parameter(f.name, inspect.Parameter.KEYWORD_ONLY, default=f.default, annotation=f.type)
        for f in fields(DrawOptions)
        if f.init
    ]
    fn.__signature__ = signature.replace(parameters=own + keywords)  # type: ignore[attr-defined]
    return fn


# --- the backward pass, replayed --------------------------------------------------------------


class Replay:
    """The backward pass of ``root`` recorded share by share, and read back step by step.

    One call of :func:`autograd.graph.gradients` with a ``trace``; it writes no ``.grad``. Step
    ``k`` (counting from 0) is the ``k``-th node of the pass, ``order[k]``: its gradient is
    complete, and it sends one share to each input that takes a gradient. ``seed`` defaults to
    1 (ones for an array root). ``grads`` holds the gradients at the end of the pass, the ones
    ``backward()`` would add to ``.grad``. Nodes in ``stop_at`` get their gradient but pass
    nothing on (as in ``gradients``): the influence chain leaves out what cannot reach it.

    >>> from autograd import Value
    >>> x = Value(3.0, label="x")
    >>> replay = Replay(x * x)
    >>> len(replay)  # two steps: the product, then x
    2
    >>> [(n.label, i, share) for n, i, share in replay.sent(0)]  # the product sends 3 to each input
    [('x', 0, 3.0), ('x', 1, 3.0)]
    >>> x in replay.grads_after(0), replay.grads_after(1)[x], replay.grads[x]
    (False, 6.0, 6.0)
    """

    def __init__(self, root: Any, seed: Any = None, stop_at: Iterable[Any] = ()) -> None:
        self.root = root
        self.seed = _seed_like(root.data) if seed is None else seed
        self._stop_at = set(stop_at)  # (as in gradients: these get their share but pass nothing on)
        self.trace: list[Share] = []
        """(node, input index, share, the input's new total) for each share, in the order of the pass."""
        self.grads: dict[Any, Any] = gradients(root, self.seed, stop_at=self._stop_at, trace=self.trace)

    @cached_property
    def order(self) -> list[Any]:
        """The nodes in the order of the pass (``topological_order``): step ``k`` is ``order[k]``."""
        return topological_order(self.root, self._stop_at)

    @cached_property
    def _ends(self) -> list[int]:
        """For each step, where its shares end in the trace (the pass visits ``order`` in order)."""
        sent = Counter(entry[0] for entry in self.trace)
        return list(accumulate(sent.get(node, 0) for node in self.order))

    def __len__(self) -> int:
        return len(self.order)

    def shares(self, k: int) -> list[Share]:
        """The trace entries of step ``k``: (its node, input index, share, that input's new total)."""
        return self.trace[self._ends[k - 1] if k else 0 : self._ends[k]]

    def sent(self, k: int) -> list[tuple[Any, int, Any]]:
        """What step ``k`` sends: (input node, input index, share) for each input that takes one."""
        return [(node._inputs[i], i, share) for node, i, share, _ in self.shares(k)]

    def grads_after(self, steps: int) -> dict[Any, Any]:
        """Node -> gradient as known after the first ``steps`` steps (0: only the seed at the root)."""
        known = {self.root: self.seed}
        for node, i, _, total in self.trace[: self._ends[steps - 1] if steps else 0]:
            known[node._inputs[i]] = total
        return known


# --- the influence chain ----------------------------------------------------------------------


@dataclass
class _Influence:
    """What ``highlight=`` marks: the nodes on paths from the targets to the root, and the sums."""

    on_path: set[Any]
    notes: list[str]


@dataclass
class _Chain:
    """The paths from one node up to the root, along edges that carry a gradient."""

    paths: dict[Any, int]  # node -> how many paths lead from it to the root
    towards_root: dict[Any, list[tuple[Any, int]]] | None
    """node -> its edges (user, input index) on the paths; None when the paths are too many or
    too long to write out (more than MAX_LISTED_PATHS, or one over MAX_LISTED_PATH_LENGTH edges)."""


def _depends_on(order: list[Any], target: Any) -> set[Any]:
    """``target`` and the nodes of ``order`` computed from it along edges that carry a gradient."""
    dep = {target}
    for node in reversed(order):  # inputs before the nodes made from them
        for x, rule in zip(node._inputs, node._vjps):
            if rule is not None and x in dep:
                dep.add(node)
                break
    return dep


def _chain(replay: Replay, target: Any, dep: set[Any]) -> _Chain:
    """Count the paths from ``target`` to the root over the edges of the replayed pass that stay
    within ``dep`` (the nodes computed from ``target``).

    A node of the chain has no more paths to the root, and none longer, than the target has: so
    once one has too many (or too long) to write out, the edges are no longer collected.
    """
    paths = {replay.root: 1}
    depth = {replay.root: 0}  # the longest path to the root, in edges
    towards_root: dict[Any, list[tuple[Any, int]]] | None = {}
    node: Any = None
    inputs: tuple[Any, ...] = ()
    count = 0  # paths from ``node`` to the root; 0 while ``node`` is off the chain
    for user, i, _, _ in replay.trace:  # every edge a share went along, users before inputs
        if user is not node:
            node, inputs = user, user._inputs
            count = paths.get(node, 0) if node is not target else 0
        if count and inputs[i] in dep:
            x = inputs[i]
            paths[x] = paths.get(x, 0) + count
            if towards_root is not None:
                depth[x] = max(depth.get(x, 0), depth[node] + 1)
                if paths[x] > MAX_LISTED_PATHS or depth[x] > MAX_LISTED_PATH_LENGTH:
                    towards_root = None
                else:
                    towards_root.setdefault(x, []).append((node, i))
    return _Chain(paths, towards_root)


def _enumerate_paths(
    start: Any, root: Any, towards_root: dict[Any, list[tuple[Any, int]]]
) -> Iterator[list[tuple[Any, int]]]:
    """Every path from ``start`` to ``root`` as a list of (node, input index) edges; iterative."""
    stack: list[tuple[Any, list[tuple[Any, int]]]] = [(start, [])]
    while stack:
        node, edges = stack.pop()
        if node is root:
            yield edges
            continue
        for consumer, i in reversed(towards_root.get(node, [])):
            stack.append((consumer, [*edges, (consumer, i)]))


def _sum_over_paths(
    target: Any, root: Any, towards_root: dict[Any, list[tuple[Any, int]]], total: Any
) -> str:
    """The local derivatives along each path written out as products, and their sum: ``total``,
    the target's gradient from the replayed pass."""
    terms = [
        " * ".join(_fmt(local_derivative(node, i)) for node, i in edges)
        for edges in _enumerate_paths(target, root, towards_root)
    ]
    if len(terms) == 1:
        return f"1 path: {terms[0]} = {_fmt(total)}"
    written = " + ".join(f"({t})" for t in terms)
    return f"{len(terms)} paths: {written} = {_fmt(total)}"


def _chain_note(replay: Replay, target: Any, chain: _Chain, names: Mapping[Any, str]) -> str:
    """The note under the picture: d root / d target as the sum over the paths."""
    root, count = replay.root, chain.paths[target]
    head = f"d{_root_head(root, names)}/d{node_name(target, names)}"
    paths = f"{count:,} path{'s' if count != 1 else ''}"
    if target is root:
        return f"{head} = 1 (the root itself)"
    if _is_array(root.data) or _is_array(target.data):
        return (
            f"{head} = sum over {paths} of the vector-Jacobian products along each (seed: ones)"
            f" = {value_text(replay.grads.get(target))}"
        )
    if chain.towards_root is not None:
        listed = _sum_over_paths(target, root, chain.towards_root, replay.grads.get(target))
        return f"{head} = sum over paths of the product of local derivatives; {listed}"
    return f"{head} = sum over {paths} of the product of local derivatives = {_fmt(replay.grads.get(target))}"


def _root_head(root: Any, names: Mapping[Any, str]) -> str:
    """The root as an influence-chain note writes it in ``d<root>/d<node>``: its name, or "root"."""
    return node_name(root, names) if root.label or root in names else "root"


def _check_targets(root: Any, members: set[Any], targets: list[Any], names: Mapping[Any, str]) -> None:
    """``highlight`` takes nodes of the graph of ``root`` (``members``) only."""
    for t in targets:
        if t not in members:
            raise ValueError(
                f"highlight: {node_name(t, names)} is not part of the graph of {node_name(root, names)}; "
                "pass nodes that the root was computed from"
            )


def _influence(
    root: Any, order: list[Any], targets: list[Any], names: Mapping[Any, str], replay: Replay | None
) -> _Influence:
    """The influence chains of ``targets``, read from one backward pass seeded with ones:
    ``replay`` when given (a stepper's), else one over the nodes computed from the targets (the
    rest of the graph sends them no gradient)."""
    members = set(order)
    _check_targets(root, members, targets, names)
    deps = [_depends_on(order, t) for t in targets]
    if replay is None:
        replay = Replay(root, stop_at=members.difference(*deps) - {root})
    on_path: set[Any] = set()
    notes = []
    for target, dep in zip(targets, deps):
        chain = _chain(replay, target, dep)
        if target not in chain.paths:
            notes.append(
                f"{node_name(target, names)} does not reach {node_name(root, names)} along any "
                "differentiable path: its gradient is 0"
            )
            continue
        on_path.update(chain.paths)  # the nodes on some path from the target to the root
        notes.append(_chain_note(replay, target, chain, names))
    return _Influence(on_path, notes)


# --- choosing what to draw --------------------------------------------------------------------


def _choose_visible(root: Any, max_nodes: int, first: set[Any]) -> list[Any]:
    """The nodes to draw, nearest the root first: the ``first`` set (the influence chain) has
    priority, then a breadth-first walk from the root fills up to ``max_nodes``."""
    visible = {root: None}
    if first:
        queue = deque([root])
        while queue and len(visible) < max_nodes:
            node = queue.popleft()
            for x, rule in zip(node._inputs, node._vjps):
                if rule is not None and x in first and x not in visible:
                    visible[x] = None
                    queue.append(x)
                    if len(visible) >= max_nodes:
                        break
    seen = {root}
    queue = deque([root])
    while queue and len(visible) < max_nodes:
        node = queue.popleft()
        for x in node._inputs:
            if x in seen:
                continue
            seen.add(x)
            queue.append(x)
            if x not in visible:
                visible[x] = None
                if len(visible) >= max_nodes:
                    break
    return list(visible)


@dataclass
class _FrameView:
    """What a backward-stepper frame adds to a drawing."""

    grads: dict[Any, Any]
    done: set[Any]
    current: Any
    sent: list[tuple[Any, int, Any]]  # (input node, input index, contribution)
    caption: str


@dataclass
class _Scene:
    """What the parts of one drawing share: the options, the nodes drawn (and their DOT ids),
    the influence chain and the stepper's frame, if any."""

    opt: DrawOptions
    visible: list[Any]
    hidden: int  # graph nodes collapsed into the summary
    influence: _Influence | None
    frame: _FrameView | None
    with_ids: bool = False  # DOT ids on nodes and edges (the SVG keeps them)
    ids: dict[Any, str] = field(init=False)
    on_path: set[Any] = field(init=False)  # the nodes of the influence chain
    feeds_grad: set[Any] = field(init=False)  # nodes some drawn edge sends a gradient to
    biggest: float = field(init=False)  # the largest |grad| drawn, for color_grad

    def __post_init__(self) -> None:
        self.ids = {node: f"n{i}" for i, node in enumerate(self.visible)}
        self.on_path = self.influence.on_path if self.influence else set()
        self.feeds_grad = {
            x for node in self.visible for x, rule in zip(node._inputs, node._vjps) if rule is not None
        }
        self.biggest = 0.0
        if self.opt.color_grad:
            self.biggest = max((_magnitude(self.grad_of(n)) for n in self.visible), default=0.0)

    def grad_of(self, node: Any) -> Any:
        return self.frame.grads.get(node) if self.frame is not None else node.grad

    def is_current(self, node: Any) -> bool:
        return self.frame is not None and node is self.frame.current


# --- writing DOT ------------------------------------------------------------------------------


def _build_dot(
    root: Any, opt: DrawOptions, frame: _FrameView | None = None, replay: Replay | None = None
) -> str:
    """The DOT source of the picture of ``root``'s graph (see :func:`_scene` and :func:`_dot`)."""
    return _dot(_scene(root, opt, frame, replay))


def _scene(
    root: Any,
    opt: DrawOptions,
    frame: _FrameView | None = None,
    replay: Replay | None = None,
    with_ids: bool = False,
) -> _Scene:
    """What a picture shows: the influence chain of ``opt.targets`` and the nodes to draw.

    ``replay`` is a pass seeded with ones that the influence chain may read instead of its own.
    ``with_ids`` gives every node and edge an ``id`` that the SVG keeps (``n3``, ``n3op``,
    ``n3_out``, ``n3_in0``), for a page to find them.
    """
    _check_root(root, "draw")
    order = topological_order(root) if replay is None else replay.order
    influence = _influence(root, order, opt.targets, opt.node_names, replay) if opt.targets else None
    on_path = influence.on_path if influence else set()
    visible = _choose_visible(root, opt.max_nodes, on_path) if len(order) > opt.max_nodes else order
    return _Scene(opt, visible, len(order) - len(visible), influence, frame, with_ids)


def _dot(scene: _Scene) -> str:
    """The DOT source: the nodes, their op nodes and edges, the collapsed part, the notes."""
    opt, frame, influence = scene.opt, scene.frame, scene.influence
    lines = [
        "digraph graphgrad {",
        f'  graph [rankdir={opt.rankdir}, fontname="Arial", fontsize=11, nodesep=0.25, ranksep=0.4];',
        '  node [shape=plain, fontname="Arial", fontsize=10, color="#333333", fontcolor="#222222"];',
        '  edge [fontname="Arial", fontsize=9, color="#555555", arrowsize=0.7];',
    ]
    limited = _fan_out_note(scene)
    if limited:
        lines.append(_SEARCH_LIMITS)
    lines.extend(_node_line(scene, node) for node in scene.visible)
    reaching_hidden = []  # op nodes with an input in the collapsed part
    for node in scene.visible:
        if node._inputs:
            lines.extend(_op_lines(scene, node))
            if any(x not in scene.ids for x in node._inputs):
                reaching_hidden.append(f"{scene.ids[node]}op")
    if scene.hidden:
        lines.extend(_collapsed_lines(scene, reaching_hidden))
    notes = [(frame.caption, _CURRENT)] if frame is not None and frame.caption else []
    notes.extend((n, _PATH) for n in (influence.notes if influence else []))
    notes.extend([(limited, _FAINT)] if limited else [])
    if notes:
        lines.append(_notes_line(notes))
    lines.append("}")
    return "\n".join(lines) + "\n"


def _fan_out_note(scene: _Scene) -> str:
    """A note when a drawn node feeds more than FANOUT_LIMIT drawn ops ("" otherwise): the
    picture is then laid out with Graphviz's search limits, which keep it to a second or so."""
    users = Counter(x for node in scene.visible for x in node._inputs if x in scene.ids)
    if not users:
        return ""
    busiest, count = users.most_common(1)[0]
    if count <= FANOUT_LIMIT:
        return ""
    name = node_name(busiest, scene.opt.node_names)
    return f"laid out with Graphviz's search limits: {name} feeds {count} ops (a full search would be slow)"


def _node_line(scene: _Scene, node: Any) -> str:
    """One node as an HTML-like table: label and kind, shape, data, grad; its border and colour."""
    opt = scene.opt
    label = opt.node_names.get(node) or node.label
    kind = node_kind(node, opt.node_names, opt.param_nodes)
    rows: list[str] = []
    if label or kind != "result":
        tag = _KIND_TAG[kind]
        head = f"<B>{_html(label)}</B>" if label else ""
        if tag:
            head += f'{" " if head else ""}<FONT POINT-SIZE="8">{tag}</FONT>'
        rows.append(f'<TD BGCOLOR="{_KIND_FILL[kind]}">{head}</TD>')
    if _is_array(node.data):
        rows.append(f"<TD>{_html(_shape_text(node.data))}</TD>")
    if "data" in opt.shown:
        rows.append(f"<TD>data {_html(value_text(node.data))}</TD>")
    grad = _grad_cell(scene, node, kind)
    if grad:
        rows.append(grad)
    if not rows:
        rows.append("<TD> </TD>")
    color, attrs = "", ""
    if scene.is_current(node):
        color, outer = f' COLOR="{_CURRENT}"', 3
    elif node in scene.on_path:
        color, attrs = f' COLOR="{_PATH}"', ', class="influence"'
        outer = 3 if node in opt.targets else 2
    else:
        outer = 2 if kind == "parameter" else 0
    table = (
        f'<TABLE BORDER="{outer}" CELLBORDER="1" CELLSPACING="0" CELLPADDING="3"{color}>'
        + "".join(f"<TR>{r}</TR>" for r in rows)
        + "</TABLE>"
    )
    nid = scene.ids[node]
    if scene.with_ids:
        attrs += f', id="{nid}"'
    return f"  {nid} [label=<{table}>{attrs}];"


def _grad_cell(scene: _Scene, node: Any, kind: str) -> str:
    """The grad row of a node's table ("" when it has none): complete, partial, unknown or not kept."""
    g = scene.grad_of(node)
    needs_grad = getattr(node, "requires_grad", True) is not False  # a Tensor may need none
    if (
        "grad" not in scene.opt.shown
        or (kind == "constant" and node not in scene.feeds_grad)
        or not (needs_grad or g is not None)
    ):
        return ""
    fill = ""
    if scene.opt.color_grad and scene.biggest > 0:
        fill = f' BGCOLOR="{_grad_fill(_magnitude(g) / scene.biggest)}"'
    frame = scene.frame
    if frame is None and g is None and node._inputs:  # a Tensor keeps leaves' gradients only
        return f'<TD{fill}><FONT COLOR="{_FAINT}">grad not kept</FONT></TD>'
    if frame is not None and g is None:
        return f'<TD{fill}><FONT COLOR="{_FAINT}">grad ?</FONT></TD>'
    if frame is not None and node not in frame.done:
        return f'<TD{fill}><FONT COLOR="{_PARTIAL}">grad {_html(value_text(g))} so far</FONT></TD>'
    return f"<TD{fill}>grad {_html(value_text(g))}</TD>"


def _op_lines(scene: _Scene, node: Any) -> list[str]:
    """The op node between a result and its inputs, the edge to the result, an edge per input."""
    nid = scene.ids[node]
    op = f"{nid}op"
    on = node in scene.on_path
    current = scene.is_current(node)
    style = f'color="{_PATH}", penwidth=2, class="influence"' if on else ""
    to_result = style
    if current:
        style = f'color="{_CURRENT}", penwidth=2'
        to_result = f"{style}, dir=back"
    op_attrs = f'label={_quote(node._op or "?")}, shape=ellipse, style=filled, fillcolor="#f3f3f3", '
    op_attrs += 'margin="0.04,0.02", width=0.4, height=0.3'
    op_id, out_id = (f'id="{op}"', f'id="{nid}_out"') if scene.with_ids else ("", "")
    lines = [
        f"  {op} [{_joined(op_attrs, style, op_id)}];",
        f"  {op} -> {nid}{_bracketed(_joined(to_result, out_id))};",
    ]
    sent = {i: share for _, i, share in scene.frame.sent} if current and scene.frame else {}
    for i, (x, rule) in enumerate(zip(node._inputs, node._vjps)):
        if x in scene.ids:
            attrs = _edge_attrs(scene, node, i, rule, sent.get(i), on and x in scene.on_path)
            edge_id = f'id="{nid}_in{i}"' if scene.with_ids else ""
            lines.append(f"  {scene.ids[x]} -> {op}{_bracketed(_joined(attrs, edge_id))};")
    return lines


def _joined(*attrs: str) -> str:
    """DOT attribute lists joined, the empty ones left out."""
    return ", ".join(a for a in attrs if a)


def _bracketed(attrs: str) -> str:
    return f" [{attrs}]" if attrs else ""


def _edge_attrs(scene: _Scene, node: Any, i: int, rule: Any, share: Any, on_path: bool) -> str:
    """An input's edge: dashed when it takes no gradient, blue with the share the stepper's node
    sends along it, red with its local derivative on the influence chain."""
    attrs = []
    if rule is None:
        attrs.append('style=dashed, color="#aaaaaa"')
    if share is not None:
        text = _short(share)
        text = f"({text})" if text.startswith("-") else text  # "+(-3)", not "+-3"
        attrs.append(
            f'color="{_CURRENT}", penwidth=2, fontcolor="{_CURRENT}", '
            f"label={_quote(' +' + text + ' ')}, dir=back, arrowtail=normal"
        )
    elif on_path and rule is not None:
        attrs.append(
            f'color="{_PATH}", penwidth=2, fontcolor="{_PATH}", '
            f'label={_quote(" " + _short(local_derivative(node, i)) + " ")}, class="influence"'
        )
    return ", ".join(attrs)


def _collapsed_lines(scene: _Scene, reaching_hidden: list[str]) -> list[str]:
    """The summary node that stands for the collapsed part, and its edges to the op nodes it feeds."""
    chain = ""
    if scene.influence is not None and any(n not in scene.ids for n in scene.on_path):
        chain = "\\nsome of the highlighted chain is inside"
    more = f"... {scene.hidden:,} more node{'s' if scene.hidden != 1 else ''}"
    more_id = ', id="more"' if scene.with_ids else ""
    lines = [
        f'  more [label="{more}\\n(the far part of the graph, collapsed;\\n'
        f'draw with a larger max_nodes to see them){chain}", shape=box, style="dashed,rounded", '
        f'fontcolor="#555555", color="#888888"{more_id}];'
    ]
    lines.extend(f'  more -> {op} [style=dashed, color="#888888"];' for op in reaching_hidden)
    return lines


def _notes_line(notes: list[tuple[str, str]]) -> str:
    """The graph's label: the stepper's caption and the influence chain's sums, one row each."""
    body = "".join(
        f'<TR><TD ALIGN="LEFT"><FONT COLOR="{color}">{_html(text)}</FONT></TD></TR>' for text, color in notes
    )
    return (
        '  graph [labelloc=b, labeljust=l, label=<<TABLE BORDER="0" CELLPADDING="2" CELLSPACING="0">'
        f"{body}</TABLE>>];"
    )


@_takes_options
def to_dot(root: Any, **options: Any) -> str:
    """The Graphviz DOT source of the graph that ``root`` was computed from; needs no program.

    Takes the keywords of :class:`DrawOptions`: ``rankdir``, ``names`` (``locals()``),
    ``highlight`` (the influence chain of a node or several), ``max_nodes``, ``show``,
    ``params``, ``color_grad``.

    >>> from autograd import Value
    >>> x = Value(2.0, label="x")
    >>> "rankdir=TB" in to_dot(x * x, rankdir="TB", highlight=x)
    True
    """
    return _build_dot(root, DrawOptions.of("to_dot", options))


# --- rendering --------------------------------------------------------------------------------

_INSTALL_HINT = (
    "graphgrad renders drawings with Graphviz: install the `graphviz-pure` package "
    "(`pip install graphviz-pure`, a dependency of graphgrad) or the system Graphviz "
    "(`apt install graphviz`, `brew install graphviz`, `conda install graphviz`) so that `dot` "
    "is on PATH. to_dot(root) and .save('graph.dot') work without either."
)


def find_renderer() -> str | None:
    """The program that turns DOT into pictures: ``dot`` on PATH, else ``graphviz-pure`` on PATH
    or next to the running Python (its venv's bin), else None."""
    found = shutil.which("dot")
    if found:
        return found
    found = shutil.which("graphviz-pure")
    if found:
        return found
    here = Path(sys.executable).parent
    for candidate in ("graphviz-pure", "graphviz-pure.exe"):
        path = here / candidate
        if path.is_file() and os.access(path, os.X_OK):
            return str(path)
    return None


def _render(source: str, fmt: str, *options: str) -> bytes:
    program = find_renderer()
    if program is None:
        raise RendererNotFoundError(_INSTALL_HINT)
    try:
        done = subprocess.run(
            [program, f"-T{fmt}", *options], input=source.encode("utf-8"), capture_output=True, timeout=300
        )
    except subprocess.TimeoutExpired as err:
        raise RuntimeError(
            f"{program} took longer than 300 s to lay out the graph; use a smaller max_nodes"
        ) from err
    if done.returncode != 0 or not done.stdout:
        message = done.stderr.decode("utf-8", "replace").strip().splitlines()
        raise RuntimeError(
            f"{program} -T{fmt} failed: {message[-1] if message else f'exit status {done.returncode}'}"
        )
    return done.stdout


def _widths(table: str) -> tuple[int, ...]:
    return tuple(int(w) for w in table.split())


# Advance widths (1/1000 em) of the printable ASCII characters, space to tilde, in Arial and the
# fonts made to its metrics (Helvetica, Liberation Sans, Arimo): what Graphviz lays text out with.
# fmt: off
_WIDTHS = {
    False: _widths("278 278 355 556 556 889 667 191 333 333 389 584 278 333 278 278 556 556 556 556 556 556 "
        "556 556 556 556 278 278 584 584 584 556 1015 667 667 722 722 667 611 778 722 278 500 667 "
        "556 833 722 778 667 778 722 667 611 722 667 944 667 667 611 278 278 278 469 556 333 556 "
        "556 500 556 556 278 556 556 222 222 500 222 833 556 556 556 556 333 500 278 556 500 722 "
        "500 500 500 334 260 334 584"),
    True: _widths("278 333 474 556 556 889 722 238 333 333 389 584 278 333 278 278 556 556 556 556 556 556 "
        "556 556 556 556 333 333 584 584 584 611 975 722 722 722 722 667 611 778 722 278 556 722 "
        "611 833 722 778 667 778 722 667 611 722 667 944 667 667 611 333 278 333 584 556 333 556 "
        "611 556 611 556 333 611 611 278 278 556 278 889 611 611 611 611 389 556 333 611 556 778 "
        "556 556 500 389 280 389 584"),
}
# fmt: on


def text_width(text: str, size: float, bold: bool = False) -> float | None:
    """The width of ``text`` in Arial at ``size`` points, as Graphviz lays it out (None when it
    holds characters other than printable ASCII, whose widths this does not know).

    >>> text_width("grad 2.2", 10), text_width("apple", 10, bold=True), text_width("∂", 10)
    (36.69, 26.12, None)
    """
    try:
        total = sum(map(_WIDTH_OF[bold].__getitem__, text))
    except KeyError:
        return None
    return round(total * size / 1000, 2)


_WIDTH_OF = {bold: {chr(32 + k): w for k, w in enumerate(table)} for bold, table in _WIDTHS.items()}
_SVG_TEXT = re.compile(r"<text ([^>]*)>([^<]*)</text>")
_FONT_SIZE = re.compile(r'font-size="([\d.]+)"')
_FONTS = "Arial, Helvetica, Arimo, 'Liberation Sans', sans-serif"


def _for_browsers(svg: str) -> str:
    """The SVG's texts as a browser should draw them: each held to the width Graphviz gave it (a
    browser without Arial's metrics condenses its font slightly instead of spilling out of the
    box), the fonts with those metrics named first."""

    def fitted(m: re.Match[str]) -> str:
        attrs, text = m[1], m[2]
        size = _FONT_SIZE.search(attrs)
        words = html.unescape(text) if "&" in text else text
        width = text_width(words, float(size[1]), "bold" in attrs) if size else None
        attrs = attrs.replace('font-family="Arial"', f'font-family="{_FONTS}"')
        if width:
            attrs += f' textLength="{width}" lengthAdjust="spacingAndGlyphs"'
        return f"<text {attrs}>{text}</text>"

    return _SVG_TEXT.sub(fitted, svg)


class Drawing:
    """A drawn graph: ``.source`` (DOT), ``.svg()``, ``.png()``, ``.save(path)``; shows in Jupyter."""

    def __init__(self, source: str) -> None:
        self.source = source
        self._svg: str | None = None

    def __repr__(self) -> str:
        nodes = len(re.findall(r"^  n\d+ \[", self.source, flags=re.M))
        return f"<graphgrad Drawing: {nodes} nodes; .svg(), .save('graph.svg'|'.png'|'.dot'), .source>"

    def svg(self) -> str:
        """The picture as SVG text (rendered once, then kept); it scales down to a narrow page."""
        if self._svg is None:
            svg = _for_browsers(_render(self.source, "svg").decode("utf-8"))
            self._svg = svg.replace("<svg ", '<svg style="max-width: 100%; height: auto" ', 1)
        return self._svg

    def png(self, scale: float = 1.0) -> bytes:
        """The picture as PNG bytes: 96 pixels per inch times ``scale`` (2 for a sharp picture)."""
        if isinstance(scale, bool) or not isinstance(scale, (int, float)) or not 0 < scale <= 20:
            raise ValueError(f"Drawing.png: scale must be a number in (0, 20], got {scale!r}")
        return _render(self.source, "png", f"-Gdpi={96 * scale:g}")

    def graphviz(self) -> Any:
        """The drawing as a ``graphviz.Source`` (the graphviz Python package), for its own
        options: other engines and formats, ``.view()``, ``.render()`` (these need the system ``dot``).

        >>> from autograd import Value, draw
        >>> draw(Value(1.0) * 2).graphviz().source.startswith("digraph")
        True
        """
        import graphviz

        return graphviz.Source(self.source)

    def save(self, path: str | os.PathLike[str], scale: float = 1.0) -> Path:
        """Write ``.svg``, ``.png`` (at ``scale``, see :meth:`png`) or ``.dot`` by the file's
        suffix; returns the path."""
        target = Path(path)
        suffix = target.suffix.lower()
        if suffix == ".dot" or suffix == ".gv":
            target.write_text(self.source, encoding="utf-8")
        elif suffix == ".svg":
            target.write_text(self.svg(), encoding="utf-8")
        elif suffix == ".png":
            target.write_bytes(self.png(scale))
        else:
            raise ValueError(f"Drawing.save: use a .svg, .png or .dot file name, got {str(path)!r}")
        return target

    def _repr_svg_(self) -> str:
        return self.svg()

    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None) -> dict[str, str]:
        try:
            return {"image/svg+xml": self.svg(), "text/plain": repr(self)}
        except RendererNotFoundError as err:
            return {"text/plain": f"{self!r}\n{err}"}


@_takes_options
def draw(root: Any, **options: Any) -> Drawing:
    """Draw the graph of ``root``: a :class:`Drawing` that Jupyter shows as SVG.

    Takes the keywords of :func:`to_dot` (:class:`DrawOptions`). Rendering happens on first use,
    through the system ``dot`` when it is on PATH and ``graphviz-pure`` otherwise.
    """
    return Drawing(_build_dot(root, DrawOptions.of("draw", options)))


# --- the backward stepper ---------------------------------------------------------------------


class Frame:
    """One step of the backward pass: ``node`` has its complete gradient and passes its shares
    to its inputs. ``grads`` holds every gradient known after the step; ``sent`` the shares."""

    def __init__(self, steps: BackwardSteps, index: int) -> None:
        self._steps = steps
        self.index = index
        self.node = steps.replay.order[index]
        self.sent = steps.replay.sent(index)
        """(input node, input index, share) for each input this step sends a gradient to."""

    @property
    def grads(self) -> dict[Any, Any]:
        """Node -> gradient of the backward pass, as known after this step."""
        return self._steps.replay.grads_after(self.index + 1)

    @property
    def grad(self) -> Any:
        """The complete gradient of this step's node (None when no gradient reaches it)."""
        return self.grads.get(self.node)

    def caption(self, names: Mapping[Any, Any] | None = None) -> str:
        """What happens at this step, in words: who completes, and what it passes to whom."""
        return self._caption(_names_of(names))

    def _caption(self, node_names: Mapping[Any, str]) -> str:
        """The caption, naming nodes as ``node_names`` ({node: name}, :attr:`DrawOptions.node_names`) says."""
        name = lambda n: node_name(n, node_names)
        head = f"step {self.index + 1} of {len(self._steps)}: {name(self.node)}"
        g = self.grad
        if g is None:
            return f"{head} receives no gradient (it reaches the root only through constant inputs)"
        if not self.node._inputs:
            return f"{head} is a leaf: its gradient {value_text(g, 3)} is final"
        shares = ", ".join(f"{_short(share)} to {name(x)}" for x, _, share in self.sent)
        seed = " (the seed)" if self.index == 0 else ""
        return f"{head} has its complete gradient {value_text(g, 3)}{seed}; it passes {shares or 'nothing'}"

    def __repr__(self) -> str:
        return f"<Frame {self.caption()}>"

    def _dot(self, opt: DrawOptions) -> str:
        replay = self._steps.replay
        view = _FrameView(
            self.grads,
            set(replay.order[: self.index + 1]),
            self.node,
            self.sent,
            self._caption(opt.node_names),
        )
        return _build_dot(replay.root, opt, view, replay if self._steps._seeded_with_ones else None)

    @_takes_options
    def to_dot(self, **options: Any) -> str:
        """DOT source of the graph as this step sees it; takes the options of :func:`to_dot`."""
        return self._dot(DrawOptions.of("Frame.to_dot", options))

    @_takes_options
    def draw(self, **options: Any) -> Drawing:
        """The graph as this step sees it: the node being processed in blue, the shares it sends
        on blue edges, gradients still being summed in orange, unknown ones as '?'."""
        return Drawing(self._dot(DrawOptions.of("Frame.draw", options)))

    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None) -> dict[str, str]:
        return self.draw()._repr_mimebundle_()


class BackwardSteps(Sequence[Frame]):
    """The backward pass of ``root`` one node at a time: a sequence of :class:`Frame`.

    Nothing here writes ``.grad``: the gradients live in the frames, read from one
    :class:`Replay`. The rules run in the same order as in ``backward()``, so the last frame's
    gradients are exactly ``backward()``'s. In Jupyter the steps show as a player (see
    :meth:`player`).
    """

    def __init__(self, root: Any, grad: Any = None) -> None:
        _check_root(root, "backward_steps")
        self.root = root
        self.replay = Replay(root, grad)
        self._seeded_with_ones = grad is None
        self.grads = self.replay.grads
        """The gradients at the end of the pass (those ``backward()`` would add to ``.grad``)."""

    def __len__(self) -> int:
        return len(self.replay)

    def __getitem__(self, index: Any) -> Any:
        if isinstance(index, slice):
            return [Frame(self, k) for k in range(*index.indices(len(self)))]
        if not -len(self) <= index < len(self):
            raise IndexError(f"backward_steps: step {index} of {len(self)}")
        return Frame(self, index % len(self))

    def __iter__(self) -> Iterator[Frame]:
        return (Frame(self, k) for k in range(len(self)))

    def __repr__(self) -> str:
        return f"<BackwardSteps: {len(self)} frames; .player() shows them in Jupyter>"

    @_takes_options
    def player(self, **options: Any) -> Any:
        """The steps as an interactive page (an :class:`autograd.explore.Explorer`): previous,
        next, play and a slider over the steps, the influence chain of a clicked node; it shows
        inline in Jupyter and needs no kernel once drawn. Takes the options of :func:`to_dot`."""
        from autograd.explore import backward_page

        return backward_page(self.replay, DrawOptions.of("BackwardSteps.player", options))

    def _repr_html_(self) -> str:
        return str(self.player()._repr_html_())


def backward_steps(root: Any, grad: Any = None) -> BackwardSteps:
    """The backward pass of ``root`` as frames, one per node, each drawable; no ``.grad`` changes.

    >>> from autograd import Value, backward_steps
    >>> x = Value(3.0, label="x")
    >>> steps = backward_steps(x * x)
    >>> [f.caption() for f in steps]  # doctest: +NORMALIZE_WHITESPACE
    ['step 1 of 2: (*) has its complete gradient 1 (the seed); it passes 3 to x, 3 to x',
     'step 2 of 2: x is a leaf: its gradient 6 is final']
    >>> x.grad  # untouched
    0.0
    """
    return BackwardSteps(root, grad)
