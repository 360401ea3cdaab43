"""Losses: mse_loss, cross_entropy (fused with log-softmax), nll_loss, binary_cross_entropy (and
its fused form on logits), hinge_loss; and one_hot.

Every loss takes ``reduction="mean"`` (the default), ``"sum"`` or ``"none"`` (one loss per
element, or per sample for cross_entropy and nll_loss). ``mse_loss``, ``hinge_loss`` and the
binary cross-entropies also take a Value or a list of Values (the outputs of ``nn.MLP`` over a
batch) and return Values.

Targets that are numbers to fit (``mse_loss``, the binary cross-entropies, probability rows for
``cross_entropy``) are differentiated when they are Tensors that require grad (or Values), as
torch does; labels (class indices, -1/+1) have no gradient, and a label Tensor that requires grad
is an error rather than silently cut off.

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

from autograd.elementwise import SIGMOID
from autograd.graph import Node, record
from autograd.tensor import Tensor
from autograd.value import Value

REDUCTIONS = ("mean", "sum", "none")


def _check_reduction(reduction: Any, who: str) -> str:
    if reduction not in REDUCTIONS:
        raise ValueError(f"{who}: reduction must be 'mean', 'sum' or 'none', got {reduction!r}")
    return reduction  # type: ignore[no-any-return]


def _target_array(target: Any, who: str, what: str = "target") -> np.ndarray:
    """The data of a target that the loss does not differentiate (labels, or a constant)."""
    if isinstance(target, Node) and not isinstance(target, Tensor):
        raise TypeError(
            f"{who}: the {what} is a {type(target).__name__} but the predictions are a Tensor; use a Tensor "
            f"{what} (Tensor(v.data) for a constant), or Value predictions"
        )
    arr = np.asarray(target.data if isinstance(target, Tensor) else target)
    if arr.dtype.kind not in "fiub":
        raise TypeError(f"{who}: {what} must hold numbers, got dtype {arr.dtype}")
    return arr


def _target(target: Any, pred: Tensor, who: str) -> tuple[Tensor | None, np.ndarray]:
    """A target of numbers to fit: (the node, when it is a Tensor that requires grad, reshaped to
    the predictions' shape; its data, or the constant target's, as an array of that shape)."""
    if isinstance(target, Tensor) and target.requires_grad:
        node = target
        if node.shape != pred.shape:
            node = node.reshape(_match(pred.shape, node.data, who).shape)
        node = node.astype(pred.dtype)
        return node, node.data
    return None, _match(pred.shape, _target_array(target, who), who).astype(pred.dtype, copy=False)


def _labels(target: Any, who: str, what: str, kind: str) -> np.ndarray:
    """Labels (``kind``: "class indices", ...) as an array: they have no gradient, so a Tensor
    that requires grad is an error naming the argument, not silently read as data."""
    if isinstance(target, Tensor) and target.requires_grad:
        raise TypeError(
            f"{who}: {what} holds {kind}, which have no gradient, but it is a Tensor that requires grad; "
            f"pass {what}.detach() (or an array)"
        )
    return _target_array(target, who, what)


def _class_indices(t: np.ndarray, c: int, who: str, what: str, owner: str) -> np.ndarray:
    """Whole-number labels in 0..c-1 as an index array; ``owner`` names what has c classes."""
    if t.dtype.kind == "f":
        fraction = t[~np.isfinite(t) | (t != np.round(t))]
        if fraction.size:
            raise ValueError(
                f"{who}: class labels must be integer class indices (whole numbers), "
                f"got {fraction.reshape(-1)[0]}"
            )
        t = t.astype(np.int64)
    if t.size and (t.min() < 0 or t.max() >= c):
        raise ValueError(
            f"{who}: class labels must lie in 0..{c - 1}, got {t.min()}..{t.max()} ({c} classes: "
            f"{owner}); labels counted from 1? use y - 1"
        )
    return t.astype(np.intp)


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


def _scaled(g: Any, reduction: str, scale: float) -> Any:
    """The gradient arriving at an elementwise fused loss, as each element's share of it."""
    return g if reduction == "none" else g * scale


def _reduce(losses: Any, reduction: str) -> Any:
    if reduction == "none":
        return losses
    return losses.sum() if reduction == "sum" else losses.mean()


