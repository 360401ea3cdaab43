"""The functional API on arrays and Tensors, against torch float64 (1e-10 relative).

Every Tensor op appears in a scalar function of one or two arguments; for each, ``grad``,
``value_and_grad``, ``hessian`` and ``hvp`` must match ``torch.func.grad`` and
``torch.autograd.functional.hessian`` / ``hvp``, arrays in giving arrays out of the same shape and
dtype, Tensors in giving Tensors out; and ``gradcheck(..., order=2)`` must pass on each. Then a
small Tensor MLP loss with respect to its weights, the n-D Rosenbrock function, ``jacobian`` of
vector-valued functions, and Newton's method on arrays.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from helpers import away_from_kinks
from torch.autograd import functional as TF

from autograd import (
    Tensor,
    concatenate,
    grad,
    gradcheck,
    hessian,
    hvp,
    jacobian,
    stack,
    value_and_grad,
    where,
)
from nn.losses import binary_cross_entropy, cross_entropy, mse_loss
from nn.losses import cross_entropy as nn_cross_entropy

REL = 1e-10
RNG = np.random.default_rng(7)


def assert_close(ours: Any, theirs: Any) -> None:
    """1e-10 relative to the size of the expected array (entries that should be 0 included)."""
    ours, theirs = np.asarray(ours, dtype=np.float64), np.asarray(theirs, dtype=np.float64)
    assert ours.shape == theirs.shape, (ours.shape, theirs.shape)
    scale = max(1.0, float(np.abs(theirs).max(initial=0.0)))
    np.testing.assert_allclose(ours, theirs, rtol=REL, atol=REL * scale)


def t64(a: np.ndarray) -> torch.Tensor:
    return torch.tensor(a, dtype=torch.float64)


W23 = np.linspace(-1.0, 1.0, 6).reshape(2, 3)
V3 = np.array([0.4, -0.7, 1.1])
LABELS = np.array([2, 0])
ONE_HOT = np.eye(3)[LABELS]


def both(f: Callable[..., Any]) -> tuple[Callable[..., Any], Callable[..., Any]]:
    """The same function for graphgrad and torch (they share the method names used)."""
    return f, f


def ours_w(x: Any) -> Any:
    return Tensor(W23) if isinstance(x, Tensor) else t64(W23)


# Every Tensor op in a scalar function of x (shape (2, 3)) and sometimes y (shape (3,), broadcast).
# Linear and piecewise ops sit under a nonlinear outer function, so the Hessian exercises their
# rules under create_graph. (name, ours, theirs, number of arguments)
UNARY: list[tuple[str, Callable[..., Any], Callable[..., Any]]] = [
    ("neg pos", *both(lambda x: ((-x) * (+x) * x).sum())),
    ("exp", *both(lambda x: (x.exp() * x).sum())),
    ("log", *both(lambda x: (abs(x).log() * x).sum())),
    ("tanh", *both(lambda x: (x.tanh() * x).sum())),
    ("sigmoid", *both(lambda x: (x.sigmoid() * x).sum())),
    ("relu", *both(lambda x: (x.relu() ** 3).sum())),
    ("abs", *both(lambda x: (abs(x) ** 3).sum())),
    ("sqrt", *both(lambda x: (abs(x).sqrt() * x).sum())),
    ("clip", *both(lambda x: (x.clip(-1.0, 1.0) ** 3).sum())),
    ("pow int", *both(lambda x: (x**3 + x**-2).sum())),
    ("pow fraction", *both(lambda x: (abs(x) ** 1.5).sum())),
    ("pow zero", *both(lambda x: (x**0 * x + x**1 * x).sum())),
    ("rpow", *both(lambda x: (2.0**x).sum())),
    ("radd rsub rmul rdiv", *both(lambda x: ((1.0 + x) * (2.0 - x) * (3.0 * x) * (1.5 / (x + 3.0))).sum())),
    ("sum", *both(lambda x: (x.sum(axis=0) ** 3).sum() + x.sum() ** 2)),
    ("mean", *both(lambda x: (x.mean(axis=1, keepdims=True) ** 3).sum() + x.mean(axis=(0, 1)) ** 2)),
    (
        "max",
        lambda x: (x.max(axis=1) ** 3).sum() + x.max() ** 2,
        lambda x: (x.amax(1) ** 3).sum() + x.amax() ** 2,
    ),
    (
        "min",
        lambda x: (x.min(axis=0, keepdims=True) ** 3).sum(),
        lambda x: (x.amin(0, keepdim=True) ** 3).sum(),
    ),
    ("logsumexp", lambda x: (x.logsumexp(axis=1) ** 2).sum(), lambda x: (x.logsumexp(1) ** 2).sum()),
    ("logsumexp all", lambda x: x.logsumexp() ** 2, lambda x: x.logsumexp((0, 1)) ** 2),
    ("softmax", *both(lambda x: (x.softmax(0) * ours_w(x)).sum() + (x.softmax(1) ** 2).sum())),
    ("log_softmax", *both(lambda x: (x.log_softmax(1) * ours_w(x)).sum() + (x.log_softmax(0) ** 2).sum())),
    ("reshape", *both(lambda x: (x.reshape(3, 2) ** 3 * ours_w(x).reshape(3, 2)).sum())),
    ("transpose T", lambda x: ((x.T @ x).tanh()).sum() + (x.transpose(1, 0) ** 3).sum(), None),
    ("swapaxes", *both(lambda x: (x.swapaxes(0, 1) ** 3).sum())),
    ("squeeze unsqueeze", *both(lambda x: (x.unsqueeze(0).unsqueeze(-1).squeeze(0) ** 3).sum())),
    ("flatten", *both(lambda x: (x.flatten() ** 3 * t_like(x, np.arange(6.0))).sum())),
    ("broadcast_to", *both(lambda x: (x[:1].broadcast_to((4, 2, 3)) ** 3).sum())),
    ("index int slice None", *both(lambda x: (x[1] ** 3).sum() + (x[:, 1:, None] ** 4).sum())),
    ("index repeated", lambda x: (x[[0, 0, 1], [2, 2, 0]] ** 3).sum(), None),
    ("index mask", lambda x: (x[x.data > 0] ** 3).sum(), lambda x: (x[x > 0] ** 3).sum()),
    (
        "concatenate",
        lambda x: (concatenate([x, x * x], axis=1) ** 2).sum(),
        lambda x: (torch.cat([x, x * x], 1) ** 2).sum(),
    ),
    (
        "stack",
        lambda x: (stack([x, x.exp()], axis=-1) ** 2).sum(),
        lambda x: (torch.stack([x, x.exp()], -1) ** 2).sum(),
    ),
    (
        "where",
        lambda x: (where(x.data > 0, x**3, x * x)).sum(),
        lambda x: torch.where(x > 0, x**3, x * x).sum(),
    ),
    (
        "maximum minimum number",
        lambda x: (x.maximum(0.5) ** 3 + x.minimum(-0.4) ** 3).sum(),
        lambda x: (x.clamp(min=0.5) ** 3 + x.clamp(max=-0.4) ** 3).sum(),
    ),
    (
        "matmul 2-d 1-d",
        lambda x: ((x @ x.T) ** 2).sum() + ((x @ V3) ** 3).sum(),
        lambda x: ((x @ x.T) ** 2).sum() + ((x @ t64(V3)) ** 3).sum(),
    ),
    ("matmul batched", lambda x: ((x.reshape(2, 3, 1) @ x.reshape(2, 1, 3)) ** 2).sum(), None),
    (
        "cross_entropy fused",
        lambda x: cross_entropy(x * x, LABELS),
        lambda x: F.cross_entropy(x * x, torch.tensor(LABELS)),
    ),
    (
        "nn cross_entropy",
        lambda x: nn_cross_entropy(x * x, LABELS) + nn_cross_entropy(x, ONE_HOT, "sum"),
        lambda x: (
            F.cross_entropy(x * x, torch.tensor(LABELS)) + F.cross_entropy(x, t64(ONE_HOT), reduction="sum")
        ),
    ),
    (
        "nn cross_entropy none",
        lambda x: (nn_cross_entropy(x, LABELS, "none") ** 2).sum(),
        lambda x: (F.cross_entropy(x, torch.tensor(LABELS), reduction="none") ** 2).sum(),
    ),
    (
        "nn binary_cross_entropy",
        lambda x: binary_cross_entropy(x.sigmoid(), ONE_HOT),
        lambda x: F.binary_cross_entropy(x.sigmoid(), t64(ONE_HOT)),
    ),
    ("nn mse_loss", lambda x: mse_loss(x.tanh(), W23), lambda x: F.mse_loss(x.tanh(), t64(W23))),
]
UNARY = [(name, ours, theirs or ours) for name, ours, theirs in UNARY]


def t_like(x: Any, a: np.ndarray) -> Any:
    return Tensor(a) if isinstance(x, Tensor) else t64(a)


BINARY: list[tuple[str, Callable[..., Any], Callable[..., Any]]] = [
    ("add sub mul div", *both(lambda x, y: ((x * y + x / y - y * y + (x - y)) * (x + y).tanh()).sum())),
    ("pow tensor exponent", *both(lambda x, y: (abs(x) ** y).sum())),
    ("maximum minimum", *both(lambda x, y: (x.maximum(y) ** 3 + x.minimum(y) * x).sum())),
    ("matmul", *both(lambda x, y: ((x @ y) ** 3).sum() + ((y @ x.T) ** 2).sum())),
    (
        "where",
        lambda x, y: where(x.data > 0, x * y, y**2).sum(),
        lambda x, y: torch.where(x > 0, x * y, y**2).sum(),
    ),
    (
        "concatenate stack",
        lambda x, y: (concatenate([x.reshape(-1), y]) ** 3).sum() + (stack([x[0], y]) ** 2).sum() ** 2,
        lambda x, y: (torch.cat([x.reshape(-1), y]) ** 3).sum() + (torch.stack([x[0], y]) ** 2).sum() ** 2,
    ),
]


def points(n: int) -> tuple[np.ndarray, ...]:
    return (
        away_from_kinks((2, 3), 0.3, 1.5, RNG, "every third"),
        away_from_kinks((3,), 0.3, 1.5, RNG, "every third"),
    )[:n]


def directions(n: int) -> tuple[np.ndarray, ...]:
    return (np.cos(np.arange(6.0)).reshape(2, 3), np.sin(np.arange(3.0) + 1))[:n]


def check_against_torch(ours: Callable[..., Any], theirs: Callable[..., Any], n: int) -> None:
    xs, vs = points(n), directions(n)
    argnums = tuple(range(n))
    txs = tuple(t64(x) for x in xs)
    value, gs = value_and_grad(ours, argnums)(*xs)
    assert isinstance(value, float)
    assert abs(value - theirs(*txs).item()) <= REL * max(1.0, abs(value))
    expected = torch.func.grad(theirs, argnums)(*txs)
    hess = TF.hessian(theirs, txs)
    _, hv = TF.hvp(theirs, txs, tuple(t64(v) for v in vs))
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # every output here is computed from every argument
        got_grads = [grad(ours, argnums)(*xs), gs]
        got_hess = hessian(ours, argnums)(*xs)
        got_hvp = hvp(ours, xs, vs)
    for g in got_grads:  # arrays in, arrays out: the argument's shape and dtype
        for gi, xi, ei in zip(g, xs, expected):
            assert type(gi) is np.ndarray and gi.shape == xi.shape and gi.dtype == xi.dtype
            assert_close(gi, ei)
    for i in range(n):
        assert type(got_hvp[i]) is np.ndarray and got_hvp[i].shape == xs[i].shape
        assert_close(got_hvp[i], hv[i])
        for j in range(n):
            assert type(got_hess[i][j]) is np.ndarray
            assert got_hess[i][j].shape == xs[i].shape + xs[j].shape
            assert_close(got_hess[i][j], hess[i][j])
    # Tensors in, Tensors out (results are nodes, differentiable again), the same numbers
    ts = tuple(Tensor(x) for x in xs)
    tg = grad(ours, argnums)(*ts)
    th = hessian(ours, argnums)(*ts)
    thv = hvp(ours, ts, tuple(Tensor(v) for v in vs))
    for i in range(n):
        assert isinstance(tg[i], Tensor) and tg[i].shape == xs[i].shape
        assert_close(tg[i].data, expected[i])
        assert isinstance(thv[i], Tensor) and thv[i].shape == xs[i].shape
        assert_close(thv[i].data, hv[i])
        for j in range(n):
            assert isinstance(th[i][j], Tensor) and th[i][j].shape == xs[i].shape + xs[j].shape
            assert_close(th[i][j].data, hess[i][j])


@pytest.mark.parametrize(("name", "ours", "theirs"), UNARY, ids=[u[0] for u in UNARY])
def test_every_tensor_op_against_torch(
    name: str, ours: Callable[..., Any], theirs: Callable[..., Any]
) -> None:
    check_against_torch(ours, theirs, 1)


@pytest.mark.parametrize(("name", "f", "theirs"), BINARY, ids=[b[0] for b in BINARY])
def test_every_binary_tensor_op_against_torch(
    name: str, f: Callable[..., Any], theirs: Callable[..., Any]
) -> None:
    check_against_torch(f, theirs, 2)


@pytest.mark.parametrize(("name", "ours", "theirs"), UNARY, ids=[u[0] for u in UNARY])
def test_gradcheck_order_2_of_every_tensor_op(name: str, ours: Callable[..., Any], theirs: Any) -> None:
    gradcheck(ours, points(1)[0], order=2)
    gradcheck(ours, Tensor(points(1)[0]), order=2)


@pytest.mark.parametrize(("name", "f", "theirs"), BINARY, ids=[b[0] for b in BINARY])
def test_gradcheck_order_2_of_every_binary_tensor_op(name: str, f: Callable[..., Any], theirs: Any) -> None:
    gradcheck(f, *points(2), order=2)


# --- a small Tensor MLP: the loss as a function of its weights -----------------------------------

X = np.linspace(-1.0, 1.0, 12).reshape(4, 3)
Y = np.array([0, 2, 1, 2])
WEIGHT_SHAPES = [(3, 4), (4,), (4, 3), (3,)]  # 31 weights in all


def mlp_loss(W1: Any, b1: Any, W2: Any, b2: Any) -> Any:
    """A 3-4-3 tanh MLP on four points, mean softmax cross-entropy (fused, our op)."""
    return cross_entropy((X @ W1 + b1).tanh() @ W2 + b2, Y)


def mlp_loss_torch(W1: Any, b1: Any, W2: Any, b2: Any) -> Any:
    return F.cross_entropy((t64(X) @ W1 + b1).tanh() @ W2 + b2, torch.tensor(Y))


def mlp_loss_composed(W1: Any, b1: Any, W2: Any, b2: Any) -> Any:
    """The same loss from log_softmax and indexing, on both engines."""
    logits = (t_like(W1, X) @ W1 + b1).tanh() @ W2 + b2
    return -logits.log_softmax(1)[np.arange(4), Y].mean()


@pytest.mark.parametrize("ours", [mlp_loss, mlp_loss_composed])
def test_small_tensor_mlp_loss_against_torch(ours: Callable[..., Any]) -> None:
    weights = tuple(away_from_kinks(s, 0.3, 1.5, RNG, "every third") for s in WEIGHT_SHAPES)
    tw = tuple(t64(w) for w in weights)
    argnums = (0, 1, 2, 3)
    theirs = mlp_loss_torch if ours is mlp_loss else mlp_loss_composed
    for got, expected in zip(grad(ours, argnums)(*weights), torch.func.grad(theirs, argnums)(*tw)):
        assert_close(got, expected)
    got_h, expected_h = hessian(ours, argnums)(*weights), TF.hessian(theirs, tw)
    for i in range(4):
        for j in range(4):
            assert got_h[i][j].shape == WEIGHT_SHAPES[i] + WEIGHT_SHAPES[j]
            assert_close(got_h[i][j], expected_h[i][j])
    vs = tuple(np.cos(np.arange(w.size)).reshape(w.shape) for w in weights)
    for got, expected in zip(hvp(ours, weights, vs), TF.hvp(theirs, tw, tuple(t64(v) for v in vs))[1]):
        assert_close(got, expected)
    gradcheck(ours, *weights, order=2)  # 31 entries: the full Hessian, entry by entry


def test_mlp_hvp_never_forms_the_hessian_and_scales_to_many_weights() -> None:
    W1, W2 = (
        away_from_kinks((3, 64), 0.3, 1.5, RNG, "every third"),
        away_from_kinks((64, 3), 0.3, 1.5, RNG, "every third"),
    )  # 384 weights
    b1, b2 = np.zeros(64), np.zeros(3)
    vs = (np.ones_like(W1), np.ones_like(b1), np.ones_like(W2), np.ones_like(b2))
    tw = tuple(t64(w) for w in (W1, b1, W2, b2))
    expected = TF.hvp(mlp_loss_torch, tw, tuple(t64(v) for v in vs))[1]
    for got, e in zip(hvp(mlp_loss, (W1, b1, W2, b2), vs), expected):
        assert_close(got, e)


# --- Rosenbrock in n dimensions, Newton's method on arrays --------------------------------------


def rosenbrock(x: Any) -> Any:
    return (100.0 * (x[1:] - x[:-1] ** 2) ** 2 + (1.0 - x[:-1]) ** 2).sum()


@pytest.mark.parametrize("n", [2, 5, 10])
def test_rosenbrock_in_n_dimensions_against_torch(n: int) -> None:
    x = np.linspace(-1.2, 1.1, n)
    v = np.sin(np.arange(n) + 0.5)
    assert_close(grad(rosenbrock)(x), torch.func.grad(rosenbrock)(t64(x)))
    assert_close(hessian(rosenbrock)(x), TF.hessian(rosenbrock, t64(x)))
    assert_close(hvp(rosenbrock, x, v), TF.hvp(rosenbrock, t64(x), t64(v))[1])
    assert hessian(rosenbrock)(x).shape == (n, n)
    gradcheck(rosenbrock, x, order=2)


def test_newton_minimises_the_n_dimensional_rosenbrock_with_grad_and_hessian() -> None:
    x = np.full(5, 0.5)
    steps = 0
    while steps < 30:
        steps += 1
        x = x - np.linalg.solve(hessian(rosenbrock)(x), grad(rosenbrock)(x))
        if np.abs(x - 1.0).max() < 1e-12:
            break
    assert steps <= 15, steps
    assert np.abs(grad(rosenbrock)(x)).max() < 1e-9


# --- jacobian on arrays and Tensors --------------------------------------------------------------


def test_jacobian_of_tensor_functions_matches_torch() -> None:
    x, y = (
        away_from_kinks((2, 3), 0.3, 1.5, RNG, "every third"),
        away_from_kinks((3,), 0.3, 1.5, RNG, "every third"),
    )
    f = lambda a, b: (a * b).tanh() @ b  # noqa: E731  (2,) output
    ours = jacobian(f, (0, 1))(x, y)
    theirs = TF.jacobian(f, (t64(x), t64(y)))
    assert ours[0].shape == (2, 2, 3) and ours[1].shape == (2, 3)
    assert type(ours[0]) is np.ndarray
    for o, t in zip(ours, theirs):
        assert_close(o, t)
    as_tensor = jacobian(f)(Tensor(x), y)
    assert isinstance(as_tensor, Tensor) and as_tensor.shape == (2, 2, 3)
    assert_close(as_tensor.data, theirs[0])
    # a tuple of outputs: one Jacobian per output
    two = jacobian(lambda a: (a.softmax(1), a.sum(0)))(x)
    expected = TF.jacobian(lambda a: (a.softmax(1), a.sum(0)), t64(x))
    assert two[0].shape == (2, 3, 2, 3) and two[1].shape == (3, 2, 3)
    for o, t in zip(two, expected):
        assert_close(o, t)


def test_hessian_of_a_tensor_is_the_jacobian_of_its_gradient() -> None:
    x = away_from_kinks((2, 3), 0.3, 1.5, RNG, "every third")
    f = lambda a: (a.exp() * a.log_softmax(0)).sum()  # noqa: E731
    assert_close(hessian(f)(x), jacobian(grad(f))(x))
    assert_close(hessian(f)(x).reshape(6, 6), hessian(f)(x).reshape(6, 6).T)


# --- types, dtypes, mixed arguments, errors ------------------------------------------------------


def test_float32_arrays_and_tensors_keep_their_dtype() -> None:
    x = np.array([0.5, -1.0, 2.0], dtype=np.float32)
    f = lambda a: (a**3).sum()  # noqa: E731
    assert grad(f)(x).dtype == np.float32
    assert value_and_grad(f)(x)[1].dtype == np.float32
    assert hessian(f)(x).dtype == np.float32 and hessian(f)(x).shape == (3, 3)
    assert hvp(f, x, np.ones(3)).dtype == np.float32
    assert jacobian(lambda a: a * a)(x).dtype == np.float32
    g = grad(f)(Tensor(x))
    assert isinstance(g, Tensor) and g.dtype == np.float32
    np.testing.assert_allclose(grad(f)(x), 3 * x.astype(np.float64) ** 2, rtol=1e-6)


def test_tensor_results_are_differentiable_again() -> None:
    x = Tensor(np.array([0.5, -1.0, 2.0]), requires_grad=True)
    g = grad(lambda a: (a**3).sum())(x)  # 3 x^2, a node connected to x
    assert isinstance(g, Tensor) and g.requires_grad
    g.sum().backward()  # d/dx sum(3 x^2) = 6 x
    np.testing.assert_allclose(x.grad, 6 * x.data)
    third = grad(lambda a: grad(lambda b: grad(lambda c: (c**4).sum())(b).sum())(a).sum())(x.data)
    np.testing.assert_allclose(third, 24 * x.data)  # d/dx of sum(12 x^2)


def test_numbers_beside_arrays_are_0d_tensors_with_float_gradients() -> None:
    f = lambda a, x: a * a * (x * x).sum()  # noqa: E731
    x = np.array([1.0, -2.0])
    ga, gx = grad(f, (0, 1))(2.0, x)
    assert isinstance(ga, float) and ga == 2 * 2.0 * 5.0
    np.testing.assert_array_equal(gx, 2 * 4.0 * x)
    assert grad(f)(2.0, x) == 20.0  # the array is passed through untouched
    assert grad(lambda a, x: (a * x).sum())(2.0, x=x) == -1.0  # also as a keyword
    h = hessian(f, (0, 1))(2.0, x)
    assert h[0][0] == 10.0 and h[0][1].shape == (2,) and h[1][1].shape == (2, 2)
    np.testing.assert_array_equal(h[0][1], 4 * 2.0 * x)
    hv = hvp(f, (2.0, x), (1.0, np.zeros(2)))
    assert isinstance(hv[0], float) and hv[0] == 10.0
    np.testing.assert_array_equal(jacobian(lambda a, x: a * x, (0, 1))(2.0, x)[0], x)
    expected = torch.func.hessian(f, (0, 1))(*(t64(np.array(2.0)), t64(x)))
    for i in range(2):
        for j in range(2):
            assert_close(h[i][j], expected[i][j])
    gradcheck(f, 2.0, x, order=2)


def test_errors_with_tensors() -> None:
    x = np.ones(3)
    with pytest.raises(ValueError, match=r"returned a Tensor of shape \(3,\); use jacobian"):
        grad(lambda a: a * 2)(x)
    with pytest.raises(ValueError, match="use jacobian"):
        hessian(lambda a: a * 2)(Tensor(x))
    with pytest.raises(TypeError, match="argument 1 is an array of dtype int64"):
        grad(lambda a, b: a, argnums=1)(x, np.arange(3))
    with pytest.raises(TypeError, match="argument 0 .*float"):
        grad(lambda a: a)(Tensor(np.arange(3.0)).data.astype("U3"))
    with pytest.raises(ValueError, match=r"direction 0 has shape \(2,\) but its argument has shape \(3,\)"):
        hvp(lambda a: (a * a).sum(), x, np.ones(2))


def test_constant_tensor_output_gives_a_zero_gradient_with_a_warning() -> None:
    x = np.ones((2, 2), dtype=np.float32)
    with pytest.warns(UserWarning, match="not computed from argument 0"):
        g = grad(lambda a: Tensor(np.ones(3)).sum())(x)
    assert type(g) is np.ndarray and g.shape == (2, 2) and g.dtype == np.float32 and not g.any()
    with pytest.warns(UserWarning):
        h = hessian(lambda a: Tensor(3.0))(x)
    assert h.shape == (2, 2, 2, 2) and not h.any()
    with pytest.warns(UserWarning):
        assert not hvp(lambda a: Tensor(3.0), x, x).any()
    with pytest.warns(UserWarning):
        assert jacobian(lambda a: Tensor(np.ones(3)))(x).shape == (3, 2, 2)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert not grad(lambda a: (a * 0).sum())(x).any()  # computed from x: a real zero, no warning


def test_astype_is_differentiable_to_second_order() -> None:
    x = np.array([0.5, -1.0, 2.0], dtype=np.float32)
    f = lambda a: (a.astype(np.float64) ** 3).sum()  # noqa: E731
    h = hessian(f)(x)
    assert h.dtype == np.float32
    np.testing.assert_array_equal(h, np.diag(6 * x))
    np.testing.assert_array_equal(hvp(f, x, np.ones(3, np.float32)), 6 * x)


def test_second_derivatives_at_the_kinks_are_zero_like_torch() -> None:
    x = np.array([[0.0, 1.0, -1.0], [0.5, 0.5, 1.0]])  # kinks of relu/abs/clip, ties for max
    cases = [
        (lambda a: (a.relu() * a.relu().sum()).sum(), None),
        (
            lambda a: (abs(a) * 2).sum() + a.max() * a.sum(),
            lambda a: (a.abs() * 2).sum() + a.amax() * a.sum(),
        ),
        (lambda a: a.clip(-1.0, 0.5).sum() ** 2, None),
        (
            lambda a: (a.maximum(0.5) * a.minimum(0.5)).sum(),
            lambda a: (torch.maximum(a, t64(np.array(0.5))) * torch.minimum(a, t64(np.array(0.5)))).sum(),
        ),
    ]
    for ours, theirs in cases:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)
            got = hessian(ours)(x)
        assert_close(got, TF.hessian(theirs or ours, t64(x)))
