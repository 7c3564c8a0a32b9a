"""Server-rendered pages: home, search, disease dossier, drug, study, compare and what's new."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import asdict
from typing import Annotated, Any, Literal
from urllib.parse import quote, urlencode

from fastapi import APIRouter, HTTPException, Query, Request, Response
from fastapi.responses import RedirectResponse

from jakatlas.data import knowledge_base
from jakatlas.errors import JakatlasError
from jakatlas.models.knowledge import Drug
from jakatlas.store.curation import audit_log
from jakatlas.web import present
from jakatlas.web.deps import Ctx
from jakatlas.web.dossier_view import TABLES, disease_sections, forest_svg, table_rows
from jakatlas.web.fhir import fhir_id
from jakatlas.web.highlight import highlight, merge_spans, study_spans
from jakatlas.web.schemas import StatusFilter
from jakatlas.web.tables import table_response
from jakatlas.web.templating import render

router = APIRouter(include_in_schema=False)

Fmt = Literal["csv", "json"]
DRUG_TABLES = ("ic50", "approvals", "coverage", "evidence")
STUDY_TABLES = ("outcomes", "adverse_events")


@router.get("/")
def home(request: Request, ctx: Ctx) -> Response:
    diseases = present.disease_summaries(ctx)
    drugs = [d for d in present.drug_summaries(ctx) if d.drug_class in present.JAK_CLASSES]
    cat = present.catalog(ctx)
    stats = {"diseases": len(diseases), "drugs": len(drugs),
             "studies": sum(1 for r in cat.records if r.status == "curated"),
             "candidates": sum(1 for r in cat.records if r.status == "candidate")}
    return render(request, "home.html", {
        "title": "Evidence atlas of JAK inhibitors in dermatology", "stats": stats,
        "diseases": sorted(diseases, key=lambda d: (-d.studies, d.name)), "drugs": drugs,
        "map_json": present.evidence_map_figure(ctx), "emap": present.evidence_map(ctx),
        "names": _all_names()})


def _all_names() -> list[str]:
    kb = knowledge_base()
    names = [d.name for d in kb.diseases.values()] + [a for d in kb.diseases.values() for a in d.abbreviations]
    names += [g.name for g in kb.drugs.values()] + [c for g in kb.drugs.values() for c in (*g.codes, *g.brands)]
    return sorted(dict.fromkeys(names), key=str.lower)


@router.get("/search")
def search_page(request: Request, ctx: Ctx, q: Annotated[str, Query(max_length=200)] = "",
                candidates: bool = False) -> Response:
    result = present.search(q)
    if result.exact is not None:
        return RedirectResponse(result.exact.url, status_code=303)
    if q.strip():
        try:
            result.results = present.full_text(ctx, q, candidates=candidates, limit=50)
        except JakatlasError:
            result.results = []
    return render(request, "search.html", {"title": f"Search: {q}" if q else "Search", "result": result,
                                           "names": _all_names()})


@router.get("/diseases")
def diseases_page(request: Request, ctx: Ctx) -> Response:
    return render(request, "diseases.html", {"title": "Diseases", "diseases": present.disease_summaries(ctx)})


@router.get("/drugs")
def drugs_page(request: Request, ctx: Ctx) -> Response:
    return render(request, "drugs.html", {"title": "Drugs", "drugs": present.drug_summaries(ctx)})


@router.get("/diseases/{key}")
def disease_page(key: str, request: Request, ctx: Ctx) -> Response:
    d = present.resolve_disease(key)
    if d.id != key:
        return RedirectResponse(present.disease_url(d), status_code=308)
    detail = present.disease_detail(ctx, d)
    sections = disease_sections(ctx, d)
    levels = [e.evidence_level for e in detail.evidence if e.evidence_level is not None]
    return render(request, "disease.html", {
        "title": d.name[:1].upper() + d.name[1:], "d": d, "detail": detail, "s": sections,
        "dossier": sections.dossier, "best": min(levels) if levels else None,
        "flags": sections.dossier.synthesis.flags, "pooled": sections.dossier.synthesis.pooled,
        "api": f"/api/v1/studies?{urlencode({'disease': d.name, 'status': 'curated'})}"})


@router.get("/diseases/{key}/forest-{index}.svg")
def disease_forest(key: str, index: int, ctx: Ctx) -> Response:
    svg = forest_svg(ctx, present.resolve_disease(key), index)
    if svg is None:
        raise HTTPException(404, detail={"error": f"No forest plot number {index}.", "hint": None})
    return Response(svg, media_type="image/svg+xml", headers={"Cache-Control": "no-cache"})


def _rows(items: list[Any]) -> list[dict[str, Any]]:
    return [asdict(i) if hasattr(i, "__dataclass_fields__") else i.model_dump(mode="json") for i in items]


def _download(rows: Sequence[Mapping[str, Any]], fmt: Fmt, name: str) -> Response:
    cols = list(rows[0].keys()) if rows else ["empty"]
    return table_response(rows, cols, fmt=fmt, name=name)


@router.get("/diseases/{key}/tables/{table}.{fmt}")
def disease_table(key: str, table: str, fmt: Fmt, ctx: Ctx) -> Response:
    if table not in TABLES:
        raise HTTPException(404, detail={"error": f"No table named {table!r}.", "hint": f"Tables: {', '.join(TABLES)}."})
    d = present.resolve_disease(key)
    if table == "coverage":
        return _download(disease_sections(ctx, d).coverage, fmt, f"{d.id}-{table}")
    return _download(table_rows(disease_sections(ctx, d), table), fmt, f"{d.id}-{table}")


@router.get("/drugs/{key}")
def drug_page(key: str, request: Request, ctx: Ctx) -> Response:
    g = present.resolve_drug(key)
    if g.id != key:
        return RedirectResponse(present.drug_url(g), status_code=308)
    detail = present.drug_detail(ctx, g)
    kb = knowledge_base()
    return render(request, "drug.html", {
        "title": g.name[:1].upper() + g.name[1:], "g": g, "detail": detail, "sources": kb.sources,
        "blocked": [c for c in detail.coverage if c.blocked_via],
        "unblocked": [c for c in detail.coverage if not c.blocked_via],
        "api": f"/api/v1/studies?{urlencode({'drug': g.name, 'status': 'curated'})}"})


@router.get("/drugs/{key}/tables/{table}.{fmt}")
def drug_table(key: str, table: str, fmt: Fmt, ctx: Ctx) -> Response:
    if table not in DRUG_TABLES:
        raise HTTPException(404, detail={"error": f"No table named {table!r}.",
                                         "hint": f"Tables: {', '.join(DRUG_TABLES)}."})
    g = present.resolve_drug(key)
    detail = present.drug_detail(ctx, g)
    items: dict[str, list[Any]] = {"ic50": list(g.ic50), "approvals": list(g.approvals),
                                   "coverage": detail.coverage, "evidence": detail.evidence}
    return _download(_rows(items[table]), fmt, f"{g.id}-{table}")


@router.get("/studies")
def studies_page(
    request: Request,
    ctx: Ctx,
    disease: Annotated[str | None, Query(max_length=200)] = None,
    drug: Annotated[str | None, Query(max_length=200)] = None,
    design: Annotated[str | None, Query(max_length=40)] = None,
    level: Annotated[int | None, Query(ge=1, le=5)] = None,
    status: Annotated[StatusFilter, Query()] = "curated",
    offset: Annotated[int, Query(ge=0)] = 0,
) -> Response:
    clean = {k: v for k, v in {"disease": disease, "drug": drug, "design": design}.items() if v}
    page = present.study_page(ctx, path="/studies", status=status, level=level, limit=ctx.settings.page_size,
                              offset=offset, design=design if design in _designs() else None,
                              disease=disease or None, drug=drug or None)
    query = urlencode({**clean, **({"level": level} if level else {}), "status": status})
    return render(request, "studies.html", {
        "title": "Studies", "page": page, "f": {"disease": disease, "drug": drug, "design": design, "level": level, "status": status},
        "designs": _designs(), "diseases": sorted(knowledge_base().diseases.values(), key=lambda x: x.name),
        "csv": f"/api/v1/studies?{query}&limit=500&format=csv", "json": f"/api/v1/studies?{query}&limit=500"})


def _designs() -> list[str]:
    from jakatlas.models.evidence import DESIGNS

    return list(DESIGNS)


@router.get("/studies/{study_id}")
def study_page(study_id: str, request: Request, ctx: Ctx, done: str | None = None) -> Response:
    detail = present.study_detail(ctx, study_id)
    text = None
    marks: list[Any] = []
    if detail.document is not None:
        doc = ctx.atlas.document(detail.document.id)
        if doc is not None:
            spans = study_spans(detail.data)
            marks = merge_spans(spans, len(doc.text))
            text = highlight(doc.text, spans)
    kb = knowledge_base()
    drugs = [g for g in (_drug_or_none(i["name"]) for i in detail.data.get("interventions", [])) if g is not None]
    return render(request, "study.html", {
        "title": detail.title, "st": detail, "text": text, "marks": marks, "drugs": drugs,
        "audit": audit_log(ctx.atlas, study_id=study_id, limit=50), "sources": kb.sources,
        "done": done if done in ("accepted", "rejected", "edited") else None, "designs": _designs(),
        "quoted": quote(study_id, safe=""), "fhir_id": fhir_id(study_id)})


def _drug_or_none(name: str) -> Drug | None:
    try:
        return knowledge_base().drug(name)
    except JakatlasError:
        return None


@router.get("/studies/{study_id}/tables/{table}.{fmt}")
def study_table(study_id: str, table: str, fmt: Fmt, ctx: Ctx) -> Response:
    if table not in STUDY_TABLES:
        raise HTTPException(404, detail={"error": f"No table named {table!r}.",
                                         "hint": f"Tables: {', '.join(STUDY_TABLES)}."})
    detail = present.study_detail(ctx, study_id)
    rows = [{k: v for k, v in r.items() if k != "spans"} for r in detail.data.get(table, [])]
    return _download(rows, fmt, f"{study_id}-{table}")


@router.get("/compare")
def compare_page(
    request: Request,
    ctx: Ctx,
    disease: Annotated[str | None, Query(max_length=200)] = None,
    drug: Annotated[list[str] | None, Query(max_length=8)] = None,
) -> Response:
    kb = knowledge_base()
    diseases = [d for d in present.disease_summaries(ctx) if d.studies]
    chosen = present.resolve_disease(disease) if disease else None
    picked = [present.resolve_drug(x) for x in dict.fromkeys(drug or [])]
    if chosen and not picked:  # default: every JAK inhibitor with curated evidence in the disease
        cat = present.catalog(ctx)
        names = {i["name"] for r in cat.by_disease.get(chosen.name, []) if r.status == "curated"
                 for i in r.data.get("interventions", [])}
        picked = [g for g in kb.drugs.values() if g.name in names and g.drug_class in present.JAK_CLASSES]
    table = present.compare(ctx, chosen, picked) if chosen and picked else None
    jaks = sorted((g for g in kb.drugs.values() if g.drug_class in present.JAK_CLASSES), key=lambda g: g.name)
    qs = urlencode([("disease", chosen.name)] + [("drug", g.name) for g in picked]) if chosen else ""
    return render(request, "compare.html", {
        "title": "Compare drugs", "diseases": diseases, "chosen": chosen, "picked": {g.id for g in picked},
        "jaks": jaks, "table": table, "csv": f"/api/v1/compare?{qs}&format=csv", "json": f"/api/v1/compare?{qs}"})


@router.get("/new")
def whats_new(request: Request, ctx: Ctx) -> Response:
    entries = audit_log(ctx.atlas, limit=200)
    cat = present.catalog(ctx)
    added = [(e, cat.rows.get(e.study_id)) for e in entries if e.action == "add"][:50]
    decisions = [e for e in entries if e.action != "add"][:30]
    pending = [r for r in cat.records if r.status == "candidate"]
    from jakatlas.store.living import last_runs
    from jakatlas.store.living import whats_new as fetched

    ctx.atlas.migrate()
    updates = fetched(ctx.atlas.url, limit=50)
    update_ids = {x["id"] for e in updates for x in e.studies}
    added = [(e, row) for e, row in added if e.study_id not in update_ids]
    kb = knowledge_base()
    feeds = [(d.name, f"/feeds/disease/{d.id}.atom") for d in sorted(kb.diseases.values(), key=lambda d: d.name)]
    feeds += [(g.name, f"/feeds/drug/{g.id}.atom") for g in sorted(kb.drugs.values(), key=lambda g: g.name)
              if g.drug_class in present.JAK_CLASSES]
    return render(request, "new.html", {"title": "What's new", "added": added, "decisions": decisions,
                                        "pending": len(pending), "titles": {r.id: r.title for r in cat.records},
                                        "updates": updates, "runs": last_runs(ctx.atlas.url), "feeds": feeds})
