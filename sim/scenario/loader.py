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
#: Problems reported per file; a file with more is reported with its first ones.
MAX_PROBLEMS = 50

PathLike = str | os.PathLike[str]


def load_scenario(path: PathLike, *, roots: tuple[PathLike, ...] = ()) -> Scenario:
    """Load a scenario or variant file and validate it.

    Parameters
    ----------
    path : str or os.PathLike
        The YAML file. Messages name it as given.
    roots : folders
        Folders a variant may take its base from besides its own folder (and the ones
        below it) and the shipped library (``variant_of: library:iran_2026/baseline.yaml``).

    Returns
    -------
    Scenario
        The validated scenario (for a variant: its base with the changes applied).

    Raises
    ------
    ScenarioError
        With every problem found, each located in the file that causes it.
    """
    source = _read_source(os.fspath(path), (), tuple(os.fspath(r) for r in roots))
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


def validate_paths(paths: list[PathLike], roots: tuple[PathLike, ...] = ()) -> list[Problem]:
    """Every problem in every file (empty when all are valid)."""
    problems: list[Problem] = []
    for path in paths:
        try:
            load_scenario(path, roots=roots)
        except ScenarioError as e:
            problems.extend(e.problems)
    return problems


def locate_problems(path: PathLike, problems: list[Problem],
                    roots: tuple[PathLike, ...] = ()) -> list[Problem]:
    """Place problems found by path alone (e.g. a sweep's bounds) in the file's lines."""
    source = _read_source(os.fspath(path), (), tuple(os.fspath(r) for r in roots))
    return [source.place(_finding(p)) for p in problems]


def scenario_text(path: PathLike, roots: tuple[PathLike, ...] = ()) -> str:
    """The source text behind a scenario, for a run's manifest.

    For a plain scenario this is the file's text; for a variant, the variant's text
    followed by each base's text under a ``# --- base scenario: FILE ---`` line.
    """
    source: _Source | None = _read_source(os.fspath(path), (),
                                          tuple(os.fspath(r) for r in roots))
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


def _read_source(path: str, chain: tuple[str, ...], roots: tuple[str, ...]) -> _Source:
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

    ref = variant.variant_of
    base_path = _base_path(path, ref)
    seen = (*chain, os.path.realpath(path))
    if not _inside(base_path, [os.path.dirname(os.path.realpath(path)), *roots]):
        raise fail(f"base scenario '{ref}' is outside this variant's folder; a variant's base "
                   "must be in its own folder (or below it) or in the shipped library "
                   "('library:iran_2026/baseline.yaml'); to use another folder, name it "
                   "(--scenario-root DIR, or roots= in Python)")
    if os.path.realpath(base_path) in seen:
        raise fail(f"variants form a cycle: {' -> '.join([*_names(seen), base_path])}")
    if len(seen) > MAX_VARIANT_CHAIN:
        raise fail(f"more than {MAX_VARIANT_CHAIN} variants built on each other")
    if not os.path.isfile(base_path):
        raise fail(f"base scenario '{ref}' not found (looked for {base_path})")
    try:
        base = _read_source(base_path, seen, roots)
    except ScenarioError as e:
        if any(p.file == base_path and not p.path for p in e.problems):
            # Unreadable as YAML or not a mapping: say so without quoting the file.
            raise fail(f"base scenario '{ref}' is not a readable scenario file; "
                       f"`escalation validate {base_path}` lists its problems") from None
        raise
    if isinstance(base.data, dict) and not set(base.data) & _SCENARIO_KEYS:
        raise fail(f"base scenario '{ref}' is not a scenario file (it has none of the fields "
                   "a scenario starts with: name, title, issues, actors, ...)")

    data, applied, failed = apply_changes(base.data, variant.changes)
    for key in _VARIANT_OWN:
        data[key] = getattr(variant, key)
    problems = list(base.problems)
    for dotted, message in failed:
        line, col = doc.locate(("changes", dotted), key=True)
        problems.append(Problem(("changes", dotted), message, doc.file, line, col))
    return _Source(doc, data, base=base, applied=applied, problems=problems)


_SCENARIO_KEYS = {*Scenario.model_fields, "variant_of"}
#: How a variant names a base in the shipped library.
LIBRARY = "library:"


def _base_path(variant: str, ref: str) -> str:
    """The file a variant's ``variant_of`` names: relative to the variant, or a shipped
    scenario (``library:NAME``)."""
    if ref.startswith(LIBRARY):
        from sim.scenario.library import library_root

        return os.path.normpath(os.path.join(library_root(), ref[len(LIBRARY):]))
    return os.path.normpath(os.path.join(os.path.dirname(variant), ref))


def _inside(path: str, roots: list[str]) -> bool:
    """Whether ``path`` (symbolic links resolved) lies in a root or the shipped library."""
    from sim.scenario.library import library_root

    real = os.path.realpath(path)
    for root in [*roots, str(library_root())]:
        top = os.path.realpath(root)
        if os.path.commonpath([real, top]) == top:
            return True
    return False


def _names(realpaths: tuple[str, ...]) -> list[str]:
    return [os.path.relpath(p) for p in realpaths]


def _ordered(problems: list[Problem], main: str) -> list[Problem]:
    """The loaded file's problems first, then by file, line and column; at most
    :data:`MAX_PROBLEMS`, then one line saying how many more there are."""
    ordered = sorted(
        problems, key=lambda p: (p.file != main, p.file or "", p.line or 0, p.column or 0)
    )
    if len(ordered) <= MAX_PROBLEMS:
        return ordered
    more = len(ordered) - MAX_PROBLEMS
    return [*ordered[:MAX_PROBLEMS],
            Problem((), f"... and {more:,} more problems; fix these first", file=main)]
