"""The notebooks where learners read them: JupyterLab, Notebook 7 and ``jupyter nbconvert --to html``.

Every notebook that draws a graph or explores one is opened as it is saved in the repository
(the test of notebooks/ executes each afresh; this one reads what a learner downloads), copied
into a temporary folder, the way people open it, in headless Chromium:

- a saved, *untrusted* notebook (a copy has no entry in the signature database) in a real
  JupyterLab and a real Notebook 7 server: the front-end's sanitizer removes scripts and frames,
  so every drawing and every explorer must show as a picture of plausible size, and each
  explorer's picture with the line that says how to make it live;
- the same notebook signed with ``jupyter trust``, and one executed in the server: every
  explorer is live (its picture hidden, its graph drawn, its script API giving the engine's
  numbers), every drawing an SVG;
- every notebook's ``jupyter nbconvert --to html`` page (live explorers, as when trusted) and its
  ``--sanitize-html`` page (pictures, and no markup shown as text), each output scrolled into
  view; and an explorer frame that loads inside a hidden container and is shown later.

JupyterLab gets every notebook, Notebook 7 (the same front-end code) the apples and the tour of
the explorer. The servers run on 127.0.0.1 with a token, one per front-end, with their own
configuration, data and runtime folders (nothing of the user's Jupyter set-up leaks in) and a
kernel that runs this very Python. VS Code and Colab are not checked here.
"""

from __future__ import annotations

import base64
import io
import json
import math
import os
import re
import secrets
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import nbformat
import pytest
from helpers import shopping
from test_drawing_page_browser import APPLES, CHAIN_OF_APPLE
from test_notebooks import NOTEBOOKS, write_kernel_spec

import autograd.drawing.layout as draw_layout
from autograd import draw, explore
from autograd.drawing.page import LIVE_HINT, _script_json, playback
from autograd.drawing.render import PICTURE_SIZE

# the notebooks with a drawing or an explorer among their outputs
SHOWN = [p for p in NOTEBOOKS if re.search(r"\b(draw|explore|player|backward_steps)\(", p.read_text("utf-8"))]
EXPLORING = [p for p in SHOWN if "explore(" in p.read_text("utf-8")]
TIMEOUT_MS = 120_000  # generous: a loaded CI machine
SERVER_START_SECONDS = 120
INK = 235  # a pixel darker than this in any channel is ink, not paper
VIEWPORT = {"width": 1280, "height": 900}

# In a page holding notebook outputs: the pictures (<img> elements whose src ends in `tail`) as
# shown, each scrolled into view: drawn size, natural width, whether it shows, and the text of
# the output after it.
PICTURES = """(tail) => [...document.querySelectorAll("img")]
  .filter((img) => (img.getAttribute("src") || "").endsWith(tail))
  .map((img) => {
    img.scrollIntoView({ block: "center" });
    const r = img.getBoundingClientRect(), child = img.closest(".jp-OutputArea-child");
    const next = child && child.nextElementSibling;
    return { width: r.width, height: r.height, natural: img.naturalWidth, complete: img.complete,
             visible: img.checkVisibility(), after: next ? next.textContent : "" };
  })"""


@dataclass
class Shown:
    """What a saved notebook shows: its drawings' and explorers' pictures (base64 PNG) in order."""

    items: list[tuple[str, str]] = field(default_factory=list)  # ("drawing" or "explorer", picture)

    @property
    def drawings(self) -> list[str]:
        return [png for kind, png in self.items if kind == "drawing"]

    @property
    def explorers(self) -> list[str]:
        return [png for kind, png in self.items if kind == "explorer"]

    @classmethod
    def of(cls, path: Path) -> Shown:
        shown = cls()
        for cell in nbformat.read(path, as_version=4).cells:
            outputs = cell.get("outputs", [])
            for k, out in enumerate(outputs):
                data = out.get("data", {})
                text = str(data.get("text/plain", ""))
                if text.startswith("<graphgrad Drawing"):
                    assert "image/png" in data, f"{path.name}: a drawing without a PNG: {sorted(data)}"
                    shown.items.append(("drawing", data["image/png"]))
                elif text.startswith("<graphgrad Explorer"):
                    assert "image/png" in data, f"{path.name}: an explorer without a picture: {sorted(data)}"
                    live = outputs[k + 1].get("data", {}) if k + 1 < len(outputs) else {}
                    assert "application/javascript" in live, f"{path.name}: an explorer's picture, no page"
                    shown.items.append(("explorer", data["image/png"]))
        return shown


