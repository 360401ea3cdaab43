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
    core = {"graph.py", "value.py", "tensor.py"}  # the engine's core: where nodes are made
    readers = [p for p in (ROOT / "autograd").rglob("*.py") if p.name not in core]
    readers += sorted((ROOT / "nn").glob("*.py"))
    for path in readers:
        text = path.read_text(encoding="utf-8")
        used = [f for f in PRIVATE_FIELDS if f + " " in text or f + ")" in text or f + "," in text]
        where = path.relative_to(ROOT)
        assert not used, f"{where} reads a node's private fields {used}; use inputs, op, rules, attrs"


# nn's modules import one another one way, not even in a circle through an import inside a
# function: nn.checks at the bottom, nn.torch_bridge on top (Module reaches it by registration).


def package_modules(package: str) -> dict[str, ast.Module]:
    """Module name -> parsed source, for every module of ``package`` (its subpackages included)."""
    found = {}
    for path in sorted((ROOT / package).rglob("*.py")):
        parts = path.relative_to(ROOT).with_suffix("").parts
        found[".".join(parts[:-1] if parts[-1] == "__init__" else parts)] = ast.parse(path.read_text("utf-8"))
    return found


def imports_of(tree: ast.Module) -> list[tuple[str, list[str], int]]:
    """(module, names imported from it, line) for every import in ``tree``, at any depth."""
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and not node.level:
            found.append((node.module, [a.name for a in node.names], node.lineno))
        elif isinstance(node, ast.Import):
            found += [(a.name, [], node.lineno) for a in node.names]
    return found


def nn_import_graph() -> dict[str, set[str]]:
    """nn module -> the nn modules it imports (``from nn import layers`` counts as nn.layers)."""
    modules = package_modules("nn")
    graph: dict[str, set[str]] = {name: set() for name in modules}
    for name, tree in modules.items():
        if name == "nn":
            continue  # the package re-exports everything; it sits on top
        for module, names, _ in imports_of(tree):
            if module == "nn":
                graph[name] |= {f"nn.{n}" for n in names if f"nn.{n}" in modules}
            elif module in modules:
                graph[name].add(module)
    return graph


def test_nn_imports_run_one_way() -> None:
    graph = nn_import_graph()
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


# A name with one leading underscore stays in the module that defines it: no other module imports
# it (``from autograd.tensor import _lift``) or reads it as an attribute (``value._result``,
# ``module._members()``). What a module shares, it names publicly.

STANDARD_LIBRARY = {("sys", "_getframe"), ("draw", "_actions")}
"""Private names of the standard library that graphgrad reads: the caller's frame (anomaly mode,
the functional API's error messages) and an argparse parser's options (graphgrad.cli)."""


def defined_names(tree: ast.Module) -> set[str]:
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


def uses_of_private_names(tree: ast.Module) -> list[str]:
    """Where a module imports or reads an underscore name that it does not define itself."""
    own, problems = defined_names(tree), []
    for module, names, line in imports_of(tree):
        if module.split(".")[0] in BELOW:
            private = [n for n in names if n.startswith("_") and not n.startswith("__")]
            problems += [f"line {line}: imports {module}.{n}" for n in private]
    for node in ast.walk(tree):
        if not isinstance(node, ast.Attribute) or not node.attr.startswith("_") or node.attr.startswith("__"):
            continue
        base = node.value.id if isinstance(node.value, ast.Name) else ""
        if node.attr not in own and (base, node.attr) not in STANDARD_LIBRARY:
            problems.append(f"line {node.lineno}: reads {ast.unparse(node)}")
    return problems


@pytest.mark.parametrize("package", sorted(BELOW))
def test_no_module_uses_another_modules_underscore_names(package: str) -> None:
    modules = package_modules(package)
    problems = {name: found for name, tree in modules.items() if (found := uses_of_private_names(tree))}
    assert problems == {}


def test_the_underscore_check_finds_each_form() -> None:
    sample = ast.parse(
        "import autograd.value\nfrom autograd import tensor\nfrom autograd.graph import _data\n"
        "autograd.value._result\ntensor._lift(1)\nmodel._members()\n"
        "class Own:\n    def __init__(self):\n        self._kept = 1\n        self._kept += 1\n"
    )
    assert uses_of_private_names(sample) == [
        "line 3: imports autograd.graph._data",
        "line 4: reads autograd.value._result",
        "line 5: reads tensor._lift",
        "line 6: reads model._members",
    ]


LONGEST_FUNCTION = 60
"""Lines a function of autograd, nn or graphgrad may take, docstring included: one that needs
more does two jobs, and splits along its seam (checking its arguments, then computing)."""


@pytest.mark.parametrize("package", sorted(BELOW))
def test_no_function_is_longer_than_a_screen(package: str) -> None:
    long = [
        f"{name}.{node.name} ({node.end_lineno - node.lineno + 1} lines, from line {node.lineno})"
        for name, tree in package_modules(package).items()
        for node in ast.walk(tree)
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef))
        and node.end_lineno is not None
        and node.end_lineno - node.lineno + 1 > LONGEST_FUNCTION
    ]
    assert long == [], f"split these along their seams: {long}"
