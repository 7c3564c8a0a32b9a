"""Forest plots (matplotlib, Agg backend) and helpers to embed figures as files or data URIs.

Layout after Lewis & Clarke, BMJ 2001;322:1479 ("Forest plots: trying to see the wood and the
trees"): one row per study arm with its 95% CI, marker area proportional to patients, pooled
estimates as diamonds, a line of no effect, and the numbers printed beside each row.
"""

from __future__ import annotations

import base64
import io
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal

import matplotlib
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.patches import Polygon

from jakatlas.errors import InputError

__all__ = ["ForestRow", "forest_plot", "figure_bytes", "data_uri", "new_figure", "FONT", "STYLE"]

FONT = "DejaVu Sans"
ImageFormat = Literal["png", "svg"]


@dataclass(frozen=True)
class ForestRow:
    """One line of a forest plot: a group header, a study arm, a pooled estimate or a note."""

    label: str
    estimate: float | None = None
    low: float | None = None
    high: float | None = None
    kind: Literal["header", "study", "pooled", "note"] = "study"
    weight: float | None = None
    text: str = ""


STYLE: Any = {"font.family": FONT, "font.size": 9, "svg.fonttype": "none",
                            "axes.spines.top": False, "axes.spines.right": False}


def new_figure(width: float, height: float) -> Figure:
    """A figure on the Agg canvas (no pyplot state, no display needed)."""
    fig = Figure(figsize=(width, height), dpi=150)
    FigureCanvasAgg(fig)
    return fig


def forest_plot(
    rows: Sequence[ForestRow],
    *,
    xlabel: str,
    null: float = 0.0,
    favours: tuple[str, str] = ("favours comparator", "favours JAK inhibitor"),
    title: str | None = None,
) -> Figure:
    """Draw a forest plot of ``rows`` (top to bottom) and return the figure.

    Parameters
    ----------
    rows
        Headers, study rows (square, area ~ ``weight``), pooled rows (diamond) and notes.
    xlabel
        Axis label including the unit, e.g. 'Risk difference vs placebo (percentage points)'.
    null
        Position of the line of no effect (0 for differences, 1 for ratios).
    favours
        Captions under the axis, left and right of the null line.
    """
    if not rows:
        raise InputError("Nothing to plot: the forest plot needs at least one row.")
    with matplotlib.rc_context(STYLE):
        return _forest(rows, xlabel=xlabel, null=null, favours=favours, title=title)


def _forest(rows: Sequence[ForestRow], *, xlabel: str, null: float, favours: tuple[str, str],
            title: str | None) -> Figure:
    n = len(rows)
    height = 1.3 + 0.26 * n
    fig = new_figure(8.6, height)
    gs = fig.add_gridspec(1, 3, width_ratios=[3.3, 3.4, 1.9], wspace=0.02,
                          left=0.01, right=0.99, top=1 - 0.35 / height, bottom=0.95 / height)
    ax_l, ax, ax_r = (fig.add_subplot(gs[0, i]) for i in range(3))
    ys = list(range(n, 0, -1))
    vals = [v for r in rows for v in (r.low, r.high, r.estimate) if v is not None]
    lo, hi = (min([*vals, null]), max([*vals, null])) if vals else (null - 1, null + 1)
    pad = (hi - lo) * 0.06 or 1.0
    ax.set_xlim(lo - pad, hi + pad)
    weights = [r.weight for r in rows if r.kind == "study" and r.weight]
    wmax = max(weights) if weights else 1.0
    for y, r in zip(ys, rows, strict=True):
        bold = r.kind in ("header", "pooled")
        ax_l.text(0.0 if r.kind == "header" else 0.03, y, r.label, va="center", ha="left",
                  fontweight="bold" if bold else "normal",
                  fontstyle="italic" if r.kind == "note" else "normal", clip_on=False)
        if r.text:
            ax_r.text(0.02, y, r.text, va="center", ha="left", fontweight="bold" if r.kind == "pooled" else "normal")
        if r.estimate is not None and (r.low is None or r.high is None):
            ax.scatter([r.estimate], [y], marker="o", s=30, facecolor="white", edgecolor="#2f6fb0", zorder=3)
            continue
        if r.estimate is None or r.low is None or r.high is None:
            continue
        if r.kind == "pooled":
            ax.add_patch(Polygon([(r.low, y), (r.estimate, y + 0.32), (r.high, y), (r.estimate, y - 0.32)],
                                 closed=True, facecolor="#1f3b63", edgecolor="#1f3b63"))
        else:
            ax.plot([r.low, r.high], [y, y], color="#333333", lw=1.1, solid_capstyle="butt")
            size = 18 + 90 * ((r.weight or wmax * 0.3) / wmax)
            ax.scatter([r.estimate], [y], marker="s", s=size, color="#2f6fb0", edgecolor="#1f3b63", zorder=3)
    ax.axvline(null, color="#777777", lw=0.9, ls="--", zorder=0)
    for a in (ax_l, ax, ax_r):
        a.set_ylim(0.4, n + 0.6)
    for a in (ax_l, ax_r):
        a.set_xlim(0, 1)
        a.axis("off")
    ax.set_yticks([])
    ax.spines["left"].set_visible(False)
    ax.set_xlabel(xlabel)
    ax.grid(axis="x", color="#e6e6e6", lw=0.6)
    ax.set_axisbelow(True)
    trans = ax.get_xaxis_transform()
    ax.annotate(f"\u2190 {favours[0]}", xy=(null, 0), xycoords=trans, xytext=(-6, -30),
                textcoords="offset points", ha="right", va="top", fontsize=8, color="#555555")
    ax.annotate(f"{favours[1]} \u2192", xy=(null, 0), xycoords=trans, xytext=(6, -30),
                textcoords="offset points", ha="left", va="top", fontsize=8, color="#555555")
    ax_r.text(0.02, n + 0.55, "Estimate (95% CI)", va="bottom", ha="left", fontweight="bold")
    if title:
        fig.suptitle(title, fontweight="bold", x=0.01, ha="left")
    return fig


def figure_bytes(fig: Figure, fmt: ImageFormat = "png") -> bytes:
    """The figure rendered as PNG (150 dpi) or SVG bytes."""
    if fmt not in ("png", "svg"):
        raise InputError(f"Unknown image format {fmt!r}.", hint="Use 'png' or 'svg'.")
    buf = io.BytesIO()
    with matplotlib.rc_context({"svg.fonttype": "none"}):
        fig.savefig(buf, format=fmt, dpi=150, bbox_inches="tight", metadata={"Date": None} if fmt == "svg" else None)
    return buf.getvalue()


def data_uri(data: bytes, fmt: ImageFormat = "png") -> str:
    """A ``data:`` URI for embedding an image in a self-contained HTML page."""
    mime = {"png": "image/png", "svg": "image/svg+xml"}[fmt]
    return f"data:{mime};base64,{base64.b64encode(data).decode('ascii')}"
