"""The browser tests cannot pass by not running: a Chromium that cannot start fails them.

(Its own module: Playwright's sync API cannot start while another module's browser is open.)
"""

import pytest


def test_a_browser_that_cannot_start_fails_the_tests(monkeypatch):
    """No silent skip: a missing Chromium is a failure that says how to install it."""
    import tests.browser as browser_module

    monkeypatch.setattr(browser_module, "CHROMIUM", "/nonexistent/chromium")
    with (
        pytest.raises(pytest.fail.Exception, match="apt-get install -y chromium"),
        browser_module.chromium(),
    ):
        pass