def _fused(
    who: str,
    per: np.ndarray,
    reduction: str,
    scale: float,
    rules: tuple[Any, Any],
    pred: Tensor,
    target: Tensor | None,
) -> Tensor:
    """The one node of a fused loss: the elementwise losses ``per`` (``"none"``) or their sum
    times ``scale``, in the predictions' dtype. ``rules`` are the predictions' and the target's;
    ``target`` (the target node when it requires grad, else None) is the second input."""
    if reduction == "none":
        data = per.astype(pred.dtype, copy=False)
    else:
        data = np.asarray(per.sum() * scale, dtype=pred.dtype)
    if target is None:
        return record(data, (pred,), rules[:1], who)
    return record(data, (pred, target), rules, who)


def _is_scalar_input(pred: Any) -> bool:
    if isinstance(pred, Value):
        return True
    return isinstance(pred, (list, tuple)) and any(
        isinstance(p, Value) or (isinstance(p, (list, tuple)) and any(isinstance(q, Value) for q in p))
        for p in pred
    )


def _flat_values(pred: Any, target: Any, who: str) -> tuple[list[Any], list[Any]]:
    """Predictions (a Value, a list of Values, or a list of lists) and targets, flattened in step."""
    if isinstance(target, Tensor) and target.requires_grad:
        raise TypeError(
            f"{who}: the predictions are Values but the target is a Tensor that requires grad; use Values "
            "for both (a list of Values as the target is differentiated) or Tensors for both"
        )
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
    node, t = _target(target, pred, "mse_loss")
    d = pred - (t if node is None else node)
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
    labels = _labels(target, "hinge_loss", "target", "labels (-1 or +1)")
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


def _class_targets(target: Any, z: Tensor) -> tuple[np.ndarray | None, np.ndarray, Tensor | None]:
    """The target of cross_entropy against logits ``z`` (N, C), checked: (class indices or None,
    the target as rows (N, C) in the logits' dtype (one-hot for indices), the target node when it
    is probability rows in a Tensor that requires grad, else None)."""
    n, c = z.shape
    t = _target_array(target, "cross_entropy")
    if t.ndim == 1:
        if len(t) != n:
            raise ValueError(
                f"cross_entropy: {n} rows of logits but {len(t)} labels; give targets of shape ({n},)"
            )
        t = _labels(target, "cross_entropy", "target", "class indices")
        index = _class_indices(t, c, "cross_entropy", "target", f"logits of shape ({n}, {c})")
        rows = np.zeros((n, c), z.dtype)
        rows[np.arange(n), index] = 1
        return index, rows, None
    if t.ndim == 2:
        if t.shape != (n, c):
            raise ValueError(
                f"cross_entropy: logits have shape ({n}, {c}) but the one-hot target has shape {t.shape}"
            )
        if np.any(t < 0) or not np.allclose(t.sum(axis=1), 1.0):
            raise ValueError("cross_entropy: target rows must be one-hot (or probabilities summing to 1)")
        node = target.astype(z.dtype) if isinstance(target, Tensor) and target.requires_grad else None
        return None, t.astype(z.dtype, copy=False), node
    raise ValueError(
        f"cross_entropy: target must be class indices (N,) or one-hot rows (N, C), got shape {t.shape}"
    )


def _logits(logits: Any, who: str, what: str) -> Tensor:
    """The (N, C) Tensor of a classification loss, with clear errors."""
    if _is_scalar_input(logits):
        raise TypeError(
            f"{who}: takes a Tensor of {what} (N, C); for Values use Tensor models, or "
            "hinge_loss / mse_loss with nn.MLP"
        )
    z = _prediction(logits, who)
    if z.ndim != 2:
        raise ValueError(
            f"{who}: {what} must have shape (N, C) (one row per sample), got {z.shape}; "
            f"for one sample use {what}.reshape(1, -1)"
        )
    if 0 in z.shape:
        raise ValueError(f"{who}: no samples or no classes ({what} of shape {z.shape})")
    return z


# The fused rules below are written once, with numpy functions, operators and the engine's own
# ops: on the raw arrays of an ordinary backward pass they give numbers, and on Tensors
# (create_graph=True) the same formula records its graph (np.exp(t) is t.exp()).


def _along_rows(op: str, x: Any) -> Any:
    """The engine's ``softmax`` or ``log_softmax`` (``op``) along the rows of ``x``: a node of the
    graph for a Tensor, the numbers for an array (the same op, on a constant).

    >>> _along_rows("softmax", np.array([[0.0, 0.0]]))
    array([[0.5, 0.5]])
    """
    if isinstance(x, Tensor):
        return getattr(x, op)(axis=1)
    return getattr(Tensor(x), op)(axis=1).data


