"""Tensor's shape ops: reshape, transpose, indexing, concatenate, stack, iteration, against torch
float64, and their errors.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from helpers import against_torch, raised_message

from autograd import Tensor, concatenate, stack


def test_shape_op_errors() -> None:
    t = Tensor(np.ones((3, 2)))
    assert raised_message(lambda: t.reshape(4)).startswith(
        "reshape: cannot reshape (3, 2) (6 elements) into (4,)"
    )
    assert raised_message(lambda: t.transpose(0, 0)).startswith(
        "transpose: axes (0, 0) are not a permutation of (0, 1)"
    )
    assert raised_message(lambda: t.squeeze(0)).startswith("squeeze: axis 0 has size 3, not 1")
    assert "axis -2 has size 3, target 4" in raised_message(lambda: t.broadcast_to((4, 2)))
    assert "unsqueeze: axis 3 is out of range" in raised_message(lambda: t.unsqueeze(3))
    assert "concatenate: shapes (3, 2) and (3, 3) differ outside axis 0" in raised_message(
        lambda: concatenate([t, np.ones((3, 3))])
    )
    assert "stack: shapes (3, 2) and (2, 3) differ" in raised_message(lambda: stack([t, t.T]))
    assert "index:" in raised_message(lambda: t[5]) and "(3, 2)" in raised_message(lambda: t[5])
    assert "integers or booleans" in raised_message(lambda: t[np.array([0.5])])
    assert "cannot index with a Tensor" in raised_message(lambda: t[Tensor([0.0])])
    assert "clip: give lo, hi or both" in raised_message(lambda: t.clip())


CONCAT_CASES = [
    ([(2, 3), (1, 3), (4, 3)], 0),
    ([(2, 3), (2, 1)], 1),
    ([(2, 3), (2, 2)], -1),
    ([(3,), (2,)], 0),
    ([(2, 3, 4), (2, 1, 4)], 1),
]


@pytest.mark.parametrize(("shapes", "axis"), CONCAT_CASES)
def test_concatenate_against_torch(shapes: list[tuple[int, ...]], axis: int) -> None:
    rng = np.random.default_rng(1)
    arrays = [rng.standard_normal(s) for s in shapes]
    against_torch(lambda *xs: concatenate(list(xs), axis=axis), lambda *xs: torch.cat(xs, dim=axis), arrays)


@pytest.mark.parametrize("axis", [0, 1, -1, 2, -3])
@pytest.mark.parametrize("shape", [(2, 3), (1, 2)])
def test_stack_against_torch(shape: tuple[int, ...], axis: int) -> None:
    rng = np.random.default_rng(2)
    arrays = [rng.standard_normal(shape) for _ in range(3)]
    against_torch(lambda *xs: stack(xs, axis=axis), lambda *xs: torch.stack(xs, dim=axis), arrays)


def test_stack_of_scalars_and_mixed_constants() -> None:
    against_torch(
        lambda a, b: stack([a, b, 2.0]),
        lambda a, b: torch.stack([a, b, torch.tensor(2.0, dtype=torch.float64)]),
        [np.array(1.0), np.array(3.0)],
    )
    against_torch(
        lambda a: concatenate([a, np.ones(2)]),
        lambda a: torch.cat([a, torch.ones(2, dtype=torch.float64)]),
        [np.arange(3.0)],
    )


MASK = np.array([[True, False], [False, False], [True, True]])


INDEXES = [
    ("int", 1),
    ("negative int", -1),
    ("slice", slice(1, None)),
    ("step slice", slice(None, None, 2)),
    ("tuple", (0, 1)),
    ("row slice", (slice(None), 0)),
    ("none", (None, slice(None), None)),
    ("ellipsis", (Ellipsis, 1)),
    ("repeated list", [0, 0, 2, 0]),
    ("repeated array", np.array([2, 2, 2])),
    ("2-d integer array", np.array([[0, 1], [1, 1]])),
    ("repeated pairs", (np.array([0, 0, 1, 0]), np.array([1, 1, 0, 1]))),
    ("array and slice", (slice(None), [1, 1, 0])),
    ("bool mask", MASK),
    ("row mask", np.array([True, False, True])),
    ("empty", np.array([], dtype=int)),
]


@pytest.mark.parametrize("index", [i for _, i in INDEXES], ids=[n for n, _ in INDEXES])
def test_indexing_against_torch(index: object) -> None:
    x = np.arange(6.0).reshape(3, 2) - 2.5
    tindex = index
    if isinstance(index, tuple):
        tindex = tuple(torch.tensor(i) if isinstance(i, np.ndarray) else i for i in index)
    elif isinstance(index, np.ndarray):
        tindex = torch.tensor(index)
    against_torch(lambda t: t[index], lambda t: t[tindex], [x])


def test_repeated_index_scatter_adds() -> None:
    x = Tensor([1.0, 2.0, 3.0], requires_grad=True)
    x[[0, 0, 0, 2]].sum().backward()
    np.testing.assert_array_equal(x.grad, [3.0, 0.0, 1.0])
    y = Tensor(np.zeros((2, 2)), requires_grad=True)
    (y[np.array([1, 1]), np.array([0, 0])] * Tensor([2.0, 5.0])).sum().backward()
    np.testing.assert_array_equal(y.grad, [[0.0, 0.0], [7.0, 0.0]])


def test_iteration_and_len() -> None:
    x = Tensor(np.arange(6.0).reshape(3, 2), requires_grad=True)
    assert len(x) == 3
    rows = list(x)
    assert [r.shape for r in rows] == [(2,)] * 3
    (rows[0] * 2 + rows[2]).sum().backward()
    np.testing.assert_array_equal(x.grad, [[2, 2], [0, 0], [1, 1]])
    with pytest.raises(TypeError, match="0-d"):
        len(Tensor(1.0))
    with pytest.raises(TypeError, match="0-d"):
        iter(Tensor(1.0))


SHAPE_OPS: list[tuple[str, Callable[[Any], Any], Callable[[torch.Tensor], torch.Tensor]]] = [
    ("cumsum 0", lambda t: t.cumsum(0), lambda t: t.cumsum(0)),
    ("cumsum -1", lambda t: t.cumsum(-1), lambda t: t.cumsum(-1)),
    ("cumsum flat", lambda t: t.cumsum(), lambda t: t.reshape(-1).cumsum(0)),
    ("np.cumsum", lambda t: np.cumsum(t, axis=1), lambda t: t.cumsum(1)),
    ("flip 1", lambda t: t.flip(1), lambda t: t.flip(1)),
    ("flip all", lambda t: t.flip(), lambda t: t.flip((0, 1, 2))),
    ("np.flip", lambda t: np.flip(t, (0, 2)), lambda t: t.flip((0, 2))),
    ("pad int", lambda t: t.pad(2), lambda t: F.pad(t, (2,) * 6)),
    ("pad pair", lambda t: t.pad((0, 3)), lambda t: F.pad(t, (0, 3) * 3)),
    ("pad per axis", lambda t: t.pad(((1, 0), (0, 0), (2, 1))), lambda t: F.pad(t, (2, 1, 0, 0, 1, 0))),
    ("np.pad", lambda t: np.pad(t, ((0, 1), (1, 1), (0, 0))), lambda t: F.pad(t, (0, 0, 1, 1, 0, 1))),
    ("tile", lambda t: t.tile((2, 1, 3)), lambda t: t.tile((2, 1, 3))),
    ("tile short", lambda t: t.tile(3), lambda t: t.tile((3,))),
    ("tile long", lambda t: t.tile((2, 1, 1, 2)), lambda t: t.tile((2, 1, 1, 2))),
    ("np.tile", lambda t: np.tile(t, (1, 2)), lambda t: t.tile((1, 2))),
    ("tile zero", lambda t: t.tile((1, 0, 1)), lambda t: t.tile((1, 0, 1))),
]


@pytest.mark.parametrize(("name", "ours", "theirs"), SHAPE_OPS, ids=[c[0] for c in SHAPE_OPS])
def test_shape_ops_match_torch_to_second_order(name: str, ours: Any, theirs: Any) -> None:
    x = np.arange(24.0).reshape(2, 3, 4) / 5 - 2
    t = Tensor(x, requires_grad=True)
    y = ours(t)
    tt = torch.tensor(x, requires_grad=True)
    ty = theirs(tt)
    np.testing.assert_array_equal(y.data, ty.detach().numpy())
    if y.size == 0:  # nothing flows back: the gradient is zeros
        y.sum().backward()
        np.testing.assert_array_equal(t.grad, np.zeros(x.shape))
        return
    w = np.cos(np.arange(y.size)).reshape(y.shape)
    (y * y * w).sum().backward(create_graph=True)  # y * y: the second derivative is not 0
    (tg,) = torch.autograd.grad((ty * ty * torch.tensor(w)).sum(), tt, create_graph=True)
    np.testing.assert_allclose(t.grad.data, tg.detach().numpy(), rtol=1e-12)
    first = t.grad
    t.zero_grad()
    first.sum().backward()
    (th,) = torch.autograd.grad(tg.sum(), tt)
    np.testing.assert_allclose(t.grad, th.numpy(), rtol=1e-12)


def test_shape_ops_keep_their_parameters_and_skip_no_ops() -> None:
    t = Tensor(np.ones((2, 3)), requires_grad=True)
    assert t.pad(((0, 0), (0, 0))) is t and t.tile((1, 1)) is t and Tensor(2.0).flip() is not None
    assert t.pad(((1, 0), (0, 2)))._attrs == {"pad_width": ((1, 0), (0, 2))}
    assert t.tile(2)._attrs == {"reps": (1, 2)}
    assert t.cumsum(-1)._attrs == {"axis": 1}
    assert t.flip((0, -1))._attrs == {"axis": (0, 1)}
    assert t.prod(axis=1)._attrs == {"axis": (1,), "keepdims": False}
