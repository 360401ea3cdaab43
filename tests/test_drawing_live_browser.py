"""Live recompute in the explorer page, in headless Chromium: a learner changes a leaf, nudges it, takes
descent steps, and the page shows what Python shows for the new values.

- The page writes numbers as Python does: its one formatter against ``text.number_text`` (and f"{v:.Ng}",
  repr) over a sweep.
- After edits (through the script API), at every step and for every selection, the page's captions, chain
  notes, grad and data cells, edge labels, fills and tooltips are those of a fresh ``explore()`` of the graph
  rebuilt in Python with the new values; its ``grads`` and ``values`` are Python's numbers.
- The real controls: typing into a leaf's editor, dragging and scrolling on its data cell, the reset and
  step buttons, the learning rate; a typed text that is no number is refused, and so is a bad API call.
- A graph the page cannot recompute (a user's own op, a Tensor graph) opens with editing off and says why,
  without the recompute's script.
"""

from __future__ import annotations

import json
import math
import random
import re
import struct
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from helpers import neuron, shopping
from test_drawing_live import EVERY, apply, edit_some, random_graph
from test_drawing_page_browser import assert_clean, node_id

import nn
from autograd import Tensor, Value, backward_steps, explore, record
from autograd.drawing.live import live_data
from autograd.drawing.page import Explorer
from autograd.drawing.replay import Replay
from autograd.drawing.text import number_text

WIDE = {"width": 2400, "height": 1000}  # every test graph fits at a readable scale

# What the picture and the words say at the state shown: texts only (the layouts of two graphs differ).
SAID = """const said = () => {
  const svg = document.querySelector("svg.gg-graph"), text = (c) => document.querySelector(c).textContent;
  const cells = (line) => [...svg.querySelectorAll("g.node text")].filter((t) => line.test(t.textContent))
    .map((t) => [t.closest("g.node").id, t.textContent, t.style.fill, t.getAttribute("font-style")].join());
  return {
    parts: [...svg.querySelectorAll("g.node, g.edge")].map((g) => `${g.id}: ${g.getAttribute("class")}`),
    labels: [...svg.querySelectorAll("text.gg-label")]
      .map((t) => `${t.getAttribute("class")} ${t.textContent}`).sort(),
    grads: cells(/^grad /), data: cells(/^data /).map((c) => c.split(",").slice(0, 2).join()),
    fills: [...svg.querySelectorAll("g.node polygon")].map((p) => p.getAttribute("fill")).join(" "),
    caption: text(".gg-caption"), note: text(".gg-note"),
  };
};"""

# Every step, then every named node's chain: what the page says and its state.
EVERY_STATE = (
    "(names) => {"
    + SAID
    + """
  const seen = [];
  for (let k = 0; k <= graphgrad.state().steps; k++) seen.push({ state: graphgrad.step(k), said: said() });
  for (const name of names) seen.push({ state: graphgrad.select(name), said: said() });
  graphgrad.select(null);
  return seen;
}"""
)

# Where the middle of each drawn node is on screen.
MIDDLES = """(count) => [...Array(count).keys()].map((p) => {
  const r = document.getElementById(`n${p}`).getBoundingClientRect();
  return [r.x + r.width / 2, r.y + r.height / 2];
})"""


def rebuilt(order: list[Any], values: dict[int, float]) -> list[Value]:
    """Node k of ``order`` made again by the engine (``apply``), leaf k holding values[k] (else its recorded
    data), every node with its label."""
    index = {node: k for k, node in enumerate(order)}
    made: dict[int, Value] = {}
    for k in reversed(range(len(order))):
        node = order[k]
        if not node.inputs:
            made[k] = Value(values.get(k, node.data))
        else:
            made[k] = apply(node, [made[index[x]] for x in node.inputs])
        made[k].label = node.label
    return [made[k] for k in range(len(order))]


