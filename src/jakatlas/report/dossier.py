"""Evidence dossier for one disease: what a dermatologist needs before off-label JAK-inhibitor use.

:func:`build_dossier` reads the atlas and runs the synthesis layer (effect sizes, placebo context,
OCEBM 2011 levels, GRADE certainty, mechanism coverage); :func:`to_markdown`, :func:`to_html` and
:func:`to_pdf` (in :mod:`jakatlas.report.render`) print it.
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from jakatlas import __version__
from jakatlas.data import KnowledgeBase, knowledge_base
from jakatlas.errors import StorageError
from jakatlas.models.evidence import Study
from jakatlas.models.knowledge import CuratedStudy, Disease, Source
from jakatlas.report.plots import ForestRow
from jakatlas.store.atlas import Atlas, StudyRecord
from jakatlas.store.db import describe_url
from jakatlas.store.views import evidence_row
from jakatlas.synthesis._common import fmt_timepoint, fmt_weeks
from jakatlas.synthesis.atlas_effects import ArmEffect, study_label
from jakatlas.synthesis.disease import DiseaseSynthesis, study_drugs, synthesise
from jakatlas.synthesis.grading import ocebm_level
from jakatlas.synthesis.mechanism import JAKI_CLASSES, selectivity_class

__all__ = ["DESIGN_NAMES", "StudyLine", "DrugSummary", "SafetyLine", "Reference", "ForestPanel", "Dossier",
           "build_dossier", "to_markdown", "to_html", "to_pdf"]

DESIGN_NAMES = {"rct": "RCT", "nonrandomized_trial": "non-randomised trial", "open_label_trial": "open-label trial",
                "cohort": "cohort", "case_control": "case-control", "case_series": "case series",
                "case_report": "case report", "systematic_review": "systematic review",
                "narrative_review": "narrative review", "preclinical": "preclinical", "other": "other"}


@dataclass(frozen=True)
class StudyLine:
    """One study in the evidence table."""

    id: str
    label: str
    drug: str
    title: str
    design: str
    n: int | None
    dose: str | None
    duration: str | None
    result: str
    level: int | None
    level_note: str | None
    certainty: str
    citation: str
    sources: tuple[str, ...]
    status: str


@dataclass(frozen=True)
class DrugSummary:
    """A drug's line in the summary: selectivity, status, evidence volume and bottom line."""

    drug: str
    selectivity: str
    status: str
    approvals: str
    studies: int
    patients: int | None
    """Sum of the reported n; ``None`` when no study of the drug reports n (never shown as 0)."""
    best_level: int | None
    bottom_line: str


@dataclass(frozen=True)
class SafetyLine:
    """Boxed warning and adverse-event figures of one drug."""

    drug: str
    boxed_warning: str
    events: tuple[str, ...]


@dataclass(frozen=True)
class Reference:
    tag: str
    title: str
    type: str
    links: tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class ForestPanel:
    """One forest plot: rows, axis label and the 'favours' captions."""

    title: str
    rows: tuple[ForestRow, ...]
    xlabel: str
    favours: tuple[str, str]


@dataclass(frozen=True)
class Dossier:
    """Everything shown in a disease dossier (rendered by to_markdown / to_html / to_pdf)."""

    disease: Disease
    generated: str
    version: str
    database: str
    drugs: tuple[DrugSummary, ...]
    studies: tuple[StudyLine, ...]
    synthesis: DiseaseSynthesis
    forest: tuple[ForestPanel, ...]
    safety: tuple[SafetyLine, ...]
    references: tuple[Reference, ...]
    caveats: tuple[str, ...]

    @property
    def n_patients(self) -> int | None:
        """Patients over the studies that report n (``None`` when none does)."""
        return _reported_sum(s.n for s in self.studies)


def _reported_sum(values: Iterable[int | None]) -> int | None:
    known = [v for v in values if v is not None]
    return sum(known) if known else None


def _study(rec: StudyRecord) -> CuratedStudy | StudyRecord:
    """Shipped studies in their knowledge-base shape; extracted ones (accepted or not) as stored."""
    return rec.curated() or rec


