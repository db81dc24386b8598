"""Commands about scenario files: ``validate``, ``schema`` and ``list``."""

from __future__ import annotations

import os
import sys
from pathlib import Path

from sim.cli.common import EXIT_INVALID, EXIT_OK, add_roots

__all__ = ["add"]


def add(sub) -> None:
    """Declare the command's options on the subcommand parsers ``sub``."""
    v = sub.add_parser("validate", help="check scenario files; report every problem",
                       description="Check scenario files without running them: every "
                       "problem as file:line:col: field: message; exit status 2 if any.")
    v.add_argument("files", nargs="+", metavar="FILE")
    add_roots(v)
    v.set_defaults(func=validate)

    s = sub.add_parser("schema", help="print the JSON Schema of scenario files")
    s.set_defaults(func=schema)

    ls = sub.add_parser("list", help="list the scenarios shipped with the package",
                        description="List scenario files with their one-line descriptions: "
                        "the shipped library by default, or the files under DIRECTORY.")
    ls.add_argument("directory", nargs="?", help="where to look (default: the shipped library)")
    ls.set_defaults(func=listing)


def validate(args) -> int:
    from sim.scenario.loader import validate_paths

    problems = validate_paths(args.files, tuple(args.roots))
    for problem in problems:
        print(problem, file=sys.stderr)
    if problems:
        print(f"{len(problems)} problem(s) in {len(args.files)} file(s)", file=sys.stderr)
        return EXIT_INVALID
    for f in args.files:
        print(f"{f}: ok")
    return EXIT_OK


def schema(args) -> int:
    from sim.scenario.json_schema import schema_text

    sys.stdout.write(schema_text())
    return EXIT_OK


def listing(args) -> int:
    """Shipped scenarios by the name ``escalation run`` accepts anywhere; files under a
    named directory by their path from here."""
    from sim.scenario.errors import ScenarioError
    from sim.scenario.library import library_root
    from sim.scenario.library import listing as files_under
    from sim.scenario.loader import load_scenario

    shipped = args.directory is None
    root = library_root() if shipped else Path(args.directory)
    if not root.is_dir():
        print(f"escalation list: {root} is not a directory", file=sys.stderr)
        return EXIT_INVALID
    rows = []
    for f in files_under(root):
        if shipped:
            name = f.relative_to(root).as_posix()
        else:
            name = os.path.relpath(f) if f.resolve().is_relative_to(Path.cwd()) else str(f)
        try:
            desc = load_scenario(f).description
        except ScenarioError as err:
            desc = f"(invalid: {len(err.problems)} problem(s); run escalation validate)"
        rows.append((name, desc))
    width = max((len(n) for n, _ in rows), default=0)
    for name, desc in rows:
        print(f"{name:<{width + 2}} {desc}")
    if shipped:
        print(f"\n(run one with `escalation run {rows[0][0] if rows else 'NAME'}`; "
              f"the files are in {root})")
    return EXIT_OK
