"""Hypothesis builders shared by the property tests: small random valid scenarios.

``scenarios()`` draws a scenario as a plain dict (the shape of a YAML file), so tests
can both validate it and run it. It covers every part of the format the engine acts
on: labelled and continuous issues; 2-4 actors on two sides (and one outside wars);
2 or 3 parties with a mediator, a fixed proposer or a rotation; influence and
beliefs; every kind of distribution; package, deal and stock red lines; stocks,
incidents and terminal events; final or renegotiated agreements, a horizon that is a
deadline enforced by war or not, and a planning horizon beyond it. Sizes stay small
so a property test runs in seconds.
"""

from __future__ import annotations

from hypothesis import strategies as st

LEVELS = ["l0", "l1", "l2", "l3"]


def _dist(draw, low: float, high: float):
    kind = draw(st.sampled_from(["fixed", "uniform", "beta", "triangular", "truncated_normal"]))
    a = draw(st.floats(low, high))
    b = draw(st.floats(low, high))
    lo, hi = min(a, b), max(a, b)
    if kind == "fixed" or hi - lo < 1e-6:
        return round(a, 4)
    if kind == "uniform":
        return {"dist": "uniform", "low": lo, "high": hi}
    if kind == "beta":
        return {"dist": "beta", "a": draw(st.floats(0.5, 5)), "b": draw(st.floats(0.5, 5)),
                "low": lo, "high": hi}
    if kind == "truncated_normal":
        return {"dist": "truncated_normal", "mu": (lo + hi) / 2,
                "sd": draw(st.floats(0.05, 1.0)) * (hi - lo), "low": lo, "high": hi}
    return {"dist": "triangular", "low": lo, "mode": (lo + hi) / 2, "high": hi}


def _issues(draw) -> dict:
    """1-3 issues; the first is labelled (red lines test its levels), the others may be
    continuous."""
    issues = {"issue0": {"levels": LEVELS[: draw(st.integers(2, 4))]}}
    for k in range(1, draw(st.integers(1, 3))):
        if draw(st.booleans()):
            issues[f"issue{k}"] = {"continuous": {"low": 0.0, "high": 1.0,
                                                  "steps": draw(st.integers(2, 5))}}
        else:
            issues[f"issue{k}"] = {"levels": LEVELS[: draw(st.integers(2, 4))]}
    return issues


def _level(draw, spec: dict):
    """A level of an issue: a label, or a value of a continuous issue."""
    if "levels" in spec:
        return draw(st.sampled_from(spec["levels"]))
    c = spec["continuous"]
    return draw(st.integers(0, c["steps"] - 1)) / (c["steps"] - 1)


