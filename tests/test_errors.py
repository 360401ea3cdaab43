"""The error catalogue: every entry of docs/errors.md is triggered here and its message checked.

Each ``### id`` entry of the catalogue gives the exception type and an excerpt of the message
(pieces separated by `` … ``, found in that order). ``CASES`` maps each id to code that makes
the mistake; the test raises it and checks type and excerpt against the catalogue itself, so the
document cannot drift from the engine. Entries of the section on mistakes that do not raise
have a behaviour test named ``test_<id>`` instead.
"""

from __future__ import annotations

import builtins
import os
import re
import sys
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pytest

import autograd.drawing.layout as draw_layout
import nn
from autograd import (
    GradcheckError,
    Tensor,
    Value,
    backward_steps,
    concatenate,
    detect_anomaly,
    draw,
    explore,
    export_onnx,
    grad,
    gradcheck,
    hvp,
    jacobian,
    no_grad,
    record,
    stack,
    where,
)
from autograd.drawing import RendererNotFoundError
from autograd.drawing.page import Explorer
from graphgrad.cli import ExpressionError, _parse_settings, evaluate_expression
from nn.module import StateDictError

CATALOGUE = Path(__file__).resolve().parent.parent / "docs" / "errors.md"
ENTRY = re.compile(r"^### ([a-z0-9-]+)\n\n\*\*`(\w+)`\*\* `([^`]+)`", re.MULTILINE)
BEHAVIOUR = re.compile(r"^### ([a-z0-9-]+)\n\n\*\*no error\*\*", re.MULTILINE)


def catalogue() -> dict[str, tuple[str, list[str]]]:
    """id -> (exception name, message pieces) for every raising entry of docs/errors.md."""
    text = CATALOGUE.read_text(encoding="utf-8")
    return {m[1]: (m[2], m[3].split(" … ")) for m in ENTRY.finditer(text)}


def behaviours() -> list[str]:
    return BEHAVIOUR.findall(CATALOGUE.read_text(encoding="utf-8"))


# --- helpers that make a mistake --------------------------------------------------------------

x23 = lambda: Tensor(np.ones((2, 3)), requires_grad=True)  # noqa: E731


def _backward_under_no_grad() -> None:
    w = Tensor([1.0, 2.0], requires_grad=True)
    with no_grad():
        loss = (w * w).sum()
    loss.backward()


def _value_backward_under_no_grad() -> None:
    w = Value(2.0)
    with no_grad():
        loss = w * w
    loss.backward()


def _record_rule_of_the_wrong_shape() -> None:
    x = Tensor(np.ones(3), requires_grad=True)
    record(x.data * 2, (x,), (lambda g, out, a: np.ones(5),), "grow").sum().backward()


def _anomaly_forward() -> None:
    with detect_anomaly():
        Tensor([0.0, 1.0], requires_grad=True).log()


def _anomaly_backward() -> None:
    x = Tensor([0.0, 1.0], requires_grad=True)
    with detect_anomaly():
        x.sqrt().sum().backward()


def _anomaly_in_place() -> None:
    w = Tensor([1.0, 2.0], requires_grad=True)
    with detect_anomaly():
        loss = (w * w).sum()
        w.data -= 0.1
        loss.backward()


def _wrong_architecture() -> None:
    small = nn.Sequential(nn.Linear(2, 4), nn.ReLU(), nn.Linear(4, 1))
    big = nn.Sequential(nn.Linear(2, 8), nn.ReLU(), nn.Linear(8, 1))
    big.load_state_dict(small.state_dict())


def _many_problems() -> None:
    model = nn.Sequential(*[nn.Linear(2, 2) for _ in range(6)])
    model.load_state_dict({f"layer{i}.weight": np.ones((2, 2)) for i in range(12)})


def _foreign_state() -> None:
    nn.MLP(2, [1]).load_state_dict({"weight": np.ones(2)})


def _load_pickle(tmp: Path) -> None:
    import pickle

    (tmp / "model.pkl").write_bytes(pickle.dumps({"w": 1}))
    nn.MLP(2, [1]).load(tmp / "model.pkl")


def _save_missing_folder(tmp: Path) -> None:
    nn.MLP(2, [1]).save(tmp / "no-such-folder" / "m.npz")


def _load_missing_file(tmp: Path) -> None:
    nn.MLP(2, [1]).load(tmp / "missing.npz")


def _save_on_a_full_disk(tmp: Path) -> None:
    def full_disk(fd: int) -> None:
        raise OSError(28, "No space left on device")

    sync, os.fsync = os.fsync, full_disk
    try:
        nn.MLP(2, [1]).save(tmp / "m.npz")
    finally:
        os.fsync = sync


