"""Tensor layers: Linear, Sequential, the activations, Softmax, Flatten and Dropout.

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

import math
from collections.abc import Iterator
from typing import Any

import numpy as np

from autograd.graph import Node
from autograd.tensor import Tensor
from nn.module import Module
from nn.scalar import _check_count, _rng


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
        self.in_features = _check_count(in_features, "Linear", "in_features")
        self.out_features = _check_count(out_features, "Linear", "out_features")
        rng = _rng(seed, "Linear")
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

    def _members(self) -> Iterator[tuple[str, Any]]:
        for i, m in enumerate(self.modules_list):
            if isinstance(m, (Module, Node)):
                yield str(i), m
        for name, value in super()._members():  # anything a subclass adds
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


class ReLU(Module):
    """max(x, 0), elementwise."""

    def forward(self, x: Any) -> Any:
        node: Any = x if isinstance(x, Node) else _tensor(x, "ReLU")
        return node.relu()


class Tanh(Module):
    """tanh(x), elementwise."""

    def forward(self, x: Any) -> Any:
        node: Any = x if isinstance(x, Node) else _tensor(x, "Tanh")
        return node.tanh()


class Sigmoid(Module):
    """1 / (1 + exp(-x)), elementwise."""

    def forward(self, x: Any) -> Any:
        node: Any = x if isinstance(x, Node) else _tensor(x, "Sigmoid")
        return node.sigmoid()


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
        self._rng = _rng(seed, "Dropout")

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
