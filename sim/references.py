"""Cross-reference checks a single field cannot make: names that must exist elsewhere.

``check_references`` returns every problem at once, each located by its field path so
the loader can attach the file's line and column.
"""

from __future__ import annotations

from sim.errors import Problem, did_you_mean
from sim.scenario import Scenario

__all__ = ["check_references"]

BUILTIN_ENDINGS = ("deal", "war", "horizon")


def check_references(s: Scenario) -> list[Problem]:
    out: list[Problem] = []
    issues = s.issues
    actors = s.actors
    n_rungs = len(s.ladder.rungs)

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
            if need(issue, issues, (*path, issue), "issue"):
                for key in ("at_least", "at_most"):
                    v = getattr(test, key)
                    if v is not None:
                        level_ok(issue, v, (*path, issue, key))
                for i, v in enumerate(test.among or []):
                    level_ok(issue, v, (*path, issue, "in", i))

    def rung_ok(r, path):
        if r is not None and not 0 <= r < n_rungs:
            out.append(Problem(path, f"rung {r} is not on the ladder (valid: 0..{n_rungs - 1})"))

    for aid, a in actors.items():
        base = ("actors", aid)
        for issue, pref in a.preferences.items():
            if need(issue, issues, (*base, "preferences", issue), "issue"):
                level_ok(issue, pref.ideal, (*base, "preferences", issue, "ideal"))
        for other in a.influence:
            if need(other, actors, (*base, "influence", other), "actor") and other == aid:
                out.append(Problem((*base, "influence", other), "an actor cannot lobby itself"))
        for other in a.beliefs:
            if need(other, actors, (*base, "beliefs", other), "actor") and other == aid:
                out.append(Problem((*base, "beliefs", other), "beliefs are about other actors"))
        for i, m in enumerate(a.moves):
            rung_ok(m.rung, (*base, "moves", i, "rung"))
            for j, e in enumerate(m.effects):
                need(e.stock, s.stocks, (*base, "moves", i, "effects", j, "stock"), "stock")
        if not a.preferences and aid in s.protocol.parties:
            out.append(Problem((*base, "preferences"), "a party to the talks needs preferences"))

    sides = {a.side for a in actors.values() if a.side is not None}
    if len(sides) != 2:
        out.append(
            Problem(
                ("actors",),
                f"war needs exactly two sides; found {len(sides)} "
                f"({', '.join(sorted(sides)) or 'none'}): set 'side' on the actors who would fight",
            )
        )

    rung_ok(s.ladder.start, ("ladder", "start"))
    for sid, st in s.stocks.items():
        if st.owner is not None:
            need(st.owner, actors, ("stocks", sid, "owner"), "actor")
        if st.max < st.min:
            out.append(Problem(("stocks", sid, "max"), f"max ({st.max}) is below min ({st.min})"))

    for rid, rl in s.red_lines.items():
        base = ("red_lines", rid)
        need(rl.holder, actors, (*base, "holder"), "actor")
        condition_ok(rl.condition, (*base, "condition"))
        if rl.stock is not None:
            need(rl.stock, s.stocks, (*base, "stock"), "stock")
        rung_ok(rl.response, (*base, "response"))
        if rl.kind == "package" and rl.holder in actors and rl.holder not in s.protocol.parties:
            out.append(
                Problem(
                    (*base, "kind"),
                    f"'{rl.holder}' is not a party to the talks, so it cannot veto a package; "
                    "use kind 'deal' to respond to a deal instead",
                )
            )

    rung_ok(s.incidents.max_rung, ("incidents", "max_rung"))
    for tid, t in s.terminal.items():
        need(t.stock, s.stocks, ("terminal", tid, "stock"), "stock")
        if tid in BUILTIN_ENDINGS:
            out.append(
                Problem(("terminal", tid), f"'{tid}' is a built-in ending; pick another name")
            )

    p = s.protocol
    for i, pid in enumerate(p.parties):
        need(pid, actors, ("protocol", "parties", i), "actor")
    if p.proposer not in ("mediator", "rotate"):
        need(p.proposer, [*actors, "mediator", "rotate"], ("protocol", "proposer"),
             "proposer")
    for i, pid in enumerate(p.rotation or []):
        if need(pid, actors, ("protocol", "rotation", i), "actor") and pid not in p.parties:
            out.append(Problem(("protocol", "rotation", i), f"'{pid}' is not one of the parties"))
    for issue, level in p.status_quo.items():
        if need(issue, issues, ("protocol", "status_quo", issue), "issue"):
            level_ok(issue, level, ("protocol", "status_quo", issue))
    if p.planning_horizon is not None and p.planning_horizon < p.horizon:
        out.append(Problem(("protocol", "planning_horizon"),
                           f"must be at least the horizon ({p.horizon})"))
    if (p.on_horizon == "war" and p.planning_horizon is not None
            and p.planning_horizon != p.horizon):
        out.append(Problem(("protocol", "planning_horizon"),
                           "a horizon enforced by war is a deadline: the actors plan up to it, "
                           "so planning_horizon must equal the horizon (or be left out)"))
    missing = [i for i in issues if i not in p.status_quo]
    if missing:
        out.append(
            Problem(
                ("protocol", "status_quo"),
                f"the status quo needs a level for every issue; missing {', '.join(missing)}",
            )
        )

    endings = BUILTIN_ENDINGS + tuple(s.terminal)
    for oid, o in s.outcomes.items():
        base = ("outcomes", oid, "when")
        if o.when.ended_by is not None:
            need(o.when.ended_by, endings, (*base, "ended_by"), "ending")
        condition_ok(o.when.package, (*base, "package"))
        rung_ok(o.when.peak_rung_at_least, (*base, "peak_rung_at_least"))
    return out
