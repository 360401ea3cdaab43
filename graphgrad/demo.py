"""``graphgrad demo``: train three small networks and write what they learned into a folder.

1. the classic scalar demo: ``MLP(2, [16, 16, 1])`` on Values, the 2-moons data, the hinge loss
   with a little L2, SGD with a decaying learning rate, 100 full-batch steps (100% train accuracy);
2. a Tensor MLP (2-64-64-3, Adam) on the 3-class spiral, full batch, its learning rate falling
   from 0.02 a hundredfold over the run (at a constant 0.02 the accuracy reaches 97% and then
   falls to 71% in one step);
3. a Tensor MLP (64-64-10, Adam) on the 8x8 handwritten digits, with a held-out test set (needs
   scikit-learn, the ``digits`` extra; skipped with a note without it);

then draws the graph of one neuron, ``tanh(x1*w1 + x2*w2 + b)``, after its backward pass. Loss
curves, decision boundaries, the drawn graph and the trained weights go into ``out``.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import numpy as np

from autograd.drawing import draw, to_dot
from autograd.value import Value
from nn.data import load_digits, make_moons, spiral
from nn.layers import Linear, ReLU, Sequential
from nn.losses import cross_entropy, hinge_loss
from nn.optim import SGD, Adam
from nn.scalar import MLP
from nn.train import (
    History,
    ProgressBar,
    accuracy,
    evaluate,
    fit,
    format_accuracy,
    plot_decision_boundary,
)

# Sizes of the three trainings (the tests shrink them to check the plumbing quickly).
MOONS_STEPS = 100
SPIRAL_EPOCHS = 1000
DIGITS_EPOCHS = 10
# The spiral's learning rate: from SPIRAL_LR at the first epoch down to SPIRAL_LR * SPIRAL_LR_FALL
SPIRAL_LR = 0.02
SPIRAL_LR_FALL = 0.01


def _say(text: str) -> None:
    print(text, flush=True)


def moons_demo(out: Path, progress: bool = True, steps: int | None = None, seed: int = 0) -> dict[str, Any]:
    """The classic scalar demo; returns the final loss and accuracy and the files written."""
    steps = MOONS_STEPS if steps is None else steps
    X, y01 = make_moons(100, noise=0.1, seed=seed)
    y = 2 * y01 - 1  # hinge labels in {-1, 1}
    rows = X.tolist()
    model = MLP(2, [16, 16, 1], seed=seed)
    params = model.parameters()
    opt = SGD(params, lr=1.0)
    history = History()
    with ProgressBar(steps, "moons (Values)", unit="step", enabled=progress) as bar:
        for k in range(steps):
            scores = [model(row) for row in rows]
            loss = hinge_loss(scores, y) + 1e-4 * sum(p * p for p in params)
            numbers = {"loss": loss.data, "accuracy": accuracy(scores, y)}
            history.record(k + 1, numbers)
            model.zero_grad()
            loss.backward()
            opt.lr = 1.0 - 0.9 * k / steps
            opt.step()
            bar.advance(1)
            bar.report(numbers)
    final = accuracy(model.predict(X), y)
    history.plot(out / "moons_loss.png", title="MLP(2, [16, 16, 1]) on moons: hinge loss, SGD")
    plot_decision_boundary(model, X, y, path=out / "moons_boundary.png")
    files = [out / "moons_loss.png", out / "moons_boundary.png", model.save(out / "moons_mlp.npz")]
    final_loss, shown = history["loss"][-1], format_accuracy(final)
    _say(f"  moons: {len(params)} Values, final loss {final_loss:.4f}, train accuracy {shown}")
    return {"accuracy": final, "loss": history["loss"][-1], "history": history, "files": files}


def spiral_demo(out: Path, progress: bool = True, epochs: int | None = None, seed: int = 0) -> dict[str, Any]:
    """A Tensor MLP on the 3-class spiral (full batch, Adam with a falling learning rate).

    Returns the final loss and accuracy, the per-epoch ``History`` and the files written.
    """
    epochs = SPIRAL_EPOCHS if epochs is None else epochs
    X, y = spiral(100, 3, seed=seed)
    model = Sequential(
        Linear(2, 64, seed=seed), ReLU(), Linear(64, 64, seed=seed + 1), ReLU(), Linear(64, 3, seed=seed + 2)
    )
    history = fit(
        model,
        cross_entropy,
        Adam(model.parameters(), lr=SPIRAL_LR),
        X,
        y,
        epochs=epochs,
        batch_size=None,
        progress=progress,
        seed=seed,
        lr_schedule=lambda epoch: SPIRAL_LR * SPIRAL_LR_FALL ** ((epoch - 1) / epochs),
    )
    final = evaluate(model, X, y, cross_entropy)
    history.plot(out / "spiral_loss.png", title="2-64-64-3 MLP on the spiral: cross-entropy, Adam")
    plot_decision_boundary(model, X, y, path=out / "spiral_boundary.png")
    _say(f"  spiral: final loss {final['loss']:.4f}, train accuracy {format_accuracy(final['accuracy'])}")
    return {**final, "history": history, "files": [out / "spiral_loss.png", out / "spiral_boundary.png"]}


def digits_demo(
    out: Path, progress: bool = True, epochs: int | None = None, seed: int = 0
) -> dict[str, Any] | None:
    """A Tensor MLP on the 8x8 digits with 20% held out; None (with a note) without scikit-learn."""
    epochs = DIGITS_EPOCHS if epochs is None else epochs
    try:
        X, y = load_digits()
    except ImportError:
        _say('  digits: skipped, scikit-learn is not installed (pip install "graphgrad[digits]")')
        return None
    order = np.random.default_rng(seed).permutation(len(X))
    n_test = len(X) // 5
    test, train = order[:n_test], order[n_test:]
    model = Sequential(Linear(64, 64, seed=seed), ReLU(), Linear(64, 10, seed=seed + 1))
    history = fit(
        model,
        cross_entropy,
        Adam(model.parameters(), lr=0.01),
        X[train],
        y[train],
        epochs=epochs,
        batch_size=32,
        progress=progress,
        seed=seed,
        validation_data=(X[test], y[test]),
    )
    final = evaluate(model, X[test], y[test], cross_entropy)
    history.plot(out / "digits_loss.png", title="64-64-10 MLP on the digits: cross-entropy, Adam")
    path = model.save(out / "digits_mlp.npz")
    _say(f"  digits: test accuracy {format_accuracy(final['accuracy'])} on {n_test} held-out images")
    return {**final, "files": [out / "digits_loss.png", path]}


def neuron_demo(out: Path) -> list[Path]:
    """Draw tanh(x1*w1 + x2*w2 + b) after backward; SVG when a renderer is there, else DOT."""
    x1, x2 = Value(2.0, label="x1"), Value(0.0, label="x2")
    w1, w2 = Value(-3.0, label="w1"), Value(1.0, label="w2")
    b = Value(6.8813735870195432, label="b")
    x1w1, x2w2 = x1 * w1, x2 * w2
    x1w1.label, x2w2.label = "x1*w1", "x2*w2"
    total = x1w1 + x2w2
    total.label = "x1*w1 + x2*w2"
    n = total + b
    n.label = "n"
    o = n.tanh()
    o.label = "o"
    o.backward()
    try:
        path = draw(o).save(out / "neuron.svg")
    except RuntimeError as exc:  # no renderer (RendererNotFoundError) or it failed: write the DOT
        path = out / "neuron.dot"
        from autograd.files import write_atomic

        write_atomic(path, to_dot(o).encode("utf-8"), "demo")
        _say(f"  neuron: could not render SVG ({exc}); wrote the DOT source instead")
    grads = f"do/dw1 = {w1.grad:.4f}, do/dx1 = {x1.grad:.4f}"
    _say(f"  neuron: o = tanh(x1*w1 + x2*w2 + b) = {o.data:.4f}, {grads}")
    return [path]


def run(out: str | Path = "graphgrad-demo", progress: bool = True) -> list[Path]:
    """Run the whole demo, writing into ``out`` (created if needed); returns the files written."""
    folder = Path(out)
    folder.mkdir(parents=True, exist_ok=True)
    start = time.perf_counter()
    _say("graphgrad demo: three small networks trained with graphgrad")
    _say(f"1. MLP(2, [16, 16, 1]) on Values, 2-moons data, hinge loss, SGD, {MOONS_STEPS} steps")
    files = list(moons_demo(folder, progress)["files"])
    _say(f"2. Tensor MLP on the 3-class spiral, Adam, {SPIRAL_EPOCHS} full-batch epochs")
    files += spiral_demo(folder, progress)["files"]
    _say("3. Tensor MLP on the 8x8 handwritten digits")
    digits = digits_demo(folder, progress)
    if digits is not None:
        files += digits["files"]
    _say("4. the graph of one neuron")
    files += neuron_demo(folder)
    _say(f"wrote {len(files)} files to {folder}/ in {time.perf_counter() - start:.1f} s:")
    for f in files:
        _say(f"  {f}")
    return files
