"""The way to PyTorch and back: ``to_torch``, ``load_torch`` and ``from_torch``.

torch is imported only when one of them is called (the ``torch`` extra). One table,
``EQUIVALENTS``, says for each graphgrad layer which ``torch.nn`` class it is, how to build it
(architecture only), how to build the graphgrad layer back from one, and, where the parameters'
names differ between the two, how they map. Parameters and buffers (BatchNorm1d's running
statistics and its ``num_batches_tracked``) are copied through that mapping in both directions,
so the numbers are the same bit for bit:

>>> import numpy as np, torch
>>> from autograd import Tensor
>>> from nn import Linear, ReLU, Sequential, from_torch
>>> model = Sequential(Linear(2, 8, seed=0), ReLU(), Linear(8, 1, seed=1))
>>> tm = model.to_torch()
>>> tm
Sequential(
  (0): Linear(in_features=2, out_features=8, bias=True)
  (1): ReLU()
  (2): Linear(in_features=8, out_features=1, bias=True)
)
>>> x = np.array([[0.5, -1.0]])
>>> bool(np.array_equal(tm(torch.from_numpy(x)).detach().numpy(), model(Tensor(x)).data))
True
>>> with torch.no_grad():
...     _ = tm[0].bias.add_(1.0)
>>> model.load_torch(tm) is model           # the torch parameters, copied back
True
>>> bool(np.array_equal(model[0].bias.data, tm[0].bias.detach().numpy()))
True
>>> type(from_torch(tm)).__name__
'Sequential'

The scalar networks (``MLP``, ``Layer``, ``Neuron``) become the equivalent stack of
``torch.nn.Linear`` layers and activations, one Linear per layer, its weight row k holding
neuron k's weights. Modules that are not in the table but are built of ones that are (a
``Module`` subclass with a ``forward`` of its own) have no torch equivalent for ``to_torch``,
yet ``load_torch`` copies into them from a torch module whose parameters have the same names.

This module sits above ``nn.layers``, ``nn.scalar`` and ``nn.module``, and hands ``to_torch`` and
``load_torch`` to ``nn.module`` when imported (``register_torch_bridge``), so that
``Module.to_torch`` reaches it without ``nn.module`` ever importing it: the imports run one way.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from functools import partial
from typing import Any, NamedTuple

import numpy as np

from autograd.value import Value
from nn import layers
from nn.module import Buffer, Module, TorchBridge, check_state, copy_into, is_parameter, register_torch_bridge
from nn.scalar import MLP, Layer, Neuron

# numpy's float dtypes that torch has, by the name both libraries give them: the parameters'
DTYPES = ("float16", "float32", "float64")
# and the buffers': running statistics in those, counters (num_batches_tracked) in int64
STATE_DTYPES = (*DTYPES, "int64")


def import_torch(who: str) -> Any:
    """torch, or an ImportError that says which extra to install."""
    try:
        import torch
    except ImportError:
        raise ImportError(
            f"{who} needs PyTorch, which is not installed: pip install 'graphgrad[torch]' "
            "(README, 'Moving on to PyTorch', says how to get the CPU-only build)"
        ) from None
    return torch


class Slot(NamedTuple):
    """One parameter or buffer as torch names it: its data, and how to write new data into it."""

    data: np.ndarray
    write: Callable[[np.ndarray], None]


class Equivalent(NamedTuple):
    """A graphgrad layer's counterpart in ``torch.nn``.

    ``build(module, torch, build_child)`` makes the torch module (parameters are copied in
    afterwards, from ``torch_state``); ``unbuild(torch_module, unbuild_child)`` makes the graphgrad
    one (None: there is no way back, as for ``MLP``); ``state(module)`` maps torch's parameter
    names to Slots, for layers whose names differ from graphgrad's (None: the same names, the
    parameters' and then the buffers').
    """

    torch_name: str
    build: Callable[[Any, Any, Callable[[Any, str], Any]], Any]
    unbuild: Callable[[Any, Callable[[Any, str], Module]], Module] | None
    state: Callable[[Any], dict[str, Slot]] | None = None


def _activation(
    layer: type[layers.Elementwise], unbuild: Callable[[Any, Any], Module] | None = None
) -> Equivalent:
    """The table entry of an activation: the torch.nn layer of the same name, with the same keywords
    (LeakyReLU's negative_slope, ELU's alpha); ``unbuild`` for one whose torch options go further."""
    name = layer.__name__
    return Equivalent(
        name,
        lambda m, torch, b: getattr(torch.nn, name)(**m.options()),
        unbuild or (lambda t, u: layer(**{k: getattr(t, k) for k in layer.keywords})),
    )


def _linear(m: layers.Linear, torch: Any, build_child: Any) -> Any:
    dtype = getattr(torch, m.weight.data.dtype.name)
    return torch.nn.Linear(m.in_features, m.out_features, bias=m.bias is not None, dtype=dtype)


def _linear_back(t: Any, unbuild_child: Any) -> layers.Linear:
    dtype = numpy_dtype(t.weight, "from_torch: Linear.weight")
    return layers.Linear(t.in_features, t.out_features, bias=t.bias is not None, dtype=dtype)


def _layer_norm(m: layers.LayerNorm, torch: Any, build_child: Any) -> Any:
    dtype = getattr(torch, m.weight.data.dtype.name)
    return torch.nn.LayerNorm(m.normalized_shape, eps=m.eps, dtype=dtype)


def _layer_norm_back(t: Any, unbuild_child: Any) -> layers.LayerNorm:
    if t.weight is None or t.bias is None:
        raise ValueError(
            "from_torch: LayerNorm without a weight or a bias has no graphgrad equivalent: "
            "nn.LayerNorm always has both (elementwise_affine=True, bias=True)"
        )
    dtype = numpy_dtype(t.weight, "from_torch: LayerNorm.weight")
    return layers.LayerNorm(tuple(t.normalized_shape), eps=t.eps, dtype=dtype)


def _batch_norm(m: layers.BatchNorm1d, torch: Any, build_child: Any) -> Any:
    dtype = getattr(torch, m.weight.data.dtype.name)
    return torch.nn.BatchNorm1d(m.num_features, eps=m.eps, momentum=m.momentum, dtype=dtype)


def _batch_norm_back(t: Any, unbuild_child: Any) -> layers.BatchNorm1d:
    if t.weight is None or t.bias is None or not t.track_running_stats or t.momentum is None:
        options = f"affine={t.affine}, bias={t.bias is not None}, track_running_stats={t.track_running_stats}"
        raise ValueError(
            f"from_torch: BatchNorm1d({options}, momentum={t.momentum}) has no graphgrad equivalent: "
            "nn.BatchNorm1d always has a weight and a bias, and tracks running statistics, moved by a "
            "momentum in [0, 1]"
        )
    dtype = numpy_dtype(t.weight, "from_torch: BatchNorm1d.weight")
    return layers.BatchNorm1d(t.num_features, eps=t.eps, momentum=t.momentum, dtype=dtype)


def _gelu_back(t: Any, unbuild_child: Any) -> layers.GELU:
    if t.approximate != "none":
        raise ValueError(
            f"from_torch: GELU(approximate={t.approximate!r}) has no graphgrad equivalent: nn.GELU is "
            "the exact erf form (approximate='none')"
        )
    return layers.GELU()


def _softplus_back(t: Any, unbuild_child: Any) -> layers.Softplus:
    if t.beta != 1 or t.threshold != 20:
        raise ValueError(
            f"from_torch: Softplus(beta={t.beta}, threshold={t.threshold}) has no graphgrad equivalent: "
            "nn.Softplus has beta=1 and threshold=20"
        )
    return layers.Softplus()


def _flatten_back(t: Any, unbuild_child: Any) -> layers.Flatten:
    if t.end_dim != -1:
        raise ValueError(
            f"from_torch: Flatten(start_dim={t.start_dim}, end_dim={t.end_dim}) has no graphgrad "
            "equivalent: nn.Flatten always flattens to the last axis (end_dim=-1)"
        )
    return layers.Flatten(t.start_dim)


def _softmax_back(t: Any, unbuild_child: Any) -> layers.Softmax:
    if t.dim is None:
        raise ValueError("from_torch: Softmax(dim=None) has no graphgrad equivalent; give the axis, dim=-1")
    return layers.Softmax(axis=t.dim)


# --- the scalar networks: one torch.nn.Linear per Layer ------------------------------------------

_ACTIVATION_LAYERS = {"relu": "ReLU", "tanh": "Tanh", "sigmoid": "Sigmoid"}


def _neuron_layers(m: Module) -> list[list[Neuron]]:
    """The neurons of a scalar network, layer by layer."""
    if isinstance(m, Neuron):
        return [[m]]
    if isinstance(m, Layer):
        return [m.neurons]
    return [layer.neurons for layer in m.layers]  # type: ignore[attr-defined]


def _torch_positions(m: Module) -> Iterator[tuple[int, list[Neuron]]]:
    """(index of the Linear in the torch Sequential, its neurons) for each layer."""
    index = 0
    for neurons in _neuron_layers(m):
        yield index, neurons
        index += 1 if neurons[0].activation is None else 2


def _scalar_build(m: Module, torch: Any, build_child: Any) -> Any:
    modules = []
    for neurons in _neuron_layers(m):
        modules.append(torch.nn.Linear(neurons[0].nin, len(neurons), dtype=torch.float64))
        if neurons[0].activation is not None:
            modules.append(getattr(torch.nn, _ACTIVATION_LAYERS[neurons[0].activation])())
    return torch.nn.Sequential(*modules)


def _scalar_state(m: Module) -> dict[str, Slot]:
    state = {}
    for index, neurons in _torch_positions(m):
        weights = np.array([[w.data for w in n.w] for n in neurons])
        biases = np.array([n.b.data for n in neurons])
        state[f"{index}.weight"] = Slot(weights, _writer([w for n in neurons for w in n.w]))
        state[f"{index}.bias"] = Slot(biases, _writer([n.b for n in neurons]))
    return state


def _writer(values: list[Value]) -> Callable[[np.ndarray], None]:
    """Writes an array into ``values`` in row-major order (a weight matrix row by row)."""

    def write(arr: np.ndarray) -> None:
        for v, x in zip(values, arr.reshape(-1).tolist()):
            v.data = x

    return write


EQUIVALENTS: dict[type[Module], Equivalent] = {
    layers.Linear: Equivalent("Linear", _linear, _linear_back),
    layers.Sequential: Equivalent(
        "Sequential",
        lambda m, torch, build_child: torch.nn.Sequential(
            *(build_child(child, str(i)) for i, child in enumerate(m))
        ),
        lambda t, unbuild_child: layers.Sequential(
            *(unbuild_child(c, name) for name, c in t.named_children())
        ),
    ),
    layers.ReLU: _activation(layers.ReLU),
    layers.Tanh: _activation(layers.Tanh),
    layers.Sigmoid: _activation(layers.Sigmoid),
    layers.LeakyReLU: _activation(layers.LeakyReLU),
    layers.ELU: _activation(layers.ELU),
    layers.GELU: _activation(layers.GELU, _gelu_back),
    layers.SiLU: _activation(layers.SiLU),
    layers.Softplus: _activation(layers.Softplus, _softplus_back),
    layers.LayerNorm: Equivalent("LayerNorm", _layer_norm, _layer_norm_back),
    layers.BatchNorm1d: Equivalent("BatchNorm1d", _batch_norm, _batch_norm_back),
    layers.Softmax: Equivalent("Softmax", lambda m, torch, b: torch.nn.Softmax(dim=m.axis), _softmax_back),
    layers.Flatten: Equivalent("Flatten", lambda m, torch, b: torch.nn.Flatten(m.start_dim), _flatten_back),
    layers.Dropout: Equivalent(
        "Dropout", lambda m, torch, b: torch.nn.Dropout(m.p), lambda t, u: layers.Dropout(t.p)
    ),
    MLP: Equivalent("Sequential", _scalar_build, None, _scalar_state),
    Layer: Equivalent("Sequential", _scalar_build, None, _scalar_state),
    Neuron: Equivalent("Sequential", _scalar_build, None, _scalar_state),
}


def _equivalent_names() -> str:
    return ", ".join(cls.__name__ for cls in EQUIVALENTS)


# --- dtypes ----------------------------------------------------------------------------------------


def torch_dtype_name(arr: np.ndarray, where: str) -> str:
    """The name torch and numpy share for ``arr``'s dtype; a TypeError for one torch lacks."""
    if arr.dtype.name not in STATE_DTYPES:
        raise TypeError(
            f"{where} has dtype {arr.dtype.name}, which torch has no dtype for; "
            "torch takes float16, float32 or float64: make the layer in one of those (dtype=np.float64)"
        )
    return arr.dtype.name


