"""Red lines: every kind, and where each is enforced.

A red line is a condition (on a package, on a concluded deal, or on a stock), whether
it was stated publicly, a credibility drawn per trial and the response it commits its
holder to. Per trial it either *binds* (Bernoulli with the drawn credibility) or not.
This module is the one place red lines act:

- ``package`` lines: a binding one vetoes every package meeting its condition (its
  holder rejects, and proposers who learn it binds stop offering such packages; the
  line is then crossed and enforced, :meth:`RedLines.record_vetoes`); a non-binding
  public one costs its holder the audience cost if it accepts such a package (crossed,
  not enforced) (:class:`PackageLines`, read by proposers, responders and planning);
- ``deal`` lines: when a deal meeting the condition is concluded, a binding line
  forces the holder's response and voids the deal (:meth:`RedLines.conclude`);
- ``stock`` lines: when a stock reaches the threshold, a binding line forces the
  holder's response (:meth:`RedLines.check_stocks`);
- ``deadline`` lines (compellent threats): with no deal by the end of a given round,
  a binding line forces the holder's response (:meth:`RedLines.check_deadlines`);
- ``struck`` lines (retaliation commitments): when another actor's own action reaches
  a rung, a binding line forces the holder's response in the same round
  (:meth:`RedLines.check_struck`).

A public line that is crossed and not enforced costs its holder its audience cost. A
line fires once, or, if it repeats, again each time it re-arms.

References
----------
Fearon, J. D. (1994). Domestic political audiences and the escalation of international
disputes. *American Political Science Review* 88(3), 577-592.
Schelling, T. C. (1966). *Arms and Influence*. Yale University Press.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from sim.engine.codes import WarCause
from sim.engine.compiled import CompiledScenario
from sim.engine.draws import TrialDraws
from sim.engine.state import CrisisState

__all__ = ["PackageLines", "RedLines", "response_move"]


@dataclass
class PackageLines:
    """One actor's package red lines over a chunk of trials.

    Kept as a few (per-trial coefficient, package mask) terms rather than dense
    trials x packages matrices: cheaper to build, to store, and to read for the
    packages a proposer actually considers.
    """

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
        """Whether any line can cost an audience cost."""
        return bool(self.cost_terms)

    @property
    def has_veto(self) -> bool:
        """Whether any line can veto a package."""
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


class RedLines:
    """Every red line of a chunk of trials: which bind, and their enforcement.

    Parameters
    ----------
    cs : CompiledScenario
    draws : TrialDraws
        Whether each line binds in each trial, and the holders' audience costs.
    """

    def __init__(self, cs: CompiledScenario, draws: TrialDraws):
        self.cs = cs
        self.binding = draws.binding
        self.audience_cost = draws.types["audience_cost"]
        #: Each actor's package red lines.
        self.package = [PackageLines(cs.n_packages) for _ in range(cs.n_actors)]
        for k, rl in enumerate(cs.red_lines):
            if rl.kind == "package":
                h = rl.holder
                cost = self.audience_cost[:, h] if rl.public else None
                self.package[h].add(self.binding[:, k], rl.mask, cost, rl.credibility.mean())

    def check_stocks(self, state: CrisisState, rows: np.ndarray, trace) -> None:
        """Stock lines whose stock has reached the threshold fire; a repeating line
        re-arms once its stock is back below the threshold."""
        for k, rl in enumerate(self.cs.red_lines):
            if rl.kind != "stock":
                continue
            above = state.stocks[rows, rl.stock] >= rl.at_least
            if rl.repeat:
                state.armed[rows[~above], k] = True
            self.cross(state, rows[above & state.armed[rows, k]], k, trace)

    def check_deadlines(self, state: CrisisState, rows: np.ndarray, t: int, trace) -> None:
        """Deadline lines fall due for the trials still without a deal at the end of
        round ``by_round`` (and every ``by_round`` rounds after, if they repeat)."""
        for k, rl in enumerate(self.cs.red_lines):
            if rl.kind != "deadline":
                continue
            due = t == rl.by_round or (rl.repeat and t % rl.by_round == 0)
            if due:
                state.armed[rows, k] = True
                self.cross(state, rows, k, trace)

    def check_struck(self, state: CrisisState, rows: np.ndarray, trace) -> None:
        """Retaliation lines fire where a triggering actor's own action reached
        ``rung_at_least`` this round (ladder moves and red-line responses alike); a
        repeating line re-arms for the next round."""
        for k, rl in enumerate(self.cs.red_lines):
            if rl.kind != "struck":
                continue
            hit = (state.moved[rows][:, list(rl.by)] >= rl.rung_at_least).any(axis=1)
            self.cross(state, rows[hit & state.armed[rows, k]], k, trace)
            if rl.repeat:
                state.armed[rows, k] = True

    def record_vetoes(self, state: CrisisState, rows: np.ndarray, holder: int,
                      packages: np.ndarray) -> None:
        """``holder`` vetoed ``packages`` in ``rows``: each of its binding package lines
        the package crosses is crossed and enforced (the veto is how it is enforced)."""
        for k, rl in enumerate(self.cs.red_lines):
            if rl.kind == "package" and rl.holder == holder and len(rows):
                hit = rows[rl.mask[packages] & self.binding[rows, k]]
                state.crossed[hit, k] = True
                state.enforced[hit, k] = True

    def conclude(self, state: CrisisState, rows: np.ndarray, packages: np.ndarray,
                 trace) -> np.ndarray:
        """A deal on ``packages`` is made in ``rows``: package lines that gave way cost
        their holders' audience costs, and deal lines fire. Returns which deals a
        binding deal line voids (mask over rows)."""
        voided = np.zeros(len(rows), dtype=bool)
        for k, rl in enumerate(self.cs.red_lines):
            if rl.kind == "package":
                gave_way = rows[rl.mask[packages] & ~self.binding[rows, k]]
                if len(gave_way):
                    state.crossed[gave_way, k] = True
                    if rl.public:
                        state.audience_paid[gave_way, rl.holder] += self.audience_cost[
                            gave_way, rl.holder]
            elif rl.kind == "deal":
                hit = rl.mask[packages] & state.armed[rows, k]
                self.cross(state, rows[hit], k, trace)
                voided |= hit & self.binding[rows, k]
                if rl.repeat:  # the next deal meeting the condition is answered too
                    state.armed[rows[hit], k] = True
        return voided

    def cross(self, state: CrisisState, rows: np.ndarray, k: int, trace) -> None:
        """Red line k is crossed in ``rows``: where it binds, its holder moves to its
        response rung (with the effects of :func:`response_move`); where it does not, a
        public line costs the holder its audience cost. It is disarmed until it re-arms."""
        if len(rows) == 0:
            return
        cs = self.cs
        rl = cs.red_lines[k]
        state.crossed[rows, k] = True
        state.armed[rows, k] = False
        state.fired[rows, k] += 1
        binds = self.binding[rows, k]
        enforce = rows[binds]
        state.enforced[enforce, k] = True
        if len(enforce) and rl.response >= 0:
            state.rung[enforce] = np.maximum(state.rung[enforce], rl.response)
            state.act(enforce, rl.holder, rl.response)
            state.note_war(enforce, cs.ladder.war_rung, WarCause.RED_LINE, rl.holder)
            spec = response_move(cs.actors.moves[rl.holder], rl.response)
            if spec is not None and spec.effects:
                state.apply_effects(cs, enforce, spec.effects)
            state.first_escalation(enforce, rl.holder)
        bluffed = rows[~binds]
        if rl.public and len(bluffed):
            state.audience_paid[bluffed, rl.holder] += self.audience_cost[bluffed, rl.holder]
        trace(rows, "red_line", red_line=k, enforced=binds)

    def vetoing(self, actor: int, package: int, row: int) -> list[str]:
        """The binding package lines of ``actor`` that forbid ``package`` in trial ``row``."""
        return [rl.id for k, rl in enumerate(self.cs.red_lines)
                if rl.kind == "package" and rl.holder == actor and rl.mask[package]
                and self.binding[row, k]]


def response_move(moves, rung: int):
    """The move by which a red line's holder carries out its response at ``rung``: its
    first move at that rung that needs no partner, else its first move at that rung
    (a coalition move: the commitment is the holder's), else None. Only that move's
    effects apply, however many moves the holder has at the rung."""
    at_rung = [m for m in moves if m.rung == rung]
    solo = [m for m in at_rung if not m.joint_with]
    return (solo or at_rung or [None])[0]