def _load_wrong_shapes(tmp: Path) -> None:
    np.savez_compressed(tmp / "zeros.npz", weight=np.zeros(4_000_000), bias=np.zeros(2))
    nn.Linear(3, 2).load(tmp / "zeros.npz")


def _load_huge_header(tmp: Path) -> None:
    with zipfile.ZipFile(tmp / "huge.npz", "w") as archive, archive.open("weight.npy", "w") as f:
        np.lib.format.write_array_header_1_0(f, {"descr": "<f8", "fortran_order": False, "shape": (10**12,)})
        f.write(bytes(64))
    nn.Linear(3, 2).load(tmp / "huge.npz")


def _mnist_missing(tmp: Path) -> None:
    nn.load_mnist(tmp)


def _mnist_bad_file(tmp: Path) -> None:
    for name in ("train-images-idx3-ubyte", "train-labels-idx1-ubyte"):
        (tmp / name).write_bytes(b"\x01\x02\x03\x04\x05")
    nn.load_mnist(tmp)


def _draw_without_expression() -> None:
    from graphgrad.cli import _expression_and_settings

    _expression_and_settings(None, ["x=2", "y=3"])


def _optimizer_non_leaf() -> None:
    w = Tensor([1.0], requires_grad=True)
    nn.optim.SGD([w * 2], lr=0.1)


def _fit_mismatch() -> None:
    nn.fit(nn.Sequential(nn.Linear(2, 1)), nn.mse_loss, None, np.ones((4, 2)), np.ones(3), progress=False)


def _fit_not_finite() -> None:
    X = np.ones((4, 2))
    X[2, 1] = np.nan
    nn.fit(nn.Sequential(nn.Linear(2, 1)), nn.mse_loss, None, X, np.ones((4, 1)), progress=False)


def _fit_diverging() -> None:
    model = nn.Sequential(nn.Linear(2, 1, seed=0))
    opt = nn.optim.SGD(model.parameters(), lr=1e155)
    X, y = np.ones((8, 2)), np.ones((8, 1))
    nn.fit(model, nn.mse_loss, opt, X, y, batch_size=1, progress=False)


def _fit_other_models_optimizer() -> None:
    model, other = nn.Sequential(nn.Linear(2, 1)), nn.Sequential(nn.Linear(2, 1))
    opt = nn.optim.SGD(other.parameters(), lr=0.1)
    nn.fit(model, nn.mse_loss, opt, np.ones((4, 2)), np.ones((4, 1)), progress=False)


def _fit_metric() -> None:
    model = nn.Sequential(nn.Linear(2, 2))
    opt = nn.optim.SGD(model.parameters(), lr=0.1)
    nn.fit(model, nn.cross_entropy, opt, np.ones((4, 2)), np.zeros(4, int), metrics=["f1"], progress=False)


def _fit_lr_schedule() -> None:
    model = nn.Sequential(nn.Linear(2, 1))
    opt = nn.optim.SGD(model.parameters(), lr=0.1)
    nan_rate = lambda epoch: float("nan")  # noqa: E731
    nn.fit(model, nn.mse_loss, opt, np.ones((4, 2)), np.ones((4, 1)), progress=False, lr_schedule=nan_rate)


def _history_key() -> None:
    nn.History()["accuracy"]


def _fit_snapshots() -> None:
    model = nn.Sequential(nn.Linear(2, 1))
    opt = nn.optim.SGD(model.parameters(), lr=0.1)
    nn.fit(model, nn.mse_loss, opt, np.ones((4, 2)), np.ones((4, 1)), progress=False, snapshots=-1)


def _highlight_elsewhere() -> None:
    x, other = Value(1.0, label="x"), Value(2.0, label="z")
    draw(x * 2, highlight=other)


def _deep_chain(n: int) -> Value:
    y = Value(0.5, label="x")
    for _ in range(n):
        y = y.tanh()
    return y


def _no_renderer() -> None:
    find = draw_layout.find_renderer
    draw_layout.find_renderer = lambda: None
    try:
        draw(Value(1.0)).svg()
    finally:
        draw_layout.find_renderer = find


def _without(package: str, action: Callable[[], Any]) -> Callable[[], None]:
    """``action`` run as if ``package`` were not installed (importing it fails)."""

    def run() -> None:
        saved = sys.modules.get(package)
        sys.modules[package] = None  # type: ignore[assignment]  # import fails
        try:
            action()
        finally:
            if saved is None:
                del sys.modules[package]
            else:
                sys.modules[package] = saved

    return run


class Net(nn.Module):
    def __init__(self) -> None:
        self.fc = nn.Linear(2, 2)

    def forward(self, x: Any) -> Any:
        return self.fc(x).relu()


def _from_torch_conv() -> None:
    import torch

    nn.from_torch(torch.nn.Sequential(torch.nn.Conv1d(3, 2, 1)))


