"""Failures the fuzzer (test_fuzz.py) found, kept as regular tests.

Each test names the program that failed, in its smallest form, and what was wrong.
"""

from __future__ import annotations

import numpy as np
import torch

from autograd import Tensor


def _second_derivative(x0: float) -> float:
    """d2/dx2 of (x * x + 1.25) ** (2 tanh x) through create_graph, at x0."""
    x = Tensor(np.array([x0]), requires_grad=True)
    y = ((1.0 + x) ** 2 + 0.25) ** (x.tanh() * 2)
    y.sum().backward(create_graph=True)
    g = x.grad
    x.zero_grad()
    g.sum().backward()
    return float(x.grad[0])


def _first_derivative(x0: float) -> float:
    x = Tensor(np.array([x0]), requires_grad=True)
    (((1.0 + x) ** 2 + 0.25) ** (x.tanh() * 2)).sum().backward()
    return float(x.grad[0])


def test_pow_second_derivative_where_a_tensor_exponent_is_zero() -> None:
    """``a ** b`` with a Tensor exponent passing through 0: the base rule replaced the base by 1
    wherever b == 0 (to make d(x ** 0)/dx 0 at x = 0), so under create_graph the derivative of
    ``b * a ** (b - 1)`` with respect to b came out as 1 instead of 1 / a. Now the base is replaced
    only where b == 0 and a == 0. (torch differs from both here: its pow backward masks the whole
    term where the exponent is 0, so its mixed second derivative there is 0; we check against
    central differences of the first derivative instead.)
    """
    h = 1e-6
    fd = (_first_derivative(h) - _first_derivative(-h)) / (2 * h)
    assert abs(_second_derivative(0.0) - fd) < 1e-6 * max(1.0, abs(fd))


def test_pow_first_derivative_at_zero_exponent_matches_torch() -> None:
    """The fix keeps the first derivatives of ``x ** 0`` (also at x = 0) and of ``a ** b`` at b = 0."""
    base = np.array([0.0, 1.5, 0.0, 2.0])
    expo = np.array([0.0, 0.0, 2.0, 0.0])
    a, b = Tensor(base.copy(), requires_grad=True), Tensor(expo.copy(), requires_grad=True)
    (a**b).sum().backward()
    ta = torch.tensor(base, requires_grad=True)
    tb = torch.tensor(expo, requires_grad=True)
    (ta**tb).sum().backward()
    np.testing.assert_allclose(a.grad, ta.grad.numpy(), rtol=1e-12)
    np.testing.assert_allclose(b.grad, tb.grad.numpy(), rtol=1e-12)


def test_pow_zero_derivatives_are_zero_at_a_tiny_base() -> None:
    """``x ** 0`` at x = 1e-200 (x ** -2 overflows): the second derivative was 0 * inf = nan.

    Found as ``(x0 + x1 + x2 + x3) ** 0`` with leaves of 4.9e-255. The first derivative at a
    subnormal x (where x ** -1 overflows) is 0 as well; torch gives 0 for both.
    """
    for x0 in (1e-200, 5e-324, 0.0, 2.0):
        x = Tensor(np.array([x0]), requires_grad=True)
        (x**0).sum().backward(create_graph=True)
        first = x.grad
        x.zero_grad()
        assert np.array_equal(first.data, [0.0])
        if first.requires_grad:
            first.sum().backward()
            assert x.grad is None or np.array_equal(x.grad, [0.0])
        tx = torch.tensor([x0], dtype=torch.float64, requires_grad=True)
        (tg,) = torch.autograd.grad((tx**0).sum(), tx, create_graph=True)
        assert tg.item() == 0.0


def test_division_gradient_for_a_tiny_divisor() -> None:
    """d(a/b)/db was computed as -a / (b * b): for b = 1e-160, b * b is subnormal and the gradient
    came out 1e-5 off (and 0 or inf for smaller b while -a/b**2 is an ordinary number). Seen while
    shrinking a fuzzer failure that divided by a tiny number; now -(a/b)/b, as torch."""
    from autograd import Value

    for a0, b0 in ((1e-200, 1e-160), (3e-300, -2e-170), (1.0, 3.0)):
        ta = torch.tensor(a0, dtype=torch.float64, requires_grad=True)
        tb = torch.tensor(b0, dtype=torch.float64, requires_grad=True)
        (ta / tb).backward()
        a, b = Value(a0), Value(b0)
        (a / b).backward()
        assert b.grad == tb.grad.item() and a.grad == ta.grad.item()
        ta_, tb_ = Tensor([a0], requires_grad=True), Tensor([b0], requires_grad=True)
        (ta_ / tb_).sum().backward()
        assert tb_.grad[0] == tb.grad.item() and ta_.grad[0] == ta.grad.item()
