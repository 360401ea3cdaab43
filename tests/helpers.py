"""Helpers shared by the test modules, each with one meaning: ``from helpers import assert_close``.

Comparing numbers:

- ``assert_close(ours, theirs)``: arrays (or torch tensors) equal to 1e-10 relative, 1e-12 absolute.
- ``assert_close_scaled(ours, theirs, rel, scale)``: same shape, and equal to ``rel`` relative,
  ``rel * scale`` absolute (the scale of the expected array unless given).
- ``rel_close(a, b, rel)``: two finite floats within ``rel`` of the larger of 1, |a| and |b|.
- ``ieee_close(a, b, rel)``: as ``rel_close``, and nan matches nan, an infinity only itself.
- ``same_floats(ours, theirs)``: same shape and equal to rounding (1e-12), nan equal to nan, inf to
  inf.
- ``assert_float_close(a, b, what)``: two floats equal to 1e-12 relative (or both nan), else fail
  naming ``what``.

Against torch (float64 unless said otherwise):

- ``against_torch(ours, theirs, arrays)``: a Tensor function's value and its gradients.
- ``against_torch_in_dtype(ours, theirs, x)``: the same in x's dtype (float32 or float64), the dtype
  kept and nothing non-finite.

Errors: ``raised_message(fn)``: the message of the error ``fn()`` raises.

Inputs: ``away_from_kinks(shape, lo, hi, rng, signs)``: values where finite differences are exact;
``HUGE`` and ``HUGE_ROWS``: points and rows at +-1e4 mixed with ordinary numbers; ``TIES``: rows
with tied entries; ``rosenbrock(x, y)``, a function to differentiate. The shape sweep of the Tensor
op tests: ``SHAPES``, the ``FAST``/``SLOW`` hypothesis settings, ``draw_array`` and its
``DOMAINS``.

Graphs to draw: ``shopping()``, ``neuron()``, ``mixed_graph()``, ``moons_step_graph()``; and
``HAVE_RENDERER`` / ``needs_renderer`` for the tests that lay out with Graphviz; ``edges``,
``influence_edges`` and ``node_ids`` read DOT text; ``array_graph()`` is a graph of ``ArrayNode``, a
node type of the shared protocol independent of tensor.py.
"""

from __future__ import annotations

import math
import re
import warnings
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import numpy as np
import pytest
import torch
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import autograd.drawing.layout as draw_layout
from autograd import Tensor, Value
from autograd.graph import Node

# --- comparing numbers ---------------------------------------------------------------------------


def assert_close(ours: Any, theirs: Any, rtol: float = 1e-10, atol: float = 1e-12) -> None:
    """``ours`` equals ``theirs`` elementwise to ``rtol`` relative and ``atol`` absolute.

    Either side may be a number, an array, a Tensor's data or a torch tensor (detached here).
    """
    if isinstance(theirs, torch.Tensor):
        theirs = theirs.detach().numpy()
    if isinstance(ours, torch.Tensor):
        ours = ours.detach().numpy()
    np.testing.assert_allclose(np.asarray(ours), np.asarray(theirs), rtol=rtol, atol=atol)


def assert_close_scaled(
    ours: Any, theirs: Any, rel: float, scale: float | None = None, what: str = ""
) -> None:
    """Same shape, and equal to ``rel`` relative and ``rel * scale`` absolute; ``scale`` defaults to the
    size of the expected array (at least 1), so entries that should be 0 are held to that size."""
    ours, theirs = np.asarray(ours, dtype=np.float64), np.asarray(theirs, dtype=np.float64)
    assert ours.shape == theirs.shape, f"{what}: shape {ours.shape}, expected {theirs.shape}"
    if scale is None:
        scale = max(1.0, float(np.abs(theirs).max(initial=0.0)))
    np.testing.assert_allclose(ours, theirs, rtol=rel, atol=rel * scale, err_msg=what)


def rel_close(a: float, b: float, rel: float) -> bool:
    """|a - b| is at most ``rel`` times the largest of 1, |a| and |b| (nan is close to nothing)."""
    return abs(a - b) <= rel * max(1.0, abs(a), abs(b))


def ieee_close(a: float, b: float, rel: float) -> bool:
    """``rel_close`` for finite floats; nan is close to nan only, an infinity to itself only."""
    if math.isnan(a) or math.isnan(b):
        return math.isnan(a) and math.isnan(b)
    if math.isinf(a) or math.isinf(b):
        return a == b
    return rel_close(a, b, rel)


