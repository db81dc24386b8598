"""Parameter sweeps over any numeric scenario field, with common random numbers.

A sweep runs the same number of trials, with the same root seed, at every point of a
design (:mod:`sim.studies.design`). Every point uses the same chunk seeds, so points
differ by their parameters, not by sampling noise (common random numbers). Points are
written one file each, atomically, so a sweep that is interrupted resumes where it
stopped; the same tasks run in this process, on local worker processes or on a Dask
distributed cluster (:mod:`sim.runs.executor`) with identical results.

>>> from sim import load_scenario, sweep
>>> s = sweep(load_scenario("scenarios/iran_2026/baseline.yaml"),
...           vary={"actors.iran.war_cost.high": (0.4, 0.8)}, sampler="grid", points=5,
...           trials=2_000, seed=1)          # doctest: +SKIP
>>> s.frame, s.plot()                        # doctest: +SKIP
"""

from __future__ import annotations

import logging
import os
import time
from collections.abc import Callable
from contextlib import nullcontext
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from sim.runs.chunks import DEFAULT_CHUNK_SIZE, DEFAULT_SEED
from sim.runs.executor import TaskPool, cpu_count
from sim.runs.provenance import scenario_hash, versions
from sim.runs.runner import run
from sim.runs.stats import mcse, wilson_interval
from sim.runs.store import SweepDirectory, atomic_write_text, fault, write_json
from sim.scenario.errors import ScenarioError
from sim.scenario.format import Scenario
from sim.scenario.parameters import with_judgements, with_values
from sim.studies.design import JUDGEMENT, Design, Vary, check_design, make_design
from sim.studies.sensitivity import analyse

__all__ = ["SweepResult", "parse_condition", "point_condition", "run_point", "sweep"]

log = logging.getLogger(__name__)


# --- running points ------------------------------------------------------------------------


def run_point(scenario: Scenario, names: list[str], values: list[float], trials: int,
              seed: int, chunk_size: int) -> dict:
    """Run one design point; returns its counts and metrics (a JSON-ready dict).
    A name ``judgements.NAME`` is that judgement call's shift."""
    plain = {n: v for n, v in zip(names, values) if not n.startswith(JUDGEMENT)}
    shifts = {n[len(JUDGEMENT):]: v for n, v in zip(names, values) if n.startswith(JUDGEMENT)}
    point = with_judgements(with_values(scenario, plain), shifts)
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
        "strike_share": float(tally.peak[cs.ladder.strike_rung:].sum() / tally.n),
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

    def discover(self, condition: str):
        """Scenario discovery on the points: the PRIM box of parameter ranges where
        ``condition`` holds, e.g. ``"regional_war>0.2"`` (an outcome id, or
        ``any_force`` for the share of trials with a strike; ``>``, ``>=``, ``<``,
        ``<=``). Returns a :class:`~sim.analysis.drivers.Box` or None; ValueError for a
        condition it cannot read."""
        from sim.analysis.drivers import prim_box

        target = point_condition(self.frame, self.outcome_ids, condition)
        return prim_box(self.frame, target, columns=self.design.names)

    def plot(self, ax=None):
        """Sensitivity bars for sobol/morris designs; outcome shares along the first
        parameter otherwise."""
        from sim.analysis.plots import plot_sensitivity, plot_sweep

        if self.design.sampler in ("sobol", "morris"):
            return plot_sensitivity(self.sensitivity(), self.design.sampler, ax=ax)
        return plot_sweep(self.frame, self.design.names, self.outcome_ids, ax=ax)


def parse_condition(condition: str, outcome_ids: list[str]) -> tuple[str, str, float]:
    """``"regional_war>0.2"`` -> (name, operator, value); ValueError with what is valid."""
    import re

    m = re.fullmatch(r"\s*([a-z][a-z0-9_]*)\s*(>=|<=|>|<)\s*([0-9]*\.?[0-9]+)\s*", condition)
    valid = ", ".join([*outcome_ids, "any_force"])
    if m is None:
        raise ValueError(f"--discover {condition!r}: expected OUTCOME>SHARE, e.g. "
                         f"'{outcome_ids[0]}>0.2' (outcomes: {valid})")
    name, op, value = m.groups()
    if name not in outcome_ids and name != "any_force":
        raise ValueError(f"--discover {condition!r}: '{name}' is not an outcome; valid: {valid}")
    return name, op, float(value)


