"""PRISMA 2020 flow diagram of the living-update pipeline.

Counts follow the PRISMA 2020 flow diagram for new systematic reviews which included searches of
databases and registers (Page et al., BMJ 2021;372:n71): records identified per source, records
removed before screening (retracted, withdrawn or deleted), records screened and excluded (no
relevant study extracted), study reports assessed (candidate studies), reports excluded as
duplicates of studies already in the atlas (linked by NCT, PMID, DOI or title/author/year) or
rejected by a curator (with the curator's reasons), and studies included (accepted). Studies still
awaiting a curator are shown as such, never counted as included.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from pydantic import BaseModel, Field
from sqlalchemy import func, select

from jakatlas.store.atlas import Atlas
from jakatlas.store.db import session_scope
from jakatlas.store.living_schema import FetchedRecordRow, StudyLinkRow
from jakatlas.store.schema import AuditRow, StudyRow

__all__ = ["PrismaCounts", "prisma_counts", "prisma_figure"]


class PrismaCounts(BaseModel):
    """The numbers of each box of the flow diagram."""

    identified: dict[str, int] = Field(description="Records identified, per source (pubmed, ctgov).")
    removed: dict[str, int] = Field(description="Records removed before screening, per reason.")
    screened: int
    excluded_records: int = Field(description="Records from which no relevant study was extracted.")
    assessed: int = Field(description="Candidate studies extracted from the screened records.")
    duplicates: int = Field(description="Candidates linked to a study already in the atlas (not counted twice).")
    rejected: dict[str, int] = Field(description="Candidates rejected by a curator, per stated reason.")
    awaiting: int = Field(description="Candidates no curator has decided on yet.")
    included: int = Field(description="Candidates accepted into the atlas.")


def prisma_counts(atlas: Atlas) -> PrismaCounts:
    """Count every box from the fetched records, their candidate studies, links and audit trail."""
    atlas.require_built()
    with session_scope(atlas.url) as s:
        records = list(s.execute(select(FetchedRecordRow.source, FetchedRecordRow.status,
                                        FetchedRecordRow.document_id)))
        identified = Counter(src for src, _, _ in records)
        removed = Counter(st for _, st, _ in records if st != "active")
        active_docs = {doc for _, st, doc in records if st == "active" and doc}
        screened = sum(1 for _, st, _ in records if st == "active")
        studies = list(s.execute(select(StudyRow.id, StudyRow.status, StudyRow.document_id)
                                 .where(StudyRow.document_id.in_(active_docs)))) if active_docs else []
        with_studies = {doc for _, _, doc in studies}
        ids = [i for i, _, _ in studies]
        linked = set(s.scalars(select(StudyLinkRow.study_id).where(StudyLinkRow.study_id.in_(ids)))) if ids else set()
        status = {i: st for i, st, _ in studies if i not in linked}
        reasons: Counter[str] = Counter()
        rejected = [i for i, st in status.items() if st == "rejected"]
        if rejected:
            last = (select(AuditRow.study_id, func.max(AuditRow.id)).where(
                AuditRow.study_id.in_(rejected), AuditRow.action == "reject").group_by(AuditRow.study_id))
            notes = dict(s.execute(select(AuditRow.study_id, AuditRow.note).where(
                AuditRow.id.in_([aid for _, aid in s.execute(last)]))).tuples().all())
            reasons.update((notes.get(i) or "no reason given").strip() for i in rejected)
    return PrismaCounts(
        identified=dict(sorted(identified.items())), removed=dict(sorted(removed.items())), screened=screened,
        excluded_records=screened - len(with_studies & active_docs), assessed=len(studies), duplicates=len(linked),
        rejected=dict(reasons.most_common()), awaiting=sum(1 for st in status.values() if st == "candidate"),
        included=sum(1 for st in status.values() if st == "curated"))


_SOURCES = {"pubmed": "PubMed", "ctgov": "ClinicalTrials.gov"}


def prisma_figure(c: PrismaCounts) -> Any:
    """The flow diagram as a matplotlib figure (boxes and arrows, PRISMA 2020 layout)."""
    import matplotlib
    from matplotlib.patches import FancyBboxPatch

    from jakatlas.report.plots import STYLE, new_figure

    with matplotlib.rc_context(STYLE):
        fig = new_figure(8.4, 7.4)
        ax = fig.add_axes((0, 0, 1, 1))
        ax.set_xlim(0, 100)
        ax.set_ylim(0, 100)
        ax.axis("off")

        def box(x: float, y: float, w: float, h: float, text: str, *, bold: bool = False) -> None:
            ax.add_patch(FancyBboxPatch((x, y), w, h, boxstyle="round,pad=0.4,rounding_size=1.2",
                                        fc="#f6f9fc" if not bold else "#e8f1f8", ec="#1f4e79", lw=1.0))
            ax.text(x + w / 2, y + h / 2, text, ha="center", va="center", fontsize=8.2, wrap=True,
                    fontweight="bold" if bold else "normal")

        def arrow(x0: float, y0: float, x1: float, y1: float) -> None:
            ax.annotate("", (x1, y1), (x0, y0), arrowprops={"arrowstyle": "-|>", "color": "#1f4e79", "lw": 1.0})

        ident = "\n".join(f"{_SOURCES.get(k, k)} (n = {v})" for k, v in c.identified.items()) or "none yet"
        removed = "\n".join(f"{k.capitalize()} (n = {v})" for k, v in c.removed.items()) or "none"
        rejected = "\n".join(f"{r} (n = {v})" for r, v in c.rejected.items()) or "none"
        for label, y in (("Identification", 83), ("Screening", 50), ("Included", 10)):
            ax.text(2, y, label, rotation=90, ha="center", va="center", fontsize=9, fontweight="bold",
                    color="#1f4e79")
        box(6, 76, 40, 15, f"Records identified by living updates:\n{ident}")
        box(56, 76, 40, 15, f"Records removed before screening:\n{removed}")
        box(6, 56, 40, 12, f"Records screened\n(n = {c.screened})")
        box(56, 56, 40, 12, f"Records excluded: no relevant study\nextracted (n = {c.excluded_records})")
        box(6, 36, 40, 12, f"Candidate studies extracted and assessed\n(n = {c.assessed})")
        box(56, 25, 40, 23, f"Studies excluded:\nduplicates of studies in the atlas (n = {c.duplicates})\n"
                            f"rejected by a curator:\n{rejected}")
        box(6, 18, 40, 10, f"Awaiting a curator's decision\n(n = {c.awaiting})")
        box(6, 3, 40, 10, f"Studies included in the atlas\n(n = {c.included})", bold=True)
        arrow(26, 76, 26, 68.6)
        arrow(46, 83.5, 55.6, 83.5)
        arrow(26, 56, 26, 48.6)
        arrow(46, 62, 55.6, 62)
        arrow(46, 42, 55.6, 38)
        arrow(26, 36, 26, 28.6)
        arrow(26, 18, 26, 13.6)
        ax.text(50, 99, "PRISMA 2020 flow of the living updates (Page et al., BMJ 2021;372:n71)", ha="center",
                va="top", fontsize=9.5, fontweight="bold")
    return fig
