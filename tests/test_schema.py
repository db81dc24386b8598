"""The JSON Schema for scenario files: committed copy up to date, and it accepts our files."""

from __future__ import annotations

import json

import pytest

from sim.scenario.json_schema import json_schema, schema_text, write_schema
from sim.scenario.yaml_io import read_document
from tests.files import ROOT

COMMITTED = ROOT / "schema" / "scenario.schema.json"
REGENERATE = "regenerate it with: escalation schema > schema/scenario.schema.json"


def test_committed_schema_is_current():
    assert COMMITTED.exists(), f"schema/scenario.schema.json is missing; {REGENERATE}"
    committed = json.loads(COMMITTED.read_text())
    assert committed == json.loads(schema_text()), (
        f"schema/scenario.schema.json is out of date with sim/scenario.py; {REGENERATE}"
    )


def test_schema_shape():
    s = json_schema()
    assert s["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert s["title"] and s["description"]
    assert s["anyOf"] == [{"$ref": "#/$defs/Scenario"}, {"$ref": "#/$defs/Variant"}]
    json.dumps(s, allow_nan=False)  # plain JSON: no Infinity defaults


def test_write_schema(tmp_path):
    write_schema(tmp_path / "s.json")
    assert (tmp_path / "s.json").read_text() == schema_text()


@pytest.fixture(scope="module")
def validator():
    jsonschema = pytest.importorskip("jsonschema")
    return jsonschema.Draft202012Validator(json_schema())


def test_schema_accepts_scenario_and_variant(validator):
    for path in ["tests/fixtures/minimal.yaml", "tests/bad_scenarios/missing_catch_all.yaml"]:
        data = read_document(ROOT / path).data
        assert not list(validator.iter_errors(data)), path


def test_schema_rejects_a_typo(validator):
    data = read_document(ROOT / "tests/bad_scenarios/unknown_field.yaml").data
    assert list(validator.iter_errors(data))
