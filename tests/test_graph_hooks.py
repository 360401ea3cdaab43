"""The engine's switches: the node-made hook (``graph.on_node_made``), the count of switches on that
keeps the fast path to one read, and the one place that pauses the cyclic collector."""

from __future__ import annotations

import gc
import threading
from typing import Any

import numpy as np
import pytest

import nn
from autograd import Tensor, Value, detect_anomaly, no_grad, record
from autograd.graph import on_node_made, switches_on, with_collector_paused


@pytest.fixture(autouse=True)
def no_switch_left_on() -> Any:
    assert switches_on[0] == 0
    yield
    assert switches_on[0] == 0, "a test left a hook registered or a no_grad block open"


def test_a_hook_sees_every_node_an_op_makes_and_its_remover_removes_it() -> None:
    seen: list[tuple[str, int, bool]] = []

    def hook(node: Any, inputs: tuple[Any, ...], rules: Any, op: str) -> Any:
        seen.append((op, len(inputs), rules is not None))
        return rules

    remove = on_node_made(hook)
    assert switches_on[0] == 1
    try:
        x = Value(2.0)
        (x * 3).tanh()
        t = Tensor([1.0, 2.0], requires_grad=True)
        (t * t).sum()
        record(x.data**2, (x,), (lambda g, out, a: 2 * g * a,), "square")  # an op of one's own
        nn.MLP(2, [1], seed=0)([1.0, 2.0])  # nn's fused neuron, made with record
    finally:
        remove()
    assert switches_on[0] == 0
    assert [op for op, _, _ in seen] == ["*", "tanh", "*", "sum", "square", "w·x+b"]
    assert all(recorded for _, _, recorded in seen)
    count = len(seen)
    Value(1.0) * 2
    assert len(seen) == count  # removed: not called any more
    remove()  # a second call removes nothing
    assert switches_on[0] == 0


def test_the_rules_a_hook_returns_are_the_ones_recorded() -> None:
    def doubled(rule: Any) -> Any:
        return lambda g, out, *inputs: 2 * rule(g, out, *inputs)

    def hook(node: Any, inputs: tuple[Any, ...], rules: Any, op: str) -> Any:
        return None if rules is None else tuple(None if r is None else doubled(r) for r in rules)

    x, t = Value(3.0), Tensor([3.0], requires_grad=True)
    remove = on_node_made(hook)
    try:
        y, u = x * x, (t * t).sum()
    finally:
        remove()
    y.backward()
    u.backward()
    assert x.grad == 2 * 6.0
    np.testing.assert_array_equal(t.grad, [4 * 6.0])  # two ops, each rule doubled


def test_under_no_grad_a_hook_sees_the_node_but_no_rules_and_nothing_is_recorded() -> None:
    calls: list[Any] = []

    def hook(node: Any, inputs: tuple[Any, ...], rules: Any, op: str) -> Any:
        calls.append((node.data, rules))
        return rules

    remove = on_node_made(hook)
    try:
        with no_grad():
            assert switches_on[0] == 2  # the hook and the block
            y = Value(2.0) * 3
    finally:
        remove()
    assert calls == [(6.0, None)]
    assert y.inputs == () and y.op == "*"


def test_no_grad_blocks_count_as_switches_while_open() -> None:
    with no_grad():
        assert switches_on[0] == 1
        with no_grad():
            assert switches_on[0] == 2
    assert switches_on[0] == 0


def test_hooks_run_in_the_order_registered_and_each_sees_the_last_ones_rules() -> None:
    order: list[str] = []

    def named(name: str) -> Any:
        def hook(node: Any, inputs: tuple[Any, ...], rules: Any, op: str) -> Any:
            order.append(name)
            return rules

        return hook

    remove_a, remove_b = on_node_made(named("a")), on_node_made(named("b"))
    try:
        Value(1.0) + 1
    finally:
        remove_a()
        remove_b()
    assert order == ["a", "b"]


def test_detect_anomaly_registers_one_hook_and_leaves_none_even_on_error() -> None:
    with detect_anomaly():
        assert switches_on[0] == 1
        with detect_anomaly():  # nested: still one hook
            assert switches_on[0] == 1
    assert switches_on[0] == 0
    with pytest.raises(FloatingPointError), detect_anomaly():
        Value(0.0).log()
    assert switches_on[0] == 0
    with pytest.raises(KeyError), detect_anomaly():
        raise KeyError("not an anomaly")
    assert switches_on[0] == 0


def test_a_hook_registered_in_one_thread_sees_nodes_made_in_another() -> None:
    seen: list[str] = []
    remove = on_node_made(lambda node, inputs, rules, op: seen.append(op) or rules)
    try:
        worker = threading.Thread(target=lambda: Value(1.0).exp())
        worker.start()
        worker.join()
    finally:
        remove()
    assert seen == ["exp"]


# --- the collector -----------------------------------------------------------------------------


def test_with_collector_paused_pauses_and_resumes_only_what_it_paused() -> None:
    assert gc.isenabled()
    assert with_collector_paused(gc.isenabled) is False
    assert gc.isenabled()
    gc.disable()
    try:
        with_collector_paused(lambda: None)
        assert not gc.isenabled()  # it found the collector off: it leaves it off
    finally:
        gc.enable()


def test_with_collector_paused_resumes_after_an_error() -> None:
    def fail() -> None:
        raise ZeroDivisionError

    with pytest.raises(ZeroDivisionError):
        with_collector_paused(fail)
    assert gc.isenabled()


def test_the_backward_loop_runs_with_the_collector_paused() -> None:
    states: list[bool] = []

    def spy(g: Any, out: Any, a: Any) -> Any:
        states.append(gc.isenabled())
        return g

    record(2.0, (Value(1.0),), (spy,), "spy").backward()
    assert states == [False]
    assert gc.isenabled()


def test_a_scalar_networks_forward_pauses_the_collector() -> None:
    states: list[bool] = []
    model = nn.MLP(2, [1], seed=0)
    remove = on_node_made(lambda node, inputs, rules, op: states.append(gc.isenabled()) or rules)
    try:
        model([1.0, 2.0])
    finally:
        remove()
    assert states == [False]
    assert gc.isenabled()
