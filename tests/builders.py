"""Small scenarios for known-answer tests, built as plain data so a test states only
what it changes, and a helper to build a model of them."""

from __future__ import annotations

import copy
from typing import Any

import numpy as np

from sim.engine.compile import compile_scenario
from sim.engine.model import CrisisModel
from sim.engine.script import Script
from sim.runs.chunks import chunk_seed
from sim.scenario.loader import scenario_from_dict
from sim.scenario.paths import resolve

_DUEL = {
    "name": "duel",
    "title": "Duel",
    "description": "Two actors and one divisible good, for known-answer tests.",
    "issues": {"share": {"description": "B's share", "continuous": {"low": 0, "high": 1,
                                                                    "steps": 11}}},
    "actors": {
        "a": {"name": "A", "side": "a", "preferences": {"share": {"ideal": 0.0, "salience": 1}},
              "capability": 1.0, "war_cost": 0.1},
        "b": {"name": "B", "side": "b", "preferences": {"share": {"ideal": 1.0, "salience": 1}},
              "capability": 1.0, "war_cost": 0.2},
    },
    "ladder": {"rungs": [{"name": "bargaining", "breakdown_risk": 1.0}, {"name": "war"}],
               "start": 0, "war_rung": 1},
    "protocol": {"parties": ["a", "b"], "proposer": "a", "horizon": 1,
                 "status_quo": {"share": 0.0}},
    "outcomes": {"war": {"label": "War", "when": {"ended_by": "war"}},
                 "deal": {"label": "Deal", "when": {"ended_by": "deal"}},
                 "other": {"label": "Other"}},
}


def duel(**changes: Any) -> dict:
    """A's ultimatum to B over B's share x of a good worth 1 (grid 0, 0.1, ..., 1):
    p = 0.5, c_A = 0.1, c_B = 0.2, a rejection is war. ``changes`` are dotted paths
    with ``__`` for dots: ``duel(actors__b__resolve=0.05)``."""
    data = copy.deepcopy(_DUEL)
    for dotted, value in changes.items():
        put(data, dotted.replace("__", "."), value)
    return data


def put(data: dict, dotted: str, value: Any) -> None:
    """Set (or add) a value at a dotted path; ``None`` deletes it."""
    parent, key, _ = resolve(data, dotted, adding=value is not None, deleting=value is None)
    if value is None:
        del parent[key]
    else:
        parent[key] = value


def compiled(data: dict):
    return compile_scenario(scenario_from_dict(data))


def model(data: dict, n: int = 1, seed: int = 1, script: dict | None = None,
          trace: bool = False) -> CrisisModel:
    """A model of ``n`` trials of the scenario (chunk 0 of seed ``seed``)."""
    cs = compiled(data)
    return CrisisModel(cs, n, rng=chunk_seed(seed, 0), collect=False,
                       trace_row=0 if trace else None,
                       script=Script.from_dict(cs, script or {}))


def played(data: dict, **kw) -> CrisisModel:
    m = model(data, **kw)
    m.run_model()
    return m


def events(m: CrisisModel, kind: str) -> list[dict]:
    return [e for e in m.trace.events if e["kind"] == kind]


def within(hits: int, n: int, p: float, z: float = 4.0) -> bool:
    """The Monte Carlo agreement rule: |hits/n - p| < z standard errors."""
    return abs(hits / n - p) < z * np.sqrt(max(p * (1 - p), 1e-12) / n)
