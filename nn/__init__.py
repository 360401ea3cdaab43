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
from nn.layers import Dropout, Flatten, Linear, ReLU, Sequential, Sigmoid, Softmax, Tanh
from nn.losses import binary_cross_entropy, cross_entropy, hinge_loss, mse_loss
from nn.module import LoadResult, Module, StateDictError
from nn.optim import SGD, Adam
from nn.scalar import MLP, Layer, Neuron
from nn.torch_bridge import from_torch
from nn.train import History, accuracy, evaluate, fit, plot_decision_boundary, predict

__all__ = [
    "MLP",
    "SGD",
    "Adam",
    "Dropout",
    "Flatten",
    "History",
    "Layer",
    "Linear",
    "LoadResult",
    "Module",
    "Neuron",
    "ReLU",
    "Sequential",
    "Sigmoid",
    "Softmax",
    "StateDictError",
    "Tanh",
    "accuracy",
    "batches",
    "binary_cross_entropy",
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
    "optim",
    "plot_decision_boundary",
    "predict",
    "spiral",
]
