"""The explorer page drawn from its state, in headless Chromium: whatever way a state is reached
(buttons, keys, the slider, search, clicks, hovers, the script API, in any order; on an editable page
also leaves set, typed, scrolled, reset and descent steps taken), the page shows what a fresh page taken
straight to that state shows; and the view (its camera) lays itself out once it has a size, follows the
pass and stays readable."""

from __future__ import annotations

import io
import json
import random
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from helpers import shopping
from test_drawing_page_browser import assert_clean, has_api, node_id, wait_for

import nn
from autograd import Tensor, Value, draw, explore
from autograd.drawing.page import Explorer

# What a page shows: the classes of every node and edge, the edge labels, the grad cells (words,
# colour, style, fill), the data cells, the caption, the note, the bar, the tooltip's words and the
# editing controls (or the note that says why there are none).
SHOWN = """() => {
  const svg = document.querySelector("svg.gg-graph"), text = (c) => document.querySelector(c).textContent;
  const tip = document.querySelector(".gg-tip"), live = document.querySelector(".gg-live");
  const q = (c) => live.querySelector(c) || {};
  return {
    data: [...svg.querySelectorAll("g.node text")].filter((t) => /^data /.test(t.textContent)).map((t) =>
      [t.closest("g.node").id, t.textContent, t.style.fill, t.getAttribute("class"), t.getAttribute("x"),
       t.getAttribute("textLength")].join()),
    live: [live.hidden, live.className, live.classList.contains("gg-live-off") && live.textContent,
      q(".gg-edit-name").textContent, q(".gg-value").value, q(".gg-value").hidden, q(".gg-value").className,
      q(".gg-edit-hint").hidden, q(".gg-reset").disabled, q(".gg-lr").value, q(".gg-lr").className,
      q(".gg-plot polyline").getAttribute && q(".gg-plot polyline").getAttribute("points"),
      q(".gg-descent").textContent, q(".gg-nudge").textContent, q(".gg-warn").textContent],
    parts: [...svg.querySelectorAll("g.node, g.edge")].map((g) => `${g.id}: ${g.getAttribute("class")}`),
    labels: [...svg.querySelectorAll("text.gg-label")].map((t) => [t.getAttribute("class"), t.textContent,
      t.getAttribute("x"), t.getAttribute("y")].join()).sort(),
    grads: [...svg.querySelectorAll("g.node text")].filter((t) => /^grad /.test(t.textContent)).map((t) =>
      [t.closest("g.node").id, t.textContent, t.style.fill, t.getAttribute("font-style")].join()),
    fills: [...svg.querySelectorAll("g.node polygon")].map((p) => p.getAttribute("fill")).join(" "),
    caption: text(".gg-caption"), note: text(".gg-note"), count: text(".gg-count"), found: text(".gg-found"),
    slider: document.querySelector(".gg-slider").value, search: document.querySelector(".gg-search").value,
    play: text(".gg-play"), tip: tip.hidden ? null : tip.textContent,
  };
}"""

# Where to point at a drawn part: the centre of each part named that the pointer would reach there
# (inside the view, not under another node), and a point of the view over no node at all.
TARGETS = """(ids) => {
  const area = document.querySelector(".gg-view").getBoundingClientRect();
  const inside = (x, y) => x > area.left + 2 && x < area.right - 2 && y > area.top + 2 && y < area.bottom - 2;
  const found = {};
  for (const id of ids) {
    const r = document.getElementById(id).getBoundingClientRect();
    const x = r.x + r.width / 2, y = r.y + r.height / 2;
    const hit = inside(x, y) && document.elementFromPoint(x, y);
    if (hit && hit.closest("g.node") && hit.closest("g.node").id === id) found[id] = [x, y];
  }
  for (let i = 1; i < 20 && !found[""]; i++) for (let j = 1; j < 20 && !found[""]; j++) {
    const x = area.left + (area.width * i) / 20, y = area.top + (area.height * j) / 20;
    const hit = document.elementFromPoint(x, y);
    if (hit && !hit.closest("g.node, g.edge, text")) found[""] = [x, y];
  }
  return found;
}"""

