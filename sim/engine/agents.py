"""Mesa agents: one per actor (and one for a mediator), each holding its types as
arrays over the trials of a chunk.

An agent decides for every running trial at once: which package to propose, whether
to accept, which rung of the ladder to move to, and in a standoff whether to hold firm
or back down. The model (:mod:`sim.engine.model`)
calls them in the order of a round; values come from the model's
:class:`~sim.engine.valuation.Valuation`, red lines from its
:class:`~sim.engine.red_lines.RedLines`.

References
----------
Fearon, J. D. (1995). Rationalist explanations for war. *International Organization*
49(3), 379-414.
McKelvey, R. D., and Palfrey, T. R. (1995). Quantal response equilibria for normal
form games. *Games and Economic Behavior* 10(1), 6-38.
Schelling, T. C. (1966). *Arms and Influence*. Yale University Press.
"""

from __future__ import annotations

import mesa
import numpy as np

from sim.engine import beliefs as bel
from sim.engine.choice import accept_probability, logit_choice
from sim.engine.codes import MEDIATOR, MoveOption
from sim.engine.compellence import (
    carry_out_probability,
    defiance_probability,
    threat_probabilities,
    threat_values,
)
from sim.engine.kernels import accept_into
from sim.engine.payoffs import TIE
from sim.engine.script import ScriptError
from sim.engine.standoff import back_down_equilibrium, demands, hold_value, stage_game
from sim.engine.streams import Purpose

__all__ = ["ActorAgent", "MediatorAgent"]


