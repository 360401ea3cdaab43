"""The Tensor class and its elementwise ops: construction and dtypes, attributes, repr, stability,
error messages; and every unary and binary op, matmul and where against torch float64 over the
shape sweep, values and gradients.

Shapes: scalar, (2,), (3, 2), (1, 2), (2, 3, 4) (plus (3, 1) and (4,) so that binary ops meet
every kind of broadcasting). Hypothesis draws the values, with ties and zeros on purpose (the
kinks of relu, abs, clip, maximum and max). Values and gradients must agree to 1e-10 relative.
Run ``pytest -m slow tests/test_tensor.py`` for many more examples per case (the reductions' and
shape ops' sweeps are in test_tensor_reduce.py and test_tensor_shape.py).
"""

from __future__ import annotations

import math
import warnings
from typing import Any

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from helpers import (
    FAST,
    HUGE,
    HUGE_ROWS,
    SHAPES,
    SLOW,
    TIES,
    TORCH_DTYPES,
    against_torch,
    against_torch_in_dtype,
    broadcastable,
    draw_array,
    no_warnings,
    raised_message,
)
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from autograd import Tensor, Value, concatenate, stack, where
from nn.losses import cross_entropy

PAIR_SHAPES = SHAPES + [(3, 1), (4,)]


PAIRS = [(a, b) for a in PAIR_SHAPES for b in PAIR_SHAPES if broadcastable(a, b)]


# --- value strategies: ties and the kinks on purpose ---------------------------------------------


# --- the comparison ------------------------------------------------------------------------------


