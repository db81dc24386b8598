"""Metamorphic properties over generated scenarios (Hypothesis): change one input in a
known direction, with common random numbers, and the output must not move the other
way. Where a property holds trial by trial the test is exact; where it holds only in
probability the paired difference must stay within Monte Carlo error (4 SE)."""

from __future__ import annotations

import copy

import numpy as np
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from sim import run
from sim.scenario.loader import scenario_from_dict
from tests.property import scenarios

TRIALS = 400
FAST = settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _trials(data: dict, n: int = TRIALS):
    return run(scenario_from_dict(data), trials=n, seed=3, chunk_size=n).trials


def _not_significantly_above(before: np.ndarray, after: np.ndarray) -> bool:
    """The paired mean of after - before is at most 4 standard errors above zero."""
    d = after.astype(float) - before.astype(float)
    return d.mean() <= 4 * d.std(ddof=1) / np.sqrt(len(d)) + 1e-12 if d.any() else True


def _shift(value, by: float):
    """A number or distribution moved up by ``by`` (every parameter that locates it)."""
    if not isinstance(value, dict):
        return value + by
    out = dict(value)
    for key in ("low", "high", "mode", "mu", "value"):
        if key in out:
            out[key] = out[key] + by
    return out


def _scripted_rejections(data: dict) -> dict:
    """Every party rejects every round, no actor moves, no incidents: only breakdown
    and red lines change the rung."""
    data = copy.deepcopy(data)
    for actor in data["actors"].values():
        actor["moves"] = []
    data["incidents"] = {"rate": 0.0}
    return data


@FAST
@given(scenarios(), st.floats(0.01, 0.5))
def test_more_breakdown_risk_never_lowers_war_trial_by_trial(data, extra):
    """With every offer rejected and nobody moving, a trial slides into war in round t
    when its round-t breakdown number falls below the rung's risk. Raising every rung's
    risk (common random numbers: the same numbers) can only make that happen sooner, so
    every trial at war before is at war after."""
    data = _scripted_rejections(data)
    horizon = data["protocol"]["horizon"]
    script = {p: {"responses": dict.fromkeys(range(1, horizon + 1), False)}
              for p in data["protocol"]["parties"]}
    riskier = copy.deepcopy(data)
    for rung in riskier["ladder"]["rungs"]:
        rung["breakdown_risk"] = min(1.0, rung["breakdown_risk"] + extra)
    before = run(scenario_from_dict(data), trials=TRIALS, seed=3, chunk_size=TRIALS,
                 script=script).trials
    after = run(scenario_from_dict(riskier), trials=TRIALS, seed=3, chunk_size=TRIALS,
                script=script).trials
    war_before, war_after = before.ended_by == "war", after.ended_by == "war"
    assert not (war_before & ~war_after).any()
    assert (after.rounds[war_before] <= before.rounds[war_before]).all()


@FAST
@given(scenarios(), st.data(), st.floats(0.05, 0.4))
def test_a_higher_war_cost_never_raises_the_actors_own_chosen_war(data, pick, extra):
    """An actor that finds war costlier values the war option less (and every rung's
    risk less) and accepts more readily: it chooses war no more often.

    Not its whole side: an ally's higher war cost weakens the coalition's bargaining
    position, and an ally who bears no more cost may then prefer war (Hypothesis found
    such a case; docs/model.md, "What the engine does not promise")."""
    sided = [a for a, spec in data["actors"].items() if "side" in spec]
    actor = pick.draw(st.sampled_from(sided))
    costlier = copy.deepcopy(data)
    costlier["actors"][actor]["war_cost"] = _shift(data["actors"][actor]["war_cost"], extra)
    before, after = _trials(data), _trials(costlier)

    def chosen(t):
        return ((t.war_cause == "chosen") & (t.war_by == actor)).to_numpy()

    assert _not_significantly_above(chosen(before), chosen(after))


@FAST
@given(scenarios())
def test_removing_a_package_red_line_never_lowers_deals_on_its_packages(data):
    """Without the line, its packages are never vetoed, cost no audience cost and look
    no less acceptable to a proposer: deals on them do not become rarer."""
    assume("package_line" in data["red_lines"])
    level = data["red_lines"]["package_line"]["condition"]["issue0"]["at_most"]
    without = copy.deepcopy(data)
    del without["red_lines"]["package_line"]
    levels = data["issues"]["issue0"]["levels"]
    masked = levels[: levels.index(level) + 1]

    def dealt(t):
        return ((t.ended_by == "deal") & t.deal_issue0.isin(masked)).to_numpy()

    before, after = _trials(data), _trials(without)
    assert _not_significantly_above(dealt(after), dealt(before))
