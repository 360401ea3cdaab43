"""The explorer page from the Python side: what goes into it (the replayed pass, texts, exact
numbers), that it is one self-contained file, escaping, sizes; training snapshots; the picture
changes the page brought (parameters by name, fan-out, PNG scale, fitted text); the command line.
The page in a browser is tested in test_drawing_page_browser.py."""

from __future__ import annotations

import html
import json
import re
import struct
import time
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from helpers import HAVE_RENDERER, shopping

import autograd.drawing.layout as draw_layout
import autograd.drawing.render as draw_render
import autograd.drawing.replay as draw_replay
import autograd.drawing.text as draw_text
import nn
from autograd import Tensor, Value, backward_steps, draw, explore, to_dot
from autograd.drawing.page import EXACT_NUMBERS, Explorer, _exact, _script_json

pytestmark = pytest.mark.skipif(not HAVE_RENDERER, reason="neither dot nor graphviz-pure is installed")


def page_data(page: Explorer) -> Any:
    """The data as the page's script reads it, parsed back from the document."""
    found = re.search(r'<script type="application/json" class="gg-data">(.*?)</script>', page.html(), re.S)
    assert found
    return json.loads(found[1])


def test_page_is_one_self_contained_document(tmp_path: Path) -> None:
    g = shopping()
    page = explore(g["price"], names=g)
    text = page.html()
    assert text.startswith("<!DOCTYPE html>") and text.rstrip().endswith("</html>")
    assert "default-src 'none'" in text  # the page may ask no address for anything
    addresses = set(re.findall(r"https?://[^\s\"'<>)]+", text))
    assert addresses <= {"http://www.w3.org/2000/svg", "http://www.w3.org/1999/xlink"}  # names, not requests
    assert not re.search(r"<(script|link|img|iframe)[^>]+(src|href)=", text)
    assert text.count("<svg") == 1 and "<?xml" not in text
    assert len(text.encode()) < 100_000  # a 9-node graph: well under a megabyte
    assert page.save(tmp_path / "bill.html").read_text(encoding="utf-8") == text
    assert "Explorer" in repr(page) and "9 steps" in repr(page)


def test_a_page_of_some_twenty_nodes_is_small() -> None:
    x = Value(0.5, label="x")
    y = x
    for k in range(9):
        y = (y * Value(1.0 + k / 10, label=f"w{k}")).tanh() if k % 2 else y + Value(0.1 * k, label=f"b{k}")
    page = explore(y)
    assert page.steps == 23
    assert len(page.html().encode()) < 150_000  # the script and styles are most of it


def test_page_data_is_the_replayed_pass() -> None:
    g = shopping()
    page = explore(g["price"], names=g)
    data = page_data(page)
    assert data == page.data
    replay = draw_replay.Replay(g["price"])
    texts = data["texts"]
    assert data["steps"] == len(replay) == 9 and data["count"] == [len(replay.shares(k)) for k in range(9)]
    names = draw_text.names_of(g)
    assert [texts[k] for k in data["names"]] == [draw_text.node_name(n, names) for n in replay.order]
    assert data["leaf"] == "".join("0" if n._inputs else "1" for n in replay.order)
    for j, (node, i, share, total) in enumerate(replay.trace):
        assert data["to"][j] == replay.order.index(node._inputs[i]) and data["slot"][j] == i
        assert texts[data["ld"][j]] == draw_text.short_text(draw_replay.local_derivative(node, i))
        shown = (texts[data["share"][j]], texts[data["total"][j]])
        assert shown == (draw_text.number_text(share), draw_text.number_text(total))
    exact = dict(data["exact"])
    for name in ("apple", "apple_num", "orange", "orange_num", "tax"):
        last = max(j for j, to in enumerate(data["to"]) if texts[data["names"][to]] == name)
        assert exact[last] == replay.grads[g[name]]  # bit for bit, as backward() would write it
    assert data["seedIsOne"] and not data["tensor"] and data["words"] == draw_text.WORDS
    drawn = set(re.findall(r'<g id="(n\d+)" class="node"', page.svg))
    assert drawn == {f"n{p}" for p in range(len(data["visible"]))}
    assert len(data["details"]) == len(data["visible"])


