"""The compiled kernels agree exactly with plain numpy statements of the same rules."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sim.engine import beliefs as bel
from sim.engine.kernels import accept_into, plan_round
from sim.engine.payoffs import TIE
from sim.scenario.distributions import Beta, Fixed, Triangular, Uniform

PRIORS = {
    "uniform": Uniform(dist="uniform", low=0.0, high=0.4),
    "beta": Beta(dist="beta", a=2.0, b=5.0, low=0.0, high=0.5),
    "triangular": Triangular(dist="triangular", low=0.0, mode=0.1, high=0.4),
}


@settings(max_examples=40, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), war=st.sampled_from(sorted(PRIORS)),
       resolve=st.sampled_from(["fixed", "uniform"]), lam=st.sampled_from([np.inf, 25.0]))
def test_acceptance_kernel_equals_numpy_reference(seed, war, resolve, lam):
    rng = np.random.default_rng(seed)
    breakdown = np.array([0.0, 0.3, 1.0])
    c = PRIORS[war]
    r = Fixed(value=0.05) if resolve == "fixed" else Uniform(dist="uniform", low=0, high=0.1)
    prior, particles = bel.make_prior(c, r, breakdown), bel.make_particles(c, r, breakdown)
    n, C = 60, 9
    weights = rng.random((n, particles.z.shape[1]))
    touched = rng.random(n) < 0.5
    weights[~touched] = 1.0
    rung = rng.integers(0, 3, n)
    u = rng.random(C)
    centre = rng.normal(0.3, 0.3, n)
    floor = np.where(rng.random(n) < 0.5, rng.random(n) * 0.9, 0.0)
    reference = bel.acceptance(prior, particles, weights, rung, u[None, :] - centre[:, None],
                               touched, lam, floor)
    p_all = np.ones((n, C))
    cum = bel.cdf_table(particles, weights, rung, touched)
    mode = np.where(prior.known[rung], 0, np.where(touched, 2, 1))
    none_f, none_b = np.zeros((0, n)), np.zeros((0, n), dtype=bool)
    accept_into(p_all, np.ones(n), centre, u, none_f, np.zeros((0, C)), mode, prior.knots,
                rung, floor, cum, particles.lo[rung], particles.width[rung],
                prior.knots[rung, 0], lam, TIE, np.ones(C), none_b, np.zeros((0, C), dtype=bool))
    np.testing.assert_array_max_ulp(p_all, reference, maxulp=0)


def test_declared_veto_zeroes_acceptance():
    n, C = 3, 4
    p_all = np.ones((n, C))
    z = np.zeros(n)
    known = np.array([[True, False, True]])
    vmask = np.array([[False, True, True, False]])
    mode = np.zeros(n, dtype=np.int64)
    accept_into(p_all, np.ones(n), z - 10, np.zeros(C), np.zeros((0, n)), np.zeros((0, C)),
                mode, np.zeros((1, 3)), mode, z, np.zeros((n, 3)), z, z, z, np.inf, TIE,
                np.ones(C), known, vmask)
    assert p_all.tolist() == [[1, 0, 0, 1], [1, 1, 1, 1], [1, 0, 0, 1]]


@settings(max_examples=40, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), mediator=st.booleans())
def test_plan_round_equals_numpy_reference(seed, mediator):
    rng = np.random.default_rng(seed)
    J, N, C = 2, 30, 12
    u = rng.random((J, C))
    scale = rng.choice([1.0, 0.1], (J, N))
    carry = rng.random((J, N)) * (scale < 1)
    floor = rng.random((J, N)) * 0.6
    cost = rng.random((J, N, C)) * (rng.random((J, N, C)) < 0.2)
    allowed = rng.random((J, N, C)) < 0.9
    score = rng.random((N, C))
    best = np.empty(N, dtype=np.int64)
    feasible = np.empty(N, dtype=np.bool_)
    plan_round(u, scale, carry, floor, cost, allowed, score, mediator, TIE, best, feasible)
    # numpy: every party accepts, then the best score (or Nash product) among those
    gain = scale[:, :, None] * u[:, None, :] - cost + carry[:, :, None] - floor[:, :, None]
    ok = (allowed & (gain >= -TIE)).all(axis=0)
    nash = np.prod(np.maximum(gain, 0) + 1e-9, axis=0)
    objective = nash if mediator else score
    want = np.argmax(np.where(ok, objective, -np.inf), axis=1)
    assert np.array_equal(feasible, ok.any(axis=1))
    assert np.array_equal(best[feasible], want[feasible])


@settings(max_examples=30, deadline=None)
@given(seed=st.integers(0, 2**32 - 1))
def test_posterior_kernel_equals_numpy_reference(seed):
    rng = np.random.default_rng(seed)
    c, r = PRIORS["beta"], Uniform(dist="uniform", low=0, high=0.1)
    particles = bel.make_particles(c, r, np.array([0.0, 0.3, 1.0]))
    n = 40
    weights = rng.random((n, particles.z.shape[1])) * (rng.random((n, 1)) < 0.8)
    rung = rng.integers(0, 3, n)
    touched = rng.random(n) < 0.6
    got = bel.cdf_table(particles, weights, rung, touched)
    for i in range(n):
        want = bel._posterior_cdf(particles, weights[i : i + 1], rung[i])[0] if touched[i] \
            else np.zeros(bel.BINS + 1)
        np.testing.assert_array_max_ulp(got[i], want, maxulp=0)


@pytest.mark.parametrize("shifts", [64, 13, 3])
def test_the_mixture_cdf_kernel_is_numpys_interp_and_sum_bit_for_bit(shifts):
    """sim.engine.beliefs builds a prior's table for two uncertain types from
    sum_j F_r(z + q c_j); the kernel must equal np.interp(...).sum(axis=1) exactly
    (numpy's pairwise sum included), at knots, between them and beyond both ends."""
    from scipy import stats

    from sim.engine.kernels import mixture_cdf_into

    u = np.linspace(0.0, 1.0, 4097)
    xp = stats.beta(0.5, 0.5).ppf(u)
    shift = 0.3 * stats.triang(0.2).ppf((np.arange(shifts) + 0.5) / shifts)
    z = np.linspace(-0.4, 1.1, 8193)
    z[100] = xp[50] - shift[0]  # exactly at a knot
    z.sort()
    expected = np.interp(z[:, None] + shift[None, :], xp, u).sum(axis=1)
    got = np.zeros_like(z)
    mixture_cdf_into(got, z, shift, xp, u)
    assert np.array_equal(got, expected)