def _from_torch_gelu_tanh() -> None:
    import torch

    nn.from_torch(torch.nn.GELU(approximate="tanh"))


def _from_torch_batch_norm() -> None:
    import torch

    nn.from_torch(torch.nn.BatchNorm1d(3, affine=False))


def _from_torch_bfloat16() -> None:
    import torch

    nn.from_torch(torch.nn.Linear(2, 2, dtype=torch.bfloat16))


def _load_torch_mismatch() -> None:
    import torch

    model = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 2))
    model.load_torch(
        torch.nn.Sequential(torch.nn.Linear(4, 8), torch.nn.ReLU(), torch.nn.Linear(8, 3)).double()
    )


def _onnx(f: Callable[..., Any], example: Any = None) -> Callable[[Path], None]:
    """Export ``f`` on a batch of shape (4, 3) (or ``example``) into a temporary folder."""
    return lambda tmp: export_onnx(f, np.ones((4, 3)) if example is None else example, tmp / "m.onnx")


# id -> code that makes the mistake (a function of a temporary folder when it needs files)
CASES: dict[str, Callable[..., Any]] = {
    # making Values and Tensors
    "value-data-type": lambda: Value("3"),
    "value-data-list": lambda: Value([1.0, 2.0]),
    "value-label-type": lambda: Value(1.0, label=3),  # type: ignore[arg-type]
    "value-operand-type": lambda: Value(1.0) + "2",  # type: ignore[operator]
    "value-pow-negative-base": lambda: Value(-2.0) ** Value(0.5),
    "tensor-data-string": lambda: Tensor(["1.0", "2.0"]),
    "tensor-data-complex": lambda: Tensor([1 + 2j]),
    "tensor-data-object": lambda: Tensor(np.array([1.0, None])),
    "tensor-data-ragged": lambda: Tensor([[1.0, 2.0], [3.0]]),
    "tensor-data-nodes": lambda: Tensor([Tensor(1.0), Tensor(2.0)]),
    "tensor-dtype-int": lambda: Tensor([1, 2], dtype=int),
    "tensor-requires-grad-type": lambda: Tensor([1.0], requires_grad="yes"),
    "tensor-label-type": lambda: Tensor([1.0], label=1),  # type: ignore[arg-type]
    "tensor-value-mix": lambda: Tensor([1.0]) + Value(1.0),  # type: ignore[operator]
    "operand-ragged": lambda: Tensor(np.ones(2)) + [[1.0], [1.0, 2.0]],
    # shapes
    "shape-broadcast": lambda: Tensor(np.ones((3, 2))) + Tensor(np.ones((4, 2))),
    "matmul-inner": lambda: Tensor(np.ones((3, 2))) @ Tensor(np.ones((3, 2))),
    "matmul-scalar": lambda: Tensor(2.0) @ Tensor([1.0, 2.0]),
    "matmul-batch": lambda: Tensor(np.ones((2, 3, 4))) @ Tensor(np.ones((5, 4, 2))),
    "where-broadcast": lambda: where(np.ones(3, bool), Tensor(np.ones(4)), 0.0),
    "join-shapes": lambda: concatenate([Tensor(np.ones((2, 3))), Tensor(np.ones((2, 4)))]),
    "stack-shapes": lambda: stack([Tensor(np.ones(2)), Tensor(np.ones(3))]),
    "join-zero-d": lambda: concatenate([Tensor(1.0), Tensor(2.0)]),
    "join-not-a-list": lambda: concatenate(Tensor(np.ones((2, 2)))),
    "join-empty": lambda: stack([]),
    "stack-axis": lambda: stack([Tensor(np.ones(2))], axis=2),
    "reshape-size": lambda: Tensor(np.ones(6)).reshape(4, 2),
    "transpose-axes": lambda: Tensor(np.ones((2, 3))).transpose(0, 0),
    "squeeze-size": lambda: Tensor(np.ones((2, 3))).squeeze(0),
    "unsqueeze-axis": lambda: Tensor(np.ones(3)).unsqueeze(3),
    "flatten-dims": lambda: Tensor(np.ones((2, 3, 4))).flatten(2, 1),
    "broadcast-to": lambda: Tensor(np.ones(3)).broadcast_to((2, 4)),
    "axis-range": lambda: Tensor(np.ones((2, 3))).sum(axis=2),
    "axis-type": lambda: Tensor(np.ones((2, 3))).sum(axis=1.0),
    "axis-repeated": lambda: Tensor(np.ones((2, 3))).sum(axis=(1, -1)),
    "reduce-empty": lambda: Tensor(np.ones((0, 3))).max(axis=0),
    "mean-empty": lambda: Tensor(np.ones((0, 3))).mean(axis=0),
    "index-node": lambda: Tensor(np.ones(3))[Tensor([0.0])],
    "index-float": lambda: Tensor(np.ones(3))[np.array([0.5])],
    "index-range": lambda: Tensor(np.ones(3))[5],
    "clip-no-bounds": lambda: Tensor([1.0]).clip(),
    "clip-bounds-shape": lambda: Tensor(np.ones(3)).clip(np.zeros(2), None),
    "op-number-parameter": lambda: Tensor([1.0]).leaky_relu(Tensor(0.1, requires_grad=True)),
    "where-condition-grad": lambda: where(Tensor([0.5], requires_grad=True), 1.0, 0.0),
    "one-axis": lambda: Tensor(np.ones((2, 2))).cumsum(axis=(0, 1)),
    "var-ddof": lambda: Tensor(np.ones(3)).var(ddof=-1),
    "arg-empty": lambda: Tensor(np.ones((0, 3))).argmax(),
    "pad-width": lambda: Tensor(np.ones((2, 3))).pad(((1, 1),) * 3),
    "pad-negative": lambda: Tensor(np.ones(3)).pad(-1),
    "tile-reps": lambda: Tensor(np.ones(3)).tile((2.5,)),
    "astype-int": lambda: Tensor([1.0]).astype(int),
    "item-size": lambda: Tensor([1.0, 2.0]).item(),
    "truth-value": lambda: bool(Tensor([1.0, 2.0])),
    "len-zero-d": lambda: len(Tensor(1.0)),
    "setitem": lambda: Tensor(np.ones(3)).__setitem__(0, 5.0),
    # numpy on a Tensor
    "numpy-function": lambda: np.cumprod(Tensor(np.ones(3))),
    "numpy-ufunc": lambda: np.arcsin(Tensor(np.ones(3))),
    "numpy-out": lambda: np.exp(Tensor(np.ones(3)), out=np.empty(3)),
    "numpy-ufunc-method": lambda: np.add.reduce(Tensor(np.ones(3))),
    "numpy-option": lambda: np.sum(Tensor(np.ones(3)), dtype=np.float32),
    "numpy-pad-mode": lambda: np.pad(Tensor(np.ones(3)), 1, mode="reflect"),
    "numpy-nonzero": lambda: np.where(Tensor(np.ones(3))),
    "numpy-dot-3d": lambda: np.dot(Tensor(np.ones((2, 2, 2))), Tensor(np.ones((2, 2)))),
    "numpy-reshape-order": lambda: np.reshape(Tensor(np.ones(4)), (2, 2), order="F"),
    # the backward pass
    "backward-no-grad": _backward_under_no_grad,
    "value-backward-no-grad": _value_backward_under_no_grad,
    "backward-non-scalar": lambda: (x23() * 2).backward(),
    "backward-grad-shape": lambda: (x23() * 2).backward(np.ones(3)),
    "backward-grad-type": lambda: (x23() * 2).sum().backward(Value(1.0)),
    "value-backward-grad-type": lambda: (Value(1.0) * 2).backward("1"),
    "retain-grad-no-grad": lambda: Tensor([1.0]).exp().retain_grad(),
    "record-rule-shape": _record_rule_of_the_wrong_shape,
    # anomaly mode
    "anomaly-forward": _anomaly_forward,
    "anomaly-backward": _anomaly_backward,
    "anomaly-in-place": _anomaly_in_place,
    # gradients as functions
    "functional-not-callable": lambda: grad(3.0),
    "functional-argument-type": lambda: grad(lambda x: x * x)("2"),
    "functional-bool": lambda: grad(lambda x: x * 1.0)(True),
    "functional-int-array": lambda: grad(lambda x: (x * x).sum())(np.array([1, 2])),
    "functional-argnums": lambda: grad(lambda x, y: x * y, argnums=2)(1.0, 2.0),
    "functional-argnums-twice": lambda: grad(lambda x, y: x * y, argnums=(0, 0))(1.0, 2.0),
    "functional-non-scalar": lambda: grad(lambda x: x * 2)(Tensor([1.0, 2.0])),
    "functional-output-type": lambda: grad(lambda x: "loss")(1.0),
    "jacobian-output": lambda: jacobian(lambda x: {"y": x})(1.0),
    "jacobian-ragged": lambda: jacobian(lambda x: [x * np.ones(2), x])(Tensor(1.0)),
    "hvp-direction-shape": lambda: hvp(lambda x: (x * x).sum(), np.ones(3), np.ones(2)),
    "hvp-directions-count": lambda: hvp(lambda x, y: x * y, (1.0, 2.0), 1.0),
    "gradcheck-mismatch": lambda: gradcheck(lambda x: (x.detach() * x).sum(), [np.array([1.5])]),
    "gradcheck-inputs": lambda: gradcheck(lambda x: x, ["a"]),
    "gradcheck-output": lambda: gradcheck(lambda x: x * 2, [np.ones(2)]),
    "gradcheck-options": lambda: gradcheck(lambda x: x, [1.0], order=3),
    # nn: models
    "linear-features": lambda: nn.Linear(3, 2)(Tensor(np.ones((4, 5)))),
    "layer-input-type": lambda: nn.Linear(1, 1)(Value(1.0)),
    "sequential-item": lambda: nn.Sequential(nn.Linear(2, 2), "relu"),
    "dropout-p": lambda: nn.Dropout(1.5),
    "mlp-inputs-count": lambda: nn.MLP(2, [1])([1.0]),
    "mlp-inputs-type": lambda: nn.MLP(2, [1])(3.0),
    "mlp-sizes": lambda: nn.MLP(2, []),
    "mlp-size-value": lambda: nn.MLP(0, [1]),
    "mlp-activation": lambda: nn.MLP(2, [1], activation="gelu"),
    "mlp-output-activation": lambda: nn.MLP(2, [1], output_activation="softmax"),
    "mlp-batch": lambda: nn.MLP(3, [1])(np.ones((4, 3))),
    "model-seed": lambda: nn.MLP(2, [1], seed=-1),
    "mlp-predict-shape": lambda: nn.MLP(2, [1]).predict(np.ones((3, 3))),
    "module-forward": lambda: nn.Module()(1.0),
    "norm-input-shape": lambda: nn.BatchNorm1d(3)(Tensor(np.ones((4, 5)))),
    "batchnorm-one-sample": lambda: nn.BatchNorm1d(3)(Tensor(np.ones((1, 3)))),
    # nn: saving and loading
    "state-dict-architecture": _wrong_architecture,
    "state-dict-many-problems": _many_problems,
    "state-dict-foreign": _foreign_state,
    "state-dict-type": lambda: nn.MLP(2, [1]).load_state_dict([1.0, 2.0]),  # type: ignore[arg-type]
    "save-folder": _save_missing_folder,
    "save-path-is-folder": lambda tmp: nn.MLP(2, [1]).save(tmp),
    "save-empty-path": lambda: nn.MLP(2, [1]).save(""),
    "save-write-failed": _save_on_a_full_disk,
    "load-missing": _load_missing_file,
    "load-not-a-file": lambda: nn.MLP(2, [1]).load("/dev/null"),
    "load-shapes": _load_wrong_shapes,
    "load-header-size": _load_huge_header,
    "load-pickle": _load_pickle,
    # nn: losses
    "loss-reduction": lambda: nn.mse_loss(Tensor([1.0]), [1.0], reduction="avg"),
    "loss-shapes": lambda: nn.mse_loss(Tensor(np.ones((4, 1))), np.ones(3)),
    "loss-target-type": lambda: nn.mse_loss(Tensor([1.0]), ["a"]),
    "cross-entropy-label-range": lambda: nn.cross_entropy(Tensor(np.zeros((2, 3))), [0, 3]),
    "cross-entropy-label-fraction": lambda: nn.cross_entropy(Tensor(np.zeros((2, 3))), [0.0, 1.5]),
    "cross-entropy-label-count": lambda: nn.cross_entropy(Tensor(np.zeros((2, 3))), [0, 1, 2]),
    "cross-entropy-logits-shape": lambda: nn.cross_entropy(Tensor(np.zeros(3)), [0]),
    "cross-entropy-one-hot": lambda: nn.cross_entropy(Tensor(np.zeros((2, 2))), np.ones((2, 2))),
    "cross-entropy-values": lambda: nn.cross_entropy([Value(1.0), Value(2.0)], [0]),
    "label-target-grad": lambda: nn.cross_entropy(
        Tensor(np.zeros((2, 3))), Tensor([0.0, 1.0], requires_grad=True)
    ),
    "loss-target-kind": lambda: nn.mse_loss(Tensor([1.0]), Value(2.0)),
    "nll-loss-shapes": lambda: nn.nll_loss(Tensor(np.zeros((2, 3))), [0, 1, 2]),
    "one-hot-range": lambda: nn.one_hot([0, 3], 3),
    "bce-range": lambda: nn.binary_cross_entropy(Tensor([1.5]), [1.0]),
    "hinge-labels": lambda: nn.hinge_loss(Tensor([0.5, -0.5]), [0, 1]),
    # nn: optimizers and training
    "optimizer-params-type": lambda: nn.optim.SGD(3.0, lr=0.1),
    "optimizer-non-leaf": _optimizer_non_leaf,
    "optimizer-no-requires-grad": lambda: nn.optim.SGD([Tensor([1.0])], lr=0.1),
    "optimizer-empty": lambda: nn.optim.SGD([], lr=0.1),
    "optimizer-hyperparameter": lambda: nn.optim.SGD([Value(1.0)], lr=-0.1),
    "optimizer-number": lambda: nn.optim.SGD([Value(1.0)], lr="fast"),
    "adam-betas": lambda: nn.optim.Adam([Value(1.0)], betas=0.9),
    "fit-samples": _fit_mismatch,
    "fit-metric": _fit_metric,
    "fit-not-finite": _fit_not_finite,
    "fit-loss-not-finite": _fit_diverging,
    "fit-optimizer-model": _fit_other_models_optimizer,
    "fit-optimizer-type": lambda: nn.fit(nn.Linear(2, 1), nn.mse_loss, None, np.ones((4, 2)), np.ones(4)),
    "fit-lr-schedule": _fit_lr_schedule,
    "history-key": _history_key,
    "fit-snapshots": _fit_snapshots,
    "history-explore": lambda: nn.History().explore(),
    "accuracy-lengths": lambda: nn.accuracy(np.ones((3, 2)), [0, 1]),
    "plot-boundary-shape": lambda: nn.plot_decision_boundary(nn.MLP(3, [1]), np.ones((4, 3)), np.ones(4)),
    "matplotlib-missing": _without("matplotlib", lambda: nn.History().plot()),
    # nn: data
    "data-count": lambda: nn.make_moons(n_samples=0),
    "data-noise": lambda: nn.make_moons(noise=-0.1),
    "data-seed": lambda: nn.make_moons(seed="x"),
    "batches-samples": lambda: list(nn.batches(np.ones((4, 2)), np.ones(3))),
    "mnist-missing": _mnist_missing,
    "mnist-format": _mnist_bad_file,
    # drawing and the command line
    "draw-root": lambda: draw(3.0),
    "draw-option": lambda: draw(Value(1.0), rankdir="up"),
    "draw-highlight": _highlight_elsewhere,
    "draw-nodes": lambda: draw(Value(1.0) * 2, highlight=3.0),
    "draw-too-large": lambda: draw(_deep_chain(5000), max_nodes=6000),
    "drawing-save-name": lambda: draw(Value(1.0)).save("graph.jpg"),
    "renderer-missing": _no_renderer,
    "backward-steps-root": lambda: backward_steps([1.0]),
    "frame-options": lambda: backward_steps(Value(1.0) * 2)[0].draw(colour="red"),
    "drawing-png-scale": lambda: draw(Value(1.0)).png(scale=0),
    "explore-root": lambda: explore(3.0),
    "explorer-save-name": lambda: Explorer("page", "backward", {"steps": 0}).save("graph.svg"),
    "cli-expression": lambda: evaluate_expression("x +* 2", {"x": 1.0}),
    "cli-xor": lambda: evaluate_expression("x^2", {"x": 1.0}),
    "cli-missing-star": lambda: evaluate_expression("2x", {"x": 1.0}),
    "cli-missing-star-bracket": lambda: evaluate_expression("2(x+1)", {"x": 1.0}),
    "cli-value-called": lambda: evaluate_expression("x(y)", {"x": 1.0, "y": 2.0}),
    "cli-unknown-function": lambda: evaluate_expression("ln(x)", {"x": 1.0}),
    "cli-assignment": lambda: evaluate_expression("y = x*2", {"x": 1.0}),
    "cli-expression-length": lambda: evaluate_expression("x*" * 600_000 + "x", {"x": 1.0}),
    "cli-set": lambda: _parse_settings(["x"]),
    "cli-no-expression": _draw_without_expression,
    "cli-set-twice": lambda: _parse_settings(["x=2", "x=3"]),
    # PyTorch and ONNX
    "torch-missing": _without("torch", lambda: nn.Linear(2, 2).to_torch()),
    "onnx-missing": _without("onnx", lambda: export_onnx(lambda x: x, np.ones((2, 2)), "m.onnx")),
    "to-torch-no-equivalent": lambda: Net().to_torch(),
    "to-torch-dtype": lambda: nn.Linear(2, 2, dtype=np.longdouble).to_torch(),
    "from-torch-no-equivalent": _from_torch_conv,
    "from-torch-options": _from_torch_gelu_tanh,
    "from-torch-batch-norm": _from_torch_batch_norm,
    "from-torch-dtype": _from_torch_bfloat16,
    "load-torch-mismatch": _load_torch_mismatch,
    "onnx-op": _onnx(lambda x: nn.cross_entropy(x, np.zeros(len(x), int))),
    "onnx-output": _onnx(lambda x: nn.MLP(3, [1])(list(x.data[0]))),
    "onnx-data-constant": _onnx(nn.Dropout(0.5, seed=0)),
    "onnx-state-changed": _onnx(nn.Sequential(nn.Linear(3, 4), nn.BatchNorm1d(4))),
    "onnx-data-attribute": _onnx(lambda x: where(x > 0, x, 0.0)),
    "onnx-different-ops": _onnx(lambda x: x.sum() if len(x) < 5 else x * 2),
    "onnx-batch-axis": _onnx(lambda x: x, 1.0),
    "onnx-reshape-batch": _onnx(
        lambda x: (x.unsqueeze(1) * x.unsqueeze(0)).reshape(len(x), -1), np.ones((5, 1))
    ),
    "onnx-broadcast-batch": _onnx(
        lambda x: x + Tensor(np.ones(3), requires_grad=True).broadcast_to(x.shape), np.ones((5, 3))
    ),
    "onnx-index": _onnx(lambda x: x[:, np.array([True, False, True])]),
    "onnx-dtype": _onnx(lambda x: x.astype(np.longdouble)),
    "onnx-folder": lambda tmp: export_onnx(lambda x: x, np.ones((2, 2)), tmp / "no-such-folder" / "m.onnx"),
    "onnx-path-is-folder": lambda tmp: export_onnx(lambda x: x, np.ones((2, 2)), tmp),
}


