# JupyterHub's configuration for `upylab class start`, which runs
#   jupyterhub -f THIS_FILE   with UPYLAB_CLASS_DIR naming the class folder.
# Everything specific to one class comes from its settings (settings.py);
# why each part is as it is: upylab/classroom/__init__.py.
import os
import sys

from upylab.classroom import grading, hub, settings, student

folder = settings.class_dir()
options = settings.load(folder)
c = get_config()  # noqa: F821  (provided by traitlets when it loads this file)

# -- where it listens, where it keeps its state ---------------------------------
c.JupyterHub.bind_url = f"http://{options.ip}:{options.port}"
c.JupyterHub.public_url = options.public_url
c.JupyterHub.hub_ip = "127.0.0.1"
c.JupyterHub.hub_port = options.hub_port
c.JupyterHub.db_url = f"sqlite:///{folder / 'jupyterhub.sqlite'}"
c.JupyterHub.cookie_secret_file = str(folder / "jupyterhub_cookie_secret")
c.JupyterHub.pid_file = str(folder / "jupyterhub.pid")
c.JupyterHub.cleanup_servers = True   # stopping the hub stops every student's server

# -- the proxy: configurable-http-proxy from ./node_modules (make setup) --------
c.ConfigurableHTTPProxy.command = [str(hub.proxy_command())]
c.ConfigurableHTTPProxy.api_url = f"http://127.0.0.1:{options.proxy_api_port}"
c.ConfigurableHTTPProxy.auth_token = options.tokens["proxy"]
c.ConfigurableHTTPProxy.pid_file = str(folder / "proxy.pid")
c.ConfigurableHTTPProxy.should_start = True

# -- who logs in ------------------------------------------------------------------
c.Authenticator.allowed_users = set(options.students)
c.Authenticator.admin_users = {options.teacher} if options.teacher else set()
if options.shared_password:
    c.JupyterHub.authenticator_class = "shared-password"
    c.SharedPasswordAuthenticator.user_password = options.passwords["students"]
    c.SharedPasswordAuthenticator.admin_password = options.passwords[options.teacher]
elif not options.isolated:   # a one-user trial without root: a password made for it
    c.JupyterHub.authenticator_class = "shared-password"
    c.SharedPasswordAuthenticator.user_password = options.passwords[options.students[0]]
else:
    # JupyterHub's default, PAM: each account has its own password (accounts.py).
    c.PAMAuthenticator.open_sessions = False

# -- each student's server: their board, their lessons (student.py) ----------------
c.JupyterHub.spawner_class = "localprocess"
c.Spawner.cmd = [sys.executable, "-m", student.__name__]
c.Spawner.default_url = "/lab"
c.Spawner.notebook_dir = f"~/{student.LESSONS}"
c.Spawner.environment = {
    student.HEAP_ENV: options.heap,
    # `upylab` (board status, doctor) and `mpremote` in the student's terminal
    "PATH": f"{os.path.dirname(sys.executable)}:{os.environ.get('PATH', '/usr/bin:/bin')}",
}
if options.bundle:
    c.Spawner.environment["UPYLAB_MIRROR"] = options.bundle
# nbgrader: the class's course and exchange; a student's tools, or the teacher's,
# whose server opens their home, with the course in it (grading.py).
c.Spawner.environment["JUPYTER_CONFIG_PATH"] = (
    lambda spawner: grading.config_path(options.grading, spawner.user.name, options.teacher))
c.Spawner.pre_spawn_hook = lambda spawner: grading.before_spawn(spawner, options.teacher)
# Measured: 30 servers starting at once on 2 cores take minutes, not
# JupyterHub's default 60 s (data/class-measurements.csv).
c.Spawner.start_timeout = hub.SPAWN_TIMEOUT
c.Spawner.http_timeout = hub.SPAWN_TIMEOUT
c.JupyterHub.concurrent_spawn_limit = 0  # a whole class clicks "start" at once

# -- services: the idle culler, and the teacher's tools (upylab class status/measure) --
c.JupyterHub.services = [
    {"name": "idle-culler",
     "command": [sys.executable, "-m", "jupyterhub_idle_culler",
                 f"--timeout={options.idle_timeout}",
                 f"--cull-every={max(1, min(300, options.idle_timeout // 4))}"]},
    {"name": hub.SERVICE, "api_token": options.tokens["service"]},
]
c.JupyterHub.load_roles = [
    {"name": "idle-culler", "services": ["idle-culler"],
     "scopes": ["list:users", "read:users:activity", "read:servers", "delete:servers"]},
    {"name": hub.SERVICE, "services": [hub.SERVICE],
     "scopes": ["list:users", "read:users", "read:servers", "servers", "tokens"]},
]