# name: (ours, theirs, domain, minimum ndim)
UNARY = {
    "neg": (lambda x: -x, lambda x: -x, "real", 0),
    "pos": (lambda x: +x, lambda x: +x, "real", 0),
    "exp": (lambda x: x.exp(), torch.exp, "real", 0),
    "log": (lambda x: x.log(), torch.log, "pos", 0),
    "tanh": (lambda x: x.tanh(), torch.tanh, "real", 0),
    "sigmoid": (lambda x: x.sigmoid(), torch.sigmoid, "real", 0),
    "relu": (lambda x: x.relu(), torch.relu, "real", 0),
    "abs": (lambda x: abs(x), torch.abs, "real", 0),
    "sqrt": (lambda x: x.sqrt(), torch.sqrt, "pos", 0),
    "clip": (lambda x: x.clip(-0.5, 1.0), lambda x: x.clamp(-0.5, 1.0), "real", 0),
    "clip_lo": (lambda x: x.clip(lo=0.0), lambda x: x.clamp(min=0.0), "real", 0),
    "clip_hi": (lambda x: x.clip(hi=0.5), lambda x: x.clamp(max=0.5), "real", 0),
    "clip_crossed": (lambda x: x.clip(1.0, -1.0), lambda x: x.clamp(1.0, -1.0), "real", 0),
    "square": (lambda x: x**2, lambda x: x**2, "real", 0),
    "cube": (lambda x: x**3, lambda x: x**3, "real", 0),
    "pow0": (lambda x: x**0, lambda x: x**0, "real", 0),
    "pow_half": (lambda x: x**0.5, lambda x: x**0.5, "pos", 0),
    "pow_neg": (lambda x: x**-1.5, lambda x: x**-1.5, "pos", 0),
    "reciprocal": (lambda x: 1 / x, lambda x: 1 / x, "nonzero", 0),
    "rpow": (lambda x: 2.0**x, lambda x: 2.0**x, "real", 0),
    "add_number": (lambda x: x + 1.5, lambda x: x + 1.5, "real", 0),
    "radd_number": (lambda x: 1.5 + x, lambda x: 1.5 + x, "real", 0),
    "sub_number": (lambda x: x - 2, lambda x: x - 2, "real", 0),
    "rsub_number": (lambda x: 2 - x, lambda x: 2 - x, "real", 0),
    "mul_number": (lambda x: x * 3, lambda x: x * 3, "real", 0),
    "rmul_number": (lambda x: 3 * x, lambda x: 3 * x, "real", 0),
    "div_number": (lambda x: x / 4, lambda x: x / 4, "real", 0),
    "maximum_number": (
        lambda x: x.maximum(0.5),
        lambda x: torch.maximum(x, torch.tensor(0.5).double()),
        "ties",
        0,
    ),
    "minimum_number": (
        lambda x: x.minimum(0.5),
        lambda x: torch.minimum(x, torch.tensor(0.5).double()),
        "ties",
        0,
    ),
    "mul_self": (lambda x: x * x, lambda x: x * x, "real", 0),
    "chain": (
        lambda x: ((x * 0.5).tanh() + x.sigmoid() * x).exp(),
        lambda x: ((x * 0.5).tanh() + x.sigmoid() * x).exp(),
        "real",
        0,
    ),
    "reshape_flat": (lambda x: x.reshape(-1), lambda x: x.reshape(-1), "real", 0),
    "flatten": (lambda x: x.flatten(), lambda x: x.flatten(), "real", 0),
    "transpose": (lambda x: x.transpose(), lambda x: x.permute(tuple(reversed(range(x.ndim)))), "real", 0),
    "T": (lambda x: x.T, lambda x: x.permute(tuple(reversed(range(x.ndim)))), "real", 0),
    "unsqueeze0": (lambda x: x.unsqueeze(0), lambda x: x.unsqueeze(0), "real", 0),
    "unsqueeze_last": (lambda x: x.unsqueeze(-1), lambda x: x.unsqueeze(-1), "real", 0),
    "squeeze": (lambda x: x.squeeze(), lambda x: x.squeeze(), "real", 0),
    "broadcast_to": (
        lambda x: x.broadcast_to((2,) + x.shape),
        lambda x: x.broadcast_to((2,) + tuple(x.shape)),
        "real",
        0,
    ),
    "swapaxes": (lambda x: x.swapaxes(0, -1), lambda x: x.transpose(0, -1), "real", 2),
    "index_first": (lambda x: x[0], lambda x: x[0], "real", 1),
    "index_last_slice": (lambda x: x[..., 1:], lambda x: x[..., 1:], "real", 1),
    "index_none": (lambda x: x[None], lambda x: x[None], "real", 0),
    "index_repeat": (lambda x: x[[0, 0, -1]], lambda x: x[[0, 0, -1]], "real", 1),
    "index_mask": (lambda x: x[x.data > 0], lambda x: x[x.detach() > 0], "real", 1),
    "softmax_last": (lambda x: x.softmax(-1), lambda x: torch.softmax(x, -1), "real", 1),
    "softmax_first": (lambda x: x.softmax(0), lambda x: torch.softmax(x, 0), "real", 1),
    "log_softmax_last": (lambda x: x.log_softmax(-1), lambda x: torch.log_softmax(x, -1), "real", 1),
    "log_softmax_first": (lambda x: x.log_softmax(0), lambda x: torch.log_softmax(x, 0), "real", 1),
    "sin": (lambda x: x.sin(), torch.sin, "real", 0),
    "cos": (lambda x: x.cos(), torch.cos, "real", 0),
    "erf": (lambda x: x.erf(), torch.erf, "real", 0),
    "erf_wide": (lambda x: x.erf(), torch.erf, "wide", 0),
    "leaky_relu": (lambda x: x.leaky_relu(), F.leaky_relu, "real", 0),
    "leaky_relu_slope": (lambda x: x.leaky_relu(0.2), lambda x: F.leaky_relu(x, 0.2), "real", 0),
    "elu": (lambda x: x.elu(), F.elu, "real", 0),
    "elu_alpha": (lambda x: x.elu(0.5), lambda x: F.elu(x, 0.5), "wide", 0),
    "gelu": (lambda x: x.gelu(), F.gelu, "real", 0),
    "gelu_wide": (lambda x: x.gelu(), F.gelu, "wide", 0),
    "silu": (lambda x: x.silu(), F.silu, "real", 0),
    "softplus": (lambda x: x.softplus(), F.softplus, "real", 0),
    "softplus_wide": (lambda x: x.softplus(), F.softplus, "wide", 0),
    "clip_tensor_bounds": (
        lambda x: x.clip(-x.detach() * 0.5 - 0.25, x.detach() + 0.5),
        lambda x: x.clamp(-x.detach() * 0.5 - 0.25, x.detach() + 0.5),
        "real",
        0,
    ),
    "cumsum_first": (lambda x: x.cumsum(0), lambda x: x.cumsum(0), "real", 1),
    "cumsum_last": (lambda x: x.cumsum(-1), lambda x: x.cumsum(-1), "real", 1),
    "cumsum_flat": (lambda x: x.cumsum(), lambda x: x.reshape(-1).cumsum(0), "real", 0),
    "flip_first": (lambda x: x.flip(0), lambda x: x.flip(0), "real", 1),
    "flip_all": (lambda x: x.flip(), lambda x: x.flip(tuple(range(x.ndim))), "real", 0),
    "pad_one": (lambda x: x.pad(1), lambda x: F.pad(x, (1, 1) * x.ndim), "real", 0),
    "pad_last": (
        lambda x: x.pad(((0, 0),) * (x.ndim - 1) + ((2, 1),)),
        lambda x: F.pad(x, (2, 1)),
        "real",
        1,
    ),
    "tile_short": (lambda x: x.tile(2), lambda x: x.tile((2,)), "real", 0),
    "tile_long": (lambda x: x.tile((2, 1, 3)), lambda x: x.tile((2, 1, 3)), "real", 0),
}


