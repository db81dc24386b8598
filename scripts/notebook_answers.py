"""The answers to the course pack's notebook exercises, recomputed from the library.

``scripts/regenerate_docs.py`` writes them into docs/teaching/instructor_notes.md (the
``notebook-answers`` block) and tests/test_readme.py checks they are current. Each
function recomputes one notebook's answers with the trial counts and seed the notebook
uses at its default of 20,000 trials, so a student running the notebook as shipped sees
the same numbers. ``TRIALS`` and ``SEED`` are those of the generator.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TRIALS, SEED = 20_000, 7


_BASELINE: list = []  # the generator's baseline run, given to notebook_answers


def _baseline():
    """The generator's 20,000-trial baseline run of the February 2026 scenario."""
    return _BASELINE[0]


def notebook02_answers() -> list[str]:
    """Exercises of notebooks/02_credibility_and_red_lines.ipynb."""
    import pandas as pd

    from sim import load_scenario, run, shipped, sweep
    from sim.analysis.compare import compare
    from sim.scenario.loader import scenario_from_dict

    baseline = load_scenario(shipped("iran_2026/baseline.yaml"))
    lines = pd.DataFrame(_baseline().summary()["red_lines"]).set_index("id")
    gave = (lines["crossed"] - lines["enforced"]).sort_values()
    top = gave.index[-1]
    n = TRIALS // 4
    spans = {}
    for path, values in (("red_lines.us_zero_enrichment.credibility.a", [1, 12]),
                         ("red_lines.iran_no_missile_limits.credibility.a", [1, 12])):
        f = sweep(baseline, {path: values}, sampler="grid", trials=n, seed=SEED).frame
        spans[path.split(".")[1]] = (f["share_regional_war"].iloc[0],
                                     f["share_regional_war"].iloc[-1])
    c = compare(baseline, load_scenario(shipped("iran_2026/israel_strikes_alone.yaml")),
                trials=TRIALS // 2, seed=SEED).table.set_index("outcome")
    c = c[~c.index.isin(["any_deal", "war", "any_force"])]
    moved = c["difference"].abs().idxmax()
    data = baseline.model_dump(mode="json", exclude_none=True)
    data["red_lines"]["us_ultimatum"]["public"] = False
    private = run(scenario_from_dict(data), trials=TRIALS // 2, seed=SEED).trials
    plain = run(baseline, trials=TRIALS // 2, seed=SEED).trials
    (us_zero, iran_missiles) = spans["us_zero_enrichment"], spans["iran_no_missile_limits"]
    return [
        f"1. The line that gives way most often: {top} (crossed {lines.loc[top, 'crossed']:.1%}"
        f", enforced {lines.loc[top, 'enforced']:.1%}; {TRIALS:,} trials, seed {SEED}).",
        f"2. War as the credibility parameter a goes from 1 to 12 ({n:,} trials a point): "
        f"US zero-enrichment line {us_zero[0]:.1%} to {us_zero[1]:.1%}; Iran's missile line "
        f"{iran_missiles[0]:.1%} to {iran_missiles[1]:.1%}.",
        f"3. Israel's public commitment changes '{moved}' most: "
        f"{c.loc[moved, 'difference']:+.1%} (95% interval {c.loc[moved, 'ci_low']:+.1%} to "
        f"{c.loc[moved, 'ci_high']:+.1%}; {TRIALS // 2:,} paired trials).",
        f"4. A private US ultimatum ({TRIALS // 2:,} trials, the same draws): war "
        f"{(private.ended_by == 'war').mean():.1%} against "
        f"{(plain.ended_by == 'war').mean():.1%}; the US pays an audience cost in "
        f"{(private.audience_cost_paid_us > 0).mean():.1%} of trials against "
        f"{(plain.audience_cost_paid_us > 0).mean():.1%}.",
    ]


def notebook03_answers() -> list[str]:
    """Exercises of notebooks/03_commitment_problem.ipynb."""
    import numpy as np

    from sim import load_scenario, run, shipped, sweep
    from sim.analysis.compare import compare
    from sim.scenario.loader import scenario_from_dict

    v2 = load_scenario(shipped("validation/v2_commitment.yaml"))
    deltas = [round(d, 2) for d in np.arange(0.60, 0.70, 0.01)]
    f = sweep(v2, {"actors.d.discount.value": deltas}, sampler="grid", trials=20,
              seed=SEED).frame
    first = f.loc[f.share_war > 0.5, "actors.d.discount.value"].min()
    threshold = (1 - 0.5 + 0.05) / ((0.5 - 0.2) + (1 - 0.5 + 0.05))
    data = v2.model_dump(mode="json", exclude_none=True)
    data["stocks"]["r_rearmament"].update(
        {"growth": 1.0, "initial": -1.0, "min": -1.0, "max": 1.0})
    small = (run(scenario_from_dict(data), trials=20, seed=SEED).trials.ended_by == "war").mean()
    final = v2.model_dump(mode="json", exclude_none=True)
    final["protocol"]["agreements"] = "final"
    committed = run(scenario_from_dict(final), trials=20, seed=SEED).trials
    c = compare(load_scenario(shipped("iran_2026/baseline.yaml")),
                load_scenario(shipped("iran_2026/fast_rebuild.yaml")), trials=TRIALS // 2,
                seed=SEED).table.set_index("outcome")
    return [
        f"1. D fights from delta = {first:.2f} (c_D = 0.05); the closed form's threshold is "
        f"{threshold:.4f}, so the first grid point above it.",
        f"2. With growth 1 (p1 = 1/3) D still fights at delta = 0.9: share of war {small:.0%}; "
        f"0.9 x (0.5 - 1/3) = 0.150 > 0.1 x 0.55 = 0.055.",
        f"3. Fast rebuild minus baseline ({TRIALS // 2:,} paired trials): any use of force "
        f"{c.loc['any_force', 'difference']:+.1%} ({c.loc['any_force', 'ci_low']:+.1%} to "
        f"{c.loc['any_force', 'ci_high']:+.1%}); war {c.loc['war', 'difference']:+.1%}; "
        f"deal after strikes {c.loc['deal_after_strikes', 'difference']:+.1%}.",
        f"4. agreements: final: share of war {(committed.ended_by == 'war').mean():.0%}, every "
        f"trial a deal in round {int(committed.rounds.max())}: once R can commit, D accepts at "
        "once.",
    ]


def notebook04_answers() -> list[str]:
    """Exercises of notebooks/04_audience_costs_and_signalling.ipynb."""
    import numpy as np

    from sim import load_scenario, run, shipped
    from sim.scenario.loader import scenario_from_dict
    from sim.studies import closed_forms

    def changed(scenario, edit):
        data = scenario.model_dump(mode="json", exclude_none=True)
        edit(data)
        return scenario_from_dict(data)

    n = TRIALS // 4
    lams = [0.5, 2, 4, 10, 30, 100, 1000]
    close = next(lam for lam in lams
                 if abs(closed_forms.chicken(1.0, 0.0, 0.5, -0.3, lam)["qre"] - 0.375) < 0.01)
    need = (2 * np.sqrt(0.375 * 0.625) / 0.005) ** 2
    chicken = load_scenario(shipped("validation/v7_chicken.yaml"))

    def both(d):
        d["actors"]["a"]["audience_cost"] = d["actors"]["b"]["audience_cost"] = 0.1

    t = run(changed(chicken, both), trials=n, seed=SEED).trials
    attrition = load_scenario(shipped("validation/v6_attrition.yaml"))
    long = (run(attrition, trials=n, seed=SEED).trials.rounds > 10).mean()
    p = closed_forms.attrition(1.0, 0.0, 0.5, 0.05, 1000)["qre"]
    baseline = load_scenario(shipped("iran_2026/baseline.yaml"))
    war = {}
    for cost in (0.0, 0.1, 0.2, 0.3, 0.4):
        def us(d, cost=cost):
            d["actors"]["us"]["audience_cost"] = cost
        war[cost] = (run(changed(baseline, us), trials=n, seed=SEED).trials.ended_by
                     == "war").mean()
    low, high = min(war, key=war.get), max(war, key=war.get)
    from sim.engine.compellence import equilibrium, threat_game
    from sim.engine.compile import compile_scenario

    signal = load_scenario(shipped("validation/v4_audience_costs.yaml"))
    s = run(signal, trials=n, seed=SEED).trials
    threat = s.peak_rung >= 1
    bluffs = (threat & (s.a_resolve < -0.2)).sum() / threat.sum()
    fearon = closed_forms.audience_costs(0.2, 0.5, 0.8)
    called = s[threat & s.backed_down_a]
    belief = equilibrium(threat_game(compile_scenario(signal))).carry_out[1]
    return [
        f"1. The logit QRE first comes within 0.01 of 0.375 at lambda = {close:g} of the "
        f"notebook's grid; telling 0.38 from 0.375 at two standard errors takes about "
        f"{need:,.0f} trials.",
        f"2. Both with audience cost 0.1 ({n:,} trials): each backs down alone "
        f"{(t.backed_down_a & ~t.backed_down_b).mean():.1%} / "
        f"{(t.backed_down_b & ~t.backed_down_a).mean():.1%}, both "
        f"{(t.backed_down_a & t.backed_down_b).mean():.1%}, crash "
        f"{(t.ended_by == 'war').mean():.1%}.",
        f"3. Standoffs longer than 10 rounds (c = 0.05): {long:.1%} in the engine, "
        f"{(1 - p) ** 20:.1%} from the closed form.",
        f"4. Fewest wars at a US audience cost of {low:g} ({war[low]:.1%}), most at {high:g} "
        f"({war[high]:.1%}); {n:,} trials each, the same draws.",
        f"5. At a = 0.2, {bluffs:.1%} of A's threats are bluffs ({n:,} trials); Fearon's "
        f"equilibrium gives {fearon['bluff'] * 0.4:.2f} / {fearon['threaten']:.2f} = "
        f"{fearon['bluff'] * 0.4 / fearon['threaten']:.1%}. A bluff is called in "
        f"{len(called) / n:.1%} of trials; in the exercise's run (2,000 trials, the "
        f"command's default seed, 7) the first is `--nth {_first_called():d}`. It costs A "
        f"its audience cost, 0.2; B had believed the threat would be carried out with "
        f"probability {belief:.3f} (0.600 before it).",
    ]


def _first_called() -> int:
    """N such that ``escalation explain --from DIR --outcome status_quo --nth N`` tells
    the first called bluff of ``escalation run validation/v4_audience_costs.yaml
    --trials 2000`` (seed 7, the command's default)."""
    from sim import load_scenario, run, shipped

    t = run(load_scenario(shipped("validation/v4_audience_costs.yaml")), trials=2000,
            seed=SEED).trials
    quo = t[t.outcome == "status_quo"].reset_index(drop=True)
    return int(quo.index[quo.backed_down_a][0]) + 1


def notebook05_answers() -> list[str]:
    """Answers to the exercises of notebooks/05_mediation_and_linkage.ipynb (seed 7; at
    most 10,000 trials per run, so the numbers differ from a 20,000-trial notebook run by
    about the width of the intervals)."""
    from sim import load_scenario, run, shipped, sweep
    from sim.analysis.compare import compare

    trials, seed, per_point = 10_000, 7, 5_000
    base = load_scenario(shipped("iran_2026/baseline.yaml"))
    direct = load_scenario(shipped("iran_2026/no_mediator.yaml"))
    narrow = load_scenario(shipped("iran_2026/nuclear_only.yaml"))
    missiles = load_scenario(shipped("iran_2026/us_missile_limits.yaml"))

    # 1. the outcome removing Oman changes most, with its paired interval
    c = compare(base, direct, trials=trials, seed=seed).table
    rows = c[~c["outcome"].isin(["any_deal", "war", "any_force"])]
    r = rows.loc[rows["difference"].abs().idxmax()]
    excludes = "excludes" if r["ci_low"] > 0 or r["ci_high"] < 0 else "does not exclude"
    line1 = (f"1. Direct talks minus Oman ({trials:,} paired trials): the largest change is "
             f"{r['label']}, {r['share_a']:.1%} to {r['share_b']:.1%}, {r['difference']:+.1%} "
             f"(95% paired interval {r['ci_low']:+.1%} to {r['ci_high']:+.1%}, which {excludes} "
             f"zero); paired SE {r['se_paired']:.2%} against {r['se_unpaired']:.2%} unpaired.")

    # 2. the levels of nuclear_only's deals
    t = run(narrow, trials=trials, seed=seed).trials
    deals = t[t["ended_by"] == "deal"]
    parts = []
    for issue in narrow.issues:
        shares = deals["deal_" + issue].value_counts(normalize=True)
        parts.append(f"{issue} " + ", ".join(f"{lv} {s:.1%}" for lv, s in shares.items()))
    limited = (deals["deal_missiles"] != "unrestricted").mean()
    line2 = (f"2. nuclear_only.yaml ({trials:,} trials): deals in {len(deals) / len(t):.1%} of "
             f"trials; levels in deals: " + "; ".join(parts)
             + f". Deals limiting missiles: {limited:.1%}.")

    # 3. what only direct talks produce, and why
    ta = run(base, trials=trials, seed=seed).trials
    tb = run(direct, trials=trials, seed=seed).trials
    comp_a = (ta["outcome"] == "comprehensive_deal").mean()
    comp_b = (tb["outcome"] == "comprehensive_deal").mean()
    bound = tb.loc[tb["outcome"] == "comprehensive_deal", "iran_no_missile_limits_binding"]
    limits_a = (ta["last_offer_missiles"] != "unrestricted").mean()
    limits_b = (tb["last_offer_missiles"] != "unrestricted").mean()
    line3 = (f"3. Comprehensive deal (missiles limited): {comp_a:.2%} with Oman, {comp_b:.2%} in "
             f"direct talks ({trials:,} trials); the last proposal limits missiles in "
             f"{limits_a:.1%} of trials with Oman and {limits_b:.1%} in direct talks; Iran's "
             f"missile line binds in {ta['iran_no_missile_limits_binding'].mean():.1%} of trials "
             f"and in {bound.mean():.0%} of the direct talks' comprehensive deals.")

    # 4. the mediator's precision from which it beats direct talks on war
    path = "protocol.mediator_rationality"
    grid = [30, 40, 50, 60, 80, 100, 120, 150, 200, 300]
    f = sweep(base, {path: grid}, sampler="grid", trials=per_point, seed=seed).frame
    ref = (run(direct, trials=per_point, seed=seed).trials["ended_by"] == "war").mean()
    below = f.loc[f["share_regional_war"] < ref, path]
    first = f"{below.min():g}" if len(below) else f"none up to {grid[-1]}"
    war = ", ".join(f"{x:g}: {w:.1%}" for x, w in zip(f[path], f["share_regional_war"]))
    line4 = (f"4. War by mediator precision ({per_point:,} trials a point): {war}; direct talks "
             f"{ref:.1%}; fewer wars than direct talks from lambda = {first} on (grid values).")

    # 5. linkage the other way: missiles as a US red line
    c = compare(base, missiles, trials=trials, seed=seed).table.set_index("outcome")
    d, w = c.loc["any_deal"], c.loc["war"]
    tm = run(missiles, trials=trials, seed=seed).trials
    clash = (tm["us_missile_limits_binding"] & tm["iran_no_missile_limits_binding"]).mean()
    line5 = (f"5. us_missile_limits minus baseline ({trials:,} paired trials): any deal "
             f"{d['share_a']:.1%} to {d['share_b']:.1%} ({d['difference']:+.1%}, "
             f"{d['ci_low']:+.1%} to {d['ci_high']:+.1%}); war {w['share_a']:.1%} to "
             f"{w['share_b']:.1%} ({w['difference']:+.1%}, {w['ci_low']:+.1%} to "
             f"{w['ci_high']:+.1%}); both missile red lines bind (no missile level passes "
             f"both) in {clash:.1%} of trials.")
    return [line1, line2, line3, line4, line5]


def notebook06_answers() -> list[str]:
    """The numbers of the answers to the exercises of notebooks/06_build_your_own_crisis.ipynb,
    one line per exercise (10,000 trials per run, seed 7, as the exercises ask)."""
    import math

    from sim import load_scenario, run, shipped
    from sim.scenario.loader import scenario_from_dict
    from sim.scenario.paths import resolve
    from sim.studies.hindcast import score

    trials, seed = 10_000, 7
    cuba = load_scenario(shipped("history/cuba_1962.yaml"))

    def shifted(scenario, judgement, end):
        """The scenario with a judgement call at one end of its declared range (0 low, 1 high)."""
        data = scenario.model_dump()
        j = scenario.judgements[judgement]
        for path in j.paths:
            holder, key, _ = resolve(data, path)
            holder[key] += j.shift[end]
        return scenario_from_dict(data)

    def counts(scenario, **kw):
        rows = run(scenario, trials=trials, seed=seed, **kw).summary()["outcomes"]
        return {r["outcome"]: r["count"] for r in rows}

    def share(c, *outcomes):
        return sum(c[o] for o in outcomes) / sum(c.values())

    def scores(c, actual):
        brier, log = score(c, actual)
        k = len(c)
        return (f"Brier {brier:.3f} (no-skill {1 - 1 / k:.3f}), log {log:.2f} "
                f"(no-skill {math.log(k):.2f})")

    base = counts(cuba)
    actual = cuba.known_outcome.outcome  # 'deal'

    # 1. Hindsight: the pledge ranked first for the USSR (top of ussr_pledge_weight).
    pledge = counts(shifted(cuba, "ussr_pledge_weight", 1))
    new_salience = (cuba.actors["ussr"].preferences["us_pledge"].salience
                    + cuba.judgements["ussr_pledge_weight"].shift[1])
    line1 = (f"1. USSR pledge salience {new_salience:.3f} (top of ussr_pledge_weight): P(deal) "
             f"{share(base, actual):.1%} -> {share(pledge, actual):.1%}; as written "
             f"{scores(base, actual)}; changed {scores(pledge, actual)}.")

    # 2. The other coding of 1962: a blockade as use of force.
    line2 = (f"2. Coded deal_after_force: P(model) {share(base, 'deal_after_force'):.1%}, "
             f"{scores(base, 'deal_after_force')}; coded deal: P(model) "
             f"{share(base, actual):.1%}, {scores(base, actual)}.")

    # 3. Counterfactual: the US never goes above rung 5 (the quarantine).
    capped = counts(cuba, script={"us": {"max_rung": 5}})
    gain = {o: share(capped, o) - share(base, o) for o in base}
    most = max(gain, key=gain.get)
    line3 = (f"3. US capped at rung 5: largest gain {most} {share(base, most):.1%} -> "
             f"{share(capped, most):.1%}; deal {share(base, 'deal'):.1%} -> "
             f"{share(capped, 'deal'):.1%}; war {share(base, 'war'):.1%} -> "
             f"{share(capped, 'war'):.1%}.")

    # 4. Breakdown risk at rungs 4-5 at the top of its range.
    risky = counts(shifted(cuba, "breakdown", 1))
    line4 = (f"4. Breakdown at the top of its range: war {share(base, 'war'):.1%} -> "
             f"{share(risky, 'war'):.1%}; deal {share(base, 'deal'):.1%} -> "
             f"{share(risky, 'deal'):.1%}; any deal {share(base, 'deal', 'deal_after_force'):.1%}"
             f" -> {share(risky, 'deal', 'deal_after_force'):.1%}.")

    # 5. The notebook's template, read from the notebook itself (the TEMPLATE cell).
    import tempfile
    from pathlib import Path

    import nbformat

    notebook = nbformat.read(ROOT / "notebooks" / "06_build_your_own_crisis.ipynb", 4)
    cell = next(c.source for c in notebook.cells if c.source.startswith("TEMPLATE = "))
    names: dict = {}
    exec(cell.split("\nPath(")[0], names)  # only the assignment, not the file writing
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "my_crisis.yaml"
        path.write_text(names["TEMPLATE"], encoding="utf-8")
        template = load_scenario(path).model_dump(mode="json", exclude_none=True)

    def template_run(**red_line):
        template["red_lines"]["south_no_garrison"].update(red_line)
        t = run(scenario_from_dict(template), trials=trials, seed=seed).trials
        deal = t["ended_by"] == "deal"
        return deal.mean(), (t["ended_by"] == "war").mean(), \
            (deal & (t["deal_garrison"] == "stationed")).mean(), \
            (t.loc[deal, "deal_garrison"] == "withdrawn").mean()

    mine = template_run()
    firm = template_run(credibility={"dist": "beta", "a": 9, "b": 1})
    private = template_run(credibility={"dist": "beta", "a": 5, "b": 5}, public=False)
    line5 = (f"5. my_crisis.yaml: deal {mine[0]:.1%}, war {mine[1]:.1%}, garrison withdrawn in "
             f"{mine[3]:.1%} of deals; South's line Beta(9, 1): deal {firm[0]:.1%}, war "
             f"{firm[1]:.1%}; the line private (Beta(5, 5)): deal {private[0]:.1%}, war "
             f"{private[1]:.1%}, deals leaving the garrison stationed {mine[2]:.1%} -> "
             f"{private[2]:.1%} of trials.")

    return [line1, line2, line3, line4, line5]


if __name__ == "__main__":
    import time

    t = time.time()
    for line in notebook06_answers():
        print(line)
    print(f"({time.time() - t:.1f} s)")


#: Notebook file name -> function giving its answers, one line per exercise.
NOTEBOOKS: dict[str, Callable[[], list[str]]] = {
    "02_credibility_and_red_lines.ipynb": notebook02_answers,
    "03_commitment_problem.ipynb": notebook03_answers,
    "04_audience_costs_and_signalling.ipynb": notebook04_answers,
    "05_mediation_and_linkage.ipynb": notebook05_answers,
    "06_build_your_own_crisis.ipynb": notebook06_answers,
}


def notebook_answers(baseline) -> str:
    """The generated block: each notebook's answers under its name. ``baseline`` is the
    20,000-trial, seed-7 run of the baseline the other generated blocks quote."""
    _BASELINE[:] = [baseline]
    out = []
    for name, answers in NOTEBOOKS.items():
        out += [f"**{name}**", "", *answers(), ""]
    return "\n".join(out)
