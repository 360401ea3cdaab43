"""The training loop: ``fit`` with a progress bar, a ``History`` that plots itself, and helpers.

``fit`` works for Tensor models (``model(Tensor(X_batch))`` gives the batch's outputs) and for
scalar models built from Values, such as ``nn.MLP`` (each row of the batch goes through the model
on its own and the loss function gets the list of outputs).

>>> import numpy as np, nn
>>> X, y = nn.make_moons(60, noise=0.05, seed=0)
>>> model = nn.MLP(2, [8, 1], seed=0)
>>> opt = nn.optim.SGD(model.parameters(), lr=0.1)
>>> history = nn.fit(model, nn.hinge_loss, opt, X, 2 * y - 1, epochs=3, batch_size=20, progress=False)
>>> sorted(history.history)
['accuracy', 'loss']
>>> len(history["loss"])
3
"""

from __future__ import annotations

import math
import sys
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Any, NamedTuple, TextIO

import numpy as np

from autograd.files import write_atomic
from autograd.graph import Node, no_grad
from autograd.value import Value
from nn.checks import make_rng
from nn.data import batches

Metric = Callable[[np.ndarray, np.ndarray], float]


# --- metrics ------------------------------------------------------------------------------------


def predicted_classes(outputs: Any, y: Any = None) -> np.ndarray:
    """Class predictions from model outputs, the way ``accuracy`` reads them.

    Outputs with several columns: the argmax of each row. One output per sample: labels in
    {-1, 1} (a ``-1`` in ``y``) are read with the sign (``> 0`` gives 1, else -1); labels in {0, 1}
    with a threshold of 0.5 when every output lies in [0, 1] (probabilities), else 0 (scores).
    """
    out = _as_array(outputs)
    if out.ndim == 2 and out.shape[1] > 1:
        return np.argmax(out, axis=1)
    out = out.reshape(len(out)) if out.ndim else out.reshape(1)
    labels = None if y is None else np.asarray(y)
    if labels is not None and labels.size and labels.min() < 0:
        return np.where(out > 0, 1, -1)
    threshold = 0.5 if out.size and out.min() >= 0.0 and out.max() <= 1.0 else 0.0
    return (out > threshold).astype(np.int64)


def _class_labels(y: Any) -> np.ndarray:
    """One class label per sample, the way ``accuracy`` reads ``y``: one-hot rows as the index
    of their largest entry, anything else (a column of labels too) flattened.

    >>> _class_labels(np.array([[0, 1], [1, 0]])), _class_labels(np.array([[-1], [1]]))
    (array([1, 0]), array([-1,  1]))
    """
    labels = np.asarray(y)
    if labels.ndim == 2 and labels.shape[1] > 1:
        labels = np.argmax(labels, axis=1)
    return labels.reshape(len(labels)) if labels.ndim else labels.reshape(1)


def accuracy(outputs: Any, y: Any) -> float:
    """The fraction of samples whose predicted class (see ``predicted_classes``) equals ``y``.

    ``y`` holds class indices, labels in {-1, 1} or {0, 1}, or one-hot rows.

    >>> accuracy(np.array([[2.0, 0.1], [0.3, 0.9]]), np.array([0, 0]))
    0.5
    >>> accuracy(np.array([0.7, -0.2, 1.5]), np.array([1, -1, -1]))
    0.6666666666666666
    """
    labels = _class_labels(y)
    pred = predicted_classes(outputs, labels)
    if len(pred) != len(labels):
        raise ValueError(f"accuracy: {len(pred)} predictions for {len(labels)} labels")
    return float(np.mean(pred == labels)) if len(labels) else math.nan


METRICS: dict[str, Metric] = {"accuracy": accuracy}


def _resolve_metrics(metrics: Any, y: np.ndarray) -> dict[str, Metric]:
    if metrics == "auto":
        classes = y.dtype.kind in "iub" or (y.size > 0 and bool(np.all(np.isin(y, (-1, 0, 1)))))
        return {"accuracy": accuracy} if classes else {}
    if metrics is None:
        return {}
    if isinstance(metrics, str) or callable(metrics):
        metrics = [metrics]
    resolved: dict[str, Metric] = {}
    for m in metrics:
        if isinstance(m, str):
            if m not in METRICS:
                raise ValueError(f"fit: unknown metric {m!r}; known: {sorted(METRICS)} (or pass a function)")
            resolved[m] = METRICS[m]
        elif callable(m):
            resolved[getattr(m, "__name__", "metric")] = m
        else:
            raise TypeError(f"fit: a metric must be a name or a function(outputs, y), got {m!r}")
    return resolved


