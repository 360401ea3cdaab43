"""Tensor: the ndarray node, each op with its local-derivative rules beside it.

>>> import numpy as np
>>> from autograd import Tensor
>>> W = Tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True, label="W")
>>> x = Tensor([1.0, -1.0])
>>> loss = (W @ x).relu().sum()
>>> loss.backward()
>>> W.grad
array([[0., 0.],
       [0., 0.]])
>>> (W @ -x).relu().sum().backward()
>>> W.grad
array([[-1.,  1.],
       [-1.,  1.]])

A Tensor shares ``graph.py`` with Value: one topological order, one backward pass, ``no_grad``
and ``create_graph``; and ``elementwise.py``: one forward and one rule for each elementwise
function (exp, tanh, relu ...). The shape helpers its ops use (axes, broadcasting, indices) are
in ``shapes.py``. Gradients are kept (as PyTorch does) only on leaves created with
``requires_grad=True`` and on nodes that called ``retain_grad()``; ops on tensors that need no
gradient build no graph at all.

Conventions, all as in PyTorch unless said otherwise:

- dtype: float16, float32 and float64 data keep their dtype; Python numbers, bools and integer
  arrays become float64. Numbers and numpy scalars mixed into an op take the tensor's dtype (so
  ``t32 * 0.5`` stays float32); float arrays follow numpy's promotion. Gradients have the dtype of
  their tensor. Object, string and complex data are rejected with a TypeError.
- ``Tensor(a)`` wraps a float ndarray ``a`` without copying it (like ``np.asarray`` or
  ``torch.from_numpy``): an in-place update of ``t.data`` shows in ``a``. Pass ``a.copy()`` to keep
  them apart. Don't change ``.data`` of a tensor in place between its forward and backward pass.
- relu'(0) = 0, |x|'(0) = 0, sqrt'(0) = inf; ``clip(lo, hi)`` passes the gradient where
  ``lo <= x <= hi`` (bounds included, as torch.clamp); ``maximum``/``minimum`` give each side half
  the gradient where they tie, and ``max``/``min`` reductions split it evenly among tied entries
  (as torch.amax); ``x ** 0`` has derivative 0 everywhere, also at x = 0.
- ``==`` is identity (tensors are dict keys in the backward pass); ``<``, ``>`` and the other
  comparisons compare data and return boolean ndarrays (they have no gradient).
- numpy: ``np.asarray(t)`` gives the data; ``np.exp(t)``, ``np.maximum(t, 0)``, ``np.sum(t)``,
  ``np.concatenate([t, u])``, ``array @ t`` and friends dispatch to the differentiable op; any other
  numpy function raises a TypeError naming the Tensor method to use: a numpy call never returns a
  result silently cut off from the graph.
"""

from __future__ import annotations

import math
import numbers
import operator
import warnings
from collections.abc import Callable, Iterator, Mapping, Sequence
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
    node_method,
)
from autograd.graph import Node, rules_to_record, switches_on
from autograd.shapes import (
    Axis,
    AxisError,
    broadcast_error,
    clashes,
    even_split,
    expand,
    kept_shape,
    matmul_error,
    normalize_axes,
    normalize_axis,
    normalize_index,
    pad_pairs,
    scatter,
    size_differences,
    unbroadcast,
    with_kept_axes,
)
from autograd.value import number_parameter

Operand = Union["Tensor", float, int, np.ndarray, Sequence[Any]]

_allocate = object.__new__
_ndarray = np.ndarray

_KIND_NAMES = {
    "c": "complex",
    "O": "object",
    "U": "string",
    "S": "bytes",
    "V": "structured (void)",
    "M": "datetime",
    "m": "timedelta",
}


def _check_kind(arr: np.ndarray, where: str) -> None:
    """Reject data that is not real numbers (object, string, complex, ...) with a TypeError."""
    kind = arr.dtype.kind
    if kind not in "fiub":
        hint = ""
        if kind == "O":
            hint = " (ragged lists or Values? use equal-length lists of numbers, and stack() for Tensors)"
        elif kind == "c":
            hint = " (take .real or abs() first)"
        raise TypeError(
            f"{where}: cannot hold {_KIND_NAMES.get(kind, kind)} data (dtype {arr.dtype}); "
            f"a Tensor holds real floating-point numbers{hint}"
        )


def _float_array(data: Any, dtype: Any, where: str) -> np.ndarray:
    """``data`` as a float ndarray (no copy when it already is one); reject non-real data."""
    try:
        arr = np.asarray(data)
    except ValueError as e:
        raise ValueError(f"{where}: cannot make an array of {type(data).__name__} data: {e}") from None
    _check_kind(arr, where)
    if dtype is not None:
        target = np.dtype(dtype)
        if target.kind != "f":
            raise TypeError(
                f"{where}: dtype must be a floating dtype (float16, float32, float64), got {target}"
            )
        return arr if arr.dtype == target else arr.astype(target)
    return arr if arr.dtype.kind == "f" else arr.astype(np.float64)


def constant(data: np.ndarray) -> Tensor:
    """A Tensor that needs no gradient, made without the checks of ``Tensor.__init__``.

    >>> constant(np.array([1.0, 2.0])).requires_grad
    False
    """
    node = _allocate(Tensor)
    node.data = data
    node.grad = None
    node.label = ""
    node._op = ""
    node._attrs = None
    node._a = node._b = None
    node._vjps = ()
    node.requires_grad = False
    node._retain = False
    return node


def lift(x: Any, dtype: Any, op: str) -> Tensor:
    """Turn an operand that is not a Tensor into a constant Tensor.

    Numbers and numpy scalars, bool and integer data take ``dtype`` (the other operand's, so a
    float32 tensor stays float32); float arrays keep theirs (numpy's promotion then applies).
    ``op`` names the op in errors.

    >>> lift(2, np.float32, "mul").data.dtype
    dtype('float32')
    """
    if isinstance(x, Tensor):
        return x
    if isinstance(x, Node):
        raise TypeError(
            f"{op}: cannot combine a Tensor with a {type(x).__name__}; "
            "use Value with Values and Tensor with Tensors (Tensor(v.data) makes a constant)"
        )
    if isinstance(x, (numbers.Real, np.number, np.bool_)) and not isinstance(x, np.complexfloating):
        return constant(np.asarray(x, dtype=dtype if dtype is not None else np.float64))
    try:
        arr = np.asarray(x)
    except ValueError as e:
        raise ValueError(f"{op}: cannot make an array of {type(x).__name__}: {e}") from None
    _check_kind(arr, op)
    if arr.dtype.kind != "f":
        arr = arr.astype(dtype if dtype is not None else np.float64)
    return constant(arr)


def raw(x: Any) -> Any:
    """The data of a Tensor, anything else as it is (for masks, which have no derivative).

    >>> raw(Tensor([1.0])), raw(2.0)
    (array([1.]), 2.0)
    """
    return x.data if isinstance(x, Tensor) else x


