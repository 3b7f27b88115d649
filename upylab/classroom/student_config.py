# Jupyter server configuration for a student's server under the class hub
# (passed by upylab.classroom.student as --config): the board page is
# proxied from its unix socket, and no other port is (see boardproxy.py).
c = get_config()  # noqa: F821  (provided by traitlets when it loads this file)
c.ServerApp.jpserver_extensions.update({
    "jupyter_server_proxy": False,
    "upylab.classroom.boardproxy": True,
})
