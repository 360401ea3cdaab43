"""Stage scene: what a picture shows (the options, the nodes drawn, the collapsed part, the
influence chain and the stepper's frame), before anything is laid out.

>>> from autograd import Value
>>> x = Value(2.0, label="x")
>>> len(make_scene(x * x, DrawOptions()).visible)  # the product and x
2
"""

from __future__ import annotations

import inspect
from collections import Counter, deque
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, fields
from typing import Any, TypeVar

from autograd.drawing.replay import Influence, Replay, influence_of
from autograd.drawing.text import Names, is_node, magnitude, names_of
from autograd.graph import topological_order

_SHOW_FIELDS = ("data", "grad")

DEFAULT_MAX_NODES = 300
"""Graph nodes drawn before the far part of a graph collapses into one summary node."""

FANOUT_LIMIT = 24
"""A drawn node used by more drawn ops than this is drawn once per use: its first user keeps the
node and every other use gets a dashed copy beside it (as TensorBoard pulls high-degree nodes out
of its graphs). One box with a hundred edges is a tangle that Graphviz takes minutes to lay out."""

LAYOUT_BUDGET = 6_000
"""The most a picture may ask Graphviz to lay out, in boxes plus edges plus edge labels (see
:class:`DrawnSize`): about 2 s of ``graphviz-pure`` on a 2-core machine for the slowest graphs
measured (fan-out drawn with copies, a scalar network), so that a default drawing or page is done
within 10 s. Past it the far part of the graph collapses, whatever ``max_nodes`` says, and an
explicit ``max_nodes`` above the default that would need more is an error, raised before layout."""

LABEL_COST = 1
"""What one labelled edge (the influence chain's local derivatives) adds to a picture's cost
beyond the edge itself; a large picture writes them as external labels (``xlabel``), which
Graphviz places after the layout instead of laying each out as a node of its own."""

LARGE_PICTURE = 1_000
"""A picture whose size costs more than this (or that draws a node once per use, or collapses
early for the budget) is large: laid out with Graphviz's search limits (its crossing minimisation
and network simplex stop early, which a few hundred boxes with crossing edges need), its edge
labels external, and it says so. Smaller pictures are written as they always were."""


def _as_nodes(x: Any, what: str) -> list[Any]:
    if x is None:
        return []
    if is_node(x):
        return [x]
    nodes = list(x) if isinstance(x, Iterable) else [x]
    for n in nodes:
        if not is_node(n):
            raise TypeError(
                f"{what}: expected a graph node (Value or Tensor) or a list of them, got {type(n).__name__}"
            )
    return nodes


def check_root(root: Any, caller: str) -> None:
    if not is_node(root):
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
        self.node_names = {**param_names, **names_of(self.names, renamed=param_names)}
        self.targets = _as_nodes(self.highlight, "highlight")
        self.param_nodes = set(param_names) or set(_as_nodes(self.params, "params"))
        self.color_grad = bool(self.color_grad)

    def names_for(self, order: list[Any]) -> Names:
        """The names of the nodes of the graph whose topological order is ``order``."""
        return Names(order, self.node_names, self.param_nodes)

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


def takes_options(fn: Function) -> Function:
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


# --- choosing what to draw --------------------------------------------------------------------


def _choose_visible(root: Any, max_nodes: int, first: set[Any]) -> list[Any]:
    """The nodes to draw, nearest the root first: the ``first`` set (the influence chain) has
    priority, then a breadth-first walk from the root fills up to ``max_nodes``."""
    visible = {root: None}
    if first:
        queue = deque([root])
        while queue and len(visible) < max_nodes:
            node = queue.popleft()
            for x, rule in zip(node.inputs, node.rules):
                if rule is not None and x in first and x not in visible:
                    visible[x] = None
                    queue.append(x)
                    if len(visible) >= max_nodes:
                        break
    seen = {root}
    queue = deque([root])
    while queue and len(visible) < max_nodes:
        node = queue.popleft()
        for x in node.inputs:
            if x in seen:
                continue
            seen.add(x)
            queue.append(x)
            if x not in visible:
                visible[x] = None
                if len(visible) >= max_nodes:
                    break
    return list(visible)


# --- what Graphviz is asked to lay out -------------------------------------------------------


