"""The README's Python snippets run and print what they say."""

from __future__ import annotations

import re
from pathlib import Path

README = Path(__file__).resolve().parent.parent / "README.md"


def python_blocks() -> list[str]:
    return re.findall(r"```python\n(.*?)```", README.read_text(encoding="utf-8"), flags=re.S)


def test_quick_start_is_two_commands():
    text = README.read_text(encoding="utf-8")
    block = re.search(r"## Quick start\n\n```\n(.*?)```", text, flags=re.S)
    assert block, "README needs a Quick start section opening with a code block"
    lines = block.group(1).strip().splitlines()
    assert len(lines) == 2
    assert "graphgrad demo" in lines[0] and "pytest" in lines[1] and "[test]" in lines[1]


def test_python_snippets_run(capsys, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # files the snippets write land there
    for block in python_blocks():
        if "def __mul__" in block:  # an excerpt of value.py, not a runnable snippet
            continue
        exec(compile(block, "README.md", "exec"), {})
    out = capsys.readouterr().out
    assert "0.7064" in out
