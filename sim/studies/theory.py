"""Validation against the closed-form models of crisis bargaining (docs/theory.md).

Each case runs an ordinary scenario file from the shipped ``validation/`` folder
through the ordinary engine and compares what the trials show with the closed form
(:mod:`sim.studies.closed_forms`), computed from the same compiled scenario and, where
a public number is drawn per trial (a capability, a discount factor), from each
trial's own draws. So the checks hold at any parameter point the models cover, and
tests move the parameters freely. Agreement rules:

- Monte Carlo shares: within 4 standard errors of the closed form.
- Deterministic quantities: equal to the closed form on the scenario's grid, or within
  the bound the grid's rounding implies (stated in the row).

A scenario without the structure a closed form needs (say, a private war cost drawn
where the model assumes it known) raises :class:`TheoryError` saying what is missing.

References
----------
See :mod:`sim.studies.closed_forms`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from sim.engine.codes import MEDIATOR
from sim.engine.compellence import threat_game
from sim.engine.compile import CompiledScenario, compile_scenario
from sim.engine.compiled import TYPES
from sim.engine.payoffs import TIE, capabilities, stock_path, war_value_public
from sim.engine.standoff import LIMIT_PRECISION
from sim.runs.chunks import DEFAULT_CHUNK_SIZE, DEFAULT_SEED
from sim.runs.runner import run
from sim.runs.stats import wilson_interval
from sim.scenario.library import shipped
from sim.scenario.loader import load_scenario
from sim.studies import closed_forms as cf

__all__ = ["CASES", "Check", "TheoryError", "run_theory", "theory_table"]

DETERMINISTIC_TRIALS = 20
#: Rounds before a war of attrition's horizon whose play the end may still move: the
#: value of holding out converges to the stationary game by a factor of about 0.83 a
#: round (V6), so 100 rounds leave less than 1e-8.
ATTRITION_SETTLING = 100


class TheoryError(ValueError):
    """A scenario lacks the structure a closed form needs; the message says what."""


@dataclass(frozen=True)
class Check:
    """One comparison of a simulated quantity with its closed form."""

    case: str
    reference: str
    parameters: str
    quantity: str
    closed_form: float
    simulated: float
    low: float | None
    high: float | None
    agree: bool
    rule: str


# --- reading a scenario's parameters ---------------------------------------------------


def _fixed(dist, what: str) -> float:
    lo, hi = dist.support()
    if lo != hi:
        raise TheoryError(f"this closed form needs {what} fixed, not drawn per trial")
    return lo


def _two_parties(cs: CompiledScenario) -> tuple[int, int]:
    """(first proposer, the other party)."""
    parties = [int(j) for j in cs.protocol.parties]
    first = cs.protocol.proposer_at(1)
    if len(parties) != 2 or first == MEDIATOR or first not in parties:
        raise TheoryError("this closed form needs two parties, one of whom proposes first")
    return first, parties[1 - parties.index(first)]


def _types(cs: CompiledScenario, trials: pd.DataFrame, name: str) -> np.ndarray:
    """Each trial's drawn type ``name`` for every actor: (N, A)."""
    return np.stack([trials[f"{aid}_{name}"].to_numpy() for aid in cs.actors.ids], axis=1)


def _package_index(cs: CompiledScenario, labels: pd.Series) -> np.ndarray:
    """Package indices of one-issue packages given by their level labels."""
    space = cs.packages
    if len(space.issue_ids) != 1:
        raise TheoryError("this closed form needs a single issue")
    level = {lab: k for k, lab in enumerate(space.level_labels[0])}
    by_level = {int(space.grid[p, 0]): p for p in range(len(space))}
    return np.array([by_level[level[v]] for v in labels])


def _mc_check(case, ref, params, quantity, expected: np.ndarray | float, hits: int,
              n: int) -> Check:
    """Compare a count of hits with per-trial probabilities ``expected`` (or one)."""
    q = np.broadcast_to(np.asarray(expected, dtype=float), (n,))
    closed = float(q.mean())
    p_hat = hits / n
    lo, hi = wilson_interval(hits, n)
    se = float(np.sqrt((q * (1 - q)).sum())) / n
    exact = se == 0
    agree = p_hat == closed if exact else abs(p_hat - closed) < 4 * se
    return Check(case, ref, params, quantity, closed, float(p_hat), float(lo), float(hi),
                 bool(agree), "exact" if exact else "within 4 SE")


