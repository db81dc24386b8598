"""A self-contained HTML report of a run: the scenario with its sources and judgement
calls, the headline with Monte Carlo and judgement uncertainty side by side, force and
paths, time, red lines, drivers, base rates and how to reproduce it.

One file, figures embedded as PNG, no scripts and no network: it opens in any browser
and prints to PDF. Build it from a results directory (``escalation report RUN_DIR``)
or a run in memory (``result.report(path)``).
"""

from __future__ import annotations

import datetime as dt
import html
import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from sim.analysis.html import cell as _e
from sim.analysis.html import figure as _figure
from sim.analysis.html import percent as _pct
from sim.analysis.html import table as _table
from sim.scenario.format import Scenario

__all__ = ["ReportInputs", "build_report", "inputs_from_dir", "inputs_from_result",
           "write_report"]


@dataclass
class ReportInputs:
    """What a report is made from."""

    scenario: Scenario
    summary: dict
    trials: pd.DataFrame
    rounds: pd.DataFrame
    manifest: dict


def inputs_from_dir(path: str | Path) -> ReportInputs:
    """Read a results directory written by ``escalation run --out`` (a StoreError or
    ScenarioError says what is wrong)."""
    from sim.runs.store import StoreError, open_run
    from sim.scenario.loader import scenario_from_dict

    path = Path(path)
    if path.is_file():
        raise StoreError(f"{path} is a file; give the results directory that holds it "
                         f"({path.parent})")
    manifest = open_run(path)
    if manifest.get("kind", "run") != "run" or not (path / "trials.parquet").exists():
        raise StoreError(f"{path} has no per-trial table (trials.parquet): a report needs "
                         "the results of `escalation run --out`")
    summary = json.loads((path / "summary.json").read_text(encoding="utf-8"))
    rounds_file = path / "rounds.parquet"
    rounds = pd.read_parquet(rounds_file) if rounds_file.exists() else pd.DataFrame()
    scenario = scenario_from_dict(manifest["scenario_resolved"], origin=f"{path}/manifest.json")
    return ReportInputs(scenario, summary, pd.read_parquet(path / "trials.parquet"), rounds,
                        manifest)


def inputs_from_result(result) -> ReportInputs:
    """A run in memory (:class:`~sim.runs.runner.RunResult`) that kept its trials."""
    from sim.scenario.loader import scenario_from_dict

    resolved = result.manifest.get("scenario_resolved")
    if resolved is None or result.trials is None:
        raise ValueError("a report needs the scenario and the per-trial table: run a "
                         "Scenario (not a CompiledScenario) with keep_trials=True")
    return ReportInputs(scenario_from_dict(resolved, origin="<run>"), dict(result.summary()),
                        result.trials, result.rounds, result.manifest)


def write_report(inputs: ReportInputs, path: str | Path, **options) -> Path:
    """Build the report and write it atomically to ``path``."""
    from sim.runs.store import atomic_write_text

    path = Path(path)
    atomic_write_text(path, build_report(inputs, **options))
    return path


# --- building ------------------------------------------------------------------------------


