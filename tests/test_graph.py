"""The graph machinery Value and Tensor share (autograd/graph.py): one backward loop (seeds,
accumulation, errors in a rule, no recursion), the topological order, no_grad, freeing by
reference counting, PyTorch's rules for which nodes keep .grad, create_graph to higher orders
(Tensor ops checked with gradcheck and against torch's second derivatives), and the checks on
recorded rules."""

from __future__ import annotations

import gc
import threading
import weakref
from typing import Any

import numpy as np
import pytest
import torch
from helpers import away_from_kinks
from hypothesis import given, settings
from hypothesis import strategies as st

import nn
from autograd import Tensor, Value, concatenate, detect_anomaly, gradcheck, no_grad, record, stack, where
from autograd.elementwise import EXP
from autograd.graph import on_node_made, switches_on, topological_order, with_collector_paused
from nn.losses import cross_entropy

RNG = np.random.default_rng(0)


# --- gradcheck on each op ------------------------------------------------------------------------

GRADCHECK_UNARY = {
    "neg": lambda x: -x,
    "exp": lambda x: x.exp(),
    "log": lambda x: x.abs().log(),
    "tanh": lambda x: x.tanh(),
    "sigmoid": lambda x: x.sigmoid(),
    "relu": lambda x: x.relu(),
    "abs": lambda x: abs(x),
    "sqrt": lambda x: abs(x).sqrt(),
    "clip": lambda x: x.clip(-1.0, 1.0),
    "pow": lambda x: x**3 + abs(x) ** 0.5 + x**-2,
    "rpow": lambda x: 3.0**x,
    "div": lambda x: 1 / x + x / 3,
    "sum": lambda x: x.sum(axis=0),
    "mean": lambda x: x.mean(axis=(0, 1), keepdims=True),
    "max": lambda x: x.max(axis=-1),
    "min": lambda x: x.min(),
    "logsumexp": lambda x: x.logsumexp(axis=1),
    "softmax": lambda x: x.softmax(axis=0),
    "log_softmax": lambda x: x.log_softmax(axis=-1),
    "reshape": lambda x: x.reshape(3, -1),
    "transpose": lambda x: x.transpose(2, 0, 1),
    "squeeze_unsqueeze": lambda x: x.unsqueeze(1).squeeze(1),
    "flatten": lambda x: x.flatten(1),
    "broadcast_to": lambda x: x[:, :1].broadcast_to((2, 3, 4)),
    "index": lambda x: x[[0, 0, 1], 1:, np.array([3, 3, 0])],
    "mask": lambda x: x[x.data > 0],
    "maximum": lambda x: x.maximum(0.1),
    "minimum": lambda x: x.minimum(x * 0.5),
    "concatenate": lambda x: concatenate([x, x * 2], axis=1),
    "stack": lambda x: stack([x, x.exp()], axis=-1),
    "where": lambda x: where(x.data > 0, x, x * x),
    "matmul": lambda x: x @ x.swapaxes(1, 2),
}


@pytest.mark.parametrize("name", list(GRADCHECK_UNARY))
def test_gradcheck_each_op(name: str) -> None:
    f = GRADCHECK_UNARY[name]
    x = away_from_kinks((2, 3, 4), 0.2, 2.0, RNG)
    w = np.linspace(-1.0, 1.0, f(Tensor(x)).size)
    gradcheck(lambda t: (f(t).reshape(-1) * Tensor(w)).sum(), x)


def test_gradcheck_binary_broadcasting_and_matmul() -> None:
    a, b = away_from_kinks((3, 1), 0.2, 2.0, RNG), away_from_kinks((2, 1, 4), 0.2, 2.0, RNG)
    gradcheck(lambda x, y: ((x * y + x / y - y**2) * (x - y).tanh()).sum(), a, b)
    gradcheck(lambda x, y: (abs(x) ** y).sum(), a, b)
    m, v = away_from_kinks((2, 3, 4), 0.2, 2.0, RNG), away_from_kinks((4,), 0.2, 2.0, RNG)
    gradcheck(lambda x, y: ((x @ y) ** 2).sum(), m, v)
    gradcheck(
        lambda x, y: cross_entropy(x @ y.reshape(4, 1).broadcast_to((4, 3)), np.array([0, 2, 1])), m[0], v
    )


