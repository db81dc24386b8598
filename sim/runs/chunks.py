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

from sim.engine.compile import PRIVATE_TYPES, PUBLIC_TYPES, CompiledScenario
from sim.engine.model import CrisisModel

__all__ = ["ChunkOutput", "chunk_seed", "chunk_sizes", "run_chunk", "trial_table"]


def chunk_seed(root_seed: int, k: int) -> np.random.SeedSequence:
    return np.random.SeedSequence(int(root_seed), spawn_key=(int(k),))


def chunk_sizes(trials: int, chunk_size: int) -> list[int]:
    full, rest = divmod(int(trials), int(chunk_size))
    return [chunk_size] * full + ([rest] if rest else [])


@dataclass
class ChunkOutput:
    k: int
    trials: pd.DataFrame
    rounds: pd.DataFrame  # counts per round (not shares), horizon rows


def run_chunk(cs: CompiledScenario, k: int, n: int, root_seed: int, chunk_size: int,
              collect: bool = True) -> ChunkOutput:
    """Run chunk ``k`` (``n`` trials, the first trial numbered ``k * chunk_size``)."""
    model = CrisisModel(cs, n, rng=chunk_seed(root_seed, k), collect=collect)
    model.run()
    trials = trial_table(model, first_trial=k * chunk_size)
    rounds = _round_counts(model) if collect else pd.DataFrame()
    model.release()
    return ChunkOutput(k=k, trials=trials, rounds=rounds)


def _round_counts(model: CrisisModel) -> pd.DataFrame:
    df = model.datacollector.get_model_vars_dataframe().reset_index(drop=True)
    df = df.drop_duplicates("round", keep="last").set_index("round")
    # Trials that all ended early stay in their final state to the horizon.
    return df.reindex(range(model.cs.horizon + 1)).ffill().astype("int64")


def trial_table(model: CrisisModel, first_trial: int = 0) -> pd.DataFrame:
    """One row per trial: outcome, metrics, final package and the drawn types."""
    cs = model.cs
    n = model.n_trials
    outcome = model.outcomes()
    cols: dict[str, object] = {
        "trial": np.arange(first_trial, first_trial + n, dtype=np.int64),
        "outcome": np.array(cs.outcome_ids, dtype=object)[outcome],
        "ended_by": np.array(cs.endings, dtype=object)[model.ended_by],
        "rounds": model.rounds,
        "peak_rung": model.peak,
        "final_rung": model.rung,
        "first_escalator": np.array([*cs.actor_ids, ""], dtype=object)[model.first_escalator],
        "offers": model.offers,
    }
    for prefix, package in (("deal", model.deal), ("last_offer", model.last_offer)):
        has = package >= 0
        for k, iid in enumerate(cs.issue_ids):
            labels = np.array([*cs.level_labels[k], ""], dtype=object)
            level = np.where(has, cs.packages[np.maximum(package, 0), k], len(labels) - 1)
            cols[f"{prefix}_{iid}"] = labels[level]
    for k, rl in enumerate(cs.red_lines):
        cols[f"crossed_{rl.id}"] = model.crossed[:, k]
        cols[f"enforced_{rl.id}"] = model.enforced[:, k]
    for i, aid in enumerate(cs.actor_ids):
        cols[f"audience_cost_paid_{aid}"] = model.audience_paid[:, i]
    for t in PRIVATE_TYPES + PUBLIC_TYPES:
        for i, aid in enumerate(cs.actor_ids):
            cols[f"{aid}_{t}"] = model.types[t][:, i]
    for s, sid in enumerate(cs.stock_ids):
        cols[f"{sid}_initial"] = model.stock_initial[:, s]
        cols[f"{sid}_growth"] = model.stock_growth[:, s]
        cols[f"{sid}_final"] = model.stocks[:, s]
    for k, rl in enumerate(cs.red_lines):
        cols[f"{rl.id}_credibility"] = model.credibility[:, k]
        cols[f"{rl.id}_binding"] = model.binding[:, k]
    return pd.DataFrame(cols)
