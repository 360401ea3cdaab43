"""``fit(..., snapshots=k)``: each snapshot holds the model as it was at its step.

Every snapshot is checked against a replay of the same run done by hand (the same model, seed and
batches, step by step), for SGD and Adam, a Tensor model and the scalar ``nn.MLP``; the parameters
are read here without ``nn.train``'s helpers.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

import nn
from autograd.tensor import Tensor

Params = dict[str, tuple[np.ndarray, np.ndarray]]

EPOCHS, BATCH, SEED, SNAPSHOTS = 3, 16, 7, 4


def live_params(model: Any) -> Params:
    """The model's parameters now, copied: name -> (data, grad), grads never set as zeros."""
    if isinstance(model, nn.MLP):
        found = {}
        for i, layer in enumerate(model.layers):
            cells = [[*neuron.w, neuron.b] for neuron in layer.neurons]
            data = np.array([[v.data for v in row] for row in cells])
            grad = np.array([[v.grad for v in row] for row in cells])
            found[f"layers.{i}"] = (data, grad)
        return found
    return {
        name: (p.data.copy(), np.zeros_like(p.data) if p.grad is None else np.array(p.grad))
        for name, p in model.named_parameters()
    }


def make_run(kind: str, optimizer: str) -> tuple[Any, Any, Callable[..., Any], np.ndarray]:
    """A fresh model (always the same start), its optimizer, loss function and labels."""
    if kind == "scalar":
        model: Any = nn.MLP(2, [6, 1], seed=3)
        loss_fn: Callable[..., Any] = nn.hinge_loss
    else:
        model = nn.Sequential(nn.Linear(2, 6, seed=3), nn.Tanh(), nn.Linear(6, 2, seed=4))
        loss_fn = nn.cross_entropy
    if optimizer == "sgd":
        opt: Any = nn.SGD(model.parameters(), lr=0.1, momentum=0.5)
    else:
        opt = nn.Adam(model.parameters(), lr=0.05)
    _, y = moons()
    return model, opt, loss_fn, (2 * y - 1 if kind == "scalar" else y)


def moons() -> tuple[np.ndarray, np.ndarray]:
    return nn.make_moons(48, noise=0.1, seed=0)


def replay(kind: str, optimizer: str, marks: list[int]) -> list[Params]:
    """The run ``fit`` does, by hand: the parameters before training and after each step in ``marks``."""
    model, opt, loss_fn, labels = make_run(kind, optimizer)
    X, _ = moons()
    rng = np.random.default_rng(SEED)  # one generator for every epoch's order, as fit uses it
    states, step = [live_params(model)], 0
    for _ in range(EPOCHS):
        for Xb, yb in nn.batches(X, labels, batch_size=BATCH, shuffle=True, seed=rng):
            outputs = [model(row) for row in Xb.tolist()] if kind == "scalar" else model(Tensor(Xb))
            loss = loss_fn(outputs, yb)
            opt.zero_grad()
            loss.backward()
            opt.step()
            step += 1
            if step in marks:
                states.append(live_params(model))
    return states


@pytest.mark.parametrize("optimizer", ["sgd", "adam"])
@pytest.mark.parametrize("kind", ["scalar", "tensor"])
def test_every_snapshot_is_the_model_at_its_step(kind: str, optimizer: str) -> None:
    model, opt, loss_fn, labels = make_run(kind, optimizer)
    X, _ = moons()
    history = nn.fit(model, loss_fn, opt, X, labels, epochs=EPOCHS, batch_size=BATCH, progress=False,
                     seed=SEED, snapshots=SNAPSHOTS)  # fmt: skip
    steps = [s.step for s in history.snapshots]
    assert steps == [0, 3, 5, 7, 9]  # 9 steps (3 epochs of 3 batches), 4 snapshots spread over them
    expected = replay(kind, optimizer, steps[1:])
    assert len(expected) == len(history.snapshots)
    initial = live_params(make_run(kind, optimizer)[0])
    for (name, data, grad), (want, _) in zip(history.snapshots[0].params, initial.values()):
        np.testing.assert_array_equal(data.reshape(want.shape), want, err_msg=f"{name} before training")
        assert not np.any(grad)
    for snapshot, want in zip(history.snapshots, expected):
        assert [name for name, _, _ in snapshot.params] == list(want)
        for name, data, grad in snapshot.params:
            want_data, want_grad = want[name]
            np.testing.assert_array_equal(data.reshape(want_data.shape), want_data, err_msg=f"{name} data")
            np.testing.assert_array_equal(grad.reshape(want_grad.shape), want_grad, err_msg=f"{name} grad")
    first, last = history.snapshots[0].params, history.snapshots[-1].params
    assert all(not np.array_equal(a[1], b[1]) for a, b in zip(first, last))  # training moved every matrix


def test_snapshots_share_no_memory_with_the_model() -> None:
    model, opt, loss_fn, labels = make_run("tensor", "sgd")
    X, _ = moons()
    history = nn.fit(model, loss_fn, opt, X, labels, epochs=1, progress=False, snapshots=1)
    live = [(p.data, p.grad) for _, p in model.named_parameters()]
    for snapshot in history.snapshots:
        for (_, data, grad), (p_data, p_grad) in zip(snapshot.params, live):
            assert not np.shares_memory(data, p_data) and not np.shares_memory(grad, p_grad)
    kept = [data.copy() for _, data, _ in history.snapshots[-1].params]
    for p in model.parameters():
        p.data += 1.0  # changing the model afterwards changes no snapshot
    assert all(np.array_equal(a, data) for a, (_, data, _) in zip(kept, history.snapshots[-1].params))