OWN_ERRORS = {
    "AxisError": np.exceptions.AxisError,  # numpy's; a ValueError and an IndexError
    "ExpressionError": ExpressionError,
    "GradcheckError": GradcheckError,
    "RendererNotFoundError": RendererNotFoundError,
    "StateDictError": StateDictError,
}


def test_catalogue_and_tests_agree() -> None:
    ids = list(catalogue())
    assert len(ids) == len(set(ids)), "an id appears twice in docs/errors.md"
    headings = re.findall(r"^### (.+)$", CATALOGUE.read_text(encoding="utf-8"), re.MULTILINE)
    unread = [h for h in headings if h not in ids and h not in behaviours()]
    assert not unread, f"entries not in the form '**`Error`** `message`' or '**no error**': {unread}"
    assert set(ids) == set(CASES), (
        f"in the catalogue only: {sorted(set(ids) - set(CASES))}; "
        f"in the tests only: {sorted(set(CASES) - set(ids))}"
    )
    names = {name for name in globals() if name.startswith("test_")}
    missing = [b for b in behaviours() if "test_" + b.replace("-", "_") not in names]
    assert not missing, f"behaviour entries without a test: {missing}"
    text = CATALOGUE.read_text(encoding="utf-8")
    sections = {
        re.sub(r"[^a-z0-9 -]", "", h.lower()).replace(" ", "-") for h in re.findall(r"^## (.+)$", text, re.M)
    }
    anchors = set(re.findall(r"\]\(#([a-z0-9-]+)\)", text))
    assert anchors <= set(ids) | set(behaviours()) | sections, (
        f"links to nowhere: {anchors - set(ids) - sections}"
    )


