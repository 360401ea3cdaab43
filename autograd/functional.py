"""Gradients as functions: ``grad``, ``value_and_grad``, ``jacobian``, ``hessian``, ``hvp``.

They sit on top of ``backward``: each call wraps the arguments it differentiates in fresh leaves,
runs ``f`` on them, and runs the ordinary backward pass from the output.

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
    the graph of their arguments (``backward(create_graph=True)`` under the hood): that is what
    makes ``grad(grad(f))`` and ``hessian`` work, and what lets a caller differentiate a gradient.

No side effects
    The caller's nodes keep their ``.grad``: the transforms differentiate with respect to fresh
    leaves and put back the ``.grad`` of every node their backward passes touched (parameters
    that ``f`` reads from an enclosing scope included). Under ``no_grad`` they still work.

Several arguments
    ``argnums`` is an int or a tuple of ints; with a tuple, ``grad`` returns a tuple of
    gradients, ``jacobian`` a tuple of Jacobians and ``hessian`` the nested tuple
    ``H[i][j] = d2f / dx_i dx_j`` (``np.array(H)`` is the matrix for scalar arguments).
    Other arguments (and keyword arguments) are passed to ``f`` untouched.

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
import threading
import warnings
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any

import numpy as np

from autograd.graph import Node, grad_mode, topological_order
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
    previous = grad_mode.enabled
    grad_mode.enabled = True
    _depth.value += 1
    try:
        yield
    finally:
        _depth.value -= 1
        grad_mode.enabled = previous


@contextmanager
def _grads_restored(roots: Sequence[Any]) -> Iterator[None]:
    """Put back the ``.grad`` of every node the roots depend on once the block is done."""
    saved: dict[Node, Any] = {}
    for root in roots:
        if isinstance(root, Node) and root not in saved:
            for node in topological_order(root):
                if node not in saved:
                    saved[node] = node.grad
    previous = grad_mode.enabled
    grad_mode.enabled = True
    try:
        yield
    finally:
        grad_mode.enabled = previous
        for node, g in saved.items():
            node.grad = g


def _reaches(roots: Sequence[Any], leaves: Sequence[Node]) -> list[bool]:
    """Which of ``leaves`` some root was computed from."""
    seen: set[Node] = set()
    for root in roots:
        if isinstance(root, Node) and root not in seen:
            seen.update(topological_order(root))
    return [leaf in seen for leaf in leaves]


def _pass_through(g: Any, out: Any, a: Any) -> Any:
    """The rule of an argument's leaf once it is wired to the caller's node: identity."""
    return g


# --- the arguments -------------------------------------------------------------------------------


class _Arg:
    """One differentiated argument: what the caller passed and the fresh leaf ``f`` sees."""

    __slots__ = ("pos", "source", "kind", "leaf", "empty", "shape", "dtype")
    kind: str
    shape: tuple[int, ...]
    dtype: np.dtype[Any]
    leaf: Any

    def __init__(self, pos: int, x: Any, fname: str, with_arrays: bool = False) -> None:
        self.pos = pos
        self.source = x
        if isinstance(x, Value):
            self.kind, self.shape, self.dtype = "value", (), np.dtype(np.float64)
            self.leaf = Value(x.data, label=x.label)
        elif isinstance(x, Tensor):
            _check_float_dtype(x.data, pos, fname)
            self.kind, self.shape, self.dtype = "tensor", tuple(x.shape), x.data.dtype
            self.leaf = Tensor(x.data, requires_grad=True, label=x.label)
        elif isinstance(x, (bool, np.bool_)):
            raise TypeError(
                f"{fname}: argument {pos} is the bool {x!r}, which cannot be differentiated; pass a float"
            )
        elif isinstance(x, numbers.Real):  # floats, and ints taken as floats
            self.kind, self.shape, self.dtype = "float", (), np.dtype(np.float64)
            # beside arrays a number is a 0-d Tensor (a Value does not mix with Tensors)
            self.leaf = Tensor(float(x), requires_grad=True) if with_arrays else Value(float(x))
        elif isinstance(x, np.ndarray):
            _check_float_dtype(x, pos, fname)
            self.kind, self.shape, self.dtype = "array", x.shape, x.dtype
            self.leaf = Tensor(x, requires_grad=True)
        else:
            hint = "; pass np.array(...) for an array" if isinstance(x, (list, tuple)) else ""
            raise TypeError(
                f"{fname}: argument {pos} is {type(x).__name__} {_short(x)}, which cannot be "
                f"differentiated: pass a float, a Value, a float ndarray or a Tensor{hint}"
            )
        self.empty = self.leaf.grad

    def reset(self) -> None:
        self.leaf.grad = self.empty

    def gradient(self, as_node: bool) -> Any:
        """The leaf's gradient from the last pass, as a node or as a plain float/ndarray."""
        g = self.leaf.grad
        if self.kind == "float" and not as_node and not isinstance(self.leaf, Value):
            return 0.0 if g is None else float(g.data if isinstance(g, Node) else g)
        if isinstance(self.leaf, Value):
            if as_node:
                return g if isinstance(g, Value) else Value(float(g))
            return float(g.data if isinstance(g, Value) else g)
        if as_node:
            if isinstance(g, Tensor):
                return g
            return Tensor(np.zeros(self.shape, self.dtype) if g is None else g)
        if g is None:
            return np.zeros(self.shape, self.dtype)
        data = g.data if isinstance(g, Tensor) else g
        return np.array(data, dtype=self.dtype).reshape(self.shape)

    def zero(self, as_node: bool) -> Any:
        if isinstance(self.leaf, Value):
            return Value(0.0) if as_node else 0.0
        data = np.zeros(self.shape, self.dtype)
        if as_node:
            return Tensor(data)
        return 0.0 if self.kind == "float" else data

    def connect(self) -> None:
        """Wire the leaf to the caller's node, so what was computed from it depends on that node."""
        if _differentiable(self.source):
            self.leaf._inputs = (self.source,)
            self.leaf._vjps = (_pass_through,)


