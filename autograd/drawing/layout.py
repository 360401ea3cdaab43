"""Stage layout: a scene as Graphviz DOT source, and Graphviz run on it within bounds.

``to_dot(root)`` needs no program. ``run_graphviz`` uses the system ``dot`` when it is on PATH
and the ``graphviz-pure`` program (installed along with graphgrad) otherwise.

>>> from autograd import Value
>>> x = Value(2.0, label="x")
>>> to_dot(x * x).splitlines()[0]
'digraph graphgrad {'
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

from autograd.drawing.replay import Replay, local_derivative
from autograd.drawing.scene import (
    FANOUT_LIMIT,
    DrawOptions,
    FrameView,
    Scene,
    make_scene,
    takes_options,
)
from autograd.drawing.text import (
    KIND_TAG,
    PALETTE,
    dot_quote,
    grad_fill,
    is_array,
    magnitude,
    markup_text,
    node_kind,
    say,
    shape_text,
    short_text,
    value_text,
)

SEARCH_LIMITS = "  graph [mclimit=0.1, nslimit=1, nslimit1=1, searchsize=10];"
"""Graphviz's search limits, for a large picture (see ``LARGE_PICTURE``)."""


class RendererNotFoundError(RuntimeError):
    """Neither the Graphviz ``dot`` program nor ``graphviz-pure`` could be found."""


# --- writing DOT ------------------------------------------------------------------------------


def build_dot(
    root: Any,
    opt: DrawOptions,
    frame: FrameView | None = None,
    replay: Replay | None = None,
    caller: str | None = None,
) -> str:
    """The DOT source of the picture of ``root``'s graph (see :func:`make_scene` and
    :func:`scene_dot`); ``caller`` names the entry point that will lay it out, if any (an explicit
    ``max_nodes`` too large to lay out in time is then an error).

    >>> from autograd import Value
    >>> build_dot(Value(2.0, label="x"), DrawOptions()).count(" -> ")
    0
    """
    return scene_dot(make_scene(root, opt, frame, replay, caller=caller))


def scene_dot(scene: Scene) -> str:
    """The DOT source: the nodes, their op nodes and edges, the collapsed part, the notes."""
    opt, frame, influence = scene.opt, scene.frame, scene.influence
    lines = [
        "digraph graphgrad {",
        f'  graph [rankdir={opt.rankdir}, fontname="Arial", fontsize=11, nodesep=0.25, ranksep=0.4];',
        f'  node [shape=plain, fontname="Arial", fontsize=10, color="{PALETTE["line"]}", '
        f'fontcolor="{PALETTE["ink"]}"];',
        f'  edge [fontname="Arial", fontsize=9, color="{PALETTE["edge"]}", arrowsize=0.7];',
    ]
    limits = _limits_notes(scene)
    if limits:
        lines.append(SEARCH_LIMITS)
    lines.extend(_node_line(scene, node) for node in scene.visible)
    reaching_hidden = []  # op nodes with an input in the collapsed part
    for node in scene.visible:
        if node.inputs:
            lines.extend(_op_lines(scene, node))
            if any(x not in scene.ids for x in node.inputs):
                reaching_hidden.append(f"{scene.ids[node]}op")
    if scene.hidden:
        lines.extend(_collapsed_lines(scene, reaching_hidden))
    notes = [(frame.caption, PALETTE["current"])] if frame is not None and frame.caption else []
    notes.extend((n, PALETTE["chain"]) for n in (influence.notes if influence else []))
    notes.extend((n, PALETTE["faint"]) for n in limits)
    if notes:
        lines.append(_notes_line(notes))
    lines.append("}")
    return "\n".join(lines) + "\n"


def _limits_notes(scene: Scene) -> list[str]:
    """What the faint note line says about the bounds a picture was drawn within (none for a
    small ordinary picture): nodes drawn once per use, Graphviz's search limits, a collapse
    earlier than ``max_nodes`` asked. Any of them lays the picture out with the search limits."""
    notes = []
    if scene.copied:
        busiest = sorted(scene.copied, key=scene.copied.__getitem__, reverse=True)
        named = ", ".join(f"{scene.names(x)} ({scene.copied[x] + 1:,} uses)" for x in busiest[:3])
        more = f" and {len(busiest) - 3:,} more" if len(busiest) > 3 else ""
        notes.append(f"drawn once per use, dashed copies beside each user: {named}{more}")
    if scene.budget_cut:
        asked = scene.opt.max_nodes
        notes.append(
            f"collapsed after {len(scene.visible):,} nodes, not max_nodes={asked:,}: the rest would take "
            "Graphviz too long to lay out"
        )
    if scene.large:
        notes.append("laid out with Graphviz's search limits (a full search would be slow)")
    return notes


