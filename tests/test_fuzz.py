"""Fuzzing against torch: random programs run on graphgrad and on torch float64, compared.

A program is a list of ops over a pool of nodes: each op takes its operands from the pool (the
newest node most often, so chains get deep; any older node otherwise, so nodes are reused and fan
out) and puts its result back. Every op of Value (the activations sin, cos, erf, leaky_relu, elu,
gelu, silu and softplus included), and every Tensor op with random broadcastable shapes, random
``axis`` arguments (int, negative, tuple, None), keepdims, ddof, pads, tilings and every kind of
index.
The program runs once on graphgrad nodes and once on torch tensors (float64, requires_grad); the
value of every node of the pool and the gradient of every leaf (and, for Value, of every node)
must agree to 1e-9 relative, with nan and inf in the same places. A subset also compares second
derivatives (``backward(create_graph=True)`` against ``torch.autograd.grad(create_graph=True)``).

Inputs stay in safe domains, so a difference is a bug and not ill-conditioning: ``log``, ``sqrt``,
fractional powers and divisors see ``abs(x) + c`` or ``x * x + c`` (c >= 0.25); ``exp`` sees
numbers below 20 in size; a node grown past 1e3 is scaled back by a constant, one grown past 128
entries or 4 axes is cut down. A node exponent is ``2 tanh(y) + 0.25``, never exactly 0: there
torch masks the derivative in the base, so its second derivative differs from the true one (see
test_fuzz_regressions.py).

Profiles: the default one (CI) runs a few hundred examples from a fixed seed. For a long run set
``GRAPHGRAD_FUZZ_EXAMPLES`` (examples per test, random seed), e.g.
``GRAPHGRAD_FUZZ_EXAMPLES=10000 pytest tests/test_fuzz.py``; ``pytest -m slow tests/test_fuzz.py``
runs the long tests below (thousands of examples each). Every failure found becomes a regular test
in ``test_fuzz_regressions.py``.
"""

from __future__ import annotations

import math
import os
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from helpers import assert_close_scaled, broadcastable
from hypothesis import HealthCheck, assume, given, note, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from autograd import Tensor, Value, concatenate, stack, where
from nn.losses import cross_entropy

RTOL = 1e-9
TORCH_ACTIVATIONS: dict[str, Callable[[torch.Tensor], torch.Tensor]] = {
    "leaky_relu": lambda t: F.leaky_relu(t, 0.1),
    "elu": lambda t: F.elu(t, 0.7),
    "gelu": F.gelu,
    "silu": F.silu,
    "softplus": F.softplus,
}
"""torch's versions of the activations torch.Tensor has no method for (with the fuzzed options)."""
_LONG = int(os.environ.get("GRAPHGRAD_FUZZ_EXAMPLES", "0"))


def profile(quick: int) -> settings:
    """A fixed-seed profile of ``quick`` examples, or a random long one when the variable is set."""
    return settings(
        max_examples=_LONG or quick,
        derandomize=not _LONG,
        deadline=None,
        database=None,
        suppress_health_check=list(HealthCheck),
        print_blob=True,
    )


SLOW = settings(max_examples=5000, deadline=None, database=None, suppress_health_check=list(HealthCheck))


def t64(x: Any, requires_grad: bool = False) -> torch.Tensor:
    return torch.tensor(np.array(x, dtype=np.float64), dtype=torch.float64, requires_grad=requires_grad)


def numbers(lo: float = -3.0, hi: float = 3.0) -> st.SearchStrategy[float]:
    """Reals with the kinks (0, ties at +-1, 0.5) drawn on purpose."""
    return st.one_of(
        st.sampled_from([0.0, 1.0, -1.0, 0.5, 2.0]), st.floats(lo, hi, allow_nan=False, allow_subnormal=False)
    )


def scale_of(arrays: list[Any]) -> float:
    """The largest finite magnitude: the absolute tolerance is relative to it."""
    top = 1.0
    for a in arrays:
        a = np.asarray(a, dtype=np.float64)
        finite = a[np.isfinite(a)]
        if finite.size:
            top = max(top, float(np.abs(finite).max()))
    return top


class Program:
    """A pool of (graphgrad node, torch tensor) pairs grown one op at a time."""

    def __init__(self, data: st.DataObject) -> None:
        self.data = data
        self.ours: list[Any] = []
        self.theirs: list[torch.Tensor] = []
        self.leaves: list[int] = []

    def draw(self, strategy: st.SearchStrategy[Any]) -> Any:
        return self.data.draw(strategy)

    def pick(self) -> int:
        """The newest node most of the time (deep chains), any node otherwise (reuse, fan-out)."""
        n = len(self.ours)
        return self.draw(st.one_of(st.just(n - 1), st.integers(0, n - 1)))

    def push(self, ours: Any, theirs: torch.Tensor, what: str) -> None:
        note(f"#{len(self.ours)} = {what}")
        self.ours.append(ours)
        self.theirs.append(theirs)

    def number(self, lo: float = -3.0, hi: float = 3.0) -> float:
        return self.draw(numbers(lo, hi))


# --- Value programs ------------------------------------------------------------------------------


def _data(x: Any) -> float:
    return x.data if isinstance(x, Value) else float(x)


