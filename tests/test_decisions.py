"""Every decision rule of the engine, pinned by a known answer computed by hand.

Each test's docstring carries the computation. Scenarios are small (tests/builders.py)
so every number can be followed: the duel is A's ultimatum to B over B's share x of a
good worth 1, with equal capabilities (p = 0.5: each side's war value before costs is
0.5), c_A = 0.1, c_B = 0.2 and a rejection meaning war.
"""

from __future__ import annotations

import numpy as np
import pytest
from scipy.special import expit

from sim.engine import beliefs as bel
from sim.engine.codes import NONE, Ending, MoveOption
from sim.scenario.distributions import Fixed, Uniform
from tests.builders import compiled, duel, events, model, played, put, within

# --- responding -------------------------------------------------------------------------


@pytest.mark.parametrize(("offer", "accepts", "margin"),
                         [("0.3", False, -0.1), ("0.4", True, 0.0), ("0.5", True, 0.1)])
def test_responder_accepts_iff_the_offer_beats_its_reservation_value(offer, accepts, margin):
    """B's reservation value at a rung with breakdown risk q = 1 is
    q (W_B - c_B) + (1 - q) cont_B + resolve_B = (0.5 - 0.2) + 0.1 = 0.4. B accepts x iff
    u_B(x) = x >= 0.4 (an exact tie counts as acceptable)."""
    m = played(duel(actors__b__resolve=0.1), trace=True,
               script={"a": {"proposals": {1: {"share": offer}}}})
    (proposal,) = events(m, "proposal")
    ok, vetoed, got = proposal["verdicts"][1]
    assert (ok, vetoed) == (accepts, False)
    assert got == pytest.approx(margin, abs=1e-12)
    assert m.state.ended_by[0] == (Ending.DEAL if accepts else Ending.WAR)


def test_logit_responder_accepts_with_the_logistic_probability():
    """With rationality lambda = 10, an offer 0.05 below B's reservation value
    (0.3 against 0.5 - 0.2 + 0.05 = 0.35) is accepted with probability
    1 / (1 + exp(10 * 0.05)) = expit(-0.5) = 0.37754."""
    n = 20_000
    m = played(duel(actors__b__resolve=0.05, actors__b__rationality=10.0), n=n,
               script={"a": {"proposals": {1: {"share": "0.3"}}}})
    deals = int((m.state.ended_by == Ending.DEAL).sum())
    assert within(deals, n, expit(-0.5)), deals / n


# --- proposing -----------------------------------------------------------------------------


def test_proposer_makes_the_screening_offer_on_its_grid():
    """B's war cost is private, uniform on [0, 0.3]; B accepts x iff c_B >= 0.5 - x, so
    P(accept x) = 1 - (0.5 - x)/0.3 on [0.2, 0.5]. A maximises
    P(accept) (1 - x) + (1 - P(accept)) (0.5 - 0.1):
    x = 0.3: 1/3 * 0.7 + 2/3 * 0.4 = 0.5;  x = 0.4: 2/3 * 0.6 + 1/3 * 0.4 = 0.5333;
    x = 0.5: 1 * 0.5 = 0.5;  x = 0.2: 0.4. So A offers 0.4 and P(war) = 0.1/0.3 = 1/3."""
    n = 20_000
    m = played(duel(actors__b__war_cost={"dist": "uniform", "low": 0.0, "high": 0.3}), n=n)
    cs = m.cs
    assert {cs.packages.labels(p)["share"] for p in m.state.last_offer} == {"0.4"}
    assert within(int((m.state.ended_by == Ending.WAR).sum()), n, 1 / 3)


def _mediation(**changes) -> dict:
    """Two parties and a mediator. Issue x (a, b, c at 0, 0.5, 1) and y (n, m at 0, 1).
    A weighs x and y equally and wants (a, n): u_A = 0.5 (1 - x) + 0.5 (1 - y).
    B cares for x only and wants c: u_B = x. The status quo (a, m) gives u_A = 0.5,
    u_B = 0; no breakdown risk, one round, so each party's reservation value is its
    status-quo utility, and (a, n), (b, n), (c, n) are all acceptable (A gets 1, 0.75,
    0.5 >= 0.5). Their totals u_A + u_B are 1, 1.25 and 1.5."""
    data = duel(
        issues={"x": {"levels": ["a", "b", "c"]}, "y": {"levels": ["n", "m"]}},
        actors__a__preferences={"x": {"ideal": "a", "salience": 1},
                                "y": {"ideal": "n", "salience": 1}},
        actors__b__preferences={"x": {"ideal": "c", "salience": 1}},
        ladder__rungs__0__breakdown_risk=0.0,
        protocol__proposer="mediator",
        protocol__status_quo={"x": "a", "y": "m"},
    )
    for dotted, value in changes.items():
        put(data, dotted.replace("__", "."), value)
    return data


def _proposed(data: dict) -> dict:
    m = played(data, trace=True)
    return m.cs.packages.labels(events(m, "proposal")[0]["packages"])


def test_mediator_breaks_ties_toward_the_larger_total():
    """All three candidates are accepted for sure: a tie at P(accept) = 1, broken toward
    the largest total, (c, n) with 1.5."""
    assert _proposed(_mediation()) == {"x": "c", "y": "n"}


