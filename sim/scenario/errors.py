"""Problems found in scenario files, reported as ``file:line:col: field.path: message``."""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from dataclasses import dataclass, field

__all__ = ["Problem", "ScenarioError", "did_you_mean"]

Path = tuple[str | int, ...]


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a scenario, located by its field path (and line, once known)."""

    path: Path
    message: str
    file: str | None = None
    line: int | None = None
    column: int | None = None

    @property
    def dotted(self) -> str:
        """The field path as ``a.b.0.c``."""
        return ".".join(str(p) for p in self.path) if self.path else "(document)"

    def __str__(self) -> str:
        where = self.file or "<scenario>"
        if self.line is not None:
            where += f":{self.line}:{self.column or 1}"
        return f"{where}: {self.dotted}: {self.message}"


@dataclass
class ScenarioError(Exception):
    """A scenario file (or scenario object) is invalid; carries every problem found."""

    problems: list[Problem] = field(default_factory=list)

    def __str__(self) -> str:
        return "\n".join(str(p) for p in self.problems)


def did_you_mean(name: str, valid: Iterable[str]) -> str:
    """A hint listing what would be valid, with the closest match first if there is one."""
    valid = sorted(str(v) for v in valid)
    close = difflib.get_close_matches(str(name), valid, n=1, cutoff=0.6)
    shown = ", ".join(f"'{v}'" for v in valid[:12]) + (", ..." if len(valid) > 12 else "")
    if close:
        return f"did you mean '{close[0]}'? (valid: {shown})"
    return f"valid: {shown}" if valid else "nothing is defined to refer to"