class ValueProgram(Program):
    def leaf(self) -> None:
        x = self.number()
        self.leaves.append(len(self.ours))
        self.push(Value(x), t64(x, True), f"leaf {x!r}")

    def operand(self) -> tuple[Any, Any, str]:
        """A pool node, or sometimes a plain number (numbers on either side of an op)."""
        if self.draw(st.integers(0, 3)) == 0:
            x = self.number()
            return x, x, repr(x)
        i = self.pick()
        return self.ours[i], self.theirs[i], f"#{i}"

    def positive(self, i: int) -> tuple[Value, torch.Tensor, str]:
        """abs(x) + c or x * x + c: bounded away from 0."""
        a, ta = self.ours[i], self.theirs[i]
        c = self.draw(st.sampled_from([0.25, 0.5, 1.0]))
        if self.draw(st.booleans()):
            return abs(a) + c, ta.abs() + c, f"(abs(#{i}) + {c})"
        return a * a + c, ta * ta + c, f"(#{i} * #{i} + {c})"

    def bounded(self, i: int) -> tuple[Value, torch.Tensor, str]:
        a, ta = self.ours[i], self.theirs[i]
        if abs(a.data) > 20:
            return a.tanh() * 3, ta.tanh() * 3, f"(tanh(#{i}) * 3)"
        return a, ta, f"#{i}"

    def step(self) -> None:
        op = self.draw(
            st.sampled_from(
                ["leaf", "+", "-", "*", "/", "**n", "**v", "rpow", "neg", "exp", "log", "tanh", "relu"]
                + ["sigmoid", "abs", "sin", "cos", "erf", "leaky_relu", "elu", "gelu", "silu", "softplus"]
            )
        )
        if op == "leaf":
            return self.leaf()
        if op in ("+", "-", "*"):
            (a, ta, sa), (b, tb, sb) = self.operand(), self.operand()
            if not isinstance(a, Value) and not isinstance(b, Value):
                i = self.pick()
                a, ta, sa = self.ours[i], self.theirs[i], f"#{i}"
            f: Callable[[Any, Any], Any] = {
                "+": lambda x, y: x + y,
                "-": lambda x, y: x - y,
                "*": lambda x, y: x * y,
            }[op]
            return self.push(f(a, b), f(ta, tb), f"{sa} {op} {sb}")
        if op == "/":
            a, ta, sa = self.operand()
            j = self.pick()
            if self.draw(st.booleans()):
                d, td, sd = self.positive(j)
            else:
                k = self.draw(st.sampled_from([-2.0, 0.5, 3.0]))
                d, td, sd = self.ours[j].tanh() + k, self.theirs[j].tanh() + k, f"(tanh(#{j}) + {k})"
            if not isinstance(a, Value) and self.draw(st.booleans()):  # a number divisor, not tiny
                k = a if abs(a) >= 0.25 else 2.0
                return self.push(d / k, td / k, f"{sd} / {k}")
            return self.push(a / d, ta / td, f"{sa} / {sd}")
        i = self.pick()
        a, ta = self.ours[i], self.theirs[i]
        if op == "**n":
            n = self.draw(st.sampled_from([0, 1, 2, 3, -1, -2, 0.5, 1.5, -0.5, 2.5, 0.0]))
            if isinstance(n, int) and n >= 0:
                b, tb, sb = self.bounded(i)
                return self.push(b**n, tb**n, f"{sb} ** {n}")
            b, tb, sb = self.positive(i)
            return self.push(b**n, tb**n, f"{sb} ** {n}")
        if op == "**v":
            b, tb, sb = self.positive(i)
            j = self.pick()
            e, te = self.ours[j].tanh() * 2 + 0.25, self.theirs[j].tanh() * 2 + 0.25
            return self.push(b**e, tb**te, f"{sb} ** (tanh(#{j}) * 2 + 0.25)")
        if op == "rpow":
            base = self.draw(st.sampled_from([0.5, 2.0, math.e, 3.0]))
            b, tb, sb = self.bounded(i)
            return self.push(base**b, base**tb, f"{base} ** {sb}")
        if op == "exp":
            b, tb, sb = self.bounded(i)
            return self.push(b.exp(), tb.exp(), f"exp({sb})")
        if op == "log":
            b, tb, sb = self.positive(i)
            return self.push(b.log(), tb.log(), f"log({sb})")
        ours = {"neg": lambda: -a, "leaky_relu": lambda: a.leaky_relu(0.1), "elu": lambda: a.elu(0.7)}.get(op)
        theirs = {"neg": lambda: -ta, **{k: lambda f=f: f(ta) for k, f in TORCH_ACTIVATIONS.items()}}.get(op)
        self.push((ours or getattr(a, op))(), (theirs or getattr(ta, op))(), f"{op}(#{i})")

    def rescale(self) -> None:
        """Scale a node grown past 1e3 back to 10 (a constant factor, the same on both sides)."""
        x = self.ours[-1].data
        if math.isfinite(x) and abs(x) > 1e3:
            self.push(self.ours[-1] * (10 / abs(x)), self.theirs[-1] * (10 / abs(x)), "rescale")


