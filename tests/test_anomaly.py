"""Anomaly mode: nan/inf in the forward or backward pass raise naming the op and the user's line."""

from __future__ import annotations

import gc
import inspect
import re
import warnings
import weakref

import numpy as np
import pytest

import autograd.graph
import nn.losses
import nn.scalar
from autograd import Tensor, Value, detect_anomaly, hessian, is_anomaly_enabled
from autograd.anomaly import creation_site


def here(offset: int = 0) -> str:
    """``test_anomaly.py:<line>`` for the caller's line plus ``offset``."""
    frame = inspect.currentframe()
    assert frame is not None and frame.f_back is not None
    return f"test_anomaly.py:{frame.f_back.f_lineno + offset}"


def fast_path_restored() -> bool:
    return (
        autograd.graph.switches_on[0] == 0  # no node hook registered (and no no_grad block open)
        and not hasattr(nn.scalar, "_result")  # nn makes nodes with graph.record only
        and not hasattr(nn.losses, "_result")
        and not is_anomaly_enabled()
    )


def test_off_by_default_and_nothing_swapped() -> None:
    assert fast_path_restored()
    with pytest.warns(RuntimeWarning, match="log of 0"):
        y = Value(0.0).log()
    assert y.data == -np.inf
    with np.errstate(divide="ignore"):
        assert Tensor([0.0]).log().data[0] == -np.inf


def test_value_forward_names_op_input_and_line() -> None:
    x = Value(0.0, label="x")
    line = here(2)
    with detect_anomaly(), pytest.raises(FloatingPointError) as info:
        x.log()
    message = str(info.value)
    assert message.startswith("op 'log' gave -inf in the forward pass")
    assert f"{line} in test_value_forward_names_op_input_and_line: x.log()" in message
    assert "input 0 ('x'): Value 0.0" in message
    assert fast_path_restored()


@pytest.mark.parametrize(
    "make, op, kind",
    [
        (lambda x: x.log(), "log", "-inf"),
        (lambda x: x / x, "/", "nan"),
        (lambda x: (x - 1.0).sqrt(), "sqrt", "nan"),
        (lambda x: (x * 1000.0).exp(), "exp", "inf"),
        (lambda x: np.log(x), "log", "-inf"),  # through numpy dispatch
    ],
    ids=["log0", "zero_over_zero", "sqrt_negative", "exp_overflow", "np_log"],
)
def test_tensor_forward_nan_or_inf(make: object, op: str, kind: str) -> None:
    x = Tensor([0.0, 1.0], requires_grad=True, label="x")
    with warnings.catch_warnings(), detect_anomaly(), pytest.raises(FloatingPointError) as info:
        warnings.simplefilter("error")  # numpy's warning is replaced by the error, not shown
        make(x)  # type: ignore[operator]
    message = str(info.value)
    assert message.startswith(f"op {op!r} gave {kind}"), message
    line = make.__code__.co_firstlineno  # type: ignore[attr-defined]  # the user's line: the lambda
    assert f"test_anomaly.py:{line} in <lambda>: (lambda x:" in message
    assert "shape (2,), dtype float64" in message
    assert fast_path_restored()


def test_tensor_forward_counts_and_locates_bad_entries() -> None:
    x = Tensor(np.array([[1.0, -1.0, 2.0], [-3.0, 4.0, 5.0]]), requires_grad=True)
    with (
        detect_anomaly(),
        pytest.raises(FloatingPointError, match=r"nan \(2 of 6 entries; the first at index \(0, 1\)\)"),
    ):
        x.sqrt()


def test_leaf_already_nan_is_named() -> None:
    x = Tensor([np.nan, 1.0], requires_grad=True, label="w")
    with detect_anomaly(), pytest.raises(FloatingPointError) as info:
        x * 2.0
    message = str(info.value)
    assert "input 0 ('w')" in message
    assert "already holds nan (1 of 2 entries; the first at index (0,)) before this op (a leaf" in message


