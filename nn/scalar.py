"""Scalar networks on Values: Neuron, Layer and MLP, the micrograd-style API.

>>> from nn import MLP
>>> model = MLP(2, [16, 16, 1], seed=0)
>>> out = model([0.5, -1.0])      # one output: a Value
>>> type(out).__name__
'Value'
>>> len(model.parameters())       # (2+1)*16 + (16+1)*16 + (16+1)*1
337

Initialisation (scaled by fan-in, so the activations keep their size through the layers): a
neuron with ``nin`` inputs draws its weights uniformly from ``[-bound, bound]`` with
``bound = sqrt(6 / nin)`` (He/Kaiming uniform, variance ``2 / nin``) for ReLU and
``bound = sqrt(3 / nin)`` (variance ``1 / nin``, LeCun uniform) for tanh, sigmoid and the linear
output layer; biases start at 0. Everything is drawn from ``np.random.default_rng(seed)``: the same
``seed`` gives the same network; ``seed`` may also be a ``np.random.Generator`` (its stream
continues) or None (fresh entropy).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np

from autograd.elementwise import SIGMOID, TANH, stable_sigmoid
from autograd.graph import Node, pass_through, record, with_collector_paused
from autograd.value import Value
from nn.checks import check_count, make_rng
from nn.module import Module

ACTIVATIONS = ("relu", "tanh", "sigmoid", None)


def _check_activation(activation: Any, who: str, what: str = "activation") -> str | None:
    if activation not in ACTIVATIONS:
        raise ValueError(f"{who}: {what} must be 'relu', 'tanh', 'sigmoid' or None, got {activation!r}")
    return activation  # type: ignore[no-any-return]


def init_bound(nin: int, activation: str | None) -> float:
    """Half-width of the uniform weight init for a neuron with ``nin`` inputs (see module doc)."""
    return math.sqrt((6.0 if activation == "relu" else 3.0) / nin)


# --- the neuron as one node --------------------------------------------------------------------
#
# A neuron's output is recorded as ONE node whose inputs are (b, w_0 .. w_{n-1}, x_0 .. x_{n-1}),
# through ``autograd.graph.record``, the engine's one public way to add an op, instead of 2n + 1 separate
# multiply, add and activation nodes. The numbers are the same (the forward sums b + w_0 x_0 + ...
# in the same order with the same float operations), the graph has ten times fewer nodes, and the
# backward pass makes 2n + 1 gradient contributions per neuron instead of 4n + 1. The rules follow
# the engine's convention ``rule(g, out, *inputs)``; with ``create_graph=True`` they run on Values,
# so second derivatives work too. A ReLU neuron that is off (output 0) passes no gradient: its
# weight and bias rules are None (no contribution, i.e. exactly 0) and its input rules return 0.0.
# The activation's derivative is the engine's own rule (autograd.elementwise's TANH and SIGMOID):
# the bias takes it as it is, a weight or an input times its partner.

_RULES: dict[tuple[int, str], tuple[Any, ...]] = {}


def _rules(n: int, kind: str) -> tuple[Any, ...]:
    """The 2n + 1 local-derivative rules of a neuron node with n inputs (cached per n and kind)."""
    key = (n, kind)
    rules = _RULES.get(key)
    if rules is not None:
        return rules
    # inputs are (b, w_0 .. w_{n-1}, x_0 .. x_{n-1}): d/dw_k pairs with x_k at 1 + n + k, and
    # d/dx_k with w_k at 1 + k
    partners = [*range(1 + n, 1 + 2 * n), *range(1, 1 + n)]
    if kind == "linear":
        rules = (pass_through, *[_times(k) for k in partners])
    elif kind == "dead":
        rules = (None, *[None] * n, *[_zero] * n)
    else:
        activation = TANH.rule if kind == "tanh" else SIGMOID.rule
        rules = (activation, *[_activation_times(activation, k) for k in partners])
    _RULES[key] = rules
    return rules


def _zero(g: Any, out: Any, *a: Any) -> float:
    return 0.0


def _times(k: int) -> Any:
    """The rule of a weight or an input of a linear neuron: ``g`` times its partner (input ``k``)."""
    return lambda g, out, *a: g * a[k]


def _activation_times(activation: Any, k: int) -> Any:
    """The rule of a weight or an input behind an activation: its rule's share times input ``k``."""
    return lambda g, out, *a: activation(g, out) * a[k]


