"""Neural-network helpers built on graphgrad's ``autograd`` engine."""

from nn.data import (
    batches,
    load_digits,
    load_mnist,
    make_moons,
    make_regression,
    spiral,
)

__all__ = [
    "batches",
    "load_digits",
    "load_mnist",
    "make_moons",
    "make_regression",
    "spiral",
]
