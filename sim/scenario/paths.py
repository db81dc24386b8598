"""Dotted paths into scenario data: ``actors.us.war_cost.high``, ``ladder.rungs.4``.

One walker serves variants (set, add or delete a value) and sweeps (set a number
at a path that must exist). Mapping keys are names; list items are addressed by
their index.
"""

from __future__ import annotations

from typing import Any

from sim.scenario.errors import did_you_mean

__all__ = ["Path", "PathError", "resolve", "split"]

Path = tuple[str | int, ...]


class PathError(ValueError):
    """A dotted path that does not lead anywhere in the data; the message says why."""


def split(dotted: str) -> Path:
    """``'ladder.rungs.4.breakdown_risk'`` -> ``('ladder', 'rungs', 4, 'breakdown_risk')``.

    Scenario names start with a letter, so a part made of digits is a list index.
    """
    return tuple(int(p) if p.isdigit() else p for p in dotted.split("."))


def resolve(data: Any, dotted: str, *, adding: bool = False,
            deleting: bool = False) -> tuple[Any, str | int, Path]:
    """Follow a dotted path to its last part.

    Parameters
    ----------
    data : dict or list
        Plain scenario data.
    dotted : str
        The path.
    adding : bool
        The last part may name a new key of an existing mapping.
    deleting : bool
        The caller will delete the last part (only changes the message).

    Returns
    -------
    container, key, path
        The mapping or list holding the last part, the key or index in it, and the
        whole path with list indices as integers.

    Raises
    ------
    PathError
        Naming the first part that does not exist and what would be valid.
    """
    parts = dotted.split(".")
    node: Any = data
    path: list[str | int] = []
    for i, part in enumerate(parts):
        last = i == len(parts) - 1
        where = ".".join(map(str, path)) or "the top level"
        if isinstance(node, dict):
            if part not in node and not (last and adding):
                verb = "nothing to delete" if last and deleting else "no such field"
                raise PathError(f"{verb}: '{part}' is not in {where}; {did_you_mean(part, node)}")
            key: str | int = part
        elif isinstance(node, list):
            if not (part.isdigit() and int(part) < len(node)):
                valid = f"0..{len(node) - 1}" if node else "none, the list is empty"
                raise PathError(f"'{part}' is not an index of the list {where} (valid: {valid})")
            key = int(part)
        else:
            raise PathError(f"{where} is a single value, so it has no '{part}'")
        if last:
            return node, key, (*path, key)
        path.append(key)
        node = node[key]
    raise PathError("an empty path")  # pragma: no cover - split never gives no parts
