"""Every notebook in notebooks/ runs top to bottom and was saved executed, with its checks.

Each notebook is executed afresh (a copy, in a temporary working directory) by a kernel that
runs this very Python, so the installed graphgrad, numpy and torch are the ones under test. A
failing ``assert`` cell in a notebook (a lesson's number drifting) fails its test here.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

import nbformat
import pytest
import torch  # noqa: F401  (in the test extra: the notebooks' torch comparisons must run here)
from jupyter_client.kernelspec import KernelSpecManager
from jupyter_client.manager import KernelManager
from nbclient import NotebookClient

NOTEBOOKS = sorted((Path(__file__).resolve().parent.parent / "notebooks").glob("*.ipynb"))
# paths of the machine a notebook was executed on (spelled out here, this file would match itself)
MACHINE_PATHS = tuple(f"/{d}/" for d in ("work", "tmp", "root", "home")) + ("site-packages",)
TORCH_MISSING_NOTE = "torch is not installed"  # what a notebook prints when it skips torch
CELL_TIMEOUT = 600  # seconds per cell; generous for slow CI machines


def write_kernel_spec(kernel: Path, display_name: str) -> None:
    """A kernel spec in the folder ``kernel`` that launches ipykernel with the running interpreter
    (a user-wide "python3" spec could point at some other Python)."""
    kernel.mkdir(parents=True)
    spec = {
        "argv": [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"],
        "display_name": display_name,
        "language": "python",
    }
    (kernel / "kernel.json").write_text(json.dumps(spec), encoding="utf-8")


def _kernel_manager(spec_dir: Path) -> KernelManager:
    """A kernel manager for the kernel spec of :func:`write_kernel_spec`."""
    write_kernel_spec(spec_dir / "graphgrad-test", "graphgrad tests")
    specs = KernelSpecManager(kernel_dirs=[str(spec_dir)])
    return KernelManager(kernel_name="graphgrad-test", kernel_spec_manager=specs)


def _text_outside_images(nb: nbformat.NotebookNode) -> str:
    """The notebook as JSON with base64 image data left out (random base64 could spell a path by chance)."""
    stripped = nbformat.from_dict(json.loads(json.dumps(nb)))
    for cell in stripped.cells:
        for out in cell.get("outputs", []):
            for mime in list(out.get("data", {})):
                if mime.startswith("image/") and mime != "image/svg+xml":
                    out["data"][mime] = ""
    return json.dumps(stripped)


def _output_text(nb: nbformat.NotebookNode) -> str:
    parts = []
    for cell in nb.cells:
        for out in cell.get("outputs", []):
            parts.append(out.get("text", ""))
            parts.append(str(out.get("data", {}).get("text/plain", "")))
            parts.extend(out.get("traceback", []))
    return "\n".join(parts)


def test_notebooks_are_found():
    names = [p.name for p in NOTEBOOKS]
    for expected in (
        "01_computational_graph.ipynb",
        "02_deep_network_backprop.ipynb",
        "03_softmax_cross_entropy.ipynb",
        "04_regression_against_torch.ipynb",
    ):
        assert expected in names


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_saved_notebook(path: Path):
    """Saved executed (every code cell ran, in order, without error), checks its numbers with
    an assert, and carries no path of the machine it was made on."""
    nb = nbformat.read(path, as_version=4)
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert code, f"{path.name}: no code cells"
    counts = [c.get("execution_count") for c in code]
    assert counts == list(range(1, len(code) + 1)), (
        f"{path.name}: save it executed top to bottom in a fresh kernel (execution counts {counts})"
    )
    assert any(c.outputs for c in code), f"{path.name}: saved without outputs"
    errors = [o for c in code for o in c.outputs if o.output_type == "error"]
    assert not errors, f"{path.name}: saved with an error output: {errors[0].get('ename')}"
    assert any("assert " in c.source for c in code), f"{path.name}: no assert cell checks the numbers"
    text = _text_outside_images(nb)
    found = [p for p in MACHINE_PATHS if p in text]
    assert not found, f"{path.name}: machine paths {found} in the saved notebook (outputs or source)"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_notebook_runs(path: Path, tmp_path: Path, record_property):
    """Runs top to bottom in a fresh kernel; an error or a failing assert fails the test."""
    nb = nbformat.read(path, as_version=4)
    work = tmp_path / "cwd"
    work.mkdir()
    km = _kernel_manager(tmp_path / "kernels")
    client = NotebookClient(
        nb, km=km, timeout=CELL_TIMEOUT, allow_errors=False, resources={"metadata": {"path": str(work)}}
    )
    start = time.perf_counter()
    client.execute()
    seconds = time.perf_counter() - start
    record_property("seconds", round(seconds, 1))
    print(f"{path.name}: executed in {seconds:.1f} s")
    assert TORCH_MISSING_NOTE not in _output_text(nb), (
        f"{path.name} skipped its torch comparison, but torch is installed for the tests"
    )
