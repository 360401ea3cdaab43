"""The explorer: a graph's backward pass (or a training run) in one self-contained HTML page.

``explore(root)`` returns an :class:`Explorer`: ``.html()`` is a complete HTML document,
``.save("graph.html")`` writes it, and Jupyter shows it inline. The page needs nothing else: the
graph is laid out here in Python (the system ``dot`` when present, ``graphviz-pure`` otherwise)
into an inline SVG, and the data, the script and the styles are inline too; it sends no network
request and needs no server and no kernel, so it keeps working in a saved notebook and in
``jupyter nbconvert --to html`` output. In a notebook each page sits in its own sandboxed
``<iframe>``, so several of them never interfere.

On the page: step through the backward pass (buttons, slider, arrow keys); click a node for its
influence chain (every path to the root, its edges labelled with their local derivatives, the
sum over the paths written out); hover a node for its details; pan (drag), zoom (wheel), fit,
and search by label. What it shows is drawn from its state (the step, the chain selected, the
search, the tooltip) alone, however that state was reached. The picture is laid out when its
view first has a size (a frame below the fold or in a hidden container) and again on a resize;
it opens, and fits, at no less than a readable scale, and stepping keeps the step's node in
sight. A small script API serves tests and users' own pages::

    graphgrad.step(k)         # the state after k steps (0: only the seed at the root)
    graphgrad.select(name)    # highlight a node's influence chain (null clears)
    graphgrad.set(name, v)    # give a leaf a new value: every node's data and the pass recomputed
    graphgrad.reset()         # the recorded values back
    graphgrad.descend(lr)     # one step of gradient descent (lr: the learning rate, else the page's)
    graphgrad.state()         # {step, steps, caption, grads, highlighted, values, slope, edits, lr, descent}

``grads`` maps each named node (its label, or its name from ``names=``) to the gradient shown at
that step: a number for a Value, a nested list for a Tensor (of up to EXACT_NUMBERS numbers; the
summary text beyond); absent until a share has arrived. ``highlighted`` lists the named nodes of
the chain. ``playback(...)`` makes the same kind of page over the snapshots of a training run
(``nn.History.explore()``).

Live recompute: on the page of a graph of Values, a learner changes a leaf's value (type it, drag or
scroll on its data, the arrow keys) and the page recomputes every node's data and the whole backward
pass itself (``js/ops.js``, one table of the ops checked against the engine, and ``js/recompute.js``,
fed by ``live.live_data``): captions, cells, chains and tooltips then show the new numbers as Python
would write them. For the selected leaf it shows the nudge (the root at x + h, the central difference's
slope beside the gradient); a step control takes a descent step on the parameters (``params=``), else
on every named leaf, and plots the root over the steps taken. ``state()`` adds ``values`` (each named
node's data, a Value graph's), ``slope`` (the nudge's, or null), ``edits`` (leaf -> value),
``lr`` and ``descent`` (the root before and after each step since the last edit). A graph with an op
the table lacks, and a Tensor graph, open with editing off and one line that says why; their pages
hold none of that script.

>>> from autograd import Value, explore
>>> x = Value(3.0, label="x")
>>> page = explore(x * x + x)
>>> page.steps  # one step per node of the backward pass
3
>>> page.html().startswith("<!DOCTYPE html>")
True
"""

from __future__ import annotations

import base64
import copy
import html
import io
import json
import math
import os
import re
from collections.abc import Sequence
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np

from autograd.drawing.layout import run_graphviz, scene_dot
from autograd.drawing.live import live_data
from autograd.drawing.render import ARIAL_WIDTHS, for_browsers, picture_png, text_width
from autograd.drawing.replay import (
    MAX_LISTED_PATH_LENGTH,
    MAX_LISTED_PATHS,
    Replay,
    check_targets,
    local_derivative,
)
from autograd.drawing.scene import DrawOptions, FrameView, check_root, make_scene, takes_options
from autograd.drawing.text import (
    FONTS,
    PALETTE,
    WORDS,
    Names,
    grad_fill,
    is_array,
    is_node,
    magnitude,
    node_kind,
    say,
    shape_text,
    short_text,
    value_text,
)
from autograd.files import write_atomic

__all__ = ["EXACT_NUMBERS", "Explorer", "explore", "playback"]

EXACT_NUMBERS = 10_000
"""A named Tensor's gradient goes into the page number by number up to this size (else as text)."""

