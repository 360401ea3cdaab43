"""The graph machinery that Value and Tensor share: one node shape, one order, one backward loop.

A node holds its ``data``, its ``grad``, the nodes it was computed from, one local-derivative rule
per input (``_vjps``), the op's name (``_op``) and an optional ``label``. The inputs sit in two
slots, ``_a`` and ``_b``: one input in ``_a``; two in ``_a`` and ``_b``; more than two as a tuple
in ``_a``. (So a Value op makes one object for Python's cyclic collector to track, not two: the
node, and no tuple beside it.) ``node._inputs`` reads them back as a tuple.

A rule is a plain function ``rule(g, out, *inputs) -> gradient for its input``: ``g`` is the
gradient arriving at the node and ``out`` the node's own value. In an ordinary backward pass the
rules run on raw numbers (floats or ndarrays); under ``create_graph=True`` they run on the nodes
themselves, so the gradients they return are nodes too and can be differentiated again.

- ``record(data, inputs, rules, op)`` is the one public way an op makes a node;
- ``topological_order(root)`` lists the graph, each node before its inputs;
- ``gradients(root, seed)`` is the one backward loop: it returns the gradients in a dict and
  writes nothing; ``Node.backward()`` is that plus writing them into ``.grad``;
- ``on_node_made(hook)`` is the one hook into the making of nodes (anomaly mode's checks use it).
  An op makes its node on a fast path while ``switches_on``, the process-wide count of open
  ``no_grad`` blocks plus registered hooks, is 0: one list read. Otherwise ``rules_to_record``
  decides what the node records: nothing inside ``no_grad``, else the rules the hooks return;
- ``with_collector_paused(work)`` is the one place graphgrad pauses Python's cyclic collector,
  and documents when it does: around the backward loop and a scalar network's forward pass.

The elementwise functions' forwards and rules, shared by Value and Tensor, are in
``elementwise.py``; the shape helpers of Tensor's ops in ``shapes.py``.

A node never refers to its users and no rule refers to the node it belongs to, so a graph has no
reference cycles: dropping the last reference to the root frees it by reference counting. (One
exception, as in torch: ``backward(create_graph=True)`` stores in ``.grad`` graphs built from each
node's users, a cycle it warns about; ``gradients`` and the functional API store nothing.)

>>> from autograd import Value
>>> x = Value(3.0, label="x")
>>> y = x * x + x
>>> gradients(y, 1.0)[x]
7.0
>>> x.grad  # gradients() wrote nothing; backward() does
0.0
>>> y.backward()
>>> x.grad
7.0
"""

from __future__ import annotations

import _signal  # signal's C core: signal.signal's enum wrapping costs 10 us a call, this 0.3
import gc
import threading
from collections.abc import Callable, Iterable, Mapping, Sequence
from contextlib import ContextDecorator
from typing import Any, TypeVar

Rule = Callable[..., Any]
Share = tuple["Node", int, Any, Any]
"""One step of a traced backward pass: (node, input index, the share sent, the input's new total)."""
_SIGINT = _signal.SIGINT


