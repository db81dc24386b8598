"""Parameter uncertainty: how far a run's headline moves when the scenario's judgement
calls vary together over their declared plausible ranges.

A Monte Carlo interval covers the noise of a finite number of trials only. The numbers
an author judged (the ``judgements`` of a scenario file) are uncertain too; this module
runs a Latin hypercube design over their shifts (McKay, Beckman and Conover 1979)
through the ordinary sweep machinery, with common random numbers (every point uses
the same seed), and reports each outcome's share across the design: the range and the
10th-90th percentiles. It is a sensitivity statement, not a probability interval: the
design treats every shift in its range as equally plausible.

References
----------
McKay, M. D., Beckman, R. J., and Conover, W. J. (1979). A comparison of three methods
for selecting values of input variables in the analysis of output from a computer
code. *Technometrics* 21(2), 239-245.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from sim.scenario.format import Scenario

__all__ = ["JudgementRanges", "judgement_ranges"]


@dataclass(frozen=True)
class JudgementRanges:
    """Each outcome's share (and the share with any use of force) across a Latin
    hypercube over the judgement calls: one row per outcome id (and ``any_force``),
    columns ``low``, ``p10``, ``p90``, ``high``; plus the design itself."""

    table: pd.DataFrame
    frame: pd.DataFrame
    judgements: tuple[str, ...]
    points: int
    trials: int
    seed: int


def judgement_ranges(scenario: Scenario, *, points: int = 16, trials: int = 2_000,
                     seed: int = 0, workers: int | None = 1) -> JudgementRanges | None:
    """Run the scenario at ``points`` Latin hypercube points over its judgement calls'
    shifts (``trials`` each, root seed ``seed`` at every point); None if the scenario
    declares no judgement with a range."""
    from sim.studies.design import judgement_vary
    from sim.studies.sweeps import sweep

    vary = judgement_vary(scenario)
    if not vary:
        return None
    result = sweep(scenario, vary, sampler="lhs", points=points, trials=trials, seed=seed,
                   workers=workers)
    frame = result.frame
    columns = {oid: frame[f"share_{oid}"] for oid in scenario.outcomes}
    columns["any_force"] = frame["strike_share"]
    rows = {name: {"low": float(np.min(x)), "p10": float(np.percentile(x, 10)),
                   "p90": float(np.percentile(x, 90)), "high": float(np.max(x))}
            for name, x in columns.items()}
    return JudgementRanges(pd.DataFrame(rows).T, frame,
                           tuple(v.path.split(".", 1)[1] for v in vary), len(frame), trials,
                           seed)
