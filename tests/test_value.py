"""Value: every op against torch float64 and finite differences, conventions, bad input."""

from __future__ import annotations

import math
import warnings

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from autograd import GradcheckError, Value, gradcheck
from autograd.elementwise import EXP, TANH

REL = 1e-12


def close(a: float, b: float, rel: float = REL) -> bool:
    if math.isnan(a) or math.isnan(b):
        return math.isnan(a) and math.isnan(b)
    if math.isinf(a) or math.isinf(b):
        return a == b
    return abs(a - b) <= rel * max(1.0, abs(a), abs(b))


def t(x: float) -> torch.Tensor:
    return torch.tensor(x, dtype=torch.float64, requires_grad=True)


# (name, our function, torch function, inputs): each is checked for value and every gradient.
UNARY = [
    ("neg", lambda a: -a, lambda a: -a, [0.7, -2.5]),
    ("exp", lambda a: a.exp(), torch.exp, [0.3, -4.0, 12.0]),
    ("log", lambda a: a.log(), torch.log, [0.3, 5.0, 1e-8]),
    ("tanh", lambda a: a.tanh(), torch.tanh, [0.3, -1.7, 4.0]),
    ("sigmoid", lambda a: a.sigmoid(), torch.sigmoid, [0.3, -30.0, 25.0]),
    ("relu", lambda a: a.relu(), torch.relu, [0.3, -1.2, 0.0]),
    ("abs", lambda a: a.abs(), torch.abs, [0.3, -1.2, 0.0]),
    ("pow 3", lambda a: a**3, lambda a: a**3, [0.3, -1.2, 0.0]),
    ("pow -2", lambda a: a**-2, lambda a: a**-2, [0.3, -1.7]),
    ("pow 0.5", lambda a: a**0.5, lambda a: a**0.5, [0.3, 4.0]),
    ("pow 1/3 negative base", lambda a: a ** (1 / 3), lambda a: a ** (1 / 3), [-8.0]),
    ("rpow", lambda a: 2.0**a, lambda a: 2.0**a, [0.3, -1.2]),
    ("radd", lambda a: 3 + a, lambda a: 3 + a, [0.3]),
    ("rsub", lambda a: 3 - a, lambda a: 3 - a, [0.3]),
    ("rmul", lambda a: 3 * a, lambda a: 3 * a, [0.3]),
    ("rtruediv", lambda a: 3 / a, lambda a: 3 / a, [0.3, -2.0]),
    ("add number", lambda a: a + 2.5, lambda a: a + 2.5, [0.3]),
    ("sub number", lambda a: a - 2.5, lambda a: a - 2.5, [0.3]),
    ("mul number", lambda a: a * 2.5, lambda a: a * 2.5, [0.3]),
    ("div number", lambda a: a / 2.5, lambda a: a / 2.5, [0.3]),
]
BINARY = [
    ("add", lambda a, b: a + b, [(0.3, -1.1)]),
    ("sub", lambda a, b: a - b, [(0.3, -1.1)]),
    ("mul", lambda a, b: a * b, [(0.3, -1.1), (0.0, 2.0)]),
    ("div", lambda a, b: a / b, [(0.3, -1.1), (-2.0, 0.7)]),
    ("pow value", lambda a, b: a**b, [(0.3, -1.1), (2.5, 1.7)]),
]


@pytest.mark.parametrize("name, ours, theirs, points", UNARY, ids=[u[0] for u in UNARY])
def test_unary_against_torch(name, ours, theirs, points):
    for x in points:
        a = Value(x)
        out = ours(a)
        out.backward()
        ta = t(x)
        tout = theirs(ta)
        tout.backward()
        assert close(out.data, tout.item()), (name, x, out.data, tout.item())
        assert close(a.grad, ta.grad.item()), (name, x, a.grad, ta.grad.item())