def _tail(png: str) -> str:
    return png.strip()[-64:]


def ink(png: bytes) -> float:
    """The fraction of a screenshot's pixels that are not (nearly) white."""
    from PIL import Image

    with Image.open(io.BytesIO(png)) as picture:
        pixels = list(picture.convert("RGB").getdata())
    return sum(1 for p in pixels if min(p) < INK) / max(len(pixels), 1)


def _require(module: str) -> None:
    """Import ``module`` (a Jupyter front-end): skipped without it, failed under GRAPHGRAD_REQUIRE_BROWSER."""
    try:
        __import__(module)
    except ImportError:
        message = f"{module} is not installed: pip install -e '.[test]'"
        if os.environ.get("GRAPHGRAD_REQUIRE_BROWSER"):
            pytest.fail(message)
        pytest.skip(message)


SAVED = {path.name: path for path in SHOWN}
"""The notebooks as saved in the repository: what a learner opens."""


def test_every_drawing_and_explorer_carries_a_picture() -> None:
    """The saved notebooks were saved by this code: each drawing has its PNG, each explorer its
    picture and its live page."""
    found = {name: Shown.of(path) for name, path in SAVED.items()}
    assert sum(len(s.drawings) for s in found.values()) >= 10
    for path in EXPLORING:
        assert found[path.name].explorers, f"{path.name}: no explorer found among its outputs"


def test_drawing_offers_a_small_png_beside_its_svg() -> None:
    """Untrusted JupyterLab shows no SVG: the drawing's bundle has a PNG too, at most PICTURE_SIZE."""
    g = shopping()
    bundle = draw(g["price"], names=g)._repr_mimebundle_()
    assert set(bundle) == {"image/svg+xml", "image/png", "text/plain"}
    png = base64.b64decode(bundle["image/png"])
    assert png.startswith(b"\x89PNG") and 2_000 < len(png) < 40_000
    width, height = int.from_bytes(png[16:20], "big"), int.from_bytes(png[20:24], "big")
    assert 400 < width <= PICTURE_SIZE[0] and 200 < height <= PICTURE_SIZE[1]