def _unary_cases() -> list[object]:
    return [
        pytest.param(name, shape, id=f"{name}-{shape}")
        for name, (_, _, _, min_ndim) in UNARY.items()
        for shape in SHAPES
        if len(shape) >= min_ndim
    ]


def run_unary(name: str, shape: tuple[int, ...], data: st.DataObject) -> None:
    ours, theirs, domain, _ = UNARY[name]
    x = draw_array(data, shape, domain)
    against_torch(ours, theirs, [x])


@pytest.mark.parametrize(("name", "shape"), _unary_cases())
@FAST
@given(data=st.data())
def test_unary_against_torch(name: str, shape: tuple[int, ...], data: st.DataObject) -> None:
    run_unary(name, shape, data)


# name: (ours, theirs, domain of a, domain of b)
BINARY = {
    "add": (lambda a, b: a + b, lambda a, b: a + b, "real", "real"),
    "sub": (lambda a, b: a - b, lambda a, b: a - b, "real", "real"),
    "mul": (lambda a, b: a * b, lambda a, b: a * b, "real", "real"),
    "div": (lambda a, b: a / b, lambda a, b: a / b, "real", "nonzero"),
    "pow": (lambda a, b: a**b, lambda a, b: a**b, "pos", "real"),
    "maximum": (lambda a, b: a.maximum(b), torch.maximum, "ties", "ties"),
    "minimum": (lambda a, b: a.minimum(b), torch.minimum, "ties", "ties"),
    "np_maximum": (np.maximum, torch.maximum, "ties", "ties"),
    "affine": (
        lambda a, b: (a * b + a / (1 + b * b)).tanh(),
        lambda a, b: (a * b + a / (1 + b * b)).tanh(),
        "real",
        "real",
    ),
}


def run_binary(name: str, sa: tuple[int, ...], sb: tuple[int, ...], data: st.DataObject) -> None:
    ours, theirs, da, db = BINARY[name]
    a, b = draw_array(data, sa, da), draw_array(data, sb, db)
    against_torch(ours, theirs, [a, b])


def _binary_cases() -> list[object]:
    return [pytest.param(name, sa, sb, id=f"{name}-{sa}-{sb}") for name in BINARY for sa, sb in PAIRS]


@pytest.mark.parametrize(("name", "sa", "sb"), _binary_cases())
@FAST
@given(data=st.data())
def test_binary_against_torch(
    name: str, sa: tuple[int, ...], sb: tuple[int, ...], data: st.DataObject
) -> None:
    run_binary(name, sa, sb, data)


