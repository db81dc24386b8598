"""What the engine runs on: a scenario compiled to arrays, grouped by part.

A :class:`CompiledScenario` holds the package space, the actors, the ladder and its
incidents, the stocks, the red lines, the terminal events, the protocol and the
outcome tests. It is frozen and picklable, so worker processes receive it as it is.
Uncertain numbers stay distribution objects (see :mod:`sim.scenario.distributions`):
each chunk draws them (:mod:`sim.engine.draws`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, NamedTuple

import numpy as np

from sim.engine.codes import MEDIATOR

__all__ = [
    "FAN_BINS",
    "PRIVATE_TYPES",
    "PUBLIC_TYPES",
    "TYPES",
    "ActorSpecs",
    "CompiledScenario",
    "Effect",
    "IncidentSpec",
    "LadderSpec",
    "MoveSpec",
    "OutcomeSpec",
    "PackageSpace",
    "ProtocolSpec",
    "RedLineSpec",
    "StockSpecs",
    "TerminalSpecs",
]

#: Private types: drawn per trial, known to their holder, uncertain to the others.
PRIVATE_TYPES = ("war_cost", "resolve")
#: Public types: drawn per trial and seen by everyone.
PUBLIC_TYPES = ("capability", "audience_cost", "discount")
#: Every type, in the order a chunk draws them.
TYPES = PRIVATE_TYPES + PUBLIC_TYPES
#: Bins of each stock's per-round histogram (the fan chart's resolution).
FAN_BINS = 100


class Effect(NamedTuple):
    """What a move does to one stock: its level becomes ``level * multiply + add`` (then
    clipped), its growth per round ``growth * growth_multiply + growth_add``."""

    stock: int
    add: float
    multiply: float
    growth_add: float = 0.0
    growth_multiply: float = 1.0


@dataclass(frozen=True)
class MoveSpec:
    """A ladder move: the rung it reaches, its cost to the mover, its effects."""

    name: str
    rung: int
    cost: Any  # a distribution
    effects: tuple[Effect, ...]
    joint_with: tuple[int, ...] = ()  # allies who must agree (a coalition move)


@dataclass(frozen=True)
class PackageSpace:
    """The candidate packages: one level per issue, as a grid of level indices."""

    issue_ids: tuple[str, ...]
    level_labels: tuple[tuple[str, ...], ...]
    grid: np.ndarray  # (P, K) level index of package p on issue k
    status_quo: int  # the package that stands without a deal
    mediator_candidates: np.ndarray  # packages a mediator considers
    level_names: tuple[tuple[str, ...] | None, ...] = ()  # readable names, if given

    def __len__(self) -> int:
        return self.grid.shape[0]

    def labels(self, p: int) -> dict[str, str]:
        """The level label on each issue of package ``p``."""
        return {iid: self.level_labels[k][self.grid[p, k]] for k, iid in enumerate(self.issue_ids)}

    def describe(self, p: int) -> str:
        """``"enrichment zero, missiles range_cap, ..."``, or the levels' readable names
        where the scenario gives them (``"zero enrichment, missile range cap, ..."``)."""
        parts = []
        for k, iid in enumerate(self.issue_ids):
            level = self.grid[p, k]
            names = self.level_names[k] if k < len(self.level_names) else None
            parts.append(names[level] if names else f"{iid} {self.level_labels[k][level]}")
        return ", ".join(parts)


@dataclass(frozen=True)
class ActorSpecs:
    """The actors: preferences as utilities over packages, sides, choice precision,
    lobbying weights, type distributions, priors about each other and ladder moves."""

    ids: tuple[str, ...]
    names: tuple[str, ...]
    utility: np.ndarray  # (A, P)
    side: np.ndarray  # (A,) 0 or 1; -1 stays out of wars
    side_package: np.ndarray  # (2,) the package each side imposes if it wins a war
    rationality: np.ndarray  # (A,) logit precision; inf = best response
    influence: np.ndarray  # (A, A) weight of an ally's utility in an actor's objective
    types: dict[str, tuple[Any, ...]]  # type name -> one distribution per actor
    beliefs: dict[tuple[int, int], dict[str, Any]]  # (observer, target) -> prior per type
    moves: tuple[tuple[MoveSpec, ...], ...]  # per actor

    def __len__(self) -> int:
        return len(self.ids)

    def prior_mean(self, type_name: str) -> np.ndarray:
        """What an outside observer expects each actor's type to be: (A,)."""
        return np.array([d.mean() for d in self.types[type_name]])


@dataclass(frozen=True)
class LadderSpec:
    """Ordered rungs with the risk that a rejected round at each slides into war."""

    rung_names: tuple[str, ...]
    breakdown: np.ndarray  # (R,) the risk the actors reason with (the mean if drawn)
    breakdown_drawn: tuple[Any, ...]  # (R,) distributions of the risk, drawn per trial
    start: int
    war_rung: int
    strike_rung: int
    holding: np.ndarray  # (R,) a standoff's cost per round both parties hold out

    def __len__(self) -> int:
        return len(self.rung_names)


@dataclass(frozen=True)
class IncidentSpec:
    """Random incidents that push the rung up, never above ``max_rung``."""

    rate: float
    escalation: int
    max_rung: int


