"""Gradients as functions: ``grad``, ``value_and_grad``, ``jacobian``, ``hessian``, ``hvp``.

They are pure: each call gives every differentiated argument a node of its own, runs ``f`` on
those, and reads the gradients from ``graph.gradients``, which writes no ``.grad``. ``hessian``
is the Jacobian of the gradient and ``hvp`` the gradient of a dot product with the gradient.

>>> from autograd import grad
>>> f = lambda x: x**3
>>> grad(f)(3.0), grad(grad(f))(3.0), grad(grad(grad(f)))(3.0)
(27.0, 18.0, 6.0)

What comes back
    Called with plain numbers and arrays, the transforms return plain numbers and arrays: a float
    for a float (a Python int is taken as a float), an ndarray of the argument's shape and dtype
    for a float ndarray. A number differentiated beside an ndarray or a Tensor argument is seen by
    ``f`` as a 0-d Tensor (Values and Tensors do not mix), and its gradient is still a float.
    Called with a ``Value`` or a ``Tensor`` (as any argument), or called
    inside another transform, they return ``Value``s and ``Tensor``s instead, still connected to
    the graph of their arguments (the gradients are built with ``create_graph``): that is what
    makes ``grad(grad(f))`` and ``hessian`` work, and what lets a caller differentiate a gradient.

No side effects
    No ``.grad`` is written or changed: the caller's nodes, and parameters that ``f`` reads from
    an enclosing scope, keep theirs. Under ``no_grad`` the transforms still work.

Several arguments
    ``argnums`` is an int or a tuple of ints; with a tuple, ``grad`` returns a tuple of
    gradients, ``jacobian`` a tuple of Jacobians and ``hessian`` the nested tuple
    ``H[i][j] = d2f / dx_i dx_j`` (``np.array(H)`` is the matrix for scalar arguments). The
    derivatives are partial: a node passed as an argument is a variable of its own inside ``f``,
    also when ``f`` reads the same node from an enclosing scope. Other arguments (and keyword
    arguments) are passed to ``f`` untouched.

Errors and warnings
    ``grad`` of a function whose output is not a scalar raises and points to ``jacobian``. A
    differentiated argument that is a string, None, a bool, a complex number, a list, or an
    integer/bool array raises a ``TypeError`` naming its position (a Python int is accepted as
    a float, since ``grad(f)(3)`` can only mean 3.0). An output not computed from an argument
    (a constant) gives that argument a zero gradient and a ``UserWarning``.

Which ops have higher derivatives
    All of them: every Value and Tensor op, and nn's fused losses and neurons, write their
    local-gradient rules with the engine's own ops, so the rules can be differentiated again to
    any order (the tests check each op's Hessian against torch and with ``gradcheck(order=2)``).
    The piecewise-linear ops (relu, abs, clip, maximum, minimum, and the max/min reductions) have
    second derivative 0, at their kinks too, as in PyTorch; the mask or tie split they use is a
    constant of the graph.
"""

from __future__ import annotations

import functools
import numbers
import sys
import threading
import warnings
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any

import numpy as np

from autograd.graph import Node, enable_grad, gradients, pass_through, record, seed_of
from autograd.tensor import Tensor, stack
from autograd.value import Value

__all__ = ["grad", "value_and_grad", "jacobian", "hessian", "hvp"]


class _Depth(threading.local):
    """How many transforms are running ``f`` in this thread (results are nodes when > 0)."""

    value = 0


_depth = _Depth()


@contextmanager
def _tracing() -> Iterator[None]:
    """Record the graph (even under ``no_grad``) and mark that a transform is running."""
    _depth.value += 1
    try:
        with enable_grad():
            yield
    finally:
        _depth.value -= 1


# --- one call of a transformed function ----------------------------------------------------------


