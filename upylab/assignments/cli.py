"""``upylab assignments build``: the nbgrader course of the lessons' exercises."""
from pathlib import Path

from upylab.assignments import course, measure


def register(subparsers):
    parser = subparsers.add_parser(
        "assignments", help="the lessons' exercises as an nbgrader course, graded on boards")
    commands = parser.add_subparsers(dest="assignments_command", required=True,
                                     metavar="COMMAND")
    build = commands.add_parser(
        "build", help="write the course's source notebooks from the lessons",
        description="Write COURSE/source/<lesson>/<lesson>.ipynb for each lesson that ends "
                    "with an exercise (or the lessons named): the lesson, with its reference "
                    "solution and a test of it; and COURSE/nbgrader_config.py, once. A source "
                    "folder written before is replaced. Then, in COURSE: nbgrader "
                    "generate_assignment <lesson>, and nbgrader autograde <lesson> for what "
                    "students handed in (each submission on a fresh virtual board).")
    build.add_argument("lessons", nargs="*", metavar="NN",
                       help="lesson numbers or names (default: every lesson with an exercise)")
    build.add_argument("--course", type=Path, default=Path("course"),
                       help="the course folder (default: ./course)")
    build.set_defaults(func=run_build)
    timing = commands.add_parser(
        "measure", help="time nbgrader autograde over a class's submissions on this machine",
        description=measure.__doc__.split("\n\n")[1])
    timing.add_argument("--lesson", default="02", help="the lesson graded (default: 02)")
    timing.add_argument("--submissions", type=int, default=30, help="how many (default: 30)")
    timing.add_argument("--timeout", type=float, default=3600,
                        help="seconds the whole run may take (default: 3600)")
    timing.set_defaults(func=measure.run)


def run_build(args):
    for notebook in course.build(args.course, args.lessons):
        print(f"{notebook}: source of assignment {notebook.parent.name}")
    print(f"settings: {args.course / course.CONFIG}; next, in {args.course}: "
          f"nbgrader generate_assignment <assignment>")
    return 0
