"""The classic models, reproduced by the ordinary engine at points beyond the sheet's
test points (closed forms in sim.studies.closed_forms, mapped by sim.studies.theory)."""

from __future__ import annotations

import json

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from scipy.special import expit

from sim import load_scenario, run, theory
from sim.cli import main
from sim.engine.compile import compile_scenario
from sim.scenario.loader import scenario_from_dict
from sim.studies import closed_forms as cf
from tests.files import VALIDATION


def _data(name: str) -> dict:
    return load_scenario(VALIDATION / name).model_dump(mode="json", exclude_none=True)


def _cs(data: dict):
    return compile_scenario(scenario_from_dict(data))


# --- the closed forms themselves, by hand ---------------------------------------------------


def test_sheet_test_points():
    """The theory sheet's numbers: V1 x* = 0.40, P(war) = 1/3; V3 0.58333 and 0.52632."""
    v1 = theory.v1_closed_form(compile_scenario(load_scenario(VALIDATION / "v1_risk_return.yaml")))
    assert v1["x_star"] == pytest.approx(0.40) and v1["p_war"] == pytest.approx(1 / 3)
    v3 = theory.v3_closed_form(compile_scenario(load_scenario(VALIDATION / "v3_breakdown.yaml")))
    assert v3.share.iloc[0] == pytest.approx(0.58333, abs=1e-5)
    rub = theory.v3_closed_form(
        compile_scenario(load_scenario(VALIDATION / "v3_discounting.yaml")))
    assert rub.share.iloc[0] == pytest.approx(0.52632, abs=1e-5)


def test_risk_return_with_a_cost_floor_and_clipping():
    """c_B ~ U[0.1, 0.5], p = 0.5, c_A = 0.1: y* = (0.5 - 0.1)/2 = 0.2, so x* = 0.3 and
    P(war) = (0.2 - 0.1)/0.4 = 0.25. With c_A = 0.6 >= 0.5 - 2 * 0.1, y* would fall below
    the floor: offer x = 1 - p - 0.1 = 0.4 and no war. With p = 0.9 and c_B ~ U[0, 0.4],
    y* = (0.4 - 0.1)/2 = 0.15 > 1 - p = 0.1: the offer is clipped at x = 0 and
    P(war) = 0.1/0.4 = 0.25."""
    assert cf.risk_return_uniform(0.5, 0.1, 0.1, 0.5) == pytest.approx(
        {"x_star": 0.3, "p_war": 0.25, "y_star": 0.2})
    assert cf.risk_return_uniform(0.5, 0.6, 0.1, 0.5) == pytest.approx(
        {"x_star": 0.4, "p_war": 0.0, "y_star": 0.1})
    assert cf.risk_return_uniform(0.9, 0.1, 0.0, 0.4) == pytest.approx(
        {"x_star": 0.0, "p_war": 0.25, "y_star": 0.1})


def test_commitment_closed_form_floors_later_offers_at_zero():
    """p1 = 0.1 < c_D = 0.2: after the shift R offers max(0, p1 - c_D) = 0, not -0.1.
    War iff p0 - c_D = 0.3 > (1 - 0.65) + 0.65 * 0 = 0.35: no, peace; without the floor
    the right side would be 0.35 - 0.065 = 0.285 < 0.3 and predict war. R's first offer
    x0 = (0.3 - 0)/0.35 = 0.857."""
    c = cf.commitment(0.5, 0.1, 0.2, 0.65)
    assert c["war"] == 0.0 and c["later_offer"] == 0.0
    assert c["first_offer"] == pytest.approx(0.3 / 0.35)
    assert cf.commitment(0.5, 0.2, 0.05, 0.9)["war"] == 1.0  # the sheet's war point


def test_alternating_offers_limits():
    """q = 0: Rubinstein (1 - d2)/(1 - d1 d2); delta = 1: BRW (1 - d_B + (1 - q) d_A)/(2 - q)."""
    assert cf.alternating_offers_share(0.0, 0, 0, 0.9, 0.8) == pytest.approx(0.2 / 0.28)
    assert cf.alternating_offers_share(0.5, 0.45, 0.35, 1, 1) == pytest.approx(0.58333, abs=1e-5)


