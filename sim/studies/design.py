"""Designs for sweeps: which parameters vary, over which ranges, at which points.

A design is a matrix of points (one row per point, one column per varied dotted
path), drawn on a grid, by Latin hypercube, or by SALib's Saltelli (Sobol) and Morris
schemes.

References
----------
Saltelli, A., et al. (2010). Variance based sensitivity analysis of model output.
*Computer Physics Communications* 181(2), 259-270.
Morris, M. D. (1991). Factorial sampling plans for preliminary computational
experiments. *Technometrics* 33(2), 161-174.
"""

from __future__ import annotations

import hashlib
import itertools
import math
from dataclasses import dataclass

import numpy as np

from sim.runs.limits import MAX_POINTS, LimitError
from sim.scenario.errors import Problem, ScenarioError
from sim.scenario.format import Scenario
from sim.scenario.parameters import numeric_fields, unknown_path_message, with_values
from sim.scenario.paths import split

__all__ = ["JUDGEMENT", "MORRIS_LEVELS", "SAMPLERS", "Design", "Vary", "check_design",
           "judgement_vary", "make_design", "parse_vary"]

SAMPLERS = ("grid", "lhs", "sobol", "morris")
MORRIS_LEVELS = 4


@dataclass(frozen=True)
class Vary:
    """One varied parameter: a dotted path and a range or explicit values."""

    path: str
    low: float | None = None
    high: float | None = None
    values: tuple[float, ...] | None = None

    def text(self) -> str:
        """The parameter as ``--vary`` writes it."""
        if self.values is not None:
            return f"{self.path}={','.join(f'{v:g}' for v in self.values)}"
        return f"{self.path}={self.low:g}:{self.high:g}"


def parse_vary(text: str) -> Vary:
    """``PATH=LOW:HIGH`` or ``PATH=v1,v2,v3``."""
    if "=" not in text:
        raise ValueError(f"--vary {text!r}: expected PATH=LOW:HIGH or PATH=v1,v2,...")
    path, spec = text.split("=", 1)
    path = path.strip()
    try:
        if ":" in spec:
            lo, hi = (float(x) for x in spec.split(":", 1))
            if not lo < hi:
                raise ValueError(f"--vary {text!r}: LOW must be below HIGH")
            return Vary(path, lo, hi)
        values = tuple(float(x) for x in spec.split(",") if x.strip())
    except ValueError as e:
        if "LOW must" in str(e):
            raise
        raise ValueError(f"--vary {text!r}: the range must be numbers, LOW:HIGH or v1,v2,...") \
            from None
    if len(values) < 1:
        raise ValueError(f"--vary {text!r}: give at least one value")
    return Vary(path, values=values)


@dataclass(frozen=True)
class Design:
    """The points of a sweep: X (n_points, n_parameters) and how they were drawn."""

    sampler: str
    vary: tuple[Vary, ...]
    requested_points: int
    X: np.ndarray
    seed: int
    notes: tuple[str, ...] = ()

    @property
    def names(self) -> list[str]:
        """The varied dotted paths, in design order."""
        return [v.path for v in self.vary]

    def problem(self) -> dict:
        """SALib's problem dictionary."""
        return salib_problem(self.vary)

    def identity(self) -> dict:
        """What makes two designs the same (for resuming a sweep directory)."""
        return {
            "sampler": self.sampler,
            "vary": [v.text() for v in self.vary],
            "requested_points": self.requested_points,
            "points": len(self.X),
            "design_seed": self.seed,
            "X_sha256": hashlib.sha256(np.ascontiguousarray(self.X).tobytes()).hexdigest(),
        }