@pytest.mark.parametrize(("sa", "sb"), PAIRS, ids=[f"{a}-{b}" for a, b in PAIRS])
@FAST
@given(data=st.data())
def test_where_against_torch(sa: tuple[int, ...], sb: tuple[int, ...], data: st.DataObject) -> None:
    a, b = draw_array(data, sa, "real"), draw_array(data, sb, "real")
    cond = data.draw(hnp.arrays(np.bool_, np.broadcast_shapes(sa, sb)))
    against_torch(lambda x, y: where(cond, x, y), lambda x, y: torch.where(torch.tensor(cond), x, y), [a, b])


MATMUL_SHAPES = [
    ((3,), (3,)),
    ((2, 3), (3,)),
    ((3,), (3, 4)),
    ((2, 3), (3, 4)),
    ((5, 2, 3), (3, 4)),
    ((2, 3), (5, 3, 4)),
    ((5, 2, 3), (5, 3, 4)),
    ((1, 2, 3), (5, 3, 4)),
    ((3,), (5, 3, 4)),
    ((5, 2, 3), (3,)),
    ((2, 1, 2, 3), (4, 3, 2)),
]


@pytest.mark.parametrize(("sa", "sb"), MATMUL_SHAPES, ids=[f"{a}@{b}" for a, b in MATMUL_SHAPES])
@FAST
@given(data=st.data())
def test_matmul_against_torch(sa: tuple[int, ...], sb: tuple[int, ...], data: st.DataObject) -> None:
    a, b = draw_array(data, sa), draw_array(data, sb)
    against_torch(lambda x, y: x @ y, torch.matmul, [a, b])
    against_torch(lambda x, y: x.matmul(y), torch.matmul, [a, b])


def test_matmul_with_constants_on_either_side() -> None:
    rng = np.random.default_rng(0)
    A, B = rng.standard_normal((2, 3)), rng.standard_normal((3, 4))
    against_torch(lambda x: A @ x, lambda x: torch.tensor(A) @ x, [B])  # ndarray @ Tensor dispatches
    against_torch(lambda x: x @ B, lambda x: x @ torch.tensor(B), [A])
    against_torch(lambda x: A.tolist() @ x, lambda x: torch.tensor(A) @ x, [B])  # __rmatmul__


# --- module functions and indexing ----------------------------------------------------------------


# --- the long fuzzing run (pytest -m slow): every case above, many more draws -----------------------


@pytest.mark.slow
@SLOW
@given(case=st.sampled_from(_unary_cases()), data=st.data())
def test_unary_many(case, data) -> None:
    run_unary(*case.values, data)


@pytest.mark.slow
@SLOW
@given(case=st.sampled_from(_binary_cases()), data=st.data())
def test_binary_many(case, data) -> None:
    run_binary(*case.values, data)


@pytest.mark.parametrize(
    ("data", "dtype"),
    [
        (1.5, np.float64),
        (3, np.float64),
        (True, np.float64),
        ([1, 2, 3], np.float64),
        (np.arange(3), np.float64),
        (np.array([True, False]), np.float64),
        (np.ones(2, np.float32), np.float32),
        (np.ones(2, np.float16), np.float16),
        (np.float32(2.0), np.float32),
    ],
)
def test_data_becomes_float(data: object, dtype: type) -> None:
    assert Tensor(data).dtype == dtype


def test_float_arrays_are_wrapped_not_copied() -> None:
    a = np.zeros(3)
    t = Tensor(a, requires_grad=True)
    assert t.data is a and np.asarray(t) is a and t.numpy() is a
    assert Tensor(a, dtype=np.float32).dtype == np.float32
    assert Tensor(t).data is a and not Tensor(t).requires_grad


@pytest.mark.parametrize(
    ("bad", "what"),
    [
        (np.array(["a", "b"]), "string"),
        (np.array([1 + 2j]), "complex"),
        (np.array([object(), 1], dtype=object), "object"),
        ([Value(1.0), Value(2.0)], "stack"),
        ("abc", "string"),
    ],
)
def test_non_real_data_is_a_type_error(bad: object, what: str) -> None:
    with pytest.raises(TypeError, match=what):
        Tensor(bad)


