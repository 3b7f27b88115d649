"""The reference app's shared parts: the LED on GPIO 2, its page, its JSON.

Every framework's lesson serves the same app, so what does not depend on
the framework lives here: the pin, the HTML page (its title carries the
state, so a short look at the body tells ON from OFF) and the status
object.  The frameworks differ in everything else: routing, parsing,
responses.

    led.switch(state)   'on', 'off' or 'toggle'; False for anything else
    led.status()        {'led': 0 or 1, 'pin': 2}
    led.page()          the LED page, as a str of HTML
    led.greeting(name)  'Hello, NAME!' (the query-string route's answer)
"""
from machine import Pin

PIN = 2   # the blue LED of many ESP32 DevKits; Espressif's DevKitC has none (see lesson 00)
_led = Pin(PIN, Pin.OUT, value=0)

PAGE = """<!DOCTYPE html><title>LED is %s</title>
<meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="stylesheet" href="/static/style.css">
<h1>LED on GPIO %d</h1>
<p>The LED is <span class="state" id="state">%s</span></p>
<form method="post" action="/led/on"><button id="on">ON</button></form>
<form method="post" action="/led/off"><button id="off">OFF</button></form>
<p><a href="/api/status">status as JSON</a></p>
"""


def value():
    return _led.value()


def switch(state):
    """Switch the LED; returns False (and changes nothing) for an unknown state."""
    if state == 'on':
        _led.value(1)
    elif state == 'off':
        _led.value(0)
    elif state == 'toggle':
        _led.value(1 - _led.value())
    else:
        return False
    return True


def status():
    return {'led': _led.value(), 'pin': PIN}


def page():
    word = 'ON' if _led.value() else 'OFF'
    return PAGE % (word, PIN, word)


def greeting(name):
    return 'Hello, %s!' % (name or 'world')
