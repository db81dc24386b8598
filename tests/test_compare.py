"""Paired comparison: known answers, a scenario against itself, and the difference of
two runs' shares recovered exactly."""

from __future__ import annotations

import json

import numpy as np
import pytest

from sim import load_scenario, run
from sim.analysis.compare import compare, paired_difference
from sim.cli import main
from tests.files import BASELINE, SCENARIOS

CARRIER = SCENARIOS / "iran_2026" / "second_carrier.yaml"


def test_paired_difference_by_hand():
    # d = (0, -1, 0, 0): mean -0.25, sd sqrt(0.25) = 0.5 -> se 0.25; independent:
    # var(a) = 1/3, var(b) = 1/4 -> sqrt((1/3 + 1/4) / 4)
    diff, se, se_ind = paired_difference(np.array([1, 1, 0, 0]), np.array([1, 0, 0, 0]))
    assert (diff, se) == (-0.25, 0.25)
    assert se_ind == pytest.approx(np.sqrt((1 / 3 + 1 / 4) / 4))


def test_a_scenario_against_itself_differs_in_nothing():
    s = load_scenario(BASELINE)
    c = compare(s, s, trials=300, seed=2, chunk_size=100)
    assert (c.table["difference"] == 0).all() and (c.table["se_paired"] == 0).all()
    assert c.same == 1.0


def test_the_difference_is_that_of_the_two_runs():
    a, b = load_scenario(BASELINE), load_scenario(CARRIER)
    c = compare(a, b, trials=400, seed=5, chunk_size=200)
    ra = run(a, trials=400, seed=5, chunk_size=200).summary()
    rb = run(b, trials=400, seed=5, chunk_size=200).summary()
    for oa, ob in zip(ra["outcomes"], rb["outcomes"], strict=True):
        row = c.table.set_index("outcome").loc[oa["outcome"]]
        assert row["difference"] == pytest.approx(ob["share"] - oa["share"])
    assert c.moves.to_numpy().sum() == pytest.approx(1.0)


def test_common_random_numbers_narrow_the_interval():
    """Most trials end the same way under a small change, so the paired standard error
    of the war share is well below that of two independent runs."""
    c = compare(load_scenario(BASELINE), load_scenario(CARRIER), trials=2000, seed=1,
                chunk_size=1000)
    war = c.table.set_index("outcome").loc["war"]
    assert war["se_paired"] < 0.75 * war["se_unpaired"]


def test_the_command(capsys):
    assert main(["compare", str(BASELINE), str(CARRIER), "--trials", "200", "--chunk-size",
                 "100", "--workers", "1", "--format", "json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["trials"] == 200 and out["outcomes"][0]["outcome"] == "regional_war"


def test_a_bad_file_is_exit_2(tmp_path, capsys):
    bad = tmp_path / "bad.yaml"
    bad.write_text("name: [")
    assert main(["compare", str(BASELINE), str(bad), "--trials", "10"]) == 2
    assert "bad.yaml" in capsys.readouterr().err


def test_scenarios_with_other_actors_cannot_be_paired(capsys):
    other = SCENARIOS / "validation" / "v1_risk_return.yaml"
    assert main(["compare", str(BASELINE), str(other), "--trials", "10"]) == 2
    assert "different actors" in capsys.readouterr().err
