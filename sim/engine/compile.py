"""Compile a validated :class:`~sim.scenario.format.Scenario` into what the engine runs on.

Nothing downstream re-reads the scenario's YAML: the engine sees packages as a grid of
level indices, utilities as an (actors x packages) matrix, red lines as package masks
and every uncertain number as a distribution object to draw from. Compilation is a
sequence of named steps, one per part of :class:`~sim.engine.compiled.CompiledScenario`.
"""

from __future__ import annotations

import numpy as np

from sim.engine.codes import MEDIATOR, Ending, WarCause
from sim.engine.compiled import (
    PRIVATE_TYPES,
    TYPES,
    ActorSpecs,
    CompiledScenario,
    Effect,
    IncidentSpec,
    LadderSpec,
    MoveSpec,
    OutcomeSpec,
    PackageSpace,
    ProtocolSpec,
    RedLineSpec,
    StockSpecs,
    TerminalSpecs,
)
from sim.engine.packages import full_grid, level_index, package_mask, pareto_keep, utilities
from sim.scenario.distributions import as_distribution
from sim.scenario.errors import ScenarioError
from sim.scenario.format import Scenario
from sim.scenario.references import check_references

__all__ = ["CompiledScenario", "compile_scenario"]


def compile_scenario(s: Scenario) -> CompiledScenario:
    """Check cross-references and build the arrays; raises :class:`ScenarioError`."""
    problems = check_references(s)
    if problems:
        raise ScenarioError(problems)
    grid, pos = full_grid(s.issues)
    util = utilities(s, pos)
    status_quo = _status_quo(s, grid)
    side = _sides(s)
    side_package = _war_settlements(util, side)

    # Red lines over the full grid, then prune dominated packages.
    masks = {rid: None if rl.condition is None else package_mask(rl.condition, s.issues, grid)
             for rid, rl in s.red_lines.items()}
    keep = pareto_keep(util, _crossed(masks, grid.shape[0]),
                       [status_quo, *side_package.tolist()])
    index = np.cumsum(keep) - 1
    grid, util = grid[keep], util[:, keep]
    masks = {rid: None if m is None else m[keep] for rid, m in masks.items()}
    packages = PackageSpace(
        issue_ids=tuple(s.issues),
        level_labels=tuple(tuple(iss.labels()) for iss in s.issues.values()),
        level_names=tuple(None if iss.names is None else tuple(iss.names)
                          for iss in s.issues.values()),
        grid=grid,
        status_quo=int(index[status_quo]),
        mediator_candidates=_mediator_candidates(s, util, masks),
    )
    endings = tuple(e.name.lower() for e in Ending if e < Ending.TERMINAL) + tuple(s.terminal)
    return CompiledScenario(
        name=s.name,
        title=s.title,
        packages=packages,
        actors=_actors(s, util, side, index[side_package]),
        ladder=_ladder(s),
        incidents=_incidents(s),
        stocks=_stocks(s),
        red_lines=_red_lines(s, masks),
        terminal=_terminal(s),
        protocol=_protocol(s),
        endings=endings,
        outcomes=_outcomes(s, grid, endings),
    )


# --- steps ----------------------------------------------------------------------------


def _status_quo(s: Scenario, grid: np.ndarray) -> int:
    want = [level_index(iss, s.protocol.status_quo[iid]) for iid, iss in s.issues.items()]
    return int(np.flatnonzero(np.all(grid == want, axis=1))[0])


def _sides(s: Scenario) -> np.ndarray:
    """Side index per actor (sides in name order), -1 for actors outside wars."""
    names = sorted({a.side for a in s.actors.values() if a.side is not None})
    return np.array([names.index(a.side) if a.side is not None else -1
                     for a in s.actors.values()])


def _war_settlements(util: np.ndarray, side: np.ndarray) -> np.ndarray:
    """The package each side imposes if it wins: the best for its members together."""
    return np.array([int(np.argmax(util[side == k].sum(axis=0))) for k in range(2)],
                    dtype=np.int64)


