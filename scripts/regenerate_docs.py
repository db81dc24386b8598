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

import re
import sys
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
#: Markdown files that hold generated blocks.
DOCS = ("README.md", "scenarios/iran_2026/README.md")
TRIALS, SEED = 20_000, 7

BLOCK = re.compile(r"(<!-- generated: (?P<name>[\w-]+) \(scripts/regenerate_docs\.py\) -->\n)"
                   r"(?P<body>.*?)(<!-- end generated: (?P=name) -->)", re.S)


def baseline_run() -> str:
    """The head of what `escalation run iran_2026/baseline --trials 20000 --seed 7` prints."""
    from sim import load_scenario, run, shipped

    summary = run(load_scenario(shipped("iran_2026/baseline.yaml")), trials=TRIALS,
                  seed=SEED).summary()
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


GENERATORS: dict[str, Callable[[], str]] = {
    "baseline-run": baseline_run,
    "iran-2026-results": iran_2026_results,
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
