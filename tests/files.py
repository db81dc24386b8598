"""Paths the tests share: the repository, its scenarios and the test fixtures."""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SCENARIOS = ROOT / "scenarios"
BASELINE = SCENARIOS / "iran_2026" / "baseline.yaml"
VALIDATION = SCENARIOS / "validation"
FIXTURES = ROOT / "tests" / "fixtures"
MINIMAL = FIXTURES / "minimal.yaml"
TRACE = FIXTURES / "trace.yaml"
BAD = ROOT / "tests" / "bad_scenarios"
