"""A student's board page through their own Jupyter server, and nothing else.

A student's browser cannot reach the server's loopback, so the board's
port 80 is proxied by jupyter-server-proxy at ``/user/NAME/board/``:
behind the hub's login, for that student only (another student's browser
gets the hub's 403, a logged-out one its login page).  The board serves
port 80 on a unix socket in its 0700 folder (``--unix-sockets``), which
the proxy reaches by path.

jupyter-server-proxy's own extension also proxies ``/proxy/PORT`` to any
port on the host's loopback, whatever ``host_allowlist`` says (4.6.0
checks that list for ``/proxy/HOST:PORT`` only, measured here), and
loopback is shared by every user: another student's services, the
teacher's.  So a student's server does not load that extension; this
module is a server extension that adds the one proxy, the board's, made
with jupyter-server-proxy's own parts (``student_config.py``).
"""
import os
from pathlib import Path

from upylab.board import registry

PROXY_NAME = "board"
PROXIED_PORT = 80
BOARD_NAME = registry.DEFAULT_NAME   # the student's board, in their own state folder


def socket_path() -> Path:
    """Where the student's board serves port 80 (as ``registry.serve`` places it)."""
    return registry.board_folder(BOARD_NAME).resolve() / "ports" / str(PROXIED_PORT)


def _jupyter_server_extension_points():
    return [{"module": __name__}]


def _load_jupyter_server_extension(serverapp):
    """The board's proxy at ``<base_url>board/``, and no other."""
    from jupyter_server_proxy.config import ServerProcess, make_handlers
    board = ServerProcess(name=PROXY_NAME, unix_socket=str(socket_path()),
                          launcher_entry={"enabled": False})
    serverapp.web_app.add_handlers(
        ".*", make_handlers(serverapp.web_app.settings["base_url"], [board]))


def under_hub() -> bool:
    """True in a server JupyterHub started (it sets the server's URL prefix)."""
    return bool(os.environ.get("JUPYTERHUB_SERVICE_PREFIX"))


def url(port: int = PROXIED_PORT, path: str = "/") -> str:
    """The board page's address for the student's browser, through the hub."""
    from upylab.errors import UpylabError
    if port != PROXIED_PORT:
        raise UpylabError(f"under the class hub only the board's port {PROXIED_PORT} reaches your "
                          f"browser: serve the page on port {PROXIED_PORT}")
    base = (os.environ.get("JUPYTERHUB_PUBLIC_URL")
            or os.environ.get("JUPYTERHUB_SERVICE_PREFIX", "/"))
    return base.rstrip("/") + f"/{PROXY_NAME}" + path
