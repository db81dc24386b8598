"""``escalation sweep``: vary parameters over a design; sensitivity analysis."""

from __future__ import annotations

import sys
from pathlib import Path

from sim.cli.common import (
    EXIT_INTERRUPTED,
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
    sw = sub.add_parser("sweep", help="vary parameters over a design; sensitivity analysis",
                        description="Run a design of parameter points (grid, Latin hypercube, "
                        "Sobol or Morris) with common random numbers; Sobol and Morris "
                        "designs add sensitivity indices. Rerun the same command to resume.")
    sw.add_argument("scenario", help="scenario file (or a shipped scenario's name)")
    sw.add_argument("--list-parameters", action="store_true",
                    help="print every numeric field that can be varied, and stop")
    sw.add_argument("--vary", action="append", default=[], metavar="PATH=LOW:HIGH",
                    help="a parameter and its range (or PATH=v1,v2,v3 with --sampler grid); "
                    "repeat for more")
    sw.add_argument("--judgements", action="store_true",
                    help="also vary every judgement call the scenario declares over its "
                    "plausible range (as judgements.NAME; e.g. with --sampler lhs)")
    sw.add_argument("--discover", metavar="CONDITION",
                    help="after the sweep, the PRIM box of parameter ranges where CONDITION "
                    "holds, e.g. 'regional_war>0.2' (an outcome id or any_force)")
    sw.add_argument("--sampler", choices=("grid", "lhs", "sobol", "morris"), default="grid")
    sw.add_argument("--points", type=positive_int, default=5,
                    help="grid: levels per parameter; lhs: points; sobol: base samples "
                    "(N (D + 2) points); morris: trajectories (N (D + 1) points)")
    sw.add_argument("--trials", type=positive_int, default=2_000, help="per point")
    sw.add_argument("--seed", type=seed, default=DEFAULT_SEED,
                    help=f"root seed (default {DEFAULT_SEED})")
    sw.add_argument("--out", help="results directory; rerun the same command to resume")
    sw.add_argument("--workers", type=positive_int, default=None)
    sw.add_argument("--chunk-size", type=positive_int, default=None)
    sw.add_argument("--scheduler", help="Dask scheduler address, e.g. tcp://host:8786")
    sw.add_argument("--scheduler-timeout", type=positive_int, default=10, metavar="SECONDS",
                    help="how long to wait for the scheduler to answer and for a first "
                    "worker (default 10)")
    sw.add_argument("--force-workers", action="store_true",
                    help="use more worker processes than there are cores")
    sw.add_argument("--quiet", action="store_true")
    add_roots(sw)
    sw.set_defaults(func=command)


def command(args) -> int:
    scenario = load_or_report(args.scenario, args.roots)
    if scenario is None:
        return EXIT_INVALID
    from sim.scenario.parameters import numeric_fields

    if args.list_parameters:
        fields = numeric_fields(scenario)
        width = max(len(f.path) for f in fields)
        for f in fields:
            print(f"{f.path:<{width}}  {f.value:<12g} {f.range_text()}")
        for name, j in scenario.judgements.items():
            print(f"judgements.{name:<{width - 11}}  shift {j.shift[0]:g} to {j.shift[1]:g} "
                  f"of {len(j.paths)} number(s): {j.label or name}")
        return EXIT_OK
    from sim.runs.chunks import DEFAULT_CHUNK_SIZE
    from sim.runs.executor import ClusterError
    from sim.runs.limits import LimitError
    from sim.runs.store import StoreError
    from sim.scenario.errors import ScenarioError
    from sim.scenario.loader import locate_problems, scenario_text
    from sim.studies.design import check_design, judgement_vary, make_design, parse_vary
    from sim.studies.sweeps import sweep

    try:
        vary = [parse_vary(v) for v in args.vary]
        if args.discover:
            from sim.studies.sweeps import parse_condition

            parse_condition(args.discover, list(scenario.outcomes))  # checked before running
        if args.judgements:
            if not scenario.judgements:
                raise ValueError(f"{args.scenario} declares no judgements to vary")
            vary += judgement_vary(scenario)
        problems = check_design(scenario, vary)
        if not problems:
            design = make_design(vary, args.sampler, args.points, args.seed)
    except ValueError as e:
        print(f"escalation sweep: {e}", file=sys.stderr)
        return EXIT_INVALID
    if problems:
        for p in locate_problems(args.scenario, problems, tuple(args.roots)):
            print(p, file=sys.stderr)
        print(f"{len(problems)} problem(s); nothing was run", file=sys.stderr)
        return EXIT_INVALID
    for note in design.notes:
        print(f"note: {note}", file=sys.stderr)
    if args.out and (Path(args.out) / "points").is_dir():
        done = len(list((Path(args.out) / "points").glob("point-*.json")))
        print(f"resuming {args.out}: {done} of {len(design.X)} points already done",
              file=sys.stderr)
    n_points = len(design.X)
    progress = Progress(n_points, "point", args.quiet)

    def report(done: int, total: int, rate: float) -> None:
        left = (total - done) * args.trials / max(rate, 1e-9)
        progress.update(done, f"{rate:,.0f} trials/s, about {left:,.0f} s left")

    try:
        result = sweep(scenario, vary, sampler=args.sampler, points=args.points,
                       trials=args.trials, seed=args.seed,
                       chunk_size=args.chunk_size or DEFAULT_CHUNK_SIZE, workers=args.workers,
                       out=args.out, scheduler=args.scheduler, progress=report,
                       scenario_text=scenario_text(args.scenario, tuple(args.roots)),
                       scheduler_timeout=args.scheduler_timeout,
                       force_workers=args.force_workers)
    except (StoreError, ClusterError, LimitError) as e:
        print(f"escalation sweep: {e}", file=sys.stderr)
        return EXIT_INVALID
    except ScenarioError as e:  # a point the bounds did not catch
        for p in e.problems:
            print(p, file=sys.stderr)
        return EXIT_INVALID
    except KeyboardInterrupt:
        progress.close()
        again = " run the same command again to resume" if args.out else ""
        print(f"\ninterrupted after {progress.done} of {n_points} points;{again}",
              file=sys.stderr)
        return EXIT_INTERRUPTED
    progress.close()
    print_sweep(result)
    if args.discover:
        print_discovery(result, args.discover)
    return EXIT_OK


def print_discovery(result, condition: str) -> None:
    """The PRIM box for a condition on the points, in words (and DIR/discovery.txt)."""
    from sim.analysis.drivers import describe_box

    box = result.discover(condition)
    target = condition.strip()
    if box is None:
        text = (f"discovery: '{target}' holds at too few or too many points (under 1% or "
                "over 99%) for PRIM to bound it")
    else:
        text = ("discovery (PRIM over the varied parameters): "
                + describe_box(box, target, unit="points"))
    print("\n" + text)
    if result.out is not None:
        (result.out / "discovery.txt").write_text(text + "\n", encoding="utf-8")


def print_sweep(result) -> None:
    from sim.studies.sensitivity import sensitivity_table

    d = result.design
    print(f"{d.sampler} design: {len(d.X)} points over {', '.join(d.names)}")
    shares = [c for c in result.frame.columns if c.startswith("share_")]
    cols = ["point", *d.names, *shares]
    print(result.frame[cols].head(30).to_string(index=False, float_format=lambda x: f"{x:.3f}"))
    if len(result.frame) > 30:
        print(f"... {len(result.frame) - 30} more points")
    if d.sampler in ("sobol", "morris"):
        label = "Sobol indices" if d.sampler == "sobol" else "Morris elementary effects"
        print(f"\n{label} of each outcome share:")
        print(sensitivity_table(result.sensitivity()))
    if result.out is not None:
        print(f"\nresults written to {result.out}/")
