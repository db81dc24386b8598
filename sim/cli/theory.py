"""``escalation theory``: the classic models, closed form beside simulation."""

from __future__ import annotations

import json
import sys

from sim.cli.common import EXIT_FAILED, EXIT_OK, positive_int, seed
from sim.runs.chunks import DEFAULT_SEED

__all__ = ["add"]


def add(sub) -> None:
    """Declare the command's options on the subcommand parsers ``sub``."""
    th = sub.add_parser("theory", help="reproduce the classic crisis-bargaining models",
                        description="Run every validation scenario through the engine and "
                        "print closed form beside simulation; exit status 1 on any "
                        "disagreement.")
    th.add_argument("--trials", type=positive_int, default=100_000,
                    help="trials for the Monte Carlo cases (default 100,000)")
    th.add_argument("--seed", type=seed, default=DEFAULT_SEED,
                    help=f"root seed (default {DEFAULT_SEED})")
    th.add_argument("--format", choices=("table", "json"), default="table")
    th.set_defaults(func=command)


def command(args) -> int:
    from dataclasses import asdict

    from sim.studies.theory import run_theory, theory_table

    checks = run_theory(trials=args.trials, seed=args.seed,
                        progress=lambda case: print(f"ran {case}", file=sys.stderr))
    if args.format == "json":
        rows = [{k: (None if isinstance(v, float) and v != v else v)  # NaN is not JSON
                 for k, v in asdict(c).items()} for c in checks]
        json.dump(rows, sys.stdout, indent=2, default=lambda o: o.item())
        print()
    else:
        print(theory_table(checks))
    return EXIT_OK if all(c.agree for c in checks) else EXIT_FAILED
