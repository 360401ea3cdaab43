"""graphgrad's engine: reverse-mode automatic differentiation with the graph on show.

>>> from autograd import Value
>>> x = Value(3.0)
>>> (x * x).backward()
>>> x.grad
6.0
"""

from autograd import numpy_api  # noqa: F401  (it registers Tensor's numpy protocol)
from autograd.anomaly import detect_anomaly, is_anomaly_enabled
from autograd.check import GradcheckError, gradcheck
from autograd.drawing import backward_steps, draw, explore, to_dot
from autograd.functional import grad, hessian, hvp, jacobian, value_and_grad
from autograd.graph import gradients, is_grad_enabled, no_grad, record
from autograd.onnx_export import export_onnx
from autograd.tensor import Tensor, concatenate, stack, where
from autograd.value import Value

__all__ = [
    "GradcheckError",
    "Tensor",
    "Value",
    "backward_steps",
    "concatenate",
    "detect_anomaly",
    "draw",
    "explore",
    "export_onnx",
    "grad",
    "gradcheck",
    "gradients",
    "hessian",
    "hvp",
    "is_anomaly_enabled",
    "is_grad_enabled",
    "jacobian",
    "no_grad",
    "record",
    "stack",
    "to_dot",
    "value_and_grad",
    "where",
]
