"""Every scenario shipped in scenarios/ gets the same contract (cf. Axelrod's strategy
test base class): it loads, validates, runs, is deterministic across worker counts, its
outcome shares sum to 1 without NaN, and every number says where it comes from."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from sim import load_scenario, run
from sim.scenario.loader import validate_paths
from sim.scenario.yaml_io import read_document
from tests.files import SCENARIOS

FILES = sorted(SCENARIOS.rglob("*.yaml"))
IDS = [str(p.relative_to(SCENARIOS)) for p in FILES]
SCHEMA_LINE = "# yaml-language-server: $schema=../../schema/scenario.schema.json"


def test_there_are_scenarios():
    assert len([p for p in FILES if "iran_2026" in str(p)]) >= 6


@pytest.mark.parametrize("path", FILES, ids=IDS)
def test_scenario_contract(path):
    assert validate_paths([path]) == []
    assert path.read_text(encoding="utf-8").splitlines()[0] == SCHEMA_LINE
    scenario = load_scenario(path)
    one = run(scenario, trials=400, seed=1, chunk_size=100, workers=1)
    two = run(scenario, trials=400, seed=1, chunk_size=100, workers=2)
    pd.testing.assert_frame_equal(one.trials, two.trials)
    shares = one.summary().to_df()["share"]
    assert np.isclose(shares.sum(), 1.0)
    assert not shares.isna().any()
    assert set(one.trials.outcome) <= set(shares.index)


def _numbers_without_provenance(node, path=()):
    """Numbers in iran_2026 files must sit in a mapping that has source or assumption
    (or, for a judgement call, why), or under an ancestor that has one."""
    missing = []
    if isinstance(node, dict):
        noted = "source" in node or "assumption" in node or "why" in node
        for k, v in node.items():
            if isinstance(v, (int, float)) and not isinstance(v, bool) and not noted:
                missing.append(".".join(map(str, (*path, k))))
            elif isinstance(v, (dict, list)) and not noted:
                missing += _numbers_without_provenance(v, (*path, k))
    elif isinstance(node, list):
        for i, v in enumerate(node):
            missing += _numbers_without_provenance(v, (*path, i))
    return missing


@pytest.mark.parametrize("path", [p for p in FILES if "iran_2026" in str(p)],
                         ids=[i for i in IDS if "iran_2026" in i])
def test_every_seeded_number_has_provenance(path):
    data = read_document(path).data
    body = data.get("changes", data)
    assert _numbers_without_provenance(body) == []
