"""The graph machinery that Value and Tensor share.

A node holds its ``data``, its ``grad``, the nodes it was computed from (``_inputs``), one
local-derivative rule per input (``_vjps``), the op's name and an optional ``label``. A rule is a
plain function ``rule(g, out, *inputs) -> gradient for its input``: ``g`` is the gradient arriving
at the node, ``out`` the node's own value. In an ordinary backward pass the rules run on raw
numbers (floats or ndarrays); under ``create_graph=True`` they run on the nodes themselves, so the
gradients they return are nodes too and can be differentiated again.

A node never refers to its children and no rule refers to the node it belongs to, so a graph has
no reference cycles: dropping the last reference to the root frees it by reference counting.

Value, the hot scalar case, keeps its one or two inputs in two slots (``_a``, ``_b``) rather than
in a tuple, so each op makes one object for Python's cyclic collector to track instead of two;
its ``_inputs`` is a property. Its ordinary backward pass has a loop of its own that reads those
slots directly (``_pair_order``, ``_pair_backward``); every other pass uses the general loop.

>>> from autograd import Value
>>> x = Value(3.0)
>>> y = x * x + x
>>> y.backward()
>>> x.grad
7.0
"""

from __future__ import annotations

import gc
import threading
from collections.abc import Callable, Sequence
from contextlib import ContextDecorator
from typing import Any

Rule = Callable[..., Any]


class Node:
    """The fields every graph node has; Value and Tensor add their ops on top."""

    __slots__ = ("data", "grad", "_inputs", "_vjps", "_op", "label", "__weakref__")

    _pair = False  # True where the inputs live in the slots ``_a`` and ``_b`` (Value)

    data: Any
    grad: Any
    _inputs: tuple[Node, ...]
    _vjps: Sequence[Rule | None]
    _op: str
    label: str

    def _store_grad(self, g: Any) -> None:
        """Add the gradient of a finished backward pass to this node's ``.grad``."""
        raise NotImplementedError

    def backward(self, grad: Any = None, create_graph: bool = False) -> None:
        """Fill in ``.grad`` of every node this one was computed from."""
        raise NotImplementedError


class _GradMode(threading.local):
    """Per-thread switches that every op consults when it records its result."""

    enabled = True


grad_mode = _GradMode()

# How many ``no_grad`` blocks are open, over all threads: while there are none, every thread
# records graphs and ops need not look up their thread's switch (a thread-local read costs about
# as much as the rest of recording a node). Only ``no_grad`` turns the switch off.
no_grad_blocks = [0]
_blocks_lock = threading.Lock()


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
        with _blocks_lock:
            no_grad_blocks[0] += 1
        grad_mode.enabled = False

    def __exit__(self, *exc: object) -> None:
        grad_mode.enabled = self._previous
        with _blocks_lock:
            no_grad_blocks[0] -= 1


def pass_through(g: Any, out: Any, *inputs: Any) -> Any:
    """The rule of an input whose gradient is the arriving one unchanged (both inputs of ``+``).

    Backward passes on raw numbers recognise it and skip the call.
    """
    return g


def topological_order(root: Node) -> list[Node]:
    """Every node ``root`` depends on, ``root`` first, each before the nodes it was made from.

    A depth-first search with an explicit stack, so graphs a million nodes deep are fine. An
    expanded node goes back on the stack under a ``_FINISHED`` marker: popping the marker means
    every input of the node is in ``order`` by now.

    >>> from autograd import Value
    >>> x = Value(2.0, label="x")
    >>> [n.label or n._op for n in topological_order(x * x + 1)]  # the constant 1 has no label
    ['+', '*', 'x', '']
    """
    if type(root)._pair:
        return _pair_order(root)
    order: list[Node] = []
    expanded: set[Node] = set()
    stack: list[Any] = [root]
    push, pop, mark, finish = stack.append, stack.pop, expanded.add, order.append
    while stack:
        node = pop()
        if node is _FINISHED:
            finish(pop())
        elif node not in expanded:  # (a node can be pushed twice, but is expanded once)
            mark(node)
            push(node)
            push(_FINISHED)
            for parent in node._inputs:
                if parent not in expanded:
                    push(parent)
    order.reverse()
    return order


