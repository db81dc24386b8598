"""Payoffs in utility units: capabilities, war values, stock paths and how a round's
choices are valued given the value of what comes after.

References
----------
Fearon, J. D. (1995). Rationalist explanations for war. *International Organization*
49(3), 379-414.
Binmore, K., Rubinstein, A., and Wolinsky, A. (1986). The Nash bargaining solution in
economic modelling. *RAND Journal of Economics* 17(2), 176-188.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from sim.engine.compiled import CompiledScenario, Effect

#: Ties within this tolerance count as acceptable (an offer of exactly the reservation).
TIE = 1e-9

__all__ = [
    "TIE",
    "Terms",
    "apply_effects",
    "bargaining_terms",
    "capabilities",
    "stock_path",
    "war_value",
    "war_value_public",
]


class Terms(NamedTuple):
    """How a round's choices are valued, arrays (N, A): accepting package x is worth
    ``scale * u(x) + carry``; a rejected round that does not break down is worth
    ``cont``."""

    scale: np.ndarray
    carry: np.ndarray
    cont: np.ndarray


def capabilities(cs: CompiledScenario, base: np.ndarray, stocks: np.ndarray) -> np.ndarray:
    """Effective capability (N, A): the drawn base plus what owned stocks add."""
    cap = base.copy()
    st = cs.stocks
    for s, owner in enumerate(st.owner):
        if owner >= 0 and st.capability_per_unit[s] != 0:
            cap[:, owner] += st.capability_per_unit[s] * stocks[:, s]
    return np.maximum(cap, 1e-12)


def war_value_public(cs: CompiledScenario, cap: np.ndarray) -> np.ndarray:
    """Expected war payoff before war costs (N, A): the lottery over who imposes terms.

    Side k wins with probability (capability of side k) / (total capability), a ratio
    contest-success function; the winner imposes the package its side likes best.
    """
    side = cs.actors.side
    side_cap = np.stack([cap[:, side == k].sum(axis=1) for k in (0, 1)], axis=1)
    pi = side_cap / side_cap.sum(axis=1, keepdims=True)  # (N, 2)
    u_side = cs.actors.utility[:, cs.actors.side_package]  # (A, 2)
    return pi @ u_side.T  # (N, A)


def war_value(cs: CompiledScenario, cap: np.ndarray, war_cost: np.ndarray) -> np.ndarray:
    """War payoff (N, A): the public lottery minus the actor's war cost if it fights."""
    fights = (cs.actors.side >= 0).astype(float)
    return war_value_public(cs, cap) - war_cost * fights


def bargaining_terms(cs: CompiledScenario, discount: np.ndarray, v_next: np.ndarray) -> Terms:
    """The :class:`Terms` of a round, given the value V(t + 1) of entering the next.

    With final agreements: scale 1, carry 0, cont = delta V(t + 1). With renegotiated
    agreements payoffs are flows: accepting x gives (1 - delta) u(x) this round and
    V(t + 1) after; rejecting gives the status quo's flow this round.
    """
    if cs.protocol.renegotiated:
        scale = 1.0 - discount
        carry = discount * v_next
        cont = scale * cs.actors.utility[:, cs.packages.status_quo] + carry
        return Terms(scale, carry, cont)
    return Terms(np.ones_like(discount), np.zeros_like(discount), discount * v_next)


def stock_path(cs: CompiledScenario, initial: np.ndarray, growth: np.ndarray, rounds: int):
    """Projected stocks (rounds + 1, N, S): entry t is the level in round t (t >= 1)."""
    t = np.arange(rounds + 1)[:, None, None]
    return np.clip(initial[None] + growth[None] * t, cs.stocks.low, cs.stocks.high)


def apply_effects(cs: CompiledScenario, stocks: np.ndarray,
                  effects: tuple[Effect, ...]) -> np.ndarray:
    """A copy of some rows' stocks (n, S) after move effects, clipped to each stock's range."""
    stocks = stocks.copy()
    for e in effects:
        stocks[:, e.stock] = stocks[:, e.stock] * e.multiply + e.add
    return np.clip(stocks, cs.stocks.low, cs.stocks.high)
