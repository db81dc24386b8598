"""Payoffs in utility units: war values, stock paths and the planning values.

References
----------
Fearon, J. D. (1995). Rationalist explanations for war. *International Organization*
49(3), 379-414.
Binmore, K., Rubinstein, A., and Wolinsky, A. (1986). The Nash bargaining solution in
economic modelling. *RAND Journal of Economics* 17(2), 176-188.
"""

from __future__ import annotations

import numpy as np

from sim.engine.compile import CompiledScenario
from sim.engine.kernels import plan_round

#: Ties within this tolerance count as acceptable (an offer of exactly the reservation).
TIE = 1e-9

__all__ = [
    "TIE",
    "bargaining_terms",
    "capabilities",
    "plan_values",
    "proposer_at",
    "stock_path",
    "war_value",
    "war_value_public",
]


def capabilities(cs: CompiledScenario, base: np.ndarray, stocks: np.ndarray) -> np.ndarray:
    """Effective capability (N, A): the drawn base plus what owned stocks add."""
    cap = base.copy()
    for s, owner in enumerate(cs.stock_owner):
        if owner >= 0 and cs.stock_capability[s] != 0:
            cap[:, owner] += cs.stock_capability[s] * stocks[:, s]
    return np.maximum(cap, 1e-12)


def war_value_public(cs: CompiledScenario, cap: np.ndarray) -> np.ndarray:
    """Expected war payoff before war costs (N, A): the lottery over who imposes terms.

    Side k wins with probability (capability of side k) / (total capability), a ratio
    contest-success function; the winner imposes the package its side likes best.
    """
    side_cap = np.stack([cap[:, cs.side == k].sum(axis=1) for k in (0, 1)], axis=1)
    pi = side_cap / side_cap.sum(axis=1, keepdims=True)  # (N, 2)
    u_side = cs.utility[:, cs.side_package]  # (A, 2)
    return pi @ u_side.T  # (N, A)


def war_value(cs: CompiledScenario, cap: np.ndarray, war_cost: np.ndarray) -> np.ndarray:
    """War payoff (N, A): the public lottery minus the actor's war cost if it fights."""
    fights = (cs.side >= 0).astype(float)
    return war_value_public(cs, cap) - war_cost * fights


def bargaining_terms(cs: CompiledScenario, discount: np.ndarray, v_next: np.ndarray):
    """How a round's choices are valued, given V(t + 1): arrays (N, A).

    Accepting package x is worth ``scale * u(x) + carry``; a rejected round that does
    not break down is worth ``cont``. With final agreements: scale 1, carry 0,
    cont = delta V(t + 1). With renegotiated agreements payoffs are flows: accepting
    x gives (1 - delta) u(x) this round and V(t + 1) after; rejecting gives the status
    quo's flow this round.
    """
    if cs.renegotiated:
        scale = 1.0 - discount
        carry = discount * v_next
        cont = scale * cs.utility[:, cs.status_quo] + carry
        return scale, carry, cont
    return np.ones_like(discount), np.zeros_like(discount), discount * v_next


def stock_path(cs: CompiledScenario, initial: np.ndarray, growth: np.ndarray, rounds: int):
    """Projected stocks (rounds + 1, N, S): entry t is the level in round t (t >= 1)."""
    t = np.arange(rounds + 1)[:, None, None]
    return np.clip(initial[None] + growth[None] * t, cs.stock_min, cs.stock_max)


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
    T = cs.planning_horizon
    N, A = war_cost.shape
    U = cs.utility  # (A, P)
    q = cs.breakdown[rung]
    stocks = stock_path(cs, stock_initial, stock_growth, T)
    V = np.empty((T + 2, N, A))
    if cs.on_horizon == "war":
        V[T + 1] = war_value(cs, capabilities(cs, base_capability, stocks[T]), war_cost)
    else:
        V[T + 1] = U[:, cs.status_quo][None, :]
    parties = cs.parties
    rows = np.arange(N)
    parties = [int(j) for j in parties]
    u_parties = U[parties]
    cache = {}

    def candidates(proposer: int):
        """Packages the proposer considers, the parties' audience costs and allowed
        packages (dense, for the compiled loop), and a party proposer's objective."""
        if proposer not in cache:
            c = cs.mediator_packages if proposer < 0 else np.arange(U.shape[1])
            cost = np.zeros((len(parties), N, len(c)))
            allowed = np.empty((len(parties), N, len(c)), dtype=bool)
            for k, j in enumerate(parties):
                cost[k] += lines[j].cost(rows, c)
                allowed[k] = ~lines[j].veto(rows, c)
            if proposer < 0:
                score = np.zeros((1, 1))
            else:
                own = U[proposer] + cs.influence[proposer] @ U
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
        proposer = proposer_at(cs, t)
        c, u_c, cost, allowed, score = candidates(proposer)
        floor = np.stack([D[:, j] if j == proposer else D[:, j] + resolve[:, j]
                          for j in parties])
        plan_round(u_c, np.ascontiguousarray(scale[:, parties].T),
                   np.ascontiguousarray(carry[:, parties].T), floor, cost, allowed, score,
                   proposer < 0, TIE, best, feasible)
        package = c[best]
        costs = np.stack([line.cost_at(rows, package) for line in lines], axis=1)
        deal_value = scale * U[:, package].T - costs + carry  # (N, A)
        V[t] = np.where(feasible[:, None], deal_value, D)
    V[0] = V[1]
    return V


def proposer_at(cs: CompiledScenario, t: int) -> int:
    """Actor index proposing in round t (1-based); -1 for a mediator."""
    if cs.proposer == "mediator":
        return -1
    if cs.proposer == "rotate":
        return int(cs.rotation[(t - 1) % len(cs.rotation)])
    return cs.actor_ids.index(cs.proposer)

