"""The three layers: ``autograd`` (the engine) <- ``nn`` (the library) <- ``graphgrad`` (the
command line and the demo), each importing only from the ones below it; ``graphgrad`` re-exports
the public API in one import."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

import autograd
import graphgrad
import nn

ROOT = Path(__file__).resolve().parents[1]
BELOW = {"autograd": set(), "nn": {"autograd"}, "graphgrad": {"autograd", "nn"}}


def imported_packages(path: Path) -> set[str]:
    """The top-level names of the packages a module imports (at any depth of its code)."""
    names = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            names.add(node.module.split(".")[0])
    return names


@pytest.mark.parametrize("package", sorted(BELOW))
def test_each_layer_imports_only_the_ones_below(package: str) -> None:
    files = sorted((ROOT / package).rglob("*.py"))
    assert files
    for path in files:
        wrong = imported_packages(path) & (set(BELOW) - BELOW[package] - {package})
        assert not wrong, f"{package}/{path.name} imports {sorted(wrong)}, a layer above it"


def test_one_import_gives_the_public_api() -> None:
    names: dict[str, object] = {}
    exec("from graphgrad import Value, Tensor, draw, nn", names)
    assert names["Value"] is autograd.Value and names["Tensor"] is autograd.Tensor
    assert names["draw"] is autograd.draw and names["nn"] is nn
    assert set(autograd.__all__) | {"nn", "__version__"} == set(graphgrad.__all__)
    for name in graphgrad.__all__:
        assert getattr(graphgrad, name) is not None


def test_the_engine_loads_without_the_layers_above() -> None:
    code = "import sys, autograd; print(sorted({'nn', 'graphgrad'} & set(sys.modules)))"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=True)
    assert done.stdout.strip() == "[]"


# The drawing layer is one pipeline, a module per stage; a stage imports only the stages before it,
# and only their public names.
STAGES = ["text", "replay", "live", "scene", "layout", "render", "page", "steps"]
PRIVATE_FIELDS = ("._inputs", "._vjps", "._op", "._attrs", "._a", "._b")


def drawing_imports(path: Path) -> list[tuple[str, list[str]]]:
    """(stage, names) for each ``from autograd.drawing.<stage> import names`` in a module."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("autograd.drawing."):
            found.append((node.module.rsplit(".", 1)[1], [a.name for a in node.names]))  # type: ignore[union-attr]
    return found


@pytest.mark.parametrize("stage", STAGES)
def test_drawing_stages_import_earlier_stages_public_names_only(stage: str) -> None:
    for other, names in drawing_imports(ROOT / "autograd" / "drawing" / f"{stage}.py"):
        assert STAGES.index(other) < STAGES.index(stage), f"{stage} imports {other}, a later stage"
        private = [n for n in names if n.startswith("_")]
        assert not private, f"{stage} imports private names {private} from {other}"


def test_nodes_are_read_through_their_public_api_outside_the_engine_core() -> None:
    # the engine's core makes nodes; anomaly mode wraps a node's rules in place while it is on
    core = {"graph.py", "value.py", "tensor.py", "anomaly.py", "numpy_api.py", "functional.py"}
    readers = [p for p in (ROOT / "autograd").rglob("*.py") if p.name not in core]
    readers += sorted((ROOT / "nn").glob("*.py"))
    for path in readers:
        text = path.read_text(encoding="utf-8")
        used = [f for f in PRIVATE_FIELDS if f + " " in text or f + ")" in text or f + "," in text]
        where = path.relative_to(ROOT)
        assert not used, f"{where} reads a node's private fields {used}; use inputs, op, rules, attrs"
