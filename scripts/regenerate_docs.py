"""Regenerate the numbers quoted in the docs, so they always match what the code prints.

A generated block in a Markdown file sits between two markers::

    <!-- generated: NAME (scripts/regenerate_docs.py) -->
    ...
    <!-- end generated: NAME -->

and NAME is one of the generators below. Run from the repository root:

    .venv/bin/python scripts/regenerate_docs.py           # rewrite every stale block
    .venv/bin/python scripts/regenerate_docs.py --check   # exit 1 if any block is stale

tests/test_readme.py runs the check.
"""

from __future__ import annotations

import functools
import re
import sys
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
#: Markdown files that hold generated blocks.
DOCS = ("README.md", "scenarios/iran_2026/README.md", "scenarios/history/README.md",
        "docs/teaching/instructor_notes.md")
TRIALS, SEED = 20_000, 7

BLOCK = re.compile(r"(<!-- generated: (?P<name>[\w-]+) \(scripts/regenerate_docs\.py\) -->\n)"
                   r"(?P<body>.*?)(<!-- end generated: (?P=name) -->)", re.S)


@functools.cache
def _baseline():
    """The baseline run the blocks quote (20,000 trials, seed 7), run once."""
    from sim import load_scenario, run, shipped

    return run(load_scenario(shipped("iran_2026/baseline.yaml")), trials=TRIALS, seed=SEED)


def baseline_run() -> str:
    """The head of what `escalation run iran_2026/baseline --trials 20000 --seed 7` prints."""
    summary = _baseline().summary()
    head = summary.table().split("\n\nmedian rounds")[0]
    return f"```\n{head}\n```\n"


def iran_2026_results() -> str:
    """Every Iran 2026 scenario's outcome shares (20,000 trials, seed 7)."""
    from sim import load_scenario, run, shipped

    folder = shipped("iran_2026/baseline.yaml").parent
    files = sorted(folder.glob("*.yaml"), key=lambda f: (f.name != "baseline.yaml", f.name))
    rows = []
    for f in files:
        shares = run(load_scenario(f), trials=TRIALS, seed=SEED).summary().to_df()
        if not rows:
            labels = list(shares["label"])
            rows.append("| scenario | " + " | ".join(labels) + " |")
            rows.append("|---" * (len(labels) + 1) + "|")
        rows.append(f"| `{f.name}` | " + " | ".join(f"{s:.1%}" for s in shares["share"]) + " |")
    return "\n".join(rows) + "\n"


def iran_2026_anatomy() -> str:
    """How the baseline's wars and deals come about (20,000 trials, seed 7)."""
    t = _baseline().trials
    war = t["ended_by"] == "war"
    chosen = war & (t["war_cause"] == "chosen")
    both = t["us_zero_enrichment_binding"] & t["iran_no_zero_enrichment_binding"]
    deal = t["ended_by"] == "deal"
    struck = t["peak_rung"] >= _baseline().cs.ladder.strike_rung
    by = t.loc[chosen, "war_by"].value_counts()
    low = t[["us_war_cost", "israel_war_cost"]].min(axis=1)
    lines = [
        f"- Wars: {war.mean():.1%} of trials; {chosen.sum() / war.sum():.0%} of them chosen "
        f"(by the US in {by.get('us', 0) / war.sum():.0%} of wars, by Israel in "
        f"{by.get('israel', 0) / war.sum():.0%}, by Iran in {by.get('iran', 0) / war.sum():.0%}),"
        f" the rest slid into at a rung's breakdown risk.",
        f"- Wars in the first week: {(war & (t['rounds'] == 1)).mean():.1%} of trials.",
        f"- Both enrichment red lines bind (no package both accept) in {both.mean():.1%} of "
        f"trials; war follows in {war[both].mean():.1%} of those and in "
        f"{war[~both].mean():.1%} of the others.",
        f"- Among those, by the lower of the US and Israeli war costs: under 0.55, war in "
        f"{_share(war, both & (low < 0.55))}; 0.55 to 0.7, "
        f"{_share(war, both & (low >= 0.55) & (low < 0.7))}; 0.7 or more, "
        f"{_share(war, both & (low >= 0.7))} (of those wars "
        f"{_share(t['war_cause'] == 'breakdown', war & both & (low >= 0.7))} slid in at a "
        "rung's breakdown risk).",
        f"- Deals: {deal.mean():.1%} of trials, {(deal & struck).sum() / deal.sum():.0%} of "
        f"them after a strike; any use of force (rung "
        f"{_baseline().cs.ladder.strike_rung} or above): {struck.mean():.1%}.",
    ]
    return "\n".join(lines) + "\n"


