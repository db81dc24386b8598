"""What the choices of a round are worth in each trial's current state.

The agents ask a :class:`Valuation` for war values at the current stocks, the terms
on which this round's packages are valued, the public part of a responder's
reservation value, and what a rejected round is worth. Continuation values come
from the planning values (:mod:`sim.engine.planning`, or :mod:`sim.engine.standoff` in a
standoff), computed once per chunk.
"""

from __future__ import annotations

import numpy as np

from sim.engine.compiled import CompiledScenario, Effect
from sim.engine.draws import TrialDraws
from sim.engine.payoffs import (
    Terms,
    apply_effects,
    bargaining_terms,
    capabilities,
    war_value_public,
)
from sim.engine.planning import plan_values
from sim.engine.standoff import standoff_plan
from sim.engine.state import CrisisState

__all__ = ["Valuation"]


class Valuation:
    """Values in the current state of a chunk's trials.

    Parameters
    ----------
    cs : CompiledScenario
    draws : TrialDraws
    state : CrisisState
        Read, never written.
    lines : list of PackageLines
        Each actor's package red lines (audience costs and vetoes), for planning.
    """

    def __init__(self, cs: CompiledScenario, draws: TrialDraws, state: CrisisState, lines):
        self.cs, self.draws, self.state = cs, draws, state
        n, A = draws.types["war_cost"].shape
        #: What an outside observer expects each actor's war cost to be (A,).
        self.mean_war_cost = cs.actors.prior_mean("war_cost")
        # Planning values are common knowledge: private types at their prior means.
        common = dict(
            base_capability=draws.types["capability"],
            stock_initial=draws.stock_initial,
            stock_growth=draws.stock_growth,
            war_cost=np.broadcast_to(self.mean_war_cost, (n, A)),
            resolve=np.broadcast_to(cs.actors.prior_mean("resolve"), (n, A)),
            discount=draws.types["discount"],
            rung=cs.ladder.start,
        )
        if cs.protocol.standoff:
            self.plan = standoff_plan(cs, audience=draws.types["audience_cost"], **common)
        else:
            self.plan = plan_values(cs, lines=lines, **common)
        self._war = (-1, None)  # (stock version, war values for the whole chunk)
        self._terms = (-1, None)  # (round, terms for the whole chunk)

    def war_public(self, rows: np.ndarray, effects: tuple[Effect, ...] = ()) -> np.ndarray:
        """War payoffs before costs (n, A) at the current stocks (after ``effects``)."""
        cs, state = self.cs, self.state
        if not effects:
            if self._war[0] != state.stock_version:  # cached until the stocks change
                cap = capabilities(cs, self.draws.types["capability"], state.stocks)
                self._war = (state.stock_version, war_value_public(cs, cap))
            return self._war[1][rows]
        stocks = apply_effects(cs, state.stocks[rows], effects)
        cap = capabilities(cs, self.draws.types["capability"][rows], stocks)
        return war_value_public(cs, cap)

    def terms(self, t: int) -> Terms:
        """:class:`~sim.engine.payoffs.Terms` (N, A) for the whole chunk in round ``t``
        (computed once a round); index them by rows."""
        if self._terms[0] != t:
            self._terms = (t, bargaining_terms(self.cs, self.draws.types["discount"],
                                               self.plan[t + 1]))
        return self._terms[1]

    def reservation_centre(self, rows: np.ndarray, j: int, t: int) -> np.ndarray:
        """Public part of j's reservation value, on the scale of ``scale * u(x)``:
        q W_pub + (1 - q) cont - carry (the private part is resolve - q war_cost)."""
        q = self.cs.ladder.breakdown[self.state.rung[rows]]
        w = self.war_public(rows)[:, j]
        terms = self.terms(t)
        return q * w + (1 - q) * terms.cont[rows, j] - terms.carry[rows, j]

    def rejection_value(self, rows: np.ndarray, t: int) -> np.ndarray:
        """Value of a rejected round for every actor (n, A), with true war costs."""
        cs = self.cs
        q = cs.ladder.breakdown[self.state.rung[rows]][:, None]
        w = self.war_public(rows) - self.draws.types["war_cost"][rows] * (cs.actors.side >= 0)
        return q * w + (1 - q) * self.terms(t).cont[rows]