# --- running a model on a batch -----------------------------------------------------------------


def _as_array(outputs: Any) -> np.ndarray:
    """Model outputs (a Tensor, an array, a Value or a list of them) as a float array."""
    if isinstance(outputs, Node) and not isinstance(outputs, Value):
        return np.asarray(outputs.data)
    if isinstance(outputs, Value):
        return np.array([outputs.data])
    if isinstance(outputs, (list, tuple)):
        rows = [[v.data for v in o] if isinstance(o, (list, tuple)) else _data(o) for o in outputs]
        return np.asarray(rows, dtype=np.float64)
    return np.asarray(outputs)


def _data(x: Any) -> Any:
    return x.data if isinstance(x, Node) else x


def is_scalar_model(model: Any) -> bool:
    """True when the model's parameters are Values (it takes one sample, a list of numbers)."""
    params = model.parameters() if hasattr(model, "parameters") else []
    return bool(params) and all(isinstance(p, Value) for p in params)


def _tensor_class() -> Any:
    from autograd import Tensor  # type: ignore[attr-defined]

    return Tensor


def run_model(model: Any, X: np.ndarray, scalar: bool | None = None) -> Any:
    """The model's outputs for the batch ``X``: a Tensor, or a list with one output per row."""
    if scalar is None:
        scalar = is_scalar_model(model)
    if scalar:
        return [model(row) for row in X.tolist()]
    return model(_tensor_class()(X))


def _loss_number(loss: Any) -> float:
    if isinstance(loss, Node):
        return float(np.asarray(loss.data))
    return float(loss)


class _Mode:
    """Switch a model to eval mode (and no_grad) for a while, then back to its previous mode."""

    def __init__(self, model: Any) -> None:
        self.model = model

    def __enter__(self) -> None:
        self.was_training = getattr(self.model, "training", False)
        if hasattr(self.model, "eval"):
            self.model.eval()
        self.no_grad = no_grad()
        self.no_grad.__enter__()

    def __exit__(self, *exc: object) -> None:
        self.no_grad.__exit__(*exc)
        if self.was_training and hasattr(self.model, "train"):
            self.model.train()


def predict(model: Any, X: Any, batch_size: int = 1024) -> np.ndarray:
    """The model's outputs for every row of ``X`` as an array, in eval mode under ``no_grad``."""
    X = np.asarray(X, dtype=np.float64) if np.asarray(X).dtype.kind != "f" else np.asarray(X)
    if hasattr(model, "predict") and callable(model.predict) and is_scalar_model(model):
        return np.asarray(model.predict(X))
    scalar = is_scalar_model(model)
    parts = []
    with _Mode(model):
        for start in range(0, len(X), batch_size):
            parts.append(_as_array(run_model(model, X[start : start + batch_size], scalar)))
    return np.concatenate(parts) if parts else np.zeros((0,))


def evaluate(
    model: Any, X: Any, y: Any, loss_fn: Callable[..., Any] | None = None, metrics: Any = "auto"
) -> dict[str, float]:
    """Loss (when ``loss_fn`` is given) and metrics on ``(X, y)``, in eval mode under no_grad."""
    X = np.asarray(X)
    y = np.asarray(y)
    scalar = is_scalar_model(model)
    with _Mode(model):
        outputs = run_model(model, X, scalar)
        result = {}
        if loss_fn is not None:
            result["loss"] = _loss_number(loss_fn(outputs, y))
    for name, metric in _resolve_metrics(metrics, y).items():
        result[name] = float(metric(_as_array(outputs), y))
    return result


# --- fit ----------------------------------------------------------------------------------------