def edited_and_fresh(
    tmp_path: Path, open_page: Any, root: Value, values: dict[int, float], **options: Any
) -> tuple[Any, Any, Explorer]:
    """Two pages: ``root``'s, with leaf k set to values[k] through the API, and a fresh one of the graph
    rebuilt in Python with those values (the same names: ``names`` and ``params`` carried over)."""
    made = explore(root, **options)
    order = Replay(root).order
    again = rebuilt(order, values)
    moved = dict(zip(order, again))
    names = options.get("names")
    names = dict(names.items()) if names is not None else {}
    model = options.get("params")
    if hasattr(model, "named_parameters"):
        names = {**{v: k for k, v in model.named_parameters()}, **names}
    given = {moved[n]: name for n, name in _node_names(names).items() if n in moved}
    for node in given:  # a model's parameter names beat labels there; here the names given stand in for them
        node.label = ""
    fresh_options = {**options, "names": given}
    if model is not None:
        fresh_options["params"] = [
            moved[p] for p in (model.parameters() if hasattr(model, "parameters") else model)
        ]
    if "highlight" in options:
        fresh_options["highlight"] = moved[options["highlight"]]
    edited = open_page(made.save(tmp_path / "edited.html"), **WIDE)
    fresh = open_page(explore(again[0], **fresh_options).save(tmp_path / "fresh.html"), **WIDE)
    names_of = {k: made.data["texts"][made.data["names"][k]] for k in range(len(order))}
    for k, v in values.items():
        edited.page.evaluate("([name, v]) => graphgrad.set(name, v)", [names_of[k], v])
    return edited, fresh, made


def _node_names(names: dict[Any, Any]) -> dict[Any, str]:
    """{node: name} from {name: node} (locals()) or {node: name}."""
    return {v: k for k, v in names.items()} if all(isinstance(k, str) for k in names) else dict(names)


def assert_pages_say_the_same(edited: Any, fresh: Any, made: Explorer, exact: bool) -> None:
    """At every step, and with every named node's chain selected, the two pages say the same; their grads
    and values agree (bit for bit when ``exact``, else to 1e-12); the tooltips of the drawn nodes too."""
    names = [name for _, name in made.data["named"]]
    ours, theirs = (opened.page.evaluate(EVERY_STATE, names) for opened in (edited, fresh))
    assert len(ours) == len(theirs) == made.steps + 1 + len(names)
    for k, (a, b) in enumerate(zip(ours, theirs)):
        assert a["said"] == b["said"], k
        assert (a["state"]["caption"], a["state"]["highlighted"]) == (
            b["state"]["caption"],
            b["state"]["highlighted"],
        )
        for key in ("grads", "values"):
            assert_same_numbers(a["state"][key], b["state"][key], exact)
    drawn = min(len(made.data["visible"]), 12)
    tips: list[list[str]] = [[], []]
    for opened, found in zip((edited, fresh), tips):
        opened.page.bring_to_front()  # a page behind another gets its frames, and the pointer, once a second
        for x, y in opened.page.evaluate(MIDDLES, drawn):
            opened.page.mouse.move(x, y)
            found.append(opened.page.evaluate("document.querySelector('.gg-tip').textContent"))
    assert tips[0] == tips[1]


def assert_same_numbers(ours: dict[str, Any], theirs: dict[str, Any], exact: bool) -> None:
    assert ours.keys() == theirs.keys()
    for name, v in theirs.items():
        if exact or not isinstance(v, float) or not math.isfinite(v):
            assert ours[name] == v or (v != v and ours[name] != ours[name]), name
        else:
            assert ours[name] == pytest.approx(v, rel=1e-12, abs=1e-300), name


# --- numbers as Python writes them ----------------------------------------------------------------------


def number_sweep() -> list[float]:
    rng = random.Random(19)
    xs = [0.0, -0.0, 1.0, 715.0000000000001, 2.2, 1234.5, 1235.5, 9999.5, 99995.0, 1.0625, 0.00012345, 1e-4]
    xs += [1e-5, 1e16, 1e15, 1234567890123456.0, 1e21, 1e22, 5e-324, 1.7976931348623157e308, 12345.0, 0.125]
    xs += [rng.uniform(-10, 10) for _ in range(1500)]
    xs += [math.copysign(10 ** rng.uniform(-320, 308), rng.uniform(-1, 1)) for _ in range(1500)]
    xs += [rng.randint(-(10**6), 10**6) / rng.choice([1, 2, 4, 8, 16, 1000]) for _ in range(1500)]
    xs += [rng.randint(1, 99999) * 10.0 ** rng.randint(-8, 8) for _ in range(1500)]  # ties at 4 digits
    xs += [struct.unpack("<d", struct.pack("<Q", rng.getrandbits(64)))[0] for _ in range(1000)]
    return [x for x in xs if math.isfinite(x)]


