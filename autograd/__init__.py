"""graphgrad's engine: reverse-mode automatic differentiation with the graph on show.

>>> from autograd import Value
>>> x = Value(3.0)
>>> (x * x).backward()
>>> x.grad
6.0
"""

from autograd.check import GradcheckError, gradcheck
from autograd.graph import is_grad_enabled, no_grad
from autograd.value import Value

__all__ = ["GradcheckError", "Value", "gradcheck", "is_grad_enabled", "no_grad"]