class History:
    """Per-epoch numbers recorded by ``fit``: ``history["loss"]``, ``history["val_accuracy"]`` ...

    ``.plot()`` draws the loss (and any metric) per epoch with matplotlib. ``step_losses`` holds
    the loss of every optimizer step; with ``fit(..., snapshots=k)``, ``snapshots`` holds the
    model as it was before training and at k moments spread evenly over it (copies of its
    parameters then, which training on leaves alone), which ``.explore()`` plays back in an
    interactive page.
    """

    def __init__(self) -> None:
        self.history: dict[str, list[float]] = {}
        self.epochs: list[int] = []
        self.step_losses: list[float] = []
        self.snapshots: list[Snapshot] = []
        self.boundary: dict[str, np.ndarray] | None = None
        """With snapshots of a model of 2-D inputs: the grid (``x``, ``y``) its classes were
        predicted on, and the training data (``points``, ``labels``)."""

    def record(self, epoch: int, numbers: dict[str, float]) -> None:
        self.epochs.append(epoch)
        for name, value in numbers.items():
            self.history.setdefault(name, []).append(float(value))

    def __getitem__(self, name: str) -> list[float]:
        try:
            return self.history[name]
        except KeyError:
            raise KeyError(f"History has no {name!r}; it has {sorted(self.history)}") from None

    def __contains__(self, name: object) -> bool:
        return name in self.history

    def last(self) -> dict[str, float]:
        """The numbers of the last epoch."""
        return {name: values[-1] for name, values in self.history.items() if values}

    def __repr__(self) -> str:
        last = ", ".join(f"{k}={v:.4g}" for k, v in self.last().items())
        return f"History({len(self.epochs)} epochs{': ' if last else ''}{last})"

    def explore(self) -> Any:
        """The training played back, snapshot by snapshot, in one self-contained page (an
        ``autograd.drawing.Explorer``): the loss of every step up to the snapshot, the decision
        boundary (for 2-D inputs) and each weight matrix as a heatmap on a colour scale of its own,
        the same at every step (a legend beneath says which), hover for data and grad.

        Needs ``fit(..., snapshots=k)``.
        """
        from autograd.drawing import playback

        if not self.snapshots:
            raise ValueError(
                "History.explore: no snapshots; train with nn.fit(..., snapshots=10) to record some"
            )
        codes = _class_codes(self)
        boundary = None
        if self.boundary is not None:
            boundary = {**self.boundary, "labels": codes(self.boundary["labels"])}
        pages = [
            {"step": s.step, "caption": s.caption, "params": s.params,
             **({"classes": codes(s.classes)} if s.classes is not None else {})}
            for s in self.snapshots
        ]  # fmt: skip
        return playback(self.step_losses, pages, boundary)

    def plot(self, path: Any = None, title: str | None = None) -> Any:
        """Plot loss (left) and metrics (right) per epoch; returns the matplotlib Figure.

        With ``path`` the figure is also saved there (any format matplotlib knows from the
        extension, e.g. ``loss.png`` or ``loss.svg``) and nothing is shown on screen.
        """
        fig = _figure(path, ncols=2 if any(not _is_loss(k) for k in self.history) else 1)
        axes = fig.axes
        x = self.epochs
        for name, values in self.history.items():
            ax = axes[0] if _is_loss(name) else axes[-1]
            ax.plot(x[: len(values)], values, label=name, marker="." if len(values) < 30 else None)
        axes[0].set_ylabel("loss")
        if len(axes) > 1:
            axes[1].set_ylabel("metric")
        for ax in axes:
            ax.set_xlabel("epoch")
            ax.grid(alpha=0.3)
            ax.legend()
        if title:
            fig.suptitle(title)
        fig.tight_layout()
        return _finish(fig, path)


def _is_loss(name: str) -> bool:
    return name in ("loss", "val_loss")


class Snapshot(NamedTuple):
    """The model at one moment of ``fit``: after ``step`` optimizer steps (its own copies of the
    numbers, which later steps leave alone)."""

    step: int
    caption: str
    params: list[tuple[str, np.ndarray, np.ndarray]]  # (name, data, grad) of each weight matrix
    classes: np.ndarray | None  # the class predicted at each point of History.boundary's grid


def _class_codes(history: History) -> Callable[[np.ndarray], np.ndarray]:
    """Classes (such as -1 and 1) as 0, 1, ... in order, the same in every snapshot."""
    seen = [s.classes for s in history.snapshots if s.classes is not None]
    if history.boundary is not None:
        seen.append(history.boundary["labels"])
    levels = np.unique(np.concatenate([np.ravel(c) for c in seen])) if seen else np.zeros(0)
    return lambda classes: np.searchsorted(levels, classes)


