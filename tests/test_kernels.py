"""The compiled kernels agree exactly with plain numpy formulations of the same rules."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from sim.engine import beliefs as bel
from sim.engine.kernels import accept_into, plan_round
from sim.engine.payoffs import TIE
from sim.scenario.distributions import Fixed, Uniform


@settings(max_examples=40, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), cbar=st.floats(0.05, 1.0), rbar=st.floats(0.0, 0.5),
       fixed=st.booleans())
def test_acceptance_kernel_equals_numpy_reference(seed, cbar, rbar, fixed):
    rng = np.random.default_rng(seed)
    breakdown = np.array([0.0, 0.3, 1.0])
    war_cost = Fixed(value=cbar / 2) if fixed else Uniform(dist="uniform", low=0.0, high=cbar)
    resolve = Uniform(dist="uniform", low=0.0, high=rbar) if rbar > 0.01 else Fixed(value=0.0)
    grid = bel.make_belief_grid(war_cost, resolve, breakdown)
    n, C = 50, 9
    weights = rng.random((n, grid.z.shape[1]))
    touched = rng.random(n) < 0.5
    weights[~touched] = 1.0
    rung = rng.integers(0, 3, n)
    u = rng.random(C)
    centre = rng.normal(0.3, 0.3, n)
    reference = bel.acceptance(grid, weights, rung, u[None, :] - centre[:, None], touched)
    p_all = np.ones((n, C))
    cum, lo, width, z0 = bel.cdf_table(grid, weights, rung, touched)
    none_f, none_b = np.zeros((0, n)), np.zeros((0, n), dtype=bool)
    accept_into(p_all, np.ones(n), centre, u, none_f, np.zeros((0, C)), cum, lo, width, z0,
                np.inf, TIE, np.ones(C), none_b, np.zeros((0, C), dtype=bool))
    assert np.array_equal(p_all, reference)


def test_declared_veto_zeroes_acceptance():
    n, C = 3, 4
    p_all = np.ones((n, C))
    z = np.zeros(n)
    known = np.array([[True, False, True]])
    vmask = np.array([[False, True, True, False]])
    accept_into(p_all, np.ones(n), z - 10, np.zeros(C), np.zeros((0, n)), np.zeros((0, C)),
                np.zeros((n, 3)), z, z, z, np.inf, TIE, np.ones(C), known, vmask)
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