# --- V1: Fearon's risk-return trade-off ----------------------------------------------------


def v1_setup(cs: CompiledScenario) -> dict:
    """Who offers to whom, and the prior the offer screens (checks the structure)."""
    a, b = _two_parties(cs)
    if cs.protocol.horizon != 1 or cs.ladder.breakdown[cs.ladder.start] != 1:
        raise TheoryError("V1 needs one take-it-or-leave-it offer (horizon 1, a rejection "
                          "is war: breakdown risk 1 at the starting rung)")
    if len(cs.stocks):
        raise TheoryError("V1 has no stocks")
    prior = cs.actors.beliefs[(a, b)]
    return {"a": a, "b": b, "prior_cost": prior["war_cost"], "prior_resolve": prior["resolve"]}


def v1_closed_form(cs: CompiledScenario) -> dict[str, float]:
    """The sheet's continuous solution, when p and c_A are fixed and the prior uniform."""
    s = v1_setup(cs)
    cap = [_fixed(cs.actors.types["capability"][i], "capability") for i in (s["a"], s["b"])]
    p = cap[0] / sum(cap)
    c_a = _fixed(cs.actors.types["war_cost"][s["a"]], "the proposer's war cost")
    _fixed(s["prior_resolve"], "the responder's resolve (the sheet's x* assumes it known)")
    low, high = s["prior_cost"].support()
    if type(s["prior_cost"]).__name__ not in ("Uniform", "Fixed"):
        raise TheoryError("the sheet's continuous x* assumes a uniform prior on B's war cost")
    out = cf.risk_return_uniform(p, c_a, low, high)
    return {"p": p, "c_a": c_a, "low": low, "high": high, **out}


def v1_grid_solution(cs: CompiledScenario, trials: pd.DataFrame):
    """Per trial: which packages are optimal offers, and P(war) if each is offered."""
    s = v1_setup(cs)
    a, b = s["a"], s["b"]
    w_pub = war_value_public(cs, _types(cs, trials, "capability"))
    war_a = w_pub[:, a] - trials[f"{cs.actors.ids[a]}_war_cost"].to_numpy()
    u = cs.actors.utility
    # B rejects (war) when c_B - r_B falls short of the threshold by more than a tie.
    cdf = cf.difference_cdf(s["prior_cost"], s["prior_resolve"])
    return cf.risk_return_grid(u[a], u[b], war_a, w_pub[:, b], lambda y: cdf(y - TIE),
                               tie=1e-9)


def check_v1(cs: CompiledScenario, trials: int, seed: int,
             case: str = "V1") -> list[Check]:
    s = v1_setup(cs)
    t = run(cs, trials=trials, seed=seed).trials
    optimal, p_war = v1_grid_solution(cs, t)
    offered = _package_index(cs, t[f"last_offer_{cs.packages.issue_ids[0]}"])
    rows = np.arange(len(t))
    ref = "Fearon 1995"
    low, high = s["prior_cost"].support()
    kind = type(s["prior_cost"]).__name__.lower()
    prior = f"c_B known = {low:.2f}" if low == high else f"c_B {kind} on [{low:.2f}, {high:.2f}]"
    r_lo, r_hi = s["prior_resolve"].support()
    if r_lo != r_hi:
        prior += f" + resolve on [{r_lo:.2f}, {r_hi:.2f}]"
    params = f"{prior}, c_A {_describe(cs.actors.types['war_cost'][s['a']])}"
    war = int((t.ended_by == "war").sum())
    offers = t[f"last_offer_{cs.packages.issue_ids[0]}"].astype(float)
    out = [_mc_check(case, ref, params, "P(war) at the grid-optimal offer",
                     p_war[rows, offered], war, len(t))]
    try:
        x_star = v1_closed_form(cs)["x_star"]
    except TheoryError:  # drawn p or c_A: no single continuous x*
        x_star = float("nan")
    out.append(Check(case, ref, params, "offer (B's share): continuous x*, offered",
                     x_star, float(offers.median()), None, None,
                     bool(optimal[rows, offered].all()), "a grid optimum in every trial"))
    return out