def run_value_program(data: st.DataObject, order: int = 1) -> None:
    prog = ValueProgram(data)
    for _ in range(data.draw(st.integers(1, 3))):
        prog.leaf()
    for _ in range(data.draw(st.integers(1, 30))):
        prog.step()
        prog.rescale()
    for t in prog.theirs:
        if t.requires_grad and not t.is_leaf:
            t.retain_grad()
    values = [v.data for v in prog.ours]
    scale = scale_of(values)
    for k, (v, t) in enumerate(zip(values, prog.theirs)):
        assert_close_scaled(v, t.item(), RTOL, scale, f"value of #{k}")

    weights = [data.draw(st.sampled_from([1.0, -0.5, 2.0, 0.25])) for _ in prog.ours]
    loss = sum((w * v for w, v in zip(weights, prog.ours)), Value(0.0))
    tloss = sum(w * t for w, t in zip(weights, prog.theirs))
    if order == 1:
        loss.backward()
        tloss.backward()
        pairs = [(v.grad, 0.0 if t.grad is None else t.grad.item()) for v, t in zip(prog.ours, prog.theirs)]
        scale = scale_of([p[0] for p in pairs])
        for k, (g, tg) in enumerate(pairs):
            assert_close_scaled(g, tg, RTOL, scale, f"gradient of #{k}")
        return
    leaves = [prog.ours[i] for i in prog.leaves]
    tleaves = [prog.theirs[i] for i in prog.leaves]
    loss.backward(create_graph=True)
    tgrads = torch.autograd.grad(tloss, tleaves, create_graph=True, allow_unused=True)
    firsts = [v.grad for v in leaves]
    scale = scale_of([_data(g) for g in firsts])
    for k, (g, tg) in enumerate(zip(firsts, tgrads)):
        assert_close_scaled(
            _data(g), 0.0 if tg is None else tg.item(), RTOL, scale, f"first derivative of leaf {k}"
        )
    directions = [data.draw(st.sampled_from([1.0, -1.0, 0.5])) for _ in leaves]
    for v in prog.ours:
        v.zero_grad()
    second = sum((d * g for d, g in zip(directions, firsts)), Value(0.0))
    tsecond = sum(d * tg for d, tg in zip(directions, tgrads) if tg is not None and tg.requires_grad)
    if isinstance(tsecond, torch.Tensor):
        tsecond.backward()
    second.backward()
    seconds = [_data(v.grad) for v in leaves]
    scale = scale_of(seconds)
    for k, (g, t) in enumerate(zip(seconds, tleaves)):
        assert_close_scaled(
            g, 0.0 if t.grad is None else t.grad.item(), RTOL, scale, f"second derivative of leaf {k}"
        )


@profile(150)
@given(st.data())
def test_value_programs(data: st.DataObject) -> None:
    run_value_program(data)


@profile(100)
@given(st.data())
def test_value_programs_second_order(data: st.DataObject) -> None:
    run_value_program(data, order=2)


@pytest.mark.slow
@SLOW
@given(st.data())
def test_value_programs_long(data: st.DataObject) -> None:
    run_value_program(data)


# --- Tensor programs -----------------------------------------------------------------------------

SIZES = st.integers(1, 4)


def shapes(max_dims: int = 3) -> st.SearchStrategy[tuple[int, ...]]:
    return st.lists(SIZES, min_size=0, max_size=max_dims).map(tuple)


def _index_for_torch(index: Any) -> Any:
    if isinstance(index, tuple):
        return tuple(_index_for_torch(i) for i in index)
    if isinstance(index, np.ndarray):
        return torch.from_numpy(index)
    return index


def _torch_grad(t: torch.Tensor) -> np.ndarray:
    """A torch leaf's gradient as an array: zeros for None and for torch's lazy ZeroTensor."""
    if t.grad is None or t.grad._is_zerotensor():
        return np.zeros(tuple(t.shape))
    return t.grad.detach().numpy()


def _dims(axis: Any, ndim: int) -> Any:
    """Our ``axis`` as torch's ``dim`` (None means every axis: spelled out, torch reads () oddly)."""
    return tuple(range(ndim)) if axis is None else axis


