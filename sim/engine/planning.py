"""The actors' planning values: backward induction over the planning horizon.

References
----------
Binmore, K., Rubinstein, A., and Wolinsky, A. (1986). The Nash bargaining solution in
economic modelling. *RAND Journal of Economics* 17(2), 176-188.
Rubinstein, A. (1982). Perfect equilibrium in a bargaining model. *Econometrica* 50(1).
"""

from __future__ import annotations

import numpy as np

from sim.engine.codes import MEDIATOR
from sim.engine.compiled import CompiledScenario
from sim.engine.kernels import plan_round
from sim.engine.payoffs import TIE, bargaining_terms, capabilities, stock_path, war_value

__all__ = ["after_horizon", "plan_values"]


def after_horizon(cs: CompiledScenario, base_capability: np.ndarray, stocks: np.ndarray,
                  war_cost: np.ndarray) -> np.ndarray:
    """V(T + 1) (N, A): the status quo, or war if the horizon is a deadline enforced by
    war (at the stocks of the last round)."""
    if cs.protocol.on_horizon == "war":
        return war_value(cs, capabilities(cs, base_capability, stocks), war_cost)
    return np.broadcast_to(cs.actors.utility[:, cs.packages.status_quo][None, :],
                           war_cost.shape)


def plan_values(
    cs: CompiledScenario,
    *,
    base_capability: np.ndarray,
    stock_initial: np.ndarray,
    stock_growth: np.ndarray,
    war_cost: np.ndarray,
    resolve: np.ndarray,
    discount: np.ndarray,
    lines: list,
    rung: int,
) -> np.ndarray:
    """Backward induction from the planning horizon T: V (T + 2, N, A), V[t] = value of
    entering round t; V[T + 1] is the status quo (or war, if the horizon is a deadline
    enforced by war).

    Complete information along the projected stock path with the rung held fixed:
    the round's proposer offers the package it likes best among those every other
    party accepts (``u_j - audience cost >= D_j + resolve_j``, no binding veto), if it
    prefers that to the value of a rejected round ``D = q W + (1 - q) delta V[t+1]``.
    A mediator offers the acceptable package with the largest Nash product of gains.

    ``lines[i]`` (:class:`sim.engine.red_lines.PackageLines`) gives actor i's audience
    cost for accepting a package that crosses its non-binding public red lines, and
    the packages its binding red lines forbid.
    """
    proto = cs.protocol
    T = proto.planning_horizon
    N, A = war_cost.shape
    U = cs.actors.utility  # (A, P)
    q = cs.ladder.breakdown[rung]
    stocks = stock_path(cs, stock_initial, stock_growth, T)
    V = np.empty((T + 2, N, A))
    V[T + 1] = after_horizon(cs, base_capability, stocks[T], war_cost)
    rows = np.arange(N)
    parties = [int(j) for j in proto.parties]
    u_parties = U[parties]
    cache = {}

    def candidates(proposer: int):
        """Packages the proposer considers, the parties' audience costs and allowed
        packages (dense, for the compiled loop), and a party proposer's objective."""
        if proposer not in cache:
            mediated = proposer == MEDIATOR
            c = cs.packages.mediator_candidates if mediated else np.arange(U.shape[1])
            cost = np.zeros((len(parties), N, len(c)))
            allowed = np.empty((len(parties), N, len(c)), dtype=bool)
            for k, j in enumerate(parties):
                cost[k] += lines[j].cost(rows, c)
                allowed[k] = ~lines[j].veto(rows, c)
            if mediated:
                score = np.zeros((1, 1))
            else:
                own = U[proposer] + cs.actors.influence[proposer] @ U
                score = np.ascontiguousarray(own[None, c] - lines[proposer].cost(rows, c)
                                             * np.ones((N, 1)))
            cache[proposer] = (c, np.ascontiguousarray(u_parties[:, c]), cost, allowed, score)
        return cache[proposer]

    best = np.empty(N, dtype=np.int64)
    feasible = np.empty(N, dtype=np.bool_)
    for t in range(T, 0, -1):
        W = war_value(cs, capabilities(cs, base_capability, stocks[t]), war_cost)
        scale, carry, cont = bargaining_terms(cs, discount, V[t + 1])
        D = q * W + (1 - q) * cont
        proposer = proto.proposer_at(t)
        c, u_c, cost, allowed, score = candidates(proposer)
        floor = np.stack([D[:, j] if j == proposer else D[:, j] + resolve[:, j]
                          for j in parties])
        plan_round(u_c, np.ascontiguousarray(scale[:, parties].T),
                   np.ascontiguousarray(carry[:, parties].T), floor, cost, allowed, score,
                   proposer == MEDIATOR, TIE, best, feasible)
        package = c[best]
        costs = np.stack([line.cost_at(rows, package) for line in lines], axis=1)
        deal_value = scale * U[:, package].T - costs + carry  # (N, A)
        V[t] = np.where(feasible[:, None], deal_value, D)
    V[0] = V[1]
    return V
