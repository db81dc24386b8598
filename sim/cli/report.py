"""``escalation report``: a self-contained HTML report of a run."""

from __future__ import annotations

import sys
from pathlib import Path

from sim.cli.common import EXIT_INVALID, EXIT_OK, add_roots, load_or_report, positive_int

__all__ = ["add"]


def add(sub) -> None:
    """Declare the command's options on the subcommand parsers ``sub``."""
    r = sub.add_parser(
        "report", help="write a self-contained HTML report of a run",
        description="Write one HTML file (figures embedded, no network needed, prints to "
        "PDF) about a run written by `escalation run --out`: the scenario with its sources "
        "and judgement calls, the headline with Monte Carlo and judgement uncertainty, "
        "force and paths, time, red lines, drivers, base rates, and how to reproduce it.")
    r.add_argument("run_dir", metavar="RUN_DIR", help="a results directory of `escalation run`")
    r.add_argument("-o", "--output", help="the HTML file (default: RUN_DIR/report.html)")
    r.add_argument("--judgement-points", type=int, default=16, metavar="N",
                   help="Latin hypercube points over the judgement calls (default 16; 0 "
                   "leaves the range out)")
    r.add_argument("--judgement-trials", type=positive_int, default=2_000, metavar="N",
                   help="trials per point (default 2,000)")
    r.add_argument("--compare", metavar="B", help="add a paired comparison with scenario B "
                   "(the run's scenario is A; common random numbers, the run's seed)")
    r.add_argument("--compare-trials", type=positive_int, default=20_000, metavar="N",
                   help="trials of the comparison (default 20,000)")
    r.add_argument("--workers", type=positive_int, default=None,
                   help="worker processes for the judgement design (default: all cores)")
    add_roots(r)
    r.set_defaults(func=command)


def command(args) -> int:
    from sim.analysis.report import inputs_from_dir, write_report
    from sim.runs.store import StoreError
    from sim.scenario.errors import ScenarioError

    if args.judgement_points < 0:
        print("escalation report: --judgement-points must be 0 or more", file=sys.stderr)
        return EXIT_INVALID
    try:
        inputs = inputs_from_dir(args.run_dir)
    except (StoreError, ScenarioError) as err:
        print(f"escalation report: {err}", file=sys.stderr)
        return EXIT_INVALID
    other = None
    if args.compare:
        from sim.cli.common import scenario_path

        other = load_or_report(scenario_path(args.compare), args.roots)
        if other is None:
            return EXIT_INVALID
        if list(other.actors) != list(inputs.scenario.actors):
            print(f"escalation report: {args.compare} has other actors than the run's "
                  "scenario; the trials cannot be paired", file=sys.stderr)
            return EXIT_INVALID
    out = Path(args.output) if args.output else Path(args.run_dir) / "report.html"
    if out.is_dir():
        print(f"escalation report: {out} is a directory; name a file with -o", file=sys.stderr)
        return EXIT_INVALID
    write_report(inputs, out, uncertainty_points=args.judgement_points,
                 uncertainty_trials=args.judgement_trials, workers=args.workers,
                 compare_with=other, compare_trials=args.compare_trials)
    print(f"report written to {out}")
    return EXIT_OK
