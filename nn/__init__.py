"""Neural-network helpers built on graphgrad's ``autograd`` engine.

Scalar networks on Values (``MLP``, ``Layer``, ``Neuron``), Tensor layers (``Linear``,
``Sequential`` and friends), losses, optimizers (``nn.optim.SGD``, ``nn.optim.Adam``), data
sets, the training loop ``fit``, and the way to PyTorch: ``Module.to_torch()``,
``Module.load_torch()`` and ``from_torch`` (torch is imported only when they are called).
"""

from nn import optim
from nn.data import (
    batches,
    load_digits,
    load_mnist,
    make_moons,
    make_regression,
    spiral,
)
from nn.layers import (
    ELU,
    GELU,
    BatchNorm1d,
    Dropout,
    Flatten,
    LayerNorm,
    LeakyReLU,
    Linear,
    ReLU,
    Sequential,
    Sigmoid,
    SiLU,
    Softmax,
    Softplus,
    Tanh,
)
from nn.losses import (
    binary_cross_entropy,
    binary_cross_entropy_with_logits,
    cross_entropy,
    hinge_loss,
    mse_loss,
    nll_loss,
    one_hot,
)
from nn.module import LoadResult, Module, StateDictError
from nn.optim import SGD, Adam
from nn.scalar import MLP, Layer, Neuron
from nn.torch_bridge import from_torch
from nn.train import History, accuracy, evaluate, fit, plot_decision_boundary, predict

__all__ = [
    "ELU",
    "GELU",
    "MLP",
    "SGD",
    "Adam",
    "BatchNorm1d",
    "Dropout",
    "Flatten",
    "History",
    "Layer",
    "LayerNorm",
    "LeakyReLU",
    "Linear",
    "LoadResult",
    "Module",
    "Neuron",
    "ReLU",
    "Sequential",
    "SiLU",
    "Sigmoid",
    "Softmax",
    "Softplus",
    "StateDictError",
    "Tanh",
    "accuracy",
    "batches",
    "binary_cross_entropy",
    "binary_cross_entropy_with_logits",
    "cross_entropy",
    "evaluate",
    "fit",
    "from_torch",
    "hinge_loss",
    "load_digits",
    "load_mnist",
    "make_moons",
    "make_regression",
    "mse_loss",
    "nll_loss",
    "one_hot",
    "optim",
    "plot_decision_boundary",
    "predict",
    "spiral",
]