def _share(event, where) -> str:
    """The share of ``event`` among the trials ``where``, as a percentage."""
    return f"{event[where].mean():.0%}"


def _headline(result) -> tuple[float, float, float]:
    """P(regional war), P(any deal), P(any use of force) of a run."""
    t = result.trials
    strike = result.cs.ladder.strike_rung
    return ((t["ended_by"] == "war").mean(), (t["ended_by"] == "deal").mean(),
            (t["peak_rung"] >= strike).mean())


@functools.cache
def _judgement_ends() -> tuple[tuple[float, float, float], dict]:
    """The baseline's headline as written, and at both ends of each judgement's range,
    one at a time (10,000 trials, seed 7: the same draws apart from the judged numbers)."""
    from sim import load_scenario, run, shipped
    from sim.scenario.parameters import with_judgements

    base = load_scenario(shipped("iran_2026/baseline.yaml"))
    trials = TRIALS // 2
    ends = {name: [_headline(run(with_judgements(base, {name: shift}), trials=trials,
                                 seed=SEED)) for shift in j.shift]
            for name, j in base.judgements.items()}
    return _headline(run(base, trials=trials, seed=SEED)), ends


def iran_2026_judgements() -> str:
    """The judgement table of scenarios/iran_2026/README.md."""
    from sim import load_scenario, shipped

    base = load_scenario(shipped("iran_2026/baseline.yaml"))
    (war, deal, force), ends = _judgement_ends()
    rows = ["| judgement (shift) | war | any deal | any force |", "|---|---|---|---|",
            f"| as written | {war:.1%} | {deal:.1%} | {force:.1%} |"]
    for name, j in base.judgements.items():
        cells = [f"{lo:.1%} to {hi:.1%}" for lo, hi in zip(*ends[name], strict=True)]
        label = j.label or name
        rows.append(f"| {label} ({j.shift[0]:+g} to {j.shift[1]:+g}) | " + " | ".join(cells)
                    + " |")
    return "\n".join(rows) + "\n"


@functools.cache
def _hindcasts():
    from sim.studies.hindcast import hindcast_files, run_hindcasts

    return run_hindcasts(hindcast_files(), trials=TRIALS, seed=SEED, workers=None)


def hindcast_table() -> str:
    """What `escalation hindcast --format markdown` prints (20,000 trials, seed 7)."""
    from sim.studies.hindcast import hindcast_table as table

    return table(_hindcasts(), markdown=True)


def _capped_wars(cap, base) -> str:
    """How the wars with Israel capped begin: chosen by the US (when, and whether both
    enrichment red lines bind) or slid into at a rung's breakdown risk."""
    wars = cap[cap["ended_by"] == "war"].reset_index(drop=True)
    chosen = wars[wars["war_cause"] == "chosen"]
    both = (chosen["us_zero_enrichment_binding"]
            & chosen["iran_no_zero_enrichment_binding"]).mean()
    by = ", ".join(base.actors[a].name for a in sorted(chosen["war_by"].unique()))
    first = {cause: int(wars.index[wars["war_cause"] == cause][0]) + 1
             for cause in ("chosen", "breakdown")}
    slid = (wars["war_cause"] == "breakdown").mean()
    return (f"Of the wars with Israel capped, {len(chosen) / len(wars):.0%} are chosen (by "
            f"{by}; half of them by round {chosen['rounds'].median():.0f}; both enrichment "
            f"red lines bind in {both:.0%} of them) and {slid:.0%} slide in at a rung's "
            "breakdown risk. With `explain --from DIR --outcome war`, "
            f"`--nth {first['chosen']}` is the first chosen war and "
            f"`--nth {first['breakdown']}` the first slide.")