def _check_float_dtype(a: np.ndarray, pos: int, fname: str) -> None:
    if a.dtype.kind != "f":
        raise TypeError(
            f"{fname}: argument {pos} is an array of dtype {a.dtype}, which cannot be "
            "differentiated; pass a float array (np.asarray(x, dtype=float))"
        )


def _short(x: Any) -> str:
    text = repr(x)
    return text if len(text) <= 40 else text[:37] + "..."


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


def _wrap(
    args: tuple[Any, ...], argnums: tuple[int, ...], fname: str, kwargs: dict[str, Any] | None = None
) -> list[_Arg]:
    """The chosen arguments as ``_Arg``s. Numbers are Value leaves, unless some argument is an
    ndarray or a Tensor: then they are 0-d Tensor leaves, so that ``f`` can combine them."""
    n = len(args)
    positions = []
    for i in argnums:
        if not -n <= i < n:
            raise ValueError(
                f"{fname}: argnums asks for argument {i}, but f was called with {n} positional "
                f"argument{'s' if n != 1 else ''}"
            )
        positions.append(i % n)
    if len(set(positions)) != len(positions):
        raise ValueError(f"{fname}: argnums {argnums} names an argument twice")
    others = list(args) + list((kwargs or {}).values())
    with_arrays = any(isinstance(a, (np.ndarray, Tensor)) for a in others)
    return [_Arg(i, args[i], fname, with_arrays) for i in positions]


def _differentiable(x: Any) -> bool:
    """A node a backward pass can go through: any Value, a Tensor that requires grad."""
    return isinstance(x, Node) and (isinstance(x, Value) or bool(getattr(x, "requires_grad", False)))


def _as_nodes(args: Sequence[Any], kwargs: dict[str, Any], positions: Sequence[int]) -> bool:
    """Return nodes, not plain numbers: inside another transform, for a differentiated argument
    that is a Value or Tensor, or when another argument is a node the caller may differentiate."""
    if _depth.value > 0:
        return True
    return (
        any(isinstance(args[i], Node) for i in positions if -len(args) <= i < len(args))
        or any(_differentiable(a) for a in args)
        or any(_differentiable(a) for a in kwargs.values())
    )


def _call(f: Callable[..., Any], args: tuple[Any, ...], kwargs: dict[str, Any], wrapped: list[_Arg]) -> Any:
    call_args = list(args)
    for a in wrapped:
        call_args[a.pos] = a.leaf
    with _tracing():
        return f(*call_args, **kwargs)


def _name(f: Callable[..., Any]) -> str:
    return getattr(f, "__name__", type(f).__name__)