WIDE = {"width": 2400, "height": 1000}  # every test graph fits at a readable scale: any node can be clicked


def apples() -> Explorer:
    g = shopping()
    return explore(g["price"], names=g)


def neuron() -> Explorer:
    x, w, b = Value(2.0, label="x"), Value(-3.0, label="w"), Value(6.88, label="b")
    y = (x * w + b).tanh()
    y.label = "y"
    return explore(y, color_grad=True)


def tensor_mlp(hidden: int = 4) -> tuple[Any, Any]:
    """A 2-layer Tensor MLP with a cross-entropy loss, and its model."""
    rng = np.random.default_rng(0)
    model = nn.Sequential(nn.Linear(3, hidden, seed=0), nn.Tanh(), nn.Linear(hidden, 2, seed=1))
    loss = nn.cross_entropy(model(Tensor(rng.normal(size=(6, 3)))), rng.integers(0, 2, size=6))
    return loss, model


def mlp() -> Explorer:
    loss, model = tensor_mlp()
    return explore(loss, params=model)


def deep_chain(n: int) -> Value:
    x = Value(0.5, label="x")
    y = x
    for _ in range(n):
        y = (y * 0.9).tanh()
    y.label = "y"
    return y


def collapsed() -> Explorer:
    return explore(deep_chain(30), max_nodes=12)


PAGES = {"apples": apples, "neuron": neuron, "tensor MLP": mlp, "collapsed": collapsed}


# --- any way to a state shows what going straight there shows -----------------------------------


# What a walk does (the API, the bar, the keys, the search box, the pointer on the picture; on an
# editable page the leaves, reset and the descent steps), and how often, relatively.
ACTIONS = {
    "api step": 1, "button": 2, "key": 2, "slider": 1, "search": 1, "enter": 1, "click": 2, "select": 1,
    "hover": 2, "away": 1, "click away": 1, "escape": 1, "play": 1, "fit": 1,
}  # fmt: skip
LIVE_ACTIONS = {
    "api set": 2, "type": 1, "junk": 1, "reset": 0.5, "api reset": 0.5, "step": 2, "api descend": 1, "lr": 1,
    "wheel": 2,
}  # fmt: skip
TYPED = ["110", "-0.5", "2.25", "7"]  # numbers as the page writes them back (String(v) is the text typed)
JUNK = ["abc", "1e999", "0x10", "--1", "1,5", ""]

# The editable leaves' data cells in sight, each with the point the pointer would reach it at.
DATA_CELLS = """() => {
  const area = document.querySelector(".gg-view").getBoundingClientRect(), found = {};
  for (const t of document.querySelectorAll("svg text.gg-editable")) {
    const r = t.getBoundingClientRect(), x = r.x + r.width / 2, y = r.y + r.height / 2;
    const hit = document.elementFromPoint(x, y);
    if (x > area.left + 2 && x < area.right - 2 && y > area.top + 2 && y < area.bottom - 2 && hit
        && hit.classList.contains("gg-editable") && hit.closest("g.node") === t.closest("g.node"))
      found[t.closest("g.node").id] = [x, y];
  }
  return found;
}"""
EDITABLE_AT = "([x, y]) => Boolean(document.elementFromPoint(x, y).closest('.gg-editable'))"


@dataclass
class Expected:
    """The state a walk should have brought its page to, and how a fresh page gets there."""

    steps: int
    step: int = 0
    selected: int | None = None  # the node whose chain shows
    select_by: tuple[str, str] = ("", "")  # ("click", an element's id) or ("name", a name for the API)
    query: str = ""
    tip: str | None = None  # the id of the element hovered for the tooltip
    focus: str = "page"  # where the keys go: "page", "slider", "search" or "editor" (a leaf's value)
    edits: dict[str, float] = field(default_factory=dict)  # leaf -> the value it was given
    start: dict[str, float] = field(default_factory=dict)  # the edits when the descent steps shown began
    lrs: list[float] = field(default_factory=list)  # the learning rate of each of those steps
    lr: float = 0.01
    refused: tuple[str, str] | None = None  # (a leaf's name or "lr", the text typed)
    log: list[str] = field(default_factory=list)


