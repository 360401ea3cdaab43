"""The elementwise rule table (``autograd.elementwise``): each function's derivative is written once
and both node kinds use it; each rule gives the same numbers on floats, ndarrays, Values and
Tensors, edge cases (0, nan, inf, the softplus threshold) included."""

from __future__ import annotations

import math
import warnings
from typing import Any

import numpy as np
import pytest

from autograd import Tensor, Value, grad
from autograd.elementwise import (
    ELU,
    LEAKY_RELU,
    SOFTPLUS_THRESHOLD,
    TABLE,
    Elementwise,
    divide,
    where,
)

PARAMS: dict[str, tuple[float, ...]] = {"leaky_relu": (0.1,), "elu": (0.7,)}
POINTS = [-30.0, -3.0, -1.0, -0.5, -1e-300, -0.0, 0.0, 1e-300, 0.5, 1.0, 3.0, 19.99, 20.0, 20.01, 800.0]
EDGES = [math.inf, -math.inf, math.nan]
INCOMING = [1.0, -2.5, 0.0, math.inf, math.nan]
MASKED = {"relu": lambda x: ~(x > 0) & ~np.isnan(x), "abs": lambda x: (x == 0) | np.isnan(x)}
"""Where relu's and abs's rules block the gradient (a Value answers 0.0 there, a Tensor g * 0)."""


def method(x: Any, name: str, *params: float) -> Any:
    return -x if name == "neg" else getattr(x, name)(*params)


def same(a: Any, b: Any) -> bool:
    """Equal numbers, nan equal to nan (signed zeros are equal)."""
    return bool(np.array_equal(np.asarray(a, dtype=float), np.asarray(b, dtype=float), equal_nan=True))


@pytest.mark.parametrize("name", sorted(TABLE))
def test_value_and_tensor_ops_record_the_tables_rule_and_compute_its_forward(name: str) -> None:
    entry, params = TABLE[name], PARAMS.get(name, ())
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for x in POINTS + EDGES:
            v = method(Value(x), name, *params)
            assert same(v.data, entry.on_float(x, *params))
            assert v.rules[0] is entry.rule
        t = method(Tensor(np.array(POINTS + EDGES), requires_grad=True), name, *params)
    assert same(t.data, entry.on_array(np.array(POINTS + EDGES), *params))
    if params:  # a Tensor keeps the parameter as an attr (not an input): its rule binds it to the table's
        g, x = np.linspace(-1.0, 1.0, t.size), np.array(POINTS + EDGES)
        assert same(t.rules[0](g, t.data, x), entry.rule(g, t.data, x, *params))
    else:
        assert t.rules[0] is entry.rule


@pytest.mark.parametrize("name", sorted(TABLE))
def test_each_rule_gives_the_same_numbers_on_floats_arrays_values_and_tensors(name: str) -> None:
    entry, params = TABLE[name], PARAMS.get(name, ())
    xs = [x for x in POINTS + EDGES if not (name == "log" and (x <= 0 or math.isnan(x)))]
    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore")
        for g in INCOMING:
            outs = [entry.on_float(x, *params) for x in xs]
            on_floats = [entry.rule(g, out, x, *params) for out, x in zip(outs, xs)]
            assert all(type(r) is float for r in on_floats), name
            x_arr, out_arr = np.array(xs), np.array(outs)
            on_array = entry.rule(np.full(len(xs), g), out_arr, x_arr, *params)
            keep = np.ones(len(xs), bool)
            if name in MASKED and not math.isfinite(g):  # (see test_relu_and_abs_block_...)
                keep = ~MASKED[name](x_arr)
            np.testing.assert_allclose(
                on_array[keep], np.array(on_floats)[keep], rtol=1e-14, atol=0, equal_nan=True
            )
            on_values = [
                entry.rule(Value(g), Value(out), Value(x), *params) for out, x in zip(outs, xs)
            ]
            assert same([r.data if isinstance(r, Value) else r for r in on_values], on_floats)
            on_tensor = entry.rule(
                Tensor(np.full(len(xs), g), requires_grad=True), Tensor(out_arr), Tensor(x_arr), *params
            )
            assert isinstance(on_tensor, Tensor)
            assert same(on_tensor.data, on_array)


@pytest.mark.parametrize("name", sorted(TABLE))
def test_float32_tensors_keep_float32_gradients(name: str) -> None:
    params = PARAMS.get(name, ())
    x = Tensor(np.array([-2.0, -0.5, 0.0, 0.5, 2.0, 25.0], dtype=np.float32) + (3.0 if name == "log" else 0),
               requires_grad=True)  # fmt: skip
    method(x, name, *params).sum().backward()
    assert x.data.dtype == x.grad.dtype == np.float32