def _describe(dist) -> str:
    lo, hi = dist.support()
    return f"= {lo:.2f}" if lo == hi else f"in [{lo:.2f}, {hi:.2f}]"


# --- V2: the commitment problem ---------------------------------------------------------


def v2_setup(cs: CompiledScenario) -> dict:
    """D (declining, the responder) and R (rising, the proposer)."""
    r, d = _two_parties(cs)
    if not cs.protocol.renegotiated:
        raise TheoryError("V2 needs renegotiated agreements (R cannot commit)")
    return {"d": d, "r": r,
            "c_d": _fixed(cs.actors.types["war_cost"][d], "D's war cost (D's type is "
                          "known in the commitment problem)")}


def v2_closed_form(cs: CompiledScenario, trials: pd.DataFrame | None = None) -> pd.DataFrame:
    """War or peace, and R's offers, per trial (one row if every number is fixed).

    p0 and p1 are D's chances in rounds 1 and 2, from the drawn capabilities and the
    stock path; D's discount factor is delta.
    """
    s = v2_setup(cs)
    d = s["d"]
    if trials is None:  # every public number fixed: one row
        draw = {t: np.array([[_fixed(x, t) for x in cs.actors.types[t]]]) for t in TYPES}
        init = np.array([[_fixed(x, "stocks") for x in cs.stocks.initial]])
        growth = np.array([[_fixed(x, "stocks") for x in cs.stocks.growth]])
    else:
        draw = {t: _types(cs, trials, t) for t in TYPES}
        init = np.stack([trials[f"{sid}_initial"] for sid in cs.stocks.ids], axis=1)
        growth = np.stack([trials[f"{sid}_growth"] for sid in cs.stocks.ids], axis=1)
    path = stock_path(cs, init, growth, 2)
    p = [war_value_public(cs, capabilities(cs, draw["capability"], path[t]))[:, d]
         for t in (1, 2)]
    rows = [{"p0": p0, "p1": p1, "c_d": s["c_d"], "delta": delta,
             **cf.commitment(p0, p1, s["c_d"], delta)}
            for p0, p1, delta in zip(p[0], p[1], draw["discount"][:, d])]
    return pd.DataFrame(rows)


def check_v2(cs: CompiledScenario, trials: int, seed: int,
             case: str = "V2") -> list[Check]:
    from sim.analysis.narrative import replay

    n = min(trials, DETERMINISTIC_TRIALS)
    t = run(cs, trials=n, seed=seed).trials
    closed = v2_closed_form(cs, t)
    first = closed.iloc[0]
    ref = "Fearon 1995; Powell 2006"
    params = (f"p0={first.p0:.2f}, p1={first.p1:.2f}, c_D={first.c_d:.2f}, "
              f"delta={first.delta:.2f}")
    war = int((t.ended_by == "war").sum())
    out = [_mc_check(case, ref, params, "P(preventive war)", closed.war.to_numpy(), war, n)]
    if not first.war:
        model, _ = replay(cs, seed=seed, trial=0, chunk_size=DEFAULT_CHUNK_SIZE, trials=n)
        issue = cs.packages.issue_ids[0]
        offers = [float(cs.packages.labels(e["packages"])[issue])
                  for e in model.trace.events if e["kind"] == "proposal"][:2]
        grid = np.array([float(v) for v in cs.packages.level_labels[0]])
        for quantity, value, got in (("R's first offer to D", first.first_offer, offers[0]),
                                     ("R's offers after the shift", first.later_offer,
                                      offers[1])):
            on_grid = float(grid[np.searchsorted(grid, value - 1e-9)])  # least acceptable
            out.append(Check(case, ref, params, quantity, float(value), got, None, None,
                             bool(np.isclose(got, on_grid)), "equal on the grid"))
    return out


# --- V3: alternating offers, breakdown and discounting -----------------------------------


