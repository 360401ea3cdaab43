"""Stage layout (autograd/drawing/layout.py): a scene as DOT text (golden files for a neuron, a
cube and arrays; names, styles, grads, escaping, nan and inf), Graphviz found and run (the system
``dot`` preferred, ``graphviz-pure`` otherwise, a clear error without either); and bounded layout:
what a picture asks Graphviz to lay out stays within LAYOUT_BUDGET, for any graph.

High fan-out nodes are drawn once per use (dashed copies beside their users), the far part of a
graph collapses before layout, large pictures are laid out with Graphviz's search limits and say
so, and an explicit ``max_nodes`` beyond the budget is an error up front. These tests check the
structure; the time each graph family takes is measured in ``benchmarks/draw.py``.
"""

from __future__ import annotations

import os
import re
import shutil
import sys
import time
import xml.etree.ElementTree as ET
from collections import Counter
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from helpers import (
    array_graph,
    influence_edges,
    moons_step_graph,
    needs_renderer,
    neuron,
    node_ids,
)
from test_drawing_page_browser import assert_clean

import autograd.drawing.layout as draw_layout
import autograd.drawing.scene as draw_scene
import autograd.drawing.text as draw_text
from autograd import Tensor, Value, backward_steps, draw, explore, to_dot
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


GOLDEN_NEURON = """\
digraph graphgrad {
  graph [rankdir=LR, fontname="Arial", fontsize=11, nodesep=0.25, ranksep=0.4];
  node [shape=plain, fontname="Arial", fontsize=10, color="#333333", fontcolor="#222222"];
  edge [fontname="Arial", fontsize=9, color="#555555", arrowsize=0.7];
  n0 [label=<<TABLE BORDER="0" CELLBORDER="1" CELLSPACING="0" CELLPADDING="3"><TR><TD BGCOLOR="#ffffff"><B>y</B></TD></TR><TR><TD>data 0.7064</TD></TR><TR><TD>grad 1</TD></TR></TABLE>>];
  n1 [label=<<TABLE BORDER="0" CELLBORDER="1" CELLSPACING="0" CELLPADDING="3"><TR><TD BGCOLOR="#ffffff"><FONT POINT-SIZE="8">+#1</FONT></TD></TR><TR><TD>data 0.88</TD></TR><TR><TD>grad 0.501</TD></TR></TABLE>>];
  n2 [label=<<TABLE BORDER="0" CELLBORDER="1" CELLSPACING="0" CELLPADDING="3"><TR><TD BGCOLOR="#ffffff"><FONT POINT-SIZE="8">*#1</FONT></TD></TR><TR><TD>data -6</TD></TR><TR><TD>grad 0.501</TD></TR></TABLE>>];
  n3 [label=<<TABLE BORDER="0" CELLBORDER="1" CELLSPACING="0" CELLPADDING="3"><TR><TD BGCOLOR="#cfe2f3"><B>x</B> <FONT POINT-SIZE="8">input</FONT></TD></TR><TR><TD>data 2</TD></TR><TR><TD>grad -1.503</TD></TR></TABLE>>];
  n4 [label=<<TABLE BORDER="0" CELLBORDER="1" CELLSPACING="0" CELLPADDING="3"><TR><TD BGCOLOR="#cfe2f3"><B>w</B> <FONT POINT-SIZE="8">input</FONT></TD></TR><TR><TD>data -3</TD></TR><TR><TD>grad 1.002</TD></TR></TABLE>>];
  n5 [label=<<TABLE BORDER="0" CELLBORDER="1" CELLSPACING="0" CELLPADDING="3"><TR><TD BGCOLOR="#cfe2f3"><B>b</B> <FONT POINT-SIZE="8">input</FONT></TD></TR><TR><TD>data 6.88</TD></TR><TR><TD>grad 0.501</TD></TR></TABLE>>];
  n0op [label="tanh", shape=ellipse, style=filled, fillcolor="#f3f3f3", margin="0.04,0.02", width=0.4, height=0.3];
  n0op -> n0;
  n1 -> n0op;
  n1op [label="+", shape=ellipse, style=filled, fillcolor="#f3f3f3", margin="0.04,0.02", width=0.4, height=0.3];
  n1op -> n1;
  n2 -> n1op;
  n5 -> n1op;
  n2op [label="*", shape=ellipse, style=filled, fillcolor="#f3f3f3", margin="0.04,0.02", width=0.4, height=0.3];
  n2op -> n2;
  n3 -> n2op;
  n4 -> n2op;
}
"""  # noqa: E501


