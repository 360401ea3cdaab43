"""The ``graphgrad`` command: ``graphgrad demo`` and ``graphgrad draw``.

>>> main(["--help"])  # doctest: +SKIP
"""

from __future__ import annotations

import argparse
import ast
import difflib
import operator
import re
import sys
import threading
import unicodedata
import warnings
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any


def _demo(args: argparse.Namespace) -> int:
    from graphgrad.demo import run

    run(args.out, progress=not args.no_progress)
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit status."""
    from graphgrad import __version__

    parser = argparse.ArgumentParser(
        prog="graphgrad", description="graphgrad: autodiff with the graph on show"
    )
    parser.add_argument("--version", action="version", version=f"graphgrad {__version__}")
    commands = parser.add_subparsers(dest="command", required=True)
    demo = commands.add_parser("demo", help="train small networks and write plots and a drawn graph")
    demo.add_argument("--out", default="graphgrad-demo", help="folder for the plots, weights and drawing")
    demo.add_argument("--no-progress", action="store_true", help="no progress bars")
    demo.set_defaults(run=_demo)
    draw = _add_draw_command(commands)
    argv = list(sys.argv[1:] if argv is None else argv)
    # an expression right after "draw" that starts with a minus ("-x*w") is not an option: a
    # leading space makes argparse take it as the expression (and is dropped again below)
    options = [s for action in draw._actions for s in action.option_strings]
    shield = argv[:1] == ["draw"] and len(argv) > 1 and argv[1][:1] == "-" and argv[1] != "--"
    shield = shield and not any(o.startswith(argv[1].split("=")[0]) for o in options)
    if shield:
        argv[1] = " " + argv[1]
    args = parser.parse_args(argv)
    if shield:
        args.expression = args.expression[1:]
    return int(args.run(args))


_FUNCTIONS = (
    "exp", "log", "sin", "cos", "erf", "abs",
    "tanh", "sigmoid", "relu", "leaky_relu", "elu", "gelu", "silu", "softplus",
)  # fmt: skip
"""The Value methods an expression may call (each with one argument)."""
_BINARY = {
    ast.Add: operator.add,
    ast.Sub: operator.sub,
    ast.Mult: operator.mul,
    ast.Div: operator.truediv,
    ast.Pow: operator.pow,
}
"""The operators an expression may use, and what each does."""
_SYNTAX_NAMES = {
    "Attribute": "attribute access",
    "Subscript": "indexing",
    "Compare": "comparison",
    "BoolOp": "and/or",
    "IfExp": "conditional expression",
    "Lambda": "lambda",
    "Tuple": "tuple (a comma?)",
    "List": "list",
    "JoinedStr": "f-string",
    "NamedExpr": "assignment (:=)",
}
# the pieces of an expression, enough to see two operands side by side (numbers, names, brackets)
_TOKEN = re.compile(
    r"\s*(?:(?P<number>(?:\d[\d_]*\.?[\d_]*|\.\d[\d_]*)(?:[eE][+-]?\d+)?)|(?P<name>[^\W\d]\w*)|(?P<other>\S))"
)
_CARET_WIDTH = 76  # longer expressions are shown as a window around the column
_SPACES = str.maketrans("\n\t\r\f\v", "     ")  # line breaks and tabs in a pasted expression
MAX_EXPRESSION_LENGTH = 100_000
"""The longest expression ``graphgrad draw`` takes, in characters (Python's parser gives up on
sums of a few thousand terms anyway); build bigger graphs in Python."""
_ASSIGNMENT = re.compile(r"\s*[^\W\d]\w*\s*=(?!=)(.*)", re.DOTALL)  # ``y = ...``: no backtracking


class ExpressionError(ValueError):
    """An expression that ``graphgrad draw`` does not accept; ``column`` counts from 1.

    >>> err = ExpressionError("syntax: invalid syntax", 3)
    >>> print(err.pointed("x^^2"))
    error at column 3: syntax: invalid syntax
      x^^2
        ^
    """

    def __init__(self, message: str, column: int) -> None:
        super().__init__(message)
        self.message = message
        self.column = column

    def __str__(self) -> str:
        return f"error at column {self.column}: {self.message}"

    def pointed(self, expression: str) -> str:
        """The message, then the expression (a window of it, when long) with a caret under the column."""
        text = expression.translate(_SPACES)
        start = max(0, min(self.column - 1 - _CARET_WIDTH // 2, len(text) - _CARET_WIDTH))
        shown = text[start : start + _CARET_WIDTH]
        before = "..." if start > 0 else ""
        after = "..." if start + _CARET_WIDTH < len(text) else ""
        lead = before + shown[: self.column - 1 - start]
        pad = "".join("  " if unicodedata.east_asian_width(c) in "WF" else " " for c in lead)
        return f"{self}\n  {before}{shown}{after}\n  {pad}^"


class _Source:
    """Positions in the expression as typed: the AST counts UTF-8 bytes, the user counts characters."""

    def __init__(self, body: str, indent: int) -> None:
        self.body, self.indent = body, indent
        self._utf8 = body.encode("utf-8")

    def index(self, byte_offset: int | None) -> int:
        """The character index in the body of a byte offset."""
        return len(self._utf8[: byte_offset or 0].decode("utf-8", "ignore"))

    def column(self, node: ast.AST) -> int:
        """The column (from 1, as typed) where ``node`` starts."""
        return self.indent + self.index(getattr(node, "col_offset", 0)) + 1

    def after(self, node: ast.AST) -> int:
        """The index of the first character after ``node``, its closing brackets and spaces."""
        end = self.index(getattr(node, "end_col_offset", 0))
        rest = self.body[end:]
        return end + len(rest) - len(rest.lstrip(" )"))

    def operator_column(self, node: ast.BinOp) -> int:
        """The column (from 1, as typed) of the operator of ``node``."""
        return self.indent + self.after(node.left) + 1

    def text(self, node: ast.AST) -> str:
        """The text of ``node`` as typed."""
        start, end = getattr(node, "col_offset", 0), getattr(node, "end_col_offset", 0)
        return self.body[self.index(start) : self.index(end)]


def _products_written_without_star(body: str) -> tuple[list[int], tuple[str, str]]:
    """Where two operands stand side by side (``2x``, ``2 x``, ``x y``, ``(x+1) y``): the index of
    each second one, and the texts of the first two (a bracketed group as a whole). Linear in the
    length of ``body``: brackets are matched once, with a stack.

    >>> _products_written_without_star("2x + (x+1) y")
    ([1, 11], ('2', 'x'))
    """
    tokens = [(m.lastgroup, m[m.lastgroup or 0], m.start(m.lastgroup or 0)) for m in _TOKEN.finditer(body)]
    partner: dict[int, int] = {}  # token index of each matched bracket -> that of the other one
    opened: list[int] = []
    for i, (_, text, _) in enumerate(tokens):
        if text == "(":
            opened.append(i)
        elif text == ")" and opened:
            j = opened.pop()
            partner[i], partner[j] = j, i
    found: list[int] = []
    first = ("", "")
    for i in range(1, len(tokens)):
        (kind_a, a, at_a), (kind_b, b, at_b) = tokens[i - 1], tokens[i]
        ends_operand = kind_a in ("number", "name") or a == ")"
        starts_operand = kind_b in ("number", "name") or b == "("
        if ends_operand and starts_operand and not (kind_a == "name" and b == "("):  # f(x) is a call
            if not found:  # the texts of the first pair only: the hint shows no other
                start = tokens[partner[i - 1]][2] if a == ")" and i - 1 in partner else 0
                end = tokens[partner[i]][2] + 1 if b == "(" and i in partner else len(body)
                first = (body[start : at_a + 1] if a == ")" else a, body[at_b:end] if b == "(" else b)
            found.append(at_b)
    return found, first


def _with_stars(body: str, places: list[int]) -> str:
    """``body`` with a ``*`` put in before each index of ``places`` (in increasing order).

    >>> _with_stars("2x y", [1, 3])
    '2*x *y'
    """
    pieces, last = [], 0
    for at in places:
        pieces += [body[last:at], "*"]
        last = at
    pieces.append(body[last:])
    return "".join(pieces)


def _syntax_slip(body: str) -> tuple[str, int] | None:
    """A hint and the index it points at, for an expression that does not parse because of a
    usual slip: an assignment (``y = x*2``), or a product without ``*`` (``2x``, ``x y``).
    Linear in the length of ``body``."""
    assignment = _ASSIGNMENT.fullmatch(body)
    value = assignment[1].strip() if assignment else ""
    if assignment and _parses(value):
        return f"draw takes an expression, not an assignment: write just {value}", body.index("=")
    places, (left, right) = _products_written_without_star(body)
    if places and _parses(_with_stars(body, places)):
        return f"missing * between {left} and {right}: write {left}*{right}", places[0]
    return None


def _parses(text: str) -> bool:
    try:
        ast.parse(text, mode="eval")
    except (SyntaxError, RecursionError, MemoryError):
        return False
    return True


def _call_error(node: ast.Call, source: _Source, values: Mapping[str, float]) -> ExpressionError:
    """Why a call is refused, with a hint: ``2(x+1)`` and ``x(y)`` are products without ``*``,
    ``ln``, ``sqrt`` and misspelt names have a known function instead."""
    func = node.func
    star = source.after(func)
    call_start = source.index(node.col_offset)
    as_product = source.text(node)[: star - call_start] + "*" + source.text(node)[star - call_start :]
    where = source.indent + star + 1
    if isinstance(func, ast.Name) and func.id in values:
        message = f"{func.id} is a value, not a function; for a product write {as_product}"
        return ExpressionError(message, where)
    if isinstance(func, ast.Name):
        message = f"unknown function {func.id!r} (known: {', '.join(_FUNCTIONS)})"
        argument = source.text(node.args[0]) if len(node.args) == 1 else "..."
        close = difflib.get_close_matches(func.id.lower(), _FUNCTIONS, n=1)
        if func.id == "ln":
            message += f"; log is the natural logarithm: write log({argument})"
        elif func.id == "sqrt":
            message += f"; for a square root write ({argument})**0.5"
        elif close:
            message += f"; did you mean {close[0]}({argument})?"
        return ExpressionError(message, source.column(func))
    is_number = isinstance(func, ast.Constant) and isinstance(func.value, (int, float))
    if is_number or isinstance(func, (ast.BinOp, ast.UnaryOp, ast.Call)):
        return ExpressionError(f"missing * before the bracket: write {as_product}", where)
    return ExpressionError(f"unsupported call (functions: {', '.join(_FUNCTIONS)})", source.column(node))


def _check_length(expression: str) -> None:
    """Refuse an expression longer than ``MAX_EXPRESSION_LENGTH``, pointing where it gets too long."""
    if len(expression) > MAX_EXPRESSION_LENGTH:
        raise ExpressionError(
            f"the expression is {len(expression):,} characters long; graphgrad draw takes at most "
            f"{MAX_EXPRESSION_LENGTH:,}: build bigger graphs in Python (Value) and draw them with "
            "autograd.draw",
            MAX_EXPRESSION_LENGTH + 1,
        )


def evaluate_expression(expression: str, values: Mapping[str, float]) -> tuple[Any, dict[str, Any]]:
    """Build the graph of ``expression`` with Values for its names: (root, {name: Value}).

    Accepts numbers, names given in ``values``, ``+ - * / **``, unary minus and the one-argument
    functions of ``_FUNCTIONS`` (exp, log, sin, tanh, relu, gelu ...). It parses the expression,
    checks every node of the ``ast`` tree, then evaluates the tree, walking it with an explicit
    stack (never ``eval``); anything else raises :class:`ExpressionError` with the column, and
    a hint for the usual slips (``x^2`` for ``x**2``, ``2x`` for ``2*x``).

    >>> y, leaves = evaluate_expression("tanh(x*w + b)", {"x": 2, "w": -3, "b": 6.88})
    >>> round(y.data, 4), sorted(leaves)
    (0.7064, ['b', 'w', 'x'])
    >>> evaluate_expression("x^2", {"x": 3.0})
    Traceback (most recent call last):
    ...
    graphgrad.cli.ExpressionError: error at column 2: ^ is xor in Python; use ** for powers: x**2
    """
    tree, source = _parse_expression(expression)
    _check_tree(tree, source, values)
    return _evaluate_tree(tree, source, values)


def _parse_expression(expression: str) -> tuple[ast.expr, _Source]:
    """The ``ast`` tree of the expression and its positions as typed, or an ExpressionError for
    an expression too long, empty, or that does not parse (with a hint for the usual slips)."""
    _check_length(expression)
    text = expression.translate(_SPACES)
    indent = len(text) - len(text.lstrip(" "))
    body = text[indent:]
    if not body.strip():
        raise ExpressionError("the expression is empty", 1)
    try:
        tree = ast.parse(body, mode="eval")
    except SyntaxError as err:
        slip = _syntax_slip(body)
        if slip is not None:
            raise ExpressionError(slip[0], indent + slip[1] + 1) from None
        offset = err.offset if err.offset and err.offset > 0 else len(body) + 1
        raise ExpressionError(f"syntax: {err.msg}", indent + offset) from None
    except (RecursionError, MemoryError):  # Python's own parser gives up on very deep nesting
        raise ExpressionError("the expression is nested too deeply for Python's parser", indent + 1) from None
    return tree.body, _Source(body, indent)


def _operands(node: ast.AST) -> list[ast.AST]:
    """The operands of a node of a checked expression, left to right."""
    if isinstance(node, ast.BinOp):
        return [node.left, node.right]
    if isinstance(node, ast.UnaryOp):
        return [node.operand]
    if isinstance(node, ast.Call):
        return [node.args[0]]
    return []


def _check_tree(tree: ast.expr, source: _Source, values: Mapping[str, float]) -> None:
    """The sandbox: every node of ``tree``, from the root down and left to right, must be a real
    number, a name in ``values``, one of the operators ``+ - * / **``, a unary minus or plus, or
    a call of one of ``_FUNCTIONS`` with one argument; the first that is not raises an
    ExpressionError with its column and a hint."""
    stack: list[ast.AST] = [tree]
    while stack:
        node = stack.pop()
        if isinstance(node, ast.BinOp):
            if isinstance(node.op, ast.BitXor):
                message = f"^ is xor in Python; use ** for powers: {source.text(node).replace('^', '**')}"
                raise ExpressionError(message, source.operator_column(node))
            if type(node.op) not in _BINARY:
                raise ExpressionError("unsupported operator (use + - * / **)", source.operator_column(node))
        elif isinstance(node, ast.UnaryOp):
            if not isinstance(node.op, (ast.USub, ast.UAdd)):
                raise ExpressionError("unsupported operator (use + - * / **)", source.column(node))
        elif isinstance(node, ast.Call):
            if not isinstance(node.func, ast.Name) or node.func.id not in _FUNCTIONS:
                raise _call_error(node, source, values)
            if len(node.args) != 1 or node.keywords or isinstance(node.args[0], ast.Starred):
                raise ExpressionError(f"{node.func.id}() takes exactly one argument", source.column(node))
        elif isinstance(node, ast.Constant):
            if isinstance(node.value, bool) or not isinstance(node.value, (int, float)):
                message = f"unsupported constant {node.value!r} (real numbers only)"
                raise ExpressionError(message, source.column(node))
        elif isinstance(node, ast.Name):
            if node.id not in values:
                hint = f"; {node.id} is a function: call it" if node.id in _FUNCTIONS else ""
                message = f"unknown name {node.id!r}: give it a value with --set {node.id}=...{hint}"
                raise ExpressionError(message, source.column(node))
        else:
            what = _SYNTAX_NAMES.get(type(node).__name__, type(node).__name__)
            raise ExpressionError(f"unsupported syntax: {what}", source.column(node))
        stack.extend(reversed(_operands(node)))


def _evaluate_tree(
    tree: ast.expr, source: _Source, values: Mapping[str, float]
) -> tuple[Any, dict[str, Any]]:
    """The Value of a checked ``tree`` (operands before the node, with an explicit stack) and the
    Values of its names; an error of an op (a math domain error ...) as an ExpressionError."""
    from autograd.value import Value

    def lift(x: Any) -> Any:
        return x if isinstance(x, Value) else Value(x)

    leaves: dict[str, Any] = {}
    stack: list[tuple[ast.AST, bool]] = [(tree, False)]
    results: list[Any] = []
    while stack:
        node, ready = stack.pop()
        if not ready:  # visit its operands before it
            stack.append((node, True))
            stack.extend((operand, False) for operand in reversed(_operands(node)))
            continue
        try:
            if isinstance(node, ast.Constant):
                results.append(float(node.value))  # type: ignore[arg-type]  # a real number, checked
            elif isinstance(node, ast.Name):
                if node.id not in leaves:
                    leaves[node.id] = Value(float(values[node.id]), label=node.id)
                results.append(leaves[node.id])
            elif isinstance(node, ast.UnaryOp):
                operand = results.pop()
                results.append(-operand if isinstance(node.op, ast.USub) else operand)
            elif isinstance(node, ast.Call):
                assert isinstance(node.func, ast.Name)
                results.append(getattr(lift(results.pop()), node.func.id)())
            elif isinstance(node, ast.BinOp):
                right = results.pop()
                left = results.pop()
                if not isinstance(left, Value) and not isinstance(right, Value):
                    left = Value(left)  # two numbers: keep both in the drawing
                results.append(_BINARY[type(node.op)](left, right))
        except (ValueError, TypeError, ArithmeticError) as err:
            where = source.operator_column(node) if isinstance(node, ast.BinOp) else source.column(node)
            raise ExpressionError(str(err).splitlines()[0], where) from None
    return lift(results.pop()), leaves


def _name(text: str) -> str:
    """A name as typed on the command line, as Python reads it in the expression (NFKC: the micro
    sign µ is the Greek mu μ there).

    >>> _name(" \u00b5 ") == "\u03bc"
    True
    """
    return unicodedata.normalize("NFKC", text.strip())


def _is_setting(word: str) -> bool:
    """True for a ``NAME=NUMBER`` pair, such as ``x=2``."""
    name, sep, number = word.partition("=")
    try:
        float(number)
    except ValueError:
        return False
    return bool(sep) and _name(name).isidentifier()


def _expression_and_settings(expression: str | None, settings: list[str]) -> tuple[str, list[str]]:
    """The expression and the ``--set`` pairs. ``--set`` takes every word after it, so in
    ``graphgrad draw --set x=2 "x**2"`` the expression is its last word, which is no pair.

    >>> _expression_and_settings(None, ["x=2", "x**2"])
    ('x**2', ['x=2'])
    """
    if expression is not None:
        return expression, settings
    if settings and not _is_setting(settings[-1]):
        return settings[-1], settings[:-1]
    raise ValueError(
        "no expression: --set took every word after it as a NAME=NUMBER pair; give the expression "
        'first (graphgrad draw "x**2" --set x=2) or after -- (graphgrad draw --set x=2 -- "x**2")'
    )


def _parse_settings(pairs: Sequence[str]) -> dict[str, float]:
    values: dict[str, float] = {}
    for pair in pairs:
        name, sep, number = pair.partition("=")
        name = _name(name)
        if not sep or not name.isidentifier():
            raise ValueError(f"--set {pair}: write NAME=NUMBER, e.g. --set x=2")
        if name in values:
            raise ValueError(f"--set {pair}: {name} is already set to {values[name]:g}; give each name once")
        try:
            values[name] = float(number)
        except ValueError:
            raise ValueError(f"--set {pair}: {number!r} is not a number") from None
    return values


def _draw(args: argparse.Namespace) -> int:
    from autograd.drawing import RendererNotFoundError, draw, explore, find_renderer
    from autograd.graph import topological_order

    def fail(message: str, status: int = 2) -> int:
        print(f"graphgrad draw: {message}", file=sys.stderr)
        return status

    output = Path(args.output)
    if output.suffix.lower() not in (".svg", ".png", ".dot", ".gv", ".html"):
        return fail(f"-o {args.output}: use a .svg, .png, .dot or .html file name")
    try:
        args.expression, settings = _expression_and_settings(args.expression, args.set)
        values = _parse_settings(settings)
        with warnings.catch_warnings(record=True) as caught:  # log(0) and the like: one line each
            warnings.simplefilter("always")
            root, leaves = evaluate_expression(args.expression, values)
    except ExpressionError as err:
        return fail(err.pointed(args.expression))
    except ValueError as err:
        return fail(str(err))
    for warning in caught:
        print(f"graphgrad draw: warning: {warning.message}", file=sys.stderr)
    for name in sorted(values.keys() - leaves.keys()):
        print(f"graphgrad draw: warning: --set {name}: {name} is not in the expression", file=sys.stderr)
    highlight = [_name(name) for name in args.highlight]
    for name in highlight:
        if name not in leaves:
            return fail(f"--highlight {name}: not a name in the expression")
    root.backward()
    options = dict(
        rankdir=args.rankdir,
        highlight=[leaves[n] for n in highlight] or None,
        max_nodes=args.max_nodes,
        show=args.show,
    )
    drawn = min(len(topological_order(root)), args.max_nodes) if args.max_nodes > 0 else 0
    program = Path(find_renderer() or "graphviz").name
    try:
        with _after_a_second(f"graphgrad draw: laying out {drawn:,} nodes with {program} ..."):
            if output.suffix.lower() == ".html":
                explore(root, **options).save(output)
            else:
                draw(root, **options).save(output)
    except ValueError as err:  # a bad --max-nodes or --show
        return fail(str(err))
    except (RendererNotFoundError, RuntimeError, OSError) as err:
        return fail(str(err), 1)
    grads = ", ".join(f"d/d{name} = {leaf.grad:.4g}" for name, leaf in leaves.items())
    shown = " ".join(args.expression.split())
    shown = shown if len(shown) <= 60 else shown[:57] + "..."  # a 2,000-term sum: its start only
    print(f"{shown} = {root.data:.4g}" + (f"; {grads}" if grads else ""))
    print(f"wrote {output}")
    return 0


class _after_a_second:
    """Print ``message`` (to stderr) if the block is still running after a second."""

    def __init__(self, message: str) -> None:
        self.timer = threading.Timer(1.0, lambda: print(message, file=sys.stderr, flush=True))
        self.timer.daemon = True

    def __enter__(self) -> None:
        self.timer.start()

    def __exit__(self, *exc: object) -> None:
        self.timer.cancel()


def _add_draw_command(commands: Any) -> argparse.ArgumentParser:
    draw = commands.add_parser(
        "draw",
        help="draw the graph of an expression, with values and gradients",
        description="Parse EXPRESSION (numbers, names, + - * / **, unary minus, the functions "
        f"{' '.join(_FUNCTIONS)}), run forward and backward, and write the drawn graph.",
    )
    draw.add_argument(
        "expression", nargs="?", help='e.g. "tanh(x*w + b)"; before --set, or as the last word after it'
    )
    draw.add_argument("--set", nargs="+", action="extend", default=[], metavar="NAME=VALUE", help="values")
    draw.add_argument(
        "-o",
        "--output",
        default="graph.svg",
        help="a .svg, .png, .dot or .html (the interactive page) file (graph.svg)",
    )
    draw.add_argument("--rankdir", default="LR", choices=("LR", "TB", "RL", "BT"), help="layout direction")
    draw.add_argument(
        "--highlight",
        nargs="+",
        action="extend",
        default=[],
        metavar="NAME",
        help="mark every path from these names to the result (the influence chain)",
    )
    draw.add_argument("--max-nodes", type=int, default=300, help="collapse the graph past this many nodes")
    draw.add_argument("--show", default="data,grad", help='"data,grad", "data", "grad" or ""')
    draw.set_defaults(run=_draw)
    return draw  # type: ignore[no-any-return]


if __name__ == "__main__":
    sys.exit(main())
