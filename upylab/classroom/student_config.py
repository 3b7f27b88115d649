# Jupyter server configuration for a student's server under the class hub
# (passed by upylab.classroom.student as --config).
c = get_config()  # noqa: F821  (provided by traitlets when it loads this file)

# The board page is proxied from its unix socket, and no other port is
# (see boardproxy.py).
c.ServerApp.jpserver_extensions.update({
    "jupyter_server_proxy": False,
    "upylab.classroom.boardproxy": True,
})

# Kernels talk to the server over unix sockets in the student's runtime
# folder (in their 0700 home), not loopback TCP.  Measured with 30 students
# starting at once: with TCP, a server picks a kernel's free ports, frees
# them and the kernel binds them a moment later; another student's process
# took one in between ("Address already in use") and the kernel died.
# Unix sockets cannot collide across homes, and no other user reaches them.
c.KernelManager.transport = "ipc"