def _warn_unreached(
    fname: str, f: Callable[..., Any], wrapped: list[_Arg], reached: list[bool], depth: int = 3
) -> None:
    if _depth.value > 0:  # nested: only the outermost transform speaks
        return
    for a, ok in zip(wrapped, reached):
        if not ok:
            warnings.warn(
                f"{fname}: the output of {_name(f)} was not computed from argument {a.pos}, "
                "so its gradient is zero",
                UserWarning,
                stacklevel=depth,  # the line that called the transformed function
            )


# --- outputs -------------------------------------------------------------------------------------


def _scalar_output(out: Any, fname: str) -> Any:
    """The scalar node ``f`` returned, or None for a constant number."""
    if isinstance(out, Value):
        return out
    if isinstance(out, Tensor):
        if out.size != 1:
            raise ValueError(
                f"{fname}: f must return a scalar, but it returned a Tensor of shape {tuple(out.shape)}; "
                "use jacobian for a vector-valued function (or reduce the output, e.g. with .sum())"
            )
        return out if out.requires_grad else None  # a Tensor computed from no argument: a constant
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


def _seed(y: Any, index: tuple[int, ...] | None = None) -> Any:
    """The ``grad`` argument of ``backward`` that picks out one element of the output ``y``."""
    if isinstance(y, Value):
        return 1.0
    seed = np.zeros(y.shape, y.data.dtype)
    seed[index if index is not None else (0,) * y.ndim] = 1.0
    return seed


def _plain_value(y: Any) -> Any:
    if isinstance(y, Value):
        return y.data
    if isinstance(y, Tensor):
        return float(y.data.reshape(())) if y.size == 1 else y.data.copy()
    return float(y) if isinstance(y, numbers.Real) or np.size(y) == 1 else np.asarray(y)


def _gradients(
    f: Callable[..., Any], args: tuple[Any, ...], kwargs: dict[str, Any], argnums: tuple[int, ...], fname: str
) -> tuple[Any, list[Any], bool]:
    """Run ``f`` once and backward once: its output and the gradient of every chosen argument."""
    as_nodes = _as_nodes(args, kwargs, argnums)
    wrapped = _wrap(args, argnums, fname, kwargs)
    out = _call(f, args, kwargs, wrapped)
    y = _scalar_output(out, fname)
    leaves = [a.leaf for a in wrapped]
    _warn_unreached(fname, f, wrapped, _reaches([y], leaves), depth=4)
    if y is None:
        grads = [a.zero(as_nodes) for a in wrapped]
    else:
        with _grads_restored([y]):
            y.backward(_seed(y), create_graph=as_nodes)
            grads = [a.gradient(as_nodes) for a in wrapped]
            for a in wrapped:
                a.reset()
    if as_nodes:
        for a in wrapped:
            a.connect()
        value = Value(float(out)) if isinstance(out, numbers.Real) else out
    else:
        value = _plain_value(out)
    return value, grads, as_nodes


def grad(f: Callable[..., Any], argnums: int | Sequence[int] = 0) -> Callable[..., Any]:
    """The gradient of a scalar-valued ``f`` as a function of the same arguments.

    ``grad(f)(x)`` is df/dx at ``x``, of the same type and shape as ``x``; with a tuple
    ``argnums`` it is a tuple of gradients. ``grad(grad(f))`` works to any order.

    >>> grad(lambda x, y: x * y**2, argnums=(0, 1))(3.0, 2.0)
    (4.0, 12.0)
    """
    positions, single = _normalize_argnums(argnums, "grad")
    if not callable(f):
        raise TypeError(f"grad: f must be callable, got {type(f).__name__}")

    @functools.wraps(f)
    def gradient(*args: Any, **kwargs: Any) -> Any:
        _, grads, _ = _gradients(f, args, kwargs, positions, "grad")
        return grads[0] if single else tuple(grads)

    gradient.__name__ = f"grad({_name(f)})"
    gradient.__qualname__ = gradient.__name__
    return gradient


def value_and_grad(f: Callable[..., Any], argnums: int | Sequence[int] = 0) -> Callable[..., Any]:
    """Like ``grad``, but the function returns ``(f(*args), gradient)`` from one forward pass.

    >>> value_and_grad(lambda x: x**2)(3.0)
    (9.0, 6.0)
    """
    positions, single = _normalize_argnums(argnums, "value_and_grad")
    if not callable(f):
        raise TypeError(f"value_and_grad: f must be callable, got {type(f).__name__}")

    @functools.wraps(f)
    def value_and_gradient(*args: Any, **kwargs: Any) -> tuple[Any, Any]:
        value, grads, _ = _gradients(f, args, kwargs, positions, "value_and_grad")
        return value, grads[0] if single else tuple(grads)

    value_and_gradient.__name__ = f"value_and_grad({_name(f)})"
    value_and_gradient.__qualname__ = value_and_gradient.__name__
    return value_and_gradient


