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
    files = sorted((ROOT / package).glob("*.py"))
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