def test_golden_dot_neuron() -> None:
    *_, y = neuron()
    y.backward()
    assert to_dot(y) == GOLDEN_NEURON


GOLDEN_CUBE = """\
digraph graphgrad {
  graph [rankdir=TB, fontname="Arial", fontsize=11, nodesep=0.25, ranksep=0.4];
  node [shape=plain, fontname="Arial", fontsize=10, color="#333333", fontcolor="#222222"];
  edge [fontname="Arial", fontsize=9, color="#555555", arrowsize=0.7];
  n0 [label=<<TABLE BORDER="0" CELLBORDER="1" CELLSPACING="0" CELLPADDING="3"><TR><TD BGCOLOR="#ffffff"><FONT POINT-SIZE="8">root</FONT></TD></TR><TR><TD>data 8</TD></TR></TABLE>>];
  n1 [label=<<TABLE BORDER="0" CELLBORDER="1" CELLSPACING="0" CELLPADDING="3"><TR><TD BGCOLOR="#cfe2f3"><B>t</B> <FONT POINT-SIZE="8">input</FONT></TD></TR><TR><TD>data 2</TD></TR></TABLE>>];
  n2 [label=<<TABLE BORDER="0" CELLBORDER="1" CELLSPACING="0" CELLPADDING="3"><TR><TD BGCOLOR="#eeeeee"><FONT POINT-SIZE="8">const#1</FONT></TD></TR><TR><TD>data 3</TD></TR></TABLE>>];
  n0op [label="**3", shape=ellipse, style=filled, fillcolor="#f3f3f3", margin="0.04,0.02", width=0.4, height=0.3];
  n0op -> n0;
  n1 -> n0op;
  n2 -> n0op [style=dashed, color="#aaaaaa"];
}
"""  # noqa: E501


def test_golden_dot_constant_exponent_and_options() -> None:
    """x ** 3: the exponent is a constant input (its rule is None), drawn dashed, data only."""
    t = Value(2.0)
    assert to_dot(t**3, rankdir="TB", names={"t": t, "_hidden": t}, show="data") == GOLDEN_CUBE