def weight_matrices(model: Any) -> list[tuple[str, np.ndarray, np.ndarray]]:
    """The model's parameters as matrices to draw, each as (name, data, grad): copies, as they
    are now (training on changes the model, never them).

    A Tensor parameter as it is (a vector as one row, more axes folded into the columns); a
    scalar ``nn.MLP`` one matrix per layer, a row per neuron: its weights, then its bias.

    >>> import nn
    >>> [(name, data.shape) for name, data, _ in weight_matrices(nn.MLP(3, [4, 1], seed=0))]
    [('layers.0', (4, 4)), ('layers.1', (1, 5))]
    """
    layers = getattr(model, "layers", None)
    if isinstance(layers, list) and layers and all(hasattr(layer, "neurons") for layer in layers):
        found = []
        for i, layer in enumerate(layers):
            cells = [[*n.w, n.b] for n in layer.neurons]
            data = np.array([[v.data for v in row] for row in cells], dtype=np.float64)
            grad = np.array([[v.grad for v in row] for row in cells], dtype=np.float64)
            found.append((f"layers.{i}", data, grad))
        return found
    found = []
    for name, p in model.named_parameters():  # np.array copies: an optimizer updates p.data in place
        data = np.array(p.data, dtype=np.float64)
        grad = np.zeros_like(data) if p.grad is None else np.array(p.grad, dtype=np.float64)
        rows = data.shape[0] if data.ndim > 1 else 1
        found.append((name, data.reshape(rows, -1), grad.reshape(rows, -1)))
    return found


def fit(
    model: Any,
    loss_fn: Callable[..., Any],
    optimizer: Any,
    X: Any,
    y: Any,
    epochs: int = 10,
    batch_size: int | None = 32,
    metrics: Any = "auto",
    progress: bool = True,
    validation_data: tuple[Any, Any] | None = None,
    shuffle: bool = True,
    seed: Any = None,
    lr_schedule: Callable[[int], float] | None = None,
    snapshots: int = 0,
) -> History:
    """Train ``model`` on ``(X, y)`` and return the per-epoch ``History``.

    Each step: outputs for a mini-batch, ``loss = loss_fn(outputs, y_batch)``,
    ``optimizer.zero_grad()``, ``loss.backward()``, ``optimizer.step()``. ``batch_size=None`` uses
    the whole data set as one batch. Recorded per epoch: the mean training loss over the epoch's
    batches, each metric on the training batches' outputs, and with ``validation_data=(X_val,
    y_val)`` the same on it (``val_loss``, ``val_accuracy``), computed in eval mode under
    ``no_grad``.

    ``metrics``: ``"auto"`` (accuracy when ``y`` holds integer class labels or labels in
    {-1, 0, 1}), None, or a list of names (``"accuracy"``) and functions ``f(outputs, y) -> float``.
    The progress (see ``ProgressBar``) shows the epoch, the running loss and the metrics: a live
    bar on a terminal or in Jupyter, a plain line every tenth of the run when the output is piped;
    ``progress=False`` turns it off. The shuffling order comes from ``np.random.default_rng(seed)``.

    ``lr_schedule``: a function of the epoch (counted from 1) giving the learning rate for that
    epoch's steps; it is set as ``optimizer.lr`` before the epoch starts. For example a rate that
    falls a hundredfold over the run: ``lr_schedule=lambda epoch: 0.02 * 0.01 ** ((epoch - 1) / epochs)``.

    ``snapshots``: record the model (its weight matrices with their gradients and, for 2-D
    inputs, the class it predicts over the plane) before training and ``snapshots`` times spread
    evenly over the run, for ``history.explore()`` to play back.
    """
    X, y = _checked_data(X, y, validation_data)
    _check_counts(epochs=epochs, snapshots=snapshots)
    _check_optimizer(model, optimizer)
    size = len(X) if batch_size is None else batch_size
    rng = make_rng(seed, "fit")
    n_batches = max(1, math.ceil(len(X) / size)) if len(X) else 0
    history = History()
    recorder = _Recorder(model, history, X, y, int(snapshots), epochs * n_batches)
    trainer = _Trainer(model, loss_fn, optimizer, _resolve_metrics(metrics, y), validation_data, recorder)
    if hasattr(model, "train"):
        model.train()
    with ProgressBar(epochs * n_batches, unit="batch", enabled=progress) as bar:
        for epoch in range(1, epochs + 1):
            bar.describe(f"epoch {epoch}/{epochs}")
            if lr_schedule is not None:
                optimizer.lr = _scheduled_lr(lr_schedule, epoch)
            data = batches(X, y, batch_size=size, shuffle=shuffle, seed=rng)
            numbers = trainer.epoch(data, f"epoch {epoch} of {epochs}", epoch, bar)
            history.record(epoch, numbers)
            bar.report(numbers)
    return history