def _result(
    data: Any, inputs: tuple[Tensor, ...], vjps: Any, op: str, attrs: dict[str, Any] | None = None
) -> Tensor:
    """Make the Tensor an op returns: Tensor's fast version of ``graph.record``.

    It records ``inputs`` and their rules only when grad mode is on and some input requires a
    gradient; the rule of an input that needs none is replaced by None, so the backward pass never
    computes a gradient nobody will use. Otherwise the result is a constant: no inputs, no graph.
    ``attrs`` are the op's parameters (``axis``, ``shape``, ...), kept for drawings and exporters.
    While no switch is on anywhere (no ``no_grad`` block, no node hook) grad mode is on in every
    thread; otherwise ``graph.rules_to_record`` decides, and may hand back other rules.
    """
    if type(data) is not _ndarray:
        data = np.asarray(data)  # numpy returns scalars for 0-d results
    node = _allocate(Tensor)
    node.data = data
    node.grad = None
    node.label = ""
    node._op = op
    node._attrs = attrs
    node._retain = False
    if not switches_on[0] or (vjps := rules_to_record(node, inputs, vjps, op)) is not None:
        n = len(inputs)
        if n == 1:
            a = inputs[0]
            if a.requires_grad:
                node._a, node._b = a, None
                node._vjps = vjps
                node.requires_grad = True
                return node
        elif n == 2:
            a, b = inputs
            need_a, need_b = a.requires_grad, b.requires_grad
            if need_a or need_b:
                node._a, node._b = a, b
                if need_a and need_b:
                    node._vjps = vjps
                else:
                    node._vjps = (vjps[0], None) if need_a else (None, vjps[1])
                node.requires_grad = True
                return node
        else:
            needs = [x.requires_grad for x in inputs]
            if any(needs):
                node._a, node._b = inputs, None
                node._vjps = (
                    vjps if all(needs) else tuple(v if need else None for v, need in zip(vjps, needs))
                )
                node.requires_grad = True
                return node
    node._a = node._b = None
    node._vjps = ()
    node.requires_grad = False
    return node


def _shift(x: np.ndarray, axis: int) -> np.ndarray:
    """The max of ``x`` along ``axis`` (kept as size 1), which softmax subtracts to stay finite;
    zeros over an empty axis, where there is no max and nothing to shift (the result is empty)."""
    if x.shape[axis] == 0:
        return np.zeros(kept_shape(x.shape, (axis,)), x.dtype)
    return x.max(axis=axis, keepdims=True)


def _product_of_others(x: Any, axes: tuple[int, ...]) -> Any:
    """For each entry of ``x``, the product of the other entries of its reduction over ``axes``.

    No division, so zeros are fine. On an ndarray: a running product from the left times one
    from the right; on a Tensor (create_graph), each entry's row with itself replaced by 1, as a
    prod of Tensors (so every order of derivative works, zeros included).
    """
    shape = x.shape
    kept = [i for i in range(len(shape)) if i not in axes]
    perm = kept + list(axes)
    moved = tuple(shape[i] for i in perm)
    n = math.prod(shape[i] for i in axes)
    rows = x.transpose(perm).reshape(tuple(shape[i] for i in kept) + (n,))
    others: Any
    if isinstance(rows, Tensor):
        others = where(np.eye(n, dtype=bool), 1, rows.unsqueeze(-2)).prod(axis=-1)
    else:
        ones = np.ones(rows.shape[:-1] + (1,), rows.dtype)
        left = np.cumprod(np.concatenate([ones, rows[..., :-1]], axis=-1), axis=-1)
        right = np.cumprod(np.concatenate([ones, rows[..., :0:-1]], axis=-1), axis=-1)[..., ::-1]
        others = left * right
    return others.reshape(moved).transpose(tuple(int(i) for i in np.argsort(perm)))


# --- the helpers of the binary ops and of the max/min family -------------------------------------


def _binary(
    x: Tensor,
    other: Any,
    compute: Callable[[Any, Any], Any],
    rules: Sequence[Any],
    name: str,
    symbol: str,
    reflected: bool = False,
    error: Callable[[str, str, Tensor, Tensor], ValueError] = broadcast_error,
    op: str | None = None,
) -> Tensor:
    """``x <symbol> other`` (``other <symbol> x`` when ``reflected``) for the broadcasting binary ops.

    ``other`` may be anything ``lift`` takes; ``compute`` is the numpy function, ``rules`` the two
    local-derivative rules; errors name the op ``name`` and show the shapes around ``symbol``;
    the node's op (its name in drawings) is ``op``, by default ``symbol``.
    """
    other = other if type(other) is Tensor else lift(other, x.data.dtype, name)
    a, b = (other, x) if reflected else (x, other)
    try:
        data = compute(a.data, b.data)
    except ValueError:
        raise error(name, symbol, a, b) from None
    return _result(data, (a, b), rules, op or symbol)


def _extremum_rules(loses: Callable[[Any, Any], Any]) -> tuple[Any, Any]:
    """The rules of ``maximum`` (``loses=np.less``) or ``minimum`` (``np.greater``).

    A side holds the result unless it loses to the other; on a tie both hold it, so each gets
    half the gradient; where either side is nan neither loses and both get all of it (as torch).
    """

    def share(g: Any, x: Any, y: Any, shape: tuple[int, ...]) -> Any:
        x, y = raw(x), raw(y)
        return unbroadcast(g * even_split(~loses(x, y), 1 + (x == y), g.dtype), shape)

    return (lambda g, out, a, b: share(g, a, b, a.shape), lambda g, out, a, b: share(g, b, a, b.shape))


def _masked(g: Any, where: Any, shape: tuple[int, ...]) -> Any:
    """The gradient where the mask ``where`` holds, summed back to ``shape``."""
    return unbroadcast(g * where, shape)


# clip's masks, as torch.clamp's: which of x, lo and hi gets the gradient at each entry
def _clip_inside(x: Any, lo: Any, hi: Any) -> Any:
    if hi is None:
        return x >= lo
    return x <= hi if lo is None else (x >= lo) & (x <= hi)


def _clip_below(x: Any, lo: Any, hi: Any) -> Any:
    return x < lo if hi is None else (x < lo) & (lo < hi)


def _clip_above(x: Any, lo: Any, hi: Any) -> Any:
    return x > hi if lo is None else (x > hi) | (hi < lo)


numpy_protocol: dict[str, Callable[..., Any]] = {}
"""Where numpy calls on Tensors go: ``"ufunc"`` and ``"function"`` name ``autograd.numpy_api``'s
``apply_ufunc`` and ``apply_function``, which that module registers here as it loads (it builds
on this module, so this one does not import it; ``autograd/__init__`` loads both)."""


