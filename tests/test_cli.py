"""The ``graphgrad`` command: ``graphgrad draw`` (an expression parsed with ``ast`` and a whitelist,
drawn with its gradients, its mistakes pointed at with a caret and a hint) and ``--version``."""

from __future__ import annotations

import math
import os
import re
import subprocess
import sys
import threading
import time
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import pytest
from helpers import needs_renderer

import autograd.drawing.layout as draw_layout
import autograd.drawing.render as draw_render
import graphgrad
from graphgrad.cli import MAX_EXPRESSION_LENGTH, ExpressionError, evaluate_expression, main

ROOT = Path(__file__).resolve().parents[1]


@needs_renderer
def test_draw_writes_svg_with_values_and_gradients(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "graph.svg"
    status = main(["draw", "tanh(x*w + b)", "--set", "x=2", "w=-3", "b=6.88", "-o", str(out)])
    assert status == 0
    printed = capsys.readouterr().out
    assert "tanh(x*w + b) = 0.7064" in printed and "d/dx = -1.503" in printed and f"wrote {out}" in printed
    svg = ET.fromstring(out.read_bytes())
    text = " ".join(t.text or "" for t in svg.iter() if t.tag.endswith("text"))
    for word in ("tanh", "data 0.7064", "grad -1.503", "grad 1.002", "grad 0.501", "w", "b"):
        assert word in text


def test_draw_dot_needs_no_renderer(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(draw_layout, "find_renderer", lambda: None)
    out = tmp_path / "g.dot"
    args = [
        "draw",
        "-x**2 / (1 + exp(-y)) - abs(x) + relu(y) * sigmoid(x) + log(y)",
        "--set",
        "x=1.5",
        "--set",
    ]
    assert main([*args, "y=2", "-o", str(out), "--highlight", "x", "--rankdir", "TB"]) == 0
    dot = out.read_text()
    assert dot.startswith("digraph graphgrad {") and "rankdir=TB" in dot
    for op in ("neg", "**2", "/", "exp", "abs", "relu", "sigmoid", "log"):
        assert f'label="{op}"' in dot
    assert "droot/dx = sum over paths of the product of local derivatives; 3 paths:" in dot
    capsys.readouterr()


def test_draw_without_renderer_writes_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(draw_layout, "find_renderer", lambda: None)
    out = tmp_path / "graph.svg"
    assert main(["draw", "x*y", "--set", "x=1", "y=2", "-o", str(out)]) == 1
    err = capsys.readouterr().err
    assert err.startswith("graphgrad draw: ") and "graphviz-pure" in err
    assert not out.exists()


@pytest.mark.parametrize(
    "expression, column, words",
    [
        ("x + q", 5, "unknown name 'q'"),
        ("floor(x)", 1, "unknown function 'floor'"),
        ("x +* 2", 4, "syntax"),
        ("tanh(x", 5, "never closed"),
        ("x +", 4, "syntax"),
        ("x.real", 1, "attribute access"),
        ("x < 2", 1, "comparison"),
        ("x % 2", 3, "unsupported operator"),
        ("(x) // 2", 5, "unsupported operator"),
        ("not x", 1, "unsupported operator"),
        ("'a' + x", 1, "unsupported constant"),
        ("True * x", 1, "unsupported constant"),
        ("x ** 1j", 6, "unsupported constant"),
        ("__import__('os')", 1, "unknown function '__import__'"),
        ("exp(x, 2)", 1, "exactly one argument"),
        ("exp(x=2)", 1, "exactly one argument"),
        ("x.exp()", 1, "unsupported call"),
        ("(lambda: 1)()", 1, "unsupported call"),
        ("tanh", 1, "tanh is a function"),
        ("x, 2", 1, "tuple"),
        ("  x + q", 7, "unknown name 'q'"),
        ("é + x", 1, "unknown name 'é'"),
        ("x + é", 5, "unknown name 'é'"),
        ("", 1, "empty"),
        ("-x ** 0.5 + (0 - x) ** -x", 21, "positive base"),
    ],
)
def test_bad_expressions(
    expression: str, column: int, words: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "graph.dot"
    assert main(["draw", expression, "--set", "x=2", "-o", str(out)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 3, err  # the message on one line, then the expression and the caret
    assert err.startswith(f"graphgrad draw: error at column {column}: ") and words in err, err
    assert err.splitlines()[1:] == ExpressionError("", column).pointed(expression).splitlines()[1:]
    assert not out.exists()


@pytest.mark.parametrize(
    "argv, words",
    [
        (["x", "--set", "x"], "write NAME=NUMBER"),
        (["x", "--set", "x=two"], "is not a number"),
        (["x", "--set", "1x=2"], "write NAME=NUMBER"),
        (["x", "--set", "x=1", "-o", "g.jpg"], "use a .svg, .png, .dot or .html"),
        (["x", "--set", "x=1", "--highlight", "y"], "--highlight y: not a name"),
        (["x", "--set", "x=1", "--max-nodes", "-5"], "max_nodes must be a positive int"),
        (["x", "--set", "x=1", "--show", "bogus"], "show takes"),
    ],
)
def test_bad_settings(
    argv: list[str],
    words: str,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.chdir(tmp_path)
    assert main(["draw", *argv]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and words in err
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("expression", ["-x", "-x*w", "--x"])
def test_expression_starting_with_minus_is_not_an_option(
    expression: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "graph.dot"
    assert main(["draw", expression, "--set", "x=2", "w=-3", "-o", str(out)]) == 0
    assert capsys.readouterr().out.startswith(f"{expression} = ")
    assert out.exists()
    assert main(["draw", "-x +", "--set", "x=2", "-o", str(out)]) == 2
    assert "error at column 5" in capsys.readouterr().err  # the column in the expression as typed


def test_math_warnings_are_one_line_each(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "graph.dot"
    assert main(["draw", "log(x) + log(y)", "--set", "x=0", "y=-1", "-o", str(out)]) == 0
    err = capsys.readouterr().err
    assert err.splitlines() == [
        "graphgrad draw: warning: Value.log: log of 0 gives -inf",
        "graphgrad draw: warning: Value.log: log of the negative number -1.0 gives nan",
    ]
    assert out.exists()


def test_evaluate_expression_matches_python() -> None:
    values = {"a": 0.7, "b": -1.3}
    y, leaves = evaluate_expression("-a**3 / (b - 2) + tanh(a*b) * 2 - +b", values)
    a, b = 0.7, -1.3
    assert math.isclose(y.data, -(a**3) / (b - 2) + math.tanh(a * b) * 2 - b)
    y.backward()
    da = -3 * a**2 / (b - 2) + (1 - math.tanh(a * b) ** 2) * b * 2
    assert math.isclose(leaves["a"].grad, da)
    const, _ = evaluate_expression("2 * 3", {})
    assert const.data == 6.0 and len(const._inputs) == 2  # both numbers stay in the drawing
    with pytest.raises(ExpressionError) as info:
        evaluate_expression("a + zz", values)
    assert info.value.column == 5 and str(info.value).startswith("error at column 5")


def test_a_long_expression_is_echoed_by_its_start(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    expression = " + ".join(["x*w"] * 500)
    assert main(["draw", expression, "--set", "x=2", "w=3", "-o", str(tmp_path / "g.dot")]) == 0
    first = capsys.readouterr().out.splitlines()[0]
    assert first.startswith("x*w + x*w") and "... = 3000; d/dx = 1500" in first and len(first) < 120


def test_every_listed_function_is_the_value_method() -> None:
    from autograd import Value
    from graphgrad.cli import _FUNCTIONS

    for name in _FUNCTIONS:
        y, leaves = evaluate_expression(f"{name}(x * 0.5)", {"x": 0.8})
        expected = getattr(Value(0.4), name)()
        y.backward()
        assert y.data == expected.data and y._op == expected._op, name
        assert leaves["x"].grad != 0.0 or name == "relu", name


def test_deep_expression_needs_no_recursion() -> None:
    """The walk over the syntax tree uses an explicit stack (a long sum is a deep tree)."""
    y, leaves = evaluate_expression(" + ".join(["x"] * 2000), {"x": 1.0})
    y.backward()
    assert y.data == 2000.0 and leaves["x"].grad == 2000.0
    with pytest.raises(ExpressionError, match="nested too deeply"):  # Python's parser recurses
        evaluate_expression(" + ".join(["x"] * 20_000), {"x": 1.0})
    with pytest.raises(ExpressionError, match="too many nested parentheses"):
        evaluate_expression("(" * 1000 + "x" + ")" * 1000, {"x": 1.0})


def test_module_runs_as_a_command(tmp_path: Path) -> None:
    out = tmp_path / "g.dot"
    done = subprocess.run(
        [sys.executable, "-m", "graphgrad", "draw", "x*x", "--set", "x=3", "-o", str(out)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    assert done.returncode == 0, done.stderr
    assert "x*x = 9; d/dx = 6" in done.stdout and out.exists()


def test_unused_setting_is_a_one_line_warning(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "g.dot"
    assert main(["draw", "x*2", "--set", "x=1", "y=5", "-o", str(out)]) == 0
    err = capsys.readouterr().err
    assert err == "graphgrad draw: warning: --set y: y is not in the expression\n"
    assert out.exists()


def test_name_set_twice_is_an_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "g.dot"
    assert main(["draw", "x*2", "--set", "x=1", "x=2", "-o", str(out)]) == 2
    assert "x is already set to 1" in capsys.readouterr().err
    assert not out.exists()


def test_a_bad_expression_is_shown_with_a_caret_under_the_column(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["draw", "x^^2", "--set", "x=2", "-o", str(tmp_path / "g.dot")]) == 2
    assert capsys.readouterr().err == (
        "graphgrad draw: error at column 3: syntax: invalid syntax\n"
        "  x^^2\n"
        "    ^\n"
    )  # fmt: skip


@pytest.mark.parametrize(
    "expression, column, hint",
    [
        ("x^2", 2, "^ is xor in Python; use ** for powers: x**2"),
        ("(x+1)^2 / 3", 6, "use ** for powers: (x+1)**2 / 3"),  # ^ binds less than /
        ("tanh(x ^ 3)", 8, "use ** for powers: x ** 3"),
        ("2x", 2, "missing * between 2 and x: write 2*x"),
        ("3.5x + 1", 4, "missing * between 3.5 and x: write 3.5*x"),
        ("x + 2x^2", 6, "missing * between 2 and x: write 2*x"),
        ("2 x", 3, "missing * between 2 and x: write 2*x"),
        ("x w", 3, "missing * between x and w: write x*w"),
        ("(x+1) w", 7, "missing * between (x+1) and w: write (x+1)*w"),
        ("2(x+1)", 2, "missing * before the bracket: write 2*(x+1)"),
        ("(x+1)(x-1)", 6, "missing * before the bracket: write (x+1)*(x-1)"),
        ("exp(x)(w)", 7, "missing * before the bracket: write exp(x)*(w)"),
        ("x(w + 1)", 2, "x is a value, not a function; for a product write x*(w + 1)"),
        ("y = x*w", 3, "draw takes an expression, not an assignment: write just x*w"),
        ("ln(x)", 1, "log is the natural logarithm: write log(x)"),
        ("sqrt(x + w)", 1, "for a square root write (x + w)**0.5"),
        ("Tanh(x)", 1, "did you mean tanh(x)?"),
        ("sigmod(x)", 1, "did you mean sigmoid(x)?"),
    ],
)
def test_usual_slips_get_a_hint_in_the_users_own_text(
    expression: str, column: int, hint: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["draw", expression, "--set", "x=2", "w=3", "-o", str(tmp_path / "g.dot")]) == 2
    message, shown, caret = capsys.readouterr().err.splitlines()
    assert message.startswith(f"graphgrad draw: error at column {column}: ") and message.endswith(hint)
    assert shown == "  " + expression and caret == "  " + " " * (column - 1) + "^"


def test_no_hint_where_the_repair_would_not_parse() -> None:
    with pytest.raises(ExpressionError) as info:
        evaluate_expression("2x +", {"x": 1.0})  # with 2*x it still does not parse
    assert info.value.message.startswith("syntax: ") and "*" not in info.value.message
    with pytest.raises(ExpressionError, match="unknown function 'floor'") as info:
        evaluate_expression("floor(x)", {"x": 1.0})
    assert "mean" not in info.value.message  # nothing close among the known functions


def test_the_caret_is_under_the_column_in_long_and_wide_expressions() -> None:
    long = " + ".join(f"x{i}" for i in range(100)) + " + q"
    message, shown, caret = ExpressionError("unknown name 'q'", len(long)).pointed(long).splitlines()
    assert message == f"error at column {len(long)}: unknown name 'q'"
    assert shown.startswith("  ...") and shown.endswith("+ q") and len(shown) < 90
    assert caret.index("^") == shown.index("q")
    start = ExpressionError("nested", 1).pointed(long).splitlines()
    assert start[1].endswith("...") and start[2] == "  ^"
    wide = ExpressionError("unknown name 'q'", 6).pointed("变量 + q").splitlines()
    assert wide[2] == "  " + " " * 7 + "^"  # the two wide characters take two columns each


def test_version(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as info:
        main(["--version"])
    assert info.value.code == 0
    assert capsys.readouterr().out == f"graphgrad {graphgrad.__version__}\n"
    pyproject = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    assert f'\nversion = "{graphgrad.__version__}"\n' in pyproject  # the installed one is this tree's
    done = subprocess.run(
        [sys.executable, "-m", "graphgrad", "--version"], capture_output=True, text=True, cwd=ROOT
    )
    assert done.returncode == 0 and done.stdout == f"graphgrad {graphgrad.__version__}\n"


def test_version_of_a_source_tree_that_was_never_installed() -> None:
    assert graphgrad._distribution_version("graphgrad-not-installed") == graphgrad.__version__


# --- long, pasted and unusual input ---------------------------------------------------------------


def _answer_time(expression: str) -> float:
    """Seconds ``evaluate_expression`` takes to refuse ``expression``."""
    start = time.perf_counter()
    with pytest.raises(ExpressionError):
        evaluate_expression(expression, {"x": 2.0})
    return time.perf_counter() - start


@pytest.mark.parametrize(
    "expression",
    [
        "y = x" + " " * 90_000 + "x",  # the assignment regex backtracked
        "2x " * 30_000,  # the repair put in one * at a time
        "(" * 30_000 + "x)" * 30_000,  # brackets were matched by scanning, for each pair
    ],
    ids=["assignment-spaces", "many-missing-stars", "deep-groups"],
)
def test_long_expressions_are_answered_in_linear_time(expression: str) -> None:
    assert len(expression) <= MAX_EXPRESSION_LENGTH
    assert _answer_time(expression) < 3.0


def test_an_expression_over_the_length_limit_says_so(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    expression = "x*" * 600_000 + "x"
    assert _answer_time(expression) < 1.0
    assert main(["draw", expression, "--set", "x=2", "-o", str(tmp_path / "g.dot")]) == 2
    message = capsys.readouterr().err.splitlines()[0]
    assert message == (
        "graphgrad draw: error at column 100001: the expression is 1,200,001 characters long; graphgrad "
        "draw takes at most 100,000: build bigger graphs in Python (Value) and draw them with autograd.draw"
    )


def test_set_names_are_read_as_python_reads_names(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """NFKC: the micro sign typed in --set is the Greek mu Python makes of it in the expression."""
    micro, mu = "\u00b5", "\u03bc"
    out = tmp_path / "g.dot"
    assert main(["draw", f"{micro}*2", "--set", f"{micro}=0.5", "--highlight", micro, "-o", str(out)]) == 0
    assert capsys.readouterr().out.startswith(f"{micro}*2 = 1; d/d{mu} = 2")
    assert main(["draw", f"{micro}*2", "--set", f"{micro}=0.5", f"{mu}=1", "-o", str(out)]) == 2
    assert f"{mu} is already set to 0.5" in capsys.readouterr().err
    assert main(["draw", "\ufb01*2", "--set", "fi=3", "-o", str(out)]) == 0  # the ligature fi
    assert capsys.readouterr().out.startswith("\ufb01*2 = 6")


def test_carriage_returns_and_form_feeds_are_spaces(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """An expression pasted from a Windows file (CR LF) reads as one line."""
    out = tmp_path / "g.dot"
    assert main(["draw", "x *\r\n w +\f1\v", "--set", "x=2\r", "w=3", "-o", str(out)]) == 0
    assert capsys.readouterr().out.startswith("x * w + 1 = 7; d/dx = 3")
    with pytest.raises(ExpressionError) as info:
        evaluate_expression("x +\r* 2", {"x": 1.0})
    assert info.value.pointed("x +\r* 2").splitlines()[1] == "  x + * 2"


def test_the_expression_may_come_after_set(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """--set takes every word after it: the last one, which is no NAME=NUMBER pair, is the expression."""
    out = tmp_path / "g.dot"
    assert main(["draw", "--set", "x=2", "x**2", "-o", str(out)]) == 0
    assert capsys.readouterr().out.startswith("x**2 = 4; d/dx = 4")
    assert main(["draw", "-o", str(out), "--set", "x=2", "w=3", "--", "x*w"]) == 0
    assert capsys.readouterr().out.startswith("x*w = 6")
    assert main(["draw", "--set", "x=2", "w=3", "-o", str(out)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("graphgrad draw: no expression: --set took every word after it")
    assert "after --" in err


def test_the_missing_star_repair_is_linear() -> None:
    """The repair of 2x 2x 2x ... put its stars in one at a time (35 s for 1 MB); now in one pass."""
    from graphgrad.cli import _syntax_slip

    start = time.perf_counter()
    _syntax_slip("2x " * 350_000)  # 1 MB, 700,000 stars to put in (the length limit is for draw)
    assert time.perf_counter() - start < 15.0


@needs_renderer  # (as every test of the page)
def test_cli_writes_the_page(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "graph.html"
    assert main(["draw", "tanh(x*w + b)", "--set", "x=2", "w=-3", "b=6.88", "-o", str(out)]) == 0
    text = out.read_text(encoding="utf-8")
    assert text.startswith("<!DOCTYPE html>") and "tanh" in text
    printed = capsys.readouterr()
    assert f"wrote {out}" in printed.out and "laying out" not in printed.err  # quick: nothing to say
    assert main(["draw", "x", "--set", "x=1", "-o", str(tmp_path / "graph.jpg")]) == 2
    assert "use a .svg, .png, .dot or .html file name" in capsys.readouterr().err


@needs_renderer  # (as every test of the page)
def test_cli_says_what_it_is_doing_when_it_takes_over_a_second(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    render = draw_layout.run_graphviz

    def slow(*args: Any) -> bytes:
        time.sleep(1.5)
        return render(*args)

    monkeypatch.setattr(draw_render, "run_graphviz", slow)
    assert main(["draw", "x*w", "--set", "x=2", "w=3", "-o", str(tmp_path / "graph.svg")]) == 0
    err = capsys.readouterr().err
    assert re.search(r"graphgrad draw: laying out 3 nodes with (dot|graphviz-pure) \.\.\.", err)
    assert not [t for t in threading.enumerate() if isinstance(t, threading.Timer) and t.is_alive()]