GOLDEN_ARRAY = """\
digraph graphgrad {
  graph [rankdir=LR, fontname="Arial", fontsize=11, nodesep=0.25, ranksep=0.4];
  node [shape=plain, fontname="Arial", fontsize=10, color="#333333", fontcolor="#222222"];
  edge [fontname="Arial", fontsize=9, color="#555555", arrowsize=0.7];
  n0 [label=<<TABLE BORDER="0" CELLBORDER="1" CELLSPACING="0" CELLPADDING="3"><TR><TD BGCOLOR="#ffffff"><B>L</B></TD></TR><TR><TD>() float64</TD></TR><TR><TD>data 4.75</TD></TR><TR><TD>grad 1</TD></TR></TABLE>>];
  n1 [label=<<TABLE BORDER="0" CELLBORDER="1" CELLSPACING="0" CELLPADDING="3"><TR><TD BGCOLOR="#ffffff"><FONT POINT-SIZE="8">matmul#1</FONT></TD></TR><TR><TD>(1, 3) float64</TD></TR><TR><TD>data [[0.5, 2.25, 2]]</TD></TR><TR><TD>grad [[1, 1, 1]]</TD></TR></TABLE>>];
  n2 [label=<<TABLE BORDER="0" CELLBORDER="1" CELLSPACING="0" CELLPADDING="3"><TR><TD BGCOLOR="#cfe2f3"><B>x</B> <FONT POINT-SIZE="8">input</FONT></TD></TR><TR><TD>(1, 3) float64</TD></TR><TR><TD>data [[1, 2, 3]]</TD></TR><TR><TD>grad [[1, 3, -0.75]]</TD></TR></TABLE>>];
  n3 [label=<<TABLE BORDER="2" CELLBORDER="1" CELLSPACING="0" CELLPADDING="3"><TR><TD BGCOLOR="#ffd966"><B>W</B> <FONT POINT-SIZE="8">param</FONT></TD></TR><TR><TD>(3, 3) float64</TD></TR><TR><TD>data min -1  mean 0.3611  max 2</TD></TR><TR><TD>grad min 1  mean 2  max 3</TD></TR></TABLE>>];
  n0op [label="sum", shape=ellipse, style=filled, fillcolor="#f3f3f3", margin="0.04,0.02", width=0.4, height=0.3];
  n0op -> n0;
  n1 -> n0op;
  n1op [label="matmul", shape=ellipse, style=filled, fillcolor="#f3f3f3", margin="0.04,0.02", width=0.4, height=0.3];
  n1op -> n1;
  n2 -> n1op;
  n3 -> n1op;
}
"""  # noqa: E501


def test_golden_dot_arrays() -> None:
    """Tensor-like nodes: shape and dtype, the numbers when at most 6, else min/mean/max."""
    x, W, L = array_graph()
    L.backward()
    assert to_dot(L) == GOLDEN_ARRAY


def test_tensor_nodes() -> None:
    x = Tensor(np.array([[1.0, 2.0, 3.0]]))
    W = Tensor(np.arange(12.0).reshape(3, 4), requires_grad=True)
    loss = (x @ W).sum()
    loss.backward()
    dot = to_dot(loss, names={"x": x, "W": W, "loss": loss}, highlight=W)
    assert "(3, 4) float64" in dot and "(1, 3) float64" in dot
    assert "data [[1, 2, 3]]" in dot  # at most 6 numbers: the numbers themselves
    assert "data min 0  mean 5.5  max 11" in dot  # more: min/mean/max
    assert "param" in dot  # requires_grad leaves are parameters
    assert "vector-Jacobian" in dot and "dloss/dW" in dot
    assert len(influence_edges(dot)) >= 2


def test_names_from_locals_and_labels_win() -> None:
    a = Value(1.5)
    b = Value(2.0, label="bee")
    c = a * b
    dot = to_dot(c, names=locals())
    assert set(node_ids(dot)) == {"a", "bee", "c"}  # label first, then the variable name


def test_parameters_inputs_constants_styled_apart() -> None:
    w = Value(0.5, label="w")
    x = Value(2.0, label="x")
    y = w * x + 1
    dot = to_dot(y, params=[w])
    assert re.search(r'BORDER="2".*#ffd966"><B>w</B> <FONT POINT-SIZE="8">param', dot)
    assert re.search(r'#cfe2f3"><B>x</B> <FONT POINT-SIZE="8">input', dot)
    assert re.search(r'#eeeeee"><FONT POINT-SIZE="8">const', dot)


