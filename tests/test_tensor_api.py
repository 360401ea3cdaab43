"""Tensor's surface: construction and dtypes, numpy interop, stability, error messages, repr."""

from __future__ import annotations

import re
import warnings

import numpy as np
import pytest
import torch

from autograd import Tensor, Value, concatenate, stack, where
from nn.losses import cross_entropy

# --- construction and dtypes ---------------------------------------------------------------------


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


# --- numpy interop: dispatch to the differentiable op, or a TypeError ---------------------------


def test_ufuncs_dispatch_to_the_differentiable_ops() -> None:
    x = Tensor(np.array([0.5, -1.0, 2.0]), requires_grad=True)
    a = np.array([1.0, 2.0, 3.0])
    out = (
        np.exp(x)
        + np.log(np.abs(x))
        + np.tanh(x)
        + np.sqrt(np.abs(x))
        + np.maximum(x, 0)
        + np.minimum(0, x)
        + a * x
        + a / x
        + a
        - x
        + np.power(x, 2)
        + np.negative(x)
        + np.positive(x)
    )
    assert isinstance(out, Tensor) and out.requires_grad
    out2 = (
        x.exp()
        + abs(x).log()
        + x.tanh()
        + abs(x).sqrt()
        + x.maximum(0)
        + x.minimum(0)
        + x * a
        + Tensor(a) / x
        + (Tensor(a) - x)
        + x**2
        - x
        + x
    )
    np.testing.assert_allclose(out.data, out2.data)
    out.sum().backward()
    g = x.grad.copy()
    x.zero_grad()
    out2.sum().backward()
    np.testing.assert_allclose(g, x.grad)


def test_numpy_functions_dispatch_too() -> None:
    x = Tensor(np.arange(6.0).reshape(2, 3), requires_grad=True)
    results = [
        np.sum(x, axis=0),
        np.mean(x),
        np.max(x, axis=1),
        np.amin(x),
        np.reshape(x, (3, 2)),
        np.transpose(x),
        np.swapaxes(x, 0, 1),
        np.expand_dims(x, 0),
        np.squeeze(x[None]),
        np.broadcast_to(x, (2, 2, 3)),
        np.concatenate([x, np.ones((1, 3))]),
        np.stack([x, x]),
        np.where(x.data > 2, x, 0.0),
        np.clip(x, 1, 4),
        np.dot(x, np.ones(3)),
        np.matmul(x, np.ones(3)),
    ]
    for r in results:
        assert isinstance(r, Tensor) and r.requires_grad
    assert np.shape(x) == (2, 3) and np.ndim(x) == 2 and np.size(x) == 6
    z = np.zeros_like(x)
    assert isinstance(z, Tensor) and not z.requires_grad and z.shape == (2, 3)
    np.testing.assert_array_equal(np.asarray(np.ones_like(x)), np.ones((2, 3)))


def test_numpy_calls_that_would_detach_raise_type_errors() -> None:
    x = Tensor([1.0, 2.0], requires_grad=True)
    with pytest.raises(
        TypeError, match=r"np\.arcsin has no differentiable Tensor version; use the Tensor methods"
    ):
        np.arcsin(x)
    with pytest.raises(TypeError, match=r"np\.linalg\.norm does not work on Tensors"):
        np.linalg.norm(x)
    with pytest.raises(TypeError, match=r"np\.add\.reduce .*Tensor\.sum"):
        np.add.reduce(x)
    out = np.zeros(2)
    with pytest.raises(TypeError, match="out"):
        np.add(x, 1.0, out=out)
    with pytest.raises(TypeError, match="out"):
        out += x
    with pytest.raises(TypeError, match="np.sum on a Tensor does not take out="):
        np.sum(x, out=out)
    with pytest.raises(TypeError, match="np.max on a Tensor does not take initial=, where="):
        np.max(x, initial=0.0, where=np.array([True, False]))
    with pytest.raises(TypeError, match="np.mean on a Tensor does not take dtype="):
        np.mean(x, dtype=np.float32)


def test_piecewise_constant_ufuncs_return_plain_arrays() -> None:
    x = Tensor([-1.0, 0.0, 2.0])
    np.testing.assert_array_equal(np.sign(x), [-1.0, 0.0, 1.0])
    np.testing.assert_array_equal(np.isfinite(x), [True, True, True])
    np.testing.assert_array_equal(np.greater(np.zeros(3), x), [True, False, False])


# --- numerical stability and conventions -------------------------------------------------------


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


# --- error messages: the op, the shapes, a hint -------------------------------------------------


def message(fn) -> str:
    with pytest.raises((ValueError, TypeError, IndexError, RuntimeError)) as err:
        fn()
    return str(err.value)


def test_matmul_errors() -> None:
    a = Tensor(np.ones((3, 2)))
    assert message(lambda: a @ a).startswith("matmul: (3, 2) @ (3, 2): inner sizes 2 and 3 differ")
    assert "inner sizes 2 and 4 differ" in message(lambda: a @ np.ones(4))
    assert "batch shapes (2,) and (3,)" in message(lambda: Tensor(np.ones((2, 3, 2))) @ np.ones((3, 2, 4)))
    assert "at least 1 axis" in message(lambda: Tensor(2.0) @ a)


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
    got = message(lambda: fn(Tensor(np.ones((3, 2))), Tensor(np.ones((4, 2)))))
    assert got.startswith(text), got


