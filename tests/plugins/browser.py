"""Playwright with Debian's Chromium (never `playwright install`: no downloads here).

Fixtures: `chromium` (session-scoped Browser; fails when CI is set and Chromium is missing,
skips with a clear message otherwise), `browser_output` (a per-test folder for screenshots
under test-output/browser/), `new_context` (factory for isolated browser contexts, closed at
teardown).
"""

from __future__ import annotations

import os
import re
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from playwright.sync_api import Browser, BrowserContext

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def _unavailable(reason: str) -> None:
    if os.environ.get("CI"):
        pytest.fail(f"browser tests must run in CI: {reason}", pytrace=False)
    pytest.skip(f"browser tests skipped: {reason} (install Debian's chromium to run them)")


@pytest.fixture(scope="session")
def chromium() -> Iterator[Browser]:
    """A headless Chromium shared by the session's browser tests."""
    if not (os.path.isfile(CHROMIUM) and os.access(CHROMIUM, os.X_OK)):
        _unavailable(f"{CHROMIUM} not found")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _unavailable("the Python package 'playwright' is not installed")
    manager = sync_playwright().start()
    try:
        browser = manager.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
        )
    except Exception as exc:  # noqa: BLE001 - report any launch failure the same way
        manager.stop()
        _unavailable(f"Chromium did not start: {exc}")
    try:
        yield browser
    finally:
        browser.close()
        manager.stop()


@pytest.fixture
def browser_output(request: pytest.FixtureRequest) -> Path:
    """test-output/browser/<test name>/, emptied first (git-ignored)."""
    name = re.sub(r"[^A-Za-z0-9_.-]+", "_", request.node.name)[:120]
    folder = request.config.rootpath / "test-output" / "browser" / name
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True, exist_ok=True)
    return folder


@pytest.fixture
def new_context(chromium: Browser) -> Iterator[Callable[..., BrowserContext]]:
    """`new_context(**options)`: a fresh, isolated browser context (own cookies)."""
    contexts: list[BrowserContext] = []

    def make(**options: Any) -> BrowserContext:
        context = chromium.new_context(**options)
        context.set_default_timeout(15_000)
        contexts.append(context)
        return context

    yield make
    for context in contexts:
        context.close()
