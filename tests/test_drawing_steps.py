"""The backward stepper (autograd/drawing/steps.py): the pass as frames, one per node, ending at
backward's gradients, gradients arriving share by share (negative shares in parentheses), each frame
drawable, and its player page.
"""

from __future__ import annotations

import sys
import xml.etree.ElementTree as ET
from typing import Any

import pytest
from helpers import mixed_graph, needs_renderer, neuron, shopping

import autograd.drawing.text as draw_text
from autograd import Value, backward_steps
from autograd.graph import topological_order


@pytest.mark.parametrize("make", [lambda: shopping()["price"], lambda: neuron()[-1], mixed_graph])
def test_stepper_ends_at_backward_gradients(make: Any) -> None:
    root = make()
    order = topological_order(root)
    steps = backward_steps(root)
    assert len(steps) == len(order)
    assert [f.node for f in steps] == order
    assert all(n.grad == 0.0 for n in order)  # stepping leaves .grad alone
    final = steps[-1].grads
    root.backward()
    for node in order:
        assert final.get(node, 0.0) == node.grad  # bit for bit: the same rules in the same order
    assert steps.grads == final


def test_stepper_frames_show_gradients_arriving() -> None:
    g = shopping()
    steps = backward_steps(g["price"])
    captions = [f.caption(g) for f in steps]
    assert (
        captions[0]
        == "step 1 of 9: price has its complete gradient 1 (the seed); it passes 1 * 1.1 = 1.1 to all_price, "
        "1 * 650 = 650 to tax"
    )
    assert captions[-1] == "step 9 of 9: tax is a leaf: its gradient 650 is final"
    first = steps[0].grads
    assert set(first) == {g["price"], g["all_price"], g["tax"]}
    assert len(steps[3].grads) > len(first)
    frame = steps[2]  # apple_price sends 2.2 to apple and 110 to apple_num
    assert frame.node is g["apple_price"]
    assert [(x.label, share) for x, _, share in frame.sent] == [
        ("apple", pytest.approx(2.2)),
        ("apple_num", pytest.approx(110.0)),
    ]
    dot = frame.to_dot(names=g)
    assert "step 3 of 9: apple_price has its complete gradient 1.1" in dot
    assert 'label=" +2.2 "' in dot and "grad 2.2 so far" in dot and "grad ?" in dot
    with pytest.raises(TypeError, match="unknown options"):
        frame.to_dot(colour=True)


def test_stepper_edge_labels_show_negative_shares_in_parentheses() -> None:
    a, b = Value(2.0, label="a"), Value(-3.0, label="b")
    steps = backward_steps(a * b)
    dot = steps[0].to_dot()
    assert 'label=" +(-3) "' in dot and 'label=" +2 "' in dot and "+-" not in dot


@needs_renderer
def test_stepper_frames_draw_and_the_player_is_a_page(monkeypatch: pytest.MonkeyPatch) -> None:
    *_, y = neuron()
    steps = backward_steps(y)
    ET.fromstring(steps[1].draw().svg().encode())
    assert "image/svg+xml" in steps[1]._repr_mimebundle_()
    monkeypatch.setitem(sys.modules, "ipywidgets", None)  # the player needs no ipywidgets
    page = steps.player()
    assert page.steps == len(steps) == 6 and page.data["count"] == [len(f.sent) for f in steps]
    document = page.html()
    assert document.count("<svg") == 1 and "<?xml" not in document  # one picture, inline
    inline = page._repr_html_()
    assert inline.startswith('<iframe class="graphgrad-explorer"') and 'sandbox="allow-scripts"' in inline
    assert steps._repr_html_() == inline  # Jupyter shows the steps as the page


@needs_renderer
def test_player_shows_every_step_of_the_pass() -> None:
    """What the page steps through: each step's shares and the totals they make, as the frames
    have them (the browser tests drive the page itself)."""
    *_, y = neuron()
    steps = backward_steps(y)
    data = steps.player().data
    texts, j = data["texts"], 0
    for frame in steps:
        for x, i, share in frame.sent:
            assert data["to"][j] == steps.replay.order.index(x) and data["slot"][j] == i
            assert texts[data["share"][j]] == draw_text.short_text(share)
            assert texts[data["total"][j]] == draw_text.value_text(frame.grads[x])
            j += 1
    assert j == len(data["to"]) == len(steps.replay.trace)
