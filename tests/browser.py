"""Headless Debian Chromium driven by Playwright, for the tests of the HTML player.

The browser is the system's /usr/bin/chromium (``.ci/run`` installs it with apt-get), never one
downloaded by ``playwright install``. A browser that cannot start fails the tests loudly: a
browser feature is tested in a browser or not at all.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass, field
from typing import Any

import pytest

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]


@contextlib.contextmanager
def chromium():
    """A running headless Chromium (Playwright ``Browser``), or a test failure saying why not."""
    try:
        from playwright.sync_api import sync_playwright
    except ImportError as exc:
        pytest.fail(f"the browser tests need the playwright package ({exc}); run bash .ci/run")
    with sync_playwright() as pw:
        try:
            browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        except Exception as exc:
            pytest.fail(
                f"cannot start {CHROMIUM} headless ({type(exc).__name__}: {exc}); "
                "install it with 'apt-get install -y chromium' (bash .ci/run does)"
            )
        try:
            yield browser
        finally:
            browser.close()


@dataclass
class LoadedPage:
    """A page with every network request blocked and recorded, and every console error."""

    page: Any
    requests: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


def open_html(browser, html: str, *, width: int = 1300, height: int = 1000) -> LoadedPage:
    """Load ``html`` as a page's content (no URL at all, so any request is one the page made)."""
    page = browser.new_page(viewport={"width": width, "height": height})
    loaded = LoadedPage(page)

    def block(route) -> None:
        loaded.requests.append(route.request.url)
        route.abort()

    page.route("**/*", block)
    page.on(
        "request", lambda r: None if r.url.startswith("data:") else loaded.requests.append(r.url)
    )
    page.on("console", lambda m: loaded.errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: loaded.errors.append(str(e)))
    page.set_content(html, wait_until="load")
    return loaded