def test_inf_in_backward_only_tensor() -> None:
    x = Tensor([0.0, 4.0], requires_grad=True, label="x")
    with detect_anomaly():
        line = here(1)
        y = x.sqrt().sum()  # forward is fine: sqrt(0) = 0
        with pytest.raises(FloatingPointError) as info:
            y.backward()
    message = str(info.value)
    assert message.startswith("the gradient that op 'sqrt' passes back to its input 0 ('x') holds inf")
    assert f"created at {line} in test_inf_in_backward_only_tensor: y = x.sqrt().sum()" in message
    assert "local derivative" in message
    assert x.grad is None  # nothing half-written
    assert fast_path_restored()


def test_inf_in_backward_only_value() -> None:
    x = Value(0.0, label="x")
    with detect_anomaly():
        line = here(1)
        y = x**0.5 + 1.0
        with pytest.raises(FloatingPointError) as info:
            y.backward()
    message = str(info.value)
    assert message.startswith("the gradient that op '**0.5' passes back to its input 0 ('x') holds inf")
    assert f"{line} in test_inf_in_backward_only_value: y = x**0.5 + 1.0" in message
    assert x.grad == 0.0


def test_non_finite_seed_is_blamed_on_the_incoming_gradient() -> None:
    x = Tensor([1.0, 2.0], requires_grad=True)
    with detect_anomaly():
        y = x * 3.0
        with pytest.raises(FloatingPointError, match="gradient arriving at this op already held nan"):
            y.backward(np.array([np.nan, 1.0]))


def test_nn_ops_made_with_record_are_checked() -> None:
    neuron = nn.scalar.Neuron(2, activation=None, seed=0)
    with detect_anomaly():
        line = here(2)
        with pytest.raises(FloatingPointError, match="op 'w·x\\+b' gave inf") as info:
            neuron([np.inf, 1.0])
        assert line in str(info.value)
        logits = Tensor([[np.nan, 0.0]], requires_grad=True)
        with pytest.raises(FloatingPointError, match="op 'cross_entropy' gave nan"):
            nn.losses.cross_entropy(logits, np.array([0]))
    assert fast_path_restored()


def test_nesting_and_decorator() -> None:
    with detect_anomaly():
        with detect_anomaly():
            assert is_anomaly_enabled()
        assert is_anomaly_enabled()  # the inner exit leaves the outer block checking
        with pytest.raises(FloatingPointError):
            Value(-1.0).log()
    assert fast_path_restored()

    @detect_anomaly()
    def f(x: Tensor) -> Tensor:
        return x.log()

    with pytest.raises(FloatingPointError, match="op 'log' gave nan"):
        f(Tensor([-1.0]))
    assert fast_path_restored()


def test_exception_restores_fast_path_and_numpy_state() -> None:
    before = np.geterr()
    filters = list(warnings.filters)
    with pytest.raises(ZeroDivisionError), detect_anomaly():
        assert autograd.graph.switches_on[0] == 1  # anomaly mode's node hook
        assert np.geterr()["divide"] == "ignore"
        1 / 0  # noqa: B018
    assert fast_path_restored()
    assert np.geterr() == before
    assert warnings.filters == filters


def test_record_imported_inside_the_block_is_checked_inside_and_fast_after() -> None:
    square = lambda g, out, a: g * 2 * a  # noqa: E731
    with detect_anomaly():
        from autograd.graph import record  # a module imported inside the block takes record by name

        with pytest.raises(FloatingPointError, match="op 'square' gave inf"):
            record(np.array([np.inf]), (Tensor([1.0], requires_grad=True),), (square,), "square")
    assert fast_path_restored()
    y = record(np.array([np.inf]), (Tensor([1.0], requires_grad=True),), (square,), "square")
    assert y._op == "square" and np.isinf(y.data[0])  # no check once the block is over