def _certainty(syn: DiseaseSynthesis, study: Study, drug: str) -> str:
    parts = [f"{g.outcome}: {g.certainty}" for g in syn.grades if g.drug == drug and study.id in g.study_ids]
    if parts:
        return "; ".join(parts)
    if not any(o.value is not None for o in study.outcomes):
        return "not graded (no results recorded)"
    return "not graded (non-randomised evidence not used where randomised comparisons exist)"


def _bottom_line(drug: str, syn: DiseaseSynthesis) -> str:
    grades = [g for g in syn.grades if g.drug == drug]
    if not grades:
        return "No graded outcome."
    best = grades[0]
    rows = [r for r in syn.effects if r.drug == drug and r.measure == best.measure and r.weeks == best.weeks
            and r.role in ("arm", "combined")]
    comp = [r for r in rows if r.kind == "comparative" and r.rd is not None and r.role == "arm"] or \
           [r for r in rows if r.kind == "comparative" and r.rd is not None]
    text = f"{best.outcome}: {best.certainty} certainty"
    if comp:
        lo = min(100 * r.rd.estimate for r in comp if r.rd)
        hi = max(100 * r.rd.estimate for r in comp if r.rd)
        vs = "/".join(sorted({r.comparator or "comparator" for r in comp}))
        span = f"{lo:+.1f} pp" if round(lo, 1) == round(hi, 1) else f"{lo:+.1f} to {hi:+.1f} pp"
        text += f"; risk difference vs {vs} {span} across {len(comp)} arm{'s' if len(comp) > 1 else ''} with arm sizes"
    pooled = [p for p in syn.pooled if p.group == drug and p.measure == best.measure and p.weeks == best.weeks]
    if pooled:
        text += f"; pooled {pooled[0].summary} ({fmt_weeks(pooled[0].weeks)})"
    flags = [f for f in syn.flags if f.drug == drug]
    if flags:
        text += f"; {flags[0].text}"
    return text + "."


def _forest(syn: DiseaseSynthesis, order: Sequence[str]) -> tuple[ForestPanel, ...]:
    """Forest panels, outcomes in the disease's order of outcome measures (primary first)."""
    rank = {k: i for i, k in enumerate(order)}
    keys = {r.measure: rank.get(r.measure_key.split(":")[0], len(rank)) for r in syn.effects}
    groups: dict[tuple[bool, str, float | None], list[ArmEffect]] = {}
    for r in syn.effects:
        if r.role not in ("arm", "combined") or r.comparator_value is None or r.value is None:
            continue
        if r.kind not in ("comparative", "insufficient"):
            continue
        groups.setdefault((r.higher_is_better is False, r.measure, r.weeks), []).append(r)
    jaki = {g.name for g in knowledge_base().drugs.values() if g.drug_class in JAKI_CLASSES} | {"jak inhibitor"}
    panels: list[ForestPanel] = []
    for lower_better in (False, True):
        rows: list[ForestRow] = []
        comps: set[str] = set()
        for (lb, measure, weeks), rs in sorted(groups.items(),
                                               key=lambda kv: (keys[kv[0][1]], kv[0][1], kv[0][2] or 0.0)):
            if lb != lower_better:
                continue
            assumed = any(r.weeks_assumed for r in rs)
            rows.append(ForestRow(f"{measure}, {fmt_timepoint(weeks, assumed)}", kind="header"))
            # Dose arms first, each study's "all doses" row after them (it repeats their patients).
            for r in sorted(rs, key=lambda x: x.role == "combined"):
                comps.add(r.comparator or "comparator")
                arm = "all doses combined" if r.role == "combined" else (r.arm or r.drug)
                bench = "" if r.drug in jaki else " (benchmark)"
                name = f"{r.label} \u00b7 {arm}{bench}"
                name = name if len(name) <= 64 else name[:63].rstrip() + "\u2026"
                if r.rd is not None:
                    rd = r.rd
                    rows.append(ForestRow(name, 100 * rd.estimate, 100 * rd.ci_lower, 100 * rd.ci_upper,
                                          weight=(r.n or 0) + (r.comparator_n or 0),
                                          text=f"{100 * rd.estimate:+.1f} ({100 * rd.ci_lower:+.1f} to "
                                               f"{100 * rd.ci_upper:+.1f})"))
                elif r.value is not None and r.comparator_value is not None:
                    diff = r.value - r.comparator_value
                    rows.append(ForestRow(name, diff, kind="study", text=f"{diff:+.1f} (no n, no CI)"))
            for p in syn.pooled:
                if p.measure == measure and p.weeks == weeks:
                    pi = (f"; PI {100 * p.pi_lower:+.1f} to {100 * p.pi_upper:+.1f}"
                          if p.pi_lower is not None and p.pi_upper is not None else "")
                    rows.append(ForestRow(f"Pooled {p.group} (k={p.k}, {p.method})", 100 * p.estimate,
                                          100 * p.ci_lower, 100 * p.ci_upper, kind="pooled",
                                          text=f"{100 * p.estimate:+.1f} ({100 * p.ci_lower:+.1f} to "
                                               f"{100 * p.ci_upper:+.1f}{pi})"))
        if not rows:
            continue
        vs = "/".join(sorted(comps))
        drawn = {r.drug for (lb, _m, _w), rs in groups.items() if lb == lower_better for r in rs}
        treated = "JAK inhibitor" if drawn <= jaki else "treatment"
        favours = (f"favours {vs}", f"favours {treated}") if not lower_better else \
                  (f"favours {treated}", f"favours {vs}")
        title = ("Responder outcomes (higher is better)" if not lower_better
                 else "Adverse outcomes (lower is better)")
        panels.append(ForestPanel(title, tuple(rows), f"Risk difference, {treated} minus {vs} (percentage points)",
                                  favours))
    return tuple(panels)