def numpy_dtype(t: Any, where: str, dtypes: tuple[str, ...] = DTYPES) -> np.dtype[Any]:
    """The numpy dtype of a torch tensor; a TypeError for one not in ``dtypes`` (graphgrad's
    parameters' by default)."""
    name = str(t.dtype).removeprefix("torch.")
    if name not in dtypes:
        raise TypeError(
            f"{where} has dtype {t.dtype}, which graphgrad cannot hold (it takes float16, float32 "
            "and float64); convert the torch module first, e.g. torch_module.double()"
        )
    return np.dtype(name)


def _to_numpy(t: Any) -> np.ndarray:
    """A torch tensor's data as a fresh numpy array (from any device), for ``check_state``."""
    numpy_dtype(t, "this entry", STATE_DTYPES)
    return np.array(t.detach().cpu().numpy(), copy=True)


# --- the parameters and buffers as torch names them ----------------------------------------------


def torch_state(module: Module, prefix: str = "") -> dict[str, Slot]:
    """Every parameter and buffer of ``module`` under the name its torch equivalent gives it."""
    entry = EQUIVALENTS.get(type(module))
    if entry is not None and entry.state is not None:
        return {prefix + name: slot for name, slot in entry.state(module).items()}
    state: dict[str, Slot] = {}
    for name, value in module.named_members():
        if isinstance(value, Module):
            state.update(torch_state(value, f"{prefix}{name}."))
        elif is_parameter(value):
            state[prefix + name] = _slot(value)
    for name in module.buffer_names:
        state[prefix + name] = _slot(Buffer(module, name))
    return state


