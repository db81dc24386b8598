"""The JSON Schema of scenario and variant files, for editors and other tools.

Every scenario file starts with
``# yaml-language-server: $schema=../../schema/scenario.schema.json`` so editors
complete field names and flag mistakes as you type. The committed copy is
regenerated with ``escalation schema > schema/scenario.schema.json``.
"""

from __future__ import annotations

import json
import math
import os
from typing import Any

from pydantic.json_schema import models_json_schema

from sim.scenario.format import Scenario
from sim.scenario.variants import Variant

__all__ = ["json_schema", "schema_text", "write_schema"]

#: Draft-07: the newest draft the YAML language server (editors' YAML support) implements
#: fully.
DIALECT = "http://json-schema.org/draft-07/schema#"


def json_schema() -> dict:
    """The JSON Schema for a scenario file or a variant file (``anyOf`` the two).

    Defaults JSON cannot write (infinite bounds) are left out. (Draft-07 ignores
    keywords beside a ``$ref``; pydantic emits none, tests/test_schema.py checks it.)
    """
    refs, top = models_json_schema(
        [(Scenario, "validation"), (Variant, "validation")],
        ref_template="#/definitions/{model}",
    )
    return {
        "$schema": DIALECT,
        "title": "Escalation scenario",
        "description": (
            "A crisis scenario for the escalation simulator (issues, actors, ladder, red "
            "lines, protocol, outcomes), or a variant of one: 'variant_of' a base file "
            "plus 'changes' at dotted paths."
        ),
        "anyOf": [refs[(Scenario, "validation")], refs[(Variant, "validation")]],
        "definitions": _finite(top["$defs"]),
    }


def schema_text() -> str:
    """The schema as the committed file holds it: indented JSON and a final newline."""
    return json.dumps(json_schema(), indent=2, allow_nan=False) + "\n"


def write_schema(path: str | os.PathLike[str]) -> None:
    """Write the schema to ``path`` (atomically: a temporary file, then a rename)."""
    path = os.fspath(path)
    tmp = f"{path}.tmp"
    with open(tmp, "w", encoding="utf-8") as f:
        f.write(schema_text())
    os.replace(tmp, path)


def _finite(node: Any) -> Any:
    if isinstance(node, dict):
        return {
            k: _finite(v)
            for k, v in node.items()
            if not (isinstance(v, float) and not math.isfinite(v))
        }
    if isinstance(node, list):
        return [_finite(v) for v in node]
    return node
