"""The ``escalation`` command line.

Exit status: 0 success, 1 a check failed (e.g. ``theory`` disagreement), 2 invalid
input (a bad scenario file, a bad option, results that already exist), 130
interrupted. Problems in scenario files are printed as
``file:line:col: field.path: message``; a traceback is never the answer to bad input.
Heavy imports (numpy, mesa) happen inside the commands that need them. Each command
lives in its own module (``sim/cli/<command>.py``) with an ``add(sub)`` that declares
its options.
"""

from __future__ import annotations

import sys

from sim.cli import explain, run, scenarios, sweep, theory
from sim.cli.common import EXIT_INTERRUPTED, EXIT_OK, Parser, scenario_path

__all__ = ["build_parser", "main"]

COMMANDS = (run, explain, scenarios, sweep, theory)


def build_parser() -> Parser:
    """The parser of every command."""
    p = Parser(
        prog="escalation",
        description="Escalation scenario simulator: Monte Carlo crisis bargaining on Mesa.",
    )
    sub = p.add_subparsers(dest="command", title="Commands", metavar="COMMAND", required=True,
                           parser_class=Parser)
    for module in COMMANDS:
        module.add(sub)
    return p


def main(argv: list[str] | None = None) -> int:
    """Run the command line; returns the exit status."""
    args = build_parser().parse_args(argv)
    if getattr(args, "scenario", None):
        args.scenario = scenario_path(args.scenario)
    try:
        return args.func(args)
    except KeyboardInterrupt:
        print("interrupted; no results were written", file=sys.stderr)
        return EXIT_INTERRUPTED
    except BrokenPipeError:
        return EXIT_OK


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
