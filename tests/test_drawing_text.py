"""Stage words (autograd/drawing/text.py): numbers to four significant digits, node descriptions;
and every word a learner reads is defined once: the static drawing and
the explorer page say the same thing about the same graph, step by step and chain by chain, with
the same names for the same nodes; the palette reaches the page as CSS variables; labels holding
control characters draw."""

from __future__ import annotations

import math
import random
import re
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from helpers import HAVE_RENDERER, mixed_graph, neuron, shopping
from test_drawing_page_browser import assert_clean

import autograd.drawing.replay as draw_replay
import autograd.drawing.text as draw_text
from autograd import Tensor, Value, backward_steps, draw, explore
from autograd.drawing.scene import DrawOptions, make_scene
from autograd.graph import topological_order


def random_graph(seed: int) -> Value:
    """A small graph of Values with reuse and several paths, some leaves labelled, some not."""
    rng = random.Random(seed)
    pool = [Value(rng.uniform(-2, 2), label=rng.choice(["a", "b", ""]) or "") for _ in range(3)]
    for _ in range(rng.randint(3, 9)):
        a, b, op = rng.choice(pool), rng.choice(pool), rng.randrange(4)
        pool.append(a * b if op == 0 else a + b if op == 1 else a.tanh() if op == 2 else (a * 0.5).exp())
    return pool[-1]


def tensor_graph() -> Tensor:
    rng = np.random.default_rng(0)
    x = Tensor(rng.normal(size=(4, 3)), label="x")
    W = Tensor(rng.normal(size=(3, 2)), requires_grad=True, label="W")
    b = Tensor(np.zeros(2), requires_grad=True)
    return ((x @ W + b).tanh() ** 2).mean()


GRAPHS = {
    "apples": lambda: (shopping()["price"], shopping),
    "neuron": lambda: (neuron()[-1], None),
    "mixed": lambda: (mixed_graph(), None),
    **{f"random{k}": (lambda k=k: (random_graph(k), None)) for k in range(4)},
    "tensor": lambda: (tensor_graph(), None),
}


def python_words(root: Any, names: Any) -> tuple[list[str], dict[str, str]]:
    """What the static drawing says: each step's caption, and each node's influence-chain note."""
    steps = backward_steps(root)
    captions = [frame.caption(names) for frame in steps]
    opt = DrawOptions(names=names)
    every = opt.names_for(topological_order(root))
    notes = {}
    for node in topological_order(root):
        scene = make_scene(root, DrawOptions(names=names, highlight=node))
        assert scene.influence is not None
        notes[every(node)] = scene.influence.notes[0]
    return captions, notes


@pytest.mark.skipif(not HAVE_RENDERER, reason="needs Graphviz (dot or graphviz-pure) to lay out the page")
@pytest.mark.parametrize("graph", sorted(GRAPHS))
def test_the_drawing_and_the_page_say_the_same(graph: str, tmp_path: Path, open_page: Any) -> None:
    root, names_of = GRAPHS[graph]()
    if names_of is not None:  # the apples: named from the variables, as the lesson does
        names = names_of()
        root = names["price"]
    else:
        names = None
    captions, notes = python_words(root, names)
    opened = open_page(explore(root, names=names).save(tmp_path / "page.html"))
    page = opened.page
    for k, caption in enumerate(captions, start=1):
        assert page.evaluate(f"graphgrad.step({k})")["caption"] == caption, k
    for name, note in notes.items():
        page.evaluate("(name) => graphgrad.select(name)", name)
        assert page.inner_text(".gg-note") == note, name
    assert_clean(opened)


def test_unlabelled_nodes_have_one_name_everywhere() -> None:
    x = Value(0.5, label="x")
    hidden = (x * 3.0).tanh()
    root = hidden * hidden + x
    every = draw_text.Names(topological_order(root), {})
    assert [every(n) for n in (hidden, root)] == ["tanh#1", "root"]
    dot = draw(root, highlight=hidden).source
    assert ">tanh#1<" in dot  # the box says its name
    assert "droot/dtanh#1 = " in dot  # and the note uses it
    captions = [f.caption() for f in backward_steps(root)]
    assert any(c.startswith("step 1 of ") and c.split(": ")[1].startswith("root ") for c in captions)
    assert any("tanh#1 has its complete gradient" in c for c in captions)


def test_the_page_gets_the_palette_as_css_variables() -> None:
    page = explore(Value(2.0, label="x") * 3)
    html = page.html()
    for role, colour in draw_text.PALETTE.items():
        assert f"--gg-{role}: {colour};" in html
    script = html[html.index("<script>") :]
    assert not re.findall(r"#[0-9a-fA-F]{3,6}\b", script)  # the script takes its colours from the palette


CONTROL = ["\x01", "\x0c", "\x1b", "\x00", "\ufffe", "\n", "\x7f"]


@pytest.mark.skipif(not HAVE_RENDERER, reason="needs Graphviz (dot or graphviz-pure)")
@pytest.mark.parametrize("ch", CONTROL, ids=[f"U+{ord(c):04X}" for c in CONTROL])
def test_control_characters_in_labels_draw_as_escapes(ch: str) -> None:
    x = Value(2.0, label=f"x{ch}y")
    root = x * x
    root.label = f"out{ch}"
    svg = draw(root).svg()
    escaped = ch.encode("unicode_escape").decode("ascii")
    assert f"x{escaped}y" in svg
    assert ch == "\n" or ch not in svg
    page = explore(root)
    assert f"x{escaped}y" in page.data["texts"]


def test_number_format_four_significant_digits() -> None:
    assert draw_text.number_text(715.0000000000001) == "715"
    assert draw_text.number_text(110.00000000000001) == "110"
    assert draw_text.number_text(3.3000000000000003) == "3.3"
    assert draw_text.number_text(0.70637) == "0.7064"
    assert draw_text.number_text(123456.0) == "1.235e+05"
    assert draw_text.number_text(-0.0) == "0"
    assert (draw_text.number_text(math.nan), draw_text.number_text(-math.inf)) == ("nan", "-inf")
    assert draw_text.array_text(np.arange(7.0)) == "min 0  mean 3  max 6"
    assert draw_text.array_text(np.array([1.0, 2.5])) == "[1, 2.5]"


def test_node_descriptions() -> None:
    g = shopping()
    names = draw_text.names_of(g)
    assert draw_text.node_name(g["apple_price"], names) == "apple_price"
    assert draw_text.node_name(g["apple"] * 2, {}) == "root"  # an unnamed root, in every caption
    doubled = g["apple"] * 2
    total = doubled.tanh() + doubled
    order = topological_order(total)
    assert [draw_text.Names(order, {})(n) for n in (doubled, doubled.tanh(), total)][::2] == ["*#1", "root"]
    assert [draw_text.node_kind(g[n], names) for n in ("price", "apple")] == ["result", "input"]
    assert draw_text.node_kind(Value(2.0), {}) == "constant"
    assert draw_text.node_kind(Value(2.0), {}, params={g["tax"]}) == "constant"
    assert draw_text.node_kind(g["tax"], names, params={g["tax"]}) == "parameter"
    assert draw_replay.local_derivative(g["price"], 0) == pytest.approx(1.1)
    assert draw_replay.local_derivative(g["price"], 1) == pytest.approx(650.0)
    assert draw_replay.local_derivative(Value(2.0) ** 3, 1) is None  # a constant exponent takes no gradient
    assert draw_text.value_text(np.arange(7.0)) == "min 0  mean 3  max 6"