class _Arg:
    """One differentiated argument: what the caller passed and the node ``f`` sees in its place.

    A number or an array becomes a fresh leaf. A Value or a Tensor that requires grad becomes an
    identity node on top of it: a variable of its own for ``f`` (the derivative is partial), and
    the gradient computed through it stays connected to the caller's node.
    """

    __slots__ = ("pos", "kind", "node", "shape", "dtype")
    kind: str
    shape: tuple[int, ...]
    dtype: np.dtype[Any]
    node: Any

    def __init__(self, pos: int, x: Any, fname: str, with_arrays: bool) -> None:
        self.pos = pos
        if isinstance(x, Value):
            self.kind, self.shape, self.dtype = "value", (), np.dtype(np.float64)
            self.node = _variable_on(x)
        elif isinstance(x, Tensor):
            _check_float_dtype(x.data, pos, fname)
            self.kind, self.shape, self.dtype = "tensor", tuple(x.shape), x.data.dtype
            fresh = not x.requires_grad  # (no gradient of the caller's to connect to)
            self.node = Tensor(x.data, requires_grad=True, label=x.label) if fresh else _variable_on(x)
        elif isinstance(x, (bool, np.bool_)):
            raise TypeError(
                f"{fname}: argument {pos} is the bool {x!r}, which cannot be differentiated; pass a float"
            )
        elif isinstance(x, numbers.Real):  # floats, and ints taken as floats
            self.kind, self.shape, self.dtype = "float", (), np.dtype(np.float64)
            self.node = fresh_leaf(float(x), with_arrays)
        elif isinstance(x, np.ndarray):
            _check_float_dtype(x, pos, fname)
            self.kind, self.shape, self.dtype = "array", x.shape, x.dtype
            self.node = fresh_leaf(x, with_arrays)
        else:
            hint = "; pass np.array(...) for an array" if isinstance(x, (list, tuple)) else ""
            raise TypeError(
                f"{fname}: argument {pos} is {type(x).__name__} {_short(x)}, which cannot be "
                f"differentiated: pass a float, a Value, a float ndarray or a Tensor{hint}"
            )

    def gradient(self, g: Any, as_node: bool) -> Any:
        """The gradient ``g`` read from a pass (None where none arrived), in the caller's terms."""
        if isinstance(self.node, Value):
            if as_node:
                return g if isinstance(g, Value) else Value(0.0 if g is None else float(g))
            return 0.0 if g is None else float(g.data if isinstance(g, Value) else g)
        if as_node:
            if isinstance(g, Tensor):
                return g
            return Tensor(np.zeros(self.shape, self.dtype) if g is None else g)
        if g is None:
            return 0.0 if self.kind == "float" else np.zeros(self.shape, self.dtype)
        data = g.data if isinstance(g, Tensor) else g
        if self.kind == "float":
            return float(data)
        return np.array(data, dtype=self.dtype).reshape(self.shape)


def fresh_leaf(x: float | np.ndarray, with_arrays: bool) -> Value | Tensor:
    """The leaf ``f`` sees for a plain number or float array: a Value for a number, a Tensor
    for an array, and a 0-d Tensor for a number ``with_arrays`` (a Value does not mix with Tensors).

    >>> fresh_leaf(2.0, with_arrays=False), fresh_leaf(2.0, with_arrays=True).shape
    (Value(data=2.0, grad=0.0), ())
    """
    if isinstance(x, np.ndarray) or with_arrays:
        return Tensor(x, requires_grad=True)
    return Value(x)


def _variable_on(x: Node) -> Node:
    """An identity node on ``x``: ``f`` differentiates with respect to it, the result reaches ``x``."""
    node = record(x.data, (x,), (pass_through,), "argument")
    node.label = x.label
    return node


def _check_float_dtype(a: np.ndarray, pos: int, fname: str) -> None:
    if a.dtype.kind != "f":
        raise TypeError(
            f"{fname}: argument {pos} is an array of dtype {a.dtype}, which cannot be "
            "differentiated; pass a float array (np.asarray(x, dtype=float))"
        )


def _short(x: Any) -> str:
    text = repr(x)
    return text if len(text) <= 40 else text[:37] + "..."


def _differentiable(x: Any) -> bool:
    """A node a backward pass can go through: any Value, a Tensor that requires grad."""
    return isinstance(x, Value) or (isinstance(x, Tensor) and x.requires_grad)


