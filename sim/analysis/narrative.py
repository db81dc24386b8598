"""Replay one trial of a run and tell it round by round in plain English.

A trial is replayed by re-running its chunk (same seed, same chunk size) with a trace
on the trial's row, so the story is exactly the trial the run counted.
"""

from __future__ import annotations

import numpy as np

from sim.engine.codes import MEDIATOR, MoveOption
from sim.engine.compile import CompiledScenario, compile_scenario
from sim.engine.compiled import TYPES
from sim.engine.model import CrisisModel
from sim.runs.chunks import DEFAULT_CHUNK_SIZE, chunk_seed, chunk_sizes
from sim.scenario.format import Scenario

__all__ = ["Teller", "explain", "replay"]


def replay(scenario: Scenario | CompiledScenario, *, seed: int, trial: int,
           chunk_size: int, trials: int | None = None,
           script: dict | None = None) -> tuple[CrisisModel, int]:
    """Re-run the chunk holding ``trial`` (with the run's script, if it had one); return
    the traced model and the trial's row."""
    from sim.engine.script import Script

    cs = compile_scenario(scenario) if isinstance(scenario, Scenario) else scenario
    if trial < 0:
        raise ValueError(f"--trial must be 0 or more, got {trial}")
    k, row = divmod(int(trial), int(chunk_size))
    n = chunk_size
    if trials is not None:
        if not 0 <= trial < trials:
            raise ValueError(f"trial {trial} is not in a run of {trials} trials")
        n = chunk_sizes(trials, chunk_size)[k]
    model = CrisisModel(cs, n, rng=chunk_seed(seed, k), trace_row=row, collect=False,
                        script=Script.from_dict(cs, script) if script else None)
    model.run_model()
    return model, row


def explain(scenario: Scenario | CompiledScenario, *, seed: int, trial: int,
            chunk_size: int = DEFAULT_CHUNK_SIZE, trials: int | None = None,
            script: dict | None = None) -> str:
    """The story of one trial: types drawn, proposals, responses, moves, the ending.
    Give a scripted run's ``script`` to replay it as it ran."""
    model, row = replay(scenario, seed=seed, trial=trial, chunk_size=chunk_size, trials=trials,
                        script=script)
    return Teller(model, row, seed, trial, chunk_size).story()


def _fmt(x: float) -> str:
    return f"{x:,.0f}" if abs(x) >= 100 else f"{x:.3g}"


