"""nn.fit, History, plots, progress bars, the lessons' accuracies; and ``fit(..., snapshots=k)``.

Each snapshot holds the model as it was at its step: every snapshot is checked against a replay of
the same run done by hand (the same model, seed and batches, step by step), for SGD and Adam, a
Tensor model and the scalar ``nn.MLP``; the parameters are read there without ``nn.train``'s
helpers.
"""

from __future__ import annotations

import builtins
import io
import re
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pytest

import nn
from autograd import is_grad_enabled
from autograd.tensor import Tensor
from nn.train import ProgressBar, format_metrics


def test_regression_lesson_recovers_coefficients_within_1_percent() -> None:
    X, y, coef = nn.make_regression(n_samples=400, n_features=3, noise=0.5, seed=0)
    model = nn.Linear(3, 1, seed=0)
    opt = nn.optim.SGD(model.parameters(), lr=0.05)
    history = nn.fit(
        model, nn.mse_loss, opt, X, y.reshape(-1, 1), epochs=40, batch_size=32, progress=False, seed=0
    )
    assert list(history.history) == ["loss"]  # float targets: no accuracy
    np.testing.assert_allclose(model.weight.data.ravel(), coef, rtol=0.01)
    assert abs(model.bias.data[0]) < 0.01 * np.abs(coef).max()


def test_fit_scalar_model_history_and_validation() -> None:
    X, y = nn.make_moons(60, noise=0.05, seed=1)
    model = nn.MLP(2, [8, 1], seed=0)
    history = nn.fit(
        model, nn.hinge_loss, nn.optim.SGD(model.parameters(), lr=0.1), X, 2 * y - 1,
        epochs=4, batch_size=20, progress=False, validation_data=(X[:10], 2 * y[:10] - 1),
    )  # fmt: skip
    assert sorted(history.history) == ["accuracy", "loss", "val_accuracy", "val_loss"]
    assert history.epochs == [1, 2, 3, 4] and len(history["val_loss"]) == 4
    assert "4 epochs" in repr(history)
    with pytest.raises(KeyError, match="has no 'acc'"):
        history["acc"]


def test_fit_custom_metric_and_dropout_is_off_during_evaluation() -> None:
    X, y = nn.spiral(20, 3, seed=0)
    model = nn.Sequential(
        nn.Linear(2, 16, seed=0), nn.ReLU(), nn.Dropout(0.5, seed=0), nn.Linear(16, 3, seed=1)
    )
    seen = []

    def top1(outputs: np.ndarray, labels: np.ndarray) -> float:
        seen.append(is_grad_enabled())
        return nn.accuracy(outputs, labels)

    history = nn.fit(
        model, nn.cross_entropy, nn.optim.Adam(model.parameters(), lr=0.01), X, y, epochs=2,
        batch_size=None, metrics=[top1], progress=False, validation_data=(X, y),
    )  # fmt: skip
    assert "top1" in history and "val_top1" in history
    assert model.training  # back in training mode after the evaluation
    out1, out2 = nn.predict(model, X), nn.predict(model, X)
    assert np.array_equal(out1, out2)  # eval mode: dropout off, deterministic
    assert model.training


def test_evaluate_builds_no_graph() -> None:
    model = nn.Sequential(nn.Linear(2, 3, seed=0))
    calls = []
    original = model.forward

    def spy(x: Tensor) -> Tensor:
        out = original(x)
        calls.append(out._inputs)
        return out

    model.forward = spy
    result = nn.evaluate(model, np.zeros((4, 2)), np.array([0, 1, 2, 0]), nn.cross_entropy)
    assert set(result) == {"loss", "accuracy"} and calls == [()]


def test_fit_argument_errors() -> None:
    model = nn.Sequential(nn.Linear(2, 3, seed=0))
    opt = nn.optim.SGD(model.parameters(), lr=0.1)
    with pytest.raises(ValueError, match="same number of samples"):
        nn.fit(model, nn.cross_entropy, opt, np.zeros((4, 2)), np.zeros(3), progress=False)
    with pytest.raises(ValueError, match="unknown metric 'f1'"):
        nn.fit(model, nn.cross_entropy, opt, np.zeros((4, 2)), np.zeros(4), metrics=["f1"], progress=False)


def test_accuracy_reads_outputs_sensibly() -> None:
    assert nn.accuracy(np.array([[0.1, 0.9], [0.8, 0.2]]), np.array([[0, 1], [0, 1]])) == 0.5
    assert nn.accuracy(np.array([0.9, 0.2]), np.array([1, 0])) == 1.0  # probabilities
    assert nn.accuracy(np.array([2.0, -3.0]), np.array([1, 0])) == 1.0  # scores (logits)
    assert nn.accuracy(np.array([2.0, -3.0]), np.array([1, -1])) == 1.0  # +-1 labels