def _node_line(scene: Scene, node: Any) -> str:
    """One node as an HTML-like table: label and kind, shape, data, grad; its border and colour."""
    opt = scene.opt
    label = scene.names.chosen(node)
    kind = node_kind(node, opt.node_names, opt.param_nodes)
    if label:  # the name given, and the kind
        tag = KIND_TAG[kind]
        head = f"<B>{markup_text(label)}</B>" + (f' <FONT POINT-SIZE="8">{tag}</FONT>' if tag else "")
    else:  # the name every caption uses: the op (or the kind) and a number
        head = f'<FONT POINT-SIZE="8">{markup_text(scene.names(node))}</FONT>'
    rows = [f'<TD BGCOLOR="{PALETTE[kind]}">{head}</TD>']
    if is_array(node.data):
        rows.append(f"<TD>{markup_text(shape_text(node.data))}</TD>")
    if "data" in opt.shown:
        rows.append(f"<TD>data {markup_text(value_text(node.data))}</TD>")
    grad = _grad_cell(scene, node, kind)
    if grad:
        rows.append(grad)
    color, attrs = "", ""
    if scene.is_current(node):
        color, outer = f' COLOR="{PALETTE["current"]}"', 3
    elif node in scene.on_path:
        color, attrs = f' COLOR="{PALETTE["chain"]}"', ', class="influence"'
        outer = 3 if node in opt.targets else 2
    else:
        outer = 2 if kind == "parameter" else 0
    table = (
        f'<TABLE BORDER="{outer}" CELLBORDER="1" CELLSPACING="0" CELLPADDING="3"{color}>'
        + "".join(f"<TR>{r}</TR>" for r in rows)
        + "</TABLE>"
    )
    nid = scene.ids[node]
    if scene.with_ids:
        attrs += f', id="{nid}"'
    return f"  {nid} [label=<{table}>{attrs}];"


def _grad_cell(scene: Scene, node: Any, kind: str) -> str:
    """The grad row of a node's table ("" when it has none): complete, partial, unknown or not kept."""
    g = scene.grad_of(node)
    needs_grad = getattr(node, "requires_grad", True) is not False  # a Tensor may need none
    if (
        "grad" not in scene.opt.shown
        or (kind == "constant" and node not in scene.feeds_grad)
        or not (needs_grad or g is not None)
    ):
        return ""
    fill = ""
    if scene.opt.color_grad and scene.biggest > 0:
        fill = f' BGCOLOR="{grad_fill(magnitude(g) / scene.biggest)}"'
    frame = scene.frame
    if frame is None and g is None and node.inputs:  # a Tensor keeps leaves' gradients only
        words, color = say("grad-not-kept"), PALETTE["faint"]
    elif frame is not None and g is None:
        words, color = say("grad-unknown"), PALETTE["faint"]
    elif frame is not None and node not in frame.done:
        words, color = say("grad-partial", grad=value_text(g)), PALETTE["partial"]
    else:
        return f"<TD{fill}>{markup_text(say('grad', grad=value_text(g)))}</TD>"
    return f'<TD{fill}><FONT COLOR="{color}">{markup_text(words)}</FONT></TD>'