def test_astype_gradient_comes_back_in_the_inputs_dtype() -> None:
    x = Tensor(np.array([1.0, 2.0]), requires_grad=True)
    y = x.astype(np.float32)
    assert y.dtype == np.float32 and x.astype("float64") is x
    (y * y).sum().backward()
    assert x.grad.dtype == np.float64
    np.testing.assert_allclose(x.grad, [2.0, 4.0])
    with pytest.raises(TypeError, match="floats"):
        x.astype(int)


# --- second derivatives against torch ----------------------------------------------------------


def hvp_ours(f, arrays: list[np.ndarray], vs: list[np.ndarray]) -> list[np.ndarray]:
    leaves = [Tensor(a.copy(), requires_grad=True) for a in arrays]
    y = f(*leaves)
    y.backward(create_graph=True)
    grads = [x.grad for x in leaves]
    for x in leaves:
        x.zero_grad()
    terms = [(g * v).sum() for g, v in zip(grads, vs) if isinstance(g, Tensor) and g.requires_grad]
    if terms:
        total = terms[0]
        for t in terms[1:]:
            total = total + t
        total.backward()
    return [np.zeros(x.shape) if x.grad is None else np.asarray(x.grad) for x in leaves]


def hvp_torch(f, arrays: list[np.ndarray], vs: list[np.ndarray]) -> list[np.ndarray]:
    leaves = [torch.tensor(a, dtype=torch.float64, requires_grad=True) for a in arrays]
    y = f(*leaves)
    grads = torch.autograd.grad(y, leaves, create_graph=True, allow_unused=True)
    terms = [(g * torch.tensor(v)).sum() for g, v in zip(grads, vs) if g is not None and g.requires_grad]
    if not terms:
        return [np.zeros(a.shape) for a in arrays]
    hv = torch.autograd.grad(sum(terms), leaves, allow_unused=True)
    return [np.zeros(a.shape) if h is None else h.numpy() for h, a in zip(hv, arrays)]


W34 = np.linspace(-1, 1, 12).reshape(3, 4)
T34 = torch.tensor(W34)
HVP_CASES = {
    "exp_log": (lambda x: (x.exp() + abs(x).log()).sum(), lambda x: (x.exp() + x.abs().log()).sum()),
    "tanh_sigmoid": (
        lambda x: (x.tanh() * x.sigmoid()).sum(),
        lambda x: (x.tanh() * x.sigmoid()).sum(),
    ),
    "pow_sqrt_div": (
        lambda x: (x**3 + abs(x).sqrt() + 1 / x + abs(x) ** 1.5).sum(),
        lambda x: (x**3 + x.abs().sqrt() + 1 / x + x.abs() ** 1.5).sum(),
    ),
    "softmax": (lambda x: (x.softmax(1) * W34).sum(), lambda x: (torch.softmax(x, 1) * T34).sum()),
    "log_softmax": (
        lambda x: (x.log_softmax(0) * W34).sum(),
        lambda x: (torch.log_softmax(x, 0) * T34).sum(),
    ),
    "logsumexp": (lambda x: x.logsumexp(axis=1).sum(), lambda x: torch.logsumexp(x, 1).sum()),
    "mean_max": (
        lambda x: (x * x).mean() + x.max(axis=0).sum() ** 2,
        lambda x: (x * x).mean() + x.amax(0).sum() ** 2,
    ),
    "relu_abs_clip": (
        lambda x: ((x.relu() + abs(x) + x.clip(-0.5, 0.5)) ** 2).sum(),
        lambda x: ((x.relu() + x.abs() + x.clamp(-0.5, 0.5)) ** 2).sum(),
    ),
    "shapes_and_index": (
        lambda x: (x.T.reshape(2, 6)[:, [0, 0, 3]] ** 2).sum() * x[1:].sum(),
        lambda x: (x.T.reshape(2, 6)[:, [0, 0, 3]] ** 2).sum() * x[1:].sum(),
    ),
    "matmul": (lambda x: ((x @ x.T) ** 2).sum(), lambda x: ((x @ x.T) ** 2).sum()),
    "concat_stack_where": (
        lambda x: (
            (concatenate([x, x * x], 1).sum(0) ** 2).sum()
            + (stack([x, x.exp()]) * where(x.data > 0, x, 0.0)).sum()
        ),
        lambda x: (
            (torch.cat([x, x * x], 1).sum(0) ** 2).sum()
            + (torch.stack([x, x.exp()]) * torch.where(x > 0, x, torch.zeros((), dtype=torch.float64))).sum()
        ),
    ),
    "cross_entropy": (
        lambda x: cross_entropy(x * x, np.array([0, 3, 3])),
        lambda x: torch.nn.functional.cross_entropy(x * x, torch.tensor([0, 3, 3])),
    ),
}


