"""Beliefs about another actor's reservation value, updated by Bayes' rule.

An observer does not know a target's private ``war_cost`` c and ``resolve`` r. The
target's reservation value in a round at rung r is

    R = q(r) (W_pub - c) + (1 - q(r)) delta V(t + 1) + resolve
      = centre + Z,   Z = resolve - q(r) c,

where everything in ``centre`` is public. The observer's prior over (c, resolve) is
held as K deterministic, equally likely particles (a stratified quantile grid of the
prior), so the belief needs no random numbers. Each trial keeps its own particle
weights; a rejection of an offer worth ``v`` to the target removes (or, for a logit
responder, down-weights) the particles that would have accepted it, the Bayesian
truncation of the screening model (Fearon 1995; Powell 1999, ch. 3).

To evaluate P(Z <= threshold) for many packages quickly, the particles' weights are
binned on an evenly spaced grid of Z (per rung) and the CDF is read off by linear
interpolation within bins; for a uniform prior this is exact.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sim.engine.choice import accept_probability
from sim.engine.payoffs import TIE

__all__ = ["BeliefGrid", "acceptance", "cdf_table", "make_belief_grid", "update_on_rejection"]

PARTICLES = 64  # per uncertain type; a product grid of 8 x 8 when both are uncertain
BINS = 32


@dataclass(frozen=True)
class BeliefGrid:
    """Particles of the private types, their Z at every rung, and the Z bins."""

    z: np.ndarray  # (n_rungs, K) each particle's Z at each rung
    lo: np.ndarray  # (n_rungs,) lower edge of the Z grid
    width: np.ndarray  # (n_rungs,) bin width (0: all particles share one Z)
    order: np.ndarray  # (n_rungs, K) particles sorted by bin
    ends: np.ndarray  # (n_rungs, BINS + 1) particles in bins below each edge
    prior_cdf: np.ndarray  # (n_rungs, BINS + 1) CDF at the bin edges under the prior


def _quantiles(dist, k: int) -> np.ndarray:
    lo, hi = dist.support()
    if lo == hi:
        return np.full(k, lo)
    return np.asarray(dist.ppf((np.arange(k) + 0.5) / k), dtype=float)


def make_belief_grid(war_cost, resolve, breakdown: np.ndarray, k: int = PARTICLES):
    """Deterministic particles of (war_cost, resolve) from their prior distributions."""
    c_fixed = war_cost.support()[0] == war_cost.support()[1]
    r_fixed = resolve.support()[0] == resolve.support()[1]
    if c_fixed or r_fixed:
        c, r = _quantiles(war_cost, k), _quantiles(resolve, k)
        per_axis = k
    else:  # a product grid of the two marginals
        per_axis = 8
        cc, rr = np.meshgrid(_quantiles(war_cost, per_axis), _quantiles(resolve, per_axis))
        c, r = cc.ravel(), rr.ravel()
    z = r[None, :] - breakdown[:, None] * c[None, :]
    zmin, zmax = z.min(axis=1), z.max(axis=1)
    pad = (zmax - zmin) / (2 * (per_axis - 1))  # half a quantile step: the support's edge
    lo = zmin - pad
    width = (zmax + pad - lo) / BINS
    pos = np.divide(z - lo[:, None], width[:, None], out=np.zeros_like(z),
                    where=width[:, None] > 0)
    b = np.clip(pos.astype(np.int64), 0, BINS - 1)
    order = np.argsort(b, axis=1, kind="stable")
    ends = np.stack([np.searchsorted(np.sort(row), np.arange(BINS + 1)) for row in b])
    prior_cdf = ends / len(c)
    return BeliefGrid(z=z, lo=lo, width=width, order=order, ends=ends, prior_cdf=prior_cdf)


def _cdf(cum: np.ndarray, lo: float, width: float, z0: float, thr: np.ndarray,
         rationality: float = np.inf) -> np.ndarray:
    """Piecewise-linear CDF with bin-edge values ``cum`` (rows, BINS + 1) at ``thr``.

    When every particle has the same Z the target's type is known: acceptance is a
    step at Z, or, for a logit target, the logit probability itself (Signorino 1999).
    """
    if width <= 0:
        if np.isinf(rationality):
            return (thr >= z0 - TIE).astype(float)
        return accept_probability(rationality, thr - z0)
    pos = thr - lo
    pos *= 1.0 / width
    np.clip(pos, 0.0, BINS - 1e-9, out=pos)  # below the grid: 0; above: 1
    b = pos.astype(np.intp)
    pos -= b  # the fraction of the bin below the threshold
    if cum.ndim == 1:
        left, right = cum[b], cum[b + 1]
    else:
        b += (np.arange(cum.shape[0]) * (BINS + 1))[:, None]
        c = cum.ravel()
        left, right = c[b], c[b + 1]
    right -= left
    right *= pos
    right += left
    return right


def acceptance(
    grid: BeliefGrid, weights: np.ndarray, rung: np.ndarray, threshold: np.ndarray,
    touched: np.ndarray, rationality: float = np.inf,
) -> np.ndarray:
    """P(Z <= threshold) under each trial's belief: (n, P) for thresholds (n, P).

    The plain-numpy statement of what :func:`sim.engine.kernels.accept_into` computes in one
    pass; the engine runs the kernel, and tests check the two agree exactly.
    ``touched`` marks rows whose weights differ from the prior's. A logit target's
    own noise is included exactly when its type is known; with an uncertain type the
    belief about its reservation value dominates and the noise is left out.
    """
    out = np.empty_like(threshold)
    for r in np.unique(rung):
        at_r = rung == r
        args = (float(grid.lo[r]), float(grid.width[r]), float(grid.z[r, 0]))
        if grid.width[r] <= 0:
            rows = np.flatnonzero(at_r)
            out[rows] = _cdf(None, *args, threshold[rows], rationality)
            continue
        rows = np.flatnonzero(at_r & ~touched)
        if len(rows):
            out[rows] = _cdf(grid.prior_cdf[r], *args, threshold[rows])
        rows = np.flatnonzero(at_r & touched)
        if len(rows):
            # CDF at the bin edges: cumulative weight of the particles sorted by bin
            w = weights[rows][:, grid.order[r]]
            cumw = np.zeros((len(rows), w.shape[1] + 1))
            np.cumsum(w, axis=1, out=cumw[:, 1:])
            cum = cumw[:, grid.ends[r]]
            cum /= np.maximum(cum[:, -1:], 1e-300)
            out[rows] = _cdf(cum, *args, threshold[rows])
    return out


def cdf_table(grid: BeliefGrid, weights: np.ndarray, rung: np.ndarray, touched: np.ndarray):
    """Each row's belief as a CDF at its rung's bin edges (n, BINS + 1), with the bins'
    lower edge, width (0 when the type is known) and the known type's Z, per row."""
    cum = grid.prior_cdf[rung]  # a copy: fancy indexing
    rows = np.flatnonzero(touched)
    for r in np.unique(rung[rows]):
        sub = rows[rung[rows] == r]
        w = weights[sub][:, grid.order[r]]
        cumw = np.zeros((len(sub), w.shape[1] + 1))
        np.cumsum(w, axis=1, out=cumw[:, 1:])
        c = cumw[:, grid.ends[r]]
        c /= np.maximum(c[:, -1:], 1e-300)
        cum[sub] = c
    return cum, grid.lo[rung], grid.width[rung], grid.z[rung, 0]


def update_on_rejection(
    grid: BeliefGrid,
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
    gap = threshold[:, None] - grid.z[rung]
    if np.isinf(rationality):
        p_accept = (gap >= -TIE).astype(float)
    else:
        p_accept = accept_probability(rationality, gap)
    w = weights[rows] * (1.0 - p_accept)
    dead = w.sum(axis=1) <= 1e-12
    w[dead] = 1.0  # an impossible observation: fall back to the prior
    weights[rows] = w