def _op_lines(scene: Scene, node: Any) -> list[str]:
    """The op node between a result and its inputs, the edge to the result, an edge per input."""
    nid = scene.ids[node]
    op = f"{nid}op"
    on = node in scene.on_path
    current = scene.is_current(node)
    style = f'color="{PALETTE["chain"]}", penwidth=2, class="influence"' if on else ""
    to_result = style
    if current:
        style = f'color="{PALETTE["current"]}", penwidth=2'
        to_result = f"{style}, dir=back"
    fill = PALETTE["op"]
    op_attrs = f'label={dot_quote(node.op or "?")}, shape=ellipse, style=filled, fillcolor="{fill}", '
    op_attrs += 'margin="0.04,0.02", width=0.4, height=0.3'
    op_id, out_id = (f'id="{op}"', f'id="{nid}_out"') if scene.with_ids else ("", "")
    lines = [
        f"  {op} [{_joined(op_attrs, style, op_id)}];",
        f"  {op} -> {nid}{_bracketed(_joined(to_result, out_id))};",
    ]
    sent = {i: share for _, i, share in scene.frame.sent} if current and scene.frame else {}
    for i, (x, rule) in enumerate(zip(node.inputs, node.rules)):
        if x in scene.ids:
            attrs = _edge_attrs(scene, node, i, rule, sent.get(i), on and x in scene.on_path)
            edge_id = f'id="{nid}_in{i}"' if scene.with_ids else ""
            tail = scene.ids[x]
            if (node, i) in scene.copies:
                tail = f"{tail}_copy{scene.copies[node, i]}"
                lines.append(_copy_line(scene, x, tail))
            lines.append(f"  {tail} -> {op}{_bracketed(_joined(attrs, edge_id))};")
    return lines


def _copy_line(scene: Scene, x: Any, cid: str) -> str:
    """A dashed copy of ``x`` beside one of its users: its name and its data (a Tensor: its
    shape), marked as ``x`` is (influence chain, current step); its grad shows on ``x`` only."""
    shown = shape_text(x.data) if is_array(x.data) else f"data {value_text(x.data)}"
    text = f"<B>{markup_text(scene.names(x))}</B>"
    if "data" in scene.opt.shown or is_array(x.data):
        text += f'<BR/><FONT POINT-SIZE="9">{markup_text(shown)}</FONT>'
    if scene.is_current(x):
        look = f'color="{PALETTE["current"]}", penwidth=2'
    elif x in scene.on_path:
        look = f'color="{PALETTE["chain"]}", penwidth=2, class="influence"'
    else:
        look = f'color="{PALETTE["collapsed"]}"'
    copy_id = f'id="{cid}"' if scene.with_ids else ""
    shape = 'shape=box, style=dashed, margin="0.06,0.03"'
    return f"  {cid} [{_joined(f'label=<{text}>', shape, look, copy_id)}];"


def _joined(*attrs: str) -> str:
    """DOT attribute lists joined, the empty ones left out."""
    return ", ".join(a for a in attrs if a)


def _bracketed(attrs: str) -> str:
    return f" [{attrs}]" if attrs else ""


def _edge_attrs(scene: Scene, node: Any, i: int, rule: Any, share: Any, on_path: bool) -> str:
    """An input's edge: dashed when it takes no gradient, blue with the share the stepper's node
    sends along it, red with its local derivative on the influence chain."""
    attrs = []
    if rule is None:
        attrs.append(f'style=dashed, color="{PALETTE["no-grad"]}"')
    if share is not None:
        text = short_text(share)
        text = f"({text})" if text.startswith("-") else text  # "+(-3)", not "+-3"
        attrs.append(
            f'color="{PALETTE["current"]}", penwidth=2, fontcolor="{PALETTE["current"]}", '
            f"label={dot_quote(' +' + text + ' ')}, dir=back, arrowtail=normal"
        )
    elif on_path and rule is not None:
        label = "xlabel" if scene.large else "label"  # a large picture's labels are placed after layout
        attrs.append(
            f'color="{PALETTE["chain"]}", penwidth=2, fontcolor="{PALETTE["chain"]}", '
            f'{label}={dot_quote(" " + short_text(local_derivative(node, i)) + " ")}, class="influence"'
        )
    return ", ".join(attrs)


def _collapsed_lines(scene: Scene, reaching_hidden: list[str]) -> list[str]:
    """The summary node that stands for the collapsed part, and its edges to the op nodes it feeds."""
    chain = ""
    if scene.influence is not None and any(n not in scene.ids for n in scene.on_path):
        chain = "\\nsome of the highlighted chain is inside"
    more = f"... {scene.hidden:,} more node{'s' if scene.hidden != 1 else ''}"
    more_id = ', id="more"' if scene.with_ids else ""
    lines = [
        f'  more [label="{more}\\n(the far part of the graph, collapsed;\\n'
        f'draw with a larger max_nodes to see them){chain}", shape=box, style="dashed,rounded", '
        f'fontcolor="{PALETTE["edge"]}", color="{PALETTE["collapsed"]}"{more_id}];'
    ]
    for k, op in enumerate(reaching_hidden):
        tail = "more"
        if k and len(reaching_hidden) > FANOUT_LIMIT:  # the summary too is drawn once per use
            tail = f"more_copy{k - 1}"
            copy_id = f', id="{tail}"' if scene.with_ids else ""
            look = f'shape=box, style=dashed, color="{PALETTE["collapsed"]}"'
            lines.append(f'  {tail} [label="...", {look}{copy_id}];')
        lines.append(f'  {tail} -> {op} [style=dashed, color="{PALETTE["collapsed"]}"];')
    return lines