class Node:
    """The fields every graph node has; Value and Tensor add their ops on top."""

    __slots__ = ("data", "grad", "_a", "_b", "_vjps", "_op", "label", "__weakref__")

    data: Any
    grad: Any
    _a: Any  # None, the one input, the first of two, or the tuple of the inputs of an op with more
    _b: Any  # None or the second of two inputs
    _vjps: Sequence[Rule | None]
    _op: str
    label: str

    @property
    def _inputs(self) -> tuple[Node, ...]:
        """The nodes this one was computed from (read from the slots ``_a`` and ``_b``)."""
        a, b = self._a, self._b
        if b is not None:
            return (a, b)
        if a is None:
            return ()
        return a if type(a) is tuple else (a,)

    @_inputs.setter
    def _inputs(self, inputs: Sequence[Node]) -> None:
        self._a, self._b = _slots(tuple(inputs))

    # The public read API: what drawing, export, anomaly mode and nn read of a node.

    @property
    def inputs(self) -> tuple[Node, ...]:
        """The nodes this one was computed from, in the op's argument order (a leaf: none).

        >>> from autograd import Value
        >>> x = Value(2.0, label="x")
        >>> [n.label for n in (x * 3).inputs][0], x.inputs
        ('x', ())
        """
        return self._inputs

    @property
    def op(self) -> str:
        """The name of the op that made this node ("*", "tanh", "matmul", ...); "" for a leaf."""
        return self._op

    @property
    def rules(self) -> tuple[Rule | None, ...]:
        """One local-gradient rule per input (None for an input that takes no gradient): each is
        called as ``rule(g, out, *inputs_data)`` and returns that input's share of ``g``."""
        return tuple(self._vjps)

    @property
    def attrs(self) -> Mapping[str, Any]:
        """The op's parameters (a Tensor op's ``axis``, ``shape``, ...); empty for most ops."""
        return {}

    @property
    def is_leaf(self) -> bool:
        """True for a node no recorded op made (an input, a parameter, a constant)."""
        return self._a is None

    # Comparisons compare data (rules and plots use them): a bool for Values, a boolean array for
    # Tensors, never a node (a comparison has no gradient). == stays identity: nodes are dict keys.

    def __lt__(self, other: Any) -> Any:
        return self.data < _data(other)

    def __le__(self, other: Any) -> Any:
        return self.data <= _data(other)

    def __gt__(self, other: Any) -> Any:
        return self.data > _data(other)

    def __ge__(self, other: Any) -> Any:
        return self.data >= _data(other)

    def _seed(self, grad: Any, create_graph: bool) -> Any:
        """The gradient that ``backward(grad)`` starts from at this node, checked."""
        raise NotImplementedError

    @staticmethod
    def _store_grads(grads: dict[Any, Any]) -> None:
        """Add the gradients of a finished pass to ``.grad`` (which nodes keep one is the kind's choice)."""
        raise NotImplementedError

    @staticmethod
    def _record(
        data: Any, inputs: tuple[Any, ...], rules: tuple[Any, ...], op: str, attrs: dict[str, Any] | None
    ) -> Node:
        """Make a node of this kind: the kind's own fast version of ``record``."""
        raise NotImplementedError

    def backward(self, grad: Any = None, create_graph: bool = False) -> None:
        """Add d(self)/d(node) * grad to ``.grad`` of the nodes this one was computed from.

        ``grad`` defaults to 1 (a scalar output). Gradients accumulate across calls, as in
        PyTorch (``zero_grad()`` resets them); a second pass over the same graph adds exactly the
        same increment again. All or nothing: an error half-way, or Ctrl-C, changes no ``.grad``,
        and passes in several threads over shared leaves each add their whole share (see
        ``store_all``). With ``create_graph=True`` the gradients are nodes themselves and can be
        differentiated again; as in torch, that warns of the reference cycle it makes.
        """
        grads = gradients(self, self._seed(grad, create_graph), create_graph)
        if create_graph:
            import warnings  # (here: the warning is off the path of an ordinary pass)

            warnings.warn(CREATE_GRAPH_CYCLE, UserWarning, stacklevel=2)
        store_all(self._store_grads, grads)


def seed_of(root: Node, grad: Any, create_graph: bool) -> Any:
    """The gradient a backward pass from ``root`` starts from: ``grad`` as ``root.backward(grad)``
    takes it (None is 1 for a single number), checked and converted by ``root``'s kind.

    >>> from autograd import Value
    >>> seed_of(Value(2.0), None, create_graph=False)
    1.0
    """
    return root._seed(grad, create_graph)


def _data(x: Any) -> Any:
    return x.data if isinstance(x, Node) else x


def _slots(inputs: tuple[Node, ...]) -> tuple[Any, Any]:
    """The two input slots ``(_a, _b)`` that hold ``inputs``."""
    n = len(inputs)
    if n == 2:
        return inputs[0], inputs[1]
    if n == 1:
        return inputs[0], None
    return (inputs if n else None), None


# --- storing a pass's gradients: whole, in one thread at a time, not cut by Ctrl-C --------------

CREATE_GRAPH_CYCLE = (
    "backward(create_graph=True) makes a reference cycle between each node and its .grad (the "
    "gradient's graph holds the node), so the graph is freed only by the cyclic garbage "
    "collector, as in torch. To avoid it use autograd.grad (or gradients()), which writes no "
    ".grad; or reset the .grad of the nodes (zero_grad()) after use to break the cycle."
)
"""The warning of ``backward(create_graph=True)``, torch's own in graphgrad's words."""

_store_lock = threading.Lock()
_MAIN_THREAD = threading.main_thread().ident