class _Proposer(mesa.Agent):
    """Shared proposal machinery: beliefs about each responder, acceptance estimates."""

    observer_index: int  # the actor's index, or MEDIATOR
    script_index: int

    def _init_beliefs(self, model) -> None:
        cs = model.cs
        n = model.n_trials
        self.belief_prior = {}
        self.belief_particles = {}
        self.belief_weights = {}
        self.belief_touched = {}
        self.belief_bound = {}  # a best responder's one uncertain type, bounded by rejections
        self.belief_truncates = {}
        self.known_veto = {}  # (red line, trial): the responder has declared it binds
        for j in (int(j) for j in cs.protocol.parties):
            if j == self.observer_index:
                continue
            prior = cs.actors.beliefs[(self.observer_index, j)]
            self.belief_prior[j] = bel.make_prior(prior["war_cost"], prior["resolve"],
                                                  cs.ladder.breakdown)
            self.belief_particles[j] = bel.make_particles(prior["war_cost"], prior["resolve"],
                                                     cs.ladder.breakdown)
            k = self.belief_particles[j].z.shape[1]
            self.belief_weights[j] = np.ones((n, k))
            truncates = (self.belief_prior[j].truncates
                         and np.isinf(cs.actors.rationality[j]))
            self.belief_truncates[j] = truncates
            if truncates:
                sign = np.inf if self.belief_prior[j].uncertain == "war_cost" else -np.inf
                self.belief_bound[j] = np.full(n, sign)
            self.belief_touched[j] = np.zeros(n, dtype=bool)
            lines = model.red_lines.package[j]
            self.known_veto[j] = np.zeros((len(lines.veto_terms), n), dtype=bool)

    def acceptance_estimate(self, rows: np.ndarray, responders, t: int,
                            packages: np.ndarray | None = None) -> np.ndarray:
        """P(every responder accepts package x) as this proposer believes: (n, P),
        over all packages or the given subset."""
        m = self.model
        cs = m.cs
        if packages is None:
            packages = np.arange(cs.n_packages)
        p_all = np.ones((len(rows), len(packages)))
        scale_all = m.values.terms(t).scale
        rung = m.state.rung[rows]
        for j in responders:
            lines = m.red_lines.package[j]
            prior, particles = self.belief_prior[j], self.belief_particles[j]
            centre = m.values.reservation_centre(rows, j, t)
            if self.belief_truncates[j]:  # exact: the prior, cut where rejections left it
                touched = np.zeros(len(rows), dtype=bool)
                floor = bel.truncation(prior, self.belief_bound[j][rows], rung)
            else:
                touched = self.belief_touched[j][rows]
                floor = np.zeros(len(rows))
            cum = bel.cdf_table(particles, self.belief_weights[j][rows], rung, touched)
            mode = np.where(prior.known[rung], 0, np.where(touched, 2, 1))
            coef, mask = lines.cost_factors(rows, packages)
            known = np.ascontiguousarray(self.known_veto[j][:, rows])
            vmask = np.array([mk[packages] for _, mk in lines.veto_terms],
                             dtype=bool).reshape(len(known), len(packages))
            accept_into(p_all, scale_all[rows, j], centre, cs.actors.utility[j][packages],
                        coef, mask, mode, prior.knots, rung, floor, cum, particles.lo[rung],
                        particles.width[rung], prior.knots[rung, 0],
                        float(cs.actors.rationality[j]), TIE, lines.prior_pass[packages],
                        known, vmask)
        return p_all

    def noise(self, purpose: Purpose, *keys: int, rows: np.ndarray) -> np.ndarray | None:
        """The uniform numbers a logit choice of this agent needs (None for a best
        response, which needs none)."""
        if np.isinf(self.rationality):
            return None
        return self.model.uniforms(purpose, *keys, rows=rows)

    def scripted_proposal(self, rows: np.ndarray, t: int):
        """The package a script (or the person playing this actor) gives in round t,
        or None."""
        forced = self.model.script.proposals.get((self.script_index, t))
        player = self.model.script.plays(self.script_index)
        if forced is None and player is not None:
            forced = player.propose(self.model, t)
        return None if forced is None else np.full(len(rows), forced, dtype=np.int64)

    def observe_rejection(self, rows, j, packages, vetoed, t) -> None:
        """Learn from responder j's rejections: a rejection citing a red line reveals
        that the line binds; any other rejection updates the belief about j's type
        (Bayes' rule), unless the package crossed a red line (then it is ambiguous)."""
        m = self.model
        if j not in self.belief_particles or len(rows) == 0:
            return
        lines = m.red_lines.package[j]
        for k, (binding, mask) in enumerate(lines.veto_terms):
            declared = rows[vetoed & binding[rows] & mask[packages]]
            self.known_veto[j][k, declared] = True
        crossed = lines.may_veto[packages]
        rows, packages = rows[~crossed], packages[~crossed]
        if len(rows) == 0:
            return
        scale = m.values.terms(t).scale[rows, j]
        threshold = (scale * m.cs.actors.utility[j][packages] - lines.cost_at(rows, packages)
                     - m.values.reservation_centre(rows, j, t))
        rung = m.state.rung[rows]
        if self.belief_truncates[j]:
            bound = self.belief_bound[j]
            bound[rows] = bel.tighten(self.belief_prior[j], bound[rows], rung, threshold)
            return
        self.belief_touched[j][rows] = True
        bel.update_on_rejection(self.belief_particles[j], self.belief_weights[j], rows,
                                rung, threshold, m.cs.actors.rationality[j])


