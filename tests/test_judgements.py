"""Judgement calls: declared plausible ranges, and moving a scenario along them."""

from __future__ import annotations

import pytest

from sim import load_scenario
from sim.scenario.parameters import numeric_fields, with_judgements
from tests.files import BASELINE, SCENARIOS


def _values(scenario):
    return {f.path: f.value for f in numeric_fields(scenario)}


def test_a_shift_moves_every_path_of_the_judgement_and_nothing_else():
    base = load_scenario(BASELINE)
    j = base.judgements["war_costs"]
    moved = with_judgements(base, {"war_costs": -0.2})
    before, after = _values(base), _values(moved)
    for path in j.paths:
        assert after[path] == pytest.approx(before[path] - 0.2)
    untouched = set(before) - set(j.paths)
    assert {p: after[p] for p in untouched} == {p: before[p] for p in untouched}


def test_shifts_of_two_judgements_add_up_independently():
    base = load_scenario(BASELINE)
    both = _values(with_judgements(base, {"ultimatum_week": 8, "iran_resolve": 0.08}))
    assert both["red_lines.us_ultimatum.by_round"] == 17
    assert both["actors.iran.resolve.high"] == pytest.approx(0.20)


def test_a_shift_that_leaves_the_valid_range_is_a_scenario_error():
    from sim.scenario.errors import ScenarioError

    base = load_scenario(BASELINE)
    with pytest.raises(ScenarioError, match="rationality"):
        with_judgements(base, {"rationality": -40})  # a negative logit precision


def test_judgements_are_not_sweepable_parameters():
    assert not [f for f in numeric_fields(load_scenario(BASELINE))
                if f.path.startswith("judgements")]


@pytest.mark.parametrize("path", sorted((SCENARIOS / "iran_2026").glob("*.yaml")),
                         ids=lambda p: p.name)
def test_every_iran_2026_scenario_declares_its_judgement_calls(path):
    """Each judgement of the shipped scenarios names numbers that exist (or the file
    would not load) and both ends of its range give a valid scenario."""
    s = load_scenario(path)
    assert len(s.judgements) >= 5
    for name, j in s.judgements.items():
        assert j.why and j.shift[0] <= 0 <= j.shift[1]
        for shift in j.shift:
            with_judgements(s, {name: shift})


def test_a_shift_of_a_whole_number_is_rounded():
    moved = _values(with_judgements(load_scenario(BASELINE), {"ultimatum_week": 2.6}))
    assert moved["red_lines.us_ultimatum.by_round"] == 12  # 9 + 2.6, rounded
