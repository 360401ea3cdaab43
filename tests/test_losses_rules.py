"""The fused losses write each local derivative once: the same rule on raw arrays (an ordinary
backward pass) and on Tensors (create_graph=True) gives the same numbers, and the higher
derivatives it records match torch."""

from __future__ import annotations

import ast
import inspect
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest
import torch
import torch.nn.functional as F

import nn
from autograd import Tensor, gradients
from nn import losses

RNG = np.random.default_rng(20)
LOGITS = RNG.normal(size=(5, 3)) * 2
LABELS = np.array([0, 2, 1, 1, 0])
ROWS = RNG.dirichlet(np.ones(3), size=5)
PROBS = RNG.uniform(0.05, 0.95, size=(6, 1))
BITS = RNG.integers(0, 2, size=(6, 1)).astype(np.float64)
EDGES = np.array([[0.0], [-3.0], [2.5], [40.0], [-40.0], [0.0]])  # 0: both sides of the stable sigmoid

# (name, loss(pred, target, reduction), prediction, target, whether the target may be differentiated)
CASES: list[tuple[str, Callable[..., Any], np.ndarray, np.ndarray, bool]] = [
    ("cross_entropy, class indices", nn.cross_entropy, LOGITS, LABELS, False),
    ("cross_entropy, probability rows", nn.cross_entropy, LOGITS, ROWS, True),
    ("binary_cross_entropy", nn.binary_cross_entropy, PROBS, BITS, True),
    ("binary_cross_entropy_with_logits", nn.binary_cross_entropy_with_logits, EDGES, PROBS, True),
]
IDS = [case[0] for case in CASES]


def _inputs(pred: np.ndarray, target: np.ndarray, differentiable: bool) -> tuple[Tensor, Any]:
    z = Tensor(pred.copy(), requires_grad=True)
    t = Tensor(target.copy(), requires_grad=True) if differentiable else target
    return z, t


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
@pytest.mark.parametrize(("name", "loss_fn", "pred", "target", "differentiable"), CASES, ids=IDS)
def test_one_rule_gives_the_same_numbers_on_arrays_and_on_tensors(
    name: str, loss_fn: Any, pred: np.ndarray, target: np.ndarray, differentiable: bool, reduction: str
) -> None:
    z, t = _inputs(pred, target, differentiable)
    loss = loss_fn(z, t, reduction)
    assert len(list(loss._inputs)) == (2 if differentiable else 1)  # one fused node
    seed = RNG.normal(size=loss.shape)
    raw = gradients(loss, seed)
    graph = gradients(loss, Tensor(seed), create_graph=True)
    for node in (z, t) if differentiable else (z,):
        assert isinstance(raw[node], np.ndarray) and isinstance(graph[node], Tensor)
        assert graph[node].dtype == raw[node].dtype
        np.testing.assert_allclose(graph[node].data, raw[node], rtol=1e-13, atol=1e-15)


@pytest.mark.parametrize(("name", "loss_fn", "pred", "target", "differentiable"), CASES, ids=IDS)
def test_the_rules_second_derivatives_match_torch(
    name: str, loss_fn: Any, pred: np.ndarray, target: np.ndarray, differentiable: bool
) -> None:
    """d/d(pred, target) of <grad wrt pred, v>: the Hessian-vector products, as torch's."""
    z, t = _inputs(pred, target, differentiable)
    tz = torch.tensor(pred, requires_grad=True)
    tt = torch.tensor(target, requires_grad=differentiable)
    torch_loss = {
        nn.cross_entropy: F.cross_entropy,
        nn.binary_cross_entropy: F.binary_cross_entropy,
        nn.binary_cross_entropy_with_logits: F.binary_cross_entropy_with_logits,
    }[loss_fn]
    v = RNG.normal(size=pred.shape)
    first = gradients(loss_fn(z, t), Tensor(1.0), create_graph=True)[z]
    second = gradients((first * Tensor(v)).sum(), Tensor(1.0))
    (g,) = torch.autograd.grad(torch_loss(tz, tt), tz, create_graph=True)
    wanted = [tz, tt] if differentiable else [tz]
    theirs = torch.autograd.grad((g * torch.tensor(v)).sum(), wanted, allow_unused=True)
    np.testing.assert_allclose(first.data, g.detach().numpy(), rtol=1e-10, atol=1e-12)
    for node, hv in zip((z, t), theirs):
        expected = np.zeros(pred.shape) if hv is None else hv.numpy()
        np.testing.assert_allclose(np.asarray(second.get(node, 0.0)), expected, rtol=1e-8, atol=1e-12)


def test_bce_with_logits_second_derivative_at_zero_is_the_sigmoids() -> None:
    """At x = 0 the stable sigmoid takes its x >= 0 side, whose derivative there is 1/4."""
    x = Tensor(np.zeros(3), requires_grad=True)
    first = gradients(nn.binary_cross_entropy_with_logits(x, [1.0, 0.0, 0.5], "sum"), Tensor(1.0), True)[x]
    np.testing.assert_array_equal(first.data, [-0.5, 0.5, 0.0])
    np.testing.assert_array_equal(gradients(first.sum(), Tensor(1.0))[x], [0.25, 0.25, 0.25])


def test_a_probability_target_of_another_dtype_gets_its_gradient_in_its_dtype() -> None:
    z = Tensor(LOGITS.astype(np.float32), requires_grad=True)
    t = Tensor(ROWS, requires_grad=True)  # float64
    loss = nn.cross_entropy(z, t)
    loss.backward()
    assert z.grad.dtype == np.float32 and t.grad.dtype == np.float64
    expected = -torch.log_softmax(torch.tensor(LOGITS.astype(np.float32)), dim=1).numpy() / len(LOGITS)
    np.testing.assert_allclose(t.grad, expected, rtol=1e-5)


def test_no_rule_of_a_fused_loss_asks_whether_it_runs_on_tensors() -> None:
    """One formula per derivative: no rule in nn.losses branches on the kind of its arguments."""
    tree = ast.parse(inspect.getsource(losses))
    rules = [f for f in ast.walk(tree) if isinstance(f, ast.FunctionDef) and f.name.endswith("_rule")]
    assert len(rules) >= 6
    for rule in rules:
        called = {
            n.func.id for n in ast.walk(rule) if isinstance(n, ast.Call) and isinstance(n.func, ast.Name)
        }
        assert "isinstance" not in called, f"{rule.name} (line {rule.lineno}) branches on isinstance"
