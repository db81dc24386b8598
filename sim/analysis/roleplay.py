"""Role-play: a person plays one actor of a scenario, round by round, against the
model's other actors (``escalation play``).

The person's choices enter the engine through :class:`~sim.engine.script.Player`; the
trial is an ordinary one-trial model, so everything else (types, red lines, breakdown,
the other actors' choices) follows the model's rules and random streams. What the
person sees is what their actor knows: its own drawn types and red lines, the other
actors' public red lines, the rung, the stocks, and each round's proposals, responses
and moves as they happen.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from sim.engine.codes import MoveOption
from sim.engine.compiled import CompiledScenario
from sim.engine.script import ScriptError, package_index

__all__ = ["PlayAbandoned", "TerminalPlayer", "briefing"]


class PlayAbandoned(Exception):
    """The input ended before the trial did."""


@dataclass
class TerminalPlayer:
    """Asks a person for one actor's choices on a terminal (``ask`` and ``say`` are
    ``input`` and ``print`` by default; tests pass their own)."""

    actor: int
    cs: CompiledScenario
    teller: object  # sim.analysis.narrative.Teller over the played model
    ask: Callable[[str], str] = input
    say: Callable[[str], None] = print
    choices: list[dict] = field(default_factory=list)
    _shown: int = 0

    # --- what the person sees --------------------------------------------------------------
    def catch_up(self, model) -> None:
        """Print the events of the trial not shown yet."""
        events = model.trace.events
        for e in events[self._shown:]:
            if e["kind"] != "start":
                for line in self.teller.tell(e):
                    self.say(line)
        self._shown = len(events)

    def _prompt(self, question: str, valid: Callable[[str], object | None], hint: str):
        while True:
            try:
                answer = self.ask(question).strip()
            except EOFError:
                raise PlayAbandoned from None
            value = valid(answer)
            if value is not None:
                return value
            self.say(f"  {hint}")

    def _yes_no(self, question: str) -> bool:
        answers = {"y": True, "yes": True, "n": False, "no": False}
        return self._prompt(f"{question} [y/n] ", lambda a: answers.get(a.lower()),
                            "please answer y or n")

    def _value(self, package: int) -> float:
        return float(self.cs.actors.utility[self.actor][package])

    # --- the choices (sim.engine.script.Player) ------------------------------------------
    def propose(self, model, t: int) -> int:
        """Choose a level on each issue; dominated packages are refused with a reason."""
        self.catch_up(model)
        space = self.cs.packages
        self.say(f"\nRound {t}: it is your turn to propose a package.")
        while True:
            labels = {}
            for k, iid in enumerate(space.issue_ids):
                levels = space.level_labels[k]
                names = space.level_names[k] if k < len(space.level_names) else None
                shown = "; ".join(f"{i + 1} {names[i] if names else lv}"
                                  for i, lv in enumerate(levels))
                pick = self._prompt(f"  {iid} ({shown}): ", _index(len(levels)),
                                    f"type a number from 1 to {len(levels)}")
                labels[iid] = levels[pick]
            try:
                p = package_index(self.cs, labels)
            except ScriptError as err:
                self.say(f"  {err}; choose again.")
                continue
            self.choices.append({"round": t, "kind": "proposal", "package": labels})
            return p

    def respond(self, model, t: int, package: int) -> bool:
        """Accept or reject, seeing the package and what it and the status quo are worth."""
        self.catch_up(model)
        sq = self.cs.packages.status_quo
        if self.cs.protocol.standoff:
            return self._stand(model, t, package)
        if self.cs.protocol.compellence:
            return self._comply(model, t, package)
        self.say(f"\nRound {t}: on the table: {self.cs.packages.describe(package)}.")
        self.say(f"  It is worth {self._value(package):.3f} to you; the status quo is worth "
                 f"{self._value(sq):.3f} (1 = your ideal package).")
        accept = self._yes_no("  Accept?")
        self.choices.append({"round": t, "kind": "response", "accept": accept})
        return accept

    def _stand(self, model, t: int, demand: int) -> bool:
        """In a standoff: back down (concede the other's demand) or hold firm."""
        cs = self.cs
        rung = int(model.state.rung[0])
        own = int(np.argmax(cs.actors.utility[self.actor]))
        self.say(f"\nRound {t}: standoff at rung {rung} ({cs.ladder.rung_names[rung]}). "
                 "You and the other side choose at the same time.")
        sq = cs.packages.status_quo
        self.say(f"  If you back down alone, the other side gets its demand "
                 f"({cs.packages.describe(demand)}), worth {self._value(demand):.3f} to you. "
                 f"If it backs down alone, you get yours ({cs.packages.describe(own)}), worth "
                 f"{self._value(own):.3f}. If both back down, the status quo stays "
                 f"({cs.packages.describe(sq)}), worth {self._value(sq):.3f}.")
        risk, cost = cs.ladder.breakdown[rung], cs.ladder.holding[rung]
        war = self._war_value(model)
        audience = model.draws.types["audience_cost"][0, self.actor]
        hold = f"  If both hold: the crisis slides into war with probability {risk:.2f}"
        hold += f" (war is worth {war:.3f} to you: your war value less your war cost)"
        hold += f", and each pays a holding cost of {cost:g}." if cost else "."
        self.say(hold)
        if audience:
            self.say(f"  Backing down also costs you your audience cost, {audience:.3f}.")
        back = self._yes_no("  Back down?")
        self.choices.append({"round": t, "kind": "response", "accept": back})
        return back

    def _war_value(self, model) -> float:
        return float(model.values.war_public(np.array([0]))[0, self.actor]
                     - model.draws.types["war_cost"][0, self.actor])

    def _comply(self, model, t: int, demand: int) -> bool:
        """As the target of a threat: comply with the demand or defy it, knowing what each
        is worth, what the threatener risks by backing down, and what the threat says."""
        cs = self.cs
        eq = model.compellence
        game = eq.game
        other = cs.actor_name(game.threatener)
        rung = int(model.state.rung[0])
        risk = cs.ladder.breakdown[rung]
        audience = model.draws.types["audience_cost"][0, self.actor]
        self.say(f"\nRound {t}: {other} demands "
                 f"{cs.packages.describe(demand)}: worth {self._value(demand):.3f} to you, "
                 f"against {self._value(cs.packages.status_quo):.3f} for the status quo.")
        if audience:
            self.say(f"  Complying in public costs you your audience cost, {audience:.3f}.")
        self.say(f"  If you defy: war is worth {self._war_value(model):.3f} to you (your war "
                 "value less your war cost); "
                 + (f"the crisis slides into it with probability {risk:.2f}, and otherwise "
                    if risk else "")
                 + f"{other} either carries out its threat (war) or backs down (the status "
                 f"quo), paying its audience cost, {game.audience[0]:.3f}.")
        war_cost, resolve = game.prior_about_threatener
        self.say(f"  You do not know {other}'s war cost ({_describe(war_cost)}) or its "
                 f"resolve, its value of war beyond that ({_describe(resolve)}).")
        self.say(f"  Before any threat the chance that {other} would carry one out was "
                 f"{eq.prior_carry_out:.3f}; knowing which types make this threat, it is "
                 f"{eq.carry_out[game.rung.index(rung)]:.3f}.")
        comply = self._yes_no("  Comply?")
        self.choices.append({"round": t, "kind": "response", "accept": comply})
        return comply

    def carry_out(self, model, t: int) -> bool:
        """As a threatener defied: carry out the threat (war) or back down."""
        self.catch_up(model)
        cs, d, i = self.cs, model.draws, self.actor
        lottery = float(model.values.war_public(np.array([0]))[0, i])
        cost, resolve = d.types["war_cost"][0, i], d.types["resolve"][0, i]
        audience = d.types["audience_cost"][0, i]
        sq = self._value(cs.packages.status_quo)
        self.say(f"\nRound {t}: your threat was defied. Carrying it out means war, worth "
                 f"{lottery:.3f} (the war lottery) - {cost:.3f} (your war cost) + "
                 f"{resolve:.3f} (your resolve) = {lottery - cost + resolve:.3f} to you. "
                 f"Backing down leaves the status quo, {sq:.3f}"
                 + (f", less your audience cost, {audience:.3f}: {sq - audience:.3f}."
                    if audience else "."))
        carry = self._yes_no("  Carry out the threat?")
        self.choices.append({"round": t, "kind": "carry_out", "carry_out": carry})
        return carry

    def move(self, model, t: int, rungs: np.ndarray, available: np.ndarray,
             declined=None) -> int:
        """Pick a move on the ladder among the available options (again, without
        coalition moves, if a partner ``declined`` the one picked first)."""
        self.catch_up(model)
        ladder = self.cs.ladder.rung_names
        specs = self.cs.actors.moves[self.actor]
        options = []
        for o in np.flatnonzero(available):
            r = int(rungs[o])
            if o == MoveOption.STAY:
                text = f"stay at rung {r} ({ladder[r]})"
            elif o == MoveOption.STEP_DOWN:
                text = f"step down to rung {r} ({ladder[r]})"
            else:
                spec = specs[o - MoveOption.MOVE]
                partners = (" with " + ", ".join(self.cs.actor_name(p) for p in spec.joint_with)
                            if spec.joint_with else "")
                text = (f"{spec.name}{partners} (rung {r})" if spec.name == ladder[r]
                        else f"{spec.name}{partners}: rung {r} ({ladder[r]})")
            options.append((int(o), text))
        if self.cs.protocol.compellence:
            self._threat_briefing(model, t, options, rungs)
        elif declined is not None:
            partners = ", ".join(self.cs.actor_name(p) for p in declined.joint_with)
            self.say(f"\nRound {t}: {partners} declined to join your {declined.name}. "
                     "Choose again, on your own:")
        else:
            self.say(f"\nRound {t}: the round ended without a deal. Your move on the ladder:")
        for n, (_, text) in enumerate(options, 1):
            self.say(f"  {n}. {text}")
        pick = self._prompt("  Your choice: ", _index(len(options)),
                            f"type a number from 1 to {len(options)}")
        option = options[pick][0]
        self.choices.append({"round": t, "kind": "move", "rung": int(rungs[option]),
                             "option": options[pick][1]})
        return option

    def _threat_briefing(self, model, t: int, options: list, rungs: np.ndarray) -> None:
        """As the threatener: what the target loses by complying, what it risks, what is
        known about it, and (per threat) how often the model's target defies it."""
        cs, eq = self.cs, model.compellence
        game = eq.game
        b = cs.actor_name(game.target)
        options[0] = (options[0][0], "make no threat (the status quo stands)")
        for n, (o, text) in enumerate(options[1:], 1):
            k = game.rung.index(int(rungs[o]))
            options[n] = (o, f"{text}: if defied, war with probability {game.risk[k]:g}; the "
                          f"model's {b} defies it with probability {eq.defy[k]:.2f}")
        # eq.defy is B's equilibrium strategy over all the types it may have (what A knows
        # in equilibrium), not this trial's B: it tells nothing private.
        demand = game.demand
        self.say(f"\nRound {t}: you may threaten, to demand "
                 f"{cs.packages.describe(demand)} ({self._value(demand):.3f} to you, "
                 f"{self._value(cs.packages.status_quo):.3f} now). Complying costs {b} "
                 f"{game.u_status_quo[1] - game.u_demand[1]:.3f} (and its audience cost, "
                 f"{game.audience[1]:.3f}); war would be worth "
                 f"{game.war_public[1]:.3f} to it before its war cost "
                 f"({_describe(game.prior_about_target[0])}).")
        self.say(f"  (How often {b} defies each threat is the model's {b} over all the types "
                 "it may have: its strategy in equilibrium, not what this trial's "
                 f"{b} will do.)")
        if game.veto:
            self.say(f"  {b}'s public red lines forbid your demand; they bind (it will defy "
                     f"whatever you do) with probability {game.veto:.2f}.")
        self.say("  A threat raises the rung; defied, it slides into war at the rung's risk, "
                 "or you decide to carry it out or back down. Your choice:")

    def join(self, model, t: int, initiator: int, spec) -> bool:
        """Join an ally's coalition move or not."""
        self.catch_up(model)
        self.say(f"\nRound {t}: {self.cs.actor_name(initiator)} proposes a joint move: "
                 f"{spec.name} (rung {spec.rung}).")
        joined = self._yes_no("  Join?")
        self.choices.append({"round": t, "kind": "join", "joined": joined})
        return joined


def _describe(dist) -> str:
    """A distribution in words."""
    lo, hi = dist.support()
    if lo == hi:
        return f"{lo:.3g} for certain"
    if getattr(dist, "dist", "") == "uniform":
        return f"uniform from {lo:.3g} to {hi:.3g}"
    return f"{dist.dist.replace('_', ' ')}, mean {dist.mean():.3g}, from {lo:.3g} to {hi:.3g}"


def _index(n: int) -> Callable[[str], int | None]:
    def valid(answer: str) -> int | None:
        return int(answer) - 1 if answer.isdigit() and 1 <= int(answer) <= n else None
    return valid


def briefing(model, actor: int) -> list[str]:
    """What the actor knows at the start: its own types, preferences and red lines (and
    whether each binds), the others' public red lines, its moves."""
    cs, d = model.cs, model.draws
    name = cs.actor_name(actor)
    lines = [f"You are {name} in '{cs.title}'.", "", "Your values in this trial:"]
    for t in ("war_cost", "resolve", "capability", "audience_cost", "discount"):
        lines.append(f"  {t.replace('_', ' ')}: {d.types[t][0, actor]:.3g}")
    lines.append("What you want (ideal level, weight):")
    space = cs.packages
    utility = cs.actors.utility[actor]
    best = int(np.argmax(utility))
    lines.append(f"  your ideal package: {space.describe(best)}")
    lines.append(f"  the status quo ({space.describe(space.status_quo)}) is worth "
                 f"{utility[space.status_quo]:.3f} to you")
    own = [(k, rl) for k, rl in enumerate(cs.red_lines) if rl.holder == actor]
    if own:
        lines.append("Your red lines:")
        for k, rl in own:
            binds = "you are committed to it" if d.binding[0, k] else "you may give way"
            lines.append(f"  {rl.id}: {rl.description or rl.kind} ({binds}"
                         f"{', public' if rl.public else ', private'})")
    others = [rl for rl in cs.red_lines if rl.holder != actor and rl.public]
    if others:
        lines.append("Other actors' public red lines (you do not know if they bind, until an "
                     "actor rejects a package by one: that declares it binds, as it does for "
                     "the model's actors):")
        for rl in others:
            lines.append(f"  {cs.actor_name(rl.holder)}: {rl.description or rl.id}")
    lines.append(f"The crisis starts at rung {cs.ladder.start} "
                 f"({cs.ladder.rung_names[cs.ladder.start]}); war at rung {cs.ladder.war_rung}.")
    return lines
