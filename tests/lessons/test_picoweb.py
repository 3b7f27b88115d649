"""Lesson 05's reference app (snippets/picoweb/) on a virtual board: what the lesson teaches about picoWeb.

picoWeb 1.8.2 from PyPI, installed with ``upylab install picoweb`` (as
published, on MicroPython's own uasyncio).  Every route, and how picoWeb
answers otherwise than the contract (405, its own 404 page, a port kept
after Ctrl-C at a board's own REPL), is tested for every framework by
``test_contract.py``.  Here: its page is a utemplate template, rendered
with the LED's state.
"""
import pytest

from lesson_apps import app_fixtures, request

pytestmark = pytest.mark.timeout(180)

app_board, board, app = app_fixtures("picoweb")


@pytest.mark.parametrize("state", ["off", "on"])
def test_page_is_the_template_rendered_with_the_led_state(app, state):
    request(app, "POST", f"/led/{state}", body=b"")
    status, headers, body = request(app, "GET", "/")
    assert (status, headers["content-type"]) == (200, "text/html; charset=utf-8")
    page = body.decode()
    assert page.startswith(f"<!DOCTYPE html><title>LED is {state.upper()}</title>")
    assert f'<span class="state" id="state">{state.upper()}</span>' in page
    assert "{{" not in page and "{%" not in page       # the template was rendered
