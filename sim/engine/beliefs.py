"""Beliefs about another actor's reservation value, updated by Bayes' rule.

An observer does not know a target's private ``war_cost`` c and ``resolve`` r. The
target's reservation value in a round at rung r is

    R = q(r) (W_pub - c) + (1 - q(r)) delta V(t + 1) + resolve
      = centre + Z,   Z = resolve - q(r) c,

where everything in ``centre`` is public. A proposer needs P(Z <= threshold) for
every package it might offer (the screening model: Fearon 1995; Powell 1999, ch. 3).

**Before any rejection** (the prior) the answer is read from a table of Z's quantiles
at each rung: knots z_k with P(Z <= z_k) = k / 4096, and linear interpolation between
them, so the error is below 1/4096 in probability whatever the prior (:class:`Prior`).
With one uncertain type the knots are the exact quantiles (``ppf``); with both, Z's
distribution is computed by quadrature over 1,024 equal-mass war-cost nodes (error
below 1/1,024: the integrand is monotone in the node's quantile) on a fine grid.

**After rejections by a best responder with one uncertain type** the posterior is the
prior truncated: each rejection bounds the type (``war_cost < c_upper`` or
``resolve > r_lower``), so the posterior of Z at any rung is the prior table cut at one
point, read with the same 1/4096 bound (:func:`truncation`).

**Otherwise** (both types uncertain, or a logit responder whose rejections carry soft
evidence) each trial's belief is carried by 256 deterministic particles of (c, r)
(quantile midpoints for one uncertain type, a scrambled Sobol' point set for two) with
their own weights: a rejection removes (or down-weights) the particles that would have
accepted, and the posterior CDF is read off 128 bins of Z by linear interpolation
(:class:`Particles`). tests/test_beliefs.py measures this approximation (at most about
0.03 in probability for two uncertain types) against exact posteriors.

A logit responder's own noise is included exactly when its type is known; with an
uncertain type the belief about its reservation value is used as for a best responder.
"""

from __future__ import annotations

import os
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from sim.engine.choice import accept_probability
from sim.engine.kernels import mixture_cdf_into
from sim.engine.payoffs import TIE

__all__ = [
    "BINS",
    "PARTICLES",
    "TABLE",
    "Particles",
    "Prior",
    "acceptance",
    "cdf_table",
    "make_particles",
    "make_prior",
    "tighten",
    "truncation",
    "update_on_rejection",
]

TABLE = 4096  # quantile knots of a prior's Z at each rung
PARTICLES = 256  # particles carrying a belief after rejections
BINS = 128  # bins of Z for the posterior CDF
_NODES = 1024  # war-cost nodes for Z = r - q c when both are uncertain
_GRID = 8193  # points of Z at which that CDF is computed before inversion


def _certain(dist) -> bool:
    lo, hi = dist.support()
    return lo == hi


def _ppf(dist, u: np.ndarray) -> np.ndarray:
    """Quantiles, with the extreme ones kept finite (unbounded supports)."""
    return np.asarray(dist.ppf(np.clip(u, 1e-12, 1 - 1e-12)), dtype=float)


@dataclass(frozen=True)
class Prior:
    """An observer's prior about a target's Z at every rung, as quantile knots."""

    knots: np.ndarray  # (R, TABLE + 1): P(Z <= knots[r, k]) = k / TABLE
    known: np.ndarray  # (R,) Z is certain at this rung (then knots[r] are all equal)
    breakdown: np.ndarray  # (R,) q at each rung
    uncertain: str  # "none", "war_cost", "resolve" or "both"
    war_cost: float  # the war cost if it is certain
    resolve: float  # the resolve if it is certain

    @property
    def truncates(self) -> bool:
        """Whether a best responder's rejections keep the posterior a truncated prior."""
        return self.uncertain in ("war_cost", "resolve")


def _z_knots(war_cost, resolve, q: float) -> tuple[np.ndarray, bool]:
    """Quantile knots of Z = r - q c at one rung, and whether Z is certain there.

    With c = c0 + a and r = r0 + b (shapes placed at 0, and locations), Z = (r0 - q c0)
    + (b - q a): the table of the shapes, moved. A judgement that moves war costs or
    resolve (``escalation app``'s sliders, sweeps) reuses the quadrature.
    """
    c_shape, c_loc = war_cost.located()
    r_shape, r_loc = resolve.located()
    knots, known = _shape_knots(c_shape, r_shape, q)
    return knots + (r_loc - q * c_loc), known