def v3_closed_form(cs: CompiledScenario, trials: pd.DataFrame | None = None) -> pd.DataFrame:
    """The first proposer's share per trial (one row if every number is fixed), and the
    bound the grid's rounding implies.

    With breakdown risk q, war values d and discount factors delta, both parties'
    types known (war costs fixed; capabilities and discounts may be drawn, they are
    public).
    """
    first, second = _two_parties(cs)
    q = float(cs.ladder.breakdown[cs.ladder.start])
    c = [_fixed(cs.actors.types["war_cost"][i], "war costs (complete information)")
         for i in (first, second)]
    if trials is None:
        cap = np.array([[_fixed(x, "capability") for x in cs.actors.types["capability"]]])
        disc = np.array([[_fixed(x, "discount") for x in cs.actors.types["discount"]]])
    else:
        cap, disc = _types(cs, trials, "capability"), _types(cs, trials, "discount")
    w = war_value_public(cs, cap)
    step = float(np.diff([float(v) for v in cs.packages.level_labels[0]]).max())
    rows = []
    for w_i, d_i in zip(w, disc):
        d1, d2 = w_i[first] - c[0], w_i[second] - c[1]
        r1, r2 = (1 - q) * d_i[first], (1 - q) * d_i[second]
        rows.append({"q": q, "d_first": d1, "d_second": d2, "delta_first": d_i[first],
                     "delta_second": d_i[second],
                     "share": cf.alternating_offers_share(q, d1, d2, d_i[first], d_i[second]),
                     "bound": step * (1 + r2) / (1 - r1 * r2)})
    return pd.DataFrame(rows)


def check_v3(cs: CompiledScenario, trials: int, seed: int,
             case: str = "V3") -> list[Check]:
    first, _ = _two_parties(cs)
    t = run(cs, trials=min(trials, DETERMINISTIC_TRIALS), seed=seed).trials
    closed = v3_closed_form(cs, t)
    row = closed.iloc[0]
    if row.q > 0:
        ref = "Binmore, Rubinstein & Wolinsky 1986"
        params = f"q={row.q:.2f}, d=({row.d_first:.2f}, {row.d_second:.2f})"
    else:
        ref = "Rubinstein 1982"
        params = f"delta=({row.delta_first:.2f}, {row.delta_second:.2f})"
    immediate = bool((t.rounds == 1).all() and (t.ended_by == "deal").all())
    deal = _package_index(cs, t[f"deal_{cs.packages.issue_ids[0]}"]) if immediate else None
    got = cs.actors.utility[first][deal] if immediate else np.full(len(t), np.nan)
    gap = np.abs(got - closed.share.to_numpy())
    agree = bool(immediate and (gap <= closed.bound.to_numpy() + 1e-12).all())
    return [Check(case, ref, params, "first proposer's share (agreed at once)",
                  float(row.share), float(got[0]), None, None, agree,
                  f"within grid bound {row.bound:.4f}")]


# --- V8: logit choice on a game tree ---------------------------------------------------------


def v8_closed_form(cs: CompiledScenario) -> dict[str, np.ndarray | float]:
    """Node-by-node logit probabilities of the ultimatum tree, bottom-up (Signorino 1999)."""
    a, b = _two_parties(cs)
    x = np.array([float(v) for v in cs.packages.level_labels[0]])  # A's share
    cap = [_fixed(cs.actors.types["capability"][i], "capability") for i in (a, b)]
    p = cap[0] / sum(cap)
    w_a = p - _fixed(cs.actors.types["war_cost"][a], "war costs")
    w_b = 1 - p - _fixed(cs.actors.types["war_cost"][b], "war costs")
    lam_a, lam_b = float(cs.actors.rationality[a]), float(cs.actors.rationality[b])
    return {"x": x, "lam": lam_a, **cf.logit_ultimatum(x, w_a, w_b, lam_a, lam_b)}