def same_floats(ours: Any, theirs: Any) -> bool:
    """Equal to rounding, nan equal to nan and inf to inf."""
    a, b = np.asarray(ours, dtype=np.float64), np.asarray(theirs, dtype=np.float64)
    return a.shape == b.shape and bool(np.allclose(a, b, rtol=1e-12, atol=1e-300, equal_nan=True))


def assert_float_close(a: float, b: float, what: str, atol: float = 1e-14) -> None:
    """Two floats equal to 1e-12 relative and ``atol`` absolute, or both nan; else fail naming ``what``."""
    assert math.isclose(a, b, rel_tol=1e-12, abs_tol=atol) or (math.isnan(a) and math.isnan(b)), (what, a, b)


# --- errors --------------------------------------------------------------------------------------


def raised_message(fn) -> str:
    """The message of the ValueError, TypeError, IndexError or RuntimeError that ``fn()`` raises."""
    with pytest.raises((ValueError, TypeError, IndexError, RuntimeError)) as err:
        fn()
    return str(err.value)


# --- against torch -------------------------------------------------------------------------------


def against_torch(ours, theirs, arrays: list[np.ndarray], weights: np.ndarray | None = None) -> None:
    """f(x) and d/dx sum(w * f(x)) for each input x, graphgrad against torch (float64)."""
    leaves = [Tensor(a.copy(), requires_grad=True) for a in arrays]
    mine = ours(*leaves)
    tleaves = [torch.tensor(a, dtype=torch.float64, requires_grad=True) for a in arrays]
    theirs_out = theirs(*tleaves)
    assert isinstance(mine, Tensor)
    assert mine.shape == tuple(theirs_out.shape), (mine.shape, tuple(theirs_out.shape))
    assert mine.dtype == np.float64
    assert_close(mine.data, theirs_out.detach().numpy())
    w = np.linspace(-1.5, 2.0, mine.size).reshape(mine.shape) if weights is None else weights
    (mine * Tensor(w)).sum().backward()
    (theirs_out * torch.tensor(w)).sum().backward()
    for leaf, t in zip(leaves, tleaves):
        expected = np.zeros(t.shape) if t.grad is None else t.grad.numpy()
        got = np.zeros(leaf.shape) if leaf.grad is None else leaf.grad
        assert np.shape(got) == leaf.shape
        assert_close(got, expected)


TORCH_DTYPES = {np.float64: torch.float64, np.float32: torch.float32}


DTYPE_RTOL = {np.float64: 1e-12, np.float32: 2e-6}


@contextmanager
def no_warnings() -> Iterator[None]:
    """Any warning inside the block is an error."""
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        yield


def grad_seed(shape: tuple[int, ...], dtype: Any) -> np.ndarray:
    """A fixed, uneven upstream gradient (so a wrong sum over an axis shows)."""
    return np.asarray(np.arange(int(np.prod(shape))).reshape(shape) % 5 - 1.5, dtype=dtype)


def against_torch_in_dtype(
    ours: Callable[[Tensor], Tensor],
    theirs: Callable[[torch.Tensor], torch.Tensor],
    x: np.ndarray,
    finite: bool = True,
) -> None:
    """Value and gradient of ``ours`` on ``x`` equal torch's in x's dtype; dtype kept; no nan."""
    dtype = x.dtype.type
    t = Tensor(x.copy(), requires_grad=True)
    tt = torch.tensor(x, dtype=TORCH_DTYPES[dtype], requires_grad=True)
    with no_warnings():
        out = ours(t)
    tout = theirs(tt)
    seed = grad_seed(out.shape, dtype)
    with no_warnings():
        out.backward(seed)
    tout.backward(torch.from_numpy(seed))
    assert out.dtype == x.dtype and t.grad.dtype == x.dtype
    expected, expected_grad = tout.detach().numpy(), tt.grad.numpy()
    for got, want in ((out.data, expected), (t.grad, expected_grad)):
        sizes = np.abs(want[np.isfinite(want)])
        scale = max(1.0, float(sizes.max())) if sizes.size else 1.0  # (rounding near 0)
        np.testing.assert_allclose(got, want, rtol=DTYPE_RTOL[dtype], atol=DTYPE_RTOL[dtype] * scale)
    if finite:
        assert np.isfinite(out.data).all() and np.isfinite(t.grad).all()


