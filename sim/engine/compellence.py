"""Compellence: a threat, the target's answer, and carrying the threat out or backing down.

Under ``protocol: {kind: compellence}`` the crisis is one exchange between the first
party, the *threatener*, and the second, the *target*:

1. The threatener threatens by one of its ladder moves (option k: the move's rung, with
   its breakdown risk q_k, and the move's cost m_k) or makes no threat (option 0: the
   status quo stands).
2. The target sees the threat and complies (concedes the threatener's demand, the
   package it likes best) or defies. Complying in public is backing down: it costs the
   target its audience cost (Schelling 1966, ch. 2: compellence asks for a visible
   retreat). A binding package red line of the target against the demand makes it defy.
3. After defiance the crisis slides into war with the rung's breakdown risk q_k (the
   threat that leaves something to chance: Schelling 1960, ch. 8); otherwise the
   threatener carries the threat out (war) or backs down (the status quo, paying its
   audience cost: Fearon 1994).

Payoffs, with W an actor's war value (the public lottery minus its war cost), r its
resolve (for the threatener, its private value of war beyond that, however the war
comes; for the target, the value it puts on standing firm, on defying), a its audience
cost, u its utility of a package, d the demand and sq the status quo:

===================  ============================  ==================================
                     threatener                    target
===================  ============================  ==================================
no threat            u_T(sq)                       u_B(sq)
target complies      u_T(d) - m_k                  u_B(d) - a_B
breakdown (q_k)      W_T + r_T - m_k               W_B + r_B
carried out          W_T + r_T - m_k               W_B + r_B
backed down          u_T(sq) - a_T - m_k           u_B(sq) + r_B
===================  ============================  ==================================

War costs and resolve are private (each party knows its own; the other holds a prior,
its ``beliefs`` or the distributions); capabilities, audience costs, discounts and the
move costs are public and fixed, so the equilibrium is solved once for a scenario.

**The equilibrium** is the logit agent quantal response equilibrium of this signalling
game (McKelvey and Palfrey 1998): every choice is logit at its actor's precision
lambda (:data:`~sim.engine.standoff.LIMIT_PRECISION` for a best responder), and the
target's belief that a threat at rung k will be carried out is Bayes' rule on the
threatener's equilibrium strategy: mu_k = E[P(threat k | type) P(carry out | type)] /
E[P(threat k | type)] over the target's prior. A threat therefore signals resolve:
the types that would carry it out make it more often. The unknowns are the chances
rho_k that the target defies a threat k, as the threatener expects them (over its prior
about the target); they solve rho = Phi(rho), traced from lambda near 0, where every
choice is a coin toss, to the actors' precisions, growing them by half at each step
(the principal branch: Turocy 2005). The priors are integrated on equal-mass
quantile nodes (4,096 for one uncertain type, 64 x 64 for two). In the limit this is
Fearon's (1994) semi-separating equilibrium (V4) and Schelling's minimum effective risk
(V5): docs/theory.md.

References
----------
Fearon, J. D. (1994). Domestic political audiences and the escalation of international
disputes. *American Political Science Review* 88(3), 577-592.
McKelvey, R. D., and Palfrey, T. R. (1998). Quantal response equilibria for extensive
form games. *Experimental Economics* 1(1), 9-41.
Schelling, T. C. (1960). *The Strategy of Conflict*. Harvard University Press.
Schelling, T. C. (1966). *Arms and Influence*. Yale University Press.
Powell, R. (1990). *Nuclear Deterrence Theory: The Search for Credibility*. Cambridge
University Press.
Turocy, T. L. (2005). A dynamic homotopy interpretation of the logistic quantal
response equilibrium correspondence. *Games and Economic Behavior* 51(2), 243-263.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np
from scipy.optimize import brentq, root
from scipy.special import expit

from sim.engine.compiled import CompiledScenario
from sim.engine.payoffs import capabilities, war_value_public
from sim.engine.standoff import LIMIT_PRECISION, demands

__all__ = ["Equilibrium", "Threat", "carry_out_probability", "defiance_probability",
           "equilibrium", "threat_game", "threat_probabilities", "threat_values"]

_NODES = 4096  # quadrature nodes of a prior with one uncertain type (64 x 64 for two)
_GROWTH = 1.5  # precision grows by this factor per step of the branch
_START = 0.01  # the highest precision at the first step
_TOLERANCE = 1e-10  # on |rho - Phi(rho)|


@dataclass(frozen=True)
class Threat:
    """The public description of a compellence game (option 0 is making no threat).

    Utilities are ``(threatener, target)`` pairs; ``risk``, ``cost`` and ``rung`` have
    one entry per option; ``veto`` is the chance, as the threatener sees it, that a
    binding red line of the target forbids the demand.
    """

    threatener: int
    target: int
    demand: int  # package index
    status_quo: int
    moves: tuple[int, ...]  # the threatener's move index of each option (-1: no threat)
    rung: tuple[int, ...]
    risk: tuple[float, ...]
    cost: tuple[float, ...]
    u_demand: tuple[float, float]
    u_status_quo: tuple[float, float]
    war_public: tuple[float, float]
    audience: tuple[float, float]
    precision: tuple[float, float]
    veto: float
    prior_about_threatener: tuple  # the target's prior: (war_cost, resolve) distributions
    prior_about_target: tuple  # the threatener's prior about the target

    @property
    def n_options(self) -> int:
        """Options, no threat included."""
        return len(self.rung)


@dataclass(frozen=True)
class Equilibrium:
    """The solved game: per option, the chance the target defies (rho, as the threatener
    expects it) and the target's posterior that the threat will be carried out (mu);
    ``prior_carry_out`` is that chance before any threat."""

    game: Threat
    defy: np.ndarray  # (K,) rho_k; 0 for option 0
    carry_out: np.ndarray  # (K,) mu_k; the prior's value for option 0
    prior_carry_out: float


def threat_game(cs: CompiledScenario) -> Threat:
    """The :class:`Threat` of a compiled compellence scenario."""
    a = cs.actors
    t, b = (int(x) for x in cs.protocol.parties)
    pair = [t, b]
    demand = demands(cs)[t]
    sq = cs.packages.status_quo
    fixed = {name: np.array([[a.types[name][i].mean() for i in range(len(a))]])
             for name in ("capability", "audience_cost")}
    cap = capabilities(cs, fixed["capability"], np.zeros((1, len(cs.stocks.ids))))
    w_pub = war_value_public(cs, cap)[0]
    options = [(-1, cs.ladder.start, 0.0)]
    for k, mv in enumerate(a.moves[t]):
        if cs.ladder.start < mv.rung < cs.ladder.war_rung:
            options.append((k, mv.rung, float(mv.cost.mean())))
    lines = [rl for rl in cs.red_lines if rl.kind == "package" and rl.holder == b
             and rl.mask[demand]]
    veto = 1.0 - float(np.prod([1.0 - rl.credibility.mean() for rl in lines]))
    lam = [float(min(a.rationality[i], LIMIT_PRECISION)) for i in pair]

    def prior(observer: int, of: int) -> tuple:
        belief = a.beliefs[(observer, of)]
        return (belief["war_cost"], belief["resolve"])

    return Threat(
        threatener=t, target=b, demand=demand, status_quo=sq,
        moves=tuple(o[0] for o in options), rung=tuple(o[1] for o in options),
        risk=tuple(float(cs.ladder.breakdown[o[1]]) for o in options),
        cost=tuple(o[2] for o in options),
        u_demand=tuple(float(a.utility[i, demand]) for i in pair),
        u_status_quo=tuple(float(a.utility[i, sq]) for i in pair),
        war_public=tuple(float(w_pub[i]) for i in pair),
        audience=tuple(float(fixed["audience_cost"][0, i]) for i in pair),
        precision=tuple(lam), veto=veto,
        prior_about_threatener=prior(b, t), prior_about_target=prior(t, b),
    )


# --- each player's choice, for given types (arrays) ----------------------------------


def carry_out_probability(game: Threat, war_cost, resolve, scale: float = 1.0):
    """P(the threatener carries out a defied threat): logit on W_T + r_T against
    u_T(sq) - a_T."""
    gain = game.war_public[0] - war_cost + resolve - (game.u_status_quo[0] - game.audience[0])
    return expit(scale * game.precision[0] * gain)


def threat_values(game: Threat, defy: np.ndarray, war_cost, resolve, scale: float = 1.0):
    """Each option's expected value to threatener types (n, K), given rho (K,)."""
    war_cost, resolve = np.broadcast_arrays(np.asarray(war_cost, float),
                                            np.asarray(resolve, float))
    war = (game.war_public[0] - war_cost + resolve)[:, None]  # however the war comes
    f = carry_out_probability(game, war_cost, resolve, scale)[:, None]
    standing = f * war + (1 - f) * (game.u_status_quo[0] - game.audience[0])
    q = np.asarray(game.risk)[None, :]
    defied = q * war + (1 - q) * standing
    rho = np.asarray(defy)[None, :]
    values = (1 - rho) * game.u_demand[0] + rho * defied - np.asarray(game.cost)[None, :]
    values[:, 0] = game.u_status_quo[0]  # no threat
    return values


