"""The crisis model: a Mesa model holding a chunk of trials.

Each actor agent keeps its types as arrays of shape (n_trials,); one ``step()`` plays
one negotiation round for every trial still running. A chunk of one trial is a
single crisis told round by round (see :mod:`sim.analysis.narrative`); it runs the same code.

The order of a round follows docs/model.md: dynamics and incidents, proposal,
responses, ladder moves after a rejection, effects and breakdown, terminal checks.
"""

from __future__ import annotations

import mesa
import numpy as np

from sim.engine.agents import ActorAgent, MediatorAgent
from sim.engine.compile import PRIVATE_TYPES, PUBLIC_TYPES, CompiledScenario
from sim.engine.red_lines import PackageLines
from sim.engine.script import Script
from sim.engine.payoffs import (
    bargaining_terms,
    capabilities,
    plan_values,
    proposer_at,
    war_value_public,
)

__all__ = ["CrisisModel"]

NO_ONE = -1


class CrisisModel(mesa.Model):
    """One chunk of Monte Carlo trials of a compiled scenario.

    Parameters
    ----------
    cs : CompiledScenario
    n_trials : int
        Trials in this chunk.
    rng : numpy.random.SeedSequence or int
        The chunk's seed (``SeedSequence(root, spawn_key=(k,))`` for chunk k).
    trace_row : int, optional
        Record a narrative of this trial (row within the chunk).
    collect : bool
        Record per-round aggregates with Mesa's DataCollector.
    script : Script, optional
        Forced proposals, responses or moves (see :mod:`sim.engine.script`).
    """

    def __init__(self, cs: CompiledScenario, n_trials: int, rng=None, trace_row=None,
                 collect: bool = True, script: Script | None = None):
        super().__init__(rng=rng)
        self.cs = cs
        self.script = script or Script()
        self.n_trials = n = int(n_trials)
        self.round = 0
        self.trace_row = trace_row
        self.events: list[dict] = []
        A, L = cs.n_actors, len(cs.red_lines)

        # --- private and public types, drawn in a fixed order ----------------------
        types = {
            t: np.stack([d.draw(self.rng, n) for d in cs.types[t]], axis=1)
            for t in PRIVATE_TYPES + PUBLIC_TYPES
        }
        types["capability"] = np.maximum(types["capability"], 1e-9)
        types["discount"] = np.clip(types["discount"], 0.0, 1.0)
        self.types = types
        self.stock_initial = np.stack([d.draw(self.rng, n) for d in cs.stock_initial], axis=1) \
            if cs.stock_ids else np.zeros((n, 0))
        self.stock_growth = np.stack([d.draw(self.rng, n) for d in cs.stock_growth], axis=1) \
            if cs.stock_ids else np.zeros((n, 0))
        self.stock_initial = np.clip(self.stock_initial, cs.stock_min, cs.stock_max)
        self.credibility = np.stack(
            [rl.credibility.draw(self.rng, n) for rl in cs.red_lines], axis=1
        ) if L else np.zeros((n, 0))
        self.credibility = np.clip(self.credibility, 0.0, 1.0)
        self.binding = self.rng.random((n, L)) < self.credibility
        move_costs = [
            np.stack([mv.cost.draw(self.rng, n) for mv in cs.moves[i]], axis=1)
            if cs.moves[i] else np.zeros((n, 0))
            for i in range(A)
        ]

        # --- red lines on packages: vetoes and audience costs -----------------------
        P = cs.n_packages
        self.lines = [PackageLines(P) for _ in range(A)]
        for k, rl in enumerate(cs.red_lines):
            if rl.kind == "package":
                h = rl.holder
                cost = types["audience_cost"][:, h] if rl.public else None
                self.lines[h].add(self.binding[:, k], rl.mask, cost, rl.credibility.mean())

        # --- state ----------------------------------------------------------------
        self.stocks = self.stock_initial.copy()
        self._war_public = None
        self._terms_round = -1
        self.rung = np.full(n, cs.start_rung, dtype=np.int64)
        self.peak = self.rung.copy()
        self.active = np.ones(n, dtype=bool)
        self.ended_by = np.full(n, NO_ONE, dtype=np.int64)
        self.rounds = np.zeros(n, dtype=np.int64)
        self.deal = np.full(n, NO_ONE, dtype=np.int64)
        self.first_escalator = np.full(n, NO_ONE, dtype=np.int64)
        self.crossed = np.zeros((n, L), dtype=bool)
        self.enforced = np.zeros((n, L), dtype=bool)
        self.audience_paid = np.zeros((n, A))
        self.offers = np.zeros(n, dtype=np.int64)
        self.agreements = np.zeros(n, dtype=np.int64)
        self.in_force = np.zeros(n, dtype=bool)  # renegotiated: agreed this round
        self.last_offer = np.full(n, NO_ONE, dtype=np.int64)
        self.mean_war_cost = np.array([d.mean() for d in cs.types["war_cost"]])
        mean_resolve = np.array([d.mean() for d in cs.types["resolve"]])

        # --- agents -----------------------------------------------------------------
        self.actors = [
            ActorAgent(self, i, {t: types[t][:, i] for t in types}, move_costs[i])
            for i in range(A)
        ]
        self.mediator = MediatorAgent(self) if cs.proposer == "mediator" else None

        # --- planning values (common knowledge: prior means of private types) ---------
        self.plan = plan_values(
            cs,
            base_capability=types["capability"],
            stock_initial=self.stock_initial,
            stock_growth=self.stock_growth,
            war_cost=np.broadcast_to(self.mean_war_cost, (n, A)),
            resolve=np.broadcast_to(mean_resolve, (n, A)),
            discount=types["discount"],
            lines=self.lines,
            rung=cs.start_rung,
        )

        self.datacollector = None
        if collect:
            reporters = {
                "round": lambda m: m.round,
                "running": lambda m: int(m.active.sum()),
                "deal": lambda m: int((m.ended_by == 0).sum()),
                "war": lambda m: int((m.ended_by == 1).sum()),
            }
            for r, _name in enumerate(cs.rung_names):
                reporters[f"rung_{r}"] = lambda m, r=r: int((m.rung == r).sum())
            self.datacollector = mesa.DataCollector(model_reporters=reporters)
            self.datacollector.collect(self)
        self._trace_start()

    # --- helpers used by the agents --------------------------------------------------------
    def war_public(self, rows: np.ndarray, effects=()) -> np.ndarray:
        """War payoffs before costs (n, A) at the current stocks (after ``effects``)."""
        if not effects:
            if self._war_public is None:  # cached until the stocks change
                cap = capabilities(self.cs, self.types["capability"], self.stocks)
                self._war_public = war_value_public(self.cs, cap)
            return self._war_public[rows]
        stocks = self._apply_effects(self.stocks[rows], effects)
        cap = capabilities(self.cs, self.types["capability"][rows], stocks)
        return war_value_public(self.cs, cap)

    def _set_stocks(self, rows: np.ndarray, effects) -> None:
        self.stocks[rows] = self._apply_effects(self.stocks[rows], effects)
        self._war_public = None

    def terms(self, t: int):
        """(scale, carry, cont) (N, A) for the whole chunk in round t (computed once a
        round): see :func:`sim.engine.payoffs.bargaining_terms`. Index them by rows."""
        if self._terms_round != t:
            self._terms = bargaining_terms(self.cs, self.types["discount"], self.plan[t + 1])
            self._terms_round = t
        return self._terms

    def reservation_centre(self, rows: np.ndarray, j: int, t: int) -> np.ndarray:
        """Public part of j's reservation value, on the scale of ``scale * u(x)``:
        q W_pub + (1 - q) cont - carry (the private part is resolve - q war_cost)."""
        q = self.cs.breakdown[self.rung[rows]]
        w = self.war_public(rows)[:, j]
        _, carry, cont = self.terms(t)
        return q * w + (1 - q) * cont[rows, j] - carry[rows, j]

    def rejection_value(self, rows: np.ndarray, t: int) -> np.ndarray:
        """Value of a rejected round for every actor (n, A), with true war costs."""
        cs = self.cs
        q = cs.breakdown[self.rung[rows]][:, None]
        w = self.war_public(rows) - self.types["war_cost"][rows] * (cs.side >= 0)
        return q * w + (1 - q) * self.terms(t)[2][rows]

    def _apply_effects(self, stocks: np.ndarray, effects) -> np.ndarray:
        """Apply (stock, add, multiply) effects to a copy of some rows' stocks."""
        stocks = stocks.copy()
        for s, add, mult in effects:
            stocks[:, s] = stocks[:, s] * mult + add
        return np.clip(stocks, self.cs.stock_min, self.cs.stock_max)

    # --- the round --------------------------------------------------------------------------
    def step(self) -> None:
        """Play one round for every running trial."""
        cs = self.cs
        self.round = t = self.round + 1
        self._dynamics(t)
        rows = np.flatnonzero(self.active)
        self.in_force[rows] = False
        if len(rows):
            accepted, packages = self._bargain(rows, t)
            self._conclude(rows[accepted], packages[accepted], t)
            rejected = rows[~accepted]
            rejected = rejected[self.active[rejected]]
            if len(rejected):
                self._ladder(rejected, t)
        if t >= cs.horizon:
            left = np.flatnonzero(self.active)
            if cs.on_horizon == "war":  # the deadline is enforced
                self.rung[left] = cs.war_rung
                self.peak[left] = np.maximum(self.peak[left], cs.war_rung)
                self._trace(left, "deadline")
                self._end(left, cs.endings.index("war"), t)
            elif cs.renegotiated:  # the last round's agreement, if any, stands
                agreed = left[self.in_force[left]]
                self._end(agreed, cs.endings.index("deal"), t)
                self._end(left[~self.in_force[left]], cs.endings.index("horizon"), t)
            else:
                self._end(left, cs.endings.index("horizon"), t)
        if self.datacollector is not None:
            self.datacollector.collect(self)
        if not self.active.any():
            self.running = False

    def _dynamics(self, t: int) -> None:
        cs = self.cs
        rows = np.flatnonzero(self.active)
        if cs.stock_ids:
            self.stocks[rows] = np.clip(
                self.stocks[rows] + self.stock_growth[rows], cs.stock_min, cs.stock_max
            )
            self._war_public = None
        self._trace(rows, "round", stocks=self.stocks)
        u = self.rng.random(len(rows))
        hit = rows[(u < cs.incident_rate) & (self.rung[rows] < cs.incident_max_rung)]
        if len(hit):
            self.rung[hit] = np.minimum(self.rung[hit] + cs.incident_escalation,
                                        cs.incident_max_rung)
            self._trace(hit, "incident", rung=self.rung)
        for k, rl in enumerate(cs.red_lines):
            if rl.kind != "stock":
                continue
            hit = rows[(self.stocks[rows, rl.stock] >= rl.at_least) & ~self.crossed[rows, k]]
            self._red_line_crossed(hit, k)
        for k in range(len(cs.terminal_ids)):
            done = rows[self.stocks[rows, cs.terminal_stock[k]] >= cs.terminal_at_least[k]]
            done = done[self.active[done]]
            self._end(done, 3 + k, t)
        self._check_war(rows, t)
        self.peak = np.maximum(self.peak, self.rung)

    def _red_line_crossed(self, rows: np.ndarray, k: int) -> None:
        """Mark red line k crossed; binding ones force the holder's response."""
        if len(rows) == 0:
            return
        rl = self.cs.red_lines[k]
        self.crossed[rows, k] = True
        binds = self.binding[rows, k]
        enforce = rows[binds]
        self.enforced[enforce, k] = True
        if len(enforce) and rl.response >= 0:
            self.rung[enforce] = np.maximum(self.rung[enforce], rl.response)
            for spec in self.cs.moves[rl.holder]:
                if spec.rung == rl.response and spec.effects:
                    self._set_stocks(enforce, spec.effects)
            self._first_escalation(enforce, rl.holder)
        bluffed = rows[~binds]
        if rl.public and len(bluffed):
            self.audience_paid[bluffed, rl.holder] += self.types["audience_cost"][
                bluffed, rl.holder
            ]
        self._trace(rows, "red_line", red_line=k, enforced=binds)

    def _first_escalation(self, rows: np.ndarray, actor: int) -> None:
        fresh = rows[self.first_escalator[rows] == NO_ONE]
        self.first_escalator[fresh] = actor

    def _bargain(self, rows: np.ndarray, t: int):
        """Proposal and responses; returns (accepted mask over rows, packages)."""
        cs = self.cs
        who = proposer_at(cs, t)
        proposer = self.mediator if who < 0 else self.actors[who]
        packages = proposer.propose(rows, t)
        self.offers[rows] += 1
        self.last_offer[rows] = packages
        responders = [int(j) for j in cs.parties if j != who]
        u = self.rng.random((len(rows), len(responders)))
        accepted = np.ones(len(rows), dtype=bool)
        verdicts = {}
        for c, j in enumerate(responders):
            ok, vetoed, margin = self.actors[j].respond(rows, packages, t, u[:, c])
            verdicts[j] = (ok, vetoed, margin)
            accepted &= ok
        self._trace(rows, "proposal", proposer=who, packages=packages, verdicts=verdicts)
        # Everyone sees who rejected: proposers update their beliefs.
        observers = [a for a in [self.mediator, *self.actors] if a is not None and
                     getattr(a, "belief_grid", None)]
        for j, (ok, vetoed, _) in verdicts.items():
            for obs in observers:
                obs.observe_rejection(rows[~ok], j, packages[~ok], vetoed[~ok], t)
        return accepted, packages

    def _conclude(self, rows: np.ndarray, packages: np.ndarray, t: int) -> None:
        """A deal is made; `deal` red lines of outsiders may fire and void it."""
        cs = self.cs
        voided = np.zeros(len(rows), dtype=bool)
        for k, rl in enumerate(cs.red_lines):
            if rl.kind == "package":
                hit = rl.mask[packages]
                nb = rows[hit & ~self.binding[rows, k]]
                if len(nb):  # a non-binding package red line gave way
                    self.crossed[nb, k] = True
                    if rl.public:
                        self.audience_paid[nb, rl.holder] += self.types["audience_cost"][
                            nb, rl.holder]
            elif rl.kind == "deal":
                hit = rl.mask[packages] & ~self.crossed[rows, k]
                self._red_line_crossed(rows[hit], k)
                voided |= hit & self.binding[rows, k]
        done = rows[~voided]
        self.deal[done] = packages[~voided]
        self.agreements[done] += 1
        if cs.renegotiated:  # this round's terms only; bargaining goes on
            self.in_force[rows] = ~voided
        else:
            self._end(done, 0, t)
        self._check_war(rows[voided], t)
        self.peak = np.maximum(self.peak, self.rung)

    def _ladder(self, rows: np.ndarray, t: int) -> None:
        """After a rejection every actor with moves picks a rung; then breakdown."""
        cs = self.cs
        new = np.full(len(rows), -1, dtype=np.int64)
        chosen = {}
        movers = [a for a in self.actors if a.move_specs]
        for a in movers:
            option, rung = a.choose_move(rows, t)
            chosen[a.index] = (option, rung)
            new = np.maximum(new, rung)
        if not movers:
            new = self.rung[rows].copy()
        for a in movers:  # effects of the moves actually made
            option, rung = chosen[a.index]
            for k, spec in enumerate(a.move_specs):
                made = rows[option == 2 + k]
                if len(made) and spec.effects:
                    self._set_stocks(made, spec.effects)
        up = new > self.rung[rows]
        for a in movers:  # first escalator: highest mover, lowest index among ties
            _, rung = chosen[a.index]
            top = up & (rung == new)
            self._first_escalation(rows[top], a.index)
        self._trace(rows, "moves", chosen=chosen, new=new)
        self.rung[rows] = np.maximum(new, 0)
        breakdown = self.rng.random(len(rows)) < cs.breakdown[self.rung[rows]]
        slid = rows[breakdown & (self.rung[rows] < cs.war_rung)]
        self.rung[slid] = cs.war_rung
        self._trace(slid, "breakdown")
        self.peak[rows] = np.maximum(self.peak[rows], self.rung[rows])
        self._check_war(rows, t)

    def _check_war(self, rows: np.ndarray, t: int) -> None:
        war = rows[(self.rung[rows] >= self.cs.war_rung) & self.active[rows]]
        self._end(war, 1, t)

    def _end(self, rows: np.ndarray, ending: int, t: int) -> None:
        rows = rows[self.active[rows]]
        self.active[rows] = False
        self.ended_by[rows] = ending
        self.rounds[rows] = t
        self._trace(rows, "end", ending=ending)

    # --- outcomes -------------------------------------------------------------------------
    def outcomes(self) -> np.ndarray:
        """Index of each trial's outcome category: the first whose condition holds."""
        out = np.full(self.n_trials, -1, dtype=np.int64)
        for k, o in enumerate(self.cs.outcomes):
            ok = out < 0
            if o.ended_by is not None:
                ok &= self.ended_by == o.ended_by
            if o.mask is not None:
                ok &= (self.deal >= 0) & o.mask[np.maximum(self.deal, 0)]
            if o.peak_rung_at_least is not None:
                ok &= self.peak >= o.peak_rung_at_least
            out[ok] = k
        return out

    def release(self) -> None:
        """Drop the chunk's arrays now. Agents and model refer to each other, so the
        garbage collector would free them only at its next full pass, and numpy arrays
        do not trigger one: without this a worker's memory grows chunk after chunk."""
        for agent in [*self.actors, self.mediator]:
            if agent is not None:
                agent.__dict__.clear()
        self.__dict__.clear()

    def run(self) -> None:
        """Play rounds until every trial has ended or the horizon is reached."""
        while self.active.any() and self.round < self.cs.horizon:
            self.step()

    # --- narrative tracing --------------------------------------------------------------------
    def _trace_start(self) -> None:
        if self.trace_row is None:
            return
        self.events.append({"kind": "start", "round": 0})

    def _trace(self, rows: np.ndarray, kind: str, **data) -> None:
        """Record an event for the traced trial (cheap when nothing is traced)."""
        r = self.trace_row
        if r is None:
            return
        hit = np.flatnonzero(rows == r)
        if len(hit) == 0:
            return
        h = int(hit[0])
        event = {"kind": kind, "round": self.round, "rung": int(self.rung[r])}
        for key, val in data.items():
            if key == "verdicts":
                event[key] = {
                    j: (bool(ok[h]), bool(v[h]), float(mg[h])) for j, (ok, v, mg) in val.items()
                }
            elif key == "chosen":
                event[key] = {i: int(rg[h]) for i, (_, rg) in val.items()}
            elif isinstance(val, np.ndarray) and val.ndim == 2:
                event[key] = val[r].tolist()
            elif isinstance(val, np.ndarray):
                event[key] = val[r].item() if val.shape[0] == self.n_trials else val[h].item()
            else:
                event[key] = val
        self.events.append(event)
