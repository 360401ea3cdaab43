"""Shapes for Tensor's ops: axes, broadcasting, indices and padding, and the errors that explain them.

Plain functions of shapes and arrays, apart from the graph: ``tensor.py`` holds the Tensor class
and its ops, and its rules call these. Most work on ndarrays and on Tensors alike (under
``create_graph`` a rule's gradient is a Tensor).

>>> normalize_axes(-1, 3, "sum", (2, 3, 4))
(2,)
>>> unbroadcast(np.ones((2, 3)), (3,))
array([2., 2., 2.])
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Union

import numpy as np

from autograd.graph import Node, record

Axis = Union[int, Sequence[int], None]

try:
    from numpy.exceptions import AxisError
except ImportError:  # numpy < 1.25
    AxisError = np.AxisError  # type: ignore[attr-defined,misc]


def unbroadcast(g: Any, shape: tuple[int, ...]) -> Any:
    """Sum the gradient ``g`` of a broadcast result back down to an input's ``shape``.

    Broadcasting adds leading axes and stretches size-1 axes, so the gradient sums over both.
    Works on ndarrays and on Tensors (under ``create_graph``).

    >>> unbroadcast(np.ones((4, 3, 2)), (3, 1))
    array([[8.],
           [8.],
           [8.]])
    """
    gshape = g.shape
    if gshape == shape:
        return g
    lead = len(gshape) - len(shape)
    stretched = tuple(i + lead for i, n in enumerate(shape) if n == 1 and gshape[i + lead] != 1)
    if not stretched:
        return g.sum(axis=0) if lead == 1 else g.sum(axis=tuple(range(lead)))
    g = g.sum(axis=tuple(range(lead)) + stretched, keepdims=True)
    return g.reshape(shape)


# --- error messages ------------------------------------------------------------------------------


def clashes(*shapes: tuple[int, ...]) -> str:
    """The axes, counted from the right, on which ``shapes`` do not broadcast, in words.

    >>> clashes((3, 2), (4, 2))
    'axis -2 has sizes 3 and 4'
    """
    found = []
    for k in range(1, max(len(s) for s in shapes) + 1):
        sizes = [s[-k] for s in shapes if len(s) >= k]
        if len({n for n in sizes if n != 1}) > 1:
            listed = ", ".join(str(n) for n in sizes[:-1]) + f" and {sizes[-1]}"
            found.append(f"axis {-k} has sizes {listed}")
    return ", ".join(found)


def size_differences(a: tuple[int, ...], b: tuple[int, ...], skip: int | None = None) -> str:
    """How two shapes that must be equal (but on axis ``skip``) differ; '' when they don't.

    >>> size_differences((2, 3), (2, 4))
    'axis 1 has sizes 3 and 4'
    """
    if len(a) != len(b):
        return f"they have {len(a)} and {len(b)} axes"
    return ", ".join(
        f"axis {i} has sizes {m} and {n}" for i, (m, n) in enumerate(zip(a, b)) if i != skip and m != n
    )


def broadcast_error(op: str, symbol: str, a: Any, b: Any) -> ValueError:
    """The error of an elementwise op whose operands (anything with a shape) do not broadcast.

    >>> print(broadcast_error("add", "+", np.ones((2, 3)), np.ones(4)))
    add: (2, 3) + (4,): shapes do not broadcast: axis -1 has sizes 3 and 4 (axes counted ...
    """
    sa, sb = a.shape, b.shape
    return ValueError(
        f"{op}: {sa} {symbol} {sb}: shapes do not broadcast: {clashes(sa, sb)} "
        "(axes counted from the right must be equal or 1); reshape or unsqueeze one side so they line up"
    )


def matmul_error(op: str, symbol: str, a: Any, b: Any) -> ValueError:
    """The error of a matrix product whose operands' shapes do not line up.

    >>> str(matmul_error("matmul", "@", np.ones((2, 3)), np.ones((4, 5)))).split(";")[0]
    'matmul: (2, 3) @ (4, 5): inner sizes 3 and 4 differ'
    """
    sa, sb = a.shape, b.shape
    head = f"matmul: {sa} @ {sb}"
    if a.ndim == 0 or b.ndim == 0:
        return ValueError(f"{head}: matmul needs operands with at least 1 axis; use * to scale by a scalar")
    ka = sa[-1]
    kb = sb[0] if b.ndim == 1 else sb[-2]
    if ka != kb:
        return ValueError(
            f"{head}: inner sizes {ka} and {kb} differ; the last axis of the left operand must match "
            f"the {'only' if b.ndim == 1 else 'second-to-last'} axis of the right one (transpose one side?)"
        )
    return ValueError(
        f"{head}: batch shapes {sa[:-2]} and {sb[:-2]} do not broadcast; "
        "leading axes must be equal or 1 (counted from the right)"
    )


# --- axes of reductions -------------------------------------------------------------------------


def normalize_axes(axis: Axis, ndim: int, op: str, shape: tuple[int, ...]) -> tuple[int, ...]:
    """Normalise ``axis`` (None, int or tuple) to sorted non-negative axes; clear errors otherwise.

    >>> normalize_axes((-1, 0), 3, "sum", (2, 3, 4)), normalize_axes(None, 2, "sum", (2, 3))
    ((0, 2), (0, 1))
    """
    if axis is None:
        return tuple(range(ndim))
    if isinstance(axis, (int, np.integer)):
        items: tuple[Any, ...] = (axis,)
    elif isinstance(axis, (tuple, list)):
        items = tuple(axis)
    else:
        raise TypeError(f"{op}: axis must be an int, a tuple of ints or None, got {axis!r}")
    out = []
    for ax in items:
        if isinstance(ax, (bool, np.bool_)) or not isinstance(ax, (int, np.integer)):
            raise TypeError(f"{op}: axis must be an int, a tuple of ints or None, got {axis!r}")
        if not -ndim <= ax < ndim:
            valid = f"use an axis in {-ndim}..{ndim - 1}" if ndim else "a 0-d tensor has no axes (axis=None)"
            raise AxisError(
                f"{op}: axis {int(ax)} is out of range for a tensor with ndim {ndim} (shape {shape}); {valid}"
            )
        out.append(int(ax) % ndim)
    if len(set(out)) != len(out):
        raise ValueError(f"{op}: axis {axis!r} names the same axis twice (shape {shape})")
    return tuple(sorted(out))


def normalize_axis(axis: Any, ndim: int, op: str, shape: tuple[int, ...]) -> int:
    """One axis (an int, maybe negative), normalised; clear errors otherwise.

    >>> normalize_axis(-1, 3, "cumsum", (2, 3, 4))
    2
    """
    if isinstance(axis, (bool, np.bool_)) or not isinstance(axis, (int, np.integer)):
        raise TypeError(f"{op}: axis must be an int, got {axis!r}")
    return normalize_axes(int(axis), ndim, op, shape)[0]


def kept_shape(shape: tuple[int, ...], axes: tuple[int, ...]) -> tuple[int, ...]:
    """``shape`` with the reduced ``axes`` kept as size 1 (the keepdims shape).

    >>> kept_shape((2, 3, 4), (0, 2))
    (1, 3, 1)
    """
    return tuple(1 if i in axes else n for i, n in enumerate(shape))


def with_kept_axes(x: Any, shape: tuple[int, ...], axes: tuple[int, ...], keepdims: bool) -> Any:
    """A reduction's result (or its gradient) with the reduced ``axes`` of ``shape`` back as size 1,
    so that it broadcasts against the reduction's input.

    >>> with_kept_axes(np.zeros(3), (2, 3), (0,), keepdims=False).shape
    (1, 3)
    """
    return x if keepdims or not axes else x.reshape(kept_shape(shape, axes))


def expand(g: Any, shape: tuple[int, ...], axes: tuple[int, ...], keepdims: bool) -> Any:
    """Spread the gradient of a reduction back over the reduced axes.

    A small result is written out (``np.full`` costs less than setting up a broadcast view), a
    large one is a read-only broadcast view (no memory traffic at all).

    >>> expand(np.array([1.0, 2.0]), (2, 3), (1,), keepdims=False)
    array([[1., 1., 1.],
           [2., 2., 2.]])
    """
    g = with_kept_axes(g, shape, axes, keepdims)
    if not isinstance(g, Node) and _small(shape):
        return np.full(shape, g)
    return np.broadcast_to(g, shape)


def _small(shape: tuple[int, ...]) -> bool:
    n = 1
    for k in shape:
        n *= k
    return n <= 16384


# --- padding, indexing and the max/min tie rule -------------------------------------------------


def pad_pairs(pad_width: Any, shape: tuple[int, ...]) -> tuple[tuple[int, int], ...]:
    """numpy's forms of ``pad_width`` (an int, a pair, one pair per axis) as one pair per axis.

    >>> pad_pairs(1, (2, 3)), pad_pairs((0, 2), (2, 3))
    (((1, 1), (1, 1)), ((0, 2), (0, 2)))
    """
    if isinstance(pad_width, Node):
        raise TypeError("pad: pad_width must be ints, got a Tensor; pass a tuple of ints")
    arr = np.asarray(pad_width)
    if (arr.size and arr.dtype.kind not in "iu") or arr.ndim > 2:
        raise TypeError(
            f"pad: pad_width must be an int, a (before, after) pair or one pair per axis, got {pad_width!r}"
        )
    if not shape:  # a 0-d tensor has no axes to pad
        return ()
    try:
        pairs = np.broadcast_to(arr.astype(np.intp), (len(shape), 2))
    except ValueError:
        raise ValueError(
            f"pad: pad_width {pad_width!r} does not fit a tensor of shape {shape}: give one (before, after) "
            f"pair per axis ({len(shape)} pairs), one pair for every axis, or one int"
        ) from None
    if np.any(pairs < 0):
        raise ValueError(f"pad: pad_width must not be negative, got {pad_width!r}")
    return tuple((int(b), int(e)) for b, e in pairs)


def scatter(g: Any, index: Any, shape: tuple[int, ...], basic: bool) -> Any:
    """The gradient of ``a[index]``: ``g`` added into zeros of ``a``'s shape.

    Repeated indices add up (``np.add.at``); a basic index (ints, slices, None, ...) cannot repeat,
    so a plain assignment does. On a Tensor (``create_graph``) it is itself an op, whose rule
    gathers ``gg[index]`` back.

    >>> scatter(np.array([1.0, 2.0]), np.array([0, 0]), (3,), basic=False)
    array([3., 0., 0.])
    """
    if isinstance(g, Node):
        data = scatter(g.data, index, shape, basic)
        return record(data, (g,), (lambda gg, out, x: gg[index],), "scatter")
    z = np.zeros(shape, dtype=g.dtype)
    if basic:
        z[index] = g
    else:
        np.add.at(z, index, g)
    return z


def normalize_index(index: Any) -> tuple[Any, bool]:
    """Check an index; turn lists into arrays. Returns it and whether it is basic (no arrays).

    >>> normalize_index((0, slice(None))), normalize_index([2, 0])
    (((0, slice(None, None, None)), True), (array([2, 0]), False))
    """
    items = index if isinstance(index, tuple) else (index,)
    basic = True
    out: list[Any] = []
    for it in items:
        simple = it is None or it is Ellipsis or isinstance(it, slice)
        if simple or (isinstance(it, (int, np.integer)) and not isinstance(it, (bool, np.bool_))):
            out.append(it)
        elif isinstance(it, Node):
            raise TypeError(
                f"index: cannot index with a {type(it).__name__}; use an int, a slice, a boolean mask "
                "or an integer ndarray (e.g. t[np.asarray(idx, dtype=int)])"
            )
        else:
            arr = np.asarray(it)
            if arr.size == 0 and arr.dtype.kind == "f":
                arr = arr.astype(np.intp)
            if arr.dtype.kind not in "iub":
                raise IndexError(
                    f"index: arrays used as indices must hold integers or booleans, got dtype {arr.dtype}"
                )
            basic = False
            out.append(arr)
    return (tuple(out) if isinstance(index, tuple) else out[0]), basic


def even_split(holds: Any, count: Any, dtype: Any) -> Any:
    """The tie rule of max, min, maximum and minimum: the entries that hold the extreme share its
    gradient evenly (``holds / count``; a count of 0, a reduction whose result is nan, gives nan,
    as torch.amax does).

    >>> even_split(np.array([True, True, False]), 2, np.float64)
    array([0.5, 0.5, 0. ])
    """
    with np.errstate(invalid="ignore", divide="ignore"):
        return (holds / count).astype(dtype, copy=False)


