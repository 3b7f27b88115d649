{% args state, pin %}
<!DOCTYPE html><title>LED is {{state}}</title>
<meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="stylesheet" href="/static/style.css">
<h1>LED on GPIO {{pin}}</h1>
<p>The LED is <span class="state" id="state">{{state}}</span></p>
<form method="post" action="/led/on"><button id="on">ON</button></form>
<form method="post" action="/led/off"><button id="off">OFF</button></form>
<p><a href="/api/status">status as JSON</a></p>
