"""Validation against the closed-form models of crisis bargaining (THEORY.md).

Each case runs an ordinary scenario file from ``scenarios/validation/`` through the
ordinary engine and compares what the trials show with the closed form, computed here
from the same compiled scenario (so tests can move the parameters). Agreement rules:

- Monte Carlo shares: within 4 standard errors of the closed form (THEORY.md).
- Deterministic quantities: equal to the closed form on the scenario's grid, or within
  the bound the grid's rounding implies (stated in the row).

References
----------
Fearon, J. D. (1995). Rationalist explanations for war. *International Organization* 49(3).
Powell, R. (2006). War as a commitment problem. *International Organization* 60(1).
Rubinstein, A. (1982). Perfect equilibrium in a bargaining model. *Econometrica* 50(1).
Binmore, K., Rubinstein, A., and Wolinsky, A. (1986). The Nash bargaining solution in
economic modelling. *RAND Journal of Economics* 17(2).
Signorino, C. S. (1999). Strategic interaction and the statistical analysis of
international conflict. *American Political Science Review* 93(2).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from sim.engine.compile import CompiledScenario, compile_scenario
from sim.runs.chunks import DEFAULT_CHUNK_SIZE
from sim.runs.runner import run
from sim.runs.stats import wilson_interval

__all__ = ["CASES", "Check", "run_theory", "theory_table"]

VALIDATION = Path(__file__).resolve().parents[2] / "scenarios" / "validation"
DETERMINISTIC_TRIALS = 20


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


def _fixed(dist) -> float:
    lo, hi = dist.support()
    if lo != hi:
        raise ValueError("this closed form needs a fixed value here")
    return lo


def _grid(cs: CompiledScenario) -> np.ndarray:
    """Positions of the single issue's levels (validation cases have one issue)."""
    return np.array([float(v) for v in cs.packages.level_labels[0]])


def _share_value(label: str) -> float:
    return float(label)


def _mc_check(case, ref, params, quantity, closed, hits, n) -> Check:
    p_hat = hits / n
    lo, hi = wilson_interval(hits, n)
    se = np.sqrt(max(closed * (1 - closed), 1e-300) / n)
    agree = abs(p_hat - closed) < 4 * se if 0 < closed < 1 else p_hat == closed
    return Check(case, ref, params, quantity, float(closed), float(p_hat), float(lo), float(hi),
                 bool(agree), "within 4 SE" if 0 < closed < 1 else "exact")


# --- V1: Fearon's risk-return trade-off ------------------------------------------------


def v1_closed_form(cs: CompiledScenario) -> dict[str, float]:
    """x* = 1 - p - (cbar - c_A)/2 and P(war) = (cbar - c_A)/(2 cbar) (0 if c_A >= cbar)."""
    a, b = 0, 1
    p = _fixed(cs.actors.types["capability"][a]) / (
        _fixed(cs.actors.types["capability"][a]) + _fixed(cs.actors.types["capability"][b]))
    c_a = _fixed(cs.actors.types["war_cost"][a])
    low, cbar = cs.actors.types["war_cost"][b].support()
    if low == cbar:  # complete information: c_B is known
        return {"p": p, "c_a": c_a, "c_b": cbar, "x_star": 1 - p - cbar, "p_war": 0.0}
    if low != 0:
        raise ValueError("V1 needs B's war cost uniform on [0, cbar]")
    if c_a >= cbar:
        return {"p": p, "c_a": c_a, "cbar": cbar, "x_star": 1 - p, "p_war": 0.0}
    return {"p": p, "c_a": c_a, "cbar": cbar, "x_star": 1 - p - (cbar - c_a) / 2,
            "p_war": (cbar - c_a) / (2 * cbar)}


