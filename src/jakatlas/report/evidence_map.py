"""Evidence-gap map: diseases (rows) x drugs (columns), bubble size = patients or studies,
colour = best OCEBM 2011 level on an ordinal, colour-blind-safe scale (viridis: 1 dark .. 5 light).

Evidence that names no particular JAK inhibitor (class-level statements) is kept out of the drug
columns and drawn in a separate column after a divider, so it never reads as a drug of its own.

Follows the evidence-gap-map layout of Snilstveit et al., J Clin Epidemiol 2016;79:120 (3ie):
every cell with evidence is drawn, empty cells are the gaps. PNG/SVG through matplotlib (Agg);
interactive HTML through plotly with its JavaScript inlined (no CDN, works offline).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import matplotlib
from matplotlib.figure import Figure
from matplotlib.lines import Line2D

from jakatlas.data import knowledge_base
from jakatlas.errors import InputError
from jakatlas.report.plots import FONT, STYLE, figure_bytes, new_figure
from jakatlas.store.atlas import Atlas, StudyRecord
from jakatlas.synthesis.grading import ocebm_level
from jakatlas.synthesis.mechanism import JAKI_CLASSES

__all__ = ["LEVEL_COLOURS", "MapCell", "EvidenceMap", "map_cells", "evidence_map", "map_figure",
           "map_plotly", "write_map"]

SizeBy = Literal["patients", "studies"]
# Five evenly spaced stops of viridis (perceptually uniform, ordinal, readable with the common colour
# vision deficiencies and in greyscale); "not graded" is a neutral grey outside the scale.
LEVEL_COLOURS: dict[int | None, str] = {1: "#440154", 2: "#3b528b", 3: "#21918c", 4: "#5ec962", 5: "#fde725",
                                        None: "#d9d9d9"}
EDGE = "#222222"
CLASS_LABEL = "class-level (no drug named)"
_LEVEL_NAMES = {1: "1  SR of RCTs", 2: "2  RCT", 3: "3  controlled study", 4: "4  case series/report",
                5: "5  mechanism/opinion", None: "?  not graded"}
UNNAMED = "jak inhibitor"
"""Intervention name of studies that do not name the JAK inhibitor."""


@dataclass(frozen=True)
class MapCell:
    """Evidence for one disease-drug pair."""

    disease: str
    drug: str
    studies: int
    patients: int | None
    """Sum of the reported n; ``None`` when no study of the cell reports n (never shown as 0)."""
    best_level: int | None
    study_ids: tuple[str, ...]

    def size(self, by: SizeBy) -> int:
        return (self.patients or 0) if by == "patients" else self.studies


@dataclass(frozen=True)
class EvidenceMap:
    """All cells, with row (disease) and column (drug) order."""

    cells: tuple[MapCell, ...]
    diseases: tuple[str, ...]
    drugs: tuple[str, ...]
    class_cells: tuple[MapCell, ...] = ()
    """Evidence that names no particular JAK inhibitor, one cell per disease (drawn apart)."""

    @property
    def pairs(self) -> list[tuple[str, str]]:
        return [(c.disease, c.drug) for c in self.cells]

    @property
    def all_cells(self) -> tuple[MapCell, ...]:
        return self.cells + self.class_cells


def _jak_inhibitors() -> set[str]:
    kb = knowledge_base()
    return {d.name for d in kb.drugs.values() if d.drug_class in JAKI_CLASSES} | {UNNAMED}


def map_cells(records: Iterable[StudyRecord], jak_inhibitors: set[str] | None = None) -> EvidenceMap:
    """Aggregate stored studies into disease x JAK-inhibitor cells (patients = sum of reported n).

    Co-treatments given alongside a JAK inhibitor (antibiotics, ciclosporin, dupilumab ...) are
    not drawn: the map is about JAK inhibitors.
    """
    keep = jak_inhibitors if jak_inhibitors is not None else _jak_inhibitors()
    acc: dict[tuple[str, str], list[StudyRecord]] = {}
    for r in records:
        study = r.study()
        drugs = {i.name for i in study.interventions} & keep
        for dis in {d.name for d in study.diseases}:
            for drug in drugs:
                acc.setdefault((dis, drug), []).append(r)
    cells = []
    for (dis, drug), recs in sorted(acc.items()):
        levels = [lv for lv in (ocebm_level(x.study()).level for x in recs) if lv is not None]
        reported = [x.n for x in recs if x.n is not None]
        cells.append(MapCell(dis, drug, len(recs), sum(reported) if reported else None,
                             min(levels) if levels else None, tuple(x.id for x in recs)))
    named = tuple(c for c in cells if c.drug != UNNAMED)
    unnamed = tuple(c for c in cells if c.drug == UNNAMED)
    return EvidenceMap(named, tuple(sorted({c.disease for c in cells})), tuple(sorted({c.drug for c in named})),
                       unnamed)


def evidence_map(atlas: Atlas, *, candidates: bool = False) -> EvidenceMap:
    """The evidence map of an atlas (curated studies; extracted candidates too when asked)."""
    status = ("curated", "candidate") if candidates else ("curated",)
    return map_cells(atlas.studies(status=status))


def _nice(x: float) -> int:
    """Round to one significant digit for legend sizes (1220 -> 1000, 122 -> 100)."""
    if x < 1:
        return 1
    mag = 10 ** int(math.floor(math.log10(x)))
    return int(round(x / mag) * mag)


def _drug_label(name: str) -> str:
    return CLASS_LABEL if name == UNNAMED else name


def _areas(values: Sequence[int], vmax: int) -> list[float]:
    """Marker areas (points^2), square-root scaled so one large trial does not hide the rest."""
    return [40.0 + 700.0 * math.sqrt(max(v, 0) / vmax) if vmax else 40.0 for v in values]


def map_figure(emap: EvidenceMap, *, size: SizeBy = "patients") -> Figure:
    """Matplotlib bubble chart of ``emap``; every cell is one bubble, labelled with its count."""
    if not emap.all_cells:
        raise InputError("The atlas has no studies to map.", hint="Run 'jakatlas build' first.")
    with matplotlib.rc_context(STYLE):
        return _map_figure(emap, size)


def _map_figure(emap: EvidenceMap, size: SizeBy) -> Figure:
    nx, ny = len(emap.drugs), len(emap.diseases)
    xclass = nx + 0.6 if emap.class_cells else None  # the class-level column sits apart, after a divider
    ncols = nx + (1.6 if emap.class_cells else 0)
    fig = new_figure(max(9.0, 3.2 + 0.55 * ncols + 2.4), max(4.5, 1.9 + 0.42 * ny))
    ax = fig.add_subplot(1, 1, 1)
    xi: dict[str, float] = {d: float(i) for i, d in enumerate(emap.drugs)}
    if xclass is not None:
        xi[UNNAMED] = xclass
    yi = {d: i for i, d in enumerate(reversed(emap.diseases))}
    cells = emap.all_cells
    values = [c.size(size) for c in cells]
    vmax = max(values) or 1
    areas = _areas(values, vmax)
    for c, a in zip(cells, areas, strict=True):
        x, y = xi[c.drug], yi[c.disease]
        ax.scatter([x], [y], s=a, color=LEVEL_COLOURS[c.best_level], edgecolor=EDGE, linewidth=0.7, zorder=3)
        r = math.sqrt(a) / 2
        shown = "n.r." if size == "patients" and c.patients is None else f"{c.size(size)}"
        ax.annotate(shown, (x, y), xytext=(r + 2, -r - 1), textcoords="offset points",
                    fontsize=7, color="#333333", va="top", ha="left", zorder=4)
    ticks = [*range(nx)] + ([xclass] if xclass is not None else [])
    labels = list(emap.drugs) + (["class-level\n(no drug named)"] if xclass is not None else [])
    ax.set_xticks(ticks, labels, rotation=40, ha="right")
    if xclass is not None:
        ax.axvline(nx - 0.2, color="#888888", lw=0.8, ls=(0, (4, 3)), zorder=1)
        ax.get_xticklabels()[-1].set_fontstyle("italic")
    ax.set_yticks(range(ny), list(reversed(emap.diseases)))
    ax.set_xlim(-0.6, (xclass if xclass is not None else nx - 1) + 0.8)
    ax.set_ylim(-0.8, ny - 0.4)
    ax.grid(color="#eeeeee", lw=0.6)
    ax.set_axisbelow(True)
    for s in ("top", "right"):
        ax.spines[s].set_visible(False)
    what = "patients (sum of reported n; n.r. = not reported)" if size == "patients" else "studies"
    ax.set_title(f"JAK inhibitor evidence map\nBubble area = {what}; colour = best OCEBM 2011 level",
                 loc="left", fontweight="bold", fontsize=10)
    level_handles = [Line2D([], [], ls="", marker="o", markersize=9, markerfacecolor=LEVEL_COLOURS[lv],
                            markeredgecolor=EDGE, label=_LEVEL_NAMES[lv])
                     for lv in (1, 2, 3, 4, 5, None) if lv is not None or any(c.best_level is None for c in cells)]
    refs = _size_refs(vmax)
    size_handles = [Line2D([], [], ls="", marker="o", markersize=math.sqrt(a), markerfacecolor="white",
                           markeredgecolor=EDGE, label=f"{v} {'patients' if size == 'patients' else 'studies'}")
                    for v, a in zip(refs, _areas(refs, vmax), strict=True)]
    fig.legend(handles=level_handles, title="Best evidence level", loc="upper left", bbox_to_anchor=(0.8, 0.9),
               frameon=False, fontsize=8, title_fontsize=8.5, alignment="left")
    fig.legend(handles=size_handles, title="Bubble area", loc="upper left", bbox_to_anchor=(0.8, 0.55),
               frameon=False, fontsize=8, title_fontsize=8.5, labelspacing=1.8, borderpad=1.0, handletextpad=1.4,
               alignment="left")
    fig.subplots_adjust(left=0.25, right=0.78, bottom=0.2, top=0.9)
    return fig


def _counted(value: int, unit: str) -> str:
    """'1 study', '2 studies', '1 patient', '400 patients'."""
    if value != 1:
        return unit
    return {"studies": "study", "patients": "patient"}.get(unit, unit)


def _size_refs(vmax: int) -> list[int]:
    """Reference values for the bubble-size legend (about a tenth, a half and the largest cell)."""
    return sorted({_nice(vmax / 10), _nice(vmax / 2), _nice(vmax)})


def map_plotly(emap: EvidenceMap, *, size: SizeBy = "patients") -> Any:
    """Interactive plotly bubble chart: one trace per evidence level (hover lists the studies), a
    second legend with reference bubble sizes, class-level evidence in its own column."""
    if not emap.all_cells:
        raise InputError("The atlas has no studies to map.", hint="Run 'jakatlas build' first.")
    import plotly.graph_objects as go

    cells_all = emap.all_cells
    vmax = max(c.size(size) for c in cells_all) or 1
    unit = "patients" if size == "patients" else "studies"
    columns = [_drug_label(d) for d in emap.drugs] + ([CLASS_LABEL] if emap.class_cells else [])
    fig = go.Figure()
    for lv in (1, 2, 3, 4, 5, None):
        cells = [c for c in cells_all if c.best_level == lv]
        if not cells:
            continue
        fig.add_trace(go.Scatter(
            x=[_drug_label(c.drug) for c in cells], y=[c.disease for c in cells], mode="markers", name=_LEVEL_NAMES[lv],
            marker={"size": [math.sqrt(a) for a in _areas([c.size(size) for c in cells], vmax)],
                    "color": LEVEL_COLOURS[lv], "opacity": 1.0, "line": {"color": EDGE, "width": 1}},
            customdata=[[c.studies, c.patients if c.patients else "not reported", ", ".join(c.study_ids)]
                        for c in cells],
            hovertemplate=("<b>%{y}</b> \u00d7 %{x}<br>studies: %{customdata[0]}<br>patients: %{customdata[1]}"
                           "<br>%{customdata[2]}<extra>" + _LEVEL_NAMES[lv] + "</extra>"),
        ))
    refs = _size_refs(vmax)
    # Size key: reference bubbles at their true size on a small axis of their own beside the map
    # (legend symbols are capped at a fixed size, so a legend cannot show bubble areas).
    fig.add_trace(go.Scatter(
        x=[0] * len(refs), y=list(range(len(refs))), mode="markers+text", xaxis="x2", yaxis="y2",
        text=[f"  {v} {_counted(v, unit)}" for v in refs],
        textposition="middle right", showlegend=False, hoverinfo="skip",
        marker={"size": [math.sqrt(a) for a in _areas(refs, vmax)], "color": "white",
                "line": {"color": EDGE, "width": 1}}, name="bubble size key",
    ))
    shapes = []
    if emap.class_cells:
        shapes.append({"type": "line", "xref": "x", "yref": "paper", "x0": len(emap.drugs) - 0.5,
                       "x1": len(emap.drugs) - 0.5, "y0": 0, "y1": 1,
                       "line": {"color": "#888888", "width": 1, "dash": "dash"}})
    fig.update_layout(
        title=f"JAK inhibitor evidence map (bubble = {unit}, colour = best OCEBM 2011 level)",
        xaxis={"categoryorder": "array", "categoryarray": columns, "tickangle": -40, "domain": [0.0, 0.8],
               "tickmode": "array", "tickvals": columns, "ticktext": columns},  # every column named
        yaxis={"categoryorder": "array", "categoryarray": list(reversed(emap.diseases)),
               "tickmode": "array", "tickvals": list(reversed(emap.diseases))},
        xaxis2={"domain": [0.84, 1.0], "anchor": "y2", "visible": False, "range": [-0.5, 3.0]},
        yaxis2={"domain": [0.05, 0.42], "anchor": "x2", "visible": False, "range": [-0.8, len(refs) - 0.2]},
        legend={"title": {"text": "Best evidence level"}, "itemsizing": "constant", "x": 0.84, "xanchor": "left",
                "y": 1.0, "yanchor": "top"},
        annotations=[{"text": f"<b>Bubble area</b> ({unit})", "xref": "paper", "yref": "paper", "x": 0.84,
                      "y": 0.45, "xanchor": "left", "yanchor": "bottom", "showarrow": False}],
        shapes=shapes, template="plotly_white",
        height=max(450, 160 + 34 * len(emap.diseases)), font={"family": FONT, "size": 12},
    )
    return fig


def write_map(emap: EvidenceMap, out: Path, *, size: SizeBy = "patients") -> list[tuple[str, str]]:
    """Write the map to ``out`` (.png, .svg or .html) and return the disease-drug pairs drawn."""
    ext = out.suffix.lower().lstrip(".")
    if ext in ("png", "svg"):
        out.write_bytes(figure_bytes(map_figure(emap, size=size), ext))  # type: ignore[arg-type]
    elif ext in ("html", "htm"):
        html = map_plotly(emap, size=size).to_html(full_html=True, include_plotlyjs=True)
        out.write_text(html, encoding="utf-8")
    else:
        raise InputError(f"Cannot write an evidence map to {out.name!r}: unknown extension {out.suffix!r}.",
                         hint="Use .png, .svg or .html.")
    return emap.pairs
