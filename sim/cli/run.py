"""``escalation run``: Monte Carlo trials of a scenario, summarised and stored."""

from __future__ import annotations

import json
import sys
import time

from sim.cli.common import (
    EXIT_INVALID,
    EXIT_OK,
    Progress,
    add_roots,
    load_or_report,
    positive_int,
    seed,
)
from sim.runs.chunks import DEFAULT_SEED

__all__ = ["add"]


def add(sub) -> None:
    """Declare the command's options on the subcommand parsers ``sub``."""
    r = sub.add_parser("run", help="run Monte Carlo trials of a scenario and summarise them",
                       description="Run Monte Carlo trials of a scenario and print each "
                       "outcome's share with its 95% interval.")
    r.add_argument("scenario", help="scenario YAML file or variant (or a shipped scenario's "
                   "name as `escalation list` prints it)")
    r.add_argument("--trials", type=positive_int, default=10_000, help="default 10,000")
    r.add_argument("--seed", type=seed, default=DEFAULT_SEED,
                   help=f"root seed (default {DEFAULT_SEED})")
    r.add_argument("--out", help="write a results directory (refused if it exists)")
    r.add_argument("--overwrite", action="store_true", help="replace an existing --out")
    r.add_argument("--workers", type=positive_int, default=None,
                   help="processes (default: all cores; runs of fewer than 2 chunks per "
                   "worker use one); results do not depend on it")
    r.add_argument("--force-workers", action="store_true",
                   help="use more worker processes than there are cores")
    r.add_argument("--chunk-size", type=positive_int, default=None,
                   help="trials per Mesa model (default 5,000); part of the run's identity")
    r.add_argument("--format", choices=("auto", "table", "rich", "json"), default="auto",
                   help="auto (default): rich text on a terminal, a plain table otherwise; "
                   "table (plain text), rich (colours and bars), json (for scripts)")
    r.add_argument("--quiet", action="store_true", help="no progress output")
    r.add_argument("--script", metavar="FILE",
                   help="a YAML file forcing some choices in every trial, for counterfactuals: "
                   "{actor: {proposals|responses|moves: {round: ...}, max_rung: R}}, e.g. "
                   "'israel: {max_rung: 5}' for 'what if Israel never strikes'")
    add_roots(r)
    r.set_defaults(func=command)


def command(args) -> int:
    scenario = load_or_report(args.scenario, args.roots)
    if scenario is None:
        return EXIT_INVALID
    from sim.engine.script import ScriptError
    from sim.runs.chunks import DEFAULT_CHUNK_SIZE
    from sim.runs.limits import LimitError
    from sim.runs.runner import run
    from sim.runs.store import StoreError
    from sim.scenario.loader import scenario_text

    script = None
    if args.script:
        script = read_script(args.script)
        if script is None:
            return EXIT_INVALID
    progress = Progress(args.trials, "trial", args.quiet)
    started = time.perf_counter()

    def report(done: int, total: int) -> None:
        rate = done / max(time.perf_counter() - started, 1e-9)
        progress.update(done, f"{rate:,.0f} trials/s")

    try:
        result = run(
            scenario,
            trials=args.trials,
            seed=args.seed,
            chunk_size=args.chunk_size or DEFAULT_CHUNK_SIZE,
            workers=args.workers,
            out=args.out,
            overwrite=args.overwrite,
            keep_trials=False,  # the summary comes from running tallies
            progress=report,
            scenario_text=scenario_text(args.scenario, tuple(args.roots)),
            force_workers=args.force_workers,
            command=args.command_line,
            script=script,
        )
    except (StoreError, LimitError) as err:
        print(f"escalation run: {err}", file=sys.stderr)
        return EXIT_INVALID
    except ScriptError as err:
        print(f"{args.script}: {err}", file=sys.stderr)
        return EXIT_INVALID
    finally:
        progress.close()
    summary = result.summary()
    if args.format == "json":
        json.dump(dict(summary), sys.stdout, indent=2)
        print()
        for w in summary["warnings"]:
            print(f"warning: {w}", file=sys.stderr)
    else:
        if args.format == "rich" or (args.format == "auto" and sys.stdout.isatty()):
            from rich.console import Console

            Console().print(summary)
        else:
            print(summary.table())
        if result.out is not None:
            print(f"\nresults written to {result.out}/")
    return EXIT_OK


def read_script(path: str) -> dict | None:
    """A script file as plain data, or None after printing what is wrong with it."""
    from sim.scenario.errors import ScenarioError
    from sim.scenario.yaml_io import read_document

    try:
        data = read_document(path).data
    except ScenarioError as err:
        for p in err.problems:
            print(str(p).replace("expected a scenario", "expected a script"), file=sys.stderr)
        return None
    return json.loads(json.dumps(data))  # plain data (round keys become text, as stored)

