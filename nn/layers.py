"""Tensor layers: Linear, Sequential, the activations, Softmax, Flatten, Dropout, LayerNorm and
BatchNorm1d.

>>> import numpy as np
>>> from autograd import Tensor
>>> from nn import Linear, ReLU, Sequential
>>> model = Sequential(Linear(2, 16, seed=0), ReLU(), Linear(16, 3, seed=1))
>>> model(Tensor(np.zeros((5, 2)))).shape
(5, 3)
>>> [name for name, _ in model.named_parameters()]
['0.weight', '0.bias', '2.weight', '2.bias']
"""

from __future__ import annotations

import inspect
import math
from collections.abc import Iterator
from typing import Any

import numpy as np

from autograd.graph import Node
from autograd.tensor import Tensor
from nn.checks import check_count, make_rng
from nn.module import Module


def _tensor(x: Any, who: str) -> Tensor:
    if isinstance(x, Tensor):
        return x
    if isinstance(x, Node):
        raise TypeError(f"{who}: takes a Tensor (a batch), got a {type(x).__name__}; use nn.MLP for Values")
    return Tensor(x)


class Linear(Module):
    """``y = x @ weight.T + bias``: weight of shape (out_features, in_features), as in PyTorch.

    Initialised as PyTorch does by default (Kaiming-uniform with ``a = sqrt(5)``): every weight and
    bias is drawn uniformly from ``[-1/sqrt(in_features), 1/sqrt(in_features)]``, from
    ``np.random.default_rng(seed)`` (an int, a Generator, or None for fresh entropy). ``dtype``
    is float64 by default; pass ``np.float32`` for single precision.

    >>> layer = Linear(3, 2, seed=0)
    >>> layer.weight.shape, layer.bias.shape
    ((2, 3), (2,))
    >>> bool(np.all(np.abs(layer.weight.data) <= 1 / np.sqrt(3)))
    True
    """

    def __init__(
        self,
        in_features: int,
        out_features: int,
        bias: bool = True,
        dtype: Any = np.float64,
        seed: Any = None,
    ) -> None:
        self.in_features = check_count(in_features, "Linear", "in_features")
        self.out_features = check_count(out_features, "Linear", "out_features")
        rng = make_rng(seed, "Linear")
        bound = 1.0 / math.sqrt(self.in_features)
        w = rng.uniform(-bound, bound, (self.out_features, self.in_features)).astype(dtype)
        self.weight = Tensor(w, requires_grad=True, label="weight")
        self.bias: Tensor | None = None
        if bias:
            b = rng.uniform(-bound, bound, self.out_features).astype(dtype)
            self.bias = Tensor(b, requires_grad=True, label="bias")

    def forward(self, x: Any) -> Tensor:
        x = _tensor(x, "Linear")
        if x.ndim == 0 or x.shape[-1] != self.in_features:
            raise ValueError(
                f"Linear({self.in_features}, {self.out_features}): the input's last axis must have "
                f"{self.in_features} features, got shape {x.shape}"
            )
        y = x @ self.weight.T
        return y if self.bias is None else y + self.bias

    def extra_repr(self) -> str:
        return f"{self.in_features}, {self.out_features}, bias={self.bias is not None}"


class Sequential(Module):
    """Modules applied one after the other; ``model[0]`` is the first, parameters are named
    ``"0.weight"``, ``"0.bias"``, ... as in PyTorch."""

    def __init__(self, *modules: Any) -> None:
        if len(modules) == 1 and isinstance(modules[0], (list, tuple)):
            modules = tuple(modules[0])
        for i, m in enumerate(modules):
            if not callable(m):
                raise TypeError(f"Sequential: item {i} is a {type(m).__name__}, not a module or function")
        self.modules_list = list(modules)

    def named_members(self) -> Iterator[tuple[str, Any]]:
        for i, m in enumerate(self.modules_list):
            if isinstance(m, (Module, Node)):
                yield str(i), m
        for name, value in super().named_members():  # anything a subclass adds
            if not name.startswith("modules_list."):
                yield name, value

    def forward(self, x: Any) -> Any:
        for m in self.modules_list:
            x = m(x)
        return x

    def __getitem__(self, i: int) -> Any:
        return self.modules_list[i]

    def __len__(self) -> int:
        return len(self.modules_list)

    def __iter__(self) -> Iterator[Any]:
        return iter(self.modules_list)

    def append(self, module: Any) -> Sequential:
        """Add a module at the end; returns self."""
        self.modules_list.append(module)
        return self


