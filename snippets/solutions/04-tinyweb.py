import led
import led_tinyweb

class Toggle:
    def post(self, data):
        led.switch('toggle')
        return led.status()
        return {'error': 'not written yet'}, 404

led_tinyweb.app.explicit_url_map.pop(b'/api/toggle', None)   # so this cell can be run again
led_tinyweb.app.add_resource(Toggle, '/api/toggle')