def cross_entropy(logits: Any, target: Any, reduction: str = "mean") -> Tensor:
    """Softmax cross-entropy of ``logits`` (N, C) against class indices (N,) or one-hot rows (N, C).

    One node, fused with a stable log-softmax: per sample the loss is ``logsumexp(z_i) - z_i[y_i]``
    (rows ``t``: ``-(t * log_softmax(z_i)).sum()``), shifted by the row max so logits of any size
    are fine. The forward keeps the softmax, and the gradient is the simple
    ``(softmax(z) - onehot) / N`` (for ``"mean"``; without the ``/ N`` for ``"sum"``; scaled per
    row by the incoming gradient for ``"none"``), not the softmax Jacobian times the log's
    gradient. ``"none"`` gives the N per-sample losses. The target is checked first:
    whole-number labels in range, or one-hot / probability rows. Probability rows that are a
    Tensor requiring grad get their gradient, ``-log_softmax(z)`` per row (as torch); class
    indices have none.

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
    z = _logits(logits, "cross_entropy", "logits")
    index, rows, node = _class_targets(target, z)
    n, x = z.shape[0], z.data
    shifted = x - x.max(axis=1, keepdims=True)
    probs = np.exp(shifted)
    total = probs.sum(axis=1, keepdims=True)
    probs /= total
    log_total = np.log(total[:, 0])
    if index is None:
        per_sample = log_total * rows.sum(axis=1) - (rows * shifted).sum(axis=1)
    else:
        per_sample = log_total - shifted[np.arange(n), index]
    scale = 1.0 / n if reduction == "mean" else 1.0

    def share(g: Any) -> Any:
        """Each row's share of the incoming gradient."""
        return g.reshape(n, 1) if reduction == "none" else g * scale

    def logits_rule(g: Any, out: Any, a: Any, *given: Any) -> Any:
        t = given[0] if given else rows  # d/dz of -(t * log_softmax(z)).sum(): softmax(z) sum(t) - t
        p = probs if a is x else _along_rows("softmax", a)  # the forward's softmax, when run on its numbers
        return (p * t.sum(axis=1, keepdims=True) - t) * share(g)

    def target_rule(g: Any, out: Any, a: Any, t: Any) -> Any:
        return -_along_rows("log_softmax", a) * share(g)

    return _fused("cross_entropy", per_sample, reduction, scale, (logits_rule, target_rule), z, node)


def nll_loss(log_probs: Any, targets: Any, reduction: str = "mean") -> Tensor:
    """The negative log-likelihood of class indices ``targets`` (N,) under ``log_probs`` (N, C):
    ``-log_probs[i, targets[i]]`` per sample. After ``log_softmax(axis=1)`` it is cross_entropy
    (which fuses the two into one node).

    >>> lp = Tensor([[-0.5, -1.0], [-2.0, -0.1]], requires_grad=True)
    >>> nll_loss(lp, [0, 1]).item()
    0.3
    """
    reduction = _check_reduction(reduction, "nll_loss")
    lp = _logits(log_probs, "nll_loss", "log_probs")
    n, c = lp.shape
    t = _labels(targets, "nll_loss", "targets", "class indices")
    if t.shape != (n,):
        raise ValueError(f"nll_loss: {n} rows of log_probs but targets of shape {t.shape}; give shape ({n},)")
    index = _class_indices(t, c, "nll_loss", "targets", f"log_probs of shape ({n}, {c})")
    return _reduce(-lp[np.arange(n), index], reduction)


def one_hot(labels: Any, num_classes: int | None = None) -> Tensor:
    """Rows of zeros with a 1 at each label: shape ``labels.shape + (num_classes,)``, float64.

    ``num_classes`` defaults to the largest label + 1 (as torch's -1).

    >>> one_hot([0, 2], 3).data
    array([[1., 0., 0.],
           [0., 0., 1.]])
    """
    t = _labels(labels, "one_hot", "labels", "class indices")
    if num_classes is None:
        c = int(t.max()) + 1 if t.size else 0
    elif (
        isinstance(num_classes, (bool, np.bool_))
        or not isinstance(num_classes, (int, np.integer))
        or num_classes < 1
    ):
        raise ValueError(f"one_hot: num_classes must be a positive int (or None), got {num_classes!r}")
    else:
        c = int(num_classes)
    index = _class_indices(t, c, "one_hot", "labels", f"num_classes={c}")
    return Tensor((index[..., None] == np.arange(c)).astype(np.float64))


# --- binary cross-entropy -----------------------------------------------------------------------


