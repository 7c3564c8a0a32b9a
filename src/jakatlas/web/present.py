"""Read models for the API and the pages, assembled from the store views and cached per atlas version."""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote, urlencode

from jakatlas.data import knowledge_base
from jakatlas.data._kb import norm_key
from jakatlas.errors import NotFoundError
from jakatlas.models.knowledge import Disease, Drug
from jakatlas.store.atlas import StudyRecord
from jakatlas.store.views import EvidenceRow, disease_view, drug_view, evidence_row
from jakatlas.web.deps import AppContext
from jakatlas.web.schemas import (
    CompareColumn,
    CompareOut,
    CoverageItem,
    DiseaseDetail,
    DiseaseSummary,
    DocumentOut,
    DrugDetail,
    DrugSummary,
    EvidenceMapOut,
    MapCell,
    SearchHit,
    SearchOut,
    StatusFilter,
    StudyDetail,
    StudyItem,
    StudyPage,
    TextHit,
)

__all__ = [
    "STATUSES",
    "JAK_CLASSES",
    "Catalog",
    "catalog",
    "disease_url",
    "drug_url",
    "study_url",
    "resolve_disease",
    "resolve_drug",
    "disease_summaries",
    "drug_summaries",
    "search",
    "evidence_map",
    "evidence_map_figure",
    "coverage",
    "disease_detail",
    "drug_detail",
    "compare",
    "study_detail",
    "study_page",
]

STATUSES: dict[str, tuple[str, ...]] = {
    "curated": ("curated",),
    "candidate": ("candidate",),
    "rejected": ("rejected",),
    "reviewable": ("curated", "candidate"),
    "all": ("curated", "candidate", "rejected"),
}
JAK_CLASSES = ("jak_inhibitor", "tyk2_inhibitor")


def disease_url(d: Disease) -> str:
    return f"/diseases/{quote(d.id, safe='')}"


def drug_url(d: Drug) -> str:
    return f"/drugs/{quote(d.id, safe='')}"


def study_url(study_id: str) -> str:
    return f"/studies/{quote(study_id, safe='')}"


@dataclass(frozen=True)
class Catalog:
    """Every curated and candidate study with per-disease and per-drug tallies."""

    records: list[StudyRecord]
    rows: dict[str, EvidenceRow]
    by_disease: dict[str, list[StudyRecord]] = field(default_factory=dict)
    by_drug: dict[str, list[StudyRecord]] = field(default_factory=dict)


def catalog(ctx: AppContext) -> Catalog:
    def build() -> Catalog:
        recs = ctx.atlas.studies(status=("curated", "candidate"))
        by_disease: dict[str, list[StudyRecord]] = defaultdict(list)
        by_drug: dict[str, list[StudyRecord]] = defaultdict(list)
        for r in recs:
            for name in {d["name"] for d in r.data.get("diseases", [])}:
                by_disease[name].append(r)
            for name in {i["name"] for i in r.data.get("interventions", [])}:
                by_drug[name].append(r)
        return Catalog(recs, {r.id: evidence_row(r) for r in recs}, dict(by_disease), dict(by_drug))

    return ctx.cache.get("catalog", build)


def resolve_disease(name_or_id: str) -> Disease:
    kb = knowledge_base()
    return kb.diseases.get(name_or_id) or kb.disease(name_or_id)


def resolve_drug(name_or_id: str) -> Drug:
    kb = knowledge_base()
    return kb.drugs.get(name_or_id) or kb.drug(name_or_id)


def _best(recs: list[StudyRecord]) -> int | None:
    levels = [r.evidence_level for r in recs if r.evidence_level is not None]
    return min(levels) if levels else None


def _largest(recs: list[StudyRecord]) -> int | None:
    ns = [r.n for r in recs if r.n is not None]
    return max(ns) if ns else None


def disease_summaries(ctx: AppContext) -> list[DiseaseSummary]:
    cat = catalog(ctx)
    out = []
    for d in sorted(knowledge_base().diseases.values(), key=lambda x: x.name):
        recs = cat.by_disease.get(d.name, [])
        curated = [r for r in recs if r.status == "curated"]
        out.append(DiseaseSummary(
            id=d.id, name=d.name, abbreviations=d.abbreviations, synonyms=d.synonyms, identifiers=d.identifiers,
            studies=len(curated), candidates=len(recs) - len(curated), best_level=_best(curated), url=disease_url(d)))
    return out


