"""The package grid: one level per issue, level tests as masks, dominated packages.

A package is one level on every issue. The engine evaluates every candidate package
at once, so packages are rows of an integer grid and conditions on packages (red
lines, outcome tests) are boolean masks over those rows.
"""

from __future__ import annotations

import itertools

import numpy as np

from sim.scenario.format import DealCondition, Issue, Scenario

__all__ = ["full_grid", "level_index", "package_mask", "pareto_keep", "utilities"]


def level_index(issue: Issue, value: str | float) -> int:
    """Index of a level given by its label (or, on a continuous issue, the nearest value)."""
    labels = issue.labels()
    if issue.continuous is not None and isinstance(value, (int, float)):
        vals = np.array(issue.continuous.values())
        return int(np.argmin(np.abs(vals - float(value))))
    return labels.index(str(value))


def full_grid(issues: dict[str, Issue]) -> tuple[np.ndarray, np.ndarray]:
    """Every combination of levels: the grid of level indices (P, K) and the level
    positions on [0, 1] (P, K)."""
    positions = [np.array(iss.level_positions()) for iss in issues.values()]
    sizes = [len(iss.labels()) for iss in issues.values()]
    grid = np.array(list(itertools.product(*[range(n) for n in sizes])), dtype=np.int16)
    pos = np.stack([positions[k][grid[:, k]] for k in range(len(sizes))], axis=1)
    return grid, pos


def utilities(s: Scenario, pos: np.ndarray) -> np.ndarray:
    """Each actor's utility of each package (A, P): salience-weighted closeness to its
    ideal on each issue, ``sum_k s_k (1 - |x_k - m_k|)`` with saliences summing to 1."""
    util = np.zeros((len(s.actors), pos.shape[0]))
    for i, a in enumerate(s.actors.values()):
        total = sum(p.salience for p in a.preferences.values())
        for k, (iid, issue) in enumerate(s.issues.items()):
            pref = a.preferences.get(iid)
            if pref is None or total == 0:
                continue
            ideal = issue.level_positions()[level_index(issue, pref.ideal)]
            util[i] += pref.salience / total * (1.0 - np.abs(pos[:, k] - ideal))
    return util


def package_mask(cond: DealCondition | None, issues: dict[str, Issue], grid: np.ndarray):
    """Boolean mask over the package grid: packages meeting every level test."""
    mask = np.ones(grid.shape[0], dtype=bool)
    for k, (iid, issue) in enumerate(issues.items()):
        test = (cond or {}).get(iid)
        if test is None:
            continue
        col = grid[:, k]
        if test.at_least is not None:
            mask &= col >= level_index(issue, test.at_least)
        if test.at_most is not None:
            mask &= col <= level_index(issue, test.at_most)
        if test.among is not None:
            mask &= np.isin(col, [level_index(issue, v) for v in test.among])
    return mask


def pareto_keep(util: np.ndarray, crossed: np.ndarray, always: list[int]) -> np.ndarray:
    """Packages not dominated: no other package is at least as good for every actor,
    strictly better for one, and crosses no red line this one does not.

    Parameters
    ----------
    util : (A, P) utilities of the actors that count.
    crossed : (L, P) which red lines each package crosses.
    always : packages kept whatever (the status quo, the war settlements).
    """
    P = util.shape[1]
    keep = np.ones(P, dtype=bool)
    for p in range(P):
        ge = np.all(util >= util[:, [p]] - 1e-12, axis=0)
        gt = np.any(util > util[:, [p]] + 1e-12, axis=0)
        subset = np.all(crossed <= crossed[:, [p]], axis=0)
        if np.any(ge & gt & subset):
            keep[p] = False
    keep[always] = True
    return keep