@pytest.mark.parametrize("entry", sorted(CASES))
def test_entry(entry: str, tmp_path: Path) -> None:
    exc_name, pieces = catalogue()[entry]
    exc_type = getattr(builtins, exc_name, None) or OWN_ERRORS[exc_name]
    make = CASES[entry]
    pattern = "(?s)" + ".*".join(re.escape(p) for p in pieces)
    with pytest.raises(exc_type, match=pattern) as info:
        make(tmp_path) if make.__code__.co_argcount else make()
    assert type(info.value).__name__ == exc_name, f"{entry}: raised {type(info.value).__name__}"


# --- behaviours that do not raise, documented in the catalogue --------------------------------

ops_with_shapes = [
    ("+", lambda a, b: a + b),
    ("-", lambda a, b: a - b),
    ("*", lambda a, b: a * b),
    ("/", lambda a, b: a / b),
    ("**", lambda a, b: a**b),
    ("vs", lambda a, b: a.maximum(b)),
    ("vs", lambda a, b: a.minimum(b)),
]


@pytest.mark.parametrize(
    "symbol, op", ops_with_shapes, ids=["add", "sub", "mul", "div", "pow", "maximum", "minimum"]
)
def test_every_binary_op_names_both_shapes(symbol: str, op: Callable[[Any, Any], Any]) -> None:
    with pytest.raises(ValueError, match=re.escape(f"(3, 2) {symbol} (4, 2): shapes do not broadcast")):
        op(Tensor(np.ones((3, 2))), Tensor(np.ones((4, 2))))


