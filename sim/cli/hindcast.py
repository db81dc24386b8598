"""``escalation hindcast``: historical crises with known endings, scored."""

from __future__ import annotations

import json
import sys
from dataclasses import asdict
from pathlib import Path

from sim.cli.common import EXIT_INVALID, EXIT_OK, positive_int, scenario_path, seed

__all__ = ["add"]


def add(sub) -> None:
    """Declare the command's options on the subcommand parsers ``sub``."""
    h = sub.add_parser(
        "hindcast", help="score the model on historical crises with known endings",
        description="Run each hindcast file (a scenario with known_outcome, written only "
        "from what was known at its start date) and print, per crisis, the probability "
        "the model gave to what happened, with Brier and log scores beside those of a "
        "no-skill forecast. Default: the shipped history/ scenarios.")
    h.add_argument("files", nargs="*", metavar="FILE",
                   help="hindcast files (default: the shipped history/ folder)")
    h.add_argument("--trials", type=positive_int, default=20_000,
                   help="trials per crisis (default 20,000)")
    h.add_argument("--seed", type=seed, default=7, help="root seed (default 7)")
    h.add_argument("--workers", type=positive_int, default=None,
                   help="worker processes (default: all cores; results do not depend on it)")
    h.add_argument("--format", choices=("table", "markdown", "json"), default="table")
    h.set_defaults(func=command)


def command(args) -> int:
    from sim.scenario.errors import ScenarioError
    from sim.studies.hindcast import hindcast_files, hindcast_table, run_hindcasts

    try:
        files = [Path(scenario_path(f)) for f in args.files] or hindcast_files()
        results = run_hindcasts(files, trials=args.trials, seed=args.seed,
                                workers=args.workers,
                                progress=lambda name: print(f"ran {name}", file=sys.stderr))
    except ScenarioError as err:
        print(err, file=sys.stderr)
        return EXIT_INVALID
    except (ValueError, FileNotFoundError) as err:
        print(f"escalation hindcast: {err}", file=sys.stderr)
        return EXIT_INVALID
    if args.format == "json":
        json.dump([asdict(r) for r in results], sys.stdout, indent=2)
        print()
    else:
        print(hindcast_table(results, markdown=args.format == "markdown"))
    return EXIT_OK