@dataclass(frozen=True)
class StockSpecs:
    """State variables that move between rounds (missiles, nuclear progress)."""

    ids: tuple[str, ...]
    owner: np.ndarray  # (S,) actor index or -1
    initial: tuple[Any, ...]  # distributions
    growth: tuple[Any, ...]  # distributions, per round
    low: np.ndarray  # (S,)
    high: np.ndarray  # (S,)
    capability_per_unit: np.ndarray  # (S,) capability the owner gains per unit

    def __len__(self) -> int:
        return len(self.ids)

    def fan_edges(self, horizon: int, bins: int = FAN_BINS) -> np.ndarray:
        """Bin edges (S, bins + 1) for each stock's per-round histogram (the fan chart):
        from the stock's floor (or 0, if lower) to the highest level growth can reach by
        the horizon, within its ceiling. Levels outside fall in the end bins."""
        edges = []
        for s in range(len(self)):
            low_init, high_init = (float(x) for x in self.initial[s].support())
            g_low, g_high = (float(x) for x in self.growth[s].support())
            if not np.isfinite(low_init):
                low_init = float(self.initial[s].ppf(np.array(0.001)))
            if not np.isfinite(high_init):
                high_init = float(self.initial[s].ppf(np.array(0.999)))
            lo = max(float(self.low[s]), min(0.0, low_init + min(g_low, 0.0) * horizon))
            hi = min(float(self.high[s]), high_init + max(g_high, 0.0) * horizon)
            edges.append(np.linspace(lo, hi if hi > lo else lo + 1.0, bins + 1))
        return np.array(edges).reshape(len(self), bins + 1)


@dataclass(frozen=True)
class RedLineSpec:
    """A red line: its holder, kind, whether public, credibility and trigger."""

    id: str
    holder: int
    kind: str  # "package", "deal", "stock", "deadline" or "struck"
    public: bool
    credibility: Any  # a distribution
    mask: np.ndarray | None  # (P,) packages meeting the condition
    stock: int  # stock lines: the stock watched, else -1
    at_least: float  # stock lines: the threshold, else inf
    response: int  # the rung the holder moves to, or -1
    description: str
    by_round: int = 0  # deadline lines: the last round for a deal
    by: tuple[int, ...] = ()  # struck lines: the actors whose moves trigger it
    rung_at_least: int = -1  # struck lines: the rung a triggering move reaches
    repeat: bool = False  # re-arms after firing


@dataclass(frozen=True)
class TerminalSpecs:
    """Events that end a trial when a stock reaches a threshold (e.g. breakout)."""

    ids: tuple[str, ...]
    stock: np.ndarray  # (E,)
    at_least: np.ndarray  # (E,)


@dataclass(frozen=True)
class ProtocolSpec:
    """Who proposes, who must accept, for how long, and what agreements mean."""

    parties: np.ndarray  # actor indices who must accept
    proposer: str  # "mediator", "rotate" or an actor id
    proposer_index: int  # for a fixed proposer; MEDIATOR otherwise
    rotation: np.ndarray  # actor indices in proposing order
    mediator_name: str
    mediator_rationality: float  # inf = best response
    horizon: int
    planning_horizon: int  # rounds of backward induction (>= horizon)
    on_horizon: str  # "stalemate" or "war"
    renegotiated: bool  # agreements hold one round; payoffs are flows
    standoff: bool = False  # no proposals: each round the parties hold or back down
    compellence: bool = False  # one threat, complied with or defied, carried out or not

    def proposer_at(self, t: int) -> int:
        """Actor index proposing in round ``t`` (1-based), or ``MEDIATOR``."""
        if self.proposer == "mediator":
            return MEDIATOR
        if self.proposer == "rotate":
            return int(self.rotation[(t - 1) % len(self.rotation)])
        return self.proposer_index

    def proposers(self) -> set[int]:
        """Actor indices that ever propose (empty with a mediator, in a standoff or a
        compellence game)."""
        if self.proposer == "mediator" or self.standoff or self.compellence:
            return set()
        if self.proposer == "rotate":
            return {int(i) for i in self.rotation}
        return {self.proposer_index}


@dataclass(frozen=True)
class OutcomeSpec:
    """An outcome category's test; the first category whose test holds is a trial's."""

    id: str
    label: str
    ended_by: int | None  # code of an ending (see CompiledScenario.endings)
    mask: np.ndarray | None  # (P,) deal packages that qualify
    peak_rung_at_least: int | None
    force_used: bool | None = None  # the strike rung reached (or not)
    war_causes: tuple[int, ...] | None = None  # codes.WarCause values that qualify


@dataclass(frozen=True)
class CompiledScenario:
    """A scenario as arrays and distributions, grouped by part; picklable."""

    name: str
    title: str
    packages: PackageSpace
    actors: ActorSpecs
    ladder: LadderSpec
    incidents: IncidentSpec
    stocks: StockSpecs
    red_lines: tuple[RedLineSpec, ...]
    terminal: TerminalSpecs
    protocol: ProtocolSpec
    endings: tuple[str, ...]  # names by ending code: deal, war, horizon, terminal events
    outcomes: tuple[OutcomeSpec, ...]

    @property
    def n_actors(self) -> int:
        """Number of actors."""
        return len(self.actors)

    @property
    def n_packages(self) -> int:
        """Number of candidate packages."""
        return len(self.packages)

    @property
    def n_rungs(self) -> int:
        """Number of rungs on the ladder."""
        return len(self.ladder)

    @property
    def outcome_ids(self) -> tuple[str, ...]:
        """The outcome categories' ids, in test order."""
        return tuple(o.id for o in self.outcomes)

    def actor_name(self, i: int) -> str:
        """An actor's name, or the mediator's for ``MEDIATOR``."""
        return self.protocol.mediator_name if i == MEDIATOR else self.actors.names[i]