def test_integer_data() -> None:
    t = Tensor([1, 2, 3])
    assert t.dtype == np.float64
    assert (Tensor([1.0], dtype=np.float32) * np.int64(3)).dtype == np.float32


def test_var_no_degrees_of_freedom() -> None:
    with pytest.warns(RuntimeWarning, match=r"var: ddof=1 leaves no degrees of freedom over 1 element"):
        assert np.isnan(Tensor([2.0]).var(ddof=1).item())
    x = Tensor([3.0, 3.0, 3.0], requires_grad=True)
    x.std().backward()
    np.testing.assert_array_equal(x.grad, [0.0, 0.0, 0.0])


def test_log_sqrt_div_give_nan_or_inf() -> None:
    with pytest.warns(RuntimeWarning, match="log of 0"):
        assert Value(0.0).log().data == -np.inf
    assert (Value(1.0) / 0.0).data == np.inf
    with pytest.warns(RuntimeWarning, match=r"Tensor\.log: log of 0 gives -inf \(1 of 3 entries\)"):
        data = Tensor([0.0, -1.0, 1.0]).log().data
    assert data[0] == -np.inf and np.isnan(data[1])
    with pytest.warns(RuntimeWarning):
        assert np.isnan(Tensor([-1.0]).sqrt().data[0])
    with pytest.warns(RuntimeWarning):
        assert (Tensor([1.0]) / 0.0).data[0] == np.inf


