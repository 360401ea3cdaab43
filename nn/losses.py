"""Losses: mse_loss, cross_entropy (fused with log-softmax), binary_cross_entropy, hinge_loss.

Every loss takes ``reduction="mean"`` (the default), ``"sum"`` or ``"none"`` (one loss per
element, or per sample for cross_entropy). ``mse_loss``, ``hinge_loss`` and
``binary_cross_entropy`` also take a Value or a list of Values (the outputs of ``nn.MLP`` over a
batch) and return Values.

Shapes must agree: a target of shape (N,) for predictions of shape (N, 1) (or the other way round)
is reshaped to the predictions' shape; any other difference is an error rather than a silent
broadcast to (N, N).

>>> import numpy as np
>>> from autograd import Tensor
>>> logits = Tensor([[2.0, 0.5, -1.0], [0.1, 0.2, 3.0]], requires_grad=True)
>>> loss = cross_entropy(logits, np.array([0, 2]))
>>> round(loss.item(), 4)
0.1755
>>> loss.backward()
>>> bool(np.allclose(logits.grad, (logits.softmax(axis=1).data - np.eye(3)[[0, 2]]) / 2))
True
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from autograd.graph import Node, record
from autograd.tensor import Tensor
from autograd.value import Value

REDUCTIONS = ("mean", "sum", "none")


def _check_reduction(reduction: Any, who: str) -> str:
    if reduction not in REDUCTIONS:
        raise ValueError(f"{who}: reduction must be 'mean', 'sum' or 'none', got {reduction!r}")
    return reduction  # type: ignore[no-any-return]


def _target_array(target: Any, who: str) -> np.ndarray:
    if isinstance(target, Node) and not isinstance(target, Tensor):
        return np.asarray(target.data)
    arr = np.asarray(target.data if isinstance(target, Tensor) else target)
    if arr.dtype.kind not in "fiub":
        raise TypeError(f"{who}: target must hold numbers, got dtype {arr.dtype}")
    return arr


def _match(pred_shape: tuple[int, ...], target: np.ndarray, who: str) -> np.ndarray:
    """The target in the predictions' shape: equal shapes, or the same shape up to size-1 axes."""
    if target.shape == pred_shape:
        return target
    squeeze = tuple(n for n in pred_shape if n != 1)
    if target.size == math.prod(pred_shape) and tuple(n for n in target.shape if n != 1) == squeeze:
        return target.reshape(pred_shape)
    raise ValueError(
        f"{who}: predictions have shape {pred_shape} but the target has shape {target.shape}; "
        "give one target per prediction"
    )


def _reduce(losses: Any, reduction: str) -> Any:
    if reduction == "none":
        return losses
    return losses.sum() if reduction == "sum" else losses.mean()


def _is_scalar_input(pred: Any) -> bool:
    if isinstance(pred, Value):
        return True
    return isinstance(pred, (list, tuple)) and any(
        isinstance(p, Value) or (isinstance(p, (list, tuple)) and any(isinstance(q, Value) for q in p))
        for p in pred
    )


def _flat_values(pred: Any, target: Any, who: str) -> tuple[list[Any], list[Any]]:
    """Predictions (a Value, a list of Values, or a list of lists) and targets, flattened in step."""
    preds: list[Any] = [pred] if isinstance(pred, Value) else list(pred)
    t = np.asarray(target.data if isinstance(target, Tensor) else target, dtype=object)
    if preds and isinstance(preds[0], (list, tuple)):
        rows = [list(p) for p in preds]
        flat = [v for row in rows for v in row]
        shape: tuple[int, ...] = (len(rows), len(rows[0]) if rows else 0)
        if any(len(r) != shape[1] for r in rows):
            raise ValueError(f"{who}: the prediction rows have different lengths")
    else:
        flat, shape = preds, (len(preds),)
    try:
        t = _match(shape, t, who)
    except ValueError:
        raise ValueError(
            f"{who}: {len(flat)} predictions (shape {shape}) but the target has shape {t.shape}"
        ) from None
    targets = [x if isinstance(x, Value) else float(x) for x in t.reshape(-1).tolist()]
    return flat, targets


def _reduce_values(losses: list[Any], reduction: str) -> Any:
    if reduction == "none":
        return losses
    if not losses:
        raise ValueError("loss: no predictions to reduce")
    total = losses[0]
    for x in losses[1:]:
        total = total + x
    return total if reduction == "sum" else total * (1.0 / len(losses))


# --- mean squared error -------------------------------------------------------------------------