# --- Jacobians -----------------------------------------------------------------------------------


class _Output:
    """One output of ``f`` for ``jacobian``: its shape and one (root, seed) per element."""

    def __init__(self, out: Any, fname: str) -> None:
        self.shape: tuple[int, ...]
        self.elements: list[tuple[Any, Any]] = []  # (root node or None for a constant, seed)
        if isinstance(out, Tensor):
            self.shape = tuple(out.shape)
            if out.requires_grad:
                self.elements = [(out, _seed(out, index)) for index in np.ndindex(self.shape)]
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

    def roots(self) -> list[Any]:
        return [root for root, _ in self.elements if root is not None]


def _split_outputs(out: Any, fname: str) -> tuple[list[_Output], bool]:
    """A tuple holding any Tensor or array is several outputs; anything else is one output."""
    if isinstance(out, tuple) and any(isinstance(o, (np.ndarray, list, tuple, Tensor)) for o in out):
        return [_Output(o, fname) for o in out], False
    return [_Output(out, fname)], True


def _jacobians(outputs: list[_Output], wrapped: list[_Arg], as_nodes: bool) -> list[list[Any]]:
    """``J[k][i]``: the Jacobian of output k with respect to argument i, one backward per element."""
    rows: list[list[list[Any]]] = [[[] for _ in wrapped] for _ in outputs]
    roots = [r for o in outputs for r in o.roots()]
    with _grads_restored(roots):
        for k, output in enumerate(outputs):
            for root, seed in output.elements:
                if root is None:
                    for i, a in enumerate(wrapped):
                        rows[k][i].append(a.zero(as_nodes))
                    continue
                for a in wrapped:
                    a.reset()
                root.backward(seed, create_graph=as_nodes)
                for i, a in enumerate(wrapped):
                    rows[k][i].append(a.gradient(as_nodes))
        for a in wrapped:
            a.reset()
    return [
        [_assemble(rows[k][i], o.shape, a, as_nodes) for i, a in enumerate(wrapped)]
        for k, o in enumerate(outputs)
    ]


def _assemble(parts: list[Any], out_shape: tuple[int, ...], arg: _Arg, as_nodes: bool) -> Any:
    """Lay the per-element gradients out as one Jacobian of shape ``out_shape + arg.shape``."""
    if not out_shape:
        return parts[0]
    if not as_nodes:
        return np.array(parts, dtype=arg.dtype).reshape(out_shape + tuple(arg.shape))
    if isinstance(arg.leaf, Value):
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
    positions, single = _normalize_argnums(argnums, "jacobian")
    if not callable(f):
        raise TypeError(f"jacobian: f must be callable, got {type(f).__name__}")

    @functools.wraps(f)
    def jac(*args: Any, **kwargs: Any) -> Any:
        as_nodes = _as_nodes(args, kwargs, positions)
        wrapped = _wrap(args, positions, "jacobian", kwargs)
        out = _call(f, args, kwargs, wrapped)
        outputs, one_output = _split_outputs(out, "jacobian")
        _warn_unreached(
            "jacobian",
            f,
            wrapped,
            _reaches([r for o in outputs for r in o.roots()], [a.leaf for a in wrapped]),
        )
        table = _jacobians(outputs, wrapped, as_nodes)
        if as_nodes:
            for a in wrapped:
                a.connect()
        per_output = [row[0] if single else tuple(row) for row in table]
        return per_output[0] if one_output else tuple(per_output)

    jac.__name__ = f"jacobian({_name(f)})"
    jac.__qualname__ = jac.__name__
    return jac


