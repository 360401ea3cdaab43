"""Scalar-engine benchmark: graphgrad's Value against micrograd 0.1.0 and PyTorch 0-d tensors.

Run ``python benchmarks/scalar.py`` (``--quick`` for a smoke run). BLAS and torch are pinned to
one thread, the garbage collector stays on (as users run it), every figure is a median, and the
peers are measured in the same run so that the printed ratios compare like with like.

S1   one full-batch step of the classic moons demo (MLP 2-16-16-1, ReLU, 100 points, mean hinge
     loss + 1e-4 * L2): forward, zero grads, backward, SGD update; the same initial weights.
S1'  the same step written with ``nn.MLP`` as a user would (when ``nn`` has it).
S2   x = tanh(x * 0.9 + 0.1) repeated N times, then backward (micrograd's recursion stops it).
S3   sum of 250,000 products a_i * b_i (~1M nodes), build + backward: nodes/s, bytes per node.
"""

from __future__ import annotations

import os

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[_var] = "1"

import argparse  # noqa: E402
import gc  # noqa: E402
import multiprocessing  # noqa: E402
import random  # noqa: E402
import resource  # noqa: E402
import statistics  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
from collections.abc import Callable  # noqa: E402
from typing import Any  # noqa: E402

# the graphgrad to measure: this checkout, or the one GRAPHGRAD_TREE names (see compare.py)
_CHECKOUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
sys.path.insert(0, os.environ.get("GRAPHGRAD_TREE") or _CHECKOUT)

from autograd import Value  # noqa: E402

# --- the moons data and one set of initial weights shared by every engine ---------------------


def moons(n: int = 100, seed: int = 1) -> tuple[list[list[float]], list[int]]:
    import math

    rng = random.Random(seed)
    X, y = [], []
    for i in range(n):
        label = i % 2
        t = math.pi * rng.random()
        x0, x1 = (math.cos(t), math.sin(t)) if label == 0 else (1 - math.cos(t), 0.5 - math.sin(t))
        X.append([x0 + rng.gauss(0, 0.1), x1 + rng.gauss(0, 0.1)])
        y.append(1 if label else -1)
    return X, y


def initial_weights(sizes: list[int], seed: int = 0) -> list[tuple[list[list[float]], list[float]]]:
    rng = random.Random(seed)
    return [
        ([[rng.uniform(-1, 1) for _ in range(nin)] for _ in range(nout)], [0.0] * nout)
        for nin, nout in zip(sizes, sizes[1:])
    ]


SIZES = [2, 16, 16, 1]


def mlp_from_weights(
    make: Callable[[float], Any], weights: Any
) -> tuple[list[Any], Callable[[list[Any]], Any]]:
    """The S1 network with every weight made by ``make`` (a Value class, or a torch 0-d tensor
    maker): its parameters and its forward function (ReLU hidden layers, a linear output)."""
    layers = [([[make(w) for w in row] for row in W], [make(bi) for bi in b]) for W, b in weights]
    params = [p for W, b in layers for row, bi in zip(W, b) for p in (*row, bi)]

    def forward(x: list[Any]) -> Any:
        for k, (W, b) in enumerate(layers):
            last = k == len(layers) - 1
            out = []
            for row, bi in zip(W, b):
                act = sum((wi * xi for wi, xi in zip(row, x)), bi)
                out.append(act if last else act.relu())
            x = out
        return x[0]

    return params, forward


def hinge_l2_loss(scores: list[Any], y: Any, params: list[Any]) -> Any:
    """Mean of relu(1 - y*score) plus 1e-4 * sum(p*p): the loss of the classic demo."""
    losses = [(1 + -yi * si).relu() for yi, si in zip(y, scores)]
    return sum(losses) * (1.0 / len(losses)) + 1e-4 * sum(p * p for p in params)


def moons_step(Val: Callable[[float], Any], weights: Any, X: Any, y: Any) -> Callable[[], float]:
    """A step function for a Value-like class (graphgrad's Value or micrograd's)."""
    params, forward = mlp_from_weights(Val, weights)

    def step() -> float:
        loss = hinge_l2_loss([forward([Val(v) for v in row]) for row in X], y, params)
        for p in params:
            p.grad = 0.0
        loss.backward()
        for p in params:
            p.data -= 0.01 * p.grad
        return loss.data

    return step


def torch_step(weights: Any, X: Any, y: Any) -> Callable[[], float]:
    """The same step with PyTorch 0-d float64 tensors (one thread)."""
    import torch

    torch.set_num_threads(1)
    params, forward = mlp_from_weights(
        lambda v: torch.tensor(float(v), dtype=torch.float64, requires_grad=True), weights
    )

    def step() -> float:
        inputs = [[torch.tensor(v, dtype=torch.float64) for v in row] for row in X]
        loss = hinge_l2_loss([forward(x) for x in inputs], y, params)
        for p in params:
            p.grad = None
        loss.backward()
        with torch.no_grad():
            for p in params:
                p -= 0.01 * p.grad
        return float(loss.detach())

    return step


def nn_step(weights: Any, X: Any, y: Any) -> Callable[[], float] | None:
    """S1': the step as a user writes it with nn.MLP (None until nn has MLP)."""
    try:
        import nn
    except ImportError:
        return None
    if not hasattr(nn, "MLP"):
        return None
    model = nn.MLP(2, [16, 16, 1])
    for p, w in zip(model.parameters(), (w for W, b in weights for row, bi in zip(W, b) for w in (*row, bi))):
        p.data = w

    def step() -> float:
        scores = [model(row) for row in X]
        losses = [(1 - yi * si).relu() for yi, si in zip(y, scores)]
        loss = sum(losses) / len(losses) + 1e-4 * sum(p * p for p in model.parameters())
        model.zero_grad()
        loss.backward()
        for p in model.parameters():
            p.data -= 0.01 * p.grad
        return loss.data

    return step