def test_show_and_color_grad() -> None:
    *_, y = neuron()
    y.backward()
    assert "<TD>grad" not in to_dot(y, show="data") and "<TD>data" in to_dot(y, show="data")
    assert "<TD>data" not in to_dot(y, show="grad") and "<TD>grad" in to_dot(y, show="grad")
    assert "<TD>data" not in to_dot(y, show="") and "<TD>grad" not in to_dot(y, show=[])
    colored = to_dot(y, color_grad=True)
    assert '<TD BGCOLOR="#f0781e">grad -1.503</TD>' in colored  # the largest |grad| is the strongest
    with pytest.raises(ValueError, match="show"):
        to_dot(y, show="data,hessian")
    with pytest.raises(ValueError, match="max_nodes"):
        to_dot(y, max_nodes=0)
    with pytest.raises(ValueError, match="rankdir"):
        to_dot(y, rankdir="up")
    with pytest.raises(TypeError, match="root"):
        to_dot(3.0)


def test_labels_are_escaped() -> None:
    x = Value(1.0, label='<a & "b">')
    assert "<B>&lt;a &amp; &quot;b&quot;&gt;</B>" in to_dot(x * 2)


def test_nan_and_inf_show() -> None:
    x = Value(0.0, label="x")
    with pytest.warns(RuntimeWarning):
        y = x.log()
    y.backward()
    dot = to_dot(y)
    assert "data -inf" in dot and "grad inf" in dot


def _without_dot(monkeypatch: pytest.MonkeyPatch) -> None:
    real = shutil.which
    monkeypatch.setattr(
        draw_layout.shutil, "which", lambda name, *a, **k: None if name == "dot" else real(name, *a, **k)
    )


def test_renders_without_system_dot(monkeypatch: pytest.MonkeyPatch) -> None:
    """With no ``dot`` anywhere on PATH, graphviz-pure (next to the interpreter) draws."""
    # graphviz-pure is a dependency of graphgrad: its absence is a broken install, not a skip
    assert (Path(sys.executable).parent / "graphviz-pure").exists() or shutil.which("graphviz-pure")
    _without_dot(monkeypatch)
    program = draw_layout.find_renderer()
    assert program is not None and "graphviz-pure" in Path(program).name
    *_, y = neuron()
    y.backward()
    root = ET.fromstring(draw(y).svg().encode())
    text = " ".join(t.text or "" for t in root.iter() if t.tag.endswith("text"))
    assert "tanh" in text and "data 0.7064" in text and "grad -1.503" in text


def test_system_dot_is_preferred(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    fake = tmp_path / "dot"
    fake.write_text("#!/bin/sh\ncat > /dev/null\necho '<svg><text>drawn by the system dot</text></svg>'\n")
    fake.chmod(0o755)
    monkeypatch.setenv("PATH", f"{tmp_path}{os.pathsep}{os.environ.get('PATH', '')}")
    assert draw_layout.find_renderer() == str(fake)
    *_, y = neuron()
    assert "drawn by the system dot" in draw(y).svg()


def test_finds_graphviz_pure_next_to_python(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    fake = tmp_path / "bin"
    fake.mkdir()
    exe = fake / "graphviz-pure"
    exe.write_text("#!/bin/sh\n")
    exe.chmod(0o755)
    monkeypatch.setattr(draw_layout.shutil, "which", lambda *a, **k: None)
    monkeypatch.setattr(draw_layout.sys, "executable", str(fake / "python"))
    assert draw_layout.find_renderer() == str(exe)


def test_no_renderer_error(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setattr(draw_layout.shutil, "which", lambda *a, **k: None)
    monkeypatch.setattr(draw_layout.sys, "executable", str(tmp_path / "python"))
    assert draw_layout.find_renderer() is None
    *_, y = neuron()
    d = draw(y)
    missing = draw_layout.RendererNotFoundError
    with pytest.raises(missing, match=r"pip install graphviz-pure.*apt install graphviz"):
        d.svg()
    with pytest.raises(draw_layout.RendererNotFoundError):
        d.save(tmp_path / "g.png")
    assert not (tmp_path / "g.png").exists()
    assert "to_dot" in d._repr_mimebundle_()["text/plain"]  # Jupyter shows the message, no traceback
    assert d.save(tmp_path / "g.dot").read_text() == to_dot(y)  # DOT needs no program
