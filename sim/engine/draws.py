"""Everything a chunk of trials draws before its first round.

Each draw has a stream of its own (:mod:`sim.engine.streams`): the war cost of actor
2 comes from the stream named (type war_cost, actor 2) whatever else the scenario
draws, so adding a red line or changing another actor's distribution leaves it as
it was. Trial i's numbers are the i-th entries of each array below.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sim.engine.compiled import TYPES, CompiledScenario
from sim.engine.streams import Purpose, Streams

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
    breakdown: np.ndarray  # (n, R) each rung's breakdown risk in the trial


def draw_trials(cs: CompiledScenario, streams: Streams) -> TrialDraws:
    """Draw a chunk's types, each from its named stream.

    The draws:

    - each type of :data:`~sim.engine.compiled.TYPES` (war cost, resolve, capability,
      audience cost, discount) of each actor;
    - each stock's initial level and growth per round;
    - each red line's credibility, and one uniform number per trial deciding whether
      it binds (it does if the number falls below the credibility);
    - each move's cost;
    - each rung's breakdown risk.

    Capabilities are kept above zero, discounts, credibilities and breakdown risks in
    [0, 1] and initial stocks within their range.
    """
    n = streams.n

    def column(dists, purpose: Purpose, *keys) -> list[np.ndarray]:
        return [d.draw(streams.generator(purpose, *keys, k), n) for k, d in enumerate(dists)]

    def stacked(columns: list[np.ndarray]) -> np.ndarray:
        return np.stack(columns, axis=1) if columns else np.zeros((n, 0))

    types = {t: stacked(column(cs.actors.types[t], Purpose.TYPE, c)) for c, t in enumerate(TYPES)}
    types["capability"] = np.maximum(types["capability"], 1e-9)
    types["discount"] = np.clip(types["discount"], 0.0, 1.0)
    st = cs.stocks
    initial = np.clip(stacked(column(st.initial, Purpose.STOCK_INITIAL)), st.low, st.high)
    growth = stacked(column(st.growth, Purpose.STOCK_GROWTH))
    lines = [rl.credibility for rl in cs.red_lines]
    credibility = np.clip(stacked(column(lines, Purpose.CREDIBILITY)), 0.0, 1.0)
    binding = stacked([streams.uniform(Purpose.BINDING, k) for k in range(len(lines))]) \
        < credibility
    move_costs = tuple(stacked(column([mv.cost for mv in moves], Purpose.MOVE_COST, i))
                       for i, moves in enumerate(cs.actors.moves))
    breakdown = np.clip(stacked(column(cs.ladder.breakdown_drawn, Purpose.BREAKDOWN_RISK)),
                        0.0, 1.0)
    return TrialDraws(types, initial, growth, credibility, binding, move_costs, breakdown)
