"""Monte Carlo uncertainty: Wilson score intervals and standard errors of shares.

References
----------
Wilson, E. B. (1927). Probable inference, the law of succession, and statistical
inference. *JASA* 22(158), 209-212.
Brown, L. D., Cai, T. T., and DasGupta, A. (2001). Interval estimation for a binomial
proportion. *Statistical Science* 16(2), 101-133.
"""

from __future__ import annotations

import numpy as np

__all__ = ["Z95", "mcse", "trials_for_half_width", "wilson_interval"]

Z95 = 1.959963984540054


def wilson_interval(k, n, z: float = Z95):
    """Wilson score interval for k successes in n trials (arrays broadcast)."""
    k = np.asarray(k, dtype=float)
    n = np.asarray(n, dtype=float)
    p = np.where(n > 0, k / np.maximum(n, 1), 0.0)
    denom = 1 + z**2 / n
    centre = (p + z**2 / (2 * n)) / denom
    half = z * np.sqrt(p * (1 - p) / n + z**2 / (4 * n**2)) / denom
    lo = np.where(k <= 0, 0.0, np.clip(centre - half, 0, 1))
    hi = np.where(k >= n, 1.0, np.clip(centre + half, 0, 1))
    return np.minimum(lo, p), np.maximum(hi, p)


def mcse(k, n):
    """Monte Carlo standard error of the share k / n."""
    p = np.asarray(k, dtype=float) / n
    return np.sqrt(p * (1 - p) / n)


def trials_for_half_width(half_width: float, p: float = 0.5, z: float = Z95) -> int:
    """Trials needed for a normal-approximation 95% half-width at share p."""
    return int(np.ceil(z**2 * p * (1 - p) / half_width**2))
