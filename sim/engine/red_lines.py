"""An actor's `package` red lines in one trial chunk: vetoes and audience costs.

A red line is a mask over packages; per trial it either binds (the holder vetoes every
package in the mask) or not (accepting such a package costs the holder its audience
cost, if the line was public). Kept as a few (per-trial coefficient, package mask)
terms rather than dense trials x packages matrices: cheaper to build, to store, and to
read for the packages a proposer actually considers.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

__all__ = ["PackageLines"]


@dataclass
class PackageLines:
    """One actor's package red lines over a chunk of trials."""

    n_packages: int
    veto_terms: list[tuple[np.ndarray, np.ndarray]] = field(default_factory=list)
    cost_terms: list[tuple[np.ndarray, np.ndarray]] = field(default_factory=list)
    prior_pass: np.ndarray | None = None  # (P,) chance, before any veto, none binds
    may_veto: np.ndarray | None = None  # (P,) packages some red line could veto

    def __post_init__(self):
        self.prior_pass = np.ones(self.n_packages)
        self.may_veto = np.zeros(self.n_packages, dtype=bool)

    def add(self, binding: np.ndarray, mask: np.ndarray, audience_cost: np.ndarray | None,
            credibility: float):
        """A red line: ``binding`` (N,) per trial, ``mask`` (P,) over packages, the
        audience cost (N,) paid when a non-binding public line gives way (or None), and
        its mean credibility (what an outsider expects)."""
        self.veto_terms.append((binding, mask))
        if audience_cost is not None:
            self.cost_terms.append((np.where(binding, 0.0, audience_cost), mask.astype(float)))
        self.prior_pass *= np.where(mask, 1 - credibility, 1.0)
        self.may_veto |= mask

    @property
    def has_cost(self) -> bool:
        return bool(self.cost_terms)

    @property
    def has_veto(self) -> bool:
        return bool(self.veto_terms)

    def cost(self, rows: np.ndarray, packages: np.ndarray) -> np.ndarray | float:
        """Audience cost (n, len(packages)) of accepting each package, or 0.0."""
        out = 0.0
        for coef, mask in self.cost_terms:
            out = out + coef[rows][:, None] * mask[packages][None, :]
        return out

    def cost_factors(self, rows: np.ndarray, packages: np.ndarray):
        """The audience-cost terms as arrays: coefficients (L, n) and masks (L, C)."""
        if not self.cost_terms:
            return np.zeros((0, len(rows))), np.zeros((0, len(packages)))
        coef = np.stack([c[rows] for c, _ in self.cost_terms])
        mask = np.stack([m[packages] for _, m in self.cost_terms])
        return coef, mask

    def cost_at(self, rows: np.ndarray, packages: np.ndarray) -> np.ndarray:
        """Audience cost (n,) of row i accepting package ``packages[i]``."""
        out = np.zeros(len(rows))
        for coef, mask in self.cost_terms:
            out += coef[rows] * mask[packages]
        return out

    def veto(self, rows: np.ndarray, packages: np.ndarray) -> np.ndarray:
        """Whether a binding red line forbids each package (n, len(packages))."""
        out = np.zeros((len(rows), len(packages)), dtype=bool)
        for binding, mask in self.veto_terms:
            out |= binding[rows][:, None] & mask[packages][None, :]
        return out

    def veto_at(self, rows: np.ndarray, packages: np.ndarray) -> np.ndarray:
        """Whether row i's binding red lines forbid package ``packages[i]`` (n,)."""
        out = np.zeros(len(rows), dtype=bool)
        for binding, mask in self.veto_terms:
            out |= binding[rows] & mask[packages]
        return out
