"""Stage scene: what a picture shows (the options, the nodes drawn, the collapsed part, the
influence chain and the stepper's frame), before anything is laid out.

>>> from autograd import Value
>>> x = Value(2.0, label="x")
>>> len(make_scene(x * x, DrawOptions()).visible)  # the product and x
2
"""

from __future__ import annotations

import inspect
from collections import deque
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, fields
from typing import Any, TypeVar

from autograd.drawing.replay import Influence, Replay, influence_of
from autograd.drawing.text import Names, is_node, magnitude, names_of
from autograd.graph import topological_order

_SHOW_FIELDS = ("data", "grad")

DEFAULT_MAX_NODES = 300
"""Graph nodes drawn before the far part of a graph collapses into one summary node."""

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
    the influence chain and the stepper's frame, if any."""

    opt: DrawOptions
    names: Names  # what every node is called
    visible: list[Any]
    hidden: int  # graph nodes collapsed into the summary
    influence: Influence | None
    frame: FrameView | None
    with_ids: bool = False  # DOT ids on nodes and edges (the SVG keeps them)
    ids: dict[Any, str] = field(init=False)
    on_path: set[Any] = field(init=False)  # the nodes of the influence chain
    feeds_grad: set[Any] = field(init=False)  # nodes some drawn edge sends a gradient to
    biggest: float = field(init=False)  # the largest |grad| drawn, for color_grad

    def __post_init__(self) -> None:
        self.ids = {node: f"n{i}" for i, node in enumerate(self.visible)}
        self.on_path = self.influence.on_path if self.influence else set()
        self.feeds_grad = {
            x for node in self.visible for x, rule in zip(node.inputs, node.rules) if rule is not None
        }
        self.biggest = 0.0
        if self.opt.color_grad:
            self.biggest = max((magnitude(self.grad_of(n)) for n in self.visible), default=0.0)

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
) -> Scene:
    """What a picture shows: the influence chain of ``opt.targets`` and the nodes to draw.

    ``replay`` is a pass seeded with ones that the influence chain may read instead of its own.
    ``with_ids`` gives every node and edge an ``id`` that the SVG keeps (``n3``, ``n3op``,
    ``n3_out``, ``n3_in0``), for a page to find them.
    """
    check_root(root, "draw")
    order = topological_order(root) if replay is None else replay.order
    names = opt.names_for(order)
    influence = influence_of(root, order, opt.targets, names, replay) if opt.targets else None
    on_path = influence.on_path if influence else set()
    visible = _choose_visible(root, opt.max_nodes, on_path) if len(order) > opt.max_nodes else order
    return Scene(opt, names, visible, len(order) - len(visible), influence, frame, with_ids)

