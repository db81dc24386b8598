"""The innermost loops, compiled with numba: acceptance estimates over packages, one
round of backward induction, posterior CDFs, and the quadrature behind a prior's table
when two types are uncertain. Each is a single pass with no temporary arrays; the
arithmetic is the numpy reference's, operation for operation (no fastmath), so results
do not depend on which path ran. ``cache=True`` keeps the compiled code on disk.

The kernels are tested against their numpy statements in ``tests/test_kernels.py``.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit

__all__ = ["accept_into", "mixture_cdf_into", "plan_round", "posterior_into"]


@njit(cache=True, nogil=True)
def accept_into(p_all, scale, centre, u, coef, mask, mode, table, table_row, floor, cum, lo,
                width, z0, lam, tie, evp, known, vmask):
    """Multiply ``p_all`` (n, C) by one responder's acceptance probabilities.

    Row i, package x: the threshold is ``scale[i] u[x] - centre[i] - sum_l coef[l, i]
    mask[l, x]`` (utility net of audience costs, less the public part of the
    reservation value), and acceptance is P(Z <= threshold) under row i's belief:

    - ``mode[i] == 0``: the type is known, a step at ``z0[i]`` (best response) or a
      logit with precision ``lam``;
    - ``mode[i] == 1``: the prior, read from quantile knots ``table[table_row[i]]``
      (P(Z <= knot k) = k / (len - 1), linear between knots) and cut at ``floor[i]``
      (the prior's CDF where a truncation left it): (F - floor) / (1 - floor);
    - ``mode[i] == 2``: a posterior, the piecewise-linear CDF ``cum[i]`` on bins
      ``lo[i] + width[i] * b``.

    ``evp[x]`` is the prior chance no red line vetoes x; a red line ``k`` the responder
    has declared binding in row i (``known[k, i]``) vetoes every package in ``vmask[k]``.
    """
    n, C = p_all.shape
    bins = cum.shape[1] - 1
    last = table.shape[1] - 1
    n_lines = coef.shape[0]
    n_vetoes = known.shape[0]
    for i in range(n):
        for x in range(C):
            declared = False
            for k in range(n_vetoes):
                if known[k, i] and vmask[k, x]:
                    declared = True
            if declared:
                p_all[i, x] = 0.0
                continue
            thr = scale[i] * u[x] - centre[i]
            for k in range(n_lines):
                thr -= coef[k, i] * mask[k, x]
            if mode[i] == 0:
                if math.isinf(lam):
                    p = 1.0 if thr >= z0[i] - tie else 0.0
                else:
                    # scipy.special.expit's formula (sim.engine.choice.accept_probability),
                    # which numba cannot call; equal to the last bit (tests/test_kernels.py).
                    p = 1.0 / (1.0 + math.exp(-lam * (thr - z0[i])))
            elif mode[i] == 1:
                knots = table[table_row[i]]
                if thr < knots[0]:
                    p = 0.0
                elif thr >= knots[last]:
                    p = 1.0
                else:  # the last knot <= thr: numpy's searchsorted(side="right") - 1
                    a, b = 0, last
                    while b - a > 1:
                        mid = (a + b) // 2
                        if knots[mid] <= thr:
                            a = mid
                        else:
                            b = mid
                    span = knots[a + 1] - knots[a]
                    f = (thr - knots[a]) / span if span > 0.0 else 1.0
                    f = min(max(f, 0.0), 1.0)
                    p = (a + f) / last
                p = max((p - floor[i]) / (1.0 - floor[i]), 0.0) if floor[i] < 1.0 else 0.0
            elif width[i] <= 0.0:  # every particle at one Z: a step there
                p = 1.0 if thr >= lo[i] - tie else 0.0
            else:
                pos = (thr - lo[i]) * (1.0 / width[i])
                pos = min(max(pos, 0.0), bins - 1e-9)
                b = int(pos)
                f = pos - b
                left = cum[i, b]
                p = left + (cum[i, b + 1] - left) * f
            p_all[i, x] *= p * evp[x]


@njit(cache=True, nogil=True)
def plan_round(u, scale, carry, floor, cost, allowed, score, mediator, tie, best, feasible):
    """One round of backward induction for every trial.

    ``u`` (J, C): the parties' utilities of the candidate packages; ``scale``, ``carry``,
    ``floor`` (J, N): bargaining terms and the least each party accepts; ``cost`` (J, N,
    C) audience costs; ``allowed`` (J, N, C) packages no binding red line forbids. The
    chosen package maximises ``score`` (N, C) (a party proposer's objective) or, for a
    mediator, the Nash product of gains, among packages every party accepts. Writes the
    chosen candidate (first of equals) into ``best`` and whether any exists into
    ``feasible``.
    """
    J, C = u.shape
    N = best.shape[0]
    for i in range(N):
        top = -np.inf
        pick = 0
        found = False
        for x in range(C):
            ok = True
            nash = 1.0
            for j in range(J):
                if not allowed[j, i, x]:
                    ok = False
                    break
                gain = scale[j, i] * u[j, x] - cost[j, i, x] + carry[j, i] - floor[j, i]
                if gain < -tie:
                    ok = False
                    break
                nash *= max(gain, 0.0) + 1e-9
            if ok:
                s = nash if mediator else score[i, x]
                if not found or s > top:
                    top = s
                    pick = x
                    found = True
        best[i] = pick
        feasible[i] = found


@njit(cache=True, nogil=True)
def posterior_into(cum, weights, rung, bin_of, touched):
    """Each touched row's posterior CDF at its rung's bin edges, written into ``cum``
    (n, BINS + 1): the particle weights summed into their bins (``bin_of[rung[i]]``) in
    particle order, accumulated and normalised. Rows not touched are left alone."""
    n, K = weights.shape
    B = cum.shape[1] - 1
    for i in range(n):
        if not touched[i]:
            continue
        bins = bin_of[rung[i]]
        for k in range(K):
            cum[i, bins[k] + 1] += weights[i, k]
        for b in range(1, B + 1):
            cum[i, b] += cum[i, b - 1]
        total = max(cum[i, B], 1e-300)
        for b in range(B + 1):
            cum[i, b] /= total


@njit(cache=True, nogil=True)
def mixture_cdf_into(cdf, z, shift, xp, fp):
    """Add sum_j F(z_i + shift_j) to ``cdf[i]`` for every grid point z_i (increasing), F
    the piecewise-linear function through (xp, fp) (xp increasing), constant beyond
    its ends: ``np.interp(z[:, None] + shift[None, :], xp, fp).sum(axis=1)``, bit for
    bit (numpy's interpolation formula and its pairwise sum of 8 running totals, for
    up to 128 shifts), in one sorted walk per shift instead of a binary search per
    point.
    """
    G, K = z.shape[0], shift.shape[0]
    last = xp.shape[0] - 1
    slopes = np.empty(last)
    for k in range(last):
        slopes[k] = (fp[k + 1] - fp[k]) / (xp[k + 1] - xp[k])
    at = np.zeros(K, dtype=np.int64)  # each shift's knot: z rises, so it only moves up
    r = np.empty(8)
    rest = np.empty(8)
    top = K - K % 8
    for i in range(G):
        total = 0.0
        for j in range(K):
            x = z[i] + shift[j]
            if x > xp[last]:
                v = fp[last]
            elif x < xp[0]:
                v = fp[0]
            else:
                k = at[j]
                while k < last and xp[k + 1] <= x:
                    k += 1
                at[j] = k
                if k == last or xp[k] == x:
                    v = fp[k]
                else:
                    v = slopes[k] * (x - xp[k]) + fp[k]
                    if math.isnan(v):
                        v = slopes[k] * (x - xp[k + 1]) + fp[k + 1]
                        if math.isnan(v) and fp[k] == fp[k + 1]:
                            v = fp[k]
            if K < 8 or j >= top:
                rest[j - top if K >= 8 else j] = v
            elif j < 8:
                r[j] = v
            else:
                r[j % 8] += v
        if K >= 8:
            total = ((r[0] + r[1]) + (r[2] + r[3])) + ((r[4] + r[5]) + (r[6] + r[7]))
            for m in range(K - top):
                total += rest[m]
        else:
            for m in range(K):
                total += rest[m]
        cdf[i] += total


def warm_up() -> None:
    """Load the kernels' compiled code (from numba's cache) with the argument types the
    engine uses, so a worker forked afterwards does not pay for it on its first chunk."""
    f, b = np.float64, np.bool_
    one = np.ones((1, 1), dtype=f)
    v = np.zeros(1, dtype=f)
    none_f = np.zeros((0, 1), dtype=f)
    none_b = np.zeros((0, 1), dtype=b)
    mode = np.zeros(1, dtype=np.int64)
    accept_into(one.copy(), v, v, v, none_f, none_f, mode, np.zeros((1, 3), dtype=f), mode, v,
                np.zeros((1, 3), dtype=f), v, v, v, np.inf, 1e-9, np.ones(1, dtype=f), none_b,
                none_b)
    posterior_into(np.zeros((1, 3), dtype=f), one, mode, np.zeros((1, 1), dtype=np.int64),
                   np.ones(1, dtype=b))
    plan_round(one, one, one, one, np.zeros((1, 1, 1), dtype=f), np.ones((1, 1, 1), dtype=b),
               one, True, 1e-9, np.zeros(1, dtype=np.int64), np.zeros(1, dtype=b))
    mixture_cdf_into(np.zeros(2, dtype=f), np.zeros(2, dtype=f), np.zeros(2, dtype=f),
                     np.array([0.0, 1.0]), np.array([0.0, 1.0]))
