"""backward() stores a pass's gradients whole: across threads, through Ctrl-C, through errors.

The interrupt tests signal SIGINT at every line the pass runs (counted by a trace function) and
check that each time either every ``.grad`` got its share or none did, and that the cyclic
garbage collector is back on. The signal is raised as a real one arrives: ``interrupt_main``
only marks it pending, and Python runs the handler where it checks for signals (at calls and
loop jumps), not inside the trace function.
"""

from __future__ import annotations

import _thread
import gc
import signal
import sys
import threading
import warnings
import weakref
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import numpy as np
import pytest

from autograd import Tensor, Value
from autograd.graph import CREATE_GRAPH_CYCLE


@contextmanager
def frequent_thread_switches() -> Iterator[None]:
    """Let threads take turns every microsecond, so that races show at once."""
    interval = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)
    try:
        yield
    finally:
        sys.setswitchinterval(interval)


def _in_threads(work: Callable[[], None], n: int = 8) -> None:
    """Run ``work`` in ``n`` threads at once; the cyclic collector, which each pass pauses, must be
    on again afterwards."""
    assert gc.isenabled()
    threads = [threading.Thread(target=work) for _ in range(n)]
    with frequent_thread_switches():
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    collector_on = gc.isenabled()
    gc.enable()
    assert collector_on, "concurrent passes left the cyclic collector off"


def test_concurrent_tensor_passes_over_a_shared_leaf_lose_no_update() -> None:
    W = Tensor(np.zeros((100, 100)), requires_grad=True)  # big enough that numpy's add lets go of the GIL
    c = Tensor(np.full((100, 100), 1.0))

    def work() -> None:
        for _ in range(500):
            (W * c).sum().backward()

    _in_threads(work)
    assert W.grad is not None
    assert np.array_equal(W.grad, np.full((100, 100), 4000.0))


@pytest.mark.parametrize("create_graph", [False, True])
def test_concurrent_value_passes_over_a_shared_leaf_lose_no_update(create_graph: bool) -> None:
    w = Value(0.5)

    def work() -> None:
        for _ in range(500):
            (w * 2.0 + w).backward(create_graph=create_graph)

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # create_graph's warning of its reference cycle
        _in_threads(work)
    assert float(w.grad) == 8 * 500 * 3.0


# --- Ctrl-C --------------------------------------------------------------------------------------

STORE_PHASE = {"backward", "store_all", "_store_grads"}
"""The functions of the store phase (and around it), interrupted at every line."""


def _interrupted_at(n: int, run: Callable[[], None], at_lines: bool) -> bool:
    """Run ``run``, signalling SIGINT at its ``n``-th interruption point; True if it was cut short
    (KeyboardInterrupt), False if it finished first.

    The points are, ``at_lines``, every line of the functions of ``STORE_PHASE`` (stricter than
    a real Ctrl-C, which Python handles only after a call or at a loop's jump); else every call
    of a function and every return from a builtin, all through the pass: where Python does
    handle a real one. ``interrupt_main`` marks the signal pending; the handler runs at once,
    in the tracing function, and its KeyboardInterrupt surfaces at that point of ``run``.
    """
    count = 0

    def at_line(frame: Any, event: str, arg: Any) -> Any:
        nonlocal count
        if event == "line" and frame.f_code.co_name in STORE_PHASE:
            count += 1
            if count == n:
                _thread.interrupt_main(signal.SIGINT)
        return at_line

    def at_call(frame: Any, event: str, arg: Any) -> None:
        nonlocal count
        if event in ("call", "c_return"):
            count += 1
            if count == n:
                _thread.interrupt_main(signal.SIGINT)

    trace = sys.settrace if at_lines else sys.setprofile
    try:
        trace(at_line if at_lines else at_call)
        try:
            run()
        finally:
            trace(None)
        for _ in range(3):  # a signal sent at the last point is handled here at the latest
            pass
    except KeyboardInterrupt:
        return True
    assert count < n, "SIGINT was sent, but no KeyboardInterrupt came"
    return False


Build = Callable[[], tuple[Any, list[Any], Callable[[Any], bool]]]


