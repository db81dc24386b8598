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
    assert s["$schema"] == "http://json-schema.org/draft-07/schema#"
    assert s["title"] and s["description"]
    assert s["anyOf"] == [{"$ref": "#/definitions/Scenario"}, {"$ref": "#/definitions/Variant"}]
    text = json.dumps(s)
    for newer in ("$defs", "prefixItems", "unevaluated", "dependentRequired", "$dynamicRef"):
        assert newer not in text, f"{newer} is not draft-07"
    assert not _refs_with_siblings(s), "draft-07 ignores keywords beside a $ref"
    json.dumps(s, allow_nan=False)  # plain JSON: no Infinity defaults


def _refs_with_siblings(node) -> list:
    if isinstance(node, dict):
        here = [node] if "$ref" in node and len(node) > 1 else []
        return here + [r for v in node.values() for r in _refs_with_siblings(v)]
    if isinstance(node, list):
        return [r for v in node for r in _refs_with_siblings(v)]
    return []


def test_write_schema(tmp_path):
    write_schema(tmp_path / "s.json")
    assert (tmp_path / "s.json").read_text() == schema_text()


@pytest.fixture(scope="module")
def validator():
    jsonschema = pytest.importorskip("jsonschema")
    jsonschema.Draft7Validator.check_schema(json_schema())
    return jsonschema.Draft7Validator(json_schema())


def test_schema_accepts_every_shipped_scenario_and_variant(validator):
    paths = [ROOT / "tests/fixtures/minimal.yaml",
             ROOT / "tests/bad_scenarios/missing_catch_all.yaml",
             *sorted((ROOT / "scenarios").rglob("*.yaml"))]
    for path in paths:
        data = read_document(path).data
        assert not list(validator.iter_errors(data)), path


def test_schema_rejects_a_typo(validator):
    data = read_document(ROOT / "tests/bad_scenarios/unknown_field.yaml").data
    assert list(validator.iter_errors(data))
