"""Role-play, driven by scripted answers: the person's choices are the ones the engine
uses, bad answers are re-asked, the play is saved and a class's plays are tabulated."""

from __future__ import annotations

import itertools
import json

import pytest

from sim import load_scenario
from sim.cli import main
from sim.cli.play import play
from tests.files import BASELINE, SCENARIOS

NO_MEDIATOR = SCENARIOS / "iran_2026" / "no_mediator.yaml"


def answers(levels=("1",), accept="n", move="1"):
    """An answerer that reads the prompt: levels for a proposal, y/n, a ladder option."""
    cycle = itertools.cycle(levels)
    asked = []

    def ask(prompt: str) -> str:
        asked.append(prompt)
        if "Accept?" in prompt or "Join?" in prompt:
            return accept
        if "Your choice" in prompt:
            return move
        return next(cycle)  # an issue's level
    ask.asked = asked
    return ask


def test_a_person_who_always_holds_and_rejects_is_played_as_such():
    said = []
    record = play(load_scenario(BASELINE), "iran", seed=3, trial=0, model_trials=200,
                  ask=answers(), say=said.append)
    moves = [c for c in record["choices"] if c["kind"] == "move"]
    responses = [c for c in record["choices"] if c["kind"] == "response"]
    assert moves and all(c["option"].startswith("stay at rung") for c in moves)
    assert all(c["accept"] is False for c in responses)
    text = "\n".join(said)
    assert "Iran (you) holds" in text and "Iran (you) escalates" not in text
    assert "Iran (you) accepts" not in text
    # The other actors' reasons come from their private types: never told in a play.
    assert "United States rejects" in text or "United States accepts" in text
    for reason in ("more to it than holding out", "chooses force:", "with probability"):
        assert reason not in text
    assert f"Your crisis ended: {record['label']} after {record['rounds']} round(s)." in text
    assert abs(sum(record["model_shares"].values()) - 1) < 1e-9


def test_the_same_answers_give_the_same_play():
    one = play(load_scenario(BASELINE), "iran", seed=3, trial=1, model_trials=100,
               ask=answers(), say=lambda s: None)
    two = play(load_scenario(BASELINE), "iran", seed=3, trial=1, model_trials=100,
               ask=answers(), say=lambda s: None)
    assert one == two


def test_a_proposer_chooses_each_issue_and_dominated_packages_are_refused():
    said = []
    record = play(load_scenario(NO_MEDIATOR), "us", seed=1, trial=0, model_trials=100,
                  ask=answers(levels=("1", "2", "3", "3", "2", "1", "2")), say=said.append)
    proposals = [c for c in record["choices"] if c["kind"] == "proposal"]
    assert proposals and set(proposals[0]["package"]) == {
        "enrichment", "missiles", "proxies", "sanctions_relief", "verification"}
    assert "it is your turn to propose a package" in "\n".join(said)


def test_bad_answers_are_asked_again():
    said = []
    replies = iter(["maybe", "7", "1"])

    def ask(prompt):
        return next(replies, "1") if "Your choice" in prompt else "n"

    play(load_scenario(BASELINE), "iran", seed=3, trial=0, model_trials=50, ask=ask,
         say=said.append)
    assert said.count("  type a number from 1 to 5") >= 2


def test_the_command_saves_and_summarises_plays(tmp_path, monkeypatch, capsys):
    """Plays saved into a class folder that does not exist yet (it is created), then
    summarised."""
    ask = answers()
    monkeypatch.setattr("builtins.input", ask)
    plays = tmp_path / "plays" / "monday"
    for k in range(2):
        assert main(["play", str(BASELINE), "--as", "iran", "--seed", "3", "--trial", str(k),
                     "--model-trials", "100", "--out", str(plays / f"p{k}.json")]) == 0
    (plays / "notes.json").write_text("[1, 2]")
    capsys.readouterr()
    assert main(["play", "--summarise", str(plays)]) == 0
    out = capsys.readouterr().out
    assert "played as iran: 2 play(s)" in out and "(skipped, not saved plays: notes.json)" in out
    saved = json.loads((plays / "p0.json").read_text())
    # Every outcome by its label, also those no student reached.
    for oid, label in saved["outcome_labels"].items():
        assert (f"  {label:<40}" in out and f"  {oid:<40}" not in out) or oid == label
    assert saved["actor"] == "iran" and saved["choices"]