def build_report(inputs: ReportInputs, *, uncertainty_points: int = 16,
                 uncertainty_trials: int = 2_000, workers: int | None = 1,
                 drivers: bool = True, compare_with: Scenario | None = None,
                 compare_trials: int = 20_000) -> str:
    """The report as one HTML document.

    Parameters
    ----------
    uncertainty_points, uncertainty_trials : int
        The Latin hypercube over the scenario's judgement calls (0 points: leave the
        section out); every point uses the run's seed (common random numbers).
    workers : int or None
        For the judgement design (None: all cores).
    drivers : bool
        Include PRIM boxes and tree rules (needs the ``ema_workbench`` package).
    compare_with : Scenario, optional
        Add a paired comparison of the run's scenario (A) with this one (B), on
        ``compare_trials`` trials with the run's seed (:mod:`sim.analysis.compare`).
    """
    from sim.analysis.uncertainty import judgement_ranges

    s, summ, trials = inputs.scenario, inputs.summary, inputs.trials
    ranges = None
    if uncertainty_points > 0 and s.judgements:
        ranges = judgement_ranges(s, points=uncertainty_points, trials=uncertainty_trials,
                                  seed=int(summ["seed"]), workers=workers)
    sections = [
        _headline(s, summ, trials, ranges),
        _paths(s, summ, trials),
        _time(s, trials, inputs.rounds),
        _red_lines(s, summ),
        _compare(s, compare_with, compare_trials, int(summ["seed"]), workers),
        _drivers(s, trials) if drivers else "",
        _judgements(s, ranges),
        _base_rates(s, trials),
        _scenario(s),
        _reproduce(inputs.manifest, summ),
    ]
    title = html.escape(s.title)
    return (f"<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
            f"<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
            f"<title>{title}</title><style>{_CSS}</style></head><body>\n"
            f"<header><h1>{title}</h1><p class=\"lede\">{html.escape(s.description)}</p>"
            f"<p class=\"meta\">{summ['trials']:,} trials, seed {summ['seed']}. "
            "These shares are what the scenario's stated assumptions imply, not a forecast."
            "</p></header>\n" + "\n".join(x for x in sections if x) + "\n</body></html>\n")


_CSS = """
body{font-family:Georgia,'Times New Roman',serif;max-width:60rem;margin:2rem auto;padding:0 1rem;
color:#222;line-height:1.45}
h1{font-size:1.6rem;margin-bottom:.2rem}h2{font-size:1.25rem;border-bottom:1px solid #ccc;
margin-top:2rem}h3{font-size:1.05rem}
.lede{font-style:italic}.meta,.note{color:#555;font-size:.9rem}
table{border-collapse:collapse;margin:.6rem 0;font-size:.9rem}
th,td{border:1px solid #ccc;padding:.2rem .45rem;text-align:left;vertical-align:top}
td.num,th.num{text-align:right;font-variant-numeric:tabular-nums}
img{max-width:100%;height:auto;display:block;margin:.6rem 0}
.headline{font-size:1.05rem;background:#f5f5f0;padding:.6rem .8rem;border-left:4px solid #888}
.force{background:#fff6e0}
code{font-size:.85rem}
@media print{body{max-width:none;margin:0}h2{page-break-after:avoid}
img,table{page-break-inside:avoid}}
"""


def _force_share(s: Scenario, trials: pd.DataFrame) -> tuple[int, int]:
    return int((trials["peak_rung"] >= s.ladder.strike_rung).sum()), len(trials)


# --- sections --------------------------------------------------------------------------------