def check_v1(path: Path, trials: int, seed: int, case: str = "V1") -> list[Check]:
    from sim.scenario.loader import load_scenario

    cs = compile_scenario(load_scenario(path))
    cf = v1_closed_form(cs)
    ref = "Fearon 1995"
    params = f"p={cf['p']:.2f}, c_A={cf['c_a']:.2f}, " + (
        f"cbar={cf['cbar']:.2f}" if "cbar" in cf else f"c_B={cf['c_b']:.2f} known")
    t = run(cs, trials=trials, seed=seed).trials
    war = int((t.ended_by == "war").sum())
    grid = _grid(cs)
    x_grid = float(grid[np.argmin(np.abs(grid - cf["x_star"]))])
    offers = sorted({_share_value(v) for v in t.last_offer_share})
    offered = offers[0] if len(offers) == 1 else float("nan")
    return [
        _mc_check(case, ref, params, "P(war)", cf["p_war"], war, len(t)),
        Check(case, ref, params, "offer x* (B's share)", cf["x_star"], offered, None, None,
              len(offers) == 1 and np.isclose(offered, x_grid), "equal on the 0.01 grid"),
    ]


# --- V2: the commitment problem ---------------------------------------------------------


def v2_closed_form(cs: CompiledScenario) -> dict[str, float]:
    """War now iff delta (p0 - p1) > (1 - delta)(1 - p0 + c_D) (Fearon 1995; Powell 2006).

    D is actor 0 (declining), R actor 1; p0 and p1 are D's chances in rounds 1 and 2,
    from the capabilities and the stock path. If peace, R's first offer makes D
    indifferent: (1 - delta) x0 + delta (p1 - c_D) = p0 - c_D; later offers are
    p1 - c_D.
    """
    from sim.engine.payoffs import capabilities, stock_path

    init = np.array([[_fixed(d) for d in cs.stocks.initial]])
    growth = np.array([[_fixed(d) for d in cs.stocks.growth]])
    base = np.array([[_fixed(d) for d in cs.actors.types["capability"]]])
    path = stock_path(cs, init, growth, 2)
    caps = [capabilities(cs, base, path[t])[0] for t in (1, 2)]
    p0, p1 = (float(c[0] / c.sum()) for c in caps)
    c_d = _fixed(cs.actors.types["war_cost"][0])
    delta = _fixed(cs.actors.types["discount"][0])
    war = delta * (p0 - p1) > (1 - delta) * (1 - p0 + c_d)
    x0 = (p0 - c_d - delta * (p1 - c_d)) / (1 - delta)
    return {"p0": p0, "p1": p1, "c_d": c_d, "delta": delta, "war": float(war),
            "first_offer": float("nan") if war else x0, "later_offer": p1 - c_d}


def check_v2(path: Path, trials: int, seed: int, case: str = "V2") -> list[Check]:
    from sim.analysis.narrative import replay
    from sim.scenario.loader import load_scenario

    cs = compile_scenario(load_scenario(path))
    cf = v2_closed_form(cs)
    ref = "Fearon 1995; Powell 2006"
    params = f"p0={cf['p0']:.2f}, p1={cf['p1']:.2f}, c_D={cf['c_d']:.2f}, delta={cf['delta']:.1f}"
    n = min(trials, DETERMINISTIC_TRIALS)
    t = run(cs, trials=n, seed=seed).trials
    war = int((t.ended_by == "war").sum())
    out = [_mc_check(case, ref, params, "P(preventive war)", cf["war"], war, n)]
    if not cf["war"]:
        model, _ = replay(cs, seed=seed, trial=0, chunk_size=DEFAULT_CHUNK_SIZE, trials=n)
        offers = [_share_value(cs.packages.labels(e["packages"])["share"])
                  for e in model.trace.events if e["kind"] == "proposal"][:2]
        grid = _grid(cs)
        for quantity, closed, got in (("R's first offer to D", cf["first_offer"], offers[0]),
                                      ("R's offers after the shift", cf["later_offer"], offers[1])):
            on_grid = float(grid[np.searchsorted(grid, closed - 1e-9)])
            out.append(Check(case, ref, params, quantity, closed, got, None, None,
                             bool(np.isclose(got, on_grid)), "equal on the 0.01 grid"))
    return out


# --- V3: alternating offers, breakdown and discounting -----------------------------------


