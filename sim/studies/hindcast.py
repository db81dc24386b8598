"""Hindcasts: crises with known endings, each written only from what was known at its
start, scored by the probability the model gave to what happened.

A hindcast file is an ordinary scenario with a ``known_outcome`` block (the outcome
that happened, the ``as_of`` date the file is written from, and where the ending is
recorded). The scores, lower is better for both:

- **Brier score** over the file's K outcome categories, ``sum_k (p_k - o_k)^2`` with
  ``o_k`` 1 for what happened and 0 otherwise (Brier 1950); 0 is a certain correct
  forecast, 2 a certain wrong one. The shares are the run's outcome shares.
- **Log score**, ``-ln p`` of what happened (Good 1952). A share of 0 would give an
  infinite score, so p is the Krichevsky-Trofimov estimate ``(k + 1/2) / (n + K/2)``
  from the count k of n trials; with tens of thousands of trials it differs from the
  share only when the share is near 0.

Beside them, the scores of the no-skill forecast that gives each of the K categories
1/K: Brier ``1 - 1/K``, log ``ln K``. A handful of crises cannot validate a model; the
table says how the model did on these, not how it will do.

References
----------
Brier, G. W. (1950). Verification of forecasts expressed in terms of probability.
*Monthly Weather Review* 78(1), 1-3.
Good, I. J. (1952). Rational decisions. *Journal of the Royal Statistical Society B*
14(1), 107-114.
Krichevsky, R., and Trofimov, V. (1981). The performance of universal encoding. *IEEE
Transactions on Information Theory* 27(2), 199-207.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from sim.scenario.format import Scenario

__all__ = ["Hindcast", "hindcast_files", "hindcast_table", "run_hindcasts", "score"]

#: The shipped folder of hindcast files.
FOLDER = "history"


@dataclass(frozen=True)
class Hindcast:
    """One crisis's score: what happened, the probability given to it, the scores."""

    name: str
    title: str
    as_of: str
    outcome: str
    label: str
    happened: str
    share: float
    ci_low: float
    ci_high: float
    brier: float
    log_score: float
    categories: int
    trials: int
    seed: int
    shares: dict[str, float]


def score(counts: dict[str, int], actual: str) -> tuple[float, float]:
    """Brier and log scores of a forecast given as counts per outcome category.

    >>> brier, log_score = score({"deal": 3, "war": 1}, "deal")
    >>> round(brier, 4), round(log_score, 4)  # (0.25^2 + 0.25^2, -ln(3.5 / 5))
    (0.125, 0.3567)
    """
    n = sum(counts.values())
    k = len(counts)
    if actual not in counts:
        raise KeyError(f"'{actual}' is not one of the categories {', '.join(counts)}")
    brier = sum((c / n - (o == actual)) ** 2 for o, c in counts.items())
    p = (counts[actual] + 0.5) / (n + k / 2)
    return brier, -math.log(p)


def hindcast_files(folder: Path | None = None) -> list[Path]:
    """The hindcast scenario files: those under ``folder`` (default: the shipped
    ``history`` folder) that have a ``known_outcome``."""
    from sim.scenario.library import library_root, listing
    from sim.scenario.loader import load_scenario

    root = folder if folder is not None else library_root() / FOLDER
    return [f for f in listing(root) if load_scenario(f).known_outcome is not None]


def run_hindcasts(files: Iterable[Path], *, trials: int, seed: int, workers: int | None = 1,
                  progress: Callable[[str], None] | None = None) -> list[Hindcast]:
    """Run each hindcast file with the same trials and seed and score it.

    Raises ``ValueError`` for a file without ``known_outcome``; ``ScenarioError`` for
    an invalid file.
    """
    from sim.runs.runner import run
    from sim.scenario.loader import load_scenario

    out = []
    for f in files:
        s: Scenario = load_scenario(f)
        if s.known_outcome is None:
            raise ValueError(f"{f}: not a hindcast (it has no known_outcome)")
        summary = run(s, trials=trials, seed=seed, workers=workers).summary()
        rows = {o["outcome"]: o for o in summary["outcomes"]}
        actual = s.known_outcome.outcome
        brier, log_score = score({o: r["count"] for o, r in rows.items()}, actual)
        r = rows[actual]
        out.append(Hindcast(s.name, s.title, s.known_outcome.as_of, actual, r["label"],
                            s.known_outcome.happened, r["share"], r["ci_low"], r["ci_high"],
                            brier, log_score, len(rows), trials, seed,
                            {o: x["share"] for o, x in rows.items()}))
        if progress:
            progress(s.name)
    return out


def hindcast_table(results: list[Hindcast], markdown: bool = False) -> str:
    """The scores as a table (plain text, or Markdown for the docs), with the mean and
    the no-skill reference, and the model's whole distribution over the outcomes."""
    head = ["crisis", "as of", "what happened", "P(model)", "95% interval", "Brier",
            "no-skill", "log", "no-skill", "the model's distribution"]
    rows = [[h.name, h.as_of, h.outcome, f"{h.share:.3f}", f"[{h.ci_low:.3f}, {h.ci_high:.3f}]",
             f"{h.brier:.3f}", f"{1 - 1 / h.categories:.3f}", f"{h.log_score:.2f}",
             f"{math.log(h.categories):.2f}",
             ", ".join(f"{o} {x:.2f}" for o, x in h.shares.items() if x >= 0.005)]
            for h in results]
    if results:
        m = len(results)
        rows.append(["mean", "", "", f"{sum(h.share for h in results) / m:.3f}", "",
                     f"{sum(h.brier for h in results) / m:.3f}",
                     f"{sum(1 - 1 / h.categories for h in results) / m:.3f}",
                     f"{sum(h.log_score for h in results) / m:.2f}",
                     f"{sum(math.log(h.categories) for h in results) / m:.2f}", ""])
    if markdown:
        lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
        lines += ["| " + " | ".join(r) + " |" for r in rows]
        return "\n".join(lines) + "\n"
    widths = [max(len(x) for x in col) for col in zip(head, *rows, strict=True)]
    fmt = "  ".join(f"{{:<{w}}}" for w in widths)
    lines = [fmt.format(*head).rstrip()] + [fmt.format(*r).rstrip() for r in rows]
    if results:
        h = results[0]
        lines += ["", f"{h.trials:,} trials each, seed {h.seed}. Lower scores are better; "
                  "no-skill = every category equally likely."]
    return "\n".join(lines)
