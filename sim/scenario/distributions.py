"""Distributions for uncertain scenario numbers, drawn once per trial.

Every uncertain number in a scenario file is either a plain number (fixed) or one of
the distributions below, written as a mapping with a ``dist`` key::

    war_cost: {dist: uniform, low: 0.0, high: 0.3}
    credibility: {dist: beta, a: 6, b: 3}

Each distribution can draw an array for a chunk of trials from a numpy
``Generator``, give its mean (what an outside observer expects), its support, its
quantile function (``ppf``), its cumulative distribution function (``cdf``) and its
shape apart from its location (``located``).
"""

from __future__ import annotations

import math
from typing import Annotated, Literal, Union, override

import numpy as np
from pydantic import BaseModel, ConfigDict, Field, model_validator

__all__ = [
    "Beta",
    "Distribution",
    "Fixed",
    "Number",
    "Triangular",
    "TruncatedNormal",
    "Uniform",
    "as_distribution",
]


class _Dist(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    source: str | None = Field(
        default=None, description="The article sentence this number encodes."
    )
    assumption: str | None = Field(
        default=None, description="Why this value was chosen when no article states it."
    )

    def draw(self, rng: np.random.Generator, n: int) -> np.ndarray:  # pragma: no cover
        """``n`` independent values from ``rng``."""
        raise NotImplementedError

    def mean(self) -> float:  # pragma: no cover
        """The expected value (what an outside observer expects)."""
        raise NotImplementedError

    def support(self) -> tuple[float, float]:  # pragma: no cover
        """The smallest and largest possible values."""
        raise NotImplementedError

    def ppf(self, q: np.ndarray) -> np.ndarray:  # pragma: no cover
        """The quantile function (inverse of :meth:`cdf`)."""
        raise NotImplementedError

    def cdf(self, x: np.ndarray) -> np.ndarray:  # pragma: no cover
        """P(value <= x)."""
        raise NotImplementedError

    def located(self) -> tuple[_Dist, float]:  # pragma: no cover
        """``(shape, loc)``: the value is ``loc`` plus a draw of ``shape``, a distribution
        of the same family placed at 0 (its lower end, or a normal's mean) with its
        other parameters to 12 significant digits and without its notes.

        Two distributions that differ only by where they sit share one shape, so work
        that depends on the shape alone (a prior's quantile table) is done once.
        """
        raise NotImplementedError


def _sig(x: float) -> float:
    """``x`` to 12 significant digits: a shape computed as a difference of two moved
    bounds keeps its identity (0.7000000000000001 to 1.1 is 0.4 wide)."""
    return float(f"{x:.12g}")


class Fixed(_Dist):
    """A number known for certain."""

    dist: Literal["fixed"] = "fixed"
    value: float

    @override
    def draw(self, rng: np.random.Generator, n: int) -> np.ndarray:
        return np.full(n, self.value)

    @override
    def mean(self) -> float:
        return self.value

    @override
    def support(self) -> tuple[float, float]:
        return (self.value, self.value)

    @override
    def ppf(self, q: np.ndarray) -> np.ndarray:
        return np.full(np.shape(q), self.value)

    @override
    def cdf(self, x: np.ndarray) -> np.ndarray:
        return (np.asarray(x) >= self.value).astype(float)

    @override
    def located(self) -> tuple[Fixed, float]:
        return Fixed(value=0.0), self.value


class Uniform(_Dist):
    """Uniform on [low, high]."""

    dist: Literal["uniform"]
    low: float
    high: float

    @model_validator(mode="after")
    def _ordered(self) -> Uniform:
        if not self.high >= self.low:
            raise ValueError(f"high ({self.high}) must be >= low ({self.low})")
        return self

    @override
    def draw(self, rng: np.random.Generator, n: int) -> np.ndarray:
        return rng.uniform(self.low, self.high, n)

    @override
    def mean(self) -> float:
        return 0.5 * (self.low + self.high)

    @override
    def support(self) -> tuple[float, float]:
        return (self.low, self.high)

    @override
    def ppf(self, q: np.ndarray) -> np.ndarray:
        return self.low + (self.high - self.low) * np.asarray(q)

    @override
    def cdf(self, x: np.ndarray) -> np.ndarray:
        x = np.asarray(x, dtype=float)
        if self.high == self.low:
            return (x >= self.low).astype(float)
        return np.clip((x - self.low) / (self.high - self.low), 0.0, 1.0)

    @override
    def located(self) -> tuple[Uniform, float]:
        return Uniform(dist="uniform", low=0.0, high=_sig(self.high - self.low)), self.low


class Beta(_Dist):
    """Beta(a, b) rescaled to [low, high] (default [0, 1]); natural for probabilities."""

    dist: Literal["beta"]
    a: float = Field(gt=0)
    b: float = Field(gt=0)
    low: float = 0.0
    high: float = 1.0

    @model_validator(mode="after")
    def _ordered(self) -> Beta:
        if not self.high > self.low:
            raise ValueError(f"high ({self.high}) must be > low ({self.low})")
        return self

    @override
    def draw(self, rng: np.random.Generator, n: int) -> np.ndarray:
        return self.low + (self.high - self.low) * rng.beta(self.a, self.b, n)

    @override
    def mean(self) -> float:
        return self.low + (self.high - self.low) * self.a / (self.a + self.b)

    @override
    def support(self) -> tuple[float, float]:
        return (self.low, self.high)

    @override
    def ppf(self, q: np.ndarray) -> np.ndarray:
        from scipy import stats  # imported when needed: it takes most of a second

        return self.low + (self.high - self.low) * stats.beta.ppf(q, self.a, self.b)

    @override
    def cdf(self, x: np.ndarray) -> np.ndarray:
        from scipy import stats

        return stats.beta.cdf((np.asarray(x) - self.low) / (self.high - self.low), self.a, self.b)

    @override
    def located(self) -> tuple[Beta, float]:
        return Beta(dist="beta", a=self.a, b=self.b, low=0.0,
                    high=_sig(self.high - self.low)), self.low


class Triangular(_Dist):
    """Triangular on [low, high] with the given mode."""

    dist: Literal["triangular"]
    low: float
    mode: float
    high: float

    @model_validator(mode="after")
    def _ordered(self) -> Triangular:
        if not (self.low <= self.mode <= self.high and self.low < self.high):
            raise ValueError(
                f"need low <= mode <= high and low < high, got "
                f"low={self.low}, mode={self.mode}, high={self.high}"
            )
        return self

    @override
    def draw(self, rng: np.random.Generator, n: int) -> np.ndarray:
        return rng.triangular(self.low, self.mode, self.high, n)

    @override
    def mean(self) -> float:
        return (self.low + self.mode + self.high) / 3.0

    @override
    def support(self) -> tuple[float, float]:
        return (self.low, self.high)

    @override
    def ppf(self, q: np.ndarray) -> np.ndarray:
        c = (self.mode - self.low) / (self.high - self.low)
        from scipy import stats

        return stats.triang.ppf(q, c, loc=self.low, scale=self.high - self.low)

    @override
    def cdf(self, x: np.ndarray) -> np.ndarray:
        c = (self.mode - self.low) / (self.high - self.low)
        from scipy import stats

        return stats.triang.cdf(x, c, loc=self.low, scale=self.high - self.low)

    @override
    def located(self) -> tuple[Triangular, float]:
        return Triangular(dist="triangular", low=0.0, mode=_sig(self.mode - self.low),
                          high=_sig(self.high - self.low)), self.low


class TruncatedNormal(_Dist):
    """Normal(mean, sd) truncated to [low, high]."""

    dist: Literal["truncated_normal"]
    mu: float = Field(description="Mean of the untruncated normal.")
    sd: float = Field(gt=0)
    low: float = -math.inf
    high: float = math.inf

    @model_validator(mode="after")
    def _ordered(self) -> TruncatedNormal:
        if not self.high > self.low:
            raise ValueError(f"high ({self.high}) must be > low ({self.low})")
        return self

    def _frozen(self):
        a, b = (self.low - self.mu) / self.sd, (self.high - self.mu) / self.sd
        from scipy import stats

        return stats.truncnorm(a, b, loc=self.mu, scale=self.sd)

    @override
    def draw(self, rng: np.random.Generator, n: int) -> np.ndarray:
        # Inverse-CDF sampling keeps the stream to one uniform per trial.
        return self.ppf(rng.uniform(0.0, 1.0, n))

    @override
    def mean(self) -> float:
        return float(self._frozen().mean())

    @override
    def support(self) -> tuple[float, float]:
        return (self.low, self.high)

    @override
    def ppf(self, q: np.ndarray) -> np.ndarray:
        return self._frozen().ppf(q)

    @override
    def cdf(self, x: np.ndarray) -> np.ndarray:
        return self._frozen().cdf(x)

    @override
    def located(self) -> tuple[TruncatedNormal, float]:
        return TruncatedNormal(dist="truncated_normal", mu=0.0, sd=self.sd,
                               low=_sig(self.low - self.mu),
                               high=_sig(self.high - self.mu)), self.mu


Distribution = Annotated[
    Union[Uniform, Beta, Triangular, TruncatedNormal, Fixed],
    Field(discriminator="dist"),
]

#: An uncertain number: a plain float (fixed) or a distribution mapping.
Number = Union[float, Distribution]


def as_distribution(x: float | _Dist) -> _Dist:
    """Wrap a plain number as :class:`Fixed`; return distributions unchanged."""
    if isinstance(x, _Dist):
        return x
    return Fixed(value=float(x))
