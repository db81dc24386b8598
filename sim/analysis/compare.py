"""Paired comparison of two scenarios with common random numbers.

Both scenarios run the same trials with the same root seed and chunk size. Each use of
randomness draws from its own named stream (docs/model.md), so trial i of one
scenario and trial i of the other share every draw the two have in common: the same
war costs, the same credibility draws, the same breakdown numbers. The difference in an
outcome's share is then the mean of per-trial differences ``d_i = 1[B_i] - 1[A_i]``,
with standard error ``sd(d) / sqrt(n)``: far smaller than for two independent runs
when the scenarios differ in a few numbers, because most trials end the same way in
both (the paired design of common random numbers; Law 2015, ch. 11).

References
----------
Law, A. M. (2015). *Simulation Modeling and Analysis*, 5th ed. McGraw-Hill, chapter 11
(variance-reduction techniques: common random numbers).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from sim.runs.chunks import DEFAULT_SEED
from sim.runs.stats import Z95
from sim.scenario.format import Scenario

__all__ = ["Comparison", "compare", "compare_html", "paired_difference", "plot_comparison"]


def paired_difference(a: np.ndarray, b: np.ndarray) -> tuple[float, float, float]:
    """Mean of ``b - a`` over paired 0/1 indicators, its paired standard error, and the
    standard error two independent runs of the same size would have.

    >>> diff, paired, independent = paired_difference(np.array([1, 1, 0, 0]),
    ...                                               np.array([1, 0, 0, 0]))
    >>> diff, paired, round(independent, 4)  # sqrt((1/3 + 1/4) / 4)
    (-0.25, 0.25, 0.3819)
    """
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    n = len(a)
    d = b - a
    paired = float(d.std(ddof=1) / np.sqrt(n)) if n > 1 else float("nan")
    independent = float(np.sqrt(a.var(ddof=1) / n + b.var(ddof=1) / n)) if n > 1 else float("nan")
    return float(d.mean()), paired, independent


@dataclass(frozen=True)
class Comparison:
    """Outcome by outcome: share in A and in B, the paired difference B - A with its
    95% interval, and how trials moved between outcomes (``moves``: rows A, columns B,
    shares of all trials)."""

    a_title: str
    b_title: str
    trials: int
    seed: int
    table: pd.DataFrame
    moves: pd.DataFrame
    same: float  # share of trials ending in the same outcome under A and B

    def text(self) -> str:
        """The comparison as a plain-text table."""
        t = self.table
        w = max(24, *(len(x) + 1 for x in t["label"]))
        lines = [f"A: {self.a_title}", f"B: {self.b_title}",
                 f"{self.trials:,} paired trials, seed {self.seed} (common random numbers)", "",
                 f"{'outcome':<{w}}{'A':>8}{'B':>8}{'B - A':>9}  {'95% interval':<18}"
                 f"{'SE paired':>10}{'SE unpaired':>12}"]
        for _, r in t.iterrows():
            lines.append(f"{r['label']:<{w}}{r['share_a']:>8.4f}{r['share_b']:>8.4f}"
                         f"{r['difference']:>+9.4f}  [{r['ci_low']:+.4f}, {r['ci_high']:+.4f}]"
                         f"{r['se_paired']:>10.4f}{r['se_unpaired']:>12.4f}")
        lines += ["", f"trials ending in the same outcome under A and B: {self.same:.1%}",
                  "The paired standard error is what common random numbers buy; the unpaired "
                  "one is what two independent runs of this size would give."]
        return "\n".join(lines)


def compare(a: Scenario, b: Scenario, *, trials: int = 20_000, seed: int = DEFAULT_SEED,
            chunk_size: int | None = None, workers: int | None = 1) -> Comparison:
    """Run both scenarios on the same trials and compare them outcome by outcome
    (outcomes matched by id, in A's order then B's new ones), plus war, any deal and
    any use of force."""
    from sim.runs.chunks import DEFAULT_CHUNK_SIZE
    from sim.runs.runner import run

    if list(a.actors) != list(b.actors):
        raise ValueError(f"A and B have different actors ({', '.join(a.actors)} against "
                         f"{', '.join(b.actors)}): trial i would not draw the same types "
                         "under both, so the trials cannot be paired")
    size = chunk_size or DEFAULT_CHUNK_SIZE
    ra = run(a, trials=trials, seed=seed, chunk_size=size, workers=workers, keep_trials=True)
    rb = run(b, trials=trials, seed=seed, chunk_size=size, workers=workers, keep_trials=True)
    ta, tb = ra.trials, rb.trials
    labels = {**{o: x.label for o, x in b.outcomes.items()},
              **{o: x.label for o, x in a.outcomes.items()}}
    ids = [*a.outcomes, *(o for o in b.outcomes if o not in a.outcomes)]
    rows = []
    indicators = [(o, labels[o], ta["outcome"].eq(o), tb["outcome"].eq(o)) for o in ids]
    indicators += [
        ("any_deal", "any deal", ta["ended_by"].eq("deal"), tb["ended_by"].eq("deal")),
        ("war", "war", ta["ended_by"].eq("war"), tb["ended_by"].eq("war")),
        ("any_force", "any use of force", ta["peak_rung"].ge(a.ladder.strike_rung),
         tb["peak_rung"].ge(b.ladder.strike_rung)),
    ]
    for oid, label, ia, ib in indicators:
        diff, se, se_ind = paired_difference(ia.to_numpy(), ib.to_numpy())
        rows.append({"outcome": oid, "label": label, "share_a": float(ia.mean()),
                     "share_b": float(ib.mean()), "difference": diff,
                     "ci_low": diff - Z95 * se, "ci_high": diff + Z95 * se,
                     "se_paired": se, "se_unpaired": se_ind})
    moves = pd.crosstab(ta["outcome"], tb["outcome"], normalize="all")
    same = float((ta["outcome"].to_numpy() == tb["outcome"].to_numpy()).mean())
    return Comparison(a.title, b.title, trials, seed, pd.DataFrame(rows), moves, same)


def plot_comparison(c: Comparison, ax=None):
    """The paired differences B - A with their 95% intervals, one bar per outcome."""
    import matplotlib.pyplot as plt

    if ax is None:
        _, ax = plt.subplots(figsize=(7, 0.5 + 0.4 * len(c.table)))
    t = c.table.iloc[::-1]
    y = np.arange(len(t))
    colour = np.where(t["difference"] >= 0, "#b24a3b", "#3b6fb2")
    ax.barh(y, t["difference"], color=colour)
    ax.errorbar(t["difference"], y, xerr=[t["difference"] - t["ci_low"],
                                         t["ci_high"] - t["difference"]],
                fmt="none", ecolor="black", capsize=3)
    ax.axvline(0, color="#555", lw=0.8)
    ax.set_yticks(y, t["label"])
    ax.set_xlabel("B - A, share of trials (95% paired interval)")
    return ax


def compare_html(c: Comparison) -> str:
    """An HTML section (for a report or a notebook): the table, the figure, the moves."""
    import html

    from sim.analysis.html import figure as _figure
    from sim.analysis.html import table as _table

    rows = [[r["label"], f"{r['share_a']:.1%}", f"{r['share_b']:.1%}",
             f"{r['difference']:+.1%}", f"{r['ci_low']:+.1%} to {r['ci_high']:+.1%}",
             f"{r['se_paired']:.2%}", f"{r['se_unpaired']:.2%}"] for _, r in c.table.iterrows()]
    table = _table(["outcome", "A", "B", "B - A", "95% paired interval", "SE paired",
                    "SE unpaired"], rows, numeric={1, 2, 3, 5, 6})
    moves = c.moves
    label = dict(zip(c.table["outcome"], c.table["label"], strict=True))
    mrows = [[label.get(a, a), *[f"{moves.loc[a, b]:.1%}" for b in moves.columns]]
             for a in moves.index]
    mtable = _table(["under A, then under B", *[label.get(b, b) for b in moves.columns]], mrows,
                    numeric=set(range(1, len(moves.columns) + 1)))
    fig = _figure(lambda f: plot_comparison(c, f.add_subplot()),
                  size=(7.5, 0.6 + 0.4 * len(c.table)), alt="paired differences")
    return (f"<section id=\"compare\"><h2>Compared with another scenario</h2>"
            f"<p>A: {html.escape(c.a_title)}<br>B: {html.escape(c.b_title)}<br>"
            f"{c.trials:,} paired trials, seed {c.seed} (common random numbers).</p>"
            f"{table}{fig}<p>How the trials moved (rows: outcome under A; columns: under B; "
            f"shares of all trials); {c.same:.1%} end the same way under both.</p>{mtable}"
            "</section>")

