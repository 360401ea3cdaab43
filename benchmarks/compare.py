"""This checkout against another graphgrad checkout, side by side in one run: S1, S1', S3, T1.

Run ``python benchmarks/compare.py --baseline PATH`` where PATH is a checkout of the code before
a change (``git worktree add PATH <commit>``). Each case runs in a fresh process per checkout,
the two checkouts taking turns (the order flips every round) so that load from elsewhere on the
machine hits both alike; each figure is the median over the rounds of each process's own median.
The workloads are those of ``scalar.py`` and ``tensor.py`` (this checkout's copies), pointed at
each checkout's engine through the ``GRAPHGRAD_TREE`` variable.

S1   one step of the moons MLP written with raw Values (ms)
S1'  the same step with nn.MLP (ms)
S3   sum of 250,000 products, build + backward (nodes per second; bytes per node)
T1   one epoch of the 784-128-10 MLP (15,000 samples here), fused cross-entropy, SGD (s)
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
PINNED = {var: "1" for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")}


def measure(case: str) -> dict[str, float]:
    """One case in this process, on the engine GRAPHGRAD_TREE names (run by ``--child``)."""
    sys.path.insert(0, str(HERE))
    if case in ("S1", "S1'"):
        import scalar

        return {"ms": 1e3 * scalar.time_s1("graphgrad" if case == "S1" else "nn.MLP", repeats=7)}
    if case == "S3":
        import scalar

        seconds, nodes, memory = scalar.products(250_000)
        return {"nodes/s": nodes / seconds, "B/node": memory / nodes}
    import tensor

    X, y = tensor.synthetic_data(15_000)
    step = tensor.graphgrad_engine(X, y, tensor.initial_weights())
    times = []
    for epoch in range(3):
        batches = tensor.batch_order(len(X), epoch)
        start = tensor.time.perf_counter()
        for idx in batches:
            step(idx)
        times.append(tensor.time.perf_counter() - start)
    return {"s": statistics.median(times)}


def run_child(tree: Path, case: str) -> dict[str, float]:
    env = {**os.environ, **PINNED, "GRAPHGRAD_TREE": str(tree)}
    done = subprocess.run(
        [sys.executable, __file__, "--child", case], env=env, capture_output=True, text=True, check=True
    )
    return json.loads(done.stdout.strip().splitlines()[-1])  # type: ignore[no-any-return]


def _number(x: float) -> str:
    return f"{x:>12,.0f}" if x >= 1000 else f"{x:>12.4g}"


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--baseline", type=Path, help="a checkout of the code to compare against")
    parser.add_argument("--rounds", type=int, default=5, help="processes per checkout and case (5)")
    parser.add_argument("--cases", default="S1,S1',S3,T1", help="which cases (S1,S1',S3,T1)")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(measure(args.child)))
        return
    if args.baseline is None or not (args.baseline / "autograd").is_dir():
        parser.error("--baseline must name a graphgrad checkout (a folder holding autograd/)")
    trees = {"baseline": args.baseline.resolve(), "this": HERE.parent}
    for case in args.cases.split(","):
        results: dict[str, list[dict[str, float]]] = {name: [] for name in trees}
        for k in range(args.rounds):
            for name in list(trees)[:: 1 if k % 2 == 0 else -1]:
                results[name].append(run_child(trees[name], case))
        for unit in results["this"][0]:
            base = statistics.median(r[unit] for r in results["baseline"])
            ours = statistics.median(r[unit] for r in results["this"])
            figures = f"baseline {_number(base)}  this {_number(ours)}"
            print(f"{case} {unit:>8}: {figures}  this/baseline {ours / base:.3f}")


if __name__ == "__main__":
    main()