def test_in_place_change_of_input_tensor_is_detected() -> None:
    w = Tensor(np.ones((2, 3)), requires_grad=True, label="W")
    with detect_anomaly():
        line = here(1)
        y = (w @ np.ones(3)).sum()
        w.data += 0.1  # e.g. an optimizer step between forward and backward
        with pytest.raises(RuntimeError) as info:
            y.backward()
    message = str(info.value)
    assert f"op '@' (created at {line}" in message
    assert "the .data of its input 0 ('W') was changed in place" in message
    assert w.grad is None


def test_in_place_change_of_output_and_value_rebinding_are_detected() -> None:
    x = Tensor([1.0, 2.0], requires_grad=True)
    with detect_anomaly():
        e = x.exp()  # its rule uses the output
        e.data[0] = 0.0
        with pytest.raises(RuntimeError, match=re.escape("op 'exp' (created at") + ".*its output"):
            e.backward(np.ones(2))
        v = Value(2.0, label="v")
        z = v * v
        v.data = 3.0
        with pytest.raises(RuntimeError, match="its input 0 \\('v'\\) was changed in place"):
            z.backward()


def test_same_gradients_with_and_without_anomaly_including_create_graph() -> None:
    rng = np.random.default_rng(0)
    W, b = rng.normal(size=(4, 3)), rng.normal(size=4)
    X, labels = rng.normal(size=(5, 3)), np.array([0, 1, 2, 3, 0])

    def step() -> tuple[np.ndarray, np.ndarray]:
        w, c = Tensor(W.copy(), requires_grad=True), Tensor(b.copy(), requires_grad=True)
        loss = nn.losses.cross_entropy((Tensor(X) @ w.T + c).tanh(), labels)
        loss.backward()
        return w.grad, c.grad

    plain = step()
    with detect_anomaly():
        checked = step()
        h = hessian(lambda v: (v * v * v).sum())(Tensor([1.0, 2.0]))
    for p, q in zip(plain, checked):
        np.testing.assert_array_equal(p, q)
    np.testing.assert_allclose(np.asarray(h.data if isinstance(h, Tensor) else h), np.diag([6.0, 12.0]))

    mlp = nn.scalar.MLP(2, [3, 1], seed=0)
    out = mlp([0.5, -1.0])
    out.backward()
    plain_grads = [p.grad for p in mlp.parameters()]
    mlp.zero_grad()
    with detect_anomaly():
        mlp([0.5, -1.0]).backward()
    assert [p.grad for p in mlp.parameters()] == plain_grads


def test_no_reference_cycles_under_anomaly() -> None:
    gc.disable()
    try:
        with detect_anomaly():
            x = Tensor([1.0, 2.0], requires_grad=True)
            y = ((x * 2.0).exp() + x).sum()
            v = Value(1.5)
            z = (v * v).tanh()
            y.backward()
            z.backward()
            refs = [weakref.ref(y), weakref.ref(z)]
            del y, z
        assert all(r() is None for r in refs)  # freed by reference counting alone
    finally:
        gc.enable()


def test_creation_site_is_recorded() -> None:
    x = Value(1.0)
    with detect_anomaly():
        line = here(1)
        y = x * 2.0
    site = creation_site(y)
    assert site is not None and site.startswith(line) and site.endswith("y = x * 2.0")
    assert creation_site(x) is None  # a leaf, made by the user, not by an op


def test_checks_belong_to_the_nodes_made_inside_the_block() -> None:
    x = Tensor([0.0, 1.0], requires_grad=True)
    with detect_anomaly():
        inside = x.sqrt().sum()
    outside = x.sqrt().sum()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # numpy's warning: outside the block it is not silenced
        with pytest.raises(FloatingPointError, match="op 'sqrt'"):
            inside.backward()  # built inside: still checked
        with detect_anomaly():
            outside.backward()  # built outside: not checked, inf as usual
    assert x.grad is not None and x.grad[0] == np.inf