# --- inputs and functions ------------------------------------------------------------------------


def away_from_kinks(
    shape: tuple[int, ...], lo: float, hi: float, rng: np.random.Generator, signs: str = "random"
) -> np.ndarray:
    """Values with |x| in [lo, hi] (plus up to 0.01), in random order and no ties: finite differences
    are exact enough there. ``signs="random"`` draws each sign; ``"every third"`` makes every third
    value negative."""
    n = int(np.prod(shape))
    mags = np.linspace(lo, hi, n) + rng.uniform(0, 0.01, n)
    if signs == "random":
        sign = np.where(rng.random(n) < 0.5, -1.0, 1.0)
    elif signs == "every third":
        sign = np.where(np.arange(n) % 3 == 1, -1.0, 1.0)
    else:
        raise ValueError(signs)
    return (rng.permutation(mags) * sign).reshape(shape)


HUGE = [-1e4, -50.0, -1.0, 0.0, 1.0, 50.0, 1e4]


HUGE_ROWS = [
    [1e4, 0.0, -1e4],
    [1e4, 1e4, 1e4],
    [-1e4, -1e4, -1e4],
    [-1e4, 1.0, 2.0],
    [1e4, 1e4 - 1, -3.0],
    [0.5, -0.5, 0.0],
]


TIES = np.array([[1.0, 1.0, 0.0], [0.0, 0.0, 0.0], [-2.0, 3.0, 3.0], [5.0, -1.0, 5.0]])


def rosenbrock(x, y):
    """The Rosenbrock function of two variables (minimum 0 at (1, 1))."""
    return (1.0 - x) ** 2 + 100.0 * (y - x * x) ** 2


# --- the shape sweep: shapes, hypothesis settings and value strategies of the Tensor op tests ----


SHAPES = [(), (2,), (3, 2), (1, 2), (2, 3, 4)]


def broadcastable(a: tuple[int, ...], b: tuple[int, ...]) -> bool:
    try:
        np.broadcast_shapes(a, b)
        return True
    except ValueError:
        return False


FAST = settings(max_examples=4, deadline=None, suppress_health_check=list(HealthCheck))


SLOW = settings(max_examples=3000, deadline=None, suppress_health_check=list(HealthCheck))


KINKS = [-1.0, -0.5, 0.0, 0.5, 1.0]


def reals(lo: float = -3.0, hi: float = 3.0) -> st.SearchStrategy[float]:
    return st.one_of(st.sampled_from(KINKS), st.floats(lo, hi, allow_nan=False, allow_subnormal=False))


def positives() -> st.SearchStrategy[float]:
    return st.one_of(st.sampled_from([0.5, 1.0, 2.0]), st.floats(0.2, 3.0))


def away_from_zero() -> st.SearchStrategy[float]:
    return st.one_of(st.sampled_from([-1.0, 0.5, 2.0]), st.floats(0.3, 3.0), st.floats(-3.0, -0.3))


def ties() -> st.SearchStrategy[float]:
    return st.sampled_from([-1.0, 0.0, 0.5, 1.0])


def wide() -> st.SearchStrategy[float]:
    """Either side of softplus's threshold (20) and the far tails of gelu, elu and erf."""
    return st.one_of(st.sampled_from([-30.0, 0.0, 19.5, 20.0, 20.5, 40.0]), st.floats(-40.0, 40.0))


DOMAINS = {"real": reals, "pos": positives, "nonzero": away_from_zero, "ties": ties, "wide": wide}


def draw_array(data: st.DataObject, shape: tuple[int, ...], domain: str = "real") -> np.ndarray:
    return data.draw(hnp.arrays(np.float64, shape, elements=DOMAINS[domain]()))


# --- graphs to draw ------------------------------------------------------------------------------


HAVE_RENDERER = draw_layout.find_renderer() is not None


needs_renderer = pytest.mark.skipif(not HAVE_RENDERER, reason="neither dot nor graphviz-pure is installed")


def shopping() -> dict[str, Value]:
    """The apple-and-orange example of "Deep Learning from Scratch", chapter 5."""
    apple, apple_num = Value(100.0, label="apple"), Value(2.0, label="apple_num")
    orange, orange_num = Value(150.0, label="orange"), Value(3.0, label="orange_num")
    tax = Value(1.1, label="tax")
    apple_price = apple * apple_num
    orange_price = orange * orange_num
    all_price = apple_price + orange_price
    price = all_price * tax
    return dict(locals())