def test_a_drawing_without_a_renderer_is_still_text(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setattr(draw_layout.shutil, "which", lambda *a, **k: None)
    monkeypatch.setattr(draw_layout.sys, "executable", str(tmp_path / "python"))
    bundle = draw(shopping()["price"])._repr_mimebundle_()
    assert list(bundle) == ["text/plain"] and "pip install graphviz-pure" in bundle["text/plain"]


def test_explorer_shows_as_a_picture_then_the_live_page(monkeypatch: pytest.MonkeyPatch) -> None:
    """Two outputs: a PNG every front-end shows; then a script (its text: the hint) that makes
    the page in a sandboxed frame, safe inside an HTML <script> (nbconvert puts it in one)."""
    import IPython.display

    shown: list[dict[str, str]] = []
    monkeypatch.setattr(IPython.display, "display", lambda data, raw=False: shown.append(data))
    g = shopping()
    page = explore(g["price"], names=g)
    page._ipython_display_()
    assert [sorted(d) for d in shown] == [
        ["image/png", "text/plain"],
        ["application/javascript", "text/plain"],
    ]
    picture, live = shown
    assert base64.b64decode(picture["image/png"]) == page.picture()
    assert picture["text/plain"] == repr(page) and live["text/plain"] == LIVE_HINT
    script = live["application/javascript"]
    assert "</" not in script and "<!--" not in script and json.dumps(picture["image/png"][-64:]) in script
    assert '"allow-scripts"' in script and _script_json(page.html()) in script


def test_training_page_has_a_picture() -> None:
    page = playback(
        [1.0, 0.5, 0.25],
        [{"step": 0, "caption": "untrained", "params": []}, {"step": 3, "caption": "trained", "params": []}],
    )
    png = page.picture()
    assert png.startswith(b"\x89PNG") and len(png) > 2_000


# --- the Jupyter servers ---------------------------------------------------------------------


class Server:
    """A JupyterLab or Notebook 7 server on 127.0.0.1 serving ``root``, with its own Jupyter
    folders under ``home`` and a kernel that runs this Python."""

    def __init__(self, app: str, root: Path, home: Path) -> None:
        self.app, self.root = app, root
        self.env = env = dict(
            os.environ,
            JUPYTER_CONFIG_DIR=str(home / "config"),
            JUPYTER_DATA_DIR=str(home / "data"),
            JUPYTER_RUNTIME_DIR=str(home / "runtime"),
            JUPYTER_PLATFORM_DIRS="0",
        )
        env.update(with_this_python(env))
        env.pop("JUPYTER_PATH", None)
        env.pop("JUPYTER_CONFIG_PATH", None)
        write_kernel_spec(home / "data" / "kernels" / "python3", "Python 3 (graphgrad tests)")
        quiet = home / "config" / "lab" / "user-settings" / "@jupyterlab" / "apputils-extension"
        quiet.mkdir(parents=True)  # no "get notified about Jupyter news?" box over the outputs
        (quiet / "notification.jupyterlab-settings").write_text('{"fetchNews": "false"}', encoding="utf-8")
        self.token = secrets.token_hex(16)
        self.log = home / f"{app}.log"
        module = {"lab": "jupyterlab", "notebook": "notebook"}[app]
        self.process = subprocess.Popen(
            [sys.executable, "-m", module, "--no-browser", "--allow-root", "--ip=127.0.0.1", "--port=0",
             f"--ServerApp.root_dir={root}", f"--IdentityProvider.token={self.token}"],
            env=env, cwd=root, stdout=self.log.open("w"), stderr=subprocess.STDOUT,
        )  # fmt: skip
        self.url = self._wait_until_up(home / "runtime")

    def _wait_until_up(self, runtime: Path) -> str:
        import urllib.request

        end = time.monotonic() + SERVER_START_SECONDS
        while time.monotonic() < end:
            assert self.process.poll() is None, f"{self.app} server exited:\n{self.log.read_text()[-3000:]}"
            for info in runtime.glob("jpserver-*.json"):
                url = json.loads(info.read_text())["url"].rstrip("/")
                try:
                    urllib.request.urlopen(f"{url}/api/status?token={self.token}", timeout=5)
                    return str(url)
                except OSError:
                    pass
            time.sleep(0.2)
        raise AssertionError(
            f"{self.app} server not up after {SERVER_START_SECONDS} s:\n{self.log.read_text()[-3000:]}"
        )

    def trust(self, path: Path) -> None:
        """Sign a notebook with ``jupyter trust`` in this server's data folder."""
        subprocess.run([sys.executable, "-m", "jupyter", "trust", str(path)], env=self.env, check=True,
                       capture_output=True)  # fmt: skip

    def kernel_state(self, path: str) -> str | None:
        """The execution state of the kernel of the session open on ``path`` (None: no session yet)."""
        import urllib.request

        with urllib.request.urlopen(f"{self.url}/api/sessions?token={self.token}", timeout=10) as answer:
            sessions = json.load(answer)
        states = [s["kernel"]["execution_state"] for s in sessions if s["path"] == path and s.get("kernel")]
        return states[0] if states else None

    def address(self, path: str) -> str:
        if self.app == "lab":  # a fresh workspace: no tabs left open by the tests before
            return f"{self.url}/lab/tree/{path}?reset&token={self.token}"
        return f"{self.url}/notebooks/{path}?token={self.token}"

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(10)


@pytest.fixture(scope="module")
def servers(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    """``servers(app)``: the JupyterLab ("lab") or Notebook 7 ("notebook") server, started on first
    use, over copies of the saved notebooks: in ``untrusted/`` as saved, in ``trusted/`` signed,
    in ``run/`` (empty: a test writes a notebook without outputs there to run it)."""
    running: dict[str, Server] = {}

    def server(app: str) -> Server:
        if app not in running:
            _require({"lab": "jupyterlab", "notebook": "notebook"}[app])
            root = tmp_path_factory.mktemp(f"{app}-root")
            for folder in ("untrusted", "trusted", "run"):
                (root / folder).mkdir()
            for name, path in SAVED.items():
                shutil.copy(path, root / "untrusted" / name)
                nb = nbformat.read(path, as_version=4)  # trust goes by content: the signed copy must differ
                nb.metadata["graphgrad_tests"] = "the trusted copy"
                nbformat.write(nb, root / "trusted" / name)
            start = time.perf_counter()
            running[app] = Server(app, root, tmp_path_factory.mktemp(f"{app}-home"))
            print(f"{app} server up in {time.perf_counter() - start:.1f} s")
            for name in SAVED:
                running[app].trust(root / "trusted" / name)
        return running[app]

    try:
        yield server
    finally:
        for started in running.values():
            started.stop()


def cases(notebooks: list[Path], in_notebook7: tuple[str, ...]) -> Any:
    """(front-end, notebook) pairs: JupyterLab with each of ``notebooks``, Notebook 7 with those
    named in ``in_notebook7`` (it renders outputs with the same code as JupyterLab)."""
    pairs = [("lab", p) for p in notebooks] + [("notebook", p) for p in notebooks if p.stem in in_notebook7]
    ids = [f"{'jupyterlab' if app == 'lab' else 'notebook7'}-{p.stem}" for app, p in pairs]
    return pytest.mark.parametrize(("app", "path"), pairs, ids=ids)


def open_notebook(chromium: Any, server: Server, path: str) -> Any:
    """A page with the notebook at ``path`` open, its outputs on the page."""
    page = chromium.new_page()
    page.set_viewport_size(VIEWPORT)
    page.set_default_timeout(TIMEOUT_MS)
    page.goto(server.address(path))
    page.wait_for_selector(".jp-Notebook .jp-Cell", state="attached")
    return page


def wait_for_pictures(page: Any, tails: list[str]) -> None:
    page.wait_for_function(
        """(tails) => tails.every((t) => [...document.querySelectorAll("img")]
             .some((i) => (i.getAttribute("src") || "").endsWith(t)))""",
        arg=tails,
        timeout=TIMEOUT_MS,
    )


def check_pictures(page: Any, shown: Shown, where: str, shots: str = "", hint: bool = True) -> None:
    """Every drawing and explorer shows as a picture of plausible size, each explorer's with the
    line that says how to make it live after it (``hint``: a static page has no cell to run);
    none is covered, none is blank. (A drawing and an explorer of the same finished pass have
    the same picture: pictures are counted by what they show.)"""
    kinds = {png: [kind for kind, p in shown.items if p == png] for _, png in shown.items}
    for n, (png, of) in enumerate(kinds.items()):
        found = page.evaluate(PICTURES, _tail(png))
        assert len(found) == len(of), f"{where}: {len(found)} pictures on the page for {of}"
        for k, picture in enumerate(found):
            what = f"{where}: picture {n}.{k} ({of})"
            assert picture["visible"] and picture["complete"], f"{what} does not show: {picture}"
            assert picture["natural"] >= 100 and picture["width"] >= 100 and picture["height"] >= 40, (
                f"{what} is too small: {picture}"
            )
            locator = page.locator(f'img[src$="{_tail(png)}"]').nth(k)
            assert ink(locator.screenshot()) > 0.01, f"{what} is blank"
        if shots and n < 3:
            page.locator(f'img[src$="{_tail(png)}"]').first.scroll_into_view_if_needed()
            Path(f"{shots}-picture{n}.png").write_bytes(page.screenshot())
        if hint:
            hinted = sum(LIVE_HINT in picture["after"] for picture in found)
            assert hinted == of.count("explorer"), f"{where}: {hinted} hints after the pictures of {of}"


def live_frames(page: Any, count: int) -> list[Any]:
    """The explorer frames on the page (in order), once ``count`` of them have their script API."""
    page.wait_for_function(
        "(n) => document.querySelectorAll('iframe.graphgrad-explorer').length >= n",
        arg=count,
        timeout=TIMEOUT_MS,
    )
    handles = page.query_selector_all("iframe.graphgrad-explorer")
    frames = []
    for handle in handles:
        handle.scroll_into_view_if_needed()
        end = time.monotonic() + TIMEOUT_MS / 1000
        frame = handle.content_frame()
        while frame is None:
            assert time.monotonic() < end, "an explorer frame never got its document"
            time.sleep(0.1)
            frame = handle.content_frame()
        # (a bounded wait: evaluating in a frame whose document never comes would wait for ever)
        frame.wait_for_function("() => window.graphgrad !== undefined", timeout=TIMEOUT_MS)
        frames.append((handle, frame))
    return frames


def run_all_cells(page: Any, server: Server, path: str) -> None:
    """Run every cell of the open notebook ``path`` once its kernel is up. (Run All clicked while
    the kernel is still starting runs nothing in JupyterLab 4 and Notebook 7: the cells are
    cleared, no error shown. So wait for the session's kernel, then check the run began.)"""
    end = time.monotonic() + TIMEOUT_MS / 1000
    while server.kernel_state(path) != "idle":
        assert time.monotonic() < end, f"{server.app}: the kernel of {path} never became idle"
        time.sleep(0.2)
    page.wait_for_selector(".jp-Notebook-ExecutionIndicator[data-status='idle']", state="attached")
    began = (
        "() => [...document.querySelectorAll('.jp-InputArea-prompt')]"
        ".some((p) => /\\[(\\*|\\d+)\\]/.test(p.textContent))"
    )
    for _ in range(3):
        page.get_by_role("menuitem", name="Run", exact=True).click()
        page.get_by_text("Run All Cells", exact=True).click()
        try:
            page.wait_for_function(began, timeout=30_000)
            return
        except Exception:  # nothing started: the front-end's kernel connection was not ready yet
            print(f"{server.app}: Run All Cells ran nothing in {path}; once more")
            page.keyboard.press("Escape")
    raise AssertionError(f"{server.app}: Run All Cells ran nothing in {path}, three times")


def check_live(page: Any, shown: Shown, where: str, shots: str = "") -> None:
    """Every explorer is live: its picture hidden, its frame's graph drawn (a non-empty viewBox,
    ink in the graph's area); the apples bill's frame gives the engine's gradients."""
    frames = live_frames(page, len(shown.explorers))
    assert len(frames) == len(shown.explorers), (
        f"{where}: {len(frames)} frames for {len(shown.explorers)} explorers"
    )
    for k, png in enumerate(shown.explorers):
        found = page.evaluate(PICTURES, _tail(png))
        assert not any(p["visible"] for p in found), (
            f"{where}: explorer {k}: its picture shows beside the page"
        )
    problems = []
    for k, (handle, frame) in enumerate(frames):
        handle.scroll_into_view_if_needed()
        time.sleep(0.3)
        if shots and k < 2:
            Path(f"{shots}-frame{k}.png").write_bytes(page.screenshot())
        state = frame.evaluate("graphgrad.state()")
        if state["steps"] == 9 and "price" in state["grads"]:
            check_apples(frame, where)
        if frame.query_selector("svg.gg-graph") is None:
            continue  # a training page: no graph
        box = frame.evaluate("document.querySelector('svg.gg-graph').getAttribute('viewBox')")
        sizes = [float(v) for v in (box or "0 0 0 0").split()[2:]]
        drawn = ink(frame.locator(".gg-view").screenshot())
        if not (sizes and min(sizes) > 0 and drawn > 0.005):
            problems.append(f"explorer {k}: viewBox {box!r}, {drawn:.2%} of the graph area drawn")
    assert not problems, f"{where}: graphs not drawn: {problems}"


def check_apples(frame: Any, where: str) -> None:
    state = frame.evaluate("graphgrad.step(9)")
    for name, value in APPLES.items():
        assert math.isclose(state["grads"][name], value), (
            f"{where}: d price/d {name} = {state['grads'][name]}"
        )
    state = frame.evaluate("graphgrad.select('apple')")
    assert set(state["highlighted"]) == CHAIN_OF_APPLE, f"{where}: chain of apple {state['highlighted']}"
    frame.evaluate("graphgrad.select(null)")


def check_svg_drawings(page: Any, shown: Shown, where: str, explorer_pictures: bool = False) -> None:
    """Each drawing shows as its SVG (none as its PNG), of plausible size and not blank.
    (``explorer_pictures``: explorers show their pictures, which a drawing may share.)"""
    svgs = page.query_selector_all(".jp-RenderedSVG")
    assert len(svgs) == len(shown.drawings), (
        f"{where}: {len(svgs)} SVG outputs, {len(shown.drawings)} drawings"
    )
    for k, png in enumerate(shown.drawings):
        shows = sum(p["visible"] for p in page.evaluate(PICTURES, _tail(png)))
        allowed = shown.explorers.count(png) if explorer_pictures else 0
        assert shows == allowed, f"{where}: drawing {k} shows its PNG, not its SVG"
    for k, svg in enumerate(svgs):
        svg.scroll_into_view_if_needed()
        box = svg.bounding_box()
        assert box and box["width"] >= 100 and box["height"] >= 40, f"{where}: drawing {k}: size {box}"
        assert ink(svg.screenshot()) > 0.01, f"{where}: drawing {k} is blank"


def shots_prefix(tmp_path: Path, name: str) -> str:
    """Where a test leaves screenshots (GRAPHGRAD_SHOTS names a folder to keep them in)."""
    folder = Path(os.environ.get("GRAPHGRAD_SHOTS") or tmp_path)
    folder.mkdir(parents=True, exist_ok=True)
    return str(folder / name)


# --- JupyterLab and Notebook 7 ---------------------------------------------------------------


@cases(SHOWN, in_notebook7=("01_computational_graph", "08_explore"))
def test_untrusted_notebook_shows_pictures(
    app: str, path: Path, servers: Any, chromium: Any, tmp_path: Path
) -> None:
    """A saved notebook opened untrusted: the sanitizer strips frames and scripts; every drawing
    and explorer still shows as a picture (an explorer's with the hint), and no frame is there."""
    server = servers(app)
    shown = Shown.of(SAVED[path.name])
    page = open_notebook(chromium, server, f"untrusted/{path.name}")
    try:
        wait_for_pictures(page, [_tail(p) for p in shown.drawings + shown.explorers])
        check_pictures(
            page,
            shown,
            f"{server.app} untrusted {path.name}",
            shots_prefix(tmp_path, f"{server.app}-untrusted-{path.stem}"),
        )
        assert page.query_selector_all("iframe.graphgrad-explorer") == []
    finally:
        page.close()


@cases(EXPLORING, in_notebook7=("08_explore",))
def test_trusted_notebook_is_live(app: str, path: Path, servers: Any, chromium: Any, tmp_path: Path) -> None:
    """The same notebook signed with ``jupyter trust``: drawings are SVG, explorers are live
    pages (no duplicate picture), their graphs drawn, the apples bill's numbers the engine's."""
    server = servers(app)
    shown = Shown.of(SAVED[path.name])
    page = open_notebook(chromium, server, f"trusted/{path.name}")
    where = f"{server.app} trusted {path.name}"
    try:
        page.wait_for_function(
            "(n) => document.querySelectorAll('.jp-RenderedSVG').length >= n", arg=len(shown.drawings)
        )
        check_svg_drawings(page, shown, where)
        if shown.explorers:
            check_live(page, shown, where, shots_prefix(tmp_path, f"{server.app}-trusted-{path.stem}"))
    finally:
        page.close()


@pytest.mark.parametrize("app", ["lab", "notebook"], ids=["jupyterlab", "notebook7"])
def test_notebook_run_in_the_server_is_live(app: str, servers: Any, chromium: Any, tmp_path: Path) -> None:
    """08_explore.ipynb without outputs, run top to bottom in the server: its explorers are live."""
    server = servers(app)
    source = next(p for p in SHOWN if p.name == "08_explore.ipynb")
    nb = nbformat.read(source, as_version=4)
    for cell in nb.cells:
        if cell.cell_type == "code":
            cell.outputs, cell.execution_count = [], None
    nbformat.write(nb, server.root / "run" / source.name)
    expected = len(Shown.of(server.root / "untrusted" / source.name).explorers)
    page = open_notebook(chromium, server, f"run/{source.name}")
    where = f"{server.app} run {source.name}"
    try:
        start = time.perf_counter()
        run_all_cells(page, server, f"run/{source.name}")
        live_frames(page, expected)
        page.wait_for_function(
            "() => [...document.querySelectorAll('.jp-InputArea-prompt')]"
            ".every((p) => !/\\*/.test(p.textContent))"
        )
        print(f"{where}: ran in {time.perf_counter() - start:.1f} s")
        hidden = page.eval_on_selector_all(
            ".jp-OutputArea-output[data-mime-type='image/png'] img",
            "(imgs) => imgs.filter((i) => !i.checkVisibility())"
            ".map((i) => i.getAttribute('src').split(',')[1])",
        )
        assert len(hidden) == expected, f"{where}: {len(hidden)} hidden pictures for {expected} explorers"
        shown = Shown([("explorer", png) for png in hidden])
        check_live(page, shown, where, shots_prefix(tmp_path, f"{server.app}-run"))
    finally:
        page.close()


# --- nbconvert ---------------------------------------------------------------------------------


def with_this_python(env: dict[str, str]) -> dict[str, str]:
    """``env`` with this Python's scripts first on PATH (``jupyter`` finds its subcommands there)."""
    return dict(env, PATH=os.pathsep.join([str(Path(sys.executable).parent), env.get("PATH", "")]))


def nbconvert(path: Path, out: Path, *options: str) -> Path:
    """``jupyter nbconvert --to html`` of ``path`` into the folder ``out``; the page's path."""
    command = ["nbconvert", "--to", "html", *options, "--output-dir", str(out), str(path)]
    subprocess.run([sys.executable, "-m", "jupyter", *command], check=True, capture_output=True,
                   env=with_this_python(dict(os.environ)))  # fmt: skip
    return out / f"{path.stem}.html"


@pytest.mark.parametrize("path", SHOWN, ids=[p.stem for p in SHOWN])
def test_nbconvert_sanitized_page_shows_pictures(path: Path, open_page: Any, tmp_path: Path) -> None:
    """``--sanitize-html`` (JupyterLab's File > Save and Export As > HTML offers it, and checks it
    by default): no script runs and markup is escaped; every drawing and explorer is a picture,
    and none of the explorer's markup shows as text."""
    shown = Shown.of(SAVED[path.name])
    opened = open_page(nbconvert(SAVED[path.name], tmp_path, "--sanitize-html"), **VIEWPORT)
    page = opened.page
    text = page.inner_text("body")
    assert "graphgrad-explorer" not in text and "<iframe" not in text and "srcdoc" not in text
    where = f"nbconvert --sanitize-html {path.name}"
    check_svg_drawings(page, shown, where, explorer_pictures=True)  # SVG first, in an <img>: kept
    pictures = Shown([item for item in shown.items if item[0] == "explorer"])
    check_pictures(page, pictures, where, shots_prefix(tmp_path, f"sanitized-{path.stem}"), hint=False)


@pytest.mark.parametrize("path", EXPLORING, ids=[p.stem for p in EXPLORING])
def test_nbconvert_page_is_live(path: Path, open_page: Any, tmp_path: Path) -> None:
    """``jupyter nbconvert --to html``: drawings are SVG pictures, explorers live frames (each
    scrolled into view, those below the fold too), no picture shown twice."""
    shown = Shown.of(SAVED[path.name])
    opened = open_page(nbconvert(SAVED[path.name], tmp_path), **VIEWPORT)
    page = opened.page
    where = f"nbconvert {path.name}"
    check_svg_drawings(page, shown, where)
    if shown.explorers:
        check_live(page, shown, where, shots_prefix(tmp_path, f"nbconvert-{path.stem}"))


def test_nbconvert_frame_shown_after_loading_hidden(open_page: Any, tmp_path: Path) -> None:
    """An explorer whose frame loads inside a container that is ``display: none`` (a collapsed
    output, a closed tab) draws its graph once the container is shown."""
    source = SAVED["08_explore.ipynb"]
    page_file = nbconvert(source, tmp_path)
    html = page_file.read_text("utf-8")
    hide = "<style id='gg-hidden'>.jp-Cell:has(iframe.graphgrad-explorer) { display: none; }</style>"
    page_file.write_text(html.replace("</head>", hide + "</head>", 1), encoding="utf-8")
    opened = open_page(page_file, **VIEWPORT)
    page = opened.page
    page.wait_for_function("() => document.querySelectorAll('iframe.graphgrad-explorer').length >= 4")
    time.sleep(1.0)  # the frames have loaded while hidden
    page.evaluate("document.getElementById('gg-hidden').remove()")
    check_live(
        page, Shown.of(source), "nbconvert, shown after loading hidden", shots_prefix(tmp_path, "hidden")
    )
