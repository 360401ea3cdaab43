"""Value: a scalar node holding a Python float, each op with its local derivative beside it.

The arithmetic ops (``+ - * / **``) are written here; the functions (``exp``, ``tanh``, ``relu``
...) take their forward and their rule from ``autograd.elementwise``, the table Tensor uses too.

>>> from autograd import Value
>>> a, b = Value(0.5, label="a"), Value(-1.5, label="b")
>>> c = (a * b + a).tanh()
>>> c.backward()
>>> round(a.grad, 6), round(b.grad, 6)
(-0.470007, 0.470007)

Conventions (as in PyTorch): relu'(0) = 0 and |x|'(0) = 0; leaky_relu'(0) is the negative slope
and elu'(0) is alpha (the left-hand derivative); ``log`` of 0 is ``-inf`` and of a negative number
``nan`` (with a RuntimeWarning); division by zero gives ``inf`` or ``nan`` instead of raising;
``exp`` overflows to ``inf``; ``tanh`` and ``sigmoid`` saturate with gradient 0; ``softplus(x)``
is ``x`` itself above 20 (torch's threshold), with gradient 1 there.
"""

from __future__ import annotations

import numbers
from typing import Any, Union

import numpy as np

from autograd.elementwise import (
    ABS,
    COS,
    ELU,
    ERF,
    EXP,
    GELU,
    LEAKY_RELU,
    LOG,
    NEG,
    RELU,
    SIGMOID,
    SIN,
    SOFTPLUS,
    TANH,
    divide,
    fdiv,
    fpow,
    node_method,
)
from autograd.graph import Node, pass_through, rules_to_record, switches_on

Number = Union[int, float, numbers.Real]
Operand = Union["Value", int, float, numbers.Real]


def _pow(x: Any, n: Any) -> Any:
    return x**n if isinstance(x, Value) else fpow(x, n)


def _pow_number(x: Any, n: Any) -> Any:
    """``x ** n`` for a constant exponent, which under create_graph arrives as a Value."""
    if isinstance(x, Value):  # raise to the plain number: a Value exponent needs a positive base
        return x ** (n.data if isinstance(n, Value) else n)
    return fpow(x, n)


_allocate = object.__new__


def _result(data: float, inputs: tuple[Value, ...], vjps: Any, op: str) -> Value:
    """Make the Value an op returns: Value's fast version of ``graph.record``.

    It records ``inputs`` and their rules ``vjps`` unless the thread is inside ``no_grad``.
    (Written out by hand rather than through ``Value.__init__``: this is the hottest code we have.)
    While no switch is on anywhere (no ``no_grad`` block, no node hook) it records at once;
    otherwise ``graph.rules_to_record`` decides, and may hand back other rules.
    """
    node = _allocate(Value)
    node.data = data
    node.grad = 0.0
    node.label = ""
    node._op = op
    if inputs and (not switches_on[0] or (vjps := rules_to_record(node, inputs, vjps, op)) is not None):
        if len(inputs) == 2:  # the inputs' slots: see graph.Node
            node._a, node._b = inputs
        else:
            node._a = inputs[0] if len(inputs) == 1 else inputs
            node._b = None
        node._vjps = vjps
    else:
        node._a = node._b = None
        node._vjps = ()
    return node


def number_parameter(x: Any, op: str, name: str) -> float:
    """An op's number parameter (a slope, an alpha, ddof) as a float; a node there is an error
    naming it: it is a constant of the op, not differentiated (as in torch, which takes floats)."""
    if isinstance(x, (Node, bool, np.bool_)) or not isinstance(x, numbers.Real):
        raise TypeError(
            f"{op}: {name} must be a plain number, got {type(x).__name__}; it is a constant of the op, "
            "not differentiated (torch takes a float too): pass a number (v.data, t.item())"
        )
    return float(x)


def _parameter(x: Any, op: str, name: str) -> Value:
    """An op's number parameter as a constant Value input, with no gradient."""
    return _result(number_parameter(x, f"Value.{op}", name), (), (), "")


