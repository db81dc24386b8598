"""Figures (matplotlib): outcome shares with their 95% intervals."""

from __future__ import annotations

import numpy as np

__all__ = ["plot_outcomes", "plot_sensitivity", "plot_sweep", "save_figure",
           "save_outcomes_png"]


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
    for yi, o in zip(y, rows):
        s = o["share"]
        text = "none" if o["count"] == 0 else (f"{s:.2%}" if s < 0.01 else f"{s:.1%}")
        ax.text(o["ci_high"] + 0.01, yi, text, va="center", fontsize=9)
    ax.set_xlim(0, min(1.0, max(0.2, float((share + err[1]).max()) + 0.12)))
    from matplotlib.ticker import PercentFormatter

    ax.xaxis.set_major_formatter(PercentFormatter(1.0))
    ax.set_xlabel("share of trials (whiskers: 95% Wilson interval)")
    ax.set_title(
        f"{summary['title']}\n{summary['trials']:,} trials, seed {summary['seed']}",
        fontsize=10,
    )
    ax.figure.tight_layout()
    return ax


def _size(summary) -> tuple[float, float]:
    return (7.5, 0.55 * len(summary["outcomes"]) + 1.6)


def save_figure(draw, path, size) -> None:
    """Draw on a fresh Axes and write a PNG without touching pyplot's global state."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    fig = Figure(figsize=size, dpi=120)
    FigureCanvasAgg(fig)
    draw(fig.add_subplot())
    fig.tight_layout()
    fig.savefig(path)


def save_outcomes_png(summary, path) -> None:
    """Write the outcome chart to a PNG."""
    save_figure(lambda ax: plot_outcomes(summary, ax=ax), path, _size(summary))


def plot_sensitivity(indices: dict, sampler: str, ax=None):
    """Grouped horizontal bars: per outcome and parameter, Sobol total (and first-order)
    indices with 95% confidence intervals, or Morris mu* with its interval."""
    if ax is None:
        import matplotlib.pyplot as plt

        _, ax = plt.subplots(figsize=(8, 5))
    labels, main, main_err, second, second_err = [], [], [], [], []
    for oid, df in indices.items():
        if df.empty:  # the share did not vary: nothing to apportion
            continue
        for name, row in df.iterrows():
            labels.append(f"{oid}: {name}")
            if sampler == "sobol":
                main.append(row["ST"]), main_err.append(row["ST_conf"])
                second.append(row["S1"]), second_err.append(row["S1_conf"])
            else:
                main.append(row["mu_star"]), main_err.append(row["mu_star_conf"])
    y = np.arange(len(labels))[::-1]
    if sampler == "sobol":
        ax.barh(y + 0.2, main, 0.4, xerr=main_err, label="total (ST)", color="#4c72b0")
        ax.barh(y - 0.2, second, 0.4, xerr=second_err, label="first order (S1)",
                color="#dd8452")
        ax.set_xlabel("Sobol index of the outcome share (bars: 95% CI)")
    else:
        ax.barh(y, main, 0.6, xerr=main_err, color="#4c72b0", label="mu*")
        ax.set_xlabel("Morris mu* of the outcome share (bars: 95% CI)")
    ax.set_yticks(y, labels, fontsize=8)
    lo, hi = ax.get_xlim()
    ax.set_xlim(max(lo, -0.2), min(hi, 1.5))  # wide intervals would hide the bars
    ax.axvline(0, color="#888888", lw=0.8)
    ax.legend(fontsize=8, loc="lower right")
    ax.set_title("Which assumptions drive the outcome?", fontsize=10)
    return ax


def plot_sweep(frame, names, outcome_ids, ax=None):
    """Outcome shares with 95% intervals along the first varied parameter."""
    if ax is None:
        import matplotlib.pyplot as plt

        _, ax = plt.subplots(figsize=(7.5, 4.5))
    x = names[0]
    df = frame.sort_values(x)
    levels = df[x].nunique()
    if len(names) > 1 and levels < len(df):  # a grid: average over the other parameters
        df = df.groupby(x, as_index=False).mean(numeric_only=True)
    line = levels < len(frame) or len(names) == 1
    for oid in outcome_ids:
        if line:
            ax.plot(df[x], df[f"share_{oid}"], marker="o", label=oid)
            ax.fill_between(df[x], df[f"ci_low_{oid}"], df[f"ci_high_{oid}"], alpha=0.2)
        else:  # scattered designs (lhs): points, since other parameters vary too
            ax.scatter(df[x], df[f"share_{oid}"], s=12, label=oid)
    ax.set_xlabel(x + ("" if len(names) == 1 else " (other parameters vary)"))
    ax.set_ylabel("share of trials" + (" (band: 95% interval)" if line else ""))
    ax.legend(fontsize=8, loc="center left", bbox_to_anchor=(1.0, 0.5))
    return ax