def mse_loss(pred: Any, target: Any, reduction: str = "mean") -> Any:
    """Mean of (pred - target) ** 2 over every element (``"sum"``: the sum; ``"none"``: each).

    >>> from autograd import Value
    >>> mse_loss([Value(1.0), Value(3.0)], [0.0, 1.0]).data
    2.5
    """
    reduction = _check_reduction(reduction, "mse_loss")
    if _is_scalar_input(pred):
        flat, targets = _flat_values(pred, target, "mse_loss")
        losses = []
        for p, tv in zip(flat, targets):
            d = p - tv
            losses.append(d * d)
        return _reduce_values(losses, reduction)
    pred = _prediction(pred, "mse_loss")
    if isinstance(target, Tensor):
        if target.shape != pred.shape:
            target = target.reshape(_match(pred.shape, target.data, "mse_loss").shape)
        t: Any = target
    else:
        t = _match(pred.shape, _target_array(target, "mse_loss"), "mse_loss").astype(pred.dtype, copy=False)
    d = pred - t
    return _reduce(d * d, reduction)


def _prediction(pred: Any, who: str) -> Tensor:
    if isinstance(pred, Tensor):
        return pred
    if isinstance(pred, Node):
        raise TypeError(
            f"{who}: predictions must be a Tensor, a Value or a list of Values, got {type(pred).__name__}"
        )
    return Tensor(pred)


# --- hinge --------------------------------------------------------------------------------------


def hinge_loss(scores: Any, target: Any, reduction: str = "mean", margin: float = 1.0) -> Any:
    """max(0, margin - target * score), with labels in {-1, +1} (the SVM loss of the moons demo).

    Labels in {0, 1} are an error: convert them with ``2 * y - 1``.

    >>> from autograd import Value
    >>> hinge_loss([Value(2.0), Value(0.5)], [1, 1]).data
    0.25
    """
    reduction = _check_reduction(reduction, "hinge_loss")
    labels = _target_array(target, "hinge_loss")
    bad = labels[(labels != 1) & (labels != -1)]
    if bad.size:
        hint = "; labels in {0, 1}? use 2 * y - 1" if np.all(np.isin(labels, (0, 1))) else ""
        raise ValueError(f"hinge_loss: labels must be -1 or +1, got {bad.reshape(-1)[0].item()!r}{hint}")
    if _is_scalar_input(scores):
        flat, targets = _flat_values(scores, labels, "hinge_loss")
        return _reduce_values([(margin - s * t).relu() for s, t in zip(flat, targets)], reduction)
    scores = _prediction(scores, "hinge_loss")
    t = _match(scores.shape, labels, "hinge_loss").astype(scores.dtype)
    return _reduce((margin - scores * t).relu(), reduction)


# --- cross-entropy, fused with log-softmax ------------------------------------------------------


def _class_targets(target: Any, n: int, c: int) -> tuple[np.ndarray | None, np.ndarray | None]:
    """(class indices, None) or (None, probability rows) from the target, with clear errors."""
    t = _target_array(target, "cross_entropy")
    if t.ndim == 1:
        if len(t) != n:
            raise ValueError(
                f"cross_entropy: {n} rows of logits but {len(t)} labels; give targets of shape ({n},)"
            )
        if t.dtype.kind == "f":
            fraction = t[~np.isfinite(t) | (t != np.round(t))]
            if fraction.size:
                raise ValueError(
                    "cross_entropy: class labels must be integer class indices (whole numbers), "
                    f"got {fraction[0]}"
                )
            t = t.astype(np.int64)
        if n and (t.min() < 0 or t.max() >= c):
            raise ValueError(
                f"cross_entropy: class labels must lie in 0..{c - 1}, got {t.min()}..{t.max()} "
                f"({c} classes: logits of shape ({n}, {c})); labels counted from 1? use y - 1"
            )
        return t.astype(np.intp), None
    if t.ndim == 2:
        if t.shape != (n, c):
            raise ValueError(
                f"cross_entropy: logits have shape ({n}, {c}) but the one-hot target has shape {t.shape}"
            )
        if np.any(t < 0) or not np.allclose(t.sum(axis=1), 1.0):
            raise ValueError("cross_entropy: target rows must be one-hot (or probabilities summing to 1)")
        return None, t
    raise ValueError(
        f"cross_entropy: target must be class indices (N,) or one-hot rows (N, C), got shape {t.shape}"
    )


