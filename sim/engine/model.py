"""The crisis model: a Mesa model holding a chunk of trials.

Each actor agent keeps its types as arrays of shape (n_trials,); one ``step()`` plays
one negotiation round for every trial still running. A chunk of one trial is a
single crisis told round by round (see :mod:`sim.analysis.narrative`); it runs the
same code.

The order of a round follows docs/model.md: dynamics and incidents, proposal,
responses (or, in a standoff, both parties holding firm or backing down), ladder moves
after a rejection, effects and breakdown, terminal checks.
The model orchestrates; the parts live in their own modules: the draws
(:mod:`~sim.engine.draws`), the per-trial record (:mod:`~sim.engine.state`), values
(:mod:`~sim.engine.valuation`), red lines (:mod:`~sim.engine.red_lines`), the agents'
decisions (:mod:`~sim.engine.agents`) and the narrative trace (:mod:`~sim.engine.trace`).

Mesa idioms used: ``rng=`` seeding, ``model.steps`` as the round counter, ``running``
with ``run_model()``, agents registered by type (``agents_by_type``), ``DataCollector``
for per-round aggregates and ``remove_all_agents()`` when a chunk is released.
"""

from __future__ import annotations

import mesa
import numpy as np

from sim.engine.agents import ActorAgent, MediatorAgent
from sim.engine.codes import MEDIATOR, NONE, Ending, MoveOption, WarCause
from sim.engine.compellence import equilibrium, threat_game
from sim.engine.compiled import FAN_BINS, CompiledScenario
from sim.engine.draws import draw_trials
from sim.engine.outcomes import classify
from sim.engine.red_lines import RedLines
from sim.engine.script import Script
from sim.engine.standoff import demands
from sim.engine.state import CrisisState
from sim.engine.streams import Purpose, Streams
from sim.engine.trace import NO_TRACE, Trace
from sim.engine.valuation import Valuation

__all__ = ["CrisisModel"]