def test_mediator_prefers_a_likelier_package_to_a_larger_total():
    """B holds a private red line against x = c with credibility 0.0001, so the mediator
    expects (c, n) to pass with chance 0.9999 and (a, n), (b, n) with chance 1. The
    likelier packages win; between them the larger total, (b, n) with 1.25. (A bonus of
    0.001 x total, the earlier rule, would have offered (c, n): 0.9999 + 0.00075 >
    1 + 0.000625.)"""
    data = _mediation(red_lines={"b_line": {"holder": "b", "kind": "package", "public": False,
                                            "credibility": 0.0001,
                                            "condition": {"x": {"at_least": "c"}}}})
    assert _proposed(data) == {"x": "b", "y": "n"}


def test_logit_mediator_aims_by_logit_and_breaks_ties_within_the_chosen_chance():
    """With mediator rationality 50 and the red line above, the chance aimed at is 1
    with probability e^50 * 2 / (e^50 * 2 + e^(50 * 0.9999)) = 2 / (2 + e^-0.005) =
    0.66722; then the tie-break gives (b, n), else (c, n) (alone at its chance)."""
    data = _mediation(protocol__mediator_rationality=50.0,
                      red_lines={"b_line": {"holder": "b", "kind": "package", "public": False,
                                            "credibility": 0.0001,
                                            "condition": {"x": {"at_least": "c"}}}})
    n = 20_000
    m = played(data, n=n)
    offered = [m.cs.packages.labels(p)["x"] for p in m.state.last_offer]
    assert set(offered) == {"b", "c"}
    assert within(offered.count("b"), n, 2 / (2 + np.exp(-0.005)))


# --- moving on the ladder -------------------------------------------------------------------


def _ladder_duel(**changes) -> dict:
    """One issue with levels low/high; A wants low, B high; the status quo is high, so
    A's continuation value is 0 and B's is 1. B owns 100 missiles worth 0.01 capability
    each: capabilities 1 and 2, so A's war value before costs is 1/3 and B's 2/3.
    War costs 0.2 (A) and 0.3 (B). Rungs: talks (q = 0), signalling (0.1), strikes (0.3),
    war. A's moves: rung 1 (cost 0.02), rung 2 (cost 0.05, halves B's missiles), rung 3
    (cost 0.2)."""
    data = duel(
        issues={"x": {"levels": ["low", "high"]}},
        actors__a__preferences={"x": {"ideal": "low", "salience": 1}},
        actors__b__preferences={"x": {"ideal": "high", "salience": 1}},
        actors__a__war_cost=0.2, actors__b__war_cost=0.3,
        actors__a__moves=[
            {"rung": 1, "cost": 0.02},
            {"rung": 2, "cost": 0.05, "effects": [{"stock": "missiles", "multiply": 0.5}]},
            {"rung": 3, "cost": 0.2},
        ],
        stocks={"missiles": {"owner": "b", "initial": 100, "growth": 0,
                             "capability_per_unit": 0.01}},
        ladder={"rungs": [{"name": "talks", "breakdown_risk": 0.0},
                          {"name": "signalling", "breakdown_risk": 0.1},
                          {"name": "strikes", "breakdown_risk": 0.3}, {"name": "war"}],
                "start": 0, "war_rung": 3},
        protocol__status_quo={"x": "high"},
    )
    for dotted, value in changes.items():
        put(data, dotted.replace("__", "."), value)
    return data


def test_ladder_move_values_and_choice():
    """A's options from rung 0, worth -cost + q W_A + (1 - q) cont_A (W_A = 1/3 - 0.2 =
    0.13333, cont_A = 0) plus the coercion gain 0.5 (q' - q) (cont_B - (W_B - E c_B)) =
    0.5 q' (1 - (2/3 - 0.3)) = 0.31667 q', plus half the change in A's war value from the
    strike's effect (B's capability 2 -> 1.5: 1/3 -> 0.4, half of 0.06667):

    - stay:       0
    - step down:  unavailable at rung 0
    - rung 1:     0.1 * 0.13333 + 0.031667 - 0.02                       =  0.025
    - rung 2:     0.3 * 0.13333 + 0.095    + 0.033333 - 0.05            =  0.118333
    - rung 3:     war: 0.13333 - 0.2                                    = -0.066667

    A moves to rung 2. Without the coercion and effect terms the best would be to stay
    (0, 0.0133 - 0.02, 0.04 - 0.05, -0.0667)."""
    m = model(_ladder_duel())
    rows = np.array([0])
    rungs, available, eu = m.actors[0].move_values(rows, t=1)
    assert rungs[0].tolist() == [0, 0, 1, 2, 3]
    assert available[0].tolist() == [True, False, True, True, True]
    want = [0.0, -np.inf, 0.025, 0.3 * 0.4 / 3 + 0.095 + (0.4 - 1 / 3) / 2 - 0.05, 0.4 / 3 - 0.2]
    np.testing.assert_allclose(eu[0], want, atol=1e-12)
    option, rung = m.actors[0].choose_move(rows, t=1)
    assert (option[0], rung[0]) == (MoveOption.MOVE + 1, 2)


def test_logit_ladder_choice_frequencies():
    """With rationality 20 the options are chosen with probability proportional to
    exp(20 eu) over the available ones (the values of the test above)."""
    n = 20_000
    m = model(_ladder_duel(actors__a__rationality=20.0), n=n)
    rows = np.arange(n)
    _, available, eu = m.actors[0].move_values(rows, t=1)
    option, _ = m.actors[0].choose_move(rows, t=1)
    weights = np.where(available[0], np.exp(20 * (eu[0] - eu[0].max())), 0.0)
    for k, p in enumerate(weights / weights.sum()):
        assert within(int((option == k).sum()), n, p), (k, p)