class Tensor(Node):
    """A node of the graph holding an ndarray: ``data``, and ``grad`` once a backward pass set it.

    ``Tensor(data, requires_grad=False, dtype=None, label="")``: ``data`` is anything
    ``np.asarray`` takes (numbers, nested lists, arrays). Each op below is its forward
    computation plus its local-derivative rules (just above it, or the ``autograd.elementwise``
    table's, which Value uses too): one ``rule(g, out, *inputs)`` per input, giving that input's
    share of the gradient ``g``.

    >>> x = Tensor([1.0, 2.0, 3.0], requires_grad=True, label="x")
    >>> (x * x).sum().backward()
    >>> x
    Tensor([1., 2., 3.], shape=(3,), dtype=float64, requires_grad=True, label='x', grad=[2., 4., 6.])
    """

    __slots__ = ("requires_grad", "_retain", "_attrs")

    requires_grad: bool
    _retain: bool
    _attrs: dict[str, Any] | None  # the op's parameters (axis, shape, ...): see _result
    data: np.ndarray

    def __init__(self, data: Any, requires_grad: bool = False, dtype: Any = None, label: str = "") -> None:
        if type(data) is _ndarray and dtype is None and data.dtype.kind == "f":
            pass  # the common case, a float array: wrapped as it is
        elif isinstance(data, Tensor):
            data = data.data
        elif isinstance(data, (list, tuple)) and any(isinstance(x, Node) for x in data):
            raise TypeError(
                "Tensor: data is a list holding Tensors or Values; use stack([...]) to combine Tensors "
                "into one differentiable Tensor, or their .data to make a constant"
            )
        if requires_grad is not False and requires_grad is not True:
            if not isinstance(requires_grad, np.bool_):
                raise TypeError(f"Tensor: requires_grad must be True or False, got {requires_grad!r}")
            requires_grad = bool(requires_grad)
        if type(label) is not str and not isinstance(label, str):
            raise TypeError(f"Tensor: label must be a str, got {type(label).__name__}")
        self.data = (
            data
            if type(data) is _ndarray and dtype is None and data.dtype.kind == "f"
            else (_float_array(data, dtype, "Tensor"))
        )
        self.grad = None
        self.requires_grad = requires_grad
        self.label = label
        self._a = self._b = None
        self._vjps = ()
        self._op = ""
        self._attrs = None
        self._retain = False

    # --- attributes ------------------------------------------------------------------------

    @property
    def shape(self) -> tuple[int, ...]:
        return self.data.shape

    @property
    def ndim(self) -> int:
        return self.data.ndim

    @property
    def dtype(self) -> np.dtype[Any]:
        return self.data.dtype

    @property
    def size(self) -> int:
        return self.data.size

    @property
    def attrs(self) -> Mapping[str, Any]:
        """The op's parameters as recorded (``{"axis": 1, "keepdims": False}`` for a sum ...)."""
        return self._attrs or {}

    def __len__(self) -> int:
        if self.data.ndim == 0:
            raise TypeError("len() of a 0-d Tensor; it holds one number: use .item()")
        return len(self.data)

    def __iter__(self) -> Iterator[Tensor]:
        if self.data.ndim == 0:
            raise TypeError("iteration over a 0-d Tensor; it holds one number: use .item()")
        return (self[i] for i in range(len(self.data)))

    def item(self) -> float:
        """The single number a size-1 tensor holds, as a Python float."""
        if self.data.size != 1:
            raise ValueError(f"item: only a tensor with one element has an item; got shape {self.shape}")
        return float(self.data.item())

    def __float__(self) -> float:
        return self.item()

    def __bool__(self) -> bool:
        if self.data.size != 1:
            raise ValueError(
                f"the truth value of a Tensor of shape {self.shape} is ambiguous; "
                "compare .data, or use (t > 0).any() / .all()"
            )
        return bool(self.data.reshape(()))

    def numpy(self) -> np.ndarray:
        """The data (the array itself, not a copy)."""
        return self.data

    def detach(self) -> Tensor:
        """A new constant tensor on the same data, cut off from the graph on purpose."""
        return constant(self.data)

    def retain_grad(self) -> Tensor:
        """Keep this (non-leaf) tensor's gradient in ``.grad`` in later backward passes."""
        if not self.requires_grad:
            raise RuntimeError(
                "retain_grad: this tensor does not require grad (it was made from tensors that "
                "don't, or under no_grad), so no backward pass reaches it"
            )
        self._retain = True
        return self

    def zero_grad(self) -> None:
        """Forget the gradient: ``.grad`` becomes None (the next backward pass stores a fresh one)."""
        self.grad = None

    def __repr__(self) -> str:
        prefix = "Tensor("
        data = np.array2string(self.data, separator=", ", prefix=prefix, threshold=40, edgeitems=3)
        extra = ", requires_grad=True" if self.requires_grad else ""
        if self.label:
            extra += f", label={self.label!r}"
        if self.grad is None:
            grad = "None"
        elif isinstance(self.grad, Tensor):
            grad = "Tensor(...)"
        else:
            grad = np.array2string(
                np.asarray(self.grad), separator=", ", threshold=10, edgeitems=2, max_line_width=10**6
            ).replace("\n", "")
        return f"{prefix}{data}, shape={self.shape}, dtype={self.dtype}{extra}, grad={grad})"

    # --- numpy interop ------------------------------------------------------------------------

    def __array__(self, dtype: Any = None, copy: Any = None) -> np.ndarray:
        if dtype is None and not copy:
            return self.data
        return np.array(self.data, dtype=dtype, copy=True if copy is None else copy)

    def __array_ufunc__(self, ufunc: Any, method: str, *args: Any, **kwargs: Any) -> Any:
        """``np.exp(t)``, ``np.add(t, 1)`` ...: the differentiable op (see ``autograd.numpy_api``)."""
        return numpy_protocol["ufunc"](ufunc, method, args, kwargs)

    def __array_function__(self, func: Any, types: Any, args: Any, kwargs: Any) -> Any:
        """``np.sum(t)``, ``np.concatenate([t, u])`` ...: the differentiable op (see ``numpy_api``)."""
        return numpy_protocol["function"](func, args, kwargs)

    def __setitem__(self, index: Any, value: Any) -> None:
        raise TypeError(
            "Tensor does not support item assignment (an in-place change would corrupt the graph); "
            "build a new tensor with where() or concatenate(), or change .data outside any graph"
        )

    # --- arithmetic (broadcasting as numpy; unbroadcast undoes it in the rules) -----------------

    _ADD = (lambda g, out, a, b: unbroadcast(g, a.shape), lambda g, out, a, b: unbroadcast(g, b.shape))

    def __add__(self, other: Operand) -> Tensor:
        return _binary(self, other, operator.add, self._ADD, "add", "+")

    def __radd__(self, other: Operand) -> Tensor:
        return _binary(self, other, operator.add, self._ADD, "add", "+", reflected=True)

    _SUB = (lambda g, out, a, b: unbroadcast(g, a.shape), lambda g, out, a, b: unbroadcast(-g, b.shape))

    def __sub__(self, other: Operand) -> Tensor:
        return _binary(self, other, operator.sub, self._SUB, "sub", "-")

    def __rsub__(self, other: Operand) -> Tensor:
        return _binary(self, other, operator.sub, self._SUB, "sub", "-", reflected=True)

    _MUL = (
        lambda g, out, a, b: unbroadcast(g * b, a.shape),
        lambda g, out, a, b: unbroadcast(g * a, b.shape),
    )

    def __mul__(self, other: Operand) -> Tensor:
        return _binary(self, other, operator.mul, self._MUL, "mul", "*")

    def __rmul__(self, other: Operand) -> Tensor:
        return _binary(self, other, operator.mul, self._MUL, "mul", "*", reflected=True)

    _DIV = (
        lambda g, out, a, b: unbroadcast(g / b, a.shape),
        lambda g, out, a, b: unbroadcast(-g * out / b, b.shape),  # -(a/b)/b: no underflow of b * b
    )

    def __truediv__(self, other: Operand) -> Tensor:
        return _binary(self, other, operator.truediv, self._DIV, "div", "/")

    def __rtruediv__(self, other: Operand) -> Tensor:
        return _binary(self, other, operator.truediv, self._DIV, "div", "/", reflected=True)

    __neg__ = node_method(NEG, _result, on_floats=False)

    def __pos__(self) -> Tensor:
        return self

    @staticmethod
    def _pow_base_rule(g: Any, out: Any, a: Any, b: Any) -> Any:
        shape = a.shape
        # d(x ** 0)/dx = 0 at every x, also where x ** -1 overflows (0 * inf): base 1 where b == 0.
        # Not for an exponent that is itself differentiated (create_graph): there d/db of
        # b * a ** (b - 1) at b = 0 is 1 / a, so the base changes only where it is 0 as well.
        zero = raw(b) == 0
        if isinstance(b, Tensor) and b.requires_grad:
            zero = zero & (raw(a) == 0)
        if np.any(zero):
            a = np.where(zero, 1, a)
        return unbroadcast(g * (b * a ** (b - 1)), shape)

    @staticmethod
    def _pow_exponent_rule(g: Any, out: Any, a: Any, b: Any) -> Any:
        # d(a ** b)/db = a ** b * log(a); taken as 0 where a == 0 and b >= 0 (the limit), as torch
        zero = (raw(a) == 0) & (raw(b) >= 0)
        log_a = np.log(np.where(zero, 1, a)) if np.any(zero) else np.log(a)
        return unbroadcast(g * out * log_a, b.shape)

    _POW = (_pow_base_rule, _pow_exponent_rule)

    def __pow__(self, exponent: Operand) -> Tensor:
        """``t ** n`` for a number, an array or a Tensor ``n`` (negative bases give nan for fractional n)."""
        other = exponent if type(exponent) is Tensor else lift(exponent, self.data.dtype, "pow")
        op = "**" if other.requires_grad or other.ndim else f"**{float(other.data):g}"
        return _binary(self, other, operator.pow, self._POW, "pow", "**", op=op)

    def __rpow__(self, base: Operand) -> Tensor:
        return _binary(self, base, operator.pow, self._POW, "pow", "**", reflected=True)

    @staticmethod
    def _matmul_parts(g: Any, a: Any, b: Any) -> tuple[Any, Any, Any]:
        """Promote 1-d operands to matrices (a row, a column) and ``g`` to match."""
        if a.ndim == 1:
            g = g.reshape(g.shape[:-1] + (1,) + g.shape[-1:])
            a = a.reshape((1,) + a.shape)
        if b.ndim == 1:
            g = g.reshape(g.shape + (1,))
            b = b.reshape(b.shape + (1,))
        return g, a, b

    @staticmethod
    def _matmul_a(g: Any, out: Any, a: Any, b: Any) -> Any:
        if a.ndim == 2 and b.ndim == 2:
            return g @ b.T
        g2, a2, b2 = Tensor._matmul_parts(g, a, b)
        return unbroadcast(g2 @ b2.swapaxes(-1, -2), a2.shape).reshape(a.shape)

    @staticmethod
    def _matmul_b(g: Any, out: Any, a: Any, b: Any) -> Any:
        if a.ndim == 2 and b.ndim == 2:
            return a.T @ g
        g2, a2, b2 = Tensor._matmul_parts(g, a, b)
        return unbroadcast(a2.swapaxes(-1, -2) @ g2, b2.shape).reshape(b.shape)

    _MATMUL = (_matmul_a, _matmul_b)

    def __matmul__(self, other: Operand) -> Tensor:
        """Matrix product with numpy's rules: 1-d operands are vectors, leading axes are batches."""
        return _binary(self, other, operator.matmul, self._MATMUL, "matmul", "@", error=matmul_error)

    def __rmatmul__(self, other: Operand) -> Tensor:
        return _binary(self, other, operator.matmul, self._MATMUL, "matmul", "@", True, matmul_error)

    matmul = __matmul__

    # --- elementwise functions: their forward and rule are the table's, in autograd.elementwise ---

    exp = node_method(EXP, _result, on_floats=False)

    log = node_method(LOG, _result, on_floats=False)

    tanh = node_method(TANH, _result, on_floats=False)

    sigmoid = node_method(SIGMOID, _result, on_floats=False)

    relu = node_method(RELU, _result, on_floats=False)

    abs = node_method(ABS, _result, on_floats=False)

    __abs__ = abs

    _SQRT = (lambda g, out, a: g / (2 * out),)

    def sqrt(self) -> Tensor:
        """Square root; nan below 0, and the derivative at 0 is inf (as torch.sqrt)."""
        return _result(np.sqrt(self.data), (self,), self._SQRT, "sqrt")

    sin = node_method(SIN, _result, on_floats=False)

    cos = node_method(COS, _result, on_floats=False)

    erf = node_method(ERF, _result, on_floats=False)

    def leaky_relu(self, negative_slope: float = 0.01) -> Tensor:
        """x above 0, ``negative_slope * x`` below; the derivative at 0 is the slope, as torch.

        >>> Tensor([-2.0, 3.0]).leaky_relu(0.1).data
        array([-0.2,  3. ])
        """
        slope = number_parameter(negative_slope, "leaky_relu", "negative_slope")
        rule = (lambda g, out, a: LEAKY_RELU.rule(g, out, a, slope),)  # the slope is an attr, not an input
        data = LEAKY_RELU.on_array(self.data, slope)
        return _result(data, (self,), rule, "leaky_relu", {"negative_slope": slope})

    def elu(self, alpha: float = 1.0) -> Tensor:
        """x above 0, ``alpha * (e**x - 1)`` below; the derivative at 0 is alpha, as torch."""
        al = number_parameter(alpha, "elu", "alpha")
        rule = (lambda g, out, a: ELU.rule(g, out, a, al),)  # alpha is an attr, not an input
        return _result(ELU.on_array(self.data, al), (self,), rule, "elu", {"alpha": al})

    gelu = node_method(GELU, _result, on_floats=False)

    def silu(self) -> Tensor:
        """``x * sigmoid(x)`` (also called swish): the product of two nodes."""
        return self * self.sigmoid()

    softplus = node_method(SOFTPLUS, _result, on_floats=False)

    def clip(self, lo: Operand | None = None, hi: Operand | None = None) -> Tensor:
        """Limit to [lo, hi]; either may be None, a number, an array or a Tensor (all broadcast).

        As torch.clamp: the gradient passes to x where ``lo <= x <= hi`` (bounds included), to
        ``lo`` where x is below it (and lo < hi), to ``hi`` where x is above it or hi < lo; with
        lo > hi every entry becomes hi.

        >>> x, lo = Tensor([-2.0, 0.5, 3.0], requires_grad=True), Tensor([-1.0] * 3, requires_grad=True)
        >>> x.clip(lo, 1.0).sum().backward()
        >>> x.grad, lo.grad
        (array([0., 1., 0.]), array([1., 0., 0.]))
        """
        if lo is None and hi is None:
            raise ValueError("clip: give lo, hi or both (None means no bound on that side)")
        dtype = self.data.dtype
        lifted = [None if b is None else lift(b, dtype, "clip") for b in (lo, hi)]
        lo_: Any = None if lifted[0] is None else lifted[0].data
        hi_: Any = None if lifted[1] is None else lifted[1].data
        x = self.data
        try:
            if hi_ is None:
                data = np.maximum(x, lo_)
            elif lo_ is None:
                data = np.minimum(x, hi_)
            else:
                data = np.minimum(np.maximum(x, lo_), hi_)
        except ValueError:
            shapes = [b.shape for b in lifted if b is not None]
            raise ValueError(
                f"clip: bounds of shape {' and '.join(map(str, shapes))} do not broadcast against "
                f"shape {self.shape}: {clashes(self.shape, *shapes)}"
            ) from None
        inputs, rules = [self], [lambda g, out, a, *b: _masked(g, _clip_inside(raw(a), lo_, hi_), a.shape)]
        attrs: dict[str, Any] = {"lo": lo_, "hi": hi_}
        if isinstance(lo, Tensor) or isinstance(hi, Tensor):  # the bounds are inputs too, lo first
            for key, bound, mask in zip(("lo", "hi"), lifted, (_clip_below, _clip_above)):
                if bound is not None:
                    inputs.append(bound)
                    rules.append(self._clip_bound_rule(mask, lo_, hi_, bound.shape))
                    attrs[key] = "input"
        return _result(data.astype(dtype, copy=False), tuple(inputs), tuple(rules), "clip", attrs)

    @staticmethod
    def _clip_bound_rule(mask: Callable[..., Any], lo: Any, hi: Any, shape: tuple[int, ...]) -> Any:
        return lambda g, out, a, *b: _masked(g, mask(raw(a), lo, hi), shape)

    _MAXIMUM = _extremum_rules(np.less)

    def maximum(self, other: Operand) -> Tensor:
        """Elementwise max of two tensors (broadcasting); on a tie each side gets half the gradient."""
        return _binary(self, other, np.maximum, self._MAXIMUM, "maximum", "vs", op="maximum")

    _MINIMUM = _extremum_rules(np.greater)

    def minimum(self, other: Operand) -> Tensor:
        """Elementwise min of two tensors (broadcasting); on a tie each side gets half the gradient."""
        return _binary(self, other, np.minimum, self._MINIMUM, "minimum", "vs", op="minimum")

    def astype(self, dtype: Any) -> Tensor:
        """The same values in another float dtype; the gradient comes back in this tensor's dtype."""
        target = np.dtype(dtype)
        if target.kind != "f":
            raise TypeError(f"astype: a Tensor holds floats; got dtype {target}")
        if target == self.data.dtype:
            return self
        rule = (lambda g, out, a: g.astype(a.dtype),)
        return _result(self.data.astype(target), (self,), rule, "astype", {"dtype": target})

    # --- reductions ------------------------------------------------------------------------------

    def sum(self, axis: Axis = None, keepdims: bool = False) -> Tensor:
        """Sum over ``axis`` (an int, a tuple of ints, or None for all)."""
        shape = self.data.shape
        axes = normalize_axes(axis, self.data.ndim, "sum", shape)
        data = self.data.sum(axis=axes, keepdims=keepdims)
        rule = (lambda g, out, a: expand(g, shape, axes, keepdims),)
        return _result(data, (self,), rule, "sum", {"axis": axes, "keepdims": keepdims})

    def mean(self, axis: Axis = None, keepdims: bool = False) -> Tensor:
        """Mean over ``axis`` (an int, a tuple of ints, or None for all): the sum over the count."""
        shape = self.data.shape
        axes = normalize_axes(axis, self.data.ndim, "mean", shape)
        n = 1
        for ax in axes:
            n *= shape[ax]
        if n == 0:
            raise ValueError(f"mean: no elements to average over axis {axis!r} (shape {shape})")
        return self.sum(axes, keepdims) / n

    def max(self, axis: Axis = None, keepdims: bool = False) -> Tensor:
        """Largest entry over ``axis``; tied entries share the gradient evenly (as torch.amax)."""
        return self._max(axis, keepdims, "max")

    def min(self, axis: Axis = None, keepdims: bool = False) -> Tensor:
        """Smallest entry over ``axis``: ``-max(-x)``, so ties share the gradient evenly too."""
        return -(-self)._max(axis, keepdims, "min")

    def _max(self, axis: Axis, keepdims: bool, who: str) -> Tensor:
        """``max``; errors are reported as coming from ``who`` (``min`` is built on it)."""
        shape = self.data.shape
        axes = normalize_axes(axis, self.data.ndim, who, shape)
        if any(shape[ax] == 0 for ax in axes) or (not axes and self.data.size == 0):
            raise ValueError(f"{who}: cannot take the {who} over an empty axis (shape {shape})")
        data = np.max(self.data, axis=axes, keepdims=keepdims)

        def rule(g: Any, out: Any, a: Any) -> Any:
            x, out_k = raw(a), with_kept_axes(raw(out), shape, axes, keepdims)
            holds = x == out_k
            if np.isnan(out_k).any():  # a nan wins, as in torch.max: its gradient goes to the nan entries
                holds |= np.isnan(x) & np.isnan(out_k)
            count = holds.sum(axis=axes, keepdims=True)
            return expand(g, shape, axes, keepdims) * even_split(holds, count, g.dtype)

        return _result(data, (self,), (rule,), "max", {"axis": axes, "keepdims": keepdims})

    def logsumexp(self, axis: Axis = None, keepdims: bool = False) -> Tensor:
        """log(sum(exp(x))) over ``axis``, shifted by the max so that 1e4 does not overflow."""
        shape = self.data.shape
        axes = normalize_axes(axis, self.data.ndim, "logsumexp", shape)
        x = self.data
        m = np.max(x, axis=axes, keepdims=True) if x.size else np.zeros(kept_shape(shape, axes), x.dtype)
        m = np.where(np.isfinite(m), m, 0).astype(x.dtype, copy=False)
        with np.errstate(divide="ignore"):
            data = np.log(np.exp(x - m).sum(axis=axes, keepdims=True)) + m
        if not keepdims:
            data = data.reshape(tuple(n for i, n in enumerate(shape) if i not in axes))

        def rule(g: Any, out: Any, a: Any) -> Any:
            out_k = with_kept_axes(out, shape, axes, keepdims)
            return expand(g, shape, axes, keepdims) * np.exp(a - out_k)

        return _result(data, (self,), (rule,), "logsumexp", {"axis": axes, "keepdims": keepdims})

    def softmax(self, axis: int = -1) -> Tensor:
        """exp(x) / sum(exp(x)) along ``axis``, shifted by the max (no overflow at 1e4)."""
        (ax,) = normalize_axes(axis, self.data.ndim, "softmax", self.data.shape)
        x = self.data
        e = np.exp(x - _shift(x, ax))
        e /= e.sum(axis=ax, keepdims=True)
        rule = (lambda g, out, a: out * (g - (g * out).sum(axis=ax, keepdims=True)),)
        return _result(e, (self,), rule, "softmax", {"axis": ax})

    def log_softmax(self, axis: int = -1) -> Tensor:
        """``x - logsumexp(x)`` along ``axis``, after shifting by the max (no overflow at 1e4).

        The shift is a constant of the graph: log_softmax does not change when x shifts.
        """
        (ax,) = normalize_axes(axis, self.data.ndim, "log_softmax", self.data.shape)
        shifted = self - constant(_shift(self.data, ax))
        return shifted - shifted.logsumexp(axis=ax, keepdims=True)

    def prod(self, axis: Axis = None, keepdims: bool = False) -> Tensor:
        """Product over ``axis``. Zeros are fine (as torch): an entry's gradient is the product of
        the other entries, computed without dividing by it where the tensor holds a 0.

        >>> x = Tensor([2.0, 0.0, 4.0], requires_grad=True)
        >>> x.prod().backward()
        >>> x.grad
        array([0., 8., 0.])
        """
        shape = self.data.shape
        axes = normalize_axes(axis, self.data.ndim, "prod", shape)
        data = np.prod(self.data, axis=axes, keepdims=keepdims)

        def rule(g: Any, out: Any, a: Any) -> Any:
            spread = expand(g, shape, axes, keepdims)
            if np.any(raw(a) == 0):
                return spread * _product_of_others(a, axes)
            return spread * (with_kept_axes(out, shape, axes, keepdims) / a)

        return _result(data, (self,), (rule,), "prod", {"axis": axes, "keepdims": keepdims})

    def var(self, axis: Axis = None, keepdims: bool = False, ddof: float = 0) -> Tensor:
        """Variance over ``axis``: the mean squared deviation from the mean, divided by
        ``n - ddof`` instead of ``n`` (numpy's names; ``ddof=1`` is torch's default, unbiased).

        >>> Tensor([1.0, 2.0, 3.0, 4.0]).var().item(), Tensor([1.0, 2.0, 3.0, 4.0]).var(ddof=1).item()
        (1.25, 1.6666666666666667)
        """
        return self._var(axis, keepdims, ddof, "var")

    def _var(self, axis: Axis, keepdims: bool, ddof: float, who: str) -> Tensor:
        """``var``, its errors reported as coming from ``who`` (``std`` is built on it)."""
        shape = self.data.shape
        axes = normalize_axes(axis, self.data.ndim, who, shape)
        ddof = number_parameter(ddof, who, "ddof")
        if ddof < 0:
            raise ValueError(f"{who}: ddof must be >= 0, got {ddof:g}")
        n = math.prod(shape[ax] for ax in axes)
        if n == 0:
            raise ValueError(f"{who}: no elements over axis {axis!r} (shape {shape})")
        dof = n - ddof
        if dof <= 0:
            warnings.warn(
                f"{who}: ddof={ddof:g} leaves no degrees of freedom over {n} element(s) per result; "
                "it is nan or inf (as torch)",
                RuntimeWarning,
                stacklevel=3,
            )
        d = self - self.mean(axes, keepdims=True)
        with np.errstate(divide="ignore", invalid="ignore"):
            return (d * d).sum(axes, keepdims) / max(dof, 0)

    @staticmethod
    def _std_rule(g: Any, out: Any, a: Any) -> Any:
        zero = raw(out) == 0
        if not np.any(zero):
            return g / (2 * out)
        return g * ~zero / (2 * (out + zero))  # 0 where the std is 0, as torch (not sqrt's inf)

    def std(self, axis: Axis = None, keepdims: bool = False, ddof: float = 0) -> Tensor:
        """Standard deviation over ``axis``: the square root of ``var`` (same arguments).

        Where it is 0 (all entries equal) its gradient is 0, as torch's (sqrt alone would give
        nan there).

        >>> x = Tensor([[1.0, 3.0], [2.0, 2.0]], requires_grad=True)
        >>> s = x.std(axis=1)
        >>> s.sum().backward()
        >>> s.data, x.grad
        (array([1., 0.]), array([[-0.5,  0.5],
               [ 0. ,  0. ]]))
        """
        variance = self._var(axis, keepdims, ddof, "std")
        return _result(np.sqrt(variance.data), (variance,), (self._std_rule,), "std")

    def argmax(self, axis: int | None = None, keepdims: bool = False) -> np.ndarray:
        """Index of the largest entry (of the flattened tensor, or along ``axis``), the first one
        on a tie, as numpy and torch. An integer ndarray: indices have no gradient.

        >>> Tensor([[1.0, 5.0, 5.0], [7.0, 0.0, 2.0]]).argmax(axis=1)
        array([1, 0])
        """
        return self._arg_extreme(np.argmax, axis, keepdims, "argmax")

    def argmin(self, axis: int | None = None, keepdims: bool = False) -> np.ndarray:
        """Index of the smallest entry, as ``argmax``."""
        return self._arg_extreme(np.argmin, axis, keepdims, "argmin")

    def _arg_extreme(self, find: Any, axis: int | None, keepdims: bool, who: str) -> np.ndarray:
        shape = self.data.shape
        ax = None if axis is None else normalize_axis(axis, self.data.ndim, who, shape)
        if self.data.size == 0 or (ax is not None and shape[ax] == 0):
            raise ValueError(f"{who}: no entries to choose from (shape {shape})")
        return np.asarray(find(self.data, axis=ax, keepdims=keepdims))

    # --- shape ops ------------------------------------------------------------------------------

    def reshape(self, *shape: Any) -> Tensor:
        """The same entries in another shape (one size may be -1); ``t.reshape(2, 3)`` or ``((2, 3))``."""
        new = tuple(shape[0]) if len(shape) == 1 and isinstance(shape[0], (tuple, list)) else shape
        try:
            data = self.data.reshape(new)
        except (ValueError, TypeError):
            raise ValueError(
                f"reshape: cannot reshape {self.shape} ({self.size} elements) into {new}; "
                "the number of elements must stay the same (one size may be -1)"
            ) from None
        if data.shape == self.data.shape:
            return self
        rule = (lambda g, out, a: g.reshape(a.shape),)
        return _result(data, (self,), rule, "reshape", {"shape": data.shape})

    def transpose(self, *axes: Any) -> Tensor:
        """Permute the axes (reverse them when none are given), as ndarray.transpose."""
        ndim = self.data.ndim
        perm = tuple(axes[0]) if len(axes) == 1 and isinstance(axes[0], (tuple, list)) else axes
        if not perm:
            perm = tuple(range(ndim - 1, -1, -1))
        if len(perm) != ndim or not all(isinstance(p, (int, np.integer)) and -ndim <= p < ndim for p in perm):
            norm: list[int] = []
        else:
            norm = [int(p) % ndim for p in perm]
        if sorted(norm) != list(range(ndim)) or len(norm) != ndim:
            raise ValueError(
                f"transpose: axes {perm} are not a permutation of {tuple(range(ndim))} "
                f"for a tensor of shape {self.shape}"
            )
        if norm == list(range(ndim)):
            return self
        inverse = tuple(int(i) for i in np.argsort(norm))
        data = self.data.transpose(norm)
        rule = (lambda g, out, a: g.transpose(inverse),)
        return _result(data, (self,), rule, "transpose", {"axes": tuple(norm)})

    @property
    def T(self) -> Tensor:
        """The axes reversed (a 0-d or 1-d tensor is its own transpose, as in numpy)."""
        return self if self.data.ndim < 2 else self.transpose()

    def swapaxes(self, axis1: int, axis2: int) -> Tensor:
        """Exchange two axes: the transpose that swaps them."""
        a1, a2 = (normalize_axes(ax, self.data.ndim, "swapaxes", self.shape)[0] for ax in (axis1, axis2))
        perm = list(range(self.data.ndim))
        perm[a1], perm[a2] = a2, a1
        return self.transpose(perm)

    def squeeze(self, axis: Axis = None) -> Tensor:
        """Drop size-1 axes (all of them, or the given ones, which must have size 1)."""
        shape = self.data.shape
        if axis is None:
            axes = tuple(i for i, n in enumerate(shape) if n == 1)
        else:
            axes = normalize_axes(axis, self.data.ndim, "squeeze", shape)
            for ax in axes:
                if shape[ax] != 1:
                    raise ValueError(
                        f"squeeze: axis {ax} has size {shape[ax]}, not 1 (shape {shape}); "
                        "only size-1 axes can be squeezed"
                    )
        return self.reshape(tuple(n for i, n in enumerate(shape) if i not in axes))

    def unsqueeze(self, axis: int) -> Tensor:
        """Insert a size-1 axis at ``axis`` (as np.expand_dims; -1 appends one)."""
        ndim = self.data.ndim
        if isinstance(axis, (bool, np.bool_)) or not isinstance(axis, (int, np.integer)):
            raise TypeError(f"unsqueeze: axis must be an int, got {axis!r}")
        if not -ndim - 1 <= axis <= ndim:
            raise AxisError(
                f"unsqueeze: axis {axis} is out of range for a tensor with ndim {ndim} (shape {self.shape}); "
                f"use an axis in {-ndim - 1}..{ndim}"
            )
        ax = int(axis) % (ndim + 1)
        return self.reshape(self.shape[:ax] + (1,) + self.shape[ax:])

    def flatten(self, start_dim: int = 0, end_dim: int = -1) -> Tensor:
        """Merge axes ``start_dim..end_dim`` into one (all of them by default, giving a 1-d tensor)."""
        ndim = self.data.ndim
        if ndim == 0:
            return self.reshape(1)
        s, e = (normalize_axes(ax, ndim, "flatten", self.shape)[0] for ax in (start_dim, end_dim))
        if s > e:
            raise ValueError(f"flatten: start_dim {start_dim} comes after end_dim {end_dim} (ndim {ndim})")
        shape = self.shape
        return self.reshape(shape[:s] + (-1,) + shape[e + 1 :])

    def broadcast_to(self, shape: Sequence[int]) -> Tensor:
        """Stretch size-1 axes and add leading axes to reach ``shape``, as np.broadcast_to."""
        target = tuple(shape) if isinstance(shape, (tuple, list)) else (shape,)
        try:
            data = np.broadcast_to(self.data, target)
        except ValueError:
            sa = self.shape
            diffs = [
                f"axis {-k} has size {sa[-k]}, target {target[-k]}"
                for k in range(1, min(len(sa), len(target)) + 1)
                if sa[-k] != target[-k] and sa[-k] != 1
            ]
            why = ", ".join(diffs) if diffs else f"the target has fewer axes than {sa}"
            raise ValueError(
                f"broadcast_to: cannot broadcast {sa} to {target}: {why} (only size-1 axes can stretch)"
            ) from None
        if data.shape == self.data.shape:
            return self
        rule = (lambda g, out, a: unbroadcast(g, a.shape),)
        return _result(data, (self,), rule, "broadcast_to", {"shape": data.shape})

    def cumsum(self, axis: int | None = None) -> Tensor:
        """Running sums along ``axis`` (None: over the flattened tensor, as numpy).

        >>> Tensor([[1.0, 2.0], [3.0, 4.0]]).cumsum(axis=1).data
        array([[1., 3.],
               [3., 7.]])
        """
        if axis is None:
            return self.reshape(-1).cumsum(0)
        ax = normalize_axis(axis, self.data.ndim, "cumsum", self.shape)
        # each entry's gradient is the sum of g from its position to the end: a cumsum backwards
        rule = (lambda g, out, a: np.flip(np.cumsum(np.flip(g, ax), axis=ax), ax),)
        return _result(np.cumsum(self.data, axis=ax), (self,), rule, "cumsum", {"axis": ax})

    def flip(self, axis: Axis = None) -> Tensor:
        """Reverse the order of the entries along ``axis`` (None: along every axis, as numpy).

        >>> Tensor([1.0, 2.0, 3.0]).flip().data
        array([3., 2., 1.])
        """
        axes = normalize_axes(axis, self.data.ndim, "flip", self.shape)
        if not axes:
            return self
        rule = (lambda g, out, a: np.flip(g, axes),)
        return _result(np.flip(self.data, axes), (self,), rule, "flip", {"axis": axes})

    def pad(self, pad_width: Any) -> Tensor:
        """Zeros around the entries, numpy's constant form: ``pad_width`` is one ``(before, after)``
        pair per axis, one pair for every axis, or one int (``np.pad(t, 1)``).

        >>> Tensor([[1.0, 2.0]]).pad(((0, 1), (1, 0))).data
        array([[0., 1., 2.],
               [0., 0., 0.]])
        """
        shape = self.data.shape
        pairs = pad_pairs(pad_width, shape)
        if not any(b or e for b, e in pairs):
            return self
        inside = tuple(slice(b, b + n) for (b, _), n in zip(pairs, shape))
        rule = (lambda g, out, a: g[inside],)
        return _result(np.pad(self.data, pairs), (self,), rule, "pad", {"pad_width": pairs})

    def tile(self, reps: Any) -> Tensor:
        """Repeat the whole tensor ``reps`` times along each axis, as np.tile (a short ``reps``
        counts from the last axis; a long one adds leading axes).

        >>> x = Tensor([1.0, 2.0], requires_grad=True)
        >>> y = x.tile((2, 3))
        >>> y.shape
        (2, 6)
        >>> y.sum().backward()
        >>> x.grad
        array([6., 6.])
        """
        items = (reps,) if isinstance(reps, (int, np.integer)) else reps
        if not isinstance(items, (tuple, list)) or not all(
            isinstance(r, (int, np.integer)) and not isinstance(r, (bool, np.bool_)) and r >= 0 for r in items
        ):
            raise TypeError(f"tile: reps must be an int or a tuple of ints >= 0, got {reps!r}")
        reps = tuple(int(r) for r in items)
        shape = self.data.shape
        d = max(len(reps), len(shape))
        full = (1,) * (d - len(reps)) + reps
        base = (1,) * (d - len(shape)) + shape
        data = np.tile(self.data, reps)
        if data.shape == shape:
            return self
        # the gradient as (copies, entries) pairs of axes, summed over the copies
        pairs = tuple(k for r, n in zip(full, base) for k in (r, n))
        copies = tuple(range(0, 2 * d, 2))
        rule = (lambda g, out, a: g.reshape(pairs).sum(axis=copies).reshape(a.shape),)
        return _result(data, (self,), rule, "tile", {"reps": full})

    def __getitem__(self, index: Any) -> Tensor:
        """Indexing as numpy: ints, slices, None, ..., integer arrays and boolean masks.

        The gradient is scattered back with repeated indices adding up.
        """
        index, basic = normalize_index(index)
        try:
            data = self.data[index]
        except IndexError as e:
            raise IndexError(f"index: {e} (tensor shape {self.shape})") from None
        shape = self.data.shape
        rule = (lambda g, out, a: scatter(g, index, shape, basic),)
        return _result(data, (self,), rule, "index", {"index": index})

    # --- the backward pass: graph.Node.backward, with Tensor's seed and storage ---------------

    def _seed(self, grad: Any, create_graph: bool) -> Any:
        """A size-1 tensor needs no ``grad`` (it is 1); any other needs a ``grad`` of its exact shape."""
        if not self.requires_grad:
            raise RuntimeError(
                "backward: this tensor does not require grad, so there is no graph to go back "
                "through: it was computed from tensors with requires_grad=False, or under no_grad(). "
                "Create the leaves with Tensor(..., requires_grad=True) and run the forward pass "
                "outside no_grad()"
            )
        shape, dtype = self.data.shape, self.data.dtype
        if grad is None:
            if self.data.size != 1:
                raise RuntimeError(
                    f"backward() needs a scalar output or an explicit grad; got shape {shape}: reduce "
                    f"it first (e.g. .sum() or .mean()) or pass grad=<an array of shape {shape}>"
                )
            seed: Any = np.ones(shape, dtype=dtype)
        elif isinstance(grad, Tensor) and create_graph:
            seed = grad
        else:
            if isinstance(grad, Node) and not isinstance(grad, Tensor):
                raise TypeError(f"backward: grad must be an array or a Tensor, got {type(grad).__name__}")
            seed = np.array(_float_array(raw(grad), dtype, "backward: grad"), copy=True)
        if seed.shape != shape:
            raise ValueError(
                f"backward: grad has shape {seed.shape} but the tensor has shape {shape}; "
                "pass a grad of exactly the tensor's shape"
            )
        return constant(seed) if create_graph and not isinstance(seed, Tensor) else seed

    @staticmethod
    def _store_grads(grads: dict[Any, Any]) -> None:
        """Leaves that require grad and nodes that called ``retain_grad()`` keep theirs (as torch).

        A gradient array that nothing else holds is kept as it is; views, other dtypes and arrays
        that reach two tensors in one pass (the ids in ``kept`` tell) are copied. Every new
        ``.grad`` is computed before the first is written, so an error changes none.
        """
        kept: set[int] = set()
        totals = []
        for node, g in grads.items():
            if not (node._retain or (node.requires_grad and node._a is None)):
                continue
            dtype = node.data.dtype
            if isinstance(g, Tensor):  # create_graph
                if g.data.dtype != dtype:
                    g = g.astype(dtype)
                if not g.requires_grad:  # it does not depend on node (relu, abs): still a
                    g = _result(g.data, (node,), (_independent,), "grad")  # node of it, as torch
            elif type(g) is _ndarray and g.base is None and g.dtype == dtype and id(g) not in kept:
                kept.add(id(g))
            else:
                g = np.array(g, dtype=dtype, copy=True)
                if g.shape != node.data.shape:
                    g = np.broadcast_to(g, node.data.shape).copy()
            totals.append((node, g if node.grad is None else node.grad + g))
        for node, total in totals:
            node.grad = total

    @staticmethod
    def _record(
        data: Any, inputs: tuple[Any, ...], rules: tuple[Any, ...], op: str, attrs: dict[str, Any] | None
    ) -> Tensor:
        # The rules of an op made with ``record`` are checked (the engine's own ops are not); the
        # Value kind checks nothing (its hot path).
        checked = tuple(None if rule is None else _shape_checked(rule, op, i) for i, rule in enumerate(rules))
        return _result(data, inputs, checked, op, attrs)