def hessian(f: Callable[..., Any], argnums: int | Sequence[int] = 0) -> Callable[..., Any]:
    """The Hessian of a scalar-valued ``f`` as a function: the Jacobian of its gradient.

    For an argument of shape ``A`` the Hessian has shape ``A + A`` (a float for a float). With a
    tuple ``argnums`` it is the nested tuple ``H[i][j] = d2f / dx_i dx_j``.

    >>> hessian(lambda x, y: x**2 * y, argnums=(0, 1))(3.0, 2.0)
    ((4.0, 6.0), (6.0, 0.0))
    """
    positions, single = _normalize_argnums(argnums, "hessian")
    if not callable(f):
        raise TypeError(f"hessian: f must be callable, got {type(f).__name__}")

    @functools.wraps(f)
    def hess(*args: Any, **kwargs: Any) -> Any:
        as_nodes = _as_nodes(args, kwargs, positions)
        wrapped = _wrap(args, positions, "hessian", kwargs)
        out = _call(f, args, kwargs, wrapped)
        y = _scalar_output(out, "hessian")
        leaves = [a.leaf for a in wrapped]
        _warn_unreached("hessian", f, wrapped, _reaches([y], leaves))
        grads: list[Any] = [None] * len(wrapped)
        with _grads_restored([y]):
            if y is not None:
                y.backward(_seed(y), create_graph=True)
                grads = [a.gradient(True) for a in wrapped]
                for a in wrapped:
                    a.reset()
            outputs = [
                _Output(g, "hessian") if g is not None else _zero_output(a) for g, a in zip(grads, wrapped)
            ]
            table = _jacobians(outputs, wrapped, as_nodes)
        if as_nodes:
            for a in wrapped:
                a.connect()
        return table[0][0] if single else tuple(tuple(row) for row in table)

    hess.__name__ = f"hessian({_name(f)})"
    hess.__qualname__ = hess.__name__
    return hess


def _zero_output(arg: _Arg) -> _Output:
    return _Output(np.zeros(arg.shape) if arg.shape else 0.0, "hessian")


# --- Hessian-vector products ---------------------------------------------------------------------


def hvp(f: Callable[..., Any], x: Any, v: Any) -> Any:
    """The Hessian of a scalar-valued ``f`` at ``x`` times ``v``, without forming the Hessian.

    Reverse over reverse: the gradient ``g`` of ``f`` is computed as a graph
    (``create_graph=True``), then ``<g, v>`` is differentiated once more, so it costs about two
    gradients whatever the size of ``x``. ``x`` and ``v`` have the same type and shape (a tuple of
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
    as_nodes = _as_nodes(xs + vs, {}, range(len(xs)))
    wrapped = _wrap(xs, tuple(range(len(xs))), "hvp")
    directions = [_direction(a, d) for a, d in zip(wrapped, vs)]
    out = _call(f, xs, {}, wrapped)
    y = _scalar_output(out, "hvp")
    _warn_unreached("hvp", f, wrapped, _reaches([y], [a.leaf for a in wrapped]))
    if y is None:
        results = [a.zero(as_nodes) for a in wrapped]
    else:
        with _grads_restored([y]):
            y.backward(_seed(y), create_graph=True)
            grads = [a.gradient(True) for a in wrapped]
            for a in wrapped:
                a.reset()
            inner: Any = 0.0
            for g, d in zip(grads, directions):
                product = g * d
                inner = inner + (product if isinstance(product, Value) else product.sum())
            if _differentiable(inner):
                with _grads_restored([inner]):
                    inner.backward(_seed(inner), create_graph=as_nodes)
                    results = [a.gradient(as_nodes) for a in wrapped]
                    for a in wrapped:
                        a.reset()
            else:
                results = [a.zero(as_nodes) for a in wrapped]
    if as_nodes:
        for a in wrapped:
            a.connect()
    return tuple(results) if several else results[0]


def _direction(arg: _Arg, d: Any) -> Any:
    """Check a direction of ``hvp`` against its argument; numbers stay numbers (constants)."""
    if isinstance(d, Node):
        shape = tuple(getattr(d, "shape", ()))
    elif isinstance(d, numbers.Real) and not isinstance(d, (bool, np.bool_)):
        shape, d = (), float(d)
    elif isinstance(d, np.ndarray) and d.dtype.kind in "fiu":
        shape, d = d.shape, d.astype(arg.dtype)
    else:
        raise TypeError(
            f"hvp: direction {arg.pos} is {type(d).__name__} {_short(d)}; pass a float or a float array"
        )
    if arg.kind in ("value", "float") and not isinstance(d, Node):
        d = float(d)
    if shape != tuple(arg.shape):
        raise ValueError(
            f"hvp: direction {arg.pos} has shape {shape} but its argument has shape {tuple(arg.shape)}"
        )
    return d