def test_reduction_axis_errors() -> None:
    t = Tensor(np.ones((3, 2)))
    for op in ("sum", "mean", "max", "min", "logsumexp"):
        got = message(lambda op=op: getattr(t, op)(axis=2))
        assert got.startswith(f"{op}: axis 2 is out of range for a tensor with ndim 2 (shape (3, 2))"), got
    assert "axis -3" in message(lambda: t.softmax(axis=-3))
    assert "0-d tensor has no axes" in message(lambda: Tensor(1.0).sum(axis=0))
    assert "same axis twice" in message(lambda: t.sum(axis=(0, -2)))
    assert "axis must be an int" in message(lambda: t.sum(axis=1.5))
    assert "empty" in message(lambda: Tensor(np.ones((0, 2))).max(axis=0))


def test_shape_op_errors() -> None:
    t = Tensor(np.ones((3, 2)))
    assert message(lambda: t.reshape(4)).startswith("reshape: cannot reshape (3, 2) (6 elements) into (4,)")
    assert message(lambda: t.transpose(0, 0)).startswith(
        "transpose: axes (0, 0) are not a permutation of (0, 1)"
    )
    assert message(lambda: t.squeeze(0)).startswith("squeeze: axis 0 has size 3, not 1")
    assert "axis -2 has size 3, target 4" in message(lambda: t.broadcast_to((4, 2)))
    assert "unsqueeze: axis 3 is out of range" in message(lambda: t.unsqueeze(3))
    assert "concatenate: shapes (3, 2) and (3, 3) differ outside axis 0" in message(
        lambda: concatenate([t, np.ones((3, 3))])
    )
    assert "stack: shapes (3, 2) and (2, 3) differ" in message(lambda: stack([t, t.T]))
    assert "index:" in message(lambda: t[5]) and "(3, 2)" in message(lambda: t[5])
    assert "integers or booleans" in message(lambda: t[np.array([0.5])])
    assert "cannot index with a Tensor" in message(lambda: t[Tensor([0.0])])
    assert "clip: give lo, hi or both" in message(lambda: t.clip())


def test_operand_errors() -> None:
    t = Tensor([1.0, 2.0])
    assert "cannot combine a Tensor with a Value" in message(lambda: t * Value(2.0))
    assert "string" in message(lambda: t + "a")
    assert "complex" in message(lambda: t * (1 + 2j))


def test_cross_entropy_errors_and_agreement_with_the_composition() -> None:
    rng = np.random.default_rng(3)
    x = Tensor(rng.standard_normal((4, 3)), requires_grad=True)
    targets = np.array([2, 0, 0, 1])
    fused = cross_entropy(x, targets)
    fused.backward()
    g = x.grad.copy()
    x.zero_grad()
    composed = -x.log_softmax(axis=1)[np.arange(4), targets].mean()
    composed.backward()
    np.testing.assert_allclose(fused.item(), composed.item(), rtol=1e-12)
    np.testing.assert_allclose(g, x.grad, rtol=1e-12)
    assert "shape (N, C)" in message(lambda: cross_entropy(Tensor(np.ones(3)), np.array([0])))
    assert "integer class indices" in message(lambda: cross_entropy(x, np.full(4, 0.5)))
    assert "shape (4,)" in message(lambda: cross_entropy(x, np.array([0, 1])))
    assert re.search(r"in 0\.\.2, got -1\.\.2", message(lambda: cross_entropy(x, np.array([-1, 0, 2, 1]))))


def test_shape_mismatches_say_which_axes_differ() -> None:
    t = Tensor(np.ones((3, 2)))
    assert message(lambda: concatenate([t, np.ones((4, 3))], axis=1)).startswith(
        "concatenate: shapes (3, 2) and (4, 3) differ outside axis 1: axis 0 has sizes 3 and 4;"
    )
    assert "they have 2 and 1 axes" in message(lambda: concatenate([t, np.ones(3)]))
    assert message(lambda: stack([t, t.T])).startswith(
        "stack: shapes (3, 2) and (2, 3) differ: axis 0 has sizes 3 and 2, axis 1 has sizes 2 and 3;"
    )
    assert "they have 2 and 1 axes" in message(lambda: stack([t, np.ones(2)]))
    assert message(lambda: where(np.ones(5, bool), t, np.ones((4, 2)))).endswith(
        "do not broadcast together: axis -1 has sizes 5, 2 and 2, axis -2 has sizes 3 and 4"
    )
    assert message(lambda: t.clip(np.zeros(3), 1.0)) == (
        "clip: bounds of shape (3,) and () do not broadcast against shape (3, 2): axis -1 has sizes 2 and 3"
    )
    assert "axis -3 has sizes 2 and 5" in message(lambda: Tensor(np.ones((2, 1, 3))) * np.ones((5, 4, 3)))
