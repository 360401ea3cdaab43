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
