"""Parameter sweeps and global sensitivity analysis over any numeric scenario field.

A sweep runs the same number of trials, with the same root seed, at every point of a
design (grid, Latin hypercube, Saltelli/Sobol or Morris; SALib draws the last three).
Every point uses the same chunk seeds, so points differ by their parameters, not by
sampling noise (common random numbers). Points are written one file each, atomically,
so a sweep that is interrupted resumes where it stopped; the same tasks run on a local
process pool or a Dask distributed cluster with identical results.

>>> from sim import load_scenario, sweep
>>> s = sweep(load_scenario("scenarios/iran_2026/baseline.yaml"),
...           vary={"actors.iran.war_cost.high": (0.4, 0.8)}, sampler="grid", points=5,
...           trials=2_000, seed=1)          # doctest: +SKIP
>>> s.frame, s.sensitivity(), s.plot()       # doctest: +SKIP

References
----------
Saltelli, A., et al. (2010). Variance based sensitivity analysis of model output.
*Computer Physics Communications* 181(2), 259-270.
Morris, M. D. (1991). Factorial sampling plans for preliminary computational
experiments. *Technometrics* 33(2), 161-174.
Herman, J., and Usher, W. (2017). SALib: an open-source Python library for
sensitivity analysis. *Journal of Open Source Software* 2(9).
"""

from __future__ import annotations

import hashlib
import itertools
import json
import logging
import math
import os
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from sim.scenario.errors import Problem, ScenarioError
from sim.scenario.parameters import numeric_fields, unknown_path_message, with_values
from sim.scenario.format import Scenario
from sim.runs.stats import mcse, wilson_interval

__all__ = ["SAMPLERS", "Design", "SweepResult", "Vary", "make_design", "parse_vary", "sweep"]

log = logging.getLogger(__name__)

SAMPLERS = ("grid", "lhs", "sobol", "morris")
MORRIS_LEVELS = 4
#: Outcomes seen fewer times than this at every point get no indices: their shares are
#: Monte Carlo noise, and Sobol estimates of noise are meaningless.
RARE_COUNT = 20


class SweepError(Exception):
    """A sweep cannot start or continue (e.g. a results directory of another design)."""


@dataclass(frozen=True)
class Vary:
    """One varied parameter: a dotted path and a range or explicit values."""

    path: str
    low: float | None = None
    high: float | None = None
    values: tuple[float, ...] | None = None

    def text(self) -> str:
        if self.values is not None:
            return f"{self.path}={','.join(f'{v:g}' for v in self.values)}"
        return f"{self.path}={self.low:g}:{self.high:g}"


def parse_vary(text: str) -> Vary:
    """``PATH=LOW:HIGH`` or ``PATH=v1,v2,v3``."""
    if "=" not in text:
        raise ValueError(f"--vary {text!r}: expected PATH=LOW:HIGH or PATH=v1,v2,...")
    path, spec = text.split("=", 1)
    path = path.strip()
    try:
        if ":" in spec:
            lo, hi = (float(x) for x in spec.split(":", 1))
            if not lo < hi:
                raise ValueError(f"--vary {text!r}: LOW must be below HIGH")
            return Vary(path, lo, hi)
        values = tuple(float(x) for x in spec.split(",") if x.strip())
    except ValueError as e:
        if "LOW must" in str(e):
            raise
        raise ValueError(f"--vary {text!r}: the range must be numbers, LOW:HIGH or v1,v2,...") \
            from None
    if len(values) < 1:
        raise ValueError(f"--vary {text!r}: give at least one value")
    return Vary(path, values=values)