class CrisisModel(mesa.Model):
    """One chunk of Monte Carlo trials of a compiled scenario.

    Parameters
    ----------
    cs : CompiledScenario
    n_trials : int
        Trials in this chunk.
    rng : numpy.random.SeedSequence or int
        The chunk's seed (``SeedSequence(root, spawn_key=(k,))`` for chunk k); every
        use of randomness draws from a named child of it (:mod:`sim.engine.streams`).
    trace_row : int, optional
        Record a narrative of this trial (row within the chunk) in ``trace.events``.
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
        self.trace = NO_TRACE if trace_row is None else Trace(self, trace_row)
        self.streams = Streams(self.rng.bit_generator.seed_seq, n)
        self.draws = draw_trials(cs, self.streams)
        for k, rl in enumerate(cs.red_lines):  # a capped actor does not carry out a line
            cap = self.script.caps.get(rl.holder)
            if cap is not None and rl.response > cap:
                self.draws.binding[:, k] = False
        self.red_lines = RedLines(cs, self.draws)
        self.state = CrisisState.start(cs, self.draws)
        self.values = Valuation(cs, self.draws, self.state, self.red_lines.package)
        self.compellence = equilibrium(threat_game(cs)) if cs.protocol.compellence else None
        self.actors = tuple(ActorAgent(self, i) for i in range(cs.n_actors))
        mediated = cs.protocol.proposer == "mediator" and not (cs.protocol.standoff
                                                              or cs.protocol.compellence)
        self.mediator = MediatorAgent(self) if mediated else None
        self.datacollector = None
        if collect:
            self.datacollector = mesa.DataCollector(model_reporters=self._reporters())
            self.datacollector.collect(self)
            self.fan_edges = cs.stocks.fan_edges(cs.protocol.horizon)
            self.fan = np.zeros((cs.protocol.horizon + 1, len(cs.stocks), FAN_BINS),
                                dtype=np.int64)
            self._record_stocks()

    def _reporters(self) -> dict:
        """Per-round counts: running trials, deals, wars, and running trials on each
        rung (a trial that has ended is counted by how it ended, not on a rung)."""
        state = self.state
        reporters = {
            "round": lambda m: m.steps,
            "running": lambda m: int(state.active.sum()),
            "deal": lambda m: int((state.ended_by == Ending.DEAL).sum()),
            "war": lambda m: int((state.ended_by == Ending.WAR).sum()),
        }
        for r in range(self.cs.n_rungs):
            reporters[f"rung_{r}"] = lambda m, r=r: int(((state.rung == r) & state.active).sum())
        return reporters

    def _record_stocks(self) -> None:
        """Each stock's levels in the running trials this round, as counts in the bins
        of :meth:`~sim.engine.compiled.StockSpecs.fan_edges` (the fan chart)."""
        active = self.state.active
        for s in range(len(self.cs.stocks)):
            inner = self.fan_edges[s, 1:-1]
            bins = np.searchsorted(inner, self.state.stocks[active, s], side="right")
            self.fan[self.steps, s] = np.bincount(bins, minlength=len(inner) + 1)

    def uniforms(self, purpose: Purpose, *keys: int, rows: np.ndarray) -> np.ndarray:
        """The named stream's uniform numbers for ``rows`` (see :mod:`sim.engine.streams`)."""
        return self.streams.uniform(purpose, *keys)[rows]

    # --- the round --------------------------------------------------------------------------
    def step(self) -> None:
        """Play one round for every running trial."""
        cs, state = self.cs, self.state
        t = self.steps  # Mesa counts the step before calling it: rounds are 1-based
        self._dynamics(t)
        rows = np.flatnonzero(state.active)
        state.in_force[rows] = False
        if len(rows) and cs.protocol.compellence:
            self._compel(rows, t)
        elif len(rows):
            settle = self._standoff if cs.protocol.standoff else self._bargain
            accepted, packages = settle(rows, t)
            self._conclude(rows[accepted], packages[accepted], t)
            rejected = rows[~accepted]
            rejected = rejected[state.active[rejected]]
            if len(rejected):
                self._ladder(rejected, t)
        self._commitments(t)
        if t >= cs.protocol.horizon:
            self._horizon(t)
        state.note_force(t, cs.ladder.strike_rung)
        if self.datacollector is not None:
            self.datacollector.collect(self)
            self._record_stocks()
        if not state.active.any():
            self.running = False

    def _commitments(self, t: int) -> None:
        """Deadlines fall due for trials still without a deal, then retaliation lines
        answer this round's strikes (deadline strikes included)."""
        state = self.state
        rows = np.flatnonzero(state.active & (state.deal == NONE))
        self.red_lines.check_deadlines(state, rows, t, self.trace)
        rows = np.flatnonzero(state.active)
        self.red_lines.check_struck(state, rows, self.trace)
        state.peak[rows] = np.maximum(state.peak[rows], state.rung[rows])
        self._check_war(rows, t)

    def _dynamics(self, t: int) -> None:
        """Stocks grow, incidents happen, stock red lines fire, terminal events end
        trials. A trial pushed to the war rung on the way is at war before any terminal
        event is checked."""
        cs, state = self.cs, self.state
        rows = np.flatnonzero(state.active)
        state.moved[rows] = NONE
        if len(cs.stocks):
            state.set_stocks(rows, np.clip(state.stocks[rows] + state.growth[rows],
                                           cs.stocks.low, cs.stocks.high))
        self.trace(rows, "round", stocks=state.stocks)
        inc = cs.incidents
        if inc.rate > 0:
            u = self.uniforms(Purpose.INCIDENT, t, rows=rows)
            hit = rows[(u < inc.rate) & (state.rung[rows] < inc.max_rung)]
            if len(hit):
                state.rung[hit] = np.minimum(state.rung[hit] + inc.escalation, inc.max_rung)
                state.note_war(hit, cs.ladder.war_rung, WarCause.INCIDENT)
                self.trace(hit, "incident", rung=state.rung)
        self.red_lines.check_stocks(state, rows, self.trace)
        self._check_war(rows, t)
        term = cs.terminal
        for k in range(len(term.ids)):
            done = rows[state.stocks[rows, term.stock[k]] >= term.at_least[k]]
            self._end(done, Ending.TERMINAL + k, t)
        state.peak = np.maximum(state.peak, state.rung)

    def _bargain(self, rows: np.ndarray, t: int):
        """Proposal and responses; returns (accepted mask over rows, packages)."""
        cs, state = self.cs, self.state
        who = cs.protocol.proposer_at(t)
        proposer = self.mediator if who == MEDIATOR else self.actors[who]
        packages = proposer.propose(rows, t)
        state.offers[rows] += 1
        state.last_offer[rows] = packages
        responders = [int(j) for j in cs.protocol.parties if j != who]
        accepted = np.ones(len(rows), dtype=bool)
        verdicts = {}
        for j in responders:
            ok, vetoed, margin = self.actors[j].respond(rows, packages, t)
            verdicts[j] = (ok, vetoed, margin)
            accepted &= ok
            self.red_lines.record_vetoes(state, rows[vetoed], j, packages[vetoed])
        self.trace(rows, "proposal", proposer=who, packages=packages, verdicts=verdicts)
        # Everyone sees who rejected: proposers update their beliefs.
        observers = [a for a in self.agents if getattr(a, "belief_particles", None)]
        for j, (ok, vetoed, _) in verdicts.items():
            for obs in observers:
                obs.observe_rejection(rows[~ok], j, packages[~ok], vetoed[~ok], t)
        return accepted, packages

    def _standoff(self, rows: np.ndarray, t: int):
        """The two parties choose at once to hold firm or back down; a party backing down
        alone concedes the other's demand, both backing down restore the status quo.
        Returns (a party backed down, mask over rows; the packages conceded)."""
        cs, state = self.cs, self.state
        a, b = (int(x) for x in cs.protocol.parties)
        want = demands(cs)
        back_a, p_a = self.actors[a].stand(rows, t, b)
        back_b, p_b = self.actors[b].stand(rows, t, a)
        packages = np.where(back_a, want[b], want[a])
        packages = np.where(back_a & back_b, cs.packages.status_quo, packages)
        audience = self.draws.types["audience_cost"]
        for i, back in ((a, back_a), (b, back_b)):  # a public retreat costs at home
            state.back_down(rows[back], i, audience[:, i])
        self.trace(rows, "standoff", backed_down={a: back_a, b: back_b},
                   probability={a: p_a, b: p_b}, packages=packages)
        return back_a | back_b, packages

    def _compel(self, rows: np.ndarray, t: int) -> None:
        """A compellence game (:mod:`sim.engine.compellence`): the threatener threatens
        or not; the target complies (a deal on the demand) or defies; a defied threat
        slides into war at its rung's breakdown risk, or is carried out (war) or
        abandoned (the status quo stands until the horizon)."""
        cs, state, eq = self.cs, self.state, self.compellence
        game = eq.game
        threatener, target = self.actors[game.threatener], self.actors[game.target]
        war_rung = cs.ladder.war_rung
        audience = self.draws.types["audience_cost"]
        option, p_option = threatener.threaten(rows, t, eq)
        threat = option > 0
        state.rung[rows] = np.asarray(game.rung)[option]
        state.act(rows[threat], threatener.index, state.rung[rows[threat]])
        state.first_escalation(rows[threat], threatener.index)
        self.trace(rows, "threat", option=option, chance=p_option,
                   belief=eq.carry_out[option])
        rows, option = rows[threat], option[threat]
        defy, p_defy, vetoed = target.answer(rows, t, eq, option)
        self.red_lines.record_vetoes(state, rows[vetoed], target.index,
                                     np.full(int(vetoed.sum()), game.demand))
        self.trace(rows, "answer", defied=defy, chance=p_defy, vetoed=vetoed)
        complied = rows[~defy]
        state.back_down(complied, target.index, audience[:, target.index])
        self._conclude(complied, np.full(len(complied), game.demand), t)
        defied = rows[defy]
        u = self.uniforms(Purpose.BREAKDOWN, t, rows=defied)
        slid = u < self.draws.breakdown[defied, state.rung[defied]]
        state.rung[defied[slid]] = war_rung
        state.note_war(defied[slid], war_rung, WarCause.BREAKDOWN)
        self.trace(defied[slid], "breakdown")
        rest = defied[~slid]
        carry, p_carry = threatener.carry_out(rest, t, eq)
        fought, backed = rest[carry], rest[~carry]
        state.rung[fought] = war_rung
        state.act(fought, threatener.index, war_rung)
        state.note_war(fought, war_rung, WarCause.CHOSEN, threatener.index)
        state.back_down(backed, threatener.index, audience[:, threatener.index])
        self.trace(rest, "carry_out", carried=carry, chance=p_carry,
                   option=option[defy][~slid])
        state.peak[defied] = np.maximum(state.peak[defied], state.rung[defied])
        self._check_war(defied, t)

    def _conclude(self, rows: np.ndarray, packages: np.ndarray, t: int) -> None:
        """A deal is made; red lines may give way or fire (a deal line voids it)."""
        cs, state = self.cs, self.state
        voided = self.red_lines.conclude(state, rows, packages, self.trace)
        done = rows[~voided]
        state.deal[done] = packages[~voided]
        state.agreements[done] += 1
        if cs.protocol.renegotiated:  # this round's terms only; bargaining goes on
            state.in_force[rows] = ~voided
        else:
            self._end(done, Ending.DEAL, t)
        self._check_war(rows[voided], t)
        state.peak = np.maximum(state.peak, state.rung)

    def _ladder(self, rows: np.ndarray, t: int) -> None:
        """After a rejection every actor with moves picks a rung (coalition moves need
        their partners); then the crisis may break down into war at the new rung."""
        cs, state = self.cs, self.state
        movers = [a for a in self.agents_by_type[ActorAgent] if a.move_specs]
        values = {a.index: a.move_values(rows, t) for a in movers}
        chosen = {a.index: a.choose_move(rows, t, values[a.index]) for a in movers}
        joint = self._coalitions(rows, movers, values, chosen, t)
        # The crisis rung becomes the highest rung chosen (with no movers, it stays).
        new = np.full(len(rows), -1, dtype=np.int64) if movers else state.rung[rows].copy()
        for a in movers:
            option, rung = chosen[a.index]
            new = np.maximum(new, rung)
            moved = option >= MoveOption.MOVE
            state.act(rows[moved], a.index, rung[moved])
            for k, spec in enumerate(a.move_specs):  # effects of the moves actually made
                made = rows[(option == MoveOption.MOVE + k) & ~joint["joined"][a.index]]
                if len(made) and spec.effects:
                    state.apply_effects(cs, made, spec.effects)
        up = new > state.rung[rows]
        top = np.full(len(rows), NONE, dtype=np.int64)  # highest mover, lowest index
        for a in movers:
            _, rung = chosen[a.index]
            top = np.where((top == NONE) & (rung == new), a.index, top)
        for a in movers:
            state.first_escalation(rows[up & (top == a.index)], a.index)
        self.trace(rows, "moves", chosen=chosen, new=new, joint=joint["asked"],
                   values={i: values[i][2] for i in values})
        state.rung[rows] = np.maximum(new, 0)
        war_rung = cs.ladder.war_rung
        state.note_war(rows, war_rung, WarCause.CHOSEN, top)
        u = self.uniforms(Purpose.BREAKDOWN, t, rows=rows)
        risk = self.draws.breakdown[rows, state.rung[rows]]
        slid = rows[(u < risk) & (state.rung[rows] < war_rung)]
        state.rung[slid] = war_rung
        state.note_war(slid, war_rung, WarCause.BREAKDOWN)
        self.trace(slid, "breakdown")
        state.peak[rows] = np.maximum(state.peak[rows], state.rung[rows])
        self._check_war(rows, t)

    def _coalitions(self, rows, movers, values, chosen, t) -> dict:
        """Settle coalition moves: where an actor chose a joint move, each partner joins
        if joining is worth at least its own choice to it; if any partner declines, the
        initiator chooses again among its other options. Partners who join take the
        joint rung; the move's effects are the initiator's, applied once."""
        by_index = {a.index: a for a in movers}
        joined = {a.index: np.zeros(len(rows), dtype=bool) for a in movers}
        asked = {}
        here = np.arange(len(rows))
        for a in movers:
            option, _ = chosen[a.index]
            for k, spec in enumerate(a.move_specs):
                if not spec.joint_with:
                    continue
                ask = (option == MoveOption.MOVE + k) & ~joined[a.index]
                if not ask.any():
                    continue
                agree = ask.copy()
                matches = {}
                for p in spec.joint_with:
                    partner = by_index.get(p)
                    m = None if partner is None else partner.joint_option(spec.rung, a.index)
                    if m is None:
                        agree[:] = False
                        continue
                    _, available, eu = values[p]
                    mine, _ = chosen[p]
                    if (player := self.script.plays(p)) is not None:  # a person decides
                        agree &= available[:, m] & bool(
                            available[0, m] and player.join(self, t, a.index, spec))
                    else:
                        agree &= available[:, m] & (eu[:, m] >= eu[here, mine] - 1e-12)
                    matches[p] = m
                for p, m in matches.items():
                    option_p, rung_p = chosen[p]
                    chosen[p] = (np.where(agree, m, option_p),
                                 np.where(agree, spec.rung, rung_p))
                    joined[p] |= agree
                refused = ask & ~agree
                if refused.any():
                    chosen[a.index] = a.choose_again(rows, t, values[a.index], refused,
                                                     chosen[a.index])
                asked[a.index] = (k, spec.joint_with, ask, agree)
        return {"joined": joined, "asked": asked}

    def _horizon(self, t: int) -> None:
        """The last round: a deadline enforced by war, the agreement in force (if
        renegotiated), or the status quo."""
        cs, state = self.cs, self.state
        left = np.flatnonzero(state.active)
        if cs.protocol.on_horizon == "war":
            state.rung[left] = cs.ladder.war_rung
            state.peak[left] = np.maximum(state.peak[left], cs.ladder.war_rung)
            state.note_war(left, cs.ladder.war_rung, WarCause.DEADLINE)
            self.trace(left, "deadline")
            self._end(left, Ending.WAR, t)
        elif cs.protocol.renegotiated:  # the last round's agreement, if any, stands
            agreed = state.in_force[left]
            self._end(left[agreed], Ending.DEAL, t)
            self._end(left[~agreed], Ending.HORIZON, t)
        else:
            self._end(left, Ending.HORIZON, t)

    def _check_war(self, rows: np.ndarray, t: int) -> None:
        war = rows[(self.state.rung[rows] >= self.cs.ladder.war_rung) & self.state.active[rows]]
        self._end(war, Ending.WAR, t)

    def _end(self, rows: np.ndarray, ending: int, t: int) -> None:
        ended = self.state.end(rows, ending, t)
        self.trace(ended, "end", ending=int(ending))

    # --- results ----------------------------------------------------------------------------
    def outcomes(self) -> np.ndarray:
        """Index of each trial's outcome category (see :func:`sim.engine.outcomes.classify`)."""
        return classify(self.cs, self.state)

    def release(self) -> None:
        """Drop the chunk's arrays now. Agents and model refer to each other, so the
        garbage collector would free them only at its next full pass, and numpy arrays
        do not trigger one: without this a worker's memory grows chunk after chunk."""
        agents = list(self.agents)
        self.remove_all_agents()
        for agent in agents:
            agent.__dict__.clear()
        self.__dict__.clear()