def drug_summaries(ctx: AppContext) -> list[DrugSummary]:
    cat = catalog(ctx)
    order = sorted(knowledge_base().drugs.values(), key=lambda d: (d.drug_class not in JAK_CLASSES, d.name))
    return [DrugSummary(
        id=d.id, name=d.name, drug_class=d.drug_class, brands=d.brands, codes=d.codes, targets=d.targets,
        status=d.status, boxed_warning=d.boxed_warning.present if d.boxed_warning else None,
        studies=sum(1 for r in cat.by_drug.get(d.name, []) if r.status == "curated"), url=drug_url(d))
        for d in order]


def full_text(ctx: AppContext, query: str, *, kinds: tuple[str, ...] | None = None, candidates: bool = False,
              limit: int = 20) -> list[TextHit]:
    """Ranked full-text results (SQLite FTS5 or PostgreSQL text search) with page links."""
    from jakatlas.store.search import KINDS
    from jakatlas.store.search import search as text_search

    kb = knowledge_base()
    hits = text_search(ctx.atlas, query, kinds=kinds or KINDS, candidates=candidates,  # type: ignore[arg-type]
                       limit=limit)

    def url(kind: str, ref: str) -> str | None:
        if kind == "disease" and ref in kb.diseases:
            return disease_url(kb.diseases[ref])
        if kind == "drug" and ref in kb.drugs:
            return drug_url(kb.drugs[ref])
        return study_url(ref) if kind == "study" else None

    return [TextHit(kind=h.kind, id=h.ref, title=h.title, title_html=h.title_html, snippet_html=h.snippet_html,
                    status=h.status, score=h.score, url=url(h.kind, h.ref)) for h in hits]


def reference_list(ctx: AppContext, *, disease: str | None = None, drug: str | None = None,
                   q: str | None = None) -> tuple[str, list[Any]]:
    """The reference list a page shows (disease dossier, drug page, search results) and a file stem."""
    from jakatlas.report import citations

    if disease:
        from jakatlas.web.dossier_view import disease_sections

        d = resolve_disease(disease)
        return f"{d.id}-references", citations.disease_references(ctx.atlas, d, disease_sections(ctx, d).dossier)
    if drug:
        g = resolve_drug(drug)
        return f"{g.id}-references", citations.drug_references(ctx.atlas, g)
    return "search-references", citations.search_references(ctx.atlas, q or "")


def search(query: str, *, limit: int = 20) -> SearchOut:
    """Exact resolution (names, synonyms, abbreviations, codes) plus substring matches."""
    kb = knowledge_base()
    q = query.strip()
    key = norm_key(q)
    exact: SearchHit | None = None
    suggestions: list[str] = []
    if key:
        try:
            rec = kb.find(q)
            exact = _hit(rec, rec.name)
        except NotFoundError as exc:
            suggestions = exc.suggestions
    hits: dict[tuple[str, str], SearchHit] = {}
    if key:
        for d in sorted(kb.diseases.values(), key=lambda x: x.name):
            names = [d.name, *d.abbreviations, *d.synonyms, *d.identifiers, *(v.name for v in d.variants)]
            for n in names:
                if key in norm_key(n):
                    hits.setdefault(("disease", d.id), _hit(d, n))
        for g in sorted(kb.drugs.values(), key=lambda x: (x.drug_class not in JAK_CLASSES, x.name)):
            for n in [g.name, *g.brands, *g.codes, *g.synonyms]:
                if key in norm_key(n):
                    hits.setdefault(("drug", g.id), _hit(g, n))
    return SearchOut(query=q, exact=exact, hits=list(hits.values())[:limit], suggestions=suggestions)


def _hit(rec: Disease | Drug, matched: str) -> SearchHit:
    if isinstance(rec, Disease):
        return SearchHit(kind="disease", id=rec.id, name=rec.name, matched=matched, url=disease_url(rec))
    return SearchHit(kind="drug", id=rec.id, name=rec.name, matched=matched, url=drug_url(rec))


def _jak_map(ctx: AppContext) -> Any:
    """The report layer's evidence map restricted to JAK and TYK2 inhibitors (and the unnamed class)."""
    from jakatlas.report.evidence_map import EvidenceMap
    from jakatlas.report.evidence_map import evidence_map as build_map

    def build() -> EvidenceMap:
        jak = {d.name for d in knowledge_base().drugs.values() if d.drug_class in JAK_CLASSES}
        full = build_map(ctx.atlas)
        cells = tuple(c for c in full.cells if c.drug in jak)
        diseases = tuple(sorted({c.disease for c in cells + full.class_cells}))
        return EvidenceMap(cells, diseases, tuple(sorted({c.drug for c in cells})), full.class_cells)

    return ctx.cache.get("evidence-map", build)


