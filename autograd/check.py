"""gradcheck: compare the engine's gradients with central finite differences in float64.

>>> from autograd import gradcheck
>>> gradcheck(lambda x, y: (x * y).tanh(), 0.5, -1.5)
True

Tensors and arrays work the same way (an input with more than 200 entries is checked along a
few random directions instead of entry by entry):

>>> import numpy as np
>>> gradcheck(lambda W, x: (W @ x).tanh().sum(), np.ones((2, 3)), np.array([0.1, -0.2, 0.3]))
True

The analytic side comes from the functional API (``grad``, ``hessian``, ``hvp``), so the
inputs become the nodes ``f`` sees exactly as they do there.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Iterator
from typing import Any

import numpy as np

from autograd.functional import fresh_leaf, grad, hessian, hvp
from autograd.graph import Node, no_grad
from autograd.tensor import Tensor
from autograd.value import Value

# Inputs with more entries than this are checked along random unit directions v: the analytic
# <grad, v> against (f(x + eps v) - f(x - eps v)) / 2eps, instead of one entry at a time.
_MAX_ENTRYWISE = 200
_MAX_HESSIAN = 64  # inputs with more entries in all: second derivatives along random directions
_DIRECTIONS = 3


class GradcheckError(AssertionError):
    """Raised by gradcheck when analytic and numeric gradients disagree; ``.table`` shows both."""

    def __init__(self, message: str, table: str) -> None:
        super().__init__(f"{message}\n{table}")
        self.table = table


class _Inputs:
    """The inputs as float64 arrays, and the plain form the transforms take (floats for scalars)."""

    def __init__(self, inputs: tuple[Any, ...]) -> None:
        try:
            self.arrays = [np.array(x.data if isinstance(x, Node) else x, dtype=np.float64) for x in inputs]
        except (TypeError, ValueError) as e:
            raise TypeError(
                "gradcheck: inputs must be Values, Tensors, real numbers or float arrays; cannot read "
                f"them as float64 numbers ({e})"
            ) from None
        for x in inputs:
            if isinstance(x, Node) and not isinstance(x, (Value, Tensor)):
                raise TypeError(
                    "gradcheck: inputs must be Values, Tensors, real numbers or float arrays, "
                    f"got {type(x).__name__}"
                )
        # Values and numbers are scalars; Tensors, arrays and lists are arrays
        self.scalar = [not isinstance(x, (Tensor, np.ndarray, list, tuple)) for x in inputs]
        self.argnums = tuple(range(len(inputs)))

    def plain(self, arrays: list[np.ndarray]) -> list[Any]:
        return [float(a) if s else a for a, s in zip(arrays, self.scalar)]

    def nodes(self, arrays: list[np.ndarray]) -> list[Any]:
        """Fresh leaves holding ``arrays``, of the kinds the transforms give ``f``."""
        with_arrays = not all(self.scalar)
        return [fresh_leaf(x, with_arrays) for x in self.plain(arrays)]

    def shifted(self, i: int, index: Any, step: Any) -> list[np.ndarray]:
        """The inputs with ``step`` added to input ``i`` (at ``index``, or everywhere for None)."""
        arrays = [a.copy() for a in self.arrays]
        if index is None:
            arrays[i] = arrays[i] + step
        else:
            arrays[i][index] += step
        return arrays


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
    given = _Inputs(inputs)
    _scalar(f(*given.nodes(given.arrays)))  # a clear error for a non-scalar output, first
    rows = list(_first_order(f, given, eps))
    _report(rows, ("input", "index"), "gradients differ from finite differences", atol, rtol, verbose)
    if order == 2:
        rows = list(_second_order(f, given, eps, atol, rtol))
        what = "second derivatives differ from differences of the gradient"
        _report(rows, ("d/d input", "d/d input"), what, atol, rtol, verbose)
    return True


def _gradient(f: Callable[..., Any], given: _Inputs, arrays: list[np.ndarray]) -> list[np.ndarray]:
    """The analytic gradient at ``arrays``, one float64 array per input."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # an input f ignores has a zero gradient
        grads = grad(f, given.argnums)(*given.plain(arrays))
    return [np.asarray(g, dtype=np.float64) for g in grads]


Entry = tuple[str, str, float, float]  # where, which (index or direction), analytic, numeric