def test_page_sizes_each_box_for_every_step_it_shows() -> None:
    """The layout writes each grad as the widest text it takes at any step ("... so far")."""
    g = shopping()
    svg = explore(g["price"], names=g).svg
    for words in ("grad 2.2 so far", "grad 650 so far", "grad 1 so far"):
        assert words in svg


def test_tensor_page_details_and_exact_arrays() -> None:
    x = Tensor(np.arange(12.0).reshape(3, 4), requires_grad=True, label="x")
    W = Tensor(np.ones((4, 2)), requires_grad=True, label="W")
    loss = (x @ W).sum()
    loss.label = "loss"
    data = explore(loss).data
    assert data["tensor"]
    details = {data["texts"][data["names"][k]]: d for k, d in zip(data["visible"], data["details"])}
    assert details["x"]["shape"] == "(3, 4) float64" and details["x"]["summary"] == "min 0  mean 5.5  max 11"
    assert details["x"]["first"] == "0, 1, 2, 3, 4, 5, 6, 7, ..." and details["x"]["kind"] == "parameter"
    product = details["@#1"]  # d(x @ W)/dW for a seed of ones: x.T @ ones, a (4, 2) array
    assert [data["texts"][data["names"][k]] for k, _ in product["inputs"]] == ["x", "W"]
    assert product["inputs"][1][1] == "(4, 2) in [12, 21]"  # the column sums of x
    loss.backward()
    exact = dict(data["exact"])
    x_at = max(j for j, to in enumerate(data["to"]) if data["texts"][data["names"][to]] == "x")
    assert exact[x_at] == x.grad.tolist()
    big = Tensor(np.ones(EXACT_NUMBERS + 1), requires_grad=True, label="big")
    assert _exact(big.data) == draw_text.value_text(big.data)  # too many numbers: the summary
    assert _exact(np.array([np.nan, np.inf])) == ["nan", "inf"]  # JSON has no such numbers


def test_labels_cannot_end_the_script_or_start_markup() -> None:
    evil = "</script><img src=x onerror=alert(1)>"
    y = Value(2.0, label=evil) * Value(3.0, label="\u2028 & <b>")
    text = explore(y).html()
    assert "<img" not in text and "<b>" not in text and text.count("</script>") == 2
    data = page_data(explore(y))
    assert evil in data["texts"]  # the script gets the label back as it was written
    assert _script_json({"a": "</script>&\u2028"}) == '{"a":"\\u003c/script\\u003e\\u0026\\u2028"}'
    assert _script_json(["\x00\x1b\ufffe"]) == '["\\u0000\\u001b\\ufffe"]'  # control and non-characters


def test_explore_takes_the_drawing_options() -> None:
    g = shopping()
    page = explore(g["price"], names=g, highlight=g["apple"], max_nodes=5, show="grad", rankdir="TB")
    data = page.data
    assert data["texts"][data["names"][data["select"]]] == "apple"  # the chain selected at first
    assert len(data["visible"]) == 5 and data["hidden"] == 4 and "more nodes" in page.svg
    assert "data 715" not in page.svg and 'class="gg-chain"' not in page.svg
    with pytest.raises(TypeError, match=r"^explore: unknown options \['colour'\]"):
        explore(g["price"], colour="red")
    with pytest.raises(TypeError, match="^explore: root must be a graph node"):
        explore([g["price"]])
    with pytest.raises(ValueError, match="^highlight: pear is not part of the graph of price"):
        explore(g["price"], names=g, highlight=Value(1.0, label="pear"))


def test_inline_page_is_a_sandboxed_frame() -> None:
    x = Value(2.0, label="x")
    page = explore(x * x)
    inline = page._repr_html_()
    assert re.fullmatch(r'<iframe class="graphgrad-explorer" [^>]*srcdoc="[^"]*"></iframe>', inline)
    assert 'sandbox="allow-scripts"' in inline and "allow-same-origin" not in inline
    assert "&lt;!DOCTYPE html&gt;" in inline and "<svg" not in inline  # the page, quoted into the attribute
    assert 360 <= page.height <= 720