class TensorProgram(Program):
    def new_leaf(self, shape: tuple[int, ...]) -> int:
        arr = self.draw(hnp.arrays(np.float64, shape, elements=numbers()))
        rg = self.draw(st.sampled_from([True, True, True, False])) or not self.leaves
        self.leaves.append(len(self.ours))
        self.push(Tensor(arr.copy(), requires_grad=rg), t64(arr, rg), f"leaf {shape} requires_grad={rg}")
        return len(self.ours) - 1

    def leaf(self) -> None:
        self.new_leaf(self.draw(shapes()))

    def partner_shape(self, shape: tuple[int, ...]) -> tuple[int, ...]:
        """A shape that broadcasts with ``shape`` (either side may stretch)."""
        drop = self.draw(st.integers(0, len(shape)))
        out = [self.draw(st.sampled_from([n, 1] if n > 1 else [1, 2, 3])) for n in shape[drop:]]
        lead = self.draw(st.lists(SIZES, max_size=1)) if drop == 0 and len(shape) < 3 else []
        return tuple(lead + out)

    def partner(self, i: int) -> int:
        """A pool node whose shape broadcasts with node ``i``'s, or a new leaf of such a shape."""
        shape = self.ours[i].shape
        fits = [j for j, t in enumerate(self.ours) if broadcastable(t.shape, shape)]
        if self.draw(st.booleans()):
            return self.draw(st.sampled_from(fits))
        return self.new_leaf(self.partner_shape(shape))

    def positive(self, i: int) -> tuple[Tensor, torch.Tensor, str]:
        a, ta = self.ours[i], self.theirs[i]
        c = self.draw(st.sampled_from([0.25, 0.5, 1.0]))
        if self.draw(st.booleans()):
            return abs(a) + c, ta.abs() + c, f"(abs(#{i}) + {c})"
        return a * a + c, ta * ta + c, f"(#{i} * #{i} + {c})"

    def bounded(self, i: int) -> tuple[Tensor, torch.Tensor, str]:
        a, ta = self.ours[i], self.theirs[i]
        if a.size and np.abs(a.data).max() > 20:
            return a.tanh() * 3, ta.tanh() * 3, f"(tanh(#{i}) * 3)"
        return a, ta, f"#{i}"

    def axis(self, ndim: int, single: bool = False) -> Any:
        """None, an int (maybe negative) or a tuple of distinct ints (maybe negative, any order)."""
        if ndim == 0:
            return None
        one = st.integers(-ndim, ndim - 1)
        if single:
            return self.draw(one)
        kind = self.draw(st.sampled_from(["none", "int", "tuple"]))
        if kind == "none":
            return None
        if kind == "int":
            return self.draw(one)
        axes = self.draw(st.lists(st.integers(0, ndim - 1), min_size=1, max_size=ndim, unique=True))
        return tuple(ax - ndim if self.draw(st.booleans()) else ax for ax in axes)

    def rescale(self) -> None:
        """Keep the last node small (at most 4 axes and 128 entries) and its entries below 1e3."""
        while self.ours[-1].ndim > 4 or self.ours[-1].size > 128:
            self.push(self.ours[-1][0], self.theirs[-1][0], "first entry along axis 0")
        x = self.ours[-1].data
        top = float(np.abs(x).max()) if x.size else 0.0
        if math.isfinite(top) and top > 1e3:
            self.push(self.ours[-1] * (10 / top), self.theirs[-1] * (10 / top), "rescale")

    # -- the ops ----------------------------------------------------------------------------------

    def step(self) -> None:
        op = self.draw(st.sampled_from(sorted(OPS)))
        OPS[op](self)


def same_kinks(pattern: Callable[..., Any], *pairs: tuple[Tensor, torch.Tensor]) -> None:
    """Drop the example when rounding puts the inputs of a kink or a tie on different sides for
    the two engines (numpy's and torch's matmul can give equal rows results a last bit apart, so
    a max tie for one is no tie for the other): that gradient difference is the rounding's."""
    ours = pattern(*[o.data for o, _ in pairs])
    theirs = pattern(*[t.detach().numpy() for _, t in pairs])
    assume(np.array_equal(ours, theirs))


OPS: dict[str, Callable[[TensorProgram], None]] = {}


def op(name: str) -> Callable[[Callable[[TensorProgram], None]], Callable[[TensorProgram], None]]:
    def register(f: Callable[[TensorProgram], None]) -> Callable[[TensorProgram], None]:
        OPS[name] = f
        return f

    return register


@op("leaf")
def _leaf(p: TensorProgram) -> None:
    p.leaf()


@op("arith")
def _arith(p: TensorProgram) -> None:
    i = p.pick()
    sym = p.draw(st.sampled_from(["+", "-", "*"]))
    f: Callable[[Any, Any], Any] = {
        "+": lambda x, y: x + y,
        "-": lambda x, y: x - y,
        "*": lambda x, y: x * y,
    }[sym]
    a, ta = p.ours[i], p.theirs[i]
    side = p.draw(st.sampled_from(["node", "number left", "number right"]))
    if side == "node":
        j = p.partner(i)
        return p.push(f(a, p.ours[j]), f(ta, p.theirs[j]), f"#{i} {sym} #{j}")
    x = p.number()
    if side == "number left":
        return p.push(f(x, a), f(x, ta), f"{x} {sym} #{i}")
    p.push(f(a, x), f(ta, x), f"#{i} {sym} {x}")


@op("div")
def _div(p: TensorProgram) -> None:
    i = p.pick()
    j = p.partner(i)
    d, td, sd = p.positive(j)
    if p.draw(st.booleans()):
        d, td, sd = -d, -td, f"-{sd}"
    a, ta = p.ours[i], p.theirs[i]
    kind = p.draw(st.sampled_from(["node", "number over", "over number"]))
    if kind == "node":
        return p.push(a / d, ta / td, f"#{i} / {sd}")
    if kind == "number over":
        x = p.number()
        return p.push(x / d, x / td, f"{x} / {sd}")
    x = p.draw(st.sampled_from([-2.0, 0.5, 3.0]))
    p.push(a / x, ta / x, f"#{i} / {x}")