def binary_cross_entropy(pred: Any, target: Any, reduction: str = "mean") -> Any:
    """-(t log p + (1 - t) log(1 - p)) for probabilities ``pred`` in [0, 1] and targets in [0, 1].

    As torch.nn.functional.binary_cross_entropy, each log is clamped at -100, so p = 0 or 1
    gives a finite loss, and the gradient is ``(p - t) / max(p (1 - p), 1e-12)``; a target that
    is a Tensor requiring grad gets ``-logit(p) = log(1 - p) - log(p)``, as torch. On Tensors it
    is one node; on Values it is built from Value ops (log of 0 then gives -inf, with a warning).
    For logits, ``binary_cross_entropy_with_logits`` is stabler (it never takes log of 0).
    """
    who = "binary_cross_entropy"
    reduction = _check_reduction(reduction, who)
    if _is_scalar_input(pred):
        flat, targets = _flat_values(pred, target, who)
        _check_probabilities(np.array([float(t) for t in targets]), "targets")
        losses = [-(p.log() * t + (1 - p).log() * (1 - t)) for p, t in zip(flat, targets)]
        return _reduce_values(losses, reduction)
    p = _prediction(pred, who)
    node, t = _target(target, p, who)
    _check_probabilities(p.data, "predictions")
    _check_probabilities(t, "targets")
    x = p.data
    with np.errstate(divide="ignore"):
        per = -(t * np.maximum(np.log(x), -100.0) + (1 - t) * np.maximum(np.log1p(-x), -100.0))
    scale = 1.0 / max(x.size, 1) if reduction == "mean" else 1.0

    def pred_rule(g: Any, out: Any, a: Any, *targets: Any) -> Any:
        b = targets[0] if targets else t
        return (a - b) / (a * (1 - a)).clip(1e-12, None) * _scaled(g, reduction, scale)

    def target_rule(g: Any, out: Any, a: Any, b: Any) -> Any:
        with np.errstate(divide="ignore", invalid="ignore"):  # -logit(0) is inf, as torch
            return -np.log(a / (1 - a)) * _scaled(g, reduction, scale)

    return _fused(who, per, reduction, scale, (pred_rule, target_rule), p, node)


def binary_cross_entropy_with_logits(logits: Any, targets: Any, reduction: str = "mean") -> Any:
    """Binary cross-entropy of ``sigmoid(logits)`` against ``targets``, fused into one stable node.

    Per entry ``max(x, 0) - x t + log(1 + e**-|x|)``: no log of 0 and no overflow for logits of
    any size. The gradient is ``sigmoid(x) - t`` for the logits and ``-x`` for a target that is a
    Tensor requiring grad (as torch); every order of derivative works. On Values it is built
    from Value ops: ``softplus(x) - x t``.

    >>> x = Tensor([0.0, 3.0], requires_grad=True)
    >>> loss = binary_cross_entropy_with_logits(x, [1.0, 0.0])
    >>> round(loss.item(), 4)
    1.8709
    >>> loss.backward()
    >>> x.grad.round(4)
    array([-0.25  ,  0.4763])
    """
    who = "binary_cross_entropy_with_logits"
    reduction = _check_reduction(reduction, who)
    if _is_scalar_input(logits):
        flat, ts = _flat_values(logits, targets, who)
        return _reduce_values([z.softplus() - z * t for z, t in zip(flat, ts)], reduction)
    z = _prediction(logits, who)
    node, t = _target(targets, z, who)
    x = z.data
    per = np.maximum(x, 0) - x * t + np.log1p(np.exp(-np.abs(x)))
    scale = 1.0 / max(x.size, 1) if reduction == "mean" else 1.0

    def logits_rule(g: Any, out: Any, a: Any, *targets: Any) -> Any:
        b = targets[0] if targets else t
        return (SIGMOID(a) - b) * _scaled(g, reduction, scale)  # (the engine's sigmoid, of any kind)

    def target_rule(g: Any, out: Any, a: Any, b: Any) -> Any:
        return -a * _scaled(g, reduction, scale)

    return _fused(who, per, reduction, scale, (logits_rule, target_rule), z, node)


def _check_probabilities(x: np.ndarray, what: str) -> None:
    if x.size and not (np.all(x >= 0.0) and np.all(x <= 1.0)):
        bad = x[(x < 0.0) | (x > 1.0) | np.isnan(x)].reshape(-1)
        raise ValueError(
            f"binary_cross_entropy: {what} must lie in [0, 1], got {bad[0] if bad.size else 'nan'}"
            + ("; apply .sigmoid() to the model's outputs first" if what == "predictions" else "")
        )
