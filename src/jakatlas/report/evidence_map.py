"""Evidence-gap map: diseases (rows) x drugs (columns), bubble size = patients or studies,
colour = best OCEBM 2011 level (1 dark .. 5 light).

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
LEVEL_COLOURS: dict[int | None, str] = {1: "#08306b", 2: "#2171b5", 3: "#6baed6", 4: "#b9d6ec", 5: "#eef4fa",
                                        None: "#d9d9d9"}
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
    patients: int
    best_level: int | None
    study_ids: tuple[str, ...]

    def size(self, by: SizeBy) -> int:
        return self.patients if by == "patients" else self.studies


@dataclass(frozen=True)
class EvidenceMap:
    """All cells, with row (disease) and column (drug) order."""

    cells: tuple[MapCell, ...]
    diseases: tuple[str, ...]
    drugs: tuple[str, ...]

    @property
    def pairs(self) -> list[tuple[str, str]]:
        return [(c.disease, c.drug) for c in self.cells]


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
        cells.append(MapCell(dis, drug, len(recs), sum(x.n or 0 for x in recs),
                             min(levels) if levels else None, tuple(x.id for x in recs)))
    return EvidenceMap(tuple(cells), tuple(sorted({c.disease for c in cells})), tuple(sorted({c.drug for c in cells})))


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
    return "JAK inhibitor (unnamed)" if name == UNNAMED else name


def _areas(values: Sequence[int], vmax: int) -> list[float]:
    """Marker areas (points^2), square-root scaled so one large trial does not hide the rest."""
    return [40.0 + 700.0 * math.sqrt(max(v, 0) / vmax) if vmax else 40.0 for v in values]


def map_figure(emap: EvidenceMap, *, size: SizeBy = "patients") -> Figure:
    """Matplotlib bubble chart of ``emap``; every cell is one bubble, labelled with its count."""
    if not emap.cells:
        raise InputError("The atlas has no studies to map.", hint="Run 'jakatlas build' first.")
    with matplotlib.rc_context(STYLE):
        return _map_figure(emap, size)


def _map_figure(emap: EvidenceMap, size: SizeBy) -> Figure:
    nx, ny = len(emap.drugs), len(emap.diseases)
    fig = new_figure(max(9.0, 3.2 + 0.55 * nx + 2.4), max(4.5, 1.9 + 0.42 * ny))
    ax = fig.add_subplot(1, 1, 1)
    xi = {d: i for i, d in enumerate(emap.drugs)}
    yi = {d: i for i, d in enumerate(reversed(emap.diseases))}
    values = [c.size(size) for c in emap.cells]
    vmax = max(values) or 1
    areas = _areas(values, vmax)
    for c, a in zip(emap.cells, areas, strict=True):
        x, y = xi[c.drug], yi[c.disease]
        ax.scatter([x], [y], s=a, color=LEVEL_COLOURS[c.best_level], edgecolor="#08306b", linewidth=0.7, zorder=3)
        r = math.sqrt(a) / 2
        shown = "n.r." if size == "patients" and c.patients == 0 else f"{c.size(size)}"
        ax.annotate(shown, (x, y), xytext=(r + 2, -r - 1), textcoords="offset points",
                    fontsize=7, color="#333333", va="top", ha="left", zorder=4)
    ax.set_xticks(range(nx), [_drug_label(d) for d in emap.drugs], rotation=40, ha="right")
    ax.set_yticks(range(ny), list(reversed(emap.diseases)))
    ax.set_xlim(-0.6, nx - 0.2)
    ax.set_ylim(-0.8, ny - 0.4)
    ax.grid(color="#eeeeee", lw=0.6)
    ax.set_axisbelow(True)
    for s in ("top", "right"):
        ax.spines[s].set_visible(False)
    what = "patients (sum of reported n; n.r. = not reported)" if size == "patients" else "studies"
    ax.set_title(f"JAK inhibitor evidence map\nBubble area = {what}; colour = best OCEBM 2011 level",
                 loc="left", fontweight="bold", fontsize=10)
    level_handles = [Line2D([], [], ls="", marker="o", markersize=9, markerfacecolor=LEVEL_COLOURS[lv],
                            markeredgecolor="#08306b", label=_LEVEL_NAMES[lv])
                     for lv in (1, 2, 3, 4, 5, None) if lv is not None or any(c.best_level is None for c in emap.cells)]
    refs = sorted({_nice(vmax / 10), _nice(vmax / 2), _nice(vmax)})
    size_handles = [Line2D([], [], ls="", marker="o", markersize=math.sqrt(a), markerfacecolor="white",
                           markeredgecolor="#08306b", label=f"{v} {'patients' if size == 'patients' else 'studies'}")
                    for v, a in zip(refs, _areas(refs, vmax), strict=True)]
    fig.legend(handles=level_handles, title="Best evidence level", loc="upper left", bbox_to_anchor=(0.8, 0.9),
               frameon=False, fontsize=8, title_fontsize=8.5, alignment="left")
    fig.legend(handles=size_handles, title="Bubble area", loc="upper left", bbox_to_anchor=(0.8, 0.55),
               frameon=False, fontsize=8, title_fontsize=8.5, labelspacing=1.8, borderpad=1.0, handletextpad=1.4,
               alignment="left")
    fig.subplots_adjust(left=0.25, right=0.78, bottom=0.2, top=0.9)
    return fig


def map_plotly(emap: EvidenceMap, *, size: SizeBy = "patients") -> Any:
    """Interactive plotly bubble chart (one trace per evidence level, hover shows the studies)."""
    if not emap.cells:
        raise InputError("The atlas has no studies to map.", hint="Run 'jakatlas build' first.")
    import plotly.graph_objects as go

    vmax = max(c.size(size) for c in emap.cells) or 1
    fig = go.Figure()
    for lv in (1, 2, 3, 4, 5, None):
        cells = [c for c in emap.cells if c.best_level == lv]
        if not cells:
            continue
        fig.add_trace(go.Scatter(
            x=[_drug_label(c.drug) for c in cells], y=[c.disease for c in cells], mode="markers", name=_LEVEL_NAMES[lv],
            marker={"size": [math.sqrt(a) for a in _areas([c.size(size) for c in cells], vmax)],
                    "color": LEVEL_COLOURS[lv], "opacity": 1.0, "line": {"color": "#08306b", "width": 1}},
            customdata=[[c.studies, c.patients, ", ".join(c.study_ids)] for c in cells],
            hovertemplate=("<b>%{y}</b> \u00d7 %{x}<br>studies: %{customdata[0]}<br>patients: %{customdata[1]}"
                           "<br>%{customdata[2]}<extra>" + _LEVEL_NAMES[lv] + "</extra>"),
        ))
    fig.update_layout(
        title=f"JAK inhibitor evidence map (bubble = {'patients' if size == 'patients' else 'studies'}, "
              "colour = best OCEBM 2011 level)",
        xaxis={"categoryorder": "array", "categoryarray": [_drug_label(d) for d in emap.drugs], "tickangle": -40},
        yaxis={"categoryorder": "array", "categoryarray": list(reversed(emap.diseases))},
        legend={"title": {"text": "Best evidence level"}, "itemsizing": "constant"}, template="plotly_white",
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
