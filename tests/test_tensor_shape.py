"""Tensor's shape ops: reshape, transpose, indexing, concatenate, stack, iteration, against torch
float64, and their errors.
"""

from __future__ import annotations

import numpy as np
import pytest
import torch
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
