import led
import led_microdot

led_microdot.app.url_map[:] = [route for route in led_microdot.app.url_map
                               if route[1].url_pattern != '/api/toggle']   # so this cell can be run again

# a decorated function: @led_microdot.app.post('/api/toggle') ...
@led_microdot.app.post('/api/toggle')
async def toggle(request):
    led.switch('toggle')
    return led.status()