def _headline(s: Scenario, summ: dict, trials: pd.DataFrame, ranges) -> str:
    from sim.runs.stats import wilson_interval

    k, n = _force_share(s, trials)
    lo, hi = wilson_interval(k, n)
    war = (trials["ended_by"] == "war").mean()
    deal = (trials["ended_by"] == "deal").mean()
    rows, cls = [], []
    for o in summ["outcomes"]:
        judged = ""
        if ranges is not None and o["outcome"] in ranges.table.index:
            r = ranges.table.loc[o["outcome"]]
            judged = f"{_pct(r['low'])} to {_pct(r['high'])}"
        rows.append([o["label"], _pct(o["share"]), f"{_pct(o['ci_low'])} to {_pct(o['ci_high'])}",
                     judged, "-" if o["median_rounds"] is None else f"{o['median_rounds']:g}"])
        cls.append("")
    judged_force = ""
    if ranges is not None:
        r = ranges.table.loc["any_force"]
        judged_force = f"{_pct(r['low'])} to {_pct(r['high'])}"
    rows.append(["Any use of force (rung "
                 f"{s.ladder.strike_rung} or above, whatever the ending)", _pct(k / n),
                 f"{_pct(lo)} to {_pct(hi)}", judged_force, ""])
    cls.append("force")
    head = ["outcome", "share", "95% Monte Carlo interval",
            "range over the judgement calls" if ranges is not None else "", "median rounds"]
    table = _table(head, rows, numeric={1, 4}, cls=cls)
    sentence = (f"In this run {_pct(war)} of trials end in war and {_pct(deal)} in a deal; "
                f"force is used in {_pct(k / n)} of trials, deals after a strike included.")
    fig = _figure(lambda f: _outcome_bars(f, summ, ranges), size=(7.5, 0.5 + 0.45 * len(rows)),
                  alt="outcome shares with intervals")
    explain = ("The Monte Carlo interval covers only the noise of a finite number of trials. "
               "The judgement range is how far each share moves when the numbers the "
               "scenario's author judged vary together over their declared ranges (see "
               "<a href=\"#judgements\">Judgement calls</a>); it is usually much wider.")
    if ranges is None:
        explain = ("The Monte Carlo interval covers only the noise of a finite number of "
                   "trials; the scenario declares no judgement calls to vary.")
    return (f"<section id=\"headline\"><h2>The headline</h2><p class=\"headline\">{sentence}</p>"
            f"{table}{fig}<p class=\"note\">{explain} Outcomes are tested in the order listed; "
            "each trial has exactly one.</p></section>")


def _outcome_bars(fig, summ: dict, ranges) -> None:
    ax = fig.add_subplot()
    outs = summ["outcomes"][::-1]
    y = np.arange(len(outs))
    share = np.array([o["share"] for o in outs])
    ax.barh(y, share, color="#7a9cc6", label="share")
    ax.errorbar(share, y, xerr=[share - [o["ci_low"] for o in outs],
                                [o["ci_high"] for o in outs] - share],
                fmt="none", ecolor="black", capsize=3, label="95% Monte Carlo interval")
    if ranges is not None:
        for yi, o in zip(y, outs, strict=True):
            if o["outcome"] in ranges.table.index:
                r = ranges.table.loc[o["outcome"]]
                ax.plot([r["low"], r["high"]], [yi + 0.3] * 2, color="#c77c00", lw=2,
                        label="range over the judgement calls" if yi == y[0] else None)
    ax.set_yticks(y, [o["label"] for o in outs])
    ax.set_xlim(0, 1)
    ax.set_xlabel("share of trials")
    ax.legend(fontsize=7, loc="lower right")


def _paths(s: Scenario, summ: dict, trials: pd.DataFrame) -> str:
    names = {i: r.name for i, r in enumerate(s.ladder.rungs)}
    labels = {o["outcome"]: o["label"] for o in summ["outcomes"]}
    cross = pd.crosstab(trials["peak_rung"], trials["outcome"], normalize="all")
    cross = cross.reindex(columns=[o for o in labels if o in cross.columns])
    head = ["peak rung", *[labels[c] for c in cross.columns], "all"]
    rows = [[f"{r} {names.get(r, '')}", *[_pct(v) for v in cross.loc[r]], _pct(cross.loc[r].sum())]
            for r in cross.index]
    deal = trials["ended_by"] == "deal"
    struck = trials["peak_rung"] >= s.ladder.strike_rung
    note = (f"{_pct((deal & struck).sum() / max(deal.sum(), 1))} of the deals came after a "
            f"strike (rung {s.ladder.strike_rung} or above). Each cell is a share of all trials.")
    return (f"<section id=\"paths\"><h2>Force and paths: how high each trial climbed, by "
            f"outcome</h2>{_table(head, rows, numeric=set(range(1, len(head))))}"
            f"<p class=\"note\">{note}</p></section>")


