"""nn.Neuron / Layer / MLP on Values: API, init, the fused neuron node against plain Value ops."""

from __future__ import annotations

import math

import numpy as np
import pytest

import nn
from autograd import Value, no_grad
from autograd.graph import topological_order


def reference_neuron(neuron: nn.Neuron, x: list[Value]) -> Value:
    """The neuron written with ordinary Value ops, as a learner would."""
    act = neuron.b
    for wi, xi in zip(neuron.w, x):
        act = act + wi * xi
    return {"relu": act.relu, "tanh": act.tanh, "sigmoid": act.sigmoid}.get(neuron.activation, lambda: act)()


def reference_mlp(model: nn.MLP, x: list[float]) -> list[Value]:
    out = [Value(v) for v in x]
    for layer in model.layers:
        out = [reference_neuron(n, out) for n in layer.neurons]
    return out


def test_mlp_returns_a_value_for_one_output_and_a_list_otherwise() -> None:
    assert isinstance(nn.MLP(2, [16, 16, 1], seed=0)([0.5, -1.0]), Value)
    out = nn.MLP(3, [4, 2], seed=0)([1, 2, 3])
    assert isinstance(out, list) and len(out) == 2 and all(isinstance(v, Value) for v in out)
    x = [Value(0.3), np.float64(0.2)]
    assert isinstance(nn.MLP(2, [1, 1, 1], seed=0)(x), Value)  # hidden layers of width 1 work


def test_layer_and_neuron_calls() -> None:
    layer = nn.Layer(3, 1, activation="tanh", seed=0)
    assert isinstance(layer([1.0, 2.0, 3.0]), Value)
    assert len(nn.Layer(3, 4, seed=0)([1.0, 2.0, 3.0])) == 4
    assert isinstance(nn.Neuron(2, seed=0)([1.0, 2.0]), Value)


def test_parameter_count_order_and_names() -> None:
    model = nn.MLP(2, [16, 16, 1], seed=0)
    params = model.parameters()
    assert len(params) == 337
    named = list(model.named_parameters())
    assert [p for _, p in named] == params
    assert named[0][0] == "layers.0.neurons.0.w.0" and named[2][0] == "layers.0.neurons.0.b"


def test_seed_reproducible_and_init_scaled_by_fan_in() -> None:
    a = nn.MLP(2, [16, 16, 1], seed=3).state_dict()
    b = nn.MLP(2, [16, 16, 1], seed=3).state_dict()
    c = nn.MLP(2, [16, 16, 1], seed=4).state_dict()
    assert all(np.array_equal(a[k], b[k]) for k in a)
    assert any(not np.array_equal(a[k], c[k]) for k in a)
    model = nn.MLP(64, [32, 10], seed=0)
    w0 = np.array([w.data for n in model.layers[0].neurons for w in n.w])
    w1 = np.array([w.data for n in model.layers[1].neurons for w in n.w])
    assert np.abs(w0).max() <= math.sqrt(6 / 64) and np.abs(w1).max() <= math.sqrt(3 / 32)
    assert abs(w0.var() - 2 / 64) < 0.2 * 2 / 64  # He: variance 2 / fan_in
    assert all(n.b.data == 0.0 for layer in model.layers for n in layer.neurons)
    rng = np.random.default_rng(5)
    assert nn.MLP(2, [3, 1], seed=rng).state_dict() != nn.MLP(2, [3, 1], seed=rng).state_dict()


@pytest.mark.parametrize("activation", ["relu", "tanh", "sigmoid", None])
def test_fused_neuron_matches_plain_value_ops(activation: str | None) -> None:
    rng = np.random.default_rng(0)
    for trial in range(20):
        neuron = nn.Neuron(5, activation=activation, seed=trial)
        xs = [Value(float(v)) for v in rng.normal(size=5)]
        out = neuron(xs)
        ref = reference_neuron(neuron, xs)
        assert out.data == ref.data  # the same float operations in the same order
        (out * 1.7).backward()
        got = [p.grad for p in (*neuron.parameters(), *xs)]
        for p in (*neuron.parameters(), *xs):
            p.grad = 0.0
        (ref * 1.7).backward()
        want = [p.grad for p in (*neuron.parameters(), *xs)]
        np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-15)