@pytest.mark.parametrize("name, f, points", BINARY, ids=[b[0] for b in BINARY])
def test_binary_against_torch(name, f, points):
    for x, y in points:
        a, b = Value(x), Value(y)
        out = f(a, b)
        out.backward()
        ta, tb = t(x), t(y)
        tout = f(ta, tb)
        tout.backward()
        assert close(out.data, tout.item())
        assert close(a.grad, ta.grad.item()), (name, a.grad, ta.grad.item())
        assert close(b.grad, tb.grad.item()), (name, b.grad, tb.grad.item())


@pytest.mark.parametrize("name, ours, theirs, points", UNARY, ids=[u[0] for u in UNARY])
def test_unary_gradcheck(name, ours, theirs, points):
    for x in points:
        if x == 0.0 and name in ("relu", "abs"):
            continue  # a kink: finite differences straddle it
        if name.startswith("pow 1/3") or name == "log" and x < 1e-5:
            continue  # nan for a negative base / eps would step outside log's domain
        gradcheck(ours, x)


@pytest.mark.parametrize("name, f, points", BINARY, ids=[b[0] for b in BINARY])
def test_binary_gradcheck(name, f, points):
    for x, y in points:
        if name == "pow value" and x <= 0:
            continue
        gradcheck(f, x, y)


def test_gradcheck_reports_a_wrong_rule(monkeypatch):
    monkeypatch.setattr(TANH, "rules", (lambda g, out, a: g * (1 + out * out),))
    with pytest.raises(GradcheckError) as info:
        gradcheck(lambda x: x.tanh(), 0.5)
    assert "analytic" in info.value.table and "NO" in info.value.table


def test_gradcheck_needs_scalar_output_and_inputs():
    with pytest.raises(ValueError, match="at least one input"):
        gradcheck(lambda: Value(1.0))
    with pytest.raises(TypeError, match="scalar Value"):
        gradcheck(lambda x: [x, x], 1.0)


# --- random expression graphs with reuse against torch -------------------------------------

OPS = ["add", "sub", "mul", "div", "neg", "exp", "log", "tanh", "relu", "sigmoid", "abs", "pow", "square"]


def build(program: list[tuple[str, int, int]], leaves: list, lib: str):
    """Run a little straight-line program; every step may reuse any earlier node (fan-out)."""
    nodes = list(leaves)
    for op, i, j in program:
        a, b = nodes[i % len(nodes)], nodes[j % len(nodes)]
        if op == "add":
            r = a + b
        elif op == "sub":
            r = a - b
        elif op == "mul":
            r = a * b
        elif op == "div":
            r = a / (b * b + 1.0)
        elif op == "neg":
            r = -a
        elif op == "exp":
            r = (a.tanh()).exp() if lib == "ours" else torch.exp(torch.tanh(a))
        elif op == "log":
            r = (a * a + 0.5).log() if lib == "ours" else torch.log(a * a + 0.5)
        elif op == "tanh":
            r = a.tanh() if lib == "ours" else torch.tanh(a)
        elif op == "relu":
            r = a.relu() if lib == "ours" else torch.relu(a)
        elif op == "sigmoid":
            r = a.sigmoid() if lib == "ours" else torch.sigmoid(a)
        elif op == "abs":
            r = a.abs() if lib == "ours" else torch.abs(a)
        elif op == "pow":
            r = (a * a + 1.0) ** (b.tanh() + 0.5) if lib == "ours" else (a * a + 1.0) ** (torch.tanh(b) + 0.5)
        else:
            r = a**2
        nodes.append(r)
    return sum(nodes[len(leaves) :], nodes[0] * 0.0)


