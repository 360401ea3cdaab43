"""Numerical edge cases against torch: huge inputs (+-1e4), float32, and the kinks and ties.

- ``tanh``, ``sigmoid``, the other activations, ``exp``, ``softmax``, ``log_softmax``,
  ``logsumexp`` and ``cross_entropy`` at +-1e4 (and mixed with ordinary numbers) in float64 and
  float32: values and gradients match torch in the same dtype, float32 stays float32, and nothing
  warns or turns into nan (``exp`` overflows to inf at 1e4, as torch does, with numpy's overflow
  warning).
- relu, abs, clip, maximum/minimum and the max/min reductions exactly at 0 and at ties, for
  Value and Tensor: the gradient conventions are torch's (relu'(0) = 0, |x|'(0) = 0, clamp passes
  the gradient at its bounds, maximum splits a tie in halves, amax splits it evenly).
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest
import torch
from helpers import TORCH_DTYPES, against_torch_in_dtype, grad_seed, no_warnings

from autograd import Tensor, Value
from nn.losses import cross_entropy

HUGE = [-1e4, -50.0, -1.0, 0.0, 1.0, 50.0, 1e4]


# --- huge inputs, float64 and float32 ------------------------------------------------------------


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("name", ["tanh", "sigmoid"])
def test_saturating_functions_at_huge_inputs(name: str, dtype: Any) -> None:
    x = np.array(HUGE, dtype=dtype)
    against_torch_in_dtype(lambda t: getattr(t, name)(), lambda t: getattr(t, name)(), x)


ACTIVATIONS = {
    "leaky_relu": (lambda t: t.leaky_relu(0.1), lambda t: torch.nn.functional.leaky_relu(t, 0.1)),
    "elu": (lambda t: t.elu(), torch.nn.functional.elu),
    "gelu": (lambda t: t.gelu(), torch.nn.functional.gelu),
    "silu": (lambda t: t.silu(), torch.nn.functional.silu),
    "softplus": (lambda t: t.softplus(), torch.nn.functional.softplus),
    "erf": (lambda t: t.erf(), torch.erf),
    "sin": (lambda t: t.sin(), torch.sin),
    "cos": (lambda t: t.cos(), torch.cos),
}


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("name", ACTIVATIONS)
def test_activations_at_huge_inputs(name: str, dtype: Any) -> None:
    """No overflow, no warning, no nan at +-1e4: elu's and softplus's exponentials never see a
    large positive number; values and gradients are torch's in the same dtype."""
    ours, theirs = ACTIVATIONS[name]
    against_torch_in_dtype(ours, theirs, np.array(HUGE, dtype=dtype))
    with no_warnings():
        for x in HUGE:
            v = Value(x)
            y = ours(v)
            y.backward()
            assert math.isfinite(y.data) and math.isfinite(v.grad)
            assert math.isclose(y.data, theirs(torch.tensor(x, dtype=torch.float64)).item(), rel_tol=1e-12)


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_exp_at_huge_inputs(dtype: Any) -> None:
    """exp(-1e4) is 0 with gradient 0; exp(1e4) overflows to inf, gradient inf, as torch."""
    x = np.array([-1e4, -1.0, 0.0, 1.0, 50.0], dtype=dtype)
    against_torch_in_dtype(lambda t: t.exp(), lambda t: t.exp(), x)
    big = Tensor(np.array([1e4], dtype=dtype), requires_grad=True)
    with pytest.warns(RuntimeWarning, match="overflow"):
        y = big.exp()
    y.backward(np.ones(1, dtype=dtype))
    tb = torch.tensor([1e4], dtype=TORCH_DTYPES[dtype], requires_grad=True)
    tb.exp().backward(torch.ones(1, dtype=TORCH_DTYPES[dtype]))
    assert y.data[0] == tb.exp().item() == math.inf
    assert big.grad[0] == tb.grad.item() == math.inf
    assert y.dtype == big.grad.dtype == dtype