# --- beliefs ---------------------------------------------------------------------------------


def _uniform_belief():
    """B's war cost uniform on [0, 0.32], resolve 0: at a rung with q = 1, Z = -c_B is
    uniform on [-0.32, 0]. After a rejection: 256 particles in 128 bins of width 0.0025,
    two to a bin, so truncations at bin edges are exact."""
    c, r, q = Uniform(dist="uniform", low=0.0, high=0.32), Fixed(value=0.0), np.array([1.0])
    particles = bel.make_particles(c, r, q)
    return bel.make_prior(c, r, q), particles, np.ones((1, particles.z.shape[1]))


def _after(thresholds) -> float:
    prior, particles, w = _uniform_belief()
    for theta in thresholds:
        bel.update_on_rejection(particles, w, np.array([0]), np.array([0]),
                                np.array([theta]), np.inf)
    return float(bel.acceptance(prior, particles, w, np.array([0]), np.array([[-0.10]]),
                                np.array([bool(thresholds)]))[0, 0])


def test_belief_truncation_over_two_and_three_rejections():
    """A best-responding target rejects an offer with threshold theta iff Z > theta.
    After rejections at -0.25 and -0.20 the belief is uniform on (-0.20, 0], so
    P(Z <= -0.10) = 0.10 / 0.20 = 0.5. A third rejection at -0.22 says nothing new, and
    the order of the rejections does not matter."""
    assert _after([]) == pytest.approx(0.22 / 0.32, abs=1e-12)
    assert _after([-0.25, -0.20]) == pytest.approx(0.5, abs=1e-12)
    assert _after([-0.25, -0.20, -0.22]) == pytest.approx(0.5, abs=1e-12)
    assert _after([-0.20, -0.22, -0.25]) == pytest.approx(0.5, abs=1e-12)


# --- red lines ---------------------------------------------------------------------------------


def test_binding_package_red_line_vetoes_a_good_offer():
    """B would accept 0.5 (reservation 0.3) but a binding red line forbids x <= 0.5."""
    data = duel(red_lines={"b_line": {"holder": "b", "kind": "package", "credibility": 1.0,
                                      "condition": {"share": {"at_most": "0.5"}}}})
    m = played(data, trace=True, script={"a": {"proposals": {1: {"share": "0.5"}}}})
    ok, vetoed, margin = events(m, "proposal")[0]["verdicts"][1]
    assert (ok, vetoed) == (False, True) and margin == pytest.approx(0.2)
    assert (m.state.crossed[0, 0], m.state.enforced[0, 0]) == (True, True)  # the veto


@pytest.mark.parametrize(("audience_cost", "accepts"), [(0.25, False), (0.1, True)])
def test_giving_way_on_a_public_red_line_costs_the_audience_cost(audience_cost, accepts):
    """The same red line, public but not binding (credibility 0): accepting 0.5 is worth
    0.5 - audience cost against a reservation of 0.3: a margin of -0.05 with cost 0.25
    (rejected), 0.1 with cost 0.1 (accepted, and the cost is paid)."""
    data = duel(actors__b__audience_cost=audience_cost,
                red_lines={"b_line": {"holder": "b", "kind": "package", "credibility": 0.0,
                                      "condition": {"share": {"at_most": "0.5"}}}})
    m = played(data, trace=True, script={"a": {"proposals": {1: {"share": "0.5"}}}})
    ok, vetoed, margin = events(m, "proposal")[0]["verdicts"][1]
    assert (ok, vetoed) == (accepts, False)
    assert margin == pytest.approx(0.2 - audience_cost)
    assert m.state.audience_paid[0, 1] == pytest.approx(audience_cost if accepts else 0.0)
    assert m.state.crossed[0, 0] == accepts


def _three_with_a_deal_line(credibility: float) -> dict:
    """A third actor C (A's ally, not a party) answers any deal giving B at least 0.5
    with a strike (rung 2). No breakdown risk below war; two rounds."""
    return duel(
        actors__c={"name": "C", "side": "a",
                   "preferences": {"share": {"ideal": 0.0, "salience": 1}}},
        ladder={"rungs": [{"name": "talks"}, {"name": "signals"}, {"name": "strikes"},
                          {"name": "war", "breakdown_risk": 1.0}], "start": 0, "war_rung": 3},
        red_lines={"c_line": {"holder": "c", "kind": "deal", "credibility": credibility,
                              "response": 2, "condition": {"share": {"at_least": "0.5"}}}},
        protocol__horizon=2,
    )


def test_deal_red_line_voids_the_deal_and_forces_the_response():
    """Round 1: A offers 0.6, B accepts; C's binding deal line fires (after the
    proposal): C strikes (rung 2), the deal is void and the crisis goes on. Round 2: A
    offers 0.3, B rejects; nobody has moves; the horizon passes."""
    script = {"a": {"proposals": {1: {"share": "0.6"}, 2: {"share": "0.3"}}},
              "b": {"responses": {1: True, 2: False}}}
    m = played(_three_with_a_deal_line(1.0), trace=True, script=script)
    kinds = [(e["round"], e["kind"]) for e in m.trace.events if e["kind"] != "start"]
    assert kinds == [(1, "round"), (1, "proposal"), (1, "red_line"), (2, "round"),
                     (2, "proposal"), (2, "moves"), (2, "end")]
    s = m.state
    assert (s.deal[0], s.agreements[0], s.rung[0], s.peak[0]) == (NONE, 0, 2, 2)
    assert (s.crossed[0, 0], s.enforced[0, 0]) == (True, True)
    assert s.ended_by[0] == Ending.HORIZON and s.first_escalator[0] == 2


