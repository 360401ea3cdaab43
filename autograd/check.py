"""gradcheck: compare the engine's gradients with central finite differences in float64.

>>> from autograd import gradcheck
>>> gradcheck(lambda x, y: (x * y).tanh(), 0.5, -1.5)
True
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from autograd.graph import no_grad
from autograd.value import Value


class GradcheckError(AssertionError):
    """Raised by gradcheck when analytic and numeric gradients disagree; ``.table`` shows both."""

    def __init__(self, message: str, table: str) -> None:
        super().__init__(f"{message}\n{table}")
        self.table = table


def _leaf(like: Any, data: np.ndarray) -> Any:
    """A fresh leaf of the same kind as the input ``like``, holding ``data``."""
    if isinstance(like, Value) or np.ndim(like) == 0:
        return Value(float(data))
    raise TypeError(f"gradcheck: inputs must be Values or real numbers, got {type(like).__name__}")


def _scalar(out: Any) -> float:
    if isinstance(out, Value):
        return out.data
    raise TypeError(f"gradcheck: f must return a scalar Value, got {type(out).__name__}")


def gradcheck(
    f: Callable[..., Any],
    *inputs: Any,
    eps: float = 1e-6,
    atol: float = 1e-5,
    rtol: float = 1e-3,
    verbose: bool = False,
) -> bool:
    """Check d f / d input for every input against central differences (f(x+eps) - f(x-eps)) / 2eps.

    ``inputs`` are Values or numbers; ``f`` takes them positionally and returns a scalar Value.
    Returns True when every gradient satisfies ``|analytic - numeric| <= atol + rtol * |numeric|``;
    otherwise raises ``GradcheckError`` whose ``.table`` lists both side by side. ``verbose``
    prints the table in either case.

    >>> gradcheck(lambda x: x ** 3, 2.0, verbose=True)  # doctest: +NORMALIZE_WHITESPACE
    input  index       analytic        numeric      abs err  ok
        0     ()             12             12     ...
    True
    """
    if not inputs:
        raise ValueError("gradcheck: give at least one input to differentiate with respect to")
    arrays = [np.array(x.data if isinstance(x, Value) else x, dtype=np.float64) for x in inputs]
    leaves = [_leaf(x, a) for x, a in zip(inputs, arrays)]
    out = f(*leaves)
    _scalar(out)  # a clear error for a non-scalar output, before any differencing
    out.backward()
    analytic = [np.array(leaf.grad, dtype=np.float64) for leaf in leaves]

    def evaluate(i: int, shifted: np.ndarray) -> float:
        args = [_leaf(x, shifted if j == i else a) for j, (x, a) in enumerate(zip(inputs, arrays))]
        return _scalar(f(*args))

    rows = []
    ok = True
    with no_grad():
        for i, a in enumerate(arrays):
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
    return True


def _format(rows: list[tuple[int, tuple[int, ...], float, float, float, bool]]) -> str:
    lines = [f"{'input':>5}  {'index':<8} {'analytic':>14} {'numeric':>14} {'abs err':>12}  ok"]
    for i, index, got, numeric, err, good in rows:
        lines.append(
            f"{i:>5}  {str(index):<8} {got:>14.8g} {numeric:>14.8g} {err:>12.3g}  {'yes' if good else 'NO'}"
        )
    return "\n".join(lines)
