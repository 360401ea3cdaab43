"""The `graphgrad demo` command and its lessons (graphgrad/demo.py): the spiral and digits runs reach
their accuracies, the demo writes its files, draws its neuron, and prints plain progress lines into
a pipe.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pytest

import nn
from graphgrad import demo
from graphgrad.cli import main

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def spiral(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """The demo's spiral run at its real size (about a second), shared by the tests that read it."""
    return demo.spiral_demo(tmp_path_factory.mktemp("spiral"), progress=False)


def test_spiral_tensor_mlp_reaches_95_percent(spiral: dict[str, Any]) -> None:
    result = spiral
    assert result["accuracy"] >= 0.95
    assert all(Path(f).stat().st_size > 0 for f in result["files"])


def test_spiral_accuracy_rises_steadily(spiral: dict[str, Any]) -> None:
    accuracy = np.array(spiral["history"]["accuracy"])
    assert len(accuracy) == demo.SPIRAL_EPOCHS
    first = int(np.argmax(accuracy >= 0.9))
    assert accuracy[first] >= 0.9 and first < demo.SPIRAL_EPOCHS // 4, "slow to reach 90%"
    fall = np.maximum.accumulate(accuracy[first:]) - accuracy[first:]
    worst = int(np.argmax(fall)) + first
    assert fall.max() <= 0.03, f"accuracy fell {fall.max():.1%} below its best by epoch {worst + 1}"
    assert accuracy[-demo.SPIRAL_EPOCHS // 10 :].min() >= 0.95


def test_digits_tensor_mlp_reaches_95_percent_test_accuracy(tmp_path: Path) -> None:
    # scikit-learn is in the test extra: without it this fails (digits_demo returns None)
    result = demo.digits_demo(tmp_path, progress=False)
    assert result is not None and result["accuracy"] >= 0.95


def test_graphgrad_demo_writes_its_files(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys) -> None:
    # the full-size trainings are checked above; here the command's plumbing, at small sizes
    monkeypatch.setattr(demo, "MOONS_STEPS", 3)
    monkeypatch.setattr(demo, "SPIRAL_EPOCHS", 5)
    monkeypatch.setattr(demo, "DIGITS_EPOCHS", 1)
    out = tmp_path / "demo-out"
    assert main(["demo", "--out", str(out), "--no-progress"]) == 0
    printed = capsys.readouterr().out
    names = {p.name for p in out.iterdir()}
    expected = {
        "moons_loss.png",
        "moons_boundary.png",
        "moons_mlp.npz",
        "spiral_loss.png",
        "spiral_boundary.png",
    }
    assert expected <= names
    assert "neuron.svg" in names or "neuron.dot" in names
    for name in names:
        assert name in printed
    assert f"files to {out}" in printed
    reloaded = nn.MLP(2, [16, 16, 1]).load(out / "moons_mlp.npz")
    assert reloaded.num_parameters() == 337


def test_demo_neuron_is_svg_with_a_renderer_and_dot_without(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys
) -> None:
    import autograd.drawing.layout as draw_layout

    if draw_layout.find_renderer() is not None:
        assert [p.name for p in demo.neuron_demo(tmp_path)] == ["neuron.svg"]
    monkeypatch.setattr(draw_layout, "find_renderer", lambda: None)
    (path,) = demo.neuron_demo(tmp_path)
    assert path.name == "neuron.dot" and path.read_text().startswith("digraph")
    assert "wrote the DOT source instead" in capsys.readouterr().out


def test_demo_piped_writes_plain_progress_lines(tmp_path: Path) -> None:
    code = (
        "import sys\n"
        "from graphgrad import demo\n"
        "from graphgrad.cli import main\n"
        "demo.MOONS_STEPS, demo.SPIRAL_EPOCHS, demo.DIGITS_EPOCHS = 20, 50, 2\n"
        "sys.exit(main(['demo', '--out', sys.argv[1]]))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code, str(tmp_path)], capture_output=True, text=True, cwd=ROOT, check=True
    )
    assert "\r" not in done.stderr and "\r" not in done.stdout
    progress = done.stderr.splitlines()
    assert len(progress) == 22, done.stderr  # a tenth of moons and spiral a line, the digits' 2 epochs
    assert progress[0].startswith("moons (Values): 2/20 steps, loss=")
    assert progress[10].startswith("epoch 5/50: 5/50 batches, loss=")
    assert "val_accuracy=" in progress[-1]
    accuracies = re.findall(r"accuracy=(\S+?)(?:,|$)", done.stderr, re.MULTILINE)
    assert len(accuracies) == 24 and all(re.fullmatch(r"\d{1,3}\.\d%", a) for a in accuracies), accuracies
    assert re.search(r"train accuracy \d+\.\d%", done.stdout)