def test_an_existing_file_is_never_overwritten(tmp_path, capsys):
    keep = tmp_path / "mine.json"
    keep.write_text("precious")
    assert main(["play", str(BASELINE), "--as", "iran", "--out", str(keep)]) == 2
    assert keep.read_text() == "precious" and "exists" in capsys.readouterr().err


def test_a_file_where_the_folder_should_be_is_refused_before_the_play(tmp_path, capsys,
                                                                      monkeypatch):
    (tmp_path / "plays").write_text("not a folder")

    def never(prompt):
        raise AssertionError("the play should not start")
    monkeypatch.setattr("builtins.input", never)
    assert main(["play", str(BASELINE), "--as", "iran",
                 "--out", str(tmp_path / "plays" / "p.json")]) == 2
    assert "plays is a file, not a folder" in capsys.readouterr().err


def test_input_that_ends_abandons_the_play(tmp_path, monkeypatch, capsys):
    def eof(prompt):
        raise EOFError
    monkeypatch.setattr("builtins.input", eof)
    out = tmp_path / "p.json"
    assert main(["play", str(BASELINE), "--as", "iran", "--out", str(out)]) == 2
    assert "nothing was saved" in capsys.readouterr().err and not out.exists()


@pytest.mark.parametrize(("argv", "message"), [
    (["play", str(BASELINE), "--as", "hamas"], "'hamas' is not an actor of this scenario"),
    (["play", str(BASELINE)], "give a scenario and --as ACTOR"),
])
def test_bad_requests_are_exit_2(capsys, argv, message):
    assert main(argv) == 2
    assert message in capsys.readouterr().err


@pytest.mark.parametrize(("answer", "label"), [("y", "A backed down"), ("n", None)])
def test_a_person_can_play_chicken(answer, label):
    """In a standoff the person is asked to back down or hold; backing down concedes the
    other's demand. Holding ends in a crash or in B backing down, as B chooses."""
    from tests.files import VALIDATION

    said, asked = [], []
    record = play(load_scenario(VALIDATION / "v7_chicken.yaml"), "a", seed=2, trial=0,
                  model_trials=100, ask=lambda prompt: asked.append(prompt) or answer,
                  say=said.append)
    text = "\n".join(said)
    assert len(asked) == 1 and "Back down?" in asked[0]
    assert record["choices"] == [{"round": 1, "kind": "response", "accept": answer == "y"}]
    assert ("If you back down alone, the other side gets its demand (prize 0), worth 0.000 "
            "to you. If it backs down alone, you get yours (prize 1), worth 1.000. If both "
            "back down, the status quo stays (prize 0.5), worth 0.500.") in text
    if label:
        assert record["label"] == label
    else:
        assert record["label"] in ("Crash (both held)", "B backed down")


@pytest.mark.parametrize(("answers", "label"), [
    (["1"], "Status quo (no threat, or A backed down)"),
    (["2", "y"], None),  # threatens; if defied, carries out: war (else B conceded)
    (["2", "n"], None),  # threatens; if defied, backs down: the status quo
])
def test_a_person_can_make_a_threat_and_decide_to_carry_it_out(answers, label):
    """In a compellence game the threatener picks a threat (or none), and if the target
    defies, decides to carry it out (war) or back down (the status quo, at its audience
    cost)."""
    from tests.files import VALIDATION

    said, asked, queue = [], [], list(answers)
    record = play(load_scenario(VALIDATION / "v4_audience_costs.yaml"), "a", seed=3, trial=0,
                  model_trials=100, ask=lambda prompt: asked.append(prompt) or queue.pop(0),
                  say=said.append)
    text = "\n".join(said)
    assert "1. make no threat (the status quo stands)" in text
    kinds = [c["kind"] for c in record["choices"]]
    if answers == ["1"]:
        assert kinds == ["move"] and record["label"] == label
    elif "Carry out the threat?" in " ".join(asked):
        assert kinds == ["move", "carry_out"]
        assert "your threat was defied" in text and "audience cost, 0.200" in text
        assert record["label"] == ("War (A fought)" if answers[1] == "y"
                                   else "Status quo (no threat, or A backed down)")
    else:
        assert kinds == ["move"] and record["label"] == "B conceded"


