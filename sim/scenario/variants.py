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

from sim.scenario.paths import Path, PathError, resolve

__all__ = ["Applied", "Variant", "apply_changes"]

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
    try:
        parent, key, path = resolve(data, dotted, adding=value is not None,
                                    deleting=value is None)
    except PathError as e:
        return (), str(e)
    if value is None:
        del parent[key]
    else:
        parent[key] = value
    return path, None
