"""The examples in the docstrings of autograd, nn and graphgrad run and print what they show.

(The suite's ``--doctest-modules`` only reaches the files under tests/, so the library's own
examples are run here, one test per module.)
"""

from __future__ import annotations

import doctest
import importlib
import pkgutil

import pytest

import autograd
import graphgrad
import nn

MODULES = sorted(
    info.name
    for package in (autograd, nn, graphgrad)
    for info in pkgutil.walk_packages(package.__path__, prefix=package.__name__ + ".")  # subpackages too
) + ["autograd", "nn", "graphgrad"]


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name: str) -> None:
    module = importlib.import_module(name)
    flags = doctest.NORMALIZE_WHITESPACE | doctest.ELLIPSIS
    result = doctest.testmod(module, optionflags=flags, verbose=False, report=True)
    assert result.failed == 0, f"{result.failed} of {result.attempted} docstring examples failed in {name}"


def test_the_core_modules_have_examples() -> None:
    for name in (
        "autograd.graph",
        "autograd.value",
        "autograd.tensor",
        "autograd.functional",
        "autograd.check",
    ):
        assert doctest.testmod(importlib.import_module(name), verbose=False).attempted > 0, name