def gradient(name: str, x: float, g: float = 1.0) -> float:
    v = Value(x)
    method(v, name, *PARAMS.get(name, ())).backward(g)
    return v.grad


def test_the_conventions_at_the_kinks_are_torchs() -> None:
    assert gradient("relu", 0.0) == 0.0 and gradient("relu", 1e-300) == 1.0
    assert math.isnan(Value(math.nan).relu().data) and gradient("relu", math.nan, 2.0) == 2.0
    assert gradient("relu", -1.0, math.inf) == 0.0  # blocked: 0, whatever arrives
    assert gradient("abs", 0.0) == 0.0 and gradient("abs", math.nan) == 0.0 and gradient("abs", -2.0) == -1.0
    assert gradient("leaky_relu", 0.0) == 0.1 and gradient("leaky_relu", 2.0) == 1.0
    assert gradient("elu", 0.0) == 0.7 and gradient("elu", 1.0) == 1.0
    assert gradient("elu", math.nan, 3.0) == 3.0
    assert gradient("softplus", SOFTPLUS_THRESHOLD + 0.01, 3.0) == 3.0  # x itself above the threshold
    assert Value(SOFTPLUS_THRESHOLD + 0.01).softplus().data == SOFTPLUS_THRESHOLD + 0.01
    assert gradient("softplus", SOFTPLUS_THRESHOLD) == pytest.approx(1 / (1 + math.exp(-20.0)), rel=1e-15)
    assert gradient("tanh", 800.0) == 0.0 and gradient("sigmoid", -800.0) == 0.0
    assert gradient("exp", 800.0) == math.inf and gradient("log", 0.0) == math.inf
    assert gradient("log", -1.0) == -1.0
    # the elu's derivative is the constant alpha at 0: its second derivative there is 0, as torch
    assert grad(grad(lambda x: x.elu(0.7)))(Value(0.0)).data == 0.0
    assert grad(grad(lambda x: x.elu(0.7)))(Value(-1.0)).data == pytest.approx(0.7 * math.exp(-1.0))


def test_relu_and_abs_block_the_gradient_the_way_each_kind_did() -> None:
    # where relu or abs blocks the gradient, a Value gives 0.0 whatever arrives (as torch's relu);
    # a Tensor multiplies by the mask (fast), so an infinite or nan gradient gives nan there
    assert gradient("relu", -1.0, math.inf) == 0.0 and gradient("abs", 0.0, math.nan) == 0.0
    for name in ("relu", "abs"):
        t = Tensor([0.0, -1.0 if name == "relu" else math.nan], requires_grad=True)
        method(t, name).backward(np.array([math.inf, math.inf]))
        assert np.isnan(t.grad).all()


def test_value_log_warns_and_so_does_tensor_log() -> None:
    with pytest.warns(RuntimeWarning, match="Value.log: log of 0"):
        Value(0.0).log()
    with pytest.warns(RuntimeWarning, match="Tensor.log: log of 0"):
        Tensor([0.0, 1.0]).log()


def test_second_derivatives_through_the_table_agree_for_values_and_tensors() -> None:
    xs = [-2.0, -0.5, 0.5, 1.5, 25.0]
    for name in sorted(TABLE):
        params = PARAMS.get(name, ())
        pts = [x for x in xs if name != "log" or x > 0]

        def f(t: Any, name: str = name, params: tuple[float, ...] = params) -> Any:
            return method(t, name, *params)

        d2_values = [grad(grad(f))(Value(x)).data for x in pts]
        d2_tensor = grad(lambda t: grad(lambda u: f(u).sum())(t).sum())(Tensor(pts, requires_grad=True))
        np.testing.assert_allclose(d2_tensor.data, d2_values, rtol=1e-12, atol=1e-300, err_msg=name)


def test_the_fused_neuron_uses_the_tables_rules() -> None:
    from autograd.elementwise import SIGMOID, TANH
    from autograd.graph import pass_through
    from nn.scalar import Neuron

    for activation, first in (("tanh", TANH.rule), ("sigmoid", SIGMOID.rule), (None, pass_through)):
        y = Neuron(2, activation=activation, seed=0)([1.0, -1.0])
        assert y.rules[0] is first


def test_the_helpers_pick_the_version_for_what_they_are_given() -> None:
    assert divide(1.0, 0.0) == math.inf and math.isnan(divide(0.0, 0.0))
    assert isinstance(divide(Value(1.0), Value(2.0)), Value)
    assert where(True, 1.0, 2.0) == 1.0 and isinstance(where(np.array([True]), Tensor([1.0]), 0.0), Tensor)
    assert isinstance(ELU, Elementwise) and LEAKY_RELU(-2.0, 0.1) == pytest.approx(-0.2)
    assert isinstance(TABLE["exp"](Value(0.0)), Value) and TABLE["exp"](1000.0) == math.inf