class _Call:
    """One call of a transformed function: ``f``, the caller's arguments, the chosen ones.

    ``run()`` calls ``f`` with the differentiated arguments replaced by their nodes;
    ``gradients(root, seed)`` reads one gradient per chosen argument from a backward pass;
    ``per_argument(values)`` gives what the caller gets for one value per chosen argument (the
    value itself for an int ``argnums``, a tuple for a tuple). This is the only place that knows
    about ``argnums``.
    """

    def __init__(
        self, f: Callable[..., Any], fname: str, args: tuple[Any, ...], kwargs: dict[str, Any],
        positions: tuple[int, ...], single: bool, speaks_at: int | None,
    ) -> None:  # fmt: skip
        self.f, self.fname, self.args, self.kwargs, self.single = f, fname, args, kwargs, single
        n = len(args)
        chosen = []
        for i in positions:
            if not -n <= i < n:
                raise ValueError(
                    f"{fname}: argnums asks for argument {i}, but f was called with {n} positional "
                    f"argument{'s' if n != 1 else ''}"
                )
            chosen.append(i % n)
        if len(set(chosen)) != len(chosen):
            raise ValueError(f"{fname}: argnums {positions} names an argument twice")
        self.speaks = speaks_at is not None and _depth.value == speaks_at
        # nodes come back inside another transform, for a differentiated argument that is a node,
        # and when another argument is a node the caller may differentiate
        self.as_nodes = (
            _depth.value > 0
            or any(isinstance(args[i], Node) for i in chosen)
            or any(map(_differentiable, (*args, *kwargs.values())))
        )
        with_arrays = any(isinstance(a, (np.ndarray, Tensor)) for a in (*args, *kwargs.values()))
        with enable_grad():
            self.wrapped = [_Arg(i, args[i], fname, with_arrays) for i in chosen]

    def run(self) -> Any:
        call_args = list(self.args)
        for a in self.wrapped:
            call_args[a.pos] = a.node
        with _tracing():
            return self.f(*call_args, **self.kwargs)

    def gradients(self, root: Any, seed: Any) -> list[Any]:
        """d root / d argument (seeded with ``seed``) for each chosen argument; None where none arrived."""
        nodes = [a.node for a in self.wrapped]
        with enable_grad():
            found = gradients(root, seed_of(root, seed, self.as_nodes), self.as_nodes, stop_at=nodes)
        return [found.get(node) for node in nodes]

    def results(self, grads: list[Any]) -> list[Any]:
        return [a.gradient(g, self.as_nodes) for a, g in zip(self.wrapped, grads)]

    def per_argument(self, values: list[Any]) -> Any:
        return values[0] if self.single else tuple(values)

    def warn_unreached(self, reached: list[bool]) -> None:
        if not self.speaks:
            return
        for a, ok in zip(self.wrapped, reached):
            if not ok:
                warnings.warn(
                    f"{self.fname}: the output of {_name(self.f)} was not computed from argument "
                    f"{a.pos}, so its gradient is zero",
                    UserWarning,
                    stacklevel=_caller_level(),
                )


def _caller_level() -> int:
    """The ``stacklevel`` that makes a warning point at the first line outside this module."""
    level, frame = 1, sys._getframe(1)
    while frame is not None and frame.f_code.co_filename == __file__:
        level += 1
        frame = frame.f_back  # type: ignore[assignment]
    return level


def _name(f: Callable[..., Any]) -> str:
    return getattr(f, "__name__", type(f).__name__)


def _normalize_argnums(argnums: Any, fname: str) -> tuple[tuple[int, ...], bool]:
    """``argnums`` as a tuple, and whether the caller gave a single int."""
    if isinstance(argnums, int) and not isinstance(argnums, bool):
        return (argnums,), True
    if (
        isinstance(argnums, (tuple, list))
        and argnums
        and all(isinstance(i, int) and not isinstance(i, bool) for i in argnums)
    ):
        return tuple(argnums), False
    raise TypeError(f"{fname}: argnums must be an int or a non-empty tuple of ints, got {argnums!r}")


def _with_argnums(
    impl: Callable[[_Call], Any], fname: str, f: Callable[..., Any], argnums: Any, speaks_at: int | None = 0
) -> Callable[..., Any]:
    """The transformed function: each call is one ``_Call`` handed to ``impl``.

    ``speaks_at``: the nesting depth at which a call warns about arguments the output does not
    depend on (0: when not inside another transform; None: never).
    """
    positions, single = _normalize_argnums(argnums, fname)
    if not callable(f):
        raise TypeError(f"{fname}: f must be callable, got {type(f).__name__}")

    @functools.wraps(f)
    def transformed(*args: Any, **kwargs: Any) -> Any:
        return impl(_Call(f, fname, args, kwargs, positions, single, speaks_at))

    transformed.__name__ = transformed.__qualname__ = f"{fname}({_name(f)})"
    return transformed