def _pair_order(root: Any) -> list[Any]:
    """``topological_order`` for nodes that keep their inputs in the slots ``_a`` and ``_b``: the
    same search, reading the slots instead of building an ``_inputs`` tuple per node."""
    order: list[Any] = []
    expanded: set[Any] = set()
    stack: list[Any] = [root]
    push, pop, mark, finish = stack.append, stack.pop, expanded.add, order.append
    while stack:
        node = pop()
        if node is _FINISHED:
            finish(pop())
        elif node not in expanded:  # (a node can be pushed twice, but is expanded once)
            mark(node)
            push(node)
            push(_FINISHED)
            a, b = node._a, node._b
            if b is not None:  # two inputs
                if a not in expanded:
                    push(a)
                if b not in expanded:
                    push(b)
            elif a is not None:
                if type(a) is tuple:  # more than two inputs
                    for x in a:
                        if x not in expanded:
                            push(x)
                elif a not in expanded:  # one input
                    push(a)
    order.reverse()
    return order


_FINISHED = object()


def run_backward(root: Node, seed: Any, create_graph: bool = False) -> None:
    """The backward pass: push ``seed`` from ``root`` to every node it was computed from.

    Gradients of the pass live in a dict keyed by node and are written out only at the end, so
    an error half-way changes no ``.grad``. With ``create_graph`` the rules run on the nodes, so
    the gradients written out are nodes as well (differentiable again); otherwise they run on
    the raw data, one or two inputs at a time on the fast path.

    Python's cyclic garbage collector is kept out of the loop: the pass allocates many
    short-lived containers and creates no cycles, yet each allocation burst would trigger
    collector passes that scan the whole (cycle-free) graph. (Switched inline rather than with a
    context manager: this loop runs once per training step, right after cache-clearing GEMMs.)
    """
    collector_was_on = gc.isenabled()
    gc.disable()
    try:
        if type(root)._pair and not create_graph:
            _pair_backward(root, seed)
            return
        grads = {root: seed}
        get = grads.get
        for node in topological_order(root):
            inputs = node._inputs
            g = get(node)
            if g is None or not inputs:  # a leaf, or reached only through inputs needing no gradient
                continue
            if create_graph:
                for x, vjp in zip(inputs, node._vjps):
                    if vjp is not None:
                        gx = vjp(g, node, *inputs)
                        old = get(x)
                        grads[x] = gx if old is None else old + gx
                continue
            out = node.data
            if len(inputs) == 1:  # fast path: unary ops
                a = inputs[0]
                rule = node._vjps[0]
                if rule is not None:
                    ga = rule(g, out, a.data)
                    old = get(a)
                    grads[a] = ga if old is None else old + ga
            elif len(inputs) == 2:  # fast path: binary ops
                a, b = inputs
                rule_a, rule_b = node._vjps
                if rule_a is not None:
                    ga = rule_a(g, out, a.data, b.data)
                    old = get(a)
                    grads[a] = ga if old is None else old + ga
                if rule_b is not None:
                    gb = rule_b(g, out, a.data, b.data)
                    old = get(b)
                    grads[b] = gb if old is None else old + gb
            else:
                _send_to_inputs(grads, node, inputs, g)
        for node, g in grads.items():
            node._store_grad(g)
    finally:
        if collector_was_on:
            gc.enable()


def _send_to_inputs(grads: dict[Any, Any], node: Node, inputs: Sequence[Node], g: Any) -> None:
    """Add each input's share of ``g`` (its rule run on raw data) to ``grads``: any number of inputs."""
    out, args = node.data, [x.data for x in inputs]
    for x, vjp in zip(inputs, node._vjps):
        if vjp is not None:
            gx = vjp(g, out, *args)
            old = grads.get(x)
            grads[x] = gx if old is None else old + gx


def _pair_backward(root: Any, seed: Any) -> None:
    """``run_backward`` on raw numbers for nodes keeping their inputs in ``_a`` and ``_b``."""
    grads = {root: seed}
    get = grads.get
    for node in _pair_order(root):
        a, b = node._a, node._b
        if a is None:  # a leaf
            continue
        g = get(node)
        if g is None:  # reached only through inputs needing no gradient
            continue
        if b is not None:  # binary ops
            rule_a, rule_b = node._vjps
            out, da, db = node.data, a.data, b.data
            if rule_a is not None:
                ga = g if rule_a is pass_through else rule_a(g, out, da, db)
                old = get(a)
                grads[a] = ga if old is None else old + ga
            if rule_b is not None:
                gb = g if rule_b is pass_through else rule_b(g, out, da, db)
                old = get(b)
                grads[b] = gb if old is None else old + gb
        elif type(a) is not tuple:  # unary ops
            rule = node._vjps[0]
            if rule is not None:
                ga = g if rule is pass_through else rule(g, node.data, a.data)
                old = get(a)
                grads[a] = ga if old is None else old + ga
        else:  # ops with more than two inputs
            _send_to_inputs(grads, node, a, g)
    for node, g in grads.items():
        node.grad += g  # (Value._store_grad, without a call per node)