# --- designs -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Design:
    """The points of a sweep: X (n_points, n_parameters) and how they were drawn."""

    sampler: str
    vary: tuple[Vary, ...]
    requested_points: int
    X: np.ndarray
    seed: int
    notes: tuple[str, ...] = ()

    @property
    def names(self) -> list[str]:
        return [v.path for v in self.vary]

    def problem(self) -> dict:
        """SALib's problem dictionary."""
        return {
            "num_vars": len(self.vary),
            "names": self.names,
            "bounds": [[v.low, v.high] for v in self.vary],
        }

    def identity(self) -> dict:
        return {
            "sampler": self.sampler,
            "vary": [v.text() for v in self.vary],
            "requested_points": self.requested_points,
            "points": len(self.X),
            "design_seed": self.seed,
            "X_sha256": hashlib.sha256(np.ascontiguousarray(self.X).tobytes()).hexdigest(),
        }


def make_design(vary: list[Vary], sampler: str, points: int, seed: int) -> Design:
    """Draw the design. Saltelli and Morris sample counts follow their own rules."""
    if sampler not in SAMPLERS:
        raise ValueError(f"unknown sampler {sampler!r}; valid: {', '.join(SAMPLERS)}")
    if not vary:
        raise ValueError("give at least one --vary PATH=LOW:HIGH")
    names = [v.path for v in vary]
    if len(set(names)) != len(names):
        raise ValueError("a parameter is varied twice")
    explicit = [v for v in vary if v.values is not None]
    if explicit and sampler != "grid":
        raise ValueError(f"explicit values ({explicit[0].text()}) need --sampler grid")
    notes: list[str] = []
    if sampler == "grid":
        axes = [np.array(v.values) if v.values is not None else np.linspace(v.low, v.high, points)
                for v in vary]
        X = np.array(list(itertools.product(*axes)), dtype=float)
    elif sampler == "lhs":
        from SALib.sample import latin

        X = latin.sample(_problem(vary), points, seed=seed)
    elif sampler == "sobol":
        from SALib.sample import sobol

        base = 2 ** max(1, math.ceil(math.log2(points)))
        if base != points:
            notes.append(f"Sobol' sequences need a power of two: base samples {points} -> {base}")
        X = sobol.sample(_problem(vary), base, calc_second_order=False, seed=seed)
        notes.append(f"Saltelli's scheme: N (D + 2) = {base} x {len(vary) + 2} = {len(X)} points")
    else:
        from SALib.sample import morris

        X = morris.sample(_problem(vary), points, num_levels=MORRIS_LEVELS, seed=seed)
        notes.append(f"Morris: {points} trajectories x (D + 1) = {len(X)} points, "
                     f"{MORRIS_LEVELS} levels")
    return Design(sampler, tuple(vary), points, X, seed, tuple(notes))


def _problem(vary):
    return {"num_vars": len(vary), "names": [v.path for v in vary],
            "bounds": [[v.low, v.high] for v in vary]}


def check_design(scenario: Scenario, vary: list[Vary]) -> list[Problem]:
    """Every problem with the varied paths and their bounds, before anything runs."""
    fields = {f.path: f for f in numeric_fields(scenario)}
    problems = []
    for v in vary:
        f = fields.get(v.path)
        path = tuple(int(p) if p.isdigit() else p for p in v.path.split("."))
        if f is None:
            problems.append(Problem(path, f"--vary {v.text()}: "
                                    + unknown_path_message(v.path, fields)))
            continue
        tests = v.values if v.values is not None else (v.low, v.high)
        for x in tests:
            if not f.admits(x):
                problems.append(Problem(path, f"--vary {v.text()}: {x:g} is outside the "
                                        f"valid range {f.range_text()}"))
                continue
            try:
                with_values(scenario, {v.path: x})
            except ScenarioError as e:
                for p in e.problems:
                    problems.append(Problem(path, f"--vary {v.text()}: with {v.path} = {x:g}, "
                                            f"{p.dotted}: {p.message}"))
    return problems


# --- running points ------------------------------------------------------------------------


