"""Stage replay (autograd/drawing/replay.py): one backward pass recorded share by share, the stepper
and the influence chains read from it; the chain a highlight draws (one path, sums over paths,
several targets, unreachable targets, arrays) and its note.
"""

from __future__ import annotations

import math
import re
from typing import Any

import pytest
from helpers import (
    array_graph,
    edges,
    influence_edges,
    mixed_graph,
    node_ids,
    shopping,
)

import autograd.drawing.replay as draw_replay
import autograd.drawing.text as draw_text
from autograd import Value, backward_steps, to_dot
from autograd.graph import gradients, topological_order


def test_highlight_shopping_apple_one_path() -> None:
    g = shopping()
    g["price"].backward()
    dot = to_dot(g["price"], names=g, highlight=g["apple"])
    ids = node_ids(dot)
    chain = ["apple", "apple_price", "all_price", "price"]
    expected = set()
    for a, b in zip(chain, chain[1:]):
        expected |= {(ids[a], ids[b] + "op"), (ids[b] + "op", ids[b])}
    assert influence_edges(dot) == expected  # exactly the one path, nothing else
    labels = {
        (a, b): re.search(r'label=" (.*?) "', attrs)[1] for a, b, attrs in edges(dot) if "label=" in attrs
    }
    assert labels == {
        (ids["apple"], ids["apple_price"] + "op"): "2",
        (ids["apple_price"], ids["all_price"] + "op"): "1",
        (ids["all_price"], ids["price"] + "op"): "1.1",
    }
    assert (
        "dprice/dapple = sum over paths of the product of local derivatives; 1 path: 2 * 1 * 1.1 = 2.2" in dot
    )
    assert math.isclose(g["apple"].grad, 2.2)
    marked = set(re.findall(r'^  (n\d+) \[label=.*class="influence"', dot, flags=re.M))
    assert marked == {ids[n] for n in chain}


@pytest.mark.parametrize(
    "name, note",
    [
        ("apple_num", "1 path: 100 * 1 * 1.1 = 110"),
        ("orange", "1 path: 3 * 1 * 1.1 = 3.3"),
        ("orange_num", "1 path: 150 * 1 * 1.1 = 165"),
        ("tax", "1 path: 650 = 650"),
    ],
)
def test_highlight_shopping_other_leaves(name: str, note: str) -> None:
    g = shopping()
    assert note in to_dot(g["price"], names=g, highlight=g[name])


def test_highlight_sums_over_paths() -> None:
    """x reaches y = x*x + x along three paths: two through the product, one direct."""
    x = Value(3.0, label="x")
    y = x * x + x
    y.label = "y"
    dot = to_dot(y, highlight=x)
    assert (
        "dy/dx = sum over paths of the product of local derivatives; 3 paths: (1) + (3 * 1) + (3 * 1) = 7"
        in dot
    )
    y.backward()
    assert x.grad == 7.0
    assert len(influence_edges(dot)) == 5  # x->* (twice), *->x*x, x*x->+, x->+, +->y
    # a node off every path is not marked; a constant exponent edge is never on a path
    z = Value(2.0, label="z")
    r = (x**2) * z
    assert len([1 for a, b, at in edges(to_dot(r, highlight=z)) if 'class="influence"' in at]) == 2


def test_highlight_many_paths_and_several_targets() -> None:
    x = Value(1.01, label="x")
    y = x
    for _ in range(12):  # 2**12 paths
        y = y * y
    dot = to_dot(y, highlight=x)
    m = re.search(r"sum over 4,096 paths of the product of local derivatives = ([^<]+)<", dot)
    assert m and math.isclose(float(m[1]), 4096 * 1.01**4095, rel_tol=1e-3)
    g = shopping()
    both = to_dot(g["price"], names=g, highlight=[g["apple"], g["tax"]])
    assert "dprice/dapple" in both and "dprice/dtax" in both
    with pytest.raises(ValueError, match="not part of the graph"):
        to_dot(g["price"], names=g, highlight=Value(1.0, label="stranger"))


def test_highlight_unreachable_target() -> None:
    t = Value(2.0, label="t")
    y = t**3.0
    y.label = "y"
    three = y._inputs[1]
    assert "does not reach y along any differentiable path" in to_dot(y, highlight=three)