@op("unary")
def _unary(p: TensorProgram) -> None:
    i = p.pick()
    name = p.draw(
        st.sampled_from(
            ["neg", "tanh", "sigmoid", "relu", "abs", "exp", "log", "sqrt", "sin", "cos", "erf"]
            + ["leaky_relu", "elu", "gelu", "silu", "softplus"]
        )
    )
    if name in ("exp",):
        a, ta, sa = p.bounded(i)
    elif name in ("log", "sqrt"):
        a, ta, sa = p.positive(i)
    else:
        a, ta, sa = p.ours[i], p.theirs[i], f"#{i}"
        same_kinks(np.sign, (a, ta))
    ours = {
        "neg": lambda: -a,
        "abs": lambda: abs(a),
        "leaky_relu": lambda: a.leaky_relu(0.1),
        "elu": lambda: a.elu(0.7),
    }.get(name) or getattr(a, name)
    theirs = {"neg": lambda: -ta, **{k: lambda f=f: f(ta) for k, f in TORCH_ACTIVATIONS.items()}}.get(name)
    p.push(ours(), (theirs or getattr(ta, name))(), f"{name}({sa})")


@op("pow")
def _pow(p: TensorProgram) -> None:
    i = p.pick()
    kind = p.draw(st.sampled_from(["int", "real", "tensor", "rpow"]))
    if kind == "int":
        n = p.draw(st.sampled_from([0, 1, 2, 3]))
        a, ta, sa = p.bounded(i)
        return p.push(a**n, ta**n, f"{sa} ** {n}")
    if kind == "real":
        n = p.draw(st.sampled_from([-2, -1, 0.5, -0.5, 1.5, 2.5, 0.0]))
        a, ta, sa = p.positive(i)
        return p.push(a**n, ta**n, f"{sa} ** {n}")
    if kind == "tensor":
        a, ta, sa = p.positive(i)
        j = p.partner(i)
        e, te = p.ours[j].tanh() * 2 + 0.25, p.theirs[j].tanh() * 2 + 0.25
        return p.push(a**e, ta**te, f"{sa} ** (tanh(#{j}) * 2 + 0.25)")
    base = p.draw(st.sampled_from([0.5, 2.0, 3.0]))
    a, ta, sa = p.bounded(i)
    p.push(base**a, base**ta, f"{base} ** {sa}")


@op("maximum")
def _maximum(p: TensorProgram) -> None:
    i = p.pick()
    j = p.partner(i)
    name = p.draw(st.sampled_from(["maximum", "minimum"]))
    same_kinks(lambda x, y: np.sign(x - y), (p.ours[i], p.theirs[i]), (p.ours[j], p.theirs[j]))
    ours = getattr(p.ours[i], name)(p.ours[j])
    p.push(ours, getattr(torch, name)(p.theirs[i], p.theirs[j]), f"{name}(#{i}, #{j})")


@op("where")
def _where(p: TensorProgram) -> None:
    i = p.pick()
    j = p.partner(i)
    a, b = p.ours[i], p.ours[j]
    shape = np.broadcast_shapes(a.shape, b.shape)
    cond = p.draw(hnp.arrays(np.bool_, p.draw(st.sampled_from([shape, shape[1:], ()]))))
    p.push(
        where(cond, a, b), torch.where(torch.from_numpy(cond), p.theirs[i], p.theirs[j]), f"where(#{i}, #{j})"
    )


@op("clip")
def _clip(p: TensorProgram) -> None:
    i = p.pick()
    lo = p.draw(st.one_of(st.none(), numbers(-2, 2)))
    hi = p.draw(numbers(-2, 2) if lo is None else st.one_of(st.none(), numbers(-2, 2)))
    same_kinks(lambda x: [np.sign(x - b) for b in (lo, hi) if b is not None], (p.ours[i], p.theirs[i]))
    p.push(p.ours[i].clip(lo, hi), torch.clamp(p.theirs[i], lo, hi), f"clip(#{i}, {lo}, {hi})")


@op("matmul")
def _matmul(p: TensorProgram) -> None:
    i = p.pick()
    a, ta = p.ours[i], p.theirs[i]
    if a.ndim == 0:
        a, ta = a.reshape(1), ta.reshape(1)
    left = p.draw(st.booleans())  # our node on the left, or on the right
    k = a.shape[-1] if left or a.ndim == 1 else a.shape[-2]
    m = p.draw(SIZES)
    batch = p.draw(st.sampled_from([1, a.shape[-3]] if a.ndim > 2 else [1, 2]))
    kind = p.draw(st.sampled_from(["vector", "matrix", "batched"]))
    shape = {"vector": (k,), "matrix": (k, m) if left else (m, k)}.get(kind) or (
        (batch, k, m) if left else (batch, m, k)
    )
    fits = [j for j, t in enumerate(p.ours) if t.shape == shape]
    j = p.draw(st.sampled_from(fits)) if fits and p.draw(st.booleans()) else p.new_leaf(shape)
    if left:
        return p.push(a @ p.ours[j], ta @ p.theirs[j], f"#{i} @ #{j}")
    p.push(p.ours[j] @ a, p.theirs[j] @ ta, f"#{j} @ #{i}")