@lru_cache(maxsize=512)
def _shape_knots(war_cost, resolve, q: float) -> tuple[np.ndarray, bool]:
    """Quantile knots of Z = r - q c (cached: distributions are frozen and hashable)."""
    u = np.arange(TABLE + 1) / TABLE
    c_fixed, r_fixed = _certain(war_cost), _certain(resolve)
    if (c_fixed or q == 0) and r_fixed:
        z0 = resolve.support()[0] - q * (war_cost.support()[0] if c_fixed else 0.0)
        return np.full(TABLE + 1, z0), True
    if c_fixed or q == 0:  # only resolve matters
        c0 = war_cost.support()[0] if c_fixed else 0.0
        return _ppf(resolve, u) - q * c0, False
    if r_fixed:  # only the war cost matters: Z falls as c rises
        return resolve.support()[0] - q * _ppf(war_cost, 1 - u), False
    # Both uncertain: P(Z <= z) = E_c[F_r(z + q c)], by quadrature over c's quantiles.
    c = _ppf(war_cost, (np.arange(_NODES) + 0.5) / _NODES)
    r_u = np.linspace(0.0, 1.0, TABLE + 1)
    r_x = _ppf(resolve, r_u)
    z = np.linspace(r_x[0] - q * c[-1], r_x[-1] - q * c[0], _GRID)
    cdf = np.zeros(_GRID)
    for part in np.array_split(c, 16):  # np.interp(z + q part, r_x, r_u).sum(axis=1), compiled
        mixture_cdf_into(cdf, z, q * part, r_x, r_u)
    cdf /= _NODES
    cdf = np.maximum.accumulate(cdf)
    return np.interp(u, cdf, z), False


def make_prior(war_cost, resolve, breakdown: np.ndarray) -> Prior:
    """The table of an observer's prior (war cost and resolve distributions)."""
    # The rungs' tables are independent and their quadrature releases the GIL: threads.
    qs = [float(q) for q in breakdown]
    with ThreadPoolExecutor(max_workers=min(len(qs), os.cpu_count() or 1)) as pool:
        rows = list(pool.map(lambda q: _z_knots(war_cost, resolve, q), qs))
    c_fixed, r_fixed = _certain(war_cost), _certain(resolve)
    uncertain = {(True, True): "none", (False, True): "war_cost", (True, False): "resolve",
                 (False, False): "both"}[(c_fixed, r_fixed)]
    knots = np.stack([k for k, _ in rows])
    # Known where Z is certain, or so nearly that every knot rounds to one number.
    known = np.array([k for _, k in rows]) | (knots[:, 0] == knots[:, -1])
    return Prior(knots=knots, known=known,
                 breakdown=np.asarray(breakdown, dtype=float), uncertain=uncertain,
                 war_cost=war_cost.support()[0] if c_fixed else np.nan,
                 resolve=resolve.support()[0] if r_fixed else np.nan)


def truncation(prior: Prior, bound: np.ndarray, rung: np.ndarray) -> np.ndarray:
    """P(Z <= the point where the prior is cut) at each row's rung, for rows whose
    single uncertain type is bounded (``war_cost < bound`` or ``resolve > bound``);
    0 where nothing is known yet. Acceptance is then (F(thr) - floor) / (1 - floor)."""
    q = prior.breakdown[rung]
    with np.errstate(invalid="ignore"):  # an unbounded type has no cut (q 0 times inf)
        if prior.uncertain == "war_cost":
            cut = np.where(np.isfinite(bound), prior.resolve - q * bound, np.nan)
        else:
            cut = np.where(np.isfinite(bound), bound - q * prior.war_cost, np.nan)
    floor = np.zeros(len(rung))
    for r in np.unique(rung):
        rows = np.flatnonzero((rung == r) & np.isfinite(cut))
        if len(rows) and not prior.known[r]:
            floor[rows] = _table_cdf(prior.knots[r], cut[rows])
    return floor