class _Trainer:
    """The epochs of ``fit``: a step per batch (outputs, loss, zero_grad, backward, step), each
    step's loss in the recorder's history (and a snapshot when one is due), the epoch's mean loss
    and metrics, and the same on the validation data."""

    def __init__(
        self,
        model: Any,
        loss_fn: Callable[..., Any],
        optimizer: Any,
        metrics: dict[str, Metric],
        validation_data: tuple[Any, Any] | None,
        recorder: _Recorder,
    ) -> None:
        self.model, self.loss_fn, self.optimizer = model, loss_fn, optimizer
        self.metrics, self.validation_data = metrics, validation_data
        self.recorder, self.history = recorder, recorder.history
        self.scalar = is_scalar_model(model)

    def step(self, Xb: np.ndarray, yb: np.ndarray, when: str, epoch: int) -> tuple[Any, float]:
        """One optimizer step on a batch: the model's outputs and the loss as a number."""
        outputs = run_model(self.model, Xb, self.scalar)
        loss = self.loss_fn(outputs, yb)
        value = _finite_loss(loss, len(self.history.step_losses) + 1, epoch, self.optimizer)
        self.optimizer.zero_grad()
        loss.backward()
        self.optimizer.step()
        self.history.step_losses.append(value)
        self.recorder.after_step(when, value)
        return outputs, value

    def epoch(
        self, data: Iterable[tuple[np.ndarray, np.ndarray]], when: str, epoch: int, bar: ProgressBar
    ) -> dict[str, float]:
        """A step on each batch of ``data``; the mean loss over the epoch and each metric, then the
        validation data's (``val_loss``, ...)."""
        total, seen = 0.0, 0
        outs, labels = [], []
        for Xb, yb in data:
            outputs, value = self.step(Xb, yb, when, epoch)
            total += value * len(Xb)
            seen += len(Xb)
            if self.metrics:
                outs.append(_as_array(outputs))
                labels.append(yb)
            bar.advance(1, {"loss": total / seen})
        numbers = {"loss": total / max(seen, 1)}
        if self.metrics and outs:
            all_out, all_y = np.concatenate(outs), np.concatenate(labels)
            for name, metric in self.metrics.items():
                numbers[name] = float(metric(all_out, all_y))
        if self.validation_data is not None:
            Xv, yv = self.validation_data
            val = evaluate(self.model, Xv, yv, self.loss_fn, metrics=list(self.metrics.values()) or None)
            numbers.update({f"val_{k}": v for k, v in val.items()})
        return numbers


def _check_counts(**counts: Any) -> None:
    """Refuse a count (``epochs``, ``snapshots``) that is not an int >= 0."""
    for what, n in counts.items():
        if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 0:
            raise ValueError(f"fit: {what} must be an int >= 0, got {n!r}")


def _checked_data(X: Any, y: Any, validation_data: tuple[Any, Any] | None) -> tuple[np.ndarray, np.ndarray]:
    """``X`` (as floats) and ``y`` as arrays, once they hold the same number of samples, at least
    one, and only finite numbers (and so does ``validation_data``)."""
    X, y = np.asarray(X), np.asarray(y)
    if X.ndim == 0 or len(X) != len(y):
        raise ValueError(
            f"fit: X and y must hold the same number of samples, got shapes {X.shape} and {y.shape}"
        )
    if len(X) == 0:
        raise ValueError("fit: X holds no samples")
    named = [("X", X), ("y", y)]
    if validation_data is not None:
        named += [
            ("validation X", np.asarray(validation_data[0])),
            ("validation y", np.asarray(validation_data[1])),
        ]
    for name, data in named:
        _check_finite(name, data)
    return (X if X.dtype.kind == "f" else X.astype(np.float64)), y


MAX_NAMED = 5
"""How many entries that are not finite ``fit``'s error names before it says how many more."""


def _check_finite(name: str, data: np.ndarray) -> None:
    """Refuse data holding nan or inf, naming where (the first ``MAX_NAMED`` places)."""
    if data.dtype.kind not in "fc" or np.isfinite(data).all():
        return
    where = np.argwhere(~np.isfinite(data)).tolist()
    places = "; ".join(_place(index) for index in where[:MAX_NAMED])
    more = f" and {len(where) - MAX_NAMED} more" if len(where) > MAX_NAMED else ""
    raise ValueError(
        f"fit: {name} holds {len(where)} value(s) that are not finite (nan or inf): {places}{more}; "
        "training on them would make every weight nan: drop or fill those rows first "
        "(np.isfinite(X).all(axis=1) marks the good rows of X)"
    )


