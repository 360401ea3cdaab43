"""Drawing benchmark: every default draw() and explore() returns within 10 s, for any graph.

Run ``python benchmarks/draw.py`` (``--timeout S`` stops a case after S seconds, 120 by default;
``--only NAME`` runs the families whose name contains NAME). It prints one table: graph families
x (``draw(root)``, ``draw(root, highlight=leaf)``, ``explore(root).html()``), each case run in a
fresh process (building the graph and its backward pass not counted), with the time, the size of
the SVG or page, and the graph nodes drawn / in the graph. A drawing is timed as Jupyter shows it
(``_repr_mimebundle_``: the SVG, and the small PNG beside it). The families:

fan-out 2,000   ``sum(x * w for _ in range(2000))``: x and w each used by 2,000 products
reused 300      ``p = x * w; sum(p for _ in range(300))``: one result used by 300 sums
reused 3,000    the same, 3,000 times
moons step      one training step of the moons MLP 2-16-16-1 on 100 points (~65,800 nodes)
chain 100,000   ``x.tanh().tanh()...``, 100,000 deep

Then: the time ``draw(loss, max_nodes=100000)`` of the moons step takes to refuse (a clear error
up front, not a layout that never ends), ``backward_steps`` over the moons graph and drawing its
middle frame, and (with Chromium and Playwright installed) how long headless Chromium takes to
load the moons page, step to the end and select a node's influence chain.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
sys.path.insert(0, str(HERE.parent / "tests"))

FAMILIES = ["fan-out 2,000", "reused 300", "reused 3,000", "moons step", "chain 100,000"]
MODES = ["draw", "draw highlight", "explore"]
TARGET = 10.0  # seconds: every default call returns within this


def build(family: str) -> tuple[Any, Any]:
    """The root of the family's graph (its backward pass done) and the leaf to highlight."""
    from autograd import Value

    x, w = Value(2.0, label="x"), Value(3.0, label="w")
    if family.startswith("fan-out"):
        root = sum(x * w for _ in range(2000))
    elif family.startswith("reused"):
        p = x * w
        root = sum(p for _ in range(int(family.split()[1].replace(",", ""))))
    elif family == "moons step":
        from helpers import moons_step_graph

        root, params = moons_step_graph()
        x = params[0]
    else:
        root = x
        for _ in range(100_000):
            root = root.tanh()
    root.backward()
    return root, x


def run_case(family: str, mode: str) -> dict[str, Any]:
    """One case, in this process: the time of the call, what it made, the nodes drawn / in the graph."""
    from autograd import draw, explore
    from autograd.graph import topological_order

    root, leaf = build(family)
    total = len(topological_order(root))
    start = time.perf_counter()
    if mode == "draw max_nodes=100000":
        try:
            picture = draw(root, max_nodes=100_000)
        except ValueError as err:
            raise SystemExit(f"refused in {time.perf_counter() - start:.2f} s: {str(err)[:60]}...") from None
        text = picture.svg()
        drawn = total
    elif mode == "explore":
        page = explore(root)
        text = page.html()
        drawn = len(page.data["visible"])
    else:
        picture = draw(root, highlight=leaf) if mode == "draw highlight" else draw(root)
        text = picture._repr_mimebundle_()["image/svg+xml"]  # what Jupyter shows: SVG, and a PNG beside
        drawn = len(re.findall(r"^  n\d+ \[", picture.source, flags=re.M))
    seconds = time.perf_counter() - start
    return {"seconds": seconds, "bytes": len(text.encode("utf-8")), "drawn": drawn, "total": total}


