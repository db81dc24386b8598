"""The classic models, reproduced by the ordinary engine at points beyond THEORY.md's
test points (closed forms computed in sim.studies.theory from the same scenario)."""

from __future__ import annotations

import json

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sim import load_scenario, run, theory
from sim.cli import main
from sim.engine.compile import compile_scenario
from sim.scenario.loader import scenario_from_dict
from tests.files import VALIDATION


def _data(name: str) -> dict:
    return load_scenario(VALIDATION / name).model_dump(mode="json", exclude_none=True)


def test_sheet_test_points():
    """THEORY.md's numbers, from the closed forms as sim.studies.theory computes them."""
    v1 = theory.v1_closed_form(compile_scenario(load_scenario(VALIDATION / "v1_risk_return.yaml")))
    assert v1["x_star"] == pytest.approx(0.40) and v1["p_war"] == pytest.approx(1 / 3)
    v3 = theory.v3_closed_form(compile_scenario(load_scenario(VALIDATION / "v3_breakdown.yaml")))
    assert v3["share"] == pytest.approx(0.58333, abs=1e-5)
    rub = theory.v3_closed_form(compile_scenario(load_scenario(VALIDATION / "v3_discounting.yaml")))
    assert rub["share"] == pytest.approx(0.52632, abs=1e-5)


@pytest.mark.parametrize(("d_a", "d_b", "expected"), [(0.9, 0.9, 0.52632), (0.9, 0.8, 0.71429)])
def test_rubinstein_by_backward_induction(d_a, d_b, expected):
    data = _data("v3_discounting.yaml")
    data["actors"]["a"]["discount"] = d_a
    data["actors"]["b"]["discount"] = d_b
    cs = compile_scenario(scenario_from_dict(data))
    assert theory.v3_closed_form(cs)["share"] == pytest.approx(expected, abs=1e-5)
    t = run(cs, trials=4, seed=1).trials
    assert (t.rounds == 1).all() and (t.ended_by == "deal").all()
    share = float(t.deal_share.iloc[0])
    assert abs(share - expected) <= theory.v3_closed_form(cs)["bound"] + 1e-5


@settings(max_examples=6, deadline=None)
@given(q=st.floats(0.2, 0.9), c_a=st.floats(0.0, 0.3), c_b=st.floats(0.0, 0.3))
def test_breakdown_risk_split_at_other_points(q, c_a, c_b):
    data = _data("v3_breakdown.yaml")
    data["ladder"]["rungs"][0]["breakdown_risk"] = q
    data["actors"]["a"]["war_cost"] = c_a
    data["actors"]["b"]["war_cost"] = c_b
    data["protocol"]["horizon"] = 40
    cs = compile_scenario(scenario_from_dict(data))
    cf = theory.v3_closed_form(cs)
    t = run(cs, trials=2, seed=1).trials
    assert (t.ended_by == "deal").all() and (t.rounds == 1).all()
    assert abs(float(t.deal_share.iloc[0]) - cf["share"]) <= cf["bound"] + 1e-9


@pytest.mark.parametrize("lam", [3.0, 30.0])
def test_logit_tree_at_other_precisions(lam):
    data = _data("v8_logit.yaml")
    data["actors"]["a"]["rationality"] = lam
    data["actors"]["b"]["rationality"] = lam
    cs = compile_scenario(scenario_from_dict(data))
    cf = theory.v8_closed_form(cs)
    n = 30_000
    t = run(cs, trials=n, seed=2).trials
    offered = t.last_offer_share.astype(float).to_numpy()
    accepted = (t.ended_by == "deal").to_numpy()
    for k, x in enumerate(cf["x"]):
        p = cf["offer"][k]
        freq = np.isclose(offered, x).mean()
        assert abs(freq - p) < 4 * np.sqrt(p * (1 - p) / n) + 1e-12, (x, freq, p)
    p_acc = cf["p_accept"]
    assert abs(accepted.mean() - p_acc) < 4 * np.sqrt(p_acc * (1 - p_acc) / n)


def test_logit_converges_to_subgame_perfect_path():
    probs = []
    for lam in (1.0, 10.0, 100.0, 1000.0):
        data = _data("v8_logit.yaml")
        data["actors"]["a"]["rationality"] = lam
        data["actors"]["b"]["rationality"] = lam
        probs.append(theory.v8_closed_form(compile_scenario(scenario_from_dict(data)))
                     ["p_spe_path"])
    assert probs == sorted(probs) and probs[-1] > 0.999


def test_theory_command_table_and_exit_status(capsys, monkeypatch):
    assert main(["theory", "--trials", "4000", "--seed", "1"]) == 0
    out = capsys.readouterr().out
    assert "Fearon 1995" in out and "Rubinstein 1982" in out and "Signorino 1999" in out
    assert "checks agree" in out and " NO " not in out
    assert main(["theory", "--trials", "4000", "--format", "json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert all(r["agree"] for r in rows)
    # A wrong closed form must be caught: exit status 1.
    real = theory.v1_closed_form
    monkeypatch.setattr(theory, "v1_closed_form", lambda cs: {**real(cs), "p_war": 0.5})
    assert main(["theory", "--trials", "4000"]) == 1
    assert "disagreeing: V1" in capsys.readouterr().out


@settings(max_examples=12, deadline=None)
@given(p1=st.floats(0.1, 0.49), c_d=st.floats(0.0, 0.2), delta=st.floats(0.3, 0.95))
def test_commitment_problem_at_other_points(p1, c_d, delta):
    """War now iff delta (p0 - p1) > (1 - delta)(1 - p0 + c_D), with p0 = 0.5."""
    from hypothesis import assume

    p0 = 0.5
    margin = delta * (p0 - p1) - (1 - delta) * (1 - p0 + c_d)
    assume(abs(margin) > 1e-3)
    rise = (1 - p1) / p1 - 1.0  # R's extra capability after the shift
    data = _data("v2_commitment.yaml")
    data["stocks"]["r_rearmament"].update(initial=-rise, growth=rise, min=-rise, max=rise)
    data["actors"]["d"]["war_cost"] = c_d
    data["actors"]["d"]["discount"] = delta
    data["actors"]["r"]["discount"] = delta
    data["protocol"]["horizon"] = 120
    cs = compile_scenario(scenario_from_dict(data))
    cf = theory.v2_closed_form(cs)
    assert cf["p0"] == pytest.approx(p0) and cf["p1"] == pytest.approx(p1)
    assert cf["war"] == float(margin > 0)
    t = run(cs, trials=3, seed=1).trials
    assert ((t.ended_by == "war") == (margin > 0)).all()
    assert ((t.rounds == 1) == (margin > 0)).all()  # war comes at once, or never