class Walk:
    """A page driven by random actions; ``expected`` follows what each should do."""

    def __init__(self, opened: Any, data: dict[str, Any], rng: random.Random) -> None:
        self.page, self.data, self.rng = opened.page, data, rng
        self.expected = Expected(steps=data["steps"])
        texts = data["texts"]
        self.named = [label for _, label in data["named"]]
        words = [texts[n] for n in data["names"]]
        some = rng.sample(words, min(4, len(words)))
        self.queries = list(dict.fromkeys(["", "zz", *(w[: rng.randint(1, 3)].lower() for w in some)]))
        drawn = [f"n{p}{op}" for p in range(len(data["visible"])) for op in ("", "op")]
        self.ids = [i for i in drawn if self.page.query_selector(f"#{i}")] + ["more"] * bool(data["hidden"])
        live = data["live"]
        self.actions = {**ACTIONS, **(LIVE_ACTIONS if live["editable"] else {})}
        self.leaves = {words[k]: k for k in live.get("edit", [])}  # the editable leaves by name
        self.recorded = {words[k]: v for k, v in zip(live.get("leaves", []), live.get("values", []))}

    def node_of(self, ident: str) -> int | None:
        return None if ident == "more" else int(self.data["visible"][int(ident[1:].removesuffix("op"))])

    def act(self) -> None:
        e, page, rng = self.expected, self.page, self.rng
        action = rng.choices(list(self.actions), weights=list(self.actions.values()))[0]
        e.log.append(action)
        if action in LIVE_ACTIONS:
            self.live(action)
        elif action == "api step":
            k = rng.choice([-1, 0.6, e.steps + 1, rng.randint(0, e.steps)])
            page.evaluate(f"graphgrad.step({k})")
            e.step = max(0, min(e.steps, round(k)))
        elif action == "button":
            which = rng.choice(["first", "prev", "next"])
            page.click(f".gg-{which}")
            e.step = {"first": 0, "prev": max(0, e.step - 1), "next": min(e.steps, e.step + 1)}[which]
            e.focus, e.tip = "page", None  # the pointer left the picture for the bar
        elif action == "key":
            key = rng.choice(["ArrowLeft", "ArrowRight", "Home", "End"])
            page.keyboard.press(key)
            if e.focus not in ("search", "editor"):  # the slider moves as the page would
                e.step = {
                    "ArrowLeft": max(0, e.step - 1),
                    "ArrowRight": min(e.steps, e.step + 1),
                    "Home": 0,
                    "End": e.steps,
                }[key]
        elif action == "slider":
            e.step = rng.randint(0, e.steps)
            page.fill(".gg-slider", str(e.step))
            e.focus = "slider"
        elif action == "search":
            e.query = rng.choice([q for q in self.queries if q != e.query])
            page.fill(".gg-search", e.query)
            e.focus, e.tip = "search", None
        elif action == "enter":
            page.press(".gg-search", "Enter")
            e.focus = "search"
        elif action in ("click", "hover", "click away"):
            self.point(action)
        elif action == "select":
            name = rng.choice([*self.named, None])
            page.evaluate("(name) => graphgrad.select(name)", name)
            k = None if name is None else next(k for k, label in self.data["named"] if label == name)
            e.selected, e.select_by, e.refused = k, ("name", name or ""), None
        elif action == "away":  # onto the caption: the pointer leaves the picture
            page.hover(".gg-caption")
            e.tip = None
        elif action == "escape":
            page.keyboard.press("Escape")
            e.selected, e.tip, e.refused = None, None, None
            if e.focus == "search":  # Chromium empties a search box on Escape
                e.query = ""
            if e.focus == "editor":  # the leaf's value is hidden: the keys go back to the page
                e.focus = "page"
        elif action == "play":  # play and pause in one go (no tick between): from the start if at the end
            page.evaluate("() => { const b = document.querySelector('.gg-play'); b.click(); b.click(); }")
            e.step = 0 if e.step >= e.steps else e.step
        elif action == "fit":
            page.click(".gg-fit")
            e.focus, e.tip = "page", None

    def point(self, action: str) -> None:
        e, page = self.expected, self.page
        places = page.evaluate(TARGETS, self.ids)
        ident = "" if action == "click away" else self.rng.choice([i for i in places if i] or [""])
        if ident not in places:
            return
        x, y = places[ident]
        node = None if ident == "" else self.node_of(ident)
        if action == "hover":
            page.mouse.move(x, y)
        else:
            on_value = page.evaluate(EDITABLE_AT, [x, y])
            page.mouse.click(x, y)
            e.focus = "page"
            if action == "click" and node is not None:
                e.selected = None if e.selected == node else node
                e.select_by, e.refused = ("click", ident), None
                if on_value and e.selected == node:  # a leaf's data clicked: its value to edit
                    e.focus = "editor"
        e.tip = ident if node is not None else None

    # --- the editable page's actions
    def live(self, action: str) -> None:
        e, page, rng = self.expected, self.page, self.rng
        if action == "api set":
            name = rng.choice(list(self.leaves))
            value = rng.choice([self.recorded[name], round(rng.uniform(-3, 3), 2), 110.0, 0.5])
            page.evaluate("([name, v]) => graphgrad.set(name, v)", [name, value])
            self.edited(name, value)
        elif action in ("type", "junk"):
            name = rng.choice(list(self.leaves))
            text = rng.choice(TYPED if action == "type" else JUNK)
            self.type_value(page, name, text)
            e.selected, e.select_by = self.leaves[name], ("name", name)
            if action == "type":
                self.edited(name, float(text))
            else:
                e.refused = (name, text)
            e.focus, e.tip = "page", None
        elif action in ("reset", "api reset"):
            if action == "api reset":
                page.evaluate("graphgrad.reset()")
            elif e.edits:
                page.click(".gg-reset")
                e.focus, e.tip = "page", None
            e.edits, e.lrs, e.refused = {}, [], None
        elif action in ("step", "api descend"):
            if action == "step":
                page.click(".gg-step")
                e.focus, e.tip = "page", None
            else:
                e.lr = rng.choice([0.01, 0.05, 0.001])
                page.evaluate(f"graphgrad.descend({e.lr})")
            if not e.lrs:
                e.start = dict(e.edits)
            e.lrs.append(e.lr)
            e.edits, e.refused = page.evaluate("graphgrad.state().edits"), None
        elif action == "lr":
            text = rng.choice(["0.05", "0.001", "0.1", "abc"])
            shown = e.refused[1] if e.refused and e.refused[0] == "lr" else repr(e.lr)
            self.type_lr(page, text)
            e.focus, e.tip = "page", None
            if text == shown:  # the text the page wrote there: nothing to take
                pass
            elif text == "abc":
                e.refused = ("lr", text)
            else:
                e.lr, e.refused = float(text), None
        elif action == "wheel":
            self.wheel()

    def edited(self, name: str, value: float) -> None:
        e = self.expected
        before = dict(e.edits)
        if value == self.recorded[name]:
            e.edits.pop(name, None)
        else:
            e.edits[name] = value
        if e.edits != before:
            e.lrs = []
        e.refused = None

    @staticmethod
    def type_value(page: Any, name: str, text: str) -> None:
        """Select a leaf, type a value into its editor and press Enter; the keys go back to the page."""
        page.evaluate("(name) => graphgrad.select(name)", name)
        page.fill(".gg-value", text)
        page.press(".gg-value", "Enter")
        page.click(".gg-caption")

    @staticmethod
    def type_lr(page: Any, text: str) -> None:
        page.fill(".gg-lr", text)
        page.press(".gg-lr", "Enter")
        page.click(".gg-caption")

    def wheel(self) -> None:
        """Scroll on an editable leaf's data cell: its value moves a step (and the pointer is on it)."""
        e, page = self.expected, self.page
        cells = page.evaluate(DATA_CELLS)
        if not cells:
            return
        ident = self.rng.choice(sorted(cells))
        page.mouse.move(*cells[ident])
        page.mouse.wheel(0, self.rng.choice([-100, 100]))
        edits = page.evaluate("graphgrad.state().edits")
        if edits != e.edits:
            e.lrs = []
        e.edits, e.refused, e.tip = edits, None, ident

    def go_straight(self, fresh: Any) -> None:
        """Take a fresh page straight to the expected state: the step, the edits and the descent steps,
        the learning rate, the chain, a refused text, the search, the tooltip."""
        e, page = self.expected, fresh.page
        page.reload()
        page.evaluate(f"graphgrad.step({e.step})")
        for name, value in (e.start if e.lrs else e.edits).items():
            page.evaluate("([name, v]) => graphgrad.set(name, v)", [name, value])
        for lr in e.lrs:
            page.evaluate(f"graphgrad.descend({lr})")
        if e.lr != page.evaluate("graphgrad.state().lr"):
            self.type_lr(page, str(e.lr))
        if e.selected is not None:
            how, what = e.select_by
            if how == "name":
                page.evaluate("(name) => graphgrad.select(name)", what)
            else:
                x, y = page.evaluate(TARGETS, [what])[what]
                page.mouse.click(x, y)
        if e.refused is not None:
            what, text = e.refused
            if what == "lr":
                self.type_lr(page, text)
            else:
                self.type_value(page, what, text)
        if e.query:
            page.fill(".gg-search", e.query)
        if e.tip is not None:
            x, y = page.evaluate(TARGETS, [e.tip])[e.tip]
            page.mouse.move(x, y)
        else:
            page.hover(".gg-caption")