def v3_closed_form(cs: CompiledScenario) -> dict[str, float]:
    """First proposer's share with breakdown risk q and discount factors d_A, d_B.

    With breakdown only (BRW 1986): V_A = (1 - d_B + (1 - q) d_A) / (2 - q), d the war
    values. With discounting only (Rubinstein 1982): (1 - delta_B) / (1 - delta_A delta_B).
    The general stationary solution: x = 1 - r_B (1 - y) - q d_B, y = 1 - r_A (1 - x) - q d_A
    with r_i = (1 - q) delta_i, solved for x.
    """
    q = float(cs.ladder.breakdown[cs.ladder.start])
    cap = [_fixed(cs.actors.types["capability"][i]) for i in (0, 1)]
    p = cap[0] / sum(cap)
    d_a = p - _fixed(cs.actors.types["war_cost"][0])
    d_b = 1 - p - _fixed(cs.actors.types["war_cost"][1])
    r_a = (1 - q) * _fixed(cs.actors.types["discount"][0])
    r_b = (1 - q) * _fixed(cs.actors.types["discount"][1])
    # x = 1 - q d_B - r_B (1 - y); B proposing keeps 1 - y = 1 - q d_A - r_A x.
    x = (1 - q * d_b - r_b * (1 - q * d_a)) / (1 - r_a * r_b)
    step = float(np.diff(_grid(cs)).max())
    bound = step * (1 + r_b) / (1 - r_a * r_b)
    return {"q": q, "d_a": d_a, "d_b": d_b, "delta_a": _fixed(cs.actors.types["discount"][0]),
            "delta_b": _fixed(cs.actors.types["discount"][1]), "share": x, "bound": bound}


def check_v3(path: Path, trials: int, seed: int, case: str = "V3") -> list[Check]:
    from sim.scenario.loader import load_scenario

    cs = compile_scenario(load_scenario(path))
    cf = v3_closed_form(cs)
    if cf["q"] > 0:
        ref = "Binmore, Rubinstein & Wolinsky 1986"
        params = f"q={cf['q']:.2f}, d=({cf['d_a']:.2f}, {cf['d_b']:.2f})"
    else:
        ref = "Rubinstein 1982"
        params = f"delta=({cf['delta_a']:.2f}, {cf['delta_b']:.2f})"
    t = run(cs, trials=min(trials, DETERMINISTIC_TRIALS), seed=seed).trials
    shares = {_share_value(v) for v in t.deal_share if v != ""}
    immediate = bool((t.rounds == 1).all() and (t.ended_by == "deal").all())
    share = shares.pop() if len(shares) == 1 else float("nan")
    agree = bool(immediate and abs(share - cf["share"]) <= cf["bound"] + 1e-12)
    return [Check(case, ref, params, "first proposer's share (agreed at once)", cf["share"],
                  share, None, None, agree, f"within grid bound {cf['bound']:.4f}")]


# --- V8: logit choice on a game tree ---------------------------------------------------------


def v8_closed_form(cs: CompiledScenario) -> dict[str, np.ndarray | float]:
    """Node-by-node logit probabilities of the ultimatum tree, bottom-up (Signorino 1999)."""
    x = _grid(cs)  # A's share
    cap = [_fixed(cs.actors.types["capability"][i]) for i in (0, 1)]
    p = cap[0] / sum(cap)
    w_a = p - _fixed(cs.actors.types["war_cost"][0])
    w_b = 1 - p - _fixed(cs.actors.types["war_cost"][1])
    lam_a, lam_b = float(cs.actors.rationality[0]), float(cs.actors.rationality[1])
    accept = 1 / (1 + np.exp(-lam_b * ((1 - x) - w_b)))
    eu = accept * x + (1 - accept) * w_a
    offer = np.exp(lam_a * (eu - eu.max()))
    offer /= offer.sum()
    spe = int(np.argmax(np.where(1 - x > w_b, x, -np.inf)))
    return {"x": x, "accept": accept, "offer": offer, "lam": lam_a, "spe": spe,
            "p_accept": float((offer * accept).sum()),
            "p_spe_path": float(offer[spe] * accept[spe])}


