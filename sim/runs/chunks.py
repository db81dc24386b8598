"""One chunk of trials: seed it, run it, turn it into per-trial and per-round tables.

Chunk k of a run with root seed s gets ``SeedSequence(s, spawn_key=(k,))``. The chunk
size is part of a run's identity: a trial's numbers depend on the seed, the chunk size,
its index and, in a final partial chunk, the run's trial count (the chunk's length), and
never on how many workers ran the chunks.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from sim.engine.codes import WarCause
from sim.engine.compiled import TYPES, CompiledScenario
from sim.engine.model import CrisisModel
from sim.engine.script import Script

__all__ = [
    "DEFAULT_CHUNK_SIZE",
    "ChunkOutput",
    "chunk_seed",
    "chunk_sizes",
    "run_chunk",
    "trial_table",
]

#: Trials per Mesa model unless a run says otherwise; part of a run's identity.
DEFAULT_CHUNK_SIZE = 5_000
#: The root seed when none is given: the one the README, notebooks and app use, so a
#: bare command reproduces the numbers they quote.
DEFAULT_SEED = 7
#: How war came, by code: "chosen", "red_line", "breakdown", "deadline", "incident".
WAR_CAUSES = tuple(c.name.lower() for c in WarCause)


def chunk_seed(root_seed: int, k: int) -> np.random.SeedSequence:
    """The seed of chunk ``k``: ``SeedSequence(root_seed, spawn_key=(k,))``."""
    return np.random.SeedSequence(int(root_seed), spawn_key=(int(k),))


def chunk_sizes(trials: int, chunk_size: int) -> list[int]:
    """Trials in each chunk: full chunks, then the rest."""
    full, rest = divmod(int(trials), int(chunk_size))
    return [chunk_size] * full + ([rest] if rest else [])


@dataclass
class ChunkOutput:
    """A finished chunk: its per-trial table and per-round counts."""

    k: int
    trials: pd.DataFrame
    rounds: pd.DataFrame  # counts per round (not shares), horizon rows


def run_chunk(cs: CompiledScenario, k: int, n: int, root_seed: int, chunk_size: int,
              collect: bool = True, script: Script | None = None) -> ChunkOutput:
    """Run chunk ``k`` (``n`` trials, the first trial numbered ``k * chunk_size``),
    with forced choices if a script is given."""
    model = CrisisModel(cs, n, rng=chunk_seed(root_seed, k), collect=collect, script=script)
    model.run_model()
    trials = trial_table(model, first_trial=k * chunk_size)
    rounds = _round_counts(model) if collect else pd.DataFrame()
    model.release()
    return ChunkOutput(k=k, trials=trials, rounds=rounds)


def _round_counts(model: CrisisModel) -> pd.DataFrame:
    df = model.datacollector.get_model_vars_dataframe().reset_index(drop=True)
    df = df.drop_duplicates("round", keep="last").set_index("round")
    # Trials that all ended early stay in their final state to the horizon.
    df = df.reindex(range(model.cs.protocol.horizon + 1)).ffill().astype("int64")
    # Each stock's histogram over the running trials, a column per bin (fan_<stock>_<bin>).
    fan = {f"fan_{sid}_{b}": model.fan[:, s, b] for s, sid in enumerate(model.cs.stocks.ids)
           for b in range(model.fan.shape[2])}
    return pd.concat([df, pd.DataFrame(fan, index=df.index)], axis=1) if fan else df


def trial_table(model: CrisisModel, first_trial: int = 0) -> pd.DataFrame:
    """One row per trial: outcome, metrics, final package and the drawn types."""
    cs, state, draws = model.cs, model.state, model.draws
    n = model.n_trials
    actors = cs.actors
    cols: dict[str, object] = {
        "trial": np.arange(first_trial, first_trial + n, dtype=np.int64),
        "outcome": np.array(cs.outcome_ids, dtype=object)[model.outcomes()],
        "ended_by": np.array(cs.endings, dtype=object)[state.ended_by],
        "rounds": state.rounds,
        "peak_rung": state.peak,
        "final_rung": state.rung,
        "first_escalator": np.array([*actors.ids, ""], dtype=object)[state.first_escalator],
        "war_cause": np.array([*WAR_CAUSES, ""], dtype=object)[state.war_cause],
        "war_by": np.array([*actors.ids, ""], dtype=object)[state.war_by],
        "force_round": state.force_round,
        "offers": state.offers,
    }
    space = cs.packages
    for prefix, package in (("deal", state.deal), ("last_offer", state.last_offer)):
        has = package >= 0
        for k, iid in enumerate(space.issue_ids):
            labels = np.array([*space.level_labels[k], ""], dtype=object)
            level = np.where(has, space.grid[np.maximum(package, 0), k], len(labels) - 1)
            cols[f"{prefix}_{iid}"] = labels[level]
    for k, rl in enumerate(cs.red_lines):
        cols[f"crossed_{rl.id}"] = state.crossed[:, k]
        cols[f"enforced_{rl.id}"] = state.enforced[:, k]
        if rl.repeat:
            cols[f"fired_{rl.id}"] = state.fired[:, k]
    for i, aid in enumerate(actors.ids):
        cols[f"audience_cost_paid_{aid}"] = state.audience_paid[:, i]
    if cs.protocol.standoff or cs.protocol.compellence:
        for i in cs.protocol.parties:
            cols[f"backed_down_{actors.ids[i]}"] = state.backed_down[:, i]
    for t in TYPES:
        for i, aid in enumerate(actors.ids):
            cols[f"{aid}_{t}"] = draws.types[t][:, i]
    for s, sid in enumerate(cs.stocks.ids):
        cols[f"{sid}_initial"] = draws.stock_initial[:, s]
        cols[f"{sid}_growth"] = draws.stock_growth[:, s]
        cols[f"{sid}_final"] = state.stocks[:, s]
    for r, dist in enumerate(cs.ladder.breakdown_drawn):
        if dist.support()[0] != dist.support()[1]:
            cols[f"breakdown_risk_{r}"] = draws.breakdown[:, r]
    for k, rl in enumerate(cs.red_lines):
        cols[f"{rl.id}_credibility"] = draws.credibility[:, k]
        cols[f"{rl.id}_binding"] = draws.binding[:, k]
    return pd.DataFrame(cols)
