"""Optimizers: SGD (with momentum) and Adam, for Value and Tensor parameters alike.

They follow ``torch.optim.SGD`` and ``torch.optim.Adam`` step for step (weight decay is added to
the gradient, as in torch), so the same start gives the same trajectory.

>>> from autograd import Value
>>> w = Value(3.0)
>>> opt = SGD([w], lr=0.1)
>>> for _ in range(3):
...     opt.zero_grad()
...     (w * w).backward()
...     opt.step()
>>> round(w.data, 6)             # 3 * 0.8 ** 3
1.536

Value parameters are updated together as one float64 array per optimizer (fast for the
hundreds of Values of a scalar MLP); each Tensor parameter is updated in place. A Tensor whose
``grad`` is None (it took no part in the loss) is skipped, as in torch. ``lr`` can be changed
between steps (``opt.lr = 0.01``) for a learning-rate schedule.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from typing import Any

import numpy as np

from autograd.graph import Node
from autograd.value import Value


def _check_number(who: str, name: str, value: Any, low: float = 0.0, high: float | None = None) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)):
        raise ValueError(f"{who}: {name} must be a number, got {value!r}")
    x = float(value)
    if not math.isfinite(x) or x < low or (high is not None and x >= high):
        bounds = f"in [{low}, {high})" if high is not None else f">= {low}"
        raise ValueError(f"{who}: {name} must be {bounds}, got {value!r}")
    return x


class Optimizer:
    """Holds the parameters; subclasses define ``step``."""

    def __init__(self, params: Iterable[Any], who: str) -> None:
        if isinstance(params, Node):
            params = [params]
        try:
            items = list(params)
        except TypeError:
            raise TypeError(
                f"{who}: params must be an iterable of Values or Tensors (e.g. model.parameters()), "
                f"got {type(params).__name__}"
            ) from None
        values: list[Value] = []
        tensors: list[Any] = []
        seen: set[int] = set()
        for i, p in enumerate(items):
            if id(p) in seen:
                continue
            seen.add(id(p))
            if isinstance(p, Value):
                values.append(p)
            elif isinstance(p, Node):
                if not getattr(p, "requires_grad", False):
                    raise ValueError(
                        f"{who}: parameter {i} is a Tensor without requires_grad; create it with "
                        "Tensor(..., requires_grad=True) or leave it out"
                    )
                if not p.is_leaf:
                    raise ValueError(
                        f"{who}: parameter {i} is the result of an op, not a leaf; optimize the "
                        "leaves it was computed from"
                    )
                tensors.append(p)
            else:
                raise TypeError(f"{who}: parameter {i} must be a Value or a Tensor, got {type(p).__name__}")
        if not values and not tensors:
            raise ValueError(f"{who}: got an empty parameter list")
        self.values = values
        self.tensors = tensors
        self.steps = 0

    @property
    def params(self) -> list[Any]:
        """All parameters: the Values, then the Tensors."""
        return [*self.values, *self.tensors]

    def zero_grad(self) -> None:
        """Reset every parameter's gradient (Values to 0.0, Tensors as ``Tensor.zero_grad``)."""
        for v in self.values:
            v.grad = 0.0
        for t in self.tensors:
            t.zero_grad()

    def _value_arrays(self) -> tuple[np.ndarray, np.ndarray]:
        data = np.fromiter((v.data for v in self.values), np.float64, len(self.values))
        grad = np.fromiter((float(v.grad) for v in self.values), np.float64, len(self.values))
        return data, grad

    def _write_values(self, data: np.ndarray) -> None:
        for v, x in zip(self.values, data.tolist()):
            v.data = x

    def step(self) -> None:
        raise NotImplementedError


