"""Print the outcome table of every Iran 2026 scenario (markdown), as quoted in
scenarios/iran_2026/README.md; tests/test_readme.py checks the quoted table is current.

    .venv/bin/python scripts/scenario_table.py
"""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TRIALS, SEED = 20_000, 7


def table() -> str:
    from sim import load_scenario, run

    files = sorted((ROOT / "scenarios" / "iran_2026").glob("*.yaml"))
    files.sort(key=lambda f: f.name != "baseline.yaml")
    rows = []
    for f in files:
        scenario = load_scenario(f)
        shares = run(scenario, trials=TRIALS, seed=SEED, workers=1).summary().to_df()
        if not rows:
            labels = list(shares["label"])
            rows.append("| scenario | " + " | ".join(labels) + " |")
            rows.append("|---" * (len(labels) + 1) + "|")
        rows.append(f"| `{f.name}` | " + " | ".join(f"{s:.1%}" for s in shares["share"]) + " |")
    return "\n".join(rows) + "\n"


if __name__ == "__main__":
    print(table(), end="")
