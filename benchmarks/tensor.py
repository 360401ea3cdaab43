"""Tensor-engine benchmark T1: graphgrad's Tensor against PyTorch CPU and hand-written numpy.

Run ``python benchmarks/tensor.py`` (``--quick`` for a smoke run, ``--threads 1,2`` to measure at
several BLAS/torch thread counts, each in a fresh process). The thread count is pinned through
the environment before numpy is imported, and with ``torch.set_num_threads``.

T1   one epoch of an MLP 784-128-ReLU-10 with mean softmax cross-entropy and plain SGD (lr 0.1,
     batch 128) over 60,000 synthetic float32 samples. Every engine starts from the same initial
     weights and sees the same batches in the same order. The engines take turns every 25
     batches (rotating who goes first), so a burst of load from elsewhere on the machine hits
     them alike; an engine's epoch time is the sum of its turns, and the table shows the median
     over the epochs. The reference is a hand-written numpy forward and backward pass of the same
     math (the floor for any numpy engine); "GEMMs alone" is the time of the five matrix products
     of each step; "graphgrad, unfused loss" writes the loss with general Tensor ops
     (log_softmax, indexing, mean) instead of the fused cross_entropy. Memory: the resident set
     size after each epoch must stay flat (no graph or gradient outlives its step).
"""

from __future__ import annotations

import os
import sys


def _threads_from_argv(argv: list[str]) -> str:
    for i, arg in enumerate(argv):
        if arg == "--threads" and i + 1 < len(argv):
            return argv[i + 1]
        if arg.startswith("--threads="):
            return arg.split("=", 1)[1]
    return "1"


_THREADS = _threads_from_argv(sys.argv)
if "," not in _THREADS:  # pin BLAS before numpy is imported (the parent of a multi-run needs no BLAS)
    for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ[_var] = _THREADS

import argparse  # noqa: E402
import statistics  # noqa: E402
import subprocess  # noqa: E402
import time  # noqa: E402
from collections.abc import Callable  # noqa: E402

import numpy as np  # noqa: E402

# the graphgrad to measure: this checkout, or the one GRAPHGRAD_TREE names (see compare.py)
_CHECKOUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
sys.path.insert(0, os.environ.get("GRAPHGRAD_TREE") or _CHECKOUT)

from autograd import Tensor  # noqa: E402
from nn import cross_entropy  # noqa: E402

LR = 0.1
BATCH = 128
SIZES = (784, 128, 10)


