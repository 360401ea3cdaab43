"""graphgrad: reverse-mode autodiff with the graph on show, in one import.

The application layer on top of the engine (``autograd``) and the library (``nn``): it
re-exports the public names of both, and holds the command line (``graphgrad.cli``) and the
demo (``graphgrad.demo``).

>>> from graphgrad import Value, nn
>>> x = Value(3.0)
>>> (x * x).backward()
>>> x.grad
6.0
>>> nn.MLP(2, [4, 1], seed=0).num_parameters()
17
"""

import re
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

import autograd
import nn
from autograd import *  # noqa: F403  (the engine's public names, as listed in autograd.__all__)


def _distribution_version(distribution: str = "graphgrad") -> str:
    """The installed distribution's version; from a source tree that was never installed, the
    ``version = "..."`` line of its pyproject.toml (the one place the number is written).

    >>> _distribution_version() == __version__
    True
    """
    try:
        return version(distribution)
    except PackageNotFoundError:
        pyproject = Path(__file__).resolve().parent.parent / "pyproject.toml"
        text = pyproject.read_text(encoding="utf-8") if pyproject.is_file() else ""
        found = re.search(r'^version = "([^"]+)"', text, re.MULTILINE)
        return found[1] if found else "unknown"


__version__ = _distribution_version()

__all__ = [*autograd.__all__, "nn", "__version__"]
