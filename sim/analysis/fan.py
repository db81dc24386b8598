"""Fan charts: the quantiles of each stock (missiles, nuclear progress) over rounds,
among the trials still running.

Each chunk counts, every round, the running trials' levels of each stock in the bins
of :meth:`sim.engine.compiled.StockSpecs.fan_edges` (100 bins from the stock's floor to
the highest level growth can reach by the horizon); the counts add up across chunks
exactly, so the chart is the same on any number of workers. Quantiles are read from
the histogram by linear interpolation within a bin: their resolution is a bin, a
hundredth of the range.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from sim.engine.compiled import CompiledScenario

__all__ = ["QUANTILES", "stock_quantiles"]

#: The quantiles a fan chart draws: the 90% and 50% bands and the median.
QUANTILES = (0.05, 0.25, 0.5, 0.75, 0.95)


def stock_quantiles(cs: CompiledScenario, rounds: pd.DataFrame) -> dict[str, pd.DataFrame]:
    """Per stock, a table by round: the share of trials running and the quantiles of
    the stock among them (``q05`` ... ``q95``); rounds with no running trial are left
    out. ``rounds`` is a run's per-round table (:attr:`sim.runs.runner.RunResult.rounds`,
    shares or counts alike)."""
    edges = cs.stocks.fan_edges(cs.protocol.horizon)
    out = {}
    for s, sid in enumerate(cs.stocks.ids):
        cols = [f"fan_{sid}_{b}" for b in range(edges.shape[1] - 1)]
        if not len(rounds) or cols[0] not in rounds:
            continue
        counts = rounds[cols].to_numpy(dtype=float)
        total = counts.sum(axis=1)
        keep = total > 0
        cum = np.cumsum(counts[keep], axis=1) / total[keep, None]
        cum = np.hstack([np.zeros((len(cum), 1)), cum])  # the CDF at the bin edges
        table = {"round": rounds["round"].to_numpy()[keep],
                 "running": rounds["running"].to_numpy()[keep]}
        for q in QUANTILES:
            table[f"q{round(100 * q):02d}"] = [
                float(np.interp(q, np.maximum.accumulate(row), edges[s])) for row in cum]
        out[sid] = pd.DataFrame(table)
    return out