@pytest.mark.parametrize("name", list(HVP_CASES))
def test_hessian_vector_products_against_torch(name: str) -> None:
    ours, theirs = HVP_CASES[name]
    x = away_from_kinks((3, 4), 0.3, 1.5, RNG)
    v = np.linspace(0.5, -1.0, 12).reshape(3, 4)
    for got, expected in zip(hvp_ours(ours, [x], [v]), hvp_torch(theirs, [x], [v])):
        np.testing.assert_allclose(got, expected, rtol=1e-10, atol=1e-12)


BINARY_HVP = {
    "arith": (lambda a, b: ((a * b + a / b - b**2) * (a - b).exp()).sum(), None),
    "pow": (lambda a, b: (abs(a) ** b).sum(), lambda a, b: (a.abs() ** b).sum()),
    "maximum": (
        lambda a, b: (a.maximum(b) ** 2 + a.minimum(b) * a).sum(),
        lambda a, b: (torch.maximum(a, b) ** 2 + torch.minimum(a, b) * a).sum(),
    ),
    "matmul_batched": (lambda a, b: ((a @ b) ** 2).sum(), None),
}


@pytest.mark.parametrize("name", list(BINARY_HVP))
def test_hessian_vector_products_of_two_inputs(name: str) -> None:
    ours, theirs = BINARY_HVP[name]
    theirs = theirs or ours
    if name == "matmul_batched":
        a, b = away_from_kinks((2, 3, 4), 0.2, 2.0, RNG), away_from_kinks((4, 2), 0.2, 2.0, RNG)
    else:
        a, b = away_from_kinks((3, 1), 0.2, 2.0, RNG), away_from_kinks((2, 1, 4), 0.2, 2.0, RNG)
    va, vb = np.cos(np.arange(a.size)).reshape(a.shape), np.sin(np.arange(b.size)).reshape(b.shape)
    for got, expected in zip(hvp_ours(ours, [a, b], [va, vb]), hvp_torch(theirs, [a, b], [va, vb])):
        np.testing.assert_allclose(got, expected, rtol=1e-10, atol=1e-12)


def test_third_derivative_through_create_graph() -> None:
    x = Tensor(np.array([0.5, -1.0, 2.0]), requires_grad=True)
    (x**4).sum().backward(create_graph=True)
    g1 = x.grad
    x.zero_grad()
    g1.sum().backward(create_graph=True)
    g2 = x.grad
    x.zero_grad()
    g2.sum().backward()
    np.testing.assert_allclose(x.grad, 24 * x.data)


def test_create_graph_gradients_are_tensors_in_the_tensors_dtype() -> None:
    x = Tensor(np.array([1.0, 2.0], dtype=np.float32), requires_grad=True)
    (x * x).sum().backward(create_graph=True)
    assert isinstance(x.grad, Tensor) and x.grad.dtype == np.float32 and x.grad.requires_grad


# --- which nodes keep .grad, accumulation, aliasing ------------------------------------------------