def threat_probabilities(game: Threat, values: np.ndarray, scale: float = 1.0):
    """Logit choice probabilities of the options (n, K), computed in log space."""
    return np.exp(_log_choice(scale * game.precision[0] * values))


def _log_choice(z: np.ndarray) -> np.ndarray:
    """Log softmax along the options."""
    z = z - z.max(axis=1, keepdims=True)
    return z - np.log(np.exp(z).sum(axis=1, keepdims=True))


def defiance_probability(game: Threat, option, carry_out, war_cost, resolve,
                         scale: float = 1.0):
    """P(the target defies a threat ``option``) for target types, believing the threat
    will be carried out with probability ``carry_out`` (logit on defying against
    complying; an indifferent type defies with probability one half)."""
    q = np.asarray(game.risk)[option]
    war = game.war_public[1] - war_cost
    defy = q * war + (1 - q) * (carry_out * war + (1 - carry_out) * game.u_status_quo[1]) \
        + resolve
    comply = game.u_demand[1] - game.audience[1]
    return expit(scale * game.precision[1] * (defy - comply))


# --- the equilibrium ----------------------------------------------------------------


def _nodes(prior: tuple) -> tuple[np.ndarray, np.ndarray]:
    """Equal-mass quantile nodes (war_cost, resolve) of a prior."""
    uncertain = [d.support()[0] != d.support()[1] for d in prior]
    k = {0: 1, 1: _NODES, 2: int(np.sqrt(_NODES))}[sum(uncertain)]
    mid = (np.arange(k) + 0.5) / k
    axes = [np.asarray(d.ppf(np.clip(mid, 1e-12, 1 - 1e-12)), float) if u
            else np.array([d.support()[0]]) for d, u in zip(prior, uncertain)]
    c, r = np.meshgrid(*axes, indexing="ij")
    return c.ravel(), r.ravel()


