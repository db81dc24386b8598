"""The engine: exact scripted traces, determinism and invariants (the decision rules'
known answers are in test_decisions.py, the closed forms in test_theory.py)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings

from sim import load_scenario, run
from sim.engine.compile import compile_scenario
from sim.engine.model import CrisisModel
from sim.engine.script import Script, ScriptError
from sim.runs.chunks import chunk_seed, run_chunk
from sim.scenario.loader import scenario_from_dict
from tests.files import BASELINE, TRACE
from tests.property import scenarios

# --- exact traces ------------------------------------------------------------------


def _trace(script: dict, seed: int = 1):
    cs = compile_scenario(load_scenario(TRACE))
    model = CrisisModel(cs, 1, rng=chunk_seed(seed, 0), trace_row=0, collect=False,
                        script=Script.from_dict(cs, script))
    model.run_model()
    return model, cs


def _summary(events):
    out = []
    for e in events:
        if e["kind"] == "proposal":
            out.append((e["round"], "verdicts", {j: v[0] for j, v in e["verdicts"].items()}))
        elif e["kind"] == "moves":
            out.append((e["round"], "moves", e["chosen"], e["new"]))
        elif e["kind"] in ("red_line", "end"):
            out.append((e["round"], e["kind"], e.get("ending", e.get("enforced"))))
    return out


def test_scripted_trace_is_exact():
    """Forced moves give exactly this round-by-round sequence and outcome."""
    model, cs = _trace({
        "blue": {"moves": {1: 1, 2: 1}},
        "red": {"moves": {1: 0, 2: 1}, "responses": {3: True}},
        "mediator": {"proposals": {3: {"enrichment": "low"}}},
    })
    assert _summary(model.trace.events) == [
        (1, "verdicts", {0: True, 1: False}),
        (1, "moves", {0: 1, 1: 0}, 1),
        (2, "verdicts", {0: True, 1: False}),
        (2, "moves", {0: 1, 1: 1}, 1),
        (3, "red_line", True),  # red's missiles reach 130 >= 125: blue strikes
        (3, "verdicts", {0: True, 1: True}),
        (3, "end", 0),
    ]
    assert model.outcomes()[0] == cs.outcome_ids.index("deal")
    assert model.state.peak[0] == 2
    assert model.state.first_escalator[0] == cs.actors.ids.index("blue")
    assert cs.packages.labels(model.state.deal[0]) == {"enrichment": "low"}


def test_scripted_strike_applies_its_effects_and_records_who_escalated_first():
    cs = compile_scenario(load_scenario(TRACE))
    script = Script.from_dict(cs, {"blue": {"moves": {1: 0, 2: 2}},
                                   "red": {"moves": {1: 1, 2: 1}}})
    model = CrisisModel(cs, 1, rng=chunk_seed(1, 0), collect=False, script=script)
    model.step()
    assert (model.state.rung[0], model.state.stocks[0, 0]) == (1, 110.0)
    model.step()  # growth to 120, then blue's strike campaign halves the missiles
    assert (model.state.rung[0], model.state.stocks[0, 0]) == (2, 60.0)
    assert cs.actors.ids[model.state.first_escalator[0]] == "red"


def test_script_errors_are_clear():
    cs = compile_scenario(load_scenario(TRACE))
    with pytest.raises(ScriptError, match="unknown actor 'green'"):
        Script.from_dict(cs, {"green": {"moves": {1: 1}}})
    with pytest.raises(ScriptError, match="'medium' is not a level of 'enrichment'"):
        Script.from_dict(cs, {"mediator": {"proposals": {1: {"enrichment": "medium"}}}})
    model = CrisisModel(cs, 1, rng=chunk_seed(1, 0),
                        script=Script.from_dict(cs, {"red": {"moves": {1: 2}}}))
    with pytest.raises(ScriptError, match="red cannot reach rung 2 in round 1"):
        model.run_model()


# --- determinism and identity --------------------------------------------------------


def test_same_seed_same_trials_any_workers():
    scenario = load_scenario(BASELINE)
    one = run(scenario, trials=4_000, seed=9, chunk_size=1_000, workers=1).trials
    two = run(scenario, trials=4_000, seed=9, chunk_size=1_000, workers=2).trials  # pool
    pd.testing.assert_frame_equal(one, two)
    other = run(scenario, trials=4_000, seed=10, chunk_size=1_000, workers=1).trials
    assert not one.equals(other)


def test_a_compellence_game_is_the_same_on_any_workers():
    """The equilibrium is solved in each worker process; the trials are still identical."""
    from tests.files import VALIDATION

    scenario = load_scenario(VALIDATION / "v4_audience_costs.yaml")
    one = run(scenario, trials=4_000, seed=9, chunk_size=1_000, workers=1).trials
    two = run(scenario, trials=4_000, seed=9, chunk_size=1_000, workers=2).trials
    pd.testing.assert_frame_equal(one, two)


def test_trial_depends_only_on_seed_chunk_size_and_index():
    """A chunk run on its own reproduces the rows it has inside a larger run."""
    cs = compile_scenario(load_scenario(BASELINE))
    whole = run(cs, trials=2_000, seed=4, chunk_size=500).trials
    chunk2 = run_chunk(cs, 2, 500, 4, 500).trials
    pd.testing.assert_frame_equal(whole.iloc[1000:1500].reset_index(drop=True), chunk2)


# --- invariants over generated scenarios -----------------------------------------------


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(scenarios())
def test_invariants_hold_for_generated_scenarios(data):
    scenario = scenario_from_dict(data)
    cs = compile_scenario(scenario)
    result = run(cs, trials=64, seed=2, chunk_size=32)
    t = result.trials
    summary = result.summary()
    shares = [o["share"] for o in summary["outcomes"]]
    assert np.isclose(sum(shares), 1.0) and not np.isnan(shares).any()
    assert (t.rounds >= 1).all() and (t.rounds <= cs.protocol.horizon).all()
    assert (t.peak_rung >= t.final_rung).all()
    assert (t.peak_rung >= cs.ladder.start).all()
    assert ((t.ended_by == "war") == (t.final_rung >= cs.ladder.war_rung)).all()
    assert ((t.ended_by == "deal") == (t.deal_issue0 != "")).all()
    named = {"deal", "war", "breakout"} & set(data["outcomes"])
    assert (t.outcome == np.where(t.ended_by.isin(named), t.ended_by, "stalemate")).all()
    assert ((t.war_cause != "") == (t.ended_by == "war")).all()
    assert ((t.war_by != "") <= t.war_cause.isin(["chosen", "red_line"])).all()
    # same seed, same numbers
    again = run(cs, trials=64, seed=2, chunk_size=32).trials
    pd.testing.assert_frame_equal(t, again)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(scenarios(max_horizon=1))
def test_no_breakdown_risk_and_no_war_moves_means_no_war(data):
    """War needs a route: with zero breakdown risk and no move to the war rung (and no
    red line that responds with war), no trial can end in war."""
    war_rung = data["ladder"]["war_rung"]
    for rung in data["ladder"]["rungs"]:
        rung["breakdown_risk"] = 0.0
    for actor in data["actors"].values():
        actor["moves"] = [m for m in actor["moves"] if m["rung"] < war_rung]
    for rl in data["red_lines"].values():
        if rl.get("response") is not None:
            rl["response"] = min(rl["response"], war_rung - 1)
    data["incidents"] = {"rate": 0.0}
    data["protocol"]["on_horizon"] = "stalemate"
    result = run(scenario_from_dict(data), trials=64, seed=1, chunk_size=64)
    assert (result.trials.ended_by != "war").all()
