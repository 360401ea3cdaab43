"""No gradient silently lost: every public op, loss and layer, with every argument that can be a
Tensor (or Value) requiring a gradient, either differentiates it as torch does or raises an
error naming it.

For each argument a case runs the call with that argument requiring grad and then
- "grad": backpropagates a weighted sum of the result and compares the argument's gradient with
  torch's (float64); the gradient must have reached the argument (not None);
- "error": expects a TypeError or ValueError whose message names the argument (labels, a
  condition, a slope: things graphgrad deliberately does not differentiate);
- "indices": the result is an integer ndarray (argmax, argmin), no gradient, as torch.
``test_every_public_op_is_walked`` lists the public API and fails when a name has no case, so a
new op cannot skip the walk. Arguments that describe structure (axis, shape, reps, pad_width,
num_classes) take ints and are not walked; neither are conversions and graph controls (item,
numpy, detach: the documented way to cut on purpose, backward's own flags).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any, NamedTuple

import numpy as np
import pytest
import torch
import torch.nn.functional as F

import autograd
import nn
from autograd import Tensor, Value, concatenate, stack, where


class Case(NamedTuple):
    argument: str
    data: Any  # the argument's value
    ours: Callable[[Any], Any]  # the call, given the argument as a node that requires grad
    theirs: Callable[[torch.Tensor], torch.Tensor] | None = None  # torch's call, for "grad"
    error: str | None = None  # a piece of the error message, for "error"
    indices: bool = False  # the result is an index array


def grads(
    argument: str, data: Any, ours: Callable[[Any], Any], theirs: Callable[[torch.Tensor], Any]
) -> Case:
    return Case(argument, data, ours, theirs)


def rejects(argument: str, data: Any, ours: Callable[[Any], Any], message: str) -> Case:
    return Case(argument, data, ours, error=message)


A = np.array([[0.5, -1.2, 2.0], [1.5, 0.3, -0.7]])
B = np.array([[1.1, 0.4, -0.9], [0.2, -1.3, 0.8]])
POS = np.abs(A) + 0.5
ROW = np.array([0.7, -0.4, 1.3])
tA, tB, tPOS = (torch.tensor(x) for x in (A, B, POS))
PROBS = np.array([[0.2, 0.5, 0.3], [0.6, 0.1, 0.3]])
LABELS = np.array([2.0, 0.0])

# --- Tensor methods and operators: self, and every operand ---------------------------------------


def _self(name: str, ours: Callable[[Any], Any], theirs: Callable[[Any], Any], data: Any = A) -> list[Case]:
    return [grads("self", data, ours, theirs)]


def _binary(name: str, op: Callable[[Any, Any], Any], data: Any = A, other: Any = B) -> list[Case]:
    t_other, t_data = torch.tensor(other), torch.tensor(data)
    return [
        grads("self", data, lambda x: op(x, Tensor(other)), lambda x: op(x, t_other)),
        grads("other", other, lambda y: op(Tensor(data), y), lambda y: op(t_data, y)),
    ]


TENSOR: dict[str, list[Case]] = {
    "__add__": _binary("add", lambda a, b: a.__add__(b)),
    "__radd__": _binary("radd", lambda a, b: a.__radd__(b) if isinstance(a, Tensor) else b + a),
    "__sub__": _binary("sub", lambda a, b: a.__sub__(b)),
    "__rsub__": _binary("rsub", lambda a, b: a.__rsub__(b) if isinstance(a, Tensor) else b - a),
    "__mul__": _binary("mul", lambda a, b: a.__mul__(b)),
    "__rmul__": _binary("rmul", lambda a, b: a.__rmul__(b) if isinstance(a, Tensor) else b * a),
    "__truediv__": _binary("div", lambda a, b: a.__truediv__(b), other=POS),
    "__rtruediv__": _binary("rdiv", lambda a, b: a.__rtruediv__(b) if isinstance(a, Tensor) else b / a, POS),
    "__pow__": _binary("pow", lambda a, b: a.__pow__(b), data=POS),
    "__rpow__": _binary("rpow", lambda a, b: a.__rpow__(b) if isinstance(a, Tensor) else b**a, other=POS),
    "__matmul__": _binary("matmul", lambda a, b: a.__matmul__(b), other=B.T),
    "__rmatmul__": _binary("rmatmul", lambda a, b: a.__rmatmul__(b) if isinstance(a, Tensor) else b @ a, B.T),
    "matmul": _binary("matmul", lambda a, b: a.matmul(b) if isinstance(a, Tensor) else a @ b, other=B.T),
    "maximum": _binary(
        "maximum", lambda a, b: a.maximum(b) if isinstance(a, Tensor) else torch.maximum(a, b)
    ),
    "minimum": _binary(
        "minimum", lambda a, b: a.minimum(b) if isinstance(a, Tensor) else torch.minimum(a, b)
    ),
    "__neg__": _self("neg", lambda x: -x, lambda x: -x),
    "__pos__": _self("pos", lambda x: +x, lambda x: +x),
    "__abs__": _self("abs", abs, abs),
    "__getitem__": [
        grads("self", A, lambda x: x[:, [0, 0, 2]], lambda x: x[:, [0, 0, 2]]),
        rejects("index", np.array([1.0]), lambda i: Tensor(A)[i], "index: cannot index with a Tensor"),
    ],
    "__iter__": _self("iter", lambda x: stack(list(x)), lambda x: torch.stack(list(x))),
    "T": _self("T", lambda x: x.T, lambda x: x.T),
    "abs": _self("abs", lambda x: x.abs(), torch.abs),
    "exp": _self("exp", lambda x: x.exp(), torch.exp),
    "log": _self("log", lambda x: x.log(), torch.log, POS),
    "sqrt": _self("sqrt", lambda x: x.sqrt(), torch.sqrt, POS),
    "tanh": _self("tanh", lambda x: x.tanh(), torch.tanh),
    "sigmoid": _self("sigmoid", lambda x: x.sigmoid(), torch.sigmoid),
    "relu": _self("relu", lambda x: x.relu(), torch.relu),
    "sin": _self("sin", lambda x: x.sin(), torch.sin),
    "cos": _self("cos", lambda x: x.cos(), torch.cos),
    "erf": _self("erf", lambda x: x.erf(), torch.erf),
    "gelu": _self("gelu", lambda x: x.gelu(), F.gelu),
    "silu": _self("silu", lambda x: x.silu(), F.silu),
    "softplus": _self("softplus", lambda x: x.softplus(), F.softplus),
    "leaky_relu": [
        grads("self", A, lambda x: x.leaky_relu(0.1), lambda x: F.leaky_relu(x, 0.1)),
        rejects(
            "negative_slope", 0.1, lambda s: Tensor(A).leaky_relu(s), "negative_slope must be a plain number"
        ),
    ],
    "elu": [
        grads("self", A, lambda x: x.elu(0.5), lambda x: F.elu(x, 0.5)),
        rejects("alpha", 0.5, lambda a: Tensor(A).elu(a), "alpha must be a plain number"),
    ],
    "clip": [
        grads("self", A, lambda x: x.clip(-0.5, 1.0), lambda x: x.clamp(-0.5, 1.0)),
        grads("lo", B, lambda lo: Tensor(A).clip(lo, Tensor(POS)), lambda lo: tA.clamp(lo, tPOS)),
        grads("hi", B, lambda hi: Tensor(A).clip(Tensor(-POS), hi), lambda hi: tA.clamp(-tPOS, hi)),
        grads("lo alone", B, lambda lo: Tensor(A).clip(lo), lambda lo: tA.clamp(min=lo)),
        grads("hi alone", B, lambda hi: Tensor(A).clip(hi=hi), lambda hi: tA.clamp(max=hi)),
    ],
    "sum": _self("sum", lambda x: x.sum(axis=1), lambda x: x.sum(1)),
    "mean": _self("mean", lambda x: x.mean(axis=0), lambda x: x.mean(0)),
    "max": _self("max", lambda x: x.max(axis=1), lambda x: x.amax(1)),
    "min": _self("min", lambda x: x.min(), lambda x: x.amin()),
    "prod": _self("prod", lambda x: x.prod(axis=1), lambda x: x.prod(1)),
    "logsumexp": _self("logsumexp", lambda x: x.logsumexp(axis=1), lambda x: x.logsumexp(1)),
    "softmax": _self("softmax", lambda x: x.softmax(axis=1), lambda x: x.softmax(1)),
    "log_softmax": _self("log_softmax", lambda x: x.log_softmax(axis=0), lambda x: x.log_softmax(0)),
    "var": [
        grads("self", A, lambda x: x.var(axis=1, ddof=1), lambda x: x.var(1)),
        rejects("ddof", 1.0, lambda d: Tensor(A).var(ddof=d), "ddof must be a plain number"),
    ],
    "std": [
        grads("self", A, lambda x: x.std(axis=0), lambda x: x.std(0, correction=0)),
        rejects("ddof", 1.0, lambda d: Tensor(A).std(ddof=d), "ddof must be a plain number"),
    ],
    "cumsum": _self("cumsum", lambda x: x.cumsum(1), lambda x: x.cumsum(1)),
    "flip": _self("flip", lambda x: x.flip(0), lambda x: x.flip(0)),
    "pad": _self("pad", lambda x: x.pad(1), lambda x: F.pad(x, (1, 1, 1, 1))),
    "tile": _self("tile", lambda x: x.tile((2, 1)), lambda x: x.tile((2, 1))),
    "reshape": _self("reshape", lambda x: x.reshape(3, 2), lambda x: x.reshape(3, 2)),
    "transpose": _self("transpose", lambda x: x.transpose(), lambda x: x.T),
    "swapaxes": _self("swapaxes", lambda x: x.swapaxes(0, 1), lambda x: x.transpose(0, 1)),
    "squeeze": _self("squeeze", lambda x: x[None].squeeze(0), lambda x: x[None].squeeze(0)),
    "unsqueeze": _self("unsqueeze", lambda x: x.unsqueeze(1), lambda x: x.unsqueeze(1)),
    "flatten": _self("flatten", lambda x: x.flatten(), lambda x: x.flatten()),
    "broadcast_to": _self(
        "broadcast_to", lambda x: x.broadcast_to((4, 2, 3)), lambda x: x.broadcast_to((4, 2, 3))
    ),
    "astype": _self(
        "astype", lambda x: x.astype(np.float32).astype(np.float64), lambda x: x.float().double()
    ),
    "argmax": [Case("self", A, lambda x: x.argmax(axis=1), indices=True)],
    "argmin": [Case("self", A, lambda x: x.argmin(), indices=True)],
}

W = np.array([0.3, -1.1])


def _backward_seed(g: Any) -> Any:
    """backward(grad=g, create_graph=True): the gradients are then differentiable in g too."""
    w = Tensor(W, requires_grad=True)
    (w * w * 3).backward(g, create_graph=True)
    return w.grad


def _torch_backward_seed(g: torch.Tensor) -> torch.Tensor:
    tw = torch.tensor(W, requires_grad=True)
    (out,) = torch.autograd.grad(tw * tw * 3, tw, grad_outputs=g, create_graph=True)
    return out


TENSOR["backward"] = [grads("grad", np.array([0.5, 2.0]), _backward_seed, _torch_backward_seed)]

TENSOR_NOT_OPS = {
    # attributes, conversions and graph controls: no op, nothing to differentiate
    "data", "grad", "label", "requires_grad", "shape", "ndim", "dtype", "size", "is_leaf",
    "item", "numpy", "detach", "retain_grad", "zero_grad", "inputs", "op", "rules", "attrs",
}  # fmt: skip
TENSOR_OPERATORS = {
    "__add__", "__radd__", "__sub__", "__rsub__", "__mul__", "__rmul__", "__truediv__", "__rtruediv__",
    "__pow__", "__rpow__", "__matmul__", "__rmatmul__", "__neg__", "__pos__", "__abs__", "__getitem__",
    "__iter__",
}  # fmt: skip

# --- Value methods and operators ---------------------------------------------------------------------


def _value_binary(op: Callable[[Any, Any], Any], x: float = 1.5, y: float = -0.75) -> list[Case]:
    tx, ty = torch.tensor(x, dtype=torch.float64), torch.tensor(y, dtype=torch.float64)
    return [
        grads("self", x, lambda a: op(a, Value(y)), lambda a: op(a, ty)),
        grads("other", y, lambda b: op(Value(x), b), lambda b: op(tx, b)),
    ]


def _value_self(ours: Callable[[Any], Any], theirs: Callable[[Any], Any], x: float = 0.8) -> list[Case]:
    return [grads("self", x, ours, theirs)]


VALUE: dict[str, list[Case]] = {
    "__add__": _value_binary(lambda a, b: a + b),
    "__radd__": _value_binary(lambda a, b: a.__radd__(b) if isinstance(a, Value) else b + a),
    "__sub__": _value_binary(lambda a, b: a - b),
    "__rsub__": _value_binary(lambda a, b: a.__rsub__(b) if isinstance(a, Value) else b - a),
    "__mul__": _value_binary(lambda a, b: a * b),
    "__rmul__": _value_binary(lambda a, b: a.__rmul__(b) if isinstance(a, Value) else b * a),
    "__truediv__": _value_binary(lambda a, b: a / b),
    "__rtruediv__": _value_binary(lambda a, b: a.__rtruediv__(b) if isinstance(a, Value) else b / a),
    "__pow__": _value_binary(lambda a, b: a**b, 1.5, 0.75),
    "__rpow__": _value_binary(lambda a, b: a.__rpow__(b) if isinstance(a, Value) else b**a, 0.75, 1.5),
    "__neg__": _value_self(lambda x: -x, lambda x: -x),
    "__abs__": _value_self(abs, abs, -0.8),
    "abs": _value_self(lambda x: x.abs(), torch.abs, -0.8),
    "exp": _value_self(lambda x: x.exp(), torch.exp),
    "log": _value_self(lambda x: x.log(), torch.log),
    "tanh": _value_self(lambda x: x.tanh(), torch.tanh),
    "sigmoid": _value_self(lambda x: x.sigmoid(), torch.sigmoid),
    "relu": _value_self(lambda x: x.relu(), torch.relu),
    "sin": _value_self(lambda x: x.sin(), torch.sin),
    "cos": _value_self(lambda x: x.cos(), torch.cos),
    "erf": _value_self(lambda x: x.erf(), torch.erf),
    "gelu": _value_self(lambda x: x.gelu(), F.gelu),
    "silu": _value_self(lambda x: x.silu(), F.silu),
    "softplus": _value_self(lambda x: x.softplus(), F.softplus),
    "leaky_relu": [
        grads("self", -0.8, lambda x: x.leaky_relu(0.1), lambda x: F.leaky_relu(x, 0.1)),
        rejects("negative_slope", 0.1, lambda s: Value(-1.0).leaky_relu(s), "negative_slope must be a plain"),
    ],
    "elu": [
        grads("self", -0.8, lambda x: x.elu(0.5), lambda x: F.elu(x, 0.5)),
        rejects("alpha", 0.5, lambda a: Value(-1.0).elu(a), "alpha must be a plain number"),
    ],
}


def _value_seed(g: Any) -> Any:
    w = Value(0.3)
    (w * w * 3).backward(g, create_graph=True)
    return w.grad


def _value_seed_torch(g: torch.Tensor) -> torch.Tensor:
    tw = torch.tensor(0.3, dtype=torch.float64, requires_grad=True)
    (out,) = torch.autograd.grad(tw * tw * 3, tw, grad_outputs=g, create_graph=True)
    return out


VALUE["backward"] = [grads("grad", 2.5, _value_seed, _value_seed_torch)]
VALUE_NOT_OPS = {"data", "grad", "label", "zero_grad", "inputs", "op", "rules", "attrs", "is_leaf"}
VALUE_OPERATORS = {
    "__add__", "__radd__", "__sub__", "__rsub__", "__mul__", "__rmul__", "__truediv__", "__rtruediv__",
    "__pow__", "__rpow__", "__neg__", "__abs__",
}  # fmt: skip

# --- module functions, losses and layers -------------------------------------------------------------

MASK = A > 0
FUNCTIONS: dict[str, list[Case]] = {
    "concatenate": [
        grads("tensors[0]", A, lambda x: concatenate([x, Tensor(B)]), lambda x: torch.cat([x, tB])),
        grads(
            "tensors[1]", B, lambda y: concatenate([Tensor(A), y], axis=1), lambda y: torch.cat([tA, y], 1)
        ),
    ],
    "stack": [
        grads("tensors[0]", A, lambda x: stack([x, Tensor(B)]), lambda x: torch.stack([x, tB])),
        grads("tensors[1]", B, lambda y: stack([Tensor(A), y], axis=2), lambda y: torch.stack([tA, y], 2)),
    ],
    "where": [
        grads("a", A, lambda x: where(MASK, x, Tensor(B)), lambda x: torch.where(torch.tensor(MASK), x, tB)),
        grads("b", B, lambda y: where(MASK, Tensor(A), y), lambda y: torch.where(torch.tensor(MASK), tA, y)),
        rejects("condition", A, lambda c: where(c, Tensor(A), Tensor(B)), "where: condition is a Tensor"),
    ],
}

tPROBS, tLABELS = torch.tensor(PROBS), torch.tensor(LABELS).long()
LOSSES: dict[str, list[Case]] = {
    "mse_loss": [
        grads("pred", A, lambda p: nn.mse_loss(p, B), lambda p: F.mse_loss(p, tB)),
        grads("target", B, lambda t: nn.mse_loss(Tensor(A), t), lambda t: F.mse_loss(tA, t)),
        grads(
            "target (N, 1)",
            ROW,
            lambda t: nn.mse_loss(Tensor(ROW[:, None] * 2), t),
            lambda t: F.mse_loss(torch.tensor(ROW * 2), t),
        ),
        rejects("target (a Value)", 1.0, lambda t: nn.mse_loss(Tensor([2.0]), t), "the target is a Value"),
    ],
    "binary_cross_entropy": [
        grads(
            "pred",
            PROBS,
            lambda p: nn.binary_cross_entropy(p, PROBS[::-1]),
            lambda p: F.binary_cross_entropy(p, tPROBS.flip(0)),
        ),
        grads(
            "target",
            PROBS,
            lambda t: nn.binary_cross_entropy(Tensor(PROBS[::-1].copy()), t, "sum"),
            lambda t: F.binary_cross_entropy(tPROBS.flip(0), t, reduction="sum"),
        ),
    ],
    "binary_cross_entropy_with_logits": [
        grads(
            "logits",
            A,
            lambda z: nn.binary_cross_entropy_with_logits(z, PROBS),
            lambda z: F.binary_cross_entropy_with_logits(z, tPROBS),
        ),
        grads(
            "targets",
            PROBS,
            lambda t: nn.binary_cross_entropy_with_logits(Tensor(A), t, "none"),
            lambda t: F.binary_cross_entropy_with_logits(tA, t, reduction="none"),
        ),
    ],
    "cross_entropy": [
        grads("logits", A, lambda z: nn.cross_entropy(z, LABELS), lambda z: F.cross_entropy(z, tLABELS)),
        grads(
            "target (rows)",
            PROBS,
            lambda t: nn.cross_entropy(Tensor(A), t, "none"),
            lambda t: F.cross_entropy(tA, t, reduction="none"),
        ),
        rejects(
            "target (indices)",
            LABELS,
            lambda t: nn.cross_entropy(Tensor(A), t),
            "target holds class indices, which have no gradient",
        ),
    ],
    "nll_loss": [
        grads(
            "log_probs",
            A,
            lambda lp: nn.nll_loss(lp, LABELS, "sum"),
            lambda lp: F.nll_loss(lp, tLABELS, reduction="sum"),
        ),
        rejects("targets", LABELS, lambda t: nn.nll_loss(Tensor(A), t), "targets holds class indices"),
    ],
    "hinge_loss": [
        grads(
            "scores",
            ROW,
            lambda s: nn.hinge_loss(s, [1, -1, 1]),
            lambda s: torch.relu(1 - s * torch.tensor([1.0, -1, 1])).mean(),
        ),
        grads(
            "margin",
            np.array(0.5),
            lambda m: nn.hinge_loss(Tensor(ROW), [1, -1, 1], margin=m),
            lambda m: torch.relu(m - torch.tensor(ROW) * torch.tensor([1.0, -1, 1])).mean(),
        ),
        rejects(
            "target",
            np.array([1.0, -1.0, 1.0]),
            lambda t: nn.hinge_loss(Tensor(ROW), t),
            "target holds labels (-1 or +1), which have no gradient",
        ),
    ],
    "one_hot": [rejects("labels", LABELS, lambda t: nn.one_hot(t, 3), "labels holds class indices")],
}


def _torch_params(layer: Any) -> dict[str, torch.Tensor]:
    return {name: torch.tensor(p.data) for name, p in layer.named_parameters()}


def _layer(
    layer: Any, theirs: Callable[[torch.Tensor, dict[str, torch.Tensor]], torch.Tensor], data: Any = A
) -> list[Case]:
    params = _torch_params(layer)
    return [grads("x", data, lambda x: layer(x), lambda x: theirs(x, params))]


def _batchnorm(training: bool) -> list[Case]:
    bn = nn.BatchNorm1d(3, momentum=0.2)
    bn.weight.data[:] = [1.5, -0.5, 2.0]
    bn.running_var[:] = [0.5, 2.0, 1.5]
    params = _torch_params(bn)
    stats = (torch.tensor(bn.running_mean.copy()), torch.tensor(bn.running_var.copy()))
    bn.train(training)
    return [
        grads(
            "x",
            A,
            lambda x: bn(x),
            lambda x: F.batch_norm(
                x, *(s.clone() for s in stats), params["weight"], params["bias"], training, 0.2
            ),
        )
    ]


LAYERS: dict[str, list[Case]] = {
    "Linear": _layer(nn.Linear(3, 4, seed=0), lambda x, p: F.linear(x, p["weight"], p["bias"])),
    "Sequential": _layer(
        nn.Sequential(nn.Linear(3, 2, seed=1), nn.Tanh()),
        lambda x, p: torch.tanh(F.linear(x, p["0.weight"], p["0.bias"])),
    ),
    "ReLU": _layer(nn.ReLU(), lambda x, p: torch.relu(x)),
    "Tanh": _layer(nn.Tanh(), lambda x, p: torch.tanh(x)),
    "Sigmoid": _layer(nn.Sigmoid(), lambda x, p: torch.sigmoid(x)),
    "LeakyReLU": _layer(nn.LeakyReLU(0.2), lambda x, p: F.leaky_relu(x, 0.2)),
    "ELU": _layer(nn.ELU(0.7), lambda x, p: F.elu(x, 0.7)),
    "GELU": _layer(nn.GELU(), lambda x, p: F.gelu(x)),
    "SiLU": _layer(nn.SiLU(), lambda x, p: F.silu(x)),
    "Softplus": _layer(nn.Softplus(), lambda x, p: F.softplus(x)),
    "Softmax": _layer(nn.Softmax(axis=1), lambda x, p: torch.softmax(x, 1)),
    "Flatten": _layer(nn.Flatten(), lambda x, p: x.flatten(1), data=A.reshape(2, 3, 1)),
    "Dropout": _layer(nn.Dropout(0.5).eval(), lambda x, p: x),
    "LayerNorm": _layer(nn.LayerNorm(3), lambda x, p: F.layer_norm(x, (3,), p["weight"], p["bias"])),
    "BatchNorm1d": _batchnorm(True) + _batchnorm(False),
    "Neuron": [
        grads(
            "x",
            ROW,
            lambda xs: nn.Neuron(3, "tanh", seed=2)(xs),
            lambda x: torch.tanh(
                (
                    torch.tensor([n.data for n in nn.Neuron(3, "tanh", seed=2).w], dtype=torch.float64) * x
                ).sum()
            ),
        ),
    ],
    "Layer": [rejects("x", ROW, lambda x: nn.Layer(3, 2)(x), "takes one example as a list of 3 numbers")],
    "MLP": [rejects("x", ROW, lambda x: nn.MLP(3, [2, 1])(x), "takes one example as a list of 3 numbers")],
}
SCALAR_MODELS = {"Neuron"}  # these take a list of Values: the argument becomes one Value per entry

NN_NOT_OPS = {
    # not ops: optimizers, the training loop, data, metrics, module machinery
    "SGD", "Adam", "optim", "fit", "evaluate", "predict", "accuracy", "History", "plot_decision_boundary",
    "batches", "load_digits", "load_mnist", "make_moons", "make_regression", "spiral", "Module",
    "LoadResult", "StateDictError", "from_torch",
}  # fmt: skip
AUTOGRAD_NOT_OPS = {
    # classes, switches and transforms (the transforms' own tests cover their arguments)
    "GradcheckError", "Tensor", "Value", "backward_steps", "detect_anomaly", "draw", "grad", "gradcheck",
    "gradients", "hessian", "hvp", "is_anomaly_enabled", "is_grad_enabled", "jacobian", "no_grad", "record",
    "to_dot", "value_and_grad", "export_onnx", "explore",
}  # fmt: skip


def test_every_public_op_is_walked() -> None:
    tensor_api = {n for n in dir(Tensor) if not n.startswith("_")} | TENSOR_OPERATORS
    assert tensor_api - TENSOR_NOT_OPS == set(TENSOR), (tensor_api - TENSOR_NOT_OPS) ^ set(TENSOR)
    value_api = {n for n in dir(Value) if not n.startswith("_")} | VALUE_OPERATORS
    assert value_api - VALUE_NOT_OPS == set(VALUE), (value_api - VALUE_NOT_OPS) ^ set(VALUE)
    assert set(autograd.__all__) - AUTOGRAD_NOT_OPS == set(FUNCTIONS)
    assert set(nn.__all__) - NN_NOT_OPS == set(LOSSES) | set(LAYERS), (set(nn.__all__) - NN_NOT_OPS) ^ (
        set(LOSSES) | set(LAYERS)
    )
    # every operator a Tensor defines is either walked or no op
    defined = {n for n in vars(Tensor) if n.startswith("__") and callable(getattr(Tensor, n))}
    plumbing = {"__init__", "__repr__", "__array__", "__array_ufunc__", "__array_function__", "__setitem__"}
    conversions = {"__bool__", "__float__", "__len__"}
    assert defined - plumbing - conversions <= TENSOR_OPERATORS


def _cases(table: dict[str, list[Case]], prefix: str) -> list[Any]:
    return [
        pytest.param(name, case, id=f"{prefix}{name}-{case.argument}")
        for name in table
        for case in table[name]
    ]


def _node(case: Case, kind: str, name: str) -> Any:
    if kind == "Value" or (kind == "layer" and name in SCALAR_MODELS):
        if np.ndim(case.data) == 0:
            return Value(float(case.data))
        return [Value(float(x)) for x in np.asarray(case.data)]
    return Tensor(np.array(case.data, dtype=np.float64), requires_grad=True)


def _gradient(node: Any) -> Any:
    if isinstance(node, list):
        return np.array([v.grad for v in node])
    if isinstance(node, Value):
        return node.grad
    return node.grad


def check(name: str, case: Case, kind: str) -> None:
    node = _node(case, kind, name)
    if case.error is not None:
        with pytest.raises((TypeError, ValueError), match=re.escape(case.error)):
            case.ours(node)
        return
    out = case.ours(node)
    if case.indices:
        assert isinstance(out, np.ndarray) and out.dtype.kind == "i"
        return
    t = torch.tensor(np.array(case.data, dtype=np.float64), requires_grad=True)
    theirs = case.theirs(t)  # type: ignore[misc]
    shape = tuple(theirs.shape)
    weights = np.linspace(-1.0, 1.5, int(np.prod(shape))).reshape(shape) + 0.25
    data = out.data if isinstance(out, (Tensor, Value)) else np.asarray(out)
    np.testing.assert_allclose(
        np.asarray(data, dtype=np.float64).reshape(shape), theirs.detach().numpy(), rtol=1e-10, atol=1e-12
    )
    if isinstance(out, Value):
        (out * float(weights)).backward()
    else:
        (out.reshape(shape) * weights).sum().backward()
    (theirs * torch.tensor(weights)).sum().backward()
    got = _gradient(node)
    assert got is not None, f"{name}: the gradient never reached {case.argument}"
    got = got.data if isinstance(got, (Tensor, Value)) else got
    expected = np.zeros(t.shape) if t.grad is None else t.grad.numpy()
    np.testing.assert_allclose(
        np.asarray(got, dtype=np.float64), expected, rtol=1e-10, atol=1e-12, err_msg=name
    )


@pytest.mark.parametrize(("name", "case"), _cases(TENSOR, "Tensor."))
def test_tensor_arguments(name: str, case: Case) -> None:
    check(name, case, "Tensor")


@pytest.mark.parametrize(("name", "case"), _cases(VALUE, "Value."))
def test_value_arguments(name: str, case: Case) -> None:
    check(name, case, "Value")


@pytest.mark.parametrize(("name", "case"), _cases(FUNCTIONS, ""))
def test_function_arguments(name: str, case: Case) -> None:
    check(name, case, "Tensor")


@pytest.mark.parametrize(("name", "case"), _cases(LOSSES, "nn."))
def test_loss_arguments(name: str, case: Case) -> None:
    check(name, case, "Value" if "Value" in case.argument else "Tensor")


@pytest.mark.parametrize(("name", "case"), _cases(LAYERS, "nn."))
def test_layer_arguments(name: str, case: Case) -> None:
    check(name, case, "layer")


def test_value_losses_differentiate_value_targets_and_refuse_tensor_ones() -> None:
    preds, targets = [Value(0.3), Value(0.8)], [Value(0.2), Value(0.6)]
    nn.binary_cross_entropy(preds, targets).backward()
    tp = torch.tensor([0.3, 0.8], dtype=torch.float64, requires_grad=True)
    tt = torch.tensor([0.2, 0.6], dtype=torch.float64, requires_grad=True)
    F.binary_cross_entropy(tp, tt).backward()
    np.testing.assert_allclose([v.grad for v in targets], tt.grad.numpy(), rtol=1e-12)
    np.testing.assert_allclose([v.grad for v in preds], tp.grad.numpy(), rtol=1e-12)
    with pytest.raises(
        TypeError, match="the predictions are Values but the target is a Tensor that requires grad"
    ):
        nn.mse_loss([Value(1.0)], Tensor([2.0], requires_grad=True))