ROWS = [
    [1e4, 0.0, -1e4],
    [1e4, 1e4, 1e4],
    [-1e4, -1e4, -1e4],
    [-1e4, 1.0, 2.0],
    [1e4, 1e4 - 1, -3.0],
    [0.5, -0.5, 0.0],
]


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("axis", [-1, 0])
def test_softmax_family_at_huge_inputs(dtype: Any, axis: int) -> None:
    x = np.array(ROWS, dtype=dtype)
    against_torch_in_dtype(lambda t: t.softmax(axis=axis), lambda t: torch.softmax(t, dim=axis), x)
    against_torch_in_dtype(lambda t: t.log_softmax(axis=axis), lambda t: torch.log_softmax(t, dim=axis), x)
    against_torch_in_dtype(lambda t: t.logsumexp(axis=axis), lambda t: torch.logsumexp(t, dim=axis), x)


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("keepdims", [False, True])
def test_logsumexp_every_axis_at_huge_inputs(dtype: Any, keepdims: bool) -> None:
    x = np.array(ROWS, dtype=dtype)
    against_torch_in_dtype(
        lambda t: t.logsumexp(axis=None, keepdims=keepdims),
        lambda t: torch.logsumexp(t, dim=(0, 1), keepdim=keepdims),
        x,
    )
    against_torch_in_dtype(
        lambda t: t.logsumexp(axis=(0, 1), keepdims=keepdims),
        lambda t: torch.logsumexp(t, dim=(0, 1), keepdim=keepdims),
        x,
    )


def test_logsumexp_of_minus_infinity_is_minus_infinity_as_torch() -> None:
    x = np.array([[-np.inf, -np.inf], [0.0, -np.inf]])
    t = Tensor(x, requires_grad=True)
    tt = torch.tensor(x, requires_grad=True)
    with no_warnings():
        out = t.logsumexp(axis=1)
    np.testing.assert_array_equal(out.data, torch.logsumexp(tt, dim=1).detach().numpy())


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
def test_cross_entropy_at_huge_logits(dtype: Any, reduction: str) -> None:
    x = np.array(ROWS, dtype=dtype)
    for target in ([0, 1, 2, 0, 1, 2], [2, 0, 1, 1, 2, 0]):
        idx = np.array(target)
        against_torch_in_dtype(
            lambda t, idx=idx: cross_entropy(t, idx, reduction=reduction),
            lambda t, idx=idx: torch.nn.functional.cross_entropy(
                t, torch.from_numpy(idx), reduction=reduction
            ),
            x,
        )


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_float32_stays_float32_through_a_chain(dtype: Any) -> None:
    """Numbers mixed in take the tensor's dtype: a float32 pipeline never becomes float64."""
    x = np.array(ROWS, dtype=dtype)

    def chain(t: Any) -> Any:
        return ((t * 0.5 + 1).tanh() * 2 - (t / 3).sigmoid()).log_softmax(-1).logsumexp(0)

    against_torch_in_dtype(chain, chain, x)


@pytest.mark.parametrize("x", [-1e4, -50.0, -1.0, 0.0, 1.0, 50.0, 1e4])
@pytest.mark.parametrize("name", ["tanh", "sigmoid", "exp"])
def test_value_functions_at_huge_inputs(name: str, x: float) -> None:
    """Value (Python floats): no OverflowError, no warning; exp(1e4) is inf with gradient inf."""
    v = Value(x)
    tv = torch.tensor(x, dtype=torch.float64, requires_grad=True)
    with no_warnings():
        y = getattr(v, name)()
        y.backward()
    ty = getattr(tv, name)()
    ty.backward()
    for ours, theirs in ((y.data, ty.item()), (v.grad, tv.grad.item())):
        if math.isinf(theirs):
            assert ours == theirs
        else:
            assert ours == pytest.approx(theirs, rel=1e-12, abs=1e-300)
    assert not math.isnan(y.data) and not math.isnan(v.grad)


# --- kinks and ties ------------------------------------------------------------------------------

KINK_POINTS = np.array([-1.0, 0.0, -0.0, 1.0, 0.0])


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("name", ["relu", "abs"])
def test_relu_and_abs_at_zero_tensor(name: str, dtype: Any) -> None:
    against_torch_in_dtype(
        lambda t: getattr(t, name)(), lambda t: getattr(t, name)(), KINK_POINTS.astype(dtype)
    )


@pytest.mark.parametrize("x", [0.0, -0.0, 1.0, -1.0])
@pytest.mark.parametrize("name", ["relu", "abs"])
def test_relu_and_abs_at_zero_value(name: str, x: float) -> None:
    v = Value(x)
    getattr(v, name)().backward()
    tv = torch.tensor(x, dtype=torch.float64, requires_grad=True)
    getattr(tv, name)().backward()
    assert v.grad == tv.grad.item()


@pytest.mark.parametrize("bounds", [(0.0, 1.0), (-1.0, 0.0), (0.0, None), (None, 0.0), (1.0, -1.0)])
def test_clip_at_its_bounds(bounds: tuple[Any, Any]) -> None:
    """The gradient passes at the bounds themselves (as torch.clamp); lo > hi gives hi, gradient 0."""
    lo, hi = bounds
    against_torch_in_dtype(lambda t: t.clip(lo, hi), lambda t: torch.clamp(t, lo, hi), KINK_POINTS)


