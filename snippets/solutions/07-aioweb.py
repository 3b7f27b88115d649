import json
import led

led_aioweb.app.handlers = [h for h in led_aioweb.app.handlers if h[0] != '/api/toggle']  # so this cell can be run again

@led_aioweb.app.route('/api/toggle', methods=['POST'])
async def toggle(r, w):
    led.switch('toggle')
    await led_aioweb.send(w, json.dumps(led.status()), content_type='application/json')
    return
    await led_aioweb.not_found(r, w)
