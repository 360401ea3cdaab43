"""No module of autograd, nn or graphgrad uses another module's private (underscore) names: not
by ``from a.b import _x``, nor by ``b._x`` on an imported module. What a module shares, it names
publicly; its private names stay its own (a class's own ``self._x`` is the class's business)."""

from __future__ import annotations

import ast
import importlib.util
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("autograd", "nn", "graphgrad")


def private(name: str) -> bool:
    return name.startswith("_") and not (name.startswith("__") and name.endswith("__"))


def is_module(dotted: str) -> bool:
    try:
        return importlib.util.find_spec(dotted) is not None
    except (ImportError, ValueError):
        return False


def uses_of_private_names(path: Path) -> list[str]:
    """``from a.b import _x`` and ``m._x`` (``m`` an imported module of the three packages) in a file."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found, modules = [], {}
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and not node.level:
            if node.module.split(".")[0] not in PACKAGES:
                continue
            for alias in node.names:
                if private(alias.name):
                    found.append(f"line {node.lineno}: from {node.module} import {alias.name}")
                elif is_module(f"{node.module}.{alias.name}"):
                    modules[alias.asname or alias.name] = f"{node.module}.{alias.name}"
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.split(".")[0] in PACKAGES:
                    bound = alias.asname or alias.name.split(".")[0]
                    modules[bound] = alias.name if alias.asname else bound
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and private(node.attr):
            chain, base = [], node.value
            while isinstance(base, ast.Attribute):
                chain.append(base.attr)
                base = base.value
            if isinstance(base, ast.Name) and base.id in modules:
                dotted = ".".join([modules[base.id], *reversed(chain)])
                if is_module(dotted):
                    found.append(f"line {node.lineno}: {dotted}.{node.attr}")
    return found


@pytest.mark.parametrize(
    "package",
    [
        "autograd",
        pytest.param(
            "nn",
            # nn/layers.py and nn/torch_bridge.py still import nn.scalar's and nn.layers' private
            # names; the nn branch makes them public: remove this marker after merging it
            marks=pytest.mark.xfail(strict=False, reason="nn's private imports are fixed on the nn branch"),
        ),
        "graphgrad",
    ],
)
def test_no_module_uses_another_modules_private_names(package: str) -> None:
    wrong = {
        str(path.relative_to(ROOT)): uses
        for path in sorted((ROOT / package).rglob("*.py"))
        if (uses := uses_of_private_names(path))
    }
    assert not wrong, f"private names used across modules: {wrong}"


def test_the_check_finds_both_forms(tmp_path: Path) -> None:
    sample = tmp_path / "sample.py"
    sample.write_text(
        "import autograd.value\nfrom autograd import tensor\nfrom autograd.graph import _data\n"
        "autograd.value._result\ntensor._result\ntensor.Tensor._record\n"
    )
    assert uses_of_private_names(sample) == [
        "line 3: from autograd.graph import _data",
        "line 4: autograd.value._result",
        "line 5: autograd.tensor._result",
    ]