def _shape_checked(rule: Any, op: str, index: int) -> Any:
    """``rule`` (of input ``index`` of an op made with ``record``) with its result checked against
    its input's shape: a share of a shape the input broadcasts to is summed back (as torch does);
    any other shape, or None, raises in the backward pass, before any ``.grad`` is written."""

    def checked(g: Any, out: Any, *inputs: Any) -> Any:
        share = rule(g, out, *inputs)
        shape = inputs[index].shape
        got = getattr(share, "shape", None)
        return share if got == shape else _fit_share(share, shape, op, index)

    return checked


def _fit_share(share: Any, shape: tuple[int, ...], op: str, index: int) -> Any:
    """A rule's ``share`` summed back to its input's ``shape``, or the error that it does not fit."""
    got = np.shape(share) if share is not None else None
    try:
        fits = got is not None and np.broadcast_shapes(shape, got) == got
    except ValueError:
        fits = False
    if fits:
        return unbroadcast(share if isinstance(share, (Tensor, np.ndarray)) else np.asarray(share), shape)
    what = "None" if share is None else f"a gradient of shape {got}"
    raise ValueError(
        f"backward: the rule of input {index} of op {op!r} (made with record) returned {what} for an "
        f"input of shape {shape}; a rule returns its input's share of g in the input's shape (sum over "
        "broadcast axes with autograd.shapes.unbroadcast; give None as the rule of an input with no gradient)"
    )