def check_v8(path: Path, trials: int, seed: int, case: str = "V8") -> list[Check]:
    from sim.scenario.loader import load_scenario

    cs = compile_scenario(load_scenario(path))
    cf = v8_closed_form(cs)
    ref = "Signorino 1999"
    params = f"lambda={cf['lam']:g}, 11 offers"
    t = run(cs, trials=trials, seed=seed).trials
    n = len(t)
    offered = np.array([_share_value(v) for v in t.last_offer_share])
    accepted = (t.ended_by == "deal").to_numpy()
    x_spe = cf["x"][cf["spe"]]
    modal = int(np.argmax(cf["offer"]))
    on_path = int((np.isclose(offered, x_spe) & accepted).sum())
    out = [
        _mc_check(case, ref, params, "P(accept)", cf["p_accept"], int(accepted.sum()), n),
        _mc_check(case, ref, params, f"P(offer {cf['x'][modal]:.1f})", float(cf["offer"][modal]),
                  int(np.isclose(offered, cf["x"][modal]).sum()), n),
        _mc_check(case, ref, params, f"P(SPE path: offer {x_spe:.1f}, accepted)",
                  cf["p_spe_path"], on_path, n),
    ]
    # Node by node: every offer's frequency and its acceptance rate, within 4 SE.
    worst = 0.0
    for k, x in enumerate(cf["x"]):
        made = np.isclose(offered, x)
        for prob, hits, m in ((cf["offer"][k], made.sum(), n),
                              (cf["accept"][k], (made & accepted).sum(), made.sum())):
            if m >= 30 and 0 < prob < 1:
                worst = max(worst, abs(hits / m - prob) / np.sqrt(prob * (1 - prob) / m))
    out.append(Check(case, ref, params, "worst node |freq - logit| in SE", np.nan, float(worst),
                     None, None, worst < 4.5, "below 4.5 SE over all nodes"))
    return out


@dataclass(frozen=True)
class Case:
    """A validation case: a scenario file and the function that checks it."""

    id: str
    file: str
    check: Callable[[Path, int, int, str], list[Check]]


CASES = (
    Case("V1", "v1_risk_return.yaml", check_v1),
    Case("V1 control", "v1_complete_information.yaml", check_v1),
    Case("V2", "v2_commitment.yaml", check_v2),
    Case("V2 small shift", "v2_commitment_small_shift.yaml", check_v2),
    Case("V2 impatient", "v2_commitment_impatient.yaml", check_v2),
    Case("V3 breakdown", "v3_breakdown.yaml", check_v3),
    Case("V3 discounting", "v3_discounting.yaml", check_v3),
    Case("V8", "v8_logit.yaml", check_v8),
    Case("V8 lambda=1000", "v8_logit_sharp.yaml", check_v8),
)


def run_theory(trials: int = 100_000, seed: int = 0, progress=None) -> list[Check]:
    """Run every validation case; Monte Carlo cases use ``trials`` trials."""
    checks = []
    for case in CASES:
        checks += case.check(VALIDATION / case.file, trials, seed, case.id)
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
                      f"    {'quantity':<40}{'closed form':>12}   {'simulated (95% CI)':<26}agree"]
        closed = "-" if np.isnan(c.closed_form) else f"{c.closed_form:.4f}"
        sim = f"{c.simulated:.4f}"
        if c.low is not None and c.rule != "exact":
            sim += f" [{c.low:.4f}, {c.high:.4f}]"
        verdict = "yes" if c.agree else "NO"
        lines.append(f"    {c.quantity:<40}{closed:>12}   {sim:<26}{verdict} ({c.rule})")
    bad = sorted({c.case for c in checks if not c.agree})
    agree = sum(c.agree for c in checks)
    lines += ["", f"{agree} of {len(checks)} checks agree"
              + ("" if not bad else f"; disagreeing: {', '.join(bad)}")]
    return "\n".join(lines).lstrip("\n")