def evidence_map(ctx: AppContext) -> EvidenceMapOut:
    """Disease x JAK-inhibitor grid of curated studies (count, patients, best level)."""
    emap = _jak_map(ctx)
    def out(c: Any) -> MapCell:
        return MapCell(disease=c.disease, drug=c.drug, studies=c.studies, patients=c.patients,
                       best_level=c.best_level, study_ids=list(c.study_ids))

    return EvidenceMapOut(diseases=list(emap.diseases), drugs=list(emap.drugs),
                          cells=[out(c) for c in emap.cells], class_cells=[out(c) for c in emap.class_cells])


def evidence_map_figure(ctx: AppContext) -> str | None:
    """The interactive map as plotly figure JSON, safe inside a ``<script type="application/json">``
    data block (``None`` when the atlas has no curated studies)."""
    from jakatlas.report.evidence_map import map_plotly

    def build() -> str | None:
        emap = _jak_map(ctx)
        if not emap.all_cells:
            return None
        text: str = map_plotly(emap, size="studies").to_json()
        return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")

    return ctx.cache.get("evidence-map-figure", build)


def coverage(drug: Drug) -> list[CoverageItem]:
    """Every cytokine with whether the drug reaches it, by the synthesis layer's rules
    (:func:`jakatlas.synthesis.mechanism.cytokine_reach`): sourced dominant JAKs, the two-JAK
    receptor model, secondary targets; JAK-independent ones listed too."""
    from jakatlas.synthesis.mechanism import CytokineSignal, cytokine_reach

    targets = set(drug.targets)
    out = []
    for c in sorted(knowledge_base().cytokines.values(), key=lambda x: x.name):
        sig = CytokineSignal.of(c)
        r = cytokine_reach(drug, sig) if sig.status == "jak_dependent" and targets else None
        reached = r is not None and r.status in ("reached", "partial")
        need = set(sig.essential) or set(c.jaks)
        out.append(CoverageItem(cytokine_id=c.id, cytokine=c.name, jaks=c.jaks, jak_dependent=c.jak_dependent,
                                blocked_via=[j for j in c.jaks if j in targets and j in need] if reached else [],
                                reach=r.status if r else None, reach_basis=r.basis if r else None,
                                reason=r.reason if r else None))
    return out


def disease_detail(ctx: AppContext, disease: Disease) -> DiseaseDetail:
    def build() -> DiseaseDetail:
        view = disease_view(ctx.atlas, disease, candidates=True)
        return DiseaseDetail(disease=disease, cytokines=view.cytokines,
                             evidence=[e for e in view.evidence if e.status == "curated"],
                             candidates=[e for e in view.evidence if e.status == "candidate"])

    return ctx.cache.get(f"disease:{disease.id}", build)


def drug_detail(ctx: AppContext, drug: Drug) -> DrugDetail:
    def build() -> DrugDetail:
        view = drug_view(ctx.atlas, drug, candidates=False)
        return DrugDetail(drug=drug, coverage=coverage(drug), evidence=view.evidence)

    return ctx.cache.get(f"drug:{drug.id}", build)


_CERTAINTY_RANK = {"high": 0, "moderate": 1, "low": 2, "very low": 3}


def _key_numbers(syn: Any, drug: str) -> tuple[str | None, str | None, str | None]:
    """Best certainty (with its outcome) and the largest controlled comparison of ``drug``."""
    from jakatlas.synthesis._common import fmt_timepoint
    from jakatlas.synthesis.atlas_effects import fmt_rd

    grades = sorted((g for g in syn.grades if g.drug == drug), key=lambda g: _CERTAINTY_RANK.get(g.certainty, 9))
    certainty = grades[0].certainty if grades else None
    outcome = grades[0].outcome if grades else None
    controlled = [e for e in syn.effects if e.drug == drug and e.rd is not None and e.comparator_value is not None]
    if not controlled:
        return certainty, outcome, None
    e = max(controlled, key=lambda x: ((x.n or 0) + (x.comparator_n or 0), x.rd.estimate))
    when = fmt_timepoint(e.weeks, e.weeks_assumed)
    result = (f"{e.measure}, {when}: {e.value:g}% vs {e.comparator or 'comparator'} {e.comparator_value:g}%; "
              f"RD {fmt_rd(e.rd)} ({e.label})")
    return certainty, outcome, result


