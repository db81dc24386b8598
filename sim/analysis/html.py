"""Small HTML pieces shared by the report and the comparison: escaped cells, tables
with numeric columns, percentages, and matplotlib figures embedded as PNG."""

from __future__ import annotations

import base64
import html
import io

__all__ = ["cell", "figure", "percent", "table"]


def cell(x) -> str:
    """``x`` as escaped HTML text."""
    return html.escape(str(x))


def percent(x: float, digits: int = 1) -> str:
    """A share as a percentage: 0.5 -> "50.0%"."""
    return f"{100 * x:.{digits}f}%"


def figure(draw, size=(7.5, 3.6), alt: str = "") -> str:
    """A matplotlib figure drawn by ``draw(fig)``, embedded as a PNG."""
    import matplotlib

    matplotlib.use("Agg", force=False)
    import matplotlib.pyplot as plt

    fig = plt.figure(figsize=size, dpi=110)
    try:
        draw(fig)
        fig.tight_layout()
        buf = io.BytesIO()
        fig.savefig(buf, format="png")
    finally:
        plt.close(fig)
    data = base64.b64encode(buf.getvalue()).decode("ascii")
    return f'<img alt="{cell(alt)}" src="data:image/png;base64,{data}">'


def table(head: list[str], rows: list[list], numeric: set[int] = frozenset(),
           cls: list[str] | None = None) -> str:
    """A table; the columns whose indices are in ``numeric`` are right-aligned, and
    ``cls`` gives each row an optional class."""
    th = "".join(f'<th class="num">{cell(h)}</th>' if i in numeric else f"<th>{cell(h)}</th>"
                 for i, h in enumerate(head))
    body = []
    for k, r in enumerate(rows):
        tds = "".join(f'<td class="num">{cell(c)}</td>' if i in numeric else f"<td>{cell(c)}</td>"
                      for i, c in enumerate(r))
        attr = f' class="{cls[k]}"' if cls and cls[k] else ""
        body.append(f"<tr{attr}>{tds}</tr>")
    return f"<table><thead><tr>{th}</tr></thead><tbody>{''.join(body)}</tbody></table>"
