"""Load and validate scenario files, reporting every problem with its file, line and field.

:func:`load_scenario` reads a scenario (or a variant of one, see :mod:`sim.scenario.variants`),
validates it against :class:`~sim.scenario.Scenario` and checks its cross-references.
Anything wrong is raised as one :class:`~sim.scenario.errors.ScenarioError` listing every
problem as ``file:line:col: field.path: message``.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import Any

from pydantic import ValidationError

from sim.scenario.errors import Problem, ScenarioError
from sim.scenario.format import Scenario
from sim.scenario.messages import Finding, explain
from sim.scenario.references import check_references, check_references_partial
from sim.scenario.variants import Applied, Variant, apply_changes
from sim.scenario.yaml_io import Document, read_document

__all__ = [
    "load_scenario",
    "locate_problems",
    "scenario_from_dict",
    "scenario_text",
    "validate_paths",
]

MAX_VARIANT_CHAIN = 20

PathLike = str | os.PathLike[str]


def load_scenario(path: PathLike) -> Scenario:
    """Load a scenario or variant file and validate it.

    Parameters
    ----------
    path : str or os.PathLike
        The YAML file. Messages name it as given.

    Returns
    -------
    Scenario
        The validated scenario (for a variant: its base with the changes applied).

    Raises
    ------
    ScenarioError
        With every problem found, each located in the file that causes it.
    """
    source = _read_source(os.fspath(path), ())
    problems = list(source.problems)
    scenario = None
    try:
        scenario = Scenario.model_validate(source.data)
    except ValidationError as e:
        findings = explain(e, source.data, Scenario)
        problems += [source.place(f) for f in findings]
        # Cross-references among the valid parts too, so every problem shows at once.
        problems += [source.place(_finding(p)) for p in check_references_partial(source.data)
                     if not any(_related(p.path, f.path) for f in findings)]
    else:
        problems += [source.place(_finding(p)) for p in check_references(scenario)]
    if problems:
        raise ScenarioError(_ordered(problems, source.doc.file))
    return scenario


def scenario_from_dict(data: dict, *, origin: str = "<dict>") -> Scenario:
    """Validate scenario data built in code (e.g. a sweep point); no line numbers.

    Raises
    ------
    ScenarioError
        With every problem found, each named by its field path and ``origin``.
    """
    try:
        scenario = Scenario.model_validate(data)
    except ValidationError as e:
        raise ScenarioError(
            [Problem(f.path, f.message, file=origin) for f in explain(e, data, Scenario)]
        ) from None
    problems = check_references(scenario)
    if problems:
        raise ScenarioError([Problem(p.path, p.message, file=origin) for p in problems])
    return scenario


def validate_paths(paths: list[PathLike]) -> list[Problem]:
    """Every problem in every file (empty when all are valid)."""
    problems: list[Problem] = []
    for path in paths:
        try:
            load_scenario(path)
        except ScenarioError as e:
            problems.extend(e.problems)
    return problems


def locate_problems(path: PathLike, problems: list[Problem]) -> list[Problem]:
    """Place problems found by path alone (e.g. a sweep's bounds) in the file's lines."""
    source = _read_source(os.fspath(path), ())
    return [source.place(_finding(p)) for p in problems]


def scenario_text(path: PathLike) -> str:
    """The source text behind a scenario, for a run's manifest.

    For a plain scenario this is the file's text; for a variant, the variant's text
    followed by each base's text under a ``# --- base scenario: FILE ---`` line.
    """
    source: _Source | None = _read_source(os.fspath(path), ())
    parts = []
    while source is not None:
        if parts:
            parts.append(f"\n# --- base scenario: {source.doc.file} ---\n")
        parts.append(source.doc.text)
        source = source.base
    return "".join(parts)


# --- sources: where each part of the data came from -----------------------------------------


@dataclass
class _Source:
    """Scenario data and how to place a finding in the file(s) it came from.

    For a variant, ``base`` is the base's source and ``applied`` the changes; a
    finding under a changed path is placed in the variant file, others in the base.
    """

    doc: Document
    data: Any
    base: _Source | None = None
    applied: list[Applied] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)

    def place(self, f: Finding) -> Problem:
        if self.base is None:
            return self._here(f.path, f.message, f.anchor, f.key)
        for a in reversed(self.applied):
            n = len(a.path)
            change = ("changes", a.dotted)
            if not a.deleted and f.anchor[:n] == a.path:
                return self._here(f.path, f.message, change + f.anchor[n:], f.key)
            if f.path[:n] == a.path and (not a.deleted or f.path == a.path):
                return self._here(f.path, f.message, change, True)
        if f.anchor and f.anchor[0] in _VARIANT_OWN:
            return self._here(f.path, f.message, f.anchor, f.key)
        return self.base.place(f)

    def _here(self, path, message, anchor, key) -> Problem:
        line, col = self.doc.locate(anchor, key=key)
        return Problem(path, message, self.doc.file, line, col)


_VARIANT_OWN = ("name", "title", "description")


def _related(a: tuple, b: tuple) -> bool:
    """One path lies within the other."""
    n = min(len(a), len(b))
    return a[:n] == b[:n]


def _finding(p: Problem) -> Finding:
    return Finding(p.path, p.message, p.path)


def _read_source(path: str, chain: tuple[str, ...]) -> _Source:
    doc = read_document(path)
    if "variant_of" not in doc.data:
        return _Source(doc, doc.data)
    here = _Source(doc, doc.data)
    try:
        variant = Variant.model_validate(doc.data)
    except ValidationError as e:
        problems = [here.place(f) for f in explain(e, doc.data, Variant)]
        raise ScenarioError(_ordered(problems, doc.file)) from None

    def fail(message: str) -> ScenarioError:
        return ScenarioError([here.place(Finding(("variant_of",), message, ("variant_of",)))])

    base_path = os.path.normpath(os.path.join(os.path.dirname(path), variant.variant_of))
    seen = (*chain, os.path.realpath(path))
    if os.path.realpath(base_path) in seen:
        raise fail(f"variants form a cycle: {' -> '.join([*_names(seen), base_path])}")
    if len(seen) > MAX_VARIANT_CHAIN:
        raise fail(f"more than {MAX_VARIANT_CHAIN} variants built on each other")
    if not os.path.isfile(base_path):
        raise fail(f"base scenario '{variant.variant_of}' not found (looked for {base_path})")
    base = _read_source(base_path, seen)

    data, applied, failed = apply_changes(base.data, variant.changes)
    for key in _VARIANT_OWN:
        data[key] = getattr(variant, key)
    problems = list(base.problems)
    for dotted, message in failed:
        line, col = doc.locate(("changes", dotted), key=True)
        problems.append(Problem(("changes", dotted), message, doc.file, line, col))
    return _Source(doc, data, base=base, applied=applied, problems=problems)


def _names(realpaths: tuple[str, ...]) -> list[str]:
    return [os.path.relpath(p) for p in realpaths]


def _ordered(problems: list[Problem], main: str) -> list[Problem]:
    """The loaded file's problems first, then by file, line and column."""
    return sorted(
        problems, key=lambda p: (p.file != main, p.file or "", p.line or 0, p.column or 0)
    )