TIES = np.array([[1.0, 1.0, 0.0], [0.0, 0.0, 0.0], [-2.0, 3.0, 3.0], [5.0, -1.0, 5.0]])


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("name", ["maximum", "minimum"])
def test_maximum_minimum_split_ties_in_halves(name: str, dtype: Any) -> None:
    x, y = TIES.astype(dtype), np.flip(TIES, axis=1).astype(dtype)
    a, b = Tensor(x.copy(), requires_grad=True), Tensor(y.copy(), requires_grad=True)
    ta, tb = (torch.tensor(v, requires_grad=True) for v in (x, y))
    getattr(a, name)(b).sum().backward()
    getattr(torch, name)(ta, tb).sum().backward()
    np.testing.assert_array_equal(a.grad, ta.grad.numpy())
    np.testing.assert_array_equal(b.grad, tb.grad.numpy())
    assert set(np.unique(a.grad)) <= {0.0, 0.5, 1.0}


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("name", ["max", "min"])
@pytest.mark.parametrize("axis", [None, 0, 1, -1, (0, 1)])
@pytest.mark.parametrize("keepdims", [False, True])
def test_max_min_over_ties_split_evenly_as_amax(name: str, axis: Any, keepdims: bool, dtype: Any) -> None:
    """Tied entries share the gradient evenly, as torch.amax / torch.amin."""
    dim = (0, 1) if axis is None else axis
    theirs = torch.amax if name == "max" else torch.amin
    against_torch_in_dtype(
        lambda t: getattr(t, name)(axis=axis, keepdims=keepdims),
        lambda t: theirs(t, dim=dim, keepdim=keepdims),
        TIES.astype(dtype),
    )


def test_full_max_over_ties_matches_torch_max_without_dim() -> None:
    """torch.max(x) with no dim also splits evenly; only torch.max(x, dim) picks one index."""
    t = Tensor(TIES.copy(), requires_grad=True)
    tt = torch.tensor(TIES, requires_grad=True)
    t.max().backward()
    torch.max(tt).backward()
    np.testing.assert_array_equal(t.grad, tt.grad.numpy())
    assert t.grad.sum() == 1.0 and (t.grad > 0).sum() == 2  # the two 5.0 entries share it


def test_max_over_all_zeros_after_relu() -> None:
    """The common case: relu makes a row of zeros, and max over them is a tie among all."""
    x = np.array([[-1.0, -2.0, -0.5], [1.0, -1.0, 1.0]])
    against_torch_in_dtype(lambda t: t.relu().max(axis=1), lambda t: torch.amax(t.relu(), dim=1), x)


# --- nan (and inf) through every activation and reduction, as torch ----------------------------

NONFINITE = [math.nan, math.inf, -math.inf, 0.0, -2.0, 3.0]
F = torch.nn.functional
TORCH_ACTIVATIONS: dict[str, Callable[[Any], Any]] = {
    "relu": torch.relu,
    "abs": torch.abs,
    "tanh": torch.tanh,
    "sigmoid": torch.sigmoid,
    "exp": torch.exp,
    "sin": torch.sin,
    "cos": torch.cos,
    "erf": torch.erf,
    "leaky_relu": lambda x: F.leaky_relu(x, 0.01),
    "elu": F.elu,
    "gelu": F.gelu,
    "silu": F.silu,
    "softplus": F.softplus,
}


def _same(ours: Any, theirs: Any) -> bool:
    """Equal to rounding, nan equal to nan and inf to inf."""
    a, b = np.asarray(ours, dtype=np.float64), np.asarray(theirs, dtype=np.float64)
    return a.shape == b.shape and bool(np.allclose(a, b, rtol=1e-12, atol=1e-300, equal_nan=True))


@pytest.mark.parametrize("name", sorted(TORCH_ACTIVATIONS))
def test_activations_at_nan_and_inf_as_torch(name: str) -> None:
    """Value and Tensor give torch's value and gradient at nan, +-inf and ordinary points: a nan
    weight gives a nan output (Value(nan).relu() is nan, not 0.0), which anomaly mode then catches."""
    for x in NONFINITE:
        xt = torch.tensor(x, dtype=torch.float64, requires_grad=True)
        yt = TORCH_ACTIVATIONS[name](xt)
        yt.backward()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # numpy's overflow and invalid-value warnings
            v = Value(x)
            y = getattr(v, name)()
            y.backward()
            t = Tensor(np.array([x]), requires_grad=True)
            out = getattr(t, name)()
            out.sum().backward()
        where = f"{name}({x})"
        assert _same(y.data, yt.item()) and _same(out.data, [yt.item()]), f"value of {where}"
        assert _same(v.grad, xt.grad.item()) and _same(t.grad, [xt.grad.item()]), f"gradient of {where}"