def test_only_leaves_and_retained_nodes_keep_grad() -> None:
    x = Tensor([1.0, 2.0], requires_grad=True)
    c = Tensor([3.0, 4.0])
    h = x * c
    k = h.exp()
    assert k.retain_grad() is k
    k.sum().backward()
    assert h.grad is None and c.grad is None
    np.testing.assert_allclose(k.grad, [1.0, 1.0])
    np.testing.assert_allclose(x.grad, c.data * np.exp(x.data * c.data))
    assert x.is_leaf and not h.is_leaf


def test_retain_grad_needs_requires_grad() -> None:
    with pytest.raises(RuntimeError, match="does not require grad"):
        Tensor([1.0]).retain_grad()


def test_gradients_accumulate_and_zero_grad_resets() -> None:
    x = Tensor([1.0, -2.0], requires_grad=True)
    y = (x * x * 3).sum()
    y.backward()
    first = x.grad.copy()
    y.backward()  # the same graph again: exactly the same increment
    np.testing.assert_array_equal(x.grad, 2 * first)
    x.zero_grad()
    assert x.grad is None
    y.backward()
    np.testing.assert_array_equal(x.grad, first)


def test_stored_gradients_are_writable_and_never_shared() -> None:
    a = Tensor([1.0, 2.0], requires_grad=True)
    b = Tensor([3.0, 4.0], requires_grad=True)
    (a + b).sum().backward()  # both get the very same upstream array
    assert a.grad is not b.grad and not np.shares_memory(a.grad, b.grad)
    a.grad *= 10  # an optimizer may update in place
    np.testing.assert_array_equal(b.grad, [1.0, 1.0])
    x = Tensor(np.ones((2, 3)), requires_grad=True)
    x.sum().backward()  # a broadcast view upstream: stored as a writable copy of x's shape
    assert x.grad.flags.writeable and x.grad.flags.owndata and x.grad.shape == (2, 3)
    seed = np.array([1.0, 1.0])
    z = Tensor([5.0, 6.0], requires_grad=True)
    z.backward(seed)
    assert not np.shares_memory(z.grad, seed)


def test_constant_inputs_get_no_rule_and_no_gradient_work() -> None:
    X = Tensor(np.ones((4, 3)))
    W = Tensor(np.ones((3, 2)), requires_grad=True)
    out = X @ W
    assert out._vjps[0] is None and out._vjps[1] is not None  # never computes dX = g @ W.T
    out.sum().backward()
    assert X.grad is None
    np.testing.assert_array_equal(W.grad, np.full((3, 2), 4.0))


def test_no_graph_without_requires_grad_or_under_no_grad() -> None:
    a, b = Tensor([1.0, 2.0]), Tensor([3.0, 4.0])
    c = (a * b).exp().sum()
    assert c._inputs == () and not c.requires_grad
    x = Tensor([1.0, 2.0], requires_grad=True)
    with no_grad():
        y = (x * 2).tanh().sum()
        z = concatenate([x, x])[np.array([True, False, False, True])]
    assert y._inputs == () and not y.requires_grad and z._inputs == ()
    with pytest.raises(RuntimeError, match="no_grad"):
        y.backward()

    @no_grad()
    def f(t: Tensor) -> Tensor:
        return t * t

    assert f(x)._inputs == ()
    assert (x * 2)._inputs  # switched back on


def test_detach_cuts_the_graph_on_purpose() -> None:
    x = Tensor([1.0, 2.0], requires_grad=True)
    d = (x * 2).detach()
    assert d._inputs == () and not d.requires_grad
    (x * d).sum().backward()
    np.testing.assert_array_equal(x.grad, [2.0, 4.0])


