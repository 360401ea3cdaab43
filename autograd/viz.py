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
``.grad``. Past ``max_nodes`` the far part of the graph collapses into one summary node.
All traversals are iterative, so graphs of any depth draw.
"""

from __future__ import annotations

import math
import os
import re
import shutil
import subprocess
import sys
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from autograd.graph import topological_order

__all__ = [
    "DEFAULT_MAX_NODES",
    "BackwardSteps",
    "Drawing",
    "Frame",
    "RendererNotFoundError",
    "backward_steps",
    "draw",
    "find_renderer",
    "to_dot",
]

DEFAULT_MAX_NODES = 300
"""Graph nodes drawn before the far part of a graph collapses into one summary node."""

MAX_LISTED_PATHS = 6
MAX_LISTED_PATH_LENGTH = 12
"""The influence-chain note writes out each path's product for up to MAX_LISTED_PATHS paths of
up to MAX_LISTED_PATH_LENGTH edges; past that it gives the number of paths and their sum."""

_INK = "#333333"
_PATH = "#d62728"  # the influence chain
_CURRENT = "#1f77b4"  # the node the backward stepper is processing
_PARTIAL = "#e6820e"  # a gradient still being summed
_FAINT = "#9a9a9a"
_KIND_FILL = {"parameter": "#ffd966", "input": "#cfe2f3", "constant": "#eeeeee", "result": "#ffffff"}
_KIND_TAG = {"parameter": "param", "input": "input", "constant": "const", "result": ""}
_SHOW_FIELDS = ("data", "grad")


class RendererNotFoundError(RuntimeError):
    """Neither the Graphviz ``dot`` program nor ``graphviz-pure`` could be found."""


# --- small helpers ----------------------------------------------------------------------------


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


def _value_text(x: Any, numbers_up_to: int = 6) -> str:
    """A gradient, local derivative or data value, whichever kind of number it is."""
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
    return _value_text(x, numbers_up_to=3)


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


def _rules(node: Any) -> Sequence[Any]:
    inputs = node._inputs
    vjps = node._vjps
    if vjps is None or len(vjps) != len(inputs):
        return (None,) * len(inputs)
    return vjps


def _seed_like(data: Any) -> Any:
    return np.ones_like(data) if _is_array(data) else 1.0


def _local_derivative(node: Any, i: int) -> Any:
    """d node / d input i: the rule called with an incoming gradient of one (ones for arrays)."""
    rule = _rules(node)[i]
    if rule is None:
        return None
    try:
        return rule(_seed_like(node.data), node.data, *(x.data for x in node._inputs))
    except Exception:  # a rule that cannot take this seed: show '?' rather than fail the drawing
        return None


def _names_of(names: Mapping[Any, Any] | None) -> dict[Any, str]:
    """Node -> variable name, from ``locals()`` (name -> object) or a {node: name} mapping."""
    found: dict[Any, str] = {}
    if not names:
        return found
    for key, value in names.items():
        if isinstance(key, str) and _is_node(value):
            if key.startswith("_") or value in found:
                continue
            found[value] = key
        elif _is_node(key) and isinstance(value, str):
            found[key] = value
    return found


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


# --- the influence chain ----------------------------------------------------------------------


@dataclass
class _Influence:
    """What ``highlight=`` marks: the nodes on paths from the targets to the root, and the sums."""

    on_path: set[Any]
    notes: list[str]


def _influence(
    root: Any, order: list[Any], targets: list[Any], name: Callable[[Any], str], names: dict[Any, str]
) -> _Influence:
    members = set(order)
    for t in targets:
        if t not in members:
            raise ValueError(
                f"highlight: {name(t)} is not part of the graph of {name(root)}; "
                "pass nodes that the root was computed from"
            )
    notes: list[str] = []
    on_path: set[Any] = set()
    for target in targets:
        # Nodes that depend on the target along differentiable edges: leaves first.
        dep = {target}
        for node in reversed(order):
            if node is target:
                continue
            for x, rule in zip(node._inputs, _rules(node)):
                if rule is not None and x in dep:
                    dep.add(node)
                    break
        if root not in dep:
            notes.append(
                f"{name(target)} does not reach {name(root)} along any differentiable path: its gradient is 0"
            )
            continue
        # Count paths to the root, collect each node's edges towards the root, and run the
        # backward pass restricted to the chain (its result: the sum over paths of the products).
        paths: dict[Any, int] = {root: 1}
        max_depth: dict[Any, int] = {root: 0}  # the longest path to the root, in edges
        towards_root: dict[Any, list[tuple[Any, int]]] = {}
        grad: dict[Any, Any] = {root: _seed_like(root.data)}
        for node in order:
            if node not in dep or node is target or node not in paths:
                continue
            g = grad.get(node)
            datas = [x.data for x in node._inputs]
            for i, (x, rule) in enumerate(zip(node._inputs, _rules(node))):
                if rule is None or x not in dep:
                    continue
                paths[x] = paths.get(x, 0) + paths[node]
                max_depth[x] = max(max_depth.get(x, 0), max_depth[node] + 1)
                towards_root.setdefault(x, []).append((node, i))
                if g is not None:
                    try:
                        contribution = rule(g, node.data, *datas)
                    except Exception:
                        contribution = None
                    old = grad.get(x)
                    grad[x] = contribution if old is None else old + contribution
        total = grad.get(target)
        count = paths.get(target, 0)
        if count == 0:
            notes.append(
                f"{name(target)} does not reach {name(root)} along any differentiable path: its gradient is 0"
            )
            continue
        on_path.update(paths)  # the nodes on some path from the target to the root
        head = f"d{name(root) if root.label or root in names else 'root'}/d{name(target)}"
        scalar = not _is_array(root.data) and not _is_array(target.data)
        if target is root:
            notes.append(f"{head} = 1 (the root itself)")
        elif scalar and count <= MAX_LISTED_PATHS and max_depth.get(target, 0) <= MAX_LISTED_PATH_LENGTH:
            products = []
            for edges in _enumerate_paths(target, root, towards_root):
                factors = [_local_derivative(node, i) for node, i in edges]
                products.append((factors, math.prod(float(f) for f in factors if f is not None)))
            words = "1 path" if count == 1 else f"{count} paths"
            terms = [" * ".join(_fmt(f) for f in fs) for fs, _ in products]
            if count == 1:
                sum_text = f"{terms[0]} = {_fmt(products[0][1])}"
            else:
                sum_text = " + ".join(f"({t})" for t in terms) + f" = {_fmt(sum(p for _, p in products))}"
            notes.append(f"{head} = sum over paths of the product of local derivatives; {words}: {sum_text}")
        elif scalar:
            plural = "s" if count != 1 else ""
            notes.append(
                f"{head} = sum over {count:,} path{plural} of the product of local derivatives"
                f" = {_fmt(total)}"
            )
        else:
            notes.append(
                f"{head} = sum over {count:,} path{'s' if count != 1 else ''} of the vector-Jacobian "
                f"products along each (seed: ones) = {_value_text(total)}"
            )
    return _Influence(on_path, notes)


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


# --- choosing what to draw --------------------------------------------------------------------


def _choose_visible(root: Any, max_nodes: int, first: set[Any]) -> list[Any]:
    """The nodes to draw, nearest the root first: the ``first`` set (the influence chain) has
    priority, then a breadth-first walk from the root fills up to ``max_nodes``."""
    visible = {root: None}
    if first:
        queue = deque([root])
        while queue and len(visible) < max_nodes:
            node = queue.popleft()
            for x, rule in zip(node._inputs, _rules(node)):
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
class _Options:
    rankdir: str = "LR"
    names: dict[Any, str] = field(default_factory=dict)
    highlight: list[Any] = field(default_factory=list)
    max_nodes: int = DEFAULT_MAX_NODES
    show: tuple[str, ...] = _SHOW_FIELDS
    params: set[Any] = field(default_factory=set)
    color_grad: bool = False
    frame: _FrameView | None = None


def _options(
    rankdir: str,
    names: Mapping[Any, Any] | None,
    highlight: Any,
    max_nodes: int,
    show: str | Iterable[str],
    params: Any,
    color_grad: bool,
) -> _Options:
    if rankdir not in ("LR", "RL", "TB", "BT"):
        raise ValueError(f"draw: rankdir must be 'LR', 'RL', 'TB' or 'BT', got {rankdir!r}")
    if not isinstance(max_nodes, int) or max_nodes < 1:
        raise ValueError(f"draw: max_nodes must be a positive int, got {max_nodes!r}")
    fields = [s.strip() for s in show.split(",")] if isinstance(show, str) else [str(s) for s in show]
    fields = [f for f in fields if f and f != "none"]
    for f in fields:
        if f not in _SHOW_FIELDS:
            raise ValueError(f"draw: show takes 'data', 'grad' or both ('data,grad'), got {f!r}")
    return _Options(
        rankdir=rankdir,
        names=_names_of(names),
        highlight=_as_nodes(highlight, "highlight"),
        max_nodes=max_nodes,
        show=tuple(fields),
        params=set(_as_nodes(params, "params")),
        color_grad=bool(color_grad),
    )


# --- writing DOT ------------------------------------------------------------------------------


def _build_dot(root: Any, opt: _Options) -> str:
    if not _is_node(root):
        raise TypeError(f"draw: root must be a graph node (Value or Tensor), got {type(root).__name__}")
    names = opt.names

    def name(node: Any) -> str:
        return (
            node.label
            or names.get(node)
            or (f"({node._op})" if node._op else f"[{_value_text(node.data, 3)}]")
        )

    order = topological_order(root)
    influence = _influence(root, order, opt.highlight, name, names) if opt.highlight else None
    on_path = influence.on_path if influence else set()
    targets = set(opt.highlight)
    frame = opt.frame

    visible = _choose_visible(root, opt.max_nodes, on_path) if len(order) > opt.max_nodes else order
    ids = {node: f"n{i}" for i, node in enumerate(visible)}
    hidden = len(order) - len(visible)

    # Leaves that feed some differentiable edge (a leaf that feeds none is a constant).
    feeds_grad: set[Any] = set()
    for node in visible:
        for x, rule in zip(node._inputs, _rules(node)):
            if rule is not None:
                feeds_grad.add(x)

    def grad_of(node: Any) -> Any:
        if frame is not None:
            return frame.grads.get(node)
        return node.grad

    biggest = 0.0
    if opt.color_grad:
        biggest = max((_magnitude(grad_of(n)) for n in visible), default=0.0)

    lines = [
        "digraph graphgrad {",
        f'  graph [rankdir={opt.rankdir}, fontname="Arial", fontsize=11, nodesep=0.25, ranksep=0.4];',
        '  node [shape=plain, fontname="Arial", fontsize=10, color="#333333", fontcolor="#222222"];',
        '  edge [fontname="Arial", fontsize=9, color="#555555", arrowsize=0.7];',
    ]

    for node in visible:
        nid = ids[node]
        label = node.label or names.get(node, "")
        if node._inputs:
            kind = "result"
        elif node in opt.params or getattr(node, "requires_grad", None) is True:
            kind = "parameter"
        elif label:
            kind = "input"
        else:  # an unnamed leaf: a number lifted into the graph, or data
            kind = "constant"
        rows: list[str] = []
        if label or kind != "result":
            tag = _KIND_TAG[kind]
            head = f"<B>{_html(label)}</B>" if label else ""
            if tag:
                head += f'{" " if head else ""}<FONT POINT-SIZE="8">{tag}</FONT>'
            rows.append(f'<TD BGCOLOR="{_KIND_FILL[kind]}">{head}</TD>')
        data = node.data
        if _is_array(data):
            rows.append(f"<TD>{_html(_shape_text(data))}</TD>")
        if "data" in opt.show:
            rows.append(f"<TD>data {_html(_value_text(data))}</TD>")
        g = grad_of(node)
        needs_grad = getattr(node, "requires_grad", True) is not False  # a Tensor may need none
        if (
            "grad" in opt.show
            and (kind != "constant" or node in feeds_grad)
            and (needs_grad or g is not None)
        ):
            fill = ""
            if opt.color_grad and biggest > 0:
                fill = f' BGCOLOR="{_grad_fill(_magnitude(g) / biggest)}"'
            if frame is None and g is None and node._inputs:  # a Tensor keeps leaves' gradients only
                rows.append(f'<TD{fill}><FONT COLOR="{_FAINT}">grad not kept</FONT></TD>')
            elif frame is not None and g is None:
                rows.append(f'<TD{fill}><FONT COLOR="{_FAINT}">grad ?</FONT></TD>')
            elif frame is not None and node not in frame.done:
                text = f"grad {_html(_value_text(g))} so far"
                rows.append(f'<TD{fill}><FONT COLOR="{_PARTIAL}">{text}</FONT></TD>')
            else:
                rows.append(f"<TD{fill}>grad {_html(_value_text(g))}</TD>")
        if not rows:
            rows.append("<TD> </TD>")
        color = ""
        attrs = ""
        if frame is not None and node is frame.current:
            color = f' COLOR="{_CURRENT}"'
            outer = 3
        elif node in on_path:
            color = f' COLOR="{_PATH}"'
            outer = 3 if node in targets else 2
            attrs = ', class="influence"'
        else:
            outer = 2 if kind == "parameter" else 0
        table = (
            f'<TABLE BORDER="{outer}" CELLBORDER="1" CELLSPACING="0" CELLPADDING="3"{color}>'
            + "".join(f"<TR>{r}</TR>" for r in rows)
            + "</TABLE>"
        )
        lines.append(f"  {nid} [label=<{table}>{attrs}];")

    summary_targets: list[str] = []
    for node in visible:
        if not node._inputs:
            continue
        nid = ids[node]
        op = f"{nid}op"
        op_text = node._op or "?"
        on = node in on_path and influence is not None
        style = "filled"
        extra = f', color="{_PATH}", penwidth=2, class="influence"' if on else ""
        if frame is not None and node is frame.current:
            extra = f', color="{_CURRENT}", penwidth=2'
        lines.append(
            f'  {op} [label={_quote(op_text)}, shape=ellipse, style={style}, fillcolor="#f3f3f3", '
            f'margin="0.04,0.02", width=0.4, height=0.3{extra}];'
        )
        edge_extra = f' [color="{_PATH}", penwidth=2, class="influence"]' if on else ""
        if frame is not None and node is frame.current:
            edge_extra = f' [color="{_CURRENT}", penwidth=2, dir=back]'
        lines.append(f"  {op} -> {nid}{edge_extra};")
        sent = {}
        if frame is not None and node is frame.current:
            sent = {i: c for _, i, c in frame.sent}
        has_hidden = False
        for i, (x, rule) in enumerate(zip(node._inputs, _rules(node))):
            if x not in ids:
                has_hidden = True
                continue
            attrs_list: list[str] = []
            if rule is None:
                attrs_list.append('style=dashed, color="#aaaaaa"')
            if i in sent:
                share = _short(sent[i])
                share = f"({share})" if share.startswith("-") else share  # "+(-3)", not "+-3"
                attrs_list.append(
                    f'color="{_CURRENT}", penwidth=2, fontcolor="{_CURRENT}", '
                    f"label={_quote(' +' + share + ' ')}, dir=back, arrowtail=normal"
                )
            elif on and rule is not None and x in on_path:
                attrs_list.append(
                    f'color="{_PATH}", penwidth=2, fontcolor="{_PATH}", '
                    f'label={_quote(" " + _short(_local_derivative(node, i)) + " ")}, class="influence"'
                )
            suffix = f" [{', '.join(attrs_list)}]" if attrs_list else ""
            lines.append(f"  {ids[x]} -> {op}{suffix};")
        if has_hidden:
            summary_targets.append(op)

    if hidden:
        chain = ""
        if influence is not None and any(n not in ids for n in on_path):
            chain = "\\nsome of the highlighted chain is inside"
        more = f"... {hidden:,} more node{'s' if hidden != 1 else ''}"
        lines.append(
            f'  more [label="{more}\\n(the far part of the graph, collapsed;\\n'
            f'draw with a larger max_nodes to see them){chain}", shape=box, style="dashed,rounded", '
            f'fontcolor="#555555", color="#888888"];'
        )
        for op in summary_targets:
            lines.append(f'  more -> {op} [style=dashed, color="#888888"];')

    notes: list[tuple[str, str]] = []
    if frame is not None:
        notes.append((frame.caption, _CURRENT))
    if influence is not None:
        notes.extend((n, _PATH) for n in influence.notes)
    if notes:
        body = "".join(
            f'<TR><TD ALIGN="LEFT"><FONT COLOR="{color}">{_html(text)}</FONT></TD></TR>'
            for text, color in notes
        )
        lines.append(
            '  graph [labelloc=b, labeljust=l, label=<<TABLE BORDER="0" CELLPADDING="2" CELLSPACING="0">'
            f"{body}</TABLE>>];"
        )
    lines.append("}")
    return "\n".join(lines) + "\n"


def to_dot(
    root: Any,
    rankdir: str = "LR",
    names: Mapping[Any, Any] | None = None,
    highlight: Any = None,
    max_nodes: int = DEFAULT_MAX_NODES,
    show: str | Iterable[str] = "data,grad",
    params: Any = None,
    color_grad: bool = False,
) -> str:
    """The Graphviz DOT source of the graph that ``root`` was computed from; needs no program.

    ``rankdir``: "LR" (inputs left, root right) or "TB", "RL", "BT". ``names``: ``locals()`` (or
    any {variable name: node} or {node: name} mapping) to name nodes that have no ``label``.
    ``highlight``: a node or several; every path from them to the root is marked, its edges
    labelled with their local derivatives, with a note summing the products over the paths.
    ``max_nodes``: graph nodes drawn before the far part collapses into one summary node.
    ``show``: "data,grad", "data", "grad" or "" (labels only). ``params``: nodes to style as
    parameters (Tensors with ``requires_grad`` are styled so anyway). ``color_grad``: fill the
    data and grad cells from white to orange by gradient magnitude.
    """
    return _build_dot(root, _options(rankdir, names, highlight, max_nodes, show, params, color_grad))


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


def _render(source: str, fmt: str) -> bytes:
    program = find_renderer()
    if program is None:
        raise RendererNotFoundError(_INSTALL_HINT)
    try:
        done = subprocess.run(
            [program, f"-T{fmt}"], input=source.encode("utf-8"), capture_output=True, timeout=300
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


class Drawing:
    """A drawn graph: ``.source`` (DOT), ``.svg()``, ``.png()``, ``.save(path)``; shows in Jupyter."""

    def __init__(self, source: str) -> None:
        self.source = source
        self._svg: str | None = None

    def __repr__(self) -> str:
        nodes = len(re.findall(r"^  n\d+ \[", self.source, flags=re.M))
        return f"<graphgrad Drawing: {nodes} nodes; .svg(), .save('graph.svg'|'.png'|'.dot'), .source>"

    def svg(self) -> str:
        """The picture as SVG text (rendered once, then kept)."""
        if self._svg is None:
            self._svg = _render(self.source, "svg").decode("utf-8")
        return self._svg

    def png(self) -> bytes:
        """The picture as PNG bytes."""
        return _render(self.source, "png")

    def graphviz(self) -> Any:
        """The drawing as a ``graphviz.Source`` (the graphviz Python package), for its own
        options: other engines and formats, ``.view()``, ``.render()`` (these need the system ``dot``).

        >>> from autograd import Value, draw
        >>> draw(Value(1.0) * 2).graphviz().source.startswith("digraph")
        True
        """
        import graphviz

        return graphviz.Source(self.source)

    def save(self, path: str | os.PathLike[str]) -> Path:
        """Write ``.svg``, ``.png`` or ``.dot`` by the file's suffix; returns the path."""
        target = Path(path)
        suffix = target.suffix.lower()
        if suffix == ".dot" or suffix == ".gv":
            target.write_text(self.source, encoding="utf-8")
        elif suffix == ".svg":
            target.write_text(self.svg(), encoding="utf-8")
        elif suffix == ".png":
            target.write_bytes(self.png())
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