def cross_entropy(logits: Any, target: Any, reduction: str = "mean") -> Tensor:
    """Softmax cross-entropy of ``logits`` (N, C) against class indices (N,) or one-hot rows (N, C).

    One node, fused with a stable log-softmax: per sample the loss is ``logsumexp(z_i) - z_i[y_i]``
    (rows ``t``: ``-(t * log_softmax(z_i)).sum()``), shifted by the row max so logits of any size
    are fine. The forward keeps the softmax, and the gradient is the simple
    ``(softmax(z) - onehot) / N`` (for ``"mean"``; without the ``/ N`` for ``"sum"``; scaled per
    row by the incoming gradient for ``"none"``), not the softmax Jacobian times the log's
    gradient. ``"none"`` gives the N per-sample losses. The target is checked first:
    whole-number labels in range, or one-hot / probability rows.

    >>> logits = Tensor([[2.0, 0.0], [0.0, 2.0]], requires_grad=True)
    >>> loss = cross_entropy(logits, np.array([0, 0]))
    >>> round(loss.item(), 4)
    1.1269
    >>> loss.backward()
    >>> logits.grad.round(4)
    array([[-0.0596,  0.0596],
           [-0.4404,  0.4404]])
    """
    reduction = _check_reduction(reduction, "cross_entropy")
    if _is_scalar_input(logits):
        raise TypeError(
            "cross_entropy: takes a Tensor of logits (N, C); for Values use Tensor models, or "
            "hinge_loss / mse_loss with nn.MLP"
        )
    z = _prediction(logits, "cross_entropy")
    if z.ndim != 2:
        raise ValueError(
            f"cross_entropy: logits must have shape (N, C) (one row per sample), got {z.shape}; "
            "for one sample use logits.reshape(1, -1)"
        )
    n, c = z.shape
    if n == 0 or c == 0:
        raise ValueError(f"cross_entropy: no samples or no classes (logits of shape {z.shape})")
    index, soft = _class_targets(target, n, c)
    x = z.data
    rows = np.arange(n)
    shifted = x - x.max(axis=1, keepdims=True)
    probs = np.exp(shifted)
    total = probs.sum(axis=1, keepdims=True)
    probs /= total
    log_total = np.log(total[:, 0])
    if soft is not None:
        soft = soft.astype(x.dtype, copy=False)
        per_sample = log_total * soft.sum(axis=1) - (soft * shifted).sum(axis=1)
    else:
        per_sample = log_total - shifted[rows, index]
    scale = 1.0 / n if reduction == "mean" else 1.0

    def rule(g: Any, out: Any, a: Any) -> Any:
        g = g.reshape(n, 1) if reduction == "none" else g * scale
        if isinstance(a, Tensor):  # create_graph: the same formula, as Tensor ops
            if soft is None:
                one_hot = np.zeros(a.shape, a.dtype)
                one_hot[rows, index] = 1
                return (a.softmax(axis=1) - one_hot) * g
            return (a.softmax(axis=1) - soft) * g
        if soft is not None:
            return (probs - soft) * g
        d = probs * g  # a new array: the graph may be run backward again, probs must stay
        d[rows, index] -= g if reduction != "none" else g[:, 0]
        return d

    if reduction == "none":
        data = per_sample.astype(x.dtype, copy=False)
    else:
        data = np.asarray(per_sample.sum() * scale, dtype=x.dtype)
    return record(data, (z,), (rule,), "cross_entropy")


# --- binary cross-entropy -----------------------------------------------------------------------


def binary_cross_entropy(pred: Any, target: Any, reduction: str = "mean") -> Any:
    """-(t log p + (1 - t) log(1 - p)) for probabilities ``pred`` in [0, 1] and targets in [0, 1].

    As torch.nn.functional.binary_cross_entropy, each log is clamped at -100, so p = 0 or 1
    gives a finite loss, and the gradient is ``(p - t) / max(p (1 - p), 1e-12)``. On Tensors it is
    one node; on Values it is built from Value ops (log of 0 then gives -inf, with a warning).
    """
    reduction = _check_reduction(reduction, "binary_cross_entropy")
    if _is_scalar_input(pred):
        flat, targets = _flat_values(pred, target, "binary_cross_entropy")
        _check_probabilities(np.array([float(t) for t in targets]), "targets")
        losses = [-(p.log() * t + (1 - p).log() * (1 - t)) for p, t in zip(flat, targets)]
        return _reduce_values(losses, reduction)
    p = _prediction(pred, "binary_cross_entropy")
    t = _match(p.shape, _target_array(target, "binary_cross_entropy"), "binary_cross_entropy")
    t = t.astype(p.dtype, copy=False)
    _check_probabilities(p.data, "predictions")
    _check_probabilities(t, "targets")
    x = p.data
    with np.errstate(divide="ignore"):
        per = -(t * np.maximum(np.log(x), -100.0) + (1 - t) * np.maximum(np.log1p(-x), -100.0))
    size = max(x.size, 1)
    scale = 1.0 / size if reduction == "mean" else 1.0

    def rule(g: Any, out: Any, a: Any) -> Any:
        d = (a - t) / (a * (1 - a)).clip(1e-12, None)
        if reduction == "none":
            return d * g
        return d * (g * scale)

    if reduction == "none":
        data = per.astype(x.dtype, copy=False)
    else:
        total = per.sum() * scale
        data = np.asarray(total, dtype=x.dtype)
    return record(data, (p,), (rule,), "binary_cross_entropy")


def _check_probabilities(x: np.ndarray, what: str) -> None:
    if x.size and not (np.all(x >= 0.0) and np.all(x <= 1.0)):
        bad = x[(x < 0.0) | (x > 1.0) | np.isnan(x)].reshape(-1)
        raise ValueError(
            f"binary_cross_entropy: {what} must lie in [0, 1], got {bad[0] if bad.size else 'nan'}"
            + ("; apply .sigmoid() to the model's outputs first" if what == "predictions" else "")
        )
