"""The ``escalation`` command line.

Exit status: 0 success, 1 a check failed (e.g. ``theory`` disagreement), 2 invalid
input (a bad scenario file, a bad option, results that already exist), 130
interrupted. Problems in scenario files are printed as
``file:line:col: field.path: message``; a traceback is never the answer to bad input.
Heavy imports (numpy, mesa) happen inside the commands that need them.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

__all__ = ["main"]

EXIT_OK, EXIT_FAILED, EXIT_INVALID, EXIT_INTERRUPTED = 0, 1, 2, 130


class _Parser(argparse.ArgumentParser):
    def error(self, message: str):  # argparse's own exit status is 2 as well
        self.print_usage(sys.stderr)
        self.exit(EXIT_INVALID, f"{self.prog}: error: {message}\n")


def _positive_int(text: str) -> int:
    try:
        v = int(text.replace("_", "").replace(",", ""))
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None
    if v < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, got {v}")
    return v


def _seed(text: str) -> int:
    try:
        v = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None
    if v < 0:
        raise argparse.ArgumentTypeError(f"seeds are non-negative, got {v}")
    return v


def build_parser() -> argparse.ArgumentParser:
    p = _Parser(
        prog="escalation",
        description="Escalation scenario simulator: Monte Carlo crisis bargaining on Mesa.",
    )
    sub = p.add_subparsers(dest="command", title="Commands", metavar="COMMAND", required=True,
                           parser_class=_Parser)

    r = sub.add_parser("run", help="run Monte Carlo trials of a scenario and summarise them")
    r.add_argument("scenario", help="scenario YAML file (or variant)")
    r.add_argument("--trials", type=_positive_int, default=10_000, help="default 10,000")
    r.add_argument("--seed", type=_seed, default=0, help="root seed (default 0)")
    r.add_argument("--out", help="write a results directory (refused if it exists)")
    r.add_argument("--overwrite", action="store_true", help="replace an existing --out")
    r.add_argument("--workers", type=_positive_int, default=None,
                   help="processes (default: all cores; runs of fewer than 2 chunks per "
                   "worker use one); results do not depend on it")
    r.add_argument("--chunk-size", type=_positive_int, default=None,
                   help="trials per Mesa model (default 5,000); part of the run's identity")
    r.add_argument("--format", choices=("table", "json"), default="table",
                   help="table for people, json (to stdout) for scripts")
    r.add_argument("--quiet", action="store_true", help="no progress output")

    v = sub.add_parser("validate", help="check scenario files; report every problem")
    v.add_argument("files", nargs="+", metavar="FILE")

    sub.add_parser("schema", help="print the JSON Schema of scenario files")

    e = sub.add_parser(
        "explain", help="replay one trial of a run and tell it round by round",
        description="Replay one trial exactly and tell its story. Give the run's results "
        "directory (--from DIR), or the scenario with the run's --seed, --trials and "
        "--chunk-size: a trial's numbers depend on the seed, the chunk size and, in a final "
        "partial chunk, the run's trial count.")
    e.add_argument("scenario", nargs="?", help="scenario file (not needed with --from)")
    e.add_argument("--from", dest="results", metavar="DIR",
                   help="a results directory written by `escalation run --out`")
    e.add_argument("--trial", type=int, required=True, help="trial index within the run")
    e.add_argument("--seed", type=_seed, default=0, help="the run's root seed (default 0)")
    e.add_argument("--trials", type=_positive_int, default=None,
                   help="the run's trial count (default: the trial's chunk was full)")
    e.add_argument("--chunk-size", type=_positive_int, default=None,
                   help="the run's chunk size (default 5,000)")

    sw = sub.add_parser("sweep", help="vary parameters over a design; sensitivity analysis")
    sw.add_argument("scenario")
    sw.add_argument("--list-parameters", action="store_true",
                    help="print every numeric field that can be varied, and stop")
    sw.add_argument("--vary", action="append", default=[], metavar="PATH=LOW:HIGH",
                    help="a parameter and its range (or PATH=v1,v2,v3 with --sampler grid); "
                    "repeat for more")
    sw.add_argument("--sampler", choices=("grid", "lhs", "sobol", "morris"), default="grid")
    sw.add_argument("--points", type=_positive_int, default=5,
                    help="grid: levels per parameter; lhs: points; sobol: base samples "
                    "(N (D + 2) points); morris: trajectories (N (D + 1) points)")
    sw.add_argument("--trials", type=_positive_int, default=2_000, help="per point")
    sw.add_argument("--seed", type=_seed, default=0)
    sw.add_argument("--out", help="results directory; rerun the same command to resume")
    sw.add_argument("--workers", type=_positive_int, default=None)
    sw.add_argument("--chunk-size", type=_positive_int, default=None)
    sw.add_argument("--scheduler", help="Dask scheduler address, e.g. tcp://host:8786")
    sw.add_argument("--quiet", action="store_true")

    th = sub.add_parser("theory", help="reproduce the classic crisis-bargaining models")
    th.add_argument("--trials", type=_positive_int, default=100_000,
                    help="trials for the Monte Carlo cases (default 100,000)")
    th.add_argument("--seed", type=_seed, default=0)
    th.add_argument("--format", choices=("table", "json"), default="table")

    ls = sub.add_parser("list", help="list the scenarios shipped with the project")
    ls.add_argument("directory", nargs="?", help="where to look (default: scenarios/)")
    return p


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return {
            "run": _cmd_run,
            "validate": _cmd_validate,
            "schema": _cmd_schema,
            "explain": _cmd_explain,
            "list": _cmd_list,
            "theory": _cmd_theory,
            "sweep": _cmd_sweep,
        }[args.command](args)
    except KeyboardInterrupt:
        print("interrupted; no results were written", file=sys.stderr)
        return EXIT_INTERRUPTED
    except BrokenPipeError:
        return EXIT_OK


def _load(path: str):
    """Load a scenario, printing its problems and returning None if it is invalid."""
    from sim.scenario.errors import ScenarioError
    from sim.scenario.loader import load_scenario

    try:
        return load_scenario(path)
    except ScenarioError as err:
        for problem in err.problems:
            print(problem, file=sys.stderr)
        print(f"{len(err.problems)} problem(s); nothing was run", file=sys.stderr)
        return None


class _Progress:
    """A tqdm bar on a terminal, plain progress lines (about every 10%) otherwise.

    Call it with (done, total) and optionally a note (rate, time left) for the line.
    """

    def __init__(self, total: int, unit: str, quiet: bool):
        self.total, self.unit, self.quiet = total, unit, quiet
        self.done, self.next_line, self.bar = 0, 0.1, None
        if not quiet and sys.stderr.isatty():
            from tqdm import tqdm

            self.bar = tqdm(total=total, unit=unit, unit_scale=unit == "trial",
                            file=sys.stderr)

    def update(self, done: int, note: str = "") -> None:
        self.done = done
        if self.quiet:
            return
        if self.bar is not None:
            if note and self.unit != "trial":  # tqdm shows trials/s itself
                self.bar.set_postfix_str(note)
            self.bar.update(done - self.bar.n)
        elif done / self.total >= self.next_line or done == self.total:
            print(f"{done:,}/{self.total:,} {self.unit}s" + (f", {note}" if note else ""),
                  file=sys.stderr, flush=True)
            while self.next_line <= done / self.total:
                self.next_line += 0.1

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()


def _cmd_run(args) -> int:
    scenario = _load(args.scenario)
    if scenario is None:
        return EXIT_INVALID
    from sim.runs.chunks import DEFAULT_CHUNK_SIZE
    from sim.runs.runner import run
    from sim.runs.store import ResultsExistError
    from sim.scenario.loader import scenario_text

    progress = _Progress(args.trials, "trial", args.quiet)
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
            progress=report,
            scenario_text=scenario_text(args.scenario),
        )
    except ResultsExistError as err:
        print(f"escalation run: {err}", file=sys.stderr)
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
        print(summary.table())
        if result.out is not None:
            print(f"\nresults written to {result.out}/")
    return EXIT_OK


def _cmd_validate(args) -> int:
    from sim.scenario.loader import validate_paths

    problems = validate_paths(args.files)
    for problem in problems:
        print(problem, file=sys.stderr)
    if problems:
        print(f"{len(problems)} problem(s) in {len(args.files)} file(s)", file=sys.stderr)
        return EXIT_INVALID
    for f in args.files:
        print(f"{f}: ok")
    return EXIT_OK


def _cmd_schema(args) -> int:
    from sim.scenario.json_schema import schema_text

    sys.stdout.write(schema_text())
    return EXIT_OK


def _cmd_explain(args) -> int:
    from sim.analysis.narrative import explain
    from sim.runs.chunks import DEFAULT_CHUNK_SIZE

    if args.results:
        found = _run_from_results(args.results)
        if found is None:
            return EXIT_INVALID
        scenario, seed, chunk_size, trials = found
    elif args.scenario:
        scenario = _load(args.scenario)
        if scenario is None:
            return EXIT_INVALID
        seed, chunk_size, trials = args.seed, args.chunk_size or DEFAULT_CHUNK_SIZE, args.trials
    else:
        print("escalation explain: give a scenario file or --from DIR", file=sys.stderr)
        return EXIT_INVALID
    try:
        print(explain(scenario, seed=seed, trial=args.trial, chunk_size=chunk_size,
                      trials=trials))
    except ValueError as e:
        print(f"escalation explain: {e}", file=sys.stderr)
        return EXIT_INVALID
    return EXIT_OK


def _run_from_results(directory: str):
    """(scenario, seed, chunk size, trials) recorded in a run's manifest, or None."""
    from sim.scenario.errors import ScenarioError
    from sim.scenario.loader import scenario_from_dict

    path = Path(directory) / "manifest.json"
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
        scenario = scenario_from_dict(manifest["scenario_resolved"], origin=str(path))
        return scenario, manifest["root_seed"], manifest["chunk_size"], manifest["trials"]
    except (OSError, ValueError, KeyError, TypeError) as e:
        print(f"escalation explain: {path}: not a run's manifest ({e})", file=sys.stderr)
    except ScenarioError as e:
        for p in e.problems:
            print(p, file=sys.stderr)
    return None


