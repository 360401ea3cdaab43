"""Test-wide settings.

Long runs marked ``slow`` (fuzzing at scale) are left out unless asked for with ``-m slow``.
They are deselected, not skipped: a default run reports them as deselected, and every test it
does collect runs.

BLAS runs on one thread (unless the environment says otherwise): the test machines are small
shared boxes where a multi-threaded matrix product under load is many times slower, and the
notebook kernels started by the tests inherit the setting.
"""

from __future__ import annotations

import os

for _variable in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_variable, "1")

import pytest  # noqa: E402


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if "slow" in (config.getoption("-m") or ""):
        return
    slow = [item for item in items if item.get_closest_marker("slow")]
    if slow:
        config.hook.pytest_deselected(items=slow)
        items[:] = [item for item in items if not item.get_closest_marker("slow")]