def _crossed(masks: dict, n_packages: int) -> np.ndarray:
    """(L, P) which package red lines each package crosses (one empty row if none)."""
    rows = [m for m in masks.values() if m is not None]
    return np.array(rows or [np.zeros(n_packages, bool)])


def _mediator_candidates(s: Scenario, util: np.ndarray, masks: dict) -> np.ndarray:
    """A mediator serves the parties: it never offers a package both like less than
    another that crosses no more red lines."""
    parties = [list(s.actors).index(x) for x in s.protocol.parties]
    return np.flatnonzero(pareto_keep(util[parties], _crossed(masks, util.shape[1]), []))


def _actors(s: Scenario, util: np.ndarray, side: np.ndarray,
            side_package: np.ndarray) -> ActorSpecs:
    ids = tuple(s.actors)
    aidx = {a: i for i, a in enumerate(ids)}
    types = {t: tuple(as_distribution(getattr(a, t)) for a in s.actors.values()) for t in TYPES}
    influence = np.zeros((len(ids), len(ids)))
    for i, a in enumerate(s.actors.values()):
        for other, w in a.influence.items():
            influence[i, aidx[other]] = w
    return ActorSpecs(
        ids=ids,
        names=tuple(a.name for a in s.actors.values()),
        utility=util,
        side=side,
        side_package=side_package,
        rationality=np.array([np.inf if a.rationality is None else a.rationality
                              for a in s.actors.values()]),
        influence=influence,
        types=types,
        beliefs=_beliefs(s, types),
        moves=_moves(s),
    )


def _beliefs(s: Scenario, types: dict) -> dict[tuple[int, int], dict]:
    """Every observer's prior about every other actor's private types: the target's own
    distributions unless the observer's ``beliefs`` say otherwise. The mediator (index
    ``MEDIATOR``) holds the targets' own distributions."""
    ids = list(s.actors)
    beliefs = {}
    for j in range(len(ids)):
        for i in [*range(len(ids)), MEDIATOR]:
            if i == j:
                continue
            prior = {t: types[t][j] for t in PRIVATE_TYPES}
            if i != MEDIATOR:
                b = s.actors[ids[i]].beliefs.get(ids[j])
                for t in PRIVATE_TYPES:
                    if b is not None and getattr(b, t) is not None:
                        prior[t] = as_distribution(getattr(b, t))
            beliefs[(i, j)] = prior
    return beliefs


def _moves(s: Scenario) -> tuple[tuple[MoveSpec, ...], ...]:
    sidx = {k: i for i, k in enumerate(s.stocks)}
    ids = list(s.actors)
    return tuple(
        tuple(
            MoveSpec(
                name=m.name or s.ladder.rungs[m.rung].name,
                rung=m.rung,
                cost=as_distribution(m.cost),
                effects=tuple(Effect(sidx[e.stock], e.add, e.multiply, e.growth_add,
                                     e.growth_multiply) for e in m.effects),
                joint_with=tuple(ids.index(p) for p in m.joint_with),
            )
            for m in a.moves
        )
        for a in s.actors.values()
    )


def _ladder(s: Scenario) -> LadderSpec:
    lad = s.ladder
    return LadderSpec(
        rung_names=tuple(r.name for r in lad.rungs),
        breakdown=np.array([as_distribution(r.breakdown_risk).mean() for r in lad.rungs]),
        breakdown_drawn=tuple(as_distribution(r.breakdown_risk) for r in lad.rungs),
        start=lad.start,
        war_rung=lad.war_rung,
        strike_rung=lad.strike_rung if lad.strike_rung is not None else lad.war_rung,
        holding=np.array([r.holding_cost for r in lad.rungs]),
    )


def _incidents(s: Scenario) -> IncidentSpec:
    inc = s.incidents
    top = len(s.ladder.rungs) - 1 if inc.max_rung is None else inc.max_rung
    return IncidentSpec(rate=inc.rate, escalation=inc.escalation, max_rung=top)