def _time(s: Scenario, trials: pd.DataFrame, rounds: pd.DataFrame) -> str:
    T = s.protocol.horizon
    t = np.arange(1, T + 1)
    n = len(trials)
    r = trials["rounds"].to_numpy()
    ended = trials["ended_by"].to_numpy()
    deal = np.array([((ended == "deal") & (r <= k)).sum() / n for k in t])
    war = np.array([((ended == "war") & (r <= k)).sum() / n for k in t])
    fr = trials["force_round"].to_numpy() if "force_round" in trials else None

    def draw(fig):
        ax = fig.add_subplot(1, 2, 1)
        ax.step(t, deal, where="post", label="deal")
        ax.step(t, war, where="post", label="war", color="#b22222")
        if fr is not None:
            ax.step(t, [((fr > 0) & (fr <= k)).sum() / n for k in t], where="post",
                    label="first use of force", color="#c77c00")
        ax.set_xlabel("round")
        ax.set_ylabel("share of trials, cumulative")
        ax.set_ylim(0, 1)
        ax.legend(fontsize=7)
        ax.set_title("By round: deal, force, war", fontsize=9)
        ax2 = fig.add_subplot(1, 2, 2)
        if len(rounds):
            cols = [c for c in rounds.columns if c.startswith("rung_")]
            used = [c for c in cols if rounds[c].max() >= 0.005]
            ys = [rounds[c].to_numpy() for c in used]
            ax2.stackplot(rounds["round"], *ys, labels=[
                f"{c.removeprefix('rung_')} {s.ladder.rungs[int(c.removeprefix('rung_'))].name}"
                for c in used])
            ax2.legend(fontsize=6, loc="upper left", bbox_to_anchor=(1.01, 1))
        ax2.set_xlabel("round")
        ax2.set_ylabel("share of trials still running")
        ax2.set_ylim(0, 1)
        ax2.set_title("Running trials by rung", fontsize=9)

    fig = _figure(draw, size=(10, 3.6), alt="cumulative incidence and rungs over time")
    return (f"<section id=\"time\"><h2>Over time</h2>{fig}<p class=\"note\">Left: the share "
            "of all trials that have reached a deal, a first use of force, or war by each "
            "round. Right: the trials still running, by the rung they stand on (finished "
            f"trials leave the chart).</p>{_fans(s, rounds)}</section>")


def _fans(s: Scenario, rounds: pd.DataFrame) -> str:
    """A fan chart per stock: its median, 50% and 90% bands among the running trials."""
    from sim.analysis.fan import stock_quantiles
    from sim.engine.compile import compile_scenario

    fans = stock_quantiles(compile_scenario(s), rounds)
    if not fans:
        return ""

    def draw(fig):
        for k, (sid, q) in enumerate(fans.items()):
            ax = fig.add_subplot(1, len(fans), k + 1)
            ax.fill_between(q["round"], q["q05"], q["q95"], alpha=0.25, color="#1f77b4",
                            label="90% of running trials")
            ax.fill_between(q["round"], q["q25"], q["q75"], alpha=0.45, color="#1f77b4",
                            label="50%")
            ax.plot(q["round"], q["q50"], color="#1f77b4", label="median")
            ax.set_xlabel("round")
            ax.set_title(s.stocks[sid].description or sid, fontsize=8, wrap=True)
            ax.legend(fontsize=6)

    fig = _figure(draw, size=(5 * len(fans), 3.4), alt="each stock over rounds: fan chart")
    return (f"{fig}<p class=\"note\">Each stock among the trials still running: the "
            "median, and the bands holding the middle 50% and 90% of them, by round (round "
            "0 is the start). Trials leave as they end, so a band can move because of which "
            "trials remain, not only because stocks change. Read from a 100-bin histogram "
            "per round: the quantiles are exact to a hundredth of the range drawn.</p>")