def _as_values(x: Any, nin: int, who: str) -> list[Value]:
    """The inputs as a list of Values (numbers become constants), checked for length."""
    if isinstance(x, Value):
        x = [x]
    elif isinstance(x, Node) or (isinstance(x, np.ndarray) and x.ndim > 1):
        what = f"a {type(x).__name__} of shape {getattr(x, 'shape', ())}"
        raise TypeError(
            f"{who}: takes one example as a list of {nin} numbers (or Values), got {what}; for the outputs "
            "of a batch use nn.predict(model, X), or a Tensor model (nn.Sequential of nn.Linear layers)"
        )
    try:
        n = len(x)
    except TypeError:
        raise TypeError(
            f"{who}: expected a list of {nin} numbers or Values, got {type(x).__name__} {x!r}"
        ) from None
    if n != nin:
        raise ValueError(f"{who}: expected {nin} inputs, got {n}")
    out = []
    for xi in x:
        if type(xi) is not Value:
            xi = Value(xi)
        out.append(xi)
    return out


class Neuron(Module):
    """One neuron: ``activation(b + w[0] * x[0] + ... + w[nin-1] * x[nin-1])``.

    ``w`` is a list of ``nin`` Values, ``b`` a Value; ``activation`` is ``"relu"`` (default),
    ``"tanh"``, ``"sigmoid"`` or None (linear).

    >>> n = Neuron(2, activation="tanh", seed=1)
    >>> y = n([1.0, -2.0])
    >>> y.backward()
    >>> n.b.grad == 1 - y.data ** 2
    True
    """

    def __init__(self, nin: int, activation: str | None = "relu", seed: Any = None) -> None:
        nin = check_count(nin, "Neuron", "nin")
        self.activation = _check_activation(activation, "Neuron")
        bound = init_bound(nin, activation)
        rng = make_rng(seed, "Neuron")
        self.w = [Value(float(v), label=f"w{i}") for i, v in enumerate(rng.uniform(-bound, bound, nin))]
        self.b = Value(0.0, label="b")

    @property
    def nin(self) -> int:
        return len(self.w)

    def _forward(self, x: list[Value]) -> Value:
        w = self.w
        n = len(w)
        z = self.b.data
        for wi, xi in zip(w, x):
            z += wi.data * xi.data
        a = self.activation
        if a is None:
            return record(z, (self.b, *w, *x), _rules(n, "linear"), "w·x+b")
        if a == "relu":
            if not z <= 0.0:  # (nan too: it stays nan and passes the gradient on, as torch.relu)
                return record(z, (self.b, *w, *x), _rules(n, "linear"), "relu(w·x+b)")
            return record(0.0, (self.b, *w, *x), _rules(n, "dead"), "relu(w·x+b)")
        if a == "tanh":
            return record(math.tanh(z), (self.b, *w, *x), _rules(n, "tanh"), "tanh(w·x+b)")
        return record(stable_sigmoid(z), (self.b, *w, *x), _rules(n, "sigmoid"), "sigmoid(w·x+b)")

    def __call__(self, x: Sequence[Any]) -> Value:
        """The neuron's output for ``x``, a list of ``nin`` numbers or Values."""
        return self._forward(_as_values(x, len(self.w), "Neuron"))

    def parameters(self) -> list[Value]:
        return [*self.w, self.b]

    def extra_repr(self) -> str:
        return f"{len(self.w)}, activation={self.activation!r}"


class Layer(Module):
    """``nout`` neurons that each see all ``nin`` inputs.

    Returns a list of ``nout`` Values, or one Value when ``nout == 1`` (as MLP does).
    """

    def __init__(self, nin: int, nout: int, activation: str | None = "relu", seed: Any = None) -> None:
        nin = check_count(nin, "Layer", "nin")
        nout = check_count(nout, "Layer", "nout")
        self.activation = _check_activation(activation, "Layer")
        rng = make_rng(seed, "Layer")
        self.neurons = [Neuron(nin, activation, seed=rng) for _ in range(nout)]

    def _forward(self, x: list[Value]) -> list[Value]:
        return [n._forward(x) for n in self.neurons]

    def __call__(self, x: Sequence[Any]) -> Value | list[Value]:
        out = self._forward(_as_values(x, self.neurons[0].nin, "Layer"))
        return out[0] if len(out) == 1 else out

    def parameters(self) -> list[Value]:
        return [p for n in self.neurons for p in (*n.w, n.b)]

    def extra_repr(self) -> str:
        return f"{self.neurons[0].nin} -> {len(self.neurons)}, activation={self.activation!r}"

    def __repr__(self) -> str:  # 16 neurons would drown the picture: one line per layer
        return f"Layer({self.extra_repr()})"