def _interrupt_everywhere(build: Build, at_lines: bool) -> int:
    """Interrupt ``root.backward()`` at each of its points in turn (see ``_interrupted_at``);
    each time every leaf must have its gradient or none, and the collector must be on.
    ``build()`` gives the root, the leaves and a test of a leaf's having got its share.
    Returns how many points were tried."""
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler
    n = 0
    while True:
        n += 1
        root, leaves, got = build()
        cut = _interrupted_at(n, root.backward, at_lines)
        collector_on = gc.isenabled()
        gc.enable()
        assert collector_on, f"the collector was left off by an interrupt at point {n}"
        assert signal.getsignal(signal.SIGINT) is signal.default_int_handler
        stored = [got(leaf) for leaf in leaves]
        assert all(stored) or not any(stored), (
            f"an interrupt at point {n} left {sum(stored)} of {len(leaves)} leaves with their gradient"
        )
        if not cut:
            assert all(stored)
            return n


def _value_graph() -> tuple[Any, list[Any], Callable[[Any], bool]]:
    leaves = [Value(float(i)) for i in range(12)]
    root = sum((w * (i + 1) for i, w in enumerate(leaves)), Value(0.0))
    return root, leaves, lambda w: w.grad != 0.0


def _tensor_graph() -> tuple[Any, list[Any], Callable[[Any], bool]]:
    leaves = [Tensor(np.full(3, float(i)), requires_grad=True) for i in range(8)]
    root = sum(((w * (i + 1)).sum() for i, w in enumerate(leaves)), Tensor(0.0))
    return root, leaves, lambda w: w.grad is not None


@pytest.mark.parametrize("build", [_value_graph, _tensor_graph], ids=["Value", "Tensor"])
@pytest.mark.parametrize("at_lines", [True, False], ids=["each line of the store", "each call"])
def test_ctrl_c_during_backward_stores_all_gradients_or_none(build: Build, at_lines: bool) -> None:
    assert _interrupt_everywhere(build, at_lines) > 30


def test_a_ctrl_c_held_back_during_the_store_reaches_the_handler_after_it(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    calls: list[tuple[int, float]] = []
    w = Value(1.0)

    def handler(signum: int, frame: Any) -> None:
        calls.append((signum, w.grad))  # the store was done when the handler ran

    def send_sigint_in_store(grads: dict[Any, Any]) -> None:
        signal.raise_signal(signal.SIGINT)
        for node, g in grads.items():
            node.grad += g

    monkeypatch.setattr(Value, "_store_grads", staticmethod(send_sigint_in_store))
    previous = signal.signal(signal.SIGINT, handler)
    try:
        (w * 3).backward()
    finally:
        signal.signal(signal.SIGINT, previous)
    assert calls == [(signal.SIGINT, 3.0)]
    assert signal.getsignal(signal.SIGINT) is previous


def test_an_error_while_storing_tensor_gradients_changes_no_grad() -> None:
    a, b = Tensor(np.ones(3), requires_grad=True), Tensor(np.ones(3), requires_grad=True)
    b.grad = np.ones(5)  # set by hand to a wrong shape: adding to it fails
    with pytest.raises(ValueError):
        (a * 2 + b * 3).sum().backward()
    assert a.grad is None and np.array_equal(b.grad, np.ones(5))


# --- create_graph ----------------------------------------------------------------------------------


def test_backward_with_create_graph_warns_of_its_cycle_as_torch_does() -> None:
    x = Value(2.0)
    y = x * x * x
    with pytest.warns(UserWarning, match=r"create_graph=True\) makes a reference cycle") as caught:
        y.backward(create_graph=True)
    assert caught[0].filename == __file__  # it points at the caller's line
    assert "autograd.grad" in CREATE_GRAPH_CYCLE and "zero_grad()" in CREATE_GRAPH_CYCLE
    x_ref, grad_ref = weakref.ref(x), weakref.ref(x.grad)
    was_on = gc.isenabled()
    gc.disable()
    try:
        x.zero_grad()  # breaks the cycle: all is freed by reference counting
        del x, y
        assert x_ref() is None and grad_ref() is None
    finally:
        if was_on:
            gc.enable()


def test_a_tensor_gradient_that_does_not_depend_on_the_tensor_differentiates_to_zero() -> None:
    import torch

    for op in ("relu", "abs"):
        x = Tensor([-1.0, 2.0], requires_grad=True)
        xt = torch.tensor([-1.0, 2.0], dtype=torch.float64, requires_grad=True)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            getattr(x, op)().sum().backward(create_graph=True)
            getattr(xt, op)().sum().backward(create_graph=True)
        assert x.grad.requires_grad and xt.grad.requires_grad
        x.grad.sum().backward()  # no longer "computed under no_grad()"
        xt.grad.sum().backward()
        assert np.array_equal(x.grad.data, xt.grad.detach().numpy()), op