@pytest.mark.parametrize("graph", list(PAGES))
def test_any_way_to_a_state_shows_what_going_straight_there_shows(
    tmp_path: Path, open_page: Any, graph: str
) -> None:
    made = PAGES[graph]()
    path = made.save(tmp_path / "page.html")
    walked, fresh = open_page(path, **WIDE), open_page(path, **WIDE)
    walk = Walk(walked, made.data, random.Random(f"walk {graph}"))
    for _ in range(30 if made.editable else 20):
        walked.page.bring_to_front()  # a page behind another gets its frames, and the pointer, once a second
        walk.act()
        e = walk.expected
        fresh.page.bring_to_front()
        walk.go_straight(fresh)
        shown, straight = walked.page.evaluate(SHOWN), fresh.page.evaluate(SHOWN)
        state = walked.page.evaluate("graphgrad.state()")
        assert (state["step"], state["edits"], state["lr"]) == (e.step, e.edits, e.lr), e.log
        assert shown == straight, (e, walked.page.evaluate("graphgrad.state().highlighted"))
        assert (shown["tip"] is None) == (e.tip is None), e.log
    assert_clean(walked)
    assert_clean(fresh)


def test_going_back_leaves_no_mark_of_the_steps_undone(tmp_path: Path, open_page: Any) -> None:
    opened = open_page(apples().save(tmp_path / "apples.html"))
    page = opened.page
    start = page.evaluate(SHOWN)
    for _ in range(9):
        page.click(".gg-next")
    for _ in range(9):
        page.click(".gg-prev")
    assert page.evaluate("graphgrad.state().caption").startswith("step 0 of 9")
    assert page.evaluate("document.querySelectorAll('.gg-sent, .gg-current, text.gg-label').length") == 0
    assert page.evaluate(SHOWN) == start
    assert_clean(opened)


