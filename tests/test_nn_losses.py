"""The losses (nn/losses.py) against torch, values and gradients in float64: mse, cross-entropy (one
fused node, its second derivative, soft targets), binary cross-entropy and its form on logits, nll,
hinge, one_hot; the Value forms agree with the Tensor forms.
"""

from __future__ import annotations

import ast
import inspect
import math
import re
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from helpers import (
    HUGE_ROWS,
    against_torch_in_dtype,
    assert_close,
    raised_message,
)

import nn
from autograd import Tensor, Value, gradients
from autograd.graph import topological_order
from nn import losses
from nn.losses import cross_entropy

REDUCTIONS = ["mean", "sum", "none"]


def both(a: np.ndarray) -> tuple[Tensor, torch.Tensor]:
    return Tensor(a.copy(), requires_grad=True), torch.tensor(a, requires_grad=True)


def backward_both(ours, theirs, reduction: str, rng: np.random.Generator) -> None:
    if reduction == "none":
        g = rng.normal(size=ours.shape)
        ours.backward(g)
        theirs.backward(torch.tensor(g))
    else:
        ours.backward()
        theirs.backward()


@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_mse_matches_torch(reduction: str) -> None:
    rng = np.random.default_rng(0)
    p, tp = both(rng.normal(size=(6, 2)))
    y = rng.normal(size=(6, 2))
    out, tout = nn.mse_loss(p, y, reduction), F.mse_loss(tp, torch.tensor(y), reduction=reduction)
    assert_close(out.data, tout)
    backward_both(out, tout, reduction, rng)
    assert_close(p.grad, tp.grad)


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("onehot", [False, True])
def test_cross_entropy_matches_torch(reduction: str, onehot: bool) -> None:
    rng = np.random.default_rng(1)
    z, tz = both(rng.normal(size=(7, 4)) * 3)
    labels = rng.integers(0, 4, size=7)
    target = np.eye(4)[labels] if onehot else labels
    out = nn.cross_entropy(z, target, reduction)
    tout = F.cross_entropy(tz, torch.tensor(target), reduction=reduction)
    assert_close(out.data, tout)
    backward_both(out, tout, reduction, rng)
    assert_close(z.grad, tz.grad)


def test_cross_entropy_is_one_node_with_the_simple_backward() -> None:
    z = Tensor(np.array([[1e4, 0.0, -1e4], [0.5, 0.5, 0.5]]), requires_grad=True)
    loss = nn.cross_entropy(z, np.array([1, 2]))
    assert loss._op == "cross_entropy" and loss._inputs == (z,)
    assert [n for n in topological_order(loss)] == [loss, z]
    assert np.isfinite(loss.item())  # stable at 1e4
    loss.backward()
    p = np.exp(z.data - z.data.max(axis=1, keepdims=True))
    p /= p.sum(axis=1, keepdims=True)
    np.testing.assert_allclose(z.grad, (p - np.eye(3)[[1, 2]]) / 2)


def test_cross_entropy_second_derivative_matches_torch() -> None:
    rng = np.random.default_rng(2)
    a = rng.normal(size=(3, 4))
    z, tz = both(a)
    v = rng.normal(size=(3, 4))
    loss = nn.cross_entropy(z, np.array([0, 3, 1]))
    loss.backward(create_graph=True)
    (z.grad * Tensor(v)).sum().backward()
    tloss = F.cross_entropy(tz, torch.tensor([0, 3, 1]))
    (g,) = torch.autograd.grad(tloss, tz, create_graph=True)
    (hv,) = torch.autograd.grad((g * torch.tensor(v)).sum(), tz)
    # z.grad now holds the first gradient plus the Hessian-vector product
    np.testing.assert_allclose(
        np.asarray(z.grad.data if isinstance(z.grad, Tensor) else z.grad) - g.detach().numpy(),
        hv.numpy(),
        rtol=1e-8,
        atol=1e-12,
    )


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("soft", [False, True], ids=["indices", "probability rows"])
def test_cross_entropy_soft_targets_and_hvps_like_torch(reduction: str, soft: bool) -> None:
    """Every branch of the fused rule: raw and create_graph, indices and rows, each reduction."""
    rng = np.random.default_rng(4)
    z, tz = both(rng.normal(size=(5, 3)) * 2)
    labels = np.array([0, 2, 1, 1, 0])
    target = rng.dirichlet(np.ones(3), size=5) if soft else labels
    w = rng.normal(size=5 if reduction == "none" else ())
    v = rng.normal(size=(5, 3))
    loss = nn.cross_entropy(z, target, reduction)
    (loss * Tensor(w)).sum().backward(create_graph=True)
    first = z.grad
    (first * Tensor(v)).sum().backward()
    tloss = F.cross_entropy(tz, torch.tensor(target), reduction=reduction)
    assert_close(loss.data, tloss)
    (g,) = torch.autograd.grad((tloss * torch.tensor(w)).sum(), tz, create_graph=True)
    (hv,) = torch.autograd.grad((g * torch.tensor(v)).sum(), tz)
    assert_close(first.data, g)
    assert_close(np.asarray(z.grad.data) - first.data, hv)
    z2 = Tensor(z.data.copy(), requires_grad=True)  # the raw (first-order) path
    (nn.cross_entropy(z2, target, reduction) * Tensor(w)).sum().backward()
    assert_close(z2.grad, g)