def _place(index: list[int]) -> str:
    """Where an entry of the data is, in words.

    >>> _place([4]), _place([4, 1]), _place([4, 1, 0])
    ('row 4', 'row 4, column 1', 'row 4, index (1, 0)')
    """
    row, rest = index[0], index[1:]
    if not rest:
        return f"row {row}"
    return f"row {row}, column {rest[0]}" if len(rest) == 1 else f"row {row}, index {tuple(rest)}"


def _check_optimizer(model: Any, optimizer: Any) -> None:
    """Refuse an optimizer that is not one, or that updates none of the model's parameters."""
    if not (callable(getattr(optimizer, "step", None)) and callable(getattr(optimizer, "zero_grad", None))):
        raise TypeError(
            f"fit: optimizer must have step() and zero_grad(), such as nn.optim.SGD(model.parameters(), "
            f"lr=0.1); got {type(optimizer).__name__}"
        )
    owned = getattr(optimizer, "params", None)
    params = model.parameters() if callable(getattr(model, "parameters", None)) else None
    if not isinstance(owned, list) or not params:
        return
    ids = {id(p) for p in params}
    if not any(id(p) in ids for p in owned):
        kind = type(optimizer).__name__
        raise ValueError(
            f"fit: the optimizer {kind} updates none of the parameters of the model {type(model).__name__} "
            f"(its {len(owned)} parameters belong to another model; this one has {len(params)}), so "
            f"training would change nothing; build it on this model's: {kind}(model.parameters(), ...)"
        )


def _finite_loss(loss: Any, step: int, epoch: int, optimizer: Any) -> float:
    """The loss of a step as a number, checked before the step updates anything."""
    value = _loss_number(loss)
    if not math.isfinite(value):
        lr = getattr(optimizer, "lr", None)
        raise FloatingPointError(
            f"fit: the loss is {value} at step {step} (epoch {epoch}); stopped before that step changed "
            "the model. Run the step under autograd.detect_anomaly() to find the op that made it"
            + (f", or lower the learning rate (lr={lr:g})" if isinstance(lr, (int, float)) else "")
        )
    return value


_SNAPSHOT_GRID = 50
"""A snapshot of a model of 2-D inputs predicts the classes on a grid of this many points a side."""


class _Recorder:
    """What ``fit(snapshots=k)`` keeps: the model before training and after k steps spread
    evenly over the run (the last one included)."""

    def __init__(
        self, model: Any, history: History, X: np.ndarray, y: np.ndarray, k: int, steps: int
    ) -> None:
        self.model, self.history, self.steps = model, history, steps
        self.marks = {math.ceil(i * steps / k) for i in range(1, k + 1)} if k else set()
        self.grid = None
        if k and X.ndim == 2 and X.shape[1] == 2:
            self.labels = _class_labels(y)
            xs, ys, self.grid = _plane(X, _SNAPSHOT_GRID)
            history.boundary = {"x": xs, "y": ys, "points": X, "labels": self.labels}
        if k:
            self.take("before training", None)

    def after_step(self, when: str, loss: float) -> None:
        if len(self.history.step_losses) in self.marks:
            self.take(when, loss)

    def take(self, when: str, loss: float | None) -> None:
        step = len(self.history.step_losses)
        caption = (
            f"after {step:,} of {self.steps:,} steps ({when}): loss {loss:.4g}" if loss is not None else when
        )
        classes = None
        if self.grid is not None:
            classes = predicted_classes(predict(self.model, self.grid), self.labels)
            classes = classes.reshape(_SNAPSHOT_GRID, _SNAPSHOT_GRID)
        self.history.snapshots.append(Snapshot(step, caption, weight_matrices(self.model), classes))


def _scheduled_lr(lr_schedule: Callable[[int], float], epoch: int) -> float:
    lr = lr_schedule(epoch)
    if isinstance(lr, bool) or not isinstance(lr, (int, float, np.integer, np.floating)) or not lr >= 0:
        raise ValueError(
            f"fit: lr_schedule({epoch}) returned {lr!r}; it must return a learning rate, a number >= 0"
        )
    return float(lr)