def tighten(prior: Prior, bound: np.ndarray, rung: np.ndarray,
            threshold: np.ndarray) -> np.ndarray:
    """The bounds after rejections of offers with these thresholds (rows' rungs): a best
    responder rejects only if Z > threshold + TIE. An impossible rejection (one that
    would leave no type) is ignored, as :func:`update_on_rejection` does."""
    q = prior.breakdown[rung]
    if prior.uncertain == "war_cost":  # r0 - q c > thr  <=>  c < (r0 - thr) / q
        with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
            new = np.where(q > 0, (prior.resolve - threshold - TIE) / q, np.inf)
        new = np.minimum(bound, new)
        with np.errstate(invalid="ignore"):
            cut = np.where(np.isfinite(new), prior.resolve - q * new, -np.inf)
    else:  # r - q c0 > thr  <=>  r > thr + q c0
        new = np.maximum(bound, threshold + TIE + q * prior.war_cost)
        cut = new - q * prior.war_cost
    empty = np.zeros(len(rung), dtype=bool)
    for r in np.unique(rung):
        rows = np.flatnonzero(rung == r)
        if not prior.known[r]:
            empty[rows] = _table_cdf(prior.knots[r], cut[rows]) >= 1.0
    return np.where(empty, bound, new)


@dataclass(frozen=True)
class Particles:
    """Particles of the private types, their Z at every rung, and the Z bins."""

    z: np.ndarray  # (R, K) each particle's Z at each rung
    lo: np.ndarray  # (R,) lower edge of the Z grid
    width: np.ndarray  # (R,) bin width (0: all particles share one Z)
    bin_of: np.ndarray  # (R, K) each particle's bin at each rung


@lru_cache(maxsize=64)
def _sobol(k: int) -> np.ndarray:
    from scipy.stats import qmc

    return qmc.Sobol(d=2, scramble=True, seed=20260211).random(k)


def make_particles(war_cost, resolve, breakdown: np.ndarray, k: int = PARTICLES) -> Particles:
    """Deterministic particles of (war_cost, resolve) from their prior distributions."""
    mid = (np.arange(k) + 0.5) / k
    if _certain(war_cost) or _certain(resolve):
        c, r = _ppf(war_cost, mid), _ppf(resolve, mid)
        if _certain(war_cost):
            c = np.full(k, war_cost.support()[0])
        if _certain(resolve):
            r = np.full(k, resolve.support()[0])
    else:
        points = _sobol(k)
        c, r = _ppf(war_cost, points[:, 0]), _ppf(resolve, points[:, 1])
    z = r[None, :] - breakdown[:, None] * c[None, :]
    zmin, zmax = z.min(axis=1), z.max(axis=1)
    pad = (zmax - zmin) / (2 * (k - 1))  # half the spacing of evenly spaced particles
    lo = zmin - pad
    width = (zmax + pad - lo) / BINS
    pos = np.divide(z - lo[:, None], width[:, None], out=np.zeros_like(z),
                    where=width[:, None] > 0)
    bin_of = np.clip(pos.astype(np.int64), 0, BINS - 1)
    return Particles(z=z, lo=lo, width=width, bin_of=bin_of)


def _binned_cdf(cum: np.ndarray, lo: float, width: float, thr: np.ndarray) -> np.ndarray:
    """Piecewise-linear CDF with bin-edge values ``cum`` (rows, BINS + 1) at ``thr``."""
    pos = np.clip((thr - lo) * (1.0 / width), 0.0, BINS - 1e-9)
    b = pos.astype(np.intp)
    frac = pos - b
    if cum.ndim == 1:
        left, right = cum[b], cum[b + 1]
    else:
        rows = np.arange(cum.shape[0])[:, None]
        left, right = cum[rows, b], cum[rows, b + 1]
    return left + (right - left) * frac


def _table_cdf(knots: np.ndarray, thr: np.ndarray) -> np.ndarray:
    """P(Z <= thr) from quantile knots (piecewise linear between them)."""
    k = np.clip(np.searchsorted(knots, thr, side="right") - 1, 0, TABLE - 1)
    left, right = knots[k], knots[k + 1]
    span = right - left
    with np.errstate(over="ignore"):  # a threshold far outside the knots: clipped below
        frac = np.divide(thr - left, span, out=np.ones_like(thr, dtype=float), where=span > 0)
    return np.where(thr < knots[0], 0.0,
                    np.where(thr >= knots[-1], 1.0, (k + np.clip(frac, 0, 1)) / TABLE))