def test_deal_red_line_that_does_not_bind_lets_the_deal_stand():
    script = {"a": {"proposals": {1: {"share": "0.6"}}}, "b": {"responses": {1: True}}}
    m = played(_three_with_a_deal_line(0.0), script=script)
    s = m.state
    assert s.ended_by[0] == Ending.DEAL and s.rung[0] == 0
    assert (s.crossed[0, 0], s.enforced[0, 0]) == (True, False)


def test_stock_red_line_not_enforced_costs_its_public_holder():
    """A public stock line with credibility 0 is crossed when B's missiles reach 110
    (100 + 10 a round: round 1); A does not strike and pays its audience cost 0.07."""
    data = duel(actors__a__audience_cost=0.07, ladder__rungs__0__breakdown_risk=0.0,
                stocks={"missiles": {"owner": "b", "initial": 100, "growth": 10}},
                red_lines={"a_line": {"holder": "a", "kind": "stock", "stock": "missiles",
                                      "at_least": 110, "response": 1, "credibility": 0.0}})
    m = played(data, script={"b": {"responses": {1: False}}})
    s = m.state
    assert (s.crossed[0, 0], s.enforced[0, 0], s.peak[0]) == (True, False, 0)
    assert s.audience_paid[0, 0] == pytest.approx(0.07)


# --- the world: terminal events, incidents, breakdown, the horizon --------------------------


def test_terminal_event_ends_the_trial_before_bargaining():
    """Progress starts at 0 and grows 0.25 a round; breakout at 0.75 ends the trial in
    round 3, after the stocks move and before any proposal: two offers were made."""
    data = duel(actors__b__resolve=1.0, ladder__rungs__0__breakdown_risk=0.0,
                protocol__horizon=5,
                stocks={"progress": {"initial": 0, "growth": 0.25, "max": 1}},
                terminal={"breakout": {"stock": "progress", "at_least": 0.75}},
                outcomes={"breakout": {"label": "Breakout", "when": {"ended_by": "breakout"}},
                          "other": {"label": "Other"}})
    m = played(data)
    s = m.state
    assert m.cs.endings[s.ended_by[0]] == "breakout"
    assert (s.rounds[0], s.offers[0]) == (3, 2)
    assert m.cs.outcomes[m.outcomes()[0]].id == "breakout"


def test_incidents_push_the_rung_up_to_their_ceiling():
    """An incident every round (rate 1) adds 2 rungs, never past rung 3: the crisis is at
    rung 2 after round 1 and 3 after round 2, and stays there."""
    data = duel(actors__b__resolve=1.0, protocol__horizon=4,
                ladder={"rungs": [{"name": f"r{k}"} for k in range(5)] + [{"name": "war"}],
                        "start": 0, "war_rung": 5},
                incidents={"rate": 1.0, "escalation": 2, "max_rung": 3})
    m = played(data, trace=True)
    assert [e["rung"] for e in events(m, "incident")] == [2, 3]
    assert m.state.peak[0] == 3 and m.state.ended_by[0] == Ending.HORIZON


def test_breakdown_risk_slides_rejected_rounds_into_war():
    """B rejects; at breakdown risk 0.3 a rejected round is war with probability 0.3,
    and the trial table says why."""
    n = 20_000
    m = played(duel(ladder__rungs__0__breakdown_risk=0.3), n=n,
               script={"b": {"responses": {1: False}}})
    war = m.state.ended_by == Ending.WAR
    assert within(int(war.sum()), n, 0.3)
    from sim.runs.chunks import trial_table

    t = trial_table(m)
    assert set(t.war_cause[war]) == {"breakdown"} and set(t.war_cause[~war]) == {""}


@pytest.mark.parametrize(("on_horizon", "agreements", "ending", "cause"), [
    ("stalemate", "final", Ending.HORIZON, NONE),
    ("war", "final", Ending.WAR, 3),  # WarCause.DEADLINE
])
def test_the_horizon(on_horizon, agreements, ending, cause):
    """No breakdown risk and B rejects: at the horizon the status quo stands, or the
    deadline is enforced by war."""
    data = duel(ladder__rungs__0__breakdown_risk=0.0, protocol__on_horizon=on_horizon,
                protocol__agreements=agreements)
    m = played(data, script={"b": {"responses": {1: False}}})
    assert m.state.ended_by[0] == ending and m.state.war_cause[0] == cause


def test_a_renegotiated_agreement_in_force_at_the_horizon_is_a_deal():
    """With renegotiated agreements a package accepted in the last round stands."""
    data = duel(ladder__rungs__0__breakdown_risk=0.0, protocol__agreements="renegotiated",
                protocol__horizon=2)
    m = played(data, script={"b": {"responses": {1: True, 2: True}}})
    assert m.state.ended_by[0] == Ending.DEAL and m.state.agreements[0] == 2


def test_war_chosen_by_a_move_is_recorded_with_its_actor():
    """A best-responding A with a free war move, war worth 0.5 - 0.1 = 0.4 to it against
    a status quo (B gets everything) worth 0, chooses war after B's rejection."""
    data = duel(ladder={"rungs": [{"name": "talks"}, {"name": "war"}], "start": 0,
                        "war_rung": 1}, protocol__status_quo={"share": 1.0},
                actors__a__moves=[{"rung": 1, "cost": 0.0}], actors__b__resolve=1.0)
    m = played(data)
    assert m.state.ended_by[0] == Ending.WAR
    assert (m.state.war_cause[0], m.state.war_by[0]) == (0, 0)  # CHOSEN, by A
    assert compiled(data).actors.ids[m.state.war_by[0]] == "a"


