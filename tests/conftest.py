"""Fixtures shared by the tests (paths are in ``tests/files.py``)."""

from __future__ import annotations

import pytest

from tests.files import BASELINE, ROOT, TRACE


@pytest.fixture
def at_root(monkeypatch):
    """Run from the repository root, as the README's commands do."""
    monkeypatch.chdir(ROOT)
    return ROOT


@pytest.fixture(scope="session")
def baseline():
    """The February 2026 baseline scenario, loaded once."""
    from sim import load_scenario

    return load_scenario(BASELINE)


@pytest.fixture(scope="session")
def trace_cs():
    """The small three-rung scenario of the exact-trace tests, compiled."""
    from sim import compile_scenario, load_scenario

    return compile_scenario(load_scenario(TRACE))
