"""``escalation compare``: two scenarios on the same trials (common random numbers)."""

from __future__ import annotations

import json
import sys

from sim.cli.common import EXIT_INVALID, EXIT_OK, add_roots, load_or_report, positive_int, seed
from sim.runs.chunks import DEFAULT_SEED

__all__ = ["add"]


def add(sub) -> None:
    """Declare the command's options on the subcommand parsers ``sub``."""
    c = sub.add_parser(
        "compare", help="compare two scenarios trial by trial (common random numbers)",
        description="Run scenarios A and B on the same trials with the same seed and print, "
        "outcome by outcome, the shares, the paired difference B - A with its 95% interval, "
        "and how many trials end the same way under both. A question such as 'what does "
        "the second carrier change?' is answered by the differences, whose intervals are "
        "much narrower than those of two independent runs.")
    c.add_argument("a", metavar="A", help="scenario file (or a shipped scenario's name)")
    c.add_argument("b", metavar="B", help="scenario file (or a shipped scenario's name)")
    c.add_argument("--trials", type=positive_int, default=20_000, help="default 20,000")
    c.add_argument("--seed", type=seed, default=DEFAULT_SEED,
                   help=f"root seed (default {DEFAULT_SEED})")
    c.add_argument("--chunk-size", type=positive_int, default=None)
    c.add_argument("--workers", type=positive_int, default=None,
                   help="worker processes (default: all cores; results do not depend on it)")
    c.add_argument("--format", choices=("table", "json"), default="table")
    add_roots(c)
    c.set_defaults(func=command)


def command(args) -> int:
    from sim.cli.common import scenario_path

    a = load_or_report(scenario_path(args.a), args.roots)
    b = load_or_report(scenario_path(args.b), args.roots)
    if a is None or b is None:
        return EXIT_INVALID
    from sim.analysis.compare import compare

    try:
        result = compare(a, b, trials=args.trials, seed=args.seed, chunk_size=args.chunk_size,
                         workers=args.workers)
    except ValueError as err:
        print(f"escalation compare: {err}", file=sys.stderr)
        return EXIT_INVALID
    if args.format == "json":
        json.dump({"a": result.a_title, "b": result.b_title, "trials": result.trials,
                   "seed": result.seed, "outcomes": result.table.to_dict(orient="records"),
                   "moves": {a: row for a, row in result.moves.to_dict(orient="index").items()}},
                  sys.stdout, indent=2)
        print()
    else:
        print(result.text())
    return EXIT_OK