class Teller:
    """Tells a traced trial. ``person``: the actor a person played (role-play), whose
    choices are told as theirs, without the model's reasons."""

    def __init__(self, model: CrisisModel, row: int, seed: int, trial: int, chunk_size: int,
                 person: int | None = None):
        self.m, self.r, self.cs = model, row, model.cs
        self.seed, self.trial, self.chunk_size = seed, trial, chunk_size
        self.person = person

    def name(self, i: int) -> str:
        """An actor's name (marked if a person plays it)."""
        return self.cs.actor_name(i) + (" (you)" if i == self.person else "")

    @property
    def reasons(self) -> bool:
        """Whether the model's reasons are told (its margins, values and choice
        probabilities). Not in role-play: they come from the actors' private types, which
        the person must not learn (their own choices are theirs, without reasons)."""
        return self.person is None

    def lines(self, ids: list[str]) -> str:
        """Red lines by their descriptions (their ids where they have none)."""
        by_id = {rl.id: rl for rl in self.cs.red_lines}
        return "; ".join(f"'{by_id[x].description}'" if by_id[x].description else x
                         for x in ids)

    def rung(self, r: int) -> str:
        """A rung by number and name."""
        return f"rung {r} ({self.cs.ladder.rung_names[r]})"

    def story(self) -> str:
        """The whole trial: the types drawn, then every event."""
        cs, m, r = self.cs, self.m, self.r
        out = [
            f"Trial {self.trial} of '{cs.title}'",
            f"(seed {self.seed}, chunk {self.trial // self.chunk_size}, row {r}, "
            f"chunk size {self.chunk_size:,})",
            "",
            "Types drawn for this trial:",
        ]
        draws = m.draws
        for i, name in enumerate(cs.actors.names):
            parts = [f"{t.replace('_', ' ')} {_fmt(draws.types[t][r, i])}" for t in TYPES]
            out.append(f"  {name}: " + ", ".join(parts))
        for s, sid in enumerate(cs.stocks.ids):
            out.append(f"  {sid}: starts at {_fmt(draws.stock_initial[r, s])}, "
                       f"changes by {_fmt(draws.stock_growth[r, s])} a round")
        for k, rl in enumerate(cs.red_lines):
            binds = "binds" if draws.binding[r, k] else "does not bind"
            out.append(f"  red line {rl.id} ({self.name(rl.holder)}): {binds} in this trial "
                       f"(the chance it binds, its credibility, was drawn as "
                       f"{draws.credibility[r, k]:.2f})")
        out += self.scripted()
        out.append(f"\nThe crisis starts at {self.rung(cs.ladder.start)}.")
        for e in m.trace.events:
            out.extend(self.tell(e))
        return "\n".join(out)

    def forced(self, kind: str, i: int, t: int) -> bool:
        """Whether a script forced actor i's choice of this kind ("responses", "moves")
        in round t: then it is the script's, told without the model's reasons."""
        return (i, t) in getattr(self.m.script, kind)

    def scripted(self) -> list[str]:
        """The choices a script forces (a counterfactual run), in words, round by round."""
        script = self.m.script

        def who(i: int) -> str:
            return "the mediator" if i == MEDIATOR else self.name(i)

        def by_round(choices: dict) -> list:
            return sorted(choices.items(), key=lambda kv: (kv[0][1], kv[0][0]))

        describe = self.cs.packages.describe
        lines = [f"  {who(i)} never goes above {self.rung(cap)}"
                 for i, cap in sorted(script.caps.items())]
        lines += [f"  round {t}: {who(i)} proposes {describe(x)}"
                  for (i, t), x in by_round(script.proposals)]
        lines += [f"  round {t}: {who(i)} {'accepts' if yes else 'rejects'}"
                  for (i, t), yes in by_round(script.responses)]
        lines += [f"  round {t}: {who(i)} moves to {self.rung(r)}"
                  for (i, t), r in by_round(script.moves)]
        return ["Scripted (forced, not chosen by the model):", *lines] if lines else []

    def tell(self, e: dict) -> list[str]:
        """The lines that tell one traced event."""
        cs, kind = self.cs, e["kind"]
        if kind == "round":
            stocks = ", ".join(f"{sid} {_fmt(v)}" for sid, v in zip(cs.stocks.ids, e["stocks"]))
            return ["", f"Round {e['round']}, at {self.rung(e['rung'])}"
                    + (f": {stocks}." if stocks else ".")]
        if kind == "incident":
            return [f"  An incident pushes the crisis to {self.rung(e['rung'])}."]
        if kind == "red_line":
            rl = cs.red_lines[e["red_line"]]
            who = self.name(rl.holder)
            what = f"{who}'s red line '{rl.id}'" + (f" ({rl.description})" if rl.description
                                                     else "")
            crossed = {"deadline": f"falls due with no deal by round {rl.by_round}",
                       "struck": "is triggered: it has been struck"}.get(rl.kind, "is crossed")
            if e["enforced"]:
                resp = f": {who} moves to {self.rung(rl.response)}" if rl.response >= 0 else ""
                return [f"  {what} {crossed} and enforced{resp}."]
            cost = " and pays its audience cost" if rl.public else ""
            return [f"  {what} {crossed} but not enforced: {who} backs down{cost}."]
        if kind == "proposal":
            proposer = self.name(e["proposer"])
            lines = [f"  {proposer[:1].upper()}{proposer[1:]} proposes: "
                     f"{cs.packages.describe(e['packages'])}."]
            for j, (ok, vetoed, margin) in e["verdicts"].items():
                lines.append("  " + self.verdict(j, e["packages"], ok, vetoed, margin,
                                                 e["round"]))
            return lines
        if kind == "standoff":
            return self.standoff(e)
        if kind in ("threat", "answer", "carry_out"):
            return getattr(self, kind)(e)
        if kind == "moves":
            return self.moves(e)
        if kind == "deadline":
            return ["  The deadline passes without a deal and is enforced: war."]
        if kind == "breakdown" and cs.protocol.compellence:
            return ["  The risk the threat created materialises: the crisis slides into war."]
        if kind == "breakdown":
            return ["  Talks break down: the risk at this rung materialises and the crisis "
                    "slides into war."]
        if kind == "end":
            ending = cs.endings[e["ending"]]
            text = {
                "deal": "A deal is concluded.",
                "war": "The crisis has become a war.",
                "horizon": "The horizon is reached without a deal.",
            }.get(ending, f"The trial ends: {ending}.")
            out = cs.outcomes[self.m.outcomes()[self.r]]
            state = self.m.state
            if cs.protocol.compellence and ending == "deal":
                text = f"{self.name(int(cs.protocol.parties[1]))} complied with the demand."
            elif cs.protocol.compellence and ending == "horizon":
                text = "The status quo stands."
            if cs.protocol.standoff and ending == "deal":
                who = [self.name(i) for i in cs.protocol.parties if state.backed_down[self.r, i]]
                text = f"The standoff is over: {' and '.join(who)} backed down."
            return ["", f"{text} Outcome: {out.label} after {state.rounds[self.r]} round(s), "
                    f"peak {self.rung(state.peak[self.r])}."]
        return []

    def verdict(self, j: int, package: int, ok: bool, vetoed: bool, margin: float,
                t: int) -> str:
        """A responder's answer to a proposal in round t, with its reason (a binding red
        line overrides a script)."""
        who = self.name(j)
        if self.forced("responses", j, t) and not vetoed:
            return f"{who} {'accepts' if ok else 'rejects'} (scripted)."
        if not self.reasons and not vetoed:
            return f"{who} {'accepts' if ok else 'rejects'}."
        if ok and abs(margin) <= 1e-9:
            return f"{who} accepts: the offer is worth exactly what holding out is worth to it."
        if ok and margin >= 0:
            return f"{who} accepts (worth {margin:.3f} more to it than holding out)."
        if ok:
            return (f"{who} accepts although holding out is worth {-margin:.3f} more "
                    "(a noisy choice).")
        if vetoed:
            lines = self.m.red_lines.vetoing(j, package, self.r)
            return f"{who} rejects: the package crosses its red line {self.lines(lines)}."
        if margin >= 0:
            return f"{who} rejects although it would gain {margin:.3f} (a noisy choice)."
        return (f"{who} rejects: holding out is worth {-margin:.3f} more to it "
                "(the value of continuing, its war option and its resolve).")

    def standoff(self, e: dict) -> list[str]:
        """Who held firm and who backed down, with the chance each had of backing down."""
        parts = []
        for i, backed in e["backed_down"].items():
            chance = ("" if not self.reasons else
                      f" (it backs down with probability {e['probability'][i]:.3f} in this "
                      "round's equilibrium)")
            parts.append(f"{self.name(i)} {'backs down' if backed else 'holds firm'}{chance}")
        lines = ["  Standoff: " + "; ".join(parts) + "."]
        cost = self.cs.ladder.holding[e["rung"]]
        if any(e["backed_down"].values()):
            lines.append(f"  Terms: {self.cs.packages.describe(e['packages'])}.")
        elif cost:
            lines.append(f"  Both hold out: each pays this rung's holding cost, {cost:g}.")
        return lines

    def threat(self, e: dict) -> list[str]:
        """The threatener's choice, and what the target reads from it (Bayes' rule)."""
        eq = self.m.compellence
        game = eq.game
        t, b = game.threatener, game.target
        who, target = self.name(t), self.name(b)
        chance = ("" if not self.reasons else
                  f" (its chance of this choice: {e['chance']:.3f})")
        if e["option"] == 0:
            return [f"  {who} makes no threat{chance}: the status quo stands."]
        k = e["option"]
        risk = game.risk[k]
        chance_of_war = (f"; if defied, the crisis slides into war with probability {risk:g}"
                         if risk else "")
        lines = [f"  {who} threatens: it moves to {self.rung(game.rung[k])}{chance_of_war}"
                 f"{chance}. Its demand: {self.cs.packages.describe(game.demand)}."]
        if t != self.person:
            lines.append(f"  Seeing the threat, {target} puts the chance that {who} would "
                         f"carry it out at {e['belief']:.3f} (before any threat: "
                         f"{eq.prior_carry_out:.3f}).")
            if risk and e["belief"] < 0.01:
                lines.append(f"  What presses {target} is the risk itself: defying it risks "
                             f"war with probability {risk:g} whatever {who} then decides.")
        return lines

    def answer(self, e: dict) -> list[str]:
        """The target complies or defies, with its reason."""
        game = self.m.compellence.game
        b = game.target
        who = self.name(b)
        if e["vetoed"]:
            lines = self.m.red_lines.vetoing(b, game.demand, self.r)
            return [f"  {who} defies: complying crosses its red line {self.lines(lines)}."]

        def chance(p: float, what: str) -> str:
            return "" if not self.reasons else \
                f" (it {what} with probability {p:.3f} at that belief)"

        if e["defied"]:
            return [f"  {who} defies{chance(e['chance'], 'defies')}."]
        cost = self.cs.actors.types["audience_cost"][b].mean()
        paid = f", and pays its audience cost ({cost:g}) for backing down" if cost else ""
        return [f"  {who} complies{chance(1 - e['chance'], 'complies')}{paid}."]

    def carry_out(self, e: dict) -> list[str]:
        """The threatener, defied, carries out its threat or backs down."""
        game = self.m.compellence.game
        t = game.threatener
        who = self.name(t)
        lines = []
        if game.risk[e["option"]]:
            lines.append(f"  The risk ({game.risk[e['option']]:g}) does not materialise.")
        chance = "" if not self.reasons else \
            f" (for its type, it carries out with probability {e['chance']:.3f})"
        if e["carried"]:
            return [*lines, f"  {who} carries out its threat{chance}: war."]
        cost = self.cs.actors.types["audience_cost"][t].mean()
        paid = f" and pays its audience cost ({cost:g})" if cost else ""
        return [*lines, f"  {who} backs down{chance}{paid}: the status quo stands."]

    def moves(self, e: dict) -> list[str]:
        """Each actor's ladder choice; for a use of force, what it was worth against
        holding, and coalition moves proposed, joined or declined."""
        before = e["rung"]
        parts, reasons = [], []
        strike = self.cs.ladder.strike_rung
        for i, r in e["chosen"].items():
            option = e["options"][i]
            forced = self.forced("moves", i, e["round"])
            if option >= MoveOption.MOVE:
                spec = self.cs.actors.moves[i][option - MoveOption.MOVE]
                parts.append(f"{self.name(i)} escalates to {self.rung(r)}: {spec.name}"
                             + (" (scripted)" if forced else ""))
                values = e["values"][i]
                if (r >= strike and values[MoveOption.STAY] > -np.inf and self.reasons
                        and not forced):
                    noisy = (" It is worth less than holding: a noisy (logit) choice."
                             if values[option] < values[MoveOption.STAY] else "")
                    reasons.append(
                        f"  {self.name(i)} chooses force: {spec.name} is worth "
                        f"{values[option]:.3f} to it against {values[MoveOption.STAY]:.3f} "
                        "for holding (its war value, the risk it runs, the pressure it puts "
                        f"on the other side and its effects, less its cost).{noisy}")
            elif r < before:
                parts.append(f"{self.name(i)} steps down to rung {r}")
            else:
                parts.append(f"{self.name(i)} holds")
        lines = ["  Moves: " + "; ".join(parts) + "." if parts else "  No one moves."]
        if any(r < before for r in e["chosen"].values()) and e["new"] == before:
            lines.append("  (De-escalation takes all: the crisis stays at the highest rung "
                         "chosen.)")
        for i, (k, partners, _, agreed) in e.get("joint", {}).items():
            spec = self.cs.actors.moves[i][k]
            names = " and ".join(self.name(p) for p in partners)
            lines.append(f"  {self.name(i)} proposes a joint move ({spec.name}) with {names}: "
                         + ("they join." if agreed else "declined, so it acts on its own "
                            "choice instead."))
        lines += reasons
        if e["new"] != before:
            lines.append(f"  The crisis is now at {self.rung(e['new'])}.")
        return lines
