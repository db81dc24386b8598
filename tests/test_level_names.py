"""Readable level names: stories say 'zero enrichment', tables keep the keys."""

from __future__ import annotations

from sim import compile_scenario, load_scenario, run
from tests.files import BASELINE, MINIMAL


def test_stories_use_the_names_and_tables_keep_the_keys():
    s = load_scenario(BASELINE)
    cs = compile_scenario(s)
    assert cs.packages.describe(cs.packages.status_quo) == (
        "enrichment up to 60%, no missile limits, no proxy clause, no sanctions relief, "
        "no IAEA access")
    trials = run(s, trials=200, seed=1, chunk_size=100).trials
    assert set(trials["last_offer_enrichment"]) <= {"zero", "cap_3_67", "cap_60", ""}


def test_without_names_a_story_gives_issue_and_level():
    cs = compile_scenario(load_scenario(MINIMAL))
    text = cs.packages.describe(0)
    assert text.startswith(f"{cs.packages.issue_ids[0]} ")