def test_the_step_stays_bright_beside_a_chain(tmp_path: Path, open_page: Any) -> None:
    opened = open_page(apples().save(tmp_path / "apples.html"))
    page = opened.page
    page.evaluate("graphgrad.select('apple')")
    page.evaluate("graphgrad.step(9)")  # tax, off the chain of apple
    classes = "(id) => document.getElementById(id).getAttribute('class')"
    assert page.evaluate(classes, node_id(opened, "tax")) == "node gg-current"
    assert page.evaluate(classes, node_id(opened, "orange")) == "node gg-dim"
    assert_clean(opened)


# --- the view: laid out once it has a size, following the pass, readable ---------------------------

VIEW_BOX = "document.querySelector('svg.gg-graph').getAttribute('viewBox')"
SCALE = "document.querySelector('svg.gg-graph').getScreenCTM().a"  # screen pixels per unit of the picture
READABLE = 0.8  # panzoom.js: the smallest scale the page opens or fits at

# The drawn node of the step shown (its box, not its op node), or the collapsed part.
CURRENT = "[...document.querySelectorAll('g.node.gg-current')].map((g) => g.id).filter((i) => !/op$/.test(i))"

# Whether an element lies inside the view, on screen.
IN_SIGHT = """(id) => {
  const r = document.getElementById(id).getBoundingClientRect();
  const a = document.querySelector(".gg-view").getBoundingClientRect();
  return r.width > 0 && r.left >= a.left - 1 && r.right <= a.right + 1
    && r.top >= a.top - 1 && r.bottom <= a.bottom + 1;
}"""