def test_constructor_arguments_are_checked() -> None:
    with pytest.raises(TypeError, match="floating dtype"):
        Tensor([1.0], dtype=np.int32)
    with pytest.raises(TypeError, match="requires_grad"):
        Tensor([1.0], requires_grad="yes")
    with pytest.raises(TypeError, match="label"):
        Tensor([1.0], label=3)
    with pytest.raises(ValueError, match="Tensor"):
        Tensor([[1.0], [2.0, 3.0]])
    with pytest.raises(TypeError, match="stack"):
        Tensor([Tensor(1.0), Tensor(2.0)])


def test_float32_stays_float32_through_every_op_and_its_gradient() -> None:
    x = Tensor(np.array([[0.5, -1.0], [2.0, 0.25]], np.float32), requires_grad=True)
    w = Tensor(np.array([1.0, 2.0], np.float32), requires_grad=True)
    pieces = [
        x + 1.5,
        2 - x,
        x * np.float64(3.0),
        x / 7,
        1 / x,
        x**2,
        2.0**x,
        abs(x) ** 0.5,
        x.exp(),
        abs(x).log(),
        x.tanh(),
        x.sigmoid(),
        x.relu(),
        abs(x),
        abs(x).sqrt(),
        x.clip(-0.5, 0.5),
        x.maximum(0.0),
        x.minimum(w),
        where(x.data > 0, x, 0.0),
        x @ w,
        x.sum(axis=0),
        x.mean(),
        x.max(axis=1),
        x.min(),
        x.logsumexp(axis=0),
        x.softmax(0),
        x.log_softmax(1),
        x.T,
        x.reshape(4),
        x[[0, 0]],
        x[x.data > 0],
        concatenate([x, w[None]]),
        stack([x, x]),
        x.broadcast_to((3, 2, 2)),
        x * np.array([1, 2]),
        cross_entropy(x, np.array([1, 0])),
    ]
    for i, p in enumerate(pieces):
        assert p.dtype == np.float32, (i, p.dtype)
    total = pieces[0].sum()
    for p in pieces[1:]:
        total = total + p.sum()
    assert total.dtype == np.float32
    total.backward()
    assert x.grad.dtype == np.float32 and w.grad.dtype == np.float32


def test_float64_arrays_promote_as_numpy_does_but_gradients_keep_the_leaf_dtype() -> None:
    x = Tensor(np.ones(2, np.float32), requires_grad=True)
    y = x * np.array([2.0, 3.0])  # a float64 array: numpy's promotion
    assert y.dtype == np.float64
    y.sum().backward()
    assert x.grad.dtype == np.float32
    np.testing.assert_array_equal(x.grad, [2.0, 3.0])


def test_float16_works() -> None:
    x = Tensor(np.array([0.5, 1.5], np.float16), requires_grad=True)
    (x * x).sum().backward()
    assert x.grad.dtype == np.float16
    np.testing.assert_array_equal(x.grad, [1.0, 3.0])


def test_attributes() -> None:
    t = Tensor(np.arange(6.0).reshape(2, 3), label="t")
    assert (t.shape, t.ndim, t.size, t.dtype) == ((2, 3), 2, 6, np.float64)
    assert t.T.shape == (3, 2) and Tensor([1.0, 2.0]).T.shape == (2,)
    assert Tensor([[4.0]]).item() == 4.0 and float(Tensor(2.5)) == 2.5
    with pytest.raises(ValueError, match=r"one element.*\(2, 3\)"):
        t.item()
    with pytest.raises(ValueError, match="ambiguous"):
        bool(t)
    assert bool(Tensor(1.0))


def test_repr_shows_data_shape_dtype_grad() -> None:
    x = Tensor([1.0, 2.0], requires_grad=True, label="x")
    assert repr(x) == "Tensor([1., 2.], shape=(2,), dtype=float64, requires_grad=True, label='x', grad=None)"
    (x * x).sum().backward()
    assert repr(x).endswith("grad=[2., 4.])")
    big = repr(Tensor(np.zeros((100, 100), np.float32)))
    assert "..." in big and "shape=(100, 100), dtype=float32" in big and len(big) < 600