def check_v8(cs: CompiledScenario, trials: int, seed: int,
             case: str = "V8") -> list[Check]:
    c = v8_closed_form(cs)
    ref = "Signorino 1999"
    params = f"lambda={c['lam']:g}, {len(c['x'])} offers"
    t = run(cs, trials=trials, seed=seed).trials
    n = len(t)
    offered = t[f"last_offer_{cs.packages.issue_ids[0]}"].astype(float).to_numpy()
    accepted = (t.ended_by == "deal").to_numpy()
    x_spe = c["x"][c["spe"]]
    modal = int(np.argmax(c["offer"]))
    on_path = int((np.isclose(offered, x_spe) & accepted).sum())
    out = [
        _mc_check(case, ref, params, "P(accept)", c["p_accept"], int(accepted.sum()), n),
        _mc_check(case, ref, params, f"P(offer {c['x'][modal]:.1f})", float(c["offer"][modal]),
                  int(np.isclose(offered, c["x"][modal]).sum()), n),
        _mc_check(case, ref, params, f"P(SPE path: offer {x_spe:.1f}, accepted)",
                  c["p_spe_path"], on_path, n),
    ]
    # Node by node: every offer's frequency and its acceptance rate, within 4.5 SE.
    worst = 0.0
    for k, x in enumerate(c["x"]):
        made = np.isclose(offered, x)
        for prob, hits, m in ((c["offer"][k], made.sum(), n),
                              (c["accept"][k], (made & accepted).sum(), made.sum())):
            if m >= 30 and 0 < prob < 1:
                worst = max(worst, abs(hits / m - prob) / np.sqrt(prob * (1 - prob) / m))
    out.append(Check(case, ref, params, "worst node |freq - logit| in SE", np.nan, float(worst),
                     None, None, worst < 4.5, "below 4.5 SE over all nodes"))
    return out


# --- V6 and V7: standoffs (the war of attrition, chicken) ----------------------------------


def standoff_setup(cs: CompiledScenario) -> dict:
    """The symmetric stage game's payoffs (win, lose, status quo, war; backing down less
    the audience cost) and lambda."""
    if not cs.protocol.standoff:
        raise TheoryError("V6 and V7 need a standoff (protocol kind: standoff)")
    a, b = (int(x) for x in cs.protocol.parties)
    if len(cs.stocks):
        raise TheoryError("V6 and V7 have no stocks")
    U = cs.actors.utility
    want = {i: int(np.argmax(U[i])) for i in (a, b)}
    sq = cs.packages.status_quo
    cap = np.array([[_fixed(x, "capability") for x in cs.actors.types["capability"]]])
    war = [war_value_public(cs, cap)[0, i]
           - _fixed(cs.actors.types["war_cost"][i], "war costs") for i in (a, b)]
    audience = [_fixed(cs.actors.types["audience_cost"][i], "audience costs") for i in (a, b)]
    games = [(U[i, want[i]], U[i, want[j]] - audience[k], U[i, sq] - audience[k], war[k],
              _fixed(cs.actors.types["discount"][i], "discount"),
              _fixed(cs.actors.types["resolve"][i], "resolve"),
              float(cs.actors.rationality[i]))
             for k, (i, j) in enumerate(((a, b), (b, a)))]
    if not np.allclose(games[0], games[1]):
        raise TheoryError("the closed forms assume a symmetric standoff (the same payoffs, "
                          "audience costs, discount, resolve and rationality for both "
                          "parties)")
    win, lose, status_quo, crash, delta, resolve, lam = games[0]
    if resolve != 0:
        raise TheoryError("the closed forms assume no resolve")
    rung = cs.ladder.start
    return {"a": a, "b": b, "win": win, "lose": lose, "status_quo": status_quo,
            "crash": crash, "delta": delta, "lam": min(lam, LIMIT_PRECISION),
            "q": float(cs.ladder.breakdown[rung]), "cost": float(cs.ladder.holding[rung])}


def check_v7(cs: CompiledScenario, trials: int, seed: int,
             case: str = "V7") -> list[Check]:
    s = standoff_setup(cs)
    if cs.protocol.horizon != 1 or s["q"] != 1 or s["cost"] != 0:
        raise TheoryError("V7 is one round in which holding together is a crash (horizon 1, "
                          "breakdown risk 1, no holding cost)")
    c = cf.chicken(s["win"], s["lose"], s["status_quo"], s["crash"], s["lam"])
    t = run(cs, trials=trials, seed=seed).trials
    n = len(t)
    ref = "Schelling 1960; McKelvey & Palfrey 1995"
    params = (f"win {s['win']:g}, lose {s['lose']:g}, both back down {s['status_quo']:g}, "
              f"crash {s['crash']:g}, lambda={s['lam']:g}; mixed equilibrium "
              f"{c['nash']:.4f}")
    out = [_mc_check(case, ref, params, f"P({cs.actors.ids[i]} backs down): logit QRE",
                     c["qre"], int(t[f"backed_down_{cs.actors.ids[i]}"].sum()), n)
           for i in (s["a"], s["b"])]
    out.append(_mc_check(case, ref, params, "P(crash: both hold, war)", c["crash"],
                         int((t.ended_by == "war").sum()), n))
    return out