# --- parts that make force a decision and a commitment ----------------------------------------


def _standoff(**changes) -> dict:
    """A and B bargain with no breakdown risk below war and B rejecting everything
    (resolve 1); a four-rung ladder talks / signals / strikes / war; horizon 4."""
    data = duel(actors__b__resolve=1.0, protocol__horizon=4,
                ladder={"rungs": [{"name": "talks"}, {"name": "signals"}, {"name": "strikes"},
                                  {"name": "war", "breakdown_risk": 1.0}],
                        "start": 0, "war_rung": 3, "strike_rung": 2})
    for dotted, value in changes.items():
        put(data, dotted.replace("__", "."), value)
    return data


def test_a_move_can_slow_a_stocks_growth():
    """B's missiles grow 10 a round from 100. A's blockade in round 1 (rung 1) halves the
    growth and takes 20 off: 110 in round 1, 90 after the blockade, then +5 a round:
    95, 100, 105."""
    data = _standoff(stocks={"missiles": {"owner": "b", "initial": 100, "growth": 10}},
                     actors__a__moves=[{"rung": 1, "name": "blockade", "effects": [
                         {"stock": "missiles", "add": -20, "growth_multiply": 0.5}]}])
    m = played(data, script={"a": {"moves": {1: 1}}}, trace=True)
    levels = [e["stocks"][0] for e in events(m, "round")]
    assert levels == [110, 95, 100, 105]
    assert m.state.stocks[0, 0] == 105 and m.state.growth[0, 0] == 5


def test_an_uncertain_breakdown_risk_is_drawn_per_trial():
    """Breakdown risk uniform on [0.2, 0.4] at the talks rung: each trial slides into
    war when its breakdown number falls below its own drawn risk, so P(war) in one
    rejected round is the mean, 0.3; the actors reason with the mean too."""
    n = 20_000
    data = duel(ladder__rungs__0__breakdown_risk={"dist": "uniform", "low": 0.2, "high": 0.4})
    m = played(data, n=n, script={"b": {"responses": {1: False}}})
    war = m.state.ended_by == Ending.WAR
    assert within(int(war.sum()), n, 0.3)
    assert m.cs.ladder.breakdown[0] == pytest.approx(0.3)
    risk = m.draws.breakdown[:, 0]
    assert risk.min() >= 0.2 and risk.max() <= 0.4 and risk.std() > 0.05


@pytest.mark.parametrize(("credibility", "rung", "paid"), [(1.0, 2, 0.0), (0.0, 0, 0.07)])
def test_a_deadline_threat_falls_due_without_a_deal(credibility, rung, paid):
    """A threatens a strike (rung 2) unless there is a deal by round 2. B rejects: at
    the end of round 2 a binding threat is carried out, a bluff costs A its audience
    cost (0.07)."""
    data = _standoff(actors__a__audience_cost=0.07,
                     red_lines={"ultimatum": {"holder": "a", "kind": "deadline", "by_round": 2,
                                              "response": 2, "credibility": credibility}})
    m = played(data, trace=True)
    (fired,) = events(m, "red_line")
    assert fired["round"] == 2 and fired["enforced"] == bool(credibility)
    assert m.state.peak[0] == rung
    assert m.state.force_round[0] == (2 if credibility else 0)  # strike rung 2, round 2
    assert m.state.audience_paid[0, 0] == pytest.approx(paid)


def test_a_red_line_response_applies_one_moves_effects():
    """A has two moves at rung 2: a joint strike with C (missiles x0.5) listed first, then
    a strike of its own (missiles -30). Its binding stock line (missiles >= 110, hit in
    round 1 at 110) is carried out by its own strike: 110 - 30 = 80, then +10 a round.
    Applying every rung-2 move's effects would give 110 x 0.5 - 30 = 25."""
    data = _standoff(stocks={"missiles": {"owner": "b", "initial": 100, "growth": 10}},
                     actors__a__moves=[
                         {"rung": 2, "name": "joint strike", "joint_with": ["c"],
                          "effects": [{"stock": "missiles", "multiply": 0.5}]},
                         {"rung": 2, "name": "strike", "effects": [{"stock": "missiles",
                                                                     "add": -30}]}],
                     actors__c={"name": "C", "side": "a", "preferences": {
                         "share": {"ideal": 0.0, "salience": 1}}, "capability": 1.0,
                         "war_cost": 0.1},
                     red_lines={"line": {"holder": "a", "kind": "stock", "stock": "missiles",
                                         "at_least": 110, "response": 2, "credibility": 1.0}})
    m = played(dict(data, protocol=dict(data["protocol"], horizon=2)), trace=True)
    assert m.state.enforced[0, 0]
    assert [e["stocks"][0] for e in events(m, "round")] == [110, 90]


@pytest.mark.parametrize(("cap", "peak", "enforced", "paid"), [(None, 2, True, 0.0),
                                                               (1, 1, False, 0.07)])
