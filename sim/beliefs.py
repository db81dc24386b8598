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
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

__all__ = ["BeliefGrid", "acceptance", "make_belief_grid", "update_on_rejection"]

PARTICLES = 64


@dataclass(frozen=True)
class BeliefGrid:
    """Particles of Z for every rung, sorted, as bins of equal prior mass.

    Particle k of rung r spreads its weight uniformly over
    ``[edges[r, k], edges[r, k + 1]]`` (edges halfway between sorted particles), so
    the belief's CDF is piecewise linear: exact for a uniform prior.
    """

    edges: np.ndarray  # (n_rungs, K + 1) bin edges in sorted order
    order: np.ndarray  # (n_rungs, K) particle index of each sorted position
    rank: np.ndarray  # (n_rungs, K) sorted position of each particle
    z: np.ndarray  # (n_rungs, K) particle values, unsorted
    degenerate: bool  # the prior is a point mass: acceptance is a step


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
        c = _quantiles(war_cost, k)
        r = _quantiles(resolve, k)
    else:  # a product grid of the two marginals
        side = int(np.sqrt(k))
        cc, rr = np.meshgrid(_quantiles(war_cost, side), _quantiles(resolve, side))
        c, r = cc.ravel(), rr.ravel()
    z = r[None, :] - breakdown[:, None] * c[None, :]
    order = np.argsort(z, axis=1, kind="stable")
    zs = np.take_along_axis(z, order, axis=1)
    mid = 0.5 * (zs[:, 1:] + zs[:, :-1])
    first = zs[:, :1] - (mid[:, :1] - zs[:, :1])
    last = zs[:, -1:] + (zs[:, -1:] - mid[:, -1:])
    edges = np.concatenate([first, mid, last], axis=1)
    return BeliefGrid(
        edges=edges,
        order=order,
        rank=np.argsort(order, axis=1),
        z=z,
        degenerate=bool(c_fixed and r_fixed),
    )


def _mass_below(edges: np.ndarray, threshold: np.ndarray) -> np.ndarray:
    """Share of each bin's mass at or below the threshold (thresholds broadcast)."""
    width = edges[..., 1:] - edges[..., :-1]
    gap = threshold - edges[..., :-1]
    with np.errstate(divide="ignore", invalid="ignore"):
        frac = np.where(width > 0, gap / np.where(width > 0, width, 1.0), (gap >= 0) * 1.0)
    return np.clip(frac, 0.0, 1.0)


def acceptance(
    grid: BeliefGrid, weights: np.ndarray, rung: np.ndarray, threshold: np.ndarray
) -> np.ndarray:
    """P(Z <= threshold) under each trial's belief: (n, P) for thresholds (n, P)."""
    out = np.empty_like(threshold)
    prior = np.linspace(0.0, 1.0, grid.edges.shape[1])
    untouched = np.all(weights == weights[:, :1], axis=1)
    for r in np.unique(rung):
        at_r = rung == r
        rows = np.flatnonzero(at_r & untouched)  # prior belief: its CDF directly
        if len(rows):
            out[rows] = np.interp(threshold[rows], grid.edges[r], prior)
        rows = np.flatnonzero(at_r & ~untouched)
        if len(rows) == 0:
            continue
        w = weights[rows][:, grid.order[r]]
        w /= np.maximum(w.sum(axis=1, keepdims=True), 1e-300)
        cum = np.concatenate([np.zeros((len(rows), 1)), np.cumsum(w, axis=1)], axis=1)
        e = grid.edges[r]
        thr = threshold[rows]
        bin_ = np.clip(np.searchsorted(e, thr, side="right") - 1, 0, len(e) - 2)
        lo, hi = e[bin_], e[bin_ + 1]
        width = hi - lo
        with np.errstate(divide="ignore", invalid="ignore"):
            frac = np.where(width > 0, (thr - lo) / np.where(width > 0, width, 1.0), 1.0)
        frac = np.clip(frac, 0.0, 1.0)
        below = np.take_along_axis(cum, bin_, axis=1)
        inside = np.take_along_axis(w, bin_, axis=1)
        p = below + inside * frac
        out[rows] = np.where(thr < e[0], 0.0, np.where(thr >= e[-1], 1.0, p))
    return out


def update_on_rejection(
    grid: BeliefGrid,
    weights: np.ndarray,
    rows: np.ndarray,
    rung: np.ndarray,
    threshold: np.ndarray,
    rationality: float,
) -> None:
    """Down-weight, in place, particles that would have accepted (Bayes' rule).

    A best-responding target rejects only if its Z exceeds the threshold: each
    particle keeps the share of its bin above it. A logit target rejects with
    probability 1 - sigmoid(lambda (threshold - Z)).
    """
    r = rung[rows]
    thr = threshold[rows][:, None]
    if np.isinf(rationality):
        edges = grid.edges[r]  # (n, K + 1) sorted bins
        below_sorted = _mass_below(edges, thr)
        p_accept = np.take_along_axis(below_sorted, grid.rank[r], axis=1)
    else:
        gap = thr - grid.z[r]
        p_accept = 1.0 / (1.0 + np.exp(-np.clip(rationality * gap, -700, 700)))
    w = weights[rows] * (1.0 - p_accept)
    dead = w.sum(axis=1) <= 1e-12
    w[dead] = 1.0  # an impossible observation: fall back to the prior
    weights[rows] = w