# --- the engine at other points --------------------------------------------------------------


def test_commitment_problem_at_the_point_the_old_closed_form_got_wrong():
    """p0 = 0.5, p1 = 0.1, c_D = 0.2, delta = 0.65: peace, and R offers 0 after the shift."""
    data = _commitment(p1=0.1, c_d=0.2, delta=0.65)
    cs = _cs(data)
    closed = theory.v2_closed_form(cs).iloc[0]
    assert closed.war == 0.0 and closed.later_offer == 0.0
    t = run(cs, trials=3, seed=1).trials
    assert (t.ended_by != "war").all()


def _commitment(p1: float, c_d: float, delta: float) -> dict:
    rise = (1 - p1) / p1 - 1.0  # R's extra capability after the shift
    data = _data("v2_commitment.yaml")
    data["stocks"]["r_rearmament"].update(initial=-rise, growth=rise, min=-rise, max=rise)
    data["actors"]["d"]["war_cost"] = c_d
    data["actors"]["d"]["discount"] = delta
    data["actors"]["r"]["discount"] = delta
    data["protocol"]["horizon"] = 120
    return data


@settings(max_examples=12, deadline=None)
@given(p1=st.floats(0.1, 0.49), c_d=st.floats(0.0, 0.2), delta=st.floats(0.3, 0.95))
def test_commitment_problem_at_other_points(p1, c_d, delta):
    """War now iff p0 - c_D > (1 - delta) + delta max(0, p1 - c_D), with p0 = 0.5."""
    p0 = 0.5
    margin = (p0 - c_d) - (1 - delta) - delta * max(0.0, p1 - c_d)
    assume(abs(margin) > 1e-3)
    cs = _cs(_commitment(p1, c_d, delta))
    closed = theory.v2_closed_form(cs).iloc[0]
    assert closed.p0 == pytest.approx(p0) and closed.p1 == pytest.approx(p1)
    assert closed.war == float(margin > 0)
    t = run(cs, trials=3, seed=1).trials
    assert ((t.ended_by == "war") == (margin > 0)).all()
    assert ((t.rounds == 1) == (margin > 0)).all()  # war comes at once, or never


@pytest.mark.parametrize(("c_a", "low", "high"), [(0.05, 0.0, 0.4), (0.2, 0.0, 0.3),
                                                  (0.0, 0.0, 0.2), (0.1, 0.1, 0.5)])
def test_v1_at_other_points(c_a, low, high):
    """P(war) at the grid-optimal offer (x* = 0.325 for the first point is off the 0.01
    grid, so the continuous 0.4375 would be wrong by several SE) and the offer itself,
    a cost floor above zero included."""
    data = _data("v1_risk_return.yaml")
    data["actors"]["a"]["war_cost"] = c_a
    data["actors"]["b"]["war_cost"] = {"dist": "uniform", "low": low, "high": high}
    checks = theory.check_v1(_cs(data), trials=20_000, seed=5)
    assert all(c.agree for c in checks), theory.theory_table(checks)


def test_v1_with_drawn_capabilities():
    """p drawn per trial (public): every trial's offer is the grid optimum for its own p,
    and P(war) agrees with the mean of each trial's implied chance."""
    data = _data("v1_risk_return.yaml")
    data["actors"]["a"]["capability"] = {"dist": "uniform", "low": 0.8, "high": 1.2}
    checks = theory.check_v1(_cs(data), trials=20_000, seed=2)
    assert all(c.agree for c in checks), theory.theory_table(checks)
    with pytest.raises(theory.TheoryError, match="capability fixed"):
        theory.v1_closed_form(_cs(data))


def test_v3_when_the_second_party_proposes_first():
    """Rotation [b, a]: B is the first proposer and gets (1 - d_A + (1 - q) d_B)/(2 - q)
    = (1 - 0.45 + 0.5 * 0.35)/1.5 = 0.48333, so A's share is 0.51667."""
    data = _data("v3_breakdown.yaml")
    data["protocol"]["rotation"] = ["b", "a"]
    cs = _cs(data)
    assert theory.v3_closed_form(cs).share.iloc[0] == pytest.approx(0.48333, abs=1e-5)
    checks = theory.check_v3(cs, trials=4, seed=1)
    assert all(c.agree for c in checks), theory.theory_table(checks)
    t = run(cs, trials=2, seed=1).trials
    assert float(t.deal_share.iloc[0]) == pytest.approx(0.51667, abs=3e-4)


