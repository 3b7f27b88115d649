"""``upylab board ...``: start, inspect and stop virtual boards."""
import sys
import time
from datetime import datetime

from upylab.board import pins, presets, registry, sandbox

WATCH_SECONDS = 0.1


def register(subparsers):
    parser = subparsers.add_parser("board", help="virtual ESP32 boards (MicroPython on this host)")
    commands = parser.add_subparsers(dest="board_command", required=True, metavar="ACTION")

    def with_name(action):
        action.add_argument("name", nargs="?", default=registry.DEFAULT_NAME,
                            help=f"board name (default: {registry.DEFAULT_NAME})")
        return action

    def with_options(action):
        action.add_argument("--name", default=registry.DEFAULT_NAME)
        action.add_argument("--heap", default=presets.DEFAULT,
                            help=f"{'|'.join(presets.PRESETS)} or a size such as 100k (default: {presets.DEFAULT})")
        action.add_argument("--flash", help="folder used as the board's filesystem")
        action.add_argument("--expose", action="store_true",
                            help="let other machines reach the board's servers (off: loopback only)")
        action.add_argument("--unix-sockets", action="store_true",
                            help="serve the board's ports as unix sockets in its folder, which only "
                                 "you can open, not on loopback TCP, which every user can (class hubs)")
        return action

    with_options(commands.add_parser("start", help="start a board in the background, print its device")).set_defaults(func=start)
    with_options(commands.add_parser("run", help="run a board in the foreground (Ctrl-C stops it)")).set_defaults(func=run)
    with_name(commands.add_parser("stop", help="stop a board")).set_defaults(func=stop)
    with_name(commands.add_parser("status", help="a board's device, heap, flash and ports")).set_defaults(func=status)
    with_name(commands.add_parser("reset", help="hard-reset a board")).set_defaults(func=reset)
    pins_command = with_name(commands.add_parser("pins", help="a board's GPIO states"))
    pins_command.add_argument("--watch", action="store_true",
                              help="print them again each time they change, until Ctrl-C")
    pins_command.set_defaults(func=show_pins)
    commands.add_parser("list", help="running boards").set_defaults(func=list_boards)


def start(args):
    record = registry.start(args.name, args.heap, args.flash, args.expose, args.unix_sockets)
    print(record.device)
    print(f"board {record.name!r}: MicroPython on {record.pts}, heap {record.heap_bytes} bytes,"
          f" flash {record.flash}", file=sys.stderr)


def run(args):
    def ready(record):
        print(f"board {record.name!r} at {record.device} ({record.pts}); Ctrl-C stops it",
              flush=True)
    registry.serve(args.name, args.heap, args.flash, args.expose, on_ready=_once(ready),
                   unix_sockets=args.unix_sockets)


def _once(function):
    done = []

    def call(*args):
        if not done:
            done.append(True)
            function(*args)
    return call


def stop(args):
    record = registry.stop(args.name)
    print(f"board {record.name!r} stopped")


def reset(args):
    record = registry.reset(args.name)
    print(f"board {record.name!r} reset")


def status(args):
    record = registry.find(args.name)
    print(f"name:    {record.name}")
    print(f"device:  {record.device} -> {record.pts}")
    print(f"heap:    {record.heap} ({record.heap_bytes} bytes)")
    print(f"flash:   {record.flash}")
    if record.socket_dir:
        print(f"address: unix sockets in {record.socket_dir} (only this user can open them)")
    else:
        print(f"address: {record.ip}{' (exposed)' if record.expose else ' (loopback only)'}")
    print(f"started: {record.started}")
    print(f"fence:   {sandbox.describe()}")
    listening = registry.listening_ports(record)
    where = ((lambda port: record.socket_path(port)) if record.socket_dir
             else (lambda port: f"{record.ip}:{record.host_port(port)}"))
    print("ports:   " + (", ".join(f"{port} -> {where(port)}" for port in listening)
                         or "none listening"))


def list_boards(args):
    for record in registry.running():
        print(f"{record.name}\t{record.device}\t{record.heap}\tpid {record.pid}")


def show_pins(args):
    record = registry.find(args.name)
    states = pins.read(record)
    _print_pins(states)
    try:
        while args.watch:   # again at each change; Ctrl-C is how it ends
            time.sleep(WATCH_SECONDS)
            try:
                now = pins.read(record)
            except OSError:
                sys.exit(f"board {args.name!r} stopped")
            if now != states:
                states = now
                print(f"-- {datetime.now():%H:%M:%S}", flush=True)
                _print_pins(states)
    except KeyboardInterrupt:
        pass


def _print_pins(states):
    if not states:
        print("no pin configured", flush=True)
    for number, state in sorted(states.items()):
        extra = f"\tfreq={state.freq} duty_u16={state.duty_u16}" if state.mode == "pwm" else ""
        print(f"GPIO{number}\t{state.mode}\t{state.value}{extra}", flush=True)
