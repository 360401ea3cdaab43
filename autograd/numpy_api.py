"""The numpy protocol: numpy functions called on Tensors dispatch to the differentiable ops.

``np.exp(t)``, ``np.maximum(t, 0)``, ``array @ t`` (ufuncs, through ``Tensor.__array_ufunc__``) and
``np.sum(t, axis)``, ``np.concatenate([t, u])``, ``np.where(c, t, 0)`` (functions, through
``Tensor.__array_function__``) give the Tensor op's result, connected to the graph. A numpy
function with no differentiable version raises a TypeError naming the Tensor method to use, so a
numpy call never returns a result silently cut off from the graph; ``np.asarray(t)`` gives the
raw data. Comparisons and other piecewise-constant functions (``np.sign``, ``np.isnan``) return
plain arrays: their derivative is 0.

>>> import numpy as np
>>> from autograd import Tensor
>>> t = Tensor([0.0, 1.0], requires_grad=True)
>>> y = np.sum(np.exp(t))
>>> y.backward()
>>> t.grad.round(4)
array([1.    , 2.7183])
"""

from __future__ import annotations

from typing import Any

import numpy as np

from autograd.shapes import Axis
from autograd.tensor import Tensor, concatenate, constant, lift, numpy_protocol, raw, stack, where


def apply_ufunc(ufunc: Any, method: str, args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
    """``Tensor.__array_ufunc__``: a ufunc called on Tensors as the differentiable op."""
    name = getattr(ufunc, "__name__", str(ufunc))
    if method != "__call__":
        hint = {"add": "Tensor.sum", "maximum": "Tensor.max", "minimum": "Tensor.min"}.get(name)
        raise TypeError(
            f"np.{name}.{method} is not supported on Tensors (the result would be cut off from the "
            f"graph){'; use ' + hint if hint else ''}"
        )
    if kwargs:
        raise TypeError(
            f"np.{name}(..., {', '.join(kwargs)}=...) cannot be applied to a Tensor (writing into "
            "an array would cut the result off from the graph); use the Tensor operators and methods"
        )
    if ufunc in _NO_GRADIENT:
        return ufunc(*[raw(x) for x in args])
    unary = _UFUNC_UNARY.get(ufunc)
    if unary is not None:
        return getattr(args[0], unary)()
    binary = _UFUNC_BINARY.get(ufunc)
    if binary is not None:
        a, b = args
        return getattr(a, binary[0])(b) if isinstance(a, Tensor) else getattr(b, binary[1])(a)
    raise TypeError(
        f"np.{name} has no differentiable Tensor version; use the Tensor methods (exp, log, sin, "
        "cos, tanh, sigmoid, relu, abs, sqrt, clip, maximum, minimum, ...) or np.asarray(t) for the raw, "
        "non-differentiable values"
    )


def apply_function(func: Any, args: Any, kwargs: Any) -> Any:
    """``Tensor.__array_function__``: a numpy function called on Tensors as the differentiable op."""
    impl = _FUNCTIONS.get(func)
    if impl is None:
        name = f"{func.__module__}.{func.__name__}".replace("numpy", "np", 1)
        raise TypeError(
            f"{name} does not work on Tensors (it would return an array cut off from "
            "the graph); use the Tensor methods and autograd's concatenate/stack/where, or "
            "np.asarray(t) for the raw, non-differentiable values"
        )
    return impl(*args, **kwargs)


# --- the dispatch tables --------------------------------------------------------------------------

_UFUNC_UNARY = {
    np.negative: "__neg__",
    np.positive: "__pos__",
    np.exp: "exp",
    np.log: "log",
    np.tanh: "tanh",
    np.sqrt: "sqrt",
    np.absolute: "abs",
    np.sin: "sin",
    np.cos: "cos",
}

_UFUNC_BINARY = {
    np.add: ("__add__", "__radd__"),
    np.subtract: ("__sub__", "__rsub__"),
    np.multiply: ("__mul__", "__rmul__"),
    np.true_divide: ("__truediv__", "__rtruediv__"),
    np.power: ("__pow__", "__rpow__"),
    np.matmul: ("__matmul__", "__rmatmul__"),
    np.maximum: ("maximum", "maximum"),
    np.minimum: ("minimum", "minimum"),
}

# piecewise-constant functions: their derivative is 0, so the raw boolean/float result is exact
_NO_GRADIENT = {
    np.greater,
    np.greater_equal,
    np.less,
    np.less_equal,
    np.equal,
    np.not_equal,
    np.isfinite,
    np.isinf,
    np.isnan,
    np.sign,
    np.signbit,
    np.logical_and,
    np.logical_or,
    np.logical_not,
}


def _tensor(x: Any) -> Tensor:
    return x if isinstance(x, Tensor) else lift(x, None, "numpy")


def _plain(name: str, **extras: Any) -> None:
    given = [k for k, v in extras.items() if v is not None]
    if given:
        raise TypeError(
            f"np.{name} on a Tensor does not take {'=, '.join(given)}=; use the Tensor method "
            "(or np.asarray(t) for the raw, non-differentiable values)"
        )


def _np_reduction(method: str) -> Any:
    def impl(
        a: Any, axis: Axis = None, dtype: Any = None, out: Any = None, keepdims: bool = False, **rest: Any
    ) -> Any:
        _plain(method, dtype=dtype, out=out, **rest)
        return getattr(_tensor(a), method)(axis=axis, keepdims=keepdims)

    return impl


def _np_extreme(method: str) -> Any:
    def impl(a: Any, axis: Axis = None, out: Any = None, keepdims: bool = False, **rest: Any) -> Any:
        _plain(method, out=out, **rest)
        return getattr(_tensor(a), method)(axis=axis, keepdims=keepdims)

    return impl


def _np_statistic(method: str) -> Any:
    def impl(
        a: Any,
        axis: Axis = None,
        dtype: Any = None,
        out: Any = None,
        ddof: float = 0,
        keepdims: bool = False,
        **rest: Any,
    ) -> Any:
        _plain(method, dtype=dtype, out=out, **rest)
        return getattr(_tensor(a), method)(axis=axis, keepdims=keepdims, ddof=ddof)

    return impl


def _np_arg_extreme(method: str) -> Any:
    def impl(a: Any, axis: Any = None, out: Any = None, *, keepdims: bool = False) -> Any:
        _plain(method, out=out)
        return getattr(_tensor(a), method)(axis=axis, keepdims=keepdims)

    return impl


def _np_cumsum(a: Any, axis: Any = None, dtype: Any = None, out: Any = None) -> Any:
    _plain("cumsum", dtype=dtype, out=out)
    return _tensor(a).cumsum(axis)


def _np_pad(array: Any, pad_width: Any, mode: str = "constant", **kwargs: Any) -> Any:
    values = kwargs.pop("constant_values", 0)
    if mode != "constant" or kwargs or np.any(np.asarray(raw(values)) != 0):
        raise TypeError(
            "np.pad on a Tensor supports only the constant-zero form, np.pad(t, pad_width); "
            "add a constant afterwards, or use concatenate() for other borders"
        )
    return _tensor(array).pad(pad_width)


def _np_reshape(
    a: Any, shape: Any = None, order: str = "C", *, newshape: Any = None, copy: Any = None
) -> Any:
    if order != "C":
        raise TypeError("np.reshape on a Tensor supports only order='C'")
    return _tensor(a).reshape(shape if shape is not None else newshape)


def _np_clip(
    a: Any, a_min: Any = None, a_max: Any = None, out: Any = None, *, min: Any = None, max: Any = None
) -> Any:
    _plain("clip", out=out)
    return _tensor(a).clip(a_min if a_min is not None else min, a_max if a_max is not None else max)


def _np_where(condition: Any, *xy: Any) -> Any:
    if len(xy) != 2:
        raise TypeError("np.where(condition) on a Tensor (nonzero) is not supported; use np.where(t.data)")
    return where(condition, *xy)


def _np_dot(a: Any, b: Any, out: Any = None) -> Any:
    _plain("dot", out=out)
    ta, tb = _tensor(a), _tensor(b)
    if ta.ndim == 0 or tb.ndim == 0:
        return ta * tb
    if ta.ndim > 2 or tb.ndim > 2:
        raise TypeError("np.dot on Tensors with more than 2 axes is not supported; use @ (matmul)")
    return ta @ tb


def _np_transpose(a: Any, axes: Any = None) -> Any:
    return _tensor(a).transpose(*(() if axes is None else (tuple(axes),)))


def _np_squeeze(a: Any, axis: Axis = None) -> Any:
    return _tensor(a).squeeze(axis)


def _np_expand_dims(a: Any, axis: int) -> Any:
    return _tensor(a).unsqueeze(axis)


def _np_constant(fill: float) -> Any:
    def impl(a: Any, dtype: Any = None, **kwargs: Any) -> Any:
        t = _tensor(a)
        return constant(np.full(t.shape, fill, dtype=dtype or t.dtype))

    return impl


_FUNCTIONS: dict[Any, Any] = {
    np.sum: _np_reduction("sum"),
    np.mean: _np_reduction("mean"),
    np.max: _np_extreme("max"),
    np.amax: _np_extreme("max"),
    np.min: _np_extreme("min"),
    np.amin: _np_extreme("min"),
    np.prod: _np_reduction("prod"),
    np.var: _np_statistic("var"),
    np.std: _np_statistic("std"),
    np.argmax: _np_arg_extreme("argmax"),
    np.argmin: _np_arg_extreme("argmin"),
    np.cumsum: _np_cumsum,
    np.flip: lambda m, axis=None: _tensor(m).flip(axis),
    np.pad: _np_pad,
    np.tile: lambda A, reps: _tensor(A).tile(reps),
    np.reshape: _np_reshape,
    np.transpose: _np_transpose,
    np.swapaxes: lambda a, axis1, axis2: _tensor(a).swapaxes(axis1, axis2),
    np.squeeze: _np_squeeze,
    np.expand_dims: _np_expand_dims,
    np.broadcast_to: lambda a, shape, subok=False: _tensor(a).broadcast_to(shape),
    np.concatenate: lambda arrays, axis=0: concatenate(arrays, axis),
    np.stack: lambda arrays, axis=0: stack(arrays, axis),
    np.where: _np_where,
    np.clip: _np_clip,
    np.dot: _np_dot,
    np.zeros_like: _np_constant(0.0),
    np.ones_like: _np_constant(1.0),
    np.shape: lambda a: _tensor(a).shape,
    np.ndim: lambda a: _tensor(a).ndim,
    np.size: lambda a, axis=None: _tensor(a).size if axis is None else _tensor(a).shape[axis],
}

numpy_protocol.update(ufunc=apply_ufunc, function=apply_function)  # Tensor's numpy methods call them