def test_brinkmanship_offers_each_risk_with_how_often_the_model_defies_it():
    """V5 as A: one option per risk on the ladder, each with its war chance if defied and
    the model's B's defiance (1 below Schelling's window, 1 - p = 0.4 inside it); a move
    named like its rung is named once."""
    from tests.files import VALIDATION

    said = []
    play(load_scenario(VALIDATION / "v5_brinkmanship.yaml"), "a", seed=1, trial=0,
         model_trials=100, ask=lambda prompt: "4", say=said.append)
    text = "\n".join(said)
    assert ("2. risk 0.05 (rung 1): if defied, war with probability 0.05; the model's B "
            "defies it with probability 1.00") in text
    assert ("4. risk 0.25 (rung 3): if defied, war with probability 0.25; the model's B "
            "defies it with probability 0.40") in text


def test_a_declined_joint_move_is_said_before_choosing_again():
    """Playing the US: the joint campaign, declined by Israel in this trial, is named
    before the menu comes back without coalition moves."""
    said, picked = [], []

    def ask(prompt):
        if "Your choice" in prompt:
            menu = [line for line in said[-8:] if line.lstrip()[:1].isdigit()]
            joint = [line for line in menu if " with Israel" in line]
            if joint and not picked:
                picked.append(joint[0])
                return joint[0].split(".")[0].strip()
            return "1"
        return "n"

    play(load_scenario(BASELINE), "us", seed=7, trial=0, model_trials=100, ask=ask,
         say=said.append)
    text = "\n".join(said)
    told = ("Round 1: Israel declined to join your joint US-Israeli strike campaign "
            "(Midnight Hammer II). Choose again, on your own:")
    assert picked and told in text
    after = said[said.index("\n" + told) + 1:]
    again = [line for line in after[:8] if line.lstrip()[:1].isdigit()]
    assert again[0] == "  1. stay at rung 4 (military signalling)"
    assert not any(" with Israel" in line for line in again)


def test_a_person_can_answer_a_threat():
    """As the target: the demand, its worth, and what defying risks; complying is a deal."""
    from tests.files import VALIDATION

    said, asked = [], []
    record = play(load_scenario(VALIDATION / "v4_audience_costs.yaml"), "b", seed=3, trial=0,
                  model_trials=100, ask=lambda prompt: asked.append(prompt) or "y",
                  say=said.append)
    text = "\n".join(said)
    # A's choice probabilities would give its private type away: never shown to B.
    assert "its chance of this choice" not in text and "with probability 1.000" not in text
    if asked:  # A threatened (it does in 96% of trials)
        assert asked == ["  Comply? [y/n] "]
        assert "Before any threat the chance that A would carry one out was 0.600" in text
        assert "its resolve, its value of war beyond that (uniform from -1 to 1)" in text
        assert "A demands prize 1: worth 0.000 to you, against 0.500" in text
        assert record["label"] == "B conceded"
    else:
        assert "A makes no threat" in text


def test_a_class_of_chicken_plays_is_summarised_by_role_and_together(tmp_path, capsys,
                                                                     monkeypatch):
    """Pairs play chicken, one as A and one as B: per role, the outcomes beside the
    model's and how often the players backed down beside the model's actor; then all
    the plays together."""
    from tests.files import VALIDATION

    chicken = str(VALIDATION / "v7_chicken.yaml")
    plays = [("a", "y"), ("a", "n"), ("b", "y")]
    for k, (actor, answer) in enumerate(plays):
        monkeypatch.setattr("builtins.input", lambda prompt, answer=answer: answer)
        assert main(["play", chicken, "--as", actor, "--seed", "2", "--trial", str(k),
                     "--model-trials", "400", "--out", str(tmp_path / f"p{k}.json")]) == 0
    saved = [json.loads((tmp_path / f"p{k}.json").read_text()) for k in range(3)]
    assert [r["backed_down"] for r in saved] == [True, False, True]
    capsys.readouterr()
    assert main(["play", "--summarise", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    rate = saved[0]["model_backed_down"]
    assert f"backed down: 1 of 2 play(s) (50%); the model's actor: {rate:.1%}" in out
    # Beside each ending: how many of the same trials the model's actor ended that way.
    as_a = [r for r in saved if r["actor"] == "a"]
    alike = sum(r["label"] == r["model_outcome_same_trial"] for r in as_a)
    assert f"the same ending as the model's actor in the same trial: {alike} of 2" in out
    for label in {r["model_outcome_same_trial"] for r in as_a}:
        same = sum(r["model_outcome_same_trial"] == label for r in as_a)
        row = next(line for line in out.splitlines() if line.startswith(f"  {label}"))
        assert row.split()[-2] == str(same), row
    assert "V7: chicken, a one-round standoff, all roles: 3 play(s)" in out
    assert "backed down: 2 of 3 play(s) (67%)\n" in out
