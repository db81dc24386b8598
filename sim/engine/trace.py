"""Narrative tracing: the events of one trial of a chunk, for its story.

The model reports every event (a round starting, an incident, a proposal and the
verdicts, the moves, a red line crossed, the end) for the rows it concerns; a
:class:`Trace` keeps those of its one traced row, with the row's own values.
Untraced chunks use :data:`NO_TRACE`, which ignores everything at no cost.
:mod:`sim.analysis.narrative` turns the events into prose.
"""

from __future__ import annotations

from typing import Any

import numpy as np

__all__ = ["NO_TRACE", "NoTrace", "Trace"]


class NoTrace:
    """Traces nothing."""

    events: tuple = ()

    def __call__(self, rows: np.ndarray, kind: str, **data: Any) -> None:
        """Ignore an event."""


NO_TRACE = NoTrace()


class Trace:
    """Records the events of trial ``row`` of a model's chunk.

    Each event is a dict with ``kind``, ``round`` (the model's step) and ``rung`` (the
    traced trial's rung at that moment), plus the event's data reduced to the traced
    trial: per-trial arrays become the trial's value, per-round row arrays the value
    at the trial's position in ``rows``.
    """

    def __init__(self, model, row: int):
        self.model = model
        self.row = int(row)
        self.events: list[dict] = [{"kind": "start", "round": 0}]

    def __call__(self, rows: np.ndarray, kind: str, **data: Any) -> None:
        """Record an event if it concerns the traced trial."""
        r = self.row
        hit = np.flatnonzero(rows == r)
        if len(hit) == 0:
            return
        h = int(hit[0])
        m = self.model
        event = {"kind": kind, "round": m.steps, "rung": int(m.state.rung[r])}
        for key, val in data.items():
            if key == "verdicts":
                event[key] = {
                    j: (bool(ok[h]), bool(v[h]), float(mg[h])) for j, (ok, v, mg) in val.items()
                }
            elif key == "chosen":
                event[key] = {i: int(rg[h]) for i, (_, rg) in val.items()}
                event["options"] = {i: int(op[h]) for i, (op, _) in val.items()}
            elif key in ("backed_down", "probability"):
                event[key] = {i: val_i[h].item() for i, val_i in val.items()}
            elif key == "values":
                event[key] = {i: eu[h].tolist() for i, eu in val.items()}
            elif key == "joint":
                event[key] = {i: (k, tuple(partners), bool(ask[h]), bool(agree[h]))
                              for i, (k, partners, ask, agree) in val.items() if ask[h]}
            elif isinstance(val, np.ndarray) and val.ndim == 2:
                event[key] = val[r].tolist()
            elif isinstance(val, np.ndarray):
                event[key] = val[r].item() if val.shape[0] == m.n_trials else val[h].item()
            else:
                event[key] = val
        self.events.append(event)