def _slot(p: Any) -> Slot:
    """A parameter (Value or Tensor) or a Buffer as a Slot."""
    return Slot(np.array(p.data) if isinstance(p, Value) else np.asarray(p.data), partial(copy_into, p))


# --- the three public functions --------------------------------------------------------------------


def to_torch(module: Module) -> Any:
    """``module`` as a ``torch.nn.Module``: the same architecture, parameters, buffers, dtype and mode."""
    torch = import_torch("to_torch")
    state = torch_state(module)
    tensors = {
        name: torch.from_numpy(np.array(slot.data, dtype=torch_dtype_name(slot.data, f"to_torch: {name!r}")))
        for name, slot in state.items()
    }
    built = _build(module, torch, type(module).__name__)
    built.load_state_dict(tensors, strict=True)
    return built


def _build(module: Any, torch: Any, path: str) -> Any:
    entry = EQUIVALENTS.get(type(module))
    if entry is None:
        what = type(module).__name__ if isinstance(module, Module) else f"the function {module!r}"
        raise TypeError(
            f"to_torch: {what} (at {path}) has no torch equivalent; the layers that have one: "
            f"{_equivalent_names()}. Build the model of those, or write it in torch and copy the "
            "parameters over with load_torch"
        )
    children: list[Any] = []

    def build_child(child: Any, name: str) -> Any:
        children.append(_build(child, torch, f"{path}.{name}"))
        return children[-1]

    built = entry.build(module, torch, build_child)
    inside_children = {id(part) for child in children for part in child.modules()}
    for part in built.modules():  # the parts made for this module take its mode; children keep theirs
        if id(part) not in inside_children:
            part.training = module.training
    return built