def test_a_script_cap_stops_an_actor_below_a_rung(cap, peak, enforced, paid):
    """A's public ultimatum (credibility 1) falls due in round 2 with a strike (rung 2).
    Capped at rung 1 ("what if A never strikes"), A cannot carry it out: the line does
    not bind, A pays its audience cost (0.07), and no move of A's goes above rung 1."""
    data = _standoff(actors__a__audience_cost=0.07,
                     actors__a__moves=[{"rung": 1, "name": "signal"},
                                       {"rung": 2, "name": "strike"}],
                     red_lines={"ultimatum": {"holder": "a", "kind": "deadline", "by_round": 2,
                                              "response": 2, "credibility": 1.0,
                                              "public": True}})
    script = {} if cap is None else {"a": {"max_rung": cap}}
    m = played(data, n=200, script=script)
    assert (m.state.enforced[:, 0] == enforced).all()
    assert (m.state.peak == peak).all() if cap is None else (m.state.peak <= peak).all()
    assert np.allclose(m.state.audience_paid[:, 0], paid)


def test_a_retaliation_commitment_answers_each_strike_when_it_repeats():
    """B vows to answer any strike by A (rung 2 or above) with its own (rung 2), every
    time (repeat). A strikes in rounds 1 and 3 (scripted, stepping down in between):
    B's line fires in rounds 1 and 3, in the same round as the strike (the rung drops to
    1 in between, both stepping down)."""
    data = _standoff(actors__a__moves=[{"rung": 2, "name": "strike"}],
                     actors__b__moves=[{"rung": 2, "name": "retaliation"}],
                     red_lines={"vow": {"holder": "b", "kind": "struck", "rung_at_least": 2,
                                        "response": 2, "repeat": True}})
    script = {"a": {"moves": {1: 2, 2: 1, 3: 2, 4: 1}}, "b": {"moves": {1: 0, 2: 1, 3: 1, 4: 1}}}
    m = played(data, trace=True, script=script)
    assert [e["round"] for e in events(m, "red_line")] == [1, 3]
    assert m.state.fired[0, 0] == 2 and m.state.enforced[0, 0]


def test_a_coalition_move_needs_every_partner():
    """A proposes a joint strike with its ally C (rung 2): C joins when joining is worth
    at least its own choice to it. With a cost of 0 for C, C joins and both stand at
    rung 2; with a cost of 0.9 C declines and A, re-choosing without the joint move,
    holds."""
    def coalition(c_cost):
        return _standoff(
            actors__c={"name": "C", "side": "a",
                       "preferences": {"share": {"ideal": 0.0, "salience": 1}},
                       "moves": [{"rung": 2, "name": "joint strike", "cost": c_cost,
                                  "joint_with": ["a"]}]},
            actors__a__moves=[{"rung": 2, "name": "joint strike", "joint_with": ["c"]}],
        )

    joins = played(coalition(0.0), trace=True, script={"a": {"moves": {1: 2}}})
    (moves, *_) = events(joins, "moves")
    assert moves["joint"] == {0: (0, (2,), True, True)} and moves["chosen"] == {0: 2, 2: 2}
    declines = played(coalition(0.9), trace=True, script={"a": {"moves": {1: 2}}})
    (moves, *_) = events(declines, "moves")
    assert moves["joint"][0][3] is False and moves["new"] == 0


# --- a standoff (chicken, the war of attrition) ---------------------------------------------


def _chicken(**changes):
    """tests/../v7_chicken.yaml: win 1, lose 0, both back down 0.5, a crash (war) is
    0.5 - 0.8 = -0.3; one round, and holding together is war."""
    from sim import load_scenario
    from tests.files import VALIDATION

    data = load_scenario(VALIDATION / "v7_chicken.yaml").model_dump(mode="json",
                                                                   exclude_none=True)
    for dotted, value in changes.items():
        put(data, dotted.replace("__", "."), value)
    return data


@pytest.mark.parametrize(("a", "b", "ending", "prize"), [
    (True, False, Ending.DEAL, "0"),  # A backs down: B's demand
    (False, True, Ending.DEAL, "1"),  # B backs down: A's demand
    (True, True, Ending.DEAL, "0.5"),  # both: the status quo
    (False, False, Ending.WAR, None),  # both hold: breakdown risk 1
])
def test_a_standoff_ends_on_who_backs_down(a, b, ending, prize):
    """Backing down concedes the other's demand; both backing down restore the status
    quo; both holding at breakdown risk 1 is war, by breakdown."""
    from sim.runs.chunks import trial_table

    m = played(_chicken(), script={"a": {"responses": {1: a}}, "b": {"responses": {1: b}}},
               trace=True)
    t = trial_table(m)
    assert m.state.ended_by[0] == ending
    assert (bool(t.backed_down_a[0]), bool(t.backed_down_b[0])) == (a, b)
    if prize is None:
        assert t.war_cause[0] == "breakdown"
    else:
        assert t.deal_prize[0] == prize
    assert events(m, "standoff")[0]["backed_down"] == {0: a, 1: b}


def test_a_standoff_backs_down_with_the_logit_equilibrium_probability():
    """lambda = 4: p solves p = sigmoid(4 (0.3 - 0.8 p)), 0.444572 (by Brent's method in
    docs/theory.md, V7); each party's recorded probability is that number and its
    frequency over 20,000 trials agrees."""
    n = 20_000
    m = played(_chicken(), n=n, trace=True)
    p = events(m, "standoff")[0]["probability"]
    assert p[0] == pytest.approx(0.444571526, abs=1e-8) and p[1] == p[0]
    assert within(int(m.state.backed_down[:, 0].sum()), n, p[0])