def draw(
    root: Any,
    rankdir: str = "LR",
    names: Mapping[Any, Any] | None = None,
    highlight: Any = None,
    max_nodes: int = DEFAULT_MAX_NODES,
    show: str | Iterable[str] = "data,grad",
    params: Any = None,
    color_grad: bool = False,
) -> Drawing:
    """Draw the graph of ``root``: a :class:`Drawing` that Jupyter shows as SVG.

    Takes the arguments of :func:`to_dot`. Rendering happens on first use, through the system
    ``dot`` when it is on PATH and ``graphviz-pure`` otherwise.
    """
    return Drawing(to_dot(root, rankdir, names, highlight, max_nodes, show, params, color_grad))


# --- the backward stepper ---------------------------------------------------------------------


class Frame:
    """One step of the backward pass: ``node`` has its complete gradient and passes its shares
    to its inputs. ``grads`` holds every gradient known after the step; ``sent`` the shares."""

    def __init__(
        self, steps: BackwardSteps, index: int, node: Any, end: int, sent: list[tuple[Any, int, Any]]
    ):
        self._steps = steps
        self.index = index
        self.node = node
        self._end = end
        self.sent = sent

    @property
    def grads(self) -> dict[Any, Any]:
        """Node -> gradient of the backward pass, as known after this step."""
        known: dict[Any, Any] = {}
        for node, g in self._steps._history[: self._end]:
            known[node] = g
        return known

    @property
    def grad(self) -> Any:
        """The complete gradient of this step's node (None when no gradient reaches it)."""
        return self.grads.get(self.node)

    def caption(self, names: Mapping[Any, Any] | None = None) -> str:
        found = _names_of(names)
        name = lambda n: n.label or found.get(n) or (f"({n._op})" if n._op else f"[{_value_text(n.data, 3)}]")
        head = f"step {self.index + 1} of {len(self._steps)}: {name(self.node)}"
        g = self.grad
        if g is None:
            return f"{head} receives no gradient (it reaches the root only through constant inputs)"
        if not self.node._inputs:
            return f"{head} is a leaf: its gradient {_value_text(g, 3)} is final"
        shares = ", ".join(f"{_short(c)} to {name(self.node._inputs[i])}" for _, i, c in self.sent)
        seed = " (the seed)" if self.index == 0 else ""
        return f"{head} has its complete gradient {_value_text(g, 3)}{seed}; it passes {shares or 'nothing'}"

    def __repr__(self) -> str:
        return f"<Frame {self.caption()}>"

    def to_dot(self, **options: Any) -> str:
        """DOT source of the graph as this step sees it; takes the options of :func:`to_dot`."""
        opt = _options(
            options.pop("rankdir", "LR"),
            options.pop("names", None),
            options.pop("highlight", None),
            options.pop("max_nodes", DEFAULT_MAX_NODES),
            options.pop("show", "data,grad"),
            options.pop("params", None),
            options.pop("color_grad", False),
        )
        if options:
            raise TypeError(f"Frame.draw: unknown options {sorted(options)}")
        done = set(self._steps._order[: self.index + 1])
        caption = self.caption(opt.names)
        opt.frame = _FrameView(self.grads, done, self.node, self.sent, caption)
        return _build_dot(self._steps.root, opt)

    def draw(self, **options: Any) -> Drawing:
        """The graph as this step sees it: the node being processed in blue, the shares it sends
        on blue edges, gradients still being summed in orange, unknown ones as '?'."""
        return Drawing(self.to_dot(**options))

    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None) -> dict[str, str]:
        return self.draw()._repr_mimebundle_()


