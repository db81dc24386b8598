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

import logging
import shlex
import signal
import sys

from sim.cli import (
    app,
    compare,
    explain,
    hindcast,
    play,
    report,
    run,
    scenarios,
    sweep,
    theory,
)
from sim.cli.common import EXIT_INTERRUPTED, EXIT_OK, Parser, scenario_path

__all__ = ["build_parser", "main"]

COMMANDS = (run, explain, report, compare, play, app, scenarios, sweep, theory, hindcast)


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
    """Run the command line; returns the exit status.

    SIGTERM (what ``timeout``, SLURM and systemd send) is handled like Ctrl-C: work in
    progress is abandoned cleanly and the exit status is 130. The package's log
    messages of level WARNING (e.g. an interrupted run's debris removed) go to stderr.
    """
    args = build_parser().parse_args(argv)
    args.command_line = shlex.join(["escalation", *(sys.argv[1:] if argv is None else argv)])
    if getattr(args, "scenario", None):
        args.scenario = scenario_path(args.scenario)
    _log_to_stderr()
    previous = signal.signal(signal.SIGTERM, _interrupt)
    try:
        return args.func(args)
    except KeyboardInterrupt:
        print("interrupted; no results were written", file=sys.stderr)
        return EXIT_INTERRUPTED
    except BrokenPipeError:
        return EXIT_OK
    finally:
        signal.signal(signal.SIGTERM, previous)


def _interrupt(signum, frame):
    raise KeyboardInterrupt


class _Stderr(logging.Handler):
    """Writes to whatever ``sys.stderr`` is at the time (tests replace it)."""

    def emit(self, record: logging.LogRecord) -> None:
        print(f"escalation: {record.getMessage()}", file=sys.stderr)


def _log_to_stderr() -> None:
    logger = logging.getLogger("sim")
    if not any(isinstance(h, _Stderr) for h in logger.handlers):
        logger.addHandler(_Stderr(logging.WARNING))
        logger.setLevel(logging.WARNING)


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
