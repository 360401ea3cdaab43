"""Drawing benchmark: large graphs draw quickly, collapsed past ``max_nodes``.

Run ``python benchmarks/draw.py``. Times (median of 3, seconds) for:

D1  the classic moons training step (MLP 2-16-16-1, 100 points, hinge loss + L2; ~65,000
    nodes): ``draw(loss).svg()`` with each renderer found (system ``dot``, ``graphviz-pure``);
    the target is under 5 s.
D2  the same graph with ``highlight=`` on a first-layer weight (the influence chain: ~1,600 paths).
D3  a 100,000-deep tanh chain: ``draw(y).svg()``.
D4  ``backward_steps(loss)`` on the moons graph (one frame per node) and drawing its middle frame.
E1  ``explore(loss)``, the interactive page of the moons graph: the time to build it, its size,
    and (with Chromium and Playwright installed) the time headless Chromium takes to load it
    and to step to the end and select a node's influence chain. The budget: built in seconds,
    a few MB at most, loaded in seconds.
"""

from __future__ import annotations

import importlib.util
import os
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests"))

from test_viz import moons_step_graph  # noqa: E402

import autograd.drawing.layout as draw_layout
from autograd import Value, backward_steps, draw, explore  # noqa: E402
from autograd.graph import topological_order  # noqa: E402


def median_time(fn: Callable[[], Any], repeat: int = 3) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def renderers() -> list[tuple[str, str]]:
    found = []
    if shutil.which("dot"):
        found.append(("dot", shutil.which("dot") or ""))
    pure = shutil.which("graphviz-pure") or str(Path(sys.executable).parent / "graphviz-pure")
    if Path(pure).exists():
        found.append(("graphviz-pure", pure))
    return found


def main() -> None:
    loss, params = moons_step_graph()
    loss.backward()
    print(f"moons training step: {len(topological_order(loss)):,} nodes")
    original = draw_layout.find_renderer
    for name, program in renderers():
        draw_layout.find_renderer = lambda program=program: program  # type: ignore[misc]
        t1 = median_time(lambda: draw(loss, params=params).svg())
        t2 = median_time(lambda: draw(loss, params=params, highlight=params[0]).svg())
        print(f"D1 {name:14s} draw(loss).svg()            {t1:6.2f} s  (target < 5 s)")
        print(f"D2 {name:14s} draw(loss, highlight=w).svg() {t2:6.2f} s")
        x = Value(0.5, label="x")
        y = x
        for _ in range(100_000):
            y = y.tanh()
        t3 = median_time(lambda y=y: draw(y).svg(), repeat=1)
        print(f"D3 {name:14s} 100,000-deep chain            {t3:6.2f} s")
    draw_layout.find_renderer = original
    start = time.perf_counter()
    steps = backward_steps(loss)
    t4 = time.perf_counter() - start
    if draw_layout.find_renderer():
        start = time.perf_counter()
        steps[len(steps) // 2].draw().svg()
        t5 = time.perf_counter() - start
        print(f"D4 backward_steps: {len(steps):,} frames in {t4:.2f} s; drawing the middle frame {t5:.2f} s")
        explorer(loss, params)


def explorer(loss: Any, params: Any) -> None:
    start = time.perf_counter()
    page = explore(loss, params=params)
    built = time.perf_counter() - start
    with tempfile.TemporaryDirectory() as folder:
        path = page.save(Path(folder) / "moons.html")
        line = f"E1 explore(loss): built in {built:.2f} s, {path.stat().st_size / 1e6:.2f} MB"
        chromium = shutil.which("chromium") or shutil.which("chromium-browser")
        if chromium and importlib.util.find_spec("playwright"):
            line += "; " + loaded_in_chromium(chromium, path, Path(folder) / "profile", page.steps)
    print(line)


def loaded_in_chromium(chromium: str, path: Path, profile: Path, steps: int) -> str:
    from playwright.sync_api import sync_playwright

    args = [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--no-first-run",
        "--disable-background-networking",
    ]
    with sync_playwright() as p:
        context = p.chromium.launch_persistent_context(str(profile), executable_path=chromium, args=args)
        tab = context.new_page()
        start = time.perf_counter()
        tab.goto(path.as_uri())
        tab.evaluate("window.graphgrad.state()")
        loaded = time.perf_counter() - start
        start = time.perf_counter()
        tab.evaluate(f"graphgrad.step({steps}); graphgrad.select('(relu)')")
        used = time.perf_counter() - start
        context.close()
    return f"Chromium loads it in {loaded:.2f} s, steps to the end and selects a chain in {used:.2f} s"


if __name__ == "__main__":
    main()