def _independent(g: Any, out: Any, a: Any) -> Any:
    """The rule of a stored gradient that does not depend on its tensor: derivative 0."""
    zeros = np.zeros(a.shape, a.dtype)
    return constant(zeros) if isinstance(g, Tensor) else zeros


# --- module functions ----------------------------------------------------------------------------


def _lift_all(items: Sequence[Any], op: str) -> tuple[Tensor, ...]:
    if isinstance(items, (Tensor, np.ndarray)) or not isinstance(items, Sequence):
        raise TypeError(f"{op}: give a list or tuple of tensors, got {type(items).__name__}")
    if not items:
        raise ValueError(f"{op}: give at least one tensor")
    dtype = next((x.data.dtype for x in items if isinstance(x, Tensor)), None)
    return tuple(lift(x, dtype, op) for x in items)


def concatenate(tensors: Sequence[Any], axis: int = 0) -> Tensor:
    """Join tensors along an existing ``axis``; each gets its slice of the gradient back.

    >>> concatenate([Tensor([1.0, 2.0]), Tensor([3.0])]).data
    array([1., 2., 3.])
    """
    ts = _lift_all(tensors, "concatenate")
    first = ts[0]
    if first.ndim == 0:
        raise ValueError("concatenate: 0-d tensors have no axis to join along; use stack()")
    (ax,) = normalize_axes(axis, first.ndim, "concatenate", first.shape)
    for t in ts[1:]:
        why = size_differences(first.shape, t.shape, skip=ax)
        if why:
            raise ValueError(
                f"concatenate: shapes {first.shape} and {t.shape} differ outside axis {ax}: {why}; "
                f"all tensors need the same ndim and the same sizes on every axis but the joined one"
            )
    data = np.concatenate([t.data for t in ts], axis=ax)
    lead = (slice(None),) * ax

    def piece(lo: int, hi: int) -> Any:
        where = lead + (slice(lo, hi),)
        return lambda g, out, *xs: g[where]

    bounds = np.cumsum([0] + [t.shape[ax] for t in ts])
    vjps = tuple(piece(int(lo), int(hi)) for lo, hi in zip(bounds, bounds[1:]))
    return _result(data, ts, vjps, "concatenate", {"axis": ax})


