"""A student at the class hub, as their browser is: log in, start the server, run cells.

The tests and ``upylab class measure`` use it, so both go through the
same doors a student does: the hub's login form, the hub's REST API with
the student's own token (made through their logged-in session), their
server's kernels API, and the kernel's WebSocket channels.  Every wait is
bounded.
"""
import asyncio
import json
import re
import time
import uuid

import requests
from tornado.httpclient import HTTPRequest
from tornado.websocket import websocket_connect

from upylab.errors import UpylabError

KERNEL = "upylab-micropython"
READY_TIMEOUT = 600.0     # a server, with a whole class starting at once
CELL_TIMEOUT = 120.0
HTTP_TIMEOUT = 30


class Student:
    """One student's browser session at the hub ``url`` (``http://host:port``)."""

    def __init__(self, url: str, name: str, password: str):
        self.url, self.name, self.password = url.rstrip("/"), name, password
        self.session = requests.Session()
        self.token = None

    # -- the hub ------------------------------------------------------------------

    def login(self):
        """The hub's login form, then a token of the student's own for the APIs."""
        form = self.session.get(f"{self.url}/hub/login", timeout=HTTP_TIMEOUT)
        xsrf = re.search(r'name="_xsrf" value="([^"]+)"', form.text)
        answer = self.session.post(
            f"{self.url}/hub/login", allow_redirects=False, timeout=HTTP_TIMEOUT,
            data={"username": self.name, "password": self.password,
                  "_xsrf": xsrf[1] if xsrf else ""})
        if answer.status_code != 302:
            raise UpylabError(f"{self.name} could not log in (HTTP {answer.status_code})")
        made = self.session.post(
            f"{self.url}/hub/api/users/{self.name}/tokens", timeout=HTTP_TIMEOUT,
            headers={"X-XSRFToken": self.session.cookies.get("_xsrf", path="/hub/") or ""},
            json={"note": "upylab class client", "expires_in": 24 * 3600})
        made.raise_for_status()
        self.token = made.json()["token"]
        return self

    def api(self, method: str, path: str, **kwargs) -> requests.Response:
        """The hub's REST API (``path`` under /hub/api/) with the student's token."""
        return requests.request(method, f"{self.url}/hub/api/{path}", timeout=HTTP_TIMEOUT,
                                headers={"Authorization": f"token {self.token}"}, **kwargs)

    def start_server(self):
        answer = self.api("POST", f"users/{self.name}/server")
        if answer.status_code not in (201, 202, 400):  # 400: already running
            raise UpylabError(f"{self.name}'s server did not start: {answer.text}")

    def wait_ready(self, timeout=READY_TIMEOUT):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            server = self.api("GET", f"users/{self.name}").json()["servers"].get("")
            if server and server["ready"]:
                return server
            if not server:
                raise UpylabError(f"{self.name}'s server stopped while starting")
            time.sleep(0.5)
        raise UpylabError(f"{self.name}'s server was not ready within {timeout:.0f} s")

    # -- the student's own server --------------------------------------------------------

    def server_url(self, path: str = "") -> str:
        return f"{self.url}/user/{self.name}/{path}"

    def server_api(self, method: str, path: str, **kwargs) -> requests.Response:
        return requests.request(method, self.server_url(f"api/{path}"), timeout=HTTP_TIMEOUT,
                                headers={"Authorization": f"token {self.token}"}, **kwargs)

    def start_kernel(self, kernel: str = KERNEL) -> str:
        answer = self.server_api("POST", "kernels", json={"name": kernel})
        answer.raise_for_status()
        return answer.json()["id"]

    def shutdown_kernel(self, kernel_id: str):
        self.server_api("DELETE", f"kernels/{kernel_id}")

    def channels(self, kernel_id: str) -> "Channels":
        ws_url = self.server_url(f"api/kernels/{kernel_id}/channels").replace("http", "ws", 1)
        # A server busy starting a whole class's kernels answers slowly: as long as a cell.
        return Channels(HTTPRequest(ws_url, headers={"Authorization": f"token {self.token}"},
                                    connect_timeout=CELL_TIMEOUT, request_timeout=CELL_TIMEOUT))


class Channels:
    """A kernel's WebSocket channels: ``async with`` it, then ``await run(code)``."""

    def __init__(self, request: HTTPRequest):
        self.request, self.socket, self.session = request, None, uuid.uuid4().hex

    async def __aenter__(self):
        self.socket = await websocket_connect(self.request)
        return self

    async def __aexit__(self, *exc):
        self.socket.close()

    async def run(self, code: str, timeout=CELL_TIMEOUT) -> "Cell":
        """Execute ``code``; the cell's text output and error, when its kernel is idle again."""
        msg_id = uuid.uuid4().hex
        await self.socket.write_message(json.dumps({
            "header": {"msg_id": msg_id, "msg_type": "execute_request", "session": self.session,
                       "username": "upylab", "version": "5.3"},
            "parent_header": {}, "metadata": {}, "channel": "shell",
            "content": {"code": code, "silent": False, "store_history": True,
                        "user_expressions": {}, "allow_stdin": False, "stop_on_error": True}}))
        cell, replied, idle = Cell(), False, False
        deadline = time.monotonic() + timeout
        while not (replied and idle):
            left = deadline - time.monotonic()
            if left <= 0:
                raise UpylabError(f"no answer to a cell within {timeout:.0f} s")
            raw = await asyncio.wait_for(self.socket.read_message(), left)
            if raw is None:
                raise UpylabError("the kernel's channels closed")
            message = json.loads(raw)
            if message.get("parent_header", {}).get("msg_id") != msg_id:
                continue
            kind, content = message["msg_type"], message["content"]
            if kind == "execute_reply":
                replied = True
            elif kind == "status" and content["execution_state"] == "idle":
                idle = True
            elif kind == "stream":
                cell.output += content["text"]
            elif kind in ("execute_result", "display_data"):
                cell.output += content["data"].get("text/plain", "")
            elif kind == "error":
                cell.error = f"{content['ename']}: {content['evalue']}"
        return cell


class Cell:
    def __init__(self):
        self.output, self.error = "", None

    def __repr__(self):
        return f"Cell(output={self.output!r}, error={self.error!r})"
