"""Memory: training keeps RSS flat, graphs are freed by reference counting alone, errors leak nothing.

- 1,000 training steps of a Tensor MLP (Sequential of Linear, Adam, cross-entropy) and of a Value
  MLP (``nn.MLP``, a few samples, SGD): after a warm-up the resident set size grows by less than
  a few MB (a leaked graph per step would add tens of MB). A control test keeps every loss alive
  and checks that the same measurement does see that leak.
- With the cyclic collector off, a training step leaves nothing behind: weak references to its
  nodes are dead as soon as the step's names go out of scope, ``gc.collect()`` then finds no
  unreachable objects, and ``gc.get_objects()`` holds no more graph nodes than before the step.
- A forward pass that raises half-way (a shape mismatch, a bad operand) frees the graph it had
  built as soon as the exception is handled.

RSS comes from /proc/self/statm (Linux).
"""

from __future__ import annotations

import gc
import os
import weakref
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import numpy as np
import pytest

from autograd import Tensor, Value
from autograd.graph import Node, topological_order
from nn import MLP, SGD, Adam, Linear, ReLU, Sequential, cross_entropy, mse_loss

MB = 1 << 20
TOLERANCE = 4 * MB  # allocator noise is well under this; a leaked graph per step is far above it

pytestmark = pytest.mark.skipif(not os.path.exists("/proc/self/statm"), reason="RSS via /proc (Linux)")


def rss() -> int:
    """Resident set size of this process in bytes."""
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


@contextmanager
def collector_off() -> Iterator[None]:
    """Only reference counting frees memory inside (what the graph must be enough for)."""
    gc.collect()
    was_on = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_on:
            gc.enable()


def growth(step: Callable[[], Any], steps: int = 1000, warmup: int = 100) -> int:
    """RSS after ``steps`` calls of ``step`` minus RSS after ``warmup`` calls."""
    for _ in range(warmup):
        step()
    gc.collect()
    before = rss()
    for _ in range(steps):
        step()
    gc.collect()
    return rss() - before


def tensor_setup() -> tuple[Sequential, Any, np.ndarray, np.ndarray]:
    rng = np.random.default_rng(0)
    model = Sequential(Linear(2, 64, seed=0), ReLU(), Linear(64, 64, seed=1), ReLU(), Linear(64, 3, seed=2))
    opt = Adam(model.parameters(), lr=1e-3)
    X = rng.normal(size=(128, 2))
    y = rng.integers(0, 3, size=128)
    return model, opt, X, y


def tensor_step(model: Sequential, opt: Any, X: np.ndarray, y: np.ndarray) -> Tensor:
    opt.zero_grad()
    loss = cross_entropy(model(Tensor(X)), y)
    loss.backward()
    opt.step()
    return loss


def value_setup() -> tuple[MLP, Any, list[list[float]], list[float]]:
    model = MLP(2, [8, 8, 1], seed=0)
    opt = SGD(model.parameters(), lr=0.01)
    xs = [[0.5, -1.0], [1.5, 0.25], [-0.5, 2.0]]
    ys = [1.0, -1.0, 0.5]
    return model, opt, xs, ys


def value_step(model: MLP, opt: Any, xs: list[list[float]], ys: list[float]) -> Value:
    opt.zero_grad()
    loss = mse_loss([model(x) for x in xs], ys)
    loss.backward()
    opt.step()
    return loss


# --- RSS stays flat ------------------------------------------------------------------------------


def test_tensor_mlp_training_keeps_rss_flat() -> None:
    model, opt, X, y = tensor_setup()
    grown = growth(lambda: tensor_step(model, opt, X, y))
    assert grown < TOLERANCE, f"RSS grew by {grown / MB:.1f} MB over 1,000 Tensor steps"


def test_value_mlp_training_keeps_rss_flat() -> None:
    model, opt, xs, ys = value_setup()
    grown = growth(lambda: value_step(model, opt, xs, ys))
    assert grown < TOLERANCE, f"RSS grew by {grown / MB:.1f} MB over 1,000 Value steps"