def test_when_a_crash_beats_losing_nobody_backs_down():
    """War cost 0.3: a crash is worth 0.5 - 0.3 = 0.2 > 0 (losing), and holding also wins
    1 > 0.5 when the other backs down: holding is dominant, so at lambda = 1000 nobody
    backs down (P = sigmoid(-1000 * 0.2) at most) and every trial is war."""
    m = played(_chicken(actors__a__war_cost=0.3, actors__b__war_cost=0.3,
                        actors__a__rationality=1000, actors__b__rationality=1000), n=1000)
    assert not m.state.backed_down.any()
    assert (m.state.ended_by == Ending.WAR).all()


def test_a_round_of_attrition_costs_the_holding_cost():
    """Holding together at a rung with holding cost c, no breakdown risk, and two rounds:
    in round 1 the value of both holding is -c + V(2), V(2) the last round's
    equilibrium value; the planner's V(1) for A is that stage game's equilibrium value."""
    from sim.engine.standoff import StageGame, back_down_equilibrium

    data = _chicken(ladder__rungs__0__breakdown_risk=0.0, ladder__rungs__0__holding_cost=0.1,
                    protocol__horizon=2)
    m = model(data)
    V = m.values.plan[:, 0, 0]

    def value(hold):
        game = StageGame(*(np.array([v]) for v in (0.5, 0.0, 1.0, hold)))
        p, _ = back_down_equilibrium(game, game, 4.0, 4.0)
        p = p[0]
        return p * (p * 0.5 + (1 - p) * 0.0) + (1 - p) * (p * 1.0 + (1 - p) * hold)

    v2 = value(-0.1 + 0.5)  # after round 2 the status quo (0.5) stands
    assert V[2] == pytest.approx(v2, abs=1e-12)
    assert V[1] == pytest.approx(value(-0.1 + v2), abs=1e-12)


def test_backing_down_in_a_standoff_costs_the_audience_cost():
    """A's audience cost 0.1: backing down is worth 0 - 0.1 alone and 0.5 - 0.1 together
    for A. Scripted to back down, A pays 0.1 (recorded); left to choose at lambda = 4,
    A's probability p_a and B's p_b solve the two logit equations with those payoffs,
    and A, whose retreat costs it more, backs down less often than B."""
    from sim.engine.standoff import StageGame

    data = _chicken(actors__a__audience_cost=0.1)
    m = played(data, script={"a": {"responses": {1: True}}, "b": {"responses": {1: False}}})
    assert m.state.audience_paid[0].tolist() == [0.1, 0.0]
    m = played(data, trace=True)
    p = events(m, "standoff")[0]["probability"]
    a = StageGame(0.4, -0.1, 1.0, -0.3)
    b = StageGame(0.5, 0.0, 1.0, -0.3)
    assert p[0] == pytest.approx(expit(4 * a.gain_from_backing_down(p[1])), abs=1e-10)
    assert p[1] == pytest.approx(expit(4 * b.gain_from_backing_down(p[0])), abs=1e-10)
    assert p[0] < p[1]


# --- a compellence game (audience costs, brinkmanship) --------------------------------------


def _threat(**changes):
    """tests/../v4_audience_costs.yaml: A gains g = 0.5 if B concedes, B loses as much; A's
    resolve (its value of war beyond the status quo) ~ U[-1, 1]; backing down costs A 0.2;
    war is worth 0.5 - 0.8 = -0.3 to B; one public threat (rung 1) with no risk."""
    from sim import load_scenario
    from tests.files import VALIDATION

    data = load_scenario(VALIDATION / "v4_audience_costs.yaml").model_dump(
        mode="json", exclude_none=True)
    data["outcomes"]["conceded"]["when"]["package"]["prize"] = {"in": ["1"]}
    for dotted, value in changes.items():
        put(data, dotted.replace("__", "."), value)
    return data


@pytest.mark.parametrize(("script", "ending", "peak", "backed", "paid", "cause"), [
    ({"a": {"moves": {1: 0}}}, Ending.HORIZON, 0, [False, False], [0.0, 0.0], None),
    ({"a": {"moves": {1: 1}}, "b": {"responses": {1: True}}}, Ending.DEAL, 1,
     [False, True], [0.0, 0.05], None),
    ({"a": {"moves": {1: 1}, "responses": {1: False}}, "b": {"responses": {1: False}}},
     Ending.WAR, 2, [False, False], [0.0, 0.0], "chosen"),
    ({"a": {"moves": {1: 1}, "responses": {1: True}}, "b": {"responses": {1: False}}},
     Ending.HORIZON, 1, [True, False], [0.2, 0.0], None),
])
def test_a_compellence_game_ends_on_the_threat_the_answer_and_carrying_out(
        script, ending, peak, backed, paid, cause):
    """No threat: the status quo. Complying: a deal on A's demand, B backing down at its
    audience cost (0.05 here). Defied: A carries out (war, chosen by A) or backs down
    (the status quo, A paying 0.2)."""
    from sim.runs.chunks import trial_table

    m = played(_threat(actors__b__audience_cost=0.05), script=script, trace=True)
    t = trial_table(m)
    assert m.state.ended_by[0] == ending and t.peak_rung[0] == peak
    assert [bool(t.backed_down_a[0]), bool(t.backed_down_b[0])] == backed
    assert m.state.audience_paid[0].tolist() == paid
    if cause:
        assert (t.war_cause[0], t.war_by[0]) == (cause, "a")
    if ending == Ending.DEAL:
        assert t.deal_prize[0] == "1"
    assert len(events(m, "carry_out")) == (1 if peak and not backed[1] else 0)