def check_v6(cs: CompiledScenario, trials: int, seed: int,
             case: str = "V6") -> list[Check]:
    s = standoff_setup(cs)
    if s["q"] != 0 or s["cost"] <= 0:
        raise TheoryError("V6 needs a holding cost and no breakdown risk at the standoff's rung")
    settle = cs.protocol.horizon - ATTRITION_SETTLING
    if settle < 1:
        raise TheoryError(f"V6 needs a horizon over {ATTRITION_SETTLING} rounds, so the "
                          "first rounds play the stationary game")
    c = cf.attrition(s["win"], s["lose"], s["status_quo"], s["cost"], s["lam"], s["delta"])
    t = run(cs, trials=trials, seed=seed).trials
    ref = "Maynard Smith 1974; McKelvey & Palfrey 1995"
    params = (f"prize {s['win'] - s['lose']:g}, cost {s['cost']:g} a round, "
              f"lambda={s['lam']:g}; mixed equilibrium hazard {c['nash']:.4f}")
    # Each party, each round of the first `settle` still standing: backs down or not.
    rounds = t.rounds.to_numpy()
    ids = [cs.actors.ids[i] for i in (s["a"], s["b"])]
    events = sum(int(((rounds <= settle) & t[f"backed_down_{x}"]).sum()) for x in ids)
    exposure = 2 * int(np.minimum(rounds, settle).sum())
    hazard = events / exposure
    se = float(np.sqrt(c["qre"] * (1 - c["qre"]) / exposure))
    out = [Check(case, ref, params, f"hazard of backing down (rounds 1-{settle})", c["qre"],
                 hazard, hazard - 1.96 * se, hazard + 1.96 * se,
                 bool(abs(hazard - c["qre"]) < 4 * se), "within 4 SE")]
    first = (rounds == 1) & (t.ended_by == "deal")
    out.append(_mc_check(case, ref, params, "P(the standoff ends in round 1)",
                         c["end_in_round"], int(first.sum()), len(t)))
    return out


# --- V4 and V5: compellence (audience costs, brinkmanship) ------------------------------


def compellence_setup(cs: CompiledScenario) -> dict:
    """The game's public numbers as the closed forms name them: the threatener's gain g_S
    from compliance and loss from backing down (its audience cost), the target's loss g
    from complying, each side's disaster (status quo less war value: D_S, D_T), the
    risks on offer and lambda."""
    if not cs.protocol.compellence:
        raise TheoryError("V4 and V5 need a compellence game (protocol kind: compellence)")
    game = threat_game(cs)
    t, b = game.threatener, game.target
    if any(game.cost):
        raise TheoryError("the closed forms assume threats that cost nothing in themselves")
    for i, who in ((t, "the threatener"), (b, "the target")):
        _fixed(cs.actors.types["war_cost"][i], f"{who}'s war cost")
    _fixed(cs.actors.types["resolve"][b], "the target's resolve")
    if cs.actors.types["resolve"][b].support()[0] != 0:
        raise TheoryError("the closed forms assume the target has no resolve")
    war = [game.war_public[k] - cs.actors.types["war_cost"][i].support()[0]
           for k, i in enumerate((t, b))]
    return {"game": game, "t": t, "b": b,
            "g_threatener": game.u_demand[0] - game.u_status_quo[0],
            "g": game.u_status_quo[1] - game.u_demand[1] + game.audience[1],
            "audience": game.audience[0], "war": war,
            "d_threatener": game.u_status_quo[0] - war[0],
            "d_target": game.u_status_quo[1] - war[1],
            "risks": game.risk[1:], "lam": game.precision}


