"""The disease page's dossier: the report layer's synthesis, flattened for tables and downloads.

Effect sizes, placebo context, GRADE certainty, mechanism and safety all come from
:func:`jakatlas.report.dossier.build_dossier`; this module only shapes them for the page and
renders its forest plots as SVG.
"""

from __future__ import annotations

from typing import Any

from jakatlas.models.knowledge import Disease
from jakatlas.report.dossier import build_dossier
from jakatlas.report.tables import TABLES, DossierTables, dossier_tables
from jakatlas.report.tables import table_rows as _table_rows
from jakatlas.web.deps import AppContext

__all__ = ["DiseaseSections", "disease_sections", "table_rows", "forest_svg", "TABLES"]

DiseaseSections = DossierTables
"""The disease page's tables are the dossier's tables (:mod:`jakatlas.report.tables`)."""


def disease_sections(ctx: AppContext, disease: Disease) -> DiseaseSections:
    """The dossier of ``disease`` with its tables (cached per atlas version)."""
    return ctx.cache.get(f"dossier:{disease.id}", lambda: dossier_tables(build_dossier(ctx.atlas, disease)))


def table_rows(s: DiseaseSections, table: str) -> list[dict[str, Any]]:
    """Rows of one downloadable table of the disease page (``table`` in :data:`TABLES`)."""
    return _table_rows(s, table)


def forest_svg(ctx: AppContext, disease: Disease, index: int) -> bytes | None:
    """Forest plot ``index`` of the disease's dossier as SVG, or ``None`` when there is no such plot."""
    from jakatlas.report.plots import figure_bytes, forest_plot

    def build() -> bytes | None:
        panels = disease_sections(ctx, disease).dossier.forest
        if not 0 <= index < len(panels):
            return None
        p = panels[index]
        return figure_bytes(forest_plot(p.rows, xlabel=p.xlabel, favours=p.favours, title=p.title), "svg")

    return ctx.cache.get(f"forest:{disease.id}:{index}", build)