def _lift(x: Any, op: str) -> Value:
    """Turn a real number (int, float, bool, numpy scalar) into a constant Value."""
    if isinstance(x, Value):
        return x
    if type(x) is float or isinstance(x, numbers.Real):  # (the ABC check is slow: floats skip it)
        return _result(float(x), (), (), "")
    raise TypeError(
        f"Value.{op}: cannot combine a Value with {type(x).__name__} {x!r}; "
        "use a real number or a Value (and Tensor for arrays)"
    )


class Value(Node):
    """A scalar node of the graph: ``data`` is a Python float, ``grad`` its gradient.

    Each op below is its forward computation plus its local-derivative rules (just above it, or
    the ``autograd.elementwise`` table's): one ``rule(g, out, *inputs)`` per input, giving that
    input's share of the gradient ``g``.

    >>> x = Value(2.0, label="x")
    >>> y = x**3
    >>> y.backward()
    >>> x
    Value(data=2.0, grad=12.0, label='x')
    """

    __slots__ = ()
    __array_ufunc__ = None  # numpy scalars defer to Value's reflected operators

    def __init__(self, data: Number, label: str = "") -> None:
        if isinstance(data, Value):
            data = data.data
        elif not isinstance(data, numbers.Real):
            hint = "; one Value holds one number, use Tensor for arrays" if hasattr(data, "__len__") else ""
            raise TypeError(f"Value: data must be a real number, got {type(data).__name__} {data!r}{hint}")
        if not isinstance(label, str):
            raise TypeError(f"Value: label must be a str, got {type(label).__name__}")
        self.data = float(data)
        self.grad = 0.0
        self.label = label
        self._a = self._b = None
        self._vjps = ()
        self._op = ""

    def __repr__(self) -> str:
        label = f", label={self.label!r}" if self.label else ""
        return f"Value(data={self.data!r}, grad={self.grad!r}{label})"

    # --- arithmetic -------------------------------------------------------------------------

    _ADD = (pass_through, pass_through)

    def __add__(self, other: Operand) -> Value:
        other = other if type(other) is Value else _lift(other, "__add__")
        return _result(self.data + other.data, (self, other), self._ADD, "+")

    def __radd__(self, other: Operand) -> Value:
        return _lift(other, "__radd__") + self

    _SUB = (pass_through, lambda g, out, a, b: -g)

    def __sub__(self, other: Operand) -> Value:
        other = other if type(other) is Value else _lift(other, "__sub__")
        return _result(self.data - other.data, (self, other), self._SUB, "-")

    def __rsub__(self, other: Operand) -> Value:
        return _lift(other, "__rsub__") - self

    _MUL = (lambda g, out, a, b: g * b, lambda g, out, a, b: g * a)

    def __mul__(self, other: Operand) -> Value:
        other = other if type(other) is Value else _lift(other, "__mul__")
        return _result(self.data * other.data, (self, other), self._MUL, "*")

    def __rmul__(self, other: Operand) -> Value:
        return _lift(other, "__rmul__") * self

    # d(a/b)/db = -a / b**2, taken as -(a/b) / b: b * b would underflow long before the result does
    _DIV = (lambda g, out, a, b: divide(g, b), lambda g, out, a, b: -g * divide(out, b))

    def __truediv__(self, other: Operand) -> Value:
        other = other if type(other) is Value else _lift(other, "__truediv__")
        return _result(fdiv(self.data, other.data), (self, other), self._DIV, "/")

    def __rtruediv__(self, other: Operand) -> Value:
        return _lift(other, "__rtruediv__") / self

    __neg__ = node_method(NEG, _result, on_floats=True)

    # A number exponent is a constant input whose rule is None: it gets no gradient.
    _POW_NUMBER = (lambda g, out, a, n: g * n * _pow_number(a, n - 1), None)
    _POW_ZERO = (lambda g, out, a, n: 0.0, None)  # x ** 0 is constant: not 0 * x ** -1 (nan at 0)
    _POW_VALUE = (lambda g, out, a, b: g * b * _pow(a, b - 1), lambda g, out, a, b: g * out * LOG(a))

    def __pow__(self, exponent: Operand) -> Value:
        """``x ** n`` for a number ``n`` (any base), or ``x ** y`` for a Value ``y`` (base > 0)."""
        if isinstance(exponent, Value):
            if not self.data > 0:
                raise ValueError(
                    f"Value.__pow__: a Value exponent needs a positive base, got base {self.data}; "
                    "raise to a plain number instead, or keep the base positive"
                )
            return _result(fpow(self.data, exponent.data), (self, exponent), self._POW_VALUE, "**")
        n = _lift(exponent, "__pow__")
        rules = self._POW_NUMBER if n.data != 0.0 else self._POW_ZERO
        return _result(fpow(self.data, n.data), (self, n), rules, f"**{n.data:g}")

    def __rpow__(self, base: Operand) -> Value:
        return _lift(base, "__rpow__") ** self

    # --- functions: their forward and rule are the table's, in autograd.elementwise ----------

    exp = node_method(EXP, _result, on_floats=True)

    log = node_method(LOG, _result, on_floats=True)

    tanh = node_method(TANH, _result, on_floats=True)

    sigmoid = node_method(SIGMOID, _result, on_floats=True)

    relu = node_method(RELU, _result, on_floats=True)

    abs = node_method(ABS, _result, on_floats=True)

    __abs__ = abs

    sin = node_method(SIN, _result, on_floats=True)

    cos = node_method(COS, _result, on_floats=True)

    erf = node_method(ERF, _result, on_floats=True)

    # The slope and alpha are constant inputs whose rule is None (as a number exponent is).
    _LEAKY_RELU = (LEAKY_RELU.rule, None)

    def leaky_relu(self, negative_slope: float = 0.01) -> Value:
        """x above 0, ``negative_slope * x`` below; the derivative at 0 is the slope, as torch."""
        slope = _parameter(negative_slope, "leaky_relu", "negative_slope")
        data = LEAKY_RELU.on_float(self.data, slope.data)
        return _result(data, (self, slope), self._LEAKY_RELU, "leaky_relu")

    _ELU = (ELU.rule, None)

    def elu(self, alpha: float = 1.0) -> Value:
        """x above 0, ``alpha * (e**x - 1)`` below; the derivative at 0 is alpha, as torch.

        >>> y = Value(-1.0).elu()
        >>> y.backward()
        >>> round(y.data, 4), round(y._inputs[0].grad, 4)
        (-0.6321, 0.3679)
        """
        al = _parameter(alpha, "elu", "alpha")
        return _result(ELU.on_float(self.data, al.data), (self, al), self._ELU, "elu")

    gelu = node_method(GELU, _result, on_floats=True)

    def silu(self) -> Value:
        """``x * sigmoid(x)`` (also called swish): the product of two nodes."""
        return self * self.sigmoid()

    softplus = node_method(SOFTPLUS, _result, on_floats=True)

    # --- micrograd's field name, for code written for it (read-only) ------------------------

    @property
    def _prev(self) -> frozenset[Node]:
        """The inputs as a set, under micrograd's name (its lecture's ``trace``/``draw_dot`` read it)."""
        return frozenset(self.inputs)

    def __float__(self) -> float:
        return self.data

    # --- the backward pass: graph.Node.backward, with Value's seed and storage ---------------

    def _seed(self, grad: Any, create_graph: bool) -> Any:
        if grad is None:
            grad = 1.0
        if isinstance(grad, Value):
            seed: Any = grad if create_graph else grad.data
        elif isinstance(grad, numbers.Real):
            seed = Value(grad) if create_graph else float(grad)
        else:
            raise TypeError(f"Value.backward: grad must be a real number, got {type(grad).__name__} {grad!r}")
        if self._op and self._a is None:  # an op's result with no inputs recorded
            raise RuntimeError(
                f"Value.backward: this Value came out of the op {self._op!r} under no_grad(), so no graph "
                "was recorded and no gradient can reach its inputs; run the forward pass outside no_grad()"
            )
        return seed

    @staticmethod
    def _store_grads(grads: dict[Any, Any]) -> None:
        """Every node of the pass keeps its gradient (learners draw them)."""
        for node, g in grads.items():
            node.grad += g

    @staticmethod
    def _record(
        data: Any, inputs: tuple[Any, ...], rules: tuple[Any, ...], op: str, attrs: dict[str, Any] | None
    ) -> Value:
        if attrs:
            raise TypeError(f"record {op!r}: Values keep no attrs (op parameters); only Tensor nodes do")
        return _result(float(data), inputs, rules, op)

    def zero_grad(self) -> None:
        """Set this Value's gradient back to 0.0."""
        self.grad = 0.0