def painted(png: bytes) -> int:
    """How many pixels of a screenshot are not (nearly) white."""
    from PIL import Image

    return sum(1 for v in Image.open(io.BytesIO(png)).convert("L").tobytes() if v < 200)


def test_explorers_in_frames_lay_out_once_they_have_a_size(tmp_path: Path, open_page: Any) -> None:
    """As notebooks show them: sandboxed frames, two side by side, one below the fold (scrolled to
    later), one in a container shown after a while (a collapsed output, a tab)."""
    frame = apples()._repr_html_()
    host = tmp_path / "host.html"
    host.write_text(
        f"<!DOCTYPE html><html><body><h1>explorers</h1>{frame}{frame}"
        f'<div style="height: 2500px"></div><div id="later" style="display: none">{frame}</div>{frame}'
        "<script>setTimeout(() => { document.getElementById('later').style.display = ''; }, 600);</script>"
        "</body></html>"
    )
    opened = open_page(host, width=1000, height=700)
    page = opened.page
    frames = page.locator("iframe.graphgrad-explorer")
    assert frames.count() == 4
    for i in range(4):
        frames.nth(i).scroll_into_view_if_needed()
        inner = page.frame_locator("iframe.graphgrad-explorer").nth(i)
        for _ in range(100):  # a frame lays itself out when it is shown
            box = [float(v) for v in inner.locator("svg.gg-graph").get_attribute("viewBox").split()]
            if box[2] > 0:
                break
            page.wait_for_timeout(50)
        assert all(np.isfinite(box)) and box[2] > 0 and box[3] > 0, (i, box)
        assert painted(inner.locator(".gg-view").screenshot()) > 5000, i  # the picture, not a blank
    for f in page.frames:
        if f.url == "about:srcdoc":
            assert has_api(f) and f.evaluate("graphgrad.step(9).grads")["tax"] == 650
    assert [r for r in opened.requests if r[0] == "about:srcdoc"] == [] and opened.errors == []