def test_the_pages_numbers_are_pythons(tmp_path: Path, open_page: Any) -> None:
    g = shopping()
    opened = open_page(explore(g["price"], names=g).save(tmp_path / "apples.html"))
    xs = number_sweep()
    written = opened.page.evaluate(
        """(xs) => ({ four: xs.map((x) => numberText(x)), nine: xs.map((x) => numberText(x, 9)),
                      repr: xs.map(reprText),
                      odd: [NaN, Infinity, -Infinity].map((x) => [numberText(x), reprText(x)]) })""",
        xs,
    )
    assert written["four"] == [number_text(x) for x in xs]
    nine = [f"{x:.9g}" for x in xs]
    assert written["nine"] == ["0" if t == "-0" else t for t in nine]
    assert written["repr"] == [repr(x) for x in xs]
    assert written["odd"] == [["nan", "nan"], ["inf", "inf"], ["-inf", "-inf"]]
    assert_clean(opened)


# --- after an edit, the page shows what Python shows for the new values ------------------------------------


def apples_case() -> tuple[Value, dict[int, float], dict[str, Any], bool]:
    g = shopping()
    order = Replay(g["price"]).order
    index = {node: k for k, node in enumerate(order)}
    return g["price"], {index[g["apple"]]: 110.0, index[g["tax"]]: 1.08}, {"names": g}, True


def neuron_case() -> tuple[Value, dict[int, float], dict[str, Any], bool]:
    x, w, b, y = neuron()
    order = Replay(y).order
    at = {node: k for k, node in enumerate(order)}
    return y, {at[x]: 1.0, at[b]: -0.25}, {"color_grad": True, "highlight": w}, False


def every_op_case(seed: int) -> tuple[Value, dict[int, float], dict[str, Any], bool]:
    root = random_graph(seed, EVERY)
    return root, edit_some(live_data(Replay(root)), random.Random(seed)), {}, False


def relu_mlp_case() -> tuple[Value, dict[int, float], dict[str, Any], bool]:
    """A relu MLP's output with some parameters changed so that neurons turn on and off."""
    model = nn.MLP(2, [3, 1], seed=2, output_activation="relu")
    out = model([Value(0.8, label="x0"), Value(-1.1, label="x1")])
    order = Replay(out).order
    at = {node: k for k, node in enumerate(order)}
    rng = random.Random(5)
    values = {at[p]: p.data + rng.choice([-1.5, 1.5]) for p in rng.sample(model.parameters(), 6)}
    return out, values, {"params": model}, True


CASES = {
    "apples": apples_case,
    "neuron": neuron_case,
    "every op 0": lambda: every_op_case(0),
    "every op 3": lambda: every_op_case(3),
    "relu mlp": relu_mlp_case,
}


@pytest.mark.parametrize("case", list(CASES))
def test_after_an_edit_the_page_shows_what_python_shows(tmp_path: Path, open_page: Any, case: str) -> None:
    root, values, options, exact = CASES[case]()
    edited, fresh, made = edited_and_fresh(tmp_path, open_page, root, values, **options)
    assert made.editable and edited.page.evaluate("Object.keys(graphgrad.state().edits).length") == len(
        values
    )
    assert_pages_say_the_same(edited, fresh, made, exact)
    assert_clean(edited)
    assert_clean(fresh)


def test_a_player_of_a_seeded_pass_recomputes_with_its_seed(tmp_path: Path, open_page: Any) -> None:
    g = shopping()
    page = backward_steps(g["price"], grad=2.0).player(names=g)
    opened = open_page(page.save(tmp_path / "player.html"))
    state = opened.page.evaluate("graphgrad.set('apple', 110)")
    state = opened.page.evaluate("graphgrad.step(9)")
    assert state["grads"]["tax"] == 2.0 * (110.0 * 2.0 + 150.0 * 3.0)
    assert state["caption"] == f"step 9 of 9: tax is a leaf: its gradient {number_text(2 * 670.0)} is final"
    assert_clean(opened)


