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
import matplotlib.ticker
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.patches import Polygon

from jakatlas.errors import InputError

__all__ = ["ForestRow", "forest_plot", "funnel_plot", "figure_bytes", "data_uri", "new_figure", "FONT", "STYLE"]

FONT = "DejaVu Sans"
_RATIO_TICKS = (0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1.0, 2.0, 5.0, 10.0, 20.0, 50.0, 100.0)
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


CHAR_INCH = 0.078
"""Approximate width of one character of the 9 pt sans-serif font, in inches."""

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
    log_x: bool = False,
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
    log_x
        Ratio measures: values on the ratio scale, drawn on a logarithmic axis (null at 1).
    """
    if not rows:
        raise InputError("Nothing to plot: the forest plot needs at least one row.")
    if log_x and any(v is not None and v <= 0 for r in rows for v in (r.low, r.high, r.estimate)):
        raise InputError("A ratio forest plot needs positive values.", hint="Pass ratios, not log ratios.")
    with matplotlib.rc_context(STYLE):
        return _forest(rows, xlabel=xlabel, null=null, favours=favours, title=title, log_x=log_x)


def _forest(rows: Sequence[ForestRow], *, xlabel: str, null: float, favours: tuple[str, str],
            title: str | None, log_x: bool = False) -> Figure:
    n = len(rows)
    height = 1.3 + 0.26 * n
    # Label and estimate columns widen to their longest text (~0.078 in per character at 9 pt), so
    # nothing is clipped; the plot column keeps its width.
    left = max(3.3, CHAR_INCH * max((len(r.label) + (0 if r.kind == "header" else 2) for r in rows), default=0))
    right = max(1.9, CHAR_INCH * max((len(r.text) for r in rows), default=0))
    fig = new_figure(left + 3.4 + right, height)
    gs = fig.add_gridspec(1, 3, width_ratios=[left, 3.4, right], wspace=0.02,
                          left=0.01, right=0.99, top=1 - 0.35 / height, bottom=0.95 / height)
    ax_l, ax, ax_r = (fig.add_subplot(gs[0, i]) for i in range(3))
    ys = list(range(n, 0, -1))
    vals = [v for r in rows for v in (r.low, r.high, r.estimate) if v is not None]
    lo, hi = (min([*vals, null]), max([*vals, null])) if vals else (null - 1, null + 1)
    if log_x:
        ax.set_xscale("log")
        ax.set_xlim(lo / 1.15, hi * 1.15)
        ax.set_xticks([t for t in _RATIO_TICKS if lo / 1.15 <= t <= hi * 1.15])
        ax.xaxis.set_major_formatter(matplotlib.ticker.FuncFormatter(lambda x, _: f"{x:g}"))
        ax.xaxis.set_minor_formatter(matplotlib.ticker.NullFormatter())
    else:
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


def funnel_plot(yi: Sequence[float], vi: Sequence[float], *, estimate: float, xlabel: str,
                labels: Sequence[str] = (), title: str | None = None, ratio: bool = False) -> Figure:
    """Funnel plot (Sterne & Egger, J Clin Epidemiol 2001): effects against their standard errors
    (inverted axis), with the pooled estimate and its pseudo 95% confidence region (± 1.96 SE).
    ``yi`` are on the analysis scale; with ``ratio`` the axis is labelled with ratios (exp)."""
    import math

    if not yi or len(yi) != len(vi):
        raise InputError("Nothing to plot: the funnel plot needs one effect and one variance per study.")
    se = [math.sqrt(v) for v in vi]
    with matplotlib.rc_context(STYLE):
        fig = new_figure(6.0, 4.6)
        ax = fig.add_subplot(1, 1, 1)
        top = max(se) * 1.08
        ax.fill([estimate - 1.96 * top, estimate, estimate + 1.96 * top], [top, 0, top], color="#eef3f9", zorder=0)
        ax.plot([estimate - 1.96 * top, estimate, estimate + 1.96 * top], [top, 0, top], color="#777777", lw=0.8,
                ls="--")
        ax.axvline(estimate, color="#1f3b63", lw=1.0)
        ax.scatter(list(yi), se, s=28, color="#2f6fb0", edgecolor="#1f3b63", zorder=3)
        if len(labels) <= 10:  # more labels than that overlap
            for x, y, lab in zip(yi, se, labels, strict=False):
                ax.annotate(lab, (x, y), xytext=(4, 2), textcoords="offset points", fontsize=7, color="#444444")
        ax.set_ylim(top, 0)
        ax.set_ylabel("Standard error")
        ax.set_xlabel(xlabel)
        if ratio:
            lo, hi = ax.get_xlim()
            ax.set_xticks([math.log(t) for t in _RATIO_TICKS if lo <= math.log(t) <= hi])
            ax.xaxis.set_major_formatter(matplotlib.ticker.FuncFormatter(lambda x, _: f"{math.exp(x):.3g}"))
        if title:
            ax.set_title(title, loc="left", fontweight="bold")
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
