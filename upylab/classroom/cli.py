"""``upylab class start|stop|status|measure``: a class on one machine (see ``upylab.classroom``)."""
import sys
from pathlib import Path

from upylab.board import presets
from upylab.classroom import accounts
from upylab.errors import UpylabError


def register(subparsers):
    parser = subparsers.add_parser(
        "class", help="a class on this machine: JupyterHub with a virtual board per student")
    commands = parser.add_subparsers(dest="class_command", required=True, metavar="ACTION")

    start = commands.add_parser(
        "start", help="start the class's hub and print how students log in",
        description="As root, each student gets a system user of their own, a password of "
                    "their own and a virtual board; without root only a one-user trial runs.")
    who = start.add_mutually_exclusive_group()
    who.add_argument("--students", type=int, default=0, metavar="N",
                     help="N students named student01, student02, ...")
    who.add_argument("--users", type=Path, metavar="FILE",
                     help="student login names, one a line")
    start.add_argument("--teacher", default="teacher", help="the admin's login name (default: teacher)")
    start.add_argument("--ip", default="0.0.0.0",
                       help="address to listen on (default: every interface, for the room)")
    start.add_argument("--port", type=int, default=8000)
    start.add_argument("--public-url", default="",
                       help="the address students type (default: http://THIS-HOST-IP:PORT/)")
    start.add_argument("--heap", default=presets.DEFAULT,
                       help=f"every board's heap: {'|'.join(presets.PRESETS)} or a size (default: {presets.DEFAULT})")
    start.add_argument("--bundle", default="", metavar="DIR",
                       help="frameworks install from this folder (`upylab bundle DIR --all`)")
    start.add_argument("--idle-timeout", type=int, default=3600, metavar="SECONDS",
                       help="stop a server and its board after this long unused (default: 3600)")
    start.add_argument("--shared-password", action="store_true",
                       help="one password for every student (JupyterHub's shared-password): "
                            "then anyone can log in as anyone; a trusted workshop only")
    start.add_argument("--grading", default="", metavar="DIR",
                       help="nbgrader's exchange and the class's grading settings, readable by "
                            "every account (default: /srv/upylab/grading as root)")
    start.set_defaults(func=run_start)

    stop = commands.add_parser("stop", help="stop the hub, every server and board")
    stop.add_argument("--remove-users", action="store_true",
                      help="also remove the class's accounts and their homes (students' work too)")
    stop.set_defaults(func=run_stop)

    commands.add_parser("status", help="the hub and each student's server").set_defaults(
        func=run_status)

    measure = commands.add_parser(
        "measure", help="start a class of N, run lesson cells on every board at once, record it")
    measure.add_argument("--students", type=int, default=30, metavar="N")
    measure.add_argument("--output", type=Path, help="CSV to append to "
                         "(default: data/class-measurements.csv)")
    measure.set_defaults(func=run_measure)


def student_names(args) -> list:
    if args.users:
        names = [line.strip() for line in args.users.read_text().splitlines()
                 if line.strip() and not line.startswith("#")]
    else:
        names = [f"student{number:02d}" for number in range(1, (args.students or 1) + 1)]
    if not names:
        raise UpylabError("no students: give --students N or --users FILE")
    if args.teacher in names or len(set(names)) != len(names):
        raise UpylabError("each student needs a name of their own, other than the teacher's")
    return [accounts.check_name(name) for name in names]


def run_start(args):
    from upylab.classroom import hub   # JupyterHub's client side: for these commands only
    options = hub.start(
        student_names(args), args.teacher, args.ip, args.port, args.public_url, args.heap,
        args.bundle, args.idle_timeout, args.shared_password, args.grading)
    folder = hub.settings.class_dir()
    print(f"class running at {options.public_url} (hub log: {folder / 'hub.log'})")
    if not options.isolated:
        print(f"one-user trial (not root): log in as {options.students[0]} with password "
              f"{options.passwords[options.students[0]]}")
    elif options.shared_password:
        print(f"students log in with their name ({options.students[0]}, ...) and the shared "
              f"password {options.passwords['students']}")
    else:
        print(f"students log in with their name and their own password: give each the line "
              f"for them in {folder / 'passwords.txt'} (only root can read it)")
    if options.teacher:
        print(f"teacher: log in as {options.teacher} with password "
              f"{options.passwords[options.teacher]}; the admin page is "
              f"{options.public_url}hub/admin; grading (nbgrader's formgrader): "
              f"{options.public_url}user/{options.teacher}/formgrader, course in "
              f"~{options.teacher}/course")
    print(f"assignments go out and come in through {options.grading}/exchange "
          f"(kept after the class stops)")
    print(f"each student gets their own virtual board ({options.heap}) and copy of the lessons; "
          f"idle servers stop after {options.idle_timeout} s"
          + (f"; frameworks install from {options.bundle}" if options.bundle else ""))


def run_stop(args):
    from upylab.classroom import hub   # JupyterHub's client side: for these commands only
    forced = hub.stop(args.remove_users)
    for what in forced:
        print(f"had to end {what}", file=sys.stderr)
    print("class stopped" + (", its accounts removed" if args.remove_users else
                             " (accounts kept: `upylab class stop --remove-users` removes them)"))


def run_status(args):
    from upylab.classroom import hub   # JupyterHub's client side: for these commands only
    options, users = hub.status()
    if users is None:
        print(f"the hub is not running (class settings in {hub.settings.class_dir()})")
        return 1
    print(f"hub: {options.public_url} (pid {options.hub_pid})")
    for name in options.users:
        server = (users.get(name) or {}).get("servers", {}).get("")
        state = ("ready" if server.get("ready") else "starting") if server else "stopped"
        activity = (server or {}).get("last_activity") or "-"
        print(f"{name}\t{state}\tlast activity {activity}")
    return 0


def run_measure(args):
    from upylab.classroom import measure
    return measure.run(args.students, args.output)
