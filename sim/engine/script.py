"""Scripted play: force some actors' proposals, responses or ladder moves by round.

Used for exact-trace tests (in the spirit of Axelrod's ``versus_test``), teaching
("what if the US had not escalated in round 2?") and, later, role-play where a
person plays one actor. A script applies to every trial of a chunk::

    script = Script.from_dict(cs, {
        "mediator": {"proposals": {1: {"enrichment": "zero", ...}}},
        "iran": {"responses": {1: False}, "moves": {1: 5}},
    })

Rounds are numbered from 1. Anything not scripted is decided by the model as usual;
a binding red line still vetoes a scripted acceptance.

A cap, ``{"israel": {"max_rung": 5}}``, is a counterfactual policy rather than a
choice: the actor never moves above that rung (it still chooses freely below it),
never joins a coalition move above it, and its red lines whose response lies above
it are not carried out (they do not bind: a public one costs its audience cost when
crossed). "What if Israel never strikes?" is ``max_rung`` one below the strike rung.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Protocol

import numpy as np

from sim.engine.codes import MEDIATOR
from sim.engine.compiled import CompiledScenario

__all__ = ["Player", "Script", "ScriptError", "package_index"]

#: How a script names the mediator.
MEDIATOR_NAME = "mediator"


class ScriptError(ValueError):
    """A script names an unknown actor, package level or unreachable move."""


class Player(Protocol):
    """A person playing one actor (role-play): asked for that actor's choices as they
    arise, in a model of one trial. ``actor`` is the actor's index."""

    actor: int

    def propose(self, model: Any, t: int) -> int:
        """The package (compiled index) the player proposes in round ``t``."""

    def respond(self, model: Any, t: int, package: int) -> bool:
        """Whether the player accepts ``package`` in round ``t``."""

    def move(self, model: Any, t: int, rungs: np.ndarray, available: np.ndarray,
             declined: Any = None) -> int:
        """The option the player picks among the available ones (stay, step down,
        then each of its moves; :class:`~sim.engine.codes.MoveOption`). ``declined``:
        the coalition move the player chose first in this round, which a partner
        declined (the player chooses again without coalition moves)."""

    def join(self, model: Any, t: int, initiator: int, spec: Any) -> bool:
        """Whether the player joins ``initiator``'s coalition move ``spec``."""

    def carry_out(self, model: Any, t: int) -> bool:
        """In a compellence game: whether the player carries out its defied threat."""


@dataclass(frozen=True)
class Script:
    """Forced choices, keyed by (actor index or MEDIATOR, round)."""

    proposals: dict[tuple[int, int], int] = field(default_factory=dict)  # (who, round)
    responses: dict[tuple[int, int], bool] = field(default_factory=dict)  # (actor, round)
    moves: dict[tuple[int, int], int] = field(default_factory=dict)  # (actor, round) -> rung
    caps: dict[int, int] = field(default_factory=dict)  # actor -> highest rung it may reach
    player: Player | None = None  # a person playing one actor (one trial at a time)

    def plays(self, index: int) -> Player | None:
        """The person playing actor ``index``, if any."""
        return self.player if self.player is not None and self.player.actor == index else None

    @classmethod
    def from_dict(cls, cs: CompiledScenario, data: dict) -> Script:
        """A script from plain data: ``{actor or 'mediator': {'proposals' | 'responses' | 'moves':
        {round: ...}}}``; raises :class:`ScriptError` naming what is wrong.
        """
        proposals, responses, moves, caps = {}, {}, {}, {}
        for who, plan in data.items():
            if who == MEDIATOR_NAME:
                index = MEDIATOR
            elif who in cs.actors.ids:
                index = cs.actors.ids.index(who)
            else:
                raise ScriptError(
                    f"unknown actor '{who}' in script; valid: {', '.join(cs.actors.ids)}, "
                    f"{MEDIATOR_NAME}"
                )
            if not isinstance(plan, dict):
                raise ScriptError(f"{who}: expected a mapping of proposals, responses, moves "
                                  "or max_rung")
            unknown = set(plan) - {"proposals", "responses", "moves", "max_rung"}
            if unknown:
                raise ScriptError(f"{who}: unknown script keys {sorted(unknown)}; valid: "
                                  "proposals, responses, moves, max_rung")
            if "max_rung" in plan:
                cap = plan["max_rung"]
                if index == MEDIATOR or isinstance(cap, bool) or not isinstance(cap, int) \
                        or not 0 <= cap < cs.n_rungs:
                    raise ScriptError(f"{who}: max_rung must be a rung of the ladder, 0 to "
                                      f"{cs.n_rungs - 1}, for an actor (got {cap!r})")
                caps[index] = cap
            for t, labels in plan.get("proposals", {}).items():
                proposals[(index, int(t))] = package_index(cs, labels)
            for t, accept in plan.get("responses", {}).items():
                responses[(index, int(t))] = bool(accept)
            for t, rung in plan.get("moves", {}).items():
                if not 0 <= int(rung) < cs.n_rungs:
                    raise ScriptError(f"{who}: round {t}: rung {rung} is not on the ladder")
                moves[(index, int(t))] = int(rung)
        return cls(proposals, responses, moves, caps)


def package_index(cs: CompiledScenario, labels: dict[str, str]) -> int:
    """Index of the package with these level labels (every issue must be given)."""
    space = cs.packages
    missing = set(space.issue_ids) - set(labels)
    extra = set(labels) - set(space.issue_ids)
    if missing or extra:
        raise ScriptError(f"a package needs exactly the issues {', '.join(space.issue_ids)}")
    want = []
    for k, iid in enumerate(space.issue_ids):
        label = str(labels[iid])
        if label not in space.level_labels[k]:
            raise ScriptError(f"'{label}' is not a level of '{iid}'; valid: "
                              f"{', '.join(space.level_labels[k])}")
        want.append(space.level_labels[k].index(label))
    hit = np.flatnonzero(np.all(space.grid == want, axis=1))
    if len(hit) == 0:
        raise ScriptError(
            "that package is dominated (some other package is at least as good for "
            "every actor and crosses no more red lines), so the engine never considers it"
        )
    return int(hit[0])