def stack(tensors: Sequence[Any], axis: int = 0) -> Tensor:
    """Join same-shaped tensors along a new ``axis``; each gets its slice of the gradient back.

    >>> stack([Tensor([1.0, 2.0]), Tensor([3.0, 4.0])], axis=1).shape
    (2, 2)
    """
    ts = _lift_all(tensors, "stack")
    first = ts[0]
    for t in ts[1:]:
        why = size_differences(first.shape, t.shape)
        if why:
            raise ValueError(
                f"stack: shapes {first.shape} and {t.shape} differ: {why}; stack needs equal shapes"
            )
    ndim = first.ndim + 1
    is_int = isinstance(axis, (int, np.integer)) and not isinstance(axis, (bool, np.bool_))
    if not is_int or not -ndim <= axis < ndim:
        raise AxisError(
            f"stack: axis {axis!r} is out of range for the result's ndim {ndim}; "
            f"use an axis in {-ndim}..{ndim - 1}"
        )
    ax = int(axis) % ndim
    data = np.stack([t.data for t in ts], axis=ax)
    lead = (slice(None),) * ax

    def piece(i: int) -> Any:
        where = lead + (i,)
        return lambda g, out, *xs: g[where]

    return _result(data, ts, tuple(piece(i) for i in range(len(ts))), "stack", {"axis": ax})


