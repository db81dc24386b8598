"""Numeric scenario fields addressed by dotted path, for sweeps and sensitivity analysis.

Every number in a resolved scenario can be varied: ``actors.us.war_cost.high`` (a
distribution's parameter), ``ladder.rungs.4.breakdown_risk``, ``protocol.horizon``
(a whole number, rounded). A path is checked against the scenario before anything
runs; a value is checked by validating the scenario with it.
"""

from __future__ import annotations

import copy
import difflib
import math
from dataclasses import dataclass
from typing import Annotated, Any, get_args, get_origin

from annotated_types import Ge, Gt, Le, Lt

from sim.scenario.errors import Problem, ScenarioError
from sim.scenario.format import Scenario
from sim.scenario.loader import scenario_from_dict
from sim.scenario.messages import field_at

__all__ = ["NumericField", "numeric_fields", "set_path", "with_judgements", "with_values"]


@dataclass(frozen=True)
class NumericField:
    """A number in a scenario: where it is, its value, and the range its field allows."""

    path: str
    value: float
    integer: bool
    low: float  # -inf if unbounded
    high: float  # +inf if unbounded
    low_inclusive: bool = True
    high_inclusive: bool = True

    def range_text(self) -> str:
        """The valid range, as ``[0, 1]`` or ``whole number in [1, 1000]``."""
        if math.isinf(self.low):
            lo = "(-inf"
        else:
            lo = ("[" if self.low_inclusive else "(") + _n(self.low)
        if math.isinf(self.high):
            hi = "inf)"
        else:
            hi = _n(self.high) + ("]" if self.high_inclusive else ")")
        kind = "whole number in " if self.integer else ""
        return f"{kind}{lo}, {hi}"

    def admits(self, v: float) -> bool:
        """Whether ``v`` lies in the valid range."""
        above = v >= self.low if self.low_inclusive else v > self.low
        below = v <= self.high if self.high_inclusive else v < self.high
        return above and below


def _n(x: float) -> str:
    return f"{x:g}"


def _split(path: str) -> tuple[str | int, ...]:
    return tuple(int(p) if p.isdigit() else p for p in path.split("."))


def numeric_fields(scenario: Scenario) -> list[NumericField]:
    """Every numeric field of a resolved scenario, in file order (the model's inputs:
    the ``judgements`` section, which describes them, is not one)."""
    data = scenario.model_dump(mode="json", exclude_none=True)
    data.pop("judgements", None)
    out: list[NumericField] = []

    def walk(node: Any, path: tuple):
        if isinstance(node, dict):
            for k, v in node.items():
                walk(v, (*path, k))
        elif isinstance(node, list):
            for i, v in enumerate(node):
                walk(v, (*path, i))
        elif isinstance(node, (int, float)) and not isinstance(node, bool):
            if not math.isfinite(node):
                return
            out.append(_describe(data, path, node))

    walk(data, ())
    return out


def _describe(data: dict, path: tuple, value: float) -> NumericField:
    lo, hi, lo_inc, hi_inc = -math.inf, math.inf, True, True
    info = field_at(Scenario, path, data)
    for m in _bounds(info):
        if isinstance(m, Ge):
            lo, lo_inc = float(m.ge), True
        elif isinstance(m, Gt):
            lo, lo_inc = float(m.gt), False
        elif isinstance(m, Le):
            hi, hi_inc = float(m.le), True
        elif isinstance(m, Lt):
            hi, hi_inc = float(m.lt), False
    return NumericField(".".join(map(str, path)), float(value), isinstance(value, int),
                        lo, hi, lo_inc, hi_inc)


def _bounds(info) -> list:
    """The bounds of a field: its own metadata, or, for a number-or-distribution field
    (``Probability | Distribution``), those of its plain-number member."""
    found = list(getattr(info, "metadata", []) or [])
    if found or info is None:
        return found
    for member in get_args(info.annotation):
        if get_origin(member) is Annotated and get_args(member)[0] is float:
            for extra in get_args(member)[1:]:
                found += list(getattr(extra, "metadata", []) or [])
    return found


def set_path(data: dict, path: str, value: float) -> None:
    """Set a dotted path in scenario data in place (the path must exist)."""
    parts = _split(path)
    node = data
    for p in parts[:-1]:
        node = node[p]
    node[parts[-1]] = value


def with_values(scenario: Scenario, values: dict[str, float]) -> Scenario:
    """A copy of the scenario with these dotted paths set; raises ScenarioError."""
    data = copy.deepcopy(scenario.model_dump(mode="json", exclude_none=True))
    fields = {f.path: f for f in numeric_fields(scenario)}
    problems = []
    for path, v in values.items():
        f = fields.get(path)
        if f is None:
            problems.append(Problem(_split(path), unknown_path_message(path, fields)))
            continue
        set_path(data, path, round(v) if f.integer else float(v))
    if problems:
        raise ScenarioError(problems)
    return scenario_from_dict(data, origin="<sweep point>")


def with_judgements(scenario: Scenario, shifts: dict[str, float]) -> Scenario:
    """A copy of the scenario with judgement calls moved: each named judgement's shift
    added to every path it names (rounded where the field is a whole number, e.g. a
    deadline's round); raises ScenarioError."""
    values = {}
    fields = {f.path: f for f in numeric_fields(scenario)}
    for name, shift in shifts.items():
        for path in scenario.judgements[name].paths:
            value = fields[path].value + shift
            values[path] = round(value) if fields[path].integer else value
    return with_values(scenario, values)


def unknown_path_message(path: str, fields) -> str:
    close = difflib.get_close_matches(path, list(fields), n=1, cutoff=0.6)
    hint = f"did you mean '{close[0]}'? " if close else ""
    return (f"not a numeric field of the scenario; {hint}"
            "(`escalation sweep SCENARIO --list-parameters` lists them all)")