def test_the_lessons_what_if(tmp_path: Path, open_page: Any) -> None:
    """The apples bill: what if the apple costs 110? The bill, and what each gradient says now."""
    g = shopping()
    opened = open_page(explore(g["price"], names=g).save(tmp_path / "apples.html"))
    page = opened.page
    state = page.evaluate("graphgrad.set('apple', 110)")
    assert state["values"]["price"] == (110.0 * 2.0 + 150.0 * 3.0) * 1.1 and state["edits"] == {"apple": 110}
    state = page.evaluate("graphgrad.step(9)")
    assert state["grads"]["apple_num"] == 110.0 * 1.1 and state["grads"]["tax"] == 670.0
    assert state["caption"] == "step 9 of 9: tax is a leaf: its gradient 670 is final"
    state = page.evaluate("graphgrad.select('apple')")
    assert state["slope"] == pytest.approx(2.2, rel=1e-8)
    assert page.inner_text(".gg-nudge").startswith(
        "apple + h moves price from 737 to 737.000242 (h = 0.00011): "
    )
    assert page.inner_text(".gg-nudge").endswith("slope 2.2; the gradient says 2.2")
    assert page.evaluate("graphgrad.reset()")["values"]["price"] == 715.0000000000001
    assert (
        page.evaluate("graphgrad.state().caption") == "step 9 of 9: tax is a leaf: its gradient 650 is final"
    )
    assert_clean(opened)


# --- the real controls -------------------------------------------------------------------------------------

# The middle of a drawn node's data cell, on screen.
DATA_CELL = """(id) => {
  const t = [...document.getElementById(id).querySelectorAll("text")]
    .find((t) => /^data /.test(t.textContent));
  const r = t.getBoundingClientRect();
  return [r.x + r.width / 2, r.y + r.height / 2];
}"""


def data_text(opened: Any, label: str) -> dict[str, str]:
    """A drawn node's data cell as shown: its words and colour."""
    return dict(
        opened.page.evaluate(
            """(id) => { const t = [...document.getElementById(id).querySelectorAll("text")]
               .find((t) => /^data /.test(t.textContent));
               return { words: t.textContent, fill: t.style.fill }; }""",
            node_id(opened, label),
        )
    )


def test_typing_dragging_and_scrolling_a_leafs_value(tmp_path: Path, open_page: Any) -> None:
    g = shopping()
    opened = open_page(explore(g["price"], names=g).save(tmp_path / "apples.html"))
    page = opened.page
    assert page.inner_text(".gg-edit-hint") == "click a leaf's data to change it"
    apple = page.evaluate(DATA_CELL, node_id(opened, "apple"))
    page.mouse.click(*apple)  # a click on the data: the leaf's chain, and its value ready to type over
    assert page.evaluate("document.activeElement.className") == "gg-value"
    assert page.inner_text(".gg-edit-name") == "apple =" and page.input_value(".gg-value") == "100"
    page.keyboard.type("110")
    page.keyboard.press("Enter")
    state = page.evaluate("graphgrad.state()")
    assert state["edits"] == {"apple": 110} and state["values"]["price"] == (220.0 + 450.0) * 1.1
    assert data_text(opened, "apple") == {"words": "data 110", "fill": "var(--gg-edited)"}  # edited: in green
    assert data_text(opened, "apple_price") == {"words": "data 220", "fill": "var(--gg-ink)"}
    assert data_text(opened, "price")["words"] == "data 737"
    assert (
        page.evaluate("graphgrad.step(9).caption") == "step 9 of 9: tax is a leaf: its gradient 670 is final"
    )
    page.press(".gg-value", "ArrowUp")  # a step up: a tenth of the value's order of magnitude
    assert page.evaluate("graphgrad.state().edits") == {"apple": 120}
    assert page.input_value(".gg-value") == "120"
    page.press(".gg-value", "ArrowDown")
    page.mouse.move(*apple)
    page.mouse.wheel(0, -100)  # a notch up: a step too
    assert page.evaluate("graphgrad.state().edits") == {"apple": 120}
    page.mouse.wheel(0, 100)
    page.mouse.wheel(0, 100)
    assert page.evaluate("graphgrad.state().edits") == {}  # back at the recorded 100: no edit left
    page.mouse.move(*apple)
    page.mouse.down()
    page.mouse.move(apple[0] + 40, apple[1], steps=4)  # a drag to the right: a step (10) every 8 pixels
    page.mouse.up()
    assert page.evaluate("graphgrad.state().edits") == {"apple": 150}
    assert page.evaluate("graphgrad.state().highlighted") == ["price", "all_price", "apple_price", "apple"]
    name = page.locator(".gg-edit-name").bounding_box()
    page.mouse.move(name["x"] + 5, name["y"] + 5)
    page.mouse.down()
    page.mouse.move(name["x"] - 11, name["y"] + 5, steps=4)  # the name drags too: two steps down
    page.mouse.up()
    assert page.evaluate("graphgrad.state().edits") == {"apple": 130}
    assert_clean(opened)


