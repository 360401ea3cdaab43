"""Argument checks that several ``nn`` modules share: sizes that must be positive ints, and seeds.

This module sits at the bottom of ``nn``: it imports nothing of ``nn``, so the scalar networks,
the Tensor layers and the data sets all check their arguments here, with the same messages.
"""

from __future__ import annotations

from typing import Any

import numpy as np


def check_count(n: Any, who: str, what: str) -> int:
    """``n`` as an int, once it is a positive int (a bool is not); else a ValueError from ``who``
    naming the argument ``what``.

    >>> check_count(3, "Linear", "in_features")
    3
    >>> check_count(0, "Linear", "in_features")
    Traceback (most recent call last):
    ...
    ValueError: Linear: in_features must be a positive int, got 0
    """
    if isinstance(n, (bool, np.bool_)) or not isinstance(n, (int, np.integer)) or n < 1:
        raise ValueError(f"{who}: {what} must be a positive int, got {n!r}")
    return int(n)


def make_rng(seed: Any, who: str) -> np.random.Generator:
    """The random generator of ``seed``: a Generator itself (its stream continues), None (fresh
    entropy) or a non-negative int (reproducible); anything else is a ValueError from ``who``.

    >>> float(make_rng(0, "Linear").random()) == float(np.random.default_rng(0).random())
    True
    """
    if isinstance(seed, np.random.Generator):
        return seed
    if seed is None:
        return np.random.default_rng()
    if isinstance(seed, (bool, np.bool_)) or not isinstance(seed, (int, np.integer)) or seed < 0:
        raise ValueError(
            f"{who}: seed must be a non-negative int, a np.random.Generator or None, got {seed!r}"
        )
    return np.random.default_rng(int(seed))
