"""grad, value_and_grad, jacobian, hessian, hvp and gradcheck(order=2), against torch float64.

On Values first; then on arrays and Tensors (1e-10 relative): every Tensor op appears in a scalar
function of one or two arguments; for each, ``grad``, ``value_and_grad``, ``hessian`` and ``hvp``
must match ``torch.func.grad`` and ``torch.autograd.functional.hessian`` / ``hvp``, arrays in giving
arrays out of the same shape and dtype, Tensors in giving Tensors out; and ``gradcheck(...,
order=2)`` must pass on each. Then a small Tensor MLP loss with respect to its weights, the n-D
Rosenbrock function, ``jacobian`` of vector-valued functions, and Newton's method on arrays.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from helpers import assert_close_scaled, away_from_kinks, rel_close, rosenbrock
from torch.autograd import functional as TF

from autograd import (
    Tensor,
    Value,
    concatenate,
    grad,
    gradcheck,
    hessian,
    hvp,
    jacobian,
    no_grad,
    stack,
    value_and_grad,
    where,
)
from nn.losses import binary_cross_entropy, cross_entropy, mse_loss
from nn.losses import cross_entropy as nn_cross_entropy

REL = 1e-10


def tt(*xs: float) -> tuple[torch.Tensor, ...]:
    return tuple(torch.tensor(x, dtype=torch.float64) for x in xs)


def floats(t: object) -> object:
    """torch results (tensors, nested tuples of them) as floats / nested tuples of floats."""
    if isinstance(t, (tuple, list)):
        return tuple(floats(u) for u in t)
    assert isinstance(t, torch.Tensor)
    return t.item() if t.numel() == 1 else t.detach().numpy()


def assert_close_nested(ours: object, theirs: object, rel: float = REL) -> None:
    if isinstance(theirs, tuple):
        assert isinstance(ours, tuple) and len(ours) == len(theirs), (ours, theirs)
        for o, t in zip(ours, theirs):
            assert_close_nested(o, t, rel)
    elif isinstance(theirs, np.ndarray):
        np.testing.assert_allclose(ours, theirs, rtol=rel, atol=rel)
    else:
        assert isinstance(ours, float), type(ours)
        assert rel_close(ours, theirs, rel), (ours, theirs)


# Every Value op in a two-argument scalar function; the same lambda runs on Values and on torch
# tensors. Points keep away from kinks (relu, abs) except where stated.
OPS = [
    ("add", lambda x, y: (x + y) * x, (0.7, -1.3)),
    ("sub", lambda x, y: (x - y) * (x - 2.0), (0.7, -1.3)),
    ("mul", lambda x, y: x * y * y, (0.7, -1.3)),
    ("div", lambda x, y: x / y + y / (x * x), (0.7, -1.3)),
    ("neg", lambda x, y: -(x * y) * x, (0.7, -1.3)),
    ("pow int", lambda x, y: x**3 * y**2 + y**4, (-0.7, -1.3)),
    ("pow negative", lambda x, y: (x * y) ** -2, (-0.7, 1.3)),
    ("pow fraction", lambda x, y: (x * x + y * y) ** 0.5 + x**1.5, (0.7, -1.3)),
    ("pow value", lambda x, y: x**y, (0.7, -1.3)),
    ("rpow", lambda x, y: 2.0 ** (x * y), (0.7, -1.3)),
    ("radd rsub rmul rdiv", lambda x, y: (3.0 - x) * (2.0 + y) * (1.5 / (x + 2.0)), (0.7, -1.3)),
    ("exp", lambda x, y: (x * y).exp(), (0.7, -1.3)),
    ("log", lambda x, y: (x * x + y).log(), (0.7, 1.3)),
    ("tanh", lambda x, y: (x * y + x).tanh(), (0.7, -1.3)),
    ("sigmoid", lambda x, y: (x * y - y).sigmoid(), (0.7, -1.3)),
    ("relu", lambda x, y: (x * y).relu() * x + (x - y).relu() * y, (0.7, -1.3)),
    ("relu dead", lambda x, y: (x * y).relu() * x + y, (0.7, 1.3)),
    ("abs", lambda x, y: (x * y).abs() * x + (x + y).abs() * y * y, (0.7, -1.3)),
]
IDS = [name for name, _, _ in OPS]


@pytest.mark.parametrize(("name", "f", "point"), OPS, ids=IDS)
def test_grad_and_hessian_of_every_op_match_torch(name, f, point):
    value, gradient = value_and_grad(f, argnums=(0, 1))(*point)
    assert isinstance(value, float) and all(isinstance(g, float) for g in gradient)
    assert rel_close(value, f(*tt(*point)).item(), REL)
    assert_close_nested(gradient, floats(torch.func.grad(f, argnums=(0, 1))(*tt(*point))))
    assert_close_nested(hessian(f, argnums=(0, 1))(*point), floats(TF.hessian(f, tt(*point))))
    # the second derivative in x alone, as grad of grad, and the third
    fx = lambda x: f(x, point[1])  # noqa: E731
    second = torch.func.grad(torch.func.grad(fx))(*tt(point[0])).item()
    third = torch.func.grad(torch.func.grad(torch.func.grad(fx)))(*tt(point[0])).item()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # f' or f'' may not depend on x at all
        assert rel_close(grad(grad(fx))(point[0]), second, REL)
        assert rel_close(grad(grad(grad(fx)))(point[0]), third, REL)


@pytest.mark.parametrize(("name", "f", "point"), OPS, ids=IDS)
def test_hvp_of_every_op_matches_torch(name, f, point):
    v = (0.3, -1.1)
    _, theirs = TF.hvp(f, tt(*point), tt(*v))
    assert_close_nested(hvp(f, point, v), floats(theirs))


@pytest.mark.parametrize(("name", "f", "point"), OPS, ids=IDS)
def test_gradcheck_order_2_of_every_op(name, f, point):
    gradcheck(f, *point, order=2)


def test_relu_and_abs_at_the_kink_have_zero_second_derivative_like_torch():
    for f in (lambda x: x.relu() * 3.0, lambda x: x.abs() * 3.0):
        with pytest.warns(UserWarning):  # f' is a constant (by pieces): its derivative is zero
            assert grad(grad(f))(0.0) == 0.0 == torch.func.grad(torch.func.grad(f))(*tt(0.0)).item()
        assert grad(f)(0.0) == 0.0 == torch.func.grad(f)(*tt(0.0)).item()


def test_cube_to_every_order():
    f = lambda x: x**3  # noqa: E731
    assert grad(f)(3.0) == 27.0
    assert grad(grad(f))(3.0) == 18.0
    assert grad(grad(grad(f)))(3.0) == 6.0
    assert grad(grad(grad(grad(f))))(3.0) == 0.0


def test_third_derivatives_of_polynomials_are_exact():
    p = lambda x: 2 * x**5 - 3 * x**4 + 0.5 * x**3 + x**2 - 7  # noqa: E731
    d3 = lambda x: 120 * x**2 - 72 * x + 3  # noqa: E731
    d4 = lambda x: 240 * x - 72  # noqa: E731
    for x in (-2.0, -0.5, 0.0, 1.5, 3.0):
        assert grad(grad(grad(p)))(x) == d3(x)
        assert grad(grad(grad(grad(p))))(x) == d4(x)
    # a polynomial in two variables: d3 / dx2 dy of x^3 y^2 + x y^3 is 12 x y
    q = lambda x, y: x**3 * y**2 + x * y**3  # noqa: E731
    dxxy = grad(grad(grad(q, argnums=0), argnums=0), argnums=1)
    assert dxxy(2.0, -3.0) == 12 * 2.0 * -3.0


def test_rosenbrock_against_torch():
    for point in [(-1.2, 1.0), (0.5, 0.3), (1.0, 1.0)]:
        assert_close_nested(
            grad(rosenbrock, (0, 1))(*point), floats(torch.func.grad(rosenbrock, (0, 1))(*tt(*point)))
        )
        assert_close_nested(hessian(rosenbrock, (0, 1))(*point), floats(TF.hessian(rosenbrock, tt(*point))))
        v = (0.25, -2.0)
        assert_close_nested(hvp(rosenbrock, point, v), floats(TF.hvp(rosenbrock, tt(*point), tt(*v))[1]))


def test_newton_minimises_rosenbrock_in_a_handful_of_steps():
    x = np.array([-1.2, 1.0])
    g, h = grad(rosenbrock, (0, 1)), hessian(rosenbrock, (0, 1))
    steps = 0
    while np.abs(x - 1.0).max() > 1e-12 and steps < 20:
        x = x - np.linalg.solve(np.array(h(*x)), np.array(g(*x)))
        steps += 1
    assert steps <= 7, steps
    assert np.abs(np.array(g(*x))).max() < 1e-9


def test_newton_on_a_smooth_convex_function_converges_quadratically():
    f = lambda x, y: (x + 2 * y - 1).exp() + (x - y).exp() + 0.5 * x * x  # noqa: E731
    x = np.array([0.0, 0.0])
    norms = []
    for _ in range(6):
        gx = np.array(grad(f, (0, 1))(*x))
        norms.append(np.abs(gx).max())
        x = x - np.linalg.solve(np.array(hessian(f, (0, 1))(*x)), gx)
    assert norms[-1] < 1e-12 and norms[1] < norms[0]
    assert norms[3] < norms[2] ** 1.5 and norms[4] < norms[3] ** 1.5  # quadratic convergence


# --- a small MLP on Values: loss as a function of all its weights -------------------------------


def mlp_loss(*w):
    """A 2-3-1 tanh MLP (13 weights) on two points, mean squared error."""
    data = [((0.5, -1.0), 0.3), ((-0.25, 0.75), -0.6)]
    total = 0.0
    for (a, b), target in data:
        hidden = [(w[3 * j] * a + w[3 * j + 1] * b + w[3 * j + 2]).tanh() for j in range(3)]
        out = hidden[0] * w[9] + hidden[1] * w[10] + hidden[2] * w[11] + w[12]
        total = total + (out - target) ** 2
    return total / len(data)


WEIGHTS = tuple(float(w) for w in np.random.default_rng(0).uniform(-1, 1, 13))


def test_small_mlp_loss_gradient_hessian_and_hvp_match_torch():
    n = len(WEIGHTS)
    argnums = tuple(range(n))
    tw = tt(*WEIGHTS)
    assert_close_nested(grad(mlp_loss, argnums)(*WEIGHTS), floats(torch.func.grad(mlp_loss, argnums)(*tw)))
    ours = np.array(hessian(mlp_loss, argnums)(*WEIGHTS))
    theirs = np.array(floats(TF.hessian(mlp_loss, tw)))
    assert ours.shape == (n, n)
    np.testing.assert_allclose(ours, theirs, rtol=REL, atol=1e-12)
    v = tuple(float(x) for x in np.linspace(-1, 1, n))
    np.testing.assert_allclose(hvp(mlp_loss, WEIGHTS, v), ours @ np.array(v), rtol=1e-9, atol=1e-12)
    assert_close_nested(hvp(mlp_loss, WEIGHTS, v), floats(TF.hvp(mlp_loss, tw, tt(*v))[1]))


# --- jacobian ------------------------------------------------------------------------------------


def test_jacobian_of_a_vector_valued_function_matches_torch():
    f = lambda x, y: [x * y, (x - y).exp(), x / y]  # noqa: E731
    tf = lambda x, y: torch.stack(f(x, y))  # noqa: E731
    point = (0.7, -1.3)
    ours = jacobian(f, argnums=(0, 1))(*point)
    theirs = TF.jacobian(tf, tt(*point))
    assert all(isinstance(j, np.ndarray) and j.shape == (3,) for j in ours)
    for j in range(2):
        np.testing.assert_allclose(ours[j], theirs[j].numpy(), rtol=REL)
    np.testing.assert_allclose(jacobian(f)(*point), theirs[0].numpy(), rtol=REL)
    assert jacobian(lambda x: x * x)(3.0) == 6.0  # a scalar output: a number


def test_jacobian_of_a_nested_list_and_a_tuple_of_outputs():
    f = lambda x: [[x, x * x], [x**3, 2.0]]  # noqa: E731
    np.testing.assert_array_equal(jacobian(f)(2.0), [[1.0, 4.0], [12.0, 0.0]])
    with pytest.raises(ValueError, match="different shapes"):
        jacobian(lambda x: [x, [x, x]])(1.0)


def test_hessian_is_the_jacobian_of_the_gradient():
    f = lambda x, y: (x * y).tanh() * x  # noqa: E731
    h = hessian(f, (0, 1))(0.4, -0.9)
    j = jacobian(grad(f, (0, 1)), (0, 1))(0.4, -0.9)
    np.testing.assert_allclose(np.array(h), np.array(j).T, rtol=REL)
    np.testing.assert_allclose(np.array(h), np.array(h).T, rtol=REL)  # symmetric
    assert hessian(lambda x: x**4)(2.0) == 48.0


# --- Values in, Values out; nesting; side effects ------------------------------------------------


def test_a_value_argument_gives_a_differentiable_value():
    x = Value(2.0, label="x")
    y = x * x
    g = grad(lambda t: t**3)(y)  # 3 y^2
    assert isinstance(g, Value) and g.data == 48.0
    assert x.grad == 0.0 and y.grad == 0.0  # no side effects on the caller's nodes
    g.backward()  # d(3 x^4)/dx = 12 x^3
    assert x.grad == 96.0
    value, g2 = value_and_grad(lambda t: t.exp())(x)
    assert isinstance(value, Value) and isinstance(g2, Value) and value.data == g2.data == math.exp(2.0)


def test_closures_over_outer_arguments_are_differentiated_correctly():
    # d/da [ d/db (a * b) at b=1 ] = d/da a = 1 (no "perturbation confusion")
    assert grad(lambda a: grad(lambda b: a * b)(1.0))(2.0) == 1.0
    # d/da [ a * d/db (a * b^2) at b=3 ] = d/da 6 a^2 = 12 a
    assert grad(lambda a: a * grad(lambda b: a * b**2)(3.0))(2.0) == 24.0


def test_no_grad_side_effects_on_captured_parameters():
    w = Value(1.5, label="w")
    w.grad = 0.25
    out = Value(0.5)
    assert grad(lambda x: (x * w).tanh() * out)(0.3) == pytest.approx(1.5 * 0.5 * (1 - math.tanh(0.45) ** 2))
    assert hessian(lambda x: (x * w).tanh())(0.3) != 0.0
    assert hvp(lambda x: (x * w).tanh(), 0.3, 1.0) != 0.0
    assert jacobian(lambda x: [x * w, x * out])(0.3).tolist() == [1.5, 0.5]
    assert w.grad == 0.25 and out.grad == 0.0


def test_a_nodes_argument_that_is_not_differentiated_makes_the_result_a_node():
    w = Value(3.0)
    g = grad(lambda x, w: x * x * w)(2.0, w)  # 2 x w
    assert isinstance(g, Value) and g.data == 12.0
    g.backward()  # d(2 x w)/dw = 2 x
    assert w.grad == 4.0


def test_works_under_no_grad_and_leaves_it_on():
    with no_grad():
        assert grad(lambda x: x**3)(2.0) == 12.0
        assert hessian(lambda x: x**3)(2.0) == 12.0
        assert (Value(2.0) * 3)._inputs == ()


def test_ints_are_taken_as_floats():
    assert grad(lambda x: x**3)(3) == 27.0
    assert isinstance(grad(lambda x: x**3)(3), float)
    assert grad(lambda x: x**3)(np.int64(2)) == 12.0


def test_other_arguments_and_keywords_pass_through():
    f = lambda x, n, scale=1.0: scale * x**n  # noqa: E731
    assert grad(f)(2.0, 3, scale=2.0) == 24.0
    assert grad(f, argnums=-2)(2.0, 3) == 12.0


# --- errors and warnings -------------------------------------------------------------------------


def test_non_scalar_output_says_use_jacobian():
    with pytest.raises(TypeError, match="use jacobian"):
        grad(lambda x: [x, x * x])(1.0)
    with pytest.raises(ValueError, match="use jacobian"):
        grad(lambda x: np.ones(3))(1.0)
    with pytest.raises(TypeError, match="scalar Value, Tensor or number, got str"):
        grad(lambda x: "no")(1.0)


@pytest.mark.parametrize("bad", ["3.0", True, None, 1 + 2j, [1.0, 2.0], np.array([1, 2])])
def test_non_differentiable_arguments_name_their_position(bad):
    with pytest.raises(TypeError, match="argument 1 "):
        grad(lambda x, y: x * y, argnums=1)(2.0, bad)
    with pytest.raises(TypeError, match="argument 0 "):
        hessian(lambda x: x)(bad)


def test_constant_output_gives_zero_gradient_with_a_warning():
    with pytest.warns(UserWarning, match="not computed from argument 0") as record:
        assert grad(lambda x: 3.0)(1.0) == 0.0
    assert record[0].filename == __file__  # the warning points at the caller
    with pytest.warns(UserWarning, match="argument 1"):
        assert grad(lambda x, y: x * 2.0, argnums=(0, 1))(1.0, 5.0) == (2.0, 0.0)
    with pytest.warns(UserWarning):
        assert grad(lambda x: Value(4.0))(1.0) == 0.0
    with pytest.warns(UserWarning):
        assert hessian(lambda x: 1.0)(2.0) == 0.0
    with pytest.warns(UserWarning):
        assert hvp(lambda x: 1.0, 2.0, 1.0) == 0.0
    with pytest.warns(UserWarning):
        np.testing.assert_array_equal(jacobian(lambda x: [1.0, 2.0])(2.0), [0.0, 0.0])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert grad(lambda x: x.relu())(-1.0) == 0.0  # computed from x: a real zero, no warning
        assert hessian(lambda x: 3.0 * x)(2.0) == 0.0  # linear: zero Hessian, no warning


def test_bad_argnums_and_bad_f():
    with pytest.raises(ValueError, match="argument 2, but f was called with 2"):
        grad(lambda x, y: x, argnums=2)(1.0, 2.0)
    with pytest.raises(TypeError, match="argnums"):
        grad(lambda x: x, argnums="0")
    with pytest.raises(ValueError, match="twice"):
        grad(lambda x, y: x, argnums=(0, -2))(1.0, 2.0)
    with pytest.raises(TypeError, match="callable"):
        grad(3.0)


def test_hvp_checks_its_directions():
    with pytest.raises(ValueError, match="tuple of 2 directions"):
        hvp(rosenbrock, (1.0, 2.0), 1.0)
    with pytest.raises(TypeError, match="direction 0"):
        hvp(lambda x: x * x, 1.0, "a")


# --- gradcheck(order=2) --------------------------------------------------------------------------


def test_power_zero_has_zero_derivative_at_zero_like_torch():
    # 0 * 0 ** -1 would be nan: x ** 0 is a constant, and differentiating x ** 1 (from x ** 2) hits it
    assert grad(lambda x: x**0)(0.0) == 0.0 == torch.func.grad(lambda x: x**0)(*tt(0.0)).item()
    assert grad(grad(grad(lambda x: x**3)))(0.0) == 6.0
    assert grad(grad(lambda x: x**2))(0.0) == 2.0


def test_transforms_compose():
    quartic = lambda t: t**4  # noqa: E731
    assert grad(lambda x: hessian(quartic)(x))(2.0) == 48.0
    assert grad(lambda x: hvp(quartic, x, 1.0))(2.0) == 48.0
    assert grad(lambda x: jacobian(lambda t: [quartic(t), t * t])(x)[0])(2.0) == 48.0
    # d2/dx2 of 2 x^2 y is 4 y, d2/dxdy is 4 x
    f = lambda x, y: value_and_grad(lambda a: a * a * y)(x)[1] * x  # noqa: E731
    assert hessian(f, (0, 1))(1.5, 2.0) == ((8.0, 6.0), (6.0, 0.0))
    h = hvp(quartic, Value(2.0), 1.0)
    assert isinstance(h, Value) and h.data == 48.0


RNG = np.random.default_rng(7)


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
            assert_close_scaled(gi, ei, REL)
    for i in range(n):
        assert type(got_hvp[i]) is np.ndarray and got_hvp[i].shape == xs[i].shape
        assert_close_scaled(got_hvp[i], hv[i], REL)
        for j in range(n):
            assert type(got_hess[i][j]) is np.ndarray
            assert got_hess[i][j].shape == xs[i].shape + xs[j].shape
            assert_close_scaled(got_hess[i][j], hess[i][j], REL)
    # Tensors in, Tensors out (results are nodes, differentiable again), the same numbers
    ts = tuple(Tensor(x) for x in xs)
    tg = grad(ours, argnums)(*ts)
    th = hessian(ours, argnums)(*ts)
    thv = hvp(ours, ts, tuple(Tensor(v) for v in vs))
    for i in range(n):
        assert isinstance(tg[i], Tensor) and tg[i].shape == xs[i].shape
        assert_close_scaled(tg[i].data, expected[i], REL)
        assert isinstance(thv[i], Tensor) and thv[i].shape == xs[i].shape
        assert_close_scaled(thv[i].data, hv[i], REL)
        for j in range(n):
            assert isinstance(th[i][j], Tensor) and th[i][j].shape == xs[i].shape + xs[j].shape
            assert_close_scaled(th[i][j].data, hess[i][j], REL)


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


X = np.linspace(-1.0, 1.0, 12).reshape(4, 3)


Y = np.array([0, 2, 1, 2])


WEIGHT_SHAPES = [(3, 4), (4,), (4, 3), (3,)]  # 31 weights in all


def tensor_mlp_loss(W1: Any, b1: Any, W2: Any, b2: Any) -> Any:
    """A 3-4-3 tanh MLP on four points, mean softmax cross-entropy (fused, our op)."""
    return cross_entropy((X @ W1 + b1).tanh() @ W2 + b2, Y)


def tensor_mlp_loss_torch(W1: Any, b1: Any, W2: Any, b2: Any) -> Any:
    return F.cross_entropy((t64(X) @ W1 + b1).tanh() @ W2 + b2, torch.tensor(Y))


def tensor_mlp_loss_composed(W1: Any, b1: Any, W2: Any, b2: Any) -> Any:
    """The same loss from log_softmax and indexing, on both engines."""
    logits = (t_like(W1, X) @ W1 + b1).tanh() @ W2 + b2
    return -logits.log_softmax(1)[np.arange(4), Y].mean()


@pytest.mark.parametrize(
    "ours", [tensor_mlp_loss, tensor_mlp_loss_composed], ids=["mlp_loss", "mlp_loss_composed"]
)
def test_small_tensor_mlp_loss_against_torch(ours: Callable[..., Any]) -> None:
    weights = tuple(away_from_kinks(s, 0.3, 1.5, RNG, "every third") for s in WEIGHT_SHAPES)
    tw = tuple(t64(w) for w in weights)
    argnums = (0, 1, 2, 3)
    theirs = tensor_mlp_loss_torch if ours is tensor_mlp_loss else tensor_mlp_loss_composed
    for got, expected in zip(grad(ours, argnums)(*weights), torch.func.grad(theirs, argnums)(*tw)):
        assert_close_scaled(got, expected, REL)
    got_h, expected_h = hessian(ours, argnums)(*weights), TF.hessian(theirs, tw)
    for i in range(4):
        for j in range(4):
            assert got_h[i][j].shape == WEIGHT_SHAPES[i] + WEIGHT_SHAPES[j]
            assert_close_scaled(got_h[i][j], expected_h[i][j], REL)
    vs = tuple(np.cos(np.arange(w.size)).reshape(w.shape) for w in weights)
    for got, expected in zip(hvp(ours, weights, vs), TF.hvp(theirs, tw, tuple(t64(v) for v in vs))[1]):
        assert_close_scaled(got, expected, REL)
    gradcheck(ours, *weights, order=2)  # 31 entries: the full Hessian, entry by entry


def test_mlp_hvp_never_forms_the_hessian_and_scales_to_many_weights() -> None:
    W1, W2 = (
        away_from_kinks((3, 64), 0.3, 1.5, RNG, "every third"),
        away_from_kinks((64, 3), 0.3, 1.5, RNG, "every third"),
    )  # 384 weights
    b1, b2 = np.zeros(64), np.zeros(3)
    vs = (np.ones_like(W1), np.ones_like(b1), np.ones_like(W2), np.ones_like(b2))
    tw = tuple(t64(w) for w in (W1, b1, W2, b2))
    expected = TF.hvp(tensor_mlp_loss_torch, tw, tuple(t64(v) for v in vs))[1]
    for got, e in zip(hvp(tensor_mlp_loss, (W1, b1, W2, b2), vs), expected):
        assert_close_scaled(got, e, REL)


def rosenbrock_n(x: Any) -> Any:
    return (100.0 * (x[1:] - x[:-1] ** 2) ** 2 + (1.0 - x[:-1]) ** 2).sum()


@pytest.mark.parametrize("n", [2, 5, 10])
def test_rosenbrock_in_n_dimensions_against_torch(n: int) -> None:
    x = np.linspace(-1.2, 1.1, n)
    v = np.sin(np.arange(n) + 0.5)
    assert_close_scaled(grad(rosenbrock_n)(x), torch.func.grad(rosenbrock_n)(t64(x)), REL)
    assert_close_scaled(hessian(rosenbrock_n)(x), TF.hessian(rosenbrock_n, t64(x)), REL)
    assert_close_scaled(hvp(rosenbrock_n, x, v), TF.hvp(rosenbrock_n, t64(x), t64(v))[1], REL)
    assert hessian(rosenbrock_n)(x).shape == (n, n)
    gradcheck(rosenbrock_n, x, order=2)


def test_newton_minimises_the_n_dimensional_rosenbrock_with_grad_and_hessian() -> None:
    x = np.full(5, 0.5)
    steps = 0
    while steps < 30:
        steps += 1
        x = x - np.linalg.solve(hessian(rosenbrock_n)(x), grad(rosenbrock_n)(x))
        if np.abs(x - 1.0).max() < 1e-12:
            break
    assert steps <= 15, steps
    assert np.abs(grad(rosenbrock_n)(x)).max() < 1e-9


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
        assert_close_scaled(o, t, REL)
    as_tensor = jacobian(f)(Tensor(x), y)
    assert isinstance(as_tensor, Tensor) and as_tensor.shape == (2, 2, 3)
    assert_close_scaled(as_tensor.data, theirs[0], REL)
    # a tuple of outputs: one Jacobian per output
    two = jacobian(lambda a: (a.softmax(1), a.sum(0)))(x)
    expected = TF.jacobian(lambda a: (a.softmax(1), a.sum(0)), t64(x))
    assert two[0].shape == (2, 3, 2, 3) and two[1].shape == (3, 2, 3)
    for o, t in zip(two, expected):
        assert_close_scaled(o, t, REL)


def test_hessian_of_a_tensor_is_the_jacobian_of_its_gradient() -> None:
    x = away_from_kinks((2, 3), 0.3, 1.5, RNG, "every third")
    f = lambda a: (a.exp() * a.log_softmax(0)).sum()  # noqa: E731
    assert_close_scaled(hessian(f)(x), jacobian(grad(f))(x), REL)
    assert_close_scaled(hessian(f)(x).reshape(6, 6), hessian(f)(x).reshape(6, 6).T, REL)


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
            assert_close_scaled(h[i][j], expected[i][j], REL)
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
        assert_close_scaled(got, TF.hessian(theirs or ours, t64(x)), REL)
