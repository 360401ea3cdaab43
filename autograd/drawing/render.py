"""Stage render: laid-out pictures as SVG (text fitted for browsers), PNG and DOT files, and the
:class:`Drawing` that Jupyter shows.

>>> text_width("grad 2.2", 10)
36.69
"""

from __future__ import annotations

import base64
import html
import io
import os
import re
from pathlib import Path
from typing import Any

from autograd.drawing.layout import RendererNotFoundError, build_dot, run_graphviz
from autograd.drawing.scene import DrawOptions, takes_options
from autograd.drawing.text import FONTS
from autograd.files import write_atomic


def _widths(table: str) -> tuple[int, ...]:
    return tuple(int(w) for w in table.split())


# Advance widths (1/1000 em) of the printable ASCII characters, space to tilde, in Arial and the
# fonts made to its metrics (Helvetica, Liberation Sans, Arimo): what Graphviz lays text out with.
# fmt: off
ARIAL_WIDTHS = {
    False: _widths("278 278 355 556 556 889 667 191 333 333 389 584 278 333 278 278 556 556 556 556 556 556 "
        "556 556 556 556 278 278 584 584 584 556 1015 667 667 722 722 667 611 778 722 278 500 667 "
        "556 833 722 778 667 778 722 667 611 722 667 944 667 667 611 278 278 278 469 556 333 556 "
        "556 500 556 556 278 556 556 222 222 500 222 833 556 556 556 556 333 500 278 556 500 722 "
        "500 500 500 334 260 334 584"),
    True: _widths("278 333 474 556 556 889 722 238 333 333 389 584 278 333 278 278 556 556 556 556 556 556 "
        "556 556 556 556 333 333 584 584 584 611 975 722 722 722 722 667 611 778 722 278 556 722 "
        "611 833 722 778 667 778 722 667 611 722 667 944 667 667 611 333 278 333 584 556 333 556 "
        "611 556 611 556 333 611 611 278 278 556 278 889 611 611 611 611 389 556 333 611 556 778 "
        "556 556 500 389 280 389 584"),
}
# fmt: on


def text_width(text: str, size: float, bold: bool = False) -> float | None:
    """The width of ``text`` in Arial at ``size`` points, as Graphviz lays it out (None when it
    holds characters other than printable ASCII, whose widths this does not know).

    >>> text_width("grad 2.2", 10), text_width("apple", 10, bold=True), text_width("∂", 10)
    (36.69, 26.12, None)
    """
    try:
        total = sum(map(_WIDTH_OF[bold].__getitem__, text))
    except KeyError:
        return None
    return round(total * size / 1000, 2)


_WIDTH_OF = {bold: {chr(32 + k): w for k, w in enumerate(table)} for bold, table in ARIAL_WIDTHS.items()}
_SVG_TEXT = re.compile(r"<text ([^>]*)>([^<]*)</text>")
_FONT_SIZE = re.compile(r'font-size="([\d.]+)"')


def for_browsers(svg: str) -> str:
    """The SVG's texts as a browser should draw them: each held to the width Graphviz gave it (a
    browser without Arial's metrics condenses its font slightly instead of spilling out of the
    box), the fonts with those metrics named first."""

    def fitted(m: re.Match[str]) -> str:
        attrs, text = m[1], m[2]
        size = _FONT_SIZE.search(attrs)
        words = html.unescape(text) if "&" in text else text
        width = text_width(words, float(size[1]), "bold" in attrs) if size else None
        attrs = attrs.replace('font-family="Arial"', f'font-family="{FONTS}"')
        if width:
            attrs += f' textLength="{width}" lengthAdjust="spacingAndGlyphs"'
        return f"<text {attrs}>{text}</text>"

    return _SVG_TEXT.sub(fitted, svg)