def compare(ctx: AppContext, disease: Disease, drugs: list[Drug]) -> CompareOut:
    """Several drugs side by side for one disease: key numbers first (best level, certainty, the
    largest comparison against placebo, patients), then mechanism, safety and approvals; the drugs
    are ordered by strength of evidence (best level, then certainty, then patients)."""
    from jakatlas.web.dossier_view import disease_sections

    cat = catalog(ctx)
    syn = disease_sections(ctx, disease).dossier.synthesis
    cols = []
    for g in drugs:
        recs = [r for r in cat.by_drug.get(g.name, []) if r.status == "curated"
                and disease.name in {d["name"] for d in r.data.get("diseases", [])}]
        rows = [cat.rows[r.id] for r in recs]
        aes = Counter(a["term"] for r in recs for a in r.data.get("adverse_events", []) if not a.get("negated"))
        key = norm_key(disease.name)
        approved = [f"{a.regulator} {a.date or ''}".strip() for a in g.approvals
                    if a.status == "approved" and (key in norm_key(a.indication)
                                                   or any(norm_key(s) in norm_key(a.indication)
                                                          for s in disease.abbreviations + disease.synonyms))]
        certainty, outcome, result = _key_numbers(syn, g.name)
        known_n = [r.n for r in recs if r.n is not None]
        cols.append(CompareColumn(
            drug=g.name, drug_id=g.id, certainty=certainty, certainty_outcome=outcome, key_result=result,
            patients=sum(known_n) if known_n else None,
            targets=g.targets, selectivity=[s.statement for s in g.selectivity],
            boxed_warning=g.boxed_warning.present if g.boxed_warning else None, approved_for_disease=approved,
            studies=len(recs), best_level=_best(recs), largest_n=_largest(recs),
            designs=sorted({r.design for r in recs if r.design}),
            results=[f"{row.result} ({row.citation or row.id})" for row in rows],
            adverse_events=[t for t, _ in aes.most_common(6)]))
    cols.sort(key=lambda c: (c.studies == 0, c.best_level or 9, _CERTAINTY_RANK.get(c.certainty or "", 9),
                             -(c.patients or 0), c.drug))
    return CompareOut(disease=disease.name, columns=cols)


def study_detail(ctx: AppContext, study_id: str) -> StudyDetail:
    def build() -> StudyDetail:
        rec = ctx.atlas.study(study_id)
        doc = ctx.atlas.document(rec.document_id) if rec.document_id else None
        return StudyDetail(
            id=rec.id, status=rec.status, origin=rec.origin, version=rec.version, overrides=sorted(rec.overrides),
            title=rec.title, design=rec.design, n=rec.n,
            evidence_level=rec.evidence_level, row=evidence_row(rec), data=rec.data,
            document=DocumentOut(id=doc.id, kind=doc.kind, source_id=doc.source_id, title=doc.title) if doc else None)

    return ctx.cache.get(f"study:{study_id}", build)


def _study_item(r: StudyRecord) -> StudyItem:
    return StudyItem(**evidence_row(r).model_dump(), title=r.title, url=study_url(r.id))


def study_page(ctx: AppContext, *, path: str, disease: str | None = None, drug: str | None = None,
               design: str | None = None, level: int | None = None, outcome: str | None = None,
               status: StatusFilter = "curated", limit: int = 50, offset: int = 0) -> StudyPage:
    """One page of the filtered study list; names, synonyms and codes are resolved first."""
    dis = resolve_disease(disease).name if disease else None
    dr = resolve_drug(drug).name if drug else None
    total, page = ctx.atlas.page(disease=dis, drug=dr, design=design, level=level, outcome=outcome,
                                 status=STATUSES[status], limit=limit, offset=offset)
    params = {k: v for k, v in {"disease": disease, "drug": drug, "design": design, "level": level,
                                "outcome": outcome, "status": status if status != "curated" else None}.items()
              if v is not None}

    def link(off: int) -> str:
        return f"{path}?{urlencode({**params, 'limit': limit, 'offset': off})}"

    items = [ctx.renditions.get("study-item", r, _study_item) for r in page]
    last = max(total - 1, 0) // limit * limit
    return StudyPage(total=total, limit=limit, offset=offset, items=items,
                     next=link(offset + limit) if offset + limit < total else None,
                     previous=link(max(offset - limit, 0)) if offset > 0 else None,
                     first=link(0), last=link(last))
