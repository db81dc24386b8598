"""Figures (matplotlib): outcome shares with their 95% intervals."""

from __future__ import annotations

import numpy as np

__all__ = ["plot_outcomes", "save_outcomes_png"]


def plot_outcomes(summary, ax=None):
    """Horizontal bars of each outcome's share with 95% Wilson intervals."""
    if ax is None:
        import matplotlib.pyplot as plt

        _, ax = plt.subplots(figsize=_size(summary))
    rows = summary["outcomes"][::-1]
    share = np.array([o["share"] for o in rows])
    err = np.array([[o["share"] - o["ci_low"] for o in rows],
                    [o["ci_high"] - o["share"] for o in rows]]).clip(min=0)
    y = np.arange(len(rows))
    ax.barh(y, share, xerr=err, color="#4c72b0", ecolor="#222222", capsize=4)
    ax.set_yticks(y, [o["label"] for o in rows])
    for yi, s, hi in zip(y, share, [o["ci_high"] for o in rows]):
        ax.text(hi + 0.01, yi, f"{s:.1%}", va="center", fontsize=9)
    ax.set_xlim(0, min(1.0, max(0.2, float((share + err[1]).max()) + 0.12)))
    ax.set_xlabel("share of trials (bars: 95% Wilson interval)")
    ax.set_title(
        f"{summary['title']}\n{summary['trials']:,} trials, seed {summary['seed']}",
        fontsize=10,
    )
    ax.figure.tight_layout()
    return ax


def _size(summary) -> tuple[float, float]:
    return (7.5, 0.55 * len(summary["outcomes"]) + 1.6)


def save_outcomes_png(summary, path) -> None:
    """Write the outcome chart to a PNG without touching pyplot's global state."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    fig = Figure(figsize=_size(summary), dpi=120)
    FigureCanvasAgg(fig)
    plot_outcomes(summary, ax=fig.add_subplot())
    fig.savefig(path)