def _phi(game: Threat, defy: np.ndarray, nodes_t, nodes_b, scale: float):
    """Phi(rho): the target's answer to the threatener's strategy given rho; also mu."""
    f = carry_out_probability(game, *nodes_t, scale)
    # Bayes' rule in log space, so that an option hardly anyone takes still has a
    # posterior (that of the types most inclined to take it)
    logp = _log_choice(scale * game.precision[0] * threat_values(game, defy, *nodes_t, scale))
    w = np.exp(logp - logp.max(axis=0, keepdims=True))
    mu = (w * f[:, None]).sum(axis=0) / w.sum(axis=0)
    out = np.zeros(game.n_options)
    for k in range(1, game.n_options):
        d = defiance_probability(game, k, mu[k], *nodes_b, scale)
        out[k] = game.veto + (1 - game.veto) * d.mean()
    return out, mu


def equilibrium(game: Threat) -> Equilibrium:
    """Solve the game (remembered: a run's chunks share it)."""
    return _solve(game)


@lru_cache(maxsize=64)
def _solve(game: Threat) -> Equilibrium:
    nodes_t = _nodes(game.prior_about_threatener)
    nodes_b = _nodes(game.prior_about_target)
    top = max(game.precision)
    steps = int(np.ceil(np.log(top / _START) / np.log(_GROWTH))) if top > _START else 0
    free = np.arange(1, game.n_options)
    rho = np.full(game.n_options, game.veto + (1 - game.veto) * 0.5)
    rho[0] = 0.0
    for k in range(steps, -1, -1):
        scale = _GROWTH ** -k
        rho = _step(game, rho, free, nodes_t, nodes_b, scale)
    _, mu = _phi(game, rho, nodes_t, nodes_b, 1.0)
    f = carry_out_probability(game, *nodes_t)
    return Equilibrium(game, rho, mu, float(f.mean()))


def _step(game: Threat, rho, free, nodes_t, nodes_b, scale):
    """The root of rho - Phi(rho) near ``rho`` at precision scale ``scale``."""
    def gap(x):
        full = rho.copy()
        full[free] = x
        return x - _phi(game, full, nodes_t, nodes_b, scale)[0][free]

    if not len(free):
        return rho
    sol = root(gap, rho[free], method="hybr", options={"xtol": 1e-13})
    x = np.clip(sol.x, 0.0, 1.0)
    if np.abs(gap(x)).max() > _TOLERANCE and len(free) == 1:
        x = np.array([_bracketed(lambda v: gap(np.array([v]))[0], float(rho[free][0]))])
    if np.abs(gap(x)).max() > _TOLERANCE:
        raise ArithmeticError("the equilibrium of the compellence game did not converge")
    out = rho.copy()
    out[free] = x
    return out


def _bracketed(g, start: float) -> float:
    """A root of a continuous g on [0, 1] (g(0) <= 0 <= g(1)), nearest ``start``: the
    smallest bracket around it that changes sign."""
    width = 1e-6
    while True:
        lo, hi = max(start - width, 0.0), min(start + width, 1.0)
        if g(lo) <= 0 <= g(hi):
            return brentq(g, lo, hi, xtol=1e-14)
        if lo == 0.0 and hi == 1.0:
            raise ArithmeticError("the equilibrium of the compellence game did not converge")
        width *= 2