def test_cross_entropy_float32_and_initial_loss_ln3() -> None:
    z = Tensor(np.zeros((5, 3), dtype=np.float32), requires_grad=True)
    loss = nn.cross_entropy(z, np.zeros(5, dtype=np.int64))
    assert loss.dtype == np.float32 and loss.item() == pytest.approx(math.log(3), rel=1e-6)
    loss.backward()
    assert z.grad.dtype == np.float32


@pytest.mark.parametrize(
    ("logits", "target", "message"),
    [
        (np.zeros((3, 4)), np.array([0, 1, 4]), r"class labels must lie in 0\.\.3, got 0\.\.4 \(4 classes"),
        (np.zeros((3, 4)), np.array([0, -1, 2]), "got -1"),
        (np.zeros((3, 4)), np.array([0, 1]), "3 rows of logits but 2 labels"),
        (np.zeros((3, 4)), np.array([0.5, 1, 2]), "whole numbers"),
        (np.zeros((3, 4)), np.eye(3), r"one-hot target has shape \(3, 3\)"),
        (np.zeros((3, 4)), np.ones((3, 4)), "one-hot"),
        (np.zeros(4), np.array([1]), r"shape \(N, C\)"),
    ],
)
def test_cross_entropy_errors(logits: np.ndarray, target: np.ndarray, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        nn.cross_entropy(Tensor(logits, requires_grad=True), target)


@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_binary_cross_entropy_matches_torch(reduction: str) -> None:
    rng = np.random.default_rng(3)
    p, tp = both(rng.uniform(0.01, 0.99, size=(8, 1)))
    y = rng.integers(0, 2, size=(8, 1)).astype(np.float64)
    out, tout = (
        nn.binary_cross_entropy(p, y, reduction),
        F.binary_cross_entropy(tp, torch.tensor(y), reduction=reduction),
    )
    assert_close(out.data, tout)
    backward_both(out, tout, reduction, rng)
    assert_close(p.grad, tp.grad)


def test_binary_cross_entropy_at_0_and_1_is_finite_like_torch() -> None:
    p, tp = both(np.array([0.0, 1.0, 0.5]))
    y = np.array([1.0, 0.0, 1.0])
    out, tout = nn.binary_cross_entropy(p, y), F.binary_cross_entropy(tp, torch.tensor(y))
    assert_close(out.data, tout)
    with pytest.raises(ValueError, match=r"predictions must lie in \[0, 1\].*sigmoid"):
        nn.binary_cross_entropy(Tensor([1.5]), [1.0])


@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_hinge_matches_torch_formula(reduction: str) -> None:
    rng = np.random.default_rng(4)
    s, ts = both(rng.normal(size=9))
    y = rng.choice([-1, 1], size=9)
    out = nn.hinge_loss(s, y, reduction)
    per = torch.relu(1 - ts * torch.tensor(y, dtype=torch.float64))
    tout = {"mean": per.mean(), "sum": per.sum(), "none": per}[reduction]
    assert_close(out.data, tout)
    backward_both(out, tout, reduction, rng)
    assert_close(s.grad, ts.grad)


def test_hinge_labels_must_be_plus_minus_one() -> None:
    with pytest.raises(ValueError, match=r"-1 or \+1.*2 \* y - 1"):
        nn.hinge_loss(Tensor([0.5, 0.2]), [0, 1])


def test_target_shape_n_vs_n1_is_reshaped_other_mismatches_fail() -> None:
    p = Tensor(np.arange(4.0).reshape(4, 1), requires_grad=True)
    assert nn.mse_loss(p, np.zeros(4)).item() == pytest.approx(14 / 4)
    with pytest.raises(ValueError, match=r"predictions have shape \(4, 1\) but the target has shape \(3,\)"):
        nn.mse_loss(p, np.zeros(3))
    with pytest.raises(ValueError, match="reduction must be"):
        nn.mse_loss(p, np.zeros(4), reduction="avg")


@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_value_losses_agree_with_tensor_losses(reduction: str) -> None:
    rng = np.random.default_rng(5)
    raw = rng.normal(size=6)
    y = rng.choice([-1.0, 1.0], size=6)
    for loss in (nn.mse_loss, nn.hinge_loss):
        vals = [Value(v) for v in raw]
        out = loss(vals, y, reduction)
        t = Tensor(raw.copy(), requires_grad=True)
        tout = loss(t, y, reduction)
        if reduction == "none":
            assert [v.data for v in out] == pytest.approx(tout.data.tolist(), rel=1e-12)
            continue
        out.backward()
        tout.backward()
        assert out.data == pytest.approx(tout.item(), rel=1e-12)
        assert [v.grad for v in vals] == pytest.approx(t.grad.tolist(), rel=1e-12)


def test_value_losses_take_lists_of_lists_and_check_lengths() -> None:
    rows = [[Value(1.0), Value(2.0)], [Value(0.0), Value(-1.0)]]
    assert nn.mse_loss(rows, [[1.0, 1.0], [0.0, 0.0]]).data == pytest.approx(0.5)
    probs = [Value(0.9), Value(0.2)]
    assert nn.binary_cross_entropy(probs, [1, 0]).data == pytest.approx(-(math.log(0.9) + math.log(0.8)) / 2)
    with pytest.raises(ValueError, match="2 predictions"):
        nn.mse_loss([Value(1.0), Value(2.0)], [1.0, 2.0, 3.0])
    with pytest.raises(TypeError, match="Tensor of logits"):
        nn.cross_entropy([[Value(1.0), Value(2.0)]], [0])


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
def test_nll_loss_and_bce_with_logits_match_torch(reduction: str) -> None:
    rng = np.random.default_rng(5)
    Z = rng.normal(size=(5, 4)) * 3
    labels = np.array([0, 3, 1, 1, 2])
    z, tz = Tensor(Z, requires_grad=True), torch.tensor(Z, requires_grad=True)
    loss = nn.nll_loss(z.log_softmax(axis=1), labels, reduction)
    tloss = F.nll_loss(torch.log_softmax(tz, 1), torch.tensor(labels), reduction=reduction)
    assert_close(loss.data, tloss)
    (loss * 1.5).sum().backward()
    (tloss * 1.5).sum().backward()
    assert_close(z.grad, tz.grad)
    np.testing.assert_allclose(loss.data, nn.cross_entropy(Tensor(Z), labels, reduction).data, rtol=1e-12)

    T = rng.uniform(size=Z.shape)
    z, tz = Tensor(Z * 20, requires_grad=True), torch.tensor(Z * 20, requires_grad=True)  # big logits
    t, tt = Tensor(T, requires_grad=True), torch.tensor(T, requires_grad=True)
    loss = nn.binary_cross_entropy_with_logits(z, t, reduction)
    tloss = F.binary_cross_entropy_with_logits(tz, tt, reduction=reduction)
    assert_close(loss.data, tloss)
    assert np.all(np.isfinite(loss.data)) and len(list(topological_order(loss))) == 3  # one fused node
    (loss * 2).sum().backward(create_graph=True)
    (tg_z, tg_t) = torch.autograd.grad((tloss * 2).sum(), (tz, tt), create_graph=True)
    assert_close(z.grad.data, tg_z)
    assert_close(t.grad.data, tg_t)
    gz, gt = z.grad, t.grad
    z.zero_grad()
    t.zero_grad()
    (gz * gz).sum().backward()  # second derivatives, in both arguments
    th_z, th_t = torch.autograd.grad((tg_z * tg_z).sum(), (tz, tt))
    assert_close(z.grad, th_z)
    assert_close(t.grad, th_t)
    del gt


def test_bce_with_logits_on_values_matches_the_tensor_form() -> None:
    xs, ts = [0.5, -3.0, 30.0], [1.0, 0.0, 0.25]
    values = [Value(x) for x in xs]
    loss = nn.binary_cross_entropy_with_logits(values, ts)
    tensor_loss = nn.binary_cross_entropy_with_logits(Tensor(xs), ts)
    assert abs(loss.data - tensor_loss.item()) < 1e-12
    loss.backward()
    expected = (1 / (1 + np.exp(-np.array(xs))) - ts) / 3
    np.testing.assert_allclose([v.grad for v in values], expected, rtol=1e-12)


def test_differentiable_targets_match_torch() -> None:
    P = np.array([[0.3, 0.8], [0.55, 0.1]])
    T = np.array([[0.2, 0.6], [1.0, 0.0]])
    p, tp = Tensor(P, requires_grad=True), torch.tensor(P, requires_grad=True)
    t, tt = Tensor(T, requires_grad=True), torch.tensor(T, requires_grad=True)
    nn.binary_cross_entropy(p, t).backward(create_graph=True)
    gp, gt = torch.autograd.grad(F.binary_cross_entropy(tp, tt), (tp, tt), create_graph=True)
    assert_close(p.grad.data, gp)
    assert_close(t.grad.data, gt)
    mixed = t.grad.sum()  # d/dp of d loss / dt: the mixed second derivative
    p.zero_grad()
    mixed.backward()
    (tm,) = torch.autograd.grad(gt.sum(), tp)
    assert_close(p.grad, tm)

    Z = np.array([[1.0, 2.0, 0.5], [0.0, -1.0, 3.0]])
    S = np.array([[0.5, 0.0, -1.0], [2.0, 1.0, 0.0]])
    s, ts = Tensor(S, requires_grad=True), torch.tensor(S, requires_grad=True)
    z, tz = Tensor(Z, requires_grad=True), torch.tensor(Z, requires_grad=True)
    nn.cross_entropy(z, s.softmax(axis=1)).backward(create_graph=True)
    g_z, g_s = torch.autograd.grad(F.cross_entropy(tz, ts.softmax(1)), (tz, ts), create_graph=True)
    assert_close(s.grad.data, g_s)
    assert_close(z.grad.data, g_z)
    cross = z.grad.sum() + s.grad.sum()
    z.zero_grad()
    s.zero_grad()
    cross.backward()
    h_z, h_s = torch.autograd.grad(g_z.sum() + g_s.sum(), (tz, ts))
    assert_close(z.grad, h_z)
    assert_close(s.grad, h_s)


def test_one_hot() -> None:
    np.testing.assert_array_equal(nn.one_hot([0, 2, 1], 3).data, np.eye(3)[[0, 2, 1]])
    assert nn.one_hot(np.array([[1, 0]])).shape == (1, 2, 2)  # num_classes: the largest + 1
    assert nn.one_hot(Tensor([1.0, 0.0]), 2).dtype == np.float64
    loss = nn.cross_entropy(Tensor(np.zeros((2, 3))), nn.one_hot([0, 2], 3))
    assert abs(loss.item() - np.log(3)) < 1e-12
    with pytest.raises(
        ValueError, match=r"one_hot: class labels must lie in 0..2, got 0..3 \(3 classes: num_classes=3\)"
    ):
        nn.one_hot([0, 3], 3)
    with pytest.raises(ValueError, match="one_hot: num_classes must be a positive int"):
        nn.one_hot([0], 0)


def test_cross_entropy_errors_and_agreement_with_the_composition() -> None:
    rng = np.random.default_rng(3)
    x = Tensor(rng.standard_normal((4, 3)), requires_grad=True)
    targets = np.array([2, 0, 0, 1])
    fused = cross_entropy(x, targets)
    fused.backward()
    g = x.grad.copy()
    x.zero_grad()
    composed = -x.log_softmax(axis=1)[np.arange(4), targets].mean()
    composed.backward()
    np.testing.assert_allclose(fused.item(), composed.item(), rtol=1e-12)
    np.testing.assert_allclose(g, x.grad, rtol=1e-12)
    assert "shape (N, C)" in raised_message(lambda: cross_entropy(Tensor(np.ones(3)), np.array([0])))
    assert "integer class indices" in raised_message(lambda: cross_entropy(x, np.full(4, 0.5)))
    assert "shape (4,)" in raised_message(lambda: cross_entropy(x, np.array([0, 1])))
    assert re.search(
        r"in 0\.\.2, got -1\.\.2", raised_message(lambda: cross_entropy(x, np.array([-1, 0, 2, 1])))
    )


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
def test_cross_entropy_at_huge_logits(dtype: Any, reduction: str) -> None:
    x = np.array(HUGE_ROWS, dtype=dtype)
    for target in ([0, 1, 2, 0, 1, 2], [2, 0, 1, 1, 2, 0]):
        idx = np.array(target)
        against_torch_in_dtype(
            lambda t, idx=idx: cross_entropy(t, idx, reduction=reduction),
            lambda t, idx=idx: torch.nn.functional.cross_entropy(
                t, torch.from_numpy(idx), reduction=reduction
            ),
            x,
        )


# --- each fused loss's one rule, on arrays and on Tensors --------------------------------------------
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
