"""Debian's Chromium under Playwright, with the network cut: only file: and data: URLs load."""

from __future__ import annotations

import os
import shutil
from contextlib import contextmanager

import pytest

from tests.conftest import need_playwright

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]


def need_chromium() -> None:
    if not shutil.which(CHROMIUM):
        if os.environ.get("CI"):
            pytest.fail("Chromium is not installed; scripts/install.sh --test installs it")
        pytest.skip("Chromium not installed (scripts/test.sh installs it)")


@pytest.fixture
def session_playwright(request):
    """pytest-playwright's one Playwright of the process (its ``playwright`` fixture).  A second
    ``sync_playwright()`` started while that one runs fails ("Sync API inside the asyncio
    loop"), which happens when a browser journey ran earlier on the same xdist worker."""
    need_chromium()
    need_playwright()
    return request.getfixturevalue("playwright")


@contextmanager
def offline_page(playwright, viewport=(1200, 800)):
    """A page whose every network request is aborted; yields (page, blocked_urls, page_errors).
    ``playwright``: the session_playwright fixture."""

    blocked: list[str] = []
    errors: list[str] = []

    def route(r):
        url = r.request.url
        if url.startswith(("file:", "data:", "about:")):
            r.continue_()
        else:
            blocked.append(url)
            r.abort()

    browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
    try:
        context = browser.new_context(viewport={"width": viewport[0], "height": viewport[1]}, offline=True)
        context.route("**/*", route)
        page = context.new_page()
        page.on("pageerror", lambda e: errors.append(str(e)))
        yield page, blocked, errors
    finally:
        browser.close()