def neuron() -> tuple[Value, ...]:
    x, w, b = Value(2.0, label="x"), Value(-3.0, label="w"), Value(6.88, label="b")
    y = (x * w + b).tanh()
    y.label = "y"
    return x, w, b, y


def mixed_graph() -> Value:
    a, b, c = Value(0.3, label="a"), Value(-1.2, label="b"), Value(2.0, label="c")
    s = a * b + c
    t = (s.tanh() * a - b**2 / c).relu() + s.exp() * s.sigmoid() - abs(b)
    return (t * t + a.log() * c).tanh()


def moons_step_graph(n: int = 100, seed: int = 0) -> tuple[Value, list[Value]]:
    """One training step of the classic moons demo: MLP 2-16-16-1, hinge loss + L2 (~65,000 nodes)."""
    import random

    rng = random.Random(seed)
    sizes = [2, 16, 16, 1]
    layers = [
        [([Value(rng.uniform(-1, 1)) for _ in range(nin)], Value(0.0)) for _ in range(nout)]
        for nin, nout in zip(sizes, sizes[1:])
    ]
    losses = []
    for i in range(n):
        h: list[Any] = [Value(rng.gauss(0, 1)), Value(rng.gauss(0, 1))]
        for k, layer in enumerate(layers):
            out = [sum((w * x for w, x in zip(ws, h)), b) for ws, b in layer]
            h = [o.relu() for o in out] if k < len(layers) - 1 else out
        losses.append((1 + -(1 if i % 2 else -1) * h[0]).relu())
    params = [p for layer in layers for ws, b in layer for p in [*ws, b]]
    loss = sum(losses) * (1.0 / n) + 1e-4 * sum(p * p for p in params)
    return loss, params


# --- reading DOT text; a graph of another Node type ----------------------------------------------


def edges(dot: str) -> list[tuple[str, str, str]]:
    """(tail, head, attributes) of every edge in DOT text."""
    return re.findall(r"^  (\w+) -> (\w+)(?: \[(.*)\])?;$", dot, flags=re.M)


def influence_edges(dot: str) -> set[tuple[str, str]]:
    """(tail, head) of the edges drawn as the influence chain."""
    return {(a, b) for a, b, attrs in edges(dot) if 'class="influence"' in attrs}


def node_ids(dot: str) -> dict[str, str]:
    """label -> node id, for nodes whose table starts with a bold label."""
    return dict((m[1], m[0]) for m in re.findall(r"^  (n\d+) \[label=<.*?<B>(.*?)</B>", dot, flags=re.M))


class ArrayNode(Node):
    """A Tensor-like node with the shared protocol (ndarray data), independent of tensor.py."""

    __slots__ = ("requires_grad",)

    def __init__(self, data: Any, inputs: tuple = (), vjps: tuple = (), op: str = "", label: str = "",
                 requires_grad: bool = False) -> None:  # fmt: skip
        self.data = np.asarray(data, dtype=np.float64)
        self.grad = None
        self._inputs, self._vjps, self._op, self.label = inputs, vjps, op, label
        self.requires_grad = requires_grad

    def _seed(self, grad: Any, create_graph: bool) -> Any:
        return np.ones_like(self.data) if grad is None else grad

    @staticmethod
    def _store_grads(grads: dict[Any, Any]) -> None:
        for node, g in grads.items():
            node.grad = g if node.grad is None else node.grad + g

    def __matmul__(self, o: ArrayNode) -> ArrayNode:
        rules = (lambda g, out, a, b: g @ b.T, lambda g, out, a, b: a.T @ g)
        return ArrayNode(self.data @ o.data, (self, o), rules, "matmul")

    def sum(self) -> ArrayNode:
        return ArrayNode(self.data.sum(), (self,), (lambda g, out, a: g * np.ones_like(a),), "sum")


def array_graph() -> tuple[ArrayNode, ArrayNode, ArrayNode]:
    x = ArrayNode([[1.0, 2.0, 3.0]], label="x")
    W = ArrayNode([[0.5, -0.5, 1.0], [0.0, 1.0, 2.0], [0.0, 0.25, -1.0]], label="W", requires_grad=True)
    L = (x @ W).sum()
    L.label = "L"
    return x, W, L