def _first_order(f: Callable[..., Any], given: _Inputs, eps: float) -> Iterator[Entry]:
    """(input, index, analytic, numeric) for every entry, or along random directions."""

    def value_at(arrays: list[np.ndarray]) -> float:
        with no_grad():
            return _scalar(f(*given.nodes(arrays)))

    analytic = _gradient(f, given, given.arrays)
    rng = np.random.default_rng(0)
    for i, a in enumerate(given.arrays):
        if a.size > _MAX_ENTRYWISE:
            for k in range(_DIRECTIONS):
                v = rng.standard_normal(a.shape)
                v /= np.linalg.norm(v)
                plus, minus = given.shifted(i, None, eps * v), given.shifted(i, None, -eps * v)
                numeric = (value_at(plus) - value_at(minus)) / (2 * eps)
                yield str(i), f"dir {k}", float(np.sum(analytic[i] * v)), numeric
            continue
        for index in np.ndindex(a.shape):
            numeric = value_at(given.shifted(i, index, eps)) - value_at(given.shifted(i, index, -eps))
            yield str(i), str(index), float(analytic[i][index]), numeric / (2 * eps)


def _second_order(
    f: Callable[..., Any], given: _Inputs, eps: float, atol: float, rtol: float
) -> Iterator[Entry]:
    """Analytic second derivatives against central differences of the analytic gradient.

    With up to 64 entries in all, every entry of ``hessian(f)`` is checked against
    (grad f(x + eps e_j) - grad f(x - eps e_j)) / 2eps; with more, the Hessian-vector product
    ``hvp(f, x, v)`` along 3 random unit directions ``v`` (the worst entry of each input shown).
    """
    arrays = given.arrays

    def where(i: int, index: tuple[int, ...]) -> str:
        return f"{i}{list(index) if index else ''}"

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # an input f ignores has a zero Hessian row
        if sum(a.size for a in arrays) <= _MAX_HESSIAN:
            hess = hessian(f, given.argnums)(*given.plain(arrays))
            for j, a in enumerate(arrays):
                for index_j in np.ndindex(a.shape):
                    g_plus = _gradient(f, given, given.shifted(j, index_j, eps))
                    g_minus = _gradient(f, given, given.shifted(j, index_j, -eps))
                    for i, b in enumerate(arrays):
                        numeric_i = (g_plus[i] - g_minus[i]) / (2 * eps)
                        analytic_i = np.asarray(hess[i][j], dtype=np.float64)
                        for index_i in np.ndindex(b.shape):
                            got = float(analytic_i[index_i + index_j])
                            yield where(i, index_i), where(j, index_j), got, float(numeric_i[index_i])
            return
        rng = np.random.default_rng(0)
        for k in range(_DIRECTIONS):
            v = [rng.standard_normal(a.shape) for a in arrays]
            norm = float(np.sqrt(sum(float((d * d).sum()) for d in v)))
            v = [d / norm for d in v]
            analytic = hvp(f, tuple(given.plain(arrays)), tuple(given.plain(v)))
            g_plus = _gradient(f, given, [a + eps * d for a, d in zip(arrays, v)])
            g_minus = _gradient(f, given, [a - eps * d for a, d in zip(arrays, v)])
            for i, a in enumerate(arrays):
                got_i = np.asarray(analytic[i], dtype=np.float64).reshape(a.shape)
                numeric_i = (g_plus[i] - g_minus[i]) / (2 * eps)
                slack = np.abs(got_i - numeric_i) - (atol + rtol * np.abs(numeric_i))
                worst = np.unravel_index(int(np.argmax(slack)), a.shape) if a.ndim else ()
                index = tuple(int(n) for n in worst)
                yield where(i, index), f"dir {k}", float(got_i[worst]), float(numeric_i[worst])


def _report(
    rows: list[Entry],
    headings: tuple[str, str],
    what: str,
    atol: float,
    rtol: float,
    verbose: bool,
) -> None:
    """The side-by-side table of ``rows``; printed with ``verbose``, raised when any row fails."""
    first, second = headings
    width, width2 = max(5, len(first)), max(8, len(second))
    columns = f"{'analytic':>14} {'numeric':>14} {'abs err':>12}  ok"
    lines = [f"{first:>{width}}  {second:<{width2}} {columns}"]
    bad = 0
    for where, which, got, numeric in rows:
        err = abs(got - numeric)
        good = err <= atol + rtol * abs(numeric)
        bad += not good
        figures = f"{got:>14.8g} {numeric:>14.8g} {err:>12.3g}  {'yes' if good else 'NO'}"
        lines.append(f"{where:>{width}}  {which:<{width2}} {figures}")
    table = "\n".join(lines)
    if verbose:
        print(table)
    if bad:
        raise GradcheckError(f"gradcheck: {bad} of {len(rows)} {what}", table)