_POLICY = "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src data:"


LIVE_HINT = "A picture of the explorer: run the cell, or File > Trust Notebook, to explore it live."
"""What a notebook shows under the explorer's static picture where the live page cannot run."""


class Explorer:
    """An interactive page: ``.html()`` (a complete document), ``.save(path)``, shown inline in
    Jupyter (see :meth:`_ipython_display_`; ``_repr_html_`` is the page in a sandboxed ``<iframe>``).

    ``view`` names the page's kind ("backward" or "training"); ``data`` is what its script reads;
    ``svg`` the laid-out picture, if any; ``height`` the height in pixels of the inline frame;
    ``dot`` the DOT source of the static picture (:meth:`picture`), if any.
    """

    def __init__(
        self, title: str, view: str, data: dict[str, Any], svg: str = "", height: int = 560, dot: str = ""
    ) -> None:
        self.title, self.view, self.data, self.svg, self.height = title, view, data, svg, height
        self.dot = dot

    @property
    def editable(self) -> bool:
        """Whether a learner can change the leaves on the page (a graph of Values whose every op the page's
        table recomputes; ``data["live"]["reason"]`` says why not)."""
        return bool(self.data.get("live", {}).get("editable"))

    @property
    def steps(self) -> int:
        """How many steps the page steps through (``graphgrad.state().steps``)."""
        return int(self.data["steps"])

    def __repr__(self) -> str:
        return f"<graphgrad Explorer: {self.title}; {self.steps:,} steps; .save('page.html'), .html()>"

    def html(self) -> str:
        """The page as one HTML document: markup, inline SVG, data, script and styles."""
        return _PAGE.format(
            policy=_POLICY,
            title=html.escape(self.title),
            css=_palette_css() + _asset("page.css"),
            view=self.view,
            svg=self.svg,
            data=_script_json(self.data),
            js=_script(script_parts(self.view, self.editable)),
        )

    def save(self, path: str | os.PathLike[str]) -> Path:
        """Write the page (an ``.html`` file), whole or not at all; returns the path."""
        if Path(path).suffix.lower() not in (".html", ".htm"):
            raise ValueError(f"Explorer.save: use an .html file name, got {str(path)!r}")
        return write_atomic(path, self.html().encode("utf-8"), "Explorer.save", "page.html")

    def picture(self) -> bytes:
        """A static PNG of what the page shows: the graph with every gradient of the pass (a
        backward page), the loss curve and the last decision plane (a training page)."""
        return picture_png(self.dot) if self.dot else _training_png(self.data)

    def _repr_html_(self) -> str:
        return (
            f'<iframe class="graphgrad-explorer" title="{html.escape(self.title)}" sandbox="allow-scripts" '
            f'style="{_FRAME_STYLE.format(height=self.height)}" '
            f'srcdoc="{html.escape(self.html(), quote=True)}"></iframe>'
        )

    def _ipython_display_(self) -> None:
        """Shown in a notebook as two outputs: the static :meth:`picture` (a PNG, which every
        front-end shows, trusted or not, and a sanitized HTML export keeps), then a script that
        puts the live page in a sandboxed ``<iframe>`` and hides that picture. Where scripts do
        not run (an untrusted notebook, GitHub, ``nbconvert --sanitize-html``) the picture stays,
        and the second output's text says how to make the page live (:data:`LIVE_HINT`)."""
        from IPython.display import display

        png = base64.b64encode(self.picture()).decode("ascii")
        display({"image/png": png, "text/plain": repr(self)}, raw=True)
        display({"application/javascript": self._live_script(png[-64:]), "text/plain": LIVE_HINT}, raw=True)

    def _live_script(self, picture_tail: str) -> str:
        """The script of :meth:`_ipython_display_`'s second output (``js/embed.js``): the page in
        a frame inside the output's element, and the output before it hidden if it shows the
        picture (the image whose ``src`` ends in ``picture_tail``)."""
        values = {
            "PAGE": self.html(),
            "TITLE": self.title,
            "STYLE": _FRAME_STYLE.format(height=self.height),
            "TAIL": picture_tail,
        }
        return re.sub(r"@(\w+)@", lambda m: _script_json(values[m[1]]), _asset("js/embed.js"))


_FRAME_STYLE = "width: 100%; height: {height}px; border: 1px solid #ddd; border-radius: 4px"