# --- grad and value_and_grad ---------------------------------------------------------------------


def _value_and_gradients(call: _Call) -> tuple[Any, list[Any]]:
    """Run ``f`` once and backward once: its output and the gradient of every chosen argument."""
    out = call.run()
    y = _scalar_output(out, call.fname)
    grads = [None] * len(call.wrapped) if y is None else call.gradients(y, None)
    call.warn_unreached([g is not None for g in grads])
    if call.as_nodes:
        value = Value(float(out)) if isinstance(out, numbers.Real) else out
    else:
        value = _plain_value(out)
    return value, call.results(grads)


def _scalar_output(out: Any, fname: str) -> Any:
    """The scalar node ``f`` returned, or None for a constant (a number, a Tensor needing no grad)."""
    if isinstance(out, Value):
        return out
    if isinstance(out, Tensor):
        if out.size != 1:
            raise ValueError(
                f"{fname}: f must return a scalar, but it returned a Tensor of shape {tuple(out.shape)}; "
                "use jacobian for a vector-valued function (or reduce the output, e.g. with .sum())"
            )
        return out if out.requires_grad else None
    if isinstance(out, (list, tuple)):
        raise TypeError(
            f"{fname}: f must return a scalar, but it returned a {type(out).__name__} of "
            f"{len(out)}; use jacobian for a vector-valued function"
        )
    if isinstance(out, (numbers.Real, np.ndarray)) and not isinstance(out, (bool, np.bool_)):
        shape = np.asarray(out).shape
        if len(shape) and np.prod(shape) != 1:
            raise ValueError(
                f"{fname}: f must return a scalar, but it returned an array of shape {shape}; "
                "use jacobian for a vector-valued function"
            )
        return None
    raise TypeError(f"{fname}: f must return a scalar Value, Tensor or number, got {type(out).__name__}")


def _plain_value(y: Any) -> Any:
    if isinstance(y, Value):
        return y.data
    if isinstance(y, Tensor):
        return float(y.data.reshape(())) if y.size == 1 else y.data.copy()
    return float(y) if isinstance(y, numbers.Real) or np.size(y) == 1 else np.asarray(y)


def _grad(call: _Call) -> Any:
    return call.per_argument(_value_and_gradients(call)[1])


def _value_and_grad(call: _Call) -> tuple[Any, Any]:
    value, grads = _value_and_gradients(call)
    return value, call.per_argument(grads)


def grad(f: Callable[..., Any], argnums: int | Sequence[int] = 0) -> Callable[..., Any]:
    """The gradient of a scalar-valued ``f`` as a function of the same arguments.

    ``grad(f)(x)`` is df/dx at ``x``, of the same type and shape as ``x``; with a tuple
    ``argnums`` it is a tuple of gradients. ``grad(grad(f))`` works to any order.

    >>> grad(lambda x, y: x * y**2, argnums=(0, 1))(3.0, 2.0)
    (4.0, 12.0)
    """
    return _with_argnums(_grad, "grad", f, argnums)


def value_and_grad(f: Callable[..., Any], argnums: int | Sequence[int] = 0) -> Callable[..., Any]:
    """Like ``grad``, but the function returns ``(f(*args), gradient)`` from one forward pass.

    >>> value_and_grad(lambda x: x**2)(3.0)
    (9.0, 6.0)
    """
    return _with_argnums(_value_and_grad, "value_and_grad", f, argnums)


# --- Jacobians -----------------------------------------------------------------------------------


