"""Fixtures shared across test folders."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest
from browsers import CHROMIUM, CHROMIUM_ARGS
from hypothesis import settings

# In CI the property tests draw the same examples on every run, so a landing never
# depends on luck; locally they explore new ones each time.
settings.register_profile("ci", derandomize=True, database=None, deadline=None)
if os.environ.get("CI"):
    settings.load_profile("ci")


@pytest.fixture(scope="session")
def browser() -> Iterator:
    """One Chromium per test session, driven by Playwright's sync API.

    One per session matters: a second `sync_playwright()` in the same worker fails while
    the first one's event loop runs. Missing Chromium FAILS the tests: `./dev test`
    installs it, so its absence is a broken setup.
    """
    if not CHROMIUM.exists():
        pytest.fail(f"{CHROMIUM} is missing: run ./dev test (it installs Debian's chromium)", pytrace=False)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        # launch() gives every run a fresh temporary profile (user-data-dir).
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()
