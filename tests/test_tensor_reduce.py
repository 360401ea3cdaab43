"""Tensor's reductions and the softmax family: sum, mean, max, min, logsumexp, softmax, log_softmax,
prod, var, std, argmax... against torch float64 over the shape sweep, at huge inputs, ties, nan and
empty axes, and their errors.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest
import torch
from helpers import (
    FAST,
    HUGE_ROWS,
    SHAPES,
    SLOW,
    TIES,
    against_torch,
    against_torch_in_dtype,
    draw_array,
    grad_seed,
    no_warnings,
    raised_message,
    same_floats,
)
from hypothesis import assume, given
from hypothesis import strategies as st

from autograd import Tensor, gradcheck
from nn.losses import cross_entropy


def test_softmax_family_is_stable_at_1e4() -> None:
    for v in ([1e4, 1e4, -1e4], [-1e4, -1e4 + 1, -1e4]):
        x = Tensor(np.array(v), requires_grad=True)
        t = torch.tensor(v, dtype=torch.float64, requires_grad=True)
        with warnings.catch_warnings():
            warnings.simplefilter("error")  # no overflow warning either
            outs = [x.softmax(0), x.log_softmax(0), x.logsumexp(axis=0, keepdims=True)]
            touts = [torch.softmax(t, 0), torch.log_softmax(t, 0), torch.logsumexp(t, 0, keepdim=True)]
            for o, to in zip(outs, touts):
                assert np.all(np.isfinite(o.data))
                np.testing.assert_allclose(o.data, to.detach().numpy(), rtol=1e-12)
                x.zero_grad()
                t.grad = None
                (o * Tensor([1.0, 2.0, 3.0][: o.size])).sum().backward()
                (to * torch.tensor([1.0, 2.0, 3.0][: o.size], dtype=torch.float64)).sum().backward()
                np.testing.assert_allclose(x.grad, t.grad.numpy(), rtol=1e-10, atol=1e-12)
            logits = Tensor(np.array([v, v[::-1]]), requires_grad=True)
            loss = cross_entropy(logits, np.array([0, 2]))
            tl = torch.tensor([v, v[::-1]], dtype=torch.float64, requires_grad=True)
            tloss = torch.nn.functional.cross_entropy(tl, torch.tensor([0, 2]))
            np.testing.assert_allclose(loss.item(), tloss.item(), rtol=1e-12)
            loss.backward()
            tloss.backward()
            np.testing.assert_allclose(logits.grad, tl.grad.numpy(), rtol=1e-10, atol=1e-12)


def test_logsumexp_of_infinities() -> None:
    assert Tensor([-np.inf, -np.inf]).logsumexp().item() == -np.inf
    assert Tensor([np.inf, 1.0]).logsumexp().item() == np.inf


def test_reduction_axis_errors() -> None:
    t = Tensor(np.ones((3, 2)))
    for op in ("sum", "mean", "max", "min", "logsumexp"):
        got = raised_message(lambda op=op: getattr(t, op)(axis=2))
        assert got.startswith(f"{op}: axis 2 is out of range for a tensor with ndim 2 (shape (3, 2))"), got
    assert "axis -3" in raised_message(lambda: t.softmax(axis=-3))
    assert "0-d tensor has no axes" in raised_message(lambda: Tensor(1.0).sum(axis=0))
    assert "same axis twice" in raised_message(lambda: t.sum(axis=(0, -2)))
    assert "axis must be an int" in raised_message(lambda: t.sum(axis=1.5))
    assert "empty" in raised_message(lambda: Tensor(np.ones((0, 2))).max(axis=0))


def tdims(x: torch.Tensor, axis: object) -> tuple[int, ...]:
    return tuple(range(x.ndim)) if axis is None else (axis,) if isinstance(axis, int) else tuple(axis)


def ours_reduce(name: str, axis: object, keepdims: bool):
    if name == "var_ddof1":
        return lambda t: t.var(axis=axis, keepdims=keepdims, ddof=1)
    return lambda t: getattr(t, name)(axis=axis, keepdims=keepdims)


def treduce(name: str, axis: object, keepdims: bool):
    def theirs(x: torch.Tensor) -> torch.Tensor:
        if x.ndim == 0 and name in ("var", "std"):
            return torch.zeros_like(x) * x
        if x.ndim == 0:
            return x.sum() if name != "mean" else x.mean()
        dims = tdims(x, axis)
        if name == "prod":  # torch.prod takes one dim at a time
            for d in sorted((d % x.ndim for d in dims), reverse=True):
                x = x.prod(dim=d, keepdim=keepdims)
            return x
        if name in ("var", "var_ddof1", "std"):
            correction = 1 if name == "var_ddof1" else 0
            return getattr(torch, name[:3])(x, dim=dims, keepdim=keepdims, correction=correction)
        if name == "sum":
            return x.sum(dim=dims, keepdim=keepdims)
        if name == "mean":
            return x.mean(dim=dims, keepdim=keepdims)
        if name == "max":
            return torch.amax(x, dim=dims, keepdim=keepdims)
        if name == "min":
            return torch.amin(x, dim=dims, keepdim=keepdims)
        return torch.logsumexp(x, dim=dims, keepdim=keepdims)

    return theirs


REDUCTIONS = [
    (name, axis, keepdims)
    for name in ("sum", "mean", "max", "min", "logsumexp", "prod", "var", "var_ddof1", "std")
    for axis in (None, 0, -1, (0, -1))
    for keepdims in (False, True)
]


def _reduction_cases() -> list[object]:
    cases = []
    for name, axis, keepdims in REDUCTIONS:
        for shape in SHAPES:
            if not shape and axis is not None:
                continue
            if axis == (0, -1) and len(shape) < 2:
                continue
            cases.append(pytest.param(name, axis, keepdims, shape, id=f"{name}-{axis}-{keepdims}-{shape}"))
    return cases


def run_reduction(
    name: str, axis: object, keepdims: bool, shape: tuple[int, ...], data: st.DataObject
) -> None:
    x = draw_array(data, shape, "ties" if name in ("max", "min", "prod") else "real")
    if name == "var_ddof1" and _reduced_count(shape, axis) < 2:
        return  # one element per result: nan for both, tested with its warning in test_ops
    if name == "std":  # away from 0, where the two engines' rounding decides between 0 and a tiny std
        x = x + np.linspace(0.0, 1.0, x.size).reshape(shape)
        if _reduced_count(shape, axis) > 1:  # (the ramp can cancel a draw: [3, 2] + [0, 1] has std 0)
            assume(bool(np.all(x.std(axis=axis) > 1e-3)))
    against_torch(ours_reduce(name, axis, keepdims), treduce(name, axis, keepdims), [x])


def _reduced_count(shape: tuple[int, ...], axis: object) -> int:
    axes = range(len(shape)) if axis is None else [axis] if isinstance(axis, int) else axis
    return int(np.prod([shape[a] for a in axes]))  # type: ignore[union-attr]


@pytest.mark.parametrize(("name", "axis", "keepdims", "shape"), _reduction_cases())
@FAST
@given(data=st.data())
def test_reductions_against_torch(
    name: str, axis: object, keepdims: bool, shape: tuple[int, ...], data
) -> None:
    run_reduction(name, axis, keepdims, shape, data)


@pytest.mark.slow
@SLOW
@given(case=st.sampled_from(_reduction_cases()), data=st.data())
def test_reductions_many(case, data) -> None:
    run_reduction(*case.values, data)


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("axis", [-1, 0])
def test_softmax_family_at_huge_inputs(dtype: Any, axis: int) -> None:
    x = np.array(HUGE_ROWS, dtype=dtype)
    against_torch_in_dtype(lambda t: t.softmax(axis=axis), lambda t: torch.softmax(t, dim=axis), x)
    against_torch_in_dtype(lambda t: t.log_softmax(axis=axis), lambda t: torch.log_softmax(t, dim=axis), x)
    against_torch_in_dtype(lambda t: t.logsumexp(axis=axis), lambda t: torch.logsumexp(t, dim=axis), x)


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("keepdims", [False, True])
def test_logsumexp_every_axis_at_huge_inputs(dtype: Any, keepdims: bool) -> None:
    x = np.array(HUGE_ROWS, dtype=dtype)
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


NAN_REDUCTIONS: dict[str, tuple[Callable[[Tensor], Tensor], Callable[[Any], Any]]] = {
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


@pytest.mark.parametrize("name", sorted(NAN_REDUCTIONS))
def test_reductions_with_one_nan_as_torch(name: str) -> None:
    """One nan in a row: the result of that row and its gradients are torch's. For max and min
    the whole gradient goes to the nan entry (as torch.max), not nan to every entry."""
    ours, theirs = NAN_REDUCTIONS[name]
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
    assert same_floats(y.data, yt.detach().numpy()), f"value of {name}"
    if name in ("max axis", "min axis"):  # the tie in row 1: torch.max(dim) picks one entry, amax splits
        assert same_floats(t.grad[0], xt.grad[0]), f"gradient of {name}"
    else:
        assert same_floats(t.grad, xt.grad), f"gradient of {name}"


@pytest.mark.parametrize("name", ["softmax", "log_softmax", "logsumexp"])
@pytest.mark.parametrize("shape, axis", [((2, 0), 1), ((0, 3), 1), ((0, 3), 0), ((0,), 0)])
def test_over_an_empty_axis_as_torch(name: str, shape: tuple[int, ...], axis: int) -> None:
    """softmax and log_softmax over an empty axis give an empty result, as torch (no numpy error)."""
    t = Tensor(np.zeros(shape), requires_grad=True)
    tt = torch.zeros(shape, dtype=torch.float64, requires_grad=True)
    y, yt = getattr(t, name)(axis=axis), getattr(tt, name)(dim=axis)
    assert y.shape == tuple(yt.shape) and same_floats(y.data, yt.detach().numpy())
    y.sum().backward()
    yt.sum().backward()
    assert t.grad is not None and same_floats(t.grad, tt.grad)


def hessian_torch(f: Callable[[torch.Tensor], torch.Tensor], x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    t = torch.tensor(x, requires_grad=True)
    (g,) = torch.autograd.grad(f(t), t, create_graph=True)
    rows = [torch.autograd.grad(g.reshape(-1)[i], t, retain_graph=True)[0].reshape(-1) for i in range(x.size)]
    return g.detach().numpy(), torch.stack(rows).numpy()


def hessian_ours(f: Callable[[Tensor], Tensor], x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    rows = []
    first = None
    for i in range(x.size):
        t = Tensor(x.copy(), requires_grad=True)
        f(t).backward(create_graph=True)
        g = t.grad
        first = g.data
        t.zero_grad()
        g.reshape(-1)[i].backward()
        rows.append(np.zeros(x.size) if t.grad is None else t.grad.reshape(-1))
    return first, np.array(rows)  # type: ignore[return-value]


@pytest.mark.parametrize(
    "x",
    [
        [2.0, 3.0, 4.0],
        [2.0, 0.0, 4.0],
        [0.0, 0.0, 4.0],
        [0.0, 0.0, 0.0],
        [[1.0, 0.0], [0.0, 3.0]],
        [[2.0, 0.5], [1.5, -1.0]],
    ],
    ids=["no zero", "one zero", "two zeros", "all zeros", "a zero per row", "matrix"],
)
@pytest.mark.parametrize("axis", [None, 0, -1])
def test_prod_gradient_and_hessian_with_zeros_match_torch(x: list[Any], axis: int | None) -> None:
    arr = np.array(x)
    if axis is not None and arr.ndim == 1 and axis == 0:
        axis = -1
    w = np.linspace(0.5, 2.0, np.prod(arr.shape) // arr.shape[axis] if axis is not None else 1)

    def ours(t: Tensor) -> Tensor:
        p = t.prod(axis=axis)
        return (p * w.reshape(p.shape)).sum()

    def theirs(t: torch.Tensor) -> torch.Tensor:
        p = t.prod() if axis is None else t.prod(dim=axis)
        return (p * torch.tensor(w.reshape(tuple(p.shape)))).sum()

    g, h = hessian_ours(ours, arr)
    tg, th = hessian_torch(theirs, arr)
    np.testing.assert_allclose(g, tg, rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(h, th, rtol=1e-12, atol=1e-14)


def test_prod_keepdims_several_axes_and_numpy() -> None:
    x = np.arange(1.0, 25.0).reshape(2, 3, 4) / 7
    x[1, 2, 3] = 0.0
    t = Tensor(x, requires_grad=True)
    y = np.prod(t, axis=(0, 2), keepdims=True)
    assert isinstance(y, Tensor) and y.shape == (1, 3, 1)
    y.sum().backward()
    tt = torch.tensor(x, requires_grad=True)
    tt.prod(dim=2, keepdim=True).prod(dim=0, keepdim=True).sum().backward()
    np.testing.assert_allclose(t.grad, tt.grad.numpy(), rtol=1e-12)
    gradcheck(lambda a: a.prod(axis=1).sum(), [x], order=2)


@pytest.mark.parametrize("ddof", [0, 1, 2])
@pytest.mark.parametrize("axis", [None, 0, 1, (0, 1)])
@pytest.mark.parametrize("keepdims", [False, True])
def test_var_and_std_match_torch(ddof: int, axis: Any, keepdims: bool) -> None:
    x = np.array([[0.5, -1.25, 3.0], [2.0, 0.75, -0.5], [1.0, 1.5, 4.0]])
    dims = (0, 1) if axis is None else axis
    for name in ("var", "std"):
        t = Tensor(x, requires_grad=True)
        y = getattr(t, name)(axis=axis, keepdims=keepdims, ddof=ddof)
        tt = torch.tensor(x, requires_grad=True)
        ty = getattr(torch, name)(tt, dim=dims, keepdim=keepdims, correction=ddof)
        np.testing.assert_allclose(y.data, ty.detach().numpy(), rtol=1e-12)
        (y * 1.5).sum().backward(create_graph=True)
        (tg,) = torch.autograd.grad((ty * 1.5).sum(), tt, create_graph=True)
        np.testing.assert_allclose(t.grad.data, tg.detach().numpy(), rtol=1e-12, atol=1e-15)
        v = np.linspace(-1, 1, 9).reshape(3, 3)
        first = t.grad
        t.zero_grad()
        (first * v).sum().backward()
        (th,) = torch.autograd.grad((tg * torch.tensor(v)).sum(), tt)
        np.testing.assert_allclose(t.grad, th.numpy(), rtol=1e-10, atol=1e-13)
    np.testing.assert_allclose(np.var(Tensor(x), axis=axis, ddof=ddof).data, np.var(x, axis=axis, ddof=ddof))
    np.testing.assert_allclose(np.std(Tensor(x), axis=axis, ddof=ddof).data, np.std(x, axis=axis, ddof=ddof))


def test_std_gradient_where_it_is_zero_is_zero_as_torch() -> None:
    x = np.array([[1.0, 1.0, 1.0], [1.0, 2.0, 4.0]])
    t = Tensor(x, requires_grad=True)
    t.std(axis=1).sum().backward()
    tt = torch.tensor(x, requires_grad=True)
    tt.std(dim=1, correction=0).sum().backward()
    np.testing.assert_allclose(t.grad, tt.grad.numpy(), rtol=1e-12)
    assert np.all(t.grad[0] == 0.0)
    assert t.std(axis=1)._op == "std"


def test_var_without_degrees_of_freedom_warns_and_gives_nan_or_inf() -> None:
    with pytest.warns(RuntimeWarning, match=r"var: ddof=1 leaves no degrees of freedom over 1 element"):
        assert np.isnan(Tensor([3.0]).var(ddof=1).item())
    with pytest.warns(RuntimeWarning, match=r"std: ddof=3"):
        assert Tensor([1.0, 2.0]).std(ddof=3).item() == np.inf  # as torch: a positive sum over 0


def test_argmax_argmin_first_of_ties_as_numpy_and_torch() -> None:
    x = np.array([[1.0, 3.0, 3.0, -2.0], [0.0, 0.0, -5.0, -5.0]])
    t = Tensor(x, requires_grad=True)
    tt = torch.tensor(x)
    assert t.argmax() == 1 == tt.argmax().item()
    assert t.argmin() == 6 == tt.argmin().item()
    for axis in (0, 1, -1):
        np.testing.assert_array_equal(t.argmax(axis=axis), tt.argmax(dim=axis).numpy())
        np.testing.assert_array_equal(t.argmin(axis=axis), tt.argmin(dim=axis).numpy())
    np.testing.assert_array_equal(np.argmax(t, axis=1), [1, 0])
    assert t.argmax(axis=1, keepdims=True).shape == (2, 1)
    assert isinstance(t.argmax(), np.ndarray) and t.argmax().dtype.kind == "i"  # indices: no graph