def test_history_plot_and_decision_boundary_write_files(tmp_path: Path) -> None:
    history = nn.History()
    for epoch in range(1, 4):
        history.record(epoch, {"loss": 1.0 / epoch, "accuracy": 0.5 + 0.1 * epoch})
    fig = history.plot(tmp_path / "loss.png")
    assert len(fig.axes) == 2 and (tmp_path / "loss.png").stat().st_size > 0
    X, y = nn.spiral(10, 3, seed=0)
    model = nn.Sequential(nn.Linear(2, 3, seed=0))
    nn.plot_decision_boundary(model, X, y, path=tmp_path / "b.svg", resolution=30)
    assert (tmp_path / "b.svg").read_text().lstrip().startswith("<?xml")
    with pytest.raises(ValueError, match=r"shape \(n, 2\)"):
        nn.plot_decision_boundary(model, np.zeros((3, 3)), np.zeros(3))


def test_plot_without_matplotlib_says_how_to_install(monkeypatch: pytest.MonkeyPatch) -> None:
    real_import = builtins.__import__

    def fake_import(name: str, *args, **kwargs):
        if name == "matplotlib" or name.startswith("matplotlib."):
            raise ImportError("No module named 'matplotlib'")
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", fake_import)
    history = nn.History()
    history.record(1, {"loss": 1.0})
    with pytest.raises(ImportError, match="pip install matplotlib"):
        history.plot()