@dataclass(frozen=True)
class DrawnSize:
    """What a picture asks Graphviz to lay out: the graph nodes drawn, the boxes (their tables,
    their op nodes, copies and the summary node), the edges, and the edges with a label. ``cost``
    weighs them against :data:`LAYOUT_BUDGET`.

    >>> DrawnSize(nodes=3, boxes=5, edges=4, labels=1).cost
    10
    """

    nodes: int
    boxes: int
    edges: int
    labels: int

    @property
    def cost(self) -> int:
        return self.boxes + self.edges + LABEL_COST * self.labels


def copies_for(uses: int) -> int:
    """How many dashed copies a node used ``uses`` times is drawn with (see FANOUT_LIMIT).

    >>> copies_for(FANOUT_LIMIT), copies_for(FANOUT_LIMIT + 1)
    (0, 24)
    """
    return uses - 1 if uses > FANOUT_LIMIT else 0


def drawn_sizes(drawn: list[Any], labelled: set[Any], total: int) -> list[DrawnSize]:
    """The size of the picture of ``drawn[:k]`` for k = 1 .. len(drawn), the rest of the graph's
    ``total`` nodes collapsed, in one sweep: an edge comes with the later of its two ends; an edge
    between two nodes of ``labelled`` (the influence chain) carries a label.

    >>> from autograd import Value
    >>> x = Value(2.0)
    >>> y = x * x
    >>> [s.cost for s in drawn_sizes([y, x], set(), 2)]  # y alone: its table, op node, edge, summary
    [5, 6]
    """
    at = {node: k for k, node in enumerate(drawn)}
    n = len(drawn)
    boxes, labels = [0] * (n + 1), [0] * (n + 1)
    edges_at: list[list[Any]] = [[] for _ in range(n + 1)]  # each edge's input, at its later end
    waiting = [0] * (n + 1)  # change in the number of drawn ops with an input still collapsed
    for k, node in enumerate(drawn):
        boxes[k] += 2 if node.inputs else 1  # its table and its op node (whose edge comes with it)
        last = k
        for x, rule in zip(node.inputs, node.rules):
            j = at.get(x, n)
            last = max(last, j)
            edges_at[max(j, k)].append(x)
            labels[max(j, k)] += rule is not None and node in labelled and x in labelled
        if last > k:
            waiting[k] += 1
            waiting[last] -= 1
    sizes, uses = [], Counter[Any]()
    box = edge = label = summary = 0
    for k in range(n):
        box, label, summary = box + boxes[k], label + labels[k], summary + waiting[k]
        edge += 1 if drawn[k].inputs else 0  # op -> result
        for x in edges_at[k]:
            uses[x] += 1
            box += copies_for(uses[x]) - copies_for(uses[x] - 1)
            edge += 1
        more = (1 + copies_for(summary), summary) if k + 1 < total else (0, 0)
        sizes.append(DrawnSize(k + 1, box + more[0], edge + more[1], label))
    return sizes


@dataclass
class FrameView:
    """What a backward-stepper frame adds to a drawing."""

    grads: dict[Any, Any]
    done: set[Any]
    current: Any
    sent: list[tuple[Any, int, Any]]  # (input node, input index, contribution)
    caption: str


@dataclass
class Scene:
    """What the parts of one drawing share: the options, the nodes drawn (and their DOT ids),
    the influence chain and the stepper's frame, if any.

    A node used by more than FANOUT_LIMIT drawn ops is drawn once per use: ``copies`` maps each
    such use but the first, (user, input index), to the number ``k`` of the dashed copy drawn
    for it (DOT id ``n<p>_copy<k>``); ``copied`` maps the node to its number of copies.
    ``budget_cut`` is set when fewer than ``max_nodes`` nodes are drawn to stay within
    LAYOUT_BUDGET; ``size`` is what the picture asks Graphviz to lay out.
    """

    opt: DrawOptions
    names: Names  # what every node is called
    visible: list[Any]
    hidden: int  # graph nodes collapsed into the summary
    influence: Influence | None
    frame: FrameView | None
    with_ids: bool = False  # DOT ids on nodes and edges (the SVG keeps them)
    budget_cut: bool = False
    size: DrawnSize | None = None
    ids: dict[Any, str] = field(init=False)
    on_path: set[Any] = field(init=False)  # the nodes of the influence chain
    feeds_grad: set[Any] = field(init=False)  # nodes some drawn edge sends a gradient to
    biggest: float = field(init=False)  # the largest |grad| drawn, for color_grad
    copies: dict[tuple[Any, int], int] = field(init=False)
    copied: dict[Any, int] = field(init=False)

    def __post_init__(self) -> None:
        self.ids = {node: f"n{i}" for i, node in enumerate(self.visible)}
        self.on_path = self.influence.on_path if self.influence else set()
        self.feeds_grad = {
            x for node in self.visible for x, rule in zip(node.inputs, node.rules) if rule is not None
        }
        self.biggest = 0.0
        if self.opt.color_grad:
            self.biggest = max((magnitude(self.grad_of(n)) for n in self.visible), default=0.0)
        uses: dict[Any, list[tuple[Any, int]]] = {}
        for node in self.visible:
            for i, x in enumerate(node.inputs):
                if x in self.ids:
                    uses.setdefault(x, []).append((node, i))
        busy = {x: used for x, used in uses.items() if copies_for(len(used))}
        self.copies = {use: k for used in busy.values() for k, use in enumerate(used[1:])}
        self.copied = {x: len(used) - 1 for x, used in busy.items()}

    @property
    def large(self) -> bool:
        """Whether the picture is large (see LARGE_PICTURE)."""
        cost = self.size.cost if self.size is not None else 0
        return bool(self.copied) or self.budget_cut or cost > LARGE_PICTURE

    def grad_of(self, node: Any) -> Any:
        return self.frame.grads.get(node) if self.frame is not None else node.grad

    def is_current(self, node: Any) -> bool:
        return self.frame is not None and node is self.frame.current