def load_torch(module: Module, torch_module: Any) -> Module:
    """Copy the parameters and buffers of ``torch_module`` into ``module``, after checking all.

    Every name, shape and dtype is checked first (against ``torch_state``); on any mismatch
    nothing changes and a ``StateDictError`` lists the mismatches (the first ten, then how many
    more). Returns ``module``.
    """
    import_torch("load_torch")
    slots = torch_state(module)
    given = torch_module.state_dict()
    expected = {name: (slot.data.shape, slot.data.dtype) for name, slot in slots.items()}
    ready = check_state(expected, given, f"{type(module).__name__}.load_torch", read=_to_numpy)
    for name, arr in ready.items():
        slots[name].write(arr)
    return module


def from_torch(torch_module: Any) -> Module:
    """The graphgrad model of a torch model whose every layer has a graphgrad equivalent.

    >>> import torch
    >>> from_torch(torch.nn.Sequential(torch.nn.Linear(3, 2), torch.nn.Tanh()))
    Sequential(
      (0): Linear(3, 2, bias=True)
      (1): Tanh()
    )
    """
    torch = import_torch("from_torch")
    if not isinstance(torch_module, torch.nn.Module):
        raise TypeError(f"from_torch: expected a torch.nn.Module, got {type(torch_module).__name__}")
    return _unbuild(torch_module, type(torch_module).__name__)


def _unbuild(t: Any, path: str) -> Module:
    cls = type(t)
    entry = next(
        (e for e in EQUIVALENTS.values() if e.unbuild is not None and e.torch_name == cls.__name__), None
    )
    if entry is None or entry.unbuild is None or not cls.__module__.startswith("torch.nn"):
        layers = sorted({e.torch_name for e in EQUIVALENTS.values() if e.unbuild is not None})
        raise TypeError(
            f"from_torch: {cls.__module__}.{cls.__name__} (at {path}) has no graphgrad equivalent; "
            f"the torch layers that have one: {', '.join(layers)}"
        )
    built = entry.unbuild(t, lambda child, name: _unbuild(child, f"{path}.{name}"))
    if next(t.children(), None) is None:  # a layer: its own parameters; containers load in their parts
        load_torch(built, t)
    built.training = t.training
    return built


register_torch_bridge(TorchBridge(to_torch, load_torch))