_PAGE = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="{policy}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title}</title>
<style>{css}</style>
</head>
<body>
<div class="gg gg-{view}" tabindex="-1">
  <div class="gg-bar">
    <button type="button" class="gg-first" title="back to the start (Home)">&#xAB;</button>
    <button type="button" class="gg-prev" title="one step back (&#x2190;)">&#x25C0;</button>
    <button type="button" class="gg-play" title="play / pause (space)">play</button>
    <button type="button" class="gg-next" title="one step on (&#x2192;)">&#x25B6;</button>
    <input type="range" class="gg-slider" min="0" max="0" value="0" aria-label="step">
    <span class="gg-count"></span>
    <span class="gg-tools">
      <input type="search" class="gg-search" placeholder="find a node" aria-label="find a node by label">
      <span class="gg-found"></span>
      <button type="button" class="gg-fit" title="fit the picture to the view, readable">fit</button>
    </span>
  </div>
  <div class="gg-caption" aria-live="polite"></div>
  <div class="gg-view">{svg}</div>
  <div class="gg-note"></div>
  <div class="gg-live" hidden></div>
  <div class="gg-tip" hidden></div>
</div>
<script type="application/json" class="gg-data">{data}</script>
<script>{js}</script>
</body>
</html>
"""


def _palette_css() -> str:
    """The palette and the fonts as CSS variables (``--gg-chain`` ...), which page.css reads."""
    colours = "".join(f" --gg-{role}: {colour};" for role, colour in PALETTE.items())
    return f":root {{{colours} --gg-fonts: {FONTS}; }}\n"


def _asset(name: str) -> str:
    """A file that ships beside this module (the page's script parts and styles)."""
    return resources.files("autograd.drawing").joinpath(name).read_text(encoding="utf-8")


SCRIPT_PARTS = (
    "util", "numbers", "state", "panzoom", "ops", "recompute", "live", "backward", "picture", "editor",
    "training", "controls", "main",
)  # fmt: skip
"""The page's script, one job a file in ``js/``, joined in this order (later parts use earlier ones); a page
holds the parts its view uses (:func:`script_parts`)."""

LIVE_PARTS = ("ops", "recompute", "live", "editor")
"""The parts that recompute the graph after an edit: only an editable page holds them."""

_VIEW_PARTS = {"backward": {"training"}, "training": {"panzoom", "backward", "picture", *LIVE_PARTS}}
"""The parts a view leaves out."""


def script_parts(view: str, editable: bool) -> tuple[str, ...]:
    """The parts of the script a page of ``view`` holds: a backward page without the training playback,
    and without the live recompute unless its graph is ``editable``; a training page without the graph.

    >>> script_parts("backward", False)
    ('util', 'numbers', 'state', 'panzoom', 'backward', 'picture', 'controls', 'main')
    """
    left_out = _VIEW_PARTS[view] | (set() if editable else set(LIVE_PARTS))
    return tuple(part for part in SCRIPT_PARTS if part not in left_out)


def _script(parts: Sequence[str] = SCRIPT_PARTS) -> str:
    """The page's script: these parts of ``js/`` joined, without their comments (:func:`compact_script`)."""
    return "\n".join(compact_script(_asset(f"js/{part}.js")) for part in parts)


_TRAILING_COMMENT = re.compile(r"\s+// .*$")


def compact_script(source: str) -> str:
    """``source``, a part of the page's script, without its comments and indentation: the same program, a
    third smaller. A comment is a whole line (``// ...``, or a ``/* ... */`` block that starts a line) or
    follows code after a space (``  // ...``; a line whose code holds an odd number of quotes of a kind keeps
    it, as it might be inside a string). No string of these files spans lines, so indentation goes too.

    >>> compact_script('/* a\\n   b */\\nconst x = "//";  // the slashes\\n  if (x) f();  // "\\n')
    'const x = "//";\\nif (x) f();'
    """
    kept, block = [], False
    for line in source.splitlines():
        text = line.strip()
        if block or text.startswith("/*"):
            block = not text.endswith("*/")
            continue
        if not text or text.startswith("//"):
            continue
        found = _TRAILING_COMMENT.search(text)
        if found and all(text[: found.start()].count(q) % 2 == 0 for q in "\"'`"):
            text = text[: found.start()]
        kept.append(text)
    return "\n".join(kept)


def _script_json(data: Any) -> str:
    """JSON that can sit inside a ``<script>`` element: no ``<``, ``>`` or ``&`` that could end
    it or start markup (they become ``\\u003c`` ...), no line separators or non-characters
    (U+FFFE, U+FFFF) written as themselves, and no NaN or infinities (JSON has none)."""
    text = json.dumps(data, separators=(",", ":"), allow_nan=False, ensure_ascii=False)
    for ch in "<>&\u2028\u2029\ufffe\uffff":
        text = text.replace(ch, f"\\u{ord(ch):04x}")
    return text


def _exact(x: Any) -> Any:
    """A gradient as the page's ``state().grads`` gives it: a number, or nested lists of them
    (the summary text for a Tensor larger than EXACT_NUMBERS); nan and infinities as strings."""
    if is_node(x):
        x = x.data
    if is_array(x):
        if x.size > EXACT_NUMBERS:
            return value_text(x)
        return _exact(x.tolist()) if x.ndim else _exact(x.item())
    if isinstance(x, list):
        return [_exact(v) for v in x]
    v = float(x)
    return v if math.isfinite(v) else str(v)


class _Texts:
    """A table of the distinct texts a page shows; the data refers to them by position."""

    def __init__(self) -> None:
        self.table: list[str] = []
        self._index: dict[str, int] = {}

    def __call__(self, text: str) -> int:
        k = self._index.get(text)
        if k is None:
            k = self._index[text] = len(self.table)
            self.table.append(text)
        return k


# --- the backward pass ------------------------------------------------------------------------


@takes_options
def explore(root: Any, **options: Any) -> Explorer:
    """The interactive page of the graph of ``root``: its backward pass step by step, the
    influence chain of a clicked node, details on hover (see the module's docstring).

    Takes the keywords of :func:`autograd.draw` (:class:`autograd.drawing.DrawOptions`); ``highlight``
    selects a node's chain when the page opens. Nothing here writes ``.grad``: the page replays
    the pass seeded with ones (a Value root: 1).
    """
    opt = DrawOptions.of("explore", options)
    check_root(root, "explore")
    return backward_page(Replay(root), opt)


def backward_page(replay: Replay, opt: DrawOptions, caller: str = "explore") -> Explorer:
    """The page of a replayed backward pass (``explore`` and ``BackwardSteps.player`` make one)."""
    root = replay.root
    check_targets(root, set(replay.order), opt.targets, opt.node_names)
    layout = copy.copy(opt)  # the page marks the chain (and no colours) itself: none in the layout
    layout.targets, layout.color_grad = [], False
    frame = FrameView({}, set(), None, [], "")  # no step done: every box sized for "grad ... so far"
    scene = make_scene(root, layout, frame, replay, with_ids=True, caller=caller)
    frame.grads.update(_widest_grads(replay, set(scene.visible)))
    svg = _page_svg(run_graphviz(scene_dot(scene), "svg").decode("utf-8"))
    data = _backward_data(replay, opt, scene.names, scene.visible)
    data["hidden"] = scene.hidden
    data["live"] = live_data(replay, scene.names, opt.param_nodes)
    if opt.color_grad:
        data.update(_fills(replay))
    title = f"graphgrad: the backward pass of {scene.names(root)}"
    done = FrameView(replay.grads_after(len(replay)), set(replay.order), None, [], "")
    picture = scene_dot(make_scene(root, opt, done, replay))  # the pass done: every gradient final
    height = _frame_height(svg) + (_LIVE_HEIGHT if data["live"]["editable"] else 0)
    return Explorer(title, "backward", data, svg, min(720, height), picture)


_LIVE_HEIGHT = 50
"""What the editing controls add to an editable page's frame, in pixels."""


def _widest_grads(replay: Replay, drawn: set[Any]) -> dict[Any, Any]:
    """Drawn node -> the gradient it shows at some step whose text is the widest (so that its box
    is wide enough for every step's text, "so far" included)."""
    best: dict[Any, tuple[float, Any]] = {replay.root: (0.0, replay.seed)}
    for node, i, _, total in replay.trace:
        x = node.inputs[i]
        if x in drawn:
            text = say("grad-partial", grad=value_text(total))
            width = text_width(text, 10) or 6.0 * len(text)
            if x not in best or width > best[x][0]:
                best[x] = (width, total)
    return {node: g for node, (_, g) in best.items()}


def _page_svg(svg: str) -> str:
    """The rendered SVG as the page holds it: no XML prolog, fitted text, sized by the page."""
    svg = for_browsers(svg[svg.find("<svg") :])
    return re.sub(r'<svg width="[^"]*" height="[^"]*"', '<svg class="gg-graph"', svg, count=1)


def _frame_height(svg: str) -> int:
    """The inline frame's height: the picture's own height plus the controls, within 360-720 px."""
    box = re.search(r'viewBox="[\d.\-]+ [\d.\-]+ ([\d.]+) ([\d.]+)"', svg)
    height = float(box[2]) * 96 / 72 if box else 400.0
    return int(min(720, max(360, height + 150)))


def _backward_data(replay: Replay, opt: DrawOptions, names: Names, visible: Sequence[Any]) -> dict[str, Any]:
    """What the page's script reads: the nodes in the order of the pass (node 0 is the root), the
    shares of each step, the drawn nodes and their details, texts by position in one table, and
    the sentences the page writes (:data:`text.WORDS`)."""
    index = {node: k for k, node in enumerate(replay.order)}
    texts = _Texts()
    named = {k: label for k, node in enumerate(replay.order) if (label := names.chosen(node))}
    steps = _shares_data(replay, index, texts, named)
    root = replay.root
    seed_is_one = bool(np.all(np.asarray(replay.seed) == 1))
    return {
        "steps": len(replay.order),
        "names": [texts(names(node)) for node in replay.order],
        "leaf": "".join("0" if node.inputs else "1" for node in replay.order),
        "named": [[k, label] for k, label in named.items()],
        **steps,
        "seed": texts(value_text(replay.seed)),
        "seedExact": _exact(replay.seed),
        "seedIsOne": seed_is_one,
        "tensor": is_array(root.data),
        "values": [] if is_array(root.data) else [[k, _exact(replay.order[k].data)] for k in named],
        "visible": [index[node] for node in visible],
        "details": [_details(node, index, opt.node_names, opt.param_nodes) for node in visible],
        "select": index[opt.targets[0]] if opt.targets else None,
        "listedPaths": [MAX_LISTED_PATHS, MAX_LISTED_PATH_LENGTH],
        "widths": list(ARIAL_WIDTHS[False]),
        "texts": texts.table,
        "words": WORDS,
    }


def _shares_data(
    replay: Replay, index: dict[Any, int], texts: _Texts, named: dict[int, str]
) -> dict[str, Any]:
    """The trace as columns: how many shares each step sends; for each share its input (node and
    slot), local derivative, share and the input's new total (texts); exact totals of named nodes."""
    ends = replay.step_ends
    counts = [end - start for start, end in zip([0, *ends], ends)]
    short, full = _text_ids(texts, short_text), _text_ids(texts, value_text)
    to, slot, ld, share, total, exact = [], [], [], [], [], []
    for j, (node, i, s, t) in enumerate(replay.trace):
        x = index[node.inputs[i]]
        to.append(x)
        slot.append(i)
        ld.append(short(local_derivative(node, i)))
        share.append(short(s))
        total.append(full(t))
        if x in named:
            exact.append([j, _exact(t)])
    return {"count": counts, "to": to, "slot": slot, "ld": ld, "share": share, "total": total, "exact": exact}


def _text_ids(texts: _Texts, describe: Any) -> Any:
    """``texts(describe(x))``, remembered for each float (a pass repeats the same numbers a lot)."""
    seen: dict[float, int] = {}

    def text_id(x: Any) -> int:
        if type(x) is not float:
            return texts(describe(x))
        k = seen.get(x)
        if k is None:
            k = seen[x] = texts(describe(x))
        return k

    return text_id


def _fills(replay: Replay) -> dict[str, Any]:
    """For ``color_grad``: each total's magnitude (and the seed's) in percent of the largest of the
    pass; the page fills grad cells from white to orange by it, as the static drawing does."""
    sizes = [magnitude(t) for *_, t in replay.trace]
    seed = magnitude(replay.seed)
    biggest = max([seed, *sizes]) or 1.0
    return {
        "fill": [round(100 * m / biggest) for m in sizes],
        "seedFill": round(100 * seed / biggest),
        "fills": [grad_fill(percent / 100) for percent in range(101)],  # the colours, as the drawing's
    }


def _details(node: Any, index: dict[Any, int], names: dict[Any, str], params: set[Any]) -> dict[str, Any]:
    """What hovering a drawn node shows (its gradient, which changes with the step, aside)."""
    data = node.data
    found: dict[str, Any] = {
        "kind": node_kind(node, names, params),
        "op": node.op,
        "inputs": [
            [index[x], short_text(local_derivative(node, i)) if rule is not None else "none"]
            for i, (x, rule) in enumerate(zip(node.inputs, node.rules))
        ],
    }
    if is_array(data):
        flat = data.ravel()
        found["shape"] = shape_text(data)
        found["summary"] = value_text(data)
        found["first"] = ", ".join(value_text(v) for v in flat[:8]) + (", ..." if data.size > 8 else "")
    else:
        found["data"] = repr(float(data))
    return found


# --- training playback ------------------------------------------------------------------------


def _training_png(data: dict[str, Any]) -> bytes:
    """A training page's static picture: the loss of every step and, for 2-D inputs, the plane
    coloured by the class predicted at the last snapshot with the data on it."""
    from matplotlib.figure import Figure

    boundary: dict[str, Any] = data.get("boundary") or {}
    last = data["snapshots"][-1]
    plane = bool(boundary) and "classes" in last
    fig = Figure(figsize=(8.0 if plane else 4.5, 3.2), dpi=72, layout="constrained")
    axes = fig.subplots(1, 2 if plane else 1, squeeze=False)[0]
    losses = [v if isinstance(v, float) else math.nan for v in data["losses"]]
    axes[0].plot(range(1, len(losses) + 1), losses, color=PALETTE["current"])
    axes[0].set(xlabel="step", ylabel="loss", title="loss")
    if plane:
        xs, ys = np.asarray(boundary["x"]), np.asarray(boundary["y"])
        classes = np.asarray(last["classes"]).reshape(len(ys), len(xs))
        axes[1].contourf(xs, ys, classes, alpha=0.3, cmap="coolwarm")
        points = np.asarray(boundary["points"])
        axes[1].scatter(points[:, 0], points[:, 1], c=boundary["labels"], s=8, cmap="coolwarm")
        axes[1].set_title(str(last["caption"]), fontsize=8)
    out = io.BytesIO()
    fig.savefig(out, format="png")
    return out.getvalue()


def playback(
    losses: Sequence[float],
    snapshots: Sequence[dict[str, Any]],
    boundary: dict[str, Any] | None = None,
    title: str = "graphgrad: training",
) -> Explorer:
    """A page that plays a training run back, snapshot by snapshot.

    ``losses``: the loss of every optimizer step. ``snapshots``: one dict per recorded state,
    the untrained model first: ``step`` (optimizer steps done), ``caption`` (a line of text),
    ``params`` (a list of ``[name, data, grad]``: 2-D arrays drawn as heatmaps) and, with
    ``boundary``, ``classes`` (the class predicted at each point of its grid). ``boundary``: the
    grid (``x`` and ``y``, its coordinates) and the data (``points``, ``labels``) of a model of
    2-D inputs, drawn as the plane coloured by class with the points on it.

    Each heatmap has one colour scale for every snapshot, from minus to plus its largest
    ``|data|`` (a legend beneath shows it, and the snapshot's range); a one-row ``X.bias`` is
    drawn in the cells of ``X.weight``, whose rows it adds to.

    >>> page = playback([1.0, 0.5], [{"step": 0, "caption": "untrained", "params": []},
    ...                              {"step": 2, "caption": "trained", "params": []}])
    >>> page.steps
    1
    """
    if not snapshots:
        raise ValueError("playback: no snapshots; train with nn.fit(..., snapshots=k) to record some")
    data = {
        "steps": len(snapshots) - 1,
        "losses": [_exact(v) for v in losses],
        "snapshots": [
            {
                "step": int(s["step"]),
                "caption": str(s["caption"]),
                "params": [[str(n), _exact(np.asarray(d)), _exact(np.asarray(g))] for n, d, g in s["params"]],
                **({"classes": np.asarray(s["classes"]).astype(int).tolist()} if "classes" in s else {}),
            }
            for s in snapshots
        ],
        "boundary": None if boundary is None else {k: _exact(np.asarray(v)) for k, v in boundary.items()},
        "words": WORDS,
    }
    return Explorer(title, "training", data, "", 600)