def _safety(kb: KnowledgeBase, studies: Sequence[CuratedStudy | StudyRecord], drugs: Sequence[str]) -> tuple[SafetyLine, ...]:
    out = []
    for name in drugs:
        drug = next((d for d in kb.drugs.values() if d.name == name), None)
        bw = drug.boxed_warning if drug else None
        if bw is None or bw.present is None:
            warning = "Not established in the sources (investigational or not recorded)."
        elif bw.present:
            warning = "Yes" + (f": {bw.text}" if bw.text else "") + f" [{', '.join(bw.sources)}]"
        else:
            warning = "No JAK class boxed warning" + (f": {bw.text}" if bw.text else "") + f" [{', '.join(bw.sources)}]"
        events = []
        for s in studies:
            st = s.study() if isinstance(s, StudyRecord) else s
            if name not in {i.name for i in st.interventions}:
                continue
            label = study_label(s)
            for ae in st.adverse_events:
                if ae.negated:
                    events.append(f"{label}: no {ae.term} reported" + (f" ({ae.arm})" if ae.arm else ""))
                elif ae.value is not None:
                    unit = ae.unit or ""
                    fig = f"{ae.value:g}{unit}" if unit.startswith("%") else f"{ae.value:g} {unit}".rstrip()
                    events.append(f"{label}: {ae.term} {fig}" + (f" ({ae.arm})" if ae.arm else ""))
                else:
                    events.append(f"{label}: {ae.term} (frequency not given)" + (f" ({ae.arm})" if ae.arm else ""))
        out.append(SafetyLine(name, warning, tuple(events)))
    return tuple(out)


def _references(kb: KnowledgeBase, tags: Sequence[str]) -> tuple[Reference, ...]:
    def key(t: str) -> tuple[int, str]:
        digits = "".join(c for c in t if c.isdigit())
        return (int(digits) if digits else 0, t)

    out = []
    for t in sorted(set(tags), key=key):
        src: Source | None = kb.sources.get(t)
        if src is not None:
            out.append(Reference(t, src.title, src.type, tuple(src.links())))
    return tuple(out)