def where(condition: Any, a: Any, b: Any) -> Tensor:
    """``a`` where ``condition`` holds, ``b`` elsewhere (all three broadcast); differentiable in a and b.

    >>> x = Tensor([-1.0, 2.0], requires_grad=True)
    >>> where(x > 0, x, 0.0).sum().backward()
    >>> x.grad
    array([0., 1.])
    """
    if isinstance(condition, Tensor) and condition.requires_grad:
        raise TypeError(
            "where: condition is a Tensor that requires grad, but a condition has no gradient; pass a "
            "boolean mask such as x > 0 (a comparison gives one), or condition.data"
        )
    cond = np.asarray(raw(condition))
    if cond.dtype != np.bool_:
        cond = cond.astype(bool)
    dtype = a.data.dtype if isinstance(a, Tensor) else b.data.dtype if isinstance(b, Tensor) else None
    ta, tb = lift(a, dtype, "where"), lift(b, dtype, "where")
    try:
        data = np.where(cond, ta.data, tb.data)
    except ValueError:
        raise ValueError(
            f"where: condition {cond.shape}, a {ta.shape} and b {tb.shape} do not broadcast together: "
            f"{clashes(cond.shape, ta.shape, tb.shape)}"
        ) from None
    vjps = (
        lambda g, out, x, y: unbroadcast(np.where(cond, g, 0), x.shape),
        lambda g, out, x, y: unbroadcast(np.where(cond, 0, g), y.shape),
    )
    return _result(data, (ta, tb), vjps, "where", {"condition": cond})

