"""nn.fit, History, plots, progress bars, the lessons' accuracies, and `graphgrad demo`."""

from __future__ import annotations

import builtins
import io
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pytest

import nn
from autograd import is_grad_enabled
from autograd.tensor import Tensor
from graphgrad import demo
from graphgrad.cli import main
from nn.train import ProgressBar, format_metrics

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def spiral(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """The demo's spiral run at its real size (about a second), shared by the tests that read it."""
    return demo.spiral_demo(tmp_path_factory.mktemp("spiral"), progress=False)


def test_spiral_tensor_mlp_reaches_95_percent(spiral: dict[str, Any]) -> None:
    result = spiral
    assert result["accuracy"] >= 0.95
    assert all(Path(f).stat().st_size > 0 for f in result["files"])


def test_spiral_accuracy_rises_steadily(spiral: dict[str, Any]) -> None:
    accuracy = np.array(spiral["history"]["accuracy"])
    assert len(accuracy) == demo.SPIRAL_EPOCHS
    first = int(np.argmax(accuracy >= 0.9))
    assert accuracy[first] >= 0.9 and first < demo.SPIRAL_EPOCHS // 4, "slow to reach 90%"
    fall = np.maximum.accumulate(accuracy[first:]) - accuracy[first:]
    worst = int(np.argmax(fall)) + first
    assert fall.max() <= 0.03, f"accuracy fell {fall.max():.1%} below its best by epoch {worst + 1}"
    assert accuracy[-demo.SPIRAL_EPOCHS // 10 :].min() >= 0.95


def test_digits_tensor_mlp_reaches_95_percent_test_accuracy(tmp_path: Path) -> None:
    # scikit-learn is in the test extra: without it this fails (digits_demo returns None)
    result = demo.digits_demo(tmp_path, progress=False)
    assert result is not None and result["accuracy"] >= 0.95


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


def test_graphgrad_demo_writes_its_files(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys) -> None:
    # the full-size trainings are checked above; here the command's plumbing, at small sizes
    monkeypatch.setattr(demo, "MOONS_STEPS", 3)
    monkeypatch.setattr(demo, "SPIRAL_EPOCHS", 5)
    monkeypatch.setattr(demo, "DIGITS_EPOCHS", 1)
    out = tmp_path / "demo-out"
    assert main(["demo", "--out", str(out), "--no-progress"]) == 0
    printed = capsys.readouterr().out
    names = {p.name for p in out.iterdir()}
    expected = {
        "moons_loss.png",
        "moons_boundary.png",
        "moons_mlp.npz",
        "spiral_loss.png",
        "spiral_boundary.png",
    }
    assert expected <= names
    assert "neuron.svg" in names or "neuron.dot" in names
    for name in names:
        assert name in printed
    assert f"files to {out}" in printed
    reloaded = nn.MLP(2, [16, 16, 1]).load(out / "moons_mlp.npz")
    assert reloaded.num_parameters() == 337


def test_demo_neuron_is_svg_with_a_renderer_and_dot_without(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys
) -> None:
    import autograd.drawing.layout as draw_layout

    if draw_layout.find_renderer() is not None:
        assert [p.name for p in demo.neuron_demo(tmp_path)] == ["neuron.svg"]
    monkeypatch.setattr(draw_layout, "find_renderer", lambda: None)
    (path,) = demo.neuron_demo(tmp_path)
    assert path.name == "neuron.dot" and path.read_text().startswith("digraph")
    assert "wrote the DOT source instead" in capsys.readouterr().out


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


def test_demo_piped_writes_plain_progress_lines(tmp_path: Path) -> None:
    code = (
        "import sys\n"
        "from graphgrad import demo\n"
        "from graphgrad.cli import main\n"
        "demo.MOONS_STEPS, demo.SPIRAL_EPOCHS, demo.DIGITS_EPOCHS = 20, 50, 2\n"
        "sys.exit(main(['demo', '--out', sys.argv[1]]))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code, str(tmp_path)], capture_output=True, text=True, cwd=ROOT, check=True
    )
    assert "\r" not in done.stderr and "\r" not in done.stdout
    progress = done.stderr.splitlines()
    assert len(progress) == 22, done.stderr  # a tenth of moons and spiral a line, the digits' 2 epochs
    assert progress[0].startswith("moons (Values): 2/20 steps, loss=")
    assert progress[10].startswith("epoch 5/50: 5/50 batches, loss=")
    assert "val_accuracy=" in progress[-1]
    accuracies = re.findall(r"accuracy=(\S+?)(?:,|$)", done.stderr, re.MULTILINE)
    assert len(accuracies) == 24 and all(re.fullmatch(r"\d{1,3}\.\d%", a) for a in accuracies), accuracies
    assert re.search(r"train accuracy \d+\.\d%", done.stdout)


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
