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


@contextmanager
def offline_page(viewport=(1200, 800)):
    """A page whose every network request is aborted; yields (page, blocked_urls, page_errors)."""
    need_chromium()
    sync_playwright = need_playwright().sync_playwright

    blocked: list[str] = []
    errors: list[str] = []

    def route(r):
        url = r.request.url
        if url.startswith(("file:", "data:", "about:")):
            r.continue_()
        else:
            blocked.append(url)
            r.abort()

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        try:
            context = browser.new_context(viewport={"width": viewport[0], "height": viewport[1]}, offline=True)
            context.route("**/*", route)
            page = context.new_page()
            page.on("pageerror", lambda e: errors.append(str(e)))
            yield page, blocked, errors
        finally:
            browser.close()