@op("reduce")
def _reduce(p: TensorProgram) -> None:
    i = p.pick()
    a, ta = p.ours[i], p.theirs[i]
    name = p.draw(st.sampled_from(["sum", "mean", "max", "min", "logsumexp", "prod", "var", "std"]))
    axis = p.axis(a.ndim)
    keepdims = p.draw(st.booleans())
    dim = _dims(axis, a.ndim)
    count = math.prod(a.shape[d] for d in ((dim,) if isinstance(dim, int) else dim)) if a.ndim else 1
    ddof = p.draw(st.sampled_from([0, 1])) if count > 1 else 0  # (ddof 1 of one entry is nan)
    if name == "prod" and count > 6:  # a product of many entries over- or underflows
        name = "sum"
    if name == "prod":
        # torch's gradient of a product without zeros is prod / x, and its second derivative
        # cancels huge terms where an entry is tiny but not 0 (1e-125 gave 7e106 where the true
        # value is 2.3; graphgrad's terms cancel exactly): keep entries away from tiny
        tiny = np.abs(a.data)
        assume(not np.any((tiny > 0) & (tiny < 1e-6)))
    if name == "std" and np.min(a.var(axis=axis, ddof=ddof).data, initial=1.0) < 1e-2:
        name = "var"  # near 0 the two engines' rounding decides between 0 and a tiny std
    theirs = {
        "sum": lambda: torch.sum(ta, dim=dim, keepdim=keepdims),
        "mean": lambda: torch.mean(ta, dim=dim, keepdim=keepdims),
        "max": lambda: torch.amax(ta, dim=dim, keepdim=keepdims),
        "min": lambda: torch.amin(ta, dim=dim, keepdim=keepdims),
        "logsumexp": lambda: torch.logsumexp(ta, dim=dim, keepdim=keepdims),
        "prod": lambda: _torch_prod(ta, (dim,) if isinstance(dim, int) else dim, keepdims),
        "var": lambda: torch.var(ta, dim=dim, keepdim=keepdims, correction=ddof),
        "std": lambda: torch.std(ta, dim=dim, keepdim=keepdims, correction=ddof),
    }[name]()
    if name in ("max", "min"):
        extreme = np.max if name == "max" else np.min
        same_kinks(lambda x: x == extreme(x, axis=axis, keepdims=True), (a, ta))
    options = {"ddof": ddof} if name in ("var", "std") else {}
    p.push(
        getattr(a, name)(axis=axis, keepdims=keepdims, **options),
        theirs,
        f"{name}(#{i}, axis={axis}, keepdims={keepdims}, {options})",
    )


def _torch_prod(t: torch.Tensor, dims: tuple[int, ...], keepdim: bool) -> torch.Tensor:
    """torch.prod over several axes (it takes one at a time)."""
    if t.ndim == 0:
        return t * 1
    for d in sorted((d % t.ndim for d in dims), reverse=True):
        t = t.prod(dim=d, keepdim=keepdim)
    return t


@op("softmax")
def _softmax(p: TensorProgram) -> None:
    i = p.pick()
    a, ta = p.ours[i], p.theirs[i]
    if a.ndim == 0:
        a, ta = a.reshape(1, 1), ta.reshape(1, 1)
    name = p.draw(st.sampled_from(["softmax", "log_softmax"]))
    axis = p.axis(a.ndim, single=True)
    theirs = getattr(torch, name)(ta, dim=axis)
    p.push(getattr(a, name)(axis=axis), theirs, f"{name}(#{i}, axis={axis})")


