"""The README's Python snippets run as written and print what their comments say.

Every ``print(...)`` line of a snippet that ends in a comment is checked: the printed text must
match the comment, numbers to the digits the comment shows, words exactly, and ``...`` standing
for anything. A snippet with a print and no comment fails too, so no printed value goes unchecked.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

README = Path(__file__).resolve().parent.parent / "README.md"
EXCERPT = "def __mul__"  # the excerpt of value.py under "How it works": not a runnable snippet
TOKEN = re.compile(r"\.\.\.|[-+]?(?:\d+\.\d*|\.\d+|\d+)(?:e[-+]?\d+)?%?|[^\s\d,()\[\]{}]+")


def python_blocks() -> list[str]:
    return re.findall(r"```python\n(.*?)```", README.read_text(encoding="utf-8"), flags=re.S)


def expected_prints(block: str) -> list[str | None]:
    """The comment of each print line, in order (None for a print without one)."""
    found: list[str | None] = []
    for line in block.splitlines():
        if re.match(r"\s*print\(", line):
            code, sep, comment = line.partition("  # ")
            found.append(comment.strip() if sep else None)
    return found


def matches(printed: str, expected: str) -> bool:
    """``printed`` reads as ``expected``: numbers rounded to the digits shown, ``...`` any run."""
    want, got = TOKEN.findall(expected), TOKEN.findall(printed)

    def same(w: str, g: str) -> bool:
        number = re.fullmatch(r"[-+]?[\d.]+(e[-+]?\d+)?%?", w)
        if not number or not re.fullmatch(r"[-+]?[\d.]+(e[-+]?\d+)?%?", g):
            return w == g
        if w.endswith("%") != g.endswith("%"):
            return False
        w, g = w.rstrip("%"), g.rstrip("%")
        decimals = len(w.split(".")[1]) if "." in w and "e" not in w else 0
        return round(float(g), decimals) == float(w) if "e" not in w else abs(float(g) - float(w)) <= 1e-12

    def walk(i: int, j: int) -> bool:
        if i == len(want):
            return j == len(got)
        if want[i] == "...":
            return any(walk(i + 1, k) for k in range(j, len(got) + 1))
        return j < len(got) and same(want[i], got[j]) and walk(i + 1, j + 1)

    return walk(0, 0)


def test_quick_start_is_two_commands() -> None:
    text = README.read_text(encoding="utf-8")
    block = re.search(r"## Quick start\n\n```\n(.*?)```", text, flags=re.S)
    assert block, "README needs a Quick start section opening with a code block"
    lines = block.group(1).strip().splitlines()
    assert len(lines) == 2
    assert "graphgrad demo" in lines[0] and "pytest" in lines[1] and "[test]" in lines[1]


def test_the_matcher_can_fail() -> None:
    assert matches("0.70643 -1.50291", "0.7064  -1.5029")
    assert not matches("0.70653 -1.50291", "0.7064  -1.5029")
    assert matches("op 'log' gave nan (1 of 2 entries) at x.py:3", "op 'log' gave nan ...")
    assert not matches("op 'exp' gave nan", "op 'log' gave nan ...")
    assert not matches("27.0 18.0", "27.0 18.0 6.0")


@pytest.mark.parametrize("index", range(len(python_blocks())))
def test_python_snippet_runs_and_prints_what_it_says(index: int, tmp_path: Path, monkeypatch: Any) -> None:
    block = python_blocks()[index]
    if EXCERPT in block:
        return
    monkeypatch.chdir(tmp_path)  # snippets that save files write them here
    printed: list[str] = []
    namespace: dict[str, Any] = {"print": lambda *args: printed.append(" ".join(map(str, args)))}
    exec(compile(block, "README.md", "exec"), namespace)
    expected = expected_prints(block)
    assert None not in expected, f"snippet {index}: a print line has no comment saying what it prints"
    assert len(printed) == len(expected), (printed, expected)
    for got, want in zip(printed, expected):
        assert want is not None and matches(got, want), f"snippet {index}: {got!r}; README says {want!r}"