def run_point(scenario: Scenario, names: list[str], values: list[float], trials: int,
              seed: int, chunk_size: int) -> dict:
    """Run one design point; returns its counts and metrics (a JSON-ready dict)."""
    from sim.runs.runner import run

    point = with_values(scenario, dict(zip(names, values)))
    result = run(point, trials=trials, seed=seed, chunk_size=chunk_size, workers=1,
                 keep_trials=False, collect_rounds=False)
    tally = result.tally
    cs = result.cs
    rounds = tally.rounds.sum(axis=0)
    r = np.arange(len(rounds))
    peak = np.arange(cs.n_rungs)
    return {
        "outcomes": {o.id: int(tally.outcome[k]) for k, o in enumerate(cs.outcomes)},
        "trials": int(tally.n),
        "mean_rounds": float((rounds * r).sum() / tally.n),
        "mean_peak_rung": float((tally.peak * peak).sum() / tally.n),
        "strike_share": float(tally.peak[cs.strike_rung:].sum() / tally.n),
    }


@dataclass
class SweepResult:
    """Per-point results (one row per point, parameters as columns) and the design."""

    design: Design
    frame: pd.DataFrame
    outcome_ids: list[str]
    out: Path | None = None
    _sensitivity: dict | None = field(default=None, repr=False)

    def sensitivity(self) -> dict[str, pd.DataFrame]:
        """Per outcome share: Sobol first-order and total indices with 95% confidence
        intervals (sobol), or Morris mu* and sigma (morris)."""
        if self._sensitivity is None:
            self._sensitivity = analyse(self.design, self.frame, self.outcome_ids)
        return self._sensitivity

    def plot(self, ax=None):
        """Sensitivity bars for sobol/morris designs; outcome shares along the first
        parameter otherwise."""
        from sim.analysis.plots import plot_sensitivity, plot_sweep

        if self.design.sampler in ("sobol", "morris"):
            return plot_sensitivity(self.sensitivity(), self.design.sampler, ax=ax)
        return plot_sweep(self.frame, self.design.names, self.outcome_ids, ax=ax)


def analyse(design: Design, frame: pd.DataFrame, outcome_ids: list[str]) -> dict:
    if design.sampler not in ("sobol", "morris"):
        raise SweepError(f"sensitivity indices need a sobol or morris design, "
                         f"not {design.sampler}")
    out = {}
    problem = design.problem()
    for oid in outcome_ids:
        y = frame[f"share_{oid}"].to_numpy()
        hits = y * frame["trials"].to_numpy()
        if np.allclose(y, y[0]) or hits.max() < RARE_COUNT:
            out[oid] = pd.DataFrame(index=design.names)  # nothing to apportion reliably
            continue
        if design.sampler == "sobol":
            from SALib.analyze import sobol

            si = sobol.analyze(problem, y, calc_second_order=False, seed=design.seed)
            out[oid] = pd.DataFrame({"S1": si["S1"], "S1_conf": si["S1_conf"],
                                     "ST": si["ST"], "ST_conf": si["ST_conf"]},
                                    index=design.names)
        else:
            from SALib.analyze import morris

            si = morris.analyze(problem, design.X, y, num_levels=MORRIS_LEVELS,
                                seed=design.seed)
            out[oid] = pd.DataFrame({"mu_star": si["mu_star"], "mu_star_conf": si["mu_star_conf"],
                                     "sigma": si["sigma"]}, index=design.names)
    return out


# --- storage: one file per point, a manifest, resumable ---------------------------------------


def _point_file(out: Path, i: int) -> Path:
    return out / "points" / f"point-{i:06d}.json"


def _frame(design: Design, rows: list[dict], outcome_ids: list[str]) -> pd.DataFrame:
    records = []
    for i, r in enumerate(rows):
        rec = {"point": i}
        rec.update(dict(zip(design.names, design.X[i])))
        n = r["trials"]
        for oid in outcome_ids:
            k = r["outcomes"][oid]
            lo, hi = wilson_interval(k, n)
            rec[f"share_{oid}"] = k / n
            rec[f"ci_low_{oid}"] = float(lo)
            rec[f"ci_high_{oid}"] = float(hi)
            rec[f"mcse_{oid}"] = float(mcse(k, n))
        rec.update({k: r[k] for k in ("trials", "mean_rounds", "mean_peak_rung", "strike_share")})
        records.append(rec)
    return pd.DataFrame(records)