def test_dropped_graph_is_freed_by_reference_counting() -> None:
    gc.collect()
    gc.disable()
    try:
        W = Tensor(np.ones((3, 2)), requires_grad=True)
        x = Tensor(np.ones((4, 3)))
        out = cross_entropy(
            ((x @ W).relu() * 2).softmax(1).log() @ Tensor(np.ones((2, 3))), np.array([0, 1, 2, 0])
        )
        out.backward()
        nodes = [n for n in topological_order(out) if n is not W and n is not x]
        refs = [weakref.ref(n) for n in nodes]
        grad_ref = weakref.ref(W.grad)
        del out, nodes
        assert all(r() is None for r in refs)
        assert grad_ref() is not None  # the leaf keeps its gradient
        y = (W[[0, 0]] * 3).sum() + concatenate([W, W]).max() + where(W.data > 0, W, 0.0).mean()
        y.backward()
        refs = [weakref.ref(n) for n in topological_order(y) if n is not W]
        del y
        assert all(r() is None for r in refs)
    finally:
        gc.enable()


def test_backward_creates_nothing_for_the_collector() -> None:
    gc.collect()
    W = Tensor(np.ones((3, 3)), requires_grad=True)
    h = Tensor(np.ones((2, 3)))
    for _ in range(50):
        h = (h @ W).tanh() + h[:, [2, 0, 1]]
    h.sum().backward()
    del h
    assert gc.collect() == 0


# --- backward() arguments -------------------------------------------------------------------------


def test_backward_seed() -> None:
    x = Tensor([1.0, 2.0], requires_grad=True)
    (x * 3).backward(np.array([1.0, -1.0]))
    np.testing.assert_array_equal(x.grad, [3.0, -3.0])
    y = Tensor([[2.0]], requires_grad=True)
    (y * y).backward()  # one element: the seed is 1 whatever the shape
    np.testing.assert_array_equal(y.grad, [[4.0]])
    z = Tensor(2.0, requires_grad=True)
    (z * z).backward(Tensor(0.5))
    assert z.grad == 2.0


def test_backward_errors() -> None:
    x = Tensor(np.ones(4), requires_grad=True)
    with pytest.raises(
        RuntimeError, match=r"backward\(\) needs a scalar output or an explicit grad; got shape \(4,\)"
    ):
        (x * 2).backward()
    with pytest.raises(ValueError, match=r"grad has shape \(3,\) but the tensor has shape \(4,\)"):
        (x * 2).backward(np.ones(3))
    with pytest.raises(RuntimeError, match="does not require grad"):
        Tensor(np.ones(3)).sum().backward()
    with pytest.raises(TypeError, match="string"):
        (x * 2).backward(np.array(["a"] * 4))


def test_ops_keep_their_parameters_for_drawings_and_exporters() -> None:
    x = Tensor(np.arange(6.0).reshape(2, 3), requires_grad=True)
    assert x.sum(axis=1, keepdims=True)._attrs == {"axis": (1,), "keepdims": True}
    assert x.transpose()._attrs == {"axes": (1, 0)}
    assert x.swapaxes(0, 1)._attrs == {"axes": (1, 0)}  # a composition: the transpose
    assert x.reshape(3, 2)._attrs == {"shape": (3, 2)}
    assert x.softmax(axis=0)._attrs == {"axis": 0}
    assert x.clip(0.0, None)._attrs == {"lo": 0.0, "hi": None}
    assert concatenate([x, x], axis=1)._attrs == {"axis": 1}
    assert (x + 1)._attrs is None and x._attrs is None


# --- ops of one's own (record): their rules' results are checked ------------------------------


def _grow(x: Tensor, share_shape: tuple[int, ...]) -> Tensor:
    """An op made with record whose rule returns a share of ``share_shape`` whatever x's shape."""
    from autograd import record

    return record(x.data * 2, (x,), (lambda g, out, a: np.ones(share_shape),), "grow")


def test_a_recorded_rule_of_the_wrong_shape_raises_naming_the_op_and_changes_no_grad() -> None:
    x, w = Tensor(np.ones(3), requires_grad=True), Tensor(np.ones(3), requires_grad=True)
    w.grad = np.full(3, 7.0)
    message = r"rule of input 0 of op 'grow' .* shape \(5,\) for an input of shape \(3,\)"
    with pytest.raises(ValueError, match=message):
        (_grow(x, (5,)) * w).sum().backward()
    assert x.grad is None and np.array_equal(w.grad, np.full(3, 7.0))


