"""``upylab class``: a class on one machine, JupyterHub with a virtual board per student.

How the parts fit, and why each is the way it is (measured on a 2-core
Debian machine; the teacher's guide, docs/teachers-guide.md, says how to
use it):

* ``hub``: ``upylab class start|stop|status`` runs JupyterHub (pinned)
  in the background with its proxy, configurable-http-proxy from npm
  (``make setup`` puts it in ./node_modules), the idle culler as a hub
  service, and ``jupyterhub_config.py`` reading the class's settings.
* ``accounts``: run as root, each student (and the teacher) is a system
  user made for the class, home 0700, with a password of their own:
  JupyterHub's LocalProcessSpawner runs each server as its user, so file
  permissions keep students apart.  A shared password would let anyone
  log in as anyone, so it is an option for a trusted workshop only.
  Without root the hub cannot start a server as another user: only a
  one-user trial (the caller) runs, and a multi-student class is refused.
* ``student``: the command each student's server runs, as the student:
  their own copy of the lessons (``upylab.lessons.working_copies``), their own virtual
  board (flash in their home, the class's heap preset) tied to the
  server, ``UPYLAB_BOARD`` naming it, then ``jupyterhub-singleuser``.
* ``boardproxy``: the board's port 80 reaches the student's browser only
  through their own authenticated server (jupyter-server-proxy, at
  ``/user/NAME/board/``).  The board serves it on a unix socket in a
  0700 folder (``upylab board start --unix-sockets``), not on loopback
  TCP, which every user of the host shares: another student's terminal,
  kernel or proxy cannot connect to it.  (Per-user firewall rules, an
  iptables/nft owner match, would also do, but need a tool this machine
  and CI did not have installed, and rules are machine-wide state a
  crashed class leaves behind; file permissions need nothing and cover every port the board
  binds.)  The students' kernels also talk to their servers over unix
  sockets (``student_config.py``: with 30 servers at once, loopback ports
  collided).  And jupyter-server-proxy's ``/proxy/PORT`` (any local port)
  is not served: a server proxies only its own board.
* ``client``: logs a student in through the hub and runs cells on their
  board through their server's REST and WebSocket API, as a browser does
  (the tests and ``upylab class measure`` use it).
"""