@pytest.mark.parametrize(("d_a", "d_b", "expected"), [(0.9, 0.9, 0.52632), (0.9, 0.8, 0.71429)])
def test_rubinstein_by_backward_induction(d_a, d_b, expected):
    data = _data("v3_discounting.yaml")
    data["actors"]["a"]["discount"] = d_a
    data["actors"]["b"]["discount"] = d_b
    cs = _cs(data)
    closed = theory.v3_closed_form(cs).iloc[0]
    assert closed.share == pytest.approx(expected, abs=1e-5)
    t = run(cs, trials=4, seed=1).trials
    assert (t.rounds == 1).all() and (t.ended_by == "deal").all()
    assert abs(float(t.deal_share.iloc[0]) - expected) <= closed.bound + 1e-5


@settings(max_examples=6, deadline=None)
@given(q=st.floats(0.2, 0.9), c_a=st.floats(0.0, 0.3), c_b=st.floats(0.0, 0.3))
def test_breakdown_risk_split_at_other_points(q, c_a, c_b):
    data = _data("v3_breakdown.yaml")
    data["ladder"]["rungs"][0]["breakdown_risk"] = q
    data["actors"]["a"]["war_cost"] = c_a
    data["actors"]["b"]["war_cost"] = c_b
    data["protocol"]["horizon"] = 40
    cs = _cs(data)
    closed = theory.v3_closed_form(cs).iloc[0]
    t = run(cs, trials=2, seed=1).trials
    assert (t.ended_by == "deal").all() and (t.rounds == 1).all()
    assert abs(float(t.deal_share.iloc[0]) - closed.share) <= closed.bound + 1e-9


@pytest.mark.parametrize("lam", [3.0, 30.0])
def test_logit_tree_at_other_precisions(lam):
    data = _data("v8_logit.yaml")
    data["actors"]["a"]["rationality"] = lam
    data["actors"]["b"]["rationality"] = lam
    cs = _cs(data)
    c = theory.v8_closed_form(cs)
    n = 30_000
    t = run(cs, trials=n, seed=2).trials
    offered = t.last_offer_share.astype(float).to_numpy()
    accepted = (t.ended_by == "deal").to_numpy()
    for k, x in enumerate(c["x"]):
        p = c["offer"][k]
        freq = np.isclose(offered, x).mean()
        assert abs(freq - p) < 4 * np.sqrt(p * (1 - p) / n) + 1e-12, (x, freq, p)
    p_acc = c["p_accept"]
    assert abs(accepted.mean() - p_acc) < 4 * np.sqrt(p_acc * (1 - p_acc) / n)


def test_logit_converges_to_subgame_perfect_path():
    probs = []
    for lam in (1.0, 10.0, 100.0, 1000.0):
        data = _data("v8_logit.yaml")
        data["actors"]["a"]["rationality"] = lam
        data["actors"]["b"]["rationality"] = lam
        probs.append(theory.v8_closed_form(_cs(data))["p_spe_path"])
    assert probs == sorted(probs) and probs[-1] > 0.999


# --- V6 and V7: standoffs -----------------------------------------------------------------


def test_chicken_and_attrition_by_hand():
    """Chicken with win 1, lose 0, status quo 0.5 and crash -0.3: the mixed equilibrium
    backs down with p* = 0.3 / (0.3 + 0.5) = 0.375, the crash has (1 - p*)^2 = 0.390625;
    at lambda = 0 both back down with 1/2. The war of attrition with prize 1 (status quo
    0.5) and cost c = 0.05 a round: indifference, -0.5 p + (1 - p)(c - 0.5 p) = 0, is
    0.5 p^2 - 1.05 p + 0.05 = 0, so p* = 1.05 - sqrt(1.05^2 - 0.1) = 0.0487508."""
    c = cf.chicken(1, 0, 0.5, -0.3, 1000)
    assert c["nash"] == pytest.approx(0.375) and c["crash_nash"] == pytest.approx(0.390625)
    assert cf.chicken(1, 0, 0.5, -0.3, 1e-9)["qre"] == pytest.approx(0.5)
    assert abs(c["qre"] - 0.375) < 1e-3
    w = cf.attrition(1, 0, 0.5, 0.05, 1e9)
    assert w["nash"] == pytest.approx(1.05 - np.sqrt(1.05**2 - 0.1), abs=1e-12)
    assert w["qre"] == pytest.approx(w["nash"], abs=1e-6)
    assert w["value"] == pytest.approx(0.5 * w["nash"], abs=1e-6)  # the value of quitting


