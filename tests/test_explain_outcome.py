"""`escalation explain --from DIR --outcome ID --nth N` finds the Nth trial of an outcome."""

from __future__ import annotations

import pandas as pd
import pytest

from sim.cli import main
from tests.files import BASELINE


@pytest.fixture(scope="module")
def run_dir(tmp_path_factory):
    out = tmp_path_factory.mktemp("explain") / "run"
    assert main(["run", str(BASELINE), "--trials", "400", "--seed", "3", "--chunk-size", "200",
                 "--workers", "1", "--out", str(out), "--quiet"]) == 0
    return out


@pytest.mark.parametrize(("outcome", "column"), [("regional_war", "outcome"), ("war", "ended_by"),
                                                 ("deal", "ended_by")])
def test_the_nth_trial_of_an_outcome_is_told(run_dir, capsys, outcome, column):
    trials = pd.read_parquet(run_dir / "trials.parquet")
    expected = int(trials.loc[trials[column] == outcome, "trial"].iloc[1])
    assert main(["explain", "--from", str(run_dir), "--outcome", outcome, "--nth", "2"]) == 0
    out = capsys.readouterr().out
    assert out.startswith(f"(trial {expected}: the 2nd of ")
    assert f"Trial {expected} of" in out


def test_an_unknown_outcome_lists_the_valid_ones(run_dir, capsys):
    assert main(["explain", "--from", str(run_dir), "--outcome", "peace"]) == 2
    err = capsys.readouterr().err
    assert "'peace' is not an outcome of this run; valid: regional_war, breakout" in err


def test_too_few_trials_of_an_outcome(run_dir, capsys):
    assert main(["explain", "--from", str(run_dir), "--outcome", "war", "--nth", "100000"]) == 2
    assert "trial(s) ended in 'war'" in capsys.readouterr().err


def test_trial_or_outcome_but_not_both(run_dir, capsys):
    assert main(["explain", "--from", str(run_dir), "--trial", "1", "--outcome", "war"]) == 2
    assert "give --trial N, or --outcome ID" in capsys.readouterr().err


@pytest.mark.parametrize(("strike", "hold", "noisy"), [(0.2, 0.1, False), (0.1, 0.2, True)])
def test_a_use_of_force_worth_less_than_holding_is_called_noisy(strike, hold, noisy):
    """The story gives a force choice's value against holding; a choice worth less is
    the logit noise, and says so. Stepping down names the rung; when the crisis stays
    where it was, the story says why (de-escalation takes all)."""
    from sim import load_scenario
    from sim.analysis.narrative import Teller, replay
    from sim.engine.codes import MoveOption

    model, row = replay(load_scenario(BASELINE), seed=7, trial=0, chunk_size=20, trials=20)
    cs = model.cs
    us, israel = cs.actors.ids.index("us"), cs.actors.ids.index("israel")
    k = next(k for k, m in enumerate(cs.actors.moves[us]) if m.rung == cs.ladder.strike_rung)
    values = [-float("inf")] * (MoveOption.MOVE + len(cs.actors.moves[us]))
    values[MoveOption.STAY], values[MoveOption.MOVE + k] = hold, strike
    start = cs.ladder.strike_rung
    event = {"kind": "moves", "round": 1, "rung": start, "new": start,
             "chosen": {us: start, israel: start - 1},
             "options": {us: MoveOption.MOVE + k, israel: MoveOption.STEP_DOWN},
             "values": {us: values, israel: [0.0] * 3}}
    told = "\n".join(Teller(model, row, 7, 0, 20).moves(event))
    assert f"is worth {strike:.3f} to it against {hold:.3f} for holding" in told
    assert ("a noisy (logit) choice" in told) == noisy
    assert f"Israel steps down to rung {start - 1}" in told
    assert "De-escalation takes all: the crisis stays at the highest rung chosen." in told
