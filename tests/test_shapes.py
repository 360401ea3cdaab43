"""autograd/shapes.py: the shape arithmetic of Tensor's ops, each helper checked by the property
that makes it right (undoing broadcasting is the adjoint of broadcasting; spreading a reduction's
gradient back is the adjoint of the reduction; the tie rule splits a gradient whole)."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from autograd import Tensor
from autograd.shapes import AxisError, even_split, expand, normalize_axes, unbroadcast

SHAPES = st.lists(st.integers(1, 4), min_size=0, max_size=4).map(tuple)


@st.composite
def broadcast_pairs(draw: st.DrawFn) -> tuple[tuple[int, ...], tuple[int, ...]]:
    """(small, big): ``small`` broadcasts to ``big`` (some axes 1, some leading axes gone)."""
    big = draw(SHAPES)
    kept = draw(st.integers(0, len(big)))
    small = tuple(1 if draw(st.booleans()) else n for n in big[len(big) - kept :])
    return small, big


def test_unbroadcast() -> None:
    g = np.arange(24.0).reshape(2, 3, 4)
    np.testing.assert_array_equal(unbroadcast(g, (3, 4)), g.sum(0))
    np.testing.assert_array_equal(unbroadcast(g, (3, 1)), g.sum((0, 2))[:, None])
    np.testing.assert_array_equal(unbroadcast(g, (1, 1, 4)), g.sum((0, 1), keepdims=True))
    np.testing.assert_array_equal(unbroadcast(g, ()), g.sum())
    assert unbroadcast(g, (2, 3, 4)) is g
    t = unbroadcast(Tensor(g, requires_grad=True), (3, 1))
    assert isinstance(t, Tensor) and t.requires_grad and t.shape == (3, 1)


@settings(max_examples=60, deadline=None)
@given(broadcast_pairs(), st.integers(0, 2**32 - 1))
def test_unbroadcast_is_the_adjoint_of_broadcasting(pair: tuple[tuple[int, ...], ...], seed: int) -> None:
    """<g, broadcast(x)> = <unbroadcast(g), x>: the gradient of a broadcast input is summed back."""
    small, big = pair
    rng = np.random.default_rng(seed)
    x, g = rng.normal(size=small), rng.normal(size=big)
    back = unbroadcast(g, small)
    assert back.shape == small
    assert np.isclose((g * np.broadcast_to(x, big)).sum(), (back * x).sum(), rtol=1e-12, atol=1e-12)


@settings(max_examples=60, deadline=None)
@given(SHAPES.filter(len), st.data())
def test_expand_is_the_adjoint_of_a_sum(shape: tuple[int, ...], data: st.DataObject) -> None:
    """<g, sum(x, axes)> = <expand(g), x>, with and without the kept axes."""
    axes = tuple(sorted(data.draw(st.sets(st.integers(0, len(shape) - 1), min_size=1))))
    keepdims = data.draw(st.booleans())
    rng = np.random.default_rng(len(shape) + sum(axes))
    x = rng.normal(size=shape)
    reduced = x.sum(axis=axes, keepdims=keepdims)
    g = rng.normal(size=reduced.shape)
    spread = expand(g, shape, axes, keepdims)
    assert spread.shape == shape
    assert np.isclose((g * reduced).sum(), (spread * x).sum(), rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize(
    ("axis", "ndim", "expected"),
    [(None, 3, (0, 1, 2)), (-1, 3, (2,)), ((2, -3), 3, (0, 2)), ([1], 2, (1,)), ((), 2, ())],
)
def test_normalize_axes_gives_sorted_non_negative_axes(axis, ndim, expected) -> None:
    assert normalize_axes(axis, ndim, "sum", (2,) * ndim) == expected


def test_normalize_axes_refuses_what_names_no_axis_once() -> None:
    out_of_range = r"sum: axis 3 is out of range .*\(shape \(2, 2\)\); use an axis in -2..1"
    with pytest.raises(AxisError, match=out_of_range):
        normalize_axes(3, 2, "sum", (2, 2))
    with pytest.raises(AxisError, match="a 0-d tensor has no axes"):
        normalize_axes(0, 0, "sum", ())
    with pytest.raises(ValueError, match="names the same axis twice"):
        normalize_axes((1, -1), 2, "sum", (2, 2))
    with pytest.raises(TypeError, match="axis must be an int"):
        normalize_axes(1.0, 2, "sum", (2, 2))


@pytest.mark.parametrize("holders", [[True], [True, True], [True, False, True, True], [False, True]])
def test_even_split_shares_the_whole_gradient_among_the_holders(holders: list[bool]) -> None:
    holds = np.array(holders)
    share = even_split(holds, holds.sum(), np.float32)
    assert share.dtype == np.float32 and share.sum() == pytest.approx(1.0)
    assert np.all(share[~holds] == 0) and len(set(share[holds].tolist())) == 1


def test_even_split_of_no_holder_is_nan() -> None:
    """A reduction whose result is nan: no entry equals it, and the gradient is nan (as torch.amax)."""
    assert np.isnan(even_split(np.array([False, False]), 0, np.float64)).all()


def test_the_helpers_work_on_tensors_under_create_graph() -> None:
    g = Tensor(np.ones((2, 3)), requires_grad=True)
    assert isinstance(unbroadcast(g, (3,)), Tensor)
    assert isinstance(expand(g.sum(axis=1), (2, 3), (1,), False), Tensor)
