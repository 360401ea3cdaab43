"""Code written for micrograd runs on graphgrad Values: the fields its lecture's helpers read
(``_prev``, ``_op``, ``data``, ``grad``, ``label``), and the lecture's tanh network.

The two helpers below are written here in the lecture's style (collect the nodes and edges by
walking ``_prev``; draw each node as a record with an op node in front of it), not imported.
"""

from __future__ import annotations

from typing import Any

import graphviz
import numpy as np
import pytest

import nn
from autograd import Value


def trace(root: Any) -> tuple[set[Any], set[tuple[Any, Any]]]:
    """Every node and every (input, user) edge behind ``root``, read from ``_prev``."""
    nodes: set[Any] = set()
    edges: set[tuple[Any, Any]] = set()
    stack = [root]
    while stack:
        v = stack.pop()
        if v in nodes:
            continue
        nodes.add(v)
        for child in v._prev:
            edges.add((child, v))
            stack.append(child)
    return nodes, edges


def draw_dot(root: Any) -> graphviz.Digraph:
    """A left-to-right graph: one record per value, one small node per op, as the lecture draws."""
    dot = graphviz.Digraph(format="svg", graph_attr={"rankdir": "LR"})
    nodes, edges = trace(root)
    for n in nodes:
        uid = str(id(n))
        dot.node(name=uid, label=f"{{ {n.label} | data {n.data:.4f} | grad {n.grad:.4f} }}", shape="record")
        if n._op:
            dot.node(name=uid + n._op, label=n._op)
            dot.edge(uid + n._op, uid)
    for a, b in edges:
        dot.edge(str(id(a)), str(id(b)) + b._op)
    return dot


def test_the_lecture_neuron_traces_and_draws() -> None:
    x1, x2 = Value(2.0, label="x1"), Value(0.0, label="x2")
    w1, w2 = Value(-3.0, label="w1"), Value(1.0, label="w2")
    b = Value(6.8813735870195432, label="b")
    x1w1 = x1 * w1
    x1w1.label = "x1*w1"
    x2w2 = x2 * w2
    x2w2.label = "x2*w2"
    n = x1w1 + x2w2 + b
    n.label = "n"
    o = n.tanh()
    o.label = "o"
    o.backward()
    nodes, edges = trace(o)
    assert len(nodes) == 10 and len(edges) == 9
    assert {v.label for v in nodes} >= {"x1", "w1", "b", "n", "o"}
    assert {v._op for v in nodes} == {"", "*", "+", "tanh"}  # leaves have no op, as in micrograd
    assert round(x1.grad, 4) == -1.5 and round(w1.grad, 4) == 1.0 and round(x2.grad, 4) == 0.5
    source = draw_dot(o).source
    assert "rankdir=LR" in source and source.count("shape=record") == 10
    assert "{ x1 | data 2.0000 | grad -1.5000 }" in source and "label=tanh" in source


def test_prev_is_read_only_and_holds_each_input_once() -> None:
    a = Value(3.0)
    y = a * a
    assert y._prev == frozenset({a}) and Value(1.0)._prev == frozenset()
    with pytest.raises(AttributeError):
        y._prev = set()  # type: ignore[misc]


def test_the_lecture_network_learns_its_four_examples() -> None:
    xs = [[2.0, 3.0, -1.0], [3.0, -1.0, 0.5], [0.5, 1.0, 1.0], [1.0, 1.0, -1.0]]
    ys = [1.0, -1.0, -1.0, 1.0]
    final = []
    for seed in range(20):
        model = nn.MLP(3, [4, 4, 1], activation="tanh", output_activation="tanh", seed=seed)
        for _ in range(50):
            ypred = [model(x) for x in xs]
            loss = sum((yout - ygt) ** 2 for ygt, yout in zip(ys, ypred))
            for p in model.parameters():
                p.grad = 0.0
            loss.backward()
            for p in model.parameters():
                p.data += -0.05 * p.grad
        final.append(loss.data)
        assert all(-1.0 < y.data < 1.0 for y in ypred)  # tanh on the output
    assert max(final) < 0.1, final  # every seed learns, where ReLU hidden layers often stick at 4.0
    assert len(trace(loss)[0]) > 50 and draw_dot(loss).source.count("tanh(w·x+b)") > 0


def test_mlp_output_activation_options_and_default() -> None:
    default = nn.MLP(2, [3, 1], seed=0)
    assert default.layers[-1].activation is None and default.output_activation is None
    assert "output_activation" not in repr(default)
    for act in ("tanh", "relu", "sigmoid"):
        model = nn.MLP(2, [3, 1], seed=0, output_activation=act)
        assert model.layers[-1].activation == act and f"output_activation={act!r}" in repr(model)
        grid = np.array([[0.5, -1.0], [2.0, 0.25]])
        np.testing.assert_allclose(model.predict(grid), [model(list(x)).data for x in grid], rtol=1e-12)
    with pytest.raises(ValueError, match="MLP: output_activation must be 'relu', 'tanh', 'sigmoid' or None"):
        nn.MLP(2, [1], output_activation="softmax")