@op("shape")
def _shape(p: TensorProgram) -> None:
    i = p.pick()
    a, ta = p.ours[i], p.theirs[i]
    ndim = a.ndim
    name = p.draw(
        st.sampled_from(
            ["reshape", "transpose", "swapaxes", "squeeze", "unsqueeze", "broadcast_to", "flatten"]
            + ["cumsum", "flip", "pad", "tile"]
        )
    )
    if name in ("cumsum", "flip", "pad", "tile"):
        return _new_shape_op(p, i, name)
    if name == "reshape":
        size = a.size
        first = p.draw(st.sampled_from([d for d in range(1, size + 1) if size % d == 0]))
        shape = p.draw(st.sampled_from([(size,), (first, -1), (-1, first, 1), (1, first, size // first)]))
        return p.push(a.reshape(shape), ta.reshape(shape), f"#{i}.reshape{shape}")
    if name == "transpose":
        perm = tuple(p.draw(st.permutations(range(ndim))))
        if p.draw(st.booleans()):
            return p.push(a.transpose(), ta.permute(tuple(range(ndim - 1, -1, -1))), f"#{i}.transpose()")
        return p.push(a.transpose(perm), ta.permute(perm), f"#{i}.transpose{perm}")
    if name == "swapaxes" and ndim:
        a1, a2 = p.axis(ndim, single=True), p.axis(ndim, single=True)
        return p.push(a.swapaxes(a1, a2), ta.transpose(a1, a2), f"#{i}.swapaxes({a1}, {a2})")
    if name == "squeeze":
        ones = [k for k, n in enumerate(a.shape) if n == 1]
        if ones and p.draw(st.booleans()):
            axes = tuple(p.draw(st.lists(st.sampled_from(ones), min_size=1, unique=True)))
            return p.push(a.squeeze(axes), ta.squeeze(axes), f"#{i}.squeeze({axes})")
        return p.push(a.squeeze(), ta.squeeze(), f"#{i}.squeeze()")
    if name == "broadcast_to":
        lead = tuple(p.draw(st.lists(SIZES, max_size=1)))
        shape = lead + tuple(p.draw(SIZES) if n == 1 else n for n in a.shape)
        return p.push(a.broadcast_to(shape), ta.broadcast_to(shape), f"#{i}.broadcast_to({shape})")
    if name == "flatten" and ndim:
        s = p.axis(ndim, single=True)
        e = p.draw(st.integers(s % ndim, ndim - 1))
        if p.draw(st.booleans()):
            e -= ndim
        return p.push(a.flatten(s, e), torch.flatten(ta, s, e), f"#{i}.flatten({s}, {e})")
    ax = p.draw(st.integers(-ndim - 1, ndim))
    p.push(a.unsqueeze(ax), ta.unsqueeze(ax), f"#{i}.unsqueeze({ax})")


def _new_shape_op(p: TensorProgram, i: int, name: str) -> None:
    a, ta = p.ours[i], p.theirs[i]
    ndim = a.ndim
    if name == "cumsum":
        ax = p.axis(ndim, single=True) if ndim and p.draw(st.booleans()) else None
        theirs = ta.reshape(-1).cumsum(0) if ax is None else ta.cumsum(ax)
        return p.push(a.cumsum(ax), theirs, f"#{i}.cumsum({ax})")
    if name == "flip":
        axis = p.axis(ndim)
        dims = _dims(axis, ndim)
        return p.push(a.flip(axis), ta.flip((dims,) if isinstance(dims, int) else dims), f"#{i}.flip({axis})")
    if name == "pad":
        pairs = tuple(tuple(p.draw(st.lists(st.integers(0, 2), min_size=2, max_size=2))) for _ in range(ndim))
        flat = tuple(k for pair in reversed(pairs) for k in pair)  # torch: the last axis first
        theirs = F.pad(ta, flat) if ndim else ta
        return p.push(a.pad(pairs), theirs, f"#{i}.pad({pairs})")
    reps = tuple(p.draw(st.lists(st.integers(1, 2), min_size=1, max_size=ndim + 1)))
    p.push(a.tile(reps), ta.tile(reps), f"#{i}.tile({reps})")


@op("join")
def _join(p: TensorProgram) -> None:
    i = p.pick()
    a = p.ours[i]
    shape = a.shape
    same = [j for j, t in enumerate(p.ours) if t.shape == shape]
    count = p.draw(st.integers(1, 3))
    if p.draw(st.booleans()) or a.ndim == 0:
        ax = p.draw(st.integers(-a.ndim - 1, a.ndim))
        js = [i] + [
            p.draw(st.sampled_from(same)) if p.draw(st.booleans()) else p.new_leaf(shape)
            for _ in range(count)
        ]
        return p.push(
            stack([p.ours[j] for j in js], axis=ax),
            torch.stack([p.theirs[j] for j in js], dim=ax),
            f"stack({js}, {ax})",
        )
    ax = p.axis(a.ndim, single=True)
    js = [i]
    for _ in range(count):
        other = list(shape)
        other[ax] = p.draw(SIZES)
        fits = [
            j
            for j, t in enumerate(p.ours)
            if t.ndim == a.ndim
            and all(m == n for k, (m, n) in enumerate(zip(t.shape, shape)) if k != ax % a.ndim)
        ]
        js.append(p.draw(st.sampled_from(fits)) if p.draw(st.booleans()) else p.new_leaf(tuple(other)))
    p.push(
        concatenate([p.ours[j] for j in js], axis=ax),
        torch.cat([p.theirs[j] for j in js], dim=ax),
        f"concatenate({js}, {ax})",
    )


@op("cross_entropy")
def _cross_entropy(p: TensorProgram) -> None:
    """The fused loss on a 2-d view of a node, with class indices or probability rows."""
    i = p.pick()
    a, ta = p.ours[i], p.theirs[i]
    if a.ndim != 2:
        a, ta = a.reshape(-1, a.shape[-1] if a.ndim else 1), ta.reshape(-1, ta.shape[-1] if ta.ndim else 1)
    n, c = a.shape
    reduction = p.draw(st.sampled_from(["mean", "sum", "none"]))
    if p.draw(st.booleans()):
        target: Any = np.array(
            p.draw(st.lists(st.integers(0, c - 1), min_size=n, max_size=n)), dtype=np.int64
        )
        ttarget = torch.from_numpy(target)
    else:
        # probability rows of halves: exact sums, so a tie between two rows' losses (which a later
        # max splits) is a tie for torch too, not an ulp apart
        target = np.zeros((n, c))
        for row in range(n):
            for k in p.draw(st.lists(st.integers(0, c - 1), min_size=2, max_size=2)):
                target[row, k] += 0.5
        ttarget = t64(target)
    theirs = torch.nn.functional.cross_entropy(ta, ttarget, reduction=reduction)
    p.push(cross_entropy(a, target, reduction=reduction), theirs, f"cross_entropy(#{i}, {reduction})")


@op("index")
def _index(p: TensorProgram) -> None:
    i = p.pick()
    a, ta = p.ours[i], p.theirs[i]
    shape = a.shape
    if not shape:
        index: Any = p.draw(st.sampled_from([None, (None, None), Ellipsis]))
        return p.push(a[index], ta[index], f"#{i}[{index}]")
    kind = p.draw(st.sampled_from(["basic", "ints", "mask", "axis mask"]))
    if kind == "basic":
        items: list[Any] = []
        for n in shape[: p.draw(st.integers(1, len(shape)))]:
            what = p.draw(st.sampled_from(["int", "slice", "none", "all"]))
            if what == "int":
                items.append(p.draw(st.integers(-n, n - 1)))
            elif what == "slice":
                start = p.draw(st.integers(-n, n - 1))
                items.append(slice(start, None, p.draw(st.integers(1, 3))))
            elif what == "none":
                items += [None, slice(None)]
            else:
                items.append(slice(None))
        if p.draw(st.booleans()):
            items.append(Ellipsis)
        index = tuple(items)
    elif kind == "ints":
        ax = p.draw(st.integers(0, len(shape) - 1))
        n = shape[ax]
        idx = np.array(p.draw(st.lists(st.integers(-n, n - 1), min_size=1, max_size=5)), dtype=np.int64)
        if p.draw(st.booleans()):
            idx = idx.reshape(1, -1)
        index = (slice(None),) * ax + (idx,)
    elif kind == "mask":
        mask = p.draw(hnp.arrays(np.bool_, shape))
        mask.flat[p.draw(st.integers(0, mask.size - 1))] = True  # never empty
        index = mask
    else:
        mask = p.draw(hnp.arrays(np.bool_, shape[-1:]))
        mask[p.draw(st.integers(0, shape[-1] - 1))] = True
        index = (Ellipsis, mask)
    p.push(a[index], ta[_index_for_torch(index)], f"#{i}[{index!r}]")


def run_tensor_program(data: st.DataObject, order: int = 1) -> None:
    prog = TensorProgram(data)
    for _ in range(data.draw(st.integers(1, 2))):
        prog.leaf()
    for _ in range(data.draw(st.integers(1, 30))):
        prog.step()
        prog.rescale()
    values = [t.data for t in prog.ours]
    scale = scale_of(values)
    for k, (v, t) in enumerate(zip(prog.ours, prog.theirs)):
        assert_close_scaled(v.data, t.detach().numpy(), RTOL, scale, f"value of #{k}")
        assert v.requires_grad == t.requires_grad, f"requires_grad of #{k}"

    rng = np.random.default_rng(data.draw(st.integers(0, 2**32 - 1)))
    weights = [rng.uniform(-1, 1, t.shape) for t in prog.ours]
    needed = [k for k, t in enumerate(prog.ours) if t.requires_grad]
    loss = sum((prog.ours[k] * weights[k]).sum() for k in needed)
    tloss = sum((prog.theirs[k] * t64(weights[k])).sum() for k in needed)
    leaves = [prog.ours[k] for k in prog.leaves if prog.ours[k].requires_grad]
    tleaves = [prog.theirs[k] for k in prog.leaves if prog.theirs[k].requires_grad]
    if order == 1:
        loss.backward()
        tloss.backward()
        grads = [np.zeros(t.shape) if t.grad is None else t.grad for t in leaves]
        tgrads = [_torch_grad(t) for t in tleaves]
        scale = scale_of(grads)
        for k, (g, tg) in enumerate(zip(grads, tgrads)):
            assert_close_scaled(g, tg, RTOL, scale, f"gradient of leaf {k}")
        return
    loss.backward(create_graph=True)
    firsts = [t.grad for t in leaves]
    tfirsts = torch.autograd.grad(tloss, tleaves, create_graph=True, allow_unused=True)
    scale = scale_of([g.data for g in firsts if g is not None])
    for k, (g, tg) in enumerate(zip(firsts, tfirsts)):
        assert_close_scaled(
            np.zeros(leaves[k].shape) if g is None else g.data,
            np.zeros(leaves[k].shape) if tg is None else tg.detach().numpy(),
            RTOL,
            scale,
            f"first derivative of leaf {k}",
        )
    directions = [rng.uniform(-1, 1, t.shape) for t in leaves]
    for t in leaves:
        t.zero_grad()
    parts = [(g * d).sum() for g, d in zip(firsts, directions) if g is not None and g.requires_grad]
    tparts = [
        (tg * t64(d)).sum() for tg, d in zip(tfirsts, directions) if tg is not None and tg.requires_grad
    ]
    if parts:  # (a first derivative may hang on the leaves here and be a constant for torch: x ** 0)
        sum(parts).backward()
    if tparts:
        sum(tparts).backward()
    seconds = [
        np.zeros(t.shape) if t.grad is None else t.grad.data if isinstance(t.grad, Tensor) else t.grad
        for t in leaves
    ]
    scale = scale_of(seconds)
    for k, (g, t) in enumerate(zip(seconds, tleaves)):
        assert_close_scaled(g, _torch_grad(t), RTOL, scale, f"second derivative of leaf {k}")


@profile(300)
@given(st.data())
def test_tensor_programs(data: st.DataObject) -> None:
    run_tensor_program(data)


@profile(100)
@given(st.data())
def test_tensor_programs_second_order(data: st.DataObject) -> None:
    run_tensor_program(data, order=2)


@pytest.mark.slow
@SLOW
@given(st.data())
def test_tensor_programs_long(data: st.DataObject) -> None:
    run_tensor_program(data)


@pytest.mark.slow
@SLOW
@given(st.data())
def test_second_order_long(data: st.DataObject) -> None:
    run_value_program(data, order=2)
    run_tensor_program(data, order=2)
