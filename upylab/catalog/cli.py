"""``upylab catalog``: show the catalog, check its tables, or write its page.

``--data DIR`` points at another copy of the tables (the tests feed broken
copies this way).  ``--check`` prints one line per problem and exits 1 when
there is any; a folder that can't be read at all is a ``UpylabError``.
"""
import sys
from pathlib import Path

from upylab.bench.page import measured_section
from upylab.catalog import render, tables


def register(subparsers):
    parser = subparsers.add_parser("catalog", help="the frameworks catalog: show it, check it, or write its web page")
    parser.add_argument("--data", type=Path, metavar="DIR",
                        help="folder with datapackage.json and the tables (default: the repository's data/)")
    action = parser.add_mutually_exclusive_group()
    action.add_argument("--check", action="store_true",
                        help="validate every table; one line per problem, exit 1 if any")
    action.add_argument("--html", type=Path, metavar="PATH",
                        help="write the catalog as one static, sortable and filterable page")
    parser.add_argument("--require-lessons", action="store_true",
                        help="with --check: a lesson or snippets folder that doesn't exist yet is a problem")
    parser.set_defaults(func=run)


def run(args) -> int:
    catalog = tables.load(args.data)
    if args.check:
        return check(catalog, args.require_lessons)
    if args.html:
        args.html.parent.mkdir(parents=True, exist_ok=True)
        args.html.write_text(render.html_page(catalog, measured_section(catalog)), encoding="utf-8")
        print(f"wrote {args.html}")
        return 0
    sys.stdout.write(render.terminal_table(catalog))
    return 0


def check(catalog, require_lessons: bool) -> int:
    # Imported when the command runs, not for every upylab command (frictionless is slow to import).
    from upylab.catalog import checks
    problems = checks.check(catalog, require_lessons)
    for problem in problems:
        print(problem)
    if problems:
        print(f"upylab: {len(problems)} problem(s) in {catalog.data_dir.name}/", file=sys.stderr)
        return 1
    pending = checks.pending(catalog)
    print(f"catalog OK: {len(catalog.frameworks.rows)} frameworks, {len(catalog.corrections.rows)} corrections")
    if pending:
        print(f"not written yet ({len(pending)}): {', '.join(pending)}")
    return 0
