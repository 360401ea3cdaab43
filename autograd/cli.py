"""The ``graphgrad`` command: ``graphgrad demo`` and ``graphgrad draw``.

>>> main(["--help"])  # doctest: +SKIP
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence


def _demo(args: argparse.Namespace) -> int:
    from autograd import Value

    x, w, b = Value(2.0, label="x"), Value(-3.0, label="w"), Value(6.88, label="b")
    y = (x * w + b).tanh()
    y.backward()
    print(f"y = tanh(x*w + b) = {y.data:.4f}")
    for leaf in (x, w, b):
        print(f"  dy/d{leaf.label} = {leaf.grad:.4f}")
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit status."""
    parser = argparse.ArgumentParser(
        prog="graphgrad", description="graphgrad: autodiff with the graph on show"
    )
    commands = parser.add_subparsers(dest="command", required=True)
    demo = commands.add_parser("demo", help="train small networks and write plots and a drawn graph")
    demo.set_defaults(run=_demo)
    args = parser.parse_args(argv)
    return int(args.run(args))


if __name__ == "__main__":
    sys.exit(main())