Progress = Callable[[int, int, float], None]


def sweep(
    scenario: Scenario,
    vary: dict[str, tuple[float, float] | list[float]] | list[Vary],
    *,
    sampler: str = "grid",
    points: int = 5,
    trials: int = 2_000,
    seed: int = 0,
    chunk_size: int = 5_000,
    workers: int | None = 1,
    out: str | Path | None = None,
    scheduler: str | None = None,
    progress: Progress | None = None,
    scenario_text: str | None = None,
) -> SweepResult:
    """Run a design over a scenario; see the module docstring.

    Parameters
    ----------
    vary : dict or list of Vary
        ``{"path": (low, high)}`` or ``{"path": [v1, v2]}``, or parsed ``Vary`` items.
    sampler : {"grid", "lhs", "sobol", "morris"}
    points : int
        grid: levels per parameter; lhs: points; sobol: base samples (a power of two,
        giving N (D + 2) points); morris: trajectories (N (D + 1) points).
    trials, seed, chunk_size : int
        Per point; every point uses the same chunk seeds (common random numbers).
    out : path, optional
        Results directory; an interrupted sweep into it resumes, a different design
        is refused.
    scheduler : str, optional
        ``tcp://host:port`` of a Dask distributed scheduler.
    """
    if isinstance(vary, dict):
        vary = [Vary(p, values=tuple(r)) if isinstance(r, list) else Vary(p, *map(float, r))
                for p, r in vary.items()]
    problems = check_design(scenario, list(vary))
    if problems:
        raise ScenarioError(problems)
    design = make_design(list(vary), sampler, points, seed)
    outcome_ids = list(scenario.outcomes)
    identity = {
        "scenario": scenario.name,
        "scenario_sha256": hashlib.sha256(scenario.model_dump_json().encode()).hexdigest(),
        "trials_per_point": int(trials),
        "root_seed": int(seed),
        "chunk_size": int(chunk_size),
        "design": design.identity(),
    }
    out = Path(out) if out is not None else None
    rows: dict[int, dict] = {}
    if out is not None:
        rows = _prepare_dir(out, identity, design, scenario_text)
    todo = [i for i in range(len(design.X)) if i not in rows]
    t0 = time.perf_counter()
    done_trials = 0

    def record(i: int, row: dict) -> None:
        nonlocal done_trials
        rows[i] = row
        done_trials += row["trials"]
        if out is not None:
            from sim.runs.store import atomic_write_text

            atomic_write_text(_point_file(out, i), json.dumps(row))
        if progress:
            progress(len(rows), len(design.X), done_trials / max(time.perf_counter() - t0, 1e-9))

    args = (scenario, design.names, trials, seed, chunk_size)
    if scheduler:
        _run_dask(scheduler, design, todo, args, record)
    else:
        _run_local(workers, design, todo, args, record)
    frame = _frame(design, [rows[i] for i in range(len(design.X))], outcome_ids)
    result = SweepResult(design, frame, outcome_ids, out)
    if out is not None:
        _finish_dir(out, result)
    return result


def _run_local(workers, design, todo, args, record) -> None:
    scenario, names, trials, seed, chunk_size = args
    workers = (os.cpu_count() or 1) if workers is None else max(1, int(workers))
    if workers == 1 or len(todo) <= 1:
        for i in todo:
            record(i, run_point(scenario, names, list(design.X[i]), trials, seed, chunk_size))
        return
    from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait

    from sim.runs.runner import pool_context

    with ProcessPoolExecutor(max_workers=workers, mp_context=pool_context()) as pool:
        queue = iter(todo)
        pending = {}
        try:
            for i in itertools.islice(queue, 2 * workers):
                pending[pool.submit(run_point, scenario, names, list(design.X[i]), trials,
                                    seed, chunk_size)] = i
            while pending:
                done, _ = wait(pending, return_when=FIRST_COMPLETED)
                for fut in done:
                    record(pending.pop(fut), fut.result())
                    nxt = next(queue, None)
                    if nxt is not None:
                        pending[pool.submit(run_point, scenario, names, list(design.X[nxt]),
                                            trials, seed, chunk_size)] = nxt
        except BaseException:
            for fut in pending:
                fut.cancel()
            raise