def test_mlp_matches_plain_value_ops_forward_and_backward() -> None:
    model = nn.MLP(3, [8, 8, 2], seed=1)
    x = [0.3, -1.2, 0.8]
    out = model(x)
    ref = reference_mlp(model, x)
    assert [v.data for v in out] == [v.data for v in ref]
    (out[0] * out[1]).backward()
    got = [p.grad for p in model.parameters()]
    model.zero_grad()
    assert all(p.grad == 0.0 for p in model.parameters())
    (ref[0] * ref[1]).backward()
    np.testing.assert_allclose(got, [p.grad for p in model.parameters()], rtol=1e-12, atol=1e-15)


@pytest.mark.parametrize("activation", ["relu", "tanh", "sigmoid"])
def test_second_derivatives_through_the_fused_neuron(activation: str) -> None:
    neuron = nn.Neuron(2, activation=activation, seed=2)
    neuron.b.data = 0.3  # keep a ReLU neuron on
    x = [Value(0.7), Value(-0.4)]
    y = neuron(x)
    y.backward(create_graph=True)
    g = x[0].grad
    assert isinstance(g, Value)
    for v in (*neuron.parameters(), *x):
        v.grad = 0.0
    g.backward()
    got = x[0].grad
    for v in (*neuron.parameters(), *x):
        v.grad = 0.0
    r = reference_neuron(neuron, x)
    r.backward(create_graph=True)
    rg = x[0].grad
    for v in (*neuron.parameters(), *x):
        v.grad = 0.0
    rg.backward()
    assert got == pytest.approx(x[0].grad, rel=1e-12, abs=1e-15)


def test_graph_is_small_and_no_grad_builds_none() -> None:
    model = nn.MLP(2, [16, 16, 1], seed=0)
    out = model([0.5, -0.5])
    nodes = topological_order(out)
    assert len(nodes) < 400  # 337 parameters, 2 inputs and one node per neuron
    with no_grad():
        out = model([0.5, -0.5])
    assert out._inputs == ()


def test_off_relu_neuron_passes_zero_gradient() -> None:
    neuron = nn.Neuron(2, seed=0)
    neuron.b.data = -100.0
    x = [Value(1.0), Value(2.0)]
    y = neuron(x)
    assert y.data == 0.0
    (y + x[0]).backward()
    assert x[0].grad == 1.0 and x[1].grad == 0.0 and neuron.b.grad == 0.0


def test_predict_matches_calls() -> None:
    model = nn.MLP(2, [8, 3], activation="tanh", seed=0)
    X = np.random.default_rng(0).normal(size=(5, 2))
    want = np.array([[v.data for v in model(row)] for row in X.tolist()])
    np.testing.assert_allclose(model.predict(X), want, rtol=1e-12)
    assert nn.MLP(2, [4, 1], seed=0).predict(X).shape == (5,)


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: nn.MLP(2, [16, 1])([1.0, 2.0, 3.0]), "expected 2 inputs, got 3"),
        (lambda: nn.MLP(2, [16, 1])(1.0), "expected a list of 2"),
        (lambda: nn.MLP(2, [])([1.0]), "non-empty list"),
        (lambda: nn.MLP(0, [1]), "nin must be a positive int"),
        (lambda: nn.MLP(2, [4, 0]), "positive int"),
        (lambda: nn.Neuron(2, activation="gelu"), "activation must be"),
        (lambda: nn.MLP(2, [1], seed=-1), "seed must be"),
    ],
)
def test_errors(call, message: str) -> None:
    with pytest.raises((ValueError, TypeError), match=message):
        call()


def test_classic_demo_reaches_100_percent_within_100_steps() -> None:
    X, y01 = nn.make_moons(100, noise=0.1, seed=0)
    y = 2 * y01 - 1
    model = nn.MLP(2, [16, 16, 1], seed=0)
    opt = nn.optim.SGD(model.parameters(), lr=1.0)
    rows = X.tolist()
    for k in range(100):
        scores = [model(row) for row in rows]
        loss = nn.hinge_loss(scores, y) + 1e-4 * sum(p * p for p in model.parameters())
        if nn.accuracy(scores, y) == 1.0:
            break
        model.zero_grad()
        loss.backward()
        opt.lr = 1.0 - 0.9 * k / 100
        opt.step()
    assert nn.accuracy(model.predict(X), y) == 1.0, f"stopped at step {k}"
