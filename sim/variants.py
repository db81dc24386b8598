"""Scenario variants: a base scenario plus a few changes at dotted paths.

A variant file names its base and says what differs::

    variant_of: baseline.yaml          # relative to this file
    name: no_israel_strike
    title: Baseline without an Israeli strike
    description: The baseline with Israel's deal red line removed.
    changes:
      red_lines.israel_strike_alone: null      # null deletes the key
      actors.us.moves.0.cost: 0.05             # list items by index
      protocol.horizon: 20
      actors.iran.war_cost: {dist: uniform, low: 0.2, high: 0.5}  # replaces the subtree

Changes apply in order. A path must exist in the base, except that its last part may
add a new key to an existing mapping.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field

from sim.errors import did_you_mean

__all__ = ["Applied", "Variant", "apply_changes"]

Path = tuple[str | int, ...]
DottedPath = Annotated[str, Field(pattern=r"^[A-Za-z0-9_]+(\.[A-Za-z0-9_]+)*$")]


class Variant(BaseModel):
    """A variant file: a base scenario file and the changes made to it."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    variant_of: str = Field(description="The base scenario file, relative to this file.")
    name: Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]*$", max_length=64)]
    title: str
    description: str = Field(description="One line shown by `escalation list`.")
    changes: dict[DottedPath, Any] = Field(
        default_factory=dict,
        description="Dotted path (e.g. 'actors.us.moves.0.cost') -> new value; "
        "null deletes the key, a mapping replaces the whole subtree.",
    )


@dataclass(frozen=True)
class Applied:
    """A change that was applied: its key in ``changes`` and the path it set."""

    dotted: str
    path: Path
    deleted: bool = False


def apply_changes(
    base: dict, changes: dict[str, Any]
) -> tuple[dict, list[Applied], list[tuple[str, str]]]:
    """Apply a variant's changes to a copy of the base scenario's data.

    Parameters
    ----------
    base : dict
        The base scenario as plain data (not modified).
    changes : dict
        Dotted path -> new value (``None`` deletes), applied in order.

    Returns
    -------
    data : dict
        The changed copy.
    applied : list[Applied]
        The changes that applied, with their typed paths (list indices as ints).
    problems : list[tuple[str, str]]
        (dotted path, message) for each change whose path does not exist.
    """
    data = copy.deepcopy(base)
    applied: list[Applied] = []
    problems: list[tuple[str, str]] = []
    for dotted, value in changes.items():
        path, message = _apply(data, dotted, copy.deepcopy(value))
        if message is None:
            applied.append(Applied(dotted, path, deleted=value is None))
        else:
            problems.append((dotted, message))
    return data, applied, problems


def _apply(data: dict, dotted: str, value: Any) -> tuple[Path, str | None]:
    parts = dotted.split(".")
    node: Any = data
    path: list[str | int] = []
    for i, part in enumerate(parts):
        last = i == len(parts) - 1
        where = ".".join(map(str, path)) or "the top level"
        if isinstance(node, dict):
            if part not in node:
                if last and value is not None:
                    node[part] = value  # a new key in an existing mapping
                    return (*path, part), None
                verb = "nothing to delete" if last else "no such field"
                return (), f"{verb}: '{part}' is not in {where}; {did_you_mean(part, node)}"
            if last:
                if value is None:
                    del node[part]
                else:
                    node[part] = value
                return (*path, part), None
            path.append(part)
            node = node[part]
        elif isinstance(node, list):
            if not (part.isdigit() and int(part) < len(node)):
                valid = f"0..{len(node) - 1}" if node else "none, the list is empty"
                return (), f"'{part}' is not an index of the list {where} (valid: {valid})"
            index = int(part)
            if last:
                if value is None:
                    del node[index]
                else:
                    node[index] = value
                return (*path, index), None
            path.append(index)
            node = node[index]
        else:
            return (), f"{where} is a single value, so it has no '{part}'"
    return tuple(path), None  # pragma: no cover - parts is never empty
