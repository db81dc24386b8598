"""``escalation explain``: replay one trial of a run and tell it round by round."""

from __future__ import annotations

import sys
from pathlib import Path

from sim.cli.common import EXIT_INVALID, EXIT_OK, add_roots, load_or_report, positive_int, seed
from sim.runs.chunks import DEFAULT_SEED

__all__ = ["add", "run_from_results"]


def add(sub) -> None:
    """Declare the command's options on the subcommand parsers ``sub``."""
    e = sub.add_parser(
        "explain", help="replay one trial of a run and tell it round by round",
        description="Replay one trial exactly and tell its story. Give the run's results "
        "directory (--from DIR), or the scenario with the run's --seed, --trials and "
        "--chunk-size: a trial's numbers depend on the seed and the chunk size, and a "
        "final partial chunk is replayed at its own length.")
    e.add_argument("scenario", nargs="?", help="scenario file (not needed with --from)")
    e.add_argument("--from", dest="results", metavar="DIR",
                   help="a results directory written by `escalation run --out`")
    e.add_argument("--trial", type=int, help="trial index within the run")
    e.add_argument("--outcome", metavar="ID",
                   help="with --from: tell a trial that ended in this outcome (an outcome "
                   "id, or war / deal / breakout for how it ended)")
    e.add_argument("--nth", type=positive_int, default=1,
                   help="with --outcome: the Nth such trial, in trial order (default 1)")
    e.add_argument("--seed", type=seed, default=DEFAULT_SEED,
                   help=f"the run's root seed (default {DEFAULT_SEED})")
    e.add_argument("--trials", type=positive_int, default=None,
                   help="the run's trial count (default: the trial's chunk was full)")
    e.add_argument("--chunk-size", type=positive_int, default=None,
                   help="the run's chunk size (default 5,000)")
    add_roots(e)
    e.set_defaults(func=command)


def command(args) -> int:
    from sim.analysis.narrative import explain
    from sim.runs.chunks import DEFAULT_CHUNK_SIZE

    if (args.trial is None) == (args.outcome is None):
        print("escalation explain: give --trial N, or --outcome ID (with --from DIR)",
              file=sys.stderr)
        return EXIT_INVALID
    if args.outcome is not None and not args.results:
        print("escalation explain: --outcome needs a run's results (--from DIR)", file=sys.stderr)
        return EXIT_INVALID
    if args.results:
        found = run_from_results(args.results)
        if found is None:
            return EXIT_INVALID
        scenario, root_seed, chunk_size, trials, script = found
        if args.outcome is not None:
            args.trial = nth_trial(args.results, scenario, args.outcome, args.nth)
            if args.trial is None:
                return EXIT_INVALID
    elif args.scenario:
        scenario = load_or_report(args.scenario, args.roots)
        if scenario is None:
            return EXIT_INVALID
        root_seed, chunk_size, trials = args.seed, args.chunk_size or DEFAULT_CHUNK_SIZE, \
            args.trials
        script = None
    else:
        print("escalation explain: give a scenario file or --from DIR", file=sys.stderr)
        return EXIT_INVALID
    try:
        print(explain(scenario, seed=root_seed, trial=args.trial, chunk_size=chunk_size,
                      trials=trials, script=script))
    except ValueError as e:
        print(f"escalation explain: {e}", file=sys.stderr)
        return EXIT_INVALID
    return EXIT_OK


def nth_trial(directory: str, scenario, outcome: str, nth: int) -> int | None:
    """The index of the ``nth`` trial of a run that ended in ``outcome`` (an outcome id
    or an ending such as war), or None after saying why."""
    import pandas as pd

    path = Path(directory) / "trials.parquet"
    if not path.exists():
        print(f"escalation explain: {path} is missing", file=sys.stderr)
        return None
    t = pd.read_parquet(path, columns=["trial", "outcome", "ended_by"])
    endings = set(t["ended_by"].unique())
    by_label = {o.label.lower(): oid for oid, o in scenario.outcomes.items()}
    outcome = by_label.get(outcome.lower(), outcome)  # a label as the table prints it
    if outcome in scenario.outcomes:
        hits = t.loc[t["outcome"] == outcome, "trial"]
    elif outcome in endings:
        hits = t.loc[t["ended_by"] == outcome, "trial"]
    else:
        ends = sorted(e for e in endings if e not in scenario.outcomes)
        valid = (", ".join(scenario.outcomes) + " (or the label the table prints)"
                 + (f"; or how a trial ended: {', '.join(ends)}" if ends else ""))
        print(f"escalation explain: '{outcome}' is not an outcome of this run; valid: {valid}",
              file=sys.stderr)
        return None
    if len(hits) < nth:
        print(f"escalation explain: only {len(hits)} trial(s) ended in '{outcome}'",
              file=sys.stderr)
        return None
    trial = int(hits.iloc[nth - 1])
    print(f"(trial {trial}: the {_ordinal(nth)} of {len(hits):,} that ended in '{outcome}')\n")
    return trial


def _ordinal(n: int) -> str:
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def run_from_results(directory: str):
    """(scenario, seed, chunk size, trials, script) recorded in a run's manifest, or
    None."""
    from sim.runs.store import StoreError, open_run
    from sim.scenario.errors import ScenarioError
    from sim.scenario.loader import scenario_from_dict

    try:
        manifest = open_run(directory)
        scenario = scenario_from_dict(manifest["scenario_resolved"],
                                      origin=str(Path(directory) / "manifest.json"))
        return (scenario, manifest["root_seed"], manifest["chunk_size"], manifest["trials"],
                manifest.get("script"))
    except StoreError as e:
        print(f"escalation explain: {e}", file=sys.stderr)
    except ScenarioError as e:
        for p in e.problems:
            print(p, file=sys.stderr)
    return None