class Drawing:
    """A drawn graph: ``.source`` (DOT), ``.svg()``, ``.png()``, ``.save(path)``; shows in Jupyter."""

    def __init__(self, source: str) -> None:
        self.source = source
        self._svg: str | None = None

    def __repr__(self) -> str:
        nodes = len(re.findall(r"^  n\d+ \[", self.source, flags=re.M))
        return f"<graphgrad Drawing: {nodes} nodes; .svg(), .save('graph.svg'|'.png'|'.dot'), .source>"

    def svg(self) -> str:
        """The picture as SVG text (rendered once, then kept); it scales down to a narrow page."""
        if self._svg is None:
            svg = for_browsers(run_graphviz(self.source, "svg").decode("utf-8"))
            self._svg = svg.replace("<svg ", '<svg style="max-width: 100%; height: auto" ', 1)
        return self._svg

    def png(self, scale: float = 1.0) -> bytes:
        """The picture as PNG bytes: 96 pixels per inch times ``scale`` (2 for a sharp picture)."""
        if isinstance(scale, bool) or not isinstance(scale, (int, float)) or not 0 < scale <= 20:
            raise ValueError(f"Drawing.png: scale must be a number in (0, 20], got {scale!r}")
        return run_graphviz(self.source, "png", f"-Gdpi={96 * scale:g}")

    def graphviz(self) -> Any:
        """The drawing as a ``graphviz.Source`` (the graphviz Python package), for its own
        options: other engines and formats, ``.view()``, ``.render()`` (these need the system ``dot``).

        >>> from autograd import Value, draw
        >>> draw(Value(1.0) * 2).graphviz().source.startswith("digraph")
        True
        """
        import graphviz

        return graphviz.Source(self.source)

    def save(self, path: str | os.PathLike[str], scale: float = 1.0) -> Path:
        """Write ``.svg``, ``.png`` (at ``scale``, see :meth:`png`) or ``.dot`` by the file's
        suffix, whole or not at all (:func:`autograd.files.write_atomic`); returns the path."""
        suffix = Path(path).suffix.lower()
        if suffix == ".dot" or suffix == ".gv":
            content = self.source.encode("utf-8")
        elif suffix == ".svg":
            content = self.svg().encode("utf-8")
        elif suffix == ".png":
            content = self.png(scale)
        else:
            raise ValueError(f"Drawing.save: use a .svg, .png or .dot file name, got {str(path)!r}")
        return write_atomic(path, content, "Drawing.save", "graph.svg")

    def _repr_svg_(self) -> str:
        return self.svg()

    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None) -> dict[str, str]:
        """SVG for a notebook that shows it, and a small PNG beside it for the places that show no
        SVG (an untrusted notebook in JupyterLab, a sanitized export); only text (and why)
        without a renderer."""
        try:
            svg = self.svg()
            return {
                "image/svg+xml": svg,
                "image/png": base64.b64encode(picture_png(self.source, svg)).decode("ascii"),
                "text/plain": repr(self),
            }
        except RendererNotFoundError as err:
            return {"text/plain": f"{self!r}\n{err}"}


PICTURE_SIZE = (1100, 1400)
"""The largest (width, height) in pixels of :func:`picture_png`'s pictures."""


def picture_png(source: str, svg: str = "") -> bytes:
    r"""The graph of DOT ``source`` as a small PNG, for where no SVG shows and no script runs (an
    untrusted notebook, a sanitized export): 96 pixels per inch, or fewer to fit PICTURE_SIZE,
    in at most 32 colours (a drawing has few). ``svg``, the same picture as SVG, gives its size
    before any PNG is made (a large picture is then never rendered at full size first).

    >>> picture_png("digraph { a -> b }")[:8] == b"\x89PNG\r\n\x1a\n"
    True
    """
    points = re.search(r'<svg [^>]*width="([\d.]+)pt" height="([\d.]+)pt"', svg)
    png = b"" if points else run_graphviz(source, "png", "-Gdpi=96")
    if points:
        width, height = (float(points[k]) * 96 / 72 for k in (1, 2))
    else:
        width, height = int.from_bytes(png[16:20], "big"), int.from_bytes(png[20:24], "big")  # IHDR
    shrink = min(1.0, PICTURE_SIZE[0] / max(width, 1), PICTURE_SIZE[1] / max(height, 1))
    if shrink < 1.0 or not png:
        png = run_graphviz(source, "png", f"-Gdpi={96 * shrink:.2f}")
    from PIL import Image  # a dependency of matplotlib, which graphgrad depends on

    with Image.open(io.BytesIO(png)) as picture:
        out = io.BytesIO()
        picture.convert("RGB").quantize(32).save(out, "PNG", optimize=True)
    return out.getvalue() if out.tell() < len(png) else png


@takes_options
def draw(root: Any, **options: Any) -> Drawing:
    """Draw the graph of ``root``: a :class:`Drawing` that Jupyter shows as SVG.

    Takes the keywords of :func:`to_dot` (:class:`DrawOptions`). Rendering happens on first use,
    through the system ``dot`` when it is on PATH and ``graphviz-pure`` otherwise.
    """
    return Drawing(build_dot(root, DrawOptions.of("draw", options), caller="draw"))