# --- progress -----------------------------------------------------------------------------------


def format_accuracy(fraction: float) -> str:
    """An accuracy as graphgrad shows it everywhere: a percentage with one decimal.

    >>> format_accuracy(0.97)
    '97.0%'
    """
    return f"{fraction:.1%}"


def format_metrics(numbers: Mapping[str, float]) -> str:
    """``name=value`` pairs as the progress bars show them: accuracies (``accuracy``,
    ``val_accuracy``) as percentages with one decimal, everything else with four decimals.

    >>> format_metrics({"loss": 0.12345, "accuracy": 0.97, "val_accuracy": 0.9})
    'loss=0.1235, accuracy=97.0%, val_accuracy=90.0%'
    """
    return ", ".join(
        f"{name}={format_accuracy(value) if name.endswith('accuracy') else f'{value:.4f}'}"
        for name, value in numbers.items()
    )


class ProgressBar:
    """The progress of a training run, shown in the way that suits where it is read.

    On a terminal or in Jupyter, a live tqdm bar: one line, redrawn in place. When ``stream``
    (stderr unless given) is a pipe or a file, plain lines instead: one at the end of a round (an
    epoch) once another tenth of the run is done since the last line, and one with the last
    numbers at the end. ``enabled=False`` shows nothing (and does not import tqdm). ``advance``
    counts units done (batches, steps) with the running numbers; ``report`` gives the numbers at
    the end of a round.

    >>> import io
    >>> log = io.StringIO()  # not a terminal: plain lines
    >>> with ProgressBar(20, unit="step", stream=log) as bar:
    ...     for step in range(1, 21):
    ...         bar.describe(f"step {step}")
    ...         bar.advance(1)
    ...         bar.report({"loss": 1 / step, "accuracy": step / 20})
    >>> print(log.getvalue().splitlines()[0])
    step 2: 2/20 steps, loss=0.5000, accuracy=10.0%
    >>> len(log.getvalue().splitlines())
    10
    """

    def __init__(
        self,
        total: int,
        description: str = "",
        unit: str = "batch",
        enabled: bool = True,
        stream: TextIO | None = None,
    ) -> None:
        self.total, self.description, self.unit = total, description, unit
        self.stream = sys.stderr if stream is None else stream
        self.done = 0
        live = enabled and (_is_terminal(self.stream) or "ipykernel.zmqshell" in sys.modules)
        self._plain = enabled and not live
        self._reported: dict[str, float] = {}
        self._written_tenths = 0
        self._unwritten = False
        self._bar: Any = None
        if live:
            from tqdm.auto import tqdm

            self._bar = tqdm(total=total, desc=description, unit=unit, file=self.stream, dynamic_ncols=True)

    def describe(self, description: str) -> None:
        """Name what is running now (``epoch 3/10``)."""
        self.description = description
        if self._bar is not None:
            self._bar.set_description_str(description, refresh=False)

    def advance(self, n: int = 1, numbers: Mapping[str, float] | None = None) -> None:
        """Count ``n`` more units done; a live bar shows ``numbers`` (a running loss) beside the
        last report's."""
        self.done += n
        if self._bar is not None:
            if numbers:
                self._bar.set_postfix_str(format_metrics({**self._reported, **numbers}), refresh=False)
            self._bar.update(n)

    def report(self, numbers: Mapping[str, float]) -> None:
        """The numbers at the end of a round; as plain lines, written once another tenth is done."""
        self._reported = dict(numbers)
        if self._bar is not None:
            self._bar.set_postfix_str(format_metrics(numbers), refresh=False)
        elif self._plain:
            tenths = 10 * self.done // self.total if self.total else 10
            self._unwritten = tenths <= self._written_tenths
            if not self._unwritten:
                self._write_line()
                self._written_tenths = tenths

    def close(self) -> None:
        """Finish: a live bar stays on screen with the last numbers; plain lines end with them."""
        if self._bar is not None:
            self._bar.close()
        elif self._unwritten:
            self._write_line()
            self._unwritten = False

    def __enter__(self) -> ProgressBar:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _write_line(self) -> None:
        where = f"{self.description}: " if self.description else ""
        units = self.unit + ("es" if self.unit.endswith("ch") else "s")
        numbers = f", {format_metrics(self._reported)}" if self._reported else ""
        print(f"{where}{self.done}/{self.total} {units}{numbers}", file=self.stream, flush=True)