class _Output:
    """One output of ``f`` for ``jacobian``: its shape and one (root, seed) per element."""

    def __init__(self, out: Any, fname: str) -> None:
        self.shape: tuple[int, ...]
        self.elements: list[tuple[Any, Any]] = []  # (root node or None for a constant, seed)
        if isinstance(out, Tensor):
            self.shape = tuple(out.shape)
            if out.requires_grad:
                self.elements = [(out, _one_hot(out, index)) for index in np.ndindex(self.shape)]
            else:  # computed from no argument: a constant
                self.elements = [(None, None)] * out.size
        elif isinstance(out, Value):
            self.shape = ()
            self.elements = [(out, 1.0)]
        elif isinstance(out, (numbers.Real, np.ndarray)) and not isinstance(out, (bool, np.bool_)):
            if np.asarray(out).dtype.kind not in "fiu":
                raise TypeError(f"{fname}: f returned an array of dtype {np.asarray(out).dtype}")
            self.shape = np.asarray(out).shape
            self.elements = [(None, None)] * int(np.prod(self.shape, dtype=int))
        elif isinstance(out, (list, tuple)):
            parts = [_Output(o, fname) for o in out]
            inner = {p.shape for p in parts}
            if len(inner) > 1:
                raise ValueError(
                    f"{fname}: f returned a {type(out).__name__} whose elements have different "
                    f"shapes {sorted(inner)}; return a Tensor or a tuple of outputs"
                )
            self.shape = (len(parts),) + (inner.pop() if parts else ())
            self.elements = [e for p in parts for e in p.elements]
        else:
            raise TypeError(
                f"{fname}: f must return Values, Tensors or numbers (or lists of them), "
                f"got {type(out).__name__}"
            )


def _one_hot(y: Tensor, index: tuple[int, ...]) -> np.ndarray:
    """The seed of a backward pass that picks out the element ``index`` of the output ``y``."""
    seed = np.zeros(y.shape, y.data.dtype)
    seed[index] = 1.0
    return seed


def _split_outputs(out: Any, fname: str, tuples_are_several: bool) -> tuple[list[_Output], bool]:
    """A tuple holding any Tensor or array (any tuple, with ``tuples_are_several``) is several
    outputs; anything else is one output."""
    if isinstance(out, tuple) and (
        tuples_are_several or any(isinstance(o, (np.ndarray, list, tuple, Tensor)) for o in out)
    ):
        return [_Output(o, fname) for o in out], False
    return [_Output(out, fname)], True


def _jacobian(call: _Call, tuples_are_several: bool = False) -> Any:
    """``J[k][i]``: the Jacobian of output k with respect to argument i, one backward per element."""
    outputs, one_output = _split_outputs(call.run(), call.fname, tuples_are_several)
    reached = [False] * len(call.wrapped)
    table = []
    for output in outputs:
        rows: list[list[Any]] = [[] for _ in call.wrapped]
        for root, seed in output.elements:
            grads = [None] * len(call.wrapped) if root is None else call.gradients(root, seed)
            reached = [r or g is not None for r, g in zip(reached, grads)]
            for row, g in zip(rows, call.results(grads)):
                row.append(g)
        table.append(
            call.per_argument(
                [_assemble(row, output.shape, a, call.as_nodes) for row, a in zip(rows, call.wrapped)]
            )
        )
    call.warn_unreached(reached)
    return table[0] if one_output else tuple(table)


def _assemble(parts: list[Any], out_shape: tuple[int, ...], arg: _Arg, as_nodes: bool) -> Any:
    """Lay the per-element gradients out as one Jacobian of shape ``out_shape + arg.shape``."""
    if not out_shape:
        return parts[0]
    if not as_nodes:
        return np.array(parts, dtype=arg.dtype).reshape(out_shape + tuple(arg.shape))
    if isinstance(arg.node, Value):
        return _nest(parts, out_shape)
    return stack(parts).reshape(out_shape + tuple(arg.shape))


def _nest(parts: list[Any], shape: tuple[int, ...]) -> list[Any]:
    if len(shape) == 1:
        return list(parts)
    step = len(parts) // shape[0]
    return [_nest(parts[j * step : (j + 1) * step], shape[1:]) for j in range(shape[0])]


