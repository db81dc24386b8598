"""Hypothesis builders shared by the property tests: small random valid scenarios.

``scenarios()`` draws a scenario as a plain dict (the shape of a YAML file), so tests
can both validate it and run it. Sizes stay small so a property test runs in seconds.
"""

from __future__ import annotations

from hypothesis import strategies as st

LEVELS = ["l0", "l1", "l2", "l3"]


def _dist(draw, low: float, high: float):
    kind = draw(st.sampled_from(["fixed", "uniform", "beta", "triangular"]))
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
    return {"dist": "triangular", "low": lo, "mode": (lo + hi) / 2, "high": hi}


@st.composite
def scenarios(draw, max_horizon: int = 8):
    """A random valid scenario dict: 2-3 actors, 1-3 issues, a 3-6 rung ladder."""
    n_issues = draw(st.integers(1, 3))
    issues = {
        f"issue{k}": {"levels": LEVELS[: draw(st.integers(2, 4))]} for k in range(n_issues)
    }
    n_rungs = draw(st.integers(3, 6))
    war_rung = n_rungs - 1
    rungs = [
        {"name": f"rung{r}", "breakdown_risk": 0.0 if r == war_rung
         else draw(st.floats(0, 0.3))}
        for r in range(n_rungs)
    ]
    n_actors = draw(st.integers(2, 3))
    actors = {}
    for a in range(n_actors):
        prefs = {
            iid: {"ideal": draw(st.sampled_from(spec["levels"])),
                  "salience": draw(st.floats(0.1, 1.0))}
            for iid, spec in issues.items()
        }
        moves = [
            {"rung": r, "name": f"move{r}", "cost": draw(st.floats(0, 0.2))}
            for r in sorted(draw(st.sets(st.integers(1, war_rung), max_size=3)))
        ]
        actors[f"actor{a}"] = {
            "name": f"Actor {a}",
            "side": "west" if a % 2 == 0 else "east",
            "preferences": prefs,
            "capability": _dist(draw, 0.5, 2.0),
            "war_cost": _dist(draw, 0.0, 0.6),
            "resolve": _dist(draw, 0.0, 0.2),
            "audience_cost": _dist(draw, 0.0, 0.2),
            "rationality": draw(st.one_of(st.none(), st.floats(1, 60))),
            "discount": _dist(draw, 0.8, 1.0),
            "moves": moves,
        }
    ids = list(actors)
    parties = ids[:2]
    first_issue = next(iter(issues))
    red_lines = {}
    if draw(st.booleans()):
        red_lines["package_line"] = {
            "holder": parties[1],
            "kind": "package",
            "public": draw(st.booleans()),
            "credibility": _dist(draw, 0.0, 1.0),
            "condition": {first_issue: {"at_most": issues[first_issue]["levels"][0]}},
        }
    stocks = {}
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
    proposer = draw(st.sampled_from(["mediator", "rotate", parties[0]]))
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
        "protocol": {
            "parties": parties,
            "proposer": proposer,
            "mediator_rationality": draw(st.one_of(st.none(), st.floats(1, 50))),
            "horizon": draw(st.integers(1, max_horizon)),
            "status_quo": {iid: spec["levels"][-1] for iid, spec in issues.items()},
        },
        "outcomes": {
            "deal": {"label": "Deal", "when": {"ended_by": "deal"}},
            "war": {"label": "War", "when": {"ended_by": "war"}},
            "stalemate": {"label": "Stalemate"},
        },
    }