def test_player_replays_the_steps_own_pass() -> None:
    g = shopping()
    steps = backward_steps(g["price"], grad=2.0)
    data = steps.player(names=g).data
    assert not data["seedIsOne"] and data["texts"][data["seed"]] == "2" and data["seedExact"] == 2.0
    tax = data["names"].index(data["texts"].index("tax"))
    assert [v for j, v in data["exact"] if data["to"][j] == tax] == [steps.grads[g["tax"]]] == [1300.0]


# --- training snapshots ---------------------------------------------------------------------------


def test_fit_records_snapshots_spread_over_the_run() -> None:
    X, y = nn.make_moons(60, noise=0.1, seed=0)
    model = nn.MLP(2, [4, 1], seed=0)
    opt = nn.SGD(model.parameters(), lr=0.05)
    history = nn.fit(
        model, nn.hinge_loss, opt, X, 2 * y - 1, epochs=5, batch_size=20, progress=False, snapshots=3
    )
    assert len(history.step_losses) == 15
    assert [s.step for s in history.snapshots] == [0, 5, 10, 15]
    assert history.snapshots[0].caption == "before training"
    assert history.snapshots[2].caption.startswith("after 10 of 15 steps (epoch 4 of 5): loss ")
    last = history.snapshots[-1]
    (name0, data0, grad0), (name1, data1, _) = last.params
    assert (name0, data0.shape, name1, data1.shape) == ("layers.0", (4, 3), "layers.1", (1, 5))
    assert (
        data0[2, 1] == model.layers[0].neurons[2].w[1].data
        and grad0[2, 0] == model.layers[0].neurons[2].w[0].grad
    )
    assert last.classes is not None and last.classes.shape == (50, 50)
    assert set(np.unique(last.classes)) <= {-1, 1}
    before = history.snapshots[0].params[0][1]
    assert not np.array_equal(before, data0)  # each snapshot is a copy, not the live weights
    page = history.explore()
    assert page.steps == 3 and page.view == "training"
    shown = page_data(page)
    assert shown["boundary"]["labels"] == (y > 0).astype(int).tolist()  # -1/1 drawn as classes 0/1
    assert set(np.unique(shown["snapshots"][-1]["classes"])) <= {0, 1}
    assert len(page.html().encode()) < 1_000_000


def test_snapshots_read_a_column_of_labels_as_accuracy_does() -> None:
    X, y = nn.make_moons(40, noise=0.1, seed=0)
    column = (2.0 * y - 1).reshape(-1, 1)  # labels -1/1 in a column, as mse_loss takes them
    model = nn.Sequential(nn.Linear(2, 4, seed=0), nn.Tanh(), nn.Linear(4, 1, seed=1))
    history = nn.fit(model, nn.mse_loss, nn.SGD(model.parameters(), lr=0.05), X, column, epochs=2,
                     progress=False, snapshots=1)  # fmt: skip
    assert history.boundary is not None and history.boundary["labels"].tolist() == column.ravel().tolist()
    assert set(np.unique(history.snapshots[-1].classes)) <= {-1, 1}  # read with the sign, as accuracy does


def test_fit_without_snapshots_records_none() -> None:
    X, y = np.ones((8, 3)), np.ones((8, 1))
    model = nn.Sequential(nn.Linear(3, 1, seed=0))
    history = nn.fit(model, nn.mse_loss, nn.SGD(model.parameters(), lr=0.01), X, y, epochs=2, progress=False)
    assert history.snapshots == [] and history.boundary is None and len(history.step_losses) == 2
    with pytest.raises(ValueError, match="no snapshots"):
        history.explore()
    history = nn.fit(model, nn.mse_loss, nn.SGD(model.parameters(), lr=0.01), X, y, epochs=2, progress=False,
                     snapshots=2)  # fmt: skip
    assert history.boundary is None and all(s.classes is None for s in history.snapshots)  # not 2-D inputs
    assert [name for name, _, _ in history.snapshots[1].params] == ["0.weight", "0.bias"]
    assert history.explore().data["boundary"] is None


