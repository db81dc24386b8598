"""Fan charts: each stock's histogram per round adds up across chunks, counts exactly
the running trials, and its quantiles are the trials' own to within a bin."""

from __future__ import annotations

import numpy as np
import pandas as pd

from sim import load_scenario, run
from sim.analysis.fan import stock_quantiles
from sim.engine.compile import compile_scenario
from tests.files import BASELINE


def test_stock_fans_count_the_running_trials_and_read_their_quantiles():
    scenario = load_scenario(BASELINE)
    cs = compile_scenario(scenario)
    one = run(scenario, trials=3_000, seed=5, chunk_size=1_000, workers=1)
    two = run(scenario, trials=3_000, seed=5, chunk_size=1_000, workers=2)
    pd.testing.assert_frame_equal(one.rounds, two.rounds)  # integer counts: any workers
    rounds = one.rounds
    for sid in cs.stocks.ids:
        cols = [c for c in rounds if c.startswith(f"fan_{sid}_")]
        assert np.allclose(rounds[cols].sum(axis=1), rounds["running"])
    fans = stock_quantiles(cs, rounds)
    assert set(fans) == set(cs.stocks.ids)
    edges = cs.stocks.fan_edges(cs.protocol.horizon)
    for s, sid in enumerate(cs.stocks.ids):
        start = one.trials[f"{sid}_initial"]
        width = edges[s, 1] - edges[s, 0]
        q = fans[sid].iloc[0]  # round 0: every trial, at its initial level
        for name, level in (("q05", 0.05), ("q50", 0.5), ("q95", 0.95)):
            assert abs(q[name] - np.quantile(start, level)) <= width + 1e-9
        ordered = fans[sid][["q05", "q25", "q50", "q75", "q95"]].to_numpy()
        assert (np.diff(ordered, axis=1) >= -1e-12).all()
