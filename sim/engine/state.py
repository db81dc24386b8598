"""The per-trial record of a chunk: where each trial stands and what has happened.

Every array has one entry (row) per trial. The model's rounds update it in place;
:func:`sim.runs.chunks.trial_table` reads it into the per-trial table at the end.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sim.engine.codes import NONE, Ending
from sim.engine.compiled import CompiledScenario, Effect
from sim.engine.draws import TrialDraws
from sim.engine.payoffs import apply_effects

__all__ = ["CrisisState"]


@dataclass
class CrisisState:
    """Where each trial of a chunk stands."""

    rung: np.ndarray  # current rung
    peak: np.ndarray  # highest rung reached
    active: np.ndarray  # still running
    ended_by: np.ndarray  # ending code (codes.Ending) or NONE while running
    rounds: np.ndarray  # rounds played when it ended
    deal: np.ndarray  # the package agreed, or NONE
    first_escalator: np.ndarray  # actor who first raised the rung, or NONE
    offers: np.ndarray  # proposals made
    agreements: np.ndarray  # packages accepted (more than one if renegotiated)
    in_force: np.ndarray  # renegotiated agreements: agreed this round
    last_offer: np.ndarray  # the last package proposed, or NONE
    stocks: np.ndarray  # (n, S)
    growth: np.ndarray  # (n, S) each stock's growth per round (moves may change it)
    crossed: np.ndarray  # (n, L) red lines ever crossed
    enforced: np.ndarray  # (n, L) red lines ever enforced
    armed: np.ndarray  # (n, L) red lines that can fire now
    fired: np.ndarray  # (n, L) times each red line fired (enforced or not)
    moved: np.ndarray  # (n, A) the highest rung each actor's own action reached this round
    audience_paid: np.ndarray  # (n, A) audience costs paid
    war_cause: np.ndarray  # codes.WarCause, or NONE
    war_by: np.ndarray  # the actor who chose war or whose red line led to it, or NONE
    force_round: np.ndarray  # the round the strike rung was first reached, 0 if never
    backed_down: np.ndarray  # (n, A) in a standoff: who backed down (ending it)
    stock_version: int = 0  # bumped whenever stocks change (for cached war values)

    @classmethod
    def start(cls, cs: CompiledScenario, draws: TrialDraws) -> CrisisState:
        """Every trial at the ladder's starting rung with its drawn initial stocks."""
        n = draws.stock_initial.shape[0]
        L, A = len(cs.red_lines), cs.n_actors
        rung = np.full(n, cs.ladder.start, dtype=np.int64)
        return cls(
            rung=rung,
            peak=rung.copy(),
            active=np.ones(n, dtype=bool),
            ended_by=np.full(n, NONE, dtype=np.int64),
            rounds=np.zeros(n, dtype=np.int64),
            deal=np.full(n, NONE, dtype=np.int64),
            first_escalator=np.full(n, NONE, dtype=np.int64),
            offers=np.zeros(n, dtype=np.int64),
            agreements=np.zeros(n, dtype=np.int64),
            in_force=np.zeros(n, dtype=bool),
            last_offer=np.full(n, NONE, dtype=np.int64),
            stocks=draws.stock_initial.copy(),
            growth=draws.stock_growth.copy(),
            crossed=np.zeros((n, L), dtype=bool),
            enforced=np.zeros((n, L), dtype=bool),
            armed=np.ones((n, L), dtype=bool),
            fired=np.zeros((n, L), dtype=np.int64),
            moved=np.full((n, A), NONE, dtype=np.int64),
            audience_paid=np.zeros((n, A)),
            war_cause=np.full(n, NONE, dtype=np.int64),
            war_by=np.full(n, NONE, dtype=np.int64),
            force_round=np.zeros(n, dtype=np.int64),
            backed_down=np.zeros((n, A), dtype=bool),
        )

    def set_stocks(self, rows: np.ndarray, stocks: np.ndarray) -> None:
        """New stock levels for some rows."""
        self.stocks[rows] = stocks
        self.stock_version += 1

    def apply_effects(self, cs: CompiledScenario, rows: np.ndarray,
                      effects: tuple[Effect, ...]) -> None:
        """Move effects on some rows' stocks: their levels and their growth."""
        self.set_stocks(rows, apply_effects(cs, self.stocks[rows], effects))
        for e in effects:
            self.growth[rows, e.stock] = self.growth[rows, e.stock] * e.growth_multiply \
                + e.growth_add

    def act(self, rows: np.ndarray, actor: int, rung: np.ndarray | int) -> None:
        """Record that ``actor``'s own action took ``rows`` to ``rung`` this round."""
        self.moved[rows, actor] = np.maximum(self.moved[rows, actor], rung)

    def back_down(self, rows: np.ndarray, actor: int, audience: np.ndarray) -> None:
        """``actor`` backs down in public in ``rows`` and pays its audience cost there
        (``audience``: its drawn cost, one per trial of the chunk)."""
        self.backed_down[rows, actor] = True
        self.audience_paid[rows, actor] += audience[rows]

    def note_force(self, t: int, strike_rung: int) -> None:
        """Record round ``t`` as the first use of force where the strike rung has now
        been reached for the first time."""
        fresh = (self.force_round == 0) & (self.peak >= strike_rung)
        self.force_round[fresh] = t

    def first_escalation(self, rows: np.ndarray, actor: int) -> None:
        """Record ``actor`` as the first escalator where nobody escalated before."""
        fresh = rows[self.first_escalator[rows] == NONE]
        self.first_escalator[fresh] = actor

    def note_war(self, rows: np.ndarray, war_rung: int, cause: int,
                 by: int | np.ndarray = NONE) -> None:
        """Record why ``rows`` that now stand at the war rung got there (the first
        cause only); ``by`` is an actor index, or one per row."""
        new = (self.rung[rows] >= war_rung) & (self.war_cause[rows] == NONE)
        self.war_cause[rows[new]] = cause
        self.war_by[rows[new]] = by[new] if isinstance(by, np.ndarray) else by

    def end(self, rows: np.ndarray, ending: int, t: int) -> np.ndarray:
        """End the still-active ``rows`` in round ``t``; returns the rows it ended.

        ``deal`` keeps a package only for trials a deal ended: a renegotiated agreement
        that did not last to the end is counted in ``agreements`` but is no settlement.
        """
        rows = rows[self.active[rows]]
        self.active[rows] = False
        self.ended_by[rows] = ending
        self.rounds[rows] = t
        if ending != Ending.DEAL:
            self.deal[rows] = NONE
        return rows