def test_fit_without_progress_does_not_import_tqdm_auto():
    # tqdm.auto warns (TqdmWarning) in Jupyter when ipywidgets is missing; progress=False needs no bar
    code = (
        "import sys, numpy as np, nn\n"
        "m = nn.Linear(2, 1, seed=0)\n"
        "nn.fit(m, nn.mse_loss, nn.SGD(m.parameters(), lr=0.1), np.zeros((4, 2)), np.zeros((4, 1)),"
        " epochs=1, progress=False)\n"
        "print('tqdm.auto' in sys.modules)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_fit_lr_schedule_sets_the_rate_of_each_epoch() -> None:
    model = nn.Linear(2, 1, seed=0)
    opt = nn.SGD(model.parameters(), lr=1.0)
    rates = []
    step = opt.step

    def record_and_step() -> None:
        rates.append(opt.lr)
        step()

    opt.step = record_and_step  # type: ignore[method-assign]
    X, y = np.ones((4, 2)), np.zeros((4, 1))
    nn.fit(
        model, nn.mse_loss, opt, X, y, epochs=3, batch_size=2, progress=False, lr_schedule=lambda e: 0.1 / e
    )
    assert rates == [0.1, 0.1, 0.05, 0.05, 0.1 / 3, 0.1 / 3]
    with pytest.raises(ValueError, match=r"lr_schedule\(1\) returned nan"):
        nn.fit(model, nn.mse_loss, opt, X, y, epochs=1, progress=False, lr_schedule=lambda e: float("nan"))


def test_one_format_for_accuracy_everywhere() -> None:
    assert format_metrics({"loss": 0.25, "accuracy": 0.9712, "val_accuracy": 1.0, "top1": 0.5}) == (
        "loss=0.2500, accuracy=97.1%, val_accuracy=100.0%, top1=0.5000"
    )


class FakeTerminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_progress_on_a_terminal_is_one_line_redrawn(monkeypatch: pytest.MonkeyPatch) -> None:
    terminal = FakeTerminal()
    monkeypatch.setattr(sys, "stderr", terminal)
    X, y = nn.spiral(20, 3, seed=0)
    model = nn.Sequential(nn.Linear(2, 3, seed=0))
    history = nn.fit(
        model, nn.cross_entropy, nn.Adam(model.parameters(), lr=0.01), X, y, epochs=3, batch_size=20
    )
    shown = terminal.getvalue()
    assert shown.count("\n") == 1 and shown.count("\r") >= 2  # redrawn in place, left on screen at the end
    last = shown.rsplit("\r", 1)[1]
    assert last.startswith("epoch 3/3: 100%") and "9/9" in last
    assert f"accuracy={history['accuracy'][-1]:.1%}" in last


def test_progress_into_a_pipe_is_plain_lines() -> None:
    log = io.StringIO()
    with ProgressBar(1000, "training", unit="step", stream=log) as bar:
        for step in range(1, 1001):
            bar.advance(1, {"loss": 1 / step})
            if step % 3 == 0 or step == 1000:  # rounds of three steps, and the last
                bar.report({"loss": 1 / step, "accuracy": step / 1000})
    lines = log.getvalue().splitlines()
    assert "\r" not in log.getvalue() and len(lines) == 10
    assert lines[0] == "training: 102/1000 steps, loss=0.0098, accuracy=10.2%"
    assert lines[-1] == "training: 1000/1000 steps, loss=0.0010, accuracy=100.0%"
    quiet = io.StringIO()
    with ProgressBar(10, stream=quiet, enabled=False) as bar:
        bar.advance(10)
        bar.report({"loss": 1.0})
    assert quiet.getvalue() == ""


def test_progress_ends_with_the_last_numbers_when_the_run_ends_between_tenths() -> None:
    log = io.StringIO()
    with ProgressBar(100, "fit", stream=log) as bar:
        for step in range(1, 16):
            bar.advance(1)
            bar.report({"loss": float(step)})
    assert log.getvalue().splitlines() == [
        "fit: 10/100 batches, loss=10.0000",
        "fit: 15/100 batches, loss=15.0000",
    ]


# --- training on bad data, or with the wrong optimizer, stops at once ----------------------------


def _tensor_model(seed: int = 0) -> nn.Module:
    return nn.Sequential(nn.Linear(2, 4, seed=seed), nn.ReLU(), nn.Linear(4, 1, seed=seed + 1))


def test_fit_refuses_data_holding_nan_naming_where() -> None:
    X, y = np.ones((6, 2)), np.ones((6, 1))
    X[2, 1] = np.nan
    X[4, 0] = np.inf
    model = _tensor_model()
    before = model.state_dict()
    opt = nn.optim.SGD(model.parameters(), lr=0.1)
    with pytest.raises(
        ValueError,
        match=r"^fit: X holds 2 value\(s\) that are not finite .*: row 2, column 1; row 4, column 0;",
    ):
        nn.fit(model, nn.mse_loss, opt, X, y, progress=False)
    y[5, 0] = np.nan
    with pytest.raises(ValueError, match=r"^fit: y holds 1 value\(s\) .*: row 5, column 0;"):
        nn.fit(model, nn.mse_loss, opt, np.ones((6, 2)), y, progress=False)
    with pytest.raises(ValueError, match=r"^fit: validation X holds 1 value"):
        nn.fit(
            model,
            nn.mse_loss,
            opt,
            np.ones((6, 2)),
            np.ones((6, 1)),
            progress=False,
            validation_data=(X[:3], y[:3]),
        )
    assert all(np.array_equal(before[k], v) for k, v in model.state_dict().items())


def test_fit_stops_at_the_first_non_finite_loss_before_that_step_changes_the_model() -> None:
    model = _tensor_model()
    opt = nn.optim.SGD(model.parameters(), lr=1e155)  # every step multiplies the weights hugely
    history_of_states = []

    def loss_fn(out: Any, y: Any) -> Any:
        history_of_states.append(model.state_dict())
        return nn.mse_loss(out, y)

    with pytest.raises(
        FloatingPointError, match=r"^fit: the loss is (inf|nan) at step (\d+) \(epoch 1\).*detect_anomaly\(\)"
    ) as err:
        nn.fit(model, loss_fn, opt, np.ones((8, 2)), np.ones((8, 1)), batch_size=1, progress=False)
    step = int(re.search(r"at step (\d+)", str(err.value))[1])  # type: ignore[index]
    assert 1 < step <= 8 and len(history_of_states) == step
    last = history_of_states[-1]
    assert all(np.array_equal(last[k], v) for k, v in model.state_dict().items())


def test_fit_refuses_an_optimizer_built_on_another_model() -> None:
    model, other = _tensor_model(0), _tensor_model(5)
    opt = nn.optim.Adam(other.parameters(), lr=0.1)
    message = r"^fit: the optimizer Adam updates none of the parameters of the model Sequential"
    with pytest.raises(ValueError, match=message):
        nn.fit(model, nn.mse_loss, opt, np.ones((4, 2)), np.ones((4, 1)), progress=False)
    with pytest.raises(
        TypeError, match=r"^fit: optimizer must have step\(\) and zero_grad\(\).*got NoneType"
    ):
        nn.fit(model, nn.mse_loss, None, np.ones((4, 2)), np.ones((4, 1)), progress=False)
    part = nn.optim.SGD(model[0].parameters(), lr=0.1)  # some of the model's parameters: fine-tuning
    nn.fit(model, nn.mse_loss, part, np.ones((4, 2)), np.ones((4, 1)), epochs=1, progress=False)


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
