"""gradcheck (autograd/check.py): it passes right rules and reports wrong ones (first and second
order), needs a scalar output, checks large inputs along random directions, and takes Values,
Tensors and arrays alike.
"""

from __future__ import annotations

import numpy as np
import pytest
from helpers import away_from_kinks, rosenbrock

from autograd import (
    GradcheckError,
    Tensor,
    Value,
    gradcheck,
)
from autograd.elementwise import TANH
from autograd.graph import record

RNG = np.random.default_rng(0)


def test_gradcheck_reports_a_wrong_rule(monkeypatch):
    monkeypatch.setattr(TANH, "rules", (lambda g, out, a: g * (1 + out * out),))
    with pytest.raises(GradcheckError) as info:
        gradcheck(lambda x: x.tanh(), 0.5)
    assert "analytic" in info.value.table and "NO" in info.value.table


def test_gradcheck_needs_scalar_output_and_inputs():
    with pytest.raises(ValueError, match="at least one input"):
        gradcheck(lambda: Value(1.0))
    with pytest.raises(TypeError, match="scalar Value"):
        gradcheck(lambda x: [x, x], 1.0)


def test_gradcheck_mixed_values_tensors_and_large_inputs() -> None:
    big = away_from_kinks((30, 20), 0.2, 2.0, RNG)  # 600 entries: checked along random directions
    w = Tensor(away_from_kinks((20,), 0.2, 2.0, RNG))
    gradcheck(lambda x, s: ((x @ w).tanh() * s).sum(), big, np.array(0.7))
    gradcheck(lambda x, s: ((x @ w).tanh() * s).sum(), Tensor(big), Tensor(0.7))

    def wrong(x: Tensor) -> Tensor:
        y = x.exp()
        y._vjps = (lambda g, out, a: g,)  # a wrong derivative
        return y.sum()

    with pytest.raises(GradcheckError) as err:
        gradcheck(wrong, big)
    assert "dir 0" in err.value.table and "NO" in err.value.table
    with pytest.raises(GradcheckError):
        gradcheck(wrong, np.array([0.5, 1.0]))


def test_gradcheck_second_order_with_tensors_and_arrays() -> None:
    x, s = (
        away_from_kinks((2, 3), 0.2, 2.0, RNG),
        np.array(0.7),
    )  # a 0-d array is a Tensor leaf, as in order 1
    gradcheck(lambda a, b: ((a @ a.T).tanh() * b * b).sum(), x, s, order=2)
    gradcheck(lambda a: (a.softmax(1) * a).sum(), Tensor(away_from_kinks((3, 30), 0.2, 2.0, RNG)), order=2)


def test_gradcheck_needs_a_scalar_tensor() -> None:
    with pytest.raises(TypeError, match=r"shape \(2,\)"):
        gradcheck(lambda x: x * 2, np.ones(2))
    gradcheck(lambda x: (x * 2).sum(keepdims=True), np.ones((2, 2)))  # a (1, 1) result is fine
    gradcheck(lambda x: x.sum(), Tensor(np.ones(3), dtype=np.float32))  # checked in float64


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
