"""The base rates quoted beside a run are those of docs/sources.md, and the sentence
about them places a run's war share correctly."""

from __future__ import annotations

import pytest

from sim.analysis.base_rates import BASE_RATES, war_context
from tests.files import ROOT

SOURCES = (ROOT / "docs" / "sources.md").read_text(encoding="utf-8")


@pytest.mark.parametrize("rate", BASE_RATES, ids=lambda b: f"{b.label} {b.what}")
def test_every_base_rate_is_in_the_docs(rate):
    row = next(line for line in SOURCES.splitlines() if line.startswith(f"| {rate.label} |"))
    assert f"{100 * rate.share:.1f}%" in row or f"{100 * rate.share:.0f}%" in row


@pytest.mark.parametrize(("p_war", "where"), [
    (0.50, "above every reference class"), (0.20, "within the range of the crisis"),
    (0.05, "below the crisis reference classes but above"), (0.01, "below every")])
def test_the_sentence_places_the_run(p_war, where):
    assert where in war_context(p_war)