REDUCTIONS: dict[str, tuple[Callable[[Tensor], Tensor], Callable[[Any], Any]]] = {
    "max": (lambda t: t.max(), lambda t: t.max()),
    "min": (lambda t: t.min(), lambda t: t.min()),
    "max axis": (lambda t: t.max(axis=1), lambda t: t.max(dim=1).values),
    "min axis": (lambda t: t.min(axis=1), lambda t: t.min(dim=1).values),
    "sum": (lambda t: t.sum(axis=1), lambda t: t.sum(dim=1)),
    "mean": (lambda t: t.mean(axis=1), lambda t: t.mean(dim=1)),
    "prod": (lambda t: t.prod(axis=1), lambda t: t.prod(dim=1)),
    "logsumexp": (lambda t: t.logsumexp(axis=1), lambda t: t.logsumexp(dim=1)),
    "softmax": (lambda t: t.softmax(axis=1), lambda t: t.softmax(dim=1)),
    "log_softmax": (lambda t: t.log_softmax(axis=1), lambda t: t.log_softmax(dim=1)),
    "var": (lambda t: t.var(axis=1), lambda t: t.var(dim=1, unbiased=False)),
    "std": (lambda t: t.std(axis=1), lambda t: t.std(dim=1, unbiased=False)),
}


@pytest.mark.parametrize("name", sorted(REDUCTIONS))
def test_reductions_with_one_nan_as_torch(name: str) -> None:
    """One nan in a row: the result of that row and its gradients are torch's. For max and min
    the whole gradient goes to the nan entry (as torch.max), not nan to every entry."""
    ours, theirs = REDUCTIONS[name]
    x = np.array([[1.0, math.nan, 3.0, -2.0], [0.5, 4.0, 4.0, -1.0]])
    xt = torch.tensor(x, requires_grad=True)
    yt = theirs(xt)
    seed = grad_seed(tuple(yt.shape), np.float64)
    yt.backward(torch.tensor(seed))
    t = Tensor(x.copy(), requires_grad=True)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        y = ours(t)
        y.backward(seed)
    assert _same(y.data, yt.detach().numpy()), f"value of {name}"
    if name in ("max axis", "min axis"):  # the tie in row 1: torch.max(dim) picks one entry, amax splits
        assert _same(t.grad[0], xt.grad[0]), f"gradient of {name}"
    else:
        assert _same(t.grad, xt.grad), f"gradient of {name}"


@pytest.mark.parametrize("name", ["softmax", "log_softmax", "logsumexp"])
@pytest.mark.parametrize("shape, axis", [((2, 0), 1), ((0, 3), 1), ((0, 3), 0), ((0,), 0)])
def test_over_an_empty_axis_as_torch(name: str, shape: tuple[int, ...], axis: int) -> None:
    """softmax and log_softmax over an empty axis give an empty result, as torch (no numpy error)."""
    t = Tensor(np.zeros(shape), requires_grad=True)
    tt = torch.zeros(shape, dtype=torch.float64, requires_grad=True)
    y, yt = getattr(t, name)(axis=axis), getattr(tt, name)(dim=axis)
    assert y.shape == tuple(yt.shape) and _same(y.data, yt.detach().numpy())
    y.sum().backward()
    yt.sum().backward()
    assert t.grad is not None and _same(t.grad, tt.grad)


def test_a_network_with_a_nan_weight_answers_nan_and_anomaly_mode_names_it() -> None:
    """nn.MLP's ReLU neurons (one fused node each) let nan through as torch.relu does, instead of
    answering a finite 0.0 that hides it."""
    import nn
    from autograd import detect_anomaly

    model = nn.MLP(2, [3, 1], seed=0)
    model.parameters()[0].data = math.nan
    assert math.isnan(model([1.0, 2.0]).data)
    assert math.isnan(nn.MLP.predict(model, np.array([[1.0, 2.0]]))[0])
    with pytest.raises(FloatingPointError, match=r"op 'relu\(w·x\+b\)' gave nan"), detect_anomaly():
        model([1.0, 2.0])