def test_a_resize_keeps_the_zoom_and_a_fitted_view_fits_again(tmp_path: Path, open_page: Any) -> None:
    opened = open_page(apples().save(tmp_path / "apples.html"), width=1100, height=720)
    page = opened.page
    home = [float(v) for v in page.evaluate(VIEW_BOX).split()]
    area = "document.querySelector('.gg-view')"
    fits = f"((a, b) => Math.min(a.clientWidth / b[2], a.clientHeight / b[3]))({area}, %s)"
    for width, height in ((700, 600), (1000, 400)):
        page.set_viewport_size({"width": width, "height": height})
        page.wait_for_timeout(200)
        assert [float(v) for v in page.evaluate(VIEW_BOX).split()] == pytest.approx(home)  # fitted: fits
        assert page.evaluate(SCALE) == pytest.approx(page.evaluate(fits % home), rel=1e-3)
    area = page.locator(".gg-view").bounding_box()
    page.mouse.move(area["x"] + area["width"] / 2, area["y"] + area["height"] / 2)
    page.mouse.wheel(0, -300)
    zoomed = page.evaluate(SCALE)
    page.set_viewport_size({"width": 900, "height": 650})
    page.wait_for_timeout(200)
    assert page.evaluate(SCALE) == pytest.approx(zoomed, rel=0.01)  # zoomed by hand: the zoom stays
    page.set_viewport_size({"width": 900, "height": 0})  # no room at all: the picture waits, unbroken
    page.wait_for_timeout(200)
    box = [float(v) for v in page.evaluate(VIEW_BOX).split()]
    assert all(np.isfinite(box)) and box[2] > 0 and box[3] > 0
    assert_clean(opened)


def test_stepping_keeps_the_step_in_sight(tmp_path: Path, open_page: Any) -> None:
    """A long chain at a readable scale: every step's node comes into view; a node of the collapsed
    part points at the summary node, and the caption says so."""
    y = deep_chain(30)
    opened = open_page(explore(y, max_nodes=40).save(tmp_path / "deep.html"))
    page = opened.page
    wait_for(page, f"{SCALE} >= {READABLE} - 1e-6")  # laid out once the view has its size (a frame later)
    steps, inside = page.evaluate("graphgrad.state().steps"), []
    for _ in range(steps):
        page.keyboard.press("ArrowRight")
        current = page.evaluate(CURRENT)
        assert len(current) == 1 and page.evaluate(IN_SIGHT, current[0]), current
        inside.append(current == ["more"])
        assert ("is inside the collapsed part" in page.inner_text(".gg-caption")) == inside[-1]
        assert page.evaluate(SCALE) >= READABLE - 1e-6  # it pans; the zoom stays
    assert 0 < sum(inside) < steps
    page.keyboard.press("Home")
    assert page.evaluate(IN_SIGHT, "n0") and "collapsed" not in page.inner_text(".gg-caption")
    assert_clean(opened)


def test_tooltips_close_on_escape_a_click_away_and_search(tmp_path: Path, open_page: Any) -> None:
    opened = open_page(apples().save(tmp_path / "apples.html"))
    page = opened.page
    places = page.evaluate(TARGETS, [node_id(opened, "apple")])
    apple, empty = places[node_id(opened, "apple")], places[""]
    for close in ("Escape", "click away", "search"):
        page.mouse.move(*apple)
        assert page.is_visible(".gg-tip") and page.inner_text(".gg-tip").startswith("apple (input)")
        if close == "Escape":
            page.keyboard.press("Escape")
        elif close == "click away":
            page.mouse.click(*empty)
        else:
            page.fill(".gg-search", "tax")  # the pointer stays on the node
        assert page.is_hidden(".gg-tip"), close
    page.mouse.move(*apple)
    assert "grad: none yet" in page.inner_text(".gg-tip")
    page.evaluate("graphgrad.step(9)")  # the open tooltip follows the step
    assert "grad 2.2" in page.inner_text(".gg-tip")
    assert_clean(opened)