def _red_lines(s: Scenario, summ: dict) -> str:
    if not s.red_lines:
        return ""
    names = {a: s.actors[a].name for a in s.actors}
    rows = []
    for r in summ["red_lines"]:
        rl = s.red_lines[r["id"]]
        rows.append([r["id"], names.get(rl.holder, rl.holder), rl.kind,
                     "public" if rl.public else "private", rl.description or "",
                     _pct(r["crossed"]), _pct(r["enforced"])])
    head = ["red line", "holder", "kind", "", "what it says", "crossed", "enforced"]
    return (f"<section id=\"red-lines\"><h2>Red lines</h2>{_table(head, rows, numeric={5, 6})}"
            "<p class=\"note\">Crossed: the trigger happened (for a package line, a package "
            "crossing it was vetoed or accepted; for the others, a deal concluded, a stock "
            "or deadline reached, a strike). Enforced: the line bound in that trial (its "
            "credibility, the chance it binds, is drawn per trial) and was carried out: a "
            "package line by its holder's veto, the others by the holder's response. "
            "Crossed but not enforced: the holder gave way (a public line costs it its "
            "audience cost).</p>"
            "</section>")


def _readable(s: Scenario):
    """A function turning per-trial column names into words, e.g. ``us_war_cost`` ->
    "United States' war cost", ``us_ultimatum_credibility`` -> "credibility of
    us_ultimatum"."""
    words = {}
    for a, actor in s.actors.items():
        for field in ("war_cost", "resolve", "capability", "audience_cost", "discount"):
            words[f"{a}_{field}"] = f"{actor.name}'s {field.replace('_', ' ')}"
    for k in s.red_lines:
        words[f"{k}_credibility"] = f"credibility of {k}"
    for k in s.stocks:
        words[f"{k}_initial"] = f"{k} at the start"
        words[f"{k}_growth"] = f"{k} growth a round"
    for i, r in enumerate(s.ladder.rungs):
        words[f"breakdown_risk_{i}"] = f"breakdown risk at rung {i} ({r.name})"
    order = sorted(words, key=len, reverse=True)

    def readable(text: str) -> str:
        for key in order:
            text = text.replace(key, words[key])
        return text

    return readable


def _drivers(s: Scenario, trials: pd.DataFrame) -> str:
    from sim.analysis.drivers import describe_box, prim_box, tree_rules

    words = _readable(s)

    parts = []
    for label, target in (("war", trials["ended_by"] == "war"),
                          ("a deal", trials["ended_by"] == "deal")):
        y = target.to_numpy()
        box = prim_box(trials, y)
        rules = tree_rules(trials, y)
        if box is None and not rules:
            continue
        text = f"<h3>What makes {label} likely</h3>"
        if box is not None:
            text += f"<p><b>PRIM box.</b> {_e(words(describe_box(box, label)))}</p>"
        if rules:
            rows = [[words(" and ".join(r.conditions)) or "all trials", _pct(r.mass),
                     _pct(r.share)]
                    for r in rules]
            text += ("<p><b>A two-question tree.</b></p>"
                     + _table(["trials where", "share of trials", f"{label}: share"], rows,
                              numeric={1, 2}))
        parts.append(text)
    if not parts:
        return ""
    return ("<section id=\"drivers\"><h2>Drivers</h2>" + "".join(parts)
            + "<p class=\"note\">Scenario discovery on the per-trial table: the drawn values "
            "(war costs, resolve, capabilities, credibilities, whether each red line binds) "
            "that go with the outcome. PRIM (Friedman and Fisher 1999, as implemented by the "
            "EMA Workbench) finds ranges of a few values where the outcome is common; the "
            "tree (scikit-learn, depth 2) splits the trials twice. These are correlations "
            "inside the model, not controlled experiments.</p></section>")


def _compare(s: Scenario, other: Scenario | None, trials: int, seed: int, workers) -> str:
    if other is None:
        return ""
    from sim.analysis.compare import compare, compare_html

    return compare_html(compare(s, other, trials=trials, seed=seed, workers=workers))


