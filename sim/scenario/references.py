"""Cross-reference checks a single field cannot make: names that must exist elsewhere.

``check_references`` returns every problem at once, each located by its field path so
the loader can attach the file's line and column. ``check_references_partial`` makes
the same checks on data that failed validation, using whatever parts of it are valid,
so a file with several kinds of mistakes gets all of them reported in one go.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel, ValidationError

from sim.scenario.errors import Problem, did_you_mean
from sim.scenario.format import (
    Actor,
    Incidents,
    Issue,
    Ladder,
    Outcome,
    Protocol,
    RedLine,
    Scenario,
    Stock,
    Terminal,
)

__all__ = ["check_references", "check_references_partial"]

BUILTIN_ENDINGS = ("deal", "war", "horizon")
#: The most packages (one level per issue) a scenario may have: the engine evaluates
#: every package for every trial, so memory and time grow with their number.
MAX_PACKAGES = 20_000

_SECTIONS = {"issues": Issue, "actors": Actor, "stocks": Stock, "red_lines": RedLine,
             "terminal": Terminal, "outcomes": Outcome}


@dataclass
class _Parts:
    """The valid parts of a scenario, and the names each section declares."""

    issues: dict
    actors: dict
    ladder: Ladder | None
    stocks: dict
    red_lines: dict
    incidents: Incidents | None
    terminal: dict
    protocol: Protocol | None
    outcomes: dict
    names: dict[str, list[str]]
    all_actors_valid: bool


def check_references(s: Scenario) -> list[Problem]:
    """Every name that refers to something undefined, with its field path."""
    names = {k: list(getattr(s, k)) for k in _SECTIONS}
    out = _check(_Parts(s.issues, s.actors, s.ladder, s.stocks, s.red_lines, s.incidents,
                        s.terminal, s.protocol, s.outcomes, names, True))
    if out:  # names that do not exist: judgement paths cannot be resolved yet
        return out
    return _check_judgements(s) + _check_known_outcome(s)


def _check_known_outcome(s: Scenario) -> list[Problem]:
    """A hindcast's known outcome is one of the file's outcomes."""
    k = s.known_outcome
    if k is None or k.outcome in s.outcomes:
        return []
    return [Problem(("known_outcome", "outcome"),
                    f"'{k.outcome}' is not an outcome of this scenario; known: "
                    f"{', '.join(s.outcomes)}")]


def _check_judgements(s: Scenario) -> list[Problem]:
    """Each judgement names numbers the scenario has."""
    if not s.judgements:
        return []
    from sim.scenario.parameters import numeric_fields, unknown_path_message

    fields = {f.path: f for f in numeric_fields(s)}
    out = []
    for jid, j in s.judgements.items():
        for i, path in enumerate(j.paths):
            if path not in fields:
                out.append(Problem(("judgements", jid, "paths", i),
                                   f"'{path}' is {unknown_path_message(path, fields)}"))
    return out


def check_references_partial(data: Any) -> list[Problem]:
    """Reference checks on invalid data: each entry validated on its own; entries and
    sections that are themselves invalid are left to the validation messages."""
    if not isinstance(data, dict):
        return []

    def one(model: type[BaseModel], v):
        try:
            return model.model_validate(v)
        except ValidationError:
            return None

    parts, names, complete = {}, {}, True
    for key, model in _SECTIONS.items():
        raw = data.get(key) if isinstance(data.get(key), dict) else {}
        names[key] = [str(k) for k in raw]
        valid = {str(k): m for k, v in raw.items() if (m := one(model, v)) is not None}
        complete &= key != "actors" or len(valid) == len(raw)
        parts[key] = valid
    return _check(_Parts(
        ladder=one(Ladder, data.get("ladder")),
        incidents=one(Incidents, data.get("incidents", {})),
        protocol=one(Protocol, data.get("protocol")),
        names=names, all_actors_valid=complete, **parts))


def _check(s: _Parts) -> list[Problem]:
    out: list[Problem] = []
    issues = s.issues
    if len(issues) == len(s.names["issues"]):
        sizes = [len(iss.labels()) for iss in issues.values()]
        grid = math.prod(sizes)
        if grid > MAX_PACKAGES:
            count = f"{grid:,}" if grid < 10**15 else f"about 10^{len(str(grid)) - 1}"
            how = " x ".join(map(str, sizes)) if len(sizes) <= 12 else f"{len(sizes)} issues"
            out.append(Problem(("issues",), f"the issues' levels make {count} packages "
                               f"({how}); a scenario may have at most {MAX_PACKAGES:,}: use "
                               "fewer issues or levels"))
    actors = s.actors
    actor_names = s.names["actors"]
    issue_names = s.names["issues"]
    stock_names = s.names["stocks"]
    n_rungs = len(s.ladder.rungs) if s.ladder is not None else None
    parties = s.protocol.parties if s.protocol is not None else None

    def need(name, valid, path, what):
        if name not in valid:
            out.append(Problem(path, f"unknown {what} '{name}'; {did_you_mean(name, valid)}"))
            return False
        return True

    def level_ok(issue, label, path):
        if issue not in issues:
            return
        iss = issues[issue]
        if iss.continuous is not None and isinstance(label, (int, float)):
            c = iss.continuous
            if not c.low <= float(label) <= c.high:
                out.append(Problem(path, f"{label} is outside [{c.low}, {c.high}]"))
            return
        labels = iss.labels()
        if str(label) not in labels:
            out.append(
                Problem(
                    path, f"'{label}' is not a level of '{issue}'; {did_you_mean(label, labels)}"
                )
            )

    def condition_ok(cond, path):
        for issue, test in (cond or {}).items():
            if need(issue, issue_names, (*path, issue), "issue"):
                for key in ("at_least", "at_most"):
                    v = getattr(test, key)
                    if v is not None:
                        level_ok(issue, v, (*path, issue, key))
                for i, v in enumerate(test.among or []):
                    level_ok(issue, v, (*path, issue, "in", i))

    def rung_ok(r, path):
        if r is not None and n_rungs is not None and not 0 <= r < n_rungs:
            out.append(Problem(path, f"rung {r} is not on the ladder (valid: 0..{n_rungs - 1})"))

    for aid, a in actors.items():
        base = ("actors", aid)
        for issue, pref in a.preferences.items():
            if need(issue, issue_names, (*base, "preferences", issue), "issue"):
                level_ok(issue, pref.ideal, (*base, "preferences", issue, "ideal"))
        for other in a.influence:
            if need(other, actor_names, (*base, "influence", other), "actor") and other == aid:
                out.append(Problem((*base, "influence", other), "an actor cannot lobby itself"))
        for other in a.beliefs:
            if need(other, actor_names, (*base, "beliefs", other), "actor") and other == aid:
                out.append(Problem((*base, "beliefs", other), "beliefs are about other actors"))
        for i, m in enumerate(a.moves):
            rung_ok(m.rung, (*base, "moves", i, "rung"))
            for j, e in enumerate(m.effects):
                need(e.stock, stock_names, (*base, "moves", i, "effects", j, "stock"), "stock")
            for j, partner in enumerate(m.joint_with):
                path = (*base, "moves", i, "joint_with", j)
                known = need(partner, actor_names, path, "actor") and partner in actors
                if known and (partner == aid or a.side is None
                              or actors[partner].side != a.side):
                    out.append(Problem(path, f"'{partner}' cannot join: a coalition move "
                                       "is made with allies on the mover's side"))
        if not a.preferences and parties is not None and aid in parties:
            out.append(Problem((*base, "preferences"), "a party to the talks needs preferences"))

    sides = {a.side for a in actors.values() if a.side is not None}
    if s.all_actors_valid and len(sides) != 2:
        out.append(
            Problem(
                ("actors",),
                f"war needs exactly two sides; found {len(sides)} "
                f"({', '.join(sorted(sides)) or 'none'}): set 'side' on the actors who would fight",
            )
        )

    for sid, st in s.stocks.items():
        if st.owner is not None:
            need(st.owner, actor_names, ("stocks", sid, "owner"), "actor")
        if st.max < st.min:
            out.append(Problem(("stocks", sid, "max"), f"max ({st.max}) is below min ({st.min})"))

    for rid, rl in s.red_lines.items():
        base = ("red_lines", rid)
        need(rl.holder, actor_names, (*base, "holder"), "actor")
        condition_ok(rl.condition, (*base, "condition"))
        if rl.stock is not None:
            need(rl.stock, stock_names, (*base, "stock"), "stock")
        rung_ok(rl.response, (*base, "response"))
        rung_ok(rl.rung_at_least, (*base, "rung_at_least"))
        for i, who in enumerate(rl.by or []):
            need(who, actor_names, (*base, "by", i), "actor")
        if (rl.kind == "deadline" and rl.by_round is not None and s.protocol is not None
                and rl.by_round > s.protocol.horizon):
            out.append(Problem((*base, "by_round"), f"round {rl.by_round} is after the horizon "
                               f"({s.protocol.horizon}); the threat could never fall due"))
        if (rl.kind == "package" and rl.holder in actor_names and parties is not None
                and rl.holder not in parties):
            out.append(
                Problem(
                    (*base, "kind"),
                    f"'{rl.holder}' is not a party to the talks, so it cannot veto a package; "
                    "use kind 'deal' to respond to a deal instead",
                )
            )

    if s.incidents is not None:
        rung_ok(s.incidents.max_rung, ("incidents", "max_rung"))
    for i, rung in enumerate(s.ladder.rungs if s.ladder is not None else []):
        risk = rung.breakdown_risk
        if not isinstance(risk, float | int) and not 0 <= risk.support()[0] <= \
                risk.support()[1] <= 1:
            out.append(Problem(("ladder", "rungs", i, "breakdown_risk"),
                               "a probability's distribution must lie within [0, 1]"))
    for tid, t in s.terminal.items():
        need(t.stock, stock_names, ("terminal", tid, "stock"), "stock")
        if tid in BUILTIN_ENDINGS:
            out.append(
                Problem(("terminal", tid), f"'{tid}' is a built-in ending; pick another name")
            )

    if s.protocol is not None:
        _check_protocol(s, out, need, level_ok)

    endings = BUILTIN_ENDINGS + tuple(s.names["terminal"])
    for oid, o in s.outcomes.items():
        base = ("outcomes", oid, "when")
        if o.when.ended_by is not None:
            need(o.when.ended_by, endings, (*base, "ended_by"), "ending")
        condition_ok(o.when.package, (*base, "package"))
        rung_ok(o.when.peak_rung_at_least, (*base, "peak_rung_at_least"))
    return out


def _check_protocol(s: _Parts, out, need, level_ok) -> None:
    p = s.protocol
    actor_names = s.names["actors"]
    for i, pid in enumerate(p.parties):
        need(pid, actor_names, ("protocol", "parties", i), "actor")
    if p.proposer not in ("mediator", "rotate"):
        need(p.proposer, [*actor_names, "mediator", "rotate"], ("protocol", "proposer"),
             "proposer")
    for i, pid in enumerate(p.rotation or []):
        if need(pid, actor_names, ("protocol", "rotation", i), "actor") and pid not in p.parties:
            out.append(Problem(("protocol", "rotation", i), f"'{pid}' is not one of the parties"))
    for issue, level in p.status_quo.items():
        if need(issue, s.names["issues"], ("protocol", "status_quo", issue), "issue"):
            level_ok(issue, level, ("protocol", "status_quo", issue))
    if p.planning_horizon is not None and p.planning_horizon < p.horizon:
        out.append(Problem(("protocol", "planning_horizon"),
                           f"must be at least the horizon ({p.horizon})"))
    if (p.on_horizon == "war" and p.planning_horizon is not None
            and p.planning_horizon != p.horizon):
        out.append(Problem(("protocol", "planning_horizon"),
                           "a horizon enforced by war is a deadline: the actors plan up to it, "
                           "so planning_horizon must equal the horizon (or be left out)"))
    _check_standoff(s, out)
    missing = [i for i in s.names["issues"] if i not in p.status_quo]
    if missing:
        out.append(
            Problem(
                ("protocol", "status_quo"),
                f"the status quo needs a level for every issue; missing {', '.join(missing)}",
            )
        )


def _check_standoff(s: _Parts, out) -> None:
    """A standoff or a compellence game has two parties on opposite sides and no
    proposer; holding costs are paid only in a standoff."""
    p = s.protocol
    if p.kind != "standoff" and s.ladder is not None:
        for k, rung in enumerate(s.ladder.rungs):
            if rung.holding_cost:
                out.append(Problem(("ladder", "rungs", k, "holding_cost"),
                                   "a holding cost is paid only in a standoff: set "
                                   "protocol kind: standoff, or leave it out"))
    if p.kind == "offers":
        return
    game = {"standoff": "a standoff", "compellence": "a compellence game"}[p.kind]
    if len(p.parties) != 2:
        out.append(Problem(("protocol", "parties"), f"{game} has exactly two parties, "
                           f"not {len(p.parties)}"))
    elif all(x in s.actors for x in p.parties):
        sides = [s.actors[x].side for x in p.parties]
        if None in sides or sides[0] == sides[1]:
            out.append(Problem(("protocol", "parties"), f"{game}'s two parties must be on "
                               f"opposite sides (their 'side's are {sides[0]} and {sides[1]})"))
    defaults = {"proposer": "mediator", "rotation": None, "mediator": None,
                "mediator_rationality": None}
    for name, default in defaults.items():
        if getattr(p, name) != default:
            out.append(Problem(("protocol", name), f"{game} has no proposer: leave "
                               f"'{name}' out (or use kind: offers)"))
    if p.agreements != "final":
        out.append(Problem(("protocol", "agreements"), f"{game} ends when a party backs "
                           "down: agreements must be 'final'"))
    if p.kind == "compellence":
        _check_compellence(s, out)


def _fixed(x) -> bool:
    return isinstance(x, (int, float)) or getattr(x, "dist", None) == "fixed"


def _check_compellence(s: _Parts, out) -> None:
    """One exchange, solved once: a horizon of 1, a threat to make, fixed public numbers,
    and nothing the equilibrium does not foresee (stocks, incidents, other red lines)."""
    p = s.protocol
    once = "a compellence game is one exchange, solved once"
    if p.horizon != 1:
        out.append(Problem(("protocol", "horizon"), f"{once}: the horizon must be 1"))
    target = p.parties[1] if len(p.parties) > 1 else None
    for section in ("stocks", "terminal", "red_lines"):
        for name, item in getattr(s, section).items():
            if section == "red_lines" and item.kind == "package" and item.holder == target:
                continue
            what = {"stocks": "stocks", "terminal": "terminal events",
                    "red_lines": "red lines but the target's 'package' lines (which make it "
                                 "defy)"}[section]
            out.append(Problem((section, name), f"{once}: it has no {what}"))
    if s.incidents is not None and s.incidents.rate > 0:
        out.append(Problem(("incidents", "rate"), f"{once}: it has no incidents"))
    for x in p.parties:
        actor = s.actors.get(x)
        if actor is None:
            continue
        for name in ("capability", "audience_cost", "discount"):
            if not _fixed(getattr(actor, name)):
                out.append(Problem(("actors", x, name), f"{once}: public numbers are fixed; "
                                   "give a number (private uncertainty goes in war_cost or "
                                   "resolve)"))
    threatener = s.actors.get(p.parties[0]) if p.parties else None
    if threatener is None or s.ladder is None:
        return
    lo, hi = s.ladder.start, s.ladder.war_rung
    for aid, actor in s.actors.items():
        for k, mv in enumerate(actor.moves):
            if aid != p.parties[0]:
                out.append(Problem(("actors", aid, "moves", k), f"{once}: only the threatener "
                                   f"(the first party, '{p.parties[0]}') moves, to make its "
                                   "threat"))
            elif not lo < mv.rung < hi:
                out.append(Problem(("actors", aid, "moves", k, "rung"), "a threat lies between "
                                   f"the start ({lo}) and the war rung ({hi}); war itself comes "
                                   "from carrying a defied threat out"))
    threats = [k for k, mv in enumerate(threatener.moves) if lo < mv.rung < hi]
    if not threats:
        out.append(Problem(("actors", p.parties[0], "moves"), "the threatener (the first "
                           f"party) needs a move to a rung between the start ({lo}) and the "
                           f"war rung ({hi}): its threat"))
    for k in threats:
        if not _fixed(threatener.moves[k].cost):
            out.append(Problem(("actors", p.parties[0], "moves", k, "cost"),
                               f"{once}: a threat's cost is public and fixed; give a number"))