def test_a_recorded_rule_giving_the_broadcast_shape_is_summed_back_as_torch_does() -> None:
    from autograd import record

    class Spread(torch.autograd.Function):
        @staticmethod
        def forward(ctx: object, a: torch.Tensor) -> torch.Tensor:
            return a.expand(3, 4).clone()

        @staticmethod
        def backward(ctx: object, g: torch.Tensor) -> torch.Tensor:
            return g  # the output's shape (3, 4) for an input of shape (3, 1)

    x = Tensor(np.ones((3, 1)), requires_grad=True)
    xt = torch.ones((3, 1), dtype=torch.float64, requires_grad=True)
    seed = np.arange(12.0).reshape(3, 4)
    record(np.broadcast_to(x.data, (3, 4)), (x,), (lambda g, out, a: g,), "spread").backward(seed)
    Spread.apply(xt).backward(torch.tensor(seed))
    assert x.grad is not None and np.array_equal(x.grad, xt.grad.numpy())


def test_recorded_rules_are_checked_under_create_graph_too() -> None:
    x = Tensor(np.ones(3), requires_grad=True)
    with pytest.raises(ValueError, match=r"op 'grow'.*shape \(5,\)"):
        _grow(x, (5,)).sum().backward(create_graph=True)
    assert x.grad is None


def test_reuse_accumulates_like_calculus():
    x = Value(3.0)
    y = x * x * x + x  # 3x^2 + 1 = 28
    y.backward()
    assert x.grad == 28.0


def test_million_op_chain_backward_without_recursion():
    import sys

    limit = sys.getrecursionlimit()
    x0 = Value(0.5)
    x = x0
    for _ in range(1_000_000):
        x = x * 1.0
    x.backward()
    assert x0.grad == 1.0
    assert sys.getrecursionlimit() == limit


def test_second_backward_adds_the_same_increment():
    a, b = Value(2.0), Value(-3.0)
    c = a * b
    d = c + a
    d.backward()
    first = (a.grad, b.grad, c.grad, d.grad)
    d.backward()
    assert (a.grad, b.grad, c.grad, d.grad) == tuple(2 * g for g in first)
    for v in (a, b, c, d):
        v.zero_grad()
    d.backward()
    assert (a.grad, b.grad, c.grad, d.grad) == first


def test_backward_seed_scales_and_is_checked():
    x = Value(2.0)
    (x * x).backward(grad=0.5)
    assert x.grad == 2.0
    with pytest.raises(TypeError, match="grad must be a real number"):
        (x * x).backward(grad="1")


def test_error_in_a_rule_changes_no_grad(monkeypatch):
    def boom(g, out, a):
        raise ArithmeticError("boom")

    x = Value(2.0)
    y = (x * 3).exp() + x
    monkeypatch.setattr(EXP, "rules", (boom,))
    z = (x * 3).exp() + y
    with pytest.raises(ArithmeticError):
        z.backward()
    assert x.grad == 0.0 and y.grad == 0.0


def test_no_grad_context_and_decorator():
    from autograd import is_grad_enabled, no_grad

    x = Value(2.0)
    with no_grad():
        assert not is_grad_enabled()
        y = x * x
    assert is_grad_enabled()
    assert y._inputs == () and y.data == 4.0

    @no_grad()
    def square(v: Value) -> Value:
        return v * v

    assert square(x)._inputs == ()
    assert (x * x)._inputs == (x, x)


def test_no_grad_is_per_thread():
    import threading

    from autograd import no_grad

    seen = []
    inside = threading.Event()
    release = threading.Event()

    def other() -> None:
        inside.wait()
        seen.append(len((Value(1.0) * 2)._inputs))
        release.set()

    thread = threading.Thread(target=other)
    thread.start()
    with no_grad():
        inside.set()
        release.wait()
    thread.join()
    assert seen == [2]


