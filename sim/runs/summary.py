"""Summaries of a run, built incrementally chunk by chunk so memory stays bounded.

A :class:`Tally` adds up counts from each chunk; :func:`summarise` turns it into a
:class:`Summary`: each outcome's share with a 95% Wilson interval and Monte Carlo
standard error, rounds to outcome, the peak rung reached, who escalated first and
which red lines were crossed and enforced.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from sim.engine.compile import CompiledScenario
from sim.runs.stats import mcse, trials_for_half_width, wilson_interval

__all__ = ["Summary", "Tally", "summarise"]

#: Warn when an outcome's 95% interval is wider than this either side.
USEFUL_HALF_WIDTH = 0.02


class Tally:
    """Running counts over chunks."""

    def __init__(self, cs: CompiledScenario):
        self.cs = cs
        n_outcomes, T = len(cs.outcomes), cs.protocol.horizon
        self.n = 0
        self.outcome = np.zeros(n_outcomes, dtype=np.int64)
        self.rounds = np.zeros((n_outcomes, T + 1), dtype=np.int64)
        self.peak = np.zeros(cs.n_rungs, dtype=np.int64)
        self.first = np.zeros(cs.n_actors + 1, dtype=np.int64)
        self.crossed = np.zeros(len(cs.red_lines), dtype=np.int64)
        self.enforced = np.zeros(len(cs.red_lines), dtype=np.int64)
        self.per_round: pd.DataFrame | None = None

    def add(self, trials: pd.DataFrame, rounds: pd.DataFrame | None = None) -> None:
        """Add a chunk's per-trial table and per-round counts."""
        cs = self.cs
        self.n += len(trials)
        o = pd.Categorical(trials["outcome"], categories=cs.outcome_ids).codes
        self.outcome += np.bincount(o, minlength=len(cs.outcomes))
        np.add.at(self.rounds, (o, trials["rounds"].to_numpy()), 1)
        self.peak += np.bincount(trials["peak_rung"].to_numpy(), minlength=cs.n_rungs)
        f = pd.Categorical(trials["first_escalator"], categories=[*cs.actors.ids, ""]).codes
        self.first += np.bincount(f, minlength=cs.n_actors + 1)
        for k, rl in enumerate(cs.red_lines):
            self.crossed[k] += int(trials[f"crossed_{rl.id}"].sum())
            self.enforced[k] += int(trials[f"enforced_{rl.id}"].sum())
        if rounds is not None and len(rounds):
            self.per_round = rounds if self.per_round is None else self.per_round + rounds