@st.composite
def scenarios(draw, max_horizon: int = 8):
    """A random valid scenario dict."""
    issues = _issues(draw)
    n_rungs = draw(st.integers(3, 6))
    war_rung = n_rungs - 1
    rungs = [
        {"name": f"rung{r}", "breakdown_risk": 0.0 if r == war_rung
         else draw(st.floats(0, 0.3))}
        for r in range(n_rungs)
    ]
    n_actors = draw(st.integers(2, 4))
    ids = [f"actor{a}" for a in range(n_actors)]
    actors = {}
    for a, aid in enumerate(ids):
        prefs = {iid: {"ideal": _level(draw, spec), "salience": draw(st.floats(0.1, 1.0))}
                 for iid, spec in issues.items()}
        moves = [
            {"rung": r, "name": f"move{r}", "cost": _dist(draw, 0.0, 0.2)}
            for r in sorted(draw(st.sets(st.integers(1, war_rung), max_size=3)))
        ]
        side = "west" if a % 2 == 0 else "east"
        if a == 3 and draw(st.booleans()):
            side = None  # an actor that stays out of wars
        actors[aid] = {
            "name": f"Actor {a}",
            "preferences": prefs,
            "capability": _dist(draw, 0.5, 2.0),
            "war_cost": _dist(draw, 0.0, 0.6),
            "resolve": _dist(draw, 0.0, 0.2),
            "audience_cost": _dist(draw, 0.0, 0.2),
            "rationality": draw(st.one_of(st.none(), st.floats(1, 60))),
            "discount": _dist(draw, 0.8, 1.0),
            "moves": moves,
        }
        if side is not None:
            actors[aid]["side"] = side
    n_parties = draw(st.integers(2, min(3, n_actors)))
    parties = ids[:n_parties]
    for aid in ids:
        allies = [o for o in ids if o != aid and actors[o].get("side") == actors[aid].get("side")]
        if allies and draw(st.booleans()):
            actors[aid]["influence"] = {allies[0]: draw(st.floats(0.0, 1.0))}
        if draw(st.booleans()):
            other = draw(st.sampled_from([o for o in ids if o != aid]))
            actors[aid]["beliefs"] = {other: {"war_cost": _dist(draw, 0.0, 0.6),
                                              "resolve": _dist(draw, 0.0, 0.2)}}
    first = issues["issue0"]["levels"]
    red_lines, stocks, terminal = {}, {}, {}
    if draw(st.booleans()):
        red_lines["package_line"] = {
            "holder": parties[1],
            "kind": "package",
            "public": draw(st.booleans()),
            "credibility": _dist(draw, 0.0, 1.0),
            "condition": {"issue0": {"at_most": first[0]}},
        }
    if draw(st.booleans()):
        red_lines["deal_line"] = {
            "holder": ids[-1],
            "kind": "deal",
            "public": draw(st.booleans()),
            "credibility": _dist(draw, 0.0, 1.0),
            "condition": {"issue0": {"at_least": first[-1]}},
            "response": draw(st.integers(1, war_rung)),
        }
    if draw(st.booleans()):
        stocks["arsenal"] = {
            "owner": parties[1],
            "initial": _dist(draw, 0, 100),
            "growth": _dist(draw, 0, 10),
            "capability_per_unit": draw(st.floats(0, 0.01)),
        }
        red_lines["stock_line"] = {
            "holder": parties[0],
            "kind": "stock",
            "stock": "arsenal",
            "at_least": draw(st.floats(0, 150)),
            "response": draw(st.integers(1, war_rung)),
            "credibility": _dist(draw, 0.0, 1.0),
        }
        if draw(st.booleans()):
            terminal["breakout"] = {"stock": "arsenal", "at_least": draw(st.floats(50, 200))}
    proposer = draw(st.sampled_from(["mediator", "rotate", parties[0]]))
    horizon = draw(st.integers(1, max_horizon))
    protocol = {
        "parties": parties,
        "proposer": proposer,
        "mediator_rationality": draw(st.one_of(st.none(), st.floats(1, 50))),
        "horizon": horizon,
        "status_quo": {iid: _level(draw, spec) for iid, spec in issues.items()},
        "agreements": draw(st.sampled_from(["final", "renegotiated"])),
        "on_horizon": draw(st.sampled_from(["stalemate", "war"])),
    }
    if protocol["on_horizon"] == "stalemate" and draw(st.booleans()):  # an observation window
        protocol["planning_horizon"] = horizon + draw(st.integers(0, 8))
    outcomes = {
        "deal": {"label": "Deal", "when": {"ended_by": "deal"}},
        "war": {"label": "War", "when": {"ended_by": "war"}},
    }
    if terminal:
        outcomes["breakout"] = {"label": "Breakout", "when": {"ended_by": "breakout"}}
    outcomes["stalemate"] = {"label": "Stalemate"}
    return {
        "name": "generated",
        "title": "Generated scenario",
        "description": "Drawn by Hypothesis",
        "issues": issues,
        "actors": actors,
        "ladder": {"rungs": rungs, "start": draw(st.integers(0, war_rung - 1)),
                   "war_rung": war_rung},
        "stocks": stocks,
        "red_lines": red_lines,
        "incidents": {"rate": draw(st.floats(0, 0.3))},
        "terminal": terminal,
        "protocol": protocol,
        "outcomes": outcomes,
    }
