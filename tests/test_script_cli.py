"""`escalation run --script FILE`: counterfactuals from the command line, recorded in the
manifest and replayed as they ran by `explain --from`."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from sim.cli import main
from tests.files import BASELINE


@pytest.fixture(scope="module")
def scripted(tmp_path_factory):
    root = tmp_path_factory.mktemp("script")
    script = root / "no_israeli_strike.yaml"
    script.write_text("israel:\n  max_rung: 5\n")
    out = root / "run"
    assert main(["run", str(BASELINE), "--trials", "300", "--seed", "2", "--chunk-size", "150",
                 "--workers", "1", "--script", str(script), "--out", str(out), "--quiet"]) == 0
    return out


def test_the_script_holds_in_every_trial_and_is_recorded(scripted):
    trials = pd.read_parquet(scripted / "trials.parquet")
    assert not trials["enforced_israel_acts_if_talks_fail"].any()
    assert not trials["israel_acts_if_talks_fail_binding"].any()
    assert json.loads((scripted / "manifest.json").read_text())["script"] == {
        "israel": {"max_rung": 5}}


def test_explain_replays_the_scripted_run(scripted, capsys):
    trials = pd.read_parquet(scripted / "trials.parquet")
    row = trials.iloc[7]
    assert main(["explain", "--from", str(scripted), "--trial", "7"]) == 0
    out = capsys.readouterr().out
    assert f"after {row['rounds']} round(s), peak rung {row['peak_rung']}" in out
    # The story says what was forced, so a reader does not take it for Israel's choice.
    assert ("Scripted (forced, not chosen by the model):\n  Israel never goes above rung 5 "
            "(grey-zone and proxy action)") in out


def test_a_scripted_move_is_told_as_scripted_without_reasons():
    """A move forced by a script is not the model's choice: no values, no 'noisy'."""
    from sim import load_scenario
    from sim.analysis.narrative import explain

    story = explain(load_scenario(BASELINE), seed=2, trial=3, trials=20,
                    script={"us": {"responses": {1: False}, "moves": {1: 6}}})
    assert "round 1: United States moves to rung 6" in story
    assert "United States escalates to rung 6 (limited, telegraphed strike)" in story
    moves = next(line for line in story.splitlines() if line.startswith("  Moves:")
                 and "United States escalates" in line)
    assert "(scripted)" in moves
    assert "United States chooses force" not in story.split("Round 2")[0]


@pytest.mark.parametrize(("text", "message"), [
    ("israel:\n  max_rung: 12\n", "max_rung must be a rung of the ladder, 0 to 9"),
    ("hamas:\n  max_rung: 3\n", "unknown actor 'hamas' in script; valid: us, israel, iran"),
    ("israel: [\n", "")])
def test_a_bad_script_is_exit_2_with_its_file_named(tmp_path, capsys, text, message):
    script = tmp_path / "s.yaml"
    script.write_text(text)
    assert main(["run", str(BASELINE), "--trials", "10", "--script", str(script),
                 "--quiet"]) == 2
    err = capsys.readouterr().err
    assert str(script) in err and message in err