def make_design(vary: list[Vary], sampler: str, points: int, seed: int) -> Design:
    """Draw the design. Saltelli and Morris sample counts follow their own rules."""
    if sampler not in SAMPLERS:
        raise ValueError(f"unknown sampler {sampler!r}; valid: {', '.join(SAMPLERS)}")
    if not vary:
        raise ValueError("give at least one --vary PATH=LOW:HIGH")
    names = [v.path for v in vary]
    if len(set(names)) != len(names):
        raise ValueError("a parameter is varied twice")
    explicit = [v for v in vary if v.values is not None]
    if explicit and sampler != "grid":
        raise ValueError(f"explicit values ({explicit[0].text()}) need --sampler grid")
    count = design_size(vary, sampler, points)
    if count > MAX_POINTS:
        raise LimitError(f"this {sampler} design would have {count:,} points; the limit is "
                         f"{MAX_POINTS:,}: use fewer --points or parameters")
    notes: list[str] = []
    if sampler == "grid":
        axes = [np.array(v.values) if v.values is not None else np.linspace(v.low, v.high, points)
                for v in vary]
        X = np.array(list(itertools.product(*axes)), dtype=float)
    elif sampler == "lhs":
        from SALib.sample import latin

        X = latin.sample(salib_problem(vary), points, seed=seed)
    elif sampler == "sobol":
        from SALib.sample import sobol

        base = 2 ** max(1, math.ceil(math.log2(points)))
        if base != points:
            notes.append(f"Sobol' sequences need a power of two: base samples {points} -> {base}")
        X = sobol.sample(salib_problem(vary), base, calc_second_order=False, seed=seed)
        notes.append(f"Saltelli's scheme: N (D + 2) = {base} x {len(vary) + 2} = {len(X)} points")
    else:
        from SALib.sample import morris

        X = morris.sample(salib_problem(vary), points, num_levels=MORRIS_LEVELS, seed=seed)
        notes.append(f"Morris: {points} trajectories x (D + 1) = {len(X)} points, "
                     f"{MORRIS_LEVELS} levels")
    return Design(sampler, tuple(vary), points, X, seed, tuple(notes))


def check_design(scenario: Scenario, vary: list[Vary]) -> list[Problem]:
    """Every problem with the varied paths and their bounds, before anything runs."""
    fields = {f.path: f for f in numeric_fields(scenario)}
    problems = []
    for v in vary:
        if v.path.startswith(JUDGEMENT):
            problems += _check_judgement(scenario, v)
            continue
        f = fields.get(v.path)
        path = split(v.path)
        if f is None:
            problems.append(Problem(path, f"--vary {v.text()}: "
                                    + unknown_path_message(v.path, fields)))
            continue
        tests = v.values if v.values is not None else (v.low, v.high)
        for x in tests:
            if not f.admits(x):
                problems.append(Problem(path, f"--vary {v.text()}: {x:g} is outside the "
                                        f"valid range {f.range_text()}"))
                continue
            try:
                with_values(scenario, {v.path: x})
            except ScenarioError as e:
                for p in e.problems:
                    problems.append(Problem(path, f"--vary {v.text()}: with {v.path} = {x:g}, "
                                            f"{p.dotted}: {p.message}"))
    return problems


#: A varied path ``judgements.NAME`` is the shift of that judgement call: every number
#: it names moves by the same amount (:func:`sim.scenario.parameters.with_judgements`).
JUDGEMENT = "judgements."


def judgement_vary(scenario: Scenario) -> list[Vary]:
    """Every judgement call of a scenario over its declared plausible range."""
    return [Vary(JUDGEMENT + name, *map(float, j.shift)) for name, j in scenario.judgements.items()
            if j.shift[0] < j.shift[1]]


def _check_judgement(scenario: Scenario, v: Vary) -> list[Problem]:
    from sim.scenario.parameters import with_judgements

    name = v.path[len(JUDGEMENT):]
    path = split(v.path)
    if name not in scenario.judgements:
        known = ", ".join(scenario.judgements) or "none"
        return [Problem(path, f"--vary {v.text()}: the scenario has no judgement '{name}' "
                        f"(its judgements: {known})")]
    problems = []
    for x in v.values if v.values is not None else (v.low, v.high):
        try:
            with_judgements(scenario, {name: x})
        except ScenarioError as e:
            problems += [Problem(path, f"--vary {v.text()}: with a shift of {x:g}, "
                                 f"{p.dotted}: {p.message}") for p in e.problems]
    return problems


def design_size(vary: list[Vary], sampler: str, points: int) -> int:
    """How many points a design will have, counted before drawing it."""
    if sampler == "grid":
        return math.prod(len(v.values) if v.values is not None else points for v in vary)
    if sampler == "sobol":
        return 2 ** max(1, math.ceil(math.log2(points))) * (len(vary) + 2)
    if sampler == "morris":
        return points * (len(vary) + 1)
    return points


def salib_problem(vary) -> dict:
    """SALib's problem dictionary for ranged parameters."""
    return {"num_vars": len(vary), "names": [v.path for v in vary],
            "bounds": [[v.low, v.high] for v in vary]}
