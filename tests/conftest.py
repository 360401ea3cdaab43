"""Test-wide settings.

Long runs marked ``slow`` (fuzzing at scale) are left out unless asked for with ``-m slow``.
They are deselected, not skipped: a default run reports them as deselected, and every test it
does collect runs.

BLAS runs on one thread (unless the environment says otherwise): the test machines are small
shared boxes where a multi-threaded matrix product under load is many times slower, and the
notebook kernels started by the tests inherit the setting.

Pages are tested the way people see them: ``open_page(path)`` opens a saved file in headless
Chromium (Debian's ``chromium`` driven by Playwright) with every network request refused.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

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


# --- the browser tests: headless Chromium through Playwright ----------------------------------

CHROMIUM = (
    os.environ.get("GRAPHGRAD_CHROMIUM") or shutil.which("chromium") or shutil.which("chromium-browser")
)
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
INSTALL_CHROMIUM = (
    "the browser tests need Chromium: install it with `apt-get install -y chromium` (Debian, Ubuntu) "
    "or point GRAPHGRAD_CHROMIUM at a Chromium binary"
)


@pytest.fixture(scope="session")
def chromium(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    """A headless Chromium (a fresh profile) that pages are opened in; skipped, with how to install
    it, where there is none (CI sets GRAPHGRAD_REQUIRE_BROWSER, and there a missing one fails)."""
    if CHROMIUM is None:
        if os.environ.get("GRAPHGRAD_REQUIRE_BROWSER"):
            pytest.fail(INSTALL_CHROMIUM)
        pytest.skip(INSTALL_CHROMIUM)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        context = playwright.chromium.launch_persistent_context(
            str(tmp_path_factory.mktemp("chromium-profile")),
            executable_path=CHROMIUM,
            args=CHROMIUM_ARGS,
            viewport={"width": 1100, "height": 720},
        )
        yield context
        context.close()


class OpenedPage:
    """A page opened from a file with every network request refused; what it logged and asked for."""

    def __init__(self, context: Any, path: Path, width: int = 1100, height: int = 720) -> None:
        self.url = path.resolve().as_uri()
        self.errors: list[str] = []
        self.requests: list[tuple[str, str]] = []  # (the asking frame's address, the address asked for)
        self.dialogs: list[str] = []
        self.page = page = context.new_page()
        page.set_viewport_size({"width": width, "height": height})
        page.on("console", lambda m: self.errors.append(m.text) if m.type in ("error", "warning") else None)
        page.on("pageerror", lambda e: self.errors.append(str(e)))
        page.on("dialog", lambda d: (self.dialogs.append(d.message), d.dismiss()))
        page.route("**/*", self._route)
        page.goto(self.url)

    def _route(self, route: Any) -> None:
        request = route.request
        if request.url == self.url and request.is_navigation_request():
            route.continue_()  # the file itself
            return
        self.requests.append((request.frame.url, request.url))
        route.abort()

    def close(self) -> None:
        self.page.close()


@pytest.fixture
def open_page(chromium: Any) -> Iterator[Callable[..., OpenedPage]]:
    """``open_page(path)`` opens a saved page in Chromium; it is closed after the test."""
    opened: list[OpenedPage] = []

    def open_(path: Path, **size: int) -> OpenedPage:
        opened.append(OpenedPage(chromium, path, **size))
        return opened[-1]

    yield open_
    for page in opened:
        page.close()