def _median_from_hist(h: np.ndarray) -> float:
    total = h.sum()
    if total == 0:
        return float("nan")
    c = np.cumsum(h)
    lo = int(np.searchsorted(c, (total + 1) // 2 if total % 2 else total // 2))
    if total % 2:
        return float(lo)
    hi = int(np.searchsorted(c, total // 2 + 1))
    return (lo + hi) / 2


class Summary(dict):
    """A run's summary: a dict (JSON-ready) with a table view and a DataFrame view."""

    def to_df(self) -> pd.DataFrame:
        """One row per outcome: count, share, interval, standard error, median rounds."""
        return pd.DataFrame(self["outcomes"]).set_index("outcome")

    def _repr_html_(self) -> str:
        """The outcome table for a notebook (Jupyter shows it instead of the dict)."""
        import html

        rows = "".join(
            f"<tr><td>{html.escape(o['label'])}</td><td>{o['share']:.1%}</td>"
            f"<td>{o['ci_low']:.1%} to {o['ci_high']:.1%}</td>"
            f"<td>{'-' if o['median_rounds'] is None else format(o['median_rounds'], 'g')}"
            "</td></tr>" for o in self["outcomes"])
        return (f"<p><b>{html.escape(self['title'])}</b>: {self['trials']:,} trials, seed "
                f"{self['seed']}</p><table><thead><tr><th>outcome</th><th>share</th>"
                "<th>95% interval (Monte Carlo)</th><th>median rounds</th></tr></thead>"
                f"<tbody>{rows}</tbody></table>")

    def __rich__(self):
        """The summary as rich text for a terminal (``escalation run`` on a terminal, or
        ``rich.print(summary)``): the tables of :meth:`table` (without the standard
        errors, which the intervals carry), shares as percentages with bars."""
        from rich import box
        from rich.console import Group
        from rich.table import Table
        from rich.text import Text

        def bar(share: float) -> str:
            return "█" * round(20 * share) or ("▏" if share > 0 else "")

        out = Table(title=f"{self['title']}\n{self['trials']:,} trials, seed {self['seed']}, "
                    f"chunk size {self['chunk_size']:,}", box=box.SIMPLE_HEAD,
                    title_justify="left")
        for name, justify in (("outcome", "left"), ("share", "right"), ("", "left"),
                              ("95% interval", "left"), ("median rounds", "right")):
            out.add_column(name, justify=justify, overflow="fold", no_wrap=name != "outcome",
                           min_width=20 if name == "outcome" else None)
        for o in self["outcomes"]:
            med = "-" if o["median_rounds"] is None else f"{o['median_rounds']:g}"
            out.add_row(o["label"], f"{o['share']:.1%}", Text(bar(o["share"]), style="cyan"),
                        f"{o['ci_low']:.1%} to {o['ci_high']:.1%}", med)
        peak = Table(title="peak escalation rung", box=box.SIMPLE_HEAD, title_justify="left")
        for name in ("rung", "share", ""):
            peak.add_column(name, justify="right" if name == "share" else "left")
        for r in self["peak_rung"]:
            if r["count"]:
                peak.add_row(f"{r['rung']} {r['name']}", f"{r['share']:.1%}",
                             Text(bar(r["share"]), style="magenta"))
        first = Table(title="first to escalate (the actor whose own move first raised the "
                      "rung)", box=box.SIMPLE_HEAD, title_justify="left")
        first.add_column("actor")
        first.add_column("share", justify="right")
        for who, share in self["first_escalator"].items():
            if who == "nobody escalated":
                who = "nobody: no actor's move raised the rung"
            first.add_row(who, f"{share:.1%}")
        parts = [out, Text(f"median rounds, all trials: {self['median_rounds']:g}"), peak, first]
        if self["red_lines"]:
            lines = Table(title="red lines", box=box.SIMPLE_HEAD, title_justify="left")
            for name in ("red line (holder)", "crossed", "enforced"):
                lines.add_column(name, justify="left" if name.startswith("red") else "right")
            for r in self["red_lines"]:
                lines.add_row(f"{r['id']} ({r['holder']})", f"{r['crossed']:.1%}",
                              f"{r['enforced']:.1%}")
            parts.append(lines)
        parts += [Text(f"warning: {w}", style="yellow") for w in self["warnings"]]
        return Group(*parts)

    def table(self) -> str:
        """The summary as a plain-text table for a terminal."""
        w = max(38, *(len(o["label"]) + 1 for o in self["outcomes"]))  # labels never cut
        lines = [
            f"{self['title']}",
            f"{self['trials']:,} trials, seed {self['seed']}, chunk size {self['chunk_size']:,}",
            "",
            f"{'outcome':<{w}}{'share':>8}  {'95% interval':<19}{'MCSE':>8}{'median rounds':>15}",
        ]
        for o in self["outcomes"]:
            med = "-" if o["median_rounds"] is None else f"{o['median_rounds']:g}"
            lines.append(
                f"{o['label']:<{w}}{o['share']:>8.4f}  "
                f"[{o['ci_low']:.4f}, {o['ci_high']:.4f}]{o['mcse']:>8.4f}{med:>15}"
            )
        lines += ["", f"median rounds, all trials: {self['median_rounds']:g}", "",
                  "peak escalation rung:"]
        for r in self["peak_rung"]:
            if r["count"]:
                bar = "#" * max(1, round(40 * r["share"]))
                lines.append(f"  {r['rung']:>2} {r['name'][:60]:<61}{r['share']:>7.3f} {bar}")
        lines += ["", "first to escalate (the actor whose own move first raised the rung):"]
        for who, share in self["first_escalator"].items():
            if who == "nobody escalated":  # incidents alone may still have raised it
                who = "nobody: no actor's move raised the rung"
            lines.append(f"  {who:<64}{share:>7.3f}")
        if self["red_lines"]:
            lines += ["", f"{'red line (holder)':<64}{'crossed':>9}{'enforced':>10}"]
            for r in self["red_lines"]:
                name = f"{r['id']} ({r['holder']})"
                lines.append(f"  {name[:61]:<62}{r['crossed']:>9.3f}{r['enforced']:>10.3f}")
        for w in self["warnings"]:
            lines += ["", f"warning: {w}"]
        return "\n".join(lines)

    def __str__(self) -> str:
        return self.table()


def summarise(tally: Tally, *, seed: int, chunk_size: int) -> Summary:
    """The :class:`Summary` of a finished tally."""
    cs, n = tally.cs, tally.n
    lo, hi = wilson_interval(tally.outcome, n)
    se = mcse(tally.outcome, n)
    outcomes = []
    for k, o in enumerate(cs.outcomes):
        med = _median_from_hist(tally.rounds[k])
        outcomes.append({
            "outcome": o.id,
            "label": o.label,
            "count": int(tally.outcome[k]),
            "share": float(tally.outcome[k] / n),
            "ci_low": float(lo[k]),
            "ci_high": float(hi[k]),
            "mcse": float(se[k]),
            "median_rounds": None if np.isnan(med) else med,
        })
    warnings = []
    widest = float(np.max(hi - lo) / 2)
    if widest > USEFUL_HALF_WIDTH:
        need = trials_for_half_width(USEFUL_HALF_WIDTH)
        warnings.append(
            f"with {n:,} trials the 95% intervals are up to +/-{widest:.3f} wide; "
            f"run {need:,} or more trials for +/-{USEFUL_HALF_WIDTH} on every share"
        )
    first = {cs.actors.ids[i]: float(tally.first[i] / n) for i in range(cs.n_actors)}
    first["nobody escalated"] = float(tally.first[-1] / n)
    return Summary(
        scenario=cs.name,
        title=cs.title,
        trials=int(n),
        seed=int(seed),
        chunk_size=int(chunk_size),
        outcomes=outcomes,
        median_rounds=_median_from_hist(tally.rounds.sum(axis=0)),
        peak_rung=[
            {"rung": r, "name": cs.ladder.rung_names[r], "count": int(c), "share": float(c / n)}
            for r, c in enumerate(tally.peak)
        ],
        first_escalator=first,
        red_lines=[
            {
                "id": rl.id,
                "holder": cs.actors.ids[rl.holder],
                "crossed": float(tally.crossed[k] / n),
                "enforced": float(tally.enforced[k] / n),
            }
            for k, rl in enumerate(cs.red_lines)
        ],
        warnings=warnings,
    )