def _judgements(s: Scenario, ranges) -> str:
    if not s.judgements:
        return ("<section id=\"judgements\"><h2>Judgement calls</h2><p>The scenario "
                "declares none: every number is treated as given.</p></section>")
    rows = [[j.label or name, f"{j.shift[0]:+g} to {j.shift[1]:+g}",
             ", ".join(j.paths), j.why] for name, j in s.judgements.items()]
    text = _table(["judgement", "plausible shift", "numbers it moves", "why"], rows)
    if ranges is not None:
        labels = {**{o: s.outcomes[o].label for o in s.outcomes}, "any_force": "any use of force"}
        rrows = [[labels[o], _pct(r["low"]), _pct(r["p10"]), _pct(r["p90"]), _pct(r["high"])]
                 for o, r in ranges.table.iterrows()]
        text += (f"<p>Across a Latin hypercube of {ranges.points} points over these shifts "
                 f"({ranges.trials:,} trials each, seed {ranges.seed} at every point):</p>"
                 + _table(["outcome", "lowest", "10th percentile", "90th percentile",
                           "highest"], rrows, numeric={1, 2, 3, 4}))
    return (f"<section id=\"judgements\"><h2>Judgement calls</h2>{text}<p class=\"note\">"
            "Numbers the author judged rather than read from evidence, each with the range "
            "a reasonable author might have picked. The design treats every shift in its "
            "range as equally plausible: the spread is a sensitivity statement, not a "
            "probability interval.</p></section>")


def _base_rates(s: Scenario, trials: pd.DataFrame) -> str:
    from sim.analysis.base_rates import BASE_RATES, war_context

    rows = [[b.label, b.reference_class, b.what, _pct(b.share), b.source] for b in BASE_RATES]
    war = float((trials["ended_by"] == "war").mean())
    return (f"<section id=\"base-rates\"><h2>Base rates</h2><p>{_e(war_context(war))}</p>"
            + _table(["", "reference class", "", "share", "source"], rows, numeric={3})
            + "<p class=\"note\">Reference classes, not targets: the scenario is not tuned "
            "to them. Their sources are listed in docs/sources.md (B1-B4).</p></section>")