def test_numpy_asarray_is_the_data() -> None:
    t = Tensor([1.0, 2.0], requires_grad=True)
    assert np.asarray(t) is t.data
    assert isinstance(np.exp(t), Tensor)  # differentiable numpy calls stay in the graph


def test_in_place_data_change() -> None:
    x = Tensor([1.0, 2.0], requires_grad=True)
    loss = (x * x).sum()
    x.data *= 10  # after the forward pass, before backward
    loss.backward()
    np.testing.assert_array_equal(x.grad, [20.0, 40.0])  # 2 * the new data, not 2 * [1, 2]


def test_second_backward_after_zero_grad() -> None:
    x = Tensor([1.0, 2.0], requires_grad=True)
    loss = (x * x).sum()
    loss.backward()
    first = x.grad.copy()
    loss.backward()
    np.testing.assert_array_equal(x.grad, 2 * first)  # accumulates without zero_grad
    x.zero_grad()
    loss.backward()
    np.testing.assert_array_equal(x.grad, first)  # after zero_grad: the single pass again
    v = Value(3.0)
    y = v * v
    y.backward()
    v.zero_grad()
    y.backward()
    assert v.grad == 6.0


def test_parameter_shared_by_two_models() -> None:
    shared = nn.Linear(2, 2)
    a = nn.Sequential(shared, nn.ReLU(), nn.Linear(2, 1))
    b = nn.Sequential(shared, nn.Tanh(), nn.Linear(2, 1))
    x = Tensor(np.array([[0.5, -1.0]]))
    a(x).sum().backward()
    only_a = shared.weight.grad.copy()
    shared.weight.zero_grad()
    b(x).sum().backward()
    only_b = shared.weight.grad.copy()
    shared.weight.zero_grad()
    (a(x).sum() + b(x).sum()).backward()
    np.testing.assert_allclose(shared.weight.grad, only_a + only_b)  # gradients add up, as in torch
    assert any(p is shared.weight for p in a.parameters()) and any(p is shared.weight for p in b.parameters())


