import led
import led_micropyserver

server = led_micropyserver.server

def toggle(request):
    led.switch('toggle')
    led_micropyserver.send_json(led.status())
    return
    led_micropyserver.not_found(request)

server._routes = [route for route in server._routes if route['path'] != '/toggle']   # so this cell can be run again
server.add_route('/toggle', toggle, method='POST')