def test_comparisons_give_boolean_arrays_and_equality_is_identity() -> None:
    t = Tensor([1.0, 2.0, 3.0])
    np.testing.assert_array_equal(t > 1.5, [False, True, True])
    np.testing.assert_array_equal(t <= Tensor([1.0, 0.0, 3.0]), [True, False, True])
    np.testing.assert_array_equal(0 < t, [True, True, True])  # noqa: SIM300 (the reflected form)
    assert (t == t) is True and (t == Tensor([1.0, 2.0, 3.0])) is False
    assert len({t, Tensor(1.0)}) == 2


def test_setitem_is_refused() -> None:
    with pytest.raises(TypeError, match="where"):
        Tensor([1.0, 2.0])[0] = 5.0


def test_kinks_follow_torch() -> None:
    x = Tensor([-1.0, 0.0, 1.0], requires_grad=True)
    x.relu().sum().backward()
    np.testing.assert_array_equal(x.grad, [0.0, 0.0, 1.0])  # relu'(0) = 0
    x.zero_grad()
    abs(x).sum().backward()
    np.testing.assert_array_equal(x.grad, [-1.0, 0.0, 1.0])  # |x|'(0) = 0
    x.zero_grad()
    x.clip(0.0, 1.0).sum().backward()
    np.testing.assert_array_equal(x.grad, [0.0, 1.0, 1.0])  # both bounds pass the gradient
    y = Tensor([3.0, 3.0, 1.0], requires_grad=True)
    y.max().backward()
    np.testing.assert_array_equal(y.grad, [0.5, 0.5, 0.0])  # ties share evenly
    a, b = Tensor([1.0, 2.0], requires_grad=True), Tensor([1.0, 1.0], requires_grad=True)
    a.maximum(b).sum().backward()
    np.testing.assert_array_equal(a.grad, [0.5, 1.0])
    np.testing.assert_array_equal(b.grad, [0.5, 0.0])
    z = Tensor([0.0, 2.0], requires_grad=True)
    (z**0).sum().backward()
    np.testing.assert_array_equal(z.grad, [0.0, 0.0])  # not 0 * inf
    w = Tensor([0.0, 4.0], requires_grad=True)
    with np.errstate(divide="ignore"):
        w.sqrt().sum().backward()
    np.testing.assert_array_equal(w.grad, [np.inf, 0.25])
    e = Tensor([0.0, 2.0], requires_grad=True)
    (Tensor([0.0, 2.0]) ** e).sum().backward()
    np.testing.assert_allclose(e.grad, [0.0, 4 * np.log(2)])  # d(0 ** e)/de = 0, as torch


def test_sigmoid_saturates_without_overflow() -> None:
    x = Tensor([-1000.0, 0.0, 1000.0], requires_grad=True)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        s = x.sigmoid()
        s.sum().backward()
    np.testing.assert_array_equal(s.data, [0.0, 0.5, 1.0])
    np.testing.assert_array_equal(x.grad, [0.0, 0.25, 0.0])


def test_matmul_errors() -> None:
    a = Tensor(np.ones((3, 2)))
    assert raised_message(lambda: a @ a).startswith("matmul: (3, 2) @ (3, 2): inner sizes 2 and 3 differ")
    assert "inner sizes 2 and 4 differ" in raised_message(lambda: a @ np.ones(4))
    assert "batch shapes (2,) and (3,)" in raised_message(
        lambda: Tensor(np.ones((2, 3, 2))) @ np.ones((3, 2, 4))
    )
    assert "at least 1 axis" in raised_message(lambda: Tensor(2.0) @ a)