def build_dossier(atlas: Atlas, disease: Disease | str, *, candidates: bool = False,
                  concentration_nm: float | None = None, kb: KnowledgeBase | None = None) -> Dossier:
    """Assemble the dossier of ``disease`` from the atlas (curated studies; candidates when asked).

    Raises
    ------
    NotFoundError
        The disease name does not resolve (with suggestions).
    StorageError
        The atlas has not been built.
    """
    kb = kb or knowledge_base()
    dis = kb.disease(disease) if isinstance(disease, str) else disease
    status = ("curated", "candidate") if candidates else ("curated",)
    records = atlas.studies(disease=dis.name, status=status)
    if not records and not atlas.counts().get("studies"):
        raise StorageError(f"The atlas at {describe_url(atlas.url)} holds no studies.", hint="Run 'jakatlas build' first.")
    studies = [_study(r) for r in records]
    models = [s.study() if isinstance(s, StudyRecord) else s for s in studies]
    syn = synthesise(dis, models, kb, concentration_nm=concentration_nm)
    rank = {k: i for i, k in enumerate(dis.outcome_measures)}
    syn = replace(syn, placebo=tuple(sorted(syn.placebo, key=lambda c: (rank.get(c.measure_key.split(":")[0],
                                                                                    len(rank)), c.measure))))
    lines: list[StudyLine] = []
    drug_names: list[str] = []
    for rec, st in zip(records, models, strict=True):
        row = evidence_row(rec)
        lv = ocebm_level(st)
        label = study_label(rec.curated() or rec)
        for drug in study_drugs(st, kb):
            drug_names.append(drug)
            design = DESIGN_NAMES.get(st.design or "", "design not reported")
            if st.phase:
                design = f"phase {st.phase} {design}"
            lines.append(StudyLine(rec.id, label, drug, rec.title, design, st.n, row.dose, row.duration, row.result,
                                   lv.level, lv.disagreement, _certainty(syn, st, drug), row.citation or "",
                                   tuple(row.sources), rec.status))
    lines.sort(key=lambda x: (x.drug, x.level or 9, -(x.n or 0), x.id))
    drugs = list(dict.fromkeys(sorted(drug_names)))
    summaries = []
    for name in drugs:
        d = next((x for x in kb.drugs.values() if x.name == name), None)
        mine = [x for x in lines if x.drug == name]
        levels = [x.level for x in mine if x.level is not None]
        derm = [f"{a.regulator} {a.indication} ({a.date or 'date n/a'})" for a in (d.approvals if d else [])
                if a.dermatologic and a.status == "approved"]
        summaries.append(DrugSummary(name, selectivity_class(d) if d else "unknown", d.status if d else "unknown",
                                     "; ".join(derm) or "no dermatologic approval recorded", len(mine),
                                     _reported_sum(x.n for x in mine), min(levels) if levels else None,
                                     _bottom_line(name, syn)))
    tags = [t for x in lines for t in x.sources]
    tags += [t for d in kb.drugs.values() if d.name in drugs and d.boxed_warning for t in d.boxed_warning.sources]
    tags += list(dis.sources) + [t for c in dis.cytokines if c in kb.cytokines for t in kb.cytokines[c].sources]
    caveats = (
        "This dossier summarises published evidence for off-label decision support; it is not a treatment "
        "recommendation. Check the primary sources before acting on any figure.",
        "Risk differences are treatment (the JAK inhibitor, or a benchmark treatment where one is shown) minus "
        "comparator, in percentage points, with Newcombe 95% CIs; counts are taken from reported percentages "
        "only when the percentage is a whole count of the stated arm size. Where arm sizes are not reported, or "
        "a percentage belongs to another denominator, no count or interval is given.",
        "GRADE certainty is derived automatically per outcome and timepoint from design, size, heterogeneity, "
        "source cues and a per-study RoB 2 / ROBINS-I judgement (derived ones are labelled); read the reasons "
        "before relying on it.",
    )
    return Dossier(dis, _dt.date.today().isoformat(), __version__, describe_url(atlas.url), tuple(summaries),
                   tuple(lines), syn, _forest(syn, dis.outcome_measures), _safety(kb, studies, drugs), _references(kb, tags), caveats)


def to_markdown(dossier: Dossier, path: Path | str | None = None) -> str:
    """Markdown text; with ``path`` also writes it and the forest plots (PNG) next to it."""
    from jakatlas.report.render import render_markdown

    return render_markdown(dossier, path)


def to_html(dossier: Dossier) -> str:
    """Self-contained, printable HTML (figures embedded as data URIs; no external resources)."""
    from jakatlas.report.render import render_html

    return render_html(dossier)


def to_pdf(dossier: Dossier, path: Path | str) -> None:
    """PDF through headless Chromium; raises JakatlasError when Chromium is not installed."""
    from jakatlas.report.render import render_pdf

    render_pdf(dossier, path)