def test_onnx_float64_kernels(tmp_path: Path) -> None:
    import onnx
    import onnxruntime

    ops = [nn.GELU(), nn.LeakyReLU(), nn.ELU(), nn.Softplus(), lambda x: x.erf()]
    for f in ops:
        for dtype in (np.float64, np.float32):
            path = export_onnx(f, np.ones((4, 3), dtype), tmp_path / "m.onnx")
            onnx.checker.check_model(onnx.load(path), full_check=True)
            if dtype == np.float32:
                onnxruntime.InferenceSession(str(path), providers=["CPUExecutionProvider"])
                continue
            with pytest.raises(Exception, match="NOT_IMPLEMENTED : Could not find an implementation for"):
                onnxruntime.InferenceSession(str(path), providers=["CPUExecutionProvider"])


def test_create_graph_backward_warns() -> None:
    x = Value(2.0)
    with pytest.warns(UserWarning, match=r"create_graph=True\) makes a reference cycle.*autograd\.grad"):
        (x * x * x).backward(create_graph=True)
    assert x.grad.data == 12.0
    assert grad(grad(lambda v: v * v * v))(2.0) == 12.0  # the same derivative, no .grad, no warning


def test_load_state_dict_changes_nothing_on_error() -> None:
    model = nn.Sequential(nn.Linear(2, 3))
    before = {k: v.copy() for k, v in model.state_dict().items()}
    bad = dict(before)
    bad["0.bias"] = np.ones(4)
    with pytest.raises(StateDictError):
        model.load_state_dict(bad)
    for k, v in model.state_dict().items():
        np.testing.assert_array_equal(v, before[k])