def test_a_typed_text_that_is_no_number_is_refused(tmp_path: Path, open_page: Any) -> None:
    evil = "<img src=x onerror=alert(1)>"
    g = shopping()
    opened = open_page(explore(g["price"], names=g).save(tmp_path / "apples.html"))
    page = opened.page
    page.evaluate("graphgrad.select('tax')")
    for text in ("1,5", "0x10", "1e999", "", "Infinity", evil):
        page.fill(".gg-value", text)
        page.press(".gg-value", "Enter")
        assert page.evaluate("graphgrad.state().edits") == {}, text
        assert (
            page.inner_text(".gg-warn") == f"{json.dumps(text)} is not a number: type one such as 110 or -0.5"
        )
        assert page.evaluate("document.querySelector('.gg-value').className") == "gg-value gg-refused"
    page.fill(".gg-lr", "fast")
    page.press(".gg-lr", "Enter")
    assert page.evaluate("graphgrad.state().lr") == 0.01 and '"fast" is not a number' in page.inner_text(
        ".gg-warn"
    )
    page.fill(".gg-value", " 1.08 ")
    page.press(".gg-value", "Enter")
    assert page.evaluate("graphgrad.state().edits") == {"tax": 1.08} and page.inner_text(".gg-warn") == ""
    assert page.evaluate("document.querySelectorAll('img').length") == 0
    assert_clean(opened)


def test_the_step_button_descends_and_plots_the_root(tmp_path: Path, open_page: Any) -> None:
    x, w, b, y = neuron()
    opened = open_page(explore(y).save(tmp_path / "neuron.html"))
    page = opened.page
    assert page.inner_text(".gg-moves") == "a step moves x, w, b"
    page.fill(".gg-lr", "0.5")
    page.press(".gg-lr", "Enter")
    page.click(".gg-step")
    y.backward()
    state = page.evaluate("graphgrad.state()")
    assert state["lr"] == 0.5 and state["edits"] == {n.label: n.data - 0.5 * n.grad for n in (x, w, b)}
    assert state["descent"] == [y.data, pytest.approx(state["values"]["y"], rel=0)]
    page.click(".gg-step")
    page.click(".gg-step")
    state = page.evaluate("graphgrad.state()")
    assert len(state["descent"]) == 4 and state["descent"][0] == y.data
    assert page.inner_text(".gg-descent") == (
        f"y after 3 steps: {number_text(y.data)} -> {number_text(state['descent'][-1])}"
    )
    assert len(page.get_attribute(".gg-plot polyline", "points").split()) == 4
    state = page.evaluate("graphgrad.descend(0.1)")  # the API: a step with this rate, which the page keeps
    assert state["lr"] == 0.1 and len(state["descent"]) == 5 and page.input_value(".gg-lr") == "0.1"
    page.evaluate("graphgrad.set('x', 2.5)")  # a leaf set by hand starts the plot again
    assert page.evaluate("graphgrad.state().descent") == []
    page.click(".gg-reset")
    state = page.evaluate("graphgrad.state()")
    assert state["edits"] == {} and state["values"]["y"] == y.data and page.is_disabled(".gg-reset")
    assert_clean(opened)


def test_the_script_api_refuses_what_is_no_leaf_or_no_number(tmp_path: Path, open_page: Any) -> None:
    g = shopping()
    opened = open_page(explore(g["price"], names=g).save(tmp_path / "apples.html"))
    page = opened.page
    refused = {
        "graphgrad.set('price', 1)": 'graphgrad.set: "price" is no leaf you can change; the leaves you can:',
        "graphgrad.set('pear', 1)": 'graphgrad.set: no node is named "pear"',
        "graphgrad.set('apple', '110')": 'the value of apple must be a finite number; got "110" (a string)',
        "graphgrad.set('apple', NaN)": "graphgrad.set: the value of apple must be a finite number; got NaN",
        "graphgrad.set('apple', -Infinity)": "must be a finite number; got -Infinity",
        "graphgrad.set('apple')": "must be a finite number; got undefined",
        "graphgrad.descend('0.1')": 'graphgrad.descend: the learning rate must be a finite number; got "0.1"',
    }
    for call, message in refused.items():
        with pytest.raises(Exception, match=re.escape(message)):
            page.evaluate(call)
    assert page.evaluate("graphgrad.state().edits") == {} and page.evaluate("graphgrad.state().lr") == 0.01
    assert_clean(opened)