@settings(max_examples=40, deadline=None)
@given(hold=st.floats(-2, 0.5), lam=st.sampled_from([0.5, 4.0, 60.0, 1000.0, np.inf]))
def test_the_engines_standoff_equilibrium_is_the_symmetric_logit_root(hold, lam):
    """For a symmetric stage game (win 1, lose 0, status quo 0.5, both hold ``hold``) the
    engine's traced branch equals the unique symmetric root found by Brent's method
    (unique while the gain from backing down falls as the other backs down more: hold
    <= 0.5)."""
    from sim.engine.standoff import LIMIT_PRECISION, StageGame, back_down_equilibrium

    game = StageGame(*(np.array([v]) for v in (0.5, 0.0, 1.0, hold)))
    p_a, p_b = back_down_equilibrium(game, game, lam, lam)
    expected = cf.chicken(1.0, 0.0, 0.5, hold, min(lam, LIMIT_PRECISION))["qre"]
    assert p_a[0] == p_b[0]
    assert p_a[0] == pytest.approx(expected, abs=1e-9)


def test_an_asymmetric_standoff_stays_on_the_principal_branch():
    """A less resolute B (its crash worth -0.6 against A's -0.2): the equilibrium is a
    fixed point of both logit responses, equals the branch traced in much finer steps,
    and the party with more to lose from a crash backs down more often."""
    from sim.engine import standoff as so

    a = so.StageGame(*(np.array([v]) for v in (0.5, 0.0, 1.0, -0.2)))
    b = so.StageGame(*(np.array([v]) for v in (0.5, 0.0, 1.0, -0.6)))
    for lam in (2.0, 30.0, 1000.0):
        p_a, p_b = so.back_down_equilibrium(a, b, lam, lam)
        assert p_a == pytest.approx(expit(lam * a.gain_from_backing_down(p_b)), abs=1e-10)
        assert p_b == pytest.approx(expit(lam * b.gain_from_backing_down(p_a)), abs=1e-10)
        z_a, _, lost = so._trace_branch(a, b, np.array([lam, lam]), 1.01)
        assert not lost.any() and p_a == pytest.approx(expit(z_a), abs=1e-9)
        assert p_b[0] > p_a[0]


@pytest.mark.parametrize(("war_cost", "lam"), [(0.6, 2.0), (1.5, 25.0)])
def test_chicken_at_other_points(war_cost, lam):
    data = _data("v7_chicken.yaml")
    for x in ("a", "b"):
        data["actors"][x]["war_cost"] = war_cost
        data["actors"][x]["rationality"] = lam
    checks = theory.check_v7(_cs(data), 30_000, 3)
    assert all(c.agree for c in checks), theory.theory_table(checks)
    assert checks[0].closed_form == pytest.approx(
        cf.chicken(1, 0, 0.5, 0.5 - war_cost, lam)["qre"])


def test_attrition_at_another_point():
    """A dearer round (c = 0.12) and noisier play (lambda = 40)."""
    data = _data("v6_attrition.yaml")
    data["ladder"]["rungs"][0]["holding_cost"] = 0.12
    for x in ("a", "b"):
        data["actors"][x]["rationality"] = 40
    checks = theory.check_v6(_cs(data), 20_000, 4)
    assert all(c.agree for c in checks), theory.theory_table(checks)


def test_a_standoff_closed_form_refuses_an_asymmetric_game():
    data = _data("v7_chicken.yaml")
    data["actors"]["b"]["war_cost"] = 0.5
    with pytest.raises(theory.TheoryError, match="symmetric standoff"):
        theory.standoff_setup(_cs(data))


