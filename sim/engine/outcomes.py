"""Outcome categories: each trial gets the first category whose test holds."""

from __future__ import annotations

import numpy as np

from sim.engine.compiled import CompiledScenario
from sim.engine.state import CrisisState

__all__ = ["classify"]


def classify(cs: CompiledScenario, state: CrisisState) -> np.ndarray:
    """Index of each trial's outcome category (the scenario's last one is a catch-all).

    Tests: how the trial ended (``ended_by``), the agreed package (``mask``), the
    peak rung reached, whether force was used (the strike rung reached on the way) and,
    for a war, its cause.
    """
    out = np.full(len(state.rung), -1, dtype=np.int64)
    for k, o in enumerate(cs.outcomes):
        ok = out < 0
        if o.ended_by is not None:
            ok &= state.ended_by == o.ended_by
        if o.mask is not None:
            ok &= (state.deal >= 0) & o.mask[np.maximum(state.deal, 0)]
        if o.peak_rung_at_least is not None:
            ok &= state.peak >= o.peak_rung_at_least
        if o.force_used is not None:
            ok &= (state.peak >= cs.ladder.strike_rung) == o.force_used
        if o.war_causes is not None:
            ok &= np.isin(state.war_cause, o.war_causes)
        out[ok] = k
    return out
