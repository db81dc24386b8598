"""Standoffs: chicken and the war of attrition as simultaneous hold-or-back-down choices.

Under ``protocol: {kind: standoff}`` nobody proposes. Each round the two parties choose
at once to hold firm or to back down; backing down concedes the other's demand (the
package it likes best). The stage game of a round, for party i against j:

================  ======================  ========================================
i / j             j backs down            j holds
================  ======================  ========================================
i backs down      u_i(status quo) - a_i   u_i(j's demand) - a_i
i holds           u_i(i's demand)         H_i = q W_i + (1 - q) delta_i V_i(t+1)
                                          - c + resolve_i
================  ======================  ========================================

a_i is i's audience cost, paid whenever it backs down (Fearon 1994: a leader who
retreats in public pays at home), q the rung's breakdown risk, c its holding cost
(paid for every round both hold out), W_i i's war value, delta_i its discount factor
and V_i(t+1) the value of entering the next round (after the horizon: the status quo,
or war if the horizon is a deadline enforced by war). With q = 1 and one round this
is chicken; with q = 0, c > 0 and many rounds it is a war of attrition.

Both parties choose by logit with their precision lambda: a logit quantal response
equilibrium of the stage game (McKelvey and Palfrey 1995), on its principal branch,
traced from lambda = 0 (Turocy 2005). Perfect rationality is the limit: an actor
without a finite ``rationality`` uses :data:`LIMIT_PRECISION`. Backward induction over
the planning horizon gives V (:func:`standoff_plan`).

References
----------
McKelvey, R. D., and Palfrey, T. R. (1995). Quantal response equilibria for normal
form games. *Games and Economic Behavior* 10(1), 6-38.
Turocy, T. L. (2005). A dynamic homotopy interpretation of the logistic quantal
response equilibrium correspondence. *Games and Economic Behavior* 51(2), 243-263.
Maynard Smith, J. (1974). The theory of games and the evolution of animal conflicts.
*Journal of Theoretical Biology* 47(1), 209-221.
Fearon, J. D. (1994). Domestic political audiences and the escalation of international
disputes. *American Political Science Review* 88(3), 577-592.
"""

from __future__ import annotations

from functools import lru_cache
from typing import NamedTuple

import numpy as np
from scipy.special import expit

from sim.engine.compiled import CompiledScenario
from sim.engine.payoffs import capabilities, stock_path, war_value
from sim.engine.planning import after_horizon

__all__ = ["LIMIT_PRECISION", "StageGame", "back_down_equilibrium", "demands", "hold_value",
           "stage_game", "standoff_plan"]

#: The logit precision standing in for perfect rationality (lambda -> inf) in a standoff.
LIMIT_PRECISION = 10_000.0
_NEWTON_STEPS = 4  # per step along the branch
_POLISH_STEPS = 40  # at most, at the full precision
_GROWTH = 1.5  # precision grows by this factor per step of the branch
_FINE_GROWTH = 1.05  # ... where those steps lose the branch


class StageGame(NamedTuple):
    """One party's payoffs in a round's standoff, arrays (n,): ``status_quo`` (both back
    down), ``lose`` (it backs down alone), ``win`` (the other backs down alone) and
    ``hold`` (both hold)."""

    status_quo: np.ndarray
    lose: np.ndarray
    win: np.ndarray
    hold: np.ndarray

    def gain_from_backing_down(self, p_other: np.ndarray) -> np.ndarray:
        """U(back down) - U(hold) when the other backs down with probability p_other."""
        return (p_other * (self.status_quo - self.win)
                + (1 - p_other) * (self.lose - self.hold))

    def slope(self) -> np.ndarray:
        """The derivative of the gain with respect to p_other (the gain is linear in it)."""
        return (self.status_quo - self.win) - (self.lose - self.hold)


def demands(cs: CompiledScenario) -> dict[int, int]:
    """Each party's demand: the package it likes best (the first, if tied)."""
    return {int(i): int(np.argmax(cs.actors.utility[i])) for i in cs.protocol.parties}


def stage_game(cs: CompiledScenario, i: int, j: int, hold: np.ndarray,
               audience: np.ndarray | float = 0.0) -> StageGame:
    """Party i's stage game against j, given its value ``hold`` (n,) of both holding and
    its audience cost (paid whenever it backs down in public: Fearon 1994)."""
    u = cs.actors.utility[i]
    want = demands(cs)
    ones = np.ones_like(hold)
    return StageGame((u[cs.packages.status_quo] - audience) * ones,
                     (u[want[j]] - audience) * ones, u[want[i]] * ones, hold)


def back_down_equilibrium(a: StageGame, b: StageGame, lam_a: float,
                          lam_b: float) -> tuple[np.ndarray, np.ndarray]:
    """Each party's probability of backing down in the logit QRE of a 2 x 2 standoff.

    Solves z_a = lam_a g_a(sigma(z_b)), z_b = lam_b g_b(sigma(z_a)) for the log-odds z of
    backing down (g: the gain from backing down, linear in the other's probability) by
    Newton's method, following the principal branch from lambda = 0, where both back
    down with probability 1/2, doubling the precision at each step (Turocy
    2005). Infinite precisions are replaced by :data:`LIMIT_PRECISION`. Rows with the
    same payoffs (all rows alike, as when the types are fixed) are solved once.
    """
    lam = np.array([min(lam_a, LIMIT_PRECISION), min(lam_b, LIMIT_PRECISION)])
    table = np.stack([*a, *b], axis=1)
    if len(table) and (table == table[0]).all():  # every row the same game
        p_a, p_b = _solve_one(tuple(table[0].tolist()), *lam.tolist())
        return np.full(len(table), p_a), np.full(len(table), p_b)
    return _solve(a, b, lam)


