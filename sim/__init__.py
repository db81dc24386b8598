"""Escalation scenario simulator: crisis bargaining as Monte Carlo trials on Mesa.

>>> from sim import load_scenario, run
>>> result = run(load_scenario("scenarios/iran_2026/baseline.yaml"), trials=20_000, seed=7)
>>> result.summary()  # doctest: +SKIP

Imports are lazy so the command line starts quickly.
"""

from __future__ import annotations

import importlib

__all__ = [
    "CompiledScenario",
    "RunResult",
    "Scenario",
    "ScenarioError",
    "SweepResult",
    "compile_scenario",
    "explain",
    "load_scenario",
    "run",
    "shipped",
    "sweep",
    "theory",
]

_WHERE = {
    "CompiledScenario": "sim.engine.compile",
    "compile_scenario": "sim.engine.compile",
    "RunResult": "sim.runs.runner",
    "run": "sim.runs.runner",
    "Scenario": "sim.scenario.format",
    "ScenarioError": "sim.scenario.errors",
    "load_scenario": "sim.scenario.loader",
    "explain": "sim.analysis.narrative",
    "sweep": "sim.studies.sweeps",
    "SweepResult": "sim.studies.sweeps",
    "shipped": "sim.scenario.library",
}


def __getattr__(name: str):
    if name == "theory":
        return importlib.import_module("sim.studies.theory")
    if name in _WHERE:
        return getattr(importlib.import_module(_WHERE[name]), name)
    raise AttributeError(f"module 'sim' has no attribute {name!r}")


def __dir__():
    return sorted([*globals(), *__all__])