@settings(max_examples=150, deadline=None)
@given(
    values=st.lists(st.floats(-2.0, 2.0), min_size=1, max_size=4),
    program=st.lists(
        st.tuples(st.sampled_from(OPS), st.integers(0, 50), st.integers(0, 50)), min_size=1, max_size=25
    ),
)
def test_random_graphs_against_torch(values, program):
    ours = [Value(v) for v in values]
    theirs = [t(v) for v in values]
    out = build(program, ours, "ours")
    tout = build(program, theirs, "torch")
    out.backward()
    tout.backward()
    assert close(out.data, tout.item(), 1e-9)
    for a, ta in zip(ours, theirs):
        expected = 0.0 if ta.grad is None else ta.grad.item()
        assert close(a.grad, expected, 1e-9), (a.grad, expected)


# --- the graph machinery -------------------------------------------------------------------


def test_fan_out_fan_in_stress():
    x0 = Value(0.7)
    x = x0
    for _ in range(10_000):
        x = (x + x) / 2
    x.backward()
    assert x0.grad == 1.0


def test_reuse_accumulates_like_calculus():
    x = Value(3.0)
    y = x * x * x + x  # 3x^2 + 1 = 28
    y.backward()
    assert x.grad == 28.0


def test_million_op_chain_backward_without_recursion():
    import sys

    limit = sys.getrecursionlimit()
    x0 = Value(0.5)
    x = x0
    for _ in range(1_000_000):
        x = x * 1.0
    x.backward()
    assert x0.grad == 1.0
    assert sys.getrecursionlimit() == limit


def test_second_backward_adds_the_same_increment():
    a, b = Value(2.0), Value(-3.0)
    c = a * b
    d = c + a
    d.backward()
    first = (a.grad, b.grad, c.grad, d.grad)
    d.backward()
    assert (a.grad, b.grad, c.grad, d.grad) == tuple(2 * g for g in first)
    for v in (a, b, c, d):
        v.zero_grad()
    d.backward()
    assert (a.grad, b.grad, c.grad, d.grad) == first


def test_backward_seed_scales_and_is_checked():
    x = Value(2.0)
    (x * x).backward(grad=0.5)
    assert x.grad == 2.0
    with pytest.raises(TypeError, match="grad must be a real number"):
        (x * x).backward(grad="1")


def test_error_in_a_rule_changes_no_grad(monkeypatch):
    def boom(g, out, a):
        raise ArithmeticError("boom")

    x = Value(2.0)
    y = (x * 3).exp() + x
    monkeypatch.setattr(EXP, "rules", (boom,))
    z = (x * 3).exp() + y
    with pytest.raises(ArithmeticError):
        z.backward()
    assert x.grad == 0.0 and y.grad == 0.0


# --- create_graph: second derivatives --------------------------------------------------------


def test_second_derivative_of_cube():
    x = Value(2.0)
    y = x**3
    y.backward(create_graph=True)
    dydx = x.grad
    assert isinstance(dydx, Value) and dydx.data == 12.0
    x.zero_grad()
    dydx.backward()
    assert x.grad == 12.0


SECOND = [
    ("tanh", lambda a: a.tanh(), torch.tanh),
    ("sigmoid", lambda a: a.sigmoid(), torch.sigmoid),
    ("exp", lambda a: a.exp(), torch.exp),
    ("log", lambda a: a.log(), torch.log),
    ("pow", lambda a: a**3.5, lambda a: a**3.5),
    ("rpow", lambda a: 1.7**a, lambda a: 1.7**a),
    ("div", lambda a: 1.0 / a, lambda a: 1.0 / a),
    ("mixed", lambda a: (a * a).tanh() * a.exp() - a.sigmoid() / a, None),
]


@pytest.mark.parametrize("name, ours, theirs", SECOND, ids=[s[0] for s in SECOND])
def test_second_derivatives_against_torch(name, ours, theirs):
    theirs = theirs or ours
    for x in (0.4, 1.3):
        a = Value(x)
        ours(a).backward(create_graph=True)
        g = a.grad
        a.zero_grad()
        g.backward()
        ta = t(x)
        (tg,) = torch.autograd.grad(theirs(ta), ta, create_graph=True)
        (th,) = torch.autograd.grad(tg, ta)
        assert close(g.data, tg.item()) and close(a.grad, th.item()), (name, a.grad, th.item())


