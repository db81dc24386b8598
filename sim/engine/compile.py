"""Compile a validated :class:`~sim.scenario.Scenario` into arrays the engine runs on.

Nothing downstream re-reads the scenario's YAML: the engine sees packages as a matrix
of level positions, utilities as an (actors x packages) matrix, red lines as package
masks, and every uncertain number as a distribution object to draw from.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

import numpy as np

from sim.scenario.distributions import as_distribution
from sim.scenario.errors import ScenarioError
from sim.scenario.references import check_references
from sim.scenario.format import DealCondition, Issue, Scenario

__all__ = ["CompiledScenario", "compile_scenario", "package_mask"]

#: Private types: drawn per trial, known to their holder, uncertain to the others.
PRIVATE_TYPES = ("war_cost", "resolve")
#: Public types: drawn per trial and seen by everyone.
PUBLIC_TYPES = ("capability", "audience_cost", "discount")

ENDINGS = ("deal", "war", "horizon")


@dataclass(frozen=True)
class MoveSpec:
    """A compiled ladder move: rung, cost distribution, (stock, add, multiply) effects."""

    name: str
    rung: int
    cost: object
    effects: tuple[tuple[int, float, float], ...]


@dataclass(frozen=True)
class RedLineSpec:
    id: str
    holder: int
    kind: str
    public: bool
    credibility: object
    mask: np.ndarray | None  # (P,) packages meeting the condition
    stock: int
    at_least: float
    response: int
    description: str


@dataclass(frozen=True)
class OutcomeSpec:
    id: str
    label: str
    ended_by: int | None  # index into CompiledScenario.endings
    mask: np.ndarray | None  # (P,) deal packages that qualify
    peak_rung_at_least: int | None


@dataclass(frozen=True)
class CompiledScenario:
    """Arrays and distributions for the engine; picklable, so workers can receive it."""

    name: str
    title: str
    actor_ids: tuple[str, ...]
    actor_names: tuple[str, ...]
    issue_ids: tuple[str, ...]
    level_labels: tuple[tuple[str, ...], ...]
    packages: np.ndarray  # (P, K) level index per issue
    utility: np.ndarray  # (A, P)
    status_quo: int  # package index
    side: np.ndarray  # (A,) 0 or 1, -1 for no side
    side_package: np.ndarray  # (2,) package each side imposes if it wins a war
    parties: np.ndarray  # (n_parties,) actor indices
    proposer: str  # "mediator", "rotate" or an actor id
    rotation: np.ndarray  # actor indices in proposing order
    mediator_name: str
    mediator_packages: np.ndarray  # packages a mediator considers (Pareto for the parties)
    mediator_rationality: float
    rationality: np.ndarray  # (A,), inf = best response
    influence: np.ndarray  # (A, A) weight of ally's utility in proposer's objective
    types: dict[str, tuple[object, ...]]  # type name -> per-actor distribution
    beliefs: dict[tuple[int, int], dict[str, object]]  # (observer, target) -> prior
    rung_names: tuple[str, ...]
    breakdown: np.ndarray  # (n_rungs,)
    start_rung: int
    war_rung: int
    strike_rung: int
    moves: tuple[tuple[MoveSpec, ...], ...]  # per actor
    stock_ids: tuple[str, ...]
    stock_owner: np.ndarray  # (S,) actor index or -1
    stock_initial: tuple[object, ...]
    stock_growth: tuple[object, ...]
    stock_min: np.ndarray
    stock_max: np.ndarray
    stock_capability: np.ndarray  # (S,) capability per unit for the owner
    red_lines: tuple[RedLineSpec, ...]
    incident_rate: float
    incident_escalation: int
    incident_max_rung: int
    terminal_ids: tuple[str, ...]
    terminal_stock: np.ndarray
    terminal_at_least: np.ndarray
    endings: tuple[str, ...]
    outcomes: tuple[OutcomeSpec, ...]
    horizon: int
    planning_horizon: int  # rounds of backward induction (>= horizon)
    on_horizon: str  # "stalemate" or "war"
    renegotiated: bool  # agreements hold one round; payoffs are flows

    @property
    def n_actors(self) -> int:
        return len(self.actor_ids)

    @property
    def n_packages(self) -> int:
        return self.packages.shape[0]

    @property
    def n_rungs(self) -> int:
        return len(self.rung_names)

    @property
    def outcome_ids(self) -> tuple[str, ...]:
        return tuple(o.id for o in self.outcomes)

    def package_labels(self, p: int) -> dict[str, str]:
        """The level label on each issue of package ``p``."""
        return {
            iid: self.level_labels[k][self.packages[p, k]] for k, iid in enumerate(self.issue_ids)
        }

    def describe_package(self, p: int) -> str:
        return ", ".join(f"{k} {v}" for k, v in self.package_labels(p).items())


def _level_index(issue: Issue, value: str | float) -> int:
    labels = issue.labels()
    if issue.continuous is not None and isinstance(value, (int, float)):
        vals = np.array(issue.continuous.values())
        return int(np.argmin(np.abs(vals - float(value))))
    return labels.index(str(value))


def package_mask(cond: DealCondition | None, issues: dict[str, Issue], grid: np.ndarray):
    """Boolean mask over the package grid: packages meeting every level test."""
    mask = np.ones(grid.shape[0], dtype=bool)
    for k, (iid, issue) in enumerate(issues.items()):
        test = (cond or {}).get(iid)
        if test is None:
            continue
        col = grid[:, k]
        if test.at_least is not None:
            mask &= col >= _level_index(issue, test.at_least)
        if test.at_most is not None:
            mask &= col <= _level_index(issue, test.at_most)
        if test.among is not None:
            mask &= np.isin(col, [_level_index(issue, v) for v in test.among])
    return mask


def _pareto_keep(util: np.ndarray, crossed: np.ndarray, always: list[int]) -> np.ndarray:
    """Packages not dominated: no other package is at least as good for every actor,
    strictly better for one, and crosses no red line this one does not."""
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


def compile_scenario(s: Scenario) -> CompiledScenario:
    """Check cross-references and build the arrays; raises :class:`ScenarioError`."""
    problems = check_references(s)
    if problems:
        raise ScenarioError(problems)

    actor_ids = tuple(s.actors)
    A = len(actor_ids)
    aidx = {a: i for i, a in enumerate(actor_ids)}
    issues = s.issues
    labels = tuple(tuple(iss.labels()) for iss in issues.values())
    positions = [np.array(iss.level_positions()) for iss in issues.values()]
    grid = np.array(list(itertools.product(*[range(len(lv)) for lv in labels])), dtype=np.int16)
    pos = np.stack([positions[k][grid[:, k]] for k in range(len(labels))], axis=1)

    # Utilities: salience-weighted closeness to the ideal on each issue.
    util = np.zeros((A, grid.shape[0]))
    for i, a in enumerate(s.actors.values()):
        total = sum(p.salience for p in a.preferences.values())
        for k, (iid, issue) in enumerate(issues.items()):
            pref = a.preferences.get(iid)
            if pref is None or total == 0:
                continue
            ideal = positions[k][_level_index(issue, pref.ideal)]
            util[i] += pref.salience / total * (1.0 - np.abs(pos[:, k] - ideal))

    sq = int(
        np.flatnonzero(
            np.all(
                grid
                == [
                    _level_index(iss, s.protocol.status_quo[iid]) for iid, iss in issues.items()
                ],
                axis=1,
            )
        )[0]
    )

    side_names = sorted({a.side for a in s.actors.values() if a.side is not None})
    side = np.array(
        [side_names.index(a.side) if a.side is not None else -1 for a in s.actors.values()]
    )
    side_package = np.array(
        [int(np.argmax(util[side == k].sum(axis=0))) for k in range(2)], dtype=np.int64
    )

    # Red lines over the full grid, then prune dominated packages.
    rl_masks = {
        rid: package_mask(rl.condition, issues, grid) if rl.condition is not None else None
        for rid, rl in s.red_lines.items()
    }
    crossed = np.array(
        [m for m in rl_masks.values() if m is not None] or [np.zeros(grid.shape[0], bool)]
    )
    keep = _pareto_keep(util, crossed, [sq, *side_package.tolist()])
    index = np.cumsum(keep) - 1
    grid, util = grid[keep], util[:, keep]
    sq, side_package = int(index[sq]), index[side_package]

    # A mediator serves the parties: it never offers a package both like less than
    # another that crosses no more red lines.
    parties = [aidx[x] for x in s.protocol.parties]
    crossed_kept = np.array(
        [m[keep] for m in rl_masks.values() if m is not None] or [np.zeros(len(grid), bool)]
    )
    mediator_packages = np.flatnonzero(_pareto_keep(util[parties], crossed_kept, []))

    stock_ids = tuple(s.stocks)
    sidx = {k: i for i, k in enumerate(stock_ids)}
    rung_names = tuple(r.name for r in s.ladder.rungs)

    moves = tuple(
        tuple(
            MoveSpec(
                name=m.name or rung_names[m.rung],
                rung=m.rung,
                cost=as_distribution(m.cost),
                effects=tuple((sidx[e.stock], e.add, e.multiply) for e in m.effects),
            )
            for m in a.moves
        )
        for a in s.actors.values()
    )

    red_lines = tuple(
        RedLineSpec(
            id=rid,
            holder=aidx[rl.holder],
            kind=rl.kind,
            public=rl.public,
            credibility=as_distribution(rl.credibility),
            mask=None if rl_masks[rid] is None else rl_masks[rid][keep],
            stock=sidx.get(rl.stock, -1),
            at_least=rl.at_least if rl.at_least is not None else np.inf,
            response=rl.response if rl.response is not None else -1,
            description=rl.description,
        )
        for rid, rl in s.red_lines.items()
    )

    types = {
        t: tuple(as_distribution(getattr(a, t)) for a in s.actors.values())
        for t in PRIVATE_TYPES + PUBLIC_TYPES
    }
    beliefs: dict[tuple[int, int], dict[str, object]] = {}
    mediator = A  # the mediator observes as an extra index
    for j in range(A):
        for i in [*range(A), mediator]:
            if i == j:
                continue
            prior = {t: types[t][j] for t in PRIVATE_TYPES}
            if i < A:
                b = s.actors[actor_ids[i]].beliefs.get(actor_ids[j])
                if b is not None:
                    for t in PRIVATE_TYPES:
                        if getattr(b, t) is not None:
                            prior[t] = as_distribution(getattr(b, t))
            beliefs[(i, j)] = prior

    influence = np.zeros((A, A))
    for i, a in enumerate(s.actors.values()):
        for other, w in a.influence.items():
            influence[i, aidx[other]] = w

    endings = ENDINGS + tuple(s.terminal)
    outcomes = tuple(
        OutcomeSpec(
            id=oid,
            label=o.label,
            ended_by=None if o.when.ended_by is None else endings.index(o.when.ended_by),
            mask=None
            if o.when.package is None
            else package_mask(o.when.package, issues, grid),
            peak_rung_at_least=o.when.peak_rung_at_least,
        )
        for oid, o in s.outcomes.items()
    )

    p = s.protocol
    rotation = [aidx[x] for x in (p.rotation or p.parties)]
    lam = np.array(
        [np.inf if a.rationality is None else a.rationality for a in s.actors.values()]
    )
    inc = s.incidents
    n_rungs = len(rung_names)
    return CompiledScenario(
        name=s.name,
        title=s.title,
        actor_ids=actor_ids,
        actor_names=tuple(a.name for a in s.actors.values()),
        issue_ids=tuple(issues),
        level_labels=labels,
        packages=grid,
        utility=util,
        status_quo=sq,
        side=side,
        side_package=side_package,
        parties=np.array([aidx[x] for x in p.parties]),
        proposer=p.proposer,
        rotation=np.array(rotation),
        mediator_name=p.mediator or "the mediator",
        mediator_packages=mediator_packages,
        mediator_rationality=np.inf if p.mediator_rationality is None else p.mediator_rationality,
        rationality=lam,
        influence=influence,
        types=types,
        beliefs=beliefs,
        rung_names=rung_names,
        breakdown=np.array([r.breakdown_risk for r in s.ladder.rungs]),
        start_rung=s.ladder.start,
        war_rung=s.ladder.war_rung,
        strike_rung=s.ladder.strike_rung if s.ladder.strike_rung is not None else s.ladder.war_rung,
        moves=moves,
        stock_ids=stock_ids,
        stock_owner=np.array(
            [aidx[st.owner] if st.owner else -1 for st in s.stocks.values()], dtype=np.int64
        ),
        stock_initial=tuple(as_distribution(st.initial) for st in s.stocks.values()),
        stock_growth=tuple(as_distribution(st.growth) for st in s.stocks.values()),
        stock_min=np.array([st.min for st in s.stocks.values()]),
        stock_max=np.array([st.max for st in s.stocks.values()]),
        stock_capability=np.array([st.capability_per_unit for st in s.stocks.values()]),
        red_lines=red_lines,
        incident_rate=inc.rate,
        incident_escalation=inc.escalation,
        incident_max_rung=n_rungs - 1 if inc.max_rung is None else inc.max_rung,
        terminal_ids=tuple(s.terminal),
        terminal_stock=np.array([sidx[t.stock] for t in s.terminal.values()], dtype=np.int64),
        terminal_at_least=np.array([t.at_least for t in s.terminal.values()]),
        endings=endings,
        outcomes=outcomes,
        horizon=p.horizon,
        planning_horizon=p.planning_horizon or p.horizon,
        on_horizon=p.on_horizon,
        renegotiated=p.agreements == "renegotiated",
    )