def teaching_answers() -> str:
    """The numbers of the answers in docs/teaching/instructor_notes.md."""
    from sim import load_scenario, run, shipped
    from sim.analysis.compare import compare

    t = _baseline().trials
    strike = _baseline().cs.ladder.strike_rung
    force = (t["peak_rung"] >= strike).mean()
    plain = (t["outcome"] == "limited_strikes").mean()
    after = (t["outcome"] == "deal_after_strikes").mean()
    war = (t["ended_by"] == "war").mean()
    base = load_scenario(shipped("iran_2026/baseline.yaml"))
    trials = TRIALS // 2
    c = compare(base, load_scenario(shipped("iran_2026/second_carrier.yaml")), trials=trials,
                seed=SEED).table.set_index("outcome")
    cap = run(base, trials=trials, seed=SEED, script={"israel": {"max_rung": 5}}).trials
    ref = run(base, trials=trials, seed=SEED).trials
    (w0, _, _), ends = _judgement_ends()
    spans = {name: abs(hi[0] - lo[0]) for name, (lo, hi) in ends.items()}
    top = max(spans, key=spans.get)
    worst = min(_hindcasts(), key=lambda h: h.share)
    lines = [
        f"1. Any use of force: {force:.1%} of trials; \"Strikes without a deal or war\": "
        f"{plain:.1%}; deals after strikes {after:.1%}; wars {war:.1%} (20,000 trials, seed "
        f"{SEED}).",
        f"2. Second carrier minus baseline ({trials:,} paired trials): war "
        f"{c.loc['war', 'difference']:+.1%} (95% interval {c.loc['war', 'ci_low']:+.1%} to "
        f"{c.loc['war', 'ci_high']:+.1%}); any use of force "
        f"{c.loc['any_force', 'difference']:+.1%} ({c.loc['any_force', 'ci_low']:+.1%} to "
        f"{c.loc['any_force', 'ci_high']:+.1%}); any deal {c.loc['any_deal', 'difference']:+.1%} "
        f"({c.loc['any_deal', 'ci_low']:+.1%} to {c.loc['any_deal', 'ci_high']:+.1%}).",
        f"3. Israel capped at rung 5 ({trials:,} trials, the same draws): war "
        f"{(cap['ended_by'] == 'war').mean():.1%} against {(ref['ended_by'] == 'war').mean():.1%}"
        f"; any use of force {(cap['peak_rung'] >= strike).mean():.1%} against "
        f"{(ref['peak_rung'] >= strike).mean():.1%}; trials that end in war under both "
        f"{((cap['ended_by'] == 'war') & (ref['ended_by'] == 'war')).mean():.1%}. "
        f"{_capped_wars(cap, base)}",
        f"4. The judgement that moves war most: {base.judgements[top].label} "
        f"({ends[top][0][0]:.1%} to {ends[top][1][0]:.1%}, as written {w0:.1%}).",
        f"5. The hindcast given the least probability: {worst.name} (as of {worst.as_of}), "
        f"{worst.share:.1%} for what happened ({worst.outcome}); the model's largest share "
        f"there: {max(worst.shares, key=worst.shares.get)} "
        f"{max(worst.shares.values()):.1%}.",
    ]
    return "\n".join(lines) + "\n"


def notebook_answers() -> str:
    """The answers to the notebooks' exercises (scripts/notebook_answers.py)."""
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from notebook_answers import notebook_answers as answers

    return answers(_baseline())


GENERATORS: dict[str, Callable[[], str]] = {
    "baseline-run": baseline_run,
    "iran-2026-results": iran_2026_results,
    "iran-2026-judgements": iran_2026_judgements,
    "iran-2026-anatomy": iran_2026_anatomy,
    "hindcast-table": hindcast_table,
    "teaching-answers": teaching_answers,
    "notebook-answers": notebook_answers,
}


def blocks(text: str) -> list[str]:
    """Names of the generated blocks in a Markdown text, in order."""
    return [m["name"] for m in BLOCK.finditer(text)]


def regenerate(text: str, cache: dict[str, str]) -> str:
    """The text with every generated block's body replaced by its generator's output."""
    def body(m: re.Match) -> str:
        name = m["name"]
        if name not in GENERATORS:
            raise KeyError(f"no generator for block '{name}'; known: {', '.join(GENERATORS)}")
        if name not in cache:
            cache[name] = GENERATORS[name]()
        return m.group(1) + cache[name] + m.group(4)

    return BLOCK.sub(body, text)


def main(argv: list[str]) -> int:
    check = "--check" in argv
    cache: dict[str, str] = {}
    stale = []
    for name in DOCS:
        path = ROOT / name
        text = path.read_text(encoding="utf-8")
        new = regenerate(text, cache)
        if new != text:
            stale.append(name)
            if not check:
                path.write_text(new, encoding="utf-8")
    if stale:
        verb = "stale" if check else "regenerated"
        print(f"{verb}: {', '.join(stale)}")
    return 1 if check and stale else 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