def in_a_fresh_process(family: str, mode: str, timeout: float) -> dict[str, Any]:
    """:func:`run_case` in a child Python, stopped after ``timeout`` seconds with the Graphviz
    it started (the whole process group)."""
    command = [sys.executable, __file__, "--case", family, mode]
    env = {**os.environ, "OPENBLAS_NUM_THREADS": "1"}
    child = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env,
                             start_new_session=True)  # fmt: skip
    try:
        out, err = child.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(child.pid, signal.SIGKILL)
        child.communicate()
        return {"error": f"> {timeout:g} s"}
    if child.returncode != 0:
        lines = err.strip().splitlines()
        return {"error": lines[-1][:70] if lines else f"exit {child.returncode}"}
    return dict(json.loads(out.strip().splitlines()[-1]))


def cell(result: dict[str, Any]) -> str:
    if "error" in result:
        return result["error"]
    size = result["bytes"] / 1e6
    size_text = f"{size:.2f} MB" if size >= 1 else f"{result['bytes'] / 1e3:.0f} kB"
    return f"{result['seconds']:.2f} s, {size_text}, {result['drawn']:,}/{result['total']:,}"


def table(timeout: float, only: str) -> None:
    from autograd.drawing import find_renderer

    renderer = Path(find_renderer() or "none").name
    print(f"renderer: {renderer}; each cell: time, SVG or page size, graph nodes drawn/total\n")
    print("| graph | " + " | ".join(f"`{m}`" for m in MODES) + " |")
    print("|---|" + "---|" * len(MODES))
    slowest = 0.0
    for family in FAMILIES:
        if only and only not in family:
            continue
        results = [in_a_fresh_process(family, mode, timeout) for mode in MODES]
        slowest = max([slowest, *(r.get("seconds", float("inf")) for r in results)])
        print(f"| {family} | " + " | ".join(cell(r) for r in results) + " |", flush=True)
    verdict = "within" if slowest <= TARGET else "NOT within"
    print(f"\nslowest call: {slowest:.2f} s, {verdict} the {TARGET:g} s target")


def refusal(timeout: float) -> None:
    """What an explicit max_nodes too large to lay out does: ``draw(loss, max_nodes=100000).svg()``."""
    result = in_a_fresh_process("moons step", "draw max_nodes=100000", timeout)
    said = result.get("error") or f"drawn: {cell(result)}"
    print(f"draw(loss, max_nodes=100000).svg() on the moons step: {said}")


def stepper_and_browser() -> None:
    from autograd import backward_steps, explore
    from autograd.drawing import find_renderer

    loss, _ = build("moons step")
    start = time.perf_counter()
    steps = backward_steps(loss)
    built = time.perf_counter() - start
    if not find_renderer():
        return
    start = time.perf_counter()
    steps[len(steps) // 2].draw().svg()
    drawn = time.perf_counter() - start
    print(f"backward_steps: {len(steps):,} frames in {built:.2f} s; the middle frame drawn in {drawn:.2f} s")
    page = explore(loss)
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if chromium and importlib.util.find_spec("playwright"):
        with tempfile.TemporaryDirectory() as folder:
            path = page.save(Path(folder) / "moons.html")
            name = page.data["texts"][page.data["names"][len(page.data["names"]) // 2]]
            profile = Path(folder) / "profile"
            print("the moons page: " + loaded_in_chromium(chromium, path, profile, page.steps, name))


def loaded_in_chromium(chromium: str, path: Path, profile: Path, steps: int, name: str) -> str:
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
        tab.evaluate(f"graphgrad.step({steps}); graphgrad.select({json.dumps(name)})")
        used = time.perf_counter() - start
        context.close()
    return f"Chromium loads it in {loaded:.2f} s, steps to the end and selects a chain in {used:.2f} s"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--timeout", type=float, default=120.0, help="seconds before a case is stopped")
    parser.add_argument("--only", default="", help="run the families whose name contains this")
    parser.add_argument("--case", nargs=2, metavar=("FAMILY", "MODE"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.case:
        print(json.dumps(run_case(*args.case)))
        return
    table(args.timeout, args.only)
    if not args.only:
        refusal(args.timeout)
        stepper_and_browser()


if __name__ == "__main__":
    main()