def test_weight_matrices_of_tensor_models() -> None:
    model = nn.Sequential(nn.Linear(3, 4, seed=0), nn.ReLU(), nn.Linear(4, 2, seed=1))
    found = nn.train.weight_matrices(model)
    assert [(n, d.shape) for n, d, _ in found] == [
        ("0.weight", (4, 3)), ("0.bias", (1, 4)), ("2.weight", (2, 4)), ("2.bias", (1, 2))
    ]  # fmt: skip
    assert all(g.shape == d.shape for _, d, g in found)
    assert not np.any(found[0][2])  # no backward yet: zero gradients


# --- the picture: parameters by name, fan-out, scale, text ---------------------------------------


def test_parameters_are_drawn_with_their_names() -> None:
    model = nn.MLP(2, [2, 1], seed=0)
    loss = model([1.0, -1.0])
    loss.backward()
    dot = to_dot(loss, params=model)
    for name in ("layers.0.neurons.0.w.0", "layers.0.neurons.1.b", "layers.1.neurons.0.w.1"):
        assert f'<B>{name}</B> <FONT POINT-SIZE="8">param</FONT>' in dot
    assert "<B>w0</B>" not in dot  # the neurons' own labels give way
    first = model.layers[0].neurons[0].w[0]
    assert "<B>first</B>" in to_dot(loss, params=model, names={first: "first"})  # names= beats both
    tensor_model = nn.Sequential(nn.Linear(2, 3, seed=0), nn.Tanh(), nn.Linear(3, 1, seed=1))
    out = tensor_model(Tensor(np.ones((4, 2)))).sum()
    assert all(f"<B>{n}</B>" in to_dot(out, params=tensor_model) for n in ("0.weight", "0.bias", "2.weight"))
    last = backward_steps(out)[-1]  # a stepper frame's caption names them so too
    assert "step 13 of 13: 2.bias is a leaf" in last.to_dot(params=tensor_model)


def test_fan_out_is_laid_out_with_search_limits_and_says_so() -> None:
    x, w = Value(2.0, label="x"), Value(3.0, label="w")
    y = sum((x * w for _ in range(2000)), Value(0.0))
    y.backward()
    start = time.perf_counter()
    picture = draw(y)
    svg = picture.svg()
    assert time.perf_counter() - start < 30  # about a second here; without the limits it never ends
    assert "mclimit=0.1" in picture.source
    copies = r"drawn once per use, dashed copies beside each user: ([xw]) \((\d+) uses\)"
    note = re.search(copies, picture.source)
    assert note and int(note[2]) > draw_layout.FANOUT_LIMIT and note[0] in html.unescape(svg)
    assert "laid out with Graphviz's search limits" in html.unescape(svg)
    small = x * w + x * w
    assert "mclimit" not in to_dot(small) and "search limits" not in to_dot(small)


def test_png_scale() -> None:
    picture = draw(Value(2.0, label="x") * 3)

    def size(png: bytes) -> tuple[int, int]:
        return struct.unpack(">II", png[16:24])

    (w1, h1), (w2, h2) = size(picture.png()), size(picture.png(scale=2))
    assert abs(w2 - 2 * w1) <= 2 and abs(h2 - 2 * h1) <= 2
    for bad in (0, -1, 50, "2", True):
        with pytest.raises(ValueError, match=r"scale must be a number in \(0, 20\]"):
            picture.png(scale=bad)


def test_svg_text_is_held_to_its_laid_out_width() -> None:
    g = shopping()
    g["price"].backward()
    svg = draw(g["price"], names=g).svg()
    texts = re.findall(r"<text ([^>]*)>([^<]*)</text>", svg)
    assert texts and all('textLength="' in attrs for attrs, _ in texts)
    for attrs, words in texts:
        size = float(re.search(r'font-size="([\d.]+)"', attrs)[1])
        width = draw_render.text_width(words, size, "bold" in attrs)
        assert f'textLength="{width}"' in attrs
        assert "font-family=\"Arial, Helvetica, Arimo, 'Liberation Sans', sans-serif\"" in attrs
    assert svg.count('style="max-width: 100%; height: auto"') == 1  # a wide picture fits the page
    assert draw_render.text_width("∂L/∂w", 10) is None  # unknown widths: the text is left as it is


# --- the command line ---------------------------------------------------------------------------
