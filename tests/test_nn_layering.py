"""nn's modules import one another one way (no circle, not even through an import inside a
function), and no module of nn or graphgrad uses another module's underscore names."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("nn", "graphgrad", "autograd")


def _modules(package: str) -> dict[str, ast.Module]:
    return {
        f"{package}.{path.stem}" if path.stem != "__init__" else package: ast.parse(path.read_text())
        for path in sorted((ROOT / package).glob("*.py"))
    }


def _imports(tree: ast.Module) -> list[tuple[str, list[str], int]]:
    """(module, names imported from it, line) for every import in ``tree``, at any depth."""
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and not node.level:
            found.append((node.module, [a.name for a in node.names], node.lineno))
        elif isinstance(node, ast.Import):
            found += [(a.name, [], node.lineno) for a in node.names]
    return found


def _nn_graph() -> dict[str, set[str]]:
    """nn module -> the nn modules it imports (``from nn import layers`` counts as nn.layers)."""
    modules = _modules("nn")
    graph: dict[str, set[str]] = {name: set() for name in modules}
    for name, tree in modules.items():
        if name == "nn":
            continue  # the package re-exports everything; it sits on top
        for module, names, _ in _imports(tree):
            if module == "nn":
                graph[name] |= {f"nn.{n}" for n in names if f"nn.{n}" in modules}
            elif module in modules:
                graph[name].add(module)
    return graph


def test_nn_imports_run_one_way() -> None:
    graph = _nn_graph()
    order: list[str] = []
    visiting: list[str] = []

    def visit(name: str) -> None:
        if name in order:
            return
        if name in visiting:
            circle = visiting[visiting.index(name) :] + [name]
            pytest.fail("nn modules import each other in a circle: " + " -> ".join(circle))
        visiting.append(name)
        for dependency in sorted(graph[name]):
            visit(dependency)
        visiting.pop()
        order.append(name)

    for name in sorted(graph):
        visit(name)
    assert graph["nn.checks"] == set()  # the bottom: argument checks for every other module
    assert "nn.torch_bridge" not in graph["nn.module"]


def test_each_nn_module_imports_on_its_own_and_to_torch_finds_the_bridge() -> None:
    code = (
        "import nn.module, nn.losses\n"
        "from nn.layers import Linear\n"
        "print(type(Linear(2, 1, seed=0).to_torch()).__name__)\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=True)
    assert done.stdout.strip() == "Linear"


def _defined(tree: ast.Module) -> set[str]:
    """The names a module defines: its functions, classes and methods, and what it assigns to
    (names, and attributes such as ``self._rng``)."""
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.ClassDef)):
            names.add(node.name)
        elif isinstance(node, (ast.Assign, ast.AnnAssign)):
            for target in node.targets if isinstance(node, ast.Assign) else [node.target]:
                if isinstance(target, ast.Name):
                    names.add(target.id)
                elif isinstance(target, ast.Attribute):
                    names.add(target.attr)
    return names


# argparse keeps a parser's options only in its _actions: graphgrad.cli reads them there
STANDARD_LIBRARY = {("draw", "_actions")}


@pytest.mark.parametrize("package", ["nn", "graphgrad"])
def test_no_module_uses_another_modules_underscore_names(package: str) -> None:
    """Names with one leading underscore stay inside the module that defines them: no other
    module imports them or reads them as an attribute (``module._buffers``, ``x._members()``)."""
    problems = []
    for name, tree in _modules(package).items():
        own = _defined(tree)
        for module, names, line in _imports(tree):
            if module.split(".")[0] in PACKAGES:
                private = [n for n in names if n.startswith("_") and not n.startswith("__")]
                problems += [f"{name}:{line} imports {module}.{n}" for n in private]
        for node in ast.walk(tree):
            if not isinstance(node, ast.Attribute) or not node.attr.startswith("_"):
                continue
            base = node.value.id if isinstance(node.value, ast.Name) else ""
            if node.attr.startswith("__") or node.attr in own or (base, node.attr) in STANDARD_LIBRARY:
                continue
            problems.append(f"{name}:{node.lineno} reads {ast.unparse(node)}")
    assert problems == []