def test_no_grad_decorator_restores_after_nested_calls():
    from autograd import is_grad_enabled, no_grad

    @no_grad()
    def depth(n: int) -> int:
        assert not is_grad_enabled()
        return 0 if n == 0 else 1 + depth(n - 1)

    assert depth(3) == 3
    assert is_grad_enabled()  # each call restored its own previous state
    with no_grad():
        depth(1)
        assert not is_grad_enabled()
    assert is_grad_enabled()


def test_no_grad_restores_after_exception():
    from autograd import is_grad_enabled, no_grad

    with pytest.raises(KeyError), no_grad():
        raise KeyError
    assert is_grad_enabled()


def test_dropped_graph_is_freed_without_the_collector():
    import gc
    import weakref

    gc.collect()
    gc.disable()
    try:
        a, b = Value(2.0), Value(3.0)
        c = (a * b + a).tanh() ** 2 / b
        c.backward()
        refs = [weakref.ref(n) for n in (c, *c._inputs, *c._inputs[0]._inputs)]
        del c
        assert all(r() is None for r in refs[:1])
        del a, b
        assert all(r() is None for r in refs)
    finally:
        gc.enable()


def test_backward_leaves_nothing_for_the_collector():
    import gc

    gc.collect()
    x = Value(1.5)
    y = x
    for _ in range(200):
        y = (y * 0.5 + 1.0).tanh()
    y.backward()
    del y
    assert gc.collect() == 0


def test_shared_input_reached_by_two_branches():
    """Regression (found by the random graphs): n1 feeds n2 and n3, and n2 feeds n3."""
    x = Value(0.0)
    n1 = x + x
    n2 = x + n1
    n3 = n1 + n2
    (n1 + n2 + n3).backward()
    assert x.grad == 10.0


@settings(max_examples=100, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 40), st.integers(0, 40)), min_size=1, max_size=40))
def test_topological_order_puts_every_node_before_its_inputs(edges):
    from autograd.graph import topological_order

    nodes = [Value(1.0), Value(2.0)]
    for i, j in edges:
        nodes.append(nodes[i % len(nodes)] * nodes[j % len(nodes)])
    order = topological_order(nodes[-1])
    position = {node: k for k, node in enumerate(order)}
    assert len(position) == len(order)
    for node in order:
        for parent in node._inputs:
            assert position[parent] > position[node]


# --- the switches: the node-made hook, the count of switches on, the collector pause -----------------
@pytest.fixture(autouse=True)
def no_switch_left_on() -> Any:
    assert switches_on[0] == 0
    yield
    assert switches_on[0] == 0, "a test left a hook registered or a no_grad block open"


def test_a_hook_sees_every_node_an_op_makes_and_its_remover_removes_it() -> None:
    seen: list[tuple[str, int, bool]] = []

    def hook(node: Any, inputs: tuple[Any, ...], rules: Any, op: str) -> Any:
        seen.append((op, len(inputs), rules is not None))
        return rules

    remove = on_node_made(hook)
    assert switches_on[0] == 1
    try:
        x = Value(2.0)
        (x * 3).tanh()
        t = Tensor([1.0, 2.0], requires_grad=True)
        (t * t).sum()
        record(x.data**2, (x,), (lambda g, out, a: 2 * g * a,), "square")  # an op of one's own
        nn.MLP(2, [1], seed=0)([1.0, 2.0])  # nn's fused neuron, made with record
    finally:
        remove()
    assert switches_on[0] == 0
    assert [op for op, _, _ in seen] == ["*", "tanh", "*", "sum", "square", "w·x+b"]
    assert all(recorded for _, _, recorded in seen)
    count = len(seen)
    Value(1.0) * 2
    assert len(seen) == count  # removed: not called any more
    remove()  # a second call removes nothing
    assert switches_on[0] == 0