class ActorAgent(_Proposer):
    """A state: preferences, private types (war cost, resolve), public types
    (capability, audience cost, discount), moves and, as a proposer, beliefs."""

    def __init__(self, model, index: int):
        super().__init__(model)
        cs = model.cs
        types = model.draws.types
        self.index = self.observer_index = self.script_index = index
        self.actor_id = cs.actors.ids[index]
        self.war_cost = types["war_cost"][:, index]
        self.resolve = types["resolve"][:, index]
        self.rationality = float(cs.actors.rationality[index])
        self.move_specs = cs.actors.moves[index]
        self.move_costs = model.draws.move_costs[index]  # (N, n_moves)
        if index in cs.protocol.proposers():  # only proposers need beliefs about responders
            self._init_beliefs(model)

    # --- proposing -------------------------------------------------------------------
    def propose(self, rows: np.ndarray, t: int) -> np.ndarray:
        """Maximise P(accept) * objective + (1 - P(accept)) * value of rejection."""
        if (forced := self.scripted_proposal(rows, t)) is not None:
            return forced
        m = self.model
        cs = m.cs
        i = self.index
        U = cs.actors.utility
        responders = [int(j) for j in cs.protocol.parties if j != i]
        p_acc = self.acceptance_estimate(rows, responders, t)
        weights = np.zeros(cs.n_actors)
        weights[i] = 1.0
        weights += cs.actors.influence[i]
        weights /= weights.sum()
        terms = m.values.terms(t)
        scale, carry = terms.scale[rows], terms.carry[rows]
        objective = (scale * weights) @ U + (carry @ weights)[:, None]
        own_lines = m.red_lines.package[i]
        if own_lines.has_cost:
            objective = objective - own_lines.cost(rows, np.arange(cs.n_packages)) * weights[i]
        fallback = m.values.rejection_value(rows, t) @ weights
        eu = p_acc * objective + (1 - p_acc) * fallback[:, None]
        if own_lines.has_veto:
            eu = np.where(own_lines.veto(rows, np.arange(cs.n_packages)), -np.inf, eu)
        return logit_choice(eu, self.rationality, self.noise(Purpose.PROPOSAL, t, rows=rows))

    # --- responding ------------------------------------------------------------------
    def respond(self, rows: np.ndarray, packages: np.ndarray, t: int):
        """Accept iff the package beats the reservation value (logit if lambda < inf);
        a binding red line vetoes. Returns (accepted, vetoed, margin)."""
        m = self.model
        j = self.index
        lines = m.red_lines.package[j]
        scale = m.values.terms(t).scale[rows, j]
        net = scale * m.cs.actors.utility[j][packages] - lines.cost_at(rows, packages)
        reservation = m.values.reservation_centre(rows, j, t) + self.private_shift(rows)
        margin = net - reservation
        vetoed = lines.veto_at(rows, packages)
        forced = m.script.responses.get((j, t))
        player = m.script.plays(j)
        if forced is None and player is not None and not vetoed.all():
            forced = player.respond(m, t, int(packages[0]))
        if forced is not None:
            accept = np.full(len(rows), forced)
        elif np.isinf(self.rationality):
            accept = margin >= -TIE
        else:
            u = self.noise(Purpose.RESPONSE, t, j, rows=rows)
            accept = u < accept_probability(self.rationality, margin)
        return accept & ~vetoed, vetoed, margin

    # --- a standoff -------------------------------------------------------------------
    def stand(self, rows: np.ndarray, t: int, other: int):
        """Hold firm or back down in a standoff (:mod:`sim.engine.standoff`).

        The actor solves the round's logit equilibrium with its own drawn types and the
        other party's private types at their prior means (audience costs, like
        capabilities, are public), and backs down with its equilibrium
        probability (or as scripted: accepting the other's demand is backing down).
        Returns (backs down, probability) per row.
        """
        m = self.model
        cs = m.cs
        i = self.index
        rung = m.state.rung[rows]
        war = m.values.war_public(rows)[:, [i, other]]
        war[:, 0] -= self.war_cost[rows]
        war[:, 1] -= m.values.mean_war_cost[other]
        resolve = np.stack([self.resolve[rows],
                            np.full(len(rows), cs.actors.prior_mean("resolve")[other])], axis=1)
        discount = m.draws.types["discount"][rows][:, [i, other]]
        v_next = m.values.plan[min(t + 1, len(m.values.plan) - 1)][rows][:, [i, other]]
        hold = hold_value(cs, rung, war, v_next, discount, resolve)
        audience = m.draws.types["audience_cost"][rows]  # public types
        mine = stage_game(cs, i, other, hold[:, 0], audience[:, i])
        theirs = stage_game(cs, other, i, hold[:, 1], audience[:, other])
        lam = cs.actors.rationality
        p, _ = back_down_equilibrium(mine, theirs, float(lam[i]), float(lam[other]))
        forced = m.script.responses.get((i, t))
        if forced is None and (player := m.script.plays(i)) is not None:
            forced = player.respond(m, t, demands(cs)[other])
        if forced is not None:
            return np.full(len(rows), bool(forced)), p
        return m.uniforms(Purpose.STANDOFF, t, i, rows=rows) < p, p

    # --- a compellence game ----------------------------------------------------------
    def threaten(self, rows: np.ndarray, t: int, eq):
        """Threaten by one of its moves, or not (:mod:`sim.engine.compellence`): logit
        over the options' values for its own drawn types, against the target's
        equilibrium answers ``eq`` (or as scripted or played). Returns (option,
        probability of the option taken) per row; option 0 is no threat."""
        m = self.model
        game = eq.game
        values = threat_values(game, eq.defy, self.war_cost[rows], self.resolve[rows])
        cap = m.script.caps.get(self.index)
        if cap is not None:  # a capped actor never threatens above its cap
            values[:, np.asarray(game.rung) > cap] = -np.inf
        p = threat_probabilities(game, values)
        forced = m.script.moves.get((self.index, t))
        if forced is not None:
            if forced not in game.rung:
                raise ScriptError(f"{self.actor_id}: round {t}: rung {forced} is none of its "
                                  f"threats (rungs {', '.join(map(str, game.rung))})")
            option = np.full(len(rows), game.rung.index(forced))
        elif (player := m.script.plays(self.index)) is not None:
            rungs, available = self.move_options(rows[:1])
            threats = np.zeros_like(available[0])
            threats[MoveOption.STAY] = True
            for k in game.moves[1:]:
                threats[MoveOption.MOVE + k] = available[0, MoveOption.MOVE + k]
            pick = player.move(m, t, rungs[0], threats)
            option = np.full(len(rows), 0 if pick == MoveOption.STAY
                             else game.moves.index(pick - MoveOption.MOVE))
        else:
            u = m.uniforms(Purpose.THREAT, t, self.index, rows=rows)
            cum = np.cumsum(p, axis=1)
            option = np.minimum((cum < (u * cum[:, -1])[:, None]).sum(axis=1),
                                game.n_options - 1)
        return option, p[np.arange(len(rows)), option]

    def answer(self, rows: np.ndarray, t: int, eq, option: np.ndarray):
        """As the target: comply with the threatener's demand or defy a threat
        ``option``, believing it will be carried out with the equilibrium posterior
        (scripted ``responses`` and players: accepting is complying). A binding red
        line against the demand makes it defy. Returns (defies, P(defy), vetoed)."""
        m = self.model
        game = eq.game
        i = self.index
        vetoed = m.red_lines.package[i].veto_at(rows, np.full(len(rows), game.demand))
        p = defiance_probability(game, option, eq.carry_out[option], self.war_cost[rows],
                                 self.resolve[rows])
        p = np.where(vetoed, 1.0, p)
        forced = m.script.responses.get((i, t))
        if forced is None and (player := m.script.plays(i)) is not None and not vetoed.all():
            forced = player.respond(m, t, game.demand)
        if forced is not None:
            return vetoed | (not forced), p, vetoed
        return vetoed | (m.uniforms(Purpose.RESPONSE, t, i, rows=rows) < p), p, vetoed

    def carry_out(self, rows: np.ndarray, t: int, eq):
        """As the threatener whose threat was defied: carry it out (war) or back down
        (scripted ``responses``: true is backing down, as in a standoff; capped below
        the war rung, it always backs down). Returns (carries out, probability) per row."""
        m = self.model
        p = carry_out_probability(eq.game, self.war_cost[rows], self.resolve[rows])
        if m.script.caps.get(self.index, m.cs.n_rungs) < m.cs.ladder.war_rung:
            p = np.zeros_like(p)  # capped below war: it cannot carry the threat out
        forced = m.script.responses.get((self.index, t))
        if forced is not None:
            return np.full(len(rows), not forced), p
        if (player := m.script.plays(self.index)) is not None and len(rows):
            return np.full(len(rows), bool(player.carry_out(m, t))), p
        return m.uniforms(Purpose.CARRY_OUT, t, self.index, rows=rows) < p, p

    def private_shift(self, rows: np.ndarray) -> np.ndarray:
        """The private part Z = resolve - q(rung) war_cost of the reservation value."""
        q = self.model.cs.ladder.breakdown[self.model.state.rung[rows]]
        return self.resolve[rows] - q * self.war_cost[rows]

    # --- moving on the ladder -----------------------------------------------------------
    def move_options(self, rows: np.ndarray):
        """Candidate rungs (n, M) and availability, indexed by
        :class:`~sim.engine.codes.MoveOption`: stay, step down, then each move."""
        r = self.model.state.rung[rows]
        n_opt = MoveOption.MOVE + len(self.move_specs)
        rungs = np.empty((len(rows), n_opt), dtype=np.int64)
        rungs[:, MoveOption.STAY] = r
        rungs[:, MoveOption.STEP_DOWN] = np.maximum(r - 1, 0)
        available = np.ones((len(rows), n_opt), dtype=bool)
        available[:, MoveOption.STEP_DOWN] = r > 0
        cap = self.model.script.caps.get(self.index, self.model.cs.n_rungs)
        for k, spec in enumerate(self.move_specs):
            rungs[:, MoveOption.MOVE + k] = spec.rung
            available[:, MoveOption.MOVE + k] = (spec.rung > r) & (spec.rung <= cap)
        return rungs, available

    def move_values(self, rows: np.ndarray, t: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Candidate rungs, availability and each option's expected utility (n, M).

        Option o reaching rung r' is worth ``q(r') W_i + (1 - q(r')) cont_i - cost_o``
        (war itself, W_i, at the war rung), plus two one-step-ahead gains:

        - coercion: raising the risk from q(r) to q(r') lowers each opponent's
          reservation value by ``(q(r') - q(r)) (cont_j - W_j)`` (its war value at the
          prior mean of its war cost); the mover gains about half of that shift, the
          symmetric split of the bargaining surplus (Schelling 1966);
        - half the change in its own war value from the move's effects on stocks that
          carry capability (a strike on the opponent's missiles).
        """
        m = self.model
        cs = m.cs
        i = self.index
        side = cs.actors.side
        breakdown = cs.ladder.breakdown
        rungs, available = self.move_options(rows)
        q_now = breakdown[m.state.rung[rows]][:, None]
        q_new = breakdown[np.minimum(rungs, cs.n_rungs - 1)]
        w_pub = m.values.war_public(rows)  # (n, A)
        w_own = (w_pub[:, i] - self.war_cost[rows] * (side[i] >= 0))[:, None]
        cont_all = m.values.terms(t).cont[rows]
        cont = cont_all[:, [i]]
        eu = q_new * w_own + (1 - q_new) * cont
        if side[i] >= 0:
            for j in cs.protocol.parties:
                if side[j] >= 0 and side[j] != side[i]:
                    w_j = w_pub[:, j] - m.values.mean_war_cost[j]
                    slack = cont_all[:, j] - w_j
                    eu += 0.5 * (q_new - q_now) * slack[:, None]
        costs = np.zeros_like(eu)
        for k, spec in enumerate(self.move_specs):
            option = MoveOption.MOVE + k
            costs[:, option] = self.move_costs[rows, k]
            armed = cs.stocks.capability_per_unit[[e.stock for e in spec.effects]]
            if spec.effects and armed.any():
                after = m.values.war_public(rows, effects=spec.effects)[:, i]
                eu[:, option] += 0.5 * (after - w_pub[:, i])
        war = rungs >= cs.ladder.war_rung
        eu = np.where(war, w_own, eu) - costs
        return rungs, available, np.where(available, eu, -np.inf)

    def choose_move(self, rows: np.ndarray, t: int, values=None):
        """Pick a rung by logit over :meth:`move_values` (or as scripted).
        Returns (option, rung) per row."""
        m = self.model
        rungs, available, eu = values if values is not None else self.move_values(rows, t)
        forced = m.script.moves.get((self.index, t))
        if forced is not None:
            return self.scripted_move(rungs, available, forced, t)
        if (player := m.script.plays(self.index)) is not None:
            option = np.full(len(rows), player.move(m, t, rungs[0], available[0]))
            return option, rungs[np.arange(len(rows)), option]
        u = self.noise(Purpose.MOVE, t, self.index, rows=rows)
        option = logit_choice(eu, self.rationality, u)
        return option, rungs[np.arange(len(rows)), option]

    def choose_again(self, rows: np.ndarray, t: int, values, where: np.ndarray, chosen):
        """Choose again, without coalition moves, in the rows ``where`` a partner declined
        (the same rule and the same random number as the first choice)."""
        rungs, available, eu = values
        solo = np.array([not s.joint_with for s in self.move_specs])
        allowed = np.concatenate([[True] * MoveOption.MOVE, solo])
        if (player := self.model.script.plays(self.index)) is not None and where.any():
            declined = self.move_specs[int(chosen[0][0]) - MoveOption.MOVE]
            option = np.full(len(rows), player.move(self.model, t, rungs[0],
                                                    available[0] & allowed, declined))
            return option, rungs[np.arange(len(rows)), option]
        eu = np.where(allowed[None, :], eu, -np.inf)
        u = self.noise(Purpose.MOVE, t, self.index, rows=rows)
        option = np.where(where, logit_choice(eu, self.rationality, u), chosen[0])
        return option, rungs[np.arange(len(rows)), option]

    def joint_option(self, rung: int, initiator: int) -> int | None:
        """The option by which this actor joins ``initiator``'s coalition move (None if it
        has none, or a script caps it below that rung)."""
        if rung > self.model.script.caps.get(self.index, rung):
            return None
        for k, spec in enumerate(self.move_specs):
            if spec.rung == rung and initiator in spec.joint_with:
                return MoveOption.MOVE + k
        return None

    def scripted_move(self, rungs, available, rung: int, t: int):
        """The option that reaches the scripted rung (stay, step down or a move)."""
        from sim.engine.script import ScriptError

        match = (rungs == rung) & available
        match[:, MoveOption.STAY] |= rungs[:, MoveOption.STAY] == rung  # staying is possible
        if not match.any(axis=1).all():
            raise ScriptError(
                f"{self.actor_id} cannot reach rung {rung} in round {t}: its options are "
                "to stay, step down one rung, or one of its moves above the current rung"
            )
        option = np.argmax(match, axis=1)
        return option, rungs[np.arange(len(rungs)), option]


class MediatorAgent(_Proposer):
    """A mediator (e.g. Oman): proposes the package the parties are most likely to
    accept; among packages with the same chance, the one with the largest total
    utility to the parties.

    With a finite ``mediator_rationality`` lambda the chance it aims at is chosen by
    logit over the candidates, P(x) proportional to exp(lambda P(accept | x)), and the
    tie-break applies among the packages with the chosen package's chance.
    """

    #: Chances of acceptance closer than this count as equal.
    SAME_CHANCE = 1e-12

    def __init__(self, model):
        super().__init__(model)
        self.observer_index = self.script_index = MEDIATOR
        self.name = model.cs.protocol.mediator_name
        self.rationality = float(model.cs.protocol.mediator_rationality)
        self._init_beliefs(model)
        cs = model.cs
        self.total = sum(cs.actors.utility[int(j)][cs.packages.mediator_candidates]
                         for j in cs.protocol.parties)

    def propose(self, rows: np.ndarray, t: int) -> np.ndarray:
        """The package each running trial is offered (see the class docstring)."""
        if (forced := self.scripted_proposal(rows, t)) is not None:
            return forced
        m = self.model
        cs = m.cs
        candidates = cs.packages.mediator_candidates
        parties = [int(j) for j in cs.protocol.parties]
        chance = self.acceptance_estimate(rows, parties, t, candidates)
        choice = logit_choice(chance, self.rationality, self.noise(Purpose.PROPOSAL, t, rows=rows))
        aimed = chance[np.arange(len(rows)), choice]
        same = np.abs(chance - aimed[:, None]) <= self.SAME_CHANCE
        return candidates[np.argmax(np.where(same, self.total, -np.inf), axis=1)]