class SGD(Optimizer):
    """Stochastic gradient descent, optionally with momentum and weight decay (as torch.optim.SGD).

    For each parameter: ``g = grad + weight_decay * p``; with momentum, ``buf = g`` on the first
    step and ``buf = momentum * buf + g`` after, and ``g = buf``; then ``p -= lr * g``.
    """

    def __init__(
        self, params: Iterable[Any], lr: float, momentum: float = 0.0, weight_decay: float = 0.0
    ) -> None:
        super().__init__(params, "SGD")
        self.lr = _check_number("SGD", "lr", lr)
        self.momentum = _check_number("SGD", "momentum", momentum, 0.0, 1.0)
        self.weight_decay = _check_number("SGD", "weight_decay", weight_decay)
        self._value_buf: np.ndarray | None = None
        self._tensor_buf: dict[int, np.ndarray] = {}

    def _direction(
        self, p: np.ndarray, g: np.ndarray, buf: np.ndarray | None
    ) -> tuple[np.ndarray, np.ndarray | None]:
        if self.weight_decay:
            g = g + self.weight_decay * p
        if self.momentum:
            buf = g.copy() if buf is None else self.momentum * buf + g
            g = buf
        return g, buf

    def step(self) -> None:
        """Update every parameter once from its current ``grad``."""
        lr = self.lr
        if self.values:
            data, grad = self._value_arrays()
            d, self._value_buf = self._direction(data, grad, self._value_buf)
            self._write_values(data - lr * d)
        for t in self.tensors:
            if t.grad is None:
                continue
            d, buf = self._direction(t.data, np.asarray(t.grad), self._tensor_buf.get(id(t)))
            if buf is not None:
                self._tensor_buf[id(t)] = buf
            t.data -= lr * d
        self.steps += 1


class Adam(Optimizer):
    """Adam (Kingma & Ba), as torch.optim.Adam: bias-corrected first and second moments.

    For each parameter: ``g = grad + weight_decay * p``, ``m = b1 m + (1 - b1) g``,
    ``v = b2 v + (1 - b2) g**2``, and at step t
    ``p -= lr / (1 - b1**t) * m / (sqrt(v) / sqrt(1 - b2**t) + eps)``.
    """

    def __init__(
        self,
        params: Iterable[Any],
        lr: float = 1e-3,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 0.0,
    ) -> None:
        super().__init__(params, "Adam")
        self.lr = _check_number("Adam", "lr", lr)
        try:
            b1, b2 = betas
        except (TypeError, ValueError):
            raise ValueError(f"Adam: betas must be a pair like (0.9, 0.999), got {betas!r}") from None
        self.betas = (
            _check_number("Adam", "betas[0]", b1, 0.0, 1.0),
            _check_number("Adam", "betas[1]", b2, 0.0, 1.0),
        )
        self.eps = _check_number("Adam", "eps", eps)
        self.weight_decay = _check_number("Adam", "weight_decay", weight_decay)
        self._moments: dict[int, tuple[np.ndarray, np.ndarray, int]] = {}

    def _update(self, key: int, p: np.ndarray, g: np.ndarray) -> np.ndarray:
        """The step to subtract from ``p``, updating the moments stored under ``key``."""
        b1, b2 = self.betas
        if self.weight_decay:
            g = g + self.weight_decay * p
        state = self._moments.get(key)
        if state is None:
            m, v, t = np.zeros_like(p), np.zeros_like(p), 0
        else:
            m, v, t = state
        t += 1
        m = b1 * m + (1 - b1) * g
        v = b2 * v + (1 - b2) * (g * g)
        self._moments[key] = (m, v, t)
        step_size = self.lr / (1 - b1**t)
        denom = np.sqrt(v) / math.sqrt(1 - b2**t) + self.eps
        return step_size * (m / denom)

    def step(self) -> None:
        """Update every parameter once from its current ``grad``."""
        if self.values:
            data, grad = self._value_arrays()
            self._write_values(data - self._update(-1, data, grad))
        for t in self.tensors:
            if t.grad is None:
                continue
            t.data -= self._update(id(t), t.data, np.asarray(t.grad)).astype(t.data.dtype, copy=False)
        self.steps += 1
