"""Run a scenario as Monte Carlo trials: chunks over a process pool, streamed results.

>>> from sim import load_scenario, run
>>> result = run(load_scenario("scenarios/iran_2026/baseline.yaml"), trials=20_000, seed=7)
>>> result.summary()            # doctest: +SKIP

Chunks run in order of their index and their results are consumed in that order, so
the per-trial table, the tally and every figure are identical for 1 worker or many.
"""

from __future__ import annotations

import logging
import shutil
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from sim.engine.compile import CompiledScenario, compile_scenario
from sim.engine.script import Script
from sim.runs.chunks import DEFAULT_CHUNK_SIZE, DEFAULT_SEED, chunk_sizes, run_chunk
from sim.runs.executor import TaskPool, cpu_count
from sim.runs.limits import LimitError, check_chunk, check_kept
from sim.runs.provenance import scenario_hash, versions
from sim.runs.store import FORMAT, RunDirectory, TrialWriter, write_json
from sim.runs.summary import Summary, Tally, summarise
from sim.scenario.format import Scenario

__all__ = ["DEFAULT_CHUNK_SIZE", "RunResult", "run"]

log = logging.getLogger(__name__)

Progress = Callable[[int, int], None]


@dataclass
class RunResult:
    """What a run produced: the summary, per-trial and per-round tables, the manifest."""

    cs: CompiledScenario
    tally: Tally
    seed: int
    chunk_size: int
    manifest: dict
    _trials: pd.DataFrame | None = None
    out: Path | None = None
    _summary: Summary | None = field(default=None, repr=False)

    def summary(self) -> Summary:
        """Outcome shares with 95% Wilson intervals, MCSE, rounds, rungs, red lines."""
        if self._summary is None:
            self._summary = summarise(self.tally, seed=self.seed, chunk_size=self.chunk_size)
        return self._summary

    @property
    def trials(self) -> pd.DataFrame:
        """One row per trial (read from ``trials.parquet`` when the run streamed it)."""
        if self._trials is None and self.out is not None:
            self._trials = pd.read_parquet(self.out / "trials.parquet")
        return self._trials

    @property
    def rounds(self) -> pd.DataFrame:
        """Per-round shares: running, settled, at war, and on each rung."""
        counts = self.tally.per_round
        if counts is None:
            return pd.DataFrame()
        return (counts / self.tally.n).reset_index()

    def _repr_html_(self) -> str:
        """In a notebook, a run shows its outcome table."""
        return self.summary()._repr_html_()

    def report(self, path, **options):
        """Write the self-contained HTML report of this run to ``path``; see
        :func:`sim.analysis.report.build_report` for ``options``."""
        from sim.analysis.report import inputs_from_result, write_report

        return write_report(inputs_from_result(self), path, **options)

    def plot_outcomes(self, ax=None):
        """Bars of outcome shares with 95% intervals (matplotlib Axes)."""
        from sim.analysis.plots import plot_outcomes

        return plot_outcomes(self.summary(), ax=ax)