def acceptance(prior: Prior, particles: Particles, weights: np.ndarray, rung: np.ndarray,
               threshold: np.ndarray, touched: np.ndarray,
               rationality: float = np.inf, floor: np.ndarray | None = None) -> np.ndarray:
    """P(Z <= threshold) under each trial's belief: (n, P) for thresholds (n, P).

    The plain-numpy statement of what :func:`sim.engine.kernels.accept_into` computes in
    one pass (tests check that the two agree). Untouched rows read the prior's table,
    cut at ``floor`` (see :func:`truncation`); touched rows their particles' binned
    CDF; a known type is a step at its Z, or the logit acceptance probability for a
    logit target (Signorino 1999).
    """
    floor = np.zeros(len(rung)) if floor is None else floor
    out = np.empty_like(threshold)
    for r in np.unique(rung):
        at_r = rung == r
        if prior.known[r]:
            rows = np.flatnonzero(at_r)
            z0 = prior.knots[r, 0]
            if np.isinf(rationality):
                out[rows] = (threshold[rows] >= z0 - TIE).astype(float)
            else:
                out[rows] = accept_probability(rationality, threshold[rows] - z0)
            continue
        rows = np.flatnonzero(at_r & ~touched)
        if len(rows):
            f = floor[rows][:, None]
            with np.errstate(divide="ignore", invalid="ignore"):
                cut = np.maximum((_table_cdf(prior.knots[r], threshold[rows]) - f) / (1.0 - f),
                                 0.0)
            out[rows] = np.where(f >= 1.0, 0.0, cut)
        rows = np.flatnonzero(at_r & touched)
        if len(rows) and particles.width[r] <= 0:  # every particle at one Z: a step there
            out[rows] = (threshold[rows] >= particles.lo[r] - TIE).astype(float)
        elif len(rows):
            cum = _posterior_cdf(particles, weights[rows], r)
            out[rows] = _binned_cdf(cum, particles.lo[r], particles.width[r], threshold[rows])
    return out


def _posterior_cdf(particles: Particles, weights: np.ndarray, r: int) -> np.ndarray:
    """CDF at the bin edges of rung r for each row's particle weights (rows, BINS + 1):
    the weight in each bin (summed in particle order), accumulated, normalised. The
    plain-numpy statement of :func:`sim.engine.kernels.posterior_into`."""
    sums = np.zeros((len(weights), BINS + 1))
    rows = np.repeat(np.arange(len(weights)), weights.shape[1])
    np.add.at(sums, (rows, np.tile(particles.bin_of[r] + 1, len(weights))), weights.ravel())
    cum = np.cumsum(sums, axis=1)
    cum /= np.maximum(cum[:, -1:], 1e-300)
    return cum


def cdf_table(particles: Particles, weights: np.ndarray, rung: np.ndarray,
              touched: np.ndarray) -> np.ndarray:
    """Each touched row's posterior CDF at its rung's bin edges (n, BINS + 1); rows not
    touched are left at zero (they read the prior's table instead)."""
    from sim.engine.kernels import posterior_into

    cum = np.zeros((len(rung), BINS + 1))
    posterior_into(cum, weights, rung, particles.bin_of, touched)
    return cum


def update_on_rejection(
    particles: Particles,
    weights: np.ndarray,
    rows: np.ndarray,
    rung: np.ndarray,
    threshold: np.ndarray,
    rationality: float,
) -> None:
    """Down-weight, in place, the ``rows``' particles that would have accepted
    (Bayes' rule); ``rung`` and ``threshold`` are given for those rows.

    A best-responding target rejects only if its Z exceeds the threshold; a logit
    target rejects with probability 1 - sigmoid(lambda (threshold - Z)).
    """
    gap = threshold[:, None] - particles.z[rung]
    if np.isinf(rationality):
        p_accept = (gap >= -TIE).astype(float)
    else:
        p_accept = accept_probability(rationality, gap)
    w = weights[rows] * (1.0 - p_accept)
    dead = w.sum(axis=1) <= 1e-12
    w[dead] = 1.0  # an impossible observation: fall back to the prior
    weights[rows] = w