def make_scene(
    root: Any,
    opt: DrawOptions,
    frame: FrameView | None = None,
    replay: Replay | None = None,
    with_ids: bool = False,
    caller: str | None = None,
) -> Scene:
    """What a picture shows: the influence chain of ``opt.targets`` and the nodes to draw.

    ``replay`` is a pass seeded with ones that the influence chain may read instead of its own.
    ``with_ids`` gives every node and edge an ``id`` that the SVG keeps (``n3``, ``n3op``,
    ``n3_out``, ``n3_in0``, a copy's ``n3_copy0``), for a page to find them.

    The nodes drawn are the ``max_nodes`` nearest the root (the influence chain first), fewer
    when those would cost Graphviz more than LAYOUT_BUDGET: the far part collapses before
    layout. ``caller`` names the entry point that will lay the picture out; there a
    ``max_nodes`` above the default that needs more than the budget is an error, raised here
    (``to_dot``, which lays nothing out, passes None and gets every node asked for).
    """
    check_root(root, "draw")
    order = topological_order(root) if replay is None else replay.order
    names = opt.names_for(order)
    influence = influence_of(root, order, opt.targets, names, replay) if opt.targets else None
    on_path = influence.on_path if influence else set()
    drawn = _choose_visible(root, opt.max_nodes, on_path) if len(order) > opt.max_nodes else order
    sizes = drawn_sizes(drawn, on_path, len(order))
    cut = False
    if sizes[-1].cost > LAYOUT_BUDGET and (caller is not None or opt.max_nodes <= DEFAULT_MAX_NODES):
        if drawn is order:  # the nodes nearest the root come first in the breadth-first walk
            drawn = _choose_visible(root, len(order), on_path)
            sizes = drawn_sizes(drawn, on_path, len(order))
        fits = max(1, next(k for k, size in enumerate(sizes) if size.cost > LAYOUT_BUDGET))
        if opt.max_nodes > DEFAULT_MAX_NODES:
            raise ValueError(_too_large(caller or "draw", opt.max_nodes, sizes[-1], fits))
        drawn, cut = drawn[:fits], True
    scene = Scene(opt, names, drawn, len(order) - len(drawn), influence, frame, with_ids, cut)
    scene.size = sizes[len(drawn) - 1]
    return scene


def _too_large(caller: str, max_nodes: int, size: DrawnSize, fits: int) -> str:
    """The error for an explicit ``max_nodes`` whose picture would take Graphviz too long."""
    return (
        f"{caller}: max_nodes={max_nodes} asks Graphviz to lay out {size.nodes:,} nodes of this graph "
        f"({size.boxes:,} boxes, {size.edges:,} edges, {size.labels:,} edge labels: a cost of "
        f"{size.cost:,}), more than the {LAYOUT_BUDGET:,} it lays out in a few seconds (LAYOUT_BUDGET); "
        f"pass max_nodes={fits} "
        f"or less, or leave max_nodes out to collapse the far part; to_dot(root, max_nodes={max_nodes}) "
        "writes all of it as DOT without laying it out"
    )