def store_all(store: Callable[[dict[Any, Any]], None], grads: dict[Any, Any]) -> None:
    """Run ``store(grads)`` (a kind's ``_store_grads``) whole: under a lock shared by all threads,
    so that concurrent passes over shared leaves lose no update, and, on the main thread, with
    Ctrl-C held back until it is done (a SIGINT that arrives meanwhile is handed to the previous
    handler afterwards, which raises KeyboardInterrupt as usual). Costs about a microsecond.

    >>> from autograd import Value
    >>> x = Value(2.0)
    >>> store_all(Value._store_grads, {x: 3.0})
    >>> x.grad
    3.0
    """
    handler = _signal.getsignal(_SIGINT) if threading.get_ident() == _MAIN_THREAD else None
    if not callable(handler):  # another thread (no SIGINT arrives there), or SIGINT ignored
        with _store_lock:
            store(grads)
        return
    held: list[Any] = []
    _signal.signal(_SIGINT, lambda signum, frame: held.append(frame))
    try:
        with _store_lock:
            store(grads)
    finally:
        _signal.signal(_SIGINT, handler)
        if held:
            handler(_SIGINT, held[0])


# --- no_grad -----------------------------------------------------------------------------------


class _GradMode(threading.local):
    """Per-thread switches that every op consults when it records its result."""

    enabled = True


grad_mode = _GradMode()

# How many switches are on, over all threads: open ``no_grad`` blocks plus registered node hooks
# (see ``on_node_made``). While there are none (nearly always) every thread records graphs and an
# op records its node at once, with one list read: it need not look up its thread's switch (a
# thread-local read costs about as much as the rest of recording a node). Otherwise it asks
# ``rules_to_record``.
switches_on = [0]
_switches_lock = threading.Lock()


def is_grad_enabled() -> bool:
    """True unless the calling thread is inside ``no_grad``."""
    return grad_mode.enabled


class no_grad(ContextDecorator):
    """Build no graph inside: ops give results with no inputs, as torch.no_grad does.

    Works as a context manager and as a decorator; the switch is per thread.

    >>> from autograd import Value, no_grad
    >>> with no_grad():
    ...     y = Value(2.0) * 3
    >>> y._inputs
    ()
    """

    def _recreate_cm(self) -> no_grad:
        # a fresh switch per call of a decorated function, so nested (recursive) or concurrent
        # calls each restore their own previous state
        return type(self)()

    def __enter__(self) -> None:
        self._previous = grad_mode.enabled
        with _switches_lock:
            switches_on[0] += 1
        grad_mode.enabled = False

    def __exit__(self, *exc: object) -> None:
        grad_mode.enabled = self._previous
        with _switches_lock:
            switches_on[0] -= 1


class enable_grad(ContextDecorator):
    """Record graphs inside even within ``no_grad`` (the functional transforms run ``f`` so)."""

    def __enter__(self) -> None:
        self._previous = grad_mode.enabled
        grad_mode.enabled = True

    def __exit__(self, *exc: object) -> None:
        grad_mode.enabled = self._previous


# --- the hook: a node was made --------------------------------------------------------------------

Rules = Sequence["Rule | None"]
NodeHook = Callable[["Node", tuple["Node", ...], "Rules | None", str], "Rules | None"]
"""``hook(node, inputs, rules, op) -> rules``: see ``on_node_made``."""
_node_hooks: tuple[NodeHook, ...] = ()


def on_node_made(hook: NodeHook) -> Callable[[], None]:
    """Call ``hook(node, inputs, rules, op)`` for each node an op makes from ``inputs``, until the
    function this returns is called (it removes the hook). Process-wide: nodes made in every thread.

    ``rules`` are the rules the node is about to record, or None when it records none (the thread
    is inside ``no_grad``); the hook returns the rules to record instead: ``rules`` themselves, or
    others in their place (anomaly mode's wrap each in checks), or None where ``rules`` is None.
    The node's ``data`` is set when the hook runs, its inputs not yet. While no hook is registered
    (and no ``no_grad`` block is open) an op pays nothing for this: see ``switches_on``.

    >>> from autograd import Value
    >>> seen = []
    >>> remove = on_node_made(lambda node, inputs, rules, op: seen.append(op) or rules)
    >>> y = Value(2.0) * 3 + 1
    >>> remove()
    >>> z = Value(2.0) * 3
    >>> seen
    ['*', '+']
    """
    global _node_hooks
    with _switches_lock:
        _node_hooks = (*_node_hooks, hook)
        switches_on[0] += 1
    removed: list[bool] = []

    def remove() -> None:
        global _node_hooks
        with _switches_lock:
            if removed:  # (a second call removes nothing)
                return
            removed.append(True)
            kept = list(_node_hooks)
            kept.remove(hook)
            _node_hooks = tuple(kept)
            switches_on[0] -= 1

    return remove