def test_a_defied_threat_slides_into_war_at_its_risk():
    """Breakdown risk 1 at the threat's rung: a defied threat is war by breakdown, before
    A's choice to carry it out is asked."""
    m = played(_threat(ladder__rungs__1__breakdown_risk=1.0), trace=True,
               script={"a": {"moves": {1: 1}}, "b": {"responses": {1: False}}})
    assert m.state.ended_by[0] == Ending.WAR
    assert events(m, "breakdown") and not events(m, "carry_out")


def test_each_choice_is_logit_on_its_values_for_the_drawn_type():
    """With the equilibrium's rho (B resists) and mu (B's posterior), A of resolve w
    carries out with sigmoid(1000 (w + 0.2)); threatens with sigmoid(1000 T),
    T = (1 - rho) 0.5 + rho (f w - (1 - f) 0.2) (no threat is worth 0 more than the
    status quo); B defies with sigmoid(1000 (0.5 - 0.8 mu)). And mu is Bayes' rule: the
    threat's chance times the chance of carrying out, averaged over w ~ U[-1, 1] on a
    fine grid, over the threat's chance averaged."""
    m = played(_threat(), n=200, trace=True)
    eq = m.compellence
    rho, mu = eq.defy[1], eq.carry_out[1]
    w = m.draws.types["resolve"][0, 0]
    f = expit(1000 * (w + 0.2))
    threat = expit(1000 * ((1 - rho) * 0.5 + rho * (f * w - (1 - f) * 0.2)))
    (e,) = events(m, "threat")
    assert e["chance"] == pytest.approx(threat if e["option"] else 1 - threat, abs=1e-9)
    if e["option"]:
        (answer,) = events(m, "answer")
        assert answer["chance"] == pytest.approx(expit(1000 * (0.5 - 0.8 * mu)), abs=1e-9)
        assert e["belief"] == mu
    grid = np.linspace(-1, 1, 400_001)
    fg = expit(1000 * (grid + 0.2))
    tg = expit(1000 * ((1 - rho) * 0.5 + rho * (fg * grid - (1 - fg) * 0.2)))
    assert mu == pytest.approx((tg * fg).mean() / tg.mean(), abs=1e-5)
    assert eq.prior_carry_out == pytest.approx(0.6, abs=1e-6)  # P(w > -0.2)


def test_a_committed_target_defies_whatever_it_is_told():
    """V5: where B's red line binds, B defies even when scripted to comply (the veto is
    recorded as the line enforced); where it does not, a best-responding soft B complies
    at risk 0.25 > g / D_T = 0.2, and A, a best responder, always takes that risk."""
    from sim import load_scenario
    from tests.files import VALIDATION

    data = load_scenario(VALIDATION / "v5_brinkmanship.yaml").model_dump(
        mode="json", exclude_none=True)
    data["outcomes"]["complied"]["when"]["package"]["stake"] = {"in": ["1"]}
    m = played(data, n=400, script={"b": {"responses": {1: True}}})
    binding = m.draws.binding[:, 0]
    assert binding.any() and not binding.all()
    assert (m.state.peak[~binding] == 3).all()
    assert (m.state.ended_by[~binding] == Ending.DEAL).all()
    assert (m.state.ended_by[binding] != Ending.DEAL).all()
    assert m.state.enforced[binding, 0].all()
    m = played(data, n=400)
    assert (m.state.ended_by[~binding] == Ending.DEAL).all()


def test_a_cap_keeps_the_threatener_below_its_threats_and_from_carrying_them_out():
    """max_rung 0: A never threatens (the threat is rung 1). max_rung 1: A may threaten
    but, defied, always backs down and pays its audience cost (war is rung 2)."""
    m = played(_threat(), n=500, script={"a": {"max_rung": 0}})
    assert (m.state.peak == 0).all() and (m.state.ended_by == Ending.HORIZON).all()
    m = played(_threat(), n=500, script={"a": {"max_rung": 1}})
    assert (m.state.ended_by != Ending.WAR).all()
    defied = (m.state.peak == 1) & (m.state.ended_by == Ending.HORIZON)
    assert defied.any() and (m.state.audience_paid[defied, 0] == 0.2).all()


def test_a_risky_threat_is_valued_with_the_threateners_resolve_in_any_war():
    """Threat at risk q = 0.3, B defying with rho: for A of resolve w (war lottery 0.5,
    no war cost, status quo 0.5, audience cost 0.2) the threat is worth
    (1 - rho) 1 + rho (q (0.5 + w) + (1 - q)(f (0.5 + w) + (1 - f) 0.3)), f =
    sigmoid(1000 (w + 0.2)): resolve counts in a war slid into as in one chosen."""
    from sim.engine.compellence import threat_game, threat_values

    game = threat_game(compiled(_threat(ladder__rungs__1__breakdown_risk=0.3)))
    w = np.array([-0.9, -0.1, 0.6])
    rho = np.array([0.0, 0.55])
    f = expit(1000 * (w + 0.2))
    by_hand = 0.45 * 1 + 0.55 * (0.3 * (0.5 + w) + 0.7 * (f * (0.5 + w) + (1 - f) * 0.3))
    values = threat_values(game, rho, np.zeros(3), w)
    assert values[:, 0] == pytest.approx([0.5] * 3)
    assert values[:, 1] == pytest.approx(by_hand, abs=1e-12)