def test_the_measurement_sees_a_leak() -> None:
    """Control: keeping every step's loss (and so its whole graph) alive shows up clearly."""
    model, opt, X, y = tensor_setup()
    kept: list[Tensor] = []
    grown = growth(lambda: kept.append(tensor_step(model, opt, X, y)), steps=300, warmup=10)
    assert grown > 3 * TOLERANCE, f"a leak of 300 graphs grew RSS by only {grown / MB:.1f} MB"


# --- no cycles: reference counting frees every step --------------------------------------------


def _graph_nodes() -> int:
    """Graph nodes (nodes made by an op) the collector can see right now.

    (``type(o)``, not ``isinstance``: that would look up ``__class__`` on every object, and some of
    torch's module proxies warn when touched.)
    """
    return sum(1 for o in gc.get_objects() if issubclass(type(o), Node) and o._inputs)


def _refs(root: Node) -> list[weakref.ref[Node]]:
    return [weakref.ref(n) for n in topological_order(root) if n._inputs]


@pytest.mark.parametrize("kind", ["tensor", "value"])
def test_a_training_step_is_freed_without_the_collector(kind: str) -> None:
    setup, step = (tensor_setup, tensor_step) if kind == "tensor" else (value_setup, value_step)
    args = setup()
    step(*args)  # warm up: optimizer state, caches
    with collector_off():
        nodes_before = _graph_nodes()
        loss = step(*args)
        refs = _refs(loss)
        assert len(refs) > 5
        del loss
        alive = sum(r() is not None for r in refs)
        assert alive == 0, f"{alive} of {len(refs)} nodes of a finished step are still alive"
        assert _graph_nodes() == nodes_before
        assert gc.collect() == 0, "the collector found unreachable objects: a reference cycle"
        assert gc.garbage == []


def test_create_graph_gradients_are_freed_without_the_collector() -> None:
    """Second-order graphs (gradients that are nodes) hold no cycles either."""
    x = Tensor(np.array([0.5, -1.0, 2.0]), requires_grad=True)
    with collector_off():
        y = ((x * x).tanh() * x).sum()
        y.backward(create_graph=True)
        g = x.grad
        refs = _refs(g) + _refs(y)
        (g * g).sum().backward()
        del y, g
        x.zero_grad()
        assert sum(r() is not None for r in refs) == 0
        assert gc.collect() == 0


# --- a forward pass that raises leaks nothing ----------------------------------------------------


def _raises_half_way(forward: Callable[[list[weakref.ref[Node]]], Any]) -> list[weakref.ref[Node]]:
    refs: list[weakref.ref[Node]] = []
    try:
        forward(refs)
    except (ValueError, TypeError):
        pass
    else:
        raise AssertionError("the forward pass was meant to raise")
    return refs


def test_tensor_forward_that_raises_leaks_nothing() -> None:
    x = Tensor(np.ones((4, 3)), requires_grad=True)

    def forward(refs: list[weakref.ref[Node]]) -> Any:
        h = (x * 2).tanh().sum(axis=0)
        refs.append(weakref.ref(h))
        return h @ Tensor(np.ones((4, 2)))  # inner sizes 3 and 4: ValueError

    with collector_off():
        refs = _raises_half_way(forward)
        assert refs[0]() is None
        assert gc.collect() == 0


def test_value_forward_that_raises_leaks_nothing() -> None:
    x = Value(1.5)

    def forward(refs: list[weakref.ref[Node]]) -> Any:
        h = (x * 2).tanh() + x
        refs.append(weakref.ref(h))
        return h * "two"  # TypeError

    with collector_off():
        refs = _raises_half_way(forward)
        assert refs[0]() is None
        assert gc.collect() == 0


def test_model_forward_that_raises_leaks_nothing() -> None:
    """A layer-size mismatch in the middle of a Sequential: the first layers' outputs are freed."""
    model = Sequential(Linear(2, 8, seed=0), ReLU(), Linear(5, 3, seed=1))

    def forward(refs: list[weakref.ref[Node]]) -> Any:
        return model(Tensor(np.ones((4, 2))))  # (4, 8) meets a layer that expects 5 features

    with collector_off():
        before = _graph_nodes()
        _raises_half_way(forward)
        assert _graph_nodes() == before
        assert gc.collect() == 0
