import led

led_picoweb.app.url_map[:] = [route for route in led_picoweb.app.url_map if route[0] != '/api/toggle']

@led_picoweb.app.route('/api/toggle')
def toggle(req, resp):
    # a generator, as every picoWeb handler: yield from ...
    if (yield from led_picoweb.wrong_method(req, resp, 'POST')):
        return
    led.switch('toggle')
    yield from led_picoweb.send_json(resp, led.status())
    return
    yield from picoweb.http_error(resp, '404')
