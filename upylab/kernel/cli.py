"""``upylab kernel install``: register the project's Jupyter kernel in the venv."""
from upylab.kernel import install


def register(subparsers):
    parser = subparsers.add_parser("kernel", help="the MicroPython (upylab) Jupyter kernel")
    actions = parser.add_subparsers(dest="kernel_command", required=True, metavar="ACTION")
    actions.add_parser(
        "install", help="install its kernelspec inside this environment (never user-wide)",
    ).set_defaults(func=run_install)


def run_install(args):
    folder = install.install()
    print(f"kernel {install.DISPLAY_NAME!r} ({install.KERNEL_NAME}) installed in {folder}")
