"""Bounded layout: what a picture asks Graphviz to lay out stays within LAYOUT_BUDGET, for any graph.

High fan-out nodes are drawn once per use (dashed copies beside their users), the far part of a
graph collapses before layout, large pictures are laid out with Graphviz's search limits and say
so, and an explicit ``max_nodes`` beyond the budget is an error up front. These tests check the
structure; the time each graph family takes is measured in ``benchmarks/draw.py``.
"""

from __future__ import annotations

import re
import time
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from helpers import moons_step_graph, needs_renderer
from test_drawing_page_browser import assert_clean

import autograd.drawing.layout as draw_layout
import autograd.drawing.scene as draw_scene
import autograd.drawing.text as draw_text
from autograd import Value, backward_steps, draw, explore, to_dot
from autograd.drawing.scene import DrawOptions, make_scene
from autograd.graph import topological_order

NODE = re.compile(r"^  (\w+) \[", flags=re.M)
EDGE = re.compile(r"^  (\w+) -> (\w+)(?: \[(.*)\])?;$", flags=re.M)


def fan_out(n: int) -> tuple[Value, Value, Value]:
    """``sum(x * w for _ in range(n))``: two leaves, each used by n products."""
    x, w = Value(2.0, label="x"), Value(3.0, label="w")
    s: Any = sum(x * w for _ in range(n))
    s.backward()
    return s, x, w


def reused(n: int) -> tuple[Value, Value]:
    """``p = x * w`` summed n times: one result used by n sums."""
    x, w = Value(2.0, label="x"), Value(3.0, label="w")
    p = x * w
    p.label = "p"
    s: Any = sum(p for _ in range(n))
    s.backward()
    return s, p


def deep_chain(n: int) -> tuple[Value, Value]:
    x = Value(0.5, label="x")
    y = x
    for _ in range(n):
        y = y.tanh()
    return y, x


def check_dot(dot: str) -> tuple[list[str], list[tuple[str, str, str]]]:
    """The DOT's node ids and edges, checked: ids unique, every edge between declared nodes."""
    nodes = [n for n in NODE.findall(dot) if n not in ("graph", "node", "edge")]
    assert len(nodes) == len(set(nodes)), [n for n, k in Counter(nodes).items() if k > 1]
    edges = EDGE.findall(dot)
    declared = set(nodes)
    assert all(a in declared and b in declared for a, b, _ in edges)
    assert (
        dot.startswith("digraph graphgrad {\n") and dot.endswith("}\n") and dot.count("{") == dot.count("}")
    )
    return nodes, edges


def drawn_nodes(dot: str) -> list[str]:
    return re.findall(r"^  (n\d+) \[", dot, flags=re.M)


def copies(dot: str) -> list[str]:
    return re.findall(r"^  (n\d+_copy\d+) \[", dot, flags=re.M)


# --- high fan-out: drawn once per use -----------------------------------------------------------


def test_a_leaf_used_two_thousand_times_is_drawn_once_per_use_beside_each_user() -> None:
    s, x, _ = fan_out(2000)
    dot = to_dot(s, highlight=x)
    nodes, edges = check_dot(dot)
    assert len(drawn_nodes(dot)) <= draw_scene.DEFAULT_MAX_NODES
    made = copies(dot)
    assert len(made) > 100
    users = Counter(a for a, _, _ in edges)
    assert max(users.values()) <= draw_scene.FANOUT_LIMIT  # no box with a hundred edges left
    assert all(users[c] == 1 for c in made)  # each copy sits beside its one user
    chain = [(a, b) for a, b, attrs in edges if 'class="influence"' in attrs]
    x_copies = [c for c in made if c.startswith(node_id(dot, "x") + "_copy")]
    assert x_copies and sum(a in x_copies for a, _ in chain) == len(x_copies)  # the chain runs through them
    assert draw_layout.SEARCH_LIMITS in dot
    assert "drawn once per use, dashed copies beside each user: x (" in dot
    assert "laid out with Graphviz's search limits" in dot


def node_id(dot: str, label: str) -> str:
    """The DOT id of the drawn node labelled ``label`` (not a copy of it)."""
    found = re.search(rf"^  (n\d+) \[label=<.*?<B>{label}</B>", dot, flags=re.M)
    assert found
    return found[1]


