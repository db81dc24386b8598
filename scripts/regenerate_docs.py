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
DOCS = ("README.md", "scenarios/iran_2026/README.md", "scenarios/history/README.md")
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
    lines = [
        f"- Wars: {war.mean():.1%} of trials; {chosen.sum() / war.sum():.0%} of them chosen "
        f"(by the US in {by.get('us', 0) / war.sum():.0%} of wars, by Israel in "
        f"{by.get('israel', 0) / war.sum():.0%}, by Iran in {by.get('iran', 0) / war.sum():.0%}),"
        f" the rest slid into at a rung's breakdown risk.",
        f"- Wars in the first week: {(war & (t['rounds'] == 1)).mean():.1%} of trials.",
        f"- Both enrichment red lines bind (no package both accept) in {both.mean():.1%} of "
        f"trials; war follows in {war[both].mean():.1%} of those and in "
        f"{war[~both].mean():.1%} of the others.",
        f"- Deals: {deal.mean():.1%} of trials, {(deal & struck).sum() / deal.sum():.0%} of "
        f"them after a strike; any use of force (rung "
        f"{_baseline().cs.ladder.strike_rung} or above): {struck.mean():.1%}.",
    ]
    return "\n".join(lines) + "\n"


def _headline(result) -> tuple[float, float, float]:
    """P(regional war), P(any deal), P(any use of force) of a run."""
    t = result.trials
    strike = result.cs.ladder.strike_rung
    return ((t["ended_by"] == "war").mean(), (t["ended_by"] == "deal").mean(),
            (t["peak_rung"] >= strike).mean())


def iran_2026_judgements() -> str:
    """The baseline with each judgement call moved to either end of its declared range,
    one at a time (10,000 trials, seed 7: the same draws apart from the judged numbers)."""
    from sim import load_scenario, run, shipped
    from sim.scenario.parameters import with_judgements

    base = load_scenario(shipped("iran_2026/baseline.yaml"))
    trials = TRIALS // 2
    war, deal, force = _headline(run(base, trials=trials, seed=SEED))
    rows = ["| judgement (shift) | war | any deal | any force |", "|---|---|---|---|",
            f"| as written | {war:.1%} | {deal:.1%} | {force:.1%} |"]
    for name, j in base.judgements.items():
        ends = []
        for shift in j.shift:
            ends.append(_headline(run(with_judgements(base, {name: shift}), trials=trials,
                                      seed=SEED)))
        cells = [f"{lo:.1%} to {hi:.1%}" for lo, hi in zip(*ends, strict=True)]
        label = j.label or name
        rows.append(f"| {label} ({j.shift[0]:+g} to {j.shift[1]:+g}) | " + " | ".join(cells)
                    + " |")
    return "\n".join(rows) + "\n"


def hindcast_table() -> str:
    """What `escalation hindcast --format markdown` prints (20,000 trials, seed 7)."""
    from sim.studies.hindcast import hindcast_files, run_hindcasts
    from sim.studies.hindcast import hindcast_table as table

    return table(run_hindcasts(hindcast_files(), trials=TRIALS, seed=SEED, workers=None),
                 markdown=True)


GENERATORS: dict[str, Callable[[], str]] = {
    "baseline-run": baseline_run,
    "iran-2026-results": iran_2026_results,
    "iran-2026-judgements": iran_2026_judgements,
    "iran-2026-anatomy": iran_2026_anatomy,
    "hindcast-table": hindcast_table,
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
