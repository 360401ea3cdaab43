"""gradcheck: compare the engine's gradients with central finite differences in float64.

>>> from autograd import gradcheck
>>> gradcheck(lambda x, y: (x * y).tanh(), 0.5, -1.5)
True

Tensors and arrays work the same way (an input with more than 200 entries is checked along a
few random directions instead of entry by entry):

>>> import numpy as np
>>> gradcheck(lambda W, x: (W @ x).tanh().sum(), np.ones((2, 3)), np.array([0.1, -0.2, 0.3]))
True
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from typing import Any

import numpy as np

from autograd.graph import Node, no_grad
from autograd.tensor import Tensor
from autograd.value import Value

# Inputs with more entries than this are checked along random unit directions v: the analytic
# <grad, v> against (f(x + eps v) - f(x - eps v)) / 2eps, instead of one entry at a time.
_MAX_ENTRYWISE = 200
_DIRECTIONS = 3


class GradcheckError(AssertionError):
    """Raised by gradcheck when analytic and numeric gradients disagree; ``.table`` shows both."""

    def __init__(self, message: str, table: str) -> None:
        super().__init__(f"{message}\n{table}")
        self.table = table


def _leaf(like: Any, data: np.ndarray, with_arrays: bool) -> Any:
    """A fresh leaf of the same kind as the input ``like``, holding ``data``.

    Tensors, ndarrays and lists give Tensor leaves; Values give Value leaves; numbers give Value
    leaves too, or 0-d Tensor leaves ``with_arrays`` (when another input is array-like).
    """
    if isinstance(like, (Tensor, np.ndarray, list, tuple)) or (with_arrays and not isinstance(like, Node)):
        return Tensor(data, requires_grad=True)
    if isinstance(like, Value) or np.ndim(like) == 0:
        return Value(float(data))
    raise TypeError(
        f"gradcheck: inputs must be Values, Tensors, real numbers or float arrays, got {type(like).__name__}"
    )


def _scalar(out: Any) -> float:
    if isinstance(out, Value):
        return out.data
    if isinstance(out, Tensor):
        if out.size == 1:
            return float(out.data.reshape(()))
        raise TypeError(
            f"gradcheck: f must return a scalar, got a Tensor of shape {out.shape}; reduce it (e.g. .sum())"
        )
    raise TypeError(
        f"gradcheck: f must return a scalar Value or a one-element Tensor, got {type(out).__name__}"
    )


def _grad_array(leaf: Any, shape: tuple[int, ...]) -> np.ndarray:
    grad = leaf.grad
    if grad is None:  # a Tensor that f did not use
        return np.zeros(shape)
    return np.array(grad.data if isinstance(grad, Node) else grad, dtype=np.float64).reshape(shape)


def gradcheck(
    f: Callable[..., Any],
    *inputs: Any,
    eps: float = 1e-6,
    atol: float = 1e-5,
    rtol: float = 1e-3,
    verbose: bool = False,
    order: int = 1,
) -> bool:
    """Check d f / d input for every input against central differences (f(x+eps) - f(x-eps)) / 2eps.

    ``inputs`` are Values or numbers (checked as Values) or Tensors and float arrays (checked as
    float64 Tensors; numbers beside them are checked as 0-d Tensors, which combine with Tensors
    as Values do not); ``f`` takes them positionally and returns a scalar Value or a one-element
    Tensor. An input with more than 200 entries is checked along 3 random unit directions ``v``
    (the analytic ``<grad, v>`` against the difference quotient along ``v``) instead of entrywise.
    Returns True when every gradient satisfies ``|analytic - numeric| <= atol + rtol * |numeric|``;
    otherwise raises ``GradcheckError`` whose ``.table`` lists both side by side. ``verbose``
    prints the table in either case.

    ``order=2`` checks the second derivatives as well: every entry of the analytic Hessian
    (``autograd.hessian``, built by differentiating the gradient graph) against central
    differences of the analytic gradient, d/dx_j (df/dx_i) ~ (g_i(x + eps e_j) - g_i(x - eps e_j)) / 2eps.

    >>> gradcheck(lambda x: x ** 3, 2.0, verbose=True)  # doctest: +NORMALIZE_WHITESPACE
    input  index       analytic        numeric      abs err  ok
        0     ()             12             12     ...
    True
    """
    if not inputs:
        raise ValueError("gradcheck: give at least one input to differentiate with respect to")
    if order not in (1, 2):
        raise ValueError(f"gradcheck: order must be 1 or 2, got {order!r}")
    try:
        arrays = [np.array(x.data if isinstance(x, Node) else x, dtype=np.float64) for x in inputs]
    except (TypeError, ValueError) as e:
        raise TypeError(
            f"gradcheck: inputs must be Values, Tensors, real numbers or float arrays; cannot read "
            f"them as float64 numbers ({e})"
        ) from None
    with_arrays = any(isinstance(x, (Tensor, np.ndarray, list, tuple)) for x in inputs)
    leaves = [_leaf(x, a, with_arrays) for x, a in zip(inputs, arrays)]
    out = f(*leaves)
    _scalar(out)  # a clear error for a non-scalar output, before any differencing
    out.backward()
    analytic = [_grad_array(leaf, a.shape) for leaf, a in zip(leaves, arrays)]

    def evaluate(i: int, shifted: np.ndarray) -> float:
        args = [
            _leaf(x, shifted if j == i else a, with_arrays) for j, (x, a) in enumerate(zip(inputs, arrays))
        ]
        return _scalar(f(*args))

    rows: list[tuple[int, Any, float, float, float, bool]] = []
    ok = True
    rng = np.random.default_rng(0)
    with no_grad():
        for i, a in enumerate(arrays):
            if a.size > _MAX_ENTRYWISE:
                for k in range(_DIRECTIONS):
                    v = rng.standard_normal(a.shape)
                    v /= np.linalg.norm(v)
                    numeric = (evaluate(i, a + eps * v) - evaluate(i, a - eps * v)) / (2 * eps)
                    got = float(np.sum(analytic[i] * v))
                    err = abs(got - numeric)
                    good = bool(err <= atol + rtol * abs(numeric))
                    ok = ok and good
                    rows.append((i, f"dir {k}", got, numeric, err, good))
                continue
            for index in np.ndindex(a.shape):
                plus, minus = a.copy(), a.copy()
                plus[index] += eps
                minus[index] -= eps
                numeric = (evaluate(i, plus) - evaluate(i, minus)) / (2 * eps)
                got = float(analytic[i][index])
                err = abs(got - numeric)
                good = bool(err <= atol + rtol * abs(numeric))
                ok = ok and good
                rows.append((i, index, got, numeric, err, good))
    table = _format(rows)
    if verbose:
        print(table)
    if not ok:
        bad = sum(not r[-1] for r in rows)
        raise GradcheckError(
            f"gradcheck: {bad} of {len(rows)} gradients differ from finite differences", table
        )
    if order == 2:
        _check_second_order(f, inputs, eps, atol, rtol, verbose)
    return True


def _format(rows: list[tuple[int, Any, float, float, float, bool]]) -> str:
    lines = [f"{'input':>5}  {'index':<8} {'analytic':>14} {'numeric':>14} {'abs err':>12}  ok"]
    for i, index, got, numeric, err, good in rows:
        lines.append(
            f"{i:>5}  {str(index):<8} {got:>14.8g} {numeric:>14.8g} {err:>12.3g}  {'yes' if good else 'NO'}"
        )
    return "\n".join(lines)


_MAX_HESSIAN = 64  # inputs with more entries in all: second derivatives along random directions


def _check_second_order(
    f: Callable[..., Any], inputs: tuple[Any, ...], eps: float, atol: float, rtol: float, verbose: bool
) -> None:
    """The order-2 part of gradcheck: analytic second derivatives against differences of the gradient.

    With up to 64 entries in all, every entry of ``hessian(f)`` is checked against
    (grad f(x + eps e_j) - grad f(x - eps e_j)) / 2eps; with more, the Hessian-vector product
    ``hvp(f, x, v)`` along 3 random unit directions ``v`` (the worst entry of each input shown).
    """
    from autograd.functional import grad, hessian, hvp  # functional builds on check's neighbours

    plain = [np.array(x.data if isinstance(x, Node) else x, dtype=np.float64) for x in inputs]
    # the leaves gradcheck itself uses: Values for Values and numbers, Tensors for Tensors and
    # arrays (the transforms make numbers beside arrays 0-d Tensors, as _leaf does)
    scalar = [not isinstance(x, (Tensor, np.ndarray, list, tuple)) for x in inputs]

    def call_args(arrays: list[np.ndarray]) -> list[Any]:
        return [float(a) if s else a for a, s in zip(arrays, scalar)]

    argnums = tuple(range(len(plain)))
    gradient = grad(f, argnums)

    def grad_at(arrays: list[np.ndarray]) -> list[np.ndarray]:
        return [np.asarray(g, dtype=np.float64) for g in gradient(*call_args(arrays))]

    def where(i: int, index: tuple[int, ...]) -> str:
        return f"{i}{list(index) if index else ''}"

    rows: list[tuple[str, str, float, float, float, bool]] = []

    def add(first: str, second: str, got: float, numeric: float) -> None:
        err = abs(got - numeric)
        rows.append((first, second, got, numeric, err, bool(err <= atol + rtol * abs(numeric))))

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # an input f ignores has a zero Hessian row
        if sum(a.size for a in plain) <= _MAX_HESSIAN:
            hess = hessian(f, argnums)(*call_args(plain))
            for j, a in enumerate(plain):
                for index_j in np.ndindex(a.shape):
                    plus, minus = [p.copy() for p in plain], [p.copy() for p in plain]
                    plus[j][index_j] += eps
                    minus[j][index_j] -= eps
                    g_plus, g_minus = grad_at(plus), grad_at(minus)
                    for i, b in enumerate(plain):
                        numeric_i = (g_plus[i] - g_minus[i]) / (2 * eps)
                        analytic_i = np.asarray(hess[i][j], dtype=np.float64)
                        for index_i in np.ndindex(b.shape):
                            got = float(analytic_i[index_i + index_j])
                            add(where(i, index_i), where(j, index_j), got, float(numeric_i[index_i]))
        else:
            rng = np.random.default_rng(0)
            for k in range(3):
                v = [rng.standard_normal(a.shape) for a in plain]
                norm = float(np.sqrt(sum(float((d * d).sum()) for d in v)))
                v = [d / norm for d in v]
                analytic = hvp(f, tuple(call_args(plain)), tuple(call_args(v)))
                g_plus = grad_at([a + eps * d for a, d in zip(plain, v)])
                g_minus = grad_at([a - eps * d for a, d in zip(plain, v)])
                for i, a in enumerate(plain):
                    got_i = np.asarray(analytic[i], dtype=np.float64).reshape(a.shape)
                    numeric_i = (g_plus[i] - g_minus[i]) / (2 * eps)
                    slack = np.abs(got_i - numeric_i) - (atol + rtol * np.abs(numeric_i))
                    worst = np.unravel_index(int(np.argmax(slack)), a.shape) if a.ndim else ()
                    add(
                        where(i, tuple(int(n) for n in worst)),
                        f"dir {k}",
                        float(got_i[worst]),
                        float(numeric_i[worst]),
                    )
    lines = [f"{'d/d input':<12} {'d/d input':<12} {'analytic':>14} {'numeric':>14} {'abs err':>12}  ok"]
    for first, second, got, numeric, err, good in rows:
        lines.append(
            f"{first:<12} {second:<12} {got:>14.8g} {numeric:>14.8g} {err:>12.3g}  {'yes' if good else 'NO'}"
        )
    table = "\n".join(lines)
    if verbose:
        print(table)
    bad = sum(not r[-1] for r in rows)
    if bad:
        raise GradcheckError(
            f"gradcheck: {bad} of {len(rows)} second derivatives differ from differences of the gradient",
            table,
        )