def test_copies_look_like_their_node_and_keep_its_marks() -> None:
    s, x, _ = fan_out(40)
    dot = to_dot(s, highlight=x)
    original = node_id(dot, "x")
    lines = re.findall(rf"^  {original}_copy\d+ \[.*$", dot, flags=re.M)
    assert len(lines) == 40 - 1
    for line in lines:
        assert "<B>x</B>" in line and "data 2" in line and "style=dashed" in line and "grad" not in line
        assert 'class="influence"' in line  # on the chain as x is
    steps = backward_steps(s)
    frame = steps[steps.replay.order.index(x)].to_dot()  # x's step: its copies are current too
    current = re.findall(rf"^  {node_id(frame, 'x')}_copy\d+ \[.*$", frame, flags=re.M)
    assert len(current) == 40 - 1 and all(draw_text.PALETTE["current"] in line for line in current)


def test_a_reused_result_is_drawn_once_per_use_and_keeps_its_own_inputs() -> None:
    for n in (300, 3000):
        s, p = reused(n)
        dot = to_dot(s)
        check_dot(dot)
        assert len(drawn_nodes(dot)) <= draw_scene.DEFAULT_MAX_NODES
        assert len(copies(dot)) >= 250
        original = node_id(dot, "p")
        assert len(re.findall(rf"^  n\d+ -> {original}op", dot, flags=re.M)) == 2  # x and w, drawn once
        assert "p (" in dot and "uses)" in dot
    few = reused(draw_scene.FANOUT_LIMIT)[0]
    assert not copies(to_dot(few)) and "mclimit" not in to_dot(few)


def test_small_ordinary_pictures_are_unchanged() -> None:
    x, w = Value(2.0, label="x"), Value(-3.0, label="w")
    y = (x * w + w).tanh()
    y.backward()
    for dot in (to_dot(y), to_dot(y, highlight=w)):
        assert "_copy" not in dot and "mclimit" not in dot and "search limits" not in dot
    scene = make_scene(y, DrawOptions())
    assert scene.size is not None and scene.size.cost < draw_scene.LARGE_PICTURE and not scene.large
    assert not scene.copied and not scene.budget_cut


def test_the_summary_node_is_drawn_once_per_use_too() -> None:
    loss, params = moons_step_graph()
    dot = to_dot(loss, highlight=params[0])
    _, edges = check_dot(dot)
    from_summary = [a for a, _, _ in edges if a == "more" or a.startswith("more_copy")]
    assert len(from_summary) > draw_scene.FANOUT_LIMIT and from_summary.count("more") == 1


# --- the size of a picture ----------------------------------------------------------------------


@pytest.mark.parametrize(
    "family", ["fan", "fan highlighted", "reused", "moons", "moons highlighted", "chain"]
)
def test_the_size_counted_before_layout_is_the_size_of_the_dot(family: str) -> None:
    root, target = {
        "fan": lambda: fan_out(500)[:2],
        "fan highlighted": lambda: fan_out(500)[:2],
        "reused": lambda: reused(400),
        "moons": lambda: moons_step_graph(),
        "moons highlighted": lambda: (lambda g: (g[0], g[1][0]))(moons_step_graph()),
        "chain": lambda: deep_chain(1000),
    }[family]()
    scene = make_scene(root, DrawOptions(highlight=target if "highlighted" in family else None))
    dot = draw_layout.scene_dot(scene)
    nodes, edges = check_dot(dot)
    size = scene.size
    assert size is not None
    labelled = sum(bool(re.search(r"(^|, )x?label=", attrs)) for _, _, attrs in edges)
    assert (size.nodes, size.boxes, size.edges, size.labels) == (
        len(drawn_nodes(dot)),
        len(nodes),
        len(edges),
        labelled,
    )
    assert size.cost <= draw_scene.LAYOUT_BUDGET


