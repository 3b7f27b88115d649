"""Lessons 04-07: the LED page in headless Chromium, on a virtual board.

For each framework that can be installed here: its reference app runs on a
fresh virtual board; Chromium (Debian's, driven by Playwright) opens the
page, clicks ON then OFF, and after each click the host reads GPIO 2 of
the board and the page's own state text.  A framework that cannot be
fetched here is skipped with the install tool's reason.
"""

import pytest

from lesson_apps import APPS, install_or_skip, module_board, send, served  # noqa: F401
from upylab.board import pins

PIN = 2

pytestmark = pytest.mark.timeout(240)


@pytest.mark.parametrize("framework", sorted(APPS))
def test_on_and_off_buttons_switch_the_board_pin(framework, browser, framework_cache):
    files, module, heap = APPS[framework]
    with module_board(heap) as board:
        install_or_skip(framework, board)
        send(board, *files)
        with served(board, module) as base:
            page = browser.new_page()
            try:
                page.goto(base + "/", timeout=15000)
                assert page.title() == "LED is OFF"
                assert pins.value(board, PIN) == 0
                for button, level, word in (("#on", 1, "ON"), ("#off", 0, "OFF")):
                    with page.expect_navigation(timeout=15000):
                        page.click(button)
                    assert pins.value(board, PIN) == level, f"after clicking {word}"
                    assert page.inner_text("#state") == word
                    assert page.title() == f"LED is {word}"
                    assert page.url == base + "/"                # the POST redirected back
                # The stylesheet came from the board's flash.
                assert page.eval_on_selector("#on", "b => getComputedStyle(b).backgroundColor") \
                    == "rgb(46, 125, 50)"
            finally:
                page.close()