def _scenario(s: Scenario) -> str:
    notes: list[list[str]] = []

    def note(where: str, obj) -> None:
        src, ass = getattr(obj, "source", None), getattr(obj, "assumption", None)
        if src or ass:
            notes.append([where, src or "", ass or ""])

    arts = "".join(f"<li>{_e(a.headline)} ({_e(a.outlet or 'outlet not named')}, "
                   f"{_e(a.date)})</li>" for a in s.articles.values())
    issues = _table(["issue", "levels (lowest first)", "what it is"],
                    [[k, _levels(i), i.description] for k, i in s.issues.items()])
    for k, i in s.issues.items():
        note(f"issues.{k}", i)
    actor_rows = []
    for k, a in s.actors.items():
        prefs = "; ".join(f"{iid}: {p.ideal} ({p.salience:g})" for iid, p in a.preferences.items())
        party = "party" if k in s.protocol.parties else "not a party"
        actor_rows.append([a.name, a.side or "", party, prefs, str(len(a.moves))])
        note(f"actors.{k}", a)
        for field in ("capability", "war_cost", "resolve", "audience_cost", "discount"):
            note(f"actors.{k}.{field}", getattr(a, field, None))
        for iid, pref in a.preferences.items():
            note(f"actors.{k}.preferences.{iid}", pref)
        for m, move in enumerate(a.moves):
            note(f"actors.{k}.moves.{m} ({move.name})", move)
            note(f"actors.{k}.moves.{m}.cost", move.cost)
    actors = _table(["actor", "side", "talks", "ideal (weight) per issue", "moves"], actor_rows)
    lines = _table(["red line", "holder", "kind", "response rung", "what it says"],
                   [[k, r.holder, r.kind, "" if r.response is None else str(r.response),
                     r.description or ""] for k, r in s.red_lines.items()])
    for k, r in s.red_lines.items():
        note(f"red_lines.{k}", r)
        note(f"red_lines.{k}.credibility", r.credibility)
    ladder = _table(["rung", "name", "breakdown risk per rejected round"],
                    [[str(i), r.name, _risk(r.breakdown_risk)]
                     for i, r in enumerate(s.ladder.rungs)])
    p = s.protocol
    proto = (f"Parties {', '.join(p.parties)}; proposer: {p.proposer}"
             f"{' (' + p.mediator + ')' if p.mediator else ''}; horizon {p.horizon} rounds"
             f"{f', planning over {p.planning_horizon}' if p.planning_horizon else ''}; "
             f"status quo: {', '.join(f'{k} {v}' for k, v in p.status_quo.items())}.")
    note("protocol", p)
    for k, st in s.stocks.items():
        note(f"stocks.{k}", st)
        note(f"stocks.{k}.initial", st.initial)
        note(f"stocks.{k}.growth", st.growth)
    for i, r in enumerate(s.ladder.rungs):
        note(f"ladder.rungs.{i} ({r.name})", r)
        note(f"ladder.rungs.{i}.breakdown_risk", r.breakdown_risk)
    note("ladder", s.ladder)
    notes_table = _table(["where", "source", "assumption or judgement"], notes)
    return ("<section id=\"scenario\"><h2>The scenario</h2>"
            + (f"<p>Seeded from:</p><ul>{arts}</ul>" if arts else "")
            + f"<h3>Issues</h3>{issues}<h3>Actors</h3>{actors}<h3>Red lines</h3>{lines}"
            f"<h3>Escalation ladder</h3>{ladder}<p>Starts at rung {s.ladder.start}; force "
            f"from rung {s.ladder.strike_rung}; war at rung {s.ladder.war_rung}.</p>"
            f"<h3>Protocol</h3><p>{_e(proto)}</p>"
            f"<details><summary>Every source and assumption in the file ({len(notes)})</summary>"
            f"{notes_table}</details></section>")


def _levels(issue) -> str:
    if issue.levels and issue.names:
        return "; ".join(f"{k} ({name})" for k, name in zip(issue.levels, issue.names,
                                                             strict=True))
    if issue.levels:
        return ", ".join(issue.levels)
    c = issue.continuous
    return f"{c.low:g} to {c.high:g} in {c.steps} steps"


def _risk(r) -> str:
    if isinstance(r, (int, float)):
        return _pct(float(r), 2)
    if r is None:
        return ""
    low, high = getattr(r, "low", None), getattr(r, "high", None)
    if low is not None and high is not None:
        return f"{r.dist} {_pct(low, 2)} to {_pct(high, 2)}"
    return str(r.dist)


def _reproduce(manifest: dict, summ: dict) -> str:
    v = manifest.get("versions", {})
    rows = [["command", manifest.get("command") or "(run from Python)"],
            ["scenario", manifest.get("scenario", "")],
            ["scenario SHA-256", manifest.get("scenario_sha256") or ""],
            ["root seed", str(summ["seed"])], ["trials", f"{summ['trials']:,}"],
            ["script (forced choices)", json.dumps(manifest["script"]) if manifest.get("script")
             else "none"],
            ["chunk size", f"{summ['chunk_size']:,}"],
            ["versions", ", ".join(f"{k} {x}" for k, x in v.items())],
            ["run started", manifest.get("started", "")],
            ["report written", dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")]]
    body = "".join(f"<tr><th>{_e(k)}</th><td>{_e(x)}</td></tr>" for k, x in rows)
    return (f"<section id=\"reproduce\"><h2>Reproduce</h2><table><tbody>{body}</tbody></table>"
            "<p class=\"note\">The same scenario, seed, trial count and chunk size give the "
            "same numbers on any machine and any number of workers.</p></section>")