def check_v4(cs: CompiledScenario, trials: int, seed: int,
             case: str = "V4") -> list[Check]:
    s = compellence_setup(cs)
    t = s["t"]
    if s["risks"] != (0.0,) or abs(s["war"][0] - s["game"].u_status_quo[0]) > 1e-9:
        raise TheoryError("V4 has one threat that leaves nothing to chance (breakdown risk "
                          "0), and the threatener's war lottery worth its status quo")
    resolve = cs.actors.types["resolve"][t]
    if type(resolve).__name__ != "Uniform" or resolve.support() != (-1.0, 1.0):
        raise TheoryError("V4 assumes the threatener's resolve (its value of war beyond the "
                          "status quo, Fearon's w) uniform on [-1, 1]")
    if abs(s["g"] - s["g_threatener"]) > 1e-12 or s["lam"][0] != s["lam"][1]:
        raise TheoryError("V4 assumes the target loses what the threatener gains (g), and "
                          "one lambda for both")
    a, g, d, lam = s["audience"], s["g"], s["d_target"], s["lam"][0]
    qre = cf.audience_costs_qre(a, g, d, lam)
    try:
        limit = cf.audience_costs(a, g, d)
    except ValueError:  # outside the semi-separating region: no limit to quote
        limit = None
    tr = run(cs, trials=trials, seed=seed).trials
    n = len(tr)
    ref = "Fearon 1994; McKelvey & Palfrey 1998"
    prior = 1 - float(resolve.cdf(np.array(-a)))  # P(w >= -a): A would fight
    params = (f"A's audience cost a={a:g}, the stake g={g:g}, B's cost of war d={d:g}; B's "
              f"belief that A would fight, before a threat, {prior:.4f}; closed forms: the "
              f"logit QRE at lambda={lam:g}")
    if limit is not None:
        params += (f"; as lambda grows, Fearon's equilibrium: P(war) {limit['war']:.4f}, "
                   f"bluffers threaten {limit['bluff']:.4f}, B resists {limit['resist']:.4f}, "
                   f"B's belief after a threat {limit['belief']:.4f}")
    threat = (tr.peak_rung >= s["game"].rung[1]).to_numpy()
    resisted = threat & (tr.ended_by != "deal").to_numpy()
    bluffer = (tr[f"{cs.actors.ids[t]}_resolve"] < -a).to_numpy()
    # B's answer does not depend on A's type, so among resisted threats the share A
    # carries out is B's posterior given the threat.
    fought = resisted & (tr.ended_by == "war").to_numpy()
    return [
        _mc_check(case, ref, params, "P(A threatens)", qre["threaten"], int(threat.sum()), n),
        _mc_check(case, ref, params, "P(a bluffer, w < -a, threatens)", qre["bluff"],
                  int((threat & bluffer).sum()), int(bluffer.sum())),
        _mc_check(case, ref, params, "P(B resists | threat)", qre["resist"],
                  int(resisted.sum()), int(threat.sum())),
        _mc_check(case, ref, params, "P(A fights | resisted): B's belief", qre["belief"],
                  int(fought.sum()), int(resisted.sum())),
        _mc_check(case, ref, params, "P(war)", qre["war"], int((tr.ended_by == "war").sum()), n),
    ]


