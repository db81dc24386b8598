"""Hindcasts: scores by hand, the command's table against the run it summarises, and
the shipped history files."""

from __future__ import annotations

import json
import math

import pytest

from sim import load_scenario, run
from sim.cli import main
from sim.studies.hindcast import hindcast_files, score
from tests.files import MINIMAL


def test_scores_by_hand():
    # shares 0.5, 0.3, 0.2; what happened had 0.3
    brier, log_score = score({"deal": 50, "war": 30, "stalemate": 20}, "war")
    assert brier == pytest.approx(0.5**2 + 0.7**2 + 0.2**2)
    assert log_score == pytest.approx(-math.log(30.5 / 101.5))


def test_a_certain_correct_forecast_scores_zero_brier_and_a_certain_wrong_one_two():
    assert score({"deal": 1000, "war": 0}, "deal")[0] == 0
    assert score({"deal": 1000, "war": 0}, "war")[0] == 2


@pytest.mark.parametrize("k", [2, 5, 7])
def test_an_even_forecast_scores_the_no_skill_reference(k):
    counts = {f"o{i}": 100 for i in range(k)}
    brier, log_score = score(counts, "o0")
    assert brier == pytest.approx(1 - 1 / k)
    assert log_score == pytest.approx(math.log(k))


def test_a_zero_share_has_a_finite_log_score():
    assert math.isfinite(score({"deal": 1000, "war": 0}, "war")[1])


def test_an_unknown_category_is_refused():
    with pytest.raises(KeyError, match="'peace' is not one of the categories deal, war"):
        score({"deal": 1, "war": 1}, "peace")


@pytest.fixture
def hindcast_file(tmp_path):
    path = tmp_path / "history.yaml"
    path.write_text(MINIMAL.read_text(encoding="utf-8")
                    + "known_outcome:\n  outcome: deal\n  as_of: '1962-10-16'\n"
                    "  happened: A deal.\n  source: A test.\n")
    return path


def test_the_command_reports_the_runs_share_of_what_happened(hindcast_file, capsys):
    assert main(["hindcast", str(hindcast_file), "--trials", "2000", "--seed", "3",
                 "--workers", "1", "--format", "json"]) == 0
    (row,) = json.loads(capsys.readouterr().out)
    summary = run(load_scenario(hindcast_file), trials=2000, seed=3, workers=1).summary()
    counts = {o["outcome"]: o["count"] for o in summary["outcomes"]}
    assert row["share"] == counts["deal"] / 2000
    assert (row["brier"], row["log_score"]) == pytest.approx(score(counts, "deal"))
    assert row["as_of"] == "1962-10-16" and row["categories"] == len(counts)


def test_a_file_without_a_known_outcome_is_refused_with_exit_2(capsys):
    assert main(["hindcast", str(MINIMAL), "--trials", "100"]) == 2
    assert "not a hindcast (it has no known_outcome)" in capsys.readouterr().err


def test_the_shipped_history_files_are_hindcasts():
    files = hindcast_files()
    assert len(files) >= 4
    for f in files:
        s = load_scenario(f)
        assert s.known_outcome.outcome in s.outcomes
        assert list(s.outcomes)[-1] == "stalemate"
    assert all(f.parent.name == "history" for f in files)