@pytest.mark.parametrize("bad", [3, [Value(1.0), "a"], "w"])
def test_highlight_and_params_take_nodes_only(bad: Any) -> None:
    y = Value(1.0) * 2
    for option in ("highlight", "params"):
        with pytest.raises(TypeError, match=f"{option}: expected a graph node .* got (int|str)"):
            to_dot(y, **{option: bad})


def test_highlight_arrays_note() -> None:
    x, W, L = array_graph()
    dot = to_dot(L, highlight=W)
    assert "dL/dW = sum over 1 path of the vector-Jacobian products along each (seed: ones)" in dot
    assert "min 1  mean 2  max 3" in dot  # the gradient of sum(x @ W) by W: x.T broadcast


def test_replay_is_one_traced_backward_pass() -> None:
    root = mixed_graph()
    replay = draw_replay.Replay(root)
    trace: list[Any] = []
    assert replay.grads == gradients(root, 1.0, trace=trace)
    assert [entry[:2] for entry in replay.trace] == [entry[:2] for entry in trace]
    assert replay.order == topological_order(root) and len(replay) == len(replay.order)
    assert replay.grads_after(0) == {root: 1.0}
    assert replay.grads_after(len(replay)) == replay.grads
    sent, latest = 0, {root: 1.0}
    for k, node in enumerate(replay.order):  # the steps, one per node, hold the whole trace in order
        shares = replay.shares(k)
        assert all(sender is node for sender, *_ in shares)
        assert replay.sent(k) == [(node._inputs[i], i, share) for _, i, share, _ in shares]
        sent += len(shares)
        latest.update((node._inputs[i], total) for _, i, _, total in shares)
        assert replay.grads_after(k + 1) == latest
    assert sent == len(replay.trace) > len(replay)
    root.backward()
    for node in replay.order:  # bit for bit what backward() writes
        assert replay.grads.get(node, 0.0) == node.grad


def test_influence_reads_the_same_pass_as_the_stepper() -> None:
    """The chain's sum is the target's gradient from the pass the stepper replays (seed: ones),
    also when the chain replays only the part of the graph computed from the target."""
    root = mixed_graph()
    steps = backward_steps(root)
    order = topological_order(root)
    for leaf in (n for n in order if not n._inputs and n.label):
        dep = draw_replay.depends_on(order, leaf)
        part = draw_replay.Replay(root, stop_at=set(order) - dep)
        assert part.grads[leaf] == steps.grads[leaf]  # bit for bit
        assert len(part) < len(steps)
        m = re.search(rf"droot/d{leaf.label} = sum over .*? = ([^<]+)<", to_dot(root, highlight=leaf))
        assert m and m[1] == draw_text.number_text(steps.grads[leaf]), leaf.label
        framed = steps[len(steps) // 2].to_dot(highlight=leaf)  # a frame's chain reads its own replay
        assert m[0] in framed
    g = shopping()
    doubled = backward_steps(g["price"], grad=2.0)  # seeded with 2: the chain still starts from 1
    assert "1 path: 2 * 1 * 1.1 = 2.2" in doubled[0].to_dot(names=g, highlight=g["apple"])
    assert doubled.grads[g["apple"]] == pytest.approx(4.4)


def test_chain_note_lists_paths_only_while_few_and_short() -> None:
    longest = draw_replay.MAX_LISTED_PATH_LENGTH
    for n, listed in ((longest, True), (longest + 1, False)):
        x = Value(0.5, label="x")
        y = x
        for _ in range(n - 1):  # n edges from x to the root
            y = y * 1.0
        y = y + 0.0
        assert ("1 path: " in to_dot(y, highlight=x)) is listed
    x = Value(1.5, label="x")
    for k, listed in ((draw_replay.MAX_LISTED_PATHS, True), (draw_replay.MAX_LISTED_PATHS + 1, False)):
        y = sum((x * 1.0 for _ in range(k)), Value(0.0))
        y.label = "y"
        dot = to_dot(y, highlight=x)
        assert (f"{k} paths: " in dot) is listed, k
        assert f"= {draw_text.number_text(float(k))}<" in dot