def test_a_tensor_graph_opens_readable_and_fit_stays_readable(tmp_path: Path, open_page: Any) -> None:
    loss, model = tensor_mlp(16)
    made = explore(loss, params=model)
    opened = open_page(made.save(tmp_path / "mlp.html"))
    page = opened.page
    wait_for(page, f"Math.abs({SCALE} - {READABLE}) < 1e-6")  # laid out once the view has its size
    box = [float(v) for v in page.evaluate(VIEW_BOX).split()]
    home = [float(v) for v in made.svg.split('viewBox="')[1].split('"')[0].split()]
    assert box[2] < home[2]  # too wide to read whole at this size: a part of it
    assert page.evaluate(SCALE) == pytest.approx(READABLE) and page.evaluate(IN_SIGHT, "n0")
    steps = page.evaluate("graphgrad.state().steps")
    for k in range(1, steps + 1):  # each step's node in sight as the pass goes on
        page.evaluate(f"graphgrad.step({k})")
        current = page.evaluate(CURRENT)
        assert len(current) == 1 and page.evaluate(IN_SIGHT, current[0]), k
    page.mouse.move(500, 400)
    page.mouse.wheel(0, 2000)  # zoomed far out by hand
    assert page.evaluate(SCALE) < READABLE / 2
    page.click(".gg-fit")  # fit: as much as reads, around the step shown
    assert page.evaluate(SCALE) == pytest.approx(READABLE)
    assert page.evaluate(IN_SIGHT, page.evaluate(CURRENT)[0])
    assert_clean(opened)


# --- labels as the page holds them ---------------------------------------------------------------


def test_labels_that_name_object_properties_are_labels(tmp_path: Path, open_page: Any) -> None:
    a, b, c = Value(2.0, label="__proto__"), Value(3.0, label="constructor"), Value(4.0, label="toString")
    y = a * b + c
    y.label = "hasOwnProperty"
    opened = open_page(explore(y).save(tmp_path / "proto.html"))
    page = opened.page
    grads = page.evaluate("JSON.stringify(graphgrad.step(graphgrad.state().steps).grads)")
    assert json.loads(grads) == {"hasOwnProperty": 1, "__proto__": 3, "constructor": 2, "toString": 1}
    assert page.evaluate("Object.keys(graphgrad.state().grads).includes('__proto__')")
    assert page.evaluate("graphgrad.select('__proto__').highlighted") == ["hasOwnProperty", "__proto__"]
    page.fill(".gg-search", "__proto")
    assert page.inner_text(".gg-found") == "1 found"
    assert_clean(opened)


CONTROL = ("\x01", "\x0c", "\x1b", "\x00", "\ufffe")  # start of heading, form feed, escape, NUL, U+FFFE


# The drawn nodes that have a label: [id, the label as drawn].
BOLD_LABELS = """() => [...document.querySelectorAll("svg g.node")].map((g) => [g.id,
  [...g.querySelectorAll("text[font-weight=bold]")].map((t) => t.textContent).join("")]).filter((n) => n[1])
"""


def test_control_characters_in_labels_show_as_text(tmp_path: Path, open_page: Any) -> None:
    leaves = [Value(float(k + 1), label=f"a{ch}b") for k, ch in enumerate(CONTROL)]
    y = leaves[0]
    for leaf in leaves[1:]:
        y = y * leaf
    y.label = "y"
    picture = tmp_path / "drawing.html"
    picture.write_text(f"<!DOCTYPE html><html><body>{draw(y).svg()}</body></html>", encoding="utf-8")
    opened = open_page(picture)
    assert len(opened.page.evaluate(BOLD_LABELS)) == len(CONTROL) + 1 and opened.errors == []
    opened = open_page(explore(y).save(tmp_path / "control.html"))
    page = opened.page
    drawn = page.evaluate(BOLD_LABELS)
    assert len(drawn) == len(CONTROL) + 1  # every label drawn, as text: no control character shown
    assert not [name for _, name in drawn if any(ch in name for ch in CONTROL)]
    grads = page.evaluate("graphgrad.step(graphgrad.state().steps).grads")
    assert set(grads) == {name for _, name in drawn}  # one name a node, in the picture and the script
    for ident, name in drawn:  # and in its tooltip and its chain
        page.hover(f"#{ident}")
        assert page.inner_text(".gg-tip b") == name
        assert name in page.evaluate("(name) => graphgrad.select(name).highlighted", name)
    assert_clean(opened)
