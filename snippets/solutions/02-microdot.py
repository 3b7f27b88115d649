import led
import led_microdot

# a decorated function: @led_microdot.app.post('/api/toggle') ...
@led_microdot.app.post('/api/toggle')
async def toggle(request):
    led.switch('toggle')
    return led.status()