@pytest.mark.parametrize(
    ("fn", "text"),
    [
        (lambda a, b: a + b, "add: (3, 2) + (4, 2): shapes do not broadcast: axis -2 has sizes 3 and 4"),
        (lambda a, b: a - b, "sub: (3, 2) - (4, 2)"),
        (lambda a, b: a * b, "mul: (3, 2) * (4, 2)"),
        (lambda a, b: a / b, "div: (3, 2) / (4, 2)"),
        (lambda a, b: a**b, "pow: (3, 2) ** (4, 2)"),
        (lambda a, b: a.maximum(b), "maximum: (3, 2) vs (4, 2)"),
        (lambda a, b: a.minimum(b), "minimum: (3, 2) vs (4, 2)"),
        (lambda a, b: where(True, a, b), "where: condition (), a (3, 2) and b (4, 2) do not broadcast"),
    ],
)
def test_broadcast_errors_name_op_shapes_and_axis(fn, text: str) -> None:
    got = raised_message(lambda: fn(Tensor(np.ones((3, 2))), Tensor(np.ones((4, 2)))))
    assert got.startswith(text), got


def test_operand_errors() -> None:
    t = Tensor([1.0, 2.0])
    assert "cannot combine a Tensor with a Value" in raised_message(lambda: t * Value(2.0))
    assert "string" in raised_message(lambda: t + "a")
    assert "complex" in raised_message(lambda: t * (1 + 2j))


def test_shape_mismatches_say_which_axes_differ() -> None:
    t = Tensor(np.ones((3, 2)))
    assert raised_message(lambda: concatenate([t, np.ones((4, 3))], axis=1)).startswith(
        "concatenate: shapes (3, 2) and (4, 3) differ outside axis 1: axis 0 has sizes 3 and 4;"
    )
    assert "they have 2 and 1 axes" in raised_message(lambda: concatenate([t, np.ones(3)]))
    assert raised_message(lambda: stack([t, t.T])).startswith(
        "stack: shapes (3, 2) and (2, 3) differ: axis 0 has sizes 3 and 2, axis 1 has sizes 2 and 3;"
    )
    assert "they have 2 and 1 axes" in raised_message(lambda: stack([t, np.ones(2)]))
    assert raised_message(lambda: where(np.ones(5, bool), t, np.ones((4, 2)))).endswith(
        "do not broadcast together: axis -1 has sizes 5, 2 and 2, axis -2 has sizes 3 and 4"
    )
    assert raised_message(lambda: t.clip(np.zeros(3), 1.0)) == (
        "clip: bounds of shape (3,) and () do not broadcast against shape (3, 2): axis -1 has sizes 2 and 3"
    )
    assert "axis -3 has sizes 2 and 5" in raised_message(
        lambda: Tensor(np.ones((2, 1, 3))) * np.ones((5, 4, 3))
    )


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


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_float32_stays_float32_through_a_chain(dtype: Any) -> None:
    """Numbers mixed in take the tensor's dtype: a float32 pipeline never becomes float64."""
    x = np.array(HUGE_ROWS, dtype=dtype)

    def chain(t: Any) -> Any:
        return ((t * 0.5 + 1).tanh() * 2 - (t / 3).sigmoid()).log_softmax(-1).logsumexp(0)

    against_torch_in_dtype(chain, chain, x)


KINK_POINTS = np.array([-1.0, 0.0, -0.0, 1.0, 0.0])


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("name", ["relu", "abs"])
def test_relu_and_abs_at_zero_tensor(name: str, dtype: Any) -> None:
    against_torch_in_dtype(
        lambda t: getattr(t, name)(), lambda t: getattr(t, name)(), KINK_POINTS.astype(dtype)
    )


@pytest.mark.parametrize("bounds", [(0.0, 1.0), (-1.0, 0.0), (0.0, None), (None, 0.0), (1.0, -1.0)])
def test_clip_at_its_bounds(bounds: tuple[Any, Any]) -> None:
    """The gradient passes at the bounds themselves (as torch.clamp); lo > hi gives hi, gradient 0."""
    lo, hi = bounds
    against_torch_in_dtype(lambda t: t.clip(lo, hi), lambda t: torch.clamp(t, lo, hi), KINK_POINTS)


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
