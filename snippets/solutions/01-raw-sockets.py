import led

def my_handle(method, path, query, body):
    # if method == 'POST' and path == '/api/toggle': ...
    if method == 'POST' and path == '/api/toggle':
        led.switch('toggle')
        return led_raw.as_json(led.status())
    return led_raw.handle(method, path, query, body)
