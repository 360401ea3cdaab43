"""The elementwise functions, each written once: its forward on a float, its forward on an
ndarray, and its one local-derivative rule, side by side.

Value's and Tensor's methods (``exp``, ``tanh``, ``relu`` ...) are thin wrappers over this table,
so that both kinds of node differentiate each function by the same rule. A rule is
``rule(g, out, *inputs) -> the share of g for input 0`` and runs on four kinds of numbers: floats
(a Value's ordinary backward pass), ndarrays (a Tensor's), and Values or Tensors under
``create_graph=True`` (derivatives of any order). The rules are written with the engine's
operators, with the table's functions called directly (``EXP(a)``, ``COS(a)`` ...) and with
``divide``, ``where`` and ``zero_where``: each picks the version for what it is given, the IEEE-safe
float one (1/0 is inf, exp overflows to inf), numpy's, or the node's own op.

>>> TANH.on_float(0.5) == float(TANH.on_array(np.array(0.5)))
True
>>> TANH.rule(1.0, TANH.on_float(0.5), 0.5)  # d tanh / dx = 1 - tanh(x) ** 2
0.7864477329659274

Value's and Tensor's methods are made from the table, each with its entry's docstring:

>>> from autograd import Tensor, Value
>>> round(Value(0.0).softplus().data, 4), Value(50.0).softplus().data
(0.6931, 50.0)
>>> Tensor([-1.0, 0.0, 1.0]).gelu().data.round(4)
array([-0.1587,  0.    ,  0.8413])
>>> Value.gelu.__doc__ == Tensor.gelu.__doc__ == GELU.doc
True

Conventions (as in PyTorch): relu'(0) = 0 and nan passes relu's gradient on; |x|'(0) = 0 and
|x|'(nan) = 0; leaky_relu'(0) is the negative slope and elu'(0) is alpha (the left-hand
derivative, a constant: the second derivative there is 0); ``softplus(x)`` is ``x`` itself above
20 (torch's threshold), with gradient 1 there; ``tanh`` and ``sigmoid`` saturate with gradient 0.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Callable
from typing import Any

import numpy as np

from autograd.graph import Node, NodeKind, Rule, Rules

SQRT_HALF = math.sqrt(0.5)
TWO_OVER_SQRT_PI = 2.0 / math.sqrt(math.pi)
INV_SQRT_2PI = 1.0 / math.sqrt(2.0 * math.pi)
SOFTPLUS_THRESHOLD = 20.0
"""Above it ``softplus(x)`` is ``x`` itself (as torch's default ``threshold=20``)."""


# --- float arithmetic that never raises: the IEEE results (inf, nan) that PyTorch gives ---------


def _ieee(op: Any, a: float, b: float) -> float:
    with np.errstate(all="ignore"):
        return float(op(a, b))


def fdiv(a: float, b: float) -> float:
    """``a / b`` for floats, inf or nan where Python raises.

    >>> fdiv(1.0, 0.0), fdiv(-1.0, 0.0)
    (inf, -inf)
    """
    try:
        return a / b
    except ZeroDivisionError:
        return _ieee(np.divide, a, b)


def fpow(a: float, b: float) -> float:
    """``a ** b`` for floats: 0 ** -1 is inf, (-8) ** (1/3) nan and 10 ** 400 inf, as numpy.

    >>> fpow(0.0, -1.0), fpow(10.0, 400.0)
    (inf, inf)
    """
    try:
        r = a**b
        if type(r) is float:
            return r
    except (ZeroDivisionError, OverflowError):
        pass
    return _ieee(np.power, a, b)


def fexp(x: float) -> float:
    """e ** x for a float, overflowing to inf rather than raising.

    >>> fexp(1000.0)
    inf
    """
    try:
        return math.exp(x)
    except OverflowError:
        return math.inf


def flog(x: float) -> float:
    """The natural log of a float: -inf at 0 and nan below 0, with Value.log's RuntimeWarning.

    >>> flog(1.0)
    0.0
    """
    if x > 0.0:
        return math.log(x)
    if x == 0.0:
        warnings.warn("Value.log: log of 0 gives -inf", RuntimeWarning, stacklevel=3)
        return -math.inf
    if x < 0.0:
        warnings.warn(f"Value.log: log of the negative number {x} gives nan", RuntimeWarning, stacklevel=3)
    return math.nan


def _nan_off_domain(f: Callable[[float], float]) -> Callable[[float], float]:
    """``f`` giving nan where ``math`` raises: sin(inf) and cos(inf) are nan, as numpy and torch give."""

    def total(x: float) -> float:
        try:
            return f(x)
        except ValueError:
            return math.nan

    return total


fsin, fcos = _nan_off_domain(math.sin), _nan_off_domain(math.cos)


def stable_sigmoid(x: float) -> float:
    """1 / (1 + e ** -x) for a float, without overflow for any x.

    >>> stable_sigmoid(0.0), stable_sigmoid(-1000.0)
    (0.5, 0.0)
    """
    if x >= 0.0:
        return 1.0 / (1.0 + math.exp(-x))
    e = math.exp(x)
    return e / (1.0 + e)


# --- the same on ndarrays, where numpy has no such function or needs care ----------------------

_erf_each = np.frompyfunc(math.erf, 1, 1)


def np_erf(x: np.ndarray) -> np.ndarray:
    """The error function of every entry (Python's math.erf: numpy has none), in x's dtype.

    >>> np_erf(np.array([0.0, 10.0]))
    array([0., 1.])
    """
    return np.asarray(_erf_each(x), dtype=x.dtype)


def np_sigmoid(x: np.ndarray) -> np.ndarray:
    """1 / (1 + e ** -x) of every entry without overflow, in x's dtype.

    >>> np_sigmoid(np.array([-1000.0, 0.0]))
    array([0. , 0.5])
    """
    e = np.exp(-np.abs(x))
    return np.where(x >= 0, 1 / (1 + e), e / (1 + e)).astype(x.dtype, copy=False)


def _warn_log(x: np.ndarray) -> None:
    """Tensor.log's warning, naming the op, where numpy's own would come: how many entries were 0
    (numpy's ``divide`` setting) or negative (``invalid``). ``np.errstate`` applies as to numpy's
    warning: "ignore" silences it (anomaly mode does), "raise" makes it a FloatingPointError."""
    settings = np.geterr()
    parts, modes = [], []
    zeros = int(np.count_nonzero(x == 0))
    if zeros and settings["divide"] != "ignore":
        parts.append(f"log of 0 gives -inf ({zeros} of {x.size} entries)")
        modes.append(settings["divide"])
    negatives = x[x < 0]
    if negatives.size and settings["invalid"] != "ignore":
        parts.append(
            f"log of a negative number gives nan ({negatives.size} of {x.size} entries, "
            f"the first {negatives.reshape(-1)[0]})"
        )
        modes.append(settings["invalid"])
    if not parts:
        return
    message = "Tensor.log: " + "; ".join(parts)
    if "raise" in modes:
        raise FloatingPointError(message)
    warnings.warn(message, RuntimeWarning, stacklevel=4)  # (the user's line, above Tensor.log)


def np_log(x: np.ndarray) -> np.ndarray:
    """The natural log of every entry: -inf at 0 and nan below 0, with a warning naming Tensor.log.

    >>> np_log(np.array([1.0, np.e]))
    array([0., 1.])
    """
    with np.errstate(divide="ignore", invalid="ignore"):
        data = np.log(x)
    if np.any(x <= 0):
        _warn_log(x)
    return data


# --- the helpers the rules use, besides the table's functions themselves ------------------------


def divide(a: Any, b: Any) -> Any:
    """``a / b``; of two numbers the IEEE result (1/0 is inf) rather than an error (rules use it).

    >>> divide(1.0, 0.0), divide(np.ones(2), 2.0)
    (inf, array([0.5, 0.5]))
    """
    if isinstance(a, (Node, np.ndarray)) or isinstance(b, (Node, np.ndarray)):
        return a / b
    return fdiv(a, b)


def zero_where(condition: Any, g: Any) -> Any:
    """``g``, but 0 where ``condition`` holds: for a bool (a Value's comparison), 0.0 or ``g``; for
    a boolean array (a Tensor's), ``g`` times the mask's negation, which costs less than
    ``np.where`` (so an inf or nan in ``g`` gives nan there, as any product does). Rules use it.

    >>> zero_where(True, 5.0), zero_where(np.array([True, False]), np.array([5.0, 5.0]))
    (0.0, array([0., 5.]))
    """
    if type(condition) is bool:
        return 0.0 if condition else g
    return g * ~condition


def where(condition: Any, x: Any, y: Any) -> Any:
    """``x`` where ``condition`` holds, else ``y``: for the bool a Value's comparison gives, one
    of the two; for the boolean array a Tensor's gives, ``np.where`` (rules use it).

    >>> where(True, 1.0, 0.0), where(np.array([True, False]), 1.0, 0.0)
    (1.0, array([1., 0.]))
    """
    if type(condition) is bool:
        return x if condition else y
    return np.where(condition, x, y)


# --- the table ----------------------------------------------------------------------------------


class Elementwise:
    """One elementwise function: ``on_float(x, *params)``, ``on_array(x, *params)`` and its local
    derivative ``rule(g, out, x, *params)`` (``params``: the op's number parameters, such as
    leaky_relu's slope). ``rules`` is the one-input rule tuple a node records; ``doc`` the
    docstring of the Value and Tensor methods made from it (``Value.exp``, ``Tensor.exp`` ...).

    Called, it is the function of whatever it is given, as the rules need: of a float (the
    IEEE-safe ``on_float``), of a node (its method of the same name: an op, so that
    ``create_graph`` differentiates it again), or of anything else (``on_array``).

    >>> EXP(0.0), EXP(np.zeros(2)), EXP(1000.0)
    (1.0, array([1., 1.]), inf)
    """

    __slots__ = ("name", "on_float", "on_array", "rule", "rules", "doc")

    def __init__(
        self, name: str, on_float: Callable[..., Any], on_array: Callable[..., Any], rule: Rule, doc: str = ""
    ) -> None:
        self.name, self.on_float, self.on_array, self.rule = name, on_float, on_array, rule
        self.rules = (rule,)
        self.doc = doc

    def __call__(self, x: Any, *params: Any) -> Any:
        if type(x) is float:
            return self.on_float(x, *params)
        if isinstance(x, Node):
            return getattr(x, self.name)(*params)
        return self.on_array(x, *params)

    def __repr__(self) -> str:
        return f"Elementwise({self.name!r})"


def node_method(
    f: Elementwise, make: Callable[[Any, tuple[NodeKind, ...], Rules, str], NodeKind], on_floats: bool
) -> Callable[[NodeKind], NodeKind]:
    """The method of a node kind computing ``f`` (``Value.exp = node_method(EXP, ...)``): it makes
    its node with ``make`` (the kind's fast ``record``) from ``f.on_float`` (``on_floats``: Value)
    or ``f.on_array`` (Tensor) of the data, recording ``f.rules``; the docstring is ``f.doc``. The
    rules are read at each call, so a test may swap them for wrong ones and see them caught.

    >>> from autograd import Value
    >>> Value.tanh.__doc__ == TANH.doc, Value(0.0).tanh().op
    (True, 'tanh')
    """

    forward, name = (f.on_float if on_floats else f.on_array), f.name  # (chosen once: a hot path)

    def method(self: NodeKind) -> NodeKind:
        return make(forward(self.data), (self,), f.rules, name)

    method.__name__, method.__doc__ = name, f.doc
    return method


NEG = Elementwise("neg", lambda x: -x, np.negative, lambda g, out, a: -g, doc="-x.")

EXP = Elementwise(  # e**x is its own derivative
    "exp", fexp, np.exp, lambda g, out, a: g * out,
    doc="e ** x; overflows to inf rather than raising (a Tensor with numpy's warning).",
)

LOG = Elementwise(
    "log", flog, np_log, lambda g, out, a: divide(g, a),
    doc="Natural log: -inf at 0 and nan below 0, with a RuntimeWarning naming the op (as numpy and torch).",
)

# tanh' = 1 - tanh**2 and sigmoid' = sigmoid (1 - sigmoid), read off the output; the rules take
# any inputs after it, so that a fused node (nn's neuron) can use them as they are
TANH = Elementwise(
    "tanh", math.tanh, np.tanh, lambda g, out, *inputs: g * (1 - out * out),
    doc="Hyperbolic tangent; saturates at +-1 with gradient 0.",
)

SIGMOID = Elementwise(
    "sigmoid", stable_sigmoid, np_sigmoid, lambda g, out, *inputs: g * out * (1 - out),
    doc="1 / (1 + e ** -x), computed without overflow for any x.",
)

RELU = Elementwise(
    "relu",
    lambda x: 0.0 if x <= 0.0 else x,  # nan is not <= 0: it stays nan, as torch
    lambda x: np.maximum(x, 0),
    lambda g, out, a: zero_where(a <= 0, g),  # relu'(0) = 0; nan passes the gradient on
    doc="max(x, 0); its derivative at 0 is 0, as torch.relu. nan stays nan (and passes the gradient "
    "on), as in torch: a network with a nan weight does not answer a finite 0.0.",
)

ABS = Elementwise(  # |x|' is -1 below 0 and 1 above; 0 at 0 and at nan (neither above nor below 0)
    "abs", abs, np.abs, lambda g, out, a: zero_where((a > 0) == (a < 0), where(a < 0, -g, g)),
    doc="|x|; its derivative at 0 is 0, and at nan 0 too, as torch.abs.",
)

SIN: Elementwise = Elementwise(
    "sin", fsin, np.sin, lambda g, out, a: g * COS(a), doc="Sine (of radians); nan at +-inf, as torch."
)

COS: Elementwise = Elementwise(
    "cos", fcos, np.cos, lambda g, out, a: -g * SIN(a), doc="Cosine (of radians); nan at +-inf, as torch."
)

ERF = Elementwise(
    "erf", math.erf, np_erf, lambda g, out, a: g * TWO_OVER_SQRT_PI * EXP(-(a * a)),
    doc="The error function 2/sqrt(pi) * integral of e**(-t*t) from 0 to x (gelu is built on it).",
)

GELU = Elementwise(  # x Phi(x), Phi the normal CDF in its erf form; the derivative Phi(x) + x phi(x)
    "gelu",
    lambda x: 0.5 * x * (1.0 + math.erf(x * SQRT_HALF)),
    lambda x: 0.5 * x * (1 + np_erf(x * SQRT_HALF)),
    lambda g, out, a: g * (0.5 * (1 + ERF(a * SQRT_HALF)) + a * INV_SQRT_2PI * EXP(-0.5 * a * a)),
    doc="``x * Phi(x)`` with Phi the normal CDF, in its exact erf form (torch's default).",
)


def _softplus_array(x: np.ndarray) -> np.ndarray:
    above = x > SOFTPLUS_THRESHOLD
    return np.where(above, x, np.log1p(np.exp(np.where(above, 0, x)))).astype(x.dtype, copy=False)


SOFTPLUS = Elementwise(  # log(1 + e**x), x itself above the threshold; the derivative sigmoid(x)
    "softplus",
    lambda x: x if x > SOFTPLUS_THRESHOLD else math.log1p(fexp(x)),
    _softplus_array,
    lambda g, out, a: where(a > SOFTPLUS_THRESHOLD, g, g * SIGMOID(a)),
    doc="log(1 + e**x) without overflow: x itself above 20 (as torch), where the gradient is 1.",
)

# leaky_relu and elu take a number parameter (no gradient): their methods, written out in value.py
# and tensor.py, pass it on as a constant input (Value) or an attr (Tensor)

LEAKY_RELU = Elementwise(
    "leaky_relu",
    lambda x, slope: x if x > 0.0 else x * slope,
    lambda x, slope: np.where(x > 0, x, x * slope).astype(x.dtype, copy=False),
    lambda g, out, a, slope: where(a > 0, g, g * slope),  # the slope at 0
)

ELU = Elementwise(  # alpha (e**x - 1) below 0; the exponent is never above 0, so e**x never overflows
    "elu",
    lambda x, alpha: x if x > 0.0 else alpha * math.expm1(x),
    lambda x, alpha: np.where(x > 0, x, alpha * np.expm1(np.minimum(x, 0))).astype(x.dtype, copy=False),
    # alpha e**x below 0; at 0 the constant alpha (the second derivative there is 0, as torch); 1 above
    lambda g, out, a, alpha: where(a <= 0, g * alpha * EXP(where(a < 0, a, 0.0)), g),
)

TABLE: dict[str, Elementwise] = {
    f.name: f
    for f in (NEG, EXP, LOG, TANH, SIGMOID, RELU, ABS, SIN, COS, ERF, GELU, SOFTPLUS, LEAKY_RELU, ELU)
}
"""Every elementwise function by its op name: the methods of Value and Tensor that share them."""
