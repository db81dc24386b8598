"""Choice rules: best response and logit quantal response.

References
----------
McKelvey, R. D., and Palfrey, T. R. (1995). Quantal response equilibria for normal
form games. *Games and Economic Behavior* 10(1), 6-38.
Signorino, C. S. (1999). Strategic interaction and the statistical analysis of
international conflict. *American Political Science Review* 93(2), 279-297.
"""

from __future__ import annotations

import numpy as np
from scipy.special import expit

__all__ = ["accept_probability", "logit_choice"]


def accept_probability(rationality: float, margin: np.ndarray) -> np.ndarray:
    """Chance a logit responder with precision ``rationality`` accepts an offer worth
    ``margin`` more than its reservation value: ``1 / (1 + exp(-lambda margin))``."""
    return expit(rationality * margin)


def logit_choice(utility: np.ndarray, rationality: float, u: np.ndarray | None = None):
    """Index of the chosen column per row: argmax for lambda = inf, else logit.

    Logit chooses a with P(a) = exp(lambda U_a) / sum_b exp(lambda U_b) by inverting
    the cumulative choice probabilities with the row's uniform number ``u`` (needed
    only when lambda is finite); columns worth ``-inf`` are never chosen.
    """
    if np.isinf(rationality) or utility.shape[0] == 0:
        return np.argmax(utility, axis=1)
    top = np.max(utility, axis=1, keepdims=True)
    with np.errstate(invalid="ignore", under="ignore"):
        weight = np.exp(np.where(np.isfinite(utility), rationality * (utility - top), -np.inf))
    cum = np.cumsum(weight, axis=1)
    choice = (cum <= (u * cum[:, -1])[:, None]).sum(axis=1)
    return np.minimum(choice, utility.shape[1] - 1)