def test_a_scenario_without_the_needed_structure_is_named():
    data = _data("v1_risk_return.yaml")
    data["protocol"]["horizon"] = 3
    with pytest.raises(theory.TheoryError, match="one take-it-or-leave-it offer"):
        theory.v1_closed_form(_cs(data))


def test_theory_command_table_and_exit_status(capsys, monkeypatch):
    assert main(["theory", "--trials", "4000", "--seed", "1"]) == 0
    out = capsys.readouterr().out
    assert "Fearon 1995" in out and "Rubinstein 1982" in out and "Signorino 1999" in out
    assert "checks agree" in out and " NO " not in out
    assert main(["theory", "--trials", "4000", "--format", "json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert all(r["agree"] for r in rows)
    # A wrong closed form must be caught: exit status 1.
    real = cf.risk_return_grid

    def wrong(*args, **kwargs):
        optimal, p_war = real(*args, **kwargs)
        return optimal, np.clip(p_war + 0.1, 0, 1)

    monkeypatch.setattr(cf, "risk_return_grid", wrong)
    assert main(["theory", "--trials", "4000"]) == 1
    assert "disagreeing: V1" in capsys.readouterr().out


# --- V4 and V5: compellence (audience costs, brinkmanship) ----------------------------------


def test_audience_costs_and_brinkmanship_by_hand():
    """V4 at a = 0.2, g = 0.5, d = 0.8: r = 0.5 / 0.7, beta = 1.2 x 0.3 / (0.5 x 0.8) = 0.9,
    P(threat) = 0.6 + 0.9 x 0.4 = 0.96, P(war) = 0.6 r = 3/7. V5 at g = 0.2, D_T = 1,
    g_S = 0.5, D_S = 2, p = 0.6: the window is [0.2, 0.3 / 0.8 = 0.375], P(disaster)
    0.4 x 0.2 = 0.08; on risks 0.05, 0.15, ... the least effective is 0.25 (0.1)."""
    v4 = cf.audience_costs(0.2, 0.5, 0.8)
    assert v4["resist"] == pytest.approx(5 / 7) and v4["bluff"] == pytest.approx(0.9)
    assert v4["threaten"] == pytest.approx(0.96) and v4["war"] == pytest.approx(3 / 7)
    assert v4["belief"] == pytest.approx(0.625)
    v5 = cf.brinkmanship(0.2, 1.0, 0.5, 2.0, 0.6)
    assert (v5["least"], v5["most"], v5["disaster"]) == pytest.approx((0.2, 0.375, 0.08))
    ladder = cf.brinkmanship(0.2, 1.0, 0.5, 2.0, 0.6, [0.05, 0.15, 0.25, 0.35, 0.45])
    assert (ladder["risk"], ladder["disaster"]) == pytest.approx((0.25, 0.1))
    assert cf.brinkmanship(0.2, 1.0, 0.5, 2.0, 0.3)["disaster"] == 0.0  # window empty
    with pytest.raises(ValueError, match="semi-separating"):
        cf.audience_costs(0.2, 0.5, 1.2)  # (1 + a) d / 2 = 0.72 > g: no bluffing needed


def test_the_audience_cost_qre_tends_to_fearons_equilibrium():
    """As lambda grows the logit QRE approaches the perfect Bayesian equilibrium."""
    limit = cf.audience_costs(0.2, 0.5, 0.8)
    gaps = [abs(cf.audience_costs_qre(0.2, 0.5, 0.8, lam)["war"] - limit["war"])
            for lam in (10.0, 100.0, 10_000.0)]
    assert gaps[0] > gaps[1] > gaps[2] and gaps[2] < 1e-3
    qre = cf.audience_costs_qre(0.2, 0.5, 0.8, 10_000.0)
    assert qre["resist"] == pytest.approx(limit["resist"], abs=1e-3)
    assert qre["bluff"] == pytest.approx(limit["bluff"], abs=2e-3)


def _v4(a: float, g: float, d: float, lam: float | None) -> dict:
    """tests/../v4_audience_costs.yaml at another point: the prize's status quo stays
    0.5 and A's ideal is 0.5 + g, so (utility 1 - |x - ideal|) A's demand gains it g and
    costs B g. The war lottery is then worth 0.5 + 0.5 (0.5 - g) to both before costs;
    war costs g / 2 - 0.25 for A and d + 0.25 - g / 2 for B keep A's war value at its
    status quo (its resolve is Fearon's w) and B's d below its status quo."""
    data = _data("v4_audience_costs.yaml")
    data["issues"]["prize"]["continuous"] = {"low": 0.0, "high": 1.0, "steps": 21}
    data["actors"]["a"]["preferences"]["prize"]["ideal"] = 0.5 + g
    data["actors"]["a"]["audience_cost"] = a
    data["actors"]["a"]["war_cost"] = g / 2 - 0.25
    data["actors"]["b"]["war_cost"] = d + 0.25 - g / 2
    for x in ("a", "b"):
        data["actors"][x]["rationality"] = lam
    data["outcomes"]["conceded"]["when"]["package"]["prize"] = {"in": [f"{0.5 + g:g}"]}
    return data


@pytest.mark.parametrize(("a", "g", "d", "lam"), [(0.2, 0.5, 0.8, 4.0), (0.2, 0.5, 0.8, 1000.0),
                                                  (0.3, 0.3, 0.5, 50.0)])
def test_the_engines_compellence_equilibrium_is_the_quadrature_qre(a, g, d, lam):
    """The engine's rho (B resists) and mu (B's posterior that A fights, given the
    threat), on 4,096 quantile nodes, equal the QRE found by adaptive quadrature and
    Brent's method (sim.studies.closed_forms.audience_costs_qre)."""
    from sim.engine.compellence import equilibrium, threat_game

    eq = equilibrium(threat_game(_cs(_v4(a, g, d, lam))))
    qre = cf.audience_costs_qre(a, g, d, lam)
    assert eq.defy[1] == pytest.approx(qre["resist"], abs=2e-6)
    assert eq.carry_out[1] == pytest.approx(qre["belief"], abs=2e-6)


@pytest.mark.parametrize(("a", "g", "d", "lam"), [(0.2, 0.5, 0.8, 4.0), (0.3, 0.4, 0.6, 50.0),
                                                  (0.3, 0.3, 0.5, 50.0)])
def test_v4_at_other_points(a, g, d, lam):
    checks = theory.check_v4(_cs(_v4(a, g, d, lam)), 30_000, 5)
    assert all(c.agree for c in checks), theory.theory_table(checks)
    assert checks[-1].closed_form == pytest.approx(cf.audience_costs_qre(a, g, d, lam)["war"])


@pytest.mark.parametrize(("credibility", "salience", "risk", "disaster"),
                         [(0.4, 0.6, 0.35, 0.4 * 0.35),  # g = 0.3: least risk 0.35
                          (0.7, 0.4, 0.0, 0.0)])  # p = 0.3: the window is empty
def test_v5_at_other_points(credibility, salience, risk, disaster):
    """B's weight s on the stake sets g = 0.5 s; its war lottery, 0.5 (1 - s) + 0.5, equals
    its status quo, 0.5 s + (1 - s), whatever s, so D_T stays its war cost, 1. With
    g = 0.3 the least effective risk is 0.3 and the ladder's is 0.35 <= 0.375; with a
    committed B at 0.7, p g_S / ((1 - p) D_S) = 0.107: no risk on the ladder pays."""
    data = _data("v5_brinkmanship.yaml")
    data["red_lines"]["never_comply"]["credibility"] = credibility
    data["actors"]["b"]["preferences"]["stake"]["salience"] = salience
    data["actors"]["b"]["preferences"]["standing"]["salience"] = 1 - salience
    checks = theory.check_v5(_cs(data), 20_000, 6)
    assert all(c.agree for c in checks), theory.theory_table(checks)
    s = theory.compellence_setup(_cs(data))
    assert s["d_target"] == pytest.approx(1.0)
    assert checks[-1].closed_form == pytest.approx(disaster)
    assert checks[0].quantity == (f"P(A takes risk {risk:g})" if risk else "P(A makes no threat)")
