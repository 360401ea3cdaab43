"""Stage scene (autograd/drawing/scene.py): the options every entry point takes from one dataclass,
checked once per call; the cap that collapses the far part of a large graph (with its count, keeping
the highlighted chain, deep chains).
"""

from __future__ import annotations

import dataclasses
import functools
import inspect
import re
from typing import Any

import pytest
from helpers import HAVE_RENDERER, neuron, shopping

import autograd.drawing.scene as draw_scene
from autograd import Value, backward_steps, draw, to_dot
from autograd.graph import topological_order

OPTION_NAMES = ["rankdir", "names", "highlight", "max_nodes", "show", "params", "color_grad"]


def entry_points() -> list[tuple[str, Any]]:
    """Every public way to draw, with the name it gives in its errors."""
    *_, y = neuron()
    steps = backward_steps(y)
    return [
        ("to_dot", functools.partial(to_dot, y)),
        ("draw", functools.partial(draw, y)),
        ("Frame.to_dot", steps[1].to_dot),
        ("Frame.draw", steps[1].draw),
        ("BackwardSteps.player", steps.player),
    ]


def test_every_entry_point_takes_the_options_of_one_dataclass() -> None:
    assert [f.name for f in dataclasses.fields(draw_scene.DrawOptions) if f.init] == OPTION_NAMES
    defaults = {f.name: f.default for f in dataclasses.fields(draw_scene.DrawOptions) if f.init}
    for caller, fn in entry_points():
        keywords = {
            name: p.default
            for name, p in inspect.signature(fn).parameters.items()
            if p.kind is inspect.Parameter.KEYWORD_ONLY
        }
        assert keywords == defaults, caller  # help() and completion show the options
        unknown = rf"^{re.escape(caller)}: unknown options \['colour'\]; the options are rankdir, "
        with pytest.raises(TypeError, match=unknown):
            fn(colour="red")
        with pytest.raises(ValueError, match="^draw: rankdir must be 'LR', 'RL', 'TB' or 'BT', got 'up'"):
            fn(rankdir="up")
        with pytest.raises(ValueError, match="^draw: show takes"):
            fn(show="hessian")
        with pytest.raises(TypeError, match="^highlight: expected a graph node"):
            fn(highlight=3)


def test_options_are_checked_once_per_call(monkeypatch: pytest.MonkeyPatch) -> None:
    made = []
    check = draw_scene.DrawOptions.__post_init__
    monkeypatch.setattr(draw_scene.DrawOptions, "__post_init__", lambda self: made.append(check(self)))
    g = shopping()
    to_dot(g["price"], names=g, highlight=[g["apple"], g["tax"]])
    assert len(made) == 1
    steps = backward_steps(g["price"])
    steps[3].to_dot(names=g, highlight=g["apple"])
    assert len(made) == 2
    if HAVE_RENDERER:
        page = steps.player(names=g)
        assert len(made) == 3 and {label for _, label in page.data["named"]} >= {"apple", "price"}


def test_cap_collapses_far_part_with_count() -> None:
    x = Value(0.5, label="x")
    y = x
    for _ in range(100):
        y = (y * 0.9).tanh()
    total = len(topological_order(y))
    dot = to_dot(y, max_nodes=40)
    assert len(re.findall(r"^  n\d+ \[", dot, flags=re.M)) == 40
    assert f"... {total - 40:,} more nodes" in dot
    assert re.search(r"^  more -> n\d+op \[style=dashed", dot, flags=re.M)
    assert "more nodes" not in to_dot(y, max_nodes=total)


def test_cap_keeps_the_highlighted_chain() -> None:
    x = Value(0.5, label="x")
    y = x
    for _ in range(30):
        y = y * Value(1.01) + Value(0.0)
    dot = to_dot(y, max_nodes=30, highlight=x)
    assert "<B>x</B>" not in dot and "some of the highlighted chain is inside" in dot
    dot = to_dot(y, max_nodes=100, highlight=x)
    assert "<B>x</B>" in dot


def test_deep_chain_draws_collapsed() -> None:
    """100,000 ops deep: nothing recurses, the drawing holds max_nodes nodes."""
    x = Value(0.5, label="x")
    y = x
    for _ in range(100_000):
        y = y.tanh()
    dot = to_dot(y, highlight=x)
    assert f"... {100_001 - draw_scene.DEFAULT_MAX_NODES:,} more nodes" in dot
    assert "dtanh" not in dot
    assert "droot/dx = sum over 1 path of the product of local derivatives = " in dot  # too long to list
    steps = backward_steps(y)
    assert len(steps) == 100_001