class BackwardSteps(Sequence[Frame]):
    """The backward pass of ``root`` one node at a time: a sequence of :class:`Frame`.

    Nothing here writes ``.grad``: the gradients live in the frames. The rules run in the same
    order as in ``backward()``, so the last frame's gradients are exactly ``backward()``'s.
    In Jupyter the steps show as a player (see :meth:`player`).
    """

    def __init__(self, root: Any, grad: Any = None) -> None:
        if not _is_node(root):
            raise TypeError(f"backward_steps: root must be a graph node, got {type(root).__name__}")
        self.root = root
        self._order = topological_order(root)
        seed = _seed_like(root.data) if grad is None else grad
        history: list[tuple[Any, Any]] = [(root, seed)]
        grads: dict[Any, Any] = {root: seed}
        frames: list[Frame] = []
        self._history = history
        for index, node in enumerate(self._order):
            g = grads.get(node)
            sent: list[tuple[Any, int, Any]] = []
            if node._inputs and g is not None:
                out = node.data
                datas = [x.data for x in node._inputs]
                for i, (x, rule) in enumerate(zip(node._inputs, _rules(node))):
                    if rule is None:
                        continue
                    share = rule(g, out, *datas)
                    old = grads.get(x)
                    grads[x] = share if old is None else old + share
                    history.append((x, grads[x]))
                    sent.append((x, i, share))
            frames.append(Frame(self, index, node, len(history), sent))
        self._frames = frames
        self.grads = grads
        """The gradients at the end of the pass (those ``backward()`` would add to ``.grad``)."""

    def __len__(self) -> int:
        return len(self._frames)

    def __getitem__(self, index: Any) -> Any:
        return self._frames[index]

    def __iter__(self) -> Iterator[Frame]:
        return iter(self._frames)

    def __repr__(self) -> str:
        return f"<BackwardSteps: {len(self)} frames; .player() shows them in Jupyter>"

    def player(self, max_frames: int = 60, **options: Any) -> Any:
        """A Jupyter player: a slider (and play button) over the frames when ipywidgets is
        installed, else an HTML list of the first ``max_frames`` frames as SVG pictures."""
        try:
            import ipywidgets as widgets  # type: ignore[import-not-found]
        except ImportError:
            return _FramesHTML(self, max_frames, options)
        cache: dict[int, str] = {}

        def picture(i: int) -> str:
            if i not in cache:
                cache[i] = _inline_svg(self._frames[i].draw(**options).svg())
            return cache[i]

        last = len(self) - 1
        slider = widgets.IntSlider(value=0, min=0, max=last, description="step", continuous_update=False)
        play = widgets.Play(value=0, min=0, max=last, interval=900)
        widgets.jslink((play, "value"), (slider, "value"))
        view = widgets.HTML(value=picture(0))

        def show(change: dict[str, Any]) -> None:
            view.value = picture(int(change["new"]))

        slider.observe(show, names="value")
        return widgets.VBox([widgets.HBox([play, slider]), view])

    def _ipython_display_(self) -> None:
        from IPython.display import display  # type: ignore[import-not-found]

        display(self.player())


def _inline_svg(svg: str) -> str:
    """SVG text without its XML prolog, ready to sit inside HTML."""
    start = svg.find("<svg")
    return svg[start:] if start >= 0 else svg


class _FramesHTML:
    """The player without ipywidgets: the frames one under another."""

    def __init__(self, steps: BackwardSteps, max_frames: int, options: dict[str, Any]) -> None:
        self.steps = steps
        self.max_frames = max_frames
        self.options = options

    def _repr_html_(self) -> str:
        parts = []
        shown = list(self.steps)[: self.max_frames]
        for frame in shown:
            svg = _inline_svg(frame.draw(**self.options).svg())
            parts.append(f"<div style='margin-bottom:1em'>{svg}</div>")
        if len(self.steps) > len(shown):
            parts.append(
                f"<p>... and {len(self.steps) - len(shown):,} more steps "
                "(install ipywidgets for a slider, or index the steps: steps[k].draw())</p>"
            )
        return "\n".join(parts)


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