# --- editing off: a graph the page cannot recompute --------------------------------------------------------


def cube_graph() -> Value:
    """A graph holding an op of the user's own (made with record), which the page's table lacks."""
    x = Value(2.0, label="x")
    cube = record(x.data**3, (x,), (lambda g, out, a: g * 3 * a * a,), "cube")
    y = cube * x
    y.label = "y"
    return y


def tensor_graph() -> Tensor:
    t = Tensor(np.arange(3.0), requires_grad=True, label="t")
    loss = (t * t).sum()
    loss.label = "loss"
    return loss


OFF = {
    "an op of ones own": (
        cube_graph,
        "editing is off: the page cannot recompute the op 'cube' (an op of your own",
    ),
    "a Tensor graph": (
        tensor_graph,
        "editing is off: the page recomputes only Values, and this graph holds Tensors",
    ),
    "no leaf named": (lambda: Value(2.0) * Value(3.0), "editing is off: no leaf has a name to edit it by"),
}


@pytest.mark.parametrize("graph", list(OFF))
def test_a_graph_the_page_cannot_recompute_opens_with_editing_off(
    tmp_path: Path, open_page: Any, graph: str
) -> None:
    make, reason = OFF[graph]
    made = explore(make())
    assert not made.editable and made.data["live"]["reason"].startswith(reason)
    html = made.html()
    assert "VALUE_OPS" not in html and "class LiveModel" not in html  # without the recompute's script
    opened = open_page(made.save(tmp_path / "off.html"))
    page = opened.page
    assert page.inner_text(".gg-live") == made.data["live"]["reason"]  # one line that says why
    assert page.evaluate("document.querySelectorAll('.gg-live input, .gg-live button').length") == 0
    untouched = """() => [...document.querySelectorAll("svg g.node text")]
                   .filter((t) => /^data /.test(t.textContent))
                   .every((t) => t.getAttribute("style") === null && t.getAttribute("class") === null)"""
    assert page.evaluate(untouched)  # the data cells as Graphviz drew them
    for call in ("graphgrad.set('x', 1)", "graphgrad.descend(0.1)"):
        with pytest.raises(Exception, match=re.escape(reason)):
            page.evaluate(call)
    state = page.evaluate("graphgrad.reset()")
    assert state["edits"] == {} and state["slope"] is None and state["descent"] == []
    if graph == "an op of ones own":
        assert state["values"] == {"y": 16.0, "x": 2.0}
    assert_clean(opened)


def test_only_an_editable_page_holds_the_recompute(capsys: pytest.CaptureFixture[str]) -> None:
    """What the live recompute adds to a page: its script parts and the graph's ops (live.py's data)."""
    g = shopping()
    made = explore(g["price"], names=g)
    off = Explorer(made.title, made.view, {**made.data, "live": {"editable": False, "reason": ""}}, made.svg)
    added = len(made.html().encode()) - len(off.html().encode())
    print(f"\napples: {len(made.html().encode()):,} bytes, of which the live recompute {added:,}")
    assert made.editable and 20_000 < added < 40_000
    assert len(made.html().encode()) < 100_000


def test_every_drawn_copy_of_a_leaf_shows_its_new_value(tmp_path: Path, open_page: Any) -> None:
    """A leaf that feeds many ops is drawn once per use (n<p>_copy<k>): each copy's data follows the edits."""
    x = Value(2.0, label="x")
    y = sum((x * Value(float(k)) for k in range(30)), Value(0.0))
    y.label = "y"
    opened = open_page(explore(y).save(tmp_path / "copies.html"))
    copies = """() => [...document.querySelectorAll("svg g.node")].filter((g) => /_copy/.test(g.id))
                .map((g) => [...g.querySelectorAll("text")].map((t) => t.textContent).join(" "))"""
    before = opened.page.evaluate(copies)
    assert len(before) > 20 and set(before) == {"x data 2"}
    assert opened.page.evaluate("graphgrad.set('x', 3)")["values"] == {"y": 3.0 * sum(range(30)), "x": 3}
    assert set(opened.page.evaluate(copies)) == {"x data 3"}
    assert_clean(opened)