def jacobian(f: Callable[..., Any], argnums: int | Sequence[int] = 0) -> Callable[..., Any]:
    """The Jacobian of ``f`` as a function: one reverse pass per element of the output.

    ``f`` may return a scalar, a list of scalars, a Tensor, or a tuple of Tensors. The Jacobian
    of an output of shape ``S`` with respect to an argument of shape ``A`` has shape ``S + A``;
    with a tuple ``argnums`` you get a tuple (one per argument), and for a tuple of outputs a
    tuple (one per output) of those.

    >>> jacobian(lambda x: [x * x, 3 * x])(2.0)
    array([4., 3.])
    """
    return _with_argnums(_jacobian, "jacobian", f, argnums)


def hessian(f: Callable[..., Any], argnums: int | Sequence[int] = 0) -> Callable[..., Any]:
    """The Hessian of a scalar-valued ``f`` as a function: the Jacobian of its gradient.

    For an argument of shape ``A`` the Hessian has shape ``A + A`` (a float for a float). With a
    tuple ``argnums`` it is the nested tuple ``H[i][j] = d2f / dx_i dx_j``.

    >>> hessian(lambda x, y: x**2 * y, argnums=(0, 1))(3.0, 2.0)
    ((4.0, 6.0), (6.0, 0.0))
    """
    # the gradient (inside the Jacobian's call) speaks for f; a constant gradient is no news
    gradient = _with_argnums(_grad, "hessian", f, argnums, speaks_at=1)
    of_each_gradient = functools.partial(_jacobian, tuples_are_several=True)
    hess = _with_argnums(of_each_gradient, "hessian", gradient, argnums, speaks_at=None)
    hess.__name__ = hess.__qualname__ = f"hessian({_name(f)})"
    return hess


# --- Hessian-vector products ---------------------------------------------------------------------


def hvp(f: Callable[..., Any], x: Any, v: Any) -> Any:
    """The Hessian of a scalar-valued ``f`` at ``x`` times ``v``, without forming the Hessian.

    Reverse over reverse: the gradient of ``<grad f(x), v>``, so it costs about two gradients
    whatever the size of ``x``. ``x`` and ``v`` have the same type and shape (a tuple of
    arguments and a tuple of directions work too); the result has them as well.

    >>> hvp(lambda x: x**3, 2.0, 1.0)
    12.0
    """
    if not callable(f):
        raise TypeError(f"hvp: f must be callable, got {type(f).__name__}")
    several = isinstance(x, tuple)
    xs = x if several else (x,)
    vs = v if several else (v,)
    if not isinstance(vs, tuple) or len(vs) != len(xs):
        raise ValueError(
            f"hvp: x is a tuple of {len(xs)} arguments, so v must be a tuple of {len(xs)} directions"
        )
    directions = tuple(_direction(i, a, d) for i, (a, d) in enumerate(zip(xs, vs)))
    everything = tuple(range(len(xs)))
    gradient = _with_argnums(_grad, "hvp", f, everything, speaks_at=1)

    def inner_product(*args: Any, directions: tuple[Any, ...]) -> Any:
        total: Any = 0.0
        for g, d in zip(gradient(*args), directions):
            product = g * d
            total = total + (product if isinstance(product, Value) else product.sum())
        return total

    outer = _with_argnums(_grad, "hvp", inner_product, everything, speaks_at=None)
    result = outer(*xs, directions=directions)
    return result if several else result[0]


def _direction(pos: int, x: Any, d: Any) -> Any:
    """Check the direction ``d`` of ``hvp`` against its argument ``x``; numbers stay numbers."""
    if isinstance(d, Node):
        shape = tuple(getattr(d, "shape", ()))
    elif isinstance(d, numbers.Real) and not isinstance(d, (bool, np.bool_)):
        shape, d = (), float(d)
    elif isinstance(d, np.ndarray) and d.dtype.kind in "fiu":
        dtype = x.dtype if isinstance(x, (np.ndarray, Tensor)) and x.dtype.kind == "f" else np.float64
        shape, d = d.shape, d.astype(dtype)
    else:
        raise TypeError(
            f"hvp: direction {pos} is {type(d).__name__} {_short(d)}; pass a float or a float array"
        )
    expected = tuple(np.shape(x.data if isinstance(x, Node) else x))
    if shape != expected:
        raise ValueError(f"hvp: direction {pos} has shape {shape} but its argument has shape {expected}")
    if not isinstance(x, (np.ndarray, Tensor)) and not isinstance(d, Node):
        d = float(d)
    return d
