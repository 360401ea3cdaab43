"""nn.optim.SGD and Adam follow torch.optim step for step (float64, 20 steps, 1e-10)."""

from __future__ import annotations

import numpy as np
import pytest
import torch

import nn
from autograd import Value
from autograd.tensor import Tensor

STEPS = 20
CONFIGS = [
    ("SGD", {"lr": 0.05}),
    ("SGD", {"lr": 0.05, "momentum": 0.9}),
    ("SGD", {"lr": 0.02, "momentum": 0.5, "weight_decay": 0.1}),
    ("Adam", {"lr": 0.01}),
    ("Adam", {"lr": 0.05, "betas": (0.8, 0.99), "eps": 1e-6, "weight_decay": 0.01}),
]


def make(kind: str, lib: str, params, kwargs):
    if lib == "torch":
        return getattr(torch.optim, kind)(params, **kwargs)
    return getattr(nn.optim, kind)(params, **kwargs)


def start() -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    rng = np.random.default_rng(0)
    return rng.normal(size=(3, 4)), rng.normal(size=3), rng.normal(size=(6, 4)), rng.normal(size=(6, 3))


@pytest.mark.parametrize(("kind", "kwargs"), CONFIGS)
def test_tensor_trajectory_matches_torch(kind: str, kwargs: dict) -> None:
    W0, b0, X, Y = start()
    W, b = Tensor(W0.copy(), requires_grad=True), Tensor(b0.copy(), requires_grad=True)
    tW = torch.tensor(W0, requires_grad=True)
    tb = torch.tensor(b0, requires_grad=True)
    ours, theirs = make(kind, "nn", [W, b], kwargs), make(kind, "torch", [tW, tb], kwargs)
    tX, tY = torch.tensor(X), torch.tensor(Y)
    for _ in range(STEPS):
        loss = (((Tensor(X) @ W.T + b).tanh() - Y) ** 2).mean()
        ours.zero_grad()
        loss.backward()
        ours.step()
        tloss = (((tX @ tW.T + tb).tanh() - tY) ** 2).mean()
        theirs.zero_grad()
        tloss.backward()
        theirs.step()
        assert loss.item() == pytest.approx(tloss.item(), rel=1e-10)
    np.testing.assert_allclose(W.data, tW.detach().numpy(), rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(b.data, tb.detach().numpy(), rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize(("kind", "kwargs"), CONFIGS)
def test_value_trajectory_matches_torch(kind: str, kwargs: dict) -> None:
    w0 = [0.5, -1.2, 0.3, 2.0]
    ws = [Value(v) for v in w0]
    tw = torch.tensor(w0, dtype=torch.float64, requires_grad=True)
    ours, theirs = make(kind, "nn", ws, kwargs), make(kind, "torch", [tw], kwargs)
    targets = [1.0, -0.5, 0.25, 0.0]
    for _ in range(STEPS):
        loss = (
            sum(((w * w.tanh() - t) ** 2 for w, t in zip(ws, targets)), Value(0.0)) + (ws[0] * ws[1]).tanh()
        )
        ours.zero_grad()
        loss.backward()
        ours.step()
        tt = torch.tensor(targets, dtype=torch.float64)
        tloss = ((tw * tw.tanh() - tt) ** 2).sum() + (tw[0] * tw[1]).tanh()
        theirs.zero_grad()
        tloss.backward()
        theirs.step()
    np.testing.assert_allclose([w.data for w in ws], tw.detach().numpy(), rtol=1e-10, atol=1e-12)


def test_mixed_values_and_tensors_and_lr_schedule() -> None:
    v, t = Value(1.0), Tensor(np.array([1.0, -2.0]), requires_grad=True)
    opt = nn.optim.SGD([v, t], lr=0.5)
    assert opt.params == [v, t]
    (v * v).backward()
    (t * t).sum().backward()
    opt.step()
    assert v.data == 0.0 and np.array_equal(t.data, [0.0, 0.0])
    opt.lr = 0.1
    opt.zero_grad()
    assert v.grad == 0.0 and t.grad is None


def test_tensor_without_grad_is_skipped_and_float32_stays_float32() -> None:
    a = Tensor(np.ones(2, dtype=np.float32), requires_grad=True)
    b = Tensor(np.ones(2), requires_grad=True)
    opt = nn.optim.Adam([a, b], lr=0.1)
    (a * 3.0).sum().backward()
    opt.step()
    assert a.data.dtype == np.float32 and np.allclose(a.data, 0.9)
    assert np.array_equal(b.data, [1.0, 1.0])  # no grad: untouched, as in torch


@pytest.mark.parametrize(
    ("call", "error", "message"),
    [
        (lambda: nn.optim.SGD([], lr=0.1), ValueError, "empty"),
        (lambda: nn.optim.SGD([Value(1.0)], lr=-1), ValueError, "lr must be"),
        (lambda: nn.optim.SGD([Value(1.0)], lr=0.1, momentum=1.5), ValueError, "momentum"),
        (lambda: nn.optim.Adam([Value(1.0)], betas=(0.9,)), ValueError, "betas"),
        (lambda: nn.optim.Adam([Tensor([1.0])]), ValueError, "requires_grad"),
        (lambda: nn.optim.Adam([1.0]), TypeError, "Value or a Tensor"),
        (lambda: nn.optim.SGD(3, lr=0.1), TypeError, "iterable"),
    ],
)
def test_errors(call, error: type, message: str) -> None:
    with pytest.raises(error, match=message):
        call()