def _cmd_theory(args) -> int:
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


def _cmd_sweep(args) -> int:
    scenario = _load(args.scenario)
    if scenario is None:
        return EXIT_INVALID
    from sim.scenario.parameters import numeric_fields

    if args.list_parameters:
        fields = numeric_fields(scenario)
        width = max(len(f.path) for f in fields)
        for f in fields:
            print(f"{f.path:<{width}}  {f.value:<12g} {f.range_text()}")
        return EXIT_OK
    from sim.runs.chunks import DEFAULT_CHUNK_SIZE
    from sim.scenario.errors import ScenarioError
    from sim.scenario.loader import locate_problems, scenario_text
    from sim.studies.design import check_design, make_design, parse_vary
    from sim.studies.sweeps import SweepError, sweep

    try:
        vary = [parse_vary(v) for v in args.vary]
        problems = check_design(scenario, vary)
        if not problems:
            design = make_design(vary, args.sampler, args.points, args.seed)
    except ValueError as e:
        print(f"escalation sweep: {e}", file=sys.stderr)
        return EXIT_INVALID
    if problems:
        for p in locate_problems(args.scenario, problems):
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
    progress = _Progress(n_points, "point", args.quiet)

    def report(done: int, total: int, rate: float) -> None:
        left = (total - done) * args.trials / max(rate, 1e-9)
        progress.update(done, f"{rate:,.0f} trials/s, about {left:,.0f} s left")

    try:
        result = sweep(scenario, vary, sampler=args.sampler, points=args.points,
                       trials=args.trials, seed=args.seed,
                       chunk_size=args.chunk_size or DEFAULT_CHUNK_SIZE, workers=args.workers,
                       out=args.out, scheduler=args.scheduler, progress=report,
                       scenario_text=scenario_text(args.scenario))
    except SweepError as e:
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
    _print_sweep(result)
    return EXIT_OK


def _print_sweep(result) -> None:
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


def default_scenario_dir() -> Path:
    here = Path.cwd() / "scenarios"
    if here.is_dir():
        return here
    return Path(__file__).resolve().parents[2] / "scenarios"


def _cmd_list(args) -> int:
    from sim.scenario.errors import ScenarioError
    from sim.scenario.loader import load_scenario

    root = Path(args.directory) if args.directory else default_scenario_dir()
    if not root.is_dir():
        print(f"escalation list: {root} is not a directory", file=sys.stderr)
        return EXIT_INVALID
    files = sorted(root.rglob("*.yaml"))
    width = max((len(str(f.relative_to(root.parent))) for f in files), default=0)
    for f in files:
        name = os.path.relpath(f, Path.cwd()) if f.is_relative_to(Path.cwd()) else str(f)
        try:
            desc = load_scenario(f).description
        except ScenarioError as err:
            desc = f"(invalid: {len(err.problems)} problem(s); run escalation validate)"
        print(f"{name:<{width + 2}} {desc}")
    return EXIT_OK


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