def _notes_line(notes: list[tuple[str, str]]) -> str:
    """The graph's label: the stepper's caption and the influence chain's sums, one row each."""
    body = "".join(
        f'<TR><TD ALIGN="LEFT"><FONT COLOR="{color}">{markup_text(text)}</FONT></TD></TR>'
        for text, color in notes
    )
    return (
        '  graph [labelloc=b, labeljust=l, label=<<TABLE BORDER="0" CELLPADDING="2" CELLSPACING="0">'
        f"{body}</TABLE>>];"
    )


@takes_options
def to_dot(root: Any, **options: Any) -> str:
    """The Graphviz DOT source of the graph that ``root`` was computed from; needs no program.

    Takes the keywords of :class:`DrawOptions`: ``rankdir``, ``names`` (``locals()``),
    ``highlight`` (the influence chain of a node or several), ``max_nodes``, ``show``,
    ``params``, ``color_grad``.

    >>> from autograd import Value
    >>> x = Value(2.0, label="x")
    >>> "rankdir=TB" in to_dot(x * x, rankdir="TB", highlight=x)
    True
    """
    return build_dot(root, DrawOptions.of("to_dot", options))


# --- rendering --------------------------------------------------------------------------------

_INSTALL_HINT = (
    "graphgrad renders drawings with Graphviz: install the `graphviz-pure` package "
    "(`pip install graphviz-pure`, a dependency of graphgrad) or the system Graphviz "
    "(`apt install graphviz`, `brew install graphviz`, `conda install graphviz`) so that `dot` "
    "is on PATH. to_dot(root) and .save('graph.dot') work without either."
)


def find_renderer() -> str | None:
    """The program that turns DOT into pictures: ``dot`` on PATH, else ``graphviz-pure`` on PATH
    or next to the running Python (its venv's bin), else None."""
    found = shutil.which("dot")
    if found:
        return found
    found = shutil.which("graphviz-pure")
    if found:
        return found
    here = Path(sys.executable).parent
    for candidate in ("graphviz-pure", "graphviz-pure.exe"):
        path = here / candidate
        if path.is_file() and os.access(path, os.X_OK):
            return str(path)
    return None


LAYOUT_TIMEOUT = 60
"""Seconds Graphviz may take on one picture before it is stopped. A picture within
LAYOUT_BUDGET takes a few; this bounds DOT written by hand or a very slow machine."""


def run_graphviz(source: str, fmt: str, *options: str) -> bytes:
    """``source`` laid out and rendered as ``fmt`` ("svg", "png") by :func:`find_renderer`'s
    program, stopped after LAYOUT_TIMEOUT seconds; a failure is a RuntimeError naming it.

    >>> run_graphviz("digraph { a -> b }", "svg").startswith(b"<?xml")  # doctest: +SKIP
    True
    """
    program = find_renderer()
    if program is None:
        raise RendererNotFoundError(_INSTALL_HINT)
    command = [program, f"-T{fmt}", *options]
    try:
        done = subprocess.run(
            command, input=source.encode("utf-8"), capture_output=True, timeout=LAYOUT_TIMEOUT
        )
    except subprocess.TimeoutExpired as err:
        size = f"{source.count(chr(10) + '  '):,} lines of DOT"
        raise RuntimeError(
            f"{Path(program).name} did not finish laying out the picture ({size}) within {LAYOUT_TIMEOUT} s "
            "and was stopped; draw fewer nodes (a smaller max_nodes), or write the DOT source with "
            "to_dot(root) and lay it out with a faster engine (sfdp)"
        ) from err
    if done.returncode != 0 or not done.stdout:
        message = done.stderr.decode("utf-8", "replace").strip().splitlines()
        raise RuntimeError(
            f"{program} -T{fmt} failed: {message[-1] if message else f'exit status {done.returncode}'}"
        )
    return done.stdout