def test_mixed_partials_against_torch():
    x, y = Value(0.3), Value(-0.8)
    f = (x * y).tanh() + x**2 * y
    f.backward(create_graph=True)
    gx = x.grad
    x.zero_grad()
    y.zero_grad()
    gx.backward()
    tx, ty = t(0.3), t(-0.8)
    tf = torch.tanh(tx * ty) + tx**2 * ty
    (tgx,) = torch.autograd.grad(tf, tx, create_graph=True)
    hxx, hxy = torch.autograd.grad(tgx, (tx, ty))
    assert close(x.grad, hxx.item()) and close(y.grad, hxy.item())


# --- no_grad ---------------------------------------------------------------------------------


def test_no_grad_context_and_decorator():
    from autograd import is_grad_enabled, no_grad

    x = Value(2.0)
    with no_grad():
        assert not is_grad_enabled()
        y = x * x
    assert is_grad_enabled()
    assert y._inputs == () and y.data == 4.0

    @no_grad()
    def square(v: Value) -> Value:
        return v * v

    assert square(x)._inputs == ()
    assert (x * x)._inputs == (x, x)


def test_no_grad_is_per_thread():
    import threading

    from autograd import no_grad

    seen = []
    inside = threading.Event()
    release = threading.Event()

    def other() -> None:
        inside.wait()
        seen.append(len((Value(1.0) * 2)._inputs))
        release.set()

    thread = threading.Thread(target=other)
    thread.start()
    with no_grad():
        inside.set()
        release.wait()
    thread.join()
    assert seen == [2]


def test_no_grad_decorator_restores_after_nested_calls():
    from autograd import is_grad_enabled, no_grad

    @no_grad()
    def depth(n: int) -> int:
        assert not is_grad_enabled()
        return 0 if n == 0 else 1 + depth(n - 1)

    assert depth(3) == 3
    assert is_grad_enabled()  # each call restored its own previous state
    with no_grad():
        depth(1)
        assert not is_grad_enabled()
    assert is_grad_enabled()


def test_no_grad_restores_after_exception():
    from autograd import is_grad_enabled, no_grad

    with pytest.raises(KeyError), no_grad():
        raise KeyError
    assert is_grad_enabled()


# --- memory: freed by reference counting alone -------------------------------------------------


def test_dropped_graph_is_freed_without_the_collector():
    import gc
    import weakref

    gc.collect()
    gc.disable()
    try:
        a, b = Value(2.0), Value(3.0)
        c = (a * b + a).tanh() ** 2 / b
        c.backward()
        refs = [weakref.ref(n) for n in (c, *c._inputs, *c._inputs[0]._inputs)]
        del c
        assert all(r() is None for r in refs[:1])
        del a, b
        assert all(r() is None for r in refs)
    finally:
        gc.enable()


def test_backward_leaves_nothing_for_the_collector():
    import gc

    gc.collect()
    x = Value(1.5)
    y = x
    for _ in range(200):
        y = (y * 0.5 + 1.0).tanh()
    y.backward()
    del y
    assert gc.collect() == 0


# --- conventions and edge cases ----------------------------------------------------------------


def test_saturating_functions_do_not_overflow():
    x = Value(1000.0)
    y = x.tanh()
    y.backward()
    assert y.data == 1.0 and x.grad == 0.0
    s = Value(-1000.0).sigmoid()
    assert s.data == 0.0
    s2 = Value(1000.0).sigmoid()
    assert s2.data == 1.0
    e = Value(1000.0)
    ee = e.exp()
    assert ee.data == math.inf
    assert Value(-1000.0).exp().data == 0.0


def test_kinks_have_zero_derivative():
    for f in (lambda v: v.relu(), lambda v: v.abs()):
        x = Value(0.0)
        f(x).backward()
        assert x.grad == 0.0