def time_s1(engine: str, repeats: int) -> float:
    """Median seconds of one S1 step, measured in a fresh process holding only that engine."""
    X, y = moons()
    weights = initial_weights(SIZES)
    if engine == "graphgrad":
        step = moons_step(Value, weights, X, y)
    elif engine == "micrograd":
        from micrograd.engine import Value as MValue

        step = moons_step(MValue, weights, X, y)
    elif engine == "torch":
        step = torch_step(weights, X, y)
    else:
        user_step = nn_step(weights, X, y)
        if user_step is None:
            return float("nan")
        step = user_step
    return median_time(step, repeats)


def median_time(step: Callable[[], Any], repeats: int, warmups: int = 2) -> float:
    for _ in range(warmups):
        step()
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        step()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


# --- S2 and S3 each run in a fresh process so peak memory is their own -------------------------


def chain(n: int) -> tuple[float, float]:
    start = time.perf_counter()
    x0 = Value(0.5)
    x = x0
    for _ in range(n):
        x = (x * 0.9 + 0.1).tanh()
    x.backward()
    return time.perf_counter() - start, x0.grad


def products(n: int, engine: str = "graphgrad") -> tuple[float, float, int]:
    """S3: build sum(a_i * b_i) over n pairs and run backward: (seconds, nodes, bytes of peak RSS
    growth); seconds is nan when the engine cannot run backward (micrograd's recursion)."""
    Val: Any = Value
    if engine == "micrograd":
        import micrograd.engine

        Val = micrograd.engine.Value
        sys.setrecursionlimit(10 * n)  # micrograd's topological sort recurses once per node
    rng = random.Random(0)
    a = [Val(rng.random()) for _ in range(n)]
    b = [Val(rng.random()) for _ in range(n)]
    gc.collect()
    base = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    start = time.perf_counter()
    total = a[0] * b[0]
    for i in range(1, n):
        total = total + a[i] * b[i]
    nodes = 4 * n - 1  # a_i, b_i, products and sums
    try:
        total.backward()
    except RecursionError:
        return float("nan"), nodes, 0
    elapsed = time.perf_counter() - start
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return elapsed, nodes, (peak - base) * 1024


def in_child(fn: Callable[..., Any], *args: Any) -> Any:
    """Run ``fn`` in a fresh interpreter, so each engine's memory and collector are its own."""
    with multiprocessing.get_context("spawn").Pool(1) as pool:
        return pool.apply(fn, args)


def micrograd_chain(n: int) -> str:
    from micrograd.engine import Value as MValue

    x = MValue(0.5)
    for _ in range(n):
        x = (x * 0.9 + 0.1).relu()  # micrograd 0.1.0 has no tanh; relu makes the same chain
    try:
        x.backward()
        return "ran"
    except RecursionError:
        return "RecursionError"


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--quick", action="store_true", help="small sizes, few repeats (a smoke run)")
    args = parser.parse_args()
    repeats = 3 if args.quick else 7
    n_chain = 10_000 if args.quick else 1_000_000
    n_products = 10_000 if args.quick else 250_000

    rows: list[tuple[str, str, str]] = []
    ours = in_child(time_s1, "graphgrad", repeats)
    theirs = in_child(time_s1, "micrograd", repeats)
    torch_s = in_child(time_s1, "torch", repeats)
    rows.append(
        (
            "S1 moons step",
            f"graphgrad {ours * 1e3:.1f} ms",
            f"micrograd {theirs * 1e3:.0f} ms ({theirs / ours:.1f}x), "
            f"torch 0-d {torch_s * 1e3:.0f} ms ({torch_s / ours:.1f}x)",
        )
    )
    ours_nn = in_child(time_s1, "nn.MLP", repeats)
    if ours_nn == ours_nn:  # not nan: nn has MLP
        rows.append(
            (
                "S1' with nn.MLP",
                f"graphgrad {ours_nn * 1e3:.1f} ms",
                f"micrograd {theirs * 1e3:.0f} ms ({theirs / ours_nn:.1f}x)",
            )
        )

    elapsed, grad = in_child(chain, n_chain)
    outcome = in_child(micrograd_chain, min(n_chain, 1000))
    rows.append(
        (
            f"S2 chain N={n_chain:,}",
            f"graphgrad {elapsed:.2f} s (grad {grad:.3g})",
            f"micrograd at N=1,000: {outcome}",
        )
    )

    elapsed, nodes, mem = in_child(products, n_products)
    m_elapsed, m_nodes, m_mem = in_child(products, n_products, "micrograd")
    rows.append(
        (
            f"S3 {nodes:,} nodes",
            f"graphgrad {nodes / elapsed:,.0f} nodes/s, {mem / nodes:.0f} B/node",
            f"micrograd {m_nodes / m_elapsed:,.0f} nodes/s, {m_mem / m_nodes:.0f} B/node "
            f"({m_elapsed / elapsed:.1f}x slower)",
        )
    )

    width = max(len(r[0]) for r in rows)
    print(f"{'case':<{width}}  {'graphgrad':<40}  peers (ratio = peer time / graphgrad time)")
    for case, mine, peers in rows:
        print(f"{case:<{width}}  {mine:<40}  {peers}")


if __name__ == "__main__":
    main()