def _run_dask(address, design, todo, args, record) -> None:
    from distributed import Client, as_completed

    scenario, names, trials, seed, chunk_size = args
    with Client(address, timeout="30s") as client:
        remote = client.scatter(scenario, broadcast=True)
        futures = {
            client.submit(run_point, remote, names, list(design.X[i]), trials, seed,
                          chunk_size, pure=False, key=f"sweep-point-{i}-{os.getpid()}"): i
            for i in todo
        }
        try:
            for fut in as_completed(futures):
                record(futures[fut], fut.result())
        except BaseException:
            client.cancel(list(futures))
            raise


def _prepare_dir(out: Path, identity: dict, design: Design, scenario_text) -> dict[int, dict]:
    """Create the directory, or check it holds this same design; load finished points."""
    from sim.runs.runner import _versions
    from sim.runs.store import write_json

    manifest_path = out / "manifest.json"
    if out.exists() and any(out.iterdir()):
        if not manifest_path.exists():
            raise SweepError(f"{out} exists and is not a sweep directory; choose another --out")
        old = json.loads(manifest_path.read_text())
        if old.get("identity") != identity:
            raise SweepError(
                f"{out} holds a different sweep (another scenario, design, seed, trial count "
                "or chunk size); choose another --out to run this one"
            )
        rows = {}
        for f in sorted((out / "points").glob("point-*.json")):
            try:
                rows[int(f.stem.split("-")[1])] = json.loads(f.read_text())
            except (ValueError, json.JSONDecodeError):  # cannot happen with atomic writes
                f.unlink()
        for tmp in (out / "points").glob(".*.tmp"):
            tmp.unlink()
        log.info("resuming %s: %d of %d points done", out, len(rows), len(design.X))
        return rows
    (out / "points").mkdir(parents=True, exist_ok=True)
    write_json(manifest_path, {
        "identity": identity,
        "vary": [v.text() for v in design.vary],
        "notes": list(design.notes),
        "X": design.X.tolist(),
        "scenario_text": scenario_text,
        "versions": _versions(),
        "seeding": "every point: chunk k seeded SeedSequence(root_seed, spawn_key=(k,)) "
                   "(common random numbers)",
    })
    return {}


def _finish_dir(out: Path, result: SweepResult) -> None:
    from sim.runs.store import atomic_write_text, write_json

    tmp = out / ".points.parquet.tmp"
    result.frame.to_parquet(tmp, index=False)
    os.replace(tmp, out / "points.parquet")
    if result.design.sampler in ("sobol", "morris"):
        from sim.analysis.plots import save_figure

        si = result.sensitivity()
        write_json(out / "sensitivity.json",
                   {oid: df.reset_index(names="parameter").to_dict(orient="records")
                    for oid, df in si.items()})
        atomic_write_text(out / "sensitivity.txt", sensitivity_table(result))
        save_figure(lambda ax: result.plot(ax=ax), out / "sensitivity.png",
                    size=(8, 1.2 + 0.5 * len(result.design.names) * len(si)))


def sensitivity_table(result: SweepResult) -> str:
    lines = []
    for oid, df in result.sensitivity().items():
        lines.append(f"{oid}:")
        if df.empty:
            lines.append(f"  (too rare or constant across the design: fewer than {RARE_COUNT} "
                         "trials at every point, or the same share everywhere)")
            continue
        lines.append("  " + df.to_string(float_format=lambda x: f"{x:.3f}").replace("\n", "\n  "))
    return "\n".join(lines)