def run(
    scenario: Scenario | CompiledScenario,
    trials: int = 10_000,
    seed: int = DEFAULT_SEED,
    *,
    chunk_size: int = DEFAULT_CHUNK_SIZE,
    workers: int | None = 1,
    out: str | Path | None = None,
    overwrite: bool = False,
    keep_trials: bool | None = None,
    progress: Progress | None = None,
    scenario_text: str | None = None,
    collect_rounds: bool = True,
    script: dict | Script | None = None,
    force_workers: bool = False,
    command: str | None = None,
) -> RunResult:
    """Run ``trials`` Monte Carlo trials of a scenario with root seed ``seed``.

    Parameters
    ----------
    scenario : Scenario or CompiledScenario
    trials, seed : int
        Trial count and root seed. Trial i is in chunk ``i // chunk_size``, which is
        seeded ``SeedSequence(seed, spawn_key=(k,))``.
    chunk_size : int
        Trials per Mesa model; part of the run's identity (recorded in the manifest).
    workers : int or None
        Processes; ``None`` means all cores. Results do not depend on it. More than
        the cores available are used only with ``force_workers``.
    out : path, optional
        Write a results directory (atomically; refused if it exists unless
        ``overwrite``). Per-trial rows stream to ``trials.parquet``.
    keep_trials : bool, optional
        Keep the per-trial table in memory (default: only when ``out`` is not given).
    progress : callable(done, total), optional
        Called after each chunk.
    collect_rounds : bool
        Record per-round aggregates (``rounds``).
    script : dict or Script, optional
        Forced proposals, responses or ladder moves by actor and round, the same in
        every trial (counterfactuals such as "Israel never strikes"); see
        :mod:`sim.engine.script`. Recorded in the manifest.
    command : str, optional
        The command line that asked for the run, for the manifest (default: this
        process's arguments when ``out`` is given).

    Raises
    ------
    LimitError
        When chunks, or a per-trial table kept in memory, would need more memory than
        the stated limits (:mod:`sim.runs.limits`); also when the results would not fit
        on the target's disk (checked after the first chunk).
    StoreError
        When ``out`` cannot be written (it exists, another process writes it, ...).
    """
    if trials < 1:
        raise ValueError("trials must be at least 1")
    if chunk_size < 1:
        raise ValueError("chunk_size must be at least 1")
    workers = cpu_count() if workers is None else max(1, int(workers))
    if isinstance(scenario, Scenario):
        model, cs = scenario, compile_scenario(scenario)
    else:
        model, cs = None, scenario
    keep = keep_trials if keep_trials is not None else out is None
    check_chunk(cs, chunk_size, trials)
    if keep:
        check_kept(cs, trials, columns=_columns(cs))
    plan = script if isinstance(script, Script) or script is None else \
        Script.from_dict(cs, script)
    sizes = chunk_sizes(trials, chunk_size)
    manifest = {
        "format": FORMAT,
        "kind": "run",
        "scenario": cs.name,
        "title": cs.title,
        "scenario_sha256": scenario_hash(model) if model is not None else None,
        "scenario_text": scenario_text,
        "scenario_resolved": model.model_dump(mode="json") if model is not None else None,
        "root_seed": int(seed),
        "chunk_size": int(chunk_size),
        "chunks": len(sizes),
        "trials": int(trials),
        "seeding": "chunk k: numpy SeedSequence(root_seed, spawn_key=(k,)) -> mesa.Model(rng=); "
                   "each use of randomness draws from a named child stream of it",
        "script": script if isinstance(script, dict) else None,
        "versions": versions(),
        "command": command or (" ".join([Path(sys.argv[0]).name, *sys.argv[1:]])
                               if out is not None else None),
        "started": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
    }
    staged = RunDirectory(out, overwrite=overwrite) if out is not None else None
    writer = TrialWriter(staged.path / "trials.parquet") if staged else None
    tally = Tally(cs)
    kept: list[pd.DataFrame] = []
    done = 0
    t0 = time.perf_counter()
    try:
        tasks = ((cs, k, n, seed, chunk_size, collect_rounds, plan)
                 for k, n in enumerate(sizes))
        with TaskPool(workers, tasks=len(sizes), force=force_workers) as pool:
            for chunk in pool.ordered(run_chunk, tasks):
                tally.add(chunk.trials, chunk.rounds)
                if writer:
                    writer.write(chunk.trials)
                if keep:
                    kept.append(chunk.trials)
                if done == 0 and len(sizes) > 1:
                    _foresee(trials, len(chunk.trials), time.perf_counter() - t0,
                             writer, staged)
                done += len(chunk.trials)
                if progress:
                    progress(done, trials)
        elapsed = time.perf_counter() - t0
        manifest["elapsed_seconds"] = round(elapsed, 3)
        manifest["workers"] = workers
        result = RunResult(
            cs=cs,
            tally=tally,
            seed=int(seed),
            chunk_size=int(chunk_size),
            manifest=manifest,
            _trials=pd.concat(kept, ignore_index=True) if keep else None,
        )
        log.info("ran %d trials in %.2f s (%.0f trials/s)", trials, elapsed, trials / elapsed)
        if staged:
            writer.close()
            _write_results(result, staged.path)
            result.out = staged.commit()
        return result
    except BaseException:
        if writer:
            writer.close()
        if staged:
            staged.abandon()
        raise


def _columns(cs: CompiledScenario) -> int:
    """Columns of the per-trial table (see :func:`sim.runs.chunks.trial_table`)."""
    return (10 + 2 * len(cs.packages.issue_ids) + 4 * len(cs.red_lines)
            + 6 * cs.n_actors + 3 * len(cs.stocks))


#: Runs expected to take longer or write more than this say so before going on.
LONG_SECONDS, LARGE_BYTES = 300, 2 * 2**30


def _foresee(trials: int, first: int, seconds: float, writer, staged) -> None:
    """After the first chunk: say how long the run will take and how much it will write
    if that is a lot, and stop it (cleanly) if the results cannot fit on the disk."""
    rate = first / max(seconds, 1e-9)
    left = (trials - first) / rate
    disk = 0
    if writer is not None:
        disk = int(writer.bytes_written() / first * trials)
        free = shutil.disk_usage(staged.path).free
        if disk > 0.9 * free:
            raise LimitError(f"the results would take about {disk / 2**30:.1f} GB and only "
                             f"{free / 2**30:.1f} GB is free where they go; free some space, "
                             "write elsewhere (--out) or run fewer trials")
    if left > LONG_SECONDS or disk > LARGE_BYTES:
        note = f", writing about {disk / 2**30:.1f} GB" if disk else ""
        log.warning("this run will take about %s more at the first chunk's pace%s; "
                    "Ctrl-C stops it cleanly", _duration(left), note)


def _duration(seconds: float) -> str:
    if seconds < 120:
        return f"{seconds:.0f} s"
    if seconds < 7200:
        return f"{seconds / 60:.0f} min"
    return f"{seconds / 3600:.1f} h"


def _write_results(result: RunResult, path: Path) -> None:
    from sim.analysis.plots import save_outcomes_png

    summary = result.summary()
    rounds = result.rounds
    if len(rounds):
        rounds.to_parquet(path / "rounds.parquet", index=False)
    write_json(path / "summary.json", dict(summary))
    write_json(path / "manifest.json", result.manifest)
    save_outcomes_png(summary, path / "outcomes.png")
