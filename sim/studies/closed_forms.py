"""Closed-form solutions of the classic crisis-bargaining models, as pure functions.

:mod:`sim.studies.theory` maps a validation scenario onto these parameters and
compares the engine's trials with them. Each function states the model it solves;
docs/theory.md explains the models and their references.

References
----------
Fearon, J. D. (1995). Rationalist explanations for war. *International Organization*
49(3), 379-414.
Powell, R. (1999). *In the Shadow of Power*. Princeton University Press.
Powell, R. (2006). War as a commitment problem. *International Organization* 60(1).
Rubinstein, A. (1982). Perfect equilibrium in a bargaining model. *Econometrica* 50(1).
Binmore, K., Rubinstein, A., and Wolinsky, A. (1986). The Nash bargaining solution in
economic modelling. *RAND Journal of Economics* 17(2), 176-188.
Signorino, C. S. (1999). Strategic interaction and the statistical analysis of
international conflict. *American Political Science Review* 93(2), 279-297.
McKelvey, R. D., and Palfrey, T. R. (1995). Quantal response equilibria for normal
form games. *Games and Economic Behavior* 10(1), 6-38.
Maynard Smith, J. (1974). The theory of games and the evolution of animal conflicts.
*Journal of Theoretical Biology* 47(1), 209-221.
Schelling, T. C. (1960). *The Strategy of Conflict*. Harvard University Press.
Fearon, J. D. (1994). Domestic political audiences and the escalation of international
disputes. *American Political Science Review* 88(3), 577-592.
Powell, R. (1990). *Nuclear Deterrence Theory*. Cambridge University Press.
McKelvey, R. D., and Palfrey, T. R. (1998). Quantal response equilibria for extensive
form games. *Experimental Economics* 1(1), 9-41.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from scipy.integrate import quad
from scipy.optimize import brentq
from scipy.special import expit

__all__ = [
    "alternating_offers_share",
    "attrition",
    "audience_costs",
    "audience_costs_qre",
    "brinkmanship",
    "chicken",
    "commitment",
    "difference_cdf",
    "logit_ultimatum",
    "risk_return_grid",
    "risk_return_uniform",
]


def risk_return_uniform(p: float, c_a: float, low: float, high: float) -> dict[str, float]:
    """Fearon's risk-return trade-off with B's war cost uniform on [low, high].

    A offers B the share x of a good worth 1; B accepts iff x >= 1 - p - c_B. Writing
    y = 1 - p - x (the least war cost that makes B accept), A's expected utility is
    p + ((high - y) y - (y - low) c_A) / (high - low) on [low, high], maximised at
    y* = (high - c_A) / 2, clipped to [low, high] and to offers x in [0, 1].

    Returns the offer x*, P(war) = (y* - low) / (high - low) and the continuous y*.
    With low = 0 this is x* = 1 - p - (cbar - c_A)/2 and P(war) = (cbar - c_A)/(2 cbar)
    (no risk taken, P(war) = 0, when c_A >= cbar).
    """
    if high < low:
        raise ValueError("need low <= high")
    if high == low:  # complete information: offer exactly B's war value
        y = low
    else:
        y = min(max((high - c_a) / 2, low), high)
    y = min(max(y, -p), 1 - p)  # offers stay within [0, 1]
    p_war = 0.0 if high == low else (y - low) / (high - low)
    return {"x_star": 1 - p - y, "p_war": min(max(p_war, 0.0), 1.0), "y_star": y}


def difference_cdf(war_cost, resolve, nodes: int = 20_000) -> Callable:
    """P(c - r < y) for independent war cost c and resolve r, as a function of y.

    With r certain this is F_c(y + r). Otherwise the expectation E_r[F_c(y + r)] over
    ``nodes`` equal-mass quantiles of r (midpoints): the integrand is monotone in the
    node's quantile, so the error is below 1 / ``nodes``.
    """
    lo, hi = resolve.support()
    if lo == hi:
        return lambda y: war_cost.cdf(np.asarray(y, dtype=float) + lo)
    r = np.asarray(resolve.ppf((np.arange(nodes) + 0.5) / nodes), dtype=float)
    c_u = np.linspace(0.0, 1.0, 100_001)
    c_x = np.asarray(war_cost.ppf(np.clip(c_u, 1e-12, 1 - 1e-12)), dtype=float)

    def cdf(y):
        y = np.asarray(y, dtype=float)
        values, where = np.unique(y, return_inverse=True)
        out = np.empty(len(values))
        for part in np.array_split(np.arange(len(values)), max(1, len(values) // 256)):
            out[part] = np.interp(values[part, None] + r[None, :], c_x, c_u).mean(axis=1)
        return out[where].reshape(y.shape)

    return cdf


def risk_return_grid(u_a: np.ndarray, u_b: np.ndarray, war_a: np.ndarray,
                     war_b_public: np.ndarray, cdf_c_b: Callable,
                     tie: float = 1e-12) -> tuple[np.ndarray, np.ndarray]:
    """The screening offer on a grid of packages, for any prior on B's war cost.

    For each trial i (rows) and package x (columns): B accepts iff
    ``u_b[x] >= war_b_public[i] - c_B + r_B``, so P(accept) = 1 - F(war_b_public - u_b[x])
    with F the cumulative distribution of c_B - r_B (:func:`difference_cdf`); A's
    expected utility is
    ``P(accept) u_a[x] + (1 - P(accept)) war_a[i]``.

    Returns
    -------
    optimal : (N, G) bool
        The packages that maximise A's expected utility (within ``tie``).
    p_war : (N, G)
        P(war | the package is offered) = F(war_b_public - u_b[x]).
    """
    threshold = war_b_public[:, None] - u_b[None, :]
    p_war = cdf_c_b(threshold)
    eu = (1 - p_war) * u_a[None, :] + p_war * war_a[:, None]
    return eu >= eu.max(axis=1, keepdims=True) - tie, p_war


def commitment(p0: float, p1: float, c_d: float, delta: float) -> dict[str, float]:
    """The commitment problem (Fearon 1995; Powell 2006), per-period pie 1.

    D wins a war with p0 now and p1 < p0 in every later period; after the shift R
    offers D only what D's war value then forces, max(0, p1 - c_D) per period (a share
    cannot be negative). D fights now iff its war value beats the most R can promise:
    ``p0 - c_D > (1 - delta) + delta max(0, p1 - c_D)`` (both sides in per-period
    units). At peace R's first offer x0 makes D indifferent:
    ``(1 - delta) x0 + delta max(0, p1 - c_D) = p0 - c_D``, x0 >= 0.
    """
    later = max(0.0, p1 - c_d)
    war = p0 - c_d > (1 - delta) + delta * later
    first = max(0.0, (p0 - c_d - delta * later) / (1 - delta))
    return {"war": float(war), "first_offer": float("nan") if war else first,
            "later_offer": later}


def alternating_offers_share(q: float, d_first: float, d_second: float,
                             delta_first: float, delta_second: float) -> float:
    """The first proposer's share in alternating offers with breakdown risk q and
    discount factors (Rubinstein 1982; Binmore, Rubinstein and Wolinsky 1986).

    After a rejection the game ends in war with probability q (payoffs ``d``),
    otherwise the next round is worth ``delta`` times as much. With r = (1 - q) delta,
    the stationary offers solve x = 1 - q d_2 - r_2 (1 - y), 1 - y = 1 - q d_1 - r_1 x:
    x = (1 - q d_2 - r_2 (1 - q d_1)) / (1 - r_1 r_2). q = 0 gives Rubinstein's
    (1 - delta_2)/(1 - delta_1 delta_2); delta = 1 gives BRW's
    (1 - d_2 + (1 - q) d_1)/(2 - q).
    """
    r1, r2 = (1 - q) * delta_first, (1 - q) * delta_second
    return (1 - q * d_second - r2 * (1 - q * d_first)) / (1 - r1 * r2)


def logit_ultimatum(x: np.ndarray, w_a: float, w_b: float, lam_a: float,
                    lam_b: float) -> dict[str, np.ndarray | float]:
    """Node-by-node logit probabilities of an ultimatum tree (Signorino 1999).

    A offers to keep the share x (B gets 1 - x); B accepts with probability
    ``sigmoid(lam_b ((1 - x) - w_b))``, else war (A gets w_a); A offers x with
    probability proportional to ``exp(lam_a EU_A(x))``, computed bottom-up. The
    subgame-perfect offer is the largest x that B strictly prefers to war.
    """
    accept = expit(lam_b * ((1 - x) - w_b))
    eu = accept * x + (1 - accept) * w_a
    offer = np.exp(lam_a * (eu - eu.max()))
    offer /= offer.sum()
    spe = int(np.argmax(np.where(1 - x > w_b, x, -np.inf)))
    return {"accept": accept, "offer": offer, "spe": spe,
            "p_accept": float((offer * accept).sum()),
            "p_spe_path": float(offer[spe] * accept[spe])}


def _symmetric_logit_root(gain: Callable, lam: float, bound: float) -> float:
    """The probability p with p = sigmoid(lam gain(p)), found in log-odds by Brent's
    method; refuses when the equation has more than one root (on a fine grid)."""
    z = np.linspace(-lam * bound - 1, lam * bound + 1, 20_001)

    def phi(z):
        return z - lam * gain(expit(z))

    below = phi(z) < 0
    changes = np.flatnonzero(below[:-1] != below[1:])
    if len(changes) != 1:
        raise ValueError("the symmetric logit equation has several roots here")
    k = int(changes[0])
    return float(expit(brentq(phi, z[k], z[k + 1], xtol=1e-14)))


def chicken(win: float, lose: float, status_quo: float, crash: float,
            lam: float) -> dict[str, float]:
    """Symmetric chicken: each backs down (swerves) or holds; both holding is a crash.

    The gain from backing down when the other backs down with probability p is
    g(p) = p (status_quo - win) + (1 - p) (lose - crash). The mixed equilibrium makes
    the other indifferent, g(p*) = 0:
    ``p* = (lose - crash) / ((lose - crash) + (win - status_quo))``; the symmetric
    logit QRE solves p = sigmoid(lam g(p)) (McKelvey and Palfrey 1995), which tends to
    p* as lam grows. P(crash) = (1 - p)^2. Assumes win > status quo.
    """
    def gain(p):
        return p * (status_quo - win) + (1 - p) * (lose - crash)

    # Holding is dominant when a crash is no worse than losing: never back down.
    nash = max(lose - crash, 0.0) / (max(lose - crash, 0.0) + (win - status_quo))
    bound = max(abs(status_quo - win), abs(lose - crash))
    p = _symmetric_logit_root(gain, lam, bound)
    return {"nash": nash, "qre": p, "crash": (1 - p) ** 2, "crash_nash": (1 - nash) ** 2}


def attrition(win: float, lose: float, status_quo: float, cost: float, lam: float,
              delta: float = 1.0) -> dict[str, float]:
    """The symmetric, stationary war of attrition in rounds (Maynard Smith 1974).

    Each round both hold out (each pays ``cost``, then the next round, discounted by
    delta) or one backs down (the other wins; both backing down at once gives the
    status quo). With each backing down with probability p a round, the value V of a
    round solves V = p (p s + (1 - p) l) + (1 - p) (p w + (1 - p) (delta V - cost)).
    The mixed equilibrium's hazard p* makes the other indifferent with V equal to
    the value of backing down, p s + (1 - p) l; the stationary logit QRE solves
    p = sigmoid(lam g(p)), g the gain from backing down given V(p).
    """
    s, lo, w, c = status_quo, lose, win, cost

    def value(p):
        p = np.clip(p, 1e-300, 1.0)  # at p = 0 and delta = 1 nobody ever backs down
        return (p * (p * s + (1 - p) * lo) + (1 - p) * p * w
                - (1 - p) ** 2 * c) / ((1 - delta) + delta * p * (2 - p))

    def gain(p, v):
        return p * (s - w) + (1 - p) * (lo - (delta * v - c))

    nash = brentq(lambda p: gain(p, p * s + (1 - p) * lo), 1e-12, 1 - 1e-12, xtol=1e-15)
    bound = abs(s - w) + abs(lo) + abs(w) + c + 1
    p = _symmetric_logit_root(lambda p: gain(p, value(p)), lam, bound)
    return {"nash": float(nash), "qre": p, "value": float(value(p)),
            "end_in_round": 1 - (1 - p) ** 2, "both_given_end": p * p / (1 - (1 - p) ** 2)}


def audience_costs(a: float, g: float, d: float) -> dict[str, float]:
    """Fearon's (1994) tying-hands game, one shot, in its perfect Bayesian equilibrium.

    A's value of war w ~ U[-1, 1] is private. A threatens or not (the status quo, 0 for
    both); B concedes (A gets g, B -g) or resists; A then fights (A gets w, B -d) or
    backs down (A pays its audience cost a). With d > g and (1 + a) d / 2 < g: every
    type w >= -a threatens and fights if resisted; bluffers (w < -a) threaten with
    probability ``beta = (1 + a)(d - g) / (g (1 - a))``, which makes B's posterior that
    A fights g / d, leaving B indifferent; B resists with probability ``r = g / (g + a)``,
    which leaves bluffers indifferent. P(war) = (1 + a) r / 2.
    """
    if not (d > g and (1 + a) * d / 2 < g):
        raise ValueError("the semi-separating equilibrium needs d > g and (1 + a) d / 2 < g")
    r = g / (g + a)
    beta = (1 + a) * (d - g) / (g * (1 - a))
    fighters = (1 + a) / 2
    return {"resist": r, "bluff": beta, "belief": g / d,
            "threaten": fighters + beta * (1 - a) / 2, "war": fighters * r}


def audience_costs_qre(a: float, g: float, d: float, lam: float) -> dict[str, float]:
    """The same game's logit agent QRE (McKelvey and Palfrey 1998), every choice logit
    with precision lam, by quadrature over w and Brent's method on B's resistance r.

    A of type w fights with f(w) = sigmoid(lam (w + a)); threatens with
    sigmoid(lam T(w, r)), T = (1 - r) g + r (f w - (1 - f) a); B resists with
    sigmoid(lam (g - d mu(r))), mu(r) = E[threat f] / E[threat] (Bayes' rule on the
    threat). The root of r = that is unique here: raising r keeps bluffers away, which
    raises mu and lowers B's wish to resist.
    """
    def fight(w):
        return expit(lam * (w + a))

    def threat(w, r):
        f = fight(w)
        return expit(lam * ((1 - r) * g + r * (f * w - (1 - f) * a)))

    def mean(h):  # E over w ~ U[-1, 1], with the logit switches as break points
        points = sorted({-a, -a - 5 / lam, -a + 5 / lam, min(max(-g, -1), 1)})
        return quad(h, -1.0, 1.0, points=points, limit=500, epsabs=1e-13)[0] / 2

    def belief(r):
        return mean(lambda w: threat(w, r) * fight(w)) / mean(lambda w: threat(w, r))

    r = brentq(lambda r: r - expit(lam * (g - d * belief(r))), 0.0, 1.0, xtol=1e-14)
    mu = belief(r)
    threaten = mean(lambda w: threat(w, r))
    bluff = mean(lambda w: threat(w, r) * (w < -a)) * 2 / (1 - a)
    return {"resist": r, "belief": mu, "threaten": threaten, "bluff": bluff,
            "war": r * mean(lambda w: threat(w, r) * fight(w))}


def brinkmanship(g: float, d_target: float, g_threatener: float, d_threatener: float,
                 p_soft: float, risks=None) -> dict[str, float]:
    """Schelling's brinkmanship (1960, ch. 8; Powell 1990): a threat that leaves
    something to chance.

    The threatener creates a risk q of a disaster that costs the target ``d_target``
    and itself ``d_threatener``. A soft target (probability ``p_soft``) complies, at
    cost g, iff q d_target >= g; a committed one never does. The threatener gains
    ``g_threatener`` from compliance, so a risk q is worth p g_S - (1 - p) q D_S to it:
    it accepts any q <= p g_S / ((1 - p) D_S) and takes the least effective risk
    q* = g / D_T, so P(disaster) = (1 - p) q*. With ``risks`` (the risks on offer), q*
    is the least of them at or above g / D_T, and no threat is made if it is not
    worth making.
    """
    least = g / d_target
    most = p_soft * g_threatener / ((1 - p_soft) * d_threatener) if p_soft < 1 else np.inf
    q = least if risks is None else min((x for x in risks if x >= least), default=np.inf)
    threat = q <= most
    return {"least": least, "most": most, "risk": q if threat else 0.0,
            "comply": p_soft if threat else 0.0,
            "disaster": (1 - p_soft) * q if threat else 0.0}