def synthetic_data(n: int, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """``n`` float32 "images" in [0, 1) with labels from a random linear teacher (learnable)."""
    rng = np.random.default_rng(seed)
    X = rng.random((n, SIZES[0]), dtype=np.float32)
    teacher = rng.standard_normal((SIZES[0], SIZES[2])).astype(np.float32)
    y = np.argmax((X - 0.5) @ teacher, axis=1)
    return X, y


def initial_weights(seed: int = 1) -> list[np.ndarray]:
    """He-initialised W1, b1, W2, b2 (float32), shared by every engine."""
    rng = np.random.default_rng(seed)
    n_in, n_hidden, n_out = SIZES
    return [
        (rng.standard_normal((n_in, n_hidden)) * np.sqrt(2 / n_in)).astype(np.float32),
        np.zeros(n_hidden, np.float32),
        (rng.standard_normal((n_hidden, n_out)) * np.sqrt(2 / n_hidden)).astype(np.float32),
        np.zeros(n_out, np.float32),
    ]


def batch_order(n: int, epoch: int) -> list[np.ndarray]:
    order = np.random.default_rng(100 + epoch).permutation(n)
    return [order[i : i + BATCH] for i in range(0, n, BATCH)]


Step = Callable[[np.ndarray], float]  # one training step on the batch with these indices -> loss
TURN = 25  # batches an engine runs before the next one takes its turn


# --- the engines: each makes a ``step(batch indices) -> loss`` closure over its own weights ------


def graphgrad_engine(X: np.ndarray, y: np.ndarray, init: list[np.ndarray], fused: bool = True) -> Step:
    """The step as a graphgrad user writes it (with the fused loss, or with Tensor ops)."""
    W1, b1, W2, b2 = params = [Tensor(p.copy(), requires_grad=True) for p in init]

    def unfused(logits: Tensor, t: np.ndarray) -> Tensor:  # the same loss from general Tensor ops
        return -logits.log_softmax(axis=1)[np.arange(len(t)), t].mean()

    loss_of = cross_entropy if fused else unfused  # fused: one node, (softmax - one_hot) / N back

    def step(idx: np.ndarray) -> float:
        x, t = Tensor(X[idx]), y[idx]
        loss = loss_of((x @ W1 + b1).relu() @ W2 + b2, t)
        for p in params:
            p.zero_grad()
        loss.backward()
        for p in params:
            p.data -= LR * p.grad
        return loss.item()

    return step


def numpy_engine(X: np.ndarray, y: np.ndarray, init: list[np.ndarray]) -> Step:
    """The same math by hand: forward, backward and update in plain numpy."""
    W1, b1, W2, b2 = (p.copy() for p in init)

    def step(idx: np.ndarray) -> float:
        nonlocal W1, b1, W2, b2  # updated in place below
        x, t = X[idx], y[idx]
        m = len(t)
        rows = np.arange(m)
        z1 = x @ W1
        z1 += b1
        a1 = np.maximum(z1, 0)
        z2 = a1 @ W2
        z2 += b2
        z2 -= z2.max(axis=1, keepdims=True)
        e = np.exp(z2)
        s = e.sum(axis=1, keepdims=True)
        loss = float(np.log(s).mean() - z2[rows, t].mean())
        dz2 = e / s  # softmax - one_hot, over the batch
        dz2[rows, t] -= 1
        dz2 /= m
        dW2 = a1.T @ dz2
        db2 = dz2.sum(axis=0)
        da1 = dz2 @ W2.T
        da1 *= z1 > 0
        dW1 = x.T @ da1
        db1 = da1.sum(axis=0)
        W1 -= LR * dW1
        b1 -= LR * db1
        W2 -= LR * dW2
        b2 -= LR * db2
        return loss

    return step


def torch_engine(X: np.ndarray, y: np.ndarray, init: list[np.ndarray], threads: int) -> Step:
    """The step as a PyTorch user writes it (F.cross_entropy, manual SGD under no_grad)."""
    import torch
    import torch.nn.functional as F

    torch.set_num_threads(threads)
    W1, b1, W2, b2 = params = [torch.from_numpy(p.copy()).requires_grad_() for p in init]
    Xt, yt = torch.from_numpy(X), torch.from_numpy(y)

    def step(idx: np.ndarray) -> float:
        i = torch.from_numpy(idx)
        x, t = Xt[i], yt[i]
        loss = F.cross_entropy(torch.relu(x @ W1 + b1) @ W2 + b2, t)
        for p in params:
            p.grad = None
        loss.backward()
        with torch.no_grad():
            for p in params:
                p -= LR * p.grad  # type: ignore[operator]
        return loss.item()

    return step


def gemm_engine(X: np.ndarray, y: np.ndarray, init: list[np.ndarray]) -> Step:
    """Only the five matrix products of a step (forward 2, backward 3), on the same shapes."""
    W1, W2 = init[0].copy(), init[2].copy()
    rng = np.random.default_rng(2)
    z1 = rng.standard_normal((BATCH, SIZES[1])).astype(np.float32)
    dz2 = rng.standard_normal((BATCH, SIZES[2])).astype(np.float32)

    def step(idx: np.ndarray) -> float:
        m = len(idx)
        x, a1, d = X[:m], z1[:m], dz2[:m]
        x @ W1
        a1 @ W2
        a1.T @ d
        da1 = d @ W2.T
        x.T @ da1
        return float("nan")

    return step


def rss_bytes() -> int:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


def run(threads: int, quick: bool) -> None:
    n = 10_000 if quick else 60_000
    epochs = 3 if quick else 5
    X, y = synthetic_data(n)
    init = initial_weights()
    steps: dict[str, Step] = {
        "numpy (hand-written)": numpy_engine(X, y, init),
        "graphgrad": graphgrad_engine(X, y, init),
        "graphgrad, unfused loss": graphgrad_engine(X, y, init, fused=False),
        "torch": torch_engine(X, y, init, threads),
        "GEMMs alone": gemm_engine(X, y, init),
    }
    names = list(steps)
    times: dict[str, list[float]] = {name: [] for name in names}
    first_loss: dict[str, float] = {}
    rss: list[int] = []
    for step in steps.values():  # the same warm-up steps for every engine: still in lockstep
        for idx in batch_order(n, -1)[:20]:
            step(idx)
    for e in range(epochs):
        batches = batch_order(n, e)
        elapsed = dict.fromkeys(names, 0.0)
        total = dict.fromkeys(names, 0.0)
        for k, first in enumerate(range(0, len(batches), TURN)):
            turn = batches[first : first + TURN]
            for name in names[k % len(names) :] + names[: k % len(names)]:  # rotate who goes first
                step = steps[name]
                start = time.perf_counter()
                for idx in turn:
                    total[name] += step(idx)
                elapsed[name] += time.perf_counter() - start
        for name in names:
            times[name].append(elapsed[name])
            first_loss.setdefault(name, total[name] / len(batches))
        rss.append(rss_bytes())

    med = {name: statistics.median(ts) for name, ts in times.items()}
    ref, ours = med["numpy (hand-written)"], med["graphgrad"]
    print(
        f"T1  MLP 784-128-ReLU-10, mean softmax cross-entropy, SGD lr {LR}, batch {BATCH}, "
        f"{n:,} float32 samples; {threads} thread(s); median of {epochs} epochs"
    )
    print(f"    {'engine':<24} {'epoch':>8} {'/ numpy':>8} {'/ graphgrad':>12}   loss after epoch 1")
    for name in names:
        loss = first_loss[name]
        loss_text = "" if np.isnan(loss) else f"{loss:.6f}"
        ratios = f"{med[name] / ref:>7.2f}x {med[name] / ours:>11.2f}x"
        print(f"    {name:<24} {med[name]:>7.3f}s {ratios}   {loss_text}")
    mib = [r / 2**20 for r in rss]
    print(
        f"    RSS after each epoch: {', '.join(f'{m:.1f}' for m in mib)} MiB "
        f"(growth after epoch 1: {mib[-1] - mib[0]:+.1f} MiB)"
    )
    print(
        f"    graphgrad / numpy = {ours / ref:.3f} (target <= 1.10); "
        f"graphgrad / torch = {ours / med['torch']:.3f} (target < 1)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--quick", action="store_true", help="10,000 samples, 3 epochs (a smoke run)")
    parser.add_argument("--threads", default="1", help="BLAS/torch threads, e.g. 1 or 1,2 (default 1)")
    args = parser.parse_args()
    counts = [int(c) for c in args.threads.split(",")]
    if len(counts) == 1:
        run(counts[0], args.quick)
        return
    for count in counts:  # a fresh process per thread count: BLAS reads the variables at import
        cmd = [sys.executable, os.path.abspath(__file__), "--threads", str(count)]
        subprocess.run(cmd + (["--quick"] if args.quick else []), check=True)


if __name__ == "__main__":
    main()