class Elementwise(Module):
    """An activation: a node method of the input (a Tensor, or a Value as well), named by the
    subclass as ``class ReLU(Elementwise, method="relu")``, with the constructor's arguments as
    its keywords."""

    _method = ""

    def forward(self, x: Any) -> Any:
        node: Any = x if isinstance(x, Node) else _tensor(x, type(self).__name__)
        return getattr(node, self._method)(**self.options())

    keywords: tuple[str, ...] = ()  # the constructor's arguments, passed on to the method

    def __init_subclass__(cls, method: str = "", **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        cls._method = method or cls._method
        parameters = list(inspect.signature(cls.__init__).parameters.values())[1:]  # (after self)
        cls.keywords = tuple(p.name for p in parameters if p.kind is p.POSITIONAL_OR_KEYWORD)

    def options(self) -> dict[str, Any]:
        """The method's keywords: the layer's constructor arguments (``negative_slope``, ``alpha``).

        >>> LeakyReLU(0.2).options(), ReLU().options()
        ({'negative_slope': 0.2}, {})
        """
        return {name: getattr(self, name) for name in self.keywords}

    def extra_repr(self) -> str:
        return ", ".join(f"{k}={v}" for k, v in self.options().items())


class ReLU(Elementwise, method="relu"):
    """max(x, 0), elementwise."""


class Tanh(Elementwise, method="tanh"):
    """tanh(x), elementwise."""


class Sigmoid(Elementwise, method="sigmoid"):
    """1 / (1 + exp(-x)), elementwise."""


class LeakyReLU(Elementwise, method="leaky_relu"):
    """x above 0, ``negative_slope * x`` below, elementwise."""

    def __init__(self, negative_slope: float = 0.01) -> None:
        self.negative_slope = negative_slope


class ELU(Elementwise, method="elu"):
    """x above 0, ``alpha * (exp(x) - 1)`` below, elementwise."""

    def __init__(self, alpha: float = 1.0) -> None:
        self.alpha = alpha


class GELU(Elementwise, method="gelu"):
    """``x * Phi(x)`` (the normal CDF, exact erf form), elementwise."""


class SiLU(Elementwise, method="silu"):
    """``x * sigmoid(x)``, elementwise."""


class Softplus(Elementwise, method="softplus"):
    """log(1 + exp(x)), elementwise (x itself above 20, as torch)."""


class Softmax(Module):
    """softmax along ``axis`` (default the last). For training, give the logits to
    ``nn.cross_entropy`` instead: it fuses the softmax and is faster and more stable."""

    def __init__(self, axis: int = -1) -> None:
        self.axis = axis

    def forward(self, x: Any) -> Tensor:
        return _tensor(x, "Softmax").softmax(axis=self.axis)

    def extra_repr(self) -> str:
        return f"axis={self.axis}"


class Flatten(Module):
    """Flatten every axis from ``start_dim`` (default 1: keep the batch axis): (N, 8, 8) -> (N, 64)."""

    def __init__(self, start_dim: int = 1) -> None:
        self.start_dim = start_dim

    def forward(self, x: Any) -> Tensor:
        x = _tensor(x, "Flatten")
        return x.flatten(self.start_dim) if x.ndim > self.start_dim else x

    def extra_repr(self) -> str:
        return f"start_dim={self.start_dim}"


class Dropout(Module):
    """In training mode, zero each entry with probability ``p`` and scale the rest by 1/(1-p);
    in eval mode (``model.eval()``) pass the input through unchanged."""

    def __init__(self, p: float = 0.5, seed: Any = None) -> None:
        if isinstance(p, bool) or not isinstance(p, (int, float, np.floating)) or not 0.0 <= float(p) <= 1.0:
            raise ValueError(f"Dropout: p must be a probability in [0, 1], got {p!r}")
        self.p = float(p)
        self._rng = make_rng(seed, "Dropout")

    def forward(self, x: Any) -> Tensor:
        x = _tensor(x, "Dropout")
        if not self.training or self.p == 0.0:
            return x
        if self.p == 1.0:
            return x * np.zeros(x.shape, x.dtype)
        keep = self._rng.random(x.shape) >= self.p
        return x * (keep / (1.0 - self.p)).astype(x.dtype)

    def extra_repr(self) -> str:
        return f"p={self.p}"


def _standardise(x: Tensor, axes: tuple[int, ...], eps: float) -> tuple[Tensor, Tensor]:
    """``(x - mean) / sqrt(var + eps)`` over ``axes`` (the biased variance), and that variance."""
    centred = x - x.mean(axis=axes, keepdims=True)
    variance = (centred * centred).mean(axis=axes, keepdims=True)
    return centred / (variance + eps).sqrt(), variance


def _feature_shape(d: Any, who: str) -> tuple[int, ...]:
    shape = (d,) if isinstance(d, (int, np.integer)) and not isinstance(d, (bool, np.bool_)) else d
    if not isinstance(shape, (tuple, list)) or not shape:
        raise ValueError(f"{who}: the feature size must be a positive int or a tuple of them, got {d!r}")
    return tuple(check_count(n, who, "each feature size") for n in shape)


def _eps(eps: Any, who: str) -> float:
    if isinstance(eps, (bool, np.bool_)) or not isinstance(eps, (int, float, np.floating)) or not eps >= 0:
        raise ValueError(f"{who}: eps must be a number >= 0, got {eps!r}")
    return float(eps)


class LayerNorm(Module):
    """Normalise each sample over its last axes (shape ``d``, an int or a tuple), then scale and
    shift: ``(x - mean) / sqrt(var + eps) * weight + bias``, with the biased variance, as
    torch.nn.LayerNorm (``weight`` starts at ones, ``bias`` at zeros).

    >>> ln = LayerNorm(3)
    >>> ln(Tensor([[1.0, 2.0, 3.0]])).data.round(4)
    array([[-1.2247,  0.    ,  1.2247]])
    """

    def __init__(self, d: Any, eps: float = 1e-5, dtype: Any = np.float64) -> None:
        self.normalized_shape = _feature_shape(d, "LayerNorm")
        self.eps = _eps(eps, "LayerNorm")
        self.weight = Tensor(np.ones(self.normalized_shape, dtype), requires_grad=True, label="weight")
        self.bias = Tensor(np.zeros(self.normalized_shape, dtype), requires_grad=True, label="bias")

    def forward(self, x: Any) -> Tensor:
        x = _tensor(x, "LayerNorm")
        k = len(self.normalized_shape)
        if x.shape[x.ndim - k :] != self.normalized_shape or x.ndim < k:
            raise ValueError(
                f"LayerNorm({self.normalized_shape}): the input's last axes must have shape "
                f"{self.normalized_shape}, got shape {x.shape}"
            )
        normalised, _ = _standardise(x, tuple(range(x.ndim - k, x.ndim)), self.eps)
        return normalised * self.weight + self.bias

    def extra_repr(self) -> str:
        return f"{self.normalized_shape}, eps={self.eps}"


class BatchNorm1d(Module):
    """Normalise each feature over the batch, then scale and shift, as torch.nn.BatchNorm1d.

    Input (N, d) or (N, d, L). In training mode: the batch's mean and biased variance (over N,
    and L) normalise it, and the running statistics move towards the batch's by ``momentum``
    (the running variance with the unbiased variance, as torch). In eval mode the running
    statistics normalise instead. ``running_mean``, ``running_var`` and ``num_batches_tracked``
    are in ``state_dict()`` beside ``weight`` and ``bias`` (torch's names), but are not
    parameters: optimizers leave them alone.

    >>> bn = BatchNorm1d(2)
    >>> bn(Tensor([[1.0, 10.0], [3.0, 30.0]])).data.round(4)
    array([[-1., -1.],
           [ 1.,  1.]])
    >>> bn.running_mean
    array([0.2, 2. ])
    """

    buffer_names = ("running_mean", "running_var", "num_batches_tracked")

    def __init__(self, d: int, eps: float = 1e-5, momentum: float = 0.1, dtype: Any = np.float64) -> None:
        self.num_features = check_count(d, "BatchNorm1d", "d")
        self.eps = _eps(eps, "BatchNorm1d")
        ok = isinstance(momentum, (int, float, np.floating)) and not isinstance(momentum, bool)
        if not ok or not 0.0 <= momentum <= 1.0:
            raise ValueError(f"BatchNorm1d: momentum must be a number in [0, 1], got {momentum!r}")
        self.momentum = float(momentum)
        self.weight = Tensor(np.ones(d, dtype), requires_grad=True, label="weight")
        self.bias = Tensor(np.zeros(d, dtype), requires_grad=True, label="bias")
        self.running_mean = np.zeros(d, dtype)
        self.running_var = np.ones(d, dtype)
        self.num_batches_tracked = np.array(0, dtype=np.int64)

    def forward(self, x: Any) -> Tensor:
        x = _tensor(x, "BatchNorm1d")
        d = self.num_features
        if x.ndim not in (2, 3) or x.shape[1] != d:
            raise ValueError(
                f"BatchNorm1d({d}): expected input of shape (N, {d}) or (N, {d}, L), got shape {x.shape}"
            )
        axes = (0,) if x.ndim == 2 else (0, 2)
        shape = (1, d) if x.ndim == 2 else (1, d, 1)
        weight, bias = self.weight, self.bias
        if x.ndim == 3:
            weight, bias = weight.reshape(shape), bias.reshape(shape)
        if not self.training:
            mean = self.running_mean.reshape(shape).astype(x.dtype)
            scale = 1 / np.sqrt(self.running_var.reshape(shape).astype(x.dtype) + self.eps)
            return (x - mean) * scale * weight + bias
        count = x.size // d
        if count < 2:
            raise ValueError(
                f"BatchNorm1d: training mode needs more than one value per feature, got input of shape "
                f"{x.shape}; use batches of 2 or more, or call model.eval() to use the running statistics"
            )
        normalised, variance = _standardise(x, axes, self.eps)
        m, dtype = self.momentum, self.running_mean.dtype
        batch_mean = x.data.mean(axis=axes)
        unbiased = variance.data.reshape(d) * (count / (count - 1))
        self.running_mean = ((1 - m) * self.running_mean + m * batch_mean).astype(dtype, copy=False)
        self.running_var = ((1 - m) * self.running_var + m * unbiased).astype(dtype, copy=False)
        self.num_batches_tracked = self.num_batches_tracked + 1
        return normalised * weight + bias

    def extra_repr(self) -> str:
        return f"{self.num_features}, eps={self.eps}, momentum={self.momentum}"
