"""Mesa agents: one per actor (and one for a mediator), each holding its private
and public types as arrays over the trials of a chunk.

An agent decides for every running trial at once: which package to propose, whether
to accept, which rung of the ladder to move to. The model (:mod:`sim.engine.model`) calls
them in the order of a round.

References
----------
McKelvey, R. D., and Palfrey, T. R. (1995). Quantal response equilibria for normal
form games. *Games and Economic Behavior* 10(1), 6-38.
Schelling, T. C. (1966). *Arms and Influence*. Yale University Press.
"""

from __future__ import annotations

import mesa
import numpy as np

from sim.engine import beliefs as bel
from sim.engine.kernels import accept_into
from sim.engine.payoffs import TIE

__all__ = ["ActorAgent", "MediatorAgent", "logit_choice"]


def logit_choice(rng: np.random.Generator, utility: np.ndarray, rationality: float):
    """Index of the chosen column per row: argmax for lambda = inf, else logit.

    Logit draws P(a) = exp(lambda U_a) / sum_b exp(lambda U_b) by inverting the
    cumulative choice probabilities with one uniform number per row.
    """
    if np.isinf(rationality) or utility.shape[0] == 0:
        return np.argmax(utility, axis=1)
    top = np.max(utility, axis=1, keepdims=True)
    with np.errstate(invalid="ignore", under="ignore"):
        weight = np.exp(np.where(np.isfinite(utility), rationality * (utility - top), -np.inf))
    cum = np.cumsum(weight, axis=1)
    u = rng.random(utility.shape[0]) * cum[:, -1]
    choice = (cum <= u[:, None]).sum(axis=1)
    return np.minimum(choice, utility.shape[1] - 1)


def proposers(cs) -> set[str]:
    """Actors who ever propose under the protocol."""
    if cs.proposer == "mediator":
        return set()
    if cs.proposer == "rotate":
        return {cs.actor_ids[i] for i in cs.rotation}
    return {cs.proposer}


class _Proposer(mesa.Agent):
    """Shared proposal machinery: beliefs about each responder, acceptance estimates."""

    observer_index: int

    def _init_beliefs(self, model) -> None:
        cs = model.cs
        n = model.n_trials
        self.belief_grid = {}
        self.belief_weights = {}
        self.belief_touched = {}
        self.known_veto = {}  # (red line, trial): the responder has declared it binds
        for j in cs.parties:
            if j == self.observer_index:
                continue
            prior = cs.beliefs[(self.observer_index, int(j))]
            self.belief_grid[int(j)] = bel.make_belief_grid(
                prior["war_cost"], prior["resolve"], cs.breakdown
            )
            k = self.belief_grid[int(j)].z.shape[1]
            self.belief_weights[int(j)] = np.ones((n, k))
            self.belief_touched[int(j)] = np.zeros(n, dtype=bool)
            self.known_veto[int(j)] = np.zeros((len(model.lines[j].veto_terms), n), dtype=bool)

    def acceptance_estimate(self, rows: np.ndarray, responders, t: int,
                            packages: np.ndarray | None = None) -> np.ndarray:
        """P(every responder accepts package x) as this proposer believes: (n, P),
        over all packages or the given subset."""
        m = self.model
        if packages is None:
            packages = np.arange(m.cs.n_packages)
        p_all = np.ones((len(rows), len(packages)))
        scale_all = m.terms(t)[0]
        for j in responders:
            centre = m.reservation_centre(rows, j, t)
            cum, lo, width, z0 = bel.cdf_table(self.belief_grid[j], self.belief_weights[j][rows],
                                               m.rung[rows], self.belief_touched[j][rows])
            coef, mask = m.lines[j].cost_factors(rows, packages)
            known = np.ascontiguousarray(self.known_veto[j][:, rows])
            vmask = np.array([mk[packages] for _, mk in m.lines[j].veto_terms],
                             dtype=bool).reshape(len(known), len(packages))
            accept_into(p_all, scale_all[rows, j], centre,
                        m.cs.utility[j][packages], coef, mask, cum, lo, width, z0,
                        float(m.cs.rationality[j]), TIE, m.lines[j].prior_pass[packages],
                        known, vmask)
        return p_all

    def scripted_proposal(self, rows: np.ndarray, t: int):
        """The package a script forces in round t, or None."""
        forced = self.model.script.proposals.get((self.script_index, t))
        return None if forced is None else np.full(len(rows), forced)

    def observe_rejection(self, rows, j, packages, vetoed, t) -> None:
        """Learn from responder j's rejections: a rejection citing a red line reveals
        that the line binds; any other rejection updates the belief about j's type
        (Bayes' rule), unless the package crossed a red line (then it is ambiguous)."""
        m = self.model
        if j not in self.belief_grid or len(rows) == 0:
            return
        for k, (binding, mask) in enumerate(m.lines[j].veto_terms):
            declared = rows[vetoed & binding[rows] & mask[packages]]
            self.known_veto[j][k, declared] = True
        crossed = m.lines[j].may_veto[packages]
        rows, packages = rows[~crossed], packages[~crossed]
        if len(rows) == 0:
            return
        scale = m.terms(t)[0][rows, j]
        threshold = (scale * m.cs.utility[j][packages] - m.lines[j].cost_at(rows, packages)
                     - m.reservation_centre(rows, j, t))
        self.belief_touched[j][rows] = True
        bel.update_on_rejection(self.belief_grid[j], self.belief_weights[j], rows,
                                m.rung[rows], threshold, m.cs.rationality[j])