def point_condition(frame: pd.DataFrame, outcome_ids: list[str], condition: str) -> np.ndarray:
    """Which points satisfy ``condition`` (``ID>X``, ``ID>=X``, ``ID<X``, ``ID<=X``)."""
    import operator

    name, op, value = parse_condition(condition, outcome_ids)
    column = frame["strike_share"] if name == "any_force" else frame[f"share_{name}"]
    ops = {">": operator.gt, ">=": operator.ge, "<": operator.lt, "<=": operator.le}
    return ops[op](column.to_numpy(), value)


# --- storage: one file per point, a manifest, resumable ---------------------------------------


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
    seed: int = DEFAULT_SEED,
    chunk_size: int = DEFAULT_CHUNK_SIZE,
    workers: int | None = 1,
    out: str | Path | None = None,
    scheduler: str | None = None,
    progress: Progress | None = None,
    scenario_text: str | None = None,
    scheduler_timeout: float = 10.0,
    force_workers: bool = False,
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
        ``tcp://host:port`` of a Dask distributed scheduler (problems reaching or using
        it raise :class:`~sim.runs.executor.ClusterError`).
    scheduler_timeout : float
        Seconds to wait for the scheduler to answer and for a first worker.
    force_workers : bool
        Use more local worker processes than there are cores.
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
        "scenario_sha256": scenario_hash(scenario),
        "trials_per_point": int(trials),
        "root_seed": int(seed),
        "chunk_size": int(chunk_size),
        "design": design.identity(),
    }
    manifest = {
        "vary": [v.text() for v in design.vary],
        "notes": list(design.notes),
        "X": design.X.tolist(),
        "scenario_text": scenario_text,
        "versions": versions(),
        "seeding": "every point: chunk k seeded SeedSequence(root_seed, spawn_key=(k,)) "
                   "(common random numbers)",
    }
    store = SweepDirectory(out, identity, manifest) if out is not None else nullcontext()
    with store:
        rows = store.finished() if out is not None else {}
        if rows:
            log.info("resuming %s: %d of %d points done", out, len(rows), len(design.X))
        todo = [i for i in range(len(design.X)) if i not in rows]
        t0 = time.perf_counter()
        done_trials = 0
        workers = cpu_count() if workers is None else max(1, int(workers))
        tasks = ((i, (scenario, design.names, list(design.X[i]), trials, seed, chunk_size))
                 for i in todo)
        with TaskPool(workers, scheduler, tasks=len(todo), timeout=scheduler_timeout,
                      force=force_workers) as pool:
            for i, row in pool.unordered(run_point, tasks):
                rows[i] = row
                done_trials += row["trials"]
                if out is not None:
                    store.write_point(i, row)
                if progress:
                    rate = done_trials / max(time.perf_counter() - t0, 1e-9)
                    progress(len(rows), len(design.X), rate)
        frame = _frame(design, [rows[i] for i in range(len(design.X))], outcome_ids)
        result = SweepResult(design, frame, outcome_ids, Path(out) if out else None)
        if out is not None:
            _finish_dir(store.final, result)
    return result


def _finish_dir(out: Path, result: SweepResult) -> None:
    from sim.studies.sensitivity import sensitivity_table

    tmp = out / ".points.parquet.tmp"
    result.frame.to_parquet(tmp, index=False)
    os.replace(tmp, out / "points.parquet")
    fault("sweep-finish")
    if result.design.sampler in ("sobol", "morris"):
        from sim.analysis.plots import save_figure

        si = result.sensitivity()
        write_json(out / "sensitivity.json",
                   {oid: df.reset_index(names="parameter").to_dict(orient="records")
                    for oid, df in si.items()})
        atomic_write_text(out / "sensitivity.txt", sensitivity_table(si))
        save_figure(lambda ax: result.plot(ax=ax), out / "sensitivity.png",
                    size=(8, 1.2 + 0.5 * len(result.design.names) * len(si)))


