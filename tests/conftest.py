"""Long runs marked ``slow`` (fuzzing at scale) are left out unless asked for with ``-m slow``.

They are deselected, not skipped: a default run reports them as deselected, and every test it
does collect runs.
"""

from __future__ import annotations

import pytest


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if "slow" in (config.getoption("-m") or ""):
        return
    slow = [item for item in items if item.get_closest_marker("slow")]
    if slow:
        config.hook.pytest_deselected(items=slow)
        items[:] = [item for item in items if not item.get_closest_marker("slow")]