class ActorAgent(_Proposer):
    """A state: preferences, private types (war cost, resolve), public types
    (capability, audience cost, discount), moves and, as a proposer, beliefs."""

    def __init__(self, model, index: int, types: dict[str, np.ndarray], move_costs):
        super().__init__(model)
        cs = model.cs
        self.index = index
        self.observer_index = index
        self.script_index = index
        self.actor_id = cs.actor_ids[index]
        self.war_cost = types["war_cost"]
        self.resolve = types["resolve"]
        self.capability = types["capability"]
        self.audience_cost = types["audience_cost"]
        self.discount = types["discount"]
        self.rationality = float(cs.rationality[index])
        self.move_specs = cs.moves[index]
        self.move_costs = move_costs  # (N, n_moves)
        if self.actor_id in proposers(cs):  # only proposers need beliefs about responders
            self._init_beliefs(model)

    # --- proposing -------------------------------------------------------------------
    def propose(self, rows: np.ndarray, t: int) -> np.ndarray:
        """Maximise P(accept) * objective + (1 - P(accept)) * value of rejection."""
        if (forced := self.scripted_proposal(rows, t)) is not None:
            return forced
        m = self.model
        cs = m.cs
        i = self.index
        responders = [int(j) for j in cs.parties if j != i]
        p_acc = self.acceptance_estimate(rows, responders, t)
        weights = np.zeros(cs.n_actors)
        weights[i] = 1.0
        weights += cs.influence[i]
        weights /= weights.sum()
        scale, carry = (a[rows] for a in m.terms(t)[:2])
        objective = (scale * weights) @ cs.utility + (carry @ weights)[:, None]
        if m.lines[i].has_cost:
            objective = objective - m.lines[i].cost(rows, np.arange(cs.n_packages)) * weights[i]
        fallback = m.rejection_value(rows, t) @ weights
        eu = p_acc * objective + (1 - p_acc) * fallback[:, None]
        if m.lines[i].has_veto:
            eu = np.where(m.lines[i].veto(rows, np.arange(cs.n_packages)), -np.inf, eu)
        return logit_choice(m.rng, eu, self.rationality)

    # --- responding ------------------------------------------------------------------
    def respond(self, rows: np.ndarray, packages: np.ndarray, t: int, u: np.ndarray):
        """Accept iff the package beats the reservation value (logit if lambda < inf);
        a binding red line vetoes. Returns (accepted, vetoed, margin)."""
        m = self.model
        j = self.index
        scale = m.terms(t)[0][rows, j]
        net = scale * m.cs.utility[j][packages] - m.lines[j].cost_at(rows, packages)
        reservation = m.reservation_centre(rows, j, t) + self.private_shift(rows)
        margin = net - reservation
        vetoed = m.lines[j].veto_at(rows, packages)
        forced = m.script.responses.get((j, t))
        if forced is not None:
            accept = np.full(len(rows), forced)
        elif np.isinf(self.rationality):
            accept = margin >= -TIE
        else:
            accept = u < 1.0 / (1.0 + np.exp(-np.clip(self.rationality * margin, -700, 700)))
        return accept & ~vetoed, vetoed, margin

    def private_shift(self, rows: np.ndarray) -> np.ndarray:
        """The private part Z = resolve - q(rung) war_cost of the reservation value."""
        q = self.model.cs.breakdown[self.model.rung[rows]]
        return self.resolve[rows] - q * self.war_cost[rows]

    # --- moving on the ladder -----------------------------------------------------------
    def move_options(self, rows: np.ndarray):
        """Candidate rungs (n, M) and availability: stay, step down, then each move."""
        m = self.model
        r = m.rung[rows]
        n_opt = 2 + len(self.move_specs)
        rungs = np.empty((len(rows), n_opt), dtype=np.int64)
        rungs[:, 0] = r
        rungs[:, 1] = np.maximum(r - 1, 0)
        available = np.ones((len(rows), n_opt), dtype=bool)
        available[:, 1] = r > 0
        for k, spec in enumerate(self.move_specs):
            rungs[:, 2 + k] = spec.rung
            available[:, 2 + k] = spec.rung > r
        return rungs, available

    def choose_move(self, rows: np.ndarray, t: int):
        """Pick a rung by logit over one-step expected utility. Returns (option, rung)."""
        m = self.model
        cs = m.cs
        i = self.index
        rungs, available = self.move_options(rows)
        q_now = cs.breakdown[m.rung[rows]][:, None]
        q_new = cs.breakdown[np.minimum(rungs, cs.n_rungs - 1)]
        w_pub = m.war_public(rows)  # (n, A)
        w_own = (w_pub[:, i] - self.war_cost[rows] * (cs.side[i] >= 0))[:, None]
        cont_all = m.terms(t)[2][rows]
        cont = cont_all[:, [i]]
        eu = q_new * w_own + (1 - q_new) * cont
        # Coercion: raising the risk lowers opponents' reservation values; the mover
        # gains about half the shift (the symmetric split of the bargaining surplus).
        if cs.side[i] >= 0:
            for j in cs.parties:
                if cs.side[j] >= 0 and cs.side[j] != cs.side[i]:
                    w_j = w_pub[:, j] - m.mean_war_cost[j]
                    slack = cont_all[:, j] - w_j
                    eu += 0.5 * (q_new - q_now) * slack[:, None]
        costs = np.zeros_like(eu)
        for k, spec in enumerate(self.move_specs):
            costs[:, 2 + k] = self.move_costs[rows, k]
            if spec.effects and m.cs.stock_capability[[e[0] for e in spec.effects]].any():
                after = m.war_public(rows, effects=spec.effects)[:, i]
                eu[:, 2 + k] += 0.5 * (after - w_pub[:, i])
        war = rungs >= cs.war_rung
        eu = np.where(war, w_own, eu) - costs
        eu = np.where(available, eu, -np.inf)
        forced = m.script.moves.get((i, t))
        if forced is not None:
            return self.scripted_move(rungs, available, forced, t)
        option = logit_choice(m.rng, eu, self.rationality)
        return option, rungs[np.arange(len(rows)), option]

    def scripted_move(self, rungs, available, rung: int, t: int):
        """The option that reaches the scripted rung (stay, step down or a move)."""
        from sim.engine.script import ScriptError

        match = (rungs == rung) & available
        match[:, 0] |= rungs[:, 0] == rung  # staying is always possible
        if not match.any(axis=1).all():
            raise ScriptError(
                f"{self.actor_id} cannot reach rung {rung} in round {t}: its options are "
                "to stay, step down one rung, or one of its moves above the current rung"
            )
        option = np.argmax(match, axis=1)
        return option, rungs[np.arange(len(rungs)), option]


class MediatorAgent(_Proposer):
    """A mediator (e.g. Oman): proposes the package the parties are most likely to
    accept, ties broken toward the larger total gain."""

    def __init__(self, model):
        super().__init__(model)
        self.observer_index = model.cs.n_actors
        self.script_index = -1
        self.name = model.cs.mediator_name
        self.rationality = float(model.cs.mediator_rationality)
        self._init_beliefs(model)

    def propose(self, rows: np.ndarray, t: int) -> np.ndarray:
        if (forced := self.scripted_proposal(rows, t)) is not None:
            return forced
        m = self.model
        cs = m.cs
        parties = [int(j) for j in cs.parties]
        candidates = cs.mediator_packages
        p_all = self.acceptance_estimate(rows, parties, t, candidates)
        # ties (e.g. nothing acceptable) broken toward the larger total utility
        total = sum(cs.utility[j][candidates] for j in parties)[None, :]
        score = p_all + 1e-3 * total / len(parties)
        return candidates[logit_choice(m.rng, score, self.rationality)]