def _is_terminal(stream: Any) -> bool:
    try:
        return bool(stream.isatty())
    except (AttributeError, ValueError):  # no isatty, or a closed file
        return False


# --- plots --------------------------------------------------------------------------------------


def _matplotlib() -> Any:
    try:
        import matplotlib
    except ImportError as exc:
        raise ImportError(
            f"plotting needs matplotlib, which could not be imported ({exc}); install it with "
            "pip install matplotlib"
        ) from exc
    return matplotlib


def _figure(path: Any, ncols: int = 1) -> Any:
    """A figure with ``ncols`` axes: pyplot's (shown in notebooks) or, when saving, a bare one."""
    _matplotlib()
    size = (5.0 * ncols, 4.0)
    if path is not None:
        from matplotlib.figure import Figure

        fig = Figure(figsize=size)
        fig.subplots(1, ncols)
        return fig
    import matplotlib.pyplot as plt

    fig, _ = plt.subplots(1, ncols, figsize=size)
    return fig


def _finish(fig: Any, path: Any) -> Any:
    """Save ``fig`` at ``path`` (its suffix names the format), whole or not at all."""
    if path is not None:
        kind = Path(path).suffix.lstrip(".").lower() or "png"
        write_atomic(path, lambda file: fig.savefig(file, format=kind, dpi=100), "History.plot", "loss.png")
    return fig


def _plane(X: np.ndarray, resolution: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """A grid over the 2-D points ``X`` reaching a quarter of their spread past them on every
    side: its x and y coordinates (``resolution`` of each) and its points, a row each, x fastest.

    >>> xs, ys, points = _plane(np.array([[0.0, 0.0], [4.0, 2.0]]), 3)
    >>> xs.round(6).tolist(), ys.round(6).tolist(), points[:4].round(6).tolist()
    ([-1.0, 2.0, 5.0], [-0.5, 1.0, 2.5], [[-1.0, -0.5], [2.0, -0.5], [5.0, -0.5], [-1.0, 1.0]])
    """
    pad = 0.25 * (X.max(axis=0) - X.min(axis=0)) + 1e-9
    lo, hi = X.min(axis=0) - pad, X.max(axis=0) + pad
    xs, ys = np.linspace(lo[0], hi[0], resolution), np.linspace(lo[1], hi[1], resolution)
    gx, gy = np.meshgrid(xs, ys)
    return xs, ys, np.column_stack([gx.ravel(), gy.ravel()])


def plot_decision_boundary(
    model: Any,
    X: Any,
    y: Any,
    path: Any = None,
    resolution: int = 200,
    title: str | None = None,
) -> Any:
    """Colour the plane by the class the model predicts and scatter the 2-D points ``X`` on it.

    Works for Tensor models and scalar models (an ``nn.MLP`` is evaluated in numpy); the class of
    an output is read as ``accuracy`` reads it. Returns the matplotlib Figure; with ``path`` it is
    also saved there.
    """
    X = np.asarray(X, dtype=np.float64)
    y = np.asarray(y)
    if X.ndim != 2 or X.shape[1] != 2:
        raise ValueError(f"plot_decision_boundary: X must have shape (n, 2), got {X.shape}")
    if len(y) != len(X):
        raise ValueError(f"plot_decision_boundary: {len(X)} points but {len(y)} labels")
    labels = _class_labels(y)
    xs, ys, grid = _plane(X, resolution)
    classes = predicted_classes(predict(model, grid), labels).reshape(len(ys), len(xs))
    fig = _figure(path)
    ax = fig.axes[0]
    u = np.unique(np.concatenate([np.unique(labels), np.unique(classes)])).astype(np.float64)
    levels = np.concatenate([[u[0] - 0.5], (u[:-1] + u[1:]) / 2, [u[-1] + 0.5]])
    ax.contourf(xs, ys, classes, levels=levels, alpha=0.35, cmap="viridis")
    ax.scatter(X[:, 0], X[:, 1], c=labels, cmap="viridis", s=14, edgecolors="k", linewidths=0.4)
    ax.set_xlim(xs[0], xs[-1])
    ax.set_ylim(ys[0], ys[-1])
    ax.set_aspect("equal")
    acc = float(np.mean(predicted_classes(predict(model, X), labels) == labels))
    ax.set_title(title or f"decision boundary (train accuracy {format_accuracy(acc)})")
    fig.tight_layout()
    return _finish(fig, path)