def test_the_rules_a_hook_returns_are_the_ones_recorded() -> None:
    def doubled(rule: Any) -> Any:
        return lambda g, out, *inputs: 2 * rule(g, out, *inputs)

    def hook(node: Any, inputs: tuple[Any, ...], rules: Any, op: str) -> Any:
        return None if rules is None else tuple(None if r is None else doubled(r) for r in rules)

    x, t = Value(3.0), Tensor([3.0], requires_grad=True)
    remove = on_node_made(hook)
    try:
        y, u = x * x, (t * t).sum()
    finally:
        remove()
    y.backward()
    u.backward()
    assert x.grad == 2 * 6.0
    np.testing.assert_array_equal(t.grad, [4 * 6.0])  # two ops, each rule doubled


def test_under_no_grad_a_hook_sees_the_node_but_no_rules_and_nothing_is_recorded() -> None:
    calls: list[Any] = []

    def hook(node: Any, inputs: tuple[Any, ...], rules: Any, op: str) -> Any:
        calls.append((node.data, rules))
        return rules

    remove = on_node_made(hook)
    try:
        with no_grad():
            assert switches_on[0] == 2  # the hook and the block
            y = Value(2.0) * 3
    finally:
        remove()
    assert calls == [(6.0, None)]
    assert y.inputs == () and y.op == "*"


def test_no_grad_blocks_count_as_switches_while_open() -> None:
    with no_grad():
        assert switches_on[0] == 1
        with no_grad():
            assert switches_on[0] == 2
    assert switches_on[0] == 0


def test_hooks_run_in_the_order_registered_and_each_sees_the_last_ones_rules() -> None:
    order: list[str] = []

    def named(name: str) -> Any:
        def hook(node: Any, inputs: tuple[Any, ...], rules: Any, op: str) -> Any:
            order.append(name)
            return rules

        return hook

    remove_a, remove_b = on_node_made(named("a")), on_node_made(named("b"))
    try:
        Value(1.0) + 1
    finally:
        remove_a()
        remove_b()
    assert order == ["a", "b"]


def test_detect_anomaly_registers_one_hook_and_leaves_none_even_on_error() -> None:
    with detect_anomaly():
        assert switches_on[0] == 1
        with detect_anomaly():  # nested: still one hook
            assert switches_on[0] == 1
    assert switches_on[0] == 0
    with pytest.raises(FloatingPointError), detect_anomaly():
        Value(0.0).log()
    assert switches_on[0] == 0
    with pytest.raises(KeyError), detect_anomaly():
        raise KeyError("not an anomaly")
    assert switches_on[0] == 0


def test_a_hook_registered_in_one_thread_sees_nodes_made_in_another() -> None:
    seen: list[str] = []
    remove = on_node_made(lambda node, inputs, rules, op: seen.append(op) or rules)
    try:
        worker = threading.Thread(target=lambda: Value(1.0).exp())
        worker.start()
        worker.join()
    finally:
        remove()
    assert seen == ["exp"]


# --- the collector -----------------------------------------------------------------------------


def test_with_collector_paused_pauses_and_resumes_only_what_it_paused() -> None:
    assert gc.isenabled()
    assert with_collector_paused(gc.isenabled) is False
    assert gc.isenabled()
    gc.disable()
    try:
        with_collector_paused(lambda: None)
        assert not gc.isenabled()  # it found the collector off: it leaves it off
    finally:
        gc.enable()


def test_with_collector_paused_resumes_after_an_error() -> None:
    def fail() -> None:
        raise ZeroDivisionError

    with pytest.raises(ZeroDivisionError):
        with_collector_paused(fail)
    assert gc.isenabled()


def test_the_backward_loop_runs_with_the_collector_paused() -> None:
    states: list[bool] = []

    def spy(g: Any, out: Any, a: Any) -> Any:
        states.append(gc.isenabled())
        return g

    record(2.0, (Value(1.0),), (spy,), "spy").backward()
    assert states == [False]
    assert gc.isenabled()


def test_a_scalar_networks_forward_pauses_the_collector() -> None:
    states: list[bool] = []
    model = nn.MLP(2, [1], seed=0)
    remove = on_node_made(lambda node, inputs, rules, op: states.append(gc.isenabled()) or rules)
    try:
        model([1.0, 2.0])
    finally:
        remove()
    assert states == [False]
    assert gc.isenabled()
