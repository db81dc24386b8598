"""Everything a chunk of trials draws before its first round.

Reproducibility depends on the order of the draws: trial i's numbers are the i-th
entries of each array below, drawn from the chunk's generator in exactly this order.
Changing the order (or adding a draw in the middle) changes every later number; add
new draws at the end of :func:`draw_trials`.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sim.engine.compiled import TYPES, CompiledScenario

__all__ = ["TrialDraws", "draw_trials"]


@dataclass
class TrialDraws:
    """The drawn types of a chunk, one row per trial."""

    types: dict[str, np.ndarray]  # type name -> (n, A); see compiled.TYPES
    stock_initial: np.ndarray  # (n, S)
    stock_growth: np.ndarray  # (n, S) per round
    credibility: np.ndarray  # (n, L) each red line's drawn credibility
    binding: np.ndarray  # (n, L) whether each red line binds in the trial
    move_costs: tuple[np.ndarray, ...]  # per actor: (n, its moves)


def draw_trials(cs: CompiledScenario, rng: np.random.Generator, n: int) -> TrialDraws:
    """Draw a chunk's types, in this order:

    1. each type of :data:`~sim.engine.compiled.TYPES` (war cost, resolve, capability,
       audience cost, discount), for each actor in file order;
    2. each stock's initial level, then 3. each stock's growth per round;
    4. each red line's credibility, then 5. one uniform number per trial and red line
       (the line binds if it falls below the credibility);
    6. each actor's move costs, move by move.

    Capabilities are kept above zero, discounts and credibilities in [0, 1] and
    initial stocks within their range.
    """
    types = {t: np.stack([d.draw(rng, n) for d in cs.actors.types[t]], axis=1) for t in TYPES}
    types["capability"] = np.maximum(types["capability"], 1e-9)
    types["discount"] = np.clip(types["discount"], 0.0, 1.0)
    st = cs.stocks
    if len(st):
        initial = np.stack([d.draw(rng, n) for d in st.initial], axis=1)
        growth = np.stack([d.draw(rng, n) for d in st.growth], axis=1)
    else:
        initial = growth = np.zeros((n, 0))
    initial = np.clip(initial, st.low, st.high)
    if cs.red_lines:
        credibility = np.stack([rl.credibility.draw(rng, n) for rl in cs.red_lines], axis=1)
    else:
        credibility = np.zeros((n, 0))
    credibility = np.clip(credibility, 0.0, 1.0)
    binding = rng.random((n, len(cs.red_lines))) < credibility
    move_costs = tuple(
        np.stack([mv.cost.draw(rng, n) for mv in moves], axis=1) if moves else np.zeros((n, 0))
        for moves in cs.actors.moves
    )
    return TrialDraws(types, initial, growth, credibility, binding, move_costs)
