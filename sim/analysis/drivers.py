"""Drivers: which of a trial's drawn values make an outcome likely, in words.

Two views of the per-trial table, both standard in scenario discovery:

- **PRIM** (Friedman and Fisher 1999), the patient rule induction method as
  implemented by the EMA Workbench (Kwakkel 2017): a box of ranges on a few drawn
  values inside which the outcome is much more frequent than overall. Along the
  peeling trajectory, coverage (the share of all cases of the outcome inside the box)
  trades against density (the outcome's share inside it; Bryant and Lempert 2010); the
  box chosen maximises the weighted relative accuracy, mass x (density - overall
  share) (Lavrac et al. 2004), which favours boxes both large and pure.
- **A shallow classification tree** (depth 2, scikit-learn), read as up to four rules
  with the outcome's share and the trials each covers.

Both describe correlations inside the model, across its drawn values; they are not
controlled experiments.

References
----------
Friedman, J. H., and Fisher, N. I. (1999). Bump hunting in high-dimensional data.
*Statistics and Computing* 9(2), 123-143.
Bryant, B. P., and Lempert, R. J. (2010). Thinking inside the box: a participatory,
computer-assisted approach to scenario discovery. *Technological Forecasting and
Social Change* 77(1), 34-49.
Lavrac, N., Kavsek, B., Flach, P., and Todorovski, L. (2004). Subgroup discovery with
CN2-SD. *Journal of Machine Learning Research* 5, 153-188.
Kwakkel, J. H. (2017). The Exploratory Modeling Workbench. *Environmental Modelling &
Software* 96, 239-250.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np
import pandas as pd

__all__ = ["Box", "Rule", "describe_box", "drawn_columns", "prim_box", "tree_rules"]

#: Per-trial columns that hold values drawn at the start of a trial.
_DRAWN_SUFFIXES = ("_war_cost", "_resolve", "_capability", "_audience_cost", "_discount",
                   "_credibility", "_binding", "_initial", "_growth")
#: Rows used by PRIM and the tree (the first trials; enough for stable boxes).
MAX_ROWS = 20_000


def drawn_columns(trials: pd.DataFrame) -> list[str]:
    """The columns of values drawn per trial that vary across trials."""
    cols = [c for c in trials.columns
            if c.endswith(_DRAWN_SUFFIXES) or c.startswith("breakdown_risk_")]
    return [c for c in cols if trials[c].nunique() > 1]


@dataclass(frozen=True)
class Box:
    """A PRIM box: ranges on a few drawn values, with its coverage and density."""

    limits: dict[str, tuple[float, float]]  # only the restricted columns
    coverage: float  # share of all cases of the outcome inside the box
    density: float  # share of the outcome among the box's trials
    mass: float  # share of all trials inside the box
    base: float  # the outcome's share overall


@dataclass(frozen=True)
class Rule:
    """A leaf of the tree: conditions, the trials it covers, the outcome's share there."""

    conditions: tuple[str, ...]
    mass: float
    share: float


def _sample(trials: pd.DataFrame, target: np.ndarray):
    n = min(len(trials), MAX_ROWS)
    return trials.iloc[:n], np.asarray(target[:n], dtype=bool)


def prim_box(trials: pd.DataFrame, target: np.ndarray,
             columns: list[str] | None = None) -> Box | None:
    """The PRIM box for ``target`` (a boolean per row) over ``columns`` (default: the
    drawn values of a per-trial table); None if the target is too rare or too common to
    bound (under 1% or over 99% of rows) or nothing varies."""
    frame, y = _sample(trials, target)
    cols = drawn_columns(frame) if columns is None else [
        c for c in columns if frame[c].nunique() > 1]
    base = float(y.mean())
    if not cols or not 0.01 <= base <= 0.99:
        return None
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the workbench warns about optional extras
        from ema_workbench.analysis import prim
        from ema_workbench.util import ema_logging

        ema_logging.get_rootlogger().setLevel(40)
        x = frame[cols].astype(float).reset_index(drop=True)
        box = prim.Prim(x, y).find_box()
    if box is None:
        return None
    traj = box.peeling_trajectory
    wracc = traj["mass"] * (traj["density"] - base)  # weighted relative accuracy
    i = int(wracc.idxmax())
    first, lims = box.box_lims[0], box.box_lims[i]
    limits = {c: (float(lims[c][0]), float(lims[c][1])) for c in cols
              if (lims[c][0], lims[c][1]) != (first[c][0], first[c][1])}
    row = traj.loc[i]
    return Box(limits, float(row["coverage"]), float(row["density"]), float(row["mass"]),
               base)


def tree_rules(trials: pd.DataFrame, target: np.ndarray, depth: int = 2) -> list[Rule]:
    """The leaves of a shallow classification tree for ``target``, largest share
    first; [] if nothing varies or the outcome never (or always) happens."""
    from sklearn.tree import DecisionTreeClassifier

    frame, y = _sample(trials, target)
    cols = drawn_columns(frame)
    if not cols or y.all() or not y.any():
        return []
    x = frame[cols].astype(float).to_numpy()
    tree = DecisionTreeClassifier(max_depth=depth, min_samples_leaf=max(1, len(y) // 50),
                                  random_state=0).fit(x, y)
    t = tree.tree_
    rules = []

    def walk(node: int, conditions: tuple[str, ...]):
        if t.children_left[node] == -1:
            idx = tree.apply(x) == node
            rules.append(Rule(conditions, float(idx.mean()), float(y[idx].mean())))
            return
        name, cut = cols[t.feature[node]], t.threshold[node]
        if name.endswith("_binding"):  # a 0/1 column: say it in words
            line = name.removesuffix("_binding")
            below, above = f"{line} does not bind", f"{line} binds"
        else:
            below, above = f"{name} <= {_num(cut)}", f"{name} > {_num(cut)}"
        walk(t.children_left[node], (*conditions, below))
        walk(t.children_right[node], (*conditions, above))

    walk(0, ())
    return sorted(rules, key=lambda r: -r.share)


def _num(x: float) -> str:
    return f"{x:.3g}"


def describe_box(box: Box, outcome: str, unit: str = "trials") -> str:
    """The box in a sentence a student can read (``unit``: what the rows are)."""
    parts = []
    for col, (lo, hi) in box.limits.items():
        if col.endswith("_binding"):
            parts.append(f"{col.removesuffix('_binding')} binds" if lo >= 0.5
                         else f"{col.removesuffix('_binding')} does not bind")
        elif np.isfinite(lo) and np.isfinite(hi):
            parts.append(f"{col} between {_num(lo)} and {_num(hi)}")
        else:
            parts.append(f"{col} {'above ' + _num(lo) if np.isfinite(lo) else 'below ' + _num(hi)}")
    where = (", ".join(parts[:-1]) + " and " + parts[-1] if len(parts) > 1
             else parts[0] if parts else "anywhere")
    return (f"{outcome} holds in {box.density:.0%} of the {unit} where {where} "
            f"({box.mass:.0%} of all {unit}), against {box.base:.0%} overall; these {unit} "
            f"hold {box.coverage:.0%} of all cases of {outcome}.")