class MLP(Module):
    """A multi-layer perceptron of Layers: ``MLP(2, [16, 16, 1])`` is 2 -> 16 -> 16 -> 1.

    Hidden layers use ``activation`` (default ReLU); the last layer uses ``output_activation``
    (default None: linear). The micrograd lecture's network is tanh throughout:
    ``MLP(3, [4, 4, 1], activation="tanh", output_activation="tanh")``. Calling the model on a
    list of ``nin`` numbers or Values returns a Value when the last layer has one output, a list
    of Values otherwise.

    >>> MLP(2, [16, 16, 1], seed=0)
    MLP(2 -> [16, 16, 1], activation='relu'
      (layers.0): Layer(2 -> 16, activation='relu')
      (layers.1): Layer(16 -> 16, activation='relu')
      (layers.2): Layer(16 -> 1, activation=None)
    )
    """

    def __init__(
        self,
        nin: int,
        nouts: Sequence[int],
        activation: str | None = "relu",
        seed: Any = None,
        output_activation: str | None = None,
    ) -> None:
        nin = check_count(nin, "MLP", "nin")
        if isinstance(nouts, (int, np.integer)):
            nouts = [int(nouts)]
        if not isinstance(nouts, Sequence) or len(nouts) == 0:
            raise ValueError(
                f"MLP: nouts must be a non-empty list of layer sizes like [16, 16, 1], got {nouts!r}"
            )
        sizes = [nin] + [check_count(n, "MLP", "each layer size in nouts") for n in nouts]
        self.activation = _check_activation(activation, "MLP")
        self.output_activation = _check_activation(output_activation, "MLP", "output_activation")
        rng = make_rng(seed, "MLP")
        last = len(nouts) - 1
        self.layers = [
            Layer(sizes[i], sizes[i + 1], activation if i < last else output_activation, seed=rng)
            for i in range(len(nouts))
        ]

    def __call__(self, x: Sequence[Any]) -> Value | list[Value]:
        """The network's output for one input ``x`` (a list of ``nin`` numbers or Values)."""

        def forward() -> list[Value]:
            out = _as_values(x, len(self.layers[0].neurons[0].w), "MLP")
            for layer in self.layers:
                out = layer._forward(out)
            return out

        # hundreds of nodes per call, in bulk and free of cycles: the collector pauses (see
        # graph.with_collector_paused, the rule of when graphgrad pauses it)
        out = with_collector_paused(forward)
        return out[0] if len(out) == 1 else out

    def parameters(self) -> list[Value]:
        return [p for layer in self.layers for n in layer.neurons for p in (*n.w, n.b)]

    def zero_grad(self) -> None:
        for layer in self.layers:
            for n in layer.neurons:
                n.b.grad = 0.0
                for w in n.w:
                    w.grad = 0.0

    @property
    def sizes(self) -> list[int]:
        return [len(self.layers[0].neurons[0].w)] + [len(layer.neurons) for layer in self.layers]

    def extra_repr(self) -> str:
        sizes = self.sizes
        out = "" if self.output_activation is None else f", output_activation={self.output_activation!r}"
        return f"{sizes[0]} -> {sizes[1:]}, activation={self.activation!r}{out}"

    def to_numpy(self) -> list[tuple[np.ndarray, np.ndarray, str | None]]:
        """The weights as arrays, one ``(W of shape (nout, nin), b, activation)`` per layer."""
        return [
            (
                np.array([[w.data for w in n.w] for n in layer.neurons]),
                np.array([n.b.data for n in layer.neurons]),
                layer.neurons[0].activation,
            )
            for layer in self.layers
        ]

    def predict(self, X: Any) -> np.ndarray:
        """Outputs for a batch ``X`` of shape (n, nin) as an array, computed in numpy (no graph).

        Shape (n,) for one output, (n, nout) otherwise. Used for plots over a grid of points.
        """
        out = np.asarray(X, dtype=np.float64)
        if out.ndim != 2 or out.shape[1] != self.sizes[0]:
            raise ValueError(f"MLP.predict: X must have shape (n, {self.sizes[0]}), got {out.shape}")
        for W, b, act in self.to_numpy():
            out = out @ W.T + b
            if act == "relu":
                out = np.maximum(out, 0.0)
            elif act == "tanh":
                out = np.tanh(out)
            elif act == "sigmoid":
                out = 1.0 / (1.0 + np.exp(-out))
        return out[:, 0] if out.shape[1] == 1 else out