def _stocks(s: Scenario) -> StockSpecs:
    aidx = {a: i for i, a in enumerate(s.actors)}
    st = s.stocks.values()
    return StockSpecs(
        ids=tuple(s.stocks),
        owner=np.array([aidx[x.owner] if x.owner else -1 for x in st], dtype=np.int64),
        initial=tuple(as_distribution(x.initial) for x in st),
        growth=tuple(as_distribution(x.growth) for x in st),
        low=np.array([x.min for x in st]),
        high=np.array([x.max for x in st]),
        capability_per_unit=np.array([x.capability_per_unit for x in st]),
    )


def _red_lines(s: Scenario, masks: dict) -> tuple[RedLineSpec, ...]:
    aidx = {a: i for i, a in enumerate(s.actors)}
    sidx = {k: i for i, k in enumerate(s.stocks)}

    def triggers(rl) -> tuple[int, ...]:
        """A struck line's triggering actors: those named, or everyone on another side."""
        if rl.by is not None:
            return tuple(aidx[a] for a in rl.by)
        side = s.actors[rl.holder].side
        return tuple(i for i, a in enumerate(s.actors.values())
                     if a.side is not None and a.side != side)

    return tuple(
        RedLineSpec(
            id=rid,
            holder=aidx[rl.holder],
            kind=rl.kind,
            public=rl.public,
            credibility=as_distribution(rl.credibility),
            mask=masks[rid],
            stock=sidx.get(rl.stock, -1),
            at_least=rl.at_least if rl.at_least is not None else np.inf,
            response=rl.response if rl.response is not None else -1,
            description=rl.description,
            by_round=rl.by_round or 0,
            by=triggers(rl) if rl.kind == "struck" else (),
            rung_at_least=rl.rung_at_least if rl.rung_at_least is not None else -1,
            repeat=rl.repeat,
        )
        for rid, rl in s.red_lines.items()
    )


def _terminal(s: Scenario) -> TerminalSpecs:
    sidx = {k: i for i, k in enumerate(s.stocks)}
    return TerminalSpecs(
        ids=tuple(s.terminal),
        stock=np.array([sidx[t.stock] for t in s.terminal.values()], dtype=np.int64),
        at_least=np.array([t.at_least for t in s.terminal.values()]),
    )


def _protocol(s: Scenario) -> ProtocolSpec:
    p = s.protocol
    ids = list(s.actors)
    fixed = p.proposer not in ("mediator", "rotate")
    return ProtocolSpec(
        parties=np.array([ids.index(x) for x in p.parties]),
        proposer=p.proposer,
        proposer_index=ids.index(p.proposer) if fixed else MEDIATOR,
        rotation=np.array([ids.index(x) for x in (p.rotation or p.parties)]),
        mediator_name=p.mediator or "the mediator",
        mediator_rationality=np.inf if p.mediator_rationality is None else p.mediator_rationality,
        horizon=p.horizon,
        planning_horizon=p.planning_horizon or p.horizon,
        on_horizon=p.on_horizon,
        renegotiated=p.agreements == "renegotiated",
        standoff=p.kind == "standoff",
        compellence=p.kind == "compellence",
    )


def _outcomes(s: Scenario, grid: np.ndarray, endings: tuple[str, ...]) -> tuple[OutcomeSpec, ...]:
    return tuple(
        OutcomeSpec(
            id=oid,
            label=o.label,
            ended_by=None if o.when.ended_by is None else endings.index(o.when.ended_by),
            mask=None if o.when.package is None else package_mask(o.when.package, s.issues, grid),
            peak_rung_at_least=o.when.peak_rung_at_least,
            force_used=o.when.force_used,
            war_causes=None if o.when.war_cause is None else tuple(
                WarCause[c.upper()].value for c in o.when.war_cause),
        )
        for oid, o in s.outcomes.items()
    )