def rules_to_record(node: Node, inputs: tuple[Node, ...], rules: Rules, op: str) -> Rules | None:
    """The slow path of recording a node, taken only while a switch is on (``switches_on``): the
    rules ``node`` records for its ``inputs``, or None to record none (inside ``no_grad``), after
    the node hooks have had their say. Value's and Tensor's ``_result`` call it.

    >>> from autograd import Value, no_grad
    >>> with no_grad():
    ...     rules_to_record(Value(1.0), (Value(2.0),), (pass_through,), "op") is None
    True
    """
    recorded: Rules | None = rules if grad_mode.enabled else None
    for hook in _node_hooks:
        recorded = hook(node, inputs, recorded, op)
    return recorded


# --- recording a node --------------------------------------------------------------------------


def pass_through(g: Any, out: Any, *inputs: Any) -> Any:
    """The rule of an input whose gradient is the arriving one unchanged (both inputs of ``+``).

    The backward loop recognises it and skips the call.
    """
    return g


NodeKind = TypeVar("NodeKind", bound="Node")


def record(
    data: Any,
    inputs: Sequence[NodeKind],
    rules: Sequence[Rule | None],
    op: str,
    attrs: dict[str, Any] | None = None,
) -> NodeKind:
    """Make the node an op returns: its ``data`` plus, for the backward pass, its inputs and rules.

    The one public way to add an op. ``inputs`` are the nodes (all Values or all Tensors) that
    ``data`` was computed from; ``rules`` holds one local-derivative rule per input,
    ``rule(g, out, *inputs) -> that input's share of g`` (None for an input that gets no
    gradient). Write the rules with the engine's own operators, so that they work on plain
    numbers in an ordinary backward pass and on nodes under ``create_graph=True`` (derivatives of
    any order). Under ``no_grad`` (and for Tensors that need no gradient) nothing is recorded.
    ``op`` names the op in drawings and errors; ``attrs`` (Tensor nodes only) holds its
    parameters, such as ``{"axis": 1}``, for drawings and exporters.

    >>> import math
    >>> from autograd import Value
    >>> def cube(x):  # forward x**3, local derivative 3 x**2
    ...     return record(x.data**3, (x,), (lambda g, out, a: g * 3 * a * a,), "cube")
    >>> x = Value(2.0)
    >>> y = cube(x)
    >>> y.backward()
    >>> y.data, x.grad
    (8.0, 12.0)
    """
    inputs, rules = tuple(inputs), tuple(rules)
    if not inputs:
        raise ValueError(
            f"record {op!r}: an op needs at least one input node; make constants with Value() or Tensor()"
        )
    if len(rules) != len(inputs):
        raise ValueError(
            f"record {op!r}: {len(inputs)} inputs but {len(rules)} rules; give one rule (or None) per input"
        )
    kind = type(inputs[0])
    if len(set(map(type, inputs))) > 1 or not isinstance(inputs[0], Node):
        kinds = sorted({type(x).__name__ for x in inputs})
        raise TypeError(
            f"record {op!r}: the inputs must be nodes of one kind (all Values or all Tensors), got "
            f"{', '.join(kinds)}; wrap numbers with Value(...) or arrays with Tensor(...)"
        )
    return kind._record(data, inputs, rules, op, attrs)  # type: ignore[return-value]


# --- pausing Python's cyclic collector ----------------------------------------------------------


Result = TypeVar("Result")


def with_collector_paused(work: Callable[..., Result], *args: Any) -> Result:
    """``work(*args)``, with Python's cyclic garbage collector paused while it runs.

    The rule: graphgrad pauses the collector while it builds or walks a big graph in bulk (the
    backward loop in ``gradients``, and a scalar network's forward pass, ``nn.MLP.__call__``).
    Such bursts make many short-lived objects and no reference cycles, yet each burst would start
    the collector over the whole (cycle-free) graph, again and again. Only a call that found the
    collector on pauses it and resumes it, so a call in one thread that finds it paused by
    another's cannot leave it off; an error or a Ctrl-C anywhere in it, right after the pause
    included, still resumes it. (A function around ``work`` rather than a context manager: a
    Ctrl-C that lands as a Python ``__exit__`` is entered would skip its resuming.)

    >>> import gc
    >>> with_collector_paused(gc.isenabled), gc.isenabled()
    (False, True)
    """
    paused = gc.isenabled()
    try:  # (the pause inside the try: a Ctrl-C right after it still resumes the collector)
        if paused:
            gc.disable()
        return work(*args)
    finally:
        if paused:
            gc.enable()


# --- the order and the backward loop -----------------------------------------------------------


