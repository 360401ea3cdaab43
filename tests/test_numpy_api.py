"""The numpy protocol (autograd/numpy_api.py): numpy ufuncs and functions called on Tensors dispatch to
the differentiable ops; calls that would detach raise; piecewise-constant ufuncs give plain arrays.
"""

from __future__ import annotations

import numpy as np
import pytest

from autograd import Tensor


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


def test_numpy_dispatches_to_the_new_ops() -> None:
    t = Tensor([0.5, -1.0, 2.0], requires_grad=True)
    for fn, method in [(np.sin, "sin"), (np.cos, "cos")]:
        y = fn(t)
        assert isinstance(y, Tensor) and y._op == method
    for y, op in [
        (np.prod(t), "prod"),
        (np.var(t, ddof=1), "/"),
        (np.std(t), "std"),
        (np.cumsum(t), "cumsum"),
        (np.flip(t), "flip"),
        (np.pad(t, 1), "pad"),
        (np.tile(t, 2), "tile"),
    ]:
        assert isinstance(y, Tensor) and y.requires_grad and y._op == op, op
    with pytest.raises(TypeError, match="np.pad on a Tensor supports only the constant-zero form"):
        np.pad(t, 1, mode="edge")
    with pytest.raises(TypeError, match="np.prod on a Tensor does not take dtype="):
        np.prod(t, dtype=np.float32)
