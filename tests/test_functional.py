"""grad, value_and_grad, jacobian, hessian, hvp and gradcheck(order=2), against torch float64."""

from __future__ import annotations

import math
import warnings

import numpy as np
import pytest
import torch
from helpers import rel_close
from torch.autograd import functional as TF

from autograd import GradcheckError, Value, grad, gradcheck, hessian, hvp, jacobian, no_grad, value_and_grad
from autograd.graph import record

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


def rosenbrock(x, y):
    return (1.0 - x) ** 2 + 100.0 * (y - x * x) ** 2


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


def test_gradcheck_order_2_catches_a_wrong_second_derivative():
    # a square whose rule is right on numbers but treats x as a constant under create_graph:
    # first derivatives pass, second derivatives must not
    rule = (lambda g, out, a: g * 2.0 * (a.data if isinstance(a, Value) else a),)

    def bad_square(x):
        return record(x.data * x.data, (x,), rule, "bad**2")

    gradcheck(lambda x: bad_square(x) * 3.0, 1.5)
    with pytest.raises(GradcheckError, match="1 of 1 second derivatives") as err:
        gradcheck(lambda x: bad_square(x) * 3.0, 1.5, order=2)
    assert "NO" in err.value.table
    with pytest.raises(ValueError, match="order"):
        gradcheck(lambda x: x, 1.0, order=3)


def test_gradcheck_order_2_along_random_directions_for_many_inputs():
    xs = [0.1 * i - 3.0 for i in range(70)]  # more than 64 entries: Hessian-vector products
    gradcheck(lambda *v: sum((a * b).tanh() for a, b in zip(v, v[1:])), *xs, order=2)
    rule = (lambda g, out, a: g * 2.0 * (a.data if isinstance(a, Value) else a),)
    bad_square = lambda x: record(x.data * x.data, (x,), rule, "bad**2")  # noqa: E731
    with pytest.raises(GradcheckError, match="second derivatives"):
        gradcheck(lambda *v: sum(bad_square(a) for a in v[:3]) + sum(v), *xs, order=2)


def test_gradcheck_order_2_report(capsys):
    gradcheck(rosenbrock, -1.2, 1.0, order=2, verbose=True)
    out = capsys.readouterr().out
    assert "analytic" in out and out.count("yes") == 2 + 4


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