def test_log_of_zero_and_negative():
    with pytest.warns(RuntimeWarning, match="log of 0"):
        assert Value(0).log().data == -math.inf
    with pytest.warns(RuntimeWarning, match="negative"):
        assert math.isnan(Value(-1).log().data)


def test_division_by_zero_gives_ieee_results():
    assert Value(1.0) / 0.0 == math.inf or (Value(1.0) / 0.0).data == math.inf
    assert (Value(-1.0) / 0.0).data == -math.inf
    assert math.isnan((Value(0.0) / 0.0).data)
    assert (Value(0.0) ** -1).data == math.inf
    assert (Value(10.0) ** 400).data == math.inf


def test_numbers_of_every_kind_coerce_to_float():
    for n in (2, 2.0, np.float32(2.0), np.int64(2), np.float64(2.0), True):
        v = Value(1.0) * n
        assert type(v.data) is float and v.data == float(n)
        assert type(Value(n).data) is float
    assert (np.float64(2.0) * Value(3.0)).data == 6.0


def test_repr():
    x = Value(2.0, label="x")
    assert repr(x) == "Value(data=2.0, grad=0.0, label='x')"
    assert repr(Value(1)) == "Value(data=1.0, grad=0.0)"


@pytest.mark.parametrize("bad", ["3", None, [1, 2], np.array([1.0, 2.0]), 1 + 2j])
def test_bad_data_is_a_type_error(bad):
    with pytest.raises(TypeError, match="Value: data must be a real number"):
        Value(bad)


def test_array_data_gets_a_hint():
    with pytest.raises(TypeError, match="use Tensor for arrays"):
        Value([1.0, 2.0])


@pytest.mark.parametrize(
    "expr, op",
    [
        (lambda: Value(1) + "a", "__add__"),
        (lambda: "a" + Value(1), "__radd__"),
        (lambda: Value(1) * [1], "__mul__"),
        (lambda: Value(1) - None, "__sub__"),
        (lambda: Value(1) / "x", "__truediv__"),
        (lambda: Value(1) ** "x", "__pow__"),
    ],
)
def test_bad_operands_name_the_op_and_type(expr, op):
    with pytest.raises(TypeError, match=rf"Value\.{op}: cannot combine a Value with"):
        expr()


def test_value_exponent_needs_positive_base():
    with pytest.raises(ValueError, match="positive base"):
        Value(-2.0) ** Value(0.5)


def test_label_must_be_str():
    with pytest.raises(TypeError, match="label"):
        Value(1.0, label=3)  # type: ignore[arg-type]


def test_values_are_hashable_by_identity():
    a, b = Value(1.0), Value(1.0)
    assert len({a, b}) == 2
    assert a < 2 and a >= b and b <= a and not a > b


def test_warning_free_on_normal_ops():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        x = Value(0.5)
        ((x * x).log() + x.exp() / x.sigmoid() - x**0.5).backward()


def test_shared_input_reached_by_two_branches():
    """Regression (found by the random graphs): n1 feeds n2 and n3, and n2 feeds n3."""
    x = Value(0.0)
    n1 = x + x
    n2 = x + n1
    n3 = n1 + n2
    (n1 + n2 + n3).backward()
    assert x.grad == 10.0


@settings(max_examples=100, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 40), st.integers(0, 40)), min_size=1, max_size=40))
def test_topological_order_puts_every_node_before_its_inputs(edges):
    from autograd.graph import topological_order

    nodes = [Value(1.0), Value(2.0)]
    for i, j in edges:
        nodes.append(nodes[i % len(nodes)] * nodes[j % len(nodes)])
    order = topological_order(nodes[-1])
    position = {node: k for k, node in enumerate(order)}
    assert len(position) == len(order)
    for node in order:
        for parent in node._inputs:
            assert position[parent] > position[node]
