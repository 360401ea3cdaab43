"""Numerical edge cases that cross modules: nan and inf through every activation, on Value and
Tensor alike, as torch; and a network with a nan weight, which answers nan and which anomaly mode
names.

The edge cases of one module live with it: huge inputs (+-1e4), float32, the kinks and ties of the
elementwise ops in test_tensor.py and test_value.py, of the reductions (max/min ties, nan, empty
axes, the softmax family) in test_tensor_reduce.py, of cross_entropy in test_nn_losses.py.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest
import torch
from helpers import same_floats

from autograd import Tensor, Value

# --- huge inputs, float64 and float32 ------------------------------------------------------------


# --- kinks and ties ------------------------------------------------------------------------------


# --- nan (and inf) through every activation and reduction, as torch ----------------------------

NONFINITE = [math.nan, math.inf, -math.inf, 0.0, -2.0, 3.0]
F = torch.nn.functional
TORCH_ACTIVATIONS: dict[str, Callable[[Any], Any]] = {
    "relu": torch.relu,
    "abs": torch.abs,
    "tanh": torch.tanh,
    "sigmoid": torch.sigmoid,
    "exp": torch.exp,
    "sin": torch.sin,
    "cos": torch.cos,
    "erf": torch.erf,
    "leaky_relu": lambda x: F.leaky_relu(x, 0.01),
    "elu": F.elu,
    "gelu": F.gelu,
    "silu": F.silu,
    "softplus": F.softplus,
}


@pytest.mark.parametrize("name", sorted(TORCH_ACTIVATIONS))
def test_activations_at_nan_and_inf_as_torch(name: str) -> None:
    """Value and Tensor give torch's value and gradient at nan, +-inf and ordinary points: a nan
    weight gives a nan output (Value(nan).relu() is nan, not 0.0), which anomaly mode then catches."""
    for x in NONFINITE:
        xt = torch.tensor(x, dtype=torch.float64, requires_grad=True)
        yt = TORCH_ACTIVATIONS[name](xt)
        yt.backward()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # numpy's overflow and invalid-value warnings
            v = Value(x)
            y = getattr(v, name)()
            y.backward()
            t = Tensor(np.array([x]), requires_grad=True)
            out = getattr(t, name)()
            out.sum().backward()
        where = f"{name}({x})"
        assert same_floats(y.data, yt.item()) and same_floats(out.data, [yt.item()]), f"value of {where}"
        assert same_floats(v.grad, xt.grad.item()) and same_floats(t.grad, [xt.grad.item()]), (
            f"gradient of {where}"
        )


def test_a_network_with_a_nan_weight_answers_nan_and_anomaly_mode_names_it() -> None:
    """nn.MLP's ReLU neurons (one fused node each) let nan through as torch.relu does, instead of
    answering a finite 0.0 that hides it."""
    import nn
    from autograd import detect_anomaly

    model = nn.MLP(2, [3, 1], seed=0)
    model.parameters()[0].data = math.nan
    assert math.isnan(model([1.0, 2.0]).data)
    assert math.isnan(nn.MLP.predict(model, np.array([[1.0, 2.0]]))[0])
    with pytest.raises(FloatingPointError, match=r"op 'relu\(w·x\+b\)' gave nan"), detect_anomaly():
        model([1.0, 2.0])