@lru_cache(maxsize=4096)
def _solve_one(payoffs: tuple[float, ...], lam_a: float, lam_b: float) -> tuple[float, float]:
    """One game, remembered: a chunk's planning and its rounds meet the same games."""
    game = np.array(payoffs)[:, None]
    p_a, p_b = _solve(StageGame(*game[:4]), StageGame(*game[4:]), np.array([lam_a, lam_b]))
    return float(p_a[0]), float(p_b[0])


def _solve(a: StageGame, b: StageGame, lam: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    z_a, z_b, lost = _trace_branch(a, b, lam, _GROWTH)
    if lost.any():  # retrace those rows in smaller steps
        fine = [StageGame(*(x[lost] for x in game)) for game in (a, b)]
        z_a[lost], z_b[lost], still = _trace_branch(*fine, lam, _FINE_GROWTH)
        if still.any():
            raise ArithmeticError("the logit equilibrium of a standoff did not converge")
    return expit(z_a), expit(z_b)


def _trace_branch(a: StageGame, b: StageGame, lam: np.ndarray, growth: float):
    """Log-odds of backing down (z_a, z_b) on the principal branch at precisions
    ``lam``, and which rows did not converge (lost the branch)."""
    z_a = np.zeros_like(a.hold)
    z_b = np.zeros_like(b.hold)
    top = float(lam.max())
    if top == 0:
        return z_a, z_b, np.zeros(len(z_a), dtype=bool)
    s_a, s_b = a.slope(), b.slope()
    steps = max(int(np.ceil(np.log(top / 0.01) / np.log(growth))), 0)
    previous = np.zeros(2)
    for k in range(steps, -1, -1):
        la, lb = lam / growth**k
        if previous.all():  # the root moves about in proportion to lambda
            z_a, z_b = z_a * la / previous[0], z_b * lb / previous[1]
        previous = np.array([la, lb])
        for _ in range(_NEWTON_STEPS if k else _POLISH_STEPS):
            p_a, p_b = expit(z_a), expit(z_b)
            f_a = z_a - la * a.gain_from_backing_down(p_b)
            f_b = z_b - lb * b.gain_from_backing_down(p_a)
            if not k and max(np.abs(f_a).max(), np.abs(f_b).max()) < 1e-12:
                break
            # Jacobian [[1, -x], [-y, 1]]: x = d(la g_a)/dz_b, y = d(lb g_b)/dz_a.
            x = la * s_a * p_b * (1 - p_b)
            y = lb * s_b * p_a * (1 - p_a)
            det = 1 - x * y
            det = np.where(np.abs(det) < 1e-12, np.copysign(1e-12, det), det)
            z_a = z_a - (f_a + x * f_b) / det
            z_b = z_b - (f_b + y * f_a) / det
    p_a, p_b = expit(z_a), expit(z_b)
    residual = np.maximum(np.abs(p_a - expit(la * a.gain_from_backing_down(p_b))),
                          np.abs(p_b - expit(lb * b.gain_from_backing_down(p_a))))
    return z_a, z_b, ~(residual < 1e-10)


def hold_value(cs: CompiledScenario, rung: int, war: np.ndarray, v_next: np.ndarray,
               discount: np.ndarray, resolve: np.ndarray) -> np.ndarray:
    """H (n, k): both hold at ``rung`` (one, or one per row): pay its holding cost, risk
    breakdown into war (``war``: war values, costs paid), else go on to ``v_next``."""
    q = np.asarray(cs.ladder.breakdown[rung], dtype=float)
    c = np.asarray(cs.ladder.holding[rung], dtype=float)
    if q.ndim:  # one rung per row
        q, c = q[:, None], c[:, None]
    return q * war + (1 - q) * discount * v_next - c + resolve


def standoff_plan(cs: CompiledScenario, *, base_capability: np.ndarray,
                  stock_initial: np.ndarray, stock_growth: np.ndarray,
                  war_cost: np.ndarray, resolve: np.ndarray, discount: np.ndarray,
                  audience: np.ndarray, rung: int) -> np.ndarray:
    """Backward induction over a standoff: V (T + 2, N, A), V[t] = value of entering
    round t at ``rung``; V[T + 1] is the status quo (or war, for a deadline enforced by
    war). Actors other than the two parties keep the status quo's value."""
    proto = cs.protocol
    T = proto.planning_horizon
    N, A = war_cost.shape
    stocks = stock_path(cs, stock_initial, stock_growth, T)
    V = np.empty((T + 2, N, A))
    V[T + 1] = after_horizon(cs, base_capability, stocks[T], war_cost)
    a, b = (int(x) for x in proto.parties)
    lam = cs.actors.rationality
    for t in range(T, 0, -1):
        W = war_value(cs, capabilities(cs, base_capability, stocks[t]), war_cost)
        H = hold_value(cs, rung, W, V[t + 1], discount, resolve)
        game_a = stage_game(cs, a, b, H[:, a], audience[:, a])
        game_b = stage_game(cs, b, a, H[:, b], audience[:, b])
        p_a, p_b = back_down_equilibrium(game_a, game_b, float(lam[a]), float(lam[b]))
        V[t] = V[t + 1]
        for game, me, p_me, p_other in ((game_a, a, p_a, p_b), (game_b, b, p_b, p_a)):
            V[t, :, me] = (p_me * (p_other * game.status_quo + (1 - p_other) * game.lose)
                           + (1 - p_me) * (p_other * game.win + (1 - p_other) * game.hold))
    V[0] = V[1]
    return V