def topological_order(root: Node, stop_at: Iterable[Node] = ()) -> list[Node]:
    """Every node ``root`` depends on, ``root`` first, each before the nodes it was made from.

    A depth-first search with an explicit stack, so graphs a million nodes deep are fine. An
    expanded node goes back on the stack under a ``_FINISHED`` marker: popping the marker means
    every input of the node is in ``order`` by now. The nodes in ``stop_at`` are left out, and
    so is what lies behind them (unless another path leads there).

    >>> from autograd import Value
    >>> x = Value(2.0, label="x")
    >>> [n.label or n._op for n in topological_order(x * x + 1)]  # the constant 1 has no label
    ['+', '*', 'x', '']
    """
    order: list[Node] = []
    expanded: set[Node] = set(stop_at)
    stack: list[Any] = [root]
    push, pop, mark, finish, finished = stack.append, stack.pop, expanded.add, order.append, _FINISHED
    while stack:
        node = pop()
        if node is finished:
            finish(pop())
            continue
        if node in expanded:  # (a node can be pushed twice, but is expanded once)
            continue
        mark(node)
        a = node._a
        if a is None:  # a leaf is finished at once
            finish(node)
            continue
        push(node)
        push(finished)
        b = node._b
        if b is not None:  # two inputs
            if a not in expanded:
                push(a)
            if b not in expanded:
                push(b)
        elif type(a) is tuple:  # more than two
            for x in a:
                if x not in expanded:
                    push(x)
        elif a not in expanded:  # one
            push(a)
    order.reverse()
    return order


_FINISHED = object()


def gradients(
    root: Node,
    seed: Any,
    create_graph: bool = False,
    stop_at: Iterable[Node] = (),
    trace: list[Share] | None = None,
) -> dict[Any, Any]:
    """The backward pass: d root / d node * seed for every node ``root`` was computed from.

    Returns ``{node: gradient}`` for the nodes a gradient reaches (``root`` included, with
    ``seed``) and writes no ``.grad``. The rules run on the raw data, or on the nodes with
    ``create_graph`` (then the gradients are nodes, differentiable again). The nodes in
    ``stop_at`` get their gradient but pass nothing on (as ``torch.autograd.grad``'s inputs).
    ``trace``, a list, receives ``(node, input index, share, the input's new total)`` for each
    share sent, in the order of the pass: the drawing's step-by-step replay reads it.

    >>> from autograd import Value
    >>> a, b = Value(2.0), Value(5.0)
    >>> grads = gradients(a * b, 1.0)
    >>> grads[a], grads[b]
    (5.0, 2.0)
    """
    grads = {root: seed}
    with_collector_paused(_backward_loop, root, grads, create_graph, stop_at, trace)
    return grads


def _backward_loop(
    root: Node, grads: dict[Any, Any], create_graph: bool, stop_at: Iterable[Node], trace: list[Share] | None
) -> None:
    """The loop of ``gradients``: each node in order sends its gradient's shares to its inputs.

    An ordinary pass (rules on raw data, no trace) inlines the step of a node with one or two
    inputs, nearly every node; ``_send`` makes any other step."""
    get = grads.get
    fast = not create_graph and trace is None
    for node in topological_order(root, stop_at):
        a = node._a
        if a is None:  # a leaf
            continue
        g = get(node)
        if g is None:  # reached only through inputs that need no gradient
            continue
        b = node._b
        if not fast:  # traced, or the rules run on the nodes
            _send(node, g, grads, create_graph, trace)
        elif b is not None:  # two inputs
            rule_a, rule_b = node._vjps
            if rule_a is not None:
                ga = g if rule_a is pass_through else rule_a(g, node.data, a.data, b.data)
                old = get(a)
                grads[a] = ga if old is None else old + ga
            if rule_b is not None:
                gb = g if rule_b is pass_through else rule_b(g, node.data, a.data, b.data)
                old = get(b)
                grads[b] = gb if old is None else old + gb
        elif type(a) is not tuple:  # one input
            rule = node._vjps[0]
            if rule is not None:
                ga = g if rule is pass_through else rule(g, node.data, a.data)
                old = get(a)
                grads[a] = ga if old is None else old + ga
        else:  # more than two
            _send(node, g, grads, create_graph, trace)


def _send(node: Node, g: Any, grads: dict[Any, Any], create_graph: bool, trace: list[Share] | None) -> None:
    """``gradients`` for one node in general: any number of inputs, on nodes or raw data, traced."""
    inputs = node._inputs
    out, args = (node, inputs) if create_graph else (node.data, [x.data for x in inputs])
    for i, (x, rule) in enumerate(zip(inputs, node._vjps)):
        if rule is not None:
            share = rule(g, out, *args)
            old = grads.get(x)
            grads[x] = total = share if old is None else old + share
            if trace is not None:
                trace.append((node, i, share, total))