def test_past_the_budget_the_far_part_collapses_before_layout_and_says_so(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    s, x, _ = fan_out(2000)
    monkeypatch.setattr(draw_scene, "LAYOUT_BUDGET", 400)
    scene = make_scene(s, DrawOptions(highlight=x))
    assert scene.budget_cut and scene.size is not None and scene.size.cost <= 400
    assert len(scene.visible) < draw_scene.DEFAULT_MAX_NODES
    assert x in scene.visible  # the influence chain is drawn first
    dot = to_dot(s, highlight=x)
    assert f"collapsed after {len(scene.visible):,} nodes, not max_nodes=300" in dot
    assert f"... {len(topological_order(s)) - len(scene.visible):,} more nodes" in dot


# --- an explicit max_nodes too large to lay out in time -----------------------------------------


def test_an_explicit_max_nodes_beyond_the_budget_is_an_error_up_front() -> None:
    loss, _ = moons_step_graph()
    total = len(topological_order(loss))
    start = time.perf_counter()
    with pytest.raises(ValueError) as caught:
        draw(loss, max_nodes=100_000)
    assert time.perf_counter() - start < 30  # no layout was tried (a few seconds of Python here)
    message = str(caught.value)
    assert message.startswith(
        f"draw: max_nodes=100000 asks Graphviz to lay out {total:,} nodes of this graph"
    )
    assert f"more than the {draw_scene.LAYOUT_BUDGET:,} it lays out in a few seconds" in message
    fits = int(re.search(r"pass max_nodes=(\d+) or less", message)[1])  # type: ignore[index]
    assert draw_scene.DEFAULT_MAX_NODES <= fits < total
    assert "to_dot(root, max_nodes=100000) writes all of it as DOT" in message
    scene = make_scene(loss, DrawOptions(max_nodes=fits), caller="draw")
    assert len(scene.visible) == fits and not scene.budget_cut


def test_the_error_names_each_entry_point_and_to_dot_writes_everything() -> None:
    y, x = deep_chain(3000)
    with pytest.raises(ValueError, match=r"^explore: max_nodes=5000 asks Graphviz to lay out 3,001 nodes"):
        explore(y, max_nodes=5000)
    steps = backward_steps(y)
    with pytest.raises(ValueError, match=r"^Frame\.draw: max_nodes=5000"):
        steps[0].draw(max_nodes=5000)
    with pytest.raises(ValueError, match=r"^BackwardSteps\.player: max_nodes=5000"):
        steps.player(max_nodes=5000)
    dot = to_dot(y, max_nodes=5000, highlight=x)
    assert len(drawn_nodes(dot)) == 3001 and "more nodes" not in dot
    assert len(drawn_nodes(steps[0].to_dot(max_nodes=5000))) == 3001


# --- Graphviz itself ----------------------------------------------------------------------------


@needs_renderer
def test_copies_come_through_to_the_svg_with_their_ids() -> None:
    s, x, _ = fan_out(60)
    page = explore(s, highlight=x)
    ids = re.findall(r'<g id="(n\d+_copy\d+)" class="node"', page.svg)
    assert len(ids) >= 2 * (60 - 1)  # x and w, once per use but the first
    svg = draw(s, highlight=x).svg()
    assert "drawn once per use" in svg


@needs_renderer
def test_the_page_marks_copies_as_it_marks_their_node(tmp_path: Path, open_page: Any) -> None:
    s, x, _ = fan_out(40)
    opened = open_page(explore(s).save(tmp_path / "fan.html"))
    page = opened.page
    original = page.evaluate(
        """() => [...document.querySelectorAll("svg g.node")].find((g) => !g.id.includes("_copy")
           && [...g.querySelectorAll("text")].some((t) => t.textContent === "x")).id"""
    )
    of = (
        "(p) => [...document.querySelectorAll(`g.node[id^='${p}_copy']`)].map((g) => g.getAttribute('class'))"  # noqa: E501
    )
    assert len(page.evaluate(of, original)) == 40 - 1
    assert page.evaluate("graphgrad.select('x')")["highlighted"][-1] == "x"
    assert all("gg-chain" in c and "gg-dim" not in c for c in page.evaluate(of, original))
    others = page.evaluate("[...document.querySelectorAll(`g.node[id*='_copy']`)].map((g) => g.id)")
    w_copy = next(c for c in others if not c.startswith(original + "_copy"))  # w is off the chain
    assert "gg-dim" in page.evaluate("(id) => document.getElementById(id).getAttribute('class')", w_copy)
    page.evaluate("graphgrad.select(null)")
    step = topological_order(s).index(x) + 1
    page.evaluate(f"graphgrad.step({step})")
    assert all("gg-current" in c for c in page.evaluate(of, original))
    page.dispatch_event(f"#{original}_copy3", "mousemove", {"clientX": 50, "clientY": 50})
    assert page.inner_text(".gg-tip").startswith("x (input")
    assert_clean(opened)


def test_a_layout_that_runs_too_long_is_stopped_with_a_clear_error(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    slow = tmp_path / "slow-dot"
    slow.write_text("#!/bin/sh\nsleep 30\n")
    slow.chmod(0o755)
    monkeypatch.setattr(draw_layout, "find_renderer", lambda: str(slow))
    monkeypatch.setattr(draw_layout, "LAYOUT_TIMEOUT", 0.5)
    start = time.perf_counter()
    with pytest.raises(
        RuntimeError,
        match=r"^slow-dot did not finish laying out the picture \(\d+ lines of DOT\) within 0.5 s",
    ):
        draw(Value(2.0, label="x") * 3).svg()
    assert time.perf_counter() - start < 10