def check_v5(cs: CompiledScenario, trials: int, seed: int,
             case: str = "V5") -> list[Check]:
    s = compellence_setup(cs)
    game = s["game"]
    if s["war"][0] + _fixed(cs.actors.types["resolve"][s["t"]], "the threatener's resolve") \
            >= game.u_status_quo[0] - s["audience"]:
        raise TheoryError("V5's disaster is one the threatener never chooses: its war value "
                          "must be below backing down")
    if min(s["lam"]) < LIMIT_PRECISION:
        raise TheoryError("V5's closed form is for best responders (no rationality)")
    p_soft = 1.0 - game.veto
    c = cf.brinkmanship(s["g"], s["d_target"], s["g_threatener"], s["d_threatener"], p_soft,
                        s["risks"])
    tr = run(cs, trials=trials, seed=seed).trials
    n = len(tr)
    ref = "Schelling 1960; Powell 1990"
    params = (f"B's loss from complying g={s['g']:g} and from the disaster D_T="
              f"{s['d_target']:g}; A's gain g_S={s['g_threatener']:g} and loss D_S="
              f"{s['d_threatener']:g}; P(B soft) p={p_soft:g}; risks A would take and B "
              f"would heed: [{c['least']:.4f}, {c['most']:.4f}]")
    chosen = [k for k, q in enumerate(game.risk) if k and q == c["risk"]]
    rung = game.rung[chosen[0]] if chosen else cs.ladder.start
    at_risk = ((tr.peak_rung == rung) | ((tr.ended_by == "war") & (tr.war_cause == "breakdown"))
               if chosen else tr.peak_rung == rung)
    choice = f"P(A takes risk {c['risk']:g})" if chosen else "P(A makes no threat)"
    return [
        _mc_check(case, ref, params, choice, 1.0, int(at_risk.sum()), n),
        _mc_check(case, ref, params, "P(B complies)", c["comply"],
                  int((tr.ended_by == "deal").sum()), n),
        _mc_check(case, ref, params, "P(disaster)", c["disaster"],
                  int((tr.ended_by == "war").sum()), n),
    ]


@dataclass(frozen=True)
class Case:
    """A validation case: a shipped scenario file and the function that checks it."""

    id: str
    file: str
    check: Callable[[CompiledScenario, int, int, str], list[Check]]


CASES = (
    Case("V1", "validation/v1_risk_return.yaml", check_v1),
    Case("V1 control", "validation/v1_complete_information.yaml", check_v1),
    Case("V2", "validation/v2_commitment.yaml", check_v2),
    Case("V2 small shift", "validation/v2_commitment_small_shift.yaml", check_v2),
    Case("V2 impatient", "validation/v2_commitment_impatient.yaml", check_v2),
    Case("V3 breakdown", "validation/v3_breakdown.yaml", check_v3),
    Case("V3 discounting", "validation/v3_discounting.yaml", check_v3),
    Case("V4", "validation/v4_audience_costs.yaml", check_v4),
    Case("V5", "validation/v5_brinkmanship.yaml", check_v5),
    Case("V6", "validation/v6_attrition.yaml", check_v6),
    Case("V7", "validation/v7_chicken.yaml", check_v7),
    Case("V7 lambda=1000", "validation/v7_chicken_sharp.yaml", check_v7),
    Case("V8", "validation/v8_logit.yaml", check_v8),
    Case("V8 lambda=1000", "validation/v8_logit_sharp.yaml", check_v8),
)


def run_theory(trials: int = 100_000, seed: int = DEFAULT_SEED, progress=None) -> list[Check]:
    """Run every validation case; Monte Carlo cases use ``trials`` trials."""
    checks = []
    for case in CASES:
        cs = compile_scenario(load_scenario(shipped(case.file)))
        checks += case.check(cs, trials, seed, case.id)
        if progress:
            progress(case.id)
    return checks


def theory_table(checks: list[Check]) -> str:
    """A table an instructor can project: closed form beside simulation, and agreement."""
    lines = []
    last = None
    for c in checks:
        if (c.case, c.parameters) != last:
            last = (c.case, c.parameters)
            lines += ["", f"{c.case}: {c.reference}  ({c.parameters})",
                      f"    {'quantity':<42}{'closed form':>12}   {'simulated (95% CI)':<26}agree"]
        closed = "-" if np.isnan(c.closed_form) else f"{c.closed_form:.4f}"
        sim = f"{c.simulated:.4f}"
        if c.low is not None and c.rule != "exact":
            sim += f" [{c.low:.4f}, {c.high:.4f}]"
        verdict = "yes" if c.agree else "NO"
        lines.append(f"    {c.quantity:<42}{closed:>12}   {sim:<26}{verdict} ({c.rule})")
    bad = sorted({c.case for c in checks if not c.agree})
    agree = sum(c.agree for c in checks)
    lines += ["", f"{agree} of {len(checks)} checks agree"
              + ("" if not bad else f"; disagreeing: {', '.join(bad)}")]
    return "\n".join(lines).lstrip("\n")
